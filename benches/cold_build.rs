//! A cold `jianbao build 4` (a new process, no PDF from an earlier run) of
//! this repository's issue 4, timed for the release binary and, when
//! `JIANBAO_BASELINE` names another jianbao binary (an older release), for
//! that one too, the runs interleaved so both see the same machine:
//!
//! ```sh
//! cargo build --release
//! JIANBAO_BASELINE=/path/to/old/jianbao cargo bench --bench cold_build
//! ```
//!
//! It prints the binaries' sizes, min and median wall time of each, and the
//! ratio of the medians.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::*;

const RUNS: usize = 30;

fn build(bin: &Path, root: &Path) -> Result<Duration, String> {
    let _ = std::fs::remove_dir_all(root.join("out"));
    let start = Instant::now();
    let out = Command::new(bin)
        .arg("-C")
        .arg(root)
        .args(["build", "4"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let took = start.elapsed();
    if !out.status.success() || !root.join("out/004.pdf").is_file() {
        return Err(format!(
            "{} build 4 failed:\n{}",
            bin.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(took)
}

fn report(label: &str, bin: &Path, times: &mut [Duration]) -> f64 {
    times.sort();
    let size = std::fs::metadata(bin).map_or(0, |m| m.len());
    let median = times[times.len() / 2].as_secs_f64() * 1000.0;
    println!(
        "{label}: {} ({:.1} MB): min {:.1} ms, median {median:.1} ms ({} runs)",
        bin.display(),
        size as f64 / 1e6,
        times[0].as_secs_f64() * 1000.0,
        times.len()
    );
    median
}

fn main() -> ExitCode {
    let bin = release_binary();
    if !bin.is_file() {
        eprintln!(
            "error: {} not found: run `cargo build --release` first",
            bin.display()
        );
        return ExitCode::from(2);
    }
    let baseline = std::env::var_os("JIANBAO_BASELINE").map(PathBuf::from);
    let dir = issue_4_publication();
    let mut now = Vec::with_capacity(RUNS);
    let mut before = Vec::with_capacity(RUNS);
    // One untimed run each: the binaries' pages in the page cache, as for a
    // clerk who built yesterday.
    for b in std::iter::once(&bin).chain(baseline.iter()) {
        if let Err(e) = build(b, dir.path()) {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    for _ in 0..RUNS {
        match build(&bin, dir.path()) {
            Ok(t) => now.push(t),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
        if let Some(b) = &baseline {
            match build(b, dir.path()) {
                Ok(t) => before.push(t),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    let m = report("this build", &bin, &mut now);
    if let Some(b) = &baseline {
        let m0 = report("baseline  ", b, &mut before);
        println!("median ratio: {:.2} (this / baseline)", m / m0);
    }
    ExitCode::SUCCESS
}
