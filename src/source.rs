//! Source files as the user wrote them, byte spans into them, and paths as
//! the user should see them. The bottom of the crate: imports nothing from
//! it but [`crate::script`]'s escaping of unprintable characters.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A byte range in a source file.
pub type Span = Range<usize>;

/// A value together with the place in the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }
}

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
        let offset = self.floor_char(offset);
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        // The byte-order mark at the start of a file is invisible: no column.
        let bom = usize::from(start == 0 && offset > 0 && self.text.starts_with('\u{feff}'));
        let col = self.text[start..offset].chars().count() + 1 - bom;
        (line + 1, col)
    }

    /// The byte range of a 1-based line, without its line ending.
    pub fn line_span(&self, line: usize) -> Span {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        let text = self.text[start..end].trim_end_matches(['\n', '\r']);
        start..start + text.len()
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        &self.text[self.line_span(line)]
    }

    /// The offset clamped into the text and moved back to the start of the
    /// character it falls in.
    pub fn floor_char(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// A path as the user should see it: relative to the working folder when
/// it is below it.
pub fn display_path(path: &Path) -> PathBuf {
    // The working folder does not change during a run: resolve it once.
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let cwd = CWD
        .get_or_init(|| {
            std::env::current_dir()
                .ok()
                .and_then(|c| c.canonicalize().ok())
        })
        .clone();
    // The folder is resolved, not the file: a link is shown where it is,
    // not where it leads.
    let abs = match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            parent.canonicalize().map(|p| p.join(name))
        }
        _ => path.canonicalize(),
    }
    .unwrap_or_else(|_| path.to_path_buf());
    match cwd.and_then(|c| abs.strip_prefix(&c).ok().map(Path::to_path_buf)) {
        Some(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Some(rel) => rel,
        None => abs,
    }
}

/// A path as text for a message: [`display_path`], with every character
/// that would act on a terminal or break the line written escaped
/// (`<U+000A>` for a newline in a file name), as diagnostics show their
/// source lines ([`crate::script::escape_unprintable`]). Every path a
/// message shows goes through here (or through a [`crate::diagnostic`],
/// which escapes its own).
pub fn show_path(path: &Path) -> String {
    // A tab may stand in text, not in a name on one line of output.
    crate::script::escape_unprintable(&display_path(path).display().to_string())
        .replace('\t', "<U+0009>")
}
