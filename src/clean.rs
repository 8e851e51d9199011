//! Cleaning body text pasted from Word, web pages and WeChat: half-width
//! punctuation and straight quotes in Chinese text, stray spaces between
//! Chinese characters, full-width digits and Latin letters (W3C CLREQ,
//! GB/T 15834 practice).
//!
//! [`fixes`] reports every change on a byte range of one paragraph's text so
//! a diagnostic can point at it; [`apply`] carries them out. `**` emphasis
//! markers are transparent: rules look through them and never change them.
//!
//! Every decision is taken on the text as it reads *after* cleaning — a
//! converted comma counts as Chinese for its neighbours, a full-width digit
//! counts as a digit — and conversions are found as the least fixed point of
//! "convert what touches Chinese". That is what makes cleaning idempotent:
//! a second run sees exactly the state the first one settled on.

use std::ops::Range;

use crate::script::is_invisible;

/// One change the cleaner makes, on a byte range of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// Bytes of the input replaced.
    pub range: Range<usize>,
    /// `""` for a dropped space.
    pub replacement: String,
    pub kind: FixKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FixKind {
    /// half-width , : ; ? ! ( ) next to Chinese text → full-width
    HalfWidthPunctuation,
    /// straight " ' around Chinese text → “ ” / ‘ ’
    StraightQuote,
    /// a space between two Chinese characters or marks → dropped
    Space,
    /// full-width digits and Latin letters (and the marks inside such a run) → half-width
    FullWidthAlphanumeric,
    /// invisible characters pasted from web pages (zero-width spaces and
    /// joiners, soft hyphens, a stray byte-order mark) → dropped
    Invisible,
    /// a hyphen used as a minus sign before a figure, in Chinese text → −
    Minus,
    /// a hyphen or tilde between the two numbers of a range of values → ～
    Range,
    /// odd quote glyphs from web pages (‚ ‛ „ ‟) around Chinese text → “ ” / ‘ ’
    OddQuote,
    /// a space between a figure and ℃ % ‰ → dropped (17 ℃ → 17℃)
    UnitSpace,
    /// a space before a labelled field (… 编辑：王小丽 审核：…) → an
    /// ideographic space, which keeps the fields apart
    FieldSeparator,
    /// an HTML entity copied from a web page (&nbsp; &gt; &#8451;) → what it stands for
    HtmlEntity,
    /// a level-one heading number typed `一.` `一．` `一 、` → `一、`
    HeadingMark,
}

impl FixKind {
    /// The diagnostic code of the warning about this kind of fix.
    pub fn code(self) -> &'static str {
        match self {
            FixKind::HalfWidthPunctuation => "half-width-punctuation",
            FixKind::StraightQuote => "straight-quote",
            FixKind::Space => "stray-space",
            FixKind::FullWidthAlphanumeric => "full-width-alphanumeric",
            FixKind::Invisible => "invisible-character",
            FixKind::Minus => "minus-sign",
            FixKind::Range => "range-mark",
            FixKind::OddQuote => "odd-quote",
            FixKind::UnitSpace => "unit-space",
            FixKind::FieldSeparator => "field-separator",
            FixKind::HtmlEntity => "html-entity",
            FixKind::HeadingMark => "heading-mark",
        }
    }

    /// What it is called in `check --fix`'s summary.
    pub fn name(self) -> &'static str {
        match self {
            FixKind::HalfWidthPunctuation => "半角标点",
            FixKind::StraightQuote => "直引号",
            FixKind::Space => "多余空格",
            FixKind::FullWidthAlphanumeric => "全角数字字母",
            FixKind::Invisible => "不可见字符",
            FixKind::Minus => "负号",
            FixKind::Range => "范围浪纹线",
            FixKind::OddQuote => "异体引号",
            FixKind::UnitSpace => "数字和单位间的空格",
            FixKind::FieldSeparator => "栏目间的空格",
            FixKind::HtmlEntity => "网页代码",
            FixKind::HeadingMark => "标题编号",
        }
    }

    pub const ALL: [FixKind; 12] = [
        FixKind::HalfWidthPunctuation,
        FixKind::StraightQuote,
        FixKind::Space,
        FixKind::FullWidthAlphanumeric,
        FixKind::Invisible,
        FixKind::Minus,
        FixKind::Range,
        FixKind::OddQuote,
        FixKind::UnitSpace,
        FixKind::FieldSeparator,
        FixKind::HtmlEntity,
        FixKind::HeadingMark,
    ];
}

/// The fixes for one paragraph's text, in order, non-overlapping.
///
/// A line of cells between tabs that made no table gets none: cleaning
/// would run its cells together, and `check` warns about it instead (a
/// table's cells are cleaned one by one, see [`body_spans`]). HTML entities
/// are decoded first and the rest is decided on the text as it reads
/// then, so one run reaches the fixed point.
///
/// One rule can still make work for another: `3-5 ℃` is a range only once
/// the unit's space is gone (`3～5℃`), `１０ ％` a unit only once the figures
/// are half-width. So the rules run again on the cleaned text, a few rounds
/// at most, until they find nothing more; the fixes of every round are
/// given as fixes of `text` (where a later fix touches an earlier one, the
/// two become one fix). `check` warns about all of them, `--fix` writes the
/// fixed point at once, and the build prints what `--fix` would write.
pub fn fixes(text: &str) -> Vec<Fix> {
    /// More rounds than any known chain of rules needs (two).
    const ROUNDS: usize = 4;
    let mut out = one_round(text);
    for _ in 0..ROUNDS {
        if out.is_empty() {
            break;
        }
        let once = apply(text, &out);
        let more = one_round(&once);
        if more.is_empty() {
            break;
        }
        out = compose(text, out, &once, &more);
    }
    out
}

/// The fixes of `text` that do what `first` (fixes of `text`, giving
/// `once`) and then `second` (fixes of `once`) do; both in order and
/// apart. A fix of `second` that overlaps fixes of `first` (in `once`)
/// makes one fix with them, of the first kind among them that is not
/// [`FixKind::Space`].
fn compose(text: &str, first: Vec<Fix>, once: &str, second: &[Fix]) -> Vec<Fix> {
    debug_assert_eq!(apply(text, &first), once);
    let delta = |f: &Fix| f.replacement.len() as isize - f.range.len() as isize;
    // Where each fix of `first` stands in `once`.
    let mut placed = Vec::with_capacity(first.len());
    let mut shift = 0isize;
    for f in &first {
        let start = f.range.start.wrapping_add_signed(shift);
        placed.push(start..start + f.replacement.len());
        shift += delta(f);
    }
    let overlaps = |a: &Range<usize>, b: &Range<usize>| a.start < b.end && b.start < a.end;
    let mut out = Vec::with_capacity(first.len() + second.len());
    // `shift`: what the fixes of `first` passed so far add in `once`.
    let (mut i, mut j, mut shift) = (0, 0, 0isize);
    loop {
        match (placed.get(i), second.get(j)) {
            (None, None) => break,
            (Some(p), s)
                if s.is_none_or(|s| {
                    !overlaps(p, &s.range)
                        && (p.start < s.range.start || p.start == s.range.start && p.is_empty())
                }) =>
            {
                out.push(first[i].clone());
                shift += delta(&first[i]);
                i += 1;
            }
            (p, Some(s)) if p.is_none_or(|p| !overlaps(p, &s.range)) => {
                let range = s.range.start.wrapping_add_signed(-shift)
                    ..s.range.end.wrapping_add_signed(-shift);
                out.push(Fix { range, ..s.clone() });
                j += 1;
            }
            (Some(p), Some(s)) => {
                // The fixes of both rounds that overlap, in `once`.
                let mut span = p.start.min(s.range.start)..p.end.max(s.range.end);
                let (first_i, first_j) = (i, j);
                loop {
                    if let Some(p) = placed.get(i).filter(|p| overlaps(p, &span)) {
                        span = span.start.min(p.start)..span.end.max(p.end);
                        i += 1;
                    } else if let Some(s) = second.get(j).filter(|s| overlaps(&s.range, &span)) {
                        span = span.start.min(s.range.start)..span.end.max(s.range.end);
                        j += 1;
                    } else {
                        break;
                    }
                }
                let members: isize = first[first_i..i].iter().map(delta).sum();
                let range = span.start.wrapping_add_signed(-shift)
                    ..span.end.wrapping_add_signed(-shift - members);
                let mut replacement = String::new();
                let mut at = span.start;
                for s in &second[first_j..j] {
                    replacement.push_str(&once[at..s.range.start]);
                    replacement.push_str(&s.replacement);
                    at = s.range.end;
                }
                replacement.push_str(&once[at..span.end]);
                // Not a space's kind unless all are: a centred line makes
                // a space fix's replacement `　`, whatever it was.
                let kind = (first[first_i..i].iter().chain(&second[first_j..j]))
                    .map(|f| f.kind)
                    .find(|&k| k != FixKind::Space)
                    .unwrap_or(FixKind::Space);
                out.push(Fix {
                    range,
                    replacement,
                    kind,
                });
                shift += members;
            }
            _ => unreachable!("a lone fix of either round is pushed above"),
        }
    }
    out
}

/// One round of the rules: the fixes as found on `text` itself.
fn one_round(text: &str) -> Vec<Fix> {
    if is_table_row(text) || looks_like_picture(text) {
        return Vec::new();
    }
    let mut out = decoded_fixes(text);
    // `一.` `一 、` at the start: the heading's mark, not a full stop. After
    // blanks, invisible characters and `&nbsp;` too: a title's text is read
    // without them on the next run, so `# &nbsp;一 .;` must come out as
    // that run leaves it.
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches(|c| {
            matches!(c, ' ' | '\u{A0}' | '\u{3000}') || crate::script::is_invisible(c)
        });
        match ["&nbsp;", "&#160;", "&#xA0;", "&#xa0;"]
            .iter()
            .find_map(|e| rest.strip_prefix(e))
        {
            Some(r) => rest = r,
            None => break,
        }
    }
    let blanks = text.len() - rest.len();
    if let Some((_, mark)) = crate::issue::loose_level_one(&text[blanks..]) {
        let mark = mark.start + blanks..mark.end + blanks;
        out.retain(|f| f.range.end <= mark.start || f.range.start >= mark.end);
        out.push(Fix {
            range: mark,
            replacement: "、".to_string(),
            kind: FixKind::HeadingMark,
        });
        out.sort_by_key(|f| f.range.start);
    }
    out
}

