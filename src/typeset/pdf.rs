//! PDF export: reproducible bytes (creation date from the issue date, a
//! stable document id). They are written by [`crate::sandbox::Folder`]:
//! to a temporary file renamed into place, so a failed build never leaves
//! a partial PDF or replaces a good one.

use chrono::Datelike;
use typst::diag::SourceResult;
use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandards, Timestamp};

use crate::config::PdfStandard;

fn typst_standard(standard: PdfStandard) -> typst_pdf::PdfStandard {
    use typst_pdf::PdfStandard as T;
    match standard {
        PdfStandard::V1_4 => T::V_1_4,
        PdfStandard::V1_5 => T::V_1_5,
        PdfStandard::V1_6 => T::V_1_6,
        PdfStandard::V1_7 => T::V_1_7,
        PdfStandard::V2_0 => T::V_2_0,
        PdfStandard::A1b => T::A_1b,
        PdfStandard::A1a => T::A_1a,
        PdfStandard::A2b => T::A_2b,
        PdfStandard::A2u => T::A_2u,
        PdfStandard::A2a => T::A_2a,
        PdfStandard::A3b => T::A_3b,
        PdfStandard::A3u => T::A_3u,
        PdfStandard::A3a => T::A_3a,
        PdfStandard::A4 => T::A_4,
        PdfStandard::A4f => T::A_4f,
        PdfStandard::A4e => T::A_4e,
        PdfStandard::Ua1 => T::Ua_1,
    }
}

/// PDF bytes of a laid-out issue. `ident` identifies the issue across
/// builds (publication and issue id), `date` is the issue date (also the
/// document date PDF/A requires).
pub fn export_pdf(
    doc: &PagedDocument,
    ident: &str,
    date: chrono::NaiveDate,
    standard: Option<PdfStandard>,
) -> SourceResult<Vec<u8>> {
    let standards = match standard {
        None => PdfStandards::default(),
        // One standard alone always has a PDF version to go with.
        Some(s) => PdfStandards::new(&[typst_standard(s)]).expect("a single PDF standard"),
    };
    let timestamp =
        Datetime::from_ymd_hms(date.year(), date.month() as u8, date.day() as u8, 0, 0, 0)
            .map(Timestamp::new_utc);
    let options = PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        creator: Smart::Custom(Some(format!("jianbao {}", env!("CARGO_PKG_VERSION")))),
        timestamp,
        standards,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(doc, &options)
}
