//! Building PDFs (or PNG pages) — a clerk's `jianbao build 4` as well as a
//! whole archive in one command. An issue is rebuilt only when something
//! it depends on changed (see [`Builder::inputs`]); the others are laid out
//! in parallel on `jobs` threads, in small batches, sharing the fonts, the
//! parsed layout and typst's caches, which are trimmed between batches so
//! memory stays flat. What each PDF was built from is kept in the output
//! folder's [`Manifest`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::config::{CONFIG_FILE, Config, PdfStandard};
use crate::diagnostic::UsageError;
use crate::issue::{Block, Issue};
use crate::layout_data::OutputData;
use crate::manifest::{Hash, Manifest, WrittenPdf};
use crate::publication::{IssueEntry, Publication};
use crate::sandbox::{self, Folder};
use crate::typeset::{self, Engine, Laid, TypstDiagnostic};

/// What became of one selected issue.
pub enum Outcome {
    /// The PDF is written; with typst's warnings, if it had any.
    Written {
        pages: usize,
        warnings: Vec<TypstDiagnostic>,
        /// What the clerk should know about the pages.
        notes: Vec<String>,
        /// The PDF as written (none for PNG pages), for the manifest.
        pdf: Option<WrittenPdf>,
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
    /// The PDF (or a page picture) could not be written: an environment
    /// problem. `kept`: what is there of an earlier build.
    WriteFailed {
        path: PathBuf,
        error: sandbox::Error,
        kept: Kept,
    },
}

/// What a failed write left of an earlier build's files.
#[derive(Debug, Clone, PartialEq)]
pub enum Kept {
    /// Nothing was there, and nothing was written.
    Nothing,
    /// The earlier PDF, or every earlier page picture, is there as it was.
    Earlier,
    /// Page pictures whose earlier version could not be put back: these
    /// are the new version, the others the old one.
    Mixed(Vec<PathBuf>),
}

impl From<bool> for Kept {
    fn from(earlier: bool) -> Kept {
        if earlier {
            Kept::Earlier
        } else {
            Kept::Nothing
        }
    }
}

/// A PDF (or page picture) `path` that could not be written, said as
/// `build` and `watch` say it, with what to do about it: a folder that
/// cannot be written (its permissions, a read-only disk) says so; a file
/// that is there but cannot be replaced is most likely open in a viewer
/// (or locked); otherwise the error's own help. `kept`: what is there of
/// an earlier build — for page pictures, the set is said as a whole (all
/// kept, none written, or which pages are new).
pub fn write_failed(path: &Path, error: &sandbox::Error, kept: impl Into<Kept>) -> UsageError {
    let kept = kept.into();
    let page = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    let docx = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("docx"));
    let ofd = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ofd"));
    let (file, viewer) = if docx {
        ("Word 文件", "Word 或 WPS")
    } else if ofd {
        ("OFD 文件", "OFD 阅读器")
    } else if page {
        ("页面图片", "看图软件或别的程序")
    } else {
        ("PDF", "PDF 阅读器")
    };
    let kept_text = match (&kept, page) {
        (Kept::Earlier, false) if docx => "（原有的 Word 文件保持不变）".to_string(),
        (Kept::Earlier, false) if ofd => "（原有的 OFD 文件保持不变）".to_string(),
        (Kept::Earlier, false) => "（原有的 PDF 保持不变）".to_string(),
        (Kept::Nothing, false) => String::new(),
        (Kept::Earlier, true) => {
            format!(
                "（这一期原有的页面图片 {} 都保持不变，一张也没有换）",
                pages_of(path)
            )
        }
        (Kept::Nothing, true) => {
            format!("（这一期的页面图片 {} 一张也没有写）", pages_of(path))
        }
        (Kept::Mixed(new), _) => {
            let shown: Vec<String> = new.iter().map(|p| crate::source::show_path(p)).collect();
            let named = match shown.as_slice() {
                [one] => one.clone(),
                [first, .., last] => format!("{first} … {last}（{} 个）", shown.len()),
                [] => String::new(),
            };
            format!(
                "（原有的页面图片没能全部放回：{named} 已经是新的一版，其余还是旧的一版，新旧混在一起，不要使用）"
            )
        }
    };
    let shown = crate::source::show_path(path);
    let denied = error.is_denied();
    let folder = path.parent().unwrap_or(Path::new("."));
    if denied && let Some(why) = sandbox::unwritable(folder) {
        let folder = crate::source::show_path(folder);
        return UsageError::new(format!(
            "无法写入 {shown}：输出文件夹 {folder} 不能写入，{why}{kept_text}"
        ))
        .help(format!(
            "让这个文件夹可以写入（例如 chmod u+rwx {folder}；文件夹属于别的用户时请它的主人或管理员改），或用 --out 文件夹 把{file}写到别处"
        ));
    }
    if path.is_dir() {
        return UsageError::new(format!(
            "无法写入 {shown}：那里是一个同名的文件夹{kept_text}"
        ))
        .help(format!(
            "把这个文件夹移走或改名，或用 --out 文件夹 把{file}写到别处"
        ));
    }
    let mut e = UsageError::cannot(&format!("无法写入 {shown}"), error);
    e.message.push_str(&kept_text);
    // A viewer that holds the file open (Windows, or a Windows folder
    // seen from WSL) makes replacing it fail with "permission denied"; so
    // does a file made unchangeable (immutable, locked).
    if denied && path.exists() {
        // A space between a Latin word and a Chinese one (这个 PDF 可能
        // 正在 PDF 阅读器里, 这个页面图片可能正在看图软件里).
        let spaced = |s: &str| {
            if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
                format!(" {s}")
            } else {
                s.to_string()
            }
        };
        let file = spaced(file);
        let file = if file.ends_with(|c: char| c.is_ascii_alphabetic()) {
            format!("{file} ")
        } else {
            file
        };
        e.help(format!(
            "这个{file}可能正在{}里打开着，或被设成了不能改动（锁定、只读属性）：关掉它或解除锁定，再运行一次",
            spaced(viewer)
        ))
    } else if denied {
        e.help("检查是否有权限写这个文件夹")
    } else {
        e
    }
}

