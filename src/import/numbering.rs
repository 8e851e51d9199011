//! Word's automatic numbering (`w:numPr` and `word/numbering.xml`): the
//! number as Word displays it, so that `一、` `（一）` `1.` typed by Word's
//! list buttons become text the issue parser reads as headings. (pandoc
//! and python-docx drop it: the numbers are in no `w:t`.)
//!
//! A paragraph names a list instance (`w:num`, by `w:numId`) and a level
//! (`w:ilvl`); the instance names its definition (`w:abstractNum`), whose
//! levels say the format (`w:numFmt`), the pattern (`w:lvlText`, `%1、`,
//! `（%2）`), the first number (`w:start`) and when a level starts again
//! (`w:lvlRestart`). An instance may override a level's start
//! (`w:lvlOverride/w:startOverride`) or the level itself. As Word does,
//! instances of one definition count on together unless one overrides a
//! start.

use std::collections::HashMap;

use super::package::{Element, Ns};

/// One level of a list definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    pub start: u32,
    pub format: Format,
    /// `%1、`: `%n` is level n's number (1-based).
    pub text: String,
    /// `w:lvlRestart`: the level (1-based) whose use starts this one
    /// again; 0: never. `None`: any higher level.
    pub restart: Option<u32>,
    /// `w:isLgl`: every number shown in Arabic figures.
    pub legal: bool,
}

impl Default for Level {
    fn default() -> Self {
        Level {
            start: 1,
            format: Format::Decimal,
            text: String::new(),
            restart: None,
            legal: false,
        }
    }
}

/// `w:numFmt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Decimal,
    DecimalZero,
    DecimalFullWidth,
    /// 一 二 … 十 十一 … 二十一; digit by digit from 100 (一〇一).
    ChineseCounting,
    /// 一 … 十 十一 … 一百 一百零一 一千.
    ChineseCountingThousand,
    /// 壹 贰 叁.
    ChineseLegal,
    /// 甲 乙 丙 丁 …
    IdeographTraditional,
    /// 子 丑 寅 …
    IdeographZodiac,
    /// ① ② … ⑳
    EnclosedCircle,
    /// ⑴ ⑵ … ⒇
    EnclosedParen,
    /// ⒈ ⒉ … ⒛
    EnclosedFullstop,
    LowerLetter,
    UpperLetter,
    LowerRoman,
    UpperRoman,
    /// A bullet: no number (the `w:lvlText` is a symbol).
    Bullet,
    /// `none`: the level shows no number.
    None,
}

impl Format {
    pub fn from_name(name: &str) -> Format {
        match name {
            "decimalZero" => Format::DecimalZero,
            "decimalFullWidth" | "decimalFullWidth2" => Format::DecimalFullWidth,
            "chineseCounting" | "japaneseCounting" | "taiwaneseCounting" | "koreanCounting" => {
                Format::ChineseCounting
            }
            "chineseCountingThousand"
            | "japaneseDigitalTenThousand"
            | "taiwaneseCountingThousand"
            | "koreanDigital2" => Format::ChineseCountingThousand,
            "chineseLegalSimplified" | "ideographLegalTraditional" | "japaneseLegal" => {
                Format::ChineseLegal
            }
            "ideographTraditional" => Format::IdeographTraditional,
            "ideographZodiac" => Format::IdeographZodiac,
            "decimalEnclosedCircle"
            | "decimalEnclosedCircleChinese"
            | "ideographEnclosedCircle" => Format::EnclosedCircle,
            "decimalEnclosedParen" => Format::EnclosedParen,
            "decimalEnclosedFullstop" => Format::EnclosedFullstop,
            "lowerLetter" => Format::LowerLetter,
            "upperLetter" => Format::UpperLetter,
            "lowerRoman" => Format::LowerRoman,
            "upperRoman" => Format::UpperRoman,
            "bullet" => Format::Bullet,
            "none" => Format::None,
            // decimal, and the formats of other scripts: figures, as Word
            // falls back to.
            _ => Format::Decimal,
        }
    }

