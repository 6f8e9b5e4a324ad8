//! What a busy stream costs the window: three platforms signed in and the merged chat on
//! screen, 50 events a second across the three (chat lines, now and then a follow, a
//! subscription or a raid). A frame nobody touches comes at most four times a second
//! (`app::NEWS_FRAME`), so each frame of the stream folds in a quarter second of events
//! (12) and draws. Measured, at 1280×800:
//! - `quiet`: nothing in chat yet;
//! - `still`: the logs full after ten minutes of such a stream, no new event;
//! - `streaming`: the same, twelve new events folded in each frame (a window nobody
//!   touches, four frames a second);
//! - `streaming_60fps`: one new event a frame (the stream's rate while the user works in
//!   the window at 60 frames a second).
//!
//! Target: under 0.3 ms more than `still` (what the stream adds to a frame), whatever the
//! logs hold: the frame walks blocks of lines, not lines. The logs stay bounded (each
//! platform keeps `ChatLog::KEEP` lines; checked at the end).

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use eframe::egui;
use stagehand::app::StagehandApp;
use stagehand::command::Event;
use stagehand::model::*;
use stagehand::state::ChatLog;
use std::collections::HashMap;
use std::hint::black_box;
use time::OffsetDateTime;

/// Events a second, across the three platforms.
const PER_SECOND: usize = 50;
/// Frames a second of a window nobody touches.
const FRAMES_PER_SECOND: usize = 4;

fn app(runtime: &tokio::runtime::Runtime) -> StagehandApp {
    let mut app = support::offline_app(runtime);
    for (n, platform) in PlatformId::ALL.into_iter().enumerate() {
        let p = app.state_mut().platform_mut(platform);
        p.account = Some(Account {
            id: format!("me{n}"),
            name: format!("streamer{n}"),
            display_name: format!("Streamer {n}"),
            avatar_url: None,
            partner: false,
        });
        p.capabilities = Some(Capabilities::UNKNOWN);
    }
    app
}

/// The `n`th event of the stream: mostly chat, now and then something to thank for.
fn event(n: usize) -> (PlatformId, ChatEvent) {
    let platform = PlatformId::ALL[n % PlatformId::ALL.len()];
    let said = [
        "hi!",
        "what game is this?",
        "gg",
        "that jump though",
        "@streamer1 hello",
    ];
    let kind = match n % 40 {
        0 => EventKind::Follow,
        10 => EventKind::Subscription {
            tier: Some(SubTier::One),
            months: Some(3),
            gift: false,
            gifter: None,
            message: None,
        },
        20 => EventKind::Raid { viewers: 42 },
        _ => EventKind::Message {
            text: said[n % said.len()].repeat(1 + n % 3),
            reply_to: None,
        },
    };
    let event = ChatEvent {
        platform,
        id: Some(format!("e{n}")),
        at: OffsetDateTime::now_utc(),
        user: Some(ChatUser {
            id: Some(format!("u{}", n % 211)),
            name: Some(format!("viewer{}", n % 211)),
            display_name: format!("Viewer {}", n % 211),
            roles: if n.is_multiple_of(9) {
                vec!["moderator".into()]
            } else {
                Vec::new()
            },
        }),
        kind,
    };
    (platform, event)
}

/// Folds events `from..to` in, a batch per platform as the backend sends them.
fn feed(app: &mut StagehandApp, from: usize, to: usize) {
    let mut batches: HashMap<PlatformId, Vec<ChatEvent>> = HashMap::new();
    for n in from..to {
        let (platform, e) = event(n);
        batches.entry(platform).or_default().push(e);
    }
    for (platform, events) in batches {
        app.state_mut()
            .apply(Event::ChatArrived { platform, events });
    }
}

fn bench(c: &mut Criterion) {
    let runtime = support::runtime();
    let per_frame = PER_SECOND / FRAMES_PER_SECOND;
    let mut group = c.benchmark_group("live_events_1280x800");
    for (name, minutes, per_frame) in [
        ("quiet", 0, 0),
        ("still", 10, 0),
        ("streaming", 10, per_frame),
        ("streaming_60fps", 10, 1),
    ] {
        let ctx = egui::Context::default();
        let mut app = app(&runtime);
        let mut next = PER_SECOND * 60 * minutes;
        feed(&mut app, 0, next);
        for _ in 0..5 {
            support::frame(&ctx, &mut app);
        }
        group.bench_function(name, |b| {
            b.iter(|| {
                feed(&mut app, next, next + per_frame);
                next += per_frame;
                black_box(support::frame(&ctx, &mut app))
            })
        });
        let held: usize = app
            .state()
            .platforms
            .values()
            .map(|p| p.chat.lines.len())
            .sum();
        assert!(
            held <= ChatLog::KEEP * PlatformId::ALL.len(),
            "the logs stay bounded: {held}"
        );
        eprintln!(
            "{name}: {held} lines held, {} in the activity feed",
            app.state().activity.len()
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
