//! Signing in to Velora: the authorization code flow with PKCE (RFC 7636, S256) through the
//! loopback listener. This module makes the verifier and its challenge, builds the
//! authorize address and exchanges the code (`POST /api/developer/oauth/token`, JSON; a 201
//! is a success). The refresh lives with the client core (`client.rs`).
//!
//! PKCE lives here rather than in `auth/oauth.rs` because Velora is its only user; it has
//! no Velora-specific part, so it can move there unchanged when another platform needs it.

use super::client::{PLATFORM, VeloraClient, decode};
use super::errors;
use super::wire::{ErrorBody, TokenResponse};
use crate::error::{ErrorKind, PlatformError};
use crate::model::SignInStatus;
use crate::platform::tokens::TokenPair;
use crate::secret::Secret;
use rand::{Rng, distr::Alphanumeric};
use serde_json::json;
use sha2::{Digest, Sha256};
use url::Url;

/// Length of a PKCE verifier: RFC 7636 allows 43 to 128 characters; 64 alphanumeric
/// characters carry about 380 bits.
pub const VERIFIER_LEN: usize = 64;

/// A fresh PKCE pair: the verifier (kept secret until the code exchange) and its S256
/// challenge (sent on the authorize address). The verifier is [`VERIFIER_LEN`] characters
/// from the unreserved set, from the operating system-seeded CSPRNG.
pub fn pkce_pair() -> (Secret, String) {
    let verifier: String = rand::rng()
        .sample_iter(Alphanumeric)
        .take(VERIFIER_LEN)
        .map(char::from)
        .collect();
    let challenge = pkce_challenge(&verifier);
    (Secret::new(verifier), challenge)
}

/// The S256 challenge of a verifier: base64url(SHA-256(verifier)) without padding.
pub fn pkce_challenge(verifier: &str) -> String {
    base64url(&Sha256::digest(verifier.as_bytes()))
}

/// base64url without padding (RFC 4648 §5).
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// A sign-in step that failed, in the platform's words.
fn flow_error(kind: ErrorKind, sentence: impl Into<String>) -> PlatformError {
    crate::platform::http::api(PLATFORM, 400, kind, sentence.into())
}

impl VeloraClient {
    /// The authorize address the browser opens:
    /// `{page}?response_type=code&client_id=..&redirect_uri=..&scope=a b&state=..`
    /// `&code_challenge=..&code_challenge_method=S256`. Scopes are space-separated
    /// (RFC 6749); the redirect URI is sent exactly as given (it must match the
    /// registered one, such as `http://localhost:8919/`).
    pub fn authorize_url(
        &self,
        state: &str,
        challenge: &str,
        redirect_uri: &str,
        scopes: &[&str],
    ) -> Result<Url, PlatformError> {
        if self.inner.core.client_id.trim().is_empty() {
            return Err(PlatformError::Config {
                platform: PLATFORM,
                message: "no client ID is configured: set STAGEHAND_VELORA_CLIENT_ID".into(),
            });
        }
        if state.is_empty() || challenge.is_empty() {
            return Err(PlatformError::Config {
                platform: PLATFORM,
                message: "a sign-in needs a state and a PKCE challenge".into(),
            });
        }
        let mut url = self.inner.authorize_page.clone();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", self.inner.core.client_id.trim())
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", &scopes.join(" "))
            .append_pair("state", state)
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(url)
    }

