//! The real window, driven with egui_kittest against the simulator over loopback HTTP: the
//! same app, backend and client as `--demo`, found by the names a screen reader says.
//! Every frame is also checked for controls without an accessible name, and for glyphs
//! that would draw as boxes (names in Chinese, Korean, Arabic, emoji).

use crate::common;

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use stagehand::app::{Launch, StagehandApp};
use stagehand::backend::{BackendConfig, Intervals};
use stagehand::model::PlatformId;
use stagehand::platform::PlatformClient;
use stagehand::platform::trovo::sim_client as trovo_sim_client;
use stagehand::sim::trovo::{SimOptions, TrovoSim};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const TROVO: PlatformId = PlatformId::Trovo;

/// The window against a fresh simulator. The runtime and the simulator live as long as the
/// harness (the simulator inside the app's keep-alive).
struct Window {
    harness: Harness<'static, StagehandApp>,
    sim: Arc<TrovoSim>,
    _runtime: tokio::runtime::Runtime,
}

fn window_with(size: (f32, f32), opts: SimOptions, intervals: Intervals) -> Window {
    let runtime = common::harness::runtime();
    let sim = Arc::new(runtime.block_on(TrovoSim::start(opts)).expect("simulator"));
    let client = trovo_sim_client(&sim).expect("client");
    let mut backend = BackendConfig::new(HashMap::from([(TROVO, PlatformClient::new(client))]));
    backend.intervals = intervals;
    let mut launch = Launch::new(true, backend, runtime.handle().clone());
    launch.keep_alive.push(Box::new(Arc::clone(&sim)));
    let app = StagehandApp::new(launch, None);
    let harness = common::harness::app_harness(app, size.0, size.1);
    Window {
        harness,
        sim,
        _runtime: runtime,
    }
}

