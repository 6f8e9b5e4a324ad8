//! The frames of Trovo's chat websocket and the chat items inside them, decoded leniently
//! (type codes as numbers or strings, ids as either, `chats` missing or null, spell content
//! and custom roles as JSON inside a string), and their translation into the model's chat
//! lines. Which items become which kind of line, and which are left out, is decided here.

use super::wire::role_name;
use crate::model::{ChatEvent, ChatUser, EventKind, PlatformId, Role, SubTier};
use crate::platform::lenient::{lenient_list, opt_i64, opt_string, opt_string_list, opt_time};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use time::OffsetDateTime;

/// Trovo's chat type codes (`type` of a chat item).
pub mod code {
    /// Someone said something.
    pub const CHAT: i64 = 0;
    /// A spell (a paid animation); the content is JSON.
    pub const SPELL: i64 = 5;
    /// Magic chat: super cap, colourful, spell and bullet-screen chat: text with effects.
    pub const MAGIC_CHAT: [i64; 4] = [6, 7, 8, 9];
    /// A subscription or a renewal.
    pub const SUBSCRIPTION: i64 = 5001;
    /// A line from Trovo itself.
    pub const SYSTEM: i64 = 5002;
    /// Someone followed.
    pub const FOLLOW: i64 = 5003;
    /// Someone joined the stream.
    pub const WELCOME: i64 = 5004;
    /// Subscriptions gifted to random viewers; the content is how many.
    pub const GIFT_SUB_RANDOM: i64 = 5005;
    /// A subscription gifted to someone; the content is `"<gifter>,<giftee>"`.
    pub const GIFT_SUB: i64 = 5006;
    /// A platform event.
    pub const EVENT: i64 = 5007;
    /// A raid arrived; its size is `content_data.raiderNum`.
    pub const RAID: i64 = 5008;
    /// A spell the channel made; the content is JSON like a spell's.
    pub const CUSTOM_SPELL: i64 = 5009;
    /// The stream went on or off; the content is `stream_on` or `stream_off`.
    pub const STREAM_STATUS: i64 = 5012;
    /// Someone stopped following.
    pub const UNFOLLOW: i64 = 5013;
}

/// One frame of the chat socket, whatever its type. Fields a type does not use are absent.
#[derive(Debug, Default, Deserialize)]
pub struct Frame {
    /// `RESPONSE`, `PONG`, `CHAT`, ...
    #[serde(default, rename = "type", deserialize_with = "opt_string")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub nonce: Option<String>,
    /// Set on a `RESPONSE` that refuses the request.
    #[serde(default, deserialize_with = "opt_string")]
    pub error: Option<String>,
    #[serde(default)]
    pub data: Option<FrameData>,
}

impl Frame {
    /// The frame's type, upper-case.
    pub fn kind(&self) -> String {
        self.kind
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_ascii_uppercase()
    }

    /// The refusal a `RESPONSE` carries, if any.
    pub fn refusal(&self) -> Option<&str> {
        self.error
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
    }

    /// The chat items of a `CHAT` frame (none when `chats` is missing or null).
    pub fn into_chats(self) -> Vec<ChatItem> {
        self.data.and_then(|d| d.chats).unwrap_or_default()
    }
}

/// `data` of a frame: the keep-alive gap of a `PONG`, the items of a `CHAT`.
#[derive(Debug, Default, Deserialize)]
pub struct FrameData {
    /// Seconds to wait before the next ping.
    #[serde(default, deserialize_with = "opt_i64")]
    pub gap: Option<i64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub eid: Option<String>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub chats: Option<Vec<ChatItem>>,
}

/// One chat item as the socket sends it.
#[derive(Debug, Default, Deserialize)]
pub struct ChatItem {
    #[serde(default, rename = "type", deserialize_with = "opt_i64")]
    pub kind: Option<i64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub content: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub nick_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub user_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string_list")]
    pub roles: Option<Vec<String>>,
    #[serde(default, deserialize_with = "opt_string")]
    pub message_id: Option<String>,
    /// Missing, or 0, on Trovo's own lines.
    #[serde(default, deserialize_with = "opt_string")]
    pub sender_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub uid: Option<String>,
    /// The subscriber's tier (`"1"`..`"3"`) and level (`"L1"`...), where Trovo says.
    #[serde(default, deserialize_with = "opt_string")]
    pub sub_tier: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub sub_lv: Option<String>,
    /// Epoch seconds.
    #[serde(default, deserialize_with = "opt_time")]
    pub send_time: Option<OffsetDateTime>,
    /// An object, or the same as JSON in a string.
    #[serde(default)]
    pub content_data: Option<Value>,
    /// The channel's custom roles of the sender: JSON in a string.
    #[serde(default)]
    pub custom_role: Option<Value>,
}

