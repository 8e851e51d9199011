//! One issue of the bulletin: its front matter (number, date, distribution)
//! and its body, parsed with spans so every problem can point at its place.

mod body;
mod front_matter;
mod model;
mod table;
mod text;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

pub use body::{
    LineKind, attachment_mark, heading_number, item_number, line_kind, loose_level_one, parse_body,
    split_heading,
};
/// Lines as byte ranges: how the front matter's `+++` lines are found, here and in `serve`.
pub(crate) use front_matter::line_spans;
pub use front_matter::{FrontMatter, FrontParts, parse_front_matter};
pub use model::*;
pub use table::{caption_line, is_note_line, options_line};

/// An issue file found under `issues/`.
#[derive(Debug, Clone)]
pub struct IssueFile {
    /// `004`, `2023/001`.
    pub id: String,
    pub path: PathBuf,
}

impl IssueFile {
    /// The series the number counts in: the year folder, or `""`.
    pub fn series(&self) -> &str {
        self.id.rsplit_once('/').map_or("", |(s, _)| s)
    }

    /// The number in the file name, if the name is a number (`004` → 4).
    pub fn file_number(&self) -> Option<u32> {
        let stem = self.id.rsplit('/').next()?;
        stem.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| stem.parse().ok())
            .flatten()
    }
}

/// A parsed issue file.
#[derive(Debug, Clone)]
pub struct Issue {
    /// The issue's id: its path under `issues/` without extension (`004`, `2023/001`).
    pub id: String,
    pub source: Arc<SourceFile>,
    pub front: FrontMatter,
    pub body: Vec<Block>,
}

/// An issue file as far as it could be parsed. Checking looks at every
/// part that parsed, so one run reports the body's problems even when the
/// front matter is broken; building needs a whole [`Issue`].
#[derive(Debug, Clone)]
pub struct Parsed {
    pub id: String,
    pub source: Arc<SourceFile>,
    pub front: Option<FrontMatter>,
    /// The 报/送/发 lists and the front matter's span, even when other
    /// fields have errors.
    pub distribution: Option<(Distribution, Span)>,
    /// The printed strings of the front matter, as far as they parsed.
    pub printed: Vec<Printed>,
    /// `None` when the front matter could not be delimited.
    pub body: Option<Vec<Block>>,
}

impl Parsed {
    /// Parses an issue file; problems are pushed to `diags`.
    pub fn parse(id: String, source: Arc<SourceFile>, diags: &mut Vec<Diagnostic>) -> Parsed {
        match parse_front_matter(&source, diags) {
            Some(parts) => {
                let body = parse_body(&source, parts.body_start, diags);
                Parsed {
                    id,
                    source,
                    front: parts.front,
                    distribution: parts.distribution.map(|d| (d, parts.span)),
                    printed: parts.printed,
                    body: Some(body),
                }
            }
            None => Parsed {
                id,
                source,
                front: None,
                distribution: None,
                printed: Vec::new(),
                body: None,
            },
        }
    }

    /// The whole issue, when both parts parsed.
    pub fn into_issue(self) -> Option<Issue> {
        Some(Issue {
            id: self.id,
            source: self.source,
            front: self.front?,
            body: self.body?,
        })
    }
}

impl Issue {
    /// Parses an issue file. Problems are pushed to `diags`; `None` when the
    /// file cannot be understood well enough to build anything from it.
    pub fn parse(
        id: String,
        source: Arc<SourceFile>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Issue> {
        Parsed::parse(id, source, diags).into_issue()
    }

    pub fn number(&self) -> IssueNumber {
        self.front.number.value
    }

    pub fn date(&self) -> NaiveDate {
        self.front.date.value
    }
}
