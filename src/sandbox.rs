//! What a run may read and write. A publication is a sandbox: every input
//! (jianbao.toml, issue files, year folders, pictures, font folders) and
//! the output folder resolve inside the publication folder, and a link
//! that leads out of it is refused, the same way for every kind of input.
//! Only a path the user names on the command line (`--out`, `--font-path`,
//! `init`'s and `export`'s folders) may be outside. Files are read only
//! when they are regular files (never a FIFO, which would block, or a
//! device) and never past a size limit. Every file is written by one
//! writer, [`Folder`]. Imports nothing from the crate but the way paths
//! are shown ([`crate::source::show_path`]).

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

use crate::source::show_path;

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
/// What `file` holds, at most `limit` bytes: a file that grows while it
/// is read stops at the limit all the same.
fn read_bounded(file: impl Read, limit: u64) -> Result<Vec<u8>, Refusal> {
    let mut bytes = Vec::new();
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

/// A regular file of at most `limit` bytes, said to be the file it is.
fn regular_within(meta: &fs::Metadata, limit: u64) -> Result<(), Refusal> {
    if !meta.is_file() {
        return Err(Refusal::NotAFile {
            kind: kind_of(meta),
        });
    }
    if meta.len() > limit {
        return Err(Refusal::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    Ok(())
}

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
    regular_within(&meta, limit)?;
    Ok((file, meta.len()))
}

/// The whole of a regular file of at most `limit` bytes.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, Refusal> {
    let (file, _) = open_regular(path, limit)?;
    read_bounded(file, limit)
}

/// The whole of the regular file at `path` (never through a link) of at
/// most `limit` bytes, and the stamp of the file read.
pub fn read_stamped(path: &Path, limit: u64) -> Result<(Vec<u8>, Stamp), Refusal> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    let file = options.open(path).map_err(Refusal::from_io)?;
    let meta = file.metadata().map_err(Refusal::from_io)?;
    if !meta.is_file() {
        return Err(Refusal::NotAFile {
            kind: kind_of(&meta),
        });
    }
    let bytes = read_bounded(&file, limit)?;
    Ok((bytes, Stamp::of(&meta)))
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

// ---------------------------------------------------------------------------
// Writing. Every file jianbao writes — PDFs, PNG pages, the manifest,
// `check --fix`, `init`, `new`, `layout --eject`, `export` — goes through
// a [`Folder`]: opened from the sandbox folder one name at a time without
// following a link, so a link planted on the way (or swapped in meanwhile)
// cannot lead a write out; files are made under a fresh temporary name
// (`O_EXCL`, never through a link left at that name) and renamed or linked
// into place, so a file is whole or not there.
// ---------------------------------------------------------------------------

/// What a run could not do with a file or the environment — write a PDF,
/// make the output folder, use a font file, encode a page: the file or
/// folder that stood in the way, what is wrong with it (the system's own
/// error when there is one), what the file is to the run when that helps
/// the reader (`输出文件夹`, `字体文件`), and the fix when it is known.
/// Every command prints it the same way ([`crate::diagnostic::UsageError::cannot`]).
#[derive(Debug)]
pub struct Error {
    path: PathBuf,
    problem: Problem,
    /// `输出文件夹`: said before the path.
    what: Option<&'static str>,
    /// A fix known to whoever met the problem, over the problem's own.
    help: Option<String>,
}

/// What is wrong with the path of an [`Error`].
#[derive(Debug)]
pub enum Problem {
    /// A link leading out, a link loop.
    Refused(Refusal),
    /// A link to something that is not there.
    Dangling { target: PathBuf },
    /// Something other than a folder where a folder is needed.
    NotAFolder { kind: &'static str },
    /// Something is there already: a new file never replaces anything,
    /// and a file never replaces a folder.
    Exists { kind: &'static str },
    /// The file no longer holds the bytes it was read with: someone saved
    /// it meanwhile.
    Changed,
    /// The file belongs to another user (`uid`), and this user cannot give
    /// the new one to them.
    Owner { uid: u32 },
    /// The path is longer than the system takes.
    TooLong,
    /// What the system said.
    Io(io::Error),
    /// A problem jianbao found itself, said after the path
    /// (`不完整：字体的数据应当有 …`).
    Said(String),
}

/// The longest path the system takes (Linux's `PATH_MAX`, with its NUL).
const PATH_MAX: usize = 4096;
/// The longest name of one file or folder.
const NAME_MAX: usize = 255;

/// The length of the longest name in `path` when it is too long for one
/// file or folder (with room for a temporary file's suffix).
fn long_name(path: &Path) -> Option<usize> {
    path.iter()
        .map(|n| n.len())
        .max()
        .filter(|&n| n > NAME_MAX - 20)
}

impl Error {
    pub fn new(path: &Path, problem: Problem) -> Error {
        Error {
            path: path.to_path_buf(),
            problem,
            what: None,
            help: None,
        }
    }

    /// A system error at `path`; one about a path too long for the
    /// system says so.
    pub fn io(path: &Path, error: io::Error) -> Error {
        #[cfg(unix)]
        if error.raw_os_error() == Some(libc::ENAMETOOLONG) {
            return Error::new(path, Problem::TooLong);
        }
        Error::new(path, Problem::Io(error))
    }

    /// A problem jianbao found itself, said after the path.
    pub fn said(path: &Path, problem: impl Into<String>) -> Error {
        Error::new(path, Problem::Said(problem.into()))
    }

    /// Says what the path is to the run (`输出文件夹`) before it.
    pub fn as_a(mut self, what: &'static str) -> Error {
        self.what = Some(what);
        self
    }

    /// A fix known better than the problem's own.
    pub fn with_help(mut self, help: impl Into<String>) -> Error {
        self.help = Some(help.into());
        self
    }

    /// This error as the reason `path` cannot be used: `{lead}{self}`
    /// said after `path`, with this error's help.
    pub fn because(self, path: &Path, lead: &str) -> Error {
        let help = self.help().map(str::to_owned);
        Error {
            help,
            ..Error::said(path, format!("{lead}{self}"))
        }
    }

    /// Whether the path was longer than the system takes.
    pub fn is_too_long(&self) -> bool {
        matches!(self.problem, Problem::TooLong)
    }

    /// What the path is to the run (`输出文件夹`), when said.
    pub fn what(&self) -> Option<&'static str> {
        self.what
    }

    /// The file or folder that stood in the way.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What is wrong with the path.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// The system's error, when the system said no.
    pub fn io_error(&self) -> Option<&io::Error> {
        match &self.problem {
            Problem::Io(e) | Problem::Refused(Refusal::Io(e)) => Some(e),
            _ => None,
        }
    }

    /// Whether the system refused for want of permission (or a read-only
    /// disk; on Windows, a file another program holds open).
    pub fn is_denied(&self) -> bool {
        self.io_error().is_some_and(|e| {
            matches!(
                e.kind(),
                io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
            ) || matches!(e.raw_os_error(), Some(32 | 33) if cfg!(windows))
        })
    }

    /// How to fix it, when that is known.
    pub fn help(&self) -> Option<&str> {
        if let Some(help) = &self.help {
            return Some(help);
        }
        match &self.problem {
            Problem::Refused(why) => why.help(),
            Problem::Dangling { .. } => {
                Some("删掉这个链接（或让它指向一个真正的文件夹），再运行一次")
            }
            Problem::NotAFolder { .. } => Some("把它改名或移走，让这里可以建文件夹"),
            Problem::Exists { .. } => Some("先把它改名或移走，再运行一次"),
            Problem::Changed => {
                Some("什么都没有改；保存好文件后再运行一次（编辑器里的改动不会丢）")
            }
            Problem::Owner { .. } => Some(
                "用这个文件的主人的账户运行；或者请主人（或管理员）先把文件交给当前用户（chown）",
            ),
            Problem::TooLong if long_name(&self.path).is_some() => Some("给它起一个短一些的名字"),
            Problem::TooLong => {
                Some("把简报文件夹移到路径短一些的地方（或给上层文件夹起短一些的名字），再运行一次")
            }
            Problem::Io(_) | Problem::Said(_) => None,
        }
    }
}

/// `输出文件夹 out 建不了：…`, `out/004.pdf: Permission denied`: the path,
/// then what is wrong with it.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = show_path(&self.path);
        if let Some(what) = self.what {
            shown = format!("{what} {shown}");
        }
        match &self.problem {
            Problem::TooLong => match long_name(&self.path) {
                Some(n) => write!(
                    f,
                    "{shown} 的名字太长：{n} 字节，系统最多接受 {NAME_MAX} 字节"
                ),
                // The path itself is not worth showing: it is the problem.
                None => write!(f, "文件夹的路径太长，超过了系统接受的 {PATH_MAX} 字节"),
            },
            Problem::Io(_) => write!(f, "{shown}: {}", self.problem),
            problem => write!(f, "{shown} {problem}"),
        }
    }
}

