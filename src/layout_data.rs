//! The issue as the layout reads it (`/issue.json`): every page with its
//! rows already placed on grid lines, and the GB/T 9704 page geometry they
//! are placed on. [`crate::compose`] fills it in, in Rust, where the grid
//! is exact and the page an article starts on is known before anything is
//! drawn (the 本期要目 needs it); [`crate::typeset`] hands it to the layout,
//! which only draws. The body is data here, never Typst source, so nothing
//! a clerk types can be evaluated.
//!
//! This module is the bottom of the pipeline's data: it imports neither the
//! composer nor the typesetter (`docs/architecture.md`).
//!
//! The schema is documented in `docs/layout-data.md`.

use serde::Serialize;

use crate::config::PdfStandard;
use crate::fonts::Role;

/// GB/T 9704 page geometry, in millimetres (docs/page-format.md).
pub mod geometry {
    pub const PAGE_WIDTH: f64 = 210.0;
    pub const PAGE_HEIGHT: f64 = 297.0;
    pub const LEFT: f64 = 28.0;
    pub const TOP: f64 = 37.0;
    pub const WIDTH: f64 = 156.0;
    pub const HEIGHT: f64 = 225.0;
    pub const LINES: usize = 22;
    /// Grid lines of a landscape page (横排): its type area is the page's
    /// turned a quarter, 156 mm down, at the body's line pitch.
    pub const LANDSCAPE_LINES: usize = (WIDTH / PITCH) as usize;
    pub const COLUMNS: usize = 28;
    /// Line pitch: 22 lines fill the type area.
    pub const PITCH: f64 = HEIGHT / LINES as f64;
    /// Character advance: 28 characters fill the type area.
    pub const CELL: f64 = WIDTH / COLUMNS as f64;
    /// 3号.
    pub const BODY_PT: f64 = 16.0;
    /// 4号, the closing block.
    pub const CLOSING_PT: f64 = 14.0;
    /// 4号 楷体, captions: smaller than the text they stand in, the
    /// smallest size GB/T 9704 sets (its 版记 and page numbers).
    pub const CAPTION_PT: f64 = 14.0;
    /// A caption's line pitch: 1.5 lines of 4号 (21 pt). A caption of
    /// several lines reads as one, not as lines of the body grid; its
    /// block still takes whole grid lines.
    pub const CAPTION_PITCH: f64 = 1.5 * CAPTION_PT * MM_PER_PT;
    /// 2号, article titles and the series line.
    pub const TITLE_PT: f64 = 22.0;
    /// 初号, the bulletin's name.
    pub const NAME_PT: f64 = 42.0;
    pub const MM_PER_PT: f64 = 25.4 / 72.0;
    /// An em of 3号 in cells: 16 pt type on a 156 mm / 28 cell.
    pub const EM: f64 = BODY_PT * MM_PER_PT / CELL;
}

#[derive(Serialize)]
pub struct LayoutData {
    pub grid: Grid,
    pub fonts: Vec<FontRole>,
    /// Families for Latin letters and digits, tried before a role's own
    /// wherever typst sets the text.
    pub latin: Vec<String>,
    /// The PDF's document title.
    pub title: String,
    pub pages: Vec<PageData>,
    /// The closing block could not share the last page of text: what
    /// would make it fit there.
    #[serde(skip)]
    pub closing_alone: Option<Alone>,
}

/// What would keep a closing block that stands alone on the text's last
/// page: so many lines less text, or a picture on that page made smaller.
#[derive(Debug, Clone, PartialEq)]
pub struct Alone {
    pub lines: usize,
    /// A picture of the text's last page (its path in the publication)
    /// and the width, in % of the type area, that saves those lines.
    pub picture: Option<(String, u32)>,
}

impl std::fmt::Display for Alone {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "正文再少 {} 行", self.lines)?;
        if let Some((path, percent)) = &self.picture {
            write!(f, "，或把图片 {path} 改小（如 {{width={percent}%}}）")?;
        }
        write!(f, "，报尾就能排在上一页的下端")
    }
}

#[derive(Serialize)]
pub struct Grid {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
    pub pitch: f64,
    pub cell: f64,
    pub lines: usize,
    pub size: f64,
}

#[derive(Serialize)]
pub struct FontRole {
    pub role: Role,
    pub families: Vec<Family>,
    pub weight: u16,
}

/// A family in a role's list: its name, or its name and a regex of the
/// characters it may set (one that maps a character to an empty glyph is
/// kept from setting it).
#[derive(Serialize, Clone, Debug)]
#[serde(untagged)]
pub enum Family {
    Name(String),
    Covers { name: String, covers: String },
}

impl Family {
    pub fn name(&self) -> &str {
        match self {
            Family::Name(n) | Family::Covers { name: n, .. } => n,
        }
    }
}

