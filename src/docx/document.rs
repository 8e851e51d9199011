//! `word/document.xml`: the masthead, 本期要目, the articles, attachments
//! and the 版记, as paragraphs and tables in the named styles of
//! `styles.rs`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::error::DocxError;
use super::styles::{OfficeFonts, border, grid_borders, id, no_border, three_line_borders};
use super::xml::{
    cell_twips, char_space, emu, escape, half_points, line_pitch, pt_twips, twips, type_area,
};
use crate::compose::grid::Face;
use crate::compose::{picture, table, title};
use crate::config::Config;
use crate::fonts::Fonts;
use crate::issue::{
    AttachmentNote, Block, Cell, ColumnAlign, HeadingLevel, Issue, Table, TableStyle, Text,
    chinese_date, note_label,
};
use crate::layout_data::geometry::*;
use crate::layout_data::{Align, LayoutData, PictureItem, Row, TextItem};

/// A picture file put into the package (`word/media/imageN.ext`).
pub struct Media {
    pub name: String,
    pub bytes: Vec<u8>,
    pub rel: String,
}

/// The body of the document and the pictures it shows.
pub struct Body {
    pub xml: String,
    pub media: Vec<Media>,
}

/// Relationship ids of the two footers (package.rs writes them).
pub const FOOTER_ODD: &str = "rIdFooterOdd";
pub const FOOTER_EVEN: &str = "rIdFooterEven";

/// A paragraph's properties, written in the order the schema asks
/// (Word refuses a document whose elements are out of order).
#[derive(Default, Clone)]
struct PPr {
    style: &'static str,
    keep_next: bool,
    page_break_before: bool,
    /// `w:pBdr`'s content.
    borders: Option<String>,
    tabs: Option<String>,
    /// Spacing before and after in twips; `line` as exact twips.
    before: Option<i64>,
    after: Option<i64>,
    line: Option<i64>,
    ind: Option<String>,
    jc: Option<&'static str>,
    sect: Option<String>,
}

impl PPr {
    fn style(style: &'static str) -> Self {
        Self {
            style,
            ..Self::default()
        }
    }

