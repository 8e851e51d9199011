//! `jianbao serve`: a live preview on 127.0.0.1. A page shows the issue's
//! pages as SVG; after every rebuild the server sends an event (server-sent
//! events on `/events`) and the page swaps its pictures, or shows what is
//! wrong with the last save above the last good pages.
//!
//! Routes: `/` the page, `/preview.js` its script, `/page/N.svg` page N
//! (from 1), `/events` the event stream, `/state` the current state as JSON.
//!
//! The server is a small one of its own on std's sockets, because the
//! preview must stay bounded whoever connects: a request head is read up
//! to [`HEAD_LIMIT`] bytes within [`READ_DEADLINE`], a request with a body
//! is refused, answers are written within [`WRITE_DEADLINE`], and at most
//! [`WORKERS`] threads answer everything: started as connections wait, and
//! ended when idle (a connection beyond what they can take is told "busy"
//! at once). A thread the system refuses is one fewer worker, so a burst
//! of connections under a process limit costs nothing but a few refusals.
//! Only GET and HEAD, only on 127.0.0.1, only for this machine's own names
//! (`Host`) and from the page itself (`Origin`, `Sec-Fetch-Site`).

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::diagnostic::UsageError;

/// The state the page and the event stream see.
#[derive(Debug, Clone, Default, Serialize)]
pub struct State {
    /// Bumped by every rebuild, good or bad.
    pub version: u64,
    /// The issue shown (`004`, `2023/004`).
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

/// What the server threads and the rebuilding thread share.
#[derive(Default)]
struct Shared {
    shown: Mutex<Shown>,
    /// The open event streams, each told of every rebuild.
    streams: Mutex<Vec<TcpStream>>,
}

/// The running preview server. It serves until the process ends.
pub struct Preview {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

/// A request head (request line and headers) longer than this is refused:
/// a browser sends well under 2 KB, cookies of other local tools included.
const HEAD_LIMIT: usize = 32 * 1024;
/// The request target (path and query): ours are a few bytes.
const URL_LIMIT: usize = 2048;
/// The whole head must arrive within this; a client that sends it slowly
/// (or not at all) is cut off.
const READ_DEADLINE: Duration = Duration::from_secs(10);
/// An answer (a page's SVG is a few MB at most) must be taken within this.
const WRITE_DEADLINE: Duration = Duration::from_secs(30);
/// Threads answering requests, started while connections wait. A browser
/// opens about six connections to a server, and an open event stream
/// holds none; the rest are for clients that send slowly (each holds a
/// thread for at most [`READ_DEADLINE`]).
const WORKERS: usize = 64;
/// Workers beyond this many end after [`IDLE`] without a connection.
const WARM: usize = 4;
const IDLE: Duration = Duration::from_secs(10);
/// A worker's stack: it parses a request head and copies an answer.
const WORKER_STACK: usize = 256 * 1024;
/// Connections accepted and waiting for a free thread; more are told
/// "busy" (503) at once.
const QUEUE: usize = 64;
/// Open event streams (one per open preview tab); another is sent the
/// state and closed, and its browser tries again by itself.
const STREAMS: usize = 32;

impl Preview {
    /// Starts serving on 127.0.0.1 — never another interface — at `port`,
    /// or at a free port the system picks when `port` is 0. Fails, with a
    /// message, when no thread can be started for the server; serves on
    /// fewer threads when only some can.
    pub fn start(port: u16) -> Result<Self, UsageError> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(|e| {
            UsageError::new(format!("无法在 127.0.0.1:{port} 上启动预览: {e}"))
                .help("换一个端口（--port），或者用 --port 0 让系统挑一个空闲的")
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| UsageError::new(format!("预览服务没有地址: {e}")))?;
        let shared = Arc::new(Shared::default());
        let for_accept = shared.clone();
        std::thread::Builder::new()
            .name("jianbao-preview".into())
            .spawn(move || Server::new(for_accept).accept(&listener))
            .map_err(|e| {
                UsageError::new(format!("无法启动预览服务：不能再开线程（{e}）")).help(
                    "系统的进程数或线程数到了上限：关掉一些程序，或调高上限（ulimit -u）后再试",
                )
            })?;
        Ok(Self { addr, shared })
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// New pages: every open page shows them.
    pub fn show_pages(&self, issue: &str, pages: Vec<String>) {
        let mut shown = lock(&self.shared.shown);
        shown.state.version += 1;
        shown.state.issue = issue.to_string();
        shown.state.pages = pages.len();
        shown.state.problem = None;
        shown.pages = pages.into_iter().map(Arc::new).collect();
        let state = shown.state.clone();
        drop(shown);
        self.shared.tell_streams(&state);
    }

    /// A save that could not be built: the pages stay, the problem shows.
    pub fn show_problem(&self, text: &str) {
        let mut shown = lock(&self.shared.shown);
        shown.state.version += 1;
        shown.state.problem = Some(text.to_string());
        let state = shown.state.clone();
        drop(shown);
        self.shared.tell_streams(&state);
    }
}

/// A lock that a panicked holder did not spoil: the data are whole values,
/// replaced at once.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    fn state(&self) -> State {
        lock(&self.shown).state.clone()
    }

