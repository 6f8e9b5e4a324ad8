//! Where a Twitch client gets its addresses and ids: the production URLs, the environment
//! variables that point it elsewhere (the simulator, a stand-in), and its configuration.

use crate::config::{DEFAULT_TIMEOUT, PlatformSettings, check_base_url, check_socket_url};
use crate::error::PlatformError;
use crate::model::PlatformId;
use crate::secret::Secret;
use std::time::Duration;
use url::Url;

/// Twitch's Helix API base.
pub const TWITCH_API: &str = "https://api.twitch.tv/helix";

/// Twitch's sign-in origin, without `/oauth2` (the client adds the paths).
pub const TWITCH_AUTH: &str = "https://id.twitch.tv";

/// Twitch's EventSub websocket, where live chat arrives.
pub const TWITCH_EVENTSUB: &str = "wss://eventsub.wss.twitch.tv/ws";

/// Everything a Twitch client needs. There is no client secret: Stagehand is registered as
/// a public client, signs in with the Device Code flow and refreshes without a secret.
#[derive(Clone, Debug)]
pub struct TwitchConfig {
    /// The Helix base, `/helix` included.
    pub api_base: Url,
    /// The sign-in origin (`https://id.twitch.tv`), without `/oauth2`.
    pub auth_base: Url,
    /// The EventSub websocket (`wss://eventsub.wss.twitch.tv/ws`). Derived from the Helix
    /// base unless set: the production socket for the production Helix, else `/ws` on the
    /// Helix base's host (where the simulator serves it).
    pub eventsub_url: Url,
    pub client_id: String,
    pub access_token: Option<Secret>,
    pub refresh_token: Option<Secret>,
    pub timeout: Duration,
}

impl TwitchConfig {
    /// A configuration for a Helix base and a sign-in origin (the production ones, or a
    /// simulator's). A trailing `/oauth2` on the origin is tolerated and dropped.
    pub fn new(
        api_base: &str,
        auth_base: &str,
        client_id: impl Into<String>,
    ) -> Result<Self, PlatformError> {
        let mut auth = check_base_url(PlatformId::Twitch, auth_base)?;
        if auth.path().ends_with("/oauth2") {
            let trimmed = auth.path().trim_end_matches("/oauth2").to_owned();
            auth.set_path(&trimmed);
        }
        let api_base = check_base_url(PlatformId::Twitch, api_base)?;
        Ok(TwitchConfig {
            eventsub_url: Self::eventsub_beside(&api_base)?,
            api_base,
            auth_base: auth,
            client_id: client_id.into(),
            access_token: None,
            refresh_token: None,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// Reads `STAGEHAND_TWITCH_*` through `lookup` (the process environment in production).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, PlatformError> {
        let settings = PlatformSettings::new(PlatformId::Twitch, lookup);
        let api = settings.get("API").unwrap_or_else(|| TWITCH_API.to_owned());
        let auth = settings
            .get("AUTH")
            .unwrap_or_else(|| TWITCH_AUTH.to_owned());
        let client_id =
            settings.client_id("register a Public application at https://dev.twitch.tv/console")?;
        let mut config = TwitchConfig::new(&api, &auth, client_id)?;
        if let Some(eventsub) = settings.get("EVENTSUB") {
            config.set_eventsub_url(&eventsub)?;
        }
        config.access_token = settings.secret("ACCESS_TOKEN");
        config.refresh_token = settings.secret("REFRESH_TOKEN");
        Ok(config)
    }

    /// Points chat at another EventSub websocket (a stand-in): `wss://`, or `ws://` only
    /// for a loopback address.
    pub fn set_eventsub_url(&mut self, raw: &str) -> Result<(), PlatformError> {
        self.eventsub_url = check_socket_url(PlatformId::Twitch, "EventSub address", raw)?;
        Ok(())
    }

    /// The EventSub socket that goes with a Helix base: Twitch's own for Twitch's Helix,
    /// else `/ws` on the same host (`ws://` beside a loopback `http://` base).
    fn eventsub_beside(api_base: &Url) -> Result<Url, PlatformError> {
        let production = Url::parse(TWITCH_API).ok();
        let raw = if production.as_ref() == Some(api_base) {
            TWITCH_EVENTSUB.to_owned()
        } else {
            let scheme = if api_base.scheme() == "http" {
                "ws"
            } else {
                "wss"
            };
            let host = api_base.host_str().unwrap_or_default();
            let host = if host.contains(':') && !host.starts_with('[') {
                format!("[{host}]")
            } else {
                host.to_owned()
            };
            match api_base.port() {
                Some(port) => format!("{scheme}://{host}:{port}/ws"),
                None => format!("{scheme}://{host}/ws"),
            }
        };
        Url::parse(&raw).map_err(|e| PlatformError::Config {
            platform: PlatformId::Twitch,
            message: format!("no EventSub address can be derived from the Helix base ({e})"),
        })
    }
}

crate::config::client_settings!(TwitchConfig);
