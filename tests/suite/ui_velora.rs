//! The window on a Velora channel, driven with egui_kittest against the Velora simulator
//! over loopback HTTP: what Velora adds (a stream key that can be regenerated after a
//! confirmation, moderation from the viewer list, the per-minute chat budget) and what it
//! lacks (language, audience), each checked against what the simulator then holds.

use crate::common;

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use stagehand::app::{Launch, StagehandApp};
use stagehand::backend::BackendConfig;
use stagehand::model::PlatformId;
use stagehand::platform::PlatformClient;
use stagehand::platform::velora::sim_client as velora_sim_client;
use stagehand::sim::velora::{VeloraSim, VeloraSimOptions};
use std::collections::HashMap;
use std::sync::Arc;

const VELORA: PlatformId = PlatformId::Velora;

struct Window {
    harness: Harness<'static, StagehandApp>,
    sim: Arc<VeloraSim>,
    _runtime: tokio::runtime::Runtime,
}

fn window() -> Window {
    let runtime = common::harness::runtime();
    let sim = Arc::new(
        runtime
            .block_on(VeloraSim::start(VeloraSimOptions {
                live_viewer_paging: false,
                ..VeloraSimOptions::default()
            }))
            .expect("simulator"),
    );
    let client = velora_sim_client(&sim).expect("client");
    let backend = BackendConfig::new(HashMap::from([(VELORA, PlatformClient::new(client))]));
    let mut launch = Launch::new(true, backend, runtime.handle().clone());
    launch.keep_alive.push(Box::new(Arc::clone(&sim)));
    let app = StagehandApp::new(launch, None);
    let harness = common::harness::app_harness(app, 1280.0, 1000.0);
    let mut w = Window {
        harness,
        sim,
        _runtime: runtime,
    };
    w.wait_for("the Velora channel, account and viewers", |app| {
        app.state()
            .platforms
            .get(&VELORA)
            .is_some_and(|p| p.channel.is_some() && p.account.is_some() && p.viewers.is_some())
    });
    w
}

impl Window {
    fn wait_for(&mut self, what: &str, cond: impl Fn(&StagehandApp) -> bool) {
        common::harness::step_until(&mut self.harness, what, cond);
    }
}

#[test]
fn the_stream_key_is_regenerated_only_after_a_confirmation() {
    let mut w = window();
    let before = w.sim.stream_key();
    w.harness.get_by_label("Regenerate key…").click_accesskit();
    w.harness.run_steps(2);
    assert!(
        w.harness
            .query_by_label_contains("stops your encoder")
            .is_some(),
        "the user is told what a new key breaks"
    );
    w.harness
        .get_by_label("Keep the current key")
        .click_accesskit();
    w.harness.run_steps(3);
    assert_eq!(w.sim.stream_key(), before, "nothing happens without a yes");

    w.harness.get_by_label("Regenerate key…").click_accesskit();
    w.harness.run_steps(2);
    w.harness.get_by_label("Regenerate now").click_accesskit();
    w.wait_for("the new key", |app| {
        app.state().platforms[&VELORA].key_regenerated.is_some()
    });
    let after = w.sim.stream_key();
    assert_ne!(after, before, "Velora holds a new key");
    let shown = w.harness.state().state().platforms[&VELORA]
        .stream_key
        .clone()
        .expect("the new key is in the window");
    assert_eq!(shown.expose(), after, "the window has the key Velora holds");
    assert!(
        w.harness.query_by_label(&after).is_none(),
        "the new key stays hidden until asked for"
    );
    assert!(
        w.harness
            .query_by_label_contains("copy it into your encoder")
            .is_some()
    );
}

#[test]
fn a_viewer_is_timed_out_from_the_viewer_list() {
    let mut w = window();
    let target = {
        let list = w.harness.state().state().platforms[&VELORA]
            .viewers
            .clone()
            .expect("viewers");
        list.viewers
            .iter()
            .find(|v| v.roles.is_empty())
            .expect("a plain viewer")
            .name
            .clone()
    };
    w.harness.get_by_label("Filter").type_text(&target);
    w.harness.run_steps(3);
    w.harness.get_by_label(&target).click_secondary();
    w.harness.run_steps(2);
    w.harness
        .get_by_label("Time out for 10 minutes")
        .click_accesskit();
    w.wait_for("the moderation answer", |app| {
        app.state().platforms[&VELORA].moderation_note.is_some()
    });
    let log = w.sim.moderation_log();
    let last = log.last().expect("Velora received the action");
    assert_eq!(last.action, "timeout");
    assert_eq!(last.duration_secs, Some(600));
    assert!(
        w.harness
            .query_by_label_contains(&format!("Timed out {target}"))
            .is_some(),
        "the window says it worked"
    );
}