/// What is wrong, said after the path (`是一个文件，不是文件夹`).
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Refused(why) => write!(f, "{why}"),
            Problem::Dangling { target } => {
                write!(f, "是一个链接，指向的 {} 不存在", show_path(target))
            }
            Problem::NotAFolder { kind } => write!(f, "是一个{kind}，不是文件夹"),
            Problem::Exists { kind } => write!(f, "已经有了（是{kind}）"),
            Problem::Changed => write!(f, "在这期间被改动过"),
            Problem::Owner { uid } => write!(
                f,
                "属于另一个用户（uid {uid}），当前用户替换它会把它变成自己的，原来的主人可能就打不开了"
            ),
            Problem::TooLong => write!(f, "的路径太长"),
            Problem::Io(error) => write!(f, "{error}"),
            Problem::Said(problem) => write!(f, "{problem}"),
        }
    }
}

impl std::error::Error for Error {}

/// A set of files that could not all be replaced ([`Folder::replace_all`]).
#[derive(Debug)]
pub struct Unreplaced {
    /// The file that stood in the way, and why.
    pub error: Error,
    /// Files that are the new version all the same: their old file could
    /// not be put back. Empty when the folder holds the old set as it was.
    pub left_new: Vec<PathBuf>,
}

/// What a written file is on disk: enough to know later, without reading
/// it, that the file at a path is still the one written — a file replaced
/// since is another inode, one rewritten in place has another time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub device: u64,
    pub inode: u64,
    pub bytes: u64,
    pub modified_ns: u128,
}

impl Stamp {
    fn of(meta: &fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let (device, inode) = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino())
        };
        // Without inodes a stamp is size and time only; whoever trusts it
        // checks the content when it matters.
        #[cfg(not(unix))]
        let (device, inode) = (0, 0);
        Stamp {
            device,
            inode,
            bytes: meta.len(),
            modified_ns: meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos()),
        }
    }

    /// The stamp of the regular file at `path` (a link is not followed).
    pub fn at(path: &Path) -> Option<Stamp> {
        fs::symlink_metadata(path)
            .ok()
            .filter(fs::Metadata::is_file)
            .map(|m| Stamp::of(&m))
    }

    /// Whether it identifies a file by more than its size and time.
    pub fn has_identity(&self) -> bool {
        self.inode != 0
    }
}

