//! The real binary, run as a script would run it: a clean environment (no credential store,
//! no logs, no platform settings but the test's), a settings file of the test's own.

use stagehand::sim::common::SimTokens;
use stagehand::sim::trovo::TrovoSim;
use stagehand::sim::twitch::TwitchSim;
use stagehand::sim::velora::VeloraSim;
use std::path::PathBuf;
use std::process::Output;

/// The environment that points the binary at Trovo's simulator as a stand-in server,
/// signed in with `tokens`.
pub fn trovo_env(sim: &TrovoSim, tokens: &SimTokens) -> Vec<(&'static str, String)> {
    vec![
        ("STAGEHAND_TROVO_API", sim.api_base()),
        ("STAGEHAND_TROVO_CLIENT_ID", TrovoSim::CLIENT_ID.to_owned()),
        (
            "STAGEHAND_TROVO_CLIENT_SECRET",
            TrovoSim::CLIENT_SECRET.to_owned(),
        ),
        ("STAGEHAND_TROVO_ACCESS_TOKEN", tokens.access_token.clone()),
        (
            "STAGEHAND_TROVO_REFRESH_TOKEN",
            tokens.refresh_token.clone(),
        ),
    ]
}

/// The same for Twitch's simulator (its bases with a trailing slash, which must be
/// tolerated).
pub fn twitch_env(sim: &TwitchSim, tokens: &SimTokens) -> Vec<(&'static str, String)> {
    vec![
        ("STAGEHAND_TWITCH_API", format!("{}/", sim.helix_base())),
        ("STAGEHAND_TWITCH_AUTH", format!("{}/", sim.auth_origin())),
        (
            "STAGEHAND_TWITCH_CLIENT_ID",
            TwitchSim::CLIENT_ID.to_owned(),
        ),
        ("STAGEHAND_TWITCH_ACCESS_TOKEN", tokens.access_token.clone()),
        (
            "STAGEHAND_TWITCH_REFRESH_TOKEN",
            tokens.refresh_token.clone(),
        ),
    ]
}

/// The same for Velora's simulator (its origin with a trailing slash, which must be
/// tolerated).
pub fn velora_env(sim: &VeloraSim, tokens: &SimTokens) -> Vec<(&'static str, String)> {
    vec![
        ("STAGEHAND_VELORA_API", format!("{}/", sim.origin())),
        ("STAGEHAND_VELORA_AUTH_URL", sim.authorize_url()),
        (
            "STAGEHAND_VELORA_CLIENT_ID",
            VeloraSim::CLIENT_ID.to_owned(),
        ),
        (
            "STAGEHAND_VELORA_CLIENT_SECRET",
            VeloraSim::CLIENT_SECRET.to_owned(),
        ),
        ("STAGEHAND_VELORA_ACCESS_TOKEN", tokens.access_token.clone()),
        (
            "STAGEHAND_VELORA_REFRESH_TOKEN",
            tokens.refresh_token.clone(),
        ),
    ]
}

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_stagehand");

/// A settings file no other test uses (it need not exist): `suite` names the test crate,
/// `tag` the test.
pub fn config_path(suite: &str, tag: &str) -> PathBuf {
    std::env::temp_dir()
        .join(format!("stagehand-{suite}-{}-{tag}", std::process::id()))
        .join("config.toml")
}

/// The binary with a clean environment: no credential store, no logs, the settings file
/// `config`, nothing of any platform's but what `env` gives.
pub fn command(args: &[&str], env: &[(&str, String)], config: &PathBuf) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.args(args)
        .env_remove("RUST_LOG")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("STAGEHAND_REDIRECT_PORT")
        .env("STAGEHAND_CONFIG", config)
        // The test's own database beside its settings, never the user's.
        .env(
            "STAGEHAND_DATABASE",
            config.with_file_name("stagehand.sqlite3"),
        );
    for platform in stagehand::model::PlatformId::ALL {
        for key in [
            "API",
            "AUTH",
            "AUTH_URL",
            "CHAT_URL",
            "EVENTSUB",
            "EVENTS_URL",
            "CLIENT_ID",
            "CLIENT_SECRET",
            "ACCESS_TOKEN",
            "REFRESH_TOKEN",
        ] {
            cmd.env_remove(stagehand::platform::registry::setting_name(platform, key));
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs the binary to the end with the settings file `config`.
pub async fn run_with(args: &[&str], env: &[(&str, String)], config: &PathBuf) -> Output {
    command(args, env, config)
        .output()
        .await
        .expect("the binary runs")
}
