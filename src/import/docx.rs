//! WordprocessingML (`word/document.xml` with its styles, numbering and
//! relationships) read into a small model: paragraphs with their runs,
//! what Word would show them as (centred, bold, size, list number, the
//! style's name), pictures, tables with their merged cells. Text boxes
//! are read in reading order, tracked changes accepted (insertions kept,
//! deletions dropped); what is dropped (comments, footnotes, fields'
//! codes, formulas, charts, objects) is counted for the report.

use std::collections::HashMap;

use super::numbering::{Numbering, Shown};
use super::package::{Element, Ns};

/// A paragraph of the document.
#[derive(Debug, Clone, Default)]
pub struct Para {
    /// Its number in the document (paragraphs and tables of the body,
    /// from 1): what the report names.
    pub index: usize,
    /// Read from a text box (anchored in paragraph `index`).
    pub in_box: bool,
    /// The style's name as Word shows it, lowercased (`title`,
    /// `heading 1`, `标题 1`).
    pub style: String,
    /// The style's id (`JianbaoCaption`): what jianbao's own export is
    /// recognised by.
    pub style_id: String,
    /// The outline level of its style or its own (0 = level 1).
    pub outline: Option<u32>,
    pub centred: bool,
    /// Its own alignment (`w:jc`: `left`, `center`, `right` …), not its
    /// style's.
    pub jc: Option<String>,
    /// The largest font size of its text, in half-points.
    pub size: Option<u32>,
    /// Word's automatic number, as shown.
    pub number: Option<Shown>,
    /// Text runs: `\n` for a line break, `\t` for a tab.
    pub runs: Vec<Run>,
    pub pictures: Vec<Picture>,
    /// Its picture stands beside the one before it: a cell after the
    /// first of jianbao's row of pictures.
    pub beside: bool,
}

impl Para {
    /// The text without formatting.
    pub fn text(&self) -> String {
        self.runs.iter().map(|r| r.text.as_str()).collect()
    }

    /// Every character with text is bold.
    pub fn all_bold(&self) -> bool {
        let mut any = false;
        for r in &self.runs {
            if r.text.trim().is_empty() {
                continue;
            }
            if !r.bold {
                return false;
            }
            any = true;
        }
        any
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub text: String,
    pub bold: bool,
}

/// A picture in a paragraph: the relationship of its image and its width
/// on the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    pub rel: String,
    /// Width in EMU (914,400 to the inch).
    pub width: Option<u64>,
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub index: usize,
    pub rows: Vec<Row>,
    /// Columns of its grid (`w:tblGrid`).
    pub grid: usize,
    /// A table inside a cell was read as its text.
    pub nested: bool,
    /// Its table style's id (`w:tblStyle`).
    pub style_id: String,
}

#[derive(Debug, Clone, Default)]
pub struct Row {
    /// `w:tblHeader`: repeated as the header on every page.
    pub header: bool,
    /// Grid columns left empty before the first cell and after the last.
    pub before: usize,
    pub after: usize,
    pub cells: Vec<TableCell>,
}

#[derive(Debug, Clone, Default)]
pub struct TableCell {
    pub span: usize,
    /// `w:vMerge` without `restart`: the cell goes on from the one above.
    pub continues: bool,
    pub paras: Vec<Para>,
}

#[derive(Debug, Clone)]
pub enum Block {
    Para(Para),
    Table(Table),
}

/// What was met that the issue cannot hold, counted for the report (and
/// where first met).
#[derive(Debug, Clone, Default)]
pub struct Met {
    pub insertions: Vec<usize>,
    pub deletions: Vec<usize>,
    pub comments: Vec<usize>,
    pub footnotes: Vec<usize>,
    pub fields: Vec<usize>,
    pub text_boxes: Vec<usize>,
    pub formulas: Vec<usize>,
    pub charts: Vec<usize>,
    pub objects: Vec<usize>,
    pub bullets: Vec<usize>,
    pub external_pictures: Vec<usize>,
}

