//! The line composer: breaks a paragraph into lines on the character grid
//! and positions every glyph, the way a Chinese typesetter does (W3C CLREQ,
//! with JLREQ where CLREQ is silent; Word's document grid as the visual
//! model).
//!
//! - Every full-width character and mark is one cell (156 mm / 28); —— and
//!   …… are one even two-cell unit, never split
//!   (`clreq#h-unbreakable_marks_punctuation` 3.1.5.1); the interpunct ·
//!   is half a cell (GB/T 15834—2011 5.1.7).
//! - Latin letters and digits keep their natural width in the Latin face; a
//!   word or number is never split, a number stays with its unit and its
//!   第 (`clreq#handling_western_text_in_chinese_text_using_proportional_western_fonts`
//!   3.2.4, `jlreq#unbreakable_character_sequences`); between Chinese and
//!   Latin stands one fixed space, ⅛ em, throughout the document
//!   (`clreq#mixed_text_composition_in_horizontal_writing_mode` 3.2.2).
//!   URLs and e-mail addresses break after `//` or before `/ . _ - ? # @`
//!   and the like (no CLREQ rule; the Chicago Manual's).
//! - Kinsoku: no line starts with a closing mark or ends with an opening
//!   one (`clreq#prohibition_rules_for_line_start_end`, 3.1.4; Word's zh-CN
//!   sets); a solidus starts no line and ends none, and a unit with a
//!   solidus (微克/立方米) is never torn (GB/T 15834—2011 5.1.9).
//! - Adjacent marks (”“ 》《 ：“ 、“ 。” ）（) give up the blank half between
//!   them on every line: 1.5 em for the pair
//!   (`clreq#h-adjustment_of_adjacent_punctuation_marks` 3.1.6.2).
//! - Line adjustment, 先挤后推 (`clreq#prohibition_rules_for_line_start_end`,
//!   `clreq#procedures_for_inter-character_spacing_reduction` 3.5.3): to
//!   fit, a line first compresses punctuation by up to half an em — a pair
//!   of marks down to one em, then the mark at the line end, then every
//!   other mark of the line by the same amount; otherwise it pushes
//!   characters out and spreads its slack evenly over all its gaps, as
//!   Word's grid does (`clreq#procedures_for_inter-character_space_expansion`
//!   3.5.4, last step). A spread past 0.12 cell reads as letter-spacing and
//!   is the last resort: a URL breaks sooner.
//! - A paragraph never ends with a line of one character, nor one character
//!   and its mark (`clreq#adjustments_of_orphans_and_widows` 3.4.4): the
//!   paragraph is compressed to pull it back, or one more character goes
//!   down with it.
//! - A line that needs no adjustment keeps every character on its column
//!   (solid setting, `clreq#principles_of_arrangement_of_han_characters`
//!   2.1.3; Word's document grid). No hanging punctuation
//!   (`clreq#hanging_punctuation_marks_at_line_end` 3.1.7).
//!
//! The rules with their sources are in `docs/composition-rules.md`.
//!
//! Breaks are chosen for the whole paragraph at once (a shortest path over
//! the break opportunities, as in Knuth–Plass): what each line costs —
//! squeezed marks, its spread, a break inside a URL, a lone last character
//! — is paid where it costs least.
//!
//! typst's own paragraphs cannot do this: its shaping compresses CJK
//! punctuation at positions it chooses, which moves the columns. The layout
//! therefore receives positioned glyphs, not paragraphs.

use serde::Serialize;

pub use crate::script::is_wide;

/// The face a run is set in; the layout maps each to a font role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Face {
    /// 仿宋 body text.
    #[serde(rename = "body")]
    Body,
    /// 黑体: level-1 headings, emphasis, labels.
    #[serde(rename = "heading")]
    Heading,
    /// 楷体: level-2 headings, editor's notes.
    #[serde(rename = "subheading")]
    Subheading,
}

/// Font metrics the composer needs.
pub trait Measure {
    /// The advance of `c` in em: in the Latin face when `latin`, else in
    /// the CJK face of `face`.
    fn advance(&self, c: char, face: Face, latin: bool) -> f64;

    /// Where the ink of `c` lies in the CJK face of `face`: the horizontal
    /// extent of each separate piece of its outline (the three dots of …),
    /// in em from the glyph's origin, left to right. Empty when unknown.
    fn ink(&self, _c: char, _face: Face) -> Vec<(f64, f64)> {
        Vec::new()
    }
}

/// A glyph (or a Latin word) placed on a line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Glyph {
    pub text: String,
    /// Left edge of the glyph's box, in cells from the line's left edge.
    pub x: f64,
    pub face: Face,
    /// Set in the Latin face (letters, digits, a URL piece).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub latin: bool,
    /// A mark at the end of a line that gave up its blank half: it is half
    /// a cell wide, its ink inside the line.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub half: bool,
    /// Latin letters of a split word set further apart by this much each
    /// (in cells), to fill the line.
    #[serde(skip_serializing_if = "is_zero")]
    pub tracking: f64,
}

pub(crate) fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// One line of a paragraph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub glyphs: Vec<Glyph>,
    /// Filled to the right edge (every line of a paragraph but its last).
    pub full: bool,
    /// Whether any mark or gap was squeezed or stretched.
    #[serde(skip)]
    pub adjusted: bool,
    /// How much each gap of the line was widened to fill it, in cells
    /// (between the letters, on a line of nothing but an address).
    #[serde(skip)]
    pub spread: f64,
    /// From the line's left edge to the end of its last glyph, in cells:
    /// what a table cell aligns (right, centred).
    #[serde(skip)]
    pub width: f64,
}

/// How a paragraph's lines are shaped: cells per line and indents, in
/// cells, and how wide an em of the text is in cells (16 pt type on a
/// 15.79 pt cell: a little more than one).
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub cells: usize,
    pub first_indent: usize,
    pub rest_indent: usize,
    pub em: f64,
}

// Word's zh-CN kinsoku sets (docs/composition-rules.md §4, from OOXML `kinsoku`),
// with the solidus (GB/T 15834—2011 5.1.9) and the katakana middle dot
// that pasted text uses for ·.
const NO_START: &str =
    "!%),.:;?]}¢°·・/ˇˉ―‖’”…‰′″℃∶、。〃〉》」』】〕〗〞﹚﹜！＂％＇），．／：；？］｝～\u{3000}";
const NO_END: &str = "([{£¥‘“〈《「『【〔〖〝﹙﹛（［｛￡￥$·・";
/// Marks whose ink sits in the left half of the em (GB style: 点号 and
/// closing brackets): the right half is blank and may be squeezed.
const CLOSING: &str = "，。、；：！？”’）》」』】〕〗〉］｝";
/// Opening brackets and quotes: ink in the right half.
const OPENING: &str = "“‘（《「『【〔〖〈［｛";
/// Characters that, after a number, are its unit: "2024年" is not split.
const UNITS: &str = concat!(
    "年月日时分秒天周岁%％‰℃元角万亿千百十个位名人次件项条份家所户处座台辆套批场届期号轮倍级篇章节页版米吨克斤升亩公平里多余微毫厘立",
    // Measure words of 应急 and statistics writing (事故23起, 3艘渔船, 1例):
    // a number is torn from them as from any unit.
    "起艘支张箱床度例栋幢层只头株棵册本首幅间把部架列趟匹块根片段组队口宗袋瓶盒包桶罐两尺寸成折封种类",
);
/// Connectors between two numbers (2023—2025年, 3～5天): no break on
/// either side.
const CONNECTORS: &[&str] = &["—", "～", "–", "〜", "~", "-"];

/// The space between Chinese and Latin text or digits, in em: one value
/// throughout the document. CLREQ allows up to ¼ em (3.2.2) and reduces it
/// to ⅛ em when a line is tight (3.5.3); ⅛ em keeps a stretched gap there
/// under 0.3 cell with the line's spread on top.
pub const LATIN_SPACE: f64 = 0.125;
/// The most a line spreads each of its gaps, in cells, before it reads as
/// letter-spaced: past it, a line is the last resort.
pub const LOOSE: f64 = 0.12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An ideograph or another full-width character.
    Han,
    /// A full-width mark with its ink in the left half.
    Closing,
    /// A full-width mark with its ink in the right half.
    Opening,
    /// A Latin word, number or a piece of a URL.
    Latin,
}

/// What stands between two atoms.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Gap {
    /// Nothing may stretch here: two pieces of one URL.
    Tight,
    /// Between two full-width characters.
    Plain,
    /// Between Chinese and Latin text: [`LATIN_SPACE`].
    Boundary,
    /// A word space in Latin text, of this natural width (cells).
    Space(f64),
    /// The space between the digit groups of one number (8 600, 1 860),
    /// of this width: a thin space, never stretched nor broken.
    Thousands(f64),
}

#[derive(Debug, Clone)]
struct Atom {
    text: String,
    face: Face,
    kind: Kind,
    /// Natural width in cells.
    width: f64,
    /// Where the first glyph is drawn, in cells from the atom's left edge
    /// (a narrow glyph centred in its cell, the dot of ·).
    inset: f64,
    /// From one glyph to the next (—— and …), in cells.
    step: f64,
    no_start: bool,
    no_end: bool,
    /// What stands between the previous atom and this one.
    gap: Gap,
    /// Whether a line may break before this atom (set after splitting).
    breakable: bool,
    /// This atom continues a word split for breaking (a URL, a word wider
    /// than a line, a hyphenated number).
    joined: bool,
    /// A break before this piece of a split word is allowed, at this cost.
    piece: Option<f64>,
}

impl Atom {
    fn is_mark(&self) -> bool {
        matches!(self.kind, Kind::Closing | Kind::Opening)
    }
    fn blank_right(&self) -> bool {
        self.kind == Kind::Closing
    }
    fn blank_left(&self) -> bool {
        self.kind == Kind::Opening
    }
    fn ends_in_digit(&self) -> bool {
        self.kind == Kind::Latin && self.text.ends_with(|c: char| c.is_ascii_digit())
    }
    fn starts_with_digit(&self) -> bool {
        self.kind == Kind::Latin && self.text.starts_with(|c: char| c.is_ascii_digit())
    }
    /// What a reader counts as characters: a Latin word by its letters,
    /// a mark as nothing.
    fn characters(&self) -> u32 {
        if self.is_mark() {
            0
        } else {
            self.text.chars().count() as u32
        }
    }
}

