//! The HTTP side: the listener (with a way to hang up on a request), the shared state, and the
//! gateway middleware every API request passes (Client-ID check, rate limit, faults).

use std::{
    collections::HashMap,
    io,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    Router,
    extract::{ConnectInfo, Request, State, connect_info::Connected},
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header::CONTENT_TYPE},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    serve::{IncomingStream, Listener},
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
};

use super::{
    TrovoSim,
    auth::TokenStore,
    faults::{Fault, FaultBook},
    images::ImageCache,
    wire::{ApiError, INVALID_HEADER, RATE_LIMITED, TOKEN_EXPIRED},
    world::{World, now_secs},
};

/// State shared by the handlers, the ticker and the `TrovoSim` handle.
pub(crate) struct Shared {
    world: Mutex<World>,
    faults: Mutex<FaultBook>,
    rate: Mutex<HashMap<String, (i64, u32)>>,
    rate_limit: u32,
    pub(crate) requests: AtomicU64,
    pub(crate) images: ImageCache,
    /// The registered redirect URI ([`super::SimOptions::redirect_uri`]), matched exactly.
    pub(crate) redirect_uri: String,
    /// Bumped to make every open chat socket hang up (a dropped connection, for tests).
    pub(crate) chat_hangup: tokio::sync::watch::Sender<u64>,
    /// The `eid` of the next `CHAT` frame.
    pub(crate) chat_eid: AtomicU64,
}

/// Locks a mutex, recovering the data if a previous holder panicked (the world stays usable).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub(crate) fn new(world: World, rate_limit: u32, redirect_uri: String) -> Self {
        Shared {
            world: Mutex::new(world),
            faults: Mutex::new(FaultBook::default()),
            rate: Mutex::new(HashMap::new()),
            rate_limit,
            requests: AtomicU64::new(0),
            images: ImageCache::default(),
            redirect_uri,
            chat_hangup: tokio::sync::watch::channel(0).0,
            chat_eid: AtomicU64::new(1),
        }
    }

    /// The world, locked. Never hold the guard across an `.await`.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, FaultBook> {
        lock(&self.faults)
    }

    /// Counts a request against the client's fixed 60-second window.
    fn hit(&self, client_id: &str) -> RateInfo {
        let now = now_secs();
        let mut windows = lock(&self.rate);
        let window = windows.entry(client_id.to_owned()).or_insert((now, 0));
        if now >= window.0 + 60 {
            *window = (now, 0);
        }
        window.1 = window.1.saturating_add(1);
        RateInfo {
            limit: self.rate_limit,
            remaining: self.rate_limit.saturating_sub(window.1),
            reset: window.0 + 60,
            exceeded: window.1 > self.rate_limit,
        }
    }
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

