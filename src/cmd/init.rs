//! `jianbao init [文件夹]`: a new publication.

use std::path::Path;

use super::args::InitCommand;
use super::exit::EXIT_OK;
use super::output::say;
use crate::diagnostic::UsageError;
use crate::publication::Options;
use crate::source::show_path;

pub fn run(start: &Path, command: &InitCommand, options: &Options) -> Result<u8, UsageError> {
    let dir = match &command.folder {
        Some(d) => start.join(d),
        None => start.to_path_buf(),
    };
    let written = crate::create::init(&dir, options.today)?;
    for path in &written {
        say!("新建 {}", show_path(path));
    }
    let go = if dir == Path::new(".") {
        String::new()
    } else {
        format!("cd {} && ", show_path(&dir))
    };
    say!("改好 jianbao.toml 里的单位名称，然后生成第1期：{go}jianbao build 1");
    Ok(EXIT_OK)
}
