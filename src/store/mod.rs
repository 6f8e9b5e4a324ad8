//! The local database: presets, the history of applied titles and categories, and the
//! category mappings the user confirmed. One SQLite file (rusqlite with SQLite built in, so
//! no system library) in the OS data directory, with numbered migrations.
//!
//! Nothing secret goes in it. It is opened and used off the UI thread (the backend and the
//! headless commands call it from blocking tasks). A file that is not a database, fails
//! SQLite's quick check, or was written by a newer Stagehand is set aside (renamed with the
//! time) and a fresh database is started; [`Opened::set_aside`] says so, for a message.
//!
//! Layout: `mod.rs` (opening, migrations, setting aside), `presets.rs`, `history.rs`,
//! `mappings.rs`, `streams.rs` (one table family each).

mod history;
mod mappings;
mod presets;
mod streams;

pub use presets::PresetFileError;
pub use streams::{RESTART_GRACE, StreamWrite};

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use time::OffsetDateTime;

/// Overrides where the database lives (tests, portable installs).
pub const PATH_ENV_VAR: &str = "STAGEHAND_DATABASE";

/// The schema, one step per release that changed it; a database's `user_version` is the
/// number of steps applied. Never edit a step that has shipped: add one.
const MIGRATIONS: &[&str] = &[
    // 1: presets and the history of applied titles and categories.
    "CREATE TABLE presets (
         name TEXT PRIMARY KEY NOT NULL,
         body TEXT NOT NULL,
         updated_at TEXT NOT NULL
     );
     CREATE TABLE history (
         id INTEGER PRIMARY KEY,
         platform TEXT NOT NULL,
         title TEXT NOT NULL,
         category_id TEXT,
         category_name TEXT,
         at TEXT NOT NULL
     );
     CREATE INDEX history_newest ON history (at DESC, id DESC);",
    // 2: categories confirmed as one game across platforms, found by any member's name.
    "CREATE TABLE category_mappings (
         id INTEGER PRIMARY KEY,
         confirmed_at TEXT NOT NULL
     );
     CREATE TABLE category_mapping_members (
         mapping_id INTEGER NOT NULL REFERENCES category_mappings (id) ON DELETE CASCADE,
         platform TEXT NOT NULL,
         category_id TEXT NOT NULL,
         name TEXT NOT NULL,
         name_key TEXT NOT NULL,
         icon_url TEXT,
         PRIMARY KEY (mapping_id, platform)
     );
     CREATE INDEX mapping_members_by_key ON category_mapping_members (name_key);
     CREATE INDEX mapping_members_by_id ON category_mapping_members (platform, category_id);",
    // 3: streams per platform, their samples every 10 s, and their timeline's markers.
    "CREATE TABLE streams (
         id INTEGER PRIMARY KEY,
         platform TEXT NOT NULL,
         started_at TEXT NOT NULL,
         ended_at TEXT,
         title TEXT NOT NULL DEFAULT '',
         category TEXT
     );
     CREATE INDEX streams_by_platform ON streams (platform, started_at DESC);
     CREATE TABLE stream_samples (
         stream_id INTEGER NOT NULL REFERENCES streams (id) ON DELETE CASCADE,
         at TEXT NOT NULL,
         viewers INTEGER,
         followers INTEGER,
         subscribers INTEGER,
         messages INTEGER NOT NULL DEFAULT 0
     );
     CREATE INDEX samples_by_stream ON stream_samples (stream_id, at);
     CREATE TABLE stream_markers (
         stream_id INTEGER NOT NULL REFERENCES streams (id) ON DELETE CASCADE,
         at TEXT NOT NULL,
         kind TEXT NOT NULL,
         text TEXT NOT NULL
     );
     CREATE INDEX markers_by_stream ON stream_markers (stream_id, at);",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file could not be opened, created or moved aside.
    #[error("the database {path} could not be opened: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    /// SQLite refused a statement (a full disk, a locked file...).
    #[error("the database failed: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A stored value did not decode (written by hand or by a broken build).
    #[error("the database holds a value this Stagehand cannot read: {0}")]
    Corrupt(String),
    /// No data directory could be found for the database.
    #[error("no data folder was found for Stagehand's database: set {PATH_ENV_VAR} to a file path")]
    NoDataDir,
}

