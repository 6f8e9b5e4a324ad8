//! EventSub's websocket messages and the events Stagehand follows, decoded leniently, with
//! their translation into chat lines. Every message is `{metadata: {message_id,
//! message_type, message_timestamp, subscription_type?}, payload}`; the types are
//! `session_welcome`, `session_keepalive`, `notification`, `session_reconnect` and
//! `revocation`. An event that does not decode is skipped, never fatal. Which EventSub
//! type or notice becomes which of the model's events is decided here.

use crate::model::{ChatEvent, ChatUser, EventKind, PlatformId, Role, SubTier};
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
/// A ban or time-out cleared someone's lines (scope user:read:chat); followed only where
/// [`BAN`] is not, since it does not say how long a time-out lasts.
pub const CHAT_CLEAR_USER: &str = "channel.chat.clear_user_messages";
/// A ban or a time-out with its end (scope channel:moderate).
pub const BAN: &str = "channel.ban";
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
    /// The line it answers, on a reply.
    #[serde(default)]
    pub reply: Option<Reply>,
    /// The bits cheered with it, on a cheer.
    #[serde(default)]
    pub cheer: Option<Cheer>,
}

/// `reply` of a chat message.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Reply {
    #[serde(default, deserialize_with = "opt_string")]
    pub parent_message_id: Option<String>,
}

/// `cheer` of a chat message.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Cheer {
    #[serde(default, deserialize_with = "opt_u64")]
    pub bits: Option<u64>,
}

/// The facts of a notice, under the key its `notice_type` names (`sub`, `resub`,
/// `sub_gift`, `community_sub_gift`, `raid`, and their `shared_chat_` twins): only the
/// fields of the notice's own type are there.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NoticeFacts {
    #[serde(default, deserialize_with = "opt_string")]
    pub sub_tier: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub cumulative_months: Option<u64>,
    #[serde(default, deserialize_with = "bool_lenient")]
    pub is_gift: bool,
    #[serde(default, deserialize_with = "bool_lenient")]
    pub gifter_is_anonymous: bool,
    #[serde(default, deserialize_with = "opt_string")]
    pub gifter_user_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub recipient_user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub recipient_user_login: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub recipient_user_name: Option<String>,
    /// How many a community gift holds.
    #[serde(default, deserialize_with = "opt_u64")]
    pub total: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub viewer_count: Option<u64>,
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
    /// The rest of the event: the notice's facts sit under the key `notice_type` names.
    #[serde(flatten)]
    pub facts: serde_json::Map<String, Value>,
}

impl ChatNotificationEvent {
    /// The facts of the notice's own type, or none where they do not decode.
    fn facts(&self, notice: &str) -> NoticeFacts {
        self.facts
            .get(notice)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default()
    }
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

fn user(
    id: Option<String>,
    login: Option<String>,
    name: Option<String>,
    roles: Vec<Role>,
) -> Option<ChatUser> {
    let id = id.filter(|s| !s.trim().is_empty());
    let login = login.filter(|s| !s.trim().is_empty());
    let display_name = name
        .filter(|s| !s.trim().is_empty())
        .or_else(|| login.clone())?;
    Some(ChatUser {
        id,
        name: login,
        display_name,
        roles,
    })
}

fn text(body: Option<MessageBody>) -> Option<String> {
    body.and_then(|b| b.text).filter(|t| !t.trim().is_empty())
}

fn nonblank(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// The event of a removal: whose lines, and which one where it is one.
#[derive(Debug, Default, Deserialize)]
struct RemovalEvent {
    #[serde(default, deserialize_with = "opt_string")]
    target_user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    target_user_login: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    target_user_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    message_id: Option<String>,
}

/// `channel.ban`'s event: who was banned, and until when for a time-out.
#[derive(Clone, Debug, Default, Deserialize)]
struct BanEvent {
    #[serde(default, deserialize_with = "opt_string")]
    user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    user_login: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    user_name: Option<String>,
    #[serde(default, deserialize_with = "opt_time")]
    banned_at: Option<OffsetDateTime>,
    /// `null` for a ban; when a time-out ends.
    #[serde(default, deserialize_with = "opt_time")]
    ends_at: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "bool_lenient")]
    is_permanent: bool,
}

