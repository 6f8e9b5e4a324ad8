//! OAuth state of the simulated id.twitch.tv: user access tokens, single-use refresh tokens
//! (Twitch's rule for public clients), and Device Code grants with their polling rules.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use axum::http::{HeaderMap, header::AUTHORIZATION};
use rand::Rng;

/// Device-flow user tokens last about four hours.
pub(crate) const ACCESS_LIFETIME: i64 = 14_400;

pub(crate) use crate::sim::common::clock::{now_ms, now_secs};

/// What a valid access token grants.
#[derive(Clone, Debug)]
pub(crate) struct Grant {
    pub(crate) user_id: u64,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: i64,
    /// The refresh token issued with it (revoking the access token revokes the pair).
    refresh: String,
}

impl Grant {
    pub(crate) fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

#[derive(Clone, Debug)]
struct Refresh {
    user_id: u64,
    scopes: Vec<String>,
}

/// Where a device grant stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DeviceState {
    Pending,
    Approved(u64),
    Denied,
}

#[derive(Clone, Debug)]
struct Device {
    device_code: String,
    user_code: String,
    scopes: Vec<String>,
    expires: Instant,
    interval: Duration,
    last_poll: Option<Instant>,
    state: DeviceState,
}

/// A freshly issued pair.
#[derive(Clone, Debug)]
pub(crate) struct Pair {
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_in: i64,
}

/// A device grant just started.
#[derive(Clone, Debug)]
pub(crate) struct DeviceStart {
    pub(crate) device_code: String,
    pub(crate) user_code: String,
}

/// Why a device-code poll did not yield tokens (the id side's `message`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PollError {
    Pending,
    SlowDown,
    Expired,
    Denied,
    Invalid,
}

impl PollError {
    pub(crate) fn message(self) -> &'static str {
        match self {
            PollError::Pending => "authorization_pending",
            PollError::SlowDown => "slow_down",
            PollError::Expired => "expired_token",
            PollError::Denied => "access_denied",
            PollError::Invalid => "invalid device code",
        }
    }
}

/// Why a Helix request's token was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TokenError {
    Missing,
    Invalid,
    MissingScope(String),
}

impl From<TokenError> for super::wire::HelixError {
    fn from(e: TokenError) -> Self {
        use super::wire::HelixError;
        match e {
            TokenError::Missing => HelixError::unauthorized("OAuth token is missing"),
            TokenError::Invalid => HelixError::unauthorized("Invalid OAuth token"),
            // Helix answers a missing scope with 401 too, naming the scope.
            TokenError::MissingScope(s) => HelixError::unauthorized(format!("Missing scope: {s}")),
        }
    }
}

/// All OAuth state.
#[derive(Default)]
pub(crate) struct TokenStore {
    access: HashMap<String, Grant>,
    refresh: HashMap<String, Refresh>,
    devices: Vec<Device>,
}

