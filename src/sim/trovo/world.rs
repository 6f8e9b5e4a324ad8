//! The simulated platform's state: channels (the streamer's, the viewer account's and ~60
//! others), their people, chat, and the token store. One `World` lives behind one mutex; every
//! endpoint reads it from there, so counts agree across endpoints (followers = follower list
//! length, subscriber_num = subscriptions total, current_viewers = viewer list length).

use std::collections::{HashMap, VecDeque};

use rand::{Rng, SeedableRng, rngs::StdRng};

pub(crate) use super::chat::ChatLine;
use super::{
    SimOptions,
    auth::TokenStore,
    categories::{self, Category},
    chat::{code, roles_in},
    people::{self, Census, Follower, Grants, Person, Subscriber, Viewer},
};
pub(crate) use crate::sim::common::clock::{now_ms, now_secs};
use crate::sim::common::names;

/// The three audience values Trovo accepts (All / 13+ / 18+).
pub(crate) const AUDIENCES: [&str; 3] = [
    "CHANNEL_AUDIENCE_TYPE_FAMILYFRIENDLY",
    "CHANNEL_AUDIENCE_TYPE_TEEN",
    "CHANNEL_AUDIENCE_TYPE_EIGHTEENPLUS",
];

pub(crate) const STREAMER_ID: u64 = 102_345_678;
pub(crate) const VIEWER_ID: u64 = 108_765_432;
const OTHER_CHANNELS: usize = 59;
const CHAT_LOG_CAP: usize = 3_000;

/// A channel's lists. Other streamers' channels get theirs on first request (generating
/// 9,000 viewers for a channel nobody looks at would only slow every start).
#[derive(Debug, Default)]
pub(crate) struct People {
    pub(crate) viewers: Vec<Viewer>,
    pub(crate) followers: Vec<Follower>,
    pub(crate) subscribers: Vec<Subscriber>,
}

/// Chat moderation state of a channel.
#[derive(Debug, Default)]
pub(crate) struct ChatRules {
    /// Banned user id → end of the ban (epoch seconds), `None` for a permanent ban.
    pub(crate) bans: HashMap<u64, Option<i64>>,
    /// Slow mode: seconds between messages, and when it was switched on (epoch ms).
    pub(crate) slow: Option<(u32, i64)>,
    pub(crate) followers_only: bool,
    pub(crate) subscribers_only: bool,
    /// Whether the owner granted `send_to_my_channel`, so others may send here via the API.
    pub(crate) open_to_api_senders: bool,
}

/// One channel and its owner.
#[derive(Debug)]
pub(crate) struct Channel {
    pub(crate) owner: Person,
    pub(crate) info: String,
    pub(crate) email: String,
    pub(crate) title: String,
    pub(crate) category_id: String,
    pub(crate) language: String,
    pub(crate) audience: String,
    pub(crate) live: bool,
    pub(crate) started_at: i64,
    pub(crate) ended_at: i64,
    pub(crate) resolution: &'static str,
    pub(crate) social_links: Vec<(&'static str, String)>,
    pub(crate) stream_key: String,
    pub(crate) hosting: Option<u64>,
    pub(crate) grants: Grants,
    pub(crate) rules: ChatRules,
    /// Counts to generate the lists from, until `people` exists.
    planned: (usize, usize, usize),
    people: Option<People>,
}

impl Channel {
    pub(crate) fn id(&self) -> u64 {
        self.owner.id
    }

    /// Named viewers in the audience (the list length, generated or not yet).
    pub(crate) fn viewer_count(&self) -> usize {
        self.people
            .as_ref()
            .map_or(self.planned.0, |p| p.viewers.len())
    }

    /// `current_viewers` as the channel endpoints report it: the audience while live, 0 off.
    pub(crate) fn current_viewers(&self) -> usize {
        if self.live { self.viewer_count() } else { 0 }
    }

    pub(crate) fn follower_count(&self) -> usize {
        self.people
            .as_ref()
            .map_or(self.planned.1, |p| p.followers.len())
    }

    pub(crate) fn subscriber_count(&self) -> usize {
        self.people
            .as_ref()
            .map_or(self.planned.2, |p| p.subscribers.len())
    }

    /// Drifts the audience of a channel whose lists are not generated yet (the ticker keeps
    /// the top-channel order moving without generating anyone).
    pub(crate) fn drift_planned(&mut self, rng: &mut StdRng) {
        if self.people.is_none() {
            let v = self.planned.0 as f64 * rng.random_range(0.97..1.03);
            self.planned.0 = (v.round() as usize).max(1);
        }
    }

