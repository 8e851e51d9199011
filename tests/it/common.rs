//! Shared helpers for the integration tests: run the real binary, lay an
//! issue out through the library, flatten the laid-out frames into
//! positioned glyphs and rules, and read PDFs back with lopdf.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use jianbao::archive::Builder;
use jianbao::publication::{Options, Publication};
use typst::layout::{Abs, Frame, FrameItem, Point, Transform};
use typst::visualize::{Geometry, Paint};
use typst_layout::PagedDocument;

pub const PT_PER_MM: f64 = 72.0 / 25.4;
pub const PITCH: f64 = 225.0 / 22.0;
pub const CELL: f64 = 156.0 / 28.0;

/// Whether a reader sees `c` set full width, in one cell of the grid: Han
/// ideographs, kana, CJK and full-width punctuation and forms, Roman and
/// circled numerals (Ⅲ, ①), arrows, geometric signs and stars, and the
/// marks Chinese text sets full width (“ ” ‘ ’ — … ·). Stated here from
/// Unicode's blocks, apart from the composer's own table, so that a
/// character the composer classes wrongly shows up in what is measured.
pub fn is_full_width(c: char) -> bool {
    matches!(c as u32,
        0x2160..=0x217F // Roman numerals
        | 0x2190..=0x21FF // arrows
        | 0x2460..=0x24FF // circled numbers
        | 0x25A0..=0x25FF // geometric shapes
        | 0x2605..=0x2606 // stars
        | 0x3000..=0x303F // CJK symbols and punctuation
        | 0x3040..=0x30FF // kana
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF
        | 0xFE30..=0xFE4F // CJK compatibility forms
        | 0xFF01..=0xFF60 | 0xFFE0..=0xFFE6) // full-width forms
        || "“”‘’—…·".contains(c)
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// A copy of a publication folder in a fresh temporary folder, so tests can
/// build into it without touching the repository.
pub fn copy_publication(src: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        src,
        dir.path(),
        &["out", "target", ".git", "src", "tests", "fonts", "layouts"],
    );
    dir
}

fn copy_dir(src: &Path, dst: &Path, skip: &[&str]) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap().flatten() {
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let to = dst.join(&name);
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &to, &[]);
        } else {
            std::fs::copy(entry.path(), to).unwrap();
        }
    }
}

