//! Lines broken by meaning: a title (its lead-in, subtitle and byline), the
//! masthead's series line, a 本期要目 entry and a caption that do not fit
//! on one line break between words and phrases, never inside a word, a
//! number range, a short quotation or a 《》 title while another break
//! exists (GB/T 9704—2012 §7.3.1: 词意完整; docs/composition-rules.md §13).
//!
//! Words come from jieba (its dictionary, and `terms.txt`: terms of
//! government writing the dictionary splits, such as 安全生产). It is
//! loaded the first time a line must break: a title that fits costs
//! nothing. Where a break is good comes from the parts of speech around
//! it (between the organisation and its action, after 、，, before 暨/和);
//! a centred text's lines are then chosen as a whole, in the trapezoid or
//! diamond shapes of §7.3.1 and as even as the breaks allow.

use std::sync::LazyLock;

use jieba_rs::Jieba;

use super::grid::{self, Face, Measure};

/// jieba's dictionary, gzipped (`dictionaries.md` says where it comes from).
const DICTIONARY: &[u8] = include_bytes!("jieba-dict.txt.gz");

static WORDS: LazyLock<Jieba> = LazyLock::new(|| {
    let mut reader = std::io::BufReader::new(flate2::read::GzDecoder::new(DICTIONARY));
    // The embedded dictionary always reads (a test says so); were it not
    // to, words would be only the terms below, and titles still break.
    let mut words = Jieba::with_dict(&mut reader).unwrap_or_else(|_| Jieba::empty());
    for line in include_str!("terms.txt").lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (word, tag) = line.split_once(' ').unwrap_or((line, "n"));
        // A term outweighs the words it overlaps (系统安全|生产 must read
        // 系统|安全生产), not only its own parts.
        let freq = words.suggest_freq(word).max(TERM_FREQ);
        words.add_word(word, Some(freq), Some(tag.trim()));
    }
    words
});

/// What a break between two nouns costs more when two or more nouns stand
/// before it: more than the noun–noun break itself, so a break
/// before a verb or at a 《》 edge wins when the shape allows it.
const INSIDE_COMPOUND: f64 = 6.0;

/// What a break after a space the author typed between phrases costs: a
/// bonus, as much as a lopsided pair of lines (10 / 17) costs.
const TYPED_SPACE: f64 = -4.0;

/// What a break before a verb between two nouns costs at least.
const VERB_IN_COMPOUND: f64 = 3.5;

/// The least frequency a term of `terms.txt` is given: that of a common
/// word of the dictionary (工作 is about 100,000; 系统安全 500).
const TERM_FREQ: usize = 20_000;

/// Traditional characters to their simplified forms (`t2s.txt`), for
/// segmenting a title typed in traditional characters.
static SIMPLIFIED: LazyLock<std::collections::HashMap<char, char>> = LazyLock::new(|| {
    include_str!("t2s.txt")
        .lines()
        .filter_map(|l| {
            let mut c = l.chars().filter(|c| !c.is_whitespace());
            Some((c.next()?, c.next()?))
        })
        // One UTF-8 length for both, so byte offsets carry over.
        .filter(|(t, s)| t.len_utf8() == s.len_utf8())
        .collect()
});

/// No line starts with these: closing marks, connectors, and particles
/// that lean on the word before them.
const NO_START: &str =
    "，。、；：！？”’）》」』】〕〗〉］｝…—–-～~·・/%％‰℃,.;:!?)]}的地得了着过之";
/// No line ends with these: opening marks.
const NO_END: &str = "“‘（《「『【〔〖〈［｛([{";
/// Connectors inside a range or a date (2026—2027年度, 5·20): nothing
/// breaks next to them.
const CONNECTORS: &str = "—–-～~·・/";
/// Single characters that end a word begun before them (工作|法, 数字|化):
/// a line never starts with one while another break exists.
const SUFFIXES: &str =
    "法化性型式制率者员人家们手户方界度类业品费器机局处科室站所院会团队组部厅办委区县乡镇村省市";

