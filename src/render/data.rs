//! The issue as the layout reads it (`/issue.json`): every page with its
//! rows already placed on grid lines. Pagination happens here, in Rust,
//! where the grid is exact and the page an article starts on is known
//! before anything is drawn (the 本期要目 needs it); the layout only draws.
//! The body is data here, never Typst source, so nothing a clerk types can
//! be evaluated.
//!
//! The schema is documented in `docs/layout-data.md`.

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use super::face;
use super::grid::{self, Face, Shape};
use super::page::{self, Flow, ParagraphKind};
use super::picture;
use super::title;
use crate::config::Config;
use crate::fonts::{Fonts, Part, Role};
use crate::issue::{Block, Issue, Text, note_label};

/// GB/T 9704 page geometry, in millimetres (docs/page-format.md).
pub mod geometry {
    pub const PAGE_WIDTH: f64 = 210.0;
    pub const PAGE_HEIGHT: f64 = 297.0;
    pub const LEFT: f64 = 28.0;
    pub const TOP: f64 = 37.0;
    pub const WIDTH: f64 = 156.0;
    pub const HEIGHT: f64 = 225.0;
    pub const LINES: usize = 22;
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
}

use geometry::*;

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
    /// The closing block could not share the last page of text: how many
    /// lines the text would have to lose for it to fit there.
    #[serde(skip)]
    pub closing_alone: Option<usize>,
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
    pub role: &'static str,
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
}

/// A row and the grid line (0–21) its top sits on: a whole line, but for
/// the closing block in its tighter setting (`render/page.rs`).
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
}

impl Row {
    pub fn lines(&self) -> usize {
        match self {
            Row::Grid { .. } => 1,
            Row::Text { lines, .. } | Row::Pictures { lines, .. } => *lines,
        }
    }
}

/// Glyphs in one face a whole cell apart (or one Latin word): typst sets
/// them as one text whose tracking makes the cell.
#[derive(Serialize, Clone, Debug)]
pub struct Run {
    pub text: String,
    /// Left edge of the first glyph's box, in cells from the line's start.
    pub x: f64,
    /// The role whose faces set it.
    pub face: &'static str,
    /// Latin letters or digits: natural width, no tracking.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub latin: bool,
    /// The run ends with a mark squeezed to half at the line end.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub half: bool,
    /// Latin text whose letters are set further apart, in cells (a split
    /// URL filling its line).
    #[serde(skip_serializing_if = "super::grid::is_zero")]
    pub tracking: f64,
    /// Full-width glyphs: from one glyph to the next, in cells (a cell,
    /// and the spread of a stretched line).
    #[serde(skip_serializing_if = "is_one")]
    pub step: f64,
}

fn is_one(x: &f64) -> bool {
    *x == 1.0
}

