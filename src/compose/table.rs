//! Tables (issue 18), composed in Rust like the rest of the body: column
//! widths from what the cells hold, every cell's text broken by the same
//! line composer as the body (`grid.rs`: kinsoku, a number never torn
//! from its unit), glyphs placed, rules drawn as segments; `page.rs`
//! then breaks the table between rows, repeating its header under 续表N.
//!
//! The measures (docs/page-format.md, "Tables"):
//!
//! - Cells at a table size, 4号 by default (GB/T 9704 sets 3号 for text
//!   and 4号 for what stands beside it, its 版记; a 3号 table holds 27
//!   characters across the type area, too few for the columns of a
//!   report). A table too wide for its columns' unbreakable content is set
//!   at 小4号, then 5号 (the smallest); past that `check` refuses it
//!   ([`too_wide`]). One that fits is set smaller still when its rows
//!   wrap far less so ([`chosen_size`]).
//! - A date or a code is one piece in a cell ([`whole_pieces`]); short
//!   columns get what they want before long text columns share the rest.
//! - A cell's text lines are two thirds of a grid line apart, and a row
//!   has a sixth of a grid line above and below its text: a row of one
//!   line is one grid line, and a table's rows fall on thirds of the grid.
//!   A table takes whole grid lines, so the text after it is on the grid.
//! - Columns as wide as their longest text on one line when the table
//!   fits the type area so; else their widest unbreakable piece plus a
//!   share of the rest (the automatic table layout of HTML and Word). The
//!   table spans the type area; widths are exact ems (not whole ones),
//!   what the columns leave over goes to the cells' side padding, half an
//!   em at least.

use std::ops::Range;

use rayon::prelude::*;

use crate::fonts::{Fonts, Part, Role};
use crate::issue::{Cell, ColumnAlign, Table, TableStyle, Text};
use crate::layout_data::geometry::{HEIGHT, LANDSCAPE_LINES, LINES, MM_PER_PT, PITCH, WIDTH};
use crate::layout_data::{Row, Run, Segment, TableCellData, TableGrid, TableText};

use super::grid::{self, Face, Shape};
use super::rows::{centred_in, gather_em, runs_of};
use super::title;

/// The sizes a table is set at, largest first: 4号, 小4号, 5号 (pt).
pub const SIZES: [f64; 3] = [14.0, 12.0, 10.5];
/// The same and 小5号 (9 pt): a landscape table too wide at 5号 even
/// with its cells tightly padded is set at 小5号 (Word's 小五, the size
/// offices set their widest statistics tables at) before it is refused.
const TIGHT_SIZES: [f64; 4] = [14.0, 12.0, 10.5, 9.0];
/// The caption and 续表N: 4号 黑体, centred, a grid line each.
pub const CAPTION_PT: f64 = 14.0;
/// A third of a grid line, in mm: the unit of a table's heights.
pub const THIRD: f64 = PITCH / 3.0;
/// A text line of a cell (and of a note) takes two thirds of a grid line.
const LINE: usize = 2;
/// The frame of a full grid and the top and bottom rules of a 三线表.
pub const THICK: f64 = 0.5;
/// Rules inside a full grid, and the 三线表's rule under the header.
pub const THIN: f64 = 0.25;
/// The least side padding of a cell, in ems, both sides together.
const PAD: f64 = 1.0;
/// The narrowest a column of text is made, in ems, when its text is
/// that long: a place name of three characters on one line (城关镇), never
/// a column one character wide that reads downwards.
const LEAST_TEXT: f64 = 3.0;
/// Body rows that stay with the caption and the header at the start of a
/// table: a caption never stands over a header alone.
const FIRST_ROWS: usize = 2;
/// A table is set a size smaller when that sets its rows on this many
/// times fewer lines (or fewer still).
const SHRINK: f64 = 1.4;
/// What a break inside a date or a code costs: more than any other break.
const IN_PIECE: f64 = 1.0e6;
/// A table is turned for its wrapping only when its body rows take
/// more than this many lines each on the page ([`chosen_area`]).
const TURN_WRAP: usize = 3;
/// Said under the part of a row that goes on on the next page.
const SPLIT_NOTE: &str = "（本行下页续）";

/// The type area a table is set in: the page's, or, for a table too wide
/// for it even at 5号, a landscape page's (横排, GB/T 9704—2012 §8): the
/// same type area turned a quarter, 225 mm across and as many grid lines
/// of the body's pitch as its 156 mm hold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    /// Across, in mm.
    pub width: f64,
    /// Grid lines down.
    pub lines: usize,
    pub landscape: bool,
    /// The least side padding of a cell, in ems, both sides together.
    pub pad: f64,
    /// The sizes a table may be set at here, largest first.
    pub sizes: &'static [f64],
    /// The distance between its grid lines, mm: the body's pitch on the
    /// page; on a landscape page, set by the table's size
    /// ([`Area::turned_for`]).
    pub pitch: f64,
}

impl Area {
    /// The smallest size a table is set at here.
    fn smallest(&self) -> f64 {
        self.sizes[self.sizes.len() - 1]
    }

    /// A landscape page's grid for a table at `size` pt: no body text
    /// shares it, so its lines are as close as the table's type allows —
    /// [`TURNED_LEADING`] times its size, whole lines filling the 156 mm
    /// down (20 at 5号 rather than the body's 15: a county's 13 towns, the
    /// caption, a two-row header and the note on one page; the new-user
    /// review) — and never closer than the body's.
    fn turned_for(self, size: f64) -> Area {
        let lines =
            ((WIDTH / (TURNED_LEADING * size * MM_PER_PT)).floor() as usize).max(LANDSCAPE_LINES);
        Area {
            lines,
            pitch: WIDTH / lines as f64,
            ..self
        }
    }

    /// A third of a grid line, mm: the unit of a table's heights.
    fn third(&self) -> f64 {
        self.pitch / 3.0
    }
}

/// A landscape table's grid line, in its type size: a cell's text lines
/// (two thirds of a grid line) 1.4 times the size apart.
const TURNED_LEADING: f64 = 2.1;

pub const PORTRAIT: Area = Area {
    width: WIDTH,
    lines: LINES,
    landscape: false,
    pad: PAD,
    sizes: &SIZES,
    pitch: PITCH,
};

pub const LANDSCAPE: Area = Area {
    width: HEIGHT,
    lines: LANDSCAPE_LINES,
    landscape: true,
    pad: PAD,
    sizes: &SIZES,
    pitch: PITCH,
};

/// A landscape page's type area for a table too wide for it with the
/// cells' usual padding: a quarter em a side (1 mm at 5号), the least a
/// statistics table's figures keep from their rules, before `check`
/// refuses it (the new-user review: 乡镇 + 1—12月 + 合计 + 同比 of
/// five-digit figures).
pub const LANDSCAPE_TIGHT: Area = Area {
    pad: TIGHT_PAD,
    sizes: &TIGHT_SIZES,
    ..LANDSCAPE
};

/// The least side padding of a tightly set table, both sides, in ems.
const TIGHT_PAD: f64 = 0.5;

/// How a cell's lines stand in its width.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Placing {
    Left,
    Center,
    Right,
    /// Right, the decimal points of the column under each other: this
    /// many ems are kept right of the cell's number (the widest fraction
    /// of the column less its own).
    Decimal(f64),
}

/// A line of a cell as set: its runs (in ems from the line's left edge)
/// and where the line starts in the cell's width, in ems.
#[derive(Debug, Clone)]
struct SetLine {
    runs: Vec<Run>,
    dx: f64,
}

/// A cell of the table as drawn: its place in rows and columns, and its
/// lines.
#[derive(Debug, Clone)]
struct SetCell {
    row: usize,
    rows: usize,
    col: usize,
    cols: usize,
    lines: Vec<SetLine>,
}

/// A row as drawn: its height in thirds of a grid line.
#[derive(Debug, Clone, Copy)]
struct SetRow {
    thirds: usize,
}

/// Body rows that a page never parts: rows joined by a cell spanning
/// them, or one part of a row taller than a page.
#[derive(Debug, Clone)]
struct Band {
    rows: Range<usize>,
    thirds: usize,
    /// The row goes on in the next band (a row taller than a page).
    continues: bool,
}

/// A table composed, ready to be broken into pages.
pub struct Composed {
    /// The caption's lines, centred (none without a caption).
    pub caption: Vec<Row>,
    /// 续表N, over the table on every page it continues on.
    pub continued: Vec<Row>,
    /// The type area it is set in: the page's, or a landscape page's.
    pub area: Area,
    /// Rows set above its caption on its first page, on their grid lines,
    /// and the lines they take: an attachment's head (附件N, its title)
    /// when the attachment is a landscape table (`body.rs`).
    pub head: Vec<crate::layout_data::Placed>,
    pub head_lines: usize,
    size: f64,
    note_size: f64,
    style: TableStyle,
    /// The left edge of each column and the right edge of the last, mm.
    edges: Vec<f64>,
    /// Each column's padding on either side, mm.
    pad: f64,
    rows: Vec<SetRow>,
    cells: Vec<SetCell>,
    /// `at[row][col]`: the cell drawn there.
    at: Vec<Vec<usize>>,
    header: usize,
    /// The header is repeated on every page (not when it alone would take
    /// half a page).
    repeat: bool,
    bands: Vec<Band>,
    notes: Vec<Vec<Run>>,
}

/// A table whose columns do not fit the type area even at 5号.
#[derive(Debug, Clone, PartialEq)]
pub struct TooWide {
    /// The column with the widest unbreakable text (0-based).
    pub column: usize,
    /// Its header text.
    pub head: String,
    /// Its widest unbreakable text.
    pub widest: String,
    /// What the columns need and what the type area holds, mm at 5号.
    pub needs: f64,
    pub room: f64,
    /// The table's columns.
    pub columns: usize,
    /// What the widest column needs alone, mm at 5号 (its padding in).
    pub column_needs: f64,
    /// The widest column alone is the cause: as wide as the others'
    /// middle one, the table would fit. Else there are too many columns.
    pub alone: bool,
    /// The columns the type area holds at 5号 as wide as the middle one
    /// of this table's.
    pub most_columns: usize,
}

/// The text of a table's caption number: `表3` gives `3`, `表2-1` gives
/// `2-1`, `表一` gives `一` (the caption forms the parser reads); `None`
/// when the caption does not start with 表 and a number.
pub fn caption_number(caption: &str) -> Option<&str> {
    const NUMERALS: &str = "0123456789０１２３４５６７８９〇零一二两三四五六七八九十百";
    let rest = caption
        .trim_start()
        .strip_prefix('表')?
        .trim_start_matches([' ', '\u{3000}', '\u{a0}']);
    let end = rest
        .char_indices()
        .find(|&(_, c)| !(NUMERALS.contains(c) || matches!(c, '-' | '－' | '.' | '．')))
        .map_or(rest.len(), |(i, _)| i);
    let number = rest[..end].trim_end_matches(['-', '－', '.', '．']);
    number
        .starts_with(|c| NUMERALS.contains(c))
        .then_some(number)
}

/// What a column must be, in ems: at least its widest unbreakable piece;
/// for its body cells each on one line (and its header on at most about
/// two), `body`; for every cell on one line, `most`.
#[derive(Debug, Clone, Copy, Default)]
struct Need {
    least: f64,
    body: f64,
    most: f64,
}

/// The cells of a table as regions: the owner of every place (a joined
/// place belongs to the cell its join points to), regions that are not
/// rectangles, or that cross from the header into the body, undone.
struct Regions {
    cells: Vec<Region>,
    ncols: usize,
}

/// A cell as typed: its first row and column, the rows and columns it
/// spans, and its text (none for a join left over or a missing cell).
struct Region {
    row: usize,
    col: usize,
    rows: usize,
    cols: usize,
    text: Option<Text>,
}

