//! Following the own channel's chat over EventSub's websocket: connect, read the
//! `session_welcome` (the session id and how long the socket may stay silent), subscribe to
//! `channel.chat.message` for that session (and, where the sign-in allows, to chat
//! notifications and follows), then pass on every notification. A `session_reconnect`
//! moves to the address it names without losing a line: the old socket is read until the
//! new one is welcomed and then closed, and the subscriptions move with the session. A
//! silence longer than the keepalive timeout, the chat subscription's revocation or the
//! socket closing ends the connection with an error; the backend connects again (and so
//! subscribes again).

use super::client::{Call, PLATFORM, TwitchClient};
use super::eventsub::{
    BAN, CHAT_CLEAR_USER, CHAT_MESSAGE, CHAT_MESSAGE_DELETE, CHAT_NOTIFICATION, FOLLOW, Frame,
    Session, Subscription,
};
use super::wire::Envelope;
use crate::error::{ErrorKind, PlatformError};
use crate::platform::chat_feed::{ChatFeedItem, ChatSink};
use crate::platform::http;
use futures_util::StreamExt;
use reqwest::Method;
use serde_json::json;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{self, Message, protocol::WebSocketConfig};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
/// A connection to a reconnect address being made.
type Opening = Pin<Box<dyn Future<Output = Result<Socket, PlatformError>> + Send>>;

/// The keepalive timeout assumed when the welcome names none (Twitch's default).
const DEFAULT_KEEPALIVE: Duration = Duration::from_secs(10);
/// The largest message accepted: EventSub's are a few kilobytes.
const MAX_MESSAGE: usize = 1 << 20;

