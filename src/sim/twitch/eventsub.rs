//! The simulated EventSub websocket (`/ws` on the Helix listener, standing in for
//! `wss://eventsub.wss.twitch.tv/ws`) and its sessions: each connection is welcomed with a
//! session id and a keepalive timeout, hears a `session_keepalive` whenever it has been
//! silent that long, and gets a `notification` for every event its subscriptions match.
//! As on Twitch: a connection with no subscription by the end of the first keepalive
//! timeout is closed (4003), a client that sends anything but a pong is cut off (4001), a
//! `session_reconnect` names a new address whose connection takes the session over with its
//! subscriptions (an unknown reconnect address: 4007), and a connection that ends without a
//! reconnect disables its subscriptions (`websocket_disconnected`).

use std::{collections::HashMap, sync::Arc, time::Duration};

use axum::{
    extract::{
        State,
        ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade},
    },
    http::Uri,
    response::Response,
};
use serde_json::{Value, json};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};
use tokio::{
    sync::{Notify, mpsc},
    time::Instant,
};

use super::{
    server::Shared,
    wire::{Query, rfc3339},
    world::{ChatLine, World},
};

/// The chat lines of a channel (scope user:read:chat).
pub(crate) const CHAT_MESSAGE: &str = "channel.chat.message";
/// Subscriptions, raids and announcements in chat (scope user:read:chat).
pub(crate) const CHAT_NOTIFICATION: &str = "channel.chat.notification";
/// A moderator deleted one chat line (scope user:read:chat).
pub(crate) const CHAT_MESSAGE_DELETE: &str = "channel.chat.message_delete";
/// A ban or time-out cleared someone's lines (scope user:read:chat).
pub(crate) const CHAT_CLEAR_USER: &str = "channel.chat.clear_user_messages";
/// A ban or a time-out with its end (scope channel:moderate).
pub(crate) const BAN: &str = "channel.ban";
/// New followers (version 2, scope moderator:read:followers).
pub(crate) const FOLLOW: &str = "channel.follow";

/// Twitch's keepalive timeout unless the client asks for another (10..=600 s).
pub(crate) const DEFAULT_KEEPALIVE_SECS: u32 = 10;
/// How many disabled subscriptions are still listed (Twitch lists them for a while).
const DISABLED_KEPT: usize = 200;

/// What a session's connection is told to do.
#[derive(Debug)]
pub(crate) enum Out {
    /// A message to send.
    Text(String),
    /// Send a close frame with this code and reason, then end.
    Close(u16, &'static str),
    /// Hang up without a close frame, as a broken network does.
    Drop,
}

/// A connected session.
struct Session {
    tx: mpsc::UnboundedSender<Out>,
    /// Wakes the connection holding the session when the session moves on.
    wake: Arc<Notify>,
    /// Which connection holds the session now (a reconnect hands it on).
    connection: u64,
    connected_at: String,
    keepalive_secs: u32,
}

/// A subscription with the websocket transport.
#[derive(Clone, Debug)]
pub(crate) struct Subscription {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) version: String,
    pub(crate) condition: Value,
    pub(crate) session_id: String,
    /// The token's user, who made it.
    pub(crate) user_id: u64,
    /// The channel its events come from.
    pub(crate) broadcaster: u64,
    pub(crate) created_at: String,
    /// `enabled`, `websocket_disconnected`, or a revocation's reason.
    pub(crate) status: String,
    connected_at: String,
    disconnected_at: Option<String>,
}

impl Subscription {
    /// As Helix and the notifications show it.
    pub(crate) fn to_json(&self) -> Value {
        let mut transport = json!({"method": "websocket", "session_id": self.session_id});
        match &self.disconnected_at {
            Some(at) => {
                transport["connected_at"] = json!(self.connected_at);
                transport["disconnected_at"] = json!(at);
            }
            None => transport["connected_at"] = json!(self.connected_at),
        }
        json!({
            "id": self.id,
            "status": self.status,
            "type": self.kind,
            "version": self.version,
            "condition": self.condition,
            "transport": transport,
            "created_at": self.created_at,
            "cost": 0,
        })
    }

