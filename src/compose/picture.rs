//! Pictures on the grid. A picture keeps its natural size: its pixels
//! upright (a photo's EXIF orientation applied, as typst applies it) at the
//! density its file states (EXIF, JFIF or pHYs, in typst's order) but never
//! coarser than [`MIN_PPI`] (a file that states none, or 72, gets that), so
//! that only a width asked for prints a picture coarser; an SVG at 96 px
//! to the inch. At most the
//! type area's width and 11 grid lines high, aspect kept; `{width=50%}` or
//! `{width=14字}` asks for a width. A picture and its caption (on the grid
//! line under it) are one row, never split by a page, half an em of body
//! text clear above the picture ([`CLEAR`]); pictures on consecutive lines
//! share a row, made smaller to one height when they do not fit side by
//! side (`pack`).
//!
//! A caption is 4号 楷体, centred under its picture and never wider than
//! it (a picture made smaller to stay on a page keeps the caption it had,
//! [`smaller`]): a longer one breaks by meaning into balanced lines ([`title`]), 1.5
//! lines of 4号 apart, the first centred in the grid line under the
//! picture; the captions take whole grid lines, so the text after the row
//! is back on the grid. The captions of a row start on the same line:
//! their lines share baselines.

use std::path::Path;

use super::grid::Face;
use super::title;
use crate::fonts::Fonts;
use crate::issue::{Block, PictureWidth};
use crate::layout_data::geometry::*;
use crate::layout_data::{PictureItem, Row};

/// The tallest a picture is made by default, in grid lines.
const MAX_LINES: f64 = 11.0;
/// The tallest any picture may be, leaving its caption a line.
const PAGE_LINES: f64 = (LINES - 1) as f64;

/// Rows of pictures for consecutive picture blocks.
pub fn rows(blocks: &[Block], root: &Path, fonts: &Fonts) -> Vec<Row> {
    pack(blocks, root)
        .into_iter()
        .map(|(row, used)| finish(row.into_iter().map(|s| s.item).collect(), used, fonts))
        .collect()
}

/// The pictures of consecutive picture blocks sized and put into rows, at
/// the size they print, and the width each row takes, gaps included.
/// Pictures on consecutive lines are a row of photos, as every 简报 prints
/// them: when they do not fit side by side at their sizes they are made
/// smaller to share the row, at most [`PER_ROW`] to a row.
fn pack(blocks: &[Block], root: &Path) -> Vec<(Vec<Sized>, f64)> {
    let pictures: Vec<Sized> = blocks
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
    let n = pictures.len();
    if n == 0 {
        return Vec::new();
    }
    // All on one row when they fit at their sizes (four at 20 %); else
    // rows of at most PER_ROW, as even as can be (4 → 2 + 2, 5 → 3 + 2).
    let rows = if row_width(&pictures) <= WIDTH + 1e-6 {
        1
    } else {
        n.div_ceil(PER_ROW)
    };
    let mut out = Vec::with_capacity(rows);
    let mut rest = pictures.into_iter();
    for r in 0..rows {
        let take = n / rows + usize::from(r < n % rows);
        out.push(fit(rest.by_ref().take(take).collect()));
    }
    out
}

/// The most pictures a row holds when they have to be made smaller to
/// share it: a fourth phone photo would be a thumbnail.
const PER_ROW: usize = 3;

/// The width a row of pictures takes at their sizes, gaps included.
fn row_width(row: &[Sized]) -> f64 {
    row.iter().map(|s| s.item.width).sum::<f64>() + CELL * row.len().saturating_sub(1) as f64
}

/// A row wider than the type area made to fit, gaps kept: its pictures
/// brought to one height (the tallest ones down to it, none made larger)
/// so that the row reads as one band.
fn fit(mut row: Vec<Sized>) -> (Vec<Sized>, f64) {
    let used = row_width(&row);
    if used <= WIDTH + 1e-6 {
        return (row, used);
    }
    let gaps = CELL * (row.len() - 1) as f64;
    let width_at = |cap: f64| -> f64 {
        row.iter()
            .map(|s| s.item.width * (cap / s.item.height).min(1.0))
            .sum::<f64>()
            + gaps
    };
    // The row's width grows with the common height: bisect for the one
    // that fills the type area.
    let (mut lo, mut hi) = (0.0, row.iter().map(|s| s.item.height).fold(0.0, f64::max));
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if width_at(mid) > WIDTH {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    for s in &mut row {
        let scale = (lo / s.item.height).min(1.0);
        s.item.width *= scale;
        s.item.height *= scale;
    }
    let used = row_width(&row);
    (row, used)
}

/// How many pixels per inch each raster picture of `blocks` prints at, by
/// its index in `blocks`; pictures on consecutive lines of `source` share
/// rows as the layout sets them.
pub fn resolutions(blocks: &[Block], root: &Path, source: &str) -> Vec<(usize, f64)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < blocks.len() {
        if !matches!(blocks[i], Block::Picture { .. }) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < blocks.len() && adjacent(source, &blocks[j - 1], &blocks[j]) {
            j += 1;
        }
        let printed = pack(&blocks[i..j], root)
            .into_iter()
            .flat_map(|(row, _)| row);
        out.extend(
            (i..j)
                .zip(printed)
                .filter_map(|(k, s)| s.ppi().map(|ppi| (k, ppi))),
        );
        i = j;
    }
    out
}