/// The fixes of a text whose HTML entities are decoded first.
fn decoded_fixes(text: &str) -> Vec<Fix> {
    let entities = html_entities(text);
    if entities.is_empty() {
        return Cleaner::new(text).fixes();
    }
    // The decoded text, and for each of its byte offsets the offset in
    // `text` (at char boundaries; an entity maps to its whole range).
    let mut decoded = String::with_capacity(text.len());
    let mut to_text = Vec::with_capacity(text.len() + 1);
    let mut at = 0;
    for (range, c) in &entities {
        for b in at..range.start {
            to_text.push(b);
        }
        decoded.push_str(&text[at..range.start]);
        to_text.extend(std::iter::repeat_n(range.start, c.len_utf8()));
        decoded.push(*c);
        at = range.end;
    }
    to_text.extend(at..text.len());
    decoded.push_str(&text[at..]);
    to_text.push(text.len());
    let map = |r: &Range<usize>| to_text[r.start]..to_text[r.end];
    // Entities are sorted and apart: the first one starting at or after
    // `r.start` is the only candidate to check first (binary search, so
    // that a line of thousands of entities stays n log n).
    let holds_entity = |r: &Range<usize>| {
        let first = entities.partition_point(|(e, _)| e.start < r.start);
        entities[first..]
            .iter()
            .take_while(|(e, _)| e.start < r.end)
            .any(|(e, _)| e.end <= r.end)
    };
    let mut out: Vec<Fix> = Cleaner::new(&decoded)
        .fixes()
        .into_iter()
        .map(|f| {
            let range = map(&f.range);
            let kind = if holds_entity(&range) {
                FixKind::HtmlEntity
            } else {
                f.kind
            };
            Fix { range, kind, ..f }
        })
        .collect();
    // Whether a fix covers an entity: among the fixes that start at or
    // before it (a binary search in the sorted starts), the furthest end.
    out.sort_by_key(|f| f.range.start);
    let starts: Vec<usize> = out.iter().map(|f| f.range.start).collect();
    let furthest: Vec<usize> = out
        .iter()
        .scan(0, |max, f| {
            *max = (*max).max(f.range.end);
            Some(*max)
        })
        .collect();
    let is_covered = |range: &Range<usize>| {
        let after = starts.partition_point(|&s| s <= range.start);
        after > 0 && range.end <= furthest[after - 1]
    };
    for (range, c) in entities {
        if !is_covered(&range) {
            out.push(Fix {
                range,
                replacement: c.to_string(),
                kind: FixKind::HtmlEntity,
            });
        }
    }
    out.sort_by_key(|f| f.range.start);
    out
}

/// A paragraph that starts like a picture line (`![`, `！[`, `！［`) but
/// did not parse as one: `check` says so, and cleaning it would make its
/// `(` `)` full-width, further from a picture.
pub fn looks_like_picture(text: &str) -> bool {
    text.strip_prefix(['!', '！'])
        .is_some_and(|r| r.starts_with(['[', '［']))
}

/// A row of a table pasted from Word or a spreadsheet: three or more
/// cells between tabs, not counting a heading number followed by a tab
/// (`一、<tab>主要做法`, as Word's numbering pastes). A single tab in a
/// sentence is a stray space.
pub fn is_table_row(text: &str) -> bool {
    let cells: Vec<&str> = text
        .split('\t')
        .map(|c| c.trim_matches([' ', '\u{A0}', '\u{3000}']))
        .filter(|c| !c.is_empty())
        .collect();
    let numbering = |c: &str| {
        c.ends_with(['、', '.', '．', '）', ')'])
            && crate::issue::heading_number(&format!("{c}题")).is_some()
    };
    match cells.as_slice() {
        [first, rest @ ..] if numbering(first) => rest.len() >= 3,
        cells => cells.len() >= 3,
    }
}

/// The HTML entities of `text` that web pages leave in copied text
/// (`&nbsp;` `&gt;` `&#8451;` `&#x2103;`), with the character each stands
/// for. An entity encoded twice (`&amp;gt;`) is read to the end, so that
/// a second run finds nothing to decode.
fn html_entities(text: &str) -> Vec<(Range<usize>, char)> {
    const NAMED: [(&str, char); 16] = [
        ("nbsp", '\u{A0}'),
        ("gt", '>'),
        ("lt", '<'),
        ("amp", '&'),
        ("quot", '"'),
        ("apos", '\''),
        ("ldquo", '“'),
        ("rdquo", '”'),
        ("lsquo", '‘'),
        ("rsquo", '’'),
        ("hellip", '…'),
        ("mdash", '—'),
        ("middot", '·'),
        ("times", '×'),
        ("deg", '°'),
        ("yen", '¥'),
    ];
    // The entity `rest` starts with: its length and character.
    fn entity(rest: &str) -> Option<(usize, char)> {
        let body = rest.strip_prefix('&')?;
        // Bounded look-ahead: a line of `&` without `;` stays linear.
        let end = body.bytes().take(11).position(|b| b == b';')?;
        let name = &body[..end];
        let c = if let Some(num) = name.strip_prefix('#') {
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) if !hex.is_empty() => u32::from_str_radix(hex, 16).ok()?,
                _ if !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()) => {
                    num.parse().ok()?
                }
                _ => return None,
            };
            char::from_u32(code).filter(|c| !c.is_control())?
        } else {
            NAMED.iter().find(|(n, _)| *n == name)?.1
        };
        Some((end + 2, c))
    }
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(k) = text[i..].find('&') {
        let start = i + k;
        match entity(&text[start..]).map(|(len, c)| (start + len, c)) {
            Some((mut end, mut c)) => {
                // Encoded twice (&amp;gt;): what it stands for in the end.
                while c == '&' {
                    // `&` and what follows, at most an entity's length.
                    let mut head = String::from("&");
                    let mut cut = (end + 12).min(text.len());
                    while !text.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    head.push_str(&text[end..cut]);
                    let Some((len, next)) = entity(&head) else {
                        break;
                    };
                    end += len - 1;
                    c = next;
                }
                found.push((start..end, c));
                i = end;
            }
            None => i = start + 1,
        }
    }
    found
}

/// `text` with `fixes` applied.
///
/// Fixes are expected as [`fixes`] returns them; one that starts before the
/// end of the previous one, or does not lie on character boundaries, is
/// skipped rather than panicking.
pub fn apply(text: &str, fixes: &[Fix]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for fix in fixes {
        let Range { start, end } = fix.range;
        if start < at || end < start || !text.is_char_boundary(start) || !text.is_char_boundary(end)
        {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&fix.replacement);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// Convenience: apply(text, &fixes(text)).
pub fn clean(text: &str) -> String {
    apply(text, &fixes(text))
}

/// "No position": the paragraph's start or end.
const NONE: usize = usize::MAX;

/// What a convertible ASCII mark belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `, : ; ? !` or an unpaired `(` `)`: judged by its own neighbours.
    Mark,
    /// A matched `(` `)`: converted together.
    Parens,
    /// A pair of straight quotes: converted together.
    Quotes,
    /// A Latin full stop after Chinese, ending a sentence: `召开.局长`.
    Period,
}

#[derive(Debug, Clone, Copy)]
struct Unit {
    shape: Shape,
    /// Char indices; `open == close` for a [`Shape::Mark`].
    open: usize,
    close: usize,
}

/// One paragraph, by char index.
struct Cleaner<'a> {
    text: &'a str,
    /// Byte offset of each char, and `text.len()` at the end.
    at: Vec<usize>,
    /// The chars as they read after cleaning full-width alphanumerics.
    view: Vec<char>,
    /// Nearest visible char (neither space nor `**`) before / after, or NONE.
    prev: Vec<usize>,
    next: Vec<usize>,
    /// Inside a URL or e-mail address.
    protected: Vec<bool>,
    /// Chars the sign, range and quote rules replace in `view`.
    rewritten: Vec<Option<FixKind>>,
    /// Chinese before any conversion (a Han char or full-width mark).
    chinese: Vec<bool>,
    /// Prefix counts of `chinese` and of Han chars: `[i]` counts `..i`.
    chinese_before: Vec<usize>,
    han_before: Vec<usize>,
    units: Vec<Unit>,
    unit_of: Vec<usize>,
    /// Innermost paren pair (a unit) strictly around each char.
    enclosing: Vec<usize>,
    converted: Vec<bool>,
    /// A converted unit lies inside this paren pair.
    chinese_inside: Vec<bool>,
    queue: Vec<usize>,
}

