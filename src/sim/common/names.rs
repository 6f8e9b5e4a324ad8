//! Generated people: nicknames in many scripts (Trovo's audience is worldwide, and a UI that
//! shows boxes for 小龙 or 별빛 is broken), ASCII usernames, and chat lines.

use std::collections::HashSet;

use rand::{Rng, seq::IndexedRandom};

/// Latin-script nickname parts.
const LATIN_ADJ: &[&str] = &[
    "Swift", "Lucky", "Silent", "Cosmic", "Pixel", "Neon", "Frosty", "Sunny", "Mellow", "Turbo",
    "Shadow", "Crimson", "Golden", "Sleepy", "Wild", "Velvet", "Rusty", "Electric", "Misty",
    "Brave", "Tiny", "Mighty", "Lazy", "Happy", "Salty", "Spicy", "Chill", "Atomic", "Lunar",
    "Solar", "Hidden", "Jolly", "Retro", "Zen", "Copper", "Stormy", "Fuzzy", "Quiet", "Rapid",
    "Blue",
];
const LATIN_NOUN: &[&str] = &[
    "Fox", "Otter", "Raven", "Panda", "Comet", "Knight", "Gamer", "Sprout", "Wolf", "Bean",
    "Falcon", "Tiger", "Wizard", "Pilot", "Dragon", "Mango", "Noodle", "Ninja", "Badger",
    "Phoenix", "Pirate", "Robot", "Sparrow", "Lynx", "Moose", "Cactus", "Ghost", "Nomad", "Rogue",
    "Bard", "Penguin", "Koala", "Viking", "Samurai", "Hawk", "Yeti", "Pebble", "Cookie", "Taco",
    "Owl",
];
/// Latin names with diacritics (Spanish, Portuguese, French, Vietnamese, Turkish...).
const ACCENTED: &[&str] = &[
    "José", "Mañana", "Zoë", "Renée", "João", "Çağrı", "Björn", "Łukasz", "Anaïs", "Nguyễn",
    "Søren", "Inês", "Ömer", "Chloé", "Dvořák", "Héctor", "Jürgen", "Ágota", "Mélodie", "Tiến",
];
/// (native, romanised) pairs: the romanised form seeds the ASCII username.
const CHINESE: &[(&str, &str)] = &[
    ("小龙", "xiaolong"),
    ("星辰", "xingchen"),
    ("月光", "yueguang"),
    ("清风", "qingfeng"),
    ("白云", "baiyun"),
    ("夜猫", "yemao"),
    ("小虎", "xiaohu"),
    ("阿杰", "ajie"),
    ("糖果", "tangguo"),
    ("火锅", "huoguo"),
    ("飞鱼", "feiyu"),
    ("甜心", "tianxin"),
    ("小雨", "xiaoyu"),
    ("大熊", "daxiong"),
    ("木子", "muzi"),
    ("青柠", "qingning"),
    ("星河", "xinghe"),
    ("墨白", "mobai"),
    ("阿狸", "ali"),
    ("橘子", "juzi"),
];
const KOREAN: &[(&str, &str)] = &[
    ("별빛", "byeolbit"),
    ("하늘", "haneul"),
    ("민준", "minjun"),
    ("서연", "seoyeon"),
    ("바람", "baram"),
    ("고양이", "goyangi"),
    ("달빛", "dalbit"),
    ("토끼", "tokki"),
    ("햇살", "haetsal"),
    ("구름", "gureum"),
    ("지민", "jimin"),
    ("도윤", "doyun"),
    ("초코", "choco"),
    ("나비", "nabi"),
    ("봄날", "bomnal"),
    ("여름", "yeoreum"),
];
const JAPANESE: &[(&str, &str)] = &[
    ("さくら", "sakura"),
    ("ゆき", "yuki"),
    ("ひかり", "hikari"),
    ("たろう", "taro"),
    ("ハル", "haru"),
    ("ソラ", "sora"),
    ("ネコ", "neko"),
    ("モモ", "momo"),
    ("リン", "rin"),
    ("カイト", "kaito"),
    ("ゆめ", "yume"),
    ("アオイ", "aoi"),
    ("こはく", "kohaku"),
    ("ミカン", "mikan"),
    ("つばさ", "tsubasa"),
    ("ホタル", "hotaru"),
];
const ARABIC: &[(&str, &str)] = &[
    ("نور", "noor"),
    ("ليلى", "layla"),
    ("سارة", "sara"),
    ("أحمد", "ahmed"),
    ("عمر", "omar"),
    ("يوسف", "yusuf"),
    ("مريم", "maryam"),
    ("فاطمة", "fatima"),
    ("خالد", "khaled"),
    ("رنا", "rana"),
    ("زين", "zain"),
    ("هدى", "huda"),
    ("صقر", "saqr"),
    ("قمر", "qamar"),
];
const CYRILLIC: &[(&str, &str)] = &[
    ("Саша", "sasha"),
    ("Дима", "dima"),
    ("Катя", "katya"),
    ("Ночной", "nochnoy"),
    ("Волк", "volk"),
    ("Лиса", "lisa"),
    ("Миша", "misha"),
    ("Оля", "olya"),
    ("Снежок", "snezhok"),
    ("Кот", "kot"),
    ("Ворон", "voron"),
    ("Звезда", "zvezda"),
    ("Медведь", "medved"),
    ("Пельмень", "pelmen"),
];
const JAPANESE_SUFFIX: &[&str] = &["", "ちゃん", "くん", "さん", "_jp", "たん"];
const KOREAN_SUFFIX: &[&str] = &["", "님", "이", "짱", "_kr", "야"];
const CHINESE_PREFIX: &[&str] = &["", "", "小", "阿", "老", "大"];
const EMOJI: &[&str] = &[
    "🎮", "✨", "🔥", "🌙", "🐱", "🍀", "💜", "🎧", "⚡", "🌸", "🦊", "🍜", "🚀", "🌈", "👾",
];

