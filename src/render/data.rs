//! The issue as the layout reads it (`/issue.json`): masthead strings, the
//! body already broken into grid lines and grouped where lines must stay on
//! one page, and the closing block. The body is data here, never Typst
//! source, so nothing a clerk types can be evaluated.

use chrono::Datelike;
use serde::Serialize;

use super::face;
use super::grid::{self, Face, Glyph, Shape};
use super::title;
use crate::config::Config;
use crate::fonts::{Fonts, Part, Role};
use crate::issue::{Block, Issue, Text, chinese_date, chinese_number, note_label};

/// GB/T 9704 page geometry, in millimetres (bulletin-format §1).
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
    /// 2号, article titles and the series line.
    pub const TITLE_PT: f64 = 22.0;
    pub const MM_PER_PT: f64 = 25.4 / 72.0;
}

use geometry::*;

#[derive(Serialize)]
pub struct LayoutData {
    pub grid: Grid,
    pub fonts: Vec<FontRole>,
    /// Families for Latin letters and digits, tried before a role's own
    /// wherever typst sets the text (titles, masthead, closing block).
    pub latin: Vec<String>,
    pub masthead: MastheadData,
    /// Groups of rows; a page never breaks inside a group.
    pub body: Vec<Vec<Row>>,
    pub closing: Closing,
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
    pub families: Vec<String>,
    pub weight: u16,
}

#[derive(Serialize)]
pub struct MastheadData {
    pub mark: Option<String>,
    pub series: Option<String>,
    pub title: String,
    pub number: String,
    pub editor: String,
    pub date: String,
}

/// One grid line of the body.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Row {
    /// Glyphs on the character grid.
    Grid {
        glyphs: Vec<Glyph>,
        full: bool,
    },
    /// A centred line outside the character grid (titles).
    Center {
        text: String,
        role: &'static str,
        size: f64,
    },
    Blank,
    /// The masthead of the first page (a fixed number of grid lines).
    Masthead {
        lines: usize,
    },
    /// A picture and its caption; the layout gives it whole grid lines.
    Picture {
        path: String,
        caption: String,
    },
}

#[derive(Serialize)]
pub struct Closing {
    /// 报/送/发 rows: label and the wrapped lines of the list.
    pub lists: Vec<ClosingList>,
    /// The unit in 印发, wrapped; the date stands right on its last line.
    pub unit: Vec<String>,
    pub date: String,
    pub copies: Option<String>,
    pub size: f64,
}

#[derive(Serialize)]
pub struct ClosingList {
    pub label: String,
    pub lines: Vec<String>,
}

/// Lines the masthead takes on page 1: mark, blank, series, name (2),
/// number, editor/date row, red rule, and the two blank lines the title
/// keeps below the rule (bulletin-format §6).
pub const MASTHEAD_LINES: usize = 10;

