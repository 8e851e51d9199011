//! The other outputs, timed with the release binary on this repository's
//! issue 4:
//!
//! - a cold `jianbao build 4` against a stock typst compiling the project
//!   `jianbao export 4` writes, with the same fonts — the Python `typst`
//!   package (`pip install typst`), a stock compiler that needs no build;
//!   its import time is measured in the process and subtracted;
//! - a rebuild in `jianbao watch 4` after a one-character edit, from the
//!   file event to the PDF written (as `watch` reports it), and from the
//!   save to the report as seen from outside;
//! - a cold `jianbao build 4 --format png` at 150 ppi;
//! - a cold `jianbao build 4 --format ofd` beside a forced PDF build.
//!
//! ```sh
//! cargo build --release
//! cargo bench --bench outputs
//! ```

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

mod common;
use common::*;

const RUNS: usize = 20;
const EDITS: usize = 30;

fn run(bin: &Path, root: &Path, args: &[&str]) -> Result<Duration, String> {
    let start = Instant::now();
    let out = Command::new(bin)
        .arg("-C")
        .arg(root)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let took = start.elapsed();
    if !out.status.success() {
        return Err(format!(
            "jianbao {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(took)
}

/// Wall time of a cold Python process compiling the project, less the
/// `import typst` it reports; and the compile alone as it reports it.
fn stock(project: &Path) -> Result<(Duration, Duration), String> {
    let script = "import time\n\
        t0 = time.perf_counter()\n\
        import typst\n\
        t1 = time.perf_counter()\n\
        typst.compile('main.typ', output='stock.pdf', font_paths=['fonts'], ignore_system_fonts=True)\n\
        t2 = time.perf_counter()\n\
        print(t1 - t0, t2 - t1)\n";
    let start = Instant::now();
    let out = Command::new("python3")
        .args(["-c", script])
        .current_dir(project)
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    let wall = start.elapsed();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut numbers = text
        .split_whitespace()
        .map(|n| n.parse::<f64>().unwrap_or(0.0));
    let import = Duration::from_secs_f64(numbers.next().unwrap_or(0.0));
    let compile = Duration::from_secs_f64(numbers.next().unwrap_or(0.0));
    Ok((wall.saturating_sub(import), compile))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn line(label: &str, times: &mut [f64]) -> f64 {
    let m = median(times);
    println!(
        "{label}: median {m:.1} ms, min {:.1}, max {:.1} ({} runs)",
        times[0],
        times[times.len() - 1],
        times.len()
    );
    m
}

/// `jianbao watch 4`, then one-character edits saved the way editors save
/// (a new file renamed over the old one), each waited for.
fn watch(bin: &Path, root: &Path) -> Result<(Vec<f64>, Vec<f64>), String> {
    let mut child = Command::new(bin)
        .arg("-C")
        .arg(root)
        .args(["watch", "4"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let (tx, rx) = channel();
    let stderr = child.stderr.take().expect("piped");
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let built = || -> Result<f64, String> {
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .map_err(|_| "watch did not rebuild within 60 s".to_string())?;
            // `issues/004.md → out/004.pdf（6 页，用时 23.4 ms）`
            if let Some(rest) = line.split("用时 ").nth(1) {
                return rest
                    .trim_end_matches(" ms）")
                    .parse()
                    .map_err(|_| format!("cannot read `{line}`"));
            }
        }
    };
    let result = (|| {
        built()?;
        // Edits only once the folders are watched (it says so).
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .map_err(|_| "watch never said it was watching".to_string())?;
            if line.contains("正在监视") {
                break;
            }
        }
        let issue = root.join("issues/004.md");
        let original = std::fs::read_to_string(&issue).map_err(|e| e.to_string())?;
        let (mut inside, mut outside) = (Vec::new(), Vec::new());
        for i in 0..EDITS {
            let text = if i % 2 == 0 {
                original.replacen("郑州市教育局在", "郑州市教育局于", 1)
            } else {
                original.clone()
            };
            let tmp = root.join("issues/.004.md.swp");
            std::fs::write(&tmp, text).map_err(|e| e.to_string())?;
            // Not a timing run for the first edit: the caches warm up.
            let saved = Instant::now();
            std::fs::rename(&tmp, &issue).map_err(|e| e.to_string())?;
            let reported = built()?;
            let seen = ms(saved.elapsed());
            if i > 0 {
                inside.push(reported);
                outside.push(seen);
            }
            // A clerk types; saves are not back to back.
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok((inside, outside))
    })();
    let _ = child.kill();
    let _ = child.wait();
    result
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
    let dir = issue_4_publication();
    let root = dir.path();
    let project = root.join("project");
    if let Err(e) = run(&bin, root, &["export", "4", project.to_str().unwrap()]) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    // One untimed run of each: binaries and fonts in the page cache.
    let have_stock = match stock(&project) {
        Ok(_) => true,
        Err(e) => {
            println!(
                "skipped the stock compiler (pip install typst): {}",
                e.trim()
            );
            false
        }
    };
    let (mut ours, mut theirs, mut compile) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..=RUNS {
        match run(&bin, root, &["build", "4", "--force"]) {
            Ok(t) => ours.push(ms(t)),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
        if have_stock {
            match stock(&project) {
                Ok((t, c)) => {
                    theirs.push(ms(t));
                    compile.push(ms(c));
                }
                Err(e) => {
                    eprintln!("error: stock typst: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    ours.remove(0);
    let m = line("jianbao build 4 (cold process)", &mut ours);
    if have_stock {
        theirs.remove(0);
        compile.remove(0);
        let s = line(
            "stock typst on the exported project (cold process, less import)",
            &mut theirs,
        );
        let c = line("  of which typst.compile alone", &mut compile);
        println!("ratio: {:.2} (jianbao / stock, target ≤ 0.6)", m / s);
        println!("ratio to typst.compile alone: {:.2}", m / c);
    }

    let mut png = Vec::new();
    for _ in 0..=RUNS / 2 {
        match run(&bin, root, &["build", "4", "--format", "png"]) {
            Ok(t) => png.push(ms(t)),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    png.remove(0);
    line(
        "jianbao build 4 --format png, 150 ppi (cold process)",
        &mut png,
    );

    // The OFD beside the PDF it has the pages of, in turn (both see the
    // same load); the PDF forced, as the OFD is always made afresh.
    let (mut pdf, mut ofd) = (Vec::new(), Vec::new());
    for _ in 0..=RUNS / 2 {
        for (args, times) in [
            (&["build", "4", "--force"][..], &mut pdf),
            (&["build", "4", "--format", "ofd"][..], &mut ofd),
        ] {
            match run(&bin, root, args) {
                Ok(t) => times.push(ms(t)),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    pdf.remove(0);
    ofd.remove(0);
    let p = line("jianbao build 4 --force, PDF (cold process)", &mut pdf);
    let o = line("jianbao build 4 --format ofd (cold process)", &mut ofd);
    println!("ratio: {:.2} (OFD / PDF)", o / p);

    match watch(&bin, root) {
        Ok((mut inside, mut outside)) => {
            line(
                "watch: file event → PDF written, one-character edit",
                &mut inside,
            );
            line("watch: save → rebuild reported, from outside", &mut outside);
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
