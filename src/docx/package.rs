//! The .docx package: the parts (document, styles, settings, the two
//! footers, the font table, the pictures, the document's properties),
//! their relationships and content types, in a zip.
//!
//! Same input, same bytes: the parts are written in a fixed order, every
//! entry with the same timestamp (1980-01-01, the zip format's first
//! date, rather than the time of the build) and the same permissions, and
//! the document's dates are the issue's date, so an unchanged issue gives
//! a file a version-control system, a checksum or a web cache sees as
//! unchanged.

use std::io::Write;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::document::{Body, FOOTER_EVEN, FOOTER_ODD};
use super::error::DocxError;
use super::styles::{self, OfficeFonts, id};
use super::xml::{escape, pt_twips};
use crate::config::Config;
use crate::issue::Issue;
use crate::layout_data::LayoutData;
use crate::layout_data::geometry::CLOSING_PT;

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

const NS_DOCUMENT: &str = concat!(
    r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" "#,
    r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" "#,
    r#"xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" "#,
    r#"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" "#,
    r#"xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture""#
);

const REL_TYPE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

pub fn package(
    issue: &Issue,
    config: &Config,
    laid: &LayoutData,
    fonts: &OfficeFonts,
    body: Body,
) -> Result<Vec<u8>, DocxError> {
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |name: &str, text: String| parts.push((name.to_string(), text.into_bytes()));

    // Content types: by extension for the pictures, by part for the rest.
    let mut types = format!(
        concat!(
            "{}",
            r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
            r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
            r#"<Default Extension="xml" ContentType="application/xml"/>"#
        ),
        XML_HEAD
    );
    for (ext, mime) in [("png", "image/png"), ("jpeg", "image/jpeg")] {
        if body.media.iter().any(|m| m.name.ends_with(ext)) {
            types += &format!(r#"<Default Extension="{ext}" ContentType="{mime}"/>"#);
        }
    }
    for (part, kind) in [
        ("/word/document.xml", "wordprocessingml.document.main"),
        ("/word/styles.xml", "wordprocessingml.styles"),
        ("/word/settings.xml", "wordprocessingml.settings"),
        ("/word/fontTable.xml", "wordprocessingml.fontTable"),
        ("/word/footer1.xml", "wordprocessingml.footer"),
        ("/word/footer2.xml", "wordprocessingml.footer"),
        ("/docProps/app.xml", "extended-properties"),
    ] {
        types += &format!(
            r#"<Override PartName="{part}" ContentType="application/vnd.openxmlformats-officedocument.{kind}+xml"/>"#
        );
    }
    types += r#"<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>"#;
    types += "</Types>";
    add("[Content_Types].xml", types);

    add(
        "_rels/.rels",
        format!(
            concat!(
                "{}",
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
                r#"<Relationship Id="rId1" Type="{r}/officeDocument" Target="word/document.xml"/>"#,
                r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>"#,
                r#"<Relationship Id="rId3" Type="{r}/extended-properties" Target="docProps/app.xml"/>"#,
                "</Relationships>"
            ),
            XML_HEAD,
            r = REL_TYPE
        ),
    );

    // The document's properties: its title as the PDF's, dated the issue's
    // date (not the build's time: the same input gives the same bytes).
    let date = issue.date().format("%Y-%m-%dT00:00:00Z");
    let title = escape(&laid.title);
    let publisher = escape(
        issue
            .front
            .publisher
            .as_deref()
            .unwrap_or(&config.imprint.publisher),
    );
    add(
        "docProps/core.xml",
        format!(
            concat!(
                "{head}",
                r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" "#,
                r#"xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" "#,
                r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
                "<dc:title>{title}</dc:title><dc:creator>{publisher}</dc:creator>",
                "<dc:language>zh-CN</dc:language>",
                r#"<dcterms:created xsi:type="dcterms:W3CDTF">{date}</dcterms:created>"#,
                r#"<dcterms:modified xsi:type="dcterms:W3CDTF">{date}</dcterms:modified>"#,
                "</cp:coreProperties>"
            ),
            head = XML_HEAD,
            title = title,
            publisher = publisher,
            date = date
        ),
    );
    add(
        "docProps/app.xml",
        format!(
            concat!(
                "{}",
                r#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">"#,
                "<Application>jianbao {}</Application><Pages>{}</Pages></Properties>"
            ),
            XML_HEAD,
            env!("CARGO_PKG_VERSION"),
            laid.pages.len()
        ),
    );

    add(
        "word/document.xml",
        format!(
            "{XML_HEAD}<w:document {NS_DOCUMENT}><w:body>{}</w:body></w:document>",
            body.xml
        ),
    );
    add("word/styles.xml", styles::styles(fonts));
    add("word/fontTable.xml", styles::font_table(fonts));
    add("word/settings.xml", settings());
    add("word/footer1.xml", footer(true));
    add("word/footer2.xml", footer(false));

    let mut rels = format!(
        concat!(
            "{}",
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
            r#"<Relationship Id="rIdStyles" Type="{r}/styles" Target="styles.xml"/>"#,
            r#"<Relationship Id="rIdSettings" Type="{r}/settings" Target="settings.xml"/>"#,
            r#"<Relationship Id="rIdFontTable" Type="{r}/fontTable" Target="fontTable.xml"/>"#,
            r#"<Relationship Id="{odd}" Type="{r}/footer" Target="footer1.xml"/>"#,
            r#"<Relationship Id="{even}" Type="{r}/footer" Target="footer2.xml"/>"#
        ),
        XML_HEAD,
        r = REL_TYPE,
        odd = FOOTER_ODD,
        even = FOOTER_EVEN
    );
    for m in &body.media {
        rels += &format!(
            r#"<Relationship Id="{}" Type="{REL_TYPE}/image" Target="media/{}"/>"#,
            m.rel, m.name
        );
    }
    rels += "</Relationships>";
    add("word/_rels/document.xml.rels", rels);
    for m in body.media {
        parts.push((format!("word/media/{}", m.name), m.bytes));
    }
    zip(parts)
}

/// `word/settings.xml`: odd and even pages with footers of their own;
/// full-width punctuation not compressed (each on its grid cell, as in
/// the PDF); Word 2013+ layout.
fn settings() -> String {
    format!(
        concat!(
            "{}",
            r#"<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
            r#"<w:zoom w:percent="100"/><w:defaultTabStop w:val="420"/><w:evenAndOddHeaders/>"#,
            r#"<w:characterSpacingControl w:val="doNotCompress"/>"#,
            r#"<w:compat><w:spaceForUL/><w:balanceSingleByteDoubleByteWidth/><w:doNotLeaveBackslashAlone/>"#,
            r#"<w:ulTrailSpace/><w:doNotExpandShiftReturn/><w:adjustLineHeightInTable/><w:useFELayout/>"#,
            r#"<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>"#,
            r#"<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/></w:settings>"#
        ),
        XML_HEAD
    )
}

/// A footer with the page number `— N —` (a `PAGE` field), 4号 宋体: on
/// odd pages flush right, on even pages flush left, inset 1 字.
fn footer(odd: bool) -> String {
    let em = pt_twips(CLOSING_PT);
    let (jc, ind) = if odd {
        (
            "right",
            format!(r#"<w:ind w:right="{em}" w:firstLine="0" w:firstLineChars="0"/>"#),
        )
    } else {
        (
            "left",
            format!(r#"<w:ind w:left="{em}" w:firstLine="0" w:firstLineChars="0"/>"#),
        )
    };
    format!(
        concat!(
            "{head}",
            r#"<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" "#,
            r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
            r#"<w:p><w:pPr><w:pStyle w:val="{style}"/>{ind}<w:jc w:val="{jc}"/></w:pPr>"#,
            r#"<w:r><w:t xml:space="preserve">— </w:t></w:r>"#,
            r#"<w:r><w:fldChar w:fldCharType="begin"/></w:r>"#,
            r#"<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>"#,
            r#"<w:r><w:fldChar w:fldCharType="separate"/></w:r>"#,
            r#"<w:r><w:t>1</w:t></w:r>"#,
            r#"<w:r><w:fldChar w:fldCharType="end"/></w:r>"#,
            r#"<w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>"#
        ),
        head = XML_HEAD,
        style = id::FOOTER,
        ind = ind,
        jc = jc
    )
}

/// The parts as a zip, deflated, in the order given, each dated
/// 1980-01-01 00:00 (the zip format's first date) with the same mode.
fn zip(parts: Vec<(String, Vec<u8>)>) -> Result<Vec<u8>, DocxError> {
    let fail = |e: &dyn std::fmt::Display| DocxError::Package(e.to_string());
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    for (name, bytes) in parts {
        zip.start_file(name, options).map_err(|e| fail(&e))?;
        zip.write_all(&bytes).map_err(|e| fail(&e))?;
    }
    let cursor = zip.finish().map_err(|e| fail(&e))?;
    Ok(cursor.into_inner())
}
