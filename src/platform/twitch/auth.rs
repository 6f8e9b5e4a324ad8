//! Signing in to Twitch as a public client (no secret, no listener): the Device Code flow,
//! validating the token (at start and hourly, as Twitch requires of desktop apps) and revoking
//! it on sign-out. All of it talks to id.twitch.tv (`<auth>/oauth2/...`), form-encoded.

use super::client::{PLATFORM, TwitchClient, auth_header, decode};
use super::errors;
use super::wire::{DeviceCodeResponse, ErrorBody, TokenResponse, ValidateResponse};
use crate::error::{ErrorKind, PlatformError};
use crate::platform::tokens::TokenPair;
use crate::secret::Secret;
use reqwest::StatusCode;
use std::future::Future;
use std::time::Duration;
use time::OffsetDateTime;

/// What Twitch asked to wait between polls when it did not say (RFC 8628's default).
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// What `slow_down` adds to the interval (RFC 8628 §3.5).
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// A started device sign-in: show `user_code`, open `verification_uri`, then poll.
#[derive(Clone, Debug)]
pub struct DeviceCode {
    /// The code the user confirms on the verification page.
    pub user_code: String,
    /// The page to open (`https://www.twitch.tv/activate?...`).
    pub verification_uri: String,
    /// When the code lapses.
    pub expires_at: OffsetDateTime,
    /// How long to wait between polls, as Twitch asked.
    pub interval: Duration,
    device_code: Secret,
    scopes: String,
}

/// One poll's answer.
#[derive(Clone, Debug)]
pub enum DevicePoll {
    /// The user has not confirmed yet: poll again after `interval`.
    Pending,
    /// Polled too fast: the interval grows by 5 s.
    SlowDown,
    /// Signed in; the client now holds these tokens.
    Done(TokenPair),
}

/// What `validate` says of the access token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    pub user_id: String,
    pub login: Option<String>,
    pub client_id: Option<String>,
    pub scopes: Vec<String>,
    pub expires_at: Option<OffsetDateTime>,
}

/// A sign-in step that failed, in the platform's words.
fn flow_error(kind: ErrorKind, sentence: impl Into<String>) -> PlatformError {
    crate::platform::http::api(PLATFORM, 400, kind, sentence.into())
}

/// The error word of an id.twitch.tv answer: Twitch puts it in `message`, the RFC in `error`.
fn oauth_word(body: &[u8]) -> Option<String> {
    let probe: ErrorBody = serde_json::from_slice(body).ok()?;
    [probe.message, probe.error]
        .into_iter()
        .flatten()
        .map(|s| s.trim().to_ascii_lowercase())
        .find(|s| !s.is_empty())
}

impl TwitchClient {
    /// Starts the Device Code flow (`POST <auth>/oauth2/device` with the client ID and the
    /// scopes): answers the code to show and the page to open.
    pub async fn start_device_flow(&self, scopes: &[&str]) -> Result<DeviceCode, PlatformError> {
        let scopes = scopes.join(" ");
        let (status, _, body) = self
            .post_form(
                "oauth2/device",
                &[("client_id", self.client_id()), ("scopes", &scopes)],
            )
            .await?;
        errors::TABLE.check(status, &body)?;
        let r: DeviceCodeResponse = decode(&body)?;
        let missing = |what: &str| PlatformError::BadShape {
            platform: PLATFORM,
            detail: format!("the device sign-in answer has no {what}"),
        };
        let device_code = r
            .device_code
            .filter(|c| !c.is_empty())
            .ok_or_else(|| missing("device_code"))?;
        let user_code = r
            .user_code
            .filter(|c| !c.is_empty())
            .ok_or_else(|| missing("user_code"))?;
        let verification_uri = r
            .verification_uri
            .filter(|c| !c.is_empty())
            .ok_or_else(|| missing("verification_uri"))?;
        let expires_in = r.expires_in.unwrap_or(1800).clamp(1, 86_400);
        Ok(DeviceCode {
            user_code,
            verification_uri,
            expires_at: OffsetDateTime::now_utc() + time::Duration::seconds(expires_in as i64),
            interval: r
                .interval
                .filter(|&s| s > 0)
                .map_or(DEFAULT_INTERVAL, |s| Duration::from_secs(s.min(60))),
            device_code,
            scopes,
        })
    }

