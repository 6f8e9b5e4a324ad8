//! Fault injection: the ways Twitch's edge misbehaves, on demand.
//!
//! A test (or the demo's "chaos" switch) queues [`FaultRule`]s; the gateway of each server
//! asks [`FaultBook::take`] before a request is handled and, when a rule matches, answers
//! with the fault instead of (or, for [`Fault::Slow`], before) the normal answer.

use std::time::Duration;

/// One way the simulated Twitch can misbehave.
#[derive(Clone, Debug)]
pub enum Fault {
    /// 429 `{"error":"Too Many Requests",...}` with `Ratelimit-Remaining: 0` and a
    /// `Ratelimit-Reset` `reset_in_secs` ahead: the bucket is empty.
    RateLimited {
        /// Seconds from now until the advertised `Ratelimit-Reset`.
        reset_in_secs: u64,
    },
    /// 401 "Invalid OAuth token" with `WWW-Authenticate` (on the id side, `validate`'s
    /// "invalid access token"), as for a token that expired. Only matches requests that carry
    /// an `Authorization` header; others pass and leave the rule queued.
    ExpiredToken,
    /// 502 with an HTML gateway page (`text/html`), not JSON.
    ServerErrorHtml,
    /// Wait this long, then answer normally.
    Slow(Duration),
    /// Close the connection without a byte of answer.
    DropConnection,
    /// A Helix-shaped error `{"error": reason, "status": http, "message": message}`.
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