/// How [`Folder::write`] puts the file in place.
enum Put<'a> {
    /// Replace what is there; with `Some`, only while it still holds
    /// these bytes.
    Replace(Option<&'a [u8]>),
    /// Only where nothing is.
    New,
}

/// A folder writes may go into, held open. It is found from the sandbox
/// folder one name at a time, following no link (links on the way that
/// stay inside are resolved first, then walked as real folders), and
/// whatever is renamed or swapped around it afterwards, files are made in
/// this folder.
pub struct Folder {
    /// The folder as it was resolved, for messages.
    path: PathBuf,
    dir: at::Dir,
}

impl Folder {
    /// The folder `dir` (made, with the folders on the way, if missing)
    /// when it resolves inside `root`, which must be canonical.
    pub fn open(root: &Path, dir: &Path) -> Result<Folder, Error> {
        // The part of `dir` that is there (a link counts, even to nothing).
        let mut existing = dir.to_path_buf();
        let mut missing: Vec<std::ffi::OsString> = Vec::new();
        loop {
            match fs::symlink_metadata(&existing) {
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    let Some(Component::Normal(name)) = existing.components().next_back() else {
                        return Err(Error::io(dir, e));
                    };
                    missing.push(name.to_owned());
                    existing.pop();
                    if existing.as_os_str().is_empty() {
                        existing = PathBuf::from(".");
                    }
                }
                Err(e) => return Err(Error::io(&existing, e)),
            }
        }
        let real = resolve(root, &existing)?;
        let mut folder = Folder {
            dir: at::Dir::open(root).map_err(|e| Error::io(root, e))?,
            path: root.to_path_buf(),
        };
        for name in real.strip_prefix(root).unwrap_or(Path::new("")).iter() {
            folder = folder.sub(name, false)?;
        }
        for name in missing.iter().rev() {
            folder = folder.sub(name, true)?;
        }
        Ok(folder)
    }

    /// The folder `name` in this one, made if `make` and missing; never
    /// through a link.
    fn sub(&self, name: &std::ffi::OsStr, make: bool) -> Result<Folder, Error> {
        let path = self.path.join(name);
        if make
            && let Err(e) = self.dir.mkdir(name)
            && e.kind() != io::ErrorKind::AlreadyExists
        {
            return Err(Error::io(&path, e));
        }
        match self.dir.sub(name) {
            Ok(dir) => Ok(Folder { path, dir }),
            // Swapped for a link or a file since it was resolved, or made
            // by someone else meanwhile.
            Err(e) => Err(match self.dir.kind(name) {
                Ok(Kind::Link) => Error::said(&path, "在写入的同时被换成了链接"),
                Ok(Kind::Other(kind)) => Error::new(&path, Problem::NotAFolder { kind }),
                _ => Error::io(&path, e),
            }),
        }
    }

    /// The folder `rel` below this one (made if missing), never through
    /// a link: `rel` is a path jianbao made (`fonts`, `images/2024`).
    pub fn folder(&self, rel: &Path) -> Result<Folder, Error> {
        let mut names = rel.components().map(|c| match c {
            Component::Normal(name) => Ok(name),
            _ => Err(Error::io(
                &self.path.join(rel),
                io::Error::from(io::ErrorKind::InvalidInput),
            )),
        });
        let Some(first) = names.next() else {
            return Folder::open(&self.path, &self.path);
        };
        let mut folder = self.sub(first?, true)?;
        for name in names {
            folder = folder.sub(name?, true)?;
        }
        Ok(folder)
    }

    /// A fresh, empty folder here to write a tree into before it is
    /// renamed into place (`.export.<pid>.<n>.tmp`), and its name.
    pub fn temporary_folder(&self, name: &str) -> Result<(String, Folder), Error> {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        for n in 0..64u32 {
            let tmp = format!(
                ".{name}.{}.{}.tmp",
                std::process::id(),
                seed.wrapping_add(n)
            );
            match self.dir.mkdir(tmp.as_ref()) {
                Ok(()) => return Ok((tmp.clone(), self.sub(tmp.as_ref(), false)?)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(Error::io(&self.path.join(name), e)),
            }
        }
        Err(Error::said(
            &self.path,
            "里找不到一个可用的临时文件夹名（试了 64 个）",
        ))
    }

    /// Renames `from` to `to` in this folder: a folder may replace an
    /// empty folder, nothing else.
    pub fn rename(&self, from: &str, to: &str) -> Result<(), Error> {
        self.dir
            .rename(from.as_ref(), to.as_ref())
            .map_err(|e| Error::io(&self.path.join(to), e))
    }

    /// Removes the folder `name` here and everything in it (links are
    /// removed, never followed).
    pub fn remove_folder(&self, name: &str) {
        if self
            .dir
            .kind(name.as_ref())
            .is_ok_and(|k| k == Kind::Other("文件夹"))
        {
            let _ = fs::remove_dir_all(self.path.join(name));
        }
    }

    /// The folder as it was resolved.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `bytes` as the file `name`, replacing what is there (a
    /// replaced file's owner and permissions are kept). Returns the
    /// written file's stamp.
    pub fn replace(&self, name: &str, bytes: &[u8]) -> Result<Stamp, Error> {
        self.write(name, bytes, Put::Replace(None))
    }

    /// Replaces the file `name` with `bytes` only while it still holds
    /// `read`: a file saved by someone else since is left as they saved
    /// it ([`Problem::Changed`]).
    pub fn replace_if_unchanged(
        &self,
        name: &str,
        bytes: &[u8],
        read: &[u8],
    ) -> Result<Stamp, Error> {
        self.write(name, bytes, Put::Replace(Some(read)))
    }

    /// Writes every file of `files` (name, bytes), replacing what is there,
    /// as one set: all are written under temporary names first, and only
    /// when every one is whole are they renamed into place, each old file
    /// kept under a temporary name meanwhile. A rename that fails (a file
    /// locked, made immutable, held open) puts the files already replaced
    /// back, so the folder holds the old set or the new one, never a mix
    /// — as far as the file system lets the old files be put back: those
    /// it did not are in [`Unreplaced::left_new`].
    pub fn replace_all(&self, files: &[(&str, &[u8])]) -> Result<Vec<Stamp>, Unreplaced> {
        let unreplaced = |error| Unreplaced {
            error,
            left_new: Vec::new(),
        };
        // Every file written whole under its temporary name.
        let mut made: Vec<(String, Stamp)> = Vec::new();
        let remove = |made: &[(String, Stamp)]| {
            for (tmp, _) in made {
                let _ = self.dir.unlink(tmp.as_ref());
            }
        };
        for (name, bytes) in files {
            let path = self.path.join(name);
            let written = (|| -> Result<(String, Stamp), Error> {
                let fail = |e| Error::io(&path, e);
                let old = match self.dir.stat(name.as_ref()) {
                    Ok(old) => Some(old),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                    Err(e) => return Err(fail(e)),
                };
                if let Some(old) = &old
                    && old.kind == Kind::Other("文件夹")
                {
                    return Err(Error::new(&path, Problem::Exists { kind: "文件夹" }));
                }
                let (tmp, file) = self.temporary(name, &path)?;
                let done = (|| {
                    (&file).write_all(bytes).map_err(fail)?;
                    if let Some(old) = &old
                        && old.kind == Kind::File
                    {
                        keep_owner_and_mode(&file, old, &path)?;
                    }
                    file.sync_all().map_err(fail)?;
                    Ok(Stamp::of(&file.metadata().map_err(fail)?))
                })();
                match done {
                    Ok(stamp) => Ok((tmp, stamp)),
                    Err(e) => {
                        let _ = self.dir.unlink(tmp.as_ref());
                        Err(e)
                    }
                }
            })();
            match written {
                Ok(m) => made.push(m),
                Err(error) => {
                    remove(&made);
                    return Err(unreplaced(error));
                }
            }
        }
        // Then into place, each old file kept aside until all are.
        let mut done: Vec<(&str, Option<String>)> = Vec::new();
        let mut failed = None;
        for ((name, _), (tmp, _)) in files.iter().zip(&made) {
            let path = self.path.join(name);
            let kept = match self.dir.stat(name.as_ref()) {
                Ok(_) => match self.set_aside(name) {
                    Ok(kept) => Some(kept),
                    Err(e) => {
                        failed = Some(Error::io(&path, e));
                        break;
                    }
                },
                Err(_) => None,
            };
            if let Err(e) = self.dir.rename(tmp.as_ref(), name.as_ref()) {
                // This one's old file back where it was, if it was moved.
                if let Some(kept) = &kept {
                    let _ = self.dir.link_new(kept.as_ref(), name.as_ref());
                    let _ = self.dir.unlink(kept.as_ref());
                }
                failed = Some(Error::io(&path, e));
                break;
            }
            done.push((name, kept));
        }
        let Some(error) = failed else {
            for (_, kept) in &done {
                if let Some(kept) = kept {
                    let _ = self.dir.unlink(kept.as_ref());
                }
            }
            return Ok(made.into_iter().map(|(_, stamp)| stamp).collect());
        };
        // Put back what was replaced.
        let mut left_new = Vec::new();
        for (name, kept) in done.into_iter().rev() {
            let back = match &kept {
                Some(kept) => self.dir.rename(kept.as_ref(), name.as_ref()),
                None => self.dir.unlink(name.as_ref()),
            };
            if back.is_err() {
                left_new.push(self.path.join(name));
                if let Some(kept) = &kept {
                    let _ = self.dir.unlink(kept.as_ref());
                }
            }
        }
        left_new.reverse();
        remove(&made);
        Err(Unreplaced { error, left_new })
    }

    /// Gives the file (or link) `name` a second, temporary name of its
    /// own (a hard link; a rename where there are none), to put it back
    /// with if what replaces it cannot all be put in place.
    fn set_aside(&self, name: &str) -> io::Result<String> {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let mut short = name.len().min(160);
        while !name.is_char_boundary(short) {
            short -= 1;
        }
        for n in 0..64u32 {
            let kept = format!(
                ".{}.{}.{}.tmp",
                &name[..short],
                std::process::id(),
                seed.wrapping_add(n) % 1_000_000_000
            );
            match self.dir.link_new(name.as_ref(), kept.as_ref()) {
                Ok(()) => return Ok(kept),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::from(io::ErrorKind::AlreadyExists))
    }

    /// Writes the new file `name`; anything there (a file, a folder, a
    /// link, even to nothing) is left alone ([`Problem::Exists`]).
    pub fn create(&self, name: &str, bytes: &[u8]) -> Result<Stamp, Error> {
        self.write(name, bytes, Put::New)
    }

    fn write(&self, name: &str, bytes: &[u8], put: Put) -> Result<Stamp, Error> {
        let path = self.path.join(name);
        let old = match self.dir.stat(name.as_ref()) {
            Ok(old) => Some(old),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(&path, e)),
        };
        match (&put, &old) {
            (Put::New, Some(old)) => {
                let kind = match old.kind {
                    Kind::Link => "链接",
                    Kind::Other(kind) => kind,
                    Kind::File => "文件",
                };
                return Err(Error::new(&path, Problem::Exists { kind }));
            }
            (Put::Replace(_), Some(old)) if old.kind == Kind::Other("文件夹") => {
                return Err(Error::new(&path, Problem::Exists { kind: "文件夹" }));
            }
            _ => {}
        }
        let (tmp, file) = self.temporary(name, &path)?;
        let written = (|| -> Result<Stamp, Error> {
            let fail = |e| Error::io(&path, e);
            (&file).write_all(bytes).map_err(fail)?;
            if let (Put::Replace(_), Some(old)) = (&put, &old)
                && old.kind == Kind::File
            {
                keep_owner_and_mode(&file, old, &path)?;
            }
            file.sync_all().map_err(fail)?;
            let stamp = Stamp::of(&file.metadata().map_err(fail)?);
            match put {
                Put::Replace(read) => {
                    // As late as it can be: what was read is what is there.
                    if let Some(read) = read {
                        let now = self.read(name, read.len() as u64);
                        if now.as_deref().ok() != Some(read) {
                            return Err(Error::new(&path, Problem::Changed));
                        }
                    }
                    self.dir.rename(tmp.as_ref(), name.as_ref()).map_err(fail)
                }
                Put::New => self.dir.link_new(tmp.as_ref(), name.as_ref()).map_err(|e| {
                    if e.kind() == io::ErrorKind::AlreadyExists {
                        Error::new(
                            &path,
                            Problem::Exists {
                                kind: "别的进程刚写的文件",
                            },
                        )
                    } else {
                        fail(e)
                    }
                }),
            }?;
            Ok(stamp)
        })();
        // Gone after a rename; after a link (or a failure) it is removed.
        let _ = self.dir.unlink(tmp.as_ref());
        written
    }

    /// A fresh temporary file for `name`, `.004.pdf.<pid>.<n>.tmp`,
    /// created exclusively (never through anything left at that name) and
    /// locked while it is written: [`Folder::remove_stale_temporaries`]
    /// removes only unlocked ones, left by a killed run.
    fn temporary(&self, name: &str, path: &Path) -> Result<(String, File), Error> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        // Not guessable from the pid alone: names planted in advance are
        // passed over, never opened.
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos() as u64);
        // A name near the system's 255 bytes still leaves room for the rest.
        let mut short = name.len().min(160);
        while !name.is_char_boundary(short) {
            short -= 1;
        }
        for _ in 0..64 {
            let n = seed.wrapping_add(NEXT.fetch_add(1, Ordering::Relaxed)) % 1_000_000_000;
            let tmp = format!(".{}.{}.{n}.tmp", &name[..short], std::process::id());
            let file = match self.dir.create_new(tmp.as_ref()) {
                Ok(f) => f,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(Error::io(path, e)),
            };
            // File systems without locks (some network shares): unlocked.
            if file.lock().is_err() {
                return Ok((tmp, file));
            }
            // A sweep in another process may have removed it between
            // making and locking it: then another name.
            if self.dir.is_same(tmp.as_ref(), &file) {
                return Ok((tmp, file));
            }
        }
        Err(Error::said(
            &self.path,
            "里找不到一个可用的临时文件名（试了 64 个）",
        ))
    }

    /// The whole of the regular file `name` of at most `limit` bytes,
    /// never through a link.
    pub fn read(&self, name: &str, limit: u64) -> Result<Vec<u8>, Refusal> {
        let file = self
            .dir
            .open_read(name.as_ref())
            .map_err(Refusal::from_io)?;
        let meta = file.metadata().map_err(Refusal::from_io)?;
        regular_within(&meta, limit)?;
        let bytes = read_bounded(file, limit)?;
        Ok(bytes)
    }

    /// An exclusive lock on this folder (between runs, and between
    /// threads that opened it apart), held until the returned handle is
    /// dropped. No file is made for it. Waits at most `patience` for
    /// another run to let go.
    pub fn lock(&self, patience: std::time::Duration) -> Result<File, Error> {
        let handle = self
            .dir
            .lock_handle()
            .map_err(|e| Error::io(&self.path, e))?;
        let start = std::time::Instant::now();
        loop {
            match handle.try_lock() {
                Ok(()) => return Ok(handle),
                Err(fs::TryLockError::WouldBlock) if start.elapsed() < patience => {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(
                        Error::said(&self.path, "一直被另一个 jianbao 占着").with_help(
                            "等另一个 jianbao（build、watch 或 serve）做完，或者停掉它，再运行一次",
                        ),
                    );
                }
                // No locks on this file system: go on without.
                Err(fs::TryLockError::Error(_)) => return Ok(handle),
            }
        }
    }

    /// The stamp of the regular file `name` (a link is not followed).
    pub fn stamp(&self, name: &str) -> Option<Stamp> {
        Stamp::at(&self.path.join(name))
    }

    /// Removes the temporary files a killed run left here
    /// (`.004.pdf.<pid>.<n>.tmp`): those no running write holds locked.
    /// Returns how many were removed.
    pub fn remove_stale_temporaries(&self) -> usize {
        let Ok(entries) = fs::read_dir(&self.path) else {
            return 0;
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name();
            if !is_temporary_name(&name.to_string_lossy()) {
                continue;
            }
            // A regular file only, opened without following a link.
            let Ok(f) = self.dir.open_write(&name) else {
                continue;
            };
            // Held while removing, so a writer cannot lock it in between.
            if f.metadata().is_ok_and(|m| m.is_file())
                && f.try_lock().is_ok()
                && self.dir.is_same(&name, &f)
                && self.dir.unlink(&name).is_ok()
            {
                removed += 1;
            }
        }
        removed
    }
}

