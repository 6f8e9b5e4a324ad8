//! The only contract between the UI (or a headless command) and the backend: `Command`s go
//! in, `Event`s come out. Answers carry the `RequestId` of the command they answer, so a
//! caller can drop answers it no longer wants (a slow, stale category search).

use crate::error::PlatformError;
use crate::model::ChannelTarget;
use crate::model::DecodedImage;
use crate::model::{
    Account, Capabilities, CategoryPage, CategoryProposal, Channel, ChannelChanges, ChatEvent,
    CommercialStarted, Editor, FollowerList, ModerationAction, ModerationOutcome, PickedCategory,
    PlatformId, RateBudget, Saved, SavedChange, SignInStatus, SubscriberList, Team, Video,
    ViewerList,
};
use crate::secret::Secret;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Identifies one command so its answer can be matched to it.
pub type RequestId = u64;

/// Hands out fresh request ids; clones share the counter. What a panel needs of the
/// backend to ask for something whose answer it will look for, and nothing more.
#[derive(Clone, Debug)]
pub struct RequestIds(Arc<AtomicU64>);

impl Default for RequestIds {
    fn default() -> Self {
        // 0 is never handed out: it stays free for "no request".
        RequestIds(Arc::new(AtomicU64::new(1)))
    }
}

impl RequestIds {
    /// A fresh id for a command whose answer the caller will look for (never `POLL`).
    pub fn next(&self) -> RequestId {
        self.0.fetch_add(1, Ordering::Relaxed)
    }
}

/// Something the UI asks the backend to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Who is signed in, and what the platform allows.
    LoadAccount { platform: PlatformId },
    /// A channel's current state.
    LoadChannel {
        platform: PlatformId,
        target: ChannelTarget,
        request_id: RequestId,
    },
    /// Change the own channel; only the fields set in `changes` are sent.
    UpdateChannel {
        platform: PlatformId,
        changes: ChannelChanges,
        request_id: RequestId,
    },
    /// Categories matching `query`; the top list when it is empty.
    SearchCategories {
        platform: PlatformId,
        query: String,
        limit: Option<usize>,
        request_id: RequestId,
    },
    /// Everyone watching (the own channel when `channel_id` is `None`).
    LoadViewers {
        platform: PlatformId,
        channel_id: Option<String>,
        request_id: RequestId,
    },
    /// Followers, newest first.
    LoadFollowers {
        platform: PlatformId,
        channel_id: Option<String>,
        limit: Option<usize>,
        request_id: RequestId,
    },
    /// The own channel's subscribers.
    LoadSubscribers {
        platform: PlatformId,
        request_id: RequestId,
    },
    /// Send a chat line (to the own channel when `channel_id` is `None`).
    SendChat {
        platform: PlatformId,
        message: String,
        channel_id: Option<String>,
        request_id: RequestId,
    },
    /// Keep the own channel, and while live its people lists, fresh: answers arrive as
    /// `*Loaded` events with request id `POLL`, and only when something changed.
    Watch { platform: PlatformId },
    /// Fetch and decode an image (a category icon, an avatar) for the UI.
    LoadImage { url: String },
    /// The own channel's stream key, asked for only when the user wants to see or copy it.
    LoadStreamKey { platform: PlatformId },
    /// Until when the sign-in lasts and what it allows; asked once at start.
    LoadSignInStatus { platform: PlatformId },
    /// Ask where to save a list, then write it there as CSV.
    ExportCsv {
        platform: PlatformId,
        list: PeopleSnapshot,
    },
    /// Sign in with the browser as the application `client_id` (with its secret, the code
    /// flow; without, the implicit one), catching the redirect on `port`. Answered by
    /// `SignInWaiting`, then `SignedIn`.
    SignIn {
        platform: PlatformId,
        client_id: String,
        client_secret: Option<Secret>,
        port: u16,
    },
    /// Stop a sign-in that is waiting for the browser.
    CancelSignIn { platform: PlatformId },
    /// Revoke the token, delete every stored secret and forget the platform's client.
    SignOut { platform: PlatformId },
    /// Who may edit the own channel (where the platform has editors).
    LoadEditors { platform: PlatformId },
    /// The teams the own channel belongs to.
    LoadTeams { platform: PlatformId },
    /// The own channel's videos, newest first: at most `limit`, all of them without one.
    LoadVideos {
        platform: PlatformId,
        limit: Option<usize>,
    },
    /// Start a commercial break of `length` seconds. Never resent on failure.
    StartCommercial { platform: PlatformId, length: u32 },
    /// Replace the stream key with a new one (the encoder needs the new key afterwards).
    RegenerateStreamKey { platform: PlatformId },
    /// Time out or ban someone in the own channel's chat.
    Moderate {
        platform: PlatformId,
        action: ModerationAction,
        /// The user as the window names them, for the sentence that reports the outcome.
        who: String,
    },
    /// Proposes, on each of `platforms`, the category that is the same game as `name`
    /// (picked on `from`'s platform, when it was picked on one): a remembered mapping
    /// first, else a search of the platform by the name.
    MapCategory {
        name: String,
        from: Option<(PlatformId, PickedCategory)>,
        platforms: Vec<PlatformId>,
        request_id: RequestId,
    },
    /// Changes (or just reads) what the local database keeps; answered by `SavedLoaded`.
    ChangeSaved { change: SavedChange },
    /// The recorded streams for the stats panel; answered by `StatsLoaded` (which also
    /// comes by itself after each batch of samples).
    LoadStats,
    /// One past stream with its samples, to open or compare; answered by `StreamLoaded`.
    LoadStream { id: i64 },
    /// Asks where to, then writes a stream's samples and markers there as CSV.
    ExportStream { id: i64 },
    /// Asks where to, then saves the stats graph (as the window drew it) as PNG; answered by
    /// `StreamExported`.
    SaveGraphPng {
        image: Arc<eframe::egui::ColorImage>,
    },
}

