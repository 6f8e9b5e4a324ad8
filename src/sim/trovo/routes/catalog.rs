//! Public catalogue endpoints (Client-ID only): categories, category search, top channels,
//! users by name, channel info, emotes and stream URLs.

use std::sync::Arc;

use axum::{body::Bytes, extract::State};
use serde_json::{Map, Value, json};

use crate::sim::trovo::{
    auth::random_hex,
    categories::Category,
    server::Shared,
    wire::{
        ApiError, ApiResult, INVALID_USER, body_object, bool_field, id_field, int_field, ok,
        page_range, str_field,
    },
    world::{Channel, World},
};

fn category_json(world: &World, c: &Category) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "short_name": c.short_name,
        "icon_url": world.icon_url(&c.id),
        "desc": c.desc,
    })
}

/// `GET /categorys/top` (sic: Trovo's path is misspelt): every category, most popular first.
pub(super) async fn top_categories(State(shared): State<Arc<Shared>>) -> ApiResult {
    let world = shared.world();
    let list: Vec<Value> = world
        .categories
        .iter()
        .map(|c| category_json(&world, c))
        .collect();
    ok(json!({ "category_info": list }))
}

/// `POST /searchcategory {query, limit}`: case-insensitive "exact and blur" matching on name
/// and short name. Exact matches come first, then every substring match in popularity order
/// (the reference's sample answers "le" with PUBG MOBILE, Apex Legends, BATTLEGROUNDS).
pub(super) async fn search_categories(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let query = str_field(&body, "query")?.unwrap_or_default();
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return Err(ApiError::params());
    }
    let limit = match int_field(&body, "limit")? {
        None | Some(0) => 20,
        Some(n) if (1..=100).contains(&n) => n as usize,
        Some(_) => return Err(ApiError::params()),
    };
    let world = shared.world();
    let mut hits: Vec<(u8, &Category)> = world
        .categories
        .iter()
        .filter_map(|c| {
            let name = c.name.to_lowercase();
            let short = c.short_name.to_lowercase();
            if name == query || short == query {
                Some((0, c))
            } else if name.contains(&query) || short.contains(&query) {
                Some((1, c))
            } else {
                None
            }
        })
        .collect();
    // Stable: keeps popularity order within each rank.
    hits.sort_by_key(|(rank, _)| *rank);
    let has_more = hits.len() > limit;
    let list: Vec<Value> = hits
        .iter()
        .take(limit)
        .map(|(_, c)| category_json(&world, c))
        .collect();
    ok(json!({ "category_info": list, "has_more": has_more }))
}

fn social_links(channel: &Channel) -> Value {
    Value::Array(
        channel
            .social_links
            .iter()
            .map(|(kind, url)| json!({"type": kind, "url": url}))
            .collect(),
    )
}

/// One entry of `top_channels_lists`, with the reference's sample fields. The reference's
/// field table spells `categroy_id`; its samples (and real answers) say `category_id`.
fn top_entry(world: &World, c: &Channel) -> Value {
    json!({
        "channel_id": c.id().to_string(),
        "streamer_user_id": c.id().to_string(),
        "channel_url": format!("https://trovo.live/{}", c.owner.username),
        "is_live": c.live,
        "title": c.title,
        "audi_type": c.audience,
        "current_viewers": c.current_viewers(),
        "num_followers": c.follower_count(),
        "category_name": world.category_name(&c.category_id),
        "category_id": c.category_id,
        "language_code": c.language,
        "thumbnail": world.thumbnail_url(c),
        "nick_name": c.owner.nickname,
        "stream_started_at": c.started_at.to_string(),
        "chatters_count": c.current_viewers() / 8,
        "video_resolution": c.resolution,
        "channel_country": "",
        "profile_pic": world.avatar_url(c.id()),
        "subscriber_num": c.subscriber_count(),
        "username": c.owner.username,
        "social_links": social_links(c),
        "started_at": c.started_at.to_string(),
        "ended_at": c.ended_at.to_string(),
    })
}