/// The interpunct (5·20, 应急使命·2026): half a cell, in titles as in the
/// body (GB/T 15834—2011 5.1.7); the layout sets it so.
pub fn is_interpunct(c: char) -> bool {
    c == '·'
}

/// Spaces a title is typed with between phrases.
fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{3000}'
}

/// What a word is, as far as breaking goes (from jieba's part of speech).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Noun,
    Verb,
    Adj,
    Adv,
    Prep,
    /// 和 与 或: joins two words or phrases.
    Conj,
    /// 暨 及 并: joins two events or clauses.
    Joint,
    /// 的 了 着 …
    Particle,
    /// 中 上 内 后 …: the end of a phrase (在…中, 活动中).
    Place,
    /// Numbers and measure words.
    Num,
    /// An opening quote or bracket.
    Open,
    /// A closing quote or bracket.
    Close,
    /// 、，；：。！？
    Pause,
    Space,
}

fn class(word: &str, tag: &str) -> Class {
    let mut chars = word.chars();
    let first = chars.next().unwrap_or(' ');
    if word.chars().all(is_space) {
        return Class::Space;
    }
    if chars.next().is_none() {
        if "、，；：。！？,;:!?".contains(first) {
            return Class::Pause;
        }
        if NO_END.contains(first) {
            return Class::Open;
        }
        if "”’）》」』】〕〗〉］｝)]}".contains(first) {
            return Class::Close;
        }
    }
    // Words that join two phrases, whatever jieba tags them (暨 is a
    // name to it).
    if ["暨", "及", "以及", "并"].contains(&word) {
        return Class::Joint;
    }
    if ["和", "与", "同", "或"].contains(&word) {
        return Class::Conj;
    }
    // Locatives that close a phrase (在…内), whatever jieba tags them (内
    // is a noun to it).
    if ["内", "之内", "之中", "以内"].contains(&word) {
        return Class::Place;
    }
    match tag {
        "f" => Class::Place,
        // Verbs and adjectives used as nouns (教育, 安全) build compounds.
        "vn" | "an" => Class::Noun,
        "d" | "ad" | "vd" => Class::Adv,
        "p" => Class::Prep,
        "c" => Class::Conj,
        "m" | "q" | "mq" => Class::Num,
        "b" => Class::Adj,
        t if t.starts_with('v') => Class::Verb,
        t if t.starts_with('a') => Class::Adj,
        t if t.starts_with('u') || t == "y" || t == "e" => Class::Particle,
        // Nouns, names, places, abbreviations, Latin words, words jieba
        // guessed (x).
        _ => Class::Noun,
    }
}

/// What a break between a word of class `a` and one of class `b` costs: 0
/// between phrases, more the closer the words belong together.
fn pair_cost(a: Class, b: Class) -> f64 {
    use Class::*;
    match (a, b) {
        (Space, _) => 0.0,
        (Pause, _) => 0.5,
        // Before 暨, 及, 并: two events or two clauses part here.
        (_, Joint) => 1.0,
        (_, Place) => 8.0,
        (Place, _) => 2.0,
        // Before 和, 与: between two things named together.
        (_, Conj) => 2.5,
        // The organisation, then its action (市应急管理局 | 召开).
        (Noun | Close, Verb | Prep | Adv) => 1.5,
        (Verb, Open) => 2.5,
        // A verb and its object (召开 | 警示教育大会).
        (Verb, Noun | Num | Adj) => 3.0,
        (Particle, _) => 3.0,
        (Verb, Verb) => 4.0,
        (Noun, Open) => 4.0,
        (Noun, Noun) => 5.0,
        // A quotation naming what follows (“三个一”|工作法).
        (Close, _) => 7.0,
        (Conj | Joint, _) => 6.0,
        (Num, _) => 6.0,
        // A modifier and what it modifies (较大 | 爆炸事故).
        (Adj, _) => 7.0,
        // An adverb or a preposition and what it leads (进一步 | 加强, 关于 | …).
        (Adv | Prep, _) => 8.0,
        _ => 5.0,
    }
}

/// A place a line may break: a byte offset in the text and what it costs.
#[derive(Debug, Clone, Copy)]
struct Cut {
    at: usize,
    cost: f64,
}

