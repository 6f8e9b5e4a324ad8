//! The platform-neutral surface every platform's client implements. The backend and the
//! headless commands hold a `PlatformClient` and never learn which platform is behind it;
//! each platform's `api.rs` turns these calls into its own API.

use super::chat_feed::ChatSink;
use super::tokens::TokenListener;
use crate::error::PlatformError;
use crate::model::{
    Account, Capabilities, CategoryPage, Channel, ChannelChanges, ChannelTarget, CommercialStarted,
    Editor, FollowerList, ModerationAction, ModerationOutcome, PlatformId, RateBudget,
    SignInStatus, SubscriberList, Team, Video, ViewerList,
};
use crate::secret::Secret;
use std::any::Any;
use std::sync::Arc;

/// What Stagehand asks of a platform. Calls a platform does not offer answer
/// `PlatformError::Unsupported` (the defaults below), which panels avoid by reading
/// `capabilities()` first.
#[async_trait::async_trait]
pub trait PlatformApi: Send + Sync + 'static {
    /// Which platform this client talks to.
    fn platform(&self) -> PlatformId;

    /// What the platform's forms and chat allow.
    fn capabilities(&self) -> Capabilities;

    /// The rate-limit budget left, for the status bar.
    fn rate_budget(&self) -> Option<RateBudget>;

    /// The chat budget where the platform limits chat lines on their own (Velora: 30 a
    /// minute), for the send box; `None` elsewhere.
    fn chat_budget(&self) -> Option<RateBudget> {
        None
    }

    /// Whether a user's access token is held (a signed-in client, not an anonymous one).
    fn has_user_token(&self) -> bool;

    /// Who to tell about refreshed tokens, so the credential store keeps the newest
    /// refresh token (it may be single-use).
    fn on_tokens_refreshed(&self, listener: TokenListener);

    /// The concrete client, for tests and platform-specific tools.
    fn as_any(&self) -> &dyn Any;

    /// The signed-in account.
    async fn account(&self) -> Result<Account, PlatformError>;

    /// Until when the sign-in lasts and what it allows. Where the platform has a validate
    /// endpoint this also lets the client refresh before the token lapses (Twitch asks
    /// desktop apps to validate at start and hourly).
    async fn sign_in_status(&self) -> Result<SignInStatus, PlatformError>;

    /// Ends the sign-in on the platform's side (Sign out), so a copy of the token elsewhere
    /// is worthless too; where the platform cannot revoke, the client forgets the tokens.
    async fn revoke(&self) -> Result<(), PlatformError>;

    /// A channel's current state.
    async fn channel(&self, target: &ChannelTarget) -> Result<Channel, PlatformError>;

    /// The signed-in user's stream key, where the platform shows it.
    async fn stream_key(&self) -> Result<Secret, PlatformError>;

    /// Replaces the signed-in user's stream key and answers the new one, where the platform
    /// can (`Capabilities::stream_key_reset`); the encoder must then be given the new key.
    /// Never sent twice.
    async fn regenerate_stream_key(&self) -> Result<Secret, PlatformError> {
        Err(unsupported(
            self.platform(),
            "stream key reset through its API",
        ))
    }

    /// Applies `changes` to the signed-in user's channel and answers the channel as the
    /// platform reports it afterwards. A field the platform does not have (tags or a delay on
    /// Trovo, an audience on Twitch) is refused before anything is sent, as are values the
    /// platform's rules refuse.
    async fn update_channel(&self, changes: &ChannelChanges) -> Result<Channel, PlatformError>;

    /// Categories matching `query`, or the top list when `query` is empty. `limit` caps the
    /// list; `has_more` then says whether it cut anything.
    async fn categories(
        &self,
        query: &str,
        limit: Option<usize>,
    ) -> Result<CategoryPage, PlatformError>;

    /// Everyone watching a channel (the own one when `channel_id` is `None`).
    async fn viewers(&self, channel_id: Option<&str>) -> Result<ViewerList, PlatformError>;

    /// A channel's followers, newest first, all of them unless `limit`.
    async fn followers(
        &self,
        channel_id: Option<&str>,
        limit: Option<usize>,
    ) -> Result<FollowerList, PlatformError>;

    /// The signed-in user's subscribers.
    async fn subscribers(&self) -> Result<SubscriberList, PlatformError>;

    /// Sends a chat line to the own channel, or to `channel_id`, and answers the id the
    /// platform gave it (`None` where it gives none: Trovo). Never sent twice.
    async fn send_chat(
        &self,
        message: &str,
        channel_id: Option<&str>,
    ) -> Result<Option<String>, PlatformError>;

    /// Follows the own channel's chat, sending what arrives to `sink`, until the
    /// connection fails (an error to report and retry after a pause) or `sink`'s receiver
    /// is gone (`Ok`). `PlatformError::Unsupported` means retrying will not help.
    async fn follow_chat(&self, sink: &ChatSink) -> Result<(), PlatformError>;

    /// Carries out a chat moderation action (timeout, ban, delete a message) in the own
    /// channel, or `channel_id`'s, and answers the platform's message. Where the platform
    /// refuses, the error carries its message. Never sent twice.
    async fn moderate(
        &self,
        action: &ModerationAction,
        channel_id: Option<&str>,
    ) -> Result<ModerationOutcome, PlatformError>;

    /// The people allowed to edit the signed-in user's channel (`Capabilities::editors`).
    async fn editors(&self) -> Result<Vec<Editor>, PlatformError> {
        Err(unsupported(self.platform(), "channel editors"))
    }

    /// The teams the signed-in user's channel belongs to (`Capabilities::teams`).
    async fn teams(&self) -> Result<Vec<Team>, PlatformError> {
        Err(unsupported(self.platform(), "teams"))
    }

    /// The signed-in user's videos, newest first: past broadcasts, highlights and uploads
    /// (`Capabilities::videos`). All of them unless `limit`.
    async fn videos(&self, _limit: Option<usize>) -> Result<Vec<Video>, PlatformError> {
        Err(unsupported(self.platform(), "video list"))
    }

    /// Starts a commercial of `length` seconds on the signed-in user's live channel
    /// (`Capabilities::commercials`). Never sent twice.
    async fn start_commercial(&self, _length: u32) -> Result<CommercialStarted, PlatformError> {
        Err(unsupported(self.platform(), "commercials"))
    }
}