    /// Whether events still reach it.
    pub(crate) fn enabled(&self) -> bool {
        self.status == "enabled"
    }
}

/// Every EventSub session and subscription; lives in the world, so an event and the
/// subscriptions it matches are read under one lock.
pub(crate) struct Hub {
    sessions: HashMap<String, Session>,
    pub(crate) subscriptions: Vec<Subscription>,
    /// Reconnect challenges handed out, each with the session it moves.
    challenges: HashMap<String, String>,
    next_connection: u64,
    /// Whether keepalives are sent (tests switch them off to see a client notice).
    pub(crate) keepalives: bool,
    /// The keepalive timeout of a connection that asks for none.
    pub(crate) default_keepalive_secs: u32,
    /// Sessions handed to a new connection after a reconnect.
    pub(crate) moves: u64,
    /// Whether a connection told to reconnect holds back what it would send until its
    /// session has moved (a slow network): those lines then arrive on the old connection
    /// after the new one is welcomed.
    pub(crate) lag_until_moved: bool,
    /// Whether every notification is delivered twice with the same id (Twitch may).
    pub(crate) deliver_twice: bool,
}

impl Hub {
    /// No sessions yet; connections that ask for no keepalive timeout get this one.
    pub(crate) fn new(default_keepalive_secs: u32) -> Hub {
        Hub {
            sessions: HashMap::new(),
            subscriptions: Vec::new(),
            challenges: HashMap::new(),
            next_connection: 1,
            keepalives: true,
            default_keepalive_secs: default_keepalive_secs.max(1),
            moves: 0,
            lag_until_moved: false,
            deliver_twice: false,
        }
    }

    /// Whether `id` names a connected session.
    pub(crate) fn is_connected(&self, id: &str) -> bool {
        self.sessions.contains_key(id)
    }

    /// How many sessions are connected.
    pub(crate) fn connected(&self) -> usize {
        self.sessions.len()
    }

    /// When the session connected, for a subscription's transport.
    pub(crate) fn connected_at(&self, id: &str) -> Option<String> {
        self.sessions.get(id).map(|s| s.connected_at.clone())
    }

