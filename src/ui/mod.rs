//! The window's panels. Each panel draws from `AppState` and the view state, and emits
//! `Command`s through `PanelCx`; none talks to a platform or holds network state.

pub mod activity;
pub mod all_platforms;
pub mod category_picker;
pub mod channel_extras;
pub mod chat;
pub mod chat_line;
pub mod chat_send;
pub mod game_mapping;
pub mod languages;
pub mod moderation;
pub mod people;
pub mod saved_panels;
pub mod settings;
pub mod stats;
pub mod status_bar;
pub mod stream_info;
pub mod textures;
pub mod top_bar;
pub mod welcome;
pub mod widgets;

use crate::command::{Command, RequestId, RequestIds};
use crate::draft::StreamDraft;
use crate::model::PlatformId;
use crate::state::{AppState, PlatformState};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use textures::Textures;
use time::OffsetDateTime;

/// What the user set up in the window, persisted across restarts: drafts included, so a
/// crash or a failed Apply loses nothing.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewState {
    pub drafts: BTreeMap<PlatformId, StreamDraft>,
    /// Unsent chat lines.
    pub chat_drafts: BTreeMap<PlatformId, String>,
    /// The platform the stream info, people and chat panels show.
    pub selected: Option<PlatformId>,
    pub people_tab: people::Tab,
    pub theme: settings::Theme,
    /// The chat panel shows every platform's chat in one timeline.
    pub chat_merged: bool,
    /// Where the merged chat's box sends: one platform, or `None` for all.
    pub chat_send_to: Option<PlatformId>,
    /// The merged chat's unsent line.
    pub merged_chat_draft: String,
    /// The centre shows the activity feed instead of the people lists.
    pub show_activity: bool,
    /// The centre shows the stream stats instead of the people lists.
    pub show_stats: bool,
    pub stats_range: stats::Range,
    /// Past streams shown on the compare graph (two at most).
    pub stats_open: Vec<i64>,
    /// The stream info panel shows the all-platforms form.
    pub all_platforms: bool,
    pub all_form: all_platforms::AllForm,
}

impl Default for ViewState {
    /// A first start shows every platform's chat merged: the point of one panel.
    fn default() -> Self {
        ViewState {
            drafts: BTreeMap::new(),
            chat_drafts: BTreeMap::new(),
            selected: None,
            people_tab: people::Tab::default(),
            theme: settings::Theme::default(),
            chat_merged: true,
            chat_send_to: None,
            merged_chat_draft: String::new(),
            show_activity: false,
            show_stats: false,
            stats_range: stats::Range::default(),
            stats_open: Vec::new(),
            all_platforms: false,
            all_form: all_platforms::AllForm::default(),
        }
    }
}

/// Per-session panel state that is not worth keeping across restarts.
#[derive(Default)]
pub struct LocalState {
    pub picker: category_picker::PickerState,
    pub language_filter: String,
    pub people: people::PeopleState,
    pub settings_open: bool,
    /// What is typed into Settings → Accounts.
    pub accounts: settings::AccountForms,
    pub stream_key: stream_info::StreamKeyState,
    pub extras: channel_extras::ExtrasState,
    /// On a narrow window the chat shares the centre with the people lists.
    pub narrow_shows_chat: bool,
    pub chat: chat::ChatLayout,
    pub activity: activity::ActivityFilter,
    pub all: all_platforms::AllLocal,
    /// The stats graph's series, cut once per snapshot rather than every frame.
    pub stats_cache: Option<stats::StatsCache>,
    /// The graph's part of a screenshot asked for with "Save as PNG", once it is taken.
    pub graph_shot: stats::GraphShot,
}

/// What a panel gets to draw with and to ask for things.
pub struct PanelCx<'a> {
    pub state: &'a AppState,
    pub view: &'a mut ViewState,
    pub local: &'a mut LocalState,
    pub textures: &'a mut Textures,
    /// Fresh ids for commands whose answers a panel looks for.
    pub ids: &'a RequestIds,
    /// Commands the panels emitted this frame; the app sends them after drawing.
    pub out: &'a mut Vec<Command>,
    /// Wall-clock time of this frame, for uptimes and "followed since the stream began".
    pub now: OffsetDateTime,
}

impl<'a> PanelCx<'a> {
    /// Emits a command that carries a fresh request id.
    pub fn send_with_id(&mut self, make: impl FnOnce(RequestId) -> Command) {
        let id = self.ids.next();
        self.out.push(make(id));
    }

    /// Emits a command.
    pub fn send(&mut self, command: Command) {
        self.out.push(command);
    }

    /// The platform the panels show: the selected one if it is known, else the first.
    pub fn platform(&self) -> Option<PlatformId> {
        self.view
            .selected
            .filter(|p| self.state.platforms.contains_key(p))
            .or_else(|| self.state.platforms.keys().next().copied())
    }

    /// What `platform` allows, or what panels assume before it has said.
    pub fn caps(&self, platform: PlatformId) -> crate::model::Capabilities {
        self.state
            .platforms
            .get(&platform)
            .and_then(|p| p.capabilities)
            .unwrap_or(crate::model::Capabilities::UNKNOWN)
    }

    /// `platform`'s channel as it is live, once read.
    pub fn live(&self, platform: PlatformId) -> Option<crate::model::Channel> {
        self.state
            .platforms
            .get(&platform)
            .and_then(|p| p.channel.clone())
    }

    /// The state of the shown platform. Borrowed from the frame's state, not from `self`,
    /// so a panel can read it while it emits commands.
    pub fn shown(&self) -> Option<(PlatformId, &'a PlatformState)> {
        let p = self.platform()?;
        let state: &'a AppState = self.state;
        state.platforms.get(&p).map(|s| (p, s))
    }
}
