//! The Twitch HTTP client's core: headers, the shared rate limiter on Helix's `Ratelimit-*`
//! headers, decoding answers into typed values or typed errors, and the token lifecycle
//! (refresh once on a refused token, without a client secret). The endpoints are in
//! `endpoints.rs`, the sign-in calls of id.twitch.tv in `auth.rs`.

use super::errors;
use super::wire::{ErrorBody, TokenResponse, WireUser};
use crate::config::TwitchConfig;
use crate::error::{ErrorKind, PlatformError};
use crate::model::{PlatformId, RateBudget};
use crate::platform::ratelimit::RateLimiter;
use crate::platform::tokens::{TokenHolder, TokenListener, TokenPair};
use crate::secret::Secret;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use time::OffsetDateTime;

pub(crate) const PLATFORM: PlatformId = PlatformId::Twitch;

/// Helix's documented budget: 800 points a minute (most calls cost one point).
pub const DOCUMENTED_LIMIT_PER_MINUTE: u32 = 800;

/// How many times a read waits out the rate limit before it gives up and reports it.
const RATE_LIMIT_RETRIES: u32 = 2;

/// A Twitch client for one account. Cheap to clone: clones share tokens, the rate limiter
/// and the connection pool.
#[derive(Clone)]
pub struct TwitchClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    /// The Helix base, `/helix` included, no trailing slash.
    pub(crate) helix: String,
    /// The id.twitch.tv origin, no trailing slash and no `/oauth2`.
    pub(crate) auth: String,
    /// The EventSub websocket chat is read from.
    pub(crate) eventsub: String,
    pub(crate) client_id: String,
    /// The pair, its expiry, the refresh gate and the listener. Marked dead when Twitch
    /// refused the refresh token: no call tries it again (a single-use token that failed
    /// once fails for ever) until new tokens are set.
    tokens: TokenHolder,
    limiter: Arc<RateLimiter>,
    pub(crate) timeout: Duration,
    /// The signed-in user, once asked.
    own_user: RwLock<Option<WireUser>>,
}

/// Whether a call may be sent again after the platform refused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retry {
    /// A read, or a write whose repetition changes nothing (PATCH, DELETE).
    Idempotent,
    /// Chat lines, bans, commercials: reported, never sent twice.
    Never,
}

/// A request body.
#[derive(Clone)]
pub(crate) enum Body {
    None,
    Json(Value),
}

/// One Helix call, described before it is sent so it can be sent again.
#[derive(Clone)]
pub(crate) struct Call {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Body,
    pub retry: Retry,
}

impl Call {
    pub fn get(path: impl Into<String>) -> Self {
        Call {
            method: Method::GET,
            path: path.into(),
            query: Vec::new(),
            body: Body::None,
            retry: Retry::Idempotent,
        }
    }

    pub fn with_body(method: Method, path: impl Into<String>, body: Value) -> Self {
        Call {
            method,
            body: Body::Json(body),
            ..Call::get(path)
        }
    }

    pub fn delete(path: impl Into<String>) -> Self {
        Call {
            method: Method::DELETE,
            ..Call::get(path)
        }
    }

    /// Never sent again after a refusal (rate limit or refused token).
    pub fn once(mut self) -> Self {
        self.retry = Retry::Never;
        self
    }

    pub fn query(mut self, key: &'static str, value: impl ToString) -> Self {
        self.query.push((key, value.to_string()));
        self
    }
}

