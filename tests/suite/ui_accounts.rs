//! Settings → Accounts in the real window, driven with egui_kittest: the user types the
//! application's client ID, clicks Sign in, approves on the simulator's consent page (the
//! test plays the browser and follows the address the app gave), and is back in the app
//! signed in; the sign-in survives a restart; Sign out revokes it and deletes every stored
//! secret. The credential store is keyring-core's mock store here; `keyring_real.rs` proves
//! the real one.

use crate::common;

use common::window::{TROVO, TWITCH, VELORA, signed_out_window};
use common::{approve, approve_velora};
use egui_kittest::kittest::Queryable;
use stagehand::auth::loopback_redirect_uri;
use stagehand::auth::store::SecretKind;
use stagehand::config_file::ConfigFile;
use stagehand::launch::{Settings, signed_in_clients};
use stagehand::sim::trovo::TrovoSim;
use stagehand::sim::twitch::TwitchSim;
use stagehand::sim::velora::VeloraSim;
use stagehand::state::SignInFlow;
use std::time::Duration;

/// A folder of this test's own for the settings file and the image cache.
fn scratch(test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "stagehand-ui-accounts-{}-{test}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn sign_in_from_settings_survives_a_restart_and_sign_out_deletes_it() {
    let mut w = signed_out_window(&scratch("roundtrip"));
    w.open_settings();
    assert!(
        w.harness
            .query_all_by_label("Not signed in.")
            .next()
            .is_some(),
        "a fresh install says it is signed out"
    );
    assert!(
        w.harness
            .query_by_label_contains("Open the Trovo developer portal")
            .is_some(),
        "the how-to links to the developer portal"
    );
    assert!(
        w.harness
            .query_all_by_label_contains(&format!(
                "Add {} as its redirect URL",
                loopback_redirect_uri(w.port)
            ))
            .next()
            .is_some(),
        "the how-to names the exact redirect URL to register"
    );
    w.type_into("Trovo client ID", TrovoSim::CLIENT_ID);
    w.type_into("Trovo client secret", TrovoSim::CLIENT_SECRET);
    let url = w.start_sign_in();
    assert!(
        w.harness.query_by_label("Cancel").is_some(),
        "a waiting sign-in can be cancelled"
    );
    assert!(url.starts_with(&w.sim.auth_page_url()), "{url}");
    assert!(
        url.contains("response_type=code"),
        "a secret means the code flow"
    );

    // The browser: consent page, approve, redirect to the app's listener.
    let page = w.runtime.block_on(approve(&w.sim, &url));
    assert!(page.contains("You can close this tab"), "{page}");
    w.wait_for("the account after signing in", |app| {
        app.state()
            .platforms
            .get(&TROVO)
            .is_some_and(|p| p.account.is_some())
    });
    let streamer = w.sim.streamer();
    assert!(
        w.harness
            .query_by_label_contains(&format!("Signed in as {}", streamer.nickname))
            .is_some(),
        "Settings says who is signed in"
    );
    w.wait_for("the channel of the new account", |app| {
        app.state().platforms[&TROVO].channel.is_some()
    });
    assert!(w.harness.query_by_label("Sign out of Trovo").is_some());

    // What was kept, and where: tokens and secret on the store, the client ID in the file.
    let access = w
        .stored(SecretKind::AccessToken)
        .expect("access token stored");
    assert!(w.sim.token_is_active(&access));
    assert!(w.stored(SecretKind::RefreshToken).is_some());
    assert_eq!(
        w.stored(SecretKind::ClientSecret).as_deref(),
        Some(TrovoSim::CLIENT_SECRET)
    );
    let file = ConfigFile::load(&w.config_path).expect("settings file");
    assert_eq!(
        file.registration(TROVO).client_id.as_deref(),
        Some(TrovoSim::CLIENT_ID)
    );
    let text = std::fs::read_to_string(&w.config_path).expect("text");
    assert!(
        !text.contains(&access) && !text.contains(TrovoSim::CLIENT_SECRET),
        "nothing secret in the settings file"
    );

    // A restart: the settings file and the store are all a new run has. (The file also
    // points the API at the simulator, as a user with a stand-in would.)
    let mut file = file;
    file.registration_mut(TROVO).api_base = Some(w.sim.api_base());
    file.save(&w.config_path).expect("saved");
    let settings = Settings {
        path: Some(w.config_path.clone()),
        file: ConfigFile::load(&w.config_path).expect("read back"),
        problem: None,
    };
    let clients = w
        .runtime
        .block_on(signed_in_clients(&settings, &w.store))
        .expect("configured");
    let client = clients
        .get(&TROVO)
        .expect("still signed in after a restart");
    let account = w
        .runtime
        .block_on(client.account())
        .expect("the stored sign-in works");
    assert_eq!(account.name, streamer.username);

    // Sign out: revoked on the platform, deleted from the store, gone from the window.
    w.harness
        .get_by_label("Sign out of Trovo")
        .click_accesskit();
    w.wait_for("the sign-out", |app| {
        matches!(
            app.state().sign_ins.get(&TROVO),
            Some(SignInFlow::SignedOut { .. })
        )
    });
    assert!(w.harness.query_by_label("Signed out.").is_some());
    assert!(!w.sim.token_is_active(&access), "the token was revoked");
    for kind in SecretKind::ALL {
        assert_eq!(w.stored(kind), None, "{kind:?} deleted");
    }
    assert!(
        !w.harness.state().state().platforms.contains_key(&TROVO),
        "the panels no longer show the account"
    );
    assert!(
        w.harness.query_by_label_contains("Signed in as").is_none(),
        "Settings no longer names the account"
    );
}

