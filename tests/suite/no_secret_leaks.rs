//! Nothing secret lands in a log line or a file. The window and the headless commands each
//! run whole sign-ins with every log on (trace level), a refresh and a stream-key read among
//! them; then every line they logged or printed and every file they wrote is searched for
//! every token, code, client secret and stream key the simulator handed out.

use crate::common;

use common::window::signed_out_window;
use common::{approve, reserve_port};
use egui_kittest::kittest::Queryable;
use stagehand::auth::loopback_redirect_uri;
use stagehand::sim::trovo::{Fault, FaultRule, SimOptions, TrovoSim};
use stagehand::state::SignInFlow;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

const BIN: &str = env!("CARGO_BIN_EXE_stagehand");

/// Every log line of this test process.
static LOG: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOG.lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stagehand-leaks-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Every file under `dir`, with its bytes.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                out.push((path, bytes));
            }
        }
    }
    out
}

/// Fails naming where a secret was found (never the secret itself).
fn assert_clean(what: &str, haystack: &[u8], secrets: &[String]) {
    let text = String::from_utf8_lossy(haystack);
    for (i, secret) in secrets.iter().enumerate() {
        assert!(
            !text.contains(secret.as_str()),
            "secret #{i} of {} found in {what}",
            secrets.len()
        );
    }
}

#[test]
fn the_window_logs_and_writes_no_secret() {
    // Everything at trace, through the same filter the app applies to RUST_LOG.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(stagehand::log_filter::without_secret_leaks(
            tracing_subscriber::EnvFilter::new("trace"),
        ))
        .with_writer(|| LogWriter)
        .with_ansi(false)
        .try_init();
    let dir = scratch("window");
    let mut w = signed_out_window(&dir);
    w.open_settings();
    w.type_into("Trovo client ID", TrovoSim::CLIENT_ID);
    w.type_into("Trovo client secret", TrovoSim::CLIENT_SECRET);
    let url = w.start_sign_in();
    let _ = w.runtime.block_on(approve(&w.sim, &url));
    w.wait_for("the channel after signing in", |app| {
        app.state()
            .platforms
            .get(&common::window::TROVO)
            .is_some_and(|p| p.channel.is_some() && p.account.is_some())
    });
    // Chat connects with a chat token, which the socket's first frame carries.
    w.wait_for("live chat", |app| {
        app.state().platforms[&common::window::TROVO].chat.status
            == Some(stagehand::command::ChatFeedStatus::Live)
    });
    // The next own-channel read meets an expired token: the client refreshes, and the new
    // pair goes to the store.
    w.sim.inject(
        FaultRule::new(Fault::ExpiredToken)
            .on_path("/channel")
            .times(1),
    );
    w.harness.get_by_label("⚙ Settings").click();
    w.harness.run_steps(2);
    w.harness.get_by_label("Show key").click();
    w.wait_for("the stream key", |app| {
        app.state().platforms[&common::window::TROVO]
            .stream_key
            .is_some()
    });
    w.open_settings();
    w.harness
        .get_by_label("Sign out of Trovo")
        .click_accesskit();
    w.wait_for("the sign-out", |app| {
        matches!(
            app.state().sign_ins.get(&common::window::TROVO),
            Some(SignInFlow::SignedOut { .. })
        )
    });
    let mut storage = MemoryStorage::default();
    eframe::App::save(w.harness.state_mut(), &mut storage);

    let secrets = w.sim.issued_secrets();
    assert!(
        secrets.len() >= 6,
        "the run issued tokens: {}",
        secrets.len()
    );
    let log = LOG.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert!(
        String::from_utf8_lossy(&log).contains("exchangetoken"),
        "the log is on and saw the sign-in's requests"
    );
    assert_clean("the log", &log, &secrets);
    let files = files_under(&dir);
    assert!(
        files.iter().any(|(p, _)| p.ends_with("config.toml")),
        "the run wrote its settings file"
    );
    for (path, bytes) in &files {
        assert_clean(&path.display().to_string(), bytes, &secrets);
    }
    for (key, value) in &storage.0 {
        assert_clean(
            &format!("the window's saved state {key}"),
            value.as_bytes(),
            &secrets,
        );
    }
}

