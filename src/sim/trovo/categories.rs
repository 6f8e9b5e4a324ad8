//! The category catalogue: a hand-written core of real categories in a plausible popularity
//! order, then generated game titles, 240 in all. Ids are stable for a given build so tests
//! and saved drafts can name them.

/// One category as `/categorys/top` describes it (the icon URL is built per simulator).
#[derive(Clone, Debug)]
pub(crate) struct Category {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) short_name: String,
    pub(crate) desc: String,
}

/// (id, name, short name, description), most popular first.
const CORE: &[(&str, &str, &str, &str)] = &[
    (
        "10000",
        "Just Chatting",
        "Chatting",
        "Hang out, talk and get to know the streamer.",
    ),
    (
        "10023",
        "PUBG Mobile",
        "PUBGM",
        "The mobile-first adaptation of PLAYERUNKNOWN'S BATTLEGROUNDS.",
    ),
    (
        "10028",
        "Call of Duty Mobile",
        "CODM",
        "A free-to-play first-person shooter for Android and iOS.",
    ),
    (
        "10672",
        "Genshin Impact",
        "Genshin",
        "An open-world action role-playing game.",
    ),
    (
        "2000027",
        "Apex Legends",
        "Apex",
        "A free-to-play hero shooter battle royale.",
    ),
    (
        "2000017",
        "PLAYERUNKNOWN'S BATTLEGROUNDS",
        "PUBG",
        "PLAYERUNKNOWN'S BATTLEGROUNDS",
    ),
    (
        "10041",
        "Free Fire",
        "FF",
        "A battle royale for mobile devices.",
    ),
    (
        "10050",
        "Minecraft",
        "MC",
        "Build, explore and survive in a world of blocks.",
    ),
    (
        "10051",
        "Grand Theft Auto V",
        "GTA V",
        "Open-world crime in Los Santos, roleplay servers included.",
    ),
    (
        "10052",
        "League of Legends",
        "LoL",
        "A team-based strategy game of two teams of five champions.",
    ),
    (
        "10053",
        "Valorant",
        "Valorant",
        "A 5v5 character-based tactical shooter.",
    ),
    (
        "10054",
        "Fortnite",
        "Fortnite",
        "Battle royale, building and creative islands.",
    ),
    (
        "10055",
        "Counter-Strike 2",
        "CS2",
        "The tactical shooter, rebuilt on Source 2.",
    ),
    (
        "10056",
        "Mobile Legends: Bang Bang",
        "MLBB",
        "A 5v5 mobile MOBA.",
    ),
    (
        "10057",
        "Music",
        "Music",
        "Live music, covers, production and DJ sets.",
    ),
    (
        "10058",
        "Art",
        "Art",
        "Drawing, painting, sculpting and digital art.",
    ),
    (
        "10059",
        "Talk Shows & Podcasts",
        "Talk",
        "Conversations, interviews and podcasts.",
    ),
    (
        "10060",
        "Dota 2",
        "Dota 2",
        "A multiplayer online battle arena.",
    ),
    (
        "10061",
        "World of Warcraft",
        "WoW",
        "The massively multiplayer online role-playing game.",
    ),
    (
        "10062",
        "Escape from Tarkov",
        "Tarkov",
        "A hardcore realistic online first-person shooter.",
    ),
    (
        "10063",
        "Rust",
        "Rust",
        "Survive, build and raid in a hostile world.",
    ),
    (
        "10064",
        "Elden Ring",
        "Elden Ring",
        "An action RPG in the Lands Between.",
    ),
    (
        "10065",
        "Roblox",
        "Roblox",
        "Millions of experiences made by the community.",
    ),
    (
        "10066",
        "Dead by Daylight",
        "DbD",
        "An asymmetric multiplayer horror game.",
    ),
    (
        "10067",
        "Overwatch 2",
        "OW2",
        "A team-based action game set in an optimistic future.",
    ),
    ("10068", "Rocket League", "RL", "Soccer meets driving."),
    (
        "10069",
        "Hearthstone",
        "HS",
        "A fast-paced strategy card game.",
    ),
    (
        "10070",
        "Teamfight Tactics",
        "TFT",
        "A round-based auto battler.",
    ),
    (
        "10071",
        "Stardew Valley",
        "Stardew",
        "A farming life simulation.",
    ),
    (
        "10072",
        "The Sims 4",
        "Sims",
        "Create and control people in a virtual world.",
    ),
    (
        "10073",
        "Among Us",
        "Among Us",
        "Find the impostor before it is too late.",
    ),
    (
        "10074",
        "Sea of Thieves",
        "SoT",
        "A pirate adventure on a shared world.",
    ),
    (
        "10075",
        "Destiny 2",
        "D2",
        "A free-to-play online first-person shooter.",
    ),
    ("10076", "Path of Exile", "PoE", "A free online action RPG."),
    (
        "10077",
        "Diablo IV",
        "D4",
        "Return to darkness in the action RPG.",
    ),
    (
        "10078",
        "Honkai: Star Rail",
        "HSR",
        "A space fantasy role-playing game.",
    ),
    (
        "10079",
        "Chess",
        "Chess",
        "The classic strategy board game.",
    ),
    (
        "10080",
        "Retro",
        "Retro",
        "Classic games from earlier generations of consoles.",
    ),
    (
        "10081",
        "Software and Game Development",
        "Dev",
        "Programming, game making and tools.",
    ),
    (
        "10082",
        "Sports",
        "Sports",
        "Sports talk, watch-alongs and fitness.",
    ),
    (
        "10083",
        "Travel & Outdoors",
        "IRL",
        "Streams from out in the world.",
    ),
    (
        "10084",
        "Food & Drink",
        "Food",
        "Cooking, tasting and recipes.",
    ),
    ("10085", "ASMR", "ASMR", "Soft sounds and whispers."),
    (
        "10086",
        "Poker",
        "Poker",
        "Card room strategy and tournaments.",
    ),
    // Games the other simulators spell or number differently, for the category mapping.
    (
        "10087",
        "Hades II",
        "Hades 2",
        "Battle beyond the Underworld as the Princess of the Underworld.",
    ),
    (
        "10088",
        "Football Manager 2024",
        "FM24",
        "Manage a football club; an older edition than the other platforms list.",
    ),
    (
        "10089",
        "Pokémon Scarlet and Violet",
        "Pokémon SV",
        "Explore the Paldea region.",
    ),
];

