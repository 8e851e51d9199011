//! Building many issues at once — a clerk's `jianbao build 4` as well as a
//! whole archive in one command: issues are laid out in parallel, in small
//! batches with typst's caches emptied between them so memory stays flat.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::config::Config;
use crate::issue::Issue;
use crate::render::{self, world::Engine};

/// One issue to build and where its PDF goes.
pub struct Job<'a> {
    pub id: &'a str,
    pub issue: &'a Issue,
    pub out: PathBuf,
}

/// What became of a job.
pub enum Outcome {
    Written,
    /// The layout or the PDF export failed (a bug or an unusable picture).
    Failed(Vec<String>),
    /// The PDF could not be written: an environment problem.
    WriteFailed(std::io::Error),
}

/// Builds one issue: layout, PDF, atomic write.
pub fn build_one(
    engine: &Engine,
    root: &Path,
    config: &Config,
    job: &Job,
    today: NaiveDate,
) -> Outcome {
    let pdf = render::layout(engine, root, config, job.issue, today).and_then(|doc| {
        // Stable across builds: the same input gives the same bytes.
        let ident = format!("jianbao:{}:{}", config.imprint.publisher, job.id);
        render::export_pdf(&doc, &ident, job.issue.date()).map_err(|e| vec![e])
    });
    match pdf {
        Ok(bytes) => match render::write_atomically(&job.out, &bytes) {
            Ok(()) => Outcome::Written,
            Err(e) => Outcome::WriteFailed(e),
        },
        Err(errors) => Outcome::Failed(errors),
    }
}

/// Builds every job, in parallel; `report` is called for each job as soon
/// as its batch is done, in job order.
pub fn build_all(
    engine: &Engine,
    root: &Path,
    config: &Config,
    jobs: &[Job],
    today: NaiveDate,
    mut report: impl FnMut(&Job, Outcome),
) {
    let batch = 4 * rayon::current_num_threads().max(1);
    for chunk in jobs.chunks(batch) {
        let outcomes: Vec<Outcome> = chunk
            .par_iter()
            .map(|job| build_one(engine, root, config, job, today))
            .collect();
        for (job, outcome) in chunk.iter().zip(outcomes) {
            report(job, outcome);
        }
        if jobs.len() > batch {
            typst::comemo::evict(0);
        }
    }
}
