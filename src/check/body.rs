//! Rules on the body: heading numbering, paired punctuation, half-width
//! punctuation, pictures, and characters that no font can print.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::Context;
use crate::diagnostic::Diagnostic;
use crate::fonts::{Role, characters};
use crate::issue::{Block, Distribution, HeadingLevel, Text};
use crate::source::{SourceFile, Span, display_path};

pub fn check_body(
    src: &Arc<SourceFile>,
    distribution: Option<&Distribution>,
    body: &[Block],
    ctx: &Context,
    diags: &mut Vec<Diagnostic>,
) {
    heading_sequence(src, body, diags);
    if ctx.clean {
        pasted_text(src, body, diags);
    }
    for block in body {
        for text in texts(block) {
            paired_marks(src, text, diags);
        }
        if let Block::Picture { path, .. } = block {
            picture(src, ctx.root, &path.value, path.span.clone(), diags);
        }
    }
    if let Some(fonts) = ctx.fonts {
        // One error per character, at its first place, with a count: the
        // same missing character in a title and in the body is one fix.
        let mut missing: HashMap<char, (Span, Role, usize)> = HashMap::new();
        let mut order = Vec::new();
        // Characters printed by a face of another style (a rare name in
        // 仿宋 from a sans): warned once per character and role.
        let mut other_style: HashMap<(char, Role), (std::ops::Range<usize>, String, usize)> =
            HashMap::new();
        let mut other_order = Vec::new();
        for p in characters(src, distribution, body) {
            if p.c.is_whitespace() || p.c.is_control() {
                continue;
            }
            match fonts.face_for(p.role, p.c) {
                Some(face) if face.same_style || !crate::script::is_wide(p.c) => continue,
                Some(face) => {
                    let e = other_style.entry((p.c, p.role)).or_insert_with(|| {
                        other_order.push((p.c, p.role));
                        (p.offset..p.offset + p.len, face.family.clone(), 0)
                    });
                    e.2 += 1;
                    continue;
                }
                None => {}
            }
            let e = missing.entry(p.c).or_insert_with(|| {
                order.push(p.c);
                (p.offset..p.offset + p.len, p.role, 0)
            });
            e.2 += 1;
        }
        for key in other_order {
            let (span, family, count) = other_style[&key].clone();
            let (c, role) = key;
            let more = if count > 1 {
                format!("（共出现 {count} 次）")
            } else {
                String::new()
            };
            diags.push(
                Diagnostic::warning(
                    "fallback-style",
                    src,
                    span,
                    format!(
                        "字符“{c}”（U+{:04X}）{}字体里没有，将用另一种风格的 {family} 印出{more}",
                        c as u32,
                        role_name(role)
                    ),
                )
                .with_help("在 jianbao.toml 的 [fonts] 里加一个有这个字的同风格字体（例如 body = [\"仿宋_GB2312\"]），或用 --font-path 指定字体文件夹；也可以不管，字会印出来"),
            );
        }
        for c in order {
            let (span, role, count) = missing[&c].clone();
            let tried: Vec<&str> = fonts
                .role(role)
                .1
                .iter()
                .map(|r| r.family.as_str())
                .collect();
            let more = if count > 1 {
                format!("（共出现 {count} 次）")
            } else {
                String::new()
            };
            diags.push(
                Diagnostic::error(
                    "no-font",
                    src,
                    span,
                    format!("字符“{c}”（U+{:04X}）没有字体能印{more}：{}字体试过 {}", c as u32, role_name(role), tried.join("、")),
                )
                .with_help("在 jianbao.toml 的 [fonts] 里加一个有这个字的字体（例如 fallback = [\"字体名\"]），或用 --font-path 指定字体文件夹"),
            );
        }
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Title => "标题",
        Role::Body => "正文",
        Role::Heading => "黑体",
        Role::Subheading => "楷体",
        Role::Song => "宋体",
        Role::Fallback => "备用",
        Role::Latin => "西文",
    }
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
        } => lead.iter().chain(lines).chain(subtitle).collect(),
        Block::Note(paras) => paras.iter().collect(),
        Block::Picture { caption, .. } => vec![caption],
    }
}