    /// `n` written in this format.
    pub fn show(self, n: u32) -> String {
        const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
        const THOUSAND: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
        match self {
            Format::Decimal => n.to_string(),
            Format::DecimalZero if n < 10 => format!("0{n}"),
            Format::DecimalZero => n.to_string(),
            Format::DecimalFullWidth => n
                .to_string()
                .chars()
                .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
                .collect(),
            Format::ChineseCounting if n < 100 => chinese_thousand(n, &THOUSAND),
            Format::ChineseCounting => n
                .to_string()
                .chars()
                .map(|c| DIGITS[(c as u32 - '0' as u32) as usize])
                .collect(),
            Format::ChineseCountingThousand => chinese_thousand(n, &THOUSAND),
            Format::ChineseLegal => {
                let legal = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
                chinese_thousand(n, &legal)
                    .replace('十', "拾")
                    .replace('百', "佰")
                    .replace('千', "仟")
            }
            Format::IdeographTraditional => cycle(n, "甲乙丙丁戊己庚辛壬癸"),
            Format::IdeographZodiac => cycle(n, "子丑寅卯辰巳午未申酉戌亥"),
            Format::EnclosedCircle => enclosed(n, '①', 20),
            Format::EnclosedParen => enclosed(n, '⑴', 20),
            Format::EnclosedFullstop => enclosed(n, '⒈', 20),
            Format::LowerLetter => letters(n).to_lowercase(),
            Format::UpperLetter => letters(n),
            Format::LowerRoman => roman(n).to_lowercase(),
            Format::UpperRoman => roman(n),
            Format::Bullet | Format::None => String::new(),
        }
    }
}

/// 一 … 九十九, 一百, 一百零一, 一千零一十 (十 alone for 10–19 at the start).
fn chinese_thousand(n: u32, digits: &[char; 10]) -> String {
    if n == 0 {
        return digits[0].to_string();
    }
    if n >= 10_000 {
        return n.to_string();
    }
    let parts = [(n / 1000, '千'), (n / 100 % 10, '百'), (n / 10 % 10, '十')];
    let mut out = String::new();
    let mut zero = false;
    for (d, unit) in parts {
        if d == 0 {
            zero = !out.is_empty();
            continue;
        }
        if zero {
            out.push(digits[0]);
            zero = false;
        }
        // 十一, not 一十一; but 一百一十.
        if !(unit == '十' && d == 1 && out.is_empty()) {
            out.push(digits[d as usize]);
        }
        out.push(unit);
    }
    let last = n % 10;
    if last != 0 {
        if zero {
            out.push(digits[0]);
        }
        out.push(digits[last as usize]);
    }
    out
}

fn cycle(n: u32, signs: &str) -> String {
    let signs: Vec<char> = signs.chars().collect();
    let i = (n.max(1) as usize - 1) % signs.len();
    signs[i].to_string()
}

fn enclosed(n: u32, first: char, last: u32) -> String {
    if (1..=last).contains(&n) {
        char::from_u32(first as u32 + n - 1).map_or_else(|| n.to_string(), String::from)
    } else {
        n.to_string()
    }
}

fn letters(n: u32) -> String {
    // Word: A … Z, AA … ZZ, AAA …; past a few letters (a number the file
    // claims), figures.
    if n > 26 * 8 {
        return n.to_string();
    }
    let n = n.max(1) - 1;
    let c = char::from(b'A' + (n % 26) as u8);
    c.to_string().repeat(n as usize / 26 + 1)
}

