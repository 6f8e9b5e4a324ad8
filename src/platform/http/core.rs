//! The send path: the per-client core (connection pool, base URL, tokens, rate limiter),
//! the dialect each platform supplies, and the one retry loop.

use super::call::{Call, Retry, TokenUse};
use super::errors::{refused_write_not_resent, sign_in_again, transport_error};
use crate::error::{ErrorKind, PlatformError};
use crate::model::PlatformId;
use crate::platform::ratelimit::RateLimiter;
use crate::platform::tokens::{TokenHolder, TokenPair};
use crate::secret::Secret;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// How many times a rate-limited read waits and goes again before it reports the limit.
const RATE_LIMIT_RETRIES: u32 = 2;

/// An answer read whole: status, headers and body.
pub(crate) type Answer = (StatusCode, HeaderMap, bytes::Bytes);

/// A refresh in flight, boxed: a refresh may itself be a call through the retry loop.
pub(crate) type RefreshFuture<'a> =
    Pin<Box<dyn Future<Output = Result<TokenPair, PlatformError>> + Send + 'a>>;

/// What one client of one platform holds for sending: shared by the client's clones.
pub(crate) struct HttpCore {
    pub(crate) platform: PlatformId,
    pub(crate) http: reqwest::Client,
    /// The API base, no trailing slash.
    pub(crate) base: String,
    /// The pair, its expiry, the refresh gate and the listener.
    pub(crate) tokens: TokenHolder,
    /// Shared with every client of the same client ID at the same base.
    pub(crate) limiter: Arc<RateLimiter>,
    /// How long one request may take.
    pub(crate) timeout: Duration,
    /// The application's client ID: a header on some platforms, a token-request field on
    /// others, and the limiter's key everywhere.
    pub(crate) client_id: String,
    /// The application's client secret where the platform's refresh needs one (never an
    /// empty one: an empty secret is no secret).
    pub(crate) client_secret: Option<Secret>,
}

/// What a core is built from, read off each platform's configuration (every one has these
/// fields by the same names: `config::client_settings!` implements this for them).
pub(crate) trait ClientSettings {
    /// The API base, validated.
    fn api_base(&self) -> &url::Url;
    /// The application's client ID (the rate limiter's key with the base).
    fn client_id(&self) -> &str;
    /// How long one request may take.
    fn timeout(&self) -> Duration;
    /// The tokens the client starts with: access, refresh.
    fn tokens(&self) -> (Option<Secret>, Option<Secret>);
    /// The application's client secret, where the platform's sign-in has one.
    fn client_secret(&self) -> Option<Secret> {
        None
    }
}

impl HttpCore {
    /// A core for one account of `platform`: its own connection pool, the limiter shared
    /// with every client of the same client ID at the same base (starting from the
    /// platform's documented budget a minute until its headers say otherwise).
    pub(crate) fn new(
        platform: PlatformId,
        documented_limit: u32,
        settings: &impl ClientSettings,
    ) -> Result<Self, PlatformError> {
        let timeout = settings.timeout();
        let http = reqwest::Client::builder()
            .user_agent(concat!("Stagehand/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| PlatformError::Config {
                platform,
                message: format!("could not set up HTTP: {e}"),
            })?;
        let base = settings
            .api_base()
            .as_str()
            .trim_end_matches('/')
            .to_owned();
        let limiter = RateLimiter::shared(&base, settings.client_id(), documented_limit);
        let (access, refresh) = settings.tokens();
        Ok(HttpCore {
            platform,
            http,
            tokens: TokenHolder::new(platform, access, refresh),
            limiter,
            timeout,
            base,
            client_id: settings.client_id().to_owned(),
            client_secret: settings.client_secret().filter(|s| !s.is_empty()),
        })
    }

