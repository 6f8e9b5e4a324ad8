//! The stream recorder: folds what the pollers and the live connections already report
//! (no call of its own) into streams, samples every 10 s and timeline markers, as writes
//! for the database. Pure, so the rules are tested on their own; the backend feeds it
//! (`backend::stats`).

use crate::model::{
    Channel, ChatEvent, EventKind, MarkerKind, PlatformId, StreamMarker, StreamSample,
};
use crate::store::StreamWrite;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// How often a live platform is sampled.
pub const SAMPLE_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// What the recorder knows of one platform.
#[derive(Clone, Debug, Default)]
struct Track {
    live: bool,
    viewers: Option<u64>,
    followers: Option<u64>,
    subscribers: Option<u64>,
    title: Option<String>,
    category: Option<String>,
    messages: u32,
}

/// Folds observations into database writes.
#[derive(Debug, Default)]
pub struct Recorder {
    tracks: BTreeMap<PlatformId, Track>,
    pending: Vec<StreamWrite>,
}

impl Recorder {
    /// The channel as a poll read it: going live starts a stream (or continues the last),
    /// going offline ends it, a new title or category while live marks the timeline.
    pub fn channel(&mut self, platform: PlatformId, channel: &Channel, now: OffsetDateTime) {
        let category = channel
            .category
            .as_ref()
            .and_then(|c| c.name.clone().or(c.id.clone()));
        let t = self.tracks.entry(platform).or_default();
        t.viewers = channel.viewers.or(t.viewers);
        t.followers = channel.followers.or(t.followers);
        t.subscribers = channel.subscribers.or(t.subscribers);
        let mut marks = Vec::new();
        match (t.live, channel.is_live) {
            (false, true) => {
                self.pending.push(StreamWrite::Started {
                    platform,
                    at: now,
                    title: channel.title.clone(),
                    category: category.clone(),
                });
                marks.push((MarkerKind::Start, channel.title.clone()));
            }
            (true, false) => {
                marks.push((MarkerKind::End, "offline".to_owned()));
            }
            (true, true) => {
                if t.title.as_deref().is_some_and(|old| old != channel.title) {
                    marks.push((MarkerKind::Title, channel.title.clone()));
                }
                if let Some(new) = &category
                    && t.category.as_ref().is_some_and(|old| old != new)
                {
                    marks.push((MarkerKind::Category, new.clone()));
                }
            }
            (false, false) => {}
        }
        let ended = t.live && !channel.is_live;
        t.live = channel.is_live;
        t.title = Some(channel.title.clone());
        t.category = category;
        for (kind, text) in marks {
            self.pending.push(StreamWrite::Marker(StreamMarker {
                platform,
                at: now,
                kind,
                text,
            }));
        }
        if ended {
            self.pending.push(StreamWrite::Ended { platform, at: now });
        }
    }

    /// A fresher follower total (the followers poll).
    pub fn followers(&mut self, platform: PlatformId, total: u64) {
        self.tracks.entry(platform).or_default().followers = Some(total);
    }

    /// A fresher subscriber total.
    pub fn subscribers(&mut self, platform: PlatformId, total: u64) {
        self.tracks.entry(platform).or_default().subscribers = Some(total);
    }

    /// Live events: messages are counted for the chat rate, raids mark the timeline.
    pub fn events(&mut self, platform: PlatformId, events: &[ChatEvent]) {
        let t = self.tracks.entry(platform).or_default();
        if !t.live {
            return;
        }
        for e in events {
            match &e.kind {
                EventKind::Message { .. } | EventKind::Cheer { .. } => {
                    t.messages = t.messages.saturating_add(1);
                }
                EventKind::Raid { viewers } => {
                    self.pending.push(StreamWrite::Marker(StreamMarker {
                        platform,
                        at: e.at,
                        kind: MarkerKind::RaidIn,
                        text: format!("{} raided with {viewers} viewers", e.who()),
                    }))
                }
                _ => {}
            }
        }
    }

