//! The Trovo simulator: an HTTP server on 127.0.0.1 that speaks Trovo's Open Platform API
//! (under `/openplatform`, with the reference's shapes and quirks) over a live world. The
//! integration tests and `stagehand --demo` point the real Trovo client at it.
//!
//! ```ignore
//! let sim = TrovoSim::start(SimOptions::default()).await?;
//! let base = sim.api_base();              // "http://127.0.0.1:PORT/openplatform"
//! let tokens = sim.streamer_tokens();     // every scope
//! sim.inject(FaultRule::new(Fault::ExpiredToken).on_path("/channel").times(2));
//! ```
//!
//! Layout: `server` (Trovo's dialect of the gateway: Client-ID, rate limit, faults),
//! `routes/` (one file per API area, and the chat websocket), `world` and `people` (the
//! state), `chat` (chat lines, their roles and the socket's frames), `auth` (tokens and
//! codes), `ticker` (the live world), `page` (the sign-in page), `categories` (Trovo's
//! catalogue), `wire` (error body and lenient body readers). The listener, the gateway's
//! rules, the names, the pictures and the churn are shared ones from [`crate::sim::common`].

mod auth;
mod categories;
mod chat;
mod faults;
mod happenings;
mod page;
mod people;
mod routes;
mod server;
mod ticker;
mod wire;
mod world;

use std::{net::SocketAddr, sync::Arc, time::Duration};

pub use crate::sim::common::{SimTokens, SimUser};
pub use faults::{ErrorAnswer, Fault, FaultRule};

use crate::sim::common;
use server::Shared;
use world::{STREAMER_ID, VIEWER_ID, World};

/// A running Trovo simulator. Dropping it (or calling [`TrovoSim::shutdown`]) stops the
/// server and the ticker.
pub struct TrovoSim {
    shared: Arc<Shared>,
    addr: SocketAddr,
    /// Its server and its ticker, stopped when the simulator is dropped.
    _running: common::listener::Running,
}

/// How the simulated world starts and behaves.
#[derive(Clone, Debug)]
pub struct SimOptions {
    /// Named (logged-in) viewers in the live stream, the streamer included (default 60).
    pub viewers: usize,
    /// Initial followers of the streamer's channel (default 250).
    pub followers: usize,
    /// Initial subscribers (default 40).
    pub subscribers: usize,
    /// Whether the streamer's channel is live (default true).
    pub live: bool,
    /// `Some(d)`: a background task evolves the world every `d` (viewers come and go,
    /// followers arrive, chat flows). `None`: the world stays still (tests).
    pub tick: Option<Duration>,
    /// Requests per client ID per fixed 60-second window (default 1200, Trovo's default).
    pub rate_limit_per_minute: u32,
    /// Seed of the world's generation (names, roles, other channels).
    pub seed: u64,
    /// The redirect URI the simulated app registered, matched exactly by the sign-in page
    /// and `/exchangetoken` (default [`TrovoSim::REDIRECT_URI`]). Tests that run a real
    /// loopback listener on a free port register `http://localhost:PORT/` here.
    pub redirect_uri: String,
    /// How long a chat token opens the chat socket, in seconds (default 60; Trovo's lapse
    /// quickly). Zero or less: every chat token has lapsed by the time it is used.
    pub chat_token_lifetime_secs: i64,
    /// The pause between pings each `PONG` asks for, in seconds (default 30, Trovo's).
    pub chat_ping_gap_secs: u64,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            viewers: 60,
            followers: 250,
            subscribers: 40,
            live: true,
            tick: None,
            rate_limit_per_minute: 1200,
            seed: 7,
            redirect_uri: TrovoSim::REDIRECT_URI.to_owned(),
            chat_token_lifetime_secs: 60,
            chat_ping_gap_secs: 30,
        }
    }
}

/// Who an account is, in Trovo's terms.
#[derive(Clone, Debug)]
pub struct SimUserInfo {
    /// Numeric user id, as a string.
    pub user_id: String,
    /// Channel id (the same number as the user id on Trovo).
    pub channel_id: String,
    /// Login name, the last part of the channel URL.
    pub username: String,
    /// Display name.
    pub nickname: String,
}

/// The streamer's channel settings as the simulator holds them (to check that an update
/// went through, without going through the client under test).
#[derive(Clone, Debug, PartialEq)]
pub struct SimChannelSnapshot {
    /// Channel id.
    pub id: String,
    /// The streamer's username.
    pub username: String,
    /// Stream title.
    pub title: String,
    /// Category id.
    pub category_id: String,
    /// Category name.
    pub category_name: String,
    /// Upper-case ISO 639-1 code, e.g. "EN".
    pub language: String,
    /// One of `CHANNEL_AUDIENCE_TYPE_FAMILYFRIENDLY`, `_TEEN`, `_EIGHTEENPLUS`.
    pub audience: String,
}

