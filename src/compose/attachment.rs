//! Attachments (附件, GB/T 9704—2012 §7.3.4 and §8): the attachment note
//! under an article's text, and the head of each attachment's first page.
//!
//! The note, on the grid in 仿宋 as the body: `附件` two cells in, the
//! full-width colon, then the names; several attachments are numbered
//! `1.` `2.`, each number under the first, each name starting on the same
//! column; a long name wraps to the first character of the name above
//! (a hanging indent).

use crate::fonts::{Fonts, Part, Role};
use crate::issue::{Attachment, AttachmentNote};
use crate::layout_data::geometry::{COLUMNS, EM, TITLE_PT};
use crate::layout_data::{Placed, Row};

use super::grid::{self, Face, Glyph, Shape};
use super::rows::{FLUSH, centred_in, gather, grid_rows, runs_of};

/// The cell `附件` starts on: two characters in (左空二字).
const LABEL_CELL: usize = 2;
/// `附件：`, three cells.
const LABEL: &str = "附件：";

/// The note's items, each its lines on the grid: `附件：` before the
/// first, every number on the column after the colon, every name (and its
/// wrapped lines) on the first whole cell after the widest number.
pub fn note_rows(note: &AttachmentNote, fonts: &Fonts) -> Vec<Vec<Row>> {
    let number_cell = LABEL_CELL + LABEL.chars().count();
    let numbers: Vec<Option<String>> = note
        .items
        .iter()
        .map(|i| i.number.as_ref().map(|n| format!("{}.", n.value)))
        .collect();
    // The widest number and a little air after it, in whole cells.
    let widest = numbers
        .iter()
        .flatten()
        .map(|n| grid::width(n, fonts, Face::Body) * EM)
        .fold(0.0, f64::max);
    let number_cells = if widest > 0.0 {
        (widest + 0.15).ceil() as usize
    } else {
        0
    };
    let name_cell = number_cell + number_cells;
    let shape = Shape {
        cells: COLUMNS,
        first_indent: name_cell,
        rest_indent: name_cell,
        em: EM,
    };
    let glyph = |text: String, x: usize, latin: bool| Glyph {
        text,
        x: x as f64,
        face: Face::Body,
        latin,
        half: false,
        tracking: 0.0,
    };
    // `附件：` with no name after it is printed as typed, not lost.
    let label = || {
        LABEL
            .chars()
            .enumerate()
            .map(|(c, ch)| glyph(ch.to_string(), LABEL_CELL + c, false))
    };
    if note.items.is_empty() {
        let glyphs: Vec<Glyph> = label().collect();
        return vec![vec![Row::Grid {
            runs: gather(&glyphs, fonts),
            leader: None,
            number: None,
        }]];
    }
    note.items
        .iter()
        .zip(numbers)
        .enumerate()
        .map(|(k, (item, number))| {
            let mut lines = grid::break_lines(&runs_of(&item.name, Part::Paragraph), shape, fonts);
            if lines.is_empty() {
                lines.push(grid::Line {
                    glyphs: Vec::new(),
                    full: false,
                    adjusted: false,
                    spread: 0.0,
                    width: 0.0,
                });
            }
            let mut before = Vec::new();
            if k == 0 {
                before.extend(label());
            }
            if let Some(n) = number {
                before.push(glyph(n, number_cell, true));
            }
            before.append(&mut lines[0].glyphs);
            lines[0].glyphs = before;
            lines
                .iter()
                .map(|l| Row::Grid {
                    runs: gather(&l.glyphs, fonts),
                    leader: None,
                    number: None,
                })
                .collect()
        })
        .collect()
}

/// An attachment's head: its mark (`附件1`) in 3号 黑体 flush left, and
/// its title's lines centred in the article title's face and size across
/// `width` mm (the type area's; a landscape page's when the attachment is
/// a table set on one).
pub fn head_rows(attachment: &Attachment, fonts: &Fonts, width: f64) -> (Row, Vec<Row>) {
    let mark = grid_rows(&[(attachment.printed_mark(), Face::Heading)], FLUSH, fonts)
        .into_iter()
        .next()
        .expect("a mark of a few characters is one line");
    let title = attachment
        .title
        .iter()
        .flat_map(|line| centred_in(&line.plain(), Role::Title, TITLE_PT, width, fonts))
        .collect();
    (mark, title)
}

/// An attachment's head as it stands at a page's top: the mark on the
/// first grid line, the title from the third (GB/T 9704—2012 §8), a blank
/// line under it (none under a mark without a title).
pub fn placed_head(mark: Row, title: Vec<Row>) -> Vec<Placed> {
    let mut out = vec![Placed {
        line: 0.0,
        row: mark,
    }];
    let mut line = 2;
    for row in title {
        let n = row.lines();
        out.push(Placed {
            line: line as f64,
            row,
        });
        line += n;
    }
    out
}

/// The grid lines a placed head takes, with the blank line under it.
pub fn head_lines(head: &[Placed]) -> usize {
    head.iter()
        .map(|p| p.line as usize + p.row.lines())
        .max()
        .map_or(0, |end| end + 1)
}
