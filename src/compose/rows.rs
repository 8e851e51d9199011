//! Rows of the layout data made from text: grid lines from the composer's
//! glyphs, and centred lines broken between words.

use crate::fonts::{Fonts, Part, Role};
use crate::issue::Text;
use crate::layout_data::geometry::*;
use crate::layout_data::{Align, Row, Run, TextItem};

use super::grid::{self, Face, Shape};
use super::measure::role;
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
    grid_rows_by(runs, shape, fonts, &|_| 0.0)
}

/// As [`grid_rows`], a break after the first `n` characters costing
/// `cut(n)` more (a heading's cuts inside its words).
pub fn grid_rows_by(
    runs: &[(String, Face)],
    shape: Shape,
    fonts: &Fonts,
    cut: &dyn Fn(usize) -> f64,
) -> Vec<Row> {
    grid::break_lines_by(runs, shape, fonts, cut)
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
/// line's spread), and single Latin letters or digits of one advance an
/// equal step apart (set with tracking). Two marks side by side start a
/// new run, since typst would squeeze them together (CLREQ 3.1.6.2) where
/// jianbao has decided their widths. A glyph whose face is not one em wide
/// (a fallback face: cwTeX 仿宋 is 0.92 em) is a run of its own, centred
/// in its cell: in a run, typst would advance the glyphs after it by its
/// width, off their columns.
///
/// A line that would take more than [`CROWDED`] runs (strictly
/// alternating scripts, "1中1中…": a run a character, and each run costs
/// typst a few kilobytes: such a paragraph of a million characters took
/// gigabytes) is gathered again with runs that pass over glyphs of another
/// face or script: its 中 one run a step of their own apart, its 1 another.
/// Every run is placed by its own `x`, so the glyphs land where the
/// composer put them either way; only the order of the runs in the PDF's
/// text differs from the reading order, and only on such lines.
pub fn gather(glyphs: &[grid::Glyph], m: &dyn grid::Measure) -> Vec<Run> {
    gather_em(glyphs, m, EM)
}

/// As [`gather`], for glyphs set with an em of `em` cells (a table's
/// text is set with its own em as the cell: 1).
pub fn gather_em(glyphs: &[grid::Glyph], m: &dyn grid::Measure, em: f64) -> Vec<Run> {
    let runs = gather_runs(glyphs, m, false, em);
    if runs.len() > CROWDED {
        gather_runs(glyphs, m, true, em)
    } else {
        runs
    }
}

/// More runs than this on a line of 28 cells is a line of alternating
/// scripts: an ordinary line has a few.
const CROWDED: usize = COLUMNS / 2;

/// The runs of a line's glyphs; `across`: a run may pass over glyphs of
/// another face or script (see [`gather`]).
fn gather_runs(glyphs: &[grid::Glyph], m: &dyn grid::Measure, across: bool, em: f64) -> Vec<Run> {
    /// The run a face (and script) is adding to.
    struct Open<'g> {
        run: usize,
        last: &'g grid::Glyph,
        count: usize,
        /// From one glyph to the next, once there are two.
        step: f64,
        /// A Latin run: its letters' advance, in cells.
        latin_advance: f64,
    }
    let mut out: Vec<Run> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    for g in glyphs {
        let first = g.text.chars().next();
        let advance = (!g.latin)
            .then_some(first)
            .flatten()
            .map_or(1.0, |c| m.advance(c, g.face, false));
        let alone = (advance - 1.0).abs() > 1e-3;
        // A single Latin letter or digit, its advance in cells.
        let letter = (g.latin && g.tracking == 0.0 && g.text.chars().count() == 1)
            .then_some(first)
            .flatten()
            .map(|c| m.advance(c, g.face, true) * em);
        let slot = open
            .iter()
            .position(|o| o.last.face == g.face && o.last.latin == g.latin);
        let joins = |o: &Open| {
            if !across && o.run + 1 != out.len() {
                return false;
            }
            let p = o.last;
            let step = g.x - p.x;
            let steady = |least: f64| {
                if o.count == 1 {
                    step >= least && step < least + 1.5
                } else {
                    (step - o.step).abs() < 1e-9
                }
            };
            if g.latin {
                letter.is_some_and(|a| (a - o.latin_advance).abs() < 1e-9 && steady(a))
            } else {
                !alone
                    && !p.half
                    && (o.count > 1 || (0.5..2.0).contains(&step))
                    && steady(0.5)
                    && !(is_mark(&p.text) && is_mark(&g.text))
            }
        };
        match slot.filter(|&k| joins(&open[k])) {
            Some(k) => {
                let o = &mut open[k];
                let run = &mut out[o.run];
                o.step = g.x - o.last.x;
                if g.latin {
                    run.tracking = o.step - o.latin_advance;
                } else {
                    run.step = o.step;
                    run.half = g.half;
                }
                run.text.push_str(&g.text);
                o.last = g;
                o.count += 1;
            }
            None => {
                // The composer already centres a glyph narrower than 0.9
                // em (a middle dot) in its cell.
                let centring = if alone && advance >= 0.9 && !is_mark(&g.text) {
                    // The cell less the glyph (16 pt type, an em a little
                    // more than a cell), halved.
                    (1.0 - advance * em) / 2.0
                } else {
                    0.0
                };
                out.push(Run {
                    text: g.text.clone(),
                    x: g.x + centring,
                    face: role(g.face),
                    latin: g.latin,
                    half: g.half,
                    tracking: g.tracking,
                    step: 1.0,
                });
                // A glyph alone, a Latin word or a half mark starts no run
                // that others join.
                let joinable = if g.latin { letter.is_some() } else { !alone };
                let entry = Open {
                    run: out.len() - 1,
                    last: g,
                    count: 1,
                    step: 0.0,
                    latin_advance: letter.unwrap_or(0.0),
                };
                match (slot, joinable) {
                    (Some(k), true) => open[k] = entry,
                    (Some(k), false) => {
                        open.remove(k);
                    }
                    (None, true) => open.push(entry),
                    (None, false) => {}
                }
            }
        }
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
    centred_in(text, role, size_pt, WIDTH, fonts)
}

/// The same, across `width` mm (a landscape page's type area).
pub fn centred_in(text: &str, role: Role, size_pt: f64, width: f64, fonts: &Fonts) -> Vec<Row> {
    let cap = width / (size_pt * MM_PER_PT);
    let setting = super::measure::Setting { fonts, role };
    title::break_title(text, cap, &setting, face(role))
        .into_iter()
        .map(|t| {
            // A line that ends with a pause mark (…危险化学品、) is centred
            // on its text, the mark hanging: typst centres it with the
            // mark's inked half, and the light mark reads as nothing, so
            // the line looked off to the left.
            let hang = t.ends_with(|c| "、，；：。".contains(c));
            Row::Text {
                items: vec![TextItem {
                    text: t,
                    role,
                    size: size_pt,
                    align: Align::Center,
                    inset: if hang { size_pt * MM_PER_PT / 4.0 } else { 0.0 },
                    red: false,
                }],
                lines: 1,
            }
        })
        .collect()
}
