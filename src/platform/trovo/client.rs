//! The Trovo HTTP client's core: headers, the rate limiter, decoding answers into typed
//! values or typed errors, and the token lifecycle (refresh once on an expired token). The
//! endpoints themselves are in `endpoints.rs`.

use super::chat::KnownChatters;
use super::config::TrovoConfig;
use super::errors::{self, TOKEN_EXPIRED};
use super::wire::{ErrorBody, TokenResponse};
use crate::error::{ErrorKind, PlatformError};
use crate::model::PlatformId;
use crate::platform::http::{self, Dialect, HttpCore, PROBE_MAX, RateLimit, header_f64};
use crate::platform::locks::{read, write};
pub use crate::platform::tokens::TokenPair;
use crate::secret::Secret;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use time::OffsetDateTime;

pub(crate) use crate::platform::http::Call;

pub(crate) const PLATFORM: PlatformId = PlatformId::Trovo;

/// Trovo's documented budget per client ID, used until the headers say otherwise.
pub const DOCUMENTED_LIMIT_PER_MINUTE: u32 = 1200;

http::platform_client! {
    /// A Trovo client for one account (or none, for public calls). Cheap to clone: clones share
    /// tokens, the rate limiter and the connection pool.
    pub struct TrovoClient;
}

pub(crate) struct Inner {
    /// The API base, the pool, the tokens and the limiter. Trovo never marks the refresh
    /// token dead: its old refresh tokens stay valid until they expire.
    core: HttpCore,
    /// The signed-in user's channel id, once known.
    own_channel: RwLock<Option<String>>,
    /// The chat websocket's address.
    chat_url: url::Url,
    chat_pong_wait: Duration,
    /// User names of recent chatters by id, which the chat feed learns and the ban command
    /// needs.
    chatters: std::sync::Mutex<KnownChatters>,
}

impl Dialect for TrovoClient {
    const AUTH_SCHEME: &'static str = "OAuth";
    /// Trovo refuses an expired token before acting, and its writes have always gone again
    /// once the token is renewed.
    const RESENDS_REFUSED_WRITES: bool = true;

    fn headers(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        req.header("Client-ID", &self.inner.core.client_id)
    }

    fn check(&self, status: StatusCode, body: &[u8]) -> Result<(), PlatformError> {
        check_error(status, body)
    }

    fn rate_limit(&self, headers: &HeaderMap, _body: &[u8]) -> RateLimit {
        // `Retry-After` is seconds; the limiter reads small numbers as seconds from now.
        let reset = header_f64(headers, "x-ratelimit-reset")
            .or_else(|| header_f64(headers, "retry-after").map(|s| s.min(60.0)));
        RateLimit::Budget { reset }
    }

    /// Trovo's refresh needs the client secret as well as a refresh token.
    fn can_refresh(&self) -> bool {
        self.inner.core.tokens.can_refresh() && self.inner.core.client_secret.is_some()
    }

    fn refresh_failed(&self, failed: PlatformError, refused: PlatformError) -> PlatformError {
        if failed.kind() == ErrorKind::Auth || failed.kind() == ErrorKind::InvalidInput {
            tracing::warn!("Trovo token refresh refused: {failed}");
            PlatformError::Api {
                platform: PLATFORM,
                code: TOKEN_EXPIRED,
                kind: ErrorKind::Auth,
                sentence: format!(
                    "the access token has expired and could not be refreshed ({}): sign in again",
                    sentence_of(&failed)
                ),
            }
        } else {
            refused
        }
    }
}

impl TrovoClient {
    /// A client of Trovo's open platform for `config` (its chat socket beside it).
    pub fn new(config: TrovoConfig) -> Result<Self, PlatformError> {
        let core = HttpCore::new(PLATFORM, DOCUMENTED_LIMIT_PER_MINUTE, &config)?;
        Ok(TrovoClient {
            inner: Arc::new(Inner {
                core,
                own_channel: RwLock::new(None),
                chat_url: config.chat_url,
                chat_pong_wait: config.chat_pong_wait,
                chatters: std::sync::Mutex::new(KnownChatters::default()),
            }),
        })
    }

    /// Replaces the tokens, e.g. after a sign-in.
    pub fn set_tokens(&self, tokens: TokenPair) {
        self.inner.core.tokens.replace(tokens);
        *write(&self.inner.own_channel) = None;
    }

    /// The chat websocket this client follows chat on.
    pub fn chat_url(&self) -> &url::Url {
        &self.inner.chat_url
    }

    /// How long a `PONG` may take before the chat socket counts as lost.
    pub(crate) fn chat_pong_wait(&self) -> Duration {
        self.inner.chat_pong_wait
    }

    /// How long one request (or the chat socket's opening) may take.
    pub(crate) fn timeout(&self) -> Duration {
        self.inner.core.timeout
    }

    /// Notes a chatter's user name, for moderating them by id later.
    pub(crate) fn remember_chatter(&self, id: &str, login: &str) {
        self.inner
            .chatters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remember(id, login);
    }