/// Runs the built `jianbao` binary in `dir`.
pub fn jianbao(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jianbao"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run jianbao")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Lays out one issue through the library, as `jianbao build` does.
pub fn layout(dir: &Path, query: &str) -> PagedDocument {
    let options = Options::new(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    let publication = Publication::load(dir, &options).unwrap();
    let i = publication.resolve(query).unwrap();
    let issue = publication.issues[i]
        .issue
        .as_ref()
        .expect("the issue parses");
    let builder = Builder::new(&publication).expect("config parses");
    builder.layout(issue).unwrap().document
}

/// One glyph as placed on a page, in millimetres from the page's top left.
#[derive(Debug, Clone)]
pub struct PlacedGlyph {
    pub page: usize,
    pub text: String,
    /// Left edge of the glyph (origin plus its x offset).
    pub x: f64,
    pub advance: f64,
    /// Baseline.
    pub y: f64,
    pub size_pt: f64,
    pub family: String,
    pub fill: Option<(f32, f32, f32, f32)>,
    /// The face and glyph drawn, to read the glyph's outline.
    pub font: typst::text::Font,
    pub id: u16,
}

impl PlacedGlyph {
    /// The horizontal extent of each piece of the glyph's ink (the three
    /// dots of …), in mm from the page's left edge, left to right.
    pub fn ink(&self) -> Vec<(f64, f64)> {
        struct Pieces(Vec<(f32, f32)>);
        impl Pieces {
            fn x(&mut self, x: f32) {
                if let Some(r) = self.0.last_mut() {
                    r.0 = r.0.min(x);
                    r.1 = r.1.max(x);
                }
            }
        }
        impl ttf_parser::OutlineBuilder for Pieces {
            fn move_to(&mut self, x: f32, _: f32) {
                self.0.push((x, x));
            }
            fn line_to(&mut self, x: f32, _: f32) {
                self.x(x);
            }
            fn quad_to(&mut self, x1: f32, _: f32, x: f32, _: f32) {
                self.x(x1);
                self.x(x);
            }
            fn curve_to(&mut self, x1: f32, _: f32, x2: f32, _: f32, x: f32, _: f32) {
                self.x(x1);
                self.x(x2);
                self.x(x);
            }
            fn close(&mut self) {}
        }
        let face = ttf_parser::Face::parse(self.font.data(), self.font.index()).unwrap();
        let mut pieces = Pieces(Vec::new());
        face.outline_glyph(ttf_parser::GlyphId(self.id), &mut pieces);
        let mm_per_unit = self.size_pt / PT_PER_MM / f64::from(face.units_per_em());
        let mut out: Vec<(f64, f64)> = pieces
            .0
            .iter()
            .map(|&(a, b)| {
                (
                    self.x + f64::from(a) * mm_per_unit,
                    self.x + f64::from(b) * mm_per_unit,
                )
            })
            .collect();
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
        out
    }
}

#[derive(Debug, Clone)]
pub struct PlacedLine {
    pub page: usize,
    pub x: f64,
    pub y: f64,
    pub length: f64,
    /// How far down its end is from its start (0 for a horizontal rule;
    /// a table's vertical rules have it).
    pub drop: f64,
    pub thickness: f64,
    pub red: bool,
}

pub struct Placed {
    pub glyphs: Vec<PlacedGlyph>,
    pub lines: Vec<PlacedLine>,
    pub images: Vec<PlacedImage>,
    pub pages: usize,
}

/// A picture as placed on a page, in mm from the page's top left.
#[derive(Debug, Clone)]
pub struct PlacedImage {
    pub page: usize,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

fn mm(a: Abs) -> f64 {
    a.to_mm()
}

fn cmyk_of(paint: &Paint) -> Option<(f32, f32, f32, f32)> {
    match paint {
        Paint::Solid(typst::visualize::Color::Process(
            c @ typst::visualize::ProcessColor::Cmyk(_),
        )) => {
            let [a, b, d, e] = c.to_vec4();
            Some((a, b, d, e))
        }
        _ => None,
    }
}

pub fn flatten(doc: &PagedDocument) -> Placed {
    let mut placed = Placed {
        glyphs: Vec::new(),
        lines: Vec::new(),
        images: Vec::new(),
        pages: doc.pages().len(),
    };
    for (i, page) in doc.pages().iter().enumerate() {
        walk(&page.frame, Transform::identity(), i + 1, &mut placed);
    }
    placed
}

fn walk(frame: &Frame, ts: Transform, page: usize, out: &mut Placed) {
    for (pos, item) in frame.items() {
        let here = ts.pre_concat(Transform::translate(pos.x, pos.y));
        match item {
            FrameItem::Group(g) => walk(&g.frame, here.pre_concat(g.transform), page, out),
            FrameItem::Text(t) => {
                let mut x = Abs::zero();
                for g in &t.glyphs {
                    let origin = Point::new(x + g.x_offset.at(t.size), Abs::zero()).transform(here);
                    out.glyphs.push(PlacedGlyph {
                        page,
                        text: t.text[g.range()].to_string(),
                        x: mm(origin.x),
                        advance: mm(g.x_advance.at(t.size)),
                        y: mm(origin.y),
                        size_pt: t.size.to_pt(),
                        family: t.font.font().info().family.clone(),
                        fill: cmyk_of(&t.fill),
                        font: t.font.font().clone(),
                        id: g.id,
                    });
                    x += g.x_advance.at(t.size);
                }
            }
            FrameItem::Image(_, size, _) => {
                let start = Point::zero().transform(here);
                let end = Point::new(size.x, size.y).transform(here);
                out.images.push(PlacedImage {
                    page,
                    x: mm(start.x),
                    y: mm(start.y),
                    width: mm(end.x - start.x),
                    height: mm(end.y - start.y),
                });
            }
            FrameItem::Shape(shape, _) => {
                if let (Geometry::Line(to), Some(stroke)) = (&shape.geometry, &shape.stroke) {
                    let start = Point::zero().transform(here);
                    let end = to.transform(here);
                    let red = cmyk_of(&stroke.paint).is_some_and(|(c, m, y, k)| {
                        c < 0.01 && (m - 0.8).abs() < 0.01 && (y - 0.8).abs() < 0.01 && k < 0.01
                    });
                    out.lines.push(PlacedLine {
                        page,
                        x: mm(start.x),
                        y: mm(start.y),
                        length: mm(end.x - start.x),
                        drop: mm(end.y - start.y),
                        thickness: mm(stroke.thickness),
                        red,
                    });
                }
            }
            _ => {}
        }
    }
}

impl Placed {
    /// Body glyphs (16 pt) on a page, grouped into lines by baseline.
    pub fn body_lines(&self, page: usize) -> Vec<Vec<&PlacedGlyph>> {
        self.lines_at(page, 16.0)
    }

    /// Glyphs of one size on a page, inside the type area's height,
    /// grouped into lines by baseline.
    pub fn lines_at(&self, page: usize, size_pt: f64) -> Vec<Vec<&PlacedGlyph>> {
        in_lines(
            self.glyphs.iter().filter(|g| {
                g.page == page && (g.size_pt - size_pt).abs() < 0.01 && g.y < 37.0 + 225.0
            }),
        )
    }
}

/// Glyphs grouped into lines by baseline (within half a millimetre), top
/// down, each line left to right.
pub fn in_lines<'a>(
    glyphs: impl IntoIterator<Item = &'a PlacedGlyph>,
) -> Vec<Vec<&'a PlacedGlyph>> {
    let mut glyphs: Vec<&PlacedGlyph> = glyphs.into_iter().collect();
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<Vec<&PlacedGlyph>> = Vec::new();
    for g in glyphs {
        match lines.last_mut() {
            Some(l) if (l[0].y - g.y).abs() < 0.5 => l.push(g),
            _ => lines.push(vec![g]),
        }
    }
    lines
}