/// A freshly generated person: display nickname and the ASCII stem of their username.
pub(crate) struct NewName {
    pub(crate) nickname: String,
    pub(crate) username_stem: String,
}

fn pick(rng: &mut impl Rng, list: &[&'static str]) -> &'static str {
    list.choose(rng).copied().unwrap_or("Viewer")
}

fn pair(rng: &mut impl Rng, list: &[(&'static str, &'static str)]) -> (&'static str, &'static str) {
    list.choose(rng).copied().unwrap_or(("Viewer", "viewer"))
}

/// Draws a nickname in a random script; the caller makes it unique.
fn draw(rng: &mut impl Rng) -> NewName {
    let roll = rng.random_range(0..100);
    match roll {
        0..=39 => {
            let adj = pick(rng, LATIN_ADJ);
            let noun = pick(rng, LATIN_NOUN);
            let nickname = match rng.random_range(0..5) {
                0 => format!("{adj}{noun}"),
                1 => format!("{}_{}", adj.to_lowercase(), noun.to_lowercase()),
                2 => format!("{adj}{noun}{}", rng.random_range(1..100)),
                3 => format!("xX{noun}Xx"),
                _ => format!("{}{}", noun.to_lowercase(), rng.random_range(1..10_000)),
            };
            NewName {
                username_stem: format!("{}{}", adj.to_lowercase(), noun.to_lowercase()),
                nickname,
            }
        }
        40..=44 => {
            let name = pick(rng, ACCENTED);
            NewName {
                nickname: name.to_owned(),
                username_stem: ascii_stem(name),
            }
        }
        45..=56 => {
            let (a, roman) = pair(rng, CHINESE);
            let prefix = pick(rng, CHINESE_PREFIX);
            // No "小小雨": skip a prefix the name already starts with.
            let prefix = if a.starts_with(prefix) { "" } else { prefix };
            let nickname = if rng.random_bool(0.4) {
                let (b, _) = pair(rng, CHINESE);
                format!("{prefix}{a}{b}")
            } else {
                format!("{prefix}{a}")
            };
            NewName {
                nickname,
                username_stem: roman.to_owned(),
            }
        }
        57..=64 => {
            let (a, roman) = pair(rng, KOREAN);
            let suffix = pick(rng, KOREAN_SUFFIX);
            NewName {
                nickname: format!("{a}{suffix}"),
                username_stem: roman.to_owned(),
            }
        }
        65..=72 => {
            let (a, roman) = pair(rng, JAPANESE);
            let suffix = pick(rng, JAPANESE_SUFFIX);
            NewName {
                nickname: format!("{a}{suffix}"),
                username_stem: roman.to_owned(),
            }
        }
        73..=79 => {
            let (a, roman) = pair(rng, ARABIC);
            let nickname = if rng.random_bool(0.5) {
                let (b, _) = pair(rng, ARABIC);
                format!("{a} {b}")
            } else {
                a.to_owned()
            };
            NewName {
                nickname,
                username_stem: roman.to_owned(),
            }
        }
        80..=88 => {
            let (a, roman) = pair(rng, CYRILLIC);
            let nickname = if rng.random_bool(0.5) {
                let (b, _) = pair(rng, CYRILLIC);
                format!("{a}{b}")
            } else {
                a.to_owned()
            };
            NewName {
                nickname,
                username_stem: roman.to_owned(),
            }
        }
        _ => {
            let noun = pick(rng, LATIN_NOUN);
            let emoji = pick(rng, EMOJI);
            let nickname = if rng.random_bool(0.5) {
                format!("{noun}{emoji}")
            } else {
                format!("{emoji}{}{emoji}", pick(rng, LATIN_ADJ))
            };
            NewName {
                nickname,
                username_stem: noun.to_lowercase(),
            }
        }
    }
}

/// The ASCII letters of a name, lower-cased (diacritics dropped), for usernames.
fn ascii_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if stem.is_empty() {
        "viewer".to_owned()
    } else {
        stem
    }
}

/// Draws a nickname not yet in `taken` (and records it there).
pub(crate) fn unique_name(rng: &mut impl Rng, taken: &mut HashSet<String>) -> NewName {
    let mut name = draw(rng);
    let mut attempts = 0u32;
    while taken.contains(&name.nickname) {
        attempts += 1;
        if attempts < 4 {
            name = draw(rng);
        } else {
            // The pools are finite: past a few draws, a number makes it unique.
            name.nickname = format!("{}{}", name.nickname, rng.random_range(1..100_000));
        }
    }
    taken.insert(name.nickname.clone());
    name
}

/// Chat lines simulated viewers say, across languages.
const CHAT_LINES: &[&str] = &[
    "hi!",
    "gg",
    "lol",
    "let's gooo",
    "that was clean",
    "first time here, love the vibe",
    "what's the song?",
    "hype!!",
    "W stream",
    "can you say hi to me?",
    "good morning from Brazil",
    "o7",
    "no way 😂",
    "🔥🔥🔥",
    "GG WP",
    "that's insane",
    "haha",
    "clutch!",
    "love this",
    "大家好",
    "哈哈哈哈",
    "主播好厉害",
    "666",
    "晚上好",
    "안녕하세요",
    "ㅋㅋㅋㅋ",
    "대박",
    "화이팅!",
    "こんにちは",
    "草",
    "すごい！",
    "おつかれ",
    "مرحبا",
    "ما شاء الله",
    "يا سلام",
    "привет всем",
    "ахаха",
    "красиво",
    "давай!",
    "hola a todos",
    "¡qué bueno!",
    "olá pessoal",
    "bonjour le chat",
    "❤️",
    "👀",
    "🎉🎉",
    "PogChamp",
    "KEKW",
    "gl hf",
    "brb",
    "back",
];

/// A random chat line.
pub(crate) fn chat_line(rng: &mut impl Rng) -> &'static str {
    CHAT_LINES.choose(rng).copied().unwrap_or("hi")
}

/// Words for generated stream titles of other channels.
const TITLE_BITS: &[&str] = &[
    "Ranked grind",
    "Chill vibes",
    "Road to Champion",
    "First playthrough",
    "Late night run",
    "Speedrun attempts",
    "Viewer games",
    "Drops enabled",
    "Just vibing",
    "Tournament practice",
    "Hardcore mode",
    "Cozy stream",
    "100% completion",
    "New season!",
    "Learning the ropes",
];

/// A plausible stream title for a channel playing `category`.
pub(crate) fn stream_title(rng: &mut impl Rng, category: &str) -> String {
    let bit = TITLE_BITS.choose(rng).copied().unwrap_or("Live");
    match rng.random_range(0..3) {
        0 => format!("{bit} | {category}"),
        1 => format!("{category}: {bit}"),
        _ => format!("{bit} !discord"),
    }
}
