//! Rules on the body: heading numbering, paired punctuation, half-width
//! punctuation and pictures. (Its characters are checked with every other
//! printed string's in `printable`.)

use std::path::Path;
use std::sync::Arc;

use super::context::Context;
use crate::config::PdfStandard;
use crate::diagnostic::Diagnostic;
use crate::issue::{Block, HeadingLevel, Issue, PictureWidth, Text};
use crate::source::{SourceFile, Span, Spanned, display_path, show_path};

pub fn check_body(
    src: &Arc<SourceFile>,
    body: &[Block],
    ctx: &Context,
    diags: &mut Vec<Diagnostic>,
) {
    heading_sequence(src, body, diags);
    super::attachments::check_attachments(src, body, diags);
    pasted_tables(src, body, diags);
    table_lines_astray(src, body, diags);
    number_with_pause(src, body, diags);
    markdown_marks(src, body, diags);
    unfinished_pictures(src, body, diags);
    broken_sentences(src, body, diags);
    empty_lines_of_markup(src, body, diags);
    if ctx.clean {
        pasted_text(src, body, diags);
    }
    for block in body {
        for text in texts(block) {
            paired_marks(src, text, diags);
        }
        if let Block::Picture { path, caption, .. } = block {
            picture(src, ctx.root, &path.value, path.span.clone(), diags);
            if let Some(fonts) = ctx.fonts {
                caption_too_long(src, caption, fonts, diags);
            }
        }
        if let Block::Table(table) = block {
            table_merge_empty(src, table, diags);
            table_duplicate_row(src, table, diags);
        }
        if let (Block::Table(table), Some(fonts)) = (block, ctx.fonts)
            && !table_too_wide(src, table, fonts, diags)
        {
            table_too_tall(src, table, fonts, diags);
        }
    }
}

/// An Excel header of two rows pasted as it comes: Excel copies a merged
/// cell as its text and empty cells, so the second header row arrives
/// with empty cells under the filled ones of the first (行业领域 over two
/// rows) and is printed as a data row (仿宋, the figures' columns flush
/// left for its words). Said when the table has one header row, its
/// second row has an empty cell under a filled one and no figure, and a
/// row under it has figures. A warning at that row, the empty places of
/// the two rows in its help.
fn table_merge_empty(
    src: &Arc<SourceFile>,
    table: &crate::issue::Table,
    diags: &mut Vec<Diagnostic>,
) {
    use crate::compose::table::is_number;
    use crate::issue::Cell;
    if table.header_rows != 1 || table.rows.len() < 3 {
        return;
    }
    let plain = |c: &Cell| match c {
        Cell::Text(t) => Some(t.plain().trim().to_string()),
        _ => None,
    };
    let (head, second) = (&table.rows[0], &table.rows[1]);
    let joined = |r: &crate::issue::TableRow| r.cells.iter().any(|c| plain(c).is_none());
    if joined(head) || joined(second) {
        return;
    }
    let texts = |r: &crate::issue::TableRow| -> Vec<String> {
        r.cells
            .iter()
            .map(|c| plain(c).unwrap_or_default())
            .collect()
    };
    let (top, under) = (texts(head), texts(second));
    let under_filled: Vec<usize> = (0..under.len().min(top.len()))
        .filter(|&c| under[c].is_empty() && !top[c].is_empty())
        .collect();
    let words = under.iter().any(|t| !t.is_empty());
    let figures = |r: &[String]| r.iter().any(|t| is_number(t));
    let body_figures = table.rows[2..].iter().any(|r| figures(&texts(r)));
    if under_filled.is_empty() || !words || figures(&under) || !body_figures {
        return;
    }
    // The empty places of the two rows, as a reader counts them.
    let list = |v: &[usize]| {
        v.iter()
            .map(|c| (c + 1).to_string())
            .collect::<Vec<_>>()
            .join("、")
    };
    let top_empty: Vec<usize> = (1..top.len()).filter(|&c| top[c].is_empty()).collect();
    let mut places = Vec::new();
    if !top_empty.is_empty() {
        places.push(format!("第 1 行第 {} 格", list(&top_empty)));
    }
    places.push(format!("第 2 行第 {} 格", list(&under_filled)));
    diags.push(
        Diagnostic::warning(
            "table-merge-empty",
            src,
            second.span.clone(),
            "表格第 2 行像是 Excel 两行表头的第二行：合并的格粘贴过来是空的，这一行现在会当作数据行印出来",
        )
        .with_help(format!(
            "在空着的合并格里写上记号：和左边的格合并写 <，和上面的格合并写 ^（{}是空的）；两行表头都写好了，它就排成表头。也可以在表题后面写 {{表头=2}}",
            places.join("，")
        )),
    );
}

/// A data row the same as the one above it, cell for cell: a row pasted
/// twice (user-tables review 10), printed twice without a word. Rows of
/// fewer than two filled cells (a row of dashes) are not said.
fn table_duplicate_row(
    src: &Arc<SourceFile>,
    table: &crate::issue::Table,
    diags: &mut Vec<Diagnostic>,
) {
    use crate::issue::Cell;
    let texts = |r: &crate::issue::TableRow| -> Option<Vec<String>> {
        r.cells
            .iter()
            .map(|c| match c {
                Cell::Text(t) => Some(t.plain().trim().to_string()),
                _ => None,
            })
            .collect()
    };
    let body = table.rows.iter().skip(table.header_rows);
    for (above, row) in body.clone().zip(body.skip(1)) {
        let (Some(a), Some(b)) = (texts(above), texts(row)) else {
            continue;
        };
        if a == b && b.iter().filter(|t| !t.is_empty()).count() >= 2 {
            diags.push(
                Diagnostic::warning(
                    "table-duplicate-row",
                    src,
                    row.span.clone(),
                    "这一行和上一行一模一样：像是粘贴了两次，会印两遍",
                )
                .with_help("删掉重复的一行；如果两行本来就相同，不用改"),
            );
        }
    }
}

