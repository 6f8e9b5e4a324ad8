//! Pictures the simulator serves itself, at whatever size the URL asks for (Twitch's CDN
//! does the same with box art and previews): category box art and stream previews as JPEG,
//! profile pictures and team art as PNG. Each is drawn from its id, so neighbours differ.

use std::{
    collections::HashMap,
    hash::{DefaultHasher, Hash, Hasher},
    sync::Mutex,
};

use axum::body::Bytes;
use image::{
    ExtendedColorType, ImageEncoder, RgbImage,
    codecs::{jpeg::JpegEncoder, png::PngEncoder},
};

/// The largest side the simulator draws (real CDNs refuse absurd sizes too).
pub(crate) const MAX_SIDE: u32 = 2_000;

/// The file format of a picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Format {
    Jpeg,
    Png,
}

/// Encoded pictures by (format, id, width, height); cleared when it grows large.
#[derive(Default)]
pub(crate) struct ImageCache {
    cache: Mutex<HashMap<(Format, String, u32, u32), Bytes>>,
}

const CACHE_CAP: usize = 1_024;

impl ImageCache {
    /// The picture for `id` at `w`x`h`, drawn on first use. `None` for a zero or oversized
    /// side, or if encoding fails.
    pub(crate) fn get(&self, format: Format, id: &str, w: u32, h: u32) -> Option<Bytes> {
        if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
            return None;
        }
        let key = (format, id.to_owned(), w, h);
        if let Some(hit) = self.lock().get(&key) {
            return Some(hit.clone());
        }
        let bytes = Bytes::from(draw(format, id, w, h)?);
        let mut cache = self.lock();
        if cache.len() >= CACHE_CAP {
            cache.clear();
        }
        cache.insert(key, bytes.clone());
        Some(bytes)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Format, String, u32, u32), Bytes>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
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

/// An RGB colour from a hue in [0, 360), a saturation and a lightness.
fn hsl(hue: f32, sat: f32, light: f32) -> [u8; 3] {
    let c = (1.0 - (2.0 * light - 1.0).abs()) * sat;
    let h = hue.rem_euclid(360.0) / 60.0;
    let x = c * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = light - c / 2.0;
    let to = |v: f32| ((v + m).clamp(0.0, 1.0) * 255.0).round() as u8;
    [to(r), to(g), to(b)]
}

/// Draws and encodes one picture: a gradient in the id's hue, a pattern and a disc.
fn draw(format: Format, id: &str, w: u32, h: u32) -> Option<Vec<u8>> {
    let mut hasher = DefaultHasher::new();
    id.hash(&mut hasher);
    let seed = hasher.finish();
    let hue = match id.parse::<u64>() {
        Ok(n) => (n % 10_000) as f32 * 137.508,
        Err(_) => (seed % 360) as f32,
    };
    let base = hsl(hue, 0.6, 0.42);
    let accent = hsl(hue + 40.0, 0.75, 0.65);
    let dark = hsl(hue + 180.0, 0.4, 0.18);
    let pattern = (seed >> 8) % 3;
    let stripe = (w.min(h) / 12).max(2) + ((seed >> 16) % 6) as u32;
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let r = w.min(h) as f32 * 0.22;
    let mut img = RgbImage::new(w, h);
    for (x, y, px) in img.enumerate_pixels_mut() {
        let t = y as f32 / h as f32;
        let mut c = [0u8; 3];
        for i in 0..3 {
            c[i] = (base[i] as f32 * (1.0 - t * 0.6) + dark[i] as f32 * t * 0.6) as u8;
        }
        let on = match pattern {
            0 => ((x + y) / stripe).is_multiple_of(2),
            1 => (x / stripe + y / stripe).is_multiple_of(2),
            _ => (y / stripe).is_multiple_of(3),
        };
        if on {
            for i in 0..3 {
                c[i] = ((c[i] as u16 + accent[i] as u16) / 2) as u8;
            }
        }
        if (x as f32 - cx).powi(2) + (y as f32 - cy).powi(2) < r * r {
            c = accent;
        }
        px.0 = c;
    }
    let mut out = Vec::new();
    match format {
        Format::Jpeg => JpegEncoder::new_with_quality(&mut out, 85)
            .write_image(img.as_raw(), w, h, ExtendedColorType::Rgb8)
            .ok()?,
        Format::Png => PngEncoder::new(&mut out)
            .write_image(img.as_raw(), w, h, ExtendedColorType::Rgb8)
            .ok()?,
    }
    Some(out)
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
