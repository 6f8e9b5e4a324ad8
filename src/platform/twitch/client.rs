//! The Twitch HTTP client's core: headers, the shared rate limiter on Helix's `Ratelimit-*`
//! headers, decoding answers into typed values or typed errors, and the token lifecycle
//! (refresh once on a refused token, without a client secret). The endpoints are in
//! `endpoints.rs`, the sign-in calls of id.twitch.tv in `auth.rs`.

use super::config::TwitchConfig;
use super::errors;
use super::wire::{ErrorBody, TokenResponse, WireUser};
use crate::error::PlatformError;
use crate::model::PlatformId;
use crate::platform::http::{
    self, Answer, Dialect, HttpCore, RateLimit, remaining_above_zero, retry_at,
};
use crate::platform::locks::{read, write};
use crate::platform::tokens::TokenPair;
use crate::secret::Secret;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName};
use serde::de::DeserializeOwned;
use std::borrow::Cow;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use time::OffsetDateTime;

pub(crate) use crate::platform::http::Call;

pub(crate) const PLATFORM: PlatformId = PlatformId::Twitch;

/// Helix's documented budget: 800 points a minute (most calls cost one point).
pub const DOCUMENTED_LIMIT_PER_MINUTE: u32 = 800;

http::platform_client! {
    /// A Twitch client for one account. Cheap to clone: clones share tokens, the rate limiter
    /// and the connection pool.
    pub struct TwitchClient;
}

pub(crate) struct Inner {
    /// The Helix base (`/helix` included), the pool, the tokens and the limiter. The
    /// tokens are marked dead when Twitch refused the refresh token: no call tries it
    /// again (a single-use token that failed once fails for ever) until new tokens are set.
    pub(crate) core: HttpCore,
    /// The id.twitch.tv origin, no trailing slash and no `/oauth2`.
    pub(crate) auth: String,
    /// The EventSub websocket chat is read from.
    pub(crate) eventsub: String,
    /// The signed-in user, once asked.
    own_user: RwLock<Option<WireUser>>,
}

impl Dialect for TwitchClient {
    const AUTH_SCHEME: &'static str = "Bearer";

    fn headers(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        req.header("Client-Id", &self.inner.core.client_id)
    }

    fn check(&self, status: StatusCode, body: &[u8]) -> Result<(), PlatformError> {
        errors::TABLE.check(status, body)
    }

    fn rate_headers<'h>(&self, headers: &'h HeaderMap) -> Cow<'h, HeaderMap> {
        Cow::Owned(rate_headers(headers))
    }

    fn rate_limit(&self, headers: &HeaderMap, _body: &[u8]) -> RateLimit {
        if remaining_above_zero(headers, "ratelimit-remaining") {
            // Points still left: not the rate limit but a cooldown of one action
            // (commercials), and the budget is untouched.
            RateLimit::Report
        } else {
            RateLimit::Budget {
                reset: retry_at(headers, None, &["ratelimit-reset", "x-ratelimit-reset"]),
            }
        }
    }

    fn rate_limit_gave_up(
        &self,
        limit: RateLimit,
        refused: PlatformError,
        body: &[u8],
        _wait_secs: f64,
    ) -> PlatformError {
        match limit {
            RateLimit::Report => errors::cooldown(body),
            _ => refused,
        }
    }
}

impl TwitchClient {
    /// A client of Helix, its id.twitch.tv sign-in and its EventSub socket for `config`.
    pub fn new(config: TwitchConfig) -> Result<Self, PlatformError> {
        let core = HttpCore::new(PLATFORM, DOCUMENTED_LIMIT_PER_MINUTE, &config)?;
        Ok(TwitchClient {
            inner: Arc::new(Inner {
                core,
                auth: config.auth_base.as_str().trim_end_matches('/').to_owned(),
                eventsub: config.eventsub_url.to_string(),
                own_user: RwLock::new(None),
            }),
        })
    }

    /// Replaces the tokens, e.g. after a sign-in; forgets who was signed in.
    pub fn set_tokens(&self, tokens: TokenPair) {
        self.inner.core.tokens.replace(tokens);
        *write(&self.inner.own_user) = None;
        self.inner.core.tokens.mark_alive();
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
        &self.inner.core.client_id
    }

