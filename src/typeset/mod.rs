//! The typst side of a build: an issue is composed ([`crate::compose`])
//! into layout data, which the embedded layout (or an office's own) draws
//! in a Typst world ([`world`]) → compiled document → PDF bytes (`pdf.rs`)
//! or PNG / SVG pages (`image.rs`). What typst reports on the way is a
//! [`TypstDiagnostic`].

mod diagnostic;
mod image;
mod pdf;
pub mod world;

use chrono::NaiveDate;
use typst::diag::SourceDiagnostic;
use typst_layout::PagedDocument;

pub use diagnostic::{Stage, TypstDiagnostic};
pub use image::{png_page, png_pages, svg_page};
pub use world::{Engine, Place};

use crate::config::{Config, PdfStandard};
use crate::issue::Issue;
use crate::layout_data::{IssueJson, LayoutData, OutputData};
use world::IssueWorld;

/// A laid-out issue and what typst warned about on the way.
pub struct Laid {
    pub document: PagedDocument,
    pub warnings: Vec<TypstDiagnostic>,
    /// What the clerk should know about the pages (the closing block on a
    /// page of its own), one line each.
    pub notes: Vec<String>,
    /// What the layout read, for [`Laid::issue_json`].
    layout_data: LayoutData,
    output: OutputData,
    /// The files the compile read: pictures and the files of an office's
    /// own layout.
    pub files: Vec<world::FileRead>,
}

impl Laid {
    /// `/issue.json` of the whole document, as `jianbao export` hands it
    /// to stock typst (a long issue was laid out from parts of it).
    pub fn issue_json(&self) -> Vec<u8> {
        let pages = 0..self.layout_data.pages.len();
        IssueJson::new(&self.layout_data, pages, self.output).bytes()
    }
}

/// Pages laid out by one compile. A longer issue is laid out this many
/// pages at a time, a part per thread, typst's caches emptied between the
/// parts, so that its memory does not grow with the whole document's (the
/// pages are broken in Rust already: the parts know nothing of each other).
const PAGES_AT_ONCE: usize = 64;

/// Lays an issue out with the engine's layout.
pub fn layout(
    engine: &Engine,
    root: &std::path::Path,
    config: &Config,
    issue: &Issue,
    today: NaiveDate,
    output: OutputData,
) -> Result<Laid, Vec<TypstDiagnostic>> {
    // Pasted text is cleaned before layout unless the office wants it as typed.
    let cleaned;
    let issue = if config.clean_text {
        cleaned = crate::clean::cleaned(issue);
        &cleaned
    } else {
        issue
    };
    let data = crate::compose::compose(issue, config, &engine.fonts, root);
    // `Fonts::load` resolved every family against the font book, so typst
    // never meets one it does not know (it would only warn and fall back).
    debug_assert!(
        data.fonts.iter().flat_map(|r| &r.families).all(|f| engine
            .fonts
            .book()
            .contains_family(&f.name().to_lowercase())),
        "a font family the font book does not have"
    );
    let notes = data
        .closing_alone
        .as_ref()
        .map(|alone| format!("报尾单独占了最后一页：{alone}"))
        .into_iter()
        .collect();
    let convert = |ds: &[SourceDiagnostic]| {
        ds.iter()
            .map(|d| TypstDiagnostic::new(engine, Stage::Layout, d))
            .collect::<Vec<_>>()
    };
    let total = data.pages.len();
    let parts: Vec<std::ops::Range<usize>> = (0..total.div_ceil(PAGES_AT_ONCE).max(1))
        .map(|k| k * PAGES_AT_ONCE..((k + 1) * PAGES_AT_ONCE).min(total))
        .collect();
    // The parts side by side, a thread each. After each part, what was
    // not used since the part before goes from typst's caches; what every
    // part uses (the fonts) stays.
    let compile = |range: &std::ops::Range<usize>| {
        let part = IssueJson::new(&data, range.clone(), output).bytes();
        // The world serves exactly the pictures the layout will ask for.
        let pictures = data.pictures(range.clone());
        let world = IssueWorld::new(engine, part, root, pictures, today);
        let result = typst::compile::<PagedDocument>(&world);
        if parts.len() > 1 {
            typst::comemo::evict(1);
        }
        let warnings = convert(&result.warnings);
        match result.output {
            // Only the pages are kept: the rest (typst's introspector) goes
            // with the part.
            Ok(document) => Ok((
                document.pages().to_vec(),
                typst::model::Document::info(&document).clone(),
                warnings,
                world.files_read(),
            )),
            Err(errors) => Err([convert(&errors), warnings].concat()),
        }
    };
    let laid = in_parallel(parts.len(), |k| compile(&parts[k]))?;
    let mut pages = Vec::new();
    let mut info = None;
    let mut warnings = Vec::new();
    let mut files = Vec::new();
    for (part_pages, part_info, part_warnings, read) in laid {
        info.get_or_insert(part_info);
        pages.extend(part_pages);
        warnings.extend(part_warnings);
        files.extend(read);
    }
    // Each part counted its pages from 1: number them through.
    for (n, page) in pages.iter_mut().enumerate() {
        page.number = n as u64 + 1;
    }
    let document = PagedDocument::new(pages.into(), info.unwrap_or_default());
    Ok(Laid {
        document,
        warnings,
        notes,
        layout_data: data,
        output,
        files,
    })
}

