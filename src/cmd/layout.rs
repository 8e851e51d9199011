//! `jianbao layout [--eject]`: the layout in use; the built-in one written
//! into the publication for an office to change.

use std::path::Path;

use super::args::LayoutCommand;
use super::exit::EXIT_OK;
use super::output::{say, tell};
use crate::diagnostic::UsageError;
use crate::publication::{Options, Publication};
use crate::script::escape_unprintable;
use crate::source::show_path;
use crate::typeset::world::{LAYOUT, LAYOUT_SHOWN};

/// `jianbao layout`: which layout is in use; `--eject` writes the built-in
/// one into the publication.
pub fn run(start: &Path, options: &Options, command: &LayoutCommand) -> Result<u8, UsageError> {
    let publication = Publication::load(start, options)?;
    let configured = publication.config.as_ref().and_then(|c| c.layout.clone());
    if !command.eject {
        match configured {
            Some(path) => tell!(
                std::io::stdout(),
                "{}（jianbao.toml [output] layout）",
                escape_unprintable(&path.display().to_string())
            ),
            None => tell!(
                std::io::stdout(),
                "内置版式（`jianbao layout --eject` 把它写到 {LAYOUT_SHOWN}）"
            ),
        }
        return Ok(EXIT_OK);
    }
    let path = publication.root.join(LAYOUT_SHOWN);
    let shown = show_path(&path);
    let written = crate::sandbox::Folder::open(
        &publication.root,
        path.parent().unwrap_or(&publication.root),
    )
    .and_then(|folder| folder.create("bulletin.typ", LAYOUT.as_bytes()));
    match written {
        Ok(_) => {}
        Err(crate::sandbox::WriteError::Exists {
            path: there,
            kind: "文件",
        }) if there.file_name() == path.file_name() => {
            return Err(UsageError::new(format!("{shown} 已经存在，没有覆盖"))
                .help("先把它改名或删掉，再导出内置版式"));
        }
        Err(e) => return Err(crate::create::cannot_write(&format!("无法写入 {shown}"), e)),
    }
    say!("已写出内置版式：{shown}");
    if configured.is_none() {
        say!(
            "要用它，在 jianbao.toml 的 [output] 表里写：layout = \"{LAYOUT_SHOWN}\"（或者 build 时加 --layout {LAYOUT_SHOWN}）"
        );
    }
    say!("版式读到的数据（issue.json）见说明文档 docs/layout-data.md");
    Ok(EXIT_OK)
}
