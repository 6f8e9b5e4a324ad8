//! The HTTP side: shared state, and Twitch's dialect of the two gateways. Every Helix
//! request is counted, rate limited per Client-Id (Twitch's 800-point bucket, with its
//! `Ratelimit-*` headers on every answer), needs the registered Client-Id and may meet a
//! queued fault; id.twitch.tv and the picture routes only meet faults queued for their
//! path. The listener and the gateway's rules are the shared ones in [`crate::sim::common`].

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
    extract::{Request, State},
    http::StatusCode,
    middleware::{self, Next},
    response::{IntoResponse, Response},
};

use super::{
    TwitchSim,
    auth::now_secs,
    images::ImageCache,
    wire::{HelixError, IdError},
    world::World,
};
use crate::sim::common::{
    ErrorAnswer,
    gateway::{self, Dialect, Gateway, GatewayState, Limiter, RateInfo},
    lock,
};

/// State shared by the handlers, the ticker and the `TwitchSim` handle.
pub(crate) struct Shared {
    world: Mutex<World>,
    /// Faults, the rate buckets and the Helix request count.
    pub(crate) gateway: Gateway<Side>,
    pub(crate) auth_requests: AtomicU64,
    pub(crate) images: ImageCache,
    /// How often a device code may be polled, and how long it lives.
    pub(crate) device_interval: Duration,
    pub(crate) device_lifetime: Duration,
    /// `http://127.0.0.1:Q`, the id side's origin (for `verification_uri`).
    pub(crate) auth_origin: String,
}

impl Shared {
    /// The state for `world`, with a bucket of `rate_limit` points a minute per Client-Id.
    pub(crate) fn new(
        world: World,
        rate_limit: u32,
        device_interval: Duration,
        device_lifetime: Duration,
        auth_origin: String,
    ) -> Self {
        Shared {
            world: Mutex::new(world),
            gateway: Gateway::new(Side::Helix, Buckets::new(rate_limit.max(1))),
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
}

/// Token buckets per Client-Id: `limit` points, refilled continuously over a minute.
pub(crate) struct Buckets {
    limit: u32,
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// A token bucket: `points` left, as of `at`.
struct Bucket {
    points: f64,
    at: Instant,
}

impl Buckets {
    fn new(limit: u32) -> Self {
        Buckets {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }
}

impl Limiter for Buckets {
    /// Takes a point from the client's bucket (every endpoint the simulator serves costs 1).
    fn hit(&self, client_id: &str) -> RateInfo {
        let now = Instant::now();
        let limit = f64::from(self.limit);
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
            limit: self.limit,
            remaining: bucket.points.floor() as u32,
            reset: now_secs() + (missing / per_sec).ceil() as i64,
            exceeded,
        }
    }
}

/// Which of the two servers answers: the dialects differ only in the expired-token answer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// api.twitch.tv/helix.
    Helix,
    /// id.twitch.tv.
    Id,
}

impl Dialect for Side {
    type Status = ErrorAnswer;
    const PREFIX: &'static str = "/helix/";
    const RATE_HEADERS: [&'static str; 3] =
        ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"];
    /// The page an edge proxy shows when the service behind it is down.
    const GATEWAY_PAGE: &'static str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";
    const FAULT_LIMIT: u32 = 800;

    fn over_limit(&self, _rate: &RateInfo) -> Response {
        HelixError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too Many Requests: the rate limit of this Client-Id is spent; wait for Ratelimit-Reset",
        )
        .into_response()
    }

    /// The bucket counts whatever Client-Id is sent; a missing or unknown one is refused
    /// after it is charged.
    fn refuse(&self, req: &Request) -> Option<Response> {
        match gateway::client_id(req) {
            "" => Some(HelixError::unauthorized("Client-Id header is required").into_response()),
            TwitchSim::CLIENT_ID => None,
            _ => Some(
                HelixError::unauthorized("Client ID and OAuth token do not match").into_response(),
            ),
        }
    }

    fn rate_limited(&self, _reset_in_secs: u64) -> Response {
        HelixError::new(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").into_response()
    }

    fn expired_token(&self) -> Response {
        match self {
            Side::Helix => HelixError::unauthorized("Invalid OAuth token").into_response(),
            Side::Id => {
                IdError::new(StatusCode::UNAUTHORIZED, "invalid access token").into_response()
            }
        }
    }

    fn status(&self, answer: ErrorAnswer) -> Response {
        HelixError::new(gateway::status_code(answer.http), answer.message).into_response()
    }
}

/// The Helix server's gateway: each Client-Id has its bucket.
impl GatewayState for Shared {
    type Dialect = Side;

    fn gateway(&self) -> &Gateway<Side> {
        &self.gateway
    }
}

/// The id side's gateway: counts requests, applies faults queued for its paths.
async fn id_gateway(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/oauth2/") {
        shared.auth_requests.fetch_add(1, Ordering::Relaxed);
    }
    shared.gateway.off_api(&Side::Id, req, next).await
}

/// The Helix server: API routes and pictures, behind the gateway.
pub(crate) fn helix_app(shared: Arc<Shared>) -> Router {
    gateway::behind_gateway(super::routes::helix_router(), shared)
}

/// The id.twitch.tv server: OAuth endpoints and the activation page.
pub(crate) fn id_app(shared: Arc<Shared>) -> Router {
    super::oauth::router()
        .merge(super::page::router())
        .layer(middleware::from_fn_with_state(shared.clone(), id_gateway))
        .with_state(shared)
}
