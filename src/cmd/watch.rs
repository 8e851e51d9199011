//! `jianbao watch [期号]`: the issue rebuilt each time a file it uses is
//! saved.

use std::path::Path;

use super::args::{OutputArgs, WatchCommand};
use super::exit::EXIT_OK;
use super::settings;
use crate::diagnostic::UsageError;
use crate::publication::{Options, Publication};

pub fn run(start: &Path, options: Options, command: &WatchCommand) -> Result<u8, UsageError> {
    let publication = Publication::load(start, &options)?;
    let request = request(
        &publication,
        start,
        options,
        &command.issue,
        &command.output,
    )?;
    crate::watch::run(&request, |_| {})?;
    Ok(EXIT_OK)
}

/// What `watch` and `serve` rebuild, and how.
pub fn request(
    publication: &Publication,
    start: &Path,
    options: Options,
    issue: &Option<String>,
    output: &OutputArgs,
) -> Result<crate::watch::Request, UsageError> {
    if let Some(query) = issue {
        publication.resolve(query)?;
    }
    Ok(crate::watch::Request {
        start: start.to_path_buf(),
        options,
        issue: issue.clone(),
        format: settings::format(publication, output)?,
        pdf_standard: output.layout.pdf_standard,
        layout: settings::layout_path(publication, start, &output.layout)?,
    })
}