/// A piece of text on a `text` row.
#[derive(Serialize, Clone)]
pub struct TextItem {
    pub text: String,
    pub role: &'static str,
    /// Size in pt.
    pub size: f64,
    /// `left`, `center` or `right`.
    pub align: &'static str,
    /// Distance from the aligned edge, in mm (inwards).
    pub inset: f64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub red: bool,
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
    /// The virtual paths of every picture the layout shows.
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

/// An em of 3号 in cells: 16 pt type on a 156 mm / 28 cell.
pub const EM: f64 = BODY_PT * MM_PER_PT / CELL;

pub const PARAGRAPH: Shape = Shape {
    cells: COLUMNS,
    first_indent: 2,
    rest_indent: 0,
    em: EM,
};
pub const FLUSH: Shape = Shape {
    cells: COLUMNS,
    first_indent: 0,
    rest_indent: 0,
    em: EM,
};

pub fn layout_data(issue: &Issue, config: &Config, fonts: &Fonts, root: &Path) -> LayoutData {
    let masthead = super::masthead::rows(issue, config, fonts);
    let flow = body_flow(&issue.body, fonts, root, &issue.source.text);
    let contents = super::contents::flow(issue, config, fonts);
    let closing = super::closing::rows(issue, config, fonts);
    let laid = page::paginate(masthead, contents, flow, closing);
    // Rare characters a family maps to an empty glyph (AR PL UKai's 䶮):
    // that family must not set them.
    let mut chars: Vec<char> = issue
        .source
        .text
        .chars()
        .filter(|c| !c.is_ascii())
        .collect();
    chars.sort_unstable();
    chars.dedup();
    let fonts_data = Role::ALL
        .iter()
        .map(|&role| {
            let (weight, families) = fonts.role(role);
            let mut blank: Vec<(&str, char)> = Vec::new();
            for &c in &chars {
                blank.extend(fonts.blank_in(role, c).into_iter().map(|f| (f, c)));
            }
            let families = families
                .iter()
                .map(|f| {
                    let skip: String = blank
                        .iter()
                        .filter(|(name, _)| *name == f.family)
                        .map(|(_, c)| format!("\\x{{{:X}}}", *c as u32))
                        .collect();
                    if skip.is_empty() {
                        Family::Name(f.family.clone())
                    } else {
                        Family::Covers {
                            name: f.family.clone(),
                            covers: format!("[^{skip}]"),
                        }
                    }
                })
                .collect();
            FontRole {
                role: role.key(),
                families,
                weight,
            }
        })
        .collect();
    LayoutData {
        grid: Grid {
            left: LEFT,
            top: TOP,
            width: WIDTH,
            height: HEIGHT,
            pitch: PITCH,
            cell: CELL,
            lines: LINES,
            size: BODY_PT,
        },
        fonts: fonts_data,
        latin: fonts
            .role(Role::Latin)
            .1
            .iter()
            .map(|f| f.family.clone())
            .collect(),
        title: super::masthead::document_title(issue, config),
        pages: laid.pages,
        closing_alone: laid.closing_alone,
    }
}

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
    let runs = gather_runs(glyphs, m, false);
    if runs.len() > CROWDED {
        gather_runs(glyphs, m, true)
    } else {
        runs
    }
}

/// More runs than this on a line of 28 cells is a line of alternating
/// scripts: an ordinary line has a few.
const CROWDED: usize = COLUMNS / 2;

