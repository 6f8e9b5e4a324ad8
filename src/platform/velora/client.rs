//! The Velora HTTP client's core: headers, the shared rate limiter on `X-RateLimit-*`,
//! decoding answers into typed values or typed errors, and the token lifecycle (a refresh
//! before the one-hour expiry, one refresh and one retry on a refused token, the client
//! secret sent when configured, the new refresh token kept every time). The endpoints are
//! in `endpoints.rs`, the sign-in calls in `auth.rs`.

use super::config::VeloraConfig;
use super::errors;
use super::wire::{ErrorBody, TokenResponse, WireUser};
use crate::error::PlatformError;
use crate::model::{PlatformId, RateBudget};
use crate::platform::http::{
    self, Answer, Dialect, HttpCore, RateLimit, remaining_above_zero, retry_at, secs_until,
};
use crate::platform::locks::{lock, read, write};
use crate::platform::tokens::TokenPair;
use crate::secret::Secret;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

pub(crate) use crate::platform::http::Call;

pub(crate) const PLATFORM: PlatformId = PlatformId::Velora;

/// Velora's documented budget: 800 requests a minute (30 in its sandbox; the headers then
/// say so and the limiter follows them).
pub const DOCUMENTED_LIMIT_PER_MINUTE: u32 = 800;

/// Chat lines Velora takes per minute and user.
pub const CHAT_PER_MINUTE: u32 = 30;

/// The token endpoint, under the origin.
pub(crate) const TOKEN_PATH: &str = "api/developer/oauth/token";

http::platform_client! {
    /// A Velora client for one account. Cheap to clone: clones share tokens, the rate limiter,
    /// the chat budget and the connection pool.
    pub struct VeloraClient;
}

pub(crate) struct Inner {
    /// The API origin (no `/api`), the pool, the tokens and the limiter. The tokens are
    /// marked dead when Velora refused the refresh token: no call tries it again (a
    /// single-use token that failed once fails for ever) until new tokens are set or a
    /// token answer arrives.
    pub(crate) core: HttpCore,
    /// The authorize page.
    pub(crate) authorize_page: url::Url,
    /// The events stream's address.
    pub(crate) events_url: url::Url,
    /// How long the events stream may stay silent.
    pub(crate) events_silence: std::time::Duration,
    /// The scopes the last token answer granted, where it said.
    scopes: RwLock<Option<Vec<String>>>,
    /// When the chat lines of the last minute were sent (Velora takes 30 a minute).
    chat_sent: Mutex<VecDeque<Instant>>,
    /// The signed-in user, once asked.
    own_user: RwLock<Option<WireUser>>,
}

impl Dialect for VeloraClient {
    const AUTH_SCHEME: &'static str = "Bearer";

    fn check(&self, status: StatusCode, body: &[u8]) -> Result<(), PlatformError> {
        errors::TABLE.check(status, body)
    }

    fn rate_limit(&self, headers: &HeaderMap, body: &[u8]) -> RateLimit {
        let retry_after = ErrorBody::parse(body).and_then(|b| b.retry_after);
        let reset = retry_at(headers, retry_after, &["x-ratelimit-reset"]);
        if remaining_above_zero(headers, "x-ratelimit-remaining") {
            // The app's budget has requests left: this is a limit of one action (30 chat
            // lines or 60 moderation actions a minute), so the shared limiter is left alone
            // and only this call waits, if it may go again.
            RateLimit::Action {
                wait_secs: secs_until(reset).unwrap_or(1.0),
            }
        } else {
            RateLimit::Budget { reset }
        }
    }

    fn rate_limit_gave_up(
        &self,
        limit: RateLimit,
        _refused: PlatformError,
        body: &[u8],
        wait_secs: f64,
    ) -> PlatformError {
        let wait = wait_secs.ceil() as u64;
        match limit {
            RateLimit::Action { .. } => errors::action_limited(
                ErrorBody::parse(body).as_ref().and_then(ErrorBody::said),
                wait,
            ),
            _ => errors::rate_limited(Some(wait.max(1))),
        }
    }
}

