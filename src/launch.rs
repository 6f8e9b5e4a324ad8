//! Builds the platform clients a run uses: against the in-process simulator for `--demo`,
//! otherwise from the environment, the settings file and the credential store. The window
//! and the headless commands share this.

use crate::app::Launch;
use crate::auth::loopback::{DEFAULT_PORT, PORT_ENV_VAR, loopback_redirect_uri};
use crate::auth::signin::{
    fill_from_store, keep_refreshed_tokens, open_store, stored_secrets, token_saver,
};
use crate::auth::store::TokenStore;
use crate::auth::{DEFAULT_TIMEOUT, TROVO_AUTHORIZE_PAGE};
use crate::backend::accounts::{AccountSetup, TrovoEndpoints, TwitchEndpoints, VeloraEndpoints};
use crate::backend::{BackendConfig, images::ImageCache};
use crate::config::TROVO_CHAT_ENV_VAR;
use crate::config::{
    TROVO_API, TWITCH_API, TWITCH_AUTH, TrovoConfig, TwitchConfig, VELORA_API,
    VELORA_AUTHORIZE_PAGE, VeloraConfig,
};
use crate::config_file::ConfigFile;
use crate::model::PlatformId;
use crate::platform::PlatformClient;
use crate::platform::trovo::TrovoClient;
use crate::platform::twitch::TwitchClient;
use crate::platform::velora::VeloraClient;
use crate::secret::Secret;
use crate::sim::trovo::{SimOptions, TrovoSim};
use crate::sim::twitch::{BroadcasterType, TwitchSim, TwitchSimOptions};
use crate::sim::velora::{VeloraSim, VeloraSimOptions};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Names the full address of Trovo's authorize page, so a stand-in can play it.
pub const TROVO_AUTH_ENV_VAR: &str = "STAGEHAND_TROVO_AUTH_URL";

/// A Trovo client signed in to a running simulator as its streamer.
pub fn trovo_sim_client(sim: &TrovoSim) -> Result<TrovoClient, String> {
    let tokens = sim.streamer_tokens();
    let mut config =
        TrovoConfig::new(&sim.api_base(), TrovoSim::CLIENT_ID).map_err(|e| e.to_string())?;
    config.client_secret = Some(Secret::new(TrovoSim::CLIENT_SECRET));
    config.access_token = Some(Secret::new(tokens.access_token));
    config.refresh_token = Some(Secret::new(tokens.refresh_token));
    TrovoClient::new(config).map_err(|e| e.to_string())
}

/// A Twitch client signed in to a running simulator as its broadcaster.
pub fn twitch_sim_client(sim: &TwitchSim) -> Result<TwitchClient, String> {
    let tokens = sim.streamer_tokens();
    let mut config = TwitchConfig::new(&sim.helix_base(), &sim.auth_origin(), TwitchSim::CLIENT_ID)
        .map_err(|e| e.to_string())?;
    config.access_token = Some(Secret::new(tokens.access_token));
    config.refresh_token = Some(Secret::new(tokens.refresh_token));
    TwitchClient::new(config).map_err(|e| e.to_string())
}

/// The options of the demo's simulated Twitch: a live partner channel with chat going.
pub fn twitch_demo_options() -> TwitchSimOptions {
    TwitchSimOptions {
        chatters: 180,
        followers: 320,
        subscribers: 45,
        broadcaster_type: BroadcasterType::Partner,
        tick: Some(Duration::from_millis(1700)),
        ..TwitchSimOptions::default()
    }
}

/// A Velora client signed in to a running simulator as its streamer.
pub fn velora_sim_client(sim: &VeloraSim) -> Result<VeloraClient, String> {
    let tokens = sim.streamer_tokens();
    let mut config = VeloraConfig::new(&sim.origin(), &sim.authorize_url(), VeloraSim::CLIENT_ID)
        .map_err(|e| e.to_string())?;
    config.client_secret = Some(Secret::new(VeloraSim::CLIENT_SECRET));
    config.access_token = Some(Secret::new(tokens.access_token));
    config.refresh_token = Some(Secret::new(tokens.refresh_token));
    VeloraClient::new(config).map_err(|e| e.to_string())
}

