//! `jianbao check --fix`: the cleaner's fixes written into the issue files.

use std::path::Path;

use super::output::say;
use crate::diagnostic::UsageError;
use crate::publication::Publication;
use crate::source::show_path;

/// What `check --fix` did.
pub struct Fixed {
    /// A file changed: check it again.
    pub changed: bool,
    /// A file was left as it was for a reason said (saved meanwhile, too
    /// large after fixing, not writable).
    pub failed: bool,
}

/// `jianbao check --fix`: applies the cleaner's fixes to the selected
/// issue files (written atomically by the one writer, every other byte,
/// the owner and the permissions as they were) and says what changed. A
/// file is rewritten only while it still holds what was read: one saved
/// meanwhile is left as saved. A file that cannot be fixed is said to be
/// so; the others are fixed.
pub fn fix_files(publication: &Publication, queries: &[String]) -> Result<Fixed, UsageError> {
    use crate::clean::{self, FixKind};
    let mut done = Fixed {
        changed: false,
        failed: false,
    };
    if publication.config.as_ref().is_some_and(|c| !c.clean_text) {
        say!("jianbao.toml 里 [text] clean = false：正文保持原样，没有修改");
        return Ok(done);
    }
    let selection = publication.select(queries)?;
    for &i in &selection.issues {
        let entry = &publication.issues[i];
        let Some(issue) = &entry.issue else { continue };
        let fixes = clean::file_fixes(&issue.source.text, &issue.body);
        if fixes.is_empty() {
            continue;
        }
        let text = clean::apply(&issue.source.text, &fixes);
        let shown = show_path(&issue.source.path);
        if let Err(e) = write_fixed(
            publication,
            &entry.file.path,
            &shown,
            &issue.source.text,
            &text,
        ) {
            say!("{e}");
            done.failed = true;
            continue;
        }
        done.changed = true;
        let count = |k: FixKind| fixes.iter().filter(|f| f.kind == k).count();
        let parts: Vec<String> = FixKind::ALL
            .iter()
            .filter(|k| count(**k) > 0)
            .map(|k| format!("{} {}", k.name(), count(*k)))
            .collect();
        say!("已修改 {shown}：{} 处（{}）", fixes.len(), parts.join("，"));
        const LISTED: usize = 20;
        for f in fixes.iter().take(LISTED) {
            let (line, col) = issue.source.line_col(f.range.start);
            let typed = &issue.source.text[f.range.clone()];
            if f.kind == FixKind::Space && f.replacement.is_empty() {
                say!("  {line}:{col}  删除空格");
            } else if f.kind == FixKind::Invisible {
                say!("  {line}:{col}  删除看不见的字符");
            } else if f.replacement.is_empty() {
                say!("  {line}:{col}  删除 {typed}");
            } else {
                say!("  {line}:{col}  {typed} → {}", f.replacement);
            }
        }
        if fixes.len() > LISTED {
            say!("  ……还有 {} 处", fixes.len() - LISTED);
        }
    }
    Ok(done)
}

/// Writes the fixed `text` of the issue file at `path` (through a link to
/// the file it names, inside the publication) over the `read` text, only
/// while the file still holds it.
fn write_fixed(
    publication: &Publication,
    path: &Path,
    shown: &str,
    read: &str,
    text: &str,
) -> Result<(), UsageError> {
    use crate::sandbox::{Folder, Problem, TEXT_LIMIT, human_size};
    // Never larger than jianbao reads: half-width marks become three bytes
    // each, and a file near the limit would grow past it.
    if text.len() as u64 > TEXT_LIMIT {
        return Err(UsageError::new(format!(
            "{shown} 改好后有 {}，超过期刊文件的上限 {}，没有改写",
            human_size(text.len() as u64),
            human_size(TEXT_LIMIT)
        ))
        .help("把这一期拆成几个文件，或者先手工改掉一部分，再运行 jianbao check --fix"));
    }
    let target = path
        .canonicalize()
        .map_err(|e| UsageError::new(format!("无法改写 {shown}: {e}")))?;
    if !target.starts_with(&publication.root) {
        return Err(
            UsageError::new(format!("{shown} 链接到简报文件夹外面，没有改写"))
                .help("把期刊文件放进简报文件夹里，再运行 jianbao check --fix"),
        );
    }
    if std::fs::metadata(&target).is_ok_and(|m| m.permissions().readonly()) {
        return Err(UsageError::new(format!("{shown} 是只读文件，没有改写"))
            .help("如果要改，先去掉只读属性（chmod u+w），再运行 jianbao check --fix"));
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let folder = target.parent().unwrap_or(&publication.root);
    Folder::open(&publication.root, folder)
        .and_then(|folder| folder.replace_if_unchanged(&name, text.as_bytes(), read.as_bytes()))
        .map(|_| ())
        .map_err(|e| match e.problem() {
            Problem::Changed => UsageError::new(format!(
                "{shown} 在检查之后被改动过（可能是编辑器刚保存了它），没有改写"
            ))
            .help("什么都没有改；编辑器里的改动都在。保存好文件后再运行 jianbao check --fix"),
            _ => UsageError::cannot(&format!("无法改写 {shown}"), &e),
        })
}