/// `out/004-*.png`: every page picture of the issue whose page `page` is.
fn pages_of(page: &Path) -> String {
    let stem = page
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let issue = stem
        .rsplit_once('-')
        .map_or(stem.as_str(), |(issue, _)| issue);
    crate::source::show_path(&page.with_file_name(format!("{issue}-*.png")))
}

/// What an issue becomes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Output {
    /// `out/004.pdf`.
    Pdf,
    /// One PNG per page at this many pixels per inch: `out/004-1.png` ….
    Png { ppi: f32 },
    /// `out/004.docx`: a Word document on the same grid (`crate::docx`),
    /// made from the issue's blocks and the composer's pages, not typst's.
    Docx,
    /// `out/004.ofd`: the PDF's pages as GB/T 33190 OFD (`crate::ofd`),
    /// written from typst's laid-out pages.
    Ofd,
}

impl Output {
    /// The file an issue whose PDF would be `pdf` is written to (for PNG
    /// pages, the first page's is named by [`page_image_path`]).
    pub fn path(self, pdf: &Path) -> PathBuf {
        match self {
            Output::Docx => pdf.with_extension("docx"),
            Output::Ofd => pdf.with_extension("ofd"),
            Output::Pdf | Output::Png { .. } => pdf.to_path_buf(),
        }
    }

    /// What the clerk is told is made: `没有生成 OFD 文件`.
    pub fn kind(self) -> &'static str {
        match self {
            Output::Pdf => "PDF",
            Output::Png { .. } => "页面图片",
            Output::Docx => "Word 文件",
            Output::Ofd => "OFD 文件",
        }
    }
}

/// How issues are built: jianbao.toml's `[output]` with what the command
/// line says over it.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub format: Output,
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
        format: Output,
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
            Output::Pdf => OutputData::new(self.pdf_standard),
            // The OFD has the PDF's red ink, in CMYK.
            Output::Png { .. } | Output::Docx | Output::Ofd => OutputData::new(None),
        }
    }
}

