//! What a platform's live connection reports, in one shape for every platform: a chat
//! line, a follow, a subscription, a gift, a raid, a spell, a cheer, a removal, the stream
//! going on or off, or a line of the platform's own. Each platform maps its own codes into
//! these kinds (Trovo's type codes, Twitch's EventSub types, Velora's event names), so the
//! window, `chat follow` and an alert script read the same facts wherever they came from.

use super::{PlatformId, Role, TargetUser};
use serde::{Deserialize, Serialize, Serializer};
use time::OffsetDateTime;

/// One event of a channel's live connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatEvent {
    pub platform: PlatformId,
    /// The platform's id for the event: what deleting a line needs, and what tells a repeat
    /// (a replay or a redelivery after reconnecting) from news. `None` where the platform
    /// gives none.
    pub id: Option<String>,
    /// When it happened by the platform's clock, or when it arrived where the platform
    /// does not say; always UTC.
    #[serde(
        serialize_with = "utc_rfc3339",
        deserialize_with = "time::serde::rfc3339::deserialize"
    )]
    pub at: OffsetDateTime,
    /// Who did it (wrote, followed, raided, was banned...); `None` for the platform's own
    /// lines and for an anonymous gifter.
    pub user: Option<ChatUser>,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// A person in an event, with what moderating them needs (the id, or the login).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatUser {
    /// The platform's user id, where it says.
    pub id: Option<String>,
    /// The login: the name in the channel's URL, what a chat command names.
    pub name: Option<String>,
    /// The name chat shows.
    pub display_name: String,
    /// Lower-case role names as in the viewer list (`broadcaster`, `moderator`, ...).
    pub roles: Vec<Role>,
}

impl ChatUser {
    /// The user as a moderation action names them: by id where known, else by login.
    pub fn target(&self) -> Option<TargetUser> {
        self.id
            .clone()
            .map(TargetUser::Id)
            .or_else(|| self.name.clone().map(TargetUser::Name))
    }
}

/// A subscription's tier, as every platform has three of them (Twitch's 1000/2000/3000).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SubTier {
    #[serde(rename = "1")]
    One,
    #[serde(rename = "2")]
    Two,
    #[serde(rename = "3")]
    Three,
}

impl SubTier {
    /// A tier from how platforms spell it: `1`, `"2"`, `"3000"`, `"Tier 1"`, `"L2"`;
    /// `None` for anything else (Prime counts as tier 1 on Twitch and says `1000`).
    pub fn parse(raw: &str) -> Option<SubTier> {
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        match digits.as_str() {
            "1" | "1000" => Some(SubTier::One),
            "2" | "2000" => Some(SubTier::Two),
            "3" | "3000" => Some(SubTier::Three),
            _ => None,
        }
    }

    /// The tier's number, for sentences.
    pub fn number(self) -> u8 {
        match self {
            SubTier::One => 1,
            SubTier::Two => 2,
            SubTier::Three => 3,
        }
    }
}

/// What happened, with its facts as fields a script or an alert can use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// Someone said something; `reply_to` is the id of the line it answers.
    Message {
        text: String,
        reply_to: Option<String>,
    },
    /// Someone followed.
    Follow,
    /// A subscription or a renewal; `months` counts every month so far where the platform
    /// says; `gift` when someone else paid for it (`gifter` names them where known).
    Subscription {
        tier: Option<SubTier>,
        months: Option<u32>,
        gift: bool,
        gifter: Option<String>,
        /// What the subscriber wrote with it.
        message: Option<String>,
    },
    /// Subscriptions gifted to the community at once (the user is the gifter).
    Gift { count: u32, tier: Option<SubTier> },
    /// Another channel raided with its viewers (the user is the raider).
    Raid { viewers: u64 },
    /// A paid animation (Trovo's spells): `count` of `name`, worth `amount` of `currency`
    /// in all.
    Spell {
        name: String,
        count: u32,
        amount: Option<u64>,
        currency: Option<String>,
    },
    /// Bits cheered with a message.
    Cheer { bits: u64, message: Option<String> },
    /// A moderator removed a line.
    Delete { message_id: String },
    /// The user was banned, or timed out `until` then; their lines are gone.
    Ban {
        #[serde(with = "time::serde::rfc3339::option")]
        until: Option<OffsetDateTime>,
    },
    /// The stream went live or ended.
    Stream { live: bool },
    /// Anything else the platform says in chat, in its words.
    System { text: String },
}

