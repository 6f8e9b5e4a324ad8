//! The channel's people: followers, chatters, moderators, VIPs and subscribers, paged with
//! Helix cursors. Every `total` is the real length of the list the pages walk.

use std::sync::Arc;

use axum::{
    extract::State,
    http::{HeaderMap, Uri},
};
use serde_json::{Value, json};

use super::{acting_moderator, authorize, authorize_any, offset_page, own_broadcaster};
use crate::sim::twitch::{
    server::Shared,
    wire::{HelixError, HelixResult, Query, ok, pagination, parse_id, rfc3339},
    world::{STREAMER_ID, World},
};

fn person(world: &World, user: u64) -> Value {
    let (id, login, name) = world.names(user);
    json!({"user_id": id, "user_login": login, "user_name": name})
}

/// `user_id` filters (repeatable), parsed.
fn user_filter(query: &Query) -> Result<Vec<u64>, HelixError> {
    query
        .all("user_id")
        .into_iter()
        .map(|s| parse_id(s).ok_or_else(|| HelixError::malformed("user_id", "invalid user ID")))
        .collect()
}

/// `GET /helix/channels/followers?broadcaster_id=..` (moderator:read:followers), newest
/// first. As on Twitch, a token without the scope, or whose user is neither the broadcaster
/// nor a moderator, gets the total and no list. The cursor marks a place in the list, so
/// followers arriving while a client pages do not shift later pages.
pub(super) async fn followers(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    let grant = authorize(&shared, &headers, None)?;
    let query = Query::of(&uri);
    let broadcaster = query.user_id("broadcaster_id")?;
    let first = query.first(20, 100)?;
    let after = query.after()?;
    let only = user_filter(&query)?;
    let world = shared.world();
    if world.user(broadcaster).is_none() {
        return Err(HelixError::bad("The ID in broadcaster_id is not valid."));
    }
    let total = world.followers_total(broadcaster);
    let may_list = grant.has("moderator:read:followers")
        && world.is_moderator(broadcaster, grant.user_id)
        && broadcaster == STREAMER_ID;
    if !may_list {
        return ok(json!({"total": total, "data": [], "pagination": {}}));
    }
    let entry = |&(user, at): &(u64, i64)| {
        let mut v = person(&world, user);
        if let Some(map) = v.as_object_mut() {
            map.insert("followed_at".into(), json!(rfc3339(at)));
        }
        v
    };
    if let Some(user) = only.first() {
        let data: Vec<Value> = world
            .followers
            .iter()
            .filter(|(u, _)| u == user)
            .map(entry)
            .collect();
        return ok(json!({"total": total, "data": data, "pagination": {}}));
    }
    // Stored oldest first; the cursor is the (exclusive) end of the next page in storage.
    let end = after.unwrap_or(total).min(total);
    let start = end.saturating_sub(first);
    let data: Vec<Value> = world.followers[start..end]
        .iter()
        .rev()
        .map(entry)
        .collect();
    let next = (start > 0).then_some(start);
    ok(json!({"total": total, "data": data, "pagination": pagination(next)}))
}

/// `GET /helix/chat/chatters?broadcaster_id=..&moderator_id=..` (moderator:read:chatters):
/// everyone in the chat room, the broadcaster included.
pub(super) async fn chatters(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    let grant = authorize(&shared, &headers, Some("moderator:read:chatters"))?;
    let query = Query::of(&uri);
    let (broadcaster, _) = acting_moderator(&shared, &query, &grant)?;
    let world = shared.world();
    let list: &[u64] = if broadcaster == STREAMER_ID {
        &world.chatters
    } else {
        &[]
    };
    let (range, next) = offset_page(list.len(), &query, 100, 1_000)?;
    let data: Vec<Value> = list[range].iter().map(|&u| person(&world, u)).collect();
    ok(json!({"data": data, "pagination": pagination(next), "total": list.len()}))
}

