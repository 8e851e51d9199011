//! `--format ofd`: an issue as an OFD (GB/T 33190—2016), the fixed-layout
//! format of China's e-document systems and archives, with the same pages
//! as the PDF. It is written from typst's laid-out pages (every glyph
//! where the composer and typst placed it), not converted from the PDF:
//! `page.rs` turns each page's frame into a `Content.xml`, `font.rs`
//! embeds each face as a subset, `res.rs` hands out the resources' IDs,
//! `package.rs` writes the document's parts and the zip, `xml.rs` the
//! escaping and the numbers.

mod font;
mod package;
mod page;
mod res;
mod xml;

use sha2::{Digest, Sha256};
use typst_layout::PagedDocument;

use crate::docx::OfficeFonts;
use crate::fonts::Role;
use crate::issue::{Block, Issue};
use crate::layout_data::{LayoutData, Row};
use package::{DocInfo, FontName, Outline, PageXml};
use res::Resources;

/// Why an issue could not be written as an OFD.
#[derive(Debug, Clone, PartialEq)]
pub struct OfdError(pub String);

impl std::fmt::Display for OfdError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "无法生成 OFD：{}", self.0)
    }
}

/// An issue's OFD, and what the clerk should know about it.
pub struct Written {
    pub bytes: Vec<u8>,
    pub notes: Vec<String>,
}

/// The .ofd of a laid-out issue: `doc` its pages, `data` what the layout
/// drew them from (its rows, its fonts' roles), `ident` what identifies
/// the issue across builds, `office` the names of the faces an office has
/// installed (as the .docx names them), `clean_text` whether the text
/// was cleaned before layout (`[output]`'s `clean_text`). The same pages
/// give the same bytes.
pub fn document(
    doc: &PagedDocument,
    data: &LayoutData,
    issue: &Issue,
    ident: &str,
    office: &OfficeFonts,
    clean_text: bool,
) -> Result<Written, OfdError> {
    let mut res = Resources::default();
    let mut pages = Vec::with_capacity(doc.pages().len());
    let (mut clipped, mut flattened) = (Vec::new(), Vec::new());
    for (k, page) in doc.pages().iter().enumerate() {
        let (content, departures) = page::content(page, &mut res).map_err(OfdError)?;
        if departures.clipped {
            clipped.push((k + 1).to_string());
        }
        if departures.flattened {
            flattened.push((k + 1).to_string());
        }
        let size = page.frame.size();
        pages.push(PageXml {
            width: size.x.to_pt() * xml::MM_PER_PT,
            height: size.y.to_pt() * xml::MM_PER_PT,
            content,
        });
    }
    let digest = Sha256::digest(ident.as_bytes());
    let info = DocInfo {
        id: digest[..16].iter().map(|b| format!("{b:02x}")).collect(),
        title: data.title.clone(),
        date: issue.date().format("%Y-%m-%d").to_string(),
        creator_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    // The titles as printed: cleaned as the layout's text was, unless
    // the office wants them as typed.
    let outlines = if clean_text {
        outlines(&crate::clean::cleaned(issue), data)
    } else {
        outlines(issue, data)
    };
    let names = res
        .fonts
        .iter()
        .map(|f| font_name(&f.font, data, office))
        .collect();
    let bytes = package::package(&info, pages, &outlines, res, names).map_err(OfdError)?;
    let mut notes = Vec::new();
    if !clipped.is_empty() {
        notes.push(format!(
            "版式在第 {} 页裁剪了内容（clip），OFD 里没有裁剪，裁掉的部分也会显示",
            clipped.join("、")
        ));
    }
    if !flattened.is_empty() {
        notes.push(format!(
            "版式在第 {} 页用了渐变或图案填充，OFD 里画成了单色（渐变取中间的颜色，图案用浅灰）",
            flattened.join("、")
        ));
    }
    Ok(Written { bytes, notes })
}

/// The outline: every article's title (whether or not the issue prints a
/// 本期要目: an archive's reader navigates by it all the same), under its
/// 【栏目】 when it has one, each opening its page at the title (the 栏目 at
/// its label). Found in the laid-out rows in the body's order: a title is
/// the next row set in the title face (not red: the masthead) whose text
/// begins its first line; a label the last grid row before its first
/// title that holds its text.
fn outlines(issue: &Issue, data: &LayoutData) -> Vec<Outline> {
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    // Every row, in reading order: (page, its top in mm, its text, whether
    // a title may stand on it).
    let rows: Vec<(usize, f64, String, bool)> = data
        .pages
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.landscape)
        .flat_map(|(k, p)| p.rows.iter().map(move |r| (k, r)))
        .map(|(k, placed)| {
            let top = data.grid.top + placed.line * data.grid.pitch;
            let (text, title) = match &placed.row {
                Row::Text { items, .. } => (
                    items.iter().map(|i| i.text.as_str()).collect::<String>(),
                    items.iter().all(|i| i.role == Role::Title && !i.red),
                ),
                Row::Grid { runs, number, .. } if number.is_none() => {
                    (runs.iter().map(|r| r.text.as_str()).collect(), false)
                }
                _ => (String::new(), false),
            };
            (k, top, squeeze(&text), title)
        })
        .collect();
    let mut out: Vec<Outline> = Vec::new();
    let mut label: Option<String> = None;
    let mut new_label = false;
    let mut from = 0;
    for block in crate::issue::articles(&issue.body) {
        match block {
            Block::Label(t) => {
                label = Some(t.plain());
                new_label = true;
            }
            Block::Title { lines, .. } => {
                let first = lines
                    .first()
                    .map(|l| squeeze(&l.plain()))
                    .unwrap_or_default();
                let Some(at) = rows[from..]
                    .iter()
                    .position(|(_, _, text, title)| {
                        *title && !text.is_empty() && first.starts_with(text.as_str())
                    })
                    .map(|k| from + k)
                else {
                    continue;
                };
                from = at + 1;
                let (page, top, _, _) = rows[at];
                let entry = Outline {
                    title: lines.iter().map(|l| l.plain()).collect::<Vec<_>>().join(""),
                    page,
                    top,
                    children: Vec::new(),
                };
                match &label {
                    // The first title under a label opens its group.
                    Some(l) if new_label => {
                        new_label = false;
                        // The label's row: the nearest above the title.
                        let wanted = squeeze(l);
                        let (page, top) = rows[..at]
                            .iter()
                            .rev()
                            .take(4)
                            .find(|(_, _, text, _)| !wanted.is_empty() && text.contains(&wanted))
                            .map_or((entry.page, entry.top), |r| (r.0, r.1));
                        out.push(Outline {
                            title: l.clone(),
                            page,
                            top,
                            children: vec![entry],
                        });
                    }
                    Some(_) => match out.last_mut() {
                        Some(group) => group.children.push(entry),
                        None => out.push(entry),
                    },
                    None => out.push(entry),
                }
            }
            _ => {}
        }
    }
    out
}

