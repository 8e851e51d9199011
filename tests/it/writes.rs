//! Nothing lost where jianbao writes: the one sandboxed atomic writer
//! (PDFs, PNG pages, the manifest, `check --fix`, `init`, `new`,
//! `layout --eject`, `export`), the manifest that says which PDF is
//! current, and `check --fix` (it classifies as `check` and the layout do,
//! reaches its fixed point in one run, writes only over what it read).
//! Each case runs the real binary on a publication made for it, under a
//! watchdog: a run that hangs fails the test.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

use crate::common::*;

/// Longer than any of these runs takes on a loaded machine.
const STUCK: Duration = Duration::from_secs(300);

/// Runs `jianbao args` in `dir`; a run that hangs is killed and fails.
fn run(dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jianbao"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run jianbao");
    let output = finish(&mut child, args);
    assert!(
        output.status.code().is_some_and(|c| c != 101),
        "jianbao {args:?} panicked or was killed:\n{}",
        stderr(&output)
    );
    output
}

fn finish(child: &mut Child, args: &[&str]) -> Output {
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let read = |p: Option<&mut dyn Read>| {
        let mut v = Vec::new();
        if let Some(p) = p {
            let _ = p.read_to_end(&mut v);
        }
        v
    };
    std::thread::scope(|s| {
        let o = s.spawn(|| read(out.as_mut().map(|p| p as &mut dyn Read)));
        let e = s.spawn(|| read(err.as_mut().map(|p| p as &mut dyn Read)));
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > STUCK {
                let _ = child.kill();
                let _ = child.wait();
                panic!("jianbao {args:?} is stuck (killed after {STUCK:?})");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        Output {
            status,
            stdout: o.join().unwrap(),
            stderr: e.join().unwrap(),
        }
    })
}

const CONFIG: &str = "[masthead]\ntitle = \"工作简报\"\neditor = \"办公室\"\n\n[imprint]\npublisher = \"测试办公室\"\n";

/// A publication with `issues/001.md`, whose body is `body`.
fn publication(body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("jianbao.toml"), CONFIG).unwrap();
    write_issue(dir.path(), "001", 1, body);
    dir
}

fn write_issue(dir: &Path, id: &str, number: u32, body: &str) {
    let path = dir.join(format!("issues/{id}.md"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, issue(number, body)).unwrap();
}

fn issue(number: u32, body: &str) -> String {
    format!(
        "+++\nnumber = {number}\ndate = 2024-03-05\n\n[distribution]\nfa = [\"各处室\"]\n+++\n# 工作动态\n各单位要按时报送材料。\n{body}\n"
    )
}

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// The issues a build wrote, by id, from its `→ out/….pdf` lines.
fn written(err: &str) -> Vec<String> {
    let mut ids: Vec<String> = err
        .lines()
        .filter_map(|l| l.split("→ out/").nth(1))
        .map(|rest| rest.trim_end_matches(".pdf").to_string())
        .collect();
    ids.sort();
    ids
}

/// `build` with these arguments, which must succeed; its stderr.
fn build(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, &[&["build"], args].concat());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    err
}

/// Every file under `dir` (links as links), by path, with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    let mut all = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let t = e.file_type().unwrap();
            if t.is_dir() {
                stack.push(e.path());
            }
            let bytes = t.is_file().then(|| std::fs::read(e.path()).unwrap());
            all.push((e.path(), bytes));
        }
    }
    all.sort();
    all
}

// ---------------------------------------------------------------------------
// check --fix: one classification, one run to the fixed point
// ---------------------------------------------------------------------------

/// What the grammar made of a body: each block's kind, with a heading's
/// level and a title's parts — what `check` and the layout must agree on.
fn kinds(text: &str) -> Vec<String> {
    shape(text)
        .iter()
        .map(|s| s.split(" |").next().unwrap_or_default().to_string())
        .collect()
}

/// The blocks of a body as printed: their kinds, a heading's run-in text
/// and the emphasis of each run.
fn shape(text: &str) -> Vec<String> {
    use jianbao::issue::Issue;
    let source = jianbao::source::SourceFile::new("t.md".into(), text.to_string());
    let Some(issue) = Issue::parse("001".into(), source, &mut Vec::new()) else {
        return vec!["unparsed".into()];
    };
    shape_of(&issue.body)
}

