//! The settings file: what a user configures that is not secret (each platform's client
//! ID, the sign-in redirect port), as TOML in the system's standard config folder, so it
//! can be read and edited by hand. Secrets never go here: they live on the credential
//! store (`auth::store`). The environment (`STAGEHAND_*`) overrides the file.

use crate::model::PlatformId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file's name inside the config folder.
pub const FILE_NAME: &str = "config.toml";

/// Names another settings file to use instead of the standard one.
pub const PATH_ENV_VAR: &str = "STAGEHAND_CONFIG";

/// Why the settings file could not be read or written, as a sentence with the path.
#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
    #[error("could not read the settings file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the settings file {path} is not valid TOML ({detail}); Stagehand uses its defaults and keeps the file as {path}.bak before saving"
    )]
    Parse { path: PathBuf, detail: String },
    #[error("could not save the settings file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One platform's registered application, as far as it is not secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppRegistration {
    /// The client ID of the application the user registered with the platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Another API address (a stand-in, the simulator), like `STAGEHAND_<PLATFORM>_API`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_base: Option<String>,
    /// Another authorize page, like `STAGEHAND_<PLATFORM>_AUTH_URL`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_url: Option<String>,
}

impl AppRegistration {
    /// Nothing set: left out of the file.
    pub fn is_empty(&self) -> bool {
        *self == AppRegistration::default()
    }
}

/// Everything in the settings file. Unknown keys are ignored, so an older Stagehand reads a
/// newer file.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(try_from = "FileText", into = "FileText")]
pub struct ConfigFile {
    /// The loopback port sign-in redirects come back to; must match the redirect URL the
    /// user registered (`http://localhost:PORT/`).
    pub redirect_port: Option<u16>,
    /// Each platform's registration, under its slug (`[trovo]`); empty ones are left out.
    registrations: BTreeMap<PlatformId, AppRegistration>,
}

/// The file as TOML sees it: the port and a table per platform, named by its slug. Other
/// keys (a newer Stagehand's, a hand edit's) are read past and not written back.
#[derive(Serialize, Deserialize)]
struct FileText {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    redirect_port: Option<u16>,
    #[serde(flatten)]
    sections: BTreeMap<String, toml::Value>,
}

/// Two files are equal when they would be written the same: an empty registration counts
/// as none.
impl PartialEq for ConfigFile {
    fn eq(&self, other: &Self) -> bool {
        self.redirect_port == other.redirect_port
            && PlatformId::ALL
                .into_iter()
                .all(|p| self.registration(p) == other.registration(p))
    }
}

impl Eq for ConfigFile {}

impl TryFrom<FileText> for ConfigFile {
    type Error = String;

    fn try_from(mut text: FileText) -> Result<Self, String> {
        let mut registrations = BTreeMap::new();
        for platform in PlatformId::ALL {
            if let Some(section) = text.sections.remove(platform.slug()) {
                let registration: AppRegistration =
                    section.try_into().map_err(|e: toml::de::Error| {
                        format!("[{}]: {}", platform.slug(), e.message())
                    })?;
                registrations.insert(platform, registration);
            }
        }
        Ok(ConfigFile {
            redirect_port: text.redirect_port,
            registrations,
        })
    }
}

impl From<ConfigFile> for FileText {
    fn from(file: ConfigFile) -> Self {
        let sections = file
            .registrations
            .into_iter()
            .filter(|(_, r)| !r.is_empty())
            .filter_map(|(p, r)| Some((p.slug().to_owned(), toml::Value::try_from(r).ok()?)))
            .collect();
        FileText {
            redirect_port: file.redirect_port,
            sections,
        }
    }
}

impl ConfigFile {
    /// Where the file lives: `STAGEHAND_CONFIG` when set (scripts, tests, a portable
    /// install), else `~/.config/stagehand/config.toml` on Linux, the Application Support
    /// folder on macOS, `%APPDATA%` on Windows. `None` where the system has no home.
    pub fn default_path() -> Option<PathBuf> {
        if let Some(path) = std::env::var_os(PATH_ENV_VAR).filter(|p| !p.is_empty()) {
            return Some(PathBuf::from(path));
        }
        directories::ProjectDirs::from("live", "Stagehand", "Stagehand")
            .map(|d| d.config_dir().join(FILE_NAME))
    }

