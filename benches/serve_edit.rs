//! The clerk's page: from a one-character edit sent to `jianbao serve` to
//! the changed pages fetched, with the release binary on this
//! repository's issue 4 (the server side of issue 20's "keystroke to
//! redraw under 150 ms"; the browser's part is measured by the page's own
//! tests).
//!
//! Each of 30 rounds, as the page does it: a PUT of the issue's body with
//! one character changed in the first paragraph (the answer holds the
//! new pages' hashes, after the build), then a GET of every page whose
//! hash changed, as SVG. Printed: median, 90th percentile and largest of
//! the PUT, of the fetches and of the two together, and how many pages
//! changed. The first two edits warm the server and are not counted.
//!
//! ```sh
//! cargo build --release
//! cargo bench --bench serve_edit
//! ```

use std::io::{BufRead, BufReader};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::*;

const EDITS: usize = 30;
const WARM: usize = 2;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median, 90th percentile and largest, in ms.
fn spread(mut times: Vec<Duration>) -> (f64, f64, f64) {
    times.sort();
    let at = |q: f64| ms(times[((times.len() - 1) as f64 * q).round() as usize]);
    (at(0.5), at(0.9), ms(*times.last().unwrap()))
}

fn main() -> ExitCode {
    match bench() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("serve_edit: {e}");
            ExitCode::FAILURE
        }
    }
}

fn bench() -> Result<(), String> {
    let bin = release_binary();
    if !bin.is_file() {
        return Err(format!(
            "no {} (cargo build --release first)",
            bin.display()
        ));
    }
    let dir = issue_4_publication();
    let mut child = Command::new(&bin)
        .arg("-C")
        .arg(dir.path())
        .args(["serve", "4"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let result = edits(line.trim().split('#').next().unwrap_or_default());
    let _ = child.kill();
    let _ = child.wait();
    result
}

fn edits(url: &str) -> Result<(), String> {
    let host = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into();
    let get_json = |path: &str| -> Result<serde_json::Value, String> {
        let text = agent
            .get(format!("{url}{path}"))
            .call()
            .map_err(|e| format!("GET {path}: {e}"))?
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .map_err(|e| e.to_string())?;
        serde_json::from_str(&text).map_err(|e| e.to_string())
    };
    let mut state = get_json("api/issues/004")?;
    let (mut puts, mut fetches, mut totals, mut changed) = (vec![], vec![], vec![], vec![]);
    for round in 0..EDITS + WARM {
        let body = state["body"].as_str().unwrap_or_default();
        let edited = if round % 2 == 0 {
            body.replacen("郑州市教育局在", "郑州市教育局于", 1)
        } else {
            body.replacen("郑州市教育局于", "郑州市教育局在", 1)
        };
        let put = serde_json::json!({ "base": state["version"], "body": edited }).to_string();
        let start = Instant::now();
        let text = agent
            .put(format!("{url}api/issues/004"))
            .header("Origin", format!("http://{host}"))
            .header("Content-Type", "application/json")
            .send(put.as_bytes())
            .map_err(|e| format!("PUT: {e}"))?
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .map_err(|e| e.to_string())?;
        let put_took = start.elapsed();
        let new: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        let old_pages = state["pages"].as_array().cloned().unwrap_or_default();
        let new_pages = new["pages"].as_array().cloned().unwrap_or_default();
        if new_pages.is_empty() {
            return Err(format!("no pages after the edit: {}", new["build_problem"]));
        }
        let fetch_start = Instant::now();
        let mut n = 0;
        for (i, hash) in new_pages.iter().enumerate() {
            if old_pages.get(i) != Some(hash) {
                let svg = agent
                    .get(format!(
                        "{url}pages/004/{}.svg?v={}",
                        i + 1,
                        hash.as_str().unwrap_or_default()
                    ))
                    .call()
                    .map_err(|e| format!("GET page {}: {e}", i + 1))?
                    .body_mut()
                    .with_config()
                    .limit(64 << 20)
                    .read_to_vec()
                    .map_err(|e| e.to_string())?;
                if !svg.starts_with(b"<svg") {
                    return Err(format!("page {} is no SVG", i + 1));
                }
                n += 1;
            }
        }
        let fetch_took = fetch_start.elapsed();
        if round >= WARM {
            puts.push(put_took);
            fetches.push(fetch_took);
            totals.push(put_took + fetch_took);
            changed.push(n);
        }
        state = new;
    }
    let (p50, p90, max) = spread(puts);
    println!(
        "PUT (write, build, page hashes): median {p50:.1} ms, p90 {p90:.1} ms, max {max:.1} ms"
    );
    let (p50, p90, max) = spread(fetches);
    println!(
        "changed pages fetched as SVG:    median {p50:.1} ms, p90 {p90:.1} ms, max {max:.1} ms"
    );
    let (p50, p90, max) = spread(totals);
    println!(
        "edit to pages in hand:           median {p50:.1} ms, p90 {p90:.1} ms, max {max:.1} ms"
    );
    changed.sort();
    println!(
        "pages changed per edit: {}..{} of {} ({EDITS} edits after {WARM} to warm up)",
        changed[0],
        changed[changed.len() - 1],
        state["pages"].as_array().map_or(0, Vec::len)
    );
    Ok(())
}
