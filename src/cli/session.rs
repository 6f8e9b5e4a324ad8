//! A headless run's connection to one platform: the client (against the built-in simulator
//! with `--demo`, otherwise from the environment, the settings file and the credential
//! store) behind the same backend the window uses.

use crate::auth::loopback::DEFAULT_PORT;
use crate::auth::signin::open_store;
use crate::backend::{self, BackendHandle, EventReceiver};
use crate::command::{Command, Event};
use crate::launch::{self, Settings};
use crate::model::PlatformId;
use crate::platform::PlatformClient;
use std::collections::HashMap;
use std::sync::Arc;

/// The backend and the client of one platform, with the in-process simulator kept alive
/// while a `--demo` command runs.
pub(super) struct Session {
    /// The client itself, for what it says without a call (its capabilities) and for
    /// following chat.
    pub client: PlatformClient,
    backend: BackendHandle,
    events: EventReceiver,
    _sim: Option<Vec<Box<dyn std::any::Any + Send>>>,
}

pub(super) async fn connect(demo: bool, platform: PlatformId) -> Result<Session, String> {
    let (client, sim) = if demo {
        // The window's demo world: `--demo` means the same lively channel everywhere (and
        // `chat follow --demo` has chat to show).
        let mut started = launch::start_demo(&[platform], DEFAULT_PORT).await?;
        let client = started
            .clients
            .remove(&platform)
            .ok_or("the built-in simulator gave no client")?;
        (client, Some(started.sims))
    } else {
        let settings = Settings::load();
        let store = open_store().await;
        let lookup = |key: &str| settings.lookup(key);
        (
            launch::client_from_settings(platform, &lookup, &store).await?,
            None,
        )
    };
    let clients = HashMap::from([(platform, client.clone())]);
    let (backend, events) = backend::spawn(
        &tokio::runtime::Handle::current(),
        backend::BackendConfig::new(clients),
        Arc::new(|_| {}),
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
        let question = command.clone();
        self.backend.send(command);
        while let Some(event) = self.events.recv().await {
            if let Event::NotConfigured { .. } = event {
                return Err(format!("{platform} is not configured"));
            }
            if question.is_answered_by(&event) {
                return Ok(event);
            }
        }
        Err("the backend stopped before answering".into())
    }
}
