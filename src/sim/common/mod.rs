//! What every simulator shares, so none imports another's internals: the listener with its
//! hang-up switch, the gateway (request counting, the rate window, fault injection), the
//! fault enum and queue, the clock, the name generators, the pictures, the category
//! catalogue and the viewer-churn ticker. Each simulator keeps its own dialect (routes,
//! wire shapes, error bodies, rate-limit headers) and plugs it in through small traits.

pub(crate) mod categories;
pub(crate) mod churn;
pub(crate) mod clock;
mod faults;
pub(crate) mod gateway;
pub(crate) mod listener;
pub(crate) mod names;
pub(crate) mod pictures;

use std::sync::{Mutex, MutexGuard};

pub(crate) use faults::FaultBook;
pub use faults::{ErrorAnswer, Fault, FaultRule};
pub(crate) use listener::Hangup;

/// An access and refresh token pair a simulator issued.
#[derive(Clone, Debug)]
pub struct SimTokens {
    /// What the platform's API takes in `Authorization`, after its scheme.
    pub access_token: String,
    /// For the platform's refresh grant (single use where the platform says so).
    pub refresh_token: String,
}

/// The two accounts a simulator can issue tokens for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimUser {
    /// The streamer: owns the live channel the demo shows.
    Streamer,
    /// An ordinary account, not a moderator of the streamer, with its own offline channel.
    Viewer,
}

/// Locks a mutex, recovering the data if a previous holder panicked (the simulated world
/// stays usable after a handler's panic).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
