//! Tables in the body (docs/issue-format.md, "Tables"): GFM pipe rows, or
//! lines pasted from Excel or WPS with their cells between tabs; the
//! caption line above (`表1　…`, with `{三线表}` after it), the note lines
//! below (`注：…`, `数据来源：…`), and `<` / `^` cells that join a cell to
//! the one on its left / above.

use std::sync::Arc;

use super::model::{Cell, ColumnAlign, Inline, Table, TableRow, TableStyle, Text};
use super::text::{Line, Tabs, inline_text, is_blank};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span, Spanned};

/// The blanks a cell is trimmed of: a tab separates cells, so it is not
/// one of them in a pasted row.
fn is_cell_blank(c: char) -> bool {
    matches!(c, ' ' | '\r' | '\u{3000}' | '\u{a0}')
}

/// `| a | b |`: a pipe row starts with `|`, or with the full-width `｜`
/// a Chinese keyboard types for it. Invisible characters before it (a
/// zero-width space from a web page) do not count: they are in no cell,
/// print nothing, and cleaning could not make the line another.
pub fn is_pipe_row(t: &str) -> bool {
    let t = t.trim_start_matches(crate::script::is_invisible);
    t.starts_with(['|', '｜']) || ime_row(t)
}

/// `丨 单位 丨 联络员 丨`: a row typed with the Chinese IME's 竖 (丨,
/// U+4E28) for `|`, as it comes when one types 竖线 by its name. Read as
/// a pipe row when the line starts with it and has another: no word of
/// a bulletin starts so.
fn ime_row(t: &str) -> bool {
    t.trim_start_matches(crate::script::is_invisible)
        .starts_with('丨')
        && t.matches('丨').count() >= 2
}

/// The parts of a caption line: `表1　标题{三线表}`.
pub struct CaptionLine<'a> {
    /// `表1　标题`, without the options.
    pub text: &'a str,
    /// What stands between `{` and `}` at the line's end, and its offset
    /// in the line.
    pub options: Option<(&'a str, usize)>,
}

const NUMERALS: &str = "0123456789０１２３４５６７８９〇零一二两三四五六七八九十百";

/// `表1　…`, `表 1 …`, `表一　…`, `表2-1 …`: 表, its number, then a blank
/// and the title (or nothing), and optionally `{…}`. `表示…`, `表彰…`,
/// `表1显示…` are no captions.
pub fn caption_line(t: &str) -> Option<CaptionLine<'_>> {
    let (text, options) = split_options(t);
    let rest = trim_blank_start(text)
        .strip_prefix('表')?
        .trim_start_matches([' ', '\u{3000}', '\u{a0}']);
    if !rest.starts_with(|c| NUMERALS.contains(c)) {
        return None;
    }
    // 表2-1, 表2.1: a table numbered within a part.
    let after = rest.trim_start_matches(|c| NUMERALS.contains(c) || matches!(c, '-' | '.' | '．'));
    (after.is_empty() || after.starts_with([' ', '\u{3000}', '\u{a0}']))
        .then_some(CaptionLine { text, options })
}

/// A caption line's text and its `{…}`, if it has one.
fn split_options(t: &str) -> (&str, Option<(&str, usize)>) {
    match options_at_end(t) {
        Some((inner, at)) => {
            let brace = t[..at].char_indices().last().map_or(0, |(i, _)| i);
            (t[..brace].trim_end_matches(is_blank), Some((inner, at)))
        }
        None => (t, None),
    }
}

/// `表3各乡镇检查情况`: a caption typed without the blank after its
/// number (an Arabic one: 表一季度… is no caption). Read as the caption
/// of a table right under it, never elsewhere (`表1显示，…` is a
/// sentence), with `table-caption-space`. A title of a sentence's marks
/// (，。：；) is no caption. The caption and the byte offset of its
/// number's end in the line.
fn tight_caption(t: &str) -> Option<(CaptionLine<'_>, usize)> {
    if caption_line(t).is_some() {
        return None;
    }
    let (text, options) = split_options(t);
    let rest = trim_blank_start(text).strip_prefix('表')?;
    let digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    if !rest.starts_with(digit) {
        return None;
    }
    let title = rest.trim_start_matches(|c| digit(c) || matches!(c, '-' | '.' | '．'));
    let end = text.len() - title.len();
    let sentence = title.contains([
        '，', '。', '；', '：', '！', '？', ',', ';', ':', '!', '?', '、',
    ]);
    let first_is_word = title
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() && !c.is_ascii_alphabetic());
    (first_is_word && !sentence && title.chars().count() <= 40)
        .then_some((CaptionLine { text, options }, end))
}

/// `{…}` (or `｛…｝`) at the end of a line: what is inside, and its
/// offset.
/// Invisible characters around it do not count (cleaning removes them, and
/// the line must read the same before and after).
fn options_at_end(t: &str) -> Option<(&str, usize)> {
    let body = trim_blank_end(t).strip_suffix(['}', '｝'])?;
    let open = body.rfind(['{', '｛'])?;
    let inner_at = open + body[open..].chars().next()?.len_utf8();
    let inner = &body[inner_at..];
    (!inner.contains(['{', '｛', '}', '｝'])).then_some((inner, inner_at))
}

/// `&nbsp;` as a web page leaves it (cleaning makes it a no-break
/// space, a blank).
const BLANK_ENTITIES: [&str; 4] = ["&nbsp;", "&#160;", "&#xA0;", "&#xa0;"];

/// A line without the blanks, invisible characters and `&nbsp;`s at its
/// end: cleaning removes them, and the line must read the same before
/// and after (`表1　标题{三线表}&nbsp;` keeps its 三线表).
fn trim_blank_end(t: &str) -> &str {
    let mut rest = t;
    loop {
        rest = rest.trim_end_matches(|c| crate::script::is_invisible(c) || is_blank(c));
        match BLANK_ENTITIES.iter().find_map(|e| rest.strip_suffix(e)) {
            Some(r) => rest = r,
            None => return rest,
        }
    }
}