/// The text of every page of a PDF, read with lopdf, whitespace dropped.
/// (lopdf's own `extract_text` cannot parse typst's ToUnicode CMaps, so the
/// glyph codes are mapped through the CMaps' `bfchar` entries here.)
pub fn pdf_text(bytes: &[u8]) -> Vec<String> {
    pdf_text_where(bytes, |_, _| true)
}

/// The text of every page of a PDF that a reader can see: text set
/// outside the page's MediaBox (a block that runs off the page) is
/// dropped. Whitespace dropped.
pub fn pdf_visible_text(bytes: &[u8]) -> Vec<String> {
    pdf_text_where(bytes, |(x, y), (w, h)| {
        (-0.5..=w + 0.5).contains(&x) && (-0.5..=h + 0.5).contains(&y)
    })
}

/// The text of every page whose run starts at a point (in PDF units, from
/// the page's lower left) that `keep`s, given the page's width and height.
fn pdf_text_where(bytes: &[u8], keep: impl Fn((f64, f64), (f64, f64)) -> bool) -> Vec<String> {
    let doc = lopdf::Document::load_mem(bytes).expect("PDF parses");
    pdf_runs(&doc)
        .into_iter()
        .map(|(_, size, runs)| {
            runs.iter()
                .filter(|r| keep(r.at, size))
                .flat_map(|r| r.text.chars())
                .filter(|c| !c.is_whitespace())
                .collect()
        })
        .collect()
}

/// A run of text shown on a page: where it starts (PDF units from the
/// page's lower left), its text, and the marked-content id it is inside
/// (what a tagged PDF's structure points at).
pub struct PdfRun {
    pub at: (f64, f64),
    pub text: String,
    pub mcid: Option<i64>,
}