/// The request id of answers that come from a poller rather than a command.
pub const POLL: RequestId = 0;

/// A people list as it was when the user asked to export it.
#[derive(Clone, Debug, PartialEq)]
pub enum PeopleSnapshot {
    Viewers(Arc<ViewerList>),
    Followers(Arc<FollowerList>),
    Subscribers(Arc<SubscriberList>),
}

impl Command {
    /// The platform the command is for, if it is for one.
    pub fn platform(&self) -> Option<PlatformId> {
        match self {
            Command::LoadAccount { platform }
            | Command::LoadChannel { platform, .. }
            | Command::UpdateChannel { platform, .. }
            | Command::SearchCategories { platform, .. }
            | Command::LoadViewers { platform, .. }
            | Command::LoadFollowers { platform, .. }
            | Command::LoadSubscribers { platform, .. }
            | Command::SendChat { platform, .. }
            | Command::Watch { platform }
            | Command::LoadStreamKey { platform }
            | Command::LoadSignInStatus { platform }
            | Command::ExportCsv { platform, .. }
            | Command::SignIn { platform, .. }
            | Command::CancelSignIn { platform }
            | Command::SignOut { platform }
            | Command::LoadEditors { platform }
            | Command::LoadTeams { platform }
            | Command::LoadVideos { platform, .. }
            | Command::StartCommercial { platform, .. }
            | Command::RegenerateStreamKey { platform }
            | Command::Moderate { platform, .. } => Some(*platform),
            Command::LoadImage { .. }
            | Command::MapCategory { .. }
            | Command::ChangeSaved { .. }
            | Command::LoadStats
            | Command::LoadStream { .. }
            | Command::ExportStream { .. }
            | Command::SaveGraphPng { .. } => None,
        }
    }

    /// The id its answer will carry, for commands that are answered by id.
    pub fn request_id(&self) -> Option<RequestId> {
        match self {
            Command::LoadAccount { .. }
            | Command::Watch { .. }
            | Command::LoadStreamKey { .. }
            | Command::LoadSignInStatus { .. }
            | Command::LoadImage { .. }
            | Command::ExportCsv { .. }
            | Command::SignIn { .. }
            | Command::CancelSignIn { .. }
            | Command::SignOut { .. }
            | Command::LoadEditors { .. }
            | Command::LoadTeams { .. }
            | Command::LoadVideos { .. }
            | Command::StartCommercial { .. }
            | Command::RegenerateStreamKey { .. }
            | Command::Moderate { .. }
            | Command::ChangeSaved { .. }
            | Command::LoadStats
            | Command::LoadStream { .. }
            | Command::ExportStream { .. }
            | Command::SaveGraphPng { .. } => None,
            Command::MapCategory { request_id, .. }
            | Command::LoadChannel { request_id, .. }
            | Command::UpdateChannel { request_id, .. }
            | Command::SearchCategories { request_id, .. }
            | Command::LoadViewers { request_id, .. }
            | Command::LoadFollowers { request_id, .. }
            | Command::LoadSubscribers { request_id, .. }
            | Command::SendChat { request_id, .. } => Some(*request_id),
        }
    }

