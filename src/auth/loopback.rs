//! The loopback listener that catches the platform's redirect (RFC 8252 §7.3): a tiny
//! HTTP/1.1 server on `127.0.0.1:PORT` that lives for one sign-in.
//!
//! What it answers:
//! - `GET /?code=C&state=S`: the code flow. A matching state finishes the sign-in; any other
//!   state gets a refusal page and the listener keeps waiting for the real answer.
//! - `GET /?error=..&state=S`: the user refused on the platform's page (matching state only).
//! - `GET /` without those: the implicit flow, whose token sits in the URL fragment that
//!   browsers never send; the page's script posts the fragment to `/token`.
//! - `POST /token` with the raw fragment (`access_token=..&state=..`): checked like the query.
//! - anything else: 404.
//!
//! One request per connection (`Connection: close`), nothing cached (`Cache-Control:
//! no-store`), pages that never echo what they were sent, and log lines that say only that an
//! answer arrived and whether its state matched.

use std::{
    io,
    net::{Ipv4Addr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use rand::{Rng, distr::Alphanumeric};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::oneshot,
    task::JoinSet,
};
use url::form_urlencoded;

use super::AuthError;
use crate::secret::Secret;

/// The redirect port Stagehand registers with the platforms (`http://localhost:8919/`);
/// platforms match redirect URIs exactly, so it stays fixed unless the user changes it.
pub const DEFAULT_PORT: u16 = 8919;

/// The environment variable that changes the redirect port (as `--port` does).
pub const PORT_ENV_VAR: &str = "STAGEHAND_REDIRECT_PORT";

/// How long the app waits for the user to finish signing in in the browser.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// A request head larger than this is refused (a real redirect is well under 4 KiB).
const MAX_HEAD: usize = 16 * 1024;
/// A `/token` body larger than this is refused.
const MAX_BODY: usize = 16 * 1024;
/// A connection must deliver its whole request within this time (a browser's idle
/// pre-connection is closed after it).
const READ_DEADLINE: Duration = Duration::from_secs(10);
/// Writing an answer may take at most this long.
const WRITE_DEADLINE: Duration = Duration::from_secs(5);
/// Connections served at once; more are closed at once.
const MAX_CONNECTIONS: usize = 64;
/// The longest platform-supplied refusal reason kept in [`AuthError::Denied`].
const MAX_REASON: usize = 200;

/// The redirect URI of a listener on `port`: `http://localhost:PORT/`, the form desktop apps
/// register with Trovo (and Velora). Useful before binding, e.g. to show in the settings.
pub fn loopback_redirect_uri(port: u16) -> String {
    format!("http://localhost:{port}/")
}

/// What the browser brought back from the platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redirect {
    /// Authorization-code flow: `GET /?code=..&state=..`; exchange the code with the client
    /// secret and the same redirect URI.
    Code {
        /// The one-time authorization code.
        code: Secret,
    },
    /// Implicit flow: the token came in the URL fragment and was posted back by the page's
    /// script (or, leniently, in the query).
    Token {
        /// The access token.
        access_token: Secret,
        /// Its lifetime in seconds, when the platform said.
        expires_in: Option<u64>,
        /// The scopes granted (separated by spaces, `+` or `%20` on the wire).
        scopes: Vec<String>,
    },
}

/// A bound loopback socket, ready to catch one sign-in. Binding happens before the browser
/// opens, so a port already in use is reported before the user signs in for nothing.
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    port: u16,
}

