//! What can go wrong while signing in. Every message is one sentence a user can act on and
//! never carries a code or a token (nothing secret is ever put into a variant).

/// Why a sign-in did not produce a code or a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// Another program already listens on the redirect port, so the browser's answer would go
    /// to it instead of to Stagehand.
    #[error(
        "Port {port} is already in use by another program, so Stagehand cannot receive the sign-in; close that program or choose another port with --port or {env} (the platform must then list http://localhost:<new port>/ as a redirect URI).",
        env = super::loopback::PORT_ENV_VAR
    )]
    PortInUse {
        /// The port that was asked for.
        port: u16,
    },
    /// The system refuses to let Stagehand listen on the port (a privileged port, or one
    /// Windows reserves for itself).
    #[error(
        "The system does not allow Stagehand to listen on port {port}; choose another port with --port or {env} (the platform must then list http://localhost:<new port>/ as a redirect URI).",
        env = super::loopback::PORT_ENV_VAR
    )]
    PortNotAllowed {
        /// The port that was asked for.
        port: u16,
    },
    /// Nobody finished the sign-in in the browser within the time allowed.
    #[error("The sign-in timed out after {}; start it again.", duration_words(*secs))]
    TimedOut {
        /// The time allowed, in whole seconds.
        secs: u64,
    },
    /// The app stopped waiting (the user pressed Cancel, or the sign-in was replaced).
    #[error("The sign-in was cancelled.")]
    Cancelled,
    /// The user (or the platform) refused the access on the platform's page.
    #[error(
        "The sign-in was not approved on the platform's page ({reason}); start it again and approve the access to sign in."
    )]
    Denied {
        /// The platform's `error_description` (or `error`), cleaned of control characters
        /// and shortened; never a code or a token.
        reason: String,
    },
    /// The answer came from this sign-in (its state matched) but held neither a code nor a
    /// token nor an error.
    #[error(
        "The platform's answer held neither a sign-in code nor a token; start the sign-in again."
    )]
    Incomplete,
    /// The listener's socket failed.
    #[error("The sign-in listener failed ({0}); start the sign-in again.")]
    Io(String),
    /// An address the sign-in needs (authorize page, redirect URI) or one of its parts is not
    /// usable.
    #[error("The sign-in address could not be built: {0}; check the platform settings.")]
    BadUrl(String),
}

/// "5 minutes", "90 seconds", "1 minute", "less than a second".
fn duration_words(secs: u64) -> String {
    match secs {
        0 => "less than a second".to_owned(),
        1 => "1 second".to_owned(),
        60 => "1 minute".to_owned(),
        s if s % 60 == 0 => format!("{} minutes", s / 60),
        s => format!("{s} seconds"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_read_naturally() {
        assert_eq!(
            AuthError::TimedOut { secs: 300 }.to_string(),
            "The sign-in timed out after 5 minutes; start it again."
        );
        assert_eq!(
            AuthError::TimedOut { secs: 60 }.to_string(),
            "The sign-in timed out after 1 minute; start it again."
        );
        assert!(
            AuthError::TimedOut { secs: 90 }
                .to_string()
                .contains("90 seconds")
        );
        assert!(
            AuthError::TimedOut { secs: 0 }
                .to_string()
                .contains("less than a second")
        );
    }

    #[test]
    fn port_messages_name_the_port_and_the_way_out() {
        for e in [
            AuthError::PortInUse { port: 8919 },
            AuthError::PortNotAllowed { port: 8919 },
        ] {
            let m = e.to_string();
            assert!(m.contains("8919"), "{m}");
            assert!(m.contains("--port"), "{m}");
            assert!(m.contains("STAGEHAND_REDIRECT_PORT"), "{m}");
        }
    }
}