    /// Sends `state` to every open event stream. The streams do not block
    /// (a tab that does not read is dropped, and its browser connects
    /// again), so a rebuild never waits for a page.
    fn tell_streams(&self, state: &State) {
        let event = event(state);
        lock(&self.streams).retain_mut(|s| matches!(s.write(&event), Ok(n) if n == event.len()));
    }

    /// Keeps `stream` as an event stream, if there is room once the
    /// streams of closed tabs are dropped.
    fn add_stream(&self, stream: TcpStream) -> Result<(), TcpStream> {
        let mut streams = lock(&self.streams);
        if streams.len() >= STREAMS {
            streams.retain(is_open);
        }
        if streams.len() >= STREAMS {
            return Err(stream);
        }
        streams.push(stream);
        Ok(())
    }
}

/// Whether the other end of a (non-blocking) event stream is still there:
/// a browser sends nothing on it, so a read that would block means open,
/// and an end of stream or an error means the tab is gone.
fn is_open(stream: &TcpStream) -> bool {
    let mut byte = [0u8; 1];
    match stream.peek(&mut byte) {
        Ok(n) => n > 0,
        Err(e) => e.kind() == io::ErrorKind::WouldBlock,
    }
}

/// One server-sent event with the state.
fn event(state: &State) -> Vec<u8> {
    // JSON has no raw line breaks, so the event is one `data:` line.
    let json = serde_json::to_string(state).unwrap_or_default();
    format!("event: reload\ndata: {json}\n\n").into_bytes()
}

/// The accepting thread and the threads it started to answer requests.
struct Server {
    shared: Arc<Shared>,
    waiting: Arc<Waiting>,
    /// Workers running.
    workers: Arc<AtomicUsize>,
}

/// A connection and when it was accepted: its request must be read
/// within [`READ_DEADLINE`] of that, time spent waiting included.
type Accepted = (TcpStream, Instant);

/// Connections waiting for a worker, and the workers waiting for one.
#[derive(Default)]
struct Waiting {
    queue: Mutex<Queue>,
    ready: Condvar,
}

#[derive(Default)]
struct Queue {
    connections: VecDeque<Accepted>,
    /// Workers waiting for a connection now.
    idle: usize,
}

impl Waiting {
    /// Queues a connection, unless [`QUEUE`] wait already; says whether
    /// more connections than idle workers now wait (one more worker is
    /// needed).
    fn push(&self, accepted: Accepted) -> Result<bool, Accepted> {
        let mut queue = lock(&self.queue);
        if queue.connections.len() >= QUEUE {
            return Err(accepted);
        }
        queue.connections.push_back(accepted);
        self.ready.notify_one();
        Ok(queue.connections.len() > queue.idle)
    }

