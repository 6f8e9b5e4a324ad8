//! The platform-neutral model: what panels draw and headless commands print, whatever the
//! platform. Each platform module translates its own wire shapes into these types, so adding
//! a platform never touches the panels.
//!
//! Serialised field names are the headless command contract (`--json`): keep them stable.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use time::OffsetDateTime;

/// Which streaming platform a value belongs to: declared with the platform registry.
pub use crate::platform::PlatformId;

mod chat;
pub use chat::{ChatEvent, ChatUser, EventKind, SubTier};
/// A time as the headless commands and exports write it: RFC 3339 in UTC.
pub fn utc_rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// [`utc_rfc3339`] to the whole second, for tables people read.
pub fn utc_rfc3339_seconds(t: OffsetDateTime) -> String {
    utc_rfc3339(t.replace_nanosecond(0).unwrap_or(t))
}

mod saved;
mod stats;
pub use saved::{
    CategoryMapping, CategoryProposal, HistoryEntry, PickedCategory, Preset, Saved, SavedChange,
};
pub use stats::{
    MarkerKind, StatsSnapshot, StreamMarker, StreamRecord, StreamSample, StreamSummary,
};

/// Who a stream is meant for. Only some platforms have it (see `Capabilities::audience`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Audience {
    #[serde(rename = "all")]
    All,
    #[serde(rename = "13+")]
    Teen,
    #[serde(rename = "18+")]
    Adult,
}

impl Audience {
    /// Every audience, in the order a picker lists them.
    pub const ALL: [Audience; 3] = [Audience::All, Audience::Teen, Audience::Adult];

    /// The label shown in the window and accepted on the command line.
    pub fn label(self) -> &'static str {
        match self {
            Audience::All => "all",
            Audience::Teen => "13+",
            Audience::Adult => "18+",
        }
    }

    /// Parses the command-line spelling (`all`, `13+`, `18+`).
    pub fn parse(s: &str) -> Option<Audience> {
        Audience::ALL
            .into_iter()
            .find(|a| a.label().eq_ignore_ascii_case(s.trim()))
    }
}

/// A category (game) a stream can be filed under, as a search or the top list returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: String,
    pub name: String,
    pub short_name: Option<String>,
    pub icon_url: Option<String>,
}

/// A page of categories: a search answer or the top list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryPage {
    pub categories: Vec<Category>,
    /// More matches exist than were returned (the platform's flag, or the limit cut the list).
    pub has_more: bool,
}

/// The category a channel is currently filed under.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRef {
    pub id: Option<String>,
    pub name: Option<String>,
}

/// A channel's public state: what the stream info panel edits and the top bar shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Channel {
    pub id: String,
    /// The username: the last part of the channel URL.
    pub name: String,
    /// The name shown to viewers, which may differ from the username.
    pub display_name: Option<String>,
    pub title: String,
    pub category: Option<CategoryRef>,
    /// ISO 639-1 code as the platform reports it (Trovo: upper-case).
    pub language: Option<String>,
    pub audience: Option<Audience>,
    pub is_live: bool,
    pub viewers: Option<u64>,
    pub followers: Option<u64>,
    pub subscribers: Option<u64>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    pub avatar_url: Option<String>,
    /// The channel's tags, or `None` where the platform has no tags (Trovo). An empty list
    /// is a platform with tags and a channel without any.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// The broadcast delay in seconds, where the platform reports one (Twitch); `None`
    /// elsewhere.
    #[serde(default)]
    pub delay: Option<u32>,
}

/// The fields of a channel a user can change; `None` leaves a field as it is, so Apply
/// sends only what the user edited.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelChanges {
    pub title: Option<String>,
    pub category_id: Option<String>,
    pub language: Option<String>,
    pub audience: Option<Audience>,
    /// The whole new tag list (an empty list clears every tag), where `Capabilities::tags`.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// The new broadcast delay in seconds, where `Capabilities::delay` (Twitch: partners).
    #[serde(default)]
    pub delay: Option<u32>,
}

impl ChannelChanges {
    /// The fields it changes, as a user names them ("title", "category"...).
    pub fn field_names(&self) -> Vec<&'static str> {
        [
            (self.title.is_some(), "title"),
            (self.category_id.is_some(), "category"),
            (self.language.is_some(), "language"),
            (self.audience.is_some(), "audience"),
            (self.tags.is_some(), "tags"),
            (self.delay.is_some(), "delay"),
        ]
        .into_iter()
        .filter_map(|(set, name)| set.then_some(name))
        .collect()
    }

    /// True when there is nothing to send.
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.category_id.is_none()
            && self.language.is_none()
            && self.audience.is_none()
            && self.tags.is_none()
            && self.delay.is_none()
    }
}