/// The options of the demo's simulated Velora: a live stream with viewers coming and going.
pub fn velora_demo_options(redirect_port: u16) -> VeloraSimOptions {
    VeloraSimOptions {
        tick: Some(Duration::from_millis(1900)),
        redirect_uri: loopback_redirect_uri(redirect_port),
        ..VeloraSimOptions::default()
    }
}

/// The options of the demo's simulated Trovo: a live stream with a lively audience.
pub fn demo_options() -> SimOptions {
    SimOptions {
        viewers: 240,
        followers: 400,
        subscribers: 60,
        tick: Some(Duration::from_millis(1500)),
        ..SimOptions::default()
    }
}

/// The settings file as this run sees it: its path, its content, and why it could not be
/// read, if it could not (the defaults are used then).
pub struct Settings {
    pub path: Option<PathBuf>,
    pub file: ConfigFile,
    pub problem: Option<String>,
}

impl Settings {
    /// Reads the standard settings file (or the one `STAGEHAND_CONFIG` names).
    pub fn load() -> Settings {
        let path = ConfigFile::default_path();
        let (file, problem) = match &path {
            Some(p) => ConfigFile::load_or_default(p),
            None => (ConfigFile::default(), None),
        };
        Settings {
            path,
            file,
            problem,
        }
    }

    /// The environment first, then the file.
    pub fn lookup(&self, key: &str) -> Option<String> {
        (self.file.env_then_file())(key)
    }

    /// The loopback port sign-ins listen on: `STAGEHAND_REDIRECT_PORT`, the file, or the
    /// default. A value that is not a port is an error, not silently the default.
    pub fn redirect_port(&self) -> Result<u16, String> {
        match self.lookup(PORT_ENV_VAR) {
            None => Ok(DEFAULT_PORT),
            Some(v) => v
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| {
                    format!("{PORT_ENV_VAR} must be a port number from 1 to 65535, not {v:?}")
                }),
        }
    }

    /// Where Twitch's API, sign-in and EventSub websocket are, each overridable.
    pub fn twitch_endpoints(&self) -> TwitchEndpoints {
        TwitchEndpoints {
            api_base: self
                .lookup("STAGEHAND_TWITCH_API")
                .unwrap_or_else(|| TWITCH_API.to_owned()),
            auth_base: self
                .lookup("STAGEHAND_TWITCH_AUTH")
                .unwrap_or_else(|| TWITCH_AUTH.to_owned()),
            eventsub: self.lookup("STAGEHAND_TWITCH_EVENTSUB"),
        }
    }

    /// Where Velora's API and authorize page are, each overridable.
    pub fn velora_endpoints(&self) -> VeloraEndpoints {
        VeloraEndpoints {
            api_base: self
                .lookup("STAGEHAND_VELORA_API")
                .unwrap_or_else(|| VELORA_API.to_owned()),
            authorize_page: self
                .lookup("STAGEHAND_VELORA_AUTH_URL")
                .unwrap_or_else(|| VELORA_AUTHORIZE_PAGE.to_owned()),
        }
    }

    /// Where Trovo's sign-in goes: the API and the authorize page, each overridable.
    pub fn trovo_endpoints(&self) -> TrovoEndpoints {
        TrovoEndpoints {
            api_base: self
                .lookup("STAGEHAND_TROVO_API")
                .unwrap_or_else(|| TROVO_API.to_owned()),
            auth_page: self
                .lookup(TROVO_AUTH_ENV_VAR)
                .unwrap_or_else(|| TROVO_AUTHORIZE_PAGE.to_owned()),
            chat_url: self.lookup(TROVO_CHAT_ENV_VAR),
        }
    }
}

