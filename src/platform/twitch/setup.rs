//! Twitch in the platform registry: its client from the settings, its simulator for
//! `--demo`, and its Device Code sign-in for a public client (no secret and no listener:
//! the user confirms a code on Twitch's page while Stagehand polls).

use super::config::TwitchConfig;
use super::{REGISTRATION_HELP, SCOPES, TwitchClient};
use crate::error::PlatformError;
use crate::model::PlatformId;
use crate::platform::PlatformClient;
use crate::platform::registry::*;
use crate::sim::twitch::{BroadcasterType, TwitchSim, TwitchSimOptions};
use std::time::Duration;

const TWITCH: PlatformId = PlatformId::Twitch;

/// Twitch's entry in the platform registry.
pub struct Twitch;

const DESCRIPTION: PlatformDescription = PlatformDescription {
    id: TWITCH,
    website: "twitch.tv",
    registration_help: REGISTRATION_HELP,
    mark: "TW",
    brand_rgb: (0x91, 0x46, 0xFF),
    revokes_tokens: true,
};

#[async_trait::async_trait]
impl Platform for Twitch {
    fn description(&self) -> &'static PlatformDescription {
        &DESCRIPTION
    }

    fn client(&self, settings: &Lookup<'_>) -> Result<PlatformClient, PlatformError> {
        client_of(TwitchConfig::from_lookup(settings).and_then(TwitchClient::new))
    }

    /// Twitch's sign-in has no redirect, so the port is not used.
    async fn start_demo(&self, _redirect_port: u16) -> Result<DemoPlatform, String> {
        DemoPlatform::start(TwitchSim::start(demo_options()), streamer_settings).await
    }

    async fn sign_in(&self, request: SignInRequest<'_>) -> Result<SignedIn, String> {
        let config = TwitchConfig::from_lookup(request.settings).map_err(|e| e.to_string())?;
        let client_id = config.client_id.clone();
        let client = TwitchClient::new(config).map_err(|e| e.to_string())?;
        let code = client
            .start_device_flow(&SCOPES)
            .await
            .map_err(|e| e.to_string())?;
        (request.prompt)(SignInPrompt {
            url: code.verification_uri.clone(),
            user_code: Some(code.user_code.clone()),
        });
        let cancel = request.cancel;
        let cancelled = async {
            // A dropped sender (a newer sign-in, the app closing) cancels too.
            let _ = cancel.await;
        };
        let tokens = client
            .poll_device_token(&code, cancelled)
            .await
            .map_err(|e| e.to_string())?;
        let account = client.account().await.map_err(|e| e.to_string())?;
        Ok(SignedIn {
            client: PlatformClient::new(client),
            account,
            tokens,
            client_id,
            client_secret: None,
        })
    }
}

/// The options of the demo's simulated Twitch: a live partner channel with chat going.
pub fn demo_options() -> TwitchSimOptions {
    TwitchSimOptions {
        chatters: 180,
        followers: 320,
        subscribers: 45,
        broadcaster_type: BroadcasterType::Partner,
        tick: Some(Duration::from_millis(1700)),
        retitles: true,
        ..TwitchSimOptions::default()
    }
}

/// The settings that point Twitch's client and sign-in at `sim` (its EventSub websocket
/// is derived from the API base).
pub fn sim_settings(sim: &TwitchSim) -> SettingsMap {
    SettingsMap::from([
        (setting_name(TWITCH, "API"), sim.helix_base()),
        (setting_name(TWITCH, "AUTH"), sim.auth_origin()),
    ])
}

/// [`sim_settings`] with the simulator's application signed in as its broadcaster.
pub fn streamer_settings(sim: &TwitchSim) -> SettingsMap {
    let tokens = sim.streamer_tokens();
    with_sign_in(
        TWITCH,
        sim_settings(sim),
        TwitchSim::CLIENT_ID,
        None,
        (tokens.access_token, tokens.refresh_token),
    )
}

/// A Twitch client signed in to a running simulator as its broadcaster.
pub fn sim_client(sim: &TwitchSim) -> Result<TwitchClient, String> {
    let config = TwitchConfig::from_lookup(map_lookup(&streamer_settings(sim)))
        .map_err(|e| e.to_string())?;
    TwitchClient::new(config).map_err(|e| e.to_string())
}
