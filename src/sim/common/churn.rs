//! The viewer-churn ticker every simulator runs: the audience drifts around a slowly
//! wandering target (so viewer counts move like a real stream's rather than jump), a few
//! leave and a few arrive each tick, someone follows now and then, and chat flows. The loop
//! and the rules are here; each simulator's ticker adds its platform's events (EventSub
//! notifications, Trovo's welcome lines, raids, gifted subscriptions).

use std::{
    sync::{Arc, MutexGuard},
    time::Duration,
};

use rand::{Rng, SeedableRng, rngs::StdRng};
use tokio::{task::JoinHandle, time::MissedTickBehavior};

use super::names;

/// The shortest tick (a zero duration would spin).
const MIN_TICK: Duration = Duration::from_millis(10);

/// Starts a ticker; abort the handle to stop it. `size` is the audience at the start, the
/// centre the target wanders around (0.6 to 1.8 times it); `tick` runs one step of the
/// world with the target of the moment. Seeded by `seed`, so a run can be replayed.
pub(crate) fn spawn<S: Send + Sync + 'static>(
    shared: Arc<S>,
    every: Duration,
    seed: u64,
    size: impl FnOnce(&S) -> f64 + Send + 'static,
    mut tick: impl FnMut(&S, &mut StdRng, f64) + Send + 'static,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut rng = StdRng::seed_from_u64(seed);
        let base = size(&shared);
        let mut target = base;
        let mut interval = tokio::time::interval(every.max(MIN_TICK));
        interval.set_missed_tick_behavior(MissedTickBehavior::Skip);
        interval.tick().await;
        loop {
            interval.tick().await;
            target = (target * rng.random_range(0.985..1.015)).clamp(base * 0.6, base * 1.8);
            // `tick` takes and releases its locks within the step, never across the await.
            tick(&shared, &mut rng, target);
        }
    })
}

/// [`spawn`] for a world that is a [`Room`] behind `room`'s lock: the target wanders around
/// the room's size at the start (at least 2), and `step` runs each tick under the lock.
pub(crate) fn spawn_room<S: Send + Sync + 'static, R: Room + 'static>(
    shared: Arc<S>,
    every: Duration,
    seed: u64,
    room: fn(&S) -> MutexGuard<'_, R>,
    step: fn(&mut R, &mut StdRng, f64),
) -> JoinHandle<()> {
    let size = move |shared: &S| room(shared).crowd().0.len().max(2) as f64;
    let tick = move |shared: &S, rng: &mut StdRng, target| step(&mut room(shared), rng, target);
    spawn(shared, every, seed, size, tick)
}

/// How many of `n` leave this tick, at most `step` (never the streamer, so at most n - 1).
pub(crate) fn leaving(rng: &mut StdRng, n: usize, step: usize) -> usize {
    rng.random_range(0..=step).min(n.saturating_sub(1))
}

/// How many arrive this tick: up to `step`, leaning toward `target` from `len` (at most
/// `step` fewer, `3 * step` more).
pub(crate) fn arriving(rng: &mut StdRng, step: usize, target: f64, len: usize) -> usize {
    let gap = target - len as f64;
    let lean = (gap * 0.15)
        .round()
        .clamp(-(step as f64), 3.0 * step as f64);
    (rng.random_range(0..=step) as f64 + lean).max(0.0) as usize
}

/// A room's audience (the streamer at index 0) and its followers: (who, when), oldest first.
pub(crate) type Crowd<'a, Id> = (&'a mut Vec<Id>, &'a mut Vec<(Id, i64)>);

/// A stream's room as the shared churn sees it: the audience (the streamer first) and its
/// followers, who may talk, and how a newcomer arrives.
pub(crate) trait Room {
    /// A person's id.
    type Id: Copy + PartialEq;

    /// The audience, the streamer at index 0, and the followers: (who, when), oldest first.
    fn crowd(&mut self) -> Crowd<'_, Self::Id>;
    /// A new person, made at `now` (in the platform's clock unit).
    fn newcomer(&mut self, now: i64) -> Self::Id;
    /// Whether `id` is kept quiet (banned or timed out).
    fn muted(&self, id: Self::Id) -> bool;
    /// `id` says `text` in the stream's chat.
    fn say(&mut self, id: Self::Id, text: &str);
}

/// A few leave (never the streamer), a few arrive, leaning toward `target`; one leaves for
/// each `per` in the room at most, per tick.
pub(crate) fn churn<R: Room>(room: &mut R, rng: &mut StdRng, target: f64, now: i64, per: usize) {
    let n = room.crowd().0.len();
    if n == 0 {
        return;
    }
    let step = (n / per).max(1);
    for _ in 0..leaving(rng, n, step) {
        let audience = room.crowd().0;
        let i = rng.random_range(1..audience.len());
        audience.remove(i);
    }
    let len = room.crowd().0.len();
    for _ in 0..arriving(rng, step, target, len) {
        let id = room.newcomer(now);
        room.crowd().0.push(id);
    }
}

/// Someone in the room who does not follow yet follows now (or, after eight misses, a
/// passer-by); the follower list stays oldest first. Returns who followed.
pub(crate) fn follow<R: Room>(room: &mut R, rng: &mut StdRng, now: i64) -> R::Id {
    let candidate = (0..8).find_map(|_| {
        let id = someone(room, rng)?;
        let follows = room.crowd().1.iter().any(|(f, _)| *f == id);
        (!follows).then_some(id)
    });
    let id = match candidate {
        Some(id) => id,
        None => room.newcomer(now),
    };
    room.crowd().1.push((id, now));
    id
}

/// Someone in the room other than the streamer, at random; `None` when the streamer is alone.
pub(crate) fn someone<R: Room>(room: &mut R, rng: &mut StdRng) -> Option<R::Id> {
    let audience = room.crowd().0;
    let n = audience.len();
    (n >= 2).then(|| audience[rng.random_range(1..n)])
}

/// Zero to a few lines from random people in the room (muted ones keep quiet).
pub(crate) fn chat<R: Room>(room: &mut R, rng: &mut StdRng) {
    for _ in 0..rng.random_range(0..=2usize) {
        let Some(sender) = someone(room, rng) else {
            return;
        };
        if room.muted(sender) {
            continue;
        }
        let text = names::chat_line(rng);
        room.say(sender, text);
    }
}
