//! The activity feed: follows, subscriptions, gifts, raids, spells and cheers from every
//! platform, newest first, each once and numbered, so the window can say how many came
//! after the last one the streamer marked seen. Pure, like the rest of `state`.

use crate::model::ChatEvent;
use std::collections::{HashSet, VecDeque};

/// One thing to thank someone for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activity {
    /// Counts up from 1 in arrival order.
    pub n: u64,
    pub event: ChatEvent,
}

/// Every platform's activity, the newest first, at most `ActivityFeed::KEEP`.
#[derive(Clone, Debug, Default)]
pub struct ActivityFeed {
    /// Newest first.
    items: VecDeque<Activity>,
    keys: HashSet<String>,
    /// How many ever arrived: the newest item's `n`.
    total: u64,
}

impl ActivityFeed {
    /// How many are kept: a long stream's worth of thanks.
    pub const KEEP: usize = 2_000;

    /// Takes the activity among `events` (oldest first), each once.
    pub fn extend(&mut self, events: &[ChatEvent]) {
        for event in events.iter().filter(|e| e.kind.is_activity()) {
            if !self.keys.insert(event.dedupe_key()) {
                continue;
            }
            self.total += 1;
            self.items.push_front(Activity {
                n: self.total,
                event: event.clone(),
            });
            while self.items.len() > Self::KEEP {
                if let Some(old) = self.items.pop_back() {
                    self.keys.remove(&old.event.dedupe_key());
                }
            }
        }
    }

    /// The activity, newest first.
    pub fn items(&self) -> impl Iterator<Item = &Activity> {
        self.items.iter()
    }

    /// The newest item's number (0 before any): what "mark all seen" remembers.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// How many of the kept items came after item `seen`.
    pub fn unseen_after(&self, seen: u64) -> usize {
        self.items.iter().take_while(|a| a.n > seen).count()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EventKind, PlatformId};

    fn event(id: &str, kind: EventKind) -> ChatEvent {
        ChatEvent {
            platform: PlatformId::ALL[0],
            id: Some(id.into()),
            at: time::OffsetDateTime::UNIX_EPOCH,
            user: None,
            kind,
        }
    }

    #[test]
    fn only_activity_is_kept_newest_first_and_each_once() {
        let mut feed = ActivityFeed::default();
        let message = EventKind::Message {
            text: "hi".into(),
            reply_to: None,
        };
        feed.extend(&[
            event("1", EventKind::Follow),
            event("2", message),
            event("3", EventKind::Raid { viewers: 5 }),
            event("1", EventKind::Follow),
        ]);
        let ids: Vec<_> = feed.items().filter_map(|a| a.event.id.as_deref()).collect();
        assert_eq!(ids, ["3", "1"]);
        assert_eq!(feed.unseen_after(0), 2);
        let seen = feed.total();
        assert_eq!(feed.unseen_after(seen), 0);
        feed.extend(&[event("4", EventKind::Follow)]);
        assert_eq!(feed.unseen_after(seen), 1);
    }

    #[test]
    fn the_feed_stays_bounded() {
        let mut feed = ActivityFeed::default();
        let many: Vec<_> = (0..ActivityFeed::KEEP + 50)
            .map(|n| event(&n.to_string(), EventKind::Follow))
            .collect();
        feed.extend(&many);
        assert_eq!(feed.len(), ActivityFeed::KEEP);
        assert_eq!(feed.unseen_after(0), ActivityFeed::KEEP);
        assert_eq!(feed.keys.len(), ActivityFeed::KEEP);
        assert_eq!(feed.total(), (ActivityFeed::KEEP + 50) as u64);
    }
}
