//! The token machinery the three platform clients share: the pair held now, its expiry,
//! the gate that lets calls refused together share one refresh, the flag set once the
//! platform refused the refresh token, and who to tell about a refreshed pair. What differs
//! per platform (the token endpoint, the request, how the answer is read, which refusals
//! kill the refresh token) stays in each client and reaches the holder as a future.

use crate::error::PlatformError;
use crate::model::PlatformId;
use crate::platform::locks::{read, write};
use crate::secret::Secret;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use time::OffsetDateTime;

/// The access and refresh tokens a client currently holds.
#[derive(Clone, Debug, Default)]
pub struct TokenPair {
    pub access: Option<Secret>,
    pub refresh: Option<Secret>,
    /// When the access token lapses, where known.
    pub expires_at: Option<OffsetDateTime>,
}

impl TokenPair {
    /// The pair a token answer grants: the new refresh token when there is one (the old one
    /// may be dead already: single-use refresh tokens), else `old_refresh`; the expiry from
    /// `expires_in` seconds (none when it is missing or zero). An answer without an access
    /// token is a shape error.
    pub(crate) fn from_answer(
        platform: PlatformId,
        answer: impl TokenAnswer,
        old_refresh: Option<Secret>,
    ) -> Result<TokenPair, PlatformError> {
        let (access, refresh, expires_in) = answer.into_parts();
        let access = access
            .filter(|t| !t.is_empty())
            .ok_or_else(|| PlatformError::BadShape {
                platform,
                detail: "the token answer has no access_token".into(),
            })?;
        Ok(TokenPair {
            access: Some(access),
            refresh: refresh.filter(|t| !t.is_empty()).or(old_refresh),
            expires_at: expires_in.filter(|&s| s > 0).and_then(|secs| {
                OffsetDateTime::now_utc().checked_add(time::Duration::seconds(secs as i64))
            }),
        })
    }
}

/// A token endpoint's answer, whatever its platform's wire shape: the access token, the
/// refresh token and `expires_in` seconds.
pub(crate) trait TokenAnswer {
    fn into_parts(self) -> (Option<Secret>, Option<Secret>, Option<u64>);
}

/// Implements [`TokenAnswer`] for a wire type with `access_token`, `refresh_token` and
/// `expires_in` fields.
macro_rules! token_answer {
    ($answer:ty) => {
        impl $crate::platform::tokens::TokenAnswer for $answer {
            fn into_parts(
                self,
            ) -> (
                Option<$crate::secret::Secret>,
                Option<$crate::secret::Secret>,
                Option<u64>,
            ) {
                (self.access_token, self.refresh_token, self.expires_in)
            }
        }
    };
}
pub(crate) use token_answer;

/// Called with the new pair after every successful refresh, so whoever stores tokens (the
/// keyring, from the sign-in issue on) keeps the newest refresh token.
pub type TokenListener = Arc<dyn Fn(&TokenPair) + Send + Sync>;

/// One account's tokens as a client holds them, shared by its clones. Every method is
/// cheap and never logs a token.
pub(crate) struct TokenHolder {
    /// Named in the "not signed in" errors.
    platform: PlatformId,
    pair: RwLock<TokenPair>,
    /// One refresh at a time; calls refused together share its result.
    gate: tokio::sync::Mutex<()>,
    /// Set when the platform refused the refresh token: no call tries it again (a
    /// single-use token that failed once fails for ever) until the client revives it.
    dead: AtomicBool,
    /// Told about every refreshed pair; registering another replaces it.
    listener: RwLock<Option<TokenListener>>,
}

impl TokenHolder {
    /// Holds `access` and `refresh` (from the configuration) with no known expiry, so a
    /// client starts with whatever tokens it was given.
    pub(crate) fn new(
        platform: PlatformId,
        access: Option<Secret>,
        refresh: Option<Secret>,
    ) -> Self {
        TokenHolder {
            platform,
            pair: RwLock::new(TokenPair {
                access,
                refresh,
                expires_at: None,
            }),
            gate: tokio::sync::Mutex::new(()),
            dead: AtomicBool::new(false),
            listener: RwLock::new(None),
        }
    }

    /// Registers who to tell about refreshed pairs, so the keyring keeps the newest.
    pub(crate) fn set_listener(&self, listener: TokenListener) {
        *write(&self.listener) = Some(listener);
    }

