//! The chat websocket (`/chat`, standing in for `wss://open-chat.trovo.live/chat`): the
//! client's first request must be `AUTH` with a chat token from `/chat/token` or
//! `/chat/channel-token/{id}`; an unknown or lapsed token gets a `RESPONSE` with an `error`
//! and the socket is closed. A good one gets a `RESPONSE`, then a `CHAT` frame replaying the
//! channel's latest lines, then a `CHAT` frame for every new line of that channel. `PING`
//! is answered with `PONG {gap}` (30 s unless the options say otherwise; not at all while
//! `TrovoSim::answer_chat_pings(false)`). Deletions, bans and timeouts are not announced
//! (Trovo announces none). `TrovoSim::drop_chat_connections` hangs up every socket at once.

use std::sync::{Arc, atomic::Ordering};

use axum::{
    extract::{
        State,
        ws::{Message, WebSocket, WebSocketUpgrade},
    },
    response::Response,
};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::sim::trovo::{
    chat::{ChatLine, chat_frame},
    server::Shared,
    world::now_secs,
};

/// `GET /chat` with a websocket upgrade.
pub(super) async fn socket(
    State(shared): State<Arc<Shared>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade.on_upgrade(move |socket| session(shared, socket))
}

/// A request frame: its type, nonce, and the token of an `AUTH`.
struct Request {
    kind: String,
    nonce: Value,
    token: Option<String>,
}

fn request(message: &Message) -> Option<Request> {
    let Message::Text(text) = message else {
        return None;
    };
    let value: Value = serde_json::from_str(text.as_str()).ok()?;
    Some(Request {
        kind: value.get("type")?.as_str()?.to_owned(),
        nonce: value.get("nonce").cloned().unwrap_or(Value::Null),
        token: value
            .get("data")
            .and_then(|d| d.get("token"))
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

async fn send(socket: &mut WebSocket, frame: Value) -> bool {
    socket.send(Message::text(frame.to_string())).await.is_ok()
}

/// The answer to a `PING`, or `None` while the simulator is told to stay silent.
fn pong(shared: &Shared, nonce: &Value) -> Option<Value> {
    shared.chat_pongs.load(Ordering::Relaxed).then(
        || json!({ "type": "PONG", "nonce": nonce, "data": { "gap": shared.chat_ping_gap_secs } }),
    )
}

/// One client's socket, from `AUTH` to hang-up.
async fn session(shared: Arc<Shared>, mut socket: WebSocket) {
    let mut hangup = shared.chat_hangup.subscribe();
    // Until AUTH only PING is answered; anything else is ignored.
    let (channel_id, mut feed, replay) = loop {
        let message = tokio::select! {
            m = socket.recv() => m,
            _ = hangup.changed() => return,
        };
        let Some(Ok(message)) = message else {
            return;
        };
        let Some(request) = request(&message) else {
            continue;
        };
        if request.kind == "PING" {
            if let Some(pong) = pong(&shared, &request.nonce)
                && !send(&mut socket, pong).await
            {
                return;
            }
            continue;
        }
        if request.kind != "AUTH" {
            continue;
        }
        let admitted = {
            let world = shared.world();
            let now = now_secs();
            request
                .token
                .as_deref()
                .and_then(|t| world.chat_tokens.get(t))
                .filter(|(_, until)| *until > now)
                .map(|(channel, _)| {
                    // Subscribed under the same lock as the replay is read: no line falls
                    // between the two, and none comes twice.
                    (
                        *channel,
                        world.chat_feed.subscribe(),
                        world.recent_chat(*channel),
                    )
                })
        };
        let Some(admitted) = admitted else {
            let refused = json!({
                "type": "RESPONSE",
                "nonce": request.nonce,
                "error": "invalid token: get a new one from /chat/token and connect at once",
            });
            let _ = send(&mut socket, refused).await;
            let _ = socket.send(Message::Close(None)).await;
            return;
        };
        let ok = json!({ "type": "RESPONSE", "nonce": request.nonce });
        if !send(&mut socket, ok).await {
            return;
        }
        break admitted;
    };
    let eid = || shared.chat_eid.fetch_add(1, Ordering::Relaxed);
    if !send(&mut socket, chat_frame(channel_id, eid(), &replay)).await {
        return;
    }
    loop {
        tokio::select! {
            line = feed.recv() => match line {
                Ok(line) if line.channel_id == channel_id => {
                    let lines: [ChatLine; 1] = [line];
                    if !send(&mut socket, chat_frame(channel_id, eid(), &lines)).await {
                        return;
                    }
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
            message = socket.recv() => match message {
                Some(Ok(message)) => {
                    if let Some(request) = request(&message)
                        && request.kind == "PING"
                        && let Some(pong) = pong(&shared, &request.nonce)
                        && !send(&mut socket, pong).await
                    {
                        return;
                    }
                    if matches!(message, Message::Close(_)) {
                        return;
                    }
                }
                None | Some(Err(_)) => return,
            },
            // Dropped without a closing handshake, as a broken connection is.
            _ = hangup.changed() => return,
        }
    }
}