/// A Trovo client configured by the environment and the settings file, signed in with the
/// tokens the environment gives or, failing that, the ones kept on the credential store
/// (refreshed pairs then go back there).
pub async fn trovo_client_from_env(
    settings: &Settings,
    store: &Arc<TokenStore>,
) -> Result<TrovoClient, String> {
    let mut config = TrovoConfig::from_lookup(|k| settings.lookup(k)).map_err(|e| e.to_string())?;
    let from_store = fill_from_store(&mut config, store).await;
    let client = TrovoClient::new(config).map_err(|e| e.to_string())?;
    if from_store {
        keep_refreshed_tokens(&client, Arc::clone(store));
    }
    Ok(client)
}

/// A Twitch client configured by the environment and the settings file, signed in with the
/// tokens the environment gives or, failing that, the ones kept on the credential store.
/// Refreshed pairs go back to the store when the tokens came from it; a pair refreshed from
/// the environment's tokens lives in memory for the rest of the run (Twitch's refresh
/// tokens may be single-use, so the client always uses the newest).
pub async fn twitch_client_from_env(
    settings: &Settings,
    store: &Arc<TokenStore>,
) -> Result<TwitchClient, String> {
    let mut config =
        TwitchConfig::from_lookup(|k| settings.lookup(k)).map_err(|e| e.to_string())?;
    let mut from_store = false;
    if config.access_token.is_none() {
        let (access, refresh, _) = stored_secrets(PlatformId::Twitch, store).await;
        from_store = access.is_some();
        if from_store {
            config.access_token = access;
            config.refresh_token = refresh;
        }
    }
    let client = TwitchClient::new(config).map_err(|e| e.to_string())?;
    if from_store {
        client.on_tokens_refreshed(token_saver(PlatformId::Twitch, Arc::clone(store)));
    }
    Ok(client)
}

/// A Velora client configured by the environment and the settings file, signed in with the
/// tokens the environment gives or the ones kept on the credential store (refreshed pairs
/// then go back there: Velora's refresh tokens may be single-use).
pub async fn velora_client_from_env(
    settings: &Settings,
    store: &Arc<TokenStore>,
) -> Result<VeloraClient, String> {
    let mut config =
        VeloraConfig::from_lookup(|k| settings.lookup(k)).map_err(|e| e.to_string())?;
    let (access, refresh, secret) = stored_secrets(PlatformId::Velora, store).await;
    if config.client_secret.is_none() {
        config.client_secret = secret;
    }
    let from_store = config.access_token.is_none() && access.is_some();
    if from_store {
        config.access_token = access;
        config.refresh_token = refresh;
    }
    let client = VeloraClient::new(config).map_err(|e| e.to_string())?;
    if from_store {
        client.on_tokens_refreshed(token_saver(PlatformId::Velora, Arc::clone(store)));
    }
    Ok(client)
}

/// The clients that are signed in (a client ID and a token, from the environment or the
/// store). A platform without them is absent: the window offers to sign in instead. A
/// platform configured wrongly is an error.
pub async fn signed_in_clients(
    settings: &Settings,
    store: &Arc<TokenStore>,
) -> Result<HashMap<PlatformId, PlatformClient>, String> {
    let mut clients = HashMap::new();
    if settings.lookup("STAGEHAND_TROVO_CLIENT_ID").is_some() {
        let client = trovo_client_from_env(settings, store).await?;
        if client.has_user_token() {
            clients.insert(PlatformId::Trovo, PlatformClient::Trovo(client));
        }
    }
    if settings.lookup("STAGEHAND_TWITCH_CLIENT_ID").is_some() {
        let client = twitch_client_from_env(settings, store).await?;
        if client.has_user_token() {
            clients.insert(PlatformId::Twitch, PlatformClient::Twitch(client));
        }
    }
    if settings.lookup("STAGEHAND_VELORA_CLIENT_ID").is_some() {
        let client = velora_client_from_env(settings, store).await?;
        if client.has_user_token() {
            clients.insert(PlatformId::Velora, PlatformClient::Velora(client));
        }
    }
    Ok(clients)
}

