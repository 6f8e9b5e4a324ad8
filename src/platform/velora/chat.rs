//! Following a Velora channel's chat. Velora's live events come over Socket.IO
//! (`/ws/events`) or server-sent events whose message shapes nothing public documents; its
//! chat history endpoint is public and documented, so Stagehand reads chat by asking it for
//! the newest lines every few seconds and passing on the ones not seen before. The pause
//! follows the rate limit Velora announces: a sandbox app (30 requests a minute) asks far
//! less often than a production one (800). The history leaves deleted lines out, so a line
//! that disappears between two answers is reported as removed.

use super::VeloraClient;
use super::endpoints::HISTORY_MAX;
use crate::error::PlatformError;
use crate::platform::chat_feed::{ChatFeedItem, ChatRemoval, ChatSink};
use std::collections::{HashSet, VecDeque};
use std::time::Duration;

/// The pause between two reads when Velora allows hundreds of calls a minute.
pub const POLL_EVERY: Duration = Duration::from_secs(2);
/// The pause when the limit is small (a sandbox app): a quarter of the minute's budget.
pub const POLL_EVERY_SANDBOX: Duration = Duration::from_secs(8);

/// Reads the own channel's chat until `sink`'s receiver is gone (`Ok`) or a read fails.
/// The first read passes on the recent history as the backlog, so the panel opens with
/// context.
pub async fn follow(client: &VeloraClient, sink: &ChatSink) -> Result<(), PlatformError> {
    let mut seen = SeenIds::default();
    let mut connected = false;
    // The first read is the history; every later one is news.
    let mut backlog = true;
    let mut last_answer: Vec<String> = Vec::new();
    loop {
        let lines = client.chat_history(None, HISTORY_MAX).await?;
        if !connected {
            connected = true;
            if sink.send(ChatFeedItem::Connected).is_err() {
                return Ok(());
            }
        }
        let answer: Vec<String> = lines.iter().filter_map(|m| m.id.clone()).collect();
        for id in vanished(&last_answer, &answer) {
            if sink
                .send(ChatFeedItem::Removed(ChatRemoval::Message(id)))
                .is_err()
            {
                return Ok(());
            }
        }
        last_answer = answer;
        let fresh: Vec<_> = lines.into_iter().filter(|m| seen.first_time(m)).collect();
        let fresh_is_empty = fresh.is_empty();
        let item = if backlog {
            ChatFeedItem::Backlog(fresh)
        } else {
            ChatFeedItem::Messages(fresh)
        };
        backlog = false;
        if !fresh_is_empty && sink.send(item).is_err() {
            return Ok(());
        }
        let pause = if client.rate_budget().limit >= 300 {
            POLL_EVERY
        } else {
            POLL_EVERY_SANDBOX
        };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = sink.closed() => return Ok(()),
        }
    }
}

/// The lines of the last answer (ids, oldest first) that a moderator removed since: the
/// history leaves deleted lines out, so a line missing from the new answer while an older
/// one of the last answer is still there was deleted, not pushed out by newer lines.
fn vanished(last: &[String], now: &[String]) -> Vec<String> {
    let now: HashSet<&str> = now.iter().map(String::as_str).collect();
    let Some(still) = last.iter().position(|id| now.contains(id.as_str())) else {
        // Nothing in common: a burst pushed every line out, or the history was cleared;
        // either way nothing says which were deleted.
        return Vec::new();
    };
    last[still..]
        .iter()
        .filter(|id| !now.contains(id.as_str()))
        .cloned()
        .collect()
}

/// The ids of the lines passed on lately: enough to cover a whole history answer, bounded
/// so hours of chat do not grow it.
#[derive(Default)]
struct SeenIds {
    order: VecDeque<String>,
    set: HashSet<String>,
}

impl SeenIds {
    const KEEP: usize = 4 * HISTORY_MAX as usize;

    /// True the first time a line is offered. A line without an id is compared by author,
    /// time and text instead.
    fn first_time(&mut self, m: &crate::model::ChatMessage) -> bool {
        let key = match &m.id {
            Some(id) => id.clone(),
            None => format!(
                "{:?}|{:?}|{}",
                m.author.id,
                m.sent_at.map(|t| t.unix_timestamp_nanos()),
                m.content
            ),
        };
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
    use crate::model::{ChatAuthor, ChatKind, ChatMessage};

    fn line(id: Option<&str>, text: &str) -> ChatMessage {
        ChatMessage {
            id: id.map(str::to_owned),
            author: ChatAuthor {
                id: Some("u1".into()),
                display_name: "Ann".into(),
                ..ChatAuthor::default()
            },
            content: text.into(),
            sent_at: None,
            kind: ChatKind::Message,
        }
    }

    #[test]
    fn a_line_missing_between_lines_still_there_was_deleted() {
        let ids = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let last = ids(&["a", "b", "c", "d"]);
        // "a" and "b" may have scrolled out as "e" came: nothing says they were deleted.
        assert_eq!(vanished(&last, &ids(&["c", "d", "e"])), ids(&[]));
        // "a" is still there, so "b" did not scroll out: it was deleted.
        assert_eq!(vanished(&last, &ids(&["a", "c", "d", "e"])), ids(&["b"]));
        assert_eq!(vanished(&last, &ids(&["a", "b", "c", "d", "e"])), ids(&[]));
        assert_eq!(vanished(&last, &ids(&["x", "y"])), ids(&[]));
        assert_eq!(vanished(&[], &ids(&["a"])), ids(&[]));
    }

    #[test]
    fn a_line_is_passed_on_once_and_the_memory_stays_bounded() {
        let mut seen = SeenIds::default();
        assert!(seen.first_time(&line(Some("m1"), "hi")));
        assert!(!seen.first_time(&line(Some("m1"), "hi")));
        assert!(seen.first_time(&line(None, "no id")));
        assert!(!seen.first_time(&line(None, "no id")));
        for n in 0..SeenIds::KEEP * 2 {
            seen.first_time(&line(Some(&format!("x{n}")), "spam"));
        }
        assert_eq!(seen.set.len(), SeenIds::KEEP);
        assert_eq!(seen.order.len(), SeenIds::KEEP);
        // Long forgotten, so it would pass again: only the recent past is remembered.
        assert!(seen.first_time(&line(Some("m1"), "hi")));
    }
}
