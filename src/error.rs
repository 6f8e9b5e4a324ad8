//! The one error type every platform client returns. Each variant's message is a sentence a
//! streamer can act on; the UI shows it as is and the headless commands print it as their
//! one line on stderr.

use crate::model::PlatformId;
use thiserror::Error;

/// How an error should be handled, whatever the platform's own code: the client retries on
/// some kinds, the UI words others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The platform's rate limit is used up; wait for its reset.
    RateLimited,
    /// The access token has expired; a refresh may fix it.
    TokenExpired,
    /// The sign-in is invalid, revoked or lacks a scope: sign in again.
    Auth,
    /// The signed-in account may not do this (not its channel, banned, ...).
    Permission,
    /// The request carried something the platform refuses (unknown category, bad value).
    InvalidInput,
    /// The thing asked for does not exist.
    NotFound,
    /// The platform refused a chat message (spam rule, slow mode, ...); never resend blindly.
    ChatRefused,
    /// The platform failed on its side; trying again later may work.
    Server,
    /// Anything else.
    Other,
}

/// An error from talking to a platform, worded for the user.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum PlatformError {
    /// The platform answered with an error code of its own.
    #[error("{platform}: {sentence}")]
    Api {
        platform: PlatformId,
        /// The platform's own status code (Trovo's section 11), 0 where it gives none.
        code: i64,
        kind: ErrorKind,
        sentence: String,
    },
    /// A gateway or proxy page instead of the API's JSON.
    #[error(
        "{platform} answered HTTP {status} with a page that is not its API's JSON; the service may be having trouble, try again in a minute"
    )]
    NotJson { platform: PlatformId, status: u16 },
    /// JSON that does not have the shape the API documents.
    #[error("{platform} answered in a shape Stagehand does not understand ({detail})")]
    BadShape {
        platform: PlatformId,
        detail: String,
    },
    /// An HTTP failure status with no error body to explain it.
    #[error("{platform} answered HTTP {status} without saying why; try again later")]
    Http { platform: PlatformId, status: u16 },
    /// No answer in time.
    #[error("{platform} did not answer within {secs} s; check your connection and try again")]
    Timeout { platform: PlatformId, secs: u64 },
    /// The connection could not be made or broke before an answer arrived.
    #[error("could not reach {platform} ({detail}); check your internet connection and try again")]
    Network {
        platform: PlatformId,
        detail: String,
    },
    /// The call needs a signed-in account and there is none.
    #[error(
        "not signed in to {platform}: sign in first (in the window's Settings → Accounts, or `stagehand {cli} login`)",
        cli = .platform.slug()
    )]
    NotSignedIn { platform: PlatformId },
    /// The platform has no such feature (Twitch has no audience, Trovo no tags or editors):
    /// refused before anything is sent, never silently dropped.
    #[error("{platform} has no {what}")]
    Unsupported {
        platform: PlatformId,
        /// What is missing, as a noun phrase ("audience setting", "channel editors").
        what: String,
    },
    /// The configuration cannot work (a refused base URL, a missing client ID, ...).
    #[error("{platform}: {message}")]
    Config {
        platform: PlatformId,
        message: String,
    },
}

impl PlatformError {
    /// The handling class, for retry decisions and for the UI's wording.
    pub fn kind(&self) -> ErrorKind {
        match self {
            PlatformError::Api { kind, .. } => *kind,
            PlatformError::NotJson { .. }
            | PlatformError::Http { .. }
            | PlatformError::Timeout { .. }
            | PlatformError::Network { .. } => ErrorKind::Server,
            PlatformError::NotSignedIn { .. } => ErrorKind::Auth,
            PlatformError::Unsupported { .. } => ErrorKind::InvalidInput,
            PlatformError::BadShape { .. } | PlatformError::Config { .. } => ErrorKind::Other,
        }
    }

    /// The platform's own status code, when it gave one.
    pub fn code(&self) -> Option<i64> {
        match self {
            PlatformError::Api { code, .. } => Some(*code),
            _ => None,
        }
    }
}
