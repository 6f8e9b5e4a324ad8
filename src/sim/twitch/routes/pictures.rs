//! The CDN-style picture routes the answers point at, drawn at the size the file name asks
//! for: `/ttv-boxart/{game}-{w}x{h}.jpg`, `/jtv_user_pictures/{user}-profile_image-{w}x{h}.png`
//! (and team art), `/previews-ttv/live_user_{login}-{w}x{h}.jpg`, and video thumbnails
//! `/cf_vods/{login}/{video id}/thumb/thumb0-{w}x{h}.jpg`. An unreplaced `{width}x{height}`
//! (or, for videos, `%{width}x%{height}`) template is a 404, as on Twitch's CDN.

use std::sync::Arc;

use axum::{
    extract::{Path, State},
    http::{
        StatusCode,
        header::{CACHE_CONTROL, CONTENT_TYPE},
    },
    response::{IntoResponse, Response},
};

use crate::sim::twitch::{
    images::{Format, parse_sized},
    server::Shared,
    wire::parse_id,
};

fn picture(shared: &Shared, format: Format, id: &str, w: u32, h: u32) -> Response {
    let mime = match format {
        Format::Jpeg => "image/jpeg",
        Format::Png => "image/png",
    };
    match shared.images.get(format, id, w, h) {
        Some(bytes) => (
            [
                (CONTENT_TYPE, mime),
                (CACHE_CONTROL, "public, max-age=86400"),
            ],
            bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /ttv-boxart/{game id}-{w}x{h}.jpg`.
pub(super) async fn box_art(
    State(shared): State<Arc<Shared>>,
    Path(file): Path<String>,
) -> Response {
    let Some((id, w, h)) = parse_sized(&file, "jpg") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if shared.world().category(&id).is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    picture(&shared, Format::Jpeg, &id, w, h)
}

/// `GET /jtv_user_pictures/{user id}-profile_image-{w}x{h}.png` or
/// `/jtv_user_pictures/team-{name}-{what}-{w}x{h}.png`.
pub(super) async fn user_picture(
    State(shared): State<Arc<Shared>>,
    Path(file): Path<String>,
) -> Response {
    let Some((stem, w, h)) = parse_sized(&file, "png") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Some(user) = stem.strip_suffix("-profile_image").and_then(parse_id) {
        if shared.world().user(user).is_none() {
            return StatusCode::NOT_FOUND.into_response();
        }
        return picture(&shared, Format::Png, &user.to_string(), w, h);
    }
    if stem.starts_with("team-") {
        return picture(&shared, Format::Png, &stem, w, h);
    }
    StatusCode::NOT_FOUND.into_response()
}

/// `GET /previews-ttv/live_user_{login}-{w}x{h}.jpg`.
pub(super) async fn preview(
    State(shared): State<Arc<Shared>>,
    Path(file): Path<String>,
) -> Response {
    let Some((stem, w, h)) = parse_sized(&file, "jpg") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let known = stem
        .strip_prefix("live_user_")
        .is_some_and(|login| shared.world().user_by_login(login).is_some());
    if !known {
        return StatusCode::NOT_FOUND.into_response();
    }
    picture(&shared, Format::Jpeg, &stem, w, h)
}

/// `GET /cf_vods/{login}/{video id}/thumb/thumb0-{w}x{h}.jpg`: a finished video's thumbnail.
pub(super) async fn video_thumbnail(
    State(shared): State<Arc<Shared>>,
    Path((login, video, file)): Path<(String, String, String)>,
) -> Response {
    let Some((stem, w, h)) = parse_sized(&file, "jpg") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let known = stem == "thumb0"
        && parse_id(&video)
            .is_some_and(|id| super::videos::is_video_of(&shared.world(), &login, id));
    if !known {
        return StatusCode::NOT_FOUND.into_response();
    }
    picture(&shared, Format::Jpeg, &format!("vod-{video}"), w, h)
}
