//! The live world: every tick a few chatters leave and others arrive, now and then someone
//! follows or subscribes, chat flows, and the stream's viewer count follows the room.
//! Chat lines, follows and subscriptions reach the EventSub subscriptions as they happen.

use std::{sync::Arc, time::Duration};

use rand::{Rng, SeedableRng, rngs::StdRng};
use tokio::{task::JoinHandle, time::MissedTickBehavior};

use super::{
    auth::now_secs,
    eventsub,
    server::Shared,
    world::{STREAMER_ID, World},
};
use crate::sim::trovo::names;

/// The shortest tick (a zero duration would spin).
const MIN_TICK: Duration = Duration::from_millis(10);

/// Starts the ticker; abort the handle to stop it.
pub(crate) fn spawn(shared: Arc<Shared>, every: Duration, seed: u64) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut rng = StdRng::seed_from_u64(seed ^ 0x7717_c4e2);
        let base = shared.world().chatters.len().max(2) as f64;
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
    let now = now_secs();
    churn(world, rng, target, now);
    if rng.random_bool(0.3) {
        new_follower(world, rng, now);
    }
    if rng.random_bool(0.04) {
        new_subscriber(world, rng, now);
    }
    chat(world, rng);
    world
        .bans
        .retain(|_, until| until.is_none_or(|end| end > now));
    world.refresh_viewer_count();
}

/// A few chatters leave (never the broadcaster, index 0), a few arrive, leaning toward the
/// wandering target size.
fn churn(world: &mut World, rng: &mut StdRng, target: f64, now: i64) {
    let n = world.chatters.len();
    if n == 0 {
        return;
    }
    let step = (n / 300).max(1);
    let leaving = rng.random_range(0..=step).min(n - 1);
    for _ in 0..leaving {
        let i = rng.random_range(1..world.chatters.len());
        world.chatters.remove(i);
    }
    let gap = target - world.chatters.len() as f64;
    let lean = (gap * 0.15)
        .round()
        .clamp(-(step as f64), 3.0 * step as f64);
    let arriving = (rng.random_range(0..=step) as f64 + lean).max(0.0) as usize;
    for _ in 0..arriving {
        let id = world.new_person(now);
        world.chatters.push(id);
    }
}

/// Someone in chat who does not follow yet follows now (or a passer-by).
fn new_follower(world: &mut World, rng: &mut StdRng, now: i64) {
    let candidate = (0..8)
        .filter_map(|_| {
            let n = world.chatters.len();
            (n > 1).then(|| world.chatters[rng.random_range(1..n)])
        })
        .find(|id| !world.followers.iter().any(|(f, _)| f == id));
    let id = match candidate {
        Some(id) => id,
        None => world.new_person(now),
    };
    world.followers.push((id, now));
    let event = eventsub::follow_event(world, STREAMER_ID, id, now);
    world.publish(eventsub::FOLLOW, STREAMER_ID, &event);
}

/// A chatter subscribes (newest last).
fn new_subscriber(world: &mut World, rng: &mut StdRng, now: i64) {
    let n = world.chatters.len();
    if n < 2 {
        return;
    }
    let id = world.chatters[rng.random_range(1..n)];
    if world.subs.iter().any(|s| s.user == id) {
        return;
    }
    let sub = world.new_sub(id, now);
    let message_id = world.uuid();
    let event = eventsub::sub_notice_event(world, STREAMER_ID, &sub, &message_id);
    world.subs.push(sub);
    world.publish(eventsub::CHAT_NOTIFICATION, STREAMER_ID, &event);
}

/// Zero to a few lines from random chatters (banned ones keep quiet).
fn chat(world: &mut World, rng: &mut StdRng) {
    let now = now_secs();
    for _ in 0..rng.random_range(0..=2usize) {
        let n = world.chatters.len();
        if n < 2 {
            return;
        }
        let sender = world.chatters[rng.random_range(1..n)];
        let banned = world
            .bans
            .get(&(STREAMER_ID, sender))
            .is_some_and(|until| until.is_none_or(|end| end > now));
        if banned {
            continue;
        }
        let text = names::chat_line(rng);
        world.post_chat(STREAMER_ID, sender, text);
    }
}
