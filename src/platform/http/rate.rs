//! Reading the rate-limit headers every platform sends in its own names.

use reqwest::header::HeaderMap;

fn now_secs() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// A header as a number, when it is one.
pub(crate) fn header_f64(headers: &HeaderMap, name: &str) -> Option<f64> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
}

/// Whether the header `name` (a "remaining" count) says at least one request is left: a
/// 429 that arrives then is a limit of one action, not the app's budget.
pub(crate) fn remaining_above_zero(headers: &HeaderMap, name: &str) -> bool {
    header_f64(headers, name).is_some_and(|r| r.is_finite() && r >= 1.0)
}

/// When a refused call may go again, as epoch seconds: `Retry-After` (seconds) first, then
/// the body's own `retry_after` where the platform sends one, then the first of
/// `reset_headers` (epoch seconds) present.
pub(crate) fn retry_at(
    headers: &HeaderMap,
    body_retry_after: Option<u64>,
    reset_headers: &[&str],
) -> Option<f64> {
    let num = |name: &str| header_f64(headers, name).filter(|v| v.is_finite() && *v >= 0.0);
    let now = now_secs();
    if let Some(secs) = num("retry-after").or(body_retry_after.map(|s| s as f64)) {
        // At least a second, so a `Retry-After: 0` is not read as "already past".
        return Some(now + secs.clamp(1.0, 60.0));
    }
    reset_headers
        .iter()
        .find_map(|name| num(name))
        .map(|r| if r <= now { now + 1.0 } else { r })
}

/// Seconds from now until `at` (epoch seconds), at least zero.
pub(crate) fn secs_until(at: Option<f64>) -> Option<f64> {
    let now = now_secs();
    at.map(|at| (at - now).max(0.0))
}

/// Headers from name/value pairs, for the unit tests of every dialect.
#[cfg(test)]
pub(crate) fn test_headers(pairs: &[(&str, &str)]) -> HeaderMap {
    use reqwest::header::{HeaderName, HeaderValue};
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.insert(
            HeaderName::from_bytes(k.as_bytes()).expect("name"),
            HeaderValue::from_str(v).expect("value"),
        );
    }
    h
}

#[cfg(test)]
mod tests {
    use super::test_headers as headers;
    use super::*;

    #[test]
    fn retry_after_wins_then_the_body_then_the_reset_headers_in_order() {
        let far = format!("{}", (now_secs() + 50.0) as u64);
        let later = format!("{}", (now_secs() + 25.0) as u64);
        let resets = ["ratelimit-reset", "x-ratelimit-reset"];
        let at = retry_at(
            &headers(&[("Retry-After", "2"), ("Ratelimit-Reset", &far)]),
            Some(30),
            &resets,
        )
        .expect("a time");
        assert!(at - now_secs() < 5.0, "Retry-After first");
        let at =
            retry_at(&headers(&[("Ratelimit-Reset", &far)]), Some(3), &resets).expect("a time");
        assert!(at - now_secs() < 5.0, "then the body's retry_after");
        let at = retry_at(
            &headers(&[("Ratelimit-Reset", &far), ("X-RateLimit-Reset", &later)]),
            None,
            &resets,
        )
        .expect("a time");
        assert!(
            at - now_secs() > 40.0,
            "then the first reset header present"
        );
        let at =
            retry_at(&headers(&[("X-RateLimit-Reset", &later)]), None, &resets).expect("a time");
        assert!((20.0..30.0).contains(&(at - now_secs())), "then the next");
        assert!(retry_at(&HeaderMap::new(), None, &resets).is_none());
        let past =
            retry_at(&headers(&[("X-RateLimit-Reset", "5")]), None, &resets).expect("a time");
        assert!(
            past > now_secs(),
            "a reset in the past is read as one second away"
        );
    }

    #[test]
    fn remaining_counts_only_whole_requests_left() {
        assert!(remaining_above_zero(&headers(&[("r", "3")]), "r"));
        assert!(!remaining_above_zero(&headers(&[("r", "0")]), "r"));
        assert!(!remaining_above_zero(&headers(&[("r", "NaN")]), "r"));
        assert!(!remaining_above_zero(&HeaderMap::new(), "r"));
    }
}