#[test]
fn without_a_secret_the_implicit_flow_signs_in_and_keeps_no_secret() {
    let mut w = signed_out_window(&scratch("implicit"));
    w.open_settings();
    w.type_into("Trovo client ID", TrovoSim::CLIENT_ID);
    let url = w.start_sign_in();
    assert!(url.contains("response_type=token"), "{url}");
    let answer = w.runtime.block_on(approve(&w.sim, &url));
    let access = w
        .sim
        .issued_secrets()
        .into_iter()
        .find(|t| w.sim.token_is_active(t))
        .expect("a token was issued");
    assert!(!answer.contains(&access), "no page echoes the token");
    w.wait_for("the account", |app| {
        app.state()
            .platforms
            .get(&TROVO)
            .is_some_and(|p| p.account.is_some())
    });
    assert_eq!(w.stored(SecretKind::AccessToken), Some(access));
    assert_eq!(w.stored(SecretKind::ClientSecret), None);
}

#[test]
fn a_waiting_sign_in_can_be_cancelled_and_frees_the_port() {
    let mut w = signed_out_window(&scratch("cancel"));
    w.open_settings();
    w.type_into("Trovo client ID", TrovoSim::CLIENT_ID);
    let _url = w.start_sign_in();
    assert!(
        std::net::TcpListener::bind(("127.0.0.1", w.port)).is_err(),
        "the listener holds the port while waiting"
    );
    w.harness.get_by_label("Cancel").click();
    w.wait_for("the cancellation", |app| {
        matches!(
            app.state().sign_ins.get(&TROVO),
            Some(SignInFlow::Failed(_))
        )
    });
    assert!(
        w.harness
            .query_by_label_contains("The sign-in was cancelled")
            .is_some(),
        "the window says it was cancelled"
    );
    // The listener lets go of the port, so the next sign-in can bind it.
    let mut freed = false;
    for _ in 0..40 {
        if std::net::TcpListener::bind(("127.0.0.1", w.port)).is_ok() {
            freed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(freed, "the port is free again");
    assert!(
        w.harness
            .query_by_label("Sign in to Trovo with the browser")
            .is_some(),
        "the user can start again"
    );
    assert!(!w.harness.state().state().platforms.contains_key(&TROVO));
}

#[test]
fn a_sign_in_the_platform_refuses_says_why_and_keeps_the_form() {
    let mut w = signed_out_window(&scratch("refused"));
    w.open_settings();
    w.type_into("Trovo client ID", TrovoSim::CLIENT_ID);
    w.type_into("Trovo client secret", "not-the-secret");
    let url = w.start_sign_in();
    let _ = w.runtime.block_on(approve(&w.sim, &url));
    w.wait_for("the refusal", |app| {
        matches!(
            app.state().sign_ins.get(&TROVO),
            Some(SignInFlow::Failed(_))
        )
    });
    let Some(SignInFlow::Failed(why)) = w.harness.state().state().sign_ins.get(&TROVO).cloned()
    else {
        unreachable!()
    };
    assert!(
        !why.contains("not-the-secret"),
        "the secret is never echoed: {why}"
    );
    assert!(
        w.harness.query_by_label_contains(&why).is_some(),
        "shown: {why}"
    );
    assert_eq!(w.stored(SecretKind::AccessToken), None);
    assert!(
        w.harness
            .query_by_label("Sign in to Trovo with the browser")
            .is_some(),
        "the form stays for another try"
    );
}

#[test]
fn twitch_signs_in_with_a_code_confirmed_on_its_page_and_signs_out() {
    let mut w = signed_out_window(&scratch("twitch"));
    w.open_settings();
    w.type_into("Twitch client ID", TwitchSim::CLIENT_ID);
    assert!(
        w.harness.query_by_label("Twitch client secret").is_none(),
        "a public client has no secret to enter"
    );
    w.harness
        .get_by_label("Sign in to Twitch with the browser")
        .click_accesskit();
    let mut code = None;
    for _ in 0..400 {
        w.harness.step();
        if let Some(SignInFlow::Waiting {
            url: Some(url),
            user_code: Some(c),
        }) = w.harness.state().state().sign_ins.get(&TWITCH)
        {
            assert!(url.starts_with(&w.twitch.auth_origin()), "{url}");
            code = Some(c.clone());
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let code = code.unwrap_or_else(|| {
        panic!(
            "the window shows a code; the flow is {:?}",
            w.harness.state().state().sign_ins.get(&TWITCH)
        )
    });
    w.harness.run_steps(2);
    assert!(
        w.harness
            .query_by_label(&format!("Sign-in code {code}"))
            .is_some(),
        "the code is shown and named for a screen reader"
    );
    assert!(
        w.twitch.approve_device(&code),
        "the code is the simulator's"
    );
    w.wait_for("the Twitch account", |app| {
        app.state()
            .platforms
            .get(&TWITCH)
            .is_some_and(|p| p.account.is_some() && p.channel.is_some())
    });
    let access = w
        .store
        .get(TWITCH, SecretKind::AccessToken)
        .expect("store")
        .expect("the token is stored");
    assert!(
        w.store
            .get(TWITCH, SecretKind::RefreshToken)
            .expect("store")
            .is_some()
    );
    let file = ConfigFile::load(&w.config_path).expect("settings file");
    assert_eq!(
        file.registration(TWITCH).client_id.as_deref(),
        Some(TwitchSim::CLIENT_ID)
    );
    assert!(
        !std::fs::read_to_string(&w.config_path)
            .expect("text")
            .contains(access.expose()),
        "no token in the settings file"
    );
    w.harness
        .get_by_label("Sign out of Twitch")
        .click_accesskit();
    w.wait_for("the sign-out", |app| {
        matches!(
            app.state().sign_ins.get(&TWITCH),
            Some(SignInFlow::SignedOut { .. })
        )
    });
    assert_eq!(
        w.store.get(TWITCH, SecretKind::AccessToken).expect("store"),
        None
    );
    assert!(!w.harness.state().state().platforms.contains_key(&TWITCH));
}

#[test]
fn velora_signs_in_with_pkce_through_the_browser_and_signs_out() {
    let mut w = signed_out_window(&scratch("velora"));
    w.open_settings();
    w.type_into("Velora client ID", VeloraSim::CLIENT_ID);
    w.harness
        .get_by_label("Sign in to Velora with the browser")
        .click_accesskit();
    let mut url = None;
    for _ in 0..400 {
        w.harness.step();
        if let Some(SignInFlow::Waiting { url: Some(u), .. }) =
            w.harness.state().state().sign_ins.get(&VELORA)
        {
            url = Some(u.clone());
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let url = url.expect("the app gave a sign-in address");
    assert!(url.starts_with(&w.velora.authorize_url()), "{url}");
    assert!(
        url.contains("code_challenge_method=S256") && url.contains("code_challenge="),
        "PKCE: {url}"
    );
    assert!(url.contains("state="), "{url}");
    let page = w.runtime.block_on(approve_velora(&w.velora.origin(), &url));
    assert!(page.contains("You can close this tab"), "{page}");
    w.wait_for("the Velora account and stream", |app| {
        app.state()
            .platforms
            .get(&VELORA)
            .is_some_and(|p| p.account.is_some() && p.channel.is_some())
    });
    assert!(
        w.store
            .get(VELORA, SecretKind::AccessToken)
            .expect("store")
            .is_some(),
        "the token is on the credential store"
    );
    let file = ConfigFile::load(&w.config_path).expect("settings file");
    assert_eq!(
        file.registration(VELORA).client_id.as_deref(),
        Some(VeloraSim::CLIENT_ID)
    );
    w.harness
        .get_by_label("Sign out of Velora")
        .click_accesskit();
    w.wait_for("the sign-out", |app| {
        matches!(
            app.state().sign_ins.get(&VELORA),
            Some(SignInFlow::SignedOut { .. })
        )
    });
    for kind in SecretKind::ALL {
        assert_eq!(w.store.get(VELORA, kind).expect("store"), None, "{kind:?}");
    }
}
