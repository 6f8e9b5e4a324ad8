//! The live world: every tick a few viewers leave and others arrive, now and then someone
//! follows or subscribes, casts a spell or gifts subscriptions, and chat flows. The audience drifts around a slowly wandering
//! target (the shared [`churn`] loop), so `current_viewers` moves like a real stream's
//! rather than jumping.

use std::{collections::HashSet, sync::Arc, time::Duration};

use rand::{Rng, rngs::StdRng, seq::index::sample};
use tokio::task::JoinHandle;

use super::{
    chat::code,
    people::{self, Follower, status},
    server::Shared,
    world::{Said, World, now_ms, now_secs},
};
use crate::sim::common::{churn, names};

/// Starts the ticker; abort the handle to stop it.
pub(crate) fn spawn(shared: Arc<Shared>, every: Duration, seed: u64) -> JoinHandle<()> {
    churn::spawn(
        shared,
        every,
        seed ^ 0x7e1c_4e2d,
        |shared| shared.world().main().viewer_count().max(1) as f64,
        |shared, rng, target| step(&mut shared.world(), rng, target),
    )
}

/// One tick of the world, the audience heading for `target`.
fn step(world: &mut World, rng: &mut StdRng, target: f64) {
    let now = now_secs();
    let main_id = world.main().id();
    churn_audience(world, rng, target, now);
    if rng.random_bool(0.3) {
        new_follower(world, rng, now);
    }
    if rng.random_bool(0.04) {
        new_subscriber(world, rng, now);
    }
    if rng.random_bool(0.01) {
        raid(world, rng);
    }
    if rng.random_bool(0.03) {
        world.happening(rng);
    }
    simulated_chat(world, rng, main_id);
    world.drift_others(rng);
    let ms = now_ms();
    world.recent_content.retain(|_, at| ms - *at < 30_000);
    if let Some(c) = world.channel_mut(main_id) {
        c.rules
            .bans
            .retain(|_, until| until.is_none_or(|end| end > now));
    }
}

/// A few viewers leave, a few arrive; arrivals lean toward the drifting target.
fn churn_audience(world: &mut World, rng: &mut StdRng, target: f64, now: i64) {
    let main_id = world.main().id();
    let Some(people) = world.people(main_id) else {
        return;
    };
    let n = people.viewers.len();
    let step = (n / 400).max(1);
    let leaving = churn::leaving(rng, n, step);
    if leaving > 0 {
        // Index 0 is the streamer, who stays. One pass over the list, however long.
        let gone: HashSet<usize> = sample(rng, n - 1, leaving).iter().map(|i| i + 1).collect();
        let mut index = 0;
        people.viewers.retain(|_| {
            index += 1;
            !gone.contains(&(index - 1))
        });
    }
    let arriving = churn::arriving(rng, step, target, people.viewers.len());
    let newcomers: Vec<_> = (0..arriving)
        .map(|_| people::arriving_viewer(&mut world.census, rng, now))
        .collect();
    let first = newcomers.first().map(|v| v.person.clone());
    if let Some(people) = world.people(main_id) {
        people.viewers.extend(newcomers);
    }
    // Trovo welcomes each arrival in chat; one a tick keeps the simulated socket calm.
    if let Some(person) = first {
        world.post(
            main_id,
            &person,
            Said::now(code::WELCOME, "joined the channel"),
        );
    }
}

/// Another streamer raids with part of their audience: one welcome line with the raid's
/// size in `content_data.raiderNum`, as Trovo announces it.
fn raid(world: &mut World, rng: &mut StdRng) {
    let others: Vec<_> = world
        .channels()
        .iter()
        .skip(2)
        .map(|c| c.owner.clone())
        .collect();
    if others.is_empty() {
        return;
    }
    let raider = others[rng.random_range(0..others.len())].clone();
    world.raid_with(&raider, rng.random_range(5..300));
}

/// Someone in the audience who does not follow yet follows now (or, if everyone does, a
/// passer-by); the list stays oldest first.
fn new_follower(world: &mut World, rng: &mut StdRng, now: i64) {
    let main_id = world.main().id();
    let passer_by = people::arriving_viewer(&mut world.census, rng, now).person;
    let Some(people) = world.people(main_id) else {
        return;
    };
    let len = people.viewers.len();
    let candidate = (0..8).map(|_| rng.random_range(0..len.max(1))).find(|&i| {
        i > 0
            && people
                .viewers
                .get(i)
                .is_some_and(|v| v.status & status::FOLLOWER == 0)
    });
    let person = match candidate.and_then(|i| people.viewers.get_mut(i)) {
        Some(v) => {
            v.status |= status::FOLLOWER;
            v.person.clone()
        }
        None => passer_by,
    };
    people.followers.push(Follower {
        person: person.clone(),
        followed_at: now,
    });
    world.post(
        main_id,
        &person,
        Said::now(code::FOLLOW, "followed the channel"),
    );
}

/// A viewer subscribes (newest last, like the subscriptions list's `asc` order).
fn new_subscriber(world: &mut World, rng: &mut StdRng, now: i64) {
    let main_id = world.main().id();
    let Some(people) = world.people(main_id) else {
        return;
    };
    let len = people.viewers.len();
    if len < 2 {
        return;
    }
    let i = rng.random_range(1..len);
    let Some(v) = people.viewers.get_mut(i) else {
        return;
    };
    if v.status & status::SUBSCRIBER != 0 {
        return;
    }
    v.status |= status::SUBSCRIBER;
    let person = v.person.clone();
    let sub = people::new_subscriber(person.clone(), now, rng);
    people.subscribers.push(sub);
    world.post(
        main_id,
        &person,
        Said::now(code::SUBSCRIPTION, "subscribed to the channel"),
    );
}

/// Zero to a few lines from random viewers (banned ones keep quiet).
fn simulated_chat(world: &mut World, rng: &mut StdRng, main_id: u64) {
    let lines = rng.random_range(0..=2usize);
    for _ in 0..lines {
        let banned: Vec<u64> = world.main().rules.bans.keys().copied().collect();
        let Some(people) = world.people(main_id) else {
            return;
        };
        let len = people.viewers.len();
        if len < 2 {
            return;
        }
        let Some(v) = people.viewers.get(rng.random_range(1..len)) else {
            return;
        };
        if banned.contains(&v.person.id) {
            continue;
        }
        let person = v.person.clone();
        let content = names::chat_line(rng);
        world.post_chat(main_id, &person, content);
    }
}
