//! The live world: every tick a few chatters leave and others arrive, now and then someone
//! follows, subscribes, renews, cheers, gifts or raids, chat flows, and the stream's viewer count follows the room (the
//! shared [`churn`] rules). Chat lines, follows and subscriptions reach the EventSub
//! subscriptions as they happen.

use std::{sync::Arc, time::Duration};

use rand::{Rng, rngs::StdRng};
use tokio::task::JoinHandle;

use super::{
    auth::now_secs,
    eventsub, notices,
    server::Shared,
    world::{STREAMER_ID, World},
};
use crate::sim::common::churn::{self, Crowd, Room};

/// Starts the ticker; abort the handle to stop it.
pub(crate) fn spawn(shared: Arc<Shared>, every: Duration, seed: u64) -> JoinHandle<()> {
    churn::spawn_room(shared, every, seed ^ 0x7717_c4e2, Shared::world, step)
}

/// The streamer's chat room: the chatters, the broadcaster first.
impl Room for World {
    type Id = u64;

    fn crowd(&mut self) -> Crowd<'_, u64> {
        (&mut self.chatters, &mut self.followers)
    }

    fn newcomer(&mut self, now: i64) -> u64 {
        self.new_person(now)
    }

    fn muted(&self, id: u64) -> bool {
        let now = now_secs();
        self.bans
            .get(&(STREAMER_ID, id))
            .is_some_and(|until| until.is_none_or(|end| end > now))
    }

    fn say(&mut self, id: u64, text: &str) {
        self.post_chat(STREAMER_ID, id, text);
    }
}

/// One tick of the world.
fn step(world: &mut World, rng: &mut StdRng, target: f64) {
    let now = now_secs();
    churn::churn(world, rng, target, now, 300);
    if rng.random_bool(0.3) {
        let id = churn::follow(world, rng, now);
        let event = eventsub::follow_event(world, STREAMER_ID, id, now);
        world.publish(eventsub::FOLLOW, STREAMER_ID, &event);
    }
    if rng.random_bool(0.04) {
        new_subscriber(world, rng, now);
    }
    if rng.random_bool(0.03) {
        happening(world, rng);
    }
    // About every ten minutes at the demo's pace.
    if world.retitles && rng.random_bool(0.003) {
        retitle(world, rng);
    }
    churn::chat(world, rng);
    world
        .bans
        .retain(|_, until| until.is_none_or(|end| end > now));
    world.refresh_viewer_count();
}

/// The streamer gives the stream a new title for the next part of the show (only while
/// the title is one of the show's own).
fn retitle(world: &mut World, rng: &mut StdRng) {
    const TITLES: &[&str] = &[
        "Sunday hangout: saying hi to everyone ✨",
        "Sunday hangout: viewer games!",
        "Sunday hangout: Q&A and chill",
        "Sunday hangout: last round of the night",
    ];
    let current = world.main().title.clone();
    // A title the user set through the API is theirs: the show leaves it alone.
    if !TITLES.contains(&current.as_str()) {
        return;
    }
    let next = TITLES
        .iter()
        .filter(|t| **t != current)
        .nth(rng.random_range(0..TITLES.len() - 1))
        .copied()
        .unwrap_or(TITLES[0]);
    world.main_mut().title = next.to_owned();
}

/// A chatter subscribes (newest last).
fn new_subscriber(world: &mut World, rng: &mut StdRng, now: i64) {
    let Some(id) = churn::someone(world, rng) else {
        return;
    };
    if world.subs.iter().any(|s| s.user == id) {
        return;
    }
    let sub = world.new_sub(id, now);
    let message_id = world.uuid();
    let event = notices::sub_notice_event(world, &sub, &message_id);
    world.subs.push(sub);
    world.publish(eventsub::CHAT_NOTIFICATION, STREAMER_ID, &event);
}

/// Now and then: a renewal, a cheer, a gift to the community, or a raid.
fn happening(world: &mut World, rng: &mut StdRng) {
    let Some(id) = churn::someone(world, rng) else {
        return;
    };
    match rng.random_range(0..10) {
        0..=3 => world.resub(id, rng.random_range(2..=40)),
        4..=6 => {
            world.cheer(id, rng.random_range(1..=50) * 10);
        }
        7..=8 => world.community_gift(id, rng.random_range(2..=10)),
        _ => {
            let raider = world.new_person(now_secs());
            world.raid(raider, rng.random_range(3..=300));
        }
    }
}

#[cfg(test)]
mod retitle_tests {
    use super::*;
    use crate::sim::twitch::TwitchSimOptions;
    use rand::SeedableRng;

    #[test]
    fn the_show_changes_its_own_titles_and_leaves_the_user_s_alone() {
        let mut world = World::new(&TwitchSimOptions::default(), "http://127.0.0.1:1".into());
        let mut rng = StdRng::seed_from_u64(7);
        let first = world.main().title.clone();
        retitle(&mut world, &mut rng);
        let second = world.main().title.clone();
        assert_ne!(first, second, "a new title");
        world.main_mut().title = "My own title".into();
        retitle(&mut world, &mut rng);
        assert_eq!(world.main().title, "My own title");
    }
}
