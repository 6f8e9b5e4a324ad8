//! One line of the chat log as the panel draws it: in the merged view the platform's mark
//! first, then a role badge, the name in its steady colour and the words (struck out once
//! deleted); a follow, a subscription or a raid in italics with its mark; a line that
//! names the streamer highlighted. A right-click on the name or the words offers the
//! moderation the line's own platform allows.

use super::widgets::{self, OK_GREEN};
use crate::model::{EventKind, ModerationAction, PlatformId};
use crate::state::ChatLine;
use eframe::egui::{self, Color32, RichText, Ui};

/// How a line is drawn here.
pub struct LineLook<'a> {
    /// Show the platform's mark (the merged view).
    pub mark: bool,
    /// Offer moderation on a right-click.
    pub can_moderate: bool,
    /// The streamer's names on the line's platform, to highlight a line that mentions them.
    pub me: &'a [&'a str],
    pub now: time::OffsetDateTime,
}

/// Draws one line; answers the moderation action picked from its menu.
pub fn draw(ui: &mut Ui, line: &ChatLine, look: &LineLook<'_>) -> Option<ModerationAction> {
    let m = &line.event;
    let mut picked = None;
    let mentioned = matches!(&m.kind, EventKind::Message { text, .. } if mentions(text, look.me));
    let mut body = |ui: &mut Ui| {
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().item_spacing.x = 4.0;
            if look.mark {
                platform_mark(ui, m.platform);
            }
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
                    "{} on {} · {}",
                    user.name.as_deref().unwrap_or(&user.display_name),
                    m.platform,
                    widgets::ago(m.at, look.now)
                ));
            });
            let words = if line.deleted {
                RichText::new(text).strikethrough().weak()
            } else {
                RichText::new(text)
            };
            let content = ui.label(words);
            if line.deleted {
                ui.label(RichText::new("deleted").small().weak());
            }
            if look.can_moderate
                && let Some(target) = user.target()
            {
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
    };
    // The highlight's frame only where it shows: every line in view is drawn each frame.
    if mentioned {
        egui::Frame::new()
            .fill(widgets::CHANGED.gamma_multiply(0.18))
            .corner_radius(3.0)
            .show(ui, body);
    } else {
        body(ui);
    }
    picked
}

/// Whether `text` names the streamer: `@name` or the bare name as a word, any case.
pub fn mentions(text: &str, me: &[&str]) -> bool {
    let lower = text.to_lowercase();
    me.iter().filter(|n| n.chars().count() >= 2).any(|name| {
        let name = name.to_lowercase();
        lower.match_indices(&name).any(|(at, _)| {
            let before = lower[..at].chars().next_back();
            let after = lower[at + name.len()..].chars().next();
            let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '_');
            (edge(before) || before == Some('@')) && edge(after)
        })
    })
}

/// The platform's two letters in its colour, its name on hover. Painted straight (one
/// rectangle, one line of text) rather than as a framed label: every line of the merged
/// chat carries one.
pub fn platform_mark(ui: &mut Ui, platform: PlatformId) -> egui::Response {
    let d = platform.entry().description();
    let (r, g, b) = d.brand_rgb;
    let galley =
        egui::WidgetText::from(RichText::new(d.mark).small().strong().color(Color32::WHITE))
            .into_galley(
                ui,
                Some(egui::TextWrapMode::Extend),
                f32::INFINITY,
                egui::TextStyle::Small,
            );
    let padding = egui::vec2(5.0, 1.0);
    let (rect, response) =
        ui.allocate_exact_size(galley.size() + 2.0 * padding, egui::Sense::hover());
    if ui.is_rect_visible(rect) {
        let painter = ui.painter();
        painter.rect_filled(rect, 4.0, Color32::from_rgb(r, g, b));
        painter.galley(rect.min + padding, galley, Color32::WHITE);
    }
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, d.mark));
    response.on_hover_text(platform.display_name())
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

    #[test]
    fn a_mention_is_the_name_as_a_word() {
        let me = ["LunaForge", "lunaforge"];
        assert!(mentions("hi @lunaforge!", &me));
        assert!(mentions("LUNAFORGE you rock", &me));
        assert!(!mentions("lunaforged is not you", &me));
        assert!(!mentions("nothing here", &me));
        assert!(!mentions("x", &["x"]), "a one-letter name is no mention");
    }
}
