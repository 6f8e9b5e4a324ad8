//! The Twitch simulator: two loopback servers that speak Twitch's Helix API (under
//! `/helix`, with its envelope, errors, scopes, rate limit and quirks) and id.twitch.tv
//! (under `/oauth2`: device code flow, public-client refresh, validate, revoke), over a live
//! world. The integration tests and `stagehand --demo` point the real Twitch client at it.
//!
//! ```ignore
//! let sim = TwitchSim::start(TwitchSimOptions::default()).await?;
//! let helix = sim.helix_base();           // "http://127.0.0.1:P/helix"
//! let id = sim.auth_origin();             // "http://127.0.0.1:Q" (paths start /oauth2)
//! let tokens = sim.streamer_tokens();     // every scope
//! let ws = sim.eventsub_url();            // "ws://127.0.0.1:P/ws" (EventSub)
//! let id = sim.say("pixelpilgrim", "hi"); // a viewer's chat line, sent to EventSub
//! sim.inject(FaultRule::new(Fault::ExpiredToken).on_path("/channels").times(2));
//! ```
//!
//! Layout: `server` (gateways: Client-Id, rate limit, faults), `routes/` (Helix, one file per
//! area), `eventsub` (the EventSub websocket and its sessions), `oauth` and `page` (the id
//! side and its activation page), `world` (the state),
//! `auth` (tokens, refresh tokens, device grants), `ticker` (the live world), `images`
//! (pictures at any size), `wire` (errors, query strings, cursors, times). The listener,
//! the gateway's rules, the names, the category catalogue, the drawing of pictures and the
//! churn are shared ones from [`crate::sim::common`].

mod auth;
mod eventsub;
mod faults;
mod images;
mod notices;
mod oauth;
mod page;
mod routes;
mod server;
mod ticker;
mod wire;
mod world;

use std::{
    net::SocketAddr,
    sync::{Arc, atomic::Ordering},
    time::Duration,
};

pub use crate::sim::common::{SimTokens, SimUser};
pub use faults::{ErrorAnswer, Fault, FaultRule};

use crate::sim::common;
use server::Shared;
use world::{STREAMER_ID, VIEWER_ID, World};

/// Every scope the simulated endpoints check: what [`TwitchSim::streamer_tokens`] grants
/// and what Stagehand asks for.
pub const SCOPES_ALL: &[&str] = &[
    "channel:manage:broadcast",
    "channel:read:editors",
    "channel:read:stream_key",
    "channel:edit:commercial",
    "channel:read:subscriptions",
    "channel:read:vips",
    "moderation:read",
    "moderator:read:followers",
    "moderator:read:chatters",
    "moderator:manage:chat_messages",
    "moderator:manage:banned_users",
    "user:read:chat",
    "user:write:chat",
    "channel:moderate",
];

/// Scopes the device endpoint accepts: [`SCOPES_ALL`] and other real Twitch scopes a client
/// may ask for. Anything else is refused, as Twitch refuses unknown scopes.
pub(crate) const KNOWN_SCOPES: &[&str] = &[
    "channel:manage:broadcast",
    "channel:read:editors",
    "channel:read:stream_key",
    "channel:edit:commercial",
    "channel:read:subscriptions",
    "channel:read:vips",
    "channel:manage:vips",
    "channel:manage:moderators",
    "moderation:read",
    "moderator:read:followers",
    "moderator:read:chatters",
    "moderator:manage:chat_messages",
    "moderator:manage:banned_users",
    "channel:moderate",
    "user:read:chat",
    "user:write:chat",
    "user:read:email",
    "user:bot",
    "chat:read",
    "chat:edit",
    "channel:bot",
];

/// The streamer's standing on Twitch, which decides who may set a stream delay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BroadcasterType {
    /// `"partner"`: may set `delay`.
    Partner,
    /// `"affiliate"` (the default): no delay.
    Affiliate,
    /// `""`: neither.
    Normal,
}

