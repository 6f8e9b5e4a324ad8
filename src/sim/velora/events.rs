//! Velora's events stream (`GET /api/events/stream`, server-sent events), as the working
//! contract in platform-facts.md has it: `connected` first, then `chat.message`,
//! `channel.follow`, `channel.subscribe`, `channel.subscription.gift` and `channel.raid`
//! as they happen, each `event: NAME` with `data: {"event", "timestamp", "data"}`, and a
//! `: ping` comment every `ping` to keep it open. Like the real stream it misbehaves on
//! cue: it can be ended (`end_all`) or fall silent while holding what happens
//! (`silence`), and a user who connects again soon after a stream of theirs gets the last
//! seconds' events again (what a dead connection missed, and repeats of what it had).

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::{
    extract::State,
    http::HeaderMap,
    response::{
        IntoResponse, Response,
        sse::{Event, Sse},
    },
};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc, watch};

use super::{
    auth::now_ms,
    server::Shared,
    wire::{ApiError, iso},
    world::{ChatLine, STREAMER, World},
};

/// How soon after a user's last stream a connection counts as a reconnect.
const RESUME_WITHIN_MS: i64 = 30_000;
/// How far back a reconnect's replay reaches.
const REPLAY_MS: i64 = 10_000;
/// How many events are kept for the tests' record.
const LOG_CAP: usize = 2_000;

/// One event as the stream sends it.
#[derive(Clone, Debug)]
pub(crate) struct StreamEvent {
    pub(crate) name: &'static str,
    /// The payload (`data` inside the envelope).
    pub(crate) data: Value,
    pub(crate) at_ms: i64,
}

impl StreamEvent {
    fn to_sse(&self) -> Event {
        let envelope =
            json!({ "event": self.name, "timestamp": iso(self.at_ms), "data": self.data });
        Event::default().event(self.name).data(envelope.to_string())
    }
}

/// The streams' shared side, held in the world (events are published with it locked).
pub(crate) struct EventHub {
    tx: broadcast::Sender<Arc<StreamEvent>>,
    /// Every stream ends when this changes.
    ends: watch::Sender<u64>,
    /// Until when (ms) the streams say nothing, not even pings.
    silent_until_ms: i64,
    log: VecDeque<Arc<StreamEvent>>,
    /// When each user's stream was last open (ms), to tell a reconnect from a first
    /// connection.
    seen_at: HashMap<usize, i64>,
    /// Streams open now.
    pub(crate) open: usize,
}

impl Default for EventHub {
    fn default() -> Self {
        EventHub {
            tx: broadcast::channel(1_024).0,
            ends: watch::channel(0).0,
            silent_until_ms: 0,
            log: VecDeque::new(),
            seen_at: HashMap::new(),
            open: 0,
        }
    }
}

impl EventHub {
    /// Sends an event to every open stream and records it.
    pub(crate) fn publish(&mut self, name: &'static str, data: Value) {
        let event = Arc::new(StreamEvent {
            name,
            data,
            at_ms: now_ms(),
        });
        self.log.push_back(event.clone());
        while self.log.len() > LOG_CAP {
            self.log.pop_front();
        }
        let _ = self.tx.send(event);
    }

    /// Ends every open stream now, as Velora does now and then.
    pub(crate) fn end_all(&mut self) {
        self.ends.send_modify(|n| *n += 1);
    }

    /// Makes every stream silent (no events, no pings) for `d`; what happens meanwhile is
    /// held for the streams' return.
    pub(crate) fn silence(&mut self, d: Duration) {
        self.silent_until_ms = now_ms() + d.as_millis() as i64;
    }

    pub(crate) fn is_silent(&self) -> bool {
        now_ms() < self.silent_until_ms
    }

    /// Every event published so far (the last `LOG_CAP`), oldest first.
    pub(crate) fn log(&self) -> Vec<StreamEvent> {
        self.log.iter().map(|e| (**e).clone()).collect()
    }
}