/// One chat line, as the simulator logged it.
#[derive(Clone, Debug)]
pub struct SimChatLine {
    /// Trovo-style message id (what the delete call takes).
    pub message_id: String,
    /// Sender's user id.
    pub sender_id: String,
    /// Sender's nickname.
    pub sender_name: String,
    /// Channel the line was sent to.
    pub channel_id: String,
    /// The text.
    pub content: String,
    /// Trovo's chat type code: 0 a message, 5003 a follow, 5001 a subscription, 5004 a
    /// welcome, 5008 a raid.
    pub chat_type: i64,
    /// When it was said, epoch seconds.
    pub send_time: i64,
}

/// Someone in the streamer's live audience who can chat, with the roles their chat lines
/// carry (in the chat's spelling: `mod`, `follower`, `ace+`, custom role names last).
#[derive(Clone, Debug)]
pub struct SimChatter {
    /// Numeric user id, as a string.
    pub user_id: String,
    /// Login name.
    pub username: String,
    /// Display name.
    pub nickname: String,
    /// Chat roles (`streamer`, `mod`, `VIP`, `subscriber`, `follower`, ...).
    pub roles: Vec<String>,
    /// The channel's custom roles they hold.
    pub custom_roles: Vec<String>,
}

/// A chat message a moderator deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimDeletion {
    /// Channel id.
    pub channel_id: String,
    /// The deleted message's id.
    pub message_id: String,
    /// Its sender's user id.
    pub sender_id: String,
    /// The user id of who deleted it.
    pub by: String,
}

/// A ban in the streamer's channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimBan {
    /// The banned user's id.
    pub user_id: String,
    /// Their login name, where the simulator knows them.
    pub username: Option<String>,
    /// When the ban ends (epoch seconds): a timeout; `None` for a ban for good.
    pub until: Option<i64>,
}

impl TrovoSim {
    /// The simulated registered app's client id (send it as `Client-ID`).
    pub const CLIENT_ID: &'static str = "stagehand-sim-7c1f3b9a2e";
    /// The simulated app's client secret (for `/exchangetoken` and `/refreshtoken`).
    pub const CLIENT_SECRET: &'static str = "sim-secret-4f8d2a61b0c9e7";
    /// The redirect URI the simulated app registers by default (a desktop loopback address);
    /// [`SimOptions::redirect_uri`] changes it.
    pub const REDIRECT_URI: &'static str = "http://localhost:8919/";

    /// Binds 127.0.0.1 on a free port, builds the world and starts serving (and ticking, if
    /// `opts.tick` is set). Must be called inside a tokio runtime.
    pub async fn start(opts: SimOptions) -> std::io::Result<TrovoSim> {
        let (listener, addr) = common::listener::bind_loopback().await?;
        let world = World::new(&opts, format!("http://{addr}"));
        let shared = Arc::new(Shared::new(
            world,
            opts.rate_limit_per_minute,
            opts.redirect_uri.clone(),
            opts.chat_ping_gap_secs,
        ));
        let ticker = opts
            .tick
            .map(|every| ticker::spawn(shared.clone(), every, opts.seed));
        let app = server::app(shared.clone());
        let running = common::listener::Running::serve([(listener, app)], "trovo", ticker);
        Ok(TrovoSim {
            shared,
            addr,
            _running: running,
        })
    }

    /// The API base URL, `http://127.0.0.1:PORT/openplatform` (no trailing slash).
    pub fn api_base(&self) -> String {
        format!("{}/openplatform", self.origin())
    }

    /// The server's origin, `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The sign-in page, standing in for `https://open.trovo.live/page/login.html`.
    pub fn auth_page_url(&self) -> String {
        format!("{}/page/login.html", self.origin())
    }

    /// A fresh token pair for the streamer with every scope, valid for 4 hours.
    pub fn streamer_tokens(&self) -> SimTokens {
        let scopes = auth::ALL_SCOPES.iter().map(|s| (*s).to_owned()).collect();
        let pair = self
            .shared
            .world()
            .auth
            .issue(STREAMER_ID, scopes, auth::ACCESS_LIFETIME);
        SimTokens {
            access_token: pair.access_token,
            refresh_token: pair.refresh_token,
        }
    }