/// A cell's text as the composer sees it: its runs, and its width on one
/// line and its widest unbreakable piece, in ems.
struct Extent {
    runs: Vec<(String, Face)>,
    whole: f64,
    piece: f64,
}

fn regions(table: &Table, header: usize) -> Regions {
    let nrows = table.rows.len();
    let ncols = table.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    // owner[r][c]: the place of the cell that holds (r, c).
    let mut owner = vec![vec![(0, 0); ncols]; nrows];
    for r in 0..nrows {
        for c in 0..ncols {
            owner[r][c] = match table.rows[r].cells.get(c) {
                Some(Cell::JoinLeft(_)) if c > 0 => owner[r][c - 1],
                Some(Cell::JoinUp(_)) if r > 0 => owner[r - 1][c],
                _ => (r, c),
            };
        }
    }
    // Each region's bounding box; one that is not filled by its owner
    // alone (an L shape) or that crosses the header's foot is undone:
    // each of its places a cell of its own.
    let mut boxes: std::collections::BTreeMap<(usize, usize), (usize, usize, usize, usize)> =
        std::collections::BTreeMap::new();
    for (r, row) in owner.iter().enumerate() {
        for (c, &o) in row.iter().enumerate() {
            let b = boxes.entry(o).or_insert((r, c, r, c));
            *b = (b.0.min(r), b.1.min(c), b.2.max(r), b.3.max(c));
        }
    }
    for (&o, &(r0, c0, r1, c1)) in &boxes {
        let filled = (r0..=r1).all(|r| (c0..=c1).all(|c| owner[r][c] == o));
        let crosses = r0 < header && r1 >= header;
        if !filled || crosses || (r0, c0) != o {
            for (r, row) in owner.iter_mut().enumerate() {
                for (c, place) in row.iter_mut().enumerate() {
                    if *place == o {
                        *place = (r, c);
                    }
                }
            }
        }
    }
    let mut cells = Vec::new();
    for r in 0..nrows {
        for c in 0..ncols {
            if owner[r][c] != (r, c) {
                continue;
            }
            let cols = (c..ncols).take_while(|&k| owner[r][k] == (r, c)).count();
            let rows = (r..nrows).take_while(|&k| owner[k][c] == (r, c)).count();
            let text = match table.rows[r].cells.get(c) {
                Some(Cell::Text(t)) => Some(t.clone()),
                _ => None,
            };
            cells.push(Region {
                row: r,
                col: c,
                rows,
                cols,
                text,
            });
        }
    }
    Regions { cells, ncols }
}

/// A figure as statistical tables print them: a sign, digits with their
/// group separators, a decimal part, a percent or per-mille sign.
pub(crate) fn is_number(s: &str) -> bool {
    let s = s.trim();
    let s = s.trim_start_matches(['+', '-', '−', '±', '¥', '$']);
    let s = s.trim_end_matches(['%', '‰', '％']);
    let mut digits = 0;
    let mut point = false;
    for c in s.chars() {
        match c {
            '0'..='9' => digits += 1,
            '.' if !point => point = true,
            ',' | ' ' if !point => {}
            _ => return false,
        }
    }
    digits > 0
}

/// The pieces of a cell's text no line breaks inside, as counted
/// characters (spaces not counted, as the composer counts them): a date
/// (`2026-01-26`, `2026.01.26`, `2026/1/26`), a code (`91410100MA46…`,
/// `GB/T`), a phone number (`0371-6688…`): a run of Latin letters and
/// digits with `-./:_` inside it, holding a digit, is read whole in a
/// table. In a paragraph such a code may break after its hyphen; in a
/// cell `2026-0` / `1-26` reads as two numbers.
fn whole_pieces(text: &str) -> Vec<(Range<usize>, String)> {
    let counted = |c: char| !(c.is_whitespace() && c != '\u{3000}');
    let word = |c: char| c.is_ascii_alphanumeric();
    let inner = |c: char| matches!(c, '-' | '.' | '/' | ':' | '_');
    let chars: Vec<char> = text.chars().filter(|&c| counted(c)).collect();
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        if !word(chars[k]) {
            k += 1;
            continue;
        }
        let start = k;
        let mut end = k + 1;
        while end < chars.len()
            && (word(chars[end])
                || (inner(chars[end]) && end + 1 < chars.len() && word(chars[end + 1])))
        {
            end += 1;
        }
        let piece: String = chars[start..end].iter().collect();
        if end - start > 1 && piece.chars().any(|c| c.is_ascii_digit()) {
            out.push((start..end, piece));
        }
        k = end;
    }
    out
}

/// A cell that stands in a column of figures as one: a figure with a
/// word or mark about it (约120, (12.3), 3-5, 10～15%, 1.2万, 12.0*), or a
/// short word in a figure's place (N/A, 不适用, 未统计).
fn figure_like(s: &str) -> bool {
    let s = s.trim();
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let others = s
        .chars()
        .filter(|c| !c.is_ascii_digit() && !c.is_ascii_punctuation())
        .count();
    (digits > 0 && others <= 2) || s.chars().count() <= 3
}

/// What a statistical table writes in a figure's place: none, not
/// applicable.
fn is_placeholder(s: &str) -> bool {
    matches!(
        s.trim(),
        "" | "—" | "-" | "－" | "——" | "/" | "…" | "……" | "×"
    )
}

/// The width of a figure's part from its decimal point on, in ems: its
/// fraction and its percent sign, or the percent sign alone (`100%`
/// stands with its point where `96.5%` has it); 0 for a whole number.
fn fraction_width(s: &str, fonts: &Fonts) -> f64 {
    let s = s.trim();
    s.find(['.', '%', '‰', '％'])
        .map_or(0.0, |i| grid::width(&s[i..], fonts, Face::Body))
}

/// The columns' widths in ems for the content `room` ems hold, exact (a
/// column of `12月` needs 2.25 ems, not 3: whole ems would refuse a
/// 13-column month table that fits at 5号): every text on one line when
/// that fits; else the body cells on one line (a header may wrap: 发现隐患
/// / （处） reads well, a name torn in a cell does not), the rest shared
/// among the headers; else each column its unbreakable pieces and a
/// share of the rest, as the body needs it.
fn widths(needs: &[Need], room: f64) -> Vec<f64> {
    let least: Vec<f64> = needs.iter().map(|n| n.least.max(1.0)).collect();
    let body: Vec<f64> = needs
        .iter()
        .zip(&least)
        .map(|(n, &l)| n.body.max(l))
        .collect();
    let most: Vec<f64> = needs
        .iter()
        .zip(&body)
        .map(|(n, &b)| n.most.max(b))
        .collect();
    let room = room.max(0.0);
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    // `base` and `extra` ems given as the columns want them, the least
    // wants first (max-min fair shares): a short column gets all it
    // wants (its date, its 小微企业 on one line) before a long text
    // column takes the rest.
    let fill = |base: &[f64], extra: f64, want: &[f64]| {
        let mut out = base.to_vec();
        let mut order: Vec<usize> = (0..base.len()).filter(|&k| want[k] > 1e-9).collect();
        order.sort_by(|&a, &b| want[a].total_cmp(&want[b]).then(a.cmp(&b)));
        let mut left = extra;
        for (i, &k) in order.iter().enumerate() {
            let fair = left / (order.len() - i) as f64;
            let g = want[k].min(fair);
            out[k] += g;
            left -= g;
        }
        out
    };
    let gap = |to: &[f64], from: &[f64]| -> Vec<f64> {
        to.iter().zip(from).map(|(t, f)| (t - f).max(0.0)).collect()
    };
    if sum(&most) <= room + 1e-9 {
        // Everything on one line: the table still spans the type area,
        // the rest shared as the texts are long.
        let total = sum(&most);
        let extra = room - total;
        most.iter().map(|&w| w + extra * w / total).collect()
    } else if sum(&body) <= room + 1e-9 {
        let want = gap(&most, &body);
        fill(&body, room - sum(&body), &want)
    } else if sum(&least) <= room + 1e-9 {
        let want = gap(&body, &least);
        fill(&least, room - sum(&least), &want)
    } else {
        // Too wide even so (check refuses it): the columns in proportion,
        // the composer breaking what it must.
        let total = sum(&least);
        least.iter().map(|&l| (l * room / total).max(1.0)).collect()
    }
}

/// The columns' needs of a table at any size (ems are ems), and the
/// numeric columns' widest fraction.
struct Measured {
    regions: Regions,
    /// Per cell, as in `regions.cells`.
    runs: Vec<Extent>,
    placing: Vec<Placing>,
    needs: Vec<Need>,
}

fn measure(table: &Table, header: usize, fonts: &Fonts) -> Measured {
    let regions = regions(table, header);
    let ncols = regions.ncols;
    let runs: Vec<Extent> = regions
        .cells
        .par_iter()
        .map(|cell| {
            let part = if cell.row < header {
                Part::TableHead
            } else {
                Part::TableCell
            };
            let runs = cell
                .text
                .as_ref()
                .map(|t| runs_of(t, part))
                .unwrap_or_default();
            let (whole, piece) = grid::extent(&runs, 1.0, fonts);
            // A date or a code is one piece in a cell (never 2026-0 / 1-26).
            let text: String = runs.iter().map(|r| r.0.as_str()).collect();
            let face = runs.first().map_or(Face::Body, |r| r.1);
            let piece = whole_pieces(&text)
                .iter()
                .map(|(_, p)| grid::width(p, fonts, face))
                .fold(piece, f64::max)
                .min(whole);
            Extent { runs, whole, piece }
        })
        .collect();
    let plain = |k: usize| {
        regions.cells[k]
            .text
            .as_ref()
            .map(Text::plain)
            .unwrap_or_default()
    };
    // A column is numeric when its body cells are mostly figures and the
    // rest annotated figures (约120, (12.3), 3-5, 10～15%, 1.2万) or short
    // words in a figure's place (N/A, 不适用), placeholders (—) aside:
    // right-aligned, decimal points under each other where the cells
    // have them. One annotated value does not turn it to text.
    let mut counts = vec![(0usize, 0usize, false); ncols];
    for (k, cell) in regions.cells.iter().enumerate() {
        let (r, c, cols) = (cell.row, cell.col, cell.cols);
        if r < header || cols != 1 {
            continue;
        }
        let s = plain(k);
        if is_placeholder(&s) {
            continue;
        }
        let n = &mut counts[c];
        if is_number(&s) {
            n.0 += 1;
        } else {
            n.1 += 1;
            n.2 |= !figure_like(&s);
        }
    }
    let numeric: Vec<Option<bool>> = counts
        .iter()
        .map(|&(figures, others, text)| (figures + others > 0).then_some(!text && figures > others))
        .collect();
    let has_digit = |k: usize| plain(k).chars().any(|c| c.is_ascii_digit());
    let mut fraction = vec![0.0_f64; ncols];
    let mut integer = vec![0.0_f64; ncols];
    for (k, cell) in regions.cells.iter().enumerate() {
        let (r, c, cols) = (cell.row, cell.col, cell.cols);
        if r >= header && cols == 1 && numeric[c] == Some(true) && has_digit(k) {
            let f = fraction_width(&plain(k), fonts);
            fraction[c] = fraction[c].max(f);
            integer[c] = integer[c].max(runs[k].whole - f);
        }
    }
    let align = |c: usize| table.align.get(c).copied().unwrap_or(ColumnAlign::Auto);
    let placing: Vec<Placing> = regions
        .cells
        .iter()
        .enumerate()
        .map(
            |(
                k,
                &Region {
                    row: r,
                    col: c,
                    cols,
                    ..
                },
            )| {
                let decimal = || {
                    if cols == 1 && numeric[c] == Some(true) && has_digit(k) {
                        Placing::Decimal((fraction[c] - fraction_width(&plain(k), fonts)).max(0.0))
                    } else {
                        Placing::Right
                    }
                };
                // The header is centred whatever the column's alignment
                // (a group head over its columns): `:---` and `---:`
                // place the body cells.
                match (align(c), r < header) {
                    (_, true) => Placing::Center,
                    (ColumnAlign::Left, false) => Placing::Left,
                    (ColumnAlign::Center, false) => Placing::Center,
                    (ColumnAlign::Right, false) => decimal(),
                    (ColumnAlign::Auto, false) if numeric[c] == Some(true) => decimal(),
                    (ColumnAlign::Auto, false) => Placing::Left,
                }
            },
        )
        .collect();
    let mut needs = vec![Need::default(); ncols];
    for (k, cell) in regions.cells.iter().enumerate() {
        let (r, c, cols) = (cell.row, cell.col, cell.cols);
        if cols == 1 {
            let (whole, piece) = (runs[k].whole, runs[k].piece);
            let n = &mut needs[c];
            n.least = n.least.max(piece.max(whole.min(LEAST_TEXT)));
            n.most = n.most.max(whole);
            // A header on about two lines; a body cell on one.
            n.body = n.body.max(if r < header {
                (whole / 2.0).ceil()
            } else {
                whole
            });
        }
    }
    for c in 0..ncols {
        if numeric[c] == Some(true) {
            let aligned = integer[c] + fraction[c];
            let n = &mut needs[c];
            n.least = n.least.max(aligned);
            n.body = n.body.max(aligned);
            n.most = n.most.max(aligned);
        }
    }
    // A header less than an em wider than its column's body is kept on
    // one line: 完成时限 over 6月20日 is not broken for an eighth of an em.
    for (k, cell) in regions.cells.iter().enumerate() {
        if cell.row < header && cell.cols == 1 {
            let n = &mut needs[cell.col];
            if runs[k].whole < n.body + 1.0 {
                n.body = n.body.max(runs[k].whole);
            }
        }
    }
    // A cell over several columns: what it needs beyond theirs (and the
    // padding between them) is shared among them.
    for (k, cell) in regions.cells.iter().enumerate() {
        let (r, c, cols) = (cell.row, cell.col, cell.cols);
        if cols > 1 {
            let span = c..c + cols;
            let between = PAD * (cols - 1) as f64;
            let over = |f: fn(&Need) -> f64, want: f64| {
                let have = needs[span.clone()].iter().map(f).sum::<f64>() + between;
                (want - have).max(0.0) / cols as f64
            };
            let (whole, piece) = (runs[k].whole, runs[k].piece);
            let body = if r < header {
                (whole / 2.0).ceil()
            } else {
                whole
            };
            let more = (
                over(|n| n.least, piece.max(whole.min(LEAST_TEXT))),
                over(|n| n.body, body),
                over(|n| n.most, whole),
            );
            for n in &mut needs[span] {
                n.least += more.0;
                n.body = (n.body + more.1).max(n.least);
                n.most = (n.most + more.2).max(n.body);
            }
        }
    }
    Measured {
        regions,
        runs,
        placing,
        needs,
    }
}

