//! The HTTP side: shared state, and the two gateways. Every Helix request is counted, rate
//! limited per Client-Id (Twitch's 800-point bucket, with its `Ratelimit-*` headers on every
//! answer), needs the registered Client-Id and may meet a queued fault; id.twitch.tv and the
//! picture routes only meet faults queued for their path.
//!
//! The listener (with its hang-up switch for [`Fault::DropConnection`]) is the Trovo
//! simulator's.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{
    Router,
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header::CONTENT_TYPE},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};

use super::{
    TwitchSim,
    auth::now_secs,
    faults::{Fault, FaultBook},
    images::ImageCache,
    wire::{HelixError, IdError},
    world::World,
};
use crate::sim::trovo::server::Hangup;

/// State shared by the handlers, the ticker and the `TwitchSim` handle.
pub(crate) struct Shared {
    world: Mutex<World>,
    faults: Mutex<FaultBook>,
    buckets: Mutex<HashMap<String, Bucket>>,
    rate_limit: u32,
    pub(crate) requests: AtomicU64,
    pub(crate) auth_requests: AtomicU64,
    pub(crate) images: ImageCache,
    /// How often a device code may be polled, and how long it lives.
    pub(crate) device_interval: Duration,
    pub(crate) device_lifetime: Duration,
    /// `http://127.0.0.1:Q`, the id side's origin (for `verification_uri`).
    pub(crate) auth_origin: String,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A token bucket: `points` left, refilled continuously to `limit` over a minute.
struct Bucket {
    points: f64,
    at: Instant,
}

/// The rate-limit headers of one answer.
pub(crate) struct RateInfo {
    limit: u32,
    remaining: u32,
    reset: i64,
    exceeded: bool,
}

impl RateInfo {
    fn apply(&self, headers: &mut HeaderMap) {
        let pairs = [
            ("ratelimit-limit", self.limit.to_string()),
            ("ratelimit-remaining", self.remaining.to_string()),
            ("ratelimit-reset", self.reset.to_string()),
        ];
        for (name, value) in pairs {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
    }
}

impl Shared {
    pub(crate) fn new(
        world: World,
        rate_limit: u32,
        device_interval: Duration,
        device_lifetime: Duration,
        auth_origin: String,
    ) -> Self {
        Shared {
            world: Mutex::new(world),
            faults: Mutex::new(FaultBook::default()),
            buckets: Mutex::new(HashMap::new()),
            rate_limit: rate_limit.max(1),
            requests: AtomicU64::new(0),
            auth_requests: AtomicU64::new(0),
            images: ImageCache::default(),
            device_interval,
            device_lifetime,
            auth_origin,
        }
    }

    /// The world, locked. Never hold the guard across an `.await`.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, FaultBook> {
        lock(&self.faults)
    }

    /// Takes a point from the client's bucket (every endpoint the simulator serves costs 1).
    fn hit(&self, client_id: &str) -> RateInfo {
        let now = Instant::now();
        let limit = f64::from(self.rate_limit);
        let per_sec = limit / 60.0;
        let mut buckets = lock(&self.buckets);
        let bucket = buckets.entry(client_id.to_owned()).or_insert(Bucket {
            points: limit,
            at: now,
        });
        let elapsed = now.duration_since(bucket.at).as_secs_f64();
        bucket.points = (bucket.points + elapsed * per_sec).min(limit);
        bucket.at = now;
        let exceeded = bucket.points < 1.0;
        if !exceeded {
            bucket.points -= 1.0;
        }
        let missing = limit - bucket.points;
        RateInfo {
            limit: self.rate_limit,
            remaining: bucket.points.floor() as u32,
            reset: now_secs() + (missing / per_sec).ceil() as i64,
            exceeded,
        }
    }
}

/// The page an edge proxy shows when the service behind it is down.
const GATEWAY_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";

fn has_token(req: &Request) -> bool {
    req.headers()
        .contains_key(axum::http::header::AUTHORIZATION)
}

/// The Helix server's gateway.
async fn helix_gateway(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if !path.starts_with("/helix/") {
        let fault = shared.faults().take(&path, false, has_token(&req));
        return match fault {
            Some(fault) => apply_fault(fault, req, None, next, Side::Helix).await,
            None => next.run(req).await,
        };
    }
    shared.requests.fetch_add(1, Ordering::Relaxed);
    let client_id = req
        .headers()
        .get("client-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or("")
        .to_owned();
    let rate = shared.hit(&client_id);
    let mut response = if rate.exceeded {
        HelixError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too Many Requests: the rate limit of this Client-Id is spent; wait for Ratelimit-Reset",
        )
        .into_response()
    } else if client_id.is_empty() {
        HelixError::unauthorized("Client-Id header is required").into_response()
    } else if client_id != TwitchSim::CLIENT_ID {
        HelixError::unauthorized("Client ID and OAuth token do not match").into_response()
    } else {
        let fault = shared.faults().take(&path, true, has_token(&req));
        match fault {
            Some(fault) => return apply_fault(fault, req, Some(rate), next, Side::Helix).await,
            None => next.run(req).await,
        }
    };
    rate.apply(response.headers_mut());
    response
}

/// The id side's gateway: counts requests, applies faults queued for its paths.
async fn id_gateway(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/oauth2/") {
        shared.auth_requests.fetch_add(1, Ordering::Relaxed);
    }
    let fault = shared.faults().take(&path, false, has_token(&req));
    match fault {
        Some(fault) => apply_fault(fault, req, None, next, Side::Id).await,
        None => next.run(req).await,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Helix,
    Id,
}

/// Answers a request with a fault (or, for `Slow`, answers it late).
async fn apply_fault(
    fault: Fault,
    req: Request,
    rate: Option<RateInfo>,
    next: Next,
    side: Side,
) -> Response {
    let mut response = match fault {
        Fault::Slow(delay) => {
            tokio::time::sleep(delay).await;
            next.run(req).await
        }
        Fault::RateLimited { reset_in_secs } => {
            let mut response =
                HelixError::new(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").into_response();
            let info = RateInfo {
                limit: rate.as_ref().map_or(800, |r| r.limit),
                remaining: 0,
                reset: now_secs()
                    .saturating_add(i64::try_from(reset_in_secs).unwrap_or(i64::MAX / 2)),
                exceeded: true,
            };
            info.apply(response.headers_mut());
            return response;
        }
        Fault::ExpiredToken => match side {
            Side::Helix => HelixError::unauthorized("Invalid OAuth token").into_response(),
            Side::Id => {
                IdError::new(StatusCode::UNAUTHORIZED, "invalid access token").into_response()
            }
        },
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
            HelixError::new(status, message).into_response()
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

/// The Helix server: API routes and pictures, behind the gateway.
pub(crate) fn helix_app(shared: Arc<Shared>) -> Router {
    super::routes::helix_router()
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            helix_gateway,
        ))
        .with_state(shared)
}

/// The id.twitch.tv server: OAuth endpoints and the activation page.
pub(crate) fn id_app(shared: Arc<Shared>) -> Router {
    super::oauth::router()
        .merge(super::page::router())
        .layer(middleware::from_fn_with_state(shared.clone(), id_gateway))
        .with_state(shared)
}
