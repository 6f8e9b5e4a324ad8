//! The simulated Velora's state: users (the streamer first), the streamer's stream, the
//! category catalogue, the people around the stream (viewers with roles and an anonymous
//! count, followers, subscribers), chat, moderation and the token store. One `World` lives
//! behind one mutex, so counts agree across endpoints.

use std::collections::{HashMap, HashSet, VecDeque};

use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};

use super::{
    VeloraSimOptions,
    auth::{TokenStore, now_ms, now_secs},
};
use crate::sim::common::{categories as catalogue, names};

/// The streamer is always user 0.
pub(crate) const STREAMER: usize = 0;
const CHAT_LOG_CAP: usize = 5_000;
/// Chat sends a user may make in a minute.
pub(crate) const CHAT_PER_MINUTE: usize = 30;
/// Moderation actions a user may take in a minute.
pub(crate) const MODERATE_PER_MINUTE: usize = 60;

/// A Velora account.
#[derive(Clone, Debug)]
pub(crate) struct User {
    /// A UUID.
    pub(crate) id: String,
    /// Lower-case ASCII letters, digits and underscores, 3..=25 characters.
    pub(crate) username: String,
    /// Any script (小龙, 별빛, نور).
    pub(crate) display_name: String,
    pub(crate) bio: String,
    /// `#rrggbb`.
    pub(crate) color: String,
    pub(crate) created_at_ms: i64,
}

/// A category of the catalogue.
#[derive(Clone, Debug)]
pub(crate) struct Category {
    /// `cat_…`.
    pub(crate) id: String,
    pub(crate) slug: String,
    pub(crate) name: String,
    pub(crate) viewer_count: u32,
    pub(crate) stream_count: u32,
}

/// The streamer's stream.
#[derive(Clone, Debug)]
pub(crate) struct Stream {
    pub(crate) title: String,
    pub(crate) category_slug: String,
    pub(crate) tags: Vec<String>,
    pub(crate) live: bool,
    pub(crate) started_at_ms: i64,
    pub(crate) stream_key: String,
}

/// A subscription to the streamer.
#[derive(Clone, Debug)]
pub(crate) struct Sub {
    /// `sub_…`.
    pub(crate) id: String,
    pub(crate) user: usize,
    /// 1, 2 or 3.
    pub(crate) tier: u8,
    pub(crate) gifter: Option<usize>,
    pub(crate) subscribed_at_ms: i64,
    pub(crate) expires_at_ms: i64,
}

/// One chat message in the streamer's channel.
#[derive(Clone, Debug)]
pub(crate) struct ChatLine {
    /// A UUID.
    pub(crate) id: String,
    pub(crate) sender: usize,
    pub(crate) text: String,
    pub(crate) at_ms: i64,
    pub(crate) deleted: bool,
}

/// One moderation action taken through the API.
#[derive(Clone, Debug)]
pub(crate) struct ModLine {
    pub(crate) action: String,
    pub(crate) moderator: usize,
    pub(crate) target: usize,
    pub(crate) duration_secs: Option<u64>,
    pub(crate) reason: Option<String>,
    pub(crate) message_id: Option<String>,
}

/// Everything the simulated platform knows.
pub(crate) struct World {
    pub(crate) rng: StdRng,
    /// The simulator's origin, for picture URLs.
    pub(crate) origin: String,
    pub(crate) users: Vec<User>,
    by_id: HashMap<String, usize>,
    by_username: HashMap<String, usize>,
    taken: HashSet<String>,
    pub(crate) categories: Vec<Category>,
    pub(crate) stream: Stream,
    /// Named viewers in the room, the streamer first.
    pub(crate) viewers: Vec<usize>,
    pub(crate) anonymous: u32,
    pub(crate) mods: HashSet<usize>,
    pub(crate) vips: HashSet<usize>,
    /// (user, followed at ms), oldest first (new followers are appended).
    pub(crate) followers: Vec<(usize, i64)>,
    /// Oldest first (new subscriptions are appended).
    pub(crate) subs: Vec<Sub>,
    pub(crate) chat: VecDeque<ChatLine>,
    pub(crate) moderation: Vec<ModLine>,
    /// User → end of the ban in epoch seconds, `None` for a permanent ban.
    pub(crate) bans: HashMap<usize, Option<i64>>,
    /// Send times (ms) of chat messages and moderation actions, per user, for the limits.
    pub(crate) chat_sends: HashMap<usize, VecDeque<i64>>,
    pub(crate) mod_sends: HashMap<usize, VecDeque<i64>>,
    /// Whether the viewer list pages like a live list (short pages, repeats).
    pub(crate) live_paging: bool,
    pub(crate) auth: TokenStore,
    /// The events stream's hub: what happens here is published on it.
    pub(crate) events: super::events::EventHub,
}

