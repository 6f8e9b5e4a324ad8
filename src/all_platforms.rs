//! One form for every platform: what each platform is sent when one title, one game and
//! the shared fields go to all of them. Written once for the window's all-platforms form,
//! `all set` and `preset apply`; pure, so the rule is tested on its own.

use crate::model::{Audience, Capabilities, ChannelChanges, PickedCategory, PlatformId, Preset};
use std::collections::BTreeMap;

/// The form's content: a title for all (each platform may override it), the category on
/// each platform (already matched), and the fields platforms share where they have them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllPlatformsDraft {
    /// The title every platform gets, unless it has its own in `titles`.
    pub title: Option<String>,
    /// Per-platform titles that win over `title`.
    pub titles: BTreeMap<PlatformId, String>,
    /// The category on each platform; a platform without one keeps its own.
    pub categories: BTreeMap<PlatformId, PickedCategory>,
    pub tags: Option<Vec<String>>,
    pub language: Option<String>,
    pub audience: Option<Audience>,
}

impl From<&Preset> for AllPlatformsDraft {
    fn from(p: &Preset) -> Self {
        AllPlatformsDraft {
            title: None,
            titles: p.titles.clone(),
            categories: p.categories.clone(),
            tags: p.tags.clone(),
            language: p.language.clone(),
            audience: p.audience,
        }
    }
}

/// A field a platform does not have, left out of what it is sent (not a failure).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skipped {
    Tags,
    Language,
    Audience,
}

impl Skipped {
    /// The field as a user names it.
    pub fn field(self) -> &'static str {
        match self {
            Skipped::Tags => "tags",
            Skipped::Language => "language",
            Skipped::Audience => "audience",
        }
    }
}

/// What one platform is sent, and what it was not sent because it lacks the field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlatformPlan {
    pub changes: ChannelChanges,
    pub skipped: Vec<Skipped>,
}

impl AllPlatformsDraft {
    /// The title `platform` gets: its own, else the common one.
    pub fn title_for(&self, platform: PlatformId) -> Option<&str> {
        self.titles
            .get(&platform)
            .or(self.title.as_ref())
            .map(String::as_str)
    }

    /// What `platform` (with `caps`) is sent. A title over the platform's limit is refused
    /// for that platform, with the sentence to show; nothing is sent there then.
    pub fn plan_for(
        &self,
        platform: PlatformId,
        caps: &Capabilities,
    ) -> Result<PlatformPlan, String> {
        let mut plan = PlatformPlan::default();
        if let Some(title) = self.title_for(platform) {
            title_fits(platform, title, caps)?;
            plan.changes.title = Some(title.to_owned());
        }
        plan.changes.category_id = self.categories.get(&platform).map(|c| c.id.clone());
        if let Some(tags) = &self.tags {
            if caps.tags {
                plan.changes.tags = Some(tags.clone());
            } else {
                plan.skipped.push(Skipped::Tags);
            }
        }
        if let Some(language) = &self.language {
            if caps.language {
                plan.changes.language = Some(language.clone());
            } else {
                plan.skipped.push(Skipped::Language);
            }
        }
        if let Some(audience) = self.audience {
            if caps.audience {
                plan.changes.audience = Some(audience);
            } else {
                plan.skipped.push(Skipped::Audience);
            }
        }
        Ok(plan)
    }
}

/// Whether `title` is within `platform`'s limit; the sentence to show when it is not.
pub fn title_fits(platform: PlatformId, title: &str, caps: &Capabilities) -> Result<(), String> {
    let (n, max) = (title.chars().count(), caps.title_max_chars);
    if n > max {
        return Err(format!(
            "a {platform} title may be at most {max} characters (this one has {n}); nothing was changed there"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_platform_gets_its_title_its_category_and_the_fields_it_has() {
        let mut draft = AllPlatformsDraft {
            title: Some("Road to Diamond".into()),
            tags: Some(vec!["English".into()]),
            language: Some("en".into()),
            ..AllPlatformsDraft::default()
        };
        draft
            .titles
            .insert(PlatformId::Trovo, "Road to Diamond (Trovo)".into());
        draft.categories.insert(
            PlatformId::Twitch,
            PickedCategory::new("516575", "VALORANT"),
        );
        let trovo = crate::platform::trovo::CAPABILITIES;
        let twitch = crate::platform::twitch::CAPABILITIES;
        let plan = draft.plan_for(PlatformId::Trovo, &trovo).expect("a plan");
        assert_eq!(
            plan.changes.title.as_deref(),
            Some("Road to Diamond (Trovo)")
        );
        assert_eq!(
            plan.changes.category_id, None,
            "Trovo keeps its own category"
        );
        assert_eq!(plan.skipped, [Skipped::Tags], "Trovo has no tags");
        assert_eq!(plan.changes.language.as_deref(), Some("en"));
        let plan = draft.plan_for(PlatformId::Twitch, &twitch).expect("a plan");
        assert_eq!(plan.changes.title.as_deref(), Some("Road to Diamond"));
        assert_eq!(plan.changes.category_id.as_deref(), Some("516575"));
        assert_eq!(plan.changes.tags, Some(vec!["English".into()]));
        assert!(plan.skipped.is_empty());
    }

    #[test]
    fn a_title_over_a_platform_s_limit_is_refused_there_only() {
        let trovo = crate::platform::trovo::CAPABILITIES;
        let velora = crate::platform::velora::CAPABILITIES;
        let long = "x".repeat(trovo.title_max_chars + 1);
        let draft = AllPlatformsDraft {
            title: Some(long),
            ..AllPlatformsDraft::default()
        };
        let e = draft
            .plan_for(PlatformId::Trovo, &trovo)
            .expect_err("too long");
        assert!(e.contains("nothing was changed"), "{e}");
        if velora.title_max_chars > trovo.title_max_chars {
            assert!(draft.plan_for(PlatformId::Velora, &velora).is_ok());
        }
    }
}
