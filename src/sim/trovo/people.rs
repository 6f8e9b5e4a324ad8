//! The people of a channel: who is watching (with their roles), who follows, who subscribes.
//! Generation is deterministic for a given seed.

use std::collections::HashSet;

use rand::{Rng, rngs::StdRng, seq::index::sample};

use crate::sim::common::names;

/// A Trovo account as the lists show it.
#[derive(Clone, Debug)]
pub(crate) struct Person {
    pub(crate) id: u64,
    pub(crate) username: String,
    pub(crate) nickname: String,
    /// Account creation, epoch seconds.
    pub(crate) created_at: i64,
}

/// Platform-wide or per-channel standing a viewer carries with them (as opposed to the roles
/// the channel grants, which live in the channel's sets).
pub(crate) mod status {
    pub(crate) const FOLLOWER: u16 = 1;
    pub(crate) const SUBSCRIBER: u16 = 1 << 1;
    pub(crate) const ACE: u16 = 1 << 2;
    pub(crate) const ACEPLUS: u16 = 1 << 3;
    pub(crate) const SUPERMOD: u16 = 1 << 4;
    pub(crate) const ADMIN: u16 = 1 << 5;
    pub(crate) const WARDEN: u16 = 1 << 6;
}

/// Someone in the live audience.
#[derive(Clone, Debug)]
pub(crate) struct Viewer {
    pub(crate) person: Person,
    pub(crate) status: u16,
}

/// A follower, with the moment they followed (epoch seconds).
#[derive(Clone, Debug)]
pub(crate) struct Follower {
    pub(crate) person: Person,
    pub(crate) followed_at: i64,
}

/// A subscriber: when they subscribed (epoch seconds), level L1..L5 and tier 1..3.
#[derive(Clone, Debug)]
pub(crate) struct Subscriber {
    pub(crate) person: Person,
    pub(crate) since: i64,
    pub(crate) level: u8,
    pub(crate) tier: u8,
}

/// The roles a channel grants by name (moderators, editors, VIPs and custom roles), as sets
/// of user ids, so they outlive a viewer leaving and coming back.
#[derive(Clone, Debug, Default)]
pub(crate) struct Grants {
    pub(crate) mods: HashSet<u64>,
    pub(crate) editors: HashSet<u64>,
    pub(crate) vips: HashSet<u64>,
    /// Custom roles in creation order: (name, members).
    pub(crate) custom: Vec<(String, HashSet<u64>)>,
}

impl Grants {
    /// Members of the custom role named `name` (case-insensitive), created when `create`.
    pub(crate) fn custom_role(&mut self, name: &str, create: bool) -> Option<&mut HashSet<u64>> {
        let index = self
            .custom
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name));
        match index {
            Some(i) => self.custom.get_mut(i).map(|(_, m)| m),
            None if create => {
                self.custom.push((name.to_owned(), HashSet::new()));
                self.custom.last_mut().map(|(_, m)| m)
            }
            None => None,
        }
    }

    /// Forgets `id` in every granted role.
    pub(crate) fn forget(&mut self, id: u64) {
        self.mods.remove(&id);
        self.editors.remove(&id);
        self.vips.remove(&id);
        for (_, members) in &mut self.custom {
            members.remove(&id);
        }
    }
}

/// Makes new people with unique nicknames and ids.
pub(crate) struct Census {
    next_id: u64,
    taken: HashSet<String>,
}

/// Generated user ids start here; hand-made accounts sit below.
const FIRST_GENERATED_ID: u64 = 120_000_000;

impl Census {
    pub(crate) fn new() -> Self {
        Census {
            next_id: FIRST_GENERATED_ID,
            taken: HashSet::new(),
        }
    }

    /// Reserves a hand-made nickname so generated people never collide with it.
    pub(crate) fn reserve(&mut self, nickname: &str) {
        self.taken.insert(nickname.to_owned());
    }

    /// A new person who created their account some time before `now`.
    pub(crate) fn person(&mut self, rng: &mut StdRng, now: i64) -> Person {
        let name = names::unique_name(rng, &mut self.taken);
        let id = self.next_id;
        self.next_id += 1;
        Person {
            id,
            // The sequence number makes the ASCII username unique; stems hold no digits
            // after an underscore, so "fox_12" can never collide with another stem's name.
            username: format!("{}_{}", name.username_stem, id - FIRST_GENERATED_ID),
            nickname: name.nickname,
            created_at: now - rng.random_range(86_400 * 30..86_400 * 1_500),
        }
    }
}

