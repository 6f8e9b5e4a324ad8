//! Headless commands, for scripts, hotkeys and Stream Deck buttons:
//! `stagehand [--demo] [--json] <platform> <command> [options]`.
//!
//! They run through the same backend and clients as the window. Exit status: 0 on success,
//! 1 with one line on stderr when the platform, the network or the configuration fails, 2
//! for a usage error (clap's own exit code).

use crate::backend::{self, BackendHandle, EventReceiver};
use crate::command::{Command, Event};
use crate::error::PlatformError;
use crate::launch;
use crate::model::{Account, Audience, Channel, ChannelChanges, PlatformId};
use crate::platform::{ChannelTarget, PlatformClient};
use crate::sim::trovo::{SimOptions, TrovoSim};
use clap::{ArgGroup, Args, Parser, Subcommand};

mod signin;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "stagehand",
    version,
    about = "A control panel for live streamers on Trovo, Twitch and Velora",
    long_about = "A control panel for live streamers. Without a command it opens the window; with one it runs headless, for scripts, hotkeys and Stream Deck buttons."
)]
pub struct Cli {
    /// Run against the built-in simulator instead of the real platforms (no account needed).
    #[arg(long, global = true)]
    pub demo: bool,
    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub platform: Option<PlatformCommand>,
}

/// The platform a headless command is for.
#[derive(Debug, Subcommand)]
pub enum PlatformCommand {
    /// Trovo (trovo.live).
    Trovo {
        #[command(subcommand)]
        command: HeadlessCommand,
    },
}

