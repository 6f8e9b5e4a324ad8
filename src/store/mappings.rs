//! Category mappings: categories the user confirmed as one game across platforms, found
//! again by any member's name (in `category_match`'s normal form) or by a member itself.

use super::{Store, StoreError, platform_of, stamp};
use crate::category_match::NameKey;
use crate::model::{CategoryMapping, PickedCategory, PlatformId};
use rusqlite::{OptionalExtension, params};
use std::collections::BTreeMap;
use time::OffsetDateTime;

impl Store {
    /// Remembers `categories` as one game and answers the mapping's id. A mapping that
    /// already holds one of them is merged in (these choices win on their platforms), so
    /// a category belongs to one mapping at most.
    pub fn remember_mapping(
        &self,
        categories: &BTreeMap<PlatformId, PickedCategory>,
    ) -> Result<i64, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut merged: BTreeMap<PlatformId, PickedCategory> = BTreeMap::new();
        let mut old_ids = Vec::new();
        for (platform, category) in categories {
            let id: Option<i64> = tx
                .query_row(
                    "SELECT mapping_id FROM category_mapping_members
                     WHERE platform = ?1 AND category_id = ?2",
                    params![platform.slug(), category.id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = id.filter(|id| !old_ids.contains(id)) {
                old_ids.push(id);
                for (p, c) in members(&tx, id)? {
                    merged.entry(p).or_insert(c);
                }
            }
        }
        for (platform, category) in categories {
            merged.insert(*platform, category.clone());
        }
        for id in old_ids {
            tx.execute("DELETE FROM category_mappings WHERE id = ?1", [id])?;
        }
        tx.execute(
            "INSERT INTO category_mappings (confirmed_at) VALUES (?1)",
            [stamp(OffsetDateTime::now_utc())],
        )?;
        let id = tx.last_insert_rowid();
        for (platform, c) in &merged {
            tx.execute(
                "INSERT INTO category_mapping_members
                 (mapping_id, platform, category_id, name, name_key, icon_url)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    id,
                    platform.slug(),
                    c.id,
                    c.name,
                    NameKey::of(&c.name).as_str(),
                    c.icon_url
                ],
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// The newest mapping one of whose categories is called `name` (in normal form).
    pub fn mapping_for_name(&self, name: &str) -> Result<Option<CategoryMapping>, StoreError> {
        let conn = self.conn();
        let id: Option<i64> = conn
            .query_row(
                "SELECT mapping_id FROM category_mapping_members WHERE name_key = ?1
                 ORDER BY mapping_id DESC LIMIT 1",
                [NameKey::of(name).as_str()],
                |r| r.get(0),
            )
            .optional()?;
        id.map(|id| mapping(&conn, id)).transpose()
    }

    /// The mapping `platform`'s category `category_id` belongs to.
    pub fn mapping_for_category(
        &self,
        platform: PlatformId,
        category_id: &str,
    ) -> Result<Option<CategoryMapping>, StoreError> {
        let conn = self.conn();
        let id: Option<i64> = conn
            .query_row(
                "SELECT mapping_id FROM category_mapping_members
                 WHERE platform = ?1 AND category_id = ?2",
                params![platform.slug(), category_id],
                |r| r.get(0),
            )
            .optional()?;
        id.map(|id| mapping(&conn, id)).transpose()
    }

    /// Every mapping, newest first (for the list the user edits).
    pub fn mappings(&self) -> Result<Vec<CategoryMapping>, StoreError> {
        let conn = self.conn();
        let ids = conn
            .prepare_cached("SELECT id FROM category_mappings ORDER BY id DESC")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<Vec<i64>, _>>()?;
        ids.into_iter().map(|id| mapping(&conn, id)).collect()
    }

    /// Forgets a mapping; false when there was none.
    pub fn forget_mapping(&self, id: i64) -> Result<bool, StoreError> {
        Ok(self
            .conn()
            .execute("DELETE FROM category_mappings WHERE id = ?1", [id])?
            > 0)
    }

    /// Takes one platform out of a mapping (a mapping left with one category is forgotten:
    /// it maps nothing); false when it had none there.
    pub fn forget_mapping_member(&self, id: i64, platform: PlatformId) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "DELETE FROM category_mapping_members WHERE mapping_id = ?1 AND platform = ?2",
            params![id, platform.slug()],
        )?;
        if members(&tx, id)?.len() < 2 {
            tx.execute("DELETE FROM category_mappings WHERE id = ?1", [id])?;
        }
        tx.commit()?;
        Ok(n > 0)
    }
}

fn mapping(conn: &rusqlite::Connection, id: i64) -> Result<CategoryMapping, StoreError> {
    Ok(CategoryMapping {
        id,
        categories: members(conn, id)?,
    })
}

fn members(
    conn: &rusqlite::Connection,
    id: i64,
) -> Result<BTreeMap<PlatformId, PickedCategory>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT platform, category_id, name, icon_url FROM category_mapping_members
         WHERE mapping_id = ?1",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            PickedCategory {
                id: r.get(1)?,
                name: r.get(2)?,
                icon_url: r.get(3)?,
            },
        ))
    })?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (platform, category) = row?;
        out.insert(platform_of(&platform)?, category);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[(PlatformId, &str, &str)]) -> BTreeMap<PlatformId, PickedCategory> {
        items
            .iter()
            .map(|(p, id, name)| (*p, PickedCategory::new(*id, *name)))
            .collect()
    }

    #[test]
    fn a_mapping_is_found_by_any_member_s_name_and_merged_when_confirmed_again() {
        let store = Store::in_memory().expect("store");
        let id = store
            .remember_mapping(&set(&[
                (
                    PlatformId::Trovo,
                    "2000017",
                    "PLAYERUNKNOWN'S BATTLEGROUNDS",
                ),
                (PlatformId::Twitch, "493057", "PUBG: BATTLEGROUNDS"),
            ]))
            .expect("remembered");
        let by_twitch_name = store
            .mapping_for_name("pubg battlegrounds")
            .expect("read")
            .expect("found by the other name");
        assert_eq!(by_twitch_name.id, id);
        assert_eq!(by_twitch_name.categories[&PlatformId::Trovo].id, "2000017");
        assert!(store.mapping_for_name("PUBG").expect("read").is_none());
        // Confirming Velora's later merges into the same game rather than splitting it.
        let id2 = store
            .remember_mapping(&set(&[
                (PlatformId::Twitch, "493057", "PUBG: BATTLEGROUNDS"),
                (PlatformId::Velora, "cat_9", "PUBG"),
            ]))
            .expect("merged");
        let all = store.mappings().expect("all");
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!(all[0].id, id2);
        assert_eq!(all[0].categories.len(), 3);
        let found = store
            .mapping_for_category(PlatformId::Velora, "cat_9")
            .expect("read")
            .expect("found");
        assert_eq!(
            found.categories[&PlatformId::Trovo].name,
            "PLAYERUNKNOWN'S BATTLEGROUNDS"
        );
        // Taking platforms out: with one left, it maps nothing and goes.
        assert!(
            store
                .forget_mapping_member(id2, PlatformId::Velora)
                .expect("out")
        );
        assert_eq!(store.mappings().expect("all")[0].categories.len(), 2);
        assert!(
            store
                .forget_mapping_member(id2, PlatformId::Trovo)
                .expect("out")
        );
        assert!(store.mappings().expect("all").is_empty());
        assert!(!store.forget_mapping(id2).expect("gone already"));
    }
}
