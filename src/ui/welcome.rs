//! What the window shows while no platform is signed in: on a first start, or after Sign
//! out. One clear next step instead of empty panels.

use super::PanelCx;
use eframe::egui::{self, RichText, Ui};

/// Draws the welcome in the centre of the window.
pub fn show(ui: &mut Ui, cx: &mut PanelCx<'_>) {
    ui.vertical_centered(|ui| {
        ui.add_space((ui.available_height() * 0.25).min(160.0));
        ui.heading("Welcome to Stagehand");
        ui.add_space(8.0);
        ui.label(
            "Sign in to Trovo or Twitch to set your title, category and tags, and to see who is watching.",
        );
        ui.add_space(12.0);
        if ui
            .add(egui::Button::new(RichText::new("Open Settings → Accounts").strong()))
            .clicked()
        {
            cx.local.settings_open = true;
        }
        ui.add_space(16.0);
        ui.label(
            RichText::new(
                "To look around first, open \"Try the Demo\" from Stagehand's menu entry, or run: stagehand --demo. Simulated channels, no account needed.",
            )
                .small()
                .weak(),
        );
    });
}
