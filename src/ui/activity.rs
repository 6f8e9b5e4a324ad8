//! The activity feed panel: follows, subscriptions, gifts, raids, spells and cheers from
//! every platform, newest first, each with its platform's mark, who, what (tier, count,
//! viewers, amount) and when; filtered by kind and platform; "Mark all seen" clears the
//! count the top bar shows.

use super::PanelCx;
use super::chat_line::{icon, platform_mark};
use super::widgets;
use crate::model::PlatformId;
use eframe::egui::{self, RichText, Ui};

/// The kinds the feed can be narrowed to: the model's name and a label.
const KINDS: &[(&str, &str)] = &[
    ("follow", "Follows"),
    ("subscription", "Subscriptions"),
    ("gift", "Gifts"),
    ("raid", "Raids"),
    ("spell", "Spells"),
    ("cheer", "Cheers"),
];

/// What the feed shows, and what the streamer has seen.
#[derive(Clone, Debug, Default)]
pub struct ActivityFilter {
    /// One kind (the model's name), or every kind.
    pub kind: Option<&'static str>,
    /// One platform, or every one.
    pub platform: Option<PlatformId>,
    /// The number of the newest item marked seen.
    pub seen: u64,
}

/// How many items came since the streamer last marked the feed seen.
pub fn unseen(cx: &PanelCx<'_>) -> usize {
    cx.state.activity.unseen_after(cx.local.activity.seen)
}

/// Draws the feed.
pub fn show(ui: &mut Ui, cx: &mut PanelCx<'_>) {
    let feed = &cx.state.activity;
    let new = unseen(cx);
    let filter = &mut cx.local.activity;
    ui.horizontal(|ui| {
        ui.heading("Activity");
        if new > 0 {
            ui.label(RichText::new(format!("{new} new")).color(widgets::CHANGED));
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .add_enabled(new > 0, egui::Button::new("Mark all seen"))
                .clicked()
            {
                filter.seen = feed.total();
            }
        });
    });
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Show");
        let shown = filter
            .kind
            .and_then(|k| KINDS.iter().find(|(name, _)| *name == k))
            .map_or("Everything", |(_, label)| label);
        egui::ComboBox::from_id_salt("activity_kind")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.kind, None, "Everything");
                for (name, label) in KINDS {
                    ui.selectable_value(&mut filter.kind, Some(*name), *label);
                }
            })
            .response
            .labelled_by(label.id);
        let label = ui.label("from");
        let shown = filter
            .platform
            .map_or("every platform", |p| p.display_name());
        egui::ComboBox::from_id_salt("activity_platform")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.platform, None, "every platform");
                for p in cx.state.platforms.keys() {
                    ui.selectable_value(&mut filter.platform, Some(*p), p.display_name());
                }
            })
            .response
            .labelled_by(label.id);
    });
    ui.separator();
    let (kind, platform, seen) = (filter.kind, filter.platform, filter.seen);
    let items: Vec<_> = feed
        .items()
        .filter(|a| kind.is_none_or(|k| a.event.kind.name() == k))
        .filter(|a| platform.is_none_or(|p| a.event.platform == p))
        .collect();
    if items.is_empty() {
        ui.label(
            RichText::new(if feed.is_empty() {
                "Follows, subscriptions, gifts, raids, spells and cheers appear here as they happen."
            } else {
                "Nothing of that kind yet."
            })
            .weak(),
        );
        return;
    }
    let row_height = ui.spacing().interact_size.y + 4.0;
    egui::ScrollArea::vertical()
        .id_salt("activity_list")
        .auto_shrink([false, false])
        .show_rows(ui, row_height, items.len(), |ui, rows| {
            for a in &items[rows] {
                let e = &a.event;
                ui.horizontal(|ui| {
                    platform_mark(ui, e.platform);
                    let words = RichText::new(format!("{} {}", icon(&e.kind), e.who())).strong();
                    ui.label(if a.n > seen {
                        words.color(widgets::CHANGED)
                    } else {
                        words
                    });
                    ui.label(e.text());
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        ui.label(RichText::new(widgets::ago(e.at, cx.now)).small().weak());
                    });
                });
            }
        });
}
