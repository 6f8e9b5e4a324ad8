//! EventSub's websocket messages and the events Stagehand follows, decoded leniently, with
//! their translation into chat lines. Every message is `{metadata: {message_id,
//! message_type, message_timestamp, subscription_type?}, payload}`; the types are
//! `session_welcome`, `session_keepalive`, `notification`, `session_reconnect` and
//! `revocation`. An event that does not decode is skipped, never fatal.

use crate::model::{ChatAuthor, ChatKind, ChatMessage, Role};
use crate::platform::lenient::{bool_lenient, list, opt_string, opt_time, opt_u64};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use time::OffsetDateTime;

/// The chat lines of the channel (scope user:read:chat).
pub const CHAT_MESSAGE: &str = "channel.chat.message";
/// Subscriptions, raids and announcements as chat shows them (scope user:read:chat).
pub const CHAT_NOTIFICATION: &str = "channel.chat.notification";
/// A moderator deleted one line (scope user:read:chat).
pub const CHAT_MESSAGE_DELETE: &str = "channel.chat.message_delete";
/// A ban or time-out cleared someone's lines (scope user:read:chat).
pub const CHAT_CLEAR_USER: &str = "channel.chat.clear_user_messages";
/// New followers (version 2, scope moderator:read:followers).
pub const FOLLOW: &str = "channel.follow";

/// One message from the socket.
#[derive(Debug, Default, Deserialize)]
pub struct Frame {
    #[serde(default)]
    pub metadata: Metadata,
    #[serde(default)]
    pub payload: Payload,
}

/// What every message carries.
#[derive(Debug, Default, Deserialize)]
pub struct Metadata {
    /// Unique per message; a notification Twitch sends again keeps its id.
    #[serde(default, deserialize_with = "opt_string")]
    pub message_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub message_type: Option<String>,
    #[serde(default, deserialize_with = "opt_time")]
    pub message_timestamp: Option<OffsetDateTime>,
    /// On notifications and revocations: the subscription's type.
    #[serde(default, deserialize_with = "opt_string")]
    pub subscription_type: Option<String>,
}

/// The payload: a session (welcome, reconnect), or a subscription with its event
/// (notification) or without (revocation).
#[derive(Debug, Default, Deserialize)]
pub struct Payload {
    #[serde(default)]
    pub session: Option<Session>,
    #[serde(default)]
    pub subscription: Option<Subscription>,
    #[serde(default)]
    pub event: Option<Value>,
}

/// The websocket session.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Session {
    /// What subscriptions name as their transport's `session_id`.
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub status: Option<String>,
    /// The longest silence to expect before a keepalive; absent on a reconnect message.
    #[serde(default, deserialize_with = "opt_u64")]
    pub keepalive_timeout_seconds: Option<u64>,
    /// Where to connect next, on `session_reconnect`.
    #[serde(default, deserialize_with = "opt_string")]
    pub reconnect_url: Option<String>,
}

/// A subscription, as notifications, revocations and the create call describe it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Subscription {
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    /// `enabled`; on a revocation why it ended (`authorization_revoked`, `user_removed`,
    /// `version_removed`...).
    #[serde(default, deserialize_with = "opt_string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "opt_string", rename = "type")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub version: Option<String>,
}

/// A badge on a chatter: `set_id` names it (`moderator`, `subscriber`...).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Badge {
    #[serde(default, deserialize_with = "opt_string")]
    pub set_id: Option<String>,
}

/// A message's text (its fragments are not needed: the text holds them all).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct MessageBody {
    #[serde(default, deserialize_with = "opt_string")]
    pub text: Option<String>,
}

/// `channel.chat.message`'s event.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ChatMessageEvent {
    #[serde(default, deserialize_with = "opt_string")]
    pub message_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub chatter_user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub chatter_user_login: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub chatter_user_name: Option<String>,
    #[serde(default)]
    pub message: Option<MessageBody>,
    #[serde(default, deserialize_with = "list")]
    pub badges: Vec<Badge>,
}

