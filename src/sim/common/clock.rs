//! The wall clock as the platforms' wire formats count it (epoch seconds and milliseconds),
//! so every simulator's windows, tokens and timestamps agree.

use std::time::{SystemTime, UNIX_EPOCH};

/// Epoch seconds now.
pub(crate) fn now_secs() -> i64 {
    now_ms() / 1_000
}

/// Epoch milliseconds now.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
