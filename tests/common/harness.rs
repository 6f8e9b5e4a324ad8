//! The kittest harness every window test drives: a runtime for the backend, the app drawn
//! with the test fonts at a given size, and stepping frames until the backend has answered.

use eframe::egui;
use egui_kittest::Harness;
use stagehand::app::StagehandApp;
use std::time::Duration;

/// The runtime the window's backend runs on: two workers, timers and sockets on.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// `app` in a harness of `width` × `height` points, drawn with the glyphs the tests carry.
pub fn app_harness(app: StagehandApp, width: f32, height: f32) -> Harness<'static, StagehandApp> {
    Harness::builder()
        .with_size(egui::vec2(width, height))
        .with_context_setup(super::fonts::install_test_fonts)
        .build_ui_state(
            |ui, app: &mut StagehandApp| {
                app.drain(ui.ctx());
                app.draw(ui);
            },
            app,
        )
}

/// The window over `--demo`'s three simulators, its backend set up by `configure` (a
/// database, faster polls); answers the simulators too, for the test to cue.
pub fn demo_window(
    runtime: &tokio::runtime::Runtime,
    configure: impl FnOnce(&mut stagehand::backend::BackendConfig),
) -> (
    Harness<'static, StagehandApp>,
    Vec<Box<dyn std::any::Any + Send>>,
) {
    let (_reserved, port) = super::reserve_port();
    let demo = runtime
        .block_on(stagehand::launch::start_demo(
            &stagehand::model::PlatformId::ALL,
            port,
        ))
        .expect("the simulators start");
    let mut backend = stagehand::backend::BackendConfig::new(demo.clients);
    configure(&mut backend);
    let launch = stagehand::app::Launch::new(true, backend, runtime.handle().clone());
    let app = StagehandApp::new(launch, None);
    (app_harness(app, 1280.0, 800.0), demo.sims)
}

/// Steps frames (the backend answers in real time) until `cond` holds, then two more so
/// what it changed is drawn; panics naming `what` after ten seconds.
pub fn step_until(
    harness: &mut Harness<'static, StagehandApp>,
    what: &str,
    cond: impl Fn(&StagehandApp) -> bool,
) {
    for _ in 0..400 {
        harness.step();
        if cond(harness.state()) {
            harness.run_steps(2);
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("timed out waiting for {what}");
}
