//! The window during a stream on all three platforms at once (`--demo`'s simulators): the
//! merged chat shows every platform's lines with their marks, the activity feed fills with
//! each platform's raids with their facts, the top bar counts what is new, and "Mark all
//! seen" clears it.

use crate::common;

use egui_kittest::kittest::Queryable;
use stagehand::app::{Launch, StagehandApp};
use stagehand::backend::BackendConfig;
use stagehand::command::ChatFeedStatus;
use stagehand::model::{EventKind, PlatformId};
use stagehand::sim::trovo::TrovoSim;
use stagehand::sim::twitch::TwitchSim;
use stagehand::sim::velora::VeloraSim;
use std::any::Any;

/// The simulator of type `S` among the demo's.
fn sim<S: 'static>(sims: &[Box<dyn Any + Send>]) -> &S {
    sims.iter()
        .find_map(|s| s.downcast_ref::<S>())
        .expect("the demo runs that simulator")
}

#[test]
fn the_merged_chat_and_the_activity_feed_fill_from_every_platform() {
    let runtime = common::harness::runtime();
    let (_reserved, port) = common::reserve_port();
    let demo = runtime
        .block_on(stagehand::launch::start_demo(&PlatformId::ALL, port))
        .expect("the simulators start");
    // Kept here (alive for the whole test) so the test can cue them.
    let sims = demo.sims;
    let launch = Launch::new(
        true,
        BackendConfig::new(demo.clients),
        runtime.handle().clone(),
    );
    let app = StagehandApp::new(launch, None);
    let mut harness = common::harness::app_harness(app, 1280.0, 800.0);
    common::harness::step_until(&mut harness, "every platform's chat live", |app| {
        PlatformId::ALL.iter().all(|p| {
            app.state()
                .platforms
                .get(p)
                .is_some_and(|s| s.chat.status == Some(ChatFeedStatus::Live))
        })
    });
    let trovo = sim::<TrovoSim>(&sims);
    let twitch = sim::<TwitchSim>(&sims);
    let velora = sim::<VeloraSim>(&sims);
    trovo.raid_now(37);
    twitch.raid_now(42);
    velora.raid_now(12);
    trovo.say(&trovo.viewer_user().username, "hello from trovo");
    twitch.say(&twitch.viewer_user().login, "hello from twitch");
    let velora_chatter = velora.chat_log()[0].sender_username.clone();
    velora.say(&velora_chatter, "hello from velora");
    common::harness::step_until(&mut harness, "a raid from every platform", |app| {
        PlatformId::ALL.iter().all(|p| {
            app.state()
                .activity
                .items()
                .any(|a| a.event.platform == *p && matches!(a.event.kind, EventKind::Raid { .. }))
        })
    });
    // The merged chat: every platform's line, each with its platform's mark.
    for text in ["hello from trovo", "hello from twitch", "hello from velora"] {
        assert!(harness.query_by_label(text).is_some(), "{text} in the chat");
    }
    for platform in PlatformId::ALL {
        let mark = platform.entry().description().mark;
        assert!(
            harness.query_all_by_label(mark).count() >= 2,
            "{platform}'s lines carry its mark"
        );
    }
    // The top bar counts what is new; the feed lists the raids with their size.
    assert!(
        harness
            .query_by_label_contains("new in the activity feed")
            .is_some(),
        "the top bar's count"
    );
    harness.get_by_label_contains("Activity (").click();
    harness.run_steps(3);
    for viewers in [37, 42, 12] {
        let words = format!("raided with {viewers} viewers");
        assert!(
            harness.query_by_label(&words).is_some(),
            "{words} in the feed"
        );
    }
    harness.get_by_label("Mark all seen").click();
    harness.run_steps(3);
    assert!(
        harness
            .query_by_label_contains("new in the activity feed")
            .is_none(),
        "seen: the count is gone"
    );
}
