//! Whether two platforms' category names mean the same game: the rule the all-platforms
//! form and `all set --category` use to propose a category on each platform from one name.
//!
//! A name matches exactly, or else after normalising both sides: case, accents,
//! punctuation, "™"/"®", "&"/"and", and roman numerals against digits ("Hades II" = "Hades
//! 2"). Failing that, a trailing year is dropped where only one side has one ("Football
//! Manager 2026" = "Football Manager", never "Football Manager 2024"). A longer title that
//! merely starts with the name ("Minecraft Dungeons" for "Minecraft") is no match: the
//! whole name must agree. Pure, so the rule is tested on its own.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// How closely a candidate's name agrees with the wanted one; better first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchQuality {
    /// The same text.
    Exact,
    /// The same once normalised (case, accents, punctuation, symbols, numerals).
    Normalised,
    /// The same once the year only one side has is dropped.
    YearDropped,
}

/// A name in the form names are compared in: lower-case words without accents or
/// punctuation, roman numerals as digits, one space between words.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NameKey(String);

impl NameKey {
    /// The key of a category name.
    pub fn of(name: &str) -> NameKey {
        NameKey(words(name).join(" "))
    }

    /// The key as text (what the database indexes remembered mappings by).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key without a trailing year, and whether there was one.
    fn without_year(&self) -> Option<&str> {
        let (rest, last) = self.0.rsplit_once(' ')?;
        is_year(last).then_some(rest)
    }
}

/// How `candidate` agrees with `wanted`, or `None` when it is another game.
pub fn compare(wanted: &str, candidate: &str) -> Option<MatchQuality> {
    if wanted.trim() == candidate.trim() && !wanted.trim().is_empty() {
        return Some(MatchQuality::Exact);
    }
    let (w, c) = (NameKey::of(wanted), NameKey::of(candidate));
    if w.0.is_empty() {
        return None;
    }
    if w == c {
        return Some(MatchQuality::Normalised);
    }
    // One side has a year the other lacks; both with years must agree exactly (above).
    match (w.without_year(), c.without_year()) {
        (Some(rest), None) if rest == c.0 => Some(MatchQuality::YearDropped),
        (None, Some(rest)) if rest == w.0 => Some(MatchQuality::YearDropped),
        _ => None,
    }
}

/// The best match for `wanted` among `candidates` (in the platform's own order, which
/// breaks ties), with how good it is; `None` when no candidate is the same game.
pub fn best_match<'a, T>(
    wanted: &str,
    candidates: &'a [T],
    name: impl Fn(&T) -> &str,
) -> Option<(&'a T, MatchQuality)> {
    candidates
        .iter()
        .filter_map(|c| compare(wanted, name(c)).map(|q| (c, q)))
        // `min_by_key` keeps the first of equals: the platform's most relevant.
        .min_by_key(|(_, q)| *q)
}

/// The words of a name, normalised.
fn words(name: &str) -> Vec<String> {
    let mut flat = String::with_capacity(name.len());
    // NFKD splits "é" into "e" and its accent (dropped) and "™" into "TM" (dropped below:
    // it is a symbol, not part of the name).
    for c in name
        .replace(['™', '®', '©', '℠'], " ")
        .nfkd()
        .flat_map(char::to_lowercase)
    {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            // "Baldur's" is one word, not "baldur s".
            '\'' | '’' | '‘' | '`' => {}
            '&' | '＆' => flat.push_str(" and "),
            c if c.is_alphanumeric() => flat.push(c),
            _ => flat.push(' '),
        }
    }
    flat.split_whitespace()
        .enumerate()
        .map(|(i, w)| match roman(w) {
            // Only after the first word: "X-Men" and "I Am Bread" keep their letters.
            Some(n) if i > 0 => n.to_string(),
            _ => w.to_owned(),
        })
        .collect()
}

/// A roman numeral from 1 to 39 in its usual spelling ("ii", "iv", "xiv"), as a number.
fn roman(word: &str) -> Option<u32> {
    const UNITS: [&str; 10] = ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"];
    const TENS: [&str; 4] = ["", "x", "xx", "xxx"];
    if word.is_empty() || !word.chars().all(|c| matches!(c, 'i' | 'v' | 'x')) {
        return None;
    }
    (1..40).find(|n: &u32| {
        let spelt = format!("{}{}", TENS[(*n / 10) as usize], UNITS[(*n % 10) as usize]);
        spelt == word
    })
}

