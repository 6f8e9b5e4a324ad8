//! Fault injection: the ways a real gateway misbehaves, on demand.
//!
//! A test (or the demo's "chaos" switch) queues [`FaultRule`]s; the gateway middleware asks
//! [`FaultBook::take`] before each request is handled and, when a rule matches, answers with
//! the fault instead of (or, for [`Fault::Slow`], before) the normal answer.

use std::time::Duration;

/// One way the simulated Trovo gateway can misbehave, so clients can be tested against it.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer 11706 "API rate limit exceeded", with `x-ratelimit-remaining: 0` and a reset
    /// epoch `reset_in_secs` ahead, exactly as Trovo does when the window is spent.
    RateLimited {
        /// Seconds from now until the advertised `x-ratelimit-reset`.
        reset_in_secs: u64,
    },
    /// Answer 11714 "Access token has expired". Only matches a request that carries an
    /// `Authorization` header; requests without one pass by and leave the rule queued.
    ExpiredToken,
    /// Answer HTTP 502 with an HTML gateway page (`text/html`), not a JSON body.
    ServerErrorHtml,
    /// Wait this long, then answer normally.
    Slow(Duration),
    /// Hang up: the connection is closed without a single byte of HTTP answer (a true drop,
    /// done by failing the connection's socket writes; see `server.rs`).
    DropConnection,
    /// Answer an arbitrary Trovo error body `{status: code, error, message}` with this HTTP
    /// status.
    Status {
        /// HTTP status code of the answer.
        http: u16,
        /// Trovo's `status` field.
        code: i64,
        /// Trovo's `message` field.
        message: String,
    },
}

/// A queued fault of this simulator; see [`crate::sim::fault_queue`].
pub type FaultRule = crate::sim::fault_queue::FaultRule<Fault>;

/// The simulator's queue of pending faults.
pub(crate) type FaultBook = crate::sim::fault_queue::FaultBook<Fault>;

impl crate::sim::fault_queue::SimFault for Fault {
    fn needs_token(&self) -> bool {
        matches!(self, Fault::ExpiredToken)
    }
}
