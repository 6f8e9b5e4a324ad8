//! The chat panel: the own channel's live chat, the lines the user sent until chat shows
//! them back, and the send box (Enter sends, Shift+Enter starts a new line, a counter
//! against the platform's limit). A right-click on a line offers deleting it, a time-out
//! and a ban where the platform allows moderation. A failed line can be put back into the
//! box with one click, so nothing typed is lost.

use super::PanelCx;
use super::widgets::{self, ERROR, OK_GREEN};
use crate::command::{ChatFeedStatus, Command};
use crate::model::{EventKind, ModerationAction};
use crate::state::{ChatLine, PlatformState, SendStatus, SentChat};
use eframe::egui::{self, Color32, Key, RichText, Ui};
use std::collections::HashMap;

/// Draws the chat panel for the shown platform.
pub fn show(ui: &mut Ui, cx: &mut PanelCx<'_>) {
    let Some((platform, p)) = cx.shown() else {
        return;
    };
    let limit = p
        .capabilities
        .unwrap_or(crate::model::Capabilities::UNKNOWN)
        .chat_max_chars;

    ui.horizontal(|ui| {
        ui.heading(format!("Chat · {platform}"));
        feed_status(ui, p);
    });
    super::moderation::note(ui, p);
    let input_height = 96.0;
    let log_height = (ui.available_height() - input_height).max(80.0);
    let mut restore = None;
    let mut moderate = None;
    let layout = &mut cx.local.chat;
    // While a menu is open the log holds still, so the line under it does not scroll away;
    // once it closes, a log that was following the newest lines follows them again.
    let hold_still = egui::Popup::is_any_open(ui.ctx());
    let snap_back = layout.hold(hold_still);
    let output = egui::ScrollArea::vertical()
        .id_salt("chat_log")
        .max_height(log_height)
        .auto_shrink([false, false])
        .stick_to_bottom(!hold_still)
        .show_viewport(ui, |ui, viewport| {
            if p.chat.lines.is_empty() && p.chat.sent.is_empty() {
                ui.label(RichText::new(empty_log_text(p)).weak());
            }
            let can_moderate = p.capabilities.is_some_and(|c| c.moderation);
            let me = p.account.as_ref().map(|a| a.id.as_str());
            layout.start(
                platform,
                ui.available_width(),
                p.chat.lines.front().map(|l| l.seq),
            );
            let top = ui.max_rect().top();
            let spacing = ui.spacing().item_spacing.y;
            // Room owed to lines skipped since the last drawn one, their spacing included:
            // taken in one piece, so a full log costs what the visible lines cost.
            let mut skipped = 0.0;
            for line in &p.chat.lines {
                let y = ui.cursor().top() - top + skipped;
                if let Some(h) = layout.height(line.seq)
                    && (y + h < viewport.min.y || y > viewport.max.y)
                {
                    skipped += h + spacing;
                    continue;
                }
                if skipped > 0.0 {
                    ui.allocate_space(egui::vec2(ui.available_width(), skipped - spacing));
                    skipped = 0.0;
                }
                let mine = line
                    .event
                    .user
                    .as_ref()
                    .and_then(|u| u.id.as_deref())
                    .is_some_and(|a| Some(a) == me);
                // A line's widgets get ids from its `seq`, not from its place in the log
                // (`push_id` would still mix the place in): an open menu must stay with
                // the line it was opened on while chat moves, or a ban could land on
                // someone else.
                let line_id = egui::Id::unique(("chat_line", platform, line.seq));
                let (picked, height) = ui
                    .scope_builder(egui::UiBuilder::new().scope_id(line_id), |ui| {
                        chat_line(ui, line, can_moderate && !mine, cx.now)
                    })
                    .inner;
                layout.remember(line.seq, height);
                if let Some(picked) = picked {
                    moderate = Some((picked, line.event.who().to_owned()));
                }
            }
            if skipped > 0.0 {
                ui.allocate_space(egui::vec2(ui.available_width(), skipped - spacing));
            }
            let me_name = p
                .account
                .as_ref()
                .map_or_else(|| "you".to_owned(), |a| a.display_name.clone());
            for sent in &p.chat.sent {
                sent_line(ui, &me_name, sent, &mut restore);
            }
            if snap_back {
                ui.scroll_to_cursor(Some(egui::Align::BOTTOM));
            }
        });
    layout.at_bottom =
        output.state.clamped_offset().y + output.inner_rect.height() >= output.content_size.y - 2.0;
    if let Some((action, who)) = moderate {
        cx.send(Command::Moderate {
            platform,
            action,
            who,
        });
    }
    ui.separator();
    send_box(ui, cx, p, limit, restore);
}