    /// Registers a subscription made through Helix.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add(
        &mut self,
        id: String,
        kind: &str,
        version: &str,
        condition: Value,
        session_id: &str,
        user_id: u64,
        broadcaster: u64,
    ) -> Subscription {
        let sub = Subscription {
            id,
            kind: kind.to_owned(),
            version: version.to_owned(),
            condition,
            session_id: session_id.to_owned(),
            user_id,
            broadcaster,
            created_at: now_text(),
            status: "enabled".to_owned(),
            connected_at: self.connected_at(session_id).unwrap_or_else(now_text),
            disconnected_at: None,
        };
        self.subscriptions.push(sub.clone());
        sub
    }

    /// Sends `event` to every enabled subscription of `kind` on `broadcaster`'s channel;
    /// `message_id` gives each notification its metadata id.
    pub(crate) fn publish(
        &mut self,
        kind: &str,
        broadcaster: u64,
        event: &Value,
        mut message_id: impl FnMut() -> String,
    ) {
        for sub in self
            .subscriptions
            .iter()
            .filter(|s| s.enabled() && s.kind == kind && s.broadcaster == broadcaster)
        {
            let Some(session) = self.sessions.get(&sub.session_id) else {
                continue;
            };
            let frame = json!({
                "metadata": {
                    "message_id": message_id(),
                    "message_type": "notification",
                    "message_timestamp": now_text(),
                    "subscription_type": sub.kind,
                    "subscription_version": sub.version,
                },
                "payload": {"subscription": sub.to_json(), "event": event},
            });
            let text = frame.to_string();
            if self.deliver_twice {
                let _ = session.tx.send(Out::Text(text.clone()));
            }
            let _ = session.tx.send(Out::Text(text));
        }
    }

    /// Tells every session to move to a new address; answers how many were told.
    pub(crate) fn reconnect_all(
        &mut self,
        origin: &str,
        mut challenge: impl FnMut() -> String,
    ) -> usize {
        let mut told = 0;
        for (id, session) in &self.sessions {
            let c = challenge();
            let url = format!("{origin}/ws?challenge={c}&id={id}");
            let frame = json!({
                "metadata": {
                    "message_id": challenge(),
                    "message_type": "session_reconnect",
                    "message_timestamp": now_text(),
                },
                "payload": {"session": {
                    "id": id,
                    "status": "reconnecting",
                    "keepalive_timeout_seconds": null,
                    "reconnect_url": url,
                    "connected_at": session.connected_at,
                    "recovery_url": null,
                }},
            });
            if session.tx.send(Out::Text(frame.to_string())).is_ok() {
                self.challenges.insert(c, id.clone());
                told += 1;
            }
        }
        told
    }

    /// Tells every connection to do `what` (hang up, close); answers how many.
    pub(crate) fn tell_all(&mut self, what: impl Fn() -> Out) -> usize {
        self.sessions
            .values()
            .filter(|s| s.tx.send(what()).is_ok())
            .count()
    }

    /// Ends every enabled subscription with a revocation (`status` says why); answers how
    /// many.
    pub(crate) fn revoke_all(
        &mut self,
        status: &str,
        mut message_id: impl FnMut() -> String,
    ) -> usize {
        let mut revoked = 0;
        for sub in self.subscriptions.iter_mut().filter(|s| s.enabled()) {
            sub.status = status.to_owned();
            revoked += 1;
            let Some(session) = self.sessions.get(&sub.session_id) else {
                continue;
            };
            let frame = json!({
                "metadata": {
                    "message_id": message_id(),
                    "message_type": "revocation",
                    "message_timestamp": now_text(),
                    "subscription_type": sub.kind,
                    "subscription_version": sub.version,
                },
                "payload": {"subscription": sub.to_json()},
            });
            let _ = session.tx.send(Out::Text(frame.to_string()));
        }
        revoked
    }

    /// A new connection's session.
    fn open(
        &mut self,
        id: String,
        tx: mpsc::UnboundedSender<Out>,
        wake: Arc<Notify>,
        keepalive_secs: u32,
    ) -> u64 {
        let connection = self.next_connection;
        self.next_connection += 1;
        self.sessions.insert(
            id,
            Session {
                tx,
                wake,
                connection,
                connected_at: now_text(),
                keepalive_secs,
            },
        );
        connection
    }

    /// A connection to a reconnect address takes its session over: from now on its
    /// events go there (the old connection sends what was queued, then closes).
    fn adopt(
        &mut self,
        challenge: &str,
        tx: mpsc::UnboundedSender<Out>,
        wake: Arc<Notify>,
    ) -> Option<(String, u64, u32, String)> {
        let id = self.challenges.remove(challenge)?;
        let connection = self.next_connection;
        self.next_connection += 1;
        let session = self.sessions.get_mut(&id)?;
        // The old sender goes: its connection drains what it holds and closes.
        session.tx = tx;
        session.connection = connection;
        std::mem::replace(&mut session.wake, wake).notify_one();
        self.moves += 1;
        Some((
            id,
            connection,
            session.keepalive_secs,
            session.connected_at.clone(),
        ))
    }

    /// Whether `connection` holds back its messages now (see `lag_until_moved`).
    fn holds(&self, id: &str, connection: u64) -> bool {
        self.lag_until_moved
            && self.challenges.values().any(|s| s == id)
            && self
                .sessions
                .get(id)
                .is_some_and(|s| s.connection == connection)
    }

    /// Whether the session has any enabled subscription.
    fn subscribed(&self, id: &str) -> bool {
        self.subscriptions
            .iter()
            .any(|s| s.session_id == id && s.enabled())
    }

    /// A connection ended. Unless the session moved on, it ends, and its subscriptions
    /// are disabled.
    fn closed(&mut self, id: &str, connection: u64) {
        if self
            .sessions
            .get(id)
            .is_none_or(|s| s.connection != connection)
        {
            return;
        }
        self.sessions.remove(id);
        self.challenges.retain(|_, s| s != id);
        let at = now_text();
        for sub in self
            .subscriptions
            .iter_mut()
            .filter(|s| s.session_id == id && s.enabled())
        {
            sub.status = "websocket_disconnected".to_owned();
            sub.disconnected_at = Some(at.clone());
        }
        let disabled = self.subscriptions.iter().filter(|s| !s.enabled()).count();
        if disabled > DISABLED_KEPT {
            let mut drop = disabled - DISABLED_KEPT;
            self.subscriptions.retain(|s| {
                if drop > 0 && !s.enabled() {
                    drop -= 1;
                    false
                } else {
                    true
                }
            });
        }
    }
}

