//! The command line: `stagehand [--demo] [--json] <platform> <command> [options]`.
//!
//! Every platform takes the same commands and options. An option or command a platform does
//! not have (tags on Trovo, an audience or a redirect port on Twitch, editors on Trovo) is
//! parsed here and refused when the command runs, with exit status 1 and one line saying
//! so: never silently dropped.

use crate::model::{Audience, PlatformId};
use clap::{ArgGroup, Args, FromArgMatches, Parser, Subcommand};

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
    pub command: Option<TopCommand>,
}

/// A headless command: on one platform, or across all of them.
#[derive(Debug, Subcommand)]
pub enum TopCommand {
    #[command(flatten)]
    Platform(PlatformCommand),
    /// Every signed-in platform at once: one title and one game for all.
    All {
        #[command(subcommand)]
        command: AllCommand,
    },
    /// Saved forms: a title and a category per platform, tags, language, audience.
    Preset {
        #[command(subcommand)]
        command: PresetCommand,
    },
    /// The titles and categories applied, newest first.
    History {
        /// Only this platform's.
        #[arg(long, value_parser = parse_platform)]
        platform: Option<PlatformId>,
    },
    /// Categories across platforms.
    Category {
        #[command(subcommand)]
        command: CategoryCommand,
    },
    /// Stream stats the window recorded: the current (or last) stream on each platform and
    /// in total; `streams` lists every one; `export` writes one as CSV.
    Stats {
        #[command(subcommand)]
        command: Option<StatsCommand>,
    },
}

/// Stats actions.
#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Every recorded stream, newest first.
    Streams,
    /// One stream's samples and markers as CSV.
    Export {
        /// The stream's id (see `stats streams`).
        stream_id: i64,
        file: std::path::PathBuf,
    },
}

/// What to do on every platform.
#[derive(Debug, Subcommand)]
pub enum AllCommand {
    /// Change the title, category, language or tags on every signed-in platform at once;
    /// the category is given by name and matched to each platform's own.
    Set(AllSetArgs),
    /// Every platform's channel, side by side.
    Channel,
}

/// What `all set` changes; at least one field.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("changes").required(true).multiple(true)))]
pub struct AllSetArgs {
    /// The stream title.
    #[arg(long, group = "changes")]
    pub title: Option<String>,
    /// The game by name, e.g. "Hades II": matched to each platform's category.
    #[arg(long, group = "changes", value_name = "NAME")]
    pub category: Option<String>,
    /// A two-letter ISO 639-1 language code, e.g. EN (skipped where a platform has none).
    #[arg(long, group = "changes")]
    pub language: Option<String>,
    /// The whole tag list, comma-separated (skipped where a platform has no tags).
    #[arg(long, group = "changes", value_parser = parse_tags)]
    pub tags: Option<TagList>,
    /// Who the stream is for: all, 13+ or 18+ (skipped where a platform has no audience).
    #[arg(long, group = "changes", value_parser = parse_audience)]
    pub audience: Option<Audience>,
    #[command(flatten)]
    pub only: Only,
}

/// Which platforms a command across platforms is for.
#[derive(Debug, Args)]
pub struct Only {
    /// Only these platforms, comma-separated, e.g. trovo,twitch (every signed-in one
    /// without it).
    #[arg(long, value_parser = parse_platforms)]
    pub only: Option<PlatformList>,
}

/// Platforms as given on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformList(pub Vec<PlatformId>);

/// Preset actions.
#[derive(Debug, Subcommand)]
pub enum PresetCommand {
    /// Save a preset: the platforms' live titles and categories (--from-live), or the
    /// fields given.
    Save(PresetSaveArgs),
    /// Every preset.
    List,
    /// One preset's fields.
    Show { name: String },
    /// Apply a preset to every signed-in platform (or --only some).
    Apply {
        name: String,
        #[command(flatten)]
        only: Only,
    },
    /// Rename a preset.
    Rename { from: String, to: String },
    /// Delete a preset.
    Delete { name: String },
    /// Write every preset to a JSON file.
    Export { file: std::path::PathBuf },
    /// Read presets from a JSON file written by `preset export` (all or none).
    Import { file: std::path::PathBuf },
}

