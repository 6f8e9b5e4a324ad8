//! Stream stats as the window and `stagehand stats` show them: one platform's stream (from
//! live to offline), its samples every 10 s, and the moments that mark its timeline.

use super::PlatformId;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// One reading of a live stream, every 10 s, from what the pollers already fetch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamSample {
    pub platform: PlatformId,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub viewers: Option<u64>,
    /// The platform's follower and subscriber totals at that moment.
    pub followers: Option<u64>,
    pub subscribers: Option<u64>,
    /// Chat messages since the previous sample.
    pub messages: u32,
}

/// What a timeline marker marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkerKind {
    Start,
    End,
    Title,
    Category,
    RaidIn,
}

impl MarkerKind {
    /// As the database and the CSV export name it.
    pub fn name(self) -> &'static str {
        match self {
            MarkerKind::Start => "start",
            MarkerKind::End => "end",
            MarkerKind::Title => "title",
            MarkerKind::Category => "category",
            MarkerKind::RaidIn => "raid_in",
        }
    }

    /// The kind a stored name stands for.
    pub fn from_name(name: &str) -> Option<MarkerKind> {
        [
            MarkerKind::Start,
            MarkerKind::End,
            MarkerKind::Title,
            MarkerKind::Category,
            MarkerKind::RaidIn,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

/// A moment on a stream's timeline, with its text for the graph's hover.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamMarker {
    pub platform: PlatformId,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub kind: MarkerKind,
    pub text: String,
}

/// A recorded stream on one platform and its figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamSummary {
    pub id: i64,
    pub platform: PlatformId,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// `None` while it goes on.
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    /// The title and category it started with.
    pub title: String,
    pub category: Option<String>,
    pub peak_viewers: Option<u64>,
    pub average_viewers: Option<f64>,
    pub followers_gained: Option<u64>,
    pub messages: u64,
}

/// One recorded stream with everything its graph needs.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamRecord {
    pub summary: StreamSummary,
    /// Oldest first.
    pub samples: Vec<StreamSample>,
    pub markers: Vec<StreamMarker>,
}

/// What the stats panel shows: the streams going on (or each platform's last) with their
/// samples, and the list of every recorded stream.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatsSnapshot {
    /// Each platform's latest stream.
    pub current: Vec<StreamRecord>,
    /// Every recorded stream, newest first (at most a few hundred).
    pub streams: Vec<StreamSummary>,
}