/// `"Just Chatting"` → `"just-chatting"`, `"Baldur's Gate 3"` → `"baldurs-gate-3"`.
pub(crate) fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if (c == ' ' || c == '-' || c == ':' || c == '&' || c == '.' || c == ',')
            && !slug.ends_with('-')
            && !slug.is_empty()
        {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

fn key(rng: &mut StdRng) -> String {
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let tail: String = (0..32)
        .map(|_| ALNUM[rng.random_range(0..ALNUM.len())] as char)
        .collect();
    format!("vlr_live_{tail}")
}

impl World {
    /// Builds the world for these options; `origin` is the simulator's address.
    pub(crate) fn new(opts: &VeloraSimOptions, origin: String) -> World {
        let mut rng = StdRng::seed_from_u64(opts.seed);
        let now = now_ms();
        // Velora's own spelling of some games, and without those it lacks; ids follow the
        // shared list's order, so they stay put whatever Velora leaves out.
        let categories = catalogue::catalogue()
            .into_iter()
            .enumerate()
            .filter_map(|(rank, c)| {
                let name = catalogue::velora_name(&c.name)?.to_owned();
                let viewers = (40_000.0 / (rank as f64 + 1.0).powf(1.1)) as u32 + 3;
                Some(Category {
                    id: format!("cat_{:010x}", 0x5e_0000_0000_u64 + rank as u64 * 7_919),
                    slug: slugify(&name),
                    name,
                    viewer_count: viewers,
                    stream_count: viewers / 60 + 1,
                })
            })
            .collect();
        let stream_key = key(&mut rng);
        let mut world = World {
            rng,
            origin,
            users: Vec::new(),
            by_id: HashMap::new(),
            by_username: HashMap::new(),
            taken: HashSet::new(),
            categories,
            stream: Stream {
                title: "Cozy Sunday: chatting and building ✨".to_owned(),
                category_slug: "just-chatting".to_owned(),
                tags: vec!["English".to_owned(), "Cozy".to_owned()],
                live: opts.live,
                started_at_ms: now - 3_600_000,
                stream_key: stream_key.clone(),
            },
            viewers: Vec::new(),
            anonymous: opts.anonymous,
            mods: HashSet::new(),
            vips: HashSet::new(),
            followers: Vec::new(),
            subs: Vec::new(),
            chat: VecDeque::new(),
            moderation: Vec::new(),
            bans: HashMap::new(),
            chat_sends: HashMap::new(),
            mod_sends: HashMap::new(),
            live_paging: opts.live_viewer_paging,
            auth: TokenStore::default(),
            events: super::events::EventHub::default(),
        };
        world.auth.remember(&stream_key);
        let uuid = world.uuid();
        world.add_user(User {
            id: uuid,
            username: "lunaforge".to_owned(),
            display_name: "LunaForge".to_owned(),
            bio: "Building worlds block by block. Tea, lo-fi and good chat.".to_owned(),
            color: "#8b5cf6".to_owned(),
            created_at_ms: now - 86_400_000 * 800,
        });
        world.people(opts, now);
        // Some chat already on screen, a second apart.
        for i in 0..20i64 {
            if world.viewers.len() < 2 {
                break;
            }
            let sender = world.viewers[world.rng.random_range(1..world.viewers.len())];
            let text = names::chat_line(&mut world.rng);
            world.post_chat(sender, text);
            if let Some(line) = world.chat.back_mut() {
                line.at_ms = now - (20 - i) * 1_000;
            }
        }
        world
    }

    fn people(&mut self, opts: &VeloraSimOptions, now: i64) {
        self.viewers.push(STREAMER);
        for _ in 1..opts.viewers.max(1) {
            let id = self.new_person(now);
            self.viewers.push(id);
        }
        let mut pool: Vec<usize> = self.viewers.iter().skip(1).copied().collect();
        pool.shuffle(&mut self.rng);
        let n_mods = (pool.len() / 30).clamp(1, 8).min(pool.len());
        self.mods = pool.drain(..n_mods).collect();
        let n_vips = 3.min(pool.len());
        self.vips = pool.drain(..n_vips).collect();

        // Followers: about half the room, then strangers; times sorted oldest first.
        let mut who: Vec<usize> = self.viewers.iter().skip(1).copied().collect();
        who.shuffle(&mut self.rng);
        who.truncate((who.len() / 2).min(opts.followers));
        while who.len() < opts.followers {
            let id = self.new_person(now);
            who.push(id);
        }
        who.shuffle(&mut self.rng);
        let mut times: Vec<i64> = (0..who.len())
            .map(|_| now - self.rng.random_range(60_000..86_400_000 * 600))
            .collect();
        times.sort_unstable();
        self.followers = who.into_iter().zip(times).collect();

        // Subscribers: half from the room, the rest from elsewhere.
        let mut taken: HashSet<usize> = HashSet::new();
        let mut tries = 0;
        while self.subs.len() < opts.subscribers && tries < opts.subscribers * 20 {
            tries += 1;
            let user = if self.rng.random_bool(0.5) && self.viewers.len() > 1 {
                self.viewers[self.rng.random_range(1..self.viewers.len())]
            } else {
                self.new_person(now)
            };
            if !taken.insert(user) {
                continue;
            }
            let at = now - self.rng.random_range(60_000..86_400_000 * 29);
            let sub = self.new_sub(user, at);
            self.subs.push(sub);
        }
        self.subs.sort_by_key(|s| s.subscribed_at_ms);
    }

    /// A subscription for `user` from `at_ms`: mostly tier 1, some gifted.
    pub(crate) fn new_sub(&mut self, user: usize, at_ms: i64) -> Sub {
        let tier = match self.rng.random_range(0..100) {
            0..=79 => 1,
            80..=93 => 2,
            _ => 3,
        };
        let gifter = if self.rng.random_bool(0.2) {
            let others: Vec<usize> = self
                .subs
                .iter()
                .map(|s| s.user)
                .filter(|&u| u != user)
                .collect();
            if others.is_empty() {
                Some(self.new_person(now_ms()))
            } else {
                Some(others[self.rng.random_range(0..others.len())])
            }
        } else {
            None
        };
        let id = format!("sub_{}", &self.uuid().replace('-', "")[..20]);
        Sub {
            id,
            user,
            tier,
            gifter,
            subscribed_at_ms: at_ms,
            expires_at_ms: at_ms + 86_400_000 * 30,
        }
    }

    fn add_user(&mut self, user: User) -> usize {
        let index = self.users.len();
        self.taken.insert(user.display_name.clone());
        self.by_id.insert(user.id.clone(), index);
        self.by_username.insert(user.username.clone(), index);
        self.users.push(user);
        index
    }

    /// A new person: a unique ASCII username and a display name in any script.
    pub(crate) fn new_person(&mut self, now: i64) -> usize {
        let name = names::unique_name(&mut self.rng, &mut self.taken);
        let display: String = name
            .nickname
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '_' || *c == ' ')
            .collect::<String>()
            .trim()
            .to_owned();
        let mut stem: String = name
            .username_stem
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(18)
            .collect::<String>()
            .to_ascii_lowercase();
        if stem.len() < 3 {
            stem = format!("viewer{stem}");
        }
        let mut username = stem.clone();
        while self.by_username.contains_key(&username) {
            username = format!("{stem}{}", self.rng.random_range(1..10_000));
        }
        let display_name = if display.is_empty() {
            username.clone()
        } else {
            display
        };
        let hue = self.rng.random_range(0..0xFF_FFFFu32);
        let id = self.uuid();
        let created_at_ms = now - self.rng.random_range(86_400_000..86_400_000 * 1_500);
        self.add_user(User {
            id,
            username,
            display_name,
            bio: String::new(),
            color: format!("#{hue:06x}"),
            created_at_ms,
        })
    }

    /// A user by id, or by username (case-insensitively).
    pub(crate) fn find_user(&self, id_or_name: &str) -> Option<usize> {
        let raw = id_or_name.trim();
        self.by_id
            .get(raw)
            .or_else(|| self.by_username.get(&raw.to_ascii_lowercase()))
            .copied()
    }

    /// A user by id only.
    pub(crate) fn user_by_id(&self, id: &str) -> Option<usize> {
        self.by_id.get(id.trim()).copied()
    }

    pub(crate) fn category(&self, slug: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.slug == slug)
    }

    pub(crate) fn avatar_url(&self, user: usize) -> String {
        format!("{}/images/avatars/{}.png", self.origin, self.users[user].id)
    }

    pub(crate) fn category_image_url(&self, slug: &str) -> String {
        format!("{}/images/categories/{slug}.png", self.origin)
    }

    /// The stream's viewer count: named viewers and anonymous ones, zero offline.
    pub(crate) fn viewer_count(&self) -> u32 {
        if self.stream.live {
            self.viewers.len() as u32 + self.anonymous
        } else {
            0
        }
    }

    /// Whether `user` may moderate the streamer's chat.
    pub(crate) fn is_moderator(&self, user: usize) -> bool {
        user == STREAMER || self.mods.contains(&user)
    }

    /// The sub of `user`, if any.
    pub(crate) fn sub_of(&self, user: usize) -> Option<&Sub> {
        self.subs.iter().find(|s| s.user == user)
    }

    /// Roles in the streamer's channel, most important first.
    pub(crate) fn roles(&self, user: usize) -> Vec<&'static str> {
        let mut roles = Vec::new();
        if user == STREAMER {
            roles.push("broadcaster");
        }
        if self.mods.contains(&user) {
            roles.push("moderator");
        }
        if self.vips.contains(&user) {
            roles.push("vip");
        }
        if self.sub_of(user).is_some() {
            roles.push("subscriber");
        }
        roles
    }

    /// Whether `user` is banned or timed out now.
    pub(crate) fn is_banned(&self, user: usize) -> bool {
        let now = now_secs();
        self.bans
            .get(&user)
            .is_some_and(|until| until.is_none_or(|end| end > now))
    }

    /// Appends a chat line; returns its id.
    pub(crate) fn post_chat(&mut self, sender: usize, text: &str) -> String {
        let id = self.uuid();
        let line = ChatLine {
            id: id.clone(),
            sender,
            text: text.to_owned(),
            at_ms: now_ms(),
            deleted: false,
        };
        self.announce_chat(&line);
        self.chat.push_back(line);
        while self.chat.len() > CHAT_LOG_CAP {
            self.chat.pop_front();
        }
        id
    }

    /// A new stream key, recorded among the secrets handed out.
    pub(crate) fn regenerate_key(&mut self) -> String {
        let key = key(&mut self.rng);
        self.auth.remember(&key);
        self.stream.stream_key = key.clone();
        key
    }

    /// A random version-4 UUID.
    pub(crate) fn uuid(&mut self) -> String {
        let a: u128 = self.rng.random();
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
}

