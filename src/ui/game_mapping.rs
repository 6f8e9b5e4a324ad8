//! The all-platforms form's category: the game searched on one platform, then matched on
//! the others by the backend (`Command::MapCategory`), its proposals shown with their icons
//! and how each was found, to use (and remember as one game) or to change per platform.

use super::all_platforms::ICON;
use super::widgets::{self, ERROR};
use super::{PanelCx, category_picker};
use crate::command::Command;
use crate::model::{Category, CategoryProposal, PickedCategory, PlatformId, SavedChange};
use eframe::egui::{self, RichText, Ui};
use std::collections::BTreeMap;

/// The game: searched on one platform, then matched on the others.
pub(super) fn category(ui: &mut Ui, cx: &mut PanelCx<'_>, included: &[PlatformId]) {
    let Some(&default_on) = included.first() else {
        return;
    };
    let search_on = cx
        .view
        .all_form
        .search_on
        .filter(|p| included.contains(p))
        .unwrap_or(default_on);
    let label = ui
        .horizontal(|ui| {
            let id = widgets::field_label(ui, "Category");
            ui.label(RichText::new("searched on").weak());
            let combo = egui::ComboBox::from_id_salt("all_search_on")
                .selected_text(search_on.to_string())
                .show_ui(ui, |ui| {
                    for p in included {
                        if ui
                            .selectable_label(*p == search_on, p.to_string())
                            .clicked()
                        {
                            cx.view.all_form.search_on = Some(*p);
                        }
                    }
                });
            combo.response.widget_info(|| {
                egui::WidgetInfo::labeled(
                    egui::Role::ComboBox,
                    true,
                    format!("Search categories on {search_on}"),
                )
            });
            id
        })
        .inner;
    if let Some(p) = cx.local.all.changing {
        ui.label(RichText::new(format!("Pick {p}'s category (Ctrl+K to search)")).weak());
    }
    let Some(picked) = category_picker::show(ui, cx, search_on, label) else {
        mapping_answer(ui, cx);
        return;
    };
    if let Some(platform) = cx.local.all.changing.take() {
        // A correction of one platform's proposal: kept, and remembered with the rest.
        cx.view.drafts.entry(platform).or_default().category = Some(picked);
        remember_current(cx, included);
        return;
    }
    cx.view.drafts.entry(search_on).or_default().category = Some(picked.clone());
    let others: Vec<PlatformId> = included
        .iter()
        .copied()
        .filter(|p| *p != search_on)
        .collect();
    if !others.is_empty() {
        let from = (search_on, picked_of(&picked));
        cx.send_with_id(|request_id| Command::MapCategory {
            name: picked.name.clone(),
            from: Some(from),
            platforms: others,
            request_id,
        });
    }
}

/// The proposals of the last mapping, for the user to take or change.
fn mapping_answer(ui: &mut Ui, cx: &mut PanelCx<'_>) {
    let mapping = &cx.state.mapping;
    let Some(id) = mapping.latest else {
        return;
    };
    if cx.local.all.used_mapping == Some(id) {
        return;
    }
    if mapping.loading {
        ui.label(
            RichText::new(format!(
                "Finding “{}” on the other platforms…",
                mapping.name
            ))
            .weak(),
        );
        return;
    }
    let proposals = mapping.proposals.clone();
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(RichText::new(format!("“{}” on the other platforms", mapping.name)).strong());
        for (platform, proposal) in &proposals {
            ui.horizontal(|ui| {
                ui.label(format!("{platform}:"));
                match proposal.category() {
                    Some(c) => {
                        widgets::icon(
                            ui,
                            cx.textures,
                            cx.out,
                            c.icon_url.as_deref(),
                            ICON,
                            &c.name,
                        );
                        ui.label(RichText::new(&c.name).strong());
                        ui.label(RichText::new(how(proposal)).small().weak());
                    }
                    None => {
                        ui.colored_label(ERROR, how(proposal));
                    }
                }
            });
        }
        ui.horizontal(|ui| {
            let any = proposals.values().any(|p| p.category().is_some());
            if ui
                .add_enabled(any, egui::Button::new("Use these"))
                .on_hover_text("Put these categories in the form and remember them as one game")
                .clicked()
            {
                for (platform, proposal) in &proposals {
                    if let Some(c) = proposal.category() {
                        cx.view.drafts.entry(*platform).or_default().category =
                            Some(category_of(c));
                    }
                }
                cx.local.all.used_mapping = Some(id);
                let included: Vec<_> = cx.state.platforms.keys().copied().collect();
                remember_current(cx, &included);
            }
            if ui.button("Dismiss").clicked() {
                cx.local.all.used_mapping = Some(id);
            }
        });
    });
}

/// How a proposal was found, in words.
fn how(proposal: &CategoryProposal) -> String {
    use crate::category_match::MatchQuality;
    match proposal {
        CategoryProposal::Remembered(_) => "remembered".into(),
        CategoryProposal::Found { quality, .. } => match quality {
            MatchQuality::Exact => "same name".into(),
            MatchQuality::Normalised => "same game, spelt differently".into(),
            MatchQuality::YearDropped => "same game, without the year".into(),
        },
        CategoryProposal::NoMatch => "no matching category: it stays as it is".into(),
        CategoryProposal::Failed(why) => format!("could not search: {why}"),
    }
}

/// Remembers the included platforms' drafted categories as one game.
fn remember_current(cx: &mut PanelCx<'_>, included: &[PlatformId]) {
    let categories: BTreeMap<PlatformId, PickedCategory> = included
        .iter()
        .filter_map(|p| {
            let c = cx.view.drafts.get(p)?.category.as_ref()?;
            Some((*p, picked_of(c)))
        })
        .collect();
    if categories.len() >= 2 {
        cx.send(Command::ChangeSaved {
            change: SavedChange::RememberMapping(categories),
        });
    }
}

pub(super) fn picked_of(c: &Category) -> PickedCategory {
    PickedCategory {
        id: c.id.clone(),
        name: c.name.clone(),
        icon_url: c.icon_url.clone(),
    }
}

pub(super) fn category_of(c: &PickedCategory) -> Category {
    Category {
        id: c.id.clone(),
        name: c.name.clone(),
        short_name: None,
        icon_url: c.icon_url.clone(),
    }
}
