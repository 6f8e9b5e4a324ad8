//! The tokio side: serves `Command`s with the platform clients and answers with `Event`s,
//! waking the UI after each. Every command runs as a task of its own, so a 100,000-viewer
//! load never delays a chat line.

pub mod accounts;
mod chat;
mod export;
pub mod images;
mod mapping;
mod pollers;
mod saved;
mod stats;

use crate::command::{Command, Event, RequestIds};
use crate::model::PlatformId;
use crate::platform::PlatformClient;
use accounts::AccountSetup;
use images::ImageCache;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;

pub use pollers::Intervals;

/// Called after every event, so a sleeping UI draws it (`request_repaint` in the window, a
/// no-op for headless commands), saying how soon it matters.
pub type Waker = Arc<dyn Fn(Wake) + Send + Sync>;

/// How soon an event should be drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wake {
    /// It answers something the user did (or changes a sign-in): draw it at once.
    Answer,
    /// It is news nobody asked for (chat, a poll's fresh numbers): it can wait for the next
    /// of a few frames a second, so a busy stream does not keep the window drawing.
    News,
}

impl Wake {
    /// How `event` should wake the UI.
    pub fn for_event(event: &Event) -> Wake {
        let answer = event.request_id().is_some()
            || matches!(
                event,
                Event::SignedIn { .. }
                    | Event::SignedOut { .. }
                    | Event::NotConfigured { .. }
                    | Event::ImageLoaded { .. }
                    | Event::SavedLoaded { .. }
                    | Event::StoreNotice { .. }
            );
        if answer { Wake::Answer } else { Wake::News }
    }
}

/// The UI's end of the backend: sends commands, hands out request ids.
#[derive(Clone)]
pub struct BackendHandle {
    commands: mpsc::UnboundedSender<Command>,
    ids: RequestIds,
}

impl BackendHandle {
    /// A fresh id for a command whose answer the caller will look for (never `POLL`).
    pub fn next_request_id(&self) -> crate::command::RequestId {
        self.ids.next()
    }

