//! The corpus of bad inputs: `tests/corpus/<case>/` is a small publication
//! (issues, images, optionally its own `jianbao.toml`; otherwise
//! `tests/corpus/default.toml` is used) and `expected.txt` is what
//! `jianbao check` prints for it:
//!
//! ```text
//! exit: N
//! --- stdout
//! …
//! --- stderr
//! …
//! ```
//!
//! An optional `args.txt` holds extra arguments for `check`, one per line.
//! A `known-bug.txt` says why the output is wrong today; such a case keeps
//! its snapshot (so a fix shows up as a diff) but is excused from the exit
//! status and silence its name promises.
//!
//! Every case is a test of its own (libtest-mimic), named after its folder,
//! and a snapshot that differs is shown as a line diff.
//! `JIANBAO_BLESS=1 cargo test --test corpus` rewrites every `expected.txt`
//! (of the cases the filter selects) from the current output; read the diff
//! before committing it.
//!
//! This binary runs the built `jianbao` and does not link the library.
//!
//! Independently of the snapshots, every case is checked for panics, for
//! diagnostic positions that exist in their file, and for the exit status
//! its name promises: `err-…` exits 1, `warn-…` exits 0 (1 with
//! `--deny-warnings`), `ok-…` exits 0 with no diagnostics, `usage-…` exits 2.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use libtest_mimic::{Arguments, Failed, Trial};

const CASE_FILES: [&str; 3] = ["expected.txt", "args.txt", "known-bug.txt"];

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for entry in fs::read_dir(src).unwrap().flatten() {
        let name = entry.file_name();
        if CASE_FILES.iter().any(|f| name == *f) {
            continue;
        }
        let to = dst.join(&name);
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            fs::copy(entry.path(), to).unwrap();
        }
    }
}

/// What one run of a case printed.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn snapshot(&self) -> String {
        let code = self
            .code
            .map_or_else(|| "signal".to_string(), |c| c.to_string());
        format!(
            "exit: {code}\n--- stdout\n{}--- stderr\n{}",
            self.stdout, self.stderr
        )
    }
}

