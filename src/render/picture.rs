//! Pictures on the grid. A picture keeps its natural size (its pixels at
//! the resolution the file states, else 72 dpi, as typst reads it; an SVG
//! at 96 px to the inch), but at most the type area's width and 11 grid
//! lines high, aspect kept; `{width=50%}` or `{width=14字}` asks for a
//! width. A picture and its caption (on the grid lines under it) are one
//! row, never split by a page; pictures on consecutive lines share a row
//! when they fit side by side.
//!
//! A caption is 4号 楷体, centred under its picture and never wider than
//! it: a longer one breaks by meaning into balanced lines ([`title`]), 1.5
//! lines of 4号 apart, the first centred in the grid line under the
//! picture; the captions take whole grid lines, so the text after the row
//! is back on the grid. The captions of a row start on the same line:
//! their lines share baselines.

use std::path::Path;

use super::data::geometry::*;
use super::data::{PictureItem, Row};
use super::grid::Face;
use super::title;
use crate::fonts::Fonts;
use crate::issue::{Block, PictureWidth};

/// The tallest a picture is made by default, in grid lines.
const MAX_LINES: f64 = 11.0;
/// The tallest any picture may be, leaving its caption a line.
const PAGE_LINES: f64 = (LINES - 1) as f64;

/// Rows of pictures for consecutive picture blocks.
pub fn rows(blocks: &[Block], root: &Path, fonts: &Fonts) -> Vec<Row> {
    let pictures: Vec<PictureItem> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Picture {
                caption,
                path,
                width,
            } => Some(size(
                root,
                &path.value,
                width.as_ref().map(|w| w.value),
                caption.plain(),
            )),
            _ => None,
        })
        .collect();
    let gap = CELL;
    let mut rows = Vec::new();
    let mut row: Vec<PictureItem> = Vec::new();
    let mut used = 0.0;
    for p in pictures {
        // Pictures that fill the width between them (two at 50%) share the
        // row all the same: [`finish`] makes them a little smaller for the
        // gap.
        if !row.is_empty() && used + p.width > WIDTH + 1e-6 {
            rows.push(finish(std::mem::take(&mut row), used, fonts));
            used = 0.0;
        }
        used += if row.is_empty() { 0.0 } else { gap } + p.width;
        row.push(p);
    }
    if !row.is_empty() {
        rows.push(finish(row, used, fonts));
    }
    rows
}

/// Centres a row of pictures and gives it whole grid lines: the tallest
/// picture's, and the longest caption's.
fn finish(mut items: Vec<PictureItem>, used: f64, fonts: &Fonts) -> Row {
    let mut used = used;
    if used > WIDTH {
        let gaps = CELL * (items.len() - 1) as f64;
        let scale = (WIDTH - gaps) / (used - gaps);
        for item in &mut items {
            item.width *= scale;
            item.height *= scale;
        }
        used = WIDTH;
    }
    let mut x = (WIDTH - used) / 2.0;
    let em = CAPTION_PT * MM_PER_PT;
    for item in &mut items {
        item.x = x;
        (item.caption_x, item.caption_width) = (x, item.width);
        let caption = item.caption.trim();
        item.caption_lines = if caption.is_empty() {
            Vec::new()
        } else {
            // A hair under the picture's width, so that typst never wraps it again.
            title::break_title(caption, item.width / em - 0.01, fonts, Face::Subheading)
        };
        x += item.width + CELL;
    }
    let tallest = items.iter().map(|i| i.height).fold(0.0, f64::max);
    let picture_lines = (tallest / PITCH - 1e-6).ceil().max(1.0) as usize;
    let longest = items
        .iter()
        .map(|i| i.caption_lines.len())
        .max()
        .unwrap_or(0);
    // The first caption line centred in the grid line under the pictures,
    // the others under it at the caption's pitch, in whole grid lines.
    let captions = if longest == 0 {
        0
    } else {
        let depth = (PITCH - CAPTION_PITCH) / 2.0 + longest as f64 * CAPTION_PITCH;
        (depth / PITCH - 1e-6).ceil() as usize
    };
    Row::Pictures {
        items,
        lines: picture_lines + captions,
        captions,
    }
}

