//! OAuth state: access tokens, refresh tokens and authorization codes, and the checks every
//! user call goes through (`Authorization: OAuth <token>`, expiry, scope).

use std::collections::HashMap;

use axum::http::{HeaderMap, header::AUTHORIZATION};
use rand::Rng;

use super::{
    wire::{
        ApiError, CODE_EXPIRED, CODE_MISSING, CODE_USED, INVALID_REDIRECT, INVALID_REFRESH,
        INVALID_TOKEN, REFRESH_EXPIRED, SCOPE_NOT_AUTHORIZED, TOKEN_EXPIRED, TOKEN_NUM_LIMIT,
    },
    world::now_secs,
};

/// Every scope Trovo defines, plus `chat_connect` (used by `/chat/token`).
pub(crate) const ALL_SCOPES: &[&str] = &[
    "user_details_self",
    "channel_details_self",
    "channel_update_self",
    "channel_subscriptions",
    "chat_connect",
    "chat_send_self",
    "send_to_my_channel",
    "manage_messages",
];

/// Access tokens from the code flow and refreshes last 4 hours (`expires_in: "14400"`).
pub(crate) const ACCESS_LIFETIME: i64 = 14_400;
/// Refresh tokens last 30 days.
const REFRESH_LIFETIME: i64 = 30 * 86_400;
/// Authorization codes are short-lived.
const CODE_LIFETIME: i64 = 600;
/// "A refresh token can hold a maximum of 50 access tokens at the same time."
const TOKENS_PER_REFRESH: usize = 50;

/// What a valid access token grants.
#[derive(Clone, Debug)]
pub(crate) struct Grant {
    pub(crate) user_id: u64,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: i64,
}

#[derive(Clone, Debug)]
struct AccessToken {
    grant: Grant,
    /// The refresh token that minted it (for a first pair, its partner).
    source: String,
}

#[derive(Clone, Debug)]
struct RefreshToken {
    user_id: u64,
    scopes: Vec<String>,
    expires_at: i64,
}

#[derive(Clone, Debug)]
struct AuthCode {
    user_id: u64,
    scopes: Vec<String>,
    redirect_uri: String,
    expires_at: i64,
    used: bool,
}

/// A freshly issued pair.
#[derive(Clone, Debug)]
pub(crate) struct Pair {
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
}

/// All OAuth state of the simulated platform.
#[derive(Default)]
pub(crate) struct TokenStore {
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshToken>,
    codes: HashMap<String, AuthCode>,
    /// Every token and code ever handed out, revoked or not, so a test can look for them
    /// where they must never appear (logs, files).
    issued: Vec<String>,
}

/// 32 hex digits, like the reference's sample tokens.
pub(crate) fn random_hex() -> String {
    let mut rng = rand::rng();
    (0..32)
        .map(|_| char::from_digit(rng.random_range(0..16u32), 16).unwrap_or('0'))
        .collect()
}

impl TokenStore {
    /// Issues an access token valid for `expires_in` seconds (zero or negative: already
    /// expired) and a refresh token valid for 30 days.
    pub(crate) fn issue(&mut self, user_id: u64, scopes: Vec<String>, expires_in: i64) -> Pair {
        self.mint(user_id, scopes, expires_in, None)
    }

    /// Issues a pair; the access token counts against `source` (a refresh token) if given,
    /// else against its own new refresh token.
    fn mint(
        &mut self,
        user_id: u64,
        scopes: Vec<String>,
        expires_in: i64,
        source: Option<&str>,
    ) -> Pair {
        let now = now_secs();
        let access_token = random_hex();
        let refresh_token = random_hex();
        let source = source.unwrap_or(&refresh_token).to_owned();
        self.access.insert(
            access_token.clone(),
            AccessToken {
                grant: Grant {
                    user_id,
                    scopes: scopes.clone(),
                    expires_at: now + expires_in,
                },
                source,
            },
        );
        self.refresh.insert(
            refresh_token.clone(),
            RefreshToken {
                user_id,
                scopes,
                expires_at: now + REFRESH_LIFETIME,
            },
        );
        if self.issued.len() < 100_000 {
            self.issued.push(access_token.clone());
            self.issued.push(refresh_token.clone());
        }
        // Forget long-expired access tokens so a long demo does not grow without bound.
        if self.access.len() > 10_000 {
            self.access.retain(|_, t| t.grant.expires_at > now - 86_400);
        }
        Pair {
            access_token,
            refresh_token,
        }
    }

