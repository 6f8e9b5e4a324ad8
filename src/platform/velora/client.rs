//! The Velora HTTP client's core: headers, the shared rate limiter on `X-RateLimit-*`,
//! decoding answers into typed values or typed errors, and the token lifecycle (a refresh
//! before the one-hour expiry, one refresh and one retry on a refused token, the client
//! secret sent when configured, the new refresh token kept every time). The endpoints are
//! in `endpoints.rs`, the sign-in calls in `auth.rs`.

use super::errors;
use super::wire::{ErrorBody, TokenResponse, WireUser};
use crate::config::VeloraConfig;
use crate::error::{ErrorKind, PlatformError};
use crate::model::{PlatformId, RateBudget};
use crate::platform::ratelimit::RateLimiter;
use crate::platform::tokens::{TokenHolder, TokenListener, TokenPair};
use crate::secret::Secret;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

pub(crate) const PLATFORM: PlatformId = PlatformId::Velora;

/// Velora's documented budget: 800 requests a minute (30 in its sandbox; the headers then
/// say so and the limiter follows them).
pub const DOCUMENTED_LIMIT_PER_MINUTE: u32 = 800;

/// Chat lines Velora takes per minute and user.
pub const CHAT_PER_MINUTE: u32 = 30;

/// How many times a read waits out the rate limit before it gives up and reports it.
const RATE_LIMIT_RETRIES: u32 = 2;

/// The token endpoint, under the origin.
pub(crate) const TOKEN_PATH: &str = "api/developer/oauth/token";

/// A Velora client for one account. Cheap to clone: clones share tokens, the rate limiter,
/// the chat budget and the connection pool.
#[derive(Clone)]
pub struct VeloraClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    /// The API origin, no trailing slash, no `/api`.
    pub(crate) origin: String,
    /// The authorize page.
    pub(crate) authorize_page: url::Url,
    pub(crate) client_id: String,
    pub(crate) client_secret: Option<Secret>,
    /// The pair, its expiry, the refresh gate and the listener. Marked dead when Velora
    /// refused the refresh token: no call tries it again (a single-use token that failed
    /// once fails for ever) until new tokens are set or a token answer arrives.
    tokens: TokenHolder,
    /// The scopes the last token answer granted, where it said.
    scopes: RwLock<Option<Vec<String>>>,
    limiter: Arc<RateLimiter>,
    /// When the chat lines of the last minute were sent (Velora takes 30 a minute).
    chat_sent: Mutex<VecDeque<Instant>>,
    pub(crate) timeout: Duration,
    /// The signed-in user, once asked.
    own_user: RwLock<Option<WireUser>>,
}

/// Whether a call may be sent again after the platform refused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retry {
    /// A read, or a write whose repetition changes nothing (the stream-info PUT).
    Idempotent,
    /// Chat lines, moderation, a new stream key: reported, never sent twice.
    Never,
}

/// Whether a call needs the user's token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Auth {
    /// Refused before sending when no token is held.
    Required,
    /// A public endpoint: the token goes along when there is one.
    Optional,
}

/// One Velora call, described before it is sent so it can be sent again.
#[derive(Clone)]
pub(crate) struct Call {
    pub method: Method,
    /// Under the origin, `api/...`.
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Value>,
    pub retry: Retry,
    pub auth: Auth,
}

impl Call {
    pub fn get(path: impl Into<String>) -> Self {
        Call {
            method: Method::GET,
            path: path.into(),
            query: Vec::new(),
            body: None,
            retry: Retry::Idempotent,
            auth: Auth::Required,
        }
    }

    pub fn with_body(method: Method, path: impl Into<String>, body: Value) -> Self {
        Call {
            method,
            body: Some(body),
            ..Call::get(path)
        }
    }

    /// Never sent again after a refusal (rate limit or refused token).
    pub fn once(mut self) -> Self {
        self.retry = Retry::Never;
        self
    }

    /// A public endpoint: sent without a token when none is held.
    pub fn public(mut self) -> Self {
        self.auth = Auth::Optional;
        self
    }

