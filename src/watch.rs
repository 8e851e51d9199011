//! `jianbao watch`: rebuilds an issue on every save of the issue file,
//! jianbao.toml, its pictures or the layout. One engine (fonts, standard
//! library, parsed layout) lives for the whole session, so typst's caches
//! stay warm and a rebuild after a small edit costs a few tens of
//! milliseconds. A broken save prints its problems and leaves the last
//! good output in place. `serve` hears about every rebuild.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher as _};
use typst_layout::PagedDocument;

use crate::archive::{Builder, Format, Outcome, Settings};
use crate::config::{CONFIG_FILE, PdfStandard};
use crate::diagnostic::UsageError;
use crate::publication::{Options, Publication};
use crate::render::Engine;
use crate::source::show_path;

/// What to watch and build.
#[derive(Debug, Clone)]
pub struct Request {
    /// Where the command was started (`-C`).
    pub start: PathBuf,
    pub options: Options,
    /// The issue the user named; `None`: the newest issue at first, then
    /// whichever issue file was saved last.
    pub issue: Option<String>,
    pub format: Format,
    pub pdf_standard: Option<PdfStandard>,
    pub layout: Option<PathBuf>,
}

/// What a rebuild gave, for the live preview.
pub enum Rebuilt<'a> {
    /// The issue laid out (its output written).
    Pages {
        issue: &'a str,
        document: &'a PagedDocument,
    },
    /// The save could not be built: what to fix, as plain text. The last
    /// good pages stay.
    Problem(String),
}

/// Events closer together than this are one save (an editor's write,
/// rename and close).
const QUIET: Duration = Duration::from_millis(5);
/// A stream of events longer than this rebuilds anyway.
const STARVE: Duration = Duration::from_millis(200);

/// Builds, then rebuilds after every relevant save until the process is
/// ended (Ctrl-C). Returns only when watching is impossible.
pub fn run(request: &Request, mut on_rebuild: impl FnMut(Rebuilt)) -> Result<(), UsageError> {
    let (tx, rx) = channel();
    let mut watcher = notify::recommended_watcher(tx)
        .map_err(|e| UsageError::new(format!("无法监视文件: {e}")))?;
    let mut session = Session {
        request: request.clone(),
        publication: Publication::load(&request.start, &request.options)?,
        engine: None,
        followed: None,
        watched: Vec::new(),
        relevant: Vec::new(),
        layout_dir: None,
    };
    session.followed = session.initial_issue()?;
    let mut since = Instant::now();
    let mut first = true;
    loop {
        match session.rebuild(since) {
            Step::Built { issue, document } => on_rebuild(Rebuilt::Pages {
                issue: &issue,
                document: &document,
            }),
            Step::Problem(text) => {
                let _ = writeln!(anstream::stderr().lock(), "{}", text.trim_end());
                on_rebuild(Rebuilt::Problem(
                    anstream::adapter::strip_str(&text).to_string(),
                ));
            }
        }
        session.watch(&mut watcher);
        if std::mem::take(&mut first) {
            let _ = writeln!(
                anstream::stderr().lock(),
                "正在监视：保存期刊文件、jianbao.toml、图片或版式就重新生成（Ctrl-C 结束）"
            );
        }
        // Keep what the last few rebuilds used; drop the rest.
        typst::comemo::evict(10);
        since = session.wait(&rx)?;
    }
}

struct Session {
    request: Request,
    publication: Publication,
    engine: Option<Arc<Engine>>,
    /// The issue file being built.
    followed: Option<PathBuf>,
    /// Folders being watched, and how.
    watched: Vec<(PathBuf, RecursiveMode)>,
    /// The files the last build read (pictures, the layout's files): their
    /// saves count too, as do jianbao.toml's and the issues'.
    relevant: Vec<PathBuf>,
    /// The folder of an office's layout: any save in it counts.
    layout_dir: Option<PathBuf>,
}

/// What a rebuild came to.
enum Step {
    Built {
        issue: String,
        document: PagedDocument,
    },
    Problem(String),
}

