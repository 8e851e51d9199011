//! Rules on attachments (附件): the note and the attachments after the
//! text agree (GB/T 9704—2012 §7.3.4: 附件顺序号和附件标题应当与附件说明
//! 的表述一致), are numbered 1, 2, 3…, and stand after the articles.

use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::issue::{Attachment, AttachmentNote, Block, Text};
use crate::source::{SourceFile, Spanned};

/// Marks a name may not end with (GB/T 9704 §7.3.4: 附件名称后不加标点符号).
const END_MARKS: &[char] = &['。', '；', '，', '、', '：', ';', ','];

pub fn check_attachments(src: &Arc<SourceFile>, body: &[Block], diags: &mut Vec<Diagnostic>) {
    let notes: Vec<&AttachmentNote> = body
        .iter()
        .filter_map(|b| match b {
            Block::AttachmentNote(n) => Some(n),
            _ => None,
        })
        .collect();
    let marks: Vec<(usize, &Attachment)> = body
        .iter()
        .enumerate()
        .filter_map(|(k, b)| match b {
            Block::Attachment(a) => Some((k, a)),
            _ => None,
        })
        .collect();
    loose_marks(src, body, diags);
    for note in &notes {
        punctuation(src, note, diags);
        numbering(
            src,
            note.items.iter().map(|i| (i.number.as_ref(), &i.name.span)),
            "附件说明里的",
            diags,
        );
    }
    numbering(
        src,
        marks.iter().map(|(_, a)| (a.number.as_ref(), &a.mark)),
        "",
        diags,
    );
    let Some(&(first_mark, first)) = marks.first() else {
        if let Some(note) = notes.first() {
            let n = notes.iter().map(|n| n.items.len()).sum::<usize>();
            count_mismatch(src, note, n, 0, diags);
        }
        return;
    };
    // The attachments follow the articles: a mark before the first title
    // (or with nothing before it) would make the articles attachments.
    let first_title = body.iter().position(|b| matches!(b, Block::Title { .. }));
    if first_mark == 0 || first_title.is_some_and(|t| t > first_mark) {
        diags.push(
            Diagnostic::error(
                "attachment-before-article",
                src,
                first.mark.clone(),
                format!(
                    "“{}”在第一篇文章前面：附件应排在正文之后",
                    first.printed_mark()
                ),
            )
            .with_help("把附件（从“附件1”这一行到附件的最后一行）移到全部文章的后面"),
        );
    }
    // Each attachment has something under its head.
    for (k, &(at, a)) in marks.iter().enumerate() {
        let end = marks.get(k + 1).map_or(body.len(), |&(next, _)| next);
        if end == at + 1 {
            diags.push(
                Diagnostic::error(
                    "attachment-empty",
                    src,
                    a.mark.clone(),
                    format!(
                        "{}下面没有内容：会印出只有“{}”{}的一页",
                        a.printed_mark(),
                        a.printed_mark(),
                        if a.title.is_empty() { "" } else { "和标题" }
                    ),
                )
                .with_help("在它下面写上附件的正文（段落、标题、表格都可以）；如果附件另行印发，删掉这一行和附件说明里的这一项"),
            );
        }
    }
    let Some(&note) = notes.first() else {
        diags.push(
            Diagnostic::warning(
                "attachment-without-note",
                src,
                first.mark.clone(),
                format!("有“{}”，但正文后面没有附件说明", first.printed_mark()),
            )
            .with_help(
                "在正文最后一段下面写附件说明：“附件：1. 名称”，第二个附件起每个一行“2. 名称”（只有一个附件写“附件：名称”）",
            ),
        );
        return;
    };
    let listed: Vec<&crate::issue::AttachmentItem> = notes.iter().flat_map(|n| &n.items).collect();
    if listed.len() != marks.len() {
        count_mismatch(src, note, listed.len(), marks.len(), diags);
    }
    // Each attachment's title as the note names it, in order (a number
    // out of its place is an error of its own).
    for ((_, a), item) in marks.iter().zip(&listed) {
        let name = item.name.plain();
        let title: String = a.title.iter().map(Text::plain).collect();
        if normalised(&name) == normalised(&title) {
            continue;
        }
        let (span, message) = match a.title.first() {
            Some(t) => (
                t.span.clone(),
                format!(
                    "{}的标题“{}”和附件说明里的名称“{}”不一致",
                    a.printed_mark(),
                    title,
                    name.trim()
                ),
            ),
            None => (
                a.mark.clone(),
                format!(
                    "{}没有标题，附件说明里它叫“{}”",
                    a.printed_mark(),
                    name.trim()
                ),
            ),
        };
        diags.push(
            Diagnostic::warning("attachment-title", src, span, message).with_help(format!(
                "附件的标题要和附件说明的写法一致（GB/T 9704—2012 7.3.4）：标题行写成“# {}”，或改附件说明",
                normalised(&name)
            )),
        );
    }
}

/// A name or title as a reader compares them: cleaned, without spaces
/// (a title typed over two `# ` lines, a name with a stray blank) and
/// without a mark at its end.
fn normalised(s: &str) -> String {
    let cleaned = crate::clean::clean(s);
    let mut out: String = cleaned
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect();
    while out.ends_with(END_MARKS) {
        out.pop();
    }
    out
}