/// Follows the own channel's chat until `sink`'s receiver is gone (`Ok`) or the connection
/// fails (`Err`, for the backend to report and retry).
pub async fn follow(client: &TwitchClient, sink: &ChatSink) -> Result<(), PlatformError> {
    let me = client.own_id().await?;
    let timeout = client.request_timeout();
    let mut socket = Socket::open(client.eventsub_url().to_owned(), timeout).await?;
    subscribe_all(client, &socket.session_id, &me).await?;
    if sink.send(ChatFeedItem::Connected).is_err() {
        return Ok(());
    }
    // The socket being left after a reconnect, read until it closes.
    let mut draining: Option<Socket> = None;
    let mut moving: Option<Opening> = None;
    loop {
        let deadline = socket.deadline();
        tokio::select! {
            () = sink.closed() => return Ok(()),
            moved = next_move(&mut moving) => {
                moving = None;
                let new = moved?;
                tracing::debug!("Twitch chat moved to a new EventSub connection");
                let mut old = std::mem::replace(&mut socket, new);
                // Twitch sends nothing more to the old socket once the new one is welcomed;
                // what is still on its way is read before its close arrives.
                let _ = old.ws.close(None).await;
                draining = Some(old);
            }
            message = socket.next() => match socket.handle(message)? {
                Step::Events(events) => {
                    if !events.is_empty() && sink.send(ChatFeedItem::Events(events)).is_err() {
                        return Ok(());
                    }
                }
                Step::Reconnect(url) => {
                    if moving.is_none() {
                        moving = Some(Box::pin(Socket::open(url, timeout)));
                    }
                }
                Step::Nothing => {}
            },
            message = next_drained(&mut draining) => match message {
                Some(Ok(Message::Text(text))) => {
                    let frame: Option<Frame> = serde_json::from_str(&text).ok();
                    let frame = frame.as_ref().filter(|f| is(f, "notification"));
                    let event = frame.and_then(|f| f.event(OffsetDateTime::now_utc()));
                    if let Some(event) = event && sink.send(ChatFeedItem::Events(vec![event])).is_err() {
                        return Ok(());
                    }
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => draining = None,
                Some(Ok(_)) => {}
            },
            () = tokio::time::sleep_until(deadline) => {
                return Err(PlatformError::Timeout {
                    platform: PLATFORM,
                    secs: socket.keepalive.as_secs().max(1),
                });
            }
        }
    }
}

/// The pending move to a reconnect address, or never while there is none.
async fn next_move(moving: &mut Option<Opening>) -> Result<Socket, PlatformError> {
    match moving {
        Some(f) => f.await,
        None => std::future::pending().await,
    }
}

/// The next message of the socket being left, or never while there is none.
async fn next_drained(
    draining: &mut Option<Socket>,
) -> Option<Result<Message, tungstenite::Error>> {
    match draining {
        Some(s) => s.ws.next().await,
        None => std::future::pending().await,
    }
}

fn is(frame: &Frame, message_type: &str) -> bool {
    frame.metadata.message_type.as_deref() == Some(message_type)
}

/// What one message asks of the loop.
enum Step {
    Nothing,
    Events(Vec<crate::model::ChatEvent>),
    Reconnect(String),
}

/// One EventSub connection, welcomed.
struct Socket {
    ws: Ws,
    session_id: String,
    keepalive: Duration,
    last_heard: Instant,
}

impl Socket {
    /// Connects to `url` and waits for its `session_welcome`, within `timeout`.
    async fn open(url: String, timeout: Duration) -> Result<Socket, PlatformError> {
        check_socket_url(&url)?;
        let opened = async {
            let config = WebSocketConfig::default()
                .max_message_size(Some(MAX_MESSAGE))
                .max_frame_size(Some(MAX_MESSAGE));
            let (mut ws, _) =
                tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), true)
                    .await
                    .map_err(|e| socket_error(&e))?;
            loop {
                let message = ws.next().await;
                match message {
                    Some(Ok(Message::Text(text))) => {
                        let Ok(frame) = serde_json::from_str::<Frame>(&text) else {
                            continue;
                        };
                        if is(&frame, "session_welcome") {
                            let session = frame.payload.session.unwrap_or_default();
                            return welcomed(ws, session);
                        }
                    }
                    Some(Ok(Message::Close(close))) => return Err(closed(close.as_ref())),
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(socket_error(&e)),
                    None => return Err(broke()),
                }
            }
        };
        tokio::time::timeout(timeout, opened)
            .await
            .unwrap_or(Err(PlatformError::Timeout {
                platform: PLATFORM,
                secs: timeout.as_secs().max(1),
            }))
    }

    /// When the socket counts as lost: the keepalive timeout after the last message, with
    /// some slack for the network (Twitch sends its keepalive at the timeout's end).
    fn deadline(&self) -> Instant {
        let slack = (self.keepalive / 2).max(Duration::from_secs(2));
        self.last_heard + self.keepalive + slack
    }

    async fn next(&mut self) -> Option<Result<Message, tungstenite::Error>> {
        let message = self.ws.next().await;
        self.last_heard = Instant::now();
        message
    }

    /// What a message means for the loop; an error ends the connection.
    fn handle(
        &mut self,
        message: Option<Result<Message, tungstenite::Error>>,
    ) -> Result<Step, PlatformError> {
        let text = match message {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(close))) => return Err(closed(close.as_ref())),
            Some(Ok(_)) => return Ok(Step::Nothing),
            Some(Err(e)) => return Err(socket_error(&e)),
            None => return Err(broke()),
        };
        let frame: Frame = match serde_json::from_str(&text) {
            Ok(f) => f,
            Err(e) => {
                tracing::debug!("a Twitch EventSub message did not decode: {e}");
                return Ok(Step::Nothing);
            }
        };
        match frame.metadata.message_type.as_deref().unwrap_or_default() {
            "notification" => Ok(Step::Events(
                frame.event(OffsetDateTime::now_utc()).into_iter().collect(),
            )),
            "session_reconnect" => {
                let url = frame
                    .payload
                    .session
                    .and_then(|s| s.reconnect_url)
                    .filter(|u| !u.trim().is_empty())
                    .ok_or_else(|| PlatformError::BadShape {
                        platform: PLATFORM,
                        detail: "EventSub asked to reconnect without saying where".into(),
                    })?;
                Ok(Step::Reconnect(url))
            }
            "revocation" => {
                let sub = frame.payload.subscription.unwrap_or_default();
                let extra = matches!(
                    sub.kind.as_deref(),
                    Some(CHAT_NOTIFICATION | CHAT_MESSAGE_DELETE | CHAT_CLEAR_USER | BAN | FOLLOW)
                );
                if extra {
                    // Notices and follows are extras: chat itself goes on without them.
                    tracing::info!("{}", revoked(sub));
                    Ok(Step::Nothing)
                } else {
                    Err(revoked(sub))
                }
            }
            // Keepalives only reset the deadline; a second welcome changes nothing.
            _ => Ok(Step::Nothing),
        }
    }
}

