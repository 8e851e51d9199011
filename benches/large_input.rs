//! Large inputs scale: `jianbao build` of one issue whose body is
//!
//! - one paragraph of 1,000,000 characters (real sentences with numbers,
//!   marks and a little Latin, repeated), and
//! - 20,000 short paragraphs,
//!
//! plus half of each, to show time and memory growing in proportion. Each
//! case runs in a process of its own (this bench re-runs itself per case)
//! so that the peak RSS it reports is that build's alone.
//!
//! ```sh
//! cargo build --release && cargo bench --bench large_input
//! ```
//!
//! Targets (issue 7): the 20,000 paragraphs in < 3 s and < 500 MB.

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

mod common;
use common::*;

const CASE_VAR: &str = "JIANBAO_LARGE_INPUT_CASE";

const SENTENCE: &str = "各学校要认真贯彻落实2024年全市教育工作会议精神，\
    对照“七项工程”逐项抓好落实，确保PM2.5浓度下降3.5%以上、\
    优良天数比例达到82.5%；";

/// The body of a case: `chars` characters in one paragraph, or
/// `paragraphs` short paragraphs.
fn body(case: &str) -> String {
    let (one, n) = match case {
        "paragraph-1m" => (true, 1_000_000),
        "paragraph-500k" => (true, 500_000),
        "paragraphs-20k" => (false, 20_000),
        "paragraphs-10k" => (false, 10_000),
        _ => panic!("unknown case {case}"),
    };
    if one {
        let mut text = String::new();
        while text.chars().count() < n {
            text.push_str(SENTENCE);
        }
        let text: String = text.chars().take(n - 1).collect();
        format!("{text}。\n")
    } else {
        (1..=n)
            .map(|i| format!("第{i}条：各单位按时报送材料，做到数据准确、内容完整。\n"))
            .collect()
    }
}

fn publication(case: &str) -> tempfile::TempDir {
    publication_with(
        "001.md",
        &format!(
            "+++\nnumber = 1\ndate = 2024-03-05\n\n[distribution]\nfa = [\"各学校\"]\n+++\n# 关于做好材料报送工作的通知\n{}",
            body(case)
        ),
    )
}

/// One case, in this process: build, then print `seconds bytes pages
/// cpu-seconds`.
fn run_case(case: &str) -> Result<(), String> {
    let dir = publication(case);
    let start = Instant::now();
    let out = Command::new(release_binary())
        .arg("-C")
        .arg(dir.path())
        .args(["build", "1"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run jianbao: {e}"))?;
    let took = start.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "build failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let pdf = std::fs::read(dir.path().join("out/001.pdf")).map_err(|e| e.to_string())?;
    let pages = count_pages(&pdf);
    println!(
        "{took} {} {pages} {}",
        children_peak_rss().unwrap_or(0),
        children_cpu().as_secs_f64()
    );
    Ok(())
}

/// Pages of a PDF, counted by its page objects (enough for a report).
fn count_pages(pdf: &[u8]) -> usize {
    [&b"/Type /Page"[..], b"/Type/Page"]
        .iter()
        .map(|needle| {
            pdf.windows(needle.len() + 1)
                .filter(|w| &w[..needle.len()] == *needle && w[needle.len()] != b's')
                .count()
        })
        .sum()
}

fn measure(bench: &Path, case: &str) -> Result<(f64, u64, usize, f64), String> {
    let out = Command::new(bench)
        .env(CASE_VAR, case)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let mut next = || parts.next().ok_or("no result").map(str::to_string);
    Ok((
        next()?.parse().map_err(|_| "seconds")?,
        next()?.parse().map_err(|_| "bytes")?,
        next()?.parse().map_err(|_| "pages")?,
        next()?.parse().map_err(|_| "cpu")?,
    ))
}

fn main() -> ExitCode {
    if let Ok(case) = std::env::var(CASE_VAR) {
        return match run_case(&case) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{case}: {e}");
                ExitCode::FAILURE
            }
        };
    }
    // `cargo bench` passes `--bench`; nothing else is taken.
    if !release_binary().is_file() {
        eprintln!(
            "no release binary at {}: run `cargo build --release` first",
            release_binary().display()
        );
        return ExitCode::FAILURE;
    }
    let bench = std::env::current_exe().expect("this bench's path");
    // CPU time (user + system, every thread) beside wall time: on a
    // shared machine the wall time depends on the load.
    println!(
        "{:<16} {:>9} {:>9} {:>10} {:>7}",
        "case", "seconds", "cpu s", "peak MB", "pages"
    );
    let mut failed = false;
    for case in [
        "paragraphs-10k",
        "paragraphs-20k",
        "paragraph-500k",
        "paragraph-1m",
    ] {
        match measure(&bench, case) {
            Ok((s, bytes, pages, cpu)) => println!(
                "{case:<16} {s:>9.2} {cpu:>9.2} {:>10.0} {pages:>7}",
                bytes as f64 / 1e6
            ),
            Err(e) => {
                eprintln!("{case}: {e}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
