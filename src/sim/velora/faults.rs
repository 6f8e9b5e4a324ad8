//! Fault injection, in Velora's words: the shared [`Fault`](crate::sim::common::Fault) with
//! Velora's error body for `Status` (`{"error": code, "message": message}`, the code
//! following the status: `bad_request`, `forbidden`, `not_found`, `internal_server_error`,
//! ..). How each fault reads on the wire is in `server.rs`.

pub use crate::sim::common::ErrorAnswer;

/// One way the simulated Velora can misbehave.
pub type Fault = crate::sim::common::Fault<ErrorAnswer>;

/// A queued fault of this simulator; see [`crate::sim::common::FaultRule`].
pub type FaultRule = crate::sim::common::FaultRule<ErrorAnswer>;