impl LoopbackListener {
    /// Binds `127.0.0.1:port` (port 0: any free port, for tests). A port in use is
    /// [`AuthError::PortInUse`], whose message names the port and how to change it.
    pub async fn bind(port: u16) -> Result<Self, AuthError> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| bind_error(port, &e))?;
        let port = listener
            .local_addr()
            .map_err(|e| AuthError::Io(format!("cannot read the listening address: {e}")))?
            .port();
        Ok(LoopbackListener { listener, port })
    }

    /// The port actually bound (the free one chosen when 0 was asked for).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://localhost:PORT/`: the redirect URI to put in the authorize address and, for
    /// the code flow, in the exchange.
    pub fn redirect_uri(&self) -> String {
        loopback_redirect_uri(self.port)
    }

    /// Serves browser requests until one sign-in completes with `expected_state`, `timeout`
    /// passes, or `cancel` fires (a dropped sender counts as a cancel: nobody is left to
    /// use the result). Takes one sign-in only: when this returns, whatever the outcome, the
    /// listening socket and every open connection are closed and the port is free again.
    pub async fn wait(
        self,
        expected_state: &str,
        timeout: Duration,
        mut cancel: oneshot::Receiver<()>,
    ) -> Result<Redirect, AuthError> {
        if expected_state.is_empty() {
            return Err(AuthError::BadUrl("the sign-in has no state".to_owned()));
        }
        let expected: Arc<str> = Arc::from(expected_state);
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        // Dropping the set when this function returns aborts every connection still open.
        let mut connections: JoinSet<Option<Result<Redirect, AuthError>>> = JoinSet::new();
        loop {
            tokio::select! {
                biased;
                Some(joined) = connections.join_next() => match joined {
                    Ok(Some(outcome)) => return outcome,
                    Ok(None) => {}
                    Err(e) => tracing::warn!(panicked = e.is_panic(), "a sign-in connection failed"),
                },
                _ = &mut cancel => return Err(AuthError::Cancelled),
                () = &mut deadline => {
                    tracing::info!("the sign-in timed out");
                    return Err(AuthError::TimedOut { secs: timeout.as_secs() });
                }
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) if connections.len() < MAX_CONNECTIONS => {
                        connections.spawn(serve(stream, expected.clone()));
                    }
                    Ok((stream, _)) => drop(stream),
                    Err(e) => {
                        // Out of file descriptors and the like: pause instead of spinning.
                        tracing::debug!(error = %e, "sign-in listener accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
            }
        }
    }
}

fn bind_error(port: u16, e: &io::Error) -> AuthError {
    match e.kind() {
        io::ErrorKind::AddrInUse => AuthError::PortInUse { port },
        io::ErrorKind::PermissionDenied => AuthError::PortNotAllowed { port },
        _ => AuthError::Io(format!("cannot listen on 127.0.0.1:{port}: {e}")),
    }
}

// ------------------------------------------------------------------ one connection

/// One parsed request: only what routing needs.
#[derive(Debug)]
struct Request {
    method: String,
    path: String,
    query: Option<String>,
    body: Vec<u8>,
}

/// One answer. Pages are static text: nothing from the request is ever echoed.
#[derive(Debug)]
struct Reply {
    status: u16,
    content_type: &'static str,
    body: String,
    /// The script nonce of the relay page.
    nonce: Option<String>,
}

impl Reply {
    fn html(status: u16, body: String) -> Reply {
        Reply {
            status,
            content_type: "text/html; charset=utf-8",
            body,
            nonce: None,
        }
    }

    fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.to_owned(),
            nonce: None,
        }
    }

    fn bytes(&self) -> Vec<u8> {
        let reason = match self.status {
            200 => "OK",
            400 => "Bad Request",
            404 => "Not Found",
            408 => "Request Timeout",
            413 => "Content Too Large",
            431 => "Request Header Fields Too Large",
            501 => "Not Implemented",
            505 => "HTTP Version Not Supported",
            _ => "Error",
        };
        let script = match &self.nonce {
            Some(n) => format!("script-src 'nonce-{n}'; connect-src 'self'; "),
            None => String::new(),
        };
        let head = format!(
            "HTTP/1.1 {} {reason}\r\n\
             Content-Type: {}\r\n\
             Content-Length: {}\r\n\
             Cache-Control: no-store\r\n\
             Pragma: no-cache\r\n\
             Connection: close\r\n\
             X-Content-Type-Options: nosniff\r\n\
             Referrer-Policy: no-referrer\r\n\
             Content-Security-Policy: default-src 'none'; {script}style-src 'unsafe-inline'; \
             base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\n\
             \r\n",
            self.status,
            self.content_type,
            self.body.len(),
        );
        let mut out = head.into_bytes();
        out.extend_from_slice(self.body.as_bytes());
        out
    }
}

