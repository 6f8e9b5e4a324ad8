//! `stagehand velora login` and `logout`: Velora's authorization code flow with PKCE (S256)
//! through the loopback listener, the same pieces the window's sign-in uses. The authorize
//! address is the first line on stdout, so a script or a person can open it while the
//! command waits for the redirect.

use super::output::{Output, output};
use super::signin::remember_client_id;
use crate::auth::loopback::DEFAULT_TIMEOUT;
use crate::auth::signin::{open_store, save_tokens, stored_secrets};
use crate::auth::store::SecretKind;
use crate::auth::{LoopbackListener, Redirect, random_state};
use crate::config::VeloraConfig;
use crate::launch::{self, Settings};
use crate::model::PlatformId;
use crate::platform::velora::{self, VeloraClient};
use crate::secret::Secret;
use crate::sim::velora::VeloraSim;
use std::io::Write as _;

const VELORA: PlatformId = PlatformId::Velora;

/// Signs in with the browser: prints the authorize address as the first line, waits for the
/// redirect on the loopback listener, exchanges the code with its PKCE verifier, and keeps
/// the tokens (and the client secret, when one is configured) on the credential store.
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
    let (mut config, _sim) = if demo {
        let sim = VeloraSim::start(launch::velora_demo_options(port))
            .await
            .map_err(|e| format!("could not start the built-in simulator: {e}"))?;
        let mut config =
            VeloraConfig::new(&sim.origin(), &sim.authorize_url(), VeloraSim::CLIENT_ID)
                .map_err(|e| e.to_string())?;
        config.client_secret = Some(Secret::new(VeloraSim::CLIENT_SECRET));
        (config, Some(sim))
    } else {
        let mut config =
            VeloraConfig::from_lookup(|k| settings.lookup(k)).map_err(|e| e.to_string())?;
        if config.client_secret.is_none() {
            let (_, _, secret) = stored_secrets(VELORA, &open_store().await).await;
            config.client_secret = secret;
        }
        (config, None)
    };
    // A new sign-in replaces whatever was held.
    config.access_token = None;
    config.refresh_token = None;
    let client_id = config.client_id.clone();
    let client_secret = config
        .client_secret
        .clone()
        .filter(|s| !s.expose().trim().is_empty());
    let client = VeloraClient::new(config).map_err(|e| e.to_string())?;
    let listener = LoopbackListener::bind(port)
        .await
        .map_err(|e| e.to_string())?;
    let redirect_uri = listener.redirect_uri();
    let state = random_state();
    let (verifier, challenge) = velora::pkce_pair();
    let url = client
        .authorize_url(&state, &challenge, &redirect_uri, &velora::SCOPES)
        .map_err(|e| e.to_string())?;
    {
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{url}");
        let _ = out.flush();
    }
    if !no_browser && webbrowser::open(url.as_str()).is_err() {
        eprintln!("stagehand: could not open a browser; open the address above yourself");
    }
    // Kept alive until the sign-in ends: dropping it would cancel.
    let (_keep_open, cancel) = tokio::sync::oneshot::channel();
    let code = match listener
        .wait(&state, DEFAULT_TIMEOUT, cancel)
        .await
        .map_err(|e| e.to_string())?
    {
        Redirect::Code { code } => code,
        Redirect::Token { .. } => {
            return Err("Velora answered with a token instead of a code; sign in again".into());
        }
    };
    let tokens = client
        .exchange_code(code.expose(), &verifier, &redirect_uri)
        .await
        .map_err(|e| e.to_string())?;
    let account = client.account().await.map_err(|e| e.to_string())?;
    if !demo {
        let store = open_store().await;
        let trouble = tokio::task::spawn_blocking(move || {
            let mut trouble = save_tokens(&store, VELORA, &tokens);
            let kept = match &client_secret {
                Some(secret) => store.set(VELORA, SecretKind::ClientSecret, secret),
                // A sign-in without a secret must not leave an old one behind.
                None => store.delete(VELORA, SecretKind::ClientSecret),
            };
            if let Err(e) = kept {
                trouble.get_or_insert(e.to_string());
            }
            trouble
        })
        .await
        .unwrap_or_else(|_| Some("the sign-in could not be stored".into()));
        if let Some(why) = trouble {
            eprintln!("stagehand: {why}; this sign-in lasts only for this process");
        }
        remember_client_id(&settings, VELORA, client_id, Some(port)).await;
    }
    let text = format!(
        "Signed in to Velora as {} ({})\n",
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

/// Deletes every stored Velora secret (tokens and client secret). Velora has no revocation
/// endpoint, so a copy of the token elsewhere stays valid until it expires: the text says
/// so. Succeeds also when nothing was stored.
pub(super) async fn logout(demo: bool) -> Result<Output, String> {
    let done = || {
        output(
            &serde_json::json!({ "signed_out": true }),
            "Signed out of Velora: the stored sign-in is deleted. Velora has no way to revoke a token, so a copy of the tokens elsewhere keeps working until Velora expires them.\n".into(),
        )
    };
    if demo {
        return done();
    }
    let store = open_store().await;
    tokio::task::spawn_blocking(move || store.delete_all(VELORA))
        .await
        .map_err(|e| format!("signing out stopped: {e}"))?
        .map_err(|e| e.to_string())?;
    done()
}
