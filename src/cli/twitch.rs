//! `stagehand twitch login` and `logout`: Twitch's Device Code flow for a public client (no
//! secret, no listener). The verification address is the first line on stdout and the code
//! to confirm there the second, so a script or a person can act on them while the command
//! polls.

use super::output::{Output, output};
use super::signin::remember_client_id;
use crate::auth::signin::{open_store, save_tokens, stored_secrets};
use crate::config::TwitchConfig;
use crate::launch::{self, Settings};
use crate::model::PlatformId;
use crate::platform::twitch::{SCOPES, TwitchClient};
use crate::sim::twitch::TwitchSim;
use std::io::Write as _;

const TWITCH: PlatformId = PlatformId::Twitch;

/// Signs in with a device code: prints the verification address and the code, opens the
/// browser unless `no_browser`, polls until the code is confirmed (honouring Twitch's
/// `interval` and `slow_down`), and keeps the tokens on the credential store.
pub(super) async fn login(demo: bool, no_browser: bool) -> Result<Output, String> {
    let settings = Settings::load();
    let (mut config, _sim) = if demo {
        let sim = TwitchSim::start(launch::twitch_demo_options())
            .await
            .map_err(|e| format!("could not start the built-in simulator: {e}"))?;
        let config = TwitchConfig::new(&sim.helix_base(), &sim.auth_origin(), TwitchSim::CLIENT_ID)
            .map_err(|e| e.to_string())?;
        (config, Some(sim))
    } else {
        (
            TwitchConfig::from_lookup(|k| settings.lookup(k)).map_err(|e| e.to_string())?,
            None,
        )
    };
    // A new sign-in replaces whatever was held.
    config.access_token = None;
    config.refresh_token = None;
    let client_id = config.client_id.clone();
    let client = TwitchClient::new(config).map_err(|e| e.to_string())?;
    let code = client
        .start_device_flow(&SCOPES)
        .await
        .map_err(|e| e.to_string())?;
    {
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{}", code.verification_uri);
        let _ = writeln!(out, "Enter the code {}", code.user_code);
        let _ = out.flush();
    }
    if !no_browser && webbrowser::open(&code.verification_uri).is_err() {
        eprintln!("stagehand: could not open a browser; open the address above yourself");
    }
    let tokens = client
        .poll_device_token(&code, std::future::pending())
        .await
        .map_err(|e| e.to_string())?;
    let account = client.account().await.map_err(|e| e.to_string())?;
    if !demo {
        let store = open_store().await;
        let trouble = tokio::task::spawn_blocking(move || save_tokens(&store, TWITCH, &tokens))
            .await
            .ok()
            .flatten();
        if let Some(why) = trouble {
            eprintln!("stagehand: {why}; this sign-in lasts only for this process");
        }
        remember_client_id(&settings, TWITCH, client_id, None).await;
    }
    let text = format!(
        "Signed in to Twitch as {} ({})\n",
        account.display_name, account.name
    );
    output(
        &serde_json::json!({
            "signed_in": true,
            "id": account.id,
            "name": account.name,
            "display_name": account.display_name,
        }),
        text,
    )
}

/// Revokes the held token (the environment's, else the stored one, when Twitch answers)
/// and deletes every stored secret. Succeeds also when nothing was stored.
pub(super) async fn logout(demo: bool) -> Result<Output, String> {
    let done = || {
        output(
            &serde_json::json!({ "signed_out": true }),
            "Signed out of Twitch\n".into(),
        )
    };
    if demo {
        return done();
    }
    let settings = Settings::load();
    let store = open_store().await;
    if let Ok(mut config) = TwitchConfig::from_lookup(|k| settings.lookup(k)) {
        if config.access_token.is_none() {
            let (access, refresh, _) = stored_secrets(TWITCH, &store).await;
            config.access_token = access;
            config.refresh_token = refresh;
        }
        if config.access_token.is_some()
            && let Ok(client) = TwitchClient::new(config)
            && let Err(e) = client.revoke().await
        {
            tracing::info!("revoking on sign-out failed: {e}");
        }
    }
    tokio::task::spawn_blocking(move || store.delete_all(TWITCH))
        .await
        .map_err(|e| format!("signing out stopped: {e}"))?
        .map_err(|e| e.to_string())?;
    done()
}
