//! The live preview in a real browser. Headless Chromium opens the page
//! `jianbao serve` serves for a publication whose year folder is named to
//! break out of a string in the page's script (it did: the page once ran
//! it), after a save whose problem quotes `{ISSUE}`; the page must show the
//! name and the problem as text and run nothing of them.
//!
//! A binary of its own (libtest-mimic, not linking the library) so that
//! it can decide at run time: without Chromium on PATH (`apt-get install
//! -y chromium`, or `JIANBAO_CHROMIUM=/path/to/chrome`) the test is
//! reported as ignored with that reason ("needs chromium"), never as
//! passed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Completion, Failed, Trial};

/// How long any one step may take (a cold debug build, a loaded machine).
const STEP: Duration = Duration::from_secs(120);

/// A year folder whose name closes a JSON string and runs script if it is
/// pasted into the page's script unescaped, or makes an element if it is
/// pasted into its HTML.
const HOSTILE_YEAR: &str = "x\",\"a\":document.documentElement.dataset.pwned=1,\"b\":\"\
                            <img src=x onerror=document.documentElement.dataset.pwned=2>";

fn main() {
    let arguments = Arguments::from_args();
    let trial =
        Trial::ignorable_test(
            "serve_page_runs_nothing_of_the_issue_in_chromium",
            || match chromium() {
                Some(chromium) => {
                    hostile_names_stay_text(&chromium).map(|()| Completion::Completed)
                }
                None => Ok(Completion::ignored_with(
                    "needs chromium: apt-get install -y chromium, or JIANBAO_CHROMIUM",
                )),
            },
        );
    libtest_mimic::run(&arguments, vec![trial]).exit();
}

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("JIANBAO_CHROMIUM") {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| {
            ["chromium", "chromium-browser", "google-chrome"].map(|name| dir.join(name))
        })
        .find(|p| p.is_file())
}

/// A running `jianbao serve`, ended when dropped; its lines come through a
/// channel.
struct Serve {
    child: Child,
    lines: Receiver<String>,
}

impl Serve {
    fn start(dir: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_jianbao"))
            .current_dir(dir)
            .arg("serve")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run jianbao");
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
        Serve { child, lines }
    }

    fn until(&self, text: &str) -> Result<String, Failed> {
        let mut seen = Vec::new();
        loop {
            match self.lines.recv_timeout(STEP) {
                Ok(line) if line.contains(text) => return Ok(line),
                Ok(line) => seen.push(line),
                Err(_) => {
                    return Err(format!(
                        "no line with `{text}` in {STEP:?}; saw:\n{}",
                        seen.join("\n")
                    )
                    .into());
                }
            }
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET path`, the body of the answer.
fn get(addr: &str, path: &str) -> Result<String, Failed> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(STEP))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default())
}

/// Polls `/state` until `ready` holds.
fn state_when(
    addr: &str,
    ready: impl Fn(&serde_json::Value) -> bool,
) -> Result<serde_json::Value, Failed> {
    let start = Instant::now();
    loop {
        if let Ok(state) = serde_json::from_str::<serde_json::Value>(&get(addr, "/state")?)
            && ready(&state)
        {
            return Ok(state);
        }
        if start.elapsed() > STEP {
            return Err(format!("no such state in {STEP:?}").into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The page's document after its scripts ran, as Chromium dumps it.
fn dump_dom(chromium: &Path, url: &str) -> Result<String, Failed> {
    let profile = tempfile::tempdir()?;
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            // Stops loading after 20 s and dumps what there is.
            "--timeout=20000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut dom = String::new();
        let _ = out.read_to_string(&mut dom);
        dom
    });
    let start = Instant::now();
    while child.try_wait()?.is_none() {
        if start.elapsed() > STEP {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("chromium did not end in {STEP:?}").into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let dom = reader.join().unwrap();
    if dom.is_empty() {
        return Err("chromium dumped nothing".into());
    }
    Ok(dom)
}

/// What an element's text holds, markup escaped as a DOM dump has it.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn hostile_names_stay_text(chromium: &Path) -> Result<(), Failed> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir()?;
    std::fs::copy(repo.join("jianbao.toml"), dir.path().join("jianbao.toml"))?;
    let year = dir.path().join("issues").join(HOSTILE_YEAR);
    std::fs::create_dir_all(&year)?;
    let issue = year.join("001.md");
    let text = std::fs::read_to_string(repo.join("issues/004.md"))?.replacen(
        "number = 4",
        "number = 1",
        1,
    );
    std::fs::write(&issue, &text)?;

    let serve = Serve::start(dir.path());
    let url = loop {
        let line = serve.until("http://")?;
        if line.trim().starts_with("http://") {
            break line.trim().to_string();
        }
    };
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    serve.until("正在监视")?;
    let good = state_when(&addr, |s| s["pages"].as_u64() > Some(0))?;
    let pages = good["pages"].as_u64().unwrap();

    // The good pages: one picture each, the name in the title as text.
    let dom = dump_dom(chromium, &url)?;
    if dom.contains("data-pwned") {
        return Err(format!("the page ran the folder's name:\n{dom}").into());
    }
    let shown = dom.matches("<img alt=\"第 ").count() as u64;
    if shown != pages || !dom.contains("src=\"/page/1.svg?v=") {
        return Err(format!("{shown} of {pages} pages shown:\n{dom}").into());
    }
    let title = format!("<title>jianbao 预览 {}/001</title>", escaped(HOSTILE_YEAR));
    if !dom.contains(&title) {
        return Err(format!("no {title} in:\n{dom}").into());
    }

    // A broken save whose problem quotes `{ISSUE}`: shown as text.
    std::fs::write(
        &issue,
        text.replacen("date = 2022-01-19", "date = \"{ISSUE}\"", 1),
    )?;
    state_when(&addr, |s| !s["problem"].is_null())?;
    let dom = dump_dom(chromium, &url)?;
    if dom.contains("data-pwned") {
        return Err(format!("the page ran the folder's name:\n{dom}").into());
    }
    let problem = dom
        .split_once("<pre id=\"problem\" style=\"display: block;\">")
        .and_then(|(_, rest)| rest.split_once("</pre>"))
        .map(|(text, _)| text)
        .ok_or_else(|| format!("no problem shown:\n{dom}"))?;
    for expected in [
        "date = \"{ISSUE}\"".to_string(),
        format!("issues/{}/001.md", escaped(HOSTILE_YEAR)),
    ] {
        if !problem.contains(&expected) {
            return Err(format!("`{expected}` not in the problem shown:\n{problem}").into());
        }
    }
    Ok(())
}
