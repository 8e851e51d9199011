//! What a run may read and write. A publication is a sandbox: every input
//! (jianbao.toml, issue files, year folders, pictures, font folders) and
//! the output folder resolve inside the publication folder, and a link
//! that leads out of it is refused, the same way for every kind of input.
//! Only a path the user names on the command line (`--out`, `--font-path`)
//! may be outside. Files are read only when they are regular files (never
//! a FIFO, which would block, or a device) and never past a size limit.
//! PDFs are written to a locked temporary file and renamed into place.
//! Imports nothing from the crate.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

const MIB: u64 = 1024 * 1024;
/// jianbao.toml and issue files: a 1,000,000-character issue is 3 MB.
pub const TEXT_LIMIT: u64 = 16 * MIB;
/// A picture file; what it decodes to has limits of its own.
pub const PICTURE_LIMIT: u64 = 64 * MIB;
/// A font file (large CJK collections are 20–60 MB).
pub const FONT_LIMIT: u64 = 256 * MIB;

/// Why a path cannot be used.
#[derive(Debug)]
pub enum Refusal {
    /// The path, or a link on the way to it, leads out of the folder.
    Outside {
        target: PathBuf,
    },
    /// No such file (or a link to nothing).
    Missing,
    /// Links that lead to each other forever.
    LinkLoop,
    /// Not a regular file: a folder, a FIFO, a socket, a device.
    NotAFile {
        kind: &'static str,
    },
    TooLarge {
        size: u64,
        limit: u64,
    },
    Io(io::Error),
}

impl Refusal {
    fn from_io(e: io::Error) -> Refusal {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return Refusal::LinkLoop;
        }
        match e.kind() {
            io::ErrorKind::NotFound => Refusal::Missing,
            _ => Refusal::Io(e),
        }
    }

    /// How to fix it, when that is known.
    pub fn help(&self) -> Option<&'static str> {
        match self {
            Refusal::Outside { .. } => Some(
                "把文件复制进简报文件夹，不要用指向外面的链接；输出和字体可以在命令行用 --out、--font-path 指定外面的文件夹",
            ),
            Refusal::LinkLoop => Some("删掉这个链接，或让它指向一个真正的文件"),
            Refusal::NotAFile { .. } => Some("这里应该是一个普通文件"),
            Refusal::TooLarge { .. } => Some("检查是不是放错了文件；图片可以先缩小再用"),
            Refusal::Missing | Refusal::Io(_) => None,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Outside { target } => {
                write!(f, "是指向简报文件夹外面的链接（指向 {}）", target.display())
            }
            Refusal::Missing => write!(f, "不存在"),
            Refusal::LinkLoop => write!(f, "是绕成一圈的链接，打不开"),
            Refusal::NotAFile { kind } => write!(f, "不是普通文件，而是{kind}"),
            Refusal::TooLarge { size, limit } => write!(
                f,
                "太大了：{}，上限是 {}",
                human_size(*size),
                human_size(*limit)
            ),
            Refusal::Io(e) => write!(f, "无法读取：{e}"),
        }
    }
}

/// `3.2 MB`, `812 KB`, `67 字节`.
pub fn human_size(bytes: u64) -> String {
    if bytes >= MIB {
        format!("{:.1} MB", bytes as f64 / MIB as f64)
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} 字节")
    }
}

/// Resolves `path` (links followed) and refuses it unless it is inside
/// `root`, which must be canonical. Returns the resolved path.
pub fn inside(root: &Path, path: &Path) -> Result<PathBuf, Refusal> {
    let real = path.canonicalize().map_err(Refusal::from_io)?;
    if real.starts_with(root) {
        Ok(real)
    } else {
        Err(Refusal::Outside { target: real })
    }
}

/// Whether a relative path written in a file stays inside the folder it is
/// relative to, by its words alone (`images/../a.png` does, `../a.png`
/// and `/a.png` do not).
pub fn stays_inside(rel: &Path) -> bool {
    !rel.has_root()
        && rel
            .components()
            .try_fold(0i32, |depth, c| match c {
                Component::ParentDir if depth == 0 => None,
                Component::ParentDir => Some(depth - 1),
                Component::Normal(_) => Some(depth + 1),
                Component::CurDir => Some(depth),
                Component::RootDir | Component::Prefix(_) => None,
            })
            .is_some()
}

/// `images/./a//b/../c.png` → `images/a/c.png`: one spelling of a relative
/// path that stays inside its folder (see [`stays_inside`]).
pub fn normalise(rel: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in rel.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
            _ => {}
        }
    }
    out
}

