//! `jianbao watch` and `jianbao serve` driven from the test: a real
//! process, real saves, a real HTTP client on loopback. Every wait is
//! bounded (a generous timeout, never a timing assertion), and the process
//! is ended by its handle when the test ends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use crate::common::*;

/// How long any one step may take (a cold debug build, a loaded machine).
pub(crate) const STEP: Duration = Duration::from_secs(120);

/// A running jianbao, ended when dropped; its lines come through a channel.
pub(crate) struct Running {
    child: Child,
    lines: Receiver<String>,
}

impl Running {
    pub(crate) fn start(dir: &Path, args: &[&str]) -> Self {
        Self::start_with(dir, args, |_| {})
    }

    pub(crate) fn start_with(dir: &Path, args: &[&str], setup: impl FnOnce(&mut Command)) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_jianbao"));
        command
            .current_dir(dir)
            .args(args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        setup(&mut command);
        let mut child = command.spawn().expect("run jianbao");
        let (tx, lines) = channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Self { child, lines }
    }

    /// The next line that contains `text`; everything seen on the way is
    /// in the panic message if it never comes.
    pub(crate) fn until(&self, text: &str) -> String {
        let mut seen = Vec::new();
        loop {
            match self.lines.recv_timeout(STEP) {
                Ok(line) if line.contains(text) => return line,
                Ok(line) => seen.push(line),
                Err(_) => panic!(
                    "no line with `{text}` in {STEP:?}; saw:\n{}",
                    seen.join("\n")
                ),
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "`{from}` not in {}", path.display());
    // As an editor saves: a new file renamed over the old one.
    let tmp = path.with_extension("md.new");
    std::fs::write(&tmp, text.replacen(from, to, 1)).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[test]
fn watch_rebuilds_after_a_save_and_survives_a_broken_one() {
    let dir = copy_publication(&repo());
    let issue = dir.path().join("issues/004.md");
    let pdf = dir.path().join("out/004.pdf");
    let watch = Running::start(dir.path(), &["watch", "4"]);
    watch.until("→ out/004.pdf");
    // Saves count once the folders are watched (it says so).
    watch.until("正在监视");
    let text = || pdf_text(&std::fs::read(&pdf).unwrap()).concat();
    assert!(text().contains("郑州市教育局在“能力作风建设年”活动中"));

    edit(&issue, "郑州市教育局在", "郑州市教育局于");
    watch.until("→ out/004.pdf");
    assert!(
        text().contains("郑州市教育局于“能力作风建设年”活动中"),
        "the edit is in the PDF"
    );
    let good = std::fs::read(&pdf).unwrap();

    // A broken save: its problem is printed, the last good PDF stays.
    edit(&issue, "date = 2022-01-19", "date = 2022-02-30");
    watch.until("error[bad-date]");
    watch.until("原有的文件保持不变");
    assert_eq!(std::fs::read(&pdf).unwrap(), good);

    // Fixed again, and jianbao.toml counts too.
    edit(&issue, "date = 2022-02-30", "date = 2022-01-20");
    watch.until("→ out/004.pdf");
    assert!(text().contains("2022年1月20日"));
    edit(
        &dir.path().join("jianbao.toml"),
        "title = \"简报\"",
        "title = \"快报\"",
    );
    watch.until("→ out/004.pdf");
    assert!(text().contains("快"), "the masthead from jianbao.toml");
}

/// A PDF `watch` cannot write is said as `build` says it, with the fix.
#[test]
fn watch_says_a_write_it_cannot_do_as_build_does() {
    let dir = copy_publication(&repo());
    std::fs::write(dir.path().join("out"), "").unwrap();
    let watch = Running::start(dir.path(), &["watch", "4"]);
    watch.until("error: 无法写入 out/004.pdf：输出文件夹 out 建不了：out 是一个文件，不是文件夹");
    watch.until("help: 把它改名或移走");
}

#[test]
fn watch_says_a_warning_once_and_then_only_what_is_new() {
    let dir = copy_publication(&repo());
    let issue = dir.path().join("issues/004.md");
    // A half-width comma between Chinese characters: a warning.
    edit(&issue, "结合实际情况，", "结合实际情况,");
    let watch = Running::start(dir.path(), &["watch", "4"]);
    watch.until("warning[half-width-punctuation]");
    watch.until("→ out/004.pdf");
    watch.until("正在监视");
    // A save that changes nothing the warning is about: it is not said
    // again, only counted.
    edit(&issue, "郑州市教育局在", "郑州市教育局于");
    let line = watch.until("→ out/004.pdf");
    assert!(!line.contains("warning"), "{line}");
    // (The count line comes before the build's line.)
    drop(watch);
    let watch = Running::start(dir.path(), &["watch", "4"]);
    watch.until("warning[half-width-punctuation]");
    watch.until("正在监视");
    edit(&issue, "郑州市教育局于", "郑州市教育局在");
    let said = watch.until("条警告和上次一样");
    assert!(said.contains("另有 1 条警告和上次一样"), "{said}");
    // A new warning is said in full.
    edit(&issue, "紧扣教育发展需要，", "紧扣教育发展需要,");
    watch.until("warning[half-width-punctuation]");
}

// ---------------------------------------------------------------------------
// What `serve` and `watch` must hold whoever connects and whatever is saved
// ---------------------------------------------------------------------------

impl Running {
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What `serve` printed on stdout, alone on its line: the page's
    /// address, `http://127.0.0.1:PORT/TOKEN/`.
    pub(crate) fn served(&self) -> Served {
        loop {
            let line = self.until("http://");
            if let Some(rest) = line.trim().strip_prefix("http://") {
                let rest = rest.split('#').next().unwrap_or_default();
                let (addr, token) = rest.split_once('/').expect("a token after the port");
                return Served {
                    addr: addr.to_string(),
                    token: token.trim_end_matches('/').to_string(),
                };
            }
        }
    }

    pub(crate) fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Every line up to and with the next one that contains `text`.
    pub(crate) fn lines_until(&self, text: &str) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            match self.lines.recv_timeout(STEP) {
                Ok(line) => {
                    let done = line.contains(text);
                    seen.push(line);
                    if done {
                        return seen;
                    }
                }
                Err(_) => panic!(
                    "no line with `{text}` in {STEP:?}; saw:\n{}",
                    seen.join("\n")
                ),
            }
        }
    }

    /// Waits (bounded) for the process to end: its exit code and all it
    /// printed.
    pub(crate) fn finish(&mut self) -> (Option<i32>, String) {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(start.elapsed() < STEP, "still running after {STEP:?}");
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut out = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(10)) {
            out.push(line);
        }
        (status.code(), out.join("\n"))
    }
}

