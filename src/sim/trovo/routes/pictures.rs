//! `/sim/...` picture routes: category icons, avatars, thumbnails and emotes, as PNG.

use std::sync::Arc;

use axum::{
    extract::{Path, State},
    http::{
        StatusCode,
        header::{CACHE_CONTROL, CONTENT_TYPE},
    },
    response::{IntoResponse, Response},
};

use crate::sim::{common::pictures::Kind, trovo::server::Shared};

/// `"123.png"` → `"123"`.
fn stem(file: &str) -> Option<&str> {
    file.strip_suffix(".png").filter(|s| {
        !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

fn png(shared: &Shared, kind: Kind, id: &str) -> Response {
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

/// `GET /sim/icons/{category id}.png`: the category's box art (144x192).
pub(super) async fn icon(State(shared): State<Arc<Shared>>, Path(file): Path<String>) -> Response {
    let Some(id) = stem(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if shared.world().category(id).is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    png(&shared, Kind::Icon, id)
}

/// `GET /sim/avatars/{user id}.png`: a profile picture (96x96) for any numeric user id.
pub(super) async fn avatar(
    State(shared): State<Arc<Shared>>,
    Path(file): Path<String>,
) -> Response {
    match stem(&file).filter(|id| id.bytes().all(|b| b.is_ascii_digit())) {
        Some(id) => png(&shared, Kind::Avatar, id),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /sim/thumbs/{channel id}.png`: a live stream thumbnail (320x180).
pub(super) async fn thumbnail(
    State(shared): State<Arc<Shared>>,
    Path(file): Path<String>,
) -> Response {
    let known = stem(&file)
        .and_then(|id| id.parse::<u64>().ok())
        .is_some_and(|id| shared.world().channel(id).is_some());
    match stem(&file) {
        Some(id) if known => png(&shared, Kind::Thumb, id),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /sim/emotes/{slug}.png`: an emote (56x56).
pub(super) async fn emote(State(shared): State<Arc<Shared>>, Path(file): Path<String>) -> Response {
    match stem(&file) {
        Some(id) => png(&shared, Kind::Emote, id),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