    /// A one-time authorization code for `/exchangetoken`.
    pub(crate) fn issue_code(
        &mut self,
        user_id: u64,
        scopes: Vec<String>,
        redirect_uri: &str,
    ) -> String {
        let code = random_hex();
        if self.issued.len() < 100_000 {
            self.issued.push(code.clone());
        }
        self.codes.insert(
            code.clone(),
            AuthCode {
                user_id,
                scopes,
                redirect_uri: redirect_uri.to_owned(),
                expires_at: now_secs() + CODE_LIFETIME,
                used: false,
            },
        );
        code
    }

    /// Checks the request's `Authorization: OAuth <token>` header and, when given, a scope.
    /// A `Bearer` scheme, a missing header or an unknown token is 11704; an expired token
    /// 11714; a token without the scope 11730.
    pub(crate) fn check(
        &self,
        headers: &HeaderMap,
        scope: Option<&str>,
    ) -> Result<Grant, ApiError> {
        let token = bearer_of(headers).ok_or_else(|| ApiError::new(INVALID_TOKEN))?;
        let entry = self
            .access
            .get(token)
            .ok_or_else(|| ApiError::new(INVALID_TOKEN))?;
        if entry.grant.expires_at <= now_secs() {
            return Err(ApiError::new(TOKEN_EXPIRED));
        }
        if let Some(scope) = scope
            && !entry.grant.scopes.iter().any(|s| s == scope)
        {
            return Err(ApiError::new(SCOPE_NOT_AUTHORIZED));
        }
        Ok(entry.grant.clone())
    }

    /// Every token and code handed out so far.
    /// Records another secret handed out (a chat token), so leak checks look for it too.
    pub(crate) fn remember(&mut self, secret: &str) {
        if self.issued.len() < 100_000 {
            self.issued.push(secret.to_owned());
        }
    }

    pub(crate) fn issued(&self) -> &[String] {
        &self.issued
    }

    /// Whether an access token would be accepted now (known, not revoked, not expired).
    pub(crate) fn is_active(&self, token: &str) -> bool {
        self.access
            .get(token)
            .is_some_and(|t| t.grant.expires_at > now_secs())
    }

    /// Makes an access token expire now (its refresh token still works); false if unknown.
    pub(crate) fn expire(&mut self, access_token: &str) -> bool {
        match self.access.get_mut(access_token) {
            Some(token) => {
                token.grant.expires_at = now_secs() - 1;
                true
            }
            None => false,
        }
    }

    /// Revokes an access token (unknown tokens are fine, as in OAuth's revocation spec).
    pub(crate) fn revoke(&mut self, token: &str) {
        self.access.remove(token);
    }

    /// Trades a code for a pair. Checks, in order: the code exists (10710) and has not
    /// expired (11710) or been used (11711), and the redirect URI is the code's (11716).
    pub(crate) fn exchange(&mut self, code: &str, redirect_uri: &str) -> Result<Pair, ApiError> {
        let entry = self
            .codes
            .get_mut(code)
            .ok_or_else(|| ApiError::new(CODE_MISSING))?;
        if entry.used {
            return Err(ApiError::new(CODE_USED));
        }
        if entry.expires_at <= now_secs() {
            return Err(ApiError::new(CODE_EXPIRED));
        }
        if entry.redirect_uri != redirect_uri {
            return Err(ApiError::new(INVALID_REDIRECT));
        }
        entry.used = true;
        let (user_id, scopes) = (entry.user_id, entry.scopes.clone());
        Ok(self.issue(user_id, scopes, ACCESS_LIFETIME))
    }

    /// A new pair from a refresh token. The old refresh token keeps working until it expires
    /// ("if you don't care about the new refresh_token, the old one still works").
    pub(crate) fn refresh(&mut self, refresh_token: &str) -> Result<Pair, ApiError> {
        let entry = self
            .refresh
            .get(refresh_token)
            .cloned()
            .ok_or_else(|| ApiError::new(INVALID_REFRESH))?;
        let now = now_secs();
        if entry.expires_at <= now {
            return Err(ApiError::new(REFRESH_EXPIRED));
        }
        let live = self
            .access
            .values()
            .filter(|t| t.source == refresh_token && t.grant.expires_at > now)
            .count();
        if live >= TOKENS_PER_REFRESH {
            return Err(ApiError::new(TOKEN_NUM_LIMIT));
        }
        Ok(self.mint(
            entry.user_id,
            entry.scopes,
            ACCESS_LIFETIME,
            Some(refresh_token),
        ))
    }
}

/// The token of an `Authorization: OAuth <token>` header. Trovo's scheme is `OAuth`, not
/// `Bearer`; a `Bearer` header is treated as no token at all.
fn bearer_of(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("OAuth") {
        return None;
    }
    let token = token.trim();
    (!token.is_empty()).then_some(token)
}
