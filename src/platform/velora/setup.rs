//! Velora in the platform registry: its client from the settings, its simulator for
//! `--demo`, and its authorization code sign-in with PKCE (S256) through the loopback
//! listener: a fresh verifier and state per sign-in, the code exchanged with the verifier
//! (and the client secret when there is one).

use super::config::VeloraConfig;
use super::{REGISTRATION_HELP, SCOPES, VeloraClient, pkce_pair};
use crate::auth::Redirect;
use crate::auth::loopback::loopback_redirect_uri;
use crate::error::PlatformError;
use crate::model::PlatformId;
use crate::platform::PlatformClient;
use crate::platform::registry::*;
use crate::sim::velora::{VeloraSim, VeloraSimOptions};
use std::time::Duration;

const VELORA: PlatformId = PlatformId::Velora;

/// Velora's entry in the platform registry.
pub struct Velora;

const DESCRIPTION: PlatformDescription = PlatformDescription {
    id: VELORA,
    website: "velora.tv",
    registration_help: REGISTRATION_HELP,
    mark: "VE",
    brand_rgb: (0xE8, 0x8A, 0x1A),
    revokes_tokens: false,
};

#[async_trait::async_trait]
impl Platform for Velora {
    fn description(&self) -> &'static PlatformDescription {
        &DESCRIPTION
    }

    fn client(&self, settings: &Lookup<'_>) -> Result<PlatformClient, PlatformError> {
        client_of(VeloraConfig::from_lookup(settings).and_then(VeloraClient::new))
    }

    async fn start_demo(&self, redirect_port: u16) -> Result<DemoPlatform, String> {
        DemoPlatform::start(
            VeloraSim::start(demo_options(redirect_port)),
            streamer_settings,
        )
        .await
    }

    async fn sign_in(&self, request: SignInRequest<'_>) -> Result<SignedIn, String> {
        let config = VeloraConfig::from_lookup(request.settings).map_err(|e| e.to_string())?;
        let client_id = config.client_id.clone();
        let client_secret = config.client_secret.clone();
        let client = VeloraClient::new(config).map_err(|e| e.to_string())?;
        let (verifier, challenge) = pkce_pair();
        let (redirect, redirect_uri) = request
            .through_browser(|redirect_uri, state| {
                client
                    .authorize_url(state, &challenge, redirect_uri, &SCOPES)
                    .map_err(|e| e.to_string())
            })
            .await?;
        let code = match redirect {
            Redirect::Code { code } => code,
            Redirect::Token { .. } => {
                return Err(
                    "Velora answered with a token instead of a code; sign in again.".into(),
                );
            }
        };
        let tokens = client
            .exchange_code(code.expose(), &verifier, &redirect_uri)
            .await
            .map_err(|e| e.to_string())?;
        let account = client.account().await.map_err(|e| e.to_string())?;
        Ok(SignedIn {
            client: PlatformClient::new(client),
            account,
            tokens,
            client_id,
            client_secret,
        })
    }
}

/// The options of the demo's simulated Velora: a live stream with viewers coming and
/// going, its consent page sending the browser back to `redirect_port`.
pub fn demo_options(redirect_port: u16) -> VeloraSimOptions {
    VeloraSimOptions {
        tick: Some(Duration::from_millis(1900)),
        redirect_uri: loopback_redirect_uri(redirect_port),
        ..VeloraSimOptions::default()
    }
}

/// The settings that point Velora's client and sign-in at `sim`.
pub fn sim_settings(sim: &VeloraSim) -> SettingsMap {
    SettingsMap::from([
        (setting_name(VELORA, "API"), sim.origin()),
        (setting_name(VELORA, "AUTH_URL"), sim.authorize_url()),
    ])
}

/// [`sim_settings`] with the simulator's application signed in as its streamer.
pub fn streamer_settings(sim: &VeloraSim) -> SettingsMap {
    let tokens = sim.streamer_tokens();
    with_sign_in(
        VELORA,
        sim_settings(sim),
        VeloraSim::CLIENT_ID,
        Some(VeloraSim::CLIENT_SECRET),
        (tokens.access_token, tokens.refresh_token),
    )
}

/// A Velora client signed in to a running simulator as its streamer.
pub fn sim_client(sim: &VeloraSim) -> Result<VeloraClient, String> {
    let config = VeloraConfig::from_lookup(map_lookup(&streamer_settings(sim)))
        .map_err(|e| e.to_string())?;
    VeloraClient::new(config).map_err(|e| e.to_string())
}