impl Session {
    fn initial_issue(&self) -> Result<Option<PathBuf>, UsageError> {
        let p = &self.publication;
        Ok(match &self.request.issue {
            Some(query) => Some(p.issues[p.resolve(query)?].file.path.clone()),
            None => p.issues.last().map(|e| e.file.path.clone()),
        })
    }

    /// Reloads the publication and builds the followed issue; sets the
    /// files that count for the next wait.
    fn rebuild(&mut self, since: Instant) -> Step {
        self.relevant.clear();
        match self
            .publication
            .reload(&self.request.start, &self.request.options)
        {
            Ok(p) => self.publication = p,
            Err(e) => return Step::Problem(e.to_string()),
        }
        let p = &self.publication;
        let Some(followed) = &self.followed else {
            return Step::Problem("issues/ 里还没有期刊文件；保存一个后自动生成".into());
        };
        let Some(index) = p.issues.iter().position(|e| &e.file.path == followed) else {
            return Step::Problem(format!(
                "{} 不在了；保存一个期刊文件后自动生成",
                show_path(followed)
            ));
        };
        let selection = crate::publication::Selection {
            issues: vec![index],
            all: false,
        };
        let diagnostics = p.diagnostics(&selection);
        let mut rendered: Vec<String> = diagnostics.iter().map(|d| d.render()).collect();
        let entry = &p.issues[index];
        let shown = show_path(&entry.file.path);
        let issue = match (&p.config, &entry.issue) {
            (Some(config), Some(issue)) if !diagnostics.iter().any(|d| d.is_error()) => {
                (config, issue)
            }
            _ => {
                rendered.push(format!(
                    "{shown}: 有错误，没有重新生成（原有的文件保持不变）"
                ));
                return Step::Problem(rendered.join("\n"));
            }
        };
        let (config, issue) = issue;
        let mut err = anstream::stderr().lock();
        for r in &rendered {
            let _ = writeln!(err, "{r}");
        }
        let settings = Settings::new(
            config,
            self.request.format,
            self.request.pdf_standard,
            self.request.layout.clone(),
        );
        // The engine lives as long as the fonts and the layout stay the same.
        let engine = match &self.engine {
            Some(e)
                if p.fonts.as_ref().is_some_and(|f| Arc::ptr_eq(f, &e.fonts))
                    && same_layout(e, &settings, &p.root) =>
            {
                e.clone()
            }
            _ => match settings.engine(p) {
                Ok(e) => {
                    self.engine = Some(e.clone());
                    e
                }
                Err(e) => return Step::Problem(e.to_string()),
            },
        };
        self.layout_dir = engine.layout_dir().map(Path::to_path_buf);
        let Ok(builder) = Builder::with(p, settings, engine) else {
            return Step::Problem("jianbao.toml 有错误".into());
        };
        let failed = |errors: Vec<crate::render::TypstDiagnostic>| {
            let text: Vec<String> = errors.iter().map(|e| format!("{shown}: {e}")).collect();
            Step::Problem(text.join("\n"))
        };
        // What the PDF is built from, for the manifest, before the layout
        // reads anything: `build` must know this PDF is not its own.
        let recorder = builder.recorder(issue);
        let laid = match builder.layout(issue) {
            Ok(laid) => laid,
            Err(errors) => return failed(errors),
        };
        self.relevant = laid.files.iter().map(|f| f.path.clone()).collect();
        let document = laid.document.clone();
        let out = p.output_path(&entry.file.id);
        // The output folder stays inside the publication, as for `build`.
        if let Err(why) = p.output_folder(&out) {
            return Step::Problem(format!("error: {why}"));
        }
        let outcome = builder.write(&entry.file.id, issue, laid, &out);
        builder.record(recorder, &entry.file.id, &outcome);
        match outcome {
            Outcome::Written {
                pages,
                warnings,
                notes,
                ..
            } => {
                let took = since.elapsed().as_secs_f64() * 1000.0;
                for w in warnings {
                    let _ = writeln!(err, "{shown}: {w}");
                }
                for n in notes {
                    let _ = writeln!(err, "{shown}: note: {n}");
                }
                let written = crate::archive::written(&out, pages, self.request.format);
                let _ = writeln!(err, "{shown} → {written}（{pages} 页，用时 {took:.1} ms）");
                Step::Built {
                    issue: entry.file.id.clone(),
                    document,
                }
            }
            Outcome::Failed { errors, .. } => failed(errors),
            Outcome::WriteFailed { path, error, .. } => {
                Step::Problem(format!("error: 无法写入 {}: {error}", show_path(&path)))
            }
            Outcome::HasErrors { .. } | Outcome::UpToDate { .. } => {
                Step::Problem(format!("{shown}: 有错误"))
            }
        }
    }