fn shape_of(body: &[jianbao::issue::Block]) -> Vec<String> {
    use jianbao::issue::{Block, Text};
    let runs = |t: &Text| -> String {
        t.runs
            .iter()
            .map(|r| if r.emphasis { 'B' } else { 'r' })
            .collect()
    };
    body.iter()
        .map(|b| match b {
            Block::Label(_) => "label".to_string(),
            Block::Title {
                lead,
                lines,
                subtitle,
                byline,
            } => format!(
                "title lead={} lines={} subtitle={} byline={} |{}",
                lead.is_some(),
                lines.len(),
                subtitle.is_some(),
                byline.len(),
                lines.iter().map(runs).collect::<Vec<_>>().join(",")
            ),
            Block::Note(p) => format!(
                "note {} |{}",
                p.len(),
                p.iter().map(runs).collect::<Vec<_>>().join(",")
            ),
            Block::Heading {
                level, head, rest, ..
            } => {
                format!(
                    "heading {level:?} |{} {:?}",
                    runs(head),
                    rest.as_ref().map(runs)
                )
            }
            Block::Paragraph(t) => format!("paragraph |{}", runs(t)),
            Block::Picture { .. } => "picture".to_string(),
            Block::AttachmentNote(n) => format!(
                "attachment note |{}",
                n.items
                    .iter()
                    .map(|i| runs(&i.name))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Block::Attachment(a) => format!(
                "attachment {:?} |{}",
                a.number.as_ref().map(|n| n.value),
                a.title.iter().map(runs).collect::<Vec<_>>().join(",")
            ),
            Block::Table(t) => format!(
                "table caption={} header={} notes={} style={:?} |{}",
                t.caption.is_some(),
                t.header_rows,
                t.notes.len(),
                t.style.as_ref().map(|s| s.value),
                t.rows
                    .iter()
                    .map(|r| {
                        r.cells
                            .iter()
                            .map(|c| match c {
                                jianbao::issue::Cell::Text(t) => runs(t),
                                jianbao::issue::Cell::JoinLeft(_) => "<".to_string(),
                                jianbao::issue::Cell::JoinUp(_) => "^".to_string(),
                            })
                            .collect::<Vec<_>>()
                            .join("/")
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        })
        .collect()
}

/// What `check --fix` writes for an issue file's text.
fn fixed(text: &str) -> String {
    use jianbao::issue::Issue;
    let source = jianbao::source::SourceFile::new("t.md".into(), text.to_string());
    let Some(issue) = Issue::parse("001".into(), source, &mut Vec::new()) else {
        return text.to_string();
    };
    let fixes = jianbao::clean::file_fixes(text, &issue.body);
    jianbao::clean::apply(text, &fixes)
}

/// What the layout is given for an issue file's text.
fn laid_out(text: &str) -> Vec<String> {
    use jianbao::issue::Issue;
    let source = jianbao::source::SourceFile::new("t.md".into(), text.to_string());
    let Some(issue) = Issue::parse("001".into(), source, &mut Vec::new()) else {
        return vec!["unparsed".into()];
    };
    shape_of(&jianbao::clean::cleaned(&issue).body)
}

const FRONT: &str =
    "+++\nnumber = 1\ndate = 2024-03-05\n\n[distribution]\nfa = [\"各处室\"]\n+++\n";

/// Pieces a pasted body line is made of: the grammar's line marks, Chinese
/// and Latin text, full-width runs, the marks the cleaner converts, and
/// the invisible characters it removes.
const PIECES: &[&str] = &[
    "# ",
    "^ ",
    "> ",
    ">",
    "——",
    "【",
    "】",
    "![图](a.png)",
    // Tables (issue 18): separators, joins, caption, note, options.
    "\t",
    "|",
    "｜",
    "|---|",
    "<",
    "^",
    "表1 ",
    "注：",
    "{三线表}",
    "&lt;",
    "\\",
    "一、",
    "（一）",
    "(一)",
    "1.",
    "１．",
    "中",
    "文",
    "工作",
    "a",
    "B",
    "1",
    "2",
    "Ａ",
    "ｂ",
    "２",
    "０",
    "．",
    "，",
    "＠",
    "－",
    ",",
    ".",
    ":",
    "：",
    ";",
    "?",
    "!",
    "(",
    ")",
    "\"",
    "'",
    " ",
    "\u{3000}",
    "**",
    "*",
    "。",
    "“",
    "”",
    "http://",
    "\u{200B}",
    "\u{200D}",
    "\u{FEFF}",
    "\u{AD}",
    "\u{2060}",
    // Rules that feed one another (attack 2, N7): a unit's space hides a
    // range, a full-width figure a unit; a heading number with a blank
    // before its Latin dot.
    "3-5 ℃",
    "３-５ ℃",
    "１０ ％",
    "3-5&nbsp;%",
    "\"3-5 ℃\"",
    " ℃",
    "℃",
    "％",
    "-",
    "一 .",
    "二 ．",
];

fn body_line() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..10).prop_map(|p| p.concat())
}

fn issue_text() -> impl Strategy<Value = String> {
    prop::collection::vec(body_line(), 1..6)
        .prop_map(|lines| format!("{FRONT}{}\n正文。\n", lines.join("\n")))
}

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(4096))]

    /// `check --fix` reaches its fixed point in one run, and neither it nor
    /// the cleaning before layout changes what a line is.
    #[test]
    fn fix_is_idempotent_and_keeps_every_line_what_it_is(text in issue_text()) {
        let once = fixed(&text);
        let twice = fixed(&once);
        prop_assert_eq!(&twice, &once, "a second --fix changed {:?}", text);
        prop_assert_eq!(kinds(&once), kinds(&text), "--fix changed what a line is: {:?} → {:?}", text, once);
        prop_assert_eq!(laid_out(&text), shape(&once), "the layout reads {:?} otherwise than the file --fix writes", text);
    }
}

