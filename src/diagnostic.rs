//! Diagnostics: what went wrong, where (a byte span in a source file), and how
//! to fix it. Rendered as `path:line:col: error[code]: message` with the
//! source line and a caret, or as one JSON object per line. Also the
//! problems that stop a run before any file is checked ([`UsageError`]).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anstyle::{AnsiColor, Style};
use serde::Serialize;
use unicode_width::UnicodeWidthChar;

use crate::sandbox;
use crate::script::escape_unprintable;
use crate::source::{SourceFile, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// Where a diagnostic points: a file and a byte range in it. A file that
/// could not be read as text has no source; then only its path is shown
/// (with the byte offset in the message).
#[derive(Debug, Clone)]
pub struct Location {
    pub file: Arc<SourceFile>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable code such as `E-unknown-key`, for suppression lists and tests.
    pub code: &'static str,
    pub message: String,
    pub location: Option<Location>,
    pub path: PathBuf,
    pub help: Option<String>,
    /// Other places that belong to the same problem (the other duplicate, the
    /// opening quote of an unbalanced pair).
    pub related: Vec<(String, Location)>,
    /// `Some(n)`: this line sums up `n` more problems of its kind in its
    /// file, itself the last of them ([`summarise_repeats`]).
    pub sums_up: Option<usize>,
}

impl Diagnostic {
    pub fn error(
        code: &'static str,
        file: &Arc<SourceFile>,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Self::at(Severity::Error, code, file, span, message)
    }

    pub fn warning(
        code: &'static str,
        file: &Arc<SourceFile>,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Self::at(Severity::Warning, code, file, span, message)
    }

    fn at(
        severity: Severity,
        code: &'static str,
        file: &Arc<SourceFile>,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity,
            code,
            message: message.into(),
            path: file.path.clone(),
            location: Some(Location {
                file: file.clone(),
                span,
            }),
            help: None,
            related: Vec::new(),
            sums_up: None,
        }
    }

    /// A problem with a file as a whole (unreadable, not UTF-8).
    pub fn file_error(code: &'static str, path: &Path, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            message: message.into(),
            path: path.to_path_buf(),
            location: None,
            help: None,
            related: Vec::new(),
            sums_up: None,
        }
    }

    /// A warning about a file as a whole (a file that is not read).
    pub fn file_warning(code: &'static str, path: &Path, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::file_error(code, path, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_related(
        mut self,
        label: impl Into<String>,
        file: &Arc<SourceFile>,
        span: Span,
    ) -> Self {
        self.related.push((
            label.into(),
            Location {
                file: file.clone(),
                span,
            },
        ));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// 1-based line and column, (1, 1) for whole-file problems.
    pub fn line_col(&self) -> (usize, usize) {
        match &self.location {
            Some(loc) => loc.file.line_col(loc.span.start),
            None => (1, 1),
        }
    }

    /// Human-readable form, with colour codes for `anstream` to keep on a
    /// terminal and strip elsewhere (see `--color`).
    pub fn render(&self) -> String {
        let (line, col) = self.line_col();
        let (word, tint) = match self.severity {
            Severity::Error => ("error", ERROR),
            Severity::Warning => ("warning", WARNING),
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}:{line}:{col}: {}: {}",
            escape_unprintable(&self.path.display().to_string()),
            paint(tint, &format!("{word}[{}]", self.code)),
            paint(BOLD, &shorten(&escape_unprintable(&self.message)))
        );
        if let Some(loc) = &self.location {
            snippet(&mut out, loc, None);
        }
        for (label, loc) in &self.related {
            let (l, c) = loc.file.line_col(loc.span.start);
            let _ = writeln!(
                out,
                "  {}: {}:{l}:{c}",
                paint(NOTE, "note"),
                escape_unprintable(&loc.file.path.display().to_string())
            );
            snippet(&mut out, loc, Some(&escape_unprintable(label)));
        }
        if let Some(help) = &self.help {
            for (i, h) in help.lines().map(escape_unprintable).enumerate() {
                let head = if i == 0 {
                    paint(HELP, "help") + ":"
                } else {
                    "     ".into()
                };
                let _ = writeln!(out, "  {head} {h}");
            }
        }
        out
    }

    /// One JSON object (one line) for editors and CI annotations.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Pos {
            line: usize,
            column: usize,
        }
        #[derive(Serialize)]
        struct Related {
            file: String,
            line: usize,
            column: usize,
            label: String,
        }
        #[derive(Serialize)]
        struct Json<'a> {
            file: String,
            line: usize,
            column: usize,
            end: Pos,
            severity: Severity,
            code: &'a str,
            message: &'a str,
            help: Option<&'a str>,
            related: Vec<Related>,
            /// A line that stands for this many of the same kind in the
            /// file, itself included (after the first five of a kind, one
            /// line sums up the rest).
            #[serde(skip_serializing_if = "Option::is_none")]
            repeats: Option<usize>,
        }
        let (line, column) = self.line_col();
        let (end_line, end_column) = match &self.location {
            Some(loc) => loc.file.line_col(loc.span.end),
            None => (line, column),
        };
        let related = self
            .related
            .iter()
            .map(|(label, loc)| {
                let (line, column) = loc.file.line_col(loc.span.start);
                Related {
                    file: loc.file.path.display().to_string(),
                    line,
                    column,
                    label: label.clone(),
                }
            })
            .collect();
        serde_json::to_string(&Json {
            file: self.path.display().to_string(),
            line,
            column,
            end: Pos {
                line: end_line,
                column: end_column,
            },
            severity: self.severity,
            code: self.code,
            message: &self.message,
            help: self.help.as_deref(),
            related,
            repeats: self.sums_up,
        })
        .expect("diagnostic serialises")
    }
}

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const NOTE: Style = AnsiColor::Cyan.on_default().bold();
const HELP: Style = AnsiColor::Green.on_default().bold();
const BOLD: Style = Style::new().bold();

