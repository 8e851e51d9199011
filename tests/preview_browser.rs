//! `jianbao serve` in a real browser. Headless Chromium opens what the
//! server gives for a publication whose year folder is named to break out
//! of a string in a script (it did: the old preview once ran it) and
//! whose issue holds `<script>`, `</textarea>` and `"><img onerror>` in
//! its title, its text and its front matter: the page itself (static: the
//! issue comes to it as JSON), the page opened at the issue, the issue's
//! JSON and its page's SVG opened by themselves. None may run anything of
//! the issue. (The page's own tests, which type and paste in it, are the
//! Playwright tests of `web/`.)
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
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default())
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

/// What a hostile string does when it runs: marks the document.
const PWNED: &str = "document.documentElement.dataset.pwned";

fn hostile_names_stay_text(chromium: &Path) -> Result<(), Failed> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir()?;
    std::fs::copy(repo.join("jianbao.toml"), dir.path().join("jianbao.toml"))?;
    let year = dir.path().join("issues").join(HOSTILE_YEAR);
    std::fs::create_dir_all(&year)?;
    let issue = year.join("001.md");
    let text = std::fs::read_to_string(repo.join("issues/004.md"))?
        .replacen("number = 4", "number = 1", 1)
        .replacen(
            "fa   = [",
            &format!("fa   = [\"\\\"><img src=x onerror={PWNED}=3>\", "),
            1,
        )
        .replacen(
            "# 亮出重槌敲响鼓",
            &format!("# </textarea><script>{PWNED}=4</script>亮出重槌敲响鼓"),
            1,
        )
        .replacen(
            "郑州市教育局在",
            &format!("\"><img src=x onerror={PWNED}=5>郑州市教育局在"),
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
    let rest = url.trim_start_matches("http://");
    let (addr, token) = rest.split_once('/').ok_or("no token in the address")?;
    let token = token.split('/').next().unwrap_or_default();
    let key = format!("{HOSTILE_YEAR}/001");
    let encoded: String = key
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    // The issue's JSON holds the strings as they are: they reach the page.
    let json = get(addr, &format!("/{token}/api/issues/{encoded}"))?;
    let state: serde_json::Value =
        serde_json::from_str(&json).map_err(|e| format!("the issue is not JSON ({e}): {json}"))?;
    if state["text"] != text.as_str() || state["key"] != key.as_str() {
        return Err(format!("the issue's JSON is not the file: {json}").into());
    }
    if state["pages"].as_array().is_none_or(Vec::is_empty) {
        return Err(format!("no pages: {json}").into());
    }
    for opened in [
        format!("http://{addr}/{token}/"),
        format!("http://{addr}/{token}/#/issue/{encoded}"),
        format!("http://{addr}/{token}/api/issues/{encoded}"),
        format!("http://{addr}/{token}/api/publication"),
        format!("http://{addr}/{token}/pages/{encoded}/1.svg"),
    ] {
        let dom = dump_dom(chromium, &opened)?;
        if dom.contains("data-pwned") {
            return Err(format!("{opened} ran the issue's text:\n{dom}").into());
        }
        // An element made of the issue's text would be an <img src="x">.
        if dom.contains("<img src=\"x\"") || dom.contains("<script>document") {
            return Err(format!("{opened} made elements of the issue's text:\n{dom}").into());
        }
    }
    Ok(())
}
