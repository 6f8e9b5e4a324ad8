//! What a platform's chat connection hands the backend. Each platform follows chat its own
//! way (Trovo's chat socket, Twitch's EventSub socket, Velora's history endpoint); they all
//! report through this one channel, and the backend does the reconnecting.

use crate::model::ChatMessage;
pub use crate::model::ChatRemoval;
use tokio::sync::mpsc;

/// One report from a chat connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChatFeedItem {
    /// The connection is up: what arrives from now on is live.
    Connected,
    /// Lines written before the connection came up (a history read, a replay on connect),
    /// oldest first: context for a reader, not news for a bot.
    Backlog(Vec<ChatMessage>),
    /// New lines, oldest first. A connection may repeat a line it sent before (a replay
    /// after reconnecting); the receiver tells them apart by id.
    Messages(Vec<ChatMessage>),
    /// Lines a moderator removed, here or elsewhere (Twitch says so; Trovo and Velora do
    /// not).
    Removed(ChatRemoval),
}

/// Where a chat connection sends its reports. When the receiver is gone, the connection
/// ends with `Ok(())`.
pub type ChatSink = mpsc::UnboundedSender<ChatFeedItem>;
