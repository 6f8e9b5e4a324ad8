//! Helix's errors in words a streamer can act on. Helix signals errors with the HTTP status
//! and a body `{"error": "Bad Request", "status": 400, "message": "..."}`; the message is
//! Twitch's own explanation and is kept where it says more than the status.

use super::wire::ErrorBody;
use crate::error::{ErrorKind, PlatformError};
use crate::model::PlatformId;
use crate::platform::http::{self, ErrorSaid, StatusTable};
use reqwest::StatusCode;

const PLATFORM: PlatformId = PlatformId::Twitch;

/// Helix's statuses in the shared table (`TABLE.check` turns an answer into an error when
/// it is one); a 409 there means an earlier change is still
/// being applied.
pub(crate) const TABLE: StatusTable = StatusTable {
    platform: PLATFORM,
    conflict: "Twitch is still busy with an earlier change; try again in a moment",
    read_body,
};

/// Twitch's message, trimmed, when it says anything.
fn said(body: &ErrorBody) -> Option<&str> {
    body.message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
}

/// Reads Helix's error body; a 401 whose message names a scope is a missing permission.
fn read_body(status: StatusCode, body: &[u8]) -> Option<ErrorSaid> {
    let body: ErrorBody = serde_json::from_slice(body).ok()?;
    let message = said(&body).map(str::to_owned);
    Some(ErrorSaid {
        lacks_scope: status == StatusCode::UNAUTHORIZED
            && message
                .as_deref()
                .is_some_and(|m| m.to_ascii_lowercase().contains("scope")),
        message,
        retry_after: None,
    })
}

/// A 429 that is not the app's rate limit (its `Ratelimit-Remaining` still has points):
/// Twitch's own cooldowns, such as the one between commercials. Twitch's message says how
/// long to wait; nothing is retried.
pub fn cooldown(body: &[u8]) -> PlatformError {
    let probe: ErrorBody = serde_json::from_slice(body.trim_ascii()).unwrap_or_default();
    let sentence = match said(&probe) {
        Some(m) => format!("Twitch asks to wait: {m}"),
        None => "Twitch asks to wait before doing that again".into(),
    };
    http::api(PLATFORM, 429, ErrorKind::Other, sentence)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: &str) -> Vec<u8> {
        json.as_bytes().to_vec()
    }

    #[test]
    fn helix_bodies_map_by_status() {
        let e = TABLE
            .check(
                StatusCode::UNAUTHORIZED,
                &body(r#"{"error":"Unauthorized","status":401,"message":"Invalid OAuth token"}"#),
            )
            .expect_err("401");
        assert_eq!(e.kind(), ErrorKind::TokenExpired);
        assert!(e.to_string().contains("Invalid OAuth token"), "{e}");
        assert!(
            e.to_string().contains(&http::sign_in_again_words(PLATFORM)),
            "{e}"
        );
        let e = TABLE.check(
            StatusCode::UNAUTHORIZED,
            &body(r#"{"error":"Unauthorized","status":401,"message":"Missing scope: channel:read:editors"}"#),
        )
        .expect_err("scope");
        assert_eq!(e.kind(), ErrorKind::Auth);
        assert!(e.to_string().contains("channel:read:editors"));
        let e = TABLE.check(
            StatusCode::BAD_REQUEST,
            &body(r#"{"error":"Bad Request","status":400,"message":"The title field may not be empty."}"#),
        )
        .expect_err("400");
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(e.code(), Some(400));
        assert!(e.to_string().starts_with("Twitch: "), "{e}");
        let e = TABLE
            .check(StatusCode::FORBIDDEN, &body(r#"{"status":403}"#))
            .expect_err("403");
        assert_eq!(e.kind(), ErrorKind::Permission);
        let e = TABLE
            .check(StatusCode::TOO_MANY_REQUESTS, b"")
            .expect_err("429");
        assert_eq!(e.kind(), ErrorKind::RateLimited);
    }
}