/// Kept clear above a picture, in mm: half an em of body text, so that
/// with the blank under a text line's characters (half the interline
/// space) half a line separates the text above from the picture, more
/// than the body's own interline space. Not at the top of a page, where
/// no text is above it (`page::at_page_top`).
pub const CLEAR: f64 = BODY_PT * MM_PER_PT / 2.0;

/// The grid lines a picture `height` mm tall takes, [`CLEAR`] above it.
fn picture_lines(height: f64) -> usize {
    ((height + CLEAR) / PITCH - 1e-6).ceil().max(1.0) as usize
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
        x += item.width + CELL;
    }
    for k in 0..items.len() {
        // A caption is as wide as its picture, or as wide as it was before
        // the picture was made smaller ([`smaller`]), centred under it. Under
        // a narrow picture alone in its row (a logo, a banner), when that
        // takes more than two lines (a column of four characters), it is set
        // wider — [`NARROW_CAPTION`], then the whole type area — at the first
        // width that takes two lines, or else the first that takes fewest.
        let lone = items.len() == 1;
        let (lo, hi) = room(&items, k);
        let item = &items[k];
        let centre = item.x + item.width / 2.0;
        let own = item.caption_width.max(item.width).min(WIDTH);
        let room = (2.0 * (centre - lo).min(hi - centre)).clamp(own, WIDTH);
        let caption = item.caption.trim().to_string();
        let (width, lines) = if caption.is_empty() {
            (own, Vec::new())
        } else {
            // A hair under the caption's width, so that typst never wraps it again.
            let set = |w: f64| (w, break_caption(&caption, w / em - 0.01, fonts));
            let mut best = set(own);
            // (In a row of pictures each caption stays under its own: the
            // captions side by side must read as apart.)
            let wider = if lone && own < NARROW_CAPTION {
                vec![NARROW_CAPTION.clamp(own, room), room]
            } else {
                vec![]
            };
            for w in wider {
                if best.1.len() <= 2 {
                    break;
                }
                let wider = set(w);
                if wider.1.len() < best.1.len() {
                    best = wider;
                }
            }
            best
        };
        let item = &mut items[k];
        item.caption_width = width;
        item.caption_x = (centre - width / 2.0).clamp(0.0, WIDTH - width);
        item.caption_lines = lines;
    }
    within_page(&mut items, fonts);
    let (picture_lines, captions) = row_lines(&items);
    Row::Pictures {
        items,
        lines: picture_lines + captions,
        captions,
    }
}

/// Ten 4号 characters: a picture narrower is narrow, and its caption may
/// be set wider than it.
const NARROW_CAPTION: f64 = 10.0 * CAPTION_PT * MM_PER_PT;

/// The room a caption of picture `k` of a placed row may take: from the
/// middle of the gap to its left neighbour (or the type area's left edge)
/// to the middle of the gap to its right neighbour (or the right edge).
fn room(items: &[PictureItem], k: usize) -> (f64, f64) {
    let lo = if k == 0 {
        0.0
    } else {
        (items[k - 1].x + items[k - 1].width + items[k].x) / 2.0
    };
    let hi = if k + 1 == items.len() {
        WIDTH
    } else {
        (items[k].x + items[k].width + items[k + 1].x) / 2.0
    };
    (lo, hi)
}

/// The grid lines a row of placed pictures takes: the tallest picture's,
/// and the longest caption's (its first line centred in the grid line
/// under the pictures, the others under it at the caption's pitch).
fn row_lines(items: &[PictureItem]) -> (usize, usize) {
    let tallest = items.iter().map(|i| i.height).fold(0.0, f64::max);
    let picture_lines = picture_lines(tallest);
    let longest = items
        .iter()
        .map(|i| i.caption_lines.len())
        .max()
        .unwrap_or(0);
    (picture_lines, caption_lines(longest))
}