impl World {
    /// `chat.message` for a line just posted.
    pub(crate) fn announce_chat(&mut self, line: &ChatLine) {
        let user = &self.users[line.sender];
        let roles = self.roles(line.sender);
        let data = json!({
            "messageId": line.id,
            "message": line.text,
            "userId": user.id,
            "username": user.username,
            "displayName": user.display_name,
            "badges": roles,
            "isMod": roles.contains(&"moderator"),
            "isVip": roles.contains(&"vip"),
            "isSubscriber": roles.contains(&"subscriber"),
            "color": user.color,
            "sender": self.person(line.sender),
            "timestamp": iso(line.at_ms),
        });
        self.events.publish("chat.message", data);
    }

    /// `channel.follow` for a new follower.
    pub(crate) fn announce_follow(&mut self, user: usize, at_ms: i64) {
        let u = &self.users[user];
        let data = json!({
            "userId": u.id, "username": u.username, "displayName": u.display_name,
            "follower": self.person(user), "followedAt": iso(at_ms),
        });
        self.events.publish("channel.follow", data);
    }

    /// `channel.subscribe` for the newest subscription.
    pub(crate) fn announce_subscription(&mut self, user: usize, tier: u8, months: u32) {
        let u = &self.users[user];
        let gifter = self.sub_of(user).and_then(|s| s.gifter);
        let data = json!({
            "userId": u.id, "username": u.username, "displayName": u.display_name,
            "subscriber": self.person(user), "tier": tier.to_string(), "months": months,
            "isGift": gifter.is_some(), "isRenewal": months > 1,
            "gifter": gifter.map(|g| self.person(g)),
        });
        self.events.publish("channel.subscribe", data);
    }

    /// `channel.subscription.gift`: `quantity` subscriptions from `gifter` (`None`:
    /// anonymous).
    pub(crate) fn announce_gift(&mut self, gifter: Option<usize>, quantity: u32, tier: u8) {
        let gifter = match gifter {
            Some(g) => {
                let mut p = self.person(g);
                p["isAnonymous"] = json!(false);
                p
            }
            None => json!({ "isAnonymous": true }),
        };
        let data = json!({
            "gifter": gifter, "quantity": quantity, "tier": tier.to_string(),
            "userId": self.users[STREAMER].id,
        });
        self.events.publish("channel.subscription.gift", data);
    }

    /// `channel.raid`: `raider` arrives with `viewers`.
    pub(crate) fn announce_raid(&mut self, raider: usize, viewers: u32) {
        let data = json!({ "raider": self.person(raider), "viewers": viewers });
        self.events.publish("channel.raid", data);
    }

    fn person(&self, user: usize) -> Value {
        let u = &self.users[user];
        json!({
            "id": u.id, "username": u.username, "displayName": u.display_name,
            "avatarUrl": self.avatar_url(user), "color": u.color,
        })
    }
}

