//! What a platform's live connection hands the follow loop. Each platform follows its
//! channel its own way (Trovo's chat socket, Twitch's EventSub socket, Velora's events
//! stream); they all report through this one channel, in the model's events, and one
//! follow loop (`follow_live`) keeps the connection up for the window and for
//! `chat follow` alike.

use super::PlatformClient;
use crate::error::{ErrorKind, PlatformError};
use crate::model::ChatEvent;
use std::collections::{HashSet, VecDeque};
use std::time::Duration;
use tokio::sync::mpsc;

/// One report from a live connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChatFeedItem {
    /// The connection is up: what arrives from now on is live.
    Connected,
    /// Events from before the connection came up (a history read, a replay on connect),
    /// oldest first: context for a reader, not news for a bot.
    Backlog(Vec<ChatEvent>),
    /// New events, oldest first. A connection may repeat one it sent before (a replay or a
    /// redelivery after reconnecting); the receiver tells them apart by
    /// `ChatEvent::dedupe_key`.
    Events(Vec<ChatEvent>),
}

/// Where a live connection sends its reports. When the receiver is gone, the connection
/// ends with `Ok(())`.
pub type ChatSink = mpsc::UnboundedSender<ChatFeedItem>;

/// Where a channel's live connection stands, for the chat panel's header and the
/// command's stderr.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChatFeedStatus {
    /// A connection is being made.
    Connecting,
    /// Events arrive as they happen.
    Live,
    /// The connection failed; another try follows after `retry_in_secs`.
    Retrying { why: String, retry_in_secs: u64 },
    /// Following is not possible here (the platform or the sign-in does not allow it).
    Unavailable(String),
}

/// What the follow loop tells whoever follows: the window's backend, or `chat follow`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeedReport {
    Status(ChatFeedStatus),
    /// Events from before the connection, each once, oldest first.
    Backlog(Vec<ChatEvent>),
    /// New events, each once, oldest first.
    Events(Vec<ChatEvent>),
}

/// The longest pause between two attempts.
const MAX_PAUSE: Duration = Duration::from_secs(60);

/// How much earlier than the loop's start a reconnect's backlog still counts as missed.
const MISSED_MARGIN: Duration = Duration::from_secs(5);

/// Follows a channel's live connection for as long as `report` answers true: connects,
/// passes every event on once (a replay or a redelivery after reconnecting is dropped by
/// `ChatEvent::dedupe_key`; what a platform replays from before the first connection stays
/// backlog, while what it replays from a gap between two connections is news), and
/// after a drop, a silent keepalive or a stream that ends connects again after a pause
/// that doubles up to a minute, with jitter (reset once a connection was up). A failure
/// that trying again cannot fix (no sign-in, a missing permission, a platform without a
/// live connection) is reported as `Unavailable` and ends the loop.
pub async fn follow_live(client: PlatformClient, mut report: impl FnMut(FeedReport) -> bool) {
    let platform = client.platform();
    let mut seen = SeenKeys::default();
    // What a reconnect's backlog holds from after this moment was missed while the
    // connection was down: news, not context. A few seconds early, as platforms stamp in
    // whole seconds (Trovo) and their clocks are not ours; what the first connection's
    // backlog held is dropped as a repeat anyway.
    let since = time::OffsetDateTime::now_utc() - MISSED_MARGIN;
    let mut connections: u32 = 0;
    let mut failures: u32 = 0;
    loop {
        if !report(FeedReport::Status(ChatFeedStatus::Connecting)) {
            return;
        }
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut went_live = false;
        let missed_since = (connections > 0).then_some(since);
        connections = connections.saturating_add(1);
        let mut wanted = true;
        let result = {
            let follow = client.follow_chat(&tx);
            tokio::pin!(follow);
            loop {
                tokio::select! {
                    r = &mut follow => break Some(r),
                    Some(item) = rx.recv() => {
                        went_live |= matches!(item, ChatFeedItem::Connected);
                        if !pass_on(item, &mut seen, missed_since, &mut report) {
                            wanted = false;
                            break None;
                        }
                    }
                }
            }
        };
        // What the connection sent before it ended is still news.
        while wanted && let Ok(item) = rx.try_recv() {
            went_live |= matches!(item, ChatFeedItem::Connected);
            wanted = pass_on(item, &mut seen, missed_since, &mut report);
        }
        let Some(result) = result.filter(|_| wanted) else {
            return;
        };
        if went_live {
            failures = 0;
        }
        let why = match result {
            Err(e) if gives_up_on(&e) => {
                report(FeedReport::Status(ChatFeedStatus::Unavailable(
                    e.to_string(),
                )));
                return;
            }
            Err(e) => e.to_string(),
            Ok(()) => format!("{platform} closed the connection"),
        };
        let pause = jittered(pause_after(failures));
        failures = failures.saturating_add(1);
        tracing::info!("{platform} live events: {why}; trying again in {pause:?}");
        let status = ChatFeedStatus::Retrying {
            why,
            retry_in_secs: pause.as_secs_f64().ceil() as u64,
        };
        if !report(FeedReport::Status(status)) {
            return;
        }
        tokio::time::sleep(pause).await;
    }
}

