//! The own channel's chat as the panel shows it: the events that arrived, each once, the
//! newest last, at most `ChatLog::KEEP` of them, and the lines the user sent until chat
//! shows them back. A removal (a deleted line, a ban) is not a line: it marks the lines it
//! removes. Pure, like the rest of `state`.

use super::{SendStatus, SentChat};
use crate::command::ChatFeedStatus;
use crate::command::RequestId;
use crate::model::{ChatEvent, EventKind};
use std::collections::{HashSet, VecDeque};

/// A chat line and what became of it here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatLine {
    /// Counts up in arrival order across every platform's log and never repeats: a stable
    /// key for the panel's layout cache, and the merged chat's order.
    pub seq: u64,
    pub event: ChatEvent,
    /// Deleted by a moderator (from this window, or elsewhere where the platform says so):
    /// shown struck out rather than dropped, so the log does not jump under the reader.
    pub deleted: bool,
}

/// The chat of one platform's own channel.
#[derive(Clone, Debug, Default)]
pub struct ChatLog {
    pub lines: VecDeque<ChatLine>,
    /// `ChatEvent::dedupe_key` of the lines in `lines`, to drop a repeat.
    keys: HashSet<String>,
    /// Lines the user sent that chat has not shown back yet (sending, failed, or sent and
    /// not echoed: on a platform whose chat cannot be read they stay here).
    pub sent: Vec<SentChat>,
    /// The connection, once the backend said anything about it.
    pub status: Option<ChatFeedStatus>,
    /// Sent lines chat showed back before the platform answered the send (Trovo's chat
    /// socket can beat its HTTP answer): their answer must not bring them back.
    echoed_early: HashSet<RequestId>,
}

impl ChatLog {
    /// How many lines are kept: hours of a busy chat would otherwise grow without end.
    pub const KEEP: usize = 10_000;

    /// Adds new events, oldest first. One already shown is skipped; a removal marks the
    /// lines it removes; a line that shows one the user sent (same id, or for platforms
    /// without ids the same author and text) takes the place of the pending one. `me` is
    /// the signed-in user's id; `seq` numbers the lines (shared by every platform's log).
    pub fn extend(&mut self, events: Vec<ChatEvent>, me: Option<&str>, seq: &mut u64) {
        for event in events {
            match &event.kind {
                EventKind::Delete { message_id } => {
                    self.mark_deleted(message_id);
                    continue;
                }
                EventKind::Ban { .. } => {
                    if let Some(user) = event.user.as_ref().and_then(|u| u.id.as_deref()) {
                        self.mark_user_cleared(user);
                    }
                    continue;
                }
                _ => {}
            }
            if !self.keys.insert(event.dedupe_key()) {
                continue;
            }
            self.take_echo(&event, me);
            self.lines.push_back(ChatLine {
                seq: *seq,
                event,
                deleted: false,
            });
            *seq += 1;
            while self.lines.len() > Self::KEEP {
                if let Some(old) = self.lines.pop_front() {
                    self.keys.remove(&old.event.dedupe_key());
                }
            }
        }
    }

    /// Drops the sent line that `message` shows back, if it is one. A line still sending
    /// is recognised by author and text too: chat may show it before the send's answer.
    fn take_echo(&mut self, event: &ChatEvent, me: Option<&str>) {
        let EventKind::Message { text, .. } = &event.kind else {
            return;
        };
        let by_id =
            |s: &SentChat| event.id.is_some() && s.platform_id.as_deref() == event.id.as_deref();
        let by_text = |s: &SentChat| {
            s.platform_id.is_none()
                && matches!(s.status, SendStatus::Sent | SendStatus::Sending)
                && me.is_some()
                && event.user.as_ref().and_then(|u| u.id.as_deref()) == me
                && s.message.trim() == text.trim()
        };
        let at = self
            .sent
            .iter()
            .position(by_id)
            .or_else(|| self.sent.iter().position(by_text));
        if let Some(at) = at {
            let echoed = self.sent.remove(at);
            if echoed.status == SendStatus::Sending {
                self.echoed_early.insert(echoed.request_id);
            }
        }
    }

    /// Whether chat already showed back the line `request_id` sent, before its answer came
    /// (then a successful answer has nothing left to mark). Asked once per answer.
    pub fn answered_after_echo(&mut self, request_id: RequestId) -> bool {
        self.echoed_early.remove(&request_id)
    }

    /// Marks every line of `user_id` deleted (a ban or time-out cleared them).
    pub fn mark_user_cleared(&mut self, user_id: &str) {
        for line in self.lines.iter_mut() {
            if line.event.user.as_ref().and_then(|u| u.id.as_deref()) == Some(user_id) {
                line.deleted = true;
            }
        }
    }

