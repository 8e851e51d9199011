//! The 报头 on page 1 (docs/page-format.md), on whole grid lines: the mark
//! (top left) and 密级/编号 (top right); the red series line, broken into
//! two balanced lines when it is too long for one; the big red name; the
//! 期号 with 增刊/专刊 and （总第N期） on its line or the next; the
//! 编发单位 and the date; the red rule 4 mm below them.

use chrono::Datelike;

use crate::layout_data::geometry::*;
use crate::layout_data::{Align, Placed, Row, Rule, TextItem};

use super::rows::centred;
use crate::config::{Config, TotalPlacement};
use crate::fonts::{Fonts, Role};
use crate::issue::{Issue, chinese_date, chinese_number};

/// The masthead's rows and rule, and how many grid lines it takes down to
/// and including the line of the red rule.
pub struct MastheadRows {
    pub rows: Vec<Placed>,
    pub rules: Vec<Rule>,
    pub lines: usize,
}

fn item(text: &str, role: Role, size: f64, align: Align, red: bool) -> TextItem {
    TextItem {
        text: text.to_string(),
        role,
        size,
        align,
        inset: 0.0,
        red,
    }
}

fn text_row(items: Vec<TextItem>, lines: usize) -> Row {
    Row::Text { items, lines }
}

/// 第4期, 增刊第2期, 2022年增刊第4期, 第四期 — and （总第16期） when it
/// stands on the same line.
fn number_line(issue: &Issue, config: &Config) -> (String, Option<String>) {
    let m = &config.masthead;
    let n = issue.number().0;
    let edition = issue.front.edition.as_deref().map_or("", str::trim);
    // The placeholders are filled around the edition, so an edition is
    // printed as written even if it looked like one.
    let number = around_edition(&m.number_format)
        .iter()
        .map(|part| {
            part.replace("{number_cn}", &chinese_number(n))
                .replace("{number}", &n.to_string())
                .replace("{year}", &issue.date().year().to_string())
        })
        .collect::<Vec<_>>()
        .join(edition);
    let total = issue
        .front
        .total
        .as_ref()
        .map(|t| format!("（总第{}期）", t.value));
    match (total, m.total) {
        (Some(t), TotalPlacement::Inline) => (number + &t, None),
        (t, _) => (number, t),
    }
}

/// `number_format` cut where the edition (增刊, 专刊 …) goes: at its
/// `{edition}` when the office wrote one (nothing there for a regular
/// issue); else where offices print it, right before the 第 of the number
/// (`{year}年第{number}期` → 2026年增刊第1期, `第{number_cn}期` →
/// 增刊第一期), right before the number when no 第 leads it, or first
/// when the format has no number.
fn around_edition(format: &str) -> Vec<&str> {
    if format.contains("{edition}") {
        return format.split("{edition}").collect();
    }
    let number = ["{number}", "{number_cn}"]
        .iter()
        .filter_map(|p| format.find(p))
        .min();
    let at = match number {
        Some(at) => format[..at].strip_suffix('第').map_or(at, str::len),
        None => 0,
    };
    vec![&format[..at], &format[at..]]
}

/// 简报 → 简　报: a two-character name is letter-spaced.
fn spaced_name(title: &str) -> String {
    let mut name = title.to_string();
    if name.chars().count() == 2 {
        let at = name.char_indices().nth(1).map_or(0, |(i, _)| i);
        name.insert(at, '\u{3000}');
    }
    name
}

/// The title of the PDF document: series, name and number.
pub fn document_title(issue: &Issue, config: &Config) -> String {
    let m = &config.masthead;
    let (number, total) = number_line(issue, config);
    format!(
        "{}{} {number}{}",
        m.series.as_deref().unwrap_or(""),
        m.title,
        total.unwrap_or_default()
    )
}

pub fn rows(issue: &Issue, config: &Config, fonts: &Fonts) -> MastheadRows {
    let m = &config.masthead;
    let front = &issue.front;
    let mut rows = Vec::new();
    let mut put = |line: usize, row: Row| {
        rows.push(Placed {
            line: line as f64,
            row,
        })
    };

    // Line 0: the mark at the left, the 密级 at the right; line 1: 编号.
    let mut top = Vec::new();
    if let Some(mark) = front.mark.as_ref().or(m.mark.as_ref()) {
        top.push(item(mark, Role::Heading, BODY_PT, Align::Left, false));
    }
    if let Some(c) = front.classification.as_ref().or(m.classification.as_ref()) {
        top.push(item(c, Role::Heading, BODY_PT, Align::Right, false));
    }
    if !top.is_empty() {
        put(0, text_row(top, 1));
    }
    if let Some(serial) = &front.serial {
        put(
            1,
            text_row(
                vec![item(serial, Role::Body, BODY_PT, Align::Right, false)],
                1,
            ),
        );
    }

    // The red series line from line 2, in two balanced lines if need be.
    let mut line = 2;
    match &m.series {
        Some(series) => {
            for mut row in centred(series, Role::Title, TITLE_PT, fonts) {
                if let Row::Text { items, .. } = &mut row {
                    items.iter_mut().for_each(|i| i.red = true);
                }
                put(line, row);
                line += 1;
            }
        }
        None => line += 1,
    }
    // The name: 初号, red, two lines.
    put(
        line,
        text_row(
            vec![item(
                &spaced_name(&m.title),
                Role::Title,
                NAME_PT,
                Align::Center,
                true,
            )],
            2,
        ),
    );
    line += 2;
    let (number, total) = number_line(issue, config);
    put(
        line,
        text_row(
            vec![item(&number, Role::Body, BODY_PT, Align::Center, false)],
            1,
        ),
    );
    line += 1;
    if let Some(total) = total {
        put(
            line,
            text_row(
                vec![item(&total, Role::Body, BODY_PT, Align::Center, false)],
                1,
            ),
        );
        line += 1;
    }
    // 编发单位 at the left, the date at the right.
    let editor = front.editor.as_ref().unwrap_or(&m.editor);
    put(
        line,
        text_row(
            vec![
                item(editor, Role::Body, BODY_PT, Align::Left, false),
                item(
                    &chinese_date(issue.date()),
                    Role::Body,
                    BODY_PT,
                    Align::Right,
                    false,
                ),
            ],
            1,
        ),
    );
    // The red rule, 0.75 mm, 4 mm below that row's text (GB/T 9704 7.2).
    let text_bottom = (line as f64 + 0.5) * PITCH + BODY_PT * MM_PER_PT / 2.0;
    let rules = vec![Rule {
        at: text_bottom + 4.0 + 0.375,
        thickness: 0.75,
        red: true,
    }];
    MastheadRows {
        rows,
        rules,
        lines: line + 2,
    }
}

#[cfg(test)]
mod tests {
    use super::around_edition;

    #[test]
    fn the_edition_goes_before_the_number() {
        let placed = |format: &str, edition: &str| around_edition(format).join(edition);
        for (format, want) in [
            ("第{number}期", "增刊第{number}期"),
            ("{year}年第{number}期", "{year}年增刊第{number}期"),
            ("第{number_cn}期", "增刊第{number_cn}期"),
            ("{year}年{number}期", "{year}年增刊{number}期"),
            (
                "{year}年第{number}期（{edition}）",
                "{year}年第{number}期（增刊）",
            ),
            ("第 期", "增刊第 期"),
        ] {
            assert_eq!(placed(format, "增刊"), want, "{format}");
        }
        assert_eq!(
            placed("{year}年{edition}第{number}期", ""),
            "{year}年第{number}期"
        );
        assert_eq!(placed("{year}年第{number}期", ""), "{year}年第{number}期");
    }
}
