//! The gateway every simulated API request passes: it is counted, charged against the rate
//! limit (with the limit headers on every answer) and may meet a queued fault; requests off
//! the API (sign-in pages, pictures) only meet faults queued for their path. The rules are
//! written once here; each platform supplies its [`Dialect`] (which paths are the API, what
//! a request must carry, how the answers read: bodies, header names, the proxy's error
//! page), its [`Limiter`] and, from its own middleware, whom a request counts against.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicU64, Ordering},
    },
};

use axum::{
    Router,
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header::CONTENT_TYPE},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};

use super::{Fault, FaultBook, Hangup, clock::now_secs, lock};

/// The rate-limit state of one answer, for its headers.
pub(crate) struct RateInfo {
    /// Requests (or points) a window allows.
    pub(crate) limit: u32,
    /// What is left of it.
    pub(crate) remaining: u32,
    /// When it is whole again (epoch seconds).
    pub(crate) reset: i64,
    /// Whether this request was over the limit (and is refused).
    pub(crate) exceeded: bool,
}

impl RateInfo {
    /// Sets the limit, remaining and reset headers, under the platform's `names`.
    fn apply(&self, names: [&'static str; 3], headers: &mut HeaderMap) {
        let values = [
            self.limit.to_string(),
            self.remaining.to_string(),
            self.reset.to_string(),
        ];
        for (name, value) in names.into_iter().zip(values) {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
    }
}

/// A platform's rate-limit rule: charges one request to `key` and says what is left.
pub(crate) trait Limiter: Send + Sync {
    /// Counts one request against `key`.
    fn hit(&self, key: &str) -> RateInfo;
}

/// Fixed one-minute windows per key (Trovo's per Client-ID, Velora's per user): `limit`
/// requests from the window's first, then refusals until it ends.
pub(crate) struct FixedWindows {
    limit: u32,
    windows: Mutex<HashMap<String, Window>>,
}

/// One window: requests counted since `start` (epoch seconds).
struct Window {
    start: i64,
    used: u32,
}

impl FixedWindows {
    /// Windows of `limit` requests a minute.
    pub(crate) fn new(limit: u32) -> Self {
        FixedWindows {
            limit,
            windows: Mutex::new(HashMap::new()),
        }
    }
}

impl Limiter for FixedWindows {
    fn hit(&self, key: &str) -> RateInfo {
        let now = now_secs();
        let mut windows = lock(&self.windows);
        let window = windows.entry(key.to_owned()).or_insert(Window {
            start: now,
            used: 0,
        });
        if now >= window.start + 60 {
            window.start = now;
            window.used = 0;
        }
        let exceeded = window.used >= self.limit;
        if !exceeded {
            window.used += 1;
        }
        RateInfo {
            limit: self.limit,
            remaining: self.limit.saturating_sub(window.used),
            reset: window.start + 60,
            exceeded,
        }
    }
}

/// The names of the `x-ratelimit-*` headers (Trovo's and Velora's).
pub(crate) const X_RATELIMIT: [&str; 3] = [
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
];

/// How one platform words the answers the shared gateway gives, and what its API requests
/// must carry.
pub(crate) trait Dialect: Send + Sync + 'static {
    /// The platform's own error answer, for [`Fault::Status`].
    type Status: Clone + Send + Sync + 'static;
    /// The path prefix of the API (with its trailing slash); other paths are off the API.
    const PREFIX: &'static str;
    /// The names of its limit, remaining and reset headers, lowercase.
    const RATE_HEADERS: [&'static str; 3];
    /// The HTML page its edge proxy shows for a [`Fault::ServerErrorHtml`].
    const GATEWAY_PAGE: &'static str;
    /// The limit a [`Fault::RateLimited`] advertises off the API (where no window counts).
    const FAULT_LIMIT: u32;
    /// A [`Fault::RateLimited`] advertises its reset at least this many seconds ahead.
    const MIN_RESET_SECS: u64 = 0;

    /// The answer to a request over the limit (the gateway adds the limit headers).
    fn over_limit(&self, rate: &RateInfo) -> Response;
    /// The refusal of a request before it counts against a window (no limit headers).
    fn admit(&self, _req: &Request) -> Option<Response> {
        None
    }
    /// The refusal of a counted request within the limit (it still gets the limit headers).
    fn refuse(&self, _req: &Request) -> Option<Response> {
        None
    }
    /// The body of a [`Fault::RateLimited`] (the gateway adds the limit headers).
    fn rate_limited(&self, reset_in_secs: u64) -> Response;
    /// The answer to a [`Fault::ExpiredToken`].
    fn expired_token(&self) -> Response;
    /// The answer to a [`Fault::Status`].
    fn status(&self, answer: Self::Status) -> Response;
}

/// The gateway in front of a platform's server: its dialect, the fault queue, the rate
/// limiter and the API request count.
pub(crate) struct Gateway<D: Dialect> {
    dialect: D,
    faults: Mutex<FaultBook<D::Status>>,
    limiter: Box<dyn Limiter>,
    requests: AtomicU64,
}

impl<D: Dialect> Gateway<D> {
    /// A gateway speaking `dialect` that limits with `limiter`, no fault queued.
    pub(crate) fn new(dialect: D, limiter: impl Limiter + 'static) -> Self {
        Gateway {
            dialect,
            faults: Mutex::new(FaultBook::default()),
            limiter: Box::new(limiter),
            requests: AtomicU64::new(0),
        }
    }

    /// The fault queue, locked (for the simulator handle's `inject` and `clear_faults`).
    pub(crate) fn faults(&self) -> MutexGuard<'_, FaultBook<D::Status>> {
        lock(&self.faults)
    }

    /// API requests seen so far, refused ones included (for the handle's `request_count`).
    pub(crate) fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Passes one request: on the API it is counted, may be refused by [`Dialect::admit`],
    /// is charged to the key `key` names, may be refused by [`Dialect::refuse`] and may meet
    /// a queued fault, and its answer carries the limit headers; off the API see
    /// [`Gateway::off_api`].
    pub(crate) async fn serve(
        &self,
        req: Request,
        next: Next,
        key: impl FnOnce(&Request) -> String,
    ) -> Response {
        if !req.uri().path().starts_with(D::PREFIX) {
            return self.off_api(&self.dialect, req, next).await;
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        if let Some(refusal) = self.dialect.admit(&req) {
            return refusal;
        }
        let rate = self.limiter.hit(&key(&req));
        let mut response = if rate.exceeded {
            self.dialect.over_limit(&rate)
        } else if let Some(refusal) = self.dialect.refuse(&req) {
            refusal
        } else {
            let fault = self.faults().take(req.uri().path(), true, has_token(&req));
            match fault {
                Some(fault) => return answer(fault, &self.dialect, req, Some(rate), next).await,
                None => next.run(req).await,
            }
        };
        rate.apply(D::RATE_HEADERS, response.headers_mut());
        response
    }

    /// A request off the API, answered in `dialect`: it only meets faults queued for its
    /// path, and is not counted.
    pub(crate) async fn off_api(&self, dialect: &D, req: Request, next: Next) -> Response {
        let fault = self.faults().take(req.uri().path(), false, has_token(&req));
        match fault {
            Some(fault) => answer(fault, dialect, req, None, next).await,
            None => next.run(req).await,
        }
    }
}

/// Whether a request carries any `Authorization` header (for [`Fault::ExpiredToken`]).
fn has_token(req: &Request) -> bool {
    req.headers()
        .contains_key(axum::http::header::AUTHORIZATION)
}

/// The request's `Client-ID` header, trimmed (empty when missing): the key Trovo's and
/// Twitch's gateways count requests by. Header names are case-insensitive.
pub(crate) fn client_id(req: &Request) -> &str {
    req.headers()
        .get("client-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or("")
}

/// The HTTP status `http` names, or 500 for a number that is none.
pub(crate) fn status_code(http: u16) -> StatusCode {
    StatusCode::from_u16(http).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Answers a request with a fault (or, for `Slow`, answers it late). `rate` is the
/// request's place in its window, for the limit headers; `None` off the API.
async fn answer<D: Dialect>(
    fault: Fault<D::Status>,
    dialect: &D,
    req: Request,
    rate: Option<RateInfo>,
    next: Next,
) -> Response {
    let mut response = match fault {
        Fault::Slow(delay) => {
            tokio::time::sleep(delay).await;
            next.run(req).await
        }
        Fault::RateLimited { reset_in_secs } => {
            let mut response = dialect.rate_limited(reset_in_secs);
            let ahead = reset_in_secs.max(D::MIN_RESET_SECS);
            let info = RateInfo {
                limit: rate.as_ref().map_or(D::FAULT_LIMIT, |r| r.limit),
                remaining: 0,
                reset: now_secs().saturating_add(i64::try_from(ahead).unwrap_or(i64::MAX / 2)),
                exceeded: true,
            };
            info.apply(D::RATE_HEADERS, response.headers_mut());
            return response;
        }
        Fault::ExpiredToken => dialect.expired_token(),
        Fault::ServerErrorHtml => {
            // A proxy's page: no JSON, no rate-limit headers.
            return (
                StatusCode::BAD_GATEWAY,
                [(CONTENT_TYPE, "text/html")],
                D::GATEWAY_PAGE,
            )
                .into_response();
        }
        Fault::DropConnection => {
            if let Some(ConnectInfo(hangup)) = req.extensions().get::<ConnectInfo<Hangup>>() {
                hangup.hang_up();
            }
            // Never written: the connection fails its first write and closes unanswered.
            return StatusCode::NO_CONTENT.into_response();
        }
        Fault::Status(answer) => dialect.status(answer),
        Fault::Raw {
            http,
            content_type,
            body,
        } => {
            let mut response = (status_code(http), body).into_response();
            if let Ok(value) = HeaderValue::from_str(&content_type) {
                response.headers_mut().insert(CONTENT_TYPE, value);
            }
            return response;
        }
    };
    if let Some(rate) = rate {
        rate.apply(D::RATE_HEADERS, response.headers_mut());
    }
    response
}

/// A simulator's shared state as its gateway middleware sees it.
pub(crate) trait GatewayState: Send + Sync + 'static {
    /// How the simulator's answers read.
    type Dialect: Dialect;

    /// The gateway its API requests pass.
    fn gateway(&self) -> &Gateway<Self::Dialect>;

    /// Whose rate window `req` counts against: its Client-ID, as Trovo and Helix count, unless
    /// the platform counts per user.
    fn rate_key(&self, req: &Request) -> String {
        client_id(req).to_owned()
    }
}

/// The middleware in front of a simulator's routes: every request passes the gateway.
async fn guard<S: GatewayState>(State(state): State<Arc<S>>, req: Request, next: Next) -> Response {
    let key = |req: &Request| state.rate_key(req);
    state.gateway().serve(req, next, key).await
}

/// `routes` behind the gateway of `state`, which their handlers get too.
pub(crate) fn behind_gateway<S: GatewayState>(routes: Router<Arc<S>>, state: Arc<S>) -> Router {
    routes
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            guard::<S>,
        ))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_window_refuses_past_its_limit_and_says_so() {
        let windows = FixedWindows::new(2);
        let first = windows.hit("a");
        assert!(!first.exceeded);
        assert_eq!((first.limit, first.remaining), (2, 1));
        assert_eq!(windows.hit("a").remaining, 0);
        let over = windows.hit("a");
        assert!(over.exceeded);
        assert_eq!(over.remaining, 0);
        assert!(over.reset > now_secs());
        assert!(!windows.hit("b").exceeded, "each key has its own window");
        assert!(FixedWindows::new(0).hit("a").exceeded);
    }
}