/// Why an old database file was set aside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetAsideReason {
    /// It is not a database, or SQLite found it damaged.
    Corrupt,
    /// A newer Stagehand wrote it (its schema is ahead of this build's).
    Newer,
}

/// An old database moved out of the way so a fresh one could start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetAside {
    pub reason: SetAsideReason,
    /// Where the old file is now.
    pub moved_to: PathBuf,
}

impl SetAside {
    /// The message for the user.
    pub fn message(&self) -> String {
        let why = match self.reason {
            SetAsideReason::Corrupt => "was damaged",
            SetAsideReason::Newer => "was written by a newer Stagehand",
        };
        format!(
            "The saved presets, history and category mappings {why}, so Stagehand started a fresh database; the old file is kept as {}",
            self.moved_to.display()
        )
    }
}

/// A database opened, and what happened to an old one on the way.
pub struct Opened {
    pub store: Store,
    pub set_aside: Option<SetAside>,
}

/// The open database, shared by the backend's tasks. Every call blocks on SQLite: call it
/// from a blocking task, never from the UI thread.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

impl Store {
    /// Where the database lives: `STAGEHAND_DATABASE`, else `stagehand.sqlite3` in the OS
    /// data directory (`demo.sqlite3` for `--demo`, so the simulators' categories never
    /// mix with real ones).
    pub fn default_path(demo: bool) -> Result<PathBuf, StoreError> {
        if let Some(path) = std::env::var_os(PATH_ENV_VAR).filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(path));
        }
        let dirs = directories::ProjectDirs::from("live", "Stagehand", "Stagehand")
            .ok_or(StoreError::NoDataDir)?;
        let file = if demo {
            "demo.sqlite3"
        } else {
            "stagehand.sqlite3"
        };
        Ok(dirs.data_dir().join(file))
    }

    /// Opens (or creates) the database at `path` and brings its schema up to date; a
    /// damaged or newer file is set aside and a fresh one started.
    pub fn open(path: &Path) -> Result<Opened, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Open {
                path: path.to_owned(),
                source,
            })?;
        }
        match Self::open_checked(path) {
            Ok(conn) => Ok(Opened {
                store: Store::wrap(conn),
                set_aside: None,
            }),
            Err(Unusable::SetAside(reason)) => {
                let moved_to = set_aside(path, reason)?;
                tracing::warn!("database set aside ({reason:?}) as {}", moved_to.display());
                let conn = Self::open_checked(path).map_err(|e| match e {
                    Unusable::Sql(e) => StoreError::Sql(e),
                    Unusable::SetAside(_) => {
                        StoreError::Corrupt("a fresh database failed its own check".into())
                    }
                })?;
                Ok(Opened {
                    store: Store::wrap(conn),
                    set_aside: Some(SetAside { reason, moved_to }),
                })
            }
            Err(Unusable::Sql(e)) => Err(StoreError::Sql(e)),
        }
    }

    /// A database in memory (unit tests and benchmarks).
    pub fn in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        let conn = prepare(conn).map_err(|e| match e {
            Unusable::Sql(e) => StoreError::Sql(e),
            Unusable::SetAside(_) => StoreError::Corrupt("a fresh database failed".into()),
        })?;
        Ok(Store::wrap(conn))
    }

    fn wrap(conn: Connection) -> Store {
        Store {
            conn: Arc::new(Mutex::new(conn)),
        }
    }

    fn open_checked(path: &Path) -> Result<Connection, Unusable> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(classify)?;
        prepare(conn)
    }

    /// The connection, for one call. A panic in another call poisons nothing here: the
    /// connection is still sound, so the poison is ignored.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<usize, StoreError> {
        Ok(user_version(&self.conn())?)
    }
}

/// What made a file unusable: set it aside, or a failure to report.
enum Unusable {
    SetAside(SetAsideReason),
    Sql(rusqlite::Error),
}

/// A damaged file is set aside; anything else (a locked or read-only file, a full disk) is
/// reported, since moving the file would not help.
fn classify(e: rusqlite::Error) -> Unusable {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    match e.sqlite_error_code() {
        Some(NotADatabase | DatabaseCorrupt) => Unusable::SetAside(SetAsideReason::Corrupt),
        _ => Unusable::Sql(e),
    }
}

