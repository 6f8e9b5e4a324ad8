//! The all-platforms form: one title (each platform may have its own), one game picked once
//! and matched to each platform's category, the language and tags where platforms have
//! them, and one Apply that sends every selected platform its changes at once.
//!
//! It edits the platforms' own drafts (`ViewState::drafts`), so the per-platform form shows
//! the same draft, a failed platform keeps its part with the platform's sentence and a
//! Retry, and an applied one settles as usual. Presets, recent titles and remembered
//! mappings are in `saved_panels`, the game's matching in `game_mapping`.

use super::widgets::{self, CHANGED, ERROR};
use super::{PanelCx, game_mapping, saved_panels, stream_info};
use crate::all_platforms::title_fits;
use crate::command::Command;
use crate::model::{Capabilities, PlatformId};
use eframe::egui::{self, Key, Modifiers, RichText, Ui, Vec2};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Category icons in the form.
pub(super) const ICON: Vec2 = Vec2::new(21.0, 28.0);

/// What the form keeps across restarts besides the drafts themselves.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AllForm {
    /// Platforms left out of Apply.
    pub excluded: BTreeSet<PlatformId>,
    /// Platforms whose title is their own rather than the common one.
    pub own_title: BTreeSet<PlatformId>,
    /// Where the category search runs.
    pub search_on: Option<PlatformId>,
}

/// Per-session state of the form.
#[derive(Default)]
pub struct AllLocal {
    /// The platform whose category the next pick replaces (its "Change" was clicked).
    pub changing: Option<PlatformId>,
    /// The mapping answer already taken into the drafts.
    pub used_mapping: Option<crate::command::RequestId>,
    pub presets: saved_panels::PresetsLocal,
}

/// Draws the form.
pub fn show(ui: &mut Ui, cx: &mut PanelCx<'_>) {
    let platforms: Vec<PlatformId> = cx.state.platforms.keys().copied().collect();
    let included: Vec<PlatformId> = platforms
        .iter()
        .copied()
        .filter(|p| !cx.view.all_form.excluded.contains(p))
        .collect();
    shortcuts(ui, cx, &included);

    saved_panels::presets(ui, cx, &included);
    ui.add_space(6.0);

    // Which platforms Apply reaches.
    let label = widgets::field_label(ui, "Apply to");
    ui.horizontal_wrapped(|ui| {
        for &platform in &platforms {
            let mut on = !cx.view.all_form.excluded.contains(&platform);
            let r = ui.checkbox(&mut on, platform.to_string());
            r.widget_info(|| {
                egui::WidgetInfo::selected(
                    egui::Role::CheckBox,
                    true,
                    on,
                    format!("Apply to {platform}"),
                )
            });
            if r.changed() {
                if on {
                    cx.view.all_form.excluded.remove(&platform);
                } else {
                    cx.view.all_form.excluded.insert(platform);
                }
            }
        }
    })
    .response
    .labelled_by(label);
    ui.add_space(8.0);

    title(ui, cx, &included);
    ui.add_space(8.0);
    game_mapping::category(ui, cx, &included);
    ui.add_space(8.0);
    shared_fields(ui, cx, &included);
    ui.separator();
    per_platform(ui, cx, &platforms);
    ui.add_space(6.0);
    apply_all(ui, cx, &included);
    ui.add_space(10.0);
    saved_panels::mappings(ui, cx);
}

/// Ctrl+Enter applies, Ctrl+K goes to the category search: while nothing has the keyboard
/// or this form does (Ctrl+Enter in the chat box is the chat's).
fn shortcuts(ui: &mut Ui, cx: &mut PanelCx<'_>, included: &[PlatformId]) {
    let panel = ui.clip_rect();
    let ours = ui.ctx().memory(|m| m.focused()).is_none_or(|id| {
        ui.ctx()
            .read_response(id)
            .is_some_and(|r| panel.contains(r.rect.center()))
    });
    if !ours {
        return;
    }
    let (apply, search) = ui.input_mut(|i| {
        (
            i.consume_key(Modifiers::COMMAND, Key::Enter),
            i.consume_key(Modifiers::COMMAND, Key::K),
        )
    });
    if apply {
        send_all(cx, included);
    }
    if search {
        cx.local.picker.focus_now = true;
    }
}