/// A table whose columns do not fit even a landscape page's type area at
/// 5号, the smallest size a table is set at: its figures would have to be
/// torn or run out of their cells ([`crate::compose::table::too_wide`]).
/// Whether it said so.
fn table_too_wide(
    src: &Arc<SourceFile>,
    table: &crate::issue::Table,
    fonts: &crate::fonts::Fonts,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let Some(wide) = crate::compose::table::too_wide(table, fonts) else {
        return false;
    };
    let head = if wide.head.is_empty() {
        String::new()
    } else {
        format!("（{}）", wide.head)
    };
    let (message, help) = if wide.alone {
        (
            format!(
                "表格太宽：第 {} 列{head}太宽，缩到小五号字、格子边距留到最小，全表也要 {:.0} 毫米，横排的版心也只有 {:.0} 毫米宽",
                wide.column + 1,
                wide.needs,
                wide.room
            ),
            format!(
                "这一列里的“{}”不能断开，单这一列就要 {:.0} 毫米；把它写短（数字可以换一个较大的单位，如元改万元），或把这一列单独列成一个表",
                wide.widest, wide.column_needs
            ),
        )
    } else {
        (
            format!(
                "表格太宽：列太多，{} 列缩到小五号字、格子边距留到最小也要 {:.0} 毫米，横排的版心也只有 {:.0} 毫米宽",
                wide.columns, wide.needs, wide.room
            ),
            format!(
                "这样的列，横排的版心最多放约 {} 列：把表格转过来排（行和列对调，例如月份作行、指标作列），或拆成两个表（例如 1—6 月一个表、7—12 月一个表）",
                wide.most_columns
            ),
        )
    };
    diags.push(
        Diagnostic::error("table-too-wide", src, table.span.clone(), message).with_help(help),
    );
    true
}

/// A table whose caption, header or notes a page cannot hold beside what
/// must stand with them: the layout would run them off the page
/// ([`crate::compose::table::too_tall`]).
fn table_too_tall(
    src: &Arc<SourceFile>,
    table: &crate::issue::Table,
    fonts: &crate::fonts::Fonts,
    diags: &mut Vec<Diagnostic>,
) {
    use crate::compose::table::TallPart;
    let Some(tall) = crate::compose::table::too_tall(table, fonts) else {
        return;
    };
    let (span, what, help) = match tall.part {
        TallPart::Caption => (
            table.caption.as_ref().map(|c| c.span.clone()),
            "表题",
            "表题写短，说明的话放到表格前面的正文里",
        ),
        TallPart::Header => (
            table.rows.first().map(|r| r.span.clone()),
            "表头",
            "表头的格子写短（单位、说明可以放到表题或表注里）；Excel 里用 Alt+Enter 换行的格子，检查引号是否配对",
        ),
        TallPart::Notes => (
            table.notes.first().map(|n| n.span.clone()),
            "表注",
            "表注写短，或把较长的说明放到表格后面的正文里",
        ),
    };
    let span = span.unwrap_or_else(|| table.span.clone());
    diags.push(
        Diagnostic::error(
            "table-too-tall",
            src,
            span,
            format!(
                "{what}太长：要占 {} 行，和表格必须同页的部分放在一起，一页（{} 行）放不下，排出来会超出页面",
                tall.lines, tall.page
            ),
        )
        .with_help(help),
    );
}

/// A caption no page can hold beside its picture, even set across the
/// whole type area: the layout would have to cut it
/// ([`crate::compose::picture::caption_overflow`]).
fn caption_too_long(
    src: &Arc<SourceFile>,
    caption: &Text,
    fonts: &crate::fonts::Fonts,
    diags: &mut Vec<Diagnostic>,
) {
    use crate::layout_data::geometry::{CAPTION_PT, MM_PER_PT, WIDTH};
    let Some((lines, most)) = crate::compose::picture::caption_overflow(&caption.plain(), fonts)
    else {
        return;
    };
    // Characters a line of 4号 holds across the type area.
    let per_line = (WIDTH / (CAPTION_PT * MM_PER_PT)).floor() as usize;
    diags.push(
        Diagnostic::error(
            "caption-too-long",
            src,
            caption.span.clone(),
            format!(
                "图片说明太长：排满整个版心宽也要 {lines} 行，一页放不下它和图片（说明最多 {most} 行）"
            ),
        )
        .with_help(format!(
            "把说明缩短到大约 {} 字以内，其余的内容写成图片下面的正文段落",
            most * per_line
        )),
    );
}

/// The texts of a block that are paragraphs of their own (for rules that
/// work within a paragraph).
fn texts(block: &Block) -> Vec<&Text> {
    match block {
        Block::Label(t) | Block::Paragraph(t) => vec![t],
        Block::Heading { head, .. } => vec![head],
        Block::Title {
            lead,
            lines,
            subtitle,
            byline,
        } => lead
            .iter()
            .chain(lines)
            .chain(subtitle)
            .chain(byline)
            .collect(),
        Block::Note(paras) => paras.iter().collect(),
        Block::Picture { caption, .. } => vec![caption],
        Block::Table(table) => table.texts().collect(),
        Block::AttachmentNote(note) => note.items.iter().map(|i| &i.name).collect(),
        Block::Attachment(a) => a.title.iter().collect(),
    }
}

