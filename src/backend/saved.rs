//! The backend's side of the local database: opened on first use in a blocking task (never
//! on the UI thread), changed on the user's behalf, and told of every title and category a
//! platform took (the history).

use super::Shared;
use super::export::{ask_where, ask_which, off_thread};
use crate::command::Event;
use crate::model::{Channel, HistoryEntry, PickedCategory, PlatformId, Saved, SavedChange};
use crate::store::{Store, StoreError};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// How many history entries and recent titles the window is sent.
const HISTORY_SHOWN: usize = 200;
const TITLES_SHOWN: usize = 30;

/// Where the database is and, once opened, the store itself (`None`: not configured, or
/// it could not be opened; the window says so once and works without it).
pub(crate) struct StoreSlot {
    path: Option<PathBuf>,
    store: OnceCell<Option<Store>>,
    /// `--demo`: a database without streams gets a few past ones to show.
    seed_demo_streams: bool,
}

impl StoreSlot {
    pub(crate) fn new(path: Option<PathBuf>, seed_demo_streams: bool) -> Self {
        StoreSlot {
            path,
            store: OnceCell::new(),
            seed_demo_streams,
        }
    }
}

/// The store, opening it on first use; a set-aside file or a failure is told once.
pub(crate) async fn store(shared: &Shared) -> Option<Store> {
    let slot = &shared.store;
    slot.store
        .get_or_init(|| async {
            let path = slot.path.clone()?;
            let seed = slot.seed_demo_streams;
            let opened = tokio::task::spawn_blocking(move || {
                let opened = Store::open(&path)?;
                if seed && opened.store.streams(1)?.is_empty() {
                    let past = crate::stats::demo_past_streams(time::OffsetDateTime::now_utc());
                    opened.store.write_streams(&past)?;
                }
                Ok::<_, StoreError>(opened)
            })
            .await;
            match opened {
                Ok(Ok(opened)) => {
                    if let Some(aside) = &opened.set_aside {
                        shared.out.emit(Event::StoreNotice {
                            message: aside.message(),
                        });
                    }
                    Some(opened.store)
                }
                Ok(Err(e)) => {
                    tracing::warn!("{e}");
                    shared.out.emit(Event::StoreNotice {
                        message: format!(
                            "Presets, history and category mappings are not kept this time: {e}"
                        ),
                    });
                    None
                }
                Err(e) => {
                    tracing::warn!("opening the database: {e}");
                    None
                }
            }
        })
        .await
        .clone()
}

/// Runs `f` on the store in a blocking task.
pub(crate) async fn with_store<T: Send + 'static>(
    shared: &Shared,
    f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, String> {
    let store = store(shared)
        .await
        .ok_or_else(|| "the local database is not available".to_owned())?;
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| format!("the database task failed: {e}"))?
        .map_err(|e| e.to_string())
}

/// Applies a change and answers with everything the database keeps.
pub(crate) async fn change(shared: Arc<Shared>, change: SavedChange) {
    let (change, note) = match change {
        SavedChange::ExportPresets => match export(&shared).await {
            Ok(note) => (SavedChange::Load, note),
            Err(e) => return fail(&shared, e),
        },
        SavedChange::ImportPresets => match import(&shared).await {
            Ok(note) => (SavedChange::Load, note),
            Err(e) => return fail(&shared, e),
        },
        other => (other, None),
    };
    let result = with_store(&shared, move |store| {
        match change {
            SavedChange::Load | SavedChange::ExportPresets | SavedChange::ImportPresets => {}
            SavedChange::SavePreset(p) => {
                store.save_preset(&p)?;
            }
            SavedChange::RenamePreset { from, to } => {
                store.rename_preset(&from, &to)?;
            }
            SavedChange::DeletePreset(name) => {
                store.delete_preset(&name)?;
            }
            SavedChange::RememberMapping(categories) => {
                store.remember_mapping(&categories)?;
            }
            SavedChange::ForgetMapping(id) => {
                store.forget_mapping(id)?;
            }
            SavedChange::ForgetMappingMember { id, platform } => {
                store.forget_mapping_member(id, platform)?;
            }
        }
        snapshot(store)
    })
    .await;
    shared.out.emit(Event::SavedLoaded {
        result: result.map(Arc::new),
        note,
    });
}

fn fail(shared: &Shared, e: String) {
    shared.out.emit(Event::SavedLoaded {
        result: Err(e),
        note: None,
    });
}

/// Asks where to save the presets and writes them; `None` when the user cancelled.
async fn export(shared: &Shared) -> Result<Option<String>, String> {
    let Some(path) = ask_where("Export presets", "stagehand-presets.json", "json").await else {
        return Ok(None);
    };
    let text = with_store(shared, |store| store.export_presets()).await?;
    let target = path.clone();
    off_thread(move || {
        std::fs::write(&target, text)
            .map_err(|e| format!("could not write {}: {e}", target.display()))
    })
    .await?;
    Ok(Some(format!("Exported to {}", path.display())))
}

/// Asks for a presets file and imports it, all or none.
async fn import(shared: &Shared) -> Result<Option<String>, String> {
    let Some(path) = ask_which("Import presets", "json").await else {
        return Ok(None);
    };
    let source = path.clone();
    let text = off_thread(move || {
        std::fs::read_to_string(&source)
            .map_err(|e| format!("could not read {}: {e}", source.display()))
    })
    .await?;
    let n = with_store(shared, move |store| Ok(store.import_presets(&text)))
        .await?
        .map_err(|e| format!("{e}; nothing was imported"))?;
    Ok(Some(format!(
        "Imported {n} presets from {}",
        path.display()
    )))
}

fn snapshot(store: &Store) -> Result<Saved, StoreError> {
    Ok(Saved {
        presets: store.presets()?,
        recent_titles: store.recent_titles(TITLES_SHOWN)?,
        history: store.history(None, HISTORY_SHOWN)?,
        mappings: store.mappings()?,
    })
}

/// Keeps the title and category `platform` took in the history, and tells the window.
/// Without a database there is nothing to keep.
pub(crate) async fn record_applied(shared: &Shared, platform: PlatformId, channel: &Channel) {
    if shared.store.path.is_none() {
        return;
    }
    let category = channel.category.as_ref().and_then(|c| {
        Some(PickedCategory::new(
            c.id.clone()?,
            c.name.clone().unwrap_or_default(),
        ))
    });
    let entry = HistoryEntry {
        platform,
        title: channel.title.clone(),
        category,
        at: time::OffsetDateTime::now_utc(),
    };
    let result = with_store(shared, move |store| {
        store.record(&entry)?;
        snapshot(store)
    })
    .await;
    match result {
        Ok(saved) => shared.out.emit(Event::SavedLoaded {
            result: Ok(Arc::new(saved)),
            note: None,
        }),
        Err(e) => tracing::warn!("the history was not kept: {e}"),
    }
}
