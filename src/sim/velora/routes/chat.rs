//! Chat in the streamer's channel: send (≤ 500 characters, 30 a minute per user), moderate
//! (timeout, ban, delete; a target user for every action; 60 a minute), and the public
//! history (the last ≤ 100 messages).

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, Uri},
};
use serde_json::{Value, json};

use super::{authorize, dto};
use crate::sim::velora::{
    auth::now_secs,
    server::Shared,
    wire::{ApiError, ApiResult, Query, created, iso, ok, text_len},
    world::{CHAT_PER_MINUTE, MODERATE_PER_MINUTE, ModLine, STREAMER, World, spend},
};

/// Longest chat message, in characters.
pub(crate) const MESSAGE_MAX: usize = 500;
/// Longest timeout: 14 days.
const TIMEOUT_MAX: i64 = 1_209_600;
/// A timeout without `durationSeconds` lasts ten minutes.
const TIMEOUT_DEFAULT: i64 = 600;

/// The channel in the path (an id or a username); only the streamer's channel has a chat.
fn channel(world: &World, raw: &str) -> Result<usize, ApiError> {
    match world.find_user(raw) {
        Some(STREAMER) => Ok(STREAMER),
        _ => Err(ApiError::not_found("Channel not found")),
    }
}

/// `POST /api/integrations/oauth/chat/channels/{channelId}/messages` (chat:write)
/// ← `{message, effects?}`; 201 `{success, messageId}`.
pub(super) async fn send(
    State(shared): State<Arc<Shared>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let grant = authorize(&shared, &headers, Some("chat:write"))?;
    let map = dto(&body, &["message", "effects"])?;
    let mut problems = Vec::new();
    let text = match map.get("message") {
        Some(Value::String(t)) => {
            if t.trim().is_empty() {
                problems.push("message should not be empty".to_owned());
            } else if text_len(t) > MESSAGE_MAX {
                problems.push(format!(
                    "message must be shorter than or equal to {MESSAGE_MAX} characters"
                ));
            }
            t.clone()
        }
        Some(_) => {
            problems.push("message must be a string".to_owned());
            String::new()
        }
        None => {
            problems.push("message should not be empty".to_owned());
            problems.push("message must be a string".to_owned());
            String::new()
        }
    };
    if map.get("effects").is_some_and(|e| !e.is_array()) {
        problems.push("effects must be an array".to_owned());
    }
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let mut world = shared.world();
    channel(&world, &raw)?;
    if world.is_banned(grant.user) {
        return Err(ApiError::forbidden(
            "You are banned or timed out in this chat",
        ));
    }
    if let Err(wait) = spend(&mut world.chat_sends, grant.user, CHAT_PER_MINUTE) {
        return Err(ApiError::rate_limited(
            format!("You can send {CHAT_PER_MINUTE} chat messages a minute; wait {wait} s"),
            wait,
        ));
    }
    let id = world.post_chat(grant.user, &text);
    created(json!({"success": true, "messageId": id}))
}

