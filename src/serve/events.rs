//! `/api/events`: server-sent events to every open page. `changed` when
//! an issue file changed on disk other than by this server's own write
//! (heard with notify, as `watch` hears saves), `built` after every build.

use std::io::{self, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher as _};

use super::http::lock;
use super::workspace::{Workspace, version_of};
use crate::sandbox::TEXT_LIMIT;

/// Open event streams (one per open page); another is dropped, and its
/// browser tries again by itself.
const STREAMS: usize = 32;

#[derive(Default)]
pub struct Events {
    streams: Mutex<Vec<TcpStream>>,
}

impl Events {
    /// Sends one event to every open stream. Streams do not block (a page
    /// that does not read is dropped, and its browser connects again), so
    /// a build never waits for a page.
    pub fn send(&self, name: &str, data: &serde_json::Value) {
        // JSON has no raw line breaks: one `data:` line.
        let event = format!("event: {name}\ndata: {data}\n\n").into_bytes();
        lock(&self.streams).retain_mut(|s| matches!(s.write(&event), Ok(n) if n == event.len()));
    }

    /// Keeps `stream` as an event stream, if there is room once the
    /// streams of closed pages are dropped.
    pub fn add(&self, stream: TcpStream) -> io::Result<()> {
        stream.set_nonblocking(true)?;
        let mut streams = lock(&self.streams);
        if streams.len() >= STREAMS {
            streams.retain(is_open);
        }
        if streams.len() >= STREAMS {
            let _ = stream.shutdown(std::net::Shutdown::Both);
            return Ok(());
        }
        streams.push(stream);
        Ok(())
    }
}

/// Whether the other end of a (non-blocking) event stream is still there:
/// a browser sends nothing on it, so a read that would block means open,
/// and an end of stream or an error means the page is gone.
fn is_open(stream: &TcpStream) -> bool {
    let mut byte = [0u8; 1];
    match stream.peek(&mut byte) {
        Ok(n) => n > 0,
        Err(e) => e.kind() == io::ErrorKind::WouldBlock,
    }
}

/// Events closer together than this are one save (an editor's write,
/// rename and close).
const QUIET: Duration = Duration::from_millis(30);

/// Watches `issues/` and its year folders (each by itself, as `watch`
/// does, and only inside the publication) on a thread of its own; an
/// issue file whose bytes are not the ones this server wrote or told of
/// is `changed`, and the issues the page has built are built again.
pub fn watch_files(
    workspace: Arc<Workspace>,
    events: Arc<Events>,
    jobs: super::jobs::Jobs,
) -> Result<(), crate::diagnostic::UsageError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = crate::watch::watcher(tx)?;
    let root = workspace.root();
    let mut watched: Vec<PathBuf> = Vec::new();
    rewatch(&root, &mut watcher, &mut watched);
    let spawned = std::thread::Builder::new()
        .name("jianbao-serve-watch".into())
        .spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut paths: Vec<PathBuf> = Vec::new();
                let mut take = |e: notify::Result<notify::Event>| {
                    if let Ok(e) = e
                        && !matches!(e.kind, EventKind::Access(_))
                    {
                        paths.extend(e.paths);
                    }
                };
                take(first);
                while let Ok(e) = rx.recv_timeout(QUIET) {
                    take(e);
                }
                rewatch(&root, &mut watcher, &mut watched);
                let (workspace, events, root) = (workspace.clone(), events.clone(), root.clone());
                jobs.run(move || changed(&workspace, &events, &root, &paths));
            }
        });
    if spawned.is_err() {
        return Err(
            crate::diagnostic::UsageError::new("无法监视文件：不能再开线程")
                .help("系统的进程数或线程数到了上限：关掉一些程序，或调高上限（ulimit -u）后再试"),
        );
    }
    Ok(())
}

/// issues/ and the year folders in it, each watched by itself.
fn rewatch(root: &Path, watcher: &mut notify::RecommendedWatcher, watched: &mut Vec<PathBuf>) {
    let issues = root.join("issues");
    let mut want = vec![root.to_path_buf(), issues.clone()];
    for (path, kind) in crate::sandbox::list_dir(&issues).unwrap_or_default() {
        if kind.is_dir() {
            want.push(path);
        }
    }
    want.retain(|d| crate::sandbox::inside(root, d).is_ok());
    want.truncate(256);
    for dir in std::mem::take(watched) {
        if !want.contains(&dir) {
            let _ = watcher.unwatch(&dir);
        } else {
            watched.push(dir);
        }
    }
    for dir in want {
        if !watched.contains(&dir) && watcher.watch(&dir, RecursiveMode::NonRecursive).is_ok() {
            watched.push(dir);
        }
    }
}

/// Tells the pages of every issue file among `paths` whose bytes changed,
/// and builds again the issues they have open.
fn changed(workspace: &Workspace, events: &Events, root: &Path, paths: &[PathBuf]) {
    let config_changed = paths
        .iter()
        .any(|p| p == &root.join(crate::config::CONFIG_FILE));
    let issue_paths: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter(|p| p.starts_with(root.join("issues")))
        .collect();
    if issue_paths.is_empty() && !config_changed {
        return;
    }
    let _writing = lock(&workspace.writing);
    // This server's own writes come back as events: no news, no reading
    // the publication again (the next keystroke's save waits for it).
    let issues = root.join("issues");
    let news: Vec<&PathBuf> = issue_paths
        .iter()
        .copied()
        .filter(|path| {
            let key = path
                .strip_prefix(&issues)
                .ok()
                .map(|rel| rel.with_extension("").to_string_lossy().replace('\\', "/"));
            let version = crate::sandbox::read(path, TEXT_LIMIT).map(|b| version_of(&b));
            match (key, version) {
                (Some(key), Ok(version)) => !workspace.is_known(&key, &version),
                _ => true,
            }
        })
        .collect();
    if news.is_empty() && !config_changed {
        return;
    }
    let Ok(p) = workspace.refresh() else { return };
    let mut rebuild = Vec::new();
    for entry in &p.issues {
        if !issue_paths.iter().any(|q| **q == entry.file.path) && !config_changed {
            continue;
        }
        let key = &entry.file.id;
        let Ok(bytes) = crate::sandbox::read(&entry.file.path, TEXT_LIMIT) else {
            continue;
        };
        let version = version_of(&bytes);
        if workspace.is_news(key, &version) {
            events.send(
                "changed",
                &serde_json::json!({ "key": key, "version": version }),
            );
            rebuild.push(key.clone());
        } else if config_changed {
            rebuild.push(key.clone());
        }
    }
    for key in rebuild {
        if workspace.built(&key).is_some() {
            let built = workspace.build(&p, &key);
            events.send(
                "built",
                &serde_json::json!({ "key": key, "page_version": built.page_version }),
            );
        }
    }
}