/// Every page's id, size and runs of text, in content order.
pub fn pdf_runs(doc: &lopdf::Document) -> Vec<(lopdf::ObjectId, (f64, f64), Vec<PdfRun>)> {
    use lopdf::{Object, content::Content};
    use std::collections::HashMap;
    let cmap_of = |font: &lopdf::Dictionary| -> HashMap<u16, String> {
        let mut map = HashMap::new();
        let Ok(r) = font.get(b"ToUnicode").and_then(Object::as_reference) else {
            return map;
        };
        let Ok(stream) = doc.get_object(r).and_then(Object::as_stream) else {
            return map;
        };
        let data = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        let text = String::from_utf8_lossy(&data);
        for block in text.split("beginbfchar").skip(1) {
            let block = block.split("endbfchar").next().unwrap_or("");
            for line in block.lines() {
                let parts: Vec<&str> = line
                    .split(['<', '>'])
                    .filter(|p| !p.trim().is_empty())
                    .collect();
                if let [code, uni] = parts[..] {
                    let code = u16::from_str_radix(code, 16).unwrap();
                    let units: Vec<u16> = (0..uni.len() / 4)
                        .map(|i| u16::from_str_radix(&uni[i * 4..i * 4 + 4], 16).unwrap())
                        .collect();
                    map.insert(code, String::from_utf16_lossy(&units));
                }
            }
        }
        map
    };
    let number = |o: &Object| {
        o.as_float()
            .map(f64::from)
            .or_else(|_| o.as_i64().map(|i| i as f64))
            .unwrap_or(0.0)
    };
    // [a b c d e f] · [a' b' c' d' e' f']: first `m`, then `n`.
    let concat = |m: [f64; 6], n: [f64; 6]| {
        [
            m[0] * n[0] + m[1] * n[2],
            m[0] * n[1] + m[1] * n[3],
            m[2] * n[0] + m[3] * n[2],
            m[2] * n[1] + m[3] * n[3],
            m[4] * n[0] + m[5] * n[2] + n[4],
            m[4] * n[1] + m[5] * n[3] + n[5],
        ]
    };
    let identity = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
    let mut out = Vec::new();
    for (_, page_id) in doc.get_pages() {
        let page = doc.get_dictionary(page_id).unwrap();
        let media = page.get(b"MediaBox").and_then(Object::as_array).unwrap();
        let size = (
            number(&media[2]) - number(&media[0]),
            number(&media[3]) - number(&media[1]),
        );
        let fonts = doc.get_page_fonts(page_id).unwrap_or_default();
        let maps: HashMap<Vec<u8>, HashMap<u16, String>> = fonts
            .iter()
            .map(|(name, dict)| (name.clone(), cmap_of(dict)))
            .collect();
        let content = Content::decode(&doc.get_page_content(page_id).unwrap()).unwrap();
        let mut current: Option<&HashMap<u16, String>> = None;
        let mut runs: Vec<PdfRun> = Vec::new();
        // Marked content open: its MCID, if it has one.
        let mut marks: Vec<Option<i64>> = Vec::new();
        let mut ctm = identity;
        let mut saved = Vec::new();
        let mut tm = identity;
        let show = |bytes: &[u8], map: Option<&HashMap<u16, String>>, text: &mut String| {
            for pair in bytes.chunks(2) {
                let code = u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
                if let Some(s) = map.and_then(|m| m.get(&code)) {
                    text.push_str(s);
                }
            }
        };
        for op in &content.operations {
            let matrix = || -> [f64; 6] {
                let v: Vec<f64> = op.operands.iter().map(number).collect();
                v.try_into().unwrap_or(identity)
            };
            match op.operator.as_str() {
                "q" => saved.push(ctm),
                "Q" => ctm = saved.pop().unwrap_or(identity),
                "cm" => ctm = concat(matrix(), ctm),
                "BT" => tm = identity,
                "Tm" => tm = matrix(),
                "Td" => {
                    let v: Vec<f64> = op.operands.iter().map(number).collect();
                    if let [x, y] = v[..] {
                        tm = concat([1.0, 0.0, 0.0, 1.0, x, y], tm);
                    }
                }
                "Tf" => {
                    current = op
                        .operands
                        .first()
                        .and_then(|n| n.as_name().ok())
                        .and_then(|n| maps.get(n))
                }
                "BMC" => marks.push(None),
                "BDC" => marks.push(op.operands.get(1).and_then(|d| match d {
                    Object::Dictionary(d) => d.get(b"MCID").and_then(Object::as_i64).ok(),
                    _ => None,
                })),
                "EMC" => {
                    marks.pop();
                }
                "Tj" | "TJ" => {
                    let at = concat(tm, ctm);
                    let mut text = String::new();
                    match op.operands.first() {
                        Some(Object::String(b, _)) => show(b, current, &mut text),
                        Some(Object::Array(items)) => {
                            for item in items {
                                if let Object::String(b, _) = item {
                                    show(b, current, &mut text);
                                }
                            }
                        }
                        _ => {}
                    }
                    runs.push(PdfRun {
                        at: (at[4], at[5]),
                        text,
                        mcid: marks.iter().rev().find_map(|m| *m),
                    });
                }
                _ => {}
            }
        }
        out.push((page_id, size, runs));
    }
    out
}

