//! A request budget per client ID, fed by the platform's `x-ratelimit-*` headers, so that
//! Stagehand never sends past the limit: every user of one client ID shares the platform's
//! budget, and a call past it is refused by the platform anyway.
//!
//! Before the first answer the limiter counts on the platform's documented limit; after it,
//! the headers are the truth. Calls made at the same time are counted locally so that a
//! burst cannot overshoot what the last header allowed.

use crate::model::RateBudget;
use reqwest::header::HeaderMap;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The longest the limiter ever waits for a window to reset: a platform's window is a
/// minute, so a reset further away is a misreading, not a reason to stall.
pub const MAX_WAIT: Duration = Duration::from_secs(60);

/// Requests sent before the platform's first rate-limit header: the documented limit is
/// shared with every other user of the client ID, so the first burst stays small until the
/// platform says what is really left.
const BEFORE_FIRST_HEADER: u32 = 20;

/// One client ID's budget at one API.
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<Window>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    limit: u32,
    remaining: u32,
    /// Epoch seconds when the window resets.
    reset_at: f64,
    /// Whether a header has been seen yet (before that, `remaining` is our own count).
    from_headers: bool,
    window_secs: f64,
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl RateLimiter {
    /// A limiter that assumes `limit` requests per `window` until headers say otherwise.
    pub fn new(limit: u32, window: Duration) -> Self {
        let window_secs = window.as_secs_f64();
        RateLimiter {
            state: Mutex::new(Window {
                limit,
                remaining: limit.min(BEFORE_FIRST_HEADER),
                reset_at: now_secs() + window_secs,
                from_headers: false,
                window_secs,
            }),
        }
    }

    /// The limiter shared by every client of one client ID at one API base URL, so two
    /// accounts signed in with the same app draw on one budget.
    pub fn shared(api_base: &str, client_id: &str, limit: u32) -> Arc<RateLimiter> {
        /// Limiters by (API base, client ID).
        type Registry = Mutex<HashMap<(String, String), Arc<RateLimiter>>>;
        static REGISTRY: OnceLock<Registry> = OnceLock::new();
        let registry = REGISTRY.get_or_init(Default::default);
        let mut map = registry.lock().unwrap_or_else(|e| e.into_inner());
        map.entry((api_base.to_owned(), client_id.to_owned()))
            .or_insert_with(|| Arc::new(RateLimiter::new(limit, Duration::from_secs(60))))
            .clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Window> {
        // The window is plain numbers; a panic elsewhere cannot leave it inconsistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes one request from the budget, waiting for the window to reset when none is
    /// left. Returns how long it waited.
    pub async fn acquire(&self) -> Duration {
        let mut waited = Duration::ZERO;
        loop {
            let wait = {
                let mut w = self.lock();
                let now = now_secs();
                if now >= w.reset_at {
                    // A new window: the budget is whole again until a header says otherwise.
                    w.remaining = w.limit;
                    w.reset_at = now + w.window_secs;
                }
                if w.remaining > 0 {
                    w.remaining -= 1;
                    return waited;
                }
                Duration::from_secs_f64((w.reset_at - now).clamp(0.05, MAX_WAIT.as_secs_f64()))
            };
            tracing::debug!(?wait, "rate limit budget used up; waiting for the reset");
            tokio::time::sleep(wait).await;
            waited += wait;
        }
    }

    /// Reads the rate-limit headers of an answer (names in any case).
    pub fn observe(&self, headers: &HeaderMap) {
        // Only finite, non-negative numbers count: a NaN or an infinity must never reach a
        // sleep, and a limit of 0 would stall every call forever.
        let read = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v >= 0.0)
        };
        let limit = read("x-ratelimit-limit").filter(|l| *l >= 1.0);
        let remaining = read("x-ratelimit-remaining");
        let reset = read("x-ratelimit-reset").map(normalise_reset);
        if limit.is_none() && remaining.is_none() && reset.is_none() {
            return;
        }
        let mut w = self.lock();
        if let Some(limit) = limit {
            w.limit = limit.max(0.0) as u32;
        }
        let new_window = reset.is_some_and(|r| (r - w.reset_at).abs() >= 1.0);
        if let Some(reset) = reset {
            w.reset_at = reset;
        }
        if let Some(remaining) = remaining {
            let remaining = remaining.max(0.0) as u32;
            // In the same window, requests still in flight were counted here but maybe not
            // yet by the platform: keep the smaller count so a burst cannot overshoot.
            w.remaining = if new_window || !w.from_headers {
                remaining
            } else {
                remaining.min(w.remaining)
            };
        }
        w.from_headers = true;
    }

    /// Marks the budget as used up until `reset_at` (epoch seconds), after the platform
    /// said so with its rate-limit error.
    pub fn exhausted_until(&self, reset_at: Option<f64>) {
        let reset_at = reset_at
            .filter(|r| r.is_finite() && *r >= 0.0)
            .map(normalise_reset);
        let mut w = self.lock();
        let now = now_secs();
        w.remaining = 0;
        w.reset_at = match reset_at {
            Some(r) if r > now => r.min(now + MAX_WAIT.as_secs_f64()),
            _ if w.reset_at > now => w.reset_at,
            _ => now + w.window_secs,
        };
    }

    /// Seconds until the window resets.
    pub fn secs_to_reset(&self) -> f64 {
        (self.lock().reset_at - now_secs()).max(0.0)
    }

    /// What is left of the budget, for the status bar.
    pub fn budget(&self) -> RateBudget {
        let w = *self.lock();
        RateBudget {
            limit: w.limit,
            remaining: w.remaining,
            resets_at: time::OffsetDateTime::from_unix_timestamp(w.reset_at as i64).ok(),
        }
    }
}