impl TwitchClient {
    /// A client for `config`. The rate limiter is shared with every other client of the same
    /// client ID at the same Helix base.
    pub fn new(config: TwitchConfig) -> Result<Self, PlatformError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("Stagehand/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| PlatformError::Config {
                platform: PLATFORM,
                message: format!("could not set up HTTP: {e}"),
            })?;
        let helix = config.api_base.as_str().trim_end_matches('/').to_owned();
        let auth = config.auth_base.as_str().trim_end_matches('/').to_owned();
        let limiter = RateLimiter::shared(&helix, &config.client_id, DOCUMENTED_LIMIT_PER_MINUTE);
        Ok(TwitchClient {
            inner: Arc::new(Inner {
                http,
                helix,
                auth,
                eventsub: config.eventsub_url.to_string(),
                client_id: config.client_id,
                tokens: TokenHolder::new(PLATFORM, config.access_token, config.refresh_token),
                limiter,
                timeout: config.timeout,
                own_user: RwLock::new(None),
            }),
        })
    }

    /// Registers who to tell about refreshed tokens (the keyring keeps the newest refresh
    /// token: Twitch's may be single-use).
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

    /// The Helix base this client talks to.
    pub fn api_base(&self) -> &str {
        &self.inner.helix
    }

    /// The id.twitch.tv origin this client signs in with.
    pub fn auth_base(&self) -> &str {
        &self.inner.auth
    }

    /// The EventSub websocket this client reads chat from.
    pub fn eventsub_url(&self) -> &str {
        &self.inner.eventsub
    }

    /// The application's client ID.
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
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

    /// Sends `call` and ignores the body of a successful answer (204s).
    pub(crate) async fn call_unit(&self, call: Call) -> Result<(), PlatformError> {
        self.execute(&call).await.map(drop)
    }

    /// The retry loop: a refresh before a token about to lapse, the rate limit, one refresh
    /// and one retry on a refused token, rate-limited reads sent again after the wait.
    async fn execute(&self, call: &Call) -> Result<bytes::Bytes, PlatformError> {
        let mut refreshed = false;
        let mut rate_retries = 0;
        if self.inner.tokens.expires_soon() && self.can_refresh() {
            // Refresh before the token lapses rather than after a refused call. A failure
            // here is not final: the call still goes out and may find the token valid.
            refreshed = true;
            if let Some(Err(e)) = self
                .inner
                .tokens
                .refresh_before_lapse(|| self.refresh_now())
                .await
            {
                tracing::info!("refreshing a Twitch token about to lapse failed: {e}");
            }
        }
        loop {
            self.inner.limiter.acquire().await;
            let token = self.access_token()?;
            let (status, headers, body) = self.send_helix(call, &token).await?;
            self.inner.limiter.observe(&rate_headers(&headers));
            let Err(error) = errors::check(status, &body) else {
                return Ok(body);
            };
            match error.kind() {
                ErrorKind::TokenExpired if !refreshed && self.can_refresh() => {
                    refreshed = true;
                    self.refresh_after_refusal(&token, error).await?;
                    if call.retry == Retry::Never {
                        // Twitch refused the call before acting on it, but a write such as
                        // a chat line is never sent twice by Stagehand: the user decides.
                        return Err(PlatformError::Api {
                            platform: PLATFORM,
                            code: 401,
                            kind: ErrorKind::Other,
                            sentence: "Twitch refused the expired sign-in, so nothing was sent; the sign-in has been renewed: try again".into(),
                        });
                    }
                }
                ErrorKind::TokenExpired if self.inner.tokens.is_dead() => {
                    return Err(errors::sign_in_again("its refresh was refused"));
                }
                ErrorKind::RateLimited if points_left(&headers) => {
                    return Err(errors::cooldown(&body));
                }
                ErrorKind::RateLimited => {
                    self.inner
                        .limiter
                        .exhausted_until(rate_limit_reset(&headers));
                    if call.retry == Retry::Never || rate_retries >= RATE_LIMIT_RETRIES {
                        return Err(error);
                    }
                    rate_retries += 1;
                    tracing::info!(
                        path = %call.path,
                        wait_secs = self.inner.limiter.secs_to_reset(),
                        "Twitch rate limit reached; the read waits for the reset"
                    );
                }
                _ => return Err(error),
            }
        }
    }

    async fn send_helix(
        &self,
        call: &Call,
        token: &Secret,
    ) -> Result<(StatusCode, HeaderMap, bytes::Bytes), PlatformError> {
        let url = format!("{}/{}", self.inner.helix, call.path.trim_start_matches('/'));
        let mut req = self
            .inner
            .http
            .request(call.method.clone(), url)
            .timeout(self.inner.timeout)
            .header("Accept", "application/json")
            .header("Client-Id", &self.inner.client_id)
            .header(
                reqwest::header::AUTHORIZATION,
                auth_header("Bearer", token)?,
            );
        if !call.query.is_empty() {
            req = req.query(&call.query);
        }
        if let Body::Json(body) = &call.body {
            req = req.json(body);
        }
        tracing::debug!(method = %call.method, path = %call.path, "Twitch request");
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

    /// A form-encoded POST to id.twitch.tv (`/oauth2/...`); no token header, no rate limit
    /// (id.twitch.tv is outside Helix's budget).
    pub(crate) async fn post_form(
        &self,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> Result<(StatusCode, HeaderMap, bytes::Bytes), PlatformError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let req = self
            .inner
            .http
            .post(format!(
                "{}/{}",
                self.inner.auth,
                path.trim_start_matches('/')
            ))
            .timeout(self.inner.timeout)
            .header("Accept", "application/json")
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body);
        self.finish(req).await
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

    /// Records when the access token lapses, as `validate` reports it.
    pub(crate) fn note_expiry(&self, expires_at: Option<OffsetDateTime>) {
        self.inner.tokens.note_expiry(expires_at);
    }

    /// A refresh token is held and Twitch has not refused it (no client secret needed).
    pub(crate) fn can_refresh(&self) -> bool {
        self.inner.tokens.can_refresh()
    }

    /// Refreshes after Twitch refused `failed_with`, unless another call already did so
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

    /// Exchanges the refresh token for a new pair (`POST <auth>/oauth2/token`,
    /// `grant_type=refresh_token`, form-encoded, no client secret: Stagehand is a public
    /// client). The new pair replaces the old one at once (Twitch's refresh tokens may be
    /// single-use) and the listener is told. A refusal is final: "sign in to Twitch again".
    pub async fn refresh_now(&self) -> Result<TokenPair, PlatformError> {
        let refresh = self.inner.tokens.refresh_token()?;
        let (status, _, body) = self
            .post_form(
                "oauth2/token",
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh.expose()),
                    ("client_id", &self.inner.client_id),
                ],
            )
            .await?;
        if !status.is_success() {
            let probe: ErrorBody = serde_json::from_slice(&body).unwrap_or_default();
            if status.is_client_error() && status != StatusCode::TOO_MANY_REQUESTS {
                self.inner.tokens.mark_dead();
                let why = probe
                    .message
                    .filter(|m| !m.trim().is_empty())
                    .unwrap_or_else(|| format!("HTTP {}", status.as_u16()));
                tracing::warn!("Twitch refused the refresh token: {why}");
                return Err(errors::sign_in_again(&format!(
                    "its refresh was refused: {why}"
                )));
            }
            errors::check(status, &body)?;
        }
        errors::check(status, &body)?;
        let answer: TokenResponse = decode(&body)?;
        let pair = token_pair(answer, None)?;
        self.inner.tokens.store_refreshed(&pair);
        tracing::info!("Twitch access token refreshed");
        Ok(pair)
    }
}

