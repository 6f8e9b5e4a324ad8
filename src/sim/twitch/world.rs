//! The simulated platform's state: users, channels (the streamer's, the viewer account's
//! and a couple dozen others), the streamer's people (chatters, followers, subscribers,
//! moderators, VIPs, editors, teams), chat and the token store. One `World` lives behind one
//! mutex, so counts agree across endpoints (`total` is always the list's real length).

use std::collections::{HashMap, HashSet, VecDeque};

use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};

use super::{
    BroadcasterType, TwitchSimOptions,
    auth::{TokenStore, now_ms, now_secs},
    eventsub::{self, Hub},
};
use crate::sim::common::{
    categories::{self, Category},
    names,
};

pub(crate) const STREAMER_ID: u64 = 412_345_678;
pub(crate) const VIEWER_ID: u64 = 498_765_432;
const OTHER_CHANNELS: usize = 24;
const CHAT_LOG_CAP: usize = 5_000;
/// Generated user ids start here.
const FIRST_GENERATED_ID: u64 = 600_000_000;

/// A Twitch account.
#[derive(Clone, Debug)]
pub(crate) struct User {
    pub(crate) id: u64,
    /// Lower-case ASCII, 4..=25 characters.
    pub(crate) login: String,
    /// Matches the login case-insensitively, or is a localized name (小龙, 별빛, نور).
    pub(crate) display_name: String,
    /// `""`, `"staff"`, `"admin"` or `"global_mod"`.
    pub(crate) kind: &'static str,
    /// `"partner"`, `"affiliate"` or `""`.
    pub(crate) broadcaster_type: &'static str,
    pub(crate) description: String,
    pub(crate) created_at: i64,
}

/// A broadcaster's channel and, when live, stream.
#[derive(Clone, Debug)]
pub(crate) struct Channel {
    pub(crate) owner: u64,
    pub(crate) title: String,
    /// `""` when no category is set.
    pub(crate) game_id: String,
    /// ISO 639-1 code or `"other"`.
    pub(crate) language: String,
    pub(crate) delay: u32,
    pub(crate) tags: Vec<String>,
    pub(crate) ccls: Vec<String>,
    pub(crate) branded: bool,
    pub(crate) live: bool,
    pub(crate) started_at: i64,
    pub(crate) stream_id: String,
    pub(crate) viewer_count: u32,
    pub(crate) stream_key: String,
    /// Follower total of a channel whose list is not simulated (all but the streamer's).
    pub(crate) followers_total: usize,
}

/// A subscription to the streamer's channel.
#[derive(Clone, Debug)]
pub(crate) struct Sub {
    pub(crate) user: u64,
    /// `"1000"`, `"2000"` or `"3000"`.
    pub(crate) tier: &'static str,
    pub(crate) gifter: Option<u64>,
}

/// A team the streamer belongs to.
#[derive(Clone, Debug)]
pub(crate) struct Team {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) display_name: String,
    pub(crate) info: String,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

/// A video on a channel: a past broadcast (`archive`), a `highlight` cut from one, or an
/// `upload`.
#[derive(Clone, Debug)]
pub(crate) struct Video {
    pub(crate) id: u64,
    pub(crate) owner: u64,
    /// The broadcast an archive records; `None` for highlights and uploads (Helix: null).
    pub(crate) stream_id: Option<String>,
    pub(crate) title: String,
    pub(crate) description: String,
    /// The category the video was filed under (Helix filters on it but does not show it).
    pub(crate) game_id: String,
    pub(crate) created_at: i64,
    pub(crate) published_at: i64,
    /// `"archive"`, `"highlight"` or `"upload"`.
    pub(crate) kind: &'static str,
    pub(crate) duration_secs: i64,
    pub(crate) view_count: u64,
    pub(crate) language: String,
    /// Muted stretches as (offset, duration) in seconds.
    pub(crate) muted: Vec<(i64, i64)>,
    /// The archive of the broadcast going on now: it still grows and has no thumbnail yet.
    pub(crate) recording: bool,
}

