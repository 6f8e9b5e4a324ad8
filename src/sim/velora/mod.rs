//! The Velora simulator: one loopback server playing both `https://api.velora.tv` (the API
//! under `/api`, with its two error shapes, scopes, limits and paging) and the consent page
//! of `https://velora.tv/oauth/authorize` (at `/oauth/authorize`), over a live world. The
//! integration tests and `stagehand --demo` point the real Velora client at it.
//!
//! ```ignore
//! let sim = VeloraSim::start(VeloraSimOptions::default()).await?;
//! let api = sim.origin();                 // "http://127.0.0.1:P", for STAGEHAND_VELORA_API
//! let page = sim.authorize_url();         // "http://127.0.0.1:P/oauth/authorize"
//! let tokens = sim.streamer_tokens();     // every scope
//! sim.inject(FaultRule::new(Fault::ExpiredToken).on_path("/stream/info").times(2));
//! ```
//!
//! Layout: `server` (the gateway: rate limit, faults), `routes/` (the API by area and the
//! pictures), `oauth` (consent page, token endpoint), `auth` (codes with their PKCE
//! challenge, tokens, single-use refresh tokens, the secrets log), `world` (the state),
//! `ticker` (the live world), `wire` (error shapes, queries, cursors, times, SHA-256).
//! The listener, the gateway's rules, the display names, the pictures, the category names
//! and the churn are shared ones from [`crate::sim::common`].
//!
//! Choices where Velora publishes nothing: titles 1..=140 characters; at most 10 tags of
//! 1..=25 letters, digits, `-` or `_`, unique regardless of case; body validation failures
//! (unknown properties, bad types, lengths, an unknown `categorySlug`, a missing moderation
//! target) in the framework's shape, everything else `{error, message, details?}`; a
//! missing scope is a 403 `insufficient_scope`; the channel id is the streamer's user id
//! (a username works too); only the streamer's channel has a chat; the rate limit counts
//! fixed one-minute windows per signed-in user (all anonymous callers share one).

mod auth;
mod events;
mod faults;
mod oauth;
mod routes;
mod server;
mod ticker;
mod wire;
mod world;

use std::{net::SocketAddr, sync::Arc, time::Duration};

pub use crate::sim::common::SimTokens;
pub use faults::{ErrorAnswer, Fault, FaultRule};

use crate::sim::common;
use server::Shared;
use world::{STREAMER, World};

/// Every scope the simulated endpoints check: what [`VeloraSim::streamer_tokens`] grants
/// and what Stagehand asks for.
pub const SCOPES_ALL: &[&str] = &[
    "user:read",
    "stream:read",
    "stream:write",
    "stream:key",
    "chat:write",
    "chat:moderate",
    "subscriptions:read",
];

/// Scopes the consent page accepts: [`SCOPES_ALL`] and the reference's others. Anything else
/// is refused.
pub(crate) const KNOWN_SCOPES: &[&str] = &[
    "user:read",
    "user:write",
    "stream:read",
    "stream:write",
    "stream:key",
    "chat:read",
    "chat:write",
    "chat:moderate",
    "subscriptions:read",
    "subscriptions:write",
    "notifications:read",
    "notifications:write",
    "payments:read",
    "payments:write",
    "points:read",
    "points:write",
    "journal:read",
    "journal:write",
    "youtube:read",
    "youtube:manage",
    "bot:write",
];

/// A line for the public scope list.
pub(crate) fn scope_description(scope: &str) -> &'static str {
    match scope {
        "user:read" => "Read your profile",
        "stream:read" => "Read your stream information",
        "stream:write" => "Update your stream title, category and tags",
        "stream:key" => "Read and regenerate your stream key",
        "chat:write" => "Send chat messages as you",
        "chat:moderate" => "Moderate chat in your channel",
        "subscriptions:read" => "Read your subscribers",
        _ => "Other Velora access",
    }
}

/// One event of the events stream, as published.
#[derive(Clone, Debug, PartialEq)]
pub struct SimStreamEvent {
    /// `chat.message`, `channel.follow`, ...
    pub name: String,
    /// The payload (`data` inside the envelope).
    pub data: serde_json::Value,
}

/// How the simulated world starts and behaves.
#[derive(Clone, Debug)]
pub struct VeloraSimOptions {
    /// Named viewers in the streamer's room, the streamer included (default 90).
    pub viewers: usize,
    /// Viewers watching without an account (default 35).
    pub anonymous: u32,
    /// The streamer's followers (default 180).
    pub followers: usize,
    /// The streamer's subscribers (default 45).
    pub subscribers: usize,
    /// Whether the streamer is live (default true).
    pub live: bool,
    /// Whether the viewer list pages like a live list (default true): some pages repeat the
    /// previous page's last viewer, some are short while the cursor goes on.
    pub live_viewer_paging: bool,
    /// `Some(d)`: the world evolves every `d`. `None`: it stays still, for tests.
    pub tick: Option<Duration>,
    /// Seed of the world's generation.
    pub seed: u64,
    /// API requests a minute per user (default 800; Velora's sandbox allows 30).
    pub rate_limit_per_minute: u32,
    /// The one redirect URI the app registered; the consent page wants it exactly
    /// (default `http://localhost:8919/`).
    pub redirect_uri: String,
    /// The pause between two `: ping` comments on the events stream (default 15 s).
    pub events_ping: Duration,
}

