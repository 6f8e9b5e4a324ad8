//! `stagehand stats`: what the window recorded of the streams, read from the database (the
//! headless command samples nothing itself): each platform's current or last stream and the
//! total, every stream, one stream as CSV.

use super::output::{Output, output};
use super::saved::{blocking, open};
use crate::model::{StreamSample, StreamSummary};
use crate::stats::total_viewers;
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::path::Path;

/// How many streams `stats streams` lists.
const LISTED: usize = 1_000;

use crate::model::utc_rfc3339_seconds as stamp;

/// A stream as the JSON prints it.
fn view(s: &StreamSummary, now: time::OffsetDateTime) -> Value {
    let end = s.ended_at.unwrap_or(now);
    json!({
        "id": s.id,
        "platform": s.platform,
        "started_at": stamp(s.started_at),
        "ended_at": s.ended_at.map(stamp),
        "live": s.ended_at.is_none(),
        "length_secs": (end - s.started_at).whole_seconds().max(0),
        "title": s.title,
        "category": s.category,
        "peak_viewers": s.peak_viewers,
        "average_viewers": s.average_viewers.map(|a| (a * 10.0).round() / 10.0),
        "followers_gained": s.followers_gained,
        "messages": s.messages,
    })
}

fn line(s: &StreamSummary, now: time::OffsetDateTime) -> String {
    let minutes = (s.ended_at.unwrap_or(now) - s.started_at)
        .whole_minutes()
        .max(0);
    let n = |v: Option<u64>| v.map_or_else(|| "-".to_owned(), |v| v.to_string());
    format!(
        "#{} {:<7} {} {} min{}  peak {}  avg {}  +{} followers  {} messages  {}",
        s.id,
        s.platform.slug(),
        stamp(s.started_at),
        minutes,
        if s.ended_at.is_none() { " LIVE" } else { "" },
        n(s.peak_viewers),
        s.average_viewers
            .map_or_else(|| "-".to_owned(), |a| format!("{a:.0}")),
        s.followers_gained.unwrap_or(0),
        s.messages,
        s.title
    )
}

/// `stats`: each platform's current or last stream, and the total across them.
pub(super) async fn current(demo: bool) -> Result<Output, String> {
    let store = open(demo).await?;
    let (streams, samples) = blocking(&store, |s| {
        let streams = s.latest_streams().map_err(|e| e.to_string())?;
        let mut samples: Vec<StreamSample> = Vec::new();
        for st in &streams {
            samples.extend(s.samples(st.id).map_err(|e| e.to_string())?);
        }
        Ok((streams, samples))
    })
    .await?;
    let now = time::OffsetDateTime::now_utc();
    let total = total_viewers(&samples);
    let peak = total.iter().map(|(_, v)| *v).max();
    let average = (!total.is_empty())
        .then(|| total.iter().map(|(_, v)| *v as f64).sum::<f64>() / total.len() as f64);
    let gained: u64 = streams.iter().filter_map(|s| s.followers_gained).sum();
    let messages: u64 = streams.iter().map(|s| s.messages).sum();
    let mut text = String::new();
    for s in &streams {
        let _ = writeln!(text, "{}", line(s, now));
    }
    if streams.is_empty() {
        text.push_str("no stream recorded yet: the window records while you are live\n");
    } else {
        let _ = writeln!(
            text,
            "total: peak {}  avg {}  +{gained} followers  {messages} messages",
            peak.map_or_else(|| "-".to_owned(), |p| p.to_string()),
            average.map_or_else(|| "-".to_owned(), |a| format!("{a:.0}")),
        );
    }
    let rows: Vec<Value> = streams.iter().map(|s| view(s, now)).collect();
    output(
        &json!({
            "streams": rows,
            "total": {
                "peak_viewers": peak,
                "average_viewers": average.map(|a| (a * 10.0).round() / 10.0),
                "followers_gained": gained,
                "messages": messages,
            },
        }),
        text,
    )
}

/// `stats streams`: every recorded stream, newest first.
pub(super) async fn streams(demo: bool) -> Result<Output, String> {
    let store = open(demo).await?;
    let streams = blocking(&store, |s| s.streams(LISTED).map_err(|e| e.to_string())).await?;
    let now = time::OffsetDateTime::now_utc();
    let mut text = String::new();
    for s in &streams {
        let _ = writeln!(text, "{}", line(s, now));
    }
    if streams.is_empty() {
        text.push_str("no stream recorded yet\n");
    }
    let rows: Vec<Value> = streams.iter().map(|s| view(s, now)).collect();
    output(&json!({ "streams": rows }), text)
}

/// `stats export ID FILE.csv`: the stream's samples (chat as messages a minute) and its
/// markers, in time order.
pub(super) async fn export(demo: bool, id: i64, file: &Path) -> Result<Output, String> {
    let store = open(demo).await?;
    let record = blocking(&store, move |s| {
        s.stream_record(id).map_err(|e| e.to_string())
    })
    .await?
    .ok_or_else(|| format!("there is no stream {id} (see `stagehand stats streams`)"))?;
    let path = file.to_path_buf();
    let rows = record.samples.len();
    tokio::task::spawn_blocking(move || crate::stats::write_csv(&path, &record))
        .await
        .map_err(|e| format!("the export stopped: {e}"))??;
    let shown = file.display().to_string();
    output(
        &json!({ "exported": shown, "samples": rows }),
        format!("exported {rows} samples to {shown}\n"),
    )
}
