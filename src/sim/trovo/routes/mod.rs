//! The routes, by area: the public catalogue (categories, channels, users, emotes), the
//! channel's own data (info, update, viewers, followers, subscribers), chat and its
//! websocket, OAuth, and the simulator's own pictures.

mod auth;
mod catalog;
mod channel;
mod chat;
mod chat_socket;
mod commands;
mod pictures;

use std::sync::Arc;

use axum::{
    Router,
    http::{StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::{delete, get, post},
};

use super::{
    server::Shared,
    wire::{ApiError, UNKNOWN_BAD_REQUEST},
};

/// Trovo's API prefix.
const API: &str = "/openplatform";

fn api(path: &str) -> String {
    format!("{API}{path}")
}

/// Every route the simulator serves besides the login page.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        // Catalogue: no user token.
        .route(&api("/categorys/top"), get(catalog::top_categories))
        .route(&api("/searchcategory"), post(catalog::search_categories))
        .route(&api("/gettopchannels"), post(catalog::top_channels))
        .route(&api("/getusers"), post(catalog::get_users))
        .route(&api("/channels/id"), post(catalog::channel_by_id))
        .route(&api("/getemotes"), post(catalog::emotes))
        .route(&api("/livestreamurl"), post(catalog::stream_urls))
        // The channel and its people.
        .route(&api("/channel"), get(channel::own_channel))
        .route(&api("/channels/update"), post(channel::update))
        .route(&api("/getuserinfo"), get(channel::user_info))
        .route(
            &api("/channels/{id}/subscriptions"),
            get(channel::subscriptions),
        )
        .route(&api("/channels/{id}/viewers"), post(channel::viewers))
        .route(&api("/channels/{id}/followers"), post(channel::followers))
        // Chat.
        .route(&api("/chat/send"), post(chat::send))
        .route(
            &api("/channels/{ch}/messages/{msg}/users/{uid}"),
            delete(chat::delete_message),
        )
        .route(&api("/channels/command"), post(chat::command))
        .route(&api("/chat/token"), get(chat::chat_token))
        .route(
            &api("/chat/channel-token/{id}"),
            get(chat::channel_chat_token),
        )
        // The chat websocket, at the origin as Trovo's is on its own host.
        .route("/chat", get(chat_socket::socket))
        // OAuth.
        .route(&api("/validate"), get(auth::validate))
        .route(&api("/revoke"), post(auth::revoke))
        .route(&api("/exchangetoken"), post(auth::exchange))
        .route(&api("/refreshtoken"), post(auth::refresh))
        // The simulator's own pictures (no Client-ID needed).
        .route("/sim/icons/{file}", get(pictures::icon))
        .route("/sim/avatars/{file}", get(pictures::avatar))
        .route("/sim/thumbs/{file}", get(pictures::thumbnail))
        .route("/sim/emotes/{file}", get(pictures::emote))
        .fallback(not_found)
}

/// Unknown paths: a Trovo-shaped 404 under the API prefix, a plain one elsewhere.
async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with(API) {
        ApiError::custom(
            StatusCode::NOT_FOUND,
            UNKNOWN_BAD_REQUEST,
            "Unknown bad request error. Please report to developer@trovo.live",
        )
        .into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}