    pub fn query(mut self, key: &'static str, value: impl ToString) -> Self {
        self.query.push((key, value.to_string()));
        self
    }
}

impl VeloraClient {
    /// A client for `config`. The rate limiter is shared with every other client of the same
    /// client ID at the same origin.
    pub fn new(config: VeloraConfig) -> Result<Self, PlatformError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("Stagehand/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| PlatformError::Config {
                platform: PLATFORM,
                message: format!("could not set up HTTP: {e}"),
            })?;
        let origin = config.api_base.as_str().trim_end_matches('/').to_owned();
        let limiter = RateLimiter::shared(&origin, &config.client_id, DOCUMENTED_LIMIT_PER_MINUTE);
        Ok(VeloraClient {
            inner: Arc::new(Inner {
                http,
                origin,
                authorize_page: config.authorize_page,
                client_id: config.client_id,
                client_secret: config.client_secret.filter(|s| !s.is_empty()),
                tokens: TokenHolder::new(PLATFORM, config.access_token, config.refresh_token),
                scopes: RwLock::new(None),
                limiter,
                chat_sent: Mutex::new(VecDeque::new()),
                timeout: config.timeout,
                own_user: RwLock::new(None),
            }),
        })
    }

    /// Registers who to tell about refreshed tokens (the keyring keeps the newest refresh
    /// token: Velora's may be single-use).
    pub fn on_tokens_refreshed(&self, listener: TokenListener) {
        self.inner.tokens.set_listener(listener);
    }

    /// The tokens held now (after any refresh).
    pub fn tokens(&self) -> TokenPair {
        self.inner.tokens.pair()
    }

    /// Replaces the tokens, e.g. after a sign-in; forgets who was signed in.
    pub fn set_tokens(&self, tokens: TokenPair) {
        self.inner.tokens.replace(tokens);
        *write(&self.inner.own_user) = None;
        *write(&self.inner.scopes) = None;
        self.inner.tokens.mark_alive();
    }

    /// Whether an access token is held at all.
    pub fn has_user_token(&self) -> bool {
        self.inner.tokens.has_access()
    }

    /// The rate-limit budget left for this client ID.
    pub fn rate_budget(&self) -> RateBudget {
        self.inner.limiter.budget()
    }

    /// The chat budget: Velora takes 30 lines a minute; `remaining` is what is left of the
    /// last minute, `resets_at` when the oldest line of it stops counting.
    pub fn chat_budget(&self) -> RateBudget {
        let mut sent = lock(&self.inner.chat_sent);
        let now = Instant::now();
        while sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
        {
            sent.pop_front();
        }
        let used = sent.len() as u32;
        let resets_at = sent.front().map(|t| {
            let left = Duration::from_secs(60).saturating_sub(now.duration_since(*t));
            OffsetDateTime::now_utc() + left
        });
        RateBudget {
            limit: CHAT_PER_MINUTE,
            remaining: CHAT_PER_MINUTE.saturating_sub(used),
            resets_at,
        }
    }

    /// Counts a chat line the platform took.
    pub(crate) fn note_chat_sent(&self) {
        lock(&self.inner.chat_sent).push_back(Instant::now());
    }

    /// The API origin this client talks to.
    pub fn api_base(&self) -> &str {
        &self.inner.origin
    }

    /// The application's client ID.
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// The scopes the last sign-in or refresh granted, where Velora said.
    pub fn granted_scopes(&self) -> Option<Vec<String>> {
        read(&self.inner.scopes).clone()
    }

    pub(crate) fn cached_own_user(&self) -> Option<WireUser> {
        read(&self.inner.own_user).clone()
    }

    pub(crate) fn cache_own_user(&self, user: &WireUser) {
        *write(&self.inner.own_user) = Some(user.clone());
    }

    /// Sends `call` and decodes a typed answer.
    pub(crate) async fn call<T: DeserializeOwned>(&self, call: Call) -> Result<T, PlatformError> {
        let bytes = self.execute(&call).await?;
        decode(&bytes)
    }

    /// Sends `call` and decodes the object inside a `data` (or other) wrapper when there is
    /// one.
    pub(crate) async fn call_unwrapped<T: DeserializeOwned>(
        &self,
        call: Call,
        keys: &[&str],
    ) -> Result<T, PlatformError> {
        let bytes = self.execute(&call).await?;
        let v: Value = decode(&bytes)?;
        serde_json::from_value(super::wire::unwrap_object(v, keys)).map_err(|e| {
            PlatformError::BadShape {
                platform: PLATFORM,
                detail: format!("unexpected field types ({})", e.classify_name()),
            }
        })
    }

    /// The retry loop: a refresh before a token about to lapse, the rate limit, one refresh
    /// and one retry on a refused token, rate-limited reads sent again after the wait.
    async fn execute(&self, call: &Call) -> Result<bytes::Bytes, PlatformError> {
        let mut refreshed = false;
        let mut rate_retries = 0;
        if self.has_user_token() && self.inner.tokens.expires_soon() && self.can_refresh() {
            // Refresh before the token lapses rather than after a refused call. A failure
            // here is not final: the call still goes out and may find the token valid.
            refreshed = true;
            if let Some(Err(e)) = self
                .inner
                .tokens
                .refresh_before_lapse(|| self.refresh_now())
                .await
            {
                tracing::info!("refreshing a Velora token about to lapse failed: {e}");
            }
        }
        loop {
            self.inner.limiter.acquire().await;
            let token = match call.auth {
                Auth::Required => Some(self.access_token()?),
                Auth::Optional => self.inner.tokens.access(),
            };
            let (status, headers, body) = self.send(call, token.as_ref()).await?;
            self.inner.limiter.observe(&headers);
            let Err(error) = errors::check(status, &body) else {
                return Ok(body);
            };
            match error.kind() {
                ErrorKind::TokenExpired if !refreshed && self.can_refresh() && token.is_some() => {
                    refreshed = true;
                    let failed_with = token.clone().unwrap_or_else(|| Secret::new(""));
                    self.refresh_after_refusal(&failed_with, error).await?;
                    if call.retry == Retry::Never {
                        // Velora refused the call before acting on it, but a write such as
                        // a chat line is never sent twice by Stagehand: the user decides.
                        return Err(errors::api(
                            401,
                            ErrorKind::Other,
                            "Velora refused the expired sign-in, so nothing was done; the sign-in has been renewed: try again".into(),
                        ));
                    }
                }
                ErrorKind::TokenExpired if self.inner.tokens.is_dead() => {
                    return Err(errors::sign_in_again("its refresh was refused"));
                }
                ErrorKind::RateLimited if budget_left(&headers) => {
                    // The app's budget has requests left: this is a limit of one action
                    // (30 chat lines or 60 moderation actions a minute), so the shared
                    // limiter is left alone and only this call waits, if it may go again.
                    let probe = ErrorBody::parse(&body);
                    let reset =
                        rate_limit_reset(&headers, probe.as_ref().and_then(|b| b.retry_after));
                    let wait = secs_until(reset).unwrap_or(1.0);
                    if call.retry == Retry::Never || rate_retries >= RATE_LIMIT_RETRIES {
                        return Err(errors::action_limited(
                            probe.as_ref().and_then(ErrorBody::said),
                            wait.ceil() as u64,
                        ));
                    }
                    rate_retries += 1;
                    tokio::time::sleep(Duration::from_secs_f64(wait.clamp(0.05, 60.0))).await;
                }
                ErrorKind::RateLimited => {
                    let retry_after = ErrorBody::parse(&body).and_then(|b| b.retry_after);
                    self.inner
                        .limiter
                        .exhausted_until(rate_limit_reset(&headers, retry_after));
                    if call.retry == Retry::Never || rate_retries >= RATE_LIMIT_RETRIES {
                        let wait = self.inner.limiter.secs_to_reset().ceil() as u64;
                        return Err(errors::rate_limited(Some(wait.max(1))));
                    }
                    rate_retries += 1;
                    tracing::info!(
                        path = %call.path,
                        wait_secs = self.inner.limiter.secs_to_reset(),
                        "Velora rate limit reached; the read waits for the reset"
                    );
                }
                _ => return Err(error),
            }
        }
    }

    async fn send(
        &self,
        call: &Call,
        token: Option<&Secret>,
    ) -> Result<(StatusCode, HeaderMap, bytes::Bytes), PlatformError> {
        let url = format!(
            "{}/{}",
            self.inner.origin,
            call.path.trim_start_matches('/')
        );
        let mut req = self
            .inner
            .http
            .request(call.method.clone(), url)
            .timeout(self.inner.timeout)
            .header("Accept", "application/json");
        if let Some(token) = token {
            req = req.header(reqwest::header::AUTHORIZATION, bearer(token)?);
        }
        if !call.query.is_empty() {
            req = req.query(&call.query);
        }
        if let Some(body) = &call.body {
            req = req.json(body);
        }
        tracing::debug!(method = %call.method, path = %call.path, "Velora request");
        self.finish(req).await
    }

    /// Sends a prepared request and reads the whole answer.
    pub(crate) async fn finish(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<(StatusCode, HeaderMap, bytes::Bytes), PlatformError> {
        let resp = req.send().await.map_err(|e| self.transport_error(&e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(|e| self.transport_error(&e))?;
        Ok((status, headers, body))
    }

    /// A JSON POST to the token endpoint: no token header; counted by the rate limiter.
    pub(crate) async fn post_token(
        &self,
        body: Value,
    ) -> Result<(StatusCode, HeaderMap, bytes::Bytes), PlatformError> {
        self.inner.limiter.acquire().await;
        let req = self
            .inner
            .http
            .post(format!("{}/{TOKEN_PATH}", self.inner.origin))
            .timeout(self.inner.timeout)
            .header("Accept", "application/json")
            .json(&body);
        let answer = self.finish(req).await?;
        self.inner.limiter.observe(&answer.1);
        Ok(answer)
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

    pub(crate) fn access_token(&self) -> Result<Secret, PlatformError> {
        self.inner.tokens.access_token()
    }

    /// A refresh token is held and Velora has not refused it (the client secret is
    /// optional).
    pub(crate) fn can_refresh(&self) -> bool {
        self.inner.tokens.can_refresh()
    }

    /// Refreshes after Velora refused `failed_with`, unless another call already did so
    /// while this one waited for the gate.
    pub(crate) async fn refresh_after_refusal(
        &self,
        failed_with: &Secret,
        original: PlatformError,
    ) -> Result<(), PlatformError> {
        self.inner
            .tokens
            .refresh_after_refusal(failed_with, original, || self.refresh_now())
            .await
    }

    /// Exchanges the refresh token for a new pair (`POST /api/developer/oauth/token`, JSON,
    /// `grant_type=refresh_token`, the client secret when one is configured). The new pair
    /// replaces the old one at once (Velora's refresh tokens may be single-use) and the
    /// listener is told. A refusal is final: "sign in to Velora again". 200 and 201 are
    /// both success.
    pub async fn refresh_now(&self) -> Result<TokenPair, PlatformError> {
        let refresh = self.inner.tokens.refresh_token()?;
        let mut body = json!({
            "grant_type": "refresh_token",
            "refresh_token": refresh.expose(),
            "client_id": self.inner.client_id,
        });
        if let Some(secret) = &self.inner.client_secret {
            body["client_secret"] = json!(secret.expose());
        }
        let (status, _, answer) = self.post_token(body).await?;
        if !status.is_success()
            && status.is_client_error()
            && status != StatusCode::TOO_MANY_REQUESTS
        {
            self.inner.tokens.mark_dead();
            let why = ErrorBody::parse(&answer)
                .and_then(|b| b.said())
                .unwrap_or_else(|| format!("HTTP {}", status.as_u16()));
            tracing::warn!("Velora refused the refresh token: {why}");
            return Err(errors::sign_in_again(&format!(
                "its refresh was refused: {why}"
            )));
        }
        errors::check(status, &answer)?;
        let answer: TokenResponse = decode(&answer)?;
        let pair = self.take_token_answer(answer, Some(refresh))?;
        // Told after the scopes are noted and the refresh token revived, as before.
        self.inner.tokens.notify(&pair);
        tracing::info!("Velora access token refreshed");
        Ok(pair)
    }

    /// Holds the pair of a token answer (and its scopes). An answer without a refresh token
    /// keeps `old_refresh`; one with a new refresh token always takes it.
    pub(crate) fn take_token_answer(
        &self,
        answer: TokenResponse,
        old_refresh: Option<Secret>,
    ) -> Result<TokenPair, PlatformError> {
        let scopes = answer.scope.clone();
        let pair = token_pair(answer, old_refresh)?;
        self.inner.tokens.replace(pair.clone());
        self.note_scopes(scopes);
        // A new pair brings a refresh token Velora has not refused.
        self.inner.tokens.mark_alive();
        Ok(pair)
    }

    /// Remembers the scopes a token answer granted, when it said.
    pub(crate) fn note_scopes(&self, scopes: Option<Vec<String>>) {
        if scopes.is_some() {
            *write(&self.inner.scopes) = scopes;
        }
    }

    /// Forgets the tokens (sign-out).
    pub(crate) fn forget_tokens(&self) {
        self.set_tokens(TokenPair::default());
    }
}

/// The `Authorization: Bearer` header for a token, marked sensitive so no debug output
/// shows it.
pub(crate) fn bearer(token: &Secret) -> Result<HeaderValue, PlatformError> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
        PlatformError::Config {
            platform: PLATFORM,
            message: format!(
                "the access token has characters a header cannot carry: {}",
                errors::SIGN_IN_AGAIN
            ),
        }
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// A token answer as a pair: the new refresh token when there is one (the old one may be
/// dead already), else `old_refresh`; the expiry from `expires_in` (Velora: 3600 s).
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
        expires_at: answer.expires_in.filter(|&s| s > 0).and_then(|secs| {
            OffsetDateTime::now_utc().checked_add(time::Duration::seconds(secs as i64))
        }),
    })
}

