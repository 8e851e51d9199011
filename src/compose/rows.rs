//! Rows of the layout data made from text: grid lines from the composer's
//! glyphs, and centred lines broken between words.

use crate::fonts::{Fonts, Part, Role};
use crate::issue::Text;
use crate::layout_data::geometry::*;
use crate::layout_data::{Align, Row, Run, TextItem};

use super::grid::{self, Face, Shape};
use super::title;

/// The grid face that sets a role's text. Title lines are centred, not
/// on the grid; they are measured with the body face.
pub fn face(role: Role) -> Face {
    match role {
        Role::Heading => Face::Heading,
        Role::Subheading => Face::Subheading,
        _ => Face::Body,
    }
}

/// The role whose faces set a grid face's text.
pub fn role(face: Face) -> Role {
    match face {
        Face::Body => Role::Body,
        Face::Heading => Role::Heading,
        Face::Subheading => Role::Subheading,
    }
}

/// A paragraph of body text: 28 cells, the first line indented two.
pub const PARAGRAPH: Shape = Shape {
    cells: COLUMNS,
    first_indent: 2,
    rest_indent: 0,
    em: EM,
};
/// A line flush left: column labels, the 本期要目.
pub const FLUSH: Shape = Shape {
    cells: COLUMNS,
    first_indent: 0,
    rest_indent: 0,
    em: EM,
};

pub fn runs_of(text: &Text, part: Part) -> Vec<(String, Face)> {
    text.runs
        .iter()
        .map(|r| (r.text.clone(), face(part.role(r.emphasis))))
        .collect()
}

/// Lines of the character grid: the composer's glyphs gathered into runs.
pub fn grid_rows(runs: &[(String, Face)], shape: Shape, fonts: &Fonts) -> Vec<Row> {
    grid::break_lines(runs, shape, fonts)
        .into_iter()
        .map(|l| Row::Grid {
            runs: gather(&l.glyphs, fonts),
            leader: None,
            number: None,
        })
        .collect()
}

/// Gathers glyphs into runs that typst can set as one text: full-width
/// glyphs of one face an equal step apart (a cell, or a cell and the
/// line's spread). Two marks side by side start a new run, since typst
/// would squeeze them together (CLREQ 3.1.6.2) where jianbao has decided
/// their widths. A glyph whose face is not one em wide (a fallback face:
/// cwTeX 仿宋 is 0.92 em) is a run of its own, centred in its cell: in a
/// run, typst would advance the glyphs after it by its width, off their
/// columns.
pub fn gather(glyphs: &[grid::Glyph], m: &dyn grid::Measure) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    let mut last: Option<(&grid::Glyph, bool)> = None;
    // Glyphs in the last run: its step is set by its second.
    let mut count = 0;
    for g in glyphs {
        let advance = (!g.latin)
            .then(|| g.text.chars().next())
            .flatten()
            .map_or(1.0, |c| m.advance(c, g.face, false));
        let alone = (advance - 1.0).abs() > 1e-3;
        let joins = |run: &Run| {
            !alone
                && last.is_some_and(|(p, p_alone)| {
                    let step = g.x - p.x;
                    let steady = if count == 1 {
                        (0.5..2.0).contains(&step)
                    } else {
                        (step - run.step).abs() < 1e-9
                    };
                    !(p_alone || p.latin || g.latin || p.half)
                        && p.face == g.face
                        && steady
                        && !(is_mark(&p.text) && is_mark(&g.text))
                })
        };
        // The composer already centres a glyph narrower than 0.9 em (a
        // middle dot) in its cell.
        let centring = if alone && advance >= 0.9 && !is_mark(&g.text) {
            // The cell less the glyph (16 pt type, an em a little more than
            // a cell), halved.
            (1.0 - advance * EM) / 2.0
        } else {
            0.0
        };
        match out.last_mut() {
            Some(run) if joins(run) => {
                if let Some((p, _)) = last {
                    run.step = g.x - p.x;
                }
                run.text.push_str(&g.text);
                run.half = g.half;
                count += 1;
            }
            _ => {
                out.push(Run {
                    text: g.text.clone(),
                    x: g.x + centring,
                    face: role(g.face),
                    latin: g.latin,
                    half: g.half,
                    tracking: g.tracking,
                    step: 1.0,
                });
                count = 1;
            }
        }
        last = Some((g, alone));
    }
    out
}

/// The CJK marks typst squeezes or trims (its BEGIN/END punctuation sets).
fn is_mark(s: &str) -> bool {
    s.chars().count() == 1
        && "“‘《〈（『「【〖〔［｛”’，．。、：；》〉）』」】〗〕］｝？！".contains(s)
}

/// A centred line (titles, lead-in, subtitle): a line too long for the
/// type area breaks between words, as evenly as the words allow.
pub fn centred(text: &str, role: Role, size_pt: f64, fonts: &Fonts) -> Vec<Row> {
    let cap = WIDTH / (size_pt * MM_PER_PT);
    title::break_title(text, cap, fonts, face(role))
        .into_iter()
        .map(|t| Row::Text {
            items: vec![TextItem {
                text: t,
                role,
                size: size_pt,
                align: Align::Center,
                inset: 0.0,
                red: false,
            }],
            lines: 1,
        })
        .collect()
}
