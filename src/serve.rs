//! `jianbao serve`: a live preview on 127.0.0.1. A page shows the issue's
//! pages as SVG; after every rebuild the server sends an event (server-sent
//! events on `/events`) and the page swaps its pictures, or shows what is
//! wrong with the last save above the last good pages.
//!
//! Routes: `/` the page, `/page/N.svg` page N (from 1), `/events` the event
//! stream, `/state` the current state as JSON.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde::Serialize;
use tiny_http::{Header, Request, Response, Server};

use crate::diagnostic::UsageError;

/// The state the page and the event stream see.
#[derive(Debug, Clone, Default, Serialize)]
pub struct State {
    /// Bumped by every rebuild, good or bad.
    pub version: u64,
    /// The issue shown (`004`).
    pub issue: String,
    pub pages: usize,
    /// What is wrong with the last save (plain text); the pages shown are
    /// the last good ones.
    pub problem: Option<String>,
}

#[derive(Default)]
struct Shown {
    state: State,
    pages: Vec<Arc<String>>,
}

/// What the server threads share: the preview and a signal for each change.
#[derive(Default)]
struct Shared {
    shown: Mutex<Shown>,
    changed: Condvar,
}

/// The running preview server. It serves until the process ends.
pub struct Preview {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

/// How long an idle event stream waits before a keep-alive comment (which
/// also finds closed tabs).
const KEEP_ALIVE: Duration = Duration::from_secs(15);

impl Preview {
    /// Starts serving on 127.0.0.1 — never another interface — at `port`,
    /// or at a free port the system picks when `port` is 0.
    pub fn start(port: u16) -> Result<Self, UsageError> {
        let server = Server::http((Ipv4Addr::LOCALHOST, port)).map_err(|e| {
            UsageError::new(format!("无法在 127.0.0.1:{port} 上启动预览: {e}"))
                .help("换一个端口（--port），或者用 --port 0 让系统挑一个空闲的")
        })?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| UsageError::new("预览服务没有 IP 地址"))?;
        let shared = Arc::new(Shared::default());
        let for_server = shared.clone();
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let shared = for_server.clone();
                // An event stream stays open: each request has a thread.
                std::thread::spawn(move || {
                    let _ = handle(request, &shared);
                });
            }
        });
        Ok(Self { addr, shared })
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// New pages: every open page shows them.
    pub fn show_pages(&self, issue: &str, pages: Vec<String>) {
        let mut shown = self.shared.shown.lock().unwrap();
        shown.state.version += 1;
        shown.state.issue = issue.to_string();
        shown.state.pages = pages.len();
        shown.state.problem = None;
        shown.pages = pages.into_iter().map(Arc::new).collect();
        self.shared.changed.notify_all();
    }

    /// A save that could not be built: the pages stay, the problem shows.
    pub fn show_problem(&self, text: &str) {
        let mut shown = self.shared.shown.lock().unwrap();
        shown.state.version += 1;
        shown.state.problem = Some(text.to_string());
        self.shared.changed.notify_all();
    }
}

