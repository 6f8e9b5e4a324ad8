//! Signing in and out from the window: runs a platform's sign-in flow (its registry entry),
//! keeps what comes of it (tokens and client secret on the credential store, the client ID
//! and port in the settings file) and swaps the platform's client into or out of the
//! backend.

use super::Shared;
use crate::auth::DEFAULT_TIMEOUT;
use crate::auth::signin::{keep_sign_in, token_saver};
use crate::auth::store::TokenStore;
use crate::command::Event;
use crate::config_file::ConfigFile;
use crate::model::{Account, PlatformId};
use crate::platform::registry::{Lookup, SignInPrompt, SignInRequest, SignInSettings};
use crate::secret::Secret;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// What signing in and out from the window needs besides the clients.
pub struct AccountSetup {
    /// Where tokens and client secrets go.
    pub store: Arc<TokenStore>,
    /// The settings file the client ID and port are remembered in; `None` remembers
    /// nothing (the demo, tests).
    pub config_path: Option<PathBuf>,
    /// The settings sign-ins start from (each platform's addresses, overridable so a
    /// simulator or a stand-in can play the platform): the environment and the settings
    /// file, or the demo's simulators. The client ID and secret come from the form.
    pub settings: Arc<Lookup<'static>>,
    /// Whether to open the system browser (tests follow the address themselves).
    pub open_browser: bool,
    /// How long a sign-in waits for the browser.
    pub timeout: Duration,
}

impl AccountSetup {
    /// Production addresses, secrets in memory for this run, nothing written, no browser:
    /// what tests start from.
    pub fn in_memory() -> Self {
        AccountSetup {
            store: Arc::new(TokenStore::memory_only(
                "this run keeps sign-ins in memory only",
            )),
            config_path: None,
            settings: Arc::new(|_: &str| None),
            open_browser: false,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// Runs one sign-in to its end and reports it. A newer sign-in for the same platform
/// cancels this one (its cancel sender is replaced and dropped).
pub(super) async fn sign_in(
    shared: Arc<Shared>,
    platform: PlatformId,
    client_id: String,
    client_secret: Option<Secret>,
    port: u16,
) {
    let (cancel_tx, cancel_rx) = oneshot::channel();
    shared.sign_ins().insert(platform, cancel_tx);
    let result = run_sign_in(&shared, platform, client_id, client_secret, port, cancel_rx).await;
    shared.sign_ins().remove(&platform);
    let (result, note) = match result {
        Ok((account, note)) => (Ok(account), note),
        Err(e) => (Err(e), None),
    };
    shared.out.emit(Event::SignedIn {
        platform,
        result,
        note,
    });
}

/// The platform's own flow with the form's client ID and secret; what comes of it is kept
/// and its client replaces the old one.
async fn run_sign_in(
    shared: &Arc<Shared>,
    platform: PlatformId,
    client_id: String,
    client_secret: Option<Secret>,
    port: u16,
    cancel: oneshot::Receiver<()>,
) -> Result<(Account, Option<String>), String> {
    let setup = &shared.accounts;
    if client_id.trim().is_empty() {
        return Err(format!(
            "Enter the client ID of your {platform} application first."
        ));
    }
    let settings = SignInSettings::from_form(platform, &*setup.settings, &client_id, client_secret);
    let lookup = |key: &str| settings.get(key);
    let out = shared.out.clone();
    let open_browser = setup.open_browser;
    let prompt = Box::new(move |prompt: SignInPrompt| {
        open_in_browser(open_browser, &prompt.url);
        out.emit(Event::SignInWaiting {
            platform,
            url: prompt.url,
            user_code: prompt.user_code,
        });
    });
    let signed_in = platform
        .entry()
        .sign_in(SignInRequest {
            settings: &lookup,
            port,
            timeout: setup.timeout,
            prompt,
            cancel,
        })
        .await?;
    let note = keep_sign_in(&setup.store, platform, &signed_in, true).await;
    remember_registration(setup, platform, signed_in.client_id.clone(), port).await;
    let client = signed_in.client;
    client.on_tokens_refreshed(token_saver(platform, Arc::clone(&setup.store)));
    shared.replace_client(platform, Some(client));
    Ok((signed_in.account, note))
}

/// Opens the system browser at `address` unless told not to (tests follow it themselves).
/// Opening can take a moment, so never on a runtime worker.
fn open_in_browser(enabled: bool, address: &str) {
    if !enabled {
        return;
    }
    let address = address.to_owned();
    std::thread::spawn(move || {
        if let Err(e) = webbrowser::open(&address) {
            tracing::info!("could not open a browser: {e}");
        }
    });
}

/// Keeps the client ID and port in the settings file, so the next start knows them.
async fn remember_registration(
    setup: &AccountSetup,
    platform: PlatformId,
    client_id: String,
    port: u16,
) {
    let Some(path) = setup.config_path.clone() else {
        return;
    };
    let saved = tokio::task::spawn_blocking(move || {
        let (mut file, _) = ConfigFile::load_or_default(&path);
        file.registration_mut(platform).client_id = Some(client_id);
        file.redirect_port = (port != crate::auth::DEFAULT_PORT).then_some(port);
        file.save(&path)
    })
    .await;
    match saved {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!("{e}"),
        Err(e) => tracing::warn!("saving the settings stopped: {e}"),
    }
}

/// Stops a waiting sign-in; the flow then reports "cancelled".
pub(super) fn cancel(shared: &Shared, platform: PlatformId) {
    if let Some(tx) = shared.sign_ins().remove(&platform) {
        let _ = tx.send(());
    }
}

/// Signs out: stops any sign-in and the pollers, revokes the token, deletes the stored
/// secrets. The client is forgotten even when the platform cannot be reached, since the
/// user asked to be signed out.
pub(super) async fn sign_out(shared: Arc<Shared>, platform: PlatformId) {
    cancel(&shared, platform);
    let client = shared.replace_client(platform, None);
    let mut trouble = None;
    if let Some(client) = client
        && let Err(e) = client.revoke().await
    {
        trouble = Some(format!(
            "{platform} did not confirm that the sign-in was revoked ({e}); it was deleted here anyway"
        ));
    }
    let store = Arc::clone(&shared.accounts.store);
    let deleted = tokio::task::spawn_blocking(move || store.delete_all(platform)).await;
    match deleted {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            trouble.get_or_insert(format!("the stored sign-in could not be deleted: {e}"));
        }
        Err(e) => {
            trouble.get_or_insert(format!("deleting the stored sign-in stopped: {e}"));
        }
    }
    shared.out.emit(Event::SignedOut {
        platform,
        note: trouble,
    });
}
