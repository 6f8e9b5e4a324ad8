//! The fonts the window tests draw with, carried in the repository: egui's own, then small
//! subsets (tests/fonts/, cut by tests/fonts/make-subset.py) with exactly the characters
//! beyond them that the app's literals hold: the simulators' names in Chinese, Korean,
//! Japanese, Arabic and Vietnamese, emoji, and the window's symbols. The harness panics on
//! a character no font has, so the tests need no system fonts and still catch a name or a
//! label that would draw as a box.

use eframe::egui;
use egui::{FontData, FontFamily, FontInsert, FontPriority, InsertFontFamily};

/// In fallback order, the order tests/fonts/make-subset.py assigns characters in.
const FONTS: [(&str, &[u8]); 3] = [
    (
        "test-DejaVuSans",
        include_bytes!("../fonts/DejaVuSans-subset.ttf"),
    ),
    (
        "test-NotoSansCJK",
        include_bytes!("../fonts/NotoSansCJK-subset.otf"),
    ),
    (
        "test-Symbola",
        include_bytes!("../fonts/Symbola-subset.ttf"),
    ),
];

/// Adds the subsets to both families, after egui's default fonts.
pub fn install_test_fonts(ctx: &egui::Context) {
    for (name, bytes) in FONTS {
        ctx.add_font(FontInsert::new(
            name,
            FontData::from_static(bytes),
            [FontFamily::Proportional, FontFamily::Monospace]
                .into_iter()
                .map(|family| InsertFontFamily {
                    family,
                    priority: FontPriority::Lowest,
                })
                .collect(),
        ));
    }
}