    /// A copy of the pair held now, for callers that show or store it.
    pub(crate) fn pair(&self) -> TokenPair {
        read(&self.pair).clone()
    }

    /// Replaces the pair without telling the listener (a sign-in or sign-out, whose caller
    /// stores the tokens itself). Leaves the dead flag alone: the client decides.
    pub(crate) fn replace(&self, pair: TokenPair) {
        *write(&self.pair) = pair;
    }

    /// Keeps a refreshed pair and tells the listener, so the newest refresh token (which
    /// may be single-use) is stored before anything else can use it.
    pub(crate) fn store_refreshed(&self, pair: &TokenPair) {
        *write(&self.pair) = pair.clone();
        self.notify(pair);
    }

    /// Tells the listener about `pair`, for a client that stored the pair itself.
    pub(crate) fn notify(&self, pair: &TokenPair) {
        let listener = read(&self.listener).clone();
        if let Some(listener) = listener {
            listener(pair);
        }
    }

    /// The access token held now, if any (public calls go without one).
    pub(crate) fn access(&self) -> Option<Secret> {
        read(&self.pair).access.clone()
    }

    /// The access token, or "not signed in" when none is held, for calls that need one.
    pub(crate) fn access_token(&self) -> Result<Secret, PlatformError> {
        self.access().ok_or(PlatformError::NotSignedIn {
            platform: self.platform,
        })
    }

    /// The refresh token, or "not signed in" when none is held, for the refresh call.
    pub(crate) fn refresh_token(&self) -> Result<Secret, PlatformError> {
        read(&self.pair)
            .refresh
            .clone()
            .ok_or(PlatformError::NotSignedIn {
                platform: self.platform,
            })
    }

    /// Whether an access token is held at all.
    pub(crate) fn has_access(&self) -> bool {
        read(&self.pair).access.is_some()
    }

    /// Whether the access token lapses within the next two minutes, so a call refreshes
    /// first rather than be refused.
    pub(crate) fn expires_soon(&self) -> bool {
        read(&self.pair)
            .expires_at
            .is_some_and(|at| at - OffsetDateTime::now_utc() < time::Duration::minutes(2))
    }

    /// Records when the access token lapses, as a validation reports it; an unknown expiry
    /// keeps the one held.
    pub(crate) fn note_expiry(&self, expires_at: Option<OffsetDateTime>) {
        if expires_at.is_some() {
            write(&self.pair).expires_at = expires_at;
        }
    }

    /// Whether a refresh may be tried: a refresh token is held and the platform has not
    /// refused it. A client adds its own conditions (e.g. a client secret).
    pub(crate) fn can_refresh(&self) -> bool {
        read(&self.pair).refresh.is_some() && !self.is_dead()
    }

    /// Whether the platform refused the refresh token, so a refused call says "sign in
    /// again" instead of trying it.
    pub(crate) fn is_dead(&self) -> bool {
        self.dead.load(Ordering::SeqCst)
    }

    /// Records that the platform refused the refresh token: no call tries it again.
    pub(crate) fn mark_dead(&self) {
        self.dead.store(true, Ordering::SeqCst);
    }

    /// Records that the tokens are new, so their refresh token may be tried again.
    pub(crate) fn mark_alive(&self) {
        self.dead.store(false, Ordering::SeqCst);
    }

    /// Refreshes once for every call refused together: takes the gate and, if the access
    /// token is still `seen` (the one the caller was refused with, or saw lapsing), runs
    /// `refresh` (the platform's refresh call) and answers its result. `None` when another
    /// call refreshed while this one waited: the token held now is the one to use.
    pub(crate) async fn refresh_once<F, Fut>(
        &self,
        seen: Option<&Secret>,
        refresh: F,
    ) -> Option<Result<TokenPair, PlatformError>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<TokenPair, PlatformError>>,
    {
        let _gate = self.gate.lock().await;
        if self.access().as_ref() != seen {
            return None;
        }
        Some(refresh().await)
    }