    /// The user name of a recent chatter.
    pub(crate) fn chatter_login(&self, id: &str) -> Option<String> {
        self.inner
            .chatters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .login(id)
    }

    pub(crate) fn cached_own_channel(&self) -> Option<String> {
        read(&self.inner.own_channel).clone()
    }

    pub(crate) fn cache_own_channel(&self, id: &str) {
        *write(&self.inner.own_channel) = Some(id.to_owned());
    }

    /// Records when the access token lapses, as `validate` reports it.
    pub(crate) fn note_expiry(&self, expires_at: Option<OffsetDateTime>) {
        self.inner.core.tokens.note_expiry(expires_at);
    }

    /// Exchanges the refresh token for a new pair (`POST /refreshtoken`), keeps it, and tells
    /// the listener. Needs the client secret.
    pub async fn refresh_now(&self) -> Result<TokenPair, PlatformError> {
        let secret = self.inner.core.client_secret.clone().ok_or_else(|| PlatformError::Config {
            platform: PLATFORM,
            message: "refreshing a token needs the application's client secret (STAGEHAND_TROVO_CLIENT_SECRET)".into(),
        })?;
        let refresh = self.inner.core.tokens.refresh_token()?;
        let body = serde_json::json!({
            "client_secret": secret.expose(),
            "grant_type": "refresh_token",
            "refresh_token": refresh.expose(),
        });
        let answer: TokenResponse = self
            .call(Call::post("refreshtoken", body).anonymous().once())
            .await?;
        let pair = TokenPair::from_answer(PLATFORM, answer, Some(refresh))?;
        self.inner.core.tokens.store_refreshed(&pair);
        tracing::info!("Trovo access token refreshed");
        Ok(pair)
    }

    pub(crate) fn client_secret(&self) -> Option<&Secret> {
        self.inner.core.client_secret.as_ref()
    }
}

fn sentence_of(e: &PlatformError) -> String {
    match e {
        PlatformError::Api { sentence, .. } => sentence.clone(),
        other => other.to_string(),
    }
}

/// Turns an answer into an error when it is one: a Trovo error body (whatever the HTTP
/// status), a page that is not JSON, or a failure status without a body.
pub(crate) fn check_error(status: StatusCode, body: &[u8]) -> Result<(), PlatformError> {
    let trimmed = body.trim_ascii();
    if status == StatusCode::TOO_MANY_REQUESTS
        && serde_json::from_slice::<ErrorBody>(trimmed)
            .ok()
            .and_then(|b| b.code())
            .is_none()
    {
        // A gateway's 429 without Trovo's body is still the rate limit.
        return Err(errors::api_error(errors::RATE_LIMITED, None));
    }
    if trimmed.is_empty() {
        return if status.is_success() {
            Ok(())
        } else {
            Err(PlatformError::Http {
                platform: PLATFORM,
                status: status.as_u16(),
            })
        };
    }
    if status.is_success() && trimmed.len() > PROBE_MAX {
        return Ok(());
    }
    match serde_json::from_slice::<ErrorBody>(trimmed) {
        Ok(probe) => match probe.code() {
            Some(code) => {
                let said = [probe.message.as_deref(), probe.error.as_deref()]
                    .into_iter()
                    .flatten()
                    .find(|m| !m.trim().is_empty());
                Err(errors::api_error(code, said))
            }
            None if status.is_success() => Ok(()),
            None => Err(PlatformError::Http {
                platform: PLATFORM,
                status: status.as_u16(),
            }),
        },
        Err(_) if trimmed.first() == Some(&b'{') && status.is_success() => Ok(()),
        Err(_) => Err(PlatformError::NotJson {
            platform: PLATFORM,
            status: status.as_u16(),
        }),
    }
}

/// A decoding failure in words that never quote the answer.
pub(crate) fn shape_error(e: &serde_json::Error) -> PlatformError {
    http::shape_error(PLATFORM, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_errors_whatever_the_status() {
        let body = br#"{"status":11000,"error":"x","message":"Invalid category."}"#;
        for status in [StatusCode::OK, StatusCode::BAD_REQUEST] {
            let e = check_error(status, body).expect_err("an error body");
            assert_eq!(e.code(), Some(11000));
        }
    }

    #[test]
    fn html_pages_and_bare_failures_are_errors() {
        let e = check_error(StatusCode::BAD_GATEWAY, b"<html><body>502</body></html>")
            .expect_err("html");
        assert!(matches!(e, PlatformError::NotJson { status: 502, .. }));
        let e = check_error(StatusCode::OK, b"<html>maintenance</html>").expect_err("html 200");
        assert!(matches!(e, PlatformError::NotJson { status: 200, .. }));
        let e = check_error(StatusCode::SERVICE_UNAVAILABLE, b"").expect_err("empty 503");
        assert!(matches!(e, PlatformError::Http { status: 503, .. }));
        assert!(check_error(StatusCode::OK, b"{}").is_ok());
        assert!(check_error(StatusCode::OK, b"").is_ok());
    }
}
