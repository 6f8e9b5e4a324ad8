//! Headless commands, for scripts, hotkeys and Stream Deck buttons:
//! `stagehand [--demo] [--json] <platform> <command> [options]`.
//!
//! They run through the same backend and clients as the window (editors, teams, videos and
//! commercials, which the backend has no command for, call the platform client directly).
//! Exit status: 0 on success, 1 with one line on stderr when the platform, the network or
//! the configuration fails or the platform has no such option, 2 for a usage error (clap's
//! own exit code).
//!
//! Layout: `args` (the command line), `session` (the client and backend of a run), `output`
//! (what is printed), `signin` (Trovo's browser sign-in), `twitch` (Twitch's device sign-in),
//! `velora` (Velora's PKCE sign-in).

mod across;
mod args;
mod follow;
mod output;
mod saved;
mod session;
mod signin;
mod stats;

pub use args::{
    AllCommand, AllSetArgs, CategoryCommand, ChatCommand, Cli, HeadlessCommand, PlatformCommand,
    PresetCommand, SetArgs, StatsCommand, StreamKeyCommand, TagList, TopCommand,
};

use crate::command::{Command, Event};
use crate::error::PlatformError;
use crate::model::{ChannelChanges, ModerationAction, PlatformId, TargetUser};
use crate::platform::ChannelTarget;
use output::{Output, one_line, output};
use std::process::ExitCode;

/// Runs a headless command and returns the process exit status.
pub async fn run(demo: bool, json: bool, command: TopCommand) -> ExitCode {
    let answer = match command {
        TopCommand::Platform(command) => return run_platform(demo, json, command).await,
        TopCommand::All {
            command: AllCommand::Set(args),
        } => across::all_set(demo, args).await,
        TopCommand::All {
            command: AllCommand::Channel,
        } => across::all_channel(demo).await.map(across::Across::ok),
        TopCommand::Category {
            command: CategoryCommand::Map { name, confirm },
        } => across::category_map(demo, &name, confirm)
            .await
            .map(across::Across::ok),
        TopCommand::History { platform } => {
            saved::history(demo, platform).await.map(across::Across::ok)
        }
        TopCommand::Preset { command } => saved::preset(demo, command).await,
        TopCommand::Stats { command } => match command {
            None => stats::current(demo).await,
            Some(StatsCommand::Streams) => stats::streams(demo).await,
            Some(StatsCommand::Export { stream_id, file }) => {
                stats::export(demo, stream_id, &file).await
            }
        }
        .map(across::Across::ok),
    };
    match answer {
        Ok(across) => {
            let text = if json {
                across.output.json
            } else {
                across.output.text
            };
            let printed = print_out(text.trim_end());
            if across.all_ok {
                printed
            } else {
                ExitCode::from(1)
            }
        }
        Err(line) => {
            eprintln!("stagehand: {}", one_line(&line));
            ExitCode::from(1)
        }
    }
}

/// Runs a command on one platform.
async fn run_platform(demo: bool, json: bool, command: PlatformCommand) -> ExitCode {
    let (platform, command) = command.split();
    if let HeadlessCommand::Chat {
        command:
            ChatCommand::Follow {
                count,
                for_secs,
                backlog,
            },
    } = command
    {
        let limits = follow::FollowLimits {
            count,
            duration: for_secs.map(std::time::Duration::from_secs),
            backlog,
        };
        return match follow::run(demo, json, platform, limits).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(line) => {
                eprintln!("stagehand: {}", one_line(&line));
                ExitCode::from(1)
            }
        };
    }
    match execute(demo, platform, command).await {
        Ok(output) => {
            let text = if json { output.json } else { output.text };
            print_out(text.trim_end())
        }
        Err(line) => {
            eprintln!("stagehand: {}", one_line(&line));
            ExitCode::from(1)
        }
    }
}

/// Prints the answer. A reader that stopped early (`| head`) is not a failure of the
/// command; any other write error is one line on stderr.
fn print_out(text: &str) -> ExitCode {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stagehand: could not print the answer: {e}");
            ExitCode::from(1)
        }
    }
}

fn err(e: PlatformError) -> String {
    e.to_string()
}

