//! What the options and jianbao.toml decide together, for the commands
//! that lay issues out (`build`, `export`, `watch`, `serve`).

use std::path::{Path, PathBuf};

use super::args::{DEFAULT_PPI, LayoutArgs, OutputArgs, OutputFormat};
use crate::archive::{self, Settings};
use crate::config::PdfStandard;
use crate::diagnostic::UsageError;
use crate::publication::Publication;
use crate::script::escape_unprintable;

/// `--format` (else jianbao.toml's `[output] format`, else PDF) and
/// `--ppi` as the library's format.
pub fn format(
    publication: &Publication,
    output: &OutputArgs,
) -> Result<archive::Output, UsageError> {
    use crate::config::OutputFormat as Named;
    let named =
        output.format.unwrap_or_else(
            || match publication.config.as_ref().and_then(|c| c.format) {
                None | Some(Named::Pdf) => OutputFormat::Pdf,
                Some(Named::Png) => OutputFormat::Png,
                Some(Named::Docx) => OutputFormat::Docx,
                Some(Named::Ofd) => OutputFormat::Ofd,
            },
        );
    match (named, output.ppi) {
        (OutputFormat::Pdf, None) => Ok(archive::Output::Pdf),
        (OutputFormat::Docx, None) => Ok(archive::Output::Docx),
        (OutputFormat::Ofd, None) => Ok(archive::Output::Ofd),
        (OutputFormat::Pdf | OutputFormat::Docx | OutputFormat::Ofd, Some(_)) => {
            Err(UsageError::new("--ppi 只用于 --format png")
                .help("例如 jianbao build 4 --format png --ppi 300"))
        }
        (OutputFormat::Png, ppi) => Ok(archive::Output::Png {
            ppi: f32::from(ppi.unwrap_or(DEFAULT_PPI)),
        }),
    }
}

/// `--layout FILE` as typed (relative to where jianbao runs) as a path
/// inside the publication.
pub fn layout_path(
    publication: &Publication,
    start: &Path,
    layout: &LayoutArgs,
) -> Result<Option<PathBuf>, UsageError> {
    let Some(path) = &layout.layout else {
        return Ok(None);
    };
    // As typed: the path is relative to where jianbao runs.
    let typed = escape_unprintable(&path.display().to_string()).into_owned();
    if let Some((message, help)) = crate::config::layout_file_problem(&start.join(path), &typed) {
        return Err(UsageError::new(message).help(help));
    }
    let real = start.join(path).canonicalize().map_err(|_| {
        UsageError::new(format!("找不到版式文件 {typed}"))
            .help("`jianbao layout --eject` 把内置版式写到 layouts/bulletin.typ，改它即可")
    })?;
    match real.strip_prefix(&publication.root) {
        Ok(relative) => Ok(Some(relative.to_path_buf())),
        Err(_) => Err(
            UsageError::new(format!("版式文件 {typed} 不在简报文件夹里"))
                .help("把版式放进简报文件夹（例如 layouts/）"),
        ),
    }
}

/// The PDF standard a run's PDFs follow, which `check` holds the pictures
/// to: `--pdf-standard`, else jianbao.toml's `[output] pdf_standard`
/// (as [`Settings::new`] decides); none for PNG pages.
/// The format jianbao.toml's `[output] format` names (PDF when none): what
/// a `build` without `--format` writes.
pub fn configured_format(publication: &Publication) -> archive::Output {
    use crate::config::OutputFormat as Named;
    match publication.config.as_ref().and_then(|c| c.format) {
        None | Some(Named::Pdf) => archive::Output::Pdf,
        Some(Named::Png) => archive::Output::Png {
            ppi: f32::from(DEFAULT_PPI),
        },
        Some(Named::Docx) => archive::Output::Docx,
        Some(Named::Ofd) => archive::Output::Ofd,
    }
}

pub fn standard(
    publication: &Publication,
    asked: Option<PdfStandard>,
    format: archive::Output,
) -> Option<PdfStandard> {
    match format {
        archive::Output::Pdf => {
            asked.or_else(|| publication.config.as_ref().and_then(|c| c.pdf_standard))
        }
        archive::Output::Png { .. } | archive::Output::Docx | archive::Output::Ofd => None,
    }
}

/// The settings of a command: jianbao.toml's `[output]` with the options
/// over it, and the engine they need.
pub fn settings(
    publication: &Publication,
    start: &Path,
    format: archive::Output,
    layout: &LayoutArgs,
) -> Result<Option<Settings>, UsageError> {
    let Some(config) = &publication.config else {
        return Ok(None);
    };
    let path = layout_path(publication, start, layout)?;
    Ok(Some(Settings::new(
        config,
        format,
        layout.pdf_standard,
        path,
    )))
}
