//! The window on a Twitch channel, driven with egui_kittest against the Twitch simulator
//! over loopback HTTP: the parts only Twitch has (tags, the partner-only delay, commercials,
//! editors and teams, the retired channel feed, the stream key's dashboard) drawn from the
//! platform's capabilities, and what they change read back from the simulator.

use crate::common;

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use stagehand::app::{Launch, StagehandApp};
use stagehand::backend::BackendConfig;
use stagehand::model::PlatformId;
use stagehand::platform::PlatformClient;
use stagehand::platform::twitch::sim_client as twitch_sim_client;
use stagehand::sim::twitch::{BroadcasterType, TwitchSim, TwitchSimOptions};
use std::collections::HashMap;
use std::sync::Arc;

const TWITCH: PlatformId = PlatformId::Twitch;

struct Window {
    harness: Harness<'static, StagehandApp>,
    sim: Arc<TwitchSim>,
    _runtime: tokio::runtime::Runtime,
}

fn window(broadcaster_type: BroadcasterType) -> Window {
    let runtime = common::harness::runtime();
    let sim = Arc::new(
        runtime
            .block_on(TwitchSim::start(TwitchSimOptions {
                broadcaster_type,
                ..TwitchSimOptions::default()
            }))
            .expect("simulator"),
    );
    let client = twitch_sim_client(&sim).expect("client");
    let backend = BackendConfig::new(HashMap::from([(TWITCH, PlatformClient::new(client))]));
    let mut launch = Launch::new(true, backend, runtime.handle().clone());
    launch.keep_alive.push(Box::new(Arc::clone(&sim)));
    let app = StagehandApp::new(launch, None);
    let harness = common::harness::app_harness(app, 1280.0, 1000.0);
    let mut w = Window {
        harness,
        sim,
        _runtime: runtime,
    };
    w.wait_for("the Twitch channel and account", |app| {
        app.state()
            .platforms
            .get(&TWITCH)
            .is_some_and(|p| p.channel.is_some() && p.account.is_some() && p.capabilities.is_some())
    });
    w
}

impl Window {
    fn wait_for(&mut self, what: &str, cond: impl Fn(&StagehandApp) -> bool) {
        common::harness::step_until(&mut self.harness, what, cond);
    }

    fn add_tag(&mut self, tag: &str) {
        self.harness.get_by_label("Tags").focus();
        self.harness.run_steps(1);
        self.harness.get_by_label("Tags").type_text(tag);
        self.harness.run_steps(1);
        self.harness.key_press(egui::Key::Enter);
        self.harness.run_steps(2);
    }

    fn apply(&mut self) {
        self.harness.get_by_label("Apply").click_accesskit();
        self.wait_for("the update to be answered", |app| {
            app.state().platforms[&TWITCH].update_pending.is_none()
        });
    }
}

#[test]
fn tags_added_and_removed_are_applied_and_read_back_from_twitch() {
    let mut w = window(BroadcasterType::Partner);
    let before = w.sim.channel().tags;
    assert!(!before.is_empty(), "the simulated channel starts with tags");
    w.add_tag("Speedrun");
    assert!(
        w.harness.query_by_label("Remove tag Speedrun").is_some(),
        "the new tag is a chip with its own remove button"
    );
    let first = before[0].clone();
    w.harness
        .get_by_label(&format!("Remove tag {first}"))
        .click_accesskit();
    w.harness.run_steps(2);
    assert!(
        w.harness.query_by_label_contains("Changed: tags").is_some(),
        "the form says the tags differ from what is live"
    );
    w.apply();
    let after = w.sim.channel().tags;
    assert!(after.iter().any(|t| t == "Speedrun"), "{after:?}");
    assert!(!after.contains(&first), "{after:?}");
    assert!(
        w.harness
            .query_by_label_contains("No changes: this is what is live")
            .is_some(),
        "the draft settled on what Twitch now holds"
    );
}

#[test]
fn a_tag_twitch_would_refuse_is_explained_and_not_added() {
    let mut w = window(BroadcasterType::Partner);
    w.add_tag("two words");
    assert!(
        w.harness
            .query_by_label_contains("letters and digits only")
            .is_some(),
        "the rule is said"
    );
    assert!(w.harness.query_by_label("Remove tag two words").is_none());
    assert!(
        w.harness.query_by_label_contains("Changed: tags").is_none(),
        "nothing changed"
    );
}

#[test]
fn a_partner_sets_the_delay_and_others_are_told_it_is_for_partners() {
    let mut w = window(BroadcasterType::Partner);
    w.harness
        .get_by_label("Broadcast delay")
        .set_value_accesskit(30.0);
    w.harness.run_steps(2);
    assert!(
        w.harness
            .query_by_label_contains("Changed: delay")
            .is_some()
    );
    w.apply();
    assert_eq!(w.sim.channel().delay, 30);

    let w = window(BroadcasterType::Affiliate);
    assert!(
        w.harness
            .query_by_label_contains("Only Twitch partners can set a delay")
            .is_some(),
        "the field says so instead of failing"
    );
}