    /// Watches the folders of everything that counts: the publication
    /// folder (jianbao.toml), issues/, the pictures' folders and the
    /// layout's folder. Folders, not files: editors save by renaming.
    fn watch(&mut self, watcher: &mut notify::RecommendedWatcher) {
        let root = &self.publication.root;
        let mut want: Vec<(PathBuf, RecursiveMode)> = vec![
            (root.clone(), RecursiveMode::NonRecursive),
            (root.join("issues"), RecursiveMode::Recursive),
        ];
        if let Some(dir) = &self.layout_dir {
            want.push((dir.clone(), RecursiveMode::Recursive));
        }
        for f in &self.relevant {
            if let Some(dir) = f.parent() {
                want.push((dir.to_path_buf(), RecursiveMode::NonRecursive));
            }
        }
        want.dedup();
        for (dir, _) in &self.watched {
            if !want.iter().any(|(d, _)| d == dir) {
                let _ = watcher.unwatch(dir);
            }
        }
        self.watched.retain(|w| want.contains(w));
        for w in want {
            if !self.watched.contains(&w) && watcher.watch(&w.0, w.1).is_ok() {
                self.watched.push(w);
            }
        }
    }

    /// Waits for a save that counts; returns when its first event came.
    fn wait(
        &mut self,
        rx: &Receiver<notify::Result<notify::Event>>,
    ) -> Result<Instant, UsageError> {
        loop {
            let event = rx.recv().map_err(|_| UsageError::new("文件监视意外停止"))?;
            let first = Instant::now();
            let mut saved = self.saved(event);
            // The rest of the same save.
            loop {
                match rx.recv_timeout(QUIET) {
                    Ok(event) if first.elapsed() < STARVE => {
                        saved = saved.or(self.saved(event));
                    }
                    Ok(_) | Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => {
                        return Err(UsageError::new("文件监视意外停止"));
                    }
                }
            }
            if let Some(path) = saved {
                // Without a named issue, follow the issue file saved last.
                if self.request.issue.is_none() && self.is_issue_file(&path) {
                    self.followed = Some(path);
                }
                return Ok(first);
            }
        }
    }

    /// The file a save event is about, if it counts.
    fn saved(&self, event: notify::Result<notify::Event>) -> Option<PathBuf> {
        let event = event.ok()?;
        let counts = matches!(
            event.kind,
            EventKind::Create(_)
                | EventKind::Remove(_)
                | EventKind::Modify(
                    notify::event::ModifyKind::Data(_)
                        | notify::event::ModifyKind::Name(_)
                        | notify::event::ModifyKind::Any
                )
                | EventKind::Any
        );
        if !counts {
            return None;
        }
        event.paths.into_iter().find(|path| self.counts(path))
    }

    fn counts(&self, path: &Path) -> bool {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        // Editors' and jianbao's own temporary files.
        if name.starts_with('.') || name.ends_with('~') || name.ends_with(".tmp") {
            return false;
        }
        let root = &self.publication.root;
        path == root.join(CONFIG_FILE)
            || self.is_issue_file(path)
            || self.relevant.iter().any(|f| f == path)
            || self
                .layout_dir
                .as_ref()
                .is_some_and(|d| path.starts_with(d))
    }

    fn is_issue_file(&self, path: &Path) -> bool {
        path.starts_with(self.publication.root.join("issues"))
            && path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md"))
    }
}

fn same_layout(engine: &Engine, settings: &Settings, root: &Path) -> bool {
    match (&settings.layout, engine.layout_dir()) {
        (None, None) => true,
        (Some(path), Some(_)) => engine.is_layout(&root.join(path)),
        _ => false,
    }
}
