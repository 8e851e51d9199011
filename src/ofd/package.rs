//! The OFD package (GB/T 33190—2016 §7): a zip with `OFD.xml` (the entry:
//! document metadata and where the document is), `Doc_0/Document.xml`
//! (page area, the pages, the outline), `PublicRes.xml` (colour spaces,
//! fonts), `DocumentRes.xml` (pictures), a `Content.xml` per page and
//! the font and picture files under `Doc_0/Res/`. The parts are written
//! in one order with fixed dates, so the same pages give the same bytes.

use std::fmt::Write;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::res::Resources;
use super::xml::{NS, escape, num};

/// What `OFD.xml`'s `DocInfo` says.
pub struct DocInfo {
    /// 32 hexadecimal digits, stable for an issue across builds.
    pub id: String,
    pub title: String,
    /// `YYYY-MM-DD`, the issue date: `CreationDate` and `ModDate`, as
    /// the PDF dates itself (the same input, the same bytes).
    pub date: String,
    pub creator_version: String,
}

/// An outline entry: its title, the page (from 0) it opens and where on
/// it (mm from the page's top), and entries below it (an article under
/// its 栏目).
pub struct Outline {
    pub title: String,
    pub page: usize,
    pub top: f64,
    pub children: Vec<Outline>,
}

/// How a font resource is named (`FontName`, `FamilyName`, `Bold`), in
/// the order of the resources' fonts.
pub struct FontName {
    pub name: String,
    pub family: String,
    pub bold: bool,
}

/// A page: its size (mm) and `Content.xml`.
pub struct PageXml {
    pub width: f64,
    pub height: f64,
    pub content: String,
}