/// `GET /api/events/stream` (any valid token) → `text/event-stream`.
pub(super) async fn stream(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (user, rx, ends, replay, hello) = {
        let mut world = shared.world();
        let grant = world.auth.check(&headers, None)?;
        let now = now_ms();
        let hub = &mut world.events;
        let reconnect = hub
            .seen_at
            .insert(grant.user, now)
            .is_some_and(|at| now - at < RESUME_WITHIN_MS);
        let replay: Vec<_> = if reconnect {
            hub.log
                .iter()
                .filter(|e| now - e.at_ms < REPLAY_MS)
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        world.events.open += 1;
        let hello = json!({
            "event": "connected", "timestamp": iso(now),
            "data": {
                "channelUsername": world.users[STREAMER].username,
                "authenticated": true, "autoSubscribed": true,
            },
        });
        (
            grant.user,
            world.events.tx.subscribe(),
            world.events.ends.subscribe(),
            replay,
            hello,
        )
    };
    let (tx, out) = mpsc::channel::<Event>(64);
    tokio::spawn(feed(shared.clone(), user, rx, ends, replay, hello, tx));
    let body = futures_util::stream::unfold(out, |mut out| async move {
        out.recv().await.map(|e| (Ok::<_, Infallible>(e), out))
    });
    Ok(Sse::new(body).into_response())
}

/// Writes one stream until it is ended, the client leaves or the hub goes.
async fn feed(
    shared: Arc<Shared>,
    user: usize,
    mut rx: broadcast::Receiver<Arc<StreamEvent>>,
    mut ends: watch::Receiver<u64>,
    replay: Vec<Arc<StreamEvent>>,
    hello: Value,
    tx: mpsc::Sender<Event>,
) {
    let mut held: Vec<Arc<StreamEvent>> = Vec::new();
    let hello = Event::default().event("connected").data(hello.to_string());
    let mut gone = tx.send(hello).await.is_err();
    for event in replay {
        if gone {
            break;
        }
        gone = tx.send(event.to_sse()).await.is_err();
    }
    let mut ping = tokio::time::interval(shared.events_ping);
    ping.tick().await;
    // Whether the stream says nothing now; marks the user's stream as seen otherwise.
    let silent = || {
        let mut world = shared.world();
        let silent = world.events.is_silent();
        if !silent {
            world.events.seen_at.insert(user, now_ms());
        }
        silent
    };
    while !gone {
        tokio::select! {
            event = rx.recv() => match event {
                Ok(event) if silent() => held.push(event),
                Ok(event) => {
                    held.push(event);
                    for e in held.drain(..) {
                        gone |= tx.send(e.to_sse()).await.is_err();
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => break,
            },
            _ = ping.tick() => {
                if !silent() {
                    gone = tx.send(Event::default().comment("ping")).await.is_err();
                }
            }
            _ = ends.changed() => break,
            () = tx.closed() => break,
        }
    }
    let mut world = shared.world();
    world.events.open = world.events.open.saturating_sub(1);
    world.events.seen_at.insert(user, now_ms());
}

/// What happens in the channel, on the ticker's beat or a test's cue: each changes the
/// world and is announced on the stream.
impl World {
    /// Someone new follows; answers who.
    pub(crate) fn new_follower(&mut self) -> usize {
        let mut rng = rand::SeedableRng::seed_from_u64(rand::Rng::random(&mut self.rng));
        let now = now_ms();
        let user = crate::sim::common::churn::follow(self, &mut rng, now);
        self.announce_follow(user, now);
        user
    }

    /// Someone in the room subscribes (now and then a gift); answers who, or `None` when
    /// nobody is there who is not subscribed.
    pub(crate) fn new_subscriber(&mut self) -> Option<usize> {
        let n = self.viewers.len();
        if n < 2 {
            return None;
        }
        let user = (0..8).find_map(|_| {
            let u = self.viewers[rand::Rng::random_range(&mut self.rng, 1..n)];
            (self.sub_of(u).is_none()).then_some(u)
        })?;
        let sub = self.new_sub(user, now_ms());
        let tier = sub.tier;
        self.subs.push(sub);
        let months = rand::Rng::random_range(&mut self.rng, 1..=14);
        self.announce_subscription(user, tier, months);
        Some(user)
    }

    /// Someone gifts `quantity` subscriptions to the community: the gift is announced,
    /// then each subscription it brought.
    pub(crate) fn community_gift(&mut self, quantity: u32) -> usize {
        let gifter = self.new_person(now_ms());
        self.announce_gift(Some(gifter), quantity, 1);
        for _ in 0..quantity {
            let user = self.new_person(now_ms());
            let mut sub = self.new_sub(user, now_ms());
            sub.tier = 1;
            sub.gifter = Some(gifter);
            self.subs.push(sub);
            self.announce_subscription(user, 1, 1);
        }
        gifter
    }

    /// Another channel raids with `viewers`; its streamer joins the room.
    pub(crate) fn raid(&mut self, viewers: u32) -> usize {
        let raider = self.new_person(now_ms());
        self.viewers.push(raider);
        self.announce_raid(raider, viewers);
        raider
    }
}
