//! `stagehand trovo login` and `logout` as a script would run them: the real binary prints
//! the sign-in address first, the "browser" (reqwest here) goes through the simulator's
//! consent page, and the redirect lands on the binary's loopback listener.

use reqwest::redirect::Policy;
use stagehand::auth::loopback_redirect_uri;
use stagehand::sim::trovo::{SimOptions, TrovoSim};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

const BIN: &str = env!("CARGO_BIN_EXE_stagehand");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn command(sim: &TrovoSim, secret: bool) -> tokio::process::Command {
    let mut cmd = command_with_store(sim, secret);
    // No credential store in these tests: the sign-in is kept in memory and said so.
    cmd.env_remove("DBUS_SESSION_BUS_ADDRESS");
    cmd
}

/// The binary with the session's credential store, if it has one.
fn command_with_store(sim: &TrovoSim, secret: bool) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.env_remove("RUST_LOG")
        .env_remove("STAGEHAND_TROVO_ACCESS_TOKEN")
        .env_remove("STAGEHAND_TROVO_REFRESH_TOKEN")
        .env_remove("STAGEHAND_REDIRECT_PORT")
        .env("STAGEHAND_TROVO_API", sim.api_base())
        .env("STAGEHAND_TROVO_AUTH_URL", sim.auth_page_url())
        .env("STAGEHAND_TROVO_CLIENT_ID", TrovoSim::CLIENT_ID);
    if secret {
        cmd.env("STAGEHAND_TROVO_CLIENT_SECRET", TrovoSim::CLIENT_SECRET);
    } else {
        cmd.env_remove("STAGEHAND_TROVO_CLIENT_SECRET");
    }
    cmd
}

/// What a browser does with the sign-in address: open the consent page, click "as the
/// streamer", follow the redirect to the loopback listener.
async fn approve(sim: &TrovoSim, address: &str) -> String {
    let browser = reqwest::Client::builder()
        .redirect(Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let html = browser
        .get(address)
        .send()
        .await
        .expect("consent page")
        .text()
        .await
        .expect("html");
    let marker = "id=\"as-streamer\" href=\"";
    let start = html.find(marker).expect("the approve link") + marker.len();
    let end = start + html[start..].find('"').expect("end of link");
    let href = html[start..end].replace("&amp;", "&");
    let go = browser
        .get(format!("{}{href}", sim.origin()))
        .send()
        .await
        .expect("authorize");
    let mut target =
        url::Url::parse(go.headers()["location"].to_str().expect("location")).expect("redirect");
    let fragment = target.fragment().map(str::to_owned);
    target.set_fragment(None);
    let page = browser.get(target.clone()).send().await.expect("listener");
    assert!(page.status().is_success());
    match fragment {
        // The implicit flow: the page's script posts the fragment back.
        Some(f) => browser
            .post(target.join("/token").expect("token url"))
            .body(f)
            .send()
            .await
            .expect("token post")
            .text()
            .await
            .expect("answer"),
        None => page.text().await.expect("page"),
    }
}

async fn login(secret: bool) -> (std::process::ExitStatus, String, String, String) {
    let port = free_port();
    let sim = TrovoSim::start(SimOptions {
        redirect_uri: loopback_redirect_uri(port),
        ..Default::default()
    })
    .await
    .expect("simulator");
    login_on(&sim, port, command(&sim, secret)).await
}

async fn login_on(
    sim: &TrovoSim,
    port: u16,
    mut cmd: tokio::process::Command,
) -> (std::process::ExitStatus, String, String, String) {
    let mut child = cmd
        .args([
            "--json",
            "trovo",
            "login",
            "--no-browser",
            "--port",
            &port.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout);
    let mut first = String::new();
    tokio::time::timeout(Duration::from_secs(20), lines.read_line(&mut first))
        .await
        .expect("the address comes first")
        .expect("a line");
    let page = approve(sim, first.trim()).await;
    let mut rest = String::new();
    lines.read_to_string(&mut rest).await.expect("the rest");
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        e.read_to_string(&mut err).await.expect("stderr");
    }
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("the binary ends")
        .expect("status");
    assert!(!page.is_empty());
    (status, first, rest, err)
}

#[tokio::test(flavor = "multi_thread")]
async fn login_with_a_client_secret_uses_the_code_flow_and_prints_who_signed_in() {
    let (status, first, rest, err) = login(true).await;
    assert!(status.success(), "stderr: {err}");
    assert!(first.contains("response_type=code"), "{first}");
    assert!(first.contains("scope=user_details_self+"), "{first}");
    let v: serde_json::Value = serde_json::from_str(rest.trim()).expect("one JSON document");
    assert_eq!(v["signed_in"], true);
    assert!(v["id"].is_string() && v["name"].is_string() && v["display_name"].is_string());
    assert!(
        err.contains("lasts only for this process"),
        "without a credential store the user is told: {err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn login_without_a_secret_uses_the_implicit_flow() {
    let (status, first, rest, err) = login(false).await;
    assert!(status.success(), "stderr: {err}");
    assert!(first.contains("response_type=token"), "{first}");
    let v: serde_json::Value = serde_json::from_str(rest.trim()).expect("one JSON document");
    assert_eq!(v["signed_in"], true);
    for output in [&first, &rest, &err] {
        assert!(!output.contains("access_token="), "no token is printed");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_with_nothing_stored_succeeds() {
    let sim = TrovoSim::start(SimOptions::default())
        .await
        .expect("simulator");
    let out = command(&sim, true)
        .args(["--json", "trovo", "logout"])
        .output()
        .await
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["signed_out"], true);
}

/// Signed in once, still signed in on the next run (from the keyring, not the environment),
/// and signed out for good. Needs a Secret Service: `.ci/keyring-test` provides one.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a Secret Service; .ci/run provides one"]
async fn the_sign_in_survives_a_restart_on_the_keyring_and_logout_removes_it() {
    let port = free_port();
    let sim = TrovoSim::start(SimOptions {
        redirect_uri: loopback_redirect_uri(port),
        ..Default::default()
    })
    .await
    .expect("simulator");
    let (status, _, rest, err) = login_on(&sim, port, command_with_store(&sim, true)).await;
    assert!(status.success(), "stderr: {err}");
    assert!(!err.contains("lasts only"), "the keyring took it: {err}");
    let signed_in: serde_json::Value = serde_json::from_str(rest.trim()).expect("JSON");

    let whoami = command_with_store(&sim, true)
        .args(["--json", "trovo", "whoami"])
        .output()
        .await
        .expect("runs");
    assert!(
        whoami.status.success(),
        "{}",
        String::from_utf8_lossy(&whoami.stderr)
    );
    let me: serde_json::Value = serde_json::from_slice(&whoami.stdout).expect("JSON");
    assert_eq!(
        me["id"], signed_in["id"],
        "a new process is still signed in"
    );

    let out = command_with_store(&sim, true)
        .args(["trovo", "logout"])
        .output()
        .await
        .expect("runs");
    assert!(out.status.success());
    let after = command_with_store(&sim, true)
        .args(["trovo", "whoami"])
        .output()
        .await
        .expect("runs");
    assert_eq!(
        after.status.code(),
        Some(1),
        "signed out: the keyring entry is gone"
    );
    assert!(String::from_utf8_lossy(&after.stderr).contains("sign in"));
}
