//! The Trovo HTTP client's core: headers, the rate limiter, decoding answers into typed
//! values or typed errors, and the token lifecycle (refresh once on an expired token). The
//! endpoints themselves are in `endpoints.rs`.

use super::chat::KnownChatters;
use super::errors::{self, TOKEN_EXPIRED};
use super::wire::{ErrorBody, TokenResponse};
use crate::config::TrovoConfig;
use crate::error::{ErrorKind, PlatformError};
use crate::model::{PlatformId, RateBudget};
use crate::platform::ratelimit::RateLimiter;
use crate::platform::tokens::TokenHolder;
pub use crate::platform::tokens::{TokenListener, TokenPair};
use crate::secret::Secret;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use time::OffsetDateTime;

const PLATFORM: PlatformId = PlatformId::Trovo;

/// Trovo's documented budget per client ID, used until the headers say otherwise.
pub const DOCUMENTED_LIMIT_PER_MINUTE: u32 = 1200;

/// Error bodies are small; answers larger than this are not probed for one first, so a
/// 100,000-viewer answer is scanned once.
const ERROR_PROBE_MAX: usize = 64 * 1024;

/// How many times a read waits out the rate limit before it gives up and reports it.
const RATE_LIMIT_RETRIES: u32 = 2;

/// A Trovo client for one account (or none, for public calls). Cheap to clone: clones share
/// tokens, the rate limiter and the connection pool.
#[derive(Clone)]
pub struct TrovoClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: String,
    client_id: String,
    client_secret: Option<Secret>,
    /// The pair, its expiry, the refresh gate and the listener. Trovo never marks the
    /// refresh token dead: its old refresh tokens stay valid until they expire.
    tokens: TokenHolder,
    limiter: Arc<RateLimiter>,
    timeout: Duration,
    /// The signed-in user's channel id, once known.
    own_channel: RwLock<Option<String>>,
    /// The chat websocket's address.
    chat_url: url::Url,
    /// User names of recent chatters by id, which the chat feed learns and the ban command
    /// needs.
    chatters: std::sync::Mutex<KnownChatters>,
}

/// Whether a call may be sent again after the platform refused it for its rate limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retry {
    /// A read, or a write whose repetition changes nothing.
    Idempotent,
    /// Chat lines, chat commands, token grants: reported, never sent twice.
    Never,
}

/// One API call, described before it is sent so it can be sent again.
pub(crate) struct Call {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Value>,
    pub user_token: bool,
    pub retry: Retry,
    /// Whether an expired-token answer may trigger a refresh and a retry.
    pub refresh: bool,
}

impl Call {
    pub fn get(path: impl Into<String>) -> Self {
        Call {
            method: Method::GET,
            path: path.into(),
            query: Vec::new(),
            body: None,
            user_token: false,
            retry: Retry::Idempotent,
            refresh: true,
        }
    }

    pub fn post(path: impl Into<String>, body: Value) -> Self {
        Call {
            method: Method::POST,
            body: Some(body),
            ..Call::get(path)
        }
    }

    pub fn delete(path: impl Into<String>) -> Self {
        Call {
            method: Method::DELETE,
            ..Call::get(path)
        }
    }

    /// Sends the signed-in user's access token.
    pub fn authed(mut self) -> Self {
        self.user_token = true;
        self
    }

    /// Never sent again after a rate-limit refusal.
    pub fn once(mut self) -> Self {
        self.retry = Retry::Never;
        self
    }

    /// Never refreshes the token on an expired-token answer.
    pub fn no_refresh(mut self) -> Self {
        self.refresh = false;
        self
    }

    pub fn query(mut self, key: &'static str, value: impl ToString) -> Self {
        self.query.push((key, value.to_string()));
        self
    }
}

