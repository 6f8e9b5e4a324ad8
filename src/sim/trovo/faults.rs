//! Fault injection, in Trovo's words: the shared [`Fault`](crate::sim::common::Fault) with
//! Trovo's error body for `Status`. How each fault reads on the wire is in `server.rs`.

/// An arbitrary Trovo error body `{status: code, error, message}` with this HTTP status, for
/// [`Fault::Status`].
#[derive(Clone, Debug)]
pub struct ErrorAnswer {
    /// HTTP status code of the answer.
    pub http: u16,
    /// Trovo's `status` field.
    pub code: i64,
    /// Trovo's `message` field.
    pub message: String,
}

/// One way the simulated Trovo gateway can misbehave, so clients can be tested against it.
pub type Fault = crate::sim::common::Fault<ErrorAnswer>;

/// A queued fault of this simulator; see [`crate::sim::common::FaultRule`].
pub type FaultRule = crate::sim::common::FaultRule<ErrorAnswer>;
