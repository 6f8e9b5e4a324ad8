//! The all-platforms form in the window, against `--demo`'s three simulators: one title and
//! one game picked once reach every platform (each in its own category, read back from the
//! simulators), a platform that fails keeps its part of the draft with a Retry while the
//! others are applied, and presets, history and mappings outlast a restart in a real
//! database file.

use crate::common;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use stagehand::app::StagehandApp;
use stagehand::model::PlatformId;
use stagehand::sim::trovo::TrovoSim;
use stagehand::sim::twitch::TwitchSim;
use stagehand::sim::velora::{Fault, FaultRule, VeloraSim};
use std::any::Any;
use std::path::{Path, PathBuf};

const TITLE: &str = "Roguelike night: Hades runs";

/// The simulator of type `S` among the demo's.
fn sim<S: 'static>(sims: &[Box<dyn Any + Send>]) -> &S {
    sims.iter()
        .find_map(|s| s.downcast_ref::<S>())
        .expect("the demo runs that simulator")
}

/// A database file of the test's own.
fn scratch_db(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stagehand-ui-all-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("stagehand.sqlite3")
}

/// The window over the demo's simulators, with `db` as its database, once every channel
/// and the database have been read.
fn window(
    runtime: &tokio::runtime::Runtime,
    db: &Path,
) -> (Harness<'static, StagehandApp>, Vec<Box<dyn Any + Send>>) {
    let (mut harness, sims) = common::harness::demo_window(runtime, |backend| {
        backend.database = Some(db.to_path_buf());
    });
    common::harness::step_until(&mut harness, "every channel and the database", |app| {
        app.state().saved.is_some()
            && PlatformId::ALL.iter().all(|p| {
                app.state()
                    .platforms
                    .get(p)
                    .is_some_and(|s| s.channel.is_some())
            })
    });
    (harness, sims)
}

/// Switches the stream info panel to the all-platforms form.
fn open_form(harness: &mut Harness<'static, StagehandApp>) {
    let toggle = harness
        .get_all_by_label("All platforms")
        .find(|n| n.accesskit_node().role() != egui::accesskit::Role::CheckBox)
        .expect("the all-platforms toggle");
    toggle.click_accesskit();
    harness.run_steps(2);
    assert!(harness.state().view().all_platforms);
}

use eframe::egui;

