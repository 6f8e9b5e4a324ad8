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
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The backend and the client of one platform, with the in-process simulator kept alive
/// while a `--demo` command runs.
pub(super) struct Session {
    /// The client itself, for what it says without a call (its capabilities) and for
    /// following chat.
    pub client: PlatformClient,
    link: Link,
}

/// The backend and the signed-in clients of every platform a command across platforms
/// is for.
pub(super) struct Sessions {
    pub clients: BTreeMap<PlatformId, PlatformClient>,
    /// Platforms the user named with `--only` that are not signed in.
    pub missing: Vec<PlatformId>,
    pub link: Link,
}

/// A run's backend, and the simulators of a `--demo` run.
pub(super) struct Link {
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
    Ok(Session {
        client,
        link: Link::start(demo, clients, sim),
    })
}

/// The signed-in platforms (or those of `only`), for a command across platforms.
pub(super) async fn connect_all(
    demo: bool,
    only: Option<&[PlatformId]>,
) -> Result<Sessions, String> {
    let wanted: Vec<PlatformId> = only.map_or_else(|| PlatformId::ALL.to_vec(), <[_]>::to_vec);
    let (clients, sim) = if demo {
        let started = launch::start_demo(&wanted, DEFAULT_PORT).await?;
        (started.clients, Some(started.sims))
    } else {
        let settings = Settings::load();
        let store = open_store().await;
        let mut clients = launch::signed_in_clients(&settings, &store).await?;
        clients.retain(|p, _| wanted.contains(p));
        (clients, None)
    };
    let missing = wanted
        .iter()
        .filter(|p| only.is_some() && !clients.contains_key(p))
        .copied()
        .collect();
    if clients.is_empty() && only.is_none() {
        return Err(
            "no platform is signed in: sign in with `stagehand <platform> login` first".into(),
        );
    }
    Ok(Sessions {
        clients: clients.clone().into_iter().collect(),
        missing,
        link: Link::start(demo, clients, sim),
    })
}

impl Link {
    fn start(
        demo: bool,
        clients: HashMap<PlatformId, PlatformClient>,
        sim: Option<Vec<Box<dyn std::any::Any + Send>>>,
    ) -> Link {
        let mut config = backend::BackendConfig::new(clients);
        // Applied titles and categories go into the history, as from the window.
        config.database = crate::store::Store::default_path(demo).ok();
        let (backend, events) =
            backend::spawn(&tokio::runtime::Handle::current(), config, Arc::new(|_| {}));
        Link {
            backend,
            events,
            _sim: sim,
        }
    }

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

    /// Sends commands that carry request ids at once and waits for every answer; answers
    /// come back in the commands' order.
    pub async fn ask_all(
        &mut self,
        make: impl IntoIterator<Item = Box<dyn FnOnce(u64) -> Command + Send>>,
    ) -> Result<Vec<Event>, String> {
        let mut questions = Vec::new();
        for make in make {
            let command = make(self.backend.next_request_id());
            questions.push(command.clone());
            self.backend.send(command);
        }
        let mut answers: Vec<Option<Event>> = vec![None; questions.len()];
        while answers.iter().any(Option::is_none) {
            let Some(event) = self.events.recv().await else {
                return Err("the backend stopped before answering".into());
            };
            if let Some(i) = questions.iter().position(|q| q.is_answered_by(&event)) {
                answers[i] = Some(event);
            }
        }
        Ok(answers.into_iter().flatten().collect())
    }
}

impl Session {
    /// Sends one command to the backend and waits for its answer.
    pub async fn ask(&mut self, make: impl FnOnce(u64) -> Command) -> Result<Event, String> {
        self.link.ask(make).await
    }
}
