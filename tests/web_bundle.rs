//! The clerk's page is bundled from `web/` into `assets/web/` (committed,
//! embedded in the binary) by `web/build.sh`. Two checks that the
//! committed bundle is the one the sources make:
//!
//! - `stamp`: always. `assets/web/STAMP` holds the sha256 of every source
//!   (the lockfile and the build script too) and of every bundled file;
//!   each must match the bytes in the tree, so a source changed without a
//!   rebuild, or a bundle edited by hand, fails here on a machine with
//!   nothing but cargo.
//! - `rebuild`: where `npm` is on PATH (Debian: `apt-get install nodejs
//!   npm`), `web/build.sh` builds a copy of `web/` into a temporary folder
//!   and every file must equal the committed one byte for byte. Without
//!   npm it is reported ignored with that reason, never passed.
//!
//! A binary of its own (libtest-mimic) so that it can decide at run time.

use std::path::{Path, PathBuf};
use std::process::Command;

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use sha2::{Digest, Sha256};

/// What web/build.sh writes.
const BUNDLE: [&str; 4] = ["index.html", "app.js", "app.css", "STAMP"];

fn main() {
    let arguments = Arguments::from_args();
    let trials = vec![
        Trial::test("web_bundle_stamp_matches_the_sources", stamp),
        Trial::ignorable_test("web_bundle_rebuilds_byte_for_byte", || match npm() {
            Some(_) => rebuild().map(|()| Completion::Completed),
            None => Ok(Completion::ignored_with(
                "needs npm to rebuild web/: apt-get install -y nodejs npm",
            )),
        }),
    ];
    libtest_mimic::run(&arguments, trials).exit();
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sha256(path: &Path) -> Result<String, Failed> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn stamp() -> Result<(), Failed> {
    let repo = repo();
    let stamp = std::fs::read_to_string(repo.join("assets/web/STAMP"))?;
    let mut listed = Vec::new();
    let mut stale = Vec::new();
    for line in stamp.lines() {
        let (hash, path) = line
            .split_once("  ")
            .ok_or_else(|| format!("STAMP line not `sha256  path`: {line}"))?;
        listed.push(path.to_string());
        if sha256(&repo.join(path))? != hash {
            stale.push(path.to_string());
        }
    }
    // Every source in web/ is stamped: a new module must be in the bundle's
    // stamp, or a change to it would go unseen.
    let mut sources = vec![
        "web/build.sh".to_string(),
        "web/package.json".to_string(),
        "web/package-lock.json".to_string(),
        "web/index.html".to_string(),
        "web/app.js".to_string(),
        "web/app.css".to_string(),
    ];
    for entry in std::fs::read_dir(repo.join("web/src"))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        sources.push(format!("web/src/{name}"));
    }
    for name in &BUNDLE[..3] {
        sources.push(format!("assets/web/{name}"));
    }
    let missing: Vec<_> = sources.iter().filter(|s| !listed.contains(s)).collect();
    if !missing.is_empty() {
        return Err(format!("not in assets/web/STAMP: {missing:?}; run web/build.sh").into());
    }
    if !stale.is_empty() {
        return Err(format!(
            "changed since the bundle was built: {stale:?}; run web/build.sh and commit assets/web/"
        )
        .into());
    }
    Ok(())
}

fn npm() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("npm"))
        .find(|p| p.is_file())
}

fn rebuild() -> Result<(), Failed> {
    let repo = repo();
    let temp = tempfile::tempdir()?;
    // A copy of web/ without node_modules (npm ci makes its own), beside an
    // empty out folder; build.sh stamps paths relative to its parent.
    let web = temp.path().join("web");
    std::fs::create_dir_all(web.join("src"))?;
    for entry in std::fs::read_dir(repo.join("web"))? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), web.join(entry.file_name()))?;
        }
    }
    for entry in std::fs::read_dir(repo.join("web/src"))? {
        let entry = entry?;
        std::fs::copy(entry.path(), web.join("src").join(entry.file_name()))?;
    }
    let out = temp.path().join("out");
    let run = Command::new("bash")
        .arg(web.join("build.sh"))
        .arg(&out)
        .output()?;
    if !run.status.success() {
        return Err(format!(
            "web/build.sh failed: {}\n{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        )
        .into());
    }
    let mut differ = Vec::new();
    for name in BUNDLE {
        let built = std::fs::read(out.join(name))?;
        let committed = std::fs::read(repo.join("assets/web").join(name))?;
        if built != committed {
            differ.push(name);
        }
    }
    if differ.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "assets/web/ is not what web/build.sh makes now: {differ:?} differ; run web/build.sh and commit"
        )
        .into())
    }
}