/// Heading numbers must count up within an article: 一、 then 二、, （一）
/// then （二） under each level-1 heading, and so on; each level starts at
/// 一 or 1 under its parent, and again in each article and under each
/// 【栏目】. A level may be used without the one above it: a short article
/// whose sections are （一）（二） is an ordinary 简报 (GB/T 9704 7.3.3
/// orders the levels, it does not ask for every one), so a proof-reader
/// marks only a number out of its sequence.
fn heading_sequence(src: &Arc<SourceFile>, body: &[Block], diags: &mut Vec<Diagnostic>) {
    // Last ordinal seen per level; deeper levels restart under a new parent.
    let mut last = [0u32; 5];
    for block in body {
        match block {
            Block::Title { .. } | Block::Label(_) | Block::Attachment(_) => last = [0; 5],
            Block::Heading {
                level,
                ordinal,
                head,
                ..
            } => {
                let l = *level as usize;
                // The numbering mark: 一、 （一） 1. （1）, up to its last character.
                let raw = &src.text[head.span.clone()];
                let mark_len = raw
                    .char_indices()
                    .skip(1)
                    .find(|(_, c)| matches!(c, '、' | '）' | ')' | '.' | '．'))
                    .map_or(raw.len(), |(i, c)| i + c.len_utf8());
                let span = head.span.start..head.span.start + mark_len;
                let mark = |n: u32| match level {
                    HeadingLevel::One => format!("{}、", crate::issue::chinese_number(n)),
                    HeadingLevel::Two => format!("（{}）", crate::issue::chinese_number(n)),
                    HeadingLevel::Three => format!("{n}."),
                    HeadingLevel::Four => format!("（{n}）"),
                };
                let expected = last[l] + 1;
                if *ordinal != expected {
                    let msg = if last[l] == 0 {
                        format!("标题编号从 {} 开始，应从 {} 开始", mark(*ordinal), mark(1))
                    } else {
                        format!(
                            "标题编号 {} 接在 {} 后面，顺序不对",
                            mark(*ordinal),
                            mark(last[l])
                        )
                    };
                    diags.push(
                        Diagnostic::warning("heading-sequence", src, span, msg)
                            .with_help(format!("这里应该是 {}", mark(expected))),
                    );
                }
                last[l] = *ordinal;
                for deeper in &mut last[l + 1..] {
                    *deeper = 0;
                }
            }
            _ => {}
        }
    }
}

const PAIRS: [(char, char); 5] = [
    ('“', '”'),
    ('‘', '’'),
    ('（', '）'),
    ('《', '》'),
    ('【', '】'),
];

/// Paired marks “ ” ‘ ’ （ ） 《 》 【 】 must balance within a paragraph.
fn paired_marks(src: &Arc<SourceFile>, text: &Text, diags: &mut Vec<Diagnostic>) {
    let raw = &src.text[text.span.clone()];
    let base = text.span.start;
    let mut stack: Vec<(char, usize)> = Vec::new();
    for (i, c) in raw.char_indices() {
        if PAIRS.iter().any(|(o, _)| *o == c) {
            stack.push((c, base + i));
        } else if let Some(&(open, close)) = PAIRS.iter().find(|(_, cl)| *cl == c) {
            match stack.last() {
                Some(&(o, _)) if o == open => {
                    stack.pop();
                }
                Some(&(o, at)) => {
                    diags.push(
                        Diagnostic::warning(
                            "unbalanced",
                            src,
                            base + i..base + i + c.len_utf8(),
                            format!("“{c}”与前面的“{o}”不配对"),
                        )
                        .with_related(format!("“{o}”在这里"), src, at..at + o.len_utf8())
                        .with_help(format!("检查是否少了“{}”或多了“{c}”", closing(o))),
                    );
                    stack.pop();
                }
                None => diags.push(
                    Diagnostic::warning(
                        "unbalanced",
                        src,
                        base + i..base + i + c.len_utf8(),
                        format!("“{c}”前面没有对应的“{open}”"),
                    )
                    .with_related(
                        "段落从这里开始",
                        src,
                        base..base + raw.chars().next().map_or(0, char::len_utf8),
                    )
                    .with_help(format!("补上“{open}”，或删掉多余的“{close}”")),
                ),
            }
        }
    }
    for (o, at) in stack {
        let end = base + raw.len();
        let last = raw.chars().last().map_or(0, char::len_utf8);
        diags.push(
            Diagnostic::warning(
                "unbalanced",
                src,
                at..at + o.len_utf8(),
                format!("“{o}”在本段里没有对应的“{}”", closing(o)),
            )
            .with_related("段落在这里结束", src, end - last..end)
            .with_help(format!("在该结束的地方补上“{}”", closing(o))),
        );
    }
}

fn closing(open: char) -> char {
    PAIRS
        .iter()
        .find(|(o, _)| *o == open)
        .map_or(open, |(_, c)| *c)
}