#[test]
fn invisible_characters_never_make_a_line_something_else() {
    // Each of these lines is a paragraph as typed: the zero-width space (or
    // soft hyphen, or word joiner) stands before the mark or after the 】.
    let lines = [
        "\u{200B}# 这一行不是标题",
        "\u{AD}> 这一行不是编者按",
        "\u{2060}【不是栏目】",
        "【也不是栏目】\u{200B}",
        "\u{200B}一、这一行不是一级标题",
    ];
    let dir = publication(&lines.join("\n"));
    let d = dir.path();
    let pdf_text_now = || pdf_text(&std::fs::read(d.join("out/001.pdf")).unwrap()).concat();
    let before = std::fs::read_to_string(d.join("issues/001.md")).unwrap();
    build(d, &[]);
    let text = pdf_text_now();
    // A paragraph keeps its marks; a title, a note or a label would not.
    for shown in [
        "#这一行不是标题",
        ">这一行不是编者按",
        "一、这一行不是一级标题",
    ] {
        assert!(
            text.contains(shown),
            "`{shown}` printed as a paragraph:\n{text}"
        );
    }
    // check says why each is a paragraph, and what to do.
    let out = run(d, &["check"]);
    let said = stderr(&out);
    assert_eq!(
        said.matches("warning[invisible-character-kept]").count(),
        5,
        "{said}"
    );
    assert!(said.contains("让这一行算作正文，不是标题"), "{said}");
    // --fix writes nothing that would read otherwise.
    let out = run(d, &["check", "--fix"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let after = std::fs::read_to_string(d.join("issues/001.md")).unwrap();
    for line in lines {
        assert!(after.contains(line), "`{line:?}` kept as typed:\n{after:?}");
    }
    assert_eq!(after, before);
    build(d, &["--force"]);
    assert_eq!(pdf_text_now(), text);
}

#[test]
fn fix_reaches_its_fixed_point_in_one_run() {
    // Invisible characters inside full-width runs: the marks between the
    // digits and letters are judged as they read once the characters go.
    let body = "产值增长１２．\u{200B}５％，ＰＭ２\u{200B}．５下降，网址ｗｗｗ\u{200B}．ｇｏｖ．ｃｎ，共２\u{200D}，３００人。";
    let dir = publication(body);
    let d = dir.path();
    let first = run(d, &["check", "--fix"]);
    assert!(stderr(&first).contains("已修改"), "{}", stderr(&first));
    let once = std::fs::read_to_string(d.join("issues/001.md")).unwrap();
    assert!(
        once.contains("产值增长12.5%，PM2.5下降，网址www.gov.cn，共2,300人。"),
        "{once}"
    );
    let second = run(d, &["check", "--fix"]);
    assert!(!stderr(&second).contains("已修改"), "{}", stderr(&second));
    assert_eq!(
        std::fs::read_to_string(d.join("issues/001.md")).unwrap(),
        once
    );
}

#[test]
fn fix_never_makes_a_file_jianbao_refuses_to_read() {
    // A valid issue just under the 16 MB limit that half-width commas make
    // larger when they become full-width (one byte each → three).
    let unit = "各单位,要按时报送材料,不得拖延。\n";
    let limit = 16 * 1024 * 1024;
    let head = issue(1, "");
    let body = unit.repeat((limit - head.len() - 64) / unit.len());
    let dir = publication(&body);
    let d = dir.path();
    let path = d.join("issues/001.md");
    let before = std::fs::read(&path).unwrap();
    assert!(before.len() < limit && before.len() > limit - 1024);
    let out = run(d, &["check", "--fix", "1"]);
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        &err[..err.len().min(2000)]
    );
    assert!(
        err.contains("超过期刊文件的上限"),
        "{}",
        &err[..err.len().min(2000)]
    );
    assert!(
        std::fs::read(&path).unwrap() == before,
        "the file is as it was"
    );
    // What jianbao reads, it still reads.
    let out = run(d, &["check", "1"]);
    assert!(!stderr(&out).contains("太大了"));
}

/// Appends `line` to the file at `path` as soon as a process has read it
/// to the end and closed it (inotify), and returns once it has.
#[cfg(target_os = "linux")]
fn edit_once_read(path: &Path, line: &str) -> std::thread::JoinHandle<()> {
    use std::os::unix::ffi::OsStrExt;
    let fd = unsafe { libc::inotify_init1(libc::IN_CLOEXEC) };
    assert!(fd >= 0);
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    assert!(unsafe { libc::inotify_add_watch(fd, c.as_ptr(), libc::IN_CLOSE_NOWRITE) } >= 0);
    let (path, line) = (path.to_path_buf(), line.to_string());
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        assert!(n > 0);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        std::io::Write::write_all(&mut f, line.as_bytes()).unwrap();
        unsafe { libc::close(fd) };
    })
}

