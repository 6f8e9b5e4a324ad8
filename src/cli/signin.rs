//! `stagehand trovo login` and `logout`, and the stored sign-in every other command uses
//! when the environment gives no token.

use super::output::{Output, output};
use crate::auth::loopback::{DEFAULT_PORT, DEFAULT_TIMEOUT, loopback_redirect_uri};
use crate::auth::signin::{SignIn, fill_from_store, open_store, save_tokens, trovo_sign_in};
use crate::config::TrovoConfig;
use crate::launch::Settings;
use crate::model::PlatformId;
use crate::platform::trovo::TrovoClient;
use crate::secret::Secret;
use crate::sim::trovo::{SimOptions, TrovoSim};
use std::io::Write as _;

const TROVO: PlatformId = PlatformId::Trovo;

/// Signs in with the browser: prints the sign-in address as the first line, waits for the
/// redirect on the loopback listener, and keeps the tokens on the credential store.
pub(super) async fn login(
    demo: bool,
    no_browser: bool,
    port: Option<u16>,
) -> Result<Output, String> {
    let settings = Settings::load();
    let port = match port {
        Some(p) => p,
        None => settings.redirect_port()?,
    };
    let (mut config, auth_page, _sim) = if demo {
        let sim = TrovoSim::start(SimOptions {
            redirect_uri: loopback_redirect_uri(port),
            ..SimOptions::default()
        })
        .await
        .map_err(|e| format!("could not start the built-in simulator: {e}"))?;
        let mut config =
            TrovoConfig::new(&sim.api_base(), TrovoSim::CLIENT_ID).map_err(|e| e.to_string())?;
        config.client_secret = Some(Secret::new(TrovoSim::CLIENT_SECRET));
        let page = sim.auth_page_url();
        (config, page, Some(sim))
    } else {
        let mut config =
            TrovoConfig::from_lookup(|k| settings.lookup(k)).map_err(|e| e.to_string())?;
        fill_from_store(&mut config, &open_store().await).await;
        (config, settings.trovo_endpoints().auth_page, None)
    };
    // A new sign-in replaces whatever was held.
    config.access_token = None;
    config.refresh_token = None;
    let how = SignIn {
        auth_page,
        client_id: config.client_id.clone(),
        has_secret: config.client_secret.is_some(),
        port,
        timeout: DEFAULT_TIMEOUT,
    };
    let client_id = config.client_id.clone();
    let client = TrovoClient::new(config).map_err(|e| e.to_string())?;
    // Kept alive until the sign-in ends: dropping it would cancel.
    let (_keep_open, cancel) = tokio::sync::oneshot::channel();
    let open = |url: &url::Url| {
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{url}");
        let _ = out.flush();
        if !no_browser && webbrowser::open(url.as_str()).is_err() {
            eprintln!("stagehand: could not open a browser; open the address above yourself");
        }
    };
    let (tokens, account) = trovo_sign_in(&client, &how, open, cancel)
        .await
        .map_err(|e| e.to_string())?;
    if !demo {
        let store = open_store().await;
        let trouble = tokio::task::spawn_blocking(move || save_tokens(&store, TROVO, &tokens))
            .await
            .ok()
            .flatten();
        if let Some(why) = trouble {
            eprintln!("stagehand: {why}; this sign-in lasts only for this process");
        }
        remember_client_id(&settings, TROVO, client_id, Some(port)).await;
    }
    let text = format!(
        "Signed in to Trovo as {} ({})\n",
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

/// Revokes the held token (when there is one and Trovo answers) and deletes every stored
/// secret. Succeeds also when nothing was stored.
pub(super) async fn logout(demo: bool) -> Result<Output, String> {
    let done = || {
        output(
            &serde_json::json!({ "signed_out": true }),
            "Signed out of Trovo\n".into(),
        )
    };
    if demo {
        return done();
    }
    let settings = Settings::load();
    let store = open_store().await;
    if let Ok(mut config) = TrovoConfig::from_lookup(|k| settings.lookup(k)) {
        fill_from_store(&mut config, &store).await;
        if config.access_token.is_some()
            && let Ok(client) = TrovoClient::new(config)
            && let Err(e) = client.revoke().await
        {
            tracing::info!("revoking on sign-out failed: {e}");
        }
    }
    tokio::task::spawn_blocking(move || store.delete_all(TROVO))
        .await
        .map_err(|e| format!("signing out stopped: {e}"))?
        .map_err(|e| e.to_string())?;
    done()
}

/// Remembers a platform's client ID (and, for a browser sign-in, a port other than the
/// default) in the settings file, so the window and later commands know the application
/// without the environment. Not secret.
pub(super) async fn remember_client_id(
    settings: &Settings,
    platform: PlatformId,
    client_id: String,
    port: Option<u16>,
) {
    let Some(path) = settings.path.clone() else {
        return;
    };
    let saved = tokio::task::spawn_blocking(move || {
        let (mut file, _) = crate::config_file::ConfigFile::load_or_default(&path);
        file.registration_mut(platform).client_id = Some(client_id);
        if let Some(port) = port.filter(|p| *p != DEFAULT_PORT) {
            file.redirect_port = Some(port);
        }
        file.save(&path)
    })
    .await;
    if let Ok(Err(e)) = saved {
        eprintln!("stagehand: {e}");
    }
}
