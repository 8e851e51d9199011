//! What the parsers of the body share: a line, the blanks around it, and
//! inline text with its `**emphasis**`.

use std::sync::Arc;

use super::model::{Inline, Text};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

/// Spaces that Word users paste around paragraphs.
pub fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\u{3000}' | '\u{a0}')
}

/// A body line, trimmed, with the byte span of what is left.
pub struct Line<'a> {
    pub text: &'a str,
    pub span: Span,
    /// The whole line as typed, blanks and all (its `\r` too): tables
    /// read their tabs from it, and lines next to each other are found
    /// by it.
    pub raw: Span,
    /// What the line's tabs make of it in a pasted table.
    pub tabs: Tabs,
    /// A paragraph or a heading by itself, as a table's row may be
    /// typed (`单位 | 次数`, `1.<tab>城关`); not a title, note or picture.
    pub plain: bool,
}

/// What a line with tabs may be in a table pasted from a spreadsheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tabs {
    /// No row: no tab, or a line marked as something else (`# `, `>`).
    No,
    /// A row under a table's first rows: tabs, but text in one cell only
    /// (`合计<tab><tab>`), or a heading number and a tab.
    Continues,
    /// A row that may start a table: text in two cells or more.
    Starts,
}

impl Line<'_> {
    /// Whether `next` is the line right under this one (no blank line
    /// between).
    pub fn touches(&self, next: &Line) -> bool {
        next.raw.start == self.raw.end + 1
    }
}

/// Splits `**emphasis**` runs. An unclosed `**` is an error.
pub fn inline_text(
    file: &Arc<SourceFile>,
    text: &str,
    offset: usize,
    diags: &mut Vec<Diagnostic>,
) -> Text {
    let span = offset..offset + text.len();
    let mut runs = Vec::new();
    let mut emphasis = false;
    let mut open_at = 0;
    let mut rest = text;
    let mut pos = 0;
    while let Some(i) = rest.find("**") {
        if i > 0 {
            runs.push(Inline {
                text: rest[..i].to_string(),
                emphasis,
            });
        }
        if !emphasis {
            open_at = pos + i;
        }
        emphasis = !emphasis;
        pos += i + 2;
        rest = &rest[i + 2..];
    }
    if emphasis {
        let at = offset + open_at;
        diags.push(
            Diagnostic::error(
                "unclosed-emphasis",
                file,
                at..at + 2,
                "强调标记 ** 没有配对的结束 **",
            )
            .with_help("在要强调的文字后面再加一个 **；如果 ** 本来就是正文，在行首加 \\"),
        );
        // Print the rest as it was typed.
        runs.push(Inline {
            text: format!("**{rest}"),
            emphasis: false,
        });
    } else if !rest.is_empty() {
        runs.push(Inline {
            text: rest.to_string(),
            emphasis,
        });
    }
    merge_runs(&mut runs);
    Text { runs, span }
}

fn merge_runs(runs: &mut Vec<Inline>) {
    runs.retain(|r| !r.text.is_empty());
    let mut i = 1;
    while i < runs.len() {
        if runs[i].emphasis == runs[i - 1].emphasis {
            let t = runs.remove(i).text;
            runs[i - 1].text.push_str(&t);
        } else {
            i += 1;
        }
    }
}
