//! `jianbao build --format docx`: the real binary on this repository's
//! issue 4 and the fixtures, the .docx unzipped and its XML read back:
//! the page and its grid, the styles and the fonts they name, every line
//! a reader must see (`tests/it/data/printed`) in order, tables with
//! their column widths and repeated headers, pictures, footers with the
//! page number, 本期要目 with its page references, and the same bytes
//! from the same input. What LibreOffice makes of the file is
//! `tests/docx_libreoffice.rs`.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::common::*;

/// The parts of a .docx, by name.
struct Docx {
    parts: std::collections::BTreeMap<String, Vec<u8>>,
}

impl Docx {
    fn read(path: &Path) -> Docx {
        let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut zip = zip::ZipArchive::new(file).expect("a zip");
        let mut parts = std::collections::BTreeMap::new();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            parts.insert(entry.name().unwrap().to_string(), bytes);
        }
        Docx { parts }
    }

    fn xml(&self, name: &str) -> String {
        String::from_utf8(
            self.parts
                .get(name)
                .unwrap_or_else(|| panic!("no {name}"))
                .clone(),
        )
        .expect("UTF-8")
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// The text of each `w:t` in document order.
fn texts(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find("<w:t") {
        rest = &rest[i + 4..];
        // `<w:t>` or `<w:t xml:space=…>`, not `<w:tbl`, `<w:tab` ….
        if !(rest.starts_with('>') || rest.starts_with(' ')) {
            continue;
        }
        let open = rest.find('>').unwrap();
        if rest[..open].ends_with('/') {
            continue;
        }
        let close = rest.find("</w:t>").unwrap();
        out.push(unescape(&rest[open + 1..close]));
        rest = &rest[close..];
    }
    out
}

/// Every value of `attr` on the elements `element` (`<w:gridCol w:w="…"`).
fn attrs<'x>(xml: &'x str, element: &str, attr: &str) -> Vec<&'x str> {
    let open = format!("<{element} ");
    xml.match_indices(&open)
        .filter_map(|(i, _)| {
            let tag = &xml[i..i + xml[i..].find('>').unwrap()];
            let key = format!("{attr}=\"");
            tag.find(&key).map(|k| {
                let v = &tag[k + key.len()..];
                &v[..v.find('"').unwrap()]
            })
        })
        .collect()
}

