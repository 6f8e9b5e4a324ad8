//! What every sign-in shares once the platform's own flow is done: the credential store,
//! keeping the tokens (and the client secret) there, and writing refreshed pairs back. The
//! window and the headless `login` both use it.

use super::help::SecretUse;
use super::store::{SecretKind, TokenStore};
use crate::model::PlatformId;
use crate::platform::registry::SignedIn;
use crate::platform::tokens::{TokenListener, TokenPair};
use crate::secret::Secret;
use std::sync::Arc;

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

/// Keeps what a sign-in brought on the credential store: the tokens, and the client secret
/// where the platform uses one. With `forget_missing_secret` (the window, where the form is
/// the whole registration), a sign-in without a secret deletes an old one; the command
/// line keeps it, since its secret may simply not have been readable. Says why if it could
/// not be kept beyond this run. The store may block, so this runs off the runtime's
/// workers.
pub async fn keep_sign_in(
    store: &Arc<TokenStore>,
    platform: PlatformId,
    signed_in: &SignedIn,
    forget_missing_secret: bool,
) -> Option<String> {
    let store = Arc::clone(store);
    let tokens = signed_in.tokens.clone();
    let secret = signed_in.client_secret.clone();
    let uses_secret = platform.entry().registration_help().secret == SecretUse::Optional;
    tokio::task::spawn_blocking(move || {
        let mut trouble = save_tokens(&store, platform, &tokens);
        if uses_secret {
            let kept = match &secret {
                Some(secret) => store.set(platform, SecretKind::ClientSecret, secret),
                None if forget_missing_secret => store.delete(platform, SecretKind::ClientSecret),
                None => Ok(()),
            };
            if let Err(e) = kept {
                trouble.get_or_insert(e.to_string());
            }
        }
        trouble
    })
    .await
    .unwrap_or_else(|_| Some("the sign-in could not be stored".into()))
}