#[test]
fn the_chat_box_shows_velora_s_per_minute_budget() {
    let mut w = window();
    w.harness.get_by_label("Message").focus();
    w.harness.run_steps(1);
    w.harness.get_by_label("Message").type_text("hello chat");
    w.harness.run_steps(1);
    w.harness.get_by_label("Send").click_accesskit();
    w.wait_for("the chat budget", |app| {
        app.state().platforms[&VELORA].chat_budget.is_some()
    });
    assert!(
        w.harness
            .query_by_label_contains("29/30 messages left this minute")
            .is_some(),
        "one message of thirty is spent"
    );
    assert!(
        w.sim.chat_log().iter().any(|l| l.text == "hello chat"),
        "the line reached Velora"
    );
}

#[test]
fn velora_s_form_has_tags_and_no_language_or_audience() {
    let w = window();
    assert!(w.harness.query_by_label("Tags").is_some());
    assert!(w.harness.query_by_label("Language").is_none());
    assert!(w.harness.query_by_label("Audience").is_none());
    assert!(
        w.harness.query_by_label("Run ad").is_none(),
        "no commercials on Velora"
    );
}

#[test]
fn live_chat_shows_up_and_a_line_is_deleted_from_its_menu() {
    let mut w = window();
    let viewer = w
        .sim
        .chat_log()
        .into_iter()
        .find(|l| l.sender_id != w.sim.streamer().id)
        .expect("a viewer who chatted")
        .sender_username;
    let said = w
        .sim
        .say(&viewer, "buy cheap followers at spam.example")
        .expect("a known user");
    w.wait_for("the line in the chat panel", |app| {
        app.state().platforms[&VELORA]
            .chat
            .lines
            .iter()
            .any(|l| l.event.id.as_deref() == Some(said.as_str()))
    });
    assert!(
        w.harness.query_by_label_contains("● live").is_some(),
        "the panel says chat is live"
    );
    w.harness
        .get_by_label("buy cheap followers at spam.example")
        .click_secondary();
    w.harness.run_steps(2);
    w.harness
        .get_by_label("Delete this message")
        .click_accesskit();
    w.wait_for("the moderation answer", |app| {
        app.state().platforms[&VELORA].moderation_note.is_some()
    });
    let log = w.sim.moderation_log();
    let last = log.last().expect("Velora received the action");
    assert_eq!(last.action, "delete");
    assert_eq!(last.message_id.as_deref(), Some(said.as_str()));
    assert!(
        w.sim
            .chat_log()
            .iter()
            .any(|l| l.message_id == said && l.deleted),
        "Velora deleted it"
    );
    assert!(
        w.harness
            .query_by_label_contains("Deleted a message of")
            .is_some(),
        "the window says it worked"
    );
    let p = &w.harness.state().state().platforms[&VELORA];
    assert!(
        p.chat
            .lines
            .iter()
            .any(|l| l.event.id.as_deref() == Some(said.as_str()) && l.deleted),
        "the line is shown deleted"
    );
}

#[test]
fn a_sent_line_gives_way_to_its_echo_in_chat() {
    let mut w = window();
    w.harness.get_by_label("Message").focus();
    w.harness.run_steps(1);
    w.harness
        .get_by_label("Message")
        .type_text("thanks for the raid!");
    w.harness.run_steps(1);
    w.harness.key_press(egui::Key::Enter);
    w.wait_for("the echo", |app| {
        let chat = &app.state().platforms[&VELORA].chat;
        chat.sent.is_empty()
            && chat
                .lines
                .iter()
                .any(|l| l.event.text() == "thanks for the raid!")
    });
    let me = w.sim.streamer();
    let line = w
        .sim
        .chat_log()
        .into_iter()
        .find(|l| l.text == "thanks for the raid!")
        .expect("Velora has it");
    assert_eq!(line.sender_id, me.id);
    // Shown once: the echo, not the pending line beside it.
    w.harness.run_steps(2);
    assert_eq!(
        w.harness.query_all_by_label("thanks for the raid!").count(),
        1
    );
}

