//! A cold `jianbao build 4` (a new process, no PDF from an earlier run) of
//! this repository's issue 4, against stock typst compiling the same pages,
//! with what a process of each costs that does nothing:
//!
//! ```sh
//! cargo build --release
//! TYPST=/path/to/typst cargo bench --bench cold_build
//! ```
//!
//! Each round runs every case once, one after another, so that all see the
//! same machine (a shared one is never quiet); medians over the rounds:
//!
//! - `jianbao build 4`, and the same built from a one-line issue (the
//!   floor: fonts loaded, the layout evaluated, a one-page PDF written);
//! - `jianbao --version`: a process that starts and exits;
//! - the typst CLI named by `$TYPST` (a stock build of typst, 0.15) on the
//!   project `jianbao export 4` writes (the pages already broken, every
//!   glyph placed), with the same font files (`--font-path fonts
//!   --ignore-system-fonts`), and `$TYPST --version`; without `$TYPST` this
//!   part is skipped and says so;
//! - with `JIANBAO_BASELINE` naming another jianbao binary (an older
//!   release), its `build 4` too.
//!
//! Two ratios: whole process (cold CLI against cold jianbao), and compile
//! only — each process less the same binary's `--version`, which leaves
//! what the compilation itself costs (reading, fonts, layout, PDF) without
//! loading the program. It also prints the CPU time (user + system) of each
//! case and the machine: cores, CPU model, load before and after.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::*;

const ROUNDS: usize = 31;

/// Wall and CPU time of one process.
#[derive(Clone, Copy)]
struct Took {
    wall: Duration,
    cpu: Duration,
}

/// Runs `program args` in `dir`, which must succeed and leave `product`.
fn run(program: &Path, dir: &Path, args: &[&str], product: Option<&Path>) -> Result<Took, String> {
    if let Some(p) = product {
        let _ = std::fs::remove_file(p);
    }
    let cpu = children_cpu();
    let start = Instant::now();
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let wall = start.elapsed();
    let cpu = children_cpu().saturating_sub(cpu);
    if !out.status.success() || product.is_some_and(|p| !p.is_file()) {
        return Err(format!(
            "{} {args:?} failed:\n{}",
            program.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(Took { wall, cpu })
}

struct Case {
    label: &'static str,
    program: PathBuf,
    dir: PathBuf,
    args: Vec<&'static str>,
    product: Option<PathBuf>,
    times: Vec<Took>,
}

impl Case {
    fn run(&mut self) -> Result<(), String> {
        let took = run(
            &self.program,
            &self.dir,
            &self.args,
            self.product.as_deref(),
        )?;
        self.times.push(took);
        Ok(())
    }

    fn median_wall(&self) -> f64 {
        median(self.times.iter().map(|t| t.wall))
    }

    fn report(&self) {
        let min = self.times.iter().map(|t| t.wall).min().unwrap_or_default();
        println!(
            "{:<42} median {:6.1} ms  min {:6.1}  cpu {:6.1} ms  ({} runs)",
            self.label,
            self.median_wall(),
            ms(min),
            median(self.times.iter().map(|t| t.cpu)),
            self.times.len()
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(times: impl Iterator<Item = Duration>) -> f64 {
    let mut v: Vec<f64> = times.map(ms).collect();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn machine(when: &str) {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average {when}: {}", load.trim());
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
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    println!("cores: {cores}, CPU: {cpu}");
    machine("before");

    let dir = issue_4_publication();
    let root = dir.path().to_path_buf();
    let tiny = publication_with(
        "001.md",
        "+++\nnumber = 1\ndate = 2026-12-07\n\n[distribution]\nbao = [\"上级单位\"]\n+++\n# 标题\n一行正文。\n",
    );
    let project = root.join("project");
    if let Err(e) = run(
        &bin,
        &root,
        &["export", "4", project.to_str().unwrap()],
        None,
    ) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let jianbao = |label, dir: &Path, args: Vec<&'static str>, product: Option<PathBuf>| Case {
        label,
        program: bin.clone(),
        dir: dir.to_path_buf(),
        args,
        product,
        times: Vec::new(),
    };
    let mut cases = vec![
        jianbao(
            "jianbao build 4",
            &root,
            vec!["build", "4", "--force"],
            Some(root.join("out/004.pdf")),
        ),
        jianbao(
            "jianbao build of a one-line issue (floor)",
            tiny.path(),
            vec!["build", "1", "--force"],
            Some(tiny.path().join("out/001.pdf")),
        ),
        jianbao("jianbao --version", &root, vec!["--version"], None),
    ];
    match std::env::var_os("TYPST").map(PathBuf::from) {
        Some(typst) => {
            cases.push(Case {
                label: "typst compile (exported project)",
                program: typst.clone(),
                dir: project.clone(),
                args: vec![
                    "compile",
                    "--font-path",
                    "fonts",
                    "--ignore-system-fonts",
                    "main.typ",
                    "stock.pdf",
                ],
                product: Some(project.join("stock.pdf")),
                times: Vec::new(),
            });
            cases.push(Case {
                label: "typst --version",
                program: typst,
                dir: project.clone(),
                args: vec!["--version"],
                product: None,
                times: Vec::new(),
            });
        }
        None => println!("skipped stock typst: set TYPST to a typst 0.15 CLI"),
    }
    if let Some(old) = std::env::var_os("JIANBAO_BASELINE").map(PathBuf::from) {
        cases.push(Case {
            label: "baseline jianbao build 4",
            program: old,
            dir: root.clone(),
            args: vec!["build", "4", "--force"],
            product: Some(root.join("out/004.pdf")),
            times: Vec::new(),
        });
    }
    // One untimed round: the binaries and fonts in the page cache, as for
    // a clerk who built yesterday.
    for round in 0..=ROUNDS {
        for case in &mut cases {
            if let Err(e) = case.run() {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
            if round == 0 {
                case.times.clear();
            }
        }
    }
    machine("after");
    for case in &cases {
        case.report();
    }
    let wall = |label: &str| {
        cases
            .iter()
            .find(|c| c.label == label)
            .map(Case::median_wall)
    };
    let ours = wall("jianbao build 4").unwrap_or(f64::NAN);
    let our_start = wall("jianbao --version").unwrap_or(f64::NAN);
    if let (Some(theirs), Some(their_start)) = (
        wall("typst compile (exported project)"),
        wall("typst --version"),
    ) {
        println!(
            "ratio, whole process: {:.2} (jianbao build 4 / typst compile; goal ≤ 0.8)",
            ours / theirs
        );
        println!(
            "ratio, compile only:  {:.2} (each less its own --version: {:.1} ms / {:.1} ms)",
            (ours - our_start) / (theirs - their_start),
            ours - our_start,
            theirs - their_start
        );
    }
    if let Some(old) = wall("baseline jianbao build 4") {
        println!("ratio to the baseline: {:.2} (this / baseline)", ours / old);
    }
    ExitCode::SUCCESS
}