/// The package's bytes.
pub fn package(
    info: &DocInfo,
    pages: Vec<PageXml>,
    outlines: &[Outline],
    mut res: Resources,
    names: Vec<FontName>,
) -> Result<Vec<u8>, String> {
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    let header = r#"<?xml version="1.0" encoding="UTF-8"?>"#;
    parts.push((
        "OFD.xml".into(),
        format!(
            "{header}\n<ofd:OFD xmlns:ofd=\"{NS}\" Version=\"1.0\" DocType=\"OFD\"><ofd:DocBody><ofd:DocInfo><ofd:DocID>{0}</ofd:DocID><ofd:Title>{1}</ofd:Title><ofd:CreationDate>{2}</ofd:CreationDate><ofd:ModDate>{2}</ofd:ModDate><ofd:Creator>jianbao</ofd:Creator><ofd:CreatorVersion>{3}</ofd:CreatorVersion></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>\n",
            escape(&info.id),
            escape(&info.title),
            escape(&info.date),
            escape(&info.creator_version)
        )
        .into_bytes(),
    ));
    let page_ids: Vec<u32> = pages.iter().map(|_| res.id()).collect();
    // The usual page: the first's (every page of a 简报 is A4 portrait).
    let (width, height) = pages
        .first()
        .map_or((210.0, 297.0), |p| (p.width, p.height));
    let area = |w: f64, h: f64| {
        format!(
            "<ofd:PhysicalBox>0 0 {0} {1}</ofd:PhysicalBox><ofd:ApplicationBox>0 0 {0} {1}</ofd:ApplicationBox>",
            num(w),
            num(h)
        )
    };
    let mut document = format!(
        "{header}\n<ofd:Document xmlns:ofd=\"{NS}\"><ofd:CommonData><ofd:MaxUnitID>{}</ofd:MaxUnitID><ofd:PageArea>{}</ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes></ofd:CommonData><ofd:Pages>",
        res.max_id(),
        area(width, height)
    );
    for (k, id) in page_ids.iter().enumerate() {
        let _ = write!(
            document,
            r#"<ofd:Page ID="{id}" BaseLoc="Pages/Page_{k}/Content.xml"/>"#
        );
    }
    document.push_str("</ofd:Pages>");
    if !outlines.is_empty() {
        document.push_str("<ofd:Outlines>");
        for o in outlines {
            outline(&mut document, o, &page_ids);
        }
        document.push_str("</ofd:Outlines>");
    }
    document.push_str("</ofd:Document>\n");
    parts.push(("Doc_0/Document.xml".into(), document.into_bytes()));

    let mut public = format!("{header}\n<ofd:Res xmlns:ofd=\"{NS}\" BaseLoc=\"Res\">");
    let spaces: Vec<(u32, &str)> = [(res.cmyk, "CMYK"), (res.gray, "GRAY")]
        .into_iter()
        .filter_map(|(id, kind)| Some((id?, kind)))
        .collect();
    if !spaces.is_empty() {
        public.push_str("<ofd:ColorSpaces>");
        for (id, kind) in spaces {
            let _ = write!(
                public,
                r#"<ofd:ColorSpace ID="{id}" Type="{kind}" BitsPerComponent="8"/>"#
            );
        }
        public.push_str("</ofd:ColorSpaces>");
    }
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    if !res.fonts.is_empty() {
        public.push_str("<ofd:Fonts>");
        for (font, name) in res.fonts.iter().zip(&names) {
            let file = font.file_name();
            let bold = if name.bold { r#" Bold="true""# } else { "" };
            let _ = write!(
                public,
                r#"<ofd:Font ID="{}" FontName="{}" FamilyName="{}"{bold}><ofd:FontFile>{file}</ofd:FontFile></ofd:Font>"#,
                font.id,
                escape(&name.name),
                escape(&name.family)
            );
            files.push((format!("Doc_0/Res/{file}"), font.subset()?));
        }
        public.push_str("</ofd:Fonts>");
    }
    public.push_str("</ofd:Res>\n");
    parts.push(("Doc_0/PublicRes.xml".into(), public.into_bytes()));

    let mut document_res = format!("{header}\n<ofd:Res xmlns:ofd=\"{NS}\" BaseLoc=\"Res\">");
    if !res.media.is_empty() {
        document_res.push_str("<ofd:MultiMedias>");
        for m in &res.media {
            let file = m.file_name();
            let _ = write!(
                document_res,
                r#"<ofd:MultiMedia ID="{}" Type="Image" Format="{}"><ofd:MediaFile>{file}</ofd:MediaFile></ofd:MultiMedia>"#,
                m.id, m.format
            );
        }
        document_res.push_str("</ofd:MultiMedias>");
    }
    document_res.push_str("</ofd:Res>\n");
    parts.push(("Doc_0/DocumentRes.xml".into(), document_res.into_bytes()));

    for (k, page) in pages.into_iter().enumerate() {
        parts.push((
            format!("Doc_0/Pages/Page_{k}/Content.xml"),
            page.content.into_bytes(),
        ));
    }
    for m in res.media.drain(..) {
        files.push((format!("Doc_0/Res/{}", m.file_name()), m.bytes));
    }
    parts.extend(files);
    zip(parts)
}

fn outline(out: &mut String, o: &Outline, page_ids: &[u32]) {
    let Some(page) = page_ids.get(o.page) else {
        return;
    };
    let _ = write!(
        out,
        r#"<ofd:OutlineElem Title="{}"><ofd:Actions><ofd:Action Event="CLICK"><ofd:Goto><ofd:Dest Type="XYZ" PageID="{page}" Left="0" Top="{}"/></ofd:Goto></ofd:Action></ofd:Actions>"#,
        escape(&o.title),
        num(o.top)
    );
    for child in &o.children {
        outline(out, child, page_ids);
    }
    out.push_str("</ofd:OutlineElem>");
}

/// The parts zipped in the order given, deflated, dated 1980-01-01.
fn zip(parts: Vec<(String, Vec<u8>)>) -> Result<Vec<u8>, String> {
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    for (name, bytes) in parts {
        use std::io::Write as _;
        zip.start_file(name, options).map_err(|e| e.to_string())?;
        zip.write_all(&bytes).map_err(|e| e.to_string())?;
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}
