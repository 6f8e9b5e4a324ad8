//! The live world: every tick a few viewers leave and others arrive, the anonymous count
//! drifts, now and then someone follows or subscribes (some gifted), and chat flows.

use std::{sync::Arc, time::Duration};

use rand::{Rng, SeedableRng, rngs::StdRng};
use tokio::{task::JoinHandle, time::MissedTickBehavior};

use super::{
    auth::{now_ms, now_secs},
    server::Shared,
    world::World,
};
use crate::sim::trovo::names;

/// The shortest tick (a zero duration would spin).
const MIN_TICK: Duration = Duration::from_millis(10);

/// Starts the ticker; abort the handle to stop it.
pub(crate) fn spawn(shared: Arc<Shared>, every: Duration, seed: u64) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5e10_7a11);
        let base = shared.world().viewers.len().max(2) as f64;
        let mut target = base;
        let mut interval = tokio::time::interval(every.max(MIN_TICK));
        interval.set_missed_tick_behavior(MissedTickBehavior::Skip);
        interval.tick().await;
        loop {
            interval.tick().await;
            target = (target * rng.random_range(0.985..1.015)).clamp(base * 0.6, base * 1.8);
            // The lock is taken and released within the step, never across the await.
            step(&mut shared.world(), &mut rng, target);
        }
    })
}

/// One tick of the world.
fn step(world: &mut World, rng: &mut StdRng, target: f64) {
    let now = now_ms();
    churn(world, rng, target, now);
    let drift = rng.random_range(-2i64..=2);
    world.anonymous = (i64::from(world.anonymous) + drift).max(0) as u32;
    if rng.random_bool(0.3) {
        new_follower(world, rng, now);
    }
    if rng.random_bool(0.05) {
        new_subscriber(world, rng, now);
    }
    chat(world, rng);
    let secs = now_secs();
    world
        .bans
        .retain(|_, until| until.is_none_or(|end| end > secs));
}

/// A few viewers leave (never the streamer, index 0), a few arrive, leaning toward the
/// wandering target size.
fn churn(world: &mut World, rng: &mut StdRng, target: f64, now: i64) {
    let n = world.viewers.len();
    if n == 0 {
        return;
    }
    let step = (n / 300).max(1);
    let leaving = rng.random_range(0..=step).min(n - 1);
    for _ in 0..leaving {
        let i = rng.random_range(1..world.viewers.len());
        world.viewers.remove(i);
    }
    let gap = target - world.viewers.len() as f64;
    let lean = (gap * 0.15)
        .round()
        .clamp(-(step as f64), 3.0 * step as f64);
    let arriving = (rng.random_range(0..=step) as f64 + lean).max(0.0) as usize;
    for _ in 0..arriving {
        let id = world.new_person(now);
        world.viewers.push(id);
    }
}

/// A viewer who does not follow yet follows now (or a passer-by).
fn new_follower(world: &mut World, rng: &mut StdRng, now: i64) {
    let candidate = (0..8)
        .filter_map(|_| {
            let n = world.viewers.len();
            (n > 1).then(|| world.viewers[rng.random_range(1..n)])
        })
        .find(|id| !world.followers.iter().any(|(f, _)| f == id));
    let id = match candidate {
        Some(id) => id,
        None => world.new_person(now),
    };
    world.followers.push((id, now));
}

/// A viewer subscribes, or is gifted a subscription (newest last).
fn new_subscriber(world: &mut World, rng: &mut StdRng, now: i64) {
    let n = world.viewers.len();
    if n < 2 {
        return;
    }
    let id = world.viewers[rng.random_range(1..n)];
    if world.sub_of(id).is_some() {
        return;
    }
    let sub = world.new_sub(id, now);
    world.subs.push(sub);
}

/// Zero to a few lines from random viewers (banned ones keep quiet).
fn chat(world: &mut World, rng: &mut StdRng) {
    for _ in 0..rng.random_range(0..=2usize) {
        let n = world.viewers.len();
        if n < 2 {
            return;
        }
        let sender = world.viewers[rng.random_range(1..n)];
        if world.is_banned(sender) {
            continue;
        }
        let text = names::chat_line(rng);
        world.post_chat(sender, text);
    }
}
