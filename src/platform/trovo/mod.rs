//! Trovo: the HTTP client for every endpoint of the Open Platform reference, its wire shapes
//! and its error codes, the chat websocket, and chat moderation.

mod api;
pub mod authorize;
pub mod chat;
pub mod chat_wire;
mod client;
pub mod config;
mod endpoints;
pub mod errors;
mod moderation;
mod setup;
pub mod wire;

pub use crate::platform::tokens::{TokenListener, TokenPair};
pub use authorize::{TROVO_AUTHORIZE_PAGE, trovo_authorize_url};
pub use client::{DOCUMENTED_LIMIT_PER_MINUTE, TrovoClient};
pub use config::TrovoConfig;
pub use endpoints::{
    CommandOutcome, Direction, EmoteKind, Emotes, OwnChannel, PAGE_MAX, SubscriberPage, TokenInfo,
    TopChannelsPage, UserRef, VIEWERS_PAGE, decode_viewers,
};
pub use setup::{Trovo, demo_options, sim_client, sim_settings, streamer_settings};
pub use wire::{ChannelEmotes, Emote, StreamUrl};

use crate::auth::help::{RegistrationHelp, SecretUse};
use crate::model::Capabilities;

/// What Trovo's channel form and chat allow.
pub const CAPABILITIES: Capabilities = Capabilities {
    // Trovo's studio caps a stream title at 140 characters.
    title_max_chars: 140,
    // Trovo's chat box caps a message at 300 characters.
    chat_max_chars: 300,
    language: true,
    audience: true,
    tags: false,
    max_tags: 0,
    tag_max_chars: 0,
    delay: false,
    delay_max_secs: 0,
    subscribers: true,
    stream_key: true,
    stream_key_reset: false,
    editors: false,
    teams: false,
    commercials: false,
    videos: false,
    moderation: true,
    stream_key_dashboard: None,
    retired: &[],
};

/// The OAuth scopes Stagehand asks Trovo for.
pub const SCOPES: [&str; 8] = [
    "user_details_self",
    "channel_details_self",
    "channel_update_self",
    "channel_subscriptions",
    "chat_connect",
    "chat_send_self",
    "send_to_my_channel",
    "manage_messages",
];

/// What a user does in Trovo's developer console before signing in, for Settings.
pub const REGISTRATION_HELP: RegistrationHelp = RegistrationHelp {
    console_url: "https://developer.trovo.live/",
    steps: &[
        "Open Trovo's developer portal and create an application.",
        "Add {redirect} as its redirect URL, exactly so.",
        "Copy its client ID here, then sign in.",
    ],
    uses_redirect: true,
    secret: SecretUse::Optional,
    secret_hint: "Optional. With it, Stagehand renews the sign-in by itself; without it, Trovo signs you in for about 10 days. Kept on the system's credential store only.",
};