    pub(crate) fn cached_own_user(&self) -> Option<WireUser> {
        read(&self.inner.own_user).clone()
    }

    pub(crate) fn cache_own_user(&self, user: &WireUser) {
        *write(&self.inner.own_user) = Some(user.clone());
    }

    /// Sends a prepared request and reads the whole answer.
    pub(crate) async fn finish(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<Answer, PlatformError> {
        self.inner.core.finish(req).await
    }

    /// How long one request (or the chat socket's opening) may take.
    pub(crate) fn request_timeout(&self) -> Duration {
        self.inner.core.timeout
    }

    /// A form-encoded POST to id.twitch.tv (`/oauth2/...`); no token header, no rate limit
    /// (id.twitch.tv is outside Helix's budget).
    pub(crate) async fn post_form(
        &self,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> Result<Answer, PlatformError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let url = format!("{}/{}", self.inner.auth, path.trim_start_matches('/'));
        let req = self
            .inner
            .core
            .request(reqwest::Method::POST, &url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body);
        self.finish(req).await
    }

    pub(crate) fn access_token(&self) -> Result<Secret, PlatformError> {
        self.inner.core.tokens.access_token()
    }

    /// Records when the access token lapses, as `validate` reports it.
    pub(crate) fn note_expiry(&self, expires_at: Option<OffsetDateTime>) {
        self.inner.core.tokens.note_expiry(expires_at);
    }

    /// A refresh token is held and Twitch has not refused it (no client secret needed).
    pub(crate) fn can_refresh(&self) -> bool {
        self.inner.core.tokens.can_refresh()
    }

    /// Refreshes after Twitch refused `failed_with`, unless another call already did so
    /// while this one waited for the gate (the retry loop's own step).
    pub(crate) async fn refresh_after_refusal(
        &self,
        failed_with: &Secret,
        original: PlatformError,
    ) -> Result<(), PlatformError> {
        http::refresh_after_refusal(self, failed_with, original).await
    }

    /// Exchanges the refresh token for a new pair (`POST <auth>/oauth2/token`,
    /// `grant_type=refresh_token`, form-encoded, no client secret: Stagehand is a public
    /// client). The new pair replaces the old one at once (Twitch's refresh tokens may be
    /// single-use) and the listener is told. A refusal is final: "sign in to Twitch again".
    pub async fn refresh_now(&self) -> Result<TokenPair, PlatformError> {
        let refresh = self.inner.core.tokens.refresh_token()?;
        let (status, _, body) = self
            .post_form(
                "oauth2/token",
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh.expose()),
                    ("client_id", &self.inner.core.client_id),
                ],
            )
            .await?;
        if !status.is_success() {
            let probe: ErrorBody = serde_json::from_slice(&body).unwrap_or_default();
            if status.is_client_error() && status != StatusCode::TOO_MANY_REQUESTS {
                self.inner.core.tokens.mark_dead();
                let why = probe
                    .message
                    .filter(|m| !m.trim().is_empty())
                    .unwrap_or_else(|| format!("HTTP {}", status.as_u16()));
                tracing::warn!("Twitch refused the refresh token: {why}");
                return Err(crate::platform::http::sign_in_again(
                    PLATFORM,
                    &format!("its refresh was refused: {why}"),
                ));
            }
            errors::TABLE.check(status, &body)?;
        }
        errors::TABLE.check(status, &body)?;
        let answer: TokenResponse = decode(&body)?;
        let pair = TokenPair::from_answer(PLATFORM, answer, None)?;
        self.inner.core.tokens.store_refreshed(&pair);
        tracing::info!("Twitch access token refreshed");
        Ok(pair)
    }
}

/// The `Authorization` header for a token, marked sensitive so no debug output shows it.
pub(crate) fn auth_header(
    scheme: &str,
    token: &Secret,
) -> Result<reqwest::header::HeaderValue, PlatformError> {
    http::auth_header(PLATFORM, scheme, token)
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

/// Decodes a successful answer; a shape error names where, never the value.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, PlatformError> {
    http::decode(PLATFORM, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::http::test_headers as headers;
    use crate::platform::ratelimit::RateLimiter;

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
}