/// `existing` (which is there) resolved, when it is a folder inside
/// `root`; else what it is.
fn resolve(root: &Path, existing: &Path) -> Result<PathBuf, Error> {
    let real = match existing.canonicalize() {
        Ok(real) => real,
        Err(e) => {
            // The first link on the way that leads nowhere.
            for a in existing.ancestors().collect::<Vec<_>>().into_iter().rev() {
                if let Ok(target) = fs::read_link(a)
                    && a.canonicalize()
                        .is_err_and(|e| e.kind() == io::ErrorKind::NotFound)
                {
                    return Err(Error::new(a, Problem::Dangling { target }));
                }
            }
            return Err(match Refusal::from_io(e) {
                Refusal::Io(e) => Error::io(existing, e),
                why => Error::new(existing, Problem::Refused(why)),
            });
        }
    };
    if !real.starts_with(root) {
        // Name the link that leads out, not the folder below it.
        let link = existing
            .ancestors()
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .find(|a| {
                fs::symlink_metadata(a).is_ok_and(|m| m.file_type().is_symlink())
                    && a.canonicalize().is_ok_and(|r| !r.starts_with(root))
            })
            .unwrap_or(existing);
        return Err(Error::new(
            link,
            Problem::Refused(Refusal::Outside {
                target: link.canonicalize().unwrap_or(real),
            }),
        ));
    }
    match fs::metadata(&real) {
        Ok(m) if m.is_dir() => Ok(real),
        Ok(m) => Err(Error::new(
            existing,
            Problem::NotAFolder {
                kind: if m.is_file() { "文件" } else { kind_of(&m) },
            },
        )),
        Err(e) => Err(Error::io(existing, e)),
    }
}

