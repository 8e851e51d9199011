//! From a checked issue to a PDF: layout data → Typst world → compiled
//! document → PDF bytes → written atomically.

mod closing;
mod contents;
pub mod data;
pub mod grid;
mod masthead;
mod page;
mod pdf;
mod picture;
pub mod title;
pub mod world;

use std::fmt;

use chrono::NaiveDate;
use typst::diag::SourceDiagnostic;
use typst_layout::PagedDocument;

pub use crate::sandbox::write_atomically;
pub use world::Engine;

use crate::config::Config;
use crate::diagnostic::Severity;
use crate::fonts::{Fonts, Role};
use crate::issue::Issue;
use grid::{Face, Measure};
use world::IssueWorld;

/// The grid face that sets a role's text. Title lines are centred, not
/// on the grid; they are measured with the body face.
fn face(role: Role) -> Face {
    match role {
        Role::Heading => Face::Heading,
        Role::Subheading => Face::Subheading,
        _ => Face::Body,
    }
}

impl Measure for Fonts {
    fn advance(&self, c: char, face: Face, latin: bool) -> f64 {
        let role = match face {
            Face::Body => Role::Body,
            Face::Heading => Role::Heading,
            Face::Subheading => Role::Subheading,
        };
        // Latin text comes from the Latin face where it has the glyph, as
        // in the layout's font list.
        latin
            .then(|| Fonts::advance(self, Role::Latin, c))
            .flatten()
            .or_else(|| Fonts::advance(self, role, c))
            .unwrap_or(1.0)
    }
}

/// A problem typst reported, in its own words. The input was checked
/// before, so an error means a bug in the layout or a picture typst cannot
/// read.
#[derive(Debug, Clone)]
pub struct TypstDiagnostic {
    pub severity: Severity,
    /// `layout` or `PDF export`.
    pub stage: &'static str,
    pub message: String,
    pub hints: Vec<String>,
    /// Where typst points: a line of the embedded layout
    /// (`layouts/bulletin.typ:85:12`) or a file it read (`/images/a.png`).
    pub place: Option<String>,
}

impl TypstDiagnostic {
    fn new(engine: &Engine, stage: &'static str, d: &SourceDiagnostic) -> Self {
        Self {
            severity: match d.severity {
                typst::diag::Severity::Error => Severity::Error,
                typst::diag::Severity::Warning => Severity::Warning,
            },
            stage,
            message: d.message.to_string(),
            hints: d.hints.iter().map(|h| h.v.to_string()).collect(),
            place: engine.place(d.span),
        }
    }
}

impl fmt::Display for TypstDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{} {kind}: {}", self.stage, self.message)?;
        if let Some(place) = &self.place {
            write!(f, "\n  at {place}")?;
        }
        for hint in &self.hints {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// A laid-out issue and what typst warned about on the way.
pub struct Laid {
    pub document: PagedDocument,
    pub warnings: Vec<TypstDiagnostic>,
    /// What the clerk should know about the pages (the closing block on a
    /// page of its own), one line each.
    pub notes: Vec<String>,
}

/// Lays an issue out with the embedded layout.
pub fn layout(
    engine: &Engine,
    root: &std::path::Path,
    config: &Config,
    issue: &Issue,
    today: NaiveDate,
) -> Result<Laid, Vec<TypstDiagnostic>> {
    // Pasted text is cleaned before layout unless the office wants it as typed.
    let cleaned;
    let issue = if config.clean_text {
        cleaned = crate::clean::cleaned(issue);
        &cleaned
    } else {
        issue
    };
    let data = data::layout_data(issue, config, &engine.fonts, root);
    // `Fonts::load` resolved every family against the font book, so typst
    // never meets one it does not know (it would only warn and fall back).
    debug_assert!(
        data.fonts.iter().flat_map(|r| &r.families).all(|f| engine
            .fonts
            .book()
            .contains_family(&f.name().to_lowercase())),
        "a font family the font book does not have"
    );
    let json = serde_json::to_vec(&data).expect("layout data serialises");
    // The world serves exactly the pictures the layout will ask for.
    let pictures = data.pictures();
    let notes = data
        .closing_alone
        .map(|lines| format!("报尾单独占了最后一页：正文再少 {lines} 行，报尾就能排在上一页的下端"))
        .into_iter()
        .collect();
    let world = IssueWorld::new(engine, json, root, pictures, today);
    let result = typst::compile::<PagedDocument>(&world);
    let convert = |ds: &[SourceDiagnostic]| {
        ds.iter()
            .map(|d| TypstDiagnostic::new(engine, "layout", d))
            .collect::<Vec<_>>()
    };
    match result.output {
        Ok(document) => Ok(Laid {
            document,
            warnings: convert(&result.warnings),
            notes,
        }),
        Err(errors) => Err([convert(&errors), convert(&result.warnings)].concat()),
    }
}

/// PDF bytes of a laid-out issue. `ident` identifies the issue across
/// builds (publication and issue id), `date` is the issue date.
pub fn export_pdf(
    engine: &Engine,
    doc: &PagedDocument,
    ident: &str,
    date: NaiveDate,
) -> Result<Vec<u8>, Vec<TypstDiagnostic>> {
    pdf::export_pdf(doc, ident, date).map_err(|errors| {
        errors
            .iter()
            .map(|d| TypstDiagnostic::new(engine, "PDF export", d))
            .collect()
    })
}