fn paint(style: Style, s: &str) -> String {
    format!("{style}{s}{style:#}")
}

/// Columns of the source line shown around the caret: a longer line is
/// cut to a window with `…` at the cut ends, so a diagnostic on a line of
/// 100,000 characters is still two short lines.
const WINDOW: usize = 100;
/// Columns of the text before the caret a cut line keeps at least.
const BEFORE: usize = 30;

/// `   12 | source line` and a caret line under the span (under its first
/// character when it runs on to another line). Tabs are shown as four
/// spaces, unprintable characters escaped (`<U+001B>`), and a long line as
/// a window around the caret.
fn snippet(out: &mut String, loc: &Location, label: Option<&str>) {
    let file = &loc.file;
    let (line, _) = file.line_col(loc.span.start);
    let (end_line, _) = file.line_col(loc.span.end);
    let text = file.line_span(line);
    let start = file.floor_char(loc.span.start).min(text.end);
    let end = file.floor_char(loc.span.end).min(text.end);
    // The byte-order mark a file may start with is not part of its text.
    let line_start = match text.start {
        0 if file.text.starts_with('\u{feff}') => '\u{feff}'.len_utf8().min(start),
        s => s,
    };
    let lead = shown(&file.text[line_start..start]);
    let rest = &file.text[start..text.end];
    let marked_len = if end_line == line && end > start {
        end - start
    } else {
        rest.chars().next().map_or(0, char::len_utf8)
    };
    let mut marked = shown(&rest[..marked_len]);
    let mut after = shown(&rest[marked_len..]);
    let mut lead = lead.as_str();
    let (mut cut_start, mut cut_end) = (false, false);
    if columns(lead) + columns(&marked) + columns(&after) > WINDOW {
        if columns(&marked) > WINDOW - BEFORE {
            marked = take_columns(&marked, WINDOW - BEFORE).to_string();
            cut_end = true;
            after.clear();
        }
        let room = WINDOW - BEFORE - columns(&marked);
        if columns(&after) > room {
            after = take_columns(&after, room).to_string();
            cut_end = true;
        }
        // What the text after the caret leaves goes to the text before it.
        let room = WINDOW - columns(&marked) - columns(&after);
        if columns(lead) > room {
            lead = last_columns(lead, room);
            cut_start = true;
        }
    }
    let (open, close) = (
        if cut_start { "…" } else { "" },
        if cut_end { "…" } else { "" },
    );
    let gutter = line.to_string().len();
    let _ = writeln!(out, "{:>gutter$} |", "");
    let _ = writeln!(out, "{line} | {open}{lead}{marked}{after}{close}");
    let carets = paint(ERROR, &"^".repeat(columns(&marked).max(1)));
    let label = label.map(|l| format!(" {l}")).unwrap_or_default();
    let _ = writeln!(
        out,
        "{:>gutter$} | {}{carets}{label}",
        "",
        " ".repeat(columns(open) + columns(lead))
    );
}

