//! The bounded HTTP/1.1 server `serve` answers on, on std's sockets: the
//! page must stay bounded whoever connects. A request head is read up to
//! [`HEAD_LIMIT`] bytes and its body (only with `Content-Length`, no more
//! than the route's limit) within [`READ_DEADLINE`] and [`BODY_DEADLINE`];
//! answers are written within [`WRITE_DEADLINE`]; at most [`WORKERS`]
//! threads answer everything, started as connections wait and ended when
//! idle (a connection beyond what they can take is told "busy" at once).
//! A thread the system refuses is one fewer worker, so a burst of
//! connections under a process limit costs nothing but a few refusals.
//!
//! Checked here, before any route sees a request: only 127.0.0.1 (the
//! socket), a `Host` of this machine's own names with this port (a web
//! page pointing another name at 127.0.0.1 gets nothing), a request from
//! another site refused (`Sec-Fetch-Site: cross-site`, an `Origin` that is
//! not the page's), and a write (POST, PUT) only with the page's own
//! `Origin` and a `Content-Length`. The token is the routes' (api.rs).

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::TcpListener;
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// A request head (request line and headers) longer than this is refused:
/// a browser sends well under 2 KB, cookies of other local tools included.
const HEAD_LIMIT: usize = 32 * 1024;
/// The request target (path and query): ours are well under this.
const URL_LIMIT: usize = 4096;
/// The whole head must arrive within this; a client that sends it slowly
/// (or not at all) is cut off.
const READ_DEADLINE: Duration = Duration::from_secs(10);
/// A body (at most 32 MB, on loopback) must arrive within this.
const BODY_DEADLINE: Duration = Duration::from_secs(60);
/// An answer (a page's SVG is a few MB at most, a PDF some more) must be
/// taken within this.
const WRITE_DEADLINE: Duration = Duration::from_secs(60);
/// Threads answering requests, started while connections wait. A browser
/// opens about six connections to a server, and an open event stream
/// holds none; the rest are for clients that send slowly (each holds a
/// thread for at most [`READ_DEADLINE`]).
const WORKERS: usize = 64;
/// Workers beyond this many end after [`IDLE`] without a connection.
const WARM: usize = 4;
const IDLE: Duration = Duration::from_secs(10);
/// A worker's stack: it parses a request and calls the routes, which lay
/// out pages (typst runs on rayon's threads, not this one) and read JSON.
const WORKER_STACK: usize = 8 * 1024 * 1024;
/// Connections accepted and waiting for a free thread; more are told
/// "busy" (503) at once.
const QUEUE: usize = 64;

/// What the routes answer with.
pub trait Handler: Send + Sync + 'static {
    /// The largest body a request may carry, from its head (0: none).
    fn body_limit(&self, request: &Request) -> usize;
    fn handle(&self, request: Request) -> Reply;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
}

impl Method {
    pub fn writes(self) -> bool {
        matches!(self, Method::Post | Method::Put)
    }
}

