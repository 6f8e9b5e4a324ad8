//! Where a Velora client gets its addresses and ids: the production URLs, the environment
//! variables that point it elsewhere (the simulator, a stand-in), and its configuration.

use crate::config::{DEFAULT_TIMEOUT, PlatformSettings, check_base_url};
use crate::error::PlatformError;
use crate::model::PlatformId;
use crate::secret::Secret;
use std::time::Duration;
use url::Url;

/// Velora's API origin, without `/api` (the client adds the paths).
pub const VELORA_API: &str = "https://api.velora.tv";

/// Velora's authorize (sign-in and consent) page.
pub const VELORA_AUTHORIZE_PAGE: &str = "https://velora.tv/oauth/authorize";

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
    /// The events stream (server-sent events): the API origin's `/api/events/stream`,
    /// unless `STAGEHAND_VELORA_EVENTS_URL` names another.
    pub events_url: Url,
    /// How long the events stream may stay silent (Velora pings it) before it counts as
    /// lost and is opened again.
    pub events_silence: Duration,
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
        let events_url = Url::parse(&format!(
            "{}/api/events/stream",
            api.as_str().trim_end_matches('/')
        ))
        .map_err(|_| PlatformError::Config {
            platform: PlatformId::Velora,
            message: "the API address cannot carry the events stream's path".into(),
        })?;
        Ok(VeloraConfig {
            events_url,
            events_silence: super::chat::DEFAULT_SILENCE,
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
    /// `_ACCESS_TOKEN`, `_REFRESH_TOKEN`, `_EVENTS_URL` (the events stream).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, PlatformError> {
        let settings = PlatformSettings::new(PlatformId::Velora, lookup);
        let api = settings.get("API").unwrap_or_else(|| VELORA_API.to_owned());
        let page = settings
            .get("AUTH_URL")
            .unwrap_or_else(|| VELORA_AUTHORIZE_PAGE.to_owned());
        let client_id =
            settings.client_id("register an application at https://velora.tv (Developer Apps)")?;
        let mut config = VeloraConfig::new(&api, &page, client_id)?;
        config.client_secret = settings.secret("CLIENT_SECRET");
        config.access_token = settings.secret("ACCESS_TOKEN");
        config.refresh_token = settings.secret("REFRESH_TOKEN");
        if let Some(events) = settings.get("EVENTS_URL") {
            config.events_url = check_base_url(PlatformId::Velora, &events)?;
        }
        Ok(config)
    }
}

crate::config::client_settings!(VeloraConfig, with client_secret);
