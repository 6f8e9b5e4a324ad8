//! The files the packages are made of agree with each other: every icon size is what its
//! name says, the .ico and .icns hold what each system looks for, and the desktop entry,
//! the icon name and the window's app id are one name. (CI builds and inspects the .deb
//! itself with packaging/check-deb.sh.)

use std::path::{Path, PathBuf};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(repo(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn text(path: &str) -> String {
    String::from_utf8(read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_png_is_the_size_its_name_says_with_transparent_corners() {
    for size in [16u32, 24, 32, 48, 64, 128, 256, 512, 1024] {
        let path = format!("assets/icons/{size}x{size}.png");
        let image = image::load_from_memory(&read(&path))
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .into_rgba8();
        assert_eq!(image.dimensions(), (size, size), "{path}");
        // The tile has rounded corners: the corner pixel lets the desktop show through.
        assert!(image.get_pixel(0, 0)[3] < 128, "{path}: opaque corner");
        // ...and the middle is the opaque tile.
        assert_eq!(
            image.get_pixel(size / 2, size - 1 - size / 8)[3],
            255,
            "{path}"
        );
    }
}

#[test]
fn the_window_icon_decodes_as_eframe_reads_it() {
    let icon = eframe::icon_data::from_png_bytes(&read("assets/icons/256x256.png")).unwrap();
    assert_eq!((icon.width, icon.height), (256, 256));
    assert_eq!(icon.rgba.len(), 256 * 256 * 4);
}

#[test]
fn the_ico_holds_every_size_windows_picks_from() {
    let ico = read("assets/icons/stagehand.ico");
    // ICONDIR: reserved 0, type 1 (icon), count; then 16-byte entries, width 0 meaning 256.
    assert_eq!(&ico[0..4], &[0, 0, 1, 0]);
    let count = u16::from_le_bytes([ico[4], ico[5]]) as usize;
    let sizes: Vec<u32> = (0..count)
        .map(|i| match ico[6 + 16 * i] {
            0 => 256,
            w => u32::from(w),
        })
        .collect();
    assert_eq!(sizes, [16, 24, 32, 48, 64, 128, 256]);
}

#[test]
fn the_icns_holds_the_retina_sizes_up_to_1024() {
    let icns = read("assets/icons/stagehand.icns");
    assert_eq!(&icns[0..4], b"icns");
    let length = u32::from_be_bytes([icns[4], icns[5], icns[6], icns[7]]) as usize;
    assert_eq!(length, icns.len());
    let mut kinds = Vec::new();
    let mut at = 8;
    while at + 8 <= icns.len() {
        kinds.push(String::from_utf8_lossy(&icns[at..at + 4]).into_owned());
        at += u32::from_be_bytes([icns[at + 4], icns[at + 5], icns[at + 6], icns[at + 7]]) as usize;
    }
    for kind in ["is32", "il32", "ic08", "ic09", "ic10"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} missing: {kinds:?}");
    }
}

#[test]
fn desktop_entry_icon_and_app_id_are_one_name() {
    let desktop = text("packaging/stagehand.desktop");
    let key = |k: &str| {
        desktop
            .lines()
            .take_while(|l| !l.starts_with("[Desktop Action"))
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .unwrap_or_else(|| panic!("no {k}= in stagehand.desktop"))
            .to_owned()
    };
    assert_eq!(key("Exec"), "stagehand");
    assert_eq!(key("Icon"), "stagehand");
    assert_eq!(key("StartupWMClass"), "stagehand");
    assert!(desktop.contains("[Desktop Action demo]\nName=Try the Demo\nExec=stagehand --demo"));
    // The window's app id (Wayland) and class (X11) must be the entry's name.
    assert!(text("src/main.rs").contains("const APP_ID: &str = \"stagehand\";"));
}

#[test]
fn the_packager_config_names_files_that_exist() {
    let cargo = text("Cargo.toml");
    let start = cargo
        .find("[package.metadata.packager]")
        .expect("packager table");
    let table = &cargo[start..];
    let mut named = 0;
    for quoted in table.split('"').skip(1).step_by(2) {
        if quoted.starts_with("assets/") || quoted.starts_with("packaging/") {
            assert!(
                repo(quoted).exists(),
                "{quoted} is named in Cargo.toml but missing"
            );
            named += 1;
        }
    }
    assert!(named >= 13, "only {named} files named");
}