#[derive(Default)]
struct MemoryStorage(HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

/// The binary with every log on, a home of its own and no credential store.
fn command(sim: &TrovoSim, home: &Path) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.env("RUST_LOG", "trace")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("STAGEHAND_CONFIG")
        .env_remove("STAGEHAND_DATABASE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("STAGEHAND_TROVO_ACCESS_TOKEN")
        .env_remove("STAGEHAND_TROVO_REFRESH_TOKEN")
        .env_remove("STAGEHAND_REDIRECT_PORT")
        .env("STAGEHAND_TROVO_API", sim.api_base())
        .env("STAGEHAND_TROVO_AUTH_URL", sim.auth_page_url())
        .env("STAGEHAND_TROVO_CLIENT_ID", TrovoSim::CLIENT_ID)
        .env("STAGEHAND_TROVO_CLIENT_SECRET", TrovoSim::CLIENT_SECRET);
    cmd
}

/// Runs a command that must succeed with a lapsed token pair (it refreshes); answers all it
/// printed and logged.
async fn run_lapsed(
    sim: &TrovoSim,
    home: &Path,
    tokens: &stagehand::sim::trovo::SimTokens,
    args: &[&str],
) -> Vec<u8> {
    let out = command(sim, home)
        .args(args)
        .env("STAGEHAND_TROVO_ACCESS_TOKEN", &tokens.access_token)
        .env("STAGEHAND_TROVO_REFRESH_TOKEN", &tokens.refresh_token)
        .output()
        .await
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut printed = out.stdout;
    printed.extend(out.stderr);
    printed
}

#[tokio::test(flavor = "multi_thread")]
async fn the_headless_commands_log_and_write_no_secret() {
    let (reserved, port) = reserve_port();
    let sim = TrovoSim::start(SimOptions {
        redirect_uri: loopback_redirect_uri(port),
        ..Default::default()
    })
    .await
    .expect("simulator");
    // The simulator has its port: the binary may bind this one now.
    drop(reserved);
    let home = scratch("cli");
    let mut printed = Vec::new();

    // Sign in with the browser (the code flow).
    let mut child = command(&sim, &home)
        .args(["--json", "trovo", "login", "--no-browser", "--port"])
        .arg(port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    tokio::time::timeout(Duration::from_secs(20), stdout.read_line(&mut first))
        .await
        .expect("the address comes first")
        .expect("a line");
    let page = approve(&sim, first.trim()).await;
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).await.expect("stdout");
    let mut err = Vec::new();
    if let Some(mut e) = child.stderr.take() {
        e.read_to_end(&mut err).await.expect("stderr");
    }
    let status = child.wait().await.expect("status");
    assert!(status.success(), "{}", String::from_utf8_lossy(&err));
    printed.extend_from_slice(first.as_bytes());
    printed.extend_from_slice(page.as_bytes());
    printed.extend(rest);
    printed.extend(err);

    // A command whose token has lapsed: it refreshes and carries on.
    let expired = sim.issue_tokens(
        stagehand::sim::trovo::SimUser::Streamer,
        &["user_details_self", "channel_details_self"],
        0,
    );
    printed.extend(run_lapsed(&sim, &home, &expired, &["--json", "trovo", "whoami"]).await);

    // A change across platforms with a lapsed token: refreshed, applied, and kept in the
    // history database, which must hold nothing secret either.
    let expired = sim.issue_tokens(
        stagehand::sim::trovo::SimUser::Streamer,
        &[
            "channel_update_self",
            "channel_details_self",
            "user_details_self",
        ],
        0,
    );
    let args = [
        "--json",
        "all",
        "set",
        "--title",
        "Leak check",
        "--only",
        "trovo",
    ];
    printed.extend(run_lapsed(&sim, &home, &expired, &args).await);

    // Sign out with a token the environment gives.
    let live = sim.streamer_tokens();
    let out = command(&sim, &home)
        .args(["--json", "trovo", "logout"])
        .env("STAGEHAND_TROVO_ACCESS_TOKEN", &live.access_token)
        .output()
        .await
        .expect("logout");
    assert!(out.status.success());
    printed.extend(out.stdout);
    printed.extend(out.stderr);

    let secrets = sim.issued_secrets();
    let text = String::from_utf8_lossy(&printed);
    assert!(
        text.contains("refreshtoken") && text.contains("TRACE"),
        "the logs are on and saw the refresh"
    );
    assert_clean("what the commands printed and logged", &printed, &secrets);
    let files = files_under(&home);
    assert!(
        files.iter().any(|(p, _)| p.ends_with("config.toml")),
        "login remembered the application in the settings file"
    );
    assert!(
        files
            .iter()
            .any(|(p, _)| p.extension().is_some_and(|e| e == "sqlite3")),
        "the history was kept in the database: {:?}",
        files.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    for (path, bytes) in &files {
        assert_clean(&path.display().to_string(), bytes, &secrets);
    }
}
