//! Who is there: viewers grouped by role, followers (newest first, new ones marked) and
//! subscribers, each filterable and exportable. Lists are drawn virtualised: only the rows
//! on screen are laid out, so 100,000 viewers cost what 30 do. The grouped rows are rebuilt
//! only when the list, the filter or the folded groups change.

use super::PanelCx;
use super::widgets::{self, OK_GREEN};
use crate::command::{Command, PeopleSnapshot};
use crate::model::{FollowerList, PlatformId, SubscriberList, TargetUser, ViewerList};
use crate::state::PlatformState;
use eframe::egui::{self, RichText, Ui};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use time::OffsetDateTime;

/// The people panel's tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tab {
    #[default]
    Viewers,
    Followers,
    Subscribers,
}

/// Filter, folded groups and the cached rows of the viewer list.
#[derive(Default)]
pub struct PeopleState {
    pub filter: String,
    /// Groups the user folded, by key.
    pub folded: BTreeSet<String>,
    grouped: Option<GroupedViewers>,
    followers: FilteredRows<FollowerList>,
    subscribers: FilteredRows<SubscriberList>,
    /// How many followed since the stream began, for the list it was counted on.
    new_followers: Option<(Arc<FollowerList>, OffsetDateTime, usize)>,
}

/// The positions of a flat list's entries whose name matches the filter, rebuilt only when
/// the list or the filter changes, not every frame.
struct FilteredRows<T> {
    source: Option<Arc<T>>,
    filter: String,
    rows: Vec<u32>,
}

impl<T> Default for FilteredRows<T> {
    fn default() -> Self {
        FilteredRows {
            source: None,
            filter: String::new(),
            rows: Vec::new(),
        }
    }
}

impl<T> FilteredRows<T> {
    /// The matching positions in `list`, whose names `names` gives in order.
    fn rows(
        &mut self,
        list: &Arc<T>,
        filter: &str,
        names: impl Fn(&T) -> Vec<(&str, Option<&str>)>,
    ) -> &[u32] {
        let current =
            self.source.as_ref().is_some_and(|s| Arc::ptr_eq(s, list)) && self.filter == filter;
        if !current {
            let needle = filter.trim().to_lowercase();
            self.rows = names(list)
                .into_iter()
                .enumerate()
                .filter(|(_, (name, display))| {
                    needle.is_empty()
                        || name.to_lowercase().contains(&needle)
                        || display.is_some_and(|d| d.to_lowercase().contains(&needle))
                })
                .map(|(i, _)| i as u32)
                .collect();
            self.source = Some(Arc::clone(list));
            self.filter = filter.to_owned();
        }
        &self.rows
    }
}

/// One line of the grouped viewer list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    /// A group's heading, by index into `GroupedViewers::groups`.
    Header(u32),
    /// A viewer, by index into the list's `viewers`.
    Viewer(u32),
}

/// A role group: its key, the title shown and how many match the filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub key: String,
    pub title: String,
    pub count: usize,
}

/// The viewer list flattened into rows for drawing, with what it was built from.
pub struct GroupedViewers {
    source: Arc<ViewerList>,
    filter: String,
    folded: BTreeSet<String>,
    pub groups: Vec<Group>,
    pub rows: Vec<Row>,
}

/// Built-in roles in the order a streamer scans them, with their group titles.
const ROLE_ORDER: [(&str, &str); 12] = [
    // Trovo calls the channel's owner the creator; Twitch and Velora the broadcaster.
    ("creator", "Streamer"),
    ("broadcaster", "Streamer"),
    ("moderator", "Moderators"),
    ("editor", "Editors"),
    ("supermod", "Super mods"),
    ("admin", "Admins"),
    ("warden", "Wardens"),
    ("vip", "VIPs"),
    ("subscriber", "Subscribers"),
    ("follower", "Followers"),
    ("aceplus", "ACE+"),
    ("ace", "ACE"),
];
/// The key of the group that holds everyone.
pub const EVERYONE: &str = "everyone";

