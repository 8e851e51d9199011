//! What an issue is made of, as the parser gives it to the rest of the
//! crate: the front matter's values and the body's blocks. The files of
//! this folder share these types; `issue/mod.rs` re-exports them.

use std::fmt;

use chrono::NaiveDate;

use crate::source::{Span, Spanned};

/// The 期号: a positive number, unique within its series (year folder).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IssueNumber(pub u32);

impl fmt::Display for IssueNumber {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The 报/送/发 lists of the closing block.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Distribution {
    /// 报: superior bodies.
    pub bao: Vec<Spanned<String>>,
    /// 送: peers.
    pub song: Vec<Spanned<String>>,
    /// 发: subordinate bodies.
    pub fa: Vec<Spanned<String>>,
    /// 本期增发: units this issue goes to in addition.
    pub extra: Vec<Spanned<String>>,
}

impl Distribution {
    /// The lists with their printed labels, in printing order.
    pub fn lists(&self) -> [(&'static str, &'static str, &[Spanned<String>]); 4] {
        [
            ("bao", "报", &self.bao),
            ("song", "送", &self.song),
            ("fa", "发", &self.fa),
            ("extra", "本期增发", &self.extra),
        ]
    }
}

/// A string from jianbao.toml or an issue's front matter that is printed
/// on the page: the masthead's lines and the imprint. Its characters are
/// checked like the body's (printable, and in a font).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Series,
    Title,
    Mark,
    Editor,
    /// `number_format` (its `{number}` placeholders are not printed as typed).
    NumberFormat,
    Edition,
    Publisher,
    Separator,
    Terminator,
    /// 密级, top right.
    Classification,
    /// 编号, top right.
    Serial,
}

impl Field {
    /// The key it is written as.
    pub fn key(self) -> &'static str {
        match self {
            Field::Series => "series",
            Field::Title => "title",
            Field::Mark => "mark",
            Field::Editor => "editor",
            Field::NumberFormat => "number_format",
            Field::Edition => "edition",
            Field::Publisher => "publisher",
            Field::Separator => "separator",
            Field::Terminator => "terminator",
            Field::Classification => "classification",
            Field::Serial => "serial",
        }
    }
}

/// A printed string and where it is written.
pub type Printed = (Field, Spanned<String>);

/// A run of body text in one style.
#[derive(Debug, Clone, PartialEq)]
pub struct Inline {
    pub text: String,
    /// `**…**`: set in the heading face (黑体).
    pub emphasis: bool,
}

/// A paragraph's text: runs of inline text, with the span of the whole line.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub runs: Vec<Inline>,
    pub span: Span,
}

impl Text {
    pub fn plain(&self) -> String {
        self.runs.iter().map(|r| r.text.as_str()).collect()
    }
}

/// Heading levels recognised by their numbering (GB/T 9704 7.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HeadingLevel {
    /// `一、` — 黑体
    One = 1,
    /// `（一）` — 楷体
    Two = 2,
    /// `1.` — 仿宋
    Three = 3,
    /// `（1）` — 仿宋
    Four = 4,
}

/// A block of the body, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// `【栏目名】`: a column label over the articles that follow.
    Label(Text),
    /// The title of an article: `^` lead-in, `#` lines, `——` subtitle,
    /// and `@` byline lines under them (a speech's speaker and date).
    Title {
        lead: Option<Text>,
        lines: Vec<Text>,
        subtitle: Option<Text>,
        byline: Vec<Text>,
    },
    /// `> …` lines: an editor's note of one or more paragraphs.
    Note(Vec<Text>),
    /// A numbered heading; `rest` is the run-in body text after it, if any.
    Heading {
        level: HeadingLevel,
        ordinal: u32,
        head: Text,
        rest: Option<Text>,
    },
    /// An ordinary paragraph.
    Paragraph(Text),
    /// `![caption](path)`: a picture with its caption, and the width
    /// written after it (`{width=50%}`, `{width=14字}`).
    Picture {
        caption: Text,
        path: Spanned<String>,
        width: Option<Spanned<PictureWidth>>,
    },
    /// A table with its caption and notes.
    Table(Table),
    /// `附件：1. 名称` and the `2. 名称` lines right under it: the
    /// attachment note after an article's text (GB/T 9704 §7.3.4).
    AttachmentNote(AttachmentNote),
    /// `附件1` alone on its line: an attachment starts on a new page here.
    /// The blocks after it, up to the next mark, are its content; the
    /// `# ` lines right under the mark are its title. An attachment is no
    /// article: what follows the first mark is never in 本期要目.
    Attachment(Attachment),
}

