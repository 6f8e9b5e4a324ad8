//! Velora's API routes, by area: the stream (info, categories, setup and key), people
//! (the account, followers, viewers, subscribers), chat (send, moderate, history), and the
//! pictures the answers point at.

mod chat;
mod people;
mod stream;

use std::sync::Arc;

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{
        HeaderMap, Method, StatusCode, Uri,
        header::{CACHE_CONTROL, CONTENT_TYPE},
    },
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::{Map, Value};

use super::{
    auth::Grant,
    server::Shared,
    wire::{ApiError, encode_cursor},
};
use crate::sim::common::pictures::Kind;

/// Every API route and picture route.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/users/me", get(people::me))
        .route("/api/users/{user}/followers", get(people::followers))
        .route(
            "/api/integrations/oauth/stream/info",
            get(stream::info).put(stream::update),
        )
        .route(
            "/api/integrations/oauth/stream/categories",
            get(stream::integration_categories),
        )
        .route("/api/integrations/oauth/stream/setup", get(stream::setup))
        .route(
            "/api/integrations/oauth/stream/key/regenerate",
            post(stream::regenerate),
        )
        .route("/api/categories", get(stream::categories))
        .route("/api/categories/search", get(stream::search))
        .route(
            "/api/integrations/oauth/chat/channels/{channel}/messages",
            post(chat::send),
        )
        .route(
            "/api/integrations/oauth/chat/channels/{channel}/moderate",
            post(chat::moderate),
        )
        .route("/api/chat/channels/{channel}/history", get(chat::history))
        .route("/api/events/stream", get(super::events::stream))
        .route("/api/chat/channels/{channel}/viewers", get(people::viewers))
        .route(
            "/api/subscriptions/creator/{creator}/subscribers",
            get(people::subscribers),
        )
        .route("/api/developer/subscriptions", get(people::developer_subs))
        .route(
            "/api/developer/subscriptions/count",
            get(people::developer_count),
        )
        .route("/images/categories/{file}", get(category_picture))
        .route("/images/avatars/{file}", get(avatar))
        .fallback(not_found)
}

/// Unknown paths: the framework's `Cannot GET /api/..` 404.
async fn not_found(method: Method, uri: Uri) -> Response {
    if uri.path().starts_with("/api") {
        ApiError::not_found(format!("Cannot {method} {}", uri.path())).into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

/// The request's token, checked for `scope` (when given).
fn authorize(shared: &Shared, headers: &HeaderMap, scope: Option<&str>) -> Result<Grant, ApiError> {
    shared.world().auth.check(headers, scope)
}

/// A request body as the framework's validation pipe sees it: a JSON object whose every
/// property is in `allowed` (others are "should not exist" failures, all reported at once).
fn dto(body: &Bytes, allowed: &[&str]) -> Result<Map<String, Value>, ApiError> {
    let map = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err(ApiError::validation("body must be a JSON object")),
        Err(_) if body.is_empty() => Map::new(),
        Err(e) => {
            return Err(ApiError::bad(format!("Unexpected token in JSON: {e}")));
        }
    };
    let unknown: Vec<String> = map
        .keys()
        .filter(|k| !allowed.contains(&k.as_str()))
        .map(|k| format!("property {k} should not exist"))
        .collect();
    if unknown.is_empty() {
        Ok(map)
    } else {
        Err(ApiError::Validation(unknown))
    }
}

/// Cursor paging over positions `0..len` in display order: the page's range and the next
/// cursor (None at the end). `page` counts pages handed out so far.
fn cursor_page(
    len: usize,
    start: usize,
    limit: usize,
    page: usize,
) -> (std::ops::Range<usize>, Option<String>) {
    let start = start.min(len);
    let end = start.saturating_add(limit).min(len);
    let next = (end < len).then(|| encode_cursor(end, page + 1));
    (start..end, next)
}

fn picture(shared: &Shared, kind: Kind, id: &str) -> Response {
    match shared.images.get(kind, id) {
        Some(bytes) => (
            [
                (CONTENT_TYPE, "image/png"),
                (CACHE_CONTROL, "public, max-age=86400"),
            ],
            bytes,
        )
            .into_response(),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `GET /images/categories/{slug}.png`: the category's box art (144x192).
async fn category_picture(State(shared): State<Arc<Shared>>, Path(file): Path<String>) -> Response {
    let Some(slug) = file.strip_suffix(".png") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if shared.world().category(slug).is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    picture(&shared, Kind::Icon, &format!("velora-{slug}"))
}

/// `GET /images/avatars/{userId}.png`: a profile picture (96x96).
async fn avatar(State(shared): State<Arc<Shared>>, Path(file): Path<String>) -> Response {
    let Some(id) = file.strip_suffix(".png") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if shared.world().user_by_id(id).is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    picture(&shared, Kind::Avatar, id)
}