    /// Whether `event` is this command's answer: the one with its request id, or, for a
    /// command answered without one, the event of its kind for its platform. What a
    /// headless command waits for.
    pub fn is_answered_by(&self, event: &Event) -> bool {
        if let Some(id) = self.request_id() {
            return event.request_id() == Some(id);
        }
        if self.platform() != event.platform() {
            return false;
        }
        matches!(
            (self, event),
            (Command::LoadAccount { .. }, Event::AccountLoaded { .. })
                | (Command::LoadStreamKey { .. }, Event::StreamKeyLoaded { .. })
                | (
                    Command::LoadSignInStatus { .. },
                    Event::SignInStatusLoaded { .. }
                )
                | (Command::ExportCsv { .. }, Event::Exported { .. })
                | (Command::SignIn { .. }, Event::SignedIn { .. })
                | (Command::SignOut { .. }, Event::SignedOut { .. })
                | (Command::LoadEditors { .. }, Event::EditorsLoaded { .. })
                | (Command::LoadTeams { .. }, Event::TeamsLoaded { .. })
                | (Command::LoadVideos { .. }, Event::VideosLoaded { .. })
                | (
                    Command::StartCommercial { .. },
                    Event::CommercialStarted { .. }
                )
                | (
                    Command::RegenerateStreamKey { .. },
                    Event::StreamKeyRegenerated { .. }
                )
                | (Command::Moderate { .. }, Event::Moderated { .. })
                | (Command::ChangeSaved { .. }, Event::SavedLoaded { .. })
                | (Command::LoadStats, Event::StatsLoaded { .. })
                | (Command::LoadStream { .. }, Event::StreamLoaded { .. })
                | (Command::ExportStream { .. }, Event::StreamExported { .. })
                | (Command::SaveGraphPng { .. }, Event::StreamExported { .. })
        )
    }
}