/// The badges chat shows beside `user` in `broadcaster`'s channel.
pub(crate) fn badges(world: &World, broadcaster: u64, user: u64) -> Value {
    let mut out = Vec::new();
    if user == broadcaster {
        out.push(json!({"set_id": "broadcaster", "id": "1", "info": ""}));
    } else if world.is_moderator(broadcaster, user) {
        out.push(json!({"set_id": "moderator", "id": "1", "info": ""}));
    }
    if broadcaster == world.main().owner && world.vips.contains(&user) {
        out.push(json!({"set_id": "vip", "id": "1", "info": ""}));
    }
    if broadcaster == world.main().owner && world.subs.iter().any(|s| s.user == user) {
        out.push(json!({"set_id": "subscriber", "id": "0", "info": "3"}));
    }
    Value::Array(out)
}

/// The broadcaster's and a user's names, in the `<prefix>_user_id/login/name` fields.
pub(crate) fn people(
    world: &World,
    broadcaster: u64,
    user: u64,
    prefix: &str,
) -> serde_json::Map<String, Value> {
    let (bid, blogin, bname) = world.names(broadcaster);
    let (uid, ulogin, uname) = world.names(user);
    let mut m = serde_json::Map::new();
    m.insert("broadcaster_user_id".into(), json!(bid));
    m.insert("broadcaster_user_login".into(), json!(blogin));
    m.insert("broadcaster_user_name".into(), json!(bname));
    m.insert(format!("{prefix}_user_id"), json!(uid));
    m.insert(format!("{prefix}_user_login"), json!(ulogin));
    m.insert(format!("{prefix}_user_name"), json!(uname));
    m
}

/// `channel.chat.message`'s event for a line.
pub(crate) fn chat_message_event(world: &World, line: &ChatLine) -> Value {
    let mut e = people(world, line.broadcaster_id, line.sender_id, "chatter");
    e.insert("message_id".into(), json!(line.message_id));
    e.insert(
        "message".into(),
        json!({"text": line.text, "fragments": [
            {"type": "text", "text": line.text, "cheermote": null, "emote": null, "mention": null}
        ]}),
    );
    e.insert("message_type".into(), json!("text"));
    e.insert(
        "badges".into(),
        badges(world, line.broadcaster_id, line.sender_id),
    );
    e.insert("color".into(), json!(""));
    e.insert("cheer".into(), Value::Null);
    e.insert("reply".into(), Value::Null);
    e.insert("channel_points_custom_reward_id".into(), Value::Null);
    e.insert("source_broadcaster_user_id".into(), Value::Null);
    e.insert("source_message_id".into(), Value::Null);
    Value::Object(e)
}

/// `channel.follow` (v2)'s event.
pub(crate) fn follow_event(world: &World, broadcaster: u64, user: u64, at: i64) -> Value {
    let mut e = people(world, broadcaster, user, "user");
    e.insert("followed_at".into(), json!(rfc3339(at)));
    Value::Object(e)
}

/// RFC 3339 with nanoseconds, as EventSub writes its times.
pub(crate) fn now_text() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// `GET /ws`: the EventSub websocket. `keepalive_timeout_seconds` (10..=600) sets the
/// keepalive timeout; `challenge` is a reconnect address's.
pub(crate) async fn socket(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    upgrade: WebSocketUpgrade,
) -> Response {
    let query = Query::of(&uri);
    let challenge = query.one("challenge").map(str::to_owned);
    let asked = query
        .one("keepalive_timeout_seconds")
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|v| (10..=600).contains(v));
    upgrade.on_upgrade(move |ws| run(shared, ws, challenge, asked))
}

