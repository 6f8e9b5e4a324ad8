//! Headless commands across platforms: `all set`, `all channel`, `category map`, and
//! applying a preset (`preset apply`), which is `all set` with the preset's fields.
//!
//! Each platform is asked at once and answers on its own: one that fails (no match for the
//! game, a refusal, a title over its limit) is a failure line of its own while the others
//! are applied. Exit status 1 when any platform failed.

use super::args::{AllSetArgs, PlatformList};
use super::output::{Output, channel_view, one_line, output};
use super::session::{self, Sessions};
use crate::all_platforms::{AllPlatformsDraft, Skipped};
use crate::command::{Command, Event};
use crate::model::{CategoryProposal, PickedCategory, PlatformId};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What became of one platform in a command across platforms.
pub(super) struct PlatformResult {
    platform: PlatformId,
    category: Option<PickedCategory>,
    outcome: Result<Vec<Skipped>, String>,
}

/// The answer of a command across platforms and whether every platform succeeded.
pub(super) struct Across {
    pub output: Output,
    pub all_ok: bool,
}

impl Across {
    /// An answer that is not per platform: it succeeded as a whole.
    pub(super) fn ok(output: Output) -> Across {
        Across {
            output,
            all_ok: true,
        }
    }
}

/// `all set`: the fields to every signed-in platform (or `--only` some), the category
/// matched per platform.
pub(super) async fn all_set(demo: bool, args: AllSetArgs) -> Result<Across, String> {
    let only = args.only.only.map(|PlatformList(p)| p);
    let mut sessions = session::connect_all(demo, only.as_deref()).await?;
    let mut draft = AllPlatformsDraft {
        title: args.title,
        tags: args.tags.map(|t| t.0),
        language: args.language,
        audience: args.audience,
        ..AllPlatformsDraft::default()
    };
    let mut failed: BTreeMap<PlatformId, String> = BTreeMap::new();
    if let Some(name) = &args.category {
        for (platform, proposal) in map(&mut sessions, name).await? {
            match proposal {
                CategoryProposal::Remembered(c) | CategoryProposal::Found { category: c, .. } => {
                    draft.categories.insert(platform, c);
                }
                CategoryProposal::NoMatch => {
                    failed.insert(
                        platform,
                        format!(
                            "{platform} has no category matching {name:?}; nothing was changed there"
                        ),
                    );
                }
                CategoryProposal::Failed(why) => {
                    failed.insert(
                        platform,
                        format!(
                            "searching {platform} for {name:?} failed ({why}); nothing was changed there"
                        ),
                    );
                }
            }
        }
    }
    Ok(apply(&mut sessions, &draft, failed).await)
}

/// Applies a draft to every platform of `sessions` except those already `failed`.
pub(super) async fn apply(
    sessions: &mut Sessions,
    draft: &AllPlatformsDraft,
    mut failed: BTreeMap<PlatformId, String>,
) -> Across {
    for platform in &sessions.missing {
        failed.insert(
            *platform,
            format!(
                "{platform} is not signed in: sign in with `stagehand {} login`",
                platform.slug()
            ),
        );
    }
    let mut planned = Vec::new();
    let mut results = Vec::new();
    for (platform, client) in &sessions.clients {
        if failed.contains_key(platform) {
            continue;
        }
        match draft.plan_for(*platform, &client.capabilities()) {
            Ok(plan) if plan.changes.is_empty() => results.push(PlatformResult {
                platform: *platform,
                category: None,
                outcome: Ok(plan.skipped),
            }),
            Ok(plan) => planned.push((*platform, plan)),
            Err(why) => {
                failed.insert(*platform, why);
            }
        }
    }
    let asks = planned.iter().map(|(platform, plan)| {
        let (platform, changes) = (*platform, plan.changes.clone());
        Box::new(move |request_id| Command::UpdateChannel {
            platform,
            changes,
            request_id,
        }) as Box<dyn FnOnce(u64) -> Command + Send>
    });
    let answers = sessions.link.ask_all(asks).await;
    match answers {
        Ok(answers) => {
            for ((platform, plan), event) in planned.into_iter().zip(answers) {
                let result = match event {
                    Event::ChannelUpdated { result, .. } => result.map_err(|e| e.to_string()),
                    _ => Err("the backend answered with an unexpected event".into()),
                };
                results.push(match result {
                    Ok(channel) => PlatformResult {
                        platform,
                        category: channel.category.and_then(|c| {
                            Some(PickedCategory::new(c.id?, c.name.unwrap_or_default()))
                        }),
                        outcome: Ok(plan.skipped),
                    },
                    Err(why) => PlatformResult {
                        platform,
                        category: None,
                        outcome: Err(why),
                    },
                });
            }
        }
        Err(why) => {
            for (platform, _) in planned {
                failed.insert(platform, why.clone());
            }
        }
    }
    for (platform, why) in failed {
        results.push(PlatformResult {
            platform,
            category: None,
            outcome: Err(why),
        });
    }
    results.sort_by_key(|r| r.platform);
    report(&results)
}

