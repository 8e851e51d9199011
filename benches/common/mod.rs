//! What every benchmark needs: where the repository and the release binary
//! are, this repository's issue 4 as a publication of its own, and the
//! peak memory of the processes a benchmark ran. Each bench is a crate of
//! its own and uses part of this.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

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