/// Reads one request, answers it, and says whether it finished the sign-in.
async fn serve(mut stream: TcpStream, expected: Arc<str>) -> Option<Result<Redirect, AuthError>> {
    let (reply, outcome) =
        match tokio::time::timeout(READ_DEADLINE, read_request(&mut stream)).await {
            Ok(Ok(request)) => route(&request, &expected),
            Ok(Err(reply)) => (reply, None),
            Err(_) => (Reply::text(408, "The request took too long."), None),
        };
    // A browser that went away before reading the answer does not undo a finished sign-in.
    let write = async {
        stream.write_all(&reply.bytes()).await?;
        stream.shutdown().await
    };
    if let Err(e) = tokio::time::timeout(WRITE_DEADLINE, write)
        .await
        .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into()))
    {
        tracing::debug!(error = %e, "could not answer a sign-in request");
    }
    outcome
}

/// Reads a request head and a `Content-Length` body; a malformed or oversized request is
/// the error answer to send.
async fn read_request(stream: &mut TcpStream) -> Result<Request, Reply> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = find_head_end(&buf) {
            break end;
        }
        if buf.len() > MAX_HEAD {
            return Err(Reply::text(431, "The request head is too large."));
        }
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|_| Reply::text(400, "The request could not be read."))?;
        if n == 0 {
            return Err(Reply::text(400, "The request ended early."));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let (head_len, separator_len) = head_end;
    let head = std::str::from_utf8(&buf[..head_len])
        .map_err(|_| Reply::text(400, "The request head is not text."))?;
    let (method, target, length) = parse_head(head)?;
    if length > MAX_BODY {
        return Err(Reply::text(413, "The request body is too large."));
    }
    let mut body = buf[head_len + separator_len..].to_vec();
    while body.len() < length {
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|_| Reply::text(400, "The request body could not be read."))?;
        if n == 0 {
            return Err(Reply::text(400, "The request body ended early."));
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    let (path, query) = split_target(&target)?;
    Ok(Request {
        method,
        path,
        query,
        body,
    })
}

/// Where the head ends: (its length, the length of the blank line after it). Accepts bare
/// `\n` line ends as well as `\r\n`.
fn find_head_end(buf: &[u8]) -> Option<(usize, usize)> {
    let crlf = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, 4));
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// The method, the request target and the body length of a request head.
fn parse_head(head: &str) -> Result<(String, String, usize), Reply> {
    let bad = || Reply::text(400, "The request is malformed.");
    let mut lines = head.lines();
    let request_line = lines.next().ok_or_else(bad)?;
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if !version.starts_with("HTTP/1.") {
        return Err(Reply::text(505, "Only HTTP/1.x is served here."));
    }
    let mut length: Option<usize> = None;
    for line in lines {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        let (name, value) = line.split_once(':').ok_or_else(bad)?;
        let (name, value) = (name.trim(), value.trim());
        if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(Reply::text(501, "Chunked bodies are not accepted here."));
        }
        if name.eq_ignore_ascii_case("content-length") {
            let n: usize = value.parse().map_err(|_| bad())?;
            if length.is_some_and(|old| old != n) {
                return Err(bad());
            }
            length = Some(n);
        }
    }
    Ok((method.to_owned(), target.to_owned(), length.unwrap_or(0)))
}

/// Splits an origin-form (`/path?query`) or absolute-form target into path and query; a
/// fragment, should a client send one, is dropped.
fn split_target(target: &str) -> Result<(String, Option<String>), Reply> {
    let target = target.split('#').next().unwrap_or("");
    if target.starts_with('/') {
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p, Some(q.to_owned())),
            None => (target, None),
        };
        return Ok((path.to_owned(), query));
    }
    let url = url::Url::parse(target).map_err(|_| Reply::text(400, "The request is malformed."))?;
    Ok((url.path().to_owned(), url.query().map(str::to_owned)))
}

// ------------------------------------------------------------------ routing