pub fn layout_data(issue: &Issue, config: &Config, fonts: &Fonts) -> LayoutData {
    let front = &issue.front;
    let m = &config.masthead;
    let mut title = m.title.clone();
    if title.chars().count() == 2 {
        // 简报 → 简　报: two-character names are letter-spaced.
        title.insert(title.char_indices().nth(1).unwrap().0, '\u{3000}');
    }
    let n = issue.number().0;
    let mut number = m
        .number_format
        .replace("{number_cn}", &chinese_number(n))
        .replace("{number}", &n.to_string())
        .replace("{year}", &issue.date().year().to_string());
    if let Some(edition) = &front.edition {
        number = format!("{edition}{number}");
    }
    if let Some(total) = front.total {
        number.push_str(&format!("（总第{total}期）"));
    }
    let masthead = MastheadData {
        mark: front.mark.clone().or_else(|| m.mark.clone()),
        series: m.series.clone(),
        title,
        number,
        editor: front.editor.clone().unwrap_or_else(|| m.editor.clone()),
        date: chinese_date(issue.date()),
    };
    let fonts_data = Role::ALL
        .iter()
        .map(|&role| {
            let (weight, families) = fonts.role(role);
            FontRole {
                role: role.key(),
                families: families.iter().map(|f| f.family.clone()).collect(),
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
        masthead,
        body: body_rows(&issue.body, fonts),
        closing: closing(issue, config, fonts),
    }
}

fn runs(text: &Text, part: Part) -> Vec<(String, Face)> {
    text.runs
        .iter()
        .map(|r| (r.text.clone(), face(part.role(r.emphasis))))
        .collect()
}

/// An em of 3号 in cells: 16 pt type on a 156 mm / 28 cell.
const EM: f64 = BODY_PT * MM_PER_PT / CELL;

const PARAGRAPH: Shape = Shape {
    cells: COLUMNS,
    first_indent: 2,
    rest_indent: 0,
    em: EM,
};
const FLUSH: Shape = Shape {
    cells: COLUMNS,
    first_indent: 0,
    rest_indent: 0,
    em: EM,
};

fn grid_rows(runs: &[(String, Face)], shape: Shape, fonts: &Fonts) -> Vec<Row> {
    grid::break_lines(runs, shape, fonts)
        .into_iter()
        .map(|l| Row::Grid {
            glyphs: l.glyphs,
            full: l.full,
        })
        .collect()
}

/// Centred lines (titles, lead-in, subtitle): a line too long for the
/// type area breaks between words, as evenly as the words allow.
fn centred(text: &Text, part: Part, size_pt: f64, fonts: &Fonts) -> Vec<Row> {
    let cap = WIDTH / (size_pt * MM_PER_PT);
    let role = part.role(false);
    title::break_title(&text.plain(), cap, fonts, face(role))
        .into_iter()
        .map(|t| Row::Center {
            text: t,
            role: role.key(),
            size: size_pt,
        })
        .collect()
}

fn body_rows(blocks: &[Block], fonts: &Fonts) -> Vec<Vec<Row>> {
    let mut groups: Vec<Vec<Row>> = vec![vec![Row::Masthead {
        lines: MASTHEAD_LINES,
    }]];
    // Rows that must stay with the first line of what follows (titles, headings).
    let mut keep: Vec<Row> = Vec::new();
    let mut first_block = true;
    for block in blocks {
        let rows: Vec<Row> = match block {
            Block::Title {
                lead,
                lines,
                subtitle,
            } => {
                if !first_block {
                    keep.push(Row::Blank);
                }
                if let Some(lead) = lead {
                    keep.extend(centred(lead, Part::Lead, BODY_PT, fonts));
                }
                for line in lines {
                    keep.extend(centred(line, Part::TitleLine, TITLE_PT, fonts));
                }
                if let Some(sub) = subtitle {
                    keep.extend(centred(sub, Part::Subtitle, BODY_PT, fonts));
                }
                keep.push(Row::Blank);
                first_block = false;
                continue;
            }
            Block::Heading {
                level, head, rest, ..
            } => {
                let mut r = runs(head, Part::Head(*level));
                if let Some(rest) = rest {
                    r.extend(runs(rest, Part::RunIn));
                }
                let rows = grid_rows(&r, PARAGRAPH, fonts);
                if rest.is_none() {
                    // A heading on its own line stays with the next line.
                    keep.extend(rows);
                    first_block = false;
                    continue;
                }
                rows
            }
            Block::Paragraph(text) => grid_rows(&runs(text, Part::Paragraph), PARAGRAPH, fonts),
            Block::Note(paras) => {
                let mut rows = Vec::new();
                for (i, p) in paras.iter().enumerate() {
                    let mut r = runs(p, Part::Note);
                    if i == 0 {
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
                    rows.extend(grid_rows(&r, PARAGRAPH, fonts));
                }
                rows
            }
            Block::Label(text) => grid_rows(&runs(text, Part::Label), FLUSH, fonts),
            Block::Picture { caption, path } => {
                vec![Row::Picture {
                    path: format!("/{}", path.value.trim_start_matches("./")),
                    caption: caption.plain(),
                }]
            }
        };
        first_block = false;
        let mut rows = rows.into_iter();
        if !keep.is_empty() {
            let mut group = std::mem::take(&mut keep);
            group.extend(rows.next());
            groups.push(group);
        }
        groups.extend(rows.map(|r| vec![r]));
    }
    if !keep.is_empty() {
        groups.push(keep);
    }
    // The first title sits right under the masthead's blank lines.
    if let Some(g) = groups
        .get_mut(1)
        .filter(|g| matches!(g.first(), Some(Row::Blank)))
    {
        g.remove(0);
    }
    groups
}

fn closing(issue: &Issue, config: &Config, fonts: &Fonts) -> Closing {
    let imprint = &config.imprint;
    // Cells of 4号 in the type area less 1 字 inset each side.
    let cells = (WIDTH / (CLOSING_PT * MM_PER_PT)) - 2.0;
    let mut lists = Vec::new();
    for (_, label, units) in issue.front.distribution.lists() {
        if units.is_empty() {
            continue;
        }
        let names: Vec<&str> = units.iter().map(|u| u.value.as_str()).collect();
        // Wrapped lines align after the colon.
        let room = (cells - 2.0).floor();
        let lines = wrap_units(&names, &imprint.separator, &imprint.terminator, room, fonts);
        lists.push(ClosingList {
            label: format!("{label}："),
            lines,
        });
    }
    let unit = issue
        .front
        .publisher
        .clone()
        .unwrap_or_else(|| imprint.publisher.clone());
    let date = format!("{}印发", chinese_date(issue.date()));
    Closing {
        lists,
        unit: imprint_lines(&unit, &date, cells, fonts),
        date,
        copies: issue.front.copies.map(|n| format!("（共印{n}份）")),
        size: CLOSING_PT,
    }
}

/// Packs the units of a 报/送/发 list into lines, breaking between units
/// (a unit's name is only split when it is longer than a line).
fn wrap_units(
    names: &[&str],
    separator: &str,
    terminator: &str,
    room: f64,
    fonts: &Fonts,
) -> Vec<String> {
    let w = |s: &str| grid::width(s, fonts, Face::Body);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for (i, name) in names.iter().enumerate() {
        let piece = format!(
            "{name}{}",
            if i + 1 == names.len() {
                terminator
            } else {
                separator
            }
        );
        if w(&line) + w(&piece) <= room + 1e-9 {
            line.push_str(&piece);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if w(&piece) <= room {
            line = piece;
        } else {
            let mut parts = grid::break_plain(&piece, room, room, fonts, Face::Body);
            line = parts.pop().unwrap_or_default();
            lines.extend(parts);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Breaks the 印发 unit so that the date fits right on its last line with
/// at least 1 字 between. Prefers breaking after a word that ends an
/// organisation's name (局, 委, 活动 …) and balanced lines.
fn imprint_lines(unit: &str, date: &str, cells: f64, fonts: &Fonts) -> Vec<String> {
    let w = |s: &str| grid::width(s, fonts, Face::Body);
    let date_w = w(date) + 1.0;
    if w(unit) + date_w <= cells {
        return vec![unit.to_string()];
    }
    let chars: Vec<(usize, char)> = unit.char_indices().collect();
    let ends = "局委会厅部院处组动府社司所";
    let candidates = |only_words: bool| {
        chars
            .iter()
            .skip(1)
            .filter(move |(i, _)| !only_words || unit[..*i].ends_with(|c| ends.contains(c)))
            .map(|(i, _)| *i)
            .filter(|&i| w(&unit[..i]) <= cells && w(&unit[i..]) + date_w <= cells)
            .min_by(|&a, &b| {
                let d = |i: usize| (w(&unit[..i]) - w(&unit[i..]) - date_w).abs();
                d(a).total_cmp(&d(b))
            })
    };
    match candidates(true).or_else(|| candidates(false)) {
        Some(i) => vec![unit[..i].to_string(), unit[i..].to_string()],
        // A unit too long for two lines: wrap it, the date gets a line of its own.
        None => {
            let mut lines = grid::break_plain(unit, cells, cells, fonts, Face::Body);
            lines.push(String::new());
            lines
        }
    }
}