/// The error for something `platform` does not offer.
pub fn unsupported(platform: PlatformId, what: &str) -> PlatformError {
    PlatformError::Unsupported {
        platform,
        what: what.to_owned(),
    }
}

/// A signed-in (or anonymous) client of one platform, cheap to clone and share between
/// the backend's tasks.
#[derive(Clone)]
pub struct PlatformClient(Arc<dyn PlatformApi>);

impl PlatformClient {
    /// Wraps a platform's client.
    pub fn new(api: impl PlatformApi) -> Self {
        PlatformClient(Arc::new(api))
    }

    /// The concrete client when it is a `T` (tests and platform-specific tools).
    pub fn downcast_ref<T: 'static>(&self) -> Option<&T> {
        self.0.as_any().downcast_ref()
    }
}

impl std::ops::Deref for PlatformClient {
    type Target = dyn PlatformApi;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

impl std::fmt::Debug for PlatformClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PlatformClient({})", self.platform())
    }
}

/// Implements `PlatformApi`'s plain accessors for a client built with
/// `platform_client!` (written once rather than in each platform's `api.rs`).
macro_rules! platform_api_accessors {
    ($platform:expr, $capabilities:expr) => {
        fn platform(&self) -> $crate::model::PlatformId {
            $platform
        }

        fn capabilities(&self) -> $crate::model::Capabilities {
            $capabilities
        }

        fn rate_budget(&self) -> Option<$crate::model::RateBudget> {
            Some(Self::rate_budget(self))
        }

        fn has_user_token(&self) -> bool {
            Self::has_user_token(self)
        }

        fn on_tokens_refreshed(&self, listener: $crate::platform::tokens::TokenListener) {
            Self::on_tokens_refreshed(self, listener)
        }

        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    };
}
pub(crate) use platform_api_accessors;
