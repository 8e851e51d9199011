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

use crate::issue::{Block, Issue};
use crate::layout_data::{LayoutData, Row};
use package::{DocInfo, Outline, PageXml};
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
/// drew them from (the 本期要目's page numbers), `ident` what identifies
/// the issue across builds. The same pages give the same bytes.
pub fn document(
    doc: &PagedDocument,
    data: &LayoutData,
    issue: &Issue,
    ident: &str,
) -> Result<Written, OfdError> {
    let mut res = Resources::default();
    let mut pages = Vec::with_capacity(doc.pages().len());
    let mut clipped = Vec::new();
    for (k, page) in doc.pages().iter().enumerate() {
        let (content, clips) = page::content(page, &mut res).map_err(OfdError)?;
        if clips {
            clipped.push((k + 1).to_string());
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
    let outlines = outlines(issue, data);
    let bytes = package::package(&info, pages, &outlines, res).map_err(OfdError)?;
    let notes = if clipped.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "版式在第 {} 页裁剪了内容（clip），OFD 里没有裁剪，裁掉的部分也会显示",
            clipped.join("、")
        )]
    };
    Ok(Written { bytes, notes })
}

/// The outline: the 本期要目's entries, each article's title opening the
/// page the 本期要目 gives it, under its 栏目 when it has one. None when
/// the issue has no 本期要目 (fewer than two articles, or turned off).
fn outlines(issue: &Issue, data: &LayoutData) -> Vec<Outline> {
    let numbers: Vec<usize> = data
        .pages
        .iter()
        .flat_map(|p| &p.rows)
        .filter_map(|r| match &r.row {
            Row::Grid {
                number: Some(n), ..
            } => n.trim().parse::<usize>().ok(),
            _ => None,
        })
        .collect();
    let mut out: Vec<Outline> = Vec::new();
    let mut label: Option<String> = None;
    let mut k = 0;
    for block in crate::issue::articles(&issue.body) {
        match block {
            Block::Label(t) => label = Some(t.plain()),
            Block::Title { lines, .. } => {
                let Some(&page) = numbers.get(k) else { break };
                k += 1;
                let entry = Outline {
                    title: lines.iter().map(|l| l.plain()).collect::<Vec<_>>().join(""),
                    page: page.saturating_sub(1),
                    children: Vec::new(),
                };
                match &label {
                    Some(l) => match out.last_mut() {
                        Some(group) if &group.title == l && !group.children.is_empty() => {
                            group.children.push(entry)
                        }
                        _ => out.push(Outline {
                            title: l.clone(),
                            page: entry.page,
                            children: vec![entry],
                        }),
                    },
                    None => out.push(entry),
                }
            }
            _ => {}
        }
    }
    out
}
