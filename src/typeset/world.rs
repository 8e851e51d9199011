//! The Typst world of one issue: the layout as the main file (the embedded
//! one, or an office's own from inside the publication), the issue's layout
//! data as `/issue.json`, the shared fonts, and pictures, which are read
//! only from inside the publication folder and only when the issue names
//! them. An office's layout may also read the files of its own folder
//! (modules it imports, a seal it places), never anything outside the
//! publication, and never a package: nothing is downloaded.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::Datelike;
use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{DiagSpan, DiagSpanKind, FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::diagnostic::{Location, UsageError};
use crate::fonts::Fonts;
use crate::sandbox::{self, Refusal};
use crate::source::{SourceFile, display_path};

/// `/images/./a//b.png` → `/images/a/b.png`.
fn normalise(vpath: &str) -> String {
    let rel = sandbox::normalise(Path::new(vpath.trim_start_matches('/')));
    format!("/{}", rel.to_string_lossy())
}

/// The built-in layout, compiled into the binary.
pub const LAYOUT: &str = include_str!("../../layouts/bulletin.typ");
const LAYOUT_PATH: &str = "/bulletin.typ";
pub const DATA_PATH: &str = "/issue.json";
/// Where the built-in layout is in jianbao's repository, for messages, and
/// where `jianbao layout --eject` writes it in a publication.
pub const LAYOUT_SHOWN: &str = "layouts/bulletin.typ";

fn file_id(path: &str) -> FileId {
    FileId::new(RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("valid virtual path"),
    ))
}

/// What every issue of a build shares: the standard library, the fonts and
/// the layout. Made once per process (and kept by `watch` between
/// rebuilds, so typst's caches stay valid).
pub struct Engine {
    library: LazyHash<Library>,
    pub fonts: Arc<Fonts>,
    layout: Layout,
}

enum Layout {
    Builtin(Source),
    /// An office's own layout inside the publication.
    Custom {
        /// The publication folder, canonical: the virtual root.
        root: PathBuf,
        /// The layout's folder, canonical: what the layout may read.
        dir: PathBuf,
        main: FileId,
        /// The main file, canonical.
        main_path: PathBuf,
        /// The sources read so far, kept so that a rebuild reparses only
        /// what changed (and diagnostics can show the line).
        sources: Mutex<HashMap<FileId, Source>>,
    },
}

impl Engine {
    /// An engine with the built-in layout.
    pub fn new(fonts: Arc<Fonts>) -> Self {
        Self::with_layout(fonts, Path::new("."), None).expect("the built-in layout")
    }

    /// An engine with the layout at `layout` (relative to the publication
    /// folder `root`), or the built-in one.
    pub fn with_layout(
        fonts: Arc<Fonts>,
        root: &Path,
        layout: Option<&Path>,
    ) -> Result<Self, UsageError> {
        let layout = match layout {
            None => Layout::Builtin(Source::new(file_id(LAYOUT_PATH), LAYOUT.to_string())),
            Some(path) => {
                let shown =
                    crate::script::escape_unprintable(&path.display().to_string()).into_owned();
                let root = root
                    .canonicalize()
                    .map_err(|e| UsageError::new(format!("无法打开简报文件夹: {e}")))?;
                let real = root.join(path).canonicalize().map_err(|_| {
                    UsageError::new(format!("找不到版式文件 {shown}")).help(
                        "`jianbao layout --eject` 把内置版式写到 layouts/bulletin.typ，改它即可",
                    )
                })?;
                let outside = || {
                    UsageError::new(format!("版式文件 {shown} 不在简报文件夹里"))
                        .help("把版式放进简报文件夹（例如 layouts/），写相对路径")
                };
                let vpath = real
                    .strip_prefix(&root)
                    .map_err(|_| outside())?
                    .to_string_lossy()
                    .replace('\\', "/");
                if let Some((message, help)) = crate::config::layout_file_problem(&real, &shown) {
                    return Err(UsageError::new(message).help(help));
                }
                Layout::Custom {
                    dir: real.parent().unwrap_or(&root).to_path_buf(),
                    main_path: real.clone(),
                    main: file_id(&format!("/{vpath}")),
                    root,
                    sources: Mutex::new(HashMap::new()),
                }
            }
        };
        Ok(Self {
            library: LazyHash::new(Library::builder().build()),
            fonts,
            layout,
        })
    }

    /// The layout's main file.
    fn main(&self) -> FileId {
        match &self.layout {
            Layout::Builtin(source) => source.id(),
            Layout::Custom { main, .. } => *main,
        }
    }