fn unexpected() -> String {
    "the backend answered with an unexpected event".into()
}

async fn execute(
    demo: bool,
    platform: PlatformId,
    command: HeadlessCommand,
) -> Result<Output, String> {
    // Sign-in and sign-out work without a signed-in client.
    match &command {
        HeadlessCommand::Login { no_browser, port } => {
            return signin::login(platform, demo, *no_browser, *port).await;
        }
        HeadlessCommand::Logout => return signin::logout(platform, demo).await,
        _ => {}
    }
    let mut session = session::connect(demo, platform).await?;
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
            output::channel(&result.map_err(err)?)
        }
        HeadlessCommand::Set(args) => {
            // The platform client refuses what the platform lacks (tags or a delay on
            // Trovo, an audience on Twitch) and what its rules refuse, before sending.
            let changes = ChannelChanges {
                title: args.title,
                category_id: args.category,
                language: args.language,
                audience: args.audience,
                tags: args.tags.map(|t| t.0),
                delay: args.delay,
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
            // The channel as the platform reports it after the change.
            output::channel(&result.map_err(err)?)
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
            output::categories(&result.map_err(err)?)
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
            output::viewers(&*result.map_err(err)?)
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
            output::followers(&*result.map_err(err)?)
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
            output::subscribers(&*result.map_err(err)?)
        }
        HeadlessCommand::Chat {
            command: ChatCommand::Follow { .. },
        } => Err(unexpected()),
        HeadlessCommand::Chat {
            command: ChatCommand::Send { message, id },
        } => {
            let message = message.join(" ");
            check_chat_length(platform, &message, session.client.capabilities())?;
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
            // The id is what `delete-message` takes; Trovo gives none.
            let message_id = result.map_err(err)?;
            let text = match &message_id {
                Some(id) => format!("sent (message id {id})\n"),
                None => "sent\n".into(),
            };
            output(
                &serde_json::json!({ "sent": true, "message_id": message_id }),
                text,
            )
        }
        HeadlessCommand::Whoami => {
            let event = session.ask(|_| Command::LoadAccount { platform }).await?;
            let Event::AccountLoaded { result, .. } = event else {
                return Err(unexpected());
            };
            output::whoami(&result.map_err(err)?)
        }
        HeadlessCommand::Editors => {
            let event = session.ask(|_| Command::LoadEditors { platform }).await?;
            let Event::EditorsLoaded { result, .. } = event else {
                return Err(unexpected());
            };
            output::editors(&result.map_err(err)?)
        }
        HeadlessCommand::Teams => {
            let event = session.ask(|_| Command::LoadTeams { platform }).await?;
            let Event::TeamsLoaded { result, .. } = event else {
                return Err(unexpected());
            };
            output::teams(&result.map_err(err)?)
        }
        HeadlessCommand::Videos { limit } => {
            let event = session
                .ask(|_| Command::LoadVideos { platform, limit })
                .await?;
            let Event::VideosLoaded { result, .. } = event else {
                return Err(unexpected());
            };
            output::videos(&result.map_err(err)?)
        }
        HeadlessCommand::Commercial { length } => {
            let event = session
                .ask(|_| Command::StartCommercial { platform, length })
                .await?;
            let Event::CommercialStarted { result, .. } = event else {
                return Err(unexpected());
            };
            output::commercial(&result.map_err(err)?)
        }
        HeadlessCommand::StreamKey {
            command: StreamKeyCommand::Show,
        } => {
            let event = session.ask(|_| Command::LoadStreamKey { platform }).await?;
            let Event::StreamKeyLoaded { result, .. } = event else {
                return Err(unexpected());
            };
            output::stream_key(&result.map_err(err)?)
        }
        HeadlessCommand::StreamKey {
            command: StreamKeyCommand::Regenerate { yes, show },
        } => {
            // A platform that cannot reset the key says why, without anything being sent.
            if session.client.capabilities().stream_key_reset && !yes {
                return Err(format!(
                    "regenerating the {platform} stream key stops the current one at once (a running encoder is cut off until it is given the new key): add --yes to go ahead; nothing was changed"
                ));
            }
            let event = session
                .ask(|_| Command::RegenerateStreamKey { platform })
                .await?;
            let Event::StreamKeyRegenerated { result, .. } = event else {
                return Err(unexpected());
            };
            output::regenerated_key(platform, &result.map_err(err)?, show)
        }
        HeadlessCommand::Timeout {
            user,
            seconds,
            reason,
            id,
        } => {
            let action = ModerationAction::Timeout {
                user: target_user(&user),
                secs: seconds,
                reason,
            };
            moderate(&session, &action, id.as_deref(), &user).await
        }
        HeadlessCommand::Ban { user, reason, id } => {
            let action = ModerationAction::Ban {
                user: target_user(&user),
                reason,
            };
            moderate(&session, &action, id.as_deref(), &user).await
        }
        HeadlessCommand::DeleteMessage {
            user,
            message_id,
            id,
        } => {
            let action = ModerationAction::DeleteMessage {
                user: target_user(&user),
                message_id,
            };
            moderate(&session, &action, id.as_deref(), &user).await
        }
    }
}

