//! What the window benchmarks share: the app with no platform behind it (the benchmark
//! loads the state itself), and one whole headless frame of it.

// Each benchmark binary compiles this module and uses a part of it.
#![allow(dead_code)]

use eframe::egui;
use stagehand::app::{Launch, StagehandApp};
use stagehand::backend::BackendConfig;
use std::collections::HashMap;

/// The runtime the benchmarked window's backend runs on (one worker: it has nothing to do).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Warms a window up (fonts, layout caches, built rows), then measures one whole frame.
pub fn bench_frames(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    ctx: &egui::Context,
    app: &mut StagehandApp,
) {
    for _ in 0..5 {
        frame(ctx, app);
    }
    group.bench_function(name, |b| b.iter(|| std::hint::black_box(frame(ctx, app))));
}

/// The window with no client and no simulator: drawing is measured, not the network.
pub fn offline_app(runtime: &tokio::runtime::Runtime) -> StagehandApp {
    let launch = Launch::new(
        true,
        BackendConfig::new(HashMap::new()),
        runtime.handle().clone(),
    );
    StagehandApp::new(launch, None)
}

/// One whole frame at 1280×800: events drained, panels drawn, shapes tessellated; answers
/// how many meshes came out (for `black_box`).
pub fn frame(ctx: &egui::Context, app: &mut StagehandApp) -> usize {
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1280.0, 800.0),
        )),
        ..Default::default()
    };
    let output = ctx.run_ui(input, |ui| {
        app.drain(ui.ctx());
        app.draw(ui);
    });
    ctx.tessellate(output.shapes, output.pixels_per_point).len()
}
