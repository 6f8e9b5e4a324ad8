//! The frames of Velora's events stream (`GET /api/events/stream`, server-sent events),
//! decoded leniently, and their translation into the model's events. A frame is
//! `event: NAME` with `data: {"event": NAME, "timestamp": RFC 3339, "data": {…}}`; the
//! names Stagehand knows are `chat.message`, `channel.follow`, `channel.subscribe`,
//! `channel.subscription.gift`, `channel.raid` and `stream.online`/`stream.offline`.
//! Anything else (`connected`, `poll.*`, `hype_train.*`, names added since) is skipped.

use super::wire::{WireViewer, role};
use crate::model::{ChatEvent, ChatUser, EventKind, PlatformId, Role, SubTier};
use crate::platform::lenient::{bool_lenient, opt_string, opt_time, opt_u64};
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;

/// One frame's data: the envelope around the payload.
#[derive(Debug, Default, Deserialize)]
struct Envelope {
    #[serde(default, deserialize_with = "opt_string")]
    event: Option<String>,
    #[serde(default, deserialize_with = "opt_time")]
    timestamp: Option<OffsetDateTime>,
    #[serde(default)]
    data: Option<Payload>,
}

/// A person inside a payload (`sender`, `follower`, `subscriber`, `gifter`, `raider`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Person {
    #[serde(default, deserialize_with = "opt_string", alias = "userId")]
    id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    username: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    display_name: Option<String>,
    #[serde(default, deserialize_with = "bool_lenient")]
    is_anonymous: bool,
}

/// Every payload's fields; each event fills its own.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    #[serde(default, deserialize_with = "opt_string", alias = "id")]
    message_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    message: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    username: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    display_name: Option<String>,
    #[serde(default)]
    badges: Option<Value>,
    #[serde(default, deserialize_with = "bool_lenient")]
    is_mod: bool,
    #[serde(default, deserialize_with = "bool_lenient")]
    is_vip: bool,
    #[serde(default, deserialize_with = "bool_lenient")]
    is_subscriber: bool,
    #[serde(default, deserialize_with = "bool_lenient")]
    is_broadcaster: bool,
    #[serde(default)]
    sender: Option<Person>,
    #[serde(default)]
    follower: Option<Person>,
    #[serde(default)]
    subscriber: Option<Person>,
    #[serde(default)]
    gifter: Option<Person>,
    #[serde(default)]
    raider: Option<Person>,
    #[serde(default, deserialize_with = "opt_string")]
    tier: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    months: Option<u64>,
    #[serde(default, deserialize_with = "bool_lenient")]
    is_gift: bool,
    #[serde(default, deserialize_with = "opt_u64")]
    quantity: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64", alias = "viewerCount")]
    viewers: Option<u64>,
    #[serde(default, deserialize_with = "opt_string", alias = "parentMessageId")]
    reply_to: Option<String>,
    #[serde(default, deserialize_with = "opt_time", alias = "followedAt")]
    timestamp: Option<OffsetDateTime>,
}

impl Payload {
    /// The person the event is about: the named object, else the payload's own
    /// `userId`/`username`/`displayName`.
    fn person(&self, named: Option<&Person>, roles: Vec<Role>) -> Option<ChatUser> {
        let top = Person {
            id: self.user_id.clone(),
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            is_anonymous: false,
        };
        let p = named.cloned().unwrap_or_default();
        let pick = |a: Option<String>, b: Option<String>| {
            a.filter(|s| !s.trim().is_empty())
                .or(b.filter(|s| !s.trim().is_empty()))
        };
        let id = pick(p.id, top.id);
        let name = pick(p.username, top.username);
        let display_name = pick(p.display_name, top.display_name).or_else(|| name.clone())?;
        Some(ChatUser {
            id,
            name,
            display_name,
            roles,
        })
    }

