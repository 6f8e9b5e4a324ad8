//! The errors every platform's calls share, in sentences a streamer can act on: transport
//! failures, answers that do not decode, the HTTP-status table and the dead sign-in. None
//! of them ever quotes a URL's query, a header or a value from an answer (any of which
//! could be a token or a stream key).

use crate::error::{ErrorKind, PlatformError};
use crate::model::PlatformId;
use crate::secret::Secret;
use reqwest::StatusCode;
use reqwest::header::HeaderValue;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Error bodies are small; successful answers larger than this are not probed for one, so
/// a 100,000-viewer answer is scanned once.
pub(crate) const PROBE_MAX: usize = 64 * 1024;

/// A transport failure in words; never includes the URL's query or any header.
pub(crate) fn transport_error(
    platform: PlatformId,
    timeout: Duration,
    e: &reqwest::Error,
) -> PlatformError {
    if e.is_timeout() {
        return PlatformError::Timeout {
            platform,
            secs: timeout.as_secs().max(1),
        };
    }
    let detail = if e.is_connect() {
        "the connection was refused or could not be made"
    } else if e.is_body() || e.is_decode() {
        "the connection broke while the answer was arriving"
    } else if e.is_request() {
        "the connection closed before an answer arrived"
    } else {
        "the request failed"
    };
    PlatformError::Network {
        platform,
        detail: detail.to_owned(),
    }
}

/// What kind of decoding failure `e` is, in words.
pub(crate) fn category_words(e: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof => "malformed JSON",
        Category::Data => "unexpected field types",
        Category::Io => "unreadable answer",
    }
}

/// A decoding failure that names where, never the value.
pub(crate) fn shape_error(platform: PlatformId, e: &serde_json::Error) -> PlatformError {
    PlatformError::BadShape {
        platform,
        detail: format!(
            "{} at line {} column {}",
            category_words(e),
            e.line(),
            e.column()
        ),
    }
}

/// Decodes a successful answer; an empty body reads as `{}` (a 204, or a bare 200).
pub(crate) fn decode<T: DeserializeOwned>(
    platform: PlatformId,
    body: &[u8],
) -> Result<T, PlatformError> {
    let body = if body.trim_ascii().is_empty() {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| shape_error(platform, &e))
}

/// The sentence every dead sign-in ends with.
pub(crate) fn sign_in_again_words(platform: PlatformId) -> String {
    format!("sign in to {platform} again")
}

/// The `Authorization` header for a token, marked sensitive so no debug output shows it.
pub(crate) fn auth_header(
    platform: PlatformId,
    scheme: &str,
    token: &Secret,
) -> Result<HeaderValue, PlatformError> {
    let mut value =
        HeaderValue::from_str(&format!("{scheme} {}", token.expose())).map_err(|_| {
            PlatformError::Config {
                platform,
                message: format!(
                    "the access token has characters a header cannot carry: {}",
                    sign_in_again_words(platform)
                ),
            }
        })?;
    value.set_sensitive(true);
    Ok(value)
}

/// An error the platform answered, under its HTTP status.
pub(crate) fn api(
    platform: PlatformId,
    status: u16,
    kind: ErrorKind,
    sentence: String,
) -> PlatformError {
    PlatformError::Api {
        platform,
        code: i64::from(status),
        kind,
        sentence,
    }
}

/// The error for a sign-in that is dead and cannot be renewed: the user must sign in again.
pub(crate) fn sign_in_again(platform: PlatformId, why: &str) -> PlatformError {
    api(
        platform,
        401,
        ErrorKind::Auth,
        format!(
            "{platform} no longer accepts the saved sign-in ({why}): {}",
            sign_in_again_words(platform)
        ),
    )
}

/// The platform's rate limit, used up; `wait` is what it asked to wait, in seconds.
pub(crate) fn rate_limited(platform: PlatformId, wait: Option<u64>) -> PlatformError {
    api(
        platform,
        429,
        ErrorKind::RateLimited,
        match wait.filter(|&w| w > 0) {
            Some(w) => format!("{platform}'s rate limit is used up; wait {w} s and try again"),
            None => format!("{platform}'s rate limit is used up; wait a minute and try again"),
        },
    )
}