/// The common title: shown from the first platform that uses it; typing sets it on every
/// included platform without a title of its own.
fn title(ui: &mut Ui, cx: &mut PanelCx<'_>, included: &[PlatformId]) {
    let sharing: Vec<PlatformId> = included
        .iter()
        .copied()
        .filter(|p| !cx.view.all_form.own_title.contains(p))
        .collect();
    let Some(&first) = sharing.first() else {
        widgets::field_label(ui, "Title");
        ui.label(RichText::new("Every platform has a title of its own (below).").weak());
        return;
    };
    let live = cx.live(first);
    let mut text = cx
        .view
        .drafts
        .entry(first)
        .or_default()
        .title(live.as_ref())
        .to_owned();
    let limit = sharing
        .iter()
        .map(|p| cx.caps(*p).title_max_chars)
        .min()
        .unwrap_or(usize::MAX);
    let chars = text.chars().count();
    let label = ui
        .horizontal(|ui| {
            let id = widgets::field_label(ui, "Title");
            saved_panels::recent_titles(ui, cx, &sharing);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let shown = format!("{chars}/{limit}");
                let shown = if chars > limit {
                    RichText::new(shown).color(ERROR)
                } else {
                    RichText::new(shown).weak()
                };
                ui.label(shown)
                    .on_hover_text("Characters used of the shortest limit among these platforms");
            });
            id
        })
        .inner;
    let edit = ui
        .add(
            egui::TextEdit::multiline(&mut text)
                .desired_rows(2)
                .desired_width(f32::INFINITY)
                .hint_text("One title for every platform"),
        )
        .labelled_by(label);
    if edit.changed() {
        let text = text.replace(['\n', '\r'], " ");
        for p in &sharing {
            cx.view.drafts.entry(*p).or_default().title = Some(text.clone());
        }
    }
    for p in &sharing {
        if let Err(why) = title_fits(*p, &text, &cx.caps(*p)) {
            ui.colored_label(ERROR, why);
        }
    }
}

/// The language and tags, set on the included platforms that have them.
fn shared_fields(ui: &mut Ui, cx: &mut PanelCx<'_>, included: &[PlatformId]) {
    let with_language: Vec<PlatformId> = included
        .iter()
        .copied()
        .filter(|p| cx.caps(*p).language)
        .collect();
    if let Some(&first) = with_language.first() {
        let live = cx.live(first);
        let current = cx
            .view
            .drafts
            .entry(first)
            .or_default()
            .language(live.as_ref())
            .map(str::to_owned);
        let label = widgets::field_label(ui, "Language");
        if let Some(code) = stream_info::language_picker(ui, cx, current.as_deref(), label) {
            for p in &with_language {
                cx.view.drafts.entry(*p).or_default().language = Some(code.to_uppercase());
            }
        }
        skipped_note(ui, included, &with_language, "language");
        ui.add_space(8.0);
    }
    let with_tags: Vec<PlatformId> = included
        .iter()
        .copied()
        .filter(|p| cx.caps(*p).tags)
        .collect();
    if let Some(&first) = with_tags.first() {
        let live = cx.live(first);
        let mut text = cx
            .view
            .drafts
            .entry(first)
            .or_default()
            .tags(live.as_ref())
            .join(", ");
        let label = widgets::field_label(ui, "Tags");
        let edit = ui
            .add(
                egui::TextEdit::singleline(&mut text)
                    .hint_text("Comma-separated, e.g. English, Chill")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label);
        if edit.changed() {
            let tags: Vec<String> = text
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect();
            for p in &with_tags {
                cx.view.drafts.entry(*p).or_default().tags = Some(tags.clone());
            }
        }
        skipped_note(ui, included, &with_tags, "tags");
    }
}

/// Says which included platforms lack a field, so nobody wonders where it went.
fn skipped_note(ui: &mut Ui, included: &[PlatformId], with: &[PlatformId], field: &str) {
    let without: Vec<String> = included
        .iter()
        .filter(|p| !with.contains(p))
        .map(ToString::to_string)
        .collect();
    if !without.is_empty() {
        ui.label(
            RichText::new(format!(
                "{} has no {field}: skipped there",
                without.join(", ")
            ))
            .small()
            .weak(),
        );
    }
}

