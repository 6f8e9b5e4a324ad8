//! The HTTP side: the shared state, and Trovo's dialect of the gateway every API request
//! passes (the registered Client-ID, a fixed 60-second window per client ID with
//! `x-ratelimit-*` headers, faults as Trovo words them). The listener and the gateway's
//! rules are the shared ones in [`crate::sim::common`].

use std::sync::{Arc, Mutex, MutexGuard, atomic::AtomicU64};

use axum::{
    Router,
    extract::Request,
    http::StatusCode,
    response::{IntoResponse, Response},
};

use super::{
    TrovoSim,
    faults::ErrorAnswer,
    wire::{ApiError, INVALID_HEADER, RATE_LIMITED, TOKEN_EXPIRED},
    world::World,
};
use crate::sim::common::{
    gateway::{self, Dialect, FixedWindows, Gateway, GatewayState, RateInfo},
    lock,
    pictures::ImageCache,
};

/// State shared by the handlers, the ticker and the `TrovoSim` handle.
pub(crate) struct Shared {
    world: Mutex<World>,
    /// Faults, the rate window and the request count.
    pub(crate) gateway: Gateway<Trovo>,
    pub(crate) images: ImageCache,
    /// The registered redirect URI ([`super::SimOptions::redirect_uri`]), matched exactly.
    pub(crate) redirect_uri: String,
    /// Bumped to make every open chat socket hang up (a dropped connection, for tests).
    pub(crate) chat_hangup: tokio::sync::watch::Sender<u64>,
    /// The `eid` of the next `CHAT` frame.
    pub(crate) chat_eid: AtomicU64,
    /// Whether the chat socket answers `PING` (tests switch it off to go silent).
    pub(crate) chat_pongs: std::sync::atomic::AtomicBool,
    /// The pause between pings each `PONG` asks for, in seconds.
    pub(crate) chat_ping_gap_secs: u64,
}

impl Shared {
    /// The state for `world`, allowing `rate_limit` API requests a minute per client ID.
    pub(crate) fn new(
        world: World,
        rate_limit: u32,
        redirect_uri: String,
        chat_ping_gap_secs: u64,
    ) -> Self {
        Shared {
            world: Mutex::new(world),
            gateway: Gateway::new(Trovo, FixedWindows::new(rate_limit)),
            images: ImageCache::default(),
            redirect_uri,
            chat_hangup: tokio::sync::watch::channel(0).0,
            chat_eid: AtomicU64::new(1),
            chat_pongs: std::sync::atomic::AtomicBool::new(true),
            chat_ping_gap_secs,
        }
    }

    /// The world, locked. Never hold the guard across an `.await`.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }
}

/// How Trovo's answers read.
pub(crate) struct Trovo;

/// Trovo's 11706 body says "Internal Server Error", whatever the HTTP status.
fn rate_limited() -> ApiError {
    let mut error = ApiError::new(RATE_LIMITED);
    error.error = "Internal Server Error".to_owned();
    error
}

impl Dialect for Trovo {
    type Status = ErrorAnswer;
    const PREFIX: &'static str = "/openplatform/";
    const RATE_HEADERS: [&'static str; 3] = gateway::X_RATELIMIT;
    /// The page a gateway in front of Trovo shows when the service behind it is down.
    const GATEWAY_PAGE: &'static str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    const FAULT_LIMIT: u32 = 0;

    /// The Client-ID must be the registered app's; a wrong or missing one is refused before
    /// it counts against a window.
    fn admit(&self, req: &Request) -> Option<Response> {
        (gateway::client_id(req) != TrovoSim::CLIENT_ID)
            .then(|| ApiError::new(INVALID_HEADER).into_response())
    }

    fn over_limit(&self, _rate: &RateInfo) -> Response {
        rate_limited().into_response()
    }

    fn rate_limited(&self, _reset_in_secs: u64) -> Response {
        // The fault is the reference's 11706 verbatim, HTTP 500 included (the window's own
        // exhaustion answers 429), so clients meet both statuses.
        let mut error = rate_limited();
        error.http = StatusCode::INTERNAL_SERVER_ERROR;
        error.into_response()
    }

    fn expired_token(&self) -> Response {
        ApiError::new(TOKEN_EXPIRED).into_response()
    }

    fn status(&self, answer: ErrorAnswer) -> Response {
        ApiError::custom(
            gateway::status_code(answer.http),
            answer.code,
            answer.message,
        )
        .into_response()
    }
}

/// API requests (under `/openplatform`) count against their Client-ID's window; other
/// routes (pictures, the login page) only see faults queued for their path.
impl GatewayState for Shared {
    type Dialect = Trovo;

    fn gateway(&self) -> &Gateway<Trovo> {
        &self.gateway
    }
}

/// The whole application: API routes, pictures, login page, all behind the gateway.
pub(crate) fn app(shared: Arc<Shared>) -> Router {
    gateway::behind_gateway(super::routes::router().merge(super::page::router()), shared)
}
