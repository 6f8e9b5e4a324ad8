//! Helix's wire conventions: the error body (`{"error", "status", "message"}`), the id
//! side's shorter one (`{"status", "message"}`), query strings with repeated keys, the
//! opaque pagination cursor, and RFC 3339 times.

use axum::{
    Json,
    body::Bytes,
    http::{HeaderValue, StatusCode, Uri, header::WWW_AUTHENTICATE},
    response::{IntoResponse, Response},
};
use serde_json::{Map, Value, json};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

/// Result type of every Helix handler.
pub(crate) type HelixResult = Result<Response, HelixError>;

/// A Helix error answer. Twitch's body names the reason phrase, repeats the status and adds
/// a message; 401s also carry `WWW-Authenticate` (clients key their refresh logic on it).
#[derive(Debug)]
pub(crate) struct HelixError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    /// Extra top-level fields (the commercial cooldown's `retry_after`).
    pub(crate) extra: Option<(&'static str, Value)>,
}

impl HelixError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        HelixError {
            status,
            message: message.into(),
            extra: None,
        }
    }

    pub(crate) fn bad(message: impl Into<String>) -> Self {
        HelixError::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        HelixError::new(StatusCode::UNAUTHORIZED, message)
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        HelixError::new(StatusCode::FORBIDDEN, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        HelixError::new(StatusCode::NOT_FOUND, message)
    }

    /// `Missing required parameter "name"`, Twitch's wording.
    pub(crate) fn missing(name: &str) -> Self {
        HelixError::bad(format!("Missing required parameter \"{name}\""))
    }

    /// `The parameter "name" was malformed: why`, Twitch's wording.
    pub(crate) fn malformed(name: &str, why: &str) -> Self {
        HelixError::bad(format!("The parameter \"{name}\" was malformed: {why}"))
    }

    /// The broadcaster (or moderator, or sender) id is not the token's user.
    pub(crate) fn not_token_user(param: &str) -> Self {
        HelixError::unauthorized(format!(
            "The ID in {param} must match the user ID found in the request's OAuth token."
        ))
    }

    pub(crate) fn with_extra(mut self, key: &'static str, value: Value) -> Self {
        self.extra = Some((key, value));
        self
    }
}

/// The `WWW-Authenticate` value Twitch sends with its 401s.
pub(crate) const WWW_AUTH: &str = "OAuth realm=\"TwitchTV\", error=\"invalid_token\"";

impl IntoResponse for HelixError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "error": self.status.canonical_reason().unwrap_or("Error"),
            "status": self.status.as_u16(),
            "message": self.message,
        });
        if let (Some((key, value)), Some(map)) = (self.extra, body.as_object_mut()) {
            map.insert(key.to_owned(), value);
        }
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static(WWW_AUTH));
        }
        response
    }
}

/// An id.twitch.tv error answer: `{"status": 400, "message": "authorization_pending"}`.
#[derive(Debug)]
pub(crate) struct IdError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl IdError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        IdError {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn bad(message: impl Into<String>) -> Self {
        IdError::new(StatusCode::BAD_REQUEST, message)
    }
}

impl IntoResponse for IdError {
    fn into_response(self) -> Response {
        let body = json!({"status": self.status.as_u16(), "message": self.message});
        (self.status, Json(body)).into_response()
    }
}

/// A JSON 200 answer.
pub(crate) fn ok(value: Value) -> HelixResult {
    Ok(Json(value).into_response())
}

