//! The frames of Trovo's chat websocket and the chat items inside them, decoded leniently
//! (type codes as numbers or strings, ids as either, `chats` missing or null, spell content
//! and custom roles as JSON inside a string), and their translation into the model's chat
//! lines. Which items become which kind of line, and which are left out, is decided here.

use super::wire::role_name;
use crate::model::{ChatAuthor, ChatKind, ChatMessage, Role};
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

    /// The item as a chat line, or `None` for what the log leaves out: welcomes (one per
    /// viewer who joins: on a busy stream they would bury the conversation, and the viewer
    /// list already shows who is there), empty messages and unknown items without text.
    pub fn into_model(self) -> Option<ChatMessage> {
        let code = self.kind.unwrap_or(code::CHAT);
        let text = self
            .content
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        let (kind, content) = match code {
            code::CHAT => (ChatKind::Message, text?),
            c if code::MAGIC_CHAT.contains(&c) => (ChatKind::Message, text?),
            code::SPELL | code::CUSTOM_SPELL => (ChatKind::Notice, spell(text.as_deref())),
            code::SUBSCRIPTION => (
                ChatKind::Subscription,
                text.unwrap_or_else(|| "subscribed".into()),
            ),
            code::FOLLOW => (
                ChatKind::Follow,
                text.unwrap_or_else(|| "followed the channel".into()),
            ),
            code::WELCOME => return None,
            code::GIFT_SUB_RANDOM => (ChatKind::Subscription, gifted_random(text.as_deref())),
            code::GIFT_SUB => (ChatKind::Subscription, gifted_to(text.as_deref())),
            code::RAID => (ChatKind::Raid, self.raid(text)),
            code::STREAM_STATUS => (ChatKind::Notice, stream_status(text.as_deref())),
            code::UNFOLLOW => (ChatKind::Notice, "unfollowed the channel".into()),
            // System lines, platform events and codes Trovo added since: shown when they
            // say something.
            _ => (ChatKind::Notice, text?),
        };
        let id = self.sender();
        let login = self.user_name.clone().filter(|s| !s.trim().is_empty());
        let display_name = self
            .nick_name
            .clone()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| login.clone())
            .or_else(|| {
                // The gifter of a gifted subscription is named in its content.
                (code == code::GIFT_SUB)
                    .then(|| self.content.as_deref()?.split(',').next().map(str::trim))
                    .flatten()
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "Trovo".to_owned());
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
        Some(ChatMessage {
            id: self.message_id.filter(|s| !s.trim().is_empty()),
            author: ChatAuthor {
                id,
                login,
                display_name,
                roles,
            },
            content,
            sent_at: self.send_time,
            kind,
        })
    }

    /// "raided with N viewers", from `content_data.raiderNum`; else Trovo's own text.
    fn raid(&self, text: Option<String>) -> String {
        let data = match &self.content_data {
            Some(Value::String(s)) => serde_json::from_str(s).ok(),
            Some(v) => Some(v.clone()),
            None => None,
        };
        let size = data
            .as_ref()
            .and_then(|d| d.get("raiderNum"))
            .and_then(|n| match n {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            });
        match size {
            Some(1) => "raided with 1 viewer".into(),
            Some(n) => format!("raided with {n} viewers"),
            None => text.unwrap_or_else(|| "raided the channel".into()),
        }
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

/// A spell's line: its content is JSON such as `{"gift":"Rose","num":3}`.
fn spell(content: Option<&str>) -> String {
    let parsed: Option<Value> = content.and_then(|c| serde_json::from_str(c).ok());
    let gift = parsed
        .as_ref()
        .and_then(|v| v.get("gift"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|g| !g.is_empty());
    let num = parsed
        .as_ref()
        .and_then(|v| v.get("num"))
        .and_then(|n| match n {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        });
    match (gift, num) {
        (Some(gift), Some(n)) if n > 1 => format!("cast {gift} ×{n}"),
        (Some(gift), _) => format!("cast {gift}"),
        (None, _) => "cast a spell".into(),
    }
}

fn gifted_random(content: Option<&str>) -> String {
    match content.and_then(|c| c.trim().parse::<u64>().ok()) {
        Some(1) => "gifted a subscription".into(),
        Some(n) => format!("gifted {n} subscriptions"),
        None => "gifted subscriptions".into(),
    }
}

fn gifted_to(content: Option<&str>) -> String {
    let giftee = content
        .and_then(|c| c.split_once(','))
        .map(|(_, to)| to.trim())
        .filter(|to| !to.is_empty());
    match giftee {
        Some(to) => format!("gifted a subscription to {to}"),
        None => "gifted a subscription".into(),
    }
}

fn stream_status(content: Option<&str>) -> String {
    match content.map(str::trim) {
        Some("stream_on") => "the stream went live".into(),
        Some("stream_off") => "the stream ended".into(),
        _ => "the stream changed".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(json: &str) -> Option<ChatMessage> {
        serde_json::from_str::<ChatItem>(json)
            .expect("decodes")
            .into_model()
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
        assert_eq!(m.author.id.as_deref(), Some("123"));
        assert_eq!(m.author.login.as_deref(), Some("ann_1"));
        assert_eq!(m.author.display_name, "Ann");
        assert_eq!(
            m.author.roles,
            ["moderator", "follower", "aceplus", "Artist"]
        );
        assert_eq!(m.kind, ChatKind::Message);
        assert_eq!(m.sent_at.map(|t| t.unix_timestamp()), Some(1_700_000_000));
    }

    #[test]
    fn codes_become_kinds_and_welcomes_are_left_out() {
        let of = |json: &str| item(json).map(|m| (m.kind, m.content));
        assert_eq!(
            of(r#"{"type":"5003","nick_name":"A","content":"followed"}"#),
            Some((ChatKind::Follow, "followed".into()))
        );
        assert_eq!(of(r#"{"type":5004,"nick_name":"A","content":"hi"}"#), None);
        assert_eq!(
            of(r#"{"type":5008,"nick_name":"R","content":"x","content_data":{"raiderNum":42}}"#),
            Some((ChatKind::Raid, "raided with 42 viewers".into()))
        );
        assert_eq!(
            of(r#"{"type":5008,"nick_name":"R","content_data":"{\"raiderNum\":\"3\"}"}"#),
            Some((ChatKind::Raid, "raided with 3 viewers".into()))
        );
        assert_eq!(
            of(r#"{"type":5006,"content":"Gifty,Lucky"}"#),
            Some((
                ChatKind::Subscription,
                "gifted a subscription to Lucky".into()
            ))
        );
        assert_eq!(
            item(r#"{"type":5006,"content":"Gifty,Lucky"}"#).map(|m| m.author.display_name),
            Some("Gifty".into())
        );
        assert_eq!(
            of(r#"{"type":5005,"nick_name":"G","content":"5"}"#),
            Some((ChatKind::Subscription, "gifted 5 subscriptions".into()))
        );
        assert_eq!(
            of(r#"{"type":5,"nick_name":"S","content":"{\"gift\":\"Rose\",\"num\":3}"}"#),
            Some((ChatKind::Notice, "cast Rose ×3".into()))
        );
        assert_eq!(
            of(r#"{"type":7,"nick_name":"C","content":"colourful"}"#),
            Some((ChatKind::Message, "colourful".into()))
        );
        assert_eq!(
            of(r#"{"type":5012,"content":"stream_on"}"#),
            Some((ChatKind::Notice, "the stream went live".into()))
        );
        assert_eq!(
            of(r#"{"type":5013,"nick_name":"U"}"#),
            Some((ChatKind::Notice, "unfollowed the channel".into()))
        );
        assert_eq!(
            of(r#"{"type":9999,"content":"something new"}"#),
            Some((ChatKind::Notice, "something new".into()))
        );
        assert_eq!(of(r#"{"type":9999}"#), None);
        assert_eq!(of(r#"{"type":0,"content":"  "}"#), None);
    }

    #[test]
    fn trovo_s_own_lines_have_no_author_id() {
        let m = item(r#"{"type":5002,"content":"Be nice","sender_id":0}"#).expect("system");
        assert_eq!(m.author.id, None);
        assert_eq!(m.author.display_name, "Trovo");
        assert_eq!(m.kind, ChatKind::Notice);
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
