//! Public reads: users, channels, streams, games (top, by id, search) and channel teams.
//! They need a token (any scope) like every Helix call.

use std::sync::Arc;

use axum::{
    extract::State,
    http::{HeaderMap, Uri},
};
use serde_json::{Value, json};

use super::{authorize, offset_page};
use crate::sim::twitch::{
    server::Shared,
    wire::{HelixError, HelixResult, Query, ok, pagination, parse_id, rfc3339},
    world::{Channel, STREAMER_ID, User, World},
};

/// At most this many ids/logins in one lookup, as on Helix.
const MAX_LOOKUP: usize = 100;

fn user_json(world: &World, u: &User, email: bool) -> Value {
    let mut value = json!({
        "id": u.id.to_string(),
        "login": u.login,
        "display_name": u.display_name,
        "type": u.kind,
        "broadcaster_type": u.broadcaster_type,
        "description": u.description,
        "profile_image_url": world.profile_image_url(u.id),
        "offline_image_url": "",
        "view_count": 0,
        "created_at": rfc3339(u.created_at),
    });
    if email && let Some(map) = value.as_object_mut() {
        map.insert("email".into(), json!(format!("{}@example.com", u.login)));
    }
    value
}

/// `GET /helix/users`: the token's user without parameters, else each `id` and `login`.
pub(super) async fn users(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    let grant = authorize(&shared, &headers, None)?;
    let query = Query::of(&uri);
    let ids = query.all("id");
    let logins = query.all("login");
    if ids.len() + logins.len() > MAX_LOOKUP {
        return Err(HelixError::bad(
            "The request may specify at most 100 id and login parameters combined",
        ));
    }
    let world = shared.world();
    let mut found: Vec<&User> = Vec::new();
    if ids.is_empty() && logins.is_empty() {
        found.extend(world.user(grant.user_id));
    }
    for id in ids {
        let id = parse_id(id).ok_or_else(|| HelixError::malformed("id", "invalid user ID"))?;
        found.extend(world.user(id));
    }
    for login in logins {
        found.extend(world.user_by_login(login));
    }
    let mut seen = std::collections::HashSet::new();
    found.retain(|u| seen.insert(u.id));
    let email = grant.has("user:read:email");
    let data: Vec<Value> = found
        .iter()
        .map(|u| user_json(&world, u, email && u.id == grant.user_id))
        .collect();
    ok(json!({ "data": data }))
}

fn channel_json(world: &World, c: &Channel) -> Value {
    let (id, login, name) = world.names(c.owner);
    json!({
        "broadcaster_id": id,
        "broadcaster_login": login,
        "broadcaster_name": name,
        "broadcaster_language": c.language,
        "game_id": c.game_id,
        "game_name": world.game_name(&c.game_id),
        "title": c.title,
        "delay": c.delay,
        "tags": c.tags,
        "content_classification_labels": c.ccls,
        "is_branded_content": c.branded,
    })
}

/// `GET /helix/channels?broadcaster_id=..` (repeatable).
pub(super) async fn channels(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    authorize(&shared, &headers, None)?;
    let query = Query::of(&uri);
    let ids = query.all("broadcaster_id");
    if ids.iter().all(|s| s.trim().is_empty()) {
        return Err(HelixError::missing("broadcaster_id"));
    }
    if ids.len() > MAX_LOOKUP {
        return Err(HelixError::malformed(
            "broadcaster_id",
            "the request may specify at most 100 IDs",
        ));
    }
    let world = shared.world();
    let mut data = Vec::new();
    for id in ids {
        let id = parse_id(id)
            .ok_or_else(|| HelixError::malformed("broadcaster_id", "invalid user ID"))?;
        if let Some(c) = world.channel(id) {
            data.push(channel_json(&world, c));
        }
    }
    ok(json!({ "data": data }))
}

fn stream_json(world: &World, c: &Channel) -> Value {
    let (id, login, name) = world.names(c.owner);
    json!({
        "id": c.stream_id,
        "user_id": id,
        "user_login": login,
        "user_name": name,
        "game_id": c.game_id,
        "game_name": world.game_name(&c.game_id),
        "type": "live",
        "title": c.title,
        "tags": c.tags,
        "viewer_count": c.viewer_count,
        "started_at": rfc3339(c.started_at),
        "language": c.language,
        "thumbnail_url": world.preview_template(&login),
        "tag_ids": [],
        "is_mature": false,
    })
}