    /// The source text of the layout's main file, as the next compile reads
    /// it (for `jianbao export`).
    pub fn layout_text(&self) -> FileResult<String> {
        match &self.layout {
            Layout::Builtin(source) => Ok(source.text().to_string()),
            Layout::Custom { .. } => Ok(self.custom_source(self.main(), None)?.text().into()),
        }
    }

    /// The virtual folder of an office's own layout (`/layouts`): the
    /// exported project puts the files read from it beside `main.typ`.
    pub fn layout_folder(&self) -> Option<String> {
        match &self.layout {
            Layout::Builtin(_) => None,
            Layout::Custom { main, .. } => Some(
                main.vpath()
                    .parent()
                    .map_or_else(|| "/".into(), |p| p.get_with_slash().to_string()),
            ),
        }
    }

    /// Whether `path` is this engine's layout (an office's own).
    pub fn is_layout(&self, path: &Path) -> bool {
        match &self.layout {
            Layout::Builtin(_) => false,
            Layout::Custom { main_path, .. } => path.canonicalize().is_ok_and(|p| &p == main_path),
        }
    }

    /// The real folder of an office's own layout, for `watch`.
    pub fn layout_dir(&self) -> Option<&Path> {
        match &self.layout {
            Layout::Builtin(_) => None,
            Layout::Custom { dir, .. } => Some(dir),
        }
    }

    /// The real file behind a virtual path of an office's layout, if the
    /// layout may read it: inside its own folder, links resolved.
    fn layout_file(&self, id: FileId) -> FileResult<PathBuf> {
        let Layout::Custom { root, dir, .. } = &self.layout else {
            return Err(FileError::AccessDenied);
        };
        let vpath = id.vpath().get_without_slash();
        let real = root
            .join(vpath)
            .canonicalize()
            .map_err(|_| FileError::NotFound(PathBuf::from(id.vpath().get_with_slash())))?;
        if !real.starts_with(dir) {
            return Err(FileError::AccessDenied);
        }
        Ok(real)
    }

    /// A source of an office's layout, reparsed incrementally when its file
    /// changed since the last compile.
    fn custom_source(&self, id: FileId, read: Option<&Mutex<Vec<FileRead>>>) -> FileResult<Source> {
        let Layout::Custom { sources, .. } = &self.layout else {
            return Err(FileError::NotSource);
        };
        let real = self.layout_file(id)?;
        let bytes = sandbox::read(&real, sandbox::PICTURE_LIMIT).map_err(|r| refused(r, &real))?;
        let text = String::from_utf8(bytes).map_err(|_| FileError::InvalidUtf8)?;
        if let Some(read) = read {
            read.lock().unwrap().push(FileRead {
                vpath: id.vpath().get_with_slash().to_string(),
                path: real,
                picture: false,
            });
        }
        let mut sources = sources.lock().unwrap();
        let source = sources
            .entry(id)
            .or_insert_with(|| Source::new(id, text.clone()));
        if source.text() != text {
            source.replace(&text);
        }
        Ok(source.clone())
    }

    /// Where a typst diagnostic points: a place in a layout source with
    /// the text around it, or only the path of another file typst read (a
    /// picture).
    pub fn place(&self, span: DiagSpan) -> Option<Place> {
        let id = span.id()?;
        let (source, shown) = match &self.layout {
            Layout::Builtin(source) if source.id() == id => {
                (source.clone(), PathBuf::from(LAYOUT_SHOWN))
            }
            Layout::Custom { root, sources, .. } => match sources.lock().unwrap().get(&id) {
                Some(source) => (
                    source.clone(),
                    display_path(&root.join(id.vpath().get_without_slash())),
                ),
                None => return Some(Place::File(id.vpath().get_with_slash().to_string())),
            },
            Layout::Builtin(_) => {
                return Some(Place::File(id.vpath().get_with_slash().to_string()));
            }
        };
        let range = match span.get() {
            DiagSpanKind::Number { num, sub_range, .. } => source.range(num, sub_range)?,
            DiagSpanKind::Range { range, .. } => range,
            DiagSpanKind::Detached => return None,
        };
        Some(Place::Source(Location {
            file: SourceFile::new(shown, source.text().to_string()),
            span: range,
        }))
    }
}

/// Where a typst diagnostic points.
#[derive(Debug, Clone)]
pub enum Place {
    /// A range of a layout source.
    Source(Location),
    /// Another file typst read, by its virtual path (`/images/a.png`).
    File(String),
}

pub struct IssueWorld<'a> {
    engine: &'a Engine,
    data: Bytes,
    /// The publication folder: pictures resolve inside it.
    root: PathBuf,
    /// Virtual paths of the pictures this issue names.
    pictures: Vec<String>,
    today: chrono::NaiveDate,
    /// Every file read (virtual path, real path), for `watch` and `export`.
    read: Mutex<Vec<FileRead>>,
}

