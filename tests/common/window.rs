//! The window with nothing signed in, whose sign-ins go to a fresh simulator and whose
//! secrets go to keyring-core's mock store: what the Settings → Accounts tests drive.

use super::reserve_port;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use stagehand::app::{Launch, StagehandApp};
use stagehand::auth::loopback_redirect_uri;
use stagehand::auth::store::{SecretKind, TokenStore};
use stagehand::backend::BackendConfig;
use stagehand::backend::accounts::AccountSetup;
use stagehand::model::PlatformId;
use stagehand::sim::trovo::{SimOptions, TrovoSim};
use stagehand::sim::twitch::{TwitchSim, TwitchSimOptions};
use stagehand::sim::velora::{VeloraSim, VeloraSimOptions};
use stagehand::state::SignInFlow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub const TROVO: PlatformId = PlatformId::Trovo;
pub const TWITCH: PlatformId = PlatformId::Twitch;
pub const VELORA: PlatformId = PlatformId::Velora;

/// The window, its simulator and where it keeps things.
pub struct Window {
    pub harness: Harness<'static, StagehandApp>,
    pub sim: Arc<TrovoSim>,
    pub twitch: Arc<TwitchSim>,
    pub velora: Arc<VeloraSim>,
    pub store: Arc<TokenStore>,
    pub config_path: PathBuf,
    pub port: u16,
    pub runtime: tokio::runtime::Runtime,
}

/// A window with nothing signed in; its settings file and image cache go under `dir`.
pub fn signed_out_window(dir: &Path) -> Window {
    let runtime = super::harness::runtime();
    let (reserved, port) = reserve_port();
    let sim = Arc::new(
        runtime
            .block_on(TrovoSim::start(SimOptions {
                redirect_uri: loopback_redirect_uri(port),
                ..SimOptions::default()
            }))
            .expect("simulator"),
    );
    let twitch = Arc::new(
        runtime
            .block_on(TwitchSim::start(TwitchSimOptions {
                device_interval: Duration::from_millis(100),
                ..TwitchSimOptions::default()
            }))
            .expect("Twitch simulator"),
    );
    let velora = Arc::new(
        runtime
            .block_on(VeloraSim::start(VeloraSimOptions {
                redirect_uri: loopback_redirect_uri(port),
                ..VeloraSimOptions::default()
            }))
            .expect("Velora simulator"),
    );
    let mock = keyring_core::mock::Store::new().expect("mock store");
    let store = Arc::new(TokenStore::with_store(mock));
    let config_path = dir.join("config.toml");
    let mut backend = BackendConfig::new(HashMap::new());
    backend.image_dir = Some(dir.join("cache"));
    backend.accounts = AccountSetup {
        store: Arc::clone(&store),
        config_path: Some(config_path.clone()),
        settings: {
            let mut settings = stagehand::platform::trovo::sim_settings(&sim);
            settings.extend(stagehand::platform::twitch::sim_settings(&twitch));
            settings.extend(stagehand::platform::velora::sim_settings(&velora));
            Arc::new(move |key: &str| settings.get(key).cloned())
        },
        open_browser: false,
        timeout: Duration::from_secs(60),
    };
    let mut launch = Launch::new(false, backend, runtime.handle().clone());
    launch.redirect_port = port;
    // The simulators have their ports: the sign-in's listener may have this one now.
    drop(reserved);
    let app = StagehandApp::new(launch, None);
    let harness = super::harness::app_harness(app, 1280.0, 1400.0);
    Window {
        harness,
        sim,
        twitch,
        velora,
        store,
        config_path,
        port,
        runtime,
    }
}

impl Window {
    pub fn wait_for(&mut self, what: &str, cond: impl Fn(&StagehandApp) -> bool) {
        super::harness::step_until(&mut self.harness, what, cond);
    }

    pub fn open_settings(&mut self) {
        self.harness.get_by_label("⚙ Settings").click();
        self.harness.run_steps(2);
    }

    pub fn type_into(&mut self, label: &str, text: &str) {
        self.harness.get_by_label(label).focus();
        self.harness.run_steps(1);
        self.harness.get_by_label(label).type_text(text);
        self.harness.run_steps(2);
    }

    /// Clicks Sign in and waits until the app says where the browser should go.
    pub fn start_sign_in(&mut self) -> String {
        self.harness
            .get_by_label("Sign in to Trovo with the browser")
            .click();
        let mut url = None;
        for _ in 0..400 {
            self.harness.step();
            if let Some(SignInFlow::Waiting { url: Some(u), .. }) =
                self.harness.state().state().sign_ins.get(&TROVO)
            {
                url = Some(u.clone());
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let Some(url) = url else {
            let now = self.harness.state().state().sign_ins.get(&TROVO).cloned();
            panic!("the app gave no sign-in address; the sign-in is {now:?}");
        };
        self.harness.run_steps(2);
        url
    }

    pub fn stored(&self, kind: SecretKind) -> Option<String> {
        self.store
            .get(TROVO, kind)
            .expect("the store answers")
            .map(|s| s.expose().to_owned())
    }
}
