//! Fault injection: the ways a real gateway misbehaves, on demand.
//!
//! A test (or the demo's "chaos" switch) queues [`FaultRule`]s; the gateway middleware asks
//! [`FaultBook::take`] before each request is handled and, when a rule matches, answers with
//! the fault instead of (or, for [`Fault::Slow`], before) the normal answer.

use std::time::Duration;

/// One way the simulated Trovo gateway can misbehave, so clients can be tested against it.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer 11706 "API rate limit exceeded", with `x-ratelimit-remaining: 0` and a reset
    /// epoch `reset_in_secs` ahead, exactly as Trovo does when the window is spent.
    RateLimited {
        /// Seconds from now until the advertised `x-ratelimit-reset`.
        reset_in_secs: u64,
    },
    /// Answer 11714 "Access token has expired". Only matches a request that carries an
    /// `Authorization` header; requests without one pass by and leave the rule queued.
    ExpiredToken,
    /// Answer HTTP 502 with an HTML gateway page (`text/html`), not a JSON body.
    ServerErrorHtml,
    /// Wait this long, then answer normally.
    Slow(Duration),
    /// Hang up: the connection is closed without a single byte of HTTP answer (a true drop,
    /// done by failing the connection's socket writes; see `server.rs`).
    DropConnection,
    /// Answer an arbitrary Trovo error body `{status: code, error, message}` with this HTTP
    /// status.
    Status {
        /// HTTP status code of the answer.
        http: u16,
        /// Trovo's `status` field.
        code: i64,
        /// Trovo's `message` field.
        message: String,
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
    /// A rule that applies `fault` to the next API request (under `/openplatform`), once.
    pub fn new(fault: Fault) -> Self {
        FaultRule {
            fault,
            path: None,
            times: 1,
        }
    }

    /// Restricts the rule to requests whose path contains `fragment`. With a fragment the
    /// rule can also hit the simulator's non-API routes (e.g. `"/sim/icons"`).
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

/// The queue of pending fault rules, oldest first.
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

    /// The fault for this request, if a queued rule matches; consumes one use of that rule.
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
