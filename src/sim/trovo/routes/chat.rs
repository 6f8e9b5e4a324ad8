//! Chat endpoints: send (with Trovo's chat rules), delete, chat commands, chat tokens.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, State, rejection::PathRejection},
    http::{HeaderMap, StatusCode},
};
use serde_json::json;

use super::{
    channel::{is_follower, is_subscriber},
    commands,
};
use crate::sim::trovo::{
    auth::random_hex,
    server::Shared,
    wire::{
        AUTH_FAILED, ApiError, ApiResult, BANNED_IN_CHANNEL, CHANNEL_MODERATION, FOLLOWER_ONLY,
        INVALID_PARAMS, INVALID_USER, NO_CHAT_PERMISSION, SLOW_MODE, SPAM, body_object, id_field,
        ok, path_id, path_params, str_field,
    },
    world::{Deletion, World, now_ms, now_secs},
};

/// Longest chat message the simulator accepts, in characters.
const MAX_CHAT_CHARS: usize = 300;
/// "One user cannot send the same message in 30 sec to a channel".
const SAME_CONTENT_WINDOW_MS: i64 = 30_000;
/// "... or send more than 1 message in 1 sec across all platforms."
const RATE_WINDOW_MS: i64 = 1_000;

/// `POST /chat/send {content, channel_id?}` (scope chat_send_self). Without `channel_id` the
/// message goes to the sender's own channel. Another channel needs its owner's
/// `send_to_my_channel` grant: the streamer's channel has granted it, no other has (11707).
///
/// Chat rules for senders who are not the channel's streamer, a moderator or an admin, in
/// this order: banned (12400), slow mode (12401), follower-only (12402), subscriber-only
/// (12906, Trovo has no dedicated code), then the spam rule (10908).
pub(super) async fn send(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let mut world = shared.world();
    let grant = world.auth.check(&headers, Some("chat_send_self"))?;
    let body = body_object(&body)?;
    let content = str_field(&body, "content")?.unwrap_or_default();
    if content.trim().is_empty() || content.chars().count() > MAX_CHAT_CHARS {
        return Err(ApiError::params());
    }
    let sender = grant.user_id;
    let target = id_field(&body, "channel_id")?.unwrap_or(sender);
    let channel = world
        .channel(target)
        .ok_or_else(|| ApiError::new(INVALID_USER))?;
    if target != sender && !channel.rules.open_to_api_senders {
        return Err(ApiError::new(NO_CHAT_PERMISSION));
    }
    let privileged = channel.is_moderator(sender);
    // Every account that signs in owns a channel.
    let sender_person = world
        .channel(sender)
        .map(|c| c.owner.clone())
        .ok_or_else(|| ApiError::new(INVALID_USER))?;
    let now = now_ms();
    if !privileged {
        check_rules(&mut world, target, sender, &content, now)?;
    }
    world.post_chat(target, &sender_person, &content);
    world.last_send.insert(sender, now);
    world.last_in_channel.insert((sender, target), now);
    world
        .recent_content
        .insert((sender, target, content.clone()), now);
    if world.recent_content.len() > 10_000 {
        world
            .recent_content
            .retain(|_, at| now - *at < SAME_CONTENT_WINDOW_MS);
    }
    ok(json!({}))
}

/// The chat rules a non-privileged sender must pass.
fn check_rules(
    world: &mut World,
    target: u64,
    sender: u64,
    content: &str,
    now: i64,
) -> Result<(), ApiError> {
    let Some(channel) = world.channel_mut(target) else {
        return Err(ApiError::new(INVALID_USER));
    };
    if let Some(until) = channel.rules.bans.get(&sender).copied() {
        match until {
            Some(end) if end <= now_secs() => {
                channel.rules.bans.remove(&sender);
            }
            _ => return Err(ApiError::new(BANNED_IN_CHANNEL)),
        }
    }
    let slow = channel.rules.slow;
    let (followers_only, subscribers_only) =
        (channel.rules.followers_only, channel.rules.subscribers_only);
    if let Some((secs, since)) = slow {
        // The wait runs from the sender's last message here, or from the moment slow mode
        // was switched on, whichever is later: a fresh slow mode holds everyone for a round.
        let last = world
            .last_in_channel
            .get(&(sender, target))
            .copied()
            .unwrap_or(i64::MIN);
        if now - last.max(since) < i64::from(secs) * 1_000 {
            return Err(ApiError::new(SLOW_MODE));
        }
    }
    if followers_only && !is_follower(world, target, sender) {
        return Err(ApiError::new(FOLLOWER_ONLY));
    }
    if subscribers_only && !is_subscriber(world, target, sender) {
        return Err(ApiError::new(CHANNEL_MODERATION)
            .with_message("The channel is in subscriber-only chat mode."));
    }
    let repeated = world
        .recent_content
        .get(&(sender, target, content.to_owned()))
        .is_some_and(|at| now - at < SAME_CONTENT_WINDOW_MS);
    let too_fast = world
        .last_send
        .get(&sender)
        .is_some_and(|at| now - at < RATE_WINDOW_MS);
    if repeated || too_fast {
        return Err(ApiError::new(SPAM));
    }
    Ok(())
}