/// Columns of a message: more than any message says by itself, less than
/// a name of any length it may quote.
const MESSAGE: usize = 300;

/// A message cut to [`MESSAGE`] columns with `…`; `--format json` keeps
/// it whole.
fn shorten(message: &str) -> std::borrow::Cow<'_, str> {
    if columns(message) <= MESSAGE {
        return message.into();
    }
    format!("{}…", take_columns(message, MESSAGE)).into()
}

/// Source text as a diagnostic shows it: tabs as four spaces, unprintable
/// characters escaped.
fn shown(text: &str) -> String {
    escape_unprintable(text).replace('\t', "    ")
}

/// The longest start of `text` that fits in `n` columns.
fn take_columns(text: &str, n: usize) -> &str {
    let mut used = 0;
    for (i, c) in text.char_indices() {
        used += columns(c.encode_utf8(&mut [0; 4]));
        if used > n {
            return &text[..i];
        }
    }
    text
}

/// The longest end of `text` that fits in `n` columns.
fn last_columns(text: &str, n: usize) -> &str {
    let mut used = 0;
    for (i, c) in text.char_indices().rev() {
        used += columns(c.encode_utf8(&mut [0; 4]));
        if used > n {
            return &text[i + c.len_utf8()..];
        }
    }
    text
}

/// Terminal columns of a text, for carets that line up under it. A
/// Chinese-locale terminal draws the characters of ambiguous East Asian
/// width (“ ” ‘ ’ … — ① × ℃ ·) two columns wide, as the GB fonts do, so
/// they count two (`width_cjk`), like ideographs and full-width forms. A
/// tab is shown as four spaces; control characters take no column.
fn columns(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            '\t' => 4,
            c => c.width_cjk().unwrap_or(0),
        })
        .sum()
}

/// At most `keep` diagnostics with the same code in one file: the rest
/// become one line at the last of them that says how many more there are
/// (`help` gives its fix, by code). A line of 2,000 pasted commas is five
/// warnings and a count, not 2,000 copies of the line.
pub fn summarise_repeats(
    diags: &mut Vec<Diagnostic>,
    keep: usize,
    help: impl Fn(&'static str) -> Option<String>,
) {
    use std::collections::HashMap;
    type Kind = (&'static str, Severity);
    // A line that already sums some up counts for them all: the rule can
    // run again when more problems are found (pictures decoded later).
    let mut count: HashMap<Kind, usize> = HashMap::new();
    for d in diags.iter() {
        *count.entry((d.code, d.severity)).or_default() += d.sums_up.unwrap_or(1);
    }
    // One more than `keep` is shown as it is: a line saying "one more"
    // would hide its reason and save nothing.
    if count.values().all(|&n| n <= keep + 1) {
        return;
    }
    diags.sort_by_key(|d| d.location.as_ref().map_or(0, |l| l.span.start));
    let mut kept: HashMap<Kind, usize> = HashMap::new();
    let mut last: HashMap<Kind, Diagnostic> = HashMap::new();
    let mut order = Vec::new();
    diags.retain(|d| {
        let kind = (d.code, d.severity);
        if d.sums_up.is_none() {
            let n = kept.entry(kind).or_default();
            if *n < keep {
                *n += 1;
                return true;
            }
        }
        if !last.contains_key(&kind) {
            order.push(kind);
        }
        last.insert(kind, d.clone());
        false
    });
    for kind in order {
        let mut d = last.remove(&kind).expect("a dropped diagnostic");
        let more = count[&kind] - keep;
        if more == 1 && d.sums_up.is_none() {
            diags.push(d);
            continue;
        }
        d.message = format!("还有 {more} 处同类问题，这里是最后一处");
        d.help = help(kind.0);
        d.related.clear();
        d.sums_up = Some(more);
        diags.push(d);
    }
}

/// A problem that stops before any file can be checked: no `jianbao.toml`,
/// an unreadable folder, an issue that does not exist, a font that cannot
/// be found. Exit status 2.
#[derive(Debug)]
pub struct UsageError {
    pub message: String,
    pub help: Option<String>,
}

impl UsageError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            help: None,
        }
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// The message on one line whatever it quotes (a newline in a file
/// name is shown as `<U+000A>`), as a diagnostic's; the help may have
/// lines of its own.
impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error: {}", escape_unprintable(&self.message))?;
        if let Some(h) = &self.help {
            let lines: Vec<_> = h.split('\n').map(escape_unprintable).collect();
            write!(f, "\n  help: {}", lines.join("\n"))?;
        }
        Ok(())
    }
}

