//! The platform registry's promise, checked: outside each platform's own module
//! (`src/platform/<p>/`), its simulator (`src/sim/<p>/`) and the registry
//! (`src/platform/mod.rs`, with `src/sim/mod.rs` declaring the simulators), no source file
//! names a concrete platform or reaches into a platform's module. A fourth platform is then
//! its module, its simulator and one registration line. Unit tests (after `#[cfg(test)]`)
//! may name platforms: they pick one to test a shared rule with.

use std::path::{Path, PathBuf};

const PLATFORMS: [&str; 3] = ["Trovo", "Twitch", "Velora"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).expect("a source folder");
    for entry in entries {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Whether `rel` (a path under the crate, `/`-separated) may name platforms freely.
fn is_platform_own(rel: &str) -> bool {
    rel == "src/platform/mod.rs"
        || rel == "src/sim/mod.rs"
        || PLATFORMS.iter().any(|p| {
            let slug = p.to_ascii_lowercase();
            rel.starts_with(&format!("src/platform/{slug}/"))
                || rel.starts_with(&format!("src/sim/{slug}/"))
        })
}

/// `PlatformId::Velora`-style mentions in `text`, and paths into a platform's module or
/// its simulator (`platform::velora::`, `sim::velora::`).
fn mentions(text: &str) -> usize {
    PLATFORMS
        .iter()
        .flat_map(|p| {
            let slug = p.to_ascii_lowercase();
            [
                format!("PlatformId::{p}"),
                format!("PlatformClient::{p}"),
                format!("platform::{slug}::"),
                format!("sim::{slug}::"),
            ]
        })
        .map(|needle| text.matches(needle.as_str()).count())
        .sum()
}

/// The part of a source file before its unit tests; none of a `tests.rs` file, which its
/// parent declares as `#[cfg(test)] mod tests;`.
fn code_part<'a>(rel: &str, text: &'a str) -> &'a str {
    if rel.ends_with("/tests.rs") {
        return "";
    }
    text.find("#[cfg(test)]").map_or(text, |at| &text[..at])
}

#[test]
fn shared_files_name_no_platform() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    assert!(files.len() > 50, "the source tree was found");
    let mut naming = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(root)
            .expect("under the crate")
            .to_string_lossy()
            .replace('\\', "/");
        if is_platform_own(&rel) {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        let found = mentions(code_part(&rel, &text));
        if found > 0 {
            naming.push(format!("{rel}: {found} mentions"));
        }
    }
    assert!(
        naming.is_empty(),
        "these shared files name a concrete platform; ask the registry (src/platform/mod.rs) instead:\n{}",
        naming.join("\n")
    );
}

#[test]
fn the_check_sees_a_mention() {
    assert_eq!(mentions("match p { PlatformId::Velora => 1, _ => 0 }"), 1);
    assert_eq!(mentions("PlatformClient::Trovo(c) | PlatformId::Twitch"), 2);
    assert_eq!(mentions("use crate::platform::trovo::TrovoClient;"), 1);
    assert_eq!(mentions("crate::sim::velora::VeloraSim::start"), 1);
    assert_eq!(mentions("PlatformId::ALL"), 0);
    let file = "fn f() { PlatformId::ALL }\n#[cfg(test)]\nmod tests { PlatformId::Trovo }";
    assert_eq!(mentions(code_part("src/x.rs", file)), 0);
    assert_eq!(mentions(file), 1);
    let tests = "use super::*;\nconst P: PlatformId = PlatformId::Trovo;";
    assert_eq!(mentions(code_part("src/state/tests.rs", tests)), 0);
    assert_eq!(mentions(code_part("src/state/chat_log.rs", tests)), 1);
    assert!(is_platform_own("src/platform/velora/client.rs"));
    assert!(is_platform_own("src/sim/trovo/world.rs"));
    assert!(!is_platform_own("src/backend/accounts.rs"));
    assert!(!is_platform_own("src/sim/common/gateway.rs"));
    assert!(!is_platform_own("src/launch.rs"));
}