impl Frame {
    /// The event a notification carries, or `None` for another message, an event of a
    /// type Stagehand does not follow, or one that does not decode. `now` stands in for a
    /// missing timestamp.
    pub fn event(&self, now: OffsetDateTime) -> Option<ChatEvent> {
        let event = self.payload.event.clone()?;
        let subscription = self.metadata.subscription_type.as_deref().or_else(|| {
            self.payload
                .subscription
                .as_ref()
                .and_then(|s| s.kind.as_deref())
        })?;
        let at = self.metadata.message_timestamp.unwrap_or(now);
        // Events without a chat message id of their own are told apart by the
        // notification's id, which a redelivery keeps.
        let notification_id = nonblank(self.metadata.message_id.clone());
        let (id, user, kind) = match subscription {
            CHAT_MESSAGE => {
                let e: ChatMessageEvent = serde_json::from_value(event).ok()?;
                let said = text(e.message);
                let who = user(
                    e.chatter_user_id,
                    e.chatter_user_login,
                    e.chatter_user_name,
                    roles(&e.badges),
                );
                let kind = match e.cheer.and_then(|c| c.bits).filter(|b| *b > 0) {
                    Some(bits) => EventKind::Cheer {
                        bits,
                        message: said,
                    },
                    None => EventKind::Message {
                        text: said?,
                        reply_to: e.reply.and_then(|r| nonblank(r.parent_message_id)),
                    },
                };
                (nonblank(e.message_id), who, kind)
            }
            CHAT_NOTIFICATION => {
                let e: ChatNotificationEvent = serde_json::from_value(event).ok()?;
                notice(e)?
            }
            FOLLOW => {
                let e: FollowEvent = serde_json::from_value(event).ok()?;
                let who = user(e.user_id, e.user_login, e.user_name, Vec::new());
                who.as_ref()?.id.as_ref()?;
                return Some(ChatEvent {
                    platform: PlatformId::Twitch,
                    id: notification_id,
                    at: e.followed_at.unwrap_or(at),
                    user: who,
                    kind: EventKind::Follow,
                });
            }
            CHAT_MESSAGE_DELETE => {
                let e: RemovalEvent = serde_json::from_value(event).ok()?;
                let message_id = nonblank(e.message_id)?;
                let who = user(
                    e.target_user_id,
                    e.target_user_login,
                    e.target_user_name,
                    Vec::new(),
                );
                (notification_id, who, EventKind::Delete { message_id })
            }
            CHAT_CLEAR_USER => {
                let e: RemovalEvent = serde_json::from_value(event).ok()?;
                let who = user(
                    e.target_user_id,
                    e.target_user_login,
                    e.target_user_name,
                    Vec::new(),
                );
                who.as_ref()?.id.as_ref()?;
                (notification_id, who, EventKind::Ban { until: None })
            }
            BAN => {
                let e: BanEvent = serde_json::from_value(event).ok()?;
                let who = user(e.user_id, e.user_login, e.user_name, Vec::new());
                who.as_ref()?.id.as_ref()?;
                // A time-out says when it ends; a ban that says neither is a ban.
                let until = e.ends_at.filter(|_| !e.is_permanent);
                return Some(ChatEvent {
                    platform: PlatformId::Twitch,
                    id: notification_id,
                    at: e.banned_at.unwrap_or(at),
                    user: who,
                    kind: EventKind::Ban { until },
                });
            }
            _ => return None,
        };
        Some(ChatEvent {
            platform: PlatformId::Twitch,
            id,
            at,
            user,
            kind,
        })
    }
}