/// One chat message.
#[derive(Clone, Debug)]
pub(crate) struct ChatLine {
    pub(crate) message_id: String,
    pub(crate) broadcaster_id: u64,
    pub(crate) sender_id: u64,
    pub(crate) text: String,
    pub(crate) at_ms: i64,
    pub(crate) deleted: bool,
}

/// Everything the simulated platform knows.
pub(crate) struct World {
    pub(crate) rng: StdRng,
    /// The Helix server's origin, for picture URLs.
    pub(crate) origin: String,
    /// The streamer changes the title now and then on Twitch's own dashboard (`--demo`).
    pub(crate) retitles: bool,
    users: HashMap<u64, User>,
    by_login: HashMap<String, u64>,
    taken: HashSet<String>,
    next_id: u64,
    pub(crate) channels: Vec<Channel>,
    pub(crate) categories: Vec<Category>,
    /// The streamer's chat room, the broadcaster first.
    pub(crate) chatters: Vec<u64>,
    /// (user, followed_at), oldest first (new followers are appended).
    pub(crate) followers: Vec<(u64, i64)>,
    /// Oldest first; the broadcaster's own subscription first of all.
    pub(crate) subs: Vec<Sub>,
    pub(crate) mods: Vec<u64>,
    pub(crate) vips: Vec<u64>,
    /// (user, editor since).
    pub(crate) editors: Vec<(u64, i64)>,
    pub(crate) teams: Vec<Team>,
    /// Finished videos of the streamer and the viewer account, newest first (the archive of
    /// the broadcast going on now is added when asked, see [`World::videos_of`]).
    pub(crate) videos: Vec<Video>,
    /// The id of the streamer's archive in the making, shown while the streamer is live.
    pub(crate) live_video_id: u64,
    /// (broadcaster, user) → end of the ban (epoch seconds), `None` for a permanent ban.
    pub(crate) bans: HashMap<(u64, u64), Option<i64>>,
    pub(crate) chat: VecDeque<ChatLine>,
    pub(crate) blocked_terms: Vec<String>,
    /// When the next commercial may run (epoch seconds).
    pub(crate) next_commercial_at: i64,
    pub(crate) auth: TokenStore,
    /// EventSub's websocket sessions and subscriptions.
    pub(crate) eventsub: Hub,
}

fn random_key(rng: &mut StdRng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let tail: String = (0..30)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!(
        "live_{}_{tail}",
        rng.random_range(100_000_000u64..999_999_999)
    )
}

fn stream_id(rng: &mut StdRng) -> String {
    rng.random_range(40_000_000_000u64..49_999_999_999)
        .to_string()
}

impl World {
    /// Builds the world for these options; `origin` is the Helix server's address.
    pub(crate) fn new(opts: &TwitchSimOptions, origin: String) -> World {
        let rng = StdRng::seed_from_u64(opts.seed);
        let now = now_secs();
        let mut world = World {
            rng,
            origin,
            retitles: opts.retitles,
            users: HashMap::new(),
            by_login: HashMap::new(),
            taken: HashSet::new(),
            next_id: FIRST_GENERATED_ID,
            channels: Vec::new(),
            categories: categories::catalogue(),
            chatters: Vec::new(),
            followers: Vec::new(),
            subs: Vec::new(),
            mods: Vec::new(),
            vips: Vec::new(),
            editors: Vec::new(),
            teams: Vec::new(),
            videos: Vec::new(),
            live_video_id: 0,
            bans: HashMap::new(),
            chat: VecDeque::new(),
            blocked_terms: opts.blocked_terms.clone(),
            next_commercial_at: 0,
            auth: TokenStore::default(),
            eventsub: Hub::new(opts.eventsub_keepalive_secs),
        };
        world.hand_made(opts, now);
        world.people(opts, now);
        for rank in 0..OTHER_CHANNELS {
            world.other_channel(rank, now);
        }
        world.refresh_viewer_count();
        world.make_videos(opts, now);
        world
    }