impl Default for VeloraSimOptions {
    fn default() -> Self {
        VeloraSimOptions {
            viewers: 90,
            anonymous: 35,
            followers: 180,
            subscribers: 45,
            live: true,
            live_viewer_paging: true,
            tick: None,
            seed: 11,
            rate_limit_per_minute: 800,
            redirect_uri: "http://localhost:8919/".to_owned(),
            events_ping: Duration::from_secs(15),
        }
    }
}

/// An account, in Velora's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimAccount {
    /// The user id (a UUID); also the channel id chat paths take.
    pub id: String,
    /// ASCII username.
    pub username: String,
    /// Display name (any script).
    pub display_name: String,
}

/// The streamer's stream as the simulator holds it (to check an update went through
/// without trusting the client under test).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimStream {
    /// Title.
    pub title: String,
    /// Category slug.
    pub category_slug: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Whether the stream is live.
    pub live: bool,
}

/// One chat message, as the simulator logged it.
#[derive(Clone, Debug)]
pub struct SimChatLine {
    /// The id the send call answered (what a delete takes).
    pub message_id: String,
    /// Sender's user id.
    pub sender_id: String,
    /// Sender's username.
    pub sender_username: String,
    /// The text.
    pub text: String,
    /// Whether a moderator deleted it.
    pub deleted: bool,
}

/// One moderation action taken through the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimModeration {
    /// `timeout`, `ban` or `delete`.
    pub action: String,
    /// The acting user's id.
    pub moderator_id: String,
    /// The target user's id.
    pub target_id: String,
    /// A timeout's length.
    pub duration_secs: Option<u64>,
    /// The reason given, if any.
    pub reason: Option<String>,
    /// The deleted message, for `delete`.
    pub message_id: Option<String>,
}

/// A running Velora simulator. Dropping it (or [`VeloraSim::shutdown`]) stops the server
/// and the ticker.
pub struct VeloraSim {
    shared: Arc<Shared>,
    addr: SocketAddr,
    /// Its server and its ticker, stopped when the simulator is dropped.
    _running: common::listener::Running,
}

impl VeloraSim {
    /// The simulated app's client id.
    pub const CLIENT_ID: &'static str = "vlr_client_stagehandsim4d2a9c";
    /// The simulated app's client secret (optional on the token endpoint: PKCE carries the
    /// proof; when sent it must match).
    pub const CLIENT_SECRET: &'static str = "vlr_secret_sim_6f1e0b7d93a24c58b1e2";

    /// Binds a free port on 127.0.0.1, builds the world and starts serving (and ticking, if
    /// `opts.tick` is set). Must be called inside a tokio runtime.
    pub async fn start(opts: VeloraSimOptions) -> std::io::Result<VeloraSim> {
        let (listener, addr) = common::listener::bind_loopback().await?;
        let mut world = World::new(&opts, format!("http://{addr}"));
        world.auth.remember(Self::CLIENT_SECRET);
        let shared = Arc::new(Shared::new(
            world,
            opts.rate_limit_per_minute,
            opts.redirect_uri.clone(),
            opts.events_ping,
        ));
        let ticker = opts
            .tick
            .map(|every| ticker::spawn(shared.clone(), every, opts.seed));
        let app = server::app(shared.clone());
        let running = common::listener::Running::serve([(listener, app)], "velora", ticker);
        Ok(VeloraSim {
            shared,
            addr,
            _running: running,
        })
    }

    /// `http://127.0.0.1:P` (no `/api`, no trailing slash): stands in for
    /// `https://api.velora.tv`, what `STAGEHAND_VELORA_API` takes.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The consent page, `http://127.0.0.1:P/oauth/authorize`: stands in for
    /// `https://velora.tv/oauth/authorize` (add the query as for Velora).
    pub fn authorize_url(&self) -> String {
        format!("{}/oauth/authorize", self.origin())
    }

    /// A fresh pair for the streamer with every scope in [`SCOPES_ALL`], valid for an hour.
    pub fn streamer_tokens(&self) -> SimTokens {
        self.issue_tokens(SCOPES_ALL)
    }

    /// A pair for the streamer with exactly `scopes` (for scope checks).
    pub fn issue_tokens(&self, scopes: &[&str]) -> SimTokens {
        let scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        let pair = self
            .shared
            .world()
            .auth
            .issue(STREAMER, scopes, auth::ACCESS_LIFETIME);
        SimTokens {
            access_token: pair.access_token,
            refresh_token: pair.refresh_token,
        }
    }

    /// Makes an access token expire now, as if the hour had passed (its refresh token still
    /// works). False if unknown.
    pub fn expire_token(&self, access_token: &str) -> bool {
        self.shared.world().auth.expire(access_token)
    }

