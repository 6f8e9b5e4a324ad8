//! The HTTP side: shared state and the gateway. Every request under `/api` is counted, rate
//! limited (800 a minute per signed-in user, or per anonymous caller, in fixed one-minute
//! windows, with `X-RateLimit-Limit/Remaining/Reset` on every answer) and may meet a queued
//! fault; the authorize page and the pictures only meet faults queued for their path.
//!
//! The listener (with its hang-up switch for [`Fault::DropConnection`]) is the Trovo
//! simulator's.

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

use super::{
    auth::now_secs,
    faults::{Fault, FaultBook},
    wire::ApiError,
    world::World,
};
use crate::sim::trovo::{images::ImageCache, server::Hangup};

/// State shared by the handlers, the ticker and the `VeloraSim` handle.
pub(crate) struct Shared {
    world: Mutex<World>,
    faults: Mutex<FaultBook>,
    windows: Mutex<HashMap<String, Window>>,
    rate_limit: u32,
    pub(crate) requests: AtomicU64,
    pub(crate) images: ImageCache,
    /// The one redirect URI the simulated app registered.
    pub(crate) redirect_uri: String,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A fixed one-minute window: requests counted since `start` (epoch seconds).
struct Window {
    start: i64,
    used: u32,
}

/// The rate-limit headers of one answer.
struct RateInfo {
    limit: u32,
    remaining: u32,
    reset: i64,
    exceeded: bool,
}

impl RateInfo {
    fn apply(&self, headers: &mut HeaderMap) {
        let pairs = [
            ("x-ratelimit-limit", self.limit.to_string()),
            ("x-ratelimit-remaining", self.remaining.to_string()),
            ("x-ratelimit-reset", self.reset.to_string()),
        ];
        for (name, value) in pairs {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
    }
}

impl Shared {
    pub(crate) fn new(world: World, rate_limit: u32, redirect_uri: String) -> Self {
        Shared {
            world: Mutex::new(world),
            faults: Mutex::new(FaultBook::default()),
            windows: Mutex::new(HashMap::new()),
            rate_limit: rate_limit.max(1),
            requests: AtomicU64::new(0),
            images: ImageCache::default(),
            redirect_uri,
        }
    }

    /// The world, locked. Never hold the guard across an `.await`.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, FaultBook> {
        lock(&self.faults)
    }

    /// Counts one request against `key`'s window.
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
        let exceeded = window.used >= self.rate_limit;
        if !exceeded {
            window.used += 1;
        }
        RateInfo {
            limit: self.rate_limit,
            remaining: self.rate_limit - window.used,
            reset: window.start + 60,
            exceeded,
        }
    }
}

/// The page an edge proxy shows when the service behind it is down.
const GATEWAY_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";

fn has_token(req: &Request) -> bool {
    req.headers()
        .contains_key(axum::http::header::AUTHORIZATION)
}

/// The gateway in front of everything.
async fn gateway(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if !path.starts_with("/api/") {
        let fault = shared.faults().take(&path, false, has_token(&req));
        return match fault {
            Some(fault) => apply_fault(fault, req, None, next).await,
            None => next.run(req).await,
        };
    }
    shared.requests.fetch_add(1, Ordering::Relaxed);
    let key = match shared.world().auth.user_of(req.headers()) {
        Some(user) => format!("user:{user}"),
        None => "anonymous".to_owned(),
    };
    let rate = shared.hit(&key);
    let mut response = if rate.exceeded {
        let wait = (rate.reset - now_secs()).max(1) as u64;
        ApiError::rate_limited(
            format!(
                "Rate limit of {} requests a minute exceeded; try again in {wait} s",
                rate.limit
            ),
            wait,
        )
        .into_response()
    } else {
        let fault = shared.faults().take(&path, true, has_token(&req));
        match fault {
            Some(fault) => return apply_fault(fault, req, Some(rate), next).await,
            None => next.run(req).await,
        }
    };
    rate.apply(response.headers_mut());
    response
}

/// The error code Velora's body names for a status.
fn code_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        422 => "unprocessable_entity",
        429 => "rate_limited",
        500 => "internal_server_error",
        502 => "bad_gateway",
        503 => "service_unavailable",
        504 => "gateway_timeout",
        _ => "error",
    }
}

/// Answers a request with a fault (or, for `Slow`, answers it late).
async fn apply_fault(fault: Fault, req: Request, rate: Option<RateInfo>, next: Next) -> Response {
    let mut response = match fault {
        Fault::Slow(delay) => {
            tokio::time::sleep(delay).await;
            next.run(req).await
        }
        Fault::RateLimited { retry_after_secs } => {
            let mut response =
                ApiError::rate_limited("Too many requests", retry_after_secs).into_response();
            let info = RateInfo {
                limit: rate.as_ref().map_or(800, |r| r.limit),
                remaining: 0,
                reset: now_secs()
                    .saturating_add(i64::try_from(retry_after_secs.max(1)).unwrap_or(i64::MAX / 2)),
                exceeded: true,
            };
            info.apply(response.headers_mut());
            return response;
        }
        Fault::ExpiredToken => ApiError::unauthorized("Token expired").into_response(),
        Fault::ServerErrorHtml => {
            return (
                StatusCode::BAD_GATEWAY,
                [(CONTENT_TYPE, "text/html")],
                GATEWAY_PAGE,
            )
                .into_response();
        }
        Fault::DropConnection => {
            if let Some(ConnectInfo(hangup)) = req.extensions().get::<ConnectInfo<Hangup>>() {
                hangup.0.store(true, Ordering::SeqCst);
            }
            return StatusCode::NO_CONTENT.into_response();
        }
        Fault::Status { http, message } => {
            let status = StatusCode::from_u16(http).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            ApiError::new(status, code_for(status), message).into_response()
        }
        Fault::Raw {
            http,
            content_type,
            body,
        } => {
            let status = StatusCode::from_u16(http).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = (status, body).into_response();
            if let Ok(value) = HeaderValue::from_str(&content_type) {
                response.headers_mut().insert(CONTENT_TYPE, value);
            }
            return response;
        }
    };
    if let Some(rate) = rate {
        rate.apply(response.headers_mut());
    }
    response
}

/// The whole application: API routes, the authorize page and pictures, behind the gateway.
pub(crate) fn app(shared: Arc<Shared>) -> Router {
    super::routes::router()
        .merge(super::oauth::router())
        .layer(middleware::from_fn_with_state(shared.clone(), gateway))
        .with_state(shared)
}