/// `work(0..n)` with one worker per thread, each taking the next index
/// when it is done: at most as many parts in memory as threads. (A
/// parallel iterator would start more: a thread waiting inside typst's own
/// parallel work steals the next part and starts it.) The results in
/// order, or the first error; after an error no further part is started.
fn in_parallel<T: Send, E: Send>(
    n: usize,
    work: impl Fn(usize) -> Result<T, E> + Sync,
) -> Result<Vec<T>, E> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<Option<Result<T, E>>>> = Mutex::new((0..n).map(|_| None).collect());
    let worker = || {
        while !failed.load(Ordering::Relaxed) {
            let k = next.fetch_add(1, Ordering::Relaxed);
            if k >= n {
                break;
            }
            let result = work(k);
            failed.fetch_or(result.is_err(), Ordering::Relaxed);
            results.lock().unwrap_or_else(|e| e.into_inner())[k] = Some(result);
        }
    };
    let workers = rayon::current_num_threads().clamp(1, n.max(1));
    rayon::scope(|scope| {
        for _ in 1..workers {
            scope.spawn(|_| worker());
        }
        worker();
    });
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    // Results up to the first error are all there (indices are taken in
    // order); an error wins over the parts after it.
    let mut out = Vec::with_capacity(n);
    for result in results {
        match result {
            Some(Ok(t)) => out.push(t),
            Some(Err(e)) => return Err(e),
            None => break,
        }
    }
    Ok(out)
}

/// PDF bytes of a laid-out issue. `ident` identifies the issue across
/// builds (publication and issue id), `date` is the issue date; typst
/// enforces `standard` and reports what breaks it.
pub fn export_pdf(
    engine: &Engine,
    doc: &PagedDocument,
    ident: &str,
    date: NaiveDate,
    standard: Option<PdfStandard>,
) -> Result<Vec<u8>, Vec<TypstDiagnostic>> {
    pdf::export_pdf(doc, ident, date, standard).map_err(|errors| {
        errors
            .iter()
            .map(|d| TypstDiagnostic::new(engine, Stage::PdfExport, d))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::in_parallel;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn parts_come_back_in_order_and_no_more_run_at_once_than_threads() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let out: Result<Vec<usize>, ()> = pool.install(|| {
            in_parallel(40, |k| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                // Work of typst's own on the same threads, as a part does.
                rayon::join(
                    || std::thread::sleep(std::time::Duration::from_millis(1)),
                    || std::thread::sleep(std::time::Duration::from_millis(3)),
                );
                running.fetch_sub(1, Ordering::SeqCst);
                Ok(k * 10)
            })
        });
        assert_eq!(out.unwrap(), (0..40).map(|k| k * 10).collect::<Vec<_>>());
        assert!(most.load(Ordering::SeqCst) <= 2, "{most:?} parts at once");
    }

    #[test]
    fn the_first_error_wins_and_stops_what_follows() {
        let started = AtomicUsize::new(0);
        let out: Result<Vec<usize>, usize> = in_parallel(1000, |k| {
            started.fetch_add(1, Ordering::SeqCst);
            if k == 3 { Err(k) } else { Ok(k) }
        });
        assert_eq!(out, Err(3));
        assert!(started.load(Ordering::SeqCst) < 1000);
    }
}