/// Whether a 429 came with requests still left in the app's budget
/// (`X-RateLimit-Remaining` above 0): then it is a limit of one action, not the budget.
fn budget_left(headers: &HeaderMap) -> bool {
    headers
        .get("x-ratelimit-remaining")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .is_some_and(|r| r.is_finite() && r >= 1.0)
}

/// Seconds from now until `at` (epoch seconds), at least zero.
fn secs_until(at: Option<f64>) -> Option<f64> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    at.map(|at| (at - now).max(0.0))
}

/// When a refused call may go again, as epoch seconds: `Retry-After` (seconds) first, then
/// the body's `retry_after`, then `X-RateLimit-Reset` (epoch seconds).
pub(crate) fn rate_limit_reset(headers: &HeaderMap, body_retry_after: Option<u64>) -> Option<f64> {
    let num = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    if let Some(secs) = num("retry-after").or(body_retry_after.map(|s| s as f64)) {
        // At least a second, so a `Retry-After: 0` is not read as "already past".
        return Some(now + secs.clamp(1.0, 60.0));
    }
    num("x-ratelimit-reset").map(|r| if r <= now { now + 1.0 } else { r })
}

/// Decodes a successful answer. The detail of a shape error names where, never the value
/// (which could be a token or a stream key).
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, PlatformError> {
    let body = if body.trim_ascii().is_empty() {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| PlatformError::BadShape {
        platform: PLATFORM,
        detail: format!(
            "{} at line {} column {}",
            e.classify_name(),
            e.line(),
            e.column()
        ),
    })
}

