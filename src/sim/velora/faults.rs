//! Fault injection: the ways Velora's edge misbehaves, on demand.
//!
//! A test (or the demo) queues [`FaultRule`]s; the gateway asks [`FaultBook::take`] before a
//! request is handled and, when a rule matches, answers with the fault instead of (or, for
//! [`Fault::Slow`], before) the normal answer.

use std::time::Duration;

/// One way the simulated Velora can misbehave.
#[derive(Clone, Debug)]
pub enum Fault {
    /// 429 `{"error":"rate_limited",..,"retry_after":n}` with `Retry-After: n`,
    /// `X-RateLimit-Remaining: 0` and `X-RateLimit-Reset` `n` seconds ahead.
    RateLimited {
        /// Seconds until the client may try again.
        retry_after_secs: u64,
    },
    /// 401 `{"error":"unauthorized","message":"Token expired"}`, as for an access token past
    /// its hour. Only matches requests that carry an `Authorization` header; others pass and
    /// leave the rule queued.
    ExpiredToken,
    /// 502 with an HTML gateway page (`text/html`), not JSON.
    ServerErrorHtml,
    /// Wait this long, then answer normally.
    Slow(Duration),
    /// Close the connection without a byte of answer.
    DropConnection,
    /// A Velora-shaped error `{"error": code, "message": message}` (the code follows the
    /// status: `bad_request`, `forbidden`, `not_found`, `internal_server_error`, ..).
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

/// A queued fault: what to do, to which requests, and how many times.
#[derive(Clone, Debug)]
pub struct FaultRule {
    fault: Fault,
    path: Option<String>,
    times: u32,
}

impl FaultRule {
    /// A rule that applies `fault` to the next API request (under `/api`), once.
    pub fn new(fault: Fault) -> Self {
        FaultRule {
            fault,
            path: None,
            times: 1,
        }
    }

    /// Restricts the rule to requests whose path contains `fragment`. With a fragment the
    /// rule also reaches the authorize page (`"/oauth/authorize"`) and the picture routes.
    pub fn on_path(mut self, fragment: &str) -> Self {
        self.path = Some(fragment.to_owned());
        self
    }

    /// Applies the rule to the next `n` matching requests instead of one.
    pub fn times(mut self, n: u32) -> Self {
        self.times = n;
        self
    }

    fn matches(&self, path: &str, is_api: bool, has_token: bool) -> bool {
        let path_ok = match &self.path {
            Some(fragment) => path.contains(fragment.as_str()),
            None => is_api,
        };
        let token_ok = !matches!(self.fault, Fault::ExpiredToken) || has_token;
        path_ok && token_ok && self.times > 0
    }
}

/// The queue of pending rules, oldest first.
#[derive(Default)]
pub(crate) struct FaultBook {
    rules: Vec<FaultRule>,
}

impl FaultBook {
    pub(crate) fn push(&mut self, rule: FaultRule) {
        if rule.times > 0 {
            self.rules.push(rule);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    /// The fault for this request, if a rule matches; spends one use of that rule.
    pub(crate) fn take(&mut self, path: &str, is_api: bool, has_token: bool) -> Option<Fault> {
        let index = self
            .rules
            .iter()
            .position(|rule| rule.matches(path, is_api, has_token))?;
        let rule = &mut self.rules[index];
        rule.times -= 1;
        let fault = rule.fault.clone();
        if rule.times == 0 {
            self.rules.remove(index);
        }
        Some(fault)
    }
}