/// Where a `serve` answers: `127.0.0.1:PORT` and the run's token.
pub(crate) struct Served {
    pub(crate) addr: String,
    pub(crate) token: String,
}

impl Served {
    /// `http://127.0.0.1:PORT/TOKEN/` and `path`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}/{}/{path}", self.addr, self.token)
    }

    /// A GET of `/TOKEN/path`, written by hand.
    pub(crate) fn get(&self, path: &str) -> String {
        get(&self.addr, &format!("/{}/{path}", self.token))
    }
}

/// A number from `/proc/PID/status` (`Threads:`, `VmRSS:` in kB).
pub(crate) fn proc_status(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

pub(crate) fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count()
}

/// The folders a process has inotify watches on, as `/proc` tells.
fn inotify_watches(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fdinfo"))
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .map(|info| {
            info.lines()
                .filter(|l| l.starts_with("inotify wd:"))
                .count()
        })
        .sum()
}

/// One request, written as given; the answer up to the server closing the
/// connection (every request here says `Connection: close`).
pub(crate) fn exchange(addr: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(STEP)).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// The status of an answer (`HTTP/1.1 403 Forbidden` → 403).
pub(crate) fn status_of(answer: &str) -> u16 {
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"))
}

pub(crate) fn get(addr: &str, path: &str) -> String {
    exchange(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    )
}

/// The body of an answer.
pub(crate) fn body_of(answer: &str) -> &str {
    answer.split_once("\r\n\r\n").map_or("", |(_, body)| body)
}