/// A socket whose welcome arrived.
fn welcomed(ws: Ws, session: Session) -> Result<Socket, PlatformError> {
    let session_id =
        session
            .id
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| PlatformError::BadShape {
                platform: PLATFORM,
                detail: "the EventSub welcome has no session id".into(),
            })?;
    let keepalive = session
        .keepalive_timeout_seconds
        .filter(|s| *s > 0)
        .map_or(DEFAULT_KEEPALIVE, |s| Duration::from_secs(s.min(3_600)));
    Ok(Socket {
        ws,
        session_id,
        keepalive,
        last_heard: Instant::now(),
    })
}

/// A socket address from Twitch (or the configuration): `wss://`, or `ws://` on loopback.
fn check_socket_url(raw: &str) -> Result<(), PlatformError> {
    let url = url::Url::parse(raw).map_err(|_| PlatformError::BadShape {
        platform: PLATFORM,
        detail: "the EventSub address is not a URL".into(),
    })?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "wss" => Ok(()),
        "ws" if loopback => Ok(()),
        _ => Err(PlatformError::Config {
            platform: PLATFORM,
            message: "refusing an EventSub address that is not wss:// (plain ws:// only on this computer)".into(),
        }),
    }
}

/// Subscribes the session to the channel's chat (required) and to chat notifications,
/// removals, bans and follows (extras: a sign-in without their scope still reads chat).
async fn subscribe_all(
    client: &TwitchClient,
    session_id: &str,
    me: &str,
) -> Result<(), PlatformError> {
    let chat = json!({ "broadcaster_user_id": me, "user_id": me });
    client
        .subscribe(CHAT_MESSAGE, "1", chat.clone(), session_id)
        .await
        .map_err(|e| match e.kind() {
            ErrorKind::Auth | ErrorKind::Permission => PlatformError::Api {
                platform: PLATFORM,
                code: e.code().unwrap_or(0),
                kind: ErrorKind::Auth,
                sentence: format!(
                    "reading chat needs the user:read:chat permission, which this sign-in lacks: {} and allow it",
                    http::sign_in_again_words(PLATFORM)
                ),
            },
            _ => e,
        })?;
    let follows = json!({ "broadcaster_user_id": me, "moderator_user_id": me });
    let extras = [
        (CHAT_NOTIFICATION, "1", chat.clone()),
        (CHAT_MESSAGE_DELETE, "1", chat.clone()),
        (FOLLOW, "2", follows),
    ];
    for (kind, version, condition) in extras {
        extra(
            client.subscribe(kind, version, condition, session_id).await,
            kind,
        );
    }
    // channel.ban says how long a time-out lasts; a sign-in from before Stagehand asked
    // for channel:moderate still hears of bans, without the end, from the cleared lines.
    let bans = json!({ "broadcaster_user_id": me });
    if !extra(client.subscribe(BAN, "1", bans, session_id).await, BAN) {
        extra(
            client
                .subscribe(CHAT_CLEAR_USER, "1", chat, session_id)
                .await,
            CHAT_CLEAR_USER,
        );
    }
    Ok(())
}

/// Whether an extra subscription was made; chat goes on without it.
fn extra(made: Result<(), PlatformError>, kind: &str) -> bool {
    made.map_err(|e| tracing::info!("Twitch chat goes on without {kind}: {e}"))
        .is_ok()
}

impl TwitchClient {
    /// Subscribes an EventSub websocket session to an event (`POST /eventsub/subscriptions`
    /// `{type, version, condition, transport: {method: websocket, session_id}}`; Twitch
    /// answers 202 with the subscription).
    pub(crate) async fn subscribe(
        &self,
        kind: &str,
        version: &str,
        condition: serde_json::Value,
        session_id: &str,
    ) -> Result<(), PlatformError> {
        let body = json!({
            "type": kind,
            "version": version,
            "condition": condition,
            "transport": { "method": "websocket", "session_id": session_id },
        });
        let answer: Envelope<Subscription> = self
            .call(Call::with_body(
                Method::POST,
                "eventsub/subscriptions",
                body,
            ))
            .await?;
        match answer.data.first().and_then(|s| s.status.as_deref()) {
            None | Some("enabled") => Ok(()),
            Some(other) => Err(PlatformError::Api {
                platform: PLATFORM,
                code: 0,
                kind: ErrorKind::Other,
                sentence: format!("Twitch did not enable the {kind} subscription ({other})"),
            }),
        }
    }
}

