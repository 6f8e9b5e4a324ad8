//! Signing in with a platform the way RFC 8252 (OAuth 2.0 for native apps) describes: the app
//! opens the system browser at the platform's authorize page and catches the redirect on a
//! loopback listener (`http://localhost:PORT/`).
//!
//! ```ignore
//! let listener = LoopbackListener::bind(DEFAULT_PORT).await?;
//! let state = random_state();
//! // Each platform's module builds its own authorize address from these.
//! let url = authorize_url(client_id, ResponseType::Code, &listener.redirect_uri(), &state)?;
//! open_browser(url);
//! match listener.wait(&state, DEFAULT_TIMEOUT, cancel_rx).await? {
//!     Redirect::Code { code } => client.exchange_code(code.expose(), &redirect_uri).await?,
//!     Redirect::Token { access_token, .. } => { /* keep it */ }
//! }
//! ```
//!
//! Layout: `oauth` (the state and the response type), `loopback` (the listener and its tiny
//! HTTP server), `error` (what can go wrong, in words a user can act on). Nothing here knows
//! a platform's API; the platform modules exchange codes and keep tokens.

pub mod error;
pub mod help;
pub mod loopback;
pub mod oauth;
pub mod signin;
pub mod store;

pub use error::AuthError;
pub use loopback::{
    DEFAULT_PORT, DEFAULT_TIMEOUT, LoopbackListener, PORT_ENV_VAR, Redirect, loopback_redirect_uri,
};
pub use oauth::{ResponseType, STATE_LEN, random_state};
