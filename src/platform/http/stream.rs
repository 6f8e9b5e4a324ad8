//! Opening a long-lived answer (server-sent events): the same token, dialect headers and
//! rate limit as every call, and the same rule for a refused token (refresh once, then
//! open again), but no time limit on the body, which stays open for as long as the
//! platform keeps it. What comes back is read a chunk at a time by the caller.

use super::core::{Dialect, refresh_refused_token};
use super::errors::transport_error;
use crate::error::{ErrorKind, PlatformError};
use crate::secret::Secret;
use reqwest::Method;

/// Opens `url` (a full address: a stream may live outside the API base) with the user's
/// token and `Accept: text/event-stream`. A refused token is refreshed once and the stream
/// opened again; any other refusal is the dialect's error for it.
pub(crate) async fn open_event_stream<D: Dialect>(
    dialect: &D,
    url: &str,
) -> Result<reqwest::Response, PlatformError> {
    let core = dialect.core();
    let mut refreshed = false;
    loop {
        core.limiter.acquire().await;
        let token = core.tokens.access_token()?;
        let response = tokio::time::timeout(core.timeout, send(dialect, url, &token))
            .await
            .map_err(|_| PlatformError::Timeout {
                platform: core.platform,
                secs: core.timeout.as_secs().max(1),
            })??;
        core.limiter
            .observe(&dialect.rate_headers(response.headers()));
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| transport_error(core.platform, core.timeout, &e))?;
        let Err(error) = dialect.check(status, &body) else {
            // A failure status the dialect reads as success is still no stream.
            return Err(PlatformError::Http {
                platform: core.platform,
                status: status.as_u16(),
            });
        };
        if error.kind() != ErrorKind::TokenExpired {
            return Err(error);
        }
        let may_refresh = !refreshed;
        refreshed = true;
        refresh_refused_token(dialect, may_refresh, Some(&token), error).await?;
    }
}

async fn send<D: Dialect>(
    dialect: &D,
    url: &str,
    token: &Secret,
) -> Result<reqwest::Response, PlatformError> {
    let core = dialect.core();
    let req = dialect
        .headers(core.http.request(Method::GET, url))
        .header("Accept", "text/event-stream")
        .header("Cache-Control", "no-cache")
        .header(
            reqwest::header::AUTHORIZATION,
            super::auth_header(core.platform, D::AUTH_SCHEME, token)?,
        );
    tracing::debug!(platform = %core.platform, "opening an event stream");
    req.send()
        .await
        .map_err(|e| transport_error(core.platform, core.timeout, &e))
}
