//! The OAuth pieces every browser sign-in needs before the browser opens: a fresh
//! anti-forgery `state` and the `response_type` to ask for. Each platform builds its own
//! authorize address from them, in its own module.

use rand::{Rng, distr::Alphanumeric};

/// Length of [`random_state`]: 43 alphanumeric characters carry about 256 bits, as many as
/// the 32 random bytes RFC 7636 suggests for a verifier.
pub const STATE_LEN: usize = 43;

/// A fresh random `state` for one sign-in: the platform echoes it back and the loopback
/// listener accepts only an answer carrying it, so no other page can feed Stagehand a code
/// or token of its choosing (CSRF, RFC 6749 §10.12). URL-safe, [`STATE_LEN`] characters,
/// from the operating system-seeded CSPRNG.
pub fn random_state() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(STATE_LEN)
        .map(char::from)
        .collect()
}

/// What the authorize page should send back to the redirect URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseType {
    /// Authorization-code flow: `?code=..` in the query, exchanged with the client secret.
    Code,
    /// Implicit flow: `#access_token=..` in the fragment, no secret needed.
    Token,
}

impl ResponseType {
    /// The `response_type` value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseType::Code => "code",
            ResponseType::Token => "token",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_long_url_safe_and_fresh() {
        let (a, b) = (random_state(), random_state());
        assert_eq!(a.len(), STATE_LEN);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
