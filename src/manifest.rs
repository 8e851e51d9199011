//! What each PDF in the output folder was built from:
//! `out/.jianbao-manifest.json`, so that `jianbao build` rebuilds only the
//! issues whose inputs changed. Inputs are compared by content (SHA-256),
//! never by modification time alone: a CI checkout gives every file a new
//! time, and the same bytes must still count as unchanged.
//!
//! ```json
//! {
//!   "format": 1,
//!   "issues": { "004": { "inputs": "9f2c…", "pdf_bytes": 286311 } },
//!   "files": { "images/a.jpg": { "bytes": 51234, "modified_ns": 1700000000000000000, "sha256": "…" } }
//! }
//! ```
//!
//! `issues` says which PDF is current for which inputs; `files` remembers
//! the hash of each picture by size and modification time, so a run where
//! nothing changed reads no picture (a changed time only costs a re-hash).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const MANIFEST_FILE: &str = ".jianbao-manifest.json";
const FORMAT: u32 = 1;

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// The manifest of one output folder, as read at the start of a build and
/// updated as PDFs are written.
#[derive(Debug, Default)]
pub struct Manifest {
    path: PathBuf,
    issues: BTreeMap<String, Built>,
    files: BTreeMap<String, FileStamp>,
    /// Something changed since it was read or saved.
    changed: bool,
}

/// What one PDF was built from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Built {
    /// The hash of everything the PDF depends on (see `archive`).
    pub inputs: String,
    /// The PDF's length as written: a PDF replaced or cut short since is
    /// not current.
    pub pdf_bytes: u64,
}

/// A file's content hash, valid while its size and time are unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct FileStamp {
    bytes: u64,
    modified_ns: u128,
    sha256: String,
}

#[derive(Serialize, Deserialize)]
struct OnDisk {
    format: u32,
    #[serde(default)]
    issues: BTreeMap<String, Built>,
    #[serde(default)]
    files: BTreeMap<String, FileStamp>,
}

impl Manifest {
    /// Reads the manifest of an output folder. One that is missing, from
    /// another format or unreadable is empty: every PDF is then rebuilt,
    /// which is always safe.
    pub fn load(out_dir: &Path) -> Manifest {
        let path = out_dir.join(MANIFEST_FILE);
        // Never through a link (it could lead out of the publication), and
        // never a file larger than any manifest of a real archive.
        let plain_file =
            std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file() && m.len() < 256 << 20);
        let on_disk = plain_file
            .then(|| std::fs::read(&path).ok())
            .flatten()
            .and_then(|b| serde_json::from_slice::<OnDisk>(&b).ok())
            .filter(|m| m.format == FORMAT);
        match on_disk {
            Some(m) => Manifest {
                path,
                issues: m.issues,
                files: m.files,
                changed: false,
            },
            None => Manifest {
                path,
                ..Manifest::default()
            },
        }
    }

    /// Whether the PDF at `pdf` is the one built from `inputs`.
    pub fn is_current(&self, id: &str, inputs: &Hash, pdf: &Path) -> bool {
        self.issues.get(id).is_some_and(|b| {
            b.inputs == hex(inputs)
                && std::fs::metadata(pdf).is_ok_and(|m| m.is_file() && m.len() == b.pdf_bytes)
        })
    }

    /// Whether there is anything to save.
    pub fn changed(&self) -> bool {
        self.changed
    }

    /// Records a PDF just written.
    pub fn record(&mut self, id: &str, inputs: &Hash, pdf_bytes: u64) {
        self.changed = true;
        self.issues.insert(
            id.to_string(),
            Built {
                inputs: hex(inputs),
                pdf_bytes,
            },
        );
    }

    /// Drops the issues for which `keep` is false (deleted or renamed
    /// issue files) and returns their ids: their PDFs are no longer listed
    /// as current.
    pub fn forget(&mut self, keep: impl Fn(&str) -> bool) -> Vec<String> {
        let gone: Vec<String> = self.issues.keys().filter(|id| !keep(id)).cloned().collect();
        for id in &gone {
            self.issues.remove(id);
        }
        self.changed |= !gone.is_empty();
        gone
    }

    /// The SHA-256 of a file under the publication folder (`rel` as the
    /// issue names it), read only when its size or time changed since it
    /// was last hashed. `None` when it cannot be read.
    pub fn file_hash(&mut self, root: &Path, rel: &str) -> Option<Hash> {
        let path = root.join(rel);
        let meta = std::fs::metadata(&path).ok()?;
        let modified_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        if let Some(stamp) = self.files.get(rel)
            && stamp.bytes == meta.len()
            && stamp.modified_ns == modified_ns
            && let Some(hash) = unhex(&stamp.sha256)
        {
            return Some(hash);
        }
        let hash: Hash = Sha256::digest(std::fs::read(&path).ok()?).into();
        self.changed = true;
        self.files.insert(
            rel.to_string(),
            FileStamp {
                bytes: meta.len(),
                modified_ns,
                sha256: hex(&hash),
            },
        );
        Some(hash)
    }

    /// Writes the manifest atomically (a temporary file renamed into
    /// place), without waiting for the disk: after a crash a manifest that
    /// is lost or torn only means PDFs are rebuilt. Stamps of files no
    /// issue named this run are dropped.
    pub fn save(&mut self, used_files: &dyn Fn(&str) -> bool) -> std::io::Result<()> {
        self.files.retain(|rel, _| used_files(rel));
        let on_disk = OnDisk {
            format: FORMAT,
            issues: std::mem::take(&mut self.issues),
            files: std::mem::take(&mut self.files),
        };
        let json = serde_json::to_vec_pretty(&on_disk).expect("manifest serialises");
        self.issues = on_disk.issues;
        self.files = on_disk.files;
        let tmp = self
            .path
            .with_file_name(format!("{MANIFEST_FILE}.{}.tmp", std::process::id()));
        let written = std::fs::write(&tmp, json).and_then(|()| std::fs::rename(&tmp, &self.path));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written?;
        self.changed = false;
        Ok(())
    }
}

fn hex(hash: &Hash) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Hash> {
    let mut out = [0u8; 32];
    if s.len() != 64 {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_round_trip_through_hex() {
        let h: Hash = Sha256::digest(b"jianbao").into();
        assert_eq!(unhex(&hex(&h)), Some(h));
        assert_eq!(unhex("zz"), None);
    }

    #[test]
    fn a_saved_manifest_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = Manifest::load(dir.path());
        let h: Hash = Sha256::digest(b"inputs").into();
        std::fs::write(dir.path().join("004.pdf"), b"%PDF").unwrap();
        m.record("004", &h, 4);
        m.save(&|_| true).unwrap();
        let m = Manifest::load(dir.path());
        assert!(m.is_current("004", &h, &dir.path().join("004.pdf")));
        // Another length: the PDF was replaced since.
        std::fs::write(dir.path().join("004.pdf"), b"%PDF-1.7").unwrap();
        assert!(!m.is_current("004", &h, &dir.path().join("004.pdf")));
    }
}