impl std::error::Error for UsageError {}

impl UsageError {
    /// What a run could not do with a file, as every command says it:
    /// `{doing}：{error}` with the error's help. A system error about the
    /// path `doing` already names does not name it again (`无法写入
    /// out/004.pdf: Permission denied`).
    pub fn cannot(doing: &str, error: &sandbox::Error) -> UsageError {
        let message = match error.problem() {
            sandbox::Problem::Io(io)
                if doing.ends_with(&crate::source::show_path(error.path())) =>
            {
                format!("{doing}: {io}")
            }
            // The path said once: `无法写入 out/001-1.png：是期刊用的图片…`.
            sandbox::Problem::Said(said)
                if error.what().is_none()
                    && doing.ends_with(&crate::source::show_path(error.path())) =>
            {
                format!("{doing}：{said}")
            }
            _ => format!("{doing}：{error}"),
        };
        let usage = UsageError::new(message);
        match error.help() {
            Some(help) => usage.help(help),
            None => usage,
        }
    }
}

/// Reads a text file: UTF-8 only, a BOM is kept for the parser to skip.
/// A file or folder that was refused (`shown` as the user sees it): the
/// reason, and what to do where it is known.
pub fn unreadable(shown: &Path, refusal: &sandbox::Refusal) -> Diagnostic {
    let d = Diagnostic::file_error(
        "unreadable",
        shown,
        format!("{} {refusal}", shown.display()),
    );
    match refusal.help() {
        Some(help) => d.with_help(help),
        None => d,
    }
}