/// The places `text` may break, between its words, with their costs.
fn cuts(text: &str) -> Vec<Cut> {
    // Segmented in simplified characters; the offsets are the text's.
    let simple: String = text
        .chars()
        .map(|c| SIMPLIFIED.get(&c).copied().unwrap_or(c))
        .collect();
    let tags = WORDS.tag(&simple, true);
    let mut tokens: Vec<(&str, Class)> = Vec::with_capacity(tags.len());
    let mut from = 0;
    for t in &tags {
        let to = from + t.word.len();
        let Some(word) = text.get(from..to) else {
            break;
        };
        tokens.push((word, class(t.word, t.tag)));
        from = to;
    }
    if from != text.len() {
        // The words do not cover the text: no word breaks, the composer's
        // breaks instead.
        return Vec::new();
    }
    // A preposition and the locative that closes its phrase (在…内,
    // 在…中): breaking inside costs more.
    let mut framed = vec![false; tokens.len() + 1];
    for (i, (_, c)) in tokens.iter().enumerate() {
        if *c == Class::Prep
            && let Some(k) = tokens[i + 1..]
                .iter()
                .take(6)
                .position(|(_, c)| *c == Class::Place)
        {
            for f in &mut framed[i + 2..=i + 1 + k] {
                *f = true;
            }
        }
    }
    // Quotations and titles a position is inside: (open byte, close byte,
    // characters between).
    let mut pairs: Vec<(usize, usize, usize, char)> = Vec::new();
    let mut open: Vec<(usize, char, usize)> = Vec::new();
    for (n, (i, c)) in text.char_indices().enumerate() {
        if "“‘《〈（「『【〔([".contains(c) {
            open.push((i, c, n));
        } else if let Some(close_of) = match c {
            '”' => Some('“'),
            '’' => Some('‘'),
            '》' => Some('《'),
            '〉' => Some('〈'),
            '）' => Some('（'),
            '」' => Some('「'),
            '』' => Some('『'),
            '】' => Some('【'),
            '〕' => Some('〔'),
            ')' => Some('('),
            ']' => Some('['),
            _ => None,
        } && let Some(k) = open.iter().rposition(|(_, o, _)| *o == close_of)
        {
            let (at, o, start) = open[k];
            open.truncate(k);
            pairs.push((at, i, n - start - 1, o));
        }
    }
    // Nouns in a row (自然灾害|综合|风险|普查, 总体|应急|预案) are most
    // often one compound term of government writing: `nouns[k]` is how
    // many nouns end at token k (before it, counting it), `ahead[k]` how
    // many start there.
    // (A time word, 冬春季|森林草原, ends its phrase: not in a chain.)
    let in_chain: Vec<bool> = tokens
        .iter()
        .zip(&tags)
        .map(|((_, c), t)| *c == Class::Noun && t.tag != "t")
        .collect();
    let mut nouns = vec![0usize; tokens.len()];
    for k in 0..tokens.len() {
        if in_chain[k] {
            nouns[k] = 1 + if k > 0 { nouns[k - 1] } else { 0 };
        }
    }
    let mut ahead = vec![0usize; tokens.len() + 1];
    for k in (0..tokens.len()).rev() {
        if in_chain[k] {
            ahead[k] = 1 + ahead[k + 1];
        }
    }
    let mut out = Vec::new();
    let mut at = 0;
    for (n, w) in tokens.windows(2).enumerate() {
        let ((prev, a), (next, b)) = (w[0], w[1]);
        at += prev.len();
        let Some(mut cost) = cut_cost(text, at, prev, next, a, b) else {
            continue;
        };
        // A verb between two nouns is as often a noun of the compound
        // (山洪灾害|防御|综合应急演练, 地质灾害|防治|工作) as the action
        // after its organisation: the break before it is not the cheap
        // one between subject and predicate.
        if a == Class::Noun
            && b == Class::Verb
            && tokens.get(n + 2).is_some_and(|(_, c)| *c == Class::Noun)
        {
            cost = cost.max(VERB_IN_COMPOUND);
        }
        // Inside a chain of nouns, after its second: a break at the
        // chain's edge (before or after it, or after its first noun,
        // often a place: 全县|自然灾害…) keeps the term and its head noun
        // (总体应急|预案) together.
        if nouns[n] >= 2 && ahead[n + 1] >= 1 {
            cost += INSIDE_COMPOUND;
        }
        // `framed[k]`: the break before token k is inside a frame.
        if framed[n + 1] {
            cost += 4.0;
        }
        for &(o, c, len, mark) in &pairs {
            if o < at && at <= c {
                cost += match mark {
                    // A short quotation is a name: never broken while
                    // another break exists.
                    '“' | '‘' | '「' | '『' if len <= 10 => 60.0,
                    '《' | '〈' if len <= 20 => 40.0,
                    '“' | '‘' | '「' | '『' | '《' | '〈' => 10.0,
                    _ => 6.0,
                };
            }
        }
        out.push(Cut { at, cost });
    }
    out
}

