//! The sign-in loopback listener over real HTTP on loopback: a reqwest "browser" (redirects
//! followed by hand) goes from the simulated Trovo consent page to the listener, for the code
//! flow, the implicit flow, forged answers, denial, timeout, cancel and a busy port.

use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode, redirect::Policy};
use stagehand::auth::{AuthError, LoopbackListener, Redirect, ResponseType, random_state};
use stagehand::platform::trovo::TrovoClient;
use stagehand::platform::trovo::TrovoConfig;
use stagehand::platform::trovo::trovo_authorize_url;
use stagehand::secret::Secret;
use stagehand::sim::trovo::{SimOptions, SimUser, TrovoSim};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::oneshot,
    task::JoinHandle,
};
use url::Url;

const SCOPES: [&str; 2] = ["user_details_self", "channel_details_self"];
/// Longest any single step may take before the test fails instead of hanging.
const STEP: Duration = Duration::from_secs(5);

/// A sign-in in progress: the listener waiting in a task, and a simulator that registered
/// the listener's redirect URI.
struct SignIn {
    sim: TrovoSim,
    port: u16,
    redirect_uri: String,
    state: String,
    wait: JoinHandle<Result<Redirect, AuthError>>,
    cancel: oneshot::Sender<()>,
}

async fn sign_in(timeout: Duration) -> SignIn {
    let listener = LoopbackListener::bind(0).await.expect("a free port");
    let port = listener.port();
    let redirect_uri = listener.redirect_uri();
    assert_eq!(redirect_uri, format!("http://localhost:{port}/"));
    let sim = TrovoSim::start(SimOptions {
        redirect_uri: redirect_uri.clone(),
        ..SimOptions::default()
    })
    .await
    .expect("the simulator starts");
    let state = random_state();
    let (cancel, cancelled) = oneshot::channel();
    let expected = state.clone();
    let wait = tokio::spawn(async move { listener.wait(&expected, timeout, cancelled).await });
    SignIn {
        sim,
        port,
        redirect_uri,
        state,
        wait,
        cancel,
    }
}

impl SignIn {
    fn authorize_url(&self, response_type: ResponseType) -> Url {
        trovo_authorize_url(
            &self.sim.auth_page_url(),
            TrovoSim::CLIENT_ID,
            response_type,
            &SCOPES,
            &self.redirect_uri,
            &self.state,
        )
        .expect("an authorize address")
    }

    /// What `wait` returned (failing instead of hanging if it does not return).
    async fn outcome(self) -> (Result<Redirect, AuthError>, TrovoSim, String, u16) {
        let result = tokio::time::timeout(STEP, self.wait)
            .await
            .expect("wait returns")
            .expect("wait does not panic");
        drop(self.cancel);
        (result, self.sim, self.redirect_uri, self.port)
    }
}

fn browser() -> Client {
    Client::builder()
        .redirect(Policy::none())
        .timeout(STEP)
        .build()
        .expect("client")
}

fn client(sim: &TrovoSim, access_token: Option<&Secret>) -> TrovoClient {
    let mut c = TrovoConfig::new(&sim.api_base(), TrovoSim::CLIENT_ID).expect("loopback base");
    c.client_secret = Some(Secret::new(TrovoSim::CLIENT_SECRET));
    c.access_token = access_token.cloned();
    TrovoClient::new(c).expect("client")
}

/// Opens the consent page at `url` and clicks the link `button` ("as-streamer", "deny"),
/// returning where the platform redirects the browser.
async fn consent(sim: &TrovoSim, url: &Url, button: &str) -> Url {
    let b = browser();
    let page = b.get(url.clone()).send().await.expect("consent page");
    assert_eq!(page.status(), StatusCode::OK, "the sim accepts the address");
    let html = page.text().await.expect("html");
    for scope in SCOPES {
        assert!(
            html.contains(&format!("<li>{scope}</li>")),
            "{scope} listed"
        );
    }
    let marker = format!("id=\"{button}\" href=\"");
    let start = html.find(&marker).expect("the button") + marker.len();
    let len = html[start..].find('"').expect("end of href");
    let href = html[start..start + len].replace("&amp;", "&");
    let go = b
        .get(format!("{}{href}", sim.origin()))
        .send()
        .await
        .expect("authorize");
    assert_eq!(go.status(), StatusCode::FOUND);
    let location = go.headers()["location"].to_str().expect("location");
    Url::parse(location).expect("a redirect address")
}