impl EventKind {
    /// The kind's name as `chat follow --json` spells it.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Message { .. } => "message",
            EventKind::Follow => "follow",
            EventKind::Subscription { .. } => "subscription",
            EventKind::Gift { .. } => "gift",
            EventKind::Raid { .. } => "raid",
            EventKind::Spell { .. } => "spell",
            EventKind::Cheer { .. } => "cheer",
            EventKind::Delete { .. } => "delete",
            EventKind::Ban { .. } => "ban",
            EventKind::Stream { .. } => "stream",
            EventKind::System { .. } => "system",
        }
    }

    /// Whether the activity feed lists it: what a streamer thanks someone for.
    pub fn is_activity(&self) -> bool {
        matches!(
            self,
            EventKind::Follow
                | EventKind::Subscription { .. }
                | EventKind::Gift { .. }
                | EventKind::Raid { .. }
                | EventKind::Spell { .. }
                | EventKind::Cheer { .. }
        )
    }
}

impl ChatEvent {
    /// The event in words, after the user's name: a message's text, or what happened
    /// ("raided with 37 viewers", "subscribed at tier 2 for 5 months").
    pub fn text(&self) -> String {
        let quoted = |s: String, words: &Option<String>| match words {
            Some(w) if !w.trim().is_empty() => format!("{s} “{}”", w.trim()),
            _ => s,
        };
        match &self.kind {
            EventKind::Message { text, .. } | EventKind::System { text } => text.clone(),
            EventKind::Follow => "followed the channel".to_owned(),
            EventKind::Subscription {
                tier,
                months,
                gift,
                gifter,
                message,
            } => {
                let mut s = match (gift, gifter) {
                    (true, Some(g)) => format!("was gifted a subscription by {g}"),
                    (true, None) => "was gifted a subscription".to_owned(),
                    (false, _) => "subscribed".to_owned(),
                };
                if let Some(t) = tier {
                    s.push_str(&format!(" at tier {}", t.number()));
                }
                match months {
                    Some(m) if *m > 1 => s.push_str(&format!(" for {m} months")),
                    _ => {}
                }
                quoted(s, message)
            }
            EventKind::Gift { count, tier } => {
                let mut s = match count {
                    1 => "gifted a subscription".to_owned(),
                    n => format!("gifted {n} subscriptions"),
                };
                if let Some(t) = tier {
                    s.push_str(&format!(" at tier {}", t.number()));
                }
                s
            }
            EventKind::Raid { viewers } => match viewers {
                1 => "raided with 1 viewer".to_owned(),
                n => format!("raided with {n} viewers"),
            },
            EventKind::Spell {
                name,
                count,
                amount,
                currency,
            } => {
                let mut s = match count {
                    0 | 1 => format!("cast {name}"),
                    n => format!("cast {name} ×{n}"),
                };
                match (amount, currency) {
                    (Some(a), Some(c)) => s.push_str(&format!(" ({a} {c})")),
                    (Some(a), None) => s.push_str(&format!(" ({a})")),
                    _ => {}
                }
                s
            }
            EventKind::Cheer { bits, message } => quoted(
                match bits {
                    1 => "cheered 1 bit".to_owned(),
                    n => format!("cheered {n} bits"),
                },
                message,
            ),
            EventKind::Delete { .. } => "had a message deleted".to_owned(),
            EventKind::Ban { until: Some(t) } => format!(
                "was timed out until {}",
                t.to_offset(time::UtcOffset::UTC)
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            ),
            EventKind::Ban { until: None } => "was banned".to_owned(),
            EventKind::Stream { live: true } => "the stream went live".to_owned(),
            EventKind::Stream { live: false } => "the stream ended".to_owned(),
        }
    }

    /// Who the event is by, as the panel names them: the user, else the platform itself.
    pub fn who(&self) -> &str {
        self.user
            .as_ref()
            .map_or(self.platform.display_name(), |u| u.display_name.as_str())
    }