/// Han characters and kana: what the Chinese–Latin space stands beside.
fn is_ideograph(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FA | 0x30FC..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// The Latin side of a Chinese–Latin space: a letter or a figure (with
/// its sign), not a Latin mark — "2." before a heading, "1—2", "82.5%的"
/// and "微克/立方米" have none (clreq 3.2.4, `#id118`).
fn spaced_from_chinese(c: char) -> bool {
    c.is_alphanumeric() || "−+±$€£#@".contains(c)
}

/// The interpunct, half a cell (GB/T 15834—2011 5.1.7).
fn is_interpunct(c: char) -> bool {
    matches!(c, '·' | '・')
}

/// A space between words; the ideographic space is a full-width blank
/// cell, typed on purpose.
fn is_space(c: char) -> bool {
    c.is_whitespace() && c != '\u{3000}'
}

/// Where the two glyphs of —— or …… are drawn in their two cells: the
/// first glyph's inset and the step to the second, in cells. The pair is
/// drawn as one even mark — six dots a dot-pitch apart, one rule with no
/// seam — centred in its unit; a face draws each glyph for a cell of its
/// own, so two glyphs a cell apart show two triplets, or a gap. Without
/// the outline, a cell each.
fn doubled(c: char, face: Face, m: &dyn Measure, em: f64) -> (f64, f64) {
    let ink = m.ink(c, face);
    let (Some(first), Some(last)) = (ink.first(), ink.last()) else {
        return (0.0, 1.0);
    };
    let (lo, hi) = (first.0, last.1);
    let step = if ink.len() >= 2 {
        // Dots: the second glyph's first dot one pitch after the first
        // glyph's last.
        let centre = |r: &(f64, f64)| (r.0 + r.1) / 2.0;
        (centre(last) - centre(first)) / (ink.len() - 1) as f64 * ink.len() as f64
    } else {
        // A rule: the second overlaps the first by a hair.
        hi - lo - 0.02
    };
    if !(0.3..=1.5).contains(&step) {
        return (0.0, 1.0);
    }
    (1.0 - em * (lo + step + hi) / 2.0, step * em)
}

/// Splits runs of (text, face) into atoms: one per full-width character
/// (—— and …… as one), one per Latin word.
fn atoms(runs: &[(String, Face)], m: &dyn Measure, em: f64) -> Vec<Atom> {
    let mut out: Vec<Atom> = Vec::new();
    let mut pending_space = false;
    for (text, face) in runs {
        let face = *face;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if is_space(c) {
                pending_space = true;
                continue;
            }
            if is_wide(c) {
                let pair = matches!(c, '—' | '…') && chars.peek() == Some(&c);
                let mut text = c.to_string();
                if pair {
                    text.push(chars.next().unwrap_or(c));
                }
                let kind = if CLOSING.contains(c) {
                    Kind::Closing
                } else if OPENING.contains(c) {
                    Kind::Opening
                } else {
                    Kind::Han
                };
                let (width, inset, step) = if pair {
                    let (inset, step) = doubled(c, face, m, em);
                    (2.0, inset, step)
                } else if is_interpunct(c) {
                    // Its dot in the middle of its half cell.
                    let centre = match m.ink(c, face)[..] {
                        [] => m.advance(c, face, false) / 2.0,
                        ref ink => (ink[0].0 + ink[ink.len() - 1].1) / 2.0,
                    };
                    (0.5, 0.25 - centre * em, 1.0)
                } else {
                    // A narrow glyph is centred in its cell.
                    let advance = m.advance(c, face, false) * em;
                    let narrow = kind == Kind::Han && advance < 0.9;
                    (1.0, if narrow { (1.0 - advance) / 2.0 } else { 0.0 }, 1.0)
                };
                let gap = match out.last() {
                    Some(p)
                        if p.kind == Kind::Latin
                            && is_ideograph(c)
                            && p.text.chars().last().is_some_and(spaced_from_chinese) =>
                    {
                        Gap::Boundary
                    }
                    _ => Gap::Plain,
                };
                out.push(Atom {
                    text,
                    face,
                    kind,
                    width,
                    inset,
                    step,
                    no_start: NO_START.contains(c),
                    no_end: NO_END.contains(c),
                    gap,
                    breakable: true,
                    joined: false,
                    piece: None,
                });
            } else {
                // A Latin word: up to the next space or full-width character.
                let mut word = c.to_string();
                while let Some(&n) = chars.peek() {
                    if is_space(n) || is_wide(n) {
                        break;
                    }
                    word.push(n);
                    chars.next();
                }
                let width = word.chars().map(|c| m.advance(c, face, true)).sum::<f64>() * em;
                let gap = match out.last() {
                    Some(a) if a.kind == Kind::Latin && pending_space && groups(&a.text, &word) => {
                        Gap::Thousands(m.advance(' ', face, true) * em)
                    }
                    Some(a) if a.kind == Kind::Latin && pending_space => {
                        Gap::Space(m.advance(' ', face, true) * em)
                    }
                    Some(a) if a.kind == Kind::Latin => Gap::Tight,
                    Some(a)
                        if a.kind == Kind::Han
                            && a.text.chars().last().is_some_and(is_ideograph)
                            && spaced_from_chinese(c) =>
                    {
                        Gap::Boundary
                    }
                    _ => Gap::Plain,
                };
                let first = word.chars().next().unwrap_or(c);
                let last = word.chars().last().unwrap_or(c);
                out.push(Atom {
                    no_start: NO_START.contains(first),
                    no_end: NO_END.contains(last),
                    text: word,
                    face,
                    kind: Kind::Latin,
                    width,
                    inset: 0.0,
                    step: 1.0,
                    gap,
                    breakable: true,
                    joined: false,
                    piece: None,
                });
            }
            pending_space = false;
        }
    }
    out
}

/// Whether `next` continues the number `before` across a thousands space
/// (GB/T 15835—2011 5.1.2: 8 600, 12 345.6): `before` ends in a group of
/// one to three digits, `next` is a group of exactly three (and its
/// decimals or unit). The space stays the quarter-em space it is.
fn groups(before: &str, next: &str) -> bool {
    let tail = before
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .count();
    let head = next.chars().take_while(char::is_ascii_digit).count();
    let lead = before.chars().rev().nth(tail);
    (1..=3).contains(&tail)
        && head == 3
        && !lead.is_some_and(|c| c.is_ascii_alphabetic() || c == '.')
}

/// Roman numerals (Ⅲ级, 应急响应Ⅳ级): numbers to the unit that follows.
fn is_roman(a: &Atom) -> bool {
    let mut chars = a.text.chars();
    matches!(
        (chars.next(), chars.next()),
        (Some('\u{2160}'..='\u{217F}'), None)
    )
}

/// What counts a Roman numeral in 应急 writing besides [`UNITS`]: 级 类
/// 档 型 等 阶段 (Ⅱ类, Ⅲ档, Ⅰ型).
const ROMAN_UNITS: &str = "类档型等阶";

/// Whether a Latin word is a URL or e-mail address, which breaks at the
/// points [`url_break`] allows wherever it must.
fn is_url(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    lower.contains("://") || lower.starts_with("www.") || (word.contains('@') && word.contains('.'))
}

/// What breaking a URL where [`url_break`] allows costs, and breaking it
/// (or a word or number wider than a line) anywhere else: the last resort
/// before a letter-spaced line.
const URL_BREAK: f64 = 8.0;
const CHAR_BREAK: f64 = 300.0;
/// What breaking a hyphenated number or code after its hyphen costs
/// (0591-83456789, as Word does): less than a letter-spaced line, more
/// than any ordinary adjustment.
const HYPHEN_BREAK: f64 = 200.0;

/// A hyphen inside a word, between two letters or figures.
fn inner_hyphen(chars: &[char], k: usize) -> bool {
    k > 0
        && chars[k] == '-'
        && chars[k - 1].is_alphanumeric()
        && chars.get(k + 1).is_some_and(|c| c.is_alphanumeric())
}

/// Whether a URL or e-mail address may break before `chars[k]`: after
/// `//`, before `/ . _ - ? # % ~ @` (so the next line shows it continues
/// an address, and never after `_`, which would read as a blank), before
/// or after `& =`; never inside `//` or between two such marks (the
/// Chicago Manual's rule, 6.76; CLREQ has none).
fn url_break(chars: &[char], k: usize) -> bool {
    let (p, c) = (chars[k - 1], chars[k]);
    let next = chars.get(k + 1).copied();
    const BEFORE: &str = "/._-?#%~@&=";
    const MARKS: &str = "/._-?#%~@&=:";
    if p == '/' && k >= 2 && chars[k - 2] == '/' {
        return c != '/';
    }
    if BEFORE.contains(c) {
        return !(MARKS.contains(p) || c == '/' && next == Some('/'));
    }
    "&=".contains(p) && !MARKS.contains(c)
}

