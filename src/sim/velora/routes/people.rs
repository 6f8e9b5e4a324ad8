//! People: the signed-in account, followers (newest first), the live viewer list (roles,
//! anonymous count, live-list paging) and subscribers (the creator endpoint with cursors,
//! the developer endpoint with page numbers).

use std::sync::Arc;

use axum::{
    extract::{Path, State},
    http::{HeaderMap, Uri},
};
use serde_json::{Value, json};

use super::authorize;
use crate::sim::velora::{
    server::Shared,
    wire::{ApiError, ApiResult, Query, encode_cursor, iso, ok, pagination},
    world::{STREAMER, Sub, World},
};

/// `GET /api/users/me` (any valid token).
pub(super) async fn me(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> ApiResult {
    let grant = authorize(&shared, &headers, None)?;
    let world = shared.world();
    let u = &world.users[grant.user];
    let live = grant.user == STREAMER && world.stream.live;
    let followers = if grant.user == STREAMER {
        world.followers.len()
    } else {
        0
    };
    ok(json!({
        "id": u.id,
        "username": u.username,
        "displayName": u.display_name,
        "avatarUrl": world.avatar_url(grant.user),
        "bio": u.bio,
        "color": u.color,
        "isLive": live,
        "followerCount": followers,
        "followingCount": 37,
        "createdAt": iso(u.created_at_ms),
    }))
}

/// Newest-first paging over an oldest-first list that only grows at its end: the cursor
/// holds the oldest-first index the next page ends before, so arrivals never shift a page.
fn newest_first(
    len: usize,
    query: &Query,
    default: usize,
) -> Result<(Vec<usize>, Option<String>), ApiError> {
    let limit = query.limit(default)?;
    let (end, page) = match query.cursor()? {
        Some((end, page)) => (end.min(len), page),
        None => (len, 0),
    };
    let start = end.saturating_sub(limit);
    let indexes = (start..end).rev().collect();
    let next = (start > 0).then(|| encode_cursor(start, page + 1));
    Ok((indexes, next))
}

/// `GET /api/users/{userId}/followers?limit&cursor` (public).
pub(super) async fn followers(
    State(shared): State<Arc<Shared>>,
    Path(user): Path<String>,
    uri: Uri,
) -> ApiResult {
    let query = Query::of(&uri);
    let world = shared.world();
    let Some(user) = world.user_by_id(&user) else {
        return Err(ApiError::not_found("User not found"));
    };
    let len = if user == STREAMER {
        world.followers.len()
    } else {
        0
    };
    let (indexes, next) = newest_first(len, &query, 20)?;
    let list: Vec<Value> = indexes
        .into_iter()
        .map(|i| {
            let (who, at) = world.followers[i];
            let u = &world.users[who];
            json!({
                "userId": u.id,
                "username": u.username,
                "displayName": u.display_name,
                "avatarUrl": world.avatar_url(who),
                "followedAt": iso(at),
            })
        })
        .collect();
    ok(json!({"followers": list, "total": len, "pagination": pagination(next)}))
}

fn badges(world: &World, user: usize) -> Vec<String> {
    let mut badges: Vec<String> = world
        .roles(user)
        .into_iter()
        .filter(|r| *r != "subscriber")
        .map(str::to_owned)
        .collect();
    if let Some(sub) = world.sub_of(user) {
        badges.push(format!("subscriber-tier-{}", sub.tier));
    }
    badges
}

/// `GET /api/chat/channels/{channelId or username}/viewers?limit&cursor` (public).
///
/// The list is live: with live paging on (the default), every third page repeats the last
/// viewer of the page before, and every fourth is cut short though more remain. Only a null
/// cursor ends it.
pub(super) async fn viewers(
    State(shared): State<Arc<Shared>>,
    Path(channel): Path<String>,
    uri: Uri,
) -> ApiResult {
    let query = Query::of(&uri);
    let limit = query.limit(50)?;
    let world = shared.world();
    let Some(owner) = world.find_user(&channel) else {
        return Err(ApiError::not_found("Channel not found"));
    };
    let room: &[usize] = if owner == STREAMER && world.stream.live {
        &world.viewers
    } else {
        &[]
    };
    let (from, page) = query.cursor()?.unwrap_or((0, 0));
    let from = from.min(room.len());
    let short = world.live_paging && page % 4 == 2 && limit >= 2;
    let take = if short { limit / 2 } else { limit };
    let repeat = world.live_paging && page % 3 == 1 && from > 0 && take >= 2;
    let start = if repeat { from - 1 } else { from };
    let end = start.saturating_add(take).min(room.len());
    let next = (end < room.len()).then(|| encode_cursor(end, page + 1));
    let list: Vec<Value> = room[start..end]
        .iter()
        .map(|&v| {
            let u = &world.users[v];
            json!({
                "userId": u.id,
                "username": u.username,
                "displayName": u.display_name,
                "avatarUrl": world.avatar_url(v),
                "roles": world.roles(v),
                "badges": badges(&world, v),
            })
        })
        .collect();
    let anonymous = if room.is_empty() { 0 } else { world.anonymous };
    ok(json!({
        "channelId": world.users[owner].id,
        "viewerCount": room.len() as u32 + anonymous,
        "anonymousCount": anonymous,
        "viewers": list,
        "pagination": pagination(next),
    }))
}

fn gifter_json(world: &World, sub: &Sub) -> Value {
    match sub.gifter {
        Some(g) => {
            let u = &world.users[g];
            json!({"userId": u.id, "username": u.username, "displayName": u.display_name})
        }
        None => Value::Null,
    }
}

/// `GET /api/subscriptions/creator/{creatorId}/subscribers?limit&cursor`
/// (subscriptions:read; the token's own creator id only), newest first.
pub(super) async fn subscribers(
    State(shared): State<Arc<Shared>>,
    Path(creator): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult {
    let grant = authorize(&shared, &headers, Some("subscriptions:read"))?;
    let query = Query::of(&uri);
    let world = shared.world();
    let Some(creator) = world.user_by_id(&creator) else {
        return Err(ApiError::not_found("Creator not found"));
    };
    if creator != grant.user {
        return Err(ApiError::forbidden(
            "You can only list the subscribers of your own channel",
        ));
    }
    let len = if creator == STREAMER {
        world.subs.len()
    } else {
        0
    };
    let (indexes, next) = newest_first(len, &query, 20)?;
    let list: Vec<Value> = indexes
        .into_iter()
        .map(|i| {
            let s = &world.subs[i];
            let u = &world.users[s.user];
            json!({
                "id": s.id,
                "userId": u.id,
                "username": u.username,
                "displayName": u.display_name,
                "avatarUrl": world.avatar_url(s.user),
                "tier": s.tier,
                "isGift": s.gifter.is_some(),
                "gifter": gifter_json(&world, s),
                "subscribedAt": iso(s.subscribed_at_ms),
                "expiresAt": iso(s.expires_at_ms),
            })
        })
        .collect();
    ok(json!({"subscribers": list, "total": len, "pagination": pagination(next)}))
}

/// `GET /api/developer/subscriptions?page&perPage` (subscriptions:read): the token user's
/// subscribers, newest first, by page number.
pub(super) async fn developer_subs(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult {
    let grant = authorize(&shared, &headers, Some("subscriptions:read"))?;
    let query = Query::of(&uri);
    let page = query.number("page", 1, 1, 1_000_000)?;
    let per_page = query.number("perPage", 20, 1, 100)?;
    let world = shared.world();
    let total = if grant.user == STREAMER {
        world.subs.len()
    } else {
        0
    };
    let skip = (page - 1).saturating_mul(per_page);
    let data: Vec<Value> = (0..total)
        .rev()
        .skip(skip)
        .take(per_page)
        .map(|i| {
            let s = &world.subs[i];
            let u = &world.users[s.user];
            json!({
                "userId": u.id,
                "username": u.username,
                "displayName": u.display_name,
                "tier": s.tier.to_string(),
                "isGift": s.gifter.is_some(),
                "gifter": gifter_json(&world, s),
                "expiresAt": iso(s.expires_at_ms),
            })
        })
        .collect();
    ok(json!({
        "data": data,
        "total": total,
        "page": page,
        "perPage": per_page,
        "hasMore": skip.saturating_add(per_page) < total,
    }))
}

/// `GET /api/developer/subscriptions/count` (subscriptions:read).
pub(super) async fn developer_count(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> ApiResult {
    let grant = authorize(&shared, &headers, Some("subscriptions:read"))?;
    let world = shared.world();
    let count = if grant.user == STREAMER {
        world.subs.len()
    } else {
        0
    };
    ok(json!({ "count": count }))
}