/// What a build wrote, for its message: the PDF `out/004.pdf`, or the
/// pages' pictures `out/004-1.png … out/004-6.png` for the issue whose PDF
/// would be `pdf`.
pub fn written(pdf: &Path, pages: usize, format: Output) -> String {
    let shown = |p: &Path| crate::source::show_path(p);
    match format {
        Output::Pdf => shown(pdf),
        Output::Docx | Output::Ofd => shown(&format.path(pdf)),
        Output::Png { .. } if pages == 1 => shown(&page_image_path(pdf, 1, 1)),
        Output::Png { .. } => format!(
            "{} … {}",
            shown(&page_image_path(pdf, 1, pages)),
            shown(&page_image_path(pdf, pages, pages))
        ),
    }
}

/// The PNG of page `n` (from 1) of `pages` of the issue whose PDF is
/// `pdf`: `out/004.pdf` → `out/004-1.png`; numbered with as many digits
/// as the last page has (`004-01.png` … `004-12.png`), so that a list of
/// files sorts in page order.
pub fn page_image_path(pdf: &Path, n: usize, pages: usize) -> PathBuf {
    let width = pages.max(n).to_string().len();
    pdf.with_file_name(format!("{}-{n:0width$}.png", file_stem(pdf)))
}

fn file_stem(pdf: &Path) -> String {
    pdf.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Whether `name` is one of the page pictures jianbao writes for the
/// issue whose PDF is `pdf` (`004-3.png`, `004-03.png`).
fn is_page_image_of(pdf: &Path, name: &str) -> bool {
    name.strip_prefix(&file_stem(pdf))
        .and_then(|rest| rest.strip_prefix('-'))
        .and_then(|rest| rest.strip_suffix(".png"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
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
    settings: Settings,
    engine: Arc<Engine>,
    /// What every issue's PDF depends on (see [`Builder::inputs`]).
    shared_inputs: Hash,
    /// The pictures the issues use, resolved: never written over, wherever
    /// the output folder is (`--out`, a link).
    pictures_used: HashSet<PathBuf>,
}

/// An issue to lay out, where its PDF goes, and what it is built from
/// (`None`: a picture could not be read, which the layout will report).
struct Job<'e> {
    entry: &'e IssueEntry,
    issue: &'e Issue,
    out: PathBuf,
    inputs: Option<Hash>,
}

/// See [`Builder::recorder`].
pub struct Recorder {
    folder: Folder,
    manifest: Manifest,
    inputs: Hash,
}

/// The manifest is saved at least this often during a long build, so an
/// interrupted build keeps most of what it did.
const SAVE_EVERY: Duration = Duration::from_secs(2);

impl<'a> Builder<'a> {
    /// A builder with jianbao.toml's settings: PDF, its layout.
    pub fn new(publication: &'a Publication) -> Result<Self, ConfigHasErrors> {
        let config = publication.config.as_ref().ok_or(ConfigHasErrors)?;
        let settings = Settings::new(config, Output::Pdf, None, None);
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
        let (Some(config), Some(fonts)) = (&publication.config, &publication.fonts) else {
            return Err(ConfigHasErrors);
        };
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
        part(&mut h, format!("{:?}", settings.pdf_standard).as_bytes());
        // The layout: the built-in one's text, or every file of the folder
        // an office's own layout is in (what it may import).
        part(&mut h, engine.layout_text().unwrap_or_default().as_bytes());
        if let Some(layout) = &settings.layout {
            let dir = publication.root.join(layout);
            let dir = dir.parent().unwrap_or(&publication.root);
            for (rel, bytes) in layout_files(dir, dir == publication.root) {
                part(&mut h, rel.as_bytes());
                part(&mut h, &bytes);
            }
        }
        part(&mut h, &fonts.identity());
        // jianbao.toml as bytes: any edit rebuilds every issue.
        part(
            &mut h,
            &std::fs::read(publication.root.join(CONFIG_FILE)).unwrap_or_default(),
        );
        let pictures_used = publication
            .issues
            .iter()
            .filter_map(|e| e.issue.as_ref())
            .flat_map(pictures)
            .filter_map(|rel| publication.root.join(rel).canonicalize().ok())
            .collect();
        Ok(Self {
            publication,
            config,
            settings,
            engine,
            shared_inputs: h.finalize().into(),
            pictures_used,
        })
    }

    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// Lays one issue out with the layout of the settings.
    pub fn layout(&self, issue: &Issue) -> Result<Laid, Vec<TypstDiagnostic>> {
        let p = self.publication;
        typeset::layout(
            &self.engine,
            &p.root,
            self.config,
            issue,
            p.today,
            self.settings.output_data(),
        )
    }

    /// The hash of everything an issue's PDF depends on: the jianbao
    /// version and its code, the layout's text, the fonts, jianbao.toml
    /// (all in `shared_inputs`), the issue's id and file, and the content
    /// of each picture it names. `None` when a picture cannot be read.
    /// Taken before the layout reads anything.
    pub fn inputs(&self, issue: &Issue, manifest: &mut Manifest) -> Option<Hash> {
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
        // Each output folder checked once, and swept of what killed builds
        // left there.
        // (A folder refused is asked again for each issue, which says why.)
        let mut folders: HashSet<PathBuf> = HashSet::new();
        let mut usable = |out: &Path| -> Result<(), sandbox::Error> {
            let folder = out.parent().unwrap_or(Path::new(".")).to_path_buf();
            if !folders.contains(&folder) {
                p.output_folder(out)?.remove_stale_temporaries();
                folders.insert(folder);
            }
            Ok(())
        };
        // The manifest is read only from an output folder that may be used.
        let manifest_folder = self.manifest_folder();
        if manifest_folder.is_some() {
            let _ = usable(&p.output_dir().join(crate::manifest::MANIFEST_FILE));
        }
        let mut manifest = manifest_folder
            .as_ref()
            .map(Manifest::load)
            .unwrap_or_default();
        let ids: HashSet<&str> = p.issues.iter().map(|e| e.file.id.as_str()).collect();
        let forgotten = manifest.forget(|id| ids.contains(id));
        let mut jobs: Vec<Job> = Vec::new();
        for &i in selected {
            let entry = &p.issues[i];
            let out = self.settings.format.path(&p.output_path(&entry.file.id));
            let kept = || out.is_file().then(|| out.clone());
            let Some(issue) = entry.issue.as_ref().filter(|_| !entry.has_errors()) else {
                report(entry, Outcome::HasErrors { kept: kept() });
                continue;
            };
            if let Err(error) = usable(&out) {
                report(
                    entry,
                    Outcome::WriteFailed {
                        kept: out.is_file().into(),
                        path: out,
                        error,
                    },
                );
                continue;
            }
            let inputs = self.inputs(issue, &mut manifest);
            // PNG pages are not in the manifest: always made afresh.
            if !options.force
                && self.settings.format == Output::Pdf
                && inputs.is_some_and(|h| manifest.is_current(&entry.file.id, &h))
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
        // Issues side by side run in a pool of `jobs` threads. One issue at
        // a time runs in the caller's pool instead: all its threads are then
        // typst's, which lays pages out side by side.
        let pool = (jobs_at_once > 1)
            .then(|| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(jobs_at_once)
                    .build()
                    .ok()
            })
            .flatten();
        let batch = 4 * jobs_at_once;
        let mut saved = Instant::now();
        for chunk in jobs.chunks(batch) {
            let build = |job: &Job| {
                started(job.entry);
                self.build_one(job)
            };
            let outcomes: Vec<Outcome> = match &pool {
                Some(pool) => pool.install(|| chunk.par_iter().map(build).collect()),
                None => chunk.iter().map(build).collect(),
            };
            for (job, outcome) in chunk.iter().zip(outcomes) {
                if let (Outcome::Written { pdf: Some(pdf), .. }, Some(inputs)) =
                    (&outcome, &job.inputs)
                {
                    manifest.record(&job.entry.file.id, inputs, pdf);
                }
                report(job.entry, outcome);
            }
            if jobs.len() > batch {
                // Entries not used by the last batches go; the fonts' and
                // the layout's, used by every issue, stay.
                typst::comemo::evict(2);
            }
            if let Some(folder) = &manifest_folder
                && manifest.changed()
                && saved.elapsed() > SAVE_EVERY
            {
                let _ = self.save(&mut manifest, folder);
                saved = Instant::now();
            }
        }
        if let Some(folder) = &manifest_folder
            && manifest.changed()
        {
            // Not fatal: without it the next build only does more work.
            let _ = self.save(&mut manifest, folder);
        }
        forgotten
    }

    /// The output folder the manifest is in, when it may be used (PNG
    /// pages are not in the manifest: always made afresh).
    pub fn manifest_folder(&self) -> Option<Folder> {
        let p = self.publication;
        (self.settings.format == Output::Pdf)
            .then(|| p.output_folder(&p.output_dir().join(crate::manifest::MANIFEST_FILE)))?
            .ok()
    }

    /// What `watch` needs to record a PDF it writes: the manifest and the
    /// issue's inputs, taken before the layout reads anything. `None`
    /// when there is nothing to record (PNG pages, an output folder that
    /// cannot be used, a picture that cannot be read).
    pub fn recorder(&self, issue: &Issue) -> Option<Recorder> {
        let folder = self.manifest_folder()?;
        let mut manifest = Manifest::load(&folder);
        let inputs = self.inputs(issue, &mut manifest)?;
        Some(Recorder {
            folder,
            manifest,
            inputs,
        })
    }

    /// Records the PDF of issue `id` in the manifest, if `outcome` wrote
    /// one (not fatal when it cannot be saved: the next build only does
    /// more work).
    pub fn record(&self, recorder: Option<Recorder>, id: &str, outcome: &Outcome) {
        if let (Some(mut r), Outcome::Written { pdf: Some(pdf), .. }) = (recorder, outcome) {
            r.manifest.record(id, &r.inputs, pdf);
            let _ = self.save(&mut r.manifest, &r.folder);
        }
    }

    /// Saves what a run recorded into the manifest in `folder`.
    pub fn save(&self, manifest: &mut Manifest, folder: &Folder) -> Result<(), sandbox::Error> {
        let named: HashSet<&str> = self
            .publication
            .issues
            .iter()
            .filter_map(|e| e.issue.as_ref())
            .flat_map(pictures)
            .collect();
        manifest.save(folder, &|rel| named.contains(rel))
    }

    /// Builds one issue: layout, PDF or PNGs, atomic writes; or the Word
    /// document, which typst does not lay out.
    fn build_one(&self, job: &Job) -> Outcome {
        if self.settings.format == Output::Docx {
            return self.write_docx(job.issue, &job.out);
        }
        match self.layout(job.issue) {
            Ok(laid) => self.write(&job.entry.file.id, job.issue, laid, &job.out),
            Err(errors) => Outcome::Failed {
                errors,
                kept: job.out.is_file().then(|| job.out.clone()),
            },
        }
    }

    /// Writes the Word document of an issue to `out` (`out/004.docx`),
    /// made in memory first and replaced atomically, as a PDF is.
    pub fn write_docx(&self, issue: &Issue, out: &Path) -> Outcome {
        let p = self.publication;
        let (bytes, pages) =
            match crate::docx::document(issue, self.config, &self.engine.fonts, &p.root) {
                Ok(made) => made,
                Err(e) => {
                    return Outcome::WriteFailed {
                        kept: out.is_file().into(),
                        path: out.to_path_buf(),
                        error: sandbox::Error::said(out, e.to_string()),
                    };
                }
            };
        let folder = match p.output_folder(out) {
            Ok(folder) => folder,
            Err(error) => {
                return Outcome::WriteFailed {
                    kept: out.is_file().into(),
                    path: out.to_path_buf(),
                    error,
                };
            }
        };
        if out
            .canonicalize()
            .is_ok_and(|real| self.pictures_used.contains(&real))
        {
            return Outcome::WriteFailed {
                path: out.to_path_buf(),
                error: sandbox::Error::said(out, "是期刊用的图片：生成的文件不能覆盖它"),
                kept: Kept::Earlier,
            };
        }
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let existed = out.is_file();
        if let Err(error) = folder.replace(&name, &bytes) {
            return Outcome::WriteFailed {
                path: out.to_path_buf(),
                error,
                kept: existed.into(),
            };
        }
        Outcome::Written {
            pages,
            warnings: Vec::new(),
            notes: Vec::new(),
            pdf: None,
        }
    }

    /// Writes a laid-out issue whose PDF goes to `out`. Everything is made
    /// in memory first, so a failure writes nothing.
    pub fn write(&self, id: &str, issue: &Issue, laid: Laid, out: &Path) -> Outcome {
        // `watch` lays an issue out for its preview whatever the format:
        // the Word document is made from the issue, not from the pages.
        if self.settings.format == Output::Docx {
            return self.write_docx(issue, out);
        }
        let pages = laid.document.pages().len();
        let kept = || out.is_file().then(|| out.to_path_buf());
        let mut ofd_notes = Vec::new();
        let files: Vec<(PathBuf, Vec<u8>)> = match self.settings.format {
            Output::Pdf => {
                // Stable across builds: the same input gives the same bytes.
                let ident = format!("jianbao:{}:{id}", self.config.imprint.publisher);
                let standard = self.settings.pdf_standard;
                match typeset::export_pdf(
                    &self.engine,
                    &laid.document,
                    &ident,
                    issue.date(),
                    standard,
                ) {
                    Ok(pdf) => vec![(out.to_path_buf(), pdf)],
                    Err(errors) => {
                        return Outcome::Failed {
                            errors,
                            kept: kept(),
                        };
                    }
                }
            }
            // Made by `write_docx` above.
            Output::Docx => Vec::new(),
            Output::Ofd => {
                let ident = format!("jianbao:{}:{id}", self.config.imprint.publisher);
                let office = crate::docx::OfficeFonts::of(&self.config.fonts);
                match crate::ofd::document(
                    &laid.document,
                    laid.layout_data(),
                    issue,
                    &ident,
                    &office,
                    self.config.clean_text,
                ) {
                    Ok(written) => {
                        ofd_notes = written.notes;
                        vec![(out.to_path_buf(), written.bytes)]
                    }
                    // Nothing failed to write: the pages hold what an OFD
                    // cannot (a face, a PDF picture of a layout).
                    Err(e) => {
                        return Outcome::Failed {
                            errors: vec![crate::typeset::TypstDiagnostic {
                                severity: crate::diagnostic::Severity::Error,
                                stage: crate::typeset::Stage::OfdExport,
                                message: e.to_string(),
                                hints: Vec::new(),
                                place: None,
                            }],
                            kept: kept(),
                        };
                    }
                }
            }
            Output::Png { ppi } => {
                match typeset::png_pages(&laid.document, ppi, |page, count| {
                    page_image_path(out, page, count)
                }) {
                    Ok(pngs) => pngs,
                    Err(error) => {
                        let path = error.path().to_path_buf();
                        return Outcome::WriteFailed {
                            kept: path.is_file().into(),
                            path,
                            error,
                        };
                    }
                }
            }
        };
        let folder = match self.publication.output_folder(out) {
            Ok(folder) => folder,
            Err(error) => {
                return Outcome::WriteFailed {
                    kept: out.is_file().into(),
                    path: out.to_path_buf(),
                    error,
                };
            }
        };
        // A picture an issue uses is never replaced by what is made of it.
        if let Some(path) = files.iter().map(|(p, _)| p).find(|p| {
            p.canonicalize()
                .is_ok_and(|real| self.pictures_used.contains(&real))
        }) {
            return Outcome::WriteFailed {
                path: path.clone(),
                error: sandbox::Error::said(
                    path,
                    "是期刊用的图片：生成的文件不能覆盖它",
                )
                .with_help(
                    "把输出写到一个只放输出的文件夹：jianbao.toml 里写 [output] dir = \"out\"，或用 --out 文件夹",
                ),
                kept: Kept::Earlier,
            };
        }
        let name = |path: &Path| {
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let mut pdf = None;
        match self.settings.format {
            Output::Pdf | Output::Ofd => {
                for (path, bytes) in &files {
                    let existed = path.is_file();
                    match folder.replace(&name(path), bytes) {
                        // Only PDFs are in the manifest.
                        Ok(stamp) if self.settings.format == Output::Pdf => {
                            pdf = Some(WrittenPdf::new(stamp, bytes))
                        }
                        Ok(_) => {}
                        Err(error) => {
                            return Outcome::WriteFailed {
                                path: path.clone(),
                                error,
                                kept: existed.into(),
                            };
                        }
                    }
                }
            }
            Output::Docx => {}
            // The pages as one set: all replaced, or none (see
            // `Folder::replace_all`).
            Output::Png { .. } => {
                let existed = files.iter().any(|(p, _)| p.is_file());
                let names: Vec<String> = files.iter().map(|(p, _)| name(p)).collect();
                let set: Vec<(&str, &[u8])> = names
                    .iter()
                    .zip(&files)
                    .map(|(n, (_, bytes))| (n.as_str(), bytes.as_slice()))
                    .collect();
                if let Err(failed) = folder.replace_all(&set) {
                    let kept = if failed.left_new.is_empty() {
                        existed.into()
                    } else {
                        Kept::Mixed(failed.left_new)
                    };
                    return Outcome::WriteFailed {
                        path: failed.error.path().to_path_buf(),
                        error: failed.error,
                        kept,
                    };
                }
            }
        }
        let mut notes = laid.notes;
        notes.extend(ofd_notes);
        if matches!(self.settings.format, Output::Png { .. }) {
            // Page pictures of an earlier, longer version (or numbered the
            // other way) would be taken for this version's pages; they are
            // named, not removed: `--out` may be any folder, and a file
            // jianbao did not write this time may be the office's own.
            let written: Vec<&std::ffi::OsStr> =
                files.iter().filter_map(|(p, _)| p.file_name()).collect();
            let stale: Vec<String> = crate::sandbox::list_dir(folder.path())
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(path, _)| {
                    let name = path.file_name()?;
                    (!written.contains(&name) && is_page_image_of(out, &name.to_string_lossy()))
                        .then(|| crate::source::show_path(&path))
                })
                .collect();
            if let (Some(first), Some(last)) = (stale.first(), stale.last()) {
                let named = if stale.len() == 1 {
                    first.clone()
                } else {
                    format!("{first} … {last}（{} 个）", stale.len())
                };
                notes.push(format!(
                    "{named} 不是这一版的页面（这一版 {pages} 页）：是以前生成的就删掉，免得误用"
                ));
            }
        }
        Outcome::Written {
            pages,
            warnings: laid.warnings,
            notes,
            pdf,
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

/// The files of the folder an office's layout is in (and below it), by
/// path, for the hash of what a PDF depends on. Bounded: a layout folder
/// is a few small files.
fn layout_files(dir: &Path, root_level: bool) -> Vec<(String, Vec<u8>)> {
    const MOST: usize = 256;
    const LARGEST: u64 = 16 << 20;
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(kind) = e.file_type() else { continue };
            let path = e.path();
            if kind.is_dir() {
                // A layout at the top of the publication: only its own
                // folder's files, not the issues and PDFs below it.
                if !root_level {
                    stack.push(path);
                }
            } else if kind.is_file()
                && found.len() < MOST
                && e.metadata().is_ok_and(|m| m.len() <= LARGEST)
            {
                let rel = path.strip_prefix(dir).unwrap_or(&path);
                found.push((
                    rel.to_string_lossy().into_owned(),
                    std::fs::read(&path).unwrap_or_default(),
                ));
            }
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_that_cannot_be_replaced_may_be_open_in_a_viewer() {
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("004.pdf");
        std::fs::write(&pdf, b"%PDF").unwrap();
        // What a viewer holding the file open gives on Windows (and on a
        // Windows folder seen from WSL: "Operation not permitted").
        let denied = || {
            let e = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
            sandbox::Error::io(&pdf, e)
        };
        let said = write_failed(&pdf, &denied(), true).to_string();
        assert!(
            said.contains("这个 PDF 可能正在 PDF 阅读器里打开着") && said.contains("关掉它"),
            "{said}"
        );
        assert!(said.contains("原有的 PDF 保持不变"), "{said}");
        let ofd = dir.path().join("004.ofd");
        std::fs::write(&ofd, b"PK").unwrap();
        let said = write_failed(&ofd, &denied(), true).to_string();
        assert!(
            said.contains("这个 OFD 文件可能正在 OFD 阅读器里打开着"),
            "{said}"
        );
        // No PDF there before: nothing is said to be kept.
        let said = write_failed(&dir.path().join("005.pdf"), &denied(), false).to_string();
        assert!(
            !said.contains("原有的 PDF") && !said.contains("阅读器"),
            "{said}"
        );
    }

    #[test]
    fn a_write_error_keeps_its_help() {
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("004.pdf");
        let changed = sandbox::Error::new(&pdf, sandbox::Problem::Exists { kind: "链接" });
        let said = write_failed(&pdf, &changed, false).to_string();
        assert!(said.contains("已经有了（是链接）"), "{said}");
        assert!(said.contains("help: 先把它改名或移走"), "{said}");
    }
}
