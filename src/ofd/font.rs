//! The fonts of an OFD: each face the pages use, embedded as a subset of
//! the glyphs they print. The subset is made by `subsetter` (the crate and
//! version typst-pdf's writer, krilla, uses), which renumbers the glyphs
//! and drops the `cmap` (a PDF brings its own); an OFD reader finds a
//! glyph from the character of the `TextCode`, so a `cmap` of the
//! characters printed is written back into the subset, with the `OS/2`
//! table of the original face. A glyph no single character maps to (a
//! ligature, a vertical form) is named by a `CGTransform` instead.

use std::collections::BTreeMap;

use subsetter::GlyphRemapper;
use typst::text::{Font, FontInstance};

/// A face used on the pages and what is printed with it.
pub struct UsedFont {
    pub font: Font,
    /// The first instance met (its parsed tables).
    instance: FontInstance,
    /// The OFD resource ID.
    pub id: u32,
    pub remapper: GlyphRemapper,
    /// Characters whose own glyph (the face's `cmap`) was printed, and
    /// that glyph's original ID.
    pub chars: BTreeMap<char, u16>,
}

impl UsedFont {
    pub fn new(instance: FontInstance, id: u32) -> Self {
        let font = instance.font().clone();
        let mut remapper = GlyphRemapper::new();
        // .notdef stays glyph 0.
        remapper.remap(0);
        Self {
            font,
            instance,
            id,
            remapper,
            chars: BTreeMap::new(),
        }
    }

    /// The glyph `gid` in the subset, printed for `code` (the characters
    /// of its cluster); whether `code` alone finds it through the `cmap`.
    pub fn use_glyph(&mut self, gid: u16, code: &str) -> (u16, bool) {
        let new = self.remapper.remap(gid);
        let mut chars = code.chars();
        let by_cmap = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                self.instance.ttf().glyph_index(c).map(|g| g.0) == Some(gid)
                    && self.chars.get(&c).is_none_or(|&g| g == gid)
            }
            _ => false,
        };
        if by_cmap && let Some(c) = code.chars().next() {
            self.chars.insert(c, gid);
        }
        (new, by_cmap)
    }

    /// The file name of the subset in the package (`font_3.otf`).
    pub fn file_name(&self) -> String {
        let cff =
            self.font.data().starts_with(b"OTTO") || self.instance.ttf().tables().cff.is_some();
        format!("font_{}.{}", self.id, if cff { "otf" } else { "ttf" })
    }

    /// The family name a reader shows (and may look for installed).
    pub fn family(&self) -> String {
        self.font.info().family.clone()
    }

    /// The subset's bytes: the glyphs used, a `cmap` of the characters
    /// printed, the original `OS/2`.
    pub fn subset(&self) -> Result<Vec<u8>, String> {
        let data = self.font.data().as_slice();
        let sub = subsetter::subset(data, self.font.index(), &self.remapper)
            .map_err(|e| {
                format!(
                    "字体 {} 放不进 OFD（取子集出错：{e}；可变字体、CFF2 字体常常如此），请在 jianbao.toml 的 [fonts] 里换一个字体",
                    self.family()
                )
            })?;
        let cmap = cmap(
            self.chars
                .iter()
                .filter_map(|(&c, &old)| self.remapper.get(old).map(|new| (u32::from(c), new))),
        );
        let mut extra = vec![(*b"cmap", cmap)];
        if let Some(os2) = original_table(data, self.font.index(), *b"OS/2") {
            extra.push((*b"OS/2", os2));
        }
        add_tables(&sub, extra).ok_or_else(|| format!("字体 {} 的子集读不回来", self.family()))
    }
}

/// A table of the original face (`index` in a collection).
fn original_table(data: &[u8], index: u32, tag: [u8; 4]) -> Option<Vec<u8>> {
    let face = ttf_parser::RawFace::parse(data, index).ok()?;
    face.table(ttf_parser::Tag::from_bytes(&tag))
        .map(<[u8]>::to_vec)
}

