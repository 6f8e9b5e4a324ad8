//! The chat panel: the own channel's live chat, one platform's or every signed-in
//! platform's merged into one timeline (each line with its platform's mark), the lines the
//! user sent until chat shows them back, and the send box. A right-click on a line offers
//! the moderation that line's platform allows. When the reader scrolls up the log stops
//! following and says how many new lines wait below ("N new ⬇"). A failed line can be put
//! back into the box with one click, so nothing typed is lost.

use super::PanelCx;
use super::chat_line::{self, LineLook};
use super::chat_send::{self, SendTo};
use super::widgets::{self, ERROR, OK_GREEN};
use crate::command::{ChatFeedStatus, Command};
use crate::model::PlatformId;
use crate::state::{ChatLine, ChatLog, PlatformState, SendStatus, SentChat};
use eframe::egui::{self, RichText, Ui};
use std::collections::HashMap;

/// Which log the panel shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum View {
    One(PlatformId),
    Merged,
}

/// Draws the chat panel: the shown platform's chat, or every platform's merged.
pub fn show(ui: &mut Ui, cx: &mut PanelCx<'_>) {
    let Some((shown, _)) = cx.shown() else {
        return;
    };
    let several = cx.state.platforms.len() > 1;
    let view = if several && cx.view.chat_merged {
        View::Merged
    } else {
        View::One(shown)
    };
    let state = cx.state;
    let platforms: Vec<(PlatformId, &PlatformState)> = match view {
        View::One(p) => vec![(p, &state.platforms[&p])],
        View::Merged => state.platforms.iter().map(|(id, p)| (*id, p)).collect(),
    };
    ui.horizontal(|ui| {
        match view {
            View::One(p) => {
                ui.heading(format!("Chat · {p}"));
                if let Some((id, p)) = platforms.first() {
                    feed_status(ui, *id, p, false);
                }
            }
            View::Merged => {
                ui.heading("Chat");
            }
        }
        if several {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.checkbox(&mut cx.view.chat_merged, "All platforms")
                    .on_hover_text("One timeline of every signed-in platform's chat");
            });
        }
    });
    if view == View::Merged {
        ui.horizontal_wrapped(|ui| {
            for (id, p) in &platforms {
                feed_status(ui, *id, p, true);
            }
        });
    }
    for (_, p) in &platforms {
        super::moderation::note(ui, p);
    }
    let input_height = if view == View::Merged { 124.0 } else { 96.0 };
    let log_height = (ui.available_height() - input_height).max(80.0);
    let mut restore = None;
    let mut moderate = None;
    let logs: Vec<&ChatLog> = platforms.iter().map(|(_, p)| &p.chat).collect();
    let layout = &mut cx.local.chat;
    // While a menu is open the log holds still, so the line under it does not scroll away;
    // once it closes, a log that was following the newest lines follows them again.
    let hold_still = egui::Popup::is_any_open(ui.ctx());
    let snap_back = layout.hold(hold_still) || std::mem::take(&mut layout.jump_down);
    // Who the streamer is on each shown platform, worked out once a frame, not per line.
    let mes: Vec<(PlatformId, Me<'_>)> = platforms.iter().map(|(id, p)| (*id, Me::of(p))).collect();
    let newest = logs
        .iter()
        .filter_map(|l| l.lines.back().map(|l| l.seq))
        .max();
    let oldest = logs
        .iter()
        .filter_map(|l| l.lines.front().map(|l| l.seq))
        .min();
    let waiting = layout.waiting(&logs);
    let output = egui::ScrollArea::vertical()
        .id_salt("chat_log")
        .max_height(log_height)
        .auto_shrink([false, false])
        .stick_to_bottom(!hold_still)
        .show_viewport(ui, |ui, viewport| {
            if newest.is_none() && platforms.iter().all(|(_, p)| p.chat.sent.is_empty()) {
                ui.label(RichText::new(empty_log_text(&platforms)).weak());
            }
            layout.start(view, ui.available_width(), oldest);
            let top = ui.max_rect().top();
            let spacing = ui.spacing().item_spacing.y;
            // Room owed to blocks skipped since the last drawn one, their spacing included:
            // taken in one piece, so a full log costs what the visible lines cost.
            let mut skipped = 0.0;
            let blocks = match (oldest, newest) {
                (Some(first), Some(last)) => first / BLOCK..=last / BLOCK,
                #[allow(clippy::reversed_empty_ranges)]
                _ => 1..=0,
            };
            // Each log loses its oldest lines and gains new ones: a block after every log's
            // oldest line and before the newest holds what it held when it was drawn.
            let fronts = logs
                .iter()
                .filter_map(|l| l.lines.front().map(|l| l.seq / BLOCK))
                .max()
                .unwrap_or(0);
            let last_block = *blocks.end();
            for block in blocks {
                let settled = block > fronts && block != last_block;
                let cached = layout.blocks.get(&block).copied().filter(|_| settled);
                let count = match cached {
                    Some((count, _)) => count,
                    None => block_len(&logs, block),
                };
                if count == 0 {
                    continue;
                }
                let y = ui.cursor().top() - top + skipped;
                if let Some(h) = layout.block_height(block, count)
                    && (y + h < viewport.min.y || y > viewport.max.y)
                {
                    skipped += h;
                    continue;
                }
                if skipped > 0.0 {
                    ui.allocate_space(egui::vec2(ui.available_width(), skipped - spacing));
                    skipped = 0.0;
                }
                let block_top = ui.cursor().top();
                for line in block_lines(&logs, block) {
                    let platform = line.event.platform;
                    let Some((_, me)) = mes.iter().find(|(id, _)| *id == platform) else {
                        continue;
                    };
                    let mine = line
                        .event
                        .user
                        .as_ref()
                        .and_then(|u| u.id.as_deref())
                        .is_some_and(|a| Some(a) == me.id);
                    let look = LineLook {
                        mark: view == View::Merged,
                        can_moderate: me.can_moderate && !mine,
                        me: &me.names,
                        now: cx.now,
                    };
                    // A line's widgets get ids from its `seq`, not from its place in the
                    // log (`push_id` would still mix the place in): an open menu must stay
                    // with the line it was opened on while chat moves, or a ban could land
                    // on someone else.
                    let line_id = egui::Id::unique(("chat_line", line.seq));
                    let picked = ui
                        .scope_builder(egui::UiBuilder::new().scope_id(line_id), |ui| {
                            chat_line::draw(ui, line, &look)
                        })
                        .inner;
                    if let Some(picked) = picked {
                        moderate = Some((platform, picked, line.event.who().to_owned()));
                    }
                }
                layout.remember_block(block, count, ui.cursor().top() - block_top);
            }
            if skipped > 0.0 {
                ui.allocate_space(egui::vec2(ui.available_width(), skipped - spacing));
            }
            for (platform, p) in &platforms {
                let me_name = p
                    .account
                    .as_ref()
                    .map_or_else(|| "you".to_owned(), |a| a.display_name.clone());
                for sent in &p.chat.sent {
                    let mark = (view == View::Merged).then_some(*platform);
                    sent_line(ui, mark, &me_name, sent, &mut restore);
                }
            }
            if snap_back {
                ui.scroll_to_cursor(Some(egui::Align::BOTTOM));
            }
        });
    layout.at_bottom =
        output.state.clamped_offset().y + output.inner_rect.height() >= output.content_size.y - 2.0;
    if layout.at_bottom {
        layout.read_up_to = newest;
    }
    if waiting > 0 && !layout.at_bottom {
        // Over the log's bottom edge, where the reader's eyes are.
        let at = output.inner_rect.center_bottom() - egui::vec2(0.0, 16.0);
        egui::Area::new(ui.scope_id().with("chat_new_below"))
            .fixed_pos(at - egui::vec2(48.0, 0.0))
            .order(egui::Order::Foreground)
            .show(ui.ctx(), |ui| {
                if ui
                    .button(format!("{waiting} new ⬇"))
                    .on_hover_text("Back to the newest lines")
                    .clicked()
                {
                    cx.local.chat.jump_down = true;
                }
            });
    }
    if let Some((platform, action, who)) = moderate {
        cx.send(Command::Moderate {
            platform,
            action,
            who,
        });
    }
    ui.separator();
    let to = match view {
        View::One(p) => SendTo::One(p),
        View::Merged => SendTo::Merged(cx.view.chat_send_to),
    };
    chat_send::show(ui, cx, to, restore);
}

