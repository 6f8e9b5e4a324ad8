//! `chat follow`, the streaming command, run as a script runs it: the real binary with
//! `--demo` on every platform, stopped by `--for`, by `--count` and by SIGTERM, each an
//! exit 0, printing the JSON contract one object a line.

use crate::common;

use common::cli::{command, config_path};
use serde_json::Value;
use stagehand::model::PlatformId;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

/// Far above what a passing run needs.
const GUARD: Duration = Duration::from_secs(60);

fn lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[tokio::test]
async fn follow_for_five_seconds_prints_the_contract_and_exits_0_on_every_platform() {
    for platform in PlatformId::ALL {
        let config = config_path("cli-follow", platform.slug());
        let run = command(
            &[
                "--demo",
                "--json",
                platform.slug(),
                "chat",
                "follow",
                "--for",
                "5",
            ],
            &[],
            &config,
        )
        .output();
        let out = tokio::time::timeout(GUARD, run)
            .await
            .expect("ends after --for")
            .expect("the binary runs");
        assert!(
            out.status.success(),
            "{platform}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let printed = lines(&out.stdout);
        assert!(!printed.is_empty(), "{platform}: the demo is lively");
        for line in &printed {
            assert_eq!(line["platform"], platform.slug(), "{line}");
            for field in ["kind", "at", "text"] {
                assert!(line[field].is_string(), "{field} in {line}");
            }
            assert!(
                line.get("id").is_some() && line.get("user").is_some(),
                "{line}"
            );
        }
    }
}

#[tokio::test]
async fn follow_stops_at_the_count() {
    let config = config_path("cli-follow", "count");
    let run = command(
        &[
            "--demo", "--json", "trovo", "chat", "follow", "--count", "2",
        ],
        &[],
        &config,
    )
    .output();
    let out = tokio::time::timeout(GUARD, run)
        .await
        .expect("ends after two events")
        .expect("the binary runs");
    assert!(out.status.success());
    assert_eq!(lines(&out.stdout).len(), 2);
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_ends_a_follow_with_exit_0_after_what_it_printed() {
    let config = config_path("cli-follow", "sigterm");
    let mut child = command(
        &["--demo", "--json", "velora", "chat", "follow"],
        &[],
        &config,
    )
    .stdout(Stdio::piped())
    .spawn()
    .expect("the binary runs");
    let stdout = child.stdout.take().expect("piped");
    let mut reader = BufReader::new(stdout).lines();
    let first = tokio::time::timeout(GUARD, reader.next_line())
        .await
        .expect("an event in time")
        .expect("readable")
        .expect("a line");
    let first: Value = serde_json::from_str(&first).expect("JSON");
    assert_eq!(first["platform"], "velora");
    let pid = child.id().expect("running");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = tokio::time::timeout(GUARD, child.wait())
        .await
        .expect("ends on SIGTERM")
        .expect("waited");
    assert!(status.success(), "{status:?}");
}