/// Gives the new file the replaced one's owner and permissions: an issue
/// file `check --fix` rewrites as root stays the clerk's, a private one
/// stays private.
fn keep_owner_and_mode(file: &File, old: &Stat, path: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let mine = file.metadata().map_err(|e| Error::io(path, e))?;
        if (old.uid, old.gid) != (mine.uid(), mine.gid())
            && std::os::unix::fs::fchown(file, Some(old.uid), Some(old.gid)).is_err()
            && old.uid != mine.uid()
        {
            return Err(Error::new(path, Problem::Owner { uid: old.uid }));
        }
        // (Our own file in a group this user is no longer in keeps the
        // group it can have.) After the owner: changing it clears set-id
        // bits.
        file.set_permissions(fs::Permissions::from_mode(old.mode & 0o7777))
            .map_err(|e| Error::io(path, e))?;
    }
    #[cfg(not(unix))]
    {
        let _ = (file, old, path);
    }
    Ok(())
}

/// What is at a name in a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Link,
    /// A folder (`文件夹`) or another kind of file, as [`kind_of`] says.
    Other(&'static str),
}

/// What is at a name, links not followed.
struct Stat {
    kind: Kind,
    mode: u32,
    uid: u32,
    gid: u32,
}

/// Files and folders by name within an open folder: `openat` and friends
/// on Unix, never following a link; elsewhere by path.
#[cfg(unix)]
mod at {
    use super::{Kind, Stat};
    use std::ffi::{CString, OsStr};
    use std::fs::File;
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    pub struct Dir(OwnedFd);