/// The ems of content a table at `size` pt holds across the type area,
/// with `ncols` columns' least padding.
fn room(size: f64, ncols: usize, area: Area) -> f64 {
    area.width / (size * MM_PER_PT) - area.pad * ncols as f64
}

/// The size a table is set at: the largest of [`SIZES`] at which its
/// columns' unbreakable texts fit the type area; `None` when none does.
fn fitting_size(needs: &[Need], area: Area) -> Option<f64> {
    let least: f64 = needs.iter().map(|n| n.least.max(1.0)).sum();
    area.sizes
        .iter()
        .copied()
        .find(|&s| least <= room(s, needs.len(), area) + 1e-9)
}

/// How badly a table's rows wrap at `size` pt: each row as many lines
/// as its cell with the most (its text on one line over its width, in
/// whole lines), and a row past two lines the square of its lines past
/// two more: a name on six lines in a column of figures reads worse
/// than three rows of two, and one row on two lines is no reason to set
/// a table smaller.
fn rows_lines(m: &Measured, size: f64, area: Area) -> usize {
    rows_lines_from(m, size, area, 0)
}

/// The same for the rows from `from` on (the body: `from` the header's
/// rows).
fn rows_lines_from(m: &Measured, size: f64, area: Area, from: usize) -> usize {
    let ncols = m.regions.ncols;
    let width = widths(&m.needs, room(size, ncols, area));
    let mut rows: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    for (k, cell) in m.regions.cells.iter().enumerate() {
        let w: f64 = width[cell.col..cell.col + cell.cols].iter().sum::<f64>()
            + PAD * (cell.cols - 1) as f64;
        let lines = if m.runs[k].whole <= w + 1e-6 {
            1
        } else {
            (m.runs[k].whole / w.floor().max(1.0)).ceil() as usize
        };
        let per = lines.div_ceil(cell.rows.max(1));
        if cell.row < from {
            continue;
        }
        let r = rows.entry(cell.row).or_insert(1);
        *r = (*r).max(per);
    }
    rows.values().map(|&l| l + l.saturating_sub(2).pow(2)).sum()
}

/// The size a table is set at: the largest of [`SIZES`] at which its
/// columns fit ([`fitting_size`]), unless a smaller one sets its rows on
/// far fewer lines: a list of long names at 4号 wraps every name onto
/// three lines or more where 5号 keeps them on one (user-tables review
/// 2: 160 rows on 16 pages). A smaller size is taken when the larger
/// wraps more than [`SHRINK`] times as badly ([`rows_lines`]).
fn chosen_size(m: &Measured, area: Area) -> Option<f64> {
    let first = fitting_size(&m.needs, area)?;
    let sizes: Vec<(f64, usize)> = area
        .sizes
        .iter()
        .copied()
        .filter(|&s| s <= first)
        .map(|s| (s, rows_lines(m, s, area)))
        .collect();
    let fewest = sizes.iter().map(|s| s.1).min()?;
    sizes
        .iter()
        .find(|s| s.1 as f64 <= SHRINK * fewest as f64)
        .map(|s| s.0)
}

/// The part of a table that a page cannot hold, whatever the breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TallPart {
    Caption,
    Header,
    Notes,
}

/// A table some page of which would run off the page: its caption, its
/// header or its notes (each kept whole on a page) take more lines than
/// a page holds with what must stand beside them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooTall {
    pub part: TallPart,
    /// The grid lines that part takes, and the lines of the page.
    pub lines: usize,
    pub page: usize,
}

/// `check`'s error: a part of the table a page cannot hold (the attack
/// review: 25 notes, a header cell of 1,500 characters, a caption of
/// 1,000 ran off the page and were lost).
pub fn too_tall(table: &Table, fonts: &Fonts) -> Option<TooTall> {
    let c = compose(table, TableStyle::Grid, fonts);
    let page = c.area.lines;
    let n = c.bands();
    let first = c.piece_lines(0..n.min(1), true);
    let last = if n > 1 {
        c.piece_lines(n - 1..n, false)
    } else {
        0
    };
    if first <= page && last <= page {
        return None;
    }
    let caption = c.caption.len();
    let header = c.header_thirds().div_ceil(3);
    let notes = c.notes_thirds().div_ceil(3);
    let part = if caption * 2 > page {
        (TallPart::Caption, caption)
    } else if notes * 2 > page || (first <= page && last > page) {
        (TallPart::Notes, notes)
    } else {
        (TallPart::Header, header)
    };
    Some(TooTall {
        part: part.0,
        lines: part.1,
        page,
    })
}

/// `check`'s error: the table's columns do not fit even a landscape
/// page's type area at 5号, the smallest size; which column is widest.
pub fn too_wide(table: &Table, fonts: &Fonts) -> Option<TooWide> {
    let header = table.header_rows.min(table.rows.len());
    let m = measure(table, header, fonts);
    overflow(&m, header, LANDSCAPE_TIGHT)
}

fn overflow(m: &Measured, header: usize, area: Area) -> Option<TooWide> {
    if m.needs.is_empty() || fitting_size(&m.needs, area).is_some() {
        return None;
    }
    let width = area.width;
    let smallest = area.smallest();
    let em = smallest * MM_PER_PT;
    // The first of the widest, as a reader counts from the left.
    let column = (0..m.needs.len()).fold(0, |best, c| {
        if m.needs[c].least > m.needs[best].least + 1e-9 {
            c
        } else {
            best
        }
    });
    // The cell of that column with the widest unbreakable piece.
    let widest = m
        .regions
        .cells
        .iter()
        .enumerate()
        .filter(|(_, c)| c.col == column && c.cols == 1)
        .max_by(|a, b| m.runs[a.0].piece.total_cmp(&m.runs[b.0].piece))
        .and_then(|(_, c)| c.text.as_ref().map(Text::plain))
        .unwrap_or_default();
    let head = m
        .regions
        .cells
        .iter()
        .filter(|c| c.row < header.max(1) && c.col <= column && column < c.col + c.cols)
        .filter_map(|c| c.text.as_ref().map(Text::plain))
        .collect::<Vec<_>>()
        .join("/");
    let each: Vec<f64> = m
        .needs
        .iter()
        .map(|n| (n.least.max(1.0) + area.pad) * em)
        .collect();
    let needs: f64 = each.iter().sum();
    // The middle column's width, the widest left out.
    let mut others: Vec<f64> = (0..each.len())
        .filter(|&c| c != column)
        .map(|c| each[c])
        .collect();
    others.sort_by(f64::total_cmp);
    let middle = others
        .get(others.len() / 2)
        .copied()
        .unwrap_or(each[column]);
    let alone = needs - each[column] + middle <= width + 1e-9;
    Some(TooWide {
        column,
        head,
        widest,
        needs,
        room: width,
        columns: each.len(),
        column_needs: each[column],
        alone,
        most_columns: (width / middle.max(1e-9)).floor() as usize,
    })
}

/// The type area and size a table is set at: on the page when it fits
/// there at 5号 — unless its rows wrap far worse there than on a landscape
/// page, a page's height for a page's height ([`SHRINK`] times: an
/// eight-column list with an 18-character code column, its names three
/// characters a line and five lines a row, the proof-read of the merged
/// build); else on a landscape page, with the cells' usual padding or
/// else tighter ([`LANDSCAPE_TIGHT`]); refused by `check` past that
/// ([`too_wide`]), set at 5号 all the same.
fn chosen_area(m: &Measured, header: usize) -> (Area, f64) {
    let turned = [LANDSCAPE, LANDSCAPE_TIGHT]
        .into_iter()
        .find_map(|a| chosen_size(m, a).map(|s| (a, s)));
    match (chosen_size(m, PORTRAIT), turned) {
        (Some(p), Some((a, l))) => {
            // The body rows only: a header on two or three lines is
            // no reason to turn a table.
            let per_page = |size: f64, area: Area| {
                rows_lines_from(m, size, area, header) as f64 / area.lines as f64
            };
            // And only a table whose body rows take more than three lines
            // each on the page, as `rows_lines` counts them (a row of
            // four lines counts eight): rows of two or three lines are a
            // table's ordinary lot.
            let body_rows = m
                .regions
                .cells
                .iter()
                .map(|c| c.row + c.rows)
                .max()
                .unwrap_or(0)
                .saturating_sub(header);
            let wraps = rows_lines_from(m, p, PORTRAIT, header) > TURN_WRAP * body_rows;
            if wraps && per_page(p, PORTRAIT) > SHRINK * per_page(l, a) {
                (a, l)
            } else {
                (PORTRAIT, p)
            }
        }
        (Some(p), None) => (PORTRAIT, p),
        (None, Some(turned)) => turned,
        (None, None) => (LANDSCAPE_TIGHT, LANDSCAPE_TIGHT.smallest()),
    }
}

/// Composes a table: its size, columns, cells, rows and the bands a page
/// break may come between. `style` is the rules it is drawn with.
pub fn compose(table: &Table, style: TableStyle, fonts: &Fonts) -> Composed {
    compose_under(table, style, fonts, 0)
}