/// Runs the child under a limit of `tasks` processes and threads. The
/// limit counts per user: as root (which may ignore it) the child runs as
/// `uid`, a user nothing else runs as, and the publication is opened to
/// it; otherwise the limit is this user's tasks now plus `tasks`.
#[cfg(unix)]
fn process_limit(command: &mut Command, dir: &Path, uid: u32, tasks: u64) {
    use std::os::unix::process::CommandExt;
    let root = unsafe { libc::geteuid() } == 0;
    let tasks = if root {
        open_to_all(dir);
        tasks
    } else {
        tasks + tasks_of(unsafe { libc::geteuid() })
    };
    unsafe {
        command.pre_exec(move || {
            if root && (libc::setgid(uid) != 0 || libc::setuid(uid) != 0) {
                return Err(std::io::Error::last_os_error());
            }
            let limit = libc::rlimit {
                rlim_cur: tasks,
                rlim_max: tasks,
            };
            if libc::setrlimit(libc::RLIMIT_NPROC, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// The threads of all processes of `uid`.
#[cfg(unix)]
fn tasks_of(uid: u32) -> u64 {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path().join("status")).ok())
        .filter(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|v| v.split_whitespace().next())
                == Some(&uid.to_string())
        })
        .filter_map(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Threads:"))
                .and_then(|v| v.trim().parse::<u64>().ok())
        })
        .sum()
}

#[cfg(unix)]
fn open_to_all(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o777)).unwrap();
    if path.is_dir() {
        for e in std::fs::read_dir(path).unwrap().flatten() {
            open_to_all(&e.path());
        }
    }
}

#[test]
#[cfg(unix)]
fn without_a_thread_watch_and_serve_say_so_instead_of_panicking() {
    let dir = copy_publication(&repo());
    for (command, uid) in [("watch", 61_601), ("serve", 61_602)] {
        let mut run = Running::start_with(dir.path(), &[command, "4"], |c| {
            process_limit(c, dir.path(), uid, 1)
        });
        let (code, out) = run.finish();
        assert_eq!(code, Some(2), "{command}: {out}");
        assert!(out.contains("不能再开线程"), "{command}: {out}");
        assert!(out.contains("help:"), "{command}: {out}");
        assert!(
            !out.contains("内部出错") && !out.contains("panicked"),
            "{command}: {out}"
        );
    }
}

