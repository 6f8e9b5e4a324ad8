//! Headless commands on what the local database keeps: presets (`preset …`) and the
//! history of applied titles and categories (`history`). They read and write the store
//! directly, in a blocking task; applying a preset goes through the backend like
//! `all set`.

use super::across::{self, Across};
use super::args::{PlatformList, PresetCommand, PresetSaveArgs};
use super::output::{Output, output};
use super::session;
use crate::all_platforms::AllPlatformsDraft;
use crate::command::{Command, Event};
use crate::model::utc_rfc3339;
use crate::model::{CategoryProposal, ChannelTarget, PickedCategory, PlatformId, Preset};
use crate::store::Store;
use serde_json::json;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How many history entries `history` prints.
const HISTORY_PRINTED: usize = 1_000;

/// Opens the database of this run (`--demo` keeps its own) in a blocking task; a file set
/// aside is said on stderr, since the command still works.
pub(super) async fn open(demo: bool) -> Result<Store, String> {
    let path = Store::default_path(demo).map_err(|e| e.to_string())?;
    let opened = tokio::task::spawn_blocking(move || Store::open(&path))
        .await
        .map_err(|e| format!("the database task failed: {e}"))?
        .map_err(|e| e.to_string())?;
    if let Some(aside) = &opened.set_aside {
        eprintln!("stagehand: {}", aside.message());
    }
    Ok(opened.store)
}

/// Runs `f` on the store off the async threads.
pub(super) async fn blocking<T: Send + 'static>(
    store: &Store,
    f: impl FnOnce(&Store) -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| format!("the database task failed: {e}"))?
}

/// `history [--platform P]`.
pub(super) async fn history(demo: bool, platform: Option<PlatformId>) -> Result<Output, String> {
    let store = open(demo).await?;
    let entries = blocking(&store, move |s| {
        s.history(platform, HISTORY_PRINTED)
            .map_err(|e| e.to_string())
    })
    .await?;
    let mut text = String::new();
    let mut rows = Vec::new();
    for e in &entries {
        let at = utc_rfc3339(e.at);
        let category = e.category.as_ref().map(|c| c.name.as_str()).unwrap_or("-");
        let minute = crate::model::utc_rfc3339_seconds(e.at);
        let _ = writeln!(
            text,
            "{minute}  {:<7} {}  [{category}]",
            e.platform.slug(),
            e.title
        );
        rows.push(json!({
            "platform": e.platform,
            "title": e.title,
            "category": e.category.as_ref().map(|c| json!({"id": c.id, "name": c.name})),
            "at": at,
        }));
    }
    if entries.is_empty() {
        text.push_str("nothing applied yet\n");
    }
    output(&json!({ "history": rows }), text)
}

/// `preset …`; `Across` for `preset apply`, whose exit status says whether every platform
/// took it.
pub(super) async fn preset(demo: bool, command: PresetCommand) -> Result<Across, String> {
    let store = open(demo).await?;
    let done = Across::ok;
    match command {
        PresetCommand::Save(args) => save(demo, &store, args).await.map(done),
        PresetCommand::List => {
            let presets = blocking(&store, |s| s.presets().map_err(|e| e.to_string())).await?;
            let mut text = String::new();
            for p in &presets {
                let _ = writeln!(text, "{}\t{}", p.name, utc_rfc3339(p.updated_at));
            }
            if presets.is_empty() {
                text.push_str("no presets yet\n");
            }
            let rows: Vec<_> = presets
                .iter()
                .map(|p| json!({"name": p.name, "updated_at": utc_rfc3339(p.updated_at)}))
                .collect();
            output(&json!({ "presets": rows }), text).map(done)
        }
        PresetCommand::Show { name } => {
            let preset = find(&store, &name).await?;
            output(&shown(&preset), describe(&preset)).map(done)
        }
        PresetCommand::Apply { name, only } => {
            let preset = find(&store, &name).await?;
            let only = only.only.map(|PlatformList(p)| p);
            let mut sessions = session::connect_all(demo, only.as_deref()).await?;
            let draft = AllPlatformsDraft::from(&preset);
            Ok(across::apply(&mut sessions, &draft, BTreeMap::new()).await)
        }
        PresetCommand::Rename { from, to } => {
            let (f, t) = (from.clone(), to.clone());
            let renamed = blocking(&store, move |s| {
                s.rename_preset(&f, &t).map_err(|e| e.to_string())
            })
            .await?;
            if !renamed {
                return Err(no_such(&from));
            }
            output(
                &json!({"renamed": from, "to": to}),
                format!("renamed {from:?} to {to:?}\n"),
            )
            .map(done)
        }
        PresetCommand::Delete { name } => {
            let n = name.clone();
            let deleted = blocking(&store, move |s| {
                s.delete_preset(&n).map_err(|e| e.to_string())
            })
            .await?;
            if !deleted {
                return Err(no_such(&name));
            }
            output(&json!({"deleted": name}), format!("deleted {name:?}\n")).map(done)
        }
        PresetCommand::Export { file } => {
            let text = blocking(&store, |s| s.export_presets().map_err(|e| e.to_string())).await?;
            let path = file.clone();
            tokio::task::spawn_blocking(move || std::fs::write(&path, text))
                .await
                .map_err(|e| format!("the export task failed: {e}"))?
                .map_err(|e| format!("could not write {}: {e}", file.display()))?;
            let shown = file.display().to_string();
            output(
                &json!({"exported": shown}),
                format!("exported to {shown}\n"),
            )
            .map(done)
        }
        PresetCommand::Import { file } => {
            let path = file.clone();
            let text = tokio::task::spawn_blocking(move || std::fs::read_to_string(&path))
                .await
                .map_err(|e| format!("the import task failed: {e}"))?
                .map_err(|e| format!("could not read {}: {e}", file.display()))?;
            let n = blocking(&store, move |s| {
                s.import_presets(&text)
                    .map_err(|e| format!("{e}; nothing was imported"))
            })
            .await?;
            output(&json!({"imported": n}), format!("imported {n} presets\n")).map(done)
        }
    }
}