/// The runs of a line's glyphs; `across`: a run may pass over glyphs of
/// another face or script (see [`gather`]).
fn gather_runs(glyphs: &[grid::Glyph], m: &dyn grid::Measure, across: bool) -> Vec<Run> {
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
            .map(|c| m.advance(c, g.face, true) * EM);
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
                    (1.0 - advance * EM) / 2.0
                } else {
                    0.0
                };
                out.push(Run {
                    text: g.text.clone(),
                    x: g.x + centring,
                    face: face_key(g.face),
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

pub fn face_key(face: Face) -> &'static str {
    match face {
        Face::Body => "body",
        Face::Heading => "heading",
        Face::Subheading => "subheading",
    }
}

/// A centred line (titles, lead-in, subtitle): a line too long for the
/// type area breaks between words, as evenly as the words allow.
pub fn centred(text: &str, role: Role, size_pt: f64, fonts: &Fonts) -> Vec<Row> {
    let cap = WIDTH / (size_pt * MM_PER_PT);
    let setting = super::Setting { fonts, role };
    title::break_title(text, cap, &setting, face(role))
        .into_iter()
        .map(|t| Row::Text {
            items: vec![TextItem {
                text: t,
                role: role.key(),
                size: size_pt,
                align: "center",
                inset: 0.0,
                red: false,
            }],
            lines: 1,
        })
        .collect()
}

/// Whether two blocks are pictures on consecutive lines of the file.
pub(super) fn adjacent(source: &str, a: &Block, b: &Block) -> bool {
    match (a, b) {
        (Block::Picture { path: pa, .. }, Block::Picture { caption: cb, .. }) => source
            .get(pa.span.end..cb.span.start)
            .is_some_and(|between| between.matches('\n').count() == 1),
        _ => false,
    }
}

/// The body as a flow of rows with what must stay together.
fn body_flow(blocks: &[Block], fonts: &Fonts, root: &Path, source: &str) -> Flow {
    let mut flow = Flow::default();
    // Paragraphs, most of a body, are broken into lines side by side.
    let mut paragraphs: Vec<Option<Vec<Row>>> = blocks
        .par_iter()
        .map(|block| match block {
            Block::Paragraph(text) => {
                Some(grid_rows(&runs_of(text, Part::Paragraph), PARAGRAPH, fonts))
            }
            _ => None,
        })
        .collect();
    let mut article = 0;
    let mut i = 0;
    while i < blocks.len() {
        match &blocks[i] {
            Block::Label(text) => {
                // A blank line above a column label, none at a page top; the
                // label keeps with two lines of what follows.
                flow.weak_blank();
                flow.keeper(grid_rows(&runs_of(text, Part::Label), FLUSH, fonts), 2);
            }
            Block::Title {
                lead,
                lines,
                subtitle,
                byline,
            } => {
                flow.weak_blank();
                let mut rows = Vec::new();
                if let Some(lead) = lead {
                    rows.extend(centred(&lead.plain(), Role::Subheading, BODY_PT, fonts));
                }
                for line in lines {
                    rows.extend(centred(&line.plain(), Role::Title, TITLE_PT, fonts));
                }
                if let Some(sub) = subtitle {
                    rows.extend(centred(&sub.plain(), Role::Subheading, BODY_PT, fonts));
                }
                // A speech's speaker and date, 3号 楷体 centred (practice
                // for 讲话稿; GB/T 9704 has no rule for them).
                for line in byline {
                    rows.extend(centred(&line.plain(), Role::Subheading, BODY_PT, fonts));
                }
                flow.start_article(article);
                article += 1;
                flow.keeper(rows, 0);
                // A blank line under the title, kept with two lines of text.
                flow.blank_kept(2);
            }
            Block::Heading {
                level, head, rest, ..
            } => {
                let mut r = runs_of(head, Part::Head(*level));
                if let Some(rest) = rest {
                    r.extend(runs_of(rest, Part::RunIn));
                }
                let rows = grid_rows(&r, PARAGRAPH, fonts);
                // A heading on its own line stays with the next line — unless
                // a heading of its level or above follows: one-line items
                // of a list (（1）…（2）…) may part like paragraphs. A
                // heading with its text run in is a paragraph.
                let heads_text = match blocks.get(i + 1) {
                    Some(Block::Heading { level: next, .. }) => next > level,
                    Some(_) => true,
                    None => false,
                };
                if rest.is_none() && heads_text {
                    flow.heading(rows, 1);
                } else {
                    flow.paragraph(rows, ParagraphKind::RunInHeading);
                }
            }
            Block::Paragraph(_) => flow.paragraph(
                paragraphs[i].take().unwrap_or_default(),
                ParagraphKind::Text,
            ),
            Block::Note(paras) => {
                // A note before an article (编者按 above its title) ends on
                // the title's page.
                let before_title = matches!(blocks.get(i + 1), Some(Block::Title { .. }));
                for (k, p) in paras.iter().enumerate() {
                    let mut r = runs_of(p, Part::Note);
                    if k == 0 {
                        let plain = p.plain();
                        let label_face = face(Part::NoteLabel.role(false));
                        match note_label(&plain) {
                            Some(l) => {
                                // Set the typed label in 黑体.
                                let mut rest = r[0].0.split_off(l.len());
                                std::mem::swap(&mut rest, &mut r[0].0);
                                r.insert(0, (rest.replace(':', "："), label_face));
                            }
                            None => r.insert(0, ("编者按：".into(), label_face)),
                        }
                    }
                    flow.paragraph(grid_rows(&r, PARAGRAPH, fonts), ParagraphKind::Text);
                }
                if before_title {
                    flow.keep_last(1);
                }
            }
            Block::Picture { .. } => {
                // Pictures on consecutive lines share a row where they fit;
                // a blank line between two pictures keeps them apart.
                let mut j = i + 1;
                while j < blocks.len() && adjacent(source, &blocks[j - 1], &blocks[j]) {
                    j += 1;
                }
                for row in picture::rows(&blocks[i..j], root, fonts) {
                    let smaller = picture::smaller(&row, fonts);
                    flow.pictures(row, smaller);
                }
                i = j;
                continue;
            }
        }
        i += 1;
    }
    flow
}