/// Checks the file and applies the migrations it lacks, each in its own transaction.
fn prepare(mut conn: Connection) -> Result<Connection, Unusable> {
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(Unusable::Sql)?;
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;")
        .map_err(classify)?;
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(classify)?;
    if check != "ok" {
        return Err(Unusable::SetAside(SetAsideReason::Corrupt));
    }
    let version = user_version(&conn).map_err(classify)?;
    if version > SCHEMA_VERSION {
        return Err(Unusable::SetAside(SetAsideReason::Newer));
    }
    for (step, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction().map_err(classify)?;
        tx.execute_batch(sql).map_err(classify)?;
        tx.pragma_update(None, "user_version", step + 1)
            .map_err(classify)?;
        tx.commit().map_err(classify)?;
    }
    Ok(conn)
}

fn user_version(conn: &Connection) -> Result<usize, rusqlite::Error> {
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    Ok(usize::try_from(v).unwrap_or(usize::MAX))
}

/// Renames the file (and SQLite's side files) to `NAME.corrupt-YYYYMMDDTHHMMSSZ` or
/// `NAME.newer-…`; answers the new name.
fn set_aside(path: &Path, reason: SetAsideReason) -> Result<PathBuf, StoreError> {
    let stamp = OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap_or_else(|_| "old".into());
    let tag = match reason {
        SetAsideReason::Corrupt => "corrupt",
        SetAsideReason::Newer => "newer",
    };
    let with_suffix = |p: &Path, suffix: &str| {
        let mut name = p.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let moved_to = with_suffix(path, &format!(".{tag}-{stamp}"));
    std::fs::rename(path, &moved_to).map_err(|source| StoreError::Open {
        path: path.to_owned(),
        source,
    })?;
    // The write-ahead log belongs to the old file; a fresh database must not replay it.
    for side in ["-wal", "-shm"] {
        let from = with_suffix(path, side);
        if from.exists() {
            let _ = std::fs::rename(&from, with_suffix(&moved_to, side));
        }
    }
    Ok(moved_to)
}

/// Times as the database keeps them: UTC with a fixed six-digit fraction, so that text
/// order is time order (RFC 3339 with a varying fraction does not sort).
fn stamp(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
        ))
        .unwrap_or_default()
}

fn parse_stamp(text: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|_| StoreError::Corrupt(format!("the time {text:?}")))
}

