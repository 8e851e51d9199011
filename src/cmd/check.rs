//! `jianbao check [期号…]`: every problem of jianbao.toml and the issues.

use std::path::Path;

use super::args::{CheckCommand, MessageFormat};
use super::exit::EXIT_USAGE;
use super::output::{count, report, say};
use super::{fix, settings};
use crate::archive::Builder;
use crate::diagnostic::{Diagnostic, UsageError};
use crate::publication::{Options, Publication, Selection};

pub fn run(start: &Path, options: &Options, command: &CheckCommand) -> Result<u8, UsageError> {
    let CheckCommand {
        issues,
        format,
        deny_warnings,
        fix,
        pdf_standard,
    } = command;
    let mut publication = Publication::load(start, options)?;
    let mut fix_failed = false;
    if *fix {
        let fixed = fix::fix_files(&publication, issues)?;
        fix_failed = fixed.failed;
        if fixed.changed {
            // Check what the files say now.
            publication = Publication::load(start, options)?;
        }
    }
    let selection = publication.select(issues)?;
    // The standard asked for; else jianbao.toml's, when what `build`
    // writes is a PDF (a PDF standard concerns PDFs only).
    let standard = pdf_standard.or_else(|| {
        settings::standard(
            &publication,
            None,
            settings::configured_format(&publication),
        )
    });
    publication.check_pictures(&selection, standard);
    let layout = layout_problems(&publication, &selection);
    let mut diagnostics = publication.diagnostics(&selection);
    diagnostics.extend(&layout);
    let code = report(&diagnostics, *format, *deny_warnings);
    if *format == MessageFormat::Human {
        summary(&diagnostics, selection.issues.len(), *deny_warnings);
    }
    Ok(if fix_failed {
        code.max(EXIT_USAGE)
    } else {
        code
    })
}

fn summary(diags: &[&Diagnostic], issues: usize, deny_warnings: bool) {
    let (errors, warnings) = (
        count(diags.iter().copied(), true),
        count(diags.iter().copied(), false),
    );
    if errors + warnings == 0 {
        say!("检查了 {issues} 期：没有问题");
    } else if errors == 0 && deny_warnings {
        say!("检查了 {issues} 期：0 个错误，{warnings} 个警告（--deny-warnings：警告也算不通过）");
    } else {
        say!("检查了 {issues} 期：{errors} 个错误，{warnings} 个警告");
    }
}

/// An office's own layout (`[output] layout`), compiled as `build` would
/// compile it, with the first selected issue that has no errors of its
/// own: so that `check` refuses a layout `build` would refuse (the
/// built-in layout is tested with jianbao). Only its errors are said:
/// what else it reports concerns the issue, which `build` shows.
fn layout_problems(publication: &Publication, selection: &Selection) -> Vec<Diagnostic> {
    let Some(layout) = publication.config.as_ref().and_then(|c| c.layout.as_ref()) else {
        return Vec::new();
    };
    let first = selection
        .issues
        .iter()
        .map(|&i| &publication.issues[i])
        .find(|entry| !entry.has_errors());
    let (Some(entry), Ok(builder)) = (first, Builder::new(publication)) else {
        return Vec::new();
    };
    let Some(issue) = &entry.issue else {
        return Vec::new();
    };
    match builder.layout(issue) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .iter()
            .filter(|e| e.severity == crate::diagnostic::Severity::Error)
            .map(|e| {
                e.diagnostic().unwrap_or_else(|| {
                    Diagnostic::file_error("layout", layout, format!("版式出错：{e}"))
                })
                .with_help(format!(
                    "自己的版式（{}）用第 {} 期排版时出错；改好版式，或删掉 jianbao.toml 里的 [output] layout 用内置版式",
                    crate::source::show_path(layout),
                    entry.file.id
                ))
            })
            .collect(),
    }
}
