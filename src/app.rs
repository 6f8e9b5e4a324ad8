//! The window: `logic` drains the backend's events into `AppState` (and images into
//! textures); `ui` lays out the panels, which emit commands that are sent after drawing.
//! Nothing here waits on I/O.

use crate::backend::{self, BackendConfig, BackendHandle, EventReceiver};
use crate::command::{Command, Event};
use crate::model::ChannelTarget;
use crate::model::{PlatformId, ViewerList};
use crate::state::AppState;
use crate::ui::textures::Textures;
use crate::ui::{self, LocalState, PanelCx, ViewState};
use eframe::egui;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use time::OffsetDateTime;

/// How long news (chat, polled lists) may wait to be drawn: a window nobody touches draws
/// at most four frames a second however fast events come, so it costs next to nothing
/// beside a streaming encoder.
pub const NEWS_FRAME: Duration = Duration::from_millis(250);

/// Below this width the chat shares the centre with the people lists instead of having a
/// column of its own.
const NARROW: f32 = 1100.0;

/// The storage key of the view state; demo drafts are kept apart from real ones.
fn storage_key(demo: bool) -> &'static str {
    if demo {
        "stagehand-view-demo"
    } else {
        "stagehand-view"
    }
}

/// How the window is started.
pub struct Launch {
    pub demo: bool,
    pub backend: BackendConfig,
    pub runtime: tokio::runtime::Handle,
    /// Kept alive as long as the window (the demo's simulators).
    pub keep_alive: Vec<Box<dyn std::any::Any>>,
    /// The client IDs already known (environment or settings file), to fill Settings.
    pub client_ids: BTreeMap<PlatformId, String>,
    /// The loopback port sign-ins listen on, unless the user changes it in Settings.
    pub redirect_port: u16,
    /// Said once in Settings: no credential store, an unreadable settings file.
    pub notices: Vec<String>,
}

impl Launch {
    /// A launch with the given backend and nothing else known: what tests start from.
    pub fn new(demo: bool, backend: BackendConfig, runtime: tokio::runtime::Handle) -> Self {
        Launch {
            demo,
            backend,
            runtime,
            keep_alive: Vec::new(),
            client_ids: BTreeMap::new(),
            redirect_port: crate::auth::DEFAULT_PORT,
            notices: Vec::new(),
        }
    }
}

/// The control panel.
pub struct StagehandApp {
    state: AppState,
    view: ViewState,
    local: LocalState,
    textures: Textures,
    backend: BackendHandle,
    events: EventReceiver,
    /// The context the backend wakes; set on the first frame.
    wake_target: Arc<OnceLock<egui::Context>>,
    outbox: Vec<Command>,
    frames: FrameCount,
    _keep_alive: Vec<Box<dyn std::any::Any>>,
}

/// Frames drawn, logged every ten seconds at debug level (`RUST_LOG=stagehand=debug`):
/// how a streamer or a bug report tells how often the window wakes.
struct FrameCount {
    since: std::time::Instant,
    frames: u32,
}

impl FrameCount {
    const EVERY: Duration = Duration::from_secs(10);

    fn tick(&mut self) {
        self.frames += 1;
        let elapsed = self.since.elapsed();
        if elapsed >= Self::EVERY {
            tracing::debug!(
                "{} frames in the last {:.1} s ({:.1} a second)",
                self.frames,
                elapsed.as_secs_f64(),
                f64::from(self.frames) / elapsed.as_secs_f64()
            );
            self.frames = 0;
            self.since = std::time::Instant::now();
        }
    }
}