/// The same for a table whose first landscape page, if it is set on
/// one, has `head_lines` body grid lines above it (an attachment's head).
pub fn compose_under(
    table: &Table,
    style: TableStyle,
    fonts: &Fonts,
    head_lines: usize,
) -> Composed {
    let header = table.header_rows.min(table.rows.len());
    let m = measure(table, header, fonts);
    let (area, size) = chosen_area(&m, header);
    if !area.landscape {
        return compose_at(table, style, fonts, &m, area, size);
    }
    let turned = |size: f64| {
        let mut c = compose_at(table, style, fonts, &m, area.turned_for(size), size);
        c.head_lines = head_lines;
        c
    };
    let first = turned(size);
    // A landscape table that a size smaller sets on fewer pages (a
    // county's 14 towns at 小4号 leave two rows on a page of their own; at
    // 5号 they fit one) is set a size smaller: its pages are its own, and
    // a page of two rows is a sheet wasted (the second proof-read). Only
    // for tables of a few pages: a long one gains a page in many.
    if first.bands() > TURNED_RETRY_ROWS {
        return first;
    }
    let mut best = first;
    let mut pages = best.turned_pages();
    for &smaller in area.sizes.iter().filter(|&&s| s < size - 1e-9) {
        let other = turned(smaller);
        let n = other.turned_pages();
        if n < pages {
            best = other;
            pages = n;
        }
    }
    best
}

/// Landscape tables of more rows than this are not set smaller to save
/// a page ([`compose`]).
const TURNED_RETRY_ROWS: usize = 60;

/// A table composed in `area` at `size` pt.
fn compose_at(
    table: &Table,
    style: TableStyle,
    fonts: &Fonts,
    m: &Measured,
    area: Area,
    size: f64,
) -> Composed {
    let header = table.header_rows.min(table.rows.len());
    let ncols = m.regions.ncols;
    let across = area.width;
    let note_size = SIZES
        .iter()
        .copied()
        .find(|&s| s < size - 1e-9)
        .unwrap_or(size);
    let em = size * MM_PER_PT;
    let width = relieve_lone(m, widths(&m.needs, room(size, ncols, area)), fonts);
    // What the columns leave over pads the cells, evenly.
    let total_ems = across / em;
    let pad_ems = if ncols == 0 {
        0.0
    } else {
        (total_ems - width.iter().sum::<f64>()) / ncols as f64
    };
    let mut edges = Vec::with_capacity(ncols + 1);
    let mut x = 0.0;
    edges.push(0.0);
    for w in &width {
        x += (w + pad_ems) * em;
        edges.push(x);
    }
    if let Some(last) = edges.last_mut() {
        *last = across;
    }
    // Every cell's lines, broken by the body's composer at its width.
    let cells: Vec<SetCell> = m
        .regions
        .cells
        .par_iter()
        .enumerate()
        .map(|(k, cell)| {
            let (row, col, rows, cols) = (cell.row, cell.col, cell.rows, cell.cols);
            let content = width[col..col + cols].iter().sum::<f64>() + pad_ems * (cols - 1) as f64;
            let lines = cell_lines(m, k, content, fonts)
                .into_iter()
                .map(|line| {
                    let dx = match m.placing[k] {
                        Placing::Left => 0.0,
                        Placing::Center => (content - line.width) / 2.0,
                        Placing::Right => content - line.width,
                        Placing::Decimal(keep) => content - line.width - keep,
                    }
                    .max(0.0);
                    SetLine {
                        runs: gather_em(&line.glyphs, fonts, 1.0),
                        dx,
                    }
                })
                .collect();
            SetCell {
                row,
                rows,
                col,
                cols,
                lines,
            }
        })
        .collect();
    let continued_text = match table.caption.as_ref().map(Text::plain) {
        Some(c) => match caption_number(&c) {
            Some(n) => format!("续表{n}"),
            None => "续表".to_string(),
        },
        None => "续表".to_string(),
    };
    let caption = table
        .caption
        .as_ref()
        .map(|c| {
            centred_in(
                &spaced_caption(&c.plain()),
                Role::Heading,
                CAPTION_PT,
                across,
                fonts,
            )
        })
        .unwrap_or_default();
    let continued = centred_in(&continued_text, Role::Heading, CAPTION_PT, across, fonts);
    // The notes, at a size under the cells', across the table.
    let note_em = note_size * MM_PER_PT;
    let note_shape = Shape {
        cells: (across / note_em).floor() as usize,
        first_indent: 0,
        rest_indent: 0,
        em: 1.0,
    };
    let notes: Vec<Vec<Run>> = table
        .notes
        .iter()
        .flat_map(|n| grid::break_lines(&runs_of(n, Part::TableNote), note_shape, fonts))
        .map(|line| gather_em(&line.glyphs, fonts, 1.0))
        .collect();
    let mut composed = Composed {
        caption,
        continued,
        area,
        head: Vec::new(),
        head_lines: 0,
        size,
        note_size,
        style,
        edges,
        pad: pad_ems / 2.0 * em,
        rows: Vec::new(),
        cells,
        at: Vec::new(),
        header,
        repeat: true,
        bands: Vec::new(),
        notes,
    };
    composed.lay_rows(table.rows.len(), ncols);
    composed
}

/// A cell's text broken at `content` ems: a centred one as a title
/// ([`centred_lines`]), else by the body's composer, ragged, on the
/// character grid of the cell: whole ems a line, unless the whole text
/// fits the cell's exact width (`12月` in 2.25 ems).
fn cell_lines(m: &Measured, k: usize, content: f64, fonts: &Fonts) -> Vec<grid::Line> {
    let cells = if m.runs[k].whole <= content + 1e-6 {
        content.ceil()
    } else {
        (content + 1e-6).floor()
    };
    let shape = Shape {
        cells: cells.max(1.0) as usize,
        first_indent: 0,
        rest_indent: 0,
        em: 1.0,
    };
    let runs = &m.runs[k].runs;
    let text: String = runs.iter().map(|r| r.0.as_str()).collect();
    let pieces = whole_pieces(&text);
    // A cell of text that must break breaks between words, as a body
    // heading does (云溪经济 / 开发区, not 云溪经济开 / 发区): the
    // dictionary is read only for such a cell.
    let words = if m.runs[k].whole > content + 1e-6 && !matches!(m.placing[k], Placing::Decimal(_))
    {
        title::heading_costs(&text, false)
    } else {
        Vec::new()
    };
    // A break inside a date or a code only when nothing else fits.
    let cut = |n: usize| {
        if pieces.iter().any(|(r, _)| r.start < n && n < r.end) {
            IN_PIECE
        } else {
            words.get(n).copied().unwrap_or(0.0)
        }
    };
    centred_lines(runs, content, m.placing[k], fonts)
        .unwrap_or_else(|| grid::break_lines_ragged(runs, shape, fonts, &cut))
}

/// Whether a cell's lines leave one character alone on a line (评审得 /
/// 分, 认识不到 / 位): a line of one letter or character, marks aside. A
/// bracketed unit alone (（处）) is a line of its own in a header.
fn leaves_one_alone<S: AsRef<str>>(lines: &[S]) -> bool {
    lines.len() > 1
        && lines.iter().any(|l| {
            let l = l.as_ref();
            l.chars().filter(|c| c.is_alphanumeric()).count() == 1
                && !l.contains(['（', '(', '）', ')'])
        })
}

/// The columns' widths with a column whose cells would leave one
/// character alone on a line (a header 评审得分 in 3 ems, a label 认识不到位
/// in 4) made as wide as they need, taken from the widest column when it
/// has room to spare: its rows, and the table's, on no more lines than
/// before (proof-tables review 1).
fn relieve_lone(m: &Measured, mut width: Vec<f64>, fonts: &Fonts) -> Vec<f64> {
    let cells = &m.regions.cells;
    // The table's lines, each row as many as its cell with the most, as
    // the cells' one-line widths estimate them.
    let lines_of = |width: &[f64]| -> usize {
        let mut rows = std::collections::BTreeMap::new();
        for (k, cell) in cells.iter().enumerate() {
            let w: f64 = width[cell.col..cell.col + cell.cols].iter().sum::<f64>()
                + PAD * (cell.cols - 1) as f64;
            let whole = m.runs[k].whole;
            let lines = if whole <= w + 1e-6 {
                1
            } else {
                (whole / w.floor().max(1.0)).ceil() as usize
            };
            let r = rows.entry(cell.row).or_insert(1);
            *r = (*r).max(lines.div_ceil(cell.rows.max(1)));
        }
        rows.values().sum::<usize>()
    };
    let alone = |k: usize, w: f64| {
        m.runs[k].whole > w + 1e-6 && {
            let lines: Vec<String> = cell_lines(m, k, w, fonts)
                .iter()
                .map(|l| l.glyphs.iter().map(|g| g.text.as_str()).collect())
                .collect();
            leaves_one_alone(&lines)
        }
    };
    for c in 0..width.len() {
        let own: Vec<usize> = (0..cells.len())
            .filter(|&k| cells[k].col == c && cells[k].cols == 1)
            .collect();
        if !own.par_iter().any(|&k| alone(k, width[c])) {
            continue;
        }
        let Some(donor) = (0..width.len())
            .filter(|&d| d != c)
            .max_by(|&a, &b| width[a].total_cmp(&width[b]))
        else {
            continue;
        };
        let most = own.iter().map(|&k| m.runs[k].whole).fold(0.0, f64::max);
        let before = lines_of(&width);
        // Whole characters more, until no cell of the column leaves one
        // alone.
        let mut w = (width[c] + 1e-6).floor() + 1.0;
        while w <= most.ceil() + 1e-6 {
            let extra = w - width[c];
            let mut tried = width.clone();
            tried[c] = w;
            tried[donor] -= extra;
            if tried[donor] < m.needs[donor].least.max(w) || lines_of(&tried) > before {
                break;
            }
            if !own.iter().any(|&k| alone(k, w)) {
                width = tried;
                break;
            }
            w += 1.0;
        }
    }
    width
}

/// A caption as printed: `表3各乡镇检查情况`, typed without the blank
/// after its number (`table-caption-space`), is set `表3　各乡镇检查情况`.
fn spaced_caption(caption: &str) -> String {
    let Some(number) = caption_number(caption) else {
        return caption.to_string();
    };
    let Some(after_mark) = caption.find('表').map(|i| i + '表'.len_utf8()) else {
        return caption.to_string();
    };
    let Some(end) = caption[after_mark..]
        .find(number)
        .map(|i| after_mark + i + number.len())
    else {
        return caption.to_string();
    };
    let rest = &caption[end..];
    if rest.is_empty() || rest.starts_with(['\u{3000}', '-', '－', '.', '．']) {
        return caption.to_string();
    }
    // A word space (or a thin one the cleaning kept between two figures)
    // after the number reads as nothing: 表1 11月份 as 表111月份 (the
    // new-user review). The number and the title stand a full-width
    // blank apart.
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() && c != '\u{3000}');
    format!("{}\u{3000}{rest}", &caption[..end])
}