/// Splits URLs and words wider than a line into one atom per character,
/// which may break where [`url_break`] allows or, at a higher price,
/// anywhere.
fn split_words(a: Vec<Atom>, line: f64, m: &dyn Measure, em: f64) -> Vec<Atom> {
    let mut out = Vec::with_capacity(a.len());
    for atom in a {
        if atom.kind != Kind::Latin {
            out.push(atom);
            continue;
        }
        // A URL or a word wider than a line breaks where it must; a
        // hyphenated number or code (0591-83456789) only after a hyphen.
        let loose = is_url(&atom.text) || atom.width > line;
        if !loose && !atom.text.contains('-') {
            out.push(atom);
            continue;
        }
        let chars: Vec<char> = atom.text.chars().collect();
        let n = chars.len();
        if !loose && !(1..n).any(|k| inner_hyphen(&chars, k)) {
            out.push(atom);
            continue;
        }
        for (k, &c) in chars.iter().enumerate() {
            let penalty = match k {
                0 => None,
                _ if loose && url_break(&chars, k) => Some(URL_BREAK),
                // Inside a run of digits last of all: "t202 / 60506"
                // reads as two numbers.
                _ if loose && chars[k - 1].is_ascii_digit() && c.is_ascii_digit() => {
                    Some(3.0 * CHAR_BREAK)
                }
                _ if loose => Some(CHAR_BREAK),
                _ if inner_hyphen(&chars, k - 1) => Some(HYPHEN_BREAK),
                _ => None,
            };
            // Field by field: `..atom.clone()` would copy the whole word
            // for each of its letters.
            out.push(Atom {
                text: c.to_string(),
                face: atom.face,
                kind: atom.kind,
                width: m.advance(c, atom.face, true) * em,
                inset: atom.inset,
                step: atom.step,
                no_start: k == 0 && atom.no_start,
                no_end: k + 1 == n && atom.no_end,
                gap: if k == 0 { atom.gap } else { Gap::Tight },
                breakable: atom.breakable,
                joined: k > 0,
                piece: penalty,
            });
        }
    }
    out
}

/// Two-character units that stay with their number: 3,650万元, 3万人次;
/// and the units a solidus joins (微克/立方米, 元/吨).
const COMPOUND_UNITS: &[&str] = &[
    "万元",
    "亿元",
    "千元",
    "百元",
    "万人",
    "万户",
    "万吨",
    "万亩",
    "人次",
    "家次",
    "户次",
    "车次",
    "台次",
    "架次",
    "万人次",
    "小时",
    "分钟",
    "公里",
    "公顷",
    "公斤",
    "千米",
    "千克",
    "千瓦",
    "千瓦时",
    "万千瓦",
    "兆瓦",
    "微克",
    "毫克",
    "微米",
    "毫米",
    "厘米",
    "毫升",
    "平方米",
    "平方公里",
    "立方米",
    "个月",
    "个百分点",
    "百分点",
    "余人",
    "余家",
    "余万元",
    "多人",
    "多家",
    "季度",
];
/// Chinese numerals after 第: 第一季度, 第十二次.
const CN_NUMERALS: &str = "〇零一二两三四五六七八九十百千";

/// A connector standing by itself (not the hyphen inside 0591-83456789).
fn is_connector(a: &Atom) -> bool {
    !a.joined && CONNECTORS.contains(&a.text.as_str())
}

/// Whether atom `k` belongs with the number before it: its unit (2024年,
/// 3,650万元, 3万人次), 第 and its number (第3次, 第一季度), a connector
/// between two numbers and the numbers (2023—2025年, 3～5天).
fn with_number(a: &[Atom], k: usize) -> bool {
    let (prev, this) = (&a[k - 1], &a[k]);
    let unit_fits = |unit: &str| {
        unit.is_empty()
            || (unit.chars().count() == 1 && unit.starts_with(|c| UNITS.contains(c) || c == '季'))
            || COMPOUND_UNITS.iter().any(|u| u.starts_with(unit))
    };
    // The first character of a unit (2024年, and 1小时: 小 begins one).
    if prev.ends_in_digit()
        && (this.text.starts_with(|c| UNITS.contains(c)) || unit_fits(&this.text))
    {
        return true;
    }
    if is_roman(prev)
        && this
            .text
            .starts_with(|c| UNITS.contains(c) || ROMAN_UNITS.contains(c))
    {
        return true;
    }
    if prev.text == "第" && is_roman(this) {
        return true;
    }
    if prev.text == "第"
        && (this.starts_with_digit() || this.text.starts_with(|c| CN_NUMERALS.contains(c)))
    {
        return true;
    }
    if is_connector(this)
        && prev.ends_in_digit()
        && a.get(k + 1).is_some_and(Atom::starts_with_digit)
    {
        return true;
    }
    if is_connector(prev) && k >= 2 && a[k - 2].ends_in_digit() && this.starts_with_digit() {
        return true;
    }
    // Walk back over the Han atoms after the number.
    let mut start = k;
    while start > 0 && a[start - 1].kind == Kind::Han && k - start < 6 {
        start -= 1;
        let Some(before) = start.checked_sub(1).map(|p| &a[p]) else {
            break;
        };
        let text: String = a[start..=k].iter().map(|x| x.text.as_str()).collect();
        if before.ends_in_digit() {
            return unit_fits(&text);
        }
        if before.text == "第" {
            // 第一季度: numerals, then their unit.
            let unit = text.trim_start_matches(|c| CN_NUMERALS.contains(c));
            return unit.len() < text.len() && unit_fits(unit);
        }
    }
    false
}

/// Whether a string of Han characters is a unit a solidus may join.
fn is_unit(s: &str) -> bool {
    (s.chars().count() == 1 && s.starts_with(|c| UNITS.contains(c))) || COMPOUND_UNITS.contains(&s)
}

/// A solidus standing by itself (not a piece of a URL).
fn is_solidus(a: &Atom) -> bool {
    !a.joined && (a.text == "/" || a.text == "／")
}

/// Breaks a solidus forbids (GB/T 15834—2011 5.1.9): before and after it
/// (it starts no line and ends none), and inside the units it joins, so
/// 微克/立方米 or 元/吨 is never torn. `glued[k]`: no break before atom k.
fn glued_by_solidus(a: &[Atom]) -> Vec<bool> {
    const LONGEST: usize = 4;
    let mut glued = vec![false; a.len() + 1];
    let single = |j: usize| a[j].kind == Kind::Han && a[j].text.chars().count() == 1;
    let text = |r: std::ops::Range<usize>| a[r].iter().map(|x| x.text.as_str()).collect::<String>();
    for k in 0..a.len() {
        if !is_solidus(&a[k]) {
            continue;
        }
        glued[k] = true;
        glued[k + 1] = true;
        let before = (2..=LONGEST.min(k))
            .filter(|&n| (k - n..k).all(single) && is_unit(&text(k - n..k)))
            .max();
        if let Some(n) = before {
            glued[k - n + 1..k].fill(true);
        }
        let after = (2..=LONGEST.min(a.len() - k - 1))
            .filter(|&n| (k + 1..k + 1 + n).all(single) && is_unit(&text(k + 1..k + 1 + n)))
            .max();
        if let Some(n) = after {
            glued[k + 2..k + 1 + n].fill(true);
        }
    }
    glued.truncate(a.len());
    glued
}

/// Marks where a line may break: before atom `k` unless kinsoku forbids
/// it, the two belong together (a number and its unit, 第 and its number,
/// a unit with a solidus, the letters of a word), or `k` is the first
/// atom.
fn mark_breaks(a: &mut [Atom]) {
    let glued = glued_by_solidus(a);
    for k in 0..a.len() {
        let ok = k > 0 && {
            let (prev, this) = (&a[k - 1], &a[k]);
            let word = matches!(this.gap, Gap::Tight | Gap::Thousands(_)) && this.piece.is_none();
            !(this.no_start || prev.no_end || word || glued[k] || with_number(a, k))
        };
        a[k].breakable = ok;
    }
}

/// How a gap may stretch.
#[derive(Clone, Copy, PartialEq)]
enum Stretch {
    /// Not at all (pieces of one word).
    None,
    /// With the line's even spread: every gap between characters, marks,
    /// Chinese and Latin, Latin words.
    Even,
    /// Inside a split URL or word: only on a line with no other gap.
    Piece,
}

/// Per-gap facts, indexed by the atom after the gap.
#[derive(Clone, Copy)]
struct GapInfo {
    /// Width at rest, in cells: a word space, the Chinese–Latin space, or
    /// minus the blank half two adjacent marks give up.
    natural: f64,
    stretch: Stretch,
    /// Adjacent marks with two blank halves facing each other (”“ ：“
    /// 、《): one is gone at rest, the other may go when the line is
    /// squeezed (one em for the pair, clreq 3.1.6.2).
    pair: bool,
    /// Blank halves of a mark beside a character, which may be squeezed.
    blanks: u8,
}

fn gap_info(a: &[Atom], k: usize, em: f64) -> GapInfo {
    if k == 0 {
        return GapInfo {
            natural: 0.0,
            stretch: Stretch::None,
            pair: false,
            blanks: 0,
        };
    }
    let (p, t) = (&a[k - 1], &a[k]);
    let blanks = u8::from(p.blank_right()) + u8::from(t.blank_left());
    let adjacent = p.is_mark() && t.is_mark() && blanks > 0;
    let natural = match t.gap {
        Gap::Space(w) | Gap::Thousands(w) => w,
        Gap::Boundary => LATIN_SPACE * em,
        _ => 0.0,
    } - if adjacent { HALF } else { 0.0 };
    let stretch = match t.gap {
        Gap::Tight if t.joined => Stretch::Piece,
        Gap::Tight | Gap::Thousands(_) => Stretch::None,
        _ => Stretch::Even,
    };
    GapInfo {
        natural,
        stretch,
        pair: adjacent && blanks == 2,
        blanks: if adjacent { 0 } else { blanks },
    }
}

/// Largest adjustments, in cells (clreq 3.1.6.1: a mark gives at most its
/// blank half).
const HALF: f64 = 0.5;
const QUARTER: f64 = 0.25;
const EPS: f64 = 1e-6;
/// What a paragraph's last line holding a single character costs
/// (clreq 3.4.4): more than any adjustment within the limits.
const ORPHAN: f64 = 1000.0;

/// Prefix sums over atoms and gaps, so a candidate line's width and
/// resources cost O(1).
struct Sums {
    /// Σ width of atoms < k.
    width: Vec<f64>,
    /// Σ natural gap widths of gaps < k (gap k is before atom k).
    natural: Vec<f64>,
    pairs: Vec<u32>,
    /// Blank halves in gaps that are not pairs.
    inner: Vec<u32>,
    even: Vec<u32>,
    piece: Vec<u32>,
    /// Characters of atoms < k.
    chars: Vec<u32>,
}

