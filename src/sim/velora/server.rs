//! The HTTP side: shared state and Velora's dialect of the gateway. Every request under
//! `/api` is counted, rate limited (800 a minute per signed-in user, or per anonymous
//! caller, in fixed one-minute windows, with `X-RateLimit-Limit/Remaining/Reset` on every
//! answer) and may meet a queued fault; the authorize page and the pictures only meet
//! faults queued for their path. The listener and the gateway's rules are the shared ones
//! in [`crate::sim::common`].

use std::sync::{Arc, Mutex, MutexGuard};

use axum::{
    Router,
    extract::Request,
    http::StatusCode,
    response::{IntoResponse, Response},
};

use super::{auth::now_secs, wire::ApiError, world::World};
use crate::sim::common::{
    ErrorAnswer,
    gateway::{self, Dialect, FixedWindows, Gateway, GatewayState, RateInfo},
    lock,
    pictures::ImageCache,
};

/// State shared by the handlers, the ticker and the `VeloraSim` handle.
pub(crate) struct Shared {
    world: Mutex<World>,
    /// Faults, the rate windows and the request count.
    pub(crate) gateway: Gateway<Velora>,
    pub(crate) images: ImageCache,
    /// The one redirect URI the simulated app registered.
    pub(crate) redirect_uri: String,
    /// The pause between two pings on the events stream.
    pub(crate) events_ping: std::time::Duration,
}

impl Shared {
    /// The state for `world`, allowing `rate_limit` API requests a minute per caller.
    pub(crate) fn new(
        world: World,
        rate_limit: u32,
        redirect_uri: String,
        events_ping: std::time::Duration,
    ) -> Self {
        Shared {
            world: Mutex::new(world),
            gateway: Gateway::new(Velora, FixedWindows::new(rate_limit.max(1))),
            images: ImageCache::default(),
            redirect_uri,
            events_ping: events_ping.max(std::time::Duration::from_millis(10)),
        }
    }

    /// The world, locked. Never hold the guard across an `.await`.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }
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

/// How Velora's answers read.
pub(crate) struct Velora;

impl Dialect for Velora {
    type Status = ErrorAnswer;
    const PREFIX: &'static str = "/api/";
    const RATE_HEADERS: [&'static str; 3] = gateway::X_RATELIMIT;
    /// The page an edge proxy shows when the service behind it is down.
    const GATEWAY_PAGE: &'static str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";
    const FAULT_LIMIT: u32 = 800;
    const MIN_RESET_SECS: u64 = 1;

    fn over_limit(&self, rate: &RateInfo) -> Response {
        let wait = (rate.reset - now_secs()).max(1) as u64;
        ApiError::rate_limited(
            format!(
                "Rate limit of {} requests a minute exceeded; try again in {wait} s",
                rate.limit
            ),
            wait,
        )
        .into_response()
    }

    fn rate_limited(&self, reset_in_secs: u64) -> Response {
        ApiError::rate_limited("Too many requests", reset_in_secs).into_response()
    }

    fn expired_token(&self) -> Response {
        ApiError::unauthorized("Token expired").into_response()
    }

    fn status(&self, answer: ErrorAnswer) -> Response {
        let status = gateway::status_code(answer.http);
        ApiError::new(status, code_for(status), answer.message).into_response()
    }
}

/// The API counts per signed-in user, or one window for every anonymous caller.
impl GatewayState for Shared {
    type Dialect = Velora;

    fn gateway(&self) -> &Gateway<Velora> {
        &self.gateway
    }

    fn rate_key(&self, req: &Request) -> String {
        match self.world().auth.user_of(req.headers()) {
            Some(user) => format!("user:{user}"),
            None => "anonymous".to_owned(),
        }
    }
}

/// The whole application: API routes, the authorize page and pictures, behind the gateway.
pub(crate) fn app(shared: Arc<Shared>) -> Router {
    gateway::behind_gateway(
        super::routes::router().merge(super::oauth::router()),
        shared,
    )
}