/// `preset save`: the live titles and categories, or the fields given (the title for
/// every platform, the category matched on each signed-in one now).
async fn save(demo: bool, store: &Store, args: PresetSaveArgs) -> Result<Output, String> {
    let mut preset = Preset::named(args.name.clone());
    if args.from_live {
        let mut sessions = session::connect_all(demo, None).await?;
        let platforms: Vec<PlatformId> = sessions.clients.keys().copied().collect();
        let asks = platforms.iter().map(|&platform| {
            Box::new(move |request_id| Command::LoadChannel {
                platform,
                target: ChannelTarget::Own,
                request_id,
            }) as Box<dyn FnOnce(u64) -> Command + Send>
        });
        let answers = sessions.link.ask_all(asks).await?;
        for (platform, event) in platforms.into_iter().zip(answers) {
            let Event::ChannelLoaded { result, .. } = event else {
                return Err("the backend answered with an unexpected event".into());
            };
            let channel = result.map_err(|e| e.to_string())?;
            preset.titles.insert(platform, channel.title);
            if let Some(c) = channel.category
                && let Some(id) = c.id
            {
                let category = PickedCategory::new(id, c.name.unwrap_or_default());
                preset.categories.insert(platform, category);
            }
        }
    } else {
        if let Some(title) = &args.title {
            for platform in PlatformId::ALL {
                preset.titles.insert(platform, title.clone());
            }
        }
        if let Some(name) = &args.category {
            let mut sessions = session::connect_all(demo, None).await?;
            let platforms: Vec<PlatformId> = sessions.clients.keys().copied().collect();
            let name = name.clone();
            let event = sessions
                .link
                .ask(|request_id| Command::MapCategory {
                    name: name.clone(),
                    from: None,
                    platforms,
                    request_id,
                })
                .await?;
            let Event::CategoryMapped { proposals, .. } = event else {
                return Err("the backend answered with an unexpected event".into());
            };
            for (platform, proposal) in proposals {
                if let CategoryProposal::Remembered(c)
                | CategoryProposal::Found { category: c, .. } = proposal
                {
                    preset.categories.insert(platform, c);
                }
            }
            if preset.categories.is_empty() {
                return Err(format!(
                    "no signed-in platform has a category matching {name:?}; the preset was not saved"
                ));
            }
        }
        preset.tags = args.tags.map(|t| t.0);
        preset.language = args.language;
        preset.audience = args.audience;
    }
    let saved = blocking(store, move |s| {
        s.save_preset(&preset).map_err(|e| e.to_string())
    })
    .await?;
    output(&shown(&saved), format!("saved {:?}\n", saved.name))
}

async fn find(store: &Store, name: &str) -> Result<Preset, String> {
    let n = name.to_owned();
    blocking(store, move |s| s.preset(&n).map_err(|e| e.to_string()))
        .await?
        .ok_or_else(|| no_such(name))
}

fn no_such(name: &str) -> String {
    format!("there is no preset called {name:?} (see `stagehand preset list`)")
}

/// `preset show --json`: exactly these fields.
fn shown(p: &Preset) -> serde_json::Value {
    let categories: BTreeMap<_, _> = p
        .categories
        .iter()
        .map(|(platform, c)| (platform.slug(), json!({"id": c.id, "name": c.name})))
        .collect();
    let titles: BTreeMap<_, _> = p.titles.iter().map(|(k, v)| (k.slug(), v)).collect();
    json!({
        "name": p.name,
        "titles": titles,
        "categories": categories,
        "tags": p.tags,
        "language": p.language,
        "audience": p.audience,
    })
}

fn describe(p: &Preset) -> String {
    let mut text = format!("{}\n", p.name);
    for platform in PlatformId::ALL {
        let title = p.titles.get(&platform).map(String::as_str);
        let category = p.categories.get(&platform).map(|c| c.name.as_str());
        if title.is_none() && category.is_none() {
            continue;
        }
        let _ = writeln!(
            text,
            "  {:<7} {}  [{}]",
            platform.slug(),
            title.unwrap_or("-"),
            category.unwrap_or("-")
        );
    }
    if let Some(tags) = &p.tags {
        let _ = writeln!(text, "  tags:     {}", tags.join(", "));
    }
    if let Some(l) = &p.language {
        let _ = writeln!(text, "  language: {l}");
    }
    if let Some(a) = p.audience {
        let _ = writeln!(text, "  audience: {}", a.label());
    }
    text
}
