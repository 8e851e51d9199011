//! `jianbao watch` and `jianbao serve` driven from the test: a real
//! process, real saves, a real HTTP client on loopback. Every wait is
//! bounded (a generous timeout, never a timing assertion), and the process
//! is ended by its handle when the test ends.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use crate::common::*;

/// How long any one step may take (a cold debug build, a loaded machine).
const STEP: Duration = Duration::from_secs(120);

/// A running jianbao, ended when dropped; its lines come through a channel.
struct Running {
    child: Child,
    lines: Receiver<String>,
}

impl Running {
    fn start(dir: &Path, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_jianbao"))
            .current_dir(dir)
            .args(args)
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
        Self { child, lines }
    }

    /// The next line that contains `text`; everything seen on the way is
    /// in the panic message if it never comes.
    fn until(&self, text: &str) -> String {
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

fn edit(path: &Path, from: &str, to: &str) {
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

/// The next server-sent event's data from an event stream.
fn next_event(events: &mut impl BufRead) -> serde_json::Value {
    let mut line = String::new();
    loop {
        line.clear();
        let n = events.read_line(&mut line).expect("the event stream");
        assert!(n > 0, "the event stream ended");
        if let Some(data) = line.trim_end().strip_prefix("data: ") {
            return serde_json::from_str(data).unwrap();
        }
    }
}

#[test]
fn serve_answers_on_loopback_and_signals_a_reload_after_a_save() {
    let dir = copy_publication(&repo());
    let serve = Running::start(dir.path(), &["serve", "4"]);
    // The address alone on stdout (stderr says it too, in a sentence).
    let url = loop {
        let line = serve.until("http://");
        if line.trim().starts_with("http://") {
            break line;
        }
    };
    let url = url.trim();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(STEP))
        .build()
        .into();
    // The event stream: one read may wait for a whole rebuild, no longer.
    let streaming: ureq::Agent = ureq::Agent::config_builder()
        .timeout_per_read(Some(STEP))
        .timeout_connect(Some(STEP))
        .build()
        .into();
    let stream = streaming.get(format!("{url}events")).call().unwrap();
    assert_eq!(
        stream.headers().get("content-type").unwrap(),
        "text/event-stream"
    );
    let mut events = BufReader::new(stream.into_body().into_reader());
    // The current state comes at once; then one event per rebuild.
    let mut state = next_event(&mut events);
    while state["pages"] == 0 {
        state = next_event(&mut events);
    }
    let pages = state["pages"].as_u64().unwrap();
    assert!(pages >= 4, "{state}");
    assert_eq!(state["issue"], "004");

    let mut page = agent.get(url).call().unwrap();
    let html = page.body_mut().read_to_string().unwrap();
    assert!(html.contains("EventSource(\"/events\")"), "{html}");
    let mut svg = agent.get(format!("{url}page/1.svg")).call().unwrap();
    assert_eq!(svg.headers().get("content-type").unwrap(), "image/svg+xml");
    let svg = svg.body_mut().read_to_string().unwrap();
    assert!(
        svg.starts_with("<svg") && svg.len() > 10_000,
        "{}",
        &svg[..100.min(svg.len())]
    );
    let missing = agent.get(format!("{url}page/{}.svg", pages + 1)).call();
    assert!(
        matches!(missing, Err(ureq::Error::StatusCode(404))),
        "{missing:?}"
    );

    // A save: the page is told to reload, with the new pages.
    let issue = dir.path().join("issues/004.md");
    serve.until("正在监视");
    edit(&issue, "郑州市教育局在", "郑州市教育局于");
    let after = next_event(&mut events);
    assert!(
        after["version"].as_u64() > state["version"].as_u64(),
        "{after}"
    );
    assert!(after["problem"].is_null(), "{after}");
    let mut svg2 = agent.get(format!("{url}page/1.svg")).call().unwrap();
    assert_ne!(
        svg2.body_mut().read_to_string().unwrap(),
        svg,
        "page 1 changed"
    );

    // A broken save: the problem is sent, the pages stay.
    edit(&issue, "date = 2022-01-19", "date = 2022-02-30");
    let broken = next_event(&mut events);
    let problem = broken["problem"].as_str().unwrap_or_default();
    assert!(
        problem.contains("bad-date") && !problem.contains('\u{1b}'),
        "{broken}"
    );
    assert_eq!(broken["pages"], after["pages"]);
    let mut still = agent.get(format!("{url}state")).call().unwrap();
    let still: serde_json::Value =
        serde_json::from_str(&still.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(still["version"], broken["version"]);
}
