//! Following a Velora channel over its events stream (`GET /api/events/stream`,
//! server-sent events): chat lines, follows, subscriptions, gifts and raids as they happen.
//! On connecting, the chat history (public, the newest lines) is read once as the backlog,
//! so the panel opens with context; what the stream sends from then on is news. Velora
//! ends the stream now and then and keeps it open with `: ping` comments: the end, or a
//! silence longer than `EventsTiming::silence`, ends the connection for the follow loop to
//! make again (a reconnect may repeat the last events; the loop drops them by id).

use super::VeloraClient;
use super::endpoints::HISTORY_MAX;
use super::events;
use crate::error::PlatformError;
use crate::platform::chat_feed::{ChatFeedItem, ChatSink};
use crate::platform::http;
use eventsource_stream::Eventsource as _;
use futures_util::StreamExt as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// The longest the stream may stay silent (no event, no ping) before it counts as lost.
pub const DEFAULT_SILENCE: Duration = Duration::from_secs(60);

/// Follows the own channel until `sink`'s receiver is gone (`Ok`), or the stream ends,
/// goes silent or fails (`Err`, for the follow loop to report and connect again).
pub async fn follow(client: &VeloraClient, sink: &ChatSink) -> Result<(), PlatformError> {
    let response = http::open_event_stream(client, client.inner.events_url.as_str()).await?;
    // Read after the stream is open, so nothing said in between is lost (what both hold
    // is dropped by id).
    let history = client.chat_history(None, HISTORY_MAX).await?;
    if sink.send(ChatFeedItem::Connected).is_err()
        || (!history.is_empty() && sink.send(ChatFeedItem::Backlog(history)).is_err())
    {
        return Ok(());
    }
    tracing::info!("Velora events stream connected");
    // Every chunk counts as a sign of life, the pings included (the parser drops those).
    let heard = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let bytes = futures_util::stream::unfold(response, {
        let heard = heard.clone();
        move |mut response| {
            let heard = heard.clone();
            async move {
                let chunk = response.chunk().await.transpose()?;
                heard.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
                Some((chunk, response))
            }
        }
    });
    let mut frames = Box::pin(bytes.eventsource());
    let silence = client.inner.events_silence;
    loop {
        let since_heard = started
            .elapsed()
            .saturating_sub(Duration::from_millis(heard.load(Ordering::Relaxed)));
        let wait = silence.saturating_sub(since_heard);
        tokio::select! {
            () = sink.closed() => return Ok(()),
            frame = frames.next() => match frame {
                None => return Err(ended("Velora ended the events stream")),
                Some(Err(e)) => {
                    tracing::debug!("Velora events stream: {e}");
                    return Err(ended("the events stream broke off"));
                }
                Some(Ok(frame)) => {
                    let Some(event) =
                        events::decode(&frame.event, &frame.data, OffsetDateTime::now_utc())
                    else {
                        continue;
                    };
                    if sink.send(ChatFeedItem::Events(vec![event])).is_err() {
                        return Ok(());
                    }
                }
            },
            () = tokio::time::sleep(wait) => {
                let quiet = started
                    .elapsed()
                    .saturating_sub(Duration::from_millis(heard.load(Ordering::Relaxed)));
                if quiet >= silence {
                    return Err(ended(&format!(
                        "the events stream was silent for {} s",
                        silence.as_secs().max(1)
                    )));
                }
            }
        }
    }
}

fn ended(detail: &str) -> PlatformError {
    PlatformError::Network {
        platform: crate::model::PlatformId::Velora,
        detail: detail.to_owned(),
    }
}
