//! Chat as the simulated Trovo keeps it: each line (a message, or a notice Trovo puts in
//! chat: a follow, a subscription, a welcome, a raid, a spell, a gift) with the type code,
//! time and roles
//! its chat item carries, and the chat item and `CHAT` frame shapes the chat socket sends
//! (numbers where Trovo sends numbers, `custom_role` as JSON inside a string).

use serde_json::{Value, json};

use super::{people::status, world::Channel};

/// Trovo's chat type codes the simulator produces.
pub(crate) mod code {
    pub(crate) const CHAT: i64 = 0;
    pub(crate) const SPELL: i64 = 5;
    pub(crate) const MAGIC_CHAT: [i64; 4] = [6, 7, 8, 9];
    pub(crate) const SUBSCRIPTION: i64 = 5001;
    pub(crate) const FOLLOW: i64 = 5003;
    pub(crate) const WELCOME: i64 = 5004;
    pub(crate) const GIFT_SUB_RANDOM: i64 = 5005;
    pub(crate) const GIFT_SUB: i64 = 5006;
    pub(crate) const RAID: i64 = 5008;
    pub(crate) const STREAM_STATUS: i64 = 5012;
}

/// A line of chat in some channel.
#[derive(Clone, Debug)]
pub(crate) struct ChatLine {
    pub(crate) message_id: String,
    pub(crate) sender_id: u64,
    /// The sender's nickname (`nick_name`).
    pub(crate) sender_name: String,
    /// The sender's user name (`user_name`).
    pub(crate) user_name: String,
    pub(crate) channel_id: u64,
    pub(crate) content: String,
    /// Trovo's chat type code ([`code`]).
    pub(crate) chat_type: i64,
    /// Epoch seconds.
    pub(crate) send_time: i64,
    /// The chat's role names (`streamer`, `mod`, `follower`, ...).
    pub(crate) roles: Vec<&'static str>,
    /// The channel's custom roles the sender holds.
    pub(crate) custom_roles: Vec<String>,
    /// The sender's subscription level and tier, when subscribed.
    pub(crate) sub: Option<(u8, u8)>,
    pub(crate) avatar: String,
    pub(crate) content_data: Option<Value>,
}

impl ChatLine {
    /// The chat item as Trovo's socket sends it.
    pub(crate) fn to_wire(&self) -> Value {
        let mut item = json!({
            "type": self.chat_type,
            "content": self.content,
            "nick_name": self.sender_name,
            "user_name": self.user_name,
            "avatar": self.avatar,
            "roles": self.roles,
            "message_id": self.message_id,
            "sender_id": self.sender_id,
            "uid": self.sender_id,
            "send_time": self.send_time,
            "medals": [],
            "decos": [],
        });
        if let Some(map) = item.as_object_mut() {
            if let Some((level, tier)) = self.sub {
                map.insert("sub_lv".into(), json!(format!("L{level}")));
                map.insert("sub_tier".into(), json!(tier.to_string()));
            }
            if !self.custom_roles.is_empty() {
                let roles: Vec<Value> = self
                    .custom_roles
                    .iter()
                    .map(|r| json!({ "roleName": r, "roleType": 200_000 }))
                    .collect();
                map.insert("custom_role".into(), json!(Value::Array(roles).to_string()));
            }
            if let Some(data) = &self.content_data {
                map.insert("content_data".into(), data.clone());
            }
        }
        item
    }
}

/// A `CHAT` frame carrying `lines` of `channel_id`; with no lines `chats` is left out, as
/// Trovo sometimes does.
pub(crate) fn chat_frame(channel_id: u64, eid: u64, lines: &[ChatLine]) -> Value {
    let mut data = json!({ "eid": eid.to_string() });
    if !lines.is_empty()
        && let Some(map) = data.as_object_mut()
    {
        map.insert(
            "chats".into(),
            Value::Array(lines.iter().map(ChatLine::to_wire).collect()),
        );
    }
    json!({
        "type": "CHAT",
        "channel_info": { "channel_id": channel_id.to_string() },
        "data": data,
    })
}

/// The roles `user` carries in `channel`'s chat: what the channel granted them and their
/// standing (`status` bits), in the chat's spelling, and the channel's custom roles.
pub(crate) fn roles_in(
    channel: &Channel,
    user: u64,
    standing: u16,
) -> (Vec<&'static str>, Vec<String>) {
    let grants = &channel.grants;
    let mut roles = Vec::new();
    let mut add = |yes: bool, role: &'static str| {
        if yes {
            roles.push(role);
        }
    };
    add(user == channel.id(), "streamer");
    add(grants.mods.contains(&user), "mod");
    add(grants.editors.contains(&user), "editor");
    add(grants.vips.contains(&user), "VIP");
    add(standing & status::SUPERMOD != 0, "supermod");
    add(standing & status::SUBSCRIBER != 0, "subscriber");
    add(standing & status::FOLLOWER != 0, "follower");
    add(standing & status::ACE != 0, "ace");
    add(standing & status::ACEPLUS != 0, "ace+");
    add(standing & status::ADMIN != 0, "admin");
    add(standing & status::WARDEN != 0, "warden");
    let custom = grants
        .custom
        .iter()
        .filter(|(_, members)| members.contains(&user))
        .map(|(name, _)| name.clone())
        .collect();
    (roles, custom)
}