    /// The id allocator the panels get, instead of this whole handle.
    pub fn request_ids(&self) -> &RequestIds {
        &self.ids
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

/// What the backend is started with.
pub struct BackendConfig {
    pub clients: HashMap<PlatformId, PlatformClient>,
    /// Where images are cached on disk; `None` keeps them in memory only.
    pub image_dir: Option<std::path::PathBuf>,
    pub intervals: Intervals,
    /// Signing in and out from the window.
    pub accounts: AccountSetup,
    /// The local database (presets, history, mappings); `None` keeps none.
    pub database: Option<std::path::PathBuf>,
    /// Record stream stats (the window does; a headless command does not).
    pub record_streams: bool,
    /// `--demo`'s window: seed a few past streams into a database that has none.
    pub seed_demo_streams: bool,
}

impl BackendConfig {
    /// Clients only: no disk cache, the default poll intervals, sign-ins in memory.
    pub fn new(clients: HashMap<PlatformId, PlatformClient>) -> Self {
        BackendConfig {
            clients,
            image_dir: None,
            intervals: Intervals::default(),
            accounts: AccountSetup::in_memory(),
            database: None,
            record_streams: false,
            seed_demo_streams: false,
        }
    }
}

/// Shared by every task the backend runs.
struct Shared {
    /// Changes only when the user signs in or out; never held across an `await`.
    clients: RwLock<HashMap<PlatformId, PlatformClient>>,
    images: ImageCache,
    intervals: Intervals,
    /// The running poller and chat connection of each watched platform, stopped on sign-out.
    watched: Mutex<HashMap<PlatformId, AbortHandle>>,
    /// Sign-ins waiting for the browser, by platform: sending (or dropping) cancels.
    sign_ins: Mutex<HashMap<PlatformId, oneshot::Sender<()>>>,
    accounts: AccountSetup,
    store: saved::StoreSlot,
    out: Emitter,
}

impl Shared {
    fn client(&self, platform: PlatformId) -> Option<PlatformClient> {
        let clients = self.clients.read().unwrap_or_else(|e| e.into_inner());
        clients.get(&platform).cloned()
    }

    fn watched(&self) -> MutexGuard<'_, HashMap<PlatformId, AbortHandle>> {
        self.watched.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn sign_ins(&self) -> MutexGuard<'_, HashMap<PlatformId, oneshot::Sender<()>>> {
        self.sign_ins.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Puts a new client in place of the old (or removes it) and stops the old one's
    /// poller, so nothing keeps calling with a token that was replaced or revoked. Returns
    /// the old client.
    fn replace_client(
        &self,
        platform: PlatformId,
        client: Option<PlatformClient>,
    ) -> Option<PlatformClient> {
        if let Some(poller) = self.watched().remove(&platform) {
            poller.abort();
        }
        let mut clients = self.clients.write().unwrap_or_else(|e| e.into_inner());
        match client {
            Some(c) => clients.insert(platform, c),
            None => clients.remove(&platform),
        }
    }
}

/// Starts the backend on `runtime`.
pub fn spawn(
    runtime: &tokio::runtime::Handle,
    config: BackendConfig,
    waker: Waker,
) -> (BackendHandle, EventReceiver) {
    let (cmd_tx, mut cmd_rx) = mpsc::unbounded_channel::<Command>();
    let (ev_tx, ev_rx) = mpsc::unbounded_channel::<Event>();
    let record = config.record_streams && config.database.is_some();
    let recorder = record.then(stats::SharedRecorder::default);
    let shared = Arc::new(Shared {
        clients: RwLock::new(config.clients),
        images: ImageCache::new(config.image_dir),
        intervals: config.intervals,
        watched: Mutex::new(HashMap::new()),
        sign_ins: Mutex::new(HashMap::new()),
        accounts: config.accounts,
        store: saved::StoreSlot::new(config.database, config.seed_demo_streams),
        out: Emitter {
            tx: ev_tx,
            waker,
            recorder: recorder.clone(),
        },
    });
    if let Some(recorder) = recorder {
        runtime.spawn(stats::run(Arc::clone(&shared), recorder));
    }
    runtime.spawn(async move {
        while let Some(command) = cmd_rx.recv().await {
            let shared = Arc::clone(&shared);
            tokio::spawn(async move { serve(command, shared).await });
        }
    });
    (
        BackendHandle {
            commands: cmd_tx,
            // 0 is `POLL`.
            ids: RequestIds::default(),
        },
        ev_rx,
    )
}

/// Sends events and wakes the UI.
#[derive(Clone)]
pub(crate) struct Emitter {
    tx: mpsc::UnboundedSender<Event>,
    waker: Waker,
    /// Stream stats see every event on its way out, so sampling makes no call of its own.
    recorder: Option<stats::SharedRecorder>,
}

impl Emitter {
    pub(crate) fn emit(&self, event: Event) {
        if let Some(recorder) = &self.recorder {
            stats::observe(recorder, &event);
        }
        let wake = Wake::for_event(&event);
        if self.tx.send(event).is_ok() {
            (self.waker)(wake);
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

async fn serve(command: Command, shared: Arc<Shared>) {
    let out = &shared.out;
    match command {
        Command::LoadImage { url } => {
            let result = shared.images.load(&url).await.map_err(|e| e.to_string());
            out.emit(Event::ImageLoaded { url, result });
            return;
        }
        Command::ExportCsv { platform, list } => {
            let result = export::ask_and_write(platform, &list).await;
            out.emit(Event::Exported { platform, result });
            return;
        }
        Command::SignIn {
            platform,
            client_id,
            client_secret,
            port,
        } => {
            accounts::sign_in(shared, platform, client_id, client_secret, port).await;
            return;
        }
        Command::CancelSignIn { platform } => {
            accounts::cancel(&shared, platform);
            return;
        }
        Command::SignOut { platform } => {
            accounts::sign_out(shared, platform).await;
            return;
        }
        Command::ChangeSaved { change } => {
            saved::change(shared, change).await;
            return;
        }
        Command::LoadStats => {
            stats::load(&shared).await;
            return;
        }
        Command::LoadStream { id } => {
            stats::load_stream(&shared, id).await;
            return;
        }
        Command::ExportStream { id } => {
            stats::export(&shared, id).await;
            return;
        }
        Command::SaveGraphPng { image } => {
            stats::save_png(&shared, image).await;
            return;
        }
        Command::MapCategory {
            name,
            from,
            platforms,
            request_id,
        } => {
            let proposals = mapping::map_category(&shared, &name, from.as_ref(), &platforms).await;
            out.emit(Event::CategoryMapped {
                request_id,
                name,
                proposals,
            });
            return;
        }
        _ => {}
    }
    let Some(platform) = command.platform() else {
        return;
    };
    let Some(client) = shared.client(platform) else {
        out.emit(Event::NotConfigured {
            platform,
            request_id: command.request_id(),
        });
        return;
    };
    let event = match command {
        Command::Watch { platform } => {
            if let std::collections::hash_map::Entry::Vacant(slot) =
                shared.watched().entry(platform)
            {
                // One task for both, so a sign-out's abort stops the lists and chat together.
                let (intervals, out) = (shared.intervals, out.clone());
                let poller = tokio::spawn(async move {
                    tokio::join!(
                        pollers::run(client.clone(), intervals, out.clone()),
                        chat::run(client, out),
                    );
                });
                slot.insert(poller.abort_handle());
            }
            return;
        }
        Command::LoadImage { .. }
        | Command::ExportCsv { .. }
        | Command::SignIn { .. }
        | Command::CancelSignIn { .. }
        | Command::SignOut { .. }
        | Command::ChangeSaved { .. }
        | Command::MapCategory { .. }
        | Command::LoadStats
        | Command::LoadStream { .. }
        | Command::ExportStream { .. }
        | Command::SaveGraphPng { .. } => return,
        Command::LoadEditors { platform } => Event::EditorsLoaded {
            platform,
            result: client.editors().await,
        },
        Command::LoadTeams { platform } => Event::TeamsLoaded {
            platform,
            result: client.teams().await,
        },
        Command::RegenerateStreamKey { platform } => Event::StreamKeyRegenerated {
            platform,
            result: client.regenerate_stream_key().await,
        },
        Command::Moderate {
            platform,
            action,
            who,
        } => {
            let result = client.moderate(&action, None).await;
            Event::Moderated {
                platform,
                action,
                who,
                result,
            }
        }
        Command::LoadVideos { platform, limit } => Event::VideosLoaded {
            platform,
            result: client.videos(limit).await,
        },
        Command::StartCommercial { platform, length } => Event::CommercialStarted {
            platform,
            result: client.start_commercial(length).await,
            at: time::OffsetDateTime::now_utc(),
        },
        Command::LoadSignInStatus { platform } => Event::SignInStatusLoaded {
            platform,
            result: client.sign_in_status().await,
        },
        Command::LoadStreamKey { platform } => Event::StreamKeyLoaded {
            platform,
            result: client.stream_key().await,
        },
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
        } => {
            let result = client.update_channel(&changes).await;
            if let Ok(channel) = &result {
                saved::record_applied(&shared, platform, channel).await;
            }
            Event::ChannelUpdated {
                platform,
                request_id,
                result,
            }
        }
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
            if let Some(budget) = client.chat_budget() {
                out.emit(Event::ChatBudget { platform, budget });
            }
            Event::ChatSent {
                platform,
                request_id,
                message,
                result,
            }
        }
    };
    out.emit(event);
    emit_budget(&client, out);
}

/// Tells the UI what is left of the rate limit after a call.
pub(crate) fn emit_budget(client: &PlatformClient, out: &Emitter) {
    if let Some(budget) = client.rate_budget() {
        out.emit(Event::RateBudget {
            platform: client.platform(),
            budget,
        });
    }
}
