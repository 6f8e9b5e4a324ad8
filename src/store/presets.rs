//! Presets: named forms, saved, listed, renamed, deleted, and carried between computers
//! as a JSON file.

use super::{Store, StoreError, parse_stamp, stamp};
use crate::model::Preset;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Why a preset file could not be imported. Nothing is imported then.
#[derive(Debug, thiserror::Error)]
pub enum PresetFileError {
    /// The file is not the JSON of an export.
    #[error("the preset file is not valid at line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// A preset in it cannot be kept (no name, two with one name).
    #[error("the preset file cannot be imported: {0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The export file: `{"presets": [...]}`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetFile {
    presets: Vec<Preset>,
}

impl Store {
    /// Saves `preset` under its name (replacing one of that name); answers it as saved.
    pub fn save_preset(&self, preset: &Preset) -> Result<Preset, StoreError> {
        let mut saved = preset.clone();
        saved.name = preset.name.trim().to_owned();
        if saved.name.is_empty() {
            return Err(StoreError::Corrupt("a preset needs a name".into()));
        }
        saved.updated_at = OffsetDateTime::now_utc();
        write(&self.conn(), &saved)?;
        Ok(saved)
    }

    /// Every preset, by name.
    pub fn presets(&self) -> Result<Vec<Preset>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT body, updated_at FROM presets ORDER BY name")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|row| {
            let (body, at) = row?;
            decode(&body, &at)
        })
        .collect()
    }

    /// The preset called `name`, if there is one.
    pub fn preset(&self, name: &str) -> Result<Option<Preset>, StoreError> {
        let row: Option<(String, String)> = self
            .conn()
            .query_row(
                "SELECT body, updated_at FROM presets WHERE name = ?1",
                [name.trim()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(body, at)| decode(&body, &at)).transpose()
    }

    /// Renames a preset; false when there is none called `from`, an error when `to` is
    /// taken.
    pub fn rename_preset(&self, from: &str, to: &str) -> Result<bool, StoreError> {
        let Some(mut preset) = self.preset(from)? else {
            return Ok(false);
        };
        let to = to.trim();
        if to.is_empty() {
            return Err(StoreError::Corrupt("a preset needs a name".into()));
        }
        if to != preset.name && self.preset(to)?.is_some() {
            return Err(StoreError::Corrupt(format!(
                "a preset is already called {to:?}"
            )));
        }
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM presets WHERE name = ?1", [&preset.name])?;
        preset.name = to.to_owned();
        preset.updated_at = OffsetDateTime::now_utc();
        write(&tx, &preset)?;
        tx.commit()?;
        Ok(true)
    }

    /// Deletes a preset; false when there was none of that name.
    pub fn delete_preset(&self, name: &str) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute("DELETE FROM presets WHERE name = ?1", [name.trim()])?;
        Ok(n > 0)
    }

    /// Every preset as the JSON of an export file.
    pub fn export_presets(&self) -> Result<String, StoreError> {
        let file = PresetFile {
            presets: self.presets()?,
        };
        serde_json::to_string_pretty(&file).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// Imports an export file's presets (replacing those of the same names), all or none;
    /// answers how many.
    pub fn import_presets(&self, text: &str) -> Result<usize, PresetFileError> {
        let file: PresetFile = serde_json::from_str(text).map_err(|e| PresetFileError::Syntax {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })?;
        let mut names = std::collections::HashSet::new();
        for p in &file.presets {
            let name = p.name.trim();
            if name.is_empty() {
                return Err(PresetFileError::Invalid("a preset has no name".into()));
            }
            if !names.insert(name.to_owned()) {
                return Err(PresetFileError::Invalid(format!(
                    "two presets are called {name:?}"
                )));
            }
        }
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(StoreError::from)?;
        for p in &file.presets {
            let mut p = p.clone();
            p.name = p.name.trim().to_owned();
            write(&tx, &p)?;
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(file.presets.len())
    }
}

fn write(conn: &rusqlite::Connection, preset: &Preset) -> Result<(), StoreError> {
    let body = serde_json::to_string(preset).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    conn.execute(
        "INSERT INTO presets (name, body, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        params![preset.name, body, stamp(preset.updated_at)],
    )?;
    Ok(())
}

fn decode(body: &str, at: &str) -> Result<Preset, StoreError> {
    let mut preset: Preset =
        serde_json::from_str(body).map_err(|e| StoreError::Corrupt(format!("a preset: {e}")))?;
    preset.updated_at = parse_stamp(at)?;
    Ok(preset)
}

/// serde_json's message without its " at line L column C" tail (the error says it once).
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Audience, PickedCategory, PlatformId};

    fn preset(name: &str) -> Preset {
        let mut p = Preset::named(name);
        p.titles.insert(PlatformId::Twitch, "Ranked grind".into());
        p.titles
            .insert(PlatformId::Trovo, "Ranked grind (Trovo)".into());
        p.categories.insert(
            PlatformId::Twitch,
            PickedCategory::new("516575", "VALORANT"),
        );
        p.tags = Some(vec!["English".into()]);
        p.language = Some("en".into());
        p.audience = Some(Audience::Teen);
        p
    }

    #[test]
    fn presets_are_saved_renamed_and_deleted() {
        let store = Store::in_memory().expect("store");
        store.save_preset(&preset("Ranked")).expect("saved");
        store.save_preset(&preset(" Chill ")).expect("saved");
        let names: Vec<_> = store
            .presets()
            .expect("list")
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["Chill", "Ranked"]);
        let ranked = store.preset("Ranked").expect("read").expect("there");
        assert_eq!(ranked.titles, preset("Ranked").titles);
        assert_eq!(ranked.audience, Some(Audience::Teen));
        assert!(store.rename_preset("Ranked", "Ranked 2").expect("renamed"));
        assert!(store.preset("Ranked").expect("read").is_none());
        assert!(store.rename_preset("Ranked 2", "Chill").is_err(), "taken");
        assert!(!store.rename_preset("nope", "x").expect("nothing"));
        assert!(store.delete_preset("Chill").expect("deleted"));
        assert!(!store.delete_preset("Chill").expect("gone"));
        assert!(
            store.save_preset(&Preset::named("  ")).is_err(),
            "a name is needed"
        );
    }

    #[test]
    fn an_export_imports_back_and_a_bad_file_imports_nothing() {
        let store = Store::in_memory().expect("store");
        store.save_preset(&preset("Ranked")).expect("saved");
        store.save_preset(&preset("Chill")).expect("saved");
        let file = store.export_presets().expect("export");
        let other = Store::in_memory().expect("store");
        assert_eq!(other.import_presets(&file).expect("import"), 2);
        assert_eq!(
            other.presets().expect("list"),
            store.presets().expect("list")
        );

        let broken = file.replacen("\"titles\"", "\"titles\" oops", 1);
        let fresh = Store::in_memory().expect("store");
        match fresh.import_presets(&broken) {
            Err(PresetFileError::Syntax { line, column, .. }) => {
                assert!(line > 1 && column > 1, "{line}:{column}");
            }
            other => panic!("not a syntax error: {other:?}"),
        }
        let twice = r#"{"presets": [{"name": "A"}, {"name": "A"}]}"#;
        assert!(matches!(
            fresh.import_presets(twice),
            Err(PresetFileError::Invalid(_))
        ));
        let unknown = r#"{"presets": [{"name": "A", "titles": {"myspace": "x"}}]}"#;
        assert!(matches!(
            fresh.import_presets(unknown),
            Err(PresetFileError::Syntax { .. })
        ));
        assert!(
            fresh.presets().expect("list").is_empty(),
            "nothing was imported"
        );
    }
}