impl VeloraClient {
    /// A client of Velora's API and its authorize page for `config`.
    pub fn new(config: VeloraConfig) -> Result<Self, PlatformError> {
        let core = HttpCore::new(PLATFORM, DOCUMENTED_LIMIT_PER_MINUTE, &config)?;
        Ok(VeloraClient {
            inner: Arc::new(Inner {
                core,
                authorize_page: config.authorize_page,
                events_url: config.events_url,
                events_silence: config.events_silence,
                scopes: RwLock::new(None),
                chat_sent: Mutex::new(VecDeque::new()),
                own_user: RwLock::new(None),
            }),
        })
    }

    /// Replaces the tokens, e.g. after a sign-in; forgets who was signed in.
    pub fn set_tokens(&self, tokens: TokenPair) {
        self.inner.core.tokens.replace(tokens);
        *write(&self.inner.own_user) = None;
        *write(&self.inner.scopes) = None;
        self.inner.core.tokens.mark_alive();
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

    /// The application's client ID.
    pub fn client_id(&self) -> &str {
        &self.inner.core.client_id
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

    /// Sends `call` and decodes the object inside a `data` (or other) wrapper when there is
    /// one.
    pub(crate) async fn call_unwrapped<T: DeserializeOwned>(
        &self,
        call: Call,
        keys: &[&str],
    ) -> Result<T, PlatformError> {
        let bytes = http::execute(self, &call).await?;
        let v: Value = decode(&bytes)?;
        serde_json::from_value(super::wire::unwrap_object(v, keys)).map_err(|e| {
            PlatformError::BadShape {
                platform: PLATFORM,
                detail: format!("unexpected field types ({})", http::category_words(&e)),
            }
        })
    }

    /// Sends a prepared request and reads the whole answer.
    pub(crate) async fn finish(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<Answer, PlatformError> {
        self.inner.core.finish(req).await
    }

    /// A JSON POST to the token endpoint: no token header; counted by the rate limiter.
    pub(crate) async fn post_token(&self, body: Value) -> Result<Answer, PlatformError> {
        self.inner.core.limiter.acquire().await;
        let req = self
            .inner
            .core
            .request(reqwest::Method::POST, &self.inner.core.url(TOKEN_PATH))
            .json(&body);
        let answer = self.finish(req).await?;
        self.inner.core.limiter.observe(&answer.1);
        Ok(answer)
    }

    /// Exchanges the refresh token for a new pair (`POST /api/developer/oauth/token`, JSON,
    /// `grant_type=refresh_token`, the client secret when one is configured). The new pair
    /// replaces the old one at once (Velora's refresh tokens may be single-use) and the
    /// listener is told. A refusal is final: "sign in to Velora again". 200 and 201 are
    /// both success.
    pub async fn refresh_now(&self) -> Result<TokenPair, PlatformError> {
        let refresh = self.inner.core.tokens.refresh_token()?;
        let mut body = json!({
            "grant_type": "refresh_token",
            "refresh_token": refresh.expose(),
            "client_id": self.inner.core.client_id,
        });
        if let Some(secret) = &self.inner.core.client_secret {
            body["client_secret"] = json!(secret.expose());
        }
        let (status, _, answer) = self.post_token(body).await?;
        if !status.is_success()
            && status.is_client_error()
            && status != StatusCode::TOO_MANY_REQUESTS
        {
            self.inner.core.tokens.mark_dead();
            let why = ErrorBody::parse(&answer)
                .and_then(|b| b.said())
                .unwrap_or_else(|| format!("HTTP {}", status.as_u16()));
            tracing::warn!("Velora refused the refresh token: {why}");
            return Err(crate::platform::http::sign_in_again(
                PLATFORM,
                &format!("its refresh was refused: {why}"),
            ));
        }
        errors::TABLE.check(status, &answer)?;
        let answer: TokenResponse = decode(&answer)?;
        let pair = self.take_token_answer(answer, Some(refresh))?;
        // Told after the scopes are noted and the refresh token revived, as before.
        self.inner.core.tokens.notify(&pair);
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
        let pair = TokenPair::from_answer(PLATFORM, answer, old_refresh)?;
        self.inner.core.tokens.replace(pair.clone());
        self.note_scopes(scopes);
        // A new pair brings a refresh token Velora has not refused.
        self.inner.core.tokens.mark_alive();
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

/// Decodes a successful answer; a shape error names where, never the value.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, PlatformError> {
    http::decode(PLATFORM, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::http::test_headers as headers;
    use crate::platform::ratelimit::RateLimiter;

    fn now() -> f64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64())
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