impl<'a> Cleaner<'a> {
    fn new(text: &'a str) -> Self {
        let (mut at, orig): (Vec<usize>, Vec<char>) = text.char_indices().unzip();
        at.push(text.len());
        let n = orig.len();

        // `**` markers, left to right as the emphasis parser pairs them.
        let mut emph = vec![false; n];
        let mut i = 0;
        while i + 1 < n {
            if orig[i] == '*' && orig[i + 1] == '*' {
                emph[i] = true;
                emph[i + 1] = true;
                i += 2;
            } else {
                i += 1;
            }
        }

        // Neighbours are read through invisible characters, which cleaning
        // removes: `１．<U+200B>５` reads as `１．５` now, not only after a
        // first run has removed it.
        let shown: Vec<usize> = (0..n).filter(|&i| !is_invisible(orig[i])).collect();
        let place: Vec<usize> = {
            let mut place = vec![NONE; n];
            for (k, &i) in shown.iter().enumerate() {
                place[i] = k;
            }
            place
        };
        let before = |i: usize| {
            let k = place[i];
            (k != NONE && k > 0).then(|| orig[shown[k - 1]])
        };
        let after = |i: usize, skip: usize| {
            let k = place[i];
            (k != NONE)
                .then(|| shown.get(k + 1 + skip).map(|&j| orig[j]))
                .flatten()
        };
        let is_digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
        let between_digits =
            |i: usize| before(i).is_some_and(is_digit) && after(i, 0).is_some_and(is_digit);
        // A full-width comma between digits is a thousands separator when
        // exactly three digits follow: ２，３００.
        let thousands = |i: usize| {
            let digits = (0..)
                .take_while(|&s| after(i, s).is_some_and(is_digit))
                .count();
            between_digits(i) && digits == 3
        };
        let is_alnum = |c: char| c.is_ascii_alphanumeric() || half_width(c).is_some();
        let between_alnum =
            |i: usize| before(i).is_some_and(is_alnum) && after(i, 0).is_some_and(is_alnum);
        let view: Vec<char> = (0..n)
            .map(|i| match orig[i] {
                // ｗｗｗ．ｇｏｖ．ｃｎ, ａｂｃ＠…, ＡＢＣ－１２３: marks inside a
                // full-width word read half-width too.
                c @ ('．' | '＠' | '－' | '＿' | '／') if between_alnum(i) => {
                    char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
                }
                // Marks inside a number read half-width: ８２．５, １４：３０,
                // 1：500, ２，３００, and ％ right after a digit.
                '．' if between_digits(i) => '.',
                '：' if between_digits(i) => ':',
                '，' if thousands(i) => ',',
                '％' if before(i).is_some_and(is_digit) => '%',
                c => half_width(c).unwrap_or(c),
            })
            .collect();

        let visible = |i: usize| !emph[i] && !is_space(view[i]) && !is_invisible(view[i]);
        // One walk each way; `last` carries the nearest visible char seen.
        let nearest = |order: &mut dyn Iterator<Item = usize>| {
            let mut found = vec![NONE; n];
            let mut last = NONE;
            for i in order {
                found[i] = last;
                if visible(i) {
                    last = i;
                }
            }
            found
        };
        let prev = nearest(&mut (0..n));
        let next = nearest(&mut (0..n).rev());

        let mut protected = vec![false; n];
        protect_urls(&view, &emph, &mut protected);
        protect_emails(&view, &mut protected);
        let shown: Vec<bool> = (0..n).map(visible).collect();

        // Minus signs and ranges are decided before anything else, on
        // marks no other rule changes, so every other rule sees them as
        // they will read.
        let mut view = view;
        let mut rewritten = vec![None; n];
        rewrite_signs(&mut view, &prev, &next, &protected, &mut rewritten);

        let chinese: Vec<bool> = (0..n).map(|i| shown[i] && is_chinese(view[i])).collect();
        let prefix = |f: &dyn Fn(usize) -> bool| {
            let mut counts = Vec::with_capacity(n + 1);
            let mut count = 0;
            counts.push(0);
            for i in 0..n {
                count += usize::from(f(i));
                counts.push(count);
            }
            counts
        };
        let chinese_before = prefix(&|i| chinese[i]);
        let han_before = prefix(&|i| is_han(view[i]));

        let mut cleaner = Cleaner {
            text,
            at,
            view,
            prev,
            next,
            protected,
            rewritten,
            chinese,
            chinese_before,
            han_before,
            units: Vec::new(),
            unit_of: vec![NONE; n],
            enclosing: vec![NONE; n],
            converted: Vec::new(),
            chinese_inside: Vec::new(),
            queue: Vec::new(),
        };
        cleaner.find_units();
        cleaner
    }

    fn add_unit(&mut self, shape: Shape, open: usize, close: usize) {
        let u = self.units.len();
        self.units.push(Unit { shape, open, close });
        self.unit_of[open] = u;
        self.unit_of[close] = u;
    }

    /// Marks, paren pairs (stack-matched) and quote pairs (left to right)
    /// outside URLs and e-mail addresses.
    fn find_units(&mut self) {
        let n = self.view.len();
        let mut open_parens = Vec::new();
        let (mut open_double, mut open_single) = (None, None);
        for i in 0..n {
            if self.protected[i] {
                continue;
            }
            match self.view[i] {
                '(' => open_parens.push(i),
                ')' => match open_parens.pop() {
                    Some(a) => self.add_unit(Shape::Parens, a, i),
                    None => self.add_unit(Shape::Mark, i, i),
                },
                ',' | ':' | ';' | '?' | '!' => self.add_unit(Shape::Mark, i, i),
                '.' => self.add_unit(Shape::Period, i, i),
                // 55" 和 65", 2'05": after a figure, with no quote open, it
                // is an inch or a second.
                '"' if open_double.is_none() && i > 0 && self.view[i - 1].is_ascii_digit() => {}
                '\'' if open_single.is_none() && i > 0 && self.view[i - 1].is_ascii_digit() => {}
                '"' => match open_double.take() {
                    Some(a) => self.add_unit(Shape::Quotes, a, i),
                    None => open_double = Some(i),
                },
                '\'' if !self.is_apostrophe(i) => match open_single.take() {
                    Some(a) => self.add_unit(Shape::Quotes, a, i),
                    // Glued to a Latin word it closes nothing open, so it is
                    // the possessive of "students' work", not a quote.
                    None if i > 0 && self.view[i - 1].is_ascii_alphanumeric() => {}
                    None => open_single = Some(i),
                },
                _ => {}
            }
        }
        // An unpaired paren is judged on its own neighbours; an unpaired
        // quote is left as typed, since which way it faces is unknown.
        for a in open_parens {
            self.add_unit(Shape::Mark, a, a);
        }

        // Stack-matched pairs nest properly, so one walk finds the innermost.
        let mut around: Vec<usize> = Vec::new();
        for i in 0..n {
            let u = self.unit_of[i];
            let pair = (u != NONE && self.units[u].shape == Shape::Parens).then(|| self.units[u]);
            if pair.is_some_and(|p| p.close == i) {
                around.pop();
            }
            self.enclosing[i] = around.last().copied().unwrap_or(NONE);
            if pair.is_some_and(|p| p.open == i) {
                around.push(u);
            }
        }
        self.converted = vec![false; self.units.len()];
        self.chinese_inside = vec![false; self.units.len()];
    }

    /// `don't`, `it's`, `'90s`: a `'` that is not a quote.
    /// Whether the char at `i` closes a quote or a bracket.
    fn closes(&self, i: usize) -> bool {
        match self.view[i] {
            '"' | '\'' => {
                let u = self.unit_of[i];
                u != NONE && self.units[u].shape == Shape::Quotes && self.units[u].close == i
            }
            c => "”’)）」』".contains(c),
        }
    }

    fn is_apostrophe(&self, i: usize) -> bool {
        let at = |k: usize| self.view.get(k).copied().unwrap_or(' ');
        let alnum = |k: usize| at(k).is_ascii_alphanumeric();
        let before = i > 0 && alnum(i - 1);
        let decade = at(i + 1).is_ascii_digit()
            && at(i + 2).is_ascii_digit()
            && at(i + 3) == 's'
            && !alnum(i + 4);
        (before && alnum(i + 1)) || (!before && decade)
    }

    /// Chinese as the text reads after the conversions found so far.
    fn is_chinese_at(&self, i: usize) -> bool {
        i != NONE
            && (self.chinese[i] || {
                let u = self.unit_of[i];
                u != NONE && self.converted[u]
            })
    }

    /// Whether unit `u` should be converted, given the current state.
    fn wants_conversion(&self, u: usize) -> bool {
        let Unit { shape, open, close } = self.units[u];
        let before = self.prev[open];
        let after = self.next[close];
        match shape {
            // "I love China!”: a mark between a Latin word and the quote or
            // bracket closing it belongs to the Latin phrase.
            Shape::Mark
                if before != NONE
                    && self.view[before].is_ascii_alphanumeric()
                    && after != NONE
                    && self.closes(after) =>
            {
                false
            }
            Shape::Mark => self.is_chinese_at(before) || self.is_chinese_at(after),
            // Only between Chinese, or after Chinese at the paragraph's end:
            // 1.5, www.gov.cn and "Co. Ltd" keep theirs.
            Shape::Period => {
                self.is_chinese_at(before) && (after == NONE || self.is_chinese_at(after))
            }
            // A pair that touches Chinese on either side (through spaces,
            // which layout drops next to Chinese) or holds it is Chinese:
            // "Nature (WWF) 发布" must not print a half-width ")" against 发.
            // Only a pair inside a Latin phrase stays.
            Shape::Parens => {
                self.chinese_before[close] > self.chinese_before[open + 1]
                    || self.chinese_inside[u]
                    || self.is_chinese_at(before)
                    || self.is_chinese_at(after)
            }
            Shape::Quotes => {
                self.han_before[close] > self.han_before[open + 1]
                    || self.is_chinese_at(before)
                    || self.is_chinese_at(after)
            }
        }
    }

    fn consider(&mut self, u: usize) {
        if !self.converted[u] && self.wants_conversion(u) {
            self.converted[u] = true;
            self.queue.push(u);
        }
    }

    /// Converts until nothing more touches Chinese. Each conversion only
    /// re-examines the units that can see it: the visible neighbours on
    /// either side and the innermost paren pair around it.
    fn settle(&mut self) {
        for u in 0..self.units.len() {
            self.consider(u);
        }
        while let Some(u) = self.queue.pop() {
            let Unit { open, close, .. } = self.units[u];
            for q in [open, close] {
                // The unit whose opening (or mark) sees q as its left neighbour…
                let r = self.next[q];
                if r != NONE && self.unit_of[r] != NONE {
                    let w = self.unit_of[r];
                    if self.units[w].open == r {
                        self.consider(w);
                    }
                }
                // …and the one whose closing sees q as its right neighbour.
                let s = self.prev[q];
                if s != NONE && self.unit_of[s] != NONE {
                    let w = self.unit_of[s];
                    if self.units[w].close == s {
                        self.consider(w);
                    }
                }
                let e = self.enclosing[q];
                if e != NONE {
                    self.chinese_inside[e] = true;
                    self.consider(e);
                }
            }
        }
    }

    fn bytes(&self, chars: Range<usize>) -> Range<usize> {
        self.at[chars.start]..self.at[chars.end]
    }

    fn is_converted_mark(&self, i: usize) -> bool {
        let u = self.unit_of[i];
        u != NONE && self.converted[u] && self.units[u].shape != Shape::Quotes
    }

