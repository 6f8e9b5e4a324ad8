//! Keeps one platform's channel, and while it is live its people lists, fresh. Each list has
//! its own interval, well inside the platform's rate limit; an answer is sent to the UI only
//! when it differs from the last one, so an unchanged stream causes no repaint at all.

use super::{Emitter, emit_budget};
use crate::command::{Event, POLL};
use crate::model::Channel;
use crate::platform::{ChannelTarget, PlatformClient};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// How often each list is refreshed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Intervals {
    pub channel: Duration,
    pub viewers: Duration,
    pub followers: Duration,
    pub subscribers: Duration,
    /// How often the sign-in is validated again (Twitch requires hourly for desktop apps;
    /// it also notices a token revoked elsewhere). The window validates once at start.
    pub sign_in: Duration,
    /// How often a live stream is sampled for its stats (no call of its own).
    pub stats: Duration,
}

impl Default for Intervals {
    /// About 13 calls a minute per platform: a sliver of Trovo's 1200.
    fn default() -> Self {
        Intervals {
            channel: Duration::from_secs(15),
            viewers: Duration::from_secs(10),
            followers: Duration::from_secs(20),
            subscribers: Duration::from_secs(60),
            sign_in: Duration::from_secs(60 * 60),
            stats: crate::stats::SAMPLE_EVERY,
        }
    }
}

/// Polls until the UI goes away.
pub(super) async fn run(client: PlatformClient, every: Intervals, out: Emitter) {
    let platform = client.platform();
    let now = Instant::now();
    // The window validated at start; the next check is an interval away.
    let mut due = [now, now, now, now, now + every.sign_in];
    let mut last_sign_in = None;
    let mut last_channel: Option<Channel> = None;
    let mut last_viewers = None;
    let mut last_followers = None;
    let mut last_subscribers = None;
    let with_subscribers = client.capabilities().subscribers;
    loop {
        if out.is_closed() {
            return;
        }
        let now = Instant::now();
        if now >= due[0] {
            due[0] = now + every.channel;
            let result = client.channel(&ChannelTarget::Own).await;
            let changed = match &result {
                Ok(ch) => last_channel.as_ref() != Some(ch),
                Err(_) => true,
            };
            if let Ok(ch) = &result {
                last_channel = Some(ch.clone());
            }
            if changed {
                out.emit(Event::ChannelLoaded {
                    platform,
                    request_id: POLL,
                    result,
                });
                emit_budget(&client, &out);
            }
        }
        let live = last_channel.as_ref().is_some_and(|c| c.is_live);
        // Lists are loaded once even when offline, so the panel is never empty for nothing.
        if now >= due[1] && (live || last_viewers.is_none()) {
            due[1] = now + every.viewers;
            let result = client.viewers(None).await.map(Arc::new);
            if changed(&mut last_viewers, &result) {
                out.emit(Event::ViewersLoaded {
                    platform,
                    request_id: POLL,
                    result,
                });
            }
        }
        if now >= due[2] && (live || last_followers.is_none()) {
            due[2] = now + every.followers;
            let result = client.followers(None, None).await.map(Arc::new);
            if changed(&mut last_followers, &result) {
                out.emit(Event::FollowersLoaded {
                    platform,
                    request_id: POLL,
                    result,
                });
            }
        }
        if with_subscribers && now >= due[3] && (live || last_subscribers.is_none()) {
            due[3] = now + every.subscribers;
            let result = client.subscribers().await.map(Arc::new);
            if changed(&mut last_subscribers, &result) {
                out.emit(Event::SubscribersLoaded {
                    platform,
                    request_id: POLL,
                    result,
                });
            }
        }
        if now >= due[4] {
            due[4] = now + every.sign_in;
            let result = client.sign_in_status().await;
            let differs = match &result {
                Ok(status) => last_sign_in.as_ref() != Some(status),
                Err(_) => true,
            };
            if let Ok(status) = &result {
                last_sign_in = Some(status.clone());
            }
            if differs {
                out.emit(Event::SignInStatusLoaded { platform, result });
            }
        }
        let next = due.iter().min().copied().unwrap_or(now + every.channel);
        tokio::time::sleep_until(next.max(Instant::now() + Duration::from_millis(200))).await;
    }
}

/// Remembers a successful answer and says whether it differs from the last; errors always
/// count as news, so the status bar shows them.
fn changed<T: PartialEq, E>(last: &mut Option<Arc<T>>, result: &Result<Arc<T>, E>) -> bool {
    match result {
        Ok(new) => {
            let differs = last.as_deref() != Some(&**new);
            if differs {
                *last = Some(Arc::clone(new));
            }
            differs
        }
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_differences_are_news() {
        let mut last = None;
        let a: Result<Arc<Vec<u32>>, ()> = Ok(Arc::new(vec![1, 2]));
        assert!(changed(&mut last, &a));
        assert!(!changed::<_, ()>(&mut last, &Ok(Arc::new(vec![1, 2]))));
        assert!(changed::<_, ()>(&mut last, &Ok(Arc::new(vec![1, 2, 3]))));
        assert!(changed::<Vec<u32>, ()>(&mut last, &Err(())));
    }
}
