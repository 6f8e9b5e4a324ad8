//! Fault injection, in Twitch's words: the shared [`Fault`](crate::sim::common::Fault) with
//! Helix's error body for `Status` (`{"error": reason, "status": http, "message": message}`).
//! How each fault reads on the wire, on the Helix and the id side, is in `server.rs`.

pub use crate::sim::common::ErrorAnswer;

/// One way the simulated Twitch can misbehave.
pub type Fault = crate::sim::common::Fault<ErrorAnswer>;

/// A queued fault of this simulator; see [`crate::sim::common::FaultRule`].
pub type FaultRule = crate::sim::common::FaultRule<ErrorAnswer>;