/// A style's properties that matter here, as written (not inherited).
#[derive(Debug, Clone, Default)]
struct Style {
    name: String,
    based_on: Option<String>,
    bold: Option<bool>,
    size: Option<u32>,
    centred: Option<bool>,
    num: Option<(String, Option<usize>)>,
    outline: Option<u32>,
    /// Its East Asian (or only) face is a 黑体: a character style in it is
    /// emphasis, as jianbao's `**…**` (the export's `JianbaoEmphasis`).
    heiti: Option<bool>,
}

/// The styles of `word/styles.xml`.
#[derive(Debug, Default)]
pub struct Styles {
    styles: HashMap<String, Style>,
    default_paragraph: Option<String>,
    default_size: Option<u32>,
}

impl Styles {
    pub fn read(root: &Element) -> Styles {
        let mut s = Styles::default();
        if let Some(defaults) = root.child("docDefaults")
            && let Some(rpr) = defaults.child("rPrDefault").and_then(|r| r.child("rPr"))
        {
            s.default_size = rpr.child_val("sz").and_then(|v| v.parse().ok());
        }
        for e in root.elements().filter(|e| e.is(Ns::W, "style")) {
            let Some(id) = e.attr("styleId") else {
                continue;
            };
            let ppr = e.child("pPr");
            let rpr = e.child("rPr");
            let style = Style {
                name: e.child_val("name").unwrap_or(id).to_lowercase(),
                based_on: e.child_val("basedOn").map(str::to_string),
                bold: rpr.and_then(|r| r.child("b")).map(on),
                size: rpr
                    .and_then(|r| r.child_val("sz"))
                    .and_then(|v| v.parse().ok()),
                centred: ppr.and_then(|p| p.child_val("jc")).map(is_centre),
                num: ppr.and_then(|p| p.child("numPr")).and_then(num_pr),
                outline: ppr
                    .and_then(|p| p.child_val("outlineLvl"))
                    .and_then(|v| v.parse().ok()),
                heiti: rpr.and_then(|r| r.child("rFonts")).map(|f| {
                    f.attr("eastAsia")
                        .or_else(|| f.attr("ascii"))
                        .is_some_and(is_heiti)
                }),
            };
            if e.attr("type") == Some("paragraph")
                && matches!(e.attr("default"), Some("1" | "true" | "on"))
            {
                s.default_paragraph = Some(id.to_string());
            }
            s.styles.insert(id.to_string(), style);
        }
        s
    }

    /// A property of style `id`, looked up along `basedOn`.
    fn find<T>(&self, id: &str, get: impl Fn(&Style) -> Option<T>) -> Option<T> {
        let mut at = Some(id.to_string());
        for _ in 0..32 {
            let style = self.styles.get(at.as_deref()?)?;
            if let Some(v) = get(style) {
                return Some(v);
            }
            at = style.based_on.clone();
        }
        None
    }

    fn name(&self, id: &str) -> String {
        self.styles
            .get(id)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    }
}

/// 黑体 and its kin as offices name them (`黑体`, `方正黑体_GBK`,
/// `SimHei`, `Heiti SC`: the heading face, not the body's).
fn is_heiti(face: &str) -> bool {
    let f = face.to_lowercase();
    f.contains("黑") || f.contains("simhei") || f.contains("heiti")
}

fn on(e: &Element) -> bool {
    !matches!(e.attr("val"), Some("0" | "false" | "off" | "none"))
}

fn is_centre(v: &str) -> bool {
    v == "center"
}

fn num_pr(e: &Element) -> Option<(String, Option<usize>)> {
    let id = e.child_val("numId")?.to_string();
    let ilvl = e.child_val("ilvl").and_then(|v| v.parse().ok());
    Some((id, ilvl))
}

