//! A wrapper that keeps tokens, client secrets and stream keys out of logs and error
//! messages: its `Debug` and `Display` never show the value, so a stray `{:?}` cannot leak.

use std::fmt;

/// A secret string. Read it only with `expose`, at the one place that sends it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value that must never be printed.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The raw value, for the header or body that must carry it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True for an empty value (an unset environment variable, say).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Read straight from an answer into a `Secret`, so a token never sits in a plain `String`
/// that a `{:?}` could print. A number is taken as its digits; null is refused by the
/// `Option` around it.
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::platform::lenient::string(d).map(Secret)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_value() {
        let s = Secret::new("abc123token");
        assert!(!format!("{s:?} {s}").contains("abc123"));
        assert_eq!(s.expose(), "abc123token");
    }
}
