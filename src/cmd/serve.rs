//! `jianbao serve [期号]`: `watch`, with the pages shown live in a browser
//! on this computer.

use std::io::Write;
use std::path::Path;

use super::args::ServeCommand;
use super::exit::EXIT_OK;
use super::output::{say, tell};
use super::watch;
use crate::diagnostic::UsageError;
use crate::publication::{Options, Publication};

pub fn run(start: &Path, options: Options, command: &ServeCommand) -> Result<u8, UsageError> {
    let publication = Publication::load(start, &options)?;
    let request = watch::request(
        &publication,
        start,
        options,
        &command.issue,
        &command.output,
    )?;
    let preview = crate::serve::Preview::start(command.port)?;
    // The one line on stdout: scripts (and the tests) read the address.
    tell!(std::io::stdout(), "{}", preview.url());
    let _ = std::io::stdout().flush();
    say!("预览：{}（只在本机可以打开；Ctrl-C 结束）", preview.url());
    crate::watch::run(&request, |rebuilt| match rebuilt {
        crate::watch::Rebuilt::Pages { issue, document } => {
            preview.show_pages(issue, crate::typeset::svg_pages(document));
        }
        crate::watch::Rebuilt::Problem(text) => preview.show_problem(&text),
    })?;
    Ok(EXIT_OK)
}