/// One person in the viewer list, with the roles the platform gives them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub name: String,
    /// Lower-case singular role names (`moderator`, `subscriber`, ...) plus custom roles by
    /// their own name; empty for a plain viewer.
    pub roles: Vec<Role>,
}

/// A role name. Built-in roles borrow a static name, so a 100,000-viewer list does not
/// allocate "follower" 50,000 times; custom roles own theirs.
pub type Role = Cow<'static, str>;

/// Everyone watching, each viewer once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewerList {
    /// The platform's own count of signed-in viewers.
    pub total: u64,
    /// Viewers who are not signed in, where the platform counts them.
    pub anonymous: Option<u64>,
    pub viewers: Vec<Viewer>,
}

/// Someone who follows the channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Follower {
    pub id: String,
    /// The username (login).
    pub name: String,
    /// The name the platform shows, where it differs from `name` (any script, any case).
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub followed_at: Option<OffsetDateTime>,
}

/// The name to show for someone: the display name where the platform gives one that differs
/// from the username, else the username.
pub fn shown_name<'a>(name: &'a str, display_name: Option<&'a str>) -> &'a str {
    display_name
        .filter(|d| !d.trim().is_empty())
        .unwrap_or(name)
}

/// A display name worth keeping: present, not blank, and not just the username again
/// (case aside).
pub fn distinct_display_name(name: &str, display_name: Option<String>) -> Option<String> {
    display_name
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty() && !d.eq_ignore_ascii_case(name))
}

/// The channel's followers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowerList {
    /// The platform's total, which can exceed `followers.len()` when a limit was asked.
    pub total: u64,
    pub followers: Vec<Follower>,
}

/// Someone who subscribes to the channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscriber {
    pub id: String,
    /// The username (login).
    pub name: String,
    /// The name the platform shows, where it differs from `name`.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The platform's own tier string ("1".."3" on Trovo, "1000".."3000" on Twitch).
    pub tier: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub since: Option<OffsetDateTime>,
    /// Whether the subscription was a gift, where the platform says (Twitch, Velora);
    /// `None` where it does not (Trovo).
    #[serde(default)]
    pub gifted: Option<bool>,
}

/// The channel's subscribers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriberList {
    pub total: u64,
    pub subscribers: Vec<Subscriber>,
}

/// The signed-in account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    /// A partner channel (Twitch), which unlocks the broadcast delay; false elsewhere.
    #[serde(default)]
    pub partner: bool,
}

/// What the platform says of the signed-in token: until when it lasts and what it allows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInStatus {
    pub scopes: Vec<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
}

/// What a platform supports, so panels hide fields a platform lacks instead of knowing
/// which platform they draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    pub title_max_chars: usize,
    pub chat_max_chars: usize,
    pub language: bool,
    pub audience: bool,
    pub tags: bool,
    /// How many tags a channel may carry (0 where there are no tags).
    pub max_tags: usize,
    /// How long one tag may be, in characters (0 where there are no tags).
    pub tag_max_chars: usize,
    /// A broadcast delay can be set; the platform may still limit it to some channels
    /// (Twitch: partners only).
    pub delay: bool,
    /// The longest delay the platform takes, in seconds (0 where there is no delay).
    pub delay_max_secs: u32,
    pub subscribers: bool,
    /// The own stream key can be read.
    pub stream_key: bool,
    /// The own stream key can be reset through the API (else the UI links to the platform's
    /// dashboard).
    pub stream_key_reset: bool,
    /// Editors, teams and commercials exist on this platform (Twitch).
    pub editors: bool,
    pub teams: bool,
    pub commercials: bool,
    /// The channel's past broadcasts, highlights and uploads can be listed.
    pub videos: bool,
    /// Chat moderation (timeout, ban) through the API.
    pub moderation: bool,
    /// Where the user resets the stream key when the API cannot (the platform's dashboard).
    #[serde(skip)]
    pub stream_key_dashboard: Option<&'static str>,
    /// Settings users look for that the platform no longer has, each a sentence the form
    /// shows instead of silently dropping them.
    #[serde(skip)]
    pub retired: &'static [&'static str],
}

impl Capabilities {
    /// What panels assume before a platform has said: every field shown, generous limits
    /// (the platform still refuses what it does not take).
    pub const UNKNOWN: Capabilities = Capabilities {
        title_max_chars: 140,
        chat_max_chars: 500,
        language: true,
        audience: true,
        tags: false,
        max_tags: 0,
        tag_max_chars: 0,
        delay: false,
        delay_max_secs: 0,
        subscribers: true,
        stream_key: false,
        stream_key_reset: false,
        editors: false,
        teams: false,
        commercials: false,
        videos: false,
        moderation: false,
        stream_key_dashboard: None,
        retired: &[],
    };
}

