//! 本期要目: under the masthead of an issue with two or more articles, a
//! heading and one entry per article — its title, a dot leader and the page
//! it starts on, right-aligned — grouped under their 【栏目】; a title too
//! long for one line wraps where the title itself breaks (its `# ` lines,
//! then its words: [`title`]), with a hanging indent. On the character
//! grid, like the body.

use crate::layout_data::geometry::*;
use crate::layout_data::{Align, Row, TextItem};

use super::grid::{self, Face, Measure, Shape};
use super::page::Flow;
use super::rows::{gather, grid_rows};
use super::title;
use crate::config::Config;
use crate::fonts::{Fonts, Role};
use crate::issue::{Block, Issue, articles};

/// Cells kept at the right of an entry for its page number.
const NUMBER_CELLS: usize = 3;

/// Opening quotes and brackets: their ink in the right half of the cell.
const OPENING_MARKS: &str = "“‘（《「『【〔〖〈［｛";

/// The 本期要目 as rows to page, or `None` when the issue has fewer than
/// two articles or it is turned off (`[masthead] contents = false`, or
/// `contents = false` in the issue).
pub fn flow(issue: &Issue, config: &Config, fonts: &Fonts) -> Option<Flow> {
    let on = issue.front.contents.unwrap_or(config.masthead.contents);
    let mut entries: Vec<(Option<String>, Vec<String>)> = Vec::new();
    let mut label: Option<String> = None;
    // An attachment's titles are no articles of the 简报.
    for block in articles(&issue.body) {
        match block {
            Block::Label(t) => label = Some(t.plain()),
            Block::Title { lines, .. } => {
                // The title as it is set: its typed lines, each broken
                // where it does not fit a line of its own.
                let cap = WIDTH / (TITLE_PT * MM_PER_PT);
                let set = lines
                    .iter()
                    .flat_map(|l| title::break_title(&l.plain(), cap, fonts, Face::Body))
                    .collect();
                entries.push((label.clone(), set));
            }
            _ => {}
        }
    }
    if !on || entries.len() < 2 {
        return None;
    }
    let grouped = entries.iter().any(|(l, _)| l.is_some());
    let mut flow = Flow::default();
    flow.rows(vec![Row::Text {
        items: vec![TextItem {
            text: "本期要目".into(),
            role: Role::Heading,
            size: BODY_PT,
            align: Align::Center,
            inset: 0.0,
            red: false,
        }],
        lines: 1,
    }]);
    let mut current: Option<&String> = None;
    for (n, (label, title)) in entries.iter().enumerate() {
        if label.as_ref() != current {
            current = label.as_ref();
            if let Some(l) = label {
                let shape = Shape {
                    cells: COLUMNS,
                    first_indent: 0,
                    rest_indent: 0,
                    em: EM,
                };
                // A label stays with its first entry.
                flow.keeper(grid_rows(&[(l.clone(), Face::Heading)], shape, fonts), 1);
            }
        }
        let indent = if grouped { 2 } else { 0 };
        let shape = Shape {
            cells: COLUMNS - NUMBER_CELLS,
            first_indent: indent,
            rest_indent: indent + 2,
            em: EM,
        };
        let lines: Vec<grid::Line> = entry_lines(title, shape, fonts)
            .iter()
            .enumerate()
            .flat_map(|(k, text)| {
                // Each line set by itself at its own indent.
                let indent = if k == 0 {
                    shape.first_indent
                } else {
                    shape.rest_indent
                };
                let one = Shape {
                    first_indent: indent,
                    rest_indent: indent,
                    ..shape
                };
                let mut set = grid::break_lines(&[(text.clone(), Face::Body)], one, fonts);
                // A continued line that opens with “ 《 （: the mark's ink
                // (the right half of its cell) at the hanging indent, so
                // the text is not half a cell right of the line above.
                if k > 0
                    && let Some(line) = set.first_mut()
                    && line.glyphs.first().is_some_and(|g| {
                        !g.latin && g.text.starts_with(|c| OPENING_MARKS.contains(c))
                    })
                {
                    line.glyphs.iter_mut().for_each(|g| g.x -= 0.5);
                }
                set
            })
            .collect();
        let last = lines.len().saturating_sub(1);
        for (k, line) in lines.iter().enumerate() {
            let (leader, number) = if k == last {
                // The leader starts half a cell after the text.
                (Some(line_end(line, fonts) + 0.5), Some(String::new()))
            } else {
                (None, None)
            };
            let row = Row::Grid {
                runs: gather(&line.glyphs, fonts),
                leader,
                number,
            };
            if k == last {
                flow.contents_row(row, Some(n));
            } else {
                // An entry's lines stay on one page, with its number.
                flow.keeper(vec![row], 1);
            }
        }
    }
    // A blank line between the 本期要目 and what follows, so that an
    // editor's note under it is not read as part of it; before a title or
    // a label (a blank line of its own above it), the one of the two
    // that the first article's start gives up to begin on page 1.
    if matches!(
        issue.body.first(),
        Some(Block::Label(_) | Block::Title { .. })
    ) {
        flow.label_blank();
    } else {
        flow.weak_blank();
    }
    Some(flow)
}

/// An entry's lines: the title's own lines (typed, or broken by meaning)
/// run together while they fit the entry's line; a piece longer than a
/// line breaks between words, left-aligned.
fn entry_lines(pieces: &[String], shape: Shape, fonts: &Fonts) -> Vec<String> {
    let first = (shape.cells - shape.first_indent) as f64;
    let rest = (shape.cells - shape.rest_indent) as f64;
    let width = |t: &str| -> f64 {
        t.chars()
            .map(|c| {
                if grid::is_wide(c) {
                    1.0
                } else {
                    Measure::advance(fonts, c, Face::Body, true) * shape.em
                }
            })
            .sum()
    };
    let whole: String = pieces.concat();
    let mut lines: Vec<String> = Vec::new();
    if width(&whole) <= first + 1e-6 {
        return vec![whole];
    }
    for piece in pieces {
        // The cap of the line being filled, and of a new one.
        let last_cap = if lines.len() == 1 { first } else { rest };
        let new_cap = if lines.is_empty() { first } else { rest };
        match lines.last_mut() {
            Some(line) if width(line) + width(piece) <= last_cap + 1e-6 => line.push_str(piece),
            _ if width(piece) <= new_cap + 1e-6 => lines.push(piece.clone()),
            _ => lines.extend(title::break_flush(
                piece,
                new_cap,
                rest,
                fonts,
                Face::Body,
                shape.em,
            )),
        }
    }
    lines
}

/// Where a line's last glyph ends, in cells.
fn line_end(line: &grid::Line, fonts: &Fonts) -> f64 {
    line.glyphs.last().map_or(0.0, |g| {
        let width = if g.latin {
            g.text
                .chars()
                .map(|c| Measure::advance(fonts, c, g.face, true))
                .sum::<f64>()
                * EM
        } else {
            g.text.chars().count() as f64
        };
        g.x + width
    })
}
