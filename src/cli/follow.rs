//! `stagehand <platform> chat follow`: the own channel's chat printed as it is written, for
//! scripts and chat bots. Unlike the other commands it streams: one line per message (one
//! JSON object per line with `--json`), flushed at once, until interrupted or `--count`
//! messages. The backlog (a platform's history or replay) is left out, so every platform
//! means the same by "follow".

use super::session;
use crate::model::{ChatKind, ChatMessage, PlatformId};
use crate::platform::chat_feed::ChatFeedItem;
use std::io::Write as _;
use tokio::sync::mpsc;

/// Follows chat; `Ok` after `count` messages or when the platform ends the feed cleanly,
/// the platform's sentence when the connection fails.
pub(super) async fn run(
    demo: bool,
    json: bool,
    platform: PlatformId,
    count: Option<usize>,
) -> Result<(), String> {
    if count == Some(0) {
        return Ok(());
    }
    let session = session::connect(demo, platform).await?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let client = session.client.clone();
    let follow = tokio::spawn(async move { client.follow_chat(&tx).await });
    let mut printed = 0;
    while let Some(item) = rx.recv().await {
        // The backlog is context for a reader in the window, not news for a script.
        let ChatFeedItem::Messages(messages) = item else {
            continue;
        };
        for m in &messages {
            print_line(m, json)?;
            printed += 1;
            if count.is_some_and(|c| printed >= c) {
                follow.abort();
                return Ok(());
            }
        }
    }
    match follow.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(format!("following chat stopped unexpectedly: {e}")),
    }
}

fn print_line(m: &ChatMessage, json: bool) -> Result<(), String> {
    let line = if json {
        serde_json::to_string(m).map_err(|e| format!("could not print JSON: {e}"))?
    } else if m.kind == ChatKind::Message {
        format!("{}: {}", m.author.display_name, m.content)
    } else {
        format!("* {} {}", m.author.display_name, m.content)
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", line.replace('\n', " "))
        .and_then(|()| out.flush())
        .map_err(|e| format!("could not print chat: {e}"))
}