/// A picture's size on the page, in mm.
fn size(root: &Path, path: &str, asked: Option<PictureWidth>, caption: String) -> PictureItem {
    // Only a picture `check` accepts is read (inside the folder, a regular
    // file, within the limits); one that still cannot be read is typst's
    // to report. Give it a square to stand in.
    let (w, h) = crate::picture::locate(root, path)
        .ok()
        .and_then(|found| natural_size(&found.path))
        .unwrap_or((WIDTH / 2.0, WIDTH / 2.0));
    let aspect = h / w;
    let (mut width, limit) = match asked {
        Some(PictureWidth::Percent(p)) => (WIDTH * p / 100.0, PAGE_LINES),
        Some(PictureWidth::Chars(n)) => (CELL * n, PAGE_LINES),
        None => (w.min(WIDTH), MAX_LINES),
    };
    width = width.min(WIDTH);
    let mut height = width * aspect;
    if height > limit * PITCH {
        height = limit * PITCH;
        width = height / aspect;
    }
    PictureItem {
        path: format!("/{}", path.trim_start_matches("./")),
        x: 0.0,
        width,
        height,
        caption,
        caption_lines: Vec::new(),
        caption_size: CAPTION_PT,
        caption_pitch: CAPTION_PITCH,
        caption_x: 0.0,
        caption_width: 0.0,
    }
}

/// The natural size of a picture file, in mm.
pub fn natural_size(file: &Path) -> Option<(f64, f64)> {
    let is_svg = file
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if is_svg {
        let data = std::fs::read(file).ok()?;
        let tree = usvg::Tree::from_data(&data, &usvg::Options::default()).ok()?;
        let px = 25.4 / 96.0;
        let size = tree.size();
        return Some((f64::from(size.width()) * px, f64::from(size.height()) * px));
    }
    let dims = imagesize::size(file).ok()?;
    if dims.width == 0 || dims.height == 0 {
        return None;
    }
    let dpi = dpi(file).unwrap_or(72.0);
    let mm = 25.4 / dpi;
    Some((dims.width as f64 * mm, dims.height as f64 * mm))
}

/// The resolution a PNG (pHYs) or JPEG (JFIF) file states, in dots per inch.
fn dpi(file: &Path) -> Option<f64> {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(file)
        .ok()?
        .take(4096)
        .read_to_end(&mut head)
        .ok()?;
    let dpi = if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        png_dpi(&head)
    } else if head.starts_with(&[0xFF, 0xD8]) {
        jfif_dpi(&head)
    } else {
        None
    };
    dpi.filter(|d| d.is_finite() && *d >= 10.0 && *d <= 10_000.0)
}

fn png_dpi(data: &[u8]) -> Option<f64> {
    let mut at = 8;
    while at + 8 <= data.len() {
        let len = u32::from_be_bytes(data[at..at + 4].try_into().ok()?) as usize;
        let kind = &data[at + 4..at + 8];
        if kind == b"pHYs" {
            let body = data.get(at + 8..at + 17)?;
            let per_metre = u32::from_be_bytes(body[0..4].try_into().ok()?);
            // Unit 1: metres; 0: aspect only.
            return (body[8] == 1).then(|| f64::from(per_metre) * 0.0254);
        }
        if kind == b"IDAT" {
            return None;
        }
        at += 12 + len;
    }
    None
}

fn jfif_dpi(data: &[u8]) -> Option<f64> {
    let at = data.windows(5).position(|w| w == b"JFIF\0")?;
    let body = data.get(at + 5..at + 12)?;
    let x = f64::from(u16::from_be_bytes([body[3], body[4]]));
    match body[2] {
        1 => Some(x),
        2 => Some(x * 2.54),
        _ => None,
    }
}
