//! Chat and moderation: send a message (with Twitch's silent drops: `is_sent: false` and a
//! `drop_reason`), delete one or all messages, ban or time out a user, and unban.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, Uri},
};
use serde_json::{Map, Value, json};

use super::{acting_moderator, authorize};
use crate::sim::twitch::{
    auth::{now_ms, now_secs},
    eventsub,
    server::Shared,
    wire::{
        HelixError, HelixResult, Query, body_object, int_field, no_content, ok, parse_id, rfc3339,
        str_field,
    },
    world::World,
};

const MAX_MESSAGE: usize = 500;
/// Twitch refuses the same message from the same sender within this window.
const DUPLICATE_WINDOW_MS: i64 = 30_000;
/// The longest timeout, two weeks.
const MAX_TIMEOUT: i64 = 1_209_600;
/// Messages older than this cannot be deleted.
const DELETE_WINDOW_MS: i64 = 6 * 3_600 * 1_000;

/// A body field holding a user id as a string.
fn id_field(body: &Map<String, Value>, key: &str) -> Result<u64, HelixError> {
    let raw = str_field(body, key)?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| HelixError::missing(key))?;
    parse_id(raw).ok_or_else(|| HelixError::malformed(key, "the value must be a numeric user ID"))
}

fn dropped(code: &str, message: &str) -> HelixResult {
    ok(json!({"data": [{
        "message_id": "",
        "is_sent": false,
        "drop_reason": {"code": code, "message": message},
    }]}))
}

