//! The stream info form's draft: what the user typed but has not applied. It is persisted
//! with the window's state, so a crash, a restart or a failed Apply loses nothing; Apply
//! sends only the fields that differ from what is live.

use crate::model::{Audience, Category, Channel, ChannelChanges};
use serde::{Deserialize, Serialize};

/// Edits to one platform's channel. `None` means "as live".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamDraft {
    pub title: Option<String>,
    pub category: Option<Category>,
    pub language: Option<String>,
    pub audience: Option<Audience>,
    /// The whole tag list as edited (an empty list clears the tags).
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// The broadcast delay in seconds.
    #[serde(default)]
    pub delay: Option<u32>,
}

impl StreamDraft {
    /// The title the form shows: the draft's, else the live one.
    pub fn title<'a>(&'a self, live: Option<&'a Channel>) -> &'a str {
        self.title
            .as_deref()
            .or(live.map(|c| c.title.as_str()))
            .unwrap_or("")
    }

    /// The language the form shows.
    pub fn language<'a>(&'a self, live: Option<&'a Channel>) -> Option<&'a str> {
        self.language
            .as_deref()
            .or(live.and_then(|c| c.language.as_deref()))
    }

    /// The audience the form shows.
    pub fn audience(&self, live: Option<&Channel>) -> Option<Audience> {
        self.audience.or(live.and_then(|c| c.audience))
    }

    /// The tags the form shows.
    pub fn tags<'a>(&'a self, live: Option<&'a Channel>) -> &'a [String] {
        self.tags
            .as_deref()
            .or(live.and_then(|c| c.tags.as_deref()))
            .unwrap_or(&[])
    }

    /// The delay the form shows.
    pub fn delay(&self, live: Option<&Channel>) -> Option<u32> {
        self.delay.or(live.and_then(|c| c.delay))
    }

    /// Only the fields that differ from `live`: what Apply sends.
    pub fn changes(&self, live: &Channel) -> ChannelChanges {
        let live_category = live.category.as_ref().and_then(|c| c.id.as_deref());
        ChannelChanges {
            title: self.title.clone().filter(|t| *t != live.title),
            category_id: self
                .category
                .as_ref()
                .map(|c| c.id.clone())
                .filter(|id| Some(id.as_str()) != live_category),
            language: self.language.clone().filter(|l| {
                !live
                    .language
                    .as_deref()
                    .is_some_and(|live| live.eq_ignore_ascii_case(l))
            }),
            audience: self.audience.filter(|a| Some(*a) != live.audience),
            tags: self
                .tags
                .clone()
                .filter(|t| !same_tags(t, live.tags.as_deref())),
            delay: self.delay.filter(|d| Some(*d) != live.delay),
        }
    }

    /// Whether anything differs from `live` (or, with nothing live yet, was edited at all).
    pub fn is_dirty(&self, live: Option<&Channel>) -> bool {
        match live {
            Some(live) => !self.changes(live).is_empty(),
            None => *self != StreamDraft::default(),
        }
    }

    /// Drops the fields that now match `live`, after an Apply succeeded or the channel
    /// changed elsewhere to what the user wanted; what still differs stays.
    pub fn settle(&mut self, live: &Channel) {
        let left = self.changes(live);
        if left.title.is_none() {
            self.title = None;
        }
        if left.category_id.is_none() {
            self.category = None;
        }
        if left.language.is_none() {
            self.language = None;
        }
        if left.audience.is_none() {
            self.audience = None;
        }
        if left.tags.is_none() {
            self.tags = None;
        }
        if left.delay.is_none() {
            self.delay = None;
        }
    }
}

/// Tags are the same list when they match one for one, case aside (platforms compare them
/// without case); none live is the same as an empty list.
fn same_tags(edited: &[String], live: Option<&[String]>) -> bool {
    let live = live.unwrap_or(&[]);
    edited.len() == live.len()
        && edited
            .iter()
            .zip(live)
            .all(|(a, b)| a.eq_ignore_ascii_case(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CategoryRef;

    fn live() -> Channel {
        Channel {
            id: "1".into(),
            name: "me".into(),
            display_name: None,
            title: "Old".into(),
            category: Some(CategoryRef {
                id: Some("10".into()),
                name: Some("Chess".into()),
            }),
            language: Some("EN".into()),
            audience: Some(Audience::All),
            is_live: true,
            viewers: None,
            followers: None,
            subscribers: None,
            started_at: None,
            avatar_url: None,
            tags: None,
            delay: None,
        }
    }

    fn cat(id: &str) -> Category {
        Category {
            id: id.into(),
            name: format!("cat {id}"),
            short_name: None,
            icon_url: None,
        }
    }

    #[test]
    fn only_differing_fields_are_sent() {
        let d = StreamDraft {
            title: Some("Old".into()),
            category: Some(cat("11")),
            language: Some("en".into()),
            audience: Some(Audience::Adult),
            ..Default::default()
        };
        let c = d.changes(&live());
        assert_eq!(c.title, None, "same title");
        assert_eq!(c.category_id.as_deref(), Some("11"));
        assert_eq!(c.language, None, "same language, other case");
        assert_eq!(c.audience, Some(Audience::Adult));
        assert!(d.is_dirty(Some(&live())));
    }

    #[test]
    fn tags_and_delay_are_sent_only_when_they_differ() {
        let mut live = live();
        live.tags = Some(vec!["English".into(), "Chill".into()]);
        live.delay = Some(0);
        let same = StreamDraft {
            tags: Some(vec!["english".into(), "chill".into()]),
            delay: Some(0),
            ..Default::default()
        };
        assert!(same.changes(&live).is_empty(), "case aside, the same tags");
        let cleared = StreamDraft {
            tags: Some(Vec::new()),
            delay: Some(30),
            ..Default::default()
        };
        let c = cleared.changes(&live);
        assert_eq!(c.tags, Some(Vec::new()), "an empty list clears");
        assert_eq!(c.delay, Some(30));
        let mut settled = cleared.clone();
        live.tags = Some(Vec::new());
        settled.settle(&live);
        assert_eq!(settled.tags, None, "applied");
        assert_eq!(settled.delay, Some(30), "still differs");
    }

    #[test]
    fn settle_keeps_only_what_still_differs() {
        let mut d = StreamDraft {
            title: Some("New".into()),
            category: Some(cat("10")),
            ..Default::default()
        };
        d.settle(&live());
        assert_eq!(d.title.as_deref(), Some("New"));
        assert_eq!(d.category, None);
        let mut applied = live();
        applied.title = "New".into();
        d.settle(&applied);
        assert_eq!(d, StreamDraft::default());
        assert!(!d.is_dirty(Some(&applied)));
    }

    #[test]
    fn the_form_shows_draft_over_live() {
        let d = StreamDraft {
            title: Some("Draft".into()),
            ..Default::default()
        };
        let l = live();
        assert_eq!(d.title(Some(&l)), "Draft");
        assert_eq!(d.language(Some(&l)), Some("EN"));
        assert_eq!(StreamDraft::default().title(None), "");
    }
}
