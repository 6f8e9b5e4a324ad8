//! What the all-platforms form keeps between runs: presets, the history of what was
//! applied, and the categories a user confirmed as the same game on several platforms.
//! Plain data; the store (`crate::store`) reads and writes it.

use super::{Audience, PlatformId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// A category as picked on one platform: its id there and the name it goes by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickedCategory {
    pub id: String,
    pub name: String,
    /// Its icon, where the platform gave one (for the form; not part of any contract).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_url: Option<String>,
}

impl PickedCategory {
    /// The category with its id and name, without an icon.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        PickedCategory {
            id: id.into(),
            name: name.into(),
            icon_url: None,
        }
    }
}

/// A saved form under a name: the title each platform gets, the category on each, and the
/// fields the platforms share. A platform missing from `titles` or `categories` is left
/// as it is when the preset is applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preset {
    pub name: String,
    #[serde(default)]
    pub titles: BTreeMap<PlatformId, String>,
    #[serde(default)]
    pub categories: BTreeMap<PlatformId, PickedCategory>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub audience: Option<Audience>,
    /// When it was saved last (set by the store).
    #[serde(default = "now", with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

impl Preset {
    /// An empty preset called `name`.
    pub fn named(name: impl Into<String>) -> Self {
        Preset {
            name: name.into(),
            titles: BTreeMap::new(),
            categories: BTreeMap::new(),
            tags: None,
            language: None,
            audience: None,
            updated_at: now(),
        }
    }
}

/// One applied change of a platform's title or category, as the platform took it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub platform: PlatformId,
    pub title: String,
    pub category: Option<PickedCategory>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Categories the user confirmed as one game: at most one per platform.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryMapping {
    /// The store's id for it (to forget it or one of its platforms).
    pub id: i64,
    pub categories: BTreeMap<PlatformId, PickedCategory>,
}

/// What the all-platforms form proposes for one platform's category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CategoryProposal {
    /// The category the user picked there, or one a confirmed mapping names.
    Remembered(PickedCategory),
    /// Found by searching the platform for the name; the user confirms it.
    Found {
        category: PickedCategory,
        /// How closely its name agrees (exact, or the same once normalised...).
        quality: crate::category_match::MatchQuality,
    },
    /// The platform has no category of that name: its category is left as it is.
    NoMatch,
    /// The search failed, in the platform's words.
    Failed(String),
}

impl CategoryProposal {
    /// The category proposed, if any.
    pub fn category(&self) -> Option<&PickedCategory> {
        match self {
            CategoryProposal::Remembered(c) | CategoryProposal::Found { category: c, .. } => {
                Some(c)
            }
            CategoryProposal::NoMatch | CategoryProposal::Failed(_) => None,
        }
    }
}

/// Everything the local database keeps that the window shows, read at once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Saved {
    /// By name.
    pub presets: Vec<Preset>,
    /// Titles used before, newest first, each once.
    pub recent_titles: Vec<String>,
    /// The newest applied titles and categories.
    pub history: Vec<HistoryEntry>,
    /// Newest first.
    pub mappings: Vec<CategoryMapping>,
}

/// A change to what the local database keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SavedChange {
    /// Nothing: just read it all.
    Load,
    SavePreset(Preset),
    RenamePreset {
        from: String,
        to: String,
    },
    DeletePreset(String),
    /// Confirms these categories as one game.
    RememberMapping(BTreeMap<PlatformId, PickedCategory>),
    ForgetMapping(i64),
    /// Takes one platform out of a mapping.
    ForgetMappingMember {
        id: i64,
        platform: PlatformId,
    },
    /// Asks where to, then writes every preset there as JSON.
    ExportPresets,
    /// Asks for a file written by an export, then imports its presets (all or none).
    ImportPresets,
}