    /// The next connection, waiting at most `idle` for one.
    fn pop(&self, idle: Duration) -> Option<Accepted> {
        let mut queue = lock(&self.queue);
        queue.idle += 1;
        let (mut queue, _) = self
            .ready
            .wait_timeout_while(queue, idle, |q| q.connections.is_empty())
            .unwrap_or_else(|e| e.into_inner());
        queue.idle -= 1;
        queue.connections.pop_front()
    }
}

impl Server {
    fn new(shared: Arc<Shared>) -> Self {
        Server {
            shared,
            waiting: Arc::default(),
            workers: Arc::default(),
        }
    }

    /// Accepts connections and hands them to the workers, started as they
    /// are needed, up to [`WORKERS`]. Where the system starts no thread
    /// (a process limit), the workers there are answer; with none, this
    /// thread answers each request itself.
    fn accept(self, listener: &TcpListener) {
        for stream in listener.incoming() {
            let Ok(stream) = stream else {
                // Out of file descriptors, or a connection reset before it
                // was accepted: wait a moment rather than spin.
                std::thread::sleep(Duration::from_millis(10));
                continue;
            };
            let accepted = (stream, Instant::now());
            if self.workers.load(Ordering::SeqCst) == 0 {
                self.start_worker();
            }
            if self.workers.load(Ordering::SeqCst) == 0 {
                answer(accepted, &self.shared);
                continue;
            }
            match self.waiting.push(accepted) {
                Ok(true) if self.workers.load(Ordering::SeqCst) < WORKERS => self.start_worker(),
                Ok(_) => {}
                Err((stream, _)) => busy(stream),
            }
        }
    }

    fn start_worker(&self) {
        let (shared, waiting) = (self.shared.clone(), self.waiting.clone());
        let workers = self.workers.clone();
        // Counted before it runs, so the accepting thread never starts more
        // than WORKERS; given back if the system refuses the thread.
        workers.fetch_add(1, Ordering::SeqCst);
        let spawned = std::thread::Builder::new()
            .name("jianbao-preview".into())
            .stack_size(WORKER_STACK)
            .spawn({
                let workers = workers.clone();
                move || {
                    let _counted = CountedDown(workers.clone());
                    loop {
                        match waiting.pop(IDLE) {
                            Some(accepted) => answer(accepted, &shared),
                            None if workers.load(Ordering::SeqCst) <= WARM => {}
                            None => return,
                        }
                    }
                }
            });
        if spawned.is_err() {
            workers.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Counts a worker down however it ends (a panic included), so that its
/// place is free for another.
struct CountedDown(Arc<AtomicUsize>);

impl Drop for CountedDown {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// "Busy" to a connection there is no room for, without waiting on it.
/// What it already sent is read first: closing a connection with unread
/// bytes resets it, and the client would lose the answer.
fn busy(mut stream: TcpStream) {
    let _ = stream.set_nonblocking(true);
    let mut sent = [0u8; 4096];
    for _ in 0..16 {
        if !matches!(stream.read(&mut sent), Ok(n) if n > 0) {
            break;
        }
    }
    let body = "预览服务正忙，请稍后再试\n";
    let mut answer = head(503, "text/plain; charset=utf-8", body.len(), &[]).into_bytes();
    answer.extend_from_slice(body.as_bytes());
    let _ = stream.write(&answer);
}

/// A request as far as the preview needs it.
#[derive(Debug, PartialEq)]
struct Request {
    head_only: bool,
    /// The path, without the query.
    path: String,
}

/// Why a request is not answered as asked: the status and a short text.
#[derive(Debug, PartialEq)]
struct Refused(u16, &'static str);

/// Reads, checks and answers one request, then closes the connection
/// (every answer says `Connection: close`).
fn answer((stream, accepted): Accepted, shared: &Shared) {
    let _ = stream.set_write_timeout(Some(WRITE_DEADLINE));
    let request = match read_head(&stream, accepted + READ_DEADLINE) {
        Ok(Some(head)) => parse(&head),
        // The client went away, or was too slow: nothing to answer.
        Ok(None) => return,
        Err(refused) => Err(refused),
    };
    match request {
        Ok(request) => {
            let _ = route(stream, &request, shared);
        }
        Err(Refused(status, text)) => {
            let allow: &[(&str, &str)] = if status == 405 {
                &[("Allow", "GET, HEAD")]
            } else {
                &[]
            };
            let plain = "text/plain; charset=utf-8";
            let _ = respond(&stream, false, status, plain, text.as_bytes(), allow);
        }
    }
}

/// The request head, up to the blank line, within the limits and by
/// `deadline`; `None` when the client went away or was too slow. The
/// connection is read no further (a body is refused in [`parse`]). Past
/// the deadline only what has already arrived is read, so connections
/// that waited in the queue behind slow ones cost nothing.
fn read_head(mut stream: &TcpStream, deadline: Instant) -> Result<Option<Vec<u8>>, Refused> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let left = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1));
        if stream.set_read_timeout(Some(left)).is_err() {
            return Ok(None);
        }
        // Never more than the limit, even from one read.
        let room = (HEAD_LIMIT + 1 - head.len()).min(chunk.len());
        let n = match stream.read(&mut chunk[..room]) {
            Ok(0) | Err(_) => return Ok(None),
            Ok(n) => n,
        };
        // Where the blank line may end: it may straddle two reads.
        let from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..n]);
        if let Some(end) = end_of_head(&head[from..]) {
            head.truncate(from + end);
            return Ok(Some(head));
        }
        if head.len() > HEAD_LIMIT {
            return Err(Refused(431, "请求头太长\n"));
        }
    }
}

