//! `jianbao check [期号…]`: every problem of jianbao.toml and the issues.

use std::path::Path;

use super::args::{CheckCommand, Format};
use super::output::{count, report, say};
use super::{EXIT_USAGE, fix, settings};
use crate::archive;
use crate::diagnostic::{Diagnostic, UsageError};
use crate::publication::{Options, Publication};

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
    let standard = settings::standard(&publication, *pdf_standard, archive::Format::Pdf);
    publication.check_pictures(&selection, standard);
    let diagnostics = publication.diagnostics(&selection);
    let code = report(&diagnostics, *format, *deny_warnings);
    if *format == Format::Human {
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
