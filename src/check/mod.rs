//! Validation: the rules an issue must pass before it is built, reported as
//! diagnostics with spans. `jianbao check` runs them all; `jianbao build`
//! runs the same and builds only the issues without errors.

mod diagnostic;
mod rules;

pub use diagnostic::{Diagnostic, Location, Severity, SourceFile, display_width};
pub use rules::{check_issue, check_series};