/// What a break inside a word of a heading costs on the grid: more than
/// any line within the spread limit (its looseness costs at most 100), less
/// than a letter-spaced one.
const HEADING_IN_WORD: f64 = 400.0;

/// What breaking a body heading (一、… （一）…) costs before each of its
/// characters, by meaning: index `n` is the break after the first `n`
/// characters, spaces not counted (as the composer counts them). Between
/// words it costs ten times a title's cut; inside a word, a number range
/// or a short quotation [`HEADING_IN_WORD`]; and, for a heading `alone`
/// (no text run in after it), before its last one or two characters as
/// much again, so its last line is never one or two characters when
/// another break exists.
pub fn heading_costs(text: &str, alone: bool) -> Vec<f64> {
    let counted = |c: char| !(c.is_whitespace() && c != '\u{3000}');
    let n = text.chars().filter(|c| counted(*c)).count();
    let mut costs = vec![HEADING_IN_WORD; n + 1];
    costs[0] = 0.0;
    costs[n] = 0.0;
    for cut in cuts(text) {
        let k = text[..cut.at].chars().filter(|c| counted(*c)).count();
        costs[k] = (10.0 * cut.cost).min(HEADING_IN_WORD);
    }
    for c in costs.iter_mut().skip(n.saturating_sub(2)).take(2) {
        if alone && n >= 4 {
            *c += HEADING_IN_WORD;
        }
    }
    costs
}

/// What breaking between `prev` and `next` (at byte `at`) costs, or `None`
/// when the line may not break there.
fn cut_cost(text: &str, at: usize, prev: &str, next: &str, a: Class, b: Class) -> Option<f64> {
    if b == Class::Space {
        // Break after the space instead.
        return None;
    }
    let last = prev.chars().last()?;
    let first = next.chars().next()?;
    if a == Class::Space {
        // The author's own phrase boundary (深化“三个一”工作法　全面提升…):
        // taken before a more even pair of lines broken elsewhere.
        return Some(TYPED_SPACE);
    }
    if NO_END.contains(last) || NO_START.contains(first) {
        return None;
    }
    // Never inside a Latin word or a number, nor between a number and its
    // unit (2027|年度), nor next to the connector of a range.
    if (last.is_ascii_alphanumeric() && first.is_ascii_alphanumeric())
        || (last.is_ascii_digit() && grid::is_wide(first))
    {
        return None;
    }
    // A —— (破折号) may end a line; a single — joins a range (2026—2027).
    if CONNECTORS.contains(last) && !text[..at].ends_with("——") {
        return None;
    }
    let mut cost = pair_cost(a, b);
    let single = |w: &str, c: Class| {
        w.chars().count() == 1 && grid::is_wide(w.chars().next().unwrap_or(' ')) && {
            // Function words are single characters by nature (在, 内, 再).
            matches!(c, Class::Noun | Class::Verb | Class::Adj | Class::Num)
        }
    };
    // A one-character word is often the end of a longer word the
    // dictionary does not know (工作|法, 数字|化) or a word of its own that
    // leans on its neighbour (市|应急管理局).
    if single(next, b) {
        cost += if SUFFIXES.contains(first) { 30.0 } else { 6.0 };
    }
    if single(prev, a) {
        cost += 4.0;
    }
    Some(cost)
}

