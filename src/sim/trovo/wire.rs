//! Trovo's wire conventions: the error body, its codes and messages, and lenient readers for
//! request bodies (numbers that may arrive as strings, missing bodies, malformed JSON).
//!
//! Nothing here panics on client input: every malformed value becomes 1002 "Invalid
//! parameters.", the answer Trovo gives.

use axum::{
    Json,
    body::Bytes,
    extract::{Path, rejection::PathRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::{Map, Value, json};

/// Result type of every API handler.
pub(crate) type ApiResult = Result<Response, ApiError>;

/// A Trovo error answer: `{"status": code, "error": reason, "message": text}` with an HTTP
/// status chosen like a real gateway would (clients must read the body whatever the status).
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) http: StatusCode,
    pub(crate) code: i64,
    pub(crate) error: String,
    pub(crate) message: String,
}

pub(crate) const INVALID_PARAMS: i64 = 1002;
pub(crate) const INVALID_USER: i64 = 10505;
pub(crate) const AUTH_FAILED: i64 = 10703;
pub(crate) const CODE_MISSING: i64 = 10710;
pub(crate) const SPAM: i64 = 10908;
pub(crate) const INVALID_CATEGORY: i64 = 11000;
pub(crate) const MODERATED: i64 = 11101;
pub(crate) const INVALID_HEADER: i64 = 11701;
pub(crate) const INVALID_TOKEN: i64 = 11704;
pub(crate) const RATE_LIMITED: i64 = 11706;
pub(crate) const NO_CHAT_PERMISSION: i64 = 11707;
pub(crate) const CODE_EXPIRED: i64 = 11710;
pub(crate) const CODE_USED: i64 = 11711;
pub(crate) const REFRESH_EXPIRED: i64 = 11712;
pub(crate) const INVALID_REFRESH: i64 = 11713;
pub(crate) const TOKEN_EXPIRED: i64 = 11714;
pub(crate) const INVALID_GRANT: i64 = 11715;
pub(crate) const INVALID_REDIRECT: i64 = 11716;
pub(crate) const INVALID_SECRET: i64 = 11717;
pub(crate) const TOKEN_NUM_LIMIT: i64 = 11718;
pub(crate) const SCOPE_NOT_AUTHORIZED: i64 = 11730;
pub(crate) const BANNED_IN_CHANNEL: i64 = 12400;
pub(crate) const SLOW_MODE: i64 = 12401;
pub(crate) const FOLLOWER_ONLY: i64 = 12402;
pub(crate) const CHANNEL_MODERATION: i64 = 12906;
pub(crate) const INTERNAL: i64 = -1000;
pub(crate) const UNKNOWN_BAD_REQUEST: i64 = 20000;

/// The reference's message (section 11) and the HTTP status the simulator answers it with.
fn standard(code: i64) -> (StatusCode, &'static str) {
    match code {
        INVALID_PARAMS => (StatusCode::BAD_REQUEST, "Invalid parameters."),
        INVALID_USER => (StatusCode::NOT_FOUND, "Invalid user."),
        AUTH_FAILED => (StatusCode::FORBIDDEN, "Authorization failed."),
        CODE_MISSING | CODE_EXPIRED => (
            StatusCode::BAD_REQUEST,
            "Authorization Code doesn't exist or has expired",
        ),
        SPAM => (StatusCode::BAD_REQUEST, "Please don't spam."),
        INVALID_CATEGORY => (StatusCode::BAD_REQUEST, "Invalid category."),
        MODERATED => (
            StatusCode::BAD_REQUEST,
            "Content conflicts with Trovo moderation rule.",
        ),
        INVALID_HEADER => (StatusCode::BAD_REQUEST, "Invalid header."),
        INVALID_TOKEN => (StatusCode::UNAUTHORIZED, "Invalid access token."),
        // The reference's own 11706 body says "Internal Server Error"; the gateway's natural
        // exhaustion answers 429 here, `Fault::RateLimited` answers 500 (see server.rs).
        RATE_LIMITED => (
            StatusCode::TOO_MANY_REQUESTS,
            "API rate limit exceeded. (You may apply for rate limit increase by contacting Trovo staff)",
        ),
        NO_CHAT_PERMISSION => (
            StatusCode::FORBIDDEN,
            "No permission to send chats to this channel.",
        ),
        CODE_USED => (StatusCode::BAD_REQUEST, "Authorization Code has been used"),
        REFRESH_EXPIRED => (StatusCode::BAD_REQUEST, "Refresh token has expired"),
        INVALID_REFRESH => (StatusCode::BAD_REQUEST, "Invalid refresh token"),
        TOKEN_EXPIRED => (StatusCode::UNAUTHORIZED, "Access token has expired"),
        INVALID_GRANT => (StatusCode::BAD_REQUEST, "Invalid grant type"),
        INVALID_REDIRECT => (StatusCode::BAD_REQUEST, "Invalid Redirect URI"),
        INVALID_SECRET => (StatusCode::BAD_REQUEST, "Invalid client secret"),
        TOKEN_NUM_LIMIT => (StatusCode::BAD_REQUEST, "Access token num limit"),
        SCOPE_NOT_AUTHORIZED => (StatusCode::FORBIDDEN, "scope not authorized"),
        BANNED_IN_CHANNEL => (
            StatusCode::FORBIDDEN,
            "User is banned from chatting in this channel.",
        ),
        SLOW_MODE => (StatusCode::BAD_REQUEST, "Channel is in slow mode only."),
        FOLLOWER_ONLY => (
            StatusCode::FORBIDDEN,
            "The channel is in follower-only chat mode.",
        ),
        CHANNEL_MODERATION => (
            StatusCode::BAD_REQUEST,
            "Your message was moderated due to conflicts with the channel's moderation settings.",
        ),
        INTERNAL => (StatusCode::INTERNAL_SERVER_ERROR, "Internal server error."),
        _ => (
            StatusCode::BAD_REQUEST,
            "Unknown bad request error. Please report to developer@trovo.live",
        ),
    }
}

