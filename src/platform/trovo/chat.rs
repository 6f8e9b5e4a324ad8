//! Following the own channel's chat over Trovo's chat websocket: a chat token from
//! `GET /chat/token` (scope chat_connect), the socket opened at once (the token may lapse
//! within seconds), `AUTH` with the token, then `PING` every `gap` seconds the `PONG`
//! names, and `CHAT` frames turned into chat lines. On connecting Trovo replays recent
//! lines in its first `CHAT` frame; those sent before the connection are passed on as the
//! backlog (a repeat across connections is the follow loop's to drop, by id). The chat
//! token never reaches a log line or an error message.

use super::TrovoClient;
use super::chat_wire::Frame;
use crate::error::{ErrorKind, PlatformError};
use crate::model::{ChatEvent, PlatformId};
use crate::platform::chat_feed::{ChatFeedItem, ChatSink};
use crate::secret::Secret;
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::collections::{HashMap, VecDeque};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{self, Message};

const PLATFORM: PlatformId = PlatformId::Trovo;

/// The pause between pings until Trovo names one (its documented default).
pub const DEFAULT_PING_GAP: Duration = Duration::from_secs(30);
/// The shortest and longest pause a `PONG` may set: a server asking for pings every
/// millisecond, or never, is not followed literally.
const GAP_RANGE: (u64, u64) = (5, 300);
/// How long a `PONG` may take before the connection counts as dead, unless the
/// configuration says otherwise (`TrovoConfig::chat_pong_wait`).
pub const PONG_WAIT: Duration = Duration::from_secs(20);

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Follows the own channel's chat until `sink`'s receiver is gone (`Ok`) or the connection
/// fails: refused token, closed or broken socket, or no `PONG` in time (`Err`).
pub async fn follow(client: &TrovoClient, sink: &ChatSink) -> Result<(), PlatformError> {
    let token = client.chat_token().await?;
    let mut socket = connect(client).await?;
    authenticate(&mut socket, &token, client.timeout()).await?;
    drop(token);
    let mut history = History::since(OffsetDateTime::now_utc());
    if sink.send(ChatFeedItem::Connected).is_err() {
        let _ = socket.close(None).await;
        return Ok(());
    }
    tracing::info!("Trovo chat connected");
    let mut nonces = Nonces::default();
    let mut next_ping = Instant::now();
    let mut pong_due: Option<Instant> = None;
    loop {
        tokio::select! {
            frame = socket.next() => {
                let text = match frame {
                    None => return Err(closed("Trovo's chat closed the connection")),
                    Some(Err(e)) => return Err(socket_error(&e)),
                    Some(Ok(Message::Text(t))) => t.as_str().to_owned(),
                    Some(Ok(Message::Binary(b))) => match String::from_utf8(b.to_vec()) {
                        Ok(t) => t,
                        Err(_) => continue,
                    },
                    Some(Ok(Message::Close(_))) => {
                        return Err(closed("Trovo's chat closed the connection"));
                    }
                    Some(Ok(_)) => continue,
                };
                let Ok(frame) = serde_json::from_str::<Frame>(&text) else {
                    tracing::debug!("Trovo chat: a frame that is not JSON was skipped");
                    continue;
                };
                match frame.kind().as_str() {
                    "PONG" => {
                        let gap = frame
                            .data
                            .as_ref()
                            .and_then(|d| d.gap)
                            .and_then(|g| u64::try_from(g).ok())
                            .map_or(DEFAULT_PING_GAP, |g| {
                                Duration::from_secs(g.clamp(GAP_RANGE.0, GAP_RANGE.1))
                            });
                        pong_due = None;
                        next_ping = Instant::now() + gap;
                    }
                    "CHAT" => {
                        let (backlog, fresh) = sort_lines(client, frame, &mut history);
                        let gone = (!backlog.is_empty()
                            && sink.send(ChatFeedItem::Backlog(backlog)).is_err())
                            || (!fresh.is_empty()
                                && sink.send(ChatFeedItem::Events(fresh)).is_err());
                        if gone {
                            let _ = socket.close(None).await;
                            return Ok(());
                        }
                    }
                    _ => {}
                }
            }
            () = tokio::time::sleep_until(next_ping), if pong_due.is_none() => {
                let ping = json!({ "type": "PING", "nonce": nonces.next() }).to_string();
                socket
                    .send(Message::text(ping))
                    .await
                    .map_err(|e| socket_error(&e))?;
                pong_due = Some(Instant::now() + client.chat_pong_wait());
            }
            () = sleep_until_some(pong_due) => {
                return Err(closed(&format!(
                    "Trovo's chat did not answer a ping within {} s",
                    client.chat_pong_wait().as_secs().max(1)
                )));
            }
            () = sink.closed() => {
                let _ = socket.close(None).await;
                return Ok(());
            }
        }
    }
}