/// What to do on the platform.
#[derive(Debug, Subcommand)]
pub enum HeadlessCommand {
    /// Show a channel: your own, or another by --id or --name.
    Channel {
        /// The channel's id.
        #[arg(long, conflicts_with = "name")]
        id: Option<String>,
        /// The channel's username (the last part of its URL).
        #[arg(long)]
        name: Option<String>,
    },
    /// Change your channel's title, category, language or audience.
    Set(SetArgs),
    /// Search categories, or list the top ones without a query.
    Categories {
        /// What to search for.
        query: Option<String>,
        /// At most this many categories.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Everyone watching, with their roles.
    Viewers {
        /// Another channel's id (your own without it).
        #[arg(long)]
        id: Option<String>,
    },
    /// Followers, newest first.
    Followers {
        /// Another channel's id (your own without it).
        #[arg(long)]
        id: Option<String>,
        /// At most this many followers.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Your channel's subscribers.
    Subscribers,
    /// Chat.
    Chat {
        #[command(subcommand)]
        command: ChatCommand,
    },
    /// The signed-in account.
    Whoami,
    /// Sign in with the browser; the sign-in is kept on the system's credential store.
    Login {
        /// Only print the sign-in address; do not open the browser.
        #[arg(long)]
        no_browser: bool,
        /// The port of the redirect URI registered with the platform
        /// (http://localhost:PORT/); 8919 by default.
        #[arg(long, env = "STAGEHAND_REDIRECT_PORT")]
        port: Option<u16>,
    },
    /// Sign out: revoke the token and delete every stored secret.
    Logout,
}

/// Channel fields to change; at least one.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("changes").required(true).multiple(true)))]
pub struct SetArgs {
    /// The stream title.
    #[arg(long, group = "changes")]
    pub title: Option<String>,
    /// The category id (see `categories`).
    #[arg(long, group = "changes")]
    pub category: Option<String>,
    /// A two-letter ISO 639-1 language code, e.g. EN.
    #[arg(long, group = "changes")]
    pub language: Option<String>,
    /// Who the stream is for: all, 13+ or 18+.
    #[arg(long, group = "changes", value_parser = parse_audience)]
    pub audience: Option<Audience>,
}

/// Chat actions.
#[derive(Debug, Subcommand)]
pub enum ChatCommand {
    /// Send a message to your channel, or another by --id.
    Send {
        /// The message (several words are joined with spaces).
        #[arg(required = true, num_args = 1..)]
        message: Vec<String>,
        /// Another channel's id.
        #[arg(long)]
        id: Option<String>,
    },
}

fn parse_audience(s: &str) -> Result<Audience, String> {
    Audience::parse(s).ok_or_else(|| format!("{s:?} is not an audience: use all, 13+ or 18+"))
}

/// Runs a headless command and returns the process exit status.
pub async fn run(demo: bool, json: bool, command: PlatformCommand) -> ExitCode {
    match execute(demo, command).await {
        Ok(output) => {
            let text = if json { output.json } else { output.text };
            println!("{}", text.trim_end());
            ExitCode::SUCCESS
        }
        Err(line) => {
            eprintln!("stagehand: {}", one_line(&line));
            ExitCode::from(1)
        }
    }
}

/// A sentence forced onto one line, since scripts read stderr line by line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a command prints, both ways.
struct Output {
    json: String,
    text: String,
}

/// Keeps the in-process simulator alive while a `--demo` command runs.
struct Session {
    backend: BackendHandle,
    events: EventReceiver,
    _sim: Option<TrovoSim>,
}

async fn connect(demo: bool, platform: PlatformId) -> Result<Session, String> {
    if platform != PlatformId::Trovo {
        return Err(format!("{platform} is not supported yet"));
    }
    let (client, sim) = if demo {
        let sim = TrovoSim::start(SimOptions::default())
            .await
            .map_err(|e| format!("could not start the built-in simulator: {e}"))?;
        (launch::trovo_sim_client(&sim)?, Some(sim))
    } else {
        let settings = launch::Settings::load();
        let store = crate::auth::signin::open_store().await;
        (
            launch::trovo_client_from_env(&settings, &store).await?,
            None,
        )
    };
    Ok(session_with(PlatformClient::Trovo(client), platform, sim))
}

fn session_with(client: PlatformClient, platform: PlatformId, sim: Option<TrovoSim>) -> Session {
    let clients = HashMap::from([(platform, client)]);
    let (backend, events) = backend::spawn(
        &tokio::runtime::Handle::current(),
        backend::BackendConfig::new(clients),
        Arc::new(|| {}),
    );
    Session {
        backend,
        events,
        _sim: sim,
    }
}

impl Session {
    /// Sends one command and waits for its answer.
    async fn ask(&mut self, make: impl FnOnce(u64) -> Command) -> Result<Event, String> {
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

fn err(e: PlatformError) -> String {
    e.to_string()
}

async fn execute(demo: bool, command: PlatformCommand) -> Result<Output, String> {
    let PlatformCommand::Trovo { command } = command;
    let platform = PlatformId::Trovo;
    match command {
        HeadlessCommand::Login { no_browser, port } => {
            return signin::login(demo, no_browser, port).await;
        }
        HeadlessCommand::Logout => return signin::logout(demo).await,
        _ => {}
    }
    let mut session = connect(demo, platform).await?;
    match command {
        HeadlessCommand::Login { .. } | HeadlessCommand::Logout => Err(unexpected()),
        HeadlessCommand::Channel { id, name } => {
            let target = match (id, name) {
                (Some(id), _) => ChannelTarget::Id(id),
                (None, Some(name)) => ChannelTarget::Name(name),
                (None, None) => ChannelTarget::Own,
            };
            let event = session
                .ask(|request_id| Command::LoadChannel {
                    platform,
                    target,
                    request_id,
                })
                .await?;
            let Event::ChannelLoaded { result, .. } = event else {
                return Err(unexpected());
            };
            channel_output(&result.map_err(err)?)
        }
        HeadlessCommand::Set(args) => {
            let changes = ChannelChanges {
                title: args.title,
                category_id: args.category,
                language: args.language,
                audience: args.audience,
                ..Default::default()
            };
            let event = session
                .ask(|request_id| Command::UpdateChannel {
                    platform,
                    changes,
                    request_id,
                })
                .await?;
            let Event::ChannelUpdated { result, .. } = event else {
                return Err(unexpected());
            };
            channel_output(&result.map_err(err)?)
        }
        HeadlessCommand::Categories { query, limit } => {
            let query = query.unwrap_or_default();
            let event = session
                .ask(|request_id| Command::SearchCategories {
                    platform,
                    query,
                    limit,
                    request_id,
                })
                .await?;
            let Event::CategoriesFound { result, .. } = event else {
                return Err(unexpected());
            };
            let page = result.map_err(err)?;
            let mut text = String::new();
            for c in &page.categories {
                let _ = writeln!(text, "{}\t{}", c.id, c.name);
            }
            if page.has_more {
                text.push_str("(more exist: raise --limit)\n");
            }
            output(&page, text)
        }
        HeadlessCommand::Viewers { id } => {
            let event = session
                .ask(|request_id| Command::LoadViewers {
                    platform,
                    channel_id: id,
                    request_id,
                })
                .await?;
            let Event::ViewersLoaded { result, .. } = event else {
                return Err(unexpected());
            };
            let list = result.map_err(err)?;
            let mut text = format!("{} viewers\n", list.total);
            for v in &list.viewers {
                if v.roles.is_empty() {
                    let _ = writeln!(text, "{}", v.name);
                } else {
                    let _ = writeln!(text, "{}\t{}", v.name, v.roles.join(", "));
                }
            }
            output(&*list, text)
        }
        HeadlessCommand::Followers { id, limit } => {
            let event = session
                .ask(|request_id| Command::LoadFollowers {
                    platform,
                    channel_id: id,
                    limit,
                    request_id,
                })
                .await?;
            let Event::FollowersLoaded { result, .. } = event else {
                return Err(unexpected());
            };
            let list = result.map_err(err)?;
            let mut text = format!("{} followers\n", list.total);
            for f in &list.followers {
                let _ = writeln!(text, "{}\t{}", f.name, rfc3339(f.followed_at));
            }
            output(&*list, text)
        }
        HeadlessCommand::Subscribers => {
            let event = session
                .ask(|request_id| Command::LoadSubscribers {
                    platform,
                    request_id,
                })
                .await?;
            let Event::SubscribersLoaded { result, .. } = event else {
                return Err(unexpected());
            };
            let list = result.map_err(err)?;
            let mut text = format!("{} subscribers\n", list.total);
            for s in &list.subscribers {
                let _ = writeln!(
                    text,
                    "{}\ttier {}\tsince {}",
                    s.name,
                    s.tier.as_deref().unwrap_or("?"),
                    rfc3339(s.since)
                );
            }
            output(&*list, text)
        }
        HeadlessCommand::Chat {
            command: ChatCommand::Send { message, id },
        } => {
            let message = message.join(" ");
            let event = session
                .ask(|request_id| Command::SendChat {
                    platform,
                    message,
                    channel_id: id,
                    request_id,
                })
                .await?;
            let Event::ChatSent { result, .. } = event else {
                return Err(unexpected());
            };
            result.map_err(err)?;
            output(&serde_json::json!({ "sent": true }), "sent\n".into())
        }
        HeadlessCommand::Whoami => {
            let event = session.ask(|_| Command::LoadAccount { platform }).await?;
            let Event::AccountLoaded { result, .. } = event else {
                return Err(unexpected());
            };
            let account = result.map_err(err)?;
            let text = format!(
                "{} ({}), id {}\n",
                account.display_name, account.name, account.id
            );
            output(&WhoamiView::from(&account), text)
        }
    }
}

fn unexpected() -> String {
    "the backend answered with an unexpected event".into()
}

fn output<T: Serialize + ?Sized>(value: &T, text: String) -> Result<Output, String> {
    let json = serde_json::to_string(value).map_err(|e| format!("could not print JSON: {e}"))?;
    Ok(Output { json, text })
}

fn rfc3339(t: Option<time::OffsetDateTime>) -> String {
    t.and_then(|t| {
        t.to_offset(time::UtcOffset::UTC)
            .format(&time::format_description::well_known::Rfc3339)
            .ok()
    })
    .unwrap_or_else(|| "-".into())
}

/// `channel` and `set` print exactly these fields.
#[derive(Serialize)]
struct ChannelView<'a> {
    id: &'a str,
    name: &'a str,
    title: &'a str,
    category: Option<CategoryView<'a>>,
    language: Option<&'a str>,
    audience: Option<Audience>,
    is_live: bool,
    viewers: Option<u64>,
    followers: Option<u64>,
    subscribers: Option<u64>,
}

#[derive(Serialize)]
struct CategoryView<'a> {
    id: Option<&'a str>,
    name: Option<&'a str>,
}

fn channel_output(c: &Channel) -> Result<Output, String> {
    let view = ChannelView {
        id: &c.id,
        name: &c.name,
        title: &c.title,
        category: c.category.as_ref().map(|k| CategoryView {
            id: k.id.as_deref(),
            name: k.name.as_deref(),
        }),
        language: c.language.as_deref(),
        audience: c.audience,
        is_live: c.is_live,
        viewers: c.viewers,
        followers: c.followers,
        subscribers: c.subscribers,
    };
    let count = |n: Option<u64>| n.map_or_else(|| "-".to_owned(), |n| n.to_string());
    let text = format!(
        "{} ({}), id {}\ntitle:       {}\ncategory:    {}\nlanguage:    {}\naudience:    {}\nlive:        {}\nviewers:     {}\nfollowers:   {}\nsubscribers: {}\n",
        c.display_name.as_deref().unwrap_or(&c.name),
        c.name,
        c.id,
        c.title,
        c.category
            .as_ref()
            .and_then(|k| k.name.clone().or(k.id.clone()))
            .unwrap_or_else(|| "-".into()),
        c.language.as_deref().unwrap_or("-"),
        c.audience.map_or("-", Audience::label),
        if c.is_live { "yes" } else { "no" },
        count(c.viewers),
        count(c.followers),
        count(c.subscribers),
    );
    output(&view, text)
}

/// `whoami` prints exactly these fields.
#[derive(Serialize)]
struct WhoamiView<'a> {
    id: &'a str,
    name: &'a str,
    display_name: &'a str,
}

impl<'a> From<&'a Account> for WhoamiView<'a> {
    fn from(a: &'a Account) -> Self {
        WhoamiView {
            id: &a.id,
            name: &a.name,
            display_name: &a.display_name,
        }
    }
}
