//! `JIANBAO_SOURCE_HASH`: a hash of the code that makes the PDFs (src/,
//! the embedded layout, the locked dependencies). `jianbao build` counts it
//! among an issue's inputs, so a PDF built by other code is rebuilt — also
//! between two development builds that share a version number.
//!
//! `printed.rs` (in `OUT_DIR`): for each embedded font in `fonts/`, the
//! characters its first face prints — mapped by its cmap to a glyph with an
//! outline, or whitespace — as sorted ranges. Finding that at run time
//! meant outlining a glyph per character and face, a third of a cold build
//! (docs/performance.md); the fonts are part of the binary, so it is done
//! once here, and again only when a font file changes.

use std::hash::Hasher;
use std::path::{Path, PathBuf};

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

/// The characters the first face of `data` prints, as sorted inclusive
/// ranges: the same test as `Fonts::maps` and `Fonts::draws` at run time
/// (typst's coverage is the code points of the Unicode cmap subtables).
fn printed_ranges(data: &[u8]) -> Vec<(u32, u32)> {
    let Ok(face) = ttf_parser::Face::parse(data, 0) else {
        panic!("an embedded font does not parse");
    };
    let mut mapped = Vec::new();
    for subtable in face.tables().cmap.into_iter().flat_map(|t| t.subtables) {
        if subtable.is_unicode() {
            subtable.codepoints(|c| mapped.push(c));
        }
    }
    mapped.sort_unstable();
    mapped.dedup();
    // Many code points share a glyph (and the cmap subtables overlap).
    let mut drawn: std::collections::HashMap<ttf_parser::GlyphId, bool> = Default::default();
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for cp in mapped {
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        let prints = c.is_whitespace()
            || face.glyph_index(c).is_some_and(|g| {
                *drawn
                    .entry(g)
                    .or_insert_with(|| face.glyph_bounding_box(g).is_some())
            });
        if !prints {
            continue;
        }
        match ranges.last_mut() {
            Some(last) if last.1 + 1 == cp => last.1 = cp,
            _ => ranges.push((cp, cp)),
        }
    }
    ranges
}

/// Writes `printed.rs` unless the one there was made from the same fonts.
fn printed_table() {
    use std::fmt::Write;
    use std::hash::Hash;
    println!("cargo:rerun-if-changed=fonts");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir("fonts")
        .expect("fonts/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| ["otf", "ttf", "ttc"].contains(&&*e.to_string_lossy()))
        })
        .collect();
    files.sort();
    let fonts: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(p).expect("read a font"))
        })
        .collect();
    // std's hasher is optimised even in a debug build script; the key only
    // has to tell this machine's fonts apart from the last run's.
    let mut key = std::hash::DefaultHasher::new();
    fonts.hash(&mut key);
    let key = format!("// fonts {:016x}\n", std::hash::Hasher::finish(&key));
    let table = out.join("printed.rs");
    if std::fs::read_to_string(&table).is_ok_and(|t| t.starts_with(&key)) {
        return;
    }
    let mut text = key;
    text.push_str("pub const PRINTED: &[(&str, &[(u32, u32)])] = &[\n");
    for (name, data) in &fonts {
        let _ = write!(text, "({name:?}, &[");
        for (a, b) in printed_ranges(data) {
            let _ = write!(text, "({a},{b}),");
        }
        text.push_str("]),\n");
    }
    text.push_str("];\n");
    std::fs::write(&table, text).expect("write printed.rs");
}

/// `serve`'s page: every file of `assets/web/` (the committed bundle),
/// embedded by `include_bytes!` through a table in `OUT_DIR`, so that a
/// file the page adds needs no line of Rust.
fn web_assets() {
    println!("cargo:rerun-if-changed=assets/web");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/web");
    let mut files = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                println!("cargo:rerun-if-changed={}", path.display());
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(&dir) {
                println!("cargo:rerun-if-changed={}", path.display());
                files.push((rel.to_string_lossy().replace('\\', "/"), path.clone()));
            }
        }
    }
    files.sort();
    let mut out = String::from("&[\n");
    for (rel, path) in files {
        out += &format!(
            "    ({rel:?}, include_bytes!({:?})),\n",
            path.display().to_string()
        );
    }
    out += "]\n";
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("web_assets.rs");
    std::fs::write(dest, out).unwrap();
}

fn main() {
    test_conditions();
    printed_table();
    web_assets();
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    for p in ["src", "layouts", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={p}");
        add(&mut h, Path::new(p));
    }
    println!("cargo:rustc-env=JIANBAO_SOURCE_HASH={:016x}", h.finish());
}