impl Sums {
    fn new(a: &[Atom], gaps: &[GapInfo]) -> Sums {
        let n = a.len();
        let mut s = Sums {
            width: Vec::with_capacity(n + 1),
            natural: Vec::with_capacity(n + 1),
            pairs: Vec::with_capacity(n + 1),
            inner: Vec::with_capacity(n + 1),
            even: Vec::with_capacity(n + 1),
            piece: Vec::with_capacity(n + 1),
            chars: Vec::with_capacity(n + 1),
        };
        let (mut w, mut nat, mut p, mut inn, mut ev, mut pc, mut ch) = (0.0, 0.0, 0, 0, 0, 0, 0);
        for k in 0..=n {
            s.width.push(w);
            s.natural.push(nat);
            s.pairs.push(p);
            s.inner.push(inn);
            s.even.push(ev);
            s.piece.push(pc);
            s.chars.push(ch);
            if k < n {
                w += a[k].width;
                ch += a[k].characters();
                let g = gaps[k];
                nat += g.natural;
                p += u32::from(g.pair);
                inn += u32::from(g.blanks);
                match g.stretch {
                    Stretch::Even => ev += 1,
                    Stretch::Piece => pc += 1,
                    Stretch::None => {}
                }
            }
        }
        s
    }
}

/// What a candidate line from atom `i` to atom `k` (exclusive) offers.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// Natural width.
    width: f64,
    pairs: u32,
    inner: u32,
    /// The last atom's blank right half may be squeezed.
    end: bool,
    even: u32,
    piece: u32,
    chars: u32,
}

impl Candidate {
    fn new(s: &Sums, a: &[Atom], i: usize, k: usize) -> Candidate {
        // Gaps inside the line are i+1..k.
        let g = |v: &Vec<u32>| v[k] - v[(i + 1).min(k)];
        Candidate {
            width: s.width[k] - s.width[i] + s.natural[k] - s.natural[(i + 1).min(k)],
            pairs: g(&s.pairs),
            inner: g(&s.inner),
            end: a[k - 1].blank_right(),
            even: g(&s.even),
            piece: g(&s.piece),
            chars: s.chars[k] - s.chars[i],
        }
    }

    fn max_squeeze(&self) -> f64 {
        HALF * (self.pairs + self.inner + u32::from(self.end)) as f64
    }
}

/// How a line is adjusted, in cells.
#[derive(Debug, Default, Clone, Copy)]
struct Plan {
    /// Squeezed at each pair of marks, past its rest.
    pair: f64,
    /// Squeezed off the last mark.
    end: f64,
    /// Squeezed at every other blank half.
    inner: f64,
    /// Added to every gap of the line.
    spread: f64,
    /// Added between the letters of a split URL (a line with no other gap).
    piece: f64,
}

/// What a line whose gaps are each widened by `s` cells costs: nothing a
/// reader sees at a few hundredths of a cell, steeply more towards
/// [`LOOSE`]; past it a letter-spaced line, the worst there is short of a
/// lone character.
fn looseness(s: f64) -> f64 {
    if s <= LOOSE {
        100.0 * (s / LOOSE).powi(3)
    } else {
        600.0 + 5000.0 * (s - LOOSE)
    }
}

/// Plans the adjustment of a line of natural width `c.width` to `cap`;
/// `None` when it cannot be squeezed enough. A paragraph's last line is
/// not stretched.
fn plan(c: &Candidate, cap: f64, last: bool) -> Option<(Plan, f64)> {
    let mut p = Plan::default();
    let diff = c.width - cap;
    if diff > EPS {
        // 先挤: squeeze the mark at the line end (GB/T 15834 5.1.10), then
        // every other mark alike, and only then a pair of marks down to
        // one em, which reads crowded.
        if diff > c.max_squeeze() + EPS {
            return None;
        }
        let mut rest = diff;
        // The line-end mark gives its whole blank half or nothing, so that
        // the line still ends on a glyph edge.
        if c.end && rest > EPS && (rest > HALF - EPS || c.inner + c.pairs == 0) {
            p.end = rest.min(HALF);
            rest -= p.end;
        }
        if rest > EPS && c.inner > 0 {
            p.inner = (rest / c.inner as f64).min(HALF);
            rest -= p.inner * c.inner as f64;
        }
        if rest > EPS && c.pairs > 0 {
            p.pair = (rest / c.pairs as f64).min(HALF);
            rest -= p.pair * c.pairs as f64;
        }
        if rest > EPS {
            // Only the line end is left: it gives what is needed.
            p.end += rest;
        }
        // Past a quarter em each, squeezed marks start to read as
        // half-width ones: dearer.
        let heavy = (p.inner - QUARTER).max(0.0) * c.inner as f64;
        let cost = 0.5
            + p.end
            + 2.0 * p.inner * c.inner as f64
            + 30.0 * heavy
            + 20.0 * p.pair * c.pairs as f64;
        return Some((p, cost));
    }
    if diff > -EPS || last {
        return Some((p, 0.0));
    }
    // 后推: the slack spread evenly over every gap of the line, the letter
    // gaps of a split address included: a line of a few Chinese characters
    // before a long address would otherwise spread those few gaps wide
    // (proof review F5: 35 pt over 50 gaps is not seen).
    let slack = -diff;
    let share = (c.even + c.piece) as f64;
    if share > 0.0 {
        p.spread = slack / share;
        p.piece = p.spread;
        // What shows is the widest gap: the spread, or on a line of
        // nothing but an address the tracking between its letters, which
        // sit closer than characters and show it twice as much.
        let shown = if c.even > 0 { p.spread } else { 2.0 * p.piece };
        return Some((p, looseness(shown)));
    }
    Some((p, 10_000.0 + slack))
}

/// Breaks `runs` into lines of `shape.cells` cells and positions their
/// glyphs.
pub fn break_lines(runs: &[(String, Face)], shape: Shape, m: &dyn Measure) -> Vec<Line> {
    break_lines_by(runs, shape, m, &|_| 0.0)
}

/// As [`break_lines`], a break before the character after the first `n`
/// (spaces not counted) costing `cut(n)` more: a heading breaks by
/// meaning (title.rs), not inside a word.
pub fn break_lines_by(
    runs: &[(String, Face)],
    shape: Shape,
    m: &dyn Measure,
    cut: &dyn Fn(usize) -> f64,
) -> Vec<Line> {
    break_lines_with(runs, shape, m, cut, false)
}

/// What a ragged line costs beyond the last: more than any break by
/// meaning (a cell on a line more is a taller row).
const RAGGED_LINE: f64 = 1_000.0;
/// What a ragged line's slack costs, per em.
const RAGGED_SLACK: f64 = 10.0;

/// As [`break_lines`], every line set at its natural width as a last line
/// is (squeezed when it must be, never spread): a table cell's lines,
/// which stand left, right or centred in the cell and are never letter-
/// spaced to fill it (`2026　　年`, `增 加 值`).
/// A break before the character after the first `n` costs `cut(n)` more,
/// as in [`break_lines_by`] (a date or a code kept whole).
pub fn break_lines_ragged(
    runs: &[(String, Face)],
    shape: Shape,
    m: &dyn Measure,
    cut: &dyn Fn(usize) -> f64,
) -> Vec<Line> {
    break_lines_with(runs, shape, m, cut, true)
}

fn break_lines_with(
    runs: &[(String, Face)],
    shape: Shape,
    m: &dyn Measure,
    cut: &dyn Fn(usize) -> f64,
    ragged: bool,
) -> Vec<Line> {
    let cap_of = |first: bool| {
        shape.cells as f64
            - if first {
                shape.first_indent
            } else {
                shape.rest_indent
            } as f64
    };
    let narrowest = cap_of(true).min(cap_of(false));
    let mut a = split_words(atoms(runs, m, shape.em), narrowest, m, shape.em);
    if a.is_empty() {
        return Vec::new();
    }
    mark_breaks(&mut a);
    let mut before = 0;
    for atom in &mut a {
        let cost = cut(before);
        if cost > 0.0 {
            atom.piece = Some(atom.piece.unwrap_or(0.0) + cost);
        }
        before += atom.text.chars().count();
    }
    let n = a.len();
    let mut gaps: Vec<GapInfo> = (0..n).map(|k| gap_info(&a, k, shape.em)).collect();
    // A paragraph's sequence number keeps its marks whole: （一）（二）（三）
    // and 一、二、 on the lines under each other line up, whichever of
    // them is squeezed (clreq 3.1.6: one setting for the same marks).
    if let Some(end) = sequence_number(&a) {
        for g in &mut gaps[1..=(end + 1).min(n - 1)] {
            g.blanks = 0;
        }
    }
    let sums = Sums::new(&a, &gaps);

    // Shortest path over break opportunities: best[k] is the least cost of
    // setting atoms 0..k as full lines, from[k] where its last line starts.
    let mut best = vec![f64::INFINITY; n + 1];
    let mut from = vec![usize::MAX; n + 1];
    best[0] = 0.0;
    for i in 0..n {
        if !best[i].is_finite() || !(i == 0 || a[i].breakable) {
            continue;
        }
        let cap = cap_of(i == 0);
        let mut any = false;
        let mut fits_to = i + 1;
        for k in i + 1..=n {
            let c = Candidate::new(&sums, &a, i, k);
            if c.width - c.max_squeeze() > cap + EPS {
                break;
            }
            if c.width <= cap + EPS {
                fits_to = k;
            }
            if k < n && !a[k].breakable {
                continue;
            }
            let last = k == n;
            // A ragged line (a table cell's) is set at its natural width:
            // a short one is not spread, so it costs its line and its
            // slack, not its looseness — a line fewer first, then a break
            // between words (`cut`), then fuller lines.
            let Some((_, mut cost)) = plan(&c, cap, last || ragged) else {
                continue;
            };
            if ragged && !last {
                cost += RAGGED_LINE + RAGGED_SLACK * (cap - c.width).max(0.0);
            }
            if k < n
                && let Some(penalty) = a[k].piece
            {
                // Breaking inside a URL or an over-long word is allowed,
                // not loved.
                cost += penalty;
            }
            if last && i > 0 && c.chars <= 1 {
                // A lone character (and its mark) on the last line.
                cost += ORPHAN;
            }
            any = true;
            if best[i] + cost < best[k] - EPS {
                best[k] = best[i] + cost;
                from[k] = i;
            }
        }
        if !any {
            // Nothing legal fits (a run of marks longer than a line): break
            // where the text fits, whatever kinsoku says.
            let k = fits_to.max(i + 1);
            let cost = best[i] + 100_000.0;
            if cost < best[k] {
                best[k] = cost;
                from[k] = i;
            }
            a[k.min(n - 1)].breakable |= k < n;
        }
    }
    let mut ends = vec![n];
    let mut k = n;
    while k > 0 {
        k = from[k];
        ends.push(k);
    }
    ends.reverse();
    ends.windows(2)
        .map(|w| {
            let (i, k) = (w[0], w[1]);
            let first = i == 0;
            let indent = if first {
                shape.first_indent
            } else {
                shape.rest_indent
            } as f64;
            set_line(
                &a,
                &gaps,
                &sums,
                i,
                k,
                indent,
                cap_of(first),
                k == n || ragged,
            )
        })
        .collect()
}