#[test]
fn a_commercial_starts_and_its_cooldown_holds_the_button() {
    let mut w = window(BroadcasterType::Partner);
    w.harness.get_by_label("Run ad").click_accesskit();
    w.wait_for("the commercial's answer", |app| {
        app.state().platforms[&TWITCH].commercial.is_some()
    });
    assert!(
        w.harness
            .query_by_label_contains("the next one is possible in")
            .is_some(),
        "the cooldown is shown"
    );
    let run_ad = w.harness.get_by_label("Run ad");
    assert!(
        format!("{run_ad:?}").contains("disabled: true"),
        "no second break during the cooldown: {run_ad:?}"
    );
}

#[test]
fn editors_and_teams_load_when_opened() {
    let mut w = window(BroadcasterType::Partner);
    w.harness.get_by_label("Editors").click_accesskit();
    w.wait_for("the editors", |app| {
        matches!(app.state().platforms[&TWITCH].editors, Some(Ok(_)))
    });
    let editors = match &w.harness.state().state().platforms[&TWITCH].editors {
        Some(Ok(list)) => list.clone(),
        other => panic!("{other:?}"),
    };
    assert!(!editors.is_empty(), "the simulated channel has editors");
    let first = editors[0]
        .display_name
        .clone()
        .unwrap_or(editors[0].name.clone());
    assert!(
        w.harness.query_by_label_contains(&first).is_some(),
        "{first}"
    );
    w.harness.get_by_label("Teams").click_accesskit();
    w.wait_for("the teams", |app| {
        app.state().platforms[&TWITCH].teams.is_some()
    });
    assert!(
        matches!(
            w.harness.state().state().platforms[&TWITCH].teams,
            Some(Ok(_))
        ),
        "teams answered"
    );
}

#[test]
fn what_helix_cannot_do_is_said_where_users_look() {
    let w = window(BroadcasterType::Partner);
    assert!(
        w.harness.query_by_label_contains("Channel feed").is_some(),
        "the retired channel feed is explained in the form"
    );
    assert!(
        w.harness
            .query_by_label("Reset the key on the dashboard")
            .is_some(),
        "the key reset links to the dashboard"
    );
    assert!(
        w.harness.query_by_label("Audience").is_none(),
        "Twitch has no audience setting, so the form has none"
    );
}

#[test]
fn the_newest_videos_load_when_opened_and_link_to_twitch() {
    let mut w = window(BroadcasterType::Partner);
    w.harness.get_by_label("Videos").click_accesskit();
    w.wait_for("the videos", |app| {
        app.state().platforms[&TWITCH].videos.is_some()
    });
    let videos = match &w.harness.state().state().platforms[&TWITCH].videos {
        Some(Ok(list)) => list.clone(),
        other => panic!("{other:?}"),
    };
    assert!(!videos.is_empty() && videos.len() <= 20, "{}", videos.len());
    let newest = &videos[0];
    assert!(
        w.harness.query_by_label(&newest.title).is_some(),
        "the newest video is listed by its title: {}",
        newest.title
    );
}

#[test]
fn a_line_said_on_twitch_shows_in_chat_and_is_deleted_from_its_menu() {
    let mut w = window(BroadcasterType::Affiliate);
    w.wait_for("the chat to be live", |app| {
        app.state().platforms[&TWITCH].chat.status == Some(stagehand::command::ChatFeedStatus::Live)
    });
    let viewer = w.sim.viewer_user();
    let id = w
        .sim
        .say(&viewer.login, "this line should go")
        .expect("said");
    w.wait_for("the line in the chat panel", |app| {
        app.state().platforms[&TWITCH]
            .chat
            .lines
            .iter()
            .any(|l| l.event.id.as_deref() == Some(id.as_str()))
    });
    let line = w.harness.get_by_label("this line should go");
    line.click_secondary();
    w.harness.run_steps(2);
    w.harness.get_by_label("Delete this message").click();
    w.wait_for("the deletion to be answered", |app| {
        app.state().platforms[&TWITCH].moderation_note.is_some()
    });
    assert!(
        matches!(
            w.harness.state().state().platforms[&TWITCH].moderation_note,
            Some(Ok(_))
        ),
        "{:?}",
        w.harness.state().state().platforms[&TWITCH].moderation_note
    );
    let logged = w
        .sim
        .chat_log()
        .into_iter()
        .find(|l| l.message_id == id)
        .expect("logged");
    assert!(logged.deleted, "Twitch deleted it");
    assert!(
        w.harness.query_by_label("deleted").is_some(),
        "the line shows as deleted"
    );
}