/// `channel.chat.notification`'s event.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ChatNotificationEvent {
    #[serde(default, deserialize_with = "opt_string")]
    pub message_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub chatter_user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub chatter_user_login: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub chatter_user_name: Option<String>,
    #[serde(default, deserialize_with = "bool_lenient")]
    pub chatter_is_anonymous: bool,
    #[serde(default, deserialize_with = "list")]
    pub badges: Vec<Badge>,
    /// `sub`, `resub`, `sub_gift`, `community_sub_gift`, `raid`, `announcement`...
    #[serde(default, deserialize_with = "opt_string")]
    pub notice_type: Option<String>,
    /// Twitch's own sentence ("X subscribed at Tier 1."), starting with the name.
    #[serde(default, deserialize_with = "opt_string")]
    pub system_message: Option<String>,
    /// What the chatter wrote with it, if anything.
    #[serde(default)]
    pub message: Option<MessageBody>,
}

/// `channel.follow`'s event (version 2).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct FollowEvent {
    #[serde(default, deserialize_with = "opt_string")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub user_login: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub user_name: Option<String>,
    #[serde(default, deserialize_with = "opt_time")]
    pub followed_at: Option<OffsetDateTime>,
}

/// Roles from badges, lower-case as in the viewer list. The broadcaster is also their own
/// moderator, as the viewer list says; badges that are not roles (bits, Prime...) are left
/// out.
pub fn roles(badges: &[Badge]) -> Vec<Role> {
    let mut out: Vec<Role> = Vec::new();
    let mut add = |r: &'static str| {
        if !out.iter().any(|x| x == r) {
            out.push(Cow::Borrowed(r));
        }
    };
    for b in badges {
        match b.set_id.as_deref().map(str::trim).unwrap_or_default() {
            "broadcaster" => {
                add("broadcaster");
                add("moderator");
            }
            "moderator" | "lead_moderator" => add("moderator"),
            "vip" => add("vip"),
            "subscriber" => add("subscriber"),
            "founder" => add("founder"),
            "staff" => add("staff"),
            "admin" => add("admin"),
            "global_mod" => add("global_mod"),
            "artist-badge" => add("artist"),
            _ => {}
        }
    }
    out
}

fn author(
    id: Option<String>,
    login: Option<String>,
    name: Option<String>,
    roles: Vec<Role>,
) -> ChatAuthor {
    let id = id.filter(|s| !s.trim().is_empty());
    let login = login.filter(|s| !s.trim().is_empty());
    let display_name = name
        .filter(|s| !s.trim().is_empty())
        .or_else(|| login.clone())
        .unwrap_or_else(|| "Twitch".to_owned());
    ChatAuthor {
        id,
        login,
        display_name,
        roles,
    }
}

fn text(body: Option<MessageBody>) -> Option<String> {
    body.and_then(|b| b.text).filter(|t| !t.trim().is_empty())
}

/// The event of a removal: whose lines, and which one where it is one.
#[derive(Debug, Default, Deserialize)]
struct RemovalEvent {
    #[serde(default, deserialize_with = "opt_string")]
    target_user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    message_id: Option<String>,
}

impl Frame {
    /// The lines a notification says a moderator removed, or `None` for anything else.
    pub fn removal(&self) -> Option<crate::platform::chat_feed::ChatRemoval> {
        use crate::platform::chat_feed::ChatRemoval;
        let kind = self.metadata.subscription_type.as_deref().or_else(|| {
            self.payload
                .subscription
                .as_ref()
                .and_then(|s| s.kind.as_deref())
        })?;
        let nonblank = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        let event: RemovalEvent = serde_json::from_value(self.payload.event.clone()?).ok()?;
        match kind {
            CHAT_MESSAGE_DELETE => nonblank(event.message_id).map(ChatRemoval::Message),
            CHAT_CLEAR_USER => nonblank(event.target_user_id).map(ChatRemoval::ByUser),
            _ => None,
        }
    }