    /// Refreshes a token about to lapse, sharing the refresh with every call that saw it
    /// lapsing; `None` when another call already did.
    pub(crate) async fn refresh_before_lapse<F, Fut>(
        &self,
        refresh: F,
    ) -> Option<Result<TokenPair, PlatformError>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<TokenPair, PlatformError>>,
    {
        let stale = self.access();
        self.refresh_once(stale.as_ref(), refresh).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn holder() -> TokenHolder {
        TokenHolder::new(
            PlatformId::Velora,
            Some(Secret::new("a1")),
            Some(Secret::new("r1")),
        )
    }

    fn pair(access: &str, refresh: &str) -> TokenPair {
        TokenPair {
            access: Some(Secret::new(access)),
            refresh: Some(Secret::new(refresh)),
            expires_at: None,
        }
    }

    #[tokio::test]
    async fn calls_refused_together_share_one_refresh() {
        let h = holder();
        let runs = AtomicUsize::new(0);
        let refresh = || async {
            runs.fetch_add(1, Ordering::SeqCst);
            let p = pair("a2", "r2");
            h.store_refreshed(&p);
            Ok(p)
        };
        let seen = Secret::new("a1");
        assert!(matches!(
            h.refresh_once(Some(&seen), refresh).await,
            Some(Ok(_))
        ));
        // A second call refused with the old token reuses the new one.
        assert!(h.refresh_once(Some(&seen), refresh).await.is_none());
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(h.access().as_ref().map(Secret::expose), Some("a2"));
    }

    #[test]
    fn a_refreshed_pair_reaches_the_listener_and_a_replaced_one_does_not() {
        let h = holder();
        let told = Arc::new(AtomicUsize::new(0));
        let counter = told.clone();
        h.set_listener(Arc::new(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        }));
        h.replace(pair("a2", "r2"));
        assert_eq!(told.load(Ordering::SeqCst), 0);
        h.store_refreshed(&pair("a3", "r3"));
        assert_eq!(told.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_dead_refresh_token_is_not_tried_until_revived() {
        let h = holder();
        assert!(h.can_refresh());
        h.mark_dead();
        assert!(!h.can_refresh() && h.is_dead());
        h.mark_alive();
        assert!(h.can_refresh());
        h.replace(TokenPair::default());
        assert!(!h.can_refresh() && !h.has_access());
        assert!(matches!(
            h.access_token(),
            Err(PlatformError::NotSignedIn { .. })
        ));
    }

    #[test]
    fn expiry_is_noted_only_when_known_and_soon_means_two_minutes() {
        let h = holder();
        assert!(!h.expires_soon());
        h.note_expiry(Some(OffsetDateTime::now_utc() + time::Duration::minutes(1)));
        assert!(h.expires_soon());
        h.note_expiry(None);
        assert!(h.expires_soon(), "an unknown expiry keeps the one held");
        h.note_expiry(Some(
            OffsetDateTime::now_utc() + time::Duration::minutes(10),
        ));
        assert!(!h.expires_soon());
    }

    /// A token answer as its parts, standing in for each platform's wire type.
    struct Answer(Option<&'static str>, Option<&'static str>, Option<u64>);

    impl TokenAnswer for Answer {
        fn into_parts(self) -> (Option<Secret>, Option<Secret>, Option<u64>) {
            (self.0.map(Secret::new), self.1.map(Secret::new), self.2)
        }
    }

    #[test]
    fn a_token_answer_takes_the_new_refresh_token_or_keeps_the_old() {
        let old = || Some(Secret::new("old-r"));
        let pair = TokenPair::from_answer(
            PlatformId::Velora,
            Answer(Some("new-a"), Some("new-r"), Some(3600)),
            old(),
        )
        .expect("a pair");
        assert_eq!(pair.refresh.as_ref().map(Secret::expose), Some("new-r"));
        let left = pair.expires_at.expect("an expiry") - OffsetDateTime::now_utc();
        assert!(left > time::Duration::minutes(59) && left <= time::Duration::hours(1));
        let pair = TokenPair::from_answer(
            PlatformId::Velora,
            Answer(Some("a2"), Some(""), Some(0)),
            old(),
        )
        .expect("a pair");
        assert_eq!(pair.refresh.as_ref().map(Secret::expose), Some("old-r"));
        assert!(pair.expires_at.is_none(), "expires_in 0 is no expiry");
        assert!(
            TokenPair::from_answer(PlatformId::Velora, Answer(None, Some("r"), None), None)
                .is_err()
        );
        assert!(
            TokenPair::from_answer(PlatformId::Velora, Answer(Some(""), None, None), None).is_err()
        );
    }
}
