//! Parts of the stream info panel that only some platforms have, each drawn when the
//! platform's `Capabilities` say so: tags, the broadcast delay, commercials, editors and
//! teams, and a word on settings the platform retired. Nothing here names a platform.

use super::PanelCx;
use super::widgets::{self, CHANGED, ERROR, OK_GREEN};
use crate::command::Command;
use crate::model::{Capabilities, Channel, PlatformId};
use eframe::egui::{self, RichText, Ui};

/// How many of the newest videos the window lists.
const VIDEOS_SHOWN: usize = 20;

/// Lengths a commercial may be asked for, in seconds.
const COMMERCIAL_LENGTHS: [u32; 6] = [30, 60, 90, 120, 150, 180];

/// Per-session input of these parts.
#[derive(Default)]
pub struct ExtrasState {
    /// The tag being typed, before Enter adds it.
    pub new_tag: String,
    /// Why the last tag typed was not added.
    pub tag_problem: Option<String>,
    pub commercial_length: Option<u32>,
    /// Platforms whose editors or teams were asked for and not yet answered.
    pub asked_editors: std::collections::BTreeSet<PlatformId>,
    pub asked_teams: std::collections::BTreeSet<PlatformId>,
    pub asked_videos: std::collections::BTreeSet<PlatformId>,
}

/// Why `tag` cannot be added to `tags`, if it cannot.
pub fn tag_problem(tag: &str, tags: &[String], caps: &Capabilities) -> Option<String> {
    if tag.is_empty() {
        return Some("Type a tag first.".into());
    }
    if tag.chars().any(|c| !c.is_alphanumeric()) {
        return Some("Tags are letters and digits only: no spaces or symbols.".into());
    }
    if tag.chars().count() > caps.tag_max_chars {
        return Some(format!(
            "A tag is at most {} characters.",
            caps.tag_max_chars
        ));
    }
    if tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
        return Some("That tag is already there.".into());
    }
    if tags.len() >= caps.max_tags {
        return Some(format!("At most {} tags.", caps.max_tags));
    }
    None
}

/// The tag list: chips with a remove button, and a field that adds one on Enter.
pub fn tags(
    ui: &mut Ui,
    cx: &mut PanelCx<'_>,
    platform: PlatformId,
    caps: &Capabilities,
    live: Option<&Channel>,
) {
    let draft = cx.view.drafts.entry(platform).or_default();
    let mut current: Vec<String> = draft.tags(live).to_vec();
    let changed = live.is_some_and(|l| draft.changes(l).tags.is_some());
    let label = ui
        .horizontal(|ui| {
            let id = widgets::field_label(ui, "Tags");
            ui.label(
                RichText::new(format!("{}/{}", current.len(), caps.max_tags))
                    .small()
                    .weak(),
            );
            if changed {
                ui.label(RichText::new("● changed").small().color(CHANGED));
            }
            id
        })
        .inner;
    let mut remove = None;
    ui.horizontal_wrapped(|ui| {
        for (i, tag) in current.iter().enumerate() {
            let chip = ui
                .button(format!("{tag}  ✕"))
                .on_hover_text("Remove this tag");
            chip.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Remove tag {tag}"))
            });
            if chip.clicked() {
                remove = Some(i);
            }
        }
        if current.is_empty() {
            ui.label(RichText::new("No tags").weak());
        }
    });
    let extras = &mut cx.local.extras;
    let field = ui
        .add(
            egui::TextEdit::singleline(&mut extras.new_tag)
                .desired_width(ui.available_width().min(260.0))
                .hint_text("Add a tag and press Enter"),
        )
        .labelled_by(label);
    let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    if entered {
        let tag = extras.new_tag.trim().to_owned();
        match tag_problem(&tag, &current, caps) {
            None => {
                current.push(tag);
                extras.new_tag.clear();
                extras.tag_problem = None;
                field.request_focus();
            }
            Some(why) => extras.tag_problem = Some(why),
        }
    }
    if let Some(why) = &extras.tag_problem {
        ui.label(RichText::new(why).small().color(ERROR));
    }
    if let Some(i) = remove {
        current.remove(i);
    }
    if entered || remove.is_some() {
        cx.view.drafts.entry(platform).or_default().tags = Some(current);
    }
    ui.add_space(8.0);
}

