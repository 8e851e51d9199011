//! Building PDFs — a clerk's `jianbao build 4` as well as a whole archive
//! in one command: issues are laid out in parallel, in small batches with
//! typst's caches emptied between them so memory stays flat.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::{Config, PdfStandard};
use crate::diagnostic::UsageError;
use crate::issue::Issue;
use crate::publication::{IssueEntry, Publication};
use crate::render::{self, Engine, Laid, OutputData, TypstDiagnostic};

/// What an issue becomes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Format {
    /// `out/004.pdf`.
    Pdf,
    /// One PNG per page at this many pixels per inch: `out/004-1.png` ….
    Png { ppi: f32 },
}

/// How issues are built: jianbao.toml's `[output]` with what the command
/// line says over it.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub format: Format,
    pub pdf_standard: Option<PdfStandard>,
    /// The office's own layout, relative to the publication; `None` for
    /// the built-in one.
    pub layout: Option<PathBuf>,
}

impl Settings {
    /// jianbao.toml's settings; `pdf_standard` and `layout`, when given,
    /// override it.
    pub fn new(
        config: &Config,
        format: Format,
        pdf_standard: Option<PdfStandard>,
        layout: Option<PathBuf>,
    ) -> Self {
        Self {
            format,
            pdf_standard: pdf_standard.or(config.pdf_standard),
            layout: layout.or_else(|| config.layout.clone()),
        }
    }

    /// The engine these settings call for: the publication's fonts and
    /// the layout.
    pub fn engine(&self, publication: &Publication) -> Result<Arc<Engine>, UsageError> {
        let fonts = publication
            .fonts
            .clone()
            .ok_or_else(|| UsageError::new("jianbao.toml 有错误"))?;
        Engine::with_layout(fonts, &publication.root, self.layout.as_deref()).map(Arc::new)
    }

    /// What the layout is told about the output (`output` in `/issue.json`):
    /// PNG pages are not a PDF, whatever standard PDFs follow.
    pub fn output_data(&self) -> OutputData {
        match self.format {
            Format::Pdf => OutputData::new(self.pdf_standard),
            Format::Png { .. } => OutputData::new(None),
        }
    }
}

/// The PNG of page `n` (from 1) of the issue whose PDF is `pdf`:
/// `out/004.pdf` → `out/004-1.png`.
pub fn page_image_path(pdf: &Path, n: usize) -> PathBuf {
    let stem = pdf
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    pdf.with_file_name(format!("{stem}-{n}.png"))
}

/// What became of one selected issue.
pub enum Outcome {
    /// The PDF (or the pages' PNGs, `path` the first) is written; with
    /// typst's warnings, if it had any.
    Written {
        path: PathBuf,
        pages: usize,
        warnings: Vec<TypstDiagnostic>,
    },
    /// The issue has errors: not built, an earlier PDF is kept.
    HasErrors,
    /// The layout or the PDF export failed (a bug or an unusable picture).
    Failed(Vec<TypstDiagnostic>),
    /// The PDF could not be written: an environment problem.
    WriteFailed(PathBuf, std::io::Error),
}

/// `jianbao.toml` has errors: nothing can be built.
#[derive(Debug)]
pub struct ConfigHasErrors;

/// Lays out and exports the issues of one publication.
pub struct Builder<'a> {
    publication: &'a Publication,
    config: &'a Config,
    settings: Settings,
    engine: Arc<Engine>,
}

impl<'a> Builder<'a> {
    /// A builder with jianbao.toml's settings: PDF, its layout.
    pub fn new(publication: &'a Publication) -> Result<Self, ConfigHasErrors> {
        let config = publication.config.as_ref().ok_or(ConfigHasErrors)?;
        let settings = Settings::new(config, Format::Pdf, None, None);
        let engine = settings.engine(publication).map_err(|_| ConfigHasErrors)?;
        Self::with(publication, settings, engine)
    }