/// Something the backend tells the UI. Large lists travel behind an `Arc` so handing one to
/// the UI copies nothing.
#[derive(Clone, Debug)]
pub enum Event {
    AccountLoaded {
        platform: PlatformId,
        result: Result<Account, PlatformError>,
        capabilities: Capabilities,
    },
    ChannelLoaded {
        platform: PlatformId,
        request_id: RequestId,
        result: Result<Channel, PlatformError>,
    },
    ChannelUpdated {
        platform: PlatformId,
        request_id: RequestId,
        result: Result<Channel, PlatformError>,
    },
    CategoriesFound {
        platform: PlatformId,
        request_id: RequestId,
        result: Result<CategoryPage, PlatformError>,
    },
    ViewersLoaded {
        platform: PlatformId,
        request_id: RequestId,
        result: Result<Arc<ViewerList>, PlatformError>,
    },
    FollowersLoaded {
        platform: PlatformId,
        request_id: RequestId,
        result: Result<Arc<FollowerList>, PlatformError>,
    },
    SubscribersLoaded {
        platform: PlatformId,
        request_id: RequestId,
        result: Result<Arc<SubscriberList>, PlatformError>,
    },
    ChatSent {
        platform: PlatformId,
        request_id: RequestId,
        message: String,
        /// The id the platform gave the line, where it gives one.
        result: Result<Option<String>, PlatformError>,
    },
    /// The platform's rate-limit budget changed.
    RateBudget {
        platform: PlatformId,
        budget: RateBudget,
    },
    /// A command named a platform that is not configured.
    NotConfigured {
        platform: PlatformId,
        request_id: Option<RequestId>,
    },
    /// An image asked for with `LoadImage`; on failure the UI keeps its placeholder.
    ImageLoaded {
        url: String,
        result: Result<Arc<DecodedImage>, String>,
    },
    /// The stream key, kept a `Secret` all the way to the one label that may show it.
    StreamKeyLoaded {
        platform: PlatformId,
        result: Result<Secret, PlatformError>,
    },
    SignInStatusLoaded {
        platform: PlatformId,
        result: Result<SignInStatus, PlatformError>,
    },
    /// An export finished: the file written, or `None` when the user cancelled.
    Exported {
        platform: PlatformId,
        result: Result<Option<PathBuf>, String>,
    },
    /// A sign-in opened (or could not open) the browser at `url` and waits for the redirect;
    /// the address is shown too, for a browser on another profile.
    SignInWaiting {
        platform: PlatformId,
        url: String,
        /// The code to confirm on that page (device sign-ins such as Twitch's).
        user_code: Option<String>,
    },
    /// A sign-in ended: who is signed in now, or why not (cancelled included). `note` says
    /// when the sign-in is kept for this run only.
    SignedIn {
        platform: PlatformId,
        result: Result<Account, String>,
        note: Option<String>,
    },
    /// Signed out: the client is gone and the stored secrets deleted. `note` says what did
    /// not go to plan (the platform did not confirm the revocation, the store refused).
    SignedOut {
        platform: PlatformId,
        note: Option<String>,
    },
    EditorsLoaded {
        platform: PlatformId,
        result: Result<Vec<Editor>, PlatformError>,
    },
    TeamsLoaded {
        platform: PlatformId,
        result: Result<Vec<Team>, PlatformError>,
    },
    VideosLoaded {
        platform: PlatformId,
        result: Result<Vec<Video>, PlatformError>,
    },
    /// The new stream key, or why it was not replaced.
    StreamKeyRegenerated {
        platform: PlatformId,
        result: Result<Secret, PlatformError>,
    },
    /// What became of a moderation action.
    Moderated {
        platform: PlatformId,
        action: ModerationAction,
        /// The user as the window named them.
        who: String,
        result: Result<ModerationOutcome, PlatformError>,
    },
    /// What is left of a per-user chat limit (Velora: 30 messages a minute).
    ChatBudget {
        platform: PlatformId,
        budget: RateBudget,
    },
    /// A commercial started (with the cooldown until the next), or why not. `at` is when
    /// the answer came, so the UI can count the cooldown down without a clock in `apply`.
    CommercialStarted {
        platform: PlatformId,
        result: Result<CommercialStarted, PlatformError>,
        at: time::OffsetDateTime,
    },
    /// New events of the own channel's live connection, oldest first: lines, follows,
    /// subscriptions, raids, and removals a moderator made here or elsewhere. The follow
    /// loop passes each once.
    ChatArrived {
        platform: PlatformId,
        events: Vec<ChatEvent>,
    },
    /// The chat connection came up, went down or cannot be had.
    ChatFeedChanged {
        platform: PlatformId,
        status: ChatFeedStatus,
    },
    /// What each platform's category would be for a game (`MapCategory`'s answer).
    CategoryMapped {
        request_id: RequestId,
        name: String,
        proposals: BTreeMap<PlatformId, CategoryProposal>,
    },
    /// Everything the local database keeps, after a change (or the reason it failed), and
    /// what the change did where that is worth a line (an export's file).
    SavedLoaded {
        result: Result<Arc<Saved>, String>,
        note: Option<String>,
    },
    /// The local database was set aside and started afresh, or cannot be used: a sentence
    /// for the user.
    StoreNotice { message: String },
    /// What the stats panel shows, fresh.
    StatsLoaded {
        result: Result<Arc<crate::model::StatsSnapshot>, String>,
    },
    /// A past stream asked for with `LoadStream`.
    StreamLoaded {
        id: i64,
        result: Result<Arc<crate::model::StreamRecord>, String>,
    },
    /// A stream export finished: the file, `None` when the user cancelled, or why not.
    StreamExported {
        result: Result<Option<PathBuf>, String>,
    },
}

/// Where the own channel's live connection stands (defined with the follow loop).
pub use crate::platform::chat_feed::ChatFeedStatus;

