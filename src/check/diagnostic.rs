//! Diagnostics: what went wrong, where (a byte span in a source file), and how
//! to fix it. Rendered as `path:line:col: error[code]: message` with the
//! source line and a caret, or as one JSON object per line.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

/// A file as the user wrote it, with a line index for span → line:column.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as shown to the user (relative to the working folder when possible).
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Arc<Self> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Arc::new(Self {
            path,
            text,
            line_starts,
        })
    }

    /// 1-based line and column (in characters) of a byte offset; offsets past
    /// the end or inside a character are clamped to a valid position.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = self.floor_char(offset.min(self.text.len()));
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        // The byte-order mark at the start of a file is invisible: no column.
        let bom = usize::from(start == 0 && offset > 0 && self.text.starts_with('\u{feff}'));
        let col = self.text[start..offset].chars().count() + 1 - bom;
        (line + 1, col)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    fn floor_char(&self, mut offset: usize) -> usize {
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
    pub span: Range<usize>,
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
}

impl Diagnostic {
    pub fn error(
        code: &'static str,
        file: &Arc<SourceFile>,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Self::at(Severity::Error, code, file, span, message)
    }

    pub fn warning(
        code: &'static str,
        file: &Arc<SourceFile>,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Self::at(Severity::Warning, code, file, span, message)
    }

    fn at(
        severity: Severity,
        code: &'static str,
        file: &Arc<SourceFile>,
        span: Range<usize>,
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
        span: Range<usize>,
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

    /// Human-readable form; `color` adds ANSI colours for a terminal.
    pub fn render(&self, color: bool) -> String {
        let paint = |code: &str, s: &str| {
            if color {
                format!("\x1b[{code}m{s}\x1b[0m")
            } else {
                s.to_string()
            }
        };
        let (line, col) = self.line_col();
        let (word, tint) = match self.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}:{line}:{col}: {}: {}",
            self.path.display(),
            paint(tint, &format!("{word}[{}]", self.code)),
            paint("1", &self.message)
        );
        if let Some(loc) = &self.location {
            snippet(&mut out, loc, None, color);
        }
        for (label, loc) in &self.related {
            let (l, c) = loc.file.line_col(loc.span.start);
            let _ = writeln!(
                out,
                "  {}: {}:{l}:{c}",
                paint("1;36", "note"),
                loc.file.path.display()
            );
            snippet(&mut out, loc, Some(label), color);
        }
        if let Some(help) = &self.help {
            for (i, h) in help.lines().enumerate() {
                let head = if i == 0 {
                    paint("1;32", "help") + ":"
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
        })
        .expect("diagnostic serialises")
    }
}

/// `   12 | source line` and a caret line under the span (first line of it).
fn snippet(out: &mut String, loc: &Location, label: Option<&str>, color: bool) {
    let (line, col) = loc.file.line_col(loc.span.start);
    let (end_line, end_col) = loc.file.line_col(loc.span.end);
    let text = loc.file.line_text(line);
    let shown = text.replace('\t', "    ");
    let width = |s: &str| s.chars().map(display_width).sum::<usize>();
    let lead: String = text.chars().take(col - 1).collect();
    let marked: String = if end_line == line && end_col > col {
        text.chars().skip(col - 1).take(end_col - col).collect()
    } else {
        text.chars().skip(col - 1).take(1).collect()
    };
    let gutter = line.to_string().len();
    let _ = writeln!(out, "{:>gutter$} |", "");
    let _ = writeln!(out, "{line} | {shown}");
    let carets = "^".repeat(width(&marked).max(1));
    let carets = if color {
        format!("\x1b[1;31m{carets}\x1b[0m")
    } else {
        carets
    };
    let label = label.map(|l| format!(" {l}")).unwrap_or_default();
    let _ = writeln!(
        out,
        "{:>gutter$} | {}{carets}{label}",
        "",
        " ".repeat(width(&lead))
    );
}

/// Terminal columns of a character: CJK and full-width forms take two.
pub fn display_width(c: char) -> usize {
    let u = c as u32;
    let wide = matches!(u,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x1F300..=0x1FAFF
            | 0x20000..=0x3FFFD)
        || matches!(c, '“' | '”' | '‘' | '’' | '…' | '—');
    if c == '\t' {
        4
    } else if wide {
        2
    } else {
        1
    }
}