    /// The chat line a notification carries, or `None` for another message, an event of
    /// a type Stagehand does not follow, or one that does not decode.
    pub fn chat_line(&self) -> Option<ChatMessage> {
        let event = self.payload.event.clone()?;
        let kind = self.metadata.subscription_type.as_deref().or_else(|| {
            self.payload
                .subscription
                .as_ref()
                .and_then(|s| s.kind.as_deref())
        })?;
        let sent_at = self.metadata.message_timestamp;
        match kind {
            CHAT_MESSAGE => {
                let e: ChatMessageEvent = serde_json::from_value(event).ok()?;
                let content = text(e.message)?;
                Some(ChatMessage {
                    id: e.message_id.filter(|s| !s.trim().is_empty()),
                    author: author(
                        e.chatter_user_id,
                        e.chatter_user_login,
                        e.chatter_user_name,
                        roles(&e.badges),
                    ),
                    content,
                    sent_at,
                    kind: ChatKind::Message,
                })
            }
            CHAT_NOTIFICATION => {
                let e: ChatNotificationEvent = serde_json::from_value(event).ok()?;
                let kind = match e.notice_type.as_deref().unwrap_or_default() {
                    "sub"
                    | "resub"
                    | "sub_gift"
                    | "community_sub_gift"
                    | "gift_paid_upgrade"
                    | "prime_paid_upgrade"
                    | "pay_it_forward"
                    | "shared_chat_sub"
                    | "shared_chat_resub"
                    | "shared_chat_sub_gift"
                    | "shared_chat_community_sub_gift" => ChatKind::Subscription,
                    "raid" | "shared_chat_raid" => ChatKind::Raid,
                    _ => ChatKind::Notice,
                };
                let who = author(
                    (!e.chatter_is_anonymous)
                        .then_some(e.chatter_user_id)
                        .flatten(),
                    e.chatter_user_login,
                    e.chatter_user_name,
                    roles(&e.badges),
                );
                let said = text(e.message);
                let system = e
                    .system_message
                    .map(|s| strip_name(&s, &who))
                    .filter(|s| !s.is_empty());
                let content = match (system, said) {
                    (Some(s), Some(m)) => format!("{s} “{m}”"),
                    (Some(s), None) => s,
                    (None, Some(m)) => m,
                    (None, None) => return None,
                };
                Some(ChatMessage {
                    id: e.message_id.filter(|s| !s.trim().is_empty()),
                    author: who,
                    content,
                    sent_at,
                    kind,
                })
            }
            FOLLOW => {
                let e: FollowEvent = serde_json::from_value(event).ok()?;
                let who = author(e.user_id, e.user_login, e.user_name, Vec::new());
                who.id.as_ref()?;
                Some(ChatMessage {
                    // A follow has no chat message id: the notification's own id tells a
                    // resent notification from a new one.
                    id: self
                        .metadata
                        .message_id
                        .clone()
                        .filter(|s| !s.trim().is_empty())
                        .map(|m| format!("follow:{m}")),
                    author: who,
                    content: "followed the channel".to_owned(),
                    sent_at: e.followed_at.or(sent_at),
                    kind: ChatKind::Follow,
                })
            }
            _ => None,
        }
    }
}

