//! The stream info form: title (with a counter against the platform's limit), category,
//! language and audience, as a draft over what is live. Apply sends only what changed;
//! Revert drops the draft; a failed Apply keeps it and says why beside the form.

use super::widgets::{self, CHANGED, ERROR};
use super::{PanelCx, category_picker, channel_extras, languages};
use crate::command::Command;
use crate::model::{Audience, Capabilities, PlatformId};
use eframe::egui::{self, RichText, Ui, Vec2};

/// Draws the form for the shown platform, or the all-platforms form.
pub fn show(ui: &mut Ui, cx: &mut PanelCx<'_>) {
    if cx.state.platforms.len() > 1 {
        ui.horizontal(|ui| {
            if ui
                .selectable_label(!cx.view.all_platforms, "This platform")
                .clicked()
            {
                cx.view.all_platforms = false;
            }
            if ui
                .selectable_label(cx.view.all_platforms, "All platforms")
                .on_hover_text("One title and one game for every platform")
                .clicked()
            {
                cx.view.all_platforms = true;
            }
        });
        ui.add_space(4.0);
        if cx.view.all_platforms {
            ui.heading("Stream info · All platforms");
            ui.add_space(6.0);
            super::all_platforms::show(ui, cx);
            return;
        }
    }
    let Some((platform, p)) = cx.shown() else {
        ui.label(RichText::new("Sign in to a platform to set up your stream.").weak());
        return;
    };
    let caps = p.capabilities.unwrap_or(Capabilities::UNKNOWN);
    let live = p.channel.clone();
    let pending = p.update_pending.is_some();
    let update_error = p.update_error.clone();

    ui.heading(format!("Stream info · {platform}"));
    if live.is_none() {
        ui.label(RichText::new("Loading the channel…").weak());
    }
    ui.add_space(6.0);

    // Title.
    let draft = cx.view.drafts.entry(platform).or_default();
    let mut title = draft.title(live.as_ref()).to_owned();
    let title_changed = live.as_ref().is_some_and(|l| l.title != title);
    let chars = title.chars().count();
    let label = ui
        .horizontal(|ui| {
            let id = widgets::field_label(ui, "Title");
            changed_dot(ui, title_changed);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let over = chars > caps.title_max_chars;
                let text = format!("{chars}/{}", caps.title_max_chars);
                ui.label(if over {
                    RichText::new(text).color(ERROR)
                } else {
                    RichText::new(text).weak()
                })
                .on_hover_text("Characters used of the platform's limit");
            });
            id
        })
        .inner;
    let edit = ui
        .add(
            egui::TextEdit::multiline(&mut title)
                .desired_rows(2)
                .desired_width(f32::INFINITY)
                .hint_text("What are you streaming today?"),
        )
        .labelled_by(label);
    if edit.changed() {
        // Newlines have no place in a title; a paste may bring some.
        draft.title = Some(title.replace(['\n', '\r'], " "));
    }
    if title_changed && let Some(l) = &live {
        was(ui, &l.title);
    }
    ui.add_space(8.0);

    // Category.
    let live_category = live.as_ref().and_then(|l| l.category.clone());
    let draft_category = cx.view.drafts.entry(platform).or_default().category.clone();
    let category_changed = draft_category.as_ref().is_some_and(|d| {
        live_category.as_ref().and_then(|c| c.id.as_deref()) != Some(d.id.as_str())
    });
    let label = ui
        .horizontal(|ui| {
            let id = widgets::field_label(ui, "Category");
            changed_dot(ui, category_changed);
            id
        })
        .inner;
    ui.horizontal(|ui| {
        let (name, icon) = match (&draft_category, &live_category) {
            (Some(d), _) => (d.name.clone(), d.icon_url.clone()),
            (None, Some(l)) => (
                l.name.clone().or(l.id.clone()).unwrap_or_default(),
                icon_of(cx, platform, l.id.as_deref()),
            ),
            (None, None) => ("None".to_owned(), None),
        };
        widgets::icon(
            ui,
            cx.textures,
            cx.out,
            icon.as_deref(),
            Vec2::new(27.0, 36.0),
            &name,
        );
        ui.label(RichText::new(name).strong());
    });
    if let Some(picked) = category_picker::show(ui, cx, platform, label) {
        cx.view.drafts.entry(platform).or_default().category = Some(picked);
    }
    if category_changed && let Some(name) = live_category.as_ref().and_then(|c| c.name.as_deref()) {
        was(ui, name);
    }
    ui.add_space(8.0);

    // Language.
    if caps.language {
        let current = cx
            .view
            .drafts
            .entry(platform)
            .or_default()
            .language(live.as_ref())
            .map(str::to_owned);
        let changed = live.as_ref().is_some_and(|l| {
            !l.language
                .as_deref()
                .zip(current.as_deref())
                .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
                && current.is_some()
        });
        let label = ui
            .horizontal(|ui| {
                let id = widgets::field_label(ui, "Language");
                changed_dot(ui, changed);
                id
            })
            .inner;
        if let Some(code) = language_picker(ui, cx, current.as_deref(), label) {
            cx.view.drafts.entry(platform).or_default().language = Some(code.to_uppercase());
        }
        ui.add_space(8.0);
    }

    // Audience.
    if caps.audience {
        let draft = cx.view.drafts.entry(platform).or_default();
        let current = draft.audience(live.as_ref());
        let changed = live
            .as_ref()
            .is_some_and(|l| current.is_some() && l.audience != current);
        // Each radio button is named by its own text ("13+"), not by the field's label.
        ui.horizontal(|ui| {
            widgets::field_label(ui, "Audience");
            changed_dot(ui, changed);
        });
        ui.horizontal(|ui| {
            for a in Audience::ALL {
                let text = match a {
                    Audience::All => "All ages",
                    Audience::Teen => "13+",
                    Audience::Adult => "18+",
                };
                let r = ui.radio(current == Some(a), text);
                if r.clicked() {
                    draft.audience = Some(a);
                }
            }
        });
        ui.add_space(8.0);
    }

    if caps.tags {
        channel_extras::tags(ui, cx, platform, &caps, live.as_ref());
    }
    if caps.delay {
        let partner = p.account.as_ref().is_some_and(|a| a.partner);
        channel_extras::delay(ui, cx, platform, &caps, live.as_ref(), partner);
    }
    channel_extras::retired(ui, &caps);

    ui.separator();
    apply_row(ui, cx, platform, pending, update_error);
    if caps.commercials {
        ui.add_space(10.0);
        ui.separator();
        channel_extras::commercial(ui, cx, platform);
    }
    if caps.stream_key {
        ui.add_space(10.0);
        ui.separator();
        stream_key(ui, cx, platform, &caps);
    }
    if caps.editors || caps.teams || caps.videos {
        ui.add_space(10.0);
        ui.separator();
        channel_extras::editors_and_teams(ui, cx, platform, &caps);
        if caps.videos {
            channel_extras::videos(ui, cx, platform);
        }
    }
}