impl ChatItem {
    /// The sender's user id; `None` for Trovo's own lines (missing or 0).
    pub fn sender(&self) -> Option<String> {
        [&self.sender_id, &self.uid]
            .into_iter()
            .flatten()
            .map(|s| s.trim())
            .find(|s| !s.is_empty() && *s != "0")
            .map(str::to_owned)
    }

    /// The item as an event, or `None` for what is left out: welcomes (one per viewer who
    /// joins: on a busy stream they would bury the conversation, and the viewer list
    /// already shows who is there), empty messages and unknown items without text. `now`
    /// stands in for a missing `send_time`.
    pub fn into_event(self, now: OffsetDateTime) -> Option<ChatEvent> {
        let code = self.kind.unwrap_or(code::CHAT);
        let text = self
            .content
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        let data = self.content_data();
        let mut user = self.user();
        let kind = match code {
            code::CHAT => EventKind::Message {
                text: text?,
                reply_to: None,
            },
            c if code::MAGIC_CHAT.contains(&c) => EventKind::Message {
                text: text?,
                reply_to: None,
            },
            code::SPELL | code::CUSTOM_SPELL => spell(text.as_deref()),
            code::SUBSCRIPTION => EventKind::Subscription {
                tier: [&self.sub_tier, &self.sub_lv]
                    .into_iter()
                    .flatten()
                    .find_map(|t| SubTier::parse(t)),
                months: None,
                gift: false,
                gifter: None,
                message: None,
            },
            code::FOLLOW => EventKind::Follow,
            code::WELCOME => return None,
            code::GIFT_SUB_RANDOM => EventKind::Gift {
                count: text
                    .as_deref()
                    .and_then(|c| c.trim().parse().ok())
                    .unwrap_or(1),
                tier: None,
            },
            code::GIFT_SUB => {
                // The content names both: "<gifter>,<giftee>"; the event is the giftee's
                // subscription.
                let (gifter, giftee) = match text.as_deref().and_then(|c| c.split_once(',')) {
                    Some((from, to)) => (nonblank(from), nonblank(to)),
                    None => (None, None),
                };
                let gifter = gifter.or_else(|| user.as_ref().map(|u| u.display_name.clone()));
                user = giftee.map(|to| ChatUser {
                    id: None,
                    name: Some(to.clone()),
                    display_name: to,
                    roles: Vec::new(),
                });
                EventKind::Subscription {
                    tier: None,
                    months: None,
                    gift: true,
                    gifter,
                    message: None,
                }
            }
            code::RAID => EventKind::Raid {
                viewers: data
                    .as_ref()
                    .and_then(|d| d.get("raiderNum"))
                    .and_then(number)
                    .unwrap_or(0),
            },
            code::STREAM_STATUS => match text.as_deref() {
                Some("stream_on") => EventKind::Stream { live: true },
                Some("stream_off") => EventKind::Stream { live: false },
                _ => EventKind::System {
                    text: "the stream changed".into(),
                },
            },
            code::UNFOLLOW => EventKind::System {
                text: "unfollowed the channel".into(),
            },
            // System lines, platform events and codes Trovo added since: shown when they
            // say something.
            _ => EventKind::System { text: text? },
        };
        if code == code::SYSTEM {
            user = None;
        }
        Some(ChatEvent {
            platform: PlatformId::Trovo,
            id: self.message_id.filter(|s| !s.trim().is_empty()),
            at: self.send_time.unwrap_or(now),
            user,
            kind,
        })
    }

