//! Keeps one platform's chat connection up while the window watches it: forwards the lines
//! as `ChatArrived`, says where the connection stands with `ChatFeedChanged`, and after a
//! failure tries again after a pause that doubles up to a minute (reset once a connection
//! is up again). A platform that cannot give chat here is told once and left alone.

use super::Emitter;
use crate::command::{ChatFeedStatus, Event};
use crate::error::PlatformError;
use crate::platform::PlatformClient;
use crate::platform::chat_feed::ChatFeedItem;
use std::time::Duration;
use tokio::sync::mpsc;

/// The longest pause between two attempts.
const MAX_PAUSE: Duration = Duration::from_secs(60);

/// Follows chat until the UI goes away (or the task is aborted on sign-out).
pub(super) async fn run(client: PlatformClient, out: Emitter) {
    let platform = client.platform();
    let mut failures: u32 = 0;
    loop {
        if out.is_closed() {
            return;
        }
        out.emit(Event::ChatFeedChanged {
            platform,
            status: ChatFeedStatus::Connecting,
        });
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut went_live = false;
        let result = {
            let follow = client.follow_chat(&tx);
            tokio::pin!(follow);
            loop {
                tokio::select! {
                    r = &mut follow => break r,
                    Some(item) = rx.recv() => went_live |= forward(&out, platform, item),
                }
            }
        };
        while let Ok(item) = rx.try_recv() {
            went_live |= forward(&out, platform, item);
        }
        if went_live {
            failures = 0;
        }
        let why = match result {
            Err(e @ PlatformError::Unsupported { .. }) => {
                out.emit(Event::ChatFeedChanged {
                    platform,
                    status: ChatFeedStatus::Unavailable(e.to_string()),
                });
                return;
            }
            Err(e) => e.to_string(),
            Ok(()) if out.is_closed() => return,
            Ok(()) => format!("{platform} closed the chat connection"),
        };
        let pause = pause_after(failures);
        failures = failures.saturating_add(1);
        tracing::info!(
            "{platform} chat: {why}; trying again in {} s",
            pause.as_secs()
        );
        out.emit(Event::ChatFeedChanged {
            platform,
            status: ChatFeedStatus::Retrying {
                why,
                retry_in_secs: pause.as_secs(),
            },
        });
        tokio::time::sleep(pause).await;
    }
}

/// Passes one report on to the UI; true when it says the connection is up.
fn forward(out: &Emitter, platform: crate::model::PlatformId, item: ChatFeedItem) -> bool {
    match item {
        ChatFeedItem::Connected => {
            out.emit(Event::ChatFeedChanged {
                platform,
                status: ChatFeedStatus::Live,
            });
            true
        }
        ChatFeedItem::Removed(removal) => {
            out.emit(Event::ChatRemoved { platform, removal });
            false
        }
        ChatFeedItem::Backlog(messages) | ChatFeedItem::Messages(messages) => {
            if !messages.is_empty() {
                out.emit(Event::ChatArrived { platform, messages });
            }
            false
        }
    }
}

/// 1 s after the first failure, then 2, 4, ... up to a minute.
fn pause_after(failures: u32) -> Duration {
    Duration::from_secs(1u64 << failures.min(6)).min(MAX_PAUSE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pause_doubles_up_to_a_minute() {
        let secs: Vec<u64> = (0..9).map(|n| pause_after(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