/// A `channel.chat.notification` as an event: subscriptions, gifts and raids with their
/// facts, an announcement as the line it is, anything else in Twitch's own sentence.
fn notice(e: ChatNotificationEvent) -> Option<(Option<String>, Option<ChatUser>, EventKind)> {
    let notice_type = e.notice_type.clone().unwrap_or_default();
    // A shared chat's notice is the same notice from a channel sharing the chat.
    let base = notice_type
        .strip_prefix("shared_chat_")
        .unwrap_or(&notice_type)
        .to_owned();
    let facts = e.facts(&notice_type);
    let chatter = user(
        (!e.chatter_is_anonymous)
            .then_some(e.chatter_user_id.clone())
            .flatten(),
        e.chatter_user_login.clone(),
        e.chatter_user_name.clone(),
        roles(&e.badges),
    )
    .filter(|_| !e.chatter_is_anonymous);
    let tier = facts.sub_tier.as_deref().and_then(SubTier::parse);
    let said = text(e.message.clone());
    let months = |m: Option<u64>| m.and_then(|m| u32::try_from(m).ok());
    let id = nonblank(e.message_id.clone());
    let (who, kind) = match base.as_str() {
        "sub" => (
            chatter,
            EventKind::Subscription {
                tier,
                months: Some(1),
                gift: false,
                gifter: None,
                message: said,
            },
        ),
        "resub" => (
            chatter,
            EventKind::Subscription {
                tier,
                months: months(facts.cumulative_months),
                gift: facts.is_gift,
                gifter: (!facts.gifter_is_anonymous)
                    .then_some(facts.gifter_user_name.clone())
                    .flatten(),
                message: said,
            },
        ),
        "sub_gift" => {
            let recipient = user(
                facts.recipient_user_id.clone(),
                facts.recipient_user_login.clone(),
                facts.recipient_user_name.clone(),
                Vec::new(),
            );
            (
                recipient,
                EventKind::Subscription {
                    tier,
                    months: None,
                    gift: true,
                    gifter: chatter.map(|c| c.display_name),
                    message: None,
                },
            )
        }
        "community_sub_gift" => (
            chatter,
            EventKind::Gift {
                count: facts.total.and_then(|t| u32::try_from(t).ok()).unwrap_or(1),
                tier,
            },
        ),
        "gift_paid_upgrade" | "prime_paid_upgrade" | "pay_it_forward" => (
            chatter,
            EventKind::Subscription {
                tier,
                months: None,
                gift: false,
                gifter: None,
                message: said,
            },
        ),
        "raid" => (
            chatter,
            EventKind::Raid {
                viewers: facts.viewer_count.unwrap_or(0),
            },
        ),
        "announcement" => (
            chatter,
            EventKind::Message {
                text: said?,
                reply_to: None,
            },
        ),
        _ => {
            let system = e
                .system_message
                .as_deref()
                .map(|s| match &chatter {
                    Some(who) => strip_name(s, who),
                    None => s.trim().to_owned(),
                })
                .filter(|s| !s.is_empty());
            let text = match (system, said) {
                (Some(s), Some(m)) => format!("{s} “{m}”"),
                (Some(s), None) => s,
                (None, Some(m)) => m,
                (None, None) => return None,
            };
            (chatter, EventKind::System { text })
        }
    };
    Some((id, who, kind))
}