fn platform_of(slug: &str) -> Result<crate::model::PlatformId, StoreError> {
    crate::model::PlatformId::from_slug(slug)
        .ok_or_else(|| StoreError::Corrupt(format!("the platform {slug:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch folder of the test's own, removed at the end.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(tag: &str) -> Scratch {
            let dir = std::env::temp_dir().join(format!(
                "stagehand-store-{tag}-{}-{}",
                std::process::id(),
                rand::random::<u32>()
            ));
            std::fs::create_dir_all(&dir).expect("scratch dir");
            Scratch(dir)
        }

        fn db(&self) -> PathBuf {
            self.0.join("stagehand.sqlite3")
        }

        fn set_aside_files(&self, tag: &str) -> Vec<PathBuf> {
            std::fs::read_dir(&self.0)
                .expect("dir")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(&format!("stagehand.sqlite3.{tag}-")))
                })
                .collect()
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn stamps_sort_as_their_times_do() {
        let t = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        let a = stamp(t + time::Duration::milliseconds(480));
        let b = stamp(t + time::Duration::microseconds(480_500));
        assert!(a < b, "{a} {b}");
        assert_eq!(
            parse_stamp(&a).expect("parses"),
            t + time::Duration::milliseconds(480)
        );
    }

    #[test]
    fn a_new_database_gets_every_migration() {
        let dir = Scratch::new("new");
        let opened = Store::open(&dir.db()).expect("opens");
        assert!(opened.set_aside.is_none());
        assert_eq!(
            opened.store.schema_version().expect("version"),
            SCHEMA_VERSION
        );
        drop(opened);
        // Opening again applies nothing twice.
        let again = Store::open(&dir.db()).expect("opens again");
        assert!(again.set_aside.is_none());
        assert_eq!(
            again.store.schema_version().expect("version"),
            SCHEMA_VERSION
        );
    }

    #[test]
    fn a_version_1_database_keeps_its_rows_through_the_later_migrations() {
        let dir = Scratch::new("upgrade");
        {
            let conn = Connection::open(dir.db()).expect("sqlite");
            conn.execute_batch(MIGRATIONS[0]).expect("step 1");
            conn.pragma_update(None, "user_version", 1)
                .expect("version");
            conn.execute(
                "INSERT INTO history (platform, title, category_id, category_name, at)
                 VALUES ('twitch', 'old title', '509658', 'Just Chatting', '2026-01-01T00:00:00Z')",
                [],
            )
            .expect("a row");
        }
        let opened = Store::open(&dir.db()).expect("opens");
        assert!(opened.set_aside.is_none());
        let store = opened.store;
        assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
        let history = store.history(None, 10).expect("history");
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].title, "old title");
        // The tables of step 2 are there and usable.
        assert!(store.mappings().expect("mappings").is_empty());
    }

    #[test]
    fn a_file_that_is_not_a_database_is_set_aside() {
        let dir = Scratch::new("corrupt");
        std::fs::write(
            dir.db(),
            b"this is not a database, just some bytes ".repeat(200),
        )
        .expect("junk");
        let opened = Store::open(&dir.db()).expect("a fresh one starts");
        let set_aside = opened.set_aside.expect("the old file is set aside");
        assert_eq!(set_aside.reason, SetAsideReason::Corrupt);
        assert!(set_aside.moved_to.exists());
        assert_eq!(
            dir.set_aside_files("corrupt"),
            std::slice::from_ref(&set_aside.moved_to)
        );
        assert!(
            set_aside.message().contains("damaged"),
            "{}",
            set_aside.message()
        );
        assert_eq!(
            opened.store.schema_version().expect("version"),
            SCHEMA_VERSION
        );
        // The junk is kept as it was, for whoever wants to look at it.
        let kept = std::fs::read(&set_aside.moved_to).expect("kept");
        assert!(kept.starts_with(b"this is not a database"));
    }

    #[test]
    fn a_database_from_a_newer_stagehand_is_set_aside_not_downgraded() {
        let dir = Scratch::new("newer");
        {
            let conn = Connection::open(dir.db()).expect("sqlite");
            conn.pragma_update(None, "user_version", SCHEMA_VERSION + 5)
                .expect("version");
        }
        let opened = Store::open(&dir.db()).expect("a fresh one starts");
        let set_aside = opened.set_aside.expect("set aside");
        assert_eq!(set_aside.reason, SetAsideReason::Newer);
        assert!(set_aside.message().contains("newer"));
        let old = Connection::open(&set_aside.moved_to).expect("old file");
        assert_eq!(user_version(&old).expect("version"), SCHEMA_VERSION + 5);
        assert_eq!(
            opened.store.schema_version().expect("version"),
            SCHEMA_VERSION
        );
    }

    #[test]
    fn a_database_damaged_inside_is_set_aside() {
        let dir = Scratch::new("damaged");
        {
            let store = Store::open(&dir.db()).expect("opens").store;
            for i in 0..300 {
                store
                    .record(&crate::model::HistoryEntry {
                        platform: crate::model::PlatformId::Twitch,
                        title: format!("title {i} {}", "x".repeat(200)),
                        category: None,
                        at: OffsetDateTime::now_utc(),
                    })
                    .expect("recorded");
            }
            store
                .conn()
                .execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
                .expect("checkpoint");
        }
        // Scribble over the pages after the header, as a failing disk would.
        let mut bytes = std::fs::read(dir.db()).expect("file");
        assert!(bytes.len() > 8192, "a few pages: {}", bytes.len());
        for b in &mut bytes[4096..8192] {
            *b = 0x5a;
        }
        std::fs::write(dir.db(), &bytes).expect("scribbled");
        let opened = Store::open(&dir.db()).expect("a fresh one starts");
        let set_aside = opened.set_aside.expect("set aside");
        assert_eq!(set_aside.reason, SetAsideReason::Corrupt);
        assert!(opened.store.history(None, 10).expect("history").is_empty());
    }
}
