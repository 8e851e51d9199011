//! `jianbao export`: one issue as a self-contained Typst project that
//! stock `typst compile --font-path fonts main.typ` turns into the same
//! pages — the layout as `main.typ`, `/issue.json` exactly as jianbao's own
//! compile read it, the pictures at the paths the data names, the files an
//! office's layout read from its folder beside `main.typ`, and the font
//! files the pages use, byte for byte.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use typst::layout::{Frame, FrameItem};
use typst::text::Font;
use typst_layout::PagedDocument;

use crate::archive::Builder;
use crate::diagnostic::UsageError;
use crate::fonts::Fonts;
use crate::issue::Issue;
use crate::render::{Laid, TypstDiagnostic};
use crate::source::show_path;

/// Why an issue could not be exported.
pub enum ExportError {
    /// typst could not lay it out.
    Layout(Vec<TypstDiagnostic>),
    /// The folder: not empty, or not writable.
    Folder(UsageError),
}

/// The files of the project: path inside it → bytes.
pub type Project = BTreeMap<PathBuf, Vec<u8>>;

/// The project of one issue, in memory.
pub fn project(builder: &Builder, issue: &Issue) -> Result<(Project, Laid), ExportError> {
    let laid = builder.layout(issue).map_err(ExportError::Layout)?;
    let engine = builder.engine();
    let layout = engine
        .layout_text()
        .map_err(|e| ExportError::Folder(UsageError::new(format!("无法读取版式文件: {e}"))))?;
    let mut files = Project::new();
    files.insert("main.typ".into(), layout.into_bytes());
    files.insert(
        crate::render::world::DATA_PATH
            .trim_start_matches('/')
            .into(),
        laid.issue_json(),
    );
    let folder = engine.layout_folder();
    for read in &laid.files {
        // The layout's own files keep their places relative to it.
        let at = match (&folder, read.picture) {
            (Some(folder), false) => read
                .vpath
                .strip_prefix(folder.as_str())
                .unwrap_or(&read.vpath)
                .trim_start_matches('/')
                .to_string(),
            _ => read.vpath.trim_start_matches('/').to_string(),
        };
        if at == "main.typ" && !read.picture {
            continue;
        }
        let bytes = std::fs::read(&read.path).map_err(|e| {
            ExportError::Folder(UsageError::new(format!(
                "无法读取 {}: {e}",
                show_path(&read.path)
            )))
        })?;
        files.insert(at.into(), bytes);
    }
    for (name, bytes) in font_files(&engine.fonts, &laid.document) {
        files.insert(Path::new("fonts").join(name), bytes);
    }
    Ok((files, laid))
}

/// Writes the project to `dir`, which must not exist or be empty: it is
/// written beside it and renamed into place, so a failure leaves nothing.
pub fn write_project(files: &Project, dir: &Path) -> Result<(), UsageError> {
    let shown = show_path(dir);
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map_err(|e| UsageError::new(format!("无法打开 {shown}: {e}")))?
            .next()
            .is_none();
        if !empty {
            return Err(
                UsageError::new(format!("文件夹 {shown} 不是空的，没有导出"))
                    .help("换一个新文件夹名，或者先删掉它"),
            );
        }
    }
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = parent.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        for (path, bytes) in files {
            let to = tmp.join(path);
            std::fs::create_dir_all(to.parent().unwrap_or(&tmp))?;
            std::fs::write(to, bytes)?;
        }
        if dir.exists() {
            std::fs::remove_dir(dir)?;
        }
        std::fs::rename(&tmp, dir)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_dir_all(&tmp);
        UsageError::new(format!("无法写入 {shown}: {e}"))
    })
}

/// The files of the faces the pages use, named as jianbao's fonts/ names
/// them (or as the office's files are named), each once.
fn font_files(fonts: &Fonts, doc: &PagedDocument) -> BTreeMap<String, Vec<u8>> {
    let mut used: Vec<Font> = Vec::new();
    for page in doc.pages() {
        collect_fonts(&page.frame, &mut used);
    }
    let mut files = BTreeMap::new();
    for font in &used {
        if let Some((name, bytes)) = fonts.file_of(font) {
            files.entry(name).or_insert_with(|| bytes.to_vec());
        }
    }
    files
}

fn collect_fonts(frame: &Frame, used: &mut Vec<Font>) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(g) => collect_fonts(&g.frame, used),
            FrameItem::Text(t) => {
                let font = t.font.font();
                if !used.contains(font) {
                    used.push(font.clone());
                }
            }
            _ => {}
        }
    }
}