/// What `preset save` keeps.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("fields").required(true).multiple(true)))]
pub struct PresetSaveArgs {
    pub name: String,
    /// Each platform's own live title and category.
    #[arg(long, group = "fields", conflicts_with_all = ["title", "category", "language", "tags", "audience"])]
    pub from_live: bool,
    #[arg(long, group = "fields")]
    pub title: Option<String>,
    /// The game by name, matched to each signed-in platform's category now.
    #[arg(long, group = "fields", value_name = "NAME")]
    pub category: Option<String>,
    #[arg(long, group = "fields")]
    pub language: Option<String>,
    #[arg(long, group = "fields", value_parser = parse_tags)]
    pub tags: Option<TagList>,
    #[arg(long, group = "fields", value_parser = parse_audience)]
    pub audience: Option<Audience>,
}

/// Category actions across platforms.
#[derive(Debug, Subcommand)]
pub enum CategoryCommand {
    /// What a game is called on each signed-in platform: a confirmed mapping, else the
    /// best match of a search by NAME.
    Map {
        name: String,
        /// Remember what was found as the same game, so later uses need no search.
        #[arg(long)]
        confirm: bool,
    },
}

/// The platform a headless command is for (`stagehand trovo …`): one subcommand per
/// platform in the registry, each taking the same commands.
#[derive(Debug)]
pub struct PlatformCommand {
    /// The platform the subcommand named.
    pub platform: PlatformId,
    /// What to do there.
    pub command: HeadlessCommand,
}

impl PlatformCommand {
    /// The platform and what to do on it.
    pub fn split(self) -> (PlatformId, HeadlessCommand) {
        (self.platform, self.command)
    }

    fn platform_subcommand(platform: PlatformId) -> clap::Command {
        let about = format!("{platform} ({}).", platform.entry().website());
        // The commands' own doc comment would name the subcommand otherwise: `about` last.
        HeadlessCommand::augment_subcommands(clap::Command::new(platform.slug()))
            .about(about)
            .subcommand_required(true)
            .arg_required_else_help(true)
    }
}

impl FromArgMatches for PlatformCommand {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let Some((name, sub)) = matches.subcommand() else {
            return Err(clap::Error::new(clap::error::ErrorKind::MissingSubcommand));
        };
        let platform = PlatformId::from_slug(name).ok_or_else(|| {
            clap::Error::raw(
                clap::error::ErrorKind::InvalidSubcommand,
                format!("no platform is called {name:?}\n"),
            )
        })?;
        Ok(PlatformCommand {
            platform,
            command: HeadlessCommand::from_arg_matches(sub)?,
        })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = PlatformCommand::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Subcommand for PlatformCommand {
    fn augment_subcommands(cmd: clap::Command) -> clap::Command {
        PlatformId::ALL
            .into_iter()
            .fold(cmd, |cmd, p| cmd.subcommand(Self::platform_subcommand(p)))
    }

    fn augment_subcommands_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_subcommands(cmd)
    }

    fn has_subcommand(name: &str) -> bool {
        PlatformId::from_slug(name).is_some()
    }
}

