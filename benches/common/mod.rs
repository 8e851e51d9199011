//! What every benchmark needs: where the repository and the release binary
//! are, this repository's issue 4 as a publication of its own, the peak
//! memory of the processes a benchmark ran, and a build measured in a
//! child process. Each bench is a crate of
//! its own and uses part of this.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `target/release/jianbao` (or under `$CARGO_TARGET_DIR`), or the binary
/// `$JIANBAO_BIN` names.
pub fn release_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("JIANBAO_BIN") {
        return PathBuf::from(bin);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| {
            if t.is_absolute() {
                t
            } else {
                manifest_dir().join(t)
            }
        })
        .unwrap_or_else(|| manifest_dir().join("target"));
    target
        .join("release")
        .join(format!("jianbao{}", std::env::consts::EXE_SUFFIX))
}

/// A publication with this repository's jianbao.toml and one issue,
/// `issues/{name}` holding `text`.
pub fn publication_with(name: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::copy(
        manifest_dir().join("jianbao.toml"),
        dir.path().join("jianbao.toml"),
    )
    .expect("copy jianbao.toml");
    std::fs::create_dir(dir.path().join("issues")).expect("issues/");
    std::fs::write(dir.path().join("issues").join(name), text).expect("write the issue");
    dir
}

/// This repository's publication (jianbao.toml and issues/004.md), copied.
pub fn issue_4_publication() -> tempfile::TempDir {
    let text =
        std::fs::read_to_string(manifest_dir().join("issues/004.md")).expect("read issues/004.md");
    publication_with("004.md", &text)
}

/// The largest peak RSS of the children waited for so far, in bytes.
#[cfg(unix)]
pub fn children_peak_rss() -> Option<u64> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a `rusage` into the pointer it is given.
    let ok = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) } == 0;
    // SAFETY: initialised by getrusage (or zeroed).
    let kib = unsafe { usage.assume_init() }.ru_maxrss;
    // Linux reports KiB; macOS bytes.
    let scale = if cfg!(target_os = "macos") { 1 } else { 1024 };
    ok.then_some(kib as u64 * scale)
}

#[cfg(not(unix))]
pub fn children_peak_rss() -> Option<u64> {
    None
}

/// User + system time of the children waited for so far.
#[cfg(unix)]
pub fn children_cpu() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a `rusage` into the pointer it is given.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) };
    // SAFETY: initialised by getrusage (or zeroed).
    let u = unsafe { usage.assume_init() };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

#[cfg(not(unix))]
pub fn children_cpu() -> Duration {
    Duration::ZERO
}

/// One build measured in a child process of its own, so that its peak
/// memory and CPU time are the build's alone.
pub struct Measured {
    pub seconds: f64,
    /// Peak resident memory, in bytes.
    pub peak: u64,
    pub pages: usize,
    /// User and system time, every thread.
    pub cpu: f64,
}

/// The child's side of [`measure`]: builds issue 1 of the publication in
/// `dir` with the release binary and prints `seconds bytes pages
/// cpu-seconds`.
pub fn build_and_report(dir: &Path) -> Result<(), String> {
    let start = Instant::now();
    let out = Command::new(release_binary())
        .arg("-C")
        .arg(dir)
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
    let pdf = std::fs::read(dir.join("out/001.pdf")).map_err(|e| e.to_string())?;
    println!(
        "{took} {} {} {}",
        children_peak_rss().unwrap_or(0),
        count_pages(&pdf),
        children_cpu().as_secs_f64()
    );
    Ok(())
}

/// Runs this bench again with `var=case`, where it calls
/// [`build_and_report`], and reads what the child printed.
pub fn measure(var: &str, case: &str) -> Result<Measured, String> {
    let bench = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(bench)
        .env(var, case)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let mut next = || parts.next().ok_or("no result").map(str::to_string);
    Ok(Measured {
        seconds: next()?.parse().map_err(|_| "seconds")?,
        peak: next()?.parse().map_err(|_| "bytes")?,
        pages: next()?.parse().map_err(|_| "pages")?,
        cpu: next()?.parse().map_err(|_| "cpu")?,
    })
}

/// Pages of a PDF, counted by its page objects (enough for a report).
pub fn count_pages(pdf: &[u8]) -> usize {
    [&b"/Type /Page"[..], b"/Type/Page"]
        .iter()
        .map(|needle| {
            pdf.windows(needle.len() + 1)
                .filter(|w| &w[..needle.len()] == *needle && w[needle.len()] != b's')
                .count()
        })
        .sum()
}
