//! Velora's errors in words a streamer can act on. Velora signals errors with the HTTP
//! status and a body in one of two shapes: its own `{error, message, details}`, or the web
//! framework's validation answer `{message: [..], error: "Bad Request", statusCode: 400}`.
//! Either way the platform's message is kept where it says more than the status.

use super::wire::ErrorBody;
use crate::error::{ErrorKind, PlatformError};
use crate::model::PlatformId;
use reqwest::StatusCode;

const PLATFORM: PlatformId = PlatformId::Velora;

/// The sentence every dead sign-in ends with.
pub const SIGN_IN_AGAIN: &str = "sign in to Velora again";

/// Error bodies are small; successful answers larger than this are not probed.
const PROBE_MAX: usize = 64 * 1024;

pub(crate) fn api(status: u16, kind: ErrorKind, sentence: String) -> PlatformError {
    PlatformError::Api {
        platform: PLATFORM,
        code: i64::from(status),
        kind,
        sentence,
    }
}

fn mentions_scope(body: &ErrorBody, said: Option<&str>) -> bool {
    let code = body.code().unwrap_or_default();
    code.contains("scope")
        || said.is_some_and(|m| {
            let m = m.to_ascii_lowercase();
            m.contains("scope") || m.contains("permission to")
        })
}

/// The error for an HTTP failure status with one of Velora's error bodies.
pub fn api_error(status: StatusCode, body: &ErrorBody) -> PlatformError {
    let code = status.as_u16();
    let said = body.said();
    let msg = said.as_deref();
    let with = |s: &str| match msg {
        Some(m) => format!("{s}: {m}"),
        None => s.to_owned(),
    };
    match code {
        401 | 403 if mentions_scope(body, msg) => api(
            code,
            ErrorKind::Auth,
            format!(
                "the sign-in lacks a permission this needs ({}): {SIGN_IN_AGAIN} and allow it",
                msg.unwrap_or("a missing scope")
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
            with("Velora refused the request"),
        ),
        403 => api(
            code,
            ErrorKind::Permission,
            with("Velora does not allow this account to do that"),
        ),
        404 => api(
            code,
            ErrorKind::NotFound,
            with("Velora found nothing there"),
        ),
        409 => api(
            code,
            ErrorKind::Other,
            with("Velora refused the change as it conflicts with the current state"),
        ),
        429 => rate_limited(body.retry_after),
        500..=599 => api(
            code,
            ErrorKind::Server,
            with("Velora had trouble on its side; try again in a minute"),
        ),
        _ => api(code, ErrorKind::Other, with("Velora refused the request")),
    }
}

/// Velora's rate limit, used up; `wait` is what it asked to wait, in seconds.
pub fn rate_limited(wait: Option<u64>) -> PlatformError {
    api(
        429,
        ErrorKind::RateLimited,
        match wait.filter(|&w| w > 0) {
            Some(w) => format!("Velora's rate limit is used up; wait {w} s and try again"),
            None => "Velora's rate limit is used up; wait a minute and try again".into(),
        },
    )
}

/// A limit of one action reached (Velora's 30 chat lines or 60 moderation actions a
/// minute) while the app's budget still has requests: Velora's words when it gave any.
pub fn action_limited(said: Option<String>, wait: u64) -> PlatformError {
    let wait = wait.max(1);
    api(
        429,
        ErrorKind::RateLimited,
        match said {
            Some(m) => format!("Velora asks to wait before doing that again: {m}"),
            None => format!("Velora asks to wait {wait} s before doing that again"),
        },
    )
}

/// Turns an answer into an error when it is one: a failure status (with either error body
/// or without one), or a page that is not JSON where JSON was expected. Success is any 2xx:
/// Velora answers 201 to its POSTs.
pub fn check(status: StatusCode, body: &[u8]) -> Result<(), PlatformError> {
    let trimmed = body.trim_ascii();
    if status.is_success() {
        // A 2xx gateway page (a captive portal, a maintenance page) is not Velora's JSON.
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
    match ErrorBody::parse(trimmed) {
        Some(body) => Err(api_error(status, &body)),
        None if trimmed.is_empty() => Err(match status.as_u16() {
            401 | 429 => api_error(status, &ErrorBody::default()),
            code => PlatformError::Http {
                platform: PLATFORM,
                status: code,
            },
        }),
        None if status == StatusCode::TOO_MANY_REQUESTS => Err(rate_limited(None)),
        None => Err(PlatformError::NotJson {
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
        format!("Velora no longer accepts the saved sign-in ({why}): {SIGN_IN_AGAIN}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn velora_bodies_map_by_status_into_one_sentence() {
        let e = check(
            StatusCode::BAD_REQUEST,
            br#"{"error":"invalid_category","message":"Unknown category slug","details":{"field":"categorySlug"}}"#,
        )
        .expect_err("400");
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(
            e.to_string(),
            "Velora: Velora refused the request: Unknown category slug"
        );
        let e = check(
            StatusCode::BAD_REQUEST,
            br#"{"message":["property userId should not exist"],"error":"Bad Request","statusCode":400}"#,
        )
        .expect_err("framework 400");
        assert_eq!(
            e.to_string(),
            "Velora: Velora refused the request: property userId should not exist"
        );
        let e = check(
            StatusCode::UNAUTHORIZED,
            br#"{"error":"invalid_token","message":"Token expired"}"#,
        )
        .expect_err("401");
        assert_eq!(e.kind(), ErrorKind::TokenExpired);
        assert!(e.to_string().contains(SIGN_IN_AGAIN));
        let e = check(
            StatusCode::FORBIDDEN,
            br#"{"error":"insufficient_scope","message":"Requires scope chat:moderate"}"#,
        )
        .expect_err("scope");
        assert_eq!(e.kind(), ErrorKind::Auth);
        assert!(e.to_string().contains("chat:moderate"), "{e}");
        let e = check(
            StatusCode::FORBIDDEN,
            br#"{"error":"forbidden","message":"Not your channel"}"#,
        )
        .expect_err("403");
        assert_eq!(e.kind(), ErrorKind::Permission);
        let e = check(
            StatusCode::NOT_FOUND,
            br#"{"message":"Cannot GET /api/x","error":"Not Found","statusCode":404}"#,
        )
        .expect_err("404");
        assert_eq!(e.kind(), ErrorKind::NotFound);
        let e = check(
            StatusCode::TOO_MANY_REQUESTS,
            br#"{"error":"rate_limited","message":"Too many","retry_after":12}"#,
        )
        .expect_err("429");
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert!(e.to_string().contains("12 s"), "{e}");
        let e = check(StatusCode::TOO_MANY_REQUESTS, b"").expect_err("bare 429");
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        let e = check(StatusCode::SERVICE_UNAVAILABLE, b"").expect_err("503");
        assert!(matches!(e, PlatformError::Http { status: 503, .. }));
        let e = check(StatusCode::UNAUTHORIZED, b"").expect_err("bare 401");
        assert_eq!(e.kind(), ErrorKind::TokenExpired);
    }

    #[test]
    fn html_pages_are_not_json_whatever_the_status() {
        let e = check(StatusCode::BAD_GATEWAY, b"<html><body>502</body></html>").expect_err("502");
        assert!(matches!(e, PlatformError::NotJson { status: 502, .. }));
        let e = check(StatusCode::OK, b"<!doctype html><p>maintenance</p>").expect_err("200 page");
        assert!(matches!(e, PlatformError::NotJson { status: 200, .. }));
        assert!(check(StatusCode::CREATED, br#"{"success":true}"#).is_ok());
        assert!(check(StatusCode::NO_CONTENT, b"").is_ok());
    }
}