/// Whether `path` (links followed) is a regular file, found out without
/// opening it: missing, a link loop, or not a file (a folder, a FIFO, a
/// device), said as [`Refusal`] says it.
pub fn regular_file(path: &Path) -> Result<(), Refusal> {
    let meta = fs::metadata(path).map_err(Refusal::from_io)?;
    if meta.is_file() {
        Ok(())
    } else {
        Err(Refusal::NotAFile {
            kind: kind_of(&meta),
        })
    }
}

/// Why this process cannot make files in the folder `dir`, when it cannot:
/// its permissions (shown as `ls -l` shows them) or a read-only file
/// system. `None` when it can, or cannot tell (a folder that is not
/// there; on Windows a folder's read-only attribute does not stop writes,
/// so a denied write there is a file held open, not the folder).
pub fn unwritable(dir: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::fs::PermissionsExt;
        let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
        // SAFETY: `c` is a valid NUL-terminated path for the call.
        if unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) } == 0 {
            return None;
        }
        match io::Error::last_os_error().raw_os_error() {
            Some(libc::EROFS) => Some("它所在的磁盘（文件系统）是只读的".into()),
            Some(libc::EACCES | libc::EPERM) => {
                let mode = fs::metadata(dir).ok()?.permissions().mode();
                let rwx: String = (0..9)
                    .map(|i| {
                        let bit = 0o400 >> i;
                        match (mode & bit != 0, i % 3) {
                            (false, _) => '-',
                            (true, 0) => 'r',
                            (true, 1) => 'w',
                            (true, _) => 'x',
                        }
                    })
                    .collect();
                Some(format!("没有写入的权限：文件夹的权限是 {rwx}"))
            }
            _ => None,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// What kind of thing a non-regular file is, for messages.
fn kind_of(meta: &fs::Metadata) -> &'static str {
    let t = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "管道（FIFO）";
        }
        if t.is_socket() {
            return "套接字";
        }
        if t.is_block_device() || t.is_char_device() {
            return "设备";
        }
    }
    if t.is_dir() {
        "文件夹"
    } else {
        "特殊文件"
    }
}

