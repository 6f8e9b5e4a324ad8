//! The backend's side of stream stats: every event the backend emits passes the recorder
//! on its way to the UI (so sampling makes no call of its own), and every 10 s what it
//! recorded is written to the database in one batch, off the UI thread.

use super::Shared;
use super::export::{ask_where, off_thread};
use super::saved::with_store;
use crate::command::Event;
use crate::stats::Recorder;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// The recorder the emitter feeds, shared with the writer.
pub(crate) type SharedRecorder = Arc<Mutex<Recorder>>;

/// Folds one event into the recorder, if it says something a stream's figures need (the
/// lock is taken only then: most events are not).
pub(crate) fn observe(recorder: &SharedRecorder, event: &Event) {
    let r = || recorder.lock().unwrap_or_else(|e| e.into_inner());
    match event {
        Event::ChannelLoaded {
            platform,
            result: Ok(channel),
            ..
        }
        | Event::ChannelUpdated {
            platform,
            result: Ok(channel),
            ..
        } => r().channel(*platform, channel, OffsetDateTime::now_utc()),
        Event::FollowersLoaded {
            platform,
            result: Ok(list),
            ..
        } => r().followers(*platform, list.total),
        Event::SubscribersLoaded {
            platform,
            result: Ok(list),
            ..
        } => r().subscribers(*platform, list.total),
        Event::ChatArrived { platform, events } => r().events(*platform, events),
        _ => {}
    }
}

/// Writes what was recorded every `Intervals::stats` (10 s) until the UI goes away.
pub(crate) async fn run(shared: Arc<Shared>, recorder: SharedRecorder) {
    let mut every = tokio::time::interval(shared.intervals.stats);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every.tick().await;
    loop {
        every.tick().await;
        if shared.out.is_closed() {
            return;
        }
        let writes = recorder
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .tick(OffsetDateTime::now_utc());
        if writes.is_empty() {
            continue;
        }
        match with_store(&shared, move |store| store.write_streams(&writes)).await {
            // The panel sees the new samples.
            Ok(()) => load(&shared).await,
            Err(e) => tracing::warn!("stream stats not kept: {e}"),
        }
    }
}

/// How many past streams the panel lists.
const LISTED: usize = 300;

/// Reads what the stats panel shows and sends it.
pub(crate) async fn load(shared: &Shared) {
    let result = with_store(shared, |store| store.stats_snapshot(LISTED)).await;
    shared.out.emit(Event::StatsLoaded {
        result: result.map(Arc::new),
    });
}

/// Reads one past stream and sends it.
pub(crate) async fn load_stream(shared: &Shared, id: i64) {
    let result = with_store(shared, move |store| store.stream_record(id))
        .await
        .and_then(|r| r.ok_or_else(|| format!("there is no stream {id}")));
    shared.out.emit(Event::StreamLoaded {
        id,
        result: result.map(Arc::new),
    });
}

/// Asks where to save a stream's CSV and writes it.
pub(crate) async fn export(shared: &Shared, id: i64) {
    let result = async {
        let name = format!("stream-{id}.csv");
        let Some(path) = ask_where("Export the stream as CSV", &name, "csv").await else {
            return Ok(None);
        };
        let record = with_store(shared, move |store| store.stream_record(id))
            .await?
            .ok_or_else(|| format!("there is no stream {id}"))?;
        let target = path.clone();
        off_thread(move || crate::stats::write_csv(&target, &record)).await?;
        Ok(Some(path))
    }
    .await;
    shared.out.emit(Event::StreamExported { result });
}

/// Asks where to save the graph and writes it as PNG.
pub(crate) async fn save_png(shared: &Shared, image: Arc<eframe::egui::ColorImage>) {
    let result = async {
        let Some(path) = ask_where("Save the graph as PNG", "stream-graph.png", "png").await else {
            return Ok(None);
        };
        let target = path.clone();
        off_thread(move || {
            let bytes = crate::stats::encode_png(&image)?;
            std::fs::write(&target, bytes)
                .map_err(|e| format!("could not write {}: {e}", target.display()))
        })
        .await?;
        Ok(Some(path))
    }
    .await;
    shared.out.emit(Event::StreamExported { result });
}