#[test]
#[cfg(unix)]
fn a_burst_of_connections_under_a_process_limit_leaves_the_preview_serving() {
    let dir = copy_publication(&repo());
    // Room to start, none for a thread per connection.
    let mut serve = Running::start_with(dir.path(), &["serve", "4"], |c| {
        process_limit(c, dir.path(), 61_603, 10)
    });
    let served = serve.served();
    let addr = served.addr.clone();
    let burst: Vec<TcpStream> = (0..200)
        .filter_map(|_| TcpStream::connect(&addr).ok())
        .collect();
    let request = format!(
        "GET /{}/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n",
        served.token
    );
    for mut c in &burst {
        let _ = c.write_all(request.as_bytes());
    }
    let mut answered = 0;
    for mut c in burst {
        c.set_read_timeout(Some(STEP)).unwrap();
        let mut answer = Vec::new();
        let _ = c.read_to_end(&mut answer);
        answered += usize::from(answer.starts_with(b"HTTP/1.1 "));
    }
    assert!(
        serve.alive(),
        "the page's server ended: {:?}",
        serve.finish()
    );
    assert!(answered > 0);
    // It still answers, and still sees a save.
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        serve.alive(),
        "the page's server ended: {:?}",
        serve.finish()
    );
    let answer = served.get("");
    assert_eq!(status_of(&answer), 200, "{answer}");
    edit(
        &dir.path().join("issues/004.md"),
        "郑州市教育局在",
        "郑州市教育局于",
    );
    let start = Instant::now();
    loop {
        let state = served.get("api/issues/004");
        if body_of(&state).contains("郑州市教育局于") {
            break;
        }
        assert!(start.elapsed() < STEP, "{state}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn serve_reads_no_more_than_its_limits_and_cuts_off_slow_clients() {
    const MIB: usize = 1024 * 1024;
    let dir = copy_publication(&repo());
    let mut serve = Running::start(dir.path(), &["serve", "4"]);
    let served = serve.served();
    let addr = served.addr.clone();
    let pid = serve.pid();
    let before = proc_status(pid, "VmRSS:");

    // One header that never ends: read up to a limit, then cut off.
    let mut flood = TcpStream::connect(&addr).unwrap();
    flood.set_write_timeout(Some(STEP)).unwrap();
    flood
        .write_all(
            format!(
                "GET /{}/ HTTP/1.1\r\nHost: {addr}\r\nX-Filler: ",
                served.token
            )
            .as_bytes(),
        )
        .unwrap();
    let chunk = vec![b'a'; MIB];
    let mut sent = 0;
    while sent < 256 * MIB {
        match flood.write(&chunk) {
            Ok(n) => sent += n,
            Err(_) => break,
        }
    }
    assert!(
        sent < 64 * MIB,
        "the server took {} MB of one header",
        sent / MIB
    );
    let grown = proc_status(pid, "VmRSS:").saturating_sub(before) / 1024;
    assert!(grown < 32, "the preview grew by {grown} MB");

    // A client that sends nothing is cut off.
    let mut idle = TcpStream::connect(&addr).unwrap();
    idle.set_read_timeout(Some(STEP)).unwrap();
    let start = Instant::now();
    let mut byte = [0u8; 1];
    let got = idle.read(&mut byte);
    assert!(
        matches!(got, Ok(0))
            || got
                .as_ref()
                .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
        "{got:?} after {:?}",
        start.elapsed()
    );

    // Clients that send a byte now and then do not keep others waiting.
    let slow: Vec<TcpStream> = (0..10)
        .map(|_| {
            let mut s = TcpStream::connect(&addr).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\n").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    for mut s in &slow {
        let _ = s.write_all(b"X");
    }
    let start = Instant::now();
    assert_eq!(status_of(&served.get("")), 200);
    let waited = start.elapsed();
    assert!(waited < Duration::from_secs(5), "answered after {waited:?}");
    drop(slow);

    // Many connections held open: the threads and open files stay few.
    let held: Vec<TcpStream> = (0..300)
        .filter_map(|_| TcpStream::connect(&addr).ok())
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    let (threads, files) = (proc_status(pid, "Threads:"), open_files(pid));
    // At most 64 answer; the rest wait in a short queue or are told "busy".
    assert!(
        threads < 80,
        "{threads} threads for {} connections",
        held.len()
    );
    assert!(
        files < 200,
        "{files} open files for {} connections",
        held.len()
    );
    drop(held);
    // … and the preview answers again (at once, or "busy" for a moment:
    // said, or the connection closed).
    let start = Instant::now();
    loop {
        let answer = served.get("");
        if !answer.is_empty() && status_of(&answer) == 200 {
            break;
        }
        assert!(answer.is_empty() || status_of(&answer) == 503, "{answer}");
        assert!(start.elapsed() < STEP, "still busy after {STEP:?}");
        std::thread::sleep(Duration::from_millis(200));
    }

    // Only this machine's names with this port; writes only from the
    // page, with a length; HEAD without a body.
    let token = &served.token;
    let delete = format!("DELETE /{token}/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    assert_eq!(status_of(&exchange(&addr, &delete)), 405);
    let rebound =
        format!("GET /{token}/ HTTP/1.1\r\nHost: attacker.example:80\r\nConnection: close\r\n\r\n");
    assert_eq!(status_of(&exchange(&addr, &rebound)), 421);
    let head = exchange(
        &addr,
        &format!("HEAD /{token}/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(status_of(&head), 200, "{head}");
    assert_eq!(body_of(&head), "", "{head}");
    let long = format!(
        "GET /{} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n",
        "a".repeat(64 * 1024)
    );
    assert!(matches!(status_of(&exchange(&addr, &long)), 414 | 431));
    // A body over the route's limit is refused from its length, unread.
    let origin = format!("http://{addr}");
    for (path, length, status) in [
        ("api/issues/004", 17 * 1024 * 1024, 413),
        ("api/issues/004/pictures", 21 * 1024 * 1024, 413),
        ("api/paste", 33 * 1024 * 1024, 413),
        ("api/build-all", 1024 * 1024, 413),
    ] {
        let method = if path == "api/issues/004" {
            "PUT"
        } else {
            "POST"
        };
        let request = format!(
            "{method} /{token}/{path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: {origin}\r\n\
             Content-Length: {length}\r\nConnection: close\r\n\r\n"
        );
        let answer = exchange(&addr, &request);
        assert_eq!(status_of(&answer), status, "{path}: {answer}");
        assert!(body_of(&answer).contains("\"help\""), "{answer}");
    }
    let grown = proc_status(pid, "VmRSS:").saturating_sub(before) / 1024;
    assert!(grown < 64, "the server grew by {grown} MB");
    // A body that stops half way is dropped, and nothing is written.
    let issue = dir.path().join("issues/004.md");
    let was = std::fs::read(&issue).unwrap();
    let mut half = TcpStream::connect(&addr).unwrap();
    half.write_all(
        format!(
            "PUT /{token}/api/issues/004 HTTP/1.1\r\nHost: {addr}\r\nOrigin: {origin}\r\n\
             Content-Length: 1000\r\nConnection: close\r\n\r\n{{\"base\":"
        )
        .as_bytes(),
    )
    .unwrap();
    drop(half);
    assert_eq!(std::fs::read(&issue).unwrap(), was);
    assert!(serve.alive());
}

#[test]
fn watch_stays_inside_the_publication() {
    let dir = copy_publication(&repo());
    // A year folder that is a link out, to a tree of 300 folders.
    let outside = tempfile::tempdir().unwrap();
    for i in 0..300 {
        std::fs::create_dir_all(outside.path().join(format!("d{}/e{i}", i % 10))).unwrap();
    }
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path(), dir.path().join("issues/2023")).unwrap();
    let watch = Running::start(dir.path(), &["watch"]);
    watch.until("→ out/004.pdf");
    watch.until("正在监视");
    let watches = inotify_watches(watch.pid());
    assert!(watches <= 8, "{watches} folders watched");

    // A file saved out there is not followed; the next save inside is
    // the next thing built.
    std::fs::write(
        outside.path().join("005.md"),
        std::fs::read(dir.path().join("issues/004.md")).unwrap(),
    )
    .unwrap();
    edit(
        &dir.path().join("issues/004.md"),
        "郑州市教育局在",
        "郑州市教育局于",
    );
    let seen = watch.lines_until("→ out/004.pdf");
    assert!(
        !seen.iter().any(|l| l.contains("2023/005")),
        "{}",
        seen.join("\n")
    );
}

#[test]
fn watch_follows_an_issues_folder_made_again() {
    let dir = copy_publication(&repo());
    let issues = dir.path().join("issues");
    let text = std::fs::read(issues.join("004.md")).unwrap();
    let watch = Running::start(dir.path(), &["watch", "4"]);
    watch.until("→ out/004.pdf");
    watch.until("正在监视");
    std::fs::remove_dir_all(&issues).unwrap();
    watch.until("issues");
    // Made again, empty: said so (so the new folder was seen) …
    std::fs::create_dir(&issues).unwrap();
    watch.until("004.md 不在了");
    // … and what is saved in it is built.
    std::fs::write(issues.join("004.md"), &text).unwrap();
    watch.until("→ out/004.pdf");
    edit(&issues.join("004.md"), "郑州市教育局在", "郑州市教育局于");
    watch.until("→ out/004.pdf");
    let pdf = std::fs::read(dir.path().join("out/004.pdf")).unwrap();
    assert!(pdf_text(&pdf).concat().contains("郑州市教育局于"));
}

#[test]
#[cfg(unix)]
fn watch_says_which_folder_it_cannot_watch() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let dir = copy_publication(&repo());
    let year = dir.path().join("issues/2024");
    std::fs::create_dir(&year).unwrap();
    // As root (whom no permission stops) the run is another user's.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        open_to_all(dir.path());
    }
    std::fs::set_permissions(&year, std::fs::Permissions::from_mode(0o000)).unwrap();
    let watch = Running::start_with(dir.path(), &["watch", "4"], |c| {
        if root {
            c.uid(61_604).gid(61_604);
        }
    });
    let seen = watch.lines_until("正在监视");
    let said = seen.join("\n");
    assert!(
        said.contains("warning: 无法监视 issues/2024") && said.contains("help:"),
        "{said}"
    );
    // Said once, not at every rebuild.
    edit(
        &dir.path().join("issues/004.md"),
        "郑州市教育局在",
        "郑州市教育局于",
    );
    let again = watch.lines_until("→ out/004.pdf");
    assert!(!again.iter().any(|l| l.contains("无法监视")), "{again:?}");
    std::fs::set_permissions(&year, std::fs::Permissions::from_mode(0o755)).unwrap();
}
