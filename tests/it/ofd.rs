//! `jianbao build --format ofd`: the real binary on this repository's
//! issue 4 and the fixtures with tables, pictures, landscape tables and
//! every construct; the .ofd unzipped and its XML read back (quick-xml):
//! the pages and their boxes against the PDF's, the text of each page
//! against the PDF's, the fonts embedded as subsets whose `cmap` finds
//! every character printed, the masthead's red ink, the pictures, the
//! outline, and the same bytes from the same input. What independent
//! readers make of the file is `tests/ofd_readers.rs`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::common::*;

/// An element read from the XML: its name (without `ofd:`), attributes,
/// and its own text.
#[derive(Debug, Clone)]
struct El {
    name: String,
    attrs: BTreeMap<String, String>,
    text: String,
    /// The names of the elements it stands in, outermost first.
    path: Vec<String>,
}

fn elements(xml: &str) -> Vec<El> {
    let mut reader = Reader::from_str(xml);
    let mut out: Vec<El> = Vec::new();
    let mut open: Vec<(String, usize)> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let el = el(&e, &open);
                open.push((el.name.clone(), out.len()));
                out.push(el);
            }
            Event::Empty(e) => {
                let el = el(&e, &open);
                out.push(el);
            }
            Event::Text(t) => {
                if let Some(&(_, k)) = open.last() {
                    out[k].text += &t.xml10_content().expect("text");
                }
            }
            Event::GeneralRef(r) => {
                if let Some(&(_, k)) = open.last() {
                    let name = String::from_utf8(r.to_vec()).unwrap();
                    out[k].text += match name.as_str() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("entity {other}"),
                    };
                }
            }
            Event::End(_) => {
                open.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn el(e: &quick_xml::events::BytesStart, open: &[(String, usize)]) -> El {
    let full = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
    let name = full.strip_prefix("ofd:").unwrap_or(&full).to_string();
    let attrs = e
        .attributes()
        .map(|a| {
            let a = a.expect("attribute");
            (
                String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                a.unescape_value().expect("value").into_owned(),
            )
        })
        .collect();
    El {
        name,
        attrs,
        text: String::new(),
        path: open.iter().map(|(n, _)| n.clone()).collect(),
    }
}

/// An .ofd read back.
struct Ofd {
    parts: BTreeMap<String, Vec<u8>>,
}

impl Ofd {
    fn read(path: &Path) -> Ofd {
        let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut zip = zip::ZipArchive::new(file).expect("a zip");
        let mut parts = BTreeMap::new();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            parts.insert(entry.name().unwrap().to_string(), bytes);
        }
        Ofd { parts }
    }

    fn xml(&self, name: &str) -> Vec<El> {
        let bytes = self
            .parts
            .get(name)
            .unwrap_or_else(|| panic!("no {name} in {:?}", self.parts.keys()));
        elements(std::str::from_utf8(bytes).expect("UTF-8"))
    }

    /// `Doc_0/…` from OFD.xml's DocRoot.
    fn doc_root(&self) -> String {
        let ofd = self.xml("OFD.xml");
        let root = ofd.iter().find(|e| e.name == "DocRoot").expect("DocRoot");
        root.text.clone()
    }

    fn document(&self) -> Vec<El> {
        self.xml(&self.doc_root())
    }

    fn dir(&self) -> String {
        let root = self.doc_root();
        root.rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_string())
    }

    /// Each page's `Content.xml` elements, in the document's order.
    fn pages(&self) -> Vec<Vec<El>> {
        let dir = self.dir();
        self.document()
            .iter()
            .filter(|e| e.name == "Page")
            .map(|p| self.xml(&format!("{dir}/{}", p.attrs["BaseLoc"])))
            .collect()
    }

    /// The resources of a `PublicRes` or `DocumentRes` file: elements and
    /// the folder their files are in.
    fn res(&self, kind: &str) -> (Vec<El>, String) {
        let dir = self.dir();
        let doc = self.document();
        let loc = doc
            .iter()
            .find(|e| e.name == kind)
            .unwrap_or_else(|| panic!("no {kind}"))
            .text
            .clone();
        let res = self.xml(&format!("{dir}/{loc}"));
        let base = res[0].attrs.get("BaseLoc").cloned().unwrap_or_default();
        (res, format!("{dir}/{base}"))
    }
}