#[test]
#[cfg(target_os = "linux")]
fn fix_never_overwrites_an_edit_saved_while_it_runs() {
    // Enough lines that checking them takes a while after the read.
    let body = "各单位,要按时报送材料。\n".repeat(20_000);
    let dir = publication(&body);
    let d = dir.path();
    let path = d.join("issues/001.md");
    let editor = edit_once_read(&path, "刚保存的一段。\n");
    let out = run(d, &["check", "--fix"]);
    editor.join().unwrap();
    let err = stderr(&out);
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(
        after.ends_with("刚保存的一段。\n"),
        "the saved edit is there"
    );
    assert!(after.contains("各单位,要"), "nothing fixed over it");
    assert!(
        err.contains("被改动过") && err.contains("没有改写"),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(2), "{err}");
}

#[test]
#[cfg(unix)]
#[cfg_attr(
    not(runs_as_root),
    ignore = "only root can give a file to another user (the tests run here as another user)"
)]
fn fix_run_by_root_keeps_the_clerks_file_the_clerks() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = publication("各单位,要按时报送材料。");
    let d = dir.path();
    let path = d.join("issues/001.md");
    std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = run(d, &["check", "--fix"]);
    assert!(stderr(&out).contains("已修改"), "{}", stderr(&out));
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534), "owner kept");
    assert_eq!(meta.mode() & 0o7777, 0o640, "permissions kept");
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("各单位，要")
    );
}

// ---------------------------------------------------------------------------
// The manifest: written by the one writer, true under concurrent runs
// ---------------------------------------------------------------------------

#[test]
#[cfg(unix)]
fn links_planted_at_temporary_names_are_never_written_through() {
    let dir = publication("");
    let d = dir.path();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.txt");
    std::fs::write(&victim, "not jianbao's").unwrap();
    std::fs::create_dir(d.join("out")).unwrap();
    // The pids the next runs will most likely get.
    let mut next = Command::new("true").spawn().unwrap();
    let pid = next.id();
    next.wait().unwrap();
    for p in pid..pid + 3000 {
        for name in [".jianbao-manifest.json", ".001.pdf"] {
            symlink(&victim, d.join(format!("out/{name}.{p}.tmp")));
        }
    }
    build(d, &[]);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "not jianbao's");
    let manifest = std::fs::read_to_string(d.join("out/.jianbao-manifest.json")).unwrap();
    assert!(manifest.contains("\"001\""), "{manifest}");
    assert!(build(d, &[]).contains("已是最新"));
}

