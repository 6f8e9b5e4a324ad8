//! People lists to CSV: the save dialog and the writing both run here, off the UI thread.

use crate::command::PeopleSnapshot;
use crate::model::PlatformId;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

/// Asks where to save (the system's save dialog, which runs off the UI thread): `None`
/// when the user cancelled. `kind` names the filter and is the file's extension.
pub(super) async fn ask_where(title: &str, file_name: &str, kind: &str) -> Option<PathBuf> {
    let handle = rfd::AsyncFileDialog::new()
        .set_title(title)
        .set_file_name(file_name)
        .add_filter(kind.to_uppercase(), &[kind])
        .save_file()
        .await?;
    Some(handle.path().to_path_buf())
}

/// Asks for a file to read (the system's open dialog): `None` when the user cancelled.
pub(super) async fn ask_which(title: &str, kind: &str) -> Option<PathBuf> {
    let handle = rfd::AsyncFileDialog::new()
        .set_title(title)
        .add_filter(kind.to_uppercase(), &[kind])
        .pick_file()
        .await?;
    Some(handle.path().to_path_buf())
}

/// Runs file work off the async threads; a task that died is said as such.
pub(super) async fn off_thread<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| format!("the file work stopped: {e}"))?
}

/// Asks where to save, then writes the list there. `Ok(None)` when the user cancelled.
pub(super) async fn ask_and_write(
    platform: PlatformId,
    list: &PeopleSnapshot,
) -> Result<Option<PathBuf>, String> {
    let name = format!(
        "{}-{}.csv",
        platform.display_name().to_lowercase(),
        kind(list)
    );
    let title = format!("Export {} to CSV", kind(list));
    let Some(path) = ask_where(&title, &name, "csv").await else {
        return Ok(None);
    };
    let list = list.clone();
    let target = path.clone();
    off_thread(move || write_csv(&target, &list)).await?;
    Ok(Some(path))
}

fn kind(list: &PeopleSnapshot) -> &'static str {
    match list {
        PeopleSnapshot::Viewers(_) => "viewers",
        PeopleSnapshot::Followers(_) => "followers",
        PeopleSnapshot::Subscribers(_) => "subscribers",
    }
}

/// Writes `list` as CSV with a header row.
pub fn write_csv(path: &Path, list: &PeopleSnapshot) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| format!("could not write {}: {e}", path.display());
    let mut w = csv::Writer::from_path(path).map_err(|e| fail(&e))?;
    write_rows(&mut w, list).map_err(|e| fail(&e))?;
    w.flush().map_err(|e| fail(&e))
}

fn write_rows<W: std::io::Write>(w: &mut csv::Writer<W>, list: &PeopleSnapshot) -> csv::Result<()> {
    let time = |t: Option<OffsetDateTime>| {
        t.and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
    };
    match list {
        PeopleSnapshot::Viewers(v) => {
            w.write_record(["name", "roles"])?;
            for x in &v.viewers {
                w.write_record([x.name.as_str(), x.roles.join(";").as_str()])?;
            }
        }
        PeopleSnapshot::Followers(f) => {
            w.write_record(["id", "name", "display_name", "followed_at"])?;
            for x in &f.followers {
                let display = x.display_name.as_deref().unwrap_or("");
                w.write_record([
                    x.id.as_str(),
                    x.name.as_str(),
                    display,
                    time(x.followed_at).as_str(),
                ])?;
            }
        }
        PeopleSnapshot::Subscribers(s) => {
            w.write_record(["id", "name", "display_name", "tier", "since"])?;
            for x in &s.subscribers {
                let tier = x.tier.as_deref().unwrap_or("");
                let display = x.display_name.as_deref().unwrap_or("");
                w.write_record([
                    x.id.as_str(),
                    x.name.as_str(),
                    display,
                    tier,
                    time(x.since).as_str(),
                ])?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Viewer, ViewerList};
    use std::sync::Arc;

    #[test]
    fn names_with_commas_quotes_and_any_script_round_trip() {
        let list = PeopleSnapshot::Viewers(Arc::new(ViewerList {
            total: 2,
            anonymous: None,
            viewers: vec![
                Viewer {
                    name: "a, \"b\"".into(),
                    roles: vec!["moderator".into(), "vip".into()],
                },
                Viewer {
                    name: "小龙".into(),
                    roles: vec![],
                },
            ],
        }));
        let mut w = csv::Writer::from_writer(Vec::new());
        write_rows(&mut w, &list).expect("writes");
        let bytes = w.into_inner().expect("flushes");
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
        assert_eq!(&rows[0][0], "a, \"b\"");
        assert_eq!(&rows[0][1], "moderator;vip");
        assert_eq!(&rows[1][0], "小龙");
    }
}