/// The index of the mark that closes a paragraph's sequence number —
/// （一） （1） or 一、 2、 at its start — when it has one.
fn sequence_number(a: &[Atom]) -> Option<usize> {
    let inner = |r: std::ops::Range<usize>| {
        !r.is_empty()
            && a[r].iter().all(|x| {
                is_roman(x)
                    || x.text.chars().count() <= 3
                        && x.text
                            .chars()
                            .all(|c| CN_NUMERALS.contains(c) || c.is_ascii_alphanumeric())
            })
    };
    if a.first()?.text == "（" {
        let close = a.iter().take(6).position(|x| x.text == "）")?;
        return inner(1..close).then_some(close);
    }
    let mark = a.iter().take(4).position(|x| x.text == "、")?;
    inner(0..mark).then_some(mark)
}

/// Positions the atoms `i..k` of one line after its adjustment plan.
#[allow(clippy::too_many_arguments)]
fn set_line(
    a: &[Atom],
    gaps: &[GapInfo],
    sums: &Sums,
    i: usize,
    k: usize,
    indent: f64,
    cap: f64,
    last: bool,
) -> Line {
    let c = Candidate::new(sums, a, i, k);
    let (p, _) = plan(&c, cap, last).unwrap_or_default();
    let adjusted = (c.width - cap).abs() > EPS && !(last && c.width < cap);
    let mut glyphs: Vec<Glyph> = Vec::with_capacity(k - i);
    let mut x = indent;
    let half_end = p.end > HALF - EPS;
    for j in i..k {
        if j > i {
            let g = gaps[j];
            let squeeze = if g.pair {
                p.pair
            } else {
                p.inner * g.blanks as f64
            };
            let stretch = match g.stretch {
                Stretch::None => 0.0,
                Stretch::Even => p.spread,
                Stretch::Piece => p.piece,
            };
            x += g.natural + stretch - squeeze;
        }
        let atom = &a[j];
        match atom.kind {
            // The letters of a split word, back together where they touch.
            // (Spread over the line's pieces, they stay one run with that
            // much tracking.)
            Kind::Latin if j > i && atom.joined && glyphs.last().is_some_and(|g| g.latin) => {
                if let Some(g) = glyphs.last_mut() {
                    g.text.push_str(&atom.text);
                    g.tracking = p.piece;
                }
            }
            Kind::Latin => glyphs.push(Glyph {
                text: atom.text.clone(),
                x,
                face: atom.face,
                latin: true,
                half: false,
                tracking: 0.0,
            }),
            _ => {
                // —— and …… are two glyphs, drawn as one even mark.
                for (n, ch) in atom.text.chars().enumerate() {
                    glyphs.push(Glyph {
                        text: ch.to_string(),
                        x: x + atom.inset + n as f64 * atom.step,
                        face: atom.face,
                        latin: false,
                        half: half_end && j + 1 == k,
                        tracking: 0.0,
                    });
                }
            }
        }
        x += atom.width;
    }
    Line {
        glyphs,
        full: !last,
        adjusted,
        // A line of nothing but an address is spread between its letters.
        spread: if c.even > 0 { p.spread } else { p.piece },
        width: x,
    }
}

/// How wide `runs` are set on one line at rest, and the widest piece no
/// line may break inside (a number with its unit, a word, a character
/// with the marks kinsoku keeps with it), in cells: the narrowest and the
/// widest a table's column needs to be for this text. A URL counts by its
/// pieces, since it breaks.
pub fn extent(runs: &[(String, Face)], em: f64, m: &dyn Measure) -> (f64, f64) {
    let mut a = split_words(atoms(runs, m, em), f64::INFINITY, m, em);
    mark_breaks(&mut a);
    let (mut whole, mut piece, mut widest) = (0.0_f64, 0.0_f64, 0.0_f64);
    for k in 0..a.len() {
        let gap = gap_info(&a, k, em).natural;
        if a[k].breakable {
            widest = widest.max(piece);
            piece = 0.0;
        } else {
            piece += gap;
        }
        piece += a[k].width;
        whole += a[k].width + gap;
    }
    (whole, widest.max(piece))
}

/// The width of a text in em of its own size, as the layout sets it
/// outside the grid (titles, the closing block): full-width characters
/// one em, Latin at its natural width.
pub fn width(text: &str, m: &dyn Measure, face: Face) -> f64 {
    text.chars()
        .map(|c| {
            if is_wide(c) {
                1.0
            } else {
                m.advance(c, face, true)
            }
        })
        .sum()
}

/// Breaks a single-style text into lines of at most `first` em (then
/// `rest` em), keeping kinsoku and whole Latin words, for text outside the
/// body grid (the closing block). Returns the lines' texts.
pub fn break_plain(text: &str, first: f64, rest: f64, m: &dyn Measure, face: Face) -> Vec<String> {
    let mut a = split_words(
        atoms(&[(text.to_string(), face)], m, 1.0),
        first.min(rest),
        m,
        1.0,
    );
    mark_breaks(&mut a);
    // typst sets this text itself: a full-width character is an em, and
    // only word spaces take room between atoms.
    let space = |k: usize| match a[k].gap {
        Gap::Space(w) | Gap::Thousands(w) => w,
        _ => 0.0,
    };
    let width = |k: usize| match a[k].kind {
        Kind::Latin => a[k].width,
        _ => a[k].text.chars().count() as f64,
    };
    let mut out = Vec::new();
    let mut i = 0;
    let mut cap = first;
    while i < a.len() {
        let mut j = i;
        let mut used = 0.0;
        while j < a.len() && used + width(j) + if j > i { space(j) } else { 0.0 } <= cap + EPS {
            used += width(j) + if j > i { space(j) } else { 0.0 };
            j += 1;
        }
        if j < a.len() {
            j = (i + 1..=j)
                .rev()
                .find(|&k| a[k].breakable)
                .unwrap_or(j.max(i + 1));
        }
        out.push(join(&a[i..j]));
        i = j;
        cap = rest;
    }
    out
}