/// The document's relationships: id → target part (resolved against
/// `word/`), or an external target (never followed).
#[derive(Debug, Default)]
pub struct Rels {
    pub targets: HashMap<String, Target>,
    /// Ids whose target was written as an absolute path (`/word/…`):
    /// valid in a package, but one that names no part of it is a path
    /// of the system (`/etc/passwd`) and refused.
    pub absolute: std::collections::HashSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A part of the package (its name in the zip).
    Part(String),
    /// `TargetMode="External"`: a link to a file or address outside the
    /// package, never read.
    External(String),
    /// A path that leaves the package (`../../x`, `C:\x`, `file:…`).
    Outside(String),
}

impl Rels {
    /// The relationships of a part in folder `base` (`word`).
    pub fn read_from(root: &Element, base: &str) -> Rels {
        let mut rels = Rels::default();
        for e in root.elements().filter(|e| &*e.name == "Relationship") {
            let (Some(id), Some(target)) = (e.attr("Id"), e.attr("Target")) else {
                continue;
            };
            if target.starts_with(['/', '\\']) {
                rels.absolute.insert(id.to_string());
            }
            let t = if e.attr("TargetMode") == Some("External") {
                Target::External(target.to_string())
            } else {
                resolve(base, target)
            };
            rels.targets.insert(id.to_string(), t);
        }
        rels
    }
}

/// A relationship's target against the folder of its source part: a
/// part name inside the package, or `Outside`.
pub fn resolve(base: &str, target: &str) -> Target {
    let outside = || Target::Outside(target.to_string());
    let t = target.replace('\\', "/");
    let lower = t.to_ascii_lowercase();
    if lower.contains(':') || t.starts_with("//") || t.contains('\0') {
        // C:\…, file:…, http:… without External, //server/share
        return outside();
    }
    let mut parts: Vec<&str> = if t.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|p| !p.is_empty()).collect()
    };
    for p in t.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return outside();
                }
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return outside();
    }
    Target::Part(parts.join("/"))
}

/// What is read from `word/document.xml`.
pub struct Reader<'a> {
    styles: &'a Styles,
    numbering: &'a mut Numbering,
    pub met: Met,
    /// The paragraph or table being read (its report number).
    at: usize,
    next_index: usize,
    /// Inside a table's cells: their paragraphs are the table's.
    in_table: usize,
}

impl<'a> Reader<'a> {
    pub fn new(styles: &'a Styles, numbering: &'a mut Numbering) -> Self {
        Reader {
            styles,
            numbering,
            met: Met::default(),
            at: 0,
            next_index: 0,
            in_table: 0,
        }
    }

    /// The blocks of `w:document/w:body`, text boxes right after the
    /// paragraph they stand in.
    pub fn body(&mut self, document: &Element) -> Vec<Block> {
        let Some(body) = document.child("body") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        self.blocks(body, false, &mut out);
        out
    }

    fn blocks(&mut self, parent: &Element, in_box: bool, out: &mut Vec<Block>) {
        for e in parent.elements() {
            match (e.ns, &*e.name) {
                (Ns::W, "p") => {
                    if !in_box && self.in_table == 0 {
                        self.next_index += 1;
                        self.at = self.next_index;
                    }
                    let mut boxes = Vec::new();
                    let para = self.paragraph(e, in_box, &mut boxes);
                    // jianbao's own 本期要目: made from the titles, with
                    // page numbers; it is no text of the issue.
                    if !para.style_id.starts_with(JIANBAO_CONTENTS) {
                        out.push(Block::Para(para));
                    } else {
                        // Its PAGEREF fields go with it, unsaid.
                        let at = self.at;
                        self.met.fields.retain(|&i| i != at);
                    }
                    out.extend(boxes);
                }
                (Ns::W, "tbl") => {
                    if !in_box && self.in_table == 0 {
                        self.next_index += 1;
                        self.at = self.next_index;
                    }
                    self.in_table += 1;
                    let table = self.table(e, in_box);
                    self.in_table -= 1;
                    match own_table(&table) {
                        Some(paras) => out.extend(paras.into_iter().map(Block::Para)),
                        None => out.push(Block::Table(table)),
                    }
                }
                (Ns::W, "sdt") => {
                    if let Some(content) = e.child("sdtContent") {
                        self.blocks(content, in_box, out);
                    }
                }
                (Ns::W, "customXml" | "ins" | "moveTo" | "smartTag") => {
                    if matches!(&*e.name, "ins" | "moveTo") {
                        self.met.insertions.push(self.at + 1);
                    }
                    self.blocks(e, in_box, out);
                }
                (Ns::W, "del" | "moveFrom") => self.met.deletions.push(self.at + 1),
                (Ns::W, "altChunk") => self.met.objects.push(self.at + 1),
                (Ns::Mc, "AlternateContent") => {
                    if let Some(choice) = e.elements().find(|c| c.is(Ns::Mc, "Choice")) {
                        self.blocks(choice, in_box, out);
                    }
                }
                _ => {}
            }
        }
    }

