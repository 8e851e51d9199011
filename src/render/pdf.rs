//! PDF export: reproducible bytes (creation date from the issue date, a
//! stable document id) written to a temporary file and renamed into place,
//! so a failed build never leaves a partial PDF or replaces a good one.

use std::io::Write;
use std::path::Path;

use chrono::Datelike;
use typst::diag::SourceResult;
use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

/// PDF bytes of a laid-out issue. `ident` identifies the issue across
/// builds (publication and issue id), `date` is the issue date.
pub fn export_pdf(
    doc: &PagedDocument,
    ident: &str,
    date: chrono::NaiveDate,
) -> SourceResult<Vec<u8>> {
    let timestamp =
        Datetime::from_ymd_hms(date.year(), date.month() as u8, date.day() as u8, 0, 0, 0)
            .map(Timestamp::new_utc);
    let options = PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        creator: Smart::Custom(Some(format!("jianbao {}", env!("CARGO_PKG_VERSION")))),
        timestamp,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(doc, &options)
}

/// Writes `bytes` to `path` via a temporary file in the same folder.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    // A file that is replaced keeps its permissions (an issue file made
    // private stays private).
    let keep = std::fs::metadata(path).ok().map(|m| m.permissions());
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if let Some(p) = keep {
            std::fs::set_permissions(&tmp, p)?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
