//! OAuth state of the simulated Velora: authorization codes bound to their PKCE challenge and
//! redirect URI, one-hour access tokens, single-use refresh tokens, and the log of every
//! secret handed out (for the leak tests).

use std::collections::HashMap;

use axum::http::{HeaderMap, StatusCode, header::AUTHORIZATION};
use rand::Rng;
use serde_json::json;

use super::wire::{ApiError, s256};

/// Access tokens last an hour.
pub(crate) const ACCESS_LIFETIME: i64 = 3_600;
/// Authorization codes last ten minutes.
const CODE_LIFETIME: i64 = 600;

pub(crate) use crate::sim::common::clock::{now_ms, now_secs};

/// What a valid access token grants.
#[derive(Clone, Debug)]
pub(crate) struct Grant {
    /// Index of the user in the world.
    pub(crate) user: usize,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: i64,
}

impl Grant {
    pub(crate) fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

struct Code {
    user: usize,
    scopes: Vec<String>,
    redirect_uri: String,
    challenge: String,
    expires_at: i64,
}

/// A freshly issued pair.
#[derive(Clone, Debug)]
pub(crate) struct Pair {
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
    pub(crate) scopes: Vec<String>,
}

/// All OAuth state.
#[derive(Default)]
pub(crate) struct TokenStore {
    access: HashMap<String, Grant>,
    /// Refresh token → (user, scopes); removed when used.
    refresh: HashMap<String, (usize, Vec<String>)>,
    codes: HashMap<String, Code>,
    /// Every token, code and key handed out, oldest first.
    pub(crate) secrets: Vec<String>,
}

fn random(n: usize) -> String {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..n)
        .map(|_| ALNUM[rng.random_range(0..ALNUM.len())] as char)
        .collect()
}

/// The token endpoint's `invalid_grant`.
fn invalid_grant(message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_grant", message)
}

impl TokenStore {
    /// Records a secret handed out by anything in the simulator.
    pub(crate) fn remember(&mut self, secret: &str) {
        self.secrets.push(secret.to_owned());
    }

    /// Issues a pair: `vlr_at_…` valid for `expires_in` seconds and `vlr_rt_…`.
    pub(crate) fn issue(&mut self, user: usize, scopes: Vec<String>, expires_in: i64) -> Pair {
        let access_token = format!("vlr_at_{}", random(40));
        let refresh_token = format!("vlr_rt_{}", random(48));
        let now = now_secs();
        self.access.insert(
            access_token.clone(),
            Grant {
                user,
                scopes: scopes.clone(),
                expires_at: now + expires_in,
            },
        );
        self.refresh
            .insert(refresh_token.clone(), (user, scopes.clone()));
        self.remember(&access_token);
        self.remember(&refresh_token);
        if self.access.len() > 10_000 {
            self.access.retain(|_, g| g.expires_at > now - 86_400);
        }
        Pair {
            access_token,
            refresh_token,
            scopes,
        }
    }

    /// Makes an access token expire now. False if unknown.
    pub(crate) fn expire(&mut self, access_token: &str) -> bool {
        match self.access.get_mut(access_token) {
            Some(grant) => {
                grant.expires_at = now_secs() - 1;
                true
            }
            None => false,
        }
    }

    /// A code for the authorize page's approval, bound to the redirect URI and challenge.
    pub(crate) fn issue_code(
        &mut self,
        user: usize,
        scopes: Vec<String>,
        redirect_uri: &str,
        challenge: &str,
    ) -> String {
        let code = format!("vlr_code_{}", random(32));
        self.codes.insert(
            code.clone(),
            Code {
                user,
                scopes,
                redirect_uri: redirect_uri.to_owned(),
                challenge: challenge.to_owned(),
                expires_at: now_secs() + CODE_LIFETIME,
            },
        );
        self.remember(&code);
        code
    }

    /// Redeems a code (once: a failed or successful attempt both spend it, as a replayed or
    /// tampered exchange should).
    pub(crate) fn redeem_code(
        &mut self,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<Pair, ApiError> {
        let Some(entry) = self.codes.remove(code) else {
            return Err(invalid_grant(
                "Invalid, expired or already used authorization code",
            ));
        };
        if entry.expires_at <= now_secs() {
            return Err(invalid_grant("Authorization code expired"));
        }
        if entry.redirect_uri != redirect_uri {
            return Err(invalid_grant(
                "redirect_uri does not match the authorization request",
            ));
        }
        if verifier.is_empty() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "code_verifier is required",
            ));
        }
        let len = verifier.len();
        let charset_ok = verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if !(43..=128).contains(&len) || !charset_ok {
            return Err(invalid_grant(
                "code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]",
            ));
        }
        if s256(verifier) != entry.challenge {
            return Err(invalid_grant("PKCE verification failed"));
        }
        Ok(self.issue(entry.user, entry.scopes, ACCESS_LIFETIME))
    }

    /// Spends a refresh token for a new pair with the same scopes.
    pub(crate) fn refresh(&mut self, refresh_token: &str) -> Result<Pair, ApiError> {
        let Some((user, scopes)) = self.refresh.remove(refresh_token) else {
            return Err(invalid_grant("Invalid or already used refresh token"));
        };
        Ok(self.issue(user, scopes, ACCESS_LIFETIME))
    }

    /// Checks `Authorization: Bearer <token>` and, when given, a scope.
    pub(crate) fn check(
        &self,
        headers: &HeaderMap,
        scope: Option<&str>,
    ) -> Result<Grant, ApiError> {
        let token = bearer(headers)
            .ok_or_else(|| ApiError::unauthorized("Missing or malformed Authorization header"))?;
        let grant = self
            .access
            .get(token)
            .ok_or_else(|| ApiError::unauthorized("Invalid access token"))?;
        if grant.expires_at <= now_secs() {
            return Err(ApiError::unauthorized("Token expired"));
        }
        if let Some(scope) = scope
            && !grant.has(scope)
        {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "insufficient_scope",
                format!("This endpoint requires the {scope} scope"),
            )
            .with_details(json!({"required": [scope], "granted": grant.scopes})));
        }
        Ok(grant.clone())
    }

    /// The user of a valid token, if the request carries one (for rate-limit keys).
    pub(crate) fn user_of(&self, headers: &HeaderMap) -> Option<usize> {
        let grant = self.access.get(bearer(headers)?)?;
        (grant.expires_at > now_secs()).then_some(grant.user)
    }
}

/// The token of `Authorization: Bearer <token>` (the scheme case-insensitively).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
