//! `stagehand <platform> chat follow`: the own channel's live events printed as they
//! happen, for scripts, bots and alert overlays. Unlike the other commands it streams: one
//! line per event (one JSON object per line with `--json`), flushed at once, until
//! `--for` seconds pass, `--count` events were printed, or SIGINT/SIGTERM (each an exit
//! 0). It rides the follow loop the window uses, so a dropped connection comes back by
//! itself (one line on stderr each time) and nothing is printed twice. What happened
//! before the connection (a platform's history or replay) is left out unless `--backlog`
//! asks for it, so every platform means the same by "follow".

use super::session;
use crate::model::{ChatEvent, EventKind, PlatformId};
use crate::platform::chat_feed::{ChatFeedStatus, FeedReport, follow_live};
use std::io::Write as _;
use std::time::Duration;

/// When a follow stops by itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct FollowLimits {
    /// After this many events.
    pub count: Option<usize>,
    /// After this long.
    pub duration: Option<Duration>,
    /// Print what happened before the connection too.
    pub backlog: bool,
}

/// Follows the channel; `Ok` when a limit or a signal ends it, the platform's sentence
/// when following is not possible (no sign-in, a missing permission).
pub(super) async fn run(
    demo: bool,
    json: bool,
    platform: PlatformId,
    limits: FollowLimits,
) -> Result<(), String> {
    if limits.count == Some(0) || limits.duration == Some(Duration::ZERO) {
        return Ok(());
    }
    let session = session::connect(demo, platform).await?;
    let mut printer = Printer {
        json,
        backlog: limits.backlog,
        left: limits.count,
        gave_up: None,
        failed: None,
    };
    let follow = follow_live(session.client.clone(), |report| printer.take(report));
    let until = async {
        match limits.duration {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        () = follow => {}
        () = until => {}
        () = interrupted() => {}
    }
    match (printer.failed, printer.gave_up) {
        (Some(e), _) | (None, Some(e)) => Err(e),
        (None, None) => Ok(()),
    }
}

/// Prints what the follow loop reports, and says when to stop.
struct Printer {
    json: bool,
    backlog: bool,
    /// Events still to print, when counted.
    left: Option<usize>,
    /// Why following is not possible, once the loop said so.
    gave_up: Option<String>,
    /// A write that failed (other than a reader that went away).
    failed: Option<String>,
}

impl Printer {
    /// Takes one report; false once nothing more is wanted.
    fn take(&mut self, report: FeedReport) -> bool {
        let events = match report {
            FeedReport::Status(ChatFeedStatus::Retrying { why, retry_in_secs }) => {
                eprintln!(
                    "stagehand: {}; connecting again in {retry_in_secs} s",
                    super::output::one_line(&why)
                );
                return true;
            }
            FeedReport::Status(ChatFeedStatus::Unavailable(why)) => {
                self.gave_up = Some(why);
                return false;
            }
            FeedReport::Status(_) => return true,
            FeedReport::Backlog(_) if !self.backlog => return true,
            FeedReport::Backlog(events) | FeedReport::Events(events) => events,
        };
        for event in &events {
            match print_line(event, self.json) {
                Ok(()) => {}
                // A reader that stopped early (`| head`) ends the follow, not in error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return false,
                Err(e) => {
                    self.failed = Some(format!("could not print an event: {e}"));
                    return false;
                }
            }
            if let Some(left) = &mut self.left {
                *left -= 1;
                if *left == 0 {
                    return false;
                }
            }
        }
        true
    }
}

/// Resolves on SIGINT (Ctrl+C) or, on Unix, SIGTERM.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// One event as a line: `--json`'s object (the model's fields, flat, plus `text`), or
/// `Name: words` for a message and `* Name what happened` for anything else.
fn print_line(event: &ChatEvent, json: bool) -> std::io::Result<()> {
    let line = if json {
        json_line(event)
    } else if matches!(event.kind, EventKind::Message { .. }) {
        format!("{}: {}", event.who(), event.text())
    } else {
        format!("* {} {}", event.who(), event.text())
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", line.replace('\n', " "))?;
    out.flush()
}

/// The `--json` contract: `{platform, kind, id, at, user, text}` and the kind's fields.
fn json_line(event: &ChatEvent) -> String {
    let mut value = serde_json::to_value(event).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert("text".into(), event.text().into());
    }
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChatUser, SubTier};

    #[test]
    fn a_json_line_has_the_contract_s_fields() {
        let event = ChatEvent {
            platform: PlatformId::ALL[0],
            id: Some("g1".into()),
            at: time::OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("t"),
            user: Some(ChatUser {
                id: Some("9".into()),
                name: Some("santa".into()),
                display_name: "Santa".into(),
                roles: Vec::new(),
            }),
            kind: EventKind::Gift {
                count: 5,
                tier: Some(SubTier::One),
            },
        };
        let v: serde_json::Value = serde_json::from_str(&json_line(&event)).expect("json");
        assert_eq!(v["platform"], PlatformId::ALL[0].slug());
        assert_eq!(v["kind"], "gift");
        assert_eq!(v["id"], "g1");
        assert_eq!(v["at"], "2023-11-14T22:13:20Z");
        assert_eq!(v["user"]["name"], "santa");
        assert_eq!(v["user"]["display_name"], "Santa");
        assert_eq!(v["count"], 5);
        assert_eq!(v["tier"], "1");
        assert_eq!(v["text"], "gifted 5 subscriptions at tier 1");
    }
}