/// A year as game titles carry one: four digits from 1970 to 2099.
fn is_year(word: &str) -> bool {
    word.len() == 4 && word.parse::<u32>().is_ok_and(|y| (1970..2100).contains(&y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use MatchQuality::*;
    use proptest::prelude::*;

    #[test]
    fn the_issue_s_examples() {
        assert_eq!(compare("Hades II", "Hades II"), Some(Exact));
        assert_eq!(compare("Hades II", "Hades 2"), Some(Normalised));
        assert_eq!(compare("VALORANT", "Valorant"), Some(Normalised));
        assert_eq!(
            compare("Pokémon Scarlet", "Pokemon scarlet"),
            Some(Normalised)
        );
        assert_eq!(
            compare(
                "Tom Clancy's Rainbow Six® Siege",
                "Tom Clancys Rainbow Six Siege"
            ),
            Some(Normalised)
        );
        assert_eq!(compare("Portal™ 2", "Portal 2"), Some(Normalised));
        assert_eq!(
            compare("Call of Duty: Warzone", "Call of Duty - Warzone"),
            Some(Normalised)
        );
        assert_eq!(
            compare("Talk Shows & Podcasts", "Talk Shows and Podcasts"),
            Some(Normalised)
        );
        assert_eq!(
            compare("Football Manager 2026", "Football Manager"),
            Some(YearDropped)
        );
        assert_eq!(
            compare("Football Manager", "Football Manager 2026"),
            Some(YearDropped)
        );
        assert_eq!(
            compare("Football Manager 2026", "Football Manager 2024"),
            None
        );
        assert_eq!(compare("Minecraft", "Minecraft Dungeons"), None);
        assert_eq!(compare("Counter-Strike", "Counter-Strike 2"), None);
        assert_eq!(
            compare("Grand Theft Auto V", "Grand Theft Auto 5"),
            Some(Normalised)
        );
        assert_eq!(compare("", ""), None, "nothing is no game");
        assert_eq!(compare("!!!", "???"), None);
    }

    #[test]
    fn a_leading_letter_is_a_word_not_a_numeral() {
        assert_eq!(NameKey::of("X-Men Legends").as_str(), "x men legends");
        assert_eq!(NameKey::of("I Am Bread").as_str(), "i am bread");
        assert_eq!(
            NameKey::of("Final Fantasy XIV").as_str(),
            "final fantasy 14"
        );
        assert_eq!(NameKey::of("Civilization VI").as_str(), "civilization 6");
        // Not a numeral in its usual spelling.
        assert_eq!(NameKey::of("Dead Space IIII").as_str(), "dead space iiii");
    }

    #[test]
    fn the_best_match_prefers_exact_then_the_platform_s_order() {
        let names = ["Hades 2", "Hades II", "Hades"];
        let (found, q) = best_match("Hades II", &names, |n| n).expect("a match");
        assert_eq!((*found, q), ("Hades II", Exact));
        let names = ["Minecraft Dungeons", "MINECRAFT", "Minecraft: Story Mode"];
        let (found, q) = best_match("Minecraft", &names, |n| n).expect("a match");
        assert_eq!((*found, q), ("MINECRAFT", Normalised));
        let names = ["Football Manager 2024", "Football Manager"];
        let (found, _) = best_match("Football Manager 2026", &names, |n| n).expect("a match");
        assert_eq!(*found, "Football Manager");
        assert!(best_match("Slay the Spire", &names, |n| n).is_none());
    }

    proptest! {
        #[test]
        fn every_name_matches_itself_and_its_own_key(name in "\\PC{1,40}") {
            prop_assume!(!NameKey::of(&name).as_str().is_empty());
            prop_assert_eq!(compare(&name, &name), Some(Exact));
            let key = NameKey::of(&name);
            prop_assert_eq!(NameKey::of(key.as_str()), key.clone(), "a key is its own key");
        }

        #[test]
        fn matching_is_symmetric(a in "[A-Za-zé0-9 :'&IVX-]{1,24}", b in "[A-Za-zé0-9 :'&IVX-]{1,24}") {
            prop_assert_eq!(compare(&a, &b).is_some(), compare(&b, &a).is_some());
        }

        #[test]
        fn a_longer_title_is_never_the_same_game(
            name in "[A-Za-z]{2,12}( [A-Za-z]{2,12}){0,3}",
            more in "[A-Za-z]{2,12}",
        ) {
            let longer = format!("{name} {more}");
            prop_assert_eq!(compare(&name, &longer), None);
        }

        #[test]
        fn two_different_years_never_match(name in "[A-Za-z]{2,12}( [A-Za-z]{2,12}){0,2}", a in 1970u32..2100, b in 1970u32..2100) {
            prop_assume!(a != b);
            prop_assert_eq!(compare(&format!("{name} {a}"), &format!("{name} {b}")), None);
        }
    }
}
