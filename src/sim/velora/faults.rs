//! Fault injection: the ways Velora's edge misbehaves, on demand.
//!
//! A test (or the demo) queues [`FaultRule`]s; the gateway asks [`FaultBook::take`] before a
//! request is handled and, when a rule matches, answers with the fault instead of (or, for
//! [`Fault::Slow`], before) the normal answer.

use std::time::Duration;

/// One way the simulated Velora can misbehave.
#[derive(Clone, Debug)]
pub enum Fault {
    /// 429 `{"error":"rate_limited",..,"retry_after":n}` with `Retry-After: n`,
    /// `X-RateLimit-Remaining: 0` and `X-RateLimit-Reset` `n` seconds ahead.
    RateLimited {
        /// Seconds until the client may try again.
        retry_after_secs: u64,
    },
    /// 401 `{"error":"unauthorized","message":"Token expired"}`, as for an access token past
    /// its hour. Only matches requests that carry an `Authorization` header; others pass and
    /// leave the rule queued.
    ExpiredToken,
    /// 502 with an HTML gateway page (`text/html`), not JSON.
    ServerErrorHtml,
    /// Wait this long, then answer normally.
    Slow(Duration),
    /// Close the connection without a byte of answer.
    DropConnection,
    /// A Velora-shaped error `{"error": code, "message": message}` (the code follows the
    /// status: `bad_request`, `forbidden`, `not_found`, `internal_server_error`, ..).
    Status {
        /// HTTP status of the answer.
        http: u16,
        /// The `message` field.
        message: String,
    },
    /// Any status, content type and body, verbatim.
    Raw {
        /// HTTP status of the answer.
        http: u16,
        /// `Content-Type` of the answer.
        content_type: String,
        /// The body.
        body: String,
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
