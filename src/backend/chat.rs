//! Keeps one platform's live connection up while the window watches it, through the
//! shared follow loop: forwards the events as `ChatArrived` and says where the connection
//! stands with `ChatFeedChanged`.

use super::Emitter;
use crate::command::Event;
use crate::platform::PlatformClient;
use crate::platform::chat_feed::{FeedReport, follow_live};

/// Follows the channel until the UI goes away (or the task is aborted on sign-out).
pub(super) async fn run(client: PlatformClient, out: Emitter) {
    let platform = client.platform();
    follow_live(client, |report| {
        if out.is_closed() {
            return false;
        }
        match report {
            FeedReport::Status(status) => out.emit(Event::ChatFeedChanged { platform, status }),
            FeedReport::Backlog(events) | FeedReport::Events(events) => {
                out.emit(Event::ChatArrived { platform, events });
            }
        }
        true
    })
    .await;
}
