//! Building PDFs — a clerk's `jianbao build 4` as well as a whole archive
//! in one command. An issue is rebuilt only when something it depends on
//! changed (see [`Builder::inputs`]); the others are laid out in parallel
//! on `jobs` threads, in small batches, sharing the fonts, the parsed
//! layout and typst's caches, which are trimmed between batches so memory
//! stays flat. What each PDF was built from is kept in the output folder's
//! [`Manifest`].

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::config::{CONFIG_FILE, Config};
use crate::issue::{Block, Issue};
use crate::manifest::{Hash, Manifest};
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
    /// The PDF was built from exactly these inputs before: not rebuilt.
    UpToDate { path: PathBuf },
    /// The issue has errors: not built. `kept` is the earlier PDF, if
    /// there is one; it stays as it was.
    HasErrors { kept: Option<PathBuf> },
    /// The layout or the PDF export failed (a bug or an unusable picture).
    Failed {
        errors: Vec<TypstDiagnostic>,
        kept: Option<PathBuf>,
    },
    /// The PDF could not be written: an environment problem. `kept`: an
    /// earlier PDF is there and stays as it was.
    WriteFailed {
        path: PathBuf,
        error: std::io::Error,
        kept: bool,
    },
}

/// How to build.
#[derive(Debug, Clone, Copy)]
pub struct BuildOptions {
    /// Rebuild even the issues whose PDF is current.
    pub force: bool,
    /// Issues laid out at the same time.
    pub jobs: usize,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            force: false,
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

/// `jianbao.toml` has errors: nothing can be built.
#[derive(Debug)]
pub struct ConfigHasErrors;

/// Lays out and exports the issues of one publication.
pub struct Builder<'a> {
    publication: &'a Publication,
    config: &'a Config,
    engine: Engine,
    /// What every issue's PDF depends on (see [`Builder::inputs`]).
    shared_inputs: Hash,
}

/// An issue to lay out, where its PDF goes, and what it is built from
/// (`None`: a picture could not be read, which the layout will report).
struct Job<'e> {
    entry: &'e IssueEntry,
    issue: &'e Issue,
    out: PathBuf,
    inputs: Option<Hash>,
}

/// The manifest is saved at least this often during a long build, so an
/// interrupted build keeps most of what it did.
const SAVE_EVERY: Duration = Duration::from_secs(2);

