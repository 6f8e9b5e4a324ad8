//! Where each platform's client gets its settings: base URLs, client ID, and, until the
//! keyring lands, tokens from the environment. Validation happens here, before any
//! connection is made.

use crate::error::PlatformError;
use crate::model::PlatformId;
use crate::secret::Secret;
use std::net::IpAddr;
use std::time::Duration;
use url::Url;

/// Implements the HTTP core's `ClientSettings` for a platform configuration, which carries
/// `api_base`, `client_id`, `timeout` and the two tokens under those names (and
/// `client_secret` too when invoked `with client_secret`).
macro_rules! client_settings {
    ($config:ty, with client_secret) => {
        crate::config::client_settings!($config, {
            fn client_secret(&self) -> Option<Secret> {
                self.client_secret.clone()
            }
        });
    };
    ($config:ty) => {
        crate::config::client_settings!($config, {});
    };
    ($config:ty, {$($extra:item)*}) => {
        impl crate::platform::http::ClientSettings for $config {
            fn api_base(&self) -> &Url {
                &self.api_base
            }
            fn client_id(&self) -> &str {
                &self.client_id
            }
            fn timeout(&self) -> Duration {
                self.timeout
            }
            fn tokens(&self) -> (Option<Secret>, Option<Secret>) {
                (self.access_token.clone(), self.refresh_token.clone())
            }
            $($extra)*
        }
    };
}

pub(crate) use client_settings;

/// A platform's settings, `STAGEHAND_<PLATFORM>_<KEY>`, read through a lookup (the process
/// environment and the settings file in production) so scripts and stand-in servers can
/// override everything. Values are trimmed; an empty value counts as unset.
pub(crate) struct PlatformSettings<F> {
    platform: PlatformId,
    lookup: F,
}

impl<F: Fn(&str) -> Option<String>> PlatformSettings<F> {
    /// `platform`'s settings through `lookup`.
    pub(crate) fn new(platform: PlatformId, lookup: F) -> Self {
        PlatformSettings { platform, lookup }
    }

    /// The variable's full name for `key` (`API` → `STAGEHAND_TROVO_API`).
    pub(crate) fn name(&self, key: &str) -> String {
        crate::platform::registry::setting_name(self.platform, key)
    }

    /// The setting `key`, trimmed, when it is set and not empty.
    pub(crate) fn get(&self, key: &str) -> Option<String> {
        (self.lookup)(&self.name(key))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// The setting `key` as a secret (a token or client secret), when set.
    pub(crate) fn secret(&self, key: &str) -> Option<Secret> {
        self.get(key).map(Secret::new)
    }

    /// The client ID, or the error that says where to register (`register`) and which
    /// variable to set.
    pub(crate) fn client_id(&self, register: &str) -> Result<String, PlatformError> {
        self.get("CLIENT_ID").ok_or_else(|| PlatformError::Config {
            platform: self.platform,
            message: format!(
                "no client ID is configured: {register} and set {} (see the README)",
                self.name("CLIENT_ID")
            ),
        })
    }
}

/// How long one request may take before it is reported as a timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

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

/// Checks a websocket address (`what`: "chat address", "EventSub address") the way
/// [`check_base_url`] checks an API base: `wss://`, or plain `ws://` only on a loopback
/// host, so chat and its tokens never cross the network in the clear.
pub fn check_socket_url(platform: PlatformId, what: &str, raw: &str) -> Result<Url, PlatformError> {
    let refuse = |why: String| PlatformError::Config {
        platform,
        message: why,
    };
    let url = Url::parse(raw.trim())
        .map_err(|e| refuse(format!("the {what} {raw:?} is not a URL ({e})")))?;
    match url.scheme() {
        "wss" => Ok(url),
        "ws" if is_loopback(&url) => Ok(url),
        "ws" => Err(refuse(format!(
            "refusing the plain ws:// {what} {raw:?}: chat would cross the network unencrypted; use wss:// (ws:// is allowed only for 127.0.0.1, ::1 or localhost)"
        ))),
        other => Err(refuse(format!(
            "the {what} {raw:?} must start with wss:// (not {other}://)"
        ))),
    }
}

/// Whether a URL's host is this machine (the only place plain http:// and ws:// may go).
pub(crate) fn is_loopback(url: &Url) -> bool {
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
    use crate::platform::trovo::config::*;
    use crate::platform::twitch::config::*;
    use crate::platform::velora::config::*;

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
            assert!(
                check_socket_url(PlatformId::Trovo, "chat address", bad).is_err(),
                "{bad}"
            );
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