/// The request a browser makes for `location` (a browser never sends the fragment).
async fn deliver(location: &Url) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut target = location.clone();
    target.set_fragment(None);
    let r = browser()
        .get(target)
        .send()
        .await
        .expect("the listener answers");
    let (status, headers) = (r.status(), r.headers().clone());
    (status, headers, r.text().await.expect("body"))
}

fn pair(url_part: &str, key: &str) -> String {
    url::form_urlencoded::parse(url_part.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("{key} missing"))
}

async fn port_is_closed(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).await.is_err()
}

// ---------------------------------------------------------------- flows

#[tokio::test]
async fn code_flow_signs_in_as_the_streamer() {
    let s = sign_in(STEP).await;
    let location = consent(&s.sim, &s.authorize_url(ResponseType::Code), "as-streamer").await;
    assert!(location.as_str().starts_with(&s.redirect_uri));
    let sent_code = pair(location.query().expect("a query"), "code");
    let (status, headers, body) = deliver(&location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Signed in to Stagehand. You can close this tab."));
    assert!(!body.contains(&sent_code), "the page never echoes the code");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["connection"], "close");

    let (result, sim, redirect_uri, port) = s.outcome().await;
    let Ok(Redirect::Code { code }) = result else {
        panic!("expected a code, got {result:?}");
    };
    assert_eq!(code.expose(), sent_code);
    assert!(port_is_closed(port).await, "the listener stopped");
    let c = client(&sim, None);
    c.exchange_code(code.expose(), &redirect_uri)
        .await
        .expect("the code exchanges");
    let me = c.user_info().await.expect("signed in");
    assert_eq!(me.id, sim.streamer().user_id);
}

#[tokio::test]
async fn implicit_flow_hands_the_fragment_back_and_the_token_works() {
    let s = sign_in(STEP).await;
    let location = consent(&s.sim, &s.authorize_url(ResponseType::Token), "as-streamer").await;
    let fragment = location.fragment().expect("a fragment").to_owned();
    let token = pair(&fragment, "access_token");

    let (status, headers, page) = deliver(&location).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "no-store");
    assert!(page.contains("<script"));
    assert!(page.contains("location.hash"));
    assert!(page.contains("fetch('/token'"));
    assert!(page.contains("method: 'POST'"));
    assert!(!page.contains(&token), "the page never shows the token");

    // What the page's script does.
    let posted = browser()
        .post(format!("{}token", s.redirect_uri))
        .header("content-type", "text/plain")
        .body(fragment)
        .send()
        .await
        .expect("the listener takes the fragment");
    assert_eq!(posted.status(), StatusCode::OK);
    assert_eq!(posted.headers()["connection"], "close");
    assert_eq!(posted.text().await.expect("body"), "ok");

    let (result, sim, _, port) = s.outcome().await;
    let Ok(Redirect::Token {
        access_token,
        expires_in,
        scopes,
    }) = result
    else {
        panic!("expected a token, got {result:?}");
    };
    assert_eq!(access_token.expose(), token);
    assert_eq!(expires_in, Some(864_000));
    assert_eq!(scopes, SCOPES);
    assert!(port_is_closed(port).await, "the listener stopped");
    let info = client(&sim, Some(&access_token))
        .validate()
        .await
        .expect("the token works");
    assert_eq!(info.user_id, sim.streamer().user_id);
}

