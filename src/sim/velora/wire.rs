//! Velora's wire conventions: the error body `{error, message, details?}`, the web
//! framework's validation body (`{"message": [..], "error": "Bad Request", "statusCode": 400}`),
//! query strings, opaque cursors, JavaScript-style ISO times, and SHA-256 with base64url for
//! the PKCE check (written here so the simulator adds no dependency).

use axum::{
    Json,
    http::{HeaderValue, StatusCode, Uri, header::RETRY_AFTER},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};
use time::{OffsetDateTime, macros::format_description};

/// Result type of every API handler.
pub(crate) type ApiResult = Result<Response, ApiError>;

/// An error answer in one of Velora's two shapes.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// `{error, message, details?}`, plus `retry_after` (and the `Retry-After` header) on 429s.
    Plain {
        status: StatusCode,
        error: &'static str,
        message: String,
        details: Option<Value>,
        retry_after: Option<u64>,
    },
    /// The framework's validation failure: 400 with an array of messages.
    Validation(Vec<String>),
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, error: &'static str, message: impl Into<String>) -> Self {
        ApiError::Plain {
            status,
            error,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    pub(crate) fn bad(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 429 with `Retry-After: secs` and `retry_after` in the body.
    pub(crate) fn rate_limited(message: impl Into<String>, secs: u64) -> Self {
        ApiError::Plain {
            status: StatusCode::TOO_MANY_REQUESTS,
            error: "rate_limited",
            message: message.into(),
            details: None,
            retry_after: Some(secs.max(1)),
        }
    }

    /// The framework's 400 with one message.
    pub(crate) fn validation(message: impl Into<String>) -> Self {
        ApiError::Validation(vec![message.into()])
    }

    pub(crate) fn with_details(mut self, value: Value) -> Self {
        if let ApiError::Plain { details, .. } = &mut self {
            *details = Some(value);
        }
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Plain {
                status,
                error,
                message,
                details,
                retry_after,
            } => {
                let mut body = json!({"error": error, "message": message});
                if let Some(map) = body.as_object_mut() {
                    if let Some(details) = details {
                        map.insert("details".into(), details);
                    }
                    if let Some(secs) = retry_after {
                        map.insert("retry_after".into(), json!(secs));
                    }
                }
                let mut response = (status, Json(body)).into_response();
                if let Some(secs) = retry_after
                    && let Ok(value) = HeaderValue::from_str(&secs.to_string())
                {
                    response.headers_mut().insert(RETRY_AFTER, value);
                }
                response
            }
            ApiError::Validation(messages) => (
                StatusCode::BAD_REQUEST,
                Json(json!({"message": messages, "error": "Bad Request", "statusCode": 400})),
            )
                .into_response(),
        }
    }
}

/// 200 with a JSON body.
pub(crate) fn ok(value: Value) -> ApiResult {
    Ok(Json(value).into_response())
}

/// 201 with a JSON body: Velora's answer to every successful POST.
pub(crate) fn created(value: Value) -> ApiResult {
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

/// JavaScript's `toISOString()`: `2026-11-25T20:00:00.000Z`.
pub(crate) fn iso(epoch_ms: i64) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(epoch_ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".to_owned())
}

/// A decoded query string.
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub(crate) fn of(uri: &Uri) -> Query {
        Query(
            url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
        )
    }

    pub(crate) fn one(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A whole number in `min..=max` (default when absent); anything else is a 400.
    pub(crate) fn number(
        &self,
        key: &str,
        default: usize,
        min: usize,
        max: usize,
    ) -> Result<usize, ApiError> {
        let Some(raw) = self.one(key) else {
            return Ok(default);
        };
        let n: i64 = raw
            .trim()
            .parse()
            .map_err(|_| ApiError::bad(format!("{key} must be an integer")))?;
        if n < min as i64 || n > max as i64 {
            return Err(
                ApiError::bad(format!("{key} must be between {min} and {max}"))
                    .with_details(json!({"parameter": key, "min": min, "max": max})),
            );
        }
        Ok(n as usize)
    }

    /// `limit`, 1..=100 (default `default`).
    pub(crate) fn limit(&self, default: usize) -> Result<usize, ApiError> {
        self.number("limit", default, 1, 100)
    }

    /// The `cursor`'s position and page number, if given; a cursor the simulator did not
    /// hand out is a 400.
    pub(crate) fn cursor(&self) -> Result<Option<(usize, usize)>, ApiError> {
        match self.one("cursor") {
            None | Some("") => Ok(None),
            Some(c) => decode_cursor(c)
                .map(Some)
                .ok_or_else(|| ApiError::bad("Invalid cursor")),
        }
    }
}

/// An opaque cursor: base64url of `{"o":position,"p":page}`.
pub(crate) fn encode_cursor(position: usize, page: usize) -> String {
    base64url(format!("{{\"o\":{position},\"p\":{page}}}").as_bytes())
}

pub(crate) fn decode_cursor(cursor: &str) -> Option<(usize, usize)> {
    let bytes = unbase64url(cursor.trim().trim_end_matches('='))?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    let o = usize::try_from(value.get("o")?.as_u64()?).ok()?;
    let p = usize::try_from(value.get("p")?.as_u64()?).ok()?;
    Some((o, p))
}

/// `{"cursor": ..}`, null on the last page.
pub(crate) fn pagination(next: Option<String>) -> Value {
    json!({ "cursor": next })
}

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5), as PKCE's S256 uses.
pub(crate) fn base64url(input: &[u8]) -> String {
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
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn unbase64url(input: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for c in input.bytes() {
        let v = B64.iter().position(|&x| x == c)? as u32;
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

/// SHA-256 (FIPS 180-4) of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut message = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bit_len.to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (slot, v) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *slot = slot.wrapping_add(v);
        }
    }
    let mut out = [0u8; 32];
    for (i, v) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_be_bytes());
    }
    out
}

/// The S256 code challenge of a PKCE verifier: base64url(SHA-256(verifier)).
pub(crate) fn s256(verifier: &str) -> String {
    base64url(&sha256(verifier.as_bytes()))
}

/// Length as the framework's validator counts it: code points, not counting the emoji
/// presentation selectors U+FE0E and U+FE0F.
pub(crate) fn text_len(text: &str) -> usize {
    text.chars()
        .filter(|c| *c != '\u{FE0E}' && *c != '\u{FE0F}')
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha256_matches_the_standard_vectors() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    #[test]
    fn s256_matches_rfc_7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = encode_cursor(40, 2);
        assert_eq!(decode_cursor(&c), Some((40, 2)));
        assert_eq!(decode_cursor("nonsense!"), None);
        assert_eq!(decode_cursor(&base64url(b"{\"x\":1}")), None);
        assert_eq!(base64url(b"hello"), "aGVsbG8");
    }

    #[test]
    fn times_are_javascript_iso() {
        assert_eq!(iso(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }

    #[test]
    fn lengths_count_code_points_without_selectors() {
        assert_eq!(text_len("❤\u{FE0F}"), 1);
        assert_eq!(text_len("小龙🎮"), 3);
    }
}
