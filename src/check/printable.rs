//! Rules on every printed character — of the body, the 报/送/发 units,
//! and the masthead and imprint strings of jianbao.toml and the front
//! matter alike: nothing invisible or direction-changing (control, bidi
//! and format characters), and a font that prints it.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::fonts::{Fonts, PrintedChar, Role};
use crate::script::{Unprintable, unprintable};
use crate::source::{SourceFile, Span};

/// Checks the printed characters `placed` of the file `src`.
pub fn printable(
    src: &Arc<SourceFile>,
    placed: Vec<PrintedChar>,
    fonts: Option<&Fonts>,
    diags: &mut Vec<Diagnostic>,
) {
    for p in &placed {
        if let Some(kind) = unprintable(p.c) {
            diags.push(unprintable_error(src, p, kind));
        }
    }
    if let Some(fonts) = fonts {
        in_a_font(src, &placed, fonts, diags);
    }
}

fn unprintable_error(src: &Arc<SourceFile>, p: &PrintedChar, kind: Unprintable) -> Diagnostic {
    let help = match kind {
        Unprintable::Bidi => {
            "它会让这一行的文字倒过来显示，印出来却看不见：删掉它（多半是从网页复制带进来的）"
        }
        _ => "它印不出来：删掉它（多半是从网页或聊天软件复制带进来的）",
    };
    Diagnostic::error(
        "unprintable",
        src,
        p.offset..p.offset + p.len,
        format!("这里有一个{}（U+{:04X}）", kind.name(), p.c as u32),
    )
    .with_help(help)
}

/// A character no font of its role has is an error; one printed by a face
/// of another style (a rare name in 仿宋 from a sans) a warning. Each once
/// per character (and role), at its first place, with a count: the same
/// missing character in a title and in the body is one fix.
fn in_a_font(
    src: &Arc<SourceFile>,
    placed: &[PrintedChar],
    fonts: &Fonts,
    diags: &mut Vec<Diagnostic>,
) {
    let mut missing: HashMap<char, (Span, Role, usize)> = HashMap::new();
    let mut order = Vec::new();
    let mut other_style: HashMap<(char, Role), (Span, String, usize)> = HashMap::new();
    let mut other_order = Vec::new();
    for p in placed {
        if p.c.is_whitespace() || unprintable(p.c).is_some() {
            continue;
        }
        // A narrow character (−, ₃, é) is set from the Latin face first,
        // as the layout's font list does ("latin-in-cjk"): the cleaner's
        // − and a typed − are printed by the same face.
        let narrow = !crate::script::is_wide(p.c);
        if narrow && fonts.face_for(Role::Latin, p.c).is_some() {
            continue;
        }
        match fonts.face_for(p.role, p.c) {
            Some(face) if face.same_style || narrow => continue,
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
            .with_help("字会印出来，只是风格不同；要同风格，在 jianbao.toml 的 [fonts] fallback 里加一个收字较全的同风格字体（例如 \"方正仿宋_GBK\"），并用 --font-path 或 [fonts] paths 指定它所在的文件夹"),
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
            .with_help(if is_emoji(c) {
                "简报里不用表情符号（多半是从微信或网页复制带来的）：删掉它"
            } else if matches!(c, '„' | '‟' | '‚' | '‛') {
                "这是网页里的异体引号：改成“ ”或‘ ’"
            } else {
                "在 jianbao.toml 的 [fonts] 里加一个有这个字的字体（例如 fallback = [\"字体名\"]），或用 --font-path 指定字体文件夹"
            }),
        );
    }
}

/// Emoji and pictographs, which WeChat text carries: no 简报 prints them.
fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x1F000..=0x1FAFF | 0x2600..=0x27BF)
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