/// A request that passed the checks above.
#[derive(Debug, PartialEq)]
pub struct Request {
    pub method: Method,
    /// The path as sent (still percent-encoded), without the query.
    pub path: String,
    /// Headers the routes read (`X-File-Name`), names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An answer.
pub enum Reply {
    Full(Response),
    /// An event stream: the head is written, then the stream is handed over.
    Events(Box<dyn FnOnce(TcpStream) + Send>),
}

pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Arc<[u8]>,
    pub headers: Vec<(&'static str, String)>,
}

impl Response {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Arc<[u8]>>) -> Self {
        Response {
            status,
            content_type,
            body: body.into(),
            headers: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// `{"error": …, "help": …}` with `status`.
    pub fn error(status: u16, error: &str, help: &str) -> Self {
        let json = serde_json::json!({ "error": error, "help": help });
        Response::new(status, JSON, json.to_string().into_bytes())
    }
}

pub const JSON: &str = "application/json; charset=utf-8";

/// What every page may do, the contract's policy: only its own script,
/// styles, fonts and pictures (and pictures it made itself), no plugin,
/// no base, never inside another site's frame.
const POLICY: &str = "default-src 'self'; img-src 'self' blob: data:; \
     style-src 'self' 'unsafe-inline'; font-src 'self'; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; frame-ancestors 'none'";

/// The running server: accepts on its own thread until the process ends.
pub struct Listening {
    pub port: u16,
}

/// Starts serving `listener` (bound to 127.0.0.1) with `handler`. Fails,
/// with the system's word, when no thread can be started for it.
pub fn serve(listener: TcpListener, handler: Arc<dyn Handler>) -> io::Result<Listening> {
    let port = listener.local_addr()?.port();
    let server = Server {
        handler,
        port,
        waiting: Arc::default(),
        workers: Arc::default(),
    };
    std::thread::Builder::new()
        .name("jianbao-serve".into())
        .spawn(move || server.accept(&listener))?;
    Ok(Listening { port })
}

/// A lock that a panicked holder did not spoil: the data are whole values,
/// replaced at once.
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The accepting thread and the threads it started to answer requests.
struct Server {
    handler: Arc<dyn Handler>,
    port: u16,
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
                answer(accepted, &*self.handler, self.port);
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
        let (handler, waiting, port) = (self.handler.clone(), self.waiting.clone(), self.port);
        let workers = self.workers.clone();
        // Counted before it runs, so the accepting thread never starts more
        // than WORKERS; given back if the system refuses the thread.
        workers.fetch_add(1, Ordering::SeqCst);
        let spawned = std::thread::Builder::new()
            .name("jianbao-serve".into())
            .stack_size(WORKER_STACK)
            .spawn({
                let workers = workers.clone();
                move || {
                    let _counted = CountedDown(workers.clone());
                    loop {
                        match waiting.pop(IDLE) {
                            Some(accepted) => answer(accepted, &*handler, port),
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
    let busy = Response::error(503, "jianbao serve 正忙", "请稍后再试");
    let mut answer = head(&busy).into_bytes();
    answer.extend_from_slice(&busy.body);
    let _ = stream.write(&answer);
}

/// Why a request is not answered as asked: the status, what is wrong and
/// what to do, in the words of an error answer.
#[derive(Debug, PartialEq)]
pub struct Refused(pub u16, pub &'static str, pub &'static str);

impl Refused {
    fn response(&self) -> Response {
        let Refused(status, error, help) = *self;
        let mut response = Response::error(status, error, help);
        if status == 405 {
            response = response.with("Allow", "GET, HEAD, POST, PUT");
        }
        response
    }
}

/// Reads, checks and answers one request, then closes the connection
/// (every answer says `Connection: close`).
fn answer((stream, accepted): Accepted, handler: &dyn Handler, port: u16) {
    let _ = stream.set_write_timeout(Some(WRITE_DEADLINE));
    let (head, early) = match read_head(&stream, accepted + READ_DEADLINE) {
        Ok(Some(read)) => read,
        // The client went away, or was too slow: nothing to answer.
        Ok(None) => return,
        Err(refused) => {
            let _ = respond(&stream, false, &refused.response());
            return;
        }
    };
    let (mut request, length) = match parse(&head, port) {
        Ok(parsed) => parsed,
        Err(refused) => {
            let _ = respond(&stream, false, &refused.response());
            return;
        }
    };
    let head_only = request.method == Method::Head;
    if length > 0 {
        let limit = handler.body_limit(&request);
        if length > limit {
            let refused = if limit == 0 {
                Response::error(400, "这个请求不应带正文", "只有保存、上传和粘贴带正文")
            } else {
                Response::error(
                    413,
                    "请求的正文太大",
                    &format!(
                        "这里最多收 {}；图片太大就先压缩一下",
                        crate::sandbox::human_size(limit as u64)
                    ),
                )
            };
            let _ = respond(&stream, false, &refused);
            return;
        }
        match read_body(&stream, early, length, Instant::now() + BODY_DEADLINE) {
            Some(body) => request.body = body,
            None => return,
        }
    }
    match handler.handle(request) {
        Reply::Full(response) => {
            let _ = respond(&stream, head_only, &response);
        }
        Reply::Events(take) => {
            let mut first = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n\
                 Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n"
                .as_bytes()
                .to_vec();
            // Reconnect soon after the stream is dropped.
            first.extend_from_slice(b"retry: 1000\n\n");
            let mut s = &stream;
            if s.write_all(&first).is_ok() && !head_only {
                take(stream);
            }
        }
    }
}

/// A request head and what of its body came in the same reads.
type HeadRead = (Vec<u8>, Vec<u8>);

/// The request head, up to the blank line, within the limits and by
/// `deadline`, and whatever of the body came with it; `None` when the
/// client went away or was too slow. Past the deadline only what has
/// already arrived is read, so connections that waited in the queue
/// behind slow ones cost nothing.
fn read_head(mut stream: &TcpStream, deadline: Instant) -> Result<Option<HeadRead>, Refused> {
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
            let rest = head.split_off(from + end);
            return Ok(Some((head, rest)));
        }
        if head.len() > HEAD_LIMIT {
            return Err(Refused(
                431,
                "请求头太长",
                "关掉别的本机工具设的 Cookie 后再试",
            ));
        }
    }
}

/// The body of `length` bytes (within the route's limit, checked before),
/// `early` of it already read; `None` when the client stops or is too
/// slow.
fn read_body(
    mut stream: &TcpStream,
    early: Vec<u8>,
    length: usize,
    deadline: Instant,
) -> Option<Vec<u8>> {
    let mut body = early;
    body.truncate(length);
    body.reserve_exact(length - body.len());
    let mut chunk = vec![0u8; 64 * 1024];
    while body.len() < length {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return None;
        }
        let room = (length - body.len()).min(chunk.len());
        match stream.read(&mut chunk[..room]) {
            Ok(0) | Err(_) => return None,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    Some(body)
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

/// Checks a request head and says how long its body is: a known method, a
/// short path, one `Host` naming this machine with this port, a write
/// only from the page itself with a `Content-Length`.
fn parse(head: &[u8], port: u16) -> Result<(Request, usize), Refused> {
    let bad = Refused(400, "请求有误", "用 jianbao serve 打印的地址打开页面");
    let text = std::str::from_utf8(head).map_err(|_| Refused(bad.0, bad.1, bad.2))?;
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
    let method = match method {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        _ => {
            return Err(Refused(
                405,
                "不接受这种请求",
                "只接受 GET、HEAD、POST 和 PUT",
            ));
        }
    };
    if target.len() > URL_LIMIT {
        return Err(Refused(
            414,
            "地址太长",
            "用 jianbao serve 打印的地址打开页面",
        ));
    }
    // Only a path on this server: never `http://elsewhere/…`.
    if !target.starts_with('/') || target.starts_with("//") {
        return Err(bad);
    }
    let (mut host, mut origin, mut fetched_from, mut length) = (None, None, None, None);
    let mut headers = Vec::new();
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
            // Two: no browser sends them, and neither is believed (an
            // empty Origin is nobody's).
            origin = Some(if origin.is_some() { "" } else { value });
        } else if name.eq_ignore_ascii_case("sec-fetch-site") {
            fetched_from = Some(value);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(Refused(
                411,
                "请求的正文要写明长度",
                "带 Content-Length 发送，不要分块（chunked）",
            ));
        } else if name.eq_ignore_ascii_case("content-length") {
            let n = (!value.is_empty()
                && value.len() <= 12
                && value.bytes().all(|b| b.is_ascii_digit()))
            .then(|| value.parse::<usize>().ok())
            .flatten()
            .ok_or(Refused(bad.0, bad.1, bad.2))?;
            if length.replace(n).is_some_and(|m| m != n) {
                return Err(bad);
            }
        } else if name.eq_ignore_ascii_case("x-file-name") {
            headers.push(("x-file-name".to_string(), value.to_string()));
        }
    }
    // Only pages asked for by this machine's own name and this port: a
    // web page that points some other name at 127.0.0.1 (DNS rebinding)
    // gets nothing.
    let elsewhere = Refused(
        403,
        "只在本机、用 jianbao serve 打印的地址可以打开",
        "在浏览器里打开 jianbao serve 打印的 http://127.0.0.1:… 地址",
    );
    match host {
        None => return Err(bad),
        Some(host) if !is_this_server(host, port) => {
            return Err(Refused(421, elsewhere.1, elsewhere.2));
        }
        _ => {}
    }
    let own_origin = |o: &str| {
        o.strip_prefix("http://")
            .is_some_and(|h| is_this_server(h, port))
    };
    // Asked for by another site's page (an event stream, a picture): only
    // the page itself may.
    if fetched_from.is_some_and(|site| site.eq_ignore_ascii_case("cross-site"))
        || origin.is_some_and(|o| !own_origin(o))
    {
        return Err(elsewhere);
    }
    let length = length.unwrap_or(0);
    if method.writes() {
        // A form of another site posts with its own Origin, or none at all
        // (some old browsers): only the page's own.
        if origin.is_none() {
            return Err(Refused(
                403,
                "保存、上传只接受本页面发来的请求",
                "在 jianbao serve 打开的页面里操作",
            ));
        }
        if length_missing(text) {
            return Err(Refused(
                411,
                "请求的正文要写明长度",
                "带 Content-Length 发送，不要分块（chunked）",
            ));
        }
    }
    let path = target.split(['?', '#']).next().unwrap_or_default();
    Ok((
        Request {
            method,
            path: path.to_string(),
            headers,
            body: Vec::new(),
        },
        length,
    ))
}

/// No `Content-Length` header in the head.
fn length_missing(head: &str) -> bool {
    !head.split('\n').skip(1).any(|l| {
        l.split_once(':')
            .is_some_and(|(n, _)| n.eq_ignore_ascii_case("content-length"))
    })
}

/// `127.0.0.1:PORT` or `localhost:PORT` (`[::1]` is not listened on).
fn is_this_server(host: &str, port: u16) -> bool {
    let Some((name, p)) = host.rsplit_once(':') else {
        return false;
    };
    p == port.to_string() && (name == "127.0.0.1" || name.eq_ignore_ascii_case("localhost"))
}

/// The status line and headers of an answer; every answer closes the
/// connection, is never sniffed for another type, and carries the page's
/// policy (an SVG or a font its own `Cache-Control` or policy).
fn head(response: &Response) -> String {
    let status = response.status;
    let reason = match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        _ => "Service Unavailable",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n\
         Cross-Origin-Resource-Policy: same-origin\r\nConnection: close\r\n",
        response.content_type,
        response.body.len()
    );
    let has = |name: &str| {
        response
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    if !has("Cache-Control") {
        head.push_str("Cache-Control: no-store\r\n");
    }
    if !has("Content-Security-Policy") {
        head.push_str(&format!("Content-Security-Policy: {POLICY}\r\n"));
    }
    for (name, value) in &response.headers {
        // Values are ours; a line break would start another header.
        let value = value.replace(['\r', '\n'], " ");
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head
}

/// Writes an answer within [`WRITE_DEADLINE`] in all: a client that reads
/// slowly is cut off.
fn respond(mut stream: &TcpStream, head_only: bool, response: &Response) -> io::Result<()> {
    let deadline = Instant::now() + WRITE_DEADLINE;
    let mut write = |bytes: &[u8]| {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::from(io::ErrorKind::TimedOut));
        }
        stream.set_write_timeout(Some(left))?;
        stream.write_all(bytes)
    };
    write(head(response).as_bytes())?;
    if !head_only {
        for part in response.body.chunks(64 * 1024) {
            write(part)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(head: &str) -> Result<(Request, usize), Refused> {
        parse(head.as_bytes(), 8)
    }

    fn status(head: &str) -> u16 {
        match request(head) {
            Ok(_) => 200,
            Err(Refused(s, _, _)) => s,
        }
    }

    #[test]
    fn only_this_server_by_its_own_names_and_writes_from_its_page() {
        let (ok, length) =
            request("GET /t/pages/004/1.svg?v=3 HTTP/1.1\r\nHost: 127.0.0.1:8\r\n\r\n").unwrap();
        assert_eq!(
            (ok.method, ok.path.as_str(), length),
            (Method::Get, "/t/pages/004/1.svg", 0)
        );
        assert_eq!(status("HEAD / HTTP/1.1\r\nHost: LOCALHOST:8\r\n\r\n"), 200);
        let put = "PUT /t/api/issues/004 HTTP/1.1\r\nHost: 127.0.0.1:8\r\n\
                   Origin: http://127.0.0.1:8\r\nContent-Length: 12\r\nX-File-Name: a%20b\r\n\r\n";
        let (put, length) = request(put).unwrap();
        assert_eq!(
            (put.method, length, put.header("X-File-Name")),
            (Method::Put, 12, Some("a%20b"))
        );
        for (head, want) in [
            ("DELETE / HTTP/1.1\r\nHost: localhost:8\r\n\r\n", 405),
            ("GET / HTTP/1.1\r\nHost: evil.example:8\r\n\r\n", 421),
            ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 421),
            ("GET / HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n", 421),
            ("GET / HTTP/1.1\r\nHost: [::1]:8\r\n\r\n", 421),
            (
                "GET / HTTP/1.1\r\nHost: 127.0.0.1.evil.example:8\r\n\r\n",
                421,
            ),
            ("GET / HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/1.0\r\n\r\n", 400),
            (
                "GET / HTTP/1.1\r\nHost: localhost:8\r\nHost: evil\r\n\r\n",
                400,
            ),
            (
                "GET http://evil/ HTTP/1.1\r\nHost: localhost:8\r\n\r\n",
                400,
            ),
            ("GET //evil/ HTTP/1.1\r\nHost: localhost:8\r\n\r\n", 400),
            (
                "GET / HTTP/1.1\r\nHost: localhost:8\r\nTransfer-Encoding: chunked\r\n\r\n",
                411,
            ),
            (
                "GET / HTTP/1.1\r\nHost: localhost:8\r\nContent-Length: -1\r\n\r\n",
                400,
            ),
            (
                "GET / HTTP/1.1\r\nHost: localhost:8\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                400,
            ),
            (
                "GET / HTTP/1.1\r\nHost: localhost:8\r\n folded\r\n\r\n",
                400,
            ),
            ("GET /  HTTP/1.1\r\nHost: localhost:8\r\n\r\n", 400),
            ("GET / HTTP/2\r\nHost: localhost:8\r\n\r\n", 400),
            (
                "GET /e HTTP/1.1\r\nHost: 127.0.0.1:8\r\nOrigin: http://evil.example\r\n\r\n",
                403,
            ),
            (
                "GET /e HTTP/1.1\r\nHost: 127.0.0.1:8\r\nOrigin: http://127.0.0.1:9\r\n\r\n",
                403,
            ),
            (
                "GET / HTTP/1.1\r\nHost: 127.0.0.1:8\r\nOrigin: null\r\n\r\n",
                403,
            ),
            (
                "GET /p HTTP/1.1\r\nHost: localhost:8\r\nSec-Fetch-Site: cross-site\r\n\r\n",
                403,
            ),
            // Writes: the page's Origin, and a length.
            (
                "POST /t/api/issues HTTP/1.1\r\nHost: 127.0.0.1:8\r\nContent-Length: 2\r\n\r\n",
                403,
            ),
            (
                "POST /t/api/issues HTTP/1.1\r\nHost: 127.0.0.1:8\r\nOrigin: http://evil.example\r\nContent-Length: 2\r\n\r\n",
                403,
            ),
            (
                "POST /t/api/issues HTTP/1.1\r\nHost: 127.0.0.1:8\r\nOrigin: http://evil.example\r\nOrigin: http://localhost:8\r\nContent-Length: 2\r\n\r\n",
                403,
            ),
            (
                "POST /t/api/issues HTTP/1.1\r\nHost: 127.0.0.1:8\r\nOrigin: http://localhost:8\r\nOrigin: http://localhost:8\r\nContent-Length: 2\r\n\r\n",
                403,
            ),
            (
                "POST /t/api/issues HTTP/1.1\r\nHost: 127.0.0.1:8\r\nOrigin: http://localhost:8\r\n\r\n",
                411,
            ),
            (
                "POST /t/api/issues HTTP/1.1\r\nHost: 127.0.0.1:8\r\nOrigin: http://localhost:8\r\nContent-Length: 2\r\n\r\n",
                200,
            ),
        ] {
            assert_eq!(status(head), want, "{head:?}");
        }
        let long = format!(
            "GET /{} HTTP/1.1\r\nHost: localhost:8\r\n\r\n",
            "a".repeat(URL_LIMIT)
        );
        assert_eq!(status(&long), 414);
        assert!(matches!(
            parse(b"GET /\xff HTTP/1.1\r\n\r\n", 8),
            Err(Refused(400, ..))
        ));
    }

    #[test]
    fn the_end_of_a_head_is_found_across_reads() {
        assert_eq!(end_of_head(b"GET / HTTP/1.1\r\n\r\nrest"), Some(18));
        assert_eq!(end_of_head(b"GET / HTTP/1.0\n\n"), Some(16));
        assert_eq!(end_of_head(b"GET / HTTP/1.1\r\nHost: a\r\n"), None);
    }

    #[test]
    fn every_answer_carries_the_policy_and_a_header_value_is_one_line() {
        let r = Response::new(200, JSON, b"{}".to_vec()).with("Content-Disposition", "a\r\nX: y");
        let h = head(&r);
        assert!(h.contains("Content-Security-Policy: default-src 'self';"));
        assert!(h.contains("Cache-Control: no-store\r\n"));
        assert!(h.contains("Referrer-Policy: no-referrer\r\n"));
        assert!(h.contains("Content-Disposition: a  X: y\r\n"));
    }
}