/// Each platform: what differs from live, its own title if it has one, where its Apply
/// stands, and a Retry after a failure.
fn per_platform(ui: &mut Ui, cx: &mut PanelCx<'_>, platforms: &[PlatformId]) {
    for &platform in platforms {
        let included = !cx.view.all_form.excluded.contains(&platform);
        let live = cx.live(platform);
        let draft = cx.view.drafts.entry(platform).or_default().clone();
        let changes = live.as_ref().map(|l| draft.changes(l)).unwrap_or_default();
        let (pending, error) = cx
            .state
            .platforms
            .get(&platform)
            .map(|p| (p.update_pending.is_some(), p.update_error.clone()))
            .unwrap_or_default();
        ui.horizontal(|ui| {
            ui.label(RichText::new(platform.to_string()).strong());
            let names = changes.field_names();
            let status = if pending {
                RichText::new("Applying…").weak()
            } else if live.is_none() {
                RichText::new("Loading…").weak()
            } else if names.is_empty() {
                RichText::new("as live").weak()
            } else {
                RichText::new(format!("changes {}", names.join(", "))).color(CHANGED)
            };
            ui.label(status);
            if !included {
                ui.label(RichText::new("(not applied)").small().weak());
            }
        });
        let category = draft
            .category
            .as_ref()
            .map(|c| (c.name.clone(), c.icon_url.clone()))
            .or_else(|| {
                let c = live.as_ref()?.category.as_ref()?;
                let icon = stream_info::icon_of(cx, platform, c.id.as_deref());
                Some((c.name.clone().or(c.id.clone())?, icon))
            });
        ui.horizontal(|ui| {
            ui.add_space(12.0);
            let name = category
                .as_ref()
                .map_or("No category", |c| c.0.as_str())
                .to_owned();
            let icon = category.as_ref().and_then(|c| c.1.clone());
            widgets::icon(ui, cx.textures, cx.out, icon.as_deref(), ICON, &name);
            ui.label(&name);
            let change = ui
                .small_button("Change")
                .on_hover_text(format!("Pick {platform}'s category yourself"));
            change.widget_info(|| {
                egui::WidgetInfo::labeled(
                    egui::Role::Button,
                    true,
                    format!("Change the category on {platform}"),
                )
            });
            if change.clicked() {
                cx.local.all.changing = Some(platform);
                cx.view.all_form.search_on = Some(platform);
                cx.local.picker.focus_now = true;
            }
        });
        let mut own = cx.view.all_form.own_title.contains(&platform);
        let r = ui.checkbox(&mut own, format!("Own title on {platform}"));
        if r.changed() {
            if own {
                cx.view.all_form.own_title.insert(platform);
            } else {
                cx.view.all_form.own_title.remove(&platform);
            }
        }
        if own {
            let mut title = draft.title(live.as_ref()).to_owned();
            let edit = ui
                .add(
                    egui::TextEdit::singleline(&mut title)
                        .desired_width(f32::INFINITY)
                        .hint_text(format!("The title on {platform}")),
                )
                .labelled_by(r.id);
            if edit.changed() {
                cx.view.drafts.entry(platform).or_default().title = Some(title);
            }
        }
        if let Some(e) = error {
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(ERROR, format!("Not applied: {e}"));
                let retry = ui
                    .add_enabled(!pending, egui::Button::new("Retry"))
                    .on_hover_text("Send this platform's changes again");
                retry.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Retry {platform}"))
                });
                if retry.clicked() {
                    send_all(cx, &[platform]);
                }
            });
        }
        ui.add_space(6.0);
    }
}

/// The one Apply.
fn apply_all(ui: &mut Ui, cx: &mut PanelCx<'_>, included: &[PlatformId]) {
    let ready = ready(cx, included);
    let n = ready.len();
    let text = match n {
        0 => "Apply".to_owned(),
        1 => "Apply to 1 platform".to_owned(),
        n => format!("Apply to {n} platforms"),
    };
    let apply = ui
        .add_enabled(n > 0, egui::Button::new(text))
        .on_hover_text("Send every selected platform its changes at once (Ctrl+Enter)");
    if apply.clicked() {
        send_all(cx, included);
    }
}

/// The included platforms with changes to send, a title within their limit, and no Apply
/// in flight.
fn ready(
    cx: &mut PanelCx<'_>,
    included: &[PlatformId],
) -> Vec<(PlatformId, crate::model::ChannelChanges)> {
    let mut out = Vec::new();
    for &platform in included {
        let Some(p) = cx.state.platforms.get(&platform) else {
            continue;
        };
        let (Some(live), false) = (&p.channel, p.update_pending.is_some()) else {
            continue;
        };
        let caps = p.capabilities.unwrap_or(Capabilities::UNKNOWN);
        let changes = cx.view.drafts.entry(platform).or_default().changes(live);
        let fits = changes
            .title
            .as_deref()
            .is_none_or(|t| title_fits(platform, t, &caps).is_ok());
        if !changes.is_empty() && fits {
            out.push((platform, changes));
        }
    }
    out
}

/// Sends each ready platform its changes; each answers on its own.
pub(super) fn send_all(cx: &mut PanelCx<'_>, platforms: &[PlatformId]) {
    for (platform, changes) in ready(cx, platforms) {
        cx.send_with_id(|request_id| Command::UpdateChannel {
            platform,
            changes,
            request_id,
        });
    }
}