impl<'a> Builder<'a> {
    pub fn new(publication: &'a Publication) -> Result<Self, ConfigHasErrors> {
        let (Some(config), Some(fonts)) = (&publication.config, &publication.fonts) else {
            return Err(ConfigHasErrors);
        };
        let engine = Engine::new(fonts.clone());
        let mut h = Sha256::new();
        h.update(concat!(
            "jianbao ",
            env!("CARGO_PKG_VERSION"),
            " ",
            env!("JIANBAO_SOURCE_HASH"),
            "\0"
        ));
        let part = |h: &mut Sha256, bytes: &[u8]| {
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        part(&mut h, engine.layout_text().as_bytes());
        part(&mut h, &fonts.identity());
        // jianbao.toml as bytes: any edit rebuilds every issue.
        part(
            &mut h,
            &std::fs::read(publication.root.join(CONFIG_FILE)).unwrap_or_default(),
        );
        Ok(Self {
            publication,
            config,
            engine,
            shared_inputs: h.finalize().into(),
        })
    }

    /// Lays one issue out with the embedded layout.
    pub fn layout(&self, issue: &Issue) -> Result<Laid, Vec<TypstDiagnostic>> {
        let p = self.publication;
        render::layout(&self.engine, &p.root, self.config, issue, p.today)
    }

    /// The hash of everything an issue's PDF depends on: the jianbao
    /// version and its code, the layout's text, the fonts, jianbao.toml
    /// (all in `shared_inputs`), the issue's id and file, and the content
    /// of each picture it names. `None` when a picture cannot be read.
    fn inputs(&self, issue: &Issue, manifest: &mut Manifest) -> Option<Hash> {
        let mut h = Sha256::new();
        h.update(self.shared_inputs);
        for part in [issue.id.as_bytes(), issue.source.text.as_bytes()] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
        for path in pictures(issue) {
            h.update(path.as_bytes());
            h.update([0]);
            h.update(manifest.file_hash(&self.publication.root, path)?);
        }
        Some(h.finalize().into())
    }

    /// Builds the selected issues (indices into `publication.issues`).
    /// `started` hears (on any thread) when an issue's layout begins;
    /// `report` hears about every selected issue: first those with errors,
    /// those already current and those whose output folder is refused, then
    /// each built one as soon as its batch is done, in order. Output
    /// folders must resolve inside [`Publication::output_sandbox`];
    /// temporary files a killed build left in them are removed first.
    /// Returns the ids whose PDFs are no longer listed as current because
    /// their issue file is gone (the PDFs stay).
    pub fn build(
        &self,
        selected: &[usize],
        options: &BuildOptions,
        started: impl Fn(&IssueEntry) + Sync,
        mut report: impl FnMut(&IssueEntry, Outcome),
    ) -> Vec<String> {
        let p = self.publication;
        let sandbox = p.output_sandbox();
        let mut folders: HashMap<PathBuf, Result<(), String>> = HashMap::new();
        let mut usable = |out: &Path| {
            let folder = out.parent().unwrap_or(Path::new(".")).to_path_buf();
            folders
                .entry(folder.clone())
                .or_insert_with(|| {
                    let sandbox = sandbox.as_ref().map_err(|e| e.message.clone())?;
                    let real = crate::sandbox::output_dir(sandbox, &folder).map_err(|r| {
                        format!("输出文件夹 {} {r}", display_path(&folder).display())
                    })?;
                    crate::sandbox::remove_stale_temporaries(&real);
                    Ok(())
                })
                .clone()
        };
        // The manifest is read only from an output folder that may be used.
        let manifest_usable = usable(&p.output_dir().join(crate::manifest::MANIFEST_FILE)).is_ok();
        let mut manifest = Manifest::load(&p.output_dir());
        let ids: HashSet<&str> = p.issues.iter().map(|e| e.file.id.as_str()).collect();
        let forgotten = manifest.forget(|id| ids.contains(id));
        let mut jobs: Vec<Job> = Vec::new();
        for &i in selected {
            let entry = &p.issues[i];
            let out = p.output_path(&entry.file.id);
            let kept = || out.is_file().then(|| out.clone());
            let Some(issue) = entry.issue.as_ref().filter(|_| !entry.has_errors()) else {
                report(entry, Outcome::HasErrors { kept: kept() });
                continue;
            };
            if let Err(why) = usable(&out) {
                report(
                    entry,
                    Outcome::WriteFailed {
                        kept: out.is_file(),
                        path: out,
                        error: std::io::Error::other(why),
                    },
                );
                continue;
            }
            let inputs = self.inputs(issue, &mut manifest);
            if !options.force
                && inputs.is_some_and(|h| manifest.is_current(&entry.file.id, &h, &out))
            {
                report(entry, Outcome::UpToDate { path: out });
            } else {
                jobs.push(Job {
                    entry,
                    issue,
                    out,
                    inputs,
                });
            }
        }
        let jobs_at_once = options.jobs.clamp(1, jobs.len().max(1));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs_at_once)
            .build()
            .ok();
        let batch = 4 * jobs_at_once;
        let mut saved = Instant::now();
        for chunk in jobs.chunks(batch) {
            let run = || -> Vec<Outcome> {
                chunk
                    .par_iter()
                    .map(|job| {
                        started(job.entry);
                        self.build_one(job)
                    })
                    .collect()
            };
            let outcomes = match &pool {
                Some(pool) => pool.install(run),
                None => run(),
            };
            for (job, outcome) in chunk.iter().zip(outcomes) {
                if let (Outcome::Written { .. }, Some(inputs)) = (&outcome, &job.inputs) {
                    let bytes = std::fs::metadata(&job.out).map_or(0, |m| m.len());
                    manifest.record(&job.entry.file.id, inputs, bytes);
                }
                report(job.entry, outcome);
            }
            if jobs.len() > batch {
                // Entries not used by the last batches go; the fonts' and
                // the layout's, used by every issue, stay.
                typst::comemo::evict(2);
            }
            if manifest_usable && manifest.changed() && saved.elapsed() > SAVE_EVERY {
                let _ = self.save(&mut manifest);
                saved = Instant::now();
            }
        }
        if manifest_usable && manifest.changed() {
            // Not fatal: without it the next build only does more work.
            let _ = self.save(&mut manifest);
        }
        forgotten
    }

    fn save(&self, manifest: &mut Manifest) -> std::io::Result<()> {
        let named: HashSet<&str> = self
            .publication
            .issues
            .iter()
            .filter_map(|e| e.issue.as_ref())
            .flat_map(pictures)
            .collect();
        manifest.save(&|rel| named.contains(rel))
    }

    /// Builds one issue: layout, PDF, atomic write.
    fn build_one(&self, job: &Job) -> Outcome {
        let kept = || job.out.is_file().then(|| job.out.clone());
        let laid = match self.layout(job.issue) {
            Ok(laid) => laid,
            Err(errors) => {
                return Outcome::Failed {
                    errors,
                    kept: kept(),
                };
            }
        };
        // Stable across builds: the same input gives the same bytes.
        let ident = format!(
            "jianbao:{}:{}",
            self.config.imprint.publisher, job.entry.file.id
        );
        let pdf = match render::export_pdf(&self.engine, &laid.document, &ident, job.issue.date()) {
            Ok(pdf) => pdf,
            Err(errors) => {
                return Outcome::Failed {
                    errors,
                    kept: kept(),
                };
            }
        };
        let existed = job.out.is_file();
        match render::write_atomically(&job.out, &pdf) {
            Ok(()) => Outcome::Written {
                path: job.out.clone(),
                warnings: laid.warnings,
                notes: laid.notes,
            },
            Err(error) => Outcome::WriteFailed {
                path: job.out.clone(),
                error,
                kept: existed,
            },
        }
    }
}

/// The pictures an issue names, as written (relative to the publication).
fn pictures(issue: &Issue) -> impl Iterator<Item = &str> {
    issue.body.iter().filter_map(|b| match b {
        Block::Picture { path, .. } => Some(path.value.as_str()),
        _ => None,
    })
}
