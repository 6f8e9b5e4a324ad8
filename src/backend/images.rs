//! Category icons and avatars: fetched, decoded and shrunk off the UI thread, and kept in
//! memory and on disk (under the OS cache directory) so a second start draws them without
//! the network. The UI turns each decoded image into a texture once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The largest side an icon is kept at: the picker draws icons far smaller, and a few
/// hundred full-size covers would cost megabytes of texture memory for nothing.
pub const MAX_SIDE: u32 = 96;

/// Answers larger than this are not images we want.
pub use crate::model::DecodedImage;

const MAX_BYTES: usize = 4 * 1024 * 1024;

/// Why an image could not be shown; the UI keeps the placeholder.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("the image address is not allowed (https only, or http on loopback)")]
    Refused,
    #[error("the image could not be downloaded ({0})")]
    Fetch(String),
    #[error("the image could not be decoded ({0})")]
    Decode(String),
}

/// Fetches, decodes and caches images by URL.
pub struct ImageCache {
    http: reqwest::Client,
    disk: Option<PathBuf>,
    memory: Mutex<HashMap<String, Arc<DecodedImage>>>,
}

impl ImageCache {
    /// A cache that keeps files under `disk` (none: memory only, as in tests).
    pub fn new(disk: Option<PathBuf>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .user_agent(concat!("Stagehand/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        if let Some(dir) = &disk
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            tracing::warn!("image cache folder unavailable ({e}); icons are kept in memory only");
        }
        ImageCache {
            http,
            disk,
            memory: Mutex::new(HashMap::new()),
        }
    }

    /// The OS cache directory's folder for Stagehand's images.
    pub fn default_dir() -> Option<PathBuf> {
        directories::ProjectDirs::from("live", "Stagehand", "Stagehand")
            .map(|d| d.cache_dir().join("images"))
    }

    /// The image at `url`: from memory, else from disk, else from the network.
    pub async fn load(&self, url: &str) -> Result<Arc<DecodedImage>, ImageError> {
        if let Some(hit) = self.lock().get(url) {
            return Ok(Arc::clone(hit));
        }
        let bytes = match self.read_disk(url).await {
            Some(bytes) => bytes,
            None => {
                let bytes = self.fetch(url).await?;
                self.write_disk(url, &bytes).await;
                bytes
            }
        };
        let image = tokio::task::spawn_blocking(move || decode(&bytes))
            .await
            .map_err(|e| ImageError::Decode(e.to_string()))??;
        let image = Arc::new(image);
        self.lock().insert(url.to_owned(), Arc::clone(&image));
        Ok(image)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<DecodedImage>>> {
        self.memory.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn fetch(&self, url: &str) -> Result<Vec<u8>, ImageError> {
        let parsed = url::Url::parse(url).map_err(|_| ImageError::Refused)?;
        if !crate::config::is_allowed_address(&parsed) {
            return Err(ImageError::Refused);
        }
        let resp = self
            .http
            .get(parsed)
            .send()
            .await
            .map_err(|e| ImageError::Fetch(fetch_reason(&e)))?;
        if !resp.status().is_success() {
            return Err(ImageError::Fetch(format!(
                "HTTP {}",
                resp.status().as_u16()
            )));
        }
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| ImageError::Fetch(fetch_reason(&e)))?;
        if bytes.len() > MAX_BYTES {
            return Err(ImageError::Fetch("too large".into()));
        }
        Ok(bytes.to_vec())
    }

    fn disk_path(&self, url: &str) -> Option<PathBuf> {
        self.disk
            .as_deref()
            .map(|d: &Path| d.join(format!("{:016x}.img", fnv1a(url.as_bytes()))))
    }

    async fn read_disk(&self, url: &str) -> Option<Vec<u8>> {
        let path = self.disk_path(url)?;
        tokio::fs::read(path).await.ok().filter(|b| !b.is_empty())
    }

    async fn write_disk(&self, url: &str, bytes: &[u8]) {
        let Some(path) = self.disk_path(url) else {
            return;
        };
        // Write beside and rename, so a crash never leaves half a file to decode later.
        let tmp = path.with_extension("part");
        let written = async {
            tokio::fs::write(&tmp, bytes).await?;
            tokio::fs::rename(&tmp, &path).await
        };
        if let Err(e) = written.await {
            tracing::debug!("could not cache an image on disk: {e}");
        }
    }
}

fn fetch_reason(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        "connection failed".into()
    }
}

/// Decodes any supported format and shrinks it to at most `MAX_SIDE` on its longer side.
pub fn decode(bytes: &[u8]) -> Result<DecodedImage, ImageError> {
    let img = image::load_from_memory(bytes).map_err(|e| ImageError::Decode(e.to_string()))?;
    let img = if img.width() > MAX_SIDE || img.height() > MAX_SIDE {
        img.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        img
    };
    let rgba = img.to_rgba8();
    Ok(DecodedImage {
        width: rgba.width(),
        height: rgba.height(),
        rgba: rgba.into_raw(),
    })
}

/// A stable file name for a URL (std's hasher may change between Rust releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(w, h, image::Rgba([200, 30, 30, 255]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("encodes");
        out.into_inner()
    }

    #[test]
    fn large_images_are_shrunk_and_kept_in_proportion() {
        let d = decode(&png(300, 400)).expect("decodes");
        assert_eq!(d.height, MAX_SIDE);
        assert_eq!(d.width, 72);
        assert_eq!(d.rgba.len(), (d.width * d.height * 4) as usize);
    }

    #[test]
    fn garbage_is_a_decode_error() {
        assert!(matches!(
            decode(b"<html>not an image</html>"),
            Err(ImageError::Decode(_))
        ));
    }

    #[test]
    fn file_names_are_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_ne!(fnv1a(b"a"), fnv1a(b"b"));
    }
}