/// `POST /gettopchannels {limit, after, token, cursor, category_id}`. The first request (no
/// token) snapshots the live channels by audience and answers an opaque token; later pages
/// pass that token and the answer's `cursor` (the next page number; the first answer says 1).
/// Page contents are read live, as on Trovo ("channel info is updated in real time").
/// `after: false` pages backwards: the answer's cursor is then the page before.
pub(super) async fn top_channels(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let limit = match int_field(&body, "limit")? {
        None | Some(0) => 20,
        Some(n) if (1..=100).contains(&n) => n as usize,
        Some(_) => return Err(ApiError::params()),
    };
    let cursor = match int_field(&body, "cursor")? {
        None => 0,
        Some(n) => usize::try_from(n).map_err(|_| ApiError::params())?,
    };
    let forward = bool_field(&body, "after")?.unwrap_or(true);
    let token = str_field(&body, "token")?.unwrap_or_default();
    let category = str_field(&body, "category_id")?.unwrap_or_default();
    let mut world = shared.world();
    let (token, ids) = if token.is_empty() {
        let mut live: Vec<&Channel> = world
            .channels()
            .iter()
            .filter(|c| c.live && (category.is_empty() || c.category_id == category))
            .collect();
        live.sort_by_key(|c| std::cmp::Reverse(c.current_viewers()));
        let ids: Vec<u64> = live.iter().map(|c| c.id()).collect();
        let token = format!("{}=", random_hex());
        if world.top_pages.len() >= 256 {
            world.top_pages.clear();
        }
        world.top_pages.insert(token.clone(), ids.clone());
        (token, ids)
    } else {
        let ids = world
            .top_pages
            .get(&token)
            .cloned()
            .ok_or_else(ApiError::params)?;
        (token, ids)
    };
    let (start, end, total_page) = page_range(ids.len(), limit, cursor);
    let list: Vec<Value> = ids[start..end]
        .iter()
        .filter_map(|id| world.channel(*id))
        .map(|c| top_entry(&world, c))
        .collect();
    let next = if forward {
        cursor + 1
    } else {
        cursor.saturating_sub(1)
    };
    ok(json!({
        "top_channels_lists": list,
        "total_page": total_page,
        "token": token,
        "cursor": next,
    }))
}

/// `POST /getusers {user: [names]}`: usernames, case-insensitive; unknown names are left out.
pub(super) async fn get_users(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let Some(Value::Array(names)) = body.get("user") else {
        return Err(ApiError::params());
    };
    let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
    if names.is_empty() {
        return Err(ApiError::params());
    }
    let mut world = shared.world();
    let main_id = world.main().id();
    let mut users = Vec::new();
    for name in names {
        let found = world.channel_by_username(name).map(|c| c.owner.clone());
        let found = found.or_else(|| {
            let people = world.people(main_id)?;
            people
                .viewers
                .iter()
                .map(|v| &v.person)
                .chain(people.followers.iter().map(|f| &f.person))
                .chain(people.subscribers.iter().map(|s| &s.person))
                .find(|p| p.username.eq_ignore_ascii_case(name))
                .cloned()
        });
        if let Some(p) = found {
            users.push(json!({
                "user_id": p.id.to_string(),
                "username": p.username,
                "nickname": p.nickname,
                "channel_id": p.id.to_string(),
            }));
        }
    }
    ok(json!({ "total": users.len(), "users": users }))
}

/// The channel fields of `/channels/id` (and, with more, of `/channel`). Timestamps are
/// strings of epoch seconds, counts are numbers, as in the reference's samples.
pub(super) fn channel_info(world: &World, c: &Channel) -> Map<String, Value> {
    let value = json!({
        "is_live": c.live,
        "category_id": c.category_id,
        "category_name": world.category_name(&c.category_id),
        "live_title": c.title,
        "audi_type": c.audience,
        "language_code": c.language,
        "thumbnail": world.thumbnail_url(c),
        "current_viewers": c.current_viewers(),
        "followers": c.follower_count(),
        "streamer_info": c.info,
        "profile_pic": world.avatar_url(c.id()),
        "channel_url": format!("https://trovo.live/{}", c.owner.username),
        "created_at": c.owner.created_at.to_string(),
        "subscriber_num": c.subscriber_count(),
        "username": c.owner.username,
        "social_links": social_links(c),
        "started_at": c.started_at.to_string(),
        "ended_at": c.ended_at.to_string(),
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// `POST /channels/id {channel_id}` or `{username}`: any channel's public info. When both are
/// given, channel_id wins (the reference says so); it may be a number or a string.
pub(super) async fn channel_by_id(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let id = id_field(&body, "channel_id")?;
    let username = str_field(&body, "username")?.filter(|u| !u.trim().is_empty());
    let world = shared.world();
    let channel = match (id, username) {
        (Some(id), _) => world.channel(id),
        (None, Some(name)) => world.channel_by_username(name.trim()),
        (None, None) => return Err(ApiError::params()),
    };
    let channel = channel.ok_or_else(|| ApiError::new(INVALID_USER))?;
    ok(Value::Object(channel_info(&world, channel)))
}

/// Channel ids from a `channel_id` field that is a list (or, leniently, a single id).
fn id_list(body: &Map<String, Value>) -> Result<Vec<u64>, ApiError> {
    match body.get("channel_id") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::Number(n) => n.as_u64().ok_or_else(ApiError::params),
                Value::String(s) => s.trim().parse().map_err(|_| ApiError::params()),
                _ => Err(ApiError::params()),
            })
            .collect(),
        Some(_) => Ok(id_field(body, "channel_id")?.into_iter().collect()),
    }
}

