//! The moderation menu a right-click opens on a viewer's name or a chat line, and the line
//! that reports what the last action did. One place, so the viewer list and the chat offer
//! the same actions in the same words.

use super::widgets;
use crate::model::{ModerationAction, TargetUser};
use crate::state::PlatformState;
use eframe::egui::{RichText, Ui};

/// How long "Time out" keeps someone out of chat.
pub const TIMEOUT_SECS: u32 = 600;

/// Draws the actions for `user` (and, when given, for their chat line `message_id`) inside
/// an open context menu; answers the one picked, if any, and closes the menu then.
pub fn menu(ui: &mut Ui, user: &TargetUser, message_id: Option<&str>) -> Option<ModerationAction> {
    let mut picked = None;
    if let Some(id) = message_id
        && ui.button("Delete this message").clicked()
    {
        picked = Some(ModerationAction::DeleteMessage {
            user: user.clone(),
            message_id: id.to_owned(),
        });
    }
    if ui.button("Time out for 10 minutes").clicked() {
        picked = Some(ModerationAction::Timeout {
            user: user.clone(),
            secs: TIMEOUT_SECS,
            reason: None,
        });
    }
    if ui.button("Ban from chat").clicked() {
        picked = Some(ModerationAction::Ban {
            user: user.clone(),
            reason: None,
        });
    }
    if picked.is_some() {
        ui.close();
    }
    picked
}

/// What the last moderation action did, in green, or why it failed, in red. Shown once, at
/// the top of the chat panel, whether the action came from chat or the viewer list.
pub fn note(ui: &mut Ui, p: &PlatformState) {
    match &p.moderation_note {
        Some(Ok(note)) => {
            ui.label(RichText::new(note).small().color(widgets::OK_GREEN));
        }
        Some(Err(note)) => {
            ui.label(RichText::new(note).small().color(widgets::ERROR));
        }
        None => {}
    }
}