/// eframe's storage, in memory: what `save` writes and a restart reads.
#[derive(Default)]
struct MemoryStorage(HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

fn window() -> Window {
    window_with((1280.0, 800.0), SimOptions::default(), Intervals::default())
}

impl Window {
    /// Steps frames (the backend answers in real time) until `cond` holds.
    fn wait_for(&mut self, what: &str, cond: impl Fn(&StagehandApp, &TrovoSim) -> bool) {
        let sim = &self.sim;
        common::harness::step_until(&mut self.harness, what, |app| cond(app, sim));
    }

    fn loaded(&mut self) {
        self.wait_for("the channel, the lists and the top categories", |app, _| {
            app.state().platforms.get(&TROVO).is_some_and(|p| {
                p.channel.is_some()
                    && p.viewers.is_some()
                    && p.account.is_some()
                    && !p.categories.page.categories.is_empty()
            })
        });
    }

    /// Replaces the text of the field a screen reader calls `label`.
    fn replace_text(&mut self, label: &str, text: &str) {
        self.harness.get_by_label(label).focus();
        self.harness.run_steps(1);
        self.harness
            .key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
        self.harness.run_steps(1);
        self.harness.get_by_label(label).type_text(text);
        // A changed field grows a "live now" line: let the layout settle before clicking.
        self.harness.run_steps(3);
    }
}

#[test]
fn title_and_category_by_search_applied_reach_the_platform() {
    let mut w = window();
    w.loaded();
    w.replace_text("Title", "Speedrunning with chat 🎮");
    w.harness.get_by_label("Category").focus();
    w.harness.run_steps(1);
    w.harness.get_by_label("Category").type_text("minecr");
    w.wait_for("search results for minecr", |app, _| {
        app.state().platforms[&TROVO].categories.query == "minecr"
            && !app.state().platforms[&TROVO].categories.loading
    });
    w.harness.get_by_label("Minecraft").click();
    w.harness.run_steps(2);
    assert!(
        w.harness
            .query_by_label_contains("Changed: title, category")
            .is_some(),
        "the form says what differs from what is live"
    );
    w.harness.get_by_label("Apply").click();
    w.wait_for("the simulator's channel to change", |_, sim| {
        sim.channel().category_name == "Minecraft"
    });
    let live = w.sim.channel();
    assert_eq!(live.title, "Speedrunning with chat 🎮");
    w.wait_for("the draft to settle", |app, _| {
        app.state().platforms[&TROVO]
            .channel
            .as_ref()
            .is_some_and(|c| c.title == "Speedrunning with chat 🎮")
    });
    assert!(w.harness.query_by_label_contains("No changes").is_some());
}

#[test]
fn the_category_picker_works_from_the_keyboard() {
    let mut w = window();
    w.loaded();
    w.harness.get_by_label("Category").focus();
    w.harness.run_steps(2);
    let top: Vec<String> = w.harness.state().state().platforms[&TROVO]
        .categories
        .page
        .categories
        .iter()
        .map(|c| c.name.clone())
        .collect();
    assert!(top.len() > 3, "the top list shows while the box is empty");
    w.harness.key_press(egui::Key::ArrowDown);
    w.harness.run_steps(1);
    w.harness.key_press(egui::Key::ArrowDown);
    w.harness.run_steps(1);
    w.harness.key_press(egui::Key::Enter);
    w.harness.run_steps(2);
    let picked = w.harness.state_mut().view_mut().drafts[&TROVO]
        .category
        .clone()
        .expect("Enter picked the highlighted category");
    assert_eq!(picked.name, top[2]);
    // Escape closes an open list without picking; the arrow key opens it again.
    w.harness.key_press(egui::Key::ArrowDown);
    w.harness.run_steps(2);
    assert!(
        w.harness.query_by_label(&top[1]).is_some(),
        "the list is open"
    );
    w.harness.key_press(egui::Key::Escape);
    w.harness.run_steps(2);

    assert!(
        w.harness.query_by_label(&top[1]).is_none(),
        "Escape closed it"
    );
}

#[test]
fn a_rejected_apply_keeps_the_draft_and_says_why() {
    let mut w = window();
    w.loaded();
    let before = w.sim.channel();
    // The simulator's moderation rule refuses titles with this word (Trovo code 11101).
    w.replace_text("Title", "a forbidden title");
    w.harness.get_by_label("Apply").click();
    w.wait_for("the refusal", |app, _| {
        app.state().platforms[&TROVO].update_error.is_some()
    });
    assert!(
        w.harness
            .query_all_by_label_contains(
                "Not applied: Trovo: the text conflicts with Trovo's moderation rules"
            )
            .count()
            == 1,
        "the error is shown beside the form in plain words"
    );
    assert_eq!(w.sim.channel(), before, "nothing changed on the platform");
    let draft = w.harness.state_mut().view_mut().drafts[&TROVO]
        .title
        .clone();
    assert_eq!(
        draft.as_deref(),
        Some("a forbidden title"),
        "the draft is intact"
    );
    assert_eq!(
        w.harness.get_by_label("Title").value().as_deref(),
        Some("a forbidden title")
    );
}

#[test]
fn the_draft_and_the_unsent_chat_line_survive_a_restart() {
    let mut w = window();
    w.loaded();
    w.replace_text("Title", "half-typed title");
    w.harness.get_by_label("Message").focus();
    w.harness.run_steps(1);
    w.harness.get_by_label("Message").type_text("unsent line");
    w.harness.run_steps(1);
    let mut storage = MemoryStorage::default();
    eframe::App::save(w.harness.state_mut(), &mut storage);
    drop(w);

    // A new window, as after a restart (the simulator is new too).
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let sim = runtime
        .block_on(TrovoSim::start(SimOptions::default()))
        .expect("simulator");
    let client = trovo_sim_client(&sim).expect("client");
    let launch = Launch::new(
        true,
        BackendConfig::new(HashMap::from([(TROVO, PlatformClient::new(client))])),
        runtime.handle().clone(),
    );
    let mut app = StagehandApp::new(launch, Some(&storage));
    assert_eq!(
        app.view_mut().drafts[&TROVO].title.as_deref(),
        Some("half-typed title")
    );
    assert_eq!(app.view_mut().chat_drafts[&TROVO], "unsent line");
}

#[test]
fn the_viewer_filter_finds_one_among_thousands() {
    let mut w = window_with(
        (1280.0, 800.0),
        SimOptions {
            viewers: 5000,
            ..Default::default()
        },
        Intervals::default(),
    );
    w.loaded();
    let list = w.harness.state().viewers(TROVO).expect("viewers");
    let moderator = list
        .viewers
        .iter()
        .find(|v| v.roles.iter().any(|r| r == "moderator"))
        .expect("a moderator")
        .name
        .clone();
    assert!(
        w.harness.query_by_label(&moderator).is_some(),
        "moderators show first"
    );
    let target = list
        .viewers
        .iter()
        .rev()
        .find(|v| v.roles.is_empty() && v.name.is_ascii() && v.name.len() > 5)
        .expect("a plain viewer far down the list")
        .name
        .clone();
    assert!(
        w.harness.query_by_label(&target).is_none(),
        "rows off screen are not drawn"
    );
    w.harness.get_by_label("Filter").focus();
    w.harness.run_steps(1);
    w.harness.get_by_label("Filter").type_text(&target);
    w.harness.run_steps(3);
    assert!(
        w.harness.query_by_label(&target).is_some(),
        "the filter found them"
    );
    assert!(
        w.harness.query_by_label(&moderator).is_none(),
        "others are filtered out"
    );
    assert!(w.harness.query_by_label_contains("Everyone (1)").is_some());
}

#[test]
fn a_chat_line_reaches_the_channel_and_enter_sends() {
    let mut w = window();
    w.loaded();
    w.harness.get_by_label("Message").focus();
    w.harness.run_steps(1);
    w.harness
        .get_by_label("Message")
        .type_text("hello from the window 안녕");
    w.harness.run_steps(1);
    w.harness.key_press(egui::Key::Enter);
    w.wait_for("the simulator to receive the line", |_, sim| {
        sim.chat_log()
            .iter()
            .any(|l| l.content == "hello from the window 안녕")
    });
    // Sent, then shown back by Trovo's chat in place of the pending line (whichever of
    // the send's answer and the echo comes first).
    w.wait_for("chat to show the line back", |app, _| {
        let chat = &app.state().platforms[&TROVO].chat;
        chat.sent.is_empty()
            && chat
                .lines
                .iter()
                .any(|l| l.event.text() == "hello from the window 안녕")
    });
    w.harness.run_steps(1);
    assert!(
        w.harness
            .query_by_label_contains("hello from the window 안녕")
            .is_some()
    );
    assert!(w.harness.query_by_label_contains("sending…").is_none());
    assert_eq!(
        w.harness.get_by_label("Message").value().as_deref(),
        Some(""),
        "the box is empty for the next line"
    );
}

#[test]
fn a_line_said_on_trovo_shows_in_chat_and_a_right_click_deletes_it() {
    let mut w = window();
    w.loaded();
    w.wait_for("chat to be live", |app, _| {
        matches!(
            app.state().platforms[&TROVO].chat.status,
            Some(stagehand::command::ChatFeedStatus::Live)
        )
    });
    let viewer = w
        .sim
        .chatters()
        .into_iter()
        .find(|c| c.nickname.is_ascii() && c.roles.iter().all(|r| r != "mod"))
        .expect("a viewer who is not a moderator");
    let text = "is this thing on? 📢";
    let id = w.sim.say(&viewer.username, text).expect("said");
    w.wait_for("the line in the panel", |app, _| {
        app.state().platforms[&TROVO]
            .chat
            .lines
            .iter()
            .any(|l| l.event.id.as_deref() == Some(id.as_str()))
    });
    assert!(
        w.harness.query_by_label(&viewer.nickname).is_some(),
        "the author"
    );
    w.harness.get_by_label(text).click_secondary();
    w.harness.run_steps(2);
    w.harness
        .get_by_label("Delete this message")
        .click_accesskit();
    w.wait_for("the deletion", |app, sim| {
        !sim.deletions().is_empty() && app.state().platforms[&TROVO].moderation_note.is_some()
    });
    let deleted = w.sim.deletions();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].message_id, id);
    assert_eq!(deleted[0].sender_id, viewer.user_id);
    w.harness.run_steps(2);
    let line = w.harness.state().state().platforms[&TROVO]
        .chat
        .lines
        .iter()
        .find(|l| l.event.id.as_deref() == Some(id.as_str()))
        .cloned()
        .expect("the line stays in the log");
    assert!(line.deleted, "shown deleted, not dropped");
    assert!(w.harness.query_by_label("deleted").is_some());
    assert!(
        w.harness
            .query_all_by_label_contains(&format!("Deleted a message of {}", viewer.nickname))
            .next()
            .is_some(),
        "the window says it worked"
    );
}

