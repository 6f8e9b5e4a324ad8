//! Trovo in the platform registry: its client from the settings, its simulator for
//! `--demo`, and its browser sign-in (the code flow when the app has a client secret, the
//! implicit flow when it has none).

use super::authorize::{TROVO_AUTHORIZE_PAGE, trovo_authorize_url};
use super::config::TrovoConfig;
use super::{REGISTRATION_HELP, SCOPES, TokenPair, TrovoClient};
use crate::auth::loopback::loopback_redirect_uri;
use crate::auth::{Redirect, ResponseType};
use crate::config::PlatformSettings;
use crate::error::PlatformError;
use crate::model::PlatformId;
use crate::platform::PlatformClient;
use crate::platform::registry::*;
use crate::sim::trovo::{SimOptions, TrovoSim};
use std::time::Duration;
use time::OffsetDateTime;

const TROVO: PlatformId = PlatformId::Trovo;

/// Trovo's entry in the platform registry.
pub struct Trovo;

const DESCRIPTION: PlatformDescription = PlatformDescription {
    id: TROVO,
    website: "trovo.live",
    registration_help: REGISTRATION_HELP,
    mark: "TR",
    brand_rgb: (0x1B, 0xC4, 0x6B),
    revokes_tokens: true,
};

#[async_trait::async_trait]
impl Platform for Trovo {
    fn description(&self) -> &'static PlatformDescription {
        &DESCRIPTION
    }

    fn client(&self, settings: &Lookup<'_>) -> Result<PlatformClient, PlatformError> {
        client_of(TrovoConfig::from_lookup(settings).and_then(TrovoClient::new))
    }

    async fn start_demo(&self, redirect_port: u16) -> Result<DemoPlatform, String> {
        DemoPlatform::start(
            TrovoSim::start(demo_options(redirect_port)),
            streamer_settings,
        )
        .await
    }

    async fn sign_in(&self, request: SignInRequest<'_>) -> Result<SignedIn, String> {
        let auth_page = PlatformSettings::new(TROVO, request.settings)
            .get("AUTH_URL")
            .unwrap_or_else(|| TROVO_AUTHORIZE_PAGE.to_owned());
        let config = TrovoConfig::from_lookup(request.settings).map_err(|e| e.to_string())?;
        let client_id = config.client_id.clone();
        let client_secret = config.client_secret.clone();
        let client = TrovoClient::new(config).map_err(|e| e.to_string())?;
        let flow = if client_secret.is_some() {
            ResponseType::Code
        } else {
            ResponseType::Token
        };
        let (redirect, redirect_uri) = request
            .through_browser(|redirect_uri, state| {
                trovo_authorize_url(&auth_page, &client_id, flow, &SCOPES, redirect_uri, state)
                    .map_err(|e| e.to_string())
            })
            .await?;
        let tokens = match redirect {
            Redirect::Code { code } => client
                .exchange_code(code.expose(), &redirect_uri)
                .await
                .map_err(|e| e.to_string())?,
            Redirect::Token {
                access_token,
                expires_in,
                ..
            } => {
                let pair = TokenPair {
                    access: Some(access_token),
                    refresh: None,
                    expires_at: expires_in.and_then(|s| {
                        OffsetDateTime::now_utc().checked_add(time::Duration::seconds(s as i64))
                    }),
                };
                client.set_tokens(pair.clone());
                pair
            }
        };
        let account = client.user_info().await.map_err(|e| e.to_string())?;
        Ok(SignedIn {
            client: PlatformClient::new(client),
            account,
            tokens,
            client_id,
            client_secret,
        })
    }
}

/// The options of the demo's simulated Trovo: a live stream with a lively audience, its
/// consent page sending the browser back to `redirect_port`.
pub fn demo_options(redirect_port: u16) -> SimOptions {
    SimOptions {
        viewers: 240,
        followers: 400,
        subscribers: 60,
        tick: Some(Duration::from_millis(1500)),
        redirect_uri: loopback_redirect_uri(redirect_port),
        ..SimOptions::default()
    }
}

/// The settings that point Trovo's client and sign-in at `sim` (its chat is where its API
/// base says).
pub fn sim_settings(sim: &TrovoSim) -> SettingsMap {
    SettingsMap::from([
        (setting_name(TROVO, "API"), sim.api_base()),
        (setting_name(TROVO, "AUTH_URL"), sim.auth_page_url()),
    ])
}

/// [`sim_settings`] with the simulator's application signed in as its streamer.
pub fn streamer_settings(sim: &TrovoSim) -> SettingsMap {
    let tokens = sim.streamer_tokens();
    with_sign_in(
        TROVO,
        sim_settings(sim),
        TrovoSim::CLIENT_ID,
        Some(TrovoSim::CLIENT_SECRET),
        (tokens.access_token, tokens.refresh_token),
    )
}

/// A Trovo client signed in to a running simulator as its streamer.
pub fn sim_client(sim: &TrovoSim) -> Result<TrovoClient, String> {
    let config =
        TrovoConfig::from_lookup(map_lookup(&streamer_settings(sim))).map_err(|e| e.to_string())?;
    TrovoClient::new(config).map_err(|e| e.to_string())
}