    /// Every 10 s: a sample of each live platform; answers everything to write since the
    /// last time, in order.
    pub fn tick(&mut self, now: OffsetDateTime) -> Vec<StreamWrite> {
        for (platform, t) in &mut self.tracks {
            if t.live {
                self.pending.push(StreamWrite::Sample(StreamSample {
                    platform: *platform,
                    at: now,
                    viewers: t.viewers,
                    followers: t.followers,
                    subscribers: t.subscribers,
                    messages: std::mem::take(&mut t.messages),
                }));
            }
        }
        std::mem::take(&mut self.pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CategoryRef, ChatUser};
    use time::Duration;

    fn t(secs: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::days(20_000) + Duration::seconds(secs)
    }

    fn channel(live: bool, title: &str, category: &str, viewers: u64) -> Channel {
        Channel {
            id: "1".into(),
            name: "me".into(),
            display_name: None,
            title: title.into(),
            category: Some(CategoryRef {
                id: Some("c".into()),
                name: Some(category.into()),
            }),
            language: None,
            audience: None,
            is_live: live,
            viewers: Some(viewers),
            followers: Some(10),
            subscribers: None,
            started_at: None,
            avatar_url: None,
            tags: None,
            delay: None,
        }
    }

    fn event(kind: EventKind) -> ChatEvent {
        ChatEvent {
            platform: PlatformId::Trovo,
            id: None,
            at: t(15),
            user: Some(ChatUser {
                id: Some("9".into()),
                name: Some("nia".into()),
                display_name: "Nia".into(),
                roles: Vec::new(),
            }),
            kind,
        }
    }

    #[test]
    fn a_stream_starts_samples_marks_and_ends() {
        let p = PlatformId::Trovo;
        let mut r = Recorder::default();
        r.channel(p, &channel(false, "Soon", "Just Chatting", 0), t(0));
        assert!(r.tick(t(1)).is_empty(), "offline: nothing recorded");
        r.channel(p, &channel(true, "Live now", "Just Chatting", 40), t(5));
        r.events(
            p,
            &[
                event(EventKind::Message {
                    text: "hi".into(),
                    reply_to: None,
                }),
                event(EventKind::Raid { viewers: 37 }),
                event(EventKind::Follow),
            ],
        );
        let writes = r.tick(t(10));
        assert!(
            matches!(writes[0], StreamWrite::Started { .. }),
            "{writes:?}"
        );
        assert!(
            writes.iter().any(|w| matches!(w, StreamWrite::Marker(m) if m.kind == MarkerKind::RaidIn && m.text.contains("37"))),
            "{writes:?}"
        );
        let StreamWrite::Sample(s) = writes.last().expect("a sample") else {
            panic!("{writes:?}")
        };
        assert_eq!(
            (s.viewers, s.messages, s.followers),
            (Some(40), 1, Some(10))
        );
        // A new title while live marks the timeline; the messages start again from zero.
        r.channel(p, &channel(true, "Boss fight", "Hades II", 55), t(12));
        let writes = r.tick(t(20));
        let kinds: Vec<_> = writes
            .iter()
            .filter_map(|w| match w {
                StreamWrite::Marker(m) => Some(m.kind),
                _ => None,
            })
            .collect();
        assert_eq!(kinds, [MarkerKind::Title, MarkerKind::Category]);
        assert!(
            matches!(writes.last(), Some(StreamWrite::Sample(s)) if s.messages == 0 && s.viewers == Some(55))
        );
        r.channel(p, &channel(false, "Boss fight", "Hades II", 0), t(30));
        let writes = r.tick(t(31));
        assert!(
            matches!(writes.last(), Some(StreamWrite::Ended { .. })),
            "{writes:?}"
        );
        assert!(!writes.iter().any(|w| matches!(w, StreamWrite::Sample(_))));
    }
}

/// Viewers across platforms at each moment: every platform's samples in the same 10 s
/// slot added up, oldest first.
pub fn total_viewers(samples: &[StreamSample]) -> Vec<(OffsetDateTime, u64)> {
    let slot = SAMPLE_EVERY.as_secs().max(1) as i64;
    let mut by_slot: BTreeMap<i64, (OffsetDateTime, BTreeMap<PlatformId, u64>)> = BTreeMap::new();
    for s in samples {
        let Some(v) = s.viewers else { continue };
        let key = s.at.unix_timestamp().div_euclid(slot);
        let entry = by_slot.entry(key).or_insert((s.at, BTreeMap::new()));
        // Two samples of one platform in a slot: the later one counts.
        entry.1.insert(s.platform, v);
    }
    by_slot
        .into_values()
        .map(|(at, per)| (at, per.values().sum()))
        .collect()
}

#[cfg(test)]
mod total_tests {
    use super::*;

    #[test]
    fn the_total_adds_up_platforms_in_the_same_slot() {
        let base = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        let s = |p, secs, v| StreamSample {
            platform: p,
            at: base + time::Duration::seconds(secs),
            viewers: Some(v),
            followers: None,
            subscribers: None,
            messages: 0,
        };
        let total = total_viewers(&[
            s(PlatformId::Trovo, 0, 10),
            s(PlatformId::Twitch, 3, 20),
            s(PlatformId::Trovo, 10, 11),
            s(PlatformId::Velora, 12, 5),
        ]);
        let sums: Vec<u64> = total.iter().map(|(_, v)| *v).collect();
        assert_eq!(sums, [30, 16]);
    }
}