fn handle(request: Request, shared: &Shared) -> std::io::Result<()> {
    // Only pages asked for by this machine's own name: a web page that
    // points some other name at 127.0.0.1 (DNS rebinding) gets nothing.
    let local = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .is_some_and(|h| {
            let host = h.value.as_str();
            let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
            matches!(name, "127.0.0.1" | "localhost" | "[::1]")
        });
    if !local {
        return request.respond(Response::from_string("forbidden").with_status_code(403));
    }
    let path = request.url().split('?').next().unwrap_or("").to_string();
    let content_type = |v: &str| Header::from_bytes("Content-Type", v).expect("valid header");
    match path.as_str() {
        "/" => {
            let state = shared.shown.lock().unwrap().state.clone();
            // `<` escaped: a problem's text must not end the script.
            let json = serde_json::to_string(&state)
                .unwrap_or_default()
                .replace('<', "\\u003c");
            let html = PAGE
                .replace("{STATE}", &json)
                .replace("{ISSUE}", &html_escape(&state.issue));
            request.respond(
                Response::from_string(html).with_header(content_type("text/html; charset=utf-8")),
            )
        }
        "/state" => {
            let state = shared.shown.lock().unwrap().state.clone();
            let json = serde_json::to_string(&state).unwrap_or_default();
            request
                .respond(Response::from_string(json).with_header(content_type("application/json")))
        }
        "/events" => events(request, shared),
        _ => {
            let page = path
                .strip_prefix("/page/")
                .and_then(|p| p.strip_suffix(".svg"))
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| {
                    let shown = shared.shown.lock().unwrap();
                    shown.pages.get(n.checked_sub(1)?).cloned()
                });
            match page {
                Some(svg) => request.respond(
                    Response::from_data(svg.as_bytes())
                        .with_header(content_type("image/svg+xml"))
                        .with_header(
                            Header::from_bytes("Cache-Control", "no-store").expect("valid header"),
                        ),
                ),
                None => request.respond(Response::from_string("没有这一页").with_status_code(404)),
            }
        }
    }
}

/// The event stream: the current state at once, then one `reload` event
/// per rebuild, until the page goes away.
fn events(request: Request, shared: &Shared) -> std::io::Result<()> {
    let mut out = request.into_writer();
    // Written by hand: tiny_http would send an event stream chunked, which
    // browsers handle badly.
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
    )?;
    let mut seen = None;
    loop {
        let state = {
            let shown = shared.shown.lock().unwrap();
            let (shown, _) = shared
                .changed
                .wait_timeout_while(shown, KEEP_ALIVE, |s| Some(s.state.version) == seen)
                .unwrap();
            shown.state.clone()
        };
        if Some(state.version) == seen {
            write!(out, ": keep-alive\n\n")?;
        } else {
            seen = Some(state.version);
            let json = serde_json::to_string(&state).unwrap_or_default();
            write!(out, "event: reload\ndata: {json}\n\n")?;
        }
        out.flush()?;
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The preview page: grey desk, white pages, a red box for problems.
const PAGE: &str = r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>jianbao 预览 {ISSUE}</title>
<style>
  body { margin: 0; background: #e8e8e8; font-family: sans-serif; }
  #problem { display: none; position: sticky; top: 0; margin: 0; padding: 12px 16px;
    background: #fff0f0; color: #a00; border-bottom: 2px solid #d33; white-space: pre-wrap;
    font: 13px/1.5 monospace; max-height: 40vh; overflow: auto; }
  #pages { display: flex; flex-direction: column; align-items: center; gap: 16px; padding: 16px; }
  #pages img { width: min(210mm, 100%); background: white; box-shadow: 0 1px 6px rgba(0,0,0,.3); }
  #empty { padding: 40px; color: #555; }
</style>
</head>
<body>
<pre id="problem"></pre>
<div id="pages"></div>
<script>
  let state = {STATE};
  const pages = document.getElementById("pages");
  const problem = document.getElementById("problem");
  function show(s) {
    problem.textContent = s.problem || "";
    problem.style.display = s.problem ? "block" : "none";
    if (s.pages === 0) {
      pages.innerHTML = '<div id="empty">正在排版……</div>';
      return;
    }
    const imgs = pages.querySelectorAll("img");
    if (imgs.length !== s.pages) {
      pages.innerHTML = "";
      for (let n = 1; n <= s.pages; n++) {
        const img = document.createElement("img");
        img.alt = "第 " + n + " 页";
        pages.appendChild(img);
      }
    }
    // Swapped in place, so the reader keeps their place on the page.
    pages.querySelectorAll("img").forEach((img, i) => {
      const src = "/page/" + (i + 1) + ".svg?v=" + s.version;
      if (!s.problem || !img.getAttribute("src")) img.src = src;
    });
    document.title = "jianbao 预览 " + s.issue;
  }
  show(state);
  new EventSource("/events").addEventListener("reload", (e) => {
    const s = JSON.parse(e.data);
    if (s.version !== state.version) { state = s; show(s); }
  });
</script>
</body>
</html>
"#;
