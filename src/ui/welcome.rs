//! What the window shows while no platform is signed in: on a first start, or after Sign
//! out. One clear next step instead of empty panels.

use super::PanelCx;
use crate::model::PlatformId;
use eframe::egui::{self, RichText, Ui};

/// Every platform's name, as a sentence lists them ("Trovo, Twitch or Velora").
fn every_platform() -> String {
    let names: Vec<&str> = PlatformId::ALL.iter().map(|p| p.display_name()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

/// Draws the welcome in the centre of the window.
pub fn show(ui: &mut Ui, cx: &mut PanelCx<'_>) {
    ui.vertical_centered(|ui| {
        ui.add_space((ui.available_height() * 0.25).min(160.0));
        ui.heading("Welcome to Stagehand");
        ui.add_space(8.0);
        ui.label(format!(
            "Sign in to {} to set your title, category and tags, and to see who is watching.",
            every_platform()
        ));
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