    /// The streamer's `opts.videos` videos over the past months (archives only as far back
    /// as Twitch keeps them: 60 days for partners, 14 for affiliates, 7 otherwise; older
    /// ones are highlights or uploads), and three uploads of the viewer account. A random
    /// source of their own, so the rest of the world is the same with or without them.
    fn make_videos(&mut self, opts: &TwitchSimOptions, now: i64) {
        let mut rng = StdRng::seed_from_u64(opts.seed ^ 0x0b1d_e05f);
        let keep_archives = match opts.broadcaster_type {
            BroadcasterType::Partner => 60,
            BroadcasterType::Affiliate => 14,
            BroadcasterType::Normal => 7,
        } * 86_400;
        let top: Vec<String> = self
            .categories
            .iter()
            .take(12)
            .map(|c| c.id.clone())
            .collect();
        let main_game = self.main().game_id.clone();
        // Oldest first, so ids grow with time as Twitch's do.
        let mut at = now - 3_600 * 5;
        let mut times = Vec::with_capacity(opts.videos);
        for _ in 0..opts.videos {
            at -= rng.random_range(3_600 * 10..86_400 * 3);
            times.push(at);
        }
        times.reverse();
        let mut id: u64 = 2_000_000_000 + rng.random_range(0..50_000_000);
        let mut videos = Vec::with_capacity(opts.videos + 3);
        for created_at in times {
            id += rng.random_range(1_000..400_000);
            let game_id = if rng.random_bool(0.6) || top.is_empty() {
                main_game.clone()
            } else {
                top[rng.random_range(0..top.len())].clone()
            };
            let game = self.game_name(&game_id);
            let roll = rng.random_range(0..10);
            let kind = if roll < 5 && now - created_at <= keep_archives {
                "archive"
            } else if roll < 8 {
                "highlight"
            } else {
                "upload"
            };
            let (duration_secs, view_count, title, description) = match kind {
                "archive" => (
                    rng.random_range(5_400..18_000),
                    rng.random_range(40..3_000),
                    names::stream_title(&mut rng, &game),
                    String::new(),
                ),
                "highlight" => (
                    rng.random_range(30..900),
                    rng.random_range(100..20_000),
                    format!("Highlight: {}", names::stream_title(&mut rng, &game)),
                    String::new(),
                ),
                _ => (
                    rng.random_range(120..2_400),
                    rng.random_range(200..50_000),
                    format!("{game} — edited and uploaded"),
                    "Cut down from the stream, with chapters in the comments.".to_owned(),
                ),
            };
            let muted = if kind == "archive" && rng.random_bool(0.25) {
                let offset = rng.random_range(0..duration_secs - 600) / 30 * 30;
                vec![(offset, rng.random_range(1..12) * 30)]
            } else {
                Vec::new()
            };
            videos.push(Video {
                id,
                owner: STREAMER_ID,
                stream_id: (kind == "archive").then(|| stream_id(&mut rng)),
                title,
                description,
                game_id,
                created_at,
                published_at: created_at,
                kind,
                duration_secs,
                view_count,
                language: "en".to_owned(),
                muted,
                recording: false,
            });
        }
        // At least one archive has muted audio (copyrighted music), as so many do.
        if !videos.iter().any(|v| !v.muted.is_empty())
            && let Some(v) = videos.iter_mut().rev().find(|v| v.kind == "archive")
        {
            v.muted = vec![(v.duration_secs / 2 / 30 * 30, 90)];
        }
        for days in [90, 40, 6] {
            id += rng.random_range(1_000..400_000);
            let created_at = now - 86_400 * days;
            videos.push(Video {
                id,
                owner: VIEWER_ID,
                stream_id: None,
                title: format!("Pixel art timelapse #{}", 100 - days),
                description: "Drawn live, sped up.".to_owned(),
                game_id: "509660".to_owned(),
                created_at,
                published_at: created_at,
                kind: "upload",
                duration_secs: rng.random_range(180..900),
                view_count: rng.random_range(10..400),
                language: "en".to_owned(),
                muted: Vec::new(),
                recording: false,
            });
        }
        videos.sort_by_key(|v| std::cmp::Reverse(v.created_at));
        self.videos = videos;
        self.live_video_id = id + rng.random_range(1_000..400_000);
    }