    fn paragraph(&mut self, p: &Element, in_box: bool, boxes: &mut Vec<Block>) -> Para {
        let styles = self.styles;
        let ppr = p.child("pPr");
        let style_id = ppr
            .and_then(|p| p.child_val("pStyle"))
            .map(str::to_string)
            .or_else(|| styles.default_paragraph.clone())
            .unwrap_or_default();
        let centred = ppr
            .and_then(|p| p.child_val("jc"))
            .map(is_centre)
            .or_else(|| styles.find(&style_id, |s| s.centred))
            .unwrap_or(false);
        let outline = ppr
            .and_then(|p| p.child_val("outlineLvl"))
            .and_then(|v| v.parse().ok())
            .or_else(|| styles.find(&style_id, |s| s.outline));
        let own_num = ppr.and_then(|p| p.child("numPr")).and_then(num_pr);
        let num = match own_num {
            Some((id, ilvl)) => Some((id, ilvl)),
            None => styles.find(&style_id, |s| s.num.clone()),
        };
        let number = match num {
            Some((id, ilvl)) if id != "0" => {
                let shown = self.numbering.next(&id, ilvl.unwrap_or(0));
                if shown == Some(Shown::Bullet) {
                    self.met.bullets.push(self.at);
                }
                shown
            }
            _ => None,
        };
        let para_bold = styles.find(&style_id, |s| s.bold).unwrap_or(false);
        let para_size = styles.find(&style_id, |s| s.size).or(styles.default_size);
        let mut para = Para {
            index: self.at,
            in_box,
            style: styles.name(&style_id),
            style_id: style_id.clone(),
            outline,
            centred,
            jc: ppr.and_then(|p| p.child_val("jc")).map(str::to_string),
            size: None,
            number,
            runs: Vec::new(),
            pictures: Vec::new(),
            beside: false,
        };
        let look = Look {
            bold: para_bold,
            size: para_size,
        };
        self.inline(p, look, &mut para, boxes);
        para
    }

    /// The runs of `parent` (a paragraph, a hyperlink, an insertion …).
    fn inline(&mut self, parent: &Element, look: Look, para: &mut Para, boxes: &mut Vec<Block>) {
        for e in parent.elements() {
            match (e.ns, &*e.name) {
                (Ns::W, "r") => self.run(e, look, para, boxes),
                (Ns::W, "ins" | "moveTo") => {
                    self.met.insertions.push(self.at);
                    self.inline(e, look, para, boxes);
                }
                (Ns::W, "del" | "moveFrom") => self.met.deletions.push(self.at),
                (Ns::W, "fldSimple") => {
                    self.met.fields.push(self.at);
                    self.inline(e, look, para, boxes);
                }
                (Ns::W, "hyperlink" | "smartTag" | "customXml" | "bdo" | "dir") => {
                    self.inline(e, look, para, boxes)
                }
                (Ns::W, "sdt") => {
                    if let Some(content) = e.child("sdtContent") {
                        self.inline(content, look, para, boxes);
                    }
                }
                (Ns::W, "commentRangeStart") => self.met.comments.push(self.at),
                (Ns::Mc, "AlternateContent") => {
                    if let Some(choice) = e.elements().find(|c| c.is(Ns::Mc, "Choice")) {
                        self.inline(choice, look, para, boxes);
                    }
                }
                (_, "oMath" | "oMathPara") => self.met.formulas.push(self.at),
                _ => {}
            }
        }
    }