/// One line per platform; `{"results": [...]}` with `--json`.
fn report(results: &[PlatformResult]) -> Across {
    let mut text = String::new();
    let mut rows = Vec::new();
    for r in results {
        let category = r
            .category
            .as_ref()
            .map(|c| json!({"id": c.id, "name": c.name}));
        match &r.outcome {
            Ok(skipped) => {
                let _ = write!(text, "{}: applied", r.platform.slug());
                if let Some(c) = &r.category {
                    let _ = write!(text, " (category {})", c.name);
                }
                if !skipped.is_empty() {
                    let fields: Vec<_> = skipped.iter().map(|s| s.field()).collect();
                    let _ = write!(
                        text,
                        "; {} skipped ({} has no such field)",
                        fields.join(" and "),
                        r.platform
                    );
                }
                text.push('\n');
                rows.push(json!({
                    "platform": r.platform, "ok": true, "category": category, "error": null,
                    "skipped": skipped.iter().map(|s| s.field()).collect::<Vec<_>>(),
                }));
            }
            Err(why) => {
                let _ = writeln!(text, "{}: failed: {}", r.platform.slug(), one_line(why));
                rows.push(json!({
                    "platform": r.platform, "ok": false, "category": null, "error": why,
                }));
            }
        }
    }
    let all_ok = results.iter().all(|r| r.outcome.is_ok());
    Across {
        output: Output {
            json: json!({ "results": rows }).to_string(),
            text,
        },
        all_ok,
    }
}

/// What `name` is on each platform of `sessions`.
async fn map(
    sessions: &mut Sessions,
    name: &str,
) -> Result<BTreeMap<PlatformId, CategoryProposal>, String> {
    let platforms: Vec<PlatformId> = sessions.clients.keys().copied().collect();
    let name = name.to_owned();
    let event = sessions
        .link
        .ask(|request_id| Command::MapCategory {
            name,
            from: None,
            platforms,
            request_id,
        })
        .await?;
    match event {
        Event::CategoryMapped { proposals, .. } => Ok(proposals),
        _ => Err("the backend answered with an unexpected event".into()),
    }
}

/// `category map NAME`: what the game is on each signed-in platform; `--confirm` keeps
/// what was found as one game.
pub(super) async fn category_map(demo: bool, name: &str, confirm: bool) -> Result<Output, String> {
    let mut sessions = session::connect_all(demo, None).await?;
    let proposals = map(&mut sessions, name).await?;
    let mut text = String::new();
    let mut rows = Vec::new();
    for (platform, proposal) in &proposals {
        let c = proposal.category();
        let line = match proposal {
            CategoryProposal::Remembered(c) => format!("{} (remembered, id {})", c.name, c.id),
            CategoryProposal::Found { category, .. } => {
                format!("{} (id {})", category.name, category.id)
            }
            CategoryProposal::NoMatch => "no matching category".into(),
            CategoryProposal::Failed(why) => format!("the search failed: {}", one_line(why)),
        };
        let _ = writeln!(text, "{}: {line}", platform.slug());
        rows.push(json!({
            "platform": platform,
            "category": c.map(|c| json!({"id": c.id, "name": c.name})),
        }));
    }
    if confirm {
        let found: BTreeMap<PlatformId, PickedCategory> = proposals
            .iter()
            .filter_map(|(p, c)| Some((*p, c.category()?.clone())))
            .collect();
        if found.len() < 2 {
            return Err(format!(
                "{name:?} was found on fewer than two platforms: there is nothing to remember"
            ));
        }
        let event = sessions
            .link
            .ask(|_| Command::ChangeSaved {
                change: crate::model::SavedChange::RememberMapping(found),
            })
            .await?;
        if let Event::SavedLoaded { result: Err(e), .. } = event {
            return Err(e);
        }
        text.push_str("remembered\n");
    }
    output(&json!({ "name": name, "platforms": rows }), text)
}

/// `all channel`: every platform's channel side by side.
pub(super) async fn all_channel(demo: bool) -> Result<Output, String> {
    let mut sessions = session::connect_all(demo, None).await?;
    let platforms: Vec<PlatformId> = sessions.clients.keys().copied().collect();
    let asks = platforms.iter().map(|&platform| {
        Box::new(move |request_id| Command::LoadChannel {
            platform,
            target: crate::model::ChannelTarget::Own,
            request_id,
        }) as Box<dyn FnOnce(u64) -> Command + Send>
    });
    let answers = sessions.link.ask_all(asks).await?;
    let mut channels = Vec::new();
    let mut text = String::new();
    for (platform, event) in platforms.into_iter().zip(answers) {
        let Event::ChannelLoaded { result, .. } = event else {
            return Err("the backend answered with an unexpected event".into());
        };
        let channel = result.map_err(|e| e.to_string())?;
        let mut view: Value = serde_json::to_value(channel_view(&channel))
            .map_err(|e| format!("could not print JSON: {e}"))?;
        if let Value::Object(map) = &mut view {
            map.insert("platform".into(), json!(platform));
        }
        channels.push(view);
        let category = channel
            .category
            .as_ref()
            .and_then(|c| c.name.clone())
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(
            text,
            "{}: {} [{}]{}",
            platform.slug(),
            channel.title,
            category,
            if channel.is_live { " LIVE" } else { "" }
        );
    }
    output(&json!({ "channels": channels }), text)
}
