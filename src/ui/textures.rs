//! Textures for images the backend decoded, made once per URL. Asking for an image that is
//! not here yet emits a `LoadImage` and draws a placeholder meanwhile.

use crate::command::Command;
use crate::model::DecodedImage;
use eframe::egui;
use std::collections::HashMap;

enum Slot {
    Loading,
    Ready(egui::TextureHandle),
    Failed,
}

/// Image textures by URL.
#[derive(Default)]
pub struct Textures {
    slots: HashMap<String, Slot>,
}

impl Textures {
    /// The texture for `url`, or `None` while it loads (or if it failed). The first ask
    /// queues the load in `out`.
    pub fn get(&mut self, url: &str, out: &mut Vec<Command>) -> Option<&egui::TextureHandle> {
        if !self.slots.contains_key(url) {
            self.slots.insert(url.to_owned(), Slot::Loading);
            out.push(Command::LoadImage {
                url: url.to_owned(),
            });
            return None;
        }
        match self.slots.get(url) {
            Some(Slot::Ready(t)) => Some(t),
            _ => None,
        }
    }

    /// Turns a decoded image into a texture (on the UI thread: the only place textures are
    /// made), or remembers that it failed so it is not asked for again.
    pub fn loaded(&mut self, ctx: &egui::Context, url: String, result: Result<&DecodedImage, ()>) {
        let slot = match result {
            Ok(img) => {
                let size = [img.width as usize, img.height as usize];
                let color = egui::ColorImage::from_rgba_unmultiplied(size, &img.rgba);
                Slot::Ready(ctx.load_texture(&url, color, egui::TextureOptions::LINEAR))
            }
            Err(()) => Slot::Failed,
        };
        self.slots.insert(url, slot);
    }
}