#[tokio::test]
async fn forged_answers_are_refused_and_the_real_one_still_signs_in() {
    let s = sign_in(STEP).await;
    // A genuine code of another account, planted by a page that does not know the state.
    let planted = s
        .sim
        .issue_auth_code(SimUser::Viewer, &["user_details_self"], &s.redirect_uri);
    let base = Url::parse(&s.redirect_uri).expect("url");
    for query in [
        format!("code={planted}&state=not-the-state"),
        format!("code={planted}"),
        format!("code={planted}&state="),
        "error=access_denied&state=not-the-state".to_owned(),
    ] {
        let mut forged = base.clone();
        forged.set_query(Some(&query));
        let (status, headers, body) = deliver(&forged).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(body.contains("Sign-in refused"), "{query}: {body}");
        assert!(body.contains("state mismatch"));
        assert!(!body.contains(&planted));
        assert_eq!(headers["connection"], "close");
    }
    let posted = browser()
        .post(format!("{}token", s.redirect_uri))
        .body("access_token=forged&state=not-the-state")
        .send()
        .await
        .expect("answer");
    assert_eq!(posted.status(), StatusCode::BAD_REQUEST);
    assert!(
        posted
            .text()
            .await
            .expect("text")
            .contains("state mismatch")
    );
    let favicon = browser()
        .get(format!("{}favicon.ico", s.redirect_uri))
        .send()
        .await
        .expect("answer");
    assert_eq!(favicon.status(), StatusCode::NOT_FOUND);
    assert_eq!(favicon.headers()["cache-control"], "no-store");
    assert!(!s.wait.is_finished(), "still waiting for the real answer");

    let location = consent(&s.sim, &s.authorize_url(ResponseType::Code), "as-streamer").await;
    let (status, _, _) = deliver(&location).await;
    assert_eq!(status, StatusCode::OK);
    let (result, sim, redirect_uri, _) = s.outcome().await;
    let Ok(Redirect::Code { code }) = result else {
        panic!("expected a code, got {result:?}");
    };
    assert_ne!(code.expose(), planted);
    let c = client(&sim, None);
    c.exchange_code(code.expose(), &redirect_uri)
        .await
        .expect("exchange");
    assert_eq!(c.user_info().await.expect("me").id, sim.streamer().user_id);
    // Nothing used the planted code: it is still good (for the viewer it was issued to).
    let other = client(&sim, None);
    other
        .exchange_code(&planted, &redirect_uri)
        .await
        .expect("the planted code was never exchanged");
    assert_eq!(
        other.user_info().await.expect("viewer").id,
        sim.viewer_user().user_id
    );
}

#[tokio::test]
async fn cancelling_on_the_consent_page_is_a_denial() {
    let s = sign_in(STEP).await;
    let location = consent(&s.sim, &s.authorize_url(ResponseType::Code), "deny").await;
    let (status, _, body) = deliver(&location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("cancelled"), "{body}");
    let (result, ..) = s.outcome().await;
    assert!(
        matches!(&result, Err(AuthError::Denied { reason }) if reason == "access_denied"),
        "{result:?}"
    );
}

#[tokio::test]
async fn malformed_requests_get_400_and_do_not_stop_the_sign_in() {
    let s = sign_in(STEP).await;
    for raw in [
        &b"\x00\x01\x02 garbage\r\n\r\n"[..],
        b"GET /?code=x HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
        b"POST /token HTTP/1.1\r\nContent-Length: 999999\r\n\r\n",
    ] {
        let mut conn = TcpStream::connect(("127.0.0.1", s.port))
            .await
            .expect("connect");
        conn.write_all(raw).await.expect("send");
        let mut answer = Vec::new();
        tokio::time::timeout(STEP, conn.read_to_end(&mut answer))
            .await
            .expect("answered in time")
            .expect("read");
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.starts_with("HTTP/1.1 400") || answer.starts_with("HTTP/1.1 413"),
            "{answer}"
        );
        assert!(answer.contains("Connection: close"));
    }
    let location = consent(&s.sim, &s.authorize_url(ResponseType::Code), "as-streamer").await;
    deliver(&location).await;
    let (result, ..) = s.outcome().await;
    assert!(matches!(result, Ok(Redirect::Code { .. })), "{result:?}");
}

// ---------------------------------------------------------------- ending without a sign-in