impl Event {
    /// The platform the event is about, if it is about one.
    pub fn platform(&self) -> Option<PlatformId> {
        match self {
            Event::AccountLoaded { platform, .. }
            | Event::ChannelLoaded { platform, .. }
            | Event::ChannelUpdated { platform, .. }
            | Event::CategoriesFound { platform, .. }
            | Event::ViewersLoaded { platform, .. }
            | Event::FollowersLoaded { platform, .. }
            | Event::SubscribersLoaded { platform, .. }
            | Event::ChatSent { platform, .. }
            | Event::RateBudget { platform, .. }
            | Event::NotConfigured { platform, .. }
            | Event::StreamKeyLoaded { platform, .. }
            | Event::SignInStatusLoaded { platform, .. }
            | Event::Exported { platform, .. }
            | Event::SignInWaiting { platform, .. }
            | Event::SignedIn { platform, .. }
            | Event::SignedOut { platform, .. }
            | Event::EditorsLoaded { platform, .. }
            | Event::TeamsLoaded { platform, .. }
            | Event::VideosLoaded { platform, .. }
            | Event::StreamKeyRegenerated { platform, .. }
            | Event::Moderated { platform, .. }
            | Event::ChatBudget { platform, .. }
            | Event::CommercialStarted { platform, .. }
            | Event::ChatArrived { platform, .. }
            | Event::ChatFeedChanged { platform, .. } => Some(*platform),
            Event::ImageLoaded { .. }
            | Event::CategoryMapped { .. }
            | Event::SavedLoaded { .. }
            | Event::StoreNotice { .. }
            | Event::StatsLoaded { .. }
            | Event::StreamLoaded { .. }
            | Event::StreamExported { .. } => None,
        }
    }

    /// The command this event answers, if it answers one.
    pub fn request_id(&self) -> Option<RequestId> {
        match self {
            Event::ChannelLoaded { request_id, .. }
            | Event::ChannelUpdated { request_id, .. }
            | Event::CategoriesFound { request_id, .. }
            | Event::ViewersLoaded { request_id, .. }
            | Event::FollowersLoaded { request_id, .. }
            | Event::SubscribersLoaded { request_id, .. }
            | Event::ChatSent { request_id, .. }
            | Event::CategoryMapped { request_id, .. } => Some(*request_id),
            Event::NotConfigured { request_id, .. } => *request_id,
            Event::AccountLoaded { .. }
            | Event::RateBudget { .. }
            | Event::ImageLoaded { .. }
            | Event::StreamKeyLoaded { .. }
            | Event::SignInStatusLoaded { .. }
            | Event::Exported { .. }
            | Event::SignInWaiting { .. }
            | Event::SignedIn { .. }
            | Event::SignedOut { .. }
            | Event::EditorsLoaded { .. }
            | Event::TeamsLoaded { .. }
            | Event::VideosLoaded { .. }
            | Event::StreamKeyRegenerated { .. }
            | Event::Moderated { .. }
            | Event::ChatBudget { .. }
            | Event::CommercialStarted { .. }
            | Event::ChatArrived { .. }
            | Event::ChatFeedChanged { .. }
            | Event::SavedLoaded { .. }
            | Event::StoreNotice { .. }
            | Event::StatsLoaded { .. }
            | Event::StreamLoaded { .. }
            | Event::StreamExported { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::PlatformError;

    fn editors(platform: PlatformId) -> Event {
        Event::EditorsLoaded {
            platform,
            result: Ok(Vec::new()),
        }
    }

    #[test]
    fn an_answer_is_found_by_id_or_by_kind_and_platform() {
        let [first, second, ..] = PlatformId::ALL;
        let load = Command::LoadEditors { platform: first };
        assert!(load.is_answered_by(&editors(first)));
        assert!(!load.is_answered_by(&editors(second)), "another platform's");
        assert!(
            !load.is_answered_by(&Event::TeamsLoaded {
                platform: first,
                result: Ok(Vec::new()),
            }),
            "another kind of answer"
        );
        let channel = |request_id| Command::LoadChannel {
            platform: first,
            target: ChannelTarget::Own,
            request_id,
        };
        let loaded = |request_id| Event::ChannelLoaded {
            platform: first,
            request_id,
            result: Err(PlatformError::Unsupported {
                platform: first,
                what: "x".into(),
            }),
        };
        assert!(channel(7).is_answered_by(&loaded(7)));
        assert!(!channel(7).is_answered_by(&loaded(8)), "an older request's");
    }
}
