//! The OS credential store for real: a Secret Service (gnome-keyring) on Linux. Ignored in a
//! plain `cargo test` (a desktop session's keyring may ask for a password); `.ci/run` runs it
//! inside a private D-Bus session with a freshly unlocked gnome-keyring, so the real store is
//! proven, not assumed.

use stagehand::auth::store::{SecretKind, TokenStore};
use stagehand::model::PlatformId;
use stagehand::secret::Secret;

#[test]
#[ignore = "needs a Secret Service; .ci/run provides one"]
fn tokens_survive_a_new_store_and_sign_out_removes_them() {
    let token = format!("real-store-token-{}", std::process::id());
    let first = TokenStore::native();
    assert_eq!(first.unavailable(), None, "a credential store is available");
    first
        .set(
            PlatformId::Velora,
            SecretKind::RefreshToken,
            &Secret::new(token.clone()),
        )
        .expect("stored on the keyring");

    // A new store object, as after a restart: the value comes from the keyring, not memory.
    let second = TokenStore::native();
    let read = second
        .get(PlatformId::Velora, SecretKind::RefreshToken)
        .expect("read back");
    assert_eq!(read.as_ref().map(Secret::expose), Some(token.as_str()));

    second.delete_all(PlatformId::Velora).expect("signed out");
    let third = TokenStore::native();
    assert_eq!(
        third.get(PlatformId::Velora, SecretKind::RefreshToken),
        Ok(None),
        "the keyring entry is gone"
    );
}