/// `POST /api/integrations/oauth/chat/channels/{channelId}/moderate` (chat:moderate)
/// ← `{action, targetUserId | targetUsername, durationSeconds?, reason?, messageId?}`.
pub(super) async fn moderate(
    State(shared): State<Arc<Shared>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let grant = authorize(&shared, &headers, Some("chat:moderate"))?;
    let map = dto(
        &body,
        &[
            "action",
            "targetUserId",
            "targetUsername",
            "durationSeconds",
            "reason",
            "messageId",
        ],
    )?;
    let mut problems = Vec::new();
    let string = |key: &str, problems: &mut Vec<String>| match map.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(Value::String(_)) => {
            problems.push(format!("{key} should not be empty"));
            None
        }
        Some(_) => {
            problems.push(format!("{key} must be a string"));
            None
        }
    };
    let action = string("action", &mut problems);
    if !matches!(action.as_deref(), Some("timeout" | "ban" | "delete")) {
        problems.push("action must be one of the following values: timeout, ban, delete".into());
    }
    let target_id = string("targetUserId", &mut problems);
    let target_name = string("targetUsername", &mut problems);
    let reason = string("reason", &mut problems);
    let message_id = string("messageId", &mut problems);
    if reason.as_deref().is_some_and(|r| text_len(r) > MESSAGE_MAX) {
        problems.push(format!(
            "reason must be shorter than or equal to {MESSAGE_MAX} characters"
        ));
    }
    let duration = match map.get("durationSeconds") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(d) if d < 1 => {
                problems.push("durationSeconds must not be less than 1".into());
                None
            }
            Some(d) if d > TIMEOUT_MAX => {
                problems.push(format!(
                    "durationSeconds must not be greater than {TIMEOUT_MAX}"
                ));
                None
            }
            Some(d) => Some(d),
            None => {
                problems.push("durationSeconds must be an integer number".into());
                None
            }
        },
    };
    if target_id.is_none() && target_name.is_none() {
        problems.push("targetUserId or targetUsername must be provided".into());
    }
    if action.as_deref() == Some("delete") && message_id.is_none() {
        problems.push("messageId is required for the delete action".into());
    }
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let action = action.unwrap_or_default();
    let mut world = shared.world();
    channel(&world, &raw)?;
    if !world.is_moderator(grant.user) {
        return Err(ApiError::forbidden(
            "You are not a moderator of this channel",
        ));
    }
    let target = match (&target_id, &target_name) {
        (Some(id), _) => world.user_by_id(id),
        (None, Some(name)) => world.find_user(name),
        (None, None) => None,
    };
    let Some(target) = target else {
        return Err(ApiError::not_found("Target user not found"));
    };
    if target == STREAMER || target == grant.user {
        return Err(ApiError::bad("You cannot moderate this user"));
    }
    if let Err(wait) = spend(&mut world.mod_sends, grant.user, MODERATE_PER_MINUTE) {
        return Err(ApiError::rate_limited(
            format!(
                "You can take {MODERATE_PER_MINUTE} moderation actions a minute; wait {wait} s"
            ),
            wait,
        ));
    }
    let now = now_secs();
    let mut duration_secs = None;
    let summary = match action.as_str() {
        "delete" => {
            let wanted = message_id.clone().unwrap_or_default();
            let Some(line) = world.chat.iter_mut().find(|l| l.id == wanted) else {
                return Err(ApiError::not_found("Message not found"));
            };
            if line.sender != target {
                return Err(ApiError::bad("The message was not sent by the target user"));
            }
            line.deleted = true;
            "Message deleted".to_owned()
        }
        "timeout" => {
            let d = duration.unwrap_or(TIMEOUT_DEFAULT);
            duration_secs = Some(d as u64);
            world.bans.insert(target, Some(now + d));
            format!("User timed out for {d} seconds")
        }
        _ => {
            world.bans.insert(target, None);
            world.viewers.retain(|&v| v != target);
            "User banned".to_owned()
        }
    };
    world.moderation.push(ModLine {
        action: action.clone(),
        moderator: grant.user,
        target,
        duration_secs,
        reason,
        message_id: message_id.filter(|_| action == "delete"),
    });
    let target_id = world.users[target].id.clone();
    created(json!({
        "success": true,
        "action": action,
        "targetUserId": target_id,
        "message": summary,
    }))
}

/// `GET /api/chat/channels/{channelId or username}/history?limit` (public): the last
/// `limit` (≤ 100, default 50) messages still shown, oldest first.
pub(super) async fn history(
    State(shared): State<Arc<Shared>>,
    Path(raw): Path<String>,
    uri: Uri,
) -> ApiResult {
    let query = Query::of(&uri);
    let limit = query.number("limit", 50, 1, 1_000_000)?.min(100);
    let world = shared.world();
    let owner = channel(&world, &raw)?;
    let shown: Vec<_> = world.chat.iter().filter(|l| !l.deleted).collect();
    let from = shown.len().saturating_sub(limit);
    let messages: Vec<Value> = shown[from..]
        .iter()
        .map(|l| {
            let u = &world.users[l.sender];
            json!({
                "id": l.id,
                "userId": u.id,
                "username": u.username,
                "displayName": u.display_name,
                "color": u.color,
                "roles": world.roles(l.sender),
                "content": l.text,
                "createdAt": iso(l.at_ms),
            })
        })
        .collect();
    ok(json!({"channelId": world.users[owner].id, "messages": messages}))
}