    /// A token pair for `user` with exactly `scopes`, expiring in `expires_in_secs` (zero or
    /// less: already expired, for 11714 tests).
    pub fn issue_tokens(&self, user: SimUser, scopes: &[&str], expires_in_secs: i64) -> SimTokens {
        let scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        let pair = self
            .shared
            .world()
            .auth
            .issue(user_id(user), scopes, expires_in_secs);
        SimTokens {
            access_token: pair.access_token,
            refresh_token: pair.refresh_token,
        }
    }

    /// A one-time authorization code for `/exchangetoken`, bound to `redirect_uri`, valid
    /// for 10 minutes.
    pub fn issue_auth_code(&self, user: SimUser, scopes: &[&str], redirect_uri: &str) -> String {
        let scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        self.shared
            .world()
            .auth
            .issue_code(user_id(user), scopes, redirect_uri)
    }

    /// Every access token, refresh token, chat token and authorization code issued so far,
    /// the client secret and the streamer's stream key: what must never show up in a log
    /// line or a file the app writes.
    pub fn issued_secrets(&self) -> Vec<String> {
        let world = self.shared.world();
        let mut all = world.auth.issued().to_vec();
        all.push(TrovoSim::CLIENT_SECRET.to_owned());
        all.push(world.main().stream_key.clone());
        all
    }

    /// Whether Trovo would accept this access token now: false once it is revoked.
    pub fn token_is_active(&self, access_token: &str) -> bool {
        self.shared.world().auth.is_active(access_token)
    }

    /// Makes an access token expire now, as if its four hours had passed (its refresh token
    /// still works). False if unknown.
    pub fn expire_token(&self, access_token: &str) -> bool {
        self.shared.world().auth.expire(access_token)
    }

    /// Queues a fault; see [`FaultRule`].
    pub fn inject(&self, rule: FaultRule) {
        self.shared.gateway.faults().push(rule);
    }

    /// Drops every queued fault.
    pub fn clear_faults(&self) {
        self.shared.gateway.faults().clear();
    }

    /// The streamer's channel settings as they are now.
    pub fn channel(&self) -> SimChannelSnapshot {
        let world = self.shared.world();
        let c = world.main();
        SimChannelSnapshot {
            id: c.id().to_string(),
            username: c.owner.username.clone(),
            title: c.title.clone(),
            category_id: c.category_id.clone(),
            category_name: world.category_name(&c.category_id),
            language: c.language.clone(),
            audience: c.audience.clone(),
        }
    }

    /// Every chat line the simulator holds (all channels, simulated and sent through the
    /// API), oldest first. The log keeps the last few thousand lines.
    pub fn chat_log(&self) -> Vec<SimChatLine> {
        self.shared
            .world()
            .chat
            .iter()
            .map(|l| SimChatLine {
                message_id: l.message_id.clone(),
                sender_id: l.sender_id.to_string(),
                sender_name: l.sender_name.clone(),
                channel_id: l.channel_id.to_string(),
                content: l.content.clone(),
                chat_type: l.chat_type,
                send_time: l.send_time,
            })
            .collect()
    }

    /// The chat websocket, `ws://127.0.0.1:PORT/chat` (what the client derives from
    /// [`TrovoSim::api_base`]).
    pub fn chat_url(&self) -> String {
        format!("ws://{}/chat", self.addr)
    }

    /// `who` (a username or nickname of someone in the streamer's audience, followers or
    /// subscribers, or a channel owner) says `text` in the streamer's chat, with the roles
    /// they carry there; the chat sockets pass it on. Answers the message id, or `None` when
    /// nobody is called `who`. No chat rule is applied: this is the viewer's own Trovo app.
    pub fn say(&self, who: &str, text: &str) -> Option<String> {
        let mut world = self.shared.world();
        let main_id = world.main().id();
        let person = world.find_person(main_id, who)?;
        Some(world.post_chat(main_id, &person, text))
    }

    /// Everyone in the streamer's live audience but the streamer, with their chat roles.
    pub fn chatters(&self) -> Vec<SimChatter> {
        let mut world = self.shared.world();
        let main_id = world.main().id();
        let audience: Vec<(people::Person, u16)> = world
            .people(main_id)
            .map(|p| {
                p.viewers
                    .iter()
                    .skip(1)
                    .map(|v| (v.person.clone(), v.status))
                    .collect()
            })
            .unwrap_or_default();
        let main = world.main();
        audience
            .into_iter()
            .map(|(person, standing)| {
                let (roles, custom_roles) = chat::roles_in(main, person.id, standing);
                SimChatter {
                    user_id: person.id.to_string(),
                    username: person.username,
                    nickname: person.nickname,
                    roles: roles.into_iter().map(str::to_owned).collect(),
                    custom_roles,
                }
            })
            .collect()
    }