/// A running `jianbao watch`, ended when dropped.
struct Watching {
    child: Child,
    lines: Receiver<String>,
}

impl Watching {
    fn start(dir: &Path, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_jianbao"))
            .current_dir(dir)
            .args(args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run jianbao");
        let (tx, lines) = channel();
        let stream = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, lines }
    }

    fn until(&self, text: &str) {
        let mut seen = Vec::new();
        loop {
            match self.lines.recv_timeout(Duration::from_secs(120)) {
                Ok(line) if line.contains(text) => return,
                Ok(line) => seen.push(line),
                Err(_) => panic!("no line with `{text}`; saw:\n{}", seen.join("\n")),
            }
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_pdf_is_current_only_when_it_is_the_one_recorded() {
    let dir = publication("");
    let d = dir.path();
    let issue_path = d.join("issues/001.md");
    let pdf = d.join("out/001.pdf");
    build(d, &[]);
    // A trial edit under `watch`: the PDF it writes is recorded, so
    // `build` knows it for what it is.
    let original = std::fs::read_to_string(&issue_path).unwrap();
    {
        let watch = Watching::start(d, &["watch", "1"]);
        watch.until("→ out/001.pdf");
        watch.until("正在监视");
        let tmp = issue_path.with_extension("md.new");
        std::fs::write(&tmp, original.replace("按时报送", "及时报送")).unwrap();
        std::fs::rename(&tmp, &issue_path).unwrap();
        watch.until("→ out/001.pdf");
    }
    let err = build(d, &[]);
    assert!(err.contains("已是最新"), "watch recorded its PDF:\n{err}");
    // The edit undone: that PDF is not the original's.
    std::fs::write(&issue_path, &original).unwrap();
    assert_eq!(written(&build(d, &[])), ["001"]);
    let good = std::fs::read(&pdf).unwrap();
    // Another PDF of the very same size is not current either.
    let mut other = good.clone();
    let at = other.windows(4).position(|w| w == b"%PDF").unwrap() + 5;
    other[at] = if other[at] == b'7' { b'6' } else { b'7' };
    std::fs::write(&pdf, &other).unwrap();
    assert_eq!(written(&build(d, &[])), ["001"], "a PDF of the same size");
    assert_eq!(std::fs::read(&pdf).unwrap(), good);
    // The same bytes as another file (a restored CI cache): current.
    let copy = d.join("out/copy.pdf");
    std::fs::copy(&pdf, &copy).unwrap();
    std::fs::rename(&copy, &pdf).unwrap();
    assert!(build(d, &[]).contains("已是最新"));
}

#[test]
fn overlapping_builds_keep_every_record() {
    let dir = publication("");
    let d = dir.path();
    for n in 2..=4 {
        write_issue(d, &format!("{n:03}"), n, "");
    }
    // Four builds at once, each of its own issue: each run's record stays.
    let children: Vec<Child> = (1..=4)
        .map(|n| {
            Command::new(env!("CARGO_BIN_EXE_jianbao"))
                .current_dir(d)
                .args(["build", &n.to_string(), "--jobs", "1"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        let out = finish(&mut child, &["build"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let err = build(d, &[]);
    assert!(err.contains("都是最新的：4 期，无需重排"), "{err}");
}

#[test]
fn ids_of_deleted_issues_are_said_only_for_pdfs_that_are_there() {
    let dir = publication("");
    let d = dir.path();
    write_issue(d, "002", 2, "");
    build(d, &[]);
    std::fs::remove_file(d.join("issues/002.md")).unwrap();
    // 200,000 ids recorded as the one of 001, with no file behind them.
    let path = d.join("out/.jianbao-manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let issues = manifest["issues"].as_object_mut().unwrap();
    let entry = issues["001"].clone();
    for n in 0..200_000 {
        issues.insert(format!("x{n:06}"), entry.clone());
    }
    std::fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    let err = build(d, &[]);
    assert!(err.lines().count() < 10, "{}", &err[..err.len().min(3000)]);
    assert!(
        err.contains("out/002.pdf: 期刊文件 002 已经不在了"),
        "{err}"
    );
    assert!(!err.contains("x000001"), "{err}");
}

// ---------------------------------------------------------------------------
// init, new, layout --eject, export: never through a link out, and said
// as it is
// ---------------------------------------------------------------------------

#[test]
#[cfg(unix)]
fn eject_and_new_never_write_through_a_folder_link_out() {
    let outside = tempfile::tempdir().unwrap();
    let dir = publication("");
    let d = dir.path();
    symlink(outside.path(), d.join("layouts"));
    let out = run(d, &["layout", "--eject"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("layouts") && err.contains("外面"), "{err}");
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);

    // This year's folder links out.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("jianbao.toml"), CONFIG).unwrap();
    write_issue(d, "2024/001", 1, "");
    let year = chrono::Local::now().format("%Y").to_string();
    symlink(outside.path(), d.join("issues").join(&year));
    let out = run(d, &["new"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("issues/{year}")) && err.contains("外面"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
}

#[test]
#[cfg(unix)]
fn init_takes_an_existing_gitignore_and_issues_folder_as_they_are() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join(".gitignore");
    std::fs::write(&victim, "target/\n").unwrap();
    type Plant<'a> = Box<dyn Fn(&Path) + 'a>;
    let cases: [(&str, Plant); 4] = [
        (
            "FIFO",
            Box::new(|d: &Path| {
                use std::os::unix::ffi::OsStrExt;
                let c =
                    std::ffi::CString::new(d.join(".gitignore").as_os_str().as_bytes()).unwrap();
                assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
            }),
        ),
        (
            "外面",
            Box::new(|d: &Path| symlink("/dev/zero", d.join(".gitignore"))),
        ),
        (
            "外面",
            Box::new(|d: &Path| symlink(&victim, d.join(".gitignore"))),
        ),
        (
            "外面",
            Box::new(|d: &Path| symlink(outside.path(), d.join("issues"))),
        ),
    ];
    for (said, plant) in cases {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        plant(d);
        let before = snapshot(d);
        let started = Instant::now();
        let out = run(d, &["init"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(said) || err.contains("管道"), "{said}: {err}");
        assert!(err.contains("没有改动任何文件"), "{err}");
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "nothing read at length"
        );
        assert_eq!(snapshot(d), before, "nothing written");
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "target/\n");
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 1);
    // A .gitignore of the publication's own gets the line added.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join(".gitignore"), "target/").unwrap();
    let out = run(d, &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(d.join(".gitignore")).unwrap(),
        "target/\n/out/\n"
    );
    assert!(d.join("issues/001.md").is_file() && d.join("jianbao.toml").is_file());
}

#[test]
#[cfg(unix)]
fn init_over_a_jianbao_toml_link_to_nothing_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    symlink("/nonexistent/jianbao.toml", d.join("jianbao.toml"));
    let out = run(d, &["init"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("jianbao.toml") && err.contains("不存在"),
        "{err}"
    );
    assert!(
        err.contains("没有改动任何文件") && err.contains("help:"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(d).unwrap().count(), 1, "nothing written");
}

#[test]
#[cfg(unix)]
fn messages_about_the_export_and_eject_folders_say_what_is_there() {
    let dir = publication("");
    let d = dir.path();
    let empty = tempfile::tempdir().unwrap();
    symlink(empty.path(), d.join("project"));
    let out = run(d, &["export", "1", "project"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("project 是一个链接") && err.contains("help:"),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
    std::fs::write(d.join("layouts"), "").unwrap();
    let out = run(d, &["layout", "--eject"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("layouts 是一个文件，不是文件夹") && err.contains("help:"),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
    // Into a new folder, the project is written whole.
    let out = run(d, &["export", "1", "fresh/project"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(d.join("fresh/project/main.typ").is_file());
    assert!(d.join("fresh/project/issue.json").is_file());
}

#[test]
#[cfg(unix)]
fn a_folder_deeper_than_the_system_takes_is_said_to_be_so() {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    // Made one level at a time, each from the one above (the whole path
    // is too long for any one call): 25 × 200 bytes.
    let name = std::ffi::CString::new("d".repeat(200)).unwrap();
    let open = |at: libc::c_int, name: &std::ffi::CStr| {
        let fd = unsafe { libc::openat(at, name.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY) };
        assert!(fd >= 0, "{}", std::io::Error::last_os_error());
        unsafe { OwnedFd::from_raw_fd(fd) }
    };
    let top = std::ffi::CString::new(dir.path().as_os_str().as_encoded_bytes()).unwrap();
    let mut deep = open(libc::AT_FDCWD, &top);
    for _ in 0..25 {
        assert_eq!(
            unsafe { libc::mkdirat(deep.as_raw_fd(), name.as_ptr(), 0o755) },
            0
        );
        deep = open(deep.as_raw_fd(), &name);
    }
    for (file, text) in [
        (c"jianbao.toml", CONFIG.to_string()),
        (c"001.md", issue(1, "")),
    ] {
        if file == c"001.md" {
            assert_eq!(
                unsafe { libc::mkdirat(deep.as_raw_fd(), c"issues".as_ptr(), 0o755) },
                0
            );
        }
        let at = if file == c"001.md" {
            open(deep.as_raw_fd(), c"issues")
        } else {
            open(deep.as_raw_fd(), c".")
        };
        let fd = unsafe {
            libc::openat(
                at.as_raw_fd(),
                file.as_ptr(),
                libc::O_WRONLY | libc::O_CREAT,
                0o644,
            )
        };
        assert!(fd >= 0);
        let mut f = std::fs::File::from(unsafe { OwnedFd::from_raw_fd(fd) });
        std::io::Write::write_all(&mut f, text.as_bytes()).unwrap();
    }
    let here = deep.as_raw_fd();
    for args in [&["check"][..], &["build"], &["init", "again"]] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_jianbao"));
        command.args(args).env("NO_COLOR", "1");
        // SAFETY: only fchdir between fork and exec.
        unsafe {
            command.pre_exec(move || {
                if libc::fchdir(here) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
        let out = command.output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("路径太长") && err.contains("help:"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("找不到 jianbao.toml"), "{err}");
    }
}

// ---------------------------------------------------------------------------
// Cases of our own, beyond the issue's
// ---------------------------------------------------------------------------

#[test]
#[cfg(unix)]
fn what_stands_at_the_manifest_or_a_pdf_is_never_followed_or_read_at_length() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.json");
    std::fs::write(&victim, "{\"format\": 2}").unwrap();
    let manifest = "out/.jianbao-manifest.json";
    type Plant<'a> = Box<dyn Fn(&Path) + 'a>;
    let cases: [Plant; 4] = [
        // A link out at the manifest, and at a PDF.
        Box::new(|d: &Path| symlink(&victim, d.join(manifest))),
        Box::new(|d: &Path| symlink(&victim, d.join("out/001.pdf"))),
        // A FIFO at the manifest: nothing blocks.
        Box::new(|d: &Path| {
            use std::os::unix::ffi::OsStrExt;
            let c = std::ffi::CString::new(d.join(manifest).as_os_str().as_bytes()).unwrap();
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        }),
        // A manifest of 300 MB (sparse): not read.
        Box::new(|d: &Path| {
            let f = std::fs::File::create(d.join(manifest)).unwrap();
            f.set_len(300 << 20).unwrap();
        }),
    ];
    for plant in cases {
        let dir = publication("");
        let d = dir.path();
        std::fs::create_dir(d.join("out")).unwrap();
        plant(d);
        let err = build(d, &[]);
        assert_eq!(written(&err), ["001"], "{err}");
        assert!(build(d, &[]).contains("已是最新"));
        assert!(
            std::fs::symlink_metadata(d.join(manifest))
                .unwrap()
                .is_file()
        );
        assert!(
            std::fs::symlink_metadata(d.join("out/001.pdf"))
                .unwrap()
                .is_file()
        );
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "{\"format\": 2}");
}

#[test]
#[cfg(unix)]
fn a_hard_link_never_leads_a_rewrite_out() {
    let outside = tempfile::tempdir().unwrap();
    // An issue file that is a hard link to a file outside: --fix replaces
    // the publication's name, never the outside file.
    let dir = publication("各单位,要按时报送材料。");
    let d = dir.path();
    let theirs = outside.path().join("001.md");
    std::fs::hard_link(d.join("issues/001.md"), &theirs).unwrap();
    let before = std::fs::read(&theirs).unwrap();
    let out = run(d, &["check", "--fix"]);
    assert!(stderr(&out).contains("已修改"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&theirs).unwrap(), before);
    assert!(
        std::fs::read_to_string(d.join("issues/001.md"))
            .unwrap()
            .contains("各单位，要")
    );
    // The same for a .gitignore that init adds its line to.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let theirs = outside.path().join(".gitignore");
    std::fs::write(&theirs, "target/\n").unwrap();
    std::fs::hard_link(&theirs, d.join(".gitignore")).unwrap();
    let out = run(d, &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&theirs).unwrap(), "target/\n");
    assert_eq!(
        std::fs::read_to_string(d.join(".gitignore")).unwrap(),
        "target/\n/out/\n"
    );
}

#[test]
fn a_pdf_whose_name_is_near_the_longest_a_file_may_have_is_written() {
    // 83 × 3 bytes: issues/增…增.md is 252 bytes, its PDF 253; the
    // temporary file it is written through must still fit.
    let dir = publication("");
    let d = dir.path();
    let id = "增".repeat(83);
    std::fs::rename(d.join("issues/001.md"), d.join(format!("issues/{id}.md"))).unwrap();
    let err = build(d, &[]);
    assert!(err.contains(&format!("out/{id}.pdf")), "{err}");
    assert!(d.join(format!("out/{id}.pdf")).is_file());
    assert!(build(d, &[]).contains("已是最新"));
}

#[test]
#[cfg(unix)]
fn new_never_writes_through_a_link_at_an_issue_name() {
    let outside = tempfile::tempdir().unwrap();
    let dir = publication("");
    let d = dir.path();
    // An issue name taken by a link to a file outside that is not there
    // yet: it counts as taken, and nothing is written through it.
    symlink(outside.path().join("002.md"), d.join("issues/002.md"));
    let out = run(d, &["new"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "issues/003.md");
    assert!(d.join("issues/003.md").is_file());
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
}

/// The page pictures of an issue are replaced as one set: when one page
/// cannot be replaced (a folder at its name; a file made immutable, as a
/// viewer holding it open on Windows), every page stays as it was, no
/// temporary file is left, and the message speaks of page pictures, not
/// of a PDF (finding N2: pages 01–04 were new, 06–19 old, and the message
/// said the PDF was unchanged).
#[test]
fn page_pictures_are_replaced_all_or_none() {
    let body = |version: &str| {
        (1..=60)
            .map(|i| format!("{version}第{i}段正文，内容用于撑出更多的页面。"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let dir = publication(&body("旧版"));
    build(dir.path(), &["--format", "png", "--ppi", "20"]);
    let out = dir.path().join("out");
    let old = snapshot(&out);
    let pages = old.len();
    assert!(pages >= 3, "{old:?}");
    write_issue(dir.path(), "001", 1, &body("新版"));
    let blocked = out.join(format!("001-{:0w$}.png", 2, w = pages.to_string().len()));
    let rebuild = || {
        let o = run(dir.path(), &["build", "--format", "png", "--ppi", "20"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("001-2.png") || err.contains("001-02.png"),
            "{err}"
        );
        assert!(
            err.contains("原有的页面图片") && err.contains("都保持不变"),
            "{err}"
        );
        assert!(
            !err.contains("PDF 保持不变") && !err.contains("PDF 阅读器"),
            "{err}"
        );
        err
    };
    // A folder where page 2 goes: nothing is replaced.
    std::fs::remove_file(&blocked).unwrap();
    std::fs::create_dir(&blocked).unwrap();
    rebuild();
    let now = snapshot(&out);
    for (path, bytes) in &old {
        if !path.starts_with(&blocked) {
            assert!(
                now.contains(&(path.clone(), bytes.clone())),
                "{path:?} changed"
            );
        }
    }
    assert!(
        now.iter()
            .all(|(p, _)| !p.to_string_lossy().ends_with(".tmp")),
        "{now:?}"
    );
    std::fs::remove_dir(&blocked).unwrap();
    // Page 2 immutable (where this user may make it so): pages already
    // renamed into place are put back.
    build(dir.path(), &["--format", "png", "--ppi", "20"]);
    let new = snapshot(&out);
    write_issue(dir.path(), "001", 1, &body("第三版"));
    let immutable = std::process::Command::new("chattr")
        .arg("+i")
        .arg(&blocked)
        .status()
        .is_ok_and(|s| s.success());
    if immutable {
        let err = rebuild();
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&blocked)
            .status();
        assert!(err.contains("锁定"), "{err}");
        assert_eq!(snapshot(&out), new);
    }
}