/// A centred cell's text too long for its width, broken as a title is
/// (`title.rs`: between words, lines as even as the words allow) and each
/// line set at its natural width: justified lines, as a paragraph's are,
/// would spread a header's few characters apart (发　　现). `None` when
/// the text fits on one line, mixes faces, or a line so set would not
/// fit: the cell is then set as a paragraph.
fn centred_lines(
    runs: &[(String, Face)],
    content: f64,
    placing: Placing,
    fonts: &Fonts,
) -> Option<Vec<grid::Line>> {
    let face = runs.first()?.1;
    if placing != Placing::Center || runs.iter().any(|r| r.1 != face) {
        return None;
    }
    let text: String = runs.iter().map(|r| r.0.as_str()).collect();
    let (whole, _) = grid::extent(runs, 1.0, fonts);
    if whole <= content + 1e-6 {
        return None;
    }
    let wide = Shape {
        cells: 10_000,
        first_indent: 0,
        rest_indent: 0,
        em: 1.0,
    };
    // By words as a title, as even as the words allow; a line of one
    // character (评审得 / 分) is broken narrower, on as many lines (评审 /
    // 得分).
    let mut broken = title::break_title(&text, content, fonts, face);
    let mut cap = (content + 1e-6).floor() - 1.0;
    while leaves_one_alone(&broken) && cap >= 1.0 {
        let narrower = title::break_title(&text, cap, fonts, face);
        if narrower.len() > broken.len() {
            break;
        }
        if !leaves_one_alone(&narrower) {
            broken = narrower;
            break;
        }
        cap -= 1.0;
    }
    broken
        .into_iter()
        .map(|line| {
            let mut set = grid::break_lines(&[(line, face)], wide, fonts);
            (set.len() == 1 && set[0].width <= content + 1e-6).then(|| set.remove(0))
        })
        .collect()
}

/// The thirds a cell of `lines` text lines needs: its lines and a sixth
/// of a grid line above and below.
fn thirds_for(lines: usize) -> usize {
    LINE * lines + 1
}

impl Composed {
    /// Row heights, bands, and rows taller than a page split into parts.
    fn lay_rows(&mut self, nrows: usize, ncols: usize) {
        let mut rows = vec![SetRow { thirds: 3 }; nrows];
        for c in self.cells.iter().filter(|c| c.rows == 1) {
            rows[c.row].thirds = rows[c.row].thirds.max(thirds_for(c.lines.len()));
        }
        // A cell over several rows: what it needs beyond them goes to the
        // last of them.
        for c in self.cells.iter().filter(|c| c.rows > 1) {
            let have: usize = rows[c.row..c.row + c.rows].iter().map(|r| r.thirds).sum();
            let need = thirds_for(c.lines.len());
            if need > have {
                rows[c.row + c.rows - 1].thirds += need - have;
            }
        }
        let header_thirds: usize = rows[..self.header].iter().map(|r| r.thirds).sum();
        let page = self.area.lines * 3;
        // The caption or 续表N over the table, whichever is taller.
        let above = self.continued.len().max(self.caption.len()) * 3;
        self.repeat = header_thirds + above <= page / 2;
        // The most a body row may take on a page under that and the
        // header (on the first page, or repeated), its note under it.
        let room = page
            .saturating_sub(above + header_thirds + LINE)
            .max(LINE + 1);
        // Bands: rows joined by cells over several rows.
        let mut reach: Vec<usize> = (0..nrows).map(|r| r + 1).collect();
        for c in &self.cells {
            reach[c.row] = reach[c.row].max(c.row + c.rows);
        }
        let mut bands: Vec<Band> = Vec::new();
        let mut r = self.header;
        while r < nrows {
            let mut end = reach[r];
            let mut k = r;
            while k < end {
                end = end.max(reach[k]);
                k += 1;
            }
            let thirds = rows[r..end].iter().map(|x| x.thirds).sum();
            bands.push(Band {
                rows: r..end,
                thirds,
                continues: false,
            });
            r = end;
        }
        // A band of joined rows taller than a page loses its joins (each
        // place a cell of its own, the text in the first); then a row
        // taller than a page is set in parts, a page each.
        let mut split_rows: Vec<(usize, usize)> = Vec::new();
        for band in &bands {
            if band.thirds > room && band.rows.len() > 1 {
                for c in &mut self.cells {
                    if band.rows.contains(&c.row) && c.rows > 1 {
                        c.rows = 1;
                    }
                }
            }
        }
        let mut fixed: Vec<Band> = Vec::new();
        for band in bands {
            if band.thirds > room && band.rows.len() > 1 {
                for r in band.rows.clone() {
                    rows[r].thirds = self
                        .cells
                        .iter()
                        .filter(|c| c.row == r)
                        .map(|c| thirds_for(c.lines.len()))
                        .max()
                        .unwrap_or(3)
                        .max(3);
                    fixed.push(Band {
                        rows: r..r + 1,
                        thirds: rows[r].thirds,
                        continues: false,
                    });
                }
            } else {
                fixed.push(band);
            }
        }
        // Split what is still taller than a page, last first so that the
        // row numbers before it hold.
        let per_part = (room - 1) / LINE;
        for band in fixed.iter().rev() {
            if band.thirds > room {
                split_rows.push((band.rows.start, per_part.max(1)));
            }
        }
        for &(r, per) in &split_rows {
            let most = self
                .cells
                .iter()
                .filter(|c| c.row == r)
                .map(|c| c.lines.len())
                .max()
                .unwrap_or(0);
            let parts = most.div_ceil(per).max(1);
            let mut out = Vec::with_capacity(self.cells.len() + parts * ncols);
            for c in self.cells.drain(..) {
                if c.row == r {
                    for p in 0..parts {
                        let lines: Vec<SetLine> =
                            c.lines.iter().skip(p * per).take(per).cloned().collect();
                        out.push(SetCell {
                            row: r + p,
                            lines,
                            ..c.clone()
                        });
                    }
                } else if c.row > r {
                    out.push(SetCell {
                        row: c.row + parts - 1,
                        ..c
                    });
                } else {
                    out.push(c);
                }
            }
            self.cells = out;
            let part_rows: Vec<SetRow> = (0..parts)
                .map(|p| SetRow {
                    thirds: thirds_for(most.saturating_sub(p * per).min(per)),
                })
                .collect();
            rows.splice(r..r + 1, part_rows);
            for b in &mut fixed {
                if b.rows.start > r {
                    b.rows = b.rows.start + parts - 1..b.rows.end + parts - 1;
                }
            }
            let at = fixed
                .iter()
                .position(|b| b.rows.start == r)
                .expect("the split row is a band");
            let parts_bands: Vec<Band> = (0..parts)
                .map(|p| Band {
                    rows: r + p..r + p + 1,
                    thirds: rows[r + p].thirds,
                    continues: p + 1 < parts,
                })
                .collect();
            fixed.splice(at..at + 1, parts_bands);
        }
        let nrows = rows.len();
        let mut at = vec![vec![usize::MAX; ncols]; nrows];
        for (k, c) in self.cells.iter().enumerate() {
            for row in at.iter_mut().skip(c.row).take(c.rows) {
                for place in row.iter_mut().skip(c.col).take(c.cols) {
                    *place = k;
                }
            }
        }
        self.rows = rows;
        self.at = at;
        self.bands = fixed;
    }

    fn header_thirds(&self) -> usize {
        self.rows[..self.header].iter().map(|r| r.thirds).sum()
    }

    fn notes_thirds(&self) -> usize {
        LINE * self.notes.len()
    }

    /// How many bands from `next` fit `room` thirds of a page, with the
    /// header when it is drawn on this page (`first`, or repeated) and
    /// the notes after the last band; a row set in parts ends a page.
    fn fit(&self, next: usize, room: usize, first: bool) -> usize {
        let mut used = if first || self.repeat {
            self.header_thirds()
        } else {
            0
        };
        let mut k = 0;
        while next + k < self.bands.len() {
            let band = &self.bands[next + k];
            let last = next + k + 1 == self.bands.len();
            let after = if last {
                self.notes_thirds()
            } else if band.continues {
                LINE
            } else {
                0
            };
            if used + band.thirds + after > room {
                break;
            }
            used += band.thirds;
            k += 1;
            if band.continues {
                break;
            }
        }
        k
    }

    /// The number of bands.
    pub fn bands(&self) -> usize {
        self.bands.len()
    }

    /// The lines of its own grid the head above it takes.
    pub fn head_turned_lines(&self) -> usize {
        (self.head_lines as f64 * PITCH / self.area.pitch - 1e-9).ceil() as usize
    }

    /// The pages a landscape table takes, as `page.rs` breaks it.
    pub fn turned_pages(&self) -> usize {
        let lines = self.area.lines;
        let (mut next, mut first, mut pages) = (0, true, 0);
        loop {
            let free = lines.saturating_sub(if first { self.head_turned_lines() } else { 0 });
            let k = self
                .take(next, free, first)
                .unwrap_or_else(|| self.forced(next, free, first));
            pages += 1;
            next += k;
            first = false;
            if next >= self.bands() || k == 0 {
                return pages;
            }
        }
    }

    /// The grid lines the table's first page needs at least: the caption,
    /// the header and its first body rows (and the notes, when those are
    /// all of it).
    pub fn least_lines(&self) -> usize {
        let take = FIRST_ROWS.min(self.bands.len());
        self.piece_lines(0..take, true)
    }

    /// The bands that go on a page with `free` grid lines: how many, or
    /// `None` when the page cannot take the part the rules ask for here
    /// (the caption with the header and [`FIRST_ROWS`] rows; later, a row).
    pub fn take(&self, next: usize, free: usize, first: bool) -> Option<usize> {
        let above = if first {
            self.caption.len()
        } else {
            self.continued.len()
        };
        let room = free.checked_sub(above)? * 3;
        let mut k = self.fit(next, room, first);
        let left = self.bands.len() - next;
        let least = if first {
            FIRST_ROWS.min(left)
        } else {
            1.min(left)
        };
        // The last row never stands alone under 续表N (with the notes):
        // one more goes over with it, when this page keeps its least.
        if left > k && left - k == 1 && k > least && !self.bands[next + k - 1].continues {
            k -= 1;
        }
        // A header alone (no body rows at all) fits when it and the notes do.
        let fits = if left == 0 {
            self.piece_thirds(next..next, first) <= room
        } else {
            k >= least
        };
        fits.then_some(k)
    }

    /// At a page's top, what goes there whatever the rules ask: the bands
    /// that fit, at least one (a row taller than a page was split to fit).
    pub fn forced(&self, next: usize, free: usize, first: bool) -> usize {
        let above = if first {
            self.caption.len()
        } else {
            self.continued.len()
        };
        let room = free.saturating_sub(above) * 3;
        self.fit(next, room, first)
            .max(1)
            .min(self.bands.len() - next)
    }

    /// The grid lines a page of the table takes with its caption or
    /// 续表N line.
    pub fn piece_lines(&self, bands: Range<usize>, first: bool) -> usize {
        let above = if first {
            self.caption.len()
        } else {
            self.continued.len()
        };
        above + self.piece_thirds(bands, first).div_ceil(3)
    }

    fn piece_thirds(&self, bands: Range<usize>, first: bool) -> usize {
        let header = if first || self.repeat {
            self.header_thirds()
        } else {
            0
        };
        let body: usize = self.bands[bands.clone()].iter().map(|b| b.thirds).sum();
        let after = if bands.end == self.bands.len() {
            self.notes_thirds()
        } else if bands.end > bands.start && self.bands[bands.end - 1].continues {
            LINE
        } else {
            0
        };
        header + body + after
    }

