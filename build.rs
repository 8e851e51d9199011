//! `JIANBAO_SOURCE_HASH`: a hash of the code that makes the PDFs (src/,
//! the embedded layout, the locked dependencies). `jianbao build` counts it
//! among an issue's inputs, so a PDF built by other code is rebuilt — also
//! between two development builds that share a version number.

use std::hash::Hasher;
use std::path::Path;

/// FNV-1a, 64 bits: std has no stable hash, and this needs no dependency.
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
}

fn add(h: &mut Fnv, path: &Path) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for e in entries {
            add(h, &e);
        }
    } else if let Ok(bytes) = std::fs::read(path) {
        h.write(path.to_string_lossy().as_bytes());
        h.write(&(bytes.len() as u64).to_le_bytes());
        h.write(&bytes);
    }
}

/// Whether `program` is on the PATH.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Whether `command` runs here and ends with success.
fn succeeds(command: &mut std::process::Command) -> bool {
    command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether this process runs as root (the user id `id -u` prints).
#[cfg(unix)]
fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.status.success() && o.stdout.trim_ascii() == b"0")
}

/// Whether a process can be held here to a single process of its user
/// (RLIMIT_NPROC = 1, util-linux's prlimit), so that it cannot start a
/// thread: root ignores the limit, so as root the probe runs as nobody.
/// Holds when a shell under the limit cannot start another, while the same
/// shell without it can, and prlimit itself runs.
#[cfg(unix)]
fn can_limit_processes() -> bool {
    use std::os::unix::process::CommandExt;
    let root = is_root();
    let probe = |limit: Option<&str>, script: &str| {
        let mut c = match limit {
            Some(limit) => {
                let mut c = std::process::Command::new("prlimit");
                c.arg(format!("--nproc={limit}")).arg("sh");
                c
            }
            None => std::process::Command::new("sh"),
        };
        c.args(["-c", script]).current_dir("/");
        if root {
            c.uid(65534).gid(65534);
        }
        succeeds(&mut c)
    };
    probe(None, "sh -c true") && probe(Some("1"), "true") && !probe(Some("1"), "sh -c true")
}

#[cfg(not(unix))]
fn can_limit_processes() -> bool {
    false
}

/// The tools and conditions some integration tests need: a test that
/// cannot run here is reported as ignored, with why, never passed
/// (`.ci/run` installs the tools and lists the ignored as skipped).
fn test_conditions() {
    println!("cargo::rustc-check-cfg=cfg(has_qpdf)");
    println!("cargo::rustc-check-cfg=cfg(has_python_typst)");
    println!("cargo::rustc-check-cfg=cfg(can_limit_processes)");
    println!("cargo::rustc-check-cfg=cfg(runs_as_root)");
    println!("cargo:rerun-if-env-changed=PATH");
    if on_path("qpdf") {
        println!("cargo:rustc-cfg=has_qpdf");
    }
    if succeeds(std::process::Command::new("python3").args(["-c", "import typst"])) {
        println!("cargo:rustc-cfg=has_python_typst");
    }
    if can_limit_processes() {
        println!("cargo:rustc-cfg=can_limit_processes");
    }
    #[cfg(unix)]
    if is_root() {
        println!("cargo:rustc-cfg=runs_as_root");
    }
}

fn main() {
    test_conditions();
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    for p in ["src", "layouts", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={p}");
        add(&mut h, Path::new(p));
    }
    println!("cargo:rustc-env=JIANBAO_SOURCE_HASH={:016x}", h.finish());
}