/// The whole grid lines `n` lines of caption take under a picture.
fn caption_lines(n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let depth = (PITCH - CAPTION_PITCH) / 2.0 + n as f64 * CAPTION_PITCH;
    (depth / PITCH - 1e-6).ceil() as usize
}

/// The most lines a caption may have: set across the type area, it leaves
/// its picture at least [`LEAST_PICTURE_LINES`] of a page. A longer one is
/// `check`'s error ([`caption_overflow`]): no page could hold the row.
pub const LEAST_PICTURE_LINES: usize = 4;

/// Breaks a caption into lines of at most `cap` em. A caption of a few
/// lines is centred in a 梯形 or 菱形 shape like a title; a longer one is
/// a paragraph, each line as full as a break by meaning allows, since a
/// shape over many lines costs lines the page may not have.
fn break_caption(caption: &str, cap: f64, fonts: &Fonts) -> Vec<String> {
    const SHAPED_LINES: usize = 3;
    let shaped = title::break_title(caption, cap, fonts, Face::Subheading);
    if shaped.len() <= SHAPED_LINES {
        return shaped;
    }
    let filled = title::break_flush(caption, cap, cap, fonts, Face::Subheading, 1.0);
    if filled.len() < shaped.len() {
        filled
    } else {
        shaped
    }
}

/// How many lines a caption takes set across the whole type area (the
/// widest it is ever set), when that is more than a page leaves it beside
/// [`LEAST_PICTURE_LINES`] of picture: `(lines, most)`.
pub fn caption_overflow(caption: &str, fonts: &Fonts) -> Option<(usize, usize)> {
    let caption = caption.trim();
    if caption.is_empty() {
        return None;
    }
    let em = CAPTION_PT * MM_PER_PT;
    let n = break_caption(caption, WIDTH / em - 0.01, fonts).len();
    let most = (1..=n)
        .take_while(|&k| caption_lines(k) + LEAST_PICTURE_LINES <= LINES)
        .last()
        .unwrap_or(0);
    (n > most).then_some((n, most))
}

/// Keeps a row of placed pictures within a page, so that no caption runs
/// past the type area's foot: when the row is taller than a page, each
/// caption is set across the room between its neighbours' (the whole type
/// area for a picture alone), centred under its picture; then, if still
/// too tall, the pictures are made smaller to leave the captions their
/// lines. Nothing of a caption is ever cut: one too long for that is
/// refused by `check` ([`caption_overflow`]).
fn within_page(items: &mut [PictureItem], fonts: &Fonts) {
    let em = CAPTION_PT * MM_PER_PT;
    for _ in 0..4 {
        let (picture_lines, captions) = row_lines(items);
        if picture_lines + captions <= LINES {
            return;
        }
        // Captions across the room between the neighbours' pictures.
        let n = items.len();
        for k in 0..n {
            let (lo, hi) = room(items, k);
            let item = &mut items[k];
            let centre = item.x + item.width / 2.0;
            let width = (2.0 * (centre - lo).min(hi - centre)).max(item.width);
            (item.caption_x, item.caption_width) = (centre - width / 2.0, width);
            let caption = item.caption.trim();
            if !caption.is_empty() {
                item.caption_lines = break_caption(caption, width / em - 0.01, fonts);
            }
        }
        let (picture_lines, captions) = row_lines(items);
        if picture_lines + captions <= LINES || captions + 1 > LINES {
            return;
        }
        // The pictures smaller, to the lines the captions leave ([`CLEAR`]
        // above them, as [`picture_lines`] counts), the row centred again.
        let tallest = items.iter().map(|i| i.height).fold(0.0, f64::max);
        let scale = (((LINES - captions) as f64) * PITCH - CLEAR - 0.01) / tallest;
        for item in items.iter_mut() {
            item.width *= scale;
            item.height *= scale;
        }
        let used = items.iter().map(|i| i.width).sum::<f64>() + CELL * (n - 1) as f64;
        let mut x = (WIDTH - used) / 2.0;
        for item in items.iter_mut() {
            item.x = x;
            x += item.width + CELL;
        }
    }
}

/// The least a picture is made to stay beside its text when it does not
/// fit the rest of a page: 80 % of its width and height (pagination,
/// `compose/page.rs`).
pub const FLOOR: f64 = 0.8;

