//! The status bar: each platform's connection, the rate-limit budget left, the last error.

use super::PanelCx;
use super::widgets::{ERROR, OK_GREEN};
use crate::state::Connection;
use eframe::egui::{self, Color32, RichText, Ui};

/// Draws one line per frame across the bottom of the window.
pub fn show(ui: &mut Ui, cx: &mut PanelCx<'_>) {
    ui.horizontal(|ui| {
        if cx.state.platforms.is_empty() {
            ui.label(RichText::new("Not signed in to any platform").weak());
        }
        for (platform, p) in &cx.state.platforms {
            let (dot, colour, words) = match &p.connection {
                Connection::Connected => ("●", OK_GREEN, "connected".to_owned()),
                Connection::Unknown => ("○", Color32::GRAY, "connecting…".to_owned()),
                Connection::SignedOut => ("○", Color32::GRAY, "not signed in".to_owned()),
                Connection::Failing(_) => ("●", ERROR, "having trouble".to_owned()),
            };
            ui.label(RichText::new(dot).color(colour));
            ui.label(format!("{platform}: {words}"));
            if let Some(b) = p.rate_budget {
                let reset = b
                    .resets_at
                    .map(|t| (t - cx.now).whole_seconds().max(0))
                    .map(|s| format!(", resets in {s} s"))
                    .unwrap_or_default();
                ui.label(
                    RichText::new(format!(
                        "· {}/{} requests left{reset}",
                        b.remaining, b.limit
                    ))
                    .weak(),
                )
                .on_hover_text("What is left of the platform's rate limit for this app");
            }
            ui.separator();
        }
        let last = cx
            .shown()
            .and_then(|(_, p)| p.last_error.clone())
            .or_else(|| {
                cx.state
                    .platforms
                    .values()
                    .find_map(|p| p.last_error.clone())
            });
        if let Some(e) = last {
            ui.add(
                egui::Label::new(RichText::new(format!("Last error: {e}")).color(ERROR)).truncate(),
            )
            .on_hover_text(e);
        }
    });
}
