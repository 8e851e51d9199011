//! The Typst world of one issue: the embedded layout as the main file, the
//! issue's layout data as `/issue.json`, the shared fonts, and pictures,
//! which are read only from inside the publication folder and only when the
//! issue names them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Datelike;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{DiagSpan, DiagSpanKind, FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::fonts::Fonts;
use crate::sandbox::{self, Refusal};

/// `/images/./a//b.png` → `/images/a/b.png`.
fn normalise(vpath: &str) -> String {
    let rel = sandbox::normalise(Path::new(vpath.trim_start_matches('/')));
    format!("/{}", rel.to_string_lossy())
}

/// The built-in layout, compiled into the binary.
pub const LAYOUT: &str = include_str!("../../layouts/bulletin.typ");
const LAYOUT_PATH: &str = "/bulletin.typ";
pub const DATA_PATH: &str = "/issue.json";
/// Where the layout is in this repository, for messages.
const LAYOUT_SHOWN: &str = "layouts/bulletin.typ";

fn file_id(path: &str) -> FileId {
    FileId::new(RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("valid virtual path"),
    ))
}

/// What every issue of a build shares: the standard library, the fonts and
/// the parsed layout. Made once per process.
pub struct Engine {
    library: LazyHash<Library>,
    pub fonts: Arc<Fonts>,
    layout: Source,
}

impl Engine {
    pub fn new(fonts: Arc<Fonts>) -> Self {
        let layout = Source::new(file_id(LAYOUT_PATH), LAYOUT.to_string());
        Self {
            library: LazyHash::new(Library::builder().build()),
            fonts,
            layout,
        }
    }

    /// The layout's source text: what a PDF depends on besides the issue
    /// and the fonts.
    pub fn layout_text(&self) -> &str {
        self.layout.text()
    }

    /// Where a typst diagnostic points: a line and column of the layout,
    /// or the path of another file typst read (a picture).
    pub fn place(&self, span: DiagSpan) -> Option<String> {
        let id = span.id()?;
        if id != self.layout.id() {
            return Some(id.get().vpath().get_with_slash().to_string());
        }
        let range = match span.get() {
            DiagSpanKind::Number { num, sub_range, .. } => self.layout.range(num, sub_range)?,
            DiagSpanKind::Range { range, .. } => range,
            DiagSpanKind::Detached => return None,
        };
        let (line, column) = self.layout.lines().byte_to_line_column(range.start)?;
        Some(format!("{LAYOUT_SHOWN}:{}:{}", line + 1, column + 1))
    }
}

pub struct IssueWorld<'a> {
    engine: &'a Engine,
    data: Bytes,
    /// The publication folder: pictures resolve inside it.
    root: PathBuf,
    /// Virtual paths of the pictures this issue names.
    pictures: Vec<String>,
    today: chrono::NaiveDate,
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
        }
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
        let bytes = sandbox::inside(&root, &path)
            .and_then(|real| sandbox::read(&real, sandbox::PICTURE_LIMIT));
        match bytes {
            Ok(bytes) => Ok(Bytes::new(bytes)),
            Err(Refusal::Missing) => Err(FileError::NotFound(path)),
            Err(Refusal::Io(e)) => Err(FileError::from_io(e, &path)),
            Err(r) => Err(FileError::Other(Some(r.to_string().into()))),
        }
    }
}

impl World for IssueWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.engine.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.engine.fonts.book()
    }

    fn main(&self) -> FileId {
        self.engine.layout.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.engine.layout.id() {
            Ok(self.engine.layout.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let vpath = id.get().vpath().get_with_slash();
        if vpath == DATA_PATH {
            return Ok(self.data.clone());
        }
        if vpath == LAYOUT_PATH {
            return Ok(Bytes::from_string(self.engine.layout.clone()));
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
