//! Builds the platform clients a run uses: against the in-process simulator for `--demo`,
//! otherwise from the configuration. The window and the headless commands share this.

use crate::app::Launch;
use crate::backend::{BackendConfig, images::ImageCache};
use crate::config::TrovoConfig;
use crate::model::PlatformId;
use crate::platform::PlatformClient;
use crate::platform::trovo::TrovoClient;
use crate::secret::Secret;
use crate::sim::trovo::{SimOptions, TrovoSim};
use std::collections::HashMap;
use std::time::Duration;

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

/// A Trovo client configured by the environment (`STAGEHAND_TROVO_*`), signed in with the
/// tokens the environment gives or, failing that, the ones `stagehand trovo login` kept on
/// the credential store (refreshed pairs then go back there).
pub async fn trovo_client_from_env() -> Result<TrovoClient, String> {
    let mut config =
        TrovoConfig::from_lookup(|k| std::env::var(k).ok()).map_err(|e| e.to_string())?;
    let from_store = crate::auth::signin::fill_from_store(&mut config).await;
    let client = TrovoClient::new(config).map_err(|e| e.to_string())?;
    if from_store {
        crate::auth::signin::keep_refreshed_tokens(&client);
    }
    Ok(client)
}

/// The clients configured in the environment. A platform without a client ID is simply
/// absent; a platform configured wrongly is an error.
pub async fn configured_clients() -> Result<HashMap<PlatformId, PlatformClient>, String> {
    let mut clients = HashMap::new();
    if std::env::var_os("STAGEHAND_TROVO_CLIENT_ID").is_some() {
        let client = trovo_client_from_env().await?;
        clients.insert(PlatformId::Trovo, PlatformClient::Trovo(client));
    }
    Ok(clients)
}

/// Everything the window needs to start. Must run on the runtime the window will use.
pub async fn window(demo: bool, runtime: tokio::runtime::Handle) -> Result<Launch, String> {
    let mut keep_alive: Vec<Box<dyn std::any::Any>> = Vec::new();
    let clients = if demo {
        let sim = TrovoSim::start(demo_options())
            .await
            .map_err(|e| format!("could not start the built-in simulator: {e}"))?;
        let client = trovo_sim_client(&sim)?;
        keep_alive.push(Box::new(sim));
        HashMap::from([(PlatformId::Trovo, PlatformClient::Trovo(client))])
    } else {
        configured_clients().await?
    };
    let mut backend = BackendConfig::new(clients);
    backend.image_dir = ImageCache::default_dir();
    Ok(Launch {
        demo,
        backend,
        runtime,
        keep_alive,
    })
}
