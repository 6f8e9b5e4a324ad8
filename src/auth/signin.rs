//! One whole Trovo sign-in: the listener, the authorize address, the redirect, and the
//! tokens that come of it (the code flow when the app has a client secret, the implicit flow
//! when it has none). The window and `stagehand trovo login` share it.

use super::store::{SecretKind, TokenStore};
use super::{
    AuthError, LoopbackListener, Redirect, ResponseType, random_state, trovo_authorize_url,
};
use crate::config::TrovoConfig;
use crate::error::PlatformError;
use crate::model::Account;
use crate::model::PlatformId;
use crate::platform::trovo::{SCOPES, TokenListener, TokenPair, TrovoClient};
use crate::secret::Secret;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::oneshot;

/// What a sign-in needs besides the client.
pub struct SignIn {
    /// The platform's authorize page (overridable, so a stand-in can play it).
    pub auth_page: String,
    pub client_id: String,
    /// Whether the app has a client secret: the code flow then, the implicit flow without.
    pub has_secret: bool,
    pub port: u16,
    pub timeout: Duration,
}

/// Why a sign-in did not complete.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Platform(#[from] PlatformError),
}

/// Runs a sign-in: binds the listener, hands the authorize address to `open` (which prints
/// it and opens the browser), waits for the redirect, and leaves the tokens in `client`.
/// Returns the tokens and who signed in.
pub async fn trovo_sign_in(
    client: &TrovoClient,
    how: &SignIn,
    open: impl FnOnce(&url::Url),
    cancel: oneshot::Receiver<()>,
) -> Result<(TokenPair, Account), SignInError> {
    let listener = LoopbackListener::bind(how.port).await?;
    let redirect_uri = listener.redirect_uri();
    let state = random_state();
    let flow = if how.has_secret {
        ResponseType::Code
    } else {
        ResponseType::Token
    };
    let url = trovo_authorize_url(
        &how.auth_page,
        &how.client_id,
        flow,
        &SCOPES,
        &redirect_uri,
        &state,
    )?;
    open(&url);
    let tokens = match listener.wait(&state, how.timeout, cancel).await? {
        Redirect::Code { code } => client.exchange_code(code.expose(), &redirect_uri).await?,
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
    let account = client.user_info().await?;
    Ok((tokens, account))
}

const TROVO: PlatformId = PlatformId::Trovo;

/// The credential store; opening it may block on D-Bus, so never on a runtime worker.
pub async fn open_store() -> Arc<TokenStore> {
    tokio::task::spawn_blocking(|| Arc::new(TokenStore::native()))
        .await
        .unwrap_or_else(|_| {
            Arc::new(TokenStore::memory_only(
                "the credential store could not be opened",
            ))
        })
}

/// What the credential store holds for a platform: access token, refresh token, client
/// secret. Read off the runtime's workers, since the store may block.
pub async fn stored_secrets(
    platform: PlatformId,
    store: &Arc<TokenStore>,
) -> (Option<Secret>, Option<Secret>, Option<Secret>) {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || {
        let get = |k| store.get(platform, k).ok().flatten();
        (
            get(SecretKind::AccessToken),
            get(SecretKind::RefreshToken),
            get(SecretKind::ClientSecret),
        )
    })
    .await
    .unwrap_or((None, None, None))
}

/// Fills what the environment left out (tokens, client secret) from the credential store.
/// Returns whether the tokens came from the store, so refreshed ones go back there; tokens
/// from the environment stay in memory, as scripts expect.
pub async fn fill_from_store(config: &mut TrovoConfig, store: &Arc<TokenStore>) -> bool {
    let need_tokens = config.access_token.is_none();
    let need_secret = config.client_secret.is_none();
    if !need_tokens && !need_secret {
        return false;
    }
    let (access, refresh, secret) = stored_secrets(TROVO, store).await;
    if need_secret {
        config.client_secret = secret;
    }
    if need_tokens && access.is_some() {
        config.access_token = access;
        config.refresh_token = refresh;
        return true;
    }
    false
}

/// A listener that writes every refreshed pair of `platform` to `store`, so the newest
/// refresh token survives (Twitch's may be single-use).
pub fn token_saver(platform: PlatformId, store: Arc<TokenStore>) -> TokenListener {
    Arc::new(move |pair: &TokenPair| {
        let pair = pair.clone();
        let store = Arc::clone(&store);
        // The listener runs inside a call; the store may block, so it gets its own thread.
        std::thread::spawn(move || save_tokens(&store, platform, &pair));
    })
}

/// Writes every refreshed pair back to `store`, so the newest refresh token survives.
pub fn keep_refreshed_tokens(client: &TrovoClient, store: Arc<TokenStore>) {
    client.on_tokens_refreshed(token_saver(TROVO, store));
}

/// Stores a pair; says why if it could not be kept beyond this run.
pub fn save_tokens(store: &TokenStore, platform: PlatformId, pair: &TokenPair) -> Option<String> {
    let mut trouble = None;
    for (kind, value) in [
        (SecretKind::AccessToken, &pair.access),
        (SecretKind::RefreshToken, &pair.refresh),
    ] {
        match value {
            Some(v) => {
                if let Err(e) = store.set(platform, kind, v) {
                    trouble.get_or_insert(e.to_string());
                }
            }
            // A pair without a refresh token (Trovo's implicit flow) must not leave an
            // older one behind.
            None => {
                let _ = store.delete(platform, kind);
            }
        }
    }
    trouble.or_else(|| store.unavailable().map(str::to_owned))
}