    /// Marks a line deleted (a moderator removed it, from this window or elsewhere).
    pub fn mark_deleted(&mut self, message_id: &str) {
        for line in self.lines.iter_mut() {
            if line.event.id.as_deref() == Some(message_id) {
                line.deleted = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChatUser, PlatformId};

    fn line(id: Option<&str>, author: &str, text: &str) -> ChatEvent {
        ChatEvent {
            platform: PlatformId::ALL[0],
            id: id.map(str::to_owned),
            at: time::OffsetDateTime::UNIX_EPOCH,
            user: Some(ChatUser {
                id: Some(author.into()),
                name: Some(author.into()),
                display_name: author.into(),
                roles: Vec::new(),
            }),
            kind: EventKind::Message {
                text: text.into(),
                reply_to: None,
            },
        }
    }

    fn removal(kind: EventKind, user: Option<&str>) -> ChatEvent {
        let mut e = line(None, user.unwrap_or("x"), "");
        e.kind = kind;
        if user.is_none() {
            e.user = None;
        }
        e
    }

    fn sent(request_id: u64, text: &str, platform_id: Option<&str>) -> SentChat {
        SentChat {
            request_id,
            message: text.into(),
            status: SendStatus::Sent,
            platform_id: platform_id.map(str::to_owned),
        }
    }

    #[test]
    fn a_replayed_line_is_shown_once() {
        let mut log = ChatLog::default();
        log.extend(vec![line(Some("1"), "ann", "hi")], None, &mut 0);
        log.extend(
            vec![line(Some("1"), "ann", "hi"), line(Some("2"), "bob", "yo")],
            None,
            &mut 0,
        );
        let texts: Vec<_> = log.lines.iter().map(|l| l.event.text()).collect();
        assert_eq!(texts, ["hi", "yo"]);
    }

    #[test]
    fn the_log_keeps_the_newest_lines_and_forgets_old_ids() {
        let mut log = ChatLog::default();
        let many = (0..ChatLog::KEEP + 10)
            .map(|n| line(Some(&n.to_string()), "ann", &format!("line {n}")))
            .collect();
        log.extend(many, None, &mut 0);
        assert_eq!(log.lines.len(), ChatLog::KEEP);
        assert_eq!(log.lines[0].event.text(), "line 10");
        assert_eq!(log.lines[0].seq, 10);
        assert_eq!(
            log.lines.back().map(|l| l.seq),
            Some(ChatLog::KEEP as u64 + 9)
        );
        assert_eq!(log.keys.len(), ChatLog::KEEP);
    }

    #[test]
    fn a_sent_line_gives_way_to_its_echo_by_id_or_by_author_and_text() {
        let mut log = ChatLog::default();
        log.sent.push(sent(1, "with id", Some("m9")));
        log.sent.push(sent(2, "no id", None));
        log.sent.push(sent(3, "someone else said it", None));
        log.extend(vec![line(Some("m9"), "me", "with id")], Some("me"), &mut 0);
        log.extend(vec![line(None, "me", "no id")], Some("me"), &mut 0);
        // The same words from someone else are not the echo.
        log.extend(
            vec![line(None, "bob", "someone else said it")],
            Some("me"),
            &mut 0,
        );
        let left: Vec<_> = log.sent.iter().map(|s| s.request_id).collect();
        assert_eq!(left, [3]);
        assert_eq!(log.lines.len(), 3);
    }

    #[test]
    fn an_echo_faster_than_the_send_s_answer_takes_the_pending_line_for_good() {
        let mut log = ChatLog::default();
        let mut pending = sent(7, "quick", None);
        pending.status = SendStatus::Sending;
        log.sent.push(pending);
        log.extend(vec![line(Some("t1"), "me", "quick")], Some("me"), &mut 0);
        assert!(log.sent.is_empty());
        assert!(log.answered_after_echo(7), "its answer finds it shown");
        assert!(!log.answered_after_echo(7), "asked once");
        assert!(!log.answered_after_echo(8));
    }

    #[test]
    fn a_deleted_line_stays_in_place_marked() {
        let mut log = ChatLog::default();
        log.extend(
            vec![line(Some("1"), "ann", "spam"), line(Some("2"), "bob", "ok")],
            None,
            &mut 0,
        );
        log.extend(
            vec![removal(
                EventKind::Delete {
                    message_id: "1".into(),
                },
                None,
            )],
            None,
            &mut 0,
        );
        assert!(log.lines[0].deleted);
        assert!(!log.lines[1].deleted);
        log.extend(
            vec![removal(EventKind::Ban { until: None }, Some("bob"))],
            None,
            &mut 0,
        );
        assert!(log.lines[1].deleted, "a ban clears bob's lines");
        assert_eq!(log.lines.len(), 2, "removals are not lines");
    }
}
