//! Pictures the simulator serves itself, at whatever size the URL asks for (Twitch's CDN
//! does the same with box art and previews): category box art and stream previews as JPEG,
//! profile pictures and team art as PNG. Each is drawn from its id, so neighbours differ.

use axum::body::Bytes;

pub(crate) use crate::sim::common::pictures::Format;
use crate::sim::common::pictures::{self, Pattern, PictureCache, Style};

/// The largest side the simulator draws (real CDNs refuse absurd sizes too).
pub(crate) const MAX_SIDE: u32 = 2_000;

/// Twitch's look: three patterns, stripes in proportion to the picture.
const TWITCH: Style = Style {
    base: (0.6, 0.42),
    dark: 0.18,
    patterns: &[Pattern::Diagonal, Pattern::Checks, Pattern::Rows],
    stripe: |w, h, seed| (w.min(h) / 12).max(2) + ((seed >> 16) % 6) as u32,
};

/// Encoded pictures by (format, width, height) and id; cleared when it grows large.
pub(crate) struct ImageCache(PictureCache<(Format, u32, u32)>);

impl Default for ImageCache {
    fn default() -> Self {
        ImageCache(PictureCache::new(1_024, |_| false))
    }
}

impl ImageCache {
    /// The picture for `id` at `w`x`h`, drawn on first use. `None` for a zero or oversized
    /// side, or if encoding fails.
    pub(crate) fn get(&self, format: Format, id: &str, w: u32, h: u32) -> Option<Bytes> {
        if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
            return None;
        }
        self.0.get((format, w, h), id, || {
            pictures::draw(&TWITCH, format, id, pictures::seed_of(id), (w, h))
        })
    }
}

/// `"<stem>-<w>x<h>.<ext>"` → (stem, w, h), for the CDN-style file names.
pub(crate) fn parse_sized(file: &str, ext: &str) -> Option<(String, u32, u32)> {
    let base = file.strip_suffix(ext)?.strip_suffix('.')?;
    let (stem, size) = base.rsplit_once('-')?;
    let (w, h) = size.split_once('x')?;
    let ok = |s: &str| !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit());
    if stem.is_empty() || !ok(w) || !ok(h) {
        return None;
    }
    Some((stem.to_owned(), w.parse().ok()?, h.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sized_names_parse() {
        assert_eq!(
            parse_sized("509658-52x72.jpg", "jpg"),
            Some(("509658".into(), 52, 72))
        );
        assert_eq!(
            parse_sized("123-profile_image-300x300.png", "png"),
            Some(("123-profile_image".into(), 300, 300))
        );
        assert_eq!(parse_sized("509658-{width}x{height}.jpg", "jpg"), None);
        assert_eq!(parse_sized("509658.jpg", "jpg"), None);
    }

    #[test]
    fn draws_any_size() {
        let cache = ImageCache::default();
        let jpg = cache.get(Format::Jpeg, "509658", 7, 300).expect("jpeg");
        let img = image::load_from_memory(&jpg).expect("decodes");
        assert_eq!((img.width(), img.height()), (7, 300));
        assert!(cache.get(Format::Png, "1", 0, 10).is_none());
        assert!(cache.get(Format::Png, "1", MAX_SIDE + 1, 10).is_none());
    }
}