/// Where a head ends in `bytes`: just after its blank line (`\r\n\r\n`,
/// or `\n\n` from a hand-typed request).
fn end_of_head(bytes: &[u8]) -> Option<usize> {
    (0..bytes.len()).find_map(|i| {
        let rest = &bytes[i..];
        if rest.starts_with(b"\r\n\r\n") {
            Some(i + 4)
        } else if rest.starts_with(b"\n\n") {
            Some(i + 2)
        } else {
            None
        }
    })
}

/// Checks a request head: GET or HEAD, a short path, one `Host` that names
/// this machine, no body.
fn parse(head: &[u8]) -> Result<Request, Refused> {
    let bad = Refused(400, "请求有误\n");
    let text = std::str::from_utf8(head).map_err(|_| Refused(400, "请求有误\n"))?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let line = lines.next().unwrap_or_default();
    let mut words = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return Err(bad);
    };
    if !matches!(version, "HTTP/1.1" | "HTTP/1.0") {
        return Err(bad);
    }
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        _ => return Err(Refused(405, "只接受 GET 和 HEAD\n")),
    };
    if target.len() > URL_LIMIT {
        return Err(Refused(414, "地址太长\n"));
    }
    // Only a path on this server: never `http://elsewhere/…`.
    if !target.starts_with('/') || target.starts_with("//") {
        return Err(bad);
    }
    let (mut host, mut origin, mut fetched_from) = (None, None, None);
    for line in lines.filter(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad);
        };
        // A folded line, or a space before the colon: old or smuggling.
        if name.is_empty() || name.contains([' ', '\t']) {
            return Err(bad);
        }
        let value = value.trim_matches([' ', '\t']);
        if name.eq_ignore_ascii_case("host") {
            if host.replace(value).is_some() {
                return Err(bad);
            }
        } else if name.eq_ignore_ascii_case("origin") {
            origin = Some(value);
        } else if name.eq_ignore_ascii_case("sec-fetch-site") {
            fetched_from = Some(value);
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            || (name.eq_ignore_ascii_case("content-length") && value != "0")
        {
            return Err(Refused(413, "请求不应带正文\n"));
        }
    }
    // Only pages asked for by this machine's own name: a web page that
    // points some other name at 127.0.0.1 (DNS rebinding) gets nothing.
    let elsewhere = Refused(403, "只在本机可以打开\n");
    match host {
        None if version == "HTTP/1.1" => return Err(bad),
        Some(host) if !is_local(host) => return Err(elsewhere),
        _ => {}
    }
    // Asked for by another site's page (an event stream, a picture): only
    // the preview's own page may.
    if fetched_from.is_some_and(|site| site.eq_ignore_ascii_case("cross-site"))
        || origin
            .is_some_and(|o| host.is_none_or(|h| !o.eq_ignore_ascii_case(&format!("http://{h}"))))
    {
        return Err(elsewhere);
    }
    let path = target.split(['?', '#']).next().unwrap_or_default();
    Ok(Request {
        head_only,
        path: path.to_string(),
    })
}

