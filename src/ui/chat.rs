//! The chat panel: what was sent and what became of it, and the send box (Enter sends,
//! Shift+Enter starts a new line, a counter against the platform's limit). A failed line can
//! be put back into the box with one click, so nothing typed is lost. Reading live chat
//! arrives with the chat connection; the log is laid out for it.

use super::PanelCx;
use super::widgets::{ERROR, OK_GREEN};
use crate::command::Command;
use crate::state::SendStatus;
use eframe::egui::{self, Key, RichText, Ui};

/// Draws the chat panel for the shown platform.
pub fn show(ui: &mut Ui, cx: &mut PanelCx<'_>) {
    let Some((platform, p)) = cx.shown() else {
        return;
    };
    let limit = p
        .capabilities
        .unwrap_or(crate::model::Capabilities::UNKNOWN)
        .chat_max_chars;
    let me = p
        .account
        .as_ref()
        .map_or_else(|| "you".to_owned(), |a| a.display_name.clone());

    ui.heading(format!("Chat · {platform}"));
    let input_height = 96.0;
    let log_height = (ui.available_height() - input_height).max(80.0);
    let mut restore = None;
    egui::ScrollArea::vertical()
        .id_salt("chat_log")
        .max_height(log_height)
        .auto_shrink([false, false])
        .stick_to_bottom(true)
        .show(ui, |ui| {
            if p.sent_chat.is_empty() {
                ui.label(
                    RichText::new(
                        "Messages you send appear here. Reading the live chat comes with the chat connection.",
                    )
                    .weak(),
                );
            }
            for line in &p.sent_chat {
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(&me).strong());
                    ui.label(&line.message);
                    match &line.status {
                        SendStatus::Sending => {
                            ui.label(RichText::new("sending…").small().weak());
                        }
                        SendStatus::Sent => {
                            ui.label(RichText::new("✔ sent").small().color(OK_GREEN));
                        }
                        SendStatus::Failed(why) => {
                            ui.label(RichText::new(format!("✖ not sent: {why}")).small().color(ERROR));
                            if ui
                                .small_button("Edit again")
                                .on_hover_text("Put this message back in the box")
                                .clicked()
                            {
                                restore = Some(line.message.clone());
                            }
                        }
                    }
                });
            }
        });
    ui.separator();

    let text = cx.view.chat_drafts.entry(platform).or_default();
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
    let mut send = send_key;
    ui.horizontal(|ui| {
        let counter = format!("{chars}/{limit}");
        ui.label(if over {
            RichText::new(counter).color(ERROR)
        } else {
            RichText::new(counter).weak()
        })
        .on_hover_text("Characters used of the platform's limit");
        let spent = p.chat_budget.is_some_and(|b| b.remaining == 0);
        if let Some(b) = p.chat_budget {
            ui.label(
                RichText::new(format!(
                    "· {}/{} messages left this minute",
                    b.remaining, b.limit
                ))
                .small()
                .color(if spent {
                    ERROR
                } else {
                    ui.visuals().weak_text_color()
                }),
            )
            .on_hover_text("The platform's own limit on chat messages per minute");
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let enabled = !trimmed.is_empty() && !over && !spent && p.account.is_some();
            if ui.add_enabled(enabled, egui::Button::new("Send")).clicked() {
                send = true;
            }
        });
    });
    if over {
        ui.colored_label(
            ERROR,
            format!("Too long: {platform} allows {limit} characters."),
        );
    }
    if send && !trimmed.is_empty() && !over {
        text.clear();
        cx.send_with_id(|request_id| Command::SendChat {
            platform,
            message: trimmed,
            channel_id: None,
            request_id,
        });
        response.request_focus();
    }
}