    fn run(&mut self, r: &Element, look: Look, para: &mut Para, boxes: &mut Vec<Block>) {
        let styles = self.styles;
        let rpr = r.child("rPr");
        let char_style = rpr.and_then(|p| p.child_val("rStyle"));
        let bold = rpr
            .and_then(|p| p.child("b"))
            .map(on)
            .or_else(|| char_style.and_then(|s| styles.find(s, |st| st.bold)))
            .or_else(|| {
                char_style
                    .and_then(|s| styles.find(s, |st| st.heiti))
                    .filter(|h| *h)
            })
            .unwrap_or(look.bold);
        let size = rpr
            .and_then(|p| p.child_val("sz"))
            .and_then(|v| v.parse().ok())
            .or_else(|| char_style.and_then(|s| styles.find(s, |st| st.size)))
            .or(look.size);
        let mut text = String::new();
        for e in r.elements() {
            match (e.ns, &*e.name) {
                (Ns::W, "t") => text.push_str(&e.text()),
                (Ns::W, "tab" | "ptab") => text.push('\t'),
                (Ns::W, "br" | "cr") => text.push('\n'),
                (Ns::W, "noBreakHyphen") => text.push('-'),
                (Ns::W, "sym") => {
                    // A symbol font's character (Wingdings …) is no text;
                    // one of a text font is.
                    let font = e.attr("font").unwrap_or_default().to_lowercase();
                    if !font.contains("symbol") && !font.contains("wingdings") {
                        let c = e
                            .attr("char")
                            .and_then(|c| u32::from_str_radix(c, 16).ok())
                            .and_then(char::from_u32)
                            .filter(|c| !('\u{E000}'..='\u{F8FF}').contains(c));
                        text.extend(c);
                    }
                }
                (Ns::W, "fldChar") if e.attr("fldCharType") == Some("begin") => {
                    self.met.fields.push(self.at)
                }
                (Ns::W, "footnoteReference" | "endnoteReference") => {
                    self.met.footnotes.push(self.at)
                }
                (Ns::W, "commentReference") if !self.met.comments.contains(&self.at) => {
                    self.met.comments.push(self.at)
                }
                (Ns::W, "drawing" | "pict") => {
                    self.push_text(para, &mut text, bold, size);
                    self.drawing(e, para, boxes);
                }
                (Ns::W, "object") => self.met.objects.push(self.at),
                (Ns::Mc, "AlternateContent") => {
                    if let Some(choice) = e.elements().find(|c| c.is(Ns::Mc, "Choice")) {
                        self.push_text(para, &mut text, bold, size);
                        self.run(choice, look_of(bold, size), para, boxes);
                    }
                }
                _ => {}
            }
        }
        self.push_text(para, &mut text, bold, size);
    }

    fn push_text(&self, para: &mut Para, text: &mut String, bold: bool, size: Option<u32>) {
        if text.is_empty() {
            return;
        }
        if !text.trim().is_empty()
            && let Some(size) = size
        {
            para.size = Some(para.size.map_or(size, |s| s.max(size)));
        }
        match para.runs.last_mut() {
            Some(last) if last.bold == bold => last.text.push_str(text),
            _ => para.runs.push(Run {
                text: std::mem::take(text),
                bold,
            }),
        }
        text.clear();
    }