/// Heading numbers must count up within an article: 一、 then 二、, （一）
/// then （二） under each level-1 heading, and so on; a level-2 heading
/// needs a level-1 heading before it.
fn heading_sequence(src: &Arc<SourceFile>, body: &[Block], diags: &mut Vec<Diagnostic>) {
    // Last ordinal seen per level; deeper levels restart under a new parent.
    let mut last = [0u32; 5];
    for block in body {
        match block {
            Block::Title { .. } => last = [0; 5],
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
                if *level == HeadingLevel::Two && last[1] == 0 {
                    diags.push(
                        Diagnostic::warning(
                            "heading-without-parent",
                            src,
                            span.clone(),
                            format!("二级标题“{}”前面没有一级标题（一、二、…）", mark(*ordinal)),
                        )
                        .with_help("先写一级标题（一、…），或者检查编号是否用错了括号"),
                    );
                }
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

/// After this many warnings of one kind of pasted-text problem in a file,
/// the rest are summed up in one line.
const SHOWN_PER_KIND: usize = 5;

/// Pasted-text problems the cleaner fixes before layout (half-width marks
/// and straight quotes in Chinese, stray spaces, full-width digits), as
/// warnings with the fix; `jianbao check --fix` applies them.
fn pasted_text(src: &Arc<SourceFile>, body: &[Block], diags: &mut Vec<Diagnostic>) {
    use crate::clean::{self, FixKind};
    let mut shown: HashMap<FixKind, usize> = HashMap::new();
    let mut last_of: HashMap<FixKind, std::ops::Range<usize>> = HashMap::new();
    for fix in clean::file_fixes(&src.text, body) {
        let n = shown.entry(fix.kind).or_default();
        *n += 1;
        last_of.insert(fix.kind, fix.range.clone());
        if *n > SHOWN_PER_KIND {
            continue;
        }
        let typed = &src.text[fix.range.clone()];
        let (code, message, help) = match fix.kind {
            FixKind::HalfWidthPunctuation => (
                "half-width-punctuation",
                format!("中文里用了半角标点“{typed}”"),
                format!("改成全角“{}”", fix.replacement),
            ),
            FixKind::StraightQuote => (
                "straight-quote",
                format!("中文里用了直引号 {typed}"),
                format!("改成“{}”", fix.replacement),
            ),
            FixKind::Space => (
                "stray-space",
                "中文字之间有多余的空格".to_string(),
                "删掉空格：中文字之间不空格".to_string(),
            ),
            FixKind::FullWidthAlphanumeric => (
                "full-width-alphanumeric",
                format!("全角数字或字母“{typed}”"),
                format!("改成半角“{}”", fix.replacement),
            ),
        };
        diags.push(
            Diagnostic::warning(code, src, fix.range.clone(), message).with_help(format!(
                "{help}（排版时自动改正；jianbao check --fix 改好文件）"
            )),
        );
    }
    for (kind, n) in shown {
        if n > SHOWN_PER_KIND {
            let code = match kind {
                FixKind::HalfWidthPunctuation => "half-width-punctuation",
                FixKind::StraightQuote => "straight-quote",
                FixKind::Space => "stray-space",
                FixKind::FullWidthAlphanumeric => "full-width-alphanumeric",
            };
            diags.push(
                Diagnostic::warning(
                    code,
                    src,
                    last_of[&kind].clone(),
                    format!("还有 {} 处同类问题，这里是最后一处", n - SHOWN_PER_KIND),
                )
                .with_help("jianbao check --fix 一次全部改好"),
            );
        }
    }
}

/// A picture must be a PNG, JPEG or SVG file inside the publication folder.
fn picture(
    src: &Arc<SourceFile>,
    root: &Path,
    path: &str,
    span: Span,
    diags: &mut Vec<Diagnostic>,
) {
    let rel = Path::new(path);
    let escapes = rel.is_absolute()
        || rel
            .components()
            .try_fold(0i32, |depth, c| match c {
                Component::ParentDir if depth == 0 => None,
                Component::ParentDir => Some(depth - 1),
                Component::Normal(_) => Some(depth + 1),
                _ => Some(depth),
            })
            .is_none();
    let outside = |msg: String| {
        Diagnostic::error("picture-outside", src, span.clone(), msg)
            .with_help("把图片放进简报文件夹（例如 images/），写相对路径 images/照片.jpg")
    };
    if escapes {
        diags.push(outside(format!("图片 {path} 在简报文件夹外面")));
        return;
    }
    let full: PathBuf = root.join(rel);
    let Ok(real) = full.canonicalize() else {
        let help = match near_picture(root, path) {
            Some(near) => format!("有 {near}：路径要和文件名一字不差，大小写和扩展名也一样"),
            None => format!("图片路径相对于简报文件夹 {}", display_path(root).display()),
        };
        diags.push(
            Diagnostic::error(
                "picture-missing",
                src,
                span.clone(),
                format!("找不到图片 {path}"),
            )
            .with_help(help),
        );
        return;
    };
    if root.canonicalize().is_ok_and(|r| !real.starts_with(r)) {
        diags.push(outside(format!("图片 {path} 指向简报文件夹外面")));
        return;
    }
    let ext = rel
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let head = std::fs::read(&real)
        .map(|b| b.into_iter().take(256).collect::<Vec<u8>>())
        .unwrap_or_default();
    let kind = if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpeg")
    } else if String::from_utf8_lossy(&head).contains("<svg")
        || (ext.as_deref() == Some("svg")
            && String::from_utf8_lossy(&head)
                .trim_start()
                .starts_with("<?xml"))
    {
        Some("svg")
    } else {
        None
    };
    let ext_ok = matches!(ext.as_deref(), Some("png" | "jpg" | "jpeg" | "svg"));
    if !ext_ok || kind.is_none() {
        diags.push(
            Diagnostic::error(
                "picture-format",
                src,
                span,
                format!("图片 {path} 不是 PNG、JPEG 或 SVG 文件"),
            )
            .with_help("用图片软件另存为 PNG 或 JPEG"),
        );
    }
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