/// The streamer on one platform, as its lines need it: whose lines are their own, the
/// names that mention them, whether they may moderate.
struct Me<'a> {
    id: Option<&'a str>,
    names: Vec<&'a str>,
    can_moderate: bool,
}

impl<'a> Me<'a> {
    fn of(p: &'a PlatformState) -> Me<'a> {
        let account = p.account.as_ref();
        Me {
            id: account.map(|a| a.id.as_str()),
            names: account
                .map(|a| vec![a.name.as_str(), a.display_name.as_str()])
                .unwrap_or_default(),
            can_moderate: p.capabilities.is_some_and(|c| c.moderation),
        }
    }
}

/// Lines are laid out and skipped in blocks of this many `seq` numbers: a frame walks the
/// blocks, not the lines, so a full log costs what the lines in view cost.
const BLOCK: u64 = 16;

/// Where `block`'s lines are in `log`: a range of its indexes (found by halving).
fn block_range(log: &ChatLog, block: u64) -> std::ops::Range<usize> {
    let (from, to) = (block * BLOCK, (block + 1) * BLOCK);
    log.lines.partition_point(|l| l.seq < from)..log.lines.partition_point(|l| l.seq < to)
}

/// How many lines of `logs` `block` holds.
fn block_len(logs: &[&ChatLog], block: u64) -> usize {
    logs.iter().map(|log| block_range(log, block).len()).sum()
}

/// The lines of `logs` whose `seq` falls in `block`, in arrival order.
fn block_lines<'a>(logs: &[&'a ChatLog], block: u64) -> Vec<&'a ChatLine> {
    let mut lines: Vec<&ChatLine> = Vec::new();
    for log in logs {
        lines.extend(log.lines.range(block_range(log, block)));
    }
    if logs.len() > 1 {
        lines.sort_unstable_by_key(|l| l.seq);
    }
    lines
}

