//! The publication as the page works on it: read again after every write
//! (as `watch` reads it after every save), one engine kept warm for the
//! whole run (fonts, the layout, typst's caches), and the last good pages
//! of each issue the page has looked at, with a hash per page so that
//! the page redraws only those that changed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use typst_layout::PagedDocument;

use super::http::lock;
use crate::archive::{Builder, Output, Settings};
use crate::config::PdfStandard;
use crate::diagnostic::{Diagnostic, UsageError};
use crate::publication::{IssueEntry, Options, Publication, Selection};
use crate::typeset::Engine;

/// What the page built last of one issue.
pub struct Built {
    /// Page SVGs and their hashes, of the last good build (empty if none).
    pub svgs: Vec<Arc<str>>,
    pub hashes: Vec<String>,
    pub document: Option<Arc<PagedDocument>>,
    /// Bumped by every build of any issue, good or bad.
    pub page_version: u64,
    /// Why the last build failed (the pages are the last good ones).
    pub problem: Option<String>,
}

pub struct Workspace {
    start: PathBuf,
    options: Options,
    pub pdf_standard: Option<PdfStandard>,
    pub layout: Option<PathBuf>,
    publication: Mutex<Arc<Publication>>,
    engine: Mutex<Option<Arc<Engine>>>,
    builds: Mutex<HashMap<String, Arc<Built>>>,
    /// Held by whatever writes an issue file and builds it: one at a time,
    /// so a write and the build that answers it see the same file.
    pub writing: Mutex<()>,
    page_version: AtomicU64,
    /// The version (sha256) of each issue file as this server last wrote
    /// or reported it: a change on disk is one that differs.
    known: Mutex<HashMap<String, String>>,
}

