//! `--format docx`: an issue as a Word document (WordprocessingML) on the
//! same GB/T 9704 grid as the PDF, for an office that asks for "the Word
//! version": A4 with the 公文 margins, a document grid of 22 lines × 28
//! characters, real named styles (简报标题, 一级标题 …) an office can
//! restyle, the red masthead and rule, 本期要目 with page numbers, tables,
//! pictures, attachments, the 版记 at the foot of the last page and the
//! page numbers outside on odd and even pages.
//!
//! The document is made from the structure of the issue (its blocks), not
//! from the PDF's pages: Word and WPS break lines and pages themselves.
//! What only the composer knows is taken from it: the page each article
//! starts on (the cached result of the 本期要目's `PAGEREF` fields), each
//! picture's size as the PDF prints it, each table's column widths and
//! type size, the blank lines of page 1 and the title's line breaks.
//!
//! `styles.rs` writes the styles and names the fonts, `document.rs` the
//! body, `package.rs` the other parts and the zip; `xml.rs` the escaping
//! and the units.

mod document;
mod error;
mod package;
mod styles;
mod xml;

use std::path::Path;

use crate::config::Config;
use crate::fonts::Fonts;
use crate::issue::Issue;

pub use error::DocxError;
pub use styles::OfficeFonts;
pub use xml::{condense, line_pitch};

/// The .docx of an issue, and its page count in the PDF (Word's own may
/// differ by a page: it breaks lines itself). The same issue, publication
/// and fonts give the same bytes.
pub fn document(
    issue: &Issue,
    config: &Config,
    fonts: &Fonts,
    root: &Path,
) -> Result<(Vec<u8>, usize), DocxError> {
    // The text as the PDF prints it: cleaned unless the office wants it
    // as typed.
    let cleaned;
    let issue = if config.clean_text {
        cleaned = crate::clean::cleaned(issue);
        &cleaned
    } else {
        issue
    };
    let laid = crate::compose::compose(issue, config, fonts, root);
    let office = OfficeFonts::of(&config.fonts);
    let body = document::Body::write(issue, config, fonts, root, &laid, &office)?;
    let bytes = package::package(issue, config, &laid, &office, body)?;
    Ok((bytes, laid.pages.len()))
}