/// One page: rows on grid lines and the rules between them.
#[derive(Serialize, Default, Clone)]
pub struct PageData {
    pub rows: Vec<Placed>,
    pub rules: Vec<Rule>,
    /// A landscape page (横排, GB/T 9704—2012 §8): its rows are set across
    /// the type area turned a quarter, [`geometry::HEIGHT`] wide and
    /// [`geometry::LANDSCAPE_LINES`] lines down, their head at the page's
    /// left edge; the page number stands where every page's does.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub landscape: bool,
}

/// A row and the grid line (0–21) its top sits on: a whole line, but for
/// the closing block in its tighter setting (`compose/page.rs`).
#[derive(Serialize, Clone)]
pub struct Placed {
    #[serde(serialize_with = "grid_line")]
    pub line: f64,
    #[serde(flatten)]
    pub row: Row,
}

/// A whole grid line is written as a whole number, as it always was.
fn grid_line<S: serde::Serializer>(line: &f64, s: S) -> Result<S::Ok, S::Error> {
    if line.fract() == 0.0 && *line >= 0.0 {
        s.serialize_u64(*line as u64)
    } else {
        s.serialize_f64(*line)
    }
}

/// What stands on one or more grid lines.
#[derive(Serialize, Clone)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Row {
    /// A line of the character grid: runs of glyphs at given cells.
    Grid {
        runs: Vec<Run>,
        /// 本期要目: a dot leader from this cell to the page number.
        #[serde(skip_serializing_if = "Option::is_none")]
        leader: Option<f64>,
        /// 本期要目: the page number, right-aligned at the right edge.
        #[serde(skip_serializing_if = "Option::is_none")]
        number: Option<String>,
    },
    /// Text typst sets on its own (centred titles, the masthead, the
    /// closing block), on `lines` grid lines.
    Text { items: Vec<TextItem>, lines: usize },
    /// Pictures side by side, standing on the grid line above their
    /// captions; the captions take the last `captions` grid lines, their
    /// lines on the same baselines across the row.
    Pictures {
        items: Vec<PictureItem>,
        lines: usize,
        captions: usize,
    },
    /// The part of a table on one page (its header rows, the body rows
    /// that fit, and on the last page its notes), on `lines` whole grid
    /// lines: every glyph placed and every rule drawn as a segment.
    Table {
        lines: usize,
        texts: Vec<TableText>,
        rules: Vec<Segment>,
        /// The rows and columns the texts stand in, for a tagged PDF to
        /// read the part as a table (its header, rows and cells).
        grid: TableGrid,
    },
}

/// The rows and columns of a table's part on a page, and its cells: what
/// the layout tags as a table (typst's `table`, drawing nothing itself:
/// the glyphs and rules are placed as [`TableText`] and [`Segment`]s).
#[derive(Serialize, Clone, Debug, Default)]
pub struct TableGrid {
    /// Column widths, mm, left to right.
    pub columns: Vec<f64>,
    /// Row heights, mm, top down (the rows shown on this page).
    pub rows: Vec<f64>,
    /// The first `header` rows are the header.
    pub header: usize,
    pub cells: Vec<TableCellData>,
}

/// A cell: its first row and column, the rows and columns it spans on
/// this page, and its texts (`texts[from..to]` of the row).
#[derive(Serialize, Clone, Debug)]
pub struct TableCellData {
    pub x: usize,
    pub y: usize,
    pub colspan: usize,
    pub rowspan: usize,
    pub from: usize,
    pub to: usize,
}

impl Row {
    pub fn lines(&self) -> usize {
        match self {
            Row::Grid { .. } => 1,
            Row::Text { lines, .. } | Row::Pictures { lines, .. } | Row::Table { lines, .. } => {
                *lines
            }
        }
    }
}

/// Glyphs of a table placed by the composer, as a grid run is, at a size
/// of their own: lengths in mm from the row's top left (the type area's
/// left edge, the row's first grid line).
#[derive(Serialize, Clone, Debug)]
pub struct TableText {
    pub text: String,
    /// Left edge of the first glyph's box.
    pub x: f64,
    /// Top of the text's em box (its baseline 0.88 em below).
    pub y: f64,
    /// Type size in pt.
    pub size: f64,
    /// The role whose faces set it (`body`: cells and notes; `heading`:
    /// the header and emphasis).
    pub face: Role,
    /// Latin letters or digits: natural width in the Latin face.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub latin: bool,
    /// The text ends with a mark squeezed to half at its line's end.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub half: bool,
    /// Latin text whose letters are set further apart, in mm.
    #[serde(skip_serializing_if = "is_zero")]
    pub tracking: f64,
    /// Full-width glyphs: from one glyph's left edge to the next's, in mm
    /// (an em of `size`, or more on a stretched line). Absent for Latin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<f64>,
}

