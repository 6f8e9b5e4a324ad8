//! The history of applied titles and categories, per platform, newest first.

use super::{Store, StoreError, parse_stamp, platform_of, stamp};
use crate::model::{HistoryEntry, PickedCategory, PlatformId};
use rusqlite::{OptionalExtension, params};

impl Store {
    /// Records a title and category a platform took. The same pair as that platform's
    /// newest entry is not recorded again (an apply that changed only the language).
    pub fn record(&self, entry: &HistoryEntry) -> Result<(), StoreError> {
        let conn = self.conn();
        let platform = entry.platform.slug();
        let (category_id, category_name) = match &entry.category {
            Some(c) => (Some(c.id.as_str()), Some(c.name.as_str())),
            None => (None, None),
        };
        let newest: Option<(String, Option<String>)> = conn
            .query_row(
                "SELECT title, category_id FROM history WHERE platform = ?1
                 ORDER BY at DESC, id DESC LIMIT 1",
                [platform],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if newest.is_some_and(|(t, c)| t == entry.title && c.as_deref() == category_id) {
            return Ok(());
        }
        conn.execute(
            "INSERT INTO history (platform, title, category_id, category_name, at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                platform,
                entry.title,
                category_id,
                category_name,
                stamp(entry.at)
            ],
        )?;
        Ok(())
    }

    /// The applied titles and categories, newest first, of one platform or all; at most
    /// `limit`.
    pub fn history(
        &self,
        platform: Option<PlatformId>,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT platform, title, category_id, category_name, at FROM history
             WHERE ?1 IS NULL OR platform = ?1
             ORDER BY at DESC, id DESC LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![platform.map(PlatformId::slug), limit], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (platform, title, id, name, at) = row?;
            out.push(HistoryEntry {
                platform: platform_of(&platform)?,
                title,
                category: id.map(|id| PickedCategory::new(id, name.unwrap_or_default())),
                at: parse_stamp(&at)?,
            });
        }
        Ok(out)
    }

    /// Titles used before, newest first, each once (the list under the title field).
    pub fn recent_titles(&self, limit: usize) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT title FROM history WHERE title <> ''
             GROUP BY title ORDER BY MAX(at) DESC, MAX(id) DESC LIMIT ?1",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let titles = stmt
            .query_map([limit], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(titles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::{Duration, OffsetDateTime};

    fn entry(
        platform: PlatformId,
        title: &str,
        category: Option<(&str, &str)>,
        secs: i64,
    ) -> HistoryEntry {
        HistoryEntry {
            platform,
            title: title.into(),
            category: category.map(|(id, name)| PickedCategory::new(id, name)),
            at: OffsetDateTime::UNIX_EPOCH + Duration::days(20_000) + Duration::seconds(secs),
        }
    }

    #[test]
    fn history_is_newest_first_per_platform_and_repeats_are_not_kept() {
        let store = Store::in_memory().expect("store");
        let chat = Some(("509658", "Just Chatting"));
        store
            .record(&entry(PlatformId::Twitch, "first", chat, 1))
            .expect("1");
        store
            .record(&entry(PlatformId::Trovo, "first", None, 2))
            .expect("2");
        store
            .record(&entry(PlatformId::Twitch, "second", chat, 3))
            .expect("3");
        // Only the language changed: nothing new to remember.
        store
            .record(&entry(PlatformId::Twitch, "second", chat, 4))
            .expect("4");
        store
            .record(&entry(PlatformId::Twitch, "first", chat, 5))
            .expect("5");
        let all = store.history(None, 100).expect("all");
        let titles: Vec<_> = all.iter().map(|e| (e.platform, e.title.as_str())).collect();
        assert_eq!(
            titles,
            [
                (PlatformId::Twitch, "first"),
                (PlatformId::Twitch, "second"),
                (PlatformId::Trovo, "first"),
                (PlatformId::Twitch, "first"),
            ]
        );
        assert_eq!(
            all[0].category.as_ref().map(|c| c.name.as_str()),
            Some("Just Chatting")
        );
        assert_eq!(all[2].category, None);
        let trovo = store.history(Some(PlatformId::Trovo), 100).expect("trovo");
        assert_eq!(trovo.len(), 1);
        assert_eq!(store.history(None, 2).expect("two").len(), 2);
        assert_eq!(
            store.recent_titles(10).expect("titles"),
            ["first", "second"]
        );
    }
}
