//! What happens in the streamer's chat besides talk, as EventSub tells it: the
//! `channel.chat.notification` notices (`sub`, `resub`, `sub_gift`, `community_sub_gift`,
//! `raid`) with Twitch's system message and the facts under the notice's own key, and
//! cheers (a `channel.chat.message` with `cheer.bits`), on the ticker's beat or a test's
//! cue.

use serde_json::{Value, json};

use super::{
    auth::now_ms,
    eventsub::{self, badges, chat_message_event, people},
    world::{ChatLine, STREAMER_ID, Sub, World},
};

/// A notice's event: who it is by, its type, Twitch's sentence and its facts.
fn notice(world: &World, who: u64, kind: &str, system: String, facts: Value, id: &str) -> Value {
    let mut e = people(world, STREAMER_ID, who, "chatter");
    e.insert("chatter_is_anonymous".into(), json!(false));
    e.insert("color".into(), json!(""));
    e.insert("badges".into(), badges(world, STREAMER_ID, who));
    e.insert("system_message".into(), json!(system));
    e.insert("message_id".into(), json!(id));
    e.insert("message".into(), json!({"text": "", "fragments": []}));
    e.insert("notice_type".into(), json!(kind));
    e.insert(kind.into(), facts);
    Value::Object(e)
}

/// `channel.chat.notification`'s event for a new subscription (`sub`, or `sub_gift` for a
/// gifted one), with Twitch's system message.
pub(crate) fn sub_notice_event(world: &World, sub: &Sub, message_id: &str) -> Value {
    let tier = &sub.tier[..1];
    let (rid, rlogin, rname) = world.names(sub.user);
    match sub.gifter {
        Some(gifter) => {
            let (_, _, giver) = world.names(gifter);
            let facts = json!({"duration_months": 1, "cumulative_total": null, "recipient_user_id": rid,
                "recipient_user_name": rname, "recipient_user_login": rlogin,
                "sub_tier": sub.tier, "community_gift_id": null});
            let system = format!("{giver} gifted a Tier {tier} sub to {rname}!");
            notice(world, gifter, "sub_gift", system, facts, message_id)
        }
        None => {
            let facts = json!({"sub_tier": sub.tier, "is_prime": false, "duration_months": 1});
            let system = format!("{rname} subscribed at Tier {tier}.");
            notice(world, sub.user, "sub", system, facts, message_id)
        }
    }
}

impl World {
    fn announce(&mut self, event: &Value) {
        self.publish(eventsub::CHAT_NOTIFICATION, STREAMER_ID, event);
    }

    /// `user` renews at tier 1 for `months` in all.
    pub(crate) fn resub(&mut self, user: u64, months: u32) {
        let (_, _, name) = self.names(user);
        let facts = json!({"cumulative_months": months, "duration_months": 1, "streak_months": null,
            "sub_tier": "1000", "is_prime": false, "is_gift": false, "gifter_is_anonymous": null,
            "gifter_user_id": null, "gifter_user_name": null, "gifter_user_login": null});
        let system =
            format!("{name} subscribed at Tier 1. They've subscribed for {months} months!");
        let id = self.uuid();
        let event = notice(self, user, "resub", system, facts, &id);
        self.announce(&event);
    }

    /// `gifter` gifts `count` tier-1 subscriptions to the community: the gift's notice,
    /// then one `sub_gift` per recipient, as Twitch sends them.
    pub(crate) fn community_gift(&mut self, gifter: u64, count: u32) {
        let (_, _, name) = self.names(gifter);
        let gift_id = self.uuid();
        let facts =
            json!({"id": gift_id, "total": count, "sub_tier": "1000", "cumulative_total": null});
        let system = format!("{name} is gifting {count} Tier 1 Subs to the community!");
        let id = self.uuid();
        let event = notice(self, gifter, "community_sub_gift", system, facts, &id);
        self.announce(&event);
        for _ in 0..count {
            let user = self.new_person(now_ms());
            let sub = Sub {
                user,
                tier: "1000",
                gifter: Some(gifter),
            };
            let id = self.uuid();
            let mut event = sub_notice_event(self, &sub, &id);
            event["sub_gift"]["community_gift_id"] = json!(gift_id);
            self.subs.push(sub);
            self.announce(&event);
        }
    }

    /// `raider` raids with `viewers`.
    pub(crate) fn raid(&mut self, raider: u64, viewers: u32) {
        let (id, login, name) = self.names(raider);
        let facts = json!({"user_id": id, "user_name": name, "user_login": login,
            "viewer_count": viewers, "profile_image_url": ""});
        let system = format!("{viewers} raiders from {name} have joined!");
        let notice_id = self.uuid();
        let event = notice(self, raider, "raid", system, facts, &notice_id);
        self.announce(&event);
    }

    /// `user` cheers `bits` with a line; answers its id.
    pub(crate) fn cheer(&mut self, user: u64, bits: u32) -> String {
        let message_id = self.uuid();
        let line = ChatLine {
            message_id: message_id.clone(),
            broadcaster_id: STREAMER_ID,
            sender_id: user,
            text: format!("Cheer{bits} great stream!"),
            at_ms: now_ms(),
            deleted: false,
        };
        let mut event = chat_message_event(self, &line);
        event["cheer"] = json!({ "bits": bits });
        event["message_type"] = json!("text");
        self.chat.push_back(line);
        self.publish(eventsub::CHAT_MESSAGE, STREAMER_ID, &event);
        message_id
    }
}
