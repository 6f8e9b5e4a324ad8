//! The channel's own data: info with the stream key, the update call, user info, and the
//! people lists (subscribers, viewers, followers).

use std::{collections::BTreeMap, sync::Arc};

use axum::{
    body::Bytes,
    extract::{Path, State, rejection::PathRejection},
    http::{HeaderMap, Uri},
};
use serde::Serialize;
use serde_json::{Value, json};
use time::{OffsetDateTime, macros::format_description};

use super::catalog::channel_info;
use crate::sim::trovo::{
    people::{Viewer, status},
    server::Shared,
    wire::{
        AUTH_FAILED, ApiError, ApiResult, INVALID_CATEGORY, INVALID_USER, MODERATED, body_object,
        id_field, int_field, ok, ok_bytes, page_range, path_id, path_params, query_pairs,
        str_field,
    },
    world::{AUDIENCES, World},
};

/// `GET /channel` (scope channel_details_self): the token owner's channel, with `uid`,
/// `channel_id` and the stream key.
pub(super) async fn own_channel(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> ApiResult {
    let world = shared.world();
    let grant = world.auth.check(&headers, Some("channel_details_self"))?;
    let channel = world
        .channel(grant.user_id)
        .ok_or_else(|| ApiError::new(INVALID_USER))?;
    let mut info = channel_info(&world, channel);
    info.insert("uid".into(), json!(channel.id().to_string()));
    info.insert("channel_id".into(), json!(channel.id().to_string()));
    info.insert("stream_key".into(), json!(channel.stream_key));
    ok(Value::Object(info))
}

/// A stream title must be 1..=140 characters; "forbidden" stands in for anything Trovo's
/// moderation would refuse (11101), so tests can trigger it.
pub(super) fn check_title(title: &str) -> Result<(), ApiError> {
    let length = title.trim().chars().count();
    if length == 0 || title.chars().count() > 140 {
        return Err(ApiError::params());
    }
    if title.to_lowercase().contains("forbidden") {
        return Err(ApiError::new(MODERATED));
    }
    Ok(())
}

/// `POST /channels/update {channel_id, live_title?, category_id?, language_code?, audi_type?}`
/// (scope channel_update_self). Everything is validated before anything changes.
///
/// The category field is disputed: the reference's parameter table names it `category`, its
/// own sample request sends `category_id`, and clients send either. Both are accepted;
/// `category_id` wins when both are present, since that is what the sample and most clients
/// send.
pub(super) async fn update(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let mut world = shared.world();
    let grant = world.auth.check(&headers, Some("channel_update_self"))?;
    let body = body_object(&body)?;
    let channel_id = id_field(&body, "channel_id")?.ok_or_else(ApiError::params)?;
    if channel_id != grant.user_id {
        return Err(ApiError::new(AUTH_FAILED));
    }
    let title = str_field(&body, "live_title")?;
    if let Some(title) = &title {
        check_title(title)?;
    }
    let category = match str_field(&body, "category_id")? {
        Some(id) => Some(id),
        None => str_field(&body, "category")?,
    };
    if let Some(id) = &category
        && world.category(id.trim()).is_none()
    {
        return Err(ApiError::new(INVALID_CATEGORY));
    }
    let language = match str_field(&body, "language_code")? {
        Some(code) => {
            let code = code.trim();
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(ApiError::params());
            }
            Some(code.to_ascii_uppercase())
        }
        None => None,
    };
    let audience = str_field(&body, "audi_type")?;
    if let Some(a) = &audience
        && !AUDIENCES.contains(&a.as_str())
    {
        return Err(ApiError::params());
    }
    let channel = world
        .channel_mut(channel_id)
        .ok_or_else(|| ApiError::new(INVALID_USER))?;
    if let Some(title) = title {
        channel.title = title;
    }
    if let Some(id) = category {
        channel.category_id = id.trim().to_owned();
    }
    if let Some(code) = language {
        channel.language = code;
    }
    if let Some(a) = audience {
        channel.audience = a;
    }
    ok(json!({ "empty": "" }))
}