/// The codes of the pasted-text warnings, which `jianbao check --fix`
/// fixes.
/// The fix for the rest of a kind of problem, for the line that sums up
/// its repeats in a file ([`crate::diagnostic::summarise_repeats`]): the
/// pasted-text warnings, which `jianbao check --fix` fixes.
pub fn repeat_help(code: &str) -> Option<String> {
    crate::clean::FixKind::ALL
        .iter()
        .any(|k| k.code() == code)
        .then(|| "jianbao check --fix 一次全部改好".to_string())
}

/// A line of cells between tabs that did not become a table (alone, or
/// beside a line of another number of cells, and no caption above): set
/// as one paragraph its cells would run together ("1城关一中12 8"). A
/// warning at the first tab; the cleaner leaves such a line alone.
fn pasted_tables(src: &Arc<SourceFile>, body: &[Block], diags: &mut Vec<Diagnostic>) {
    for block in body {
        for text in texts(block) {
            let typed = &src.text[text.span.clone()];
            if !crate::clean::is_table_row(typed) {
                continue;
            }
            let tab = text.span.start + typed.find('\t').unwrap_or(0);
            let cells = typed.split('\t').filter(|c| !c.trim().is_empty()).count();
            diags.push(
                Diagnostic::warning(
                    "table-lone-row",
                    src,
                    tab..tab + 1,
                    format!("这一行像是从 Excel 或 WPS 粘贴的表格行（用 Tab 隔开的 {cells} 格），但没有成为表格，排出来各格会连在一起"),
                )
                .with_help("表格至少要有格数相同的两行（表头和数据）；只有一行的表格，在它上面加一行表题（表1　……）；如果不是表格，把 Tab 换成逗号"),
            );
        }
    }
}

/// A caption, a note or a table's `{…}` that stands apart from its table
/// (a blank line between, as people leave one): printed as a paragraph of
/// the body. A warning at the line.
fn table_lines_astray(src: &Arc<SourceFile>, body: &[Block], diags: &mut Vec<Diagnostic>) {
    use crate::issue::{caption_line, is_note_line, options_line};
    for (k, block) in body.iter().enumerate() {
        let Block::Paragraph(text) = block else {
            continue;
        };
        let typed = &src.text[text.span.clone()];
        let next_is_table = matches!(body.get(k + 1), Some(Block::Table(t)) if t.caption.is_none());
        let after_table = k > 0 && matches!(body[k - 1], Block::Table(_));
        let caption = caption_line(typed);
        let (message, help) = if options_line(typed).is_some()
            || caption.as_ref().is_some_and(|c| c.options.is_some())
        {
            (
                "这一行有表格选项 {…}，但它下面紧挨着的不是表格：会当作正文印出来",
                "把 {…} 写在表题的末尾，或单独写在表格正上方的一行，和表格之间不空行；如果它本来就是正文，在行首加 \\",
            )
        } else if caption.is_some() && next_is_table {
            (
                "这一行像是下面表格的表题，但和表格之间隔着空行：会当作正文印出来",
                "删掉表题和表格之间的空行",
            )
        } else if is_note_line(typed) && after_table {
            (
                "这一行像是上面表格的注，但和表格之间隔着空行：会当作正文印出来",
                "删掉表格和注之间的空行；如果它本来就是正文，不用改",
            )
        } else {
            continue;
        };
        diags.push(
            Diagnostic::warning("table-astray", src, text.span.clone(), message).with_help(help),
        );
    }
}

/// `1、建立…` at a paragraph's start: Word users number with a 顿号, but
/// an Arabic numeral takes a full stop (`1.`, the third heading level,
/// GB/T 9704 7.3.3). Not fixed: whether it is a heading or a list in a
/// paragraph is the writer's to say.
fn number_with_pause(src: &Arc<SourceFile>, body: &[Block], diags: &mut Vec<Diagnostic>) {
    for block in body {
        let Block::Paragraph(text) = block else {
            continue;
        };
        let typed = &src.text[text.span.clone()];
        let digits = typed.bytes().take_while(u8::is_ascii_digit).count();
        let rest = &typed[digits..];
        let Some(after) = rest.strip_prefix('、') else {
            continue;
        };
        if !(1..=3).contains(&digits) || after.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let at = text.span.start;
        let number = &typed[..digits];
        diags.push(
            Diagnostic::warning(
                "number-pause",
                src,
                at..at + digits + '、'.len_utf8(),
                format!("“{number}、”：阿拉伯数字的序号后面不用顿号"),
            )
            .with_help(format!(
                "作三级标题写成“{number}.”；作一级标题写成“{}、”",
                crate::issue::chinese_number(number.parse().unwrap_or(1))
            )),
        );
    }
}