fn case_args(case: &Path) -> Vec<String> {
    fs::read_to_string(case.join("args.txt"))
        .map(|s| {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

fn run_case(case: &Path, args: &[String]) -> (tempfile::TempDir, Run) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(case, dir.path());
    let config = dir.path().join("jianbao.toml");
    if !config.exists() {
        fs::copy(corpus_dir().join("default.toml"), &config).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_jianbao"))
        .current_dir(dir.path())
        .arg("check")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run jianbao");
    // Paths outside the working folder would show the temporary folder.
    let tmp = dir.path().canonicalize().unwrap();
    let clean = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .replace(&*tmp.to_string_lossy(), "<DIR>")
            .replace(&*dir.path().to_string_lossy(), "<DIR>")
    };
    let run = Run {
        code: out.status.code(),
        stdout: clean(&out.stdout),
        stderr: clean(&out.stderr),
    };
    (dir, run)
}

/// `path:line:col: ` at the start of a diagnostic line (or after `note: `),
/// for diagnostics in human form.
fn positions(stderr: &str) -> Vec<(String, usize, usize)> {
    let mut found = Vec::new();
    for line in stderr.lines() {
        let line = line.trim_start();
        let (rest, is_note) = match line.strip_prefix("note: ") {
            Some(r) => (r, true),
            None => (line, false),
        };
        let header = line.contains(": error[") || line.contains(": warning[");
        if !is_note && !header {
            continue;
        }
        let mut parts = rest.splitn(4, ':');
        let (Some(path), Some(l), Some(c)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let c = c.trim_end();
        if let (Ok(l), Ok(c)) = (l.parse(), c.parse()) {
            found.push((path.to_string(), l, c));
        }
    }
    found
}

/// JSON diagnostics: one object per line with file, line and column.
fn json_positions(stdout: &str) -> Vec<(String, usize, usize)> {
    stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON diagnostic");
            (
                v["file"].as_str().unwrap().to_string(),
                v["line"].as_u64().unwrap() as usize,
                v["column"].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

/// The snapshot-independent promises of a case; each broken one is a message.
fn invariants(name: &str, args: &[String], known_bug: bool, dir: &Path, run: &Run) -> Vec<String> {
    let mut problems = Vec::new();
    let code = run.code;
    if code == Some(101) || code.is_none() {
        problems.push(format!("crashed (exit {code:?})"));
    }
    if run.stderr.contains("panicked") || run.stdout.contains("panicked") {
        problems.push("output mentions a panic".into());
    }
    let mut places = positions(&run.stderr);
    places.extend(json_positions(&run.stdout));
    for (path, line, col) in &places {
        let Ok(bytes) = fs::read(dir.join(path)) else {
            problems.push(format!("{path}:{line}:{col}: no such file"));
            continue;
        };
        // Lines as an editor counts them, plus the empty place after a
        // final newline (where text would be typed at the end of the file).
        let text = String::from_utf8_lossy(&bytes);
        let lines: Vec<&str> = text.split('\n').collect();
        if *line == 0 || *line > lines.len() {
            problems.push(format!(
                "{path}:{line}:{col}: line {line} is not in the file ({} lines)",
                lines.len()
            ));
            continue;
        }
        let width = lines[line - 1]
            .trim_end_matches('\r')
            .trim_start_matches('\u{feff}')
            .chars()
            .count();
        if *col == 0 || *col > width + 1 {
            problems.push(format!(
                "{path}:{line}:{col}: column {col} is not in line {line} ({width} characters)"
            ));
        }
    }
    let deny = args.iter().any(|a| a == "--deny-warnings");
    let diagnostics = run
        .stderr
        .lines()
        .filter(|l| l.contains(": error[") || l.contains(": warning["))
        .count()
        + json_positions(&run.stdout).len();
    let expect = |want: i32, problems: &mut Vec<String>| {
        if code != Some(want) && !known_bug {
            problems.push(format!(
                "a case named {name} should exit {want}, it exited {code:?}"
            ));
        }
    };
    if name.starts_with("err-") {
        expect(1, &mut problems);
    } else if name.starts_with("warn-") {
        expect(if deny { 1 } else { 0 }, &mut problems);
        if diagnostics == 0 && !known_bug {
            problems.push("a warn- case should report a warning".into());
        }
    } else if name.starts_with("ok-") {
        expect(0, &mut problems);
        let silent =
            diagnostics == 0 && !run.stderr.contains("error") && !run.stderr.contains("warning");
        if !silent && !known_bug {
            problems.push("an ok- case should report nothing".into());
        }
    } else if name.starts_with("usage-") {
        expect(2, &mut problems);
    } else {
        problems.push("case names start with err-, warn-, ok- or usage-".into());
    }
    problems
}

/// A line diff of the expected and the actual output.
fn diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header("expected.txt", "actual output")
        .to_string()
}

/// Runs one case: its promises, then its snapshot (or records it).
fn run_one(case: &Path, bless: bool) -> Result<(), Failed> {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let args = case_args(case);
    let (dir, run) = run_case(case, &args);
    let actual = run.snapshot();
    let known_bug = case.join("known-bug.txt").exists();
    let mut failures = invariants(&name, &args, known_bug, dir.path(), &run);
    let expected_path = case.join("expected.txt");
    if bless {
        fs::write(&expected_path, &actual).unwrap();
    } else {
        match fs::read_to_string(&expected_path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!(
                "output differs from expected.txt:\n{}",
                diff(&expected, &actual)
            )),
            Err(_) => {
                failures.push("no expected.txt (run with JIANBAO_BLESS=1 to write it)".to_string())
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n").into())
    }
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(corpus_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// Each case is a test of its own, named after its folder:
/// `cargo test --test corpus err-bad-date` runs the bad-date cases.
fn main() {
    let arguments = Arguments::from_args();
    let bless = std::env::var_os("JIANBAO_BLESS").is_some_and(|v| v == "1");
    let cases = cases();
    let count = cases.len();
    let mut trials = vec![
        Trial::test("corpus_has_at_least_45_cases", move || {
            if count >= 45 {
                Ok(())
            } else {
                Err(format!("the corpus has only {count} cases").into())
            }
        }),
        Trial::test(
            "positions_are_read_from_diagnostic_and_note_lines",
            positions_are_read_from_diagnostic_and_note_lines,
        ),
    ];
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let kind = if case.join("known-bug.txt").exists() {
            "known-bug"
        } else {
            ""
        };
        trials.push(Trial::test(name, move || run_one(&case, bless)).with_kind(kind));
    }
    libtest_mimic::run(&arguments, trials).exit();
}

fn positions_are_read_from_diagnostic_and_note_lines() -> Result<(), Failed> {
    let stderr = "issues/001.md:17:5: warning[half-width-punctuation]: 中文里用了半角标点“,”\n   |\n17 | 会议指出,要\n   |         ^\n  note: issues/002.md:2:10\n  help: 改成全角“，”\n\n检查了 1 期：0 个错误，1 个警告\n";
    assert_eq!(
        positions(stderr),
        vec![
            ("issues/001.md".to_string(), 17, 5),
            ("issues/002.md".to_string(), 2, 10)
        ]
    );
    Ok(())
}