    fn c(name: &OsStr) -> io::Result<CString> {
        // A name is one name: never a path through other folders.
        if name.as_bytes().contains(&b'/') || name == ".." || name == "." || name.is_empty() {
            return Err(io::Error::from(io::ErrorKind::InvalidInput));
        }
        CString::new(name.as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
    }

    fn fd(r: libc::c_int) -> io::Result<OwnedFd> {
        if r < 0 {
            Err(io::Error::last_os_error())
        } else {
            // SAFETY: a descriptor the call just opened, owned by no one else.
            Ok(unsafe { OwnedFd::from_raw_fd(r) })
        }
    }

    fn ok(r: libc::c_int) -> io::Result<()> {
        if r < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(())
        }
    }

    const DIR: libc::c_int = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC;

    impl Dir {
        pub fn open(path: &Path) -> io::Result<Dir> {
            let path = CString::new(path.as_os_str().as_bytes())
                .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
            // SAFETY: a valid NUL-terminated path.
            fd(unsafe { libc::open(path.as_ptr(), DIR) }).map(Dir)
        }

        fn openat(
            &self,
            name: &OsStr,
            flags: libc::c_int,
            mode: libc::mode_t,
        ) -> io::Result<OwnedFd> {
            let name = c(name)?;
            // SAFETY: a valid descriptor and NUL-terminated name.
            fd(unsafe {
                libc::openat(
                    self.0.as_raw_fd(),
                    name.as_ptr(),
                    flags | libc::O_NOFOLLOW | libc::O_CLOEXEC,
                    libc::c_uint::from(mode),
                )
            })
        }

        pub fn sub(&self, name: &OsStr) -> io::Result<Dir> {
            self.openat(name, DIR, 0).map(Dir)
        }

        pub fn mkdir(&self, name: &OsStr) -> io::Result<()> {
            let name = c(name)?;
            // SAFETY: as above.
            ok(unsafe { libc::mkdirat(self.0.as_raw_fd(), name.as_ptr(), 0o777) })
        }

        pub fn create_new(&self, name: &OsStr) -> io::Result<File> {
            self.openat(name, libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL, 0o666)
                .map(File::from)
        }

        pub fn open_read(&self, name: &OsStr) -> io::Result<File> {
            // A FIFO does not block the open.
            self.openat(name, libc::O_RDONLY | libc::O_NONBLOCK, 0)
                .map(File::from)
        }

        /// A file that is there, for writing (a FIFO does not block).
        pub fn open_write(&self, name: &OsStr) -> io::Result<File> {
            self.openat(name, libc::O_WRONLY | libc::O_NONBLOCK, 0)
                .map(File::from)
        }