/// What one request means for the sign-in: the answer to send, and `Some` when it ends the
/// wait. Pure, so every branch is tested without a socket.
fn route(request: &Request, expected: &str) -> (Reply, Option<Result<Redirect, AuthError>>) {
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/") => {
            let pairs = parse_pairs(request.query.as_deref().unwrap_or("").as_bytes());
            let is_answer = ["code", "access_token", "error"]
                .iter()
                .any(|k| first(&pairs, k).is_some());
            if !is_answer {
                // The implicit flow's token is in the fragment: hand it back with a script.
                tracing::debug!("sign-in relay page served");
                return (relay_page(), None);
            }
            let (verdict, outcome) = judge(&pairs, expected);
            let reply = match verdict {
                Verdict::Accepted => Reply::html(200, SIGNED_IN_PAGE.to_owned()),
                Verdict::Refused => Reply::html(400, REFUSED_PAGE.to_owned()),
                Verdict::Denied => Reply::html(200, DENIED_PAGE.to_owned()),
                Verdict::Incomplete => Reply::html(400, INCOMPLETE_PAGE.to_owned()),
            };
            (reply, outcome)
        }
        ("POST", "/token") => {
            let raw = request.body.strip_prefix(b"#").unwrap_or(&request.body);
            let pairs = parse_pairs(raw);
            let (verdict, outcome) = judge(&pairs, expected);
            let reply = match verdict {
                Verdict::Accepted => Reply::text(200, "ok"),
                Verdict::Refused => Reply::text(400, REFUSED_TEXT),
                Verdict::Denied => Reply::text(400, DENIED_TEXT),
                Verdict::Incomplete => Reply::text(400, INCOMPLETE_TEXT),
            };
            (reply, outcome)
        }
        _ => (Reply::text(404, "Not found."), None),
    }
}

/// How an answer from the platform was taken.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// State matched, and a code or token came: signed in.
    Accepted,
    /// State missing or wrong: not from this sign-in; ignored, keep waiting.
    Refused,
    /// State matched and the platform reported an error (the user refused).
    Denied,
    /// State matched but nothing usable came.
    Incomplete,
}

/// Judges the parameters of an answer (a query or a posted fragment).
fn judge(
    pairs: &[(String, String)],
    expected: &str,
) -> (Verdict, Option<Result<Redirect, AuthError>>) {
    let matched = first(pairs, "state").is_some_and(|s| same_state(s, expected));
    // Only the fact and the match are logged: never the query, a code or a token.
    tracing::info!(state_matched = matched, "sign-in redirect arrived");
    if !matched {
        return (Verdict::Refused, None);
    }
    if let Some(error) = first(pairs, "error") {
        let description = first(pairs, "error_description").unwrap_or("");
        let reason = clean_reason(if description.trim().is_empty() {
            error
        } else {
            description
        });
        return (Verdict::Denied, Some(Err(AuthError::Denied { reason })));
    }
    if let Some(code) = first(pairs, "code").filter(|c| !c.is_empty()) {
        let redirect = Redirect::Code {
            code: Secret::new(code),
        };
        return (Verdict::Accepted, Some(Ok(redirect)));
    }
    if let Some(token) = first(pairs, "access_token").filter(|t| !t.is_empty()) {
        let redirect = Redirect::Token {
            access_token: Secret::new(token),
            expires_in: first(pairs, "expires_in").and_then(|v| v.trim().parse().ok()),
            scopes: first(pairs, "scope").map(split_scopes).unwrap_or_default(),
        };
        return (Verdict::Accepted, Some(Ok(redirect)));
    }
    (Verdict::Incomplete, Some(Err(AuthError::Incomplete)))
}

fn parse_pairs(raw: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(raw).into_owned().collect()
}

/// The first value of `key` (a repeated key cannot override the first).
fn first<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Scopes as sent: form decoding already turned `+` and `%20` into spaces; a literal `+`
/// left over (sent as `%2B`) separates too.
fn split_scopes(raw: &str) -> Vec<String> {
    raw.split([' ', '+'])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Compares states without stopping at the first difference.
fn same_state(got: &str, expected: &str) -> bool {
    let (a, b) = (got.as_bytes(), expected.as_bytes());
    !b.is_empty()
        && a.len() == b.len()
        && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The platform's reason, safe to show and log: printable, single-line, bounded.
fn clean_reason(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_REASON)
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if cleaned.is_empty() {
        "access_denied".to_owned()
    } else {
        cleaned
    }
}

// ------------------------------------------------------------------ pages

/// A complete static page around `$body`.
macro_rules! page {
    ($title:literal, $body:literal) => {
        concat!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width\">",
            "<title>Stagehand · ",
            $title,
            "</title><style>body{font-family:system-ui,sans-serif;max-width:32em;",
            "margin:4em auto;padding:0 1em;line-height:1.5}</style></head><body>",
            $body,
            "</body></html>"
        )
    };
}