/// Carries out a moderation action; a refusal (or a platform without moderation) is the
/// error, with the platform's message.
async fn moderate(
    session: &session::Session,
    action: &ModerationAction,
    channel_id: Option<&str>,
    user: &str,
) -> Result<Output, String> {
    let outcome = session
        .client
        .moderate(action, channel_id)
        .await
        .map_err(err)?;
    output::moderated(action, user, &outcome)
}

/// A user id where the argument has the shape of one (a UUID, as Velora's ids are), else a
/// username.
fn target_user(user: &str) -> TargetUser {
    let user = user.trim();
    if is_uuid(user) {
        TargetUser::Id(user.to_owned())
    } else {
        TargetUser::Name(user.trim_start_matches('@').to_owned())
    }
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A chat line over the platform's limit is refused before anything is sent.
fn check_chat_length(
    platform: PlatformId,
    message: &str,
    caps: crate::model::Capabilities,
) -> Result<(), String> {
    let n = message.chars().count();
    let max = caps.chat_max_chars;
    if n > max {
        return Err(format!(
            "a {platform} chat message may be at most {max} characters (this one has {n}); nothing was sent"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uuid_is_a_user_id_anything_else_a_username() {
        assert_eq!(
            target_user("3f2b8c1e-0d4a-4e5b-9c6d-7e8f9a0b1c2d"),
            TargetUser::Id("3f2b8c1e-0d4a-4e5b-9c6d-7e8f9a0b1c2d".into())
        );
        assert_eq!(target_user("@someone"), TargetUser::Name("someone".into()));
        assert_eq!(
            target_user("3f2b8c1e-0d4a-4e5b-9c6d"),
            TargetUser::Name("3f2b8c1e-0d4a-4e5b-9c6d".into())
        );
        assert_eq!(
            target_user("3f2b8c1e-0d4a-4e5b-9c6d-7e8f9a0b1c2g"),
            TargetUser::Name("3f2b8c1e-0d4a-4e5b-9c6d-7e8f9a0b1c2g".into())
        );
    }

    #[test]
    fn velora_chat_over_500_characters_is_refused() {
        let velora = crate::platform::velora::CAPABILITIES;
        assert!(check_chat_length(PlatformId::Velora, &"x".repeat(500), velora).is_ok());
        assert!(check_chat_length(PlatformId::Velora, &"x".repeat(501), velora).is_err());
    }

    #[test]
    fn chat_over_the_platform_s_limit_is_refused() {
        let twitch = crate::platform::twitch::CAPABILITIES;
        let trovo = crate::platform::trovo::CAPABILITIES;
        assert!(check_chat_length(PlatformId::Twitch, &"é".repeat(500), twitch).is_ok());
        let e =
            check_chat_length(PlatformId::Twitch, &"é".repeat(501), twitch).expect_err("too long");
        assert!(e.contains("500") && e.contains("501") && e.contains("nothing was sent"));
        let max = trovo.chat_max_chars;
        assert!(check_chat_length(PlatformId::Trovo, &"x".repeat(max), trovo).is_ok());
        assert!(check_chat_length(PlatformId::Trovo, &"x".repeat(max + 1), trovo).is_err());
    }
}
