//! One whole Trovo sign-in: the listener, the authorize address, the redirect, and the
//! tokens that come of it (the code flow when the app has a client secret, the implicit flow
//! when it has none). The window and `stagehand trovo login` share it.

use super::{
    AuthError, LoopbackListener, Redirect, ResponseType, random_state, trovo_authorize_url,
};
use crate::error::PlatformError;
use crate::model::Account;
use crate::platform::trovo::{SCOPES, TokenPair, TrovoClient};
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
