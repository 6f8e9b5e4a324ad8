//! What the window benchmarks share: one whole headless frame of the app.

use eframe::egui;
use stagehand::app::StagehandApp;

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
