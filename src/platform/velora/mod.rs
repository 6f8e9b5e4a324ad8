//! Velora: a hand-written client for the endpoints of Velora's reference that a streamer's
//! control panel needs (stream info, categories, the stream key, viewers, followers,
//! subscribers, chat and moderation), and the authorization code sign-in with PKCE (S256).
//!
//! Like the Twitch client it paces every call through the rate limiter shared per client ID
//! (`platform::ratelimit`, fed by `X-RateLimit-*`; a 429 honours `Retry-After` first),
//! decodes leniently (`platform::lenient`: Velora publishes no response schemas, so the
//! shapes are the working contract of `platform-facts.md` and unknown fields are ignored),
//! keeps tokens and the stream key in `Secret`, and reports one typed `PlatformError`
//! whose sentence comes from either of Velora's error shapes.
//!
//! Velora's integration endpoints speak of the signed-in user's own stream: other channels
//! are read through the public profile and stream endpoints by username.

mod api;
mod auth;
pub mod chat;
mod client;
pub mod config;
mod endpoints;
pub mod errors;
pub mod events;
mod setup;
pub mod wire;

pub use crate::platform::tokens::{TokenListener, TokenPair};
pub use auth::{VERIFIER_LEN, pkce_challenge, pkce_pair};
pub use client::{CHAT_PER_MINUTE, DOCUMENTED_LIMIT_PER_MINUTE, VeloraClient};
pub use config::VeloraConfig;
pub use endpoints::{PAGE_MAX, check_changes};
pub use setup::{Velora, demo_options, sim_client, sim_settings, streamer_settings};

use crate::auth::help::{RegistrationHelp, SecretUse};
use crate::model::Capabilities;

/// The longest stream title Stagehand sends to Velora. Velora publishes no limit; this is
/// the common one of the other platforms, so the form's counter means the same everywhere.
pub const TITLE_MAX_CHARS: usize = 140;
/// Velora's longest chat message.
pub const CHAT_MAX_CHARS: usize = 500;
/// How many tags Stagehand lets a Velora stream carry (Velora publishes no limit).
pub const TAGS_MAX: usize = 10;
/// The longest tag Stagehand sends to Velora (Velora publishes no limit).
pub const TAG_MAX_CHARS: usize = 25;

/// What Velora's stream form and chat allow.
pub const CAPABILITIES: Capabilities = Capabilities {
    title_max_chars: TITLE_MAX_CHARS,
    chat_max_chars: CHAT_MAX_CHARS,
    // Velora's stream info has neither a language nor an audience.
    language: false,
    audience: false,
    tags: true,
    max_tags: TAGS_MAX,
    tag_max_chars: TAG_MAX_CHARS,
    delay: false,
    delay_max_secs: 0,
    subscribers: true,
    stream_key: true,
    // `POST /api/integrations/oauth/stream/key/regenerate`.
    stream_key_reset: true,
    editors: false,
    teams: false,
    commercials: false,
    videos: false,
    moderation: true,
    stream_key_dashboard: None,
    retired: &[],
};

/// The scopes Stagehand's Velora sign-in asks for: one for each call it makes.
pub const SCOPES: [&str; 7] = [
    // GET /api/integrations/oauth/stream/info
    "stream:read",
    // PUT /api/integrations/oauth/stream/info
    "stream:write",
    // GET .../stream/setup, POST .../stream/key/regenerate
    "stream:key",
    // POST .../chat/channels/:channelId/messages
    "chat:write",
    // POST .../chat/channels/:channelId/moderate
    "chat:moderate",
    // GET /api/subscriptions/creator/:creatorId/subscribers
    "subscriptions:read",
    // GET /api/users/me
    "user:read",
];

/// What a user does in Velora's developer console before signing in, for Settings.
pub const REGISTRATION_HELP: RegistrationHelp = RegistrationHelp {
    console_url: "https://velora.tv/developers",
    steps: &[
        "Open Velora's developer settings and create an application.",
        "Add {redirect} as its redirect URL, exactly so.",
        "Copy its client ID here, then sign in.",
    ],
    uses_redirect: true,
    secret: SecretUse::Optional,
    secret_hint: "Optional: Velora signs desktop apps in with PKCE; with a secret, it is sent too. Kept on the system's credential store only.",
};