/// Everything the window needs to start. Must run on the runtime the window will use.
pub async fn window(demo: bool, runtime: tokio::runtime::Handle) -> Result<Launch, String> {
    let settings = Settings::load();
    let redirect_port = settings.redirect_port()?;
    let mut keep_alive: Vec<Box<dyn std::any::Any>> = Vec::new();
    let mut notices: Vec<String> = settings.problem.iter().cloned().collect();
    let mut client_ids = BTreeMap::new();
    let (clients, accounts) = if demo {
        let sim = TrovoSim::start(SimOptions {
            // The demo's Settings can sign in again through the simulator's consent page.
            redirect_uri: loopback_redirect_uri(redirect_port),
            ..demo_options()
        })
        .await
        .map_err(|e| format!("could not start the built-in simulator: {e}"))?;
        let client = trovo_sim_client(&sim)?;
        let twitch = TwitchSim::start(twitch_demo_options())
            .await
            .map_err(|e| format!("could not start the built-in Twitch simulator: {e}"))?;
        let twitch_client = twitch_sim_client(&twitch)?;
        let velora = VeloraSim::start(velora_demo_options(redirect_port))
            .await
            .map_err(|e| format!("could not start the built-in Velora simulator: {e}"))?;
        let velora_client = velora_sim_client(&velora)?;
        let accounts = AccountSetup {
            store: Arc::new(TokenStore::memory_only(
                "the demo keeps its sign-ins in memory only",
            )),
            config_path: None,
            trovo: TrovoEndpoints {
                api_base: sim.api_base(),
                auth_page: sim.auth_page_url(),
                // The simulator's chat is where its API base says.
                chat_url: None,
            },
            twitch: TwitchEndpoints {
                api_base: twitch.helix_base(),
                auth_base: twitch.auth_origin(),
                eventsub: None,
            },
            velora: VeloraEndpoints {
                api_base: velora.origin(),
                authorize_page: velora.authorize_url(),
            },
            open_browser: true,
            timeout: DEFAULT_TIMEOUT,
        };
        client_ids.insert(PlatformId::Trovo, TrovoSim::CLIENT_ID.to_owned());
        client_ids.insert(PlatformId::Twitch, TwitchSim::CLIENT_ID.to_owned());
        client_ids.insert(PlatformId::Velora, VeloraSim::CLIENT_ID.to_owned());
        keep_alive.push(Box::new(sim));
        keep_alive.push(Box::new(twitch));
        keep_alive.push(Box::new(velora));
        let clients = HashMap::from([
            (PlatformId::Trovo, PlatformClient::Trovo(client)),
            (PlatformId::Twitch, PlatformClient::Twitch(twitch_client)),
            (PlatformId::Velora, PlatformClient::Velora(velora_client)),
        ]);
        (clients, accounts)
    } else {
        let store = open_store().await;
        if let Some(why) = store.unavailable() {
            notices.push(why.to_owned());
        }
        for platform in PlatformId::ALL {
            let key = format!("STAGEHAND_{}_CLIENT_ID", platform_env_name(platform));
            if let Some(id) = settings.lookup(&key) {
                client_ids.insert(platform, id);
            }
        }
        let clients = signed_in_clients(&settings, &store).await?;
        let accounts = AccountSetup {
            store,
            config_path: settings.path.clone(),
            trovo: settings.trovo_endpoints(),
            twitch: settings.twitch_endpoints(),
            velora: settings.velora_endpoints(),
            open_browser: true,
            timeout: DEFAULT_TIMEOUT,
        };
        (clients, accounts)
    };
    let mut backend = BackendConfig::new(clients);
    backend.image_dir = ImageCache::default_dir();
    backend.accounts = accounts;
    Ok(Launch {
        demo,
        backend,
        runtime,
        keep_alive,
        client_ids,
        redirect_port,
        notices,
    })
}

/// The platform's part of its environment variables' names (`STAGEHAND_TROVO_…`): its slug
/// in capitals.
pub fn platform_env_name(platform: PlatformId) -> String {
    platform.slug().to_ascii_uppercase()
}
