//! Recorded streams: one row per platform's stream, its samples and its markers, written in
//! batches by the backend's recorder; summaries computed by SQL over the samples.

use super::{Store, StoreError, parse_stamp, platform_of, stamp};
use crate::model::{
    MarkerKind, PlatformId, StatsSnapshot, StreamMarker, StreamRecord, StreamSample, StreamSummary,
};
use rusqlite::{OptionalExtension, Transaction, params};
use time::{Duration, OffsetDateTime};

/// A stream that comes back within this long after it ended (or after its last sample, for
/// one the app never saw end) is the same stream continuing.
pub const RESTART_GRACE: Duration = Duration::minutes(5);

/// One change the recorder makes, applied in order in one transaction.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamWrite {
    /// The platform went live: a new stream, or the last one continuing.
    Started {
        platform: PlatformId,
        at: OffsetDateTime,
        title: String,
        category: Option<String>,
    },
    Ended {
        platform: PlatformId,
        at: OffsetDateTime,
    },
    Sample(StreamSample),
    Marker(StreamMarker),
}

impl Store {
    /// Applies the recorder's writes in one transaction. A sample or marker for a platform
    /// with no open stream is dropped (it came after the end).
    pub fn write_streams(&self, writes: &[StreamWrite]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        // A stream that continues has its start marked already.
        let mut continued = std::collections::BTreeSet::new();
        for w in writes {
            match w {
                StreamWrite::Started {
                    platform,
                    at,
                    title,
                    category,
                } => {
                    if start(&tx, *platform, *at, title, category.as_deref())? {
                        continued.insert(*platform);
                    }
                }
                StreamWrite::Marker(m)
                    if m.kind == MarkerKind::Start && continued.contains(&m.platform) => {}
                StreamWrite::Ended { platform, at } => {
                    tx.execute(
                        "UPDATE streams SET ended_at = ?2 WHERE platform = ?1 AND ended_at IS NULL",
                        params![platform.slug(), stamp(*at)],
                    )?;
                }
                StreamWrite::Sample(s) => {
                    if let Some(id) = open_stream(&tx, s.platform)? {
                        tx.execute(
                            "INSERT INTO stream_samples
                             (stream_id, at, viewers, followers, subscribers, messages)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                            params![
                                id,
                                stamp(s.at),
                                s.viewers.map(clamp),
                                s.followers.map(clamp),
                                s.subscribers.map(clamp),
                                s.messages
                            ],
                        )?;
                    }
                }
                StreamWrite::Marker(m) => {
                    if let Some(id) = open_stream(&tx, m.platform)? {
                        tx.execute(
                            "INSERT INTO stream_markers (stream_id, at, kind, text)
                             VALUES (?1, ?2, ?3, ?4)",
                            params![id, stamp(m.at), m.kind.name(), m.text],
                        )?;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every recorded stream, newest first, with its figures.
    pub fn streams(&self, limit: usize) -> Result<Vec<StreamSummary>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "{SUMMARY} GROUP BY s.id ORDER BY s.started_at DESC, s.id DESC LIMIT ?1"
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map([limit], summary_row)?;
        rows.map(|r| r?.into_summary()).collect()
    }

    /// One stream's figures.
    pub fn stream(&self, id: i64) -> Result<Option<StreamSummary>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!("{SUMMARY} WHERE s.id = ?1 GROUP BY s.id"))?;
        let row = stmt.query_row([id], summary_row).optional()?;
        row.map(RawSummary::into_summary).transpose()
    }

    /// Each platform's latest stream (going on, or the last one), for `stagehand stats`.
    pub fn latest_streams(&self) -> Result<Vec<StreamSummary>, StoreError> {
        let mut out = Vec::new();
        for platform in PlatformId::ALL {
            let id: Option<i64> = self
                .conn()
                .query_row(
                    "SELECT id FROM streams WHERE platform = ?1
                     ORDER BY started_at DESC, id DESC LIMIT 1",
                    [platform.slug()],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(s) = id.map(|id| self.stream(id)).transpose()?.flatten() {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// One stream with its samples and markers.
    pub fn stream_record(&self, id: i64) -> Result<Option<StreamRecord>, StoreError> {
        let Some(summary) = self.stream(id)? else {
            return Ok(None);
        };
        Ok(Some(StreamRecord {
            summary,
            samples: self.samples(id)?,
            markers: self.markers(id)?,
        }))
    }

    /// What the stats panel shows.
    pub fn stats_snapshot(&self, listed: usize) -> Result<StatsSnapshot, StoreError> {
        let mut current = Vec::new();
        for s in self.latest_streams()? {
            if let Some(r) = self.stream_record(s.id)? {
                current.push(r);
            }
        }
        Ok(StatsSnapshot {
            current,
            streams: self.streams(listed)?,
        })
    }

    /// A stream's samples, oldest first.
    pub fn samples(&self, id: i64) -> Result<Vec<StreamSample>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT s.platform, x.at, x.viewers, x.followers, x.subscribers, x.messages
             FROM stream_samples x JOIN streams s ON s.id = x.stream_id
             WHERE x.stream_id = ?1 ORDER BY x.at",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (platform, at, viewers, followers, subscribers, messages) = row?;
            out.push(StreamSample {
                platform: platform_of(&platform)?,
                at: parse_stamp(&at)?,
                viewers: viewers.and_then(|v| u64::try_from(v).ok()),
                followers: followers.and_then(|v| u64::try_from(v).ok()),
                subscribers: subscribers.and_then(|v| u64::try_from(v).ok()),
                messages: u32::try_from(messages).unwrap_or(u32::MAX),
            });
        }
        Ok(out)
    }

    /// A stream's markers, oldest first.
    pub fn markers(&self, id: i64) -> Result<Vec<StreamMarker>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT s.platform, m.at, m.kind, m.text
             FROM stream_markers m JOIN streams s ON s.id = m.stream_id
             WHERE m.stream_id = ?1 ORDER BY m.at",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (platform, at, kind, text) = row?;
            let kind = MarkerKind::from_name(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("the marker kind {kind:?}")))?;
            out.push(StreamMarker {
                platform: platform_of(&platform)?,
                at: parse_stamp(&at)?,
                kind,
                text,
            });
        }
        Ok(out)
    }
}

/// SQLite integers are signed.
fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The open stream of `platform`, if it is live.
fn open_stream(tx: &Transaction<'_>, platform: PlatformId) -> Result<Option<i64>, StoreError> {
    Ok(tx
        .query_row(
            "SELECT id FROM streams WHERE platform = ?1 AND ended_at IS NULL
             ORDER BY started_at DESC LIMIT 1",
            [platform.slug()],
            |r| r.get(0),
        )
        .optional()?)
}

/// Goes live: the last stream continues if it ended (or was last sampled) within the
/// grace; otherwise it is closed where it was last seen and a new one begins. True when it
/// continued.
fn start(
    tx: &Transaction<'_>,
    platform: PlatformId,
    at: OffsetDateTime,
    title: &str,
    category: Option<&str>,
) -> Result<bool, StoreError> {
    let last: Option<(i64, String, Option<String>, Option<String>)> = tx
        .query_row(
            "SELECT s.id, s.started_at, s.ended_at,
                    (SELECT MAX(at) FROM stream_samples WHERE stream_id = s.id)
             FROM streams s WHERE s.platform = ?1
             ORDER BY s.started_at DESC, s.id DESC LIMIT 1",
            [platform.slug()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    if let Some((id, started, ended, last_sample)) = last {
        let started = parse_stamp(&started)?;
        let seen = match ended.or(last_sample) {
            Some(t) => parse_stamp(&t)?,
            None => started,
        };
        if at >= started && at - seen <= RESTART_GRACE {
            tx.execute("UPDATE streams SET ended_at = NULL WHERE id = ?1", [id])?;
            return Ok(true);
        }
        // Never seen to end (the app was closed while live): it ended when last seen.
        tx.execute(
            "UPDATE streams SET ended_at = ?2 WHERE id = ?1 AND ended_at IS NULL",
            params![id, stamp(seen)],
        )?;
    }
    tx.execute(
        "INSERT INTO streams (platform, started_at, title, category) VALUES (?1, ?2, ?3, ?4)",
        params![platform.slug(), stamp(at), title, category],
    )?;
    Ok(false)
}

/// The summary query: figures over the samples (followers gained: the last total less the
/// first).
const SUMMARY: &str = "SELECT s.id, s.platform, s.started_at, s.ended_at, s.title, s.category,
        MAX(x.viewers), AVG(x.viewers),
        (SELECT followers FROM stream_samples WHERE stream_id = s.id AND followers IS NOT NULL
         ORDER BY at DESC LIMIT 1)
        - (SELECT followers FROM stream_samples WHERE stream_id = s.id AND followers IS NOT NULL
           ORDER BY at LIMIT 1),
        COALESCE(SUM(x.messages), 0)
     FROM streams s LEFT JOIN stream_samples x ON x.stream_id = s.id";

struct RawSummary {
    id: i64,
    platform: String,
    started_at: String,
    ended_at: Option<String>,
    title: String,
    category: Option<String>,
    peak: Option<i64>,
    average: Option<f64>,
    gained: Option<i64>,
    messages: i64,
}

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawSummary> {
    Ok(RawSummary {
        id: r.get(0)?,
        platform: r.get(1)?,
        started_at: r.get(2)?,
        ended_at: r.get(3)?,
        title: r.get(4)?,
        category: r.get(5)?,
        peak: r.get(6)?,
        average: r.get(7)?,
        gained: r.get(8)?,
        messages: r.get(9)?,
    })
}

impl RawSummary {
    fn into_summary(self) -> Result<StreamSummary, StoreError> {
        Ok(StreamSummary {
            id: self.id,
            platform: platform_of(&self.platform)?,
            started_at: parse_stamp(&self.started_at)?,
            ended_at: self.ended_at.as_deref().map(parse_stamp).transpose()?,
            title: self.title,
            category: self.category,
            peak_viewers: self.peak.and_then(|v| u64::try_from(v).ok()),
            average_viewers: self.average,
            // Unfollows can outnumber follows: a loss counts as none gained.
            followers_gained: self.gained.map(|g| u64::try_from(g).unwrap_or(0)),
            messages: u64::try_from(self.messages).unwrap_or(0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::days(20_000) + Duration::seconds(secs)
    }

    fn sample(at: i64, viewers: u64, followers: u64, messages: u32) -> StreamWrite {
        StreamWrite::Sample(StreamSample {
            platform: PlatformId::Twitch,
            at: t(at),
            viewers: Some(viewers),
            followers: Some(followers),
            subscribers: None,
            messages,
        })
    }

    fn started(at: i64) -> StreamWrite {
        StreamWrite::Started {
            platform: PlatformId::Twitch,
            at: t(at),
            title: "Morning run".into(),
            category: Some("Hades II".into()),
        }
    }

    #[test]
    fn a_stream_s_figures_come_from_its_samples() {
        let store = Store::in_memory().expect("store");
        store
            .write_streams(&[
                started(0),
                sample(10, 100, 500, 12),
                sample(20, 300, 503, 30),
                sample(30, 200, 510, 6),
                StreamWrite::Marker(StreamMarker {
                    platform: PlatformId::Twitch,
                    at: t(25),
                    kind: MarkerKind::RaidIn,
                    text: "raided by nia with 37 viewers".into(),
                }),
                StreamWrite::Ended {
                    platform: PlatformId::Twitch,
                    at: t(40),
                },
                // After the end: no stream to add it to.
                sample(50, 1, 1, 1),
            ])
            .expect("written");
        let all = store.streams(10).expect("streams");
        assert_eq!(all.len(), 1);
        let s = &all[0];
        assert_eq!(s.peak_viewers, Some(300));
        assert_eq!(s.average_viewers, Some(200.0));
        assert_eq!(s.followers_gained, Some(10));
        assert_eq!(s.messages, 48);
        assert_eq!(s.ended_at, Some(t(40)));
        assert_eq!(s.title, "Morning run");
        assert_eq!(store.samples(s.id).expect("samples").len(), 3);
        let markers = store.markers(s.id).expect("markers");
        assert_eq!(markers[0].kind, MarkerKind::RaidIn);
    }

    #[test]
    fn a_restart_within_minutes_continues_the_stream_and_a_later_one_is_new() {
        let store = Store::in_memory().expect("store");
        let end = |at| StreamWrite::Ended {
            platform: PlatformId::Twitch,
            at: t(at),
        };
        let start_marker = |at| {
            StreamWrite::Marker(StreamMarker {
                platform: PlatformId::Twitch,
                at: t(at),
                kind: MarkerKind::Start,
                text: "Morning run".into(),
            })
        };
        store
            .write_streams(&[started(0), start_marker(0), sample(10, 5, 1, 0), end(20)])
            .expect("written");
        store
            .write_streams(&[started(200), start_marker(200)])
            .expect("written");
        assert_eq!(store.streams(10).expect("streams").len(), 1, "continued");
        let id = store.streams(10).expect("streams")[0].id;
        let starts = store.markers(id).expect("markers").len();
        assert_eq!(starts, 1, "a continued stream is not started again");
        assert_eq!(store.streams(10).expect("streams")[0].ended_at, None);
        // The app closed while live; it starts again an hour later: the old one ended when
        // last seen, and this is a new stream.
        store
            .write_streams(&[sample(210, 8, 1, 0), started(3_800)])
            .expect("written");
        let all = store.streams(10).expect("streams");
        assert_eq!(all.len(), 2);
        assert_eq!(
            all[1].ended_at,
            Some(t(210)),
            "closed where it was last seen"
        );
        assert_eq!(all[0].ended_at, None);
        let latest = store.latest_streams().expect("latest");
        assert_eq!(latest.len(), 1);
        assert_eq!(latest[0].id, all[0].id);
    }
}