/// The least a picture is made when the alternative is a page left
/// short (pagination: 5 lines or more empty): half its width and
/// height. A page that ends half empty is worse than a smaller picture.
pub const LAST_FLOOR: f64 = 0.5;

/// A row of pictures made smaller, and by how much.
#[derive(Clone)]
pub struct Smaller {
    pub row: Row,
    /// The scale of its width and height, under 1.
    pub scale: f64,
}

/// The same row of pictures made smaller, one row for each grid line
/// less it can take, tallest first, down to [`LAST_FLOOR`] of its size;
/// the captions as [`finish`] sets them (a caption that wraps under the
/// smaller picture makes that row a line taller: it is kept only when it
/// still saves a line).
pub fn smaller(row: &Row, fonts: &Fonts) -> Vec<Smaller> {
    let Row::Pictures { items, .. } = row else {
        return Vec::new();
    };
    let tallest = items.iter().map(|i| i.height).fold(0.0, f64::max);
    let lines = row.lines();
    let alone = items.len() == 1;
    let mut out: Vec<Smaller> = Vec::new();
    for target in (1..picture_lines(tallest)).rev() {
        let scale = (target as f64 * PITCH - CLEAR) / tallest;
        if scale < LAST_FLOOR {
            break;
        }
        let items: Vec<PictureItem> = items
            .iter()
            .cloned()
            .map(|mut i| {
                i.width *= scale;
                i.height *= scale;
                // A picture alone keeps its caption's width (and lines): made
                // smaller to stay on a page, it does not make its caption
                // a line longer. In a row the neighbours need the room.
                if !alone {
                    i.caption_width = 0.0;
                }
                i
            })
            .collect();
        let used = items.iter().map(|i| i.width).sum::<f64>() + CELL * (items.len() - 1) as f64;
        let row = finish(items, used, fonts);
        // Each one a line shorter than the one before.
        let shortest = out.last().map_or(lines, |s| s.row.lines());
        if row.lines() < shortest {
            out.push(Smaller { row, scale });
        }
    }
    out
}

/// The least resolution a printed picture should have, in pixels per
/// inch: a picture that states no density of its own is given this one,
/// and `check` warns for one that prints coarser.
pub const MIN_PPI: f64 = 150.0;

/// A picture as it will be printed: its item for the layout and, for a
/// raster picture, how many pixels it has across (upright).
struct Sized {
    item: PictureItem,
    pixels_across: Option<u32>,
}

impl Sized {
    /// Pixels per inch at its printed width (a raster picture).
    fn ppi(&self) -> Option<f64> {
        let across = f64::from(self.pixels_across?);
        (self.item.width > 0.0).then(|| across * 25.4 / self.item.width)
    }
}

/// A picture's size on the page, in mm.
fn size(root: &Path, path: &str, asked: Option<PictureWidth>, caption: String) -> Sized {
    // Only a picture `check` accepts is read (inside the folder, a regular
    // file, within the limits); one that still cannot be read is typst's
    // to report. Give it a square to stand in.
    let natural = crate::picture::locate(root, path)
        .ok()
        .and_then(|found| natural_size(&found.path));
    let (w, h) = natural.map_or((WIDTH / 2.0, WIDTH / 2.0), |n| (n.width, n.height));
    let aspect = h / w;
    let (mut width, limit) = match asked {
        Some(PictureWidth::Percent(p)) => (WIDTH * p / 100.0, PAGE_LINES),
        Some(PictureWidth::Chars(n)) => (CELL * n, PAGE_LINES),
        None => (w.min(WIDTH), MAX_LINES),
    };
    width = width.min(WIDTH);
    let mut height = width * aspect;
    if height > limit * PITCH - CLEAR {
        height = limit * PITCH - CLEAR;
        width = height / aspect;
    }
    Sized {
        item: PictureItem {
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
        },
        pixels_across: natural.and_then(|n| n.pixels_across),
    }
}

/// A picture file's natural size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Natural {
    /// In mm, upright.
    pub width: f64,
    pub height: f64,
    /// A raster picture's pixels across, upright; `None` for an SVG.
    pub pixels_across: Option<u32>,
}