/// `n` random characters from `alphabet`.
fn random_from(alphabet: &[u8], n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// User codes avoid letters people misread.
const USER_CODE: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";

impl TokenStore {
    /// Issues a pair: an access token (30 characters, like Twitch's) valid for `expires_in`
    /// seconds and a refresh token (50 characters).
    pub(crate) fn issue(&mut self, user_id: u64, scopes: Vec<String>, expires_in: i64) -> Pair {
        let access_token = random_from(LOWER_ALNUM, 30);
        let refresh_token = random_from(LOWER_ALNUM, 50);
        let now = now_secs();
        self.access.insert(
            access_token.clone(),
            Grant {
                user_id,
                scopes: scopes.clone(),
                expires_at: now + expires_in,
                refresh: refresh_token.clone(),
            },
        );
        self.refresh.insert(
            refresh_token.clone(),
            Refresh {
                user_id,
                scopes: scopes.clone(),
            },
        );
        if self.access.len() > 10_000 {
            self.access.retain(|_, g| g.expires_at > now - 86_400);
        }
        Pair {
            access_token,
            refresh_token,
            scopes,
            expires_in,
        }
    }

    /// The grant of a valid, unexpired access token.
    pub(crate) fn lookup(&self, token: &str) -> Option<&Grant> {
        self.access.get(token).filter(|g| g.expires_at > now_secs())
    }

    /// Checks a Helix request's `Authorization: Bearer <token>` and, when given, a scope.
    pub(crate) fn check(
        &self,
        headers: &HeaderMap,
        scope: Option<&str>,
    ) -> Result<Grant, TokenError> {
        let token = token_of(headers, "Bearer").ok_or(TokenError::Missing)?;
        let grant = self.lookup(token).ok_or(TokenError::Invalid)?;
        if let Some(scope) = scope
            && !grant.has(scope)
        {
            return Err(TokenError::MissingScope(scope.to_owned()));
        }
        Ok(grant.clone())
    }

    /// Makes an access token expire now. Returns whether it existed.
    pub(crate) fn expire(&mut self, token: &str) -> bool {
        match self.access.get_mut(token) {
            Some(g) => {
                g.expires_at = now_secs() - 1;
                true
            }
            None => false,
        }
    }

    /// Revokes an access token and the refresh token issued with it; or, given a refresh
    /// token, that one. Returns whether anything was revoked.
    pub(crate) fn revoke(&mut self, token: &str) -> bool {
        if let Some(grant) = self.access.remove(token) {
            self.refresh.remove(&grant.refresh);
            return true;
        }
        self.refresh.remove(token).is_some()
    }

    /// A new pair for a refresh token, which is spent (single use, as for public clients).
    pub(crate) fn refresh(&mut self, refresh_token: &str) -> Option<Pair> {
        let entry = self.refresh.remove(refresh_token)?;
        Some(self.issue(entry.user_id, entry.scopes, ACCESS_LIFETIME))
    }

    /// Starts a device grant valid for `lifetime`, to be polled no faster than `interval`.
    pub(crate) fn start_device(
        &mut self,
        scopes: Vec<String>,
        lifetime: Duration,
        interval: Duration,
    ) -> DeviceStart {
        let now = Instant::now();
        self.devices
            .retain(|d| d.expires + Duration::from_secs(600) > now);
        let device_code = random_from(ALNUM, 40);
        let user_code = random_from(USER_CODE, 8);
        self.devices.push(Device {
            device_code: device_code.clone(),
            user_code: user_code.clone(),
            scopes,
            expires: now + lifetime,
            interval,
            last_poll: None,
            state: DeviceState::Pending,
        });
        DeviceStart {
            device_code,
            user_code,
        }
    }

    /// The user's answer on the activation page. `Some(user)` approves for that user,
    /// `None` denies. False when no pending, unexpired grant has this code.
    pub(crate) fn decide(&mut self, user_code: &str, user: Option<u64>) -> bool {
        let now = Instant::now();
        let code = user_code.trim().to_ascii_uppercase().replace('-', "");
        match self
            .devices
            .iter_mut()
            .find(|d| d.user_code == code && d.state == DeviceState::Pending && d.expires > now)
        {
            Some(device) => {
                device.state = match user {
                    Some(id) => DeviceState::Approved(id),
                    None => DeviceState::Denied,
                };
                true
            }
            None => false,
        }
    }

    /// The scopes a pending grant asks for (for the activation page).
    pub(crate) fn device_scopes(&self, user_code: &str) -> Option<Vec<String>> {
        let code = user_code.trim().to_ascii_uppercase().replace('-', "");
        self.devices
            .iter()
            .find(|d| d.user_code == code && d.state == DeviceState::Pending)
            .map(|d| d.scopes.clone())
    }

    /// One poll of the token endpoint for a device code.
    pub(crate) fn poll_device(&mut self, device_code: &str) -> Result<Pair, PollError> {
        let now = Instant::now();
        let index = self
            .devices
            .iter()
            .position(|d| d.device_code == device_code)
            .ok_or(PollError::Invalid)?;
        let device = &mut self.devices[index];
        if device.expires <= now {
            return Err(PollError::Expired);
        }
        let too_soon = device
            .last_poll
            .is_some_and(|last| now.duration_since(last) < device.interval);
        device.last_poll = Some(now);
        match device.state {
            DeviceState::Denied => {
                self.devices.remove(index);
                Err(PollError::Denied)
            }
            _ if too_soon => Err(PollError::SlowDown),
            DeviceState::Pending => Err(PollError::Pending),
            DeviceState::Approved(user) => {
                let scopes = device.scopes.clone();
                // The device code is spent once it has yielded tokens.
                self.devices.remove(index);
                Ok(self.issue(user, scopes, ACCESS_LIFETIME))
            }
        }
    }
}

/// The token of `Authorization: <scheme> <token>` (scheme compared case-insensitively).
pub(crate) fn token_of<'a>(headers: &'a HeaderMap, scheme: &str) -> Option<&'a str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (given, token) = value.split_once(' ')?;
    if !given.eq_ignore_ascii_case(scheme) {
        return None;
    }
    let token = token.trim();
    (!token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_are_single_use_and_revoke_takes_the_pair() {
        let mut store = TokenStore::default();
        let pair = store.issue(1, vec!["a".into()], 100);
        let next = store.refresh(&pair.refresh_token).expect("first use works");
        assert!(
            store.refresh(&pair.refresh_token).is_none(),
            "second use fails"
        );
        assert!(store.lookup(&next.access_token).is_some());
        assert!(store.revoke(&next.access_token));
        assert!(store.lookup(&next.access_token).is_none());
        assert!(store.refresh(&next.refresh_token).is_none());
    }

    #[test]
    fn device_polls_go_pending_slow_down_then_tokens() {
        let mut store = TokenStore::default();
        let start = store.start_device(
            vec!["s".into()],
            Duration::from_secs(60),
            Duration::from_millis(50),
        );
        assert_eq!(
            store.poll_device(&start.device_code).err(),
            Some(PollError::Pending)
        );
        assert_eq!(
            store.poll_device(&start.device_code).err(),
            Some(PollError::SlowDown)
        );
        assert!(store.decide(&start.user_code.to_lowercase(), Some(7)));
        std::thread::sleep(Duration::from_millis(60));
        let pair = store.poll_device(&start.device_code).expect("tokens");
        assert_eq!(store.lookup(&pair.access_token).map(|g| g.user_id), Some(7));
        assert_eq!(
            store.poll_device(&start.device_code).err(),
            Some(PollError::Invalid)
        );
    }
}
