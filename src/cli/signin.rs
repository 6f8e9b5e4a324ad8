//! `stagehand <platform> login` and `logout`, for every platform through its registry
//! entry: the platform's own flow (a browser and the loopback redirect, or a code confirmed
//! on the platform's page), its address as the first line on stdout (and the code as the
//! second) so a script or a person can act on it while the command waits, and the tokens
//! kept on the credential store for every other command.

use super::output::{Output, output};
use crate::auth::help::SecretUse;
use crate::auth::loopback::{DEFAULT_PORT, DEFAULT_TIMEOUT};
use crate::auth::signin::{keep_sign_in, open_store, stored_secrets};
use crate::launch::{self, Settings};
use crate::model::PlatformId;
use crate::platform::registry::{
    Lookup, SignInPrompt, SignInRequest, SignInSettings, map_lookup, setting_name,
};
use std::io::Write as _;

/// Signs in: prints where to go, opens the browser unless `no_browser`, waits for the
/// platform's answer, and keeps the tokens (and the client secret, where the platform uses
/// one) on the credential store. With `demo`, signs in to the built-in simulator and keeps
/// nothing.
pub(super) async fn login(
    platform: PlatformId,
    demo: bool,
    no_browser: bool,
    port: Option<u16>,
) -> Result<Output, String> {
    let entry = platform.entry();
    let help = entry.registration_help();
    if port.is_some() && !help.uses_redirect {
        return Err(format!(
            "{platform}'s sign-in needs no redirect port (it shows a code to confirm on {platform}'s page instead): leave out --port"
        ));
    }
    let settings = Settings::load();
    // A device sign-in has no redirect: its port setting is not read (nor refused).
    let port = match port {
        Some(p) => p,
        None if help.uses_redirect => settings.redirect_port()?,
        None => DEFAULT_PORT,
    };
    let (store, demo_settings, _sim) = if demo {
        let started = entry
            .start_demo(port)
            .await
            .map_err(|e| format!("could not start the built-in simulator: {e}"))?;
        (None, Some(started.settings), Some(started.sim))
    } else {
        (Some(open_store().await), None, None)
    };
    let configured = |key: &str| settings.lookup(key);
    let demo_lookup = demo_settings.as_ref().map(map_lookup);
    let base: &Lookup<'_> = match &demo_lookup {
        Some(lookup) => lookup,
        None => &configured,
    };
    let stored_secret = match &store {
        Some(store) if help.secret == SecretUse::Optional => {
            stored_secrets(platform, store).await.2
        }
        _ => None,
    };
    let sign_in_settings = SignInSettings::configured(platform, base, stored_secret);
    let lookup = |key: &str| sign_in_settings.get(key);
    // Kept alive until the sign-in ends: dropping it would cancel.
    let (_keep_open, cancel) = tokio::sync::oneshot::channel();
    let prompt = Box::new(move |prompt: SignInPrompt| {
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{}", prompt.url);
        if let Some(code) = &prompt.user_code {
            let _ = writeln!(out, "Enter the code {code}");
        }
        let _ = out.flush();
        if !no_browser && webbrowser::open(&prompt.url).is_err() {
            eprintln!("stagehand: could not open a browser; open the address above yourself");
        }
    });
    let signed_in = entry
        .sign_in(SignInRequest {
            settings: &lookup,
            port,
            timeout: DEFAULT_TIMEOUT,
            prompt,
            cancel,
        })
        .await?;
    if let Some(store) = &store {
        if let Some(why) = keep_sign_in(store, platform, &signed_in, false).await {
            eprintln!("stagehand: {why}; this sign-in lasts only for this process");
        }
        let port = help.uses_redirect.then_some(port);
        remember_client_id(&settings, platform, signed_in.client_id.clone(), port).await;
    }
    let account = signed_in.account;
    let text = format!(
        "Signed in to {platform} as {} ({})\n",
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

/// Revokes the held token where the platform can (the environment's, else the stored one)
/// and deletes every stored secret. Succeeds also when nothing was stored; where the
/// platform cannot revoke, the text says a copy of the tokens elsewhere keeps working.
pub(super) async fn logout(platform: PlatformId, demo: bool) -> Result<Output, String> {
    let entry = platform.entry();
    let text = if entry.revokes_tokens() {
        format!("Signed out of {platform}\n")
    } else {
        format!(
            "Signed out of {platform}: the stored sign-in is deleted. {platform} has no way to revoke a token, so a copy of the tokens elsewhere keeps working until {platform} expires them.\n"
        )
    };
    let done = || output(&serde_json::json!({ "signed_out": true }), text.clone());
    if demo {
        return done();
    }
    let settings = Settings::load();
    let store = open_store().await;
    let configured = |key: &str| settings.lookup(key);
    if entry.revokes_tokens() && configured(&setting_name(platform, "CLIENT_ID")).is_some() {
        // No listener for refreshed tokens: everything stored is deleted below.
        if let Ok((client, _)) = launch::client_with_stored(platform, &configured, &store).await
            && client.has_user_token()
            && let Err(e) = client.revoke().await
        {
            tracing::info!("revoking on sign-out failed: {e}");
        }
    }
    tokio::task::spawn_blocking(move || store.delete_all(platform))
        .await
        .map_err(|e| format!("signing out stopped: {e}"))?
        .map_err(|e| e.to_string())?;
    done()
}

/// Remembers a platform's client ID (and, for a browser sign-in, a port other than the
/// default) in the settings file, so the window and later commands know the application
/// without the environment. Not secret.
async fn remember_client_id(
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
