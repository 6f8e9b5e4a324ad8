//! A headless run's connection to one platform: the client (against the built-in simulator
//! with `--demo`, otherwise from the environment, the settings file and the credential
//! store) behind the same backend the window uses.

use crate::backend::{self, BackendHandle, EventReceiver};
use crate::command::{Command, Event};
use crate::launch;
use crate::model::PlatformId;
use crate::platform::PlatformClient;
use crate::sim::trovo::TrovoSim;
use crate::sim::twitch::TwitchSim;
use crate::sim::velora::VeloraSim;
use std::collections::HashMap;
use std::sync::Arc;

/// The backend and the client of one platform, with the in-process simulator kept alive
/// while a `--demo` command runs.
pub(super) struct Session {
    /// The client itself, for the calls the backend has no command for (editors, teams,
    /// videos, commercials).
    pub client: PlatformClient,
    backend: BackendHandle,
    events: EventReceiver,
    _sim: Option<Box<dyn std::any::Any + Send>>,
}

fn sim_failed(e: std::io::Error) -> String {
    format!("could not start the built-in simulator: {e}")
}

pub(super) async fn connect(demo: bool, platform: PlatformId) -> Result<Session, String> {
    let (client, sim): (PlatformClient, Option<Box<dyn std::any::Any + Send>>) =
        match (platform, demo) {
            (PlatformId::Trovo, true) => {
                // The window's demo world, as for the other platforms: `--demo` means the
                // same lively channel everywhere (and `chat follow --demo` has chat to show).
                let sim = TrovoSim::start(launch::demo_options())
                    .await
                    .map_err(sim_failed)?;
                let client = PlatformClient::Trovo(launch::trovo_sim_client(&sim)?);
                (client, Some(Box::new(sim)))
            }
            (PlatformId::Twitch, true) => {
                let sim = TwitchSim::start(launch::twitch_demo_options())
                    .await
                    .map_err(sim_failed)?;
                let client = PlatformClient::Twitch(launch::twitch_sim_client(&sim)?);
                (client, Some(Box::new(sim)))
            }
            (PlatformId::Trovo, false) => {
                let settings = launch::Settings::load();
                let store = crate::auth::signin::open_store().await;
                let client = launch::trovo_client_from_env(&settings, &store).await?;
                (PlatformClient::Trovo(client), None)
            }
            (PlatformId::Twitch, false) => {
                let settings = launch::Settings::load();
                let store = crate::auth::signin::open_store().await;
                let client = launch::twitch_client_from_env(&settings, &store).await?;
                (PlatformClient::Twitch(client), None)
            }
            (PlatformId::Velora, true) => {
                let port = crate::auth::loopback::DEFAULT_PORT;
                let sim = VeloraSim::start(launch::velora_demo_options(port))
                    .await
                    .map_err(sim_failed)?;
                let client = PlatformClient::Velora(launch::velora_sim_client(&sim)?);
                (client, Some(Box::new(sim)))
            }
            (PlatformId::Velora, false) => {
                let settings = launch::Settings::load();
                let store = crate::auth::signin::open_store().await;
                let client = launch::velora_client_from_env(&settings, &store).await?;
                (PlatformClient::Velora(client), None)
            }
        };
    let clients = HashMap::from([(platform, client.clone())]);
    let (backend, events) = backend::spawn(
        &tokio::runtime::Handle::current(),
        backend::BackendConfig::new(clients),
        Arc::new(|| {}),
    );
    Ok(Session {
        client,
        backend,
        events,
        _sim: sim,
    })
}

impl Session {
    /// Sends one command to the backend and waits for its answer.
    pub async fn ask(&mut self, make: impl FnOnce(u64) -> Command) -> Result<Event, String> {
        let id = self.backend.next_request_id();
        let command = make(id);
        let platform = command
            .platform()
            .map_or_else(|| "the platform".to_owned(), |p| p.to_string());
        let by_id = command.request_id().is_some();
        self.backend.send(command);
        while let Some(event) = self.events.recv().await {
            if let Event::NotConfigured { .. } = event {
                return Err(format!("{platform} is not configured"));
            }
            let matches = if by_id {
                event.request_id() == Some(id)
            } else {
                matches!(event, Event::AccountLoaded { .. })
            };
            if matches {
                return Ok(event);
            }
        }
        Err("the backend stopped before answering".into())
    }
}
