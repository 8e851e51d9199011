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

use crate::archive::{Builder, Outcome, Output, Settings};
use crate::config::{CONFIG_FILE, PdfStandard};
use crate::diagnostic::UsageError;
use crate::publication::{Options, Publication};
use crate::source::show_path;
use crate::typeset::Engine;

/// What to watch and build.
#[derive(Debug, Clone)]
pub struct Request {
    /// Where the command was started (`-C`).
    pub start: PathBuf,
    pub options: Options,
    /// The issue the user named; `None`: the newest issue at first, then
    /// whichever issue file was saved last.
    pub issue: Option<String>,
    pub format: Output,
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
/// Events already waiting when a rebuild starts are read at once, up to
/// this many (a process that saves without end cannot hold a rebuild).
const BACKLOG: usize = 100_000;

/// Builds, then rebuilds after every relevant save until the process is
/// ended (Ctrl-C). Returns only when watching is impossible.
pub fn run(request: &Request, mut on_rebuild: impl FnMut(Rebuilt)) -> Result<(), UsageError> {
    let (tx, rx) = channel();
    let mut watcher = watcher(tx)?;
    let mut session = Session {
        request: request.clone(),
        publication: Publication::load(&request.start, &request.options)?,
        engine: None,
        followed: None,
        saved: None,
        watched: Vec::new(),
        relevant: Vec::new(),
        layout_dir: None,
        told_too_many: false,
        told_unwatched: Default::default(),
        warned: Vec::new(),
    };
    session.followed = session.initial_issue()?;
    let mut since = Instant::now();
    let mut first = true;
    loop {
        // Folders replaced since the last round (a recreated issues/) are
        // watched again before the publication is read.
        session.watch(&mut watcher);
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

/// notify's watcher, which works on a thread of its own. notify starts
/// that thread without a word when the system refuses it (a process
/// limit), and then every call on the watcher panics, as does dropping it.
/// So a thread is asked for first (and given back at once), and the
/// watcher's own thread is asked once whether it runs.
pub fn watcher(
    tx: std::sync::mpsc::Sender<notify::Result<notify::Event>>,
) -> Result<notify::RecommendedWatcher, UsageError> {
    let no_thread = |why: String| {
        UsageError::new(format!("无法监视文件：不能再开线程（{why}）"))
            .help("系统的进程数或线程数到了上限：关掉一些程序，或调高上限（ulimit -u）后再试")
    };
    std::thread::Builder::new()
        .spawn(|| ())
        .map_err(|e| no_thread(e.to_string()))?
        .join()
        .map_err(|_| no_thread("线程没有正常结束".into()))?;
    let mut watcher = notify::recommended_watcher(tx)
        .map_err(|e| UsageError::new(format!("无法监视文件: {e}")))?;
    // Not watched, so notify answers "not found" — if its thread runs.
    let probe = std::env::temp_dir().join(".jianbao-not-watched");
    if crate::sandbox::contain(|| watcher.unwatch(&probe).is_err()).is_ok() {
        Ok(watcher)
    } else {
        // Dropping it would panic again.
        std::mem::forget(watcher);
        Err(no_thread("监视线程没有启动".into()))
    }
}

/// At most this many folders are watched. A publication has a few: its
/// folder, issues/, the year folders, the pictures' and the layout's.
const WATCH_LIMIT: usize = 256;
/// How deep below an office's layout folder its folders are watched.
const LAYOUT_DEPTH: usize = 4;

/// A folder as the system knows it: a folder deleted and made again under
/// the same name is another folder, and must be watched again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FolderId(u64, u64);

impl FolderId {
    fn of(path: &Path) -> Option<FolderId> {
        let meta = std::fs::metadata(path).ok().filter(|m| m.is_dir())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(FolderId(meta.dev(), meta.ino()))
        }
        #[cfg(not(unix))]
        {
            let made = meta
                .created()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .unwrap_or_default();
            Some(FolderId(made.as_secs(), u64::from(made.subsec_nanos())))
        }
    }
}

struct Session {
    request: Request,
    publication: Publication,
    engine: Option<Arc<Engine>>,
    /// The issue file being built.
    followed: Option<PathBuf>,
    /// The issue file saved last, when no issue was named: followed once
    /// the publication read again lists it.
    saved: Option<PathBuf>,
    /// Folders being watched (each by itself, never the folders below it),
    /// and which folder each name was when it was watched (`None`: it was
    /// removed or renamed since, so the watch is renewed).
    watched: Vec<(PathBuf, Option<FolderId>)>,
    /// The files the last build read (pictures, the layout's files): their
    /// saves count too, as do jianbao.toml's and the issues'.
    relevant: Vec<PathBuf>,
    /// The folder of an office's layout: any save in it counts.
    layout_dir: Option<PathBuf>,
    /// Whether the user was told that not every folder is watched.
    told_too_many: bool,
    /// The folders the user was told cannot be watched.
    told_unwatched: std::collections::HashSet<PathBuf>,
    /// The warnings said at the last build of the followed issue: a save
    /// says only what is new, not the same dozen lines again.
    warned: Vec<String>,
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
        // Without a named issue, follow the issue file saved last — if it
        // is one of the publication's (never a file a link leads to).
        if let Some(saved) = self.saved.take()
            && self.request.issue.is_none()
            && self.publication.issues.iter().any(|e| e.file.path == saved)
        {
            self.followed = Some(saved);
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
        let repeated = rendered.iter().filter(|r| self.warned.contains(r)).count();
        for r in rendered.iter().filter(|r| !self.warned.contains(r)) {
            let _ = writeln!(err, "{r}");
        }
        if repeated > 0 {
            let _ = writeln!(
                err,
                "{shown}: 另有 {repeated} 条警告和上次一样（jianbao check 查看全部）"
            );
        }
        self.warned = rendered;
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
        let failed = |errors: Vec<crate::typeset::TypstDiagnostic>| {
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
        let out = self.request.format.path(&p.output_path(&entry.file.id));
        // The output folder stays inside the publication, as for `build`.
        if let Err(error) = p.output_folder(&out) {
            let kept = out.is_file();
            return Step::Problem(crate::archive::write_failed(&out, &error, kept).to_string());
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
            Outcome::WriteFailed { path, error, kept } => {
                Step::Problem(crate::archive::write_failed(&path, &error, kept).to_string())
            }
            Outcome::HasErrors { .. } | Outcome::UpToDate { .. } => {
                Step::Problem(format!("{shown}: 有错误"))
            }
        }
    }

    /// Watches the folders of everything that counts: the publication
    /// folder (jianbao.toml), issues/ and its year folders, the pictures'
    /// folders and the layout's folders. Folders, not files: editors save
    /// by renaming. Each folder by itself, and only one that resolves
    /// inside the publication (as `build` reads them), so a link never
    /// takes the watch outside; a folder made again under the same name is
    /// watched again.
    fn watch(&mut self, watcher: &mut notify::RecommendedWatcher) {
        let mut want = self.wanted();
        if want.len() > WATCH_LIMIT {
            want.truncate(WATCH_LIMIT);
            if !std::mem::replace(&mut self.told_too_many, true) {
                let _ = writeln!(
                    anstream::stderr().lock(),
                    "warning: 要监视的文件夹超过 {WATCH_LIMIT} 个，只监视前 {WATCH_LIMIT} 个\n  help: 其余文件夹里的保存不会触发重新生成；年份文件夹、图片文件夹少一些就都能监视"
                );
            }
        }
        let root = self.publication.root.clone();
        let mut still = Vec::new();
        for (dir, id) in std::mem::take(&mut self.watched) {
            if want.iter().any(|(d, now)| *d == dir && Some(*now) == id) {
                still.push((dir, id));
            } else {
                // Gone, or another folder now: a watch of the old one ends.
                let _ = watcher.unwatch(&dir);
            }
        }
        self.watched = still;
        for (dir, id) in want {
            if self.watched.iter().any(|(d, _)| *d == dir) {
                continue;
            }
            if let Err(e) = watcher.watch(&dir, RecursiveMode::NonRecursive) {
                // Said once per folder: saves there go unseen.
                if self.told_unwatched.insert(dir.clone()) {
                    let why = match e.kind {
                        notify::ErrorKind::Io(e) => e.to_string(),
                        notify::ErrorKind::MaxFilesWatch => "系统可监视的文件夹数到了上限".into(),
                        other => format!("{other:?}"),
                    };
                    let _ = writeln!(
                        anstream::stderr().lock(),
                        "warning: 无法监视 {}：{why}\n  help: 这个文件夹里的保存不会触发重新生成；若是系统可监视的文件夹数到了上限，关掉别的监视程序后再启动",
                        show_path(&dir)
                    );
                }
                continue;
            }
            // A link changed between looking and watching: not kept.
            if crate::sandbox::inside(&root, &dir).is_err() || FolderId::of(&dir) != Some(id) {
                let _ = watcher.unwatch(&dir);
                continue;
            }
            self.watched.push((dir, Some(id)));
        }
    }

    /// The folders to watch, most needed first (the publication folder,
    /// issues/, the followed issue's folder, the layout's and the
    /// pictures', then the other year folders), each once, each inside
    /// the publication.
    fn wanted(&self) -> Vec<(PathBuf, FolderId)> {
        let root = &self.publication.root;
        let issues = root.join("issues");
        let mut want: Vec<PathBuf> = vec![root.clone()];
        let mut years = Vec::new();
        if let Ok(real_issues) = crate::sandbox::inside(root, &issues) {
            want.push(issues.clone());
            // The year folders, as `build` reads them: a folder, or a link
            // to a folder inside the publication (not to issues/ or above).
            for (path, kind) in crate::sandbox::list_dir(&issues).unwrap_or_default() {
                let year = if kind.is_symlink() {
                    crate::sandbox::inside(root, &path)
                        .is_ok_and(|t| t.is_dir() && !real_issues.starts_with(&t))
                } else {
                    kind.is_dir()
                };
                if year {
                    years.push(path);
                }
            }
        }
        if let Some(folder) = self.followed.as_ref().and_then(|f| f.parent())
            && years.iter().any(|y| y == folder)
        {
            want.push(folder.to_path_buf());
        }
        if let Some(dir) = &self.layout_dir {
            folders_below(dir, LAYOUT_DEPTH, &mut want);
        }
        want.extend(
            self.relevant
                .iter()
                .filter_map(|f| f.parent())
                .map(Path::to_path_buf),
        );
        want.extend(years);
        let mut seen = std::collections::HashSet::new();
        want.into_iter()
            .filter(|dir| seen.insert(dir.clone()))
            .filter(|dir| crate::sandbox::inside(root, dir).is_ok())
            .filter_map(|dir| Some((dir.clone(), FolderId::of(&dir)?)))
            .collect()
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
                    Ok(event) => {
                        saved = saved.or(self.saved(event));
                        if first.elapsed() >= STARVE {
                            break;
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => {
                        return Err(UsageError::new("文件监视意外停止"));
                    }
                }
            }
            // Events that came in the meantime belong to this rebuild: a
            // stream of saves faster than rebuilds never piles up.
            for event in rx.try_iter().take(BACKLOG) {
                saved = saved.or(self.saved(event));
            }
            if let Some(path) = saved {
                if self.is_issue_file(&path) {
                    self.saved = Some(path);
                }
                return Ok(first);
            }
        }
    }

    /// The file a save event is about, if it counts. A watched folder
    /// removed or renamed away is no longer watched (notify drops its
    /// watch): the next round watches whatever has that name then.
    fn saved(&mut self, event: notify::Result<notify::Event>) -> Option<PathBuf> {
        let event = event.ok()?;
        // The system's queue of events overflowed: any save, and any
        // folder made again, may be among those lost. Rebuild, and renew
        // every watch.
        if event.need_rescan() {
            for (_, id) in &mut self.watched {
                *id = None;
            }
            return Some(self.publication.root.clone());
        }
        if matches!(
            event.kind,
            EventKind::Remove(_) | EventKind::Modify(notify::event::ModifyKind::Name(_))
        ) {
            for (dir, id) in &mut self.watched {
                if event.paths.contains(dir) {
                    *id = None;
                }
            }
        }
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
        let issues = root.join("issues");
        path == root.join(CONFIG_FILE)
            // issues/ or a year folder made, removed or replaced (a folder
            // or a link there now, or one watched until now).
            || path == issues
            || self.watched.iter().any(|(d, _)| d == path)
            || (path.parent() == Some(&issues)
                && std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir() || m.is_symlink()))
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

/// `dir` and the folders below it, `depth` levels down; links and hidden
/// folders are not entered.
fn folders_below(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    out.push(dir.to_path_buf());
    if depth == 0 || out.len() > WATCH_LIMIT {
        return;
    }
    for (path, kind) in crate::sandbox::list_dir(dir).unwrap_or_default() {
        if kind.is_dir() {
            folders_below(&path, depth - 1, out);
        }
    }
}

fn same_layout(engine: &Engine, settings: &Settings, root: &Path) -> bool {
    match (&settings.layout, engine.layout_dir()) {
        (None, None) => true,
        (Some(path), Some(_)) => engine.is_layout(&root.join(path)),
        _ => false,
    }
}