    /// The part of the table on one page: the header (on its first page,
    /// or repeated) and `bands`, with the notes after the last band.
    pub fn piece(&self, bands: Range<usize>, first: bool) -> Row {
        let em = self.size * MM_PER_PT;
        // The rows drawn, top to bottom, with the y of their tops.
        let mut shown: Vec<(usize, f64)> = Vec::new();
        let mut y = 0.0;
        let header = if first || self.repeat { self.header } else { 0 };
        let body = self.bands[bands.clone()]
            .iter()
            .flat_map(|b| b.rows.clone());
        for r in (0..header).chain(body) {
            shown.push((r, y));
            y += self.rows[r].thirds as f64 * self.area.third();
        }
        let bottom = y;
        let mut texts = Vec::new();
        let mut cells = Vec::new();
        let y_of: std::collections::HashMap<usize, f64> = shown.iter().copied().collect();
        for (index, &(r, top)) in shown.iter().enumerate() {
            for c in 0..self.edges.len() - 1 {
                let k = self.at[r][c];
                let Some(cell) = self.cells.get(k) else {
                    continue;
                };
                if cell.row != r || cell.col != c {
                    continue;
                }
                // A cell over rows not on this page is drawn over those
                // that are (bands keep them together).
                let height: f64 = (cell.row..cell.row + cell.rows)
                    .filter(|x| y_of.contains_key(x))
                    .map(|x| self.rows[x].thirds as f64 * self.area.third())
                    .sum();
                let block = (LINE * cell.lines.len()) as f64 * self.area.third();
                let mut line_top = top + (height - block) / 2.0;
                let left = self.edges[c] + self.pad;
                let from = texts.len();
                for line in &cell.lines {
                    let y = line_top + (LINE as f64 * self.area.third() - em) / 2.0;
                    for run in &line.runs {
                        texts.push(text_of(run, left + (line.dx + run.x) * em, y, self.size));
                    }
                    line_top += LINE as f64 * self.area.third();
                }
                cells.push(TableCellData {
                    x: c,
                    y: index,
                    colspan: cell.cols,
                    rowspan: (cell.row..cell.row + cell.rows)
                        .filter(|x| y_of.contains_key(x))
                        .count(),
                    from,
                    to: texts.len(),
                });
            }
        }
        let grid = TableGrid {
            columns: self.edges.windows(2).map(|e| e[1] - e[0]).collect(),
            rows: shown
                .iter()
                .map(|&(r, _)| self.rows[r].thirds as f64 * self.area.third())
                .collect(),
            header,
            cells,
        };
        // Under the table: the notes after its last row, or the word that
        // the row goes on.
        let note_em = self.note_size * MM_PER_PT;
        let line_h = LINE as f64 * self.area.third();
        let mut under = bottom;
        if bands.end == self.bands.len() {
            for runs in &self.notes {
                let y = under + (line_h - note_em) / 2.0;
                for run in runs {
                    texts.push(text_of(run, run.x * note_em, y, self.note_size));
                }
                under += line_h;
            }
        } else if bands.end > bands.start && self.bands[bands.end - 1].continues {
            let w = SPLIT_NOTE.chars().count() as f64 * note_em;
            texts.push(TableText {
                text: SPLIT_NOTE.to_string(),
                x: self.area.width - w,
                y: under + (line_h - note_em) / 2.0,
                size: self.note_size,
                face: Role::Body,
                latin: false,
                half: false,
                tracking: 0.0,
                step: Some(note_em),
            });
            under += line_h;
        }
        let rules = match self.style {
            // A table of no rows (its header cut away) has no frame.
            _ if shown.is_empty() => Vec::new(),
            TableStyle::Grid => self.grid_rules(&shown, bottom),
            TableStyle::ThreeLine => {
                let head = shown
                    .iter()
                    .take_while(|(r, _)| *r < header)
                    .map(|&(r, _)| self.rows[r].thirds as f64 * self.area.third())
                    .sum::<f64>();
                let across = self.area.width;
                let mut rules = vec![horizontal(0.0, across, THICK / 2.0, THICK)];
                if header > 0 && head < bottom {
                    rules.push(horizontal(0.0, across, head, THIN));
                }
                // A head over several columns with heads under it: a thin
                // short rule (辅助线) under it, as wide as its columns less
                // the cells' padding, so that neighbouring ones stand apart.
                for cell in &self.cells {
                    let under = cell.row + cell.rows;
                    if cell.cols > 1
                        && under < header
                        && !cell.lines.is_empty()
                        && let Some(&y) = y_of.get(&under)
                    {
                        let (x1, x2) = (self.edges[cell.col], self.edges[cell.col + cell.cols]);
                        rules.push(horizontal(x1 + self.pad, x2 - self.pad, y, THIN));
                    }
                }
                rules.push(horizontal(0.0, across, bottom - THICK / 2.0, THICK));
                rules
            }
        };
        let thirds = (under / self.area.third()).round() as usize;
        Row::Table {
            lines: thirds.div_ceil(3),
            texts,
            rules,
            grid,
        }
    }

    /// The rules of a full grid: the frame (thick, inside the type area
    /// and the table's rows) and a thin rule between every two cells.
    fn grid_rules(&self, shown: &[(usize, f64)], bottom: f64) -> Vec<Segment> {
        let ncols = self.edges.len() - 1;
        let mut out = Vec::new();
        // Where each vertical rule stands, and its thickness.
        let vx = |e: usize| {
            if e == 0 {
                THICK / 2.0
            } else if e == ncols {
                self.area.width - THICK / 2.0
            } else {
                self.edges[e]
            }
        };
        let vt = |e: usize| if e == 0 || e == ncols { THICK } else { THIN };
        // Horizontal rules: above every shown row, and under the last.
        for i in 0..=shown.len() {
            let (y, t) = match i {
                0 => (THICK / 2.0, THICK),
                _ if i == shown.len() => (bottom - THICK / 2.0, THICK),
                _ => (shown[i].1, THIN),
            };
            let mut from: Option<usize> = None;
            for c in 0..=ncols {
                // A rule between rows a and b under column c, unless one
                // cell spans both.
                let drawn = c < ncols
                    && !(i > 0 && i < shown.len() && {
                        let (a, b) = (shown[i - 1].0, shown[i].0);
                        b == a + 1 && self.at[a][c] == self.at[b][c]
                    });
                match (drawn, from) {
                    (true, None) => from = Some(c),
                    (false, Some(s)) => {
                        out.push(horizontal(vx(s) - vt(s) / 2.0, vx(c) + vt(c) / 2.0, y, t));
                        from = None;
                    }
                    _ => {}
                }
            }
        }
        // Vertical rules: at every column edge, down the rows where the
        // cells on its two sides differ, from rule to rule.
        let top = THICK / 2.0;
        let foot = bottom - THICK / 2.0;
        for e in 0..=ncols {
            let mut from: Option<f64> = None;
            for (i, &(r, y)) in shown.iter().enumerate() {
                let drawn = e == 0 || e == ncols || self.at[r][e - 1] != self.at[r][e];
                let y = if i == 0 { top } else { y };
                match (drawn, from) {
                    (true, None) => from = Some(y),
                    (false, Some(s)) => {
                        out.push(Segment {
                            x1: vx(e),
                            y1: s,
                            x2: vx(e),
                            y2: y,
                            thickness: vt(e),
                        });
                        from = None;
                    }
                    _ => {}
                }
            }
            if let Some(s) = from {
                out.push(Segment {
                    x1: vx(e),
                    y1: s,
                    x2: vx(e),
                    y2: foot,
                    thickness: vt(e),
                });
            }
        }
        out
    }
}

fn horizontal(x1: f64, x2: f64, y: f64, thickness: f64) -> Segment {
    Segment {
        x1,
        y1: y,
        x2,
        y2: y,
        thickness,
    }
}

