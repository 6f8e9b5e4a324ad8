//! The follow loop (`follow_live`) running in the background against a simulator, and
//! what the tests ask of what it reported.

use stagehand::model::ChatEvent;
use stagehand::platform::PlatformClient;
use stagehand::platform::chat_feed::{ChatFeedStatus, FeedReport, follow_live};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;

/// A guard against a hang, far above anything a passing run needs.
const GUARD: Duration = Duration::from_secs(20);

/// The follow loop running in the background, and what it reported.
pub struct Loop {
    rx: mpsc::UnboundedReceiver<FeedReport>,
    task: tokio::task::JoinHandle<()>,
}

pub fn start(client: PlatformClient) -> Loop {
    let (tx, rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(follow_live(client, move |r| tx.send(r).is_ok()));
    Loop { rx, task }
}

impl Loop {
    pub async fn next(&mut self) -> FeedReport {
        tokio::time::timeout(GUARD, self.rx.recv())
            .await
            .expect("a report in time")
            .expect("the loop is still up")
    }

    /// Reports until the loop says it is live, the backlog set aside.
    pub async fn live(&mut self) {
        loop {
            match self.next().await {
                FeedReport::Status(ChatFeedStatus::Live) => return,
                FeedReport::Status(ChatFeedStatus::Unavailable(why)) => panic!("{why}"),
                _ => {}
            }
        }
    }

    /// Events until the loop is live again after a retry; answers them.
    pub async fn reconnected(&mut self) -> Vec<ChatEvent> {
        let (mut events, mut retried) = (Vec::new(), false);
        loop {
            match self.next().await {
                FeedReport::Events(new) => events.extend(new),
                FeedReport::Status(ChatFeedStatus::Retrying { .. }) => retried = true,
                FeedReport::Status(ChatFeedStatus::Live) if retried => return events,
                FeedReport::Status(ChatFeedStatus::Unavailable(why)) => panic!("{why}"),
                _ => {}
            }
        }
    }

    /// Live events until one reads `text`; answers them.
    pub async fn until_text(&mut self, text: &str) -> Vec<ChatEvent> {
        self.until(|e| has_text(e, text)).await.0
    }

    /// Live events until `done` holds for what arrived, with how many reconnects it took.
    pub async fn until(&mut self, done: impl Fn(&[ChatEvent]) -> bool) -> (Vec<ChatEvent>, usize) {
        let (mut events, mut retries) = (Vec::new(), 0);
        while !done(&events) {
            match self.next().await {
                FeedReport::Events(new) => events.extend(new),
                FeedReport::Status(ChatFeedStatus::Retrying { .. }) => retries += 1,
                FeedReport::Status(ChatFeedStatus::Unavailable(why)) => panic!("{why}"),
                _ => {}
            }
        }
        (events, retries)
    }
}

impl Drop for Loop {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// How many times the client has refreshed its tokens so far.
#[derive(Clone)]
pub struct Refreshes(Arc<AtomicUsize>);

impl Refreshes {
    /// Counts `client`'s refreshes from now on.
    pub fn count(client: &PlatformClient) -> Self {
        let n = Arc::new(AtomicUsize::new(0));
        let counter = n.clone();
        client.on_tokens_refreshed(Arc::new(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        }));
        Refreshes(n)
    }

    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

pub fn has_text(events: &[ChatEvent], text: &str) -> bool {
    events.iter().any(|e| e.text() == text)
}

/// How often each message id arrived.
pub fn counts(events: &[ChatEvent]) -> HashMap<String, usize> {
    let mut n = HashMap::new();
    for e in events {
        if let Some(id) = &e.id {
            *n.entry(id.clone()).or_insert(0) += 1;
        }
    }
    n
}

/// Fails when any event id among `events` arrived more than once.
pub fn assert_each_once(events: &[ChatEvent]) {
    let twice: Vec<_> = counts(events).into_iter().filter(|(_, n)| *n > 1).collect();
    assert!(twice.is_empty(), "passed on twice: {twice:?}");
}