    /// Reads the file; a missing file is the defaults, not an error.
    pub fn load(path: &Path) -> Result<ConfigFile, ConfigFileError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
            Err(source) => {
                return Err(ConfigFileError::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        toml::from_str(&text).map_err(|e| ConfigFileError::Parse {
            path: path.to_owned(),
            detail: e.message().to_owned(),
        })
    }

    /// Reads the file, falling back to the defaults with the reason (for a status line).
    pub fn load_or_default(path: &Path) -> (ConfigFile, Option<String>) {
        match ConfigFile::load(path) {
            Ok(file) => (file, None),
            Err(e) => (ConfigFile::default(), Some(e.to_string())),
        }
    }

    /// Writes the file whole: to a temporary file first, then renamed over the old one, so a
    /// crash never leaves half a file. A file that could not be parsed is kept as `.bak`
    /// first, so a hand edit with a typo is not lost.
    pub fn save(&self, path: &Path) -> Result<(), ConfigFileError> {
        let write_err = |source| ConfigFileError::Write {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(write_err)?;
        }
        if matches!(ConfigFile::load(path), Err(ConfigFileError::Parse { .. })) {
            let mut backup = path.as_os_str().to_owned();
            backup.push(".bak");
            std::fs::copy(path, PathBuf::from(backup)).map_err(write_err)?;
        }
        let text = toml::to_string_pretty(self)
            .map_err(|e| write_err(std::io::Error::other(e.to_string())))?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        std::fs::write(
            &tmp,
            format!("# Stagehand settings. Nothing secret is kept here.\n{text}"),
        )
        .map_err(write_err)?;
        std::fs::rename(&tmp, path).map_err(write_err)
    }

    /// The registration of one platform (empty when the file has none).
    pub fn registration(&self, platform: PlatformId) -> AppRegistration {
        self.registrations
            .get(&platform)
            .cloned()
            .unwrap_or_default()
    }

    /// The registration of one platform, to change it.
    pub fn registration_mut(&mut self, platform: PlatformId) -> &mut AppRegistration {
        self.registrations.entry(platform).or_default()
    }

    /// What the file says for an environment variable it can stand in for, so the
    /// platform configs read the environment first and the file second through one lookup.
    pub fn value_for(&self, env_name: &str) -> Option<String> {
        if env_name == "STAGEHAND_REDIRECT_PORT" {
            return self.redirect_port.map(|p| p.to_string());
        }
        let rest = env_name.strip_prefix("STAGEHAND_")?;
        let (platform, key) = rest.split_once('_')?;
        let platform = PlatformId::ALL
            .into_iter()
            .find(|p| p.display_name().eq_ignore_ascii_case(platform))?;
        let registration = self.registration(platform);
        match key {
            "CLIENT_ID" => registration.client_id.clone(),
            "API" => registration.api_base.clone(),
            "AUTH_URL" | "AUTH" => registration.auth_url.clone(),
            _ => None,
        }
    }

    /// A lookup for `TrovoConfig::from_lookup` and friends: the process environment first
    /// (a set but empty variable counts as unset), then this file.
    pub fn env_then_file(&self) -> impl Fn(&str) -> Option<String> + '_ {
        move |k: &str| {
            std::env::var(k)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .or_else(|| self.value_for(k))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "stagehand-config-test-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("nested").join(FILE_NAME)
    }

    #[test]
    fn a_missing_file_is_the_defaults_and_a_saved_file_reads_back() {
        let path = scratch("roundtrip");
        assert_eq!(
            ConfigFile::load(&path).expect("missing is fine"),
            ConfigFile::default()
        );
        let mut file = ConfigFile {
            redirect_port: Some(9000),
            ..Default::default()
        };
        file.registration_mut(PlatformId::Trovo).client_id = Some("abc".into());
        file.save(&path).expect("saved");
        assert_eq!(ConfigFile::load(&path).expect("read"), file);
        assert_eq!(
            file.value_for("STAGEHAND_TROVO_CLIENT_ID").as_deref(),
            Some("abc")
        );
        assert_eq!(
            file.value_for("STAGEHAND_REDIRECT_PORT").as_deref(),
            Some("9000")
        );
        assert_eq!(file.value_for("STAGEHAND_TROVO_ACCESS_TOKEN"), None);
        assert_eq!(file.value_for("STAGEHAND_TROVO_CLIENT_SECRET"), None);
        assert_eq!(file.value_for("STAGEHAND_TWITCH_CLIENT_ID"), None);
        let text = std::fs::read_to_string(&path).expect("text");
        assert!(
            text.contains("[trovo]") && text.contains("client_id = \"abc\""),
            "{text}"
        );
    }

    #[test]
    fn a_broken_file_is_reported_and_kept_before_it_is_replaced() {
        let path = scratch("broken");
        std::fs::create_dir_all(path.parent().expect("dir")).expect("dir");
        std::fs::write(&path, "redirect_port = [oops").expect("write");
        let (file, why) = ConfigFile::load_or_default(&path);
        assert_eq!(file, ConfigFile::default());
        let why = why.expect("a reason");
        assert!(
            why.contains("not valid TOML") && why.contains(FILE_NAME),
            "{why}"
        );
        ConfigFile::default().save(&path).expect("saved");
        let mut bak = path.clone().into_os_string();
        bak.push(".bak");
        let kept = std::fs::read_to_string(PathBuf::from(bak)).expect("backup kept");
        assert_eq!(kept, "redirect_port = [oops");
        assert!(ConfigFile::load(&path).is_ok());
    }

    #[test]
    fn unknown_keys_and_other_types_are_not_fatal_where_harmless() {
        let path = scratch("unknown");
        std::fs::create_dir_all(path.parent().expect("dir")).expect("dir");
        std::fs::write(
            &path,
            "future = 1\n[trovo]\nclient_id = \"x\"\nnew = true\n",
        )
        .expect("write");
        let file = ConfigFile::load(&path).expect("unknown keys are ignored");
        assert_eq!(
            file.registration(PlatformId::Trovo).client_id.as_deref(),
            Some("x")
        );
    }

    #[test]
    fn an_empty_registration_is_no_registration() {
        let mut file = ConfigFile::default();
        file.registration_mut(PlatformId::Twitch);
        assert_eq!(file, ConfigFile::default());
        file.registration_mut(PlatformId::Twitch).client_id = Some("x".into());
        assert_ne!(file, ConfigFile::default());
    }
}
