//! Validation: the rules an issue must pass before it is built, reported as
//! diagnostics with spans. `jianbao check` runs them all; `jianbao build`
//! runs the same and builds only the issues without errors.

mod body;
mod front;

use std::path::Path;

use chrono::NaiveDate;

pub use front::check_series;

use crate::diagnostic::Diagnostic;
use crate::fonts::Fonts;
use crate::issue::{IssueFile, Parsed};

/// What the rules need besides the issue itself.
pub struct Context<'a> {
    /// The publication folder: pictures must be inside it.
    pub root: &'a Path,
    /// The fonts of the build; `None` skips the "no font can print" rule.
    pub fonts: Option<&'a Fonts>,
    pub today: NaiveDate,
    /// Whether body text is cleaned before layout (`[text] clean`): then
    /// what the cleaner changes is reported.
    pub clean: bool,
}

/// Every rule on one issue on its own (the series rules are in
/// [`check_series`]).
pub fn check_issue(parsed: &Parsed, file: &IssueFile, ctx: &Context) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    if let Some(front) = &parsed.front {
        front::check_front(&parsed.source, front, file, ctx, &mut diags);
    }
    if let Some((distribution, span)) = &parsed.distribution {
        front::check_distribution(&parsed.source, distribution, span, &mut diags);
    }
    if let Some(body) = &parsed.body {
        body::check_body(
            &parsed.source,
            parsed.distribution.as_ref().map(|d| &d.0),
            body,
            ctx,
            &mut diags,
        );
    }
    diags
}
