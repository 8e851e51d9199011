//! The 报尾 (docs/page-format.md, 报/送/发 block): 报/送/发 and 本期增发 in 4号 仿宋,
//! inset 1 字, each list wrapped between units and aligned after its
//! colon; the 印发 line with the unit at the left and the date at the
//! right (the unit wrapped when both do not fit); （共印N份） on a line of
//! its own at the right. One grid line each; where the block stands on the
//! page and its rules are decided by pagination.

use super::grid::{self, Face};
use crate::config::Config;
use crate::fonts::{Fonts, Role};
use crate::issue::{Issue, chinese_date};
use crate::layout_data::geometry::*;
use crate::layout_data::{Align, Row, TextItem};

/// The closing block's lines, top to bottom.
pub struct Closing {
    pub rows: Vec<Row>,
    /// The first 印发 line (a thin rule stands above it).
    pub imprint_from: usize,
}

fn item(text: String, align: Align, inset: f64) -> TextItem {
    TextItem {
        text,
        role: Role::Body,
        size: CLOSING_PT,
        align,
        inset,
        red: false,
    }
}

pub fn rows(issue: &Issue, config: &Config, fonts: &Fonts) -> Closing {
    let imprint = &config.imprint;
    let em = CLOSING_PT * MM_PER_PT;
    // Ems of 4号 in the type area, less 1 字 inset each side.
    let cells = (WIDTH / em) - 2.0;
    let mut rows = Vec::new();
    for (_, label, units) in issue.front.distribution.lists() {
        if units.is_empty() {
            continue;
        }
        let label = format!("{label}：");
        let label_width = label.chars().count() as f64;
        let names: Vec<&str> = units.iter().map(|u| u.value.as_str()).collect();
        // Wrapped lines align after the colon.
        let room = (cells - label_width).floor();
        let lines = wrap_units(&names, &imprint.separator, &imprint.terminator, room, fonts);
        for (i, line) in lines.into_iter().enumerate() {
            let mut items = Vec::new();
            if i == 0 {
                items.push(item(label.clone(), Align::Left, em));
            }
            items.push(item(line, Align::Left, em * (1.0 + label_width)));
            rows.push(Row::Text { items, lines: 1 });
        }
    }
    let imprint_from = rows.len();
    let unit = issue
        .front
        .publisher
        .clone()
        .unwrap_or_else(|| imprint.publisher.clone());
    let date = format!("{}印发", chinese_date(issue.date()));
    let unit_lines = imprint_lines(&unit, &date, cells, fonts);
    let last = unit_lines.len() - 1;
    for (i, line) in unit_lines.into_iter().enumerate() {
        let mut items = vec![item(line, Align::Left, em)];
        if i == last {
            items.push(item(date.clone(), Align::Right, em));
        }
        rows.push(Row::Text { items, lines: 1 });
    }
    if let Some(n) = issue.front.copies {
        rows.push(Row::Text {
            items: vec![item(format!("（共印{n}份）"), Align::Right, em)],
            lines: 1,
        });
    }
    Closing { rows, imprint_from }
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