/// A line the user sent that chat has not shown back yet, with where it stands; a failed
/// one can be put back into the box.
fn sent_line(ui: &mut Ui, me: &str, sent: &SentChat, restore: &mut Option<String>) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(me).strong());
        ui.label(&sent.message);
        match &sent.status {
            SendStatus::Sending => {
                ui.label(RichText::new("sending…").small().weak());
            }
            SendStatus::Sent => {
                ui.label(RichText::new("✔ sent").small().color(OK_GREEN));
            }
            SendStatus::Failed(why) => {
                ui.label(
                    RichText::new(format!("✖ not sent: {why}"))
                        .small()
                        .color(ERROR),
                );
                if ui
                    .small_button("Edit again")
                    .on_hover_text("Put this message back in the box")
                    .clicked()
                {
                    *restore = Some(sent.message.clone());
                }
            }
        }
    });
}

/// The height of each chat line as last drawn, at the log's width, so lines outside the
/// view can be skipped. Forgotten when the width changes (the lines wrap anew).
#[derive(Default)]
pub struct ChatLayout {
    platform: Option<crate::model::PlatformId>,
    width: f32,
    heights: HashMap<u64, f32>,
    /// The log showed its newest line at the end of the last frame.
    at_bottom: bool,
    /// A menu holds the log still; `resume_at_bottom` says whether it was following the
    /// newest lines when the hold began.
    held: bool,
    resume_at_bottom: bool,
}

impl ChatLayout {
    /// Notes whether the log is held still this frame; true on the frame a hold ends on a
    /// log that was following the newest lines, which should then jump back to them.
    fn hold(&mut self, hold: bool) -> bool {
        if hold && !self.held {
            self.resume_at_bottom = self.at_bottom;
        }
        let snap_back = !hold && self.held && self.resume_at_bottom;
        self.held = hold;
        snap_back
    }

    /// Called once a frame before the lines: drops heights of another platform's log, of
    /// another width and of lines that left the log (`first` is the oldest line's `seq`).
    fn start(&mut self, platform: crate::model::PlatformId, width: f32, first: Option<u64>) {
        if self.platform != Some(platform) || (self.width - width).abs() > 0.5 {
            self.platform = Some(platform);
            self.width = width;
            self.heights.clear();
        }
        if self.heights.len() > 2 * crate::state::ChatLog::KEEP {
            let first = first.unwrap_or(u64::MAX);
            self.heights.retain(|seq, _| *seq >= first);
        }
    }

    fn height(&self, seq: u64) -> Option<f32> {
        self.heights.get(&seq).copied()
    }

    fn remember(&mut self, seq: u64, height: f32) {
        self.heights.insert(seq, height);
    }
}

/// What the log says while it is empty: where chat stands.
fn empty_log_text(p: &PlatformState) -> String {
    match &p.chat.status {
        Some(ChatFeedStatus::Live) => {
            "No messages yet. New ones appear here as they are written.".into()
        }
        Some(ChatFeedStatus::Unavailable(why)) => {
            format!("Chat cannot be read here: {why}. Messages you send appear here.")
        }
        _ => "Connecting to chat…".into(),
    }
}

/// The connection beside the heading: a dot and a word, the reason on hover.
fn feed_status(ui: &mut Ui, p: &PlatformState) {
    let (text, color, hover) = match &p.chat.status {
        None | Some(ChatFeedStatus::Connecting) => (
            "connecting…".to_owned(),
            ui.visuals().weak_text_color(),
            "Connecting to the channel's chat".to_owned(),
        ),
        Some(ChatFeedStatus::Live) => (
            "● live".to_owned(),
            OK_GREEN,
            "New messages appear as they are written".to_owned(),
        ),
        Some(ChatFeedStatus::Retrying { why, retry_in_secs }) => (
            format!("reconnecting in {retry_in_secs} s"),
            widgets::CHANGED,
            format!("Chat was lost: {why}"),
        ),
        Some(ChatFeedStatus::Unavailable(why)) => ("not available".to_owned(), ERROR, why.clone()),
    };
    ui.label(RichText::new(text).small().color(color))
        .on_hover_text(hover);
}

