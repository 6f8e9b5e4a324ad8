//! Where each platform's client gets its settings: base URLs, client ID, and, until the
//! keyring lands, tokens from the environment. Validation happens here, before any
//! connection is made.

use crate::error::PlatformError;
use crate::model::PlatformId;
use crate::secret::Secret;
use std::net::IpAddr;
use std::time::Duration;
use url::Url;

/// Trovo's API base, `/openplatform` included.
pub const TROVO_API: &str = "https://open-api.trovo.live/openplatform";

/// Trovo's chat websocket.
pub const TROVO_CHAT: &str = "wss://open-chat.trovo.live/chat";

/// Names another address for Trovo's chat websocket (a stand-in's).
pub const TROVO_CHAT_ENV_VAR: &str = "STAGEHAND_TROVO_CHAT_URL";

/// Twitch's Helix API base.
pub const TWITCH_API: &str = "https://api.twitch.tv/helix";

/// Twitch's sign-in origin, without `/oauth2` (the client adds the paths).
pub const TWITCH_AUTH: &str = "https://id.twitch.tv";

/// Twitch's EventSub websocket, where live chat arrives.
pub const TWITCH_EVENTSUB: &str = "wss://eventsub.wss.twitch.tv/ws";

/// Velora's API origin, without `/api` (the client adds the paths).
pub const VELORA_API: &str = "https://api.velora.tv";

/// Velora's authorize (sign-in and consent) page.
pub const VELORA_AUTHORIZE_PAGE: &str = "https://velora.tv/oauth/authorize";

/// How long one request may take before it is reported as a timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

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
}

