//! The live world: every tick a few viewers leave and others arrive (the shared [`churn`]
//! rules), the anonymous count drifts, now and then someone follows or subscribes (some
//! gifted), now and then a gift of several or a raid, and chat flows; each is announced on
//! the events stream.

use std::{sync::Arc, time::Duration};

use rand::{Rng, rngs::StdRng};
use tokio::task::JoinHandle;

use super::{
    auth::{now_ms, now_secs},
    server::Shared,
    world::World,
};
use crate::sim::common::churn::{self, Crowd, Room};

/// Starts the ticker; abort the handle to stop it.
pub(crate) fn spawn(shared: Arc<Shared>, every: Duration, seed: u64) -> JoinHandle<()> {
    churn::spawn_room(shared, every, seed ^ 0x5e10_7a11, Shared::world, step)
}

/// The streamer's room: the named viewers, the streamer first.
impl Room for World {
    type Id = usize;

    fn crowd(&mut self) -> Crowd<'_, usize> {
        (&mut self.viewers, &mut self.followers)
    }

    fn newcomer(&mut self, now: i64) -> usize {
        self.new_person(now)
    }

    fn muted(&self, id: usize) -> bool {
        self.is_banned(id)
    }

    fn say(&mut self, id: usize, text: &str) {
        self.post_chat(id, text);
    }
}

/// One tick of the world.
fn step(world: &mut World, rng: &mut StdRng, target: f64) {
    let now = now_ms();
    churn::churn(world, rng, target, now, 300);
    let drift = rng.random_range(-2i64..=2);
    world.anonymous = (i64::from(world.anonymous) + drift).max(0) as u32;
    if rng.random_bool(0.3) {
        let user = churn::follow(world, rng, now);
        world.announce_follow(user, now);
    }
    if rng.random_bool(0.05) {
        world.new_subscriber();
    }
    if rng.random_bool(0.004) {
        world.community_gift(rng.random_range(2..=10));
    }
    if rng.random_bool(0.003) {
        world.raid(rng.random_range(3..=250));
    }
    churn::chat(world, rng);
    let secs = now_secs();
    world
        .bans
        .retain(|_, until| until.is_none_or(|end| end > secs));
}
