//! The body grammar (docs/issue-format.md): one line is one paragraph; titles,
//! lead-in, subtitle, column labels, editor's notes, pictures and numbered
//! headings are recognised from how the line starts.

use std::sync::Arc;

use super::front_matter::line_spans;
use super::model::{
    Attachment, AttachmentItem, AttachmentNote, Block, HeadingLevel, Inline, PictureWidth, Text,
};
use super::table;
use super::text::{Line, inline_text, is_blank};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Spanned};

pub fn parse_body(file: &Arc<SourceFile>, start: usize, diags: &mut Vec<Diagnostic>) -> Vec<Block> {
    let src = file.text.as_str();
    let lines: Vec<Line> = line_spans(src, start)
        .filter_map(|raw| {
            let s = &src[raw.clone()];
            let lead = s.len() - s.trim_start_matches(is_blank).len();
            let text = s.trim_matches(is_blank);
            let kind = line_kind(text);
            let plain = matches!(
                kind,
                LineKind::Paragraph | LineKind::Heading(_) | LineKind::Dash
            );
            // `^<tab>…` is a row whose first cell joins the one above,
            // not a lead-in.
            let tabs = table::tabs(
                s,
                plain || table::starts_with_join(s),
                matches!(kind, LineKind::Heading(_)),
            );
            (kind != LineKind::Blank).then(|| Line {
                text,
                span: raw.start + lead..raw.start + lead + text.len(),
                raw,
                tabs,
                plain,
            })
        })
        .collect();

    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let t = line.text;
        let kind = line_kind(t);
        if let Some(rest) = t.strip_prefix('\\') {
            let span = line.span.start + 1..line.span.end;
            blocks.push(Block::Paragraph(Text {
                runs: vec![Inline {
                    text: rest.to_string(),
                    emphasis: false,
                }],
                span,
            }));
            i += 1;
        } else if kind == LineKind::AttachmentNote {
            let (note, next) = attachment_note(file, src, &lines, i, diags);
            blocks.push(Block::AttachmentNote(note));
            i = next;
        } else if let Some(number) = attachment_mark(t).filter(|_| kind == LineKind::AttachmentMark)
        {
            let at = line.span.start;
            i += 1;
            // The `# ` lines right under the mark are its title.
            let title = title_lines(file, &lines, &mut i, diags);
            blocks.push(Block::Attachment(Attachment {
                number: number.map(|(n, r)| Spanned::new(n, at + r.start..at + r.end)),
                mark: line.span.clone(),
                title,
            }));
        } else if let Some(found) = table::table_at(file, &lines, i, diags) {
            blocks.push(Block::Table(found.table));
            i = found.next;
        } else if matches!(kind, LineKind::Lead | LineKind::TitleLine) {
            let lead = marker(t, '^').map(|(off, rest)| {
                i += 1;
                inline_text(file, rest, line.span.start + off, diags)
            });
            let title = title_lines(file, &lines, &mut i, diags);
            if title.is_empty() {
                let span = line.span.clone();
                diags.push(
                    Diagnostic::error(
                        "lead-without-title",
                        file,
                        span.start..span.start + 1,
                        "引题（^ 开头的行）后面应紧跟标题行（# 开头）",
                    )
                    .with_help("把 ^ 行移到 # 标题行的正上方；如果它本来就是正文，在行首加 \\"),
                );
                if let Some(lead) = lead {
                    blocks.push(Block::Paragraph(lead));
                }
                continue;
            }
            let subtitle = lines
                .get(i)
                .filter(|l| line_kind(l.text) == LineKind::Dash)
                .map(|l| {
                    i += 1;
                    inline_text(file, l.text, l.span.start, diags)
                });
            let mut byline = Vec::new();
            // Under a title, `＠县委书记` without the space is a byline too
            // (a Chinese keyboard types it so); elsewhere it is text.
            while let Some((off, rest)) = lines
                .get(i)
                .filter(|l| matches!(line_kind(l.text), LineKind::Byline | LineKind::Paragraph))
                .and_then(|l| {
                    byline_marker(l.text)
                        .or_else(|| tight_byline(l.text))
                        .map(|(o, r)| (l.span.start + o, r))
                })
            {
                byline.push(inline_text(file, rest, off, diags));
                i += 1;
            }
            blocks.push(Block::Title {
                lead,
                lines: title,
                subtitle,
                byline,
            });
        } else if let Some((off, _)) = byline_marker(t).filter(|_| kind == LineKind::Byline) {
            // A byline away from a title: said, and printed as typed.
            let at = line.span.start;
            diags.push(
                Diagnostic::error(
                    "byline-without-title",
                    file,
                    at..at + off,
                    "署名行（@ 开头的行）应紧跟在标题下面",
                )
                .with_help(
                    "把 @ 行移到 # 标题行（或 —— 副题行）的正下方；如果它本来就是正文，在行首加 \\",
                ),
            );
            blocks.push(Block::Paragraph(inline_text(file, t, at, diags)));
            i += 1;
        } else if kind == LineKind::Note {
            // `> text`, or `>text` as people also type it: an editor's note.
            let mut paras = Vec::new();
            while let Some(l) = lines.get(i).filter(|l| line_kind(l.text) == LineKind::Note) {
                let rest = l.text[1..].trim_start_matches(is_blank);
                let off = l.text.len() - rest.len();
                paras.push(inline_text(file, rest, l.span.start + off, diags));
                i += 1;
            }
            blocks.push(Block::Note(paras));
        } else if kind == LineKind::Label {
            blocks.push(Block::Label(Text {
                runs: vec![Inline {
                    text: t.to_string(),
                    emphasis: false,
                }],
                span: line.span.clone(),
            }));
            i += 1;
        } else if let Some(pic) = picture(t).filter(|_| kind == LineKind::Picture) {
            let at = line.span.start;
            let caption = Text {
                runs: vec![Inline {
                    text: pic.caption.to_string(),
                    emphasis: false,
                }],
                span: at + pic.caption_at..at + pic.caption_at + pic.caption.len(),
            };
            let path_span = at + pic.path_at..at + pic.path_at + pic.path.len();
            let width = pic
                .attrs
                .and_then(|(attrs, off)| picture_width(file, attrs, at + off, diags));
            blocks.push(Block::Picture {
                caption,
                path: Spanned::new(pic.path.to_string(), path_span),
                width,
            });
            i += 1;
        } else {
            let text = inline_text(file, t, line.span.start, diags);
            blocks.push(match heading_number(t) {
                Some((level, ordinal)) => {
                    let (head, rest) = split_heading(&text);
                    Block::Heading {
                        level,
                        ordinal,
                        head,
                        rest,
                    }
                }
                None => Block::Paragraph(text),
            });
            i += 1;
        }
    }
    if blocks.is_empty() {
        // Point at the closing `+++`: the body belongs right after it.
        let end = start.saturating_sub(1).min(src.len());
        let line_start = src[..end].rfind('\n').map_or(0, |i| i + 1);
        let fence = line_start..src[line_start..end].trim_end().len() + line_start;
        diags.push(
            Diagnostic::error(
                "empty-body",
                file,
                fence,
                "正文是空的：头部的 +++ 之后没有文字",
            )
            .with_help("把正文粘贴在第二个 +++ 之后，每段一行"),
        );
    }
    blocks
}