fn roman(mut n: u32) -> String {
    if n == 0 || n >= 4000 {
        return n.to_string();
    }
    let table = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (v, s) in table {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

/// The list definitions of a document and the counters as the document
/// is read from the top.
#[derive(Debug, Default)]
pub struct Numbering {
    /// `w:abstractNumId` → its levels (index = `w:ilvl`).
    abstracts: HashMap<String, Vec<Level>>,
    /// `w:numId` → its definition and its overrides (level → start, and
    /// level → a level of its own).
    nums: HashMap<String, Instance>,
    /// Per definition: the last number shown at each level (`None`: not
    /// used since it last started again).
    counters: HashMap<String, [Option<u32>; 9]>,
    /// Instances whose start overrides have taken effect.
    started: std::collections::HashSet<String>,
}

#[derive(Debug, Clone, Default)]
struct Instance {
    abstract_id: String,
    start_overrides: HashMap<usize, u32>,
    level_overrides: HashMap<usize, Level>,
}

/// A number as Word shows it, and whether it is a bullet (no text kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// `一、`, `（二）`, `3.`: the text before the paragraph's own.
    Number(String),
    /// A bullet or a level with no number.
    Bullet,
}

impl Numbering {
    /// Reads `word/numbering.xml`'s root (`w:numbering`).
    pub fn read(root: &Element) -> Numbering {
        let mut n = Numbering::default();
        for e in root.elements() {
            if e.is(Ns::W, "abstractNum") {
                let Some(id) = e.attr("abstractNumId") else {
                    continue;
                };
                let mut levels = vec![Level::default(); 9];
                for lvl in e.elements().filter(|l| l.is(Ns::W, "lvl")) {
                    if let Some(i) = level_index(lvl) {
                        levels[i] = read_level(lvl);
                    }
                }
                n.abstracts.insert(id.to_string(), levels);
            } else if e.is(Ns::W, "num") {
                let Some(id) = e.attr("numId") else { continue };
                let mut inst = Instance {
                    abstract_id: e.child_val("abstractNumId").unwrap_or_default().to_string(),
                    ..Instance::default()
                };
                for o in e.elements().filter(|o| o.is(Ns::W, "lvlOverride")) {
                    let Some(i) = level_index(o) else { continue };
                    if let Some(start) = o.child_val("startOverride").and_then(|v| v.parse().ok()) {
                        inst.start_overrides.insert(i, start);
                    }
                    if let Some(lvl) = o.child("lvl") {
                        inst.level_overrides.insert(i, read_level(lvl));
                    }
                }
                n.nums.insert(id.to_string(), inst);
            }
        }
        n
    }

    /// The number shown for a paragraph of list `num_id` at level `ilvl`,
    /// counting it. `None` when the list does not exist (`numId` 0 is
    /// "no list").
    pub fn next(&mut self, num_id: &str, ilvl: usize) -> Option<Shown> {
        let ilvl = ilvl.min(8);
        let inst = self.nums.get(num_id)?.clone();
        let mut levels = self.abstracts.get(&inst.abstract_id)?.clone();
        for (i, l) in &inst.level_overrides {
            levels[*i] = l.clone();
        }
        for (i, s) in &inst.start_overrides {
            levels[*i].start = *s;
        }
        let counters = self
            .counters
            .entry(inst.abstract_id.clone())
            .or_insert([None; 9]);
        if !inst.start_overrides.is_empty() && self.started.insert(num_id.to_string()) {
            for i in inst.start_overrides.keys() {
                counters[*i] = None;
            }
        }
        let level = &levels[ilvl];
        let n = match counters[ilvl] {
            Some(n) => n.saturating_add(1),
            None => level.start,
        };
        counters[ilvl] = Some(n);
        // The levels under it start again (unless their lvlRestart says
        // a level above this one, or never).
        for (deeper, l) in levels.iter().enumerate().skip(ilvl + 1) {
            let restarts = match l.restart {
                None => true,
                Some(0) => false,
                Some(r) => (r as usize) > ilvl,
            };
            if restarts {
                counters[deeper] = None;
            }
        }
        if matches!(level.format, Format::Bullet | Format::None) {
            return Some(Shown::Bullet);
        }
        let mut text = String::new();
        let mut chars = level.text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%'
                && let Some(d) = chars.peek().and_then(|d| d.to_digit(10))
                && (1..=9).contains(&d)
            {
                chars.next();
                let i = d as usize - 1;
                let l = &levels[i];
                let value = counters[i].unwrap_or(l.start);
                let format = if level.legal && i != ilvl {
                    Format::Decimal
                } else {
                    l.format
                };
                text.push_str(&format.show(value));
            } else {
                text.push(c);
            }
        }
        Some(Shown::Number(text))
    }
}