    /// `owner`'s videos, newest first: while the streamer is live, the archive being
    /// recorded comes first, as long as the broadcast so far.
    pub(crate) fn videos_of(&self, owner: u64, now: i64) -> Vec<Video> {
        let mut out = Vec::new();
        let main = self.main();
        if owner == STREAMER_ID && main.live {
            out.push(Video {
                id: self.live_video_id,
                owner,
                stream_id: Some(main.stream_id.clone()),
                title: main.title.clone(),
                description: String::new(),
                game_id: main.game_id.clone(),
                created_at: main.started_at,
                published_at: main.started_at,
                kind: "archive",
                duration_secs: (now - main.started_at).max(0),
                view_count: u64::from(main.viewer_count),
                language: main.language.clone(),
                muted: Vec::new(),
                recording: true,
            });
        }
        out.extend(self.videos.iter().filter(|v| v.owner == owner).cloned());
        out
    }

    /// A video by id, the one being recorded included.
    pub(crate) fn video(&self, id: u64, now: i64) -> Option<Video> {
        if id == self.live_video_id {
            return self
                .videos_of(STREAMER_ID, now)
                .into_iter()
                .next()
                .filter(|v| v.recording);
        }
        self.videos.iter().find(|v| v.id == id).cloned()
    }

    /// The streamer and the viewer account, with their channels and the streamer's teams.
    fn hand_made(&mut self, opts: &TwitchSimOptions, now: i64) {
        let broadcaster_type = match opts.broadcaster_type {
            BroadcasterType::Partner => "partner",
            BroadcasterType::Affiliate => "affiliate",
            BroadcasterType::Normal => "",
        };
        self.add_user(User {
            id: STREAMER_ID,
            login: "auroraplays".to_owned(),
            display_name: "AuroraPlays".to_owned(),
            kind: "",
            broadcaster_type,
            description: "Cozy streams, good chat, better tea. Schedule: Tue/Thu/Sun.".to_owned(),
            created_at: now - 86_400 * 1_900,
        });
        self.add_user(User {
            id: VIEWER_ID,
            login: "pixelpilgrim".to_owned(),
            display_name: "PixelPilgrim".to_owned(),
            kind: "",
            broadcaster_type: "",
            description: "Pixel art, retro games and long walks through dungeons.".to_owned(),
            created_at: now - 86_400 * 400,
        });
        let main = Channel {
            owner: STREAMER_ID,
            title: "Sunday hangout: saying hi to everyone ✨".to_owned(),
            game_id: "509658".to_owned(),
            language: "en".to_owned(),
            delay: 0,
            tags: vec![
                "English".to_owned(),
                "Cozy".to_owned(),
                "Chatting".to_owned(),
            ],
            ccls: Vec::new(),
            branded: false,
            live: opts.live,
            started_at: now - 3_600,
            stream_id: stream_id(&mut self.rng),
            viewer_count: 0,
            stream_key: random_key(&mut self.rng),
            followers_total: 0,
        };
        let own = Channel {
            owner: VIEWER_ID,
            title: "Pixel art and chill".to_owned(),
            game_id: "509660".to_owned(),
            language: "en".to_owned(),
            delay: 0,
            tags: vec!["PixelArt".to_owned()],
            ccls: Vec::new(),
            branded: false,
            live: false,
            started_at: now - 86_400 * 3,
            stream_id: stream_id(&mut self.rng),
            viewer_count: 0,
            stream_key: random_key(&mut self.rng),
            followers_total: 12,
        };
        self.channels.push(main);
        self.channels.push(own);
        self.teams = vec![
            Team {
                id: "6358".to_owned(),
                name: "cozystreamers".to_owned(),
                display_name: "Cozy Streamers".to_owned(),
                info: "A home for calm, kind and cosy streams.".to_owned(),
                created_at: now - 86_400 * 1_200,
                updated_at: now - 86_400 * 30,
            },
            Team {
                id: "9127".to_owned(),
                name: "pixelcollective".to_owned(),
                display_name: "Pixel Collective ✦".to_owned(),
                info: "Artists and makers streaming together.".to_owned(),
                created_at: now - 86_400 * 700,
                updated_at: now - 86_400 * 2,
            },
        ];
    }

