//! The category picker: type to search (debounced; stale answers are dropped by
//! `AppState::apply`), top categories when the box is empty, each with its icon; arrows move,
//! Enter picks, Escape closes.

use super::PanelCx;
use super::widgets;
use crate::command::Command;
use crate::model::{Category, PlatformId};
use eframe::egui::{self, Key, RichText, Ui, Vec2};

/// How long typing must pause before a search is sent.
pub const DEBOUNCE_SECS: f64 = 0.25;
const ICON: Vec2 = Vec2::new(27.0, 36.0);
const ROW_HEIGHT: f32 = 40.0;

/// The picker's transient state.
#[derive(Default)]
pub struct PickerState {
    pub query: String,
    pub open: bool,
    /// Index of the highlighted result.
    pub highlight: usize,
    /// When (egui time) the query should be sent, if it changed.
    pub search_due: Option<f64>,
    /// The query last sent, to avoid asking twice for the same.
    pub sent_query: Option<String>,
    /// Put the keyboard focus in the box on the next frame (Ctrl+K).
    pub focus_now: bool,
}

/// Draws the search box and, while open, the results. Returns the category picked this
/// frame, if any.
pub fn show(
    ui: &mut Ui,
    cx: &mut PanelCx<'_>,
    platform: PlatformId,
    label: egui::Id,
) -> Option<Category> {
    let now = ui.input(|i| i.time);
    let edit_id = ui.make_persistent_id("category_search");
    // Keys are read before the text field sees them, so Enter picks instead of nothing and
    // the arrows move the highlight rather than the cursor.
    let focused = ui.memory(|m| m.has_focus(edit_id));
    // After a pick or Escape the list stays shut until asked for again.
    if focused
        && !cx.local.picker.open
        && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::ArrowDown))
    {
        cx.local.picker.open = true;
    }
    let (down, up, enter) = if focused && cx.local.picker.open {
        ui.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::NONE, Key::ArrowDown),
                i.consume_key(egui::Modifiers::NONE, Key::ArrowUp),
                i.consume_key(egui::Modifiers::NONE, Key::Enter),
            )
        })
    } else {
        (false, false, false)
    };
    // egui drops the focus on Escape before any widget runs, so Escape is read whether or
    // not the box still has focus.
    let escape = cx.local.picker.open && ui.input(|i| i.key_pressed(Key::Escape));

    let response = ui.add(
        egui::TextEdit::singleline(&mut cx.local.picker.query)
            .id(edit_id)
            .hint_text("🔍 Search categories…")
            .desired_width(f32::INFINITY),
    );
    let response = response.labelled_by(label);
    let picker = &mut cx.local.picker;
    if std::mem::take(&mut picker.focus_now) {
        response.request_focus();
        picker.open = true;
    }
    if response.gained_focus() || response.clicked() {
        picker.open = true;
    }
    if response.changed() {
        picker.open = true;
        picker.highlight = 0;
        picker.search_due = Some(now + DEBOUNCE_SECS);
    }
    if picker.open && picker.sent_query.is_none() && picker.search_due.is_none() {
        // First open: the top list (an empty query).
        picker.search_due = Some(now);
    }
    let mut to_send = None;
    if let Some(due) = picker.search_due {
        if now >= due {
            picker.search_due = None;
            let query = picker.query.trim().to_owned();
            if picker.sent_query.as_deref() != Some(query.as_str()) {
                picker.sent_query = Some(query.clone());
                to_send = Some(query);
            }
        } else {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs_f64(due - now));
        }
    }
    if let Some(query) = to_send {
        // The top list is long; a search needs only the best matches.
        let limit = if query.is_empty() { 100 } else { 50 };
        cx.send_with_id(|request_id| Command::SearchCategories {
            platform,
            query,
            limit: Some(limit),
            request_id,
        });
    }
    if escape {
        cx.local.picker.open = false;
        response.surrender_focus();
        return None;
    }
    if !cx.local.picker.open {
        return None;
    }

    let p = cx.state.platforms.get(&platform)?;
    let search = &p.categories;
    let results: &[Category] = &search.page.categories;
    let picker = &mut cx.local.picker;
    if !results.is_empty() {
        if down {
            picker.highlight = (picker.highlight + 1).min(results.len() - 1);
        }
        if up {
            picker.highlight = picker.highlight.saturating_sub(1);
        }
        picker.highlight = picker.highlight.min(results.len() - 1);
    }
    let mut picked = None;
    if enter && let Some(c) = results.get(picker.highlight) {
        picked = Some(c.clone());
    }

    let highlight = picker.highlight;
    let scroll_to_highlight = down || up;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        if let Some(e) = &search.error {
            ui.colored_label(widgets::ERROR, e);
        }
        if results.is_empty() {
            let text = if search.loading {
                "Searching…"
            } else if search.query.is_empty() {
                "No categories yet"
            } else {
                "No category matches"
            };
            ui.label(RichText::new(text).weak());
            return;
        }
        let heading = if search.query.is_empty() {
            "Top categories".to_owned()
        } else if search.page.has_more {
            format!("Matches for “{}” (more exist: keep typing)", search.query)
        } else {
            format!("Matches for “{}”", search.query)
        };
        ui.label(RichText::new(heading).small().weak());
        egui::ScrollArea::vertical()
            .id_salt("category_results")
            .max_height(ROW_HEIGHT * 6.5)
            .auto_shrink([false, true])
            .show_rows(ui, ROW_HEIGHT, results.len(), |ui, range| {
                for i in range {
                    let c = &results[i];
                    let row = ui.horizontal(|ui| {
                        ui.set_min_height(ROW_HEIGHT - 4.0);
                        widgets::icon(
                            ui,
                            cx.textures,
                            cx.out,
                            c.icon_url.as_deref(),
                            ICON,
                            &c.name,
                        );
                        ui.selectable_label(i == highlight, &c.name)
                    });
                    let item = row.inner;
                    if scroll_to_highlight && i == highlight {
                        item.scroll_to_me(None);
                    }
                    if item.clicked() {
                        picked = Some(c.clone());
                    }
                }
            });
    });
    if picked.is_some() {
        let picker = &mut cx.local.picker;
        picker.open = false;
        picker.query.clear();
        picker.highlight = 0;
        picker.sent_query = None;
        picker.search_due = None;
    }
    picked
}