/// `GET /helix/streams`: live streams, filtered by `user_id`/`user_login`/`game_id`/
/// `language`, most watched first; an offline channel is simply absent.
pub(super) async fn streams(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    authorize(&shared, &headers, None)?;
    let query = Query::of(&uri);
    let user_ids = query.all("user_id");
    let logins = query.all("user_login");
    if user_ids.len() + logins.len() > MAX_LOOKUP {
        return Err(HelixError::bad(
            "The request may specify at most 100 user_id and user_login parameters combined",
        ));
    }
    let mut wanted = Vec::new();
    let world = shared.world();
    for id in &user_ids {
        wanted
            .push(parse_id(id).ok_or_else(|| HelixError::malformed("user_id", "invalid user ID"))?);
    }
    for login in &logins {
        if let Some(u) = world.user_by_login(login) {
            wanted.push(u.id);
        }
    }
    let filtered_by_user = !user_ids.is_empty() || !logins.is_empty();
    let games = query.all("game_id");
    let languages = query.all("language");
    if let Some(kind) = query.one("type")
        && kind != "all"
        && kind != "live"
    {
        return Err(HelixError::malformed(
            "type",
            "the value must be all or live",
        ));
    }
    let mut live: Vec<&Channel> = world
        .channels
        .iter()
        .filter(|c| c.live)
        .filter(|c| !filtered_by_user || wanted.contains(&c.owner))
        .filter(|c| games.is_empty() || games.contains(&c.game_id.as_str()))
        .filter(|c| languages.is_empty() || languages.contains(&c.language.as_str()))
        .collect();
    live.sort_by_key(|c| std::cmp::Reverse(c.viewer_count));
    let (range, next) = offset_page(live.len(), &query, 20, 100)?;
    let data: Vec<Value> = live[range].iter().map(|c| stream_json(&world, c)).collect();
    ok(json!({ "data": data, "pagination": pagination(next) }))
}

/// `GET /helix/games/top`: categories by popularity, box art as a size template.
pub(super) async fn top_games(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    authorize(&shared, &headers, None)?;
    let query = Query::of(&uri);
    let world = shared.world();
    let (range, next) = offset_page(world.categories.len(), &query, 20, 100)?;
    let data: Vec<Value> = world.categories[range]
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "name": c.name,
                "box_art_url": world.box_art_template(&c.id),
                "igdb_id": c.igdb_id,
            })
        })
        .collect();
    ok(json!({ "data": data, "pagination": pagination(next) }))
}

/// `GET /helix/games?id=..&name=..&igdb_id=..`: box art as a size template.
pub(super) async fn games(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    authorize(&shared, &headers, None)?;
    let query = Query::of(&uri);
    let (ids, names, igdb) = (query.all("id"), query.all("name"), query.all("igdb_id"));
    let asked = ids.len() + names.len() + igdb.len();
    if asked == 0 {
        return Err(HelixError::bad(
            "The request must specify the id, name or igdb_id query parameter",
        ));
    }
    if asked > MAX_LOOKUP {
        return Err(HelixError::bad(
            "The request may specify at most 100 id, name and igdb_id parameters combined",
        ));
    }
    let world = shared.world();
    let data: Vec<Value> = world
        .categories
        .iter()
        .filter(|c| {
            ids.contains(&c.id.as_str())
                // Names must match exactly, as Helix documents.
                || names.contains(&c.name.as_str())
                || (!c.igdb_id.is_empty() && igdb.contains(&c.igdb_id.as_str()))
        })
        .map(|c| {
            json!({
                "id": c.id,
                "name": c.name,
                "box_art_url": world.box_art_template(&c.id),
                "igdb_id": c.igdb_id,
            })
        })
        .collect();
    ok(json!({ "data": data }))
}

/// `GET /helix/search/categories?query=..`: box art at a FIXED 52x72, as Twitch does.
pub(super) async fn search_categories(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    authorize(&shared, &headers, None)?;
    let query = Query::of(&uri);
    let text = query.required("query")?.trim().to_lowercase();
    let world = shared.world();
    let mut hits: Vec<(u8, usize)> = world
        .categories
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let name = c.name.to_lowercase();
            if name == text {
                Some((0, i))
            } else if name.starts_with(&text) {
                Some((1, i))
            } else if name.contains(&text) {
                Some((2, i))
            } else {
                None
            }
        })
        .collect();
    hits.sort_unstable();
    let (range, next) = offset_page(hits.len(), &query, 20, 100)?;
    let data: Vec<Value> = hits[range]
        .iter()
        .map(|&(_, i)| {
            let c = &world.categories[i];
            json!({
                "box_art_url": world.box_art_sized(&c.id, 52, 72),
                "name": c.name,
                "id": c.id,
            })
        })
        .collect();
    ok(json!({ "data": data, "pagination": pagination(next) }))
}

/// `GET /helix/teams/channel?broadcaster_id=..`: the teams the broadcaster is on.
pub(super) async fn channel_teams(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    authorize(&shared, &headers, None)?;
    let query = Query::of(&uri);
    let broadcaster = query.user_id("broadcaster_id")?;
    let world = shared.world();
    if world.user(broadcaster).is_none() {
        return Err(HelixError::bad("The ID in broadcaster_id is not valid."));
    }
    let (id, login, name) = world.names(broadcaster);
    let teams = if broadcaster == STREAMER_ID {
        world.teams.as_slice()
    } else {
        &[]
    };
    let data: Vec<Value> = teams
        .iter()
        .map(|t| {
            json!({
                "broadcaster_id": id,
                "broadcaster_name": name,
                "broadcaster_login": login,
                "background_image_url": null,
                "banner": world.team_image_url(&t.name, "banner_image"),
                "created_at": rfc3339(t.created_at),
                "updated_at": rfc3339(t.updated_at),
                "info": format!("<p>{}</p>", t.info),
                "thumbnail_url": world.team_image_url(&t.name, "team_logo_image"),
                "team_name": t.name,
                "team_display_name": t.display_name,
                "id": t.id,
            })
        })
        .collect();
    ok(json!({ "data": data }))
}