/// Twitch's system sentence without the leading name the panel already shows.
fn strip_name(sentence: &str, who: &ChatAuthor) -> String {
    let s = sentence.trim();
    for name in [Some(who.display_name.as_str()), who.login.as_deref()]
        .into_iter()
        .flatten()
    {
        if let Some(rest) = s.strip_prefix(name)
            && rest.starts_with(char::is_whitespace)
        {
            return rest.trim().to_owned();
        }
    }
    s.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(json: &str) -> Frame {
        serde_json::from_str(json).expect("a frame decodes")
    }

    #[test]
    fn a_chat_message_notification_becomes_a_line_with_roles() {
        // The shape of Twitch's channel.chat.message sample.
        let f = frame(
            r##"{"metadata":{"message_id":"n1","message_type":"notification",
            "message_timestamp":"2023-11-06T18:11:47.492253549Z",
            "subscription_type":"channel.chat.message","subscription_version":"1"},
            "payload":{"subscription":{"id":"s1","status":"enabled","type":"channel.chat.message",
            "version":"1","condition":{"broadcaster_user_id":"1971641","user_id":"2914196"},
            "transport":{"method":"websocket","session_id":"x"},"created_at":"2023-11-06T18:11:47.492253549Z","cost":0},
            "event":{"broadcaster_user_id":"1971641","broadcaster_user_login":"streamer",
            "broadcaster_user_name":"streamer","chatter_user_id":"4145994","chatter_user_login":"viewer32",
            "chatter_user_name":"viewer32","message_id":"cc106a89-1814-919d-454c-f4f2f970aae7",
            "message":{"text":"Hi chat","fragments":[{"type":"text","text":"Hi chat","cheermote":null,"emote":null,"mention":null}]},
            "color":"#00FF7F","badges":[{"set_id":"moderator","id":"1","info":""},
            {"set_id":"subscriber","id":"12","info":"16"},{"set_id":"sub-gifter","id":"1","info":""}],
            "message_type":"text","cheer":null,"reply":null,"channel_points_custom_reward_id":null}}}"##,
        );
        assert_eq!(f.metadata.message_type.as_deref(), Some("notification"));
        let m = f.chat_line().expect("a line");
        assert_eq!(
            m.id.as_deref(),
            Some("cc106a89-1814-919d-454c-f4f2f970aae7")
        );
        assert_eq!(m.author.id.as_deref(), Some("4145994"));
        assert_eq!(m.author.login.as_deref(), Some("viewer32"));
        assert_eq!(m.author.roles, ["moderator", "subscriber"]);
        assert_eq!(m.content, "Hi chat");
        assert_eq!(m.kind, ChatKind::Message);
        let at = m.sent_at.expect("the timestamp with nanoseconds");
        assert_eq!(at.unix_timestamp(), 1_699_294_307);
    }

    #[test]
    fn notices_and_follows_are_lines_of_their_kind() {
        let f = frame(
            r#"{"metadata":{"message_id":"n2","message_type":"notification",
            "subscription_type":"channel.chat.notification"},
            "payload":{"event":{"chatter_user_id":"7","chatter_user_login":"ann","chatter_user_name":"Ann",
            "chatter_is_anonymous":false,"badges":[],"notice_type":"resub","message_id":"m2",
            "system_message":"Ann subscribed at Tier 1. They've subscribed for 5 months!",
            "message":{"text":"love it here","fragments":[]}}}}"#,
        );
        let m = f.chat_line().expect("a notice");
        assert_eq!(m.kind, ChatKind::Subscription);
        assert_eq!(
            m.content,
            "subscribed at Tier 1. They've subscribed for 5 months! “love it here”"
        );
        let f = frame(
            r#"{"metadata":{"message_id":"n3","message_type":"notification","subscription_type":"channel.follow"},
            "payload":{"event":{"user_id":"9","user_login":"bo","user_name":"Bo","followed_at":"2026-01-01T00:00:00Z"}}}"#,
        );
        let m = f.chat_line().expect("a follow");
        assert_eq!(m.kind, ChatKind::Follow);
        assert_eq!(m.id.as_deref(), Some("follow:n3"));
        assert_eq!(m.author.display_name, "Bo");
    }

    #[test]
    fn odd_events_are_skipped_not_fatal() {
        for json in [
            r#"{"metadata":{"message_type":"notification","subscription_type":"channel.chat.message"},"payload":{"event":{"message":{"text":""}}}}"#,
            r#"{"metadata":{"message_type":"notification","subscription_type":"channel.chat.message"},"payload":{"event":"nonsense"}}"#,
            r#"{"metadata":{"message_type":"notification","subscription_type":"channel.ban"},"payload":{"event":{}}}"#,
            r#"{"metadata":{"message_type":"session_keepalive"},"payload":{}}"#,
            r#"{}"#,
        ] {
            assert!(frame(json).chat_line().is_none(), "{json}");
        }
        let f = frame(
            r#"{"metadata":{"message_type":"session_welcome"},"payload":{"session":{"id":"S","keepalive_timeout_seconds":"10","reconnect_url":null}}}"#,
        );
        let s = f.payload.session.expect("a session");
        assert_eq!(s.keepalive_timeout_seconds, Some(10));
        assert!(s.reconnect_url.is_none());
    }
}
