//! The queue of injected faults every simulator shares: which requests a rule hits (its path
//! fragment, or else the platform's API routes), how many times, and the one rule about
//! tokens (an expired-token fault only hits requests that carry one). Each simulator defines
//! its own `Fault` (the platform's error shapes) and names `FaultRule<Fault>` `FaultRule`.

/// What the queue needs to know of a platform's fault.
pub trait SimFault: Clone {
    /// An expired-token fault: it only hits requests that carry an `Authorization` header,
    /// and leaves the rule queued for one that does.
    fn needs_token(&self) -> bool;
}

/// A queued fault: what to do, to which requests, and how many times.
#[derive(Clone, Debug)]
pub struct FaultRule<F> {
    fault: F,
    path: Option<String>,
    times: u32,
}

impl<F: SimFault> FaultRule<F> {
    /// A rule that applies `fault` to the next request to the platform's API, once.
    pub fn new(fault: F) -> Self {
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
pub(crate) struct FaultBook<F> {
    rules: Vec<FaultRule<F>>,
}

impl<F> Default for FaultBook<F> {
    fn default() -> Self {
        FaultBook { rules: Vec::new() }
    }
}

impl<F: SimFault> FaultBook<F> {
    pub(crate) fn push(&mut self, rule: FaultRule<F>) {
        if rule.times > 0 {
            self.rules.push(rule);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    /// The fault for this request, if a queued rule matches; spends one use of that rule.
    pub(crate) fn take(&mut self, path: &str, is_api: bool, has_token: bool) -> Option<F> {
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

    #[derive(Clone, Debug, PartialEq)]
    enum F {
        Expired,
        Boom,
    }

    impl SimFault for F {
        fn needs_token(&self) -> bool {
            *self == F::Expired
        }
    }

    #[test]
    fn rules_hit_in_order_by_path_and_token_and_run_out() {
        let mut book = FaultBook::default();
        book.push(FaultRule::new(F::Expired));
        book.push(FaultRule::new(F::Boom).on_path("/pics").times(2));
        assert_eq!(book.take("/api/x", true, false), None, "no token: not yet");
        assert_eq!(book.take("/api/x", true, true), Some(F::Expired));
        assert_eq!(book.take("/api/x", true, true), None, "spent");
        assert_eq!(book.take("/pics/a.png", false, false), Some(F::Boom));
        assert_eq!(book.take("/pics/b.png", false, false), Some(F::Boom));
        assert_eq!(book.take("/pics/c.png", false, false), None);
    }
}