    /// Whether `user` may moderate chat here (the owner or a moderator).
    pub(crate) fn is_moderator(&self, user: u64) -> bool {
        user == self.id() || self.grants.mods.contains(&user)
    }
}

/// What someone says or does in chat, before it becomes a [`ChatLine`].
pub(crate) struct Said {
    /// Trovo's chat type code ([`code`]).
    pub(crate) chat_type: i64,
    pub(crate) content: String,
    /// When, in epoch milliseconds.
    pub(crate) at_ms: i64,
    pub(crate) content_data: Option<serde_json::Value>,
}

impl Said {
    /// A chat message said now.
    pub(crate) fn message(content: &str) -> Said {
        Said::now(code::CHAT, content)
    }

    /// A line of type `chat_type` now.
    pub(crate) fn now(chat_type: i64, content: &str) -> Said {
        Said {
            chat_type,
            content: content.to_owned(),
            at_ms: now_ms(),
            content_data: None,
        }
    }
}

/// A chat message a moderator deleted.
#[derive(Clone, Debug)]
pub(crate) struct Deletion {
    pub(crate) channel_id: u64,
    pub(crate) message_id: String,
    pub(crate) sender_id: u64,
    /// Who deleted it.
    pub(crate) by: u64,
}

/// How many of a channel's latest lines the chat socket replays on connecting.
pub(crate) const CHAT_REPLAY: usize = 50;

/// Everything the simulated platform knows.
pub(crate) struct World {
    pub(crate) rng: StdRng,
    pub(crate) origin: String,
    pub(crate) census: Census,
    pub(crate) categories: Vec<Category>,
    channels: Vec<Channel>,
    pub(crate) chat: VecDeque<ChatLine>,
    message_seq: u64,
    pub(crate) auth: TokenStore,
    /// Snapshots behind `/gettopchannels` page tokens: token → ordered channel ids.
    pub(crate) top_pages: HashMap<String, Vec<u64>>,
    /// Chat tokens handed out: token → (channel id, expiry in epoch seconds).
    pub(crate) chat_tokens: HashMap<String, (u64, i64)>,
    /// Every new chat line, for the chat sockets (each keeps the lines of its channel).
    pub(crate) chat_feed: tokio::sync::broadcast::Sender<ChatLine>,
    /// Messages moderators deleted, oldest first.
    pub(crate) deletions: Vec<Deletion>,
    /// How long a chat token opens the chat socket, in seconds.
    pub(crate) chat_token_lifetime: i64,
    /// Spam rule memory: last send (epoch ms) per sender, and (sender, channel, content) →
    /// last time that content was sent there.
    pub(crate) last_send: HashMap<u64, i64>,
    pub(crate) recent_content: HashMap<(u64, u64, String), i64>,
    /// Last message per (sender, channel), for slow mode.
    pub(crate) last_in_channel: HashMap<(u64, u64), i64>,
}

fn hand_made(id: u64, username: &str, nickname: &str, created_at: i64) -> Person {
    Person {
        id,
        username: username.to_owned(),
        nickname: nickname.to_owned(),
        created_at,
    }
}

fn random_key(rng: &mut StdRng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let tail: String = (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("live/{tail}")
}

impl World {
    /// Builds the world for these options; `origin` is the simulator's own address, used in
    /// every picture URL.
    pub(crate) fn new(opts: &SimOptions, origin: String) -> World {
        let mut rng = StdRng::seed_from_u64(opts.seed);
        let now = now_secs();
        let mut census = Census::new();
        let categories = categories::catalogue();

        let streamer = hand_made(STREAMER_ID, "AuroraPlays", "Aurora", now - 86_400 * 900);
        let viewer = hand_made(
            VIEWER_ID,
            "pixelpilgrim",
            "PixelPilgrim",
            now - 86_400 * 400,
        );
        census.reserve(&streamer.nickname);
        census.reserve(&viewer.nickname);

        let mut main = Channel {
            info: "Cozy streams, good chat, better tea. Schedule: Tue/Thu/Sun.".to_owned(),
            email: "aurora@example.com".to_owned(),
            title: "Sunday hangout: saying hi to everyone ✨".to_owned(),
            category_id: "10000".to_owned(),
            language: "EN".to_owned(),
            audience: AUDIENCES[0].to_owned(),
            live: opts.live,
            started_at: if opts.live { now - 3_600 } else { now - 86_400 },
            ended_at: if opts.live {
                now - 86_400 * 2
            } else {
                now - 86_400 + 10_800
            },
            resolution: "1080P",
            social_links: vec![
                ("Discord", "https://discord.gg/aurora-cozy".to_owned()),
                ("Youtube", "https://www.youtube.com/@AuroraPlays".to_owned()),
            ],
            stream_key: random_key(&mut rng),
            hosting: None,
            grants: Grants::default(),
            rules: ChatRules {
                open_to_api_senders: true,
                ..ChatRules::default()
            },
            planned: (opts.viewers, opts.followers, opts.subscribers),
            people: None,
            owner: streamer.clone(),
        };
        let viewers = people::viewers(
            &mut census,
            &mut rng,
            now,
            &streamer,
            opts.viewers,
            &mut main.grants,
        );
        let followers =
            people::followers(&mut census, &mut rng, now, opts.followers, Some(&viewer));
        let subscribers = people::subscribers(&mut census, &mut rng, now, opts.subscribers);
        main.people = Some(People {
            viewers,
            followers,
            subscribers,
        });

        let mut own = Channel {
            info: "Pixel art, retro games and long walks through dungeons.".to_owned(),
            email: "pixelpilgrim@example.com".to_owned(),
            title: "Pixel art and chill".to_owned(),
            category_id: "10058".to_owned(),
            language: "EN".to_owned(),
            audience: AUDIENCES[0].to_owned(),
            live: false,
            started_at: now - 86_400 * 3,
            ended_at: now - 86_400 * 3 + 7_200,
            resolution: "720P",
            social_links: Vec::new(),
            stream_key: random_key(&mut rng),
            hosting: None,
            grants: Grants::default(),
            rules: ChatRules::default(),
            planned: (0, 12, 2),
            people: None,
            owner: viewer,
        };
        own.people = Some(People {
            viewers: Vec::new(),
            followers: people::followers(&mut census, &mut rng, now, 12, None),
            subscribers: people::subscribers(&mut census, &mut rng, now, 2),
        });

        let mut channels = vec![main, own];
        for rank in 0..OTHER_CHANNELS {
            channels.push(other_channel(&mut census, &mut rng, now, rank, &categories));
        }
        let mut world = World {
            rng,
            origin,
            census,
            categories,
            channels,
            chat: VecDeque::new(),
            message_seq: 0,
            auth: TokenStore::default(),
            top_pages: HashMap::new(),
            chat_tokens: HashMap::new(),
            chat_feed: tokio::sync::broadcast::channel(1_024).0,
            deletions: Vec::new(),
            chat_token_lifetime: opts.chat_token_lifetime_secs,
            last_send: HashMap::new(),
            recent_content: HashMap::new(),
            last_in_channel: HashMap::new(),
        };
        world.seed_chat_history(now);
        world
    }

    /// A few lines said in the minutes before the simulator started, so the chat socket
    /// has a history to replay, as Trovo's has.
    fn seed_chat_history(&mut self, now: i64) {
        let main_id = self.main().id();
        let Some(people) = self.people(main_id) else {
            return;
        };
        let audience: Vec<Person> = people
            .viewers
            .iter()
            .skip(1)
            .map(|v| v.person.clone())
            .collect();
        if audience.is_empty() {
            return;
        }
        let lines = 8;
        for i in 0..lines {
            let person = audience[self.rng.random_range(0..audience.len())].clone();
            let content = names::chat_line(&mut self.rng).to_owned();
            // Spread over the last ten minutes, oldest first, the newest a minute ago.
            let ago = 60 + (lines - i) * 60;
            let said = Said {
                chat_type: code::CHAT,
                content,
                at_ms: (now - ago) * 1_000,
                content_data: None,
            };
            self.post(main_id, &person, said);
        }
    }

    pub(crate) fn channels(&self) -> &[Channel] {
        &self.channels
    }

    pub(crate) fn channel(&self, id: u64) -> Option<&Channel> {
        self.channels.iter().find(|c| c.id() == id)
    }

    pub(crate) fn channel_mut(&mut self, id: u64) -> Option<&mut Channel> {
        self.channels.iter_mut().find(|c| c.id() == id)
    }

    /// The streamer's (the channel owner's) channel.
    pub(crate) fn main(&self) -> &Channel {
        &self.channels[0]
    }

    pub(crate) fn channel_by_username(&self, name: &str) -> Option<&Channel> {
        self.channels
            .iter()
            .find(|c| c.owner.username.eq_ignore_ascii_case(name))
    }

    /// The channel's lists, generating them on first use.
    pub(crate) fn people(&mut self, id: u64) -> Option<&mut People> {
        let now = now_secs();
        let index = self.channels.iter().position(|c| c.id() == id)?;
        let channel = &mut self.channels[index];
        if channel.people.is_none() {
            let (v, f, s) = channel.planned;
            let viewers = people::viewers(
                &mut self.census,
                &mut self.rng,
                now,
                &channel.owner,
                v,
                &mut channel.grants,
            );
            let followers = people::followers(&mut self.census, &mut self.rng, now, f, None);
            let subscribers = people::subscribers(&mut self.census, &mut self.rng, now, s);
            channel.people = Some(People {
                viewers,
                followers,
                subscribers,
            });
        }
        channel.people.as_mut()
    }

    /// The channel and its (generated) lists together.
    pub(crate) fn channel_with_people(&mut self, id: u64) -> Option<(&Channel, &People)> {
        self.people(id)?;
        let channel = self.channels.iter().find(|c| c.id() == id)?;
        Some((channel, channel.people.as_ref()?))
    }

    pub(crate) fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    pub(crate) fn category_name(&self, id: &str) -> String {
        self.category(id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }

    pub(crate) fn icon_url(&self, category_id: &str) -> String {
        format!("{}/sim/icons/{category_id}.png", self.origin)
    }

    pub(crate) fn avatar_url(&self, user_id: u64) -> String {
        format!("{}/sim/avatars/{user_id}.png", self.origin)
    }

    pub(crate) fn thumbnail_url(&self, channel: &Channel) -> String {
        if channel.live {
            format!("{}/sim/thumbs/{}.png", self.origin, channel.id())
        } else {
            // "Empty thumbnail means the thumbnail from the previous stream has expired."
            String::new()
        }
    }

    /// Finds someone by username or nickname (case-insensitive, optional leading `@`) among
    /// the channel owners, the given channel's audience, followers and subscribers.
    pub(crate) fn find_person(&mut self, channel_id: u64, name: &str) -> Option<Person> {
        let name = name.trim().trim_start_matches('@');
        if name.is_empty() {
            return None;
        }
        let lower = name.to_lowercase();
        let matches = |p: &Person| {
            p.username.eq_ignore_ascii_case(name) || p.nickname.to_lowercase() == lower
        };
        if let Some(c) = self.channels.iter().find(|c| matches(&c.owner)) {
            return Some(c.owner.clone());
        }
        let people = self.people(channel_id)?;
        people
            .viewers
            .iter()
            .map(|v| &v.person)
            .chain(people.followers.iter().map(|f| &f.person))
            .chain(people.subscribers.iter().map(|s| &s.person))
            .find(|p| matches(p))
            .cloned()
    }

    /// Appends a chat message from `sender`; returns the new message id.
    pub(crate) fn post_chat(&mut self, channel_id: u64, sender: &Person, content: &str) -> String {
        self.post(channel_id, sender, Said::message(content))
    }

    /// Appends a chat line of any kind, with the roles `sender` carries in the channel,
    /// keeping the log to its cap, and hands it to the chat sockets; returns its message id.
    pub(crate) fn post(&mut self, channel_id: u64, sender: &Person, said: Said) -> String {
        let (standing, sub) = match self.people(channel_id) {
            Some(people) => (
                people
                    .viewers
                    .iter()
                    .find(|v| v.person.id == sender.id)
                    .map_or(0, |v| v.status),
                people
                    .subscribers
                    .iter()
                    .find(|s| s.person.id == sender.id)
                    .map(|s| (s.level, s.tier)),
            ),
            None => (0, None),
        };
        let (roles, custom_roles) = self
            .channel(channel_id)
            .map(|c| roles_in(c, sender.id, standing))
            .unwrap_or_default();
        let sub = sub.or_else(|| roles.contains(&"subscriber").then_some((1, 1)));
        self.message_seq += 1;
        // Shaped like Trovo's ids: "<ms>_<channel>_<sender>_<random>_<seq>".
        let message_id = format!(
            "{}_{channel_id}_{}_{}_{}",
            said.at_ms,
            sender.id,
            self.rng.random_range(1_000_000_000u64..4_000_000_000),
            self.message_seq
        );
        let line = ChatLine {
            message_id: message_id.clone(),
            sender_id: sender.id,
            sender_name: sender.nickname.clone(),
            user_name: sender.username.clone(),
            channel_id,
            content: said.content,
            chat_type: said.chat_type,
            send_time: said.at_ms.div_euclid(1_000),
            roles,
            custom_roles,
            sub,
            avatar: self.avatar_url(sender.id),
            content_data: said.content_data,
        };
        self.chat.push_back(line.clone());
        while self.chat.len() > CHAT_LOG_CAP {
            self.chat.pop_front();
        }
        // No socket listening is no error.
        let _ = self.chat_feed.send(line);
        message_id
    }

    /// The channel's latest lines, oldest first, as the chat socket replays them.
    pub(crate) fn recent_chat(&self, channel_id: u64) -> Vec<ChatLine> {
        let mut recent: Vec<ChatLine> = self
            .chat
            .iter()
            .rev()
            .filter(|l| l.channel_id == channel_id)
            .take(CHAT_REPLAY)
            .cloned()
            .collect();
        recent.reverse();
        recent
    }

    /// Replaces the streamer's audience with `n` generated viewers (the streamer among them).
    pub(crate) fn set_viewers(&mut self, n: usize) {
        let now = now_secs();
        let main = &mut self.channels[0];
        let owner = main.owner.clone();
        if let Some(people) = main.people.as_mut() {
            for v in &people.viewers {
                if v.person.id != owner.id {
                    main.grants.forget(v.person.id);
                }
            }
        }
        let viewers = people::viewers(
            &mut self.census,
            &mut self.rng,
            now,
            &owner,
            n,
            &mut main.grants,
        );
        main.planned.0 = n;
        if let Some(people) = main.people.as_mut() {
            people.viewers = viewers;
        }
    }

    /// Lets the audience of every channel but the streamer's and the viewer's wander.
    pub(crate) fn drift_others(&mut self, rng: &mut StdRng) {
        for channel in self.channels.iter_mut().skip(2) {
            channel.drift_planned(rng);
        }
    }
}

/// Another live streamer: popularity falls off with `rank` like real top lists.
fn other_channel(
    census: &mut Census,
    rng: &mut StdRng,
    now: i64,
    rank: usize,
    categories: &[Category],
) -> Channel {
    let owner = census.person(rng, now);
    // Channel owners get tidy usernames: their nickname when it is ASCII, else the stem.
    let owner = Person {
        id: 110_000_001 + rank as u64,
        username: if owner.nickname.is_ascii() && !owner.nickname.contains(' ') {
            owner.nickname.clone()
        } else {
            owner.username.clone()
        },
        ..owner
    };
    let viewers =
        (9_000.0 / (rank as f64 + 1.0).powf(1.15) * rng.random_range(0.8..1.2)) as usize + 5;
    let followers = viewers * rng.random_range(3..40) + rng.random_range(0..50);
    let subs = (followers as f64 * rng.random_range(0.01..0.08)) as usize;
    // Most of the top is in the first 30 categories, as on the real front page.
    let category = &categories[rng.random_range(0..categories.len().min(30))];
    let languages = [
        "EN", "EN", "EN", "ES", "PT", "DE", "FR", "RU", "TR", "AR", "KO", "JA", "ZH",
    ];
    let language = languages[rng.random_range(0..languages.len())];
    let audience = AUDIENCES[rng.random_range(0..100usize).min(99) / 40];
    let title = names::stream_title(rng, &category.name);
    let started_at = now - rng.random_range(600..5 * 3_600);
    Channel {
        info: format!("Hi, I'm {}! Thanks for stopping by.", owner.nickname),
        email: format!("{}@example.com", owner.username.to_lowercase()),
        title,
        category_id: category.id.clone(),
        language: language.to_owned(),
        audience: audience.to_owned(),
        live: true,
        started_at,
        ended_at: started_at - rng.random_range(3_600..86_400 * 3),
        resolution: ["720P", "1080P", "1080P"][rng.random_range(0..3)],
        social_links: vec![(
            "Discord",
            format!("https://discord.gg/{}", owner.username.to_lowercase()),
        )],
        stream_key: random_key(rng),
        hosting: None,
        grants: Grants::default(),
        rules: ChatRules::default(),
        planned: (viewers, followers, subs),
        people: None,
        owner,
    }
}