/// A straight rule of a table, from (`x1`, `y1`) to (`x2`, `y2`) along
/// its centre line, in mm from the row's top left, with square-cut ends:
/// a horizontal rule reaches half the thickness of the vertical ones it
/// meets past their centres, so corners close exactly.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Segment {
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    /// Thickness in mm.
    pub thickness: f64,
}

/// Glyphs in one face a whole cell apart (or one Latin word): typst sets
/// them as one text whose tracking makes the cell.
#[derive(Serialize, Clone, Debug)]
pub struct Run {
    pub text: String,
    /// Left edge of the first glyph's box, in cells from the line's start.
    pub x: f64,
    /// The role whose faces set it (`body`, `heading` or `subheading`).
    pub face: Role,
    /// Latin letters or digits: natural width, no tracking.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub latin: bool,
    /// The run ends with a mark squeezed to half at the line end.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub half: bool,
    /// Latin text whose letters are set further apart, in cells (a split
    /// URL filling its line).
    #[serde(skip_serializing_if = "is_zero")]
    pub tracking: f64,
    /// Full-width glyphs: from one glyph to the next, in cells (a cell,
    /// and the spread of a stretched line).
    #[serde(skip_serializing_if = "is_one")]
    pub step: f64,
}

fn is_one(x: &f64) -> bool {
    *x == 1.0
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// A piece of text on a `text` row.
#[derive(Serialize, Clone)]
pub struct TextItem {
    pub text: String,
    pub role: Role,
    /// Size in pt.
    pub size: f64,
    pub align: Align,
    /// Distance from the aligned edge, in mm (inwards).
    pub inset: f64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub red: bool,
}

/// Where a text item stands on its line.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    Left,
    Center,
    Right,
}

/// A picture and its caption.
#[derive(Serialize, Clone)]
pub struct PictureItem {
    /// Virtual path (`/images/a.jpg`), relative to the publication.
    pub path: String,
    /// Left edge, in mm from the type area's left edge.
    pub x: f64,
    pub width: f64,
    pub height: f64,
    /// The caption as typed (also the picture's alt text).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub caption: String,
    /// The caption as set: its lines, broken by meaning.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub caption_lines: Vec<String>,
    /// The caption's size in pt, and the distance between its lines in mm.
    pub caption_size: f64,
    pub caption_pitch: f64,
    /// Where the caption is centred: its left edge and width, in mm (the
    /// picture's: a caption is never wider than its picture).
    pub caption_x: f64,
    pub caption_width: f64,
}

/// A horizontal rule across the type area.
#[derive(Serialize, Clone, Debug)]
pub struct Rule {
    /// Its centre, in mm below the type area's top.
    pub at: f64,
    /// Thickness in mm.
    pub thickness: f64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub red: bool,
}

impl LayoutData {
    /// The pictures on `pages`, by their virtual paths.
    pub fn pictures(&self, pages: std::ops::Range<usize>) -> Vec<String> {
        self.pages[pages]
            .iter()
            .flat_map(|p| &p.rows)
            .flat_map(|r| match &r.row {
                Row::Pictures { items, .. } => items.iter().map(|i| i.path.clone()).collect(),
                _ => Vec::new(),
            })
            .collect()
    }
}

/// What the layout learns about the output besides the issue: the
/// `output` member of `/issue.json`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct OutputData {
    pub color_space: ColorSpace,
    /// The PDF standard being written (`"a-2b"` …), or `null`.
    pub pdf_standard: Option<&'static str>,
}

/// The colour space the layout sets its red ink in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorSpace {
    Cmyk,
    /// For PDF/A, which allows no device CMYK (and typst-pdf 0.15 embeds no
    /// CMYK profile): the layout then sets its red ink as the same colour
    /// converted to sRGB.
    Rgb,
}

impl OutputData {
    pub fn new(standard: Option<PdfStandard>) -> Self {
        Self {
            color_space: if standard.is_some_and(PdfStandard::is_archival) {
                ColorSpace::Rgb
            } else {
                ColorSpace::Cmyk
            },
            pdf_standard: standard.map(PdfStandard::name),
        }
    }
}

/// `/issue.json`: the layout data, whatever its shape, and `output`; for a
/// long issue laid out a part at a time, only that part's `pages`, the
/// first of them page `first_page`.
#[derive(Serialize)]
pub struct IssueJson<'a> {
    grid: &'a Grid,
    fonts: &'a [FontRole],
    latin: &'a [String],
    title: &'a str,
    first_page: usize,
    pages: &'a [PageData],
    output: OutputData,
}

impl<'a> IssueJson<'a> {
    pub fn new(data: &'a LayoutData, pages: std::ops::Range<usize>, output: OutputData) -> Self {
        Self {
            grid: &data.grid,
            fonts: &data.fonts,
            latin: &data.latin,
            title: &data.title,
            first_page: pages.start + 1,
            pages: &data.pages[pages],
            output,
        }
    }

    pub fn bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("layout data serialises")
    }
}
