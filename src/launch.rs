//! Builds the platform clients a run uses: against the in-process simulators for `--demo`,
//! otherwise from the environment, the settings file and the credential store. The window
//! and the headless commands share this; every platform goes through its registry entry.

use crate::app::Launch;
use crate::auth::help::SecretUse;
use crate::auth::loopback::{DEFAULT_PORT, PORT_ENV_VAR};
use crate::auth::signin::{open_store, stored_secrets, token_saver};
use crate::auth::store::TokenStore;
use crate::backend::accounts::AccountSetup;
use crate::backend::{BackendConfig, images::ImageCache};
use crate::config_file::ConfigFile;
use crate::model::PlatformId;
use crate::platform::PlatformClient;
use crate::platform::registry::{Lookup, SettingsMap, map_lookup, setting_name};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// The settings file as this run sees it: its path, its content, and why it could not be
/// read, if it could not (the defaults are used then).
#[derive(Clone)]
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
}

/// What the credential store adds to `platform`'s settings: the tokens when the settings
/// give none, the client secret (where the platform uses one) when they give none. Says
/// whether the tokens came from the store (refreshed pairs then go back there; tokens from
/// the environment stay in memory, as scripts expect). The map holds secrets: it is never
/// printed.
async fn stored_settings(
    platform: PlatformId,
    settings: &Lookup<'_>,
    store: &Arc<TokenStore>,
) -> (SettingsMap, bool) {
    let name = |key: &str| setting_name(platform, key);
    let uses_secret = platform.entry().registration_help().secret == SecretUse::Optional;
    let need_tokens = settings(&name("ACCESS_TOKEN")).is_none();
    let need_secret = uses_secret && settings(&name("CLIENT_SECRET")).is_none();
    let mut extra = SettingsMap::new();
    if !need_tokens && !need_secret {
        return (extra, false);
    }
    let (access, refresh, secret) = stored_secrets(platform, store).await;
    if need_secret && let Some(secret) = secret {
        extra.insert(name("CLIENT_SECRET"), secret.expose().to_owned());
    }
    let from_store = need_tokens && access.is_some();
    if from_store {
        // The stored pair goes together: a stored access token never meets the
        // environment's refresh token (an empty value counts as unset).
        let text = |s: Option<crate::secret::Secret>| s.map(|s| s.expose().to_owned());
        extra.insert(name("ACCESS_TOKEN"), text(access).unwrap_or_default());
        extra.insert(name("REFRESH_TOKEN"), text(refresh).unwrap_or_default());
    }
    (extra, from_store)
}

/// `platform`'s client configured by `settings` (the environment and the settings file),
/// signed in with the tokens they give or, failing that, the ones kept on the credential
/// store; says whether they came from the store. Nothing is written back: see
/// [`client_from_settings`].
pub(crate) async fn client_with_stored(
    platform: PlatformId,
    settings: &Lookup<'_>,
    store: &Arc<TokenStore>,
) -> Result<(PlatformClient, bool), String> {
    let (extra, from_store) = stored_settings(platform, settings, store).await;
    let lookup = |key: &str| extra.get(key).cloned().or_else(|| settings(key));
    let client = platform
        .entry()
        .client(&lookup)
        .map_err(|e| e.to_string())?;
    Ok((client, from_store))
}

