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
    let standard = settings::standard(&publication, layout.pdf_standard, archive::Output::Pdf);
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
    let engine = settings.engine(publication)?;
    let builder = Builder::with(publication, settings, engine)
        .map_err(|_| UsageError::new("jianbao.toml 有错误"))?;
    let shown = show_path(&entry.file.path);
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