        /// The folder opened anew: a lock of its own on it.
        pub fn lock_handle(&self) -> io::Result<File> {
            // SAFETY: a valid descriptor and a NUL-terminated name.
            fd(unsafe { libc::openat(self.0.as_raw_fd(), c".".as_ptr(), DIR) }).map(File::from)
        }

        pub fn rename(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
            let (from, to) = (c(from)?, c(to)?);
            let d = self.0.as_raw_fd();
            // SAFETY: as above.
            ok(unsafe { libc::renameat(d, from.as_ptr(), d, to.as_ptr()) })
        }

        /// Gives `from` the name `to` as well, only where nothing is.
        pub fn link_new(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
            let (cf, ct) = (c(from)?, c(to)?);
            let d = self.0.as_raw_fd();
            // SAFETY: as above.
            match ok(unsafe { libc::linkat(d, cf.as_ptr(), d, ct.as_ptr(), 0) }) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
                // No hard links here (some shares, FAT): only where
                // nothing is, then a rename.
                Err(_) => match self.stat(to) {
                    Ok(_) => Err(io::Error::from(io::ErrorKind::AlreadyExists)),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => self.rename(from, to),
                    Err(e) => Err(e),
                },
            }
        }

        pub fn unlink(&self, name: &OsStr) -> io::Result<()> {
            let name = c(name)?;
            // SAFETY: as above.
            ok(unsafe { libc::unlinkat(self.0.as_raw_fd(), name.as_ptr(), 0) })
        }

        fn lstat(&self, name: &OsStr) -> io::Result<libc::stat> {
            let name = c(name)?;
            // SAFETY: as above; `st` is written by the call before it is read.
            unsafe {
                let mut st: libc::stat = std::mem::zeroed();
                ok(libc::fstatat(
                    self.0.as_raw_fd(),
                    name.as_ptr(),
                    &mut st,
                    libc::AT_SYMLINK_NOFOLLOW,
                ))?;
                Ok(st)
            }
        }

        pub fn stat(&self, name: &OsStr) -> io::Result<Stat> {
            let st = self.lstat(name)?;
            let kind = match st.st_mode & libc::S_IFMT {
                libc::S_IFREG => Kind::File,
                libc::S_IFLNK => Kind::Link,
                libc::S_IFDIR => Kind::Other("文件夹"),
                libc::S_IFIFO => Kind::Other("管道（FIFO）"),
                libc::S_IFSOCK => Kind::Other("套接字"),
                _ => Kind::Other("设备"),
            };
            Ok(Stat {
                kind,
                mode: st.st_mode,
                uid: st.st_uid,
                gid: st.st_gid,
            })
        }

        pub fn kind(&self, name: &OsStr) -> io::Result<Kind> {
            self.stat(name).map(|s| s.kind)
        }

        /// Whether `name` is the open file `file`.
        pub fn is_same(&self, name: &OsStr, file: &File) -> bool {
            use std::os::unix::fs::MetadataExt;
            match (self.lstat(name), file.metadata()) {
                (Ok(st), Ok(m)) => st.st_dev == m.dev() && st.st_ino == m.ino(),
                _ => false,
            }
        }
    }
}

#[cfg(not(unix))]
mod at {
    use super::{Kind, Stat, kind_of};
    use std::ffi::OsStr;
    use std::fs::{self, File};
    use std::io;
    use std::path::{Path, PathBuf};

    pub struct Dir(PathBuf);

    impl Dir {
        fn at(&self, name: &OsStr) -> io::Result<PathBuf> {
            let name = Path::new(name);
            if name.components().count() != 1 || name.file_name().is_none() {
                return Err(io::Error::from(io::ErrorKind::InvalidInput));
            }
            Ok(self.0.join(name))
        }

        pub fn open(path: &Path) -> io::Result<Dir> {
            if fs::metadata(path)?.is_dir() {
                Ok(Dir(path.to_path_buf()))
            } else {
                Err(io::Error::from(io::ErrorKind::NotADirectory))
            }
        }

        pub fn sub(&self, name: &OsStr) -> io::Result<Dir> {
            let path = self.at(name)?;
            if fs::symlink_metadata(&path)?.is_dir() {
                Ok(Dir(path))
            } else {
                Err(io::Error::from(io::ErrorKind::NotADirectory))
            }
        }

        pub fn mkdir(&self, name: &OsStr) -> io::Result<()> {
            fs::create_dir(self.at(name)?)
        }

        pub fn create_new(&self, name: &OsStr) -> io::Result<File> {
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(self.at(name)?)
        }

        pub fn open_read(&self, name: &OsStr) -> io::Result<File> {
            let path = self.at(name)?;
            if fs::symlink_metadata(&path)?.file_type().is_symlink() {
                return Err(io::Error::other("link"));
            }
            File::open(path)
        }

        pub fn open_write(&self, name: &OsStr) -> io::Result<File> {
            let path = self.at(name)?;
            if fs::symlink_metadata(&path)?.file_type().is_symlink() {
                return Err(io::Error::other("link"));
            }
            fs::OpenOptions::new().write(true).open(path)
        }

        /// Where folders cannot be opened as files: a lock file.
        pub fn lock_handle(&self) -> io::Result<File> {
            let path = self.at(OsStr::new(".jianbao.lock"))?;
            fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
        }

        pub fn rename(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
            fs::rename(self.at(from)?, self.at(to)?)
        }

        pub fn link_new(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
            fs::hard_link(self.at(from)?, self.at(to)?)
        }

        pub fn unlink(&self, name: &OsStr) -> io::Result<()> {
            fs::remove_file(self.at(name)?)
        }