/// `n` viewers for a channel owned by `owner`: the owner first (Trovo lists the streamer in
/// `all` and `creators`), then generated viewers with mixed roles. Granted roles go into
/// `grants`.
pub(crate) fn viewers(
    census: &mut Census,
    rng: &mut StdRng,
    now: i64,
    owner: &Person,
    n: usize,
    grants: &mut Grants,
) -> Vec<Viewer> {
    let mut list = Vec::with_capacity(n);
    if n == 0 {
        return list;
    }
    list.push(Viewer {
        person: owner.clone(),
        status: 0,
    });
    for _ in 1..n {
        let person = census.person(rng, now);
        list.push(Viewer {
            status: random_status(rng),
            person,
        });
    }
    grant_roles(rng, &list, grants);
    list
}

/// One new viewer arriving (used by the ticker).
pub(crate) fn arriving_viewer(census: &mut Census, rng: &mut StdRng, now: i64) -> Viewer {
    let person = census.person(rng, now);
    Viewer {
        status: random_status(rng),
        person,
    }
}

fn random_status(rng: &mut StdRng) -> u16 {
    let mut s = 0;
    let mut maybe = |p: f64, bit: u16| {
        if rng.random_bool(p) {
            s |= bit;
        }
    };
    maybe(0.6, status::FOLLOWER);
    maybe(0.12, status::SUBSCRIBER);
    maybe(0.02, status::ACE);
    maybe(0.006, status::ACEPLUS);
    maybe(0.0004, status::SUPERMOD);
    maybe(0.0005, status::WARDEN);
    maybe(0.0001, status::ADMIN);
    s
}

/// Hands out the channel-granted roles among the generated viewers (never the owner): a few
/// moderators, one editor, two VIPs, some "Regulars" and an "Artist" or few.
fn grant_roles(rng: &mut StdRng, list: &[Viewer], grants: &mut Grants) {
    let pool = list.len().saturating_sub(1);
    if pool == 0 {
        return;
    }
    let mods = (pool / 300).clamp(2, 12);
    let regulars = (pool / 30).clamp(2, 50);
    let artists = (pool / 200).clamp(1, 5);
    let wanted = (mods + 1 + 2 + regulars + artists).min(pool);
    let picks: Vec<u64> = sample(rng, pool, wanted)
        .iter()
        .filter_map(|i| list.get(i + 1).map(|v| v.person.id))
        .collect();
    let mut it = picks.into_iter();
    grants.mods.extend(it.by_ref().take(mods));
    grants.editors.extend(it.by_ref().take(1));
    grants.vips.extend(it.by_ref().take(2));
    let regular_ids: Vec<u64> = it.by_ref().take(regulars).collect();
    let artist_ids: Vec<u64> = it.by_ref().take(artists).collect();
    if let Some(members) = grants.custom_role("Regulars", true) {
        members.extend(regular_ids);
    }
    if let Some(members) = grants.custom_role("Artist", true) {
        members.extend(artist_ids);
    }
}

/// `n` followers, oldest first, spread over the channel's life up to `now`. `first`, when
/// given, is the oldest follower (the simulator's viewer account follows the streamer).
pub(crate) fn followers(
    census: &mut Census,
    rng: &mut StdRng,
    now: i64,
    n: usize,
    first: Option<&Person>,
) -> Vec<Follower> {
    let span = 86_400 * 700;
    // About one in forty followed within the last hour, i.e. during the live stream (which
    // started an hour ago), so the demo has "new this stream" followers from the start.
    let recent = n / 40;
    let mut times: Vec<i64> = (0..n)
        .map(|i| {
            if i < recent {
                now - rng.random_range(60..3_000)
            } else {
                now - rng.random_range(3_600..span)
            }
        })
        .collect();
    times.sort_unstable();
    times
        .into_iter()
        .enumerate()
        .map(|(i, followed_at)| {
            let person = match (i, first) {
                (0, Some(p)) => p.clone(),
                _ => census.person(rng, now),
            };
            Follower {
                person,
                followed_at,
            }
        })
        .collect()
}

/// `n` subscribers, oldest first.
pub(crate) fn subscribers(
    census: &mut Census,
    rng: &mut StdRng,
    now: i64,
    n: usize,
) -> Vec<Subscriber> {
    let mut times: Vec<i64> = (0..n)
        .map(|_| now - rng.random_range(3_600..86_400 * 400))
        .collect();
    times.sort_unstable();
    times
        .into_iter()
        .map(|since| new_subscriber(census.person(rng, now), since, rng))
        .collect()
}

/// A subscription record for `person` starting at `since`.
pub(crate) fn new_subscriber(person: Person, since: i64, rng: &mut StdRng) -> Subscriber {
    let tier = match rng.random_range(0..100) {
        0..=79 => 1,
        80..=94 => 2,
        _ => 3,
    };
    Subscriber {
        person,
        since,
        level: rng.random_range(1..=5),
        tier,
    }
}