/// As [`trim_blank_end`], at the line's start.
fn trim_blank_start(t: &str) -> &str {
    let mut rest = t;
    loop {
        rest = rest.trim_start_matches(|c| crate::script::is_invisible(c) || is_blank(c));
        match BLANK_ENTITIES.iter().find_map(|e| rest.strip_prefix(e)) {
            Some(r) => rest = r,
            None => return rest,
        }
    }
}

/// A line of only `{三线表}`: the options of the table right under it.
pub fn options_line(t: &str) -> Option<(&str, usize)> {
    options_at_end(t).filter(|(_, at)| trim_blank_start(&t[..*at]).chars().count() == 1)
}

/// `注：…`, `注:…`, `注1：…`, `注①：…`, `数据来源：…`, `资料来源：…`: a
/// note under a table.
pub fn is_note_line(t: &str) -> bool {
    let colon = |s: &str| s.starts_with(['：', ':']);
    if let Some(rest) = t
        .strip_prefix("数据来源")
        .or_else(|| t.strip_prefix("资料来源"))
    {
        return colon(rest);
    }
    let Some(rest) = t.strip_prefix('注') else {
        return false;
    };
    let rest = rest.trim_start_matches(|c: char| {
        c.is_ascii_digit() || ('０'..='９').contains(&c) || ('①'..='⑳').contains(&c)
    });
    colon(rest)
}

/// The cells of a pasted row: the line as typed (blanks at its ends and
/// all), cut at every tab. Byte ranges in the line.
fn tab_cells(raw: &str) -> Vec<(usize, usize)> {
    let raw = raw.strip_suffix('\r').unwrap_or(raw);
    let mut cells = Vec::new();
    let mut start = 0;
    for (i, c) in raw.char_indices() {
        if c == '\t' {
            cells.push((start, i));
            start = i + 1;
        }
    }
    cells.push((start, raw.len()));
    cells
}

/// What a line with tabs may be in a pasted table. `row` says whether the
/// line may be a row at all (text, or a first cell that joins); `heading`
/// whether it is a heading by itself.
///
/// It starts a table with text in two cells or more, but not as a heading
/// with one or two (`一、<tab>主要做法`, `1.<tab>加强领导`: Word's numbering
/// pasted), nor with a tab only at its start (a paragraph indented with a
/// tab). Under a table's first rows any such line with a tab is a row
/// (`合计<tab><tab>`). Cells are counted as they read cleaned (without
/// invisible characters), and what a line is never changes with cleaning
/// (`clean::file_fixes`): the table a file makes is the table its cleaned
/// text makes.
pub fn tabs(raw: &str, row: bool, heading: bool) -> Tabs {
    if !row || !raw.contains('\t') {
        return Tabs::No;
    }
    let filled = tab_cells(raw)
        .iter()
        .filter(|&&(a, b)| {
            raw[a..b]
                .chars()
                .any(|c| !is_cell_blank(c) && !crate::script::is_invisible(c))
        })
        .count();
    if filled >= 2 && !(heading && filled <= 2) {
        Tabs::Starts
    } else {
        Tabs::Continues
    }
}

/// Whether a pasted row's first cell is `<` or `^` (so the line is a row
/// whatever `^ ` would make it by itself).
pub fn starts_with_join(raw: &str) -> bool {
    let (a, b) = tab_cells(raw)[0];
    join_mark(&raw[a..b]).is_some()
}

/// How many cells a pasted row has (empty ones included).
fn tab_count(src: &str, line: &Line) -> usize {
    tab_cells(&src[line.raw.clone()]).len()
}

/// A pasted row's span: the line as typed, but for its `\r` (an empty
/// first cell starts it).
fn row_span(src: &str, line: &Line) -> Span {
    let end = if src[line.raw.clone()].ends_with('\r') {
        line.raw.end - 1
    } else {
        line.raw.end
    };
    line.raw.start..end
}