        pub fn stat(&self, name: &OsStr) -> io::Result<Stat> {
            let m = fs::symlink_metadata(self.at(name)?)?;
            let kind = if m.file_type().is_symlink() {
                Kind::Link
            } else if m.is_file() {
                Kind::File
            } else {
                Kind::Other(kind_of(&m))
            };
            Ok(Stat {
                kind,
                mode: 0,
                uid: 0,
                gid: 0,
            })
        }

        pub fn kind(&self, name: &OsStr) -> io::Result<Kind> {
            self.stat(name).map(|s| s.kind)
        }

        pub fn is_same(&self, name: &OsStr, _: &File) -> bool {
            self.at(name).is_ok_and(|p| p.exists())
        }
    }
}

/// `.004.pdf.1234.5678.tmp` (and `.004.pdf.1234.tmp`, as older versions
/// named them): a temporary file of a write.
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

/// A parser that panicked (a bug in that crate), with the panic's
/// message. Not yet an [`Error`]: the caller knows which file it was
/// reading and what that makes of it (a broken picture, a font skipped).
#[derive(Debug, PartialEq)]
pub struct Crash(pub String);

impl fmt::Display for Crash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Runs a parser on untrusted bytes (a picture decoder, a font reader) so
/// that a panic in it — a bug in that crate — is an error of that input
/// rather than the end of the run. The panic hook stays quiet while the
/// parser runs ([`is_contained`]).
pub fn contain<T>(parse: impl FnOnce() -> T) -> Result<T, Crash> {
    let before = CONTAINED.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse));
    CONTAINED.with(|c| c.set(before));
    result.map_err(|payload| {
        Crash(
            payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default(),
        )
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
        let crashed: Result<(), Crash> = contain(|| panic!("bad table"));
        assert_eq!(crashed, Err(Crash("bad table".to_string())));
        assert!(!is_contained());
    }

    #[test]
    fn only_unlocked_temporaries_are_stale() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let folder = Folder::open(&root, &root).unwrap();
        let stale = root.join(".004.pdf.99999.tmp");
        fs::write(&stale, b"half a PDF").unwrap();
        let stale_now = root.join(".004.pdf.99999.12.tmp");
        fs::write(&stale_now, b"half a PDF").unwrap();
        let mine = root.join(".notes.tmp");
        fs::write(&mine, b"not ours").unwrap();
        let (live, held) = folder.temporary("005.pdf", &root).unwrap();
        assert_eq!(folder.remove_stale_temporaries(), 2);
        assert!(!stale.exists() && !stale_now.exists());
        assert!(root.join(&live).exists());
        assert!(mine.exists());
        drop(held);
        assert_eq!(folder.remove_stale_temporaries(), 1);
    }

    #[test]
    #[cfg(unix)]
    fn writes_never_follow_a_link_out() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("out")).unwrap();
        assert!(matches!(
            Folder::open(&root, &root.join("out/2024")).map_err(|e| e.problem),
            Err(Problem::Refused(Refusal::Outside { .. }))
        ));
        assert!(!outside.path().join("2024").exists());
        // A link planted at the name of a new file is left alone.
        let folder = Folder::open(&root, &root).unwrap();
        let secret = outside.path().join("secret");
        fs::write(&secret, b"keep").unwrap();
        std::os::unix::fs::symlink(&secret, root.join("a.txt")).unwrap();
        assert!(matches!(
            folder.create("a.txt", b"new").map_err(|e| e.problem),
            Err(Problem::Exists { kind: "链接" })
        ));
        // Replaced, it is the link that goes, not what it points to.
        folder.replace("a.txt", b"new").unwrap();
        assert_eq!(fs::read(&secret).unwrap(), b"keep");
        assert_eq!(fs::read(root.join("a.txt")).unwrap(), b"new");
    }

    #[test]
    fn a_set_of_files_is_replaced_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let folder = Folder::open(&root, &root).unwrap();
        fs::write(root.join("a-1.png"), b"old 1").unwrap();
        fs::create_dir(root.join("a-3.png")).unwrap();
        let failed = folder
            .replace_all(&[
                ("a-1.png", b"new 1"),
                ("a-2.png", b"new 2"),
                ("a-3.png", b"new 3"),
            ])
            .unwrap_err();
        assert_eq!(failed.error.path(), root.join("a-3.png"));
        assert!(failed.left_new.is_empty());
        assert_eq!(fs::read(root.join("a-1.png")).unwrap(), b"old 1");
        assert!(!root.join("a-2.png").exists());
        fs::remove_dir(root.join("a-3.png")).unwrap();
        folder
            .replace_all(&[("a-1.png", b"new 1"), ("a-2.png", b"new 2")])
            .unwrap();
        assert_eq!(fs::read(root.join("a-1.png")).unwrap(), b"new 1");
        assert_eq!(fs::read(root.join("a-2.png")).unwrap(), b"new 2");
        // Nothing else is left: no temporary, no file set aside.
        assert_eq!(fs::read_dir(&root).unwrap().count(), 2);
    }

    #[test]
    fn a_file_saved_meanwhile_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let folder = Folder::open(&root, &root).unwrap();
        fs::write(root.join("001.md"), b"saved since").unwrap();
        assert!(matches!(
            folder
                .replace_if_unchanged("001.md", b"fixed", b"as read")
                .map_err(|e| e.problem),
            Err(Problem::Changed)
        ));
        assert_eq!(fs::read(root.join("001.md")).unwrap(), b"saved since");
        folder
            .replace_if_unchanged("001.md", b"fixed", b"saved since")
            .unwrap();
        assert_eq!(fs::read(root.join("001.md")).unwrap(), b"fixed");
    }
}