    /// A request to `url` with the timeout and `Accept: application/json`.
    pub(crate) fn request(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, url)
            .timeout(self.timeout)
            .header("Accept", "application/json")
    }

    /// `path` under the API base.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base, path.trim_start_matches('/'))
    }

    /// Sends a prepared request and reads the whole answer.
    pub(crate) async fn finish(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<Answer, PlatformError> {
        let resp = req.send().await.map_err(|e| self.transport_error(&e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(|e| self.transport_error(&e))?;
        Ok((status, headers, body))
    }

    /// A transport failure in words, for this platform.
    pub(crate) fn transport_error(&self, e: &reqwest::Error) -> PlatformError {
        transport_error(self.platform, self.timeout, e)
    }
}

/// What a 429 means on a platform.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum RateLimit {
    /// The app's shared budget is spent: every call waits until `reset` (epoch seconds).
    Budget { reset: Option<f64> },
    /// A limit of one action while the budget has requests left: only this call waits.
    Action { wait_secs: f64 },
    /// Nothing to wait for here (a cooldown the platform explains): reported as it is.
    Report,
}

/// What a platform adds to the shared send path.
/// The plumbing every client has, written once by `platform_client!`: the core it
/// sends through and its refresh (its `refresh_now`).
pub(crate) trait ClientCore: Sync {
    /// The core this client sends through.
    fn core(&self) -> &HttpCore;

    /// Exchanges the refresh token for a new pair, keeps it and tells the listener.
    fn refresh(&self) -> RefreshFuture<'_>;
}

pub(crate) trait Dialect: ClientCore {
    /// The word before the token in `Authorization` (`Bearer`, Trovo's `OAuth`).
    const AUTH_SCHEME: &'static str;
    /// Whether a write refused for its expired token goes again after the refresh. Trovo
    /// refuses before acting and its writes have always been resent; elsewhere the user
    /// decides.
    const RESENDS_REFUSED_WRITES: bool = false;

    /// Adds the platform's own headers (its client ID) to every call.
    fn headers(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        req
    }

    /// Turns an answer into an error when it is one, as the platform signals errors.
    fn check(&self, status: StatusCode, body: &[u8]) -> Result<(), PlatformError>;

    /// The rate-limit headers under the names the shared limiter reads (`x-ratelimit-*`).
    fn rate_headers<'h>(&self, headers: &'h HeaderMap) -> Cow<'h, HeaderMap> {
        Cow::Borrowed(headers)
    }

    /// What a rate-limit refusal means, read from its headers and body.
    fn rate_limit(&self, headers: &HeaderMap, body: &[u8]) -> RateLimit;

    /// The error a rate-limited call reports when it gives up (a write, or a read out of
    /// retries); `refused` is what `check` made of the answer.
    fn rate_limit_gave_up(
        &self,
        _limit: RateLimit,
        refused: PlatformError,
        _body: &[u8],
        _wait_secs: f64,
    ) -> PlatformError {
        refused
    }

    /// Whether a refresh can be tried now (a refresh token held and not refused, and
    /// whatever else the platform's refresh needs).
    fn can_refresh(&self) -> bool {
        self.core().tokens.can_refresh()
    }

    /// The error a call refused for its token reports when the refresh failed with
    /// `failed`: a refused refresh is final, anything else reports the refusal itself.
    fn refresh_failed(&self, failed: PlatformError, refused: PlatformError) -> PlatformError {
        if failed.kind() == ErrorKind::Auth {
            failed
        } else {
            tracing::info!("{} token refresh failed: {failed}", self.core().platform);
            refused
        }
    }
}

