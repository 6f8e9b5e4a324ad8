//! One call, described before it is sent so the retry loop can send it again.

use reqwest::Method;
use serde_json::Value;

/// Which token a call carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenUse {
    /// The signed-in user's token; refused before sending when none is held.
    User,
    /// A public endpoint: the user's token goes along when there is one.
    Optional,
    /// No token at all (Trovo's public calls, the token grants themselves).
    None,
}

/// Whether a call may be sent again after the platform refused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retry {
    /// A read, or a write whose repetition changes nothing (PATCH, PUT, DELETE).
    Idempotent,
    /// Chat lines, bans, commercials, token grants: reported, never sent twice.
    Never,
}

/// One API call under the platform's base URL.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub method: Method,
    /// Under the base, with or without a leading slash.
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    /// A JSON body, if any.
    pub body: Option<Value>,
    pub token: TokenUse,
    pub retry: Retry,
    /// Whether a refused or lapsing token may be refreshed for this call.
    pub refresh: bool,
}

impl Call {
    /// A GET with the user's token, retried when refused.
    pub fn get(path: impl Into<String>) -> Self {
        Call {
            method: Method::GET,
            path: path.into(),
            query: Vec::new(),
            body: None,
            token: TokenUse::User,
            retry: Retry::Idempotent,
            refresh: true,
        }
    }

    /// A call with a JSON body.
    pub fn with_body(method: Method, path: impl Into<String>, body: Value) -> Self {
        Call {
            method,
            body: Some(body),
            ..Call::get(path)
        }
    }

    /// A POST with a JSON body.
    pub fn post(path: impl Into<String>, body: Value) -> Self {
        Call::with_body(Method::POST, path, body)
    }

    /// A DELETE.
    pub fn delete(path: impl Into<String>) -> Self {
        Call {
            method: Method::DELETE,
            ..Call::get(path)
        }
    }

    /// Never sent again after a refusal (rate limit or refused token).
    pub fn once(mut self) -> Self {
        self.retry = Retry::Never;
        self
    }

    /// A public endpoint: sent with the user's token when one is held, without otherwise.
    pub fn public(mut self) -> Self {
        self.token = TokenUse::Optional;
        self
    }

    /// Sent without any token.
    pub fn anonymous(mut self) -> Self {
        self.token = TokenUse::None;
        self
    }

    /// Never refreshes the token for this call.
    pub fn no_refresh(mut self) -> Self {
        self.refresh = false;
        self
    }

    /// Adds a query parameter.
    pub fn query(mut self, key: &'static str, value: impl ToString) -> Self {
        self.query.push((key, value.to_string()));
        self
    }
}