    /// The messages moderators deleted, oldest first.
    pub fn deletions(&self) -> Vec<SimDeletion> {
        self.shared
            .world()
            .deletions
            .iter()
            .map(|d| SimDeletion {
                channel_id: d.channel_id.to_string(),
                message_id: d.message_id.clone(),
                sender_id: d.sender_id.to_string(),
                by: d.by.to_string(),
            })
            .collect()
    }

    /// The bans and timeouts in force in the streamer's channel.
    pub fn bans(&self) -> Vec<SimBan> {
        let mut world = self.shared.world();
        let main_id = world.main().id();
        let bans: Vec<(u64, Option<i64>)> = world
            .main()
            .rules
            .bans
            .iter()
            .map(|(id, until)| (*id, *until))
            .collect();
        let known: Vec<people::Person> = world
            .people(main_id)
            .map(|p| {
                p.viewers
                    .iter()
                    .map(|v| v.person.clone())
                    .chain(p.followers.iter().map(|f| f.person.clone()))
                    .chain(p.subscribers.iter().map(|s| s.person.clone()))
                    .collect()
            })
            .unwrap_or_default();
        bans.into_iter()
            .map(|(id, until)| SimBan {
                user_id: id.to_string(),
                username: world
                    .channel(id)
                    .map(|c| c.owner.username.clone())
                    .or_else(|| {
                        known
                            .iter()
                            .find(|p| p.id == id)
                            .map(|p| p.username.clone())
                    }),
                until,
            })
            .collect()
    }

    /// A viewer casts `count` of the spell `name` worth `value` `currency` each; answers
    /// the caster's nickname.
    pub fn spell_now(&self, name: &str, count: u32, value: u64, currency: &str) -> String {
        let mut world = self.shared.world();
        let caster = world.someone_now();
        world.spell(&caster, (name, value, currency), count);
        caster.nickname
    }

    /// A viewer gifts `count` subscriptions to random viewers; answers the gifter's
    /// nickname.
    pub fn gift_now(&self, count: u32) -> String {
        let mut world = self.shared.world();
        let gifter = world.someone_now();
        world.gift_random(&gifter, count);
        gifter.nickname
    }

    /// One viewer gifts another a subscription; answers (gifter, giftee) nicknames.
    pub fn gift_to_now(&self) -> (String, String) {
        let mut world = self.shared.world();
        let gifter = world.someone_now();
        let giftee = world.someone_now();
        world.gift_to(&gifter, &giftee);
        (gifter.nickname, giftee.nickname)
    }

    /// Another streamer raids with `viewers`; answers the raider's nickname.
    pub fn raid_now(&self, viewers: u64) -> String {
        let mut world = self.shared.world();
        let raider = world.someone_now();
        world.raid_with(&raider, viewers);
        raider.nickname
    }

    /// Trovo says in chat that the stream went on or off.
    pub fn stream_status_now(&self, live: bool) {
        self.shared.world().stream_status(live);
    }

    /// Makes the chat sockets stop answering `PING` (a connection gone silent), or answer
    /// again.
    pub fn answer_chat_pings(&self, on: bool) {
        self.shared
            .chat_pongs
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// Hangs up every open chat socket without a closing handshake, as a broken
    /// connection does (new connections are accepted as before).
    pub fn drop_chat_connections(&self) {
        self.shared.chat_hangup.send_modify(|n| *n += 1);
    }

    /// API requests (under `/openplatform`) received so far, rejected ones included.
    pub fn request_count(&self) -> u64 {
        self.shared.gateway.requests()
    }

    /// The streamer's account.
    pub fn streamer(&self) -> SimUserInfo {
        self.user_info(STREAMER_ID)
    }

    /// The ordinary second account (not a moderator; owns an offline channel that has not
    /// granted `send_to_my_channel`).
    pub fn viewer_user(&self) -> SimUserInfo {
        self.user_info(VIEWER_ID)
    }

    fn user_info(&self, id: u64) -> SimUserInfo {
        let world = self.shared.world();
        let (username, nickname) = world
            .channel(id)
            .map(|c| (c.owner.username.clone(), c.owner.nickname.clone()))
            .unwrap_or_default();
        SimUserInfo {
            user_id: id.to_string(),
            channel_id: id.to_string(),
            username,
            nickname,
        }
    }

    /// Replaces the live audience with `n` generated viewers (the streamer counted among
    /// them, as in [`SimOptions::viewers`]).
    pub fn set_viewers(&self, n: usize) {
        self.shared.world().set_viewers(n);
    }

    /// Stops the server and the ticker (dropping the simulator does the same).
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

super::simulator!(TrovoSim, SimOptions);
