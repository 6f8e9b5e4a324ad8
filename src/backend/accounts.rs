//! Signing in and out from the window: runs a platform's sign-in flow, keeps what comes of
//! it (tokens and client secret on the credential store, the client ID and port in the
//! settings file) and swaps the platform's client into or out of the backend.

use super::Shared;
use crate::auth::signin::{SignIn, keep_refreshed_tokens, save_tokens, token_saver, trovo_sign_in};
use crate::auth::store::{SecretKind, TokenStore};
use crate::auth::{DEFAULT_TIMEOUT, TROVO_AUTHORIZE_PAGE};
use crate::auth::{LoopbackListener, Redirect, random_state};
use crate::command::Event;
use crate::config::check_socket_url;
use crate::config::{
    TROVO_API, TWITCH_API, TWITCH_AUTH, TrovoConfig, TwitchConfig, VELORA_API,
    VELORA_AUTHORIZE_PAGE, VeloraConfig,
};
use crate::config_file::ConfigFile;
use crate::model::{Account, PlatformId};
use crate::platform::PlatformClient;
use crate::platform::trovo::TrovoClient;
use crate::platform::twitch::{self, TwitchClient};
use crate::platform::velora::{self, VeloraClient};
use crate::secret::Secret;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// Where a platform's sign-in goes: its API and its authorize page (overridable, so the
/// simulator or a stand-in can play the platform).
#[derive(Clone, Debug)]
pub struct TrovoEndpoints {
    pub api_base: String,
    pub auth_page: String,
    /// Another chat websocket (`STAGEHAND_TROVO_CHAT_URL`); `None` follows the API base.
    pub chat_url: Option<String>,
}

impl Default for TrovoEndpoints {
    fn default() -> Self {
        TrovoEndpoints {
            api_base: TROVO_API.to_owned(),
            auth_page: TROVO_AUTHORIZE_PAGE.to_owned(),
            chat_url: None,
        }
    }
}

/// Where Twitch's API, its sign-in (id.twitch.tv, without `/oauth2`) and its EventSub
/// websocket are.
#[derive(Clone, Debug)]
pub struct TwitchEndpoints {
    pub api_base: String,
    pub auth_base: String,
    /// The EventSub websocket; `None` derives it from `api_base` (Twitch's own beside
    /// Twitch's Helix, `/ws` beside a simulator's).
    pub eventsub: Option<String>,
}

impl Default for TwitchEndpoints {
    fn default() -> Self {
        TwitchEndpoints {
            api_base: TWITCH_API.to_owned(),
            auth_base: TWITCH_AUTH.to_owned(),
            eventsub: None,
        }
    }
}

/// Where Velora's API (the origin, without `/api`) and its authorize page are.
#[derive(Clone, Debug)]
pub struct VeloraEndpoints {
    pub api_base: String,
    pub authorize_page: String,
}

impl Default for VeloraEndpoints {
    fn default() -> Self {
        VeloraEndpoints {
            api_base: VELORA_API.to_owned(),
            authorize_page: VELORA_AUTHORIZE_PAGE.to_owned(),
        }
    }
}

/// What signing in and out from the window needs besides the clients.
pub struct AccountSetup {
    /// Where tokens and client secrets go.
    pub store: Arc<TokenStore>,
    /// The settings file the client ID and port are remembered in; `None` remembers
    /// nothing (the demo, tests).
    pub config_path: Option<PathBuf>,
    pub trovo: TrovoEndpoints,
    pub twitch: TwitchEndpoints,
    pub velora: VeloraEndpoints,
    /// Whether to open the system browser (tests follow the address themselves).
    pub open_browser: bool,
    /// How long a sign-in waits for the browser.
    pub timeout: Duration,
}