    /// The streamer's stream as it is now.
    pub fn stream(&self) -> SimStream {
        let world = self.shared.world();
        SimStream {
            title: world.stream.title.clone(),
            category_slug: world.stream.category_slug.clone(),
            tags: world.stream.tags.clone(),
            live: world.stream.live,
        }
    }

    /// Takes the streamer live or offline.
    pub fn set_live(&self, live: bool) {
        let mut world = self.shared.world();
        if live && !world.stream.live {
            world.stream.started_at_ms = auth::now_ms();
        }
        world.stream.live = live;
    }

    /// The current stream key (to check a regeneration without trusting the client).
    pub fn stream_key(&self) -> String {
        self.shared.world().stream.stream_key.clone()
    }

    /// Every chat message the simulator holds (simulated and sent through the API), oldest
    /// first; the log keeps the last few thousand.
    pub fn chat_log(&self) -> Vec<SimChatLine> {
        let world = self.shared.world();
        world
            .chat
            .iter()
            .map(|l| SimChatLine {
                message_id: l.id.clone(),
                sender_id: world.users[l.sender].id.clone(),
                sender_username: world.users[l.sender].username.clone(),
                text: l.text.clone(),
                deleted: l.deleted,
            })
            .collect()
    }

    /// Makes `username` say `text` in the streamer's chat, as if typed on Velora's site;
    /// answers the message id, or `None` for an unknown user.
    pub fn say(&self, username: &str, text: &str) -> Option<String> {
        let mut world = self.shared.world();
        let user = world.find_user(username)?;
        Some(world.post_chat(user, text))
    }

    /// Every moderation action taken through the API, oldest first.
    pub fn moderation_log(&self) -> Vec<SimModeration> {
        let world = self.shared.world();
        world
            .moderation
            .iter()
            .map(|m| SimModeration {
                action: m.action.clone(),
                moderator_id: world.users[m.moderator].id.clone(),
                target_id: world.users[m.target].id.clone(),
                duration_secs: m.duration_secs,
                reason: m.reason.clone(),
                message_id: m.message_id.clone(),
            })
            .collect()
    }

    /// Every event the events stream published so far (the last few thousand), oldest
    /// first.
    pub fn stream_events(&self) -> Vec<SimStreamEvent> {
        self.shared
            .world()
            .events
            .log()
            .into_iter()
            .map(|e| SimStreamEvent {
                name: e.name.to_owned(),
                data: e.data,
            })
            .collect()
    }

    /// How many events streams are open now.
    pub fn open_event_streams(&self) -> usize {
        self.shared.world().events.open
    }

    /// Ends every open events stream, as Velora does now and then.
    pub fn end_event_streams(&self) {
        self.shared.world().events.end_all();
    }

    /// Makes the events streams fall silent for `d` (no events, no pings); what happens
    /// meanwhile comes when a stream is opened again.
    pub fn silence_event_streams(&self, d: Duration) {
        self.shared.world().events.silence(d);
    }

    /// Someone new follows; answers their username.
    pub fn follow_now(&self) -> String {
        let mut world = self.shared.world();
        let user = world.new_follower();
        world.users[user].username.clone()
    }

    /// Someone in the room subscribes; answers their username.
    pub fn subscribe_now(&self) -> Option<String> {
        let mut world = self.shared.world();
        let user = world.new_subscriber()?;
        Some(world.users[user].username.clone())
    }

    /// Someone gifts `quantity` subscriptions; answers the gifter's username.
    pub fn gift_now(&self, quantity: u32) -> String {
        let mut world = self.shared.world();
        let user = world.community_gift(quantity.max(1));
        world.users[user].username.clone()
    }

    /// Another channel raids with `viewers`; answers the raider's username.
    pub fn raid_now(&self, viewers: u32) -> String {
        let mut world = self.shared.world();
        let user = world.raid(viewers);
        world.users[user].username.clone()
    }

    /// Queues a fault; see [`FaultRule`].
    pub fn inject(&self, rule: FaultRule) {
        self.shared.gateway.faults().push(rule);
    }

    /// Drops every queued fault.
    pub fn clear_faults(&self) {
        self.shared.gateway.faults().clear();
    }

    /// API requests (under `/api`) received so far, refused ones included.
    pub fn request_count(&self) -> u64 {
        self.shared.gateway.requests()
    }

    /// The streamer's account.
    pub fn streamer(&self) -> SimAccount {
        let world = self.shared.world();
        let u = &world.users[STREAMER];
        SimAccount {
            id: u.id.clone(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
        }
    }

    /// Every secret the simulator handed out so far (access and refresh tokens, codes,
    /// stream keys, the client secret), for tests that no secret leaks into output or logs.
    pub fn issued_secrets(&self) -> Vec<String> {
        self.shared.world().auth.secrets.clone()
    }

    /// Stops the server and the ticker (dropping the simulator does the same).
    pub fn shutdown(self) {
        drop(self);
    }
}

super::simulator!(VeloraSim, VeloraSimOptions);