/// The attachment note: `附件：` and the names of the attachments.
#[derive(Debug, Clone, PartialEq)]
pub struct AttachmentNote {
    /// `附件：` (or `附件:`) as typed.
    pub label: Span,
    pub items: Vec<AttachmentItem>,
    /// From `附件` to the end of the last item.
    pub span: Span,
}

/// One attachment named in the note.
#[derive(Debug, Clone, PartialEq)]
pub struct AttachmentItem {
    /// `1.` `2．` `3、`: none for a single attachment (`附件：名称`).
    pub number: Option<Spanned<u32>>,
    pub name: Text,
}

/// An attachment's mark (`附件1`, `附件`) and title.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    /// `附件1` → 1; `附件` alone → none.
    pub number: Option<Spanned<u32>>,
    /// The whole mark line.
    pub mark: Span,
    /// The `# ` lines under the mark.
    pub title: Vec<Text>,
}

impl Attachment {
    /// The mark as printed: `附件1`, or `附件`.
    pub fn printed_mark(&self) -> String {
        match &self.number {
            Some(n) => format!("附件{}", n.value),
            None => "附件".to_string(),
        }
    }
}

/// The articles of a body: its blocks before the first attachment.
pub fn articles(body: &[Block]) -> &[Block] {
    let end = body
        .iter()
        .position(|b| matches!(b, Block::Attachment(_)))
        .unwrap_or(body.len());
    &body[..end]
}

/// A table: GFM pipe rows or lines pasted from Excel/WPS (cells
/// separated by tabs), with the caption line above it and the note lines
/// below it.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// `表1　2026年一季度各县区安全检查情况`: the line above, set centred
    /// in 黑体.
    pub caption: Option<Text>,
    /// The rows, the header rows first.
    pub rows: Vec<TableRow>,
    /// How many of `rows` are the header (repeated under 续表 on every
    /// page the table continues on); at least 1.
    pub header_rows: usize,
    /// The alignment asked for each column (a pipe table's `:---:` row);
    /// `Auto` where nothing was asked.
    pub align: Vec<ColumnAlign>,
    /// The rules asked for this table; `None`: the publication's default.
    pub style: Option<Spanned<TableStyle>>,
    /// `注：…` / `数据来源：…` lines under the table.
    pub notes: Vec<Text>,
    /// From the caption (or first row) to the last note (or last row).
    pub span: Span,
}

impl Table {
    /// The texts of its cells, row by row, left to right.
    pub fn cells(&self) -> impl Iterator<Item = &Text> {
        self.rows
            .iter()
            .flat_map(|r| &r.cells)
            .filter_map(|c| match c {
                Cell::Text(t) => Some(t),
                Cell::JoinLeft(_) | Cell::JoinUp(_) => None,
            })
    }

    /// Every text of the table that prints: caption, cells, notes.
    pub fn texts(&self) -> impl Iterator<Item = &Text> {
        self.caption.iter().chain(self.cells()).chain(&self.notes)
    }

    /// The same, to change.
    pub fn texts_mut(&mut self) -> impl Iterator<Item = &mut Text> {
        let cells = self
            .rows
            .iter_mut()
            .flat_map(|r| &mut r.cells)
            .filter_map(|c| match c {
                Cell::Text(t) => Some(t),
                Cell::JoinLeft(_) | Cell::JoinUp(_) => None,
            });
        self.caption.iter_mut().chain(cells).chain(&mut self.notes)
    }
}

/// One row of a table, as many cells as the header.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    pub cells: Vec<Cell>,
    pub span: Span,
}

