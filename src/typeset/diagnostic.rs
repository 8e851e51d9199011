//! What typst reported while laying out or exporting, in its own words.

use std::fmt;

use typst::diag::SourceDiagnostic;

use super::world::{self, Engine, Place};
use crate::diagnostic::{Diagnostic, Severity};

/// Where in a build typst reported a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Layout,
    PdfExport,
    /// Writing the OFD (`crate::ofd`) from typst's pages.
    OfdExport,
}

impl Stage {
    /// The diagnostic code of a problem typst reports at this stage.
    fn code(self) -> &'static str {
        match self {
            Stage::Layout => "layout",
            Stage::PdfExport => "pdf-export",
            Stage::OfdExport => "ofd-export",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Layout => "layout",
            Stage::PdfExport => "PDF export",
            Stage::OfdExport => "OFD export",
        })
    }
}

/// A problem typst reported, in its own words. The input was checked
/// before, so an error means a bug in the layout or a picture typst cannot
/// read.
#[derive(Debug, Clone)]
pub struct TypstDiagnostic {
    pub severity: Severity,
    pub stage: Stage,
    pub message: String,
    pub hints: Vec<String>,
    /// Where typst points: a place in the layout (`layouts/bulletin.typ`,
    /// the built-in one or an office's own) or a file it read
    /// (`/images/a.png`).
    pub place: Option<Place>,
}

impl TypstDiagnostic {
    pub(super) fn new(engine: &Engine, stage: Stage, d: &SourceDiagnostic) -> Self {
        let mut message = d.message.to_string();
        let mut hints: Vec<String> = d.hints.iter().map(|h| h.v.to_string()).collect();
        // A package import, said plainly (typst wraps the world's words).
        if let Some((_, spec)) = message.split_once(world::OFFLINE_PACKAGE) {
            let spec = spec.trim_end_matches(')');
            message = format!("版式要用 Typst 包 {spec}，但 jianbao 不联网，不下载 Typst 包");
            hints.push("把要用的代码复制进版式文件夹里的 .typ 文件，用相对路径 import".into());
        }
        Self {
            severity: match d.severity {
                typst::diag::Severity::Error => Severity::Error,
                typst::diag::Severity::Warning => Severity::Warning,
            },
            stage,
            message,
            hints,
            place: engine.place(d.span),
        }
    }
}

impl TypstDiagnostic {
    /// As one of jianbao's own diagnostics, when typst points into a
    /// layout source: `path:line:col`, the line, a caret and typst's hints.
    pub fn diagnostic(&self) -> Option<Diagnostic> {
        let Some(Place::Source(location)) = &self.place else {
            return None;
        };
        let code = self.stage.code();
        let mut d = match self.severity {
            Severity::Error => {
                Diagnostic::error(code, &location.file, location.span.clone(), &self.message)
            }
            Severity::Warning => {
                Diagnostic::warning(code, &location.file, location.span.clone(), &self.message)
            }
        };
        if !self.hints.is_empty() {
            d = d.with_help(self.hints.join("\n"));
        }
        Some(d)
    }
}

impl fmt::Display for TypstDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = self.diagnostic() {
            return write!(f, "{}", d.render().trim_end());
        }
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{} {kind}: {}", self.stage, self.message)?;
        if let Some(Place::File(path)) = &self.place {
            write!(f, "\n  at {path}")?;
        }
        for hint in &self.hints {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}