    /// The key that tells a repeat from news: the platform's id, else who, when and what
    /// (a platform without ids sends a repeat with the same of each).
    pub fn dedupe_key(&self) -> String {
        match &self.id {
            Some(id) => format!("{}:{id}", self.kind.name()),
            None => format!(
                "{}|{:?}|{}|{}",
                self.kind.name(),
                self.user.as_ref().and_then(|u| u.id.as_deref()),
                self.at.unix_timestamp_nanos(),
                self.text()
            ),
        }
    }
}

/// RFC 3339 in UTC, whatever offset the platform gave.
fn utc_rfc3339<S: Serializer>(at: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    time::serde::rfc3339::serialize(&at.to_offset(time::UtcOffset::UTC), s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind) -> ChatEvent {
        ChatEvent {
            platform: PlatformId::ALL[0],
            id: Some("e1".into()),
            at: OffsetDateTime::from_unix_timestamp(1_700_000_000)
                .expect("t")
                .to_offset(time::UtcOffset::from_hms(2, 0, 0).expect("offset")),
            user: Some(ChatUser {
                id: Some("7".into()),
                name: Some("ann".into()),
                display_name: "Ann".into(),
                roles: vec!["moderator".into()],
            }),
            kind,
        }
    }

    #[test]
    fn the_json_is_flat_with_the_kind_s_fields_and_utc_time() {
        let json = serde_json::to_value(event(EventKind::Subscription {
            tier: Some(SubTier::Two),
            months: Some(5),
            gift: false,
            gifter: None,
            message: None,
        }))
        .expect("json");
        assert_eq!(json["kind"], "subscription");
        assert_eq!(json["tier"], "2");
        assert_eq!(json["months"], 5);
        assert_eq!(json["gift"], false);
        assert_eq!(json["at"], "2023-11-14T22:13:20Z");
        assert_eq!(json["user"]["name"], "ann");
        assert_eq!(json["user"]["roles"][0], "moderator");
        let back: ChatEvent = serde_json::from_value(json).expect("reads back");
        assert_eq!(back, event(back.kind.clone()));
    }

    #[test]
    fn tiers_read_every_spelling() {
        for (raw, tier) in [
            ("1", Some(SubTier::One)),
            ("2000", Some(SubTier::Two)),
            ("Tier 3", Some(SubTier::Three)),
            ("L2", Some(SubTier::Two)),
            ("prime", None),
            ("4", None),
        ] {
            assert_eq!(SubTier::parse(raw), tier, "{raw}");
        }
    }

    #[test]
    fn every_kind_reads_as_a_sentence() {
        let of = |k| event(k).text();
        assert_eq!(
            of(EventKind::Raid { viewers: 37 }),
            "raided with 37 viewers"
        );
        assert_eq!(
            of(EventKind::Gift {
                count: 5,
                tier: Some(SubTier::One)
            }),
            "gifted 5 subscriptions at tier 1"
        );
        assert_eq!(
            of(EventKind::Spell {
                name: "Rose".into(),
                count: 3,
                amount: Some(300),
                currency: Some("Mana".into())
            }),
            "cast Rose ×3 (300 Mana)"
        );
        assert_eq!(
            of(EventKind::Subscription {
                tier: Some(SubTier::One),
                months: Some(5),
                gift: true,
                gifter: Some("Bo".into()),
                message: Some("yay".into())
            }),
            "was gifted a subscription by Bo at tier 1 for 5 months “yay”"
        );
        assert_eq!(
            of(EventKind::Cheer {
                bits: 100,
                message: None
            }),
            "cheered 100 bits"
        );
        assert_eq!(of(EventKind::Stream { live: false }), "the stream ended");
    }

    #[test]
    fn repeats_share_a_key_and_kinds_do_not() {
        let a = event(EventKind::Follow);
        let mut b = a.clone();
        assert_eq!(a.dedupe_key(), b.dedupe_key());
        b.kind = EventKind::Raid { viewers: 1 };
        assert_ne!(a.dedupe_key(), b.dedupe_key());
        let mut c = a.clone();
        c.id = None;
        let mut d = c.clone();
        assert_eq!(c.dedupe_key(), d.dedupe_key());
        d.at += time::Duration::seconds(1);
        assert_ne!(c.dedupe_key(), d.dedupe_key());
    }
}