/// Sleeps until `at`, or forever when there is nothing to wait for.
async fn sleep_until_some(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Opens the socket within the client's timeout.
async fn connect(client: &TrovoClient) -> Result<Socket, PlatformError> {
    let url = client.chat_url().as_str().to_owned();
    let timeout = client.timeout();
    match tokio::time::timeout(timeout, tokio_tungstenite::connect_async(url)).await {
        Ok(Ok((socket, _))) => Ok(socket),
        Ok(Err(e)) => Err(socket_error(&e)),
        Err(_) => Err(PlatformError::Timeout {
            platform: PLATFORM,
            secs: timeout.as_secs().max(1),
        }),
    }
}

/// Sends `AUTH` with the chat token and waits for Trovo's `RESPONSE` to it; a response
/// with an `error` is a refusal, in Trovo's words.
async fn authenticate(
    socket: &mut Socket,
    token: &Secret,
    timeout: Duration,
) -> Result<(), PlatformError> {
    let nonce = Nonces::default().next();
    let auth = json!({ "type": "AUTH", "nonce": nonce, "data": { "token": token.expose() } });
    socket
        .send(Message::text(auth.to_string()))
        .await
        .map_err(|e| socket_error(&e))?;
    let answer = async {
        loop {
            let text = match socket.next().await {
                None | Some(Ok(Message::Close(_))) => {
                    return Err(closed(
                        "Trovo's chat closed the connection before accepting the chat token",
                    ));
                }
                Some(Err(e)) => return Err(socket_error(&e)),
                Some(Ok(Message::Text(t))) => t.as_str().to_owned(),
                Some(Ok(_)) => continue,
            };
            let Ok(frame) = serde_json::from_str::<Frame>(&text) else {
                continue;
            };
            // Frames before the answer (none are expected) are not chat yet.
            if frame.kind() != "RESPONSE" || frame.nonce.as_deref().is_some_and(|n| n != nonce) {
                continue;
            }
            return match frame.refusal() {
                None => Ok(()),
                Some(why) => Err(PlatformError::Api {
                    platform: PLATFORM,
                    code: 0,
                    kind: ErrorKind::Auth,
                    sentence: format!("Trovo's chat refused the chat token ({why})"),
                }),
            };
        }
    };
    match tokio::time::timeout(timeout, answer).await {
        Ok(result) => result,
        Err(_) => Err(PlatformError::Timeout {
            platform: PLATFORM,
            secs: timeout.as_secs().max(1),
        }),
    }
}

/// Tells the replay Trovo sends on connecting from live lines, by `send_time` (whole
/// seconds) against the moment the connection was accepted.
struct History {
    connected_at: OffsetDateTime,
    /// Whether the first `CHAT` frame (the replay) is still to come.
    replay_pending: bool,
}

impl History {
    fn since(now: OffsetDateTime) -> History {
        History {
            connected_at: OffsetDateTime::from_unix_timestamp(now.unix_timestamp()).unwrap_or(now),
            replay_pending: true,
        }
    }

    /// Whether an item sent at `sent` is history. In the replay, a line of the very second
    /// of the connection is history too (it was there to be replayed); in later frames only
    /// earlier seconds are, so a live line is never lost to the second's rounding. Trovo's
    /// clock is judged against ours: a skew of a second or two lets that much history
    /// through, which the chat log then tells apart by id.
    fn is_old(&self, sent: Option<OffsetDateTime>) -> bool {
        sent.is_some_and(|t| {
            t < self.connected_at || (self.replay_pending && t == self.connected_at)
        })
    }
}

/// The lines of a `CHAT` frame worth passing on, as (history, live), and only
/// what the log shows (see `ChatItem::into_event`). History is the replay Trovo sends on
/// connecting: context for the window, not news. Every sender's user name is remembered,
/// replayed lines included, for the ban command.
fn sort_lines(
    client: &TrovoClient,
    frame: Frame,
    history: &mut History,
) -> (Vec<ChatEvent>, Vec<ChatEvent>) {
    let (mut backlog, mut fresh) = (Vec::new(), Vec::new());
    let items = frame.into_chats();
    let now = OffsetDateTime::now_utc();
    for item in items {
        if let (Some(id), Some(login)) = (item.sender(), item.user_name.as_deref()) {
            client.remember_chatter(&id, login);
        }
        let old = history.is_old(item.send_time);
        let Some(line) = item.into_event(now) else {
            continue;
        };
        if old {
            backlog.push(line);
        } else {
            fresh.push(line);
        }
    }
    history.replay_pending = false;
    (backlog, fresh)
}

fn closed(detail: &str) -> PlatformError {
    PlatformError::Network {
        platform: PLATFORM,
        detail: detail.to_owned(),
    }
}

/// A socket failure in words; never the address's query or any frame.
fn socket_error(e: &tungstenite::Error) -> PlatformError {
    use tungstenite::Error as E;
    match e {
        E::Http(response) => PlatformError::Http {
            platform: PLATFORM,
            status: response.status().as_u16(),
        },
        E::Tls(_) => closed("the chat connection's encryption failed"),
        E::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            closed("the chat server refused the connection")
        }
        E::Io(_) => closed("the chat connection could not be made or broke"),
        E::ConnectionClosed | E::AlreadyClosed => closed("Trovo's chat closed the connection"),
        E::Protocol(_) => closed("the chat connection broke off"),
        _ => closed("the chat connection failed"),
    }
}