pub(crate) trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        use serde_json::error::Category;
        match self.classify() {
            Category::Syntax | Category::Eof => "malformed JSON",
            Category::Data => "unexpected field types",
            Category::Io => "unreadable answer",
        }
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    // Values behind these locks are replaced whole, so a poisoned lock still holds a
    // consistent value.
    lock.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderName;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                HeaderName::from_bytes(k.as_bytes()).expect("name"),
                HeaderValue::from_str(v).expect("value"),
            );
        }
        h
    }

    fn now() -> f64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64())
    }

    #[test]
    fn retry_after_wins_then_the_body_then_the_reset_header() {
        let far = format!("{}", (now() + 50.0) as u64);
        let at = rate_limit_reset(
            &headers(&[("Retry-After", "2"), ("X-RateLimit-Reset", &far)]),
            Some(30),
        )
        .expect("a time");
        assert!(at - now() < 5.0, "Retry-After first");
        let at =
            rate_limit_reset(&headers(&[("X-RateLimit-Reset", &far)]), Some(3)).expect("a time");
        assert!(at - now() < 5.0, "then the body's retry_after");
        let at = rate_limit_reset(&headers(&[("X-RateLimit-Reset", &far)]), None).expect("a time");
        assert!(at - now() > 40.0, "then the reset header (epoch seconds)");
        assert!(rate_limit_reset(&HeaderMap::new(), None).is_none());
    }

    #[test]
    fn velora_rate_headers_feed_the_shared_limiter_as_they_are() {
        let l = RateLimiter::new(800, Duration::from_secs(60));
        let reset = format!("{}", (now() + 30.0) as u64);
        l.observe(&headers(&[
            ("X-RateLimit-Limit", "30"),
            ("X-RateLimit-Remaining", "29"),
            ("X-RateLimit-Reset", &reset),
        ]));
        let b = l.budget();
        assert_eq!((b.limit, b.remaining), (30, 29));
    }

    #[test]
    fn a_refreshed_pair_takes_the_new_refresh_token_and_the_hour() {
        let answer: TokenResponse = serde_json::from_str(
            r#"{"access_token":"new-a","refresh_token":"new-r","expires_in":3600}"#,
        )
        .expect("decodes");
        let pair = token_pair(answer, Some(Secret::new("old-r"))).expect("a pair");
        assert_eq!(pair.refresh.as_ref().map(Secret::expose), Some("new-r"));
        let left = pair.expires_at.expect("an expiry") - OffsetDateTime::now_utc();
        assert!(left > time::Duration::minutes(59) && left <= time::Duration::hours(1));
        let answer: TokenResponse =
            serde_json::from_str(r#"{"access_token":"a2"}"#).expect("decodes");
        let pair = token_pair(answer, Some(Secret::new("old-r"))).expect("a pair");
        assert_eq!(pair.refresh.as_ref().map(Secret::expose), Some("old-r"));
        let answer: TokenResponse =
            serde_json::from_str(r#"{"refresh_token":"r"}"#).expect("decodes");
        assert!(token_pair(answer, None).is_err());
    }

    #[test]
    fn the_bearer_header_is_sensitive() {
        let h = bearer(&Secret::new("tok")).expect("a header");
        assert!(h.is_sensitive());
        assert_eq!(h.to_str().ok(), Some("Bearer tok"));
        assert!(bearer(&Secret::new("bad\ntoken")).is_err());
    }

    #[test]
    fn the_chat_budget_counts_the_last_minute() {
        let config = VeloraConfig::new(
            "http://127.0.0.1:9",
            "http://127.0.0.1:9/oauth/authorize",
            "cid",
        )
        .expect("config");
        let c = VeloraClient::new(config).expect("client");
        assert_eq!(c.chat_budget().remaining, CHAT_PER_MINUTE);
        assert!(c.chat_budget().resets_at.is_none());
        c.note_chat_sent();
        c.clone().note_chat_sent();
        let b = c.chat_budget();
        assert_eq!((b.limit, b.remaining), (30, 28), "clones share the budget");
        assert!(b.resets_at.is_some());
    }
}
