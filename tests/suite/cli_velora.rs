//! The headless command contract for Velora, run as a user would: the real binary against
//! the Velora simulator started here (a stand-in server through `STAGEHAND_VELORA_*`), with
//! a settings file of its own and no credential store, or in-process with `--demo`.

use crate::common;

use common::cli::{command, run_with};
use common::sims::sim_with;
use common::{approve_velora, free_port};
use serde_json::Value;
use stagehand::auth::loopback_redirect_uri;
use stagehand::sim::velora::{SCOPES_ALL, SimTokens, VeloraSim, VeloraSimOptions};
use std::collections::HashSet;
use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

/// A settings file no other test uses (it need not exist).
fn config_path(tag: &str) -> PathBuf {
    common::cli::config_path("cli-velora", tag)
}

async fn run(args: &[&str], env: &[(&str, String)]) -> Output {
    run_with(args, env, &config_path("shared-never-written")).await
}

/// The simulator as a stand-in for Velora, signed in with `tokens`. The origin carries a
/// trailing slash, which must be tolerated.
fn env_with(sim: &VeloraSim, tokens: &SimTokens) -> Vec<(&'static str, String)> {
    common::cli::velora_env(sim, tokens)
}

fn stand_in(sim: &VeloraSim) -> Vec<(&'static str, String)> {
    env_with(sim, &sim.streamer_tokens())
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status.code(),
        stderr(out)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {}", stdout(out)))
}

/// Exit 1 with exactly one line on stderr and nothing on stdout.
fn one_line_failure(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(out));
    let err = stderr(out);
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line on stderr: {err:?}"
    );
    assert!(out.stdout.is_empty(), "{}", stdout(out));
    err
}

// ---------------------------------------------------------------- channel and set

#[tokio::test(flavor = "multi_thread")]
async fn channel_prints_the_contract_s_fields_slug_ids_tags_and_no_language() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let v = json(&run(&["--json", "velora", "channel"], &stand_in(&sim)).await);
    let me = sim.streamer();
    let stream = sim.stream();
    assert_eq!(v["id"], me.id.as_str());
    assert_eq!(v["name"], me.username.as_str(), "name is the username");
    assert_eq!(v["display_name"], me.display_name.as_str());
    assert_eq!(v["title"], stream.title.as_str());
    assert_eq!(
        v["category"]["id"],
        stream.category_slug.as_str(),
        "the slug is the id"
    );
    assert!(v["category"]["name"].is_string(), "{v}");
    assert!(v.get("language").is_some_and(Value::is_null), "{v}");
    assert!(v.get("audience").is_some_and(Value::is_null), "{v}");
    assert!(v.get("delay").is_some_and(Value::is_null), "{v}");
    assert_eq!(v["tags"], serde_json::json!(stream.tags));
    assert_eq!(v["is_live"], true);
    assert!(v["viewers"].is_number(), "{v}");

    let text = stdout(&run(&["velora", "channel"], &stand_in(&sim)).await);
    assert!(
        text.contains(&stream.title) && text.contains("tags:"),
        "{text}"
    );
    assert!(!text.contains("audience"), "no line for what is absent");
}

#[tokio::test(flavor = "multi_thread")]
async fn set_changes_title_category_and_tags_and_prints_the_channel_read_back() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let env = stand_in(&sim);
    let v = json(
        &run(
            &[
                "--json",
                "velora",
                "set",
                "--title",
                "Speedrun night",
                "--category",
                "minecraft",
                "--tags",
                "speedrun, English",
            ],
            &env,
        )
        .await,
    );
    assert_eq!(v["title"], "Speedrun night");
    assert_eq!(v["category"]["id"], "minecraft");
    assert_eq!(v["tags"], serde_json::json!(["speedrun", "English"]));
    let held = sim.stream();
    assert_eq!(held.title, "Speedrun night");
    assert_eq!(held.category_slug, "minecraft");
    assert_eq!(held.tags, ["speedrun", "English"]);
    // An empty list clears the tags, and the rest stays.
    let v = json(&run(&["--json", "velora", "set", "--tags", ""], &env).await);
    assert_eq!(v["tags"], serde_json::json!([]));
    assert!(sim.stream().tags.is_empty());
    assert_eq!(sim.stream().title, "Speedrun night");
}