    fn fixes(mut self) -> Vec<Fix> {
        self.settle();
        let n = self.view.len();
        let mut out = Vec::new();

        for (u, unit) in self.units.iter().enumerate() {
            if !self.converted[u] {
                continue;
            }
            let (kind, open, close) = match (unit.shape, self.view[unit.open]) {
                (Shape::Quotes, '"') => (FixKind::StraightQuote, '“', '”'),
                (Shape::Quotes, _) => (FixKind::StraightQuote, '‘', '’'),
                _ => (FixKind::HalfWidthPunctuation, '（', '）'),
            };
            let mut push = |i: usize, replacement: char| {
                out.push(Fix {
                    range: self.bytes(i..i + 1),
                    replacement: replacement.to_string(),
                    kind,
                });
            };
            match unit.shape {
                Shape::Mark => push(unit.open, full_width_mark(self.view[unit.open])),
                Shape::Period => push(unit.open, '。'),
                Shape::Parens | Shape::Quotes => {
                    push(unit.open, open);
                    push(unit.close, close);
                }
            }
        }

        // Odd quotes are paired last, on the text as it reads after every
        // other rule (a straight quote made ’ may close one): a second run
        // pairs them the same way.
        let mut read = self.view.clone();
        for f in &out {
            if let Some(c) = f.replacement.chars().next() {
                read[self.at.partition_point(|&b| b < f.range.start)] = c;
            }
        }
        rewrite_odd_quotes(&mut read, &self.protected, &mut self.rewritten);
        for (i, c) in read.into_iter().enumerate() {
            if self.rewritten[i] == Some(FixKind::OddQuote) {
                self.view[i] = c;
            }
        }

        let mut i = 0;
        while i < n {
            let start = i;
            if is_invisible(self.view[i]) {
                while i < n && is_invisible(self.view[i]) {
                    i += 1;
                }
                // `*<U+200B>*` stays: without it the two stars would be an
                // emphasis mark, and the line would print otherwise.
                let joins_stars =
                    start > 0 && self.view[start - 1] == '*' && self.view.get(i) == Some(&'*');
                if !joins_stars {
                    out.push(Fix {
                        range: self.bytes(start..i),
                        replacement: String::new(),
                        kind: FixKind::Invisible,
                    });
                }
            } else if is_space(self.view[i]) {
                while i < n && is_space(self.view[i]) {
                    i += 1;
                }
                let (before, after) = (self.prev[start], self.next[i - 1]);
                // 17 ℃, 94.6 %: a figure and its unit are one word.
                if before != NONE
                    && is_figure(self.view[before])
                    && after != NONE
                    && "℃℉%‰％".contains(self.view[after])
                {
                    out.push(Fix {
                        range: self.bytes(start..i),
                        replacement: String::new(),
                        kind: FixKind::UnitSpace,
                    });
                    continue;
                }
                // 来源：…公众号 编辑：王小丽 审核：…: the space keeps two
                // labelled fields apart; it becomes a full-width one.
                if before != NONE && after != NONE && self.starts_field(after, start) {
                    out.push(Fix {
                        range: self.bytes(start..i),
                        replacement: "\u{3000}".to_string(),
                        kind: FixKind::FieldSeparator,
                    });
                    continue;
                }
                // Dropped next to a mark this cleaner makes full-width (which
                // carries its own spacing), or between two Chinese chars.
                let by_mark = (start > 0 && self.is_converted_mark(start - 1))
                    || (i < n && self.is_converted_mark(i));
                let between =
                    self.is_chinese_at(self.prev[start]) && self.is_chinese_at(self.next[i - 1]);
                if by_mark || between {
                    out.push(Fix {
                        range: self.bytes(start..i),
                        replacement: String::new(),
                        kind: FixKind::Space,
                    });
                }
            } else if let Some(kind) = self.rewritten[i] {
                out.push(Fix {
                    range: self.bytes(i..i + 1),
                    replacement: self.view[i].to_string(),
                    kind,
                });
                i += 1;
            } else if self.is_changed(i) {
                while i < n && self.is_changed(i) && self.rewritten[i].is_none() {
                    i += 1;
                }
                out.push(Fix {
                    range: self.bytes(start..i),
                    replacement: self.view[start..i].iter().collect(),
                    kind: FixKind::FullWidthAlphanumeric,
                });
            } else {
                i += 1;
            }
        }

        out.sort_by_key(|f| f.range.start);
        out
    }

    /// Whether a labelled field (2–5 Han characters and a colon: 编辑：)
    /// starts at `at`, after another one earlier in the paragraph (before
    /// `before`): the line is a row of fields.
    fn starts_field(&self, at: usize, before: usize) -> bool {
        let label = (at..self.view.len())
            .take_while(|&k| is_han(self.view[k]))
            .count();
        let colon = |k: usize| matches!(self.view.get(k), Some('：' | ':'));
        (2..=5).contains(&label)
            && colon(at + label)
            && (1..before).any(|k| colon(k) && is_han(self.view[k - 1]))
    }

    /// Changed by the full-width alphanumeric rule.
    fn is_changed(&self, i: usize) -> bool {
        !self.text[self.at[i]..].starts_with(self.view[i])
    }
}

/// The places in an issue file whose text is cleaned: every body text
/// after its line marker (titles, lead-in, subtitle, notes, headings,
/// paragraphs, labels, captions, table cells), as byte ranges of the file,
/// and whether it is a centred line (a title, its lead-in, subtitle or
/// byline, a table's caption).
pub fn body_spans(body: &[crate::issue::Block]) -> Vec<(Range<usize>, bool)> {
    use crate::issue::Block;
    let mut spans: Vec<(Range<usize>, bool)> = Vec::new();
    for block in body {
        match block {
            Block::Label(t) | Block::Paragraph(t) => spans.push((t.span.clone(), false)),
            // The head and the run-in rest share the line's span.
            Block::Heading { head, .. } => spans.push((head.span.clone(), false)),
            Block::Title {
                lead,
                lines,
                subtitle,
                byline,
            } => spans.extend(
                lead.iter()
                    .chain(lines)
                    .chain(subtitle)
                    .chain(byline)
                    .map(|t| (t.span.clone(), true)),
            ),
            Block::Note(paras) => spans.extend(paras.iter().map(|t| (t.span.clone(), false))),
            Block::Picture { caption, .. } => spans.push((caption.span.clone(), false)),
            // The names of the attachment note, never its `附件：` nor its
            // numbers; an attachment's title, centred, as an article's.
            Block::AttachmentNote(note) => {
                spans.extend(note.items.iter().map(|i| (i.name.span.clone(), false)));
            }
            Block::Attachment(a) => spans.extend(a.title.iter().map(|t| (t.span.clone(), true))),
            // A table's cells are cleaned one by one: never its tabs or
            // pipes, which separate them. The caption is centred: a space
            // in it (表一 检查情况) is meant, and becomes `　`.
            Block::Table(table) => {
                spans.extend(table.caption.iter().map(|t| (t.span.clone(), true)));
                spans.extend(
                    table
                        .cells()
                        .chain(&table.notes)
                        .map(|t| (t.span.clone(), false)),
                );
            }
        }
    }
    spans.sort_by_key(|(s, _)| s.start);
    spans.dedup();
    spans
}

/// The issue as it is laid out: its body text cleaned. The spans of the
/// result point into the cleaned text; diagnostics are made on the file as
/// typed. Invisible characters a fix may not remove (they decide what a
/// line is, see [`file_fixes`]) are not printed either: they stay in the
/// file, where they decided the line's kind, and would otherwise take a
/// cell of the grid.
pub fn cleaned(issue: &crate::issue::Issue) -> crate::issue::Issue {
    use crate::issue::Issue;
    let fixes = file_fixes(&issue.source.text, &issue.body);
    let mut cleaned = if fixes.is_empty() {
        issue.clone()
    } else {
        let text = apply(&issue.source.text, &fixes);
        let source = crate::source::SourceFile::new(issue.source.path.clone(), text);
        // Cleaning changes no markup and no line's kind, so the cleaned
        // file parses as the original did.
        Issue::parse(issue.id.clone(), source, &mut Vec::new()).unwrap_or_else(|| issue.clone())
    };
    for text in cleaned.body.iter_mut().flat_map(texts) {
        for run in &mut text.runs {
            if run.text.chars().any(is_invisible) {
                run.text.retain(|c| !is_invisible(c));
            }
        }
    }
    cleaned
}

/// The texts of a block that print.
fn texts(block: &mut crate::issue::Block) -> Vec<&mut crate::issue::Text> {
    use crate::issue::Block;
    match block {
        Block::Label(t) | Block::Paragraph(t) => vec![t],
        Block::Heading { head, rest, .. } => std::iter::once(head).chain(rest.as_mut()).collect(),
        Block::Title {
            lead,
            lines,
            subtitle,
            byline,
        } => lead
            .iter_mut()
            .chain(lines)
            .chain(subtitle.as_mut())
            .chain(byline)
            .collect(),
        Block::Note(paras) => paras.iter_mut().collect(),
        Block::Picture { caption, .. } => vec![caption],
        Block::Table(table) => table.texts_mut().collect(),
        Block::AttachmentNote(note) => note.items.iter_mut().map(|i| &mut i.name).collect(),
        Block::Attachment(a) => a.title.iter_mut().collect(),
    }
}

/// Every fix in the body of an issue file, with ranges in the file. In a
/// title, a space between two phrases is meant: it becomes an ideographic
/// space rather than going.
///
/// Cleaning never changes what a line is ([`crate::issue::line_kind`]):
/// lines are classified as typed, before anything is removed, by `check`,
/// by `--fix` and by the layout alike. A fix that would change it — the
/// zero-width space before `# `, the space in `一 、这是正文` — is not made:
/// the line stays as typed there ([`withheld_fixes`] lists them).
pub fn file_fixes(source: &str, body: &[crate::issue::Block]) -> Vec<Fix> {
    line_by_line(source, body, |made, _| made)
}

/// The invisible characters a fix would remove but may not, because the
/// line would then be of another kind, with the line's kind as typed and
/// the kind it would have: `check` says what to do about them.
pub fn withheld_fixes(source: &str, body: &[crate::issue::Block]) -> Vec<Withheld> {
    line_by_line(source, body, |_, withheld| withheld)
}

/// An invisible character left in place: removing it would make the line
/// `would_be` instead of `typed`.
pub struct Withheld {
    pub range: Range<usize>,
    pub typed: crate::issue::LineKind,
    pub would_be: crate::issue::LineKind,
    /// Invisible characters; else the marks at a line's start that would
    /// make it a heading (`( 一 ) …`).
    pub invisible: bool,
}

/// The fixes of every cleaned line, side by side (a long issue has
/// thousands of lines): `pick` takes what it needs of those made and
/// those withheld (with the kind they would give the line).
fn line_by_line<T: Send>(
    source: &str,
    body: &[crate::issue::Block],
    pick: impl Fn(Vec<Fix>, Vec<Withheld>) -> Vec<T> + Sync,
) -> Vec<T> {
    // A table row has a text per cell, each fixed and judged by itself;
    // the line must also keep its kind with all of them made, else none
    // is (`\u{200B}<tab>\u{200B}表1 x`: either alone leaves a paragraph,
    // both a caption).
    let mut spans = span_fixes(source, body).into_iter().peekable();
    let mut out = Vec::new();
    while let Some(first) = spans.next() {
        let line = first.line.clone();
        let mut group = vec![first];
        while let Some(next) = spans.next_if(|s| s.line == line) {
            group.push(next);
        }
        let fixed = group.iter().filter(|s| !s.made.is_empty()).count();
        let mut made: Vec<Fix> = Vec::new();
        let mut withheld: Vec<Withheld> = Vec::new();
        for s in group {
            made.extend(s.made);
            withheld.extend(s.withheld);
        }
        if fixed > 1 {
            let shifted: Vec<Fix> = made
                .iter()
                .map(|f| Fix {
                    range: f.range.start - line.start..f.range.end - line.start,
                    ..f.clone()
                })
                .collect();
            let typed = crate::issue::line_kind(&source[line.clone()]);
            let all = crate::issue::line_kind(&apply(&source[line.clone()], &shifted));
            if all != typed {
                withheld.extend(
                    made.iter()
                        .filter(|f| f.kind == FixKind::Invisible)
                        .map(|f| Withheld {
                            range: f.range.clone(),
                            typed,
                            would_be: all,
                            invisible: true,
                        }),
                );
                made.clear();
            }
        }
        out.extend(pick(made, withheld));
    }
    out
}

