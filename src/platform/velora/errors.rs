//! Velora's errors in words a streamer can act on. Velora signals errors with the HTTP
//! status and a body in one of two shapes: its own `{error, message, details}`, or the web
//! framework's validation answer `{message: [..], error: "Bad Request", statusCode: 400}`.
//! Either way the platform's message is kept where it says more than the status.

use super::wire::ErrorBody;
use crate::error::{ErrorKind, PlatformError};
use crate::model::PlatformId;
use crate::platform::http::{self, ErrorSaid, StatusTable};
use reqwest::StatusCode;

const PLATFORM: PlatformId = PlatformId::Velora;

/// Velora's statuses in the shared table (`TABLE.check` turns an answer into an error when
/// it is one; success is any 2xx: Velora answers 201 to its POSTs); a 409 there is a change that conflicts with the
/// channel's state.
pub(crate) const TABLE: StatusTable = StatusTable {
    platform: PLATFORM,
    conflict: "Velora refused the change as it conflicts with the current state",
    read_body,
};

/// Whether a refusal is about a missing scope: its code or its words say so.
fn mentions_scope(body: &ErrorBody, said: Option<&str>) -> bool {
    let code = body.code().unwrap_or_default();
    code.contains("scope")
        || said.is_some_and(|m| {
            let m = m.to_ascii_lowercase();
            m.contains("scope") || m.contains("permission to")
        })
}

/// Reads either of Velora's error bodies.
fn read_body(_status: StatusCode, body: &[u8]) -> Option<ErrorSaid> {
    let body = ErrorBody::parse(body)?;
    let message = body.said();
    Some(ErrorSaid {
        lacks_scope: mentions_scope(&body, message.as_deref()),
        message,
        retry_after: body.retry_after,
    })
}

/// Velora's rate limit, used up; `wait` is what it asked to wait, in seconds.
pub fn rate_limited(wait: Option<u64>) -> PlatformError {
    http::rate_limited(PLATFORM, wait)
}

/// A limit of one action reached (Velora's 30 chat lines or 60 moderation actions a
/// minute) while the app's budget still has requests: Velora's words when it gave any.
pub fn action_limited(said: Option<String>, wait: u64) -> PlatformError {
    let wait = wait.max(1);
    let sentence = match said {
        Some(m) => format!("Velora asks to wait before doing that again: {m}"),
        None => format!("Velora asks to wait {wait} s before doing that again"),
    };
    http::api(PLATFORM, 429, ErrorKind::RateLimited, sentence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn velora_bodies_map_by_status_into_one_sentence() {
        let e = TABLE.check(
            StatusCode::BAD_REQUEST,
            br#"{"error":"invalid_category","message":"Unknown category slug","details":{"field":"categorySlug"}}"#,
        )
        .expect_err("400");
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(
            e.to_string(),
            "Velora: Velora refused the request: Unknown category slug"
        );
        let e = TABLE.check(
            StatusCode::BAD_REQUEST,
            br#"{"message":["property userId should not exist"],"error":"Bad Request","statusCode":400}"#,
        )
        .expect_err("framework 400");
        assert_eq!(
            e.to_string(),
            "Velora: Velora refused the request: property userId should not exist"
        );
        let e = TABLE
            .check(
                StatusCode::UNAUTHORIZED,
                br#"{"error":"invalid_token","message":"Token expired"}"#,
            )
            .expect_err("401");
        assert_eq!(e.kind(), ErrorKind::TokenExpired);
        assert!(e.to_string().contains(&http::sign_in_again_words(PLATFORM)));
        let e = TABLE
            .check(
                StatusCode::FORBIDDEN,
                br#"{"error":"insufficient_scope","message":"Requires scope chat:moderate"}"#,
            )
            .expect_err("scope");
        assert_eq!(e.kind(), ErrorKind::Auth);
        assert!(e.to_string().contains("chat:moderate"), "{e}");
        let e = TABLE
            .check(
                StatusCode::FORBIDDEN,
                br#"{"error":"forbidden","message":"Not your channel"}"#,
            )
            .expect_err("403");
        assert_eq!(e.kind(), ErrorKind::Permission);
        let e = TABLE
            .check(
                StatusCode::NOT_FOUND,
                br#"{"message":"Cannot GET /api/x","error":"Not Found","statusCode":404}"#,
            )
            .expect_err("404");
        assert_eq!(e.kind(), ErrorKind::NotFound);
        let e = TABLE
            .check(
                StatusCode::TOO_MANY_REQUESTS,
                br#"{"error":"rate_limited","message":"Too many","retry_after":12}"#,
            )
            .expect_err("429");
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert!(e.to_string().contains("12 s"), "{e}");
        let e = TABLE
            .check(StatusCode::TOO_MANY_REQUESTS, b"")
            .expect_err("bare 429");
        assert_eq!(e.kind(), ErrorKind::RateLimited);
    }
}