/// A `cmap` table of `pairs` (code point, glyph), sorted by code point:
/// format 4 (Windows Unicode BMP) for what it can hold, and format 12
/// (Windows Unicode full) for all.
pub fn cmap(pairs: impl Iterator<Item = (u32, u16)>) -> Vec<u8> {
    let pairs: Vec<(u32, u16)> = pairs.collect();
    // Runs of consecutive code points with consecutive glyphs.
    let mut groups: Vec<(u32, u32, u16)> = Vec::new();
    for &(c, g) in &pairs {
        match groups.last_mut() {
            Some((start, end, start_g))
                if *end + 1 == c && u32::from(*start_g) + (c - *start) == u32::from(g) =>
            {
                *end = c;
            }
            _ => groups.push((c, c, g)),
        }
    }
    let mut f12 = Vec::new();
    f12.extend_from_slice(&12u16.to_be_bytes());
    f12.extend_from_slice(&0u16.to_be_bytes());
    f12.extend_from_slice(&((16 + 12 * groups.len()) as u32).to_be_bytes());
    f12.extend_from_slice(&0u32.to_be_bytes());
    f12.extend_from_slice(&(groups.len() as u32).to_be_bytes());
    for &(start, end, g) in &groups {
        f12.extend_from_slice(&start.to_be_bytes());
        f12.extend_from_slice(&end.to_be_bytes());
        f12.extend_from_slice(&u32::from(g).to_be_bytes());
    }
    // Format 4: the BMP groups and the closing 0xFFFF segment.
    let bmp: Vec<(u32, u32, u16)> = groups.iter().copied().filter(|g| g.1 < 0xFFFF).collect();
    let seg_count = bmp.len() + 1;
    let mut f4_body = Vec::new();
    let search = {
        let mut p = 1usize;
        while p * 2 <= seg_count {
            p *= 2;
        }
        p
    };
    let selector = search.trailing_zeros() as u16;
    f4_body.extend_from_slice(&((seg_count * 2) as u16).to_be_bytes());
    f4_body.extend_from_slice(&((search * 2) as u16).to_be_bytes());
    f4_body.extend_from_slice(&selector.to_be_bytes());
    f4_body.extend_from_slice(&(((seg_count - search) * 2) as u16).to_be_bytes());
    for &(_, end, _) in &bmp {
        f4_body.extend_from_slice(&(end as u16).to_be_bytes());
    }
    f4_body.extend_from_slice(&0xFFFFu16.to_be_bytes());
    f4_body.extend_from_slice(&0u16.to_be_bytes());
    for &(start, _, _) in &bmp {
        f4_body.extend_from_slice(&(start as u16).to_be_bytes());
    }
    f4_body.extend_from_slice(&0xFFFFu16.to_be_bytes());
    for &(start, _, g) in &bmp {
        let delta = (i32::from(g) - start as i32).rem_euclid(65536) as u16;
        f4_body.extend_from_slice(&delta.to_be_bytes());
    }
    f4_body.extend_from_slice(&1u16.to_be_bytes());
    for _ in 0..seg_count {
        f4_body.extend_from_slice(&0u16.to_be_bytes());
    }
    let f4_len = 6 + f4_body.len();
    let with_f4 = f4_len <= 0xFFFF;
    let tables = if with_f4 { 2u16 } else { 1 };
    let header = 4 + 8 * usize::from(tables);
    let mut out = Vec::new();
    out.extend_from_slice(&0u16.to_be_bytes());
    out.extend_from_slice(&tables.to_be_bytes());
    if with_f4 {
        out.extend_from_slice(&3u16.to_be_bytes());
        out.extend_from_slice(&1u16.to_be_bytes());
        out.extend_from_slice(&(header as u32).to_be_bytes());
    }
    out.extend_from_slice(&3u16.to_be_bytes());
    out.extend_from_slice(&10u16.to_be_bytes());
    let f12_at = header + if with_f4 { f4_len } else { 0 };
    out.extend_from_slice(&(f12_at as u32).to_be_bytes());
    if with_f4 {
        out.extend_from_slice(&4u16.to_be_bytes());
        out.extend_from_slice(&(f4_len as u16).to_be_bytes());
        out.extend_from_slice(&0u16.to_be_bytes());
        out.extend_from_slice(&f4_body);
    }
    out.extend_from_slice(&f12);
    out
}

fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

fn checksum(table: &[u8]) -> u32 {
    table.chunks(4).fold(0u32, |sum, c| {
        let mut word = [0u8; 4];
        word[..c.len()].copy_from_slice(c);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// The OpenType font `font` with `extra` tables added (replacing any of
/// the same tag): tables in tag order, 4-byte aligned, with their
/// checksums and the `head` table's adjustment.
fn add_tables(font: &[u8], extra: Vec<([u8; 4], Vec<u8>)>) -> Option<Vec<u8>> {
    let version = be32(font, 0)?;
    let count = usize::from(be16(font, 4)?);
    let mut tables: BTreeMap<[u8; 4], Vec<u8>> = BTreeMap::new();
    for k in 0..count {
        let rec = 12 + 16 * k;
        let tag: [u8; 4] = font.get(rec..rec + 4)?.try_into().ok()?;
        let offset = be32(font, rec + 8)? as usize;
        let length = be32(font, rec + 12)? as usize;
        tables.insert(tag, font.get(offset..offset.checked_add(length)?)?.to_vec());
    }
    tables.extend(extra);
    // head's checkSumAdjustment is 0 while the sums are taken.
    if let Some(head) = tables.get_mut(b"head") {
        head.get_mut(8..12)?.copy_from_slice(&[0; 4]);
    }
    let n = tables.len();
    let mut search = 1usize;
    while search * 2 <= n {
        search *= 2;
    }
    let mut out = Vec::new();
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&(n as u16).to_be_bytes());
    out.extend_from_slice(&((search * 16) as u16).to_be_bytes());
    out.extend_from_slice(&(search.trailing_zeros() as u16).to_be_bytes());
    out.extend_from_slice(&(((n - search) * 16) as u16).to_be_bytes());
    let mut offset = 12 + 16 * n;
    let mut head_at = None;
    for (tag, data) in &tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        if tag == b"head" {
            head_at = Some(offset);
        }
        offset += data.len().next_multiple_of(4);
    }
    for data in tables.values() {
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    if let Some(at) = head_at {
        let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out.get_mut(at + 8..at + 12)?
            .copy_from_slice(&adjust.to_be_bytes());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cmap_written_is_read_back() {
        let table = cmap([(0x41, 3), (0x42, 4), (0x4E2D, 7), (0x1F600, 9)].into_iter());
        let sub = ttf_parser::cmap::Table::parse(&table).unwrap();
        let found = |c: u32| {
            sub.subtables
                .into_iter()
                .find_map(|s| s.glyph_index(c))
                .map(|g| g.0)
        };
        assert_eq!(found(0x41), Some(3));
        assert_eq!(found(0x42), Some(4));
        assert_eq!(found(0x4E2D), Some(7));
        assert_eq!(found(0x1F600), Some(9));
        assert_eq!(found(0x43), None);
    }
}