/// One line of chat; answers the moderation action picked from its right-click menu, and
/// the height the line took.
fn chat_line(
    ui: &mut Ui,
    line: &ChatLine,
    can_moderate: bool,
    now: time::OffsetDateTime,
) -> (Option<ModerationAction>, f32) {
    let m = &line.event;
    let mut picked = None;
    let drawn = ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        let EventKind::Message { text, .. } = &m.kind else {
            let text = format!("{} {} {}", icon(&m.kind), m.who(), m.text());
            ui.label(RichText::new(text).italics().color(widgets::CHANGED));
            return;
        };
        let Some(user) = &m.user else {
            ui.label(RichText::new(format!("{}: {text}", m.who())).weak());
            return;
        };
        if let Some(badge) = role_badge(&user.roles) {
            ui.label(RichText::new(badge.0).small().color(badge.1))
                .on_hover_text(user.roles.join(", "));
        }
        let name = ui.label(
            RichText::new(&user.display_name)
                .strong()
                .color(name_color(&user.display_name)),
        );
        // Built only while hovered: every visible line is drawn each frame.
        let name = name.on_hover_ui(|ui| {
            ui.label(format!(
                "{} · {}",
                user.name.as_deref().unwrap_or(&user.display_name),
                widgets::ago(m.at, now)
            ));
        });
        let text = if line.deleted {
            RichText::new(text).strikethrough().weak()
        } else {
            RichText::new(text)
        };
        let content = ui.label(text);
        if line.deleted {
            ui.label(RichText::new("deleted").small().weak());
        }
        if can_moderate && let Some(target) = user.target() {
            let message_id = m.id.as_deref().filter(|_| !line.deleted);
            for response in [name, content] {
                response.context_menu(|ui| {
                    if let Some(a) = super::moderation::menu(ui, &target, message_id) {
                        picked = Some(a);
                    }
                });
            }
        }
    });
    (picked, drawn.response.rect.height())
}

/// The mark that sets an event apart from conversation.
pub fn icon(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::Follow => "♥",
        EventKind::Subscription { .. } | EventKind::Gift { .. } => "★",
        EventKind::Raid { .. } => "⚑",
        EventKind::Spell { .. } | EventKind::Cheer { .. } => "✨",
        EventKind::Stream { .. } => "●",
        _ => "ℹ",
    }
}

/// A short mark for the most telling role, so moderators and the broadcaster stand out.
fn role_badge(roles: &[crate::model::Role]) -> Option<(&'static str, Color32)> {
    let has = |r: &str| roles.iter().any(|x| x == r);
    if has("broadcaster") {
        Some(("[host]", widgets::LIVE_RED))
    } else if has("moderator") {
        Some(("[mod]", OK_GREEN))
    } else if has("vip") {
        Some(("[vip]", Color32::from_rgb(0xD0, 0x60, 0xD0)))
    } else if has("subscriber") || has("founder") {
        Some(("[sub]", Color32::from_rgb(0x60, 0x90, 0xF0)))
    } else {
        None
    }
}

/// A steady colour per name, readable on the dark and the light theme, so a reader can
/// follow one person down the log.
fn name_color(name: &str) -> Color32 {
    const PALETTE: [Color32; 8] = [
        Color32::from_rgb(0x4F, 0xA3, 0xE0),
        Color32::from_rgb(0xE0, 0x7B, 0x39),
        Color32::from_rgb(0x5C, 0xB8, 0x5C),
        Color32::from_rgb(0xC0, 0x6C, 0xD8),
        Color32::from_rgb(0xD8, 0x5C, 0x7A),
        Color32::from_rgb(0x3F, 0xB5, 0xA8),
        Color32::from_rgb(0xC9, 0xA2, 0x27),
        Color32::from_rgb(0x8A, 0x8F, 0xE8),
    ];
    let hash = name
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    PALETTE[hash as usize % PALETTE.len()]
}

/// The box to write in, its counter and budget, and Send.
fn send_box(
    ui: &mut Ui,
    cx: &mut PanelCx<'_>,
    p: &PlatformState,
    limit: usize,
    restore: Option<String>,
) {
    let Some(platform) = cx.platform() else {
        return;
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_keeps_its_colour_and_names_differ() {
        assert_eq!(name_color("Aurora"), name_color("Aurora"));
        let colours: std::collections::HashSet<_> = ["ann", "bob", "cleo", "dan", "eve", "fay"]
            .iter()
            .map(|n| name_color(n))
            .collect();
        assert!(colours.len() >= 3, "names spread over the palette");
    }

    #[test]
    fn the_most_telling_role_wins_the_badge() {
        let roles = |r: &[&'static str]| -> Vec<crate::model::Role> {
            r.iter().map(|s| std::borrow::Cow::Borrowed(*s)).collect()
        };
        assert_eq!(
            role_badge(&roles(&["subscriber", "moderator"])).map(|b| b.0),
            Some("[mod]")
        );
        assert_eq!(role_badge(&roles(&["follower"])), None);
    }
}
