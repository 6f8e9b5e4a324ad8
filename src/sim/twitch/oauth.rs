//! The id.twitch.tv endpoints under `/oauth2`: the Device Code grant (`/device`, then
//! `/token` polled with the device code), refresh without a client secret (public client,
//! single-use refresh tokens), `/validate` and `/revoke`. Bodies are forms, as on Twitch;
//! errors are `{"status", "message"}`.

use std::sync::Arc;

use axum::{
    Json, Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::json;

use super::{
    KNOWN_SCOPES, TwitchSim,
    auth::{Pair, now_secs, token_of},
    server::Shared,
    wire::IdError,
};

pub(crate) const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/oauth2/device", post(device))
        .route("/oauth2/token", post(token))
        .route("/oauth2/validate", get(validate))
        .route("/oauth2/revoke", post(revoke))
}

/// A form body (or, leniently, the same pairs in the query string's place).
fn form(body: &Bytes) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn check_client(pairs: &[(String, String)]) -> Result<(), IdError> {
    match field(pairs, "client_id") {
        None => Err(IdError::bad("missing client id")),
        Some(id) if id == TwitchSim::CLIENT_ID => Ok(()),
        Some(_) => Err(IdError::bad("invalid client")),
    }
}

/// Space-separated scopes (a `+` in a form is already a space), each one Twitch knows.
fn parse_scopes(raw: Option<&str>) -> Result<Vec<String>, IdError> {
    let scopes: Vec<String> = raw
        .unwrap_or("")
        .split([' ', '+'])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(bad) = scopes.iter().find(|s| !KNOWN_SCOPES.contains(&s.as_str())) {
        return Err(IdError::bad(format!("invalid scope requested: '{bad}'")));
    }
    Ok(scopes)
}

fn pair_json(pair: Pair) -> Response {
    Json(json!({
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "expires_in": pair.expires_in,
        "scope": pair.scopes,
        "token_type": "bearer",
    }))
    .into_response()
}

/// `POST /oauth2/device` (client_id, scopes) → device_code, user_code, verification_uri.
async fn device(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let pairs = form(&body);
    if let Err(e) = check_client(&pairs) {
        return e.into_response();
    }
    let scopes = match parse_scopes(field(&pairs, "scopes").or(field(&pairs, "scope"))) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let start =
        shared
            .world()
            .auth
            .start_device(scopes, shared.device_lifetime, shared.device_interval);
    let interval = shared.device_interval.as_secs_f64().ceil().max(1.0) as u64;
    Json(json!({
        "device_code": start.device_code,
        "expires_in": shared.device_lifetime.as_secs(),
        "interval": interval,
        "user_code": start.user_code,
        "verification_uri": format!(
            "{}/activate?public=true&device-code={}",
            shared.auth_origin, start.user_code
        ),
    }))
    .into_response()
}

/// `POST /oauth2/token`: the device-code grant and the refresh grant.
async fn token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let pairs = form(&body);
    if let Err(e) = check_client(&pairs) {
        return e.into_response();
    }
    match field(&pairs, "grant_type") {
        Some(DEVICE_GRANT) => {
            let Some(code) = field(&pairs, "device_code") else {
                return IdError::bad("missing device_code").into_response();
            };
            let polled = shared.world().auth.poll_device(code);
            match polled {
                Ok(pair) => pair_json(pair),
                Err(e) => IdError::bad(e.message()).into_response(),
            }
        }
        Some("refresh_token") => {
            let Some(refresh) = field(&pairs, "refresh_token") else {
                return IdError::bad("missing refresh token").into_response();
            };
            let pair = shared.world().auth.refresh(refresh);
            match pair {
                Some(pair) => pair_json(pair),
                None => IdError::bad("Invalid refresh token").into_response(),
            }
        }
        Some("authorization_code") | Some("client_credentials") => {
            // A public client has no secret, which these grants need.
            IdError::new(StatusCode::BAD_REQUEST, "missing client secret").into_response()
        }
        Some(_) => IdError::bad("unsupported grant type").into_response(),
        None => IdError::bad("missing grant type").into_response(),
    }
}

/// `GET /oauth2/validate` with `Authorization: OAuth <token>` (Bearer is accepted too).
async fn validate(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let token = token_of(&headers, "OAuth").or_else(|| token_of(&headers, "Bearer"));
    let Some(token) = token else {
        return IdError::new(StatusCode::UNAUTHORIZED, "missing authorization token")
            .into_response();
    };
    let world = shared.world();
    let Some(grant) = world.auth.lookup(token) else {
        return IdError::new(StatusCode::UNAUTHORIZED, "invalid access token").into_response();
    };
    let login = world
        .user(grant.user_id)
        .map(|u| u.login.clone())
        .unwrap_or_default();
    Json(json!({
        "client_id": TwitchSim::CLIENT_ID,
        "login": login,
        "scopes": grant.scopes,
        "user_id": grant.user_id.to_string(),
        "expires_in": (grant.expires_at - now_secs()).max(0),
    }))
    .into_response()
}

/// `POST /oauth2/revoke` (client_id, token): 200 with an empty body.
async fn revoke(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let pairs = form(&body);
    match field(&pairs, "client_id") {
        Some(id) if id == TwitchSim::CLIENT_ID => {}
        Some(_) => {
            return IdError::new(StatusCode::NOT_FOUND, "client does not exist").into_response();
        }
        None => return IdError::bad("missing client id").into_response(),
    }
    let Some(token) = field(&pairs, "token") else {
        return IdError::bad("missing oauth token").into_response();
    };
    if shared.world().auth.revoke(token) {
        StatusCode::OK.into_response()
    } else {
        IdError::bad("Invalid token").into_response()
    }
}