/// `GET /getuserinfo` (scope user_details_self). This answer alone is camelCase (`userId`,
/// `nickName`, ...), a quirk clients must copy. The reference's table spells the last key
/// `channeId`; its sample says `channelId`, which is what is sent.
pub(super) async fn user_info(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> ApiResult {
    let world = shared.world();
    let grant = world.auth.check(&headers, Some("user_details_self"))?;
    let channel = world
        .channel(grant.user_id)
        .ok_or_else(|| ApiError::new(INVALID_USER))?;
    ok(json!({
        "userId": channel.id().to_string(),
        "userName": channel.owner.username,
        "nickName": channel.owner.nickname,
        "email": channel.email,
        "profilePic": world.avatar_url(channel.id()),
        "info": channel.info,
        "channelId": channel.id().to_string(),
    }))
}

/// `asc` (oldest first, the default) or `desc`; anything else is 1002.
fn direction(value: Option<&str>) -> Result<bool, ApiError> {
    match value.map(str::trim) {
        None | Some("") | Some("asc") => Ok(false),
        Some("desc") => Ok(true),
        Some(_) => Err(ApiError::params()),
    }
}

/// `GET /channels/{id}/subscriptions?limit&offset&direction` (scope channel_subscriptions;
/// only the token owner's channel). Offset paging; limit default 25, at most 100.
pub(super) async fn subscriptions(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    uri: Uri,
) -> ApiResult {
    let mut world = shared.world();
    let grant = world.auth.check(&headers, Some("channel_subscriptions"))?;
    let channel_id = path_id(&path_params(path)?)?;
    if channel_id != grant.user_id {
        return Err(ApiError::new(AUTH_FAILED));
    }
    let query = query_pairs(uri.query());
    let get = |key: &str| {
        query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let number = |key: &str| -> Result<Option<i64>, ApiError> {
        match get(key).map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| ApiError::params()),
        }
    };
    let limit = match number("limit")? {
        None | Some(0) => 25,
        Some(n) if (1..=100).contains(&n) => n as usize,
        Some(_) => return Err(ApiError::params()),
    };
    let offset = match number("offset")? {
        None => 0,
        Some(n) => usize::try_from(n).map_err(|_| ApiError::params())?,
    };
    let newest_first = direction(get("direction"))?;
    let origin = world.origin.clone();
    let (_, people) = world
        .channel_with_people(channel_id)
        .ok_or_else(|| ApiError::new(INVALID_USER))?;
    let subs = &people.subscribers;
    let indices: Box<dyn Iterator<Item = usize>> = if newest_first {
        Box::new((0..subs.len()).rev())
    } else {
        Box::new(0..subs.len())
    };
    let list: Vec<Value> = indices
        .skip(offset)
        .take(limit)
        .filter_map(|i| subs.get(i))
        .map(|s| {
            json!({
                "user": {
                    "user_id": s.person.id.to_string(),
                    "username": s.person.username,
                    "display_name": s.person.nickname,
                    "profile_pic": format!("{origin}/sim/avatars/{}.png", s.person.id),
                    "created_at": s.person.created_at.to_string(),
                },
                // A number here, unlike most timestamps (reference sample).
                "sub_created_at": s.since,
                "sub_lv": format!("L{}", s.level),
                "sub_tier": s.tier.to_string(),
            })
        })
        .collect();
    ok(json!({ "total": subs.len(), "subscriptions": list }))
}

/// One role group of the viewers answer.
#[derive(Serialize, Default)]
struct Group<'a> {
    viewers: Vec<&'a str>,
}

/// The `chatters` map, keys exactly as Trovo spells them (`VIPS` upper-case, the rest lower).
#[derive(Serialize, Default)]
struct Chatters<'a> {
    #[serde(rename = "VIPS")]
    vips: Group<'a>,
    ace: Group<'a>,
    aceplus: Group<'a>,
    admins: Group<'a>,
    all: Group<'a>,
    creators: Group<'a>,
    editors: Group<'a>,
    followers: Group<'a>,
    moderators: Group<'a>,
    subscribers: Group<'a>,
    supermods: Group<'a>,
    wardens: Group<'a>,
}

fn add<'a>(on: bool, group: &mut Group<'a>, name: &'a str) {
    if on {
        group.viewers.push(name);
    }
}

/// The viewers answer, serialised straight from the world (100,000 names in a few ms).
#[derive(Serialize)]
struct ViewersPage<'a> {
    live_title: &'a str,
    /// A string, as Trovo sends it ("9").
    total: String,
    nickname: &'a str,
    chatters: Chatters<'a>,
    /// Trovo's spelling (sic), not `custom_roles`.
    custome_roles: BTreeMap<&'a str, Group<'a>>,
    total_page: usize,
    cursor: usize,
}

