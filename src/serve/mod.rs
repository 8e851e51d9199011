//! `jianbao serve`: the clerk's page on 127.0.0.1. One page for the whole
//! publication: its issues, each issue's form and body, live pages,
//! every problem at its line, paste from Word, pictures, downloads.
//! The issue files stay the source of truth: the page reads and writes
//! them through the routes of [`api`], and a file changed on disk is
//! told to the page ([`events`]).
//!
//! In order: [`http`] is the bounded server (std sockets, threads,
//! deadlines, limits; the Host and Origin checks), [`token`] the secret
//! of the run every path starts with, [`api`] the routes, [`workspace`]
//! the publication with one warm engine and the last good pages of each
//! issue, [`jobs`] the command's own thread that does the work that
//! lays out pages or reads the publication, [`front`] the front matter for the form, [`pictures`] pictures
//! saved under `images/`, [`events`] the event stream and the watch of
//! `issues/`, [`assets`] the page's files and fonts compiled in.

mod api;
mod assets;
mod events;
mod front;
mod http;
mod jobs;
mod pictures;
mod token;
mod workspace;

use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::PdfStandard;
use crate::diagnostic::UsageError;
use crate::publication::Options;

/// What `serve` works on.
pub struct Request {
    pub start: PathBuf,
    pub options: Options,
    pub pdf_standard: Option<PdfStandard>,
    pub layout: Option<PathBuf>,
    pub port: u16,
}

/// The running server. It serves until the process ends.
pub struct Serving {
    port: u16,
    token: token::Token,
    jobs: std::sync::mpsc::Receiver<Box<dyn FnOnce() + Send>>,
}

impl Serving {
    /// The page's address, with the token.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/{}/", self.port, self.token.as_str())
    }

    /// Does the work the routes and the watch hand over, on this thread
    /// (the command's, in its thread pool), until the process ends.
    pub fn run(self) -> ! {
        jobs::run_jobs(self.jobs)
    }
}

/// Starts serving on 127.0.0.1 — never another interface — at `port`, or
/// at a free port the system picks when it is 0, and watches `issues/`.
pub fn start(request: &Request) -> Result<Serving, UsageError> {
    // A file-size limit (`ulimit -f`) met while saving must fail that
    // write (EFBIG: an answer, the temporary file removed), not end the
    // server by SIGXFSZ's default action.
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_IGN installs no
    // handler; nothing runs on the signal.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let workspace = Arc::new(workspace::Workspace::new(
        &request.start,
        request.options.clone(),
        request.pdf_standard,
        request.layout.clone(),
    )?);
    let port = request.port;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(|e| {
        UsageError::new(format!("无法在 127.0.0.1:{port} 上启动: {e}"))
            .help("换一个端口（--port），或者用 --port 0 让系统挑一个空闲的")
    })?;
    let token = token::Token::new()?;
    let events = Arc::new(events::Events::default());
    let (jobs, receiver) = jobs::Jobs::new();
    events::watch_files(workspace.clone(), events.clone(), jobs.clone())?;
    let api = api::Api::new(token.clone(), workspace, events, jobs);
    let listening = http::serve(listener, Arc::new(api)).map_err(|e| {
        UsageError::new(format!("无法启动：不能再开线程（{e}）"))
            .help("系统的进程数或线程数到了上限：关掉一些程序，或调高上限（ulimit -u）后再试")
    })?;
    Ok(Serving {
        port: listening.port,
        token,
        jobs: receiver,
    })
}