/// Opens a regular file for reading without blocking on a FIFO (the kind
/// is checked on the open handle, so nothing can swap it in between) and
/// refuses it past `limit` bytes. Returns the file and its size.
pub fn open_regular(path: &Path, limit: u64) -> Result<(File, u64), Refusal> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(Refusal::from_io)?;
    let meta = file.metadata().map_err(Refusal::from_io)?;
    if !meta.is_file() {
        return Err(Refusal::NotAFile {
            kind: kind_of(&meta),
        });
    }
    if meta.len() > limit {
        return Err(Refusal::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    Ok((file, meta.len()))
}

/// The whole of a regular file of at most `limit` bytes.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, Refusal> {
    let (file, size) = open_regular(path, limit)?;
    let mut bytes = Vec::with_capacity(size as usize);
    // A file that grows while it is read stops at the limit all the same.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(Refusal::from_io)?;
    if bytes.len() as u64 > limit {
        return Err(Refusal::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// The first `n` bytes of a regular file of at most `limit` bytes, and its
/// size: enough to identify it without reading it all.
pub fn read_head(path: &Path, n: usize, limit: u64) -> Result<(Vec<u8>, u64), Refusal> {
    let (file, size) = open_regular(path, limit)?;
    let mut head = Vec::with_capacity(n.min(size as usize));
    file.take(n as u64)
        .read_to_end(&mut head)
        .map_err(Refusal::from_io)?;
    Ok((head, size))
}

/// The entries of a folder as they are, links not followed, skipping
/// hidden ones (`.git`, `.DS_Store`, temporary files), sorted by name.
pub fn list_dir(dir: &Path) -> io::Result<Vec<(PathBuf, fs::FileType)>> {
    let mut entries: Vec<(PathBuf, fs::FileType)> = fs::read_dir(dir)?
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| Some((e.path(), e.file_type().ok()?)))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(entries)
}

/// Where output may go: `dir` (made if missing), when it resolves inside
/// `root` (canonical) — an `out/` that is a link leading out is refused.
/// Returns the resolved folder.
pub fn output_dir(root: &Path, dir: &Path) -> Result<PathBuf, Refusal> {
    // Resolve the part that exists before making anything: `create_dir_all`
    // would follow a link out of the folder.
    let mut existing = dir;
    while fs::symlink_metadata(existing).is_err() {
        existing = existing.parent().ok_or(Refusal::Missing)?;
    }
    let real = inside(root, existing)?;
    let rest = dir.strip_prefix(existing).unwrap_or(Path::new(""));
    let wanted = real.join(rest);
    fs::create_dir_all(&wanted).map_err(Refusal::from_io)?;
    inside(root, &wanted)
}

/// The temporary file `write_atomically` writes `path` through:
/// `.004.pdf.<pid>.tmp` next to it, hidden.
fn temporary_for(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Writes `bytes` to `path` via a temporary file in the same folder, so a
/// failed or killed write never leaves a partial file at `path` and never
/// replaces a good one. The temporary file is locked while it is written:
/// [`remove_stale_temporaries`] removes only unlocked ones, left by a
/// killed run.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = temporary_for(path);
    // A file that is replaced keeps its permissions (an issue file made
    // private stays private).
    let keep = fs::metadata(path).ok().map(|m| m.permissions());
    let result = (|| {
        let f = create_locked(&tmp)?;
        let mut w = &f;
        w.write_all(bytes)?;
        f.sync_all()?;
        if let Some(p) = keep {
            fs::set_permissions(&tmp, p)?;
        }
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Creates `tmp` afresh (never through a link left at that name) and
/// holds an exclusive lock on it. A stale-file sweep in another process
/// may remove the file between creating and locking it: then it is made
/// again.
fn create_locked(tmp: &Path) -> io::Result<File> {
    for _ in 0..8 {
        let _ = fs::remove_file(tmp);
        let f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(tmp)?;
        // File systems without locks (some network shares): write unlocked.
        if f.lock().is_err() {
            return Ok(f);
        }
        if same_file(&f, tmp) {
            return Ok(f);
        }
    }
    Err(io::Error::other("临时文件一再被别的进程删除"))
}

#[cfg(unix)]
fn same_file(f: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (f.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

/// Removes the temporary files a killed run left in `dir`
/// (`.004.pdf.<pid>.tmp`): those no running write holds locked. Returns
/// how many were removed.
pub fn remove_stale_temporaries(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !is_temporary_name(&name) {
            continue;
        }
        // A regular file only: never follow a link left at such a name.
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let Ok(f) = fs::OpenOptions::new().write(true).open(&path) else {
            continue;
        };
        // Held while removing, so a writer cannot lock it in between.
        if f.try_lock().is_ok() && same_file(&f, &path) && fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// `.004.pdf.1234.tmp`: a name [`temporary_for`] makes.
fn is_temporary_name(name: &str) -> bool {
    let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    inner.rsplit_once('.').is_some_and(|(file, pid)| {
        !file.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) && !pid.is_empty()
    })
}

thread_local! {
    static CONTAINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs a parser on untrusted bytes (a picture decoder, a font reader) so
/// that a panic in it — a bug in that crate — is an error of that input
/// (`Err` with the panic's message) rather than the end of the run. The
/// panic hook stays quiet while the parser runs ([`is_contained`]).
pub fn contain<T>(parse: impl FnOnce() -> T) -> Result<T, String> {
    let before = CONTAINED.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse));
    CONTAINED.with(|c| c.set(before));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    })
}

/// Whether this thread is running a parser under [`contain`]: a panic here
/// is caught and reported as a problem of the input.
pub fn is_contained() -> bool {
    CONTAINED.with(|c| c.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_a_path_decide_whether_it_stays_inside() {
        assert!(stays_inside(Path::new("images/a.png")));
        assert!(stays_inside(Path::new("images/./a.png")));
        assert!(stays_inside(Path::new("images/../a.png")));
        assert!(!stays_inside(Path::new("../a.png")));
        assert!(!stays_inside(Path::new("images/../../a.png")));
        assert!(!stays_inside(Path::new("/etc/passwd")));
        assert_eq!(
            normalise(Path::new("images/./x//../a.png")),
            Path::new("images/a.png")
        );
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        #[cfg(unix)]
        {
            let dir = tempfile::tempdir().unwrap();
            let fifo = dir.path().join("a.png");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
            assert!(matches!(
                read(&fifo, 10),
                Err(Refusal::NotAFile {
                    kind: "管道（FIFO）"
                })
            ));
        }
    }

    #[test]
    fn a_panicking_parser_is_an_error_of_its_input() {
        assert_eq!(contain(|| 7), Ok(7));
        let crashed: Result<(), String> = contain(|| panic!("bad table"));
        assert_eq!(crashed, Err("bad table".to_string()));
        assert!(!is_contained());
    }

    #[test]
    fn only_unlocked_temporaries_are_stale() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(".004.pdf.99999.tmp");
        fs::write(&stale, b"half a PDF").unwrap();
        let mine = dir.path().join(".notes.tmp");
        fs::write(&mine, b"not ours").unwrap();
        let live = dir.path().join(".005.pdf.99998.tmp");
        let held = create_locked(&live).unwrap();
        assert_eq!(remove_stale_temporaries(dir.path()), 1);
        assert!(!stale.exists());
        assert!(live.exists());
        assert!(mine.exists());
        drop(held);
        assert_eq!(remove_stale_temporaries(dir.path()), 1);
    }
}