impl ApiError {
    /// The error `code` with the reference's message and the simulator's HTTP status for it.
    pub(crate) fn new(code: i64) -> Self {
        let (http, message) = standard(code);
        ApiError::custom(http, code, message)
    }

    /// An error with an explicit status and message. The `error` field is the HTTP reason
    /// phrase, as in the reference's 11706 sample (`"error": "Internal Server Error"`).
    pub(crate) fn custom(http: StatusCode, code: i64, message: impl Into<String>) -> Self {
        ApiError {
            http,
            code,
            error: http.canonical_reason().unwrap_or("Error").to_owned(),
            message: message.into(),
        }
    }

    /// Same code and status, a more specific message.
    pub(crate) fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// 1002 "Invalid parameters.", the answer to anything malformed.
    pub(crate) fn params() -> Self {
        ApiError::new(INVALID_PARAMS)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"status": self.code, "error": self.error, "message": self.message});
        (self.http, Json(body)).into_response()
    }
}

/// A JSON success answer.
pub(crate) fn ok(value: Value) -> ApiResult {
    Ok(Json(value).into_response())
}

/// A pre-serialised JSON success answer (large lists are serialised straight from borrowed
/// world data under the lock).
pub(crate) fn ok_bytes(bytes: Vec<u8>) -> ApiResult {
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        bytes,
    )
        .into_response())
}

/// The body as a JSON object. An empty body is an empty object (every field then takes its
/// default); anything that is not a JSON object is 1002.
pub(crate) fn body_object(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::params()),
    }
}

/// An integer field that may arrive as a JSON number or a numeric string (`null` = absent).
pub(crate) fn int_field(map: &Map<String, Value>, key: &str) -> Result<Option<i64>, ApiError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .map(Some)
            .ok_or_else(ApiError::params),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| ApiError::params()),
        Some(_) => Err(ApiError::params()),
    }
}

/// A string field; numbers are accepted and turned into their decimal text (ids travel both
/// ways in Trovo's examples).
pub(crate) fn str_field(map: &Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(ApiError::params()),
    }
}

/// A boolean field; `"true"`/`"false"` strings are accepted too.
pub(crate) fn bool_field(map: &Map<String, Value>, key: &str) -> Result<Option<bool>, ApiError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) => match s.as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err(ApiError::params()),
        },
        Some(_) => Err(ApiError::params()),
    }
}

/// A channel or user id (number or numeric string).
pub(crate) fn id_field(map: &Map<String, Value>, key: &str) -> Result<Option<u64>, ApiError> {
    match int_field(map, key)? {
        None => Ok(None),
        Some(n) => u64::try_from(n).map(Some).map_err(|_| ApiError::params()),
    }
}

/// Path parameters, or 1002 when the path cannot be decoded (e.g. invalid percent-encoding).
pub(crate) fn path_params<T>(path: Result<Path<T>, PathRejection>) -> Result<T, ApiError> {
    path.map(|Path(value)| value)
        .map_err(|_| ApiError::params())
}

/// A path segment that must be a numeric id.
pub(crate) fn path_id(segment: &str) -> Result<u64, ApiError> {
    segment.trim().parse().map_err(|_| ApiError::params())
}

/// Query-string pairs of a request URI (for GET endpoints), decoded.
pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

/// Page arithmetic shared by the page-numbered lists (viewers, followers, top channels):
/// `total_page` is at least 1 and `cursor` in the answer is the next page to request.
pub(crate) fn page_range(total: usize, limit: usize, page: usize) -> (usize, usize, usize) {
    let total_page = total.div_ceil(limit.max(1)).max(1);
    let start = page.saturating_mul(limit).min(total);
    let end = start.saturating_add(limit).min(total);
    (start, end, total_page)
}