/// Nonces that tell one request's answer from another's.
#[derive(Default)]
struct Nonces(u64);

impl Nonces {
    fn next(&mut self) -> String {
        self.0 += 1;
        format!("stagehand-{}-{}", rand::random::<u32>(), self.0)
    }
}

/// User names of the people who chatted lately, by user id: Trovo's ban command names a
/// user, while a chat line's moderation menu knows the author's id.
#[derive(Default)]
pub(crate) struct KnownChatters {
    order: VecDeque<String>,
    names: HashMap<String, String>,
}

impl KnownChatters {
    const KEEP: usize = 5_000;

    /// Remembers (or updates) `id`'s user name.
    pub(crate) fn remember(&mut self, id: &str, login: &str) {
        let login = login.trim();
        if id.is_empty() || login.is_empty() {
            return;
        }
        if self.names.insert(id.to_owned(), login.to_owned()).is_none() {
            self.order.push_back(id.to_owned());
            if self.order.len() > Self::KEEP
                && let Some(old) = self.order.pop_front()
            {
                self.names.remove(&old);
            }
        }
    }

    /// `id`'s user name, if they chatted lately.
    pub(crate) fn login(&self, id: &str) -> Option<String> {
        self.names.get(id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_replay_s_second_is_history_and_later_seconds_are_live() {
        let at = |s: i64| OffsetDateTime::from_unix_timestamp(s).ok();
        let mut history = History::since(
            OffsetDateTime::from_unix_timestamp(1_000).expect("t")
                + time::Duration::milliseconds(700),
        );
        assert!(history.is_old(at(999)));
        assert!(
            history.is_old(at(1_000)),
            "the connection's own second, in the replay"
        );
        assert!(!history.is_old(at(1_001)));
        assert!(!history.is_old(None), "no time: judged by id alone");
        history.replay_pending = false;
        assert!(history.is_old(at(999)));
        assert!(!history.is_old(at(1_000)), "a live line of that second");
    }

    #[test]
    fn chatters_are_remembered_within_bounds() {
        let mut known = KnownChatters::default();
        known.remember("1", "ann");
        known.remember("1", "ann_renamed");
        known.remember("", "nobody");
        assert_eq!(known.login("1").as_deref(), Some("ann_renamed"));
        for n in 0..KnownChatters::KEEP + 10 {
            known.remember(&format!("x{n}"), "someone");
        }
        assert_eq!(known.names.len(), KnownChatters::KEEP);
        assert_eq!(known.login("1"), None, "the oldest are forgotten");
    }
}