impl AccountSetup {
    /// Production endpoints, secrets in memory for this run, nothing written, no browser:
    /// what tests start from.
    pub fn in_memory() -> Self {
        AccountSetup {
            store: Arc::new(TokenStore::memory_only(
                "this run keeps sign-ins in memory only",
            )),
            config_path: None,
            trovo: TrovoEndpoints::default(),
            twitch: TwitchEndpoints::default(),
            velora: VeloraEndpoints::default(),
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
    let result = match platform {
        PlatformId::Trovo => {
            sign_in_trovo(&shared, client_id, client_secret, port, cancel_rx).await
        }
        PlatformId::Twitch => sign_in_twitch(&shared, client_id, port, cancel_rx).await,
        PlatformId::Velora => {
            sign_in_velora(&shared, client_id, client_secret, port, cancel_rx).await
        }
    };
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

async fn sign_in_trovo(
    shared: &Arc<Shared>,
    client_id: String,
    client_secret: Option<Secret>,
    port: u16,
    cancel: oneshot::Receiver<()>,
) -> Result<(Account, Option<String>), String> {
    let setup = &shared.accounts;
    let client_id = client_id.trim().to_owned();
    if client_id.is_empty() {
        return Err("Enter the client ID of your Trovo application first.".into());
    }
    let client_secret = client_secret.filter(|s| !s.expose().trim().is_empty());
    let mut config =
        TrovoConfig::new(&setup.trovo.api_base, client_id.clone()).map_err(|e| e.to_string())?;
    if let Some(chat) = &setup.trovo.chat_url {
        config.chat_url = check_socket_url(PlatformId::Trovo, chat).map_err(|e| e.to_string())?;
    }
    config.client_secret = client_secret.clone();
    let client = TrovoClient::new(config).map_err(|e| e.to_string())?;
    let how = SignIn {
        auth_page: setup.trovo.auth_page.clone(),
        client_id: client_id.clone(),
        has_secret: client_secret.is_some(),
        port,
        timeout: setup.timeout,
    };
    let out = shared.out.clone();
    let open_browser = setup.open_browser;
    let open = move |url: &url::Url| {
        let url = url.to_string();
        open_in_browser(open_browser, &url);
        out.emit(Event::SignInWaiting {
            platform: PlatformId::Trovo,
            url,
            user_code: None,
        });
    };
    let (tokens, account) = trovo_sign_in(&client, &how, open, cancel)
        .await
        .map_err(|e| e.to_string())?;

    let store = Arc::clone(&setup.store);
    let note = tokio::task::spawn_blocking(move || {
        let mut trouble = save_tokens(&store, PlatformId::Trovo, &tokens);
        let secret_kept = match &client_secret {
            Some(secret) => store.set(PlatformId::Trovo, SecretKind::ClientSecret, secret),
            // A sign-in without a secret must not leave an old one behind.
            None => store.delete(PlatformId::Trovo, SecretKind::ClientSecret),
        };
        if let Err(e) = secret_kept {
            trouble.get_or_insert(e.to_string());
        }
        trouble
    })
    .await
    .unwrap_or_else(|_| Some("the sign-in could not be stored".into()));
    remember_registration(setup, PlatformId::Trovo, client_id, port).await;
    keep_refreshed_tokens(&client, Arc::clone(&setup.store));
    shared.replace_client(PlatformId::Trovo, Some(PlatformClient::Trovo(client)));
    Ok((account, note))
}

/// Twitch's Device Code flow for a public client: no secret and no listener. The window
/// shows the code and the page; the backend polls until the user confirms there.
async fn sign_in_twitch(
    shared: &Arc<Shared>,
    client_id: String,
    port: u16,
    cancel: oneshot::Receiver<()>,
) -> Result<(Account, Option<String>), String> {
    let setup = &shared.accounts;
    let client_id = client_id.trim().to_owned();
    if client_id.is_empty() {
        return Err("Enter the client ID of your Twitch application first.".into());
    }
    let mut config = TwitchConfig::new(&setup.twitch.api_base, &setup.twitch.auth_base, &client_id)
        .map_err(|e| e.to_string())?;
    if let Some(eventsub) = &setup.twitch.eventsub {
        config
            .set_eventsub_url(eventsub)
            .map_err(|e| e.to_string())?;
    }
    let client = TwitchClient::new(config).map_err(|e| e.to_string())?;
    let code = client
        .start_device_flow(&twitch::SCOPES)
        .await
        .map_err(|e| e.to_string())?;
    open_in_browser(setup.open_browser, &code.verification_uri);
    shared.out.emit(Event::SignInWaiting {
        platform: PlatformId::Twitch,
        url: code.verification_uri.clone(),
        user_code: Some(code.user_code.clone()),
    });
    let cancelled = async {
        // A dropped sender (a newer sign-in, the app closing) cancels too.
        let _ = cancel.await;
    };
    let tokens = client
        .poll_device_token(&code, cancelled)
        .await
        .map_err(|e| e.to_string())?;
    let account = client.account().await.map_err(|e| e.to_string())?;
    let store = Arc::clone(&setup.store);
    let note =
        tokio::task::spawn_blocking(move || save_tokens(&store, PlatformId::Twitch, &tokens))
            .await
            .unwrap_or_else(|_| Some("the sign-in could not be stored".into()));
    remember_registration(setup, PlatformId::Twitch, client_id, port).await;
    client.on_tokens_refreshed(token_saver(PlatformId::Twitch, Arc::clone(&setup.store)));
    shared.replace_client(PlatformId::Twitch, Some(PlatformClient::Twitch(client)));
    Ok((account, note))
}

/// Velora's authorization code flow with PKCE (S256) through the loopback listener: a
/// fresh verifier and state per sign-in, the code exchanged with the verifier (and the
/// client secret when there is one).
async fn sign_in_velora(
    shared: &Arc<Shared>,
    client_id: String,
    client_secret: Option<Secret>,
    port: u16,
    cancel: oneshot::Receiver<()>,
) -> Result<(Account, Option<String>), String> {
    let setup = &shared.accounts;
    let client_id = client_id.trim().to_owned();
    if client_id.is_empty() {
        return Err("Enter the client ID of your Velora application first.".into());
    }
    let client_secret = client_secret.filter(|s| !s.expose().trim().is_empty());
    let mut config = VeloraConfig::new(
        &setup.velora.api_base,
        &setup.velora.authorize_page,
        &client_id,
    )
    .map_err(|e| e.to_string())?;
    config.client_secret = client_secret.clone();
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
    open_in_browser(setup.open_browser, url.as_str());
    shared.out.emit(Event::SignInWaiting {
        platform: PlatformId::Velora,
        url: url.to_string(),
        user_code: None,
    });
    let code = match listener
        .wait(&state, setup.timeout, cancel)
        .await
        .map_err(|e| e.to_string())?
    {
        Redirect::Code { code } => code,
        Redirect::Token { .. } => {
            return Err("Velora answered with a token instead of a code; sign in again.".into());
        }
    };
    let tokens = client
        .exchange_code(code.expose(), &verifier, &redirect_uri)
        .await
        .map_err(|e| e.to_string())?;
    let account = client.account().await.map_err(|e| e.to_string())?;
    let store = Arc::clone(&setup.store);
    let note = tokio::task::spawn_blocking(move || {
        let mut trouble = save_tokens(&store, PlatformId::Velora, &tokens);
        let kept = match &client_secret {
            Some(secret) => store.set(PlatformId::Velora, SecretKind::ClientSecret, secret),
            None => store.delete(PlatformId::Velora, SecretKind::ClientSecret),
        };
        if let Err(e) = kept {
            trouble.get_or_insert(e.to_string());
        }
        trouble
    })
    .await
    .unwrap_or_else(|_| Some("the sign-in could not be stored".into()));
    remember_registration(setup, PlatformId::Velora, client_id, port).await;
    client.on_tokens_refreshed(token_saver(PlatformId::Velora, Arc::clone(&setup.store)));
    shared.replace_client(PlatformId::Velora, Some(PlatformClient::Velora(client)));
    Ok((account, note))
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
