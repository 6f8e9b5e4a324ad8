//! The one HTTP call core every platform client sends through. A platform describes a call
//! ([`Call`]: method, path, query, body, which token, whether it may go again) and keeps a
//! small [`Dialect`]: its auth scheme and headers, how its error bodies read, its rate-limit
//! headers, what a 429 means there and how it refreshes a token. Everything else is written
//! once here: the retry loop (a refresh before the token lapses, one refresh and one retry
//! on a refused token, a write never sent twice, rate-limited reads sent again after the
//! wait), transport and decoding errors that name positions and never values, the
//! HTTP-status table, the pagers, and opening an event stream under the same rules.

mod call;
mod core;
mod errors;
mod pager;
mod rate;
mod stream;

pub(crate) use call::Call;
pub(crate) use core::{
    Answer, ClientCore, ClientSettings, Dialect, HttpCore, RateLimit, RefreshFuture, execute,
    refresh_after_refusal,
};
pub(crate) use errors::{
    ErrorSaid, PROBE_MAX, StatusTable, api, auth_header, category_words, decode, rate_limited,
    shape_error, sign_in_again, sign_in_again_words,
};
pub(crate) use pager::{
    CursorList, CursorPage, NumberedList, NumberedPage, Numbering, all_cursor_pages,
    all_numbered_pages,
};
#[cfg(test)]
pub(crate) use rate::test_headers;
pub(crate) use rate::{header_f64, remaining_above_zero, retry_at, secs_until};
pub(crate) use stream::open_event_stream;

/// Declares a platform's client, written once for all of them: a cheap-to-clone handle on
/// the platform module's `Inner` (whose `core` field is the [`HttpCore`]), its
/// `ClientCore` (the refresh in `refresh_now`), who to tell about refreshed tokens, the
/// tokens held, whether one is held, the rate budget, the API base, and the three ways to
/// send a call. `set_tokens` stays with each client: what a new sign-in forgets differs.
macro_rules! platform_client {
    ($(#[$meta:meta])* pub struct $client:ident;) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $client {
            pub(crate) inner: std::sync::Arc<Inner>,
        }

        impl $crate::platform::http::ClientCore for $client {
            fn core(&self) -> &$crate::platform::http::HttpCore {
                &self.inner.core
            }

            fn refresh(&self) -> $crate::platform::http::RefreshFuture<'_> {
                Box::pin(self.refresh_now())
            }
        }

        impl $client {
            /// Registers who to tell about refreshed tokens (the keyring keeps the newest
            /// refresh token: it may be single-use).
            pub fn on_tokens_refreshed(&self, listener: $crate::platform::tokens::TokenListener) {
                $crate::platform::http::ClientCore::core(self)
                    .tokens
                    .set_listener(listener);
            }

            /// The tokens held now (after any refresh).
            pub fn tokens(&self) -> $crate::platform::tokens::TokenPair {
                $crate::platform::http::ClientCore::core(self).tokens.pair()
            }

            /// Whether an access token is held at all.
            pub fn has_user_token(&self) -> bool {
                $crate::platform::http::ClientCore::core(self)
                    .tokens
                    .has_access()
            }

            /// The rate-limit budget left for this client ID.
            pub fn rate_budget(&self) -> $crate::model::RateBudget {
                $crate::platform::http::ClientCore::core(self)
                    .limiter
                    .budget()
            }

            /// The API base this client talks to.
            pub fn api_base(&self) -> &str {
                &$crate::platform::http::ClientCore::core(self).base
            }

            /// Sends `call` through the retry loop and decodes a typed answer.
            #[allow(dead_code)] // not every platform needs each of the three
            pub(crate) async fn call<T: serde::de::DeserializeOwned>(
                &self,
                call: $crate::platform::http::Call,
            ) -> Result<T, $crate::error::PlatformError> {
                let bytes = $crate::platform::http::execute(self, &call).await?;
                let platform = $crate::platform::http::ClientCore::core(self).platform;
                $crate::platform::http::decode(platform, &bytes)
            }

            /// Sends `call` and ignores the body of a successful answer (204s).
            #[allow(dead_code)]
            pub(crate) async fn call_unit(
                &self,
                call: $crate::platform::http::Call,
            ) -> Result<(), $crate::error::PlatformError> {
                $crate::platform::http::execute(self, &call).await.map(drop)
            }

            /// Sends `call` and returns the raw body of a successful answer, for callers
            /// that decode it borrowing from the bytes.
            #[allow(dead_code)]
            pub(crate) async fn call_bytes(
                &self,
                call: $crate::platform::http::Call,
            ) -> Result<bytes::Bytes, $crate::error::PlatformError> {
                $crate::platform::http::execute(self, &call).await
            }
        }
    };
}
pub(crate) use platform_client;