#[test]
fn a_refused_chat_line_is_shown_and_can_be_edited_again() {
    let mut w = window();
    w.loaded();
    w.sim.inject(
        stagehand::sim::trovo::FaultRule::new(stagehand::sim::trovo::Fault::RateLimited {
            reset_in_secs: 1,
        })
        .on_path("chat/send"),
    );
    w.harness.get_by_label("Message").focus();
    w.harness.run_steps(1);
    w.harness.get_by_label("Message").type_text("keep me");
    w.harness.get_by_label("Send").click();
    w.wait_for("the failure", |app, _| {
        app.state().platforms[&TROVO]
            .chat
            .sent
            .iter()
            .any(|l| matches!(l.status, stagehand::state::SendStatus::Failed(_)))
    });
    assert!(w.harness.query_by_label_contains("not sent").is_some());
    w.harness.get_by_label("Edit again").click();
    w.harness.run_steps(2);
    assert_eq!(
        w.harness.get_by_label("Message").value().as_deref(),
        Some("keep me")
    );
    assert!(!w.sim.chat_log().iter().any(|l| l.content == "keep me"));
}

#[test]
fn people_tabs_show_followers_and_subscribers() {
    let mut w = window();
    w.loaded();
    w.wait_for("followers and subscribers", |app, _| {
        let p = &app.state().platforms[&TROVO];
        p.followers.is_some() && p.subscribers.is_some()
    });
    let (followers, newest, subscribers) = {
        let p = &w.harness.state().state().platforms[&TROVO];
        let f = p.followers.as_ref().expect("followers");
        let s = p.subscribers.as_ref().expect("subscribers");
        (f.total, f.followers[0].name.clone(), s.total)
    };
    // The tabs carry their counts; a role group of viewers is also called Followers.
    w.harness
        .get_by_label(&format!("Followers ({followers})"))
        .click();
    w.harness.run_steps(2);
    assert!(w.harness.query_by_label(&newest).is_some(), "newest first");
    assert!(
        w.harness.query_all_by_label("NEW").count() > 0,
        "followers since the stream began are marked"
    );
    assert!(w.harness.query_by_label("0 new this stream").is_none());
    w.harness
        .get_by_label(&format!("Subscribers ({subscribers})"))
        .click();
    w.harness.run_steps(2);
    assert!(w.harness.query_all_by_label_contains("Tier ").count() > 3);
}

