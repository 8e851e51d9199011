//! What each PDF in the output folder was built from:
//! `out/.jianbao-manifest.json`, so that `jianbao build` rebuilds only the
//! issues whose inputs changed. Inputs are compared by content (SHA-256),
//! never by modification time alone: a CI checkout gives every file a new
//! time, and the same bytes must still count as unchanged.
//!
//! ```json
//! {
//!   "format": 2,
//!   "issues": { "004": { "inputs": "9f2c…", "pdf": { "sha256": "…", "bytes": 286311,
//!               "device": 2049, "inode": 1234567, "modified_ns": 1700000000000000000 } } },
//!   "files": { "images/a.jpg": { "bytes": 51234, "modified_ns": 1700000000000000000, "sha256": "…" } }
//! }
//! ```
//!
//! `issues` says which PDF was built from which inputs. A PDF is current
//! only when the file on disk is the one recorded: the same file (device,
//! inode, size and time, as written), or else the same content (its
//! SHA-256, read again only when the size matches) — never by its size
//! alone. Whoever writes a PDF records it (`build`, `watch`, `serve`), and
//! records are merged into the file under a lock on the output folder,
//! each only while its PDF is still the one on disk, so overlapping runs
//! neither lose each other's records nor leave one run's record over
//! another run's PDF.
//!
//! `files` remembers the hash of each picture by size and modification
//! time, so a run where nothing changed reads no picture (a changed time
//! only costs a re-hash).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::sandbox::{self, Folder, Stamp};

pub const MANIFEST_FILE: &str = ".jianbao-manifest.json";
/// Format 1 recorded only a PDF's size; its records are not trusted.
const FORMAT: u32 = 2;
/// Larger than the manifest of any real archive.
const LARGEST: u64 = 256 << 20;
/// How long a save waits for another run's save (a few milliseconds).
const PATIENCE: Duration = Duration::from_secs(10);

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// The manifest of one output folder, as read at the start of a run and
/// updated as PDFs are written.
#[derive(Debug, Default)]
pub struct Manifest {
    /// The output folder, where `{id}.pdf` is.
    out_dir: PathBuf,
    issues: BTreeMap<String, Built>,
    files: BTreeMap<String, FileStamp>,
    /// What this run changed, merged into the file when it is saved.
    recorded: BTreeSet<String>,
    forgotten: BTreeSet<String>,
    files_changed: bool,
}

/// A PDF as written: the file on disk and its content's hash.
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenPdf {
    pub stamp: Stamp,
    pub sha256: Hash,
}

impl WrittenPdf {
    pub fn new(stamp: Stamp, bytes: &[u8]) -> WrittenPdf {
        WrittenPdf {
            stamp,
            sha256: Sha256::digest(bytes).into(),
        }
    }
}

/// What one PDF was built from, and which file it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Built {
    /// The hash of everything the PDF depends on (see `archive`).
    inputs: String,
    pdf: PdfRecord,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct PdfRecord {
    sha256: String,
    bytes: u64,
    device: u64,
    inode: u64,
    modified_ns: u128,
}

impl PdfRecord {
    fn stamp(&self) -> Stamp {
        Stamp {
            device: self.device,
            inode: self.inode,
            bytes: self.bytes,
            modified_ns: self.modified_ns,
        }
    }

    fn new(pdf: &WrittenPdf) -> PdfRecord {
        PdfRecord {
            sha256: hex(&pdf.sha256),
            bytes: pdf.stamp.bytes,
            device: pdf.stamp.device,
            inode: pdf.stamp.inode,
            modified_ns: pdf.stamp.modified_ns,
        }
    }
}

/// A file's content hash, valid while its size and time are unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct FileStamp {
    bytes: u64,
    modified_ns: u128,
    sha256: String,
}

#[derive(Serialize, Deserialize, Default)]
struct OnDisk {
    format: u32,
    #[serde(default)]
    issues: BTreeMap<String, Built>,
    #[serde(default)]
    files: BTreeMap<String, FileStamp>,
}

impl OnDisk {
    /// The manifest in `folder`. One that is missing, from another format
    /// or unreadable is empty: every PDF is then rebuilt, which is always
    /// safe. Never read through a link, never past [`LARGEST`].
    fn read(folder: &Folder) -> OnDisk {
        folder
            .read(MANIFEST_FILE, LARGEST)
            .ok()
            .and_then(|b| serde_json::from_slice::<OnDisk>(&b).ok())
            .filter(|m| m.format == FORMAT)
            .unwrap_or_default()
    }
}

impl Manifest {
    /// Reads the manifest of the output folder `folder`.
    pub fn load(folder: &Folder) -> Manifest {
        let on_disk = OnDisk::read(folder);
        Manifest {
            out_dir: folder.path().to_path_buf(),
            issues: on_disk.issues,
            files: on_disk.files,
            ..Manifest::default()
        }
    }