/// `POST /helix/chat/messages` {broadcaster_id, sender_id, message} (user:write:chat).
pub(super) async fn send(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> HelixResult {
    let grant = authorize(&shared, &headers, Some("user:write:chat"))?;
    let body = body_object(&body)?;
    let broadcaster = id_field(&body, "broadcaster_id")?;
    let sender = id_field(&body, "sender_id")?;
    let message = str_field(&body, "message")?
        .filter(|m| !m.is_empty())
        .ok_or_else(|| HelixError::missing("message"))?
        .to_owned();
    if sender != grant.user_id {
        return Err(HelixError::not_token_user("sender_id"));
    }
    if message.chars().count() > MAX_MESSAGE {
        return Err(HelixError::bad(format!(
            "The parameter \"message\" must be at most {MAX_MESSAGE} characters"
        )));
    }
    let mut world = shared.world();
    if world.user(broadcaster).is_none() {
        return Err(HelixError::bad("The ID in broadcaster_id is not valid."));
    }
    let now = now_secs();
    if let Some(until) = world.bans.get(&(broadcaster, sender)).copied()
        && until.is_none_or(|end| end > now)
    {
        return match until {
            None => dropped(
                "user_banned",
                "You are permanently banned from talking in this channel.",
            ),
            Some(end) => dropped(
                "user_timed_out",
                &format!("You are timed out for {} more seconds.", end - now),
            ),
        };
    }
    let ms = now_ms();
    let duplicate = world
        .chat
        .iter()
        .rev()
        .find(|l| l.sender_id == sender && l.broadcaster_id == broadcaster);
    if duplicate.is_some_and(|l| l.text == message && ms - l.at_ms < DUPLICATE_WINDOW_MS) {
        return dropped(
            "msg_duplicate",
            "Your message is identical to the one you sent within the last 30 seconds.",
        );
    }
    let lower = message.to_lowercase();
    let blocked = world
        .blocked_terms
        .iter()
        .any(|t| !t.is_empty() && lower.contains(&t.to_lowercase()));
    if blocked {
        return dropped(
            "msg_rejected",
            "Your message wasn't posted due to conflicts with the channel's moderation settings.",
        );
    }
    let message_id = world.post_chat(broadcaster, sender, &message);
    ok(json!({"data": [{"message_id": message_id, "is_sent": true, "drop_reason": null}]}))
}

/// `DELETE /helix/moderation/chat?broadcaster_id&moderator_id[&message_id]`
/// (moderator:manage:chat_messages): one message, or the whole chat without `message_id`.
pub(super) async fn delete_message(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    let grant = authorize(&shared, &headers, Some("moderator:manage:chat_messages"))?;
    let query = Query::of(&uri);
    let (broadcaster, moderator) = acting_moderator(&shared, &query, &grant)?;
    let message_id = query.one("message_id").filter(|m| !m.is_empty());
    let mut world = shared.world();
    let Some(message_id) = message_id else {
        for line in world
            .chat
            .iter_mut()
            .filter(|l| l.broadcaster_id == broadcaster)
        {
            line.deleted = true;
        }
        return no_content();
    };
    let ms = now_ms();
    let Some(index) = world
        .chat
        .iter()
        .position(|l| l.message_id == message_id && l.broadcaster_id == broadcaster)
    else {
        return Err(HelixError::not_found("The ID in message_id was not found."));
    };
    let line = &world.chat[index];
    if ms - line.at_ms > DELETE_WINDOW_MS {
        return Err(HelixError::bad(
            "You may not delete messages that are more than 6 hours old.",
        ));
    }
    let sender = line.sender_id;
    let sender_is_mod = sender == broadcaster || world.mods.contains(&sender);
    if sender_is_mod && sender != moderator {
        return Err(HelixError::bad(
            "You may not delete another moderator's messages or the broadcaster's messages.",
        ));
    }
    world.chat[index].deleted = true;
    let event = removal_event(&world, broadcaster, sender, Some(message_id));
    world.publish(eventsub::CHAT_MESSAGE_DELETE, broadcaster, &event);
    no_content()
}

/// The event of `channel.chat.message_delete` (with `message_id`) or
/// `channel.chat.clear_user_messages` (without) about `target`'s lines.
fn removal_event(world: &World, broadcaster: u64, target: u64, message_id: Option<&str>) -> Value {
    let name = |id: u64| {
        world
            .user(id)
            .map(|u| (u.login.clone(), u.display_name.clone()))
            .unwrap_or_default()
    };
    let (b_login, b_name) = name(broadcaster);
    let (t_login, t_name) = name(target);
    let mut event = json!({
        "broadcaster_user_id": broadcaster.to_string(),
        "broadcaster_user_login": b_login,
        "broadcaster_user_name": b_name,
        "target_user_id": target.to_string(),
        "target_user_login": t_login,
        "target_user_name": t_name,
    });
    if let (Some(id), Some(map)) = (message_id, event.as_object_mut()) {
        map.insert("message_id".into(), json!(id));
    }
    event
}

/// The event of `channel.ban` about `user`, banned by `moderator` in `broadcaster`'s chat at
/// `at` until `end` (`None`: for good).
fn ban_event(
    world: &World,
    [broadcaster, moderator, user]: [u64; 3],
    reason: &str,
    at: i64,
    end: Option<i64>,
) -> Value {
    let mut event = json!({
        "reason": reason,
        "banned_at": rfc3339(at),
        "ends_at": end.map(rfc3339),
        "is_permanent": end.is_none(),
    });
    for (prefix, id) in [
        ("broadcaster_user", broadcaster),
        ("moderator_user", moderator),
        ("user", user),
    ] {
        let (login, name) = world
            .user(id)
            .map(|u| (u.login.clone(), u.display_name.clone()))
            .unwrap_or_default();
        event[format!("{prefix}_id")] = json!(id.to_string());
        event[format!("{prefix}_login")] = json!(login);
        event[format!("{prefix}_name")] = json!(name);
    }
    event
}

/// `POST /helix/moderation/bans?broadcaster_id&moderator_id` {data: {user_id, duration?,
/// reason?}} (moderator:manage:banned_users): a ban, or a timeout with `duration`.
pub(super) async fn ban(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> HelixResult {
    let grant = authorize(&shared, &headers, Some("moderator:manage:banned_users"))?;
    let query = Query::of(&uri);
    let (broadcaster, moderator) = acting_moderator(&shared, &query, &grant)?;
    let body = body_object(&body)?;
    let data = match body.get("data") {
        Some(Value::Object(map)) => map.clone(),
        None | Some(Value::Null) => return Err(HelixError::missing("data")),
        Some(_) => return Err(HelixError::malformed("data", "the value must be an object")),
    };
    let user = id_field(&data, "user_id")?;
    let duration = int_field(&data, "duration")?;
    let reason = str_field(&data, "reason")?.unwrap_or_default().to_owned();
    if reason.chars().count() > 500 {
        return Err(HelixError::bad(
            "The parameter \"reason\" must be at most 500 characters",
        ));
    }
    if let Some(d) = duration
        && !(1..=MAX_TIMEOUT).contains(&d)
    {
        return Err(HelixError::bad(format!(
            "The parameter \"duration\" must be between 1 and {MAX_TIMEOUT} seconds"
        )));
    }
    let now = now_secs();
    let mut world = shared.world();
    if world.user(user).is_none() {
        return Err(HelixError::bad(
            "The user specified in the user_id field does not exist.",
        ));
    }
    if user == broadcaster || user == moderator {
        return Err(HelixError::bad(
            "The user specified in the user_id field may not be banned.",
        ));
    }
    let current = world.bans.get(&(broadcaster, user)).copied();
    let banned_for_good = matches!(current, Some(None));
    if banned_for_good {
        return Err(HelixError::bad(
            "The user specified in the user_id field is already banned.",
        ));
    }
    let end = duration.map(|d| now + d);
    world.bans.insert((broadcaster, user), end);
    // A ban or time-out clears the user's lines from chat, and chat readers are told;
    // moderators' tools also hear of the ban itself, with a time-out's end.
    let event = removal_event(&world, broadcaster, user, None);
    world.publish(eventsub::CHAT_CLEAR_USER, broadcaster, &event);
    let event = ban_event(&world, [broadcaster, moderator, user], &reason, now, end);
    world.publish(eventsub::BAN, broadcaster, &event);
    ok(json!({"data": [{
        "broadcaster_id": broadcaster.to_string(),
        "moderator_id": moderator.to_string(),
        "user_id": user.to_string(),
        "created_at": rfc3339(now),
        "end_time": end.map(rfc3339),
    }]}))
}

/// `DELETE /helix/moderation/bans?broadcaster_id&moderator_id&user_id`
/// (moderator:manage:banned_users): lifts a ban or timeout; 204.
pub(super) async fn unban(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    let grant = authorize(&shared, &headers, Some("moderator:manage:banned_users"))?;
    let query = Query::of(&uri);
    let (broadcaster, _) = acting_moderator(&shared, &query, &grant)?;
    let user = query.user_id("user_id")?;
    let now = now_secs();
    let mut world = shared.world();
    let active = world
        .bans
        .get(&(broadcaster, user))
        .is_some_and(|until| until.is_none_or(|end| end > now));
    if !active {
        return Err(HelixError::bad(
            "The user specified in the user_id field is not banned.",
        ));
    }
    world.bans.remove(&(broadcaster, user));
    no_content()
}