/// A write refused for its expired token: the token is renewed, but the write is not sent
/// again by Stagehand (the platform did not act on it; the user decides).
pub(crate) fn refused_write_not_resent(platform: PlatformId) -> PlatformError {
    api(
        platform,
        401,
        ErrorKind::Other,
        format!(
            "{platform} refused the expired sign-in, so nothing was done; the sign-in has been renewed: try again"
        ),
    )
}

/// What a platform's error body said, as its dialect reads it.
#[derive(Clone, Debug, Default)]
pub(crate) struct ErrorSaid {
    /// The platform's own explanation, trimmed, when it says anything.
    pub message: Option<String>,
    /// Whether the refusal is about a permission the sign-in lacks.
    pub lacks_scope: bool,
    /// How long the platform asked to wait, in seconds, where its body says.
    pub retry_after: Option<u64>,
}

/// The HTTP-status table of a platform that signals errors by status and a JSON body (Twitch
/// and Velora; Trovo answers 200 with error codes and reads its own).
pub(crate) struct StatusTable {
    pub platform: PlatformId,
    /// The sentence for a 409 (each platform means something else by it).
    pub conflict: &'static str,
    /// Reads an error body; `None` when the body is not one of the platform's error shapes.
    pub read_body: fn(StatusCode, &[u8]) -> Option<ErrorSaid>,
}

impl StatusTable {
    /// Turns an answer into an error when it is one: a failure status (with the platform's
    /// error body or without one), or a page that is not JSON where JSON was expected.
    pub(crate) fn check(&self, status: StatusCode, body: &[u8]) -> Result<(), PlatformError> {
        let platform = self.platform;
        let trimmed = body.trim_ascii();
        if status.is_success() {
            // A 2xx gateway page (a captive portal, a maintenance page) is not the API's JSON.
            let looks_json = trimmed.is_empty()
                || trimmed.len() > PROBE_MAX
                || matches!(trimmed.first(), Some(b'{' | b'['));
            return if looks_json {
                Ok(())
            } else {
                Err(PlatformError::NotJson {
                    platform,
                    status: status.as_u16(),
                })
            };
        }
        match (self.read_body)(status, trimmed) {
            Some(said) => Err(self.error(status, &said)),
            None if trimmed.is_empty() => Err(match status.as_u16() {
                401 | 429 => self.error(status, &ErrorSaid::default()),
                code => PlatformError::Http {
                    platform,
                    status: code,
                },
            }),
            None if status == StatusCode::TOO_MANY_REQUESTS => Err(rate_limited(platform, None)),
            None => Err(PlatformError::NotJson {
                platform,
                status: status.as_u16(),
            }),
        }
    }

