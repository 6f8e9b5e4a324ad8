//! Trovo's chat commands as `/channels/command` runs them. Each returns `Ok(())` or the
//! `display_msg` Trovo would show in the chat box for a refused command.
//!
//! Who may run what: the streamer runs everything in their channel; moderators run the chat
//! moderation commands (ban, unban, clear, slow, followers, subscribers); anyone else nothing.

use crate::sim::trovo::{
    people::Person,
    world::{World, now_ms, now_secs},
};

use super::channel::check_title;

/// Moderation commands a moderator may run; the rest are the streamer's.
const MOD_COMMANDS: &[&str] = &[
    "ban",
    "unban",
    "clear",
    "slow",
    "slowoff",
    "followers",
    "followersoff",
    "subscribers",
    "subscribersoff",
];
const OWNER_COMMANDS: &[&str] = &[
    "mod",
    "unmod",
    "settitle",
    "host",
    "unhost",
    "addrole",
    "removerole",
];

/// Runs `command` (no leading slash, as the reference says) in `channel_id` as `operator`.
pub(super) fn run(
    world: &mut World,
    operator: u64,
    channel_id: u64,
    command: &str,
) -> Result<(), String> {
    let command = command.trim();
    let (name, rest) = command
        .split_once(char::is_whitespace)
        .map_or((command, ""), |(n, r)| (n, r.trim()));
    // A leading slash is not stripped: "/ban" is simply not a command name.
    let lower = name.to_lowercase();
    let known = MOD_COMMANDS.contains(&lower.as_str()) || OWNER_COMMANDS.contains(&lower.as_str());
    if !known {
        return Err(format!("Unrecognized command: /{name}"));
    }
    let Some(channel) = world.channel(channel_id) else {
        return Err("This channel does not exist.".to_owned());
    };
    let is_owner = operator == channel.id();
    let may =
        is_owner || (channel.is_moderator(operator) && MOD_COMMANDS.contains(&lower.as_str()));
    if !may {
        return Err(format!(
            "You don't have permission to use /{lower} in this channel."
        ));
    }
    let args: Vec<&str> = rest.split_whitespace().collect();
    match lower.as_str() {
        "ban" => ban(world, operator, channel_id, &args),
        "unban" => {
            let person = target(world, channel_id, &args, "unban")?;
            let channel = channel_of(world, channel_id)?;
            match channel.rules.bans.remove(&person.id) {
                Some(_) => Ok(()),
                None => Err(format!("{} is not banned.", person.nickname)),
            }
        }
        "mod" | "unmod" => {
            let person = target(world, channel_id, &args, &lower)?;
            let channel = channel_of(world, channel_id)?;
            if person.id == channel.id() {
                return Err("The streamer is already in charge of this channel.".to_owned());
            }
            if lower == "mod" {
                channel.grants.mods.insert(person.id);
            } else {
                channel.grants.mods.remove(&person.id);
            }
            Ok(())
        }
        "clear" => {
            world.chat.retain(|line| line.channel_id != channel_id);
            Ok(())
        }
        "slow" => {
            let secs = match args.first() {
                None => 30,
                Some(s) => s
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=3_600).contains(n))
                    .ok_or_else(|| {
                        "Slow mode needs a number of seconds between 1 and 3600.".to_owned()
                    })?,
            };
            channel_of(world, channel_id)?.rules.slow = Some((secs, now_ms()));
            Ok(())
        }
        "slowoff" => {
            channel_of(world, channel_id)?.rules.slow = None;
            Ok(())
        }
        "followers" | "followersoff" => {
            channel_of(world, channel_id)?.rules.followers_only = lower == "followers";
            Ok(())
        }
        "subscribers" | "subscribersoff" => {
            channel_of(world, channel_id)?.rules.subscribers_only = lower == "subscribers";
            Ok(())
        }
        "settitle" => {
            if let Err(e) = check_title(rest) {
                return Err(if e.code == crate::sim::trovo::wire::MODERATED {
                    e.message
                } else {
                    "A title must be 1 to 140 characters.".to_owned()
                });
            }
            channel_of(world, channel_id)?.title = rest.to_owned();
            Ok(())
        }
        "host" => {
            let name = args
                .first()
                .ok_or_else(|| "Usage: /host <username>".to_owned())?;
            let name = name.trim_start_matches('@');
            let hosted = world
                .channel_by_username(name)
                .map(|c| c.id())
                .ok_or_else(|| format!("User \"{name}\" does not exist."))?;
            if hosted == channel_id {
                return Err("You can't host your own channel.".to_owned());
            }
            channel_of(world, channel_id)?.hosting = Some(hosted);
            Ok(())
        }
        "unhost" => {
            channel_of(world, channel_id)?.hosting = None;
            Ok(())
        }
        "addrole" | "removerole" => role(world, channel_id, &lower, &args),
        _ => Err(format!("Unrecognized command: /{name}")),
    }
}

fn channel_of(
    world: &mut World,
    id: u64,
) -> Result<&mut crate::sim::trovo::world::Channel, String> {
    world
        .channel_mut(id)
        .ok_or_else(|| "This channel does not exist.".to_owned())
}

/// The person a command names as its first argument.
fn target(
    world: &mut World,
    channel_id: u64,
    args: &[&str],
    command: &str,
) -> Result<Person, String> {
    let name = args
        .first()
        .ok_or_else(|| format!("Usage: /{command} <username>"))?;
    world
        .find_person(channel_id, name)
        .ok_or_else(|| format!("User \"{}\" does not exist.", name.trim_start_matches('@')))
}

/// `ban USER [SECONDS]`: without seconds the ban is permanent; with them it is a timeout
/// (Trovo has no separate timeout command).
fn ban(world: &mut World, operator: u64, channel_id: u64, args: &[&str]) -> Result<(), String> {
    let person = target(world, channel_id, args, "ban")?;
    let until = match args.get(1) {
        None => None,
        Some(s) => Some(
            s.parse::<i64>()
                .ok()
                .filter(|n| *n > 0 && *n <= 86_400 * 365)
                .map(|n| now_secs() + n)
                .ok_or_else(|| format!("\"{s}\" is not a valid number of seconds."))?,
        ),
    };
    let channel = channel_of(world, channel_id)?;
    if person.id == channel.id() || person.id == operator {
        return Err(format!("You can't ban {}.", person.nickname));
    }
    if operator != channel.id() && channel.grants.mods.contains(&person.id) {
        return Err(format!(
            "Moderators can't ban {}, another moderator.",
            person.nickname
        ));
    }
    channel.rules.bans.insert(person.id, until);
    Ok(())
}

/// `addrole ROLE USER` / `removerole ROLE USER`. `vip` and `editor` are the built-in roles a
/// streamer hands out; any other name is a custom role (created on first use).
fn role(world: &mut World, channel_id: u64, command: &str, args: &[&str]) -> Result<(), String> {
    let (Some(role), Some(_)) = (args.first(), args.get(1)) else {
        return Err(format!("Usage: /{command} <role> <username>"));
    };
    let person = target(world, channel_id, &args[1..], command)?;
    let adding = command == "addrole";
    let channel = channel_of(world, channel_id)?;
    let grants = &mut channel.grants;
    let set = match role.to_lowercase().as_str() {
        "vip" | "vips" => Some(&mut grants.vips),
        "editor" | "editors" => Some(&mut grants.editors),
        _ => grants.custom_role(role, adding),
    };
    let Some(set) = set else {
        return Err(format!("Role \"{role}\" does not exist."));
    };
    if adding {
        set.insert(person.id);
    } else {
        set.remove(&person.id);
    }
    Ok(())
}