#[tokio::test(flavor = "multi_thread")]
async fn set_refusals_exit_1_in_one_line_and_send_nothing() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let env = stand_in(&sim);
    let before = sim.stream();
    let requests = sim.request_count();
    for (args, word) in [
        (vec!["velora", "set", "--language", "en"], "language"),
        (vec!["velora", "set", "--audience", "18+"], "audience"),
        (vec!["velora", "set", "--delay", "5"], "delay"),
        (
            vec!["velora", "set", "--title", "ok", "--language", "en"],
            "language",
        ),
    ] {
        let err = one_line_failure(&run(&args, &env).await);
        assert!(err.to_lowercase().contains(word), "{args:?}: {err}");
    }
    assert_eq!(sim.request_count(), requests, "nothing was sent");
    assert_eq!(sim.stream(), before, "nothing changed");
    // Velora's own refusal comes back in one line, too.
    let err = one_line_failure(&run(&["velora", "set", "--category", "no-such-game"], &env).await);
    assert!(err.contains("no-such-game"), "{err}");
    assert_eq!(sim.stream(), before);
}

// ---------------------------------------------------------------- categories and people

#[tokio::test(flavor = "multi_thread")]
async fn categories_top_and_search_with_slugs_as_ids() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let env = stand_in(&sim);
    let top = json(&run(&["--json", "velora", "categories", "--limit", "3"], &env).await);
    let list = top["categories"].as_array().expect("a list");
    assert_eq!(list.len(), 3);
    assert_eq!(top["has_more"], true);
    for c in list {
        assert!(c["id"].is_string() && c["name"].is_string(), "{c}");
        assert!(c.get("short_name").is_some_and(Value::is_null), "{c}");
    }
    let found = json(&run(&["--json", "velora", "categories", "mine"], &env).await);
    assert!(
        found["categories"]
            .as_array()
            .expect("a list")
            .iter()
            .any(|c| c["id"] == "minecraft"),
        "{found}"
    );
    let text = stdout(&run(&["velora", "categories", "mine"], &env).await);
    assert!(text.lines().any(|l| l.starts_with("minecraft\t")), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn viewers_give_the_stream_s_count_the_anonymous_and_every_named_viewer() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let v = json(&run(&["--json", "velora", "viewers"], &stand_in(&sim)).await);
    assert_eq!(v["total"], 90 + 35, "the stream's count");
    assert_eq!(v["anonymous"], 35);
    let viewers = v["viewers"].as_array().expect("a list");
    assert_eq!(viewers.len(), 90, "every named viewer");
    let names: HashSet<&str> = viewers.iter().filter_map(|x| x["name"].as_str()).collect();
    assert_eq!(names.len(), 90, "each once");
    let me = viewers
        .iter()
        .find(|x| x["name"] == sim.streamer().username.as_str())
        .expect("the streamer is listed");
    assert!(
        me["roles"]
            .as_array()
            .expect("roles")
            .iter()
            .any(|r| r == "broadcaster"),
        "{me}"
    );
    assert!(viewers.iter().any(|x| {
        x["roles"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r == "moderator"))
    }));
    let text = stdout(&run(&["velora", "viewers"], &stand_in(&sim)).await);
    assert!(text.starts_with("125 viewers (35 not signed in)"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn followers_all_or_a_limit_and_subscribers_with_tier_and_gift() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let env = stand_in(&sim);
    let all = json(&run(&["--json", "velora", "followers"], &env).await);
    assert_eq!(all["total"], 180);
    assert_eq!(all["followers"].as_array().expect("a list").len(), 180);
    let some = json(&run(&["--json", "velora", "followers", "--limit", "5"], &env).await);
    assert_eq!(some["followers"].as_array().expect("a list").len(), 5);
    assert_eq!(some["followers"][0]["id"], all["followers"][0]["id"]);

    let subs = json(&run(&["--json", "velora", "subscribers"], &env).await);
    assert_eq!(subs["total"], 45);
    let list = subs["subscribers"].as_array().expect("a list");
    assert_eq!(list.len(), 45);
    for s in list {
        assert!(
            matches!(s["tier"].as_str(), Some("1" | "2" | "3")),
            "Velora's tier: {s}"
        );
        assert!(s["gifted"].is_boolean(), "{s}");
        assert!(s["since"].as_str().is_some_and(|t| t.ends_with('Z')), "{s}");
    }
    assert!(list.iter().any(|s| s["gifted"] == true));
    assert!(list.iter().any(|s| s["gifted"] == false));
}

// ---------------------------------------------------------------- chat and whoami

#[tokio::test(flavor = "multi_thread")]
async fn chat_send_reaches_the_channel_once_and_an_overlong_line_never() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let env = stand_in(&sim);
    let v = json(
        &run(
            &[
                "--json", "velora", "chat", "send", "hello", "from", "a", "script",
            ],
            &env,
        )
        .await,
    );
    assert_eq!(v["sent"], true);
    let sent: Vec<_> = sim
        .chat_log()
        .into_iter()
        .filter(|l| l.text == "hello from a script")
        .collect();
    assert_eq!(sent.len(), 1, "sent once");
    assert_eq!(sent[0].sender_id, sim.streamer().id);
    assert_eq!(
        v["message_id"].as_str(),
        Some(sent[0].message_id.as_str()),
        "the id a script needs to delete it"
    );

    let requests = sim.request_count();
    let long = "é".repeat(501);
    let err = one_line_failure(&run(&["velora", "chat", "send", &long], &env).await);
    assert!(err.contains("500") && err.contains("501"), "{err}");
    assert_eq!(sim.request_count(), requests, "nothing was sent");
    assert!(sim.chat_log().iter().all(|l| l.text != long));
    // 500 is allowed.
    let ok = "é".repeat(500);
    assert!(
        run(&["velora", "chat", "send", &ok], &env)
            .await
            .status
            .success()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn whoami_names_the_signed_in_account() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let v = json(&run(&["--json", "velora", "whoami"], &stand_in(&sim)).await);
    let me = sim.streamer();
    assert_eq!(
        v,
        serde_json::json!({ "id": me.id, "name": me.username, "display_name": me.display_name })
    );
}

// ---------------------------------------------------------------- stream key

#[tokio::test(flavor = "multi_thread")]
async fn stream_key_regenerate_asks_for_yes_and_prints_the_key_only_with_show() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let env = stand_in(&sim);
    let first = sim.stream_key();
    let requests = sim.request_count();
    let err = one_line_failure(&run(&["velora", "stream-key", "regenerate"], &env).await);
    assert!(
        err.contains("--yes") && err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(sim.request_count(), requests, "nothing was sent");
    assert_eq!(sim.stream_key(), first);

    // Regenerated, but nothing secret printed.
    let out = run(
        &["--json", "velora", "stream-key", "regenerate", "--yes"],
        &env,
    )
    .await;
    let v = json(&out);
    let second = sim.stream_key();
    assert_ne!(second, first, "a new key");
    assert_eq!(v, serde_json::json!({ "regenerated": true, "key": null }));
    let out = run(&["velora", "stream-key", "regenerate", "--yes"], &env).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let third = sim.stream_key();
    assert_ne!(third, second);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!all.contains(&third) && !all.contains(&second), "{all}");
    assert!(all.contains("stream-key show"), "says how to get it: {all}");

    // `show` and `--show` print it, alone on the line in text.
    let shown = run(&["velora", "stream-key", "show"], &env).await;
    assert_eq!(stdout(&shown), format!("{third}\n"));
    let out = run(
        &["velora", "stream-key", "regenerate", "--yes", "--show"],
        &env,
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{}\n", sim.stream_key()));
    assert_ne!(sim.stream_key(), third);
    let v = json(
        &run(
            &[
                "--json",
                "velora",
                "stream-key",
                "regenerate",
                "--yes",
                "--show",
            ],
            &env,
        )
        .await,
    );
    assert_eq!(v["key"], sim.stream_key().as_str());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_regenerated_key_stays_off_the_logs() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let tokens = sim.streamer_tokens();
    let mut env = env_with(&sim, &tokens);
    env.push(("RUST_LOG", "trace".to_owned()));
    let out = run(&["velora", "stream-key", "regenerate", "--yes"], &env).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!out.stderr.is_empty(), "RUST_LOG turns logs on");
    let all = format!("{}{}", stdout(&out), stderr(&out));
    for secret in [
        sim.stream_key(),
        tokens.access_token.clone(),
        tokens.refresh_token.clone(),
        VeloraSim::CLIENT_SECRET.to_owned(),
    ] {
        assert!(!all.contains(secret.as_str()), "a secret leaked");
    }
}