impl GroupedViewers {
    /// Groups `list` by role (built-in roles first, then custom roles by name, then
    /// everyone), keeping viewers whose name contains `filter` (any case), and leaving out
    /// the members of folded groups.
    pub fn build(list: Arc<ViewerList>, filter: &str, folded: &BTreeSet<String>) -> Self {
        let needle = filter.trim().to_lowercase();
        let mut members: HashMap<&str, Vec<u32>> = HashMap::new();
        let mut everyone = Vec::new();
        for (i, v) in list.viewers.iter().enumerate() {
            if !needle.is_empty() && !v.name.to_lowercase().contains(&needle) {
                continue;
            }
            everyone.push(i as u32);
            for role in &v.roles {
                members.entry(role.as_ref()).or_default().push(i as u32);
            }
        }
        let mut order: Vec<(String, String)> = ROLE_ORDER
            .iter()
            .map(|(k, t)| ((*k).to_owned(), (*t).to_owned()))
            .collect();
        let mut custom: Vec<&str> = members
            .keys()
            .copied()
            .filter(|k| !ROLE_ORDER.iter().any(|(r, _)| r == k))
            .collect();
        custom.sort_unstable();
        order.extend(custom.into_iter().map(|k| (k.to_owned(), k.to_owned())));
        order.push((EVERYONE.to_owned(), "Everyone".to_owned()));

        let mut groups = Vec::new();
        let mut rows = Vec::with_capacity(everyone.len() + 16);
        for (key, title) in order {
            let list = if key == EVERYONE {
                std::mem::take(&mut everyone)
            } else {
                members.remove(key.as_str()).unwrap_or_default()
            };
            if list.is_empty() {
                continue;
            }
            rows.push(Row::Header(groups.len() as u32));
            if !folded.contains(&key) {
                rows.extend(list.iter().map(|&i| Row::Viewer(i)));
            }
            groups.push(Group {
                key,
                title,
                count: list.len(),
            });
        }
        GroupedViewers {
            source: list,
            filter: filter.to_owned(),
            folded: folded.clone(),
            groups,
            rows,
        }
    }

    fn is_for(&self, list: &Arc<ViewerList>, filter: &str, folded: &BTreeSet<String>) -> bool {
        Arc::ptr_eq(&self.source, list) && self.filter == filter && self.folded == *folded
    }
}

/// Draws the tabs and the shown list.
pub fn show(ui: &mut Ui, cx: &mut PanelCx<'_>) {
    let Some((platform, p)) = cx.shown() else {
        return;
    };
    ui.horizontal(|ui| {
        let viewers = p.viewers.as_ref().map(|v| v.total);
        let followers = p.followers.as_ref().map(|f| f.total);
        let subscribers = p.subscribers.as_ref().map(|s| s.total);
        tab(ui, cx, Tab::Viewers, "Viewers", viewers);
        tab(ui, cx, Tab::Followers, "Followers", followers);
        if p.capabilities.is_none_or(|c| c.subscribers) {
            tab(ui, cx, Tab::Subscribers, "Subscribers", subscribers);
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            export_button(ui, cx, platform, p);
        });
    });
    if let Some(note) = &p.export_note {
        match note {
            Ok(s) => ui.colored_label(OK_GREEN, s),
            Err(e) => ui.colored_label(widgets::ERROR, e),
        };
    }
    ui.horizontal(|ui| {
        let label = ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut cx.local.people.filter)
                .hint_text("name contains…")
                .desired_width(220.0),
        )
        .labelled_by(label.id);
        if !cx.local.people.filter.is_empty() && ui.small_button("✖ Clear").clicked() {
            cx.local.people.filter.clear();
        }
    });
    ui.separator();
    match cx.view.people_tab {
        Tab::Viewers => viewers(ui, cx, p),
        Tab::Followers => followers(ui, cx, p),
        Tab::Subscribers => subscribers(ui, cx, p),
    }
}

fn tab(ui: &mut Ui, cx: &mut PanelCx<'_>, which: Tab, name: &str, total: Option<u64>) {
    let text = match total {
        Some(n) => format!("{name} ({})", widgets::count(n)),
        None => name.to_owned(),
    };
    if ui
        .selectable_label(cx.view.people_tab == which, text)
        .clicked()
    {
        cx.view.people_tab = which;
    }
}

fn export_button(ui: &mut Ui, cx: &mut PanelCx<'_>, platform: PlatformId, p: &PlatformState) {
    let snapshot = match cx.view.people_tab {
        Tab::Viewers => p.viewers.clone().map(PeopleSnapshot::Viewers),
        Tab::Followers => p.followers.clone().map(PeopleSnapshot::Followers),
        Tab::Subscribers => p.subscribers.clone().map(PeopleSnapshot::Subscribers),
    };
    let button = ui
        .add_enabled(snapshot.is_some(), egui::Button::new("⬇ Export CSV…"))
        .on_hover_text("Save this list as a CSV file");
    if button.clicked()
        && let Some(list) = snapshot
    {
        cx.send(Command::ExportCsv { platform, list });
    }
}

fn row_height(ui: &Ui) -> f32 {
    ui.spacing().interact_size.y
}