/// A name ending in a punctuation mark.
fn punctuation(src: &Arc<SourceFile>, note: &AttachmentNote, diags: &mut Vec<Diagnostic>) {
    for item in &note.items {
        let typed = src.text[item.name.span.clone()].trim_end();
        let Some(last) = typed.chars().last().filter(|c| END_MARKS.contains(c)) else {
            continue;
        };
        let end = item.name.span.start + typed.len();
        diags.push(
            Diagnostic::warning(
                "attachment-note-punctuation",
                src,
                end - last.len_utf8()..end,
                format!("附件名称后面多了“{last}”"),
            )
            .with_help(format!(
                "附件名称后不加标点符号（GB/T 9704—2012 7.3.4）：删掉这个“{last}”"
            )),
        );
    }
}

/// Numbers that count 1, 2, 3…: an error at the first out of its place
/// or repeated; with several, each must have one.
fn numbering<'a>(
    src: &Arc<SourceFile>,
    numbers: impl Iterator<Item = (Option<&'a Spanned<u32>>, &'a crate::source::Span)>,
    whose: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let numbers: Vec<_> = numbers.collect();
    if numbers.len() < 2 && numbers.iter().all(|(n, _)| n.is_none_or(|n| n.value == 1)) {
        return;
    }
    let mut seen: Vec<u32> = Vec::new();
    for (k, (number, span)) in numbers.iter().enumerate() {
        let expected = k as u32 + 1;
        let (span, message, help) = match number {
            None => (
                (*span).clone(),
                format!("{whose}第 {expected} 个附件没有编号：有几个附件时，每个都要编号"),
                format!(
                    "写成“{}”",
                    if whose.is_empty() {
                        format!("附件{expected}")
                    } else {
                        format!("{expected}. 名称")
                    }
                ),
            ),
            Some(n) if seen.contains(&n.value) => (
                n.span.clone(),
                format!("{whose}附件编号 {} 重复了", n.value),
                format!("这里应该是 {expected}"),
            ),
            Some(n) if n.value != expected => (
                n.span.clone(),
                format!("{whose}附件编号 {} 顺序不对，应该是 {expected}", n.value),
                format!("附件从 1 起按顺序编号：这里应该是 {expected}"),
            ),
            Some(n) => {
                seen.push(n.value);
                continue;
            }
        };
        diags.push(Diagnostic::error("attachment-number", src, span, message).with_help(help));
        return;
    }
}

/// The note lists `listed` attachments, `found` follow.
fn count_mismatch(
    src: &Arc<SourceFile>,
    note: &AttachmentNote,
    listed: usize,
    found: usize,
    diags: &mut Vec<Diagnostic>,
) {
    let help = if found == 0 {
        "在正文后面另起一行写“附件1”（只有一个附件写“附件”），下面是附件的标题（# 开头）和内容；如果附件另行印发，可以不管这条警告".to_string()
    } else if found > listed {
        "把后面的每个附件都写进附件说明，一个一行：“2. 名称”".to_string()
    } else {
        "删掉附件说明里没有附上的项，或把缺的附件补在后面（“附件N”一行，下面是标题和内容）"
            .to_string()
    };
    diags.push(
        Diagnostic::warning(
            "attachment-count",
            src,
            note.label.clone(),
            format!("附件说明列了 {listed} 个附件，后面附了 {found} 个"),
        )
        .with_help(help),
    );
}

/// A paragraph that looks like an attachment's mark but is not one:
/// `附件一`, `附件1：`, `附件1.` alone on the line. It prints as a line of
/// text and starts no page.
fn loose_marks(src: &Arc<SourceFile>, body: &[Block], diags: &mut Vec<Diagnostic>) {
    for block in body {
        let Block::Paragraph(text) = block else {
            continue;
        };
        let typed = &src.text[text.span.clone()];
        let Some(rest) = typed.strip_prefix("附件") else {
            continue;
        };
        let number = rest.trim_end_matches(['：', ':', '.', '．', '、']).trim();
        let arabic = !number.is_empty()
            && number
                .chars()
                .all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c));
        let chinese = !number.is_empty()
            && number.chars().count() <= 3
            && number.chars().all(|c| "一二三四五六七八九十".contains(c));
        let marked = arabic && number.len() < rest.len();
        // `附件1000`: a mark of four digits or more is read as text (a
        // number no attachment has), its title as an article's: said, and
        // the build refused (the attack review).
        if arabic && !marked && number.chars().count() > 3 {
            diags.push(
                Diagnostic::error(
                    "attachment-number",
                    src,
                    text.span.clone(),
                    format!("“{typed}”的序号太大：附件最多编到 999"),
                )
                .with_help("附件按 1、2、3…… 编号；这一行如果是正文，在行首加 \\"),
            );
            continue;
        }
        if !(marked || chinese) {
            continue;
        }
        let digits: String = if arabic {
            number
                .chars()
                .map(|c| {
                    char::from_digit(c.to_digit(10).unwrap_or_else(|| c as u32 - '０' as u32), 10)
                        .unwrap_or(c)
                })
                .collect()
        } else {
            chinese_value(number).map_or_else(String::new, |n| n.to_string())
        };
        diags.push(
            Diagnostic::warning(
                "attachment-mark",
                src,
                text.span.clone(),
                format!("“{typed}”像是附件的标记，但会当作一段正文印出来，不会另起一页"),
            )
            .with_help(format!(
                "附件标记单独一行，写成“附件{digits}”（阿拉伯数字，后面不加标点；只有一个附件写“附件”）"
            )),
        );
    }
}

/// 一 … 十九 as a number.
fn chinese_value(s: &str) -> Option<u32> {
    let digit = |c: char| "一二三四五六七八九".find(c).map(|i| i as u32 / 3 + 1);
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', c] => Some(10 + digit(*c)?),
        [a, '十'] => Some(digit(*a)? * 10),
        [a, '十', c] => Some(digit(*a)? * 10 + digit(*c)?),
        _ => None,
    }
}