/// The natural size of a picture file: an SVG at 96 px to the inch; a
/// PNG or JPEG turned upright as its EXIF orientation says (typst draws
/// it so), at the density the file states but never below [`MIN_PPI`].
pub fn natural_size(file: &Path) -> Option<Natural> {
    let is_svg = file
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if is_svg {
        let data = std::fs::read(file).ok()?;
        let tree = usvg::Tree::from_data(&data, &crate::picture::svg_options()).ok()?;
        let px = 25.4 / 96.0;
        let size = tree.size();
        return Some(Natural {
            width: f64::from(size.width()) * px,
            height: f64::from(size.height()) * px,
            pixels_across: None,
        });
    }
    let dims = imagesize::size(file).ok()?;
    if dims.width == 0 || dims.height == 0 {
        return None;
    }
    let head = head(file)?;
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(&head))
        .ok();
    // Orientations 5 to 8 turn the picture a quarter: typst swaps its
    // width and height (typst-library, `apply_rotation`).
    let turned = exif
        .as_ref()
        .and_then(|e| e.get_field(exif::Tag::Orientation, exif::In::PRIMARY))
        .and_then(|f| f.value.get_uint(0))
        .is_some_and(|o| (5..=8).contains(&o));
    let (across, down) = if turned {
        (dims.height, dims.width)
    } else {
        (dims.width, dims.height)
    };
    // A stated density below the floor (72 and 96, which cameras and
    // screenshots write by default, mean nothing on paper) gives way to
    // it: by default no picture prints coarser than MIN_PPI.
    let dpi = exif.as_ref().and_then(exif_dpi).or_else(|| dpi(&head));
    let mm = 25.4 / dpi.map_or(MIN_PPI, |d| d.max(MIN_PPI));
    Some(Natural {
        width: across as f64 * mm,
        height: down as f64 * mm,
        pixels_across: u32::try_from(across).ok(),
    })
}

/// The first bytes of a picture: where its header, EXIF and density are.
fn head(file: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(64 * 1024);
    std::fs::File::open(file)
        .ok()?
        .take(256 * 1024)
        .read_to_end(&mut head)
        .ok()?;
    Some(head)
}

/// The density EXIF states (typst reads it before JFIF and pHYs): the
/// larger of its two resolutions, in its unit (inch unless it says cm).
fn exif_dpi(exif: &exif::Exif) -> Option<f64> {
    let axis = |tag| match &exif.get_field(tag, exif::In::PRIMARY)?.value {
        exif::Value::Rational(r) => r.first().map(|r| r.to_f64()),
        _ => None,
    };
    let per_unit = [axis(exif::Tag::XResolution), axis(exif::Tag::YResolution)]
        .into_iter()
        .flatten()
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))?;
    let unit = exif
        .get_field(exif::Tag::ResolutionUnit, exif::In::PRIMARY)
        .and_then(|f| f.value.get_uint(0));
    let dpi = if unit == Some(3) {
        per_unit * 2.54
    } else {
        per_unit
    };
    plausible(dpi)
}

/// A density a picture file could mean: not 0, nor a runaway value.
fn plausible(dpi: f64) -> Option<f64> {
    (dpi.is_finite() && (10.0..=10_000.0).contains(&dpi)).then_some(dpi)
}

/// The resolution a PNG (pHYs) or JPEG (JFIF) head states, in dots per inch.
fn dpi(head: &[u8]) -> Option<f64> {
    let dpi = if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        png_dpi(head)
    } else if head.starts_with(&[0xFF, 0xD8]) {
        jfif_dpi(head)
    } else {
        None
    };
    dpi.and_then(plausible)
}

fn png_dpi(data: &[u8]) -> Option<f64> {
    let mut at = 8;
    while at + 8 <= data.len() {
        let len = u32::from_be_bytes(data[at..at + 4].try_into().ok()?) as usize;
        let kind = &data[at + 4..at + 8];
        if kind == b"pHYs" {
            let body = data.get(at + 8..at + 17)?;
            let x = u32::from_be_bytes(body[0..4].try_into().ok()?);
            let y = u32::from_be_bytes(body[4..8].try_into().ok()?);
            // Unit 1: metres; 0: aspect only.
            return (body[8] == 1).then(|| f64::from(x.max(y)) * 0.0254);
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
    let y = f64::from(u16::from_be_bytes([body[5], body[6]]));
    match body[2] {
        1 => Some(x.max(y)),
        2 => Some(x.max(y) * 2.54),
        _ => None,
    }
}

/// Whether two blocks are pictures on consecutive lines of the file.
pub fn adjacent(source: &str, a: &Block, b: &Block) -> bool {
    match (a, b) {
        (Block::Picture { path: pa, .. }, Block::Picture { caption: cb, .. }) => source
            .get(pa.span.end..cb.span.start)
            .is_some_and(|between| between.matches('\n').count() == 1),
        _ => false,
    }
}
