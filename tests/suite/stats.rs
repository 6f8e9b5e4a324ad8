//! Stream stats recorded by the backend from what its pollers and live connections already
//! bring (the demo's three simulators, live), written to a real database file, and read
//! back by `stagehand stats` as a script would: the current streams and the total, every
//! stream, one as CSV; a restart of the backend continues the same streams.

use crate::common;

use common::cli::{config_path, run_with};
use stagehand::backend::{self, BackendConfig, Intervals};
use stagehand::command::Command;
use stagehand::model::{ChannelChanges, MarkerKind, PlatformId};
use stagehand::sim::trovo::TrovoSim;
use stagehand::store::Store;
use std::any::Any;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

fn fast() -> Intervals {
    Intervals {
        channel: Duration::from_millis(150),
        viewers: Duration::from_millis(300),
        followers: Duration::from_millis(300),
        subscribers: Duration::from_secs(5),
        sign_in: Duration::from_secs(3600),
        stats: Duration::from_millis(200),
    }
}

/// A recording backend over the demo's simulators; answers it with the simulators.
async fn recording(
    db: &Path,
) -> (
    backend::BackendHandle,
    backend::EventReceiver,
    Vec<Box<dyn Any + Send>>,
) {
    let (_reserved, port) = common::reserve_port();
    let demo = stagehand::launch::start_demo(&PlatformId::ALL, port)
        .await
        .expect("the simulators start");
    let mut config = BackendConfig::new(demo.clients);
    config.database = Some(db.to_path_buf());
    config.record_streams = true;
    config.intervals = fast();
    let (handle, events) =
        backend::spawn(&tokio::runtime::Handle::current(), config, Arc::new(|_| {}));
    for platform in PlatformId::ALL {
        handle.send(Command::Watch { platform });
    }
    (handle, events, demo.sims)
}

/// Reads the database until `done` holds for it.
async fn until(db: &Path, what: &str, done: impl Fn(&Store) -> bool) {
    for _ in 0..200 {
        if let Ok(opened) = Store::open(db)
            && done(&opened.store)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

fn samples_of_every_platform(store: &Store, at_least: usize) -> bool {
    store.latest_streams().is_ok_and(|streams| {
        streams.len() == 3
            && streams
                .iter()
                .all(|s| store.samples(s.id).is_ok_and(|x| x.len() >= at_least))
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_stream_is_sampled_marked_read_back_and_continued_after_a_restart() {
    let config = config_path("stats", "record");
    let dir = config.parent().expect("a folder").to_path_buf();
    let _ = std::fs::remove_dir_all(&dir);
    let db = config.with_file_name("stagehand.sqlite3");
    let (handle, events, sims) = recording(&db).await;
    until(&db, "samples of all three", |s| {
        samples_of_every_platform(s, 2)
    })
    .await;

    // A raid and a title change mark the timeline.
    let trovo = sims
        .iter()
        .find_map(|s| s.downcast_ref::<TrovoSim>())
        .expect("Trovo's simulator");
    let raider = trovo.raid_now(37);
    handle.send(Command::UpdateChannel {
        platform: PlatformId::Twitch,
        changes: ChannelChanges {
            title: Some("Boss fight".into()),
            ..ChannelChanges::default()
        },
        request_id: handle.next_request_id(),
    });
    until(&db, "the raid and the title change", |s| {
        s.latest_streams().is_ok_and(|streams| {
            let marked = |p: PlatformId, kind: MarkerKind| {
                streams.iter().filter(|st| st.platform == p).any(|st| {
                    s.markers(st.id)
                        .is_ok_and(|m| m.iter().any(|m| m.kind == kind))
                })
            };
            marked(PlatformId::Trovo, MarkerKind::RaidIn)
                && marked(PlatformId::Twitch, MarkerKind::Title)
        })
    })
    .await;
    let store = Store::open(&db).expect("opens").store;
    let streams = store.latest_streams().expect("streams");
    let ids: Vec<i64> = streams.iter().map(|s| s.id).collect();
    let trovo_stream = streams
        .iter()
        .find(|s| s.platform == PlatformId::Trovo)
        .expect("Trovo's stream");
    let raid = store
        .markers(trovo_stream.id)
        .expect("markers")
        .into_iter()
        .find(|m| m.kind == MarkerKind::RaidIn)
        .expect("the raid");
    assert!(
        raid.text.contains("37") && raid.text.contains(&raider),
        "{}",
        raid.text
    );
    assert!(
        streams
            .iter()
            .all(|s| s.ended_at.is_none() && s.peak_viewers.is_some())
    );

    // The headless commands read what was recorded.
    let env = [("STAGEHAND_DATABASE", db.display().to_string())];
    let out = run_with(&["--json", "stats"], &env, &config).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let rows = v["streams"].as_array().expect("streams");
    assert_eq!(rows.len(), 3, "{v}");
    assert!(rows.iter().all(|r| r["live"] == true));
    let peaks: Vec<u64> = rows
        .iter()
        .filter_map(|r| r["peak_viewers"].as_u64())
        .collect();
    let total_peak = v["total"]["peak_viewers"].as_u64().expect("a total");
    assert!(
        total_peak >= peaks.iter().copied().max().unwrap_or(0),
        "{v}"
    );
    assert!(total_peak <= peaks.iter().sum::<u64>(), "{v}");
    let listed = run_with(&["--json", "stats", "streams"], &env, &config).await;
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    assert_eq!(listed["streams"].as_array().map(Vec::len), Some(3));
    let file = config.with_file_name("trovo.csv");
    let id = trovo_stream.id.to_string();
    let file_arg = file.display().to_string();
    let out = run_with(&["stats", "export", &id, &file_arg], &env, &config).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(&file).expect("written");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("at,platform,viewers,followers,subscribers,chat_per_minute,marker")
    );
    assert!(csv.contains("raid_in: "), "{csv}");
    assert!(lines.count() >= 3);
    let missing = run_with(&["stats", "export", "999999", &file_arg], &env, &config).await;
    assert_eq!(missing.status.code(), Some(1));

    // A restart of the app: the same streams go on.
    drop((handle, events, sims));
    let before: usize = ids
        .iter()
        .map(|id| store.samples(*id).map(|s| s.len()).unwrap_or(0))
        .sum();
    let (handle, _events, _sims) = recording(&db).await;
    until(&db, "new samples in the same streams", |s| {
        let now: usize = ids
            .iter()
            .map(|id| s.samples(*id).map(|s| s.len()).unwrap_or(0))
            .sum();
        now >= before + 3 && s.streams(10).is_ok_and(|all| all.len() == 3)
    })
    .await;
    drop(handle);
    let _ = std::fs::remove_dir_all(&dir);
}