/// Passes one report of the connection on, without what was passed on before; false
/// when the follower wants no more.
/// On a reconnect (`missed_since` set), backlog from after that moment is news.
fn pass_on(
    item: ChatFeedItem,
    seen: &mut SeenKeys,
    missed_since: Option<time::OffsetDateTime>,
    report: &mut impl FnMut(FeedReport) -> bool,
) -> bool {
    match item {
        ChatFeedItem::Connected => report(FeedReport::Status(ChatFeedStatus::Live)),
        ChatFeedItem::Backlog(events) => {
            let fresh = seen.keep_new(events);
            let (missed, context): (Vec<_>, Vec<_>) = fresh
                .into_iter()
                .partition(|e| missed_since.is_some_and(|t| e.at >= t));
            (context.is_empty() || report(FeedReport::Backlog(context)))
                && (missed.is_empty() || report(FeedReport::Events(missed)))
        }
        ChatFeedItem::Events(events) => {
            let fresh = seen.keep_new(events);
            fresh.is_empty() || report(FeedReport::Events(fresh))
        }
    }
}

/// Whether trying again cannot help: the user has to sign in, allow a permission, or the
/// platform has no live connection to give.
fn gives_up_on(e: &PlatformError) -> bool {
    matches!(
        e,
        PlatformError::Unsupported { .. }
            | PlatformError::Config { .. }
            | PlatformError::NotSignedIn { .. }
    ) || matches!(e.kind(), ErrorKind::Auth | ErrorKind::Permission)
}

/// 1 s after the first failure, then 2, 4, ... up to a minute.
fn pause_after(failures: u32) -> Duration {
    Duration::from_secs(1u64 << failures.min(6)).min(MAX_PAUSE)
}

/// Somewhere between three quarters of `pause` and all of it, so many windows that lost
/// the platform at once do not all come back in the same second.
fn jittered(pause: Duration) -> Duration {
    pause.mul_f64(rand::random_range(0.75..=1.0))
}

/// The keys of the events passed on lately: enough to cover any replay or redelivery,
/// bounded so hours of chat do not grow it.
#[derive(Default)]
struct SeenKeys {
    order: VecDeque<String>,
    set: HashSet<String>,
}

impl SeenKeys {
    const KEEP: usize = 5_000;

    /// The events not passed on before, remembered from now on.
    fn keep_new(&mut self, events: Vec<ChatEvent>) -> Vec<ChatEvent> {
        events
            .into_iter()
            .filter(|e| self.first_time(e.dedupe_key()))
            .collect()
    }

    fn first_time(&mut self, key: String) -> bool {
        if !self.set.insert(key.clone()) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > Self::KEEP
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PlatformId;

    #[test]
    fn the_pause_doubles_up_to_a_minute_with_jitter() {
        let secs: Vec<u64> = (0..9).map(|n| pause_after(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        for _ in 0..100 {
            let p = jittered(Duration::from_secs(8));
            assert!(
                p >= Duration::from_secs(6) && p <= Duration::from_secs(8),
                "{p:?}"
            );
        }
    }

    #[test]
    fn keys_pass_once_and_memory_stays_bounded() {
        let mut seen = SeenKeys::default();
        assert!(seen.first_time("a".into()));
        assert!(!seen.first_time("a".into()));
        for n in 0..SeenKeys::KEEP * 2 {
            seen.first_time(n.to_string());
        }
        assert_eq!(seen.set.len(), SeenKeys::KEEP);
        assert_eq!(seen.order.len(), SeenKeys::KEEP);
    }

    #[test]
    fn only_what_a_retry_cannot_fix_ends_the_loop() {
        let platform = PlatformId::ALL[0];
        assert!(gives_up_on(&PlatformError::NotSignedIn { platform }));
        assert!(gives_up_on(&PlatformError::Api {
            platform,
            code: 0,
            kind: ErrorKind::Auth,
            sentence: "sign in again".into(),
        }));
        assert!(!gives_up_on(&PlatformError::Timeout { platform, secs: 10 }));
        assert!(!gives_up_on(&PlatformError::Network {
            platform,
            detail: "dropped".into(),
        }));
    }
}
