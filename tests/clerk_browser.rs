//! The clerk's page (issue 20) as a clerk uses it: Playwright for Python
//! drives Debian's Chromium through the page the real `jianbao serve`
//! serves, one case per script in `tests/browser/` (`case_*.py`), each on
//! its own copy of a fixture publication (`tests/fixtures/browser/clerk`, or
//! `clerk-hostile` for the `hostile` case). The script gets the address the
//! server printed and the publication folder, and fails (non-zero, with
//! what it saw) when the page does not do what a clerk needs.
//!
//! A binary of its own (libtest-mimic) so that each case can decide at run
//! time: without python3's `playwright` package (`pip install playwright`;
//! no browser download, Debian's Chromium is launched) or without Chromium
//! (`apt-get install chromium`, or `JIANBAO_CHROMIUM`) every case is
//! reported ignored with that reason, never passed.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Completion, Failed, Trial};

/// How long a case may take (a cold debug build on a loaded machine).
const CASE: Duration = Duration::from_secs(240);

fn main() {
    let arguments = Arguments::from_args();
    let dir = repo().join("tests/browser");
    let mut cases: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/browser")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("case_") && n.ends_with(".py"))
        .collect();
    cases.sort();
    let trials = cases
        .into_iter()
        .map(|file| {
            let name = file
                .trim_start_matches("case_")
                .trim_end_matches(".py")
                .to_string();
            Trial::ignorable_test(format!("clerk_page_{name}"), move || match missing() {
                Some(why) => Ok(Completion::ignored_with(why)),
                None => run_case(&file).map(|()| Completion::Completed),
            })
        })
        .collect();
    libtest_mimic::run(&arguments, trials).exit();
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Why the cases cannot run here, if they cannot.
fn missing() -> Option<String> {
    let python = Command::new("python3")
        .args(["-c", "import playwright.sync_api"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !matches!(python, Ok(s) if s.success()) {
        return Some("needs python3 with playwright: pip install playwright".into());
    }
    if chromium().is_none() {
        return Some("needs chromium: apt-get install -y chromium, or JIANBAO_CHROMIUM".into());
    }
    None
}

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("JIANBAO_CHROMIUM") {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|p| p.is_file())
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// A running `jianbao serve`, ended when dropped.
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
            .expect("run jianbao serve");
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

    /// The page's address, the one line `serve` prints on stdout.
    fn address(&self) -> Result<String, Failed> {
        let mut seen = Vec::new();
        let deadline = Instant::now() + CASE;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.trim_start().starts_with("http://127.0.0.1:") => {
                    return Ok(line.trim().to_string());
                }
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        Err(format!(
            "jianbao serve printed no address; saw:\n{}",
            seen.join("\n")
        )
        .into())
    }

    fn output(&self) -> String {
        self.lines.try_iter().collect::<Vec<_>>().join("\n")
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run_case(file: &str) -> Result<(), Failed> {
    let fixture = if file.contains("hostile") {
        "clerk-hostile"
    } else {
        "clerk"
    };
    let temp = tempfile::tempdir()?;
    let publication = temp.path().join("publication");
    // One level down: the tests that take every publication of
    // tests/fixtures/ (completeness, roundtrip) leave these to the page.
    copy_dir(
        &repo().join("tests/fixtures/browser").join(fixture),
        &publication,
    )?;
    let serve = Serve::start(&publication);
    let address = serve.address()?;
    let mut child = Command::new("python3")
        .arg(repo().join("tests/browser").join(file))
        .arg(&address)
        .arg(&publication)
        .env(
            "JIANBAO_CHROMIUM",
            chromium().ok_or("no chromium")?.as_os_str(),
        )
        .env("JIANBAO_REPO", repo())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let (mut a, mut b) = (String::new(), String::new());
        let _ = out.read_to_string(&mut a);
        let _ = err.read_to_string(&mut b);
        a + &b
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > CASE {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{file} did not end in {CASE:?}").into());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let said = reader.join().unwrap_or_default();
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "{file} failed:\n{said}\n--- jianbao serve said:\n{}",
            serve.output()
        )
        .into())
    }
}