/// The width of `text[s..e]` without spaces at its ends, from the widths
/// of the text up to each byte (`prefix`).
struct Widths<'a> {
    text: &'a str,
    /// (byte, width of the text before it), for every char boundary.
    prefix: Vec<(usize, f64)>,
}

impl<'a> Widths<'a> {
    fn new(text: &'a str, m: &dyn Measure, face: Face, latin_em: f64) -> Self {
        let mut prefix = Vec::with_capacity(text.len() + 1);
        let mut w = 0.0;
        for (i, c) in text.char_indices() {
            prefix.push((i, w));
            w += if is_interpunct(c) {
                // Half a cell, as the layout sets it (GB/T 15834—2011 5.1.7).
                0.5
            } else if grid::is_wide(c) {
                1.0
            } else {
                m.advance(c, face, true) * latin_em
            };
        }
        prefix.push((text.len(), w));
        Widths { text, prefix }
    }
    fn at(&self, byte: usize) -> f64 {
        self.prefix
            .binary_search_by_key(&byte, |(b, _)| *b)
            .map_or(0.0, |k| self.prefix[k].1)
    }
    fn total(&self) -> f64 {
        self.at(self.text.len())
    }
    /// The line `s..e` as set: spaces at its ends dropped.
    fn line(&self, s: usize, e: usize) -> &'a str {
        self.text[s..e].trim_matches(is_space)
    }
    fn width(&self, s: usize, e: usize) -> f64 {
        let line = self.line(s, e);
        let start = s + self.text[s..e].len() - self.text[s..e].trim_start_matches(is_space).len();
        self.at(start + line.len()) - self.at(start)
    }
    fn chars(&self, s: usize, e: usize) -> usize {
        self.line(s, e)
            .chars()
            .filter(|c| grid::is_wide(*c))
            .count()
    }
}

/// What a line costs by itself: each line costs (fewer lines read
/// better), and a line of one or two characters is a line a reader trips on.
fn line_cost(widths: &Widths, s: usize, e: usize) -> f64 {
    let n = widths.chars(s, e);
    let w = widths.width(s, e);
    let mut cost = 4.0;
    if n <= 1 && w < 1.5 {
        cost += 40.0;
    } else if w < 3.0 - 1e-6 {
        cost += 8.0;
    }
    cost
}

/// The shape of a centred text's lines so far, top down (GB/T 9704
/// §7.3.1: 梯形 or 菱形).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Every line as long as the first.
    Even,
    /// Each line at least as long as the one above: 正梯形.
    Widening,
    /// Longer, then shorter: 菱形.
    Diamond,
    /// Each line no longer than the one above: 倒梯形.
    Narrowing,
}

/// What two lines cost at the most uneven (one empty), growing with the
/// square of their difference: a line half as long as its neighbour (8 /
/// 16, a lopsided title a proof-reader marks) costs 6, more than choosing
/// a break one class worse (after a quotation rather than before it).
const UNEVEN: f64 = 24.0;

/// Lines within half an em of each other are as long.
const SAME: f64 = 0.6;

/// Where a line of width `below` under one of width `above` leaves the
/// shape, and what it costs: the pair's unevenness, 倒梯形 a little more
/// than 梯形, an hourglass or a zigzag (neither 梯形 nor 菱形) only when
/// nothing else fits.
fn shape_step(above: f64, below: f64, phase: Phase) -> (Phase, f64) {
    // (Lines of a few characters, under a narrow picture, differ by a
    // character without looking lopsided.)
    let ratio = (above - below).abs() / above.max(below).max(4.0);
    let even = UNEVEN * ratio * ratio;
    if below > above + SAME {
        match phase {
            Phase::Even | Phase::Widening => (Phase::Widening, even),
            Phase::Diamond | Phase::Narrowing => (phase, even + 60.0),
        }
    } else if below < above - SAME {
        match phase {
            Phase::Even => (Phase::Narrowing, even + 2.0),
            Phase::Widening => (Phase::Diamond, even),
            Phase::Diamond | Phase::Narrowing => (phase, even),
        }
    } else {
        (phase, even)
    }
}