    /// A chatter's roles: the badges, and the flags beside them.
    fn roles(&self) -> Vec<Role> {
        let viewer = WireViewer {
            user_id: None,
            username: None,
            display_name: None,
            roles: self.badges.clone(),
            role: None,
        };
        let mut roles = viewer.roles();
        for (flag, name) in [
            (self.is_broadcaster, "broadcaster"),
            (self.is_mod, "moderator"),
            (self.is_vip, "vip"),
            (self.is_subscriber, "subscriber"),
        ] {
            if let Some(r) = role(name).filter(|_| flag)
                && !roles.contains(&r)
            {
                roles.push(r);
            }
        }
        roles
    }
}

/// The event one frame carries, or `None` for a frame Stagehand does not follow or one
/// that does not decode. `name` is the frame's `event:` line (the envelope's own name
/// where it has none); `now` stands in for a missing time.
pub fn decode(name: &str, data: &str, now: OffsetDateTime) -> Option<ChatEvent> {
    let envelope: Envelope = serde_json::from_str(data).ok()?;
    let name = match name.trim() {
        "" | "message" => envelope.event.clone().unwrap_or_default(),
        n => n.to_owned(),
    };
    let p = envelope.data.unwrap_or_default();
    let at = p.timestamp.or(envelope.timestamp).unwrap_or(now);
    let nonblank = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
    let (user, kind) = match name.as_str() {
        "chat.message" => (
            p.person(p.sender.as_ref(), p.roles()),
            EventKind::Message {
                text: nonblank(&p.message)?,
                reply_to: nonblank(&p.reply_to),
            },
        ),
        "channel.follow" => (p.person(p.follower.as_ref(), Vec::new()), EventKind::Follow),
        "channel.subscribe" => (
            p.person(p.subscriber.as_ref(), Vec::new()),
            EventKind::Subscription {
                tier: p.tier.as_deref().and_then(SubTier::parse),
                months: p.months.and_then(|m| u32::try_from(m).ok()),
                gift: p.is_gift,
                gifter: p
                    .gifter
                    .as_ref()
                    .filter(|g| !g.is_anonymous)
                    .and_then(|g| g.display_name.clone().or(g.username.clone())),
                message: nonblank(&p.message),
            },
        ),
        "channel.subscription.gift" => {
            let anonymous = p.gifter.as_ref().is_some_and(|g| g.is_anonymous);
            let gifter = p.gifter.as_ref().and_then(|g| {
                let display_name = g.display_name.clone().or(g.username.clone())?;
                Some(ChatUser {
                    id: g.id.clone(),
                    name: g.username.clone(),
                    display_name,
                    roles: Vec::new(),
                })
            });
            (
                gifter.filter(|_| !anonymous),
                EventKind::Gift {
                    count: p.quantity.and_then(|q| u32::try_from(q).ok()).unwrap_or(1),
                    tier: p.tier.as_deref().and_then(SubTier::parse),
                },
            )
        }
        "channel.raid" => (
            p.person(p.raider.as_ref(), Vec::new()),
            EventKind::Raid {
                viewers: p.viewers.unwrap_or(0),
            },
        ),
        "stream.online" => (None, EventKind::Stream { live: true }),
        "stream.offline" => (None, EventKind::Stream { live: false }),
        _ => return None,
    };
    Some(ChatEvent {
        platform: PlatformId::Velora,
        id: nonblank(&p.message_id),
        at,
        user,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(name: &str, data: &str) -> Option<ChatEvent> {
        decode(name, data, OffsetDateTime::UNIX_EPOCH)
    }

    #[test]
    fn a_chat_message_has_its_sender_roles_and_id() {
        let e = frame(
            "chat.message",
            r##"{"event":"chat.message","timestamp":"2026-12-01T10:00:00Z","data":{"messageId":"msg_1",
            "message":"hi all","userId":"usr_2","username":"kim","displayName":"Kim","badges":["subscriber"],
            "isMod":true,"isVip":false,"isSubscriber":true,"color":"#f00",
            "sender":{"id":"usr_2","username":"kim","displayName":"Kim","avatarUrl":null,"color":"#f00"},
            "timestamp":"2026-12-01T10:00:01Z"}}"##,
        )
        .expect("a line");
        assert_eq!(e.id.as_deref(), Some("msg_1"));
        assert_eq!(e.at.unix_timestamp(), 1_796_119_201);
        let user = e.user.expect("the sender");
        assert_eq!(
            (user.id.as_deref(), user.name.as_deref()),
            (Some("usr_2"), Some("kim"))
        );
        assert_eq!(user.roles, ["subscriber", "moderator"]);
        assert_eq!(
            e.kind,
            EventKind::Message {
                text: "hi all".into(),
                reply_to: None
            }
        );
    }

    #[test]
    fn follows_subscriptions_gifts_and_raids_carry_their_facts() {
        let of = |name: &str, data: &str| {
            frame(
                name,
                &format!(
                    r#"{{"event":"{name}","timestamp":"2026-12-01T10:00:00Z","data":{data}}}"#
                ),
            )
        };
        let follow = of(
            "channel.follow",
            r#"{"userId":"usr_3","username":"lee","displayName":"Lee","follower":{"id":"usr_3","username":"lee","displayName":"Lee"},"followedAt":"2026-12-01T09:59:59Z"}"#,
        )
        .expect("a follow");
        assert_eq!(follow.kind, EventKind::Follow);
        assert_eq!(follow.who(), "Lee");
        assert_eq!(follow.id, None, "told apart by name, user and time");
        assert_eq!(
            of(
                "channel.subscribe",
                r#"{"userId":"usr_4","username":"mo","subscriber":{"id":"usr_4","username":"mo","displayName":"Mo"},"tier":"2","months":7,"isGift":false,"isRenewal":true}"#
            )
            .map(|e| e.kind),
            Some(EventKind::Subscription {
                tier: Some(SubTier::Two),
                months: Some(7),
                gift: false,
                gifter: None,
                message: None
            })
        );
        let gift = of(
            "channel.subscription.gift",
            r#"{"gifter":{"id":"usr_5","username":"santa","displayName":"Santa","isAnonymous":false},"quantity":5,"tier":"1","userId":"usr_1"}"#,
        )
        .expect("a gift");
        assert_eq!(
            gift.kind,
            EventKind::Gift {
                count: 5,
                tier: Some(SubTier::One)
            }
        );
        assert_eq!(gift.who(), "Santa");
        let anonymous = of(
            "channel.subscription.gift",
            r#"{"gifter":{"isAnonymous":true},"quantity":"3","tier":1}"#,
        )
        .expect("an anonymous gift");
        assert_eq!(anonymous.user, None);
        let raid = of(
            "channel.raid",
            r#"{"raider":{"id":"usr_6","username":"nia","displayName":"Nia"},"viewers":37}"#,
        )
        .expect("a raid");
        assert_eq!(raid.kind, EventKind::Raid { viewers: 37 });
        assert_eq!(raid.who(), "Nia");
    }

    #[test]
    fn unknown_names_and_broken_frames_are_skipped() {
        assert!(
            frame(
                "connected",
                r#"{"event":"connected","data":{"channelUsername":"me"}}"#
            )
            .is_none()
        );
        assert!(frame("poll.started", r#"{"data":{}}"#).is_none());
        assert!(frame("chat.message", "not json").is_none());
        assert!(frame("chat.message", r#"{"data":{"message":""}}"#).is_none());
        assert!(frame("chat.message", r#"{"data":"nonsense"}"#).is_none());
        // The name can come in the envelope alone.
        assert!(
            frame(
                "",
                r#"{"event":"channel.raid","data":{"raider":{"username":"x"},"viewers":2}}"#
            )
            .is_some()
        );
    }
}