/// `127.0.0.1`, `localhost` or `[::1]`, with any port (a forwarded port
/// keeps the name of the machine it comes from).
fn is_local(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    name == "127.0.0.1" || name.eq_ignore_ascii_case("localhost") || name == "[::1]"
}

fn route(stream: TcpStream, request: &Request, shared: &Shared) -> io::Result<()> {
    let head_only = request.head_only;
    match request.path.as_str() {
        "/" => {
            let page = page(&shared.state());
            respond(
                &stream,
                head_only,
                200,
                "text/html; charset=utf-8",
                page.as_bytes(),
                &[("Content-Security-Policy", PAGE_POLICY)],
            )
        }
        "/preview.js" => respond(
            &stream,
            head_only,
            200,
            "text/javascript; charset=utf-8",
            SCRIPT.as_bytes(),
            &[],
        ),
        "/state" => {
            let json = serde_json::to_string(&shared.state()).unwrap_or_default();
            respond(
                &stream,
                head_only,
                200,
                "application/json",
                json.as_bytes(),
                &[],
            )
        }
        "/events" if !head_only => events(stream, shared),
        "/events" => respond(&stream, true, 200, "text/event-stream", b"", &[]),
        path => {
            let page = path
                .strip_prefix("/page/")
                .and_then(|p| p.strip_suffix(".svg"))
                .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| lock(&shared.shown).pages.get(n.checked_sub(1)?).cloned());
            match page {
                // Opened by itself, a page's SVG runs nothing.
                Some(svg) => respond(
                    &stream,
                    head_only,
                    200,
                    "image/svg+xml",
                    svg.as_bytes(),
                    &[("Content-Security-Policy", SVG_POLICY)],
                ),
                None => respond(
                    &stream,
                    head_only,
                    404,
                    "text/plain; charset=utf-8",
                    "没有这一页\n".as_bytes(),
                    &[],
                ),
            }
        }
    }
}

/// The event stream: the current state at once, then one `reload` event
/// per rebuild (sent by [`Shared::tell_streams`]), until the tab goes away.
fn events(mut stream: TcpStream, shared: &Shared) -> io::Result<()> {
    let state = shared.state();
    let mut first = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n"
        .as_bytes()
        .to_vec();
    first.extend(event(&state));
    stream.write_all(&first)?;
    stream.set_nonblocking(true)?;
    // Under the lock of the state, so no rebuild falls between the state
    // sent and the first one the stream is told of.
    let shown = lock(&shared.shown);
    if shown.state.version != state.version {
        let _ = stream.write(&event(&shown.state));
    }
    if let Err(stream) = shared.add_stream(stream) {
        // No room: the browser's EventSource tries again by itself.
        let _ = stream.shutdown(std::net::Shutdown::Both);
    }
    drop(shown);
    Ok(())
}

/// The status line and headers of an answer; every answer closes the
/// connection and is neither cached nor sniffed for another type.
fn head(status: u16, content_type: &str, length: usize, extra: &[(&str, &str)]) -> String {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        _ => "Service Unavailable",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\
         Cross-Origin-Resource-Policy: same-origin\r\nConnection: close\r\n"
    );
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head
}

