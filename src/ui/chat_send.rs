//! The box under the chat log: write (Enter sends, Shift+Enter starts a new line), see the
//! counter against the platform's limit and what is left of its per-minute budget, and
//! Send. In the merged view the box sends to one platform or to every one at once (each
//! gets its own command, and each line its own answer). A draft stays in the box until it
//! is sent.

use super::PanelCx;
use super::widgets::ERROR;
use crate::command::Command;
use crate::model::{Capabilities, PlatformId};
use eframe::egui::{self, Key, RichText, Ui};

/// Where the box sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendTo {
    /// The one platform the panel shows.
    One(PlatformId),
    /// Every signed-in platform (the merged view's choice), or the one picked there.
    Merged(Option<PlatformId>),
}

/// Draws the box; `restore` puts a failed line back into it.
pub fn show(ui: &mut Ui, cx: &mut PanelCx<'_>, to: SendTo, restore: Option<String>) {
    let targets: Vec<PlatformId> = match to {
        SendTo::One(p) | SendTo::Merged(Some(p)) => vec![p],
        SendTo::Merged(None) => cx
            .state
            .platforms
            .iter()
            .filter(|(_, p)| p.account.is_some())
            .map(|(id, _)| *id)
            .collect(),
    };
    // The tightest limit of the platforms it goes to.
    let limit = targets
        .iter()
        .map(|p| cx.caps(*p).chat_max_chars)
        .min()
        .unwrap_or(Capabilities::UNKNOWN.chat_max_chars);
    if let SendTo::Merged(picked) = to {
        pick_target(ui, cx, picked);
    }
    let text = match to {
        SendTo::One(p) => cx.view.chat_drafts.entry(p).or_default(),
        SendTo::Merged(_) => &mut cx.view.merged_chat_draft,
    };
    if let Some(message) = restore {
        *text = message;
    }
    let edit_id = ui.make_persistent_id("chat_input");
    // Enter sends; Shift+Enter falls through to the text field as a new line.
    let send_key = ui.memory(|m| m.has_focus(edit_id))
        && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Enter));
    let label = ui.label("Message");
    let response = ui
        .add(
            egui::TextEdit::multiline(text)
                .id(edit_id)
                .desired_rows(2)
                .desired_width(f32::INFINITY)
                .hint_text("Say something to chat (Enter sends, Shift+Enter for a new line)"),
        )
        .labelled_by(label.id);
    let chars = text.chars().count();
    let trimmed = text.trim().to_owned();
    let over = chars > limit;
    let budgets: Vec<_> = targets
        .iter()
        .filter_map(|p| cx.state.platforms[p].chat_budget.map(|b| (*p, b)))
        .collect();
    let spent = budgets.iter().any(|(_, b)| b.remaining == 0);
    let signed_in = !targets.is_empty()
        && targets
            .iter()
            .all(|p| cx.state.platforms[p].account.is_some());
    let mut send = send_key;
    ui.horizontal(|ui| {
        let counter = format!("{chars}/{limit}");
        ui.label(if over {
            RichText::new(counter).color(ERROR)
        } else {
            RichText::new(counter).weak()
        })
        .on_hover_text("Characters used of the platform's limit");
        for (platform, b) in &budgets {
            let words = if budgets.len() > 1 {
                format!("· {platform} {}/{} left this minute", b.remaining, b.limit)
            } else {
                format!("· {}/{} messages left this minute", b.remaining, b.limit)
            };
            let color = if b.remaining == 0 {
                ERROR
            } else {
                ui.visuals().weak_text_color()
            };
            ui.label(RichText::new(words).small().color(color))
                .on_hover_text("The platform's own limit on chat messages per minute");
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let enabled = !trimmed.is_empty() && !over && !spent && signed_in;
            if ui.add_enabled(enabled, egui::Button::new("Send")).clicked() {
                send = true;
            }
        });
    });
    if over {
        let who = match targets.as_slice() {
            [one] => one.display_name().to_owned(),
            _ => "one of the platforms".to_owned(),
        };
        ui.colored_label(ERROR, format!("Too long: {who} allows {limit} characters."));
    }
    if send && !trimmed.is_empty() && !over && !spent && signed_in {
        text.clear();
        for platform in targets {
            let message = trimmed.clone();
            cx.send_with_id(|request_id| Command::SendChat {
                platform,
                message,
                channel_id: None,
                request_id,
            });
        }
        response.request_focus();
    }
}

/// The merged view's "Send to": every platform, or one.
fn pick_target(ui: &mut Ui, cx: &mut PanelCx<'_>, picked: Option<PlatformId>) {
    let platforms: Vec<PlatformId> = cx.state.platforms.keys().copied().collect();
    ui.horizontal(|ui| {
        let label = ui.label("Send to");
        let shown = picked.map_or("All platforms", |p| p.display_name());
        egui::ComboBox::from_id_salt("chat_send_to")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut cx.view.chat_send_to, None, "All platforms");
                for p in platforms {
                    ui.selectable_value(&mut cx.view.chat_send_to, Some(p), p.display_name());
                }
            })
            .response
            .labelled_by(label.id);
    });
}