/// Whether the stream key is shown, and a copy waiting for it to arrive.
#[derive(Default)]
pub struct StreamKeyState {
    pub visible: bool,
    pub copy_when_loaded: bool,
    /// When (egui time) the key was last copied, for a short "Copied" note.
    pub copied_at: Option<f64>,
    /// The user asked to regenerate and is being asked to confirm.
    pub confirm_regenerate: bool,
}

/// The stream key: hidden until asked for, fetched only then, copied on demand.
fn stream_key(ui: &mut Ui, cx: &mut PanelCx<'_>, platform: PlatformId, caps: &Capabilities) {
    let key = cx
        .state
        .platforms
        .get(&platform)
        .and_then(|p| p.stream_key.clone());
    let now = ui.input(|i| i.time);
    let state = &mut cx.local.stream_key;
    if state.copy_when_loaded
        && let Some(k) = &key
    {
        ui.ctx().copy_text(k.expose().to_owned());
        state.copy_when_loaded = false;
        state.copied_at = Some(now);
    }
    widgets::field_label(ui, "Stream key");
    let mut load = false;
    ui.horizontal(|ui| {
        let text = match (&key, state.visible) {
            (Some(k), true) => k.expose().to_owned(),
            (None, true) => "loading…".to_owned(),
            _ => "•".repeat(16),
        };
        ui.add(egui::Label::new(RichText::new(text).monospace()).truncate());
    });
    ui.horizontal(|ui| {
        let show = if state.visible {
            "Hide key"
        } else {
            "Show key"
        };
        if ui.button(show).clicked() {
            state.visible = !state.visible;
            load |= state.visible && key.is_none();
        }
        if ui.button("Copy key").clicked() {
            match &key {
                Some(k) => {
                    ui.ctx().copy_text(k.expose().to_owned());
                    state.copied_at = Some(now);
                }
                None => {
                    state.copy_when_loaded = true;
                    load = true;
                }
            }
        }
        if let Some(at) = state.copied_at {
            if now - at < 2.0 {
                ui.label(RichText::new("Copied").small().color(widgets::OK_GREEN));
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_secs_f64(2.0 - (now - at)));
            } else {
                state.copied_at = None;
            }
        }
    });
    ui.label(
        RichText::new("Anyone with this key can stream to your channel: keep it off screen.")
            .small()
            .weak(),
    );
    if caps.stream_key_reset {
        regenerate_key(ui, cx, platform);
    }
    if !caps.stream_key_reset
        && let Some(dashboard) = caps.stream_key_dashboard
    {
        ui.horizontal_wrapped(|ui| {
            ui.hyperlink_to("Reset the key on the dashboard", dashboard);
            ui.label(
                RichText::new(format!(
                    "({platform}'s API cannot reset it; update your encoder afterwards)"
                ))
                .small()
                .weak(),
            );
        });
    }
    if load {
        cx.send(Command::LoadStreamKey { platform });
    }
}

