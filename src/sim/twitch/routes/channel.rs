//! The broadcaster's own channel: modify it (title, category, language, delay, tags,
//! classification labels, branded content), its editors, its stream key, and commercials.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, Uri},
};
use serde_json::{Map, Value, json};

use super::{authorize, own_broadcaster};
use crate::sim::twitch::{
    auth::now_secs,
    server::Shared,
    wire::{
        HelixError, HelixResult, Query, body_object, int_field, no_content, ok, parse_id, rfc3339,
        str_field,
    },
};

/// Helix's limits on channel fields.
const MAX_TITLE: usize = 140;
const MAX_TAGS: usize = 10;
const MAX_TAG_LEN: usize = 25;
const MAX_DELAY: i64 = 900;
/// Seconds between commercials after one ran.
const COMMERCIAL_COOLDOWN: i64 = 480;
/// The classification labels a broadcaster may set (`MatureGame` is set by the category).
const CCLS: &[&str] = &[
    "DebatedSocialIssuesAndPolitics",
    "DrugsIntoxication",
    "SexualThemes",
    "ViolentGraphic",
    "Gambling",
    "ProfanityVulgarity",
];
/// ISO 639-1 codes Twitch offers as stream languages (plus "other").
const LANGUAGES: &[&str] = &[
    "ar", "bg", "ca", "cs", "da", "de", "el", "en", "es", "fi", "fr", "hi", "hu", "id", "it", "ja",
    "ko", "ms", "nl", "no", "pl", "pt", "ro", "ru", "sk", "sv", "th", "tl", "tr", "uk", "vi", "zh",
    "asl", "other",
];

/// A change to apply, validated as a whole before anything is written.
#[derive(Default)]
struct Change {
    title: Option<String>,
    game_id: Option<String>,
    language: Option<String>,
    delay: Option<u32>,
    tags: Option<Vec<String>>,
    ccls: Option<Vec<(String, bool)>>,
    branded: Option<bool>,
}

fn check_tags(value: &Value) -> Result<Vec<String>, HelixError> {
    let Some(list) = value.as_array() else {
        return Err(HelixError::malformed(
            "tags",
            "the value must be an array of strings",
        ));
    };
    if list.len() > MAX_TAGS {
        return Err(HelixError::bad(format!(
            "The parameter \"tags\" may contain at most {MAX_TAGS} tags"
        )));
    }
    let mut tags: Vec<String> = Vec::with_capacity(list.len());
    for tag in list {
        let Some(tag) = tag.as_str() else {
            return Err(HelixError::malformed(
                "tags",
                "the value must be an array of strings",
            ));
        };
        if tag.is_empty() {
            return Err(HelixError::bad("Tags cannot be empty"));
        }
        if tag.chars().count() > MAX_TAG_LEN {
            return Err(HelixError::bad(format!(
                "Tag \"{tag}\" is too long: tags may be at most {MAX_TAG_LEN} characters"
            )));
        }
        if !tag.chars().all(char::is_alphanumeric) {
            return Err(HelixError::bad(format!(
                "Tag \"{tag}\" is invalid: tags may contain only letters and numbers, \
                 without spaces or special characters"
            )));
        }
        if tags.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
            return Err(HelixError::bad(format!("Tag \"{tag}\" is duplicated")));
        }
        tags.push(tag.to_owned());
    }
    Ok(tags)
}

fn check_ccls(value: &Value) -> Result<Vec<(String, bool)>, HelixError> {
    let malformed = || {
        HelixError::malformed(
            "content_classification_labels",
            "the value must be an array of {id, is_enabled} objects",
        )
    };
    let list = value.as_array().ok_or_else(malformed)?;
    let mut out = Vec::new();
    for item in list {
        let id = item
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(malformed)?;
        let on = item
            .get("is_enabled")
            .and_then(Value::as_bool)
            .ok_or_else(malformed)?;
        if !CCLS.contains(&id) {
            return Err(HelixError::bad(format!(
                "The content classification label \"{id}\" is not valid or cannot be set"
            )));
        }
        out.push((id.to_owned(), on));
    }
    Ok(out)
}

fn parse_change(
    body: &Map<String, Value>,
    partner: bool,
    known_game: impl Fn(&str) -> bool,
) -> Result<Change, HelixError> {
    let mut change = Change::default();
    if let Some(title) = str_field(body, "title")? {
        if title.trim().is_empty() {
            return Err(HelixError::bad("The parameter \"title\" cannot be empty"));
        }
        if title.chars().count() > MAX_TITLE {
            return Err(HelixError::bad(format!(
                "The parameter \"title\" must be at most {MAX_TITLE} characters"
            )));
        }
        change.title = Some(title.to_owned());
    }
    if let Some(game) = str_field(body, "game_id")? {
        // "" or "0" unsets the category.
        let game = if game == "0" { "" } else { game };
        if !game.is_empty() && !known_game(game) {
            return Err(HelixError::bad(format!(
                "The parameter \"game_id\" is invalid: no category has the ID \"{game}\""
            )));
        }
        change.game_id = Some(game.to_owned());
    }
    if let Some(language) = str_field(body, "broadcaster_language")? {
        if !LANGUAGES.contains(&language) {
            return Err(HelixError::bad(format!(
                "The parameter \"broadcaster_language\" is invalid: \"{language}\" is not an \
                 ISO 639-1 code or \"other\""
            )));
        }
        change.language = Some(language.to_owned());
    }
    if let Some(delay) = int_field(body, "delay")? {
        if !(0..=MAX_DELAY).contains(&delay) {
            return Err(HelixError::bad(format!(
                "The parameter \"delay\" must be between 0 and {MAX_DELAY} seconds"
            )));
        }
        if delay > 0 && !partner {
            return Err(HelixError::bad(
                "The parameter \"delay\" may be set only by partners",
            ));
        }
        change.delay = Some(delay as u32);
    }
    if let Some(tags) = body.get("tags").filter(|v| !v.is_null()) {
        change.tags = Some(check_tags(tags)?);
    }
    if let Some(ccls) = body
        .get("content_classification_labels")
        .filter(|v| !v.is_null())
    {
        change.ccls = Some(check_ccls(ccls)?);
    }
    match body.get("is_branded_content") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => change.branded = Some(*b),
        Some(_) => {
            return Err(HelixError::malformed(
                "is_branded_content",
                "the value must be a boolean",
            ));
        }
    }
    let empty = change.title.is_none()
        && change.game_id.is_none()
        && change.language.is_none()
        && change.delay.is_none()
        && change.tags.is_none()
        && change.ccls.is_none()
        && change.branded.is_none();
    if empty {
        return Err(HelixError::bad(
            "The request must specify at least one field to update",
        ));
    }
    Ok(change)
}