/// A draft written in Markdown (an editor's `.md`, a chat answer) keeps
/// marks this format does not use: `##` headings, `- ` and `* ` list
/// items, `---` rules and ``` fences. They would print as typed (`##一、…`,
/// `-市委办公室`). Warned at the mark; not fixed: what the line should be
/// (a heading, a paragraph, nothing) is the writer's to say.
fn markdown_marks(src: &Arc<SourceFile>, body: &[Block], diags: &mut Vec<Diagnostic>) {
    for block in body {
        let Block::Paragraph(text) = block else {
            continue;
        };
        let typed = &src.text[text.span.clone()];
        let hashes = typed.bytes().take_while(|&b| b == b'#').count();
        let (mark, message, help) = if (2..=6).contains(&hashes) {
            (
                hashes,
                format!(
                    "“{}”是 Markdown 的小标题符号，会照原样印出来",
                    &typed[..hashes]
                ),
                "文章标题写成“# 标题”（一个 # 加空格）；文中的小标题直接写“一、”“（一）”“1.”，不加 #",
            )
        } else if let Some(rest) = typed.strip_prefix(['-', '*', '+'])
            && rest.starts_with([' ', '\t'])
            && !rest.trim_start().is_empty()
        {
            (
                1,
                format!("“{}”是 Markdown 的列表符号，会照原样印出来", &typed[..1]),
                "删掉行首的符号和空格，每一项写成一段；要编号就写“1.”“（1）”",
            )
        } else if typed.len() >= 3
            && (typed.bytes().all(|b| b == b'-')
                || typed.bytes().all(|b| b == b'*')
                || typed.bytes().all(|b| b == b'_')
                || typed.starts_with("```")
                || typed.starts_with("~~~"))
        {
            (
                typed.len().min(3),
                "这一行是 Markdown 的分隔线或代码块符号，会照原样印出来".to_string(),
                "删掉这一行",
            )
        } else {
            continue;
        };
        let at = text.span.start;
        diags.push(
            Diagnostic::warning("markdown-mark", src, at..at + mark, message).with_help(help),
        );
    }
}

/// Text copied from a PDF keeps the PDF's line ends: a long paragraph
/// line that stops in the middle of a sentence (on a character, not a
/// mark) with the next line right under it going on as text, which would
/// become a paragraph of its own ("…发现一般事故" / "隐患5872项…").
/// Warned at the line's end; not fixed: only the writer knows.
fn broken_sentences(src: &Arc<SourceFile>, body: &[Block], diags: &mut Vec<Diagnostic>) {
    /// Shorter lines end on a word often enough: 联系人：张明.
    const LONG: usize = 20;
    for pair in body.windows(2) {
        let (Block::Paragraph(line), Block::Paragraph(next)) = (&pair[0], &pair[1]) else {
            continue;
        };
        let typed = &src.text[line.span.clone()];
        let Some(last) = typed.chars().last() else {
            continue;
        };
        let between = src.text.get(line.span.end..next.span.start).unwrap_or("");
        let adjacent = between.matches('\n').count() == 1
            && between
                .chars()
                .all(|c| c.is_whitespace() || c == '\u{3000}');
        let next_typed = &src.text[next.span.clone()];
        let digits = next_typed.bytes().take_while(u8::is_ascii_digit).count();
        // `1、` `2.` start an item of a list, not the rest of a sentence.
        let numbered = digits > 0 && next_typed[digits..].starts_with(['、', '.', '．', ')', '）']);
        let goes_on = !numbered
            && next_typed
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric());
        // 来源：… 编辑：…: a row of fields ends on a name.
        let fields = typed.matches(['：', ':']).count() >= 2;
        if !adjacent
            || fields
            || crate::clean::looks_like_picture(typed)
            || !goes_on
            || typed.chars().count() < LONG
            || !last.is_alphanumeric()
        {
            continue;
        }
        let at = line.span.end - last.len_utf8();
        diags.push(
            Diagnostic::warning(
                "broken-sentence",
                src,
                at..line.span.end,
                "这一行在句子中间断开，下一行会另起一段（像是从 PDF 复制带来的换行）",
            )
            .with_help("把下一行接到这一行后面；如果本来就是两段，在这一行末尾加上标点"),
        );
    }
}

/// What looks like markup but carries nothing: a line that is only a mark
/// (`# `, `@ `, `^ ` with nothing after, printed as the bare mark), and
/// a title with no text under it before the next title or 栏目 (an
/// article of a title alone, in 本期要目 too).
fn empty_lines_of_markup(src: &Arc<SourceFile>, body: &[Block], diags: &mut Vec<Diagnostic>) {
    for (k, block) in body.iter().enumerate() {
        match block {
            Block::Paragraph(text) => {
                let typed = &src.text[text.span.clone()];
                if !matches!(typed, "#" | "@" | "＠" | "^" | "＃") {
                    continue;
                }
                diags.push(
                    Diagnostic::warning(
                        "empty-markup",
                        src,
                        text.span.clone(),
                        format!("这一行只有“{typed}”，后面没有文字，会把“{typed}”当正文印出来"),
                    )
                    .with_help(format!("在“{typed}”和一个空格后面写上文字，或删掉这一行")),
                );
            }
            Block::Title { lines, .. } => {
                let next = body.get(k + 1);
                if !matches!(
                    next,
                    None | Some(Block::Title { .. } | Block::Label(_) | Block::Attachment(_))
                ) {
                    continue;
                }
                let Some(first) = lines.first() else {
                    continue;
                };
                diags.push(
                    Diagnostic::warning(
                        "title-without-body",
                        src,
                        first.span.clone(),
                        "这个标题下面没有正文，它会单独算作一篇文章",
                    )
                    .with_help("在标题下面写上正文；如果它和下一个标题是同一个标题的两行，把中间的行删掉，让 # 行挨在一起"),
                );
            }
            _ => {}
        }
    }
}

/// A paragraph that starts like a picture (`![`, `！[`) but is not one:
/// an empty or unclosed path, or words after it. Printed as typed, and
/// not cleaned (a fix would turn its `(` `)` into `（` `）`).
fn unfinished_pictures(src: &Arc<SourceFile>, body: &[Block], diags: &mut Vec<Diagnostic>) {
    for block in body {
        let Block::Paragraph(text) = block else {
            continue;
        };
        let typed = &src.text[text.span.clone()];
        if !crate::clean::looks_like_picture(typed) {
            continue;
        }
        let at = text.span.start;
        let mark = typed.chars().take(2).map(char::len_utf8).sum::<usize>();
        diags.push(
            Diagnostic::warning(
                "picture-syntax",
                src,
                at..at + mark,
                "这一行像是图片，但写法不完整，会当作正文印出来",
            )
            .with_help("图片单独写一行：![图片说明](images/文件名.jpg)，路径不能空，最后的“)”后面只能跟 {width=50%}；如果它本来就是正文，在行首加 \\"),
        );
    }
}