    /// The sender, or `None` for Trovo's own lines (no id and no name).
    fn user(&self) -> Option<ChatUser> {
        let id = self.sender();
        let name = self.user_name.as_deref().and_then(nonblank);
        let display_name = self
            .nick_name
            .as_deref()
            .and_then(nonblank)
            .or_else(|| name.clone())?;
        let mut roles: Vec<Role> = Vec::new();
        for role in self.roles.iter().flatten().map(|r| chat_role(r)) {
            if !role.is_empty() && !roles.contains(&role) {
                roles.push(role);
            }
        }
        for role in custom_roles(self.custom_role.as_ref()) {
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        Some(ChatUser {
            id,
            name,
            display_name,
            roles,
        })
    }

    /// `content_data`: an object, or the same as JSON in a string.
    fn content_data(&self) -> Option<Value> {
        match &self.content_data {
            Some(Value::String(s)) => serde_json::from_str(s).ok(),
            Some(v) => Some(v.clone()),
            None => None,
        }
    }
}

fn nonblank(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// A count that may come as a number or a string.
fn number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A chat role as the model names it: the viewer list's names (lower-case singular), with
/// the chat's own spellings (`streamer`, `mod`, `ace+`) brought to them. The streamer is
/// `broadcaster`, as on the other platforms, so the panel marks the host.
pub fn chat_role(wire: &str) -> Role {
    let lower = wire.trim().to_ascii_lowercase();
    match lower.as_str() {
        "streamer" | "creator" | "creators" | "broadcaster" | "owner" => {
            Cow::Borrowed("broadcaster")
        }
        "mod" | "mods" => Cow::Borrowed("moderator"),
        "ace+" | "ace_plus" => Cow::Borrowed("aceplus"),
        "sub" | "subs" => Cow::Borrowed("subscriber"),
        _ => role_name(&lower),
    }
}

/// The custom roles of `custom_role`: a JSON list (in a string, as Trovo sends it, or not)
/// of role names or of objects naming one (`roleName`, `role_name` or `name`). Anything
/// else is no role.
fn custom_roles(raw: Option<&Value>) -> Vec<Role> {
    let parsed = match raw {
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::Null),
        Some(v) => v.clone(),
        None => Value::Null,
    };
    let Value::Array(items) = parsed else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match item {
            Value::String(s) => Some(s.as_str()),
            Value::Object(o) => ["roleName", "role_name", "name"]
                .iter()
                .find_map(|k| o.get(*k).and_then(Value::as_str)),
            _ => None,
        })
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Cow::Owned(s.to_owned()))
        .collect()
}

