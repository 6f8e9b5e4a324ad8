//! The commands across platforms, run as a script would: the real binary against the
//! three simulators started here (stand-ins through `STAGEHAND_<PLATFORM>_*`), each read
//! back; a fault on one platform leaves the others applied. Presets and history live in
//! the test's own database and outlast the run that wrote them.

use crate::common;

use common::cli::{config_path, run_with, trovo_env, twitch_env, velora_env};
use common::sims::sim_with;
use serde_json::Value;
use stagehand::sim::trovo::{SimOptions, TrovoSim};
use stagehand::sim::twitch::{
    Fault as TwitchFault, FaultRule as TwitchRule, TwitchSim, TwitchSimOptions,
};
use stagehand::sim::velora::{Fault, FaultRule, VeloraSim, VeloraSimOptions};
use std::path::PathBuf;
use std::process::Output;

/// The three simulators, and the environment that points the binary at them.
struct World {
    trovo: TrovoSim,
    twitch: TwitchSim,
    velora: VeloraSim,
    env: Vec<(&'static str, String)>,
    config: PathBuf,
}

async fn world(tag: &str) -> World {
    let trovo = sim_with(SimOptions::default()).await;
    let twitch = sim_with(TwitchSimOptions::default()).await;
    let velora = sim_with(VeloraSimOptions::default()).await;
    let mut env = trovo_env(&trovo, &trovo.streamer_tokens());
    env.extend(twitch_env(&twitch, &twitch.streamer_tokens()));
    env.extend(velora_env(&velora, &velora.streamer_tokens()));
    let config = config_path("all", tag);
    let _ = std::fs::remove_dir_all(config.parent().expect("a folder"));
    World {
        trovo,
        twitch,
        velora,
        env,
        config,
    }
}

impl World {
    async fn run(&self, args: &[&str]) -> Output {
        run_with(args, &self.env, &self.config).await
    }
}

impl Drop for World {
    fn drop(&mut self) {
        if let Some(dir) = self.config.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Fails with the command's stderr unless it exited 0.
fn succeeded(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}): {} / stderr: {}",
            stdout(out),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn result<'a>(v: &'a Value, platform: &str) -> &'a Value {
    v["results"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["platform"] == platform))
        .unwrap_or_else(|| panic!("no result for {platform}: {v}"))
}

