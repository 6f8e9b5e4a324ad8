//! Helix's errors in words a streamer can act on. Helix signals errors with the HTTP status
//! and a body `{"error": "Bad Request", "status": 400, "message": "..."}`; the message is
//! Twitch's own explanation and is kept where it says more than the status.

use super::wire::ErrorBody;
use crate::error::{ErrorKind, PlatformError};
use crate::model::PlatformId;
use reqwest::StatusCode;

const PLATFORM: PlatformId = PlatformId::Twitch;

/// The sentence every dead sign-in ends with.
pub const SIGN_IN_AGAIN: &str = "sign in to Twitch again";

/// Error bodies are small; successful answers larger than this are not probed.
const PROBE_MAX: usize = 64 * 1024;

fn api(status: u16, kind: ErrorKind, sentence: String) -> PlatformError {
    PlatformError::Api {
        platform: PLATFORM,
        code: i64::from(status),
        kind,
        sentence,
    }
}

/// Twitch's message, trimmed, when it says anything.
fn said(body: &ErrorBody) -> Option<&str> {
    body.message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
}

/// The error for an HTTP failure status with a Helix error body.
pub fn helix_error(status: StatusCode, body: &ErrorBody) -> PlatformError {
    let code = status.as_u16();
    let msg = said(body);
    let with = |s: &str| match msg {
        Some(m) => format!("{s}: {m}"),
        None => s.to_owned(),
    };
    match code {
        401 if msg.is_some_and(|m| m.to_ascii_lowercase().contains("scope")) => api(
            code,
            ErrorKind::Auth,
            format!(
                "the sign-in lacks a permission this needs ({}): {SIGN_IN_AGAIN} and allow it",
                msg.unwrap_or_default()
            ),
        ),
        401 => api(
            code,
            ErrorKind::TokenExpired,
            match msg {
                Some(m) => format!("the sign-in is no longer valid ({m}): {SIGN_IN_AGAIN}"),
                None => format!("the sign-in is no longer valid: {SIGN_IN_AGAIN}"),
            },
        ),
        400 | 422 => api(
            code,
            ErrorKind::InvalidInput,
            with("Twitch refused the request"),
        ),
        403 => api(
            code,
            ErrorKind::Permission,
            with("Twitch does not allow this account to do that"),
        ),
        404 => api(
            code,
            ErrorKind::NotFound,
            with("Twitch found nothing there"),
        ),
        409 => api(
            code,
            ErrorKind::Other,
            with("Twitch is still busy with an earlier change; try again in a moment"),
        ),
        429 => rate_limited(),
        500..=599 => api(
            code,
            ErrorKind::Server,
            with("Twitch had trouble on its side; try again in a minute"),
        ),
        _ => api(code, ErrorKind::Other, with("Twitch refused the request")),
    }
}

/// Twitch's rate limit, used up.
pub fn rate_limited() -> PlatformError {
    api(
        429,
        ErrorKind::RateLimited,
        "Twitch's rate limit is used up; wait a minute and try again".into(),
    )
}

/// A 429 that is not the app's rate limit (its `Ratelimit-Remaining` still has points):
/// Twitch's own cooldowns, such as the one between commercials. Twitch's message says how
/// long to wait; nothing is retried.
pub fn cooldown(body: &[u8]) -> PlatformError {
    let probe: ErrorBody = serde_json::from_slice(body.trim_ascii()).unwrap_or_default();
    api(
        429,
        ErrorKind::Other,
        match said(&probe) {
            Some(m) => format!("Twitch asks to wait: {m}"),
            None => "Twitch asks to wait before doing that again".into(),
        },
    )
}