impl StagehandApp {
    /// Starts the backend and asks every configured platform for its account, channel, top
    /// categories, and to keep them fresh.
    pub fn new(launch: Launch, storage: Option<&dyn eframe::Storage>) -> Self {
        let platforms: Vec<PlatformId> = launch.backend.clients.keys().copied().collect();
        let wake_target: Arc<OnceLock<egui::Context>> = Arc::new(OnceLock::new());
        let target = Arc::clone(&wake_target);
        // A burst of events wakes the UI once: an answer is drawn a few milliseconds later,
        // news at most `NEWS_FRAME` after it came (egui keeps the earliest deadline asked
        // for, so a stream of news draws at most a few frames a second; input still draws
        // at once).
        let waker: backend::Waker = Arc::new(move |wake| {
            if let Some(ctx) = target.get() {
                ctx.request_repaint_after(match wake {
                    backend::Wake::Answer => Duration::from_millis(8),
                    backend::Wake::News => NEWS_FRAME,
                });
            }
        });
        let (backend, events) = backend::spawn(&launch.runtime, launch.backend, waker);
        let view = storage
            .and_then(|s| eframe::get_value::<ViewState>(s, storage_key(launch.demo)))
            .unwrap_or_default();
        let local = LocalState {
            accounts: ui::settings::AccountForms::new(&launch.client_ids, launch.redirect_port),
            ..Default::default()
        };
        let mut app = StagehandApp {
            state: AppState {
                demo: launch.demo,
                notices: launch.notices,
                ..Default::default()
            },
            view,
            local,
            textures: Textures::default(),
            backend,
            events,
            wake_target,
            outbox: Vec::new(),
            frames: FrameCount {
                since: std::time::Instant::now(),
                frames: 0,
            },
            _keep_alive: launch.keep_alive,
        };
        for platform in platforms {
            app.start(platform);
        }
        // Presets, recent titles and remembered categories, read off the UI thread.
        app.send(Command::ChangeSaved {
            change: crate::model::SavedChange::Load,
        });
        app.send(Command::LoadStats);
        app.local.picker.sent_query = Some(String::new());
        app
    }

    /// Asks a platform that is signed in for its account, channel and top categories, and
    /// to keep them fresh: at start, and again after each sign-in.
    fn start(&mut self, platform: PlatformId) {
        self.state.platform_mut(platform);
        self.send(Command::LoadAccount { platform });
        // Also tells the client when the token lapses, so it refreshes in time.
        self.send(Command::LoadSignInStatus { platform });
        let id = self.backend.next_request_id();
        self.send(Command::LoadChannel {
            platform,
            target: ChannelTarget::Own,
            request_id: id,
        });
        self.send(Command::Watch { platform });
        // The top list gives the live category its icon before the picker is opened.
        let id = self.backend.next_request_id();
        self.send(Command::SearchCategories {
            platform,
            query: String::new(),
            limit: Some(100),
            request_id: id,
        });
    }

    /// Folds every waiting event into the state. Never blocks.
    pub fn drain(&mut self, ctx: &egui::Context) {
        let _ = self.wake_target.set(ctx.clone());
        while let Ok(event) = self.events.try_recv() {
            match event {
                Event::ImageLoaded { url, result } => {
                    let result = result.as_deref().map_err(|_| ());
                    self.textures.loaded(ctx, url, result);
                    ctx.request_repaint();
                }
                event => {
                    self.settle_draft(&event);
                    let signed_in = match &event {
                        Event::SignedIn {
                            platform,
                            result: Ok(_),
                            ..
                        } => Some(*platform),
                        _ => None,
                    };
                    self.state.apply(event);
                    if let Some(platform) = signed_in {
                        self.start(platform);
                    }
                }
            }
        }
    }

    /// After a successful Apply, the draft keeps only what still differs from what the
    /// platform now reports.
    fn settle_draft(&mut self, event: &Event) {
        if let Event::ChannelUpdated {
            platform,
            result: Ok(channel),
            ..
        } = event
            && let Some(draft) = self.view.drafts.get_mut(platform)
        {
            draft.settle(channel);
            if *draft == Default::default() {
                self.view.drafts.remove(platform);
            }
        }
    }