fn waiting(ui: &mut Ui, p: &PlatformState, what: &str) {
    let text = match &p.last_error {
        Some(e) => format!("Could not load the {what}: {e}"),
        None => format!("Loading the {what}…"),
    };
    ui.label(RichText::new(text).weak());
}

fn viewers(ui: &mut Ui, cx: &mut PanelCx<'_>, p: &PlatformState) {
    let Some(list) = p.viewers.clone() else {
        waiting(ui, p, "viewers");
        return;
    };
    let state = &mut cx.local.people;
    if !state
        .grouped
        .as_ref()
        .is_some_and(|g| g.is_for(&list, &state.filter, &state.folded))
    {
        state.grouped = Some(GroupedViewers::build(
            Arc::clone(&list),
            &state.filter,
            &state.folded,
        ));
    }
    let Some(grouped) = state.grouped.as_ref() else {
        return;
    };
    if let Some(anonymous) = list.anonymous {
        ui.label(
            RichText::new(format!(
                "+ {} watching without signing in",
                widgets::count(anonymous)
            ))
            .weak(),
        );
    }
    if grouped.rows.is_empty() {
        ui.label(RichText::new("Nobody matches the filter.").weak());
        return;
    }
    let mut toggle = None;
    let can_moderate = p.capabilities.is_some_and(|c| c.moderation);
    let mut moderate = None;
    egui::ScrollArea::vertical()
        .id_salt("viewers_list")
        .auto_shrink([false, false])
        .show_rows(ui, row_height(ui), grouped.rows.len(), |ui, range| {
            for row in &grouped.rows[range] {
                match *row {
                    Row::Header(g) => {
                        let group = &grouped.groups[g as usize];
                        let folded = state.folded.contains(&group.key);
                        let arrow = if folded { "▶" } else { "▼" };
                        let text = RichText::new(format!(
                            "{arrow} {} ({})",
                            group.title,
                            widgets::count(group.count as u64)
                        ))
                        .strong();
                        if ui
                            .add(egui::Button::new(text).frame(false))
                            .on_hover_text(if folded { "Unfold" } else { "Fold" })
                            .clicked()
                        {
                            toggle = Some(group.key.clone());
                        }
                    }
                    Row::Viewer(i) => {
                        let Some(v) = list.viewers.get(i as usize) else {
                            continue;
                        };
                        // Ids from the name, not the row: the list refreshes under an
                        // open menu, which must stay with the viewer it was opened on.
                        // (`push_id` would still mix the row in.)
                        let row_id = egui::Id::unique(("viewer_row", &v.name));
                        ui.scope_builder(egui::UiBuilder::new().scope_id(row_id), |ui| {
                            ui.horizontal(|ui| {
                                ui.add_space(16.0);
                                let name = ui.label(&v.name);
                                if can_moderate {
                                    name.on_hover_text("Right-click to moderate").context_menu(
                                        |ui| {
                                            let user = TargetUser::Name(v.name.clone());
                                            if let Some(a) =
                                                super::moderation::menu(ui, &user, None)
                                            {
                                                moderate = Some((a, v.name.clone()));
                                            }
                                        },
                                    );
                                }
                                if !v.roles.is_empty() {
                                    ui.label(RichText::new(v.roles.join(" · ")).small().weak());
                                }
                            })
                        });
                    }
                }
            }
        });
    if let Some(key) = toggle
        && !state.folded.remove(&key)
    {
        state.folded.insert(key);
    }
    if let Some((action, who)) = moderate
        && let Some(platform) = cx.platform()
    {
        cx.send(Command::Moderate {
            platform,
            action,
            who,
        });
    }
}

fn followers(ui: &mut Ui, cx: &mut PanelCx<'_>, p: &PlatformState) {
    let Some(list) = p.followers.clone() else {
        waiting(ui, p, "followers");
        return;
    };
    let started = p
        .channel
        .as_ref()
        .filter(|c| c.is_live)
        .and_then(|c| c.started_at);
    let state = &mut cx.local.people;
    if let Some(s) = started {
        let counted = state
            .new_followers
            .as_ref()
            .is_some_and(|(l, at, _)| Arc::ptr_eq(l, &list) && *at == s);
        if !counted {
            let new = list
                .followers
                .iter()
                .filter(|f| f.followed_at.is_some_and(|t| t >= s))
                .count();
            state.new_followers = Some((Arc::clone(&list), s, new));
        }
        if let Some((_, _, new)) = &state.new_followers {
            ui.label(format!("{new} new this stream"));
        }
    }
    let shown = state.followers.rows(&list, &state.filter, |l| {
        l.followers
            .iter()
            .map(|f| (f.name.as_str(), f.display_name.as_deref()))
            .collect()
    });
    let now = cx.now;
    egui::ScrollArea::vertical()
        .id_salt("followers_list")
        .auto_shrink([false, false])
        .show_rows(ui, row_height(ui), shown.len(), |ui, range| {
            for &i in &shown[range] {
                let f = &list.followers[i as usize];
                ui.horizontal(|ui| {
                    person(ui, &f.name, f.display_name.as_deref());
                    if let Some(t) = f.followed_at {
                        ui.label(RichText::new(widgets::ago(t, now)).small().weak());
                        if started.is_some_and(|s| t >= s) {
                            widgets::badge(ui, "NEW", OK_GREEN)
                                .on_hover_text("Followed during this stream");
                        }
                    }
                });
            }
        });
}

