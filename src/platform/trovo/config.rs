//! Where a Trovo client gets its addresses and ids: the production URLs, the environment
//! variables that point it elsewhere (the simulator, a stand-in), and its configuration.

use crate::config::{DEFAULT_TIMEOUT, PlatformSettings, check_base_url, check_socket_url};
use crate::error::PlatformError;
use crate::model::PlatformId;
use crate::secret::Secret;
use std::time::Duration;
use url::Url;

/// Trovo's API base, `/openplatform` included.
pub const TROVO_API: &str = "https://open-api.trovo.live/openplatform";

/// Trovo's chat websocket.
pub const TROVO_CHAT: &str = "wss://open-chat.trovo.live/chat";

/// Names another address for Trovo's chat websocket (a stand-in's).
pub const TROVO_CHAT_ENV_VAR: &str = "STAGEHAND_TROVO_CHAT_URL";

/// Everything a Trovo client needs.
#[derive(Clone, Debug)]
pub struct TrovoConfig {
    pub api_base: Url,
    pub client_id: String,
    /// Needed for the code exchange and for refreshing tokens.
    pub client_secret: Option<Secret>,
    pub access_token: Option<Secret>,
    pub refresh_token: Option<Secret>,
    pub timeout: Duration,
    /// The chat websocket: Trovo's own beside Trovo's API, else the API host's `/chat` (where
    /// the simulator serves it), unless `STAGEHAND_TROVO_CHAT_URL` names another.
    pub chat_url: Url,
    /// How long a `PONG` may take before the chat socket counts as lost.
    pub chat_pong_wait: Duration,
}

impl TrovoConfig {
    /// A configuration for an API base (the production one, or a simulator's). The chat
    /// address follows from the API base (see [`trovo_chat_url_for`]).
    pub fn new(api_base: &str, client_id: impl Into<String>) -> Result<Self, PlatformError> {
        let api_base = check_base_url(PlatformId::Trovo, api_base)?;
        Ok(TrovoConfig {
            chat_url: trovo_chat_url_for(&api_base),
            chat_pong_wait: super::chat::PONG_WAIT,
            api_base,
            client_id: client_id.into(),
            client_secret: None,
            access_token: None,
            refresh_token: None,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// Reads `STAGEHAND_TROVO_*` through `lookup` (the process environment in production),
    /// so scripts and stand-in servers can override everything.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, PlatformError> {
        let settings = PlatformSettings::new(PlatformId::Trovo, lookup);
        let api = settings.get("API").unwrap_or_else(|| TROVO_API.to_owned());
        let client_id =
            settings.client_id("register an application at https://developer.trovo.live")?;
        let mut config = TrovoConfig::new(&api, client_id)?;
        config.client_secret = settings.secret("CLIENT_SECRET");
        config.access_token = settings.secret("ACCESS_TOKEN");
        config.refresh_token = settings.secret("REFRESH_TOKEN");
        if let Some(chat) = settings.get("CHAT_URL") {
            config.chat_url = check_socket_url(PlatformId::Trovo, "chat address", &chat)?;
        }
        Ok(config)
    }
}

/// Where Trovo's chat websocket is for an API base: Trovo's own chat server beside Trovo's
/// API, else the same host's `/chat` over `ws://` or `wss://` as the API uses plain or TLS
/// HTTP (the simulator serves its chat there, so `--demo` and the tests need no setting).
pub fn trovo_chat_url_for(api_base: &Url) -> Url {
    let production = Url::parse(TROVO_API)
        .ok()
        .is_some_and(|p| p.host_str() == api_base.host_str());
    let derived = (!production).then(|| {
        let mut url = api_base.clone();
        let scheme = if url.scheme() == "http" { "ws" } else { "wss" };
        url.set_scheme(scheme).ok()?;
        url.set_path("/chat");
        url.set_query(None);
        url.set_fragment(None);
        Some(url)
    });
    match derived.flatten() {
        Some(url) => url,
        // A constant that parses: the fallback is never reached with a valid base.
        None => Url::parse(TROVO_CHAT).unwrap_or_else(|_| api_base.clone()),
    }
}

crate::config::client_settings!(TrovoConfig, with client_secret);