/// A reset header is epoch seconds on Trovo; a small number is read as seconds from now
/// (what some gateways send), a huge one as milliseconds. Whatever it says, the reset is
/// never more than one window away.
fn normalise_reset(v: f64) -> f64 {
    let now = now_secs();
    let at = if v < 1_000_000_000.0 {
        now + v
    } else if v > 100_000_000_000.0 {
        v / 1000.0
    } else {
        v
    };
    at.min(now + MAX_WAIT.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, String)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                HeaderName::from_bytes(k.as_bytes()).expect("valid name"),
                HeaderValue::from_str(v).expect("valid value"),
            );
        }
        h
    }

    #[tokio::test]
    async fn counts_down_without_waiting_while_budget_remains() {
        let l = RateLimiter::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert_eq!(l.acquire().await, Duration::ZERO);
        }
        assert_eq!(l.budget().remaining, 0);
    }

    #[tokio::test]
    async fn waits_for_the_reset_when_headers_say_nothing_is_left() {
        let l = RateLimiter::new(1200, Duration::from_secs(60));
        let reset = (now_secs() + 1.0).ceil();
        l.observe(&headers(&[
            ("X-RateLimit-Limit", "1200".into()),
            ("X-RATELIMIT-REMAINING", "0".into()),
            ("x-ratelimit-reset", format!("{reset}")),
        ]));
        assert_eq!(l.budget().remaining, 0);
        let waited = l.acquire().await;
        assert!(waited > Duration::ZERO, "must wait for the reset");
        assert!(waited <= Duration::from_secs(3));
    }

    #[test]
    fn keeps_the_smaller_count_within_one_window() {
        let l = RateLimiter::new(1200, Duration::from_secs(60));
        let reset = format!("{}", (now_secs() + 30.0).floor());
        l.observe(&headers(&[
            ("x-ratelimit-remaining", "10".into()),
            ("x-ratelimit-reset", reset.clone()),
        ]));
        l.observe(&headers(&[
            ("x-ratelimit-remaining", "50".into()),
            ("x-ratelimit-reset", reset),
        ]));
        assert_eq!(l.budget().remaining, 10);
    }

    #[tokio::test]
    async fn nonsense_headers_neither_panic_nor_stall() {
        let l = RateLimiter::new(1200, Duration::from_secs(60));
        for (k, v) in [
            ("x-ratelimit-reset", "NaN"),
            ("x-ratelimit-reset", "inf"),
            ("x-ratelimit-reset", "99999999999999999"),
            ("x-ratelimit-limit", "0"),
            ("x-ratelimit-remaining", "-5"),
        ] {
            l.observe(&headers(&[(k, v.to_owned())]));
        }
        assert!(l.secs_to_reset() <= 60.5);
        assert!(l.budget().limit >= 1);
        let waited = tokio::time::timeout(Duration::from_secs(2), l.acquire()).await;
        assert!(waited.is_ok(), "a call still goes out");
    }

    #[test]
    fn the_first_burst_stays_small_until_a_header_arrives() {
        let l = RateLimiter::new(1200, Duration::from_secs(60));
        assert_eq!(l.budget().remaining, BEFORE_FIRST_HEADER);
    }

    #[test]
    fn exhaustion_is_capped_at_a_minute() {
        let l = RateLimiter::new(10, Duration::from_secs(60));
        l.exhausted_until(Some(now_secs() + 3600.0));
        assert!(l.secs_to_reset() <= 60.5);
        assert_eq!(l.budget().remaining, 0);
    }
}
