//! The streamer's stream: info (read and update), the category lists and search, the stream
//! setup (key and ingest) and the key's regeneration.

use std::{collections::HashSet, sync::Arc};

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, Uri},
};
use serde_json::{Value, json};

use super::{authorize, cursor_page, dto};
use crate::sim::velora::{
    server::Shared,
    wire::{ApiError, ApiResult, Query, created, iso, ok, pagination, text_len},
    world::{Category, World, slugify},
};

/// Longest title, in characters.
pub(crate) const TITLE_MAX: usize = 140;
/// Most tags on a stream.
pub(crate) const TAGS_MAX: usize = 10;
/// Longest tag, in characters.
pub(crate) const TAG_MAX: usize = 25;

/// `GET /api/integrations/oauth/stream/info` (stream:read).
pub(super) async fn info(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> ApiResult {
    authorize(&shared, &headers, Some("stream:read"))?;
    let world = shared.world();
    let s = &world.stream;
    let category = world.category(&s.category_slug);
    ok(json!({
        "title": s.title,
        "categoryName": category.map(|c| c.name.clone()),
        "categorySlug": category.map(|c| c.slug.clone()),
        "isLive": s.live,
        "viewerCount": world.viewer_count(),
        "startedAt": s.live.then(|| iso(s.started_at_ms)),
        "tags": s.tags,
    }))
}

/// Checks one tag: letters (any script), digits, `-` and `_`, 1..=25 characters.
fn tag_problem(tag: &str) -> Option<String> {
    let len = text_len(tag);
    if len == 0 {
        return Some("each value in tags should not be empty".to_owned());
    }
    if len > TAG_MAX {
        return Some(format!(
            "each value in tags must be shorter than or equal to {TAG_MAX} characters"
        ));
    }
    if !tag
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        return Some(
            "each value in tags must contain only letters, digits, hyphens and underscores"
                .to_owned(),
        );
    }
    None
}

/// `PUT /api/integrations/oauth/stream/info` (stream:write) ← `{title?, categorySlug?,
/// tags?}`; answers only `{success, message}`.
pub(super) async fn update(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    authorize(&shared, &headers, Some("stream:write"))?;
    let map = dto(&body, &["title", "categorySlug", "tags"])?;
    let mut problems = Vec::new();
    let title = match map.get("title") {
        None => None,
        Some(Value::String(t)) => {
            let t = t.trim();
            if t.is_empty() {
                problems.push("title should not be empty".to_owned());
            } else if text_len(t) > TITLE_MAX {
                problems.push(format!(
                    "title must be shorter than or equal to {TITLE_MAX} characters"
                ));
            }
            Some(t.to_owned())
        }
        Some(_) => {
            problems.push("title must be a string".to_owned());
            None
        }
    };
    let mut world = shared.world();
    let slug = match map.get("categorySlug") {
        None => None,
        Some(Value::String(s)) => {
            if world.category(s.trim()).is_none() {
                problems.push(format!(
                    "categorySlug must be a valid category slug (\"{}\" is unknown)",
                    s.trim()
                ));
            }
            Some(s.trim().to_owned())
        }
        Some(_) => {
            problems.push("categorySlug must be a string".to_owned());
            None
        }
    };
    let tags = match map.get("tags") {
        None => None,
        Some(Value::Array(items)) => {
            let mut tags = Vec::new();
            let mut seen = HashSet::new();
            let mut first_problem = None;
            for item in items {
                match item.as_str() {
                    Some(tag) => {
                        if let Some(p) = tag_problem(tag) {
                            first_problem.get_or_insert(p);
                        }
                        if !seen.insert(tag.to_lowercase()) {
                            first_problem
                                .get_or_insert("All tags's elements must be unique".to_owned());
                        }
                        tags.push(tag.to_owned());
                    }
                    None => {
                        first_problem.get_or_insert("each value in tags must be a string".into());
                    }
                }
            }
            if items.len() > TAGS_MAX {
                problems.push(format!(
                    "tags must contain no more than {TAGS_MAX} elements"
                ));
            }
            problems.extend(first_problem);
            Some(tags)
        }
        Some(_) => {
            problems.push("tags must be an array".to_owned());
            None
        }
    };
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    if let Some(title) = title {
        world.stream.title = title;
    }
    if let Some(slug) = slug {
        world.stream.category_slug = slug;
    }
    if let Some(tags) = tags {
        world.stream.tags = tags;
    }
    ok(json!({"success": true, "message": "Stream info updated successfully"}))
}