    /// The streamer's people: chatters (with moderators, VIPs and an editor among them),
    /// followers (some of them chatting, the viewer account the oldest) and subscribers.
    fn people(&mut self, opts: &TwitchSimOptions, now: i64) {
        if opts.chatters > 0 {
            self.chatters.push(STREAMER_ID);
        }
        for _ in 1..opts.chatters {
            let id = self.new_person(now);
            self.chatters.push(id);
        }
        let mut pool: Vec<u64> = self.chatters.iter().skip(1).copied().collect();
        pool.shuffle(&mut self.rng);
        let n_mods = (pool.len() / 40).clamp(2, 10).min(pool.len());
        self.mods = pool.drain(..n_mods).collect();
        let n_vips = 3.min(pool.len());
        self.vips = pool.drain(..n_vips).collect();
        if let Some(&editor) = self.mods.first() {
            self.editors.push((editor, now - 86_400 * 200));
        }
        self.editors.push((VIEWER_ID, now - 86_400 * 20));

        // Followers: the viewer account first, then about half the chatting pool, then
        // strangers; follow times sorted, a few within the current stream.
        let mut who: Vec<u64> = Vec::with_capacity(opts.followers);
        if opts.followers > 0 {
            who.push(VIEWER_ID);
        }
        let mut chatting: Vec<u64> = self.chatters.iter().skip(1).copied().collect();
        chatting.shuffle(&mut self.rng);
        let from_chat = (chatting.len() / 2).min(opts.followers.saturating_sub(1));
        who.extend(chatting.into_iter().take(from_chat));
        while who.len() < opts.followers {
            let id = self.new_person(now);
            who.push(id);
        }
        let recent = opts.followers / 40;
        let mut times: Vec<i64> = (0..opts.followers)
            .map(|i| {
                if i < recent {
                    now - self.rng.random_range(60..3_000)
                } else {
                    now - self.rng.random_range(3_600..86_400 * 700)
                }
            })
            .collect();
        times.sort_unstable();
        // The viewer account keeps the oldest date; the rest get theirs in shuffled order.
        let rest = who.split_off(who.len().min(1));
        let mut rest = rest;
        rest.shuffle(&mut self.rng);
        who.extend(rest);
        self.followers = who.into_iter().zip(times).collect();

        // Subscribers: the broadcaster's own (tier 3, as Twitch lists it), then others.
        if opts.subscribers > 0 {
            self.subs.push(Sub {
                user: STREAMER_ID,
                tier: "3000",
                gifter: None,
            });
        }
        while self.subs.len() < opts.subscribers {
            let user = if self.rng.random_bool(0.5) && self.chatters.len() > 1 {
                self.chatters[self.rng.random_range(1..self.chatters.len())]
            } else {
                self.new_person(now)
            };
            if self.subs.iter().any(|s| s.user == user) {
                continue;
            }
            let sub = self.new_sub(user, now);
            self.subs.push(sub);
        }
    }