/// How the simulated world starts and behaves.
#[derive(Clone, Debug)]
pub struct TwitchSimOptions {
    /// People in the streamer's chat room, the broadcaster included (default 120).
    pub chatters: usize,
    /// The streamer's followers (default 250).
    pub followers: usize,
    /// Subscriptions, the broadcaster's own included (default 40).
    pub subscribers: usize,
    /// The streamer's videos: past broadcasts, highlights and uploads (default 45; the
    /// archive of the broadcast going on now comes on top while live).
    pub videos: usize,
    /// Whether the streamer is live (default true).
    pub live: bool,
    /// The streamer's standing (default affiliate).
    pub broadcaster_type: BroadcasterType,
    /// `Some(d)`: the world evolves every `d` (chatters come and go, followers arrive, chat
    /// flows). `None`: it stays still, for tests.
    pub tick: Option<Duration>,
    /// Seed of the world's generation.
    pub seed: u64,
    /// Helix points per minute per Client-Id (default 800, Twitch's).
    pub rate_limit_per_minute: u32,
    /// How often a device code may be polled before `slow_down` (default 5 s). The answer's
    /// `interval` is this rounded up to whole seconds; tests shorten it below a second.
    pub device_interval: Duration,
    /// How long a device code lives (default 1800 s).
    pub device_lifetime: Duration,
    /// Terms whose messages the channel's moderation drops (`msg_rejected`), compared
    /// case-insensitively (default `["blockedterm"]`).
    pub blocked_terms: Vec<String>,
    /// With `tick`: the streamer changes the title now and then, as on Twitch's dashboard
    /// (default false; `--demo` turns it on, so its stats have a title change to mark).
    pub retitles: bool,
    /// The EventSub keepalive timeout, in seconds, of a connection that asks for none
    /// (default 10, Twitch's); a silent socket hears a keepalive after this long. Tests
    /// shorten it to notice a silent socket quickly.
    pub eventsub_keepalive_secs: u32,
}

impl Default for TwitchSimOptions {
    fn default() -> Self {
        TwitchSimOptions {
            chatters: 120,
            followers: 250,
            subscribers: 40,
            videos: 45,
            live: true,
            broadcaster_type: BroadcasterType::Affiliate,
            tick: None,
            seed: 7,
            rate_limit_per_minute: 800,
            device_interval: Duration::from_secs(5),
            device_lifetime: Duration::from_secs(1_800),
            blocked_terms: vec!["blockedterm".to_owned()],
            retitles: false,
            eventsub_keepalive_secs: eventsub::DEFAULT_KEEPALIVE_SECS,
        }
    }
}

/// An account, in Twitch's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimAccount {
    /// Numeric id, as a string.
    pub user_id: String,
    /// Lower-case login.
    pub login: String,
    /// Display name.
    pub display_name: String,
}

/// The streamer's channel as the simulator holds it (to check an update went through
/// without trusting the client under test).
#[derive(Clone, Debug, PartialEq)]
pub struct SimChannel {
    /// Broadcaster id.
    pub broadcaster_id: String,
    /// Stream title.
    pub title: String,
    /// Category id (`""` when unset).
    pub game_id: String,
    /// Category name.
    pub game_name: String,
    /// ISO 639-1 code or "other".
    pub language: String,
    /// Stream delay in seconds.
    pub delay: u32,
    /// Tags.
    pub tags: Vec<String>,
    /// Enabled content classification labels.
    pub content_classification_labels: Vec<String>,
    /// Branded content flag.
    pub is_branded_content: bool,
    /// Whether the stream is live.
    pub live: bool,
    /// Viewers of the live stream (0 offline).
    pub viewer_count: u32,
}

/// One chat message, as the simulator logged it.
#[derive(Clone, Debug)]
pub struct SimChatLine {
    /// The UUID the send call answered (what the delete call takes).
    pub message_id: String,
    /// Channel the message went to.
    pub broadcaster_id: String,
    /// Sender's user id.
    pub sender_id: String,
    /// Sender's login.
    pub sender_login: String,
    /// The text.
    pub text: String,
    /// Whether a moderator deleted it.
    pub deleted: bool,
}

/// An EventSub subscription, as the simulator holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimSubscription {
    /// Its id.
    pub id: String,
    /// Its type (`channel.chat.message`...).
    pub kind: String,
    /// The websocket session it delivers to.
    pub session_id: String,
    /// `enabled`, `websocket_disconnected`, or a revocation's reason.
    pub status: String,
}