/// `GET /api/integrations/oauth/stream/categories` (any valid token): the whole list.
pub(super) async fn integration_categories(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> ApiResult {
    authorize(&shared, &headers, None)?;
    let world = shared.world();
    let list: Vec<Value> = world
        .categories
        .iter()
        .map(|c| {
            json!({
                "slug": c.slug,
                "name": c.name,
                "imageUrl": world.category_image_url(&c.slug),
            })
        })
        .collect();
    ok(json!({ "categories": list }))
}

fn category_json(world: &World, c: &Category) -> Value {
    json!({
        "id": c.id,
        "slug": c.slug,
        "name": c.name,
        "imageUrl": world.category_image_url(&c.slug),
        "viewerCount": c.viewer_count,
        "streamCount": c.stream_count,
    })
}

/// One cursor page of `matches` (indexes into the catalogue, most watched first).
fn category_page(world: &World, matches: &[usize], query: &Query) -> ApiResult {
    let limit = query.limit(20)?;
    let (start, page) = query.cursor()?.unwrap_or((0, 0));
    let (range, next) = cursor_page(matches.len(), start, limit, page);
    let list: Vec<Value> = matches[range]
        .iter()
        .map(|&i| category_json(world, &world.categories[i]))
        .collect();
    ok(json!({ "categories": list, "pagination": pagination(next) }))
}

/// `GET /api/categories?limit&cursor` (public), most watched first.
pub(super) async fn categories(State(shared): State<Arc<Shared>>, uri: Uri) -> ApiResult {
    let query = Query::of(&uri);
    let world = shared.world();
    let mut order: Vec<usize> = (0..world.categories.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(world.categories[i].viewer_count));
    category_page(&world, &order, &query)
}

/// `GET /api/categories/search?q&limit&cursor` (public): names or slugs containing `q`,
/// case-insensitively, most watched first.
pub(super) async fn search(State(shared): State<Arc<Shared>>, uri: Uri) -> ApiResult {
    let query = Query::of(&uri);
    let q = query.one("q").unwrap_or("").trim().to_lowercase();
    if q.is_empty() {
        return Err(ApiError::bad("q is required"));
    }
    let slug_q = slugify(&q);
    let world = shared.world();
    let mut matches: Vec<usize> = world
        .categories
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.name.to_lowercase().contains(&q) || (!slug_q.is_empty() && c.slug.contains(&slug_q))
        })
        .map(|(i, _)| i)
        .collect();
    matches.sort_by_key(|&i| std::cmp::Reverse(world.categories[i].viewer_count));
    category_page(&world, &matches, &query)
}

/// The ingest addresses Velora hands out (the encoder's server setting).
const RTMP_URL: &str = "rtmp://ingest.velora.tv/live";

/// `GET /api/integrations/oauth/stream/setup` (stream:key).
pub(super) async fn setup(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> ApiResult {
    authorize(&shared, &headers, Some("stream:key"))?;
    let world = shared.world();
    ok(json!({
        "streamKey": world.stream.stream_key,
        "rtmpUrl": RTMP_URL,
        "ingestUrls": [
            {"region": "eu-west", "url": "rtmp://eu-west.ingest.velora.tv/live"},
            {"region": "us-east", "url": "rtmp://us-east.ingest.velora.tv/live"},
            {"region": "ap-southeast", "url": "rtmp://ap-southeast.ingest.velora.tv/live"},
        ],
    }))
}

/// `POST /api/integrations/oauth/stream/key/regenerate` (stream:key): 201 with the new key.
pub(super) async fn regenerate(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> ApiResult {
    authorize(&shared, &headers, Some("stream:key"))?;
    let key = shared.world().regenerate_key();
    created(json!({
        "success": true,
        "message": "Stream key regenerated; update your encoder",
        "streamKey": key,
        "rtmpUrl": RTMP_URL,
    }))
}