/// A cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A cell with text (possibly empty: `runs` empty).
    Text(Text),
    /// `<`: joined to the cell on its left (a header spanning columns).
    JoinLeft(Span),
    /// `^`: joined to the cell above (a header spanning rows).
    JoinUp(Span),
}

/// A column's alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnAlign {
    /// Numbers right (decimal points aligned), text left.
    Auto,
    Left,
    Center,
    Right,
}

/// The rules of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TableStyle {
    /// Every cell ruled (the default).
    #[default]
    Grid,
    /// 三线表: a thick rule above and below, a thin one under the header.
    ThreeLine,
}

impl TableStyle {
    /// By the name written in jianbao.toml and in a table's `{style=…}`:
    /// `grid` / `three-line`, or in Chinese `网格` / `三线表`.
    pub fn from_name(name: &str) -> Option<TableStyle> {
        match name.trim() {
            "grid" | "网格" => Some(TableStyle::Grid),
            "three-line" | "三线表" => Some(TableStyle::ThreeLine),
            _ => None,
        }
    }
}

/// The width asked for a picture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PictureWidth {
    /// A share of the type area's width, 0–100.
    Percent(f64),
    /// A number of characters (3号 cells of the grid).
    Chars(f64),
}

/// The label an editor's note opens with as typed (`编者按：`), if any.
pub fn note_label(first_paragraph: &str) -> Option<&'static str> {
    ["编者按：", "编者按:", "按：", "按:"]
        .into_iter()
        .find(|l| first_paragraph.starts_with(l))
}

/// `2022年1月19日`: Arabic numerals, no leading zeros (GB/T 9704 7.3.5).
pub fn chinese_date(date: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// Chinese numerals for 1..=9999 as used in 期号 (第四期, 第十二期).
pub fn chinese_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    const UNITS: [&str; 4] = ["", "十", "百", "千"];
    if n == 0 {
        return DIGITS[0].into();
    }
    if n >= 10_000 {
        // 一万零三, 十二万三千四百五十六, 四十二亿九千四百九十六万七千二百九十五.
        let (big, unit, rest) = if n >= 100_000_000 {
            (n / 100_000_000, "亿", n % 100_000_000)
        } else {
            (n / 10_000, "万", n % 10_000)
        };
        let mut out = chinese_number(big) + unit;
        let place = if unit == "亿" { 10_000_000 } else { 1_000 };
        if rest > 0 {
            if rest < place {
                out.push('零');
            }
            // 一万零十 reads 一万零一十.
            let tail = chinese_number(rest);
            if rest < place && (10..20).contains(&rest) {
                out.push('一');
            }
            out.push_str(&tail);
        }
        return out;
    }
    let digits: Vec<usize> = n.to_string().bytes().map(|b| (b - b'0') as usize).collect();
    let len = digits.len();
    let mut out = String::new();
    let mut zero = false;
    for (i, &d) in digits.iter().enumerate() {
        let unit = len - 1 - i;
        if d == 0 {
            zero = true;
            continue;
        }
        if zero && !out.is_empty() {
            out.push_str(DIGITS[0]);
        }
        zero = false;
        // 十二, not 一十二; but 一百一十二.
        if !(d == 1 && unit == 1 && i == 0) {
            out.push_str(DIGITS[d]);
        }
        out.push_str(UNITS[unit]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numbers() {
        assert_eq!(chinese_number(4), "四");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(105), "一百零五");
        assert_eq!(chinese_number(112), "一百一十二");
        assert_eq!(chinese_number(10_000), "一万");
        assert_eq!(chinese_number(10_003), "一万零三");
        assert_eq!(chinese_number(10_012), "一万零一十二");
        assert_eq!(chinese_number(11_000), "一万一千");
        assert_eq!(chinese_number(123_456), "十二万三千四百五十六");
        assert_eq!(chinese_number(100_010_000), "一亿零一万");
        assert_eq!(
            chinese_number(u32::MAX),
            "四十二亿九千四百九十六万七千二百九十五"
        );
    }

    #[test]
    fn dates_have_no_leading_zeros() {
        let d = NaiveDate::from_ymd_opt(2022, 1, 9).unwrap();
        assert_eq!(chinese_date(d), "2022年1月9日");
    }
}