/// Replacing the stream key, after a confirmation: a new key breaks the encoder's settings
/// until the user pastes it there.
fn regenerate_key(ui: &mut Ui, cx: &mut PanelCx<'_>, platform: PlatformId) {
    let result = cx
        .state
        .platforms
        .get(&platform)
        .and_then(|p| p.key_regenerated.clone());
    let state = &mut cx.local.stream_key;
    if state.confirm_regenerate {
        ui.label(
            RichText::new(
                "A new key stops your encoder (OBS and the like) from streaming until you paste the new key there.",
            )
            .color(CHANGED),
        );
        ui.horizontal(|ui| {
            if ui.button("Regenerate now").clicked() {
                state.confirm_regenerate = false;
                state.visible = false;
                cx.out.push(Command::RegenerateStreamKey { platform });
            }
            if ui.button("Keep the current key").clicked() {
                state.confirm_regenerate = false;
            }
        });
    } else if ui
        .button("Regenerate key…")
        .on_hover_text("Replace the key, for example after it was shown on stream")
        .clicked()
    {
        state.confirm_regenerate = true;
    }
    match result {
        Some(Ok(())) => {
            ui.label(
                RichText::new("A new key is in place: copy it into your encoder.")
                    .small()
                    .color(widgets::OK_GREEN),
            );
        }
        Some(Err(why)) => {
            ui.label(
                RichText::new(format!("The key was not replaced: {why}"))
                    .small()
                    .color(ERROR),
            );
        }
        None => {}
    }
}

fn apply_row(
    ui: &mut Ui,
    cx: &mut PanelCx<'_>,
    platform: PlatformId,
    pending: bool,
    error: Option<String>,
) {
    let live = cx.live(platform);
    let draft = cx.view.drafts.entry(platform).or_default().clone();
    let changes = live.as_ref().map(|l| draft.changes(l)).unwrap_or_default();
    let names = changes.field_names();
    if names.is_empty() {
        ui.label(RichText::new("No changes: this is what is live.").weak());
    } else {
        ui.label(RichText::new(format!("Changed: {}", names.join(", "))).color(CHANGED));
    }
    ui.horizontal(|ui| {
        let can_apply = !names.is_empty() && !pending && live.is_some();
        let apply = ui
            .add_enabled(
                can_apply,
                egui::Button::new(if pending { "Applying…" } else { "Apply" }),
            )
            .on_hover_text("Send the changed fields to the platform");
        if apply.clicked() {
            cx.send_with_id(|request_id| Command::UpdateChannel {
                platform,
                changes,
                request_id,
            });
        }
        let revert = ui
            .add_enabled(!names.is_empty() && !pending, egui::Button::new("Revert"))
            .on_hover_text("Forget the changes and show what is live");
        if revert.clicked() {
            cx.view.drafts.remove(&platform);
        }
    });
    if let Some(e) = error {
        ui.add_space(4.0);
        ui.colored_label(ERROR, format!("Not applied: {e}"));
        ui.label(RichText::new("Your changes are kept; fix them and Apply again.").weak());
    }
}

/// A dot beside a field's label when the draft differs from what is live.
fn changed_dot(ui: &mut Ui, changed: bool) {
    if changed {
        ui.label(RichText::new("● changed").small().color(CHANGED))
            .on_hover_text("Differs from what is live; Apply to send it");
    }
}

/// What is live, under a changed field.
fn was(ui: &mut Ui, live: &str) {
    ui.label(RichText::new(format!("Live now: {live}")).small().weak());
}

/// The icon of a category seen in any search answer, if any.
/// The icon of `platform`'s category `id`, from any answer that named it.
pub(super) fn icon_of(cx: &PanelCx<'_>, platform: PlatformId, id: Option<&str>) -> Option<String> {
    let id = id?;
    cx.state
        .platforms
        .get(&platform)?
        .known_categories
        .get(id)?
        .icon_url
        .clone()
}

/// A searchable list of ISO 639-1 languages. Returns the code picked this frame.
pub(super) fn language_picker(
    ui: &mut Ui,
    cx: &mut PanelCx<'_>,
    current: Option<&str>,
    label: egui::Id,
) -> Option<&'static str> {
    let shown = match current {
        Some(code) => match languages::name_of(code) {
            Some(name) => format!("{name} ({})", code.to_uppercase()),
            None => code.to_uppercase(),
        },
        None => "Not set".to_owned(),
    };
    let mut picked = None;
    let combo = egui::ComboBox::from_id_salt("language")
        .selected_text(shown)
        .width(ui.available_width().min(260.0))
        .height(300.0)
        .show_ui(ui, |ui| {
            let filter = ui.add(
                egui::TextEdit::singleline(&mut cx.local.language_filter)
                    .hint_text("Type to filter…"),
            );
            filter.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Filter languages")
            });
            if !filter.has_focus() && cx.local.language_filter.is_empty() {
                filter.request_focus();
            }
            for (code, name) in languages::search(&cx.local.language_filter) {
                let selected = current.is_some_and(|c| c.eq_ignore_ascii_case(code));
                let text = format!("{name} ({})", code.to_uppercase());
                if ui.selectable_label(selected, text).clicked() {
                    picked = Some(code);
                }
            }
        });
    combo.response.labelled_by(label);
    if picked.is_some() {
        cx.local.language_filter.clear();
    }
    picked
}