/// How a face is named in `PublicRes.xml`: by the face its role has on an
/// office's computer (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体, 宋体,
/// Times New Roman, or the office's own in `[fonts]`), which a reader
/// that cannot use the embedded subset looks for; `FamilyName` the face
/// Windows 10 ships in its stead (仿宋 for 仿宋_GB2312). A 小标宋 is never
/// flagged bold (the stand-in's bold cut is embedded; a reader would
/// embolden the 小标宋 it substitutes). A face no role names (none, in
/// jianbao's layouts) keeps its own family.
fn font_name(font: &typst::text::Font, data: &LayoutData, office: &OfficeFonts) -> FontName {
    let info = font.info();
    let family = info.family.to_lowercase();
    let weight = info.variant.weight.to_number();
    let named = |r: &&crate::layout_data::FontRole| {
        r.families.iter().any(|f| f.name().to_lowercase() == family)
    };
    let role = data
        .fonts
        .iter()
        .filter(named)
        .find(|r| r.weight == weight)
        .or_else(|| data.fonts.iter().find(named))
        .map(|r| r.role);
    let name = match role {
        Some(Role::Title) => Some(&office.title),
        Some(Role::Body) => Some(&office.body),
        Some(Role::Heading) => Some(&office.heading),
        Some(Role::Subheading) => Some(&office.subheading),
        Some(Role::Song) => Some(&office.song),
        Some(Role::Latin) => Some(&office.latin),
        Some(Role::Fallback) | None => None,
    };
    match name {
        Some(name) => FontName {
            name: name.clone(),
            family: match name.as_str() {
                "仿宋_GB2312" => "仿宋",
                "楷体_GB2312" => "楷体",
                "方正小标宋简体" => "方正小标宋_GBK",
                other => other,
            }
            .to_string(),
            bold: role != Some(Role::Title) && weight >= 600,
        },
        None => FontName {
            name: info.family.clone(),
            family: info.family.clone(),
            bold: weight >= 600,
        },
    }
}