#[test]
fn audience_choices_are_named_by_their_own_text() {
    let mut w = window();
    w.loaded();
    for name in ["All ages", "13+", "18+"] {
        assert!(
            w.harness.query_by_label(name).is_some(),
            "a screen reader says {name}"
        );
    }
    w.harness.get_by_label("18+").click();
    w.harness.run_steps(2);
    assert!(
        w.harness
            .query_by_label_contains("Changed: audience")
            .is_some()
    );
}

#[test]
fn the_stream_key_is_hidden_until_asked_for_and_copies() {
    let mut w = window();
    w.loaded();
    let key = w
        ._runtime
        .block_on(trovo_sim_client(&w.sim).expect("client").own_channel())
        .expect("own channel")
        .stream_key
        .expect("a key");
    assert!(
        w.harness.query_by_label_contains(key.expose()).is_none(),
        "hidden by default"
    );
    w.harness.get_by_label("Copy key").click();
    // The key is fetched on demand and copied in the frame it arrives in.
    let mut copied = false;
    for _ in 0..200 {
        w.harness.step();
        copied = w
            .harness
            .output()
            .platform_output
            .commands
            .iter()
            .any(|c| matches!(c, egui::OutputCommand::CopyText(t) if t == key.expose()));
        if copied {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(copied, "Copy put the key on the clipboard");
    w.harness.run_steps(2);
    assert!(
        w.harness.query_by_label_contains(key.expose()).is_none(),
        "copying does not show it"
    );
    w.harness.get_by_label("Show key").click();
    w.harness.run_steps(2);
    assert!(
        w.harness.query_by_label(key.expose()).is_some(),
        "shown on demand"
    );
    w.harness.get_by_label("Hide key").click();
    w.harness.run_steps(2);
    assert!(w.harness.query_by_label(key.expose()).is_none());
}

#[test]
fn settings_show_the_account_and_switch_the_theme() {
    let mut w = window();
    w.loaded();
    w.harness.get_by_label("⚙ Settings").click();
    w.harness.run_steps(2);
    assert!(w.harness.query_by_label_contains("Signed in as").is_some());
    w.wait_for("the sign-in status", |app, _| {
        app.state().platforms[&TROVO].sign_in.is_some()
    });
    assert!(
        w.harness.query_by_label_contains("valid until").is_some(),
        "the expiry is shown"
    );
    w.harness.get_by_label("Light").click();
    w.harness.run_steps(2);
    assert_eq!(
        w.harness.state_mut().view_mut().theme,
        stagehand::ui::settings::Theme::Light
    );
    assert_eq!(
        w.harness.ctx.theme(),
        egui::Theme::Light,
        "the light theme is on"
    );
}

#[test]
fn a_narrow_window_puts_chat_beside_the_people_lists() {
    let mut w = window_with((900.0, 700.0), SimOptions::default(), Intervals::default());
    w.loaded();
    assert!(
        w.harness.query_by_label("Message").is_none(),
        "no chat column"
    );
    w.harness.get_by_label("Chat").click();
    w.harness.run_steps(2);
    assert!(
        w.harness.query_by_label("Message").is_some(),
        "chat in the centre"
    );
    assert!(
        w.harness.query_by_label("Apply").is_some(),
        "the form stays"
    );
}

#[test]
fn an_idle_window_does_not_repaint() {
    let quiet = Intervals {
        channel: Duration::from_secs(3600),
        viewers: Duration::from_secs(3600),
        followers: Duration::from_secs(3600),
        subscribers: Duration::from_secs(3600),
        sign_in: Duration::from_secs(3600),
        stats: Duration::from_secs(3600),
    };
    let mut w = window_with((1280.0, 800.0), SimOptions::default(), quiet);
    w.loaded();
    // Let every startup answer and every icon arrive.
    std::thread::sleep(Duration::from_millis(500));
    w.harness.run_steps(3);
    let steps = w
        .harness
        .try_run()
        .expect("the window settles instead of repainting every frame");
    assert!(steps <= 3, "settled in {steps} frames");
    // Nothing happens for a while: no frame is asked for.
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !w.harness.ctx.has_requested_repaint(),
        "an idle window asks for no repaint"
    );
}

#[test]
fn a_refused_sign_in_offers_to_sign_in_again() {
    let runtime = common::harness::runtime();
    let sim = Arc::new(
        runtime
            .block_on(TrovoSim::start(SimOptions::default()))
            .expect("simulator"),
    );
    // A token the platform never issued, and no refresh token to recover with.
    let mut settings = stagehand::platform::trovo::sim_settings(&sim);
    settings.insert(
        "STAGEHAND_TROVO_CLIENT_ID".into(),
        TrovoSim::CLIENT_ID.into(),
    );
    settings.insert("STAGEHAND_TROVO_ACCESS_TOKEN".into(), "never-issued".into());
    let lookup = stagehand::platform::registry::map_lookup(&settings);
    let client = TROVO.entry().client(&lookup).expect("client");
    let backend = BackendConfig::new(HashMap::from([(TROVO, client)]));
    let mut launch = Launch::new(true, backend, runtime.handle().clone());
    launch.keep_alive.push(Box::new(Arc::clone(&sim)));
    let app = StagehandApp::new(launch, None);
    let mut harness = common::harness::app_harness(app, 1280.0, 800.0);
    common::harness::step_until(&mut harness, "the refused account", |app| {
        app.state()
            .platforms
            .get(&TROVO)
            .and_then(|p| p.last_error.as_ref())
            .is_some_and(|e| e.needs_sign_in())
    });
    harness.run_steps(2);
    assert!(
        harness.query_by_label("Light").is_none(),
        "Settings is closed at first"
    );
    // By its accessibility action: the status bar's text before it may change width between
    // frames, and a click at last frame's position could miss.
    // A poll answered between frames may redraw the bar without the button for a frame,
    // so the click is given a few tries (each one frame apart) before failing.
    for _ in 0..5 {
        if let Some(button) = harness.query_by_label("Sign in to Trovo again") {
            button.click_accesskit();
        }
        harness.run_steps(3);
        if harness.query_by_label("Light").is_some() {
            break;
        }
    }
    assert!(
        harness.query_by_label("Light").is_some(),
        "the button opened Settings"
    );
}

#[test]
fn at_900_pixels_every_account_and_settings_fit_in_the_bar() {
    let runtime = common::harness::runtime();
    let (_reserved, port) = common::reserve_port();
    let demo = runtime
        .block_on(stagehand::launch::start_demo(&PlatformId::ALL, port))
        .expect("the simulators start");
    let backend = BackendConfig::new(demo.clients);
    let mut launch = Launch::new(true, backend, runtime.handle().clone());
    for sim in demo.sims {
        launch.keep_alive.push(sim);
    }
    let app = StagehandApp::new(launch, None);
    let mut harness = common::harness::app_harness(app, 900.0, 700.0);
    common::harness::step_until(&mut harness, "every account", |app| {
        PlatformId::ALL.iter().all(|p| {
            app.state()
                .platforms
                .get(p)
                .is_some_and(|s| s.account.is_some())
        })
    });
    harness.run_steps(2);
    let settings = harness.get_by_label("⚙ Settings").rect();
    assert!(
        settings.max.x <= 900.0,
        "Settings is on screen: {settings:?}"
    );
    for platform in PlatformId::ALL {
        let chip = harness
            .get_by_label_contains(&format!("{platform} account"))
            .rect();
        assert!(
            chip.max.x <= settings.min.x,
            "{platform}'s account ends before Settings: {chip:?} vs {settings:?}"
        );
    }
}
