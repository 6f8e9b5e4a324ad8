//! The headless command contract for Twitch, run as a user would: the real binary against
//! the Twitch simulator started here (a stand-in server through `STAGEHAND_TWITCH_*`), with
//! a settings file of its own and no credential store, or in-process with `--demo`.

use crate::common;

use common::cli::{command, run_with};
use common::sims::sim_with;
use serde_json::Value;
use stagehand::sim::twitch::{
    BroadcasterType, Fault, FaultRule, SCOPES_ALL, SimTokens, TwitchSim, TwitchSimOptions,
};
use std::collections::HashSet;
use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

/// A settings file no other test uses (it need not exist).
fn config_path(tag: &str) -> PathBuf {
    common::cli::config_path("cli-twitch", tag)
}

async fn run(args: &[&str], env: &[(&str, String)]) -> Output {
    run_with(args, env, &config_path("shared-never-written")).await
}

/// The simulator as a stand-in for Twitch, signed in with `tokens`. Both base URLs carry a
/// trailing slash, which must be tolerated.
fn env_with(sim: &TwitchSim, tokens: &SimTokens) -> Vec<(&'static str, String)> {
    common::cli::twitch_env(sim, tokens)
}

fn stand_in(sim: &TwitchSim) -> Vec<(&'static str, String)> {
    env_with(sim, &sim.streamer_tokens())
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
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
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
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    err
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|x| x["name"].as_str().expect("a name").to_owned())
        .collect()
}

fn assert_rfc3339_utc(v: &Value) {
    let s = v.as_str().unwrap_or_else(|| panic!("a time: {v}"));
    assert!(s.ends_with('Z') && s.contains('T'), "RFC 3339 UTC: {s}");
}

// ---------------------------------------------------------------- channel

