//! Fault injection every simulator shares: the ways a platform's edge misbehaves (one enum,
//! with the platform's own error body as a parameter), and the queue of injected faults:
//! which requests a rule hits (its path fragment, or else the platform's API routes), how
//! many times, and the one rule about tokens (an expired-token fault only hits requests
//! that carry one).
//!
//! A test (or the demo's "chaos" switch) queues [`FaultRule`]s; the gateway asks
//! [`FaultBook::take`] before a request is handled and, when a rule matches, answers with
//! the fault instead of (or, for [`Fault::Slow`], before) the normal answer. How each fault
//! reads on the wire is the platform's dialect (see [`super::gateway::Dialect`]).

use std::time::Duration;

/// One way a simulated platform can misbehave, so clients can be tested against it. `S` is
/// the platform's own error answer, for [`Fault::Status`]; each simulator names
/// `Fault<ItsAnswer>` `Fault`.
#[derive(Clone, Debug)]
pub enum Fault<S> {
    /// The platform's rate-limit answer, with its remaining-requests header at 0 and its
    /// reset header `reset_in_secs` ahead, as when the window is spent (Trovo: 11706 with
    /// HTTP 500; Twitch: 429 with `Ratelimit-*`; Velora: 429 with `Retry-After` too).
    RateLimited {
        /// Seconds from now until the advertised reset (and Velora's `Retry-After`).
        reset_in_secs: u64,
    },
    /// The platform's expired-token answer. Only matches a request that carries an
    /// `Authorization` header; requests without one pass by and leave the rule queued.
    ExpiredToken,
    /// HTTP 502 with the HTML page of the platform's edge proxy (`text/html`), not JSON.
    ServerErrorHtml,
    /// Wait this long, then answer normally.
    Slow(Duration),
    /// Hang up: the connection is closed without a single byte of HTTP answer (a true drop,
    /// done by failing the connection's socket writes; see `listener.rs`).
    DropConnection,
    /// An error in the platform's own body shape, with the HTTP status the answer names.
    Status(S),
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

/// The error answer of a platform whose body is an HTTP status and a message (Twitch's
/// `{error, status, message}`, Velora's `{error, message}`: both derive the rest from the
/// status), for [`Fault::Status`].
#[derive(Clone, Debug)]
pub struct ErrorAnswer {
    /// HTTP status of the answer.
    pub http: u16,
    /// The `message` field.
    pub message: String,
}

impl<S> Fault<S> {
    /// An expired-token fault only hits requests that carry an `Authorization` header.
    fn needs_token(&self) -> bool {
        matches!(self, Fault::ExpiredToken)
    }
}

/// A queued fault: what to do, to which requests, and how many times.
#[derive(Clone, Debug)]
pub struct FaultRule<S> {
    fault: Fault<S>,
    path: Option<String>,
    times: u32,
}

impl<S: Clone> FaultRule<S> {
    /// A rule that applies `fault` to the next request to the platform's API, once.
    pub fn new(fault: Fault<S>) -> Self {
        FaultRule {
            fault,
            path: None,
            times: 1,
        }
    }

    /// Restricts the rule to requests whose path contains `fragment`. With a fragment the
    /// rule can also hit the simulator's other routes (sign-in pages, pictures).
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
        let token_ok = !self.fault.needs_token() || has_token;
        path_ok && token_ok && self.times > 0
    }
}

/// The queue of pending rules, oldest first.
pub(crate) struct FaultBook<S> {
    rules: Vec<FaultRule<S>>,
}

impl<S> Default for FaultBook<S> {
    fn default() -> Self {
        FaultBook { rules: Vec::new() }
    }
}

impl<S: Clone> FaultBook<S> {
    /// Queues a rule (one that may hit no request at all is dropped).
    pub(crate) fn push(&mut self, rule: FaultRule<S>) {
        if rule.times > 0 {
            self.rules.push(rule);
        }
    }

    /// Forgets every pending rule.
    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    /// The fault for this request, if a queued rule matches; spends one use of that rule.
    pub(crate) fn take(&mut self, path: &str, is_api: bool, has_token: bool) -> Option<Fault<S>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_hit_in_order_by_path_and_token_and_run_out() {
        let mut book = FaultBook::<()>::default();
        book.push(FaultRule::new(Fault::ExpiredToken));
        book.push(FaultRule::new(Fault::Status(())).on_path("/pics").times(2));
        let kind = |f: Option<Fault<()>>| f.map(|f| format!("{f:?}"));
        assert_eq!(
            kind(book.take("/api/x", true, false)),
            None,
            "no token: not yet"
        );
        assert_eq!(
            kind(book.take("/api/x", true, true)).as_deref(),
            Some("ExpiredToken")
        );
        assert_eq!(kind(book.take("/api/x", true, true)), None, "spent");
        assert_eq!(
            kind(book.take("/pics/a.png", false, false)).as_deref(),
            Some("Status(())")
        );
        assert_eq!(
            kind(book.take("/pics/b.png", false, false)).as_deref(),
            Some("Status(())")
        );
        assert_eq!(kind(book.take("/pics/c.png", false, false)), None);
    }
}