/// Word lists for the generated tail of the catalogue.
const FIRST: &[&str] = &[
    "Neon",
    "Shadow",
    "Iron",
    "Crystal",
    "Starlight",
    "Dragon",
    "Pixel",
    "Frontier",
    "Quantum",
    "Eternal",
    "Storm",
    "Hollow",
];
const SECOND: &[&str] = &[
    "Drift",
    "Legends",
    "Tactics",
    "Kingdoms",
    "Odyssey",
    "Arena",
    "Survivors",
    "Rally",
    "Chronicles",
    "Siege",
    "Frontline",
    "Harvest",
    "Dungeon",
    "Racers",
    "Empire",
    "Outlaws",
];

/// The number of categories in the catalogue.
pub(crate) const CATALOGUE_SIZE: usize = 240;

/// The whole catalogue, most popular first.
pub(crate) fn catalogue() -> Vec<Category> {
    let mut all: Vec<Category> = CORE
        .iter()
        .map(|(id, name, short, desc)| Category {
            id: (*id).to_owned(),
            name: (*name).to_owned(),
            short_name: (*short).to_owned(),
            desc: (*desc).to_owned(),
        })
        .collect();
    // Generated titles: every FIRST x SECOND pair, interleaved so neighbours differ, with a
    // roman numeral now and then, until the catalogue is full.
    let mut n = 0usize;
    while all.len() < CATALOGUE_SIZE {
        let first = FIRST[n % FIRST.len()];
        let second = SECOND[(n / FIRST.len() + n) % SECOND.len()];
        n += 1;
        let sequel = match n % 7 {
            0 => " II",
            3 => " Online",
            5 => ": Remastered",
            _ => "",
        };
        let name = format!("{first} {second}{sequel}");
        if all.iter().any(|c| c.name == name) {
            continue;
        }
        let short: String = format!("{first} {second}")
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .collect();
        all.push(Category {
            id: format!("{}", 30_000 + all.len()),
            desc: format!(
                "{name} is an indie hit: {} meets {}.",
                first.to_lowercase(),
                second.to_lowercase()
            ),
            short_name: format!("{short}{}", if sequel.is_empty() { "" } else { "2" }),
            name,
        });
    }
    all
}