/// The most fixes at a line's start left as typed to keep the line's
/// kind: a heading's marks (`( 一 )`), never a sentence's.
const LEADING_FIXES: usize = 8;

/// The fixes of one cleaned text, with ranges in the file, and the line it
/// is on.
struct SpanFixes {
    line: Range<usize>,
    made: Vec<Fix>,
    withheld: Vec<Withheld>,
}

/// The fixes of every cleaned text, side by side (a long issue has
/// thousands of lines), in the order of the file.
fn span_fixes(source: &str, body: &[crate::issue::Block]) -> Vec<SpanFixes> {
    use crate::issue::line_kind;
    use rayon::prelude::*;
    let per_line = |(span, centred): (Range<usize>, bool)| -> SpanFixes {
        let nothing = |line| SpanFixes {
            line,
            made: Vec::new(),
            withheld: Vec::new(),
        };
        let Some(text) = source.get(span.clone()) else {
            return nothing(span);
        };
        // A line escaped with `\` is taken as typed.
        if span.start > 0 && source.as_bytes()[span.start - 1] == b'\\' {
            return nothing(span);
        }
        // The whole line, marks and all, is what has a kind.
        let line_start = source[..span.start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[span.end..]
            .find('\n')
            .map_or(source.len(), |i| span.end + i);
        let (before, after) = (&source[line_start..span.start], &source[span.end..line_end]);
        // The fixes of `text` made and withheld: every rule, then what
        // would change the line's kind left out.
        // In a pipe table's cell, a `|` the cleaning writes (`&#124;`)
        // would cut the cell when the cleaned file is read again: it is
        // written escaped, as a pipe in a cell is typed (the attack
        // review: `左&#124;右` printed `左`).
        let pipe_row = line_kind(&source[line_start..line_end]) == crate::issue::LineKind::TableRow;
        let decide = |text: &str| -> (Vec<Fix>, Vec<Withheld>) {
            let found: Vec<Fix> = fixes(text)
                .into_iter()
                .map(|f| Fix {
                    replacement: if centred && f.kind == FixKind::Space {
                        "\u{3000}".to_string()
                    } else if pipe_row && f.replacement.contains(['|', '｜']) {
                        f.replacement.replace('|', "\\|").replace('｜', "\\｜")
                    } else {
                        f.replacement
                    },
                    ..f
                })
                .collect();
            let kind = |fixes: &[Fix]| line_kind(&format!("{before}{}{after}", apply(text, fixes)));
            let typed = kind(&[]);
            let mut made = found.clone();
            let mut withheld = Vec::new();
            let all = kind(&found);
            if !found.is_empty() && all != typed {
                // What decides a kind is at the line's ends: try without the
                // first fix, the last, both; else keep the line as typed.
                // Then the first few (`( 一 ) 提前部署 . …`: the marks
                // that would make a heading stay as typed, the rest of the
                // line is cleaned; the user review of the Word import).
                let last = found.len() - 1;
                let leading =
                    (2..=found.len().min(LEADING_FIXES)).map(|k| (0..k).collect::<Vec<_>>());
                let drop = [vec![0], vec![last], vec![0, last]]
                    .into_iter()
                    .chain(leading)
                    .find(|drop| {
                        let kept: Vec<Fix> = (0..found.len())
                            .filter(|i| !drop.contains(i))
                            .map(|i| found[i].clone())
                            .collect();
                        kind(&kept) == typed
                    })
                    .unwrap_or_else(|| (0..found.len()).collect());
                made = (0..found.len())
                    .filter(|i| !drop.contains(i))
                    .map(|i| found[i].clone())
                    .collect();
                withheld = drop
                    .iter()
                    .map(|&i| &found[i])
                    .filter(|f| f.kind == FixKind::Invisible)
                    .map(|f| Withheld {
                        range: f.range.start + span.start..f.range.end + span.start,
                        typed,
                        would_be: all,
                        invisible: true,
                    })
                    .collect();
                // Marks kept at the line's start that would make it a
                // heading: said once, over their range.
                let marks: Vec<&Fix> = drop
                    .iter()
                    .map(|&i| &found[i])
                    .filter(|f| f.kind != FixKind::Invisible)
                    .collect();
                if let (Some(first), Some(last)) = (marks.first(), marks.last())
                    && matches!(all, crate::issue::LineKind::Heading(_))
                {
                    withheld.push(Withheld {
                        range: first.range.start + span.start..last.range.end + span.start,
                        typed,
                        would_be: all,
                        invisible: false,
                    });
                }
            }
            // A table cell cleaned to a lone `<` or `^` (`&lt;`) would join
            // cells when the cleaned file is read again: it stays as typed.
            let joins = |t: &str| matches!(t.trim(), "<" | "^" | "＜" | "＾");
            if !joins(text) && joins(&apply(text, &made)) {
                made.clear();
            }
            (made, withheld)
        };
        let (mut made, withheld) = decide(text);
        // What is withheld stays as typed, and the rules may find more in
        // the text as made (`1.\u{200B}1.3-5 ℃`): again on it, a few rounds
        // at most, so that one --fix reaches the fixed point.
        for _ in 0..4 {
            if made.is_empty() {
                break;
            }
            let once = apply(text, &made);
            let (more, _) = decide(&once);
            if more.is_empty() {
                break;
            }
            made = compose(text, made, &once, &more);
        }
        let at = |f: Fix| Fix {
            range: f.range.start + span.start..f.range.end + span.start,
            ..f
        };
        SpanFixes {
            line: line_start..line_end,
            made: made.into_iter().map(at).collect(),
            withheld,
        }
    };
    body_spans(body).into_par_iter().map(per_line).collect()
}

/// Spaces that are stray between Chinese characters. The ideographic
/// space U+3000 is not one of them: offices type it on purpose, as the
/// separator of a lead-in line (聚焦“七项工程”　提升“七大能力”).
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{A0}' | '\t')
}

/// ０–９ Ａ–Ｚ ａ–ｚ → 0–9 A–Z a–z.
fn half_width(c: char) -> Option<char> {
    match c {
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => char::from_u32(c as u32 - 0xFEE0),
        _ => None,
    }
}

fn full_width_mark(c: char) -> char {
    match c {
        ',' => '，',
        ':' => '：',
        ';' => '；',
        '?' => '？',
        '!' => '！',
        '(' => '（',
        ')' => '）',
        _ => c,
    }
}

/// Han characters (with radicals, strokes and 〇).
fn is_han(c: char) -> bool {
    matches!(
        c as u32,
        0x2E80..=0x2FDF
            | 0x3007
            | 0x31C0..=0x31EF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xF900..=0xFAFF
            | 0x20000..=0x3FFFF
    )
}

/// A Han character or a full-width CJK mark; full-width digits and letters
/// are not (they read as half-width after cleaning). The ideographic space
/// is a full-width blank and counts as Chinese.
fn is_chinese(c: char) -> bool {
    is_han(c)
        || matches!(
            c as u32,
            0x3000..=0x303F     // CJK symbols and punctuation
                | 0x3040..=0x33FF // kana, bopomofo, enclosed CJK, ㎡ …
                | 0xFE10..=0xFE1F // vertical forms
                | 0xFE30..=0xFE6F // compatibility and small forms
                | 0xFF01..=0xFF0F // full-width ASCII marks, not digits or letters
                | 0xFF1A..=0xFF20
                | 0xFF3B..=0xFF40
                | 0xFF5B..=0xFF65
                | 0xFFE0..=0xFFEE
        )
        // Web pages' odd quotes („ ‟ ‚ ‛) quote Chinese text: they are
        // Chinese before they are made “ ” ‘ ’ as after.
        || matches!(c, '“' | '”' | '‘' | '’' | '—' | '―' | '…' | '⸺' | '⸻' | '„' | '‟' | '‚' | '‛')
}

/// Digits, as the text reads (full-width ones read half-width).
fn is_figure(c: char) -> bool {
    c.is_ascii_digit()
}

/// Units after a range of values: "3-5天", "10-15%", "1.5-2米". Calendar
/// units are not among them: "1-2月", "5-10日", "8-10时" name a span of
/// time, which GB/T 15834—2011 4.13.3 sets with a dash, not ～; those are
/// left as typed.
const RANGE_UNITS: &str = "天周岁个位名人次件项条份家所户处座台辆套批场届轮倍级篇章节页版元角万亿千百十米吨克斤升亩公平立方里小分秒度毫厘微%‰℃";

