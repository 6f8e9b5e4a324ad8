//! What the all-platforms form keeps between runs, drawn beside it: presets (load into the
//! form, save, rename, delete, import and export), the recent titles under the title field,
//! and the remembered category mappings, to see and forget.

use super::PanelCx;
use super::game_mapping::{category_of, picked_of};
use super::widgets::{self, ERROR};
use crate::command::Command;
use crate::model::{PlatformId, Preset, SavedChange};
use eframe::egui::{self, RichText, Ui};

/// What is typed into the presets row.
#[derive(Default)]
pub struct PresetsLocal {
    /// The preset chosen in the list.
    pub picked: Option<String>,
    /// The name to save (or rename) under.
    pub name: String,
}

fn change(cx: &mut PanelCx<'_>, change: SavedChange) {
    cx.send(Command::ChangeSaved { change });
}

/// The presets row.
pub fn presets(ui: &mut Ui, cx: &mut PanelCx<'_>, included: &[PlatformId]) {
    let Some(saved) = cx.state.saved.clone() else {
        return;
    };
    let label = widgets::field_label(ui, "Preset");
    ui.horizontal_wrapped(|ui| {
        let picked = cx.local.all.presets.picked.clone();
        let shown = picked.clone().unwrap_or_else(|| {
            if saved.presets.is_empty() {
                "None saved yet".into()
            } else {
                "Choose…".into()
            }
        });
        egui::ComboBox::from_id_salt("preset")
            .selected_text(shown)
            .width(170.0)
            .show_ui(ui, |ui| {
                for p in &saved.presets {
                    let on = picked.as_deref() == Some(p.name.as_str());
                    if ui.selectable_label(on, &p.name).clicked() {
                        cx.local.all.presets.picked = Some(p.name.clone());
                        cx.local.all.presets.name = p.name.clone();
                    }
                }
            })
            .response
            .labelled_by(label);
        let chosen = picked.and_then(|n| saved.presets.iter().find(|p| p.name == n).cloned());
        if ui
            .add_enabled(chosen.is_some(), egui::Button::new("Load"))
            .on_hover_text("Put the preset in the form; Apply sends it")
            .clicked()
            && let Some(p) = &chosen
        {
            load(cx, p);
        }
        if ui
            .add_enabled(chosen.is_some(), egui::Button::new("Apply now"))
            .on_hover_text("Put the preset in the form and send it to the ticked platforms")
            .clicked()
            && let Some(p) = &chosen
        {
            load(cx, p);
            super::all_platforms::send_all(cx, included);
        }
    });
    ui.horizontal_wrapped(|ui| {
        let name = ui.add(
            egui::TextEdit::singleline(&mut cx.local.all.presets.name)
                .hint_text("Preset name")
                .desired_width(170.0),
        );
        name.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Preset name"));
        let typed = cx.local.all.presets.name.trim().to_owned();
        if ui
            .add_enabled(!typed.is_empty(), egui::Button::new("Save"))
            .on_hover_text("Save the form under this name (replacing a preset of that name)")
            .clicked()
        {
            let preset = from_form(cx, &typed, included);
            change(cx, SavedChange::SavePreset(preset));
            cx.local.all.presets.picked = Some(typed.clone());
        }
        let from = cx.local.all.presets.picked.clone();
        let can_rename = from.as_deref().is_some_and(|f| f != typed) && !typed.is_empty();
        if ui
            .add_enabled(can_rename, egui::Button::new("Rename"))
            .on_hover_text("Give the chosen preset this name")
            .clicked()
            && let Some(from) = from
        {
            change(
                cx,
                SavedChange::RenamePreset {
                    from,
                    to: typed.clone(),
                },
            );
            cx.local.all.presets.picked = Some(typed);
        }
        let chosen = cx
            .local
            .all
            .presets
            .picked
            .clone()
            .filter(|n| saved.presets.iter().any(|p| p.name == *n));
        ui.menu_button("More", |ui| {
            if ui
                .add_enabled(
                    chosen.is_some(),
                    egui::Button::new("Delete the chosen preset"),
                )
                .clicked()
                && let Some(name) = &chosen
            {
                change(cx, SavedChange::DeletePreset(name.clone()));
                cx.local.all.presets.picked = None;
                ui.close();
            }
            if ui.button("Export presets…").clicked() {
                change(cx, SavedChange::ExportPresets);
                ui.close();
            }
            if ui.button("Import presets…").clicked() {
                change(cx, SavedChange::ImportPresets);
                ui.close();
            }
        })
        .response
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, "More preset actions"));
    });
    if let Some(e) = &cx.state.saved_error {
        ui.colored_label(ERROR, e);
    } else if let Some(note) = &cx.state.saved_note {
        ui.label(RichText::new(note).small().weak());
    }
}

