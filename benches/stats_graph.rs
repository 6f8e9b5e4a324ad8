//! What the stats panel costs a frame with an eight-hour stream on three platforms (2,880
//! samples each, markers along the way) on screen: every series is cut to about two points
//! a pixel before it is drawn. Measured at 1280×800:
//! - `empty`: the panel with no stream recorded;
//! - `eight_hours`: the whole stream in view;
//! - `last_hour`: the last hour of it.
//!
//! Target: under 1 ms a frame.

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use eframe::egui;
use stagehand::model::*;
use stagehand::ui::stats::Range;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// Eight hours at one sample every 10 s.
const SAMPLES: i64 = 8 * 60 * 6;

fn record(platform: PlatformId, id: i64, now: OffsetDateTime) -> StreamRecord {
    let start = now - Duration::hours(8);
    let samples = (0..SAMPLES)
        .map(|i| StreamSample {
            platform,
            at: start + Duration::seconds(i * 10),
            viewers: Some(200 + ((i * 37) % 150) as u64),
            followers: Some(1_000 + i as u64 / 30),
            subscribers: None,
            messages: (i % 13) as u32,
        })
        .collect();
    let markers = (0..12)
        .map(|i| StreamMarker {
            platform,
            at: start + Duration::minutes(i * 40),
            kind: MarkerKind::Title,
            text: format!("title change {i}"),
        })
        .collect();
    StreamRecord {
        summary: StreamSummary {
            id,
            platform,
            started_at: start,
            ended_at: None,
            title: "An eight-hour marathon".into(),
            category: Some("Just Chatting".into()),
            peak_viewers: Some(349),
            average_viewers: Some(274.0),
            followers_gained: Some(96),
            messages: 17_000,
        },
        samples,
        markers,
    }
}

fn bench(c: &mut Criterion) {
    let runtime = support::runtime();
    let now = OffsetDateTime::now_utc();
    let mut group = c.benchmark_group("stats_graph_1280x800");
    for (name, loaded, range) in [
        ("empty", false, Range::Whole),
        ("eight_hours", true, Range::Whole),
        ("last_hour", true, Range::LastHour),
    ] {
        let ctx = egui::Context::default();
        let mut app = support::offline_app(&runtime);
        for platform in PlatformId::ALL {
            app.state_mut().platform_mut(platform).capabilities = Some(Capabilities::UNKNOWN);
        }
        let current: Vec<StreamRecord> = if loaded {
            PlatformId::ALL
                .into_iter()
                .enumerate()
                .map(|(i, p)| record(p, i as i64 + 1, now))
                .collect()
        } else {
            Vec::new()
        };
        let streams = current.iter().map(|r| r.summary.clone()).collect();
        app.state_mut().stats = Some(Arc::new(StatsSnapshot { current, streams }));
        app.view_mut().show_stats = true;
        app.view_mut().stats_range = range;
        support::bench_frames(&mut group, name, &ctx, &mut app);
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