/// The unescaped `|` and `｜` of a line (not written `\|`), as byte
/// ranges.
fn pipes(t: &str) -> Vec<(usize, usize)> {
    let mut cuts = Vec::new();
    let ime = ime_row(t);
    // After a `\`, the next pipe is escaped; invisible characters between
    // them do not count (cleaning removes them).
    let mut escaped = false;
    for (i, c) in t.char_indices() {
        if matches!(c, '|' | '｜') || (ime && c == '丨') {
            if !escaped {
                cuts.push((i, i + c.len_utf8()));
            }
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if !crate::script::is_invisible(c) {
            escaped = false;
        }
    }
    cuts
}

/// The cells of a pipe row, as byte ranges in the (trimmed) line: cut at
/// every pipe; a leading pipe opens the row and a trailing one closes it,
/// and either may be left out, as GFM has it (`单位 | 次数`).
fn pipe_cells(t: &str) -> Vec<(usize, usize)> {
    let cuts = pipes(t);
    let mut cells = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for &(a, b) in &cuts {
        cells.push((start, a));
        start = b;
    }
    cells.push((start, t.len()));
    if is_pipe_row(t) {
        cells.remove(0);
    }
    if !cuts.is_empty()
        && cells.last().is_some_and(|&(a, b)| {
            // Invisible characters do not count: cleaning removes them.
            t[a..b]
                .chars()
                .all(|c| is_blank(c) || crate::script::is_invisible(c))
        })
    {
        cells.pop();
    }
    cells
}

/// `:---:` and friends: a cell of the delimiter row, and the alignment it
/// asks. Full-width `：` and `－` as a Chinese keyboard types them.
fn delimiter_cell(cell: &str) -> Option<ColumnAlign> {
    // Invisible characters do not count: cleaning removes them.
    let visible: String = cell
        .chars()
        .filter(|&c| !crate::script::is_invisible(c))
        .collect();
    let c = visible.trim_matches(is_blank);
    let left = c.starts_with([':', '：']);
    let c = c.trim_start_matches([':', '：']);
    let right = c.ends_with([':', '：']);
    let c = c.trim_end_matches([':', '：']);
    if c.is_empty() || !c.chars().all(|ch| matches!(ch, '-' | '－')) {
        return None;
    }
    Some(match (left, right) {
        (true, true) => ColumnAlign::Center,
        (true, false) => ColumnAlign::Left,
        (false, true) => ColumnAlign::Right,
        (false, false) => ColumnAlign::Auto,
    })
}

/// A delimiter row has a pipe (a line of dashes alone is no row).
fn delimiter_row(t: &str) -> Option<Vec<ColumnAlign>> {
    let cells = pipe_cells(t);
    if cells.is_empty() || pipes(t).is_empty() {
        return None;
    }
    cells
        .iter()
        .map(|&(a, b)| delimiter_cell(&t[a..b]))
        .collect()
}

/// A table found at a line: the block and the index of the line after it.
pub struct Found {
    pub table: Table,
    pub next: usize,
}

/// The table that starts at `lines[i]` (with its caption line, or its
/// `{…}` line), if one does.
///
/// A pipe table is every pipe row from there to a blank line or a line
/// that is no pipe row. A pasted table is the lines with tabs from there
/// to a blank line or a line without a tab, when its first two may start
/// one ([`Tabs::Starts`]) and have as many cells; or, under a caption
/// line, any such lines (a caption says a table follows).
pub fn table_at(
    file: &Arc<SourceFile>,
    lines: &[Line],
    i: usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<Found> {
    let src = file.text.as_str();
    let touches = |k: usize| lines.get(k + 1).is_some_and(|n| lines[k].touches(n));
    let mut k = i;
    // A caption without its blank (表3各乡镇…) only right over a row.
    let starts_rows =
        |k: usize| touches(k) && (is_pipe_row(lines[k + 1].text) || lines[k + 1].tabs != Tabs::No);
    let tight = tight_caption(lines[k].text).filter(|_| starts_rows(k));
    let caption = caption_line(lines[k].text)
        .filter(|_| touches(k))
        .or(tight.as_ref().map(|(c, _)| CaptionLine {
            text: c.text,
            options: c.options,
        }))
        .map(|c| {
            k += 1;
            (c, &lines[k - 1])
        });
    let mut options = caption
        .as_ref()
        .and_then(|(c, l)| c.options.map(|(o, at)| (o, l.span.start + at)));
    if options.is_none()
        && let Some((o, at)) = options_line(lines[k].text).filter(|_| touches(k))
    {
        options = Some((o, lines[k].span.start + at));
        k += 1;
    }
    let first = lines.get(k)?;
    // `单位 | 次数` over `--- | ---` starts a table too, as in GFM; after
    // the first row, a line with a pipe goes on with it.
    let pipe = is_pipe_row(first.text)
        || (first.plain
            && !pipes(first.text).is_empty()
            && touches(k)
            && delimiter_row(lines[k + 1].text).is_some());
    let is_row = |l: &Line| {
        if pipe {
            is_pipe_row(l.text) || (l.plain && !pipes(l.text).is_empty())
        } else {
            l.tabs != Tabs::No
        }
    };
    if !is_row(first) {
        return None;
    }
    if !pipe
        && caption.is_none()
        && !(first.tabs == Tabs::Starts
            && touches(k)
            && lines[k + 1].tabs == Tabs::Starts
            && tab_count(src, &lines[k]) == tab_count(src, &lines[k + 1]))
    {
        // One line with tabs, or two of different counts, without a
        // caption: no table (`check` warns about a line that looks like
        // one). Said before the rows are read: a long run of such lines
        // is looked at once a line, not once a row.
        return None;
    }
    let mut end = k + 1;
    // A pasted cell broken by Alt+Enter goes on on the next line, a row
    // or not.
    let mut quoted = !pipe && still_quoted(false, &src[first.raw.clone()]);
    while end < lines.len()
        && lines[end - 1].touches(&lines[end])
        && (is_row(&lines[end]) || quoted)
    {
        quoted = !pipe && still_quoted(quoted, &src[lines[end].raw.clone()]);
        end += 1;
    }
    let options = options.map_or_else(Options::default, |(o, at)| {
        table_options(file, o, at, diags)
    });
    let rows = &lines[k..end];
    let mut notes = Vec::new();
    let mut next = end;
    while next < lines.len()
        && lines[next - 1].touches(&lines[next])
        && is_note_line(lines[next].text)
    {
        let l = &lines[next];
        notes.push(inline_text(file, l.text, l.span.start, diags));
        next += 1;
    }
    let mut table = if pipe {
        pipe_table(file, rows, diags)
    } else {
        tab_table(file, rows, diags)
    };
    if !pipe && notes.is_empty() {
        spaced_row_under(
            file,
            &lines[end - 1],
            lines.get(end),
            table.align.len(),
            diags,
        );
    }
    let first_row = table.rows[0].span.start;
    table.caption = caption.map(|(c, l)| inline_text(file, c.text, l.span.start, diags));
    table.style = options.style;
    if let Some(header) = options.header {
        header_option(file, &mut table, pipe, header, diags);
    }
    let last = notes
        .last()
        .map_or(table.rows[table.rows.len() - 1].span.end, |n: &Text| {
            n.span.end
        });
    table.notes = notes;
    table.span = lines[i].span.start.min(first_row)..last;
    if let Some((c, end)) = tight {
        let at = lines[i].span.start;
        let number = &c.text[..end];
        let title = c.text[end..].trim_end_matches(is_blank);
        diags.push(
            Diagnostic::warning(
                "table-caption-space",
                file,
                at..at + end,
                format!("表题“{number}”和标题之间没有空格：当作下面表格的表题读了，印出来空一格"),
            )
            .with_help(format!(
                "在“{number}”后面空一格（全角空格）：{number}　{title}"
            )),
        );
    }
    check_table(file, &mut table, pipe, diags);
    Some(Found { table, next })
}

/// What a table's `{…}` asks.
#[derive(Default)]
struct Options {
    style: Option<Spanned<TableStyle>>,
    /// `表头=2`: how many rows the header has (a pasted table's own rule
    /// overridden).
    header: Option<Spanned<usize>>,
}

/// `三线表`, `网格`, `style=three-line`, `style=grid`, `表头=2`,
/// `header=2`; several between commas.
fn table_options(
    file: &Arc<SourceFile>,
    options: &str,
    at: usize,
    diags: &mut Vec<Diagnostic>,
) -> Options {
    let mut read = Options::default();
    let mut pos = 0;
    for part in options.split([',', '，']) {
        let lead = part.len() - part.trim_start_matches(is_blank).len();
        let word = part.trim_matches(is_blank);
        let span = at + pos + lead..at + pos + lead + word.len();
        pos += part.len()
            + options[pos + part.len()..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
        if word.is_empty() {
            continue;
        }
        let (key, value) = match word.split_once(['=', '＝']) {
            Some((key, value)) => (key.trim_matches(is_blank), value.trim_matches(is_blank)),
            None => ("style", word),
        };
        match key {
            "style" | "样式" => {
                if let Some(s) = TableStyle::from_name(value) {
                    read.style = Some(Spanned::new(s, span));
                    continue;
                }
            }
            "header" | "表头" => {
                if let Some(n) = value.parse::<usize>().ok().filter(|n| (1..=9).contains(n)) {
                    read.header = Some(Spanned::new(n, span));
                    continue;
                }
            }
            _ => {}
        }
        diags.push(
            Diagnostic::error(
                "bad-table-option",
                file,
                span,
                format!("表格选项“{word}”看不懂"),
            )
            .with_help("表题后面可以写 {三线表}（或 {style=three-line}）排成三线表，{网格}（或 {style=grid}）每一格都画线，{表头=2}（或 {header=2}，1–9）说表头有几行；几项之间用逗号隔开"),
        );
    }
    read
}

/// `{表头=N}`: the header is the first N rows of a pasted table. A pipe
/// table's header is what stands above its delimiter row.
fn header_option(
    file: &Arc<SourceFile>,
    table: &mut Table,
    pipe: bool,
    header: Spanned<usize>,
    diags: &mut Vec<Diagnostic>,
) {
    let rows = table.rows.len();
    if pipe {
        diags.push(
            Diagnostic::error(
                "bad-table-option",
                file,
                header.span,
                "用 | 写的表格，表头就是分隔行 |---| 上面的几行，不用写“表头=”",
            )
            .with_help("删掉“表头=…”；表头有两行，就在分隔行上面写两行"),
        );
    } else if header.value > rows {
        diags.push(
            Diagnostic::error(
                "bad-table-option",
                file,
                header.span,
                format!("表头写了 {} 行，可表格一共只有 {rows} 行", header.value),
            )
            .with_help("写表头实际的行数（数据行不算）"),
        );
    } else {
        table.header_rows = header.value;
        join_excel_header(table);
    }
}

/// The empty cells of a pasted table's header of `{表头=N}` rows, as
/// Excel copies merged cells, joined as they were merged: an empty cell
/// right of a head with heads under it joins to its left (本月 over 绝对值
/// and 增速), an empty cell under a head joins to it (指标 over two rows).
/// Typed with `<` and `^` it reads the same; without, it printed empty
/// ruled boxes (the new-user review).
fn join_excel_header(table: &mut Table) {
    let h = table.header_rows.min(table.rows.len());
    let filled =
        |c: Option<&Cell>| matches!(c, Some(Cell::Text(t)) if !t.plain().trim().is_empty());
    for r in 0..h {
        for c in 0..table.rows[r].cells.len() {
            let Cell::Text(t) = &table.rows[r].cells[c] else {
                continue;
            };
            if !t.plain().trim().is_empty() {
                continue;
            }
            let span = t.span.clone();
            let left = c > 0
                && (matches!(table.rows[r].cells.get(c - 1), Some(Cell::JoinLeft(_)))
                    || filled(table.rows[r].cells.get(c - 1)));
            let below = r + 1 < h && filled(table.rows[r + 1].cells.get(c));
            let above = r > 0
                && (filled(table.rows[r - 1].cells.get(c))
                    || matches!(table.rows[r - 1].cells.get(c), Some(Cell::JoinUp(_))));
            if left && below {
                table.rows[r].cells[c] = Cell::JoinLeft(span);
            } else if above {
                table.rows[r].cells[c] = Cell::JoinUp(span);
            }
        }
    }
}

/// `<` or `^` (`＜` `＾` full-width): a cell that joins, as `<` or `^`.
/// Invisible characters around the mark do not count (cleaning would
/// remove them, and the table must read the same after).
fn join_mark(cell: &str) -> Option<char> {
    let visible: String = cell
        .chars()
        .filter(|&c| !crate::script::is_invisible(c) && !is_blank(c))
        .collect();
    match visible.as_str() {
        "<" | "＜" => Some('<'),
        "^" | "＾" => Some('^'),
        _ => None,
    }
}

/// A cell's text from its byte range in the file: trimmed, a lone `<` or
/// `^` a join, `\|` `\<` `\^` the character itself.
fn cell(
    file: &Arc<SourceFile>,
    start: usize,
    end: usize,
    blank: fn(char) -> bool,
    diags: &mut Vec<Diagnostic>,
) -> Cell {
    let typed = &file.text[start..end];
    let lead = typed.len() - typed.trim_start_matches(blank).len();
    let t = typed.trim_matches(blank);
    let at = start + lead;
    let span = at..at + t.len();
    match join_mark(t) {
        Some('<') => return Cell::JoinLeft(span),
        Some(_) => return Cell::JoinUp(span),
        None => {}
    }
    let before = diags.len();
    let mut text = inline_text(file, t, at, diags);
    // A `\` at the line's start would not help inside a cell.
    for d in &mut diags[before..] {
        if d.code == "unclosed-emphasis" {
            d.help = Some(
                "在这一格里要强调的文字后面再加一个 **（强调不能跨格：每一格各写一对 **）"
                    .to_string(),
            );
        }
    }
    for run in &mut text.runs {
        if run.text.contains('\\') {
            run.text = unescape(&run.text);
        }
    }
    Cell::Text(text)
}

/// `\|` → `|`, and a whole cell of `\<` or `\^` → `<` / `^`.
fn unescape(s: &str) -> String {
    match s {
        "\\<" | "\\^" | "\\＜" | "\\＾" => return s[1..].to_string(),
        _ => {}
    }
    s.replace("\\|", "|").replace("\\｜", "｜")
}

/// An empty cell at `at`, for a row shorter than the header.
fn empty_cell(at: usize) -> Cell {
    Cell::Text(Text {
        runs: Vec::new(),
        span: at..at,
    })
}

fn pipe_table(file: &Arc<SourceFile>, rows: &[Line], diags: &mut Vec<Diagnostic>) -> Table {
    let delimiter = rows.iter().position(|l| delimiter_row(l.text).is_some());
    let mut table_rows = Vec::new();
    for (n, l) in rows.iter().enumerate() {
        // A delimiter row with nothing above it is kept as typed (and
        // said): the table has a row to stand on.
        if Some(n) == delimiter && n > 0 {
            continue;
        }
        let cells = pipe_cells(l.text)
            .into_iter()
            .map(|(a, b)| cell(file, l.span.start + a, l.span.start + b, is_blank, diags))
            .collect();
        table_rows.push(TableRow {
            cells,
            span: l.span.clone(),
        });
    }
    let header_rows = delimiter.unwrap_or(1);
    let blank = table_rows.iter().all(|r: &TableRow| {
        r.cells
            .iter()
            .all(|c| matches!(c, Cell::Text(t) if t.runs.is_empty()))
    });
    match delimiter {
        // An empty table is said as such (`check_table`), nothing more.
        _ if blank => {}
        None => {
            let l = &rows[0];
            diags.push(
                Diagnostic::error(
                    "table-no-delimiter",
                    file,
                    l.span.start..l.span.start + 1,
                    "这几行用 | 隔开，像是表格，但表头下面没有分隔行 |---|---|",
                )
                .with_help("在表头行的下一行加上分隔行，有几列写几个 ---，例如 |---|---|---|；如果不是表格，在行首加 \\"),
            );
        }
        Some(0) => {
            let l = &rows[0];
            diags.push(
                Diagnostic::error(
                    "table-no-header",
                    file,
                    l.span.clone(),
                    "表格的分隔行 |---| 上面没有表头行",
                )
                .with_help(
                    "在分隔行上面写表头（各列的名称），例如 | 单位 | 检查次数 |；两行的表头写两行",
                ),
            );
        }
        Some(_) => {}
    }
    let mut align = delimiter
        .and_then(|d| delimiter_row(rows[d].text))
        .unwrap_or_default();
    let columns = table_rows.first().map_or(align.len(), |r| r.cells.len());
    if let Some(d) = delimiter.filter(|&d| d > 0)
        && align.len() != columns
    {
        let extra = pipe_cells(rows[d].text)
            .get(columns)
            .map(|&(a, b)| rows[d].span.start + a..rows[d].span.start + b);
        ragged(
            file,
            rows[d].span.clone(),
            align.len(),
            columns,
            extra,
            diags,
        );
    }
    align.resize(columns.max(1), ColumnAlign::Auto);
    Table {
        caption: None,
        rows: table_rows,
        header_rows: header_rows.max(1),
        align,
        style: None,
        notes: Vec::new(),
        span: 0..0,
    }
}

fn tab_table(file: &Arc<SourceFile>, rows: &[Line], diags: &mut Vec<Diagnostic>) -> Table {
    let mut table_rows: Vec<TableRow> = Vec::with_capacity(rows.len());
    // Whether the last line ended inside a quoted cell (Alt+Enter).
    let mut open = false;
    for l in rows {
        let raw = &file.text[l.raw.clone()];
        let cuts = tab_cells(raw);
        let continuing = open && !table_rows.is_empty();
        let mut cells = Vec::with_capacity(cuts.len());
        for (i, &(a, b)) in cuts.iter().enumerate() {
            let (start, end) = (l.raw.start + a, l.raw.start + b);
            let piece = &raw[a..b];
            if i == 0 && continuing {
                // The rest of a cell broken by Alt+Enter, to its closing
                // quote, joined to the cell it goes on.
                let close = piece.rfind('"').map_or(end, |q| start + q);
                let rest = cell(file, start, close, is_cell_blank, diags);
                let row = table_rows.last_mut().expect("continuing a row");
                row.span.end = row_span(&file.text, l).end;
                if let (Some(Cell::Text(t)), Cell::Text(more)) = (row.cells.last_mut(), rest) {
                    // The cell's span stays its first line's: cleaning
                    // works a line at a time, and the rest is cleaned as
                    // the layout parses the cleaned file again.
                    t.runs.extend(more.runs);
                }
                continue;
            }
            let lead = piece.len() - piece.trim_start_matches(is_cell_blank).len();
            let opens = i + 1 == cuts.len() && opens_quote(piece);
            if opens {
                let quote = start + lead;
                let c = cell(file, quote + 1, end, is_cell_blank, diags);
                cells.push(c);
                diags.push(
                    Diagnostic::warning(
                        "table-cell-linebreak",
                        file,
                        quote..quote + 1,
                        "这一格在 Excel 里用 Alt+Enter 换了行，粘贴过来断成了两行：按一格读了，不印引号",
                    )
                    .with_help("把这一格的两行接成一行，删掉两头的引号（表格排版时自己会在格里换行）"),
                );
            } else {
                cells.push(cell(file, start, end, is_cell_blank, diags));
            }
        }
        if continuing {
            table_rows
                .last_mut()
                .expect("continuing a row")
                .cells
                .extend(cells);
        } else {
            table_rows.push(TableRow {
                cells,
                span: row_span(&file.text, l),
            });
        }
        open = still_quoted(open, raw);
    }
    // The first row is the header, and the next one too while the one
    // above has a `<` (a heading over columns has their headings under
    // it) or it has a `^` (a heading over rows goes on in it).
    let has = |r: &TableRow, join: fn(&Cell) -> bool| r.cells.iter().any(join);
    let mut header_rows = 1;
    while header_rows < table_rows.len()
        && (has(&table_rows[header_rows - 1], |c| {
            matches!(c, Cell::JoinLeft(_))
        }) || has(&table_rows[header_rows], |c| matches!(c, Cell::JoinUp(_))))
    {
        header_rows += 1;
    }
    let columns = excel_columns(&mut table_rows);
    Table {
        caption: None,
        rows: table_rows,
        header_rows,
        align: vec![ColumnAlign::Auto; columns],
        style: None,
        notes: Vec::new(),
        span: 0..0,
    }
}

/// A pasted cell that opens a quote it does not close: Excel copies a
/// cell with a line break in it (Alt+Enter) as `"检查单位` and `（家次）"`
/// on two lines, and its own reader joins them.
fn opens_quote(cell: &str) -> bool {
    cell.trim_matches(is_cell_blank).starts_with('"')
        && !cell.matches('"').count().is_multiple_of(2)
}

/// Whether a pasted line ends inside a quoted cell, `open` saying whether
/// the line before did: the first cell of a line that goes on a quoted
/// cell closes it at an odd quote; then only the last cell can open one.
fn still_quoted(open: bool, raw: &str) -> bool {
    let raw = raw.strip_suffix('\r').unwrap_or(raw);
    let cuts = tab_cells(raw);
    let last = cuts.len() - 1;
    let mut quoted = open;
    for (i, &(a, b)) in cuts.iter().enumerate() {
        let cell = &raw[a..b];
        quoted = if i == 0 && quoted {
            cell.matches('"').count().is_multiple_of(2)
        } else {
            opens_quote(cell)
        } && i == last;
    }
    quoted
}

/// The columns of a pasted table, Excel's trailing tabs taken off: Excel
/// ends a row copied with empty cells to the right of the range (every
/// row, or one row that reached further), which are no columns. The
/// table is as wide as its first row up to the last column that holds
/// something in any row; the empty cells past that are dropped from every
/// row (a row with text past it stays longer: `table-ragged`).
fn excel_columns(rows: &mut [TableRow]) -> usize {
    let blank = |c: &Cell| matches!(c, Cell::Text(t) if t.runs.is_empty());
    let filled = |r: &TableRow| r.cells.iter().rposition(|c| !blank(c)).map_or(0, |k| k + 1);
    let first = rows.first().map_or(1, |r| r.cells.len());
    let columns = rows
        .iter()
        .map(filled)
        .max()
        .unwrap_or(0)
        .clamp(1, first.max(1));
    for row in rows.iter_mut() {
        let keep = filled(row).max(columns);
        row.cells.truncate(keep);
    }
    columns
}

/// A row with another number of cells than the header: an error at its
/// first cell too many, or at its end.
fn ragged(
    file: &Arc<SourceFile>,
    row: Span,
    has: usize,
    columns: usize,
    extra: Option<Span>,
    diags: &mut Vec<Diagnostic>,
) {
    let span = extra.unwrap_or_else(|| {
        let end = row.end;
        let last = file.text[..end].chars().last().map_or(0, char::len_utf8);
        end - last..end
    });
    let (message, help) = if has > columns {
        (
            format!("这一行有 {has} 格，比表头（{columns} 格）多"),
            "删掉多出来的格，或者把它并进旁边的格；如果是表头少写了，在表头补上这一列",
        )
    } else {
        (
            format!("这一行只有 {has} 格，比表头（{columns} 格）少"),
            "空着的格也要留出位置（两个分隔符之间不写字，或写“—”）；和左边合并的格写 <，和上面合并的格写 ^",
        )
    };
    diags.push(Diagnostic::error("table-ragged", file, span, message).with_help(help));
}

/// The rules a table must pass, said where the table is wrong; the table
/// is then made whole (rows cut or filled to the header's width, joins
/// that point nowhere set as the text typed) so nothing after the parser
/// meets a broken one.
fn check_table(file: &Arc<SourceFile>, table: &mut Table, pipe: bool, diags: &mut Vec<Diagnostic>) {
    let columns = table.align.len().max(1);
    let empty = table.rows.iter().all(|r| {
        r.cells
            .iter()
            .all(|c| matches!(c, Cell::Text(t) if t.runs.is_empty()))
    });
    if empty {
        let at = table
            .rows
            .first()
            .map_or(table.span.clone(), |r| r.span.clone());
        diags.push(
            Diagnostic::error("table-empty", file, at, "表格里一个字也没有")
                .with_help("在格里填上内容；如果这个表格不要了，删掉这几行"),
        );
    } else if table.rows.len() <= table.header_rows {
        let last = &table.rows[table.rows.len() - 1];
        diags.push(
            Diagnostic::warning(
                "table-no-body",
                file,
                last.span.clone(),
                "表格只有表头，下面没有数据行",
            )
            .with_help("在表头下面接着写数据行，每行一个单位（或一项）"),
        );
    }
    for row in &mut table.rows {
        let has = row.cells.len();
        if has != columns && !empty {
            let extra = row.cells.get(columns).map(cell_span);
            let spaced = if !pipe && has < columns {
                spaced_cells(&file.text, &row.cells)
            } else {
                None
            };
            match spaced {
                Some(space) => diags.push(
                    Diagnostic::error(
                        "table-spaces",
                        file,
                        space,
                        format!("这一行有的格是用空格隔开的，不是 Tab：只分出了 {has} 格，表头有 {columns} 格"),
                    )
                    .with_help("把格之间的空格换成一个 Tab；最稳妥的是在 Excel 或 WPS 里重新复制这几行粘贴过来"),
                ),
                None => ragged(file, row.span.clone(), has, columns, extra, diags),
            }
        }
        let end = row.span.end;
        row.cells.resize_with(columns, || empty_cell(end));
    }
    joins(file, table, diags);
}

fn cell_span(c: &Cell) -> Span {
    match c {
        Cell::Text(t) => t.span.clone(),
        Cell::JoinLeft(s) | Cell::JoinUp(s) => s.clone(),
    }
}

/// In a pasted row that is short of cells, the first blank inside a cell
/// that stands where a tab should: a run of two blanks or more, or one
/// between figures and words.
fn spaced_cells(src: &str, cells: &[Cell]) -> Option<Span> {
    for c in cells {
        let Cell::Text(t) = c else { continue };
        let typed = &src[t.span.clone()];
        let chars: Vec<(usize, char)> = typed.char_indices().collect();
        let mut k = 0;
        while k < chars.len() {
            if !is_cell_blank(chars[k].1) {
                k += 1;
                continue;
            }
            let run_start = k;
            while k < chars.len() && is_cell_blank(chars[k].1) {
                k += 1;
            }
            let before = chars[run_start - 1].1;
            let after = chars.get(k).map_or(' ', |c| c.1);
            let figure = |c: char| c.is_ascii_digit() || matches!(c, '%' | '％' | '.');
            if k - run_start >= 2 || figure(before) || figure(after) {
                let a = t.span.start + chars[run_start].0;
                let b = t.span.start + chars.get(k).map_or(typed.len(), |c| c.0);
                return Some(a..b);
            }
        }
    }
    None
}

/// A line right under a pasted table with as many parts between spaces as
/// the table has columns, a figure among them (`合计  120  85`): a row
/// typed with spaces, which ends the table and would print as a sentence.
fn spaced_row_under(
    file: &Arc<SourceFile>,
    last: &Line,
    next: Option<&Line>,
    columns: usize,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(next) = next.filter(|n| last.touches(n) && n.plain && n.tabs == Tabs::No) else {
        return;
    };
    let parts: Vec<&str> = next
        .text
        .split(is_cell_blank)
        .filter(|p| !p.is_empty())
        .collect();
    let figure = |p: &&str| p.chars().any(|c| c.is_ascii_digit());
    if columns < 2 || parts.len() != columns || !parts.iter().any(figure) {
        return;
    }
    let first = next.text.find(is_cell_blank).unwrap_or(0);
    let run = next.text[first..]
        .find(|c| !is_cell_blank(c))
        .unwrap_or(next.text.len() - first);
    let at = next.span.start + first;
    diags.push(
        Diagnostic::error(
            "table-spaces",
            file,
            at..at + run,
            format!("这一行紧挨着表格，分成 {columns} 段，像是表格的一行，但格之间是空格，不是 Tab：它不算表格，会排成一段文字"),
        )
        .with_help("把格之间的空格换成一个 Tab；最稳妥的是在 Excel 或 WPS 里重新复制这几行粘贴过来；如果它不是表格的一行，和表格之间空一行"),
    );
}

/// `<` and `^`: every one must join its cell to a cell on its left / above
/// in the same part of the table (header or body), and the cells joined
/// must make a rectangle. One that does not is an error and is set as
/// typed.
fn joins(file: &Arc<SourceFile>, table: &mut Table, diags: &mut Vec<Diagnostic>) {
    let heads = table.header_rows;
    let rows = &mut table.rows;
    let height = rows.len();
    let width = rows.first().map_or(0, |r| r.cells.len());
    // The cell each cell belongs to: itself, or the one it joins.
    let mut origin = vec![vec![(0usize, 0usize); width]; height];
    let literal = |span: &Span| {
        Cell::Text(Text {
            runs: vec![Inline {
                text: file.text[span.clone()].to_string(),
                emphasis: false,
            }],
            span: span.clone(),
        })
    };
    let mut refuse = |span: &Span, message: &str, help: &str| {
        diags.push(Diagnostic::error("table-merge", file, span.clone(), message).with_help(help));
    };
    for r in 0..height {
        for c in 0..width {
            let o = match &rows[r].cells[c] {
                Cell::Text(_) => (r, c),
                Cell::JoinLeft(span) => {
                    if c == 0 {
                        let span = span.clone();
                        refuse(
                            &span,
                            "“<”在第一列：左边没有可以合并的格",
                            "“<”表示和左边的格合并，不能写在第一列；这一格本来要写“<”字的话，写成 \\<",
                        );
                        rows[r].cells[c] = literal(&span);
                        (r, c)
                    } else {
                        origin[r][c - 1]
                    }
                }
                Cell::JoinUp(span) => {
                    let span = span.clone();
                    if r == 0 {
                        refuse(
                            &span,
                            "“^”在第一行：上面没有可以合并的格",
                            "“^”表示和上面的格合并，不能写在第一行；这一格本来要写“^”字的话，写成 \\^",
                        );
                        rows[r].cells[c] = literal(&span);
                        (r, c)
                    } else {
                        origin[r - 1][c]
                    }
                }
            };
            if let Cell::JoinLeft(span) | Cell::JoinUp(span) = &rows[r].cells[c]
                && o.0 < heads
                && r >= heads
            {
                let span = span.clone();
                refuse(
                    &span,
                    "表头的格不能和下面数据行的格合并",
                    "数据行里这一格写上内容（或留空）；要多一行表头，在 | 表格里把这一行移到分隔行 |---| 上面",
                );
                rows[r].cells[c] = literal(&span);
                origin[r][c] = (r, c);
                continue;
            }
            origin[r][c] = o;
        }
    }
    // Every group of joined cells must fill the rectangle around it.
    let mut bounds: std::collections::HashMap<(usize, usize), (usize, usize, usize)> =
        std::collections::HashMap::new();
    for (r, row) in origin.iter().enumerate() {
        for (c, &o) in row.iter().enumerate() {
            let b = bounds.entry(o).or_insert((r, c, 1));
            b.0 = b.0.max(r);
            b.1 = b.1.max(c);
            if (r, c) != o {
                b.2 += 1;
            }
        }
    }
    let mut broken: Vec<(usize, usize)> = bounds
        .iter()
        .filter(|(o, (r, c, n))| (r - o.0 + 1) * (c - o.1 + 1) != *n)
        .map(|(o, _)| *o)
        .collect();
    broken.sort_unstable();
    for o in broken {
        let mut first = true;
        let (bottom, right, _) = bounds[&o];
        for (r, row) in origin.iter().enumerate().take(bottom + 1).skip(o.0) {
            for (c, &from) in row.iter().enumerate().take(right + 1).skip(o.1) {
                if from != o || (r, c) == o {
                    continue;
                }
                let span = cell_span(&rows[r].cells[c]);
                if first {
                    refuse(
                        &span,
                        "合并的格拼不成一个长方形",
                        "合并的格要正好拼成一个长方形：左上角的格写字，同一行右边的格写 <，下面各行的格都写 ^",
                    );
                    first = false;
                }
                rows[r].cells[c] = literal(&span);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions() {
        let c = caption_line("表1　2026年一季度各县区安全检查情况").unwrap();
        assert_eq!(c.text, "表1　2026年一季度各县区安全检查情况");
        assert!(c.options.is_none());
        assert!(caption_line("表 1 检查情况").is_some());
        assert!(caption_line("表一　检查情况").is_some());
        assert!(caption_line("表2-1 检查情况").is_some());
        assert!(caption_line("表1").is_some());
        assert!(caption_line("表示感谢").is_none());
        assert!(caption_line("表彰先进").is_none());
        assert!(caption_line("表1显示").is_none());
        let c = caption_line("表2　隐患整改情况{三线表}").unwrap();
        assert_eq!(c.text, "表2　隐患整改情况");
        let (o, at) = c.options.unwrap();
        assert_eq!(o, "三线表");
        assert_eq!(&"表2　隐患整改情况{三线表}"[at..at + o.len()], "三线表");
        let c = caption_line("表2 情况 ｛style=grid｝").unwrap();
        assert_eq!(c.text, "表2 情况");
    }

    #[test]
    fn notes() {
        for t in [
            "注：单位为次",
            "注:单位",
            "注1：…",
            "注①：…",
            "数据来源：县应急局",
            "资料来源:统计局",
        ] {
            assert!(is_note_line(t), "{t}");
        }
        for t in ["注意安全", "数据来源于县应急局", "来源：县应急局"] {
            assert!(!is_note_line(t), "{t}");
        }
    }

    #[test]
    fn pipe_cells_cut_at_unescaped_pipes() {
        let t = "| 单位 | 次数 |";
        let cells: Vec<&str> = pipe_cells(t).iter().map(|&(a, b)| &t[a..b]).collect();
        assert_eq!(cells, [" 单位 ", " 次数 "]);
        let t = "｜a｜b";
        let cells: Vec<&str> = pipe_cells(t).iter().map(|&(a, b)| &t[a..b]).collect();
        assert_eq!(cells, ["a", "b"]);
        let t = r"| a \| b | c |";
        let cells: Vec<&str> = pipe_cells(t).iter().map(|&(a, b)| &t[a..b]).collect();
        assert_eq!(cells, [r" a \| b ", " c "]);
        assert!(pipe_cells("|").is_empty());
        assert_eq!(pipe_cells("||||").len(), 3);
    }

    #[test]
    fn delimiter_rows() {
        use ColumnAlign::*;
        assert_eq!(
            delimiter_row("|---|:--|--:|:-:|"),
            Some(vec![Auto, Left, Right, Center])
        );
        assert_eq!(delimiter_row("｜－－｜：－：｜"), Some(vec![Auto, Center]));
        assert_eq!(delimiter_row("| 单位 | --- |"), None);
        assert_eq!(delimiter_row("|"), None);
        assert_eq!(delimiter_row("|:|"), None);
    }

    #[test]
    fn nbsp_on_a_caption_line_keeps_the_table_style() {
        for caption in [
            "表1　标题{三线表}&nbsp;",
            "表1　标题{三线表}&#160;",
            "表1　标题{三线表}\u{a0}",
            "&nbsp;表1　标题{三线表}",
        ] {
            let c = caption_line(caption).unwrap_or_else(|| panic!("{caption}"));
            assert_eq!(c.options.map(|o| o.0), Some("三线表"), "{caption}");
            assert!(c.text.ends_with("标题"), "{caption}: {}", c.text);
        }
        assert_eq!(options_line("{三线表}&nbsp;").map(|o| o.0), Some("三线表"));
    }

    #[test]
    fn a_caption_without_its_blank() {
        let (c, end) = tight_caption("表3各乡镇检查情况{三线表}").unwrap();
        assert_eq!(&c.text[..end], "表3");
        assert_eq!(c.text, "表3各乡镇检查情况");
        assert_eq!(c.options.map(|o| o.0), Some("三线表"));
        assert!(tight_caption("表2-1各县区情况").is_some());
        // A sentence, 表 and a Chinese numeral, a caption with its blank:
        // none.
        for t in [
            "表1显示，各乡镇都已完成",
            "表一季度检查情况",
            "表1　检查情况",
            "表12",
        ] {
            assert!(tight_caption(t).is_none(), "{t}");
        }
    }

    #[test]
    fn a_row_typed_with_the_ime_shu_is_a_pipe_row() {
        let row = "丨 单位 丨 联络员 丨";
        assert!(is_pipe_row(row));
        let cells: Vec<&str> = pipe_cells(row)
            .into_iter()
            .map(|(a, b)| row[a..b].trim())
            .collect();
        assert_eq!(cells, ["单位", "联络员"]);
        assert!(delimiter_row("丨---丨---丨").is_some());
        // A 丨 in a line that does not start with it is a character.
        assert!(!is_pipe_row("个丨中"));
        assert_eq!(pipes("｜甲丨乙｜").len(), 2);
    }

    #[test]
    fn a_cell_broken_by_alt_enter_is_followed_over_its_lines() {
        assert!(opens_quote("\"检查单位"));
        assert!(!opens_quote("\"十四五\"规划"));
        assert!(!opens_quote("检查单位"));
        // Opened in the last cell, closed in the next line's first.
        assert!(still_quoted(false, "行业\t\"检查单位"));
        assert!(!still_quoted(true, "（家次）\"\t发现隐患"));
        // Over three lines; opened again at the end of a closing line.
        assert!(still_quoted(true, "说明"));
        assert!(still_quoted(true, "（家次）\"\t\"备注"));
        // Only the last cell can stay open.
        assert!(!still_quoted(false, "\"检查单位\t发现隐患"));
    }
}
