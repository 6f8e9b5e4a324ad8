//! Twitch: a hand-written client for the Helix endpoints Stagehand uses and for the sign-in
//! calls of id.twitch.tv (Device Code flow, refresh, validate, revoke).
//!
//! Why hand-written rather than the `twitch_api`/`twitch_oauth2` crates: those crates are
//! well kept, but they would bring a second HTTP stack and error world beside the one every
//! other platform here shares. Stagehand's clients pace every call through one rate limiter
//! per client ID (`platform::ratelimit`, which those crates lack), decode leniently
//! (`platform::lenient`: nulls, missing fields and numbers as strings are tolerated where
//! the crates' strict types fail a whole answer), keep tokens and stream keys in `Secret`,
//! and report one typed `PlatformError` with sentences a streamer can act on. Twitch's own
//! needs are small and documented (about twenty Helix calls, form-encoded OAuth), the
//! simulator is pointed at with two base URLs, and the refresh and single-use refresh-token
//! handling must match the Trovo client's gate and listener exactly; wrapping the crates'
//! types in all of that would be more code than the calls themselves, and would pull in
//! their dependency tree for every build.

mod api;
mod auth;
pub mod chat;
mod client;
pub mod config;
mod endpoints;
pub mod errors;
pub mod eventsub;
mod setup;
pub mod wire;

pub use crate::platform::tokens::{TokenListener, TokenPair};
pub use auth::{DeviceCode, DevicePoll, TokenInfo};
pub use client::{DOCUMENTED_LIMIT_PER_MINUTE, TwitchClient};
pub use config::TwitchConfig;
pub use endpoints::{CHATTERS_PAGE, COMMERCIAL_SECS, PAGE_MAX, TIMEOUT_MAX_SECS, check_changes};
pub use setup::{Twitch, demo_options, sim_client, sim_settings, streamer_settings};

use crate::auth::help::{RegistrationHelp, SecretUse};
use crate::model::Capabilities;

/// The size box art is asked at: the category picker draws icons of 27×36 points, and this
/// is twice that, sharp on a high-density screen. Helix's search answers URLs fixed at
/// 52x72; they are rewritten to this size, as are the `{width}x{height}` templates.
pub const BOX_ART_SIZE: (u32, u32) = (54, 72);

/// The size video thumbnails are asked at (16:9), filling Helix's `%{width}x%{height}`.
pub const VIDEO_THUMBNAIL_SIZE: (u32, u32) = (320, 180);

/// Twitch's longest stream title.
pub const TITLE_MAX_CHARS: usize = 140;
/// Twitch's longest chat message.
pub const CHAT_MAX_CHARS: usize = 500;
/// How many tags a Twitch channel may carry.
pub const TAGS_MAX: usize = 10;
/// Twitch's longest tag.
pub const TAG_MAX_CHARS: usize = 25;
/// Twitch's longest broadcast delay, in seconds (partners only).
pub const DELAY_MAX_SECS: u32 = 900;

/// What Twitch's channel form and chat allow.
pub const CAPABILITIES: Capabilities = Capabilities {
    title_max_chars: TITLE_MAX_CHARS,
    chat_max_chars: CHAT_MAX_CHARS,
    language: true,
    // Twitch has no audience setting (content labels are set on its dashboard).
    audience: false,
    tags: true,
    max_tags: TAGS_MAX,
    tag_max_chars: TAG_MAX_CHARS,
    // Partners only: the form says so for other channels instead of failing.
    delay: true,
    delay_max_secs: DELAY_MAX_SECS,
    subscribers: true,
    stream_key: true,
    // Helix cannot reset the stream key: the UI links to the dashboard.
    stream_key_reset: false,
    editors: true,
    teams: true,
    commercials: true,
    videos: true,
    // Delete a message, time out, ban (by id, or by login looked up first).
    moderation: true,
    stream_key_dashboard: Some("https://dashboard.twitch.tv/settings/stream"),
    retired: &[
        "Channel feed: Twitch retired channel feeds, and Helix has no setting for them, so there is nothing to switch on or off.",
    ],
};

/// The scopes Stagehand's Twitch sign-in asks for: one for each call above.
pub const SCOPES: [&str; 14] = [
    // PATCH /channels
    "channel:manage:broadcast",
    // GET /channels/editors
    "channel:read:editors",
    // GET /streams/key
    "channel:read:stream_key",
    // POST /channels/commercial
    "channel:edit:commercial",
    // GET /channels/followers (the whole list)
    "moderator:read:followers",
    // GET /chat/chatters
    "moderator:read:chatters",
    // GET /moderation/moderators
    "moderation:read",
    // GET /channels/vips
    "channel:read:vips",
    // GET /subscriptions
    "channel:read:subscriptions",
    // POST /chat/messages
    "user:write:chat",
    // EventSub channel.chat.message and channel.chat.notification (reading chat); the
    // channel.follow notices use moderator:read:followers above
    "user:read:chat",
    // POST /moderation/bans
    "moderator:manage:banned_users",
    // DELETE /moderation/chat
    "moderator:manage:chat_messages",
    // EventSub channel.ban (a time-out's end)
    "channel:moderate",
];

/// What a user does in Twitch's developer console before signing in, for Settings.
pub const REGISTRATION_HELP: RegistrationHelp = RegistrationHelp {
    console_url: "https://dev.twitch.tv/console/apps",
    steps: &[
        "Open the Twitch developer console and register an application.",
        "Choose the Public client type; any OAuth redirect URL will do (Stagehand signs in with a code instead).",
        "Copy its client ID here, then sign in and confirm the code Twitch shows.",
    ],
    uses_redirect: false,
    secret: SecretUse::None,
    secret_hint: "",
};