/// Turns an answer into an error when it is one: a failure status (with Helix's body or
/// without), or a page that is not JSON where JSON was expected.
pub fn check(status: StatusCode, body: &[u8]) -> Result<(), PlatformError> {
    let trimmed = body.trim_ascii();
    if status.is_success() {
        // A 2xx gateway page (a captive portal, a maintenance page) is not Helix's JSON.
        let looks_json = trimmed.is_empty()
            || trimmed.len() > PROBE_MAX
            || matches!(trimmed.first(), Some(b'{' | b'['));
        return if looks_json {
            Ok(())
        } else {
            Err(PlatformError::NotJson {
                platform: PLATFORM,
                status: status.as_u16(),
            })
        };
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Err(rate_limited());
    }
    match serde_json::from_slice::<ErrorBody>(trimmed) {
        Ok(body) => Err(helix_error(status, &body)),
        Err(_) if trimmed.is_empty() => Err(match status.as_u16() {
            401 => helix_error(status, &ErrorBody::default()),
            code => PlatformError::Http {
                platform: PLATFORM,
                status: code,
            },
        }),
        Err(_) => Err(PlatformError::NotJson {
            platform: PLATFORM,
            status: status.as_u16(),
        }),
    }
}

/// The error for a sign-in that is dead and cannot be renewed: the user must sign in again.
pub fn sign_in_again(why: &str) -> PlatformError {
    api(
        401,
        ErrorKind::Auth,
        format!("Twitch no longer accepts the saved sign-in ({why}): {SIGN_IN_AGAIN}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: &str) -> Vec<u8> {
        json.as_bytes().to_vec()
    }

    #[test]
    fn helix_bodies_map_by_status() {
        let e = check(
            StatusCode::UNAUTHORIZED,
            &body(r#"{"error":"Unauthorized","status":401,"message":"Invalid OAuth token"}"#),
        )
        .expect_err("401");
        assert_eq!(e.kind(), ErrorKind::TokenExpired);
        assert!(e.to_string().contains("Invalid OAuth token"), "{e}");
        assert!(e.to_string().contains(SIGN_IN_AGAIN), "{e}");
        let e = check(
            StatusCode::UNAUTHORIZED,
            &body(r#"{"error":"Unauthorized","status":401,"message":"Missing scope: channel:read:editors"}"#),
        )
        .expect_err("scope");
        assert_eq!(e.kind(), ErrorKind::Auth);
        assert!(e.to_string().contains("channel:read:editors"));
        let e = check(
            StatusCode::BAD_REQUEST,
            &body(r#"{"error":"Bad Request","status":400,"message":"The title field may not be empty."}"#),
        )
        .expect_err("400");
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(e.code(), Some(400));
        assert!(e.to_string().starts_with("Twitch: "), "{e}");
        let e = check(StatusCode::FORBIDDEN, &body(r#"{"status":403}"#)).expect_err("403");
        assert_eq!(e.kind(), ErrorKind::Permission);
        let e = check(StatusCode::TOO_MANY_REQUESTS, b"").expect_err("429");
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        let e = check(StatusCode::SERVICE_UNAVAILABLE, b"").expect_err("503");
        assert!(matches!(e, PlatformError::Http { status: 503, .. }));
        let e = check(StatusCode::UNAUTHORIZED, b"").expect_err("bare 401");
        assert_eq!(e.kind(), ErrorKind::TokenExpired);
    }

    #[test]
    fn html_pages_are_not_json_whatever_the_status() {
        let e = check(
            StatusCode::BAD_GATEWAY,
            b"<html><body>502 Bad Gateway</body></html>",
        )
        .expect_err("502 page");
        assert!(matches!(e, PlatformError::NotJson { status: 502, .. }));
        assert!(e.to_string().contains("try again"));
        let e = check(StatusCode::OK, b"<!doctype html><p>maintenance</p>").expect_err("200 page");
        assert!(matches!(e, PlatformError::NotJson { status: 200, .. }));
        assert!(check(StatusCode::OK, br#"{"data":[]}"#).is_ok());
        assert!(check(StatusCode::NO_CONTENT, b"").is_ok());
    }
}