/// [`client_with_stored`], with refreshed pairs going back to the store when the tokens
/// came from it (refresh tokens may be single-use, so the newest must survive).
pub async fn client_from_settings(
    platform: PlatformId,
    settings: &Lookup<'_>,
    store: &Arc<TokenStore>,
) -> Result<PlatformClient, String> {
    let (client, from_store) = client_with_stored(platform, settings, store).await?;
    if from_store {
        client.on_tokens_refreshed(token_saver(platform, Arc::clone(store)));
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
    let lookup = |key: &str| settings.lookup(key);
    let mut clients = HashMap::new();
    for platform in PlatformId::ALL {
        if lookup(&setting_name(platform, "CLIENT_ID")).is_none() {
            continue;
        }
        let client = client_from_settings(platform, &lookup, store).await?;
        if client.has_user_token() {
            clients.insert(platform, client);
        }
    }
    Ok(clients)
}

/// Every platform's simulator started for `--demo`, with a client signed in to each.
pub struct Demo {
    /// A client of each simulator, signed in as its streamer.
    pub clients: HashMap<PlatformId, PlatformClient>,
    /// The simulators' settings, for signing in again through their consent pages.
    pub settings: SettingsMap,
    /// Keeps the simulators running.
    pub sims: Vec<Box<dyn std::any::Any + Send>>,
}

/// Starts `platforms`' simulators, their sign-in redirects coming back to `redirect_port`.
pub async fn start_demo(platforms: &[PlatformId], redirect_port: u16) -> Result<Demo, String> {
    let mut demo = Demo {
        clients: HashMap::new(),
        settings: SettingsMap::new(),
        sims: Vec::new(),
    };
    for &platform in platforms {
        let started = platform
            .entry()
            .start_demo(redirect_port)
            .await
            .map_err(|e| format!("could not start the built-in {platform} simulator: {e}"))?;
        let client = platform
            .entry()
            .client(&map_lookup(&started.settings))
            .map_err(|e| e.to_string())?;
        demo.clients.insert(platform, client);
        demo.settings.extend(started.settings);
        demo.sims.push(started.sim);
    }
    Ok(demo)
}

/// The client IDs `settings` names, to fill Settings → Accounts.
fn client_ids(settings: &Lookup<'_>) -> BTreeMap<PlatformId, String> {
    PlatformId::ALL
        .into_iter()
        .filter_map(|p| Some((p, settings(&setting_name(p, "CLIENT_ID"))?)))
        .collect()
}

/// Everything the window needs to start. Must run on the runtime the window will use.
pub async fn window(demo: bool, runtime: tokio::runtime::Handle) -> Result<Launch, String> {
    let settings = Settings::load();
    let redirect_port = settings.redirect_port()?;
    let mut keep_alive: Vec<Box<dyn std::any::Any>> = Vec::new();
    let mut notices: Vec<String> = settings.problem.iter().cloned().collect();
    let (clients, accounts, client_ids) = if demo {
        let started = start_demo(&PlatformId::ALL, redirect_port).await?;
        for sim in started.sims {
            keep_alive.push(sim);
        }
        let demo_settings = started.settings;
        let ids = client_ids(&map_lookup(&demo_settings));
        let accounts = AccountSetup {
            store: Arc::new(TokenStore::memory_only(
                "the demo keeps its sign-ins in memory only",
            )),
            config_path: None,
            // The demo's Settings can sign in again through the simulators' consent pages.
            settings: Arc::new(move |key: &str| demo_settings.get(key).cloned()),
            open_browser: true,
            ..AccountSetup::in_memory()
        };
        (started.clients, accounts, ids)
    } else {
        let store = open_store().await;
        if let Some(why) = store.unavailable() {
            notices.push(why.to_owned());
        }
        let ids = client_ids(&|key: &str| settings.lookup(key));
        let clients = signed_in_clients(&settings, &store).await?;
        let config_path = settings.path.clone();
        let accounts = AccountSetup {
            store,
            config_path,
            settings: Arc::new(move |key: &str| settings.lookup(key)),
            open_browser: true,
            ..AccountSetup::in_memory()
        };
        (clients, accounts, ids)
    };
    let mut backend = BackendConfig::new(clients);
    backend.image_dir = ImageCache::default_dir();
    backend.accounts = accounts;
    backend.database = crate::store::Store::default_path(demo).ok();
    backend.record_streams = true;
    backend.seed_demo_streams = demo;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::store::SecretKind;
    use crate::secret::Secret;

    #[tokio::test]
    async fn a_stored_access_token_never_meets_the_environments_refresh_token() {
        let platform = PlatformId::ALL[0];
        let store = Arc::new(TokenStore::memory_only("test"));
        store
            .set(
                platform,
                SecretKind::AccessToken,
                &Secret::new("stored-access"),
            )
            .expect("kept");
        let env_refresh = setting_name(platform, "REFRESH_TOKEN");
        let settings = |key: &str| (key == env_refresh).then(|| "env-refresh".to_owned());
        let (extra, from_store) = stored_settings(platform, &settings, &store).await;
        assert!(from_store);
        assert_eq!(
            extra
                .get(&setting_name(platform, "ACCESS_TOKEN"))
                .map(String::as_str),
            Some("stored-access")
        );
        assert_eq!(
            extra.get(&env_refresh).map(String::as_str),
            Some(""),
            "the stored pair has no refresh token, so none is used"
        );
    }
}