/// The text of atoms as typed, with a space between Latin words.
fn join(a: &[Atom]) -> String {
    let mut s = String::new();
    for (n, atom) in a.iter().enumerate() {
        if n > 0 && matches!(atom.gap, Gap::Space(_) | Gap::Thousands(_)) {
            s.push(' ');
        }
        s.push_str(&atom.text);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Full-width for wide characters, half an em for Latin.
    struct Mono;
    impl Measure for Mono {
        fn advance(&self, c: char, _: Face, latin: bool) -> f64 {
            if !latin || is_wide(c) {
                1.0
            } else if c == ' ' {
                0.25
            } else {
                0.5
            }
        }
    }

    const PARA: Shape = Shape {
        cells: 28,
        first_indent: 2,
        rest_indent: 0,
        em: 1.0,
    };

    fn lines(text: &str) -> Vec<Line> {
        break_lines(&[(text.to_string(), Face::Body)], PARA, &Mono)
    }

    fn texts(ls: &[Line]) -> Vec<String> {
        ls.iter()
            .map(|l| l.glyphs.iter().map(|g| g.text.as_str()).collect())
            .collect()
    }

    /// The right edge of a line's last glyph box (a Latin word's natural end).
    /// A glyph's width in cells: a Latin run's letters with the tracking
    /// between them.
    fn advance(g: &Glyph) -> f64 {
        if g.latin {
            let n = g.text.chars().count();
            g.text
                .chars()
                .map(|c| Mono.advance(c, Face::Body, true))
                .sum::<f64>()
                + g.tracking * n.saturating_sub(1) as f64
        } else {
            1.0
        }
    }

    fn right_edge(l: &Line) -> f64 {
        let g = l.glyphs.last().unwrap();
        g.x + advance(g)
    }

    /// Gaps between neighbouring glyph boxes, in cells.
    fn gaps(l: &Line) -> Vec<f64> {
        l.glyphs
            .windows(2)
            .map(|w| {
                let a = &w[0];
                w[1].x - (a.x + advance(a))
            })
            .collect()
    }

    fn assert_flush(ls: &[Line]) {
        for l in ls.iter().filter(|l| l.full) {
            let edge = right_edge(l);
            // A squeezed mark at the end keeps its ink inside the line.
            let end_mark = l
                .glyphs
                .last()
                .is_some_and(|g| CLOSING.contains(g.text.as_str()));
            assert!(
                (edge - 28.0).abs() < 1e-6 || (end_mark && edge > 28.0 && edge <= 28.5 + 1e-6),
                "not flush ({edge}): {}",
                texts(std::slice::from_ref(l))[0]
            );
        }
    }

    /// No gap more than 0.3 cell over its characters' advance (issue
    /// 15.2); a word space between Latin words is its own width more.
    fn assert_no_holes(ls: &[Line]) {
        for l in ls {
            for (g, w) in gaps(l).into_iter().zip(l.glyphs.windows(2)) {
                let words = w[0].latin && w[1].latin;
                let limit = if words { 0.25 + LOOSE } else { 0.3 };
                assert!(
                    g <= limit + 1e-6,
                    "gap {g} in {}",
                    texts(std::slice::from_ref(l))[0]
                );
            }
        }
    }

    #[test]
    fn grid_lines_keep_every_column() {
        // clreq#principles_of_arrangement_of_han_characters (2.1.3): solid
        // setting; a line that needs no adjustment sits on the grid.
        let text = "字".repeat(26 + 28 + 5);
        let ls = lines(&text);
        assert_eq!(ls.len(), 3);
        assert_eq!(ls[0].glyphs.len(), 26);
        assert_eq!(ls[0].glyphs[0].x, 2.0);
        assert_eq!(ls[1].glyphs.len(), 28);
        for (n, g) in ls[1].glyphs.iter().enumerate() {
            assert_eq!(g.x, n as f64);
        }
        assert!(ls[1].full && !ls[2].full && !ls[1].adjusted);
    }

    #[test]
    fn kinsoku_no_closing_mark_at_line_start() {
        // clreq#prohibition_rules_for_line_start_end (3.1.4, 禁则): ，。、；：？！
        // and closing brackets never start a line.
        let text = format!(
            "{}，{}，{}。",
            "字".repeat(26),
            "字".repeat(40),
            "字".repeat(30)
        );
        let ls = lines(&text);
        for t in texts(&ls).iter().skip(1) {
            assert!(!t.starts_with(|c| NO_START.contains(c)), "{t}");
        }
        assert_flush(&ls);
        assert_no_holes(&ls);
    }

    #[test]
    fn kinsoku_no_opening_mark_at_line_end() {
        // clreq#prohibition_rules_for_line_start_end (3.1.4): opening
        // brackets and quotes never end a line.
        let text = format!("{}“引号”{}", "字".repeat(25), "字".repeat(30));
        let ls = lines(&text);
        for t in texts(&ls) {
            assert!(!t.ends_with(|c| NO_END.contains(c)), "{t}");
        }
        assert_flush(&ls);
        assert_no_holes(&ls);
    }

    #[test]
    fn push_in_first_squeezes_adjacent_marks() {
        // 先挤后推 (clreq#prohibition_rules_for_line_start_end, 3.1.4) and
        // clreq#h-adjustment_of_adjacent_punctuation_marks (3.1.6.2): the mark
        // that may not start a line is pulled in; adjacent marks ”， give first.
        let text = format!("字字“字”，字字{}。{}", "字".repeat(18), "字".repeat(10));
        let ls = lines(&text);
        let t = texts(&ls);
        assert_eq!(t[0].chars().last(), Some('。'), "{t:?}");
        assert_flush(&ls);
        assert_no_holes(&ls);
        // The ”， pair gave half a cell, the end mark the other half: the
        // characters before the pair stay on their columns.
        let quote = ls[0].glyphs.iter().position(|g| g.text == "”").unwrap();
        for g in &ls[0].glyphs[..=quote] {
            assert!((g.x - g.x.round()).abs() < 1e-9, "{} at {}", g.text, g.x);
        }
    }

    #[test]
    fn marks_inside_a_line_are_squeezed_alike() {
        // clreq#procedures_for_inter-character_spacing_reduction (3.5.3):
        // marks adjusted together are treated equally, so no 、 is narrower
        // than its neighbour.
        let text = format!(
            "{}、{}、{}、{}{}。{}",
            "字".repeat(4),
            "字".repeat(4),
            "字".repeat(4),
            "字".repeat(4),
            "字".repeat(7),
            "字".repeat(8)
        );
        let ls = lines(&text);
        assert_eq!(texts(&ls)[0].chars().last(), Some('。'));
        let l = &ls[0];
        let widths: Vec<f64> = l
            .glyphs
            .windows(2)
            .filter(|w| w[0].text == "、")
            .map(|w| w[1].x - w[0].x)
            .collect();
        assert_eq!(widths.len(), 3);
        for w in &widths {
            assert!((w - widths[0]).abs() < 1e-9, "{widths:?}");
            assert!(*w >= 0.5 - 1e-9 && *w < 1.0);
        }
    }

    #[test]
    fn push_out_spreads_the_slack_evenly() {
        // 后推, clreq#procedures_for_inter-character_space_expansion (3.5.4),
        // issue 15.2: with nothing to squeeze, characters are pushed to the
        // next line and the slack is spread evenly over every gap, as
        // Word's grid does — not piled beside the marks ("会议强调，␣␣要").
        let text = format!("会议强调，要始终{}。{}", "字".repeat(18), "字".repeat(20));
        let ls = lines(&text);
        let l = &ls[0];
        assert!(l.spread > 0.0, "{:?}", texts(&ls));
        for g in gaps(l) {
            assert!((g - l.spread).abs() < 1e-9, "{:?}", gaps(l));
        }
        assert!(l.spread <= LOOSE);
        assert_flush(&ls);
        assert_no_holes(&ls);
        // Around an opening quote too.
        let text = format!(
            "{}、{}、{}“书”{}",
            "字".repeat(8),
            "字".repeat(8),
            "字".repeat(5),
            "字".repeat(20)
        );
        let ls = lines(&text);
        for t in texts(&ls) {
            assert!(!t.ends_with('“'), "{t}");
        }
        assert_flush(&ls);
        assert_no_holes(&ls);
    }

    #[test]
    fn latin_keeps_natural_width_and_numbers_keep_units() {
        // clreq#handling_western_text_in_chinese_text_using_proportional_western_fonts
        // (3.2.4) and jlreq#unbreakable_character_sequences: Western words
        // and numbers are not broken; a number stays with its unit (2024年)
        // and its 第 (第3次); the Han–Western space is ⅛ em
        // (clreq#mixed_text_composition_in_horizontal_writing_mode, 3.2.2).
        let text = format!(
            "{}部署2024年重点任务，第3次会议达到82.5%，{}",
            "字".repeat(14),
            "字".repeat(40)
        );
        let ls = lines(&text);
        let t = texts(&ls);
        assert!(t.iter().any(|l| l.contains("2024年")), "{t:?}");
        assert!(t.iter().any(|l| l.contains("第3次")), "{t:?}");
        assert!(t.iter().any(|l| l.contains("82.5%")), "{t:?}");
        let run = ls
            .iter()
            .flat_map(|l| &l.glyphs)
            .find(|g| g.text == "2024")
            .unwrap();
        assert!(run.latin);
        let next = ls
            .iter()
            .flat_map(|l| l.glyphs.windows(2))
            .find(|w| w[0].text == "2024")
            .unwrap();
        // Natural width (4 × ½), plus ⅛ em and the line's spread.
        let line = ls
            .iter()
            .find(|l| l.glyphs.iter().any(|g| g.text == "2024"))
            .unwrap();
        let gap = next[1].x - (next[0].x + 2.0);
        assert!((gap - LATIN_SPACE - line.spread).abs() < 1e-9, "{gap}");
        assert_flush(&ls);
        assert_no_holes(&ls);
    }

    #[test]
    fn a_line_starting_with_a_number_starts_at_the_margin() {
        // clreq#mixed_text_composition_in_horizontal_writing_mode (3.2.2):
        // no Han–Western space at a line start.
        let text = format!(
            "{}{}2024年以来，{}",
            "字".repeat(26),
            "字".repeat(0),
            "字".repeat(40)
        );
        let ls = lines(&text);
        let g = &ls[1].glyphs[0];
        assert_eq!(g.text, "2024");
        assert!(g.x.abs() < 1e-9, "{}", g.x);
    }

    #[test]
    fn urls_break_after_slashes_and_dots() {
        // No CLREQ rule (docs/composition-rules.md §6): jianbao breaks URLs
        // after / . _ - ? & = # so the line before one is not letter-spaced.
        // Long Western words and URLs break after / . _ - ? & = # without
        // a hyphen; the line before is not letter-spaced.
        let text = format!(
            "更多详情请访问{}网站：https://www.example.gov.cn/hbj/xxgk/tzgg/202403/t20240315_1234567.html。",
            "某某县生态环境局"
        );
        let ls = lines(&text);
        let t = texts(&ls);
        assert!(ls.len() >= 2, "{t:?}");
        assert!(t[0].contains("https://"), "{t:?}");
        assert_flush(&ls);
        assert_no_holes(&ls);
        let joined: String = t.concat();
        assert!(
            joined
                .contains("https://www.example.gov.cn/hbj/xxgk/tzgg/202403/t20240315_1234567.html")
        );
    }

    #[test]
    fn latin_words_break_at_spaces() {
        let text = format!(
            "{}World Wide Fund for Nature（WWF）{}",
            "字".repeat(20),
            "字".repeat(30)
        );
        let ls = lines(&text);
        let t = texts(&ls);
        for w in ["World", "Wide", "Fund", "Nature"] {
            assert!(
                ls.iter().flat_map(|l| &l.glyphs).any(|g| g.text == w),
                "{t:?}"
            );
        }
        assert_flush(&ls);
        assert_no_holes(&ls);
    }

    #[test]
    fn a_long_number_is_never_split() {
        let text = format!(
            "{}统一社会信用代码为12345678901234567890，{}",
            "字".repeat(17),
            "字".repeat(60)
        );
        let ls = lines(&text);
        assert!(
            ls.iter()
                .flat_map(|l| &l.glyphs)
                .any(|g| g.text == "12345678901234567890")
        );
        assert_flush(&ls);
        assert_no_holes(&ls);
    }

    #[test]
    fn dashes_and_ellipses_are_not_split() {
        // clreq#h-unbreakable_marks_punctuation (3.1.5.1): —— and …… take two
        // cells and stay together.
        for mark in ["——", "……"] {
            for pad in 24..28 {
                let text = format!("{}{mark}{}", "字".repeat(pad), "字".repeat(10));
                let t = texts(&lines(&text));
                assert!(t.iter().any(|l| l.contains(mark)), "{t:?}");
            }
        }
    }

    #[test]
    fn spaces_between_chinese_vanish_and_latin_spaces_stay() {
        let ls = lines("活动 。Hello world");
        let t = texts(&ls);
        assert_eq!(t[0], "活动。Helloworld");
        let hello = ls[0].glyphs.iter().find(|g| g.text == "Hello").unwrap();
        let world = ls[0].glyphs.iter().find(|g| g.text == "world").unwrap();
        assert!((world.x - (hello.x + 2.5 + 0.25)).abs() < 1e-9);
    }

    #[test]
    fn a_run_of_marks_longer_than_a_line_still_breaks() {
        // Adjacent commas are half a cell each: 200 of them are 100 cells.
        let text = "，".repeat(200);
        let ls = lines(&text);
        assert!(ls.len() >= 3);
        let total: usize = ls.iter().map(|l| l.glyphs.len()).sum();
        assert_eq!(total, 200);
    }

    #[test]
    fn every_character_is_kept() {
        let text = "近日，市生态环境局召开2024年第3次会议（PM2.5浓度下降15%），详见https://a.b/c?d=1&e=2。";
        let ls = lines(text);
        let joined: String = texts(&ls).concat();
        let expected: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(joined, expected);
    }

    #[test]
    fn plain_breaking_keeps_kinsoku() {
        let text = format!("{}、{}", "字".repeat(26), "字".repeat(5));
        let parts = break_plain(&text, 26.0, 26.0, &Mono, Face::Body);
        assert_eq!(parts[0].chars().count(), 25);
        assert!(parts[1].starts_with("字、"), "{parts:?}");
    }

    #[test]
    fn measure_words_and_two_character_units_stay_with_their_number() {
        // A proof-reader's marks: 接报后1 / 小时内, 23 / 起.
        for pad in 18..28 {
            for (text, head) in [
                ("接报后1小时内到达", "1小时"),
                ("共发生23起事故", "23起"),
                ("出动3艘渔船", "3艘"),
                ("组建5支队伍", "5支"),
                ("确诊6例病例", "6例"),
                ("倒塌2栋房屋", "2栋"),
                ("气温38度以上", "38度"),
            ] {
                let t = texts(&lines(&format!(
                    "{}{text}{}",
                    "字".repeat(pad),
                    "字".repeat(30)
                )));
                assert!(t.iter().any(|l| l.contains(head)), "{head} split: {t:?}");
            }
        }
    }

    #[test]
    fn compound_units_and_chinese_ordinals_stay_with_their_number() {
        // jlreq#unbreakable_character_sequences: 3,650万元 and 第一季度 are
        // not split, wherever the line ends.
        for pad in 18..28 {
            for text in ["3,650万元用于", "3万人次参加", "第一季度工作", "第12次会议"]
            {
                let t = texts(&lines(&format!(
                    "{}{text}{}",
                    "字".repeat(pad),
                    "字".repeat(30)
                )));
                let head: String = text
                    .chars()
                    .take_while(|c| !"用参工会".contains(*c))
                    .collect();
                assert!(t.iter().any(|l| l.contains(&head)), "{head} split: {t:?}");
            }
        }
    }

    #[test]
    fn no_latin_space_after_a_heading_number_or_beside_a_dash() {
        // clreq#mixed_text_composition_in_horizontal_writing_mode (3.2.2):
        // the Han–Western space is for letters and figures beside Han, not
        // "2." before a heading nor "1—2月".
        let ls = lines(&format!("2.举一反三。{}", "字".repeat(40)));
        let (two, ju) = (&ls[0].glyphs[0], &ls[0].glyphs[1]);
        assert_eq!(two.text, "2.");
        let spread = ls[0].spread;
        assert!(
            (ju.x - (two.x + 1.0 + spread)).abs() < 1e-6,
            "{} {}",
            two.x,
            ju.x
        );
        let ls = lines(&format!("{}1—2月份{}", "字".repeat(20), "字".repeat(20)));
        let dash = ls[0].glyphs.iter().position(|g| g.text == "—").unwrap();
        let one = &ls[0].glyphs[dash - 1];
        assert!((ls[0].glyphs[dash].x - (one.x + 0.5 + ls[0].spread)).abs() < 1e-6);
    }

    #[test]
    fn a_long_url_fills_the_line_before_it() {
        // The line before a URL is not letter-spaced: the URL starts where
        // the text ends and breaks after / . _ and the like.
        let text = format!(
            "原文链接：https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOpQrStUv_wxyz123456，下载地址：https://pan.example.com/share/yunxi_shengtai_2024_report.pdf。{}",
            "字".repeat(30)
        );
        let ls = lines(&text);
        assert_flush(&ls);
        assert_no_holes(&ls);
    }

    #[test]
    fn a_number_longer_than_a_line_breaks_rather_than_spreads() {
        let text = format!("数字{}年，结束。{}", "1".repeat(200), "字".repeat(10));
        let ls = lines(&text);
        assert!(ls[0].glyphs.len() > 2, "{:?}", texts(&ls));
        assert_flush(&ls);
        assert_no_holes(&ls);
    }

    #[test]
    fn an_ideographic_space_does_not_start_a_line_before_a_mark() {
        let t = texts(&lines(&format!(
            "{}\u{3000}。下一段文字继续。{}",
            "字".repeat(26),
            "字".repeat(5)
        )));
        for l in &t[1..] {
            assert!(!l.starts_with(['\u{3000}', '。']), "{t:?}");
        }
    }

    #[test]
    fn the_latin_space_is_one_value_and_the_spread_comes_on_top() {
        // clreq 3.2.2 and issue 15.2: ⅛ em between Chinese and Latin or
        // figures on every line, with only the line's even spread added.
        let text = format!(
            "{}造成3人死亡、2人受伤，直接经济损失约1200万元，PM2.5浓度下降15%，{}第3次会议于2024年召开。{}",
            "字".repeat(9),
            "字".repeat(21),
            "字".repeat(30)
        );
        let ls = lines(&text);
        let mut seen = 0;
        for l in &ls {
            for (g, w) in gaps(l).into_iter().zip(l.glyphs.windows(2)) {
                let han_latin = w[0].text.chars().all(is_ideograph)
                    && w[1].latin
                    && w[1].text.starts_with(|c: char| c.is_ascii_alphanumeric());
                let latin_han = w[0].latin
                    && w[0].text.ends_with(|c: char| c.is_ascii_alphanumeric())
                    && w[1].text.chars().all(is_ideograph);
                if han_latin || latin_han {
                    seen += 1;
                    assert!(
                        (g - l.spread - LATIN_SPACE).abs() < 1e-9,
                        "{g} on a line spread {}: {}",
                        l.spread,
                        texts(std::slice::from_ref(l))[0]
                    );
                }
            }
        }
        assert!(seen >= 8, "{seen}");
        assert_no_holes(&ls);
    }

    #[test]
    fn adjacent_marks_take_one_and_a_half_em_on_every_line() {
        // clreq#h-adjustment_of_adjacent_punctuation_marks (3.1.6.2): ：“
        // ”“ 》《 。” give up the blank half between them on every line.
        let text = format!(
            "他强调：“各单位要学习《通知》《办法》，做到“三个必须”“四个不放过”。”{}",
            "字".repeat(40)
        );
        let ls = lines(&text);
        let mut pairs = 0;
        for l in &ls {
            for w in l.glyphs.windows(2) {
                let (a, b) = (w[0].text.as_str(), w[1].text.as_str());
                let marks = |s: &str| CLOSING.contains(s) || OPENING.contains(s);
                if marks(a) && marks(b) && (CLOSING.contains(a) || OPENING.contains(b)) {
                    pairs += 1;
                    let pitch = w[1].x - w[0].x;
                    assert!((pitch - 0.5 - l.spread).abs() < 1e-9, "{a}{b}: {pitch}");
                }
            }
        }
        // Seven pairs, some of them split by a line end.
        assert!(pairs >= 5, "{pairs}");
    }

    #[test]
    fn addresses_break_at_their_joints_not_letter_spacing_the_line() {
        // Issue 15.2: an e-mail address or URL that does not fit breaks
        // after `//` or before `/ . _ - ? @`; never after `_`; the line
        // before it is not letter-spaced.
        for pad in 6..26 {
            for address in [
                "zhangming_office2024@yunxi-county.gov.cn",
                "https://www.yunxi.gov.cn/yjglj/tzgg/t20260630_884512.html",
                "http://www.xxzf.gov.cn/zwgk/zcwj/202607/P020260715385917263541.pdf",
            ] {
                let text = format!(
                    "{}电子邮箱：{address}，逾期不候。{}",
                    "字".repeat(pad),
                    "字".repeat(30)
                );
                let ls = lines(&text);
                let t = texts(&ls);
                assert!(t.concat().contains(address), "{t:?}");
                // Within the limit; or, where the only other way is a break
                // inside a digit run (P0202607 / 15385917263541, which reads
                // as two numbers: proof review F5), a little over it, at a
                // joint.
                let at_joint = |next: Option<&String>| {
                    next.is_some_and(|n| n.starts_with(['/', '.', '_', '-', '?', '@']))
                };
                for (k, l) in ls.iter().enumerate() {
                    assert!(
                        l.spread <= LOOSE + 1e-9 || l.spread < 0.2 && at_joint(t.get(k + 1)),
                        "{pad}: {t:?}"
                    );
                }
                // Never after `_`, never inside `//`. (Where a segment is too
                // long for any joint to spare a letter-spaced line, between
                // two letters.)
                for w in t.windows(2) {
                    assert!(!w[0].ends_with('_'), "{w:?}");
                    assert!(!(w[0].ends_with(":/") && w[1].starts_with('/')), "{w:?}");
                }
                assert_flush(&ls);
            }
        }
    }

    #[test]
    fn roman_numerals_and_thousands_groups_stay_with_their_number() {
        // User review F1, F2: "提升至Ⅲ / 级", "约8 / 600万元" at every column.
        for pad in 0..28 {
            let text = format!(
                "{}响应提升至Ⅲ级，损失约8 600万元，第Ⅱ阶段。{}",
                "字".repeat(pad),
                "字".repeat(40)
            );
            let t = texts(&lines(&text));
            for w in t.windows(2) {
                let end = w[0].chars().last().unwrap();
                let start = w[1].chars().next().unwrap();
                assert!(!"ⅢⅡ第".contains(end), "{pad}: {w:?}");
                assert!(
                    !(end.is_ascii_digit() && start.is_ascii_digit()),
                    "{pad}: {w:?}"
                );
            }
        }
    }

    #[test]
    fn an_address_breaks_at_a_joint_rather_than_inside_its_digits() {
        // Proof review F5: "…/tzgg/202605/t202 / 60506_1234567.html".
        for pad in 0..28 {
            let text = format!(
                "{}详见https://sthj.luohe.gov.cn/xxgk/tzgg/202605/t20260506_1234567.html的通知。{}",
                "字".repeat(pad),
                "字".repeat(40)
            );
            let ls = lines(&text);
            let t = texts(&ls);
            for w in t.windows(2) {
                let end = w[0].chars().last().unwrap();
                let start = w[1].chars().next().unwrap();
                assert!(
                    !(end.is_ascii_digit() && start.is_ascii_digit()),
                    "{pad}: {w:?}"
                );
            }
            // A joint may leave the line looser than LOOSE (the spread shared
            // with the address's letters), never a hole.
            for l in &ls {
                assert!(l.spread < 0.3, "{pad}: {t:?}");
            }
        }
    }

    #[test]
    fn a_sequence_number_keeps_its_marks_whole_on_every_line() {
        // Proof review F3: （一）（二）（三） line up whichever line is squeezed.
        for tail in [
            "持续深入打好蓝天保卫战。要以、，“”、，。",
            "强化监测预警。要统筹水资源、水环境、水生态",
            "做好转移避险。要加强、源头、防控，“严”字当头",
        ] {
            for n in ["（一）", "（二）"] {
                let text = format!("{n}{tail}{}", "字".repeat(30));
                let ls = lines(&text);
                let x = ls[0]
                    .glyphs
                    .iter()
                    .find(|g| !"（一二）".contains(g.text.as_str()))
                    .unwrap()
                    .x;
                // Five cells in, plus the line's even spread over the three
                // gaps before it; never less: no mark of it squeezed.
                let expected = 5.0 + 3.0 * ls[0].spread;
                assert!((x - expected).abs() < 1e-9, "{text}: {x}, not {expected}");
            }
        }
    }

    #[test]
    fn a_unit_with_a_solidus_and_connected_numbers_stay_whole() {
        // GB/T 15834—2011 5.1.9: no line starts with "/", "微克/立方米" is
        // never torn; nor are 2023—2025年 and 3～5天.
        for pad in 14..28 {
            for unit in ["46微克/立方米", "2023—2025年", "3～5天", "120元/吨"] {
                let text = format!("{}浓度为{unit}，{}", "字".repeat(pad), "字".repeat(30));
                let t = texts(&lines(&text));
                assert!(t.iter().any(|l| l.contains(unit)), "{unit} torn: {t:?}");
                assert!(t.iter().all(|l| !l.starts_with('/')), "{t:?}");
            }
        }
    }

    /// Mono, with the ink a GB face draws: … three dots centred at ⅕, ½
    /// and ⅘ em of … (FandolFang's proportions), — a rule nearly an em,
    /// · a dot in the middle.
    struct Inked;
    impl Measure for Inked {
        fn advance(&self, c: char, f: Face, latin: bool) -> f64 {
            Mono.advance(c, f, latin)
        }
        fn ink(&self, c: char, _: Face) -> Vec<(f64, f64)> {
            match c {
                '…' => vec![(0.17, 0.27), (0.45, 0.55), (0.73, 0.83)],
                '—' => vec![(0.02, 0.98)],
                '·' => vec![(0.45, 0.55)],
                _ => Vec::new(),
            }
        }
    }

    #[test]
    fn ellipsis_dash_and_interpunct_are_drawn_as_gb_sets_them() {
        // clreq 3.1.5.1, GB/T 15834—2011 5.1.7: …… six even dots and ——
        // one rule, each centred in two cells; · in half a cell.
        let glyphs = |text: &str| {
            break_lines(&[(text.to_string(), Face::Body)], PARA, &Inked)
                .into_iter()
                .next()
                .unwrap()
                .glyphs
        };
        let g = glyphs("字……字——字5·20字");
        let at = |t: &str, n: usize| g.iter().filter(|x| x.text == t).nth(n).unwrap().x;
        // The six dots: a pitch of 0.28 em throughout, centred on the
        // unit's middle (3 + 1 cells from the line start).
        let dots: Vec<f64> = [at("…", 0), at("…", 1)]
            .iter()
            .flat_map(|x| [0.22, 0.5, 0.78].map(|c| x + c))
            .collect();
        for w in dots.windows(2) {
            assert!((w[1] - w[0] - 0.28).abs() < 1e-9, "{dots:?}");
        }
        assert!(((dots[0] + dots[5]) / 2.0 - 4.0).abs() < 1e-9, "{dots:?}");
        // The rule: the second dash overlaps the first, the whole centred
        // on its two cells (6 to 8).
        let (d1, d2) = (at("—", 0), at("—", 1));
        assert!(d2 + 0.02 <= d1 + 0.98, "a seam: {d1} {d2}");
        assert!(((d1 + 0.02 + d2 + 0.98) / 2.0 - 7.0).abs() < 1e-9);
        // 5·20: the dot in half a cell, between the figures.
        let five = g.iter().find(|x| x.text == "5").unwrap();
        let twenty = g.iter().find(|x| x.text == "20").unwrap();
        assert!((twenty.x - (five.x + 0.5) - 0.5).abs() < 1e-9);
        assert!((at("·", 0) + 0.5 - (five.x + 0.75)).abs() < 1e-9);
    }

    #[test]
    fn no_last_line_holds_a_lone_character() {
        // clreq#adjustments_of_orphans_and_widows (3.4.4), issue 15.4: "障。"
        // alone is pulled back or joined by one more character; a heading
        // likewise.
        for extra in 0..4 {
            let text = format!("{}障。", "字".repeat(54 + extra));
            let ls = lines(&text);
            let last = texts(&ls).pop().unwrap();
            let characters = last.chars().filter(|c| *c != '。').count();
            assert!(characters >= 2 || ls.len() == 1, "{:?}", texts(&ls));
            assert_no_holes(&ls);
            for l in &ls {
                assert!(l.spread <= LOOSE);
            }
        }
        // A heading (黑体 head, 楷体 run-in rest alike).
        let ls = break_lines(
            &[(
                "三、扎实深入开展城乡结合部和农村地区人居环境卫生大整治".to_string(),
                Face::Heading,
            )],
            PARA,
            &Mono,
        );
        assert_eq!(
            texts(&ls).pop().unwrap().chars().count(),
            2,
            "{:?}",
            texts(&ls)
        );
    }

    #[test]
    fn a_hyphenated_number_breaks_only_to_spare_a_letter_spaced_line() {
        // 0591-83456789 pushed whole would leave the line before it spread
        // far past LOOSE; it breaks after its hyphen instead, and only
        // then.
        let text = format!(
            "{}联系电话：0591-83456789，{}",
            "字".repeat(17),
            "字".repeat(30)
        );
        let t = texts(&lines(&text));
        assert!(t[0].ends_with("0591-"), "{t:?}");
        let text = format!(
            "{}联系电话：0591-83456789，{}",
            "字".repeat(8),
            "字".repeat(30)
        );
        let t = texts(&lines(&text));
        assert!(t.iter().any(|l| l.contains("0591-83456789")), "{t:?}");
    }

    #[test]
    fn the_cost_model() {
        // Looseness: nothing to speak of at a few hundredths of a cell,
        // steep towards LOOSE, and past it worse than any break penalty
        // but a lone character.
        assert!(looseness(0.02) < 1.0);
        assert!(looseness(0.04) < looseness(0.08));
        assert!(looseness(LOOSE + 0.01) > HYPHEN_BREAK);
        assert!(looseness(LOOSE) < ORPHAN);
        let line = |width: f64, pairs: u32, inner: u32, end: bool, even: u32| Candidate {
            width,
            pairs,
            inner,
            end,
            even,
            piece: 0,
            chars: 26,
        };
        // 先挤: a mark pulled in by its own blank half costs less than a
        // character pushed out.
        let (squeeze, in_cost) = plan(&line(26.5, 0, 0, true, 26), 26.0, false).unwrap();
        assert_eq!(squeeze.end, HALF);
        let (stretch, out_cost) = plan(&line(25.0, 0, 0, true, 24), 26.0, false).unwrap();
        assert!((stretch.spread - 1.0 / 24.0).abs() < 1e-12);
        assert!(in_cost < out_cost, "{in_cost} {out_cost}");
        // The line end first, then marks inside alike, a pair down to one
        // em last.
        let (p, _) = plan(&line(27.0, 1, 2, true, 26), 26.0, false).unwrap();
        assert_eq!((p.end, p.inner, p.pair), (HALF, 0.25, 0.0));
        let (p, _) = plan(&line(27.6, 1, 2, true, 26), 26.0, false).unwrap();
        assert!(
            (p.inner - HALF).abs() < 1e-12 && (p.pair - 0.1).abs() < 1e-9,
            "{p:?}"
        );
        // Too wide to squeeze: not a line.
        assert!(plan(&line(27.6, 0, 2, true, 26), 26.0, false).is_none());
        // A last line is not stretched.
        let (p, cost) = plan(&line(10.0, 0, 0, false, 9), 26.0, true).unwrap();
        assert_eq!((p.spread, cost), (0.0, 0.0));
    }
}
