//! `stagehand trovo login` and `logout` as a script would run them: the real binary prints
//! the sign-in address first, the "browser" (reqwest here) goes through the simulator's
//! consent page, and the redirect lands on the binary's loopback listener.

use crate::common;

use common::{approve, reserve_port};
use stagehand::auth::loopback_redirect_uri;
use stagehand::sim::trovo::{SimOptions, TrovoSim};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

const BIN: &str = env!("CARGO_BIN_EXE_stagehand");

fn command(sim: &TrovoSim, secret: bool) -> tokio::process::Command {
    let mut cmd = command_with_store(sim, secret);
    // No credential store in these tests: the sign-in is kept in memory and said so.
    cmd.env_remove("DBUS_SESSION_BUS_ADDRESS");
    cmd
}

/// The settings file the binary uses against `sim`: one per simulator, so tests never share
/// (or touch the user's).
fn config_path(sim: &TrovoSim) -> std::path::PathBuf {
    let port = url::Url::parse(&sim.origin())
        .ok()
        .and_then(|u| u.port())
        .unwrap_or(0);
    std::env::temp_dir()
        .join(format!("stagehand-cli-login-{}-{port}", std::process::id()))
        .join("config.toml")
}

/// The binary with the session's credential store, if it has one.
fn command_with_store(sim: &TrovoSim, secret: bool) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(BIN);
    // A settings file of this simulator's own, never the user's.
    cmd.env("STAGEHAND_CONFIG", config_path(sim))
        .env(
            "STAGEHAND_DATABASE",
            config_path(sim).with_file_name("stagehand.sqlite3"),
        )
        .env_remove("RUST_LOG")
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

async fn login(secret: bool) -> (std::process::ExitStatus, String, String, String) {
    let (reserved, port) = reserve_port();
    let sim = TrovoSim::start(SimOptions {
        redirect_uri: loopback_redirect_uri(port),
        ..Default::default()
    })
    .await
    .expect("simulator");
    // The simulator has its port: the binary may bind this one now.
    drop(reserved);
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
    if first.trim().is_empty() {
        // The binary ended before printing the address: say why, not just "no URL".
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            e.read_to_string(&mut err).await.expect("stderr");
        }
        panic!("the login printed no address; stderr: {err}");
    }
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
    let (reserved, port) = reserve_port();
    let sim = TrovoSim::start(SimOptions {
        redirect_uri: loopback_redirect_uri(port),
        ..Default::default()
    })
    .await
    .expect("simulator");
    // The simulator has its port: the binary may bind this one now.
    drop(reserved);
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

#[tokio::test(flavor = "multi_thread")]
async fn login_remembers_the_application_in_the_settings_file_and_nothing_secret() {
    let (reserved, port) = reserve_port();
    let sim = TrovoSim::start(SimOptions {
        redirect_uri: loopback_redirect_uri(port),
        ..Default::default()
    })
    .await
    .expect("simulator");
    // The simulator has its port: the binary may bind this one now.
    drop(reserved);
    let path = config_path(&sim);
    let _ = std::fs::remove_file(&path);
    let (status, _, _, err) = login_on(&sim, port, command(&sim, true)).await;
    assert!(status.success(), "stderr: {err}");
    let text = std::fs::read_to_string(&path).expect("the settings file was written");
    let file: toml::Value = toml::from_str(&text).expect("TOML");
    assert_eq!(
        file["trovo"]["client_id"].as_str(),
        Some(TrovoSim::CLIENT_ID)
    );
    assert_eq!(
        file["redirect_port"].as_integer(),
        Some(i64::from(port)),
        "a port other than the default is remembered: {text}"
    );
    let secrets = sim.issued_secrets();
    assert!(secrets.len() > 2, "the sign-in issued tokens");
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "a secret in the settings file"
        );
    }
}