// ---------------------------------------------------------------- moderation

#[tokio::test(flavor = "multi_thread")]
async fn timeout_ban_and_delete_report_velora_s_message_and_refusals_exit_1() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let env = stand_in(&sim);
    let me = sim.streamer();
    let line = sim
        .chat_log()
        .into_iter()
        .find(|l| l.sender_id != me.id)
        .expect("someone else's line");

    let v = json(
        &run(
            &[
                "--json",
                "velora",
                "delete-message",
                &line.sender_username,
                &line.message_id,
            ],
            &env,
        )
        .await,
    );
    assert_eq!(v["done"], true);
    assert_eq!(v["action"], "delete_message");
    assert_eq!(v["message"], "Message deleted");
    assert!(
        sim.chat_log()
            .iter()
            .any(|l| l.message_id == line.message_id && l.deleted)
    );

    let out = run(
        &[
            "velora",
            "timeout",
            &line.sender_username,
            "300",
            "--reason",
            "cool down",
        ],
        &env,
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("{} timed out for 300 s", line.sender_username)),
        "{text}"
    );

    // A user id works as well as a username.
    let v = json(&run(&["--json", "velora", "ban", &line.sender_id], &env).await);
    assert_eq!(v["action"], "ban");
    assert_eq!(v["user"], line.sender_id.as_str());

    let log = sim.moderation_log();
    let actions: Vec<&str> = log.iter().map(|m| m.action.as_str()).collect();
    assert_eq!(actions, ["delete", "timeout", "ban"]);
    assert!(log.iter().all(|m| m.target_id == line.sender_id));
    assert_eq!(log[1].duration_secs, Some(300));
    assert_eq!(log[1].reason.as_deref(), Some("cool down"));

    // Velora's refusals, in its words, each one line.
    let err = one_line_failure(&run(&["velora", "ban", &me.username], &env).await);
    assert!(err.contains("You cannot moderate this user"), "{err}");
    let err =
        one_line_failure(&run(&["velora", "timeout", "nobody_at_all_here", "60"], &env).await);
    assert!(err.to_lowercase().contains("velora"), "{err}");
    assert_eq!(
        sim.moderation_log().len(),
        3,
        "nothing else was carried out"
    );
    // A timeout of 0 s is refused before sending.
    let requests = sim.request_count();
    one_line_failure(&run(&["velora", "timeout", &line.sender_username, "0"], &env).await);
    assert_eq!(sim.request_count(), requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn platforms_without_a_key_reset_exit_1_in_one_line() {
    // Every platform moderates chat now (tests/cli.rs, tests/cli_twitch.rs); only Velora
    // resets the stream key through its API.
    for platform in ["twitch", "trovo"] {
        let args = ["--demo", platform, "stream-key", "regenerate", "--yes"];
        let err = one_line_failure(&run(&args, &[]).await);
        assert!(err.contains(" has no "), "{args:?}: {err}");
    }
}

// ---------------------------------------------------------------- tokens and sign-in

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_is_refreshed_once_and_the_run_goes_on() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let tokens = sim.streamer_tokens();
    assert!(sim.expire_token(&tokens.access_token));
    let env = env_with(&sim, &tokens);
    let config = config_path("refresh");
    let _ = std::fs::remove_file(&config);
    let issued = sim.issued_secrets().len();
    let v = json(&run_with(&["--json", "velora", "channel"], &env, &config).await);
    assert_eq!(v["id"], sim.streamer().id.as_str());
    assert_eq!(
        sim.issued_secrets().len() - issued,
        2,
        "one refresh: one new access and one new refresh token"
    );
    assert!(!config.exists(), "nothing written to the settings file");
    // The environment's refresh token was single-use and is spent.
    let err = one_line_failure(&run_with(&["velora", "whoami"], &env, &config).await);
    assert!(err.contains("sign in") || err.contains("login"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_sign_in_every_command_says_how_to_sign_in() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let env = vec![
        ("STAGEHAND_VELORA_API", sim.origin()),
        (
            "STAGEHAND_VELORA_CLIENT_ID",
            VeloraSim::CLIENT_ID.to_owned(),
        ),
    ];
    for line in [
        vec!["velora", "whoami"],
        vec!["velora", "channel"],
        vec!["velora", "subscribers"],
        vec!["velora", "chat", "send", "hi"],
        vec!["velora", "stream-key", "show"],
        vec!["velora", "ban", "someone"],
    ] {
        let err = one_line_failure(&run(&line, &env).await);
        assert!(err.contains("stagehand velora login"), "{line:?}: {err}");
    }
    let no_app = one_line_failure(&run(&["velora", "whoami"], &[]).await);
    assert!(no_app.contains("STAGEHAND_VELORA_CLIENT_ID"), "{no_app}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_scope_is_one_clear_line() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let scopes: Vec<&str> = SCOPES_ALL
        .iter()
        .copied()
        .filter(|s| *s != "subscriptions:read")
        .collect();
    let env = env_with(&sim, &sim.issue_tokens(&scopes));
    let err = one_line_failure(&run(&["velora", "subscribers"], &env).await);
    assert!(err.contains("Velora"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn login_prints_the_address_then_who_signed_in_and_remembers_the_client_id() {
    let port = free_port();
    let sim = sim_with(VeloraSimOptions {
        redirect_uri: loopback_redirect_uri(port),
        ..Default::default()
    })
    .await;
    let env = vec![
        ("STAGEHAND_VELORA_API", sim.origin()),
        ("STAGEHAND_VELORA_AUTH_URL", sim.authorize_url()),
        (
            "STAGEHAND_VELORA_CLIENT_ID",
            VeloraSim::CLIENT_ID.to_owned(),
        ),
        (
            "STAGEHAND_VELORA_CLIENT_SECRET",
            VeloraSim::CLIENT_SECRET.to_owned(),
        ),
    ];
    let config = config_path("login");
    let _ = std::fs::remove_file(&config);
    let port_arg = port.to_string();
    let mut child = command(
        &[
            "--json",
            "velora",
            "login",
            "--no-browser",
            "--port",
            &port_arg,
        ],
        &env,
        &config,
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("the binary starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout"));
    let mut address = String::new();
    tokio::time::timeout(Duration::from_secs(20), lines.read_line(&mut address))
        .await
        .expect("the address comes first")
        .expect("a line");
    let url = url::Url::parse(address.trim()).expect("the first line is an address");
    assert!(address.starts_with(&sim.authorize_url()), "{address}");
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let get = |k: &str| {
        query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("code_challenge_method"), Some("S256"));
    assert_eq!(
        get("redirect_uri"),
        Some(loopback_redirect_uri(port).as_str())
    );
    assert_eq!(get("client_id"), Some(VeloraSim::CLIENT_ID));

    let page = approve_velora(&sim.origin(), address.trim()).await;
    assert!(!page.is_empty());
    let mut rest = String::new();
    tokio::time::timeout(Duration::from_secs(30), lines.read_to_string(&mut rest))
        .await
        .expect("the sign-in ends")
        .expect("the rest");
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        e.read_to_string(&mut err).await.expect("stderr");
    }
    let status = child.wait().await.expect("status");
    assert!(status.success(), "stderr: {err}");
    let v: Value = serde_json::from_str(rest.trim()).expect("one JSON document");
    let me = sim.streamer();
    assert_eq!(
        v,
        serde_json::json!({
            "signed_in": true, "id": me.id, "name": me.username, "display_name": me.display_name,
        })
    );
    // No credential store here: one warning line says the sign-in is not kept.
    assert_eq!(err.trim_end().lines().count(), 1, "one warning: {err}");
    assert!(err.contains("lasts only for this process"), "{err}");
    for secret in sim.issued_secrets() {
        assert!(
            !rest.contains(&secret) && !err.contains(&secret),
            "a secret leaked"
        );
    }
    let file = std::fs::read_to_string(&config).expect("the settings file was written");
    assert!(
        !file.contains(VeloraSim::CLIENT_SECRET),
        "the secret stays off the file"
    );
    let file: toml::Value = toml::from_str(&file).expect("TOML");
    assert_eq!(
        file["velora"]["client_id"].as_str(),
        Some(VeloraSim::CLIENT_ID)
    );
    assert_eq!(file["redirect_port"].as_integer(), Some(i64::from(port)));
}

#[tokio::test(flavor = "multi_thread")]
async fn login_on_a_port_already_taken_fails_at_once_in_one_line() {
    let port = free_port();
    let taken = std::net::TcpListener::bind(("127.0.0.1", port)).expect("bind");
    let sim = sim_with(VeloraSimOptions {
        redirect_uri: loopback_redirect_uri(port),
        ..Default::default()
    })
    .await;
    let env = vec![
        ("STAGEHAND_VELORA_API", sim.origin()),
        ("STAGEHAND_VELORA_AUTH_URL", sim.authorize_url()),
        (
            "STAGEHAND_VELORA_CLIENT_ID",
            VeloraSim::CLIENT_ID.to_owned(),
        ),
    ];
    let port_arg = port.to_string();
    let out = run(
        &["velora", "login", "--no-browser", "--port", &port_arg],
        &env,
    )
    .await;
    let err = one_line_failure(&out);
    assert!(err.contains(&port_arg), "{err}");
    drop(taken);
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_succeeds_with_nothing_stored_and_says_velora_cannot_revoke() {
    let v = json(&run(&["--json", "velora", "logout"], &[]).await);
    assert_eq!(v, serde_json::json!({ "signed_out": true }));
    let out = run(&["velora", "logout"], &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("Signed out of Velora"), "{text}");
    assert!(text.contains("no way to revoke"), "{text}");
}

// ---------------------------------------------------------------- --demo

#[tokio::test(flavor = "multi_thread")]
async fn demo_runs_every_command_against_the_built_in_simulator() {
    let c = json(&run(&["velora", "channel", "--demo", "--json"], &[]).await);
    assert!(c["tags"].is_array() && c["audience"].is_null() && c["language"].is_null());
    assert_eq!(c["is_live"], true);
    for (line, key) in [
        (vec!["viewers"], "viewers"),
        (vec!["followers", "--limit", "5"], "followers"),
        (vec!["subscribers"], "subscribers"),
        (vec!["categories", "--limit", "3"], "categories"),
    ] {
        let mut args = vec!["--demo", "--json", "velora"];
        args.extend(line);
        let v = json(&run(&args, &[]).await);
        assert!(
            v[key].as_array().is_some_and(|l| !l.is_empty()),
            "{key}: {v}"
        );
    }
    let set = json(
        &run(
            &[
                "--demo", "--json", "velora", "set", "--title", "Demo", "--tags", "a,b",
            ],
            &[],
        )
        .await,
    );
    assert_eq!(set["title"], "Demo");
    assert_eq!(set["tags"], serde_json::json!(["a", "b"]));
    let sent = json(&run(&["--demo", "--json", "velora", "chat", "send", "hi"], &[]).await);
    assert_eq!(sent["sent"], true);
    let me = json(&run(&["--demo", "--json", "velora", "whoami"], &[]).await);
    assert!(me["name"].is_string());
    let key = json(
        &run(
            &[
                "--demo",
                "--json",
                "velora",
                "stream-key",
                "regenerate",
                "--yes",
            ],
            &[],
        )
        .await,
    );
    assert_eq!(key["regenerated"], true);
    let out = json(&run(&["--demo", "--json", "velora", "logout"], &[]).await);
    assert_eq!(out["signed_out"], true);
}

// ---------------------------------------------------------------- chat follow

#[tokio::test(flavor = "multi_thread")]
async fn chat_follow_prints_new_lines_as_json_objects_and_stops_at_the_count() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let env = stand_in(&sim);
    let history: Vec<String> = sim.chat_log().into_iter().map(|l| l.text).collect();
    let viewer = sim
        .chat_log()
        .into_iter()
        .find(|l| l.sender_id != sim.streamer().id)
        .expect("a viewer who chatted")
        .sender_username;
    let child = command(
        &["--json", "velora", "chat", "follow", "--count", "2"],
        &env,
        &config_path("shared-never-written"),
    )
    .stdout(std::process::Stdio::piped())
    .spawn()
    .expect("the binary runs");
    // Say something until the command has seen two lines; it cannot tell us when it is
    // listening, so the first lines may come before it does.
    let mut said = Vec::new();
    let waiting = child.wait_with_output();
    tokio::pin!(waiting);
    let mut n = 0;
    let out = loop {
        tokio::select! {
            out = &mut waiting => break out.expect("the binary ends"),
            () = tokio::time::sleep(std::time::Duration::from_millis(700)) => {
                n += 1;
                assert!(n < 60, "chat follow never stopped");
                let text = format!("line number {n}");
                sim.say(&viewer, &text).expect("a known user");
                said.push(text);
            }
        }
    };
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    let printed: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(printed.len(), 2, "stops at the count");
    for line in &printed {
        let text = line["text"].as_str().expect("text");
        assert!(said.iter().any(|s| s == text), "a new line: {text}");
        assert!(!history.iter().any(|h| h == text), "not the history");
        assert_eq!(line["platform"], "velora");
        assert_eq!(line["user"]["name"], viewer.as_str());
        assert_eq!(line["kind"], "message");
        assert!(line["id"].as_str().is_some());
        assert!(
            line["at"].as_str().is_some_and(|at| at.ends_with('Z')),
            "{line}"
        );
        assert!(line["reply_to"].is_null());
    }
}
