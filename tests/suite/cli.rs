//! The headless command contract, run as a user would: the real binary, against the
//! simulator started here (as a stand-in server through `STAGEHAND_TROVO_*`) or in-process
//! with `--demo`.

use serde_json::Value;
use stagehand::sim::trovo::{Fault, FaultRule, SimOptions, TrovoSim};
use std::process::Output;

const BIN: &str = env!("CARGO_BIN_EXE_stagehand");

/// Runs the binary with a clean Trovo environment plus `env`.
async fn run(args: &[&str], env: &[(&str, String)]) -> Output {
    let mut cmd = tokio::process::Command::new(BIN);
    // No credential store: only what a test gives counts.
    // No settings file either: one that does not exist, whatever the user's has.
    cmd.args(args)
        .env_remove("RUST_LOG")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env(
            "STAGEHAND_CONFIG",
            std::env::temp_dir().join("stagehand-cli-tests-no-such-dir/config.toml"),
        )
        // A database of this run's own, never the user's.
        .env(
            "STAGEHAND_DATABASE",
            std::env::temp_dir().join(format!(
                "stagehand-cli-tests-{}/db.sqlite3",
                std::process::id()
            )),
        );
    for key in [
        "STAGEHAND_TROVO_API",
        "STAGEHAND_TROVO_CLIENT_ID",
        "STAGEHAND_TROVO_CLIENT_SECRET",
        "STAGEHAND_TROVO_ACCESS_TOKEN",
        "STAGEHAND_TROVO_REFRESH_TOKEN",
    ] {
        cmd.env_remove(key);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().await.expect("the binary runs")
}

fn stand_in(sim: &TrovoSim) -> Vec<(&'static str, String)> {
    crate::common::cli::trovo_env(sim, &sim.streamer_tokens())
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// Exit 1 with exactly one line on stderr and nothing on stdout.
fn one_line_failure(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line on stderr: {err:?}"
    );
    assert!(out.stdout.is_empty());
    err
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_channel_prints_the_contract_s_fields() {
    let out = run(&["--demo", "--json", "trovo", "channel"], &[]).await;
    let v = json(&out);
    for key in [
        "id",
        "name",
        "title",
        "category",
        "language",
        "audience",
        "is_live",
        "viewers",
        "followers",
        "subscribers",
        "tags",
    ] {
        assert!(v.get(key).is_some(), "missing {key} in {v}");
    }
    assert!(v["tags"].is_null(), "Trovo has no tags: {v}");
    assert!(
        v.get("delay").is_some_and(Value::is_null),
        "nor a delay: {v}"
    );
    assert!(v["id"].is_string() && !v["id"].as_str().unwrap_or_default().is_empty());
    assert!(v["category"]["id"].is_string() && v["category"]["name"].is_string());
    assert!(v["viewers"].is_number() && v["followers"].is_number());
    assert!(["all", "13+", "18+"].contains(&v["audience"].as_str().unwrap_or_default()));
}

#[tokio::test(flavor = "multi_thread")]
async fn flags_are_accepted_anywhere_on_the_line() {
    let out = run(&["trovo", "whoami", "--json", "--demo"], &[]).await;
    let v = json(&out);
    assert!(v["id"].is_string() && v["name"].is_string() && v["display_name"].is_string());
    let text = run(&["trovo", "--demo", "whoami"], &[]).await;
    assert!(text.status.success());
    assert!(
        serde_json::from_slice::<Value>(&text.stdout).is_err(),
        "text without --json"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_exit_2() {
    let nothing = run(&["--demo", "trovo", "set"], &[]).await;
    assert_eq!(nothing.status.code(), Some(2), "set with nothing to set");
    let unknown = run(&["--demo", "trovo", "dance"], &[]).await;
    assert_eq!(unknown.status.code(), Some(2));
    let platform = run(&["--demo", "myspace", "channel"], &[]).await;
    assert_eq!(platform.status.code(), Some(2));
    let audience = run(&["--demo", "trovo", "set", "--audience", "21+"], &[]).await;
    assert_eq!(audience.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn set_changes_the_channel_and_prints_it_as_trovo_reports_it() {
    let sim = TrovoSim::start(SimOptions::default()).await.expect("sim");
    let env = stand_in(&sim);
    let cats = json(&run(&["--json", "trovo", "categories", "--limit", "50"], &env).await);
    let category = cats["categories"]
        .as_array()
        .and_then(|list| {
            list.iter()
                .find(|c| c["id"].as_str() != Some(sim.channel().category_id.as_str()))
        })
        .cloned()
        .expect("another category");
    let cat_id = category["id"].as_str().expect("id").to_owned();
    let out = run(
        &[
            "--json",
            "trovo",
            "set",
            "--title",
            "Scripted title",
            "--category",
            &cat_id,
            "--language",
            "fr",
            "--audience",
            "13+",
        ],
        &env,
    )
    .await;
    let v = json(&out);
    assert_eq!(v["title"], "Scripted title");
    assert_eq!(v["category"]["id"], cat_id.as_str());
    assert_eq!(v["category"]["name"], category["name"]);
    assert_eq!(v["language"], "FR");
    assert_eq!(v["audience"], "13+");
    let live = sim.channel();
    assert_eq!(live.title, "Scripted title");
    assert_eq!(live.category_id, cat_id);
    assert_eq!(live.audience, "CHANNEL_AUDIENCE_TYPE_TEEN");
}

#[tokio::test(flavor = "multi_thread")]
async fn set_with_an_unknown_category_fails_in_one_line_and_changes_nothing() {
    let sim = TrovoSim::start(SimOptions::default()).await.expect("sim");
    let before = sim.channel();
    let out = run(
        &["trovo", "set", "--title", "new", "--category", "987654321"],
        &stand_in(&sim),
    )
    .await;
    let err = one_line_failure(&out);
    assert!(err.contains("that category does not exist"), "{err}");
    assert_eq!(sim.channel(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn categories_top_and_search() {
    let sim = TrovoSim::start(SimOptions::default()).await.expect("sim");
    let env = stand_in(&sim);
    let top = json(&run(&["--json", "trovo", "categories", "--limit", "5"], &env).await);
    let list = top["categories"].as_array().expect("a list");
    assert_eq!(list.len(), 5);
    assert_eq!(top["has_more"], true, "--limit cut the top list");
    for c in list {
        assert!(c["id"].is_string() && c["name"].is_string());
        assert!(c.get("short_name").is_some() && c["icon_url"].is_string());
    }
    let all = json(&run(&["--json", "trovo", "categories"], &env).await);
    assert!(all["categories"].as_array().map_or(0, Vec::len) >= 200);
    assert_eq!(all["has_more"], false);
    let name = list[0]["name"].as_str().expect("name").to_owned();
    let found = json(&run(&["--json", "trovo", "categories", &name], &env).await);
    assert!(
        found["categories"]
            .as_array()
            .expect("a list")
            .iter()
            .any(|c| c["name"] == name.as_str())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn viewers_followers_subscribers() {
    let sim = TrovoSim::start(SimOptions {
        viewers: 300,
        followers: 130,
        subscribers: 30,
        ..Default::default()
    })
    .await
    .expect("sim");
    let env = stand_in(&sim);
    let v = json(&run(&["--json", "trovo", "viewers"], &env).await);
    let viewers = v["viewers"].as_array().expect("viewers");
    assert!(v["total"].as_u64().is_some_and(|t| t as usize >= 300));
    assert!(
        v.get("anonymous").is_some_and(Value::is_null),
        "Trovo does not count viewers without a name: {v}"
    );
    assert!(viewers.len() >= 300);
    assert!(
        viewers
            .iter()
            .all(|x| x["name"].is_string() && x["roles"].is_array())
    );
    assert!(
        viewers
            .iter()
            .any(|x| x["roles"].as_array().is_some_and(Vec::is_empty))
    );

    let f = json(&run(&["--json", "trovo", "followers"], &env).await);
    assert_eq!(f["total"], 130);
    assert_eq!(f["followers"].as_array().map(Vec::len), Some(130));
    let some = json(&run(&["--json", "trovo", "followers", "--limit", "3"], &env).await);
    assert_eq!(some["followers"].as_array().map(Vec::len), Some(3));
    assert_eq!(some["total"], 130);
    let first = &some["followers"][0];
    assert!(first["id"].is_string() && first["name"].is_string());
    let when = first["followed_at"].as_str().expect("a time");
    assert!(
        when.ends_with('Z') && when.contains('T'),
        "RFC 3339 UTC: {when}"
    );

    let s = json(&run(&["--json", "trovo", "subscribers"], &env).await);
    assert_eq!(s["total"], 30);
    let subs = s["subscribers"].as_array().expect("subs");
    assert_eq!(subs.len(), 30);
    assert!(
        subs.iter()
            .all(|x| x["tier"].is_string() && x["id"].is_string())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn viewers_and_channel_of_another_channel() {
    let sim = TrovoSim::start(SimOptions::default()).await.expect("sim");
    let env = stand_in(&sim);
    let me = sim.streamer();
    let by_name = json(
        &run(
            &["--json", "trovo", "channel", "--name", &me.username],
            &env,
        )
        .await,
    );
    assert_eq!(by_name["id"], me.channel_id.as_str(), "the id is looked up");
    let by_id = json(
        &run(
            &["--json", "trovo", "channel", "--id", &me.channel_id],
            &env,
        )
        .await,
    );
    assert_eq!(by_id["name"], me.username.as_str());
    let v = json(
        &run(
            &["--json", "trovo", "viewers", "--id", &me.channel_id],
            &env,
        )
        .await,
    );
    assert!(v["viewers"].is_array());
}

#[tokio::test(flavor = "multi_thread")]
async fn chat_send_reaches_the_channel() {
    let sim = TrovoSim::start(SimOptions::default()).await.expect("sim");
    let out = run(
        &[
            "--json",
            "trovo",
            "chat",
            "send",
            "hello from a Stream Deck",
        ],
        &stand_in(&sim),
    )
    .await;
    // Trovo gives a sent line no id.
    assert_eq!(
        json(&out),
        serde_json::json!({ "sent": true, "message_id": null })
    );
    let copies = sim
        .chat_log()
        .iter()
        .filter(|l| l.content == "hello from a Stream Deck")
        .count();
    assert_eq!(copies, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_chat_send_is_reported_once() {
    let sim = TrovoSim::start(SimOptions::default()).await.expect("sim");
    sim.inject(FaultRule::new(Fault::RateLimited { reset_in_secs: 2 }).on_path("chat/send"));
    let out = run(&["trovo", "chat", "send", "not twice"], &stand_in(&sim)).await;
    let err = one_line_failure(&out);
    assert!(err.contains("rate limit"), "{err}");
    assert!(!sim.chat_log().iter().any(|l| l.content == "not twice"));
}

#[tokio::test(flavor = "multi_thread")]
async fn trovo_deletes_times_out_and_bans_from_the_command_line() {
    let sim = TrovoSim::start(SimOptions::default()).await.expect("sim");
    let env = stand_in(&sim);
    let mut plain = sim
        .chatters()
        .into_iter()
        .filter(|c| c.roles.iter().all(|r| r != "mod"));
    let (spammer, other) = (
        plain.next().expect("a viewer"),
        plain.next().expect("another"),
    );
    let message_id = sim
        .say(&spammer.username, "buy followers here")
        .expect("said");

    // The message's author by user id, as a chat line gives it.
    let v = json(
        &run(
            &[
                "--json",
                "trovo",
                "delete-message",
                &spammer.user_id,
                &message_id,
            ],
            &env,
        )
        .await,
    );
    assert_eq!(
        (v["done"].as_bool(), v["action"].as_str()),
        (Some(true), Some("delete_message"))
    );
    let deleted = sim.deletions();
    assert_eq!(deleted.len(), 1);
    assert_eq!(
        (
            deleted[0].message_id.as_str(),
            deleted[0].sender_id.as_str()
        ),
        (message_id.as_str(), spammer.user_id.as_str())
    );

    let v = json(
        &run(
            &["--json", "trovo", "timeout", &spammer.username, "120"],
            &env,
        )
        .await,
    );
    assert_eq!(v["action"], "timeout");
    let v = json(
        &run(
            &["--json", "trovo", "ban", &format!("@{}", other.username)],
            &env,
        )
        .await,
    );
    assert_eq!(v["action"], "ban");
    let bans = sim.bans();
    let until = |id: &str| bans.iter().find(|b| b.user_id == id).map(|b| b.until);
    assert!(
        matches!(until(&spammer.user_id), Some(Some(_))),
        "a timeout ends"
    );
    assert_eq!(until(&other.user_id), Some(None), "a ban is for good");

    // Trovo's refusal, in its words, in one line.
    let err = one_line_failure(&run(&["trovo", "ban", "nobody_at_all_zz"], &env).await);
    assert!(
        err.contains("User \"nobody_at_all_zz\" does not exist."),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_token_means_a_sign_in_line() {
    let sim = TrovoSim::start(SimOptions::default()).await.expect("sim");
    let env = vec![
        ("STAGEHAND_TROVO_API", sim.api_base()),
        ("STAGEHAND_TROVO_CLIENT_ID", TrovoSim::CLIENT_ID.to_owned()),
    ];
    let out = run(&["trovo", "whoami"], &env).await;
    let err = one_line_failure(&out);
    assert!(err.to_lowercase().contains("sign in"), "{err}");
    // Public reads work without a sign-in.
    let cats = run(&["--json", "trovo", "categories", "--limit", "2"], &env).await;
    assert!(cats.status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_http_off_loopback_is_refused_before_connecting() {
    let env = vec![
        (
            "STAGEHAND_TROVO_API",
            "http://203.0.113.7/openplatform".to_owned(),
        ),
        ("STAGEHAND_TROVO_CLIENT_ID", "cid".to_owned()),
    ];
    let out = run(&["trovo", "categories"], &env).await;
    let err = one_line_failure(&out);
    assert!(err.contains("http://"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_page_is_one_clear_line() {
    let sim = TrovoSim::start(SimOptions::default()).await.expect("sim");
    sim.inject(FaultRule::new(Fault::ServerErrorHtml).times(3));
    let out = run(&["trovo", "channel"], &stand_in(&sim)).await;
    let err = one_line_failure(&out);
    assert!(err.contains("502"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_never_reach_the_output() {
    let sim = TrovoSim::start(SimOptions::default()).await.expect("sim");
    let env = stand_in(&sim);
    let secrets: Vec<String> = env
        .iter()
        .filter(|(k, _)| k.contains("TOKEN") || k.contains("SECRET"))
        .map(|(_, v)| v.clone())
        .collect();
    sim.inject(FaultRule::new(Fault::ExpiredToken).on_path("/channel"));
    let outputs = [
        run(&["--json", "trovo", "channel"], &env).await,
        run(&["trovo", "channel"], &env).await,
        run(&["trovo", "set", "--category", "0"], &env).await,
    ];
    let mut with_logs = env.clone();
    with_logs.push(("RUST_LOG", "debug".to_owned()));
    let logged = run(&["trovo", "whoami"], &with_logs).await;
    for out in outputs.iter().chain([&logged]) {
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for s in &secrets {
            assert!(!all.contains(s.as_str()), "a secret leaked into the output");
        }
    }
    assert!(!logged.stderr.is_empty(), "RUST_LOG turns logs on");
}

/// What Trovo lacks is refused in one line before anything is sent, never dropped.
#[tokio::test(flavor = "multi_thread")]
async fn options_trovo_lacks_exit_1_and_send_nothing() {
    let sim = TrovoSim::start(SimOptions::default()).await.expect("sim");
    let env = stand_in(&sim);
    let before = sim.channel();
    let cases: [(&[&str], &str); 5] = [
        (
            &["set", "--title", "new", "--tags", "a,b"],
            "Trovo has no tags",
        ),
        (&["set", "--tags", ""], "Trovo has no tags"),
        (
            &["set", "--title", "new", "--delay", "5"],
            "Trovo has no broadcast delay",
        ),
        (&["editors"], "Trovo has no channel editors"),
        (
            &["commercial", "--length", "30"],
            "Trovo has no commercials",
        ),
    ];
    for (args, says) in cases {
        let requests = sim.request_count();
        let mut line = vec!["trovo"];
        line.extend_from_slice(args);
        let err = one_line_failure(&run(&line, &env).await);
        assert!(err.contains(says), "{args:?}: {err}");
        assert_eq!(sim.request_count(), requests, "{args:?} reached Trovo");
    }
    let err = one_line_failure(&run(&["trovo", "teams"], &env).await);
    assert!(err.contains("Trovo has no teams"), "{err}");
    assert_eq!(sim.channel(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chat_line_over_trovo_s_limit_is_refused_before_sending() {
    let sim = TrovoSim::start(SimOptions::default()).await.expect("sim");
    let requests = sim.request_count();
    let long = "x".repeat(301);
    let err = one_line_failure(&run(&["trovo", "chat", "send", &long], &stand_in(&sim)).await);
    assert!(err.contains("300") && err.contains("301"), "{err}");
    assert_eq!(sim.request_count(), requests, "nothing reached Trovo");
    assert!(!sim.chat_log().iter().any(|l| l.content == long));
}

#[tokio::test]
async fn help_lists_every_registered_platform_by_its_slug() {
    let out = run(&["--help"], &[]).await;
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for platform in stagehand::model::PlatformId::ALL {
        let words = format!(
            "{} {platform} ({}).",
            platform.slug(),
            platform.entry().website()
        );
        let listed = text
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>().join(" ") == words);
        assert!(listed, "{words:?} in:\n{text}");
    }
}
