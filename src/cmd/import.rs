//! `jianbao import DRAFT.docx [--number N]`: a Word draft as the next
//! issue file; what became of each paragraph, then what `check` says of
//! the new issue.

use std::path::Path;

use super::args::ImportCommand;
use super::exit::{EXIT_INPUT, EXIT_OK};
use super::output::{say, tell};
use crate::diagnostic::UsageError;
use crate::import::{Failure, import};
use crate::publication::{Options, Publication};
use crate::source::show_path;

pub fn run(start: &Path, options: &Options, command: &ImportCommand) -> Result<u8, UsageError> {
    // A publication whose issues/ is gone still gets its issue.
    if let Ok(root) = crate::publication::find_root(start) {
        let _ = crate::sandbox::Folder::open(&root, &root.join("issues"));
    }
    let publication = Publication::load(start, options)?;
    // Named from where the command runs (not from `-C`'s folder).
    let draft = command.draft.clone();
    let imported = match import(&publication, &draft, command.number) {
        Ok(i) => i,
        Err(Failure::Usage(e)) => return Err(e),
        Err(Failure::Input(d)) => {
            print_diagnostic(&d);
            say!("没有写入任何文件");
            return Ok(EXIT_INPUT);
        }
    };
    let shown = show_path(&imported.path);
    say!("从 {} 导入：", show_path(&draft));
    let mut said: Vec<_> = imported.said.iter().collect();
    // By paragraph; what concerns the whole document last.
    said.sort_by_key(|s| (s.index == 0, s.index));
    for s in said {
        let mark = if s.warning { "！" } else { "　" };
        if s.index == 0 {
            say!("  {mark}{}", s.text);
        } else {
            say!("  {mark}第{}段　{}", s.index, s.text);
        }
    }
    for p in &imported.pictures {
        say!("写入了图片 {}", show_path(p));
    }
    // What check says of the new issue.
    let reloaded = Publication::load(start, options)?;
    let entry = reloaded.issues.iter().find(|e| {
        e.file.path == imported.path
            || e.file.path.ends_with(
                imported
                    .path
                    .strip_prefix(&reloaded.root)
                    .unwrap_or(&imported.path),
            )
    });
    let (mut errors, mut warnings) = (0, 0);
    if let Some(entry) = entry {
        for d in &entry.diagnostics {
            print_diagnostic(d);
            if d.is_error() {
                errors += 1;
            } else {
                warnings += 1;
            }
        }
    }
    if errors + warnings > 0 {
        say!(
            "新的一期检查出 {errors} 个错误、{warnings} 个警告：打开 {shown} 改一改，再 jianbao build"
        );
    }
    tell!(std::io::stdout(), "{shown}");
    Ok(EXIT_OK)
}

/// As `check` prints one: its colour codes go to anstream, which keeps
/// them on a terminal and strips them elsewhere.
fn print_diagnostic(d: &crate::diagnostic::Diagnostic) {
    use std::io::Write as _;
    let mut err = anstream::stderr().lock();
    let _ = write!(err, "{}", d.render());
}