/// A run of a cell (x in ems) as the layout draws it, in mm.
fn text_of(run: &Run, x: f64, y: f64, size: f64) -> TableText {
    let em = size * MM_PER_PT;
    TableText {
        text: run.text.clone(),
        x,
        y,
        size,
        face: run.face,
        latin: run.latin,
        half: run.half,
        tracking: run.tracking * em,
        step: (!run.latin).then_some(run.step * em),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;
    use crate::config::FontConfig;
    use crate::issue::{Inline, TableRow};

    fn fonts() -> &'static Fonts {
        static FONTS: OnceLock<Fonts> = OnceLock::new();
        FONTS.get_or_init(|| {
            Fonts::load(
                &FontConfig::default(),
                std::path::Path::new("."),
                &[],
                false,
            )
            .expect("embedded fonts load")
        })
    }

    fn text(s: &str) -> Text {
        Text {
            runs: vec![Inline {
                text: s.into(),
                emphasis: false,
            }],
            span: 0..0,
        }
    }

    /// A table from rows of cells: `<` joins left, `^` joins up.
    fn table(caption: Option<&str>, header: usize, rows: &[&[&str]]) -> Table {
        Table {
            caption: caption.map(text),
            rows: rows
                .iter()
                .map(|r| TableRow {
                    cells: r
                        .iter()
                        .map(|&c| match c {
                            "<" => Cell::JoinLeft(0..0),
                            "^" => Cell::JoinUp(0..0),
                            _ => Cell::Text(text(c)),
                        })
                        .collect(),
                    span: 0..0,
                })
                .collect(),
            header_rows: header,
            align: Vec::new(),
            style: None,
            notes: Vec::new(),
            span: 0..0,
        }
    }

    /// The texts of a piece, as drawn, in their order.
    fn texts(row: &Row) -> Vec<&TableText> {
        match row {
            Row::Table { texts, .. } => texts.iter().collect(),
            _ => panic!("not a table"),
        }
    }

    fn rules(row: &Row) -> &[Segment] {
        match row {
            Row::Table { rules, .. } => rules,
            _ => panic!("not a table"),
        }
    }

    fn joined(row: &Row) -> String {
        texts(row).iter().map(|t| t.text.as_str()).collect()
    }

    /// A county table: 乡镇 and `months` columns of figures like
    /// `sample`, a 合计 and a 同比, `towns` rows.
    fn monthly(towns: usize, months: usize, sample: &str) -> Table {
        let mut head: Vec<String> = vec!["乡镇".into()];
        head.extend((1..=months).map(|m| format!("{m}月")));
        head.extend(["合计".to_string(), "同比".to_string()]);
        let row: Vec<String> = std::iter::once("城关镇".to_string())
            .chain((0..months).map(|_| sample.to_string()))
            .chain(["123456.7".to_string(), "-12.3%".to_string()])
            .collect();
        let mut rows: Vec<Vec<&str>> = vec![head.iter().map(String::as_str).collect()];
        for _ in 0..towns {
            rows.push(row.iter().map(String::as_str).collect());
        }
        let refs: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        table(Some("表2　各乡镇分月情况"), 1, &refs)
    }

    #[test]
    fn a_landscape_table_too_wide_at_5hao_is_padded_tighter_then_set_at_xiao_5hao() {
        // 15 columns of five-digit figures with a decimal: too wide for a
        // landscape page at 5号 with half an em a side (the new-user
        // review's table), set with a quarter em a side or at 小5号.
        let t = monthly(13, 12, "12345.6");
        assert!(too_wide(&t, fonts()).is_none());
        let c = compose(&t, TableStyle::Grid, fonts());
        assert!(c.area.landscape);
        assert_eq!(c.area.pad, TIGHT_PAD);
        assert!(c.size <= 10.5, "{}", c.size);
        // On its own grid: a 13-town table, its caption and header on one
        // landscape page.
        assert!(c.area.lines >= 20, "{} lines", c.area.lines);
        assert_eq!(c.take(0, c.area.lines, true), Some(13));
        // Four-digit figures fit with the usual padding.
        let c = compose(&monthly(13, 12, "1234.5"), TableStyle::Grid, fonts());
        assert!(c.area.landscape && c.area.pad == PAD);
    }

    #[test]
    fn a_table_whose_rows_wrap_past_three_lines_on_the_page_is_turned() {
        // The proof-read's list: an 18-character code column leaves the
        // names three characters a line, five lines a row, on the page.
        let rows: Vec<[String; 6]> = (0..6)
            .map(|k| {
                [
                    k.to_string(),
                    "云溪市宏达机械制造有限责任公司".to_string(),
                    format!("91350100MA2XY3K{k}5P"),
                    "2026-03-12".to_string(),
                    "安全生产责任制不落实，隐患排查台账缺失，应急预案未演练".to_string(),
                    "12.5".to_string(),
                ]
            })
            .collect();
        let head = [
            "序号",
            "单位名称",
            "统一社会信用代码",
            "检查日期",
            "发现问题",
            "罚款（万元）",
        ];
        let mut all: Vec<Vec<&str>> = vec![head.to_vec()];
        all.extend(rows.iter().map(|r| r.iter().map(String::as_str).collect()));
        let refs: Vec<&[&str]> = all.iter().map(Vec::as_slice).collect();
        let c = compose(&table(None, 1, &refs), TableStyle::Grid, fonts());
        assert!(c.area.landscape);
        // Rows of two or three lines stay on the page: a short list.
        let short = table(
            None,
            1,
            &[
                &["单位", "问题"],
                &["城关镇", "安全生产责任制不落实，隐患排查台账缺失"],
            ],
        );
        assert!(!compose(&short, TableStyle::Grid, fonts()).area.landscape);
    }

    #[test]
    fn a_caption_number_and_its_title_stand_a_full_width_blank_apart() {
        assert_eq!(
            spaced_caption("表3各乡镇检查情况"),
            "表3\u{3000}各乡镇检查情况"
        );
        assert_eq!(spaced_caption("表1 11月份情况"), "表1\u{3000}11月份情况");
        assert_eq!(
            spaced_caption("表1\u{2009}11月份情况"),
            "表1\u{3000}11月份情况"
        );
        assert_eq!(spaced_caption("表1\u{3000}情况"), "表1\u{3000}情况");
        assert_eq!(spaced_caption("表2-1　情况"), "表2-1　情况");
    }

    #[test]
    fn caption_numbers() {
        assert_eq!(caption_number("表1　各县区情况"), Some("1"));
        assert_eq!(caption_number("表 12 情况"), Some("12"));
        assert_eq!(caption_number("表2-1　分项"), Some("2-1"));
        assert_eq!(caption_number("表３　全角"), Some("３"));
        assert_eq!(caption_number("表二　汉字"), Some("二"));
        assert_eq!(caption_number("表格说明"), None);
        assert_eq!(caption_number("各县区情况"), None);
    }

    #[test]
    fn figures_and_placeholders() {
        for s in ["12", "1,234.5", "−3.2", "82.5%", "+7", "8 600"] {
            assert!(is_number(s), "{s}");
        }
        for s in ["12个", "A-3", "2024年", ".", "—"] {
            assert!(!is_number(s), "{s}");
        }
        assert!(is_placeholder("—") && is_placeholder(""));
        for s in [
            "约120",
            "(12.3)",
            "3-5",
            "10～15%",
            "1.2万",
            "12.0*",
            "N/A",
            "不适用",
        ] {
            assert!(figure_like(s), "{s}");
        }
        for s in ["2026年4月30日", "城关镇人民政府", "已整改到位"] {
            assert!(!figure_like(s), "{s}");
        }
    }

    #[test]
    fn a_small_table_is_4hao_spans_the_type_area_and_reads_in_row_order() {
        let t = table(
            Some("表1　检查情况"),
            1,
            &[
                &["地区", "检查次数", "整改率"],
                &["东城区", "12", "98.5%"],
                &["西城区", "7", "100%"],
            ],
        );
        let c = compose(&t, TableStyle::Grid, fonts());
        assert_eq!(c.size, 14.0);
        assert!(too_wide(&t, fonts()).is_none());
        assert!((c.edges[c.edges.len() - 1] - WIDTH).abs() < 1e-9);
        assert_eq!(c.bands(), 2);
        let piece = c.piece(0..2, true);
        // Three rows of one line each: three grid lines.
        assert_eq!(piece.lines(), 3);
        assert_eq!(joined(&piece), "地区检查次数整改率东城区1298.5%西城区7100%");
        // Header in 黑体, cells in 仿宋.
        let t = texts(&piece);
        assert_eq!(t[0].face, Role::Heading);
        assert_eq!(t[3].face, Role::Body);
        assert_eq!(c.continued.len(), 1);
    }

    #[test]
    fn decimal_points_line_up_and_text_is_left() {
        let t = table(
            None,
            1,
            &[
                &["项目", "金额"],
                &["甲", "1234.5"],
                &["乙", "7.25"],
                &["丙", "88"],
            ],
        );
        let c = compose(&t, TableStyle::Grid, fonts());
        let piece = c.piece(0..c.bands(), true);
        let em = c.size * MM_PER_PT;
        let point = |s: &str| {
            let t = texts(&piece).into_iter().find(|t| t.text == s).unwrap();
            let int: String = s.split('.').next().unwrap().into();
            t.x + grid::width(&int, fonts(), Face::Body) * em
        };
        let (a, b, d) = (point("1234.5"), point("7.25"), point("88"));
        assert!((a - b).abs() < 1e-6 && (a - d).abs() < 1e-6, "{a} {b} {d}");
        // The widest fraction ends at the cell's right padding.
        let right = c.edges[2] - c.pad;
        let t = texts(&piece)
            .into_iter()
            .find(|t| t.text == "7.25")
            .unwrap();
        let end = t.x + grid::width("7.25", fonts(), Face::Body) * em;
        assert!((end - right).abs() < 1e-6, "{end} {right}");
        // Text flush left at the padding.
        let t = texts(&piece).into_iter().find(|t| t.text == "甲").unwrap();
        assert!((t.x - c.pad).abs() < 1e-6);
    }

    #[test]
    fn a_wrapped_header_is_centred_line_by_line_not_spread() {
        // Set narrow on purpose: three ems of content.
        let runs = vec![("已整改隐患（处）".to_string(), Face::Heading)];
        let lines = centred_lines(&runs, 3.0, Placing::Center, fonts()).expect("breaks");
        assert!(lines.len() >= 3);
        for l in &lines {
            // Solid: each glyph a whole em after the one before.
            for w in l.glyphs.windows(2) {
                assert!((w[1].x - w[0].x - 1.0).abs() < 1e-9, "{lines:?}");
            }
            assert!(l.width <= 3.0 + 1e-9);
        }
    }

    #[test]
    fn a_percent_stands_where_a_decimal_point_would() {
        let t = table(None, 1, &[&["率"], &["100%"], &["96.49%"]]);
        let c = compose(&t, TableStyle::Grid, fonts());
        let piece = c.piece(0..c.bands(), true);
        let em = c.size * MM_PER_PT;
        let end_of = |s: &str, int: &str| {
            let t = texts(&piece).into_iter().find(|t| t.text == s).unwrap();
            t.x + grid::width(int, fonts(), Face::Body) * em
        };
        assert!((end_of("100%", "100") - end_of("96.49%", "96")).abs() < 1e-6);
    }

    #[test]
    fn merged_cells_are_one_cell_with_no_rule_through_them() {
        let t = table(
            None,
            2,
            &[
                &["地区", "检查情况", "<"],
                &["^", "次数", "企业数"],
                &["东城区", "12", "30"],
            ],
        );
        let c = compose(&t, TableStyle::Grid, fonts());
        assert_eq!(c.header, 2);
        let piece = c.piece(0..1, true);
        assert_eq!(joined(&piece), "地区检查情况次数企业数东城区1230");
        let rules = rules(&piece);
        let h0 = c.rows[0].thirds as f64 * THIRD;
        // Under 地区 (rows 0–1) no rule at the first row's foot; under
        // 检查情况 one from column 1 to the frame.
        let at_h0: Vec<&Segment> = rules
            .iter()
            .filter(|s| s.y1 == s.y2 && (s.y1 - h0).abs() < 1e-9)
            .collect();
        assert_eq!(at_h0.len(), 1);
        assert!((at_h0[0].x1 - (c.edges[1] - THIN / 2.0)).abs() < 1e-9);
        assert!((at_h0[0].x2 - WIDTH).abs() < 1e-9);
        // No vertical rule between 检查情况's two columns in row 0.
        let inside = rules
            .iter()
            .filter(|s| s.x1 == s.x2 && (s.x1 - c.edges[2]).abs() < 1e-9)
            .all(|s| s.y1 >= h0 - 1e-9);
        assert!(inside);
        // 检查情况 is centred over its two columns.
        let head = texts(&piece)
            .into_iter()
            .find(|t| t.text.starts_with('检'))
            .unwrap();
        let w = 4.0 * c.size * MM_PER_PT;
        let centre = head.x + w / 2.0;
        assert!(
            (centre - (c.edges[1] + WIDTH) / 2.0).abs() < 0.3,
            "{centre}"
        );
    }

    #[test]
    fn corners_meet_exactly() {
        let t = table(
            None,
            1,
            &[&["a", "b", "c"], &["1", "2", "3"], &["4", "5", "6"]],
        );
        let c = compose(&t, TableStyle::Grid, fonts());
        let piece = c.piece(0..2, true);
        let rules = rules(&piece);
        let (hs, vs): (Vec<&Segment>, Vec<&Segment>) = rules.iter().partition(|s| s.y1 == s.y2);
        for v in &vs {
            for y in [v.y1, v.y2] {
                // Each end of a vertical rule lies on a horizontal rule,
                // which reaches half the vertical's thickness past it.
                let h = hs
                    .iter()
                    .find(|h| (h.y1 - y).abs() < 1e-9 && h.x1 <= v.x1 && v.x1 <= h.x2)
                    .unwrap_or_else(|| panic!("{v:?} ends in the air"));
                assert!(
                    h.x1 <= v.x1 - v.thickness / 2.0 + 1e-9
                        || h.x2 >= v.x1 + v.thickness / 2.0 - 1e-9
                );
            }
        }
        // The frame's outer edges are the type area's.
        let left = vs
            .iter()
            .map(|v| v.x1 - v.thickness / 2.0)
            .fold(f64::MAX, f64::min);
        let right = vs
            .iter()
            .map(|v| v.x1 + v.thickness / 2.0)
            .fold(0.0, f64::max);
        assert!(left.abs() < 1e-9 && (right - WIDTH).abs() < 1e-9);
        let top = hs
            .iter()
            .map(|h| h.y1 - h.thickness / 2.0)
            .fold(f64::MAX, f64::min);
        assert!(top.abs() < 1e-9);
    }

    #[test]
    fn three_line_tables_have_three_rules_and_no_vertical_one() {
        let t = table(None, 1, &[&["a", "b"], &["1", "2"], &["3", "4"]]);
        let c = compose(&t, TableStyle::ThreeLine, fonts());
        let piece = c.piece(0..2, true);
        let rules = rules(&piece);
        assert_eq!(rules.len(), 3);
        assert!(rules.iter().all(|s| s.y1 == s.y2));
        let t: Vec<f64> = rules.iter().map(|s| s.thickness).collect();
        assert_eq!(t, [THICK, THIN, THICK]);
    }

    #[test]
    fn cells_wrap_by_the_body_composer_and_numbers_stay_whole() {
        let long = "各学校要认真贯彻落实全市教育工作会议精神，对照七项工程逐项抓好落实，确保2024年目标全面完成。";
        let t = table(
            None,
            1,
            &[&["序号", "工作内容", "完成率"], &["1", long, "82.5%"]],
        );
        let c = compose(&t, TableStyle::Grid, fonts());
        let cell = c.cells.iter().find(|x| x.row == 1 && x.col == 1).unwrap();
        assert!(cell.lines.len() >= 2);
        let lines: Vec<String> = cell
            .lines
            .iter()
            .map(|l| l.runs.iter().map(|r| r.text.as_str()).collect())
            .collect();
        assert_eq!(lines.concat(), long);
        for l in &lines[1..] {
            // Kinsoku: no line opens with a closing mark.
            assert!(!l.starts_with(['，', '。']), "{lines:?}");
        }
        // 2024年 is never torn.
        assert!(lines.iter().any(|l| l.contains("2024年")), "{lines:?}");
        // The row is as tall as its longest cell.
        assert_eq!(c.rows[1].thirds, thirds_for(cell.lines.len()));
    }

    /// Every line of every cell set at its natural width: no run
    /// letter-spaced, no gap between runs wider than the text's own.
    fn assert_natural(c: &Composed) {
        for cell in &c.cells {
            for line in &cell.lines {
                let text: String = line.runs.iter().map(|r| r.text.as_str()).collect();
                let end = line.runs.last().map_or(0.0, |a| {
                    a.x + if a.latin {
                        grid::width(&a.text, fonts(), Face::Body)
                    } else {
                        a.text.chars().count() as f64 * a.step
                    }
                });
                let (natural, _) = grid::extent(&[(text.clone(), Face::Body)], 1.0, fonts());
                assert!(end <= natural + 1e-6, "{text:?} is spread: {:?}", line.runs);
                for r in &line.runs {
                    assert!(r.latin || r.step <= 1.0 + 1e-6, "{text:?} is spread");
                    assert!(r.tracking.abs() < 1e-9, "{text:?} is tracked");
                }
            }
        }
    }

    #[test]
    fn cell_text_is_set_at_its_natural_width_never_spread_to_the_cell() {
        // The user's tables: a long unit name in a narrow first column, a
        // date over two lines, a header over its figures.
        let t = table(
            None,
            1,
            &[
                &[
                    "单位",
                    "时间",
                    "增加值（亿元）",
                    "同比增长（%）",
                    "已整改（项）",
                ],
                &[
                    "县经济开发区管理委员会（高新技术产业园区）",
                    "2026年12月20日",
                    "1234567.89",
                    "12345.6",
                    "12345678",
                ],
                &["东城街道", "2026年1月", "12.3", "1.2", "4"],
            ],
        );
        let c = compose(&t, TableStyle::Grid, fonts());
        let wrapped = c.cells.iter().filter(|x| x.lines.len() > 1).count();
        assert!(wrapped >= 2, "the test must wrap cells");
        assert_natural(&c);
        // A wrapped left cell's lines start at its left edge.
        let name = c.cells.iter().find(|x| x.row == 1 && x.col == 0).unwrap();
        assert!(name.lines.iter().all(|l| l.dx.abs() < 1e-9));
    }

    #[test]
    fn dates_and_codes_stay_whole_and_short_columns_get_their_width() {
        // The user's list (issue 003 表3): short columns, two dates, long
        // company names.
        let names = [
            "某某县瑞丰纺织有限公司",
            "某某县隆盛新建材有限责任公司",
            "某某县金鼎冶金材料股份有限公司",
            "某某县中联盛电器制造有限公司",
            "某某县宏达宏冶金材料股份有限公司",
            "某某县嘉禾新木业有限公司",
        ];
        let towns = [
            "西城街道",
            "黄田乡",
            "东城街道",
            "马坊镇",
            "桃花镇",
            "龙泉乡",
        ];
        let grades = ["二级", "三级", "小微企业", "三级", "二级", "小微企业"];
        let rows: Vec<Vec<String>> = (0..names.len())
            .map(|k| {
                vec![
                    (k + 1).to_string(),
                    names[k].to_string(),
                    towns[k].to_string(),
                    "纺织".to_string(),
                    grades[k].to_string(),
                    format!("2026-0{}-26", k + 1),
                    format!("2029.0{}.26", k + 1),
                ]
            })
            .collect();
        let head = [
            "序号",
            "企业名称",
            "所在乡镇",
            "行业类别",
            "标准化等级",
            "评审日期",
            "有效期至",
        ];
        let mut all: Vec<Vec<&str>> = vec![head.to_vec()];
        all.extend(rows.iter().map(|r| r.iter().map(String::as_str).collect()));
        let refs: Vec<&[&str]> = all.iter().map(Vec::as_slice).collect();
        let c = compose(&table(None, 1, &refs), TableStyle::Grid, fonts());
        let lines = |row: usize, col: usize| -> Vec<String> {
            let cell = c
                .cells
                .iter()
                .find(|x| x.row == row && x.col == col)
                .unwrap();
            cell.lines
                .iter()
                .map(|l| l.runs.iter().map(|r| r.text.as_str()).collect())
                .collect()
        };
        for row in 1..=names.len() {
            // A date, a code: one piece, on one line.
            for col in [5, 6] {
                assert_eq!(lines(row, col).len(), 1, "{:?}", lines(row, col));
            }
            // The short columns as wide as their texts: 西城街道, 小微企业
            // on one line.
            for col in [0, 2, 3, 4] {
                assert_eq!(lines(row, col).len(), 1, "{:?}", lines(row, col));
            }
            // The long names take what is left: two lines at most.
            assert!(lines(row, 1).len() <= 2, "{:?}", lines(row, 1));
        }
        // A date is a piece of a cell's text too.
        assert_eq!(
            whole_pieces("评审于 2026-01-26，代码91410100MA46，电话0371-66881234。")
                .into_iter()
                .map(|p| p.1)
                .collect::<Vec<_>>(),
            ["2026-01-26", "91410100MA46", "0371-66881234"]
        );
    }

    #[test]
    fn a_wide_table_shrinks_to_5hao_and_one_too_wide_is_reported() {
        // Seven figures of eight digits need 7 × 5 ems with their padding:
        // more than 4号's 31.5 ems, within 小4号's 36.8.
        let row: Vec<String> = (0..7).map(|k| format!("{k}2345678")).collect();
        let head: Vec<String> = (0..12).map(|k| format!("列{k}")).collect();
        let rows: Vec<Vec<&str>> = vec![
            head[..7].iter().map(String::as_str).collect(),
            row.iter().map(String::as_str).collect(),
        ];
        let refs: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        let t = table(None, 1, &refs);
        let c = compose(&t, TableStyle::Grid, fonts());
        assert_eq!(c.size, 12.0);
        assert!(too_wide(&t, fonts()).is_none());
        // Every text inside its column.
        let inside = |c: &Composed| {
            let piece = c.piece(0..1, true);
            for t in texts(&piece) {
                let w = grid::width(&t.text, fonts(), Face::Body) * t.size * MM_PER_PT;
                let col = c.edges.iter().rposition(|&e| e <= t.x + 1e-9).unwrap();
                assert!(
                    t.x + w <= c.edges[col + 1] + 1e-6,
                    "{} leaves its cell",
                    t.text
                );
            }
        };
        inside(&c);
        // Twelve columns of figures of 15 and 16 digits cannot fit at 5号:
        // the first of the widest is named, with its header.
        let row: Vec<String> = (0..12).map(|k| format!("{k}234567890123{k}")).collect();
        let rows: Vec<Vec<&str>> = vec![
            head.iter().map(String::as_str).collect(),
            row.iter().map(String::as_str).collect(),
        ];
        let refs: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        let t = table(None, 1, &refs);
        let wide = too_wide(&t, fonts()).expect("too wide");
        assert!(wide.needs > wide.room);
        assert_eq!(
            (wide.column, wide.head.as_str(), wide.widest.as_str()),
            (10, "列10", "1023456789012310")
        );
        // Twelve columns all alike: too many columns, not one too wide.
        assert!(!wide.alone);
        assert_eq!(wide.columns, 12);
        assert!(wide.most_columns < 12);
        // Three columns, one holding a code wider than a landscape page:
        // that column alone is the cause.
        let code = "91410100MA46".repeat(12);
        let t = table(
            None,
            1,
            &[&["单位", "登记号", "年份"], &["城关镇", &code, "2026"]],
        );
        let one = too_wide(&t, fonts()).expect("too wide");
        assert!(one.alone);
        assert_eq!((one.column, one.widest.as_str()), (1, code.as_str()));
        assert!(one.column_needs > one.room);
        // Composed all the same (at 小5号 on a landscape page, the figures
        // broken where they must, as check has refused it): never out of
        // their cells.
        let c = compose(&t, TableStyle::Grid, fonts());
        assert_eq!((c.size, c.area.landscape), (9.0, true));
        inside(&c);
        // Twice as wide as the page at 4号 and fitting a landscape page:
        // set there, as large as it fits.
        let code = "91410100MA46".repeat(6);
        let t = table(
            None,
            1,
            &[&["单位", "登记号", "年份"], &["城关镇", &code, "2026"]],
        );
        assert!(too_wide(&t, fonts()).is_none());
        let c = compose(&t, TableStyle::Grid, fonts());
        assert!(c.area.landscape && c.area.pad == PAD);
        assert!((c.edges[c.edges.len() - 1] - 225.0).abs() < 1e-9);
        assert!(c.size < 14.0);
        inside(&c);
    }

    #[test]
    fn a_header_alone_is_framed_and_no_rows_draw_nothing() {
        let c = compose(&table(None, 1, &[&["甲", "乙"]]), TableStyle::Grid, fonts());
        assert_eq!(c.bands(), 0);
        let piece = c.piece(0..0, true);
        assert_eq!((piece.lines(), rules(&piece).len()), (1, 5));
        let c = compose(&table(Some("表1　空"), 1, &[]), TableStyle::Grid, fonts());
        let piece = c.piece(0..0, true);
        assert_eq!((piece.lines(), rules(&piece).len()), (0, 0));
        assert_eq!(c.caption.len(), 1);
    }

    #[test]
    fn a_row_taller_than_a_page_is_set_in_parts() {
        let long = "安全生产责任制落实情况。".repeat(200);
        let t = table(None, 1, &[&["项目", "说明"], &["甲", &long], &["乙", "短"]]);
        let c = compose(&t, TableStyle::Grid, fonts());
        assert!(c.bands() > 2);
        assert!(c.bands[0].continues);
        assert!(!c.bands[c.bands() - 1].continues);
        for k in 0..c.bands() {
            assert!(c.piece_lines(k..k + 1, false) <= LINES, "part {k}");
        }
        let piece = c.piece(0..1, true);
        assert!(joined(&piece).ends_with(SPLIT_NOTE));
        // Every character of the row is printed once (the header repeated
        // over each part and the note under it taken out).
        let all: String = (0..c.bands())
            .map(|k| {
                joined(&c.piece(k..k + 1, k == 0))
                    .replace(SPLIT_NOTE, "")
                    .replace("项目说明", "")
            })
            .collect();
        assert_eq!(all.matches("安全生产责任制落实情况。").count(), 200);
    }

    #[test]
    fn a_label_column_leaving_one_character_alone_takes_an_em_from_a_wide_one() {
        // The proof-readers' 表8: 问题类型 4 ems wide set 认识不到 / 位 while
        // 具体表现 had room to spare; it gets the em it needs.
        let long = "部分企业主要负责人对安全生产法定职责认识不清，存在重生产轻安全、重效益轻防范的思想，安全投入严重不足";
        let t = table(
            None,
            1,
            &[
                &["问题类型", "具体表现"],
                &["认识不到位", long],
                &["责任不落实", "全员安全生产责任制流于形式"],
            ],
        );
        let m = measure(&t, 1, fonts());
        let given = vec![4.0, 27.5];
        let lines = |w: f64, k: usize| -> Vec<String> {
            cell_lines(&m, k, w, fonts())
                .iter()
                .map(|l| l.glyphs.iter().map(|g| g.text.as_str()).collect())
                .collect()
        };
        let label = m
            .regions
            .cells
            .iter()
            .position(|c| c.row == 1 && c.col == 0)
            .unwrap();
        // Broken by meaning, four ems leave nothing alone (认识 / 不到位);
        // two do (认识 / 不到 / 位): the column takes the ems it needs.
        assert_eq!(lines(4.0, label), ["认识", "不到位"]);
        assert_eq!(relieve_lone(&m, given.clone(), fonts()), given);
        let given = vec![2.0, 29.5];
        assert!(
            leaves_one_alone(&lines(2.0, label)),
            "{:?}",
            lines(2.0, label)
        );
        let width = relieve_lone(&m, given.clone(), fonts());
        assert!(
            width[0] > 2.0 && !leaves_one_alone(&lines(width[0], label)),
            "{width:?}"
        );
        // No room to spare: a column that would have to wrap more keeps its
        // width, and so does the label.
        assert_eq!(relieve_lone(&m, vec![4.0, 4.0], fonts()), [4.0, 4.0]);
        assert!(leaves_one_alone(&["评审得", "分"]));
        assert!(!leaves_one_alone(&["发现", "隐患", "（处）"]));
    }
}