#[tokio::test(flavor = "multi_thread")]
async fn channel_prints_the_contract_s_fields_with_tags_and_no_audience() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let v = json(&run(&["--json", "twitch", "channel"], &stand_in(&sim)).await);
    let me = sim.streamer();
    let live = sim.channel();
    assert_eq!(v["id"], me.user_id.as_str());
    assert_eq!(v["name"], me.login.as_str(), "name is the login");
    assert_eq!(v["display_name"], me.display_name.as_str());
    assert_eq!(v["title"], live.title.as_str());
    assert_eq!(v["category"]["id"], live.game_id.as_str());
    assert_eq!(v["category"]["name"], live.game_name.as_str());
    assert_eq!(v["language"], live.language.as_str());
    assert!(v.get("audience").is_some_and(Value::is_null), "{v}");
    assert_eq!(v["tags"], serde_json::json!(live.tags));
    assert_eq!(v["delay"], live.delay);
    assert_eq!(v["is_live"], true);
    assert!(v["viewers"].is_number() && v["followers"].is_number());
    assert_eq!(
        v["subscribers"], 40,
        "the own channel counts its subscribers"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn channel_by_name_and_by_id_of_another_channel() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let env = stand_in(&sim);
    let other = sim.viewer_user();
    let by_name = json(
        &run(
            &["--json", "twitch", "channel", "--name", &other.login],
            &env,
        )
        .await,
    );
    assert_eq!(by_name["id"], other.user_id.as_str(), "the id is looked up");
    assert_eq!(by_name["is_live"], false);
    assert!(by_name["tags"].is_array());
    assert!(
        by_name["subscribers"].is_null(),
        "another channel's subscribers are not ours to count"
    );
    let by_id = json(
        &run(
            &["--json", "twitch", "channel", "--id", &other.user_id],
            &env,
        )
        .await,
    );
    assert_eq!(by_id["name"], other.login.as_str());
    let missing = run(&["twitch", "channel", "--name", "nosuchloginatall"], &env).await;
    let err = one_line_failure(&missing);
    assert!(err.contains("nosuchloginatall"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn text_output_is_for_people() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let out = run(&["twitch", "channel"], &stand_in(&sim)).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(serde_json::from_str::<Value>(&text).is_err());
    assert!(text.contains("tags:") && text.contains("delay:"), "{text}");
    assert!(!text.contains("audience"), "Twitch has none: {text}");
}

// ---------------------------------------------------------------- set

#[tokio::test(flavor = "multi_thread")]
async fn set_changes_every_field_and_prints_the_channel_read_back() {
    let sim = sim_with(TwitchSimOptions {
        broadcaster_type: BroadcasterType::Partner,
        ..Default::default()
    })
    .await;
    let env = stand_in(&sim);
    let cats = json(&run(&["--json", "twitch", "categories", "--limit", "20"], &env).await);
    let category = cats["categories"]
        .as_array()
        .and_then(|l| {
            l.iter()
                .find(|c| c["id"].as_str() != Some(sim.channel().game_id.as_str()))
        })
        .cloned()
        .expect("another category");
    let cat_id = category["id"].as_str().expect("id").to_owned();
    let v = json(
        &run(
            &[
                "--json",
                "twitch",
                "set",
                "--title",
                "Scripted title",
                "--category",
                &cat_id,
                "--language",
                "FR",
                "--tags",
                "Speedrun, Français",
                "--delay",
                "5",
            ],
            &env,
        )
        .await,
    );
    assert_eq!(v["title"], "Scripted title");
    assert_eq!(v["category"]["id"], cat_id.as_str());
    assert_eq!(v["category"]["name"], category["name"], "read back, named");
    assert_eq!(v["language"], "fr");
    assert_eq!(v["tags"], serde_json::json!(["Speedrun", "Français"]));
    assert_eq!(v["delay"], 5);
    let live = sim.channel();
    assert_eq!(live.title, "Scripted title");
    assert_eq!(live.game_id, cat_id);
    assert_eq!(live.language, "fr");
    assert_eq!(live.tags, ["Speedrun", "Français"]);
    assert_eq!(live.delay, 5);

    let cleared = json(&run(&["--json", "twitch", "set", "--tags", ""], &env).await);
    assert_eq!(cleared["tags"], serde_json::json!([]));
    assert!(
        sim.channel().tags.is_empty(),
        "an empty list clears the tags"
    );
    assert_eq!(
        sim.channel().title,
        "Scripted title",
        "nothing else changed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn set_refusals_exit_1_in_one_line_and_change_nothing() {
    // An affiliate: not a partner, so no delay.
    let sim = sim_with(TwitchSimOptions::default()).await;
    let env = stand_in(&sim);
    let before = sim.channel();
    let cases: [(&[&str], &str); 5] = [
        (&["--title", ""], "title must not be empty"),
        (&["--title", "new", "--delay", "30"], "partner"),
        (&["--title", "new", "--audience", "13+"], "no audience"),
        (&["--tags", "two words"], "space"),
        (&["--tags", "a,b,c,d,e,f,g,h,i,j,k"], "at most 10 tags"),
    ];
    for (args, says) in cases {
        let mut line = vec!["twitch", "set"];
        line.extend_from_slice(args);
        let err = one_line_failure(&run(&line, &env).await);
        assert!(err.contains(says), "{args:?}: {err}");
        assert_eq!(sim.channel(), before, "{args:?} changed the channel");
    }
    let usage = run(&["twitch", "set"], &env).await;
    assert_eq!(usage.status.code(), Some(2), "set with nothing to set");
}

// ---------------------------------------------------------------- categories

#[tokio::test(flavor = "multi_thread")]
async fn categories_top_and_search() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let env = stand_in(&sim);
    let top = json(&run(&["--json", "twitch", "categories", "--limit", "5"], &env).await);
    let list = top["categories"].as_array().expect("a list");
    assert_eq!(list.len(), 5);
    assert_eq!(top["has_more"], true, "--limit cut the top list");
    for c in list {
        assert!(c["id"].is_string() && c["name"].is_string());
        assert!(c.get("short_name").is_some_and(Value::is_null), "{c}");
        let icon = c["icon_url"].as_str().expect("box art");
        assert!(icon.contains("54x72"), "sized for the picker: {icon}");
    }
    let name = list[0]["name"].as_str().expect("name").to_owned();
    let found = json(&run(&["--json", "twitch", "categories", &name], &env).await);
    assert!(
        found["categories"]
            .as_array()
            .expect("a list")
            .iter()
            .any(|c| c["name"] == name.as_str()),
        "{found}"
    );
}

// ---------------------------------------------------------------- people

#[tokio::test(flavor = "multi_thread")]
async fn viewers_are_the_chatters_with_roles_and_the_broadcaster() {
    let sim = sim_with(TwitchSimOptions {
        chatters: 90,
        ..Default::default()
    })
    .await;
    let v = json(&run(&["--json", "twitch", "viewers"], &stand_in(&sim)).await);
    assert_eq!(v["total"], 90, "Twitch's count of chatters");
    assert!(v.get("anonymous").is_some_and(Value::is_null), "{v}");
    let list = v["viewers"].as_array().expect("viewers");
    let all = names(&v["viewers"]);
    assert_eq!(all.len(), 90);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 90, "each once");
    let roles = |x: &Value| -> Vec<String> {
        x["roles"]
            .as_array()
            .expect("roles")
            .iter()
            .map(|r| r.as_str().expect("a role").to_owned())
            .collect()
    };
    let me = sim.streamer().login;
    let broadcaster = list
        .iter()
        .find(|x| x["name"] == me.as_str())
        .expect("the broadcaster is listed");
    assert!(roles(broadcaster).contains(&"moderator".to_owned()));
    let others = list.iter().filter(|x| x["name"] != me.as_str());
    let (mut mods, mut vips, mut plain) = (0, 0, 0);
    for x in others {
        let r = roles(x);
        mods += usize::from(r.contains(&"moderator".to_owned()));
        vips += usize::from(r.contains(&"vip".to_owned()));
        plain += usize::from(r.is_empty());
    }
    assert!(
        mods >= 2 && vips == 3 && plain > 50,
        "{mods} {vips} {plain}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn followers_all_pages_or_a_limit_with_twitch_s_total() {
    let sim = sim_with(TwitchSimOptions {
        followers: 230,
        ..Default::default()
    })
    .await;
    let env = stand_in(&sim);
    let f = json(&run(&["--json", "twitch", "followers"], &env).await);
    assert_eq!(f["total"], 230);
    let all = names(&f["followers"]);
    assert_eq!(all.len(), 230, "three pages");
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 230);
    let some = json(&run(&["--json", "twitch", "followers", "--limit", "3"], &env).await);
    assert_eq!(some["total"], 230);
    assert_eq!(some["followers"].as_array().map(Vec::len), Some(3));
    let first = &some["followers"][0];
    assert!(first["id"].is_string());
    assert_eq!(first["name"], all[0].as_str(), "newest first");
    assert_rfc3339_utc(&first["followed_at"]);
}

/// A first page that overlaps the second (followers arriving between the two reads): the
/// names both carry are listed once.
#[tokio::test(flavor = "multi_thread")]
async fn followers_two_pages_both_carry_are_listed_once() {
    let sim = sim_with(TwitchSimOptions {
        followers: 150,
        ..Default::default()
    })
    .await;
    let env = stand_in(&sim);
    let real = json(&run(&["--json", "twitch", "followers"], &env).await);
    let list = real["followers"].as_array().expect("a list").clone();
    assert_eq!(list.len(), 150);
    // Twitch's own cursor for "after the newest 90": the second page then starts at the
    // 91st follower, while the page faked below carries the newest 100.
    let tokens = sim.streamer_tokens();
    let page: Value = reqwest::Client::new()
        .get(format!("{}/channels/followers", sim.helix_base()))
        .query(&[
            ("broadcaster_id", sim.streamer().user_id.as_str()),
            ("first", "90"),
        ])
        .header("Client-Id", TwitchSim::CLIENT_ID)
        .bearer_auth(&tokens.access_token)
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("JSON");
    let cursor = page["pagination"]["cursor"].as_str().expect("a cursor");
    // A follower only the faked page carries, to prove the fake was read.
    let phantom = serde_json::json!({
        "user_id": "999999001", "user_login": "phantomfollower", "user_name": "PhantomFollower",
        "followed_at": list[0]["followed_at"],
    });
    let data: Vec<Value> = std::iter::once(phantom)
        .chain(list[..100].iter().map(|f| {
            serde_json::json!({
                "user_id": f["id"], "user_login": f["name"], "user_name": f["name"],
                "followed_at": f["followed_at"],
            })
        }))
        .collect();
    let body = serde_json::json!({"total": 151, "data": data, "pagination": {"cursor": cursor}});
    sim.inject(
        FaultRule::new(Fault::Raw {
            http: 200,
            content_type: "application/json".into(),
            body: body.to_string(),
        })
        .on_path("channels/followers"),
    );
    let f = json(&run(&["--json", "twitch", "followers"], &env).await);
    let got = names(&f["followers"]);
    assert_eq!(got[0], "phantomfollower", "the faked first page was read");
    assert_eq!(got.len(), 151, "ten followers were on both pages: {got:?}");
    assert_eq!(got[1..], names(&real["followers"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn subscribers_carry_twitch_s_tier_strings() {
    let sim = sim_with(TwitchSimOptions {
        subscribers: 130,
        ..Default::default()
    })
    .await;
    let s = json(&run(&["--json", "twitch", "subscribers"], &stand_in(&sim)).await);
    assert_eq!(s["total"], 130);
    let subs = s["subscribers"].as_array().expect("subscribers");
    assert_eq!(subs.len(), 130, "two pages");
    for x in subs {
        assert!(x["id"].is_string() && x["name"].is_string(), "{x}");
        assert!(
            ["1000", "2000", "3000"].contains(&x["tier"].as_str().unwrap_or_default()),
            "{x}"
        );
        assert!(
            x.get("since").is_some_and(Value::is_null),
            "Twitch does not say"
        );
    }
}

// ---------------------------------------------------------------- chat

#[tokio::test(flavor = "multi_thread")]
async fn chat_send_reaches_the_channel_once() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let out = run(
        &[
            "--json", "twitch", "chat", "send", "hello", "from", "a", "deck",
        ],
        &stand_in(&sim),
    )
    .await;
    let v = json(&out);
    assert_eq!(v["sent"], true);
    assert!(
        v["message_id"].as_str().is_some_and(|id| !id.is_empty()),
        "Twitch's message id: {v}"
    );
    let copies = sim
        .chat_log()
        .iter()
        .filter(|l| l.text == "hello from a deck")
        .count();
    assert_eq!(copies, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn timeout_ban_and_delete_message_work_by_login_or_numeric_id() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let env = stand_in(&sim);
    let viewer = sim.viewer_user();
    let said = sim.say(&viewer.login, "delete me").expect("said");
    let v = json(
        &run(
            &["--json", "twitch", "delete-message", &viewer.login, &said],
            &env,
        )
        .await,
    );
    assert_eq!(v["action"], "delete_message");
    assert!(
        sim.chat_log()
            .iter()
            .any(|l| l.message_id == said && l.deleted),
        "Twitch deleted it"
    );
    let v = json(&run(&["--json", "twitch", "timeout", &viewer.login, "60"], &env).await);
    assert_eq!(v["action"], "timeout");
    assert!(sim.is_banned(&viewer.user_id));
    // A numeric id (Twitch's ids are numbers) works where a login would.
    let v = json(&run(&["--json", "twitch", "ban", &viewer.user_id], &env).await);
    assert_eq!(v["action"], "ban");
    let err = one_line_failure(&run(&["twitch", "ban", &viewer.user_id], &env).await);
    assert!(err.contains("already banned"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_over_500_characters_is_refused_before_sending() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let env = stand_in(&sim);
    let before = sim.request_count();
    let long = "é".repeat(501);
    let err = one_line_failure(&run(&["twitch", "chat", "send", &long], &env).await);
    assert!(err.contains("500") && err.contains("501"), "{err}");
    assert_eq!(sim.request_count(), before, "nothing reached Twitch");
    let exactly = "é".repeat(500);
    let out = run(&["twitch", "chat", "send", &exactly], &env).await;
    assert!(out.status.success(), "500 is allowed: {}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_message_exits_1_with_twitch_s_drop_reason() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let out = run(
        &["twitch", "chat", "send", "this has a blockedterm in it"],
        &stand_in(&sim),
    )
    .await;
    let err = one_line_failure(&out);
    assert!(
        err.contains("conflicts with the channel's moderation settings"),
        "{err}"
    );
    assert!(
        !sim.chat_log()
            .iter()
            .any(|l| l.text.contains("blockedterm"))
    );
}

// ---------------------------------------------------------------- account, editors, teams, commercials

#[tokio::test(flavor = "multi_thread")]
async fn whoami_editors_and_teams() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let env = stand_in(&sim);
    let me = json(&run(&["--json", "twitch", "whoami"], &env).await);
    let streamer = sim.streamer();
    assert_eq!(
        me,
        serde_json::json!({
            "id": streamer.user_id, "name": streamer.login, "display_name": streamer.display_name,
        })
    );

    let e = json(&run(&["--json", "twitch", "editors"], &env).await);
    let editors = e["editors"].as_array().expect("editors");
    assert_eq!(editors.len(), 2, "{e}");
    let viewer = sim.viewer_user();
    let second = editors
        .iter()
        .find(|x| x["id"] == viewer.user_id.as_str())
        .expect("the viewer account edits");
    assert_eq!(second["name"], viewer.login.as_str(), "name is the login");
    assert_eq!(second["display_name"], viewer.display_name.as_str());
    assert_rfc3339_utc(&second["since"]);

    let t = json(&run(&["--json", "twitch", "teams"], &env).await);
    let teams = t["teams"].as_array().expect("teams");
    assert_eq!(names(&t["teams"]), ["cozystreamers", "pixelcollective"]);
    assert_eq!(teams[1]["display_name"], "Pixel Collective ✦");
    assert!(teams[0]["id"].is_string() && teams[0].get("info").is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn videos_newest_first_with_lengths_in_seconds_or_a_limit() {
    let sim = sim_with(TwitchSimOptions {
        videos: 130,
        ..TwitchSimOptions::default()
    })
    .await;
    let env = stand_in(&sim);
    let v = json(&run(&["--json", "twitch", "videos"], &env).await);
    let list = v["videos"].as_array().expect("videos");
    // Every page: 130 finished and the broadcast being recorded.
    assert_eq!(list.len(), 131, "{v}");
    let keys: HashSet<&str> = list[0]
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        HashSet::from([
            "id",
            "title",
            "url",
            "created_at",
            "duration",
            "view_count",
            "kind",
            "thumbnail_url",
        ])
    );
    // The live archive, an hour in: seconds, no thumbnail yet.
    assert_eq!(list[0]["kind"], "archive");
    let so_far = list[0]["duration"].as_u64().expect("seconds");
    assert!((3_590..3_700).contains(&so_far), "{so_far}");
    assert!(list[0]["thumbnail_url"].is_null());
    for x in list {
        assert!(x["id"].is_string() && x["view_count"].is_u64() && x["duration"].is_u64());
        assert_rfc3339_utc(&x["created_at"]);
        assert!(
            ["archive", "highlight", "upload"].contains(&x["kind"].as_str().expect("kind")),
            "{x}"
        );
    }
    let thumb = list[1]["thumbnail_url"].as_str().expect("a thumbnail");
    assert!(thumb.ends_with("-320x180.jpg"), "{thumb}");
    let dates: Vec<&str> = list
        .iter()
        .map(|x| x["created_at"].as_str().expect("a time"))
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");

    let three = json(&run(&["--json", "twitch", "videos", "--limit", "3"], &env).await);
    let ids = |l: &Value| -> Vec<String> {
        l.as_array()
            .expect("a list")
            .iter()
            .map(|x| x["id"].as_str().expect("an id").to_owned())
            .collect()
    };
    assert_eq!(ids(&three["videos"]), ids(&v["videos"])[..3].to_vec());

    let text = run(&["twitch", "videos", "--limit", "2"], &env).await;
    assert!(
        text.status.success(),
        "{:?}, stderr: {}",
        text.status,
        stderr(&text)
    );
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(lines[0], "2 videos");
    assert!(lines[1].contains("\tarchive\t1:0"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn videos_on_trovo_exit_1_in_one_line_and_send_nothing() {
    use stagehand::sim::trovo::{SimOptions, TrovoSim};
    let trovo = TrovoSim::start(SimOptions::default())
        .await
        .expect("Trovo simulator");
    let t = trovo.streamer_tokens();
    let env = vec![
        ("STAGEHAND_TROVO_API", trovo.api_base()),
        ("STAGEHAND_TROVO_CLIENT_ID", TrovoSim::CLIENT_ID.to_owned()),
        (
            "STAGEHAND_TROVO_CLIENT_SECRET",
            TrovoSim::CLIENT_SECRET.to_owned(),
        ),
        ("STAGEHAND_TROVO_ACCESS_TOKEN", t.access_token),
        ("STAGEHAND_TROVO_REFRESH_TOKEN", t.refresh_token),
    ];
    let before = trovo.request_count();
    for line in [
        vec!["trovo", "videos"],
        vec!["--json", "trovo", "videos", "--limit", "5"],
    ] {
        let err = one_line_failure(&run(&line, &env).await);
        assert!(err.contains("Trovo has no video list"), "{line:?}: {err}");
    }
    assert_eq!(trovo.request_count(), before, "nothing reached Trovo");
    let demo = one_line_failure(&run(&["--demo", "trovo", "videos"], &[]).await);
    assert!(demo.contains("Trovo has no video list"), "{demo}");
}

#[tokio::test(flavor = "multi_thread")]
async fn commercial_starts_once_then_reports_the_cooldown() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let env = stand_in(&sim);
    let short = one_line_failure(&run(&["twitch", "commercial", "--length", "10"], &env).await);
    assert!(short.contains("30 to 180"), "{short}");
    let c = json(&run(&["--json", "twitch", "commercial", "--length", "60"], &env).await);
    assert_eq!(c["length"], 60);
    assert!(c["retry_after"].as_u64().is_some_and(|s| s > 0), "{c}");
    assert!(c.get("message").is_some());
    let again = one_line_failure(&run(&["twitch", "commercial", "--length", "60"], &env).await);
    assert!(!again.is_empty());
    let usage = run(&["twitch", "commercial"], &env).await;
    assert_eq!(usage.status.code(), Some(2), "--length is needed");
}

#[tokio::test(flavor = "multi_thread")]
async fn commercial_on_an_offline_channel_is_refused() {
    let sim = sim_with(TwitchSimOptions {
        live: false,
        ..Default::default()
    })
    .await;
    let err =
        one_line_failure(&run(&["twitch", "commercial", "--length", "30"], &stand_in(&sim)).await);
    assert!(err.contains("live"), "{err}");
}

// ---------------------------------------------------------------- sign-in and configuration

#[tokio::test(flavor = "multi_thread")]
async fn without_a_sign_in_every_command_says_to_sign_in() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let env = vec![
        ("STAGEHAND_TWITCH_API", sim.helix_base()),
        ("STAGEHAND_TWITCH_AUTH", sim.auth_origin()),
        (
            "STAGEHAND_TWITCH_CLIENT_ID",
            TwitchSim::CLIENT_ID.to_owned(),
        ),
    ];
    for line in [
        vec!["twitch", "whoami"],
        vec!["twitch", "channel"],
        vec!["twitch", "editors"],
        vec!["twitch", "videos"],
        vec!["twitch", "chat", "send", "hi"],
    ] {
        let err = one_line_failure(&run(&line, &env).await);
        assert!(err.contains("sign in"), "{line:?}: {err}");
        assert!(err.contains("stagehand twitch login"), "{err}");
    }
    let no_app = one_line_failure(&run(&["twitch", "whoami"], &[]).await);
    assert!(no_app.contains("STAGEHAND_TWITCH_CLIENT_ID"), "{no_app}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_is_refreshed_once_and_the_new_pair_lives_in_memory_for_the_run() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let tokens = sim.streamer_tokens();
    assert!(sim.expire_token(&tokens.access_token));
    let env = env_with(&sim, &tokens);
    let config = config_path("refresh");
    let _ = std::fs::remove_file(&config);
    let id_calls = sim.auth_request_count();
    // `channel` makes several calls at once; the single-use refresh token is spent once and
    // every call goes on with the new pair.
    let v = json(&run_with(&["--json", "twitch", "channel"], &env, &config).await);
    assert_eq!(v["id"], sim.streamer().user_id.as_str());
    assert_eq!(sim.auth_request_count() - id_calls, 1, "one refresh");
    assert!(!config.exists(), "nothing written to the settings file");
    // The environment's refresh token is spent and the new pair was not kept anywhere:
    // the next run with the same environment must sign in again.
    let err = one_line_failure(&run_with(&["twitch", "whoami"], &env, &config).await);
    assert!(err.contains("sign in"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn scopes_missing_from_the_sign_in_are_one_clear_line() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let scopes: Vec<&str> = SCOPES_ALL
        .iter()
        .copied()
        .filter(|s| *s != "channel:read:subscriptions")
        .collect();
    let env = env_with(&sim, &sim.issue_tokens(&scopes));
    let err = one_line_failure(&run(&["twitch", "subscribers"], &env).await);
    assert!(err.to_lowercase().contains("twitch"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn device_login_prints_the_address_and_code_then_who_signed_in() {
    let sim = sim_with(TwitchSimOptions {
        device_interval: Duration::from_millis(300),
        ..Default::default()
    })
    .await;
    let env = vec![
        ("STAGEHAND_TWITCH_API", sim.helix_base()),
        ("STAGEHAND_TWITCH_AUTH", format!("{}/", sim.auth_origin())),
        (
            "STAGEHAND_TWITCH_CLIENT_ID",
            TwitchSim::CLIENT_ID.to_owned(),
        ),
    ];
    let config = config_path("login");
    let _ = std::fs::remove_file(&config);
    let mut child = command(
        &["--json", "twitch", "login", "--no-browser"],
        &env,
        &config,
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("the binary starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout"));
    let mut address = String::new();
    let mut code_line = String::new();
    for line in [&mut address, &mut code_line] {
        tokio::time::timeout(Duration::from_secs(20), lines.read_line(line))
            .await
            .expect("the address and code come first")
            .expect("a line");
    }
    assert!(
        address.trim().starts_with(&sim.auth_origin()),
        "the verification page: {address}"
    );
    let code = code_line
        .trim()
        .strip_prefix("Enter the code ")
        .unwrap_or_else(|| panic!("the code line: {code_line:?}"))
        .to_owned();
    // Not yet confirmed: the command keeps polling.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(sim.approve_device(&code), "a pending grant with this code");
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
            "signed_in": true, "id": me.user_id, "name": me.login, "display_name": me.display_name,
        })
    );
    assert_eq!(err.trim_end().lines().count(), 1, "one warning: {err}");
    assert!(err.contains("lasts only for this process"), "{err}");
    let file = std::fs::read_to_string(&config).expect("the settings file was written");
    let file: toml::Value = toml::from_str(&file).expect("TOML");
    assert_eq!(
        file["twitch"]["client_id"].as_str(),
        Some(TwitchSim::CLIENT_ID)
    );
    assert!(file.get("redirect_port").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn login_takes_no_redirect_port() {
    let err = one_line_failure(&run(&["twitch", "login", "--port", "9000"], &[]).await);
    assert!(err.contains("--port"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_revokes_and_succeeds_with_nothing_stored() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let env = stand_in(&sim);
    assert!(run(&["twitch", "whoami"], &env).await.status.success());
    let out = run(&["--json", "twitch", "logout"], &env).await;
    assert_eq!(json(&out), serde_json::json!({ "signed_out": true }));
    let err = one_line_failure(&run(&["twitch", "whoami"], &env).await);
    assert!(err.contains("sign in"), "the token was revoked: {err}");
    let nothing = run(&["twitch", "logout"], &[]).await;
    assert!(nothing.status.success(), "{}", stderr(&nothing));
}

// ---------------------------------------------------------------- --demo

#[tokio::test(flavor = "multi_thread")]
async fn demo_runs_every_read_against_the_built_in_simulator() {
    let c = json(&run(&["twitch", "channel", "--demo", "--json"], &[]).await);
    assert!(c["tags"].is_array() && c["audience"].is_null());
    assert_eq!(c["is_live"], true);
    for (line, key) in [
        (vec!["viewers"], "viewers"),
        (vec!["followers", "--limit", "5"], "followers"),
        (vec!["subscribers"], "subscribers"),
        (vec!["editors"], "editors"),
        (vec!["teams"], "teams"),
        (vec!["videos", "--limit", "4"], "videos"),
        (vec!["categories", "--limit", "3"], "categories"),
    ] {
        let mut args = vec!["--demo", "--json", "twitch"];
        args.extend(line);
        let v = json(&run(&args, &[]).await);
        assert!(
            v[key].as_array().is_some_and(|l| !l.is_empty()),
            "{key}: {v}"
        );
    }
    // The demo channel is a partner's: a delay can be set.
    let set = json(&run(&["--demo", "--json", "twitch", "set", "--delay", "3"], &[]).await);
    assert_eq!(set["delay"], 3);
    let sent = json(&run(&["--demo", "--json", "twitch", "chat", "send", "hi"], &[]).await);
    assert_eq!(sent["sent"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_never_reach_the_output_even_with_trace_logs() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let tokens = sim.streamer_tokens();
    assert!(sim.expire_token(&tokens.access_token));
    let mut env = env_with(&sim, &tokens);
    env.push(("RUST_LOG", "trace".to_owned()));
    let out = run(&["--json", "twitch", "whoami"], &env).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!out.stderr.is_empty(), "RUST_LOG turns logs on");
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    for secret in [&tokens.access_token, &tokens.refresh_token] {
        assert!(!all.contains(secret.as_str()), "a token leaked");
    }
}