fn no_space(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Builds the publication `src` (copied) as .docx into `out/` and returns
/// the copy and the paths of the .docx files, by issue id.
fn build_docx(src: &Path) -> (tempfile::TempDir, Vec<(String, PathBuf)>) {
    let dir = copy_publication(src);
    let o = jianbao(dir.path(), &["build", "--format", "docx"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut found = Vec::new();
    let out = dir.path().join("out");
    let mut stack = vec![out.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "docx") {
                let id = p.strip_prefix(&out).unwrap().with_extension("");
                found.push((id.to_string_lossy().into_owned(), p));
            }
        }
    }
    found.sort();
    assert!(!found.is_empty(), "no .docx written");
    // Nothing else: no PDF, no page picture.
    assert!(
        !out.join("001.pdf").exists() && !out.join("004.pdf").exists(),
        "a PDF was written"
    );
    (dir, found)
}

/// The publications read here: this repository and the fixtures with
/// tables, pictures, attachments, landscape tables and every construct.
fn publications() -> Vec<(&'static str, PathBuf)> {
    vec![
        ("repo", repo()),
        ("tables", fixture("tables")),
        ("pictures", fixture("pictures")),
        ("attachments", fixture("attachments")),
        ("landscape", fixture("landscape")),
        ("features", fixture("features")),
    ]
}

#[test]
fn every_line_a_reader_must_see_is_in_the_document_in_order() {
    for (name, src) in publications() {
        let (_dir, built) = build_docx(&src);
        for (id, path) in built {
            let expected = repo()
                .join("tests/it/data/printed")
                .join(name)
                .join(format!("{id}.txt"));
            let Ok(expected) = std::fs::read_to_string(&expected) else {
                continue;
            };
            let doc = Docx::read(&path);
            let text = no_space(&texts(&doc.xml("word/document.xml")).concat());
            let lines: Vec<String> = expected
                .lines()
                .map(no_space)
                .filter(|l| !l.is_empty())
                .collect();
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            assert!(!lines.is_empty());
            // In order; a header cell merged over two rows is written on
            // the second row's line (the PDF's tagged order) but comes
            // first in the document: a line found right before the one
            // above it is in its place.
            // On the pages a table continues on, the PDF prints 续表N and
            // the header again; Word repeats the header rows itself (they
            // are `w:tblHeader`) and prints no 续表.
            let (mut at, mut before) = (0, 0);
            let mut seen = std::collections::HashSet::new();
            for line in lines {
                if line.starts_with("续表") {
                    continue;
                }
                if let Some(i) = text[at..].find(line) {
                    before = at + i;
                    at += i + line.len();
                    seen.insert(line);
                } else if !text[..before].ends_with(line) && !seen.contains(line) {
                    panic!(
                        "{name} {id}: `{line}` missing or out of order after: {}",
                        text[..at]
                            .chars()
                            .rev()
                            .take(40)
                            .collect::<String>()
                            .chars()
                            .rev()
                            .collect::<String>()
                    );
                }
            }
        }
    }
}

#[test]
fn the_page_the_grid_the_styles_and_the_footers() {
    let (_dir, built) = build_docx(&repo());
    let doc = Docx::read(&built[0].1);
    let document = doc.xml("word/document.xml");
    // A4, GB/T 9704 margins (37, 26, 35, 28 mm in twips), a grid of 22
    // lines of 579 twips (225 mm / 22 = 579.8, rounded down so that Word
    // keeps 22) and 28 characters of 16 − 842/4096 pt (156 mm = 442.25
    // pt / 28 = 15.7946 pt; −841 would give 27.999).
    assert!(
        document.contains(r#"<w:pgSz w:w="11906" w:h="16838"/>"#),
        "A4"
    );
    assert!(document.contains(r#"w:top="2098" w:right="1474" w:bottom="1984" w:left="1587""#));
    assert!(
        document.contains(
            r#"<w:docGrid w:type="linesAndChars" w:linePitch="579" w:charSpace="-842"/>"#
        )
    );
    assert!(
        !document.contains(r#"w:type="lines""#),
        "a section with a line grid only"
    );
    let styles = doc.xml("word/styles.xml");
    // No theme fonts: every font named, the East Asian one explicitly.
    assert!(!styles.contains("Theme"), "a theme font");
    let style = |name: &str| -> String {
        let at = styles
            .find(&format!(r#"<w:name w:val="{name}"/>"#))
            .unwrap_or_else(|| panic!("no style {name}"));
        let start = styles[..at].rfind("<w:style ").unwrap();
        let end = at + styles[at..].find("</w:style>").unwrap();
        styles[start..end].to_string()
    };
    let normal = style("Normal");
    for want in [
        r#"w:eastAsia="仿宋_GB2312""#,
        r#"w:ascii="Times New Roman""#,
        r#"w:hint="eastAsia""#,
        r#"<w:sz w:val="32"/>"#,
        r#"w:firstLineChars="200""#,
        r#"w:line="579" w:lineRule="exact""#,
        // Off the character grid (LibreOffice gives a 16 pt glyph two
        // cells of 15.73 pt), 28 characters of 15.7 pt in the line.
        r#"<w:snapToGrid w:val="0"/>"#,
        r#"<w:spacing w:val="-6"/>"#,
    ] {
        assert!(normal.contains(want), "Normal lacks {want}: {normal}");
    }
    for (name, wants) in [
        (
            "简报标题",
            &[
                r#"w:eastAsia="方正小标宋简体""#,
                r#"<w:sz w:val="44"/>"#,
                "center",
            ][..],
        ),
        ("一级标题", &[r#"w:eastAsia="黑体""#][..]),
        ("二级标题", &[r#"w:eastAsia="楷体_GB2312""#][..]),
        ("三级标题", &[r#"w:eastAsia="仿宋_GB2312""#][..]),
        ("四级标题", &[r#"w:eastAsia="仿宋_GB2312""#][..]),
        ("编者按", &[r#"w:eastAsia="楷体_GB2312""#][..]),
        (
            "图片说明",
            &[r#"w:eastAsia="楷体_GB2312""#, r#"<w:sz w:val="28"/>"#][..],
        ),
        ("版记", &[r#"<w:sz w:val="28"/>"#][..]),
        ("强调（黑体）", &[r#"w:eastAsia="黑体""#][..]),
        ("引题", &[][..]),
        ("副题", &[][..]),
        ("表题", &[][..]),
        ("本期要目", &[r#"w:leader="dot""#][..]),
    ] {
        let s = style(name);
        for want in wants {
            assert!(s.contains(want), "{name} lacks {want}: {s}");
        }
    }
    // Headings are text: no automatic numbering.
    assert!(!document.contains("<w:numPr>") && !doc.parts.contains_key("word/numbering.xml"));
    assert!(document.contains("一、实施党建引领工程"));
    // The masthead in red, the red rule under the 编发单位 line.
    assert!(document.contains(r#"<w:color w:val="FF0000"/>"#));
    assert!(document.contains(r#"w:color="FF0000"/></w:pBdr>"#));
    // Page numbers — N — outside: odd pages right, even pages left.
    let settings = doc.xml("word/settings.xml");
    assert!(settings.contains("<w:evenAndOddHeaders/>"));
    assert!(document.contains(r#"<w:footerReference w:type="default""#));
    assert!(document.contains(r#"<w:footerReference w:type="even""#));
    for (part, side) in [("word/footer1.xml", "right"), ("word/footer2.xml", "left")] {
        let footer = doc.xml(part);
        assert!(footer.contains(" PAGE "), "{part}");
        assert!(
            footer.contains(&format!(r#"<w:jc w:val="{side}"/>"#)),
            "{part}"
        );
        assert_eq!(texts(&footer).concat(), "— 1 —", "{part}");
    }
    // The 版记 floating at the foot of the type area.
    assert!(
        document.contains(r#"w:vertAnchor="margin""#)
            && document.contains(r#"w:tblpYSpec="bottom""#)
    );
    let fonts = doc.xml("word/fontTable.xml");
    assert!(fonts.contains(r#"w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>"#));
}

#[test]
fn tables_fill_the_type_area_and_repeat_their_headers() {
    let (dir, built) = build_docx(&fixture("tables"));
    let mut tables = 0;
    let mut merged = false;
    for (id, path) in &built {
        let document = Docx::read(path).xml("word/document.xml");
        let source = std::fs::read_to_string(dir.path().join(format!("issues/{id}.md"))).unwrap();
        let mut count = 0;
        for table in document.split("<w:tbl>").skip(1) {
            let table = &table[..table.find("</w:tbl>").unwrap()];
            if table.contains("w:tblpPr") {
                continue;
            }
            count += 1;
            let widths: i64 = attrs(table, "w:gridCol", "w:w")
                .iter()
                .map(|w| w.parse::<i64>().unwrap())
                .sum();
            // 156 mm (or 225 mm across a landscape page), in twips.
            assert!(widths == 8845 || widths == 12756, "{id}: columns {widths}");
            let first_row = &table[table.find("<w:tr>").unwrap()..];
            let first_row = &first_row[..first_row.find("</w:tr>").unwrap()];
            assert!(first_row.contains("<w:tblHeader/>"), "{id}: header row");
            merged |= table.contains("<w:gridSpan") || table.contains("<w:vMerge");
        }
        // As many tables as the issue has captions or tables: at least one
        // for every `表N` caption line.
        let captions = source
            .lines()
            .filter(|l| l.starts_with('表') && l.chars().nth(1).is_some_and(|c| c.is_ascii_digit()))
            .count();
        assert!(
            count >= captions,
            "{id}: {count} tables, {captions} captions"
        );
        tables += count;
    }
    assert!(tables >= 5, "{tables} tables");
    assert!(merged, "no merged cell in the tables fixture");
}

#[test]
fn pictures_are_in_the_package_at_their_printed_sizes() {
    let (dir, built) = build_docx(&fixture("pictures"));
    for (id, path) in &built {
        let doc = Docx::read(path);
        let document = doc.xml("word/document.xml");
        let source = std::fs::read_to_string(dir.path().join(format!("issues/{id}.md"))).unwrap();
        let pictures: Vec<&str> = source
            .lines()
            .filter_map(|l| l.trim().strip_prefix("!["))
            .filter_map(|l| l.split_once("](").map(|(_, rest)| rest))
            .map(|rest| &rest[..rest.find(')').unwrap()])
            .collect();
        let extents = attrs(&document, "wp:extent", "cx");
        let heights = attrs(&document, "wp:extent", "cy");
        assert_eq!(extents.len(), pictures.len(), "{id}: drawings");
        let media = doc
            .parts
            .keys()
            .filter(|k| k.starts_with("word/media/"))
            .count();
        let mut distinct = pictures.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(media, distinct.len(), "{id}: one image part per file");
        for ((rel, cx), cy) in pictures.iter().zip(&extents).zip(&heights) {
            let (cx, cy): (f64, f64) = (cx.parse().unwrap(), cy.parse().unwrap());
            // At most the type area's width; the file's own aspect.
            assert!(cx <= 156.0 * 36_000.0 + 1.0, "{rel}: {cx} EMU wide");
            let size = imagesize::size(dir.path().join(rel)).unwrap();
            let aspect = size.width as f64 / size.height as f64;
            assert!(
                ((cx / cy) / aspect - 1.0).abs() < 0.02,
                "{rel}: {cx}×{cy} for {}×{}",
                size.width,
                size.height
            );
        }
    }
}

#[test]
fn contents_entries_refer_to_the_titles_pages() {
    let (_dir, built) = build_docx(&fixture("features"));
    let (_, path) = built.iter().find(|(id, _)| id == "2023/001").unwrap();
    let document = Docx::read(path).xml("word/document.xml");
    // Two articles: two entries, each a PAGEREF to a bookmark at its title.
    for k in 1..=2 {
        let name = format!("_jbArticle{k}");
        assert!(
            document.contains(&format!(" PAGEREF {name} \\h ")),
            "{name}"
        );
        assert!(document.contains(&format!(r#"w:name="{name}""#)), "{name}");
    }
    assert!(!document.contains("_jbArticle3"));
}

#[test]
fn the_same_issue_gives_the_same_bytes() {
    let dir = copy_publication(&repo());
    let out = dir.path().join("out/004.docx");
    let build = || {
        let o = jianbao(dir.path(), &["build", "4", "--format", "docx"]);
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read(&out).unwrap()
    };
    let first = build();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = build();
    assert!(first == second, "two builds differ");
    // And it is a zip of the parts Word needs.
    let doc = Docx::read(&out);
    for part in [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/document.xml",
        "word/_rels/document.xml.rels",
        "word/styles.xml",
        "word/settings.xml",
        "word/footer1.xml",
        "word/footer2.xml",
    ] {
        assert!(doc.parts.contains_key(part), "{part}");
    }
}

#[test]
fn export_writes_a_new_word_file_and_never_over_one() {
    let dir = copy_publication(&repo());
    let o = jianbao(dir.path(), &["export", "4", "word/第4期.docx"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let path = dir.path().join("word/第4期.docx");
    let first = std::fs::read(&path).unwrap();
    // The same document as `build --format docx` writes.
    let o = jianbao(dir.path(), &["build", "4", "--format", "docx"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(first == std::fs::read(dir.path().join("out/004.docx")).unwrap());
    // Never over a file that is there.
    std::fs::write(&path, b"mine").unwrap();
    let o = jianbao(dir.path(), &["export", "4", "word/第4期.docx"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("已经有了"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&path).unwrap(), b"mine");
}

#[test]
fn an_svg_picture_is_drawn_as_a_png() {
    let dir = copy_publication(&fixture("pictures"));
    std::fs::write(
        dir.path().join("images/chart.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200"><rect x="10" y="10" width="380" height="180" fill="#c00"/></svg>"##,
    )
    .unwrap();
    let issue = dir.path().join("issues/003.md");
    let mut text = std::fs::read_to_string(&issue).unwrap();
    text.push_str("\n图表如下。\n\n![示意图](images/chart.svg)\n");
    std::fs::write(&issue, text).unwrap();
    let o = jianbao(dir.path(), &["build", "3", "--format", "docx"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = Docx::read(&dir.path().join("out/003.docx"));
    // The last picture part is the SVG's: a PNG of its aspect (2:1).
    let last = doc
        .parts
        .iter()
        .filter(|(k, _)| k.starts_with("word/media/"))
        .max_by_key(|(k, _)| {
            k.trim_start_matches("word/media/image")
                .split('.')
                .next()
                .and_then(|n| n.parse::<u32>().ok())
        })
        .unwrap();
    assert!(last.0.ends_with(".png"), "{}", last.0);
    let decoder = png::Decoder::new(std::io::Cursor::new(last.1.clone()));
    let info = decoder.read_info().unwrap().info().clone();
    assert!(info.width > 100, "{} px", info.width);
    let aspect = info.width as f64 / info.height as f64;
    assert!((aspect - 2.0).abs() < 0.05, "{aspect}");
    assert!(doc.xml("word/document.xml").contains("示意图"));
}