/// The hex sha256 of a file's bytes: an issue's version.
pub fn version_of(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Workspace {
    pub fn new(
        start: &Path,
        options: Options,
        pdf_standard: Option<PdfStandard>,
        layout: Option<PathBuf>,
    ) -> Result<Workspace, UsageError> {
        let publication = Publication::load(start, &options)?;
        Ok(Workspace {
            start: start.to_path_buf(),
            options,
            pdf_standard,
            layout,
            publication: Mutex::new(Arc::new(publication)),
            engine: Mutex::new(None),
            builds: Mutex::default(),
            writing: Mutex::new(()),
            page_version: AtomicU64::new(0),
            known: Mutex::default(),
        })
    }

    pub fn publication(&self) -> Arc<Publication> {
        lock(&self.publication).clone()
    }

    pub fn root(&self) -> PathBuf {
        self.publication().root.clone()
    }

    /// The publication read afresh, for a caller to change (`build-all`
    /// checks its pictures).
    pub fn load(&self) -> Result<Publication, UsageError> {
        self.publication().reload(&self.start, &self.options)
    }

    /// Reads the publication again (after a write, or a change on disk),
    /// keeping the fonts when jianbao.toml names the same.
    pub fn refresh(&self) -> Result<Arc<Publication>, UsageError> {
        let old = self.publication();
        let new = Arc::new(old.reload(&self.start, &self.options)?);
        *lock(&self.publication) = new.clone();
        Ok(new)
    }

    /// The index of the issue whose key (its id, `004`, `2023/004`) is
    /// `key`, exactly: never a path, so nothing outside `issues/` is named.
    pub fn index(p: &Publication, key: &str) -> Option<usize> {
        p.issues.iter().position(|e| e.file.id == key)
    }

    pub fn remember(&self, key: &str, version: &str) {
        lock(&self.known).insert(key.to_string(), version.to_string());
    }

    /// Whether `version` is the one this server wrote or told of last.
    pub fn is_known(&self, key: &str, version: &str) -> bool {
        lock(&self.known).get(key).is_some_and(|v| v == version)
    }

    /// Whether `version` is news for `key` (then remembered).
    pub fn is_news(&self, key: &str, version: &str) -> bool {
        let mut known = lock(&self.known);
        if known.get(key).is_some_and(|v| v == version) {
            return false;
        }
        known.insert(key.to_string(), version.to_string());
        true
    }

    pub fn settings(&self, p: &Publication) -> Option<Settings> {
        let config = p.config.as_ref()?;
        Some(Settings::new(
            config,
            Output::Pdf,
            self.pdf_standard,
            self.layout.clone(),
        ))
    }

    /// The warm engine, or a new one when the fonts changed.
    pub fn engine(&self, p: &Publication) -> Result<Arc<Engine>, String> {
        let mut engine = lock(&self.engine);
        if let Some(e) = &*engine
            && p.fonts.as_ref().is_some_and(|f| Arc::ptr_eq(f, &e.fonts))
        {
            return Ok(e.clone());
        }
        let settings = self
            .settings(p)
            .ok_or_else(|| "jianbao.toml 有错误，不能排版".to_string())?;
        let made = settings.engine(p).map_err(|e| e.to_string())?;
        *engine = Some(made.clone());
        Ok(made)
    }

    /// A builder with the warm engine.
    pub fn builder<'p>(&self, p: &'p Publication) -> Result<Builder<'p>, String> {
        let settings = self
            .settings(p)
            .ok_or_else(|| "jianbao.toml 有错误，不能排版".to_string())?;
        let engine = self.engine(p)?;
        Builder::with(p, settings, engine).map_err(|_| "jianbao.toml 有错误，不能排版".to_string())
    }

    pub fn built(&self, key: &str) -> Option<Arc<Built>> {
        lock(&self.builds).get(key).cloned()
    }

    /// The last build of `key`, building it first if the page never had it.
    pub fn built_or_build(&self, key: &str) -> Arc<Built> {
        if let Some(b) = self.built(key) {
            return b;
        }
        let _writing = lock(&self.writing);
        match self.built(key) {
            Some(b) => b,
            None => self.build(&self.publication(), key),
        }
    }

    /// Lays out the issue `key` of `p` as it is on disk and keeps its
    /// pages; a failure keeps the last good pages and says why.
    pub fn build(&self, p: &Publication, key: &str) -> Arc<Built> {
        let page_version = self.page_version.fetch_add(1, Ordering::SeqCst) + 1;
        let previous = self.built(key);
        let built = match self.lay_out(p, key) {
            Ok(document) => {
                // A page's hash is its frame's (everything drawn on it): a
                // page that did not change keeps its SVG, and only the
                // changed ones are drawn again.
                let hashes: Vec<String> = document
                    .pages()
                    .iter()
                    .map(|page| format!("{:032x}", typst::utils::hash128(page)))
                    .collect();
                let svgs: Vec<Arc<str>> = document
                    .pages()
                    .iter()
                    .zip(&hashes)
                    .map(|(page, hash)| {
                        let kept = previous.as_ref().and_then(|b| {
                            let at = b.hashes.iter().position(|h| h == hash)?;
                            b.svgs.get(at).cloned()
                        });
                        kept.unwrap_or_else(|| Arc::from(crate::typeset::svg_page(page)))
                    })
                    .collect();
                Built {
                    svgs,
                    hashes,
                    document: Some(Arc::new(document)),
                    page_version,
                    problem: None,
                }
            }
            Err(problem) => match previous {
                Some(b) => Built {
                    svgs: b.svgs.clone(),
                    hashes: b.hashes.clone(),
                    document: b.document.clone(),
                    page_version,
                    problem: Some(problem),
                },
                None => Built {
                    svgs: Vec::new(),
                    hashes: Vec::new(),
                    document: None,
                    page_version,
                    problem: Some(problem),
                },
            },
        };
        let built = Arc::new(built);
        lock(&self.builds).insert(key.to_string(), built.clone());
        built
    }

    /// The issue laid out, or why not (its errors, as `check` says them).
    pub fn lay_out(&self, p: &Publication, key: &str) -> Result<PagedDocument, String> {
        let index = Self::index(p, key).ok_or_else(|| format!("没有第 {key} 期"))?;
        let entry = &p.issues[index];
        let diagnostics = self.diagnostics(p, entry);
        let errors: Vec<String> = p
            .diagnostics(&Selection {
                issues: Vec::new(),
                all: false,
            })
            .into_iter()
            .chain(&diagnostics)
            .filter(|d| d.is_error())
            .map(|d| anstream::adapter::strip_str(&d.render()).to_string())
            .collect();
        let issue = match &entry.issue {
            Some(issue) if errors.is_empty() => issue,
            _ => {
                let mut said = errors;
                said.push("有错误，没有重新排版（页面是上一次排好的）".into());
                return Err(said.join("\n"));
            }
        };
        let builder = self.builder(p)?;
        let laid = builder.layout(issue).map_err(|errors| {
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        })?;
        Ok(laid.document)
    }

    /// `check`'s diagnostics of one issue: what reading the publication
    /// found, and its pictures decoded as `check` decodes them.
    pub fn diagnostics(&self, p: &Publication, entry: &IssueEntry) -> Vec<Diagnostic> {
        let mut all = entry.diagnostics.clone();
        if let Some(issue) = &entry.issue {
            let standard = self
                .pdf_standard
                .or(p.config.as_ref().and_then(|c| c.pdf_standard));
            for found in crate::check::check_pictures(&[issue], &p.root, standard) {
                all.extend(found);
            }
        }
        all
    }
}
