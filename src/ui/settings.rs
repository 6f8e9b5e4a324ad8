//! The Settings window: appearance, and each platform's account as configured. Signing in
//! from here arrives with the sign-in work; until then it says how to configure an account.

use super::PanelCx;
use crate::model::PlatformId;
use eframe::egui::{self, RichText, Ui};
use serde::{Deserialize, Serialize};

/// The colour theme the user chose.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Theme {
    /// Follow the operating system.
    #[default]
    System,
    Dark,
    Light,
}

impl Theme {
    /// egui's preference for this choice.
    pub fn preference(self) -> egui::ThemePreference {
        match self {
            Theme::System => egui::ThemePreference::System,
            Theme::Dark => egui::ThemePreference::Dark,
            Theme::Light => egui::ThemePreference::Light,
        }
    }
}

/// Draws the Settings window while it is open.
pub fn show(ctx: &egui::Context, cx: &mut PanelCx<'_>) {
    let mut open = cx.local.settings_open;
    egui::Window::new("Settings")
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .default_width(420.0)
        .anchor(egui::Align2::CENTER_TOP, [0.0, 80.0])
        .show(ctx, |ui| {
            ui.heading("Appearance");
            ui.horizontal(|ui| {
                ui.label("Theme");
                for (t, name) in [
                    (Theme::System, "Follow the system"),
                    (Theme::Dark, "Dark"),
                    (Theme::Light, "Light"),
                ] {
                    ui.radio_value(&mut cx.view.theme, t, name);
                }
            });
            ui.separator();
            ui.heading("Accounts");
            for platform in PlatformId::ALL {
                account(ui, cx, platform);
            }
        });
    cx.local.settings_open = open;
}

fn account(ui: &mut Ui, cx: &mut PanelCx<'_>, platform: PlatformId) {
    ui.group(|ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(platform.display_name()).strong());
        match cx.state.platforms.get(&platform) {
            Some(p) => match &p.account {
                Some(a) => {
                    ui.label(format!("Signed in as {} ({})", a.display_name, a.name));
                    if let Some(status) = &p.sign_in {
                        let until = status.expires_at.map_or_else(
                            || "no expiry given".to_owned(),
                            |t| {
                                let t = t.to_offset(time::UtcOffset::UTC);
                                format!(
                                    "valid until {} {:02}:{:02} UTC",
                                    super::widgets::date(t),
                                    t.hour(),
                                    t.minute()
                                )
                            },
                        );
                        ui.label(
                            egui::RichText::new(format!(
                                "{until} · {} permissions",
                                status.scopes.len()
                            ))
                            .small()
                            .weak(),
                        )
                        .on_hover_text(status.scopes.join("\n"));
                    }
                }
                None => {
                    ui.label("Configured; waiting for the account to answer.");
                }
            },
            None if platform == PlatformId::Trovo => {
                ui.label(
                    "Not configured. Set STAGEHAND_TROVO_CLIENT_ID and STAGEHAND_TROVO_ACCESS_TOKEN (see the README); signing in from this window is coming.",
                );
            }
            None => {
                ui.label(RichText::new("Coming soon.").weak());
            }
        }
    });
}