/// A running Twitch simulator. Dropping it (or [`TwitchSim::shutdown`]) stops both servers
/// and the ticker.
pub struct TwitchSim {
    shared: Arc<Shared>,
    helix_addr: SocketAddr,
    id_addr: SocketAddr,
    /// Both servers and the ticker, stopped when the simulator is dropped (after its own
    /// `Drop` has closed the websockets).
    _running: common::listener::Running,
}

impl TwitchSim {
    /// The simulated app's client id (a public client: there is no secret).
    pub const CLIENT_ID: &'static str = "stagehandsim0twitch7c1f3b9a2e";

    /// Binds two free ports on 127.0.0.1 (Helix and id), builds the world and starts
    /// serving (and ticking, if `opts.tick` is set). Must be called inside a tokio runtime.
    pub async fn start(opts: TwitchSimOptions) -> std::io::Result<TwitchSim> {
        let (helix, helix_addr) = common::listener::bind_loopback().await?;
        let (id, id_addr) = common::listener::bind_loopback().await?;
        let world = World::new(&opts, format!("http://{helix_addr}"));
        let shared = Arc::new(Shared::new(
            world,
            opts.rate_limit_per_minute,
            opts.device_interval,
            opts.device_lifetime,
            format!("http://{id_addr}"),
        ));
        let ticker = opts
            .tick
            .map(|every| ticker::spawn(shared.clone(), every, opts.seed));
        let apps = [
            (helix, server::helix_app(shared.clone())),
            (id, server::id_app(shared.clone())),
        ];
        let running = common::listener::Running::serve(apps, "twitch", ticker);
        Ok(TwitchSim {
            shared,
            helix_addr,
            id_addr,
            _running: running,
        })
    }

    /// The Helix base URL, `http://127.0.0.1:P/helix` (no trailing slash): stands in for
    /// `https://api.twitch.tv/helix`.
    pub fn helix_base(&self) -> String {
        format!("http://{}/helix", self.helix_addr)
    }

    /// The id side's origin, `http://127.0.0.1:Q` (paths start `/oauth2`): stands in for
    /// `https://id.twitch.tv`.
    pub fn auth_origin(&self) -> String {
        format!("http://{}", self.id_addr)
    }

    /// The EventSub websocket, `ws://127.0.0.1:P/ws`: stands in for
    /// `wss://eventsub.wss.twitch.tv/ws` (a client derives it from the Helix base).
    pub fn eventsub_url(&self) -> String {
        format!("ws://{}/ws", self.helix_addr)
    }

    /// A fresh pair for the streamer with every scope in [`SCOPES_ALL`], valid for 4 hours.
    pub fn streamer_tokens(&self) -> SimTokens {
        self.issue_tokens(SCOPES_ALL)
    }

    /// A pair for the streamer with exactly `scopes` (for scope checks).
    pub fn issue_tokens(&self, scopes: &[&str]) -> SimTokens {
        self.issue_tokens_as(SimUser::Streamer, scopes)
    }

    /// A pair for `user` with exactly `scopes` (the viewer account is for "another
    /// broadcaster" and "not a moderator" checks).
    pub fn issue_tokens_as(&self, user: SimUser, scopes: &[&str]) -> SimTokens {
        let scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        let pair = self
            .shared
            .world()
            .auth
            .issue(user_id(user), scopes, auth::ACCESS_LIFETIME);
        SimTokens {
            access_token: pair.access_token,
            refresh_token: pair.refresh_token,
        }
    }

    /// Makes an access token expire now, as if four hours had passed. False if unknown.
    pub fn expire_token(&self, access_token: &str) -> bool {
        self.shared.world().auth.expire(access_token)
    }

    /// Approves a pending device grant as the streamer, as the "Authorize" button on the
    /// activation page does. False if no pending grant has this user code.
    pub fn approve_device(&self, user_code: &str) -> bool {
        self.shared
            .world()
            .auth
            .decide(user_code, Some(STREAMER_ID))
    }