/// The socket broke without a close message.
fn broke() -> PlatformError {
    PlatformError::Network {
        platform: PLATFORM,
        detail: "the chat connection closed".into(),
    }
}

/// A transport failure in words; never the address (a reconnect address carries a
/// challenge).
fn socket_error(e: &tungstenite::Error) -> PlatformError {
    use tungstenite::Error as E;
    let detail = match e {
        E::Io(_) | E::ConnectionClosed | E::AlreadyClosed => {
            "the chat connection broke or could not be made".to_owned()
        }
        E::Tls(_) => "the secure chat connection could not be set up".to_owned(),
        E::Http(response) => format!(
            "the chat server answered HTTP {} instead of opening a websocket",
            response.status().as_u16()
        ),
        E::Capacity(_) => "the chat server sent a message too large to read".to_owned(),
        _ => "the chat connection failed".to_owned(),
    };
    PlatformError::Network {
        platform: PLATFORM,
        detail,
    }
}

/// Twitch closed the socket: its close codes in words.
fn closed(close: Option<&tungstenite::protocol::CloseFrame>) -> PlatformError {
    let code = close.map_or(1005, |c| u16::from(c.code));
    let why = match code {
        4000 => "Twitch had an internal error",
        4001 => "Twitch refused a message Stagehand sent on it",
        4002 => "Twitch missed the answer to its ping",
        4003 => "no subscription was made on it in time",
        4004 => "the move to a new connection came too late",
        4005 | 4006 => "the network failed on Twitch's side",
        4007 => "Twitch refused the reconnect address",
        _ => "Twitch ended it",
    };
    PlatformError::Api {
        platform: PLATFORM,
        code: i64::from(code),
        kind: ErrorKind::Server,
        sentence: format!("the chat connection was closed ({why})"),
    }
}

/// A subscription Twitch ended: why, in words.
fn revoked(sub: Subscription) -> PlatformError {
    let what = sub.kind.unwrap_or_else(|| "chat".to_owned());
    let (kind, why) = match sub.status.as_deref().unwrap_or_default() {
        "authorization_revoked" => (
            ErrorKind::Auth,
            format!(
                "the permission to read it was withdrawn: {}",
                http::sign_in_again_words(PLATFORM)
            ),
        ),
        "user_removed" => (
            ErrorKind::Auth,
            "the account it follows no longer exists or was suspended".to_owned(),
        ),
        "version_removed" => (
            ErrorKind::Other,
            "Twitch retired the version Stagehand uses; an update of Stagehand is needed"
                .to_owned(),
        ),
        other if !other.is_empty() => (ErrorKind::Other, format!("Twitch says {other}")),
        _ => (ErrorKind::Other, "Twitch did not say why".to_owned()),
    };
    PlatformError::Api {
        platform: PLATFORM,
        code: 0,
        kind,
        sentence: format!("Twitch ended the {what} subscription: {why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_secure_or_loopback_sockets_are_used() {
        assert!(check_socket_url("wss://eventsub.wss.twitch.tv/ws?challenge=x").is_ok());
        assert!(check_socket_url("ws://127.0.0.1:9/ws").is_ok());
        assert!(check_socket_url("ws://[::1]:9/ws").is_ok());
        assert!(check_socket_url("ws://evil.example/ws").is_err());
        assert!(check_socket_url("https://eventsub.wss.twitch.tv/ws").is_err());
        assert!(check_socket_url("not a url").is_err());
    }

    #[test]
    fn close_codes_and_revocations_read_as_sentences() {
        let e = closed(Some(&tungstenite::protocol::CloseFrame {
            code: 4003.into(),
            reason: "connection unused".into(),
        }));
        assert_eq!(e.code(), Some(4003));
        assert!(e.to_string().contains("no subscription"), "{e}");
        let e = revoked(Subscription {
            status: Some("authorization_revoked".into()),
            kind: Some("channel.chat.message".into()),
            ..Subscription::default()
        });
        assert_eq!(e.kind(), ErrorKind::Auth);
        assert!(
            e.to_string().contains(&http::sign_in_again_words(PLATFORM)),
            "{e}"
        );
        assert!(e.to_string().contains("channel.chat.message"), "{e}");
    }
}
