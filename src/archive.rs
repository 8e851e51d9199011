//! Building PDFs — a clerk's `jianbao build 4` as well as a whole archive
//! in one command: issues are laid out in parallel, in small batches with
//! typst's caches emptied between them so memory stays flat.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::issue::Issue;
use crate::publication::{IssueEntry, Publication};
use crate::render::{self, Engine, Laid, TypstDiagnostic};
use crate::source::display_path;

/// What became of one selected issue.
pub enum Outcome {
    /// The PDF is written; with typst's warnings, if it had any.
    Written {
        path: PathBuf,
        warnings: Vec<TypstDiagnostic>,
        /// What the clerk should know about the pages.
        notes: Vec<String>,
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
    engine: Engine,
}

impl<'a> Builder<'a> {
    pub fn new(publication: &'a Publication) -> Result<Self, ConfigHasErrors> {
        let (Some(config), Some(fonts)) = (&publication.config, &publication.fonts) else {
            return Err(ConfigHasErrors);
        };
        Ok(Self {
            publication,
            config,
            engine: Engine::new(fonts.clone()),
        })
    }

    /// Lays one issue out with the embedded layout.
    pub fn layout(&self, issue: &Issue) -> Result<Laid, Vec<TypstDiagnostic>> {
        let p = self.publication;
        render::layout(&self.engine, &p.root, self.config, issue, p.today)
    }

    /// Builds the selected issues (indices into `publication.issues`).
    /// `report` hears about every one: first those with errors, which are
    /// not built, then each built one as soon as its batch is done, in order.
    /// Output folders must resolve inside [`Publication::output_sandbox`];
    /// temporary files a killed build left in them are removed first.
    pub fn build(&self, selected: &[usize], mut report: impl FnMut(&IssueEntry, Outcome)) {
        let p = self.publication;
        let sandbox = p.output_sandbox();
        let mut folders: HashMap<PathBuf, Result<(), String>> = HashMap::new();
        let mut jobs: Vec<(&IssueEntry, &Issue, PathBuf)> = Vec::new();
        for &i in selected {
            let entry = &p.issues[i];
            let Some(issue) = entry.issue.as_ref().filter(|_| !entry.has_errors()) else {
                report(entry, Outcome::HasErrors);
                continue;
            };
            let out = p.output_path(&entry.file.id);
            let folder = out.parent().unwrap_or(Path::new(".")).to_path_buf();
            let usable = folders.entry(folder.clone()).or_insert_with(|| {
                let sandbox = sandbox.as_ref().map_err(|e| e.message.clone())?;
                let real = crate::sandbox::output_dir(sandbox, &folder)
                    .map_err(|r| format!("输出文件夹 {} {r}", display_path(&folder).display()))?;
                crate::sandbox::remove_stale_temporaries(&real);
                Ok(())
            });
            match usable {
                Ok(()) => jobs.push((entry, issue, out)),
                Err(why) => report(
                    entry,
                    Outcome::WriteFailed(out, std::io::Error::other(why.clone())),
                ),
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

    /// Builds one issue: layout, PDF, atomic write.
    fn build_one(&self, id: &str, issue: &Issue, out: &Path) -> Outcome {
        let laid = match self.layout(issue) {
            Ok(laid) => laid,
            Err(errors) => return Outcome::Failed(errors),
        };
        // Stable across builds: the same input gives the same bytes.
        let ident = format!("jianbao:{}:{id}", self.config.imprint.publisher);
        let pdf = match render::export_pdf(&self.engine, &laid.document, &ident, issue.date()) {
            Ok(pdf) => pdf,
            Err(errors) => return Outcome::Failed(errors),
        };
        match render::write_atomically(out, &pdf) {
            Ok(()) => Outcome::Written {
                path: out.to_path_buf(),
                warnings: laid.warnings,
                notes: laid.notes,
            },
            Err(e) => Outcome::WriteFailed(out.to_path_buf(), e),
        }
    }
}