    /// A subscription for `user`: mostly tier 1, some gifted by another subscriber.
    pub(crate) fn new_sub(&mut self, user: u64, now: i64) -> Sub {
        let tier = match self.rng.random_range(0..100) {
            0..=79 => "1000",
            80..=93 => "2000",
            _ => "3000",
        };
        let gifter = if self.rng.random_bool(0.15) {
            let gifters: Vec<u64> = self
                .subs
                .iter()
                .map(|s| s.user)
                .filter(|&u| u != STREAMER_ID && u != user)
                .collect();
            if gifters.is_empty() {
                Some(self.new_person(now))
            } else {
                Some(gifters[self.rng.random_range(0..gifters.len())])
            }
        } else {
            None
        };
        Sub { user, tier, gifter }
    }

    /// Another broadcaster: popularity falls off with `rank` like real directories.
    fn other_channel(&mut self, rank: usize, now: i64) {
        let id = self.new_person(now);
        let partner = rank < 10 || self.rng.random_bool(0.3);
        if let Some(user) = self.users.get_mut(&id) {
            user.broadcaster_type = if partner { "partner" } else { "affiliate" };
            user.description = format!("Hi, I'm {}! Thanks for stopping by.", user.display_name);
        }
        let viewers = (12_000.0 / (rank as f64 + 1.0).powf(1.15) * self.rng.random_range(0.8..1.2))
            as u32
            + 5;
        let top = self.categories.len().min(30);
        let category = self.categories[self.rng.random_range(0..top)].clone();
        let languages = [
            "en", "en", "en", "es", "pt", "de", "fr", "ja", "ko", "zh", "ar",
        ];
        let language = languages[self.rng.random_range(0..languages.len())];
        let live = rank % 6 != 5;
        let channel = Channel {
            owner: id,
            title: names::stream_title(&mut self.rng, &category.name),
            game_id: category.id.clone(),
            language: language.to_owned(),
            delay: 0,
            tags: vec![
                match language {
                    "en" => "English",
                    "es" => "Español",
                    "pt" => "Português",
                    "de" => "Deutsch",
                    "fr" => "Français",
                    "ja" => "日本語",
                    "ko" => "한국어",
                    "zh" => "中文",
                    _ => "العربية",
                }
                .to_owned(),
            ],
            ccls: Vec::new(),
            branded: false,
            live,
            started_at: now - self.rng.random_range(600..5 * 3_600),
            stream_id: stream_id(&mut self.rng),
            viewer_count: if live { viewers } else { 0 },
            stream_key: random_key(&mut self.rng),
            followers_total: viewers as usize * self.rng.random_range(5..40),
        };
        self.channels.push(channel);
    }

    fn add_user(&mut self, user: User) {
        self.taken.insert(user.display_name.clone());
        self.by_login.insert(user.login.clone(), user.id);
        self.users.insert(user.id, user);
    }

    /// A new person with a unique ASCII login and a display name in any script.
    pub(crate) fn new_person(&mut self, now: i64) -> u64 {
        let name = names::unique_name(&mut self.rng, &mut self.taken);
        let id = self.next_id;
        self.next_id += self.rng.random_range(1..40);
        let seq = id - FIRST_GENERATED_ID;
        // Display names hold letters, digits and underscores (no spaces or emoji).
        let display: String = name
            .nickname
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let plain = display.len() >= 4
            && display.len() <= 25
            && display
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let lower = display.to_ascii_lowercase();
        let (login, display_name) = if plain && !self.by_login.contains_key(&lower) {
            (lower, display)
        } else {
            let mut stem: String = name.username_stem.chars().take(16).collect();
            if stem.is_empty() {
                stem.push_str("viewer");
            }
            let login = format!("{stem}_{seq}");
            let shown = if display.is_empty() || display.is_ascii() {
                login.clone()
            } else {
                display
            };
            (login, shown)
        };
        let kind = match self.rng.random_range(0..2_000) {
            0 => "staff",
            1 => "global_mod",
            _ => "",
        };
        let broadcaster_type = if self.rng.random_bool(0.05) {
            "affiliate"
        } else {
            ""
        };
        let created_at = now - self.rng.random_range(86_400 * 30..86_400 * 3_000);
        self.add_user(User {
            id,
            login,
            display_name,
            kind,
            broadcaster_type,
            description: String::new(),
            created_at,
        });
        id
    }