    fn xml(&self) -> String {
        let mut s = String::from("<w:pPr>");
        if !self.style.is_empty() && self.style != id::NORMAL {
            s += &format!(r#"<w:pStyle w:val="{}"/>"#, self.style);
        }
        if self.keep_next {
            s += "<w:keepNext/>";
        }
        if self.page_break_before {
            s += "<w:pageBreakBefore/>";
        }
        if let Some(b) = &self.borders {
            s += &format!("<w:pBdr>{b}</w:pBdr>");
        }
        if let Some(t) = &self.tabs {
            s += &format!("<w:tabs>{t}</w:tabs>");
        }
        if self.before.is_some() || self.after.is_some() || self.line.is_some() {
            s += "<w:spacing";
            if let Some(b) = self.before {
                s += &format!(r#" w:before="{b}""#);
            }
            if let Some(a) = self.after {
                s += &format!(r#" w:after="{a}""#);
            }
            if let Some(l) = self.line {
                s += &format!(r#" w:line="{l}" w:lineRule="exact""#);
            }
            s += "/>";
        }
        if let Some(i) = &self.ind {
            s += i;
        }
        if let Some(j) = self.jc {
            s += &format!(r#"<w:jc w:val="{j}"/>"#);
        }
        if let Some(sect) = &self.sect {
            s += sect;
        }
        s += "</w:pPr>";
        s
    }
}

/// A run of text with run properties (`rpr` without `<w:rPr>`).
fn run(text: &str, rpr: &str) -> String {
    let rpr = if rpr.is_empty() {
        String::new()
    } else {
        format!("<w:rPr>{rpr}</w:rPr>")
    };
    let mut s = String::new();
    // A tab in the text is Word's tab, not a character.
    for (i, piece) in text.split('\t').enumerate() {
        if i > 0 {
            s += &format!("<w:r>{rpr}<w:tab/></w:r>");
        }
        if !piece.is_empty() {
            s += &format!(
                r#"<w:r>{rpr}<w:t xml:space="preserve">{}</w:t></w:r>"#,
                escape(piece)
            );
        }
    }
    s
}

fn line_break() -> &'static str {
    "<w:r><w:br/></w:r>"
}

fn tab() -> &'static str {
    "<w:r><w:tab/></w:r>"
}

fn paragraph(ppr: &PPr, content: &str) -> String {
    format!("<w:p>{}{content}</w:p>", ppr.xml())
}

/// Indent of whole grid characters: `left` characters, the first line
/// `first` characters further (negative: hanging).
fn ind_chars(left: i64, first: i64) -> String {
    let cell = cell_twips();
    let mut s = format!(
        r#"<w:ind w:leftChars="{}" w:left="{}""#,
        left * 100,
        left * cell
    );
    if first >= 0 {
        s += &format!(
            r#" w:firstLineChars="{}" w:firstLine="{}""#,
            first * 100,
            first * cell
        );
    } else {
        s += &format!(
            r#" w:hangingChars="{}" w:hanging="{}""#,
            -first * 100,
            -first * cell
        );
    }
    s + "/>"
}

/// The runs of a text: `**…**` in the emphasis style; `base` is the
/// character style of the rest (a run-in heading's body text), `extra`
/// run properties for every run (a table's type size).
fn text_runs(text: &Text, base: Option<&str>, extra: &str) -> String {
    text.runs
        .iter()
        .map(|r| {
            let style = if r.emphasis { Some(id::EMPHASIS) } else { base };
            let rpr = style
                .map(|s| format!(r#"<w:rStyle w:val="{s}"/>"#))
                .unwrap_or_default()
                + extra;
            run(&r.text, &rpr)
        })
        .collect()
}

/// A type size as run properties.
fn size_rpr(pt: f64) -> String {
    let h = half_points(pt);
    format!(r#"<w:sz w:val="{h}"/><w:szCs w:val="{h}"/>"#)
}

struct Writer<'a> {
    out: String,
    f: &'a OfficeFonts,
    fonts: &'a Fonts,
    config: &'a Config,
    /// The canonical publication folder: pictures are read only inside.
    root: PathBuf,
    media: Vec<Media>,
    media_by_path: BTreeMap<PathBuf, usize>,
    /// `wp:docPr` ids, unique in the document.
    drawings: u32,
    /// The PDF's pictures, in reading order, and the next one's index.
    pictures: Vec<PictureItem>,
    next_picture: usize,
    /// Spacing before the first block after the masthead (or 本期要目):
    /// the blank lines the PDF leaves there.
    first_before: Option<i64>,
    /// A landscape section is open: an attachment that is a table too
    /// wide for the page has its head on the table's first turned page,
    /// as in the PDF.
    landscape_open: bool,
}

impl Body {
    pub fn write(
        issue: &Issue,
        config: &Config,
        fonts: &Fonts,
        root: &Path,
        laid: &LayoutData,
        f: &OfficeFonts,
    ) -> Result<Body, DocxError> {
        let pictures = laid
            .pages
            .iter()
            .flat_map(|p| &p.rows)
            .flat_map(|r| match &r.row {
                Row::Pictures { items, .. } => items.clone(),
                _ => Vec::new(),
            })
            .collect();
        let mut w = Writer {
            out: String::new(),
            f,
            fonts,
            config,
            root: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
            media: Vec::new(),
            media_by_path: BTreeMap::new(),
            drawings: 0,
            pictures,
            next_picture: 0,
            first_before: None,
            landscape_open: false,
        };
        w.masthead(laid);
        w.contents(issue, laid);
        w.blocks(issue)?;
        w.closing(issue);
        w.out += &section(false);
        Ok(Body {
            xml: w.out,
            media: w.media,
        })
    }
}

/// A section's properties: A4 upright (or turned, for a landscape table),
/// the 公文 margins, the footers, and the document grid.
fn section(landscape: bool) -> String {
    let (top, right, bottom, left) = super::xml::margins();
    let (w, h) = (twips(PAGE_WIDTH), twips(PAGE_HEIGHT));
    // The page number's baseline 8.8 mm under the type area, as the PDF
    // has it: an exact 4号 line (14 pt) ends about a fifth of its height
    // under its baseline.
    let footer = twips(PAGE_HEIGHT - TOP - HEIGHT - 8.8 - 0.2 * CLOSING_PT * MM_PER_PT);
    let footers = format!(
        r#"<w:footerReference w:type="default" r:id="{FOOTER_ODD}"/><w:footerReference w:type="even" r:id="{FOOTER_EVEN}"/>"#
    );
    // The grid of 22 lines of 28 characters Word's 页面设置 shows. The
    // text is off its character grid (`styles::styles`, Normal): its 28
    // characters a line come from the body's own condensed pitch.
    let grid = format!(
        r#"<w:docGrid w:type="linesAndChars" w:linePitch="{}" w:charSpace="{}"/>"#,
        line_pitch(),
        char_space()
    );
    if landscape {
        // The type area turned a quarter anticlockwise, as the PDF's
        // landscape pages: its head at the binding edge.
        format!(
            r#"<w:sectPr>{footers}<w:pgSz w:w="{h}" w:h="{w}" w:orient="landscape"/><w:pgMar w:top="{left}" w:right="{top}" w:bottom="{right}" w:left="{bottom}" w:header="851" w:footer="{footer}" w:gutter="0"/><w:cols w:space="425"/>{grid}</w:sectPr>"#
        )
    } else {
        format!(
            r#"<w:sectPr>{footers}<w:pgSz w:w="{w}" w:h="{h}"/><w:pgMar w:top="{top}" w:right="{right}" w:bottom="{bottom}" w:left="{left}" w:header="851" w:footer="{footer}" w:gutter="0"/><w:cols w:space="425"/>{grid}</w:sectPr>"#
        )
    }
}

impl Writer<'_> {
    fn push(&mut self, ppr: &PPr, content: &str) {
        self.out += &paragraph(ppr, content);
    }

    /// The PPr of the next block, with page 1's blank lines when it is the
    /// first after the masthead.
    fn first(&mut self, mut ppr: PPr) -> PPr {
        if let Some(before) = self.first_before.take() {
            ppr.before = Some(before);
        }
        ppr
    }

    fn rfonts_of(&self, role: crate::fonts::Role) -> String {
        use crate::fonts::Role;
        let f = self.f;
        match role {
            Role::Title => f.r_fonts(&f.title),
            Role::Heading => f.r_fonts(&f.heading),
            Role::Subheading => f.r_fonts(&f.subheading),
            Role::Song => f.r_fonts_all(&f.song),
            _ => f.r_fonts(&f.body),
        }
    }

    fn item_run(&self, item: &TextItem) -> String {
        let color = if item.red {
            r#"<w:color w:val="FF0000"/>"#
        } else {
            ""
        };
        let rpr = format!(
            "{}{color}{}",
            self.rfonts_of(item.role),
            size_rpr(item.size)
        );
        run(&item.text, &rpr)
    }

    /// The 报头, line by line as the PDF places it on page 1: the mark and
    /// 密级, 编号, the red series line, the red name, the number line, the
    /// 编发单位 and the date on one line (a right tab), and the red rule
    /// under them as that paragraph's bottom border.
    fn masthead(&mut self, laid: &LayoutData) {
        let Some(page) = laid.pages.first() else {
            return;
        };
        let pitch = line_pitch();
        let Some(rule) = page.rules.iter().find(|r| r.red) else {
            return;
        };
        let rule_line = (rule.at / PITCH).floor() as usize;
        let mut rows: Vec<(usize, &Row)> = page
            .rows
            .iter()
            .filter(|p| p.line < rule_line as f64)
            .map(|p| (p.line as usize, &p.row))
            .collect();
        rows.sort_by_key(|(l, _)| *l);
        let last = rows.last().map_or(0, |(l, _)| *l);
        let (width, _) = type_area();
        let mut line = 0;
        while line <= last {
            let Some((_, row)) = rows.iter().find(|(l, _)| *l == line) else {
                let ppr = PPr::style(id::MASTHEAD);
                self.push(&ppr, "");
                line += 1;
                continue;
            };
            let lines = row.lines();
            let mut ppr = PPr::style(id::MASTHEAD);
            if lines > 1 {
                ppr.line = Some(pitch * lines as i64);
            }
            let Row::Text { items, .. } = row else {
                line += lines;
                continue;
            };
            let left: Vec<&TextItem> = items.iter().filter(|i| i.align == Align::Left).collect();
            let right: Vec<&TextItem> = items.iter().filter(|i| i.align == Align::Right).collect();
            let centre: Vec<&TextItem> =
                items.iter().filter(|i| i.align == Align::Center).collect();
            let mut content = String::new();
            if !centre.is_empty() {
                ppr.jc = Some("center");
                content += &centre.iter().map(|i| self.item_run(i)).collect::<String>();
            } else {
                ppr.jc = Some("left");
                content += &left.iter().map(|i| self.item_run(i)).collect::<String>();
                if !right.is_empty() {
                    ppr.tabs = Some(format!(r#"<w:tab w:val="right" w:pos="{width}"/>"#));
                    content += tab();
                    content += &right.iter().map(|i| self.item_run(i)).collect::<String>();
                }
            }
            if line == last {
                // The red rule 4 mm under the text of this line: its
                // border stands `space` under the paragraph's foot (half a
                // grid line under the text's centre).
                let text_bottom = 0.5 * PITCH + BODY_PT * MM_PER_PT / 2.0;
                let space_pt = ((text_bottom + 4.0 - PITCH) / MM_PER_PT).round().max(0.0) as i64;
                ppr.borders = Some(format!(
                    r#"<w:bottom w:val="single" w:sz="{}" w:space="{space_pt}" w:color="FF0000"/>"#,
                    super::xml::border_eighths(rule.thickness)
                ));
                self.push(&ppr, &content);
                // The rest of the rule's grid line, less what the border
                // and its space take, so the text after stays on the grid.
                let taken = pt_twips(space_pt as f64) + pt_twips(rule.thickness / MM_PER_PT);
                let rest = PPr {
                    line: Some((pitch * (rule_line - last) as i64 - taken).max(20)),
                    ..PPr::style(id::MASTHEAD)
                };
                self.push(&rest, "");
            } else {
                self.push(&ppr, &content);
            }
            line += lines;
        }
        // The blank lines between the rule's line and what follows it.
        let next = page
            .rows
            .iter()
            .map(|p| p.line)
            .filter(|l| *l > rule_line as f64)
            .fold(f64::INFINITY, f64::min);
        if next.is_finite() {
            let blanks = (next as usize).saturating_sub(rule_line + 1);
            self.first_before = Some(pitch * blanks as i64);
        }
    }

    /// 本期要目, when the PDF has one: its heading and an entry per
    /// article, the title, a dot leader and the page, a `PAGEREF` to the
    /// bookmark at the article's title with the PDF's page as its result.
    fn contents(&mut self, issue: &Issue, laid: &LayoutData) {
        let numbers: Vec<String> = laid
            .pages
            .iter()
            .flat_map(|p| &p.rows)
            .filter_map(|r| match &r.row {
                Row::Grid {
                    number: Some(n), ..
                } => Some(n.clone()),
                _ => None,
            })
            .collect();
        if numbers.is_empty() {
            return;
        }
        let mut entries: Vec<(Option<String>, String)> = Vec::new();
        let mut label = None;
        for block in crate::issue::articles(&issue.body) {
            match block {
                Block::Label(t) => label = Some(t.plain()),
                Block::Title { lines, .. } => {
                    entries.push((label.clone(), lines.iter().map(Text::plain).collect()))
                }
                _ => {}
            }
        }
        let ppr = self.first(PPr::style(id::CONTENTS_HEADING));
        self.push(&ppr, &run("本期要目", ""));
        let grouped = entries.iter().any(|(l, _)| l.is_some());
        let mut current: Option<&String> = None;
        let n = entries.len().min(numbers.len());
        for (k, (label, text)) in entries.iter().take(n).enumerate() {
            if label.as_ref() != current {
                current = label.as_ref();
                if let Some(l) = label {
                    self.push(&PPr::style(id::CONTENTS_LABEL), &run(l, ""));
                }
            }
            let indent = if grouped { 2 } else { 0 };
            let ppr = PPr {
                ind: Some(ind_chars(indent + 2, -2)),
                ..PPr::style(id::CONTENTS)
            };
            let field = format!(
                concat!(
                    r#"<w:r><w:fldChar w:fldCharType="begin"/></w:r>"#,
                    r#"<w:r><w:instrText xml:space="preserve"> PAGEREF {} \h </w:instrText></w:r>"#,
                    r#"<w:r><w:fldChar w:fldCharType="separate"/></w:r>{}"#,
                    r#"<w:r><w:fldChar w:fldCharType="end"/></w:r>"#
                ),
                bookmark(k),
                run(&numbers[k], "")
            );
            let content = format!("{}{}{field}", run(text, ""), tab());
            self.push(&ppr, &content);
        }
        // A blank line under the entries, unless a title or label
        // follows, which has its own.
        self.first_before = match issue.body.first() {
            Some(Block::Label(_) | Block::Title { .. }) => None,
            _ => Some(line_pitch()),
        };
    }

    fn blocks(&mut self, issue: &Issue) -> Result<(), DocxError> {
        let body = &issue.body;
        let source = &issue.source.text;
        let mut article = 0;
        let mut attachments_started = false;
        let mut last_was_table = false;
        let mut i = 0;
        while i < body.len() {
            let block = &body[i];
            let was_table = last_was_table;
            last_was_table = false;
            match block {
                Block::Label(t) => {
                    let ppr = self.first(PPr::style(id::LABEL));
                    self.push(&ppr, &text_runs(t, None, ""));
                }
                Block::Title {
                    lead,
                    lines,
                    subtitle,
                    byline,
                } => {
                    let mark = (!attachments_started).then(|| {
                        article += 1;
                        article - 1
                    });
                    self.title(lead.as_ref(), lines, subtitle.as_ref(), byline, mark);
                }
                Block::Note(paragraphs) => {
                    for (k, p) in paragraphs.iter().enumerate() {
                        let mut ppr = PPr::style(id::NOTE);
                        if k == 0 {
                            ppr = self.first(ppr);
                        }
                        // The label in 黑体: as typed (a colon made
                        // full-width), else 编者按：, as the PDF prints it.
                        let emphasis = format!(r#"<w:rStyle w:val="{}"/>"#, id::EMPHASIS);
                        let content = if k > 0 {
                            text_runs(p, None, "")
                        } else {
                            match note_label(&p.plain()) {
                                Some(label) => {
                                    let rest = strip_prefix(p, label.chars().count());
                                    run(&label.replace(':', "："), &emphasis)
                                        + &text_runs(&rest, None, "")
                                }
                                None => run("编者按：", &emphasis) + &text_runs(p, None, ""),
                            }
                        };
                        self.push(&ppr, &content);
                    }
                }
                Block::Heading {
                    level, head, rest, ..
                } => {
                    let style = match level {
                        HeadingLevel::One => id::H1,
                        HeadingLevel::Two => id::H2,
                        HeadingLevel::Three => id::H3,
                        HeadingLevel::Four => id::H4,
                    };
                    let mut ppr = self.first(PPr::style(style));
                    if rest.is_some() {
                        // A run-in heading is a paragraph of text: it need
                        // not stay with the next.
                        ppr.keep_next = false;
                    }
                    let mut content = text_runs(head, None, "");
                    if let Some(rest) = rest {
                        content += &text_runs(rest, Some(id::BODY_TEXT), "");
                    }
                    self.push(&ppr, &content);
                }
                Block::Paragraph(t) => {
                    let ppr = self.first(PPr::style(id::NORMAL));
                    self.push(&ppr, &text_runs(t, None, ""));
                }
                Block::Picture { .. } => {
                    // Pictures on consecutive lines stand side by side.
                    let mut end = i + 1;
                    while end < body.len() && picture::adjacent(source, &body[end - 1], &body[end])
                    {
                        end += 1;
                    }
                    self.pictures(&body[i..end])?;
                    i = end;
                    continue;
                }
                Block::Table(t) => {
                    if was_table && t.caption.is_none() {
                        // Two tables with nothing between would be one.
                        self.push(&PPr::style(id::NORMAL), "");
                    }
                    self.table(t);
                    last_was_table = t.notes.is_empty();
                }
                Block::AttachmentNote(note) => self.attachment_note(note),
                Block::Attachment(a) => {
                    attachments_started = true;
                    if let Some(Block::Table(t)) = body.get(i + 1)
                        && self.is_landscape(t)
                    {
                        self.open_landscape();
                    }
                    let ppr = PPr::style(id::ATTACHMENT_MARK);
                    self.push(&ppr, &run(&a.printed_mark(), ""));
                    if !a.title.is_empty() {
                        self.title(None, &a.title, None, &[], None);
                    }
                }
            }
            i += 1;
        }
        Ok(())
    }

    /// An article's (or attachment's) title: 引题, the title with its
    /// lines broken where the PDF breaks them, 副题 and byline; a blank
    /// line above (the style's) and one under the last of them.
    fn title(
        &mut self,
        lead: Option<&Text>,
        lines: &[Text],
        subtitle: Option<&Text>,
        byline: &[Text],
        article: Option<usize>,
    ) {
        let pitch = line_pitch();
        let mut paragraphs: Vec<(PPr, String)> = Vec::new();
        if let Some(lead) = lead {
            let ppr = PPr {
                before: Some(pitch),
                ..PPr::style(id::LEAD)
            };
            paragraphs.push((ppr, text_runs(lead, None, "")));
        }
        let cap = WIDTH / (TITLE_PT * MM_PER_PT);
        let set: Vec<String> = lines
            .iter()
            .flat_map(|l| title::break_title(&l.plain(), cap, self.fonts, Face::Body))
            .collect();
        let mut content = set
            .iter()
            .map(|l| run(l, ""))
            .collect::<Vec<_>>()
            .join(line_break());
        if let Some(k) = article {
            content = format!(
                r#"<w:bookmarkStart w:id="{k}" w:name="{}"/>{content}<w:bookmarkEnd w:id="{k}"/>"#,
                bookmark(k)
            );
        }
        let mut ppr = PPr::style(id::TITLE);
        if lead.is_some() {
            ppr.before = Some(0);
        }
        paragraphs.push((ppr, content));
        if let Some(sub) = subtitle {
            paragraphs.push((PPr::style(id::SUBTITLE), text_runs(sub, None, "")));
        }
        for b in byline {
            paragraphs.push((PPr::style(id::BYLINE), text_runs(b, None, "")));
        }
        let n = paragraphs.len();
        for (k, (mut ppr, content)) in paragraphs.into_iter().enumerate() {
            if k == 0 {
                ppr = self.first(ppr);
            }
            if k + 1 == n {
                ppr.after = Some(pitch);
            }
            self.push(&ppr, &content);
        }
    }

    /// The picture file `rel` in the package, once however often it is
    /// shown: its relationship id.
    fn media(&mut self, rel: &str, width_mm: f64) -> Result<String, DocxError> {
        let fail = |why: String| DocxError::Picture {
            path: rel.to_string(),
            why,
        };
        let located = crate::picture::locate(&self.root, rel).map_err(|p| fail(p.to_string()))?;
        if let Some(&k) = self.media_by_path.get(&located.path) {
            return Ok(self.media[k].rel.clone());
        }
        let bytes = crate::sandbox::read(&located.path, crate::sandbox::PICTURE_LIMIT)
            .map_err(|r| fail(format!("{r:?}")))?;
        let (bytes, ext) = match located.format {
            crate::picture::PictureFormat::Png => (bytes, "png"),
            crate::picture::PictureFormat::Jpeg => (bytes, "jpeg"),
            // Word 2016 and later read SVG only beside a PNG; WPS and
            // older Word not at all: the SVG is drawn as a PNG.
            crate::picture::PictureFormat::Svg => (svg_png(&bytes, width_mm).map_err(fail)?, "png"),
        };
        let k = self.media.len();
        let rel_id = format!("rIdImage{}", k + 1);
        self.media.push(Media {
            name: format!("image{}.{ext}", k + 1),
            bytes,
            rel: rel_id.clone(),
        });
        self.media_by_path.insert(located.path, k);
        Ok(rel_id)
    }

    /// An inline drawing of the picture at `width` × `height` mm.
    fn drawing(&mut self, rel: &str, width: f64, height: f64, descr: &str) -> String {
        self.drawings += 1;
        let n = self.drawings;
        let (cx, cy) = (emu(width), emu(height));
        let descr = escape(descr);
        format!(
            concat!(
                r#"<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">"#,
                r#"<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>"#,
                r#"<wp:docPr id="{n}" name="图片 {n}" descr="{descr}"/>"#,
                r#"<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" noChangeAspect="1"/></wp:cNvGraphicFramePr>"#,
                r#"<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">"#,
                r#"<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">"#,
                r#"<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">"#,
                r#"<pic:nvPicPr><pic:cNvPr id="{n}" name="图片 {n}" descr="{descr}"/><pic:cNvPicPr/></pic:nvPicPr>"#,
                r#"<pic:blipFill><a:blip r:embed="{rel}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>"#,
                r#"<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>"#,
                r#"<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>"#,
                r#"</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"#
            ),
            cx = cx,
            cy = cy,
            n = n,
            descr = descr,
            rel = rel
        )
    }

    /// The PDF's size of the next picture, when it is `rel`; else its
    /// natural size, at most the type area's width and 11 lines.
    fn picture_size(&mut self, rel: &str) -> (f64, f64, Vec<String>) {
        let found = self
            .pictures
            .get(self.next_picture)
            .filter(|p| p.path.trim_start_matches('/') == rel.trim_start_matches("./"));
        if let Some(p) = found {
            self.next_picture += 1;
            return (p.width, p.height, p.caption_lines.clone());
        }
        let natural = picture::natural_size(&self.root.join(rel));
        let (w, h) = natural.map_or((WIDTH / 2.0, WIDTH / 3.0), |n| (n.width, n.height));
        let scale = (WIDTH / w).min(11.0 * PITCH / h).min(1.0);
        (w * scale, h * scale, Vec::new())
    }

    /// Pictures with their captions, side by side when there are several:
    /// a table without rules, a picture and its caption a cell, bottom
    /// aligned, its one row as tall as whole grid lines.
    fn pictures(&mut self, blocks: &[Block]) -> Result<(), DocxError> {
        let mut cells = Vec::new();
        for b in blocks {
            let Block::Picture { caption, path, .. } = b else {
                continue;
            };
            let (width, height, lines) = self.picture_size(&path.value);
            let rel = self.media(&path.value, width)?;
            let drawing = self.drawing(&rel, width, height, &caption.plain());
            let caption_lines = if caption.runs.is_empty() {
                0
            } else {
                lines.len().max(1)
            };
            let caption = if lines.is_empty() {
                text_runs(caption, None, "")
            } else {
                lines
                    .iter()
                    .map(|l| run(l, ""))
                    .collect::<Vec<_>>()
                    .join(line_break())
            };
            cells.push((width, height, drawing, caption, caption_lines));
        }
        // The row takes whole grid lines, as in the PDF, so that the text
        // after it stays on the grid: the tallest picture, half an em
        // clear above it, its caption's lines; a little room for the
        // descent Word and LibreOffice keep under an inline picture.
        let pitch = line_pitch();
        let lines = cells
            .iter()
            .map(|(_, height, _, _, caption_lines)| {
                let mm = height
                    + BODY_PT * MM_PER_PT / 2.0
                    + *caption_lines as f64 * CAPTION_PITCH
                    + 1.5;
                (mm / PITCH).ceil().max(1.0) as i64
            })
            .max()
            .unwrap_or(1);
        if let Some(before) = self.first_before.take().filter(|b| *b > 0) {
            let ppr = PPr {
                line: Some(before),
                ..PPr::style(id::NORMAL)
            };
            self.push(&ppr, "");
        }
        let (total, _) = type_area();
        let n = cells.len() as i64;
        let col = total / n.max(1);
        let mut s = format!(
            concat!(
                r#"<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>"#,
                r#"<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>"#,
                r#"<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="57" w:type="dxa"/>"#,
                r#"<w:bottom w:w="0" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>"#,
                r#"<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>"#
            ),
            total = col * n,
            borders = ["top", "left", "bottom", "right", "insideH", "insideV"]
                .map(no_border)
                .concat()
        );
        for _ in 0..n {
            s += &format!(r#"<w:gridCol w:w="{col}"/>"#);
        }
        s += &format!(
            r#"</w:tblGrid><w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="{}" w:hRule="exact"/></w:trPr>"#,
            lines * pitch
        );
        let picture = PPr {
            before: Some(0),
            ..PPr::style(id::PICTURE)
        };
        for (_, _, drawing, caption, _) in &cells {
            s += &format!(
                r#"<w:tc><w:tcPr><w:tcW w:w="{col}" w:type="dxa"/><w:vAlign w:val="bottom"/></w:tcPr>{}{}</w:tc>"#,
                paragraph(&picture, drawing),
                paragraph(&PPr::style(id::CAPTION), caption)
            );
        }
        s += "</w:tr></w:tbl>";
        self.out += &s;
        Ok(())
    }

    /// A table: caption, the rows with the PDF's column widths (in
    /// `w:tblGrid`, which WPS reads) and type size, merged cells, the
    /// header repeated on every page, the rules of its style; the notes
    /// under it. One too wide for the page stands on landscape pages of a
    /// section of its own, as in the PDF.
    fn table(&mut self, t: &Table) {
        let style = t
            .style
            .as_ref()
            .map_or(self.config.table.style, |s| s.value);
        let composed = table::compose(t, style, self.fonts);
        let piece = composed.piece(0..composed.bands().min(1), true);
        let (columns, size) = match &piece {
            Row::Table { texts, grid, .. } => (
                grid.columns.clone(),
                texts
                    .iter()
                    .find(|x| x.face == crate::fonts::Role::Body)
                    .or(texts.first())
                    .map_or(CAPTION_PT, |x| x.size),
            ),
            _ => (Vec::new(), CAPTION_PT),
        };
        let landscape = composed.area.landscape;
        if landscape && !self.landscape_open {
            self.open_landscape();
        }
        let sz = size_rpr(size);
        if let Some(caption) = &t.caption {
            let ppr = self.first(PPr::style(id::TABLE_CAPTION));
            self.push(&ppr, &text_runs(caption, None, &sz));
        } else if let Some(before) = self.first_before.take() {
            let ppr = PPr {
                line: Some(before.max(20)),
                ..PPr::style(id::NORMAL)
            };
            self.push(&ppr, "");
        }
        let ncols = t.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
        // Column widths in twips, rounded so that they add up to the
        // type area's width exactly.
        // The type area's width as Word has it (the page less its
        // margins, in twips), or its height across a landscape page.
        let (width, height) = type_area();
        let across = if landscape { height } else { width };
        let total_mm: f64 = columns.iter().sum();
        let widths: Vec<i64> = if columns.len() == ncols && total_mm > 0.0 {
            let mut at = 0.0;
            let mut prev = 0;
            columns
                .iter()
                .map(|c| {
                    at += c / total_mm;
                    let edge = (at * across as f64).round() as i64;
                    let w = edge - prev;
                    prev = edge;
                    w
                })
                .collect()
        } else {
            let n = ncols.max(1) as i64;
            (0..n)
                .map(|k| (across * (k + 1)) / n - (across * k) / n)
                .collect()
        };
        let total: i64 = widths.iter().sum();
        let three_line = style == TableStyle::ThreeLine;
        let borders = if three_line {
            three_line_borders()
        } else {
            grid_borders()
        };
        let table_style = if three_line {
            id::THREE_LINE_TABLE
        } else {
            id::GRID_TABLE
        };
        // A cell's lines 1.38 em apart, a row of one line one grid line.
        let line = pt_twips(1.38 * size);
        let pad_v = ((line_pitch() - line) / 2).max(0);
        let pad_h = pt_twips(size / 2.0);
        let mut s = format!(
            concat!(
                r#"<w:tbl><w:tblPr><w:tblStyle w:val="{table_style}"/><w:tblW w:w="{total}" w:type="dxa"/>"#,
                r#"<w:jc w:val="center"/><w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>"#,
                r#"<w:tblCellMar><w:top w:w="{pad_v}" w:type="dxa"/><w:left w:w="{pad_h}" w:type="dxa"/>"#,
                r#"<w:bottom w:w="{pad_v}" w:type="dxa"/><w:right w:w="{pad_h}" w:type="dxa"/></w:tblCellMar>"#,
                r#"<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>"#
            ),
            table_style = table_style,
            total = total,
            borders = borders,
            pad_v = pad_v,
            pad_h = pad_h
        );
        for w in &widths {
            s += &format!(r#"<w:gridCol w:w="{w}"/>"#);
        }
        s += "</w:tblGrid>";
        let header = t.header_rows.min(t.rows.len());
        for r in 0..t.rows.len() {
            let is_header = r < header;
            s += "<w:tr><w:trPr>";
            s += &format!(r#"<w:trHeight w:val="{}"/>"#, line_pitch());
            if is_header {
                s += "<w:tblHeader/>";
            }
            s += "</w:trPr>";
            for cell in cells_of(t, r, ncols) {
                let width: i64 = widths[cell.col..(cell.col + cell.span).min(widths.len())]
                    .iter()
                    .sum();
                s += &format!(r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>"#);
                if cell.span > 1 {
                    s += &format!(r#"<w:gridSpan w:val="{}"/>"#, cell.span);
                }
                match cell.merge {
                    Merge::None => {}
                    Merge::Restart => s += r#"<w:vMerge w:val="restart"/>"#,
                    Merge::Continue => s += "<w:vMerge/>",
                }
                if three_line && r + 1 == header {
                    s += &format!("<w:tcBorders>{}</w:tcBorders>", border("bottom", 0.25));
                }
                s += r#"<w:vAlign w:val="center"/></w:tcPr>"#;
                let align = t.align.get(cell.col).copied().unwrap_or(ColumnAlign::Auto);
                let jc = if is_header {
                    "center"
                } else {
                    match align {
                        ColumnAlign::Left => "left",
                        ColumnAlign::Center => "center",
                        ColumnAlign::Right => "right",
                        ColumnAlign::Auto => match cell.text {
                            Some(text) if is_figure(&text.plain()) => "right",
                            _ => "left",
                        },
                    }
                };
                let ppr = PPr {
                    line: Some(line),
                    jc: Some(jc),
                    ..PPr::style(if is_header {
                        id::TABLE_HEADER
                    } else {
                        id::TABLE_TEXT
                    })
                };
                let content = cell
                    .text
                    .map(|text| text_runs(text, None, &sz))
                    .unwrap_or_default();
                s += &paragraph(&ppr, &content);
                s += "</w:tc>";
            }
            s += "</w:tr>";
        }
        s += "</w:tbl>";
        self.out += &s;
        // Notes a size under the cells', never under 5号.
        let note_size = match size {
            s if s >= 14.0 => 12.0,
            _ => 10.5,
        };
        for note in &t.notes {
            let ppr = PPr {
                line: Some(pt_twips(1.38 * note_size)),
                ..PPr::style(id::TABLE_NOTE)
            };
            self.push(&ppr, &text_runs(note, None, &size_rpr(note_size)));
        }
        if landscape {
            // Ends the landscape section.
            let ppr = PPr {
                sect: Some(section(true)),
                line: Some(20),
                ..PPr::style(id::NORMAL)
            };
            self.push(&ppr, "");
            self.landscape_open = false;
        }
    }

    /// Whether a table is set on landscape pages (too wide for the page).
    fn is_landscape(&self, t: &Table) -> bool {
        let style = t
            .style
            .as_ref()
            .map_or(self.config.table.style, |s| s.value);
        table::compose(t, style, self.fonts).area.landscape
    }

    /// Ends the upright section: what follows is on landscape pages.
    fn open_landscape(&mut self) {
        let ppr = PPr {
            sect: Some(section(false)),
            ..PPr::style(id::NORMAL)
        };
        self.push(&ppr, "");
        self.landscape_open = true;
    }

    /// `附件：1. 名称` and the items under it, each number under the first
    /// and each name on the column after the widest number (the hanging
    /// indent is the tab stop).
    fn attachment_note(&mut self, note: &AttachmentNote) {
        let widest = note
            .items
            .iter()
            .filter_map(|i| i.number.as_ref())
            .map(|n| n.value.to_string().len())
            .max();
        // "1." is about three quarters of an em: the names start on the
        // first whole cell after the widest number.
        let number_cells = widest.map_or(0, |d| (d as f64 * 0.5 + 0.25 + 0.1).ceil() as i64);
        let name_col = 5 + number_cells;
        for (k, item) in note.items.iter().enumerate() {
            let number = item
                .number
                .as_ref()
                .map(|n| format!("{}.", n.value))
                .unwrap_or_default();
            let (hang, lead) = if k == 0 {
                (name_col - 2, "附件：")
            } else {
                (name_col - 5, "")
            };
            let mut ppr = PPr {
                ind: Some(ind_chars(name_col, -hang)),
                ..PPr::style(id::ATTACHMENT_NOTE)
            };
            if k == 0 {
                ppr.before = Some(line_pitch());
            }
            let mut content = run(lead, "");
            if !number.is_empty() {
                content += &run(&number, "");
                content += tab();
            }
            content += &text_runs(&item.name, None, "");
            self.push(&ppr, &content);
        }
    }

    /// The 版记 at the foot of the last page: a table floating at the
    /// bottom of the type area (`w:tblpPr w:vertAnchor="margin"
    /// w:tblpYSpec="bottom"`), as wide as it, so that it stands there
    /// whatever Word makes of the pages above; its rules are the table's
    /// borders — the thick first and last, the thin one above the 印发
    /// line (a floating table rather than framed paragraphs: LibreOffice
    /// draws neither the frame's place nor its paragraphs' borders, and a
    /// table's rules it draws) — the lists in 4号 inset 1 字, each
    /// wrapped after its colon.
    fn closing(&mut self, issue: &Issue) {
        let imprint = &self.config.imprint;
        let (width, _) = type_area();
        let em = pt_twips(CLOSING_PT);
        // Four columns: 1 字 inset and `报：`, the three more characters
        // of `本期增发：`, the rest but the date, the date with 印发 and
        // 1 字 inset. A list's label stands in the first one or two, its
        // units in the rest, so that its wrapped lines align after the
        // colon in any application; on the 印发 line the unit wraps in the
        // first three, the date stands at the right of the last, as the
        // PDF sets them.
        let date = format!("{}印发", chinese_date(issue.date()));
        let date_width: i64 = date
            .chars()
            .map(|c| if c.is_ascii() { em / 2 } else { em })
            .sum::<i64>()
            + 2 * em;
        let columns = [3 * em, 3 * em, width - 6 * em - date_width, date_width];
        // Each row's cells: the columns it spans, its paragraph, and
        // whether it stands at the foot of the row (the date).
        let mut rows: Vec<Vec<(usize, String, bool)>> = Vec::new();
        for (_, label, units) in issue.front.distribution.lists() {
            if units.is_empty() {
                continue;
            }
            let label = format!("{label}：");
            let span = if label.chars().count() <= 2 { 1 } else { 2 };
            let names: Vec<&str> = units.iter().map(|u| u.value.as_str()).collect();
            let text = format!("{}{}", names.join(&imprint.separator), imprint.terminator);
            // Every row kept with the next: the block never splits over
            // two pages (the new-user review saw 报、送 on one page and
            // 发 with the 印发 line on the next, in LibreOffice).
            let label_ppr = cell_ppr(em, 0, true);
            let units_ppr = cell_ppr(0, em, true);
            rows.push(vec![
                (span, paragraph(&label_ppr, &run(&label, "")), false),
                (4 - span, paragraph(&units_ppr, &run(&text, "")), false),
            ]);
        }
        let imprint_row = rows.len();
        let unit = issue
            .front
            .publisher
            .clone()
            .unwrap_or_else(|| imprint.publisher.clone());
        let copies_after = issue.front.copies.is_some();
        let unit_ppr = cell_ppr(em, 0, copies_after);
        let date_ppr = PPr {
            jc: Some("right"),
            ..cell_ppr(0, em, copies_after)
        };
        rows.push(vec![
            (3, paragraph(&unit_ppr, &run(&unit, "")), false),
            (1, paragraph(&date_ppr, &run(&date, "")), true),
        ]);
        if let Some(n) = issue.front.copies {
            let ppr = PPr {
                jc: Some("right"),
                ..cell_ppr(0, em, false)
            };
            rows.push(vec![(
                4,
                paragraph(&ppr, &run(&format!("（共印{n}份）"), "")),
                false,
            )]);
        }
        let mut s = format!(
            concat!(
                r#"<w:tbl><w:tblPr><w:tblpPr w:leftFromText="0" w:rightFromText="0" w:topFromText="0" w:bottomFromText="0" "#,
                r#"w:vertAnchor="margin" w:horzAnchor="margin" w:tblpXSpec="center" w:tblpYSpec="bottom"/>"#,
                r#"<w:tblOverlap w:val="never"/><w:tblW w:w="{width}" w:type="dxa"/>"#,
                r#"<w:tblBorders>{top}{left}{bottom}{right}{h}{v}</w:tblBorders><w:tblLayout w:type="fixed"/>"#,
                r#"<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>"#,
                r#"<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr>"#,
                r#"<w:tblGrid><w:gridCol w:w="{c0}"/><w:gridCol w:w="{c1}"/><w:gridCol w:w="{c2}"/><w:gridCol w:w="{c3}"/></w:tblGrid>"#
            ),
            width = width,
            top = border("top", 0.35),
            left = no_border("left"),
            bottom = border("bottom", 0.35),
            right = no_border("right"),
            h = no_border("insideH"),
            v = no_border("insideV"),
            c0 = columns[0],
            c1 = columns[1],
            c2 = columns[2],
            c3 = columns[3],
        );
        for (k, cells) in rows.iter().enumerate() {
            let top = if k == imprint_row && k > 0 {
                format!("<w:tcBorders>{}</w:tcBorders>", border("top", 0.25))
            } else {
                String::new()
            };
            s += "<w:tr><w:trPr><w:cantSplit/></w:trPr>";
            let mut col = 0;
            for (span, p, foot) in cells {
                let v_align = if *foot {
                    r#"<w:vAlign w:val="bottom"/>"#
                } else {
                    ""
                };
                let w: i64 = columns[col..col + span].iter().sum();
                let grid_span = if *span > 1 {
                    format!(r#"<w:gridSpan w:val="{span}"/>"#)
                } else {
                    String::new()
                };
                s += &format!(
                    r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{grid_span}{top}{v_align}</w:tcPr>{p}</w:tc>"#
                );
                col += span;
            }
            s += "</w:tr>";
        }
        s += "</w:tbl>";
        self.out += &s;
        // The paragraph the table is anchored to, which a document must
        // end with: as short as Word allows, so that it fits under a full
        // page's last line (22 × 579 twips leave 18 of the type area).
        let ppr = PPr {
            line: Some(14),
            ..PPr::style(id::CLOSING)
        };
        self.push(&ppr, "");
    }
}

/// A paragraph of the 版记 table: inset `left` and `right` twips, kept
/// with the next row or not.
fn cell_ppr(left: i64, right: i64, keep_next: bool) -> PPr {
    PPr {
        ind: Some(format!(
            r#"<w:ind w:left="{left}" w:right="{right}" w:firstLineChars="0" w:firstLine="0"/>"#
        )),
        keep_next,
        ..PPr::style(id::CLOSING)
    }
}

/// The bookmark at article `k`'s title (hidden: it starts with `_`).
fn bookmark(k: usize) -> String {
    format!("_jbArticle{}", k + 1)
}

/// `text` without its first `n` characters (an editor's note's label).
fn strip_prefix(text: &Text, mut n: usize) -> Text {
    let mut runs = Vec::new();
    for r in &text.runs {
        let count = r.text.chars().count();
        if n >= count {
            n -= count;
            continue;
        }
        let mut r = r.clone();
        r.text = r.text.chars().skip(n).collect();
        n = 0;
        runs.push(r);
    }
    Text {
        runs,
        span: text.span.clone(),
    }
}

/// Whether a cell holds a figure (set flush right): digits with their
/// signs, points and percent.
fn is_figure(text: &str) -> bool {
    let t = text.trim();
    t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || ".,%+-‰％－—～~()（）".contains(c))
}

#[derive(Clone, Copy, PartialEq)]
enum Merge {
    None,
    Restart,
    Continue,
}

struct WordCell<'t> {
    col: usize,
    span: usize,
    merge: Merge,
    text: Option<&'t Text>,
}

/// The cells of row `r` as Word has them: a cell with the cells joined
/// to its left (`<`) one cell spanning their columns; a cell joined to
/// the one above (`^`) continuing its vertical merge, as wide as it.
fn cells_of(t: &Table, r: usize, ncols: usize) -> Vec<WordCell<'_>> {
    let at = |r: usize, c: usize| t.rows.get(r).and_then(|row| row.cells.get(c));
    let span_at = |r: usize, c: usize| {
        1 + (c + 1..ncols)
            .take_while(|&k| matches!(at(r, k), Some(Cell::JoinLeft(_))))
            .count()
    };
    let mut out = Vec::new();
    let mut c = 0;
    while c < ncols {
        match at(r, c) {
            Some(Cell::Text(text)) => {
                let span = span_at(r, c);
                let merge = if matches!(at(r + 1, c), Some(Cell::JoinUp(_))) {
                    Merge::Restart
                } else {
                    Merge::None
                };
                out.push(WordCell {
                    col: c,
                    span,
                    merge,
                    text: Some(text),
                });
                c += span;
            }
            Some(Cell::JoinUp(_)) => {
                // As wide as the cell it continues.
                let mut origin = r;
                while origin > 0 && matches!(at(origin, c), Some(Cell::JoinUp(_))) {
                    origin -= 1;
                }
                let span = span_at(origin, c).max(1).min(ncols - c);
                out.push(WordCell {
                    col: c,
                    span,
                    merge: Merge::Continue,
                    text: None,
                });
                c += span;
            }
            // A lone `<` or a missing cell: an empty cell.
            _ => {
                out.push(WordCell {
                    col: c,
                    span: 1,
                    merge: Merge::None,
                    text: None,
                });
                c += 1;
            }
        }
    }
    out
}

/// An SVG drawn as a PNG at 300 pixels to the inch of its printed width
/// (text in it is drawn only with the fonts usvg finds: none by default).
fn svg_png(data: &[u8], width_mm: f64) -> Result<Vec<u8>, String> {
    let tree =
        usvg::Tree::from_data(data, &crate::picture::svg_options()).map_err(|e| e.to_string())?;
    let size = tree.size();
    let px = (width_mm / 25.4 * 300.0).clamp(16.0, 4000.0);
    let scale = px / f64::from(size.width().max(1.0));
    let (w, h) = (
        (f64::from(size.width()) * scale).ceil().max(1.0) as u32,
        (f64::from(size.height()) * scale).ceil().max(1.0) as u32,
    );
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h.min(8000)).ok_or("图片太大，无法绘制")?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale as f32, scale as f32),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| e.to_string())
}