/// Someone's name as the platform shows it, with the username on hover where it differs.
fn person(ui: &mut Ui, name: &str, display_name: Option<&str>) {
    let shown = crate::model::shown_name(name, display_name);
    let label = ui.label(shown);
    if shown != name {
        label.on_hover_text(name);
    }
}

fn subscribers(ui: &mut Ui, cx: &mut PanelCx<'_>, p: &PlatformState) {
    let Some(list) = p.subscribers.clone() else {
        waiting(ui, p, "subscribers");
        return;
    };
    let state = &mut cx.local.people;
    let shown = state.subscribers.rows(&list, &state.filter, |l| {
        l.subscribers
            .iter()
            .map(|s| (s.name.as_str(), s.display_name.as_deref()))
            .collect()
    });
    egui::ScrollArea::vertical()
        .id_salt("subscribers_list")
        .auto_shrink([false, false])
        .show_rows(ui, row_height(ui), shown.len(), |ui, range| {
            for &i in &shown[range] {
                let s = &list.subscribers[i as usize];
                ui.horizontal(|ui| {
                    person(ui, &s.name, s.display_name.as_deref());
                    if let Some(tier) = &s.tier {
                        ui.label(RichText::new(format!("Tier {tier}")).small());
                    }
                    if let Some(since) = s.since {
                        ui.label(
                            RichText::new(format!("since {}", widgets::date(since)))
                                .small()
                                .weak(),
                        );
                    }
                });
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Viewer;

    fn list() -> Arc<ViewerList> {
        let v = |name: &str, roles: &[&str]| Viewer {
            name: name.into(),
            roles: roles.iter().map(|r| (*r).to_owned().into()).collect(),
        };
        Arc::new(ViewerList {
            total: 4,
            anonymous: None,
            viewers: vec![
                v("Aurora", &["creator"]),
                v("mod_kim", &["moderator", "follower"]),
                v("小龙", &["follower", "Artist"]),
                v("lurker", &[]),
            ],
        })
    }

    #[test]
    fn groups_come_in_role_order_with_everyone_last() {
        let g = GroupedViewers::build(list(), "", &BTreeSet::new());
        let titles: Vec<_> = g.groups.iter().map(|g| g.title.as_str()).collect();
        assert_eq!(
            titles,
            ["Streamer", "Moderators", "Followers", "Artist", "Everyone"]
        );
        assert_eq!(g.groups[2].count, 2);
        assert_eq!(g.groups[4].count, 4);
        assert_eq!(g.rows.len(), 5 + 1 + 1 + 2 + 1 + 4);
    }

    #[test]
    fn a_broadcaster_heads_the_list_like_a_creator() {
        let list = Arc::new(ViewerList {
            total: 2,
            anonymous: None,
            viewers: vec![
                Viewer {
                    name: "viewer".into(),
                    roles: vec!["vip".to_owned().into()],
                },
                Viewer {
                    name: "lunaforge".into(),
                    roles: vec!["broadcaster".to_owned().into()],
                },
            ],
        });
        let g = GroupedViewers::build(list, "", &BTreeSet::new());
        let titles: Vec<_> = g.groups.iter().map(|g| g.title.as_str()).collect();
        assert_eq!(titles, ["Streamer", "VIPs", "Everyone"]);
    }

    #[test]
    fn the_filter_and_folding_cut_rows_but_keep_counts() {
        let folded: BTreeSet<String> = [EVERYONE.to_owned()].into();
        let g = GroupedViewers::build(list(), "龙", &folded);
        let titles: Vec<_> = g.groups.iter().map(|g| g.title.as_str()).collect();
        assert_eq!(titles, ["Followers", "Artist", "Everyone"]);
        assert_eq!(g.groups[2].count, 1, "a folded group still counts");
        assert_eq!(g.rows.last(), Some(&Row::Header(2)), "but shows no members");
    }
}