/// One connection, from its welcome to its end.
async fn run(
    shared: Arc<Shared>,
    mut ws: WebSocket,
    challenge: Option<String>,
    asked: Option<u32>,
) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let wake = Arc::new(Notify::new());
    let opened = {
        let mut world = shared.world();
        match &challenge {
            Some(c) => world.eventsub.adopt(c, tx, Arc::clone(&wake)),
            None => {
                let id = session_id(&mut world.rng);
                let keepalive = asked.unwrap_or(world.eventsub.default_keepalive_secs);
                let connection = world
                    .eventsub
                    .open(id.clone(), tx, Arc::clone(&wake), keepalive);
                let at = world.eventsub.connected_at(&id).unwrap_or_else(now_text);
                Some((id, connection, keepalive, at))
            }
        }
    };
    let Some((id, connection, keepalive_secs, connected_at)) = opened else {
        let _ = ws.send(close(4007, "invalid reconnect")).await;
        return;
    };
    let welcome = json!({
        "metadata": {
            "message_id": shared.world().uuid(),
            "message_type": "session_welcome",
            "message_timestamp": now_text(),
        },
        "payload": {"session": {
            "id": id,
            "status": "connected",
            "connected_at": connected_at,
            "keepalive_timeout_seconds": keepalive_secs,
            "reconnect_url": null,
            "recovery_url": null,
        }},
    });
    let silence = Duration::from_secs(u64::from(keepalive_secs));
    let welcomed = Instant::now();
    let mut last_sent = Instant::now();
    if ws
        .send(Message::Text(welcome.to_string().into()))
        .await
        .is_ok()
    {
        loop {
            let held = shared.world().eventsub.holds(&id, connection);
            tokio::select! {
                // What is queued goes out before anything the client says is read, so a
                // connection being left sends all it holds before it closes.
                biased;
                out = rx.recv(), if !held => match out {
                    Some(Out::Text(text)) => {
                        if ws.send(Message::Text(text.into())).await.is_err() {
                            break;
                        }
                        last_sent = Instant::now();
                    }
                    Some(Out::Close(code, reason)) => {
                        let _ = ws.send(close(code, reason)).await;
                        break;
                    }
                    Some(Out::Drop) => break,
                    // The session moved to a new connection: this one is done.
                    None => {
                        let _ = ws.send(close(1000, "session moved")).await;
                        break;
                    }
                },
                // Held back until the session moves (woken before the new connection is
                // welcomed, so before the client can close this one).
                () = wake.notified(), if held => {}
                incoming = ws.recv() => match incoming {
                    Some(Ok(Message::Text(_) | Message::Binary(_))) => {
                        let _ = ws.send(close(4001, "client sent inbound traffic")).await;
                        break;
                    }
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                    Some(Ok(_)) => {}
                },
                () = tokio::time::sleep_until(last_sent + silence) => {
                    let (unused, keepalives, message_id) = {
                        let mut world = shared.world();
                        let unused = !world.eventsub.subscribed(&id)
                            && welcomed.elapsed() >= silence;
                        (unused, world.eventsub.keepalives, world.uuid())
                    };
                    if unused {
                        let _ = ws.send(close(4003, "connection unused")).await;
                        break;
                    }
                    if keepalives {
                        let frame = json!({
                            "metadata": {
                                "message_id": message_id,
                                "message_type": "session_keepalive",
                                "message_timestamp": now_text(),
                            },
                            "payload": {},
                        });
                        if ws.send(Message::Text(frame.to_string().into())).await.is_err() {
                            break;
                        }
                    }
                    last_sent = Instant::now();
                }
            }
        }
    }
    shared.world().eventsub.closed(&id, connection);
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// A session id in the style of Twitch's (`AQoQexAWVYKSTIu4ec_2VAxyuhAB`).
fn session_id(rng: &mut rand::rngs::StdRng) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let tail: String = (0..24)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("AQoQ{tail}")
}