/// The text of a page's TextCodes in order, whitespace dropped.
fn page_text(page: &[El]) -> String {
    page.iter()
        .filter(|e| e.name == "TextCode")
        .flat_map(|e| e.text.chars())
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn boxes(s: &str) -> Vec<f64> {
    s.split_whitespace().map(|n| n.parse().unwrap()).collect()
}

/// Builds the publication `src` (copied) as PDF and as OFD and returns the
/// copy and, by issue id, the paths of the .pdf and the .ofd.
fn build_both(src: &Path) -> (tempfile::TempDir, Vec<(String, PathBuf, PathBuf)>) {
    let dir = copy_publication(src);
    let o = jianbao(dir.path(), &["build", "--format", "ofd"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = jianbao(dir.path(), &["build"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("out");
    let mut found = Vec::new();
    let mut stack = vec![out.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "ofd") {
                let id = p.strip_prefix(&out).unwrap().with_extension("");
                let pdf = p.with_extension("pdf");
                assert!(pdf.is_file(), "no PDF beside {}", p.display());
                found.push((id.to_string_lossy().into_owned(), pdf, p));
            }
        }
    }
    found.sort();
    assert!(!found.is_empty(), "no .ofd written");
    (dir, found)
}

fn publications() -> Vec<(&'static str, PathBuf)> {
    vec![
        ("repo", repo()),
        ("tables", fixture("tables")),
        ("pictures", fixture("pictures")),
        ("landscape", fixture("landscape")),
        ("features", fixture("features")),
    ]
}

#[test]
fn the_pages_their_boxes_and_their_text_are_the_pdfs() {
    for (name, src) in publications() {
        let (_dir, built) = build_both(&src);
        for (id, pdf_path, ofd_path) in built {
            let pdf_bytes = std::fs::read(&pdf_path).unwrap();
            let pdf = lopdf::Document::load_mem(&pdf_bytes).unwrap();
            let ofd = Ofd::read(&ofd_path);
            let pages = ofd.pages();
            let pdf_pages = pdf.get_pages();
            assert_eq!(pages.len(), pdf_pages.len(), "{name} {id}: page count");
            for (k, (page, (_, pdf_page))) in pages.iter().zip(&pdf_pages).enumerate() {
                // The page's box: the PDF's MediaBox in mm (A4: 210 × 297).
                let media = pdf.get_dictionary(*pdf_page).unwrap();
                let mbox: Vec<f64> = media
                    .get(b"MediaBox")
                    .unwrap()
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|o| o.as_float().unwrap() as f64)
                    .collect();
                let physical = page.iter().find(|e| e.name == "PhysicalBox").unwrap();
                let b = boxes(&physical.text);
                assert_eq!(b[..2], [0.0, 0.0]);
                assert!(
                    (b[2] - (mbox[2] - mbox[0]) * 25.4 / 72.0).abs() < 0.01
                        && (b[3] - (mbox[3] - mbox[1]) * 25.4 / 72.0).abs() < 0.01,
                    "{name} {id} page {}: {b:?} vs {mbox:?}",
                    k + 1
                );
                assert!((b[2] - 210.0).abs() < 0.01 && (b[3] - 297.0).abs() < 0.01);
                assert!(page.iter().any(|e| e.name == "ApplicationBox"));
            }
            // The text of each page, in order, is the PDF's.
            let pdf_text = pdf_text(&pdf_bytes);
            for (k, page) in pages.iter().enumerate() {
                let want: String = pdf_text[k].chars().filter(|c| !c.is_whitespace()).collect();
                assert_eq!(page_text(page), want, "{name} {id} page {}", k + 1);
            }
            // Every ID unique, none above MaxUnitID.
            let doc = ofd.document();
            let max: u64 = doc
                .iter()
                .find(|e| e.name == "MaxUnitID")
                .unwrap()
                .text
                .parse()
                .unwrap();
            let (public, _) = ofd.res("PublicRes");
            let (document_res, _) = ofd.res("DocumentRes");
            let mut ids = std::collections::HashSet::new();
            for e in pages
                .iter()
                .flatten()
                .chain(&doc)
                .chain(&public)
                .chain(&document_res)
            {
                if let Some(id) = e.attrs.get("ID") {
                    let id: u64 = id.parse().expect("a numeric ID");
                    assert!(id >= 1 && id <= max, "{name} {id}: ID {id} > {max}");
                    assert!(ids.insert(id), "{name}: ID {id} twice");
                }
            }
        }
    }
}

#[test]
fn fonts_are_embedded_as_subsets_whose_cmap_finds_every_character() {
    for (name, src) in [("repo", repo()), ("tables", fixture("tables"))] {
        let (_dir, built) = build_both(&src);
        for (id, _, ofd_path) in built {
            let ofd = Ofd::read(&ofd_path);
            let (public, base) = ofd.res("PublicRes");
            let fonts: Vec<&El> = public.iter().filter(|e| e.name == "Font").collect();
            assert!(!fonts.is_empty());
            let files: BTreeMap<&str, String> = fonts
                .iter()
                .map(|f| {
                    let file = public
                        .iter()
                        .skip_while(|e| e.attrs.get("ID") != f.attrs.get("ID"))
                        .find(|e| e.name == "FontFile")
                        .unwrap();
                    (f.attrs["ID"].as_str(), format!("{base}/{}", file.text))
                })
                .collect();
            for page in ofd.pages() {
                let mut k = 0;
                while k < page.len() {
                    let e = &page[k];
                    k += 1;
                    if e.name != "TextObject" {
                        continue;
                    }
                    let file = &files[e.attrs["Font"].as_str()];
                    let data = ofd.parts.get(file).unwrap_or_else(|| panic!("no {file}"));
                    let face = ttf_parser::Face::parse(data, 0).expect("a font");
                    // A subset: a few hundred glyphs at most, of the
                    // tens of thousands of a Chinese face.
                    assert!(
                        face.number_of_glyphs() < 2000,
                        "{name} {id}: {file} has {} glyphs",
                        face.number_of_glyphs()
                    );
                    let transformed: Vec<&El> = page[k..]
                        .iter()
                        .take_while(|c| c.path.iter().any(|p| p == "TextObject"))
                        .filter(|c| c.name == "CGTransform")
                        .collect();
                    let code = page[k..]
                        .iter()
                        .find(|c| c.name == "TextCode")
                        .expect("a TextCode");
                    if transformed.is_empty() {
                        for c in code.text.chars() {
                            assert!(
                                face.glyph_index(c).is_some_and(|g| g.0 != 0),
                                "{name} {id}: {c:?} not in the cmap of {file}"
                            );
                        }
                    }
                    for t in transformed {
                        let glyphs = page
                            .iter()
                            .skip_while(|x| !std::ptr::eq(*x, t))
                            .find(|x| x.name == "Glyphs")
                            .unwrap();
                        for g in glyphs.text.split_whitespace() {
                            let g: u16 = g.parse().unwrap();
                            assert!(g < face.number_of_glyphs(), "{file}: glyph {g}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn the_masthead_is_red_ink_in_cmyk_and_the_rules_are_paths() {
    let (_dir, built) = build_both(&repo());
    let ofd = Ofd::read(&built[0].2);
    let (public, _) = ofd.res("PublicRes");
    let cmyk = public
        .iter()
        .find(|e| e.name == "ColorSpace" && e.attrs["Type"] == "CMYK")
        .expect("a CMYK colour space");
    let page = &ofd.pages()[0];
    // GB/T 9704 7.2.4: the masthead's red is M 80 %, Y 80 % (0.8 × 255).
    let red = |e: &&El| {
        e.attrs.get("Value").map(String::as_str) == Some("0 204 204 0")
            && e.attrs.get("ColorSpace") == cmyk.attrs.get("ID")
    };
    // The series line and 简报 are red text objects.
    let mut texts = Vec::new();
    let mut fill = None;
    for e in page {
        match e.name.as_str() {
            "TextObject" => fill = None,
            "FillColor" if e.path.last().is_some_and(|p| p == "TextObject") => fill = Some(red(&e)),
            "TextCode" => texts.push((e.text.clone(), fill == Some(true))),
            _ => {}
        }
    }
    let reds: String = texts.iter().filter(|t| t.1).map(|t| t.0.as_str()).collect();
    assert!(reds.contains("郑州市教育局"), "{texts:?}");
    assert!(reds.contains('简') && reds.contains('报'), "{texts:?}");
    assert!(
        texts.iter().any(|(t, r)| t.starts_with('第') && !r),
        "the number line is black: {texts:?}"
    );
    // The red rule under the masthead: a stroked path in the red ink.
    let red_path = page.iter().enumerate().any(|(i, e)| {
        e.name == "PathObject"
            && page[i + 1..]
                .iter()
                .take_while(|c| c.name != "PathObject" && c.name != "TextObject")
                .any(|c| c.name == "StrokeColor" && red(&c))
    });
    assert!(red_path, "no red rule");

    // Black (the text, the table and 版记 rules) is grey 0 in a GRAY colour
    // space, as the PDF sets it (one channel: K only in print), never RGB:
    // every colour on every page names the GRAY or the CMYK space.
    let gray = public
        .iter()
        .find(|e| e.name == "ColorSpace" && e.attrs["Type"] == "GRAY")
        .expect("a GRAY colour space");
    let mut blacks = 0;
    for (k, page) in ofd.pages().iter().enumerate() {
        for e in page
            .iter()
            .filter(|e| e.name == "FillColor" || e.name == "StrokeColor")
        {
            if red(&e) {
                continue;
            }
            assert_eq!(
                e.attrs.get("ColorSpace"),
                gray.attrs.get("ID"),
                "page {}: {e:?}",
                k + 1
            );
            assert_eq!(e.attrs["Value"], "0", "page {}: {e:?}", k + 1);
            blacks += 1;
        }
    }
    assert!(blacks > 100, "{blacks} black colours");
}

#[test]
fn pictures_are_image_resources_and_landscape_pages_are_turned() {
    let (_dir, pictures) = build_both(&fixture("pictures"));
    // A phone photo turned by its EXIF orientation, and a logo.
    let (_dir2, photos) = build_both(&fixture("photos"));
    let mut images = 0;
    for (id, _, ofd_path) in pictures.iter().chain(&photos) {
        let ofd = Ofd::read(ofd_path);
        let (res, base) = ofd.res("DocumentRes");
        // A file used twice is one resource.
        let mut held = std::collections::HashSet::new();
        for (name, bytes) in &ofd.parts {
            if name.starts_with(&format!("{base}/image_")) {
                assert!(held.insert(bytes.clone()), "{id}: {name} held twice");
            }
        }
        for m in res.iter().filter(|e| e.name == "MultiMedia") {
            assert_eq!(m.attrs["Type"], "Image");
            let file = res
                .iter()
                .skip_while(|e| e.attrs.get("ID") != m.attrs.get("ID"))
                .find(|e| e.name == "MediaFile")
                .unwrap();
            let bytes = &ofd.parts[&format!("{base}/{}", file.text)];
            let format = image::guess_format(bytes).expect("a picture");
            match m.attrs["Format"].as_str() {
                "PNG" => assert_eq!(format, image::ImageFormat::Png, "{id}"),
                "JPEG" => assert_eq!(format, image::ImageFormat::Jpeg, "{id}"),
                other => panic!("{other}"),
            }
            image::load_from_memory(bytes).expect("decodes");
        }
        let size_of = |resource: &str| {
            let file = res
                .iter()
                .skip_while(|e| e.attrs.get("ID").map(String::as_str) != Some(resource))
                .find(|e| e.name == "MediaFile")
                .unwrap();
            let picture =
                image::load_from_memory(&ofd.parts[&format!("{base}/{}", file.text)]).unwrap();
            (f64::from(picture.width()), f64::from(picture.height()))
        };
        for page in ofd.pages() {
            for e in page.iter().filter(|e| e.name == "ImageObject") {
                let id = &e.attrs["ResourceID"];
                assert!(
                    res.iter()
                        .any(|m| m.name == "MultiMedia" && &m.attrs["ID"] == id),
                    "ImageObject refers to {id}"
                );
                // The unit square scaled to the picture's size: the file's
                // width and height go where the CTM's columns take them
                // (turned, for a JPEG with an EXIF orientation).
                let ctm = boxes(&e.attrs["CTM"]);
                let b = boxes(&e.attrs["Boundary"]);
                let across = ctm[0].hypot(ctm[1]);
                let down = ctm[2].hypot(ctm[3]);
                assert!(across > 10.0 && down > 10.0, "{ctm:?}");
                let (w, h) = size_of(id);
                assert!(
                    ((across / down) / (w / h) - 1.0).abs() < 0.02,
                    "{id}: {w}×{h} px in {ctm:?}"
                );
                assert!(b[0] >= 0.0 && b[0] + b[2] <= 210.01 && b[1] + b[3] <= 297.01);
                images += 1;
            }
        }
    }
    assert!(images > 0, "no pictures");

    // The phone photo (400 × 300 px stored, EXIF orientation 6: seen
    // upright it is 300 × 400) is held as the JPEG file itself, as the PDF
    // holds it, and turned by its object's CTM: the stored first row is
    // the picture's right side, the stored first column its top.
    let ofd = Ofd::read(&photos[0].2);
    let (res, base) = ofd.res("DocumentRes");
    let source = std::fs::read(fixture("photos").join("images/phone.jpg")).unwrap();
    let file = ofd
        .parts
        .iter()
        .find(|(_, bytes)| **bytes == source)
        .map(|(name, _)| name.strip_prefix(&format!("{base}/")).unwrap().to_string())
        .expect("the photo's JPEG held as it is");
    let media = res.iter().position(|e| e.text == file).unwrap();
    let resource = res[..media]
        .iter()
        .rev()
        .find(|e| e.name == "MultiMedia")
        .unwrap();
    assert_eq!(resource.attrs["Format"], "JPEG");
    let object = ofd
        .pages()
        .into_iter()
        .flatten()
        .find(|e| e.name == "ImageObject" && e.attrs["ResourceID"] == resource.attrs["ID"])
        .expect("the photo drawn");
    let ctm = boxes(&object.attrs["CTM"]);
    let b = boxes(&object.attrs["Boundary"]);
    let at = |u: f64, v: f64| {
        (
            ctm[0] * u + ctm[2] * v + ctm[4],
            ctm[1] * u + ctm[3] * v + ctm[5],
        )
    };
    let near = |p: (f64, f64), q: (f64, f64)| (p.0 - q.0).abs() < 0.01 && (p.1 - q.1).abs() < 0.01;
    // Stored top left → the box's top right; stored top right → bottom
    // right; stored bottom left → top left.
    assert!(near(at(0.0, 0.0), (b[2], 0.0)), "{ctm:?} in {b:?}");
    assert!(near(at(1.0, 0.0), (b[2], b[3])), "{ctm:?} in {b:?}");
    assert!(near(at(0.0, 1.0), (0.0, 0.0)), "{ctm:?} in {b:?}");
    // Upright, taller than wide, as the photo is seen.
    assert!(b[3] / b[2] > 1.3 && b[3] / b[2] < 1.36, "{b:?}");

    // A landscape page's text is turned a quarter: CTM (0 -1 1 0 …).
    let (_dir, built) = build_both(&fixture("landscape"));
    let turned = built.iter().any(|(_, _, ofd_path)| {
        Ofd::read(ofd_path).pages().iter().flatten().any(|e| {
            e.name == "TextObject"
                && e.attrs
                    .get("CTM")
                    .is_some_and(|m| boxes(m)[..4] == [0.0, -1.0, 1.0, 0.0])
        })
    });
    assert!(turned, "no turned text on the landscape fixture's pages");
}

#[test]
fn metadata_outline_and_the_same_bytes_twice() {
    let (dir, built) = build_both(&fixture("features"));
    for (id, _, ofd_path) in &built {
        let ofd = Ofd::read(ofd_path);
        let info = ofd.xml("OFD.xml");
        let get = |n: &str| info.iter().find(|e| e.name == n).map(|e| e.text.clone());
        assert_eq!(get("Creator").as_deref(), Some("jianbao"));
        assert!(get("Title").is_some_and(|t| !t.is_empty()), "{id}");
        let date = get("CreationDate").unwrap();
        assert!(
            date.len() == 10 && date.as_bytes()[4] == b'-',
            "{id}: {date}"
        );
        assert_eq!(get("DocID").unwrap().len(), 32);
        // The 本期要目's entries as the outline, each opening a page.
        let doc = ofd.document();
        let page_ids: Vec<&String> = doc
            .iter()
            .filter(|e| e.name == "Page")
            .map(|e| &e.attrs["ID"])
            .collect();
        for dest in doc.iter().filter(|e| e.name == "Dest") {
            assert!(page_ids.contains(&&dest.attrs["PageID"]));
        }
    }
    // The repository's issue 4: its date.
    let (_d, built4) = build_both(&repo());
    let info = Ofd::read(&built4[0].2).xml("OFD.xml");
    let date = info.iter().find(|e| e.name == "CreationDate").unwrap();
    assert_eq!(date.text, "2022-01-19");
    // Modified when dated, as the PDF's ModDate.
    let modified = info.iter().find(|e| e.name == "ModDate").expect("ModDate");
    assert_eq!(modified.text, "2022-01-19");
    // The fonts named as an office has them installed (what a reader
    // that cannot use the embedded file looks for), each still embedded;
    // the 小标宋 not flagged bold.
    let ofd4 = Ofd::read(&built4[0].2);
    let (public, _) = ofd4.res("PublicRes");
    let fonts: Vec<(&str, &str, bool)> = public
        .iter()
        .filter(|e| e.name == "Font")
        .map(|e| {
            (
                e.attrs["FontName"].as_str(),
                e.attrs["FamilyName"].as_str(),
                e.attrs.contains_key("Bold"),
            )
        })
        .collect();
    for expected in [
        ("仿宋_GB2312", "仿宋", false),
        ("方正小标宋简体", "方正小标宋_GBK", false),
        ("黑体", "黑体", false),
    ] {
        assert!(fonts.contains(&expected), "{expected:?} in {fonts:?}");
    }
    assert!(
        public.iter().filter(|e| e.name == "Font").count()
            == public.iter().filter(|e| e.name == "FontFile").count()
    );
    // An issue with a 本期要目 has an outline with an entry per article.
    let outlined = built.iter().any(|(_, _, p)| {
        Ofd::read(p)
            .document()
            .iter()
            .any(|e| e.name == "OutlineElem")
    });
    assert!(outlined, "no outline in the features fixture");
    // The same input, the same bytes.
    let first: Vec<Vec<u8>> = built.iter().map(|b| std::fs::read(&b.2).unwrap()).collect();
    let o = jianbao(dir.path(), &["build", "--format", "ofd"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let second: Vec<Vec<u8>> = built.iter().map(|b| std::fs::read(&b.2).unwrap()).collect();
    assert!(first == second, "different bytes from the same input");
}

/// The outline's entries: (depth, title, page from 0, Top in mm).
fn outline_entries(ofd: &Ofd) -> Vec<(usize, String, usize, f64)> {
    let doc = ofd.document();
    let page_ids: Vec<&String> = doc
        .iter()
        .filter(|e| e.name == "Page")
        .map(|e| &e.attrs["ID"])
        .collect();
    let mut out = Vec::new();
    for (i, e) in doc.iter().enumerate() {
        if e.name != "OutlineElem" {
            continue;
        }
        let dest = doc[i..].iter().find(|d| d.name == "Dest").unwrap();
        let depth = e.path.iter().filter(|p| *p == "OutlineElem").count();
        let page = page_ids
            .iter()
            .position(|id| **id == dest.attrs["PageID"])
            .unwrap();
        let top: f64 = dest.attrs["Top"].parse().unwrap();
        out.push((depth, e.attrs["Title"].clone(), page, top));
    }
    out
}

#[test]
fn the_outline_opens_each_article_at_its_title() {
    // The features fixture: 【工作动态】 over two articles, a 本期要目.
    let (_dir, built) = build_both(&fixture("features"));
    let ofd = Ofd::read(&built[0].2);
    let entries = outline_entries(&ofd);
    let titles = ["全市教育系统召开安全工作会议", "局属学校开展教师培训"];
    assert_eq!(
        entries
            .iter()
            .map(|e| (e.0, e.1.as_str()))
            .collect::<Vec<_>>(),
        [(0, "【工作动态】"), (1, titles[0]), (1, titles[1])],
        "{entries:?}"
    );
    let pages = ofd.pages();
    // Where the title's glyphs stand: the baseline of the 2号 (22 pt,
    // 7.76 mm) text object that begins it on the entry's page.
    let baseline = |page: usize, title: &str| -> f64 {
        let els = &pages[page];
        let mut found = None;
        for (i, e) in els.iter().enumerate() {
            if e.name != "TextObject" || (boxes(&e.attrs["Size"])[0] - 7.76).abs() > 0.05 {
                continue;
            }
            let code = els[i..].iter().find(|c| c.name == "TextCode").unwrap();
            let text: String = code.text.chars().filter(|c| !c.is_whitespace()).collect();
            if !text.is_empty() && title.starts_with(&text) {
                let b = boxes(&e.attrs["Boundary"]);
                found = Some(b[1] + code.attrs["Y"].parse::<f64>().unwrap());
                break;
            }
        }
        found.unwrap_or_else(|| panic!("{title} not on page {}", page + 1))
    };
    for (_, title, page, top) in &entries[1..] {
        let base = baseline(*page, title);
        // The entry opens at the title's line: its top a little above the
        // glyphs, within a line (a grid line is 15.6 mm at most).
        assert!(
            *top < base && base - top < 15.6,
            "{title}: Top {top} mm, baseline {base} mm (page {})",
            page + 1
        );
    }
    // The label opens at its own line, above its first title.
    assert_eq!(entries[0].2, entries[1].2);
    assert!(entries[0].3 < entries[1].3, "{entries:?}");

    // A title typed with straight quotes and an entity is in the outline
    // as printed (cleaned as the page's text), and found on its page.
    let dir = copy_publication(&fixture("features"));
    let issue = dir.path().join("issues/2023/001.md");
    let text = std::fs::read_to_string(&issue).unwrap().replace(
        "# 全市教育系统召开安全工作会议",
        "# 全市教育系统召开\"平安校园\"安全工作会议&nbsp;",
    );
    std::fs::write(&issue, text).unwrap();
    let o = jianbao(dir.path(), &["build", "--format", "ofd"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let entries = outline_entries(&Ofd::read(&dir.path().join("out/2023/001.ofd")));
    assert_eq!(entries.len(), 3, "{entries:?}");
    assert_eq!(entries[1].1, "全市教育系统召开“平安校园”安全工作会议");
    assert!(entries[1].3 > 0.0, "{entries:?}");

    // An issue of one article, and one with contents = false, get an
    // outline of their articles all the same.
    let (_d, photos) = build_both(&fixture("photos"));
    let entries = outline_entries(&Ofd::read(&photos[0].2));
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].1, "县应急管理局开展防汛应急演练");
    let (_d, pages_built) = build_both(&fixture("pages"));
    let four = pages_built.iter().find(|b| b.0 == "004").unwrap();
    let entries = outline_entries(&Ofd::read(&four.2));
    assert_eq!(entries.len(), 13, "{entries:?}");
    assert_eq!(entries[6].1, "青山乡开展山洪地质灾害避险演练");
    assert!(entries.iter().skip(1).all(|e| e.3 > 0.0), "{entries:?}");
}

#[test]
fn a_build_that_writes_no_ofd_says_so_not_pdf() {
    let dir = copy_publication(&fixture("photos"));
    let o = jianbao(dir.path(), &["build", "--format", "ofd"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A picture missing: the issue is not built, its OFD is kept.
    let issue = dir.path().join("issues/001.md");
    let text = std::fs::read_to_string(&issue).unwrap();
    std::fs::write(&issue, format!("{text}\n![缺图](images/没有.jpg)\n")).unwrap();
    let o = jianbao(dir.path(), &["build", "--format", "ofd"]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("issues/001.md: 有错误，没有生成 OFD 文件（原有的 OFD 文件保持不变）"),
        "{err}"
    );
    assert!(!err.contains("PDF"), "{err}");
    // jianbao.toml in error: nothing built, said of the format asked for.
    let toml = dir.path().join("jianbao.toml");
    let config = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("{config}\n[output]\nno_such_key = 1\n")).unwrap();
    let o = jianbao(dir.path(), &["build", "--format", "ofd"]);
    let err = stderr(&o);
    assert!(
        err.contains("jianbao.toml 有错误，没有生成 OFD 文件"),
        "{err}"
    );
}

#[test]
fn a_pdf_standard_neither_holds_nor_refuses_an_ofd() {
    // A PNG with an alpha channel, which PDF/A-1 refuses.
    let dir = copy_publication(&fixture("photos"));
    let d = dir.path();
    image::RgbaImage::from_pixel(32, 24, image::Rgba([200, 60, 60, 128]))
        .save(d.join("images/logo.png"))
        .unwrap();
    let toml = d.join("jianbao.toml");
    let config = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        format!("{config}\n[output]\nformat = \"ofd\"\npdf_standard = \"a-1b\"\n"),
    )
    .unwrap();
    // What build writes is an OFD: check, build and export agree.
    for args in [
        &["check"][..],
        &["build"],
        &["build", "--format", "ofd", "--pdf-standard", "a-1b"],
        &["export", "1", "第1期.ofd", "--pdf-standard", "a-1b"],
    ] {
        let o = jianbao(d, args);
        let err = stderr(&o);
        assert!(o.status.success(), "{args:?}: {err}");
        assert!(!err.contains("picture-transparent"), "{args:?}: {err}");
    }
    assert!(d.join("out/001.ofd").is_file() && d.join("第1期.ofd").is_file());
    // The PDF is still held to it: asked on the command line, or built.
    for args in [
        &["check", "--pdf-standard", "a-1b"][..],
        &["build", "--format", "pdf"],
    ] {
        let o = jianbao(d, args);
        let err = stderr(&o);
        assert!(!o.status.success(), "{args:?}: {err}");
        assert!(err.contains("picture-transparent"), "{args:?}: {err}");
    }
}

#[test]
fn export_writes_an_ofd_by_its_extension_and_never_over_a_file() {
    let dir = copy_publication(&repo());
    let o = jianbao(dir.path(), &["export", "4", "第4期.ofd"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let path = dir.path().join("第4期.ofd");
    let ofd = Ofd::read(&path);
    assert_eq!(ofd.pages().len(), 5);
    // A second export refuses to write over it, and leaves it as it was.
    let before = std::fs::read(&path).unwrap();
    let o = jianbao(dir.path(), &["export", "4", "第4期.ofd"]);
    assert!(!o.status.success());
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

/// The direct children of `els[i]`.
fn children(els: &[El], i: usize) -> Vec<&El> {
    let depth = els[i].path.len();
    els[i + 1..]
        .iter()
        .take_while(|e| e.path.len() > depth)
        .filter(|e| e.path.len() == depth + 1)
        .collect()
}

/// Whether `names` follow `order` (each name in it, none going back).
fn in_order(names: &[&str], order: &[&str]) -> bool {
    let mut at = 0;
    for name in names {
        match order[at..].iter().position(|o| o == name) {
            Some(k) => at += k,
            None => return false,
        }
    }
    true
}

fn is_number(s: &str) -> bool {
    s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// An `ST_Array` of numbers, with the `g` shorthand of GB/T 33190 (`g 3
/// 5.6`: three times 5.6).
fn is_array(s: &str) -> bool {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let mut k = 0;
    while k < parts.len() {
        if parts[k] == "g" {
            if k + 2 >= parts.len()
                || parts[k + 1].parse::<u32>().is_err()
                || !is_number(parts[k + 2])
            {
                return false;
            }
            k += 3;
        } else if is_number(parts[k]) {
            k += 1;
        } else {
            return false;
        }
    }
    true
}

/// `ST_Box`: x, y, width, height, the last two above zero.
fn is_box(s: &str) -> bool {
    let b: Vec<f64> = s
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    b.len() == 4 && s.split_whitespace().count() == 4 && b[2] > 0.0 && b[3] > 0.0
}

/// The structure of GB/T 33190—2016's schemas (OFD.xsd, Document.xsd,
/// Res.xsd, Page.xsd and Definitions.xsd, as published with the standard;
/// read from a public copy, see docs/commands.md), checked by hand on
/// every part: which elements stand in which, in which order, and the
/// types of the attributes written. (No registry package ships the XSD
/// files to validate against; validated with xmllint once by hand.)
#[test]
fn every_part_has_the_structure_of_the_ofd_schemas() {
    let mut checked = 0;
    for (name, src) in publications() {
        let (_dir, built) = build_both(&src);
        for (id, _, ofd_path) in built {
            let ofd = Ofd::read(&ofd_path);
            let at = |what: &str| format!("{name} {id} {what}");
            let entry = ofd.xml("OFD.xml");
            assert_eq!(entry[0].name, "OFD");
            assert_eq!(entry[0].attrs["Version"], "1.0");
            assert_eq!(entry[0].attrs["DocType"], "OFD");
            let body = entry.iter().position(|e| e.name == "DocBody").unwrap();
            let names: Vec<&str> = children(&entry, body)
                .iter()
                .map(|e| e.name.as_str())
                .collect();
            assert!(
                in_order(&names, &["DocInfo", "DocRoot", "Versions", "Signatures"]),
                "{names:?}"
            );
            let info = entry.iter().position(|e| e.name == "DocInfo").unwrap();
            let names: Vec<&str> = children(&entry, info)
                .iter()
                .map(|e| e.name.as_str())
                .collect();
            assert!(
                in_order(
                    &names,
                    &[
                        "DocID",
                        "Title",
                        "Author",
                        "Subject",
                        "Abstract",
                        "CreationDate",
                        "ModDate",
                        "DocUsage",
                        "Cover",
                        "Keywords",
                        "Creator",
                        "CreatorVersion",
                        "CustomDatas",
                    ]
                ),
                "{}: {names:?}",
                at("DocInfo")
            );
            // xs:date.
            let date = &entry
                .iter()
                .find(|e| e.name == "CreationDate")
                .unwrap()
                .text;
            let d: Vec<&str> = date.split('-').collect();
            assert!(
                d.len() == 3 && d[0].len() == 4 && d[1].len() == 2 && d[2].len() == 2,
                "{date}"
            );

            let doc = ofd.document();
            assert_eq!(doc[0].name, "Document");
            let names: Vec<&str> = children(&doc, 0).iter().map(|e| e.name.as_str()).collect();
            let document_order = [
                "CommonData",
                "Pages",
                "Outlines",
                "Permissions",
                "Actions",
                "VPreferences",
                "Bookmarks",
                "Annotations",
                "CustomTags",
                "Attachments",
                "Extensions",
            ];
            assert!(
                in_order(&names, &document_order),
                "{}: {names:?}",
                at("Document")
            );
            let common = doc.iter().position(|e| e.name == "CommonData").unwrap();
            let names: Vec<&str> = children(&doc, common)
                .iter()
                .map(|e| e.name.as_str())
                .collect();
            assert!(
                in_order(
                    &names,
                    &[
                        "MaxUnitID",
                        "PageArea",
                        "PublicRes",
                        "DocumentRes",
                        "TemplatePage",
                        "DefaultCS"
                    ]
                ),
                "{names:?}"
            );
            for (i, e) in doc.iter().enumerate() {
                match e.name.as_str() {
                    "Page" => {
                        assert!(e.attrs["ID"].parse::<u32>().is_ok_and(|n| n > 0));
                        assert!(!e.attrs["BaseLoc"].is_empty());
                    }
                    "OutlineElem" => {
                        assert!(!e.attrs["Title"].is_empty());
                        let names: Vec<&str> =
                            children(&doc, i).iter().map(|e| e.name.as_str()).collect();
                        assert!(in_order(&names, &["Actions", "OutlineElem"]), "{names:?}");
                    }
                    "Dest" => {
                        assert!(
                            ["XYZ", "Fit", "FitH", "FitV", "FitR"]
                                .contains(&e.attrs["Type"].as_str())
                        );
                    }
                    "PhysicalBox" | "ApplicationBox" => assert!(is_box(&e.text), "{}", e.text),
                    _ => {}
                }
            }

            for kind in ["PublicRes", "DocumentRes"] {
                let (res, _) = ofd.res(kind);
                assert_eq!(res[0].name, "Res");
                let names: Vec<&str> = children(&res, 0).iter().map(|e| e.name.as_str()).collect();
                assert!(
                    in_order(
                        &names,
                        &[
                            "ColorSpaces",
                            "DrawParams",
                            "Fonts",
                            "MultiMedias",
                            "CompositeGraphicUnits"
                        ]
                    ),
                    "{names:?}"
                );
                for e in &res {
                    match e.name.as_str() {
                        "ColorSpace" => {
                            assert!(["GRAY", "RGB", "CMYK"].contains(&e.attrs["Type"].as_str()));
                        }
                        "Font" => assert!(!e.attrs["FontName"].is_empty()),
                        "MultiMedia" => {
                            assert!(["Image", "Audio", "Video"].contains(&e.attrs["Type"].as_str()))
                        }
                        _ => {}
                    }
                }
            }

            for page in ofd.pages() {
                assert_eq!(page[0].name, "Page");
                let names: Vec<&str> = children(&page, 0).iter().map(|e| e.name.as_str()).collect();
                assert!(
                    in_order(
                        &names,
                        &["Template", "PageRes", "Area", "Content", "Actions"]
                    ),
                    "{names:?}"
                );
                for (i, e) in page.iter().enumerate() {
                    let names: Vec<&str> =
                        children(&page, i).iter().map(|e| e.name.as_str()).collect();
                    let ids = || assert!(e.attrs["ID"].parse::<u32>().is_ok_and(|n| n > 0));
                    match e.name.as_str() {
                        "Area" => assert!(
                            in_order(
                                &names,
                                &["PhysicalBox", "ApplicationBox", "ContentBox", "BleedBox"]
                            ),
                            "{names:?}"
                        ),
                        "Layer" => {
                            ids();
                            assert!(names.iter().all(|n| {
                                [
                                    "TextObject",
                                    "PathObject",
                                    "ImageObject",
                                    "CompositeObject",
                                    "PageBlock",
                                ]
                                .contains(n)
                            }));
                        }
                        "TextObject" => {
                            ids();
                            assert!(is_box(&e.attrs["Boundary"]), "{}", e.attrs["Boundary"]);
                            assert!(e.attrs["Font"].parse::<u32>().is_ok());
                            assert!(is_number(&e.attrs["Size"]));
                            // Colours first, then CGTransforms and TextCodes.
                            let colours = names
                                .iter()
                                .take_while(|n| ["FillColor", "StrokeColor"].contains(n))
                                .count();
                            assert!(
                                in_order(&names[..colours], &["FillColor", "StrokeColor"]),
                                "{names:?}"
                            );
                            assert!(
                                names[colours..]
                                    .iter()
                                    .all(|n| ["CGTransform", "TextCode"].contains(n))
                                    && names.last() == Some(&"TextCode"),
                                "{names:?}"
                            );
                        }
                        "TextCode" => {
                            assert!(is_number(&e.attrs["X"]) && is_number(&e.attrs["Y"]));
                            for delta in ["DeltaX", "DeltaY"] {
                                if let Some(d) = e.attrs.get(delta) {
                                    assert!(is_array(d), "{d}");
                                }
                            }
                        }
                        "CGTransform" => {
                            for a in ["CodePosition", "CodeCount", "GlyphCount"] {
                                assert!(e.attrs[a].parse::<u32>().is_ok(), "{a}");
                            }
                            assert_eq!(names, ["Glyphs"]);
                        }
                        "PathObject" => {
                            ids();
                            assert!(is_box(&e.attrs["Boundary"]));
                            assert!(
                                in_order(&names, &["StrokeColor", "FillColor", "AbbreviatedData"])
                                    && names.last() == Some(&"AbbreviatedData"),
                                "{names:?}"
                            );
                            for b in ["Stroke", "Fill"] {
                                if let Some(v) = e.attrs.get(b) {
                                    assert!(v == "true" || v == "false");
                                }
                            }
                            if let Some(w) = e.attrs.get("LineWidth") {
                                assert!(is_number(w));
                            }
                        }
                        "ImageObject" => {
                            ids();
                            assert!(is_box(&e.attrs["Boundary"]));
                            assert!(e.attrs["ResourceID"].parse::<u32>().is_ok());
                        }
                        "FillColor" | "StrokeColor" => {
                            assert!(is_array(&e.attrs["Value"]));
                        }
                        _ => {}
                    }
                    if let Some(ctm) = e.attrs.get("CTM") {
                        assert!(
                            is_array(ctm) && ctm.split_whitespace().count() == 6,
                            "{ctm}"
                        );
                    }
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 5);
}

/// An office's own layout that clips what it draws: the OFD does not
/// clip, and the build says so.
#[test]
fn a_layout_that_clips_is_named_in_a_note() {
    let dir = copy_publication(&repo());
    let o = jianbao(dir.path(), &["layout", "--eject"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let layout = dir.path().join("layouts/bulletin.typ");
    let text = std::fs::read_to_string(&layout).unwrap();
    let from = "{ rows(p, g.width * 1mm) })";
    assert!(text.contains(from), "the layout changed: edit this test");
    std::fs::write(
        &layout,
        text.replace(
            from,
            "{ box(clip: true, rows(p, g.width * 1mm)); place(rect(width: 20mm, height: 10mm, fill: gradient.linear(red, blue))) })",
        ),
    )
    .unwrap();
    let toml = dir.path().join("jianbao.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        text.replace(
            "[output]\n",
            "[output]\nlayout = \"layouts/bulletin.typ\"\n",
        ),
    )
    .unwrap();
    let o = jianbao(dir.path(), &["build", "--format", "ofd"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let said = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(
        said.contains("版式在第 1、2、3、4、5 页裁剪了内容"),
        "{said}"
    );
    // A gradient is drawn in one colour, not black, and said.
    assert!(
        said.contains("版式在第 1、2、3、4、5 页用了渐变或图案填充"),
        "{said}"
    );
    let ofd = Ofd::read(&dir.path().join("out/004.ofd"));
    let page = &ofd.pages()[0];
    let filled: Vec<&String> = page
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.name == "PathObject"
                && e.attrs
                    .get("Boundary")
                    .is_some_and(|b| boxes(b)[2..] == [20.0, 10.0])
        })
        .filter_map(|(i, _)| page[i + 1..].iter().find(|c| c.name == "FillColor"))
        .map(|c| &c.attrs["Value"])
        .collect();
    assert!(!filled.is_empty(), "no 20 × 10 mm rectangle");
    assert!(
        filled
            .iter()
            .all(|v| v.split(' ').count() == 3 && *v != "0 0 0"),
        "{filled:?}"
    );
    // The built-in layout clips nothing: no such note.
    let dir = copy_publication(&repo());
    let o = jianbao(dir.path(), &["build", "--format", "ofd"]);
    let said = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(!said.contains("裁剪"), "{said}");
}

/// A page the OFD cannot hold (a PDF picture in an office's layout) is
/// the issue's error, said as such: not "无法写入" (nothing failed to be
/// written), exit status 1, the earlier OFD kept.
#[test]
fn a_pdf_picture_of_a_layout_is_an_error_of_the_ofd_not_of_writing() {
    let dir = copy_publication(&fixture("photos"));
    let d = dir.path();
    let o = jianbao(d, &["build"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = jianbao(d, &["build", "--format", "ofd"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = std::fs::read(d.join("out/001.ofd")).unwrap();
    let o = jianbao(d, &["layout", "--eject"]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::copy(d.join("out/001.pdf"), d.join("layouts/page.pdf")).unwrap();
    let layout = d.join("layouts/bulletin.typ");
    let text = std::fs::read_to_string(&layout).unwrap();
    std::fs::write(
        &layout,
        format!("{text}\n#place(image(\"page.pdf\", width: 20mm))\n"),
    )
    .unwrap();
    let o = jianbao(
        d,
        &[
            "build",
            "--format",
            "ofd",
            "--layout",
            "layouts/bulletin.typ",
        ],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("PDF 图片放不进 OFD"), "{err}");
    assert!(!err.contains("无法写入"), "{err}");
    assert!(
        err.contains("没有生成 OFD 文件（原有的 OFD 文件保持不变）"),
        "{err}"
    );
    assert_eq!(std::fs::read(d.join("out/001.ofd")).unwrap(), before);
}

/// `[output] format = "ofd"` makes `build` write OFD; `--format` wins
/// over it; a format jianbao does not write is an error at its place.
#[test]
fn the_output_format_of_jianbao_toml() {
    let dir = copy_publication(&repo());
    let toml = dir.path().join("jianbao.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        text.replace("[output]\n", "[output]\nformat = \"ofd\"\n"),
    )
    .unwrap();
    let o = jianbao(dir.path(), &["build", "4"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("out/004.ofd").is_file());
    assert!(!dir.path().join("out/004.pdf").exists());
    let o = jianbao(dir.path(), &["build", "4", "--format", "pdf"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("out/004.pdf").is_file());

    std::fs::write(
        &toml,
        text.replace("[output]\n", "[output]\nformat = \"odt\"\n"),
    )
    .unwrap();
    let o = jianbao(dir.path(), &["build", "4"]);
    assert!(!o.status.success());
    let said = stderr(&o);
    let line = text
        .lines()
        .position(|l| l == "[output]")
        .expect("an [output] table")
        + 2;
    assert!(
        said.contains(&format!("jianbao.toml:{line}:10: error[bad-output-format]")),
        "{said}"
    );
    assert!(said.contains("\"ofd\""), "{said}");
}

/// Every character where typst placed its glyph: the TextCode's position
/// and advances (through the object's box and CTM) against the laid-out
/// frames, within a micrometre or so (the OFD's numbers have four
/// decimals).
#[test]
fn every_character_stands_where_typst_placed_its_glyph() {
    let mut compared = 0;
    let mut turned = 0;
    for (name, src) in [
        ("repo", repo()),
        ("tables", fixture("tables")),
        ("landscape", fixture("landscape")),
        ("pictures", fixture("pictures")),
    ] {
        let (dir, built) = build_both(&src);
        for (id, _, ofd_path) in built {
            let placed = flatten(&layout(dir.path(), &id));
            let ofd = Ofd::read(&ofd_path);
            let pages = ofd.pages();
            assert_eq!(pages.len(), placed.pages);
            for (k, page) in pages.iter().enumerate() {
                let want: Vec<(char, f64, f64)> = placed
                    .glyphs
                    .iter()
                    .filter(|g| g.page == k + 1)
                    .flat_map(|g| g.text.chars().map(move |c| (c, g.x, g.y)))
                    .filter(|(c, _, _)| !c.is_control())
                    .collect();
                let mut got: Vec<(char, f64, f64)> = Vec::new();
                let mut object: Option<(&El, [f64; 6])> = None;
                for e in page {
                    match e.name.as_str() {
                        "TextObject" => {
                            let ctm = e
                                .attrs
                                .get("CTM")
                                .map(|m| boxes(m).try_into().unwrap())
                                .unwrap_or([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
                            object = Some((e, ctm));
                        }
                        "TextCode" => {
                            let (text_object, [a, b, c, d, tx, ty]) = object.unwrap();
                            let bound = boxes(&text_object.attrs["Boundary"]);
                            let number =
                                |key: &str| e.attrs.get(key).map(|v| boxes(v)).unwrap_or_default();
                            let (dx, dy) = (number("DeltaX"), number("DeltaY"));
                            let (mut x, mut y) = (number("X")[0], number("Y")[0]);
                            for (i, ch) in e.text.chars().enumerate() {
                                if i > 0 {
                                    x += dx[i - 1];
                                    y += dy.get(i - 1).copied().unwrap_or(0.0);
                                }
                                got.push((
                                    ch,
                                    bound[0] + a * x + c * y + tx,
                                    bound[1] + b * x + d * y + ty,
                                ));
                            }
                        }
                        _ => {}
                    }
                }
                assert_eq!(
                    got.iter().map(|g| g.0).collect::<String>(),
                    want.iter().map(|g| g.0).collect::<String>(),
                    "{name} {id} page {}",
                    k + 1
                );
                compared += got.len();
                turned += page
                    .iter()
                    .filter(|e| e.name == "TextObject" && e.attrs.contains_key("CTM"))
                    .count();
                for (g, w) in got.iter().zip(&want) {
                    assert!(
                        (g.1 - w.1).abs() < 0.002 && (g.2 - w.2).abs() < 0.002,
                        "{name} {id} page {}: {:?} at ({:.4}, {:.4}), typst placed it at ({:.4}, {:.4})",
                        k + 1,
                        g.0,
                        g.1,
                        g.2,
                        w.1,
                        w.2
                    );
                }
            }
        }
    }
    assert!(
        compared > 5000 && turned > 50,
        "{compared} characters, {turned} turned runs"
    );
}
