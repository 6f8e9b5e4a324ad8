//! Pictures the simulator serves itself, so the demo and the tests never reach the internet:
//! category icons, avatars, stream thumbnails and emotes. Each is a real PNG drawn from its
//! id (a distinct colour and pattern), encoded once with the `image` crate and cached.

use std::{
    collections::HashMap,
    hash::{DefaultHasher, Hash, Hasher},
    sync::Mutex,
};

use axum::body::Bytes;
use image::{ExtendedColorType, ImageEncoder, RgbImage, codecs::png::PngEncoder};

/// Which picture, and therefore which size and style.
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

/// Encoded PNGs by (kind, id). Avatars are unbounded in number (100,000 viewers), so the
/// cache is cleared when it grows past a few thousand entries; redrawing is cheap.
#[derive(Default)]
pub(crate) struct ImageCache {
    cache: Mutex<HashMap<(Kind, String), Bytes>>,
}

const CACHE_CAP: usize = 4096;

impl ImageCache {
    /// The PNG for `id`, drawn on first use. `None` only if encoding fails.
    pub(crate) fn get(&self, kind: Kind, id: &str) -> Option<Bytes> {
        let key = (kind, id.to_owned());
        if let Some(hit) = self.lock().get(&key) {
            return Some(hit.clone());
        }
        // Drawn outside the lock; two racing requests just draw the same picture twice.
        let png = Bytes::from(draw(kind, id)?);
        let mut cache = self.lock();
        if cache.len() >= CACHE_CAP {
            cache.retain(|(k, _), _| *k == Kind::Icon);
        }
        cache.insert(key, png.clone());
        Some(png)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Kind, String), Bytes>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// An RGB colour from a hue in [0, 360) with fixed saturation and the given lightness.
fn hsl(hue: f32, sat: f32, light: f32) -> [u8; 3] {
    let c = (1.0 - (2.0 * light - 1.0).abs()) * sat;
    let h = (hue.rem_euclid(360.0)) / 60.0;
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

fn seed_of(kind: Kind, id: &str) -> u64 {
    let mut h = DefaultHasher::new();
    kind.hash(&mut h);
    id.hash(&mut h);
    h.finish()
}

/// Draws and encodes one picture. Distinct ids give distinct hues and patterns.
fn draw(kind: Kind, id: &str) -> Option<Vec<u8>> {
    let (w, h) = kind.size();
    let seed = seed_of(kind, id);
    // Numeric ids (categories, users) spread around the colour wheel by the golden angle, so
    // neighbours in a list never look alike; other ids use their hash.
    let hue = match id.parse::<u64>() {
        Ok(n) => (n % 10_000) as f32 * 137.508,
        Err(_) => (seed % 360) as f32,
    };
    let base = hsl(hue, 0.65, 0.45);
    let accent = hsl(hue + 40.0, 0.75, 0.65);
    let dark = hsl(hue + 180.0, 0.4, 0.2);
    let pattern = (seed >> 8) % 4;
    let stripe = 8 + ((seed >> 16) % 16) as u32;
    let mut img = RgbImage::new(w, h);
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    for (x, y, px) in img.enumerate_pixels_mut() {
        // Vertical gradient from the base colour to its dark complement.
        let t = y as f32 / h as f32;
        let mut c = [0u8; 3];
        for i in 0..3 {
            c[i] = (base[i] as f32 * (1.0 - t * 0.6) + dark[i] as f32 * t * 0.6) as u8;
        }
        let on = match pattern {
            0 => ((x + y) / stripe).is_multiple_of(2),
            1 => (x / stripe + y / stripe).is_multiple_of(2),
            2 => {
                let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
                (d as u32 / stripe).is_multiple_of(2)
            }
            _ => (y / stripe).is_multiple_of(3),
        };
        if on {
            for i in 0..3 {
                c[i] = ((c[i] as u16 + accent[i] as u16) / 2) as u8;
            }
        }
        // A centred disc gives every picture a recognisable "subject".
        let r = w.min(h) as f32 * 0.22;
        if (x as f32 - cx).powi(2) + (y as f32 - cy).powi(2) < r * r {
            c = accent;
        }
        px.0 = c;
    }
    let mut out = Vec::with_capacity((w * h) as usize / 2);
    PngEncoder::new(&mut out)
        .write_image(img.as_raw(), w, h, ExtendedColorType::Rgb8)
        .ok()?;
    Some(out)
}
