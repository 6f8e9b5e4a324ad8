//! Pictures the simulators serve themselves, so the demo and the tests never reach the
//! internet: each is a real image drawn from its id (a gradient in the id's hue, a pattern
//! and a centred disc, so neighbours in a list differ), encoded once with the `image` crate
//! and cached. A [`Style`] is a simulator's look; [`ImageCache`] serves the fixed-size
//! pictures of Trovo and Velora, and [`PictureCache`] is the cache under any picture set.

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

use super::lock;

/// The file format of a picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Format {
    /// JPEG at quality 85 (box art and stream previews on Twitch's CDN).
    Jpeg,
    /// PNG (everything else).
    Png,
}

/// A pattern laid over the gradient, in the accent colour.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Pattern {
    /// Diagonal stripes.
    Diagonal,
    /// A checkerboard.
    Checks,
    /// Rings around the centre.
    Rings,
    /// Every third row of stripes.
    Rows,
}

/// A simulator's look: colours, the patterns its pictures choose from, the stripe width.
pub(crate) struct Style {
    /// Saturation and lightness of the base colour (the top of the gradient).
    pub(crate) base: (f32, f32),
    /// Lightness of the dark complement (the bottom of the gradient).
    pub(crate) dark: f32,
    /// The patterns; the id's hash picks one.
    pub(crate) patterns: &'static [Pattern],
    /// The stripe width for a `w`x`h` picture and the id's hash.
    pub(crate) stripe: fn(u32, u32, u64) -> u32,
}

/// The hash a picture's pattern and, for a non-numeric id, its hue come from.
pub(crate) fn seed_of(parts: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
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

/// Draws and encodes one `w`x`h` picture for `id` in `style`, its pattern chosen by `seed`.
pub(crate) fn draw(
    style: &Style,
    format: Format,
    id: &str,
    seed: u64,
    (w, h): (u32, u32),
) -> Option<Vec<u8>> {
    // Numeric ids (categories, users) spread around the colour wheel by the golden angle, so
    // neighbours in a list never look alike; other ids use their hash.
    let hue = match id.parse::<u64>() {
        Ok(n) => (n % 10_000) as f32 * 137.508,
        Err(_) => (seed % 360) as f32,
    };
    let base = hsl(hue, style.base.0, style.base.1);
    let accent = hsl(hue + 40.0, 0.75, 0.65);
    let dark = hsl(hue + 180.0, 0.4, style.dark);
    let pattern = style.patterns[((seed >> 8) % style.patterns.len() as u64) as usize];
    let stripe = (style.stripe)(w, h, seed);
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let r = w.min(h) as f32 * 0.22;
    let mut img = RgbImage::new(w, h);
    for (x, y, px) in img.enumerate_pixels_mut() {
        // Vertical gradient from the base colour to its dark complement.
        let t = y as f32 / h as f32;
        let mut c = [0u8; 3];
        for i in 0..3 {
            c[i] = (base[i] as f32 * (1.0 - t * 0.6) + dark[i] as f32 * t * 0.6) as u8;
        }
        let on = match pattern {
            Pattern::Diagonal => ((x + y) / stripe).is_multiple_of(2),
            Pattern::Checks => (x / stripe + y / stripe).is_multiple_of(2),
            Pattern::Rings => {
                let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
                (d as u32 / stripe).is_multiple_of(2)
            }
            Pattern::Rows => (y / stripe).is_multiple_of(3),
        };
        if on {
            for i in 0..3 {
                c[i] = ((c[i] as u16 + accent[i] as u16) / 2) as u8;
            }
        }
        // A centred disc gives every picture a recognisable "subject".
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

/// Encoded pictures by (key, id), drawn on first use. Pictures are unbounded in number
/// (100,000 viewers have 100,000 avatars), so past `cap` entries the cache drops all but
/// those `keep` names; redrawing is cheap.
pub(crate) struct PictureCache<K> {
    cache: Mutex<HashMap<(K, String), Bytes>>,
    cap: usize,
    keep: fn(&K) -> bool,
}

impl<K: Clone + Eq + Hash> PictureCache<K> {
    /// An empty cache of at most about `cap` pictures that keeps those `keep` names.
    pub(crate) fn new(cap: usize, keep: fn(&K) -> bool) -> Self {
        PictureCache {
            cache: Mutex::new(HashMap::new()),
            cap,
            keep,
        }
    }

    /// The picture under `key` and `id`, drawn by `draw` on first use. `None` only if
    /// drawing fails.
    pub(crate) fn get(
        &self,
        key: K,
        id: &str,
        draw: impl FnOnce() -> Option<Vec<u8>>,
    ) -> Option<Bytes> {
        let key = (key, id.to_owned());
        if let Some(hit) = lock(&self.cache).get(&key) {
            return Some(hit.clone());
        }
        // Drawn outside the lock; two racing requests just draw the same picture twice.
        let bytes = Bytes::from(draw()?);
        let mut cache = lock(&self.cache);
        if cache.len() >= self.cap {
            cache.retain(|(k, _), _| (self.keep)(k));
        }
        cache.insert(key, bytes.clone());
        Some(bytes)
    }
}

/// Which fixed-size picture, and therefore which size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// Category box art, 144x192 (portrait, like Trovo's and Twitch's category art).
    Icon,
    /// Profile picture, 96x96.
    Avatar,
    /// Live stream thumbnail, 320x180.
    Thumb,
    /// Chat emote, 56x56.
    Emote,
}

impl Kind {
    fn size(self) -> (u32, u32) {
        match self {
            Kind::Icon => (144, 192),
            Kind::Avatar => (96, 96),
            Kind::Thumb => (320, 180),
            Kind::Emote => (56, 56),
        }
    }
}

/// The look of the fixed-size pictures: four patterns, stripes 8 to 23 pixels wide.
const FIXED: Style = Style {
    base: (0.65, 0.45),
    dark: 0.2,
    patterns: &[
        Pattern::Diagonal,
        Pattern::Checks,
        Pattern::Rings,
        Pattern::Rows,
    ],
    stripe: |_, _, seed| 8 + ((seed >> 16) % 16) as u32,
};

/// Fixed-size PNGs by kind and id (Trovo's and Velora's pictures); category art is kept
/// when the cache is trimmed.
pub(crate) struct ImageCache(PictureCache<Kind>);

impl Default for ImageCache {
    fn default() -> Self {
        ImageCache(PictureCache::new(4096, |k| *k == Kind::Icon))
    }
}

impl ImageCache {
    /// The PNG for `id`, drawn on first use. `None` only if encoding fails.
    pub(crate) fn get(&self, kind: Kind, id: &str) -> Option<Bytes> {
        self.0.get(kind, id, || {
            draw(&FIXED, Format::Png, id, seed_of((kind, id)), kind.size())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_pictures_have_their_kinds_size_and_differ_by_id() {
        let cache = ImageCache::default();
        let a = cache.get(Kind::Avatar, "1").expect("png");
        let img = image::load_from_memory(&a).expect("decodes");
        assert_eq!((img.width(), img.height()), (96, 96));
        assert_eq!(cache.get(Kind::Avatar, "1"), Some(a.clone()), "cached");
        assert_ne!(cache.get(Kind::Avatar, "2"), Some(a));
    }
}