/// What a body line is by itself, before its neighbours are looked at (a
/// `——` line is a subtitle only right after a title, a `^` line a lead-in
/// only right before one). The one classification the parser, `check`,
/// `check --fix` and the cleaning before layout share: cleaning a line
/// never changes its kind (see `clean::file_fixes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// Nothing printable: blanks and invisible characters only. Not a
    /// paragraph: it separates nothing and prints nothing.
    Blank,
    /// `\…`: a paragraph taken as typed.
    Escaped,
    /// `^ …`
    Lead,
    /// `# …`
    TitleLine,
    /// `——…`
    Dash,
    /// `@ …`: a speech's byline or date, under its title.
    Byline,
    /// `>…`
    Note,
    /// `【…】`
    Label,
    /// `![…](…)`
    Picture,
    /// `一、…` `（一）…` `1.…` `（1）…`
    Heading(HeadingLevel),
    /// `|…`: a row of a pipe table.
    TableRow,
    /// `表1　…`: a table's caption, right above one.
    TableCaption,
    /// `注：…`, `数据来源：…`: a table's note, right under one.
    TableNote,
    /// `附件：…`: the attachment note (its `2. …` lines under it are
    /// headings by themselves, items of the note where they stand).
    AttachmentNote,
    /// `附件1`, `附件 1`, `附件` alone: an attachment starts.
    AttachmentMark,
    Paragraph,
}

impl LineKind {
    /// What a clerk calls it.
    pub fn name(self) -> &'static str {
        match self {
            LineKind::Blank => "空行",
            LineKind::Escaped | LineKind::Paragraph => "正文",
            LineKind::Lead => "引题",
            LineKind::TitleLine => "标题",
            LineKind::Dash => "副标题（紧跟标题时）",
            LineKind::Byline => "署名行",
            LineKind::Note => "编者按",
            LineKind::Label => "栏目名",
            LineKind::Picture => "图片",
            LineKind::Heading(HeadingLevel::One) => "一级标题",
            LineKind::Heading(HeadingLevel::Two) => "二级标题",
            LineKind::Heading(HeadingLevel::Three) => "三级标题",
            LineKind::Heading(_) => "四级标题",
            LineKind::TableRow => "表格行",
            LineKind::TableCaption => "表题（紧挨表格时）",
            LineKind::TableNote => "表注（紧挨表格时）",
            LineKind::AttachmentNote => "附件说明",
            LineKind::AttachmentMark => "附件标记",
        }
    }
}

/// The kind of a body line, as typed (blanks around it do not count).
pub fn line_kind(line: &str) -> LineKind {
    let t = line.trim_matches(is_blank);
    if t.chars()
        .all(|c| is_blank(c) || crate::script::is_invisible(c))
    {
        LineKind::Blank
    } else if t.starts_with('\\') {
        LineKind::Escaped
    } else if marker(t, '^').is_some() {
        LineKind::Lead
    } else if title_marker(t).is_some() {
        LineKind::TitleLine
    } else if byline_marker(t).is_some() {
        LineKind::Byline
    } else if t.starts_with('>') {
        LineKind::Note
    } else if is_label(t) {
        LineKind::Label
    } else if picture(t).is_some() {
        LineKind::Picture
    } else if t.starts_with("——") {
        LineKind::Dash
    } else if attachment_label(t).is_some() {
        LineKind::AttachmentNote
    } else if attachment_mark(t).is_some() {
        LineKind::AttachmentMark
    } else if let Some((level, _)) = heading_number(t) {
        LineKind::Heading(level)
    } else if table::is_pipe_row(t) {
        LineKind::TableRow
    } else if table::caption_line(t).is_some() {
        LineKind::TableCaption
    } else if table::is_note_line(t) {
        LineKind::TableNote
    } else {
        LineKind::Paragraph
    }
}

/// `附件：` / `附件:` opening a line: the label's length in bytes.
fn attachment_label(t: &str) -> Option<usize> {
    ["附件：", "附件:"]
        .into_iter()
        .find(|l| t.starts_with(l))
        .map(str::len)
}

/// `附件1`, `附件 1`, `附件１`, `附件` alone on a line: the attachment's
/// number (none for `附件`) and its byte range in the line.
pub fn attachment_mark(t: &str) -> Option<Option<(u32, std::ops::Range<usize>)>> {
    let rest = t.strip_prefix("附件")?;
    let digits = rest.trim_start_matches(is_blank);
    let from = t.len() - digits.len();
    if digits.is_empty() {
        return Some(None);
    }
    let n = arabic(digits).filter(|&(_, len)| len == digits.len())?;
    Some(Some((n.0, from..t.len())))
}

/// Arabic numerals, half- or full-width, 1–3 of them, at the start of
/// `t`: their value and byte length.
fn arabic(t: &str) -> Option<(u32, usize)> {
    let mut value = 0;
    let mut len = 0;
    for (count, c) in t.chars().enumerate() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '０'..='９' => c as u32 - '０' as u32,
            _ => break,
        };
        if count == 3 {
            return None;
        }
        value = value * 10 + d;
        len += c.len_utf8();
    }
    (len > 0).then_some((value, len))
}

