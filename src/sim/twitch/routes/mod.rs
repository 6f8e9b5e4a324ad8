//! The Helix routes, by area: the public catalogue (users, channels, streams, games, teams),
//! the channel's own settings (update, editors, stream key, commercial), its people
//! (followers, chatters, moderators, VIPs, subscribers), chat and moderation, EventSub
//! subscriptions (and the EventSub websocket beside them), videos, and the CDN-style
//! picture routes the URLs in those answers point at.

mod catalog;
mod channel;
mod chat;
mod eventsub;
mod people;
mod pictures;
mod videos;

use std::{ops::Range, sync::Arc};

use axum::{
    Router,
    http::{HeaderMap, Uri},
    response::{IntoResponse, Response},
    routing::get,
};

use super::{
    auth::Grant,
    server::Shared,
    wire::{HelixError, Query},
};

/// Every Helix route and picture route.
pub(crate) fn helix_router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/helix/users", get(catalog::users))
        .route(
            "/helix/channels",
            get(catalog::channels).patch(channel::modify),
        )
        .route("/helix/streams", get(catalog::streams))
        .route("/helix/games", get(catalog::games))
        .route("/helix/games/top", get(catalog::top_games))
        .route("/helix/search/categories", get(catalog::search_categories))
        .route("/helix/teams/channel", get(catalog::channel_teams))
        .route("/helix/videos", get(videos::videos))
        .route("/helix/channels/editors", get(channel::editors))
        .route("/helix/streams/key", get(channel::stream_key))
        .route(
            "/helix/channels/commercial",
            axum::routing::post(channel::commercial),
        )
        .route("/helix/channels/followers", get(people::followers))
        .route("/helix/chat/chatters", get(people::chatters))
        .route("/helix/moderation/moderators", get(people::moderators))
        .route("/helix/channels/vips", get(people::vips))
        .route("/helix/subscriptions", get(people::subscriptions))
        .route("/helix/chat/messages", axum::routing::post(chat::send))
        .route(
            "/helix/moderation/chat",
            axum::routing::delete(chat::delete_message),
        )
        .route(
            "/helix/moderation/bans",
            axum::routing::post(chat::ban).delete(chat::unban),
        )
        .route(
            "/helix/eventsub/subscriptions",
            get(eventsub::list)
                .post(eventsub::create)
                .delete(eventsub::delete),
        )
        // EventSub's websocket, standing in for wss://eventsub.wss.twitch.tv/ws.
        .route("/ws", get(super::eventsub::socket))
        .route("/ttv-boxart/{file}", get(pictures::box_art))
        .route("/jtv_user_pictures/{file}", get(pictures::user_picture))
        .route("/previews-ttv/{file}", get(pictures::preview))
        .route(
            "/cf_vods/{login}/{video}/thumb/{file}",
            get(pictures::video_thumbnail),
        )
        .fallback(not_found)
}

/// Unknown paths: a Helix-shaped 404 under `/helix`, a bare one elsewhere.
async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/helix") {
        HelixError::not_found("").into_response()
    } else {
        axum::http::StatusCode::NOT_FOUND.into_response()
    }
}

/// The request's token, checked for `scope` (when given).
fn authorize(
    shared: &Shared,
    headers: &HeaderMap,
    scope: Option<&str>,
) -> Result<Grant, HelixError> {
    shared
        .world()
        .auth
        .check(headers, scope)
        .map_err(Into::into)
}

/// The token, checked for any one of `scopes` (Helix accepts a read or a manage scope for
/// several lists); the error names the first.
fn authorize_any(
    shared: &Shared,
    headers: &HeaderMap,
    scopes: &[&str],
) -> Result<Grant, HelixError> {
    let grant = authorize(shared, headers, None)?;
    if scopes.iter().any(|s| grant.has(s)) {
        Ok(grant)
    } else {
        Err(HelixError::unauthorized(format!(
            "Missing scope: {}",
            scopes.first().copied().unwrap_or("")
        )))
    }
}

/// Offset paging over a list of `len`: the range to show and the next page's offset.
fn offset_page(
    len: usize,
    query: &Query,
    default: usize,
    max: usize,
) -> Result<(Range<usize>, Option<usize>), HelixError> {
    let first = query.first(default, max)?;
    let start = query.after()?.unwrap_or(0).min(len);
    let end = start.saturating_add(first).min(len);
    Ok((start..end, (end < len).then_some(end)))
}

/// The `broadcaster_id` parameter, which must be the token's user.
fn own_broadcaster(query: &Query, grant: &Grant) -> Result<u64, HelixError> {
    let id = query.user_id("broadcaster_id")?;
    if id != grant.user_id {
        return Err(HelixError::not_token_user("broadcaster_id"));
    }
    Ok(id)
}

/// The `moderator_id` parameter, which must be the token's user and a moderator of the
/// `broadcaster_id` channel (the broadcaster counts as their own moderator).
fn acting_moderator(
    shared: &Shared,
    query: &Query,
    grant: &Grant,
) -> Result<(u64, u64), HelixError> {
    let broadcaster = query.user_id("broadcaster_id")?;
    let moderator = query.user_id("moderator_id")?;
    if moderator != grant.user_id {
        return Err(HelixError::not_token_user("moderator_id"));
    }
    let world = shared.world();
    if world.user(broadcaster).is_none() {
        return Err(HelixError::bad("The ID in broadcaster_id is not valid."));
    }
    if !world.is_moderator(broadcaster, moderator) {
        return Err(HelixError::forbidden(
            "The user in moderator_id is not one of the broadcaster's moderators.",
        ));
    }
    Ok((broadcaster, moderator))
}
