//! EventSub subscriptions with the websocket transport: create (202), list and delete, with
//! Helix's rules: a user token, the event type's scope, the condition's user being the
//! token's user (and a moderator for follows), a connected session, no duplicate on one
//! session (409).

use std::sync::Arc;

use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, Uri},
    response::IntoResponse,
};
use serde_json::{Map, Value, json};

use super::authorize;
use crate::sim::twitch::{
    eventsub::{
        BAN, CHAT_CLEAR_USER, CHAT_MESSAGE, CHAT_MESSAGE_DELETE, CHAT_NOTIFICATION, FOLLOW,
    },
    server::Shared,
    wire::{HelixError, HelixResult, Query, body_object, no_content, ok, parse_id, str_field},
};

/// The most a websocket subscription costs and what a client may spend (user-authorised
/// subscriptions cost nothing).
const MAX_TOTAL_COST: u32 = 10;

/// An object field of a JSON body.
fn object<'a>(
    map: &'a Map<String, Value>,
    key: &str,
) -> Result<&'a Map<String, Value>, HelixError> {
    match map.get(key) {
        Some(Value::Object(m)) => Ok(m),
        None | Some(Value::Null) => Err(HelixError::missing(key)),
        Some(_) => Err(HelixError::malformed(key, "the value must be an object")),
    }
}

/// A user id in the condition.
fn condition_id(condition: &Map<String, Value>, key: &str) -> Result<u64, HelixError> {
    let name = format!("condition.{key}");
    let raw = str_field(condition, key)
        .map_err(|_| HelixError::malformed(&name, "the value must be a string"))?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| HelixError::missing(&name))?;
    parse_id(raw).ok_or_else(|| HelixError::malformed(&name, "the value must be a user ID"))
}

fn not_authorized() -> HelixError {
    HelixError::forbidden("subscription missing proper authorization")
}

/// `POST /helix/eventsub/subscriptions` {type, version, condition, transport: {method:
/// websocket, session_id}}: 202 with the subscription.
pub(super) async fn create(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> HelixResult {
    let grant = authorize(&shared, &headers, None)?;
    let body = body_object(&body)?;
    let kind = str_field(&body, "type")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| HelixError::missing("type"))?
        .to_owned();
    let version = str_field(&body, "version")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| HelixError::missing("version"))?
        .to_owned();
    let condition = object(&body, "condition")?;
    let transport = object(&body, "transport")?;
    match str_field(transport, "method")?.unwrap_or_default() {
        "websocket" => {}
        "webhook" | "conduit" => {
            return Err(HelixError::bad(
                "The webhook and conduit transports require an app access token.",
            ));
        }
        "" => return Err(HelixError::missing("transport.method")),
        _ => {
            return Err(HelixError::malformed(
                "transport.method",
                "the value must be webhook, websocket or conduit",
            ));
        }
    }
    let session_id = str_field(transport, "session_id")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| HelixError::missing("transport.session_id"))?
        .to_owned();
    let broadcaster = condition_id(condition, "broadcaster_user_id")?;
    let (condition, scope) = match (kind.as_str(), version.as_str()) {
        (CHAT_MESSAGE | CHAT_NOTIFICATION | CHAT_MESSAGE_DELETE | CHAT_CLEAR_USER, "1") => {
            let user = condition_id(condition, "user_id")?;
            if user != grant.user_id {
                return Err(not_authorized());
            }
            (
                json!({"broadcaster_user_id": broadcaster.to_string(), "user_id": user.to_string()}),
                "user:read:chat",
            )
        }
        (FOLLOW, "2") => {
            let moderator = condition_id(condition, "moderator_user_id")?;
            let allowed =
                moderator == grant.user_id && shared.world().is_moderator(broadcaster, moderator);
            if !allowed {
                return Err(not_authorized());
            }
            (
                json!({"broadcaster_user_id": broadcaster.to_string(), "moderator_user_id": moderator.to_string()}),
                "moderator:read:followers",
            )
        }
        (BAN, "1") => {
            // The channel's own token or a moderator's, with channel:moderate.
            if !shared.world().is_moderator(broadcaster, grant.user_id) {
                return Err(not_authorized());
            }
            (
                json!({"broadcaster_user_id": broadcaster.to_string()}),
                "channel:moderate",
            )
        }
        _ => {
            return Err(HelixError::bad(
                "The combination of values in the type and version fields is not valid.",
            ));
        }
    };
    if !grant.has(scope) {
        return Err(not_authorized());
    }
    let mut world = shared.world();
    if world.user(broadcaster).is_none() {
        return Err(HelixError::bad(
            "The broadcaster_user_id in the condition is not a valid user.",
        ));
    }
    if !world.eventsub.is_connected(&session_id) {
        return Err(HelixError::bad(
            "websocket transport session does not exist or has already disconnected",
        ));
    }
    let duplicate = world.eventsub.subscriptions.iter().any(|s| {
        s.enabled()
            && s.session_id == session_id
            && s.kind == kind
            && s.version == version
            && s.condition == condition
    });
    if duplicate {
        return Err(HelixError::new(
            StatusCode::CONFLICT,
            "subscription already exists",
        ));
    }
    let id = world.uuid();
    let sub = world.eventsub.add(
        id,
        &kind,
        &version,
        condition,
        &session_id,
        grant.user_id,
        broadcaster,
    );
    let total = world
        .eventsub
        .subscriptions
        .iter()
        .filter(|s| s.enabled() && s.user_id == grant.user_id)
        .count();
    let body = json!({
        "data": [sub.to_json()],
        "total": total,
        "total_cost": 0,
        "max_total_cost": MAX_TOTAL_COST,
    });
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

/// `GET /helix/eventsub/subscriptions[?status|type|user_id]`: the token's user's
/// subscriptions, disabled ones included.
pub(super) async fn list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    let grant = authorize(&shared, &headers, None)?;
    let query = Query::of(&uri);
    let filters = ["status", "type", "user_id"]
        .iter()
        .filter(|k| query.one(k).is_some())
        .count();
    if filters > 1 {
        return Err(HelixError::bad(
            "The request must specify only one of the status, type or user_id query parameters.",
        ));
    }
    let user = query
        .one("user_id")
        .map(|u| parse_id(u).ok_or_else(|| HelixError::malformed("user_id", "invalid user ID")))
        .transpose()?;
    let world = shared.world();
    let data: Vec<Value> = world
        .eventsub
        .subscriptions
        .iter()
        .filter(|s| s.user_id == grant.user_id)
        .filter(|s| query.one("status").is_none_or(|v| s.status == v))
        .filter(|s| query.one("type").is_none_or(|v| s.kind == v))
        .filter(|s| user.is_none_or(|u| s.broadcaster == u || s.user_id == u))
        .map(|s| s.to_json())
        .collect();
    ok(json!({
        "data": data,
        "total": data.len(),
        "total_cost": 0,
        "max_total_cost": MAX_TOTAL_COST,
        "pagination": {},
    }))
}

/// `DELETE /helix/eventsub/subscriptions?id=`: 204; another user's or an unknown id: 404.
pub(super) async fn delete(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> HelixResult {
    let grant = authorize(&shared, &headers, None)?;
    let query = Query::of(&uri);
    let id = query.required("id")?.to_owned();
    let mut world = shared.world();
    let before = world.eventsub.subscriptions.len();
    world
        .eventsub
        .subscriptions
        .retain(|s| !(s.id == id && s.user_id == grant.user_id));
    if world.eventsub.subscriptions.len() == before {
        return Err(HelixError::not_found("The subscription was not found."));
    }
    no_content()
}