impl<'a> IssueWorld<'a> {
    pub fn new(
        engine: &'a Engine,
        data: Vec<u8>,
        root: &Path,
        pictures: Vec<String>,
        today: chrono::NaiveDate,
    ) -> Self {
        // One spelling per picture, as typst spells the paths it asks for:
        // `images/./a.png` is `/images/a.png`.
        let pictures = pictures.iter().map(|p| normalise(p)).collect();
        Self {
            engine,
            data: Bytes::new(data),
            root: root.to_path_buf(),
            pictures,
            today,
            read: Mutex::new(Vec::new()),
        }
    }

    /// The files the compile read (pictures, the files of an office's
    /// layout), each once, in the order first read.
    pub fn files_read(&self) -> Vec<FileRead> {
        let mut files: Vec<FileRead> = Vec::new();
        for f in self.read.lock().unwrap().iter() {
            if !files.contains(f) {
                files.push(f.clone());
            }
        }
        files
    }

    /// A picture the issue names, read within the publication's limits
    /// (`check` has read and decoded it already; this is the same file).
    fn picture(&self, vpath: &str) -> FileResult<Bytes> {
        let vpath = normalise(vpath);
        if !self.pictures.contains(&vpath) {
            return Err(FileError::AccessDenied);
        }
        let root = self
            .root
            .canonicalize()
            .map_err(|e| FileError::from_io(e, &self.root))?;
        let path = root.join(vpath.trim_start_matches('/'));
        let real = sandbox::inside(&root, &path).map_err(|r| refused(r, &path))?;
        self.read_file(&vpath, &real, true)
    }

    /// Reads a file of the publication (a picture, or a file of an office's
    /// layout) within the limits, and notes it for `watch` and `export`.
    fn read_file(&self, vpath: &str, path: &Path, picture: bool) -> FileResult<Bytes> {
        let bytes = sandbox::read(path, sandbox::PICTURE_LIMIT).map_err(|r| refused(r, path))?;
        self.read.lock().unwrap().push(FileRead {
            vpath: vpath.to_string(),
            path: path.to_path_buf(),
            picture,
        });
        Ok(Bytes::new(bytes))
    }
}

/// Why a file of the publication was not read, as typst says it.
fn refused(refusal: Refusal, path: &Path) -> FileError {
    match refusal {
        Refusal::Missing => FileError::NotFound(path.to_path_buf()),
        Refusal::Io(e) => FileError::from_io(e, path),
        r => FileError::Other(Some(r.to_string().into())),
    }
}

/// A file a compile read from the publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRead {
    /// Its path in the Typst project (`/images/a.jpg`, `/layouts/seal.png`).
    pub vpath: String,
    /// The real file.
    pub path: PathBuf,
    /// A picture the issue names, or else a file of the layout's folder.
    pub picture: bool,
}

/// jianbao never downloads: a package import names the package and says so.
fn offline(id: FileId) -> Option<FileError> {
    let VirtualRoot::Package(spec) = id.root() else {
        return None;
    };
    Some(FileError::Package(PackageError::Other(Some(
        format!("{OFFLINE_PACKAGE}{spec}").into(),
    ))))
}

/// How [`offline`]'s message starts, for the diagnostic to find it.
pub const OFFLINE_PACKAGE: &str = "jianbao 不联网，不下载 Typst 包：";

impl World for IssueWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.engine.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.engine.fonts.book()
    }

    fn main(&self) -> FileId {
        self.engine.main()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if let Some(e) = offline(id) {
            return Err(e);
        }
        match &self.engine.layout {
            Layout::Builtin(source) if source.id() == id => Ok(source.clone()),
            Layout::Builtin(_) => Err(FileError::NotSource),
            Layout::Custom { .. } => self.engine.custom_source(id, Some(&self.read)),
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(e) = offline(id) {
            return Err(e);
        }
        let vpath = id.vpath().get_with_slash();
        if vpath == DATA_PATH {
            return Ok(self.data.clone());
        }
        match &self.engine.layout {
            Layout::Builtin(source) if source.id() == id => {
                return Ok(Bytes::from_string(source.clone()));
            }
            Layout::Custom { .. } if !self.pictures.iter().any(|p| p == vpath) => {
                let real = self.engine.layout_file(id)?;
                return self.read_file(vpath, &real, false);
            }
            _ => {}
        }
        self.picture(vpath)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.engine.fonts.font(index)
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        let d = self.today;
        Datetime::from_ymd(d.year(), d.month() as u8, d.day() as u8)
    }
}
