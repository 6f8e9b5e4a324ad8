//! Where access tokens, refresh tokens and client secrets live: the OS credential store
//! (Windows Credential Manager, macOS Keychain, the Secret Service on Linux) and nowhere
//! else. Without a credential store (a Linux box with no Secret Service) the secrets are
//! kept in memory for this run only, and the store says so once; nothing secret is ever
//! written to a file.
//!
//! The calls block (the stores are synchronous), so the backend makes them on
//! `spawn_blocking`, never on the UI thread.

use crate::model::PlatformId;
use crate::secret::Secret;
use keyring_core::{CredentialStore, Entry};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The service name every Stagehand entry is filed under.
pub const SERVICE: &str = "Stagehand";

/// Which secret of a platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretKind {
    AccessToken,
    RefreshToken,
    ClientSecret,
}

impl SecretKind {
    /// Every kind, for deleting all of a platform's secrets.
    pub const ALL: [SecretKind; 3] = [
        SecretKind::AccessToken,
        SecretKind::RefreshToken,
        SecretKind::ClientSecret,
    ];

    fn key(self) -> &'static str {
        match self {
            SecretKind::AccessToken => "access-token",
            SecretKind::RefreshToken => "refresh-token",
            SecretKind::ClientSecret => "client-secret",
        }
    }
}

/// Why the credential store could not be used. Never carries a secret: the store's own
/// errors are reduced to a sentence (some of them hold the bytes they failed on).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the system's credential store refused ({0}); the sign-in is kept for this run only")]
pub struct StoreError(String);

fn describe(e: &keyring_core::Error) -> String {
    use keyring_core::Error::*;
    match e {
        NoStorageAccess(_) => "it is locked or access was denied".into(),
        PlatformFailure(_) => "it failed".into(),
        BadEncoding(_) | BadDataFormat(..) => "a stored value is unreadable".into(),
        NoEntry => "nothing is stored".into(),
        other => format!("{:?}", std::mem::discriminant(other)),
    }
}

/// The secrets of every platform, on the credential store when there is one.
pub struct TokenStore {
    store: Option<Arc<CredentialStore>>,
    /// Used when there is no store, or after the store failed: this run only.
    memory: Mutex<HashMap<(PlatformId, SecretKind), Secret>>,
    /// Why secrets are not persisted, said once to the user.
    unavailable: Option<String>,
}

impl TokenStore {
    /// The operating system's credential store, or memory only (with the reason) when it
    /// cannot be opened.
    pub fn native() -> Self {
        match native_store() {
            Ok(store) => TokenStore::with_store(store),
            Err(e) => TokenStore::memory_only(format!(
                "no credential store is available ({}): sign-ins last only until Stagehand closes",
                describe(&e)
            )),
        }
    }

    /// A store over `store` (tests use keyring-core's mock store).
    pub fn with_store(store: Arc<CredentialStore>) -> Self {
        TokenStore {
            store: Some(store),
            memory: Mutex::new(HashMap::new()),
            unavailable: None,
        }
    }

    /// Secrets in memory only, for this run; `why` is what the user is told.
    pub fn memory_only(why: impl Into<String>) -> Self {
        TokenStore {
            store: None,
            memory: Mutex::new(HashMap::new()),
            unavailable: Some(why.into()),
        }
    }

    /// Why secrets will not outlive this run, if they will not.
    pub fn unavailable(&self) -> Option<&str> {
        self.unavailable.as_deref()
    }