/// A centred text's line ending at some end, in the search for the best
/// lines.
#[derive(Debug, Clone, Copy)]
struct State {
    /// The end the line starts after (`None`: the text's start).
    from: Option<usize>,
    /// The shape of the lines up to this one.
    phase: Phase,
    /// The least cost of the lines up to this one.
    cost: f64,
    /// The line before: where it starts and its shape.
    back: Option<(Option<usize>, Phase)>,
}

/// Where a line of `text` may end: its cuts, then the end of the text.
fn line_ends(text: &str) -> Vec<Cut> {
    let mut ends = cuts(text);
    ends.push(Cut {
        at: text.len(),
        cost: 0.0,
    });
    ends
}

/// Breaks a centred text (a title line, a lead-in, a caption) into lines
/// of at most `cap` em, by meaning and in a 梯形 or 菱形 shape. A text that
/// fits is one line, and the dictionary is not loaded for it.
pub fn break_title(text: &str, cap: f64, m: &dyn Measure, face: Face) -> Vec<String> {
    let text = text.trim_matches(is_space);
    let widths = Widths::new(text, m, face, 1.0);
    if widths.total() <= cap + 1e-6 {
        return vec![text.to_string()];
    }
    let ends = line_ends(text);
    let last = ends.len() - 1;
    let start_of = |i: Option<usize>| i.map_or(0, |i| ends[i].at);
    // states[j]: the ways a line can end at end `j`, each the best of its
    // kind (where the line starts, the shape so far).
    let mut states: Vec<Vec<State>> = vec![Vec::new(); ends.len()];
    for j in 0..ends.len() {
        let w = widths.width(0, ends[j].at);
        if w > cap + 1e-6 {
            break;
        }
        states[j].push(State {
            from: None,
            phase: Phase::Even,
            cost: line_cost(&widths, 0, ends[j].at) + ends[j].cost,
            back: None,
        });
    }
    for j in 0..last {
        let here = std::mem::take(&mut states[j]);
        for state in &here {
            let above = widths.width(start_of(state.from), ends[j].at);
            for k in j + 1..ends.len() {
                let (s, e) = (ends[j].at, ends[k].at);
                let below = widths.width(s, e);
                if below > cap + 1e-6 {
                    break;
                }
                let (phase, step) = shape_step(above, below, state.phase);
                let next = State {
                    from: Some(j),
                    phase,
                    cost: state.cost + step + line_cost(&widths, s, e) + ends[k].cost,
                    back: Some((state.from, state.phase)),
                };
                match states[k]
                    .iter_mut()
                    .find(|t| t.from == Some(j) && t.phase == phase)
                {
                    Some(kept) if kept.cost <= next.cost => {}
                    Some(kept) => *kept = next,
                    None => states[k].push(next),
                }
            }
        }
        states[j] = here;
    }
    let Some(best) = states[last]
        .iter()
        .min_by(|a, b| a.cost.total_cmp(&b.cost))
        .copied()
    else {
        // A word wider than the line: break where the composer may.
        return grid::break_plain(text, cap, cap, m, face);
    };
    let mut lines = Vec::new();
    let (mut end, mut state) = (last, best);
    loop {
        lines.push(widths.line(start_of(state.from), ends[end].at).to_string());
        let (Some(before), Some((from, phase))) = (state.from, state.back) else {
            break;
        };
        let Some(prev) = states[before]
            .iter()
            .find(|t| t.from == from && t.phase == phase)
            .copied()
        else {
            break;
        };
        (end, state) = (before, prev);
    }
    lines.reverse();
    lines
}