/// A plain paged user list of the token user's own channel (moderators, VIPs).
fn own_list(
    shared: &Shared,
    grant_user: u64,
    query: &Query,
    pick: impl Fn(&World) -> &[u64],
) -> HelixResult {
    let only = user_filter(query)?;
    let world = shared.world();
    let list: Vec<u64> = if grant_user == STREAMER_ID {
        pick(&world)
            .iter()
            .copied()
            .filter(|u| only.is_empty() || only.contains(u))
            .collect()
    } else {
        Vec::new()
    };
    let (range, next) = offset_page(list.len(), query, 20, 100)?;
    let data: Vec<Value> = list[range].iter().map(|&u| person(&world, u)).collect();
    ok(json!({"data": data, "pagination": pagination(next)}))
}

/// `GET /helix/moderation/moderators?broadcaster_id=..` (moderation:read). The broadcaster
/// is not listed, though they may moderate.
pub(super) async fn moderators(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    let grant = authorize_any(
        &shared,
        &headers,
        &["moderation:read", "channel:manage:moderators"],
    )?;
    let query = Query::of(&uri);
    let broadcaster = own_broadcaster(&query, &grant)?;
    own_list(&shared, broadcaster, &query, |w| &w.mods)
}

/// `GET /helix/channels/vips?broadcaster_id=..` (channel:read:vips).
pub(super) async fn vips(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    let grant = authorize_any(
        &shared,
        &headers,
        &["channel:read:vips", "channel:manage:vips"],
    )?;
    let query = Query::of(&uri);
    let broadcaster = own_broadcaster(&query, &grant)?;
    own_list(&shared, broadcaster, &query, |w| &w.vips)
}

/// Sub points per tier, as Twitch counts them.
fn points(tier: &str) -> u64 {
    match tier {
        "3000" => 6,
        "2000" => 2,
        _ => 1,
    }
}

/// `GET /helix/subscriptions?broadcaster_id=..` (channel:read:subscriptions), with `total`
/// and `points`.
pub(super) async fn subscriptions(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    let grant = authorize(&shared, &headers, Some("channel:read:subscriptions"))?;
    let query = Query::of(&uri);
    let broadcaster = own_broadcaster(&query, &grant)?;
    let only = user_filter(&query)?;
    if only.len() > 100 {
        return Err(HelixError::malformed(
            "user_id",
            "the request may specify at most 100 IDs",
        ));
    }
    let world = shared.world();
    let subs = if broadcaster == STREAMER_ID {
        world.subs.as_slice()
    } else {
        &[]
    };
    let total = subs.len();
    let points: u64 = subs.iter().map(|s| points(s.tier)).sum();
    let (b_id, b_login, b_name) = world.names(broadcaster);
    let entry = |s: &crate::sim::twitch::world::Sub| {
        let (u_id, u_login, u_name) = world.names(s.user);
        let (g_id, g_login, g_name) = match s.gifter {
            Some(g) => world.names(g),
            None => Default::default(),
        };
        let plan = match s.tier {
            "3000" => "Channel Subscription ($24.99)",
            "2000" => "Channel Subscription ($9.99)",
            _ => "Channel Subscription ($4.99)",
        };
        json!({
            "broadcaster_id": b_id,
            "broadcaster_login": b_login,
            "broadcaster_name": b_name,
            "gifter_id": g_id,
            "gifter_login": g_login,
            "gifter_name": g_name,
            "is_gift": s.gifter.is_some(),
            "plan_name": plan,
            "tier": s.tier,
            "user_id": u_id,
            "user_name": u_name,
            "user_login": u_login,
        })
    };
    if !only.is_empty() {
        let data: Vec<Value> = subs
            .iter()
            .filter(|s| only.contains(&s.user))
            .map(entry)
            .collect();
        return ok(json!({"data": data, "pagination": {}, "total": total, "points": points}));
    }
    let (range, next) = offset_page(total, &query, 20, 100)?;
    let data: Vec<Value> = subs[range].iter().map(entry).collect();
    ok(json!({
        "data": data,
        "pagination": pagination(next),
        "total": total,
        "points": points,
    }))
}
