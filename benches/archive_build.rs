//! The archive benchmark of the issue "The office's daily work and the
//! archive", in one run of the release binary:
//!
//! - a: a cold `jianbao build 4` (a new process, no out/), this
//!   repository's issue 4;
//! - b: `jianbao build` of a generated archive of 200 issues from an empty
//!   out/, and its peak RSS;
//! - c: `jianbao build` of the same archive again, nothing changed.
//!
//! Targets on the 2-core reference machine: b ≤ 110 × a (at most 0.55 of
//! 200 separate runs), c < 0.5 s, peak RSS of b < 1 GiB.
//!
//! ```sh
//! cargo build --release && cargo bench --bench archive_build
//! ```
//!
//! The archive's issues are issue 4's front matter, title and opening
//! paragraph followed by 1 to 4 of its seven sections, or with only the
//! opening's first clauses, so they run from 1 to 4 pages (issue 4
//! itself, all seven sections, is 6); the page counts are printed.

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::*;

const ISSUES: u32 = 200;
const COLD_RUNS: usize = 10;
const ARCHIVE_RUNS: usize = 3;
const NOTHING_CHANGED_RUNS: usize = 5;

/// Issue 4 cut into its front matter, its opening (lead-in, title, first
/// paragraph) and its numbered sections (a heading and what follows it).
struct Parts {
    front: String,
    opening: String,
    sections: Vec<String>,
}

fn issue_4() -> Parts {
    let text =
        std::fs::read_to_string(manifest_dir().join("issues/004.md")).expect("issues/004.md");
    let close = text[3..].find("+++").expect("front matter") + 3;
    let (front, body) = text.split_at(close + 4);
    let mut opening = String::new();
    let mut sections: Vec<String> = Vec::new();
    for line in body.lines().filter(|l| !l.trim().is_empty()) {
        let heading = "一二三四五六七八九"
            .chars()
            .any(|c| line.starts_with(&format!("{c}、")));
        if heading {
            sections.push(String::new());
        }
        match sections.last_mut() {
            Some(s) => s.push_str(line),
            None => opening.push_str(line),
        }
        match sections.last_mut() {
            Some(s) => s.push('\n'),
            None => opening.push('\n'),
        }
    }
    Parts {
        front: front.to_string(),
        opening,
        sections,
    }
}

/// jianbao.toml of this repository and issues 001 … `ISSUES`, dated one
/// every two days from 2019-01-01, with 0 to 4 sections each (a fixed
/// pseudo-random sequence, so every run builds the same archive).
fn generate(root: &Path) {
    std::fs::copy(
        manifest_dir().join("jianbao.toml"),
        root.join("jianbao.toml"),
    )
    .expect("copy jianbao.toml");
    let issues = root.join("issues");
    std::fs::create_dir_all(&issues).expect("issues/");
    let parts = issue_4();
    let first = chrono::NaiveDate::from_ymd_opt(2019, 1, 1).unwrap();
    let mut seed: u64 = 4;
    for n in 1..=ISSUES {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let sections = ((seed >> 33) % 5) as usize;
        let date = first + chrono::Days::new(u64::from(n - 1) * 2);
        let front = parts
            .front
            .replace("number = 4", &format!("number = {n}"))
            .replace("date = 2022-01-19", &format!("date = {date}"));
        let body: String = parts.sections[..sections.min(parts.sections.len())].concat();
        // Without a section, the opening paragraph cut after a few
        // clauses: a one-page issue.
        let opening = match parts.opening.match_indices('，').nth(3) {
            Some((cut, _)) if sections == 0 => format!("{}。\n", &parts.opening[..cut]),
            _ => parts.opening.clone(),
        };
        let text = format!("{front}{opening}{body}");
        std::fs::write(issues.join(format!("{n:03}.md")), text).expect("write issue");
    }
}

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
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("jianbao {} failed:\n{stderr}", args.join(" ")));
    }
    Ok((took, stderr.lines().last().unwrap_or_default().to_string()))
}

fn median(times: &mut [Duration]) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64()
}

fn main() -> ExitCode {
    match bench() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn bench() -> Result<bool, String> {
    let bin = release_binary();
    if !bin.is_file() {
        return Err(format!(
            "{} not found: run `cargo build --release` first",
            bin.display()
        ));
    }
    // a: this repository's issue 4 alone, cold.
    let single = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::copy(
        manifest_dir().join("jianbao.toml"),
        single.path().join("jianbao.toml"),
    )
    .map_err(|e| e.to_string())?;
    std::fs::create_dir(single.path().join("issues")).map_err(|e| e.to_string())?;
    std::fs::copy(
        manifest_dir().join("issues/004.md"),
        single.path().join("issues/004.md"),
    )
    .map_err(|e| e.to_string())?;
    let mut cold = Vec::new();
    for i in 0..=COLD_RUNS {
        let _ = std::fs::remove_dir_all(single.path().join("out"));
        let (t, _) = run(&bin, single.path(), &["build", "4"])?;
        // The first run only brings the binary into the page cache.
        if i > 0 {
            cold.push(t);
        }
    }
    let a = median(&mut cold);
    println!(
        "a  build 4, cold:              median {:.1} ms ({COLD_RUNS} runs)",
        a * 1e3
    );

    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let root = dir.path();
    generate(root);
    let mut full = Vec::new();
    let mut said = String::new();
    for _ in 0..ARCHIVE_RUNS {
        let _ = std::fs::remove_dir_all(root.join("out"));
        let (t, last) = run(&bin, root, &["build"])?;
        full.push(t);
        said = last;
    }
    let rss = children_peak_rss();
    let b = median(&mut full);
    println!(
        "b  build {ISSUES} from empty out/:  median {b:.2} s ({ARCHIVE_RUNS} runs; jianbao: {said})"
    );

    let mut again = Vec::new();
    for _ in 0..NOTHING_CHANGED_RUNS {
        let (t, last) = run(&bin, root, &["build"])?;
        again.push(t);
        said = last;
    }
    let c = median(&mut again);
    println!(
        "c  build {ISSUES}, nothing changed: median {:.0} ms ({NOTHING_CHANGED_RUNS} runs; jianbao: {said})",
        c * 1e3
    );

    let mut pages = [0usize; 8];
    for n in 1..=ISSUES {
        let pdf = std::fs::read(root.join(format!("out/{n:03}.pdf"))).map_err(|e| e.to_string())?;
        let doc = lopdf::Document::load_mem(&pdf).map_err(|e| e.to_string())?;
        pages[doc.get_pages().len().min(7)] += 1;
    }
    let total: usize = pages.iter().enumerate().map(|(p, n)| p * n).sum();
    let spread: Vec<String> = pages
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(p, n)| format!("{n}×{p}"))
        .collect();
    println!(
        "   pages per issue: {} (mean {:.2})",
        spread.join(", "),
        total as f64 / f64::from(ISSUES)
    );

    let ratio = b / a;
    let mut met = true;
    let mut verdict = |what: String, ok: bool| {
        met &= ok;
        println!("{} {what}", if ok { "met   " } else { "MISSED" });
    };
    verdict(format!("b = {ratio:.1} × a (target ≤ 110)"), ratio <= 110.0);
    verdict(format!("c = {:.0} ms (target < 500 ms)", c * 1e3), c < 0.5);
    match rss {
        Some(rss) => verdict(
            format!("peak RSS of b = {} MiB (target < 1024 MiB)", rss >> 20),
            rss < 1 << 30,
        ),
        None => println!("       peak RSS not measured on this system"),
    }
    Ok(met)
}