#[test]
fn one_apply_reaches_every_platform_and_a_failure_keeps_its_part_with_a_retry() {
    let runtime = common::harness::runtime();
    let db = scratch_db("apply");
    let (mut harness, sims) = window(&runtime, &db);
    open_form(&mut harness);

    // One title for all.
    harness.get_by_label("Title").focus();
    harness.run_steps(1);
    harness.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    harness.run_steps(1);
    harness.get_by_label("Title").type_text(TITLE);
    harness.run_steps(2);
    // The game, searched on Trovo and matched on the others.
    harness.get_by_label("Category").focus();
    harness.get_by_label("Category").type_text("Hades");
    common::harness::step_until(&mut harness, "Trovo's search answers", |app| {
        let s = &app.state().platforms[&PlatformId::Trovo].categories;
        s.query == "Hades" && !s.loading && !s.page.categories.is_empty()
    });
    harness.get_by_label("Hades II").click_accesskit();
    common::harness::step_until(&mut harness, "the proposals", |app| {
        let m = &app.state().mapping;
        m.latest.is_some() && !m.loading
    });
    harness.get_by_label("Use these").click_accesskit();
    harness.run_steps(2);

    // Velora fails for now; the others go through.
    let velora = sim::<VeloraSim>(&sims);
    velora.inject(FaultRule::new(Fault::ServerErrorHtml).times(50));
    harness
        .get_by_label("Apply to 3 platforms")
        .click_accesskit();
    common::harness::step_until(&mut harness, "every platform's answer", |app| {
        let s = app.state();
        s.platforms[&PlatformId::Velora].update_error.is_some()
            && PlatformId::ALL
                .iter()
                .all(|p| s.platforms[p].update_pending.is_none())
    });
    let trovo = sim::<TrovoSim>(&sims).channel();
    assert_eq!(
        (trovo.title.as_str(), trovo.category_name.as_str()),
        (TITLE, "Hades II")
    );
    let twitch = sim::<TwitchSim>(&sims).channel();
    assert_eq!(
        (twitch.title.as_str(), twitch.game_name.as_str()),
        (TITLE, "Hades II")
    );
    assert_ne!(velora.stream().title, TITLE);
    // Velora's part of the draft is kept, with the sentence and a Retry.
    let draft = harness
        .state()
        .view()
        .drafts
        .get(&PlatformId::Velora)
        .cloned();
    let draft = draft.expect("Velora's draft is kept");
    assert_eq!(draft.title.as_deref(), Some(TITLE));
    assert_eq!(
        draft.category.as_ref().map(|c| c.name.as_str()),
        Some("Hades 2")
    );
    assert!(harness.query_by_label_contains("Not applied").is_some());
    velora.clear_faults();
    harness.get_by_label("Retry Velora").click_accesskit();
    common::harness::step_until(&mut harness, "Velora applied", |app| {
        let p = &app.state().platforms[&PlatformId::Velora];
        p.update_pending.is_none()
            && p.update_error.is_none()
            && p.channel.as_ref().is_some_and(|c| c.title == TITLE)
    });
    let stream = velora.stream();
    assert_eq!(
        (stream.title.as_str(), stream.category_slug.as_str()),
        (TITLE, "hades-2")
    );

    // The pick was remembered as one game, and the history kept each platform's.
    common::harness::step_until(&mut harness, "the history of all three", |app| {
        app.state()
            .saved
            .as_ref()
            .is_some_and(|s| s.history.iter().filter(|h| h.title == TITLE).count() == 3)
    });
    let saved = harness.state().state().saved.clone().expect("read");
    assert_eq!(saved.mappings.len(), 1, "{:?}", saved.mappings);
    assert_eq!(saved.mappings[0].categories.len(), 3);
    assert_eq!(saved.recent_titles.first().map(String::as_str), Some(TITLE));
    let _ = std::fs::remove_dir_all(db.parent().expect("dir"));
}

#[test]
fn presets_outlast_a_restart_and_a_damaged_database_is_set_aside() {
    let runtime = common::harness::runtime();
    let db = scratch_db("restart");
    {
        let (mut harness, _sims) = window(&runtime, &db);
        open_form(&mut harness);
        harness.get_by_label("Preset name").focus();
        harness
            .get_by_label("Preset name")
            .type_text("Chill Sunday");
        harness.run_steps(1);
        harness.get_by_label("Save").click_accesskit();
        common::harness::step_until(&mut harness, "the preset saved", |app| {
            app.state()
                .saved
                .as_ref()
                .is_some_and(|s| s.presets.iter().any(|p| p.name == "Chill Sunday"))
        });
    }
    // A new start over the same file: the preset is there.
    {
        let (mut harness, _sims) = window(&runtime, &db);
        let saved = harness.state().state().saved.clone().expect("read");
        let preset = saved
            .presets
            .iter()
            .find(|p| p.name == "Chill Sunday")
            .expect("the preset outlasted the restart");
        assert_eq!(preset.titles.len(), 3, "{preset:?}");
        open_form(&mut harness);
        assert!(harness.query_by_label("Preset").is_some());
    }
    // A damaged file: set aside with a message, and the window starts with a fresh one.
    std::fs::write(&db, b"not a database at all ".repeat(100)).expect("junk");
    for side in ["-wal", "-shm"] {
        let mut p = db.clone().into_os_string();
        p.push(side);
        let _ = std::fs::remove_file(p);
    }
    let (harness, _sims) = window(&runtime, &db);
    let notices = &harness.state().state().notices;
    assert!(
        notices
            .iter()
            .any(|n| n.contains("damaged") && n.contains("corrupt-")),
        "{notices:?}"
    );
    assert!(
        harness
            .state()
            .state()
            .saved
            .as_ref()
            .is_some_and(|s| s.presets.is_empty())
    );
    let _ = std::fs::remove_dir_all(db.parent().expect("dir"));
}