/// 204 No Content, Helix's answer to a successful update.
pub(crate) fn no_content() -> HelixResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// RFC 3339 in UTC, whole seconds: `2026-11-25T20:00:00Z`.
pub(crate) fn rfc3339(epoch_secs: i64) -> String {
    OffsetDateTime::from_unix_timestamp(epoch_secs)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// A decoded query string; Helix repeats keys for lists (`id=1&id=2`).
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub(crate) fn of(uri: &Uri) -> Query {
        Query(
            url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// Every value of `key`, in order.
    pub(crate) fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value of `key`.
    pub(crate) fn one(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A required, non-empty parameter.
    pub(crate) fn required(&self, key: &str) -> Result<&str, HelixError> {
        self.one(key)
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| HelixError::missing(key))
    }

    /// A required user id (digits).
    pub(crate) fn user_id(&self, key: &str) -> Result<u64, HelixError> {
        parse_id(self.required(key)?)
            .ok_or_else(|| HelixError::malformed(key, "the value must be a numeric user ID"))
    }

    /// `first`: 1..=max, `default` when absent.
    pub(crate) fn first(&self, default: usize, max: usize) -> Result<usize, HelixError> {
        let Some(raw) = self.one("first") else {
            return Ok(default);
        };
        let n: i64 = raw
            .trim()
            .parse()
            .map_err(|_| HelixError::malformed("first", "the value must be an integer"))?;
        if n < 1 {
            return Err(HelixError::malformed(
                "first",
                "the value must be greater than or equal to 1",
            ));
        }
        if n as u64 > max as u64 {
            return Err(HelixError::malformed(
                "first",
                &format!("the value must be less than or equal to {max}"),
            ));
        }
        Ok(n as usize)
    }

    /// The `after` cursor's position, if given.
    pub(crate) fn after(&self) -> Result<Option<usize>, HelixError> {
        match self.one("after") {
            None => Ok(None),
            Some("") => Ok(None),
            Some(c) => decode_cursor(c)
                .map(Some)
                .ok_or_else(|| HelixError::bad("Invalid cursor provided")),
        }
    }
}

/// A numeric id in a string (Helix ids are strings of digits).
pub(crate) fn parse_id(raw: &str) -> Option<u64> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 19 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

/// The `pagination` object: `{"cursor": ...}` while more remains, `{}` on the last page.
pub(crate) fn pagination(next: Option<usize>) -> Value {
    match next {
        Some(position) => json!({"cursor": encode_cursor(position)}),
        None => json!({}),
    }
}

/// The body as a JSON object; anything else is a 400.
pub(crate) fn body_object(body: &Bytes) -> Result<Map<String, Value>, HelixError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(HelixError::bad("Request body is required"));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(HelixError::bad(
            "Invalid request body: expected a JSON object",
        )),
    }
}

/// A string field of a JSON body (`null` = absent); other types are malformed.
pub(crate) fn str_field<'a>(
    map: &'a Map<String, Value>,
    key: &str,
) -> Result<Option<&'a str>, HelixError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(HelixError::malformed(key, "the value must be a string")),
    }
}

/// An integer field of a JSON body.
pub(crate) fn int_field(map: &Map<String, Value>, key: &str) -> Result<Option<i64>, HelixError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| HelixError::malformed(key, "the value must be an integer")),
        Some(_) => Err(HelixError::malformed(key, "the value must be an integer")),
    }
}

// ---------------------------------------------------------------- the cursor

/// Twitch's cursors are base64 of a small JSON document, e.g. `{"b":null,"a":{"Offset":20}}`.
/// The simulator's are the same, so they look right and a client that treats them as anything
/// but opaque gets what it deserves.
pub(crate) fn encode_cursor(position: usize) -> String {
    base64url(format!("{{\"b\":null,\"a\":{{\"Offset\":{position}}}}}").as_bytes())
}

pub(crate) fn decode_cursor(cursor: &str) -> Option<usize> {
    let bytes = unbase64url(cursor.trim_end_matches('='))?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    let n = value.get("a")?.get("Offset")?.as_u64()?;
    usize::try_from(n).ok()
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = (n >> (18 - 6 * i)) & 63;
            out.push(ALPHABET[index as usize] as char);
        }
    }
    out
}

fn unbase64url(input: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for c in input.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        for n in [0usize, 1, 20, 999, 123_456] {
            let c = encode_cursor(n);
            assert!(c.bytes().all(|b| ALPHABET.contains(&b)), "{c}");
            assert_eq!(decode_cursor(&c), Some(n));
        }
        assert_eq!(base64url(b"hello"), "aGVsbG8");
        assert_eq!(unbase64url("aGVsbG8").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_cursor("not a cursor!"), None);
        assert_eq!(decode_cursor("aGVsbG8"), None);
    }

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339(1_795_636_800), "2026-11-25T20:00:00Z");
    }
}
