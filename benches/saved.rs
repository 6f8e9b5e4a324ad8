//! The all-platforms form's costs:
//! - `map_category/searched`: one game's category on all three platforms, from the three
//!   simulators over loopback HTTP (each platform searched at once, the name first, then
//!   its words where the name finds nothing). Target: under 200 ms.
//! - `map_category/remembered`: the same once the user confirmed the mapping (the database
//!   answers, no search). Target: under 1 ms.
//! - `open_database`: opening a database with 10,000 history rows and 500 presets and
//!   reading what the window shows at start (presets, recent titles, the newest history,
//!   the mappings). Target: under 50 ms.

use criterion::{Criterion, criterion_group, criterion_main};
use stagehand::backend::{self, BackendConfig, BackendHandle, EventReceiver};
use stagehand::command::{Command, Event};
use stagehand::model::{HistoryEntry, PickedCategory, PlatformId, Preset, SavedChange};
use stagehand::store::Store;
use std::collections::HashMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stagehand-bench-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir.join("stagehand.sqlite3")
}

/// Asks the backend for `name`'s category everywhere and waits for the answer.
async fn map(backend: &BackendHandle, events: &mut EventReceiver, name: &str) -> usize {
    let request_id = backend.next_request_id();
    backend.send(Command::MapCategory {
        name: name.to_owned(),
        from: None,
        platforms: PlatformId::ALL.to_vec(),
        request_id,
    });
    while let Some(event) = events.recv().await {
        if let Event::CategoryMapped {
            request_id: id,
            proposals,
            ..
        } = event
            && id == request_id
        {
            return proposals
                .values()
                .filter(|p| p.category().is_some())
                .count();
        }
    }
    0
}

fn map_category(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let demo = runtime
        .block_on(stagehand::launch::start_demo(&PlatformId::ALL, 0))
        .expect("the simulators start");
    let db = scratch("map");
    let mut config = BackendConfig::new(demo.clients.into_iter().collect::<HashMap<_, _>>());
    config.database = Some(db.clone());
    let (backend, mut events) = backend::spawn(runtime.handle(), config, Arc::new(|_| {}));
    let mut group = c.benchmark_group("map_category");
    group.bench_function("searched", |b| {
        b.iter(|| {
            let found =
                runtime.block_on(map(&backend, &mut events, "Tom Clancy's Rainbow Six Siege"));
            assert_eq!(found, 2, "Twitch and Velora have it");
            black_box(found)
        });
    });
    // Confirm Hades II's mapping, as "Use these" does, then ask again.
    let categories = [
        (PlatformId::Trovo, PickedCategory::new("10087", "Hades II")),
        (
            PlatformId::Twitch,
            PickedCategory::new("1600578087", "Hades II"),
        ),
        (
            PlatformId::Velora,
            PickedCategory::new("hades-2", "Hades 2"),
        ),
    ]
    .into_iter()
    .collect();
    backend.send(Command::ChangeSaved {
        change: SavedChange::RememberMapping(categories),
    });
    runtime.block_on(async {
        while let Some(e) = events.recv().await {
            if matches!(e, Event::SavedLoaded { .. }) {
                break;
            }
        }
    });
    group.bench_function("remembered", |b| {
        b.iter(|| {
            let found = runtime.block_on(map(&backend, &mut events, "Hades 2"));
            assert_eq!(found, 3);
            black_box(found)
        });
    });
    group.finish();
    drop(demo.sims);
    let _ = std::fs::remove_dir_all(db.parent().expect("dir"));
}

fn open_database(c: &mut Criterion) {
    let db = scratch("open");
    {
        let store = Store::open(&db).expect("opens").store;
        let base = time::OffsetDateTime::now_utc() - time::Duration::days(400);
        for i in 0..10_000i64 {
            store
                .record(&HistoryEntry {
                    platform: PlatformId::ALL[(i % 3) as usize],
                    title: format!("Stream number {i}: a title of a usual length"),
                    category: Some(PickedCategory::new(format!("{}", i % 97), "Some Game")),
                    at: base + time::Duration::minutes(i * 30),
                })
                .expect("recorded");
        }
        for i in 0..500 {
            let mut p = Preset::named(format!("Preset {i:03}"));
            for platform in PlatformId::ALL {
                p.titles
                    .insert(platform, format!("Title {i} on {platform}"));
                p.categories
                    .insert(platform, PickedCategory::new(format!("{i}"), "Some Game"));
            }
            p.tags = Some(vec!["English".into(), "Chill".into()]);
            store.save_preset(&p).expect("saved");
        }
    }
    c.bench_function("open_database", |b| {
        b.iter(|| {
            let store = Store::open(&db).expect("opens").store;
            let presets = store.presets().expect("presets");
            let titles = store.recent_titles(30).expect("titles");
            let history = store.history(None, 200).expect("history");
            let mappings = store.mappings().expect("mappings");
            assert_eq!((presets.len(), history.len()), (500, 200));
            black_box((presets.len(), titles.len(), history.len(), mappings.len()))
        });
    });
    let _ = std::fs::remove_dir_all(db.parent().expect("dir"));
}

criterion_group!(benches, map_category, open_database);
criterion_main!(benches);