/// `PATCH /helix/channels?broadcaster_id=..` (channel:manage:broadcast): 204 on success.
/// Nothing is written unless every field is valid.
pub(super) async fn modify(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> HelixResult {
    let grant = authorize(&shared, &headers, Some("channel:manage:broadcast"))?;
    let query = Query::of(&uri);
    let broadcaster = own_broadcaster(&query, &grant)?;
    let body = body_object(&body)?;
    let mut world = shared.world();
    let partner = world
        .user(broadcaster)
        .is_some_and(|u| u.broadcaster_type == "partner");
    let change = parse_change(&body, partner, |id| world.category(id).is_some())?;
    let Some(channel) = world.channel_mut(broadcaster) else {
        return Err(HelixError::bad("The ID in broadcaster_id is not valid."));
    };
    if let Some(title) = change.title {
        channel.title = title;
    }
    if let Some(game) = change.game_id {
        channel.game_id = game;
    }
    if let Some(language) = change.language {
        channel.language = language;
    }
    if let Some(delay) = change.delay {
        channel.delay = delay;
    }
    if let Some(tags) = change.tags {
        channel.tags = tags;
    }
    if let Some(ccls) = change.ccls {
        for (id, on) in ccls {
            channel.ccls.retain(|c| *c != id);
            if on {
                channel.ccls.push(id);
            }
        }
    }
    if let Some(branded) = change.branded {
        channel.branded = branded;
    }
    no_content()
}

/// `GET /helix/channels/editors?broadcaster_id=..` (channel:read:editors).
pub(super) async fn editors(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    let grant = authorize(&shared, &headers, Some("channel:read:editors"))?;
    let broadcaster = own_broadcaster(&Query::of(&uri), &grant)?;
    let world = shared.world();
    let list: &[(u64, i64)] = if broadcaster == crate::sim::twitch::world::STREAMER_ID {
        &world.editors
    } else {
        &[]
    };
    let data: Vec<Value> = list
        .iter()
        .map(|&(user, since)| {
            let (id, _, name) = world.names(user);
            json!({"user_id": id, "user_name": name, "created_at": rfc3339(since)})
        })
        .collect();
    ok(json!({ "data": data }))
}

/// `GET /helix/streams/key?broadcaster_id=..` (channel:read:stream_key).
pub(super) async fn stream_key(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    let grant = authorize(&shared, &headers, Some("channel:read:stream_key"))?;
    let broadcaster = own_broadcaster(&Query::of(&uri), &grant)?;
    let world = shared.world();
    let key = world
        .channel(broadcaster)
        .map(|c| c.stream_key.clone())
        .unwrap_or_default();
    ok(json!({ "data": [{ "stream_key": key }] }))
}

/// `POST /helix/channels/commercial` {broadcaster_id, length} (channel:edit:commercial).
/// The channel must be live; after a commercial, the next waits out a cooldown (429 with
/// `retry_after` until then).
pub(super) async fn commercial(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> HelixResult {
    let grant = authorize(&shared, &headers, Some("channel:edit:commercial"))?;
    let body = body_object(&body)?;
    let broadcaster = match body.get("broadcaster_id") {
        Some(Value::String(s)) if !s.is_empty() => parse_id(s).ok_or_else(|| {
            HelixError::malformed("broadcaster_id", "the value must be a numeric user ID")
        })?,
        Some(Value::Null) | None => return Err(HelixError::missing("broadcaster_id")),
        Some(_) => {
            return Err(HelixError::malformed(
                "broadcaster_id",
                "the value must be a string",
            ));
        }
    };
    if broadcaster != grant.user_id {
        return Err(HelixError::not_token_user("broadcaster_id"));
    }
    let length = int_field(&body, "length")?.ok_or_else(|| HelixError::missing("length"))?;
    if !(30..=180).contains(&length) {
        return Err(HelixError::bad(
            "The parameter \"length\" must be between 30 and 180 seconds",
        ));
    }
    let now = now_secs();
    let mut world = shared.world();
    let live = world.channel(broadcaster).is_some_and(|c| c.live);
    if !live {
        return Err(HelixError::bad(
            "To start a commercial, the broadcaster must be streaming live.",
        ));
    }
    if now < world.next_commercial_at {
        let wait = world.next_commercial_at - now;
        return Err(HelixError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!("The broadcaster may not run another commercial for {wait} seconds."),
        )
        .with_extra("retry_after", json!(wait)));
    }
    world.next_commercial_at = now + COMMERCIAL_COOLDOWN;
    ok(json!({
        "data": [{
            "length": length,
            "message": "",
            "retry_after": COMMERCIAL_COOLDOWN,
        }]
    }))
}