/// `DELETE /channels/{ch}/messages/{msg}/users/{uid}` (scope manage_messages). The streamer
/// may delete anything in their channel, moderators anything but the streamer's lines. A
/// message that no longer exists is a success (the reference: expired messages are removed
/// from history, and the answer is the same).
pub(super) async fn delete_message(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> ApiResult {
    let mut world = shared.world();
    let grant = world.auth.check(&headers, Some("manage_messages"))?;
    let (ch, msg, uid) = path_params(path)?;
    let channel_id = path_id(&ch)?;
    let user_id = path_id(&uid)?;
    let channel = world
        .channel(channel_id)
        .ok_or_else(|| ApiError::new(INVALID_USER))?;
    let no_permission =
        || ApiError::new(AUTH_FAILED).with_message("No permission to delete this message");
    if !channel.is_moderator(grant.user_id) {
        return Err(no_permission());
    }
    let owner = channel.id();
    let found = world
        .chat
        .iter()
        .position(|l| l.message_id == msg && l.channel_id == channel_id);
    if let Some(index) = found {
        let sender = world.chat.get(index).map_or(0, |l| l.sender_id);
        if sender != user_id {
            return Err(ApiError::custom(
                StatusCode::BAD_REQUEST,
                INVALID_PARAMS,
                "Delete failed. (System error / message id does not match sender uid)",
            ));
        }
        if sender == owner && grant.user_id != owner {
            return Err(no_permission());
        }
        world.chat.remove(index);
        world.deletions.push(Deletion {
            channel_id,
            message_id: msg,
            sender_id: sender,
            by: grant.user_id,
        });
    }
    ok(json!({}))
}

/// `POST /channels/command {command, channel_id}` (scope manage_messages). Always HTTP 200
/// with `{is_success, display_msg}` once the token and parameters are valid: a refused or
/// unknown command is a 200 with `is_success: false`, as on Trovo.
pub(super) async fn command(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let mut world = shared.world();
    let grant = world.auth.check(&headers, Some("manage_messages"))?;
    let body = body_object(&body)?;
    let command = str_field(&body, "command")?.unwrap_or_default();
    let channel_id = id_field(&body, "channel_id")?.ok_or_else(ApiError::params)?;
    // An unknown channel is a failed command (200), like every other refusal here.
    let outcome = commands::run(&mut world, grant.user_id, channel_id, &command);
    let (is_success, display_msg) = match outcome {
        Ok(()) => (true, String::new()),
        Err(message) => (false, message),
    };
    ok(json!({ "is_success": is_success, "display_msg": display_msg }))
}

/// `GET /chat/token` (scope chat_connect): a chat socket token for the owner's channel.
pub(super) async fn chat_token(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> ApiResult {
    let mut world = shared.world();
    let grant = world.auth.check(&headers, Some("chat_connect"))?;
    issue_chat_token(&mut world, grant.user_id)
}

/// `GET /chat/channel-token/{channel_id}` (Client-ID only): a read-only chat token for any
/// channel.
pub(super) async fn channel_chat_token(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let channel_id = path_id(&path_params(path)?)?;
    let mut world = shared.world();
    if world.channel(channel_id).is_none() {
        return Err(ApiError::new(INVALID_USER));
    }
    issue_chat_token(&mut world, channel_id)
}

/// A chat token for `channel_id`, good for opening the chat socket for
/// [`crate::sim::trovo::SimOptions::chat_token_lifetime_secs`].
fn issue_chat_token(world: &mut World, channel_id: u64) -> ApiResult {
    let token = random_hex();
    let now = now_secs();
    world.chat_tokens.retain(|_, (_, until)| *until > now);
    if world.chat_tokens.len() > 1_000 {
        world.chat_tokens.clear();
    }
    world
        .chat_tokens
        .insert(token.clone(), (channel_id, now + world.chat_token_lifetime));
    world.auth.remember(&token);
    ok(json!({ "token": token }))
}