/// Pasted-text problems the cleaner fixes before layout (half-width marks
/// and straight quotes in Chinese, stray spaces, full-width digits), as
/// warnings with the fix; `jianbao check --fix` applies them.
fn pasted_text(src: &Arc<SourceFile>, body: &[Block], diags: &mut Vec<Diagnostic>) {
    use crate::clean::{self, FixKind};
    for fix in clean::file_fixes(&src.text, body) {
        let typed = &src.text[fix.range.clone()];
        let (message, help) = match fix.kind {
            FixKind::HalfWidthPunctuation => (
                format!("中文里用了半角标点“{typed}”"),
                format!("改成全角“{}”", fix.replacement),
            ),
            FixKind::StraightQuote => (
                format!("中文里用了直引号 {typed}"),
                format!("改成“{}”", fix.replacement),
            ),
            FixKind::Space if fix.replacement.is_empty() => (
                "中文字之间有多余的空格".to_string(),
                "删掉空格：中文字之间不空格".to_string(),
            ),
            FixKind::Space => (
                "标题里用半角空格隔开词组".to_string(),
                "改成全角空格“　”".to_string(),
            ),
            FixKind::FullWidthAlphanumeric => (
                format!("全角数字或字母“{typed}”"),
                format!("改成半角“{}”", fix.replacement),
            ),
            FixKind::Minus => (
                format!("负数前用了连字符“{typed}”"),
                "改成负号“−”".to_string(),
            ),
            FixKind::Range => (
                format!("数值范围用了“{typed}”"),
                "改成浪纹线“～”（GB/T 15834—2011 4.13.3）".to_string(),
            ),
            FixKind::OddQuote => (
                format!("中文里用了网页的异体引号 {typed}"),
                format!("改成中文引号 {}", fix.replacement),
            ),
            FixKind::UnitSpace => (
                "数字和单位（℃ % ‰）之间有空格".to_string(),
                "删掉空格：数字紧挨着单位".to_string(),
            ),
            FixKind::FieldSeparator => (
                "用半角空格隔开两栏（如“编辑：… 审核：…”）".to_string(),
                "改成全角空格“　”，两栏才不会连成一句".to_string(),
            ),
            FixKind::HtmlEntity if fix.replacement.trim().is_empty() => (
                format!("网页代码“{typed}”（从网页复制带来的空格）"),
                "删掉它".to_string(),
            ),
            FixKind::HtmlEntity => (
                format!("网页代码“{typed}”（从网页复制带来的）"),
                format!("改成它代表的“{}”", fix.replacement),
            ),
            FixKind::HeadingMark => (
                if typed.trim() == "、" {
                    "一级标题的编号和顿号之间有空格".to_string()
                } else {
                    format!("一级标题的编号后面用了“{}”", typed.trim())
                },
                "改成顿号“、”：一级标题写成“一、”".to_string(),
            ),
            FixKind::Invisible => (
                format!(
                    "看不见的字符 {}（从网页或微信复制带来的）",
                    typed
                        .chars()
                        .map(|c| format!("U+{:04X}", c as u32))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
                "删掉它".to_string(),
            ),
        };
        let code = fix.kind.code();
        diags.push(
            Diagnostic::warning(code, src, fix.range.clone(), message).with_help(format!(
                "{help}（排版时自动改正；jianbao check --fix 改好文件）"
            )),
        );
    }
    // Lines are what they are as typed: an invisible character that
    // decides it stays (and prints nothing), and the clerk is told.
    for kept in clean::withheld_fixes(&src.text, body) {
        let (typed, would_be) = (kept.typed.name(), kept.would_be.name());
        if !kept.invisible {
            let marks = &src.text[kept.range.clone()];
            diags.push(
                Diagnostic::warning(
                    "loose-heading-mark",
                    src,
                    kept.range.clone(),
                    format!("行首的“{marks}”像是{would_be}的编号，但写法不规范，这一行按{typed}排"),
                )
                .with_help(format!(
                    "要作{would_be}，把编号写规范（全角括号、不留空格，如“（一）”）；要保持{typed}，在行首加 \\（jianbao check --fix 不改它：改了这一行就变了）"
                )),
            );
            continue;
        }
        let codes: Vec<String> = src.text[kept.range.clone()]
            .chars()
            .map(|c| format!("U+{:04X}", c as u32))
            .collect();
        diags.push(
            Diagnostic::warning(
                "invisible-character-kept",
                src,
                kept.range.clone(),
                format!(
                    "看不见的字符 {}（从网页或微信复制带来的）让这一行算作{typed}，不是{would_be}",
                    codes.join(" ")
                ),
            )
            .with_help(format!(
                "要作{would_be}，删掉它；要保持{typed}，删掉它并在行首加 \\（jianbao check --fix 不删它：删了这一行就变了）"
            )),
        );
    }
}

/// A picture must be a PNG, JPEG or SVG file inside the publication
/// folder, within the size limits ([`crate::picture::locate`]: the file is
/// found and its head read; decoding it is [`decode_pictures`]).
fn picture(
    src: &Arc<SourceFile>,
    root: &Path,
    path: &str,
    span: Span,
    diags: &mut Vec<Diagnostic>,
) {
    if let Err(problem) = crate::picture::locate(root, path) {
        diags.push(picture_problem(src, root, path, span, &problem));
    }
}

/// Decodes the pictures of some issues the way the layout will, so that a
/// truncated or damaged picture is an error at its place before `build`.
/// Only pictures that [`picture`] found good are decoded, each file once
/// however many times it is named. Under a PDF `standard`, what its
/// validation in typst's PDF writer would refuse is an error here too:
/// a picture with transparency under PDF/A-1, a picture without a caption
/// (its alt text) where every picture needs one. One list of diagnostics
/// per issue.
pub fn decode_pictures(
    issues: &[&Issue],
    root: &Path,
    standard: Option<PdfStandard>,
) -> Vec<Vec<Diagnostic>> {
    use crate::compose::picture::MIN_PPI;
    use crate::picture::{Decoded, ISSUE_FILTER_BUDGET, Located, Problem, decode, locate};
    use rayon::prelude::*;
    use std::collections::HashMap;
    let opaque = standard.is_some_and(PdfStandard::forbids_transparency);
    let archival = standard.is_some_and(PdfStandard::is_archival);
    // (issue, the path as written, the file found).
    let mut named: Vec<(usize, &Spanned<String>, Located)> = Vec::new();
    let mut out: Vec<Vec<Diagnostic>> = issues.iter().map(|_| Vec::new()).collect();
    for (i, issue) in issues.iter().enumerate() {
        for block in &issue.body {
            let Block::Picture { path, caption, .. } = block else {
                continue;
            };
            if let Some(standard) = standard.filter(|s| s.needs_alt_text())
                // Only what can be seen is alt text: a caption of spaces
                // and invisible characters (U+200B) is none.
                && caption
                    .plain()
                    .chars()
                    .all(|c| c.is_whitespace() || crate::script::unprintable(c).is_some())
            {
                out[i].push(no_caption(&issue.source, standard, path, caption));
            }
            if let Ok(found) = locate(root, &path.value) {
                named.push((i, path, found));
            }
        }
    }
    let mut files: Vec<&Located> = named.iter().map(|(.., found)| found).collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    let decoded: HashMap<&Path, Result<Decoded, Problem>> = files
        .par_iter()
        .map(|found| (found.path.as_path(), decode(found, opaque)))
        .collect();
    // The filters of all the SVGs of an issue together (each file once):
    // an error at the picture that takes them past the budget.
    let mut spent: HashMap<usize, (f64, std::collections::HashSet<&Path>)> = HashMap::new();
    for (i, path, found) in &named {
        let Some(Ok(d)) = decoded.get(found.path.as_path()) else {
            continue;
        };
        let (total, seen) = spent.entry(*i).or_default();
        if d.filter_ns > 0.0 && seen.insert(found.path.as_path()) {
            let before = *total;
            *total += d.filter_ns;
            if before <= ISSUE_FILTER_BUDGET && *total > ISSUE_FILTER_BUDGET {
                out[*i].push(
                    Diagnostic::error(
                        "picture-too-costly",
                        &issues[*i].source,
                        path.span.clone(),
                        format!(
                            "这一期到图片 {} 为止，SVG 图片的滤镜效果合起来估计要画 {:.0} 秒，上限是 {:.0} 秒",
                            path.value,
                            (*total / 1e9).ceil(),
                            ISSUE_FILTER_BUDGET / 1e9
                        ),
                    )
                    .with_help("用图片软件把其中几张 SVG 另存为 PNG（滤镜效果就画进了图片里）"),
                );
            }
        }
    }
    // A picture that decodes but prints coarser than the floor, at the size
    // the layout gives it (its width asked for, its row shared).
    for (i, issue) in issues.iter().enumerate() {
        let printed = crate::compose::picture::resolutions(&issue.body, root, &issue.source.text);
        for (k, ppi) in printed {
            let Block::Picture { path, width, .. } = &issue.body[k] else {
                continue;
            };
            let good = |p: &Spanned<String>| {
                named.iter().any(|(n, q, found)| {
                    *n == i
                        && q.span == p.span
                        && matches!(decoded.get(found.path.as_path()), Some(Ok(_)))
                })
            };
            if ppi.round() < MIN_PPI && good(path) {
                out[i].push(low_resolution(
                    &issue.source,
                    path,
                    width.as_ref().map(|w| w.value),
                    ppi,
                ));
            }
        }
    }
    for (i, path, found) in &named {
        let src = &issues[*i].source;
        match decoded.get(found.path.as_path()) {
            Some(Err(problem)) => out[*i].push(picture_problem(
                src,
                root,
                &path.value,
                path.span.clone(),
                problem,
            )),
            Some(Ok(d)) if d.cmyk && archival => {
                let standard = standard.map(PdfStandard::title).unwrap_or_default();
                out[*i].push(
                    Diagnostic::error(
                        "picture-cmyk",
                        src,
                        path.span.clone(),
                        format!(
                            "{standard} 要求 CMYK 图片带颜色配置，jianbao 用的 PDF 写入器给不了；图片 {} 是 CMYK 的",
                            path.value
                        ),
                    )
                    .with_help("用图片软件把它转成 RGB 后另存为 JPEG；或者不用 PDF/A 标准"),
                );
            }
            Some(Ok(d)) if d.transparent && opaque => {
                let standard = standard.map(PdfStandard::title).unwrap_or_default();
                let (what, help) = match found.format {
                    crate::picture::PictureFormat::Svg => (
                        "用了半透明、蒙版或滤镜",
                        "用图片软件把它另存为不透明的 PNG 或 JPEG",
                    ),
                    _ => (
                        "带透明通道（alpha）",
                        "用图片软件把它放在白色背景上拼合（去掉透明通道）后另存为 JPEG 或 PNG",
                    ),
                };
                out[*i].push(
                    Diagnostic::error(
                        "picture-transparent",
                        src,
                        path.span.clone(),
                        format!("{standard} 不允许透明，图片 {} {what}", path.value),
                    )
                    .with_help(format!("{help}；或者用允许透明的 a-2b（PDF/A-2b）存档")),
                );
            }
            _ => {}
        }
    }
    out
}

/// A raster picture that prints at `ppi` pixels per inch, below the
/// floor: at its path, with the width asked for that prints it at the
/// floor (by default a picture is never made that coarse).
fn low_resolution(
    src: &Arc<SourceFile>,
    path: &Spanned<String>,
    asked: Option<PictureWidth>,
    ppi: f64,
) -> Diagnostic {
    use crate::compose::picture::MIN_PPI;
    let message = format!(
        "图片 {} 按现在的宽度只有 {:.0} ppi（每英寸像素数），低于 {MIN_PPI:.0} ppi，印出来会发虚、有锯齿",
        path.value,
        ppi.round()
    );
    // Narrower by as much as the resolution is short.
    let shrink = ppi / MIN_PPI;
    let narrower = match asked {
        Some(PictureWidth::Percent(p)) => Some(((p * shrink).floor(), "%")),
        Some(PictureWidth::Chars(n)) => Some(((n * shrink).floor(), "字")),
        None => None,
    }
    .filter(|(w, _)| *w >= 1.0)
    .map(|(w, unit)| format!("{{width={w:.0}{unit}}}"));
    let help = match narrower {
        Some(w) => format!("把宽度改成 {w} 或更窄，或者换一张像素更多的原图"),
        None => "换一张像素更多的原图".to_string(),
    };
    Diagnostic::warning("picture-low-resolution", src, path.span.clone(), message).with_help(help)
}

/// A picture without a caption where the PDF standard needs alt text:
/// at its empty `[]`.
fn no_caption(
    src: &Arc<SourceFile>,
    standard: PdfStandard,
    path: &Spanned<String>,
    caption: &Text,
) -> Diagnostic {
    let title = standard.title();
    // The brackets around the empty caption.
    let span = caption.span.start.saturating_sub(1)..caption.span.end + 1;
    Diagnostic::error(
        "picture-no-caption",
        src,
        span,
        format!("{title} 要求每张图片都有替代文字，这张图片没有说明（说明就是它的替代文字）"),
    )
    .with_help(format!(
        "在 [] 里写上图片说明，例如 ![会议现场]({})",
        path.value
    ))
}

fn picture_problem(
    src: &Arc<SourceFile>,
    root: &Path,
    path: &str,
    span: Span,
    problem: &crate::picture::Problem,
) -> Diagnostic {
    use crate::picture::Problem;
    let message = match problem {
        Problem::Missing => format!("找不到图片 {path}"),
        p => format!("图片 {path} {p}"),
    };
    let help = match problem {
        Problem::Missing => match near_picture(root, path) {
            Some(near) => format!(
                "有 {}：路径要和文件名一字不差，大小写和扩展名也一样",
                crate::script::escape_unprintable(&near)
            ),
            None => match display_path(root) {
                shown if shown == Path::new(".") => {
                    "图片路径从简报文件夹（jianbao.toml 所在的文件夹）算起".to_string()
                }
                _ => format!("图片路径从简报文件夹 {} 算起", show_path(root)),
            },
        },
        p => p.help(),
    };
    Diagnostic::error(problem.code(), src, span, message).with_help(help)
}

/// The file a missing picture path most likely meant: one that differs
/// only in the case of its letters (`images/Meeting.JPG` for
/// `images/meeting.jpg`, which Windows would have found) or, in its last
/// part, in the extension (`images/meeting.png`).
fn near_picture(root: &Path, path: &str) -> Option<String> {
    let parts: Vec<&str> = path
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let stem = |name: &str| {
        Path::new(name)
            .file_stem()
            .map(|s| s.to_string_lossy().to_lowercase())
    };
    let mut dir = root.to_path_buf();
    let mut found = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let names: Vec<String> = std::fs::read_dir(&dir)
            .ok()?
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        let same_case = names.iter().find(|n| n == part);
        let other_case = || {
            names
                .iter()
                .find(|n| n.to_lowercase() == part.to_lowercase())
        };
        let other_extension = || {
            (i + 1 == parts.len())
                .then(|| {
                    names.iter().find(|n| {
                        stem(n) == stem(part)
                            && Path::new(n.as_str()).extension().is_some_and(|e| {
                                matches!(
                                    e.to_string_lossy().to_lowercase().as_str(),
                                    "png" | "jpg" | "jpeg" | "svg"
                                )
                            })
                    })
                })
                .flatten()
        };
        let name = same_case.or_else(other_case).or_else(other_extension)?;
        dir.push(name);
        found.push(name.clone());
    }
    dir.is_file().then(|| found.join("/"))
}
