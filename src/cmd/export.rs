//! `jianbao export <期号> <文件夹>`: one issue as a Typst project of its own.

use std::io::Write;
use std::path::Path;

use super::args::{ExportCommand, MessageFormat};
use super::exit::EXIT_INPUT;
use super::output::{report, say, typst_line};
use super::settings;
use crate::archive::{self, Builder};
use crate::diagnostic::UsageError;
use crate::publication::{Options, Publication};
use crate::source::show_path;

pub fn run(start: &Path, options: &Options, command: &ExportCommand) -> Result<u8, UsageError> {
    let layout = &command.layout;
    let mut publication = Publication::load(start, options)?;
    let selection = publication.select(std::slice::from_ref(&command.issue))?;
    // A PDF standard concerns PDFs only: an .ofd or a .docx is neither
    // held to it nor refused for it (a Typst project makes the PDF).
    let target = if is_docx(&command.folder) {
        archive::Output::Docx
    } else if is_ofd(&command.folder) {
        archive::Output::Ofd
    } else {
        archive::Output::Pdf
    };
    let standard = settings::standard(&publication, layout.pdf_standard, target);
    publication.check_pictures(&selection, standard);
    let publication = &publication;
    let code = report(
        &publication.diagnostics(&selection),
        MessageFormat::Human,
        false,
    );
    let entry = &publication.issues[selection.issues[0]];
    let (Some(settings), Some(issue)) = (
        settings::settings(publication, start, archive::Output::Pdf, layout)?,
        entry.issue.as_ref().filter(|_| !entry.has_errors()),
    ) else {
        say!("有错误，没有导出");
        return Ok(EXIT_INPUT.max(code));
    };
    if is_docx(&command.folder) {
        return export_docx(
            publication,
            issue,
            &start.join(&command.folder),
            &shown(entry),
            code,
        );
    }
    if is_ofd(&command.folder) {
        return export_ofd(
            publication,
            settings,
            issue,
            &start.join(&command.folder),
            &shown(entry),
            code,
        );
    }
    let engine = settings.engine(publication)?;
    let builder = Builder::with(publication, settings, engine)
        .map_err(|_| UsageError::new("jianbao.toml 有错误"))?;
    let shown = shown(entry);
    let (files, _) = match crate::export::project(&builder, issue) {
        Ok(p) => p,
        Err(crate::export::ExportError::Layout(errors)) => {
            for e in &errors {
                let _ = writeln!(anstream::stderr().lock(), "{}", typst_line(&shown, e));
            }
            return Ok(EXIT_INPUT);
        }
        Err(crate::export::ExportError::Folder(e)) => return Err(e),
    };
    let dir = start.join(&command.folder);
    crate::export::write_project(&files, &dir)?;
    let fonts = files.keys().filter(|p| p.starts_with("fonts")).count();
    say!(
        "{shown} → {}（main.typ、issue.json、{} 个其他文件、{fonts} 个字体文件）",
        show_path(&dir),
        files.len() - 2 - fonts
    );
    say!(
        "用 Typst 编译：cd {} && typst compile --font-path fonts --ignore-system-fonts main.typ",
        show_path(&dir)
    );
    Ok(code)
}

fn shown(entry: &crate::publication::IssueEntry) -> String {
    show_path(&entry.file.path)
}

/// `jianbao export 4 第4期.docx`: a path ending in `.docx` is a Word
/// document to write, not a project folder.
fn is_docx(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("docx"))
}

/// `jianbao export 4 第4期.ofd`: a path ending in `.ofd` is an OFD file.
fn is_ofd(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ofd"))
}

/// Writes the OFD of `issue` to `path`, a new file, atomically.
fn export_ofd(
    publication: &Publication,
    mut settings: archive::Settings,
    issue: &crate::issue::Issue,
    path: &Path,
    shown_issue: &str,
    code: u8,
) -> Result<u8, UsageError> {
    settings.format = archive::Output::Ofd;
    let engine = settings.engine(publication)?;
    let builder = Builder::with(publication, settings, engine)
        .map_err(|_| UsageError::new("jianbao.toml 有错误"))?;
    let laid = match builder.layout(issue) {
        Ok(laid) => laid,
        Err(errors) => {
            for e in &errors {
                let _ = writeln!(anstream::stderr().lock(), "{}", typst_line(shown_issue, e));
            }
            return Ok(EXIT_INPUT);
        }
    };
    let shown = show_path(path);
    let ident = format!(
        "jianbao:{}:{}",
        publication
            .config
            .as_ref()
            .map(|c| c.imprint.publisher.as_str())
            .unwrap_or_default(),
        issue.id
    );
    let office = crate::docx::OfficeFonts::of(
        &publication
            .config
            .as_ref()
            .map(|c| c.fonts.clone())
            .unwrap_or_default(),
    );
    let clean_text = publication.config.as_ref().is_none_or(|c| c.clean_text);
    let written = crate::ofd::document(
        &laid.document,
        laid.layout_data(),
        issue,
        &ident,
        &office,
        clean_text,
    )
    .map_err(|e| UsageError::new(format!("{shown}: {e}")))?;
    let pages = laid.document.pages().len();
    write_new(path, &written.bytes)?;
    for note in written.notes {
        say!("{shown_issue}: note: {note}");
    }
    say!("{shown_issue} → {shown}（OFD 文件，{pages} 页）");
    Ok(code)
}

/// Writes `bytes` to `path`, a new file (never over one that is there),
/// atomically, making its folder if need be.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), UsageError> {
    let shown = show_path(path);
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let cannot = |e: crate::sandbox::Error| UsageError::cannot(&format!("无法写入 {shown}"), &e);
    std::fs::create_dir_all(parent)
        .map_err(|error| cannot(crate::sandbox::Error::io(parent, error)))?;
    let root = parent
        .canonicalize()
        .map_err(|error| cannot(crate::sandbox::Error::io(parent, error)))?;
    let folder = crate::sandbox::Folder::open(&root, &root).map_err(cannot)?;
    folder.create(&name, bytes).map_err(cannot)?;
    Ok(())
}

/// Writes the Word document of `issue` to `path`, a new file (never over
/// one that is there), atomically.
fn export_docx(
    publication: &Publication,
    issue: &crate::issue::Issue,
    path: &Path,
    shown_issue: &str,
    code: u8,
) -> Result<u8, UsageError> {
    let (Some(config), Some(fonts)) = (&publication.config, &publication.fonts) else {
        say!("jianbao.toml 有错误，没有导出");
        return Ok(EXIT_INPUT);
    };
    let shown = show_path(path);
    let (bytes, pages) = crate::docx::document(issue, config, fonts, &publication.root)
        .map_err(|e| UsageError::new(format!("{shown}: {e}")))?;
    write_new(path, &bytes)?;
    say!("{shown_issue} → {shown}（Word 文件；PDF 排 {pages} 页）");
    Ok(code)
}