#[test]
fn an_open_menu_stays_with_its_line_while_chat_moves_on() {
    let mut w = window();
    let others: Vec<String> = {
        let me = w.sim.streamer().id;
        let mut names: Vec<String> = w
            .sim
            .chat_log()
            .into_iter()
            .filter(|l| l.sender_id != me)
            .map(|l| l.sender_username)
            .collect();
        names.dedup();
        names
    };
    let (author, chatty) = (&others[0], &others[1..]);
    let target = w
        .sim
        .say(author, "the line to delete")
        .expect("a known user");
    w.wait_for("the line", |app| {
        app.state().platforms[&VELORA]
            .chat
            .lines
            .iter()
            .any(|l| l.event.id.as_deref() == Some(target.as_str()))
    });
    w.harness
        .get_by_label("the line to delete")
        .click_secondary();
    w.harness.run_steps(2);
    // Chat moves on under the open menu: the line scrolls up, others take its place.
    let mut last = String::new();
    for n in 0..40 {
        let who = &chatty[n % chatty.len()];
        last = w
            .sim
            .say(who, &format!("busy chat {n}"))
            .expect("a known user");
    }
    w.wait_for("the busy chat", |app| {
        app.state().platforms[&VELORA]
            .chat
            .lines
            .iter()
            .any(|l| l.event.id.as_deref() == Some(last.as_str()))
    });
    w.harness
        .get_by_label("Delete this message")
        .click_accesskit();
    w.wait_for("the moderation answer", |app| {
        app.state().platforms[&VELORA].moderation_note.is_some()
    });
    let log = w.sim.moderation_log();
    let done = log.last().expect("Velora received the action");
    assert_eq!(done.action, "delete");
    assert_eq!(
        done.message_id.as_deref(),
        Some(target.as_str()),
        "the line the menu was opened on, not the one now in its place"
    );
    // With the menu closed the log follows the newest lines again.
    let newest = w
        .sim
        .say(&chatty[0], "after the menu")
        .expect("a known user");
    w.wait_for("the newest line", |app| {
        app.state().platforms[&VELORA]
            .chat
            .lines
            .iter()
            .any(|l| l.event.id.as_deref() == Some(newest.as_str()))
    });
    w.harness.run_steps(5);
    assert!(
        w.harness.query_by_label("after the menu").is_some(),
        "the newest line is in view"
    );
}

#[test]
fn an_open_menu_keeps_its_line_when_old_lines_leave_the_log() {
    use stagehand::model::{ChatEvent, ChatUser, EventKind};
    use stagehand::state::ChatLog;
    let mut w = window();
    let line = |n: usize, who: &str| ChatEvent {
        platform: VELORA,
        id: Some(format!("synthetic-{n}")),
        at: time::OffsetDateTime::now_utc(),
        user: Some(ChatUser {
            id: Some(format!("user-{who}")),
            name: Some(who.to_lowercase()),
            display_name: who.to_owned(),
            roles: Vec::new(),
        }),
        kind: EventKind::Message {
            text: format!("synthetic line {n}"),
            reply_to: None,
        },
    };
    // A full log whose last line is the one to act on.
    let full: Vec<_> = (0..ChatLog::KEEP - 1)
        .map(|n| line(n, &format!("Chatter{}", n % 7)))
        .chain(std::iter::once(line(ChatLog::KEEP, "TheTarget")))
        .collect();
    w.harness
        .state_mut()
        .state_mut()
        .apply(stagehand::command::Event::ChatArrived {
            platform: VELORA,
            events: full,
        });
    // Long enough for the log to settle at its bottom.
    w.harness.run_steps(10);
    w.harness
        .get_by_label(&format!("synthetic line {}", ChatLog::KEEP))
        .click_secondary();
    w.harness.run_steps(2);
    assert!(
        w.harness.query_by_label("Delete this message").is_some(),
        "the menu is open"
    );
    // Old lines leave the front of the log as new ones come: every line moves up one
    // place per new line.
    let more: Vec<_> = (0..5)
        .map(|n| line(ChatLog::KEEP + 1 + n, "Latecomer"))
        .collect();
    w.harness
        .state_mut()
        .state_mut()
        .apply(stagehand::command::Event::ChatArrived {
            platform: VELORA,
            events: more,
        });
    w.harness.run_steps(3);
    w.harness
        .get_by_label("Delete this message")
        .click_accesskit();
    w.wait_for("the moderation answer", |app| {
        app.state().platforms[&VELORA].moderation_note.is_some()
    });
    // Velora does not know these made-up lines, so it refuses; what matters is whom the
    // window acted on.
    let note = format!(
        "{:?}",
        w.harness.state().state().platforms[&VELORA].moderation_note
    );
    assert!(note.contains("TheTarget"), "{note}");
}