#[tokio::test]
async fn a_timeout_ends_the_wait_closes_idle_connections_and_frees_the_port() {
    let listener = LoopbackListener::bind(0).await.expect("bind");
    let port = listener.port();
    // A browser's idle pre-connection must not keep the listener alive.
    let mut idle = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let (_keep, cancel) = oneshot::channel::<()>();
    let started = Instant::now();
    let result = listener
        .wait(&random_state(), Duration::from_millis(200), cancel)
        .await;
    let elapsed = started.elapsed();
    assert!(
        matches!(result, Err(AuthError::TimedOut { .. })),
        "{result:?}"
    );
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    let message = result.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("timed out"), "{message}");
    let mut buf = [0u8; 16];
    let closed = tokio::time::timeout(STEP, idle.read(&mut buf))
        .await
        .expect("the idle connection is closed");
    assert!(matches!(closed, Ok(0) | Err(_)));
    assert!(port_is_closed(port).await);
    LoopbackListener::bind(port)
        .await
        .expect("the port is free again");
}

#[tokio::test]
async fn cancel_ends_the_wait_at_once_and_frees_the_port() {
    let s = sign_in(Duration::from_secs(60)).await;
    let page = browser()
        .get(&s.redirect_uri)
        .send()
        .await
        .expect("relay page");
    assert_eq!(page.status(), StatusCode::OK);
    let started = Instant::now();
    s.cancel.send(()).expect("still waiting");
    let result = tokio::time::timeout(STEP, s.wait)
        .await
        .expect("returns")
        .expect("no panic");
    assert_eq!(result, Err(AuthError::Cancelled));
    assert!(started.elapsed() < Duration::from_secs(2));
    LoopbackListener::bind(s.port)
        .await
        .expect("the port is free again");

    // Nobody left to cancel (the sender dropped) counts as a cancel too.
    let listener = LoopbackListener::bind(0).await.expect("bind");
    let (gone, cancel) = oneshot::channel::<()>();
    drop(gone);
    let result = listener
        .wait("state", Duration::from_secs(60), cancel)
        .await;
    assert_eq!(result, Err(AuthError::Cancelled));
}

#[tokio::test]
async fn a_port_in_use_is_named_in_the_error() {
    let holder = LoopbackListener::bind(0).await.expect("bind");
    let port = holder.port();
    let err = LoopbackListener::bind(port)
        .await
        .expect_err("the port is taken");
    assert_eq!(err, AuthError::PortInUse { port });
    let message = err.to_string();
    assert!(message.contains(&port.to_string()), "{message}");
    assert!(message.contains("--port"), "{message}");
    assert!(message.contains("STAGEHAND_REDIRECT_PORT"), "{message}");
}

// ---------------------------------------------------------------- the authorize address

#[test]
fn the_authorize_address_keeps_plus_signs_and_the_exact_redirect() {
    let redirect = "http://localhost:8919/";
    let build = |state: &str, response_type| {
        trovo_authorize_url(
            "https://open.trovo.live/page/login.html",
            "my-client",
            response_type,
            &["user_details_self", "chat_send_self", "channel_update_self"],
            redirect,
            state,
        )
        .expect("url")
    };
    let (first, second) = (random_state(), random_state());
    assert!(first.len() >= 32, "{first}");
    assert_ne!(first, second);
    let url = build(&first, ResponseType::Code);
    let raw = url.as_str();
    assert!(raw.starts_with("https://open.trovo.live/page/login.html?client_id=my-client&"));
    assert!(
        raw.contains("&scope=user_details_self+chat_send_self+channel_update_self&"),
        "{raw}"
    );
    assert!(!raw.contains("%2B") && !raw.contains("%20"), "{raw}");
    assert!(raw.contains("&response_type=code&"), "{raw}");
    let q = url.query().expect("query");
    assert_eq!(pair(q, "redirect_uri"), redirect);
    assert_eq!(pair(q, "state"), first);
    let url = build(&second, ResponseType::Token);
    assert!(url.as_str().contains("&response_type=token&"));
    assert_eq!(pair(url.query().expect("query"), "state"), second);
}
