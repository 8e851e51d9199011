//! From a checked issue to a PDF: layout data → Typst world → compiled
//! document → PDF bytes → written atomically.

pub mod data;
pub mod grid;
mod pdf;
pub mod world;

use chrono::NaiveDate;
use typst::diag::{Severity, SourceDiagnostic};
use typst_layout::PagedDocument;

pub use pdf::{export_pdf, write_atomically};
use world::{Engine, IssueWorld};

use crate::config::Config;
use crate::fonts::{Fonts, Role};
use crate::issue::Issue;
use grid::{Face, Measure};

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
    fn advance(&self, c: char, face: Face) -> f64 {
        let role = match face {
            Face::Body => Role::Body,
            Face::Heading => Role::Heading,
            Face::Subheading => Role::Subheading,
        };
        Fonts::advance(self, role, c).unwrap_or(1.0)
    }
}

/// Lays an issue out with the embedded layout. Typst problems are returned
/// as plain messages: the input was checked before, so they mean a bug or
/// an unusable picture.
pub fn layout(
    engine: &Engine,
    root: &std::path::Path,
    config: &Config,
    issue: &Issue,
    today: NaiveDate,
) -> Result<PagedDocument, Vec<String>> {
    let data = data::layout_data(issue, config, &engine.fonts);
    let json = serde_json::to_vec(&data).expect("layout data serialises");
    // The world serves exactly the pictures the layout will ask for.
    let pictures = data
        .body
        .iter()
        .flatten()
        .filter_map(|row| match row {
            data::Row::Picture { path, .. } => Some(path.clone()),
            _ => None,
        })
        .collect();
    let world = IssueWorld::new(engine, json, root, pictures, today);
    let result = typst::compile::<PagedDocument>(&world);
    // An unknown font family only warns in typst and falls back silently:
    // for us it is an error.
    let fatal: Vec<String> = result
        .warnings
        .iter()
        .filter(|w| w.message.contains("unknown font family"))
        .map(message)
        .collect();
    match result.output {
        Ok(doc) if fatal.is_empty() => Ok(doc),
        Ok(_) => Err(fatal),
        Err(errors) => Err(errors.iter().map(message).chain(fatal).collect()),
    }
}

fn message(d: &SourceDiagnostic) -> String {
    let kind = if d.severity == Severity::Error {
        "error"
    } else {
        "warning"
    };
    let mut s = format!("layout {kind}: {}", d.message);
    for hint in &d.hints {
        s.push_str(&format!("\n  hint: {}", hint.v));
    }
    s
}
