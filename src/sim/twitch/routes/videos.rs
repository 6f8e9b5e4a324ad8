//! `GET /helix/videos`: a channel's past broadcasts, highlights and uploads (what Kraken's
//! `GET /channels/:channel/videos` listed), or videos by id or by category. Public: any
//! token, no scope.

use std::sync::Arc;

use axum::{
    extract::State,
    http::{HeaderMap, Uri},
};
use serde_json::{Value, json};

use super::{authorize, offset_page};
use crate::sim::twitch::{
    auth::now_secs,
    server::Shared,
    wire::{HelixError, HelixResult, Query, ok, pagination, parse_id, rfc3339},
    world::{STREAMER_ID, Video, World},
};

/// At most this many ids in one lookup, as on Helix.
const MAX_IDS: usize = 100;

/// Helix's duration strings, Go's style: `3h8m33s`, `12m5s`, `42s`.
pub(crate) fn helix_duration(secs: i64) -> String {
    let secs = secs.max(0);
    let (h, m, s) = (secs / 3_600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{m}m{s}s")
    } else {
        format!("{s}s")
    }
}

fn video_json(world: &World, v: &Video) -> Value {
    let (user_id, login, name) = world.names(v.owner);
    let muted: Value = if v.muted.is_empty() {
        Value::Null
    } else {
        v.muted
            .iter()
            .map(|&(offset, duration)| json!({"duration": duration, "offset": offset}))
            .collect()
    };
    json!({
        "id": v.id.to_string(),
        "stream_id": v.stream_id,
        "user_id": user_id,
        "user_login": login,
        "user_name": name,
        "title": v.title,
        "description": v.description,
        "created_at": rfc3339(v.created_at),
        "published_at": rfc3339(v.published_at),
        "url": format!("https://www.twitch.tv/videos/{}", v.id),
        // Twitch has no thumbnail for an archive still being recorded.
        "thumbnail_url": if v.recording {
            String::new()
        } else {
            world.video_thumbnail_template(&login, v.id)
        },
        "viewable": "public",
        "view_count": v.view_count,
        "language": v.language,
        "type": v.kind,
        "duration": helix_duration(v.duration_secs),
        "muted_segments": muted,
    })
}

/// `GET /helix/videos`: exactly one of `id` (repeatable, up to 100), `user_id` or
/// `game_id`; with `user_id` or `game_id` also `type` (all, archive, highlight, upload),
/// `sort` (time, trending, views), `period` (all, day, week, month), `language`, `first`
/// (1..=100, default 20) and `after`. Ids of no video are left out, unless none is found
/// (404). The `before` cursor is not simulated.
pub(super) async fn videos(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    authorize(&shared, &headers, None)?;
    let query = Query::of(&uri);
    let given = |key: &str| query.all(key).iter().any(|v| !v.trim().is_empty());
    let filters = [given("id"), given("user_id"), given("game_id")];
    match filters.iter().filter(|f| **f).count() {
        0 => {
            return Err(HelixError::bad(
                "The request must specify either the id or user_id or game_id query parameter",
            ));
        }
        1 => {}
        _ => {
            return Err(HelixError::bad(
                "The id, user_id, and game_id query parameters are mutually exclusive",
            ));
        }
    }
    let now = now_secs();
    let world = shared.world();
    if filters[0] {
        let ids = query.all("id");
        if ids.len() > MAX_IDS {
            return Err(HelixError::malformed(
                "id",
                "the request may specify at most 100 IDs",
            ));
        }
        let mut data = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for raw in ids {
            let id = parse_id(raw)
                .ok_or_else(|| HelixError::malformed("id", "the value must be a video ID"))?;
            if let Some(v) = world.video(id, now)
                && seen.insert(id)
            {
                data.push(video_json(&world, &v));
            }
        }
        if data.is_empty() {
            return Err(HelixError::not_found("The ID in id was not found."));
        }
        return ok(json!({ "data": data, "pagination": {} }));
    }

    let kind = query.one("type").unwrap_or("all");
    if !["all", "archive", "highlight", "upload"].contains(&kind) {
        return Err(HelixError::malformed(
            "type",
            "the value must be all, archive, highlight or upload",
        ));
    }
    let sort = query.one("sort").unwrap_or("time");
    if !["time", "trending", "views"].contains(&sort) {
        return Err(HelixError::malformed(
            "sort",
            "the value must be time, trending or views",
        ));
    }
    let since = match query.one("period").unwrap_or("all") {
        "all" => i64::MIN,
        "day" => now - 86_400,
        "week" => now - 7 * 86_400,
        "month" => now - 30 * 86_400,
        _ => {
            return Err(HelixError::malformed(
                "period",
                "the value must be all, day, week or month",
            ));
        }
    };
    let language = query.one("language").filter(|l| !l.trim().is_empty());

    let mut list: Vec<Video> = if filters[1] {
        let user = query.user_id("user_id")?;
        world.videos_of(user, now)
    } else {
        let game = query.required("game_id")?;
        if world.category(game).is_none() {
            return Err(HelixError::not_found("The ID in game_id was not found."));
        }
        let mut all = world.videos_of(STREAMER_ID, now);
        all.extend(
            world
                .videos
                .iter()
                .filter(|v| v.owner != STREAMER_ID)
                .cloned(),
        );
        all.retain(|v| v.game_id == game);
        all.sort_by_key(|v| std::cmp::Reverse(v.created_at));
        all
    };
    list.retain(|v| {
        (kind == "all" || v.kind == kind)
            && v.created_at >= since
            && language.is_none_or(|l| v.language == l)
    });
    match sort {
        "views" => list.sort_by_key(|v| std::cmp::Reverse(v.view_count)),
        // Views per day of age: what is being watched now.
        "trending" => list.sort_by_key(|v| {
            let days = ((now - v.created_at) / 86_400).max(0) as u64 + 1;
            std::cmp::Reverse(v.view_count / days)
        }),
        _ => {}
    }
    let (range, next) = offset_page(list.len(), &query, 20, 100)?;
    let data: Vec<Value> = list[range].iter().map(|v| video_json(&world, v)).collect();
    ok(json!({ "data": data, "pagination": pagination(next) }))
}

/// Whether `video` is a video of the user `login` (for its thumbnail route).
pub(crate) fn is_video_of(world: &World, login: &str, video: u64) -> bool {
    let now = now_secs();
    world
        .video(video, now)
        .is_some_and(|v| !v.recording && world.names(v.owner).1 == login)
}

#[cfg(test)]
mod tests {
    use super::helix_duration;

    #[test]
    fn durations_are_go_style() {
        assert_eq!(helix_duration(11_313), "3h8m33s");
        assert_eq!(helix_duration(3_600), "1h0m0s");
        assert_eq!(helix_duration(725), "12m5s");
        assert_eq!(helix_duration(42), "42s");
        assert_eq!(helix_duration(0), "0s");
    }
}