impl TrovoClient {
    /// A client for `config`. The rate limiter is shared with every other client of the same
    /// client ID at the same API.
    pub fn new(config: TrovoConfig) -> Result<Self, PlatformError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("Stagehand/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| PlatformError::Config {
                platform: PLATFORM,
                message: format!("could not set up HTTP: {e}"),
            })?;
        let base = config.api_base.as_str().trim_end_matches('/').to_owned();
        let limiter = RateLimiter::shared(&base, &config.client_id, DOCUMENTED_LIMIT_PER_MINUTE);
        Ok(TrovoClient {
            inner: Arc::new(Inner {
                http,
                limiter,
                client_id: config.client_id,
                client_secret: config.client_secret,
                tokens: TokenHolder::new(PLATFORM, config.access_token, config.refresh_token),
                timeout: config.timeout,
                own_channel: RwLock::new(None),
                chat_url: config.chat_url,
                chatters: std::sync::Mutex::new(KnownChatters::default()),
                base,
            }),
        })
    }

    /// Registers who to tell about refreshed tokens.
    pub fn on_tokens_refreshed(&self, listener: TokenListener) {
        self.inner.tokens.set_listener(listener);
    }

    /// The tokens held now (after any refresh).
    pub fn tokens(&self) -> TokenPair {
        self.inner.tokens.pair()
    }

    /// Replaces the tokens, e.g. after a sign-in.
    pub fn set_tokens(&self, tokens: TokenPair) {
        self.inner.tokens.replace(tokens);
        *write(&self.inner.own_channel) = None;
    }

    /// Whether an access token is held at all.
    pub fn has_user_token(&self) -> bool {
        self.inner.tokens.has_access()
    }

    /// The rate-limit budget left for this client ID.
    pub fn rate_budget(&self) -> RateBudget {
        self.inner.limiter.budget()
    }

    /// The API base this client talks to.
    pub fn api_base(&self) -> &str {
        &self.inner.base
    }

    /// The chat websocket this client follows chat on.
    pub fn chat_url(&self) -> &url::Url {
        &self.inner.chat_url
    }

    /// How long one request (or the chat socket's opening) may take.
    pub(crate) fn timeout(&self) -> Duration {
        self.inner.timeout
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

    /// Sends `call` and decodes a typed answer.
    pub(crate) async fn call<T: DeserializeOwned>(&self, call: Call) -> Result<T, PlatformError> {
        let bytes = self.execute(&call).await?;
        decode(&bytes)
    }

    /// Sends `call` and returns the raw body of a successful answer, for callers that decode
    /// it borrowing from the bytes.
    pub(crate) async fn call_bytes(&self, call: Call) -> Result<bytes::Bytes, PlatformError> {
        self.execute(&call).await
    }

    /// The retry loop: rate limit first, one refresh on an expired token, rate-limited
    /// reads sent again after the reset.
    async fn execute(&self, call: &Call) -> Result<bytes::Bytes, PlatformError> {
        let mut refreshed = false;
        let mut rate_retries = 0;
        if call.user_token && call.refresh && self.inner.tokens.expires_soon() && self.can_refresh()
        {
            // Refresh before the token lapses rather than after a refused call. A failure
            // here is not final: the call still goes out and may find the token valid.
            refreshed = true;
            if let Some(Err(e)) = self
                .inner
                .tokens
                .refresh_before_lapse(|| Box::pin(self.refresh_now()))
                .await
            {
                tracing::info!("refreshing a token about to lapse failed: {e}");
            }
        }
        loop {
            self.inner.limiter.acquire().await;
            let sent_with = if call.user_token {
                Some(self.access_token()?)
            } else {
                None
            };
            let (status, headers, body) = self.send_once(call, sent_with.as_ref()).await?;
            self.inner.limiter.observe(&headers);
            let Err(error) = check_error(status, &body) else {
                return Ok(body);
            };
            match error.kind() {
                ErrorKind::TokenExpired
                    if call.user_token && call.refresh && !refreshed && self.can_refresh() =>
                {
                    refreshed = true;
                    // Boxed: a refresh is itself a call that goes through this loop.
                    Box::pin(self.refresh_after_expiry(sent_with.as_ref(), error)).await?;
                }
                ErrorKind::RateLimited => {
                    let reset = header_f64(&headers, "x-ratelimit-reset")
                        .or_else(|| header_f64(&headers, "retry-after").map(|s| s.min(60.0)));
                    self.inner.limiter.exhausted_until(reset);
                    if call.retry == Retry::Never || rate_retries >= RATE_LIMIT_RETRIES {
                        return Err(error);
                    }
                    rate_retries += 1;
                    tracing::info!(
                        path = %call.path,
                        wait_secs = self.inner.limiter.secs_to_reset(),
                        "Trovo rate limit reached; the read waits for the reset"
                    );
                }
                _ => return Err(error),
            }
        }
    }

    async fn send_once(
        &self,
        call: &Call,
        token: Option<&Secret>,
    ) -> Result<(StatusCode, reqwest::header::HeaderMap, bytes::Bytes), PlatformError> {
        let url = format!("{}/{}", self.inner.base, call.path.trim_start_matches('/'));
        let mut req = self
            .inner
            .http
            .request(call.method.clone(), url)
            .timeout(self.inner.timeout)
            .header("Accept", "application/json")
            .header("Client-ID", &self.inner.client_id);
        if let Some(token) = token {
            let mut value =
                reqwest::header::HeaderValue::from_str(&format!("OAuth {}", token.expose()))
                    .map_err(|_| PlatformError::Config {
                        platform: PLATFORM,
                        message:
                            "the access token has characters a header cannot carry: sign in again"
                                .into(),
                    })?;
            // Kept out of any debug output of the request.
            value.set_sensitive(true);
            req = req.header(reqwest::header::AUTHORIZATION, value);
        }
        if !call.query.is_empty() {
            req = req.query(&call.query);
        }
        if let Some(body) = &call.body {
            req = req.json(body);
        }
        tracing::debug!(method = %call.method, path = %call.path, "Trovo request");
        let resp = req.send().await.map_err(|e| self.transport_error(&e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(|e| self.transport_error(&e))?;
        Ok((status, headers, body))
    }

    /// A transport failure in words; never includes the URL's query or any header.
    fn transport_error(&self, e: &reqwest::Error) -> PlatformError {
        if e.is_timeout() {
            return PlatformError::Timeout {
                platform: PLATFORM,
                secs: self.inner.timeout.as_secs().max(1),
            };
        }
        let detail = if e.is_connect() {
            "the connection was refused or could not be made".to_owned()
        } else if e.is_body() || e.is_decode() {
            "the connection broke while the answer was arriving".to_owned()
        } else if e.is_request() {
            "the connection closed before an answer arrived".to_owned()
        } else {
            "the request failed".to_owned()
        };
        PlatformError::Network {
            platform: PLATFORM,
            detail,
        }
    }

    fn access_token(&self) -> Result<Secret, PlatformError> {
        self.inner.tokens.access_token()
    }

    /// Records when the access token lapses, as `validate` reports it.
    pub(crate) fn note_expiry(&self, expires_at: Option<OffsetDateTime>) {
        self.inner.tokens.note_expiry(expires_at);
    }

    /// Trovo's refresh needs the client secret as well as a refresh token.
    fn can_refresh(&self) -> bool {
        self.inner.tokens.can_refresh() && self.inner.client_secret.is_some()
    }

    /// Refreshes after an expired-token answer, unless another call already did so while
    /// this one waited for the gate.
    async fn refresh_after_expiry(
        &self,
        failed_with: Option<&Secret>,
        original: PlatformError,
    ) -> Result<(), PlatformError> {
        let outcome = self
            .inner
            .tokens
            .refresh_once(failed_with, || self.refresh_now())
            .await;
        match outcome {
            // Another call refreshed while this one waited for the gate.
            None | Some(Ok(_)) => Ok(()),
            Some(Err(e)) if e.kind() == ErrorKind::Auth || e.kind() == ErrorKind::InvalidInput => {
                tracing::warn!("Trovo token refresh refused: {e}");
                Err(PlatformError::Api {
                    platform: PLATFORM,
                    code: TOKEN_EXPIRED,
                    kind: ErrorKind::Auth,
                    sentence: format!(
                        "the access token has expired and could not be refreshed ({}): sign in again",
                        sentence_of(&e)
                    ),
                })
            }
            Some(Err(_)) => Err(original),
        }
    }

    /// Exchanges the refresh token for a new pair (`POST /refreshtoken`), keeps it, and tells
    /// the listener. Needs the client secret.
    pub async fn refresh_now(&self) -> Result<TokenPair, PlatformError> {
        let secret = self.inner.client_secret.clone().ok_or_else(|| PlatformError::Config {
            platform: PLATFORM,
            message: "refreshing a token needs the application's client secret (STAGEHAND_TROVO_CLIENT_SECRET)".into(),
        })?;
        let refresh = self.inner.tokens.refresh_token()?;
        let body = serde_json::json!({
            "client_secret": secret.expose(),
            "grant_type": "refresh_token",
            "refresh_token": refresh.expose(),
        });
        let answer: TokenResponse = self.call(Call::post("refreshtoken", body).once()).await?;
        let pair = token_pair(answer, Some(refresh))?;
        self.inner.tokens.store_refreshed(&pair);
        tracing::info!("Trovo access token refreshed");
        Ok(pair)
    }

    pub(crate) fn client_secret(&self) -> Option<&Secret> {
        self.inner.client_secret.as_ref()
    }
}

/// A token answer as a pair; a missing refresh token keeps the old one (Trovo's old refresh
/// tokens stay valid until they expire).
pub(crate) fn token_pair(
    answer: TokenResponse,
    old_refresh: Option<Secret>,
) -> Result<TokenPair, PlatformError> {
    let access = answer
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| PlatformError::BadShape {
            platform: PLATFORM,
            detail: "the token answer has no access_token".into(),
        })?;
    Ok(TokenPair {
        access: Some(access),
        refresh: answer
            .refresh_token
            .filter(|t| !t.is_empty())
            .or(old_refresh),
        expires_at: answer.expires_in.and_then(|secs| {
            OffsetDateTime::now_utc().checked_add(time::Duration::seconds(secs as i64))
        }),
    })
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
    if status.is_success() && trimmed.len() > ERROR_PROBE_MAX {
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

/// Decodes a successful answer. The detail of a shape error names where, never the value
/// (which could be a token or a stream key).
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, PlatformError> {
    let body = if body.trim_ascii().is_empty() {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| shape_error(&e))
}

/// A decoding failure in words that never quote the answer.
pub(crate) fn shape_error(e: &serde_json::Error) -> PlatformError {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Syntax | Category::Eof => "malformed JSON",
        Category::Data => "unexpected field types",
        Category::Io => "unreadable answer",
    };
    PlatformError::BadShape {
        platform: PLATFORM,
        detail: format!("{what} at line {} column {}", e.line(), e.column()),
    }
}

fn header_f64(headers: &reqwest::header::HeaderMap, name: &str) -> Option<f64> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    // Values behind these locks are replaced whole, so a poisoned lock still holds a
    // consistent value.
    lock.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
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

    #[test]
    fn shape_errors_never_quote_the_answer() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct T {
            n: u32,
        }
        let e = decode::<T>(br#"{"n": "secret-stream-key"}"#).expect_err("bad type");
        assert!(!e.to_string().contains("secret-stream-key"), "{e}");
    }
}
