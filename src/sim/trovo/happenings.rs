//! What happens in the streamer's chat besides talk, on the ticker's beat or a test's cue,
//! each posted with the type code and content Trovo gives it: spells (5, and the channel's
//! own 5009) with their JSON content, subscriptions gifted to random viewers (5005, the
//! content their count) or to someone (5006, `"<gifter>,<giftee>"`), raids (5008, the size
//! in `content_data.raiderNum`), magic chat (6..9) and the stream going on or off (5012).

use rand::{Rng, rngs::StdRng};
use serde_json::json;

use super::{
    chat::code,
    people::{self, Person},
    world::{Said, World, now_secs},
};
use crate::sim::common::names;

/// Spells a viewer can cast: name, value of one, and its currency.
const SPELLS: &[(&str, u64, &str)] = &[
    ("Rose", 10, "Mana"),
    ("Cheers", 100, "Mana"),
    ("Dragon Egg", 500, "Elixir"),
    ("Rocket", 2_000, "Elixir"),
];

impl World {
    /// Someone in the audience, the streamer left out; a passer-by when nobody is there.
    fn someone(&mut self, rng: &mut StdRng) -> Person {
        let main_id = self.main().id();
        let picked = self.people(main_id).and_then(|p| {
            let n = p.viewers.len();
            (n >= 2).then(|| p.viewers[rng.random_range(1..n)].person.clone())
        });
        match picked {
            Some(p) => p,
            None => people::arriving_viewer(&mut self.census, rng, now_secs()).person,
        }
    }

    /// Someone in the audience, for a test's cue (from the world's own dice).
    pub(crate) fn someone_now(&mut self) -> Person {
        let mut rng = rand::SeedableRng::seed_from_u64(self.rng.random());
        self.someone(&mut rng)
    }

    /// A viewer casts `count` of `name` worth `value` `currency` each; answers the line's id.
    pub(crate) fn spell(
        &mut self,
        caster: &Person,
        (name, value, currency): (&str, u64, &str),
        count: u32,
    ) -> String {
        let main_id = self.main().id();
        let content = json!({ "gift": name, "num": count, "gift_id": 1000 + value, "gift_value": value, "value_type": currency });
        self.post(
            main_id,
            caster,
            Said::now(code::SPELL, &content.to_string()),
        )
    }

    /// `gifter` gifts `count` subscriptions to random viewers.
    pub(crate) fn gift_random(&mut self, gifter: &Person, count: u32) -> String {
        let main_id = self.main().id();
        self.post(
            main_id,
            gifter,
            Said::now(code::GIFT_SUB_RANDOM, &count.to_string()),
        )
    }

    /// `gifter` gifts a subscription to `giftee`.
    pub(crate) fn gift_to(&mut self, gifter: &Person, giftee: &Person) -> String {
        let main_id = self.main().id();
        let content = format!("{},{}", gifter.nickname, giftee.nickname);
        self.post(main_id, gifter, Said::now(code::GIFT_SUB, &content))
    }

    /// `raider` raids with `viewers`: one welcome line with the raid's size.
    pub(crate) fn raid_with(&mut self, raider: &Person, viewers: u64) -> String {
        let main_id = self.main().id();
        let mut said = Said::now(code::RAID, "is raiding the channel");
        said.content_data = Some(json!({ "raiderNum": viewers }));
        self.post(main_id, raider, said)
    }

    /// The stream went on or off, as Trovo says in chat.
    pub(crate) fn stream_status(&mut self, live: bool) -> String {
        let main_id = self.main().id();
        let owner = self.main().owner.clone();
        let content = if live { "stream_on" } else { "stream_off" };
        self.post(main_id, &owner, Said::now(code::STREAM_STATUS, content))
    }

    /// One of the things that happen now and then, at random.
    pub(crate) fn happening(&mut self, rng: &mut StdRng) {
        let who = self.someone(rng);
        match rng.random_range(0..10) {
            0..=3 => {
                let spell = SPELLS[rng.random_range(0..SPELLS.len())];
                self.spell(&who, spell, rng.random_range(1..=5));
            }
            4..=5 => {
                let main_id = self.main().id();
                let text = names::chat_line(rng);
                let magic = code::MAGIC_CHAT[rng.random_range(0..code::MAGIC_CHAT.len())];
                self.post(main_id, &who, Said::now(magic, text));
            }
            6 => {
                self.gift_random(&who, rng.random_range(2..=10));
            }
            _ => {
                let giftee = self.someone(rng);
                if giftee.id != who.id {
                    self.gift_to(&who, &giftee);
                }
            }
        }
    }
}