/// The broadcast delay, or why it cannot be set on this channel.
pub fn delay(
    ui: &mut Ui,
    cx: &mut PanelCx<'_>,
    platform: PlatformId,
    caps: &Capabilities,
    live: Option<&Channel>,
    partner: bool,
) {
    let label = widgets::field_label(ui, "Broadcast delay");
    if !partner {
        ui.label(
            RichText::new(format!(
                "Only {platform} partners can set a delay; this channel streams without one."
            ))
            .weak(),
        );
        ui.add_space(8.0);
        return;
    }
    let draft = cx.view.drafts.entry(platform).or_default();
    let mut secs = draft.delay(live).unwrap_or(0);
    let response = ui
        .horizontal(|ui| {
            let r = ui
                .add(
                    egui::DragValue::new(&mut secs)
                        .range(0..=caps.delay_max_secs)
                        .suffix(" s"),
                )
                .labelled_by(label);
            ui.label(
                RichText::new(format!("0 to {} seconds", caps.delay_max_secs))
                    .small()
                    .weak(),
            );
            r
        })
        .inner;
    if response.changed() {
        draft.delay = Some(secs);
    }
    ui.add_space(8.0);
}

/// Settings the platform no longer has, said where a user would look for them.
pub fn retired(ui: &mut Ui, caps: &Capabilities) {
    for note in caps.retired {
        ui.label(RichText::new(*note).small().weak());
    }
}

/// Start a commercial break, with the cooldown until the next one.
pub fn commercial(ui: &mut Ui, cx: &mut PanelCx<'_>, platform: PlatformId) {
    let Some(p) = cx.state.platforms.get(&platform) else {
        return;
    };
    let live = p.channel.as_ref().is_some_and(|c| c.is_live);
    let pending = p.commercial_pending;
    let last = p.commercial.clone();
    let label = widgets::field_label(ui, "Commercial break");
    let cooldown_left = match &last {
        Some(Ok((c, at))) => {
            let ends = *at + time::Duration::seconds(i64::from(c.retry_after));
            let left = (ends - cx.now).whole_seconds();
            (left > 0).then_some(left)
        }
        _ => None,
    };
    let length = cx.local.extras.commercial_length.get_or_insert(60);
    ui.horizontal(|ui| {
        let combo = egui::ComboBox::from_id_salt(("commercial_length", platform))
            .selected_text(format!("{length} s"))
            .show_ui(ui, |ui| {
                for l in COMMERCIAL_LENGTHS {
                    ui.selectable_value(length, l, format!("{l} s"));
                }
            });
        combo.response.labelled_by(label);
        let can = live && !pending && cooldown_left.is_none();
        let button = ui
            .add_enabled(
                can,
                egui::Button::new(if pending { "Starting…" } else { "Run ad" }),
            )
            .on_disabled_hover_text(if !live {
                "Commercials run only while you are live"
            } else {
                "Wait for the cooldown to end"
            });
        if button.clicked() {
            cx.out.push(Command::StartCommercial {
                platform,
                length: *length,
            });
        }
    });
    match (&last, cooldown_left) {
        (Some(Ok((c, _))), Some(left)) => {
            let text = format!(
                "A {} s break is running; the next one is possible in {} min {:02} s.",
                c.length,
                left / 60,
                left % 60
            );
            ui.label(RichText::new(text).small().color(OK_GREEN));
            // Count down once a second, only while a cooldown runs.
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs(1));
        }
        (Some(Err(why)), _) => {
            ui.label(RichText::new(why).small().color(ERROR));
        }
        _ if !live => {
            ui.label(
                RichText::new("Commercials run only while you are live.")
                    .small()
                    .weak(),
            );
        }
        _ => {}
    }
    ui.add_space(8.0);
}