/// Replaces, in `view`, a hyphen used as a minus sign and the mark of a
/// range of values (GB/T 15834—2011 4.13.3.2, 浪纹线), conservatively:
///
/// - `-3℃` → `−3℃`: a hyphen (or ｀－´) right before a figure, after
///   Chinese text or a mark (气温-3℃, 为-2.5%, （-5℃）); never after a
///   letter or figure (2024-03-15, A-3, GB/T 9704-2012) nor at the start
///   of a paragraph;
/// - `3-5天` → `3～5天`: a hyphen, ~, 〜 or – between two numbers, the
///   first smaller, neither with a leading zero (0591-1234 is a telephone
///   number), with a unit of value right after (not a calendar unit), and
///   nothing before the first number that would make it part of a code, a
///   date or a time (a letter, figure, `. - / : _`). A year span
///   (2023-2025年) is left as typed.
fn rewrite_signs(
    view: &mut [char],
    prev: &[usize],
    next: &[usize],
    protected: &[bool],
    rewritten: &mut [Option<FixKind>],
) {
    let n = view.len();
    // Where the number ending (or starting) at `i` runs to.
    let number_before = |view: &[char], end: usize| {
        let mut start = end;
        while start > 0 && (is_figure(view[start - 1]) || view[start - 1] == '.') {
            start -= 1;
        }
        // A number starts with a figure: "。-3" has none before the sign.
        while start < end && !is_figure(view[start]) {
            start += 1;
        }
        start
    };
    let number_after = |view: &[char], start: usize| {
        let mut end = start;
        while end < n && (is_figure(view[end]) || view[end] == '.') {
            end += 1;
        }
        end
    };
    let value = |view: &[char], r: Range<usize>| -> Option<f64> {
        let s: String = view[r].iter().collect();
        let leading_zero = s.starts_with('0') && !s.starts_with("0.") && s != "0";
        let whole = s.split('.').next().unwrap_or("");
        if s.starts_with('.') || s.ends_with('.') || leading_zero || whole.len() > 6 {
            return None;
        }
        s.parse().ok()
    };
    for i in 0..n {
        if protected[i] {
            continue;
        }
        let c = view[i];
        // The next visible character: an invisible one between the sign
        // and its figure is removed by cleaning, and must not make a
        // second run find what the first did not.
        let after = next[i];
        let next_figure = after != NONE
            && is_figure(view[after])
            && view[i + 1..after].iter().all(|&c| is_invisible(c));
        if !matches!(c, '-' | '－' | '~' | '〜' | '–') || !next_figure {
            continue;
        }
        let start = number_before(view, i);
        if start < i {
            // A range: "3-5天".
            let before_ok = start == 0 || {
                let b = view[start - 1];
                let time = matches!(b, ':' | '：') && start >= 2 && is_figure(view[start - 2]);
                !((b.is_alphanumeric() && !is_chinese(b))
                    || "._-−/\\~～〜–+#@&=%·".contains(b)
                    || time)
            };
            let end = number_after(view, after);
            let unit = view.get(end).copied();
            let (Some(a), Some(b)) = (value(view, start..i), value(view, after..end)) else {
                continue;
            };
            let year_span = unit == Some('年') && a >= 1000.0;
            let unit_ok =
                unit.is_some_and(|u| RANGE_UNITS.contains(u) || (u == '年' && !year_span));
            if before_ok && unit_ok && a < b && !protected[start..end].contains(&true) {
                view[i] = '～';
                rewritten[i] = Some(FixKind::Range);
            }
        } else if matches!(c, '-' | '－') {
            // A sign: after Chinese text or a mark, not after a figure,
            // letter or the paragraph's start.
            let p = prev[i];
            let after_text = p != NONE && (is_chinese(view[p]) || ",:;()?!.\"'".contains(view[p]));
            if after_text {
                view[i] = '−';
                rewritten[i] = Some(FixKind::Minus);
            }
        }
    }
}

/// Replaces, in `view`, odd quote glyphs that web pages carry (‚ ‛ „ ‟)
/// with “ ” / ‘ ’ where they quote Chinese text: a pair that opens with
/// one of them („中国‟, „中国”, ‚中国‛) or closes with one (“中国‟), holding
/// a Han character. A lone one is left as typed, and so is ‚…‚: that is
/// two commas.
fn rewrite_odd_quotes(view: &mut [char], protected: &[bool], rewritten: &mut [Option<FixKind>]) {
    // (opening glyphs, closing glyphs, what they become)
    // An ordinary “ never closes: „X“ (German) is left as typed, so that
    // what this makes is never read differently a second time.
    const WEIGHTS: [(&str, &str, char, char); 2] =
        [("„‟“", "‟”", '“', '”'), ("‚‛‘", "‛’", '‘', '’')];
    let n = view.len();
    for (opens, closes, open_as, close_as) in WEIGHTS {
        let odd = |c: char| matches!(c, '„' | '‟' | '‚' | '‛');
        let mut open: Option<usize> = None;
        let mut han = false;
        for i in 0..n {
            let c = view[i];
            if protected[i] {
                continue;
            }
            match open {
                Some(o) if closes.contains(c) && (odd(c) || odd(view[o])) => {
                    if han {
                        for (k, to) in [(o, open_as), (i, close_as)] {
                            if view[k] != to {
                                view[k] = to;
                                rewritten[k] = Some(FixKind::OddQuote);
                            }
                        }
                    }
                    open = None;
                }
                // A pair of ordinary quotes closes.
                Some(_) if closes.contains(c) && !opens.contains(c) => open = None,
                _ if opens.contains(c) => {
                    open = Some(i);
                    han = false;
                }
                _ => han |= is_han(c),
            }
        }
    }
}

/// URLs from `http://`, `https://` or `www.` to the first char that cannot be
/// in a URL (a Han char, full-width mark, space, `**`). Like URL linkifiers,
/// trailing `, . ; : ! ? ' *` and an unbalanced `)` are taken as the
/// sentence's, not the URL's.
fn protect_urls(view: &[char], emph: &[bool], protected: &mut [bool]) {
    let n = view.len();
    let starts_with = |i: usize, s: &str| {
        (i..)
            .zip(s.chars())
            .all(|(k, c)| view.get(k).is_some_and(|v| v.eq_ignore_ascii_case(&c)))
    };
    let mut i = 0;
    while i < n {
        let Some(scheme) = ["https://", "http://", "www."]
            .into_iter()
            .find(|s| starts_with(i, s))
        else {
            i += 1;
            continue;
        };
        let mut end = i;
        let (mut opens, mut closes) = (0usize, 0usize);
        while end < n && !emph[end] && is_url_char(view[end]) {
            opens += usize::from(view[end] == '(');
            closes += usize::from(view[end] == ')');
            end += 1;
        }
        while end > i + scheme.len() {
            match view[end - 1] {
                ',' | '.' | ';' | ':' | '!' | '?' | '\'' | '*' => {}
                ')' if closes > opens => closes -= 1,
                _ => break,
            }
            end -= 1;
        }
        protected[i..end].fill(true);
        i = end;
    }
}

fn is_url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