/// `shown` is the path as the user sees it; the file must be a regular
/// file inside the publication folder `root` (canonical) and no larger
/// than [`sandbox::TEXT_LIMIT`]. A file that cannot be read as text is a
/// diagnostic in `diags`.
pub fn read_source(
    root: &Path,
    path: &Path,
    shown: PathBuf,
    diags: &mut Vec<Diagnostic>,
) -> Option<Arc<SourceFile>> {
    let bytes = match sandbox::inside(root, path)
        .and_then(|real| sandbox::read(&real, sandbox::TEXT_LIMIT))
    {
        Ok(b) => b,
        Err(refusal) => {
            diags.push(unreadable(&shown, &refusal));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Some(SourceFile::new(shown, text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            // Point at the bad byte's line and column in the text before it.
            let good = String::from_utf8_lossy(&bytes[..at]).into_owned();
            let file = SourceFile::new(shown, good);
            let looks_gbk = bytes[at..].iter().take(2).all(|b| *b >= 0x81);
            // Notepad's "Unicode" is UTF-16 with a byte-order mark; without
            // one, every other byte of Chinese or ASCII text is often zero.
            let zeros = bytes.iter().take(4096).filter(|b| **b == 0).count();
            let looks_utf16 = bytes.starts_with(&[0xFF, 0xFE])
                || bytes.starts_with(&[0xFE, 0xFF])
                || zeros * 4 > bytes.len().min(4096);
            let d = Diagnostic::error(
                "not-utf8",
                &file,
                at..at,
                format!(
                    "文件不是 UTF-8 编码：第 {} 字节（0x{:02X}）不是合法的 UTF-8",
                    at + 1,
                    bytes[at]
                ),
            )
            .with_help(if looks_utf16 {
                "这个文件是 UTF-16 编码（记事本叫它“Unicode”）。用记事本“另存为”并选 UTF-8，或运行 iconv -f UTF-16 -t UTF-8"
            } else if looks_gbk {
                "这个文件像是 GBK/GB2312 编码。用记事本“另存为”并选 UTF-8，或运行 iconv -f GBK -t UTF-8"
            } else {
                "把文件另存为 UTF-8 编码"
            });
            diags.push(d);
            None
        }
    }
}

/// The known name closest to a misspelt one, for "did you mean": one
/// edit away for short names, two for longer ones.
pub fn nearest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (strsim::levenshtein(word, k), *k))
        .filter(|(d, k)| *d <= if k.chars().count() <= 4 { 1 } else { 2 })
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_nearest_key() {
        assert_eq!(
            nearest("nubmer", &["number", "date", "total"]),
            Some("number")
        );
        assert_eq!(nearest("dat", &["number", "date"]), Some("date"));
        assert_eq!(nearest("chao", &["bao", "song", "fa"]), None);
        assert_eq!(nearest("zzzzzz", &["number", "date"]), None);
    }

    #[test]
    fn repeats_are_summed_up_once_however_often_the_rule_runs() {
        let text = "，".repeat(20);
        let file = SourceFile::new(PathBuf::from("t.md"), text.clone());
        let at = |i: usize| {
            let o = i * '，'.len_utf8();
            Diagnostic::warning("x", &file, o..o + 3, "m")
        };
        let mut diags: Vec<Diagnostic> = (0..8).map(at).collect();
        summarise_repeats(&mut diags, 5, |_| None);
        assert_eq!(diags.len(), 6);
        assert_eq!(diags[5].sums_up, Some(3));
        diags.extend((8..12).map(at));
        summarise_repeats(&mut diags, 5, |_| None);
        assert_eq!(diags.len(), 6);
        assert_eq!(diags[5].message, "还有 7 处同类问题，这里是最后一处");
        assert_eq!(diags[5].location.as_ref().unwrap().span.start, 11 * 3);
    }

    #[test]
    fn one_more_than_kept_is_shown_as_it_is() {
        let file = SourceFile::new(PathBuf::from("t.md"), "，".repeat(20));
        let at = |i: usize, code: &'static str| {
            let o = i * '，'.len_utf8();
            Diagnostic::warning(code, &file, o..o + 3, "m")
        };
        let mut diags: Vec<Diagnostic> = (0..6).map(|i| at(i, "x")).collect();
        summarise_repeats(&mut diags, 5, |_| None);
        assert_eq!(diags.len(), 6);
        assert!(diags.iter().all(|d| d.message == "m"));
        // Also beside another kind that is summed up.
        diags.extend((6..14).map(|i| at(i, "y")));
        summarise_repeats(&mut diags, 5, |_| None);
        assert_eq!(
            diags
                .iter()
                .filter(|d| d.code == "x" && d.message == "m")
                .count(),
            6
        );
        assert_eq!(diags.iter().filter(|d| d.code == "y").count(), 6);
    }

    #[test]
    fn carets_count_ambiguous_width_characters_as_two_columns() {
        let text = "温度“①×℃·”偏高\n";
        let file = SourceFile::new(PathBuf::from("t.md"), text.to_string());
        let at = text.find('偏').unwrap();
        let d = Diagnostic::warning("x", &file, at..at + '偏'.len_utf8() * 2, "m");
        let rendered = anstream::adapter::strip_str(&d.render()).to_string();
        let carets = rendered.lines().nth(3).unwrap();
        // 温度 4, “①×℃·” 12: the carets start at column 16, two per ideograph.
        assert_eq!(carets, format!("  | {}^^^^", " ".repeat(16)));
    }
}