    /// A `w:drawing` or VML `w:pict`: its pictures, its text boxes (read
    /// as paragraphs after this one), charts and other graphics counted.
    fn drawing(&mut self, d: &Element, para: &mut Para, boxes: &mut Vec<Block>) {
        let width = d
            .descendants()
            .into_iter()
            .find(|e| &*e.name == "extent" && e.attr("cx").is_some())
            .and_then(|e| e.attr("cx"))
            .and_then(|v| v.parse().ok())
            .or_else(|| vml_width(d));
        let mut stack: Vec<&Element> = vec![d];
        while let Some(e) = stack.pop() {
            match (e.ns, &*e.name) {
                (Ns::W, "txbxContent") => {
                    self.met.text_boxes.push(self.at);
                    let mut inner = Vec::new();
                    self.blocks(e, true, &mut inner);
                    boxes.extend(inner);
                    continue;
                }
                (Ns::Mc, "Fallback") => continue,
                (Ns::A, "blip") => {
                    match e.attr("embed").or_else(|| e.attr("link")) {
                        Some(rel) if e.attr("embed").is_some() => para.pictures.push(Picture {
                            rel: rel.to_string(),
                            width,
                        }),
                        _ => self.met.external_pictures.push(self.at),
                    }
                    continue;
                }
                (Ns::V, "imagedata") => {
                    if let Some(rel) = e.attr("id") {
                        para.pictures.push(Picture {
                            rel: rel.to_string(),
                            width,
                        });
                    }
                    continue;
                }
                (_, "chart") => {
                    self.met.charts.push(self.at);
                    continue;
                }
                _ => {}
            }
            let at = stack.len();
            stack.extend(e.elements());
            stack[at..].reverse();
        }
    }

    fn table(&mut self, t: &Element, in_box: bool) -> Table {
        let grid = t.child("tblGrid").map_or(0, |g| {
            g.elements().filter(|c| c.is(Ns::W, "gridCol")).count()
        });
        let mut table = Table {
            index: self.at,
            grid,
            style_id: t
                .child("tblPr")
                .and_then(|p| p.child_val("tblStyle"))
                .unwrap_or_default()
                .to_string(),
            ..Table::default()
        };
        for tr in rows_of(t) {
            let trpr = tr.child("trPr");
            let mut row = Row {
                header: trpr.and_then(|p| p.child("tblHeader")).is_some_and(on),
                // Bounded as a span is: the values are the file's claims.
                before: trpr
                    .and_then(|p| p.child_val("gridBefore"))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0)
                    .min(64),
                after: trpr
                    .and_then(|p| p.child_val("gridAfter"))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0)
                    .min(64),
                cells: Vec::new(),
            };
            for tc in cells_of(tr) {
                let tcpr = tc.child("tcPr");
                let span = tcpr
                    .and_then(|p| p.child_val("gridSpan"))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, 64);
                let continues = tcpr
                    .and_then(|p| p.child("vMerge"))
                    .is_some_and(|v| v.attr("val").is_none_or(|v| v == "continue"));
                let mut blocks = Vec::new();
                self.blocks(tc, in_box, &mut blocks);
                let mut paras = Vec::new();
                for b in blocks {
                    match b {
                        Block::Para(p) => paras.push(p),
                        Block::Table(inner) => {
                            table.nested = true;
                            for r in inner.rows {
                                for c in r.cells {
                                    paras.extend(c.paras);
                                }
                            }
                        }
                    }
                }
                row.cells.push(TableCell {
                    span,
                    continues,
                    paras,
                });
            }
            table.rows.push(row);
        }
        table
    }
}

/// The paragraph styles of jianbao's export (`src/docx/styles.rs`) that
/// mark what it wrote as a table for layout's sake only.
const JIANBAO_CONTENTS: &str = "JianbaoContents";
const JIANBAO_PICTURE: &str = "JianbaoPicture";
const JIANBAO_CLOSING: &str = "JianbaoClosing";