    /// The error for a failure status with what the body said.
    pub(crate) fn error(&self, status: StatusCode, said: &ErrorSaid) -> PlatformError {
        let platform = self.platform;
        let code = status.as_u16();
        let msg = said.message.as_deref();
        let with = |s: &str| match msg {
            Some(m) => format!("{s}: {m}"),
            None => s.to_owned(),
        };
        let again = sign_in_again_words(platform);
        let (kind, sentence) = match code {
            401 | 403 if said.lacks_scope => (
                ErrorKind::Auth,
                format!(
                    "the sign-in lacks a permission this needs ({}): {again} and allow it",
                    msg.unwrap_or("a missing scope")
                ),
            ),
            401 => (
                ErrorKind::TokenExpired,
                match msg {
                    Some(m) => format!("the sign-in is no longer valid ({m}): {again}"),
                    None => format!("the sign-in is no longer valid: {again}"),
                },
            ),
            400 | 422 => (
                ErrorKind::InvalidInput,
                with(&format!("{platform} refused the request")),
            ),
            403 => (
                ErrorKind::Permission,
                with(&format!(
                    "{platform} does not allow this account to do that"
                )),
            ),
            404 => (
                ErrorKind::NotFound,
                with(&format!("{platform} found nothing there")),
            ),
            409 => (ErrorKind::Other, with(self.conflict)),
            429 => return rate_limited(platform, said.retry_after),
            500..=599 => (
                ErrorKind::Server,
                with(&format!(
                    "{platform} had trouble on its side; try again in a minute"
                )),
            ),
            _ => (
                ErrorKind::Other,
                with(&format!("{platform} refused the request")),
            ),
        };
        api(platform, code, kind, sentence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: StatusTable = StatusTable {
        platform: PlatformId::Velora,
        conflict: "it conflicts",
        read_body: |_, body| {
            serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .map(|v| ErrorSaid {
                    message: v["message"].as_str().map(str::to_owned),
                    lacks_scope: v["scope"].as_bool().unwrap_or(false),
                    retry_after: v["retry_after"].as_u64(),
                })
        },
    };

    #[test]
    fn statuses_map_to_kinds_a_panel_can_act_on() {
        let kind = |status: u16, body: &[u8]| {
            TABLE
                .check(StatusCode::from_u16(status).expect("status"), body)
                .expect_err("an error")
                .kind()
        };
        assert_eq!(
            kind(401, br#"{"message":"expired"}"#),
            ErrorKind::TokenExpired
        );
        assert_eq!(kind(403, br#"{"scope":true}"#), ErrorKind::Auth);
        assert_eq!(kind(403, br#"{}"#), ErrorKind::Permission);
        assert_eq!(kind(400, br#"{}"#), ErrorKind::InvalidInput);
        assert_eq!(kind(404, br#"{}"#), ErrorKind::NotFound);
        assert_eq!(kind(429, b""), ErrorKind::RateLimited);
        assert_eq!(kind(429, b"<html>slow down</html>"), ErrorKind::RateLimited);
        assert_eq!(kind(502, br#"{}"#), ErrorKind::Server);
        let e = TABLE
            .check(StatusCode::TOO_MANY_REQUESTS, br#"{"retry_after":12}"#)
            .expect_err("429");
        assert!(e.to_string().contains("wait 12 s"), "{e}");
        assert!(matches!(
            TABLE.check(StatusCode::BAD_GATEWAY, b"<html>502</html>"),
            Err(PlatformError::NotJson { status: 502, .. })
        ));
        assert!(matches!(
            TABLE.check(StatusCode::SERVICE_UNAVAILABLE, b""),
            Err(PlatformError::Http { status: 503, .. })
        ));
        let e = TABLE
            .check(StatusCode::OK, b"<!doctype html><p>maintenance</p>")
            .expect_err("a 200 page");
        assert!(matches!(e, PlatformError::NotJson { status: 200, .. }));
        assert!(e.to_string().contains("try again"), "{e}");
        assert_eq!(kind(401, b""), ErrorKind::TokenExpired, "a bare 401");
        assert!(TABLE.check(StatusCode::OK, b"[]").is_ok());
        assert!(TABLE.check(StatusCode::CREATED, br#"{"ok":true}"#).is_ok());
        assert!(TABLE.check(StatusCode::NO_CONTENT, b"").is_ok());
    }

    #[test]
    fn the_auth_header_is_sensitive_and_refuses_a_broken_token() {
        let h = auth_header(PlatformId::Velora, "Bearer", &Secret::new("tok")).expect("header");
        assert!(h.is_sensitive());
        assert_eq!(h.to_str().ok(), Some("Bearer tok"));
        let e = auth_header(PlatformId::Velora, "Bearer", &Secret::new("bad\ntoken"))
            .expect_err("refused");
        assert!(!e.to_string().contains("bad"), "{e}");
    }

    #[test]
    fn shape_errors_never_quote_the_answer() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct T {
            n: u32,
        }
        let e =
            decode::<T>(PlatformId::Trovo, br#"{"n": "secret-stream-key"}"#).expect_err("bad type");
        assert!(!e.to_string().contains("secret-stream-key"), "{e}");
        assert!(e.to_string().contains("line 1"), "{e}");
    }
}