    /// Polls once (`POST <auth>/oauth2/token`,
    /// `grant_type=urn:ietf:params:oauth:grant-type:device_code`). On success the client
    /// holds the new tokens.
    pub async fn poll_device_token_once(
        &self,
        code: &DeviceCode,
    ) -> Result<DevicePoll, PlatformError> {
        let (status, _, body) = self
            .post_form(
                "oauth2/token",
                &[
                    ("client_id", self.client_id()),
                    ("scopes", &code.scopes),
                    ("device_code", code.device_code.expose()),
                    ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ],
            )
            .await?;
        if status.is_success() {
            errors::TABLE.check(status, &body)?;
            let answer: TokenResponse = decode(&body)?;
            let pair = TokenPair::from_answer(PLATFORM, answer, None)?;
            self.set_tokens(pair.clone());
            return Ok(DevicePoll::Done(pair));
        }
        match oauth_word(&body).as_deref() {
            Some("authorization_pending") => Ok(DevicePoll::Pending),
            Some("slow_down") => Ok(DevicePoll::SlowDown),
            Some("expired_token" | "invalid device code") => Err(flow_error(
                ErrorKind::Auth,
                "the sign-in code has expired before it was confirmed: start the sign-in again",
            )),
            Some("access_denied") => Err(flow_error(
                ErrorKind::Auth,
                "the sign-in was declined on Twitch's page: start it again and choose Authorize",
            )),
            _ => Err(errors::TABLE
                .check(status, &body)
                .err()
                .unwrap_or(PlatformError::Http {
                    platform: PLATFORM,
                    status: status.as_u16(),
                })),
        }
    }

    /// Polls until the user confirms, honouring `interval`, `authorization_pending` and
    /// `slow_down` (5 s more each time), until the code expires, or until `cancel`
    /// completes (the user closed the dialog). On success the client holds the tokens.
    pub async fn poll_device_token(
        &self,
        code: &DeviceCode,
        cancel: impl Future<Output = ()>,
    ) -> Result<TokenPair, PlatformError> {
        let polling = async {
            let mut interval = code.interval;
            loop {
                tokio::time::sleep(interval).await;
                if OffsetDateTime::now_utc() >= code.expires_at {
                    return Err(flow_error(
                        ErrorKind::Auth,
                        "the sign-in code has expired before it was confirmed: start the sign-in again",
                    ));
                }
                match self.poll_device_token_once(code).await {
                    Ok(DevicePoll::Done(pair)) => return Ok(pair),
                    Ok(DevicePoll::Pending) => {}
                    Ok(DevicePoll::SlowDown) => interval += SLOW_DOWN_STEP,
                    // A dropped connection is not the end of a sign-in: try on the next tick.
                    Err(e) if e.kind() == ErrorKind::Server => {
                        tracing::info!("polling Twitch's sign-in failed, trying again: {e}");
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        tokio::select! {
            r = polling => r,
            () = cancel => Err(flow_error(ErrorKind::Other, "the sign-in to Twitch was cancelled")),
        }
    }

    /// What Twitch knows of the access token (`GET <auth>/oauth2/validate`,
    /// `Authorization: OAuth`): whose it is, its scopes, its expiry. The expiry is remembered
    /// so a call made within two minutes of it refreshes first. A refused token is refreshed
    /// once and validated again.
    pub async fn validate(&self) -> Result<TokenInfo, PlatformError> {
        let mut refreshed = false;
        loop {
            let token = self.access_token()?;
            let url = format!("{}/oauth2/validate", self.inner.auth);
            let req = self.inner.core.request(reqwest::Method::GET, &url).header(
                reqwest::header::AUTHORIZATION,
                auth_header("OAuth", &token)?,
            );
            let (status, _, body) = self.finish(req).await?;
            if status == StatusCode::UNAUTHORIZED {
                if !refreshed && self.can_refresh() {
                    refreshed = true;
                    let e = errors::TABLE.check(status, &body).err().unwrap_or_else(|| {
                        crate::platform::http::sign_in_again(PLATFORM, "it was refused")
                    });
                    self.refresh_after_refusal(&token, e).await?;
                    continue;
                }
                return Err(crate::platform::http::sign_in_again(
                    PLATFORM,
                    "it is invalid or has expired",
                ));
            }
            errors::TABLE.check(status, &body)?;
            let r: ValidateResponse = decode(&body)?;
            let expires_at = r.expires_in.filter(|&s| s > 0).and_then(|s| {
                OffsetDateTime::now_utc().checked_add(time::Duration::seconds(s as i64))
            });
            self.note_expiry(expires_at);
            let user_id =
                r.user_id
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| PlatformError::BadShape {
                        platform: PLATFORM,
                        detail: "the validate answer has no user_id".into(),
                    })?;
            return Ok(TokenInfo {
                user_id,
                login: r.login.filter(|s| !s.is_empty()),
                client_id: r.client_id,
                scopes: r.scopes.unwrap_or_default(),
                expires_at,
            });
        }
    }

    /// Revokes the access token (`POST <auth>/oauth2/revoke`) and forgets the tokens held.
    /// A token Twitch no longer knows counts as revoked.
    pub async fn revoke(&self) -> Result<(), PlatformError> {
        let token = self.access_token()?;
        let (status, _, body) = self
            .post_form(
                "oauth2/revoke",
                &[("client_id", self.client_id()), ("token", token.expose())],
            )
            .await?;
        let already_dead = status == StatusCode::BAD_REQUEST
            && oauth_word(&body).is_some_and(|w| w.contains("invalid token"));
        if !status.is_success() && !already_dead {
            errors::TABLE.check(status, &body)?;
        }
        self.set_tokens(TokenPair::default());
        Ok(())
    }
}