    fn entry(&self, platform: PlatformId, kind: SecretKind) -> Option<Entry> {
        let store = self.store.as_ref()?;
        let user = format!("{}:{}", platform.slug(), kind.key());
        Entry::new_in_store(store, SERVICE, &user).ok()
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, HashMap<(PlatformId, SecretKind), Secret>> {
        self.memory.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The stored secret, if any.
    pub fn get(
        &self,
        platform: PlatformId,
        kind: SecretKind,
    ) -> Result<Option<Secret>, StoreError> {
        if let Some(s) = self.memory().get(&(platform, kind)) {
            return Ok(Some(s.clone()));
        }
        let Some(entry) = self.entry(platform, kind) else {
            return Ok(None);
        };
        match entry.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(StoreError(describe(&e))),
        }
    }

    /// Stores a secret (replacing the old one). If the store refuses, the secret is kept in
    /// memory for this run and the error says so.
    pub fn set(
        &self,
        platform: PlatformId,
        kind: SecretKind,
        value: &Secret,
    ) -> Result<(), StoreError> {
        let Some(entry) = self.entry(platform, kind) else {
            self.memory().insert((platform, kind), value.clone());
            return Ok(());
        };
        match entry.set_password(value.expose()) {
            Ok(()) => {
                self.memory().remove(&(platform, kind));
                Ok(())
            }
            Err(e) => {
                self.memory().insert((platform, kind), value.clone());
                Err(StoreError(describe(&e)))
            }
        }
    }

    /// Deletes one secret; nothing stored is not an error.
    pub fn delete(&self, platform: PlatformId, kind: SecretKind) -> Result<(), StoreError> {
        self.memory().remove(&(platform, kind));
        match self.entry(platform, kind).map(|e| e.delete_credential()) {
            None | Some(Ok(())) | Some(Err(keyring_core::Error::NoEntry)) => Ok(()),
            Some(Err(e)) => Err(StoreError(describe(&e))),
        }
    }

    /// Deletes every secret of `platform` (Sign out). Nothing stored is not an error.
    pub fn delete_all(&self, platform: PlatformId) -> Result<(), StoreError> {
        let mut first_error = None;
        for kind in SecretKind::ALL {
            self.memory().remove(&(platform, kind));
            if let Some(entry) = self.entry(platform, kind) {
                match entry.delete_credential() {
                    Ok(()) | Err(keyring_core::Error::NoEntry) => {}
                    Err(e) => {
                        first_error.get_or_insert(StoreError(describe(&e)));
                    }
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
fn native_store() -> keyring_core::Result<Arc<CredentialStore>> {
    let store: Arc<CredentialStore> = zbus_secret_service_keyring_store::Store::new()?;
    Ok(store)
}

#[cfg(target_os = "macos")]
fn native_store() -> keyring_core::Result<Arc<CredentialStore>> {
    let store: Arc<CredentialStore> = apple_native_keyring_store::keychain::Store::new()?;
    Ok(store)
}

#[cfg(windows)]
fn native_store() -> keyring_core::Result<Arc<CredentialStore>> {
    let store: Arc<CredentialStore> = windows_native_keyring_store::Store::new()?;
    Ok(store)
}

#[cfg(not(any(unix, windows)))]
fn native_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Err(keyring_core::Error::NotSupportedByStore(
        "no credential store on this system".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mock() -> TokenStore {
        let store: Arc<CredentialStore> = keyring_core::mock::Store::new().expect("mock store");
        TokenStore::with_store(store)
    }

    #[test]
    fn secrets_round_trip_and_sign_out_deletes_them_all() {
        let s = mock();
        let p = PlatformId::Trovo;
        assert_eq!(s.get(p, SecretKind::AccessToken), Ok(None));
        for kind in SecretKind::ALL {
            s.set(p, kind, &Secret::new(format!("value-{kind:?}")))
                .expect("stored");
        }
        s.set(p, SecretKind::RefreshToken, &Secret::new("newer"))
            .expect("replaced");
        assert_eq!(
            s.get(p, SecretKind::RefreshToken)
                .expect("read")
                .map(|x| x.expose().to_owned()),
            Some("newer".to_owned())
        );
        assert_eq!(
            s.get(PlatformId::Twitch, SecretKind::AccessToken),
            Ok(None),
            "platforms are kept apart"
        );
        s.delete_all(p).expect("signed out");
        for kind in SecretKind::ALL {
            assert_eq!(s.get(p, kind), Ok(None));
        }
        s.delete_all(p).expect("signing out twice is fine");
    }

    #[test]
    fn without_a_store_secrets_live_in_memory_and_the_user_is_told() {
        let s = TokenStore::memory_only("no Secret Service");
        assert!(s.unavailable().is_some());
        s.set(
            PlatformId::Trovo,
            SecretKind::AccessToken,
            &Secret::new("t"),
        )
        .expect("kept in memory");
        assert!(
            s.get(PlatformId::Trovo, SecretKind::AccessToken)
                .expect("read")
                .is_some()
        );
        s.delete_all(PlatformId::Trovo).expect("cleared");
        assert_eq!(s.get(PlatformId::Trovo, SecretKind::AccessToken), Ok(None));
    }

    #[test]
    fn errors_never_carry_the_stored_bytes() {
        let e = keyring_core::Error::BadEncoding(b"super-secret-token".to_vec());
        assert!(!describe(&e).contains("super-secret"));
        assert!(
            !StoreError(describe(&e))
                .to_string()
                .contains("super-secret")
        );
    }
}
