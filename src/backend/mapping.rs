//! The category of one game on every platform: a mapping the user confirmed first (no
//! search), else each platform searched by the name and the best match by
//! `category_match`'s rule. Platforms are asked at once.

use super::Shared;
use super::saved::with_store;
use crate::category_match::{NameKey, best_match};
use crate::model::{CategoryMapping, CategoryProposal, PickedCategory, PlatformId};
use crate::platform::PlatformClient;
use std::collections::BTreeMap;

/// How many answers one search asks for.
const SEARCH_LIMIT: usize = 50;

/// What each of `platforms` would file `name` under.
pub(crate) async fn map_category(
    shared: &Shared,
    name: &str,
    from: Option<&(PlatformId, PickedCategory)>,
    platforms: &[PlatformId],
) -> BTreeMap<PlatformId, CategoryProposal> {
    let remembered = remembered(shared, name, from).await;
    let searches = platforms.iter().map(|&platform| {
        let known = match from {
            Some((p, picked)) if *p == platform => Some(picked.clone()),
            _ => remembered
                .as_ref()
                .and_then(|m| m.categories.get(&platform).cloned()),
        };
        let client = shared.client(platform);
        async move {
            let proposal = match (known, client) {
                (Some(category), _) => CategoryProposal::Remembered(category),
                (None, Some(client)) => search(&client, name).await,
                (None, None) => CategoryProposal::Failed(format!("{platform} is not signed in")),
            };
            (platform, proposal)
        }
    });
    futures_util::future::join_all(searches)
        .await
        .into_iter()
        .collect()
}

/// The confirmed mapping of the picked category, else of the name.
async fn remembered(
    shared: &Shared,
    name: &str,
    from: Option<&(PlatformId, PickedCategory)>,
) -> Option<CategoryMapping> {
    let (name, from) = (name.to_owned(), from.cloned());
    let found = with_store(shared, move |store| {
        if let Some((platform, picked)) = &from
            && let Some(m) = store.mapping_for_category(*platform, &picked.id)?
        {
            return Ok(Some(m));
        }
        store.mapping_for_name(&name)
    })
    .await;
    found.unwrap_or_else(|e| {
        tracing::debug!("no remembered mappings: {e}");
        None
    })
}

/// Searches `client`'s platform for `name`: the name itself, then its first and its
/// longest word, since a platform's search may not see "Hades 2" in "Hades II" or
/// "Rainbow Six®" in "Rainbow Six" (it stops at the first search with a match).
async fn search(client: &PlatformClient, name: &str) -> CategoryProposal {
    let mut failure = None;
    for query in queries(name) {
        match client.categories(&query, Some(SEARCH_LIMIT)).await {
            Ok(page) => {
                if let Some((found, quality)) = best_match(name, &page.categories, |c| &c.name) {
                    return CategoryProposal::Found {
                        category: PickedCategory {
                            id: found.id.clone(),
                            name: found.name.clone(),
                            icon_url: found.icon_url.clone(),
                        },
                        quality,
                    };
                }
            }
            Err(e) => failure = Some(e.to_string()),
        }
    }
    match failure {
        Some(why) => CategoryProposal::Failed(why),
        None => CategoryProposal::NoMatch,
    }
}

/// The searches that may find `name`, most precise first, each once.
fn queries(name: &str) -> Vec<String> {
    let key = NameKey::of(name);
    let words: Vec<&str> = key
        .as_str()
        .split(' ')
        .filter(|w| w.chars().count() >= 3 && *w != "the" && *w != "and")
        .collect();
    let mut out = vec![name.trim().to_owned()];
    if let Some(first) = words.first() {
        out.push((*first).to_owned());
    }
    if let Some(longest) = words.iter().max_by_key(|w| w.chars().count()) {
        out.push((*longest).to_owned());
    }
    out.dedup();
    out.retain(|q| !q.is_empty());
    let mut seen = std::collections::HashSet::new();
    out.retain(|q| seen.insert(q.to_lowercase()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_go_from_the_whole_name_to_its_words() {
        assert_eq!(queries("Hades II"), ["Hades II", "hades"]);
        assert_eq!(
            queries("Tom Clancy's Rainbow Six® Siege"),
            ["Tom Clancy's Rainbow Six® Siege", "tom", "rainbow"]
        );
        assert_eq!(queries("Minecraft"), ["Minecraft"]);
        assert_eq!(queries("GTA"), ["GTA"]);
    }
}
