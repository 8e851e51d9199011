//! `jianbao export`: one issue as a self-contained Typst project that
//! stock `typst compile --font-path fonts main.typ` turns into the same
//! pages — the layout as `main.typ`, `/issue.json` exactly as jianbao's own
//! compile read it, the pictures at the paths the data names, the files an
//! office's layout read from its folder beside `main.typ`, and the font
//! files the pages use, byte for byte.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use typst::layout::{Frame, FrameItem};
use typst::text::Font;
use typst_layout::PagedDocument;

use crate::archive::Builder;
use crate::diagnostic::UsageError;
use crate::fonts::Fonts;
use crate::issue::Issue;
use crate::source::show_path;
use crate::typeset::{Laid, TypstDiagnostic};

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
    let (fonts, families) = font_files(&engine.fonts, &laid.document);
    files.insert(
        crate::typeset::world::DATA_PATH
            .trim_start_matches('/')
            .into(),
        only_families(&laid.issue_json(), &families),
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
    for (name, bytes) in fonts {
        files.insert(Path::new("fonts").join(name), bytes);
    }
    Ok((files, laid))
}

/// Writes the project to `dir`, which must not exist or be an empty
/// folder (not a link to one): it is written beside it and renamed into
/// place by the one writer, so a failure leaves nothing.
pub fn write_project(files: &Project, dir: &Path) -> Result<(), UsageError> {
    use crate::sandbox::{self, Folder};
    let shown = show_path(dir);
    match std::fs::symlink_metadata(dir) {
        Err(_) => {}
        Ok(meta) if meta.file_type().is_symlink() => {
            let target = std::fs::read_link(dir)
                .map(|t| show_path(&t))
                .unwrap_or_default();
            return Err(UsageError::new(format!(
                "{shown} 是一个链接（指向 {target}），不是文件夹，没有导出"
            ))
            .help("导出到一个新文件夹；要导出到链接指向的地方，就直接写那个文件夹"));
        }
        Ok(meta) if meta.is_dir() => {
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
        Ok(_) => {
            return Err(
                UsageError::new(format!("{shown} 是一个文件，不是文件夹，没有导出"))
                    .help("换一个新文件夹名"),
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
    // The folder the user names may be anywhere; what is written goes
    // into it and nowhere else.
    let cannot = |e: sandbox::Error| UsageError::cannot(&format!("无法写入 {shown}"), &e);
    std::fs::create_dir_all(parent).map_err(|error| cannot(sandbox::Error::io(parent, error)))?;
    let root = parent
        .canonicalize()
        .map_err(|error| cannot(sandbox::Error::io(parent, error)))?;
    let top = Folder::open(&root, &root).map_err(cannot)?;
    let (tmp, project) = top.temporary_folder(&name).map_err(cannot)?;
    let result = (|| -> Result<(), sandbox::Error> {
        for (path, bytes) in files {
            let folder = project.folder(path.parent().unwrap_or(Path::new("")))?;
            let file = path.file_name().unwrap_or_default().to_string_lossy();
            folder.create(&file, bytes)?;
        }
        top.rename(&tmp, &name)
    })();
    result.map_err(|e| {
        top.remove_folder(&tmp);
        cannot(e)
    })
}

/// The files of the faces the pages use, named as jianbao's fonts/ names
/// them (or as the office's files are named), each once; and their
/// families, in lower case as typst compares them.
fn font_files(fonts: &Fonts, doc: &PagedDocument) -> (BTreeMap<String, Vec<u8>>, BTreeSet<String>) {
    let mut used: Vec<Font> = Vec::new();
    for page in doc.pages() {
        collect_fonts(&page.frame, &mut used);
    }
    let mut files = BTreeMap::new();
    let mut families = BTreeSet::new();
    for font in &used {
        if let Some((name, bytes)) = fonts.file_of(font) {
            files.entry(name).or_insert_with(|| bytes.to_vec());
            families.insert(font.info().family.to_lowercase());
        }
    }
    (files, families)
}

/// The layout data with each role's families cut to those exported: the
/// others print nothing on these pages, and stock typst would warn of
/// each as an unknown family wherever the layout names the role.
fn only_families(issue_json: &[u8], families: &BTreeSet<String>) -> Vec<u8> {
    let Ok(mut data) = serde_json::from_slice::<serde_json::Value>(issue_json) else {
        return issue_json.to_vec();
    };
    let roles = data.get_mut("fonts").and_then(|f| f.as_array_mut());
    for role in roles.into_iter().flatten() {
        if let Some(list) = role.get_mut("families").and_then(|f| f.as_array_mut()) {
            list.retain(|family| {
                let name = family
                    .as_str()
                    .or_else(|| family.get("name").and_then(|n| n.as_str()));
                name.is_some_and(|n| families.contains(&n.to_lowercase()))
            });
        }
    }
    let written = if issue_json.contains(&b'\n') {
        serde_json::to_vec_pretty(&data)
    } else {
        serde_json::to_vec(&data)
    };
    written.unwrap_or_else(|_| issue_json.to_vec())
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