/// `POST /channels/{id}/viewers {limit, cursor}` (Client-ID only): the logged-in audience by
/// role, page by page. `limit` defaults to 100,000 (also when 0, which the reference's own
/// example sends), is raised to at least 20 and capped at 100,000. Page `cursor` (0-based)
/// holds `all[cursor*limit .. (cursor+1)*limit]`, the role groups only that page's people;
/// the answer's `cursor` is the next page, and clients page while cursor < total_page.
pub(super) async fn viewers(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> ApiResult {
    let body = body_object(&body)?;
    let channel_id = path_id(&path_params(path)?)?;
    let limit = match int_field(&body, "limit")? {
        None | Some(0) => 100_000,
        Some(n) if n < 0 => return Err(ApiError::params()),
        Some(n) => n.clamp(20, 100_000) as usize,
    };
    let cursor = match int_field(&body, "cursor")? {
        None => 0,
        Some(n) => usize::try_from(n).map_err(|_| ApiError::params())?,
    };
    let mut world = shared.world();
    let (channel, people) = world
        .channel_with_people(channel_id)
        .ok_or_else(|| ApiError::new(INVALID_USER))?;
    let (start, end, total_page) = page_range(people.viewers.len(), limit, cursor);
    let mut chatters = Chatters::default();
    let mut custom: BTreeMap<&str, Group> = BTreeMap::new();
    let grants = &channel.grants;
    for v in &people.viewers[start..end] {
        let Viewer { person, status } = v;
        let name = person.nickname.as_str();
        let id = person.id;
        chatters.all.viewers.push(name);
        add(id == channel.id(), &mut chatters.creators, name);
        add(grants.mods.contains(&id), &mut chatters.moderators, name);
        add(grants.editors.contains(&id), &mut chatters.editors, name);
        add(grants.vips.contains(&id), &mut chatters.vips, name);
        add(
            status & status::FOLLOWER != 0,
            &mut chatters.followers,
            name,
        );
        add(
            status & status::SUBSCRIBER != 0,
            &mut chatters.subscribers,
            name,
        );
        add(status & status::ACE != 0, &mut chatters.ace, name);
        add(status & status::ACEPLUS != 0, &mut chatters.aceplus, name);
        add(
            status & status::SUPERMOD != 0,
            &mut chatters.supermods,
            name,
        );
        add(status & status::ADMIN != 0, &mut chatters.admins, name);
        add(status & status::WARDEN != 0, &mut chatters.wardens, name);
        for (role, members) in &grants.custom {
            if members.contains(&id) {
                custom.entry(role.as_str()).or_default().viewers.push(name);
            }
        }
    }
    let page = ViewersPage {
        live_title: &channel.title,
        total: people.viewers.len().to_string(),
        nickname: &channel.owner.nickname,
        chatters,
        custome_roles: custom,
        total_page,
        cursor: cursor + 1,
    };
    let bytes =
        serde_json::to_vec(&page).map_err(|_| ApiError::new(crate::sim::trovo::wire::INTERNAL))?;
    drop(world);
    ok_bytes(bytes)
}

/// `"YYYY-MM-DD hh:mm:ss"` in UTC, the followers list's timestamp format.
fn followed_at(secs: i64) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// `POST /channels/{id}/followers {limit, cursor, direction}` (Client-ID only). Page-number
/// paging like the viewers list; limit default 20, at most 100; `total` is a string.
pub(super) async fn followers(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> ApiResult {
    let body = body_object(&body)?;
    let channel_id = path_id(&path_params(path)?)?;
    let limit = match int_field(&body, "limit")? {
        None | Some(0) => 20,
        Some(n) if (1..=100).contains(&n) => n as usize,
        Some(_) => return Err(ApiError::params()),
    };
    let cursor = match int_field(&body, "cursor")? {
        None => 0,
        Some(n) => usize::try_from(n).map_err(|_| ApiError::params())?,
    };
    let newest_first = direction(str_field(&body, "direction")?.as_deref())?;
    let mut world = shared.world();
    let origin = world.origin.clone();
    let (_, people) = world
        .channel_with_people(channel_id)
        .ok_or_else(|| ApiError::new(INVALID_USER))?;
    let all = &people.followers;
    let (start, end, total_page) = page_range(all.len(), limit, cursor);
    let list: Vec<Value> = (start..end)
        .filter_map(|i| {
            let index = if newest_first { all.len() - 1 - i } else { i };
            all.get(index)
        })
        .map(|f| {
            json!({
                "user_id": f.person.id.to_string(),
                "nickname": f.person.nickname,
                "profile_pic": format!("{origin}/sim/avatars/{}.png", f.person.id),
                "followed_at": followed_at(f.followed_at),
            })
        })
        .collect();
    ok(json!({
        "total": all.len().to_string(),
        "follower": list,
        "total_page": total_page,
        "cursor": cursor + 1,
    }))
}

/// Whether `world` knows `user` as a follower of `channel` (for follower-only chat).
pub(super) fn is_follower(world: &mut World, channel: u64, user: u64) -> bool {
    world
        .people(channel)
        .is_some_and(|p| p.followers.iter().any(|f| f.person.id == user))
}

/// Whether `user` subscribes to `channel` (for subscriber-only chat).
pub(super) fn is_subscriber(world: &mut World, channel: u64, user: u64) -> bool {
    world
        .people(channel)
        .is_some_and(|p| p.subscribers.iter().any(|s| s.person.id == user))
}