fn level_index(e: &Element) -> Option<usize> {
    e.attr("ilvl")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&i| i < 9)
}

fn read_level(lvl: &Element) -> Level {
    Level {
        start: lvl
            .child_val("start")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1),
        format: lvl
            .child_val("numFmt")
            .map_or(Format::Decimal, Format::from_name),
        text: lvl.child_val("lvlText").unwrap_or_default().to_string(),
        restart: lvl.child_val("lvlRestart").and_then(|v| v.parse().ok()),
        legal: lvl
            .child("isLgl")
            .is_some_and(|e| !matches!(e.attr("val"), Some("0" | "false" | "off"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::package::parse_xml;

    #[test]
    fn chinese_counting() {
        let f = Format::ChineseCounting;
        let shown: Vec<String> = [1, 2, 9, 10, 11, 19, 20, 21, 99, 100, 101]
            .iter()
            .map(|&n| f.show(n))
            .collect();
        assert_eq!(
            shown,
            [
                "一",
                "二",
                "九",
                "十",
                "十一",
                "十九",
                "二十",
                "二十一",
                "九十九",
                "一〇〇",
                "一〇一"
            ]
        );
    }

    #[test]
    fn chinese_counting_thousand() {
        let f = Format::ChineseCountingThousand;
        let shown: Vec<String> = [10, 15, 100, 101, 110, 111, 1000, 1001, 1010, 2024]
            .iter()
            .map(|&n| f.show(n))
            .collect();
        assert_eq!(
            shown,
            [
                "十",
                "十五",
                "一百",
                "一百零一",
                "一百一十",
                "一百一十一",
                "一千",
                "一千零一",
                "一千零一十",
                "二千零二十四"
            ]
        );
    }

    #[test]
    fn other_formats() {
        assert_eq!(Format::IdeographTraditional.show(3), "丙");
        assert_eq!(Format::IdeographTraditional.show(11), "甲");
        assert_eq!(Format::EnclosedCircle.show(3), "③");
        assert_eq!(Format::EnclosedCircle.show(21), "21");
        assert_eq!(Format::EnclosedParen.show(2), "⑵");
        assert_eq!(Format::DecimalZero.show(7), "07");
        assert_eq!(Format::DecimalFullWidth.show(12), "１２");
        assert_eq!(Format::UpperRoman.show(14), "XIV");
        assert_eq!(Format::LowerLetter.show(28), "bb");
        assert_eq!(Format::ChineseLegal.show(12), "拾贰");
        // Numbers a file may claim: figures, never a string of millions.
        assert_eq!(Format::UpperLetter.show(u32::MAX), "4294967295");
        assert_eq!(Format::ChineseCountingThousand.show(u32::MAX), "4294967295");
        assert_eq!(
            Format::from_name("chineseCounting"),
            Format::ChineseCounting
        );
        assert_eq!(Format::from_name("hebrew1"), Format::Decimal);
    }

    const W: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

    fn numbering(body: &str) -> Numbering {
        let xml = format!("<w:numbering {W}>{body}</w:numbering>");
        Numbering::read(&parse_xml("word/numbering.xml", xml.as_bytes()).unwrap())
    }

    fn lvl(i: usize, fmt: &str, text: &str) -> String {
        format!(
            "<w:lvl w:ilvl=\"{i}\"><w:start w:val=\"1\"/><w:numFmt w:val=\"{fmt}\"/><w:lvlText w:val=\"{text}\"/></w:lvl>"
        )
    }

    fn shown(n: &mut Numbering, id: &str, ilvl: usize) -> String {
        match n.next(id, ilvl) {
            Some(Shown::Number(s)) => s,
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn multi_level_headings_count_and_restart() {
        let defs = format!(
            "<w:abstractNum w:abstractNumId=\"0\">{}{}{}</w:abstractNum><w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num>",
            lvl(0, "chineseCounting", "%1、"),
            lvl(1, "chineseCounting", "（%2）"),
            lvl(2, "decimal", "%3.")
        );
        let mut n = numbering(&defs);
        let seq: Vec<String> = [0, 1, 2, 2, 1, 2, 0, 1, 0]
            .iter()
            .map(|&l| shown(&mut n, "1", l))
            .collect();
        assert_eq!(
            seq,
            [
                "一、",
                "（一）",
                "1.",
                "2.",
                "（二）",
                "1.",
                "二、",
                "（一）",
                "三、"
            ]
        );
        assert_eq!(n.next("9", 0), None);
    }

    #[test]
    fn instances_of_one_definition_count_on_unless_overridden() {
        let defs = format!(
            "<w:abstractNum w:abstractNumId=\"3\">{}</w:abstractNum>\
             <w:num w:numId=\"1\"><w:abstractNumId w:val=\"3\"/></w:num>\
             <w:num w:numId=\"2\"><w:abstractNumId w:val=\"3\"/></w:num>\
             <w:num w:numId=\"4\"><w:abstractNumId w:val=\"3\"/><w:lvlOverride w:ilvl=\"0\"><w:startOverride w:val=\"1\"/></w:lvlOverride></w:num>",
            lvl(0, "chineseCounting", "%1、")
        );
        let mut n = numbering(&defs);
        assert_eq!(shown(&mut n, "1", 0), "一、");
        assert_eq!(shown(&mut n, "2", 0), "二、");
        assert_eq!(shown(&mut n, "4", 0), "一、");
        assert_eq!(shown(&mut n, "4", 0), "二、");
    }

    #[test]
    fn start_legal_and_bullets() {
        let defs = "<w:abstractNum w:abstractNumId=\"0\"><w:lvl w:ilvl=\"0\"><w:start w:val=\"3\"/><w:numFmt w:val=\"chineseCounting\"/><w:lvlText w:val=\"第%1章\"/></w:lvl>\
             <w:lvl w:ilvl=\"1\"><w:start w:val=\"1\"/><w:isLgl/><w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%1.%2\"/></w:lvl></w:abstractNum>\
             <w:abstractNum w:abstractNumId=\"1\"><w:lvl w:ilvl=\"0\"><w:numFmt w:val=\"bullet\"/><w:lvlText w:val=\"●\"/></w:lvl></w:abstractNum>\
             <w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num><w:num w:numId=\"2\"><w:abstractNumId w:val=\"1\"/></w:num>";
        let mut n = numbering(defs);
        assert_eq!(shown(&mut n, "1", 0), "第三章");
        assert_eq!(shown(&mut n, "1", 1), "3.1");
        assert_eq!(n.next("2", 0), Some(Shown::Bullet));
        // A start at the largest number counts on without overflowing.
        let huge = format!(
            "<w:abstractNum w:abstractNumId=\"0\"><w:lvl w:ilvl=\"0\"><w:start w:val=\"{}\"/><w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%1.\"/></w:lvl></w:abstractNum><w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num>",
            u32::MAX
        );
        let mut n = numbering(&huge);
        assert_eq!(shown(&mut n, "1", 0), "4294967295.");
        assert_eq!(shown(&mut n, "1", 0), "4294967295.");
    }
}
