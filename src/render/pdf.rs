//! PDF export: reproducible bytes (creation date from the issue date, a
//! stable document id). They are written with
//! [`crate::sandbox::write_atomically`]: to a temporary file renamed into
//! place, so a failed build never leaves a partial PDF or replaces a good
//! one.

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
