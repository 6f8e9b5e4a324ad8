//! The top bar: each platform's signed-in account (avatar, name, live state with uptime and
//! viewers), the Demo badge, the count of new activity, and the way into Settings. On a
//! narrow window the chips say less (the rest is in their hover text), so nothing is cut.
//! Clicking an account shows that platform in the panels below.

use super::PanelCx;
use super::widgets::{self, LIVE_RED};
use crate::model::PlatformId;
use eframe::egui::{self, Color32, RichText, Ui, Vec2};

/// Below this width the account chips leave out the platform's name and the uptime (both
/// stay in the hover text), so every account and Settings fit.
const ROOMY: f32 = 1100.0;
/// Below this width a chip is the platform's mark, the avatar and the live state: the
/// account's name moves into the hover text too.
const TIGHT: f32 = 1000.0;

/// Draws the bar's contents. Settings is placed first, at the right, so the accounts can
/// never push it out of the window.
pub fn show(ui: &mut Ui, cx: &mut PanelCx<'_>) {
    let width = ui.available_width();
    let look = ChipLook {
        compact: width < ROOMY,
        tight: width < TIGHT,
    };
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
        let settings = ui
            .button(if look.tight { "⚙" } else { "⚙ Settings" })
            .on_hover_text("Settings: accounts and appearance");
        // The same name whether the word fits or not.
        settings.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, "⚙ Settings"));
        if settings.clicked() {
            cx.local.settings_open = true;
        }
        let new = super::activity::unseen(cx);
        if new > 0 {
            let button = ui
                .button(RichText::new(format!("★ {new}")).color(widgets::CHANGED))
                .on_hover_text(format!(
                    "{new} new follows, subscriptions, raids and more: show the activity feed"
                ));
            button.widget_info(|| {
                egui::WidgetInfo::labeled(
                    egui::Role::Button,
                    true,
                    format!("{new} new in the activity feed"),
                )
            });
            if button.clicked() {
                cx.view.show_activity = true;
                cx.view.show_stats = false;
                cx.local.narrow_shows_chat = false;
            }
        }
        ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
            ui.label(RichText::new("Stagehand").strong().size(18.0));
            if cx.state.demo {
                widgets::badge(ui, "DEMO", Color32::from_rgb(0xB0, 0x6A, 0x00)).on_hover_text(
                    "Running against the built-in simulator: nothing reaches a real platform.",
                );
            }
            ui.separator();
            let shown = cx.platform();
            let platforms: Vec<PlatformId> = cx.state.platforms.keys().copied().collect();
            for platform in platforms {
                account_chip(ui, cx, platform, shown == Some(platform), look);
            }
            if cx.state.platforms.is_empty() {
                ui.label(RichText::new("Not signed in").weak());
            }
        });
    });
}

/// How much a chip says, by the room there is.
#[derive(Clone, Copy)]
struct ChipLook {
    /// No platform name, no uptime.
    compact: bool,
    /// The platform's mark instead of the account's name, a dot for LIVE.
    tight: bool,
}

fn account_chip(
    ui: &mut Ui,
    cx: &mut PanelCx<'_>,
    platform: PlatformId,
    selected: bool,
    look: ChipLook,
) {
    let compact = look.compact;
    let Some(p) = cx.state.platforms.get(&platform) else {
        return;
    };
    let name = p
        .account
        .as_ref()
        .map(|a| a.display_name.clone())
        .unwrap_or_else(|| "not signed in".to_owned());
    let avatar = p
        .account
        .as_ref()
        .and_then(|a| a.avatar_url.clone())
        .or_else(|| p.channel.as_ref().and_then(|c| c.avatar_url.clone()));
    let live = p.channel.as_ref().filter(|c| c.is_live).map(|c| {
        let uptime = c
            .started_at
            .map(|t| widgets::duration_words(t, cx.now))
            .unwrap_or_default();
        (uptime, c.viewers)
    });
    let frame = egui::Frame::new()
        .inner_margin(egui::Margin::symmetric(6, 3))
        .corner_radius(6.0)
        .stroke(if selected {
            ui.visuals().selection.stroke
        } else {
            egui::Stroke::NONE
        });
    let inner = frame.show(ui, |ui| {
        ui.horizontal(|ui| {
            widgets::icon(
                ui,
                cx.textures,
                cx.out,
                avatar.as_deref(),
                Vec2::splat(22.0),
                &name,
            );
            if look.tight {
                super::chat_line::platform_mark(ui, platform);
            } else {
                if !compact {
                    ui.label(RichText::new(platform.display_name()).weak());
                }
                ui.label(RichText::new(&name).strong());
            }
            match &live {
                Some((uptime, viewers)) => {
                    if look.tight {
                        ui.label(RichText::new("●").color(LIVE_RED))
                            .on_hover_text("Live");
                    } else {
                        widgets::badge(ui, "LIVE", LIVE_RED);
                    }
                    if !uptime.is_empty() && !compact {
                        ui.label(uptime);
                    }
                    if let Some(v) = viewers {
                        ui.label(format!("👁 {}", widgets::count(*v)))
                            .on_hover_text("Current viewers");
                    }
                }
                None if p.channel.is_some() => {
                    ui.label(RichText::new("offline").weak());
                }
                None => {}
            }
        });
    });
    let response = inner
        .response
        .interact(egui::Sense::click())
        .on_hover_text(match &live {
            Some((uptime, _)) if !uptime.is_empty() => {
                format!("{platform} · {name}: live for {uptime}. Show {platform} in the panels")
            }
            _ => format!("{platform} · {name}. Show {platform} in the panels"),
        });
    response.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::Role::Button,
            true,
            format!("{platform} account: {name}"),
        )
    });
    if response.clicked() {
        cx.view.selected = Some(platform);
    }
}