/// An item's number in the attachment note: `1.` `2．` `3、` and blanks,
/// then the name (not a figure: `1.5亿元` is no item; a name that starts
/// with a figure is one after a blank or a `．` `、`: `2. 2026年…`). The
/// number, its byte length, and where the name starts.
pub fn item_number(t: &str) -> Option<(u32, usize, usize)> {
    let (n, len) = arabic(t)?;
    let after = t[len..].strip_prefix(['.', '．', '、'])?;
    let name = after.trim_start_matches(is_blank);
    let first = name.chars().next()?;
    let figure = first.is_ascii_digit() || ('０'..='９').contains(&first);
    let apart = name.len() < after.len() || !t[len..].starts_with('.');
    (!figure || apart).then(|| (n, len, t.len() - name.len()))
}

/// The attachment note at line `i`: `附件：` and its first name, and the
/// numbered lines right under it (no blank line between), which are its
/// further items and never headings. The note and the line after it.
fn attachment_note(
    file: &Arc<SourceFile>,
    src: &str,
    lines: &[Line],
    i: usize,
    diags: &mut Vec<Diagnostic>,
) -> (AttachmentNote, usize) {
    let first = &lines[i];
    let label_len = attachment_label(first.text).unwrap_or(0);
    let label = first.span.start..first.span.start + label_len;
    let item = |text: &str, at: usize, diags: &mut Vec<Diagnostic>| -> Option<AttachmentItem> {
        let trimmed = text.trim_start_matches(is_blank);
        let at = at + text.len() - trimmed.len();
        if trimmed.is_empty() {
            return None;
        }
        Some(match item_number(trimmed) {
            Some((n, len, name_at)) => AttachmentItem {
                number: Some(Spanned::new(n, at..at + len)),
                name: inline_text(file, &trimmed[name_at..], at + name_at, diags),
            },
            None => AttachmentItem {
                number: None,
                name: inline_text(file, trimmed, at, diags),
            },
        })
    };
    let mut items: Vec<AttachmentItem> = item(&first.text[label_len..], label.end, diags)
        .into_iter()
        .collect();
    let mut end = first.span.end;
    let mut next = i + 1;
    while let Some(l) = lines.get(next).filter(|l| {
        l.raw.start == lines[next - 1].raw.end + 1
            && item_number(l.text).is_some()
            && !src[l.raw.clone()].contains('\t')
    }) {
        items.extend(item(l.text, l.span.start, diags));
        end = l.span.end;
        next += 1;
    }
    (
        AttachmentNote {
            label: label.clone(),
            items,
            span: label.start..end,
        },
        next,
    )
}

/// The `# ` lines from line `i` on (an article's or an attachment's
/// title), `i` moved past them.
fn title_lines(
    file: &Arc<SourceFile>,
    lines: &[Line],
    i: &mut usize,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Text> {
    let mut title = Vec::new();
    while let Some((off, rest)) = lines
        .get(*i)
        .and_then(|l| title_marker(l.text).map(|m| (l, m)))
        .map(|(l, (o, r))| (l.span.start + o, r))
    {
        title.push(inline_text(file, rest, off, diags));
        *i += 1;
    }
    title
}

/// `# text` → (offset of text, text). The mark must be followed by a space.
fn marker(line: &str, mark: char) -> Option<(usize, &str)> {
    let rest = line.strip_prefix(mark)?;
    let after = rest.trim_start_matches(is_blank);
    (after.len() < rest.len() && !after.is_empty()).then(|| (line.len() - after.len(), after))
}

/// `# 标题`, or `＃ 标题` as a Chinese keyboard types it.
fn title_marker(line: &str) -> Option<(usize, &str)> {
    marker(line, '#').or_else(|| marker(line, '＃'))
}

/// `@ 市长　李堃`, `@ （2026年6月28日）`: a byline under a title (the
/// speaker and date of a speech); `＠` as a Chinese keyboard types it.
/// `@某人` without the space is an ordinary paragraph.
fn byline_marker(line: &str) -> Option<(usize, &str)> {
    marker(line, '@').or_else(|| marker(line, '＠'))
}

/// `＠县委书记　张明`: a byline typed without the space after the mark.
/// Invisible characters before the mark do not count: cleaning removes
/// them, and the line must be what it was before.
fn tight_byline(line: &str) -> Option<(usize, &str)> {
    // Blanks after them neither: the line is trimmed once they are gone.
    let rest = line
        .trim_start_matches(|c| crate::script::is_invisible(c) || is_blank(c))
        .strip_prefix(['@', '＠'])?;
    // Something to print after the mark, as cleaning leaves it.
    rest.chars()
        .any(|c| !crate::script::is_invisible(c) && !is_blank(c))
        .then(|| (line.len() - rest.len(), rest))
}

/// `【栏目名】` alone on a line.
fn is_label(t: &str) -> bool {
    t.starts_with('【')
        && t.ends_with('】')
        && t.matches('】').count() == 1
        && t.chars().count() > 2
}

/// A picture line's parts, with byte offsets in the line.
struct PictureLine<'a> {
    caption: &'a str,
    caption_at: usize,
    path: &'a str,
    path_at: usize,
    /// What stands between `{` and `}` after the picture, and its offset.
    attrs: Option<(&'a str, usize)>,
}

/// `![caption](path)` alone on a line, optionally followed by `{width=…}`.
/// The marks may be typed full-width, as a Chinese keyboard gives them
/// (`！[会议现场]（images/会议.jpg）`, `！［…］（…）`), and blanks inside the
/// brackets do not count.
fn picture(t: &str) -> Option<PictureLine<'_>> {
    let open = t.strip_prefix(['!', '！'])?;
    let inner_at = t.len() - open.strip_prefix(['[', '［'])?.len();
    let close = t.rfind([')', '）'])?;
    let close_len = t[close..].chars().next()?.len_utf8();
    let tail = t[close + close_len..].trim_start();
    let attrs = if tail.is_empty() {
        None
    } else {
        let body = tail.strip_prefix('{')?.strip_suffix('}')?;
        Some((body, t.len() - tail.len() + 1))
    };
    let inner = t.get(inner_at..close)?;
    // The caption ends at the first `](`; the path runs to the last `)`:
    // 会议现场(1).png is one name.
    let mid = inner.char_indices().find_map(|(i, c)| {
        let after = &inner[i + c.len_utf8()..];
        let paren = after.chars().next().filter(|p| matches!(p, '(' | '（'))?;
        matches!(c, ']' | '］').then(|| (i, i + c.len_utf8() + paren.len_utf8()))
    })?;
    let blank = [' ', '\t', '\u{A0}', '\u{3000}'];
    let trimmed = |from: usize, to: usize| {
        let raw = &inner[from..to];
        let lead = raw.len() - raw.trim_start_matches(blank).len();
        (inner_at + from + lead, raw.trim_matches(blank))
    };
    let (caption_at, caption) = trimmed(0, mid.0);
    let (path_at, path) = trimmed(mid.1, inner.len());
    (!path.is_empty()).then_some(PictureLine {
        caption,
        caption_at,
        path,
        path_at,
        attrs,
    })
}