/// A line the user sent that chat has not shown back yet, with where it stands; a failed
/// one can be put back into the box.
fn sent_line(
    ui: &mut Ui,
    mark: Option<PlatformId>,
    me: &str,
    sent: &SentChat,
    restore: &mut Option<String>,
) {
    ui.horizontal_wrapped(|ui| {
        if let Some(platform) = mark {
            chat_line::platform_mark(ui, platform);
        }
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
    view: Option<View>,
    width: f32,
    /// Each block's height as last drawn, with how many lines it held then.
    blocks: HashMap<u64, (usize, f32)>,
    /// The log showed its newest line at the end of the last frame.
    at_bottom: bool,
    /// A menu holds the log still; `resume_at_bottom` says whether it was following the
    /// newest lines when the hold began.
    held: bool,
    resume_at_bottom: bool,
    /// The newest line the reader had in view at the bottom of the log.
    read_up_to: Option<u64>,
    /// "N new ⬇" was clicked: back to the newest lines on the next frame.
    jump_down: bool,
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

    /// How many lines of `logs` came after the newest one the reader saw.
    fn waiting(&self, logs: &[&ChatLog]) -> usize {
        let Some(read) = self.read_up_to else {
            return 0;
        };
        logs.iter()
            .map(|log| log.lines.len() - log.lines.partition_point(|l| l.seq <= read))
            .sum()
    }

    /// Called once a frame before the lines: drops heights of another view's log, of
    /// another width and of blocks that left the log (`first` is the oldest line's `seq`).
    fn start(&mut self, view: View, width: f32, first: Option<u64>) {
        if self.view != Some(view) || (self.width - width).abs() > 0.5 {
            self.view = Some(view);
            self.width = width;
            self.blocks.clear();
        }
        let first = first.map_or(u64::MAX, |f| f / BLOCK);
        if self.blocks.keys().any(|b| *b < first) {
            self.blocks.retain(|b, _| *b >= first);
        }
    }

    /// A block's height, if it was drawn holding the `lines` it holds now.
    fn block_height(&self, block: u64, lines: usize) -> Option<f32> {
        self.blocks
            .get(&block)
            .filter(|(n, _)| *n == lines)
            .map(|(_, h)| *h)
    }

    fn remember_block(&mut self, block: u64, lines: usize, height: f32) {
        self.blocks.insert(block, (lines, height));
    }
}

/// What the log says while it is empty: where chat stands (the first platform's, in the
/// merged view).
fn empty_log_text(platforms: &[(PlatformId, &PlatformState)]) -> String {
    let Some((_, p)) = platforms.first() else {
        return String::new();
    };
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

/// The connection beside the heading: a dot and a word, the reason on hover; in the
/// merged view each platform's mark and dot.
fn feed_status(ui: &mut Ui, platform: PlatformId, p: &PlatformState, compact: bool) {
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
    if compact {
        chat_line::platform_mark(ui, platform);
        ui.label(RichText::new(&text).small().color(color))
            .on_hover_text(format!("{platform}: {hover}"));
        ui.add_space(6.0);
    } else {
        ui.label(RichText::new(text).small().color(color))
            .on_hover_text(hover);
    }
}