/// Puts a preset into the drafts of the platforms it names.
fn load(cx: &mut PanelCx<'_>, p: &Preset) {
    for (platform, title) in &p.titles {
        if cx.state.platforms.contains_key(platform) {
            cx.view.drafts.entry(*platform).or_default().title = Some(title.clone());
        }
    }
    for (platform, c) in &p.categories {
        if cx.state.platforms.contains_key(platform) {
            cx.view.drafts.entry(*platform).or_default().category = Some(category_of(c));
        }
    }
    let platforms: Vec<PlatformId> = cx.state.platforms.keys().copied().collect();
    for platform in platforms {
        let caps = cx.caps(platform);
        let draft = cx.view.drafts.entry(platform).or_default();
        if caps.tags && p.tags.is_some() {
            draft.tags = p.tags.clone();
        }
        if caps.language && p.language.is_some() {
            draft.language = p.language.as_ref().map(|l| l.to_uppercase());
        }
        if caps.audience && p.audience.is_some() {
            draft.audience = p.audience;
        }
    }
    // Titles that differ per platform are each platform's own.
    let distinct: std::collections::BTreeSet<&String> = p.titles.values().collect();
    if distinct.len() > 1 {
        cx.view.all_form.own_title = p.titles.keys().copied().collect();
    }
}

/// The form as a preset: each included platform's title and category as drafted (or live).
fn from_form(cx: &mut PanelCx<'_>, name: &str, included: &[PlatformId]) -> Preset {
    let mut preset = Preset::named(name);
    for &platform in included {
        let live = cx.live(platform);
        let draft = cx.view.drafts.entry(platform).or_default().clone();
        preset
            .titles
            .insert(platform, draft.title(live.as_ref()).to_owned());
        let category = draft.category.as_ref().map(picked_of).or_else(|| {
            let c = live.as_ref()?.category.as_ref()?;
            Some(crate::model::PickedCategory::new(
                c.id.clone()?,
                c.name.clone().unwrap_or_default(),
            ))
        });
        if let Some(c) = category {
            preset.categories.insert(platform, c);
        }
        if preset.language.is_none() {
            preset.language = draft.language(live.as_ref()).map(str::to_owned);
        }
        if preset.tags.is_none() && live.as_ref().is_some_and(|l| l.tags.is_some()) {
            preset.tags = Some(draft.tags(live.as_ref()).to_vec());
        }
        if preset.audience.is_none() {
            preset.audience = draft.audience(live.as_ref());
        }
    }
    preset
}

/// "Recent" beside the title: titles applied before, newest first, each once.
pub fn recent_titles(ui: &mut Ui, cx: &mut PanelCx<'_>, sharing: &[PlatformId]) {
    let titles = cx
        .state
        .saved
        .as_ref()
        .map(|s| s.recent_titles.clone())
        .unwrap_or_default();
    if titles.is_empty() {
        return;
    }
    ui.menu_button("Recent", |ui| {
        ui.set_max_width(320.0);
        for title in &titles {
            let shown: String = title.chars().take(60).collect();
            if ui.button(shown).on_hover_text(title).clicked() {
                for p in sharing {
                    cx.view.drafts.entry(*p).or_default().title = Some(title.clone());
                }
                ui.close();
            }
        }
    })
    .response
    .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, "Recent titles"));
}

/// The remembered mappings, each with its categories and a way to forget it.
pub fn mappings(ui: &mut Ui, cx: &mut PanelCx<'_>) {
    let Some(saved) = cx.state.saved.clone() else {
        return;
    };
    let header = format!("Remembered categories ({})", saved.mappings.len());
    egui::CollapsingHeader::new(header)
        .id_salt("mappings")
        .show(ui, |ui| {
            if saved.mappings.is_empty() {
                ui.label(
                    RichText::new("Pick a category and “Use these” to remember it per platform.")
                        .weak(),
                );
            }
            for m in &saved.mappings {
                ui.horizontal_wrapped(|ui| {
                    for (platform, c) in &m.categories {
                        ui.label(format!("{platform}: {}", c.name));
                        let x = ui.small_button("✕").on_hover_text("Take this platform out");
                        x.widget_info(|| {
                            egui::WidgetInfo::labeled(
                                egui::Role::Button,
                                true,
                                format!("Forget {} on {platform}", c.name),
                            )
                        });
                        if x.clicked() {
                            change(
                                cx,
                                SavedChange::ForgetMappingMember {
                                    id: m.id,
                                    platform: *platform,
                                },
                            );
                        }
                    }
                    if ui.small_button("Forget").clicked() {
                        change(cx, SavedChange::ForgetMapping(m.id));
                    }
                });
                ui.separator();
            }
        });
}
