//! The stats panel in the window over the demo's three live simulators: the graph fills as
//! the stream runs, a raid marks it, the demo's past streams are listed, and a restart of
//! the app over the same database shows the same streams going on.

use crate::common;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use stagehand::app::StagehandApp;
use stagehand::backend::Intervals;
use stagehand::model::{MarkerKind, PlatformId};
use stagehand::sim::trovo::TrovoSim;
use std::any::Any;
use std::path::Path;
use std::time::Duration;

fn window(
    runtime: &tokio::runtime::Runtime,
    db: &Path,
) -> (Harness<'static, StagehandApp>, Vec<Box<dyn Any + Send>>) {
    let (mut harness, sims) = common::harness::demo_window(runtime, |backend| {
        backend.database = Some(db.to_path_buf());
        backend.record_streams = true;
        backend.seed_demo_streams = true;
        backend.intervals = Intervals {
            channel: Duration::from_millis(150),
            stats: Duration::from_millis(200),
            ..Intervals::default()
        };
    });
    harness.get_by_label("Stats").click_accesskit();
    harness.run_steps(2);
    (harness, sims)
}

/// The streams going on, once each platform's has `samples` samples (until then the latest
/// may be a past one).
fn sampled(harness: &mut Harness<'static, StagehandApp>, samples: usize) -> Vec<i64> {
    common::harness::step_until(harness, "samples of every platform", |app| {
        app.state().stats.as_ref().is_some_and(|s| {
            s.current.len() == 3
                && s.current
                    .iter()
                    .all(|r| r.summary.ended_at.is_none() && r.samples.len() >= samples)
        })
    });
    let stats = harness.state().state().stats.clone().expect("read");
    stats.current.iter().map(|r| r.summary.id).collect()
}

#[test]
fn the_graph_fills_a_raid_marks_it_and_a_restart_continues_the_streams() {
    let runtime = common::harness::runtime();
    let dir = std::env::temp_dir().join(format!("stagehand-ui-stats-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let db = dir.join("stagehand.sqlite3");
    let ids = {
        let (mut harness, sims) = window(&runtime, &db);
        let ids = sampled(&mut harness, 2);
        assert!(harness.query_by_label("Viewers over time").is_some());
        assert!(harness.query_by_label("Chat messages a minute").is_some());
        assert!(harness.query_by_label("Total").is_some(), "the total row");
        assert!(harness.query_by_label("Save graph as PNG…").is_some());
        // The demo's past streams, three a platform, and the three going on.
        let listed = harness
            .state()
            .state()
            .stats
            .as_ref()
            .map(|s| s.streams.len());
        assert_eq!(listed, Some(12));
        assert!(harness.query_by_label("Past streams (12)").is_some());
        let trovo = sims
            .iter()
            .find_map(|s| s.downcast_ref::<TrovoSim>())
            .expect("Trovo's simulator");
        let raider = trovo.raid_now(55);
        common::harness::step_until(&mut harness, "the raid on the graph", |app| {
            app.state().stats.as_ref().is_some_and(|s| {
                s.current.iter().any(|r| {
                    r.summary.platform == PlatformId::Trovo
                        && r.markers.iter().any(|m| {
                            m.kind == MarkerKind::RaidIn && m.text.contains(raider.as_str())
                        })
                })
            })
        });
        assert!(
            harness
                .query_by_label_contains(&format!("Trovo: {raider} raided with 55 viewers"))
                .is_some()
        );
        ids
    };
    // A new start over the same database: the same streams go on, the past ones stay.
    let (mut harness, _sims) = window(&runtime, &db);
    let again = sampled(&mut harness, 1);
    assert_eq!(again, ids, "the same streams continue");
    let stats = harness.state().state().stats.clone().expect("read");
    assert_eq!(stats.streams.len(), 12, "no stream was added or lost");
    let _ = std::fs::remove_dir_all(&dir);
}