/// A spell: its content is JSON such as
/// `{"gift":"Rose","num":3,"gift_value":100,"value_type":"Mana"}`, the value being one
/// spell's, in Mana or Elixir.
fn spell(content: Option<&str>) -> EventKind {
    let parsed: Option<Value> = content.and_then(|c| serde_json::from_str(c).ok());
    let field = |k: &str| parsed.as_ref().and_then(|v| v.get(k));
    let name = field("gift")
        .and_then(Value::as_str)
        .and_then(nonblank)
        .unwrap_or_else(|| "a spell".to_owned());
    let count = field("num")
        .and_then(number)
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(1)
        .max(1);
    let amount = field("gift_value")
        .and_then(number)
        .map(|v| v.saturating_mul(u64::from(count)));
    let currency = field("value_type")
        .and_then(Value::as_str)
        .and_then(nonblank);
    EventKind::Spell {
        name,
        count,
        amount,
        currency,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(json: &str) -> Option<ChatEvent> {
        serde_json::from_str::<ChatItem>(json)
            .expect("decodes")
            .into_event(OffsetDateTime::UNIX_EPOCH)
    }

    #[test]
    fn a_chat_line_keeps_its_author_roles_and_id() {
        let m = item(
            r#"{"type":0,"content":"hello","nick_name":"Ann","user_name":"ann_1",
            "roles":["mod","follower","ace+"],"message_id":"m1","sender_id":123,
            "send_time":1700000000,"custom_role":"[{\"roleName\":\"Artist\",\"roleType\":200000}]",
            "medals":null,"decos":[],"sub_lv":"L1"}"#,
        )
        .expect("a line");
        assert_eq!(m.id.as_deref(), Some("m1"));
        let user = m.user.expect("an author");
        assert_eq!(user.id.as_deref(), Some("123"));
        assert_eq!(user.name.as_deref(), Some("ann_1"));
        assert_eq!(user.display_name, "Ann");
        assert_eq!(user.roles, ["moderator", "follower", "aceplus", "Artist"]);
        assert_eq!(
            m.kind,
            EventKind::Message {
                text: "hello".into(),
                reply_to: None
            }
        );
        assert_eq!(m.at.unix_timestamp(), 1_700_000_000);
    }

    #[test]
    fn codes_become_kinds_with_their_facts_and_welcomes_are_left_out() {
        let of = |json: &str| item(json).map(|m| m.kind);
        assert_eq!(
            of(r#"{"type":"5003","nick_name":"A","content":"followed"}"#),
            Some(EventKind::Follow)
        );
        assert_eq!(of(r#"{"type":5004,"nick_name":"A","content":"hi"}"#), None);
        assert_eq!(
            of(r#"{"type":5008,"nick_name":"R","content":"x","content_data":{"raiderNum":42}}"#),
            Some(EventKind::Raid { viewers: 42 })
        );
        assert_eq!(
            of(r#"{"type":5008,"nick_name":"R","content_data":"{\"raiderNum\":\"3\"}"}"#),
            Some(EventKind::Raid { viewers: 3 })
        );
        assert_eq!(
            of(r#"{"type":5001,"nick_name":"S","content":"subscribed","sub_tier":"2"}"#),
            Some(EventKind::Subscription {
                tier: Some(SubTier::Two),
                months: None,
                gift: false,
                gifter: None,
                message: None
            })
        );
        let gifted = item(r#"{"type":5006,"content":"Gifty,Lucky"}"#).expect("a gift");
        assert_eq!(
            gifted.user.map(|u| u.display_name).as_deref(),
            Some("Lucky"),
            "the subscription is the giftee's"
        );
        assert_eq!(
            gifted.kind,
            EventKind::Subscription {
                tier: None,
                months: None,
                gift: true,
                gifter: Some("Gifty".into()),
                message: None
            }
        );
        assert_eq!(
            of(r#"{"type":5005,"nick_name":"G","content":"5"}"#),
            Some(EventKind::Gift {
                count: 5,
                tier: None
            })
        );
        assert_eq!(
            of(
                r#"{"type":5,"nick_name":"S","content":"{\"gift\":\"Rose\",\"num\":3,\"gift_value\":100,\"value_type\":\"Mana\"}"}"#
            ),
            Some(EventKind::Spell {
                name: "Rose".into(),
                count: 3,
                amount: Some(300),
                currency: Some("Mana".into())
            })
        );
        assert_eq!(
            of(r#"{"type":7,"nick_name":"C","content":"colourful"}"#),
            Some(EventKind::Message {
                text: "colourful".into(),
                reply_to: None
            })
        );
        assert_eq!(
            of(r#"{"type":5012,"content":"stream_on"}"#),
            Some(EventKind::Stream { live: true })
        );
        assert_eq!(
            of(r#"{"type":5013,"nick_name":"U"}"#),
            Some(EventKind::System {
                text: "unfollowed the channel".into()
            })
        );
        assert_eq!(
            of(r#"{"type":9999,"content":"something new"}"#),
            Some(EventKind::System {
                text: "something new".into()
            })
        );
        assert_eq!(of(r#"{"type":9999}"#), None);
        assert_eq!(of(r#"{"type":0,"content":"  "}"#), None);
    }

    #[test]
    fn trovo_s_own_lines_have_no_user() {
        let m = item(r#"{"type":5002,"content":"Be nice","sender_id":0,"nick_name":"Trovo"}"#)
            .expect("system");
        assert_eq!(m.user, None);
        assert_eq!(m.who(), "Trovo");
        assert_eq!(
            m.kind,
            EventKind::System {
                text: "Be nice".into()
            }
        );
    }

    #[test]
    fn frames_decode_leniently() {
        let f: Frame = serde_json::from_str(r#"{"type":"CHAT","data":{"eid":1}}"#).expect("f");
        assert_eq!(f.kind(), "CHAT");
        assert!(f.into_chats().is_empty(), "chats missing");
        let f: Frame = serde_json::from_str(
            r#"{"type":"CHAT","data":{"chats":[null,{"type":0,"content":"x"},7]}}"#,
        )
        .expect("f");
        assert_eq!(f.into_chats().len(), 1, "malformed items are skipped");
        let f: Frame = serde_json::from_str(r#"{"type":"PONG","data":{"gap":"45"}}"#).expect("f");
        assert_eq!(f.data.and_then(|d| d.gap), Some(45));
        let f: Frame =
            serde_json::from_str(r#"{"type":"RESPONSE","nonce":"n","error":"invalid token"}"#)
                .expect("f");
        assert_eq!(f.refusal(), Some("invalid token"));
    }

    #[test]
    fn chat_roles_meet_the_viewer_list_s_names() {
        for (wire, model) in [
            ("streamer", "broadcaster"),
            ("mod", "moderator"),
            ("supermod", "supermod"),
            ("VIP", "vip"),
            ("ace+", "aceplus"),
            ("follower", "follower"),
            ("subscriber", "subscriber"),
            ("editor", "editor"),
            ("warden", "warden"),
            ("admin", "admin"),
        ] {
            assert_eq!(chat_role(wire), model, "{wire}");
        }
    }
}