/// Takes one use from a per-minute window; `Err(seconds to wait)` when it is spent.
pub(crate) fn spend(
    sends: &mut HashMap<usize, VecDeque<i64>>,
    user: usize,
    per_minute: usize,
) -> Result<(), u64> {
    let now = now_ms();
    let window = sends.entry(user).or_default();
    while window.front().is_some_and(|&t| t <= now - 60_000) {
        window.pop_front();
    }
    if window.len() >= per_minute {
        let oldest = window.front().copied().unwrap_or(now);
        let wait_ms = (oldest + 60_000 - now).max(1);
        return Err((wait_ms as u64).div_ceil(1_000));
    }
    window.push_back(now);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain() {
        assert_eq!(slugify("Just Chatting"), "just-chatting");
        assert_eq!(slugify("Baldur's Gate 3"), "baldurs-gate-3");
        assert_eq!(slugify("Call of Duty: Warzone"), "call-of-duty-warzone");
        assert_eq!(slugify("Talk Shows & Podcasts"), "talk-shows-podcasts");
    }

    #[test]
    fn the_world_is_consistent() {
        let opts = VeloraSimOptions::default();
        let world = World::new(&opts, "http://127.0.0.1:1".into());
        assert_eq!(world.viewers.len(), opts.viewers);
        assert_eq!(world.followers.len(), opts.followers);
        assert_eq!(world.subs.len(), opts.subscribers);
        let slugs: HashSet<_> = world.categories.iter().map(|c| &c.slug).collect();
        assert_eq!(slugs.len(), world.categories.len(), "slugs are unique");
        assert!(world.category("minecraft").is_some());
        let names: HashSet<_> = world.users.iter().map(|u| &u.username).collect();
        assert_eq!(names.len(), world.users.len(), "usernames are unique");
        assert!(world.users.iter().all(|u| u.username.is_ascii()));
        assert!(world.users.iter().any(|u| !u.display_name.is_ascii()));
        let followers: HashSet<_> = world.followers.iter().map(|f| f.0).collect();
        assert_eq!(followers.len(), world.followers.len());
    }

    #[test]
    fn the_window_refuses_the_thirty_first() {
        let mut sends = HashMap::new();
        for _ in 0..CHAT_PER_MINUTE {
            assert!(spend(&mut sends, 1, CHAT_PER_MINUTE).is_ok());
        }
        let wait = spend(&mut sends, 1, CHAT_PER_MINUTE).unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(spend(&mut sends, 2, CHAT_PER_MINUTE).is_ok());
    }
}
