//! The stream recorder: folds what the pollers and the live connections already report
//! (no call of its own) into streams, samples every 10 s and timeline markers, as writes
//! for the database. Pure, so the rules are tested on their own; the backend feeds it
//! (`backend::stats`).

use crate::model::{
    Channel, ChatEvent, EventKind, MarkerKind, PlatformId, StreamMarker, StreamRecord, StreamSample,
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
                // The platform's own start when it says (the app may open mid-stream).
                let at = channel.started_at.filter(|s| *s <= now).unwrap_or(now);
                self.pending.push(StreamWrite::Started {
                    platform,
                    at,
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

/// Writes a stream as CSV: its samples (chat as messages a minute) and its markers, in
/// time order, for `stats export` and the panel's Export.
pub fn write_csv(path: &std::path::Path, record: &StreamRecord) -> Result<(), String> {
    let (samples, markers) = (&record.samples, &record.markers);
    let fail = |e: &dyn std::fmt::Display| format!("could not write {}: {e}", path.display());
    let mut w = csv::Writer::from_path(path).map_err(|e| fail(&e))?;
    w.write_record([
        "at",
        "platform",
        "viewers",
        "followers",
        "subscribers",
        "chat_per_minute",
        "marker",
    ])
    .map_err(|e| fail(&e))?;
    let per_minute = 60 / SAMPLE_EVERY.as_secs().max(1);
    let n = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut rows: Vec<(time::OffsetDateTime, [String; 7])> = samples
        .iter()
        .map(|s| {
            (
                s.at,
                [
                    crate::model::utc_rfc3339_seconds(s.at),
                    s.platform.slug().to_owned(),
                    n(s.viewers),
                    n(s.followers),
                    n(s.subscribers),
                    (u64::from(s.messages) * per_minute).to_string(),
                    String::new(),
                ],
            )
        })
        .collect();
    rows.extend(markers.iter().map(|m| {
        (
            m.at,
            [
                crate::model::utc_rfc3339_seconds(m.at),
                m.platform.slug().to_owned(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                format!("{}: {}", m.kind.name(), m.text),
            ],
        )
    }));
    rows.sort_by_key(|(at, _)| *at);
    for (_, row) in rows {
        w.write_record(&row).map_err(|e| fail(&e))?;
    }
    w.flush().map_err(|e| fail(&e))
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

/// The graph as the window drew it (a cut of a screenshot), as PNG bytes.
pub fn encode_png(image: &eframe::egui::ColorImage) -> Result<Vec<u8>, String> {
    let [w, h] = image.size;
    let rgba: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    let (w, h) = (
        u32::try_from(w).map_err(|_| "the graph is too wide".to_owned())?,
        u32::try_from(h).map_err(|_| "the graph is too tall".to_owned())?,
    );
    let buffer = image::RgbaImage::from_raw(w, h, rgba)
        .ok_or_else(|| "the graph's pixels do not fill its size".to_owned())?;
    let mut out = std::io::Cursor::new(Vec::new());
    buffer
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| format!("could not encode the graph: {e}"))?;
    Ok(out.into_inner())
}

/// A few past streams on each platform for `--demo`, so the stats panel has something to
/// show at once: two to three hours each, viewers rising to a peak and falling away, a
/// raid and a title change along the way.
pub fn demo_past_streams(now: OffsetDateTime) -> Vec<StreamWrite> {
    let mut writes = Vec::new();
    let step = time::Duration::seconds(SAMPLE_EVERY.as_secs() as i64);
    for (p, platform) in PlatformId::ALL.into_iter().enumerate() {
        let scale = [240.0, 250.0, 120.0][p % 3];
        for (d, days_ago) in [6i64, 3, 1].into_iter().enumerate() {
            let start = now - time::Duration::days(days_ago) - time::Duration::hours(2);
            let minutes = 120 + 30 * d as i64;
            let samples = minutes * 60 / step.whole_seconds();
            let title = ["Ranked grind", "Chill Sunday build", "Speedrun practice"][d];
            writes.push(StreamWrite::Started {
                platform,
                at: start,
                title: title.to_owned(),
                category: Some(["VALORANT", "Minecraft", "Hades II"][d].to_owned()),
            });
            let raid_at = samples / 2;
            let mut followers = 400 + 10 * d as u64;
            for i in 0..samples {
                let x = i as f64 / samples as f64;
                // Up to the peak by 60 %, then down; the raid lifts the rest of the stream.
                let shape = if x < 0.6 {
                    0.3 + x
                } else {
                    0.9 - (x - 0.6) * 1.2
                };
                let raid = if i >= raid_at { 0.25 } else { 0.0 };
                let wobble = ((i * 37 + p as i64 * 11) % 17) as f64 / 17.0 * 0.06;
                let viewers = (scale * (shape + raid + wobble)).max(1.0) as u64;
                if i % 30 == 0 {
                    followers += 1 + (i as u64 % 3);
                }
                let at = start + step * i as i32;
                writes.push(StreamWrite::Sample(StreamSample {
                    platform,
                    at,
                    viewers: Some(viewers),
                    followers: Some(followers),
                    subscribers: None,
                    // Chat follows the audience, with a little noise.
                    messages: (viewers / 25) as u32 + ((i * 7 + p as i64 * 3) % 3) as u32,
                }));
                if i == raid_at {
                    writes.push(StreamWrite::Marker(StreamMarker {
                        platform,
                        at,
                        kind: MarkerKind::RaidIn,
                        text: format!("nia raided with {} viewers", (scale * 0.25) as u64),
                    }));
                }
                if i == samples / 3 {
                    writes.push(StreamWrite::Marker(StreamMarker {
                        platform,
                        at,
                        kind: MarkerKind::Title,
                        text: format!("{title}: the second hour"),
                    }));
                }
            }
            writes.push(StreamWrite::Ended {
                platform,
                at: start + time::Duration::minutes(minutes),
            });
        }
    }
    writes
}

/// A series cut down to about two points per pixel of `width`: each pixel's slice keeps its
/// lowest and highest point (in time order), so peaks survive and a long stream costs what
/// a short one does to draw. Points must be in x order.
pub fn decimate(points: &[[f64; 2]], width: usize) -> Vec<[f64; 2]> {
    let buckets = width.max(1);
    if points.len() <= buckets * 2 {
        return points.to_vec();
    }
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Vec::new();
    };
    let span = (last[0] - first[0]).max(f64::EPSILON);
    let mut out = Vec::with_capacity(buckets * 2);
    let mut i = 0;
    for b in 0..buckets {
        let end_x = first[0] + span * (b + 1) as f64 / buckets as f64;
        let start = i;
        while i < points.len() && (points[i][0] <= end_x || b + 1 == buckets) {
            i += 1;
        }
        let slice = &points[start..i];
        let (Some(lo), Some(hi)) = (
            slice.iter().min_by(|a, b| a[1].total_cmp(&b[1])),
            slice.iter().max_by(|a, b| a[1].total_cmp(&b[1])),
        ) else {
            continue;
        };
        if lo[0] <= hi[0] {
            out.push(*lo);
            if hi != lo {
                out.push(*hi);
            }
        } else {
            out.push(*hi);
            out.push(*lo);
        }
    }
    out
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

    #[test]
    fn the_graph_is_written_as_a_png_of_its_size() {
        let mut img = eframe::egui::ColorImage::filled([40, 30], eframe::egui::Color32::BLACK);
        img.pixels[0] = eframe::egui::Color32::from_rgb(200, 10, 20);
        let bytes = encode_png(&img).expect("encoded");
        let back = image::load_from_memory(&bytes).expect("a png").to_rgba8();
        assert_eq!(back.dimensions(), (40, 30));
        assert_eq!(back.get_pixel(0, 0).0, [200, 10, 20, 255]);
    }

    #[test]
    fn decimation_keeps_the_peaks_and_the_order_within_two_points_a_pixel() {
        let points: Vec<[f64; 2]> = (0..8_640)
            .map(|i| {
                [
                    f64::from(i),
                    f64::from(i % 97) + if i == 5_000 { 1e4 } else { 0.0 },
                ]
            })
            .collect();
        let cut = decimate(&points, 300);
        assert!(cut.len() <= 600, "{}", cut.len());
        assert!(cut.iter().any(|p| p[1] > 9_000.0), "the peak survives");
        assert!(cut.windows(2).all(|w| w[0][0] <= w[1][0]), "in time order");
        assert_eq!(cut.first(), points.first());
        let short = [[0.0, 1.0], [1.0, 2.0]];
        assert_eq!(decimate(&short, 300), short);
    }
}