/// Someone the broadcaster allowed to edit the channel (Twitch's editors).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Editor {
    pub id: String,
    /// The username (login) where the platform gives one, else the display name.
    pub name: String,
    pub display_name: Option<String>,
    /// When they became an editor.
    #[serde(with = "time::serde::rfc3339::option")]
    pub since: Option<OffsetDateTime>,
}

/// A team the channel belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: String,
    /// The team's short name (the last part of its URL).
    pub name: String,
    pub display_name: Option<String>,
    pub info: Option<String>,
    pub thumbnail_url: Option<String>,
}

/// What the platform says of a commercial it started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommercialStarted {
    /// The length the platform actually runs, in seconds (may be shorter than asked).
    pub length: u32,
    /// The platform's note (why it shortened the break, say), if any.
    pub message: Option<String>,
    /// Seconds until another commercial may start: the cooldown the UI shows.
    pub retry_after: u32,
}

/// The request budget a platform's rate limit leaves, for the status bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateBudget {
    pub limit: u32,
    pub remaining: u32,
    /// When the window resets.
    #[serde(with = "time::serde::rfc3339::option")]
    pub resets_at: Option<OffsetDateTime>,
}

/// A video on the channel: a past broadcast, a highlight or an upload (Twitch's videos,
/// what Kraken's channel videos list gave).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Video {
    pub id: String,
    pub title: String,
    /// The video's page.
    pub url: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub created_at: Option<OffsetDateTime>,
    /// The length in seconds (an archive still being recorded: so far).
    pub duration: Option<u64>,
    pub view_count: Option<u64>,
    /// The platform's own kind, lower-case: on Twitch `archive` (a past broadcast),
    /// `highlight` or `upload`.
    pub kind: Option<String>,
    /// A picture at a fixed size (the platform's size template filled in); `None` while the
    /// platform has none (an archive still being recorded).
    pub thumbnail_url: Option<String>,
}

/// Who a moderation action is aimed at: a user by id or by username (login). Platforms
/// take one or the other or both; a client resolves what its platform needs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetUser {
    Id(String),
    Name(String),
}

/// A chat moderation action, platform-neutral. Platforms without a moderation API answer
/// `PlatformError::Unsupported`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum ModerationAction {
    /// Keeps `user` out of chat for `secs` seconds.
    Timeout {
        user: TargetUser,
        secs: u32,
        reason: Option<String>,
    },
    /// Bans `user` from chat.
    Ban {
        user: TargetUser,
        reason: Option<String>,
    },
    /// Deletes one chat message; `user` is its author (Velora requires it).
    DeleteMessage {
        user: TargetUser,
        message_id: String,
    },
}

impl ModerationAction {
    /// The user the action is aimed at.
    pub fn user(&self) -> &TargetUser {
        match self {
            ModerationAction::Timeout { user, .. }
            | ModerationAction::Ban { user, .. }
            | ModerationAction::DeleteMessage { user, .. } => user,
        }
    }
}

/// What the platform said of a moderation action it carried out: its own message, if any
/// (a refused action is a `PlatformError` carrying the platform's message instead).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationOutcome {
    pub message: Option<String>,
}

/// Which channel a read is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChannelTarget {
    /// The signed-in user's own channel.
    Own,
    /// Any channel by its id.
    Id(String),
    /// Any channel by its username (the last part of its URL).
    Name(String),
}

/// Pixels ready for a texture: RGBA, row by row (decoded off the UI thread).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedImage {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

#[cfg(test)]
mod display_name_tests {
    use super::*;

    #[test]
    fn a_platform_s_slug_is_what_serde_writes() {
        for p in PlatformId::ALL {
            let json = serde_json::to_string(&p).expect("serialises");
            assert_eq!(json, format!("\"{}\"", p.slug()));
        }
    }

    #[test]
    fn a_display_name_is_kept_only_where_it_says_more_than_the_username() {
        let d = |s: &str| Some(s.to_owned());
        assert_eq!(distinct_display_name("luna", d("Luna")), None);
        assert_eq!(distinct_display_name("luna", d("  ")), None);
        assert_eq!(distinct_display_name("luna", None), None);
        assert_eq!(distinct_display_name("luna", d(" 루나 ")), d("루나"));
        assert_eq!(shown_name("luna", Some("루나")), "루나");
        assert_eq!(shown_name("luna", None), "luna");
    }
}
