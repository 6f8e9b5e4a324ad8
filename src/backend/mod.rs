//! The tokio side: serves `Command`s with the platform clients and answers with `Event`s,
//! waking the UI after each. Every command runs as a task of its own, so a 100,000-viewer
//! load never delays a chat line.

use crate::command::{Command, Event, RequestId};
use crate::model::PlatformId;
use crate::platform::PlatformClient;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::mpsc;

/// Called after every event, so a sleeping UI draws it (`request_repaint` in the window, a
/// no-op for headless commands).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// The UI's end of the backend: sends commands, hands out request ids.
#[derive(Clone)]
pub struct BackendHandle {
    commands: mpsc::UnboundedSender<Command>,
    next_id: Arc<AtomicU64>,
}

impl BackendHandle {
    /// A fresh id for a command whose answer the caller will look for.
    pub fn next_request_id(&self) -> RequestId {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Queues a command. Never blocks; a backend that has stopped drops it silently, which
    /// only happens while the app is closing.
    pub fn send(&self, command: Command) {
        if self.commands.send(command).is_err() {
            tracing::debug!("backend stopped; command dropped");
        }
    }
}

/// The receiving end of the backend's events.
pub type EventReceiver = mpsc::UnboundedReceiver<Event>;

/// Starts the backend on `runtime` with one client per configured platform.
pub fn spawn(
    runtime: &tokio::runtime::Handle,
    clients: HashMap<PlatformId, PlatformClient>,
    waker: Waker,
) -> (BackendHandle, EventReceiver) {
    let (cmd_tx, mut cmd_rx) = mpsc::unbounded_channel::<Command>();
    let (ev_tx, ev_rx) = mpsc::unbounded_channel::<Event>();
    let clients = Arc::new(clients);
    runtime.spawn(async move {
        while let Some(command) = cmd_rx.recv().await {
            let clients = Arc::clone(&clients);
            let out = Emitter {
                tx: ev_tx.clone(),
                waker: Arc::clone(&waker),
            };
            tokio::spawn(async move { serve(command, &clients, &out).await });
        }
    });
    (
        BackendHandle {
            commands: cmd_tx,
            next_id: Arc::new(AtomicU64::new(1)),
        },
        ev_rx,
    )
}

struct Emitter {
    tx: mpsc::UnboundedSender<Event>,
    waker: Waker,
}

impl Emitter {
    fn emit(&self, event: Event) {
        if self.tx.send(event).is_ok() {
            (self.waker)();
        }
    }
}

async fn serve(command: Command, clients: &HashMap<PlatformId, PlatformClient>, out: &Emitter) {
    let platform = command.platform();
    let Some(client) = clients.get(&platform) else {
        out.emit(Event::NotConfigured {
            platform,
            request_id: command.request_id(),
        });
        return;
    };
    let event = match command {
        Command::LoadAccount { platform } => Event::AccountLoaded {
            platform,
            result: client.account().await,
            capabilities: client.capabilities(),
        },
        Command::LoadChannel {
            platform,
            target,
            request_id,
        } => Event::ChannelLoaded {
            platform,
            request_id,
            result: client.channel(&target).await,
        },
        Command::UpdateChannel {
            platform,
            changes,
            request_id,
        } => Event::ChannelUpdated {
            platform,
            request_id,
            result: client.update_channel(&changes).await,
        },
        Command::SearchCategories {
            platform,
            query,
            limit,
            request_id,
        } => Event::CategoriesFound {
            platform,
            request_id,
            result: client.categories(&query, limit).await,
        },
        Command::LoadViewers {
            platform,
            channel_id,
            request_id,
        } => Event::ViewersLoaded {
            platform,
            request_id,
            result: client.viewers(channel_id.as_deref()).await.map(Arc::new),
        },
        Command::LoadFollowers {
            platform,
            channel_id,
            limit,
            request_id,
        } => Event::FollowersLoaded {
            platform,
            request_id,
            result: client
                .followers(channel_id.as_deref(), limit)
                .await
                .map(Arc::new),
        },
        Command::LoadSubscribers {
            platform,
            request_id,
        } => Event::SubscribersLoaded {
            platform,
            request_id,
            result: client.subscribers().await.map(Arc::new),
        },
        Command::SendChat {
            platform,
            message,
            channel_id,
            request_id,
        } => {
            let result = client.send_chat(&message, channel_id.as_deref()).await;
            Event::ChatSent {
                platform,
                request_id,
                message,
                result,
            }
        }
    };
    out.emit(event);
    if let Some(budget) = client.rate_budget() {
        out.emit(Event::RateBudget { platform, budget });
    }
}
