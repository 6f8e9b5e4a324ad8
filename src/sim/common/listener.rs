//! The listener every simulator serves on: plain TCP on loopback, each connection wrapped so
//! a handler can hang up on it (a [`super::Fault::DropConnection`] closes the connection
//! without a byte of answer, as a real dropped connection does).

use std::{
    io,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    Router,
    extract::connect_info::Connected,
    serve::{IncomingStream, Listener},
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::oneshot,
};

/// Connection handle the handlers see (as `ConnectInfo`): setting it makes the connection's
/// socket fail its next write, so hyper closes it without answering.
#[derive(Clone, Debug)]
pub(crate) struct Hangup(pub(crate) Arc<AtomicBool>);

impl Hangup {
    /// Hangs up: the connection fails its next read or write and closes unanswered.
    pub(crate) fn hang_up(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A TCP stream that can be told to hang up.
pub(crate) struct SimIo {
    inner: TcpStream,
    hangup: Arc<AtomicBool>,
}

impl SimIo {
    /// The simulated failure, if the stream was told to hang up.
    fn hung_up(&self) -> Option<io::Error> {
        self.hangup
            .load(Ordering::SeqCst)
            .then(|| io::Error::new(io::ErrorKind::ConnectionAborted, "simulated hang-up"))
    }
}

impl AsyncRead for SimIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(e) = self.hung_up() {
            return Poll::Ready(Err(e));
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
        if let Some(e) = self.hung_up() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if let Some(e) = self.hung_up() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(e) = self.hung_up() {
            return Poll::Ready(Err(e));
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

/// Serves `app` on `listener` in the background (handlers see the connection's [`Hangup`]
/// as `ConnectInfo`) until the returned sender is sent to or dropped. `name` labels the
/// warning logged if serving fails.
pub(crate) fn serve(listener: TcpListener, app: Router, name: &'static str) -> oneshot::Sender<()> {
    let (stop, stopped) = oneshot::channel::<()>();
    let app = app.into_make_service_with_connect_info::<Hangup>();
    tokio::spawn(async move {
        let serve = axum::serve(SimListener(listener), app).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        if let Err(error) = serve.await {
            tracing::warn!(%error, "{name} simulator stopped");
        }
    });
    stop
}

/// A free port on 127.0.0.1 to serve on, and its address.
pub(crate) async fn bind_loopback() -> io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

/// What a started simulator has running: its servers and its ticker. Dropping it stops the
/// servers (gracefully) and the ticker, so a simulator stops when its handle is dropped.
pub(crate) struct Running {
    stops: Vec<oneshot::Sender<()>>,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Serves each `(listener, app)` (`name` is the simulator's, for its log line) and
    /// keeps `ticker`, the task that moves its world, if it ticks.
    pub(crate) fn serve(
        apps: impl IntoIterator<Item = (TcpListener, Router)>,
        name: &'static str,
        ticker: Option<tokio::task::JoinHandle<()>>,
    ) -> Running {
        let stops = apps
            .into_iter()
            .map(|(listener, app)| serve(listener, app, name))
            .collect();
        Running { stops, ticker }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        for stop in self.stops.drain(..) {
            let _ = stop.send(());
        }
        if let Some(ticker) = self.ticker.take() {
            ticker.abort();
        }
    }
}