    pub(crate) fn user(&self, id: u64) -> Option<&User> {
        self.users.get(&id)
    }

    pub(crate) fn user_by_login(&self, login: &str) -> Option<&User> {
        self.by_login
            .get(&login.trim().to_ascii_lowercase())
            .and_then(|id| self.users.get(id))
    }

    /// (id, login, display name) of a user, empty strings if unknown.
    pub(crate) fn names(&self, id: u64) -> (String, String, String) {
        match self.users.get(&id) {
            Some(u) => (u.id.to_string(), u.login.clone(), u.display_name.clone()),
            None => (id.to_string(), String::new(), String::new()),
        }
    }

    pub(crate) fn channel(&self, owner: u64) -> Option<&Channel> {
        self.channels.iter().find(|c| c.owner == owner)
    }

    pub(crate) fn channel_mut(&mut self, owner: u64) -> Option<&mut Channel> {
        self.channels.iter_mut().find(|c| c.owner == owner)
    }

    /// The streamer's channel.
    pub(crate) fn main(&self) -> &Channel {
        &self.channels[0]
    }

    pub(crate) fn main_mut(&mut self) -> &mut Channel {
        &mut self.channels[0]
    }

    pub(crate) fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    pub(crate) fn game_name(&self, id: &str) -> String {
        self.category(id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }

    /// Whether `user` may moderate `broadcaster`'s chat (the broadcaster is their own
    /// moderator, though Helix's moderator list does not name them).
    pub(crate) fn is_moderator(&self, broadcaster: u64, user: u64) -> bool {
        user == broadcaster || (broadcaster == STREAMER_ID && self.mods.contains(&user))
    }

    /// Follower total of any channel.
    pub(crate) fn followers_total(&self, broadcaster: u64) -> usize {
        if broadcaster == STREAMER_ID {
            self.followers.len()
        } else {
            self.channel(broadcaster).map_or(0, |c| c.followers_total)
        }
    }

    pub(crate) fn profile_image_url(&self, id: u64) -> String {
        format!(
            "{}/jtv_user_pictures/{id}-profile_image-300x300.png",
            self.origin
        )
    }

    /// Box art at a fixed size (what `/search/categories` returns).
    pub(crate) fn box_art_sized(&self, id: &str, w: u32, h: u32) -> String {
        format!("{}/ttv-boxart/{id}-{w}x{h}.jpg", self.origin)
    }

    /// Box art as a template (what `/games` and `/games/top` return).
    pub(crate) fn box_art_template(&self, id: &str) -> String {
        format!("{}/ttv-boxart/{id}-{{width}}x{{height}}.jpg", self.origin)
    }

    pub(crate) fn preview_template(&self, login: &str) -> String {
        format!(
            "{}/previews-ttv/live_user_{login}-{{width}}x{{height}}.jpg",
            self.origin
        )
    }

    /// A video's thumbnail as Helix gives it: a `%{width}x%{height}` template (not the
    /// `{width}x{height}` of box art and previews).
    pub(crate) fn video_thumbnail_template(&self, login: &str, video: u64) -> String {
        format!(
            "{}/cf_vods/{login}/{video}/thumb/thumb0-%{{width}}x%{{height}}.jpg",
            self.origin
        )
    }

    pub(crate) fn team_image_url(&self, team: &str, what: &str) -> String {
        format!(
            "{}/jtv_user_pictures/team-{team}-{what}-600x600.png",
            self.origin
        )
    }

    /// Keeps the streamer's `viewer_count` in step with the chat room (more watch than
    /// chat), zero when offline.
    pub(crate) fn refresh_viewer_count(&mut self) {
        let chatting = self.chatters.len() as f64;
        let main = &mut self.channels[0];
        main.viewer_count = if main.live {
            (chatting * 1.35).round() as u32
        } else {
            0
        };
    }

    /// Appends a chat line and tells the EventSub subscriptions on the channel; returns
    /// its message id (a UUID, as Twitch's are).
    pub(crate) fn post_chat(&mut self, broadcaster_id: u64, sender_id: u64, text: &str) -> String {
        let message_id = self.uuid();
        let line = ChatLine {
            message_id: message_id.clone(),
            broadcaster_id,
            sender_id,
            text: text.to_owned(),
            at_ms: now_ms(),
            deleted: false,
        };
        let event = eventsub::chat_message_event(self, &line);
        self.chat.push_back(line);
        while self.chat.len() > CHAT_LOG_CAP {
            self.chat.pop_front();
        }
        self.publish(eventsub::CHAT_MESSAGE, broadcaster_id, &event);
        message_id
    }

    /// Sends an event to the EventSub subscriptions of `kind` on `broadcaster`'s channel.
    pub(crate) fn publish(&mut self, kind: &str, broadcaster: u64, event: &serde_json::Value) {
        let rng = &mut self.rng;
        self.eventsub
            .publish(kind, broadcaster, event, || uuid(rng));
    }

    /// A random version-4 UUID.
    pub(crate) fn uuid(&mut self) -> String {
        uuid(&mut self.rng)
    }
}

/// A random version-4 UUID.
pub(crate) fn uuid(rng: &mut StdRng) -> String {
    let a: u128 = rng.random();
    let a = (a & !(0xF000u128 << 64)) | (0x4000u128 << 64);
    let a = (a & !(0xC000u128 << 48)) | (0x8000u128 << 48);
    let hex = format!("{a:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_world_is_consistent() {
        let opts = TwitchSimOptions::default();
        let world = World::new(&opts, "http://127.0.0.1:1".into());
        assert_eq!(world.chatters.len(), opts.chatters);
        assert_eq!(world.chatters[0], STREAMER_ID);
        assert_eq!(world.followers.len(), opts.followers);
        assert_eq!(world.subs.len(), opts.subscribers);
        let logins: HashSet<_> = world.users.values().map(|u| u.login.clone()).collect();
        assert_eq!(logins.len(), world.users.len(), "logins are unique");
        for u in world.users.values() {
            assert!(
                u.login.len() >= 4
                    && u.login.len() <= 25
                    && u.login
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "bad login {:?}",
                u.login
            );
        }
        assert!(world.users.values().any(|u| !u.display_name.is_ascii()));
        let followers: HashSet<_> = world.followers.iter().map(|f| f.0).collect();
        assert_eq!(
            followers.len(),
            world.followers.len(),
            "followers are unique"
        );
        assert!(world.followers.windows(2).all(|w| w[0].1 <= w[1].1));
        let mine: Vec<_> = world
            .videos
            .iter()
            .filter(|v| v.owner == STREAMER_ID)
            .collect();
        assert_eq!(mine.len(), opts.videos);
        assert!(
            world
                .videos
                .windows(2)
                .all(|w| w[0].created_at >= w[1].created_at)
        );
        assert!(
            mine.windows(2).all(|w| w[0].id > w[1].id),
            "ids grow with time"
        );
        let now = now_secs();
        assert!(
            mine.iter()
                .filter(|v| v.kind == "archive")
                .all(|v| now - v.created_at <= 14 * 86_400 && v.stream_id.is_some()),
            "an affiliate's archives last 14 days"
        );
        assert!(mine.iter().any(|v| v.kind == "archive"));
        assert!(
            mine.iter()
                .any(|v| v.kind != "archive" && v.stream_id.is_none())
        );
    }

    #[test]
    fn uuids_look_like_uuids() {
        let opts = TwitchSimOptions::default();
        let mut world = World::new(&opts, String::new());
        let id = world.uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
    }
}
