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

/// The tools some integration tests read the output back with: a test
/// that needs a missing one is reported as ignored, with why, never passed
/// (`.ci/run` installs them and counts the ignored as skipped).
fn test_tools() {
    println!("cargo::rustc-check-cfg=cfg(has_qpdf)");
    println!("cargo::rustc-check-cfg=cfg(has_python_typst)");
    println!("cargo:rerun-if-env-changed=PATH");
    if on_path("qpdf") {
        println!("cargo:rustc-cfg=has_qpdf");
    }
    let python_typst = std::process::Command::new("python3")
        .args(["-c", "import typst"])
        .output()
        .is_ok_and(|o| o.status.success());
    if python_typst {
        println!("cargo:rustc-cfg=has_python_typst");
    }
}

fn main() {
    test_tools();
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    for p in ["src", "layouts", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={p}");
        add(&mut h, Path::new(p));
    }
    println!("cargo:rustc-env=JIANBAO_SOURCE_HASH={:016x}", h.finish());
}
