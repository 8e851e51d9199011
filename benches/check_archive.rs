//! Times the release binary on a large archive: `jianbao check` over 1,000
//! realistic issues, and a single `jianbao build` in the same publication.
//!
//! ```sh
//! cargo build --release && cargo bench --bench check_archive
//! ```
//!
//! A plain `main` (no harness): it runs `target/release/jianbao` as a user
//! would, so the numbers include start-up, font loading and file reading.

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};

mod common;
use common::*;

const ISSUES: u32 = 1000;
const RUNS: usize = 5;
/// Days between two consecutive issues: 1,000 issues from 2019-01-01 end
/// in mid-2024, so none is dated in the future (that would warn).
const EVERY_DAYS: u64 = 2;

/// The repository's `issues/004.md` split at its `number = 4` and
/// `date = 2022-01-19` lines, so each generated issue gets its own.
struct Template {
    before_number: String,
    between: String,
    after_date: String,
}

fn template() -> Template {
    let text =
        std::fs::read_to_string(manifest_dir().join("issues/004.md")).expect("read issues/004.md");
    let number_line = "number = 4\n";
    let date_line = "date = 2022-01-19\n";
    let n = text
        .find(number_line)
        .expect("issues/004.md has number = 4");
    let d = text
        .find(date_line)
        .expect("issues/004.md has date = 2022-01-19");
    assert!(n < d, "number comes before date in issues/004.md");
    Template {
        before_number: text[..n].to_string(),
        between: text[n + number_line.len()..d].to_string(),
        after_date: text[d + date_line.len()..].to_string(),
    }
}

/// A publication like this repository's with issues 0001.md … `count`, one
/// every few days from 2019-01-01.
fn generate(root: &Path, count: u32) {
    std::fs::copy(
        manifest_dir().join("jianbao.toml"),
        root.join("jianbao.toml"),
    )
    .expect("copy jianbao.toml");
    let issues = root.join("issues");
    std::fs::create_dir_all(&issues).expect("create issues/");
    let t = template();
    let first = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap();
    for n in 1..=count {
        let date = first + Days::new(u64::from(n - 1) * EVERY_DAYS);
        let text = format!(
            "{}number = {n}\n{}date = {date}\n{}",
            t.before_number, t.between, t.after_date
        );
        std::fs::write(issues.join(format!("{n:04}.md")), text).expect("write issue");
    }
}

/// Runs the binary once; returns the wall time and the last line it wrote
/// to stderr (the summary), or the failure.
fn run(bin: &Path, root: &Path, args: &[&str]) -> Result<(Duration, String), String> {
    let start = Instant::now();
    let out = Command::new(bin)
        .arg("-C")
        .arg(root)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let elapsed = start.elapsed();
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
        return Err(format!(
            "jianbao {} exited with {}:\n{}",
            args.join(" "),
            out.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ));
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default().to_string();
    Ok((elapsed, last))
}

/// Min and median of `RUNS` runs; `before` runs ahead of each (untimed).
fn time(
    label: &str,
    bin: &Path,
    root: &Path,
    args: &[&str],
    before: &dyn Fn(),
) -> Result<(), String> {
    let mut times = Vec::with_capacity(RUNS);
    let mut cpu = Vec::with_capacity(RUNS);
    let mut said = String::new();
    for _ in 0..RUNS {
        before();
        let used = children_cpu();
        let (t, last) = run(bin, root, args)?;
        cpu.push(children_cpu().saturating_sub(used));
        times.push(t);
        said = last;
    }
    times.sort();
    cpu.sort();
    let secs = |d: Duration| d.as_secs_f64();
    // Wall time and CPU time (user + system, all threads) both: on two
    // cores a parallel check takes less wall time than CPU time.
    println!(
        "{label}: min {:.3} s, median {:.3} s, CPU median {:.3} s ({RUNS} runs; jianbao: {said})",
        secs(times[0]),
        secs(times[RUNS / 2]),
        secs(cpu[RUNS / 2])
    );
    Ok(())
}

fn main() -> ExitCode {
    // `cargo bench` passes `--bench` (and any filter); nothing to select here.
    let bin = release_binary();
    if !bin.is_file() {
        eprintln!(
            "error: {} not found: run `cargo build --release` first, then `cargo bench --bench check_archive`",
            bin.display()
        );
        return ExitCode::from(2);
    }
    // Fixed cost first: start-up, fonts, one issue.
    let single = tempfile::tempdir().expect("temporary folder");
    generate(single.path(), 1);
    let no_op = || {};
    if let Err(e) = time("check 1 issue", &bin, single.path(), &["check"], &no_op) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }

    let dir = tempfile::tempdir().expect("temporary folder");
    let root = dir.path();
    let start = Instant::now();
    generate(root, ISSUES);
    println!(
        "generated {ISSUES} issues in {} ({:.2} s)",
        root.display(),
        start.elapsed().as_secs_f64()
    );

    if let Err(e) = time(
        &format!("check {ISSUES} issues"),
        &bin,
        root,
        &["check"],
        &no_op,
    ) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }

    // A cold build: a fresh process, and no PDF from an earlier run.
    let pdf = root.join("out/0004.pdf");
    let remove_pdf = || {
        let _ = std::fs::remove_file(&pdf);
    };
    if let Err(e) = time(
        &format!("build 4 (one issue of {ISSUES})"),
        &bin,
        root,
        &["build", "4"],
        &remove_pdf,
    ) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    if !pdf.is_file() {
        eprintln!("error: build 4 did not write {}", pdf.display());
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