    /// Denies a pending device grant (the page's "Cancel"); polls then get `access_denied`.
    pub fn deny_device(&self, user_code: &str) -> bool {
        self.shared.world().auth.decide(user_code, None)
    }

    /// Queues a fault; see [`FaultRule`].
    pub fn inject(&self, rule: FaultRule) {
        self.shared.gateway.faults().push(rule);
    }

    /// Drops every queued fault.
    pub fn clear_faults(&self) {
        self.shared.gateway.faults().clear();
    }

    /// The streamer's channel as it is now.
    pub fn channel(&self) -> SimChannel {
        let world = self.shared.world();
        let c = world.main();
        SimChannel {
            broadcaster_id: c.owner.to_string(),
            title: c.title.clone(),
            game_id: c.game_id.clone(),
            game_name: world.game_name(&c.game_id),
            language: c.language.clone(),
            delay: c.delay,
            tags: c.tags.clone(),
            content_classification_labels: c.ccls.clone(),
            is_branded_content: c.branded,
            live: c.live,
            viewer_count: c.viewer_count,
        }
    }

    /// Takes the streamer live or offline.
    pub fn set_live(&self, live: bool) {
        let mut world = self.shared.world();
        let now = auth::now_secs();
        let main = world.main_mut();
        if live && !main.live {
            main.started_at = now;
        }
        main.live = live;
        world.refresh_viewer_count();
    }

    /// Every chat message the simulator holds (simulated and sent through the API), oldest
    /// first; the log keeps the last few thousand.
    pub fn chat_log(&self) -> Vec<SimChatLine> {
        let world = self.shared.world();
        world
            .chat
            .iter()
            .map(|l| SimChatLine {
                message_id: l.message_id.clone(),
                broadcaster_id: l.broadcaster_id.to_string(),
                sender_id: l.sender_id.to_string(),
                sender_login: world.names(l.sender_id).1,
                text: l.text.clone(),
                deleted: l.deleted,
            })
            .collect()
    }

    /// Makes `login` say `text` in the streamer's chat, as if typed on Twitch: the line is
    /// logged and sent to the EventSub subscriptions. Answers its message id; `None` for an
    /// unknown login or someone banned or timed out there.
    pub fn say(&self, login: &str, text: &str) -> Option<String> {
        let mut world = self.shared.world();
        let user = world.user_by_login(login)?.id;
        let now = auth::now_secs();
        let banned = world
            .bans
            .get(&(STREAMER_ID, user))
            .is_some_and(|until| until.is_none_or(|end| end > now));
        if banned {
            return None;
        }
        Some(world.post_chat(STREAMER_ID, user, text))
    }

    /// `login` renews at tier 1 for `months` in all; `false` for an unknown login.
    pub fn resub_now(&self, login: &str, months: u32) -> bool {
        let mut world = self.shared.world();
        let Some(user) = world.user_by_login(login).map(|u| u.id) else {
            return false;
        };
        world.resub(user, months);
        true
    }

    /// `login` cheers `bits` with a line; answers its id, `None` for an unknown login.
    pub fn cheer_now(&self, login: &str, bits: u32) -> Option<String> {
        let mut world = self.shared.world();
        let user = world.user_by_login(login)?.id;
        Some(world.cheer(user, bits))
    }

    /// `login` gifts `count` subscriptions to the community; `false` for an unknown login.
    pub fn gift_now(&self, login: &str, count: u32) -> bool {
        let mut world = self.shared.world();
        let Some(user) = world.user_by_login(login).map(|u| u.id) else {
            return false;
        };
        world.community_gift(user, count);
        true
    }

    /// Another channel raids with `viewers`; answers the raider's login.
    pub fn raid_now(&self, viewers: u32) -> String {
        let mut world = self.shared.world();
        let raider = world.new_person(auth::now_secs());
        world.raid(raider, viewers);
        world.names(raider).1
    }

    /// Makes EventSub deliver every notification twice with the same id (Twitch may), or
    /// once again.
    pub fn deliver_twice(&self, on: bool) {
        self.shared.world().eventsub.deliver_twice = on;
    }

