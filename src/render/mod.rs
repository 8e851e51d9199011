//! From a checked issue to a PDF: layout data → Typst world → compiled
//! document → PDF bytes (or PNG pages, or SVG pages for `serve`) → written
//! atomically.

mod closing;
mod contents;
pub mod data;
pub mod grid;
mod image;
mod masthead;
mod page;
mod pdf;
pub mod picture;
pub mod title;
pub mod world;

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;
use typst::diag::SourceDiagnostic;
use typst_layout::PagedDocument;

pub use image::{png_pages, svg_pages};
pub use world::{Engine, Place};

use crate::config::{Config, PdfStandard};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fonts::{Fonts, Role};
use crate::issue::Issue;
use grid::{Face, Measure};
use world::IssueWorld;

/// The grid face that sets a role's text on the grid. Centred lines
/// (titles) are not on the grid: they are measured as set, by [`Setting`].
fn face(role: Role) -> Face {
    match role {
        Role::Heading => Face::Heading,
        Role::Subheading => Face::Subheading,
        _ => Face::Body,
    }
}

impl Measure for Fonts {
    fn advance(&self, c: char, face: Face, latin: bool) -> f64 {
        let role = match face {
            Face::Body => Role::Body,
            Face::Heading => Role::Heading,
            Face::Subheading => Role::Subheading,
        };
        // Latin text comes from the Latin face where it has the glyph, as
        // in the layout's font list.
        latin
            .then(|| Fonts::advance(self, Role::Latin, c))
            .flatten()
            .or_else(|| Fonts::advance(self, role, c))
            .unwrap_or(1.0)
    }

    fn ink(&self, c: char, face: Face) -> Vec<(f64, f64)> {
        let role = match face {
            Face::Body => Role::Body,
            Face::Heading => Role::Heading,
            Face::Subheading => Role::Subheading,
        };
        let Some(font) = self.face_for(role, c).and_then(|f| self.font(f.index)) else {
            return Vec::new();
        };
        let Ok(ttf) = ttf_parser::Face::parse(font.data(), font.index()) else {
            return Vec::new();
        };
        let Some(glyph) = ttf.glyph_index(c) else {
            return Vec::new();
        };
        let mut pieces = Contours::default();
        ttf.outline_glyph(glyph, &mut pieces);
        pieces.close();
        let em = f64::from(ttf.units_per_em());
        // Contours that overlap are one piece of ink.
        let mut ranges = pieces.ranges;
        ranges.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut ink: Vec<(f64, f64)> = Vec::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            match ink.last_mut() {
                Some(last) if lo <= last.1 * em => last.1 = last.1.max(hi / em),
                _ => ink.push((lo / em, hi / em)),
            }
        }
        ink
    }
}

/// The metrics of text typst sets itself in one role (a centred title
/// line): each character in the face and at the weight that print it, so
/// that a line measured to fit is a line typst does not wrap again. (The
/// grid's [`Face`] is ignored: it names no title face.)
pub struct Setting<'a> {
    pub fonts: &'a Fonts,
    pub role: Role,
}

impl Measure for Setting<'_> {
    fn advance(&self, c: char, _: Face, latin: bool) -> f64 {
        self.fonts.advance_as(self.role, c, latin).unwrap_or(1.0)
    }
}

/// The horizontal extent of each contour of a glyph outline, in font units.
#[derive(Default)]
struct Contours {
    ranges: Vec<(f64, f64)>,
    current: Option<(f64, f64)>,
}

impl Contours {
    fn point(&mut self, x: f32) {
        let x = f64::from(x);
        let r = self.current.get_or_insert((x, x));
        r.0 = r.0.min(x);
        r.1 = r.1.max(x);
    }
    fn close(&mut self) {
        self.ranges.extend(self.current.take());
    }
}

