//! Sign-in: the consent page (`/oauth/authorize`, standing in for
//! `https://velora.tv/oauth/authorize`) and the token endpoint
//! (`POST /api/developer/oauth/token`, JSON or form): authorization code with PKCE (S256)
//! and single-use refresh tokens, answered with 201. Also the public scope list.

use std::sync::Arc;

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, Uri, header::CONTENT_TYPE, header::LOCATION},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use serde_json::{Map, Value, json};

use super::{
    KNOWN_SCOPES, VeloraSim,
    server::Shared,
    wire::{ApiError, ApiResult, created, ok},
    world::STREAMER,
};

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/oauth/authorize", get(consent))
        .route("/oauth/authorize/decide", get(decide))
        .route("/api/developer/oauth/token", post(token))
        .route("/api/developer/oauth/scopes", get(scopes))
}

/// A validated authorization request.
struct AuthRequest {
    scopes: Vec<String>,
    redirect_uri: String,
    state: Option<String>,
    challenge: String,
    raw_query: String,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn pairs(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

/// Checks the authorization request: the registered client id, the registered redirect URI
/// (exact match), `response_type=code`, known scopes, an S256 challenge of 43 base64url
/// characters.
fn parse(uri: &Uri, registered: &str) -> Result<AuthRequest, String> {
    let pairs = pairs(uri.query());
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    if get("client_id").as_deref() != Some(VeloraSim::CLIENT_ID) {
        return Err("Unknown client_id.".to_owned());
    }
    let redirect_uri = get("redirect_uri").unwrap_or_default();
    if redirect_uri != registered {
        return Err(format!(
            "redirect_uri must exactly match the registered {registered}."
        ));
    }
    if get("response_type").as_deref() != Some("code") {
        return Err("response_type must be \"code\".".to_owned());
    }
    let scopes: Vec<String> = get("scope")
        .unwrap_or_default()
        .split([' ', '+', ','])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if scopes.is_empty() {
        return Err("scope is required.".to_owned());
    }
    if let Some(bad) = scopes.iter().find(|s| !KNOWN_SCOPES.contains(&s.as_str())) {
        return Err(format!("Unknown scope {bad}."));
    }
    if get("code_challenge_method").as_deref() != Some("S256") {
        return Err("code_challenge_method must be S256.".to_owned());
    }
    let challenge = get("code_challenge").unwrap_or_default();
    let shape_ok = challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !shape_ok {
        return Err("code_challenge must be the base64url SHA-256 of the verifier.".to_owned());
    }
    Ok(AuthRequest {
        scopes,
        redirect_uri,
        state: get("state"),
        challenge,
        raw_query: uri.query().unwrap_or("").to_owned(),
    })
}

fn page(body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Velora (simulated) \
         authorization</title><style>body{{font-family:sans-serif;background:#0f0d1a;\
         color:#eee;max-width:32em;margin:3em auto}}a.b{{display:block;margin:.6em 0;\
         padding:.8em;border-radius:8px;background:#8b5cf6;color:#fff;text-decoration:none;\
         text-align:center;font-weight:bold}}a.b.alt{{background:#3b3650}}li{{margin:.2em 0}}\
         </style></head><body>{body}</body></html>"
    )
}

/// `GET /oauth/authorize?..`: the consent page.
async fn consent(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let request = match parse(&uri, &shared.redirect_uri) {
        Ok(r) => r,
        Err(message) => {
            let body = format!("<h1>Cannot authorize</h1><p>{}</p>", escape(&message));
            return (StatusCode::BAD_REQUEST, Html(page(&body))).into_response();
        }
    };
    let streamer = {
        let world = shared.world();
        world.users[STREAMER].display_name.clone()
    };
    let list: String = request
        .scopes
        .iter()
        .map(|s| format!("<li>{}</li>", escape(s)))
        .collect();
    let link = |decision: &str| {
        escape(&format!(
            "/oauth/authorize/decide?{}&decision={decision}",
            request.raw_query
        ))
    };
    let body = format!(
        "<h1>Stagehand wants to access your Velora account</h1>\
         <p>This is the simulated Velora consent page of Stagehand's demo mode.</p>\
         <p>Signed in as <b>{}</b>. It asks for:</p><ul>{list}</ul>\
         <a class=\"b\" id=\"approve\" href=\"{}\">Authorize</a>\
         <a class=\"b alt\" id=\"deny\" href=\"{}\">Cancel</a>",
        escape(&streamer),
        link("approve"),
        link("deny"),
    );
    Html(page(&body)).into_response()
}

/// `GET /oauth/authorize/decide?..&decision=approve|deny`: issues the code (or the
/// `access_denied` error) and redirects back to the app with `state`.
async fn decide(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let request = match parse(&uri, &shared.redirect_uri) {
        Ok(r) => r,
        Err(message) => {
            return (StatusCode::BAD_REQUEST, Html(page(&escape(&message)))).into_response();
        }
    };
    let approve = pairs(uri.query())
        .iter()
        .any(|(k, v)| k == "decision" && v == "approve");
    let Ok(mut target) = url::Url::parse(&request.redirect_uri) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    {
        let mut q = target.query_pairs_mut();
        if approve {
            let code = shared.world().auth.issue_code(
                STREAMER,
                request.scopes.clone(),
                &request.redirect_uri,
                &request.challenge,
            );
            q.append_pair("code", &code);
        } else {
            q.append_pair("error", "access_denied");
            q.append_pair("error_description", "The user denied the request");
        }
        if let Some(state) = &request.state {
            q.append_pair("state", state);
        }
    }
    (StatusCode::FOUND, [(LOCATION, target.as_str().to_owned())]).into_response()
}

/// The token request's fields, from a JSON object or a form.
fn fields(headers: &HeaderMap, body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    let form = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if form {
        return Ok(url::form_urlencoded::parse(body)
            .into_owned()
            .map(|(k, v)| (k, Value::String(v)))
            .collect());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The body must be a JSON object (or a form)",
        )),
    }
}

/// `POST /api/developer/oauth/token`.
async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let map = fields(&headers, &body)?;
    let get = |k: &str| map.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let invalid_request =
        |m: &str| ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", m.to_owned());
    let client_id = get("client_id");
    if client_id.is_empty() {
        return Err(invalid_request("client_id is required"));
    }
    if client_id != VeloraSim::CLIENT_ID {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Unknown client",
        ));
    }
    let secret = get("client_secret");
    if !secret.is_empty() && secret != VeloraSim::CLIENT_SECRET {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        ));
    }
    let pair = {
        let mut world = shared.world();
        match get("grant_type").as_str() {
            "authorization_code" => {
                let code = get("code");
                if code.is_empty() {
                    return Err(invalid_request("code is required"));
                }
                world
                    .auth
                    .redeem_code(&code, &get("redirect_uri"), &get("code_verifier"))?
            }
            "refresh_token" => {
                let refresh = get("refresh_token");
                if refresh.is_empty() {
                    return Err(invalid_request("refresh_token is required"));
                }
                world.auth.refresh(&refresh)?
            }
            "" => return Err(invalid_request("grant_type is required")),
            _ => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "unsupported_grant_type",
                    "grant_type must be authorization_code or refresh_token",
                ));
            }
        }
    };
    created(json!({
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "token_type": "Bearer",
        "expires_in": super::auth::ACCESS_LIFETIME,
        "scope": pair.scopes.join(" "),
    }))
}

/// `GET /api/developer/oauth/scopes` (public).
async fn scopes() -> ApiResult {
    let list: Vec<Value> = KNOWN_SCOPES
        .iter()
        .map(|s| json!({"name": s, "description": super::scope_description(s)}))
        .collect();
    ok(json!({ "scopes": list }))
}