    /// Draws the whole window.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        ui.ctx().set_theme(self.view.theme.preference());
        let mut cx = PanelCx {
            state: &self.state,
            view: &mut self.view,
            local: &mut self.local,
            textures: &mut self.textures,
            ids: self.backend.request_ids(),
            out: &mut self.outbox,
            now: OffsetDateTime::now_utc(),
        };
        let narrow = ui.available_width() < NARROW;
        egui::Panel::top("top_bar")
            .exact_size(40.0)
            .show(ui, |ui| ui::top_bar::show(ui, &mut cx));
        egui::Panel::bottom("status_bar")
            .exact_size(26.0)
            .show(ui, |ui| ui::status_bar::show(ui, &mut cx));
        if cx.state.platforms.is_empty() {
            // Nothing signed in (a first start, or after Sign out): say how to begin.
            egui::CentralPanel::default().show(ui, |ui| ui::welcome::show(ui, &mut cx));
        } else {
            Self::draw_panels(ui, &mut cx, narrow);
        }
        if cx.local.settings_open {
            ui::settings::show(ui.ctx(), &mut cx);
        }
        for command in std::mem::take(&mut self.outbox) {
            self.send(command);
        }
    }

    /// The stream info, people and chat panels of the shown platform.
    fn draw_panels(ui: &mut egui::Ui, cx: &mut PanelCx<'_>, narrow: bool) {
        egui::Panel::left("stream_info")
            .resizable(true)
            .default_size(if narrow { 320.0 } else { 380.0 })
            .min_size(280.0)
            .max_size(520.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("stream_info_scroll")
                    .show(ui, |ui| {
                        // Room for the scroll bar, which floats over the content's right
                        // edge and would cover the title's counter.
                        let room = egui::Margin {
                            right: 12,
                            ..egui::Margin::ZERO
                        };
                        egui::Frame::NONE
                            .inner_margin(room)
                            .show(ui, |ui| ui::stream_info::show(ui, cx));
                    });
            });
        if !narrow {
            egui::Panel::right("chat")
                .resizable(true)
                .default_size(340.0)
                .min_size(260.0)
                .show(ui, |ui| ui::chat::show(ui, cx));
        }
        egui::CentralPanel::default().show(ui, |ui| {
            let new = ui::activity::unseen(cx);
            ui.horizontal(|ui| {
                let chat = narrow && cx.local.narrow_shows_chat;
                let activity = !chat && cx.view.show_activity;
                let stats = !chat && !activity && cx.view.show_stats;
                if ui
                    .selectable_label(!chat && !activity && !stats, "People")
                    .clicked()
                {
                    cx.local.narrow_shows_chat = false;
                    cx.view.show_activity = false;
                    cx.view.show_stats = false;
                }
                if narrow && ui.selectable_label(chat, "Chat").clicked() {
                    cx.local.narrow_shows_chat = true;
                }
                let label = match new {
                    0 => "Activity".to_owned(),
                    n => format!("Activity ({n} new)"),
                };
                if ui.selectable_label(activity, label).clicked() {
                    cx.local.narrow_shows_chat = false;
                    cx.view.show_activity = true;
                    cx.view.show_stats = false;
                }
                if ui.selectable_label(stats, "Stats").clicked() {
                    cx.local.narrow_shows_chat = false;
                    cx.view.show_activity = false;
                    cx.view.show_stats = true;
                }
            });
            ui.separator();
            if narrow && cx.local.narrow_shows_chat {
                ui::chat::show(ui, cx);
            } else if cx.view.show_activity {
                ui::activity::show(ui, cx);
            } else if cx.view.show_stats {
                ui::stats::show(ui, cx);
            } else {
                ui::people::show(ui, cx);
            }
        });
    }

    fn send(&mut self, command: Command) {
        self.state.note_sent(&command);
        self.backend.send(command);
    }

    /// The state, for tests and benchmarks.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The view state (drafts and choices), for tests.
    pub fn view(&self) -> &ViewState {
        &self.view
    }

    /// The view state, to change, for tests.
    pub fn view_mut(&mut self) -> &mut ViewState {
        &mut self.view
    }

    /// The state itself, for the frame benchmark, which loads lists straight in to measure
    /// drawing rather than the network.
    pub fn state_mut(&mut self) -> &mut AppState {
        &mut self.state
    }

    /// The viewer list the people panel shows, for tests.
    pub fn viewers(&self, platform: PlatformId) -> Option<Arc<ViewerList>> {
        self.state.platforms.get(&platform)?.viewers.clone()
    }
}

impl eframe::App for StagehandApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.drain(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frames.tick();
        self.draw(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, storage_key(self.state.demo), &self.view);
    }
}