/// Who may edit the channel and the teams it belongs to, loaded when first opened.
pub fn editors_and_teams(
    ui: &mut Ui,
    cx: &mut PanelCx<'_>,
    platform: PlatformId,
    caps: &Capabilities,
) {
    let Some(p) = cx.state.platforms.get(&platform) else {
        return;
    };
    let (editors, teams) = (p.editors.clone(), p.teams.clone());
    if caps.editors {
        let open = egui::CollapsingHeader::new("Editors")
            .id_salt(("editors", platform))
            .show(ui, |ui| match &editors {
                None => {
                    ui.label(RichText::new("Loading…").weak());
                }
                Some(Err(e)) => {
                    ui.label(RichText::new(e).color(ERROR));
                }
                Some(Ok(list)) if list.is_empty() => {
                    ui.label(RichText::new("Nobody else can edit this channel.").weak());
                }
                Some(Ok(list)) => {
                    for e in list {
                        let name = e.display_name.as_deref().unwrap_or(&e.name);
                        let since = e
                            .since
                            .map(|t| format!(" · since {}", widgets::date(t)))
                            .unwrap_or_default();
                        ui.label(format!("{name}{since}"));
                    }
                }
            });
        let asked = &mut cx.local.extras.asked_editors;
        if editors.is_some() {
            asked.remove(&platform);
        } else if open.body_returned.is_some() && asked.insert(platform) {
            cx.out.push(Command::LoadEditors { platform });
        }
    }
    if caps.teams {
        let open = egui::CollapsingHeader::new("Teams")
            .id_salt(("teams", platform))
            .show(ui, |ui| match &teams {
                None => {
                    ui.label(RichText::new("Loading…").weak());
                }
                Some(Err(e)) => {
                    ui.label(RichText::new(e).color(ERROR));
                }
                Some(Ok(list)) if list.is_empty() => {
                    ui.label(RichText::new("This channel is in no team.").weak());
                }
                Some(Ok(list)) => {
                    for t in list {
                        ui.label(t.display_name.as_deref().unwrap_or(&t.name));
                    }
                }
            });
        let asked = &mut cx.local.extras.asked_teams;
        if teams.is_some() {
            asked.remove(&platform);
        } else if open.body_returned.is_some() && asked.insert(platform) {
            cx.out.push(Command::LoadTeams { platform });
        }
    }
}

/// The channel's newest videos (past broadcasts, highlights, uploads), loaded when first
/// opened, each a link to watch it.
pub fn videos(ui: &mut Ui, cx: &mut PanelCx<'_>, platform: PlatformId) {
    let Some(p) = cx.state.platforms.get(&platform) else {
        return;
    };
    let videos = p.videos.clone();
    let open = egui::CollapsingHeader::new("Videos")
        .id_salt(("videos", platform))
        .show(ui, |ui| match &videos {
            None => {
                ui.label(RichText::new("Loading…").weak());
            }
            Some(Err(e)) => {
                ui.label(RichText::new(e).color(ERROR));
            }
            Some(Ok(list)) if list.is_empty() => {
                ui.label(RichText::new("No videos yet.").weak());
            }
            Some(Ok(list)) => {
                for v in list {
                    let title = if v.title.trim().is_empty() {
                        "(untitled)"
                    } else {
                        v.title.as_str()
                    };
                    ui.hyperlink_to(title, &v.url);
                    let mut facts = Vec::new();
                    if let Some(kind) = &v.kind {
                        facts.push(kind.clone());
                    }
                    if let Some(secs) = v.duration {
                        facts.push(format!(
                            "{}:{:02}:{:02}",
                            secs / 3600,
                            secs / 60 % 60,
                            secs % 60
                        ));
                    }
                    if let Some(t) = v.created_at {
                        facts.push(widgets::date(t));
                    }
                    if let Some(n) = v.view_count {
                        facts.push(format!("{} views", widgets::count(n)));
                    }
                    ui.label(RichText::new(facts.join(" · ")).small().weak());
                }
            }
        });
    let asked = &mut cx.local.extras.asked_videos;
    if videos.is_some() {
        asked.remove(&platform);
    } else if open.body_returned.is_some() && asked.insert(platform) {
        cx.out.push(Command::LoadVideos {
            platform,
            limit: Some(VIDEOS_SHOWN),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_the_platform_rules() {
        let caps = crate::platform::twitch::CAPABILITIES;
        let some = vec!["English".to_owned()];
        assert_eq!(tag_problem("Speedrun", &some, &caps), None);
        assert!(tag_problem("two words", &some, &caps).is_some());
        assert!(
            tag_problem("english", &some, &caps).is_some(),
            "duplicate, case aside"
        );
        assert!(tag_problem(&"x".repeat(26), &some, &caps).is_some());
        let full: Vec<String> = (0..10).map(|i| format!("t{i}")).collect();
        assert!(tag_problem("more", &full, &caps).is_some());
    }
}