/// The `Authorization` header for a token, marked sensitive so no debug output shows it.
pub(crate) fn auth_header(scheme: &str, token: &Secret) -> Result<HeaderValue, PlatformError> {
    let mut value =
        HeaderValue::from_str(&format!("{scheme} {}", token.expose())).map_err(|_| {
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

/// A token answer as a pair. Twitch always sends a new refresh token with a refresh and the
/// old one may be dead already; only an answer without one keeps `old_refresh`.
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

/// Helix's `Ratelimit-Limit/Remaining/Reset` under the names the shared limiter reads
/// (`x-ratelimit-*`), so one limiter serves every platform.
fn rate_headers(headers: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::new();
    for part in ["limit", "remaining", "reset"] {
        let value = headers
            .get(format!("ratelimit-{part}"))
            .or_else(|| headers.get(format!("x-ratelimit-{part}")));
        if let (Some(v), Ok(name)) = (
            value,
            HeaderName::from_bytes(format!("x-ratelimit-{part}").as_bytes()),
        ) {
            out.insert(name, v.clone());
        }
    }
    out
}

/// Whether a 429 came with points still left in the bucket: then it is not the rate limit
/// but a cooldown of one action (commercials), and the budget is untouched.
fn points_left(headers: &HeaderMap) -> bool {
    headers
        .get("ratelimit-remaining")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|r| r > 0)
}

/// When a refused read may go again, as epoch seconds: `Retry-After` (seconds) first, then
/// `Ratelimit-Reset` (epoch seconds).
fn rate_limit_reset(headers: &HeaderMap) -> Option<f64> {
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
    if let Some(secs) = num("retry-after") {
        // At least a second, so a `Retry-After: 0` is not read as "already past".
        return Some(now + secs.clamp(1.0, 60.0));
    }
    num("ratelimit-reset")
        .or_else(|| num("x-ratelimit-reset"))
        .map(|r| if r <= now { now + 1.0 } else { r })
}

/// Decodes a successful answer. The detail of a shape error names where, never the value
/// (which could be a token or a stream key).
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, PlatformError> {
    let body = if body.trim_ascii().is_empty() {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
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
    })
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

    #[test]
    fn helix_rate_headers_reach_the_shared_limiter() {
        let h = rate_headers(&headers(&[
            ("Ratelimit-Limit", "800"),
            ("Ratelimit-Remaining", "799"),
            ("Ratelimit-Reset", "1700000000"),
        ]));
        assert_eq!(
            h.get("x-ratelimit-limit").map(|v| v.as_bytes()),
            Some(&b"800"[..])
        );
        assert_eq!(h.len(), 3);
        let l = RateLimiter::new(800, Duration::from_secs(60));
        l.observe(&h);
        assert_eq!(l.budget().limit, 800);
    }

    #[test]
    fn retry_after_wins_over_the_reset_header() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let far = format!("{}", (now + 50.0) as u64);
        let at = rate_limit_reset(&headers(&[("Retry-After", "2"), ("Ratelimit-Reset", &far)]))
            .expect("a time");
        assert!(at - now < 5.0, "Retry-After first");
        let at = rate_limit_reset(&headers(&[("Ratelimit-Reset", &far)])).expect("a time");
        assert!(at - now > 40.0, "then the reset header");
        assert!(rate_limit_reset(&HeaderMap::new()).is_none());
    }

    #[test]
    fn a_refreshed_pair_takes_the_new_refresh_token() {
        let answer: TokenResponse = serde_json::from_str(
            r#"{"access_token":"new-a","refresh_token":"new-r","expires_in":14400}"#,
        )
        .expect("decodes");
        let pair = token_pair(answer, Some(Secret::new("old-r"))).expect("a pair");
        assert_eq!(pair.refresh.as_ref().map(Secret::expose), Some("new-r"));
        assert!(pair.expires_at.is_some());
        let answer: TokenResponse =
            serde_json::from_str(r#"{"refresh_token":"r"}"#).expect("decodes");
        assert!(token_pair(answer, None).is_err());
    }
}