const GLOBAL_EMOTES: &[&str] = &[
    "Cupcake!", "Trovo", "LUL", "Hype", "GG", "Love", "Cool", "Cry", "Wave", "Clap", "Rage",
    "Think",
];
const EVENT_EMOTES: &[(&str, &str)] = &[
    ("Valentine Hype", "3roses"),
    ("Valentine Hype", "heartbeat"),
    ("Summer Splash", "icecream"),
];
const OWN_EMOTES: &[&str] = &["sub_aurorawave", "sub_aurorahug", "sub_auroragg", "sub_tea"];

/// A URL-safe file name for an emote.
fn emote_slug(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase()
}

/// `POST /getemotes {emote_type, channel_id: [..]}`: 0 = channel and platform emotes, 1 =
/// channel emotes only, 2 = platform emotes only. Unknown channels are left out. The
/// simulator draws PNGs only, so `gifp` and `webp` point at the same picture as `url`.
pub(super) async fn emotes(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let kind = int_field(&body, "emote_type")?.unwrap_or(0);
    if !(0..=2).contains(&kind) {
        return Err(ApiError::params());
    }
    let ids = id_list(&body)?;
    let world = shared.world();
    let url = |name: &str| format!("{}/sim/emotes/{}.png", world.origin, emote_slug(name));
    let mut custom = Vec::new();
    if kind != 2 {
        for id in ids {
            let Some(channel) = world.channel(id) else {
                continue;
            };
            let names: Vec<String> = if id == world.main().id() {
                OWN_EMOTES.iter().map(|s| (*s).to_owned()).collect()
            } else {
                let stem = emote_slug(&channel.owner.username);
                vec![format!("sub_{stem}hi"), format!("sub_{stem}gg")]
            };
            let list: Vec<Value> = names
                .iter()
                .map(|n| {
                    json!({"name": n, "description": "", "url": url(n),
                           "status": "CustomEmoteStatusEnable"})
                })
                .collect();
            custom.push(json!({"channel_id": id.to_string(), "emotes": list}));
        }
    }
    let (mut event, mut global) = (Vec::new(), Vec::new());
    if kind != 1 {
        for (activity, name) in EVENT_EMOTES {
            event.push(json!({
                "activity_name": activity, "name": name, "description": name,
                "gifp": url(name), "status": "1", "update_time": "1612335774",
                "url": url(name), "webp": url(name),
            }));
        }
        for name in GLOBAL_EMOTES {
            global.push(json!({
                "name": name, "description": name, "gifp": url(name), "status": "1",
                "url": url(name), "webp": url(name),
            }));
        }
    }
    ok(json!({
        "channels": {
            "customizedEmotes": {"channel": custom},
            "eventEmotes": event,
            "globalEmotes": global,
        }
    }))
}

/// `POST /livestreamurl {channel_id}`: play URLs up to the stream's resolution while live; an
/// empty list when offline.
pub(super) async fn stream_urls(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let id = id_field(&body, "channel_id")?.ok_or_else(ApiError::params)?;
    let world = shared.world();
    let channel = world
        .channel(id)
        .ok_or_else(|| ApiError::new(INVALID_USER))?;
    let mut urls = Vec::new();
    if channel.live {
        for res in ["480P", "720P", "1080P"] {
            urls.push(json!({
                "play_url": format!("{}/sim/live/{id}_{}.m3u8", world.origin, res.to_lowercase()),
                "desc": res,
            }));
            if res == channel.resolution {
                break;
            }
        }
    }
    ok(json!({ "stream_urls": urls }))
}