/// The tables of a tagged PDF as its structure tree gives them: each a
/// list of rows (`TR`), each a list of cells, `(tag, text)` with tag `TH`
/// or `TD` and the text whitespace dropped — what a screen reader reads.
pub fn pdf_tagged_tables(bytes: &[u8]) -> Vec<Vec<Vec<(String, String)>>> {
    use lopdf::{Document, Object, ObjectId};
    use std::collections::HashMap;
    let doc = Document::load_mem(bytes).expect("PDF parses");
    let mut marked: HashMap<(ObjectId, i64), String> = HashMap::new();
    for (page, _, runs) in pdf_runs(&doc) {
        for r in runs {
            if let Some(m) = r.mcid {
                marked.entry((page, m)).or_default().push_str(&r.text);
            }
        }
    }
    let deref = |o: &Object| -> Object {
        match o {
            Object::Reference(r) => doc.get_object(*r).cloned().unwrap_or(Object::Null),
            o => o.clone(),
        }
    };
    // The text under a structure element, its content in order.
    fn text_of(
        o: &Object,
        page: Option<ObjectId>,
        doc: &Document,
        marked: &HashMap<(ObjectId, i64), String>,
        out: &mut String,
    ) {
        let o = match o {
            Object::Reference(r) => doc.get_object(*r).cloned().unwrap_or(Object::Null),
            o => o.clone(),
        };
        match &o {
            Object::Integer(m) => {
                if let Some(t) = page.and_then(|p| marked.get(&(p, *m))) {
                    out.push_str(t);
                }
            }
            Object::Array(items) => {
                for i in items {
                    text_of(i, page, doc, marked, out);
                }
            }
            Object::Dictionary(d) => {
                let page = d.get(b"Pg").and_then(Object::as_reference).ok().or(page);
                if let Ok(m) = d.get(b"MCID").and_then(Object::as_i64) {
                    if let Some(t) = page.and_then(|p| marked.get(&(p, m))) {
                        out.push_str(t);
                    }
                } else if let Ok(k) = d.get(b"K") {
                    text_of(k, page, doc, marked, out);
                }
            }
            _ => {}
        }
    }
    let tag = |d: &lopdf::Dictionary| {
        d.get(b"S")
            .and_then(Object::as_name)
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default()
    };
    let kids = |d: &lopdf::Dictionary| -> Vec<Object> {
        match d.get(b"K").map(&deref) {
            Ok(Object::Array(a)) => a.iter().map(&deref).collect(),
            Ok(o) => vec![o],
            Err(_) => Vec::new(),
        }
    };
    let mut tables = Vec::new();
    let mut stack: Vec<Object> = vec![deref(
        doc.catalog().unwrap().get(b"StructTreeRoot").unwrap(),
    )];
    while let Some(o) = stack.pop() {
        let Object::Dictionary(d) = o else { continue };
        if tag(&d) == "Table" {
            let mut rows = Vec::new();
            let mut parts = kids(&d);
            parts.reverse();
            while let Some(Object::Dictionary(p)) = parts.pop() {
                match tag(&p).as_str() {
                    "THead" | "TBody" | "TFoot" => {
                        let mut inner = kids(&p);
                        inner.reverse();
                        parts.extend(inner);
                    }
                    "TR" => {
                        let cells = kids(&p)
                            .iter()
                            .filter_map(|c| match c {
                                Object::Dictionary(c) => {
                                    let page = c.get(b"Pg").and_then(Object::as_reference).ok();
                                    let mut t = String::new();
                                    if let Ok(k) = c.get(b"K") {
                                        text_of(k, page, &doc, &marked, &mut t);
                                    }
                                    let t = t.chars().filter(|c| !c.is_whitespace()).collect();
                                    Some((tag(c), t))
                                }
                                _ => None,
                            })
                            .collect();
                        rows.push(cells);
                    }
                    _ => {}
                }
            }
            tables.push(rows);
        } else {
            let mut k = kids(&d);
            k.reverse();
            stack.extend(k);
        }
    }
    tables
}

/// Asserts that `expected` appear in `text` in this order.
pub fn assert_in_order(text: &str, expected: &[&str]) {
    let mut at = 0;
    for e in expected {
        match text[at..].find(e) {
            Some(i) => at += i + e.len(),
            None => {
                // The text around `at`, cut on character boundaries.
                let from = text.floor_char_boundary(at.saturating_sub(60));
                let to = text.floor_char_boundary((at + 300).min(text.len()));
                panic!(
                    "`{e}` not found in order after byte {at}:\n{}",
                    &text[from..to]
                )
            }
        }
    }
}