/// `width=50%` (of the type area) or `width=14字` (characters of the grid).
fn picture_width(
    file: &Arc<SourceFile>,
    attrs: &str,
    at: usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<Spanned<PictureWidth>> {
    let span = at..at + attrs.len();
    let value = attrs
        .trim()
        .strip_prefix("width")
        .map(str::trim_start)
        .and_then(|v| v.strip_prefix(['=', '＝']))
        .map(str::trim);
    // (the width, whether it is within its range)
    let read = value.and_then(|v| {
        if let Some(n) = v.strip_suffix(['%', '％']) {
            let n: f64 = n.trim().parse().ok()?;
            Some((PictureWidth::Percent(n), (1.0..=100.0).contains(&n)))
        } else {
            let n = v.strip_suffix(['字', '格'])?;
            let n: f64 = n.trim().parse().ok()?;
            Some((PictureWidth::Chars(n), (1.0..=28.0).contains(&n)))
        }
    });
    let parsed = read.and_then(|(w, within)| within.then_some(w));
    if parsed.is_none() {
        let what = if read.is_some() {
            "超出范围"
        } else {
            "看不懂"
        };
        diags.push(
            Diagnostic::error(
                "bad-picture-width",
                file,
                span.clone(),
                format!("图片宽度“{{{attrs}}}”{what}"),
            )
            .with_help("写成 {width=50%}（版心宽度的百分比，1–100）或 {width=14字}（字数，1–28）"),
        );
    }
    parsed.map(|w| Spanned::new(w, span))
}

const CN_DIGITS: &str = "〇零一二两三四五六七八九十百";

fn chinese_value(s: &str) -> Option<u32> {
    let mut total = 0;
    let mut digit = 0;
    for c in s.chars() {
        match c {
            '十' => {
                total += if digit == 0 { 10 } else { digit * 10 };
                digit = 0;
            }
            '百' => {
                total += digit.max(1) * 100;
                digit = 0;
            }
            _ => {
                digit = CN_DIGITS
                    .chars()
                    .position(|d| d == c)
                    .map(|p| [0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9][p])?
            }
        }
    }
    Some(total + digit)
}

/// Recognises the numbering of a heading: `一、` `（一）` `1.` `（1）`.
pub fn heading_number(t: &str) -> Option<(HeadingLevel, u32)> {
    fn bracketed(t: &str) -> Option<(&str, &str)> {
        let rest = t.strip_prefix('（').or_else(|| t.strip_prefix('('))?;
        let close = rest.find(['）', ')'])?;
        let after = &rest[close..];
        let after = after
            .strip_prefix('）')
            .or_else(|| after.strip_prefix(')'))?;
        Some((&rest[..close], after))
    }
    let cn = |s: &str| {
        !s.is_empty() && s.chars().all(|c| CN_DIGITS.contains(c)) && s.chars().count() <= 4
    };
    let ar = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    if let Some((num, after)) = bracketed(t) {
        if after.is_empty() {
            return None;
        }
        if cn(num) {
            return Some((HeadingLevel::Two, chinese_value(num)?));
        }
        if ar(num) {
            return Some((HeadingLevel::Four, num.parse().ok()?));
        }
        return None;
    }
    if let Some(i) = t.find('、') {
        let num = &t[..i];
        if cn(num) && i + '、'.len_utf8() < t.len() {
            return Some((HeadingLevel::One, chinese_value(num)?));
        }
    }
    // `一.` `一．` `一 、` as typed in Word: a level-one heading whose mark
    // the cleaner makes `一、` (never `一。`).
    if let Some((num, _)) = loose_level_one(t) {
        return Some((HeadingLevel::One, chinese_value(num)?));
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=3).contains(&digits) {
        let after = &t[digits..];
        let after = after
            .strip_prefix('.')
            .or_else(|| after.strip_prefix('．'))?;
        // `1.5亿元` is a number, not a heading.
        let next = after.chars().next()?;
        if !next.is_ascii_digit() {
            return Some((HeadingLevel::Three, t[..digits].parse().ok()?));
        }
    }
    None
}

/// A level-one heading number typed loosely: Chinese numerals, then `.`
/// or `．` (and blanks), or blanks and `、` `.` `．`, then the heading's first
/// character (not a figure: `一.5` is no heading). The numerals and the
/// byte range of the loose mark.
pub fn loose_level_one(t: &str) -> Option<(&str, std::ops::Range<usize>)> {
    let end = t
        .char_indices()
        .find(|(_, c)| !CN_DIGITS.contains(*c))
        .map(|(i, _)| i)?;
    let num = &t[..end];
    if num.is_empty() || num.chars().count() > 4 {
        return None;
    }
    let rest = t[end..].trim_start_matches(crate::script::is_invisible);
    let after_blanks = rest.trim_start_matches([' ', '\u{A0}', '\u{3000}']);
    let mark = if let Some(r) = rest.strip_prefix(['.', '．']) {
        r
    } else if after_blanks.len() < rest.len() {
        // `一 、` `一 .` `二 ．`: a blank before the mark too.
        after_blanks.strip_prefix(['、', '.', '．'])?
    } else {
        return None;
    };
    // Blanks and doubled marks after it are part of the mark (`一..做法`).
    let body = mark.trim_start_matches(|c| {
        matches!(c, ' ' | '\u{A0}' | '\u{3000}' | '.' | '．' | '、')
            || crate::script::is_invisible(c)
    });
    let first = body.chars().next()?;
    // `十.一期间` is a date (十一), `一.5` a number: no heading.
    let glued_numeral = body.len() == mark.len() && CN_DIGITS.contains(first);
    (!first.is_ascii_digit() && !('０'..='９').contains(&first) && !glued_numeral)
        .then_some((num, end..t.len() - body.len()))
}

/// The run-in rule: a heading paragraph that ends in sentence-final
/// punctuation is a heading up to its first 。！？ and body text after it.
pub fn split_heading(text: &Text) -> (Text, Option<Text>) {
    let plain = text.plain();
    let last = plain.chars().last();
    let whole = (text.clone(), None);
    if !matches!(last, Some('。' | '！' | '？' | '；' | '：')) {
        return whole;
    }
    let Some(cut) = plain.find(['。', '！', '？']).map(|i| i + '。'.len_utf8()) else {
        return whole;
    };
    if cut >= plain.len() {
        return whole;
    }
    let (mut head, mut rest) = (Vec::new(), Vec::new());
    let mut pos = 0;
    for run in &text.runs {
        let end = pos + run.text.len();
        if end <= cut {
            head.push(run.clone());
        } else if pos >= cut {
            rest.push(run.clone());
        } else {
            head.push(Inline {
                text: run.text[..cut - pos].to_string(),
                emphasis: run.emphasis,
            });
            rest.push(Inline {
                text: run.text[cut - pos..].to_string(),
                emphasis: run.emphasis,
            });
        }
        pos = end;
    }
    (
        Text {
            runs: head,
            span: text.span.clone(),
        },
        Some(Text {
            runs: rest,
            span: text.span.clone(),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn parse(body: &str) -> (Vec<Block>, Vec<Diagnostic>) {
        let file = SourceFile::new(PathBuf::from("t.md"), body.to_string());
        let mut diags = Vec::new();
        (parse_body(&file, 0, &mut diags), diags)
    }

    #[test]
    fn heading_numbers() {
        assert_eq!(heading_number("一、实施"), Some((HeadingLevel::One, 1)));
        assert_eq!(heading_number("十二、实施"), Some((HeadingLevel::One, 12)));
        assert_eq!(heading_number("（三）加强"), Some((HeadingLevel::Two, 3)));
        assert_eq!(heading_number("(三)加强"), Some((HeadingLevel::Two, 3)));
        assert_eq!(heading_number("1.加强"), Some((HeadingLevel::Three, 1)));
        assert_eq!(heading_number("2．加强"), Some((HeadingLevel::Three, 2)));
        assert_eq!(heading_number("（12）加强"), Some((HeadingLevel::Four, 12)));
        assert_eq!(heading_number("一是加强"), None);
        assert_eq!(heading_number("1.5亿元投入"), None);
        assert_eq!(heading_number("2022年"), None);
        assert_eq!(heading_number("（单位）党组织"), None);
        // Typed loosely in Word: still a level-one heading.
        assert_eq!(heading_number("一. 主要做法"), Some((HeadingLevel::One, 1)));
        assert_eq!(heading_number("二．取得成效"), Some((HeadingLevel::One, 2)));
        assert_eq!(
            heading_number("三 、存在问题"),
            Some((HeadingLevel::One, 3))
        );
        assert_eq!(heading_number("一.5亿元"), None);
        assert_eq!(heading_number("一 是加强"), None);
        assert_eq!(heading_number("十.一期间"), None);
    }

    #[test]
    fn run_in_heading() {
        let (blocks, _) = parse("（一）加强领导。各单位要高度重视。\n");
        let Block::Heading { head, rest, .. } = &blocks[0] else {
            panic!()
        };
        assert_eq!(head.plain(), "（一）加强领导。");
        assert_eq!(rest.as_ref().unwrap().plain(), "各单位要高度重视。");
        let (blocks, _) = parse("一、实施党建引领工程，提升政治能力\n");
        let Block::Heading { rest: None, .. } = &blocks[0] else {
            panic!()
        };
    }

    #[test]
    fn titles_notes_and_escapes() {
        let (blocks, diags) = parse(
            "^ 引题\n# 第一行\n# 第二行\n——副题\n\n> 按语一\n> 按语二\n\\# 不是标题\n#1号楼\n【动态】\n![图](images/a.png)\n",
        );
        assert!(diags.is_empty());
        assert!(
            matches!(&blocks[0], Block::Title { lead: Some(_), lines, subtitle: Some(_), byline } if lines.len() == 2 && byline.is_empty())
        );
        assert!(matches!(&blocks[1], Block::Note(p) if p.len() == 2));
        assert!(matches!(&blocks[2], Block::Paragraph(t) if t.plain() == "# 不是标题"));
        assert!(matches!(&blocks[3], Block::Paragraph(t) if t.plain() == "#1号楼"));
        assert!(matches!(&blocks[4], Block::Label(_)));
        assert!(matches!(&blocks[5], Block::Picture { path, .. } if path.value == "images/a.png"));
    }

    #[test]
    fn bylines_under_a_title_and_astray() {
        let (blocks, diags) = parse(
            "# 在全市工作会议上的讲话\n@ 市长　李堃\n＠ （2026年6月28日）\n同志们：\n@某人说\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        let Block::Title { byline, .. } = &blocks[0] else {
            panic!()
        };
        let typed: Vec<String> = byline.iter().map(Text::plain).collect();
        assert_eq!(typed, ["市长　李堃", "（2026年6月28日）"]);
        // `@某人` without the space is text.
        assert!(matches!(&blocks[2], Block::Paragraph(t) if t.plain() == "@某人说"));
        // After a paragraph, a byline is an error at its line.
        let (blocks, diags) = parse("# 讲话\n同志们：\n@ 市长　李堃\n");
        assert_eq!(diags[0].code, "byline-without-title");
        assert_eq!(diags[0].line_col(), (3, 1));
        assert!(matches!(&blocks[2], Block::Paragraph(_)));
    }

    #[test]
    fn emphasis_and_unclosed() {
        let (blocks, diags) = parse("这是**重点**内容\n");
        assert!(diags.is_empty());
        let Block::Paragraph(t) = &blocks[0] else {
            panic!()
        };
        assert_eq!(t.runs.len(), 3);
        assert!(t.runs[1].emphasis);
        let (_, diags) = parse("这是**重点内容\n");
        assert_eq!(diags[0].code, "unclosed-emphasis");
        assert_eq!(diags[0].line_col(), (1, 3));
    }

    #[test]
    fn an_attachment_note_takes_its_numbered_lines_and_no_heading() {
        let body = "正文。\n\n附件：1. 工作方案\n2．统计表\n3、 名单\n\n1. 这是标题\n";
        let (blocks, diags) = parse(body);
        assert!(diags.is_empty(), "{diags:?}");
        let Block::AttachmentNote(note) = &blocks[1] else {
            panic!("{blocks:?}")
        };
        assert_eq!(&body[note.label.clone()], "附件：");
        let items: Vec<(Option<u32>, String)> = note
            .items
            .iter()
            .map(|i| (i.number.as_ref().map(|n| n.value), i.name.plain()))
            .collect();
        assert_eq!(
            items,
            [
                (Some(1), "工作方案".to_string()),
                (Some(2), "统计表".to_string()),
                (Some(3), "名单".to_string())
            ]
        );
        assert_eq!(&body[note.items[1].name.span.clone()], "统计表");
        assert_eq!(
            &body[note.items[1].number.as_ref().unwrap().span.clone()],
            "2"
        );
        // After a blank line, `1.` is a heading again.
        assert!(matches!(
            &blocks[2],
            Block::Heading {
                level: HeadingLevel::Three,
                ..
            }
        ));
        // One attachment: no number.
        let (blocks, _) = parse("附件:工作方案\n");
        let Block::AttachmentNote(note) = &blocks[0] else {
            panic!()
        };
        assert!(note.items[0].number.is_none());
        assert_eq!(note.items[0].name.plain(), "工作方案");
        // `1.5亿元` after the colon is a name, not a number.
        assert_eq!(item_number("1.5亿元"), None);
        assert_eq!(item_number("１０．名单"), Some((10, 6, 9)));
        // A name that starts with a figure, after a blank or a `．`.
        assert_eq!(item_number("1. 11月份运行分析"), Some((1, 1, 3)));
        assert_eq!(item_number("2．2026年分月情况表"), Some((2, 1, 4)));
        assert_eq!(item_number("2.2026年"), None);
    }

    #[test]
    fn an_attachment_mark_and_its_title() {
        let body =
            "附件：1. 甲\n2. 乙\n\n附件1\n# 甲的\n# 标题\n正文。\n附件 ２\n# 乙\n附件\n附件十\n";
        let (blocks, diags) = parse(body);
        assert!(diags.is_empty(), "{diags:?}");
        let marks: Vec<(Option<u32>, Vec<String>)> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Attachment(a) => Some((
                    a.number.as_ref().map(|n| n.value),
                    a.title.iter().map(Text::plain).collect(),
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            marks,
            [
                (Some(1), vec!["甲的".to_string(), "标题".to_string()]),
                (Some(2), vec!["乙".to_string()]),
                (None, vec![]),
            ]
        );
        let Block::Attachment(second) = &blocks[3] else {
            panic!("{blocks:?}")
        };
        assert_eq!(&body[second.number.as_ref().unwrap().span.clone()], "２");
        assert_eq!(second.printed_mark(), "附件2");
        // `附件十` and words after the mark are text.
        assert!(matches!(blocks.last(), Some(Block::Paragraph(t)) if t.plain() == "附件十"));
        assert_eq!(line_kind("附件1 工作方案"), LineKind::Paragraph);
        assert_eq!(line_kind("附件：名单"), LineKind::AttachmentNote);
        assert_eq!(line_kind("附件 12"), LineKind::AttachmentMark);
        // Only the blocks before the first mark are articles.
        assert_eq!(super::super::model::articles(&blocks).len(), 1);
    }

    use super::super::model::{Cell, ColumnAlign, Table, TableStyle};

    /// The one table of `body`, what each cell's span shows in the
    /// source (`<` `^` for joins), and the diagnostics.
    fn table(body: &str) -> (Table, Vec<Vec<String>>, Vec<Diagnostic>) {
        let (blocks, diags) = parse(body);
        let tables: Vec<&Table> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .collect();
        assert_eq!(tables.len(), 1, "{blocks:?}");
        let t = tables[0].clone();
        let shown = t
            .rows
            .iter()
            .map(|r| {
                r.cells
                    .iter()
                    .map(|c| match c {
                        Cell::Text(x) => body[x.span.clone()].to_string(),
                        Cell::JoinLeft(s) => format!("<{}", &body[s.clone()]),
                        Cell::JoinUp(s) => format!("^{}", &body[s.clone()]),
                    })
                    .collect()
            })
            .collect();
        (t, shown, diags)
    }

    fn codes(diags: &[Diagnostic]) -> Vec<(&'static str, (usize, usize))> {
        diags.iter().map(|d| (d.code, d.line_col())).collect()
    }

    #[test]
    fn a_pipe_table_with_a_two_row_header_alignment_and_emphasis() {
        let body = "表1　2026年一季度各县区安全检查情况\n| 地区 | 检查情况 | < |\n| ^ | 次数 | **隐患** |\n|:---|:---:|---:|\n| 城关镇 | 18 | 13 |\n| a \\| b |  | x ｜\n注：单位为次。\n数据来源：县应急局\n";
        let (t, cells, diags) = table(body);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(t.header_rows, 2);
        assert_eq!(
            t.align,
            [ColumnAlign::Left, ColumnAlign::Center, ColumnAlign::Right]
        );
        assert_eq!(
            cells,
            [
                ["地区", "检查情况", "<<"],
                ["^^", "次数", "**隐患**"],
                ["城关镇", "18", "13"],
                ["a \\| b", "", "x"],
            ]
        );
        let Cell::Text(head) = &t.rows[1].cells[2] else {
            panic!()
        };
        assert!(head.runs[0].emphasis && head.plain() == "隐患");
        let Cell::Text(escaped) = &t.rows[3].cells[0] else {
            panic!()
        };
        assert_eq!(escaped.plain(), "a | b");
        let caption = t.caption.as_ref().unwrap();
        assert_eq!(
            &body[caption.span.clone()],
            "表1　2026年一季度各县区安全检查情况"
        );
        let notes: Vec<&str> = t.notes.iter().map(|n| &body[n.span.clone()]).collect();
        assert_eq!(notes, ["注：单位为次。", "数据来源：县应急局"]);
        assert_eq!(&body[t.span.clone()], body.trim_end());
        assert_eq!(t.style, None);
    }

    #[test]
    fn pipes_may_be_left_out_at_the_ends_as_in_gfm() {
        let (t, cells, diags) = table("单位 | 次数\n--- | ---\n城关 | 12\n｜东区｜8｜\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(t.header_rows, 1);
        assert_eq!(cells, [["单位", "次数"], ["城关", "12"], ["东区", "8"]]);
        // Without the delimiter row under it, such a line is a paragraph.
        let (blocks, _) = parse("单位 | 次数\n城关 | 12\n");
        assert!(blocks.iter().all(|b| matches!(b, Block::Paragraph(_))));
    }

    #[test]
    fn excel_trailing_tabs_are_no_columns_and_no_ragged_row() {
        // Every row ends in Excel's tabs: the empty columns at the right
        // are dropped, an empty cell inside the table kept.
        let body = "行业\t检查单位\t发现隐患\t\t\n工贸\t12\t\t\t\n危化\t8\t3\t\t\n";
        let (t, cells, diags) = table(body);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(t.align.len(), 3);
        assert_eq!(
            cells,
            [
                ["行业", "检查单位", "发现隐患"],
                ["工贸", "12", ""],
                ["危化", "8", "3"]
            ]
        );
        // One row (合计) with two tabs more than the header: not ragged.
        let body = "行业\t检查单位\t发现隐患\n工贸\t12\t5\n合计\t12\t5\t\t\r\n";
        let (t, cells, diags) = table(body);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(t.align.len(), 3);
        assert_eq!(cells[2], ["合计", "12", "5"]);
        // A column empty in the header but filled below is kept; text
        // past the header is still a row too long.
        let (t, _, diags) = table("表1　情况\n单位\t次数\t\n城关\t12\t3\n东区\t8\t\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(t.align.len(), 3);
        let (_, _, diags) = table("表1　情况\n单位\t次数\n城关\t12\t3\n东区\t8\n");
        assert_eq!(codes(&diags), [("table-ragged", (3, 7))]);
    }

    #[test]
    fn a_pasted_table_keeps_empty_cells_and_reads_crlf() {
        let body = "地区\t检查次数\t\t隐患\r\n\t计划\t实际\t\r\n城关\t12\t10\t3\r\n";
        let (t, cells, diags) = table(body);
        assert_eq!(
            cells,
            [
                ["地区", "检查次数", "", "隐患"],
                ["", "计划", "实际", ""],
                ["城关", "12", "10", "3"],
            ]
        );
        assert!(diags.is_empty(), "{diags:?}");
        // Without joins the header is the first row.
        assert_eq!(t.header_rows, 1);
        assert_eq!(t.align, [ColumnAlign::Auto; 4]);
        // Spans never hold a tab or the `\r`.
        assert!(
            t.cells()
                .all(|c| !body[c.span.clone()].contains(['\t', '\r']))
        );
    }

    #[test]
    fn joins_make_a_pasted_header_of_two_rows() {
        let body = "表2　隐患整改情况{三线表}\n地区\t检查情况\t<\t隐患\n^\t次数\t发现问题\t^\n道路运输\t18\t13\t48.6%\n";
        let (t, cells, diags) = table(body);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(t.header_rows, 2);
        assert_eq!(
            cells,
            [
                ["地区", "检查情况", "<<", "隐患"],
                ["^^", "次数", "发现问题", "^^"],
                ["道路运输", "18", "13", "48.6%"],
            ]
        );
        let style = t.style.unwrap();
        assert_eq!(style.value, TableStyle::ThreeLine);
        assert_eq!(&body[style.span], "三线表");
        assert_eq!(
            &body[t.caption.unwrap().span],
            "表2　隐患整改情况",
            "the option is not the caption's"
        );
    }

    #[test]
    fn options_line_header_option_and_bad_options() {
        let body = "{style=grid, 表头=2}\n一\t二\n三\t四\n五\t六\n";
        let (t, _, diags) = table(body);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(t.style.map(|s| s.value), Some(TableStyle::Grid));
        assert_eq!(t.header_rows, 2);
        let (_, _, diags) = table("表1　情况{三线, 表头=12}\n一\t二\n三\t四\n");
        assert_eq!(
            codes(&diags),
            [("bad-table-option", (1, 7)), ("bad-table-option", (1, 11))]
        );
        let (_, _, diags) = table("表1　情况{表头=2}\n|一|二|\n|-|-|\n|三|四|\n");
        assert_eq!(codes(&diags), [("bad-table-option", (1, 7))]);
        let (t, _, diags) = table("表1　情况{表头=3}\n一\t二\n三\t四\n");
        assert_eq!(codes(&diags), [("bad-table-option", (1, 7))]);
        assert_eq!(t.header_rows, 1);
    }

    #[test]
    fn what_makes_a_pasted_table() {
        // One line with tabs: a paragraph (check warns); two of the same
        // count: a table; one under a caption: a table of its header.
        let (blocks, _) = parse("说明\t见下\n正文。\n");
        assert!(matches!(&blocks[0], Block::Paragraph(_)));
        let (blocks, _) = parse("一\t二\t三\n四\t五\n");
        assert!(blocks.iter().all(|b| matches!(b, Block::Paragraph(_))));
        let (blocks, _) = parse("一、\t主要做法\n二、\t存在问题\n");
        assert!(blocks.iter().all(|b| matches!(b, Block::Heading { .. })));
        // Paragraphs indented with a tab are no table.
        let (blocks, _) = parse("\t各单位要高度重视。\n\t认真抓好落实。\n");
        assert!(blocks.iter().all(|b| matches!(b, Block::Paragraph(_))));
        // Under a table's first rows, a line with text in one cell, or a
        // heading and a tab, is a row.
        let (t, cells, _) = table("单位\t次数\t隐患\n城关\t12\t3\n一、道路\t\t\n合计\t\t\n");
        assert_eq!(t.rows.len(), 4);
        assert_eq!(cells[2], ["一、道路", "", ""]);
        let (t, _, diags) = table("表3　情况\n单位\t次数\n");
        assert_eq!(t.rows.len(), 1);
        assert_eq!(codes(&diags), [("table-no-body", (2, 1))]);
        // A blank line ends a table; a caption not right above is text.
        let (blocks, _) = parse("表1　情况\n\n一\t二\n三\t四\n\n五\t六\n");
        assert!(matches!(&blocks[0], Block::Paragraph(_)));
        assert!(matches!(&blocks[1], Block::Table(t) if t.caption.is_none() && t.rows.len() == 2));
        assert!(matches!(&blocks[2], Block::Paragraph(_)));
    }

    #[test]
    fn ragged_rows_and_spaces_for_tabs() {
        // Under a caption, lines of other counts are a table still.
        let body = "表1　情况\n单位\t次数\t隐患\n城关\t12\n东区\t8\t3\t多\n道路运输 18\t13\n";
        let (t, _, diags) = table(body);
        assert_eq!(
            codes(&diags),
            [
                ("table-ragged", (3, 5)),
                ("table-ragged", (4, 8)),
                ("table-spaces", (5, 5)),
            ]
        );
        // Made whole for what comes after.
        assert!(t.rows.iter().all(|r| r.cells.len() == 3));
        let (_, _, diags) = table("| 单位 | 次数 |\n|---|---|---|\n| 城关 | 12 |\n");
        assert_eq!(codes(&diags), [("table-ragged", (2, 10))]);
        // A row typed with spaces right under the table.
        let (blocks, diags) = parse("单位\t次数\t隐患\n城关\t12\t3\n合计  12  3\n");
        assert_eq!(codes(&diags), [("table-spaces", (3, 3))]);
        assert!(matches!(&blocks[1], Block::Paragraph(_)));
    }

    #[test]
    fn joins_that_point_nowhere() {
        let (t, cells, diags) = table("<\t一\n二\t三\n四\t五\n");
        assert_eq!(codes(&diags), [("table-merge", (1, 1))]);
        assert_eq!(cells[0][0], "<", "set as typed");
        assert!(matches!(t.rows[0].cells[0], Cell::Text(_)));
        let (_, _, diags) = table("|^|一|\n|-|-|\n|二|三|\n");
        assert_eq!(codes(&diags), [("table-merge", (1, 2))]);
        // From the header into the body.
        let (_, _, diags) = table("|一|二|\n|-|-|\n|^|三|\n");
        assert_eq!(codes(&diags), [("table-merge", (3, 2))]);
        // Not a rectangle: 一 spans two columns above, one below.
        let (_, _, diags) = table("|一|<|\n|^|二|\n|-|-|\n|三|四|\n");
        assert_eq!(codes(&diags), [("table-merge", (1, 4))]);
        // A rectangle of two by two, and escaped marks.
        let (t, cells, diags) = table("|一|<|三|\n|^|^|四|\n|-|-|-|\n|\\<|\\^|五|\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(t.header_rows, 2);
        assert_eq!(cells[2], ["\\<", "\\^", "五"]);
        let Cell::Text(lt) = &t.rows[2].cells[0] else {
            panic!()
        };
        assert_eq!(lt.plain(), "<");
    }

    #[test]
    fn hostile_tables_never_panic() {
        let wide = format!("|{}\n|{}\n", "x|".repeat(10_000), "-|".repeat(10_000));
        let tabs = format!("{}\n{}\n", "1\t".repeat(10_000), "2\t".repeat(9_999));
        for body in [
            "|\n",
            "||||\n",
            "|---|\n",
            "|---|\n|---|\n",
            "| a |\n",
            "\t\t\t\n\t\t\n",
            "| **a|b** |\n|-|\n",
            "｜a｜b｜\r\n｜－｜－｜\r\n",
            "|<|^|\n|^|<|\n|-|-|\n",
            "表1\n",
            "表1　x\n|\n",
            "{三线表}\n",
            "{}\n|a|\n|-|\n",
            "^\t<\n<\t^\n",
            "注：\n",
            &wide,
            &tabs,
        ] {
            let (blocks, _) = parse(body);
            for b in &blocks {
                if let Block::Table(t) = b {
                    assert!(t.header_rows >= 1 && t.header_rows <= t.rows.len().max(1));
                    let w = t.align.len();
                    assert!(
                        w >= 1 && t.rows.iter().all(|r| r.cells.len() == w),
                        "{body:?}"
                    );
                }
            }
        }
        let (_, diags) = parse("|\n");
        assert_eq!(codes(&diags)[0].0, "table-empty");
        // `|` inside `**…**` cuts: each half is unclosed, and the help
        // speaks of the cell, not the line.
        let (_, diags) = parse("| **甲|乙** |\n|-|-|\n| 1 | 2 |\n");
        assert_eq!(
            codes(&diags),
            [("unclosed-emphasis", (1, 3)), ("unclosed-emphasis", (1, 8))]
        );
        assert!(diags[0].help.as_ref().unwrap().contains("这一格"));
        let (_, diags) = parse("|---|\n|a|\n");
        assert_eq!(codes(&diags), [("table-no-header", (1, 1))]);
        let (_, diags) = parse("| a | b |\n| c | d |\n");
        assert_eq!(codes(&diags), [("table-no-delimiter", (1, 1))]);
    }
}