/// Twitch's system sentence without the leading name the panel already shows.
fn strip_name(sentence: &str, who: &ChatUser) -> String {
    let s = sentence.trim();
    for name in [Some(who.display_name.as_str()), who.name.as_deref()]
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
        let m = f.event(OffsetDateTime::UNIX_EPOCH).expect("a line");
        assert_eq!(
            m.id.as_deref(),
            Some("cc106a89-1814-919d-454c-f4f2f970aae7")
        );
        let user = m.user.expect("the chatter");
        assert_eq!(user.id.as_deref(), Some("4145994"));
        assert_eq!(user.name.as_deref(), Some("viewer32"));
        assert_eq!(user.roles, ["moderator", "subscriber"]);
        assert_eq!(
            m.kind,
            EventKind::Message {
                text: "Hi chat".into(),
                reply_to: None
            }
        );
        assert_eq!(m.at.unix_timestamp(), 1_699_294_307);
    }

    fn notice(notice_type: &str, facts: &str) -> ChatEvent {
        frame(&format!(
            r#"{{"metadata":{{"message_id":"n2","message_type":"notification",
            "subscription_type":"channel.chat.notification"}},
            "payload":{{"event":{{"chatter_user_id":"7","chatter_user_login":"ann","chatter_user_name":"Ann",
            "chatter_is_anonymous":false,"badges":[],"notice_type":"{notice_type}","message_id":"m2",
            "system_message":"Ann did something.","message":{{"text":"","fragments":[]}},
            "{notice_type}":{facts}}}}}}}"#
        ))
        .event(OffsetDateTime::UNIX_EPOCH)
        .expect("an event")
    }

    #[test]
    fn notices_carry_their_facts() {
        assert_eq!(
            notice(
                "resub",
                r#"{"cumulative_months":5,"duration_months":1,"streak_months":null,"sub_tier":"2000","is_prime":false,"is_gift":false}"#
            )
            .kind,
            EventKind::Subscription {
                tier: Some(SubTier::Two),
                months: Some(5),
                gift: false,
                gifter: None,
                message: None
            }
        );
        let gifted = notice(
            "sub_gift",
            r#"{"duration_months":1,"cumulative_total":null,"recipient_user_id":"8","recipient_user_name":"Lucky","recipient_user_login":"lucky","sub_tier":"1000","community_gift_id":"c1"}"#,
        );
        assert_eq!(
            gifted.user.as_ref().and_then(|u| u.id.as_deref()),
            Some("8"),
            "the recipient's"
        );
        assert_eq!(
            gifted.kind,
            EventKind::Subscription {
                tier: Some(SubTier::One),
                months: None,
                gift: true,
                gifter: Some("Ann".into()),
                message: None
            }
        );
        assert_eq!(
            notice(
                "community_sub_gift",
                r#"{"id":"c1","total":5,"sub_tier":"1000","cumulative_total":12}"#
            )
            .kind,
            EventKind::Gift {
                count: 5,
                tier: Some(SubTier::One)
            }
        );
        let raid = notice(
            "raid",
            r#"{"user_id":"7","user_name":"Ann","user_login":"ann","viewer_count":37,"profile_image_url":""}"#,
        );
        assert_eq!(raid.kind, EventKind::Raid { viewers: 37 });
        assert_eq!(raid.user.map(|u| u.display_name).as_deref(), Some("Ann"));
        assert_eq!(
            notice("shared_chat_raid", r#"{"viewer_count":4}"#).kind,
            EventKind::Raid { viewers: 4 }
        );
        assert_eq!(
            notice("bits_badge_tier", r#"{"tier":1000}"#).kind,
            EventKind::System {
                text: "did something.".into()
            }
        );
    }

    #[test]
    fn follows_cheers_replies_and_removals_are_events_of_their_kind() {
        let f = frame(
            r#"{"metadata":{"message_id":"n3","message_type":"notification","subscription_type":"channel.follow"},
            "payload":{"event":{"user_id":"9","user_login":"bo","user_name":"Bo","followed_at":"2026-01-01T00:00:00Z"}}}"#,
        );
        let m = f.event(OffsetDateTime::UNIX_EPOCH).expect("a follow");
        assert_eq!(m.kind, EventKind::Follow);
        assert_eq!(m.id.as_deref(), Some("n3"), "the notification's id");
        assert_eq!(m.who(), "Bo");
        let chat = |event: &str| {
            frame(&format!(
                r#"{{"metadata":{{"message_id":"n4","message_type":"notification","subscription_type":"channel.chat.message"}},
                "payload":{{"event":{event}}}}}"#
            ))
            .event(OffsetDateTime::UNIX_EPOCH)
            .map(|e| e.kind)
        };
        assert_eq!(
            chat(
                r#"{"chatter_user_id":"1","chatter_user_login":"a","message_id":"x","message":{"text":"Cheer100 gg"},"cheer":{"bits":100}}"#
            ),
            Some(EventKind::Cheer {
                bits: 100,
                message: Some("Cheer100 gg".into())
            })
        );
        assert_eq!(
            chat(
                r#"{"chatter_user_id":"1","chatter_user_login":"a","message_id":"x","message":{"text":"@b yes"},"reply":{"parent_message_id":"p1"}}"#
            ),
            Some(EventKind::Message {
                text: "@b yes".into(),
                reply_to: Some("p1".into())
            })
        );
        let removal = |kind: &str, event: &str| {
            frame(&format!(
                r#"{{"metadata":{{"message_id":"n5","message_type":"notification","subscription_type":"{kind}"}},
                "payload":{{"event":{event}}}}}"#
            ))
            .event(OffsetDateTime::UNIX_EPOCH)
        };
        let deleted = removal(
            CHAT_MESSAGE_DELETE,
            r#"{"target_user_id":"3","target_user_login":"c","target_user_name":"C","message_id":"x"}"#,
        )
        .expect("a delete");
        assert_eq!(
            deleted.kind,
            EventKind::Delete {
                message_id: "x".into()
            }
        );
        let cleared = removal(
            CHAT_CLEAR_USER,
            r#"{"target_user_id":"3","target_user_login":"c","target_user_name":"C"}"#,
        )
        .expect("a ban");
        assert_eq!(cleared.kind, EventKind::Ban { until: None });
        assert_eq!(cleared.user.and_then(|u| u.id).as_deref(), Some("3"));
    }

    #[test]
    fn a_ban_says_until_when_a_time_out_lasts() {
        let ban = |event: &str| {
            let json = format!(
                r#"{{"metadata":{{"message_id":"n1","message_type":"notification","subscription_type":"channel.ban"}},"payload":{{"event":{event}}}}}"#
            );
            frame(&json).event(OffsetDateTime::UNIX_EPOCH)
        };
        let timeout = ban(
            r#"{"user_id":"3","user_login":"c","user_name":"C","banned_at":"2026-12-08T01:00:00Z","ends_at":"2026-12-08T01:10:00Z","is_permanent":false}"#,
        )
        .expect("a time-out");
        let end = OffsetDateTime::parse(
            "2026-12-08T01:10:00Z",
            &time::format_description::well_known::Rfc3339,
        )
        .expect("time");
        assert_eq!(timeout.kind, EventKind::Ban { until: Some(end) });
        assert_eq!(timeout.id.as_deref(), Some("n1"));
        assert_eq!(timeout.user.and_then(|u| u.name).as_deref(), Some("c"));
        let banned = ban(r#"{"user_id":"3","user_login":"c","ends_at":null,"is_permanent":true}"#)
            .expect("a ban");
        assert_eq!(banned.kind, EventKind::Ban { until: None });
        assert!(ban(r#"{"user_login":"c"}"#).is_none(), "nobody to name");
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
            assert!(
                frame(json).event(OffsetDateTime::UNIX_EPOCH).is_none(),
                "{json}"
            );
        }
        let f = frame(
            r#"{"metadata":{"message_type":"session_welcome"},"payload":{"session":{"id":"S","keepalive_timeout_seconds":"10","reconnect_url":null}}}"#,
        );
        let s = f.payload.session.expect("a session");
        assert_eq!(s.keepalive_timeout_seconds, Some(10));
        assert!(s.reconnect_url.is_none());
    }
}