    /// Whether the PDF of issue `id` on disk is the one built from
    /// `inputs`: recorded with those inputs, and the same file as written
    /// or else the same content. A PDF found by its content is stamped
    /// again (a restored CI cache gives every file a new inode and time).
    pub fn is_current(&mut self, id: &str, inputs: &Hash) -> bool {
        let Some(built) = self.issues.get(id).filter(|b| b.inputs == hex(inputs)) else {
            return false;
        };
        let pdf = self.pdf_path(id);
        let Some(now) = Stamp::at(&pdf) else {
            return false;
        };
        let recorded = built.pdf.stamp();
        if now == recorded && recorded.has_identity() {
            return true;
        }
        if now.bytes != recorded.bytes {
            return false;
        }
        // Another file of the same size: the content decides.
        let Ok((bytes, stamp)) = crate::sandbox::read_stamped(&pdf, recorded.bytes) else {
            return false;
        };
        let written = WrittenPdf::new(stamp, &bytes);
        if hex(&written.sha256) != built.pdf.sha256 {
            return false;
        }
        self.record(id, inputs, &written);
        true
    }

    /// Whether there is anything to save.
    pub fn changed(&self) -> bool {
        self.files_changed || !self.recorded.is_empty() || !self.forgotten.is_empty()
    }

    /// Records a PDF just written from `inputs`.
    pub fn record(&mut self, id: &str, inputs: &Hash, pdf: &WrittenPdf) {
        self.forgotten.remove(id);
        self.recorded.insert(id.to_string());
        self.issues.insert(
            id.to_string(),
            Built {
                inputs: hex(inputs),
                pdf: PdfRecord::new(pdf),
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
            self.recorded.remove(id);
            self.forgotten.insert(id.clone());
        }
        gone
    }

    /// Where the PDF of issue `id` is.
    fn pdf_path(&self, id: &str) -> PathBuf {
        self.out_dir.join(format!("{id}.pdf"))
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
        self.files_changed = true;
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

    /// Merges what this run changed into the manifest in `folder` (the
    /// output folder it was loaded from), under the lock: a record goes in
    /// only while its PDF is still the file recorded (a run that replaced
    /// it since records its own), records of other runs stay, and stamps
    /// of files no issue names (`used_files`) go. Written by the one
    /// writer; not synced beyond that: a manifest lost in a crash only
    /// means PDFs are rebuilt.
    pub fn save(
        &mut self,
        folder: &Folder,
        used_files: &dyn Fn(&str) -> bool,
    ) -> Result<(), sandbox::Error> {
        let _held = folder.lock(PATIENCE)?;
        let mut on_disk = OnDisk::read(folder);
        on_disk.format = FORMAT;
        for id in &self.forgotten {
            on_disk.issues.remove(id);
        }
        for id in &self.recorded {
            if let Some(built) = self.issues.get(id)
                && Stamp::at(&self.pdf_path(id)) == Some(built.pdf.stamp())
            {
                on_disk.issues.insert(id.clone(), built.clone());
            }
        }
        on_disk.files.append(&mut self.files);
        on_disk.files.retain(|rel, _| used_files(rel));
        let json = serde_json::to_vec_pretty(&on_disk).expect("manifest serialises");
        folder.replace(MANIFEST_FILE, &json)?;
        self.issues = on_disk.issues;
        self.files = on_disk.files;
        self.recorded.clear();
        self.forgotten.clear();
        self.files_changed = false;
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

    fn folder(dir: &tempfile::TempDir) -> Folder {
        let root = dir.path().canonicalize().unwrap();
        Folder::open(&root, &root).unwrap()
    }

    #[test]
    fn a_pdf_is_current_only_while_it_is_the_one_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let out = folder(&dir);
        let h: Hash = Sha256::digest(b"inputs").into();
        let written = out.replace("004.pdf", b"%PDF-1.7 one").unwrap();
        let mut m = Manifest::load(&out);
        m.record("004", &h, &WrittenPdf::new(written, b"%PDF-1.7 one"));
        m.save(&out, &|_| true).unwrap();
        let mut m = Manifest::load(&out);
        assert!(m.is_current("004", &h));
        assert!(!m.is_current("004", &Sha256::digest(b"other").into()));
        // Another PDF of the very same size: not current.
        out.replace("004.pdf", b"%PDF-1.7 two").unwrap();
        assert!(!m.is_current("004", &h));
        // The same bytes again (a restored cache): current, stamped anew.
        out.replace("004.pdf", b"%PDF-1.7 one").unwrap();
        assert!(m.is_current("004", &h));
        assert!(m.changed());
    }

    #[test]
    fn a_record_whose_pdf_was_replaced_since_is_not_saved() {
        let dir = tempfile::tempdir().unwrap();
        let out = folder(&dir);
        let (h1, h2): (Hash, Hash) = (
            Sha256::digest(b"text 1").into(),
            Sha256::digest(b"text 2").into(),
        );
        // Two runs, loaded before either wrote.
        let mut first = Manifest::load(&out);
        let mut second = Manifest::load(&out);
        let two = out.replace("001.pdf", b"%PDF two").unwrap();
        second.record("001", &h2, &WrittenPdf::new(two, b"%PDF two"));
        let one = out.replace("001.pdf", b"%PDF one").unwrap();
        first.record("001", &h1, &WrittenPdf::new(one, b"%PDF one"));
        let three = out.replace("002.pdf", b"%PDF three").unwrap();
        first.record("002", &h1, &WrittenPdf::new(three, b"%PDF three"));
        first.save(&out, &|_| true).unwrap();
        second.save(&out, &|_| true).unwrap();
        let mut m = Manifest::load(&out);
        assert!(
            m.is_current("001", &h1),
            "the PDF on disk is the first run's"
        );
        assert!(!m.is_current("001", &h2));
        assert!(
            m.is_current("002", &h1),
            "the second run kept the first's record"
        );
    }
}