/// Breaks a left-aligned text (a 本期要目 entry) into lines of at most
/// `first` em, then `rest` em, by meaning: each line as full as a good
/// break allows, never one character alone on the last.
pub fn break_flush(
    text: &str,
    first: f64,
    rest: f64,
    m: &dyn Measure,
    face: Face,
    latin_em: f64,
) -> Vec<String> {
    let text = text.trim_matches(is_space);
    let widths = Widths::new(text, m, face, latin_em);
    if widths.total() <= first + 1e-6 {
        return vec![text.to_string()];
    }
    let ends = line_ends(text);
    let last = ends.len() - 1;
    // best[j]: least cost of lines up to end j (the first line included).
    let mut best: Vec<(f64, Option<usize>)> = vec![(f64::INFINITY, None); ends.len()];
    let fill = |s: usize, e: usize, cap: f64, is_last: bool| {
        let w = widths.width(s, e);
        let short = if is_last { 0.0 } else { 0.5 * (cap - w) };
        line_cost(&widths, s, e) + short
    };
    for j in 0..ends.len() {
        if widths.width(0, ends[j].at) > first + 1e-6 {
            break;
        }
        best[j] = (fill(0, ends[j].at, first, j == last) + ends[j].cost, None);
    }
    for j in 0..last {
        if !best[j].0.is_finite() {
            continue;
        }
        for k in j + 1..ends.len() {
            let (s, e) = (ends[j].at, ends[k].at);
            if widths.width(s, e) > rest + 1e-6 {
                break;
            }
            let total = best[j].0 + fill(s, e, rest, k == last) + ends[k].cost;
            if total < best[k].0 {
                best[k] = (total, Some(j));
            }
        }
    }
    if !best[last].0.is_finite() {
        return grid::break_plain(text, first, rest, m, face);
    }
    let mut lines = Vec::new();
    let mut j = Some(last);
    while let Some(k) = j {
        let from = best[k].1;
        let s = from.map_or(0, |f| ends[f].at);
        lines.push(widths.line(s, ends[k].at).to_string());
        j = from;
    }
    lines.reverse();
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Mono;
    impl Measure for Mono {
        fn advance(&self, c: char, _: Face, latin: bool) -> f64 {
            if !latin || grid::is_wide(c) { 1.0 } else { 0.5 }
        }
    }

    fn title(text: &str) -> Vec<String> {
        break_title(text, 20.0, &Mono, Face::Body)
    }

    /// Every line break falls where one of `allowed` ends a line.
    fn breaks(lines: &[String]) -> Vec<String> {
        lines[..lines.len() - 1]
            .iter()
            .zip(&lines[1..])
            .map(|(a, b)| {
                let a: Vec<char> = a.chars().collect();
                let b: Vec<char> = b.chars().collect();
                format!(
                    "{}/{}",
                    a[a.len().saturating_sub(2)..].iter().collect::<String>(),
                    b[..b.len().min(2)].iter().collect::<String>()
                )
            })
            .collect()
    }

    #[test]
    fn named_failures_do_not_come_back() {
        for (text, never) in [
            (
                "全市中小学校长教育数字化转型专题培训班开班",
                ["中小/学校", "数字/化转"],
            ),
            (
                "我市推广“三个一”工作法破解基层治理“最后一公里”难题",
                ["工作/法破", "三个/一”"],
            ),
            (
                "2026—2027年度安全生产工作要点及重点任务分工方案",
                ["26/—2", "安全/生产"],
            ),
            (
                "市应急管理局召开“5·20”较大爆炸事故警示教育大会",
                ["较大/爆炸", "5·/20"],
            ),
            // The proof-read of the merged build.
            (
                "关于开展2026年度全县自然灾害综合风险普查成果应用试点工作的情况报告",
                ["综合/风险", "风险/普查"],
            ),
            (
                "县防指召开2026年第3次防汛会商会议部署“7·20”强降雨防范应对工作",
                ["防汛/会商", "会商/会议"],
            ),
            (
                "我县举办“5·12”防灾减灾日主题宣传活动暨2026年度地震应急疏散演练",
                ["主题/宣传", "宣传/活动"],
            ),
        ] {
            let lines = title(text);
            assert_eq!(lines.concat(), text);
            assert!(lines.len() > 1, "{lines:?}");
            for b in breaks(&lines) {
                assert!(!never.contains(&b.as_str()), "{text}: {lines:?}");
            }
            for l in &lines {
                // Digits are about half an em.
                let ems: f64 = l
                    .chars()
                    .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
                    .sum();
                assert!(ems <= 20.5, "{lines:?}");
            }
        }
    }

    #[test]
    fn a_number_and_its_unit_end_a_word() {
        let t = title("区教育局开展2024年春季学期开学工作专项督导检查");
        assert!(t.iter().all(|l| !l.ends_with("2024")), "{t:?}");
    }

    #[test]
    fn the_dictionary_reads_whole() {
        assert!(WORDS.has_word("中小学") && WORDS.has_word("安全生产"));
    }

    #[test]
    fn short_titles_stay_whole() {
        assert_eq!(title("亮出重槌敲响鼓"), ["亮出重槌敲响鼓"]);
    }

    #[test]
    fn shapes_are_trapezoids_or_diamonds() {
        for text in [
            "关于进一步加强“能力作风建设年”活动中基层党组织建设工作的通知",
            "市委办公室市政府办公室关于印发《全市安全生产大排查大整治行动实施方案》的通知",
            "全市中小学校长教育数字化转型专题培训班开班",
        ] {
            let t = title(text);
            let w: Vec<usize> = t.iter().map(|l| l.chars().count()).collect();
            // Up, then down at most once: no hourglass, no zigzag.
            let peak = w.iter().position(|x| x == w.iter().max().unwrap()).unwrap();
            assert!(w[..=peak].windows(2).all(|p| p[0] <= p[1]), "{t:?}");
            assert!(w[peak..].windows(2).all(|p| p[0] >= p[1]), "{t:?}");
            for l in &t {
                assert!(!l.starts_with(|c| NO_START.contains(c)), "{t:?}");
                assert!(!l.ends_with(|c| NO_END.contains(c)), "{t:?}");
            }
            assert_eq!(t.concat(), text);
        }
    }

    #[test]
    fn any_text_breaks_whole_without_a_panic() {
        // Texts of marks, digits, Latin, spaces, traditional and rare
        // characters, emoji, from a fixed seed.
        let pool: Vec<char> =
            "安全生产工作法“”《》（）、，：—·～-/ 　0123456789ABCxyz創組對堃䶮😀\u{301}的了"
                .chars()
                .collect();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..400 {
            let mut text = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            for k in 0..(seed % 60) {
                let r = seed.rotate_left(k as u32 * 7) ^ (k * 2_654_435_761);
                text.push(pool[(r % pool.len() as u64) as usize]);
            }
            for cap in [3.0, 9.5, 20.0] {
                let squash = |t: &str| t.chars().filter(|c| !is_space(*c)).collect::<String>();
                let lines = break_title(&text, cap, &Mono, Face::Body);
                assert_eq!(squash(&lines.concat()), squash(&text), "{text:?}");
                let lines = break_flush(&text, cap, cap - 1.0, &Mono, Face::Body, 1.0);
                assert_eq!(squash(&lines.concat()), squash(&text), "{text:?}");
            }
        }
    }

    #[test]
    fn the_party_stays_with_its_congress() {
        let t = title("全区教育系统学习贯彻党的二十届四中全会精神宣讲报告会举行");
        assert!(t.iter().all(|l| !l.ends_with("党的")), "{t:?}");
    }

    #[test]
    fn a_narrow_caption_keeps_its_words() {
        // Under a picture 4½ em wide: 阅读推广 / 人徽章 cuts 推广人.
        let lines = break_title("阅读推广人徽章", 4.5, &Mono, Face::Body);
        assert_eq!(lines, ["阅读", "推广人", "徽章"]);
    }

    #[test]
    fn entries_wrap_between_words() {
        let lines = break_flush(
            "关于新能源汽车充电难题的调研报告及解决对策建议的通知",
            22.0,
            20.0,
            &Mono,
            Face::Body,
            1.0,
        );
        assert_eq!(lines.len(), 2, "{lines:?}");
        for b in breaks(&lines) {
            assert!(!["充/电难", "通/知"].contains(&b.as_str()), "{lines:?}");
        }
        assert!(lines.last().unwrap().chars().count() > 2, "{lines:?}");
    }
}
