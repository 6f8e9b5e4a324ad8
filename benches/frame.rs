//! The CPU time of one frame of the full window, headless (`logic` + `ui` + tessellation),
//! with 100,000 viewers, 10,000 followers, 1,000 subscribers, 200 categories and a full chat
//! log (1,000 lines) loaded, against the same window with nothing loaded. Target: the loaded
//! frame under 1 ms, whatever the list sizes: only the rows in view may cost anything (on
//! the 2-core build machine: about 0.2 ms empty, 0.65 ms loaded, most of it the ~60 rows of
//! people and chat text in view).

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use eframe::egui;
use stagehand::app::StagehandApp;
use stagehand::model::*;
use std::sync::Arc;
use time::OffsetDateTime;

const TROVO: PlatformId = PlatformId::Trovo;

fn app(runtime: &tokio::runtime::Runtime) -> StagehandApp {
    let mut app = support::offline_app(runtime);
    let now = OffsetDateTime::now_utc();
    let p = app.state_mut().platform_mut(TROVO);
    p.account = Some(Account {
        id: "1".into(),
        name: "streamer".into(),
        display_name: "Streamer".into(),
        avatar_url: None,
        partner: false,
    });
    p.capabilities = Some(stagehand::platform::trovo::CAPABILITIES);
    p.channel = Some(Channel {
        id: "1".into(),
        name: "streamer".into(),
        display_name: None,
        title: "A benchmark stream".into(),
        category: Some(CategoryRef {
            id: Some("c0".into()),
            name: Some("Category 0".into()),
        }),
        language: Some("EN".into()),
        audience: Some(Audience::All),
        is_live: true,
        viewers: Some(100_000),
        followers: Some(10_000),
        subscribers: Some(1_000),
        started_at: Some(now - time::Duration::hours(1)),
        avatar_url: None,
        tags: None,
        delay: None,
    });
    app
}

fn load(app: &mut StagehandApp) {
    let now = OffsetDateTime::now_utc();
    let roles = ["follower", "subscriber", "moderator", "vip"];
    let p = app.state_mut().platform_mut(TROVO);
    p.viewers = Some(Arc::new(ViewerList {
        total: 100_000,
        anonymous: None,
        viewers: (0..100_000)
            .map(|i| Viewer {
                name: format!("viewer{i}"),
                roles: if i % 3 == 0 {
                    vec![roles[i % 4].into()]
                } else {
                    Vec::new()
                },
            })
            .collect(),
    }));
    p.followers = Some(Arc::new(FollowerList {
        total: 10_000,
        followers: (0..10_000)
            .map(|i| Follower {
                id: i.to_string(),
                name: format!("follower{i}"),
                display_name: None,
                followed_at: Some(now - time::Duration::minutes(i)),
            })
            .collect(),
    }));
    p.subscribers = Some(Arc::new(SubscriberList {
        total: 1_000,
        subscribers: (0..1_000)
            .map(|i| Subscriber {
                id: i.to_string(),
                name: format!("sub{i}"),
                display_name: None,
                tier: Some("1".into()),
                since: Some(now),
                gifted: None,
            })
            .collect(),
    }));
    let said = [
        "hi!",
        "what game is this?",
        "gg",
        "that jump though 😂",
        "안녕하세요 from Seoul",
    ];
    let messages = (0..stagehand::state::ChatLog::KEEP)
        .map(|i| ChatEvent {
            platform: PlatformId::ALL[0],
            id: Some(format!("m{i}")),
            at: now - time::Duration::seconds(i as i64),
            user: Some(ChatUser {
                id: Some(format!("u{}", i % 97)),
                name: Some(format!("viewer{}", i % 97)),
                display_name: format!("Viewer {}", i % 97),
                roles: if i % 7 == 0 {
                    vec!["moderator".into()]
                } else {
                    Vec::new()
                },
            }),
            kind: if i % 50 == 0 {
                EventKind::Follow
            } else {
                EventKind::Message {
                    text: said[i % said.len()].repeat(1 + i % 4),
                    reply_to: None,
                }
            },
        })
        .collect();
    p.chat.extend(messages, Some("1"), &mut 0);
    p.categories.page = CategoryPage {
        categories: (0..200)
            .map(|i| Category {
                id: format!("c{i}"),
                name: format!("Category {i}"),
                short_name: None,
                icon_url: None,
            })
            .collect(),
        has_more: false,
    };
}

fn bench(c: &mut Criterion) {
    let runtime = support::runtime();
    let mut group = c.benchmark_group("frame_1280x800");
    for (name, loaded) in [("empty", false), ("loaded", true)] {
        let ctx = egui::Context::default();
        let mut app = app(&runtime);
        if loaded {
            load(&mut app);
        }
        // Fonts, layout caches and the grouped viewer rows are built once, before.
        support::bench_frames(&mut group, name, &ctx, &mut app);
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
