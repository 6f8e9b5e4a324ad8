//! The status bar: each platform's connection, the rate-limit budget left, the last error.

use super::PanelCx;
use super::widgets::{ERROR, OK_GREEN};
use crate::state::Connection;
use eframe::egui::{self, Color32, RichText, Ui};

/// Below this width each platform's rate budget moves into its hover text, so the last
/// error keeps room to be read.
const ROOMY: f32 = 1100.0;

/// Draws one line per frame across the bottom of the window.
pub fn show(ui: &mut Ui, cx: &mut PanelCx<'_>) {
    let roomy = ui.available_width() >= ROOMY;
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
            let status = ui.label(format!("{platform}: {words}"));
            if let Some(b) = p.rate_budget {
                let reset = b
                    .resets_at
                    .map(|t| (t - cx.now).whole_seconds().max(0))
                    .map(|s| format!(", resets in {s} s"))
                    .unwrap_or_default();
                let budget = format!("{}/{} requests left{reset}", b.remaining, b.limit);
                if roomy {
                    ui.label(RichText::new(format!("· {budget}")).weak())
                        .on_hover_text("What is left of the platform's rate limit for this app");
                } else {
                    status.on_hover_text(format!(
                        "{budget} (the platform's rate limit for this app)"
                    ));
                }
            }
            ui.separator();
        }
        let state = cx.state;
        let last = cx
            .shown()
            .and_then(|(platform, p)| Some((platform, p.last_error.as_ref()?)))
            .or_else(|| {
                state
                    .platforms
                    .iter()
                    .find_map(|(platform, p)| Some((*platform, p.last_error.as_ref()?)))
            });
        if let Some((platform, problem)) = last {
            if problem.needs_sign_in()
                && ui
                    .button(format!("Sign in to {platform} again"))
                    .on_hover_text("Opens Settings → Accounts")
                    .clicked()
            {
                cx.local.settings_open = true;
            }
            ui.add(
                egui::Label::new(RichText::new(format!("Last error: {problem}")).color(ERROR))
                    .truncate(),
            )
            .on_hover_text(&problem.sentence);
        }
    });
}