#[tokio::test]
async fn one_title_and_one_game_reach_every_platform_each_in_its_own_category() {
    let w = world("set").await;
    let out = w
        .run(&[
            "--json",
            "all",
            "set",
            "--title",
            "Into the Underworld",
            "--category",
            "Hades II",
        ])
        .await;
    succeeded(&out);
    let v = json(&out);
    assert_eq!(v["results"].as_array().map(Vec::len), Some(3), "{v}");
    for platform in ["trovo", "twitch", "velora"] {
        let r = result(&v, platform);
        assert_eq!(r["ok"], true, "{r}");
        assert_eq!(r["error"], Value::Null);
    }
    // Read back from each platform: the title, and the game in its own spelling and id.
    let trovo = w.trovo.channel();
    assert_eq!(trovo.title, "Into the Underworld");
    assert_eq!(trovo.category_name, "Hades II");
    assert_eq!(
        result(&v, "trovo")["category"]["id"],
        trovo.category_id.as_str()
    );
    let twitch = w.twitch.channel();
    assert_eq!(twitch.title, "Into the Underworld");
    assert_eq!(twitch.game_name, "Hades II");
    let velora = w.velora.stream();
    assert_eq!(velora.title, "Into the Underworld");
    assert_eq!(velora.category_slug, "hades-2");
    assert_eq!(result(&v, "velora")["category"]["name"], "Hades 2");

    // The history keeps what each platform took, newest first.
    let h = json(&w.run(&["--json", "history"]).await);
    let rows = h["history"].as_array().expect("a list");
    assert_eq!(rows.len(), 3, "{h}");
    assert!(rows.iter().all(|r| r["title"] == "Into the Underworld"));
    let twitch_only = json(&w.run(&["--json", "history", "--platform", "twitch"]).await);
    assert_eq!(twitch_only["history"][0]["category"]["name"], "Hades II");
    assert!(
        twitch_only["history"][0]["at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
}

#[tokio::test]
async fn a_platform_without_the_game_fails_alone_and_keeps_its_title() {
    let w = world("nomatch").await;
    let before = w.trovo.channel().title;
    // Slots is on Twitch only.
    let out = w
        .run(&[
            "--json",
            "all",
            "set",
            "--title",
            "Spin to win",
            "--category",
            "Slots",
        ])
        .await;
    assert_eq!(out.status.code(), Some(1), "a platform failed");
    let v = json(&out);
    let trovo = result(&v, "trovo");
    assert_eq!(trovo["ok"], false);
    assert_eq!(trovo["category"], Value::Null);
    assert!(
        trovo["error"].as_str().is_some_and(|e| e.contains("Slots")),
        "{trovo}"
    );
    assert_eq!(
        w.trovo.channel().title,
        before,
        "not even the title changed there"
    );
    assert_eq!(result(&v, "twitch")["ok"], true);
    assert_eq!(w.twitch.channel().game_name, "Slots");
    assert_eq!(w.twitch.channel().title, "Spin to win");
    // Text: one line per platform and nothing else.
    let out = w
        .run(&[
            "all",
            "set",
            "--category",
            "Slots",
            "--only",
            "trovo,twitch",
        ])
        .await;
    let text = stdout(&out);
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("trovo: failed"), "{text}");
    assert!(lines[1].starts_with("twitch: applied"), "{text}");
}

#[tokio::test]
async fn a_fault_on_one_platform_leaves_the_others_applied() {
    let w = world("fault").await;
    w.velora
        .inject(FaultRule::new(Fault::ServerErrorHtml).times(20));
    let out = w
        .run(&[
            "--json",
            "all",
            "set",
            "--title",
            "Still going",
            "--tags",
            "English,Chill",
        ])
        .await;
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let velora = result(&v, "velora");
    assert_eq!(velora["ok"], false);
    assert!(velora["error"].as_str().is_some_and(|e| !e.is_empty()));
    assert_ne!(w.velora.stream().title, "Still going");
    assert_eq!(w.trovo.channel().title, "Still going");
    assert_eq!(w.twitch.channel().title, "Still going");
    // Tags are skipped on Trovo, said in its result, and not a failure.
    let trovo = result(&v, "trovo");
    assert_eq!(trovo["ok"], true);
    assert_eq!(trovo["skipped"], serde_json::json!(["tags"]));
    assert_eq!(w.twitch.channel().tags, ["English", "Chill"]);
}

#[tokio::test]
async fn presets_are_saved_applied_exported_and_imported_across_runs() {
    let w = world("presets").await;
    let saved = w
        .run(&[
            "--json",
            "preset",
            "save",
            "Roguelike",
            "--title",
            "Roguelike night",
            "--category",
            "Hades II",
            "--tags",
            "English",
        ])
        .await;
    succeeded(&saved);
    let list = json(&w.run(&["--json", "preset", "list"]).await);
    assert_eq!(list["presets"][0]["name"], "Roguelike", "{list}");
    let shown = json(&w.run(&["--json", "preset", "show", "Roguelike"]).await);
    assert_eq!(shown["titles"]["twitch"], "Roguelike night");
    assert_eq!(shown["categories"]["velora"]["name"], "Hades 2");
    assert_eq!(shown["categories"]["trovo"]["name"], "Hades II");
    assert_eq!(shown["tags"], serde_json::json!(["English"]));
    let missing = w.run(&["--json", "preset", "show", "Nope"]).await;
    assert_eq!(missing.status.code(), Some(1));

    let applied = w
        .run(&[
            "--json",
            "preset",
            "apply",
            "Roguelike",
            "--only",
            "twitch,velora",
        ])
        .await;
    succeeded(&applied);
    let v = json(&applied);
    assert_eq!(
        v["results"].as_array().map(Vec::len),
        Some(2),
        "only those: {v}"
    );
    assert_eq!(w.twitch.channel().game_name, "Hades II");
    assert_eq!(w.velora.stream().category_slug, "hades-2");
    assert_ne!(w.trovo.channel().title, "Roguelike night", "not listed");

    // From the live channels: each platform's own title.
    let live = w.run(&["preset", "save", "Live now", "--from-live"]).await;
    succeeded(&live);
    let shown = json(&w.run(&["--json", "preset", "show", "Live now"]).await);
    assert_eq!(shown["titles"]["trovo"], w.trovo.channel().title.as_str());
    assert_eq!(shown["titles"]["velora"], "Roguelike night");

    let file = w.config.with_file_name("presets.json");
    let file = file.to_str().expect("a path");
    assert!(w.run(&["preset", "export", file]).await.status.success());
    assert!(
        w.run(&["preset", "delete", "Roguelike"])
            .await
            .status
            .success()
    );
    assert_eq!(
        w.run(&["preset", "delete", "Roguelike"])
            .await
            .status
            .code(),
        Some(1)
    );
    let imported = json(&w.run(&["--json", "preset", "import", file]).await);
    assert_eq!(imported["imported"], 2);
    assert!(
        w.run(&["preset", "show", "Roguelike"])
            .await
            .status
            .success()
    );

    // A broken file is refused with its line and column, and nothing is imported.
    let broken = w.config.with_file_name("broken.json");
    std::fs::write(
        &broken,
        "{\n  \"presets\": [\n    {\"name\": \"X\",, }\n  ]\n}\n",
    )
    .expect("written");
    let out = w
        .run(&["preset", "import", broken.to_str().expect("a path")])
        .await;
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3") && err.contains("column"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(
        json(&w.run(&["--json", "preset", "list"]).await)["presets"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn a_confirmed_mapping_is_used_without_a_search() {
    let w = world("map").await;
    let v = json(
        &w.run(&["--json", "category", "map", "Football Manager 2026"])
            .await,
    );
    let on = |p: &str| {
        v["platforms"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["platform"] == p))
            .map(|r| r["category"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(on("twitch")["name"], "Football Manager 2026");
    assert_eq!(
        on("velora")["name"],
        "Football Manager",
        "a year only one side has"
    );
    assert_eq!(on("trovo"), Value::Null, "never another year's edition");
    let confirmed = w
        .run(&["category", "map", "Football Manager 2026", "--confirm"])
        .await;
    succeeded(&confirmed);
    // Now Velora's name finds the mapping, with no search: a search would meet the faults.
    w.velora.inject(
        FaultRule::new(Fault::ServerErrorHtml)
            .on_path("categories")
            .times(10),
    );
    w.twitch.inject(
        TwitchRule::new(TwitchFault::ServerErrorHtml)
            .on_path("search/categories")
            .times(10),
    );
    let out = w
        .run(&[
            "--json",
            "all",
            "set",
            "--category",
            "Football Manager",
            "--only",
            "velora,twitch",
        ])
        .await;
    succeeded(&out);
    assert_eq!(w.twitch.channel().game_name, "Football Manager 2026");
    assert_eq!(w.velora.stream().category_slug, "football-manager");
}