/// `local@domain.tld`, outside URLs.
fn protect_emails(view: &[char], protected: &mut [bool]) {
    let n = view.len();
    let local = |c: char| c.is_ascii_alphanumeric() || "._%+-".contains(c);
    let domain = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-';
    for i in 0..n {
        if view[i] != '@' || protected[i] {
            continue;
        }
        let mut start = i;
        while start > 0 && local(view[start - 1]) && !protected[start - 1] {
            start -= 1;
        }
        let mut end = i + 1;
        while end < n && domain(view[end]) {
            end += 1;
        }
        while end > i + 1 && matches!(view[end - 1], '.' | '-') {
            end -= 1;
        }
        if start < i && view[i + 1..end].contains(&'.') {
            protected[start..end].fill(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<FixKind> {
        fixes(text).into_iter().map(|f| f.kind).collect()
    }

    #[test]
    fn half_width_punctuation_next_to_chinese() {
        assert_eq!(
            clean("近日 , 市生态环境局召开会议"),
            "近日，市生态环境局召开会议"
        );
        assert_eq!(clean("他指出 : 执法要严格"), "他指出：执法要严格");
        assert_eq!(clean("是否达标?请核实!"), "是否达标？请核实！");
        assert_eq!(
            clean("一是加强领导;二是压实责任"),
            "一是加强领导；二是压实责任"
        );
        assert_eq!(clean("报告显示:WWF的数据"), "报告显示：WWF的数据");
        assert_eq!(clean("什么?!"), "什么？！");
        assert_eq!(clean("!?中"), "！？中");
        // The mark and the spaces around it are separate fixes.
        assert_eq!(
            kinds("近日 , 市"),
            [
                FixKind::Space,
                FixKind::HalfWidthPunctuation,
                FixKind::Space
            ]
        );
        let f = fixes("近日 , 市");
        assert_eq!(f[1].range, 7..8);
        assert_eq!(f[1].replacement, "，");
    }

    #[test]
    fn numbers_and_latin_keep_their_marks() {
        for text in [
            "上午10:30召开，比例尺1:500，增长2.0%",
            "共收到1,000份问卷，占82.5%",
            "Hello, world and \"quotes\"",
            "报告题为WWF: report on nature",
            "这是WWF!",
        ] {
            assert_eq!(clean(text), text, "{text}");
        }
        assert_eq!(clean("时间:10:30"), "时间：10:30");
        assert_eq!(clean("增长2.0%,同比持平"), "增长2.0%，同比持平");
    }

    #[test]
    fn urls_and_email_addresses_are_left_alone() {
        assert_eq!(
            clean("详见https://www.example.gov.cn/a/b?x=1&y=2,谢谢"),
            "详见https://www.example.gov.cn/a/b?x=1&y=2，谢谢"
        );
        assert_eq!(
            clean("网址:www.example.gov.cn/list?page=1;size=2。"),
            "网址：www.example.gov.cn/list?page=1;size=2。"
        );
        assert_eq!(
            clean("见https://zh.wikipedia.org/wiki/A_(B),其中"),
            "见https://zh.wikipedia.org/wiki/A_(B)，其中"
        );
        assert_eq!(
            clean("(详见https://example.gov.cn/x)"),
            "（详见https://example.gov.cn/x）"
        );
        assert_eq!(
            clean("详见**https://a.cn/x**,谢谢"),
            "详见**https://a.cn/x**，谢谢"
        );
        for text in [
            "联系邮箱hbj@example.gov.cn。",
            "链接http://a.cn/?q=1,2:3!4(5)中",
            "地址 https://a.cn/x'y\"z 中",
        ] {
            assert_eq!(clean(text), text, "{text}");
        }
    }

    #[test]
    fn parentheses_convert_as_a_pair() {
        assert_eq!(clean("空气质量(PM2.5)达标"), "空气质量（PM2.5）达标");
        assert_eq!(clean("世界自然基金会(WWF)"), "世界自然基金会（WWF）");
        assert_eq!(clean("(一)加强组织领导"), "（一）加强组织领导");
        assert_eq!(clean("(1)加强组织领导"), "（1）加强组织领导");
        assert_eq!(clean("见图2 (a) 中的曲线"), "见图2（a）中的曲线");
        assert_eq!(clean("PM2.5 (细颗粒物)"), "PM2.5（细颗粒物）");
        // A pair inside a Latin phrase stays; one against Chinese converts,
        // so no half-width ")" stands next to a Chinese character.
        let text = "据World Wide Fund for Nature (WWF) Living Planet Report显示";
        assert_eq!(clean(text), text);
        assert_eq!(
            clean("会上，World Wide Fund for Nature (WWF) 发布了报告"),
            "会上，World Wide Fund for Nature（WWF）发布了报告"
        );
        assert_eq!(
            clean("世界自然基金会（World Wide Fund for Nature (WWF)）"),
            "世界自然基金会（World Wide Fund for Nature（WWF））"
        );
        assert_eq!(
            clean("会上，World Wide Fund for Nature (WWF)发布了报告"),
            "会上，World Wide Fund for Nature（WWF）发布了报告"
        );
        // Unpaired: each on its own neighbours.
        assert_eq!(clean("目标(一"), "目标（一");
        assert_eq!(clean("a(b"), "a(b");
        assert_eq!(clean("一)二"), "一）二");
        // Nested: the inner pair follows the converted outer one.
        assert_eq!(clean("说明((a))"), "说明（（a））");
    }

    #[test]
    fn marks_inside_full_width_numbers_and_invisible_characters() {
        assert_eq!(
            clean("会议于１４：３０召开，投入２，３００万元，增长８２．５％，比例１：５００"),
            "会议于14:30召开，投入2,300万元，增长82.5%，比例1:500"
        );
        // A list of numbers keeps its commas.
        assert_eq!(clean("第１，２，３条"), "第1，2，3条");
        assert_eq!(
            clean("零宽空格\u{200B}在这里，软连字符\u{AD}在这里"),
            "零宽空格在这里，软连字符在这里"
        );
        // A Latin full stop between Chinese ends a sentence; in a number,
        // an address or an abbreviation it stays.
        assert_eq!(
            clean("会议在局三楼召开.局长出席会议并讲话."),
            "会议在局三楼召开。局长出席会议并讲话。"
        );
        for text in [
            "增长1.5个百分点",
            "详见www.gov.cn网站",
            "Xincailiao Co. Ltd公司",
        ] {
            assert_eq!(clean(text), text);
        }
    }

    #[test]
    fn what_the_cleaner_leaves_alone() {
        for text in [
            "采购55\"和65\"液晶显示屏",
            "北纬34°45'30\"、东经113°37'15\"",
            "她说“I love China!”。",
        ] {
            assert_eq!(clean(text), text, "{text}");
        }
        assert_eq!(clean("He asked \"why?\" 我们"), "He asked “why?”我们");
        assert_eq!(clean("\"2024\"年"), "“2024”年");
        assert_eq!(
            clean("网址ｗｗｗ．ｙｕｎｘｉ．ｇｏｖ．ｃｎ，编号ＡＢＣ－１２３"),
            "网址www.yunxi.gov.cn，编号ABC-123"
        );
    }

    #[test]
    fn straight_quotes_around_chinese() {
        assert_eq!(
            clean("要做到\"严格、规范、公正、文明\"。"),
            "要做到“严格、规范、公正、文明”。"
        );
        assert_eq!(clean("'双减'政策"), "‘双减’政策");
        assert_eq!(clean("他说\"OK\"。"), "他说“OK”。");
        assert_eq!(clean("\"OK\",中文"), "“OK”，中文");
        assert_eq!(clean("提出\"'两山'理念\"要求"), "提出“‘两山’理念”要求");
        assert_eq!(
            kinds("'双减'"),
            [FixKind::StraightQuote, FixKind::StraightQuote]
        );
        for text in [
            "\"hello\" he said",
            "don't stop, it's the '90s",
            "他说\"你好",
            "'hello' and 'world'",
        ] {
            assert_eq!(clean(text), text, "{text}");
        }
        // Apostrophes don't take part in pairing.
        assert_eq!(clean("don't和'双减'"), "don't和‘双减’");
        assert_eq!(
            clean("the students' work和'双减'"),
            "the students' work和‘双减’"
        );
    }

    #[test]
    fn spaces_between_chinese_are_dropped() {
        assert_eq!(clean("活动 。"), "活动。");
        assert_eq!(clean("郑州 市"), "郑州市");
        assert_eq!(clean("郑州 市\t人民\u{A0}政府"), "郑州市人民政府");
        // An ideographic space is typed on purpose.
        assert_eq!(
            clean("聚焦“七项工程”\u{3000}提升“七大能力”"),
            "聚焦“七项工程”\u{3000}提升“七大能力”"
        );
        assert_eq!(clean("活动 \u{3000}开展"), "活动\u{3000}开展");
        assert_eq!(clean("郑州   市"), "郑州市");
        assert_eq!(kinds("郑州   市"), [FixKind::Space]);
        assert_eq!(clean("**重点** 工作"), "**重点**工作");
        assert_eq!(clean("“ 双减 ” 政策"), "“双减”政策");
        for text in [
            "部署 2024 年工作",
            "Hello world",
            "采用 WWF 标准",
            "中文， English",
        ] {
            assert_eq!(clean(text), text, "{text}");
        }
    }

    #[test]
    fn full_width_alphanumerics() {
        assert_eq!(
            clean("全年完成２０２４万元，ＰＭ２．５浓度"),
            "全年完成2024万元，PM2.5浓度"
        );
        let f = fixes("完成２０２４万元");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].range, 6..18);
        assert_eq!(f[0].replacement, "2024");
        assert_eq!(f[0].kind, FixKind::FullWidthAlphanumeric);
        // ％ after digits reads as the number's own sign.
        assert_eq!(clean("增长１２．５％"), "增长12.5%");
        assert_eq!(clean("版本2．0"), "版本2.0");
        assert_eq!(clean("１，０００人"), "1,000人");
        assert_eq!(clean("末尾．"), "末尾．");
        // Full-width digits read as digits: no conversion between them.
        assert_eq!(clean("１０:３０召开"), "10:30召开");
    }

    #[test]
    fn emphasis_markers_are_transparent() {
        assert_eq!(clean("**重点** , 工作"), "**重点**，工作");
        assert_eq!(clean("**重点**,工作"), "**重点**，工作");
        assert_eq!(clean("要做到**\"严格\"**。"), "要做到**“严格”**。");
        assert_eq!(clean("English ** , 中文"), "English **，中文");
        assert_eq!(clean("***"), "***");
    }

    #[test]
    fn apply_skips_overlapping_and_misplaced_fixes() {
        let fix = |range: Range<usize>| Fix {
            range,
            replacement: "x".into(),
            kind: FixKind::Space,
        };
        assert_eq!(apply("中文", &[fix(0..3), fix(1..4), fix(4..9)]), "x文");
        assert_eq!(apply("ab", &[fix(Range { start: 1, end: 0 })]), "ab");
    }

    /// Strings that have broken text cleaners before.
    const TRICKY: &[&str] = &[
        "",
        " ",
        "\"",
        "'",
        "(((",
        ")))",
        "(()",
        "**",
        "*",
        "****",
        "中 ** , 文",
        "，， ,, 。",
        "\"\"\"",
        "'中'\"",
        "(中\"a)\"文",
        "(\"a)\"中",
        "a,\"中",
        "http://",
        "https://)",
        "www.",
        "www.,中",
        "@",
        "a@b",
        "@中.cn",
        "a@.",
        "中https://a.cn/x)),中",
        "ｈｔｔｐ://ａ.ｃｎ,中",
        "１．",
        "．２",
        "２．．３",
        "\u{3000}\u{3000}",
        "中\u{A0},\u{A0}文",
        "a (b) 中",
        "a ( 中 ) b",
        "'90s中'",
        "don't'中'",
        "中文\r\n,",
        "𠀀,𠀀",
        "\u{FFFF}\u{10FFFF},中",
    ];

    fn check_invariants(text: &str) {
        let fs = fixes(text);
        let mut at = 0;
        for f in &fs {
            assert!(
                f.range.start >= at,
                "{text:?}: overlapping or unsorted {fs:?}"
            );
            assert!(f.range.start <= f.range.end, "{text:?}: {f:?}");
            assert!(text.is_char_boundary(f.range.start) && text.is_char_boundary(f.range.end));
            assert_ne!(
                &text[f.range.clone()],
                f.replacement,
                "{text:?}: no-op {f:?}"
            );
            if f.kind == FixKind::Space {
                assert!(f.replacement.is_empty());
                assert!(text[f.range.clone()].chars().all(is_space));
            }
            at = f.range.end;
        }
        let once = apply(text, &fs);
        assert_eq!(fixes(&once), [], "{text:?} → {once:?} is not clean");
    }

    #[test]
    fn tricky_strings_are_cleaned_once_and_for_all() {
        for text in TRICKY {
            check_invariants(text);
        }
    }

    #[test]
    fn random_strings_are_cleaned_once_and_for_all() {
        const PIECES: &[&str] = &[
            "中", "文", "a", "B", "1", "2", ",", ":", ";", "?", "!", "(", ")", "\"", "'", " ",
            "\u{3000}", "\t", "**", "*", "２", "Ａ", "．", ".", "，", "。", "“", "”", "（", "）",
            "http://", "www.", "@", "/", "%", "-", "~", "−", "～", "－", "天", "年", "„", "‟", "‚",
            "‛", "3", "0", ":",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut random = move || {
            // xorshift64*
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D)
        };
        for _ in 0..20_000 {
            let len = random() % 24;
            let text: String = (0..len)
                .map(|_| PIECES[(random() % PIECES.len() as u64) as usize])
                .collect();
            check_invariants(&text);
        }
    }

    #[test]
    fn a_million_characters_clean_once_and_for_all() {
        // How fast is measured by `benches/large_input.rs`; here only that
        // large and deeply nested inputs come out right.
        let unit = "近日 , 市局(WWF)召开\"双减\"会议，ＰＭ２．５达标 https://a.cn/x?y=1,z ((( \"'";
        let text = unit.repeat(1_000_000 / unit.chars().count() + 1);
        let cleaned = clean(&text);
        assert_ne!(cleaned, text);
        assert_eq!(clean(&cleaned), cleaned);
        let nested = format!("{}中{}", "(".repeat(300_000), ")".repeat(300_000));
        assert_eq!(
            clean(&nested),
            format!("{}中{}", "（".repeat(300_000), "）".repeat(300_000))
        );
        clean(&format!("{}中", "!".repeat(500_000)));
    }

    #[test]
    fn a_hyphen_before_a_figure_in_chinese_is_a_minus_sign() {
        for (typed, clean_) in [
            ("最低气温-3℃", "最低气温−3℃"),
            ("最低气温 -3℃", "最低气温 −3℃"),
            ("（-5℃）", "（−5℃）"),
            ("增长为-2.5%", "增长为−2.5%"),
            ("气温：－３℃", "气温：−3℃"),
        ] {
            assert_eq!(clean(typed), clean_, "{typed}");
        }
        assert!(kinds("气温-3℃").contains(&FixKind::Minus));
        // Dates, codes, a paragraph's start, URLs keep their hyphens.
        for typed in [
            "于2024-03-15召开",
            "型号A-3",
            "按GB/T 9704-2012执行",
            "-3℃以下",
            "见https://a.cn/x-3页",
            "电话0591-83456789",
        ] {
            assert_eq!(clean(typed), typed);
        }
    }

    #[test]
    fn a_range_of_values_takes_the_wave_dash() {
        // GB/T 15834—2011 4.13.3.2: 浪纹线 between the numbers of a range of
        // values; a span of time (4.13.3.1) is left as typed.
        for (typed, clean_) in [
            ("持续3-5天", "持续3～5天"),
            ("下降10-15%", "下降10～15%"),
            ("约3~5个", "约3～5个"),
            ("1.5-2米", "1.5～2米"),
            ("第3-5条", "第3～5条"),
            ("用时３－５天", "用时3～5天"),
            ("需要3-5年", "需要3～5年"),
        ] {
            assert_eq!(clean(typed), clean_, "{typed}");
        }
        assert!(kinds("持续3-5天").contains(&FixKind::Range));
        for typed in [
            "2023-2025年",
            "1-2月份",
            "5-10日",
            "电话0591-8345天",
            "编号5-3天",
            "2024-03-15",
            "10:30-11:30",
            "A3-5天",
            "3-5",
            "3～5天",
        ] {
            assert_eq!(clean(typed), typed);
        }
    }

    #[test]
    fn odd_quotes_around_chinese_become_chinese_quotes() {
        for (typed, clean_) in [
            ("坚持„安全第一‟方针", "坚持“安全第一”方针"),
            ("坚持„安全第一”方针", "坚持“安全第一”方针"),
            ("坚持“安全第一‟方针", "坚持“安全第一”方针"),
            ("所谓‚红线‛意识", "所谓‘红线’意识"),
            ("„安全‟和„发展‟", "“安全”和“发展”"),
        ] {
            assert_eq!(clean(typed), clean_, "{typed}");
        }
        assert!(kinds("„安全‟").contains(&FixKind::OddQuote));
        // No Chinese inside, a lone one, ‚…‚ used as commas: as typed.
        for typed in ["„abc‟", "他说„好", "中国‚美国‚日本"] {
            assert_eq!(clean(typed), typed);
        }
    }

    #[test]
    fn a_figure_keeps_its_unit() {
        assert_eq!(
            clean("夜间最低气温17 ℃，整改率94.6 %"),
            "夜间最低气温17℃，整改率94.6%"
        );
        assert_eq!(clean("高温38\u{a0}℃"), "高温38℃");
        assert_eq!(kinds("气温17 ℃"), [FixKind::UnitSpace]);
        // Not after a letter.
        assert_eq!(clean("PM 25 ‰"), "PM 25‰");
    }

    #[test]
    fn labelled_fields_stay_apart() {
        assert_eq!(
            clean("来源：青山应急管理微信公众号 编辑：王小丽 审核：李 强"),
            "来源：青山应急管理微信公众号　编辑：王小丽　审核：李强"
        );
        assert_eq!(
            clean("电话：0371-1234 传真：0371-5678"),
            "电话：0371-1234　传真：0371-5678"
        );
        // Without a field before it, a colon is a sentence's.
        assert_eq!(clean("会议指出 下一步：抓落实"), "会议指出下一步：抓落实");
    }

    #[test]
    fn html_entities_are_decoded() {
        assert_eq!(
            clean("请广大群众注意防暑降温&nbsp;，做好个人防护。"),
            "请广大群众注意防暑降温，做好个人防护。"
        );
        assert_eq!(clean("了解更多&gt;&gt;"), "了解更多>>");
        assert_eq!(clean("气温&#8451;与&#x2103;"), "气温℃与℃");
        assert_eq!(clean("他说&quot;好&quot;"), "他说“好”");
        assert_eq!(clean("A&amp;B公司"), "A&B公司");
        assert_eq!(kinds("降温&nbsp;，做好"), [FixKind::HtmlEntity]);
        // Not entities: left as typed.
        assert_eq!(clean("R&D部门"), "R&D部门");
        assert_eq!(clean("&amp;gt;&amp;amp;lt;"), "><");
        for text in [
            "降温&nbsp;，做好",
            "了解&gt;&gt;",
            "&amp;amp;中",
            "中&#0;文",
            "&#xD800;中",
        ] {
            check_invariants(text);
        }
    }

    #[test]
    fn a_line_of_entities_is_decoded_in_one_pass() {
        // Each of these lines was quadratic in its `&`s: a look for `;` to
        // the line's end from every `&`, every entity compared with every
        // fix found so far, the rest of the line copied for each `&amp;`.
        // At these sizes that took minutes; one pass over the line takes
        // a moment. (No clock here: the sizes are the test.)
        let ampersands = format!("正{}", "&".repeat(1_000_000));
        assert!(fixes(&ampersands).is_empty());
        let n = 200_000;
        let degrees = "温度&#8451;".repeat(n);
        let found = fixes(&degrees);
        assert_eq!(found.len(), n);
        assert!(found.iter().all(|f| f.kind == FixKind::HtmlEntity));
        assert_eq!(apply(&degrees, &found), "温度℃".repeat(n));
        let spaces = "中&nbsp;文".repeat(n);
        let found = fixes(&spaces);
        assert_eq!(found.len(), n);
        assert!(found.iter().all(|f| f.kind == FixKind::HtmlEntity));
        assert_eq!(apply(&spaces, &found), "中文".repeat(n));
        let twice = "&amp;gt;".repeat(n);
        assert_eq!(clean(&twice), ">".repeat(n));
        for text in [&degrees, &spaces, &twice] {
            let cleaned = clean(text);
            assert_eq!(clean(&cleaned), cleaned);
        }
    }

    #[test]
    fn rules_that_make_work_for_one_another_finish_in_one_run() {
        // The unit's space hides the range (`3-5℃` is one only once the
        // space goes); full-width figures hide the unit: one run does all.
        for (text, want) in [
            ("温度3-5 ℃之间", "温度3～5℃之间"),
            ("降温３-５ ℃", "降温3～5℃"),
            ("增长１０ ％。", "增长10%。"),
            ("完成3-5&nbsp;%", "完成3～5%"),
            (
                "预计明天温度3-5 ℃之间，湿度增长１０ ％。",
                "预计明天温度3～5℃之间，湿度增长10%。",
            ),
        ] {
            assert_eq!(clean(text), want, "{text}");
            assert_eq!(clean(want), want, "{want}");
            check_invariants(text);
        }
        // Each rule's fix is still its own where the rounds do not touch.
        assert_eq!(kinds("温度3-5 ℃之间"), [FixKind::Range, FixKind::UnitSpace]);
    }

    #[test]
    fn a_pasted_table_row_is_left_alone() {
        assert!(is_table_row("序号\t单位\t检查次数\t发现隐患"));
        assert!(is_table_row("1\t城关一中\t12\t8"));
        assert!(!is_table_row("郑州 市\t人民政府"));
        assert!(!is_table_row("一、\t主要做法"));
        assert!(!is_table_row("1.\t加强领导"));
        assert!(!is_table_row("\t段首的制表符"));
        assert_eq!(fixes("序号\t单位\t检查次数"), []);
        assert_eq!(clean("一、\t主要做法"), "一、主要做法");
    }

    #[test]
    fn a_table_is_cleaned_cell_by_cell_and_keeps_its_separators() {
        use crate::issue::{Block, Cell, Issue};
        let text = concat!(
            "+++\nnumber = 1\ndate = 2026-04-01\n+++\n",
            "表一 各县区安全检查情况\n",
            "地区\t检查次数\t发现隐患,整改\n",
            "城关 一中\t１２\t8\n",
            "| 单位 | 说明 |\n|---|---|\n| 东区 | 已整改,待复查 |\n| &lt; | &gt;1 |\n",
            "注:单位为次\n",
        );
        let source = crate::source::SourceFile::new("t.md".into(), text.to_string());
        let issue = Issue::parse("001".into(), source, &mut Vec::new()).unwrap();
        let fixes = file_fixes(text, &issue.body);
        let fixed = apply(text, &fixes);
        assert_eq!(
            &fixed[fixed.find("+++\n表").unwrap() + 4..],
            concat!(
                "表一　各县区安全检查情况\n",
                "地区\t检查次数\t发现隐患，整改\n",
                "城关一中\t12\t8\n",
                "| 单位 | 说明 |\n|---|---|\n| 东区 | 已整改，待复查 |\n| &lt; | >1 |\n",
                "注：单位为次\n",
            )
        );
        // The layout's cleaned issue has the same tables, cells cleaned.
        let cleaned = cleaned(&issue);
        let tables: Vec<_> = cleaned
            .body
            .iter()
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .collect();
        assert_eq!(tables.len(), 2);
        assert_eq!(
            tables[0].caption.as_ref().unwrap().plain(),
            "表一　各县区安全检查情况"
        );
        let cells: Vec<String> = tables[0].cells().map(|t| t.plain()).collect();
        assert_eq!(
            cells,
            ["地区", "检查次数", "发现隐患，整改", "城关一中", "12", "8"]
        );
        assert!(
            matches!(&tables[1].rows[1].cells[1], Cell::Text(t) if t.plain() == "已整改，待复查")
        );
        assert_eq!(tables[1].notes[0].plain(), "注：单位为次");
        // `&lt;` alone in a cell is not decoded into a join.
        assert!(matches!(&tables[1].rows[2].cells[0], Cell::Text(t) if t.plain() == "&lt;"));
    }

    #[test]
    fn a_loose_heading_number_becomes_its_mark() {
        assert_eq!(clean("一. 主要做法"), "一、主要做法");
        assert_eq!(clean("二．取得成效"), "二、取得成效");
        assert_eq!(clean("三 、存在问题"), "三、存在问题");
        assert_eq!(clean("一.主要做法"), "一、主要做法");
        assert_eq!(kinds("一. 主要做法"), [FixKind::HeadingMark]);
        assert_eq!(clean("一.5亿元"), "一.5亿元");
        assert_eq!(clean("一..做法"), "一、做法");
        assert_eq!(clean("一\u{200B}.做法"), "一、做法");
        // A blank before the Latin or full-width dot: still the heading's
        // mark, never `一。` (attack 2, N7).
        assert_eq!(clean("一 .加强领导"), "一、加强领导");
        assert_eq!(clean("二 ．压实责任"), "二、压实责任");
        assert_eq!(kinds("一 .加强领导"), [FixKind::HeadingMark]);
        for text in [
            "一 .加强领导",
            "二 ．压实责任",
            "一 . 做法",
            "一. 主要做法",
            "一 、 做法",
            "十二．．做法",
            "一.\u{200B}做法",
            "一..做法",
            "一. .、做法",
            "一 、 、做法",
            "一.\u{200B}.做法",
            "一\u{200B}.做法",
            "一\u{200B} 、做法",
        ] {
            check_invariants(text);
        }
    }
}