/// The page a gateway in front of Trovo shows when the service behind it is down.
const GATEWAY_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// Every request passes here. API requests (under `/openplatform`) are counted, need the
/// registered Client-ID, are rate limited per client ID and may be hit by a queued fault;
/// other routes (pictures, the login page) only see faults queued for their path.
async fn gateway(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let has_token = TokenStore::carries_token(req.headers());
    if !path.starts_with("/openplatform/") {
        let fault = shared.faults().take(&path, false, has_token);
        return match fault {
            Some(fault) => apply_fault(fault, req, None, next).await,
            None => next.run(req).await,
        };
    }
    shared.requests.fetch_add(1, Ordering::Relaxed);
    // Header names are case-insensitive; the value must be the registered app's id.
    let client_id = req
        .headers()
        .get("client-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or("");
    if client_id != TrovoSim::CLIENT_ID {
        return ApiError::new(INVALID_HEADER).into_response();
    }
    let rate = shared.hit(client_id);
    if rate.exceeded {
        let mut error = ApiError::new(RATE_LIMITED);
        // Trovo's own 11706 body says "Internal Server Error", whatever the HTTP status.
        error.error = "Internal Server Error".to_owned();
        let mut response = error.into_response();
        rate.apply(response.headers_mut());
        return response;
    }
    let fault = shared.faults().take(&path, true, has_token);
    match fault {
        Some(fault) => apply_fault(fault, req, Some(rate), next).await,
        None => {
            let mut response = next.run(req).await;
            rate.apply(response.headers_mut());
            response
        }
    }
}

/// Answers a request with a fault (or, for `Slow`, answers it late).
async fn apply_fault(fault: Fault, req: Request, rate: Option<RateInfo>, next: Next) -> Response {
    let mut response = match fault {
        Fault::Slow(delay) => {
            tokio::time::sleep(delay).await;
            next.run(req).await
        }
        Fault::RateLimited { reset_in_secs } => {
            // The fault is the reference's 11706 verbatim, HTTP 500 included (the window's
            // own exhaustion answers 429), so clients meet both statuses.
            let mut error = ApiError::new(RATE_LIMITED);
            error.http = StatusCode::INTERNAL_SERVER_ERROR;
            error.error = "Internal Server Error".to_owned();
            let mut response = error.into_response();
            let info = RateInfo {
                limit: rate.as_ref().map_or(0, |r| r.limit),
                remaining: 0,
                reset: now_secs()
                    .saturating_add(i64::try_from(reset_in_secs).unwrap_or(i64::MAX / 2)),
                exceeded: true,
            };
            info.apply(response.headers_mut());
            return response;
        }
        Fault::ExpiredToken => ApiError::new(TOKEN_EXPIRED).into_response(),
        Fault::ServerErrorHtml => {
            // A gateway page: no JSON, no rate-limit headers.
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
            // Never written: the connection fails its first write and closes unanswered.
            return StatusCode::NO_CONTENT.into_response();
        }
        Fault::Status {
            http,
            code,
            message,
        } => {
            let status = StatusCode::from_u16(http).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            ApiError::custom(status, code, message).into_response()
        }
    };
    if let Some(rate) = rate {
        rate.apply(response.headers_mut());
    }
    response
}

/// Connection handle the handlers see (as `ConnectInfo`): setting it makes the connection's
/// socket fail its next write, so hyper closes it without answering.
#[derive(Clone, Debug)]
pub(crate) struct Hangup(pub(crate) Arc<AtomicBool>);

/// A TCP stream that can be told to hang up.
pub(crate) struct SimIo {
    inner: TcpStream,
    hangup: Arc<AtomicBool>,
}

fn hung_up() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "simulated hang-up")
}

impl AsyncRead for SimIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.hangup.load(Ordering::SeqCst) {
            return Poll::Ready(Err(hung_up()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for SimIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.hangup.load(Ordering::SeqCst) {
            return Poll::Ready(Err(hung_up()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.hangup.load(Ordering::SeqCst) {
            return Poll::Ready(Err(hung_up()));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.hangup.load(Ordering::SeqCst) {
            return Poll::Ready(Err(hung_up()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The simulator's listener: plain TCP, each connection wrapped in a `SimIo`.
pub(crate) struct SimListener(pub(crate) TcpListener);

impl Listener for SimListener {
    type Io = SimIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (SimIo, SocketAddr) {
        loop {
            match self.0.accept().await {
                Ok((inner, addr)) => {
                    let _ = inner.set_nodelay(true);
                    let io = SimIo {
                        inner,
                        hangup: Arc::new(AtomicBool::new(false)),
                    };
                    return (io, addr);
                }
                // Out of descriptors or similar: back off a moment and keep serving.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

impl Connected<IncomingStream<'_, SimListener>> for Hangup {
    fn connect_info(stream: IncomingStream<'_, SimListener>) -> Self {
        Hangup(stream.io().hangup.clone())
    }
}

/// The whole application: API routes, pictures, login page, all behind the gateway.
pub(crate) fn app(shared: Arc<Shared>) -> Router {
    super::routes::router()
        .merge(super::page::router())
        .layer(middleware::from_fn_with_state(shared.clone(), gateway))
        .with_state(shared)
}
