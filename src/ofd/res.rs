//! The resources pages share, each with its ID: fonts (`PublicRes.xml`),
//! pictures (`DocumentRes.xml`) and the colour spaces: CMYK for the red
//! ink, GRAY for black. IDs are handed out in the order things are met on the pages,
//! so the same pages give the same IDs.

use std::collections::HashMap;

use typst::text::{Font, FontInstance};

use super::font::UsedFont;

/// A picture as the package holds it.
pub struct Media {
    pub id: u32,
    /// `PNG` or `JPEG` (GB/T 33190 Table 44's formats).
    pub format: &'static str,
    pub bytes: Vec<u8>,
}

impl Media {
    pub fn file_name(&self) -> String {
        let ext = if self.format == "JPEG" { "jpg" } else { "png" };
        format!("image_{}.{ext}", self.id)
    }
}

#[derive(Default)]
pub struct Resources {
    last_id: u32,
    pub fonts: Vec<UsedFont>,
    font_index: HashMap<Font, usize>,
    pub media: Vec<Media>,
    /// Pictures already held, by a hash of what is drawn.
    media_index: HashMap<u128, usize>,
    /// The ID of the CMYK colour space, once a colour needs it.
    pub cmyk: Option<u32>,
    /// The ID of the GRAY colour space (black), once a colour needs it.
    pub gray: Option<u32>,
}

impl Resources {
    /// A new ID, one more than the last.
    pub fn id(&mut self) -> u32 {
        self.last_id += 1;
        self.last_id
    }

    /// The highest ID handed out (`MaxUnitID`).
    pub fn max_id(&self) -> u32 {
        self.last_id
    }

    /// The face `font`, added when first met.
    pub fn font(&mut self, instance: &FontInstance) -> &mut UsedFont {
        let font = instance.font();
        let k = match self.font_index.get(font) {
            Some(&k) => k,
            None => {
                let id = self.id();
                self.fonts.push(UsedFont::new(instance.clone(), id));
                self.font_index.insert(font.clone(), self.fonts.len() - 1);
                self.fonts.len() - 1
            }
        };
        &mut self.fonts[k]
    }

    /// The ID of the CMYK colour space.
    pub fn cmyk(&mut self) -> u32 {
        if self.cmyk.is_none() {
            self.cmyk = Some(self.id());
        }
        self.cmyk.unwrap_or_default()
    }

    /// The ID of the GRAY colour space.
    pub fn gray(&mut self) -> u32 {
        if self.gray.is_none() {
            self.gray = Some(self.id());
        }
        self.gray.unwrap_or_default()
    }

    /// The ID of a picture, made by `make` (format and bytes) when not
    /// held yet; `key` says what is drawn.
    pub fn media(
        &mut self,
        key: u128,
        make: impl FnOnce() -> Result<(&'static str, Vec<u8>), String>,
    ) -> Result<u32, String> {
        if let Some(&k) = self.media_index.get(&key) {
            return Ok(self.media[k].id);
        }
        let (format, bytes) = make()?;
        let id = self.id();
        self.media.push(Media { id, format, bytes });
        self.media_index.insert(key, self.media.len() - 1);
        Ok(id)
    }
}
