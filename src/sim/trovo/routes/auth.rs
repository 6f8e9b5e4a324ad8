//! OAuth endpoints: validate, revoke, exchange a code, refresh.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, header::CONTENT_TYPE},
};
use serde_json::{Map, Value, json};

use crate::sim::trovo::{
    TrovoSim,
    auth::{ACCESS_LIFETIME, Pair},
    server::Shared,
    wire::{
        ApiError, ApiResult, INTERNAL, INVALID_GRANT, INVALID_REDIRECT, INVALID_SECRET,
        body_object, ok, str_field,
    },
};

/// `GET /validate`: who the token belongs to, its scopes and expiry (`expire_ts` a string).
pub(super) async fn validate(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> ApiResult {
    let world = shared.world();
    let grant = world.auth.check(&headers, None)?;
    let nick = world
        .channel(grant.user_id)
        .map(|c| c.owner.nickname.clone())
        .unwrap_or_default();
    ok(json!({
        "uid": grant.user_id.to_string(),
        "client_ID": TrovoSim::CLIENT_ID,
        "nick_name": nick,
        "scopes": grant.scopes,
        "expire_ts": grant.expires_at.to_string(),
    }))
}

/// `POST /revoke {access_token}` (with a valid token in the header): the body's token stops
/// working at once.
pub(super) async fn revoke(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let mut world = shared.world();
    world.auth.check(&headers, None)?;
    let body = body_object(&body)?;
    let token = str_field(&body, "access_token")?.ok_or_else(ApiError::params)?;
    world.auth.revoke(token.trim());
    ok(json!({ "empty": "" }))
}

/// The body of an exchange or refresh call. These two endpoints only take JSON: the real one
/// answers 500 to a form-encoded body (platform facts), and so does the simulator.
fn token_body(headers: &HeaderMap, body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    let is_form = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("x-www-form-urlencoded"));
    let server_error = || {
        ApiError::custom(
            StatusCode::INTERNAL_SERVER_ERROR,
            INTERNAL,
            "Internal server error.",
        )
    };
    if is_form {
        return Err(server_error());
    }
    body_object(body).map_err(|_| server_error())
}

fn check_secret(body: &Map<String, Value>) -> Result<(), ApiError> {
    match str_field(body, "client_secret")? {
        Some(secret) if secret == TrovoSim::CLIENT_SECRET => Ok(()),
        _ => Err(ApiError::new(INVALID_SECRET)),
    }
}

fn pair_json(pair: Pair) -> ApiResult {
    ok(json!({
        "access_token": pair.access_token,
        "token_type": "bearer",
        // A string, as in the reference's sample.
        "expires_in": ACCESS_LIFETIME.to_string(),
        "refresh_token": pair.refresh_token,
    }))
}

/// `POST /exchangetoken {client_secret, grant_type: "authorization_code", code,
/// redirect_uri}`. Checks: secret (11717), grant type (11715), the registered redirect URI
/// (11716, an exact match, before the code is looked at so a wrong one burns no code), then
/// the code (10710 unknown, 11710 expired, 11711 used, 11716 other redirect URI than the
/// code's).
pub(super) async fn exchange(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let body = token_body(&headers, &body)?;
    check_secret(&body)?;
    if str_field(&body, "grant_type")?.as_deref() != Some("authorization_code") {
        return Err(ApiError::new(INVALID_GRANT));
    }
    let code = str_field(&body, "code")?.unwrap_or_default();
    let redirect = str_field(&body, "redirect_uri")?.unwrap_or_default();
    if redirect != shared.redirect_uri {
        return Err(ApiError::new(INVALID_REDIRECT));
    }
    let pair = shared.world().auth.exchange(code.trim(), &redirect)?;
    pair_json(pair)
}

/// `POST /refreshtoken {client_secret, grant_type: "refresh_token", refresh_token}`: a new
/// pair (a new refresh token too; the old one keeps working, as the reference says).
pub(super) async fn refresh(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let body = token_body(&headers, &body)?;
    check_secret(&body)?;
    if str_field(&body, "grant_type")?.as_deref() != Some("refresh_token") {
        return Err(ApiError::new(INVALID_GRANT));
    }
    let token = str_field(&body, "refresh_token")?.unwrap_or_default();
    let pair = shared.world().auth.refresh(token.trim())?;
    pair_json(pair)
}