/// What to do on the platform.
#[derive(Debug, Subcommand)]
pub enum HeadlessCommand {
    /// Show a channel: your own, or another by --id or --name.
    Channel {
        /// The channel's id.
        #[arg(long, conflicts_with = "name")]
        id: Option<String>,
        /// The channel's username (login: the last part of its URL).
        #[arg(long)]
        name: Option<String>,
    },
    /// Change your channel's title, category, language, tags, delay or audience.
    Set(SetArgs),
    /// Search categories, or list the top ones without a query.
    Categories {
        /// What to search for.
        query: Option<String>,
        /// At most this many categories.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Everyone watching (on Twitch: everyone in chat), with their roles.
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
    /// The people allowed to edit your channel (Twitch).
    Editors,
    /// The teams your channel belongs to (Twitch).
    Teams,
    /// Your channel's videos, newest first: past broadcasts, highlights and uploads
    /// (Twitch).
    Videos {
        /// At most this many videos.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Start a commercial break on your live channel (Twitch: 30 to 180 s).
    Commercial {
        /// How long the break lasts, in seconds.
        #[arg(long)]
        length: u32,
    },
    /// Your stream key (Velora can also replace it).
    StreamKey {
        #[command(subcommand)]
        command: StreamKeyCommand,
    },
    /// Time a user out of your chat. USER is a username, or a user id.
    Timeout {
        /// The username, or the user id.
        user: String,
        /// How long, in seconds.
        seconds: u32,
        /// Why (shown to the moderators).
        #[arg(long)]
        reason: Option<String>,
        /// Another channel's id (your own without it).
        #[arg(long)]
        id: Option<String>,
    },
    /// Ban a user from your chat. USER is a username, or a user id.
    Ban {
        /// The username, or the user id.
        user: String,
        /// Why (shown to the moderators).
        #[arg(long)]
        reason: Option<String>,
        /// Another channel's id (your own without it).
        #[arg(long)]
        id: Option<String>,
    },
    /// Delete one chat message: its author (username or user id) and its id.
    DeleteMessage {
        /// The author's username, or user id.
        user: String,
        /// The message's id.
        message_id: String,
        /// Another channel's id (your own without it).
        #[arg(long)]
        id: Option<String>,
    },
    /// Sign in; the sign-in is kept on the system's credential store. Trovo and Velora open
    /// the browser and wait for its redirect; Twitch shows a code to confirm on its page.
    Login {
        /// Only print the sign-in address; do not open the browser.
        #[arg(long)]
        no_browser: bool,
        /// Trovo and Velora: the port of the redirect URI registered with the platform
        /// (http://localhost:PORT/); STAGEHAND_REDIRECT_PORT or 8919 without it.
        #[arg(long)]
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
    /// Who the stream is for: all, 13+ or 18+ (Trovo).
    #[arg(long, group = "changes", value_parser = parse_audience)]
    pub audience: Option<Audience>,
    /// The whole tag list, comma-separated, e.g. `English,Speedrun`; `""` clears every tag
    /// (Twitch).
    #[arg(long, group = "changes", value_parser = parse_tags)]
    pub tags: Option<TagList>,
    /// The broadcast delay in seconds (Twitch partners).
    #[arg(long, group = "changes")]
    pub delay: Option<u32>,
}

/// A whole tag list as given on the command line; empty clears the tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagList(pub Vec<String>);

/// Stream key actions.
#[derive(Debug, Subcommand)]
pub enum StreamKeyCommand {
    /// Print the current stream key (it is secret: keep it off shared screens and logs).
    Show,
    /// Replace the stream key (Velora). The old key stops working at once: the encoder
    /// needs the new one. Asks for --yes, since it breaks a running stream's encoder.
    Regenerate {
        /// Really replace it.
        #[arg(long)]
        yes: bool,
        /// Print the new key on stdout (without it, nothing secret is printed).
        #[arg(long)]
        show: bool,
    },
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
    /// Print your channel's live events as they happen (chat, follows, subscriptions,
    /// gifts, raids, ...), one per line (with --json, one JSON object per line), until
    /// --for seconds pass, --count events were printed, or Ctrl+C. A dropped connection
    /// comes back by itself.
    Follow {
        /// Stop after this many events.
        #[arg(long)]
        count: Option<usize>,
        /// Stop after this many seconds.
        #[arg(long = "for", value_name = "SECONDS")]
        for_secs: Option<u64>,
        /// Also print what happened just before the connection (the platform's recent
        /// history).
        #[arg(long)]
        backlog: bool,
    },
}

fn parse_platform(s: &str) -> Result<PlatformId, String> {
    PlatformId::from_slug(s.trim()).ok_or_else(|| {
        let known: Vec<_> = PlatformId::ALL.iter().map(|p| p.slug()).collect();
        format!("no platform is called {s:?}: use {}", known.join(", "))
    })
}

/// `trovo,twitch` → both; blanks and repeats are dropped.
fn parse_platforms(s: &str) -> Result<PlatformList, String> {
    let mut out = Vec::new();
    for piece in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let p = parse_platform(piece)?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    if out.is_empty() {
        return Err("name at least one platform".into());
    }
    Ok(PlatformList(out))
}

fn parse_audience(s: &str) -> Result<Audience, String> {
    Audience::parse(s).ok_or_else(|| format!("{s:?} is not an audience: use all, 13+ or 18+"))
}

/// `a,b` → `["a", "b"]`; blanks around commas are dropped, as are empty pieces, so `""`
/// is the empty list. The platform judges the tags themselves.
fn parse_tags(s: &str) -> Result<TagList, String> {
    Ok(TagList(
        s.split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("stagehand").chain(args.iter().copied()))
    }

    fn set_args(args: &[&str]) -> SetArgs {
        let cli = parse(args).expect("parses");
        match cli.command {
            Some(TopCommand::Platform(p)) => match p.split() {
                (_, HeadlessCommand::Set(s)) => s,
                other => panic!("not a set: {other:?}"),
            },
            other => panic!("not a set: {other:?}"),
        }
    }

    #[test]
    fn tags_parse_as_a_whole_list_and_empty_clears() {
        let s = set_args(&["twitch", "set", "--tags", "English, Speedrun,,Chill"]);
        assert_eq!(
            s.tags,
            Some(TagList(vec![
                "English".into(),
                "Speedrun".into(),
                "Chill".into()
            ]))
        );
        let s = set_args(&["twitch", "set", "--tags", ""]);
        assert_eq!(s.tags, Some(TagList(Vec::new())), "an empty list clears");
        let s = set_args(&["twitch", "set", "--delay", "30"]);
        assert_eq!(s.delay, Some(30));
        assert!(s.tags.is_none());
    }

    #[test]
    fn both_platforms_take_the_same_commands() {
        for platform in ["trovo", "twitch", "velora"] {
            for line in [
                vec![platform, "stream-key", "regenerate", "--yes", "--show"],
                vec![platform, "timeout", "someone", "60", "--reason", "spam"],
                vec![platform, "ban", "someone"],
                vec![platform, "delete-message", "someone", "m-1"],
                vec![platform, "login", "--port", "8920"],
                vec![platform, "channel", "--name", "someone"],
                vec![platform, "editors"],
                vec![platform, "teams"],
                vec![platform, "videos"],
                vec![platform, "videos", "--limit", "3"],
                vec![platform, "commercial", "--length", "60"],
                vec![platform, "login", "--no-browser"],
                vec![platform, "set", "--title", ""],
            ] {
                assert!(parse(&line).is_ok(), "{line:?}");
            }
        }
        assert_eq!(
            parse(&["twitch", "set"]).map(|_| ()).map_err(|e| e.kind()),
            Err(clap::error::ErrorKind::MissingRequiredArgument)
        );
        assert!(parse(&["twitch", "commercial"]).is_err(), "--length needed");
        assert!(parse(&["twitch", "videos", "--limit", "x"]).is_err());
        assert!(parse(&["nosuchplatform", "channel"]).is_err());
    }

    #[test]
    fn commands_across_platforms_parse_beside_the_platforms() {
        let cli = parse(&[
            "all",
            "set",
            "--title",
            "T",
            "--only",
            "trovo, twitch,trovo",
        ])
        .expect("parses");
        match cli.command {
            Some(TopCommand::All {
                command: AllCommand::Set(args),
            }) => {
                assert_eq!(args.title.as_deref(), Some("T"));
                assert_eq!(
                    args.only.only,
                    Some(PlatformList(vec![PlatformId::Trovo, PlatformId::Twitch]))
                );
            }
            other => panic!("not all set: {other:?}"),
        }
        assert!(parse(&["all", "set"]).is_err(), "a field is needed");
        assert!(parse(&["all", "set", "--title", "T", "--only", "myspace"]).is_err());
        assert!(parse(&["preset", "save", "P", "--from-live", "--title", "T"]).is_err());
        assert!(parse(&["preset", "save", "P"]).is_err());
        for line in [
            vec!["preset", "save", "P", "--from-live"],
            vec!["preset", "list"],
            vec!["preset", "show", "P"],
            vec!["preset", "apply", "P", "--only", "velora"],
            vec!["preset", "export", "f.json"],
            vec!["history", "--platform", "twitch"],
            vec!["category", "map", "Hades II"],
            vec!["all", "channel"],
            vec!["stats"],
            vec!["stats", "streams"],
            vec!["stats", "export", "3", "s.csv"],
            vec!["twitch", "channel"],
        ] {
            assert!(parse(&line).is_ok(), "{line:?}");
        }
    }
}