/// A table jianbao's export made for layout, as the paragraphs it stands
/// for: pictures side by side (a borderless row, each cell a picture in
/// `JianbaoPicture` and its caption), the picture paragraphs and their
/// captions in reading order; the 版记 (every paragraph `JianbaoClosing`),
/// a line per row (`报：` and its units, the imprint and its date
/// separated by a space), which the closing block is read from.
fn own_table(t: &Table) -> Option<Vec<Para>> {
    let paras = || t.rows.iter().flat_map(|r| &r.cells).flat_map(|c| &c.paras);
    if paras().any(|p| p.style_id == JIANBAO_PICTURE) {
        let mut out = Vec::new();
        for (k, cell) in t.rows.iter().flat_map(|r| &r.cells).enumerate() {
            let mut first = k > 0;
            for p in &cell.paras {
                let mut p = p.clone();
                if first && !p.pictures.is_empty() {
                    p.beside = true;
                    first = false;
                }
                out.push(p);
            }
        }
        return Some(out);
    }
    if paras().next().is_none() || !paras().all(|p| p.style_id == JIANBAO_CLOSING) {
        return None;
    }
    let rows = t.rows.iter().filter_map(|r| {
        let mut line = Para::default();
        for c in &r.cells {
            for p in &c.paras {
                if line.style_id.is_empty() {
                    line = Para {
                        runs: Vec::new(),
                        ..p.clone()
                    };
                }
                let text = p.text();
                let text = text.trim();
                if text.is_empty() {
                    continue;
                }
                let glue = line.text().is_empty() || line.text().ends_with(['：', ':']);
                line.runs.push(Run {
                    text: if glue {
                        text.to_string()
                    } else {
                        format!(" {text}")
                    },
                    bold: false,
                });
            }
        }
        (!line.text().is_empty()).then_some(line)
    });
    Some(rows.collect())
}

/// Rows of a table, through content controls and tracked insertions.
fn rows_of(t: &Element) -> Vec<&Element> {
    let mut out = Vec::new();
    for e in t.elements() {
        match &*e.name {
            "tr" => out.push(e),
            "sdt" => out.extend(e.child("sdtContent").map(rows_of).unwrap_or_default()),
            "customXml" | "ins" => out.extend(rows_of(e)),
            _ => {}
        }
    }
    out
}

fn cells_of(tr: &Element) -> Vec<&Element> {
    let mut out = Vec::new();
    for e in tr.elements() {
        match &*e.name {
            "tc" => out.push(e),
            "sdt" => out.extend(e.child("sdtContent").map(cells_of).unwrap_or_default()),
            "customXml" | "ins" => out.extend(cells_of(e)),
            _ => {}
        }
    }
    out
}

/// The width in a VML shape's style (`width:207.75pt`), in EMU.
fn vml_width(d: &Element) -> Option<u64> {
    let style = d
        .descendants()
        .into_iter()
        .find(|e| e.ns == Ns::V && &*e.name == "shape")?
        .attr("style")?
        .to_string();
    let w = style
        .split(';')
        .find_map(|p| p.trim().strip_prefix("width:"))?;
    let (num, per) = if let Some(n) = w.strip_suffix("pt") {
        (n, 12_700.0)
    } else if let Some(n) = w.strip_suffix("in") {
        (n, 914_400.0)
    } else if let Some(n) = w.strip_suffix("mm") {
        (n, 36_000.0)
    } else if let Some(n) = w.strip_suffix("cm") {
        (n, 360_000.0)
    } else {
        return None;
    };
    let v: f64 = num.trim().parse().ok()?;
    (v > 0.0).then_some((v * per) as u64)
}

#[derive(Debug, Clone, Copy)]
struct Look {
    bold: bool,
    size: Option<u32>,
}

fn look_of(bold: bool, size: Option<u32>) -> Look {
    Look { bold, size }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_never_leave_the_package() {
        assert_eq!(
            resolve("word", "media/image1.png"),
            Target::Part("word/media/image1.png".into())
        );
        assert_eq!(
            resolve("word", "/word/media/a.png"),
            Target::Part("word/media/a.png".into())
        );
        assert_eq!(
            resolve("word", "../media/a.png"),
            Target::Part("media/a.png".into())
        );
        for bad in [
            "../../etc/passwd",
            "../../../x.png",
            "C:\\Windows\\x.png",
            "file:///etc/passwd",
            "//server/share/x.png",
            "/",
        ] {
            assert!(matches!(resolve("word", bad), Target::Outside(_)), "{bad}");
        }
    }
}