const REFUSED_TEXT: &str = "Sign-in refused: this answer did not come from the sign-in \
Stagehand started (state mismatch), so it was ignored and nothing was exchanged.";
const DENIED_TEXT: &str = "The sign-in was cancelled on the platform's page. You can close \
this tab and start again from Stagehand.";
const INCOMPLETE_TEXT: &str = "The platform's answer held no sign-in code or token. Start the \
sign-in again from Stagehand.";

const SIGNED_IN_PAGE: &str = page!(
    "Signed in",
    "<h1>Signed in</h1><p>Signed in to Stagehand. You can close this tab.</p>"
);
const REFUSED_PAGE: &str = page!(
    "Sign-in refused",
    "<h1>Sign-in refused</h1><p>This answer did not come from the sign-in Stagehand started \
     (state mismatch), so it was ignored and nothing was exchanged.</p><p>If you are signing \
     in, finish it in the tab Stagehand opened.</p>"
);
const DENIED_PAGE: &str = page!(
    "Sign-in cancelled",
    "<h1>Sign-in cancelled</h1><p>The sign-in was cancelled on the platform's page. You can \
     close this tab and start again from Stagehand.</p>"
);
const INCOMPLETE_PAGE: &str = page!(
    "Sign-in failed",
    "<h1>Sign-in failed</h1><p>The platform's answer held no sign-in code or token. Start the \
     sign-in again from Stagehand.</p>"
);