/// Sends `call` through the retry loop and returns the body of a successful answer: a
/// refresh before a token about to lapse, the rate limit, one refresh and one retry on a
/// refused token (a write is never sent twice unless the dialect says the platform did not
/// act), rate-limited reads sent again after the wait.
pub(crate) async fn execute<D: Dialect>(
    dialect: &D,
    call: &Call,
) -> Result<bytes::Bytes, PlatformError> {
    let core = dialect.core();
    let mut refreshed = false;
    let mut rate_retries = 0;
    if call.token != TokenUse::None
        && call.refresh
        && core.tokens.has_access()
        && core.tokens.expires_soon()
        && dialect.can_refresh()
    {
        // Refresh before the token lapses rather than after a refused call. A failure here
        // is not final: the call still goes out and may find the token valid.
        refreshed = true;
        if let Some(Err(e)) = core.tokens.refresh_before_lapse(|| dialect.refresh()).await {
            tracing::info!(
                "refreshing a {} token about to lapse failed: {e}",
                core.platform
            );
        }
    }
    loop {
        core.limiter.acquire().await;
        let token = match call.token {
            TokenUse::User => Some(core.tokens.access_token()?),
            TokenUse::Optional => core.tokens.access(),
            TokenUse::None => None,
        };
        let (status, headers, body) = send(dialect, call, token.as_ref()).await?;
        core.limiter.observe(&dialect.rate_headers(&headers));
        let Err(error) = dialect.check(status, &body) else {
            return Ok(body);
        };
        let give_up = call.retry == Retry::Never || rate_retries >= RATE_LIMIT_RETRIES;
        match (error.kind(), &token) {
            (ErrorKind::TokenExpired, sent_with) => {
                let may_refresh = call.refresh && !refreshed;
                refreshed |= may_refresh;
                refresh_refused_token(dialect, may_refresh, sent_with.as_ref(), error).await?;
                if call.retry == Retry::Never && !D::RESENDS_REFUSED_WRITES {
                    return Err(refused_write_not_resent(core.platform));
                }
            }
            (ErrorKind::RateLimited, _) => match dialect.rate_limit(&headers, &body) {
                RateLimit::Report => {
                    return Err(dialect.rate_limit_gave_up(RateLimit::Report, error, &body, 0.0));
                }
                limit @ RateLimit::Budget { reset } => {
                    core.limiter.exhausted_until(reset);
                    if give_up {
                        let wait = core.limiter.secs_to_reset();
                        return Err(dialect.rate_limit_gave_up(limit, error, &body, wait));
                    }
                    rate_retries += 1;
                    tracing::info!(
                        platform = %core.platform,
                        path = %call.path,
                        wait_secs = core.limiter.secs_to_reset(),
                        "rate limit reached; the read waits for the reset"
                    );
                }
                limit @ RateLimit::Action { wait_secs } => {
                    if give_up {
                        return Err(dialect.rate_limit_gave_up(limit, error, &body, wait_secs));
                    }
                    rate_retries += 1;
                    tokio::time::sleep(Duration::from_secs_f64(wait_secs.clamp(0.05, 60.0))).await;
                }
            },
            _ => return Err(error),
        }
    }
}

/// What a token the platform refused means for a request that may go again: `Ok` once a
/// refresh (allowed by `may_refresh`, and by the dialect) gave a new token to send with;
/// else the words to sign in again when the refresh token is dead, or `refused` itself.
/// The one rule for calls (`execute`) and event streams alike.
pub(crate) async fn refresh_refused_token<D: Dialect>(
    dialect: &D,
    may_refresh: bool,
    sent_with: Option<&Secret>,
    refused: PlatformError,
) -> Result<(), PlatformError> {
    let core = dialect.core();
    match sent_with {
        Some(sent_with) if may_refresh && dialect.can_refresh() => {
            refresh_after_refusal(dialect, sent_with, refused).await
        }
        _ if core.tokens.is_dead() => Err(sign_in_again(core.platform, "its refresh was refused")),
        _ => Err(refused),
    }
}

/// Refreshes after the platform refused `sent_with` (unless another call already did
/// while this one waited for the gate): `Ok` to send again, else what the dialect makes of
/// the failed refresh and the `refused` answer. The retry loop's step, for calls made
/// outside it too (Twitch's validate).
pub(crate) async fn refresh_after_refusal<D: Dialect>(
    dialect: &D,
    sent_with: &Secret,
    refused: PlatformError,
) -> Result<(), PlatformError> {
    let outcome = dialect
        .core()
        .tokens
        .refresh_once(Some(sent_with), || dialect.refresh())
        .await;
    match outcome {
        Some(Err(failed)) => Err(dialect.refresh_failed(failed, refused)),
        None | Some(Ok(_)) => Ok(()),
    }
}

/// Sends `call` once with `token` (when it carries one) and the dialect's headers.
async fn send<D: Dialect>(
    dialect: &D,
    call: &Call,
    token: Option<&Secret>,
) -> Result<Answer, PlatformError> {
    let core = dialect.core();
    let mut req = dialect.headers(core.request(call.method.clone(), &core.url(&call.path)));
    if let Some(token) = token {
        req = req.header(
            reqwest::header::AUTHORIZATION,
            super::auth_header(core.platform, D::AUTH_SCHEME, token)?,
        );
    }
    if !call.query.is_empty() {
        req = req.query(&call.query);
    }
    if let Some(body) = &call.body {
        req = req.json(body);
    }
    tracing::debug!(platform = %core.platform, method = %call.method, path = %call.path, "request");
    core.finish(req).await
}