    /// A builder with these settings and an engine made for them (kept by
    /// `watch` between rebuilds).
    pub fn with(
        publication: &'a Publication,
        settings: Settings,
        engine: Arc<Engine>,
    ) -> Result<Self, ConfigHasErrors> {
        let config = publication.config.as_ref().ok_or(ConfigHasErrors)?;
        Ok(Self {
            publication,
            config,
            settings,
            engine,
        })
    }

    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// Lays one issue out with the layout of the settings.
    pub fn layout(&self, issue: &Issue) -> Result<Laid, Vec<TypstDiagnostic>> {
        let p = self.publication;
        render::layout(
            &self.engine,
            &p.root,
            self.config,
            issue,
            p.today,
            self.settings.output_data(),
        )
    }

    /// Builds the selected issues (indices into `publication.issues`).
    /// `report` hears about every one: first those with errors, which are
    /// not built, then each built one as soon as its batch is done, in order.
    pub fn build(&self, selected: &[usize], mut report: impl FnMut(&IssueEntry, Outcome)) {
        let p = self.publication;
        let mut jobs: Vec<(&IssueEntry, &Issue, PathBuf)> = Vec::new();
        for &i in selected {
            let entry = &p.issues[i];
            match entry.issue.as_ref().filter(|_| !entry.has_errors()) {
                Some(issue) => jobs.push((entry, issue, p.output_path(&entry.file.id))),
                None => report(entry, Outcome::HasErrors),
            }
        }
        let batch = 4 * rayon::current_num_threads().max(1);
        for chunk in jobs.chunks(batch) {
            let outcomes: Vec<Outcome> = chunk
                .par_iter()
                .map(|(entry, issue, out)| self.build_one(&entry.file.id, issue, out))
                .collect();
            for ((entry, ..), outcome) in chunk.iter().zip(outcomes) {
                report(entry, outcome);
            }
            if jobs.len() > batch {
                typst::comemo::evict(0);
            }
        }
    }

    /// Builds one issue: layout, PDF or PNGs, atomic writes.
    fn build_one(&self, id: &str, issue: &Issue, out: &Path) -> Outcome {
        match self.layout(issue) {
            Ok(laid) => self.write(id, issue, laid, out),
            Err(errors) => Outcome::Failed(errors),
        }
    }

    /// Writes a laid-out issue whose PDF goes to `out`. Everything is made
    /// in memory first, so a failure writes nothing.
    pub fn write(&self, id: &str, issue: &Issue, laid: Laid, out: &Path) -> Outcome {
        let pages = laid.document.pages().len();
        let files: Vec<(PathBuf, Vec<u8>)> = match self.settings.format {
            Format::Pdf => {
                // Stable across builds: the same input gives the same bytes.
                let ident = format!("jianbao:{}:{id}", self.config.imprint.publisher);
                let standard = self.settings.pdf_standard;
                match render::export_pdf(
                    &self.engine,
                    &laid.document,
                    &ident,
                    issue.date(),
                    standard,
                ) {
                    Ok(pdf) => vec![(out.to_path_buf(), pdf)],
                    Err(errors) => return Outcome::Failed(errors),
                }
            }
            Format::Png { ppi } => match render::png_pages(&laid.document, ppi) {
                Ok(pngs) => pngs
                    .into_iter()
                    .enumerate()
                    .map(|(i, png)| (page_image_path(out, i + 1), png))
                    .collect(),
                Err(e) => {
                    return Outcome::WriteFailed(page_image_path(out, 1), std::io::Error::other(e));
                }
            },
        };
        for (path, bytes) in &files {
            if let Err(e) = render::write_atomically(path, bytes) {
                return Outcome::WriteFailed(path.clone(), e);
            }
        }
        if matches!(self.settings.format, Format::Png { .. }) {
            // Pages of a longer earlier version would pass for this one's.
            let mut n = pages + 1;
            while std::fs::remove_file(page_image_path(out, n)).is_ok() {
                n += 1;
            }
        }
        Outcome::Written {
            path: files[0].0.clone(),
            pages,
            warnings: laid.warnings,
        }
    }
}