/// The implicit flow's page: posts the fragment (`location.hash` without the `#`) to
/// `/token` and shows the outcome. It never shows the token, and it drops the fragment from
/// the address bar and history first.
fn relay_page() -> Reply {
    let nonce: String = rand::rng()
        .sample_iter(Alphanumeric)
        .take(22)
        .map(char::from)
        .collect();
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>Stagehand · Signing in</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32em;margin:4em auto;\
         padding:0 1em;line-height:1.5}}</style></head><body>\
         <p id=\"msg\">Finishing the sign-in…</p>\
         <noscript><p>This page needs JavaScript to hand the sign-in to Stagehand.</p></noscript>\
         <script nonce=\"{nonce}\">\n\
         (function () {{\n\
           var msg = document.getElementById('msg');\n\
           var fragment = location.hash.substring(1);\n\
           history.replaceState(null, '', location.pathname);\n\
           if (!fragment) {{\n\
             msg.textContent = 'No sign-in answer reached this page. Start the sign-in again from Stagehand.';\n\
             return;\n\
           }}\n\
           fetch('/token', {{ method: 'POST', headers: {{ 'Content-Type': 'text/plain' }}, body: fragment }})\n\
             .then(function (r) {{\n\
               return r.text().then(function (t) {{\n\
                 msg.textContent = r.ok ? 'Signed in to Stagehand. You can close this tab.' : t;\n\
               }});\n\
             }})\n\
             .catch(function () {{\n\
               msg.textContent = 'Stagehand is no longer waiting for this sign-in. Start it again from Stagehand.';\n\
             }});\n\
         }})();\n\
         </script></body></html>"
    );
    Reply {
        nonce: Some(nonce),
        ..Reply::html(200, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(query: Option<&str>) -> Request {
        Request {
            method: "GET".into(),
            path: "/".into(),
            query: query.map(str::to_owned),
            body: Vec::new(),
        }
    }

    fn post(body: &str) -> Request {
        Request {
            method: "POST".into(),
            path: "/token".into(),
            query: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_matching_code_finishes_and_a_wrong_state_does_not() {
        let (reply, outcome) = route(&get(Some("code=C1&state=S")), "S");
        assert_eq!(reply.status, 200);
        assert_eq!(
            outcome,
            Some(Ok(Redirect::Code {
                code: Secret::new("C1")
            }))
        );
        for q in [
            "code=C1&state=T",
            "code=C1",
            "code=C1&state=",
            "code=C1&state=SS",
        ] {
            let (reply, outcome) = route(&get(Some(q)), "S");
            assert_eq!(reply.status, 400, "{q}");
            assert!(reply.body.contains("state mismatch"));
            assert!(!reply.body.contains("C1"));
            assert!(outcome.is_none(), "{q}");
        }
        // An empty expected state never matches an empty one.
        assert!(route(&get(Some("code=C1&state=")), "").1.is_none());
    }

    #[test]
    fn an_error_with_the_state_is_a_denial_and_without_it_is_ignored() {
        let (_, outcome) = route(
            &get(Some(
                "error=access_denied&error_description=User+said+no%0A&state=S",
            )),
            "S",
        );
        assert_eq!(
            outcome,
            Some(Err(AuthError::Denied {
                reason: "User said no".into()
            }))
        );
        assert!(
            route(&get(Some("error=access_denied&state=X")), "S")
                .1
                .is_none()
        );
    }

    #[test]
    fn the_bare_root_is_the_relay_page_that_never_echoes() {
        for q in [None, Some(""), Some("utm=1")] {
            let (reply, outcome) = route(&get(q), "S");
            assert_eq!(reply.status, 200);
            assert!(reply.body.contains("location.hash"));
            assert!(reply.body.contains("fetch('/token'"));
            assert!(reply.body.contains("method: 'POST'"));
            assert!(outcome.is_none());
            let nonce = reply.nonce.clone().expect("a nonce");
            assert!(String::from_utf8_lossy(&reply.bytes()).contains(&format!("'nonce-{nonce}'")));
        }
    }

    #[test]
    fn a_posted_fragment_gives_the_token_and_its_scopes() {
        let (reply, outcome) = route(
            &post("access_token=T0K&expires_in=864000&scope=a+b%20c%2Bd&state=S&token_type=OAuth"),
            "S",
        );
        assert_eq!((reply.status, reply.body.as_str()), (200, "ok"));
        assert_eq!(
            outcome,
            Some(Ok(Redirect::Token {
                access_token: Secret::new("T0K"),
                expires_in: Some(864_000),
                scopes: vec!["a".into(), "b".into(), "c".into(), "d".into()],
            }))
        );
        let (reply, outcome) = route(&post("#access_token=T0K&state=bad"), "S");
        assert_eq!(reply.status, 400);
        assert!(reply.body.contains("state mismatch") && !reply.body.contains("T0K"));
        assert!(outcome.is_none());
        let (_, outcome) = route(&post("state=S&token_type=OAuth"), "S");
        assert_eq!(outcome, Some(Err(AuthError::Incomplete)));
        // The reference's example carries the token in the query: accepted too.
        let (_, outcome) = route(&get(Some("access_token=Q&expires_in=x&state=S")), "S");
        assert!(matches!(
            outcome,
            Some(Ok(Redirect::Token {
                expires_in: None,
                ..
            }))
        ));
    }

    #[test]
    fn anything_else_is_not_found() {
        let mut favicon = get(None);
        favicon.path = "/favicon.ico".into();
        assert_eq!(route(&favicon, "S").0.status, 404);
        let mut get_token = post("access_token=T&state=S");
        get_token.method = "GET".into();
        assert_eq!(route(&get_token, "S").0.status, 404);
    }

    #[test]
    fn heads_are_parsed_strictly_enough() {
        let ok = parse_head("POST /token HTTP/1.1\r\nHost: x\r\ncontent-length: 12").expect("ok");
        assert_eq!(ok, ("POST".into(), "/token".into(), 12));
        assert_eq!(
            parse_head("GET / HTTP/2").err().map(|r| r.status),
            Some(505)
        );
        assert_eq!(parse_head("GET /").err().map(|r| r.status), Some(400));
        assert_eq!(parse_head("").err().map(|r| r.status), Some(400));
        assert_eq!(
            parse_head("POST / HTTP/1.1\r\nTransfer-Encoding: chunked")
                .err()
                .map(|r| r.status),
            Some(501)
        );
        assert_eq!(
            parse_head("POST / HTTP/1.1\r\nContent-Length: -1")
                .err()
                .map(|r| r.status),
            Some(400)
        );
        assert_eq!(
            split_target("http://localhost:1/?code=a#x").ok(),
            Some(("/".into(), Some("code=a".into())))
        );
        assert_eq!(find_head_end(b"GET / HTTP/1.1\n\nrest"), Some((14, 2)));
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\n\r\n"), Some((14, 4)));
    }

    #[test]
    fn every_answer_forbids_caching_and_closes() {
        for reply in [relay_page(), Reply::text(404, "Not found.")] {
            let text = String::from_utf8(reply.bytes()).expect("utf-8");
            assert!(text.contains("\r\nCache-Control: no-store\r\n"));
            assert!(text.contains("\r\nConnection: close\r\n"));
        }
    }
}