impl ttf_parser::OutlineBuilder for Contours {
    fn move_to(&mut self, x: f32, _: f32) {
        self.close();
        self.point(x);
    }
    fn line_to(&mut self, x: f32, _: f32) {
        self.point(x);
    }
    fn quad_to(&mut self, x1: f32, _: f32, x: f32, _: f32) {
        self.point(x1);
        self.point(x);
    }
    fn curve_to(&mut self, x1: f32, _: f32, x2: f32, _: f32, x: f32, _: f32) {
        self.point(x1);
        self.point(x2);
        self.point(x);
    }
    fn close(&mut self) {
        Contours::close(self);
    }
}

/// A problem typst reported, in its own words. The input was checked
/// before, so an error means a bug in the layout or a picture typst cannot
/// read.
#[derive(Debug, Clone)]
pub struct TypstDiagnostic {
    pub severity: Severity,
    /// `layout` or `PDF export`.
    pub stage: &'static str,
    pub message: String,
    pub hints: Vec<String>,
    /// Where typst points: a place in the layout (`layouts/bulletin.typ`,
    /// the built-in one or an office's own) or a file it read
    /// (`/images/a.png`).
    pub place: Option<Place>,
}

impl TypstDiagnostic {
    fn new(engine: &Engine, stage: &'static str, d: &SourceDiagnostic) -> Self {
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
        let code = if self.stage == "layout" {
            "layout"
        } else {
            "pdf-export"
        };
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

/// A laid-out issue and what typst warned about on the way.
pub struct Laid {
    pub document: PagedDocument,
    pub warnings: Vec<TypstDiagnostic>,
    /// What the clerk should know about the pages (the closing block on a
    /// page of its own), one line each.
    pub notes: Vec<String>,
    /// What the layout read, for [`Laid::issue_json`].
    layout_data: data::LayoutData,
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

/// What the layout learns about the output besides the issue: the
/// `output` member of `/issue.json`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct OutputData {
    /// `"cmyk"`, or `"rgb"` for PDF/A, which allows no device CMYK (and
    /// typst-pdf 0.15 embeds no CMYK profile): the layout then sets its red
    /// ink as the same colour converted to sRGB.
    pub color_space: &'static str,
    /// The PDF standard being written (`"a-2b"` …), or `null`.
    pub pdf_standard: Option<&'static str>,
}

impl OutputData {
    pub fn new(standard: Option<PdfStandard>) -> Self {
        Self {
            color_space: if standard.is_some_and(PdfStandard::is_archival) {
                "rgb"
            } else {
                "cmyk"
            },
            pdf_standard: standard.map(PdfStandard::name),
        }
    }
}

/// `/issue.json`: the layout data, whatever its shape, and `output`; for a
/// long issue laid out a part at a time, only that part's `pages`, the
/// first of them page `first_page`.
#[derive(Serialize)]
struct IssueJson<'a> {
    grid: &'a data::Grid,
    fonts: &'a [data::FontRole],
    latin: &'a [String],
    title: &'a str,
    first_page: usize,
    pages: &'a [data::PageData],
    output: OutputData,
}

impl<'a> IssueJson<'a> {
    fn new(data: &'a data::LayoutData, pages: std::ops::Range<usize>, output: OutputData) -> Self {
        Self {
            grid: &data.grid,
            fonts: &data.fonts,
            latin: &data.latin,
            title: &data.title,
            first_page: pages.start + 1,
            pages: &data.pages[pages],
            output,
        }
    }

    fn bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("layout data serialises")
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
    let data = data::layout_data(issue, config, &engine.fonts, root);
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
        .map(|lines| format!("报尾单独占了最后一页：正文再少 {lines} 行，报尾就能排在上一页的下端"))
        .into_iter()
        .collect();
    let convert = |ds: &[SourceDiagnostic]| {
        ds.iter()
            .map(|d| TypstDiagnostic::new(engine, "layout", d))
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
            .map(|d| TypstDiagnostic::new(engine, "PDF export", d))
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