/// Writes an answer within [`WRITE_DEADLINE`] in all: a client that reads
/// slowly is cut off.
fn respond(
    mut stream: &TcpStream,
    head_only: bool,
    status: u16,
    content_type: &str,
    body: &[u8],
    extra: &[(&str, &str)],
) -> io::Result<()> {
    let deadline = Instant::now() + WRITE_DEADLINE;
    let mut write = |bytes: &[u8]| {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::from(io::ErrorKind::TimedOut));
        }
        stream.set_write_timeout(Some(left))?;
        stream.write_all(bytes)
    };
    write(head(status, content_type, body.len(), extra).as_bytes())?;
    if !head_only {
        for part in body.chunks(64 * 1024) {
            write(part)?;
        }
    }
    Ok(())
}

/// Text for HTML text and attribute values.
fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON that can stand inside a `<script>` element: no `<` (so no
/// `</script` and no `<!--`), `>` or `&`, and no U+2028/U+2029. They can
/// only be inside JSON strings, where `\uXXXX` says the same.
fn json_in_script(value: &impl Serialize) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// The page for `state`: a fixed template whose two holes are filled each
/// with its own escaping (HTML text; JSON in a data block). Nothing in the
/// template is looked up in what was filled in.
fn page(state: &State) -> String {
    let title = html(&format!("jianbao 预览 {}", state.issue));
    let data = json_in_script(state);
    [PAGE_HEAD, &title, PAGE_MIDDLE, &data, PAGE_TAIL].concat()
}

/// What the page may load: its own script and pictures, the event
/// stream, its inline style; nothing else, and no inline script, so text
/// that got into the page by mistake would still not run.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; \
     img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// A page's SVG, if opened by itself: its own styles and embedded pictures.
const SVG_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
     font-src data:";

/// The preview page, up to the title: grey desk, white pages, a red box for
/// problems.
const PAGE_HEAD: &str = r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>"#;

/// From the title to the state.
const PAGE_MIDDLE: &str = r#"</title>
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
<script id="state" type="application/json">"#;

/// After the state.
const PAGE_TAIL: &str = r#"</script>
<script src="/preview.js"></script>
</body>
</html>
"#;

/// The page's script: shows the state in the page, and every state the
/// event stream sends. Text goes in as text (`textContent`, `alt`, the
/// title), never as HTML.
const SCRIPT: &str = r#""use strict";
let state = JSON.parse(document.getElementById("state").textContent);
const pages = document.getElementById("pages");
const problem = document.getElementById("problem");
function show(s) {
  problem.textContent = s.problem || "";
  problem.style.display = s.problem ? "block" : "none";
  document.title = "jianbao 预览 " + s.issue;
  if (s.pages === 0) {
    const empty = document.createElement("div");
    empty.id = "empty";
    empty.textContent = "正在排版……";
    pages.replaceChildren(empty);
    return;
  }
  const imgs = pages.querySelectorAll("img");
  if (imgs.length !== s.pages) {
    pages.replaceChildren();
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
}
show(state);
new EventSource("/events").addEventListener("reload", (e) => {
  const s = JSON.parse(e.data);
  if (s.version !== state.version) { state = s; show(s); }
});
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn request(head: &str) -> Result<Request, Refused> {
        parse(head.as_bytes())
    }

    #[test]
    fn only_get_and_head_for_this_machine() {
        let ok = request("GET /page/1.svg?v=3 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
        assert_eq!(
            ok,
            Ok(Request {
                head_only: false,
                path: "/page/1.svg".into()
            })
        );
        assert!(request("HEAD / HTTP/1.1\r\nHost: LOCALHOST\r\n\r\n").is_ok_and(|r| r.head_only));
        assert!(request("GET / HTTP/1.1\r\nHost: [::1]:1\r\n\r\n").is_ok());
        let own_page = "GET /events HTTP/1.1\r\nHost: 127.0.0.1:8\r\n\
                        Origin: http://127.0.0.1:8\r\nSec-Fetch-Site: same-origin\r\n\r\n";
        assert!(request(own_page).is_ok());
        for (head, status) in [
            ("POST / HTTP/1.1\r\nHost: localhost\r\n\r\n", 405),
            ("GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n", 403),
            (
                "GET / HTTP/1.1\r\nHost: 127.0.0.1.evil.example\r\n\r\n",
                403,
            ),
            ("GET / HTTP/1.1\r\nHost: localhost.\r\n\r\n", 403),
            ("GET / HTTP/1.1\r\n\r\n", 400),
            (
                "GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil\r\n\r\n",
                400,
            ),
            ("GET http://evil/ HTTP/1.1\r\nHost: localhost\r\n\r\n", 400),
            ("GET //evil/ HTTP/1.1\r\nHost: localhost\r\n\r\n", 400),
            (
                "GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\n",
                413,
            ),
            (
                "GET / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n",
                413,
            ),
            ("GET / HTTP/1.1\r\nHost: localhost\r\n folded\r\n\r\n", 400),
            ("GET /  HTTP/1.1\r\nHost: localhost\r\n\r\n", 400),
            ("GET / HTTP/2\r\nHost: localhost\r\n\r\n", 400),
            (
                "GET /events HTTP/1.1\r\nHost: 127.0.0.1:8\r\nOrigin: http://evil.example\r\n\r\n",
                403,
            ),
            (
                "GET /events HTTP/1.1\r\nHost: 127.0.0.1:8\r\nOrigin: http://127.0.0.1:9\r\n\r\n",
                403,
            ),
            (
                "GET / HTTP/1.1\r\nHost: 127.0.0.1:8\r\nOrigin: null\r\n\r\n",
                403,
            ),
            (
                "GET /page/1.svg HTTP/1.1\r\nHost: localhost\r\nSec-Fetch-Site: cross-site\r\n\r\n",
                403,
            ),
        ] {
            assert!(
                matches!(request(head), Err(Refused(s, _)) if s == status),
                "{head:?}: {:?}",
                request(head)
            );
        }
        let long = format!(
            "GET /{} HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "a".repeat(URL_LIMIT)
        );
        assert!(matches!(request(&long), Err(Refused(414, _))));
        assert!(matches!(
            parse(b"GET /\xff HTTP/1.1\r\n\r\n"),
            Err(Refused(400, _))
        ));
    }

    #[test]
    fn the_end_of_a_head_is_found_across_reads() {
        assert_eq!(end_of_head(b"GET / HTTP/1.1\r\n\r\nrest"), Some(18));
        assert_eq!(end_of_head(b"GET / HTTP/1.0\n\n"), Some(16));
        assert_eq!(end_of_head(b"GET / HTTP/1.1\r\nHost: a\r\n"), None);
    }

    #[test]
    fn filled_text_stays_text_in_its_context() {
        let state = State {
            version: 1,
            issue: "a\"</script><b>&'".into(),
            pages: 0,
            problem: Some("{ISSUE} </SCRIPT> <!-- \u{2028}\u{2029}".into()),
        };
        let page = page(&state);
        assert!(
            page.contains("<title>jianbao 预览 a&quot;&lt;/script&gt;&lt;b&gt;&amp;&#39;</title>")
        );
        let data = json_in_script(&state);
        assert!(
            !data.contains(['<', '>', '&', '\u{2028}', '\u{2029}']),
            "{data}"
        );
        let back: serde_json::Value = serde_json::from_str(&data).unwrap();
        assert_eq!(back["problem"], state.problem.unwrap());
        assert_eq!(back["issue"], state.issue);
        // One data block and one script, as the template has them.
        assert_eq!(page.matches("<script").count(), 2);
        assert_eq!(page.to_ascii_lowercase().matches("</script").count(), 2);
    }
}
