//! `jianbao serve [期号]`: the clerk's page for the publication, on this
//! computer only.

use std::io::{IsTerminal, Write};
use std::path::Path;

use super::args::ServeCommand;
use super::output::{say, tell};
use super::settings;
use crate::diagnostic::UsageError;
use crate::publication::{Options, Publication};

pub fn run(start: &Path, options: Options, command: &ServeCommand) -> Result<u8, UsageError> {
    let publication = Publication::load(start, &options)?;
    let key = match &command.issue {
        Some(query) => Some(
            publication.issues[publication.resolve(query)?]
                .file
                .id
                .clone(),
        ),
        None => None,
    };
    let layout = settings::layout_path(&publication, start, &command.layout)?;
    let serving = crate::serve::start(&crate::serve::Request {
        start: start.to_path_buf(),
        options,
        pdf_standard: command.layout.pdf_standard,
        layout,
        port: command.port,
    })?;
    let mut url = serving.url();
    if let Some(key) = key {
        url += &format!(
            "#/issue/{}",
            percent_encoding::utf8_percent_encode(&key, percent_encoding::NON_ALPHANUMERIC)
        );
    }
    // The one line on stdout: scripts (and the tests) read the address.
    tell!(std::io::stdout(), "{url}");
    let _ = std::io::stdout().flush();
    say!("页面：{url}（只在本机可以打开；Ctrl-C 结束）");
    if std::io::stdout().is_terminal() {
        open_in_browser(&url);
    }
    serving.run()
}

/// Opens `url` in the default browser; failing is fine (the address is
/// printed).
fn open_in_browser(url: &str) {
    let program: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else if cfg!(windows) {
        &["cmd", "/C", "start", ""]
    } else {
        &["xdg-open"]
    };
    let _ = std::process::Command::new(program[0])
        .args(&program[1..])
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