    /// Exchanges the code the authorize page sent to the redirect URI for tokens
    /// (`POST /api/developer/oauth/token`, JSON, `grant_type=authorization_code`, the PKCE
    /// verifier, the client secret when one is configured). 200 and 201 are both success.
    /// The client then holds the tokens; they are answered so the caller can store them.
    pub async fn exchange_code(
        &self,
        code: &str,
        verifier: &Secret,
        redirect_uri: &str,
    ) -> Result<TokenPair, PlatformError> {
        let code = code.trim();
        if code.is_empty() {
            return Err(flow_error(
                ErrorKind::Auth,
                "the sign-in answered no code: start the sign-in again",
            ));
        }
        let mut body = json!({
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self.inner.core.client_id,
            "code_verifier": verifier.expose(),
        });
        if let Some(secret) = &self.inner.core.client_secret {
            body["client_secret"] = json!(secret.expose());
        }
        let (status, _, answer) = self.post_token(body).await?;
        if status.is_client_error() && status.as_u16() != 429 {
            let probe = ErrorBody::parse(&answer);
            let code_word = probe.as_ref().and_then(ErrorBody::code).unwrap_or_default();
            let said = probe.as_ref().and_then(ErrorBody::said);
            let sentence = match code_word.as_str() {
                "invalid_client" | "unauthorized_client" => format!(
                    "Velora does not accept this application's client ID or secret{}: check STAGEHAND_VELORA_CLIENT_ID and STAGEHAND_VELORA_CLIENT_SECRET",
                    said.map(|s| format!(" ({s})")).unwrap_or_default()
                ),
                _ => format!(
                    "Velora refused the sign-in code{}: start the sign-in again",
                    said.map(|s| format!(" ({s})")).unwrap_or_default()
                ),
            };
            return Err(flow_error(ErrorKind::Auth, sentence));
        }
        errors::TABLE.check(status, &answer)?;
        let answer: TokenResponse = decode(&answer)?;
        let scopes = answer.scope.clone();
        let pair = TokenPair::from_answer(PLATFORM, answer, None)?;
        // A new sign-in may be another account: forget the cached one.
        self.set_tokens(pair.clone());
        self.note_scopes(scopes);
        Ok(pair)
    }

    /// What is known of the sign-in: Velora has no validate endpoint, so the token is
    /// proved by reading the own account (`GET /api/users/me`, refreshing once when it is
    /// refused); the scopes are those the last token answer granted and the expiry is
    /// the one it gave (a token from the environment has neither until its first refresh).
    pub async fn sign_in_status(&self) -> Result<SignInStatus, PlatformError> {
        self.refresh_own_user().await?;
        Ok(SignInStatus {
            scopes: self.granted_scopes().unwrap_or_default(),
            expires_at: self.tokens().expires_at,
        })
    }

    /// Signs out. Velora's reference lists no token revocation, so the tokens are
    /// forgotten here (the caller deletes the stored ones); the access token lapses within
    /// the hour, and the user can withdraw the application's access on Velora's site.
    pub async fn revoke(&self) -> Result<(), PlatformError> {
        self.forget_tokens();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::velora::VeloraConfig;

    #[test]
    fn the_challenge_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn pairs_are_fresh_long_enough_and_unreserved() {
        let (v1, c1) = pkce_pair();
        let (v2, _) = pkce_pair();
        assert_ne!(v1.expose(), v2.expose());
        assert!((43..=128).contains(&v1.expose().len()));
        assert!(
            v1.expose()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
        );
        assert_eq!(c1, pkce_challenge(v1.expose()));
        assert_eq!(c1.len(), 43, "32 bytes in base64url without padding");
        assert!(!c1.contains('='));
    }

    #[test]
    fn the_authorize_address_carries_everything() {
        let c = VeloraClient::new(
            VeloraConfig::new(
                "https://api.velora.tv",
                "https://velora.tv/oauth/authorize",
                "my-app",
            )
            .expect("config"),
        )
        .expect("client");
        let url = c
            .authorize_url(
                "st4te",
                "chall",
                "http://localhost:8919/",
                &["stream:read", "chat:write"],
            )
            .expect("an address");
        assert!(
            url.as_str()
                .starts_with("https://velora.tv/oauth/authorize?")
        );
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "my-app");
        assert_eq!(q["redirect_uri"], "http://localhost:8919/");
        assert_eq!(q["scope"], "stream:read chat:write");
        assert_eq!(q["state"], "st4te");
        assert_eq!(q["code_challenge"], "chall");
        assert_eq!(q["code_challenge_method"], "S256");
        assert!(
            c.authorize_url("", "x", "http://localhost:1/", &[])
                .is_err()
        );
    }
}
