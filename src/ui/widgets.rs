//! Small drawing helpers the panels share: badges, icons with placeholders, the label above
//! a field, durations in words.

use super::textures::Textures;
use crate::command::Command;
use eframe::egui::{self, Color32, RichText, Ui, Vec2};
use time::OffsetDateTime;

/// The accent used for "live" and for changed fields.
pub const LIVE_RED: Color32 = Color32::from_rgb(0xE5, 0x3E, 0x3E);
/// Marks fields that differ from what is live.
pub const CHANGED: Color32 = Color32::from_rgb(0xF0, 0xA0, 0x30);
/// The colour of error sentences.
pub const ERROR: Color32 = Color32::from_rgb(0xF0, 0x60, 0x60);
/// Positive outcomes.
pub const OK_GREEN: Color32 = Color32::from_rgb(0x4C, 0xAF, 0x50);

/// A small filled pill with text, e.g. LIVE or DEMO.
pub fn badge(ui: &mut Ui, text: &str, fill: Color32) -> egui::Response {
    let label = RichText::new(text).small().strong().color(Color32::WHITE);
    egui::Frame::new()
        .fill(fill)
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(6, 1))
        .show(ui, |ui| ui.label(label))
        .inner
}

/// A section title with a field label under it, returning the label's id for
/// `labelled_by`, so a screen reader names the field.
pub fn field_label(ui: &mut Ui, text: &str) -> egui::Id {
    ui.label(RichText::new(text).strong()).id
}

/// An image from `url` at `size`, or a rounded placeholder with the first letter of `name`
/// while it loads. A screen reader calls it "`name` icon".
pub fn icon(
    ui: &mut Ui,
    textures: &mut Textures,
    out: &mut Vec<Command>,
    url: Option<&str>,
    size: Vec2,
    name: &str,
) -> egui::Response {
    let response = icon_inner(ui, textures, out, url, size, name);
    response
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, format!("{name} icon")));
    response
}

fn icon_inner(
    ui: &mut Ui,
    textures: &mut Textures,
    out: &mut Vec<Command>,
    url: Option<&str>,
    size: Vec2,
    initial: &str,
) -> egui::Response {
    if let Some(t) = url.and_then(|u| textures.get(u, out)) {
        return ui.add(
            egui::Image::from_texture((t.id(), size))
                .fit_to_exact_size(size)
                .corner_radius(4.0),
        );
    }
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
    let painter = ui.painter();
    painter.rect_filled(rect, 4.0, ui.visuals().faint_bg_color.gamma_multiply(2.0));
    let letter: String = initial
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        letter,
        egui::FontId::proportional(size.y * 0.45),
        ui.visuals().weak_text_color(),
    );
    response
}

/// "1 h 02 min", "12 min", "45 s": how long something has lasted, in words that do not
/// need a repaint every second.
pub fn duration_words(from: OffsetDateTime, now: OffsetDateTime) -> String {
    let secs = (now - from).whole_seconds().max(0);
    let (h, m) = (secs / 3600, (secs % 3600) / 60);
    if h > 0 {
        format!("{h} h {m:02} min")
    } else if m > 0 {
        format!("{m} min")
    } else {
        "just now".to_owned()
    }
}

/// "3 min ago", "2 h ago", "4 days ago", or a date for anything older than a month.
pub fn ago(then: OffsetDateTime, now: OffsetDateTime) -> String {
    let secs = (now - then).whole_seconds().max(0);
    match secs {
        0..60 => "just now".to_owned(),
        60..3600 => format!("{} min ago", secs / 60),
        3600..86_400 => format!("{} h ago", secs / 3600),
        86_400..172_800 => "yesterday".to_owned(),
        172_800..2_592_000 => format!("{} days ago", secs / 86_400),
        _ => date(then),
    }
}

/// A date as `2026-11-25`.
pub fn date(t: OffsetDateTime) -> String {
    let d = t.date();
    format!("{}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A count with thousands separated: 100000 → "100,000".
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_for_durations() {
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let t = |s: i64| t0 + time::Duration::seconds(s);
        assert_eq!(duration_words(t0, t(3725)), "1 h 02 min");
        assert_eq!(duration_words(t0, t(600)), "10 min");
        assert_eq!(ago(t0, t(90)), "1 min ago");
        assert_eq!(ago(t0, t(7200)), "2 h ago");
        assert_eq!(ago(t0, t(86_400 + 5)), "yesterday");
        assert_eq!(ago(t0, t(3 * 86_400)), "3 days ago");
        assert_eq!(ago(t0, t(90 * 86_400)), "1970-01-01");
    }

    #[test]
    fn counts_are_grouped() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(100_000), "100,000");
        assert_eq!(count(1_234_567), "1,234,567");
    }
}