impl TrovoConfig {
    /// A configuration for an API base (the production one, or a simulator's). The chat
    /// address follows from the API base (see [`trovo_chat_url_for`]).
    pub fn new(api_base: &str, client_id: impl Into<String>) -> Result<Self, PlatformError> {
        let api_base = check_base_url(PlatformId::Trovo, api_base)?;
        Ok(TrovoConfig {
            chat_url: trovo_chat_url_for(&api_base),
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
        let get = |k: &str| {
            lookup(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let api = get("STAGEHAND_TROVO_API").unwrap_or_else(|| TROVO_API.to_owned());
        let client_id = get("STAGEHAND_TROVO_CLIENT_ID").ok_or_else(|| PlatformError::Config {
            platform: PlatformId::Trovo,
            message: "no client ID is configured: register an application at https://developer.trovo.live and set STAGEHAND_TROVO_CLIENT_ID (see the README)".into(),
        })?;
        let mut config = TrovoConfig::new(&api, client_id)?;
        config.client_secret = get("STAGEHAND_TROVO_CLIENT_SECRET").map(Secret::new);
        config.access_token = get("STAGEHAND_TROVO_ACCESS_TOKEN").map(Secret::new);
        config.refresh_token = get("STAGEHAND_TROVO_REFRESH_TOKEN").map(Secret::new);
        if let Some(chat) = get(TROVO_CHAT_ENV_VAR) {
            config.chat_url = check_socket_url(PlatformId::Trovo, &chat)?;
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
        let get = |k: &str| {
            lookup(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let api = get("STAGEHAND_TWITCH_API").unwrap_or_else(|| TWITCH_API.to_owned());
        let auth = get("STAGEHAND_TWITCH_AUTH").unwrap_or_else(|| TWITCH_AUTH.to_owned());
        let client_id = get("STAGEHAND_TWITCH_CLIENT_ID").ok_or_else(|| PlatformError::Config {
            platform: PlatformId::Twitch,
            message: "no client ID is configured: register a Public application at https://dev.twitch.tv/console and set STAGEHAND_TWITCH_CLIENT_ID (see the README)".into(),
        })?;
        let mut config = TwitchConfig::new(&api, &auth, client_id)?;
        if let Some(eventsub) = get("STAGEHAND_TWITCH_EVENTSUB") {
            config.set_eventsub_url(&eventsub)?;
        }
        config.access_token = get("STAGEHAND_TWITCH_ACCESS_TOKEN").map(Secret::new);
        config.refresh_token = get("STAGEHAND_TWITCH_REFRESH_TOKEN").map(Secret::new);
        Ok(config)
    }

    /// Points chat at another EventSub websocket (a stand-in): `wss://`, or `ws://` only
    /// for a loopback address.
    pub fn set_eventsub_url(&mut self, raw: &str) -> Result<(), PlatformError> {
        let refuse = |why: String| PlatformError::Config {
            platform: PlatformId::Twitch,
            message: why,
        };
        let url = Url::parse(raw.trim())
            .map_err(|e| refuse(format!("the EventSub address {raw:?} is not a URL ({e})")))?;
        match url.scheme() {
            "wss" => {}
            "ws" if is_loopback(&url) => {}
            "ws" => {
                return Err(refuse(format!(
                    "refusing the plain ws:// EventSub address {raw:?}: chat would cross the network unencrypted; use wss:// (ws:// is allowed only for 127.0.0.1, ::1 or localhost)"
                )));
            }
            other => {
                return Err(refuse(format!(
                    "the EventSub address {raw:?} must start with wss:// (not {other}://)"
                )));
            }
        }
        self.eventsub_url = url;
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

/// Everything a Velora client needs. Velora signs in with the authorization code and PKCE;
/// the client secret is optional (a public client has none) and is sent with the code
/// exchange and every refresh when configured.
#[derive(Clone, Debug)]
pub struct VeloraConfig {
    /// The API origin (`https://api.velora.tv`), without `/api`.
    pub api_base: Url,
    /// The authorize page the browser opens (`https://velora.tv/oauth/authorize`).
    pub authorize_page: Url,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub access_token: Option<Secret>,
    pub refresh_token: Option<Secret>,
    pub timeout: Duration,
}

impl VeloraConfig {
    /// A configuration for an API origin and an authorize page (the production ones, or a
    /// simulator's). A trailing `/api` on the origin is tolerated and dropped.
    pub fn new(
        api_base: &str,
        authorize_page: &str,
        client_id: impl Into<String>,
    ) -> Result<Self, PlatformError> {
        let mut api = check_base_url(PlatformId::Velora, api_base)?;
        if api.path().ends_with("/api") {
            let trimmed = api.path().trim_end_matches("/api").to_owned();
            api.set_path(&trimmed);
        }
        Ok(VeloraConfig {
            api_base: api,
            authorize_page: check_base_url(PlatformId::Velora, authorize_page)?,
            client_id: client_id.into(),
            client_secret: None,
            access_token: None,
            refresh_token: None,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// Reads `STAGEHAND_VELORA_*` through `lookup` (the process environment in production):
    /// `_API` (the origin), `_AUTH_URL` (the authorize page), `_CLIENT_ID`, `_CLIENT_SECRET`,
    /// `_ACCESS_TOKEN`, `_REFRESH_TOKEN`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, PlatformError> {
        let get = |k: &str| {
            lookup(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let api = get("STAGEHAND_VELORA_API").unwrap_or_else(|| VELORA_API.to_owned());
        let page =
            get("STAGEHAND_VELORA_AUTH_URL").unwrap_or_else(|| VELORA_AUTHORIZE_PAGE.to_owned());
        let client_id = get("STAGEHAND_VELORA_CLIENT_ID").ok_or_else(|| PlatformError::Config {
            platform: PlatformId::Velora,
            message: "no client ID is configured: register an application at https://velora.tv (Developer Apps) and set STAGEHAND_VELORA_CLIENT_ID (see the README)".into(),
        })?;
        let mut config = VeloraConfig::new(&api, &page, client_id)?;
        config.client_secret = get("STAGEHAND_VELORA_CLIENT_SECRET").map(Secret::new);
        config.access_token = get("STAGEHAND_VELORA_ACCESS_TOKEN").map(Secret::new);
        config.refresh_token = get("STAGEHAND_VELORA_REFRESH_TOKEN").map(Secret::new);
        Ok(config)
    }
}

/// Whether `url` may be fetched at all: https anywhere, plain http only on loopback (the
/// rule every API address follows, for addresses no platform owns such as images).
pub fn is_allowed_address(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => is_loopback(url),
        _ => false,
    }
}

/// Accepts an `https://` base URL, or `http://` only when its host is a loopback address,
/// so a token is never sent in clear text across a network. A trailing slash is dropped.
pub fn check_base_url(platform: PlatformId, raw: &str) -> Result<Url, PlatformError> {
    let refuse = |why: String| PlatformError::Config {
        platform,
        message: why,
    };
    let url = Url::parse(raw.trim())
        .map_err(|e| refuse(format!("the API address {raw:?} is not a URL ({e})")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(refuse(format!(
                "refusing the plain http:// API address {raw:?}: tokens would cross the network unencrypted; use https:// (http:// is allowed only for 127.0.0.1, ::1 or localhost)"
            )));
        }
        other => {
            return Err(refuse(format!(
                "the API address {raw:?} must start with https:// (not {other}://)"
            )));
        }
    }
    let mut url = url;
    let trimmed = url.path().trim_end_matches('/').to_owned();
    url.set_path(&trimmed);
    Ok(url)
}

/// Checks a websocket address the way [`check_base_url`] checks an API base: `wss://`, or
/// plain `ws://` only on a loopback host, so chat tokens never cross the network in the clear.
pub fn check_socket_url(platform: PlatformId, raw: &str) -> Result<Url, PlatformError> {
    let refuse = |why: String| PlatformError::Config {
        platform,
        message: why,
    };
    let url = Url::parse(raw.trim())
        .map_err(|e| refuse(format!("the chat address {raw:?} is not a URL ({e})")))?;
    match url.scheme() {
        "wss" => Ok(url),
        "ws" if is_loopback(&url) => Ok(url),
        "ws" => Err(refuse(format!(
            "refusing the plain ws:// chat address {raw:?}: the chat token would cross the network unencrypted; use wss:// (ws:// is allowed only for 127.0.0.1, ::1 or localhost)"
        ))),
        other => Err(refuse(format!(
            "the chat address {raw:?} must start with wss:// (not {other}://)"
        ))),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_loopback() {
        for ok in [
            "https://open-api.trovo.live/openplatform",
            "http://127.0.0.1:8080/openplatform",
            "http://127.5.0.1/openplatform/",
            "http://[::1]:9/x",
            "http://localhost:1/openplatform",
        ] {
            assert!(check_base_url(PlatformId::Trovo, ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://192.168.1.10/openplatform",
            "http://example.com/openplatform",
            "ftp://127.0.0.1/",
            "not a url",
        ] {
            let e = check_base_url(PlatformId::Trovo, bad).expect_err(bad);
            assert!(matches!(e, PlatformError::Config { .. }));
        }
    }

    #[test]
    fn the_trovo_chat_address_follows_the_api_or_the_environment() {
        let production = TrovoConfig::new(TROVO_API, "x").expect("production");
        assert_eq!(production.chat_url.as_str(), TROVO_CHAT);
        let sim = TrovoConfig::new("http://127.0.0.1:4321/openplatform", "x").expect("sim");
        assert_eq!(sim.chat_url.as_str(), "ws://127.0.0.1:4321/chat");
        let stand_in =
            TrovoConfig::new("https://proxy.example/trovo/openplatform", "x").expect("stand-in");
        assert_eq!(stand_in.chat_url.as_str(), "wss://proxy.example/chat");
        let env = |k: &str| match k {
            "STAGEHAND_TROVO_CLIENT_ID" => Some("cid".to_owned()),
            TROVO_CHAT_ENV_VAR => Some("ws://localhost:9/socket".to_owned()),
            _ => None,
        };
        let c = TrovoConfig::from_lookup(env).expect("configured");
        assert_eq!(c.chat_url.as_str(), "ws://localhost:9/socket");
        let env = |k: &str| match k {
            "STAGEHAND_TROVO_CLIENT_ID" => Some("cid".to_owned()),
            TROVO_CHAT_ENV_VAR => Some("ws://10.0.0.2/chat".to_owned()),
            _ => None,
        };
        let e = TrovoConfig::from_lookup(env).expect_err("plain ws off loopback");
        assert!(e.to_string().contains("wss://"), "{e}");
        for bad in ["https://open-chat.trovo.live/chat", "nonsense"] {
            assert!(check_socket_url(PlatformId::Trovo, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn trailing_slash_is_dropped() {
        let u = check_base_url(PlatformId::Trovo, "http://127.0.0.1:1/openplatform/").expect("ok");
        assert_eq!(u.as_str(), "http://127.0.0.1:1/openplatform");
    }

    #[test]
    fn environment_overrides_and_missing_client_id() {
        let env = |k: &str| match k {
            "STAGEHAND_TROVO_API" => Some("http://127.0.0.1:9/openplatform".to_owned()),
            "STAGEHAND_TROVO_CLIENT_ID" => Some("cid".to_owned()),
            "STAGEHAND_TROVO_ACCESS_TOKEN" => Some("tok".to_owned()),
            _ => None,
        };
        let c = TrovoConfig::from_lookup(env).expect("configured");
        assert_eq!(c.client_id, "cid");
        assert_eq!(c.access_token.as_ref().map(Secret::expose), Some("tok"));
        assert!(c.refresh_token.is_none());
        let missing = TrovoConfig::from_lookup(|_| None).expect_err("no client id");
        assert!(missing.to_string().contains("STAGEHAND_TROVO_CLIENT_ID"));
    }

    #[test]
    fn twitch_defaults_overrides_and_slashes() {
        let c = TwitchConfig::from_lookup(|k| {
            (k == "STAGEHAND_TWITCH_CLIENT_ID").then(|| "cid".into())
        })
        .expect("defaults");
        assert_eq!(c.api_base.as_str(), "https://api.twitch.tv/helix");
        assert_eq!(c.auth_base.as_str(), "https://id.twitch.tv/");
        assert_eq!(c.eventsub_url.as_str(), TWITCH_EVENTSUB);
        assert!(c.access_token.is_none() && c.refresh_token.is_none());
        let env = |k: &str| match k {
            "STAGEHAND_TWITCH_API" => Some("http://127.0.0.1:9/helix/".to_owned()),
            "STAGEHAND_TWITCH_AUTH" => Some("http://127.0.0.1:10/".to_owned()),
            "STAGEHAND_TWITCH_CLIENT_ID" => Some(" cid ".to_owned()),
            "STAGEHAND_TWITCH_ACCESS_TOKEN" => Some("at".to_owned()),
            "STAGEHAND_TWITCH_REFRESH_TOKEN" => Some("rt".to_owned()),
            _ => None,
        };
        let c = TwitchConfig::from_lookup(env).expect("configured");
        assert_eq!(c.api_base.as_str(), "http://127.0.0.1:9/helix");
        assert_eq!(c.auth_base.as_str(), "http://127.0.0.1:10/");
        assert_eq!(
            c.eventsub_url.as_str(),
            "ws://127.0.0.1:9/ws",
            "beside a stand-in Helix"
        );
        assert_eq!(c.client_id, "cid");
        assert_eq!(c.access_token.as_ref().map(Secret::expose), Some("at"));
        assert_eq!(c.refresh_token.as_ref().map(Secret::expose), Some("rt"));
        let c = TwitchConfig::new(
            "https://api.twitch.tv/helix",
            "https://id.twitch.tv/oauth2/",
            "x",
        )
        .expect("an /oauth2 suffix is tolerated");
        assert_eq!(c.auth_base.as_str(), "https://id.twitch.tv/");
        let e = TwitchConfig::new("http://example.com/helix", TWITCH_AUTH, "x")
            .expect_err("plain http");
        assert!(matches!(e, PlatformError::Config { .. }));
        let e = TwitchConfig::new(TWITCH_API, "http://10.0.0.1", "x").expect_err("plain http auth");
        assert!(matches!(e, PlatformError::Config { .. }));
        let missing = TwitchConfig::from_lookup(|_| None).expect_err("no client id");
        assert!(missing.to_string().contains("STAGEHAND_TWITCH_CLIENT_ID"));
    }

    #[test]
    fn twitch_eventsub_is_wss_or_loopback_ws() {
        let env = |url: &'static str| {
            move |k: &str| match k {
                "STAGEHAND_TWITCH_CLIENT_ID" => Some("cid".to_owned()),
                "STAGEHAND_TWITCH_EVENTSUB" => Some(url.to_owned()),
                _ => None,
            }
        };
        let c = TwitchConfig::from_lookup(env("ws://[::1]:7/ws")).expect("loopback ws");
        assert_eq!(c.eventsub_url.as_str(), "ws://[::1]:7/ws");
        let c = TwitchConfig::from_lookup(env("wss://example.com/ws")).expect("wss");
        assert_eq!(c.eventsub_url.host_str(), Some("example.com"));
        for bad in ["ws://example.com/ws", "https://example.com/ws", "nope"] {
            let e = TwitchConfig::from_lookup(env(bad)).expect_err(bad);
            assert!(e.to_string().contains("EventSub"), "{e}");
        }
        let c = TwitchConfig::new("https://helix.example.com:8443/helix", TWITCH_AUTH, "x")
            .expect("a stand-in");
        assert_eq!(c.eventsub_url.as_str(), "wss://helix.example.com:8443/ws");
    }

    #[test]
    fn velora_defaults_overrides_and_the_api_suffix() {
        let c = VeloraConfig::from_lookup(|k| {
            (k == "STAGEHAND_VELORA_CLIENT_ID").then(|| "cid".into())
        })
        .expect("defaults");
        assert_eq!(c.api_base.as_str(), "https://api.velora.tv/");
        assert_eq!(
            c.authorize_page.as_str(),
            "https://velora.tv/oauth/authorize"
        );
        assert!(c.client_secret.is_none() && c.access_token.is_none());
        let env = |k: &str| match k {
            "STAGEHAND_VELORA_API" => Some("http://127.0.0.1:9/api/".to_owned()),
            "STAGEHAND_VELORA_AUTH_URL" => Some("http://127.0.0.1:9/oauth/authorize".to_owned()),
            "STAGEHAND_VELORA_CLIENT_ID" => Some(" cid ".to_owned()),
            "STAGEHAND_VELORA_CLIENT_SECRET" => Some("cs".to_owned()),
            "STAGEHAND_VELORA_ACCESS_TOKEN" => Some("at".to_owned()),
            "STAGEHAND_VELORA_REFRESH_TOKEN" => Some("rt".to_owned()),
            _ => None,
        };
        let c = VeloraConfig::from_lookup(env).expect("configured");
        assert_eq!(
            c.api_base.as_str(),
            "http://127.0.0.1:9/",
            "/api is dropped"
        );
        assert_eq!(c.client_id, "cid");
        assert_eq!(c.client_secret.as_ref().map(Secret::expose), Some("cs"));
        assert_eq!(c.access_token.as_ref().map(Secret::expose), Some("at"));
        assert_eq!(c.refresh_token.as_ref().map(Secret::expose), Some("rt"));
        let e = VeloraConfig::new("http://example.com", VELORA_AUTHORIZE_PAGE, "x")
            .expect_err("plain http");
        assert!(matches!(e, PlatformError::Config { .. }));
        let missing = VeloraConfig::from_lookup(|_| None).expect_err("no client id");
        assert!(missing.to_string().contains("STAGEHAND_VELORA_CLIENT_ID"));
    }
}