    /// Sends `session_reconnect` to every EventSub connection, naming a new address to
    /// move to; answers how many were told.
    pub fn eventsub_reconnect(&self) -> usize {
        let origin = format!("ws://{}", self.helix_addr);
        let mut world = self.shared.world();
        let world = &mut *world;
        let rng = &mut world.rng;
        world
            .eventsub
            .reconnect_all(&origin, || world::uuid(rng).replace('-', ""))
    }

    /// Makes a connection told to reconnect hold back what it would send until its session
    /// has moved to the new connection, as a slow network does: lines said meanwhile then
    /// reach the client on the old connection after the new one is welcomed.
    pub fn eventsub_lag_until_moved(&self, on: bool) {
        self.shared.world().eventsub.lag_until_moved = on;
    }

    /// Hangs up every EventSub connection without a close message, as a broken network
    /// does; answers how many.
    pub fn eventsub_drop(&self) -> usize {
        self.shared
            .world()
            .eventsub
            .tell_all(|| eventsub::Out::Drop)
    }

    /// Stops (or resumes) the keepalives, so a client's silence detection can be seen.
    pub fn eventsub_keepalives(&self, on: bool) {
        self.shared.world().eventsub.keepalives = on;
    }

    /// Revokes every enabled EventSub subscription with `status` (Twitch's
    /// `authorization_revoked`, `user_removed`, `version_removed`), telling their
    /// connections; answers how many.
    pub fn eventsub_revoke(&self, status: &str) -> usize {
        let mut world = self.shared.world();
        let world = &mut *world;
        let rng = &mut world.rng;
        world.eventsub.revoke_all(status, || world::uuid(rng))
    }

    /// EventSub connections open now.
    pub fn eventsub_connections(&self) -> usize {
        self.shared.world().eventsub.connected()
    }

    /// How many times a session moved to a new connection after `session_reconnect`.
    pub fn eventsub_moves(&self) -> u64 {
        self.shared.world().eventsub.moves
    }

    /// Every EventSub subscription made so far (disabled ones too), oldest first.
    pub fn eventsub_subscriptions(&self) -> Vec<SimSubscription> {
        self.shared
            .world()
            .eventsub
            .subscriptions
            .iter()
            .map(|s| SimSubscription {
                id: s.id.clone(),
                kind: s.kind.clone(),
                session_id: s.session_id.clone(),
                status: s.status.clone(),
            })
            .collect()
    }

    /// Whether `user_id` is banned or timed out in the streamer's chat now.
    pub fn is_banned(&self, user_id: &str) -> bool {
        let Ok(user) = user_id.parse::<u64>() else {
            return false;
        };
        let now = auth::now_secs();
        self.shared
            .world()
            .bans
            .get(&(STREAMER_ID, user))
            .is_some_and(|until| until.is_none_or(|end| end > now))
    }

    /// Helix requests (under `/helix`) received so far, refused ones included.
    pub fn request_count(&self) -> u64 {
        self.shared.gateway.requests()
    }

    /// id-side requests (under `/oauth2`) received so far.
    pub fn auth_request_count(&self) -> u64 {
        self.shared.auth_requests.load(Ordering::Relaxed)
    }

    /// The streamer's account.
    pub fn streamer(&self) -> SimAccount {
        self.account(STREAMER_ID)
    }

    /// The ordinary second account.
    pub fn viewer_user(&self) -> SimAccount {
        self.account(VIEWER_ID)
    }

    fn account(&self, id: u64) -> SimAccount {
        let (user_id, login, display_name) = self.shared.world().names(id);
        SimAccount {
            user_id,
            login,
            display_name,
        }
    }

    /// Stops both servers and the ticker (dropping the simulator does the same).
    pub fn shutdown(self) {
        drop(self);
    }
}

fn user_id(user: SimUser) -> u64 {
    match user {
        SimUser::Streamer => STREAMER_ID,
        SimUser::Viewer => VIEWER_ID,
    }
}

impl Drop for TwitchSim {
    fn drop(&mut self) {
        // Websockets outlive the servers' graceful shutdown: close them too.
        self.shared
            .world()
            .eventsub
            .tell_all(|| eventsub::Out::Close(1001, "going away"));
    }
}

super::simulator!(TwitchSim, TwitchSimOptions);
