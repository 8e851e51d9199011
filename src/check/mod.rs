//! Validation: the rules an issue must pass before it is built, reported as
//! diagnostics with spans. `jianbao check` runs them all; `jianbao build`
//! runs the same and builds only the issues without errors.

mod attachments;
mod body;
mod context;
mod front;
mod masthead;
mod printable;

use std::path::Path;

pub use context::Context;
pub use front::{Series, check_series, edition_number};

use crate::config::{Config, PdfStandard};
use crate::diagnostic::Diagnostic;
use crate::fonts::{Fonts, characters, printed_characters};
use crate::issue::{Issue, IssueFile, Parsed};

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
        body::check_body(&parsed.source, body, ctx, &mut diags);
    }
    let src = &parsed.source;
    let mut placed = characters(
        src,
        parsed.distribution.as_ref().map(|d| &d.0),
        parsed.body.as_deref().unwrap_or_default(),
    );
    if ctx.clean {
        // Invisible characters the cleaner removes from the body are its
        // warnings (with the fix), not errors.
        let body_start = parsed.distribution.as_ref().map_or(0, |(_, s)| s.end);
        placed.retain(|p| p.offset < body_start || !crate::script::is_invisible(p.c));
        // What the cleaner replaces (odd quotes ‟ → ”) is printed as its
        // replacement, not as typed.
        let fixes = parsed
            .body
            .as_deref()
            .map(|b| crate::clean::file_fixes(&src.text, b))
            .unwrap_or_default();
        placed.retain(|p| {
            let k = fixes.partition_point(|f| f.range.end <= p.offset);
            fixes.get(k).is_none_or(|f| !f.range.contains(&p.offset))
        });
    }
    masthead::fits(src, &parsed.printed, &mut diags);
    placed.extend(printed_characters(src, &parsed.printed));
    printable::printable(src, placed, ctx.fonts, &mut diags);
    diags
}

/// The strings of jianbao.toml that are printed (masthead, imprint): the
/// same rules as an issue's characters.
pub fn check_config_strings(config: &Config, fonts: Option<&Fonts>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    masthead::fits(&config.source, &config.printed, &mut diags);
    let placed = printed_characters(&config.source, &config.printed);
    printable::printable(&config.source, placed, fonts, &mut diags);
    diags
}

/// Decodes the pictures of some issues as the layout will: a truncated or
/// damaged picture is an error at its place, found before `build`; so is a
/// picture the PDF `standard` refuses (transparency under PDF/A-1, no
/// caption, which is its alt text, under PDF/UA-1 and PDF/A-…a). One list
/// of diagnostics per issue.
pub fn check_pictures(
    issues: &[&Issue],
    root: &Path,
    standard: Option<PdfStandard>,
) -> Vec<Vec<Diagnostic>> {
    body::decode_pictures(issues, root, standard)
}

/// At most this many diagnostics with the same code in one file; one line
/// sums up the rest.
pub const SHOWN_PER_KIND: usize = 5;

/// Sums up the repeats among one file's diagnostics (see
/// [`SHOWN_PER_KIND`]).
pub fn summarise(diags: &mut Vec<Diagnostic>) {
    crate::diagnostic::summarise_repeats(diags, SHOWN_PER_KIND, body::repeat_help);
}
