//! Rules on the front matter: file name, dates, and the 报/送/发 lists.

use std::collections::HashMap;

use chrono::Datelike;
use std::sync::Arc;

use super::context::Context;
use crate::diagnostic::Diagnostic;
use crate::issue::{Distribution, FrontMatter, Issue, IssueFile, IssueNumber, chinese_date};
use crate::source::{SourceFile, Span, Spanned, show_path};

pub fn check_front(
    src: &Arc<SourceFile>,
    front: &FrontMatter,
    file: &IssueFile,
    ctx: &Context,
    diags: &mut Vec<Diagnostic>,
) {
    file_name(src, front, file, diags);
    edition_value(src, front, diags);
    let date = &front.date;
    // issues/2026/001.md dated 2025: one of the two is wrong, and the
    // issue counts in the folder's series.
    if let Ok(folder_year) = file.series().parse::<i32>()
        && folder_year != date.value.year()
    {
        diags.push(
            Diagnostic::warning(
                "year-folder-date",
                src,
                date.span.clone(),
                format!(
                    "这一期在 {folder_year} 年的文件夹里，日期却是 {} 年",
                    date.value.year()
                ),
            )
            .with_help(format!(
                "改日期，或把文件移到 issues/{}/ 里（期号按文件夹所在的年份算）",
                date.value.year()
            )),
        );
    }
    let ahead = (date.value - ctx.today).num_days();
    if ahead > 366 {
        diags.push(
            Diagnostic::error(
                "future-date",
                src,
                date.span.clone(),
                format!("日期 {} 比今天晚一年多", chinese_date(date.value)),
            )
            .with_help("检查年份是否写错"),
        );
    } else if date.value.year() < 1949 {
        // Bulletins are printed by offices of today: a year like 0 or 1 is
        // a slip of the keyboard.
        diags.push(
            Diagnostic::error(
                "bad-date",
                src,
                date.span.clone(),
                format!("日期 {} 太早了", chinese_date(date.value)),
            )
            .with_help("检查年份是否写错，例如 date = 2024-03-05"),
        );
    } else if ahead > 30 {
        diags.push(
            Diagnostic::warning(
                "future-date",
                src,
                date.span.clone(),
                format!("日期 {} 比今天晚一个多月", chinese_date(date.value)),
            )
            .with_help("检查年份和月份是否写错"),
        );
    }
}

/// An edition as printed before 第N期: a name (增刊, 专刊), not empty, with
/// no blanks around it, no `第` (printed 增刊第第1期) and no path mark.
fn edition_value(src: &Arc<SourceFile>, front: &FrontMatter, diags: &mut Vec<Diagnostic>) {
    let Some(edition) = front.edition.as_deref() else {
        return;
    };
    let trimmed = edition.trim();
    let problem = if trimmed.is_empty() {
        "是空的：这一期会算作正刊"
    } else if trimmed.len() < edition.len() {
        "前后有空格"
    } else if trimmed.contains('第') {
        "里有“第”：报头会印成“…第第1期”"
    } else if trimmed.contains(['/', '\\', '.']) {
        "里有“/”或“.”，不像刊别的名字"
    } else {
        return;
    };
    let at = src
        .text
        .find("\nedition")
        .map_or(0..0, |i| i + 1..i + 1 + "edition".len());
    diags.push(
        Diagnostic::warning(
            "edition-value",
            src,
            at,
            format!(
                "edition = \"{}\" {problem}",
                crate::script::escape_unprintable(edition)
            ),
        )
        .with_help("写成 edition = \"增刊\"（或 专刊、特刊）；正刊不写 edition"),
    );
}

/// An issue file's name and its number agree when the name is a number
/// (docs/issue-format.md, front matter). A name is a number to a reader also when it is not
/// plainly digits: spaces or invisible characters around or inside them
/// (` 003.md`, a name copied with a line break), full-width digits
/// (`００３.md`), `第3期.md`. Such a name must agree all the same (an
/// error, as for `003.md`); one that agrees but is not plain digits is a
/// warning, because the PDF gets the same odd name.
fn file_name(
    src: &Arc<SourceFile>,
    front: &FrontMatter,
    file: &IssueFile,
    diags: &mut Vec<Diagnostic>,
) {
    let number = &front.number;
    let stem = file.id.rsplit('/').next().unwrap_or_default();
    let Some(read) = NameNumber::read(stem) else {
        edition_name(src, front, file, stem, diags);
        return;
    };
    let shown = crate::script::escape_unprintable(stem);
    // An odd name is quoted, with what is odd about it.
    let (name, how) = match read.odd {
        Some(why) => (format!("“{shown}”"), format!("（{why}）")),
        None => (String::new(), String::new()),
    };
    let plain = |digits: &str| read.name(digits);
    let free = |name: &str| !file.path.with_file_name(name).exists();
    if read.number() != number.value.0.to_string() {
        // Suggest renaming only to a name that is free.
        let wanted = format!("{:0width$}", number.value.0, width = read.digits.len());
        let help = if free(&plain(&wanted)) {
            format!(
                "改成 number = {}，或把文件改名为 {}",
                read.number(),
                plain(&wanted)
            )
        } else {
            format!("改成 number = {}", read.number())
        };
        diags.push(
            Diagnostic::error(
                "number-mismatch",
                src,
                number.span.clone(),
                format!(
                    "文件名{name}是第{}期{how}，头部却写 number = {}",
                    read.number(),
                    number.value
                ),
            )
            .with_help(help),
        );
    } else if let Some(why) = read.odd {
        let renamed = plain(&read.digits);
        let help = if free(&renamed) {
            format!("把文件改名为 {renamed}（生成的 PDF 也用这个名字）")
        } else {
            format!("已经有 {renamed} 了：看看这个文件是不是多出来的一份")
        };
        diags.push(
            Diagnostic::file_warning(
                "file-name",
                &src.path,
                format!(
                    "文件名“{shown}”{why}：这是第{}期，文件名应当只是数字",
                    read.number()
                ),
            )
            .with_help(help),
        );
    }
}

/// An issue file named by its edition and number (`增刊01.md`,
/// `专刊第2期.md`): its number must agree, as a name `001.md`'s must. A
/// name that says 增刊, 专刊 or 特刊 of an issue whose front matter says
/// otherwise is a warning: the masthead prints what the front matter says,
/// and the number counts in that series.
fn edition_name(
    src: &Arc<SourceFile>,
    front: &FrontMatter,
    file: &IssueFile,
    stem: &str,
    diags: &mut Vec<Diagnostic>,
) {
    const EDITIONS: [&str; 3] = ["增刊", "专刊", "特刊"];
    let Some((named, number)) = edition_number(stem) else {
        return;
    };
    let edition = front.edition.as_deref().map_or("", str::trim);
    let shown = crate::script::escape_unprintable(stem);
    let written = front.number.value.0;
    if !named.is_empty() && named == edition && number != written {
        // The same name with the front matter's number, digits as wide.
        let body = stem.strip_suffix('期').unwrap_or(stem);
        let head = body.trim_end_matches(|c: char| c.is_ascii_digit());
        let width = body.len() - head.len();
        let renamed = format!("{head}{written:0width$}{}.md", &stem[body.len()..]);
        diags.push(
            Diagnostic::error(
                "number-mismatch",
                src,
                front.number.span.clone(),
                format!("文件名“{shown}”是{named}第{number}期，头部却写 number = {written}"),
            )
            // Renaming only to a name that is free.
            .with_help(if file.path.with_file_name(&renamed).exists() {
                format!("改成 number = {number}")
            } else {
                format!(
                    "改成 number = {number}，或把文件改名为 {}",
                    crate::script::escape_unprintable(&renamed)
                )
            }),
        );
    } else if named != edition && EDITIONS.contains(&named) {
        let (said, help) = if edition.is_empty() {
            (
                format!(
                    "头部却没有写 edition = \"{named}\"：报头会印成第{written}期，期号和正刊一起算"
                ),
                format!("在头部加上 edition = \"{named}\"；不是{named}就给文件改名"),
            )
        } else {
            (
                format!("头部却写 edition = \"{edition}\""),
                format!("改成 edition = \"{named}\"，或给文件改名"),
            )
        };
        diags.push(
            Diagnostic::file_warning(
                "edition-mismatch",
                &src.path,
                format!("文件名“{shown}”是{named}，{said}"),
            )
            .with_help(help),
        );
    }
}

/// The number an issue file's name says, as a reader reads it.
#[derive(Debug, PartialEq)]
struct NameNumber {
    /// The digits, as ASCII, leading zeros kept: `003`.
    digits: String,
    /// What makes the name more than plain digits, said for a message;
    /// `None` for `003` and `第3期`.
    odd: Option<&'static str>,
    /// Written `第3期`.
    wrapped: bool,
}

impl NameNumber {
    /// `None` when the name is not a number (`增刊01`, `003-副本`).
    fn read(stem: &str) -> Option<NameNumber> {
        let (mut spaces, mut invisible, mut wide) = (false, false, false);
        let mut text = String::new();
        for c in stem.chars() {
            match c {
                '０'..='９' => {
                    wide = true;
                    text.push(char::from_digit(c as u32 - '０' as u32, 10)?);
                }
                c if crate::script::unprintable(c).is_some() => invisible = true,
                c if c.is_whitespace() => spaces = true,
                c => text.push(c),
            }
        }
        let digits = match text.strip_prefix('第').and_then(|t| t.strip_suffix('期')) {
            Some(d) => d,
            None => &text,
        };
        let wrapped = digits.len() < text.len();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let odd = if invisible {
            Some("里有看不见的字符或控制字符")
        } else if spaces {
            Some("里有空格")
        } else if wide {
            Some("用了全角数字")
        } else {
            None
        };
        Some(NameNumber {
            digits: digits.to_string(),
            odd,
            wrapped,
        })
    }

    /// The plain file name for `digits` written as this name is:
    /// `004.md`, `第4期.md`.
    fn name(&self, digits: &str) -> String {
        if self.wrapped {
            format!("第{digits}期.md")
        } else {
            format!("{digits}.md")
        }
    }

    /// The number, without leading zeros (as text: a name may be longer
    /// than any number).
    fn number(&self) -> &str {
        match self.digits.trim_start_matches('0') {
            "" => "0",
            n => n,
        }
    }
}

/// The 报/送/发 lists: at least one unit; no blank, duplicate or pasted
/// entries; no unit in two lists.
pub fn check_distribution(
    src: &Arc<SourceFile>,
    dist: &Distribution,
    front_span: &Span,
    diags: &mut Vec<Diagnostic>,
) {
    if dist.bao.is_empty() && dist.song.is_empty() && dist.fa.is_empty() {
        diags.push(
            Diagnostic::error(
                "no-distribution",
                src,
                front_span.start..front_span.start + 3,
                "报、送、发都没有单位：报尾至少要有一个单位",
            )
            .with_help("在头部加上\n[distribution]\nfa = [\"单位一\", \"单位二\"]"),
        );
    }
    // A unit in two lists, or twice in one: name → (list label, span) of its first place.
    let mut seen: HashMap<String, (&str, Span)> = HashMap::new();
    for (_, label, units) in dist.lists() {
        let mut in_list: HashMap<&str, Span> = HashMap::new();
        for unit in units {
            let name = unit.value.trim_matches(|c: char| c.is_whitespace());
            if name.is_empty() {
                diags.push(
                    Diagnostic::error(
                        "empty-unit",
                        src,
                        unit.span.clone(),
                        format!("“{label}”的名单里有空白的单位"),
                    )
                    .with_help("删掉这一项（连同它后面的逗号）"),
                );
                continue;
            }
            if let Some(d) = pasted_list(name, label, src, unit.span.clone()) {
                diags.push(d);
            }
            if let Some(first) = in_list.get(name) {
                diags.push(
                    Diagnostic::error(
                        "duplicate-unit",
                        src,
                        unit.span.clone(),
                        format!("“{name}”在“{label}”里写了两次"),
                    )
                    .with_related("第一次在这里", src, first.clone())
                    .with_help("删掉重复的一项"),
                );
                continue;
            }
            in_list.insert(name, unit.span.clone());
            match seen.get(name) {
                Some((first, span)) => diags.push(
                    Diagnostic::error(
                        "unit-in-two-lists",
                        src,
                        unit.span.clone(),
                        format!("“{name}”既在“{first}”里又在“{label}”里"),
                    )
                    .with_related(format!("在“{first}”里"), src, span.clone())
                    .with_help("一个单位只写在报、送、发中的一处"),
                ),
                None => {
                    seen.insert(name.to_string(), (label, unit.span.clone()));
                }
            }
        }
    }
    long_closing_block(src, dist, diags);
}

/// Grid lines above which the 报/送/发 block no longer fits on a page with
/// its rules and the 印发 line: it then continues on the next page.
const CLOSING_LINES_PER_PAGE: usize = 19;

/// A 报/送/发 block too long for one page is printed over two, which no
/// reader expects: a warning at the longest list, with the usual remedy.
fn long_closing_block(src: &Arc<SourceFile>, dist: &Distribution, diags: &mut Vec<Diagnostic>) {
    use unicode_width::UnicodeWidthStr;
    // Lines as the closing block sets them: the label and its colon, then
    // the units with their separators, wrapped under the first unit.
    let lines = |units: &[Spanned<String>], label: &str| {
        if units.is_empty() {
            return 0;
        }
        let indent = label.chars().count() + 1;
        let cells: usize = units.iter().map(|u| u.value.width().div_ceil(2) + 1).sum();
        cells.div_ceil(28 - indent)
    };
    let total: usize = dist.lists().iter().map(|(_, l, u)| lines(u, l)).sum();
    if total <= CLOSING_LINES_PER_PAGE {
        return;
    }
    let Some((_, label, units)) = dist.lists().into_iter().max_by_key(|(_, l, u)| lines(u, l))
    else {
        return;
    };
    let (Some(first), Some(last)) = (units.first(), units.last()) else {
        return;
    };
    diags.push(
        Diagnostic::warning(
            "long-distribution",
            src,
            first.span.start..last.span.end,
            format!("报尾约有 {total} 行，一页放不下（最多约 {CLOSING_LINES_PER_PAGE} 行），会接着排到下一页；“{label}”的名单有 {} 个单位", units.len()),
        )
        .with_help("可以用统称代替逐个列出，例如“各县（市、区）教育局”“局属各学校”"),
    );
}

/// `"单位一、单位二"`: list punctuation inside a unit's name means several
/// units were pasted into one string.
fn pasted_list(name: &str, label: &str, src: &Arc<SourceFile>, span: Span) -> Option<Diagnostic> {
    const MARKS: &[char] = &['、', '，', '。', '；', ',', ';'];
    let trimmed = name.trim_end_matches(MARKS);
    if trimmed.len() < name.len() && top_level_marks(trimmed).is_empty() {
        let mark = &name[trimmed.len()..];
        return Some(
            Diagnostic::error(
                "unit-punctuation",
                src,
                span,
                format!("单位名称“{name}”末尾有标点“{mark}”"),
            )
            .with_help(format!(
                "分隔符由 jianbao.toml 的 separator 统一加上，这里写 \"{trimmed}\""
            )),
        );
    }
    let cuts = top_level_marks(name);
    if cuts.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    let mut start = 0;
    for (at, len) in cuts.iter().copied().chain(std::iter::once((name.len(), 0))) {
        let part = name[start..at].trim();
        if !part.is_empty() {
            parts.push(part);
        }
        start = at + len;
    }
    let quoted: Vec<String> = parts.iter().map(|p| format!("\"{p}\"")).collect();
    let only_pause = cuts.iter().all(|&(at, _)| name[at..].starts_with('、'));
    if only_pause {
        // 县委、县政府分管领导 is one unit: 、 joins the bodies it belongs
        // to. Only parts that each read as a unit of their own may be
        // several units pasted together — and then it is a question.
        if !parts.iter().all(|p| looks_like_unit(p)) {
            return None;
        }
        return Some(
            Diagnostic::warning(
                "unit-punctuation",
                src,
                span,
                format!("“{label}”的一项“{name}”里有顿号：是一个单位，还是几个单位？"),
            )
            .with_help(format!(
                "如果是几个单位，每个单独一项：[{}]；如果是一个单位的名称，不用改",
                quoted.join(", ")
            )),
        );
    }
    Some(
        Diagnostic::error(
            "unit-punctuation",
            src,
            span,
            format!("“{label}”的一项里有列表标点，像是把几个单位粘在了一起"),
        )
        .with_help(format!("每个单位单独一项：[{}]", quoted.join(", "))),
    )
}

/// Whether a name ends the way the name of a body does (市教育局, 县委,
/// 区政府办公室), not of people in it (分管领导) or a part of one.
fn looks_like_unit(name: &str) -> bool {
    const ENDS: &[&str] = &[
        "局", "委", "办", "室", "厅", "院", "部", "会", "组", "组织", "所", "处", "科", "队", "站",
        "校", "中心", "公司", "政府", "党组", "支部", "单位", "集团", "银行", "镇", "乡", "街道",
        "社区", "村", "署", "厂", "馆", "台", "社", "团",
    ];
    name.chars().count() >= 2 && ENDS.iter().any(|e| name.ends_with(e))
}

/// List punctuation outside brackets: 各县（市、区）教育局 is one unit.
fn top_level_marks(name: &str) -> Vec<(usize, usize)> {
    let mut depth = 0i32;
    let mut out = Vec::new();
    for (i, c) in name.char_indices() {
        match c {
            '（' | '(' | '“' | '《' | '【' => depth += 1,
            '）' | ')' | '”' | '》' | '】' => depth -= 1,
            '、' | '，' | '。' | '；' | ',' | ';' if depth <= 0 => out.push((i, c.len_utf8())),
            _ => {}
        }
    }
    out
}

/// Rules across the issues of a publication: numbers (and 总期号) unique
/// within a series, and dates that do not go backwards as numbers go up.
/// Every issue that shares a number with another has the error: jianbao
/// cannot tell which of them is meant, so none of them is built.
pub fn check_series(issues: &[(&IssueFile, &Issue)]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    // 增刊、专刊 count in series of their own (增刊第1期 beside 第1期).
    let mut by_series: HashMap<Series, Vec<&Issue>> = HashMap::new();
    for (file, issue) in issues {
        by_series
            .entry(Series::of(file, issue))
            .or_default()
            .push(issue);
    }
    // 总期号: no two issues of one edition share it, across year folders too.
    let mut totals: HashMap<(&str, u32), Vec<&Issue>> = HashMap::new();
    let mut sorted: Vec<(&IssueFile, &Issue)> = issues.to_vec();
    sorted.sort_by_key(|(_, i)| (i.date(), i.number(), i.source.path.clone()));
    for (file, issue) in sorted {
        if let Some(total) = &issue.front.total {
            totals
                .entry((Series::of(file, issue).edition, total.value))
                .or_default()
                .push(issue);
        }
    }
    let mut totals: Vec<_> = totals.into_values().filter(|g| g.len() > 1).collect();
    totals.sort_by_key(|g| g[0].source.path.clone());
    for group in totals {
        let span = |i: &Issue| i.front.total.as_ref().map_or(0..0, |t| t.span.clone());
        let total = group[0].front.total.as_ref().map_or(0, |t| t.value);
        for (k, issue) in group.iter().enumerate() {
            let others: Vec<&&Issue> = (group.iter().enumerate())
                .filter_map(|(j, o)| (j != k).then_some(o))
                .take(NAMED_OTHERS)
                .collect();
            let mut d = Diagnostic::error(
                "duplicate-total",
                &issue.source,
                span(issue),
                format!(
                    "总期号 {total} 重复了：{} 也是总第{total}期",
                    some_names(others.iter().map(|o| &o.source.path), group.len() - 1)
                ),
            );
            for other in others {
                d = d.with_related("这里也是这个总期号", &other.source, span(other));
            }
            diags.push(d.with_help(
                "总期号每期加一：检查是否从上一期复制过来忘了改（改好之前，用这个总期号的几期都不生成）",
            ));
        }
    }
    same_number_in_one_year(issues, &mut diags);
    total_shared_with_regular(issues, &mut diags);
    for (series, list) in by_series.iter_mut() {
        let edition = series.edition;
        list.sort_by_key(|i| (i.number(), i.source.path.clone()));
        for group in list.chunk_by(|a, b| a.number() == b.number()) {
            if group.len() < 2 {
                continue;
            }
            for (k, issue) in group.iter().enumerate() {
                let others: Vec<&&Issue> = (group.iter().enumerate())
                    .filter_map(|(j, o)| (j != k).then_some(o))
                    .take(NAMED_OTHERS)
                    .collect();
                let mut d = Diagnostic::error(
                    "duplicate-number",
                    &issue.source,
                    issue.front.number.span.clone(),
                    format!(
                        "期号 {} 重复了：{} 也是{edition}第{}期",
                        issue.number(),
                        some_names(others.iter().map(|o| &o.source.path), group.len() - 1),
                        issue.number()
                    ),
                );
                for other in others {
                    d = d.with_related(
                        "这里也是这个期号",
                        &other.source,
                        other.front.number.span.clone(),
                    );
                }
                diags.push(d.with_help(
                    "期号在同一系列里只能用一次（正刊是一个系列，增刊、专刊等各是一个系列；有年份文件夹时每年另算）：改掉多出来的那一期的期号（改好之前，用这个期号的几期都不生成）",
                ));
            }
        }
        for pair in list.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if a.number() == b.number() {
                continue;
            }
            if let (Some(ta), Some(tb)) = (&a.front.total, &b.front.total)
                && tb.value < ta.value
            {
                diags.push(
                    Diagnostic::warning(
                        "total-order",
                        &b.source,
                        tb.span.clone(),
                        format!(
                            "{edition}第{}期的总期号 {} 比{edition}第{}期的 {} 还小",
                            b.number(),
                            tb.value,
                            a.number(),
                            ta.value
                        ),
                    )
                    .with_related(
                        format!("{edition}第{}期的总期号", a.number()),
                        &a.source,
                        ta.span.clone(),
                    )
                    .with_help("期号越大总期号应越大：检查是否从上一期复制过来忘了改"),
                );
            } else if b.date() < a.date() {
                diags.push(
                    Diagnostic::warning(
                        "date-backwards",
                        &b.source,
                        b.front.date.span.clone(),
                        format!(
                            "{edition}第{}期的日期 {} 早于{edition}第{}期的 {}",
                            b.number(),
                            chinese_date(b.date()),
                            a.number(),
                            chinese_date(a.date())
                        ),
                    )
                    .with_related(
                        format!("{edition}第{}期的日期", a.number()),
                        &a.source,
                        a.front.date.span.clone(),
                    )
                    .with_help("期号越大日期应越晚：检查日期或期号是否写错"),
                );
            }
        }
    }
    diags
}

/// Two issues of one edition in different folders (`issues/001.md` and
/// `issues/2026/001.md`, as a publication moving to year folders has
/// them) with the same number and dated in the same year print the same
/// 期号 line: a reader cannot tell them apart, and neither is built.
fn same_number_in_one_year(issues: &[(&IssueFile, &Issue)], diags: &mut Vec<Diagnostic>) {
    /// Edition, number and the year of the date: what the 期号 line says.
    type Printed<'a> = (&'a str, IssueNumber, i32);
    let mut groups: HashMap<Printed, Vec<(&IssueFile, &Issue)>> = HashMap::new();
    for &(file, issue) in issues {
        let series = Series::of(file, issue);
        groups
            .entry((series.edition, issue.number(), issue.date().year()))
            .or_default()
            .push((file, issue));
    }
    let mut groups: Vec<_> = groups
        .into_iter()
        .filter(|(_, g)| g.iter().any(|(f, _)| f.series() != g[0].0.series()))
        .collect();
    groups.sort_by_key(|(key, _)| *key);
    for ((edition, number, year), group) in groups {
        // How many of the group each folder holds, and the first few of
        // each folder in the group's order: the first few issues of other
        // folders are among them, so each issue finds its others in a few
        // steps however large the group.
        let mut per_folder: HashMap<&str, usize> = HashMap::new();
        let mut firsts = Vec::new();
        for entry in &group {
            let seen = per_folder.entry(entry.0.series()).or_default();
            if *seen < NAMED_OTHERS {
                firsts.push(entry);
            }
            *seen += 1;
        }
        for (file, issue) in &group {
            let count = group.len() - per_folder[file.series()];
            let others: Vec<&(&IssueFile, &Issue)> = (firsts.iter())
                .filter(|o| o.0.series() != file.series())
                .take(NAMED_OTHERS)
                .copied()
                .collect();
            if others.is_empty() {
                continue;
            }
            let mut d = Diagnostic::error(
                "duplicate-number-line",
                &issue.source,
                issue.front.number.span.clone(),
                format!(
                    "{} 和这一期都是 {year} 年的{edition}第{number}期，报头上的期号会一模一样",
                    some_names(others.iter().map(|(_, o)| &o.source.path), count)
                ),
            );
            for (_, other) in &others {
                d = d.with_related(
                    "这里也是这个期号",
                    &other.source,
                    other.front.number.span.clone(),
                );
            }
            diags.push(d.with_help(
                "有年份文件夹时，同一年的各期要放在同一个文件夹里：把 issues/ 下这一年的期刊文件移进 issues/年份/（或者改掉其中一期的期号；改好之前这几期都不生成）",
            ));
        }
    }
}

/// A 增刊 (or 专刊 …) whose 总期号 is a regular issue's: the two print the
/// same 总第N期. Offices give a 增刊 no 总期号, or one of its own.
fn total_shared_with_regular(issues: &[(&IssueFile, &Issue)], diags: &mut Vec<Diagnostic>) {
    let regular: HashMap<u32, &Issue> = issues
        .iter()
        .filter(|(f, i)| Series::of(f, i).edition.is_empty())
        .filter_map(|(_, i)| Some((i.front.total.as_ref()?.value, *i)))
        .collect();
    for &(file, issue) in issues {
        let edition = Series::of(file, issue).edition;
        let Some(total) = issue.front.total.as_ref() else {
            continue;
        };
        let Some(other) = regular.get(&total.value).filter(|_| !edition.is_empty()) else {
            continue;
        };
        let other_span = other.front.total.as_ref().map_or(0..0, |t| t.span.clone());
        diags.push(
            Diagnostic::warning(
                "total-shared",
                &issue.source,
                total.span.clone(),
                format!(
                    "{edition}第{}期的总期号 {} 和正刊第{}期的一样，两期都会印“总第{}期”",
                    issue.number(),
                    total.value,
                    other.number(),
                    total.value
                ),
            )
            .with_related(
                format!("正刊第{}期的总期号", other.number()),
                &other.source,
                other_span,
            )
            .with_help(format!(
                "总期号数的是正刊：{edition}一般不写总期号，删掉 total 这一行"
            )),
        );
    }
}

/// The series an issue's number counts in: its year folder (`""` without
/// year folders) and its edition (`""` for the regular issues; each
/// edition, 增刊, 专刊 …, counts on its own, as offices number them). The
/// one key of the series rules and of what `jianbao build 2023/增刊1`
/// names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Series<'a> {
    pub folder: &'a str,
    pub edition: &'a str,
}

impl<'a> Series<'a> {
    /// The series of a parsed issue: the edition as its front matter
    /// writes it, spaces around it aside (they are not printed either).
    pub fn of(file: &'a IssueFile, issue: &'a Issue) -> Series<'a> {
        Series {
            folder: file.series(),
            edition: issue.front.edition.as_deref().map_or("", str::trim),
        }
    }
}

/// An issue named as a clerk writes it: `3`, `第3期`, `增刊1`, `增刊01`,
/// `增刊第1期`; the edition (`""` for a regular issue) and the number.
/// `None` when it does not end in a number (ASCII digits).
pub fn edition_number(name: &str) -> Option<(&str, u32)> {
    let name = name.strip_suffix('期').unwrap_or(name);
    let prefix = name.trim_end_matches(|c: char| c.is_ascii_digit());
    let number = name[prefix.len()..].parse().ok()?;
    Some((prefix.strip_suffix('第').unwrap_or(prefix), number))
}

/// `issues/001.md、issues/001b.md`: the paths of the other issues of a
/// problem, as shown.
/// How many of the other issues that share a number (or 总期号) an error
/// names and points at; the rest are counted. Each issue of the group has
/// its error, so naming every other would print every pair: the square of
/// the group's size (500 copies of one template, 250,000 notes).
const NAMED_OTHERS: usize = 3;

/// The first of `count` other issues named (at most [`NAMED_OTHERS`] of
/// them), and how many more there are: `a.md、b.md、c.md 和另外 497 期`.
fn some_names<'p>(paths: impl Iterator<Item = &'p std::path::PathBuf>, count: usize) -> String {
    let shown: Vec<String> = paths.take(NAMED_OTHERS).map(|p| show_path(p)).collect();
    let more = count.saturating_sub(shown.len());
    let shown = shown.join("、");
    if more == 0 {
        shown
    } else {
        format!("{shown} 和另外 {more} 期")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issue_is_named_by_its_edition_and_number() {
        assert_eq!(edition_number("3"), Some(("", 3)));
        assert_eq!(edition_number("第3期"), Some(("", 3)));
        assert_eq!(edition_number("003"), Some(("", 3)));
        assert_eq!(edition_number("增刊1"), Some(("增刊", 1)));
        assert_eq!(edition_number("增刊01"), Some(("增刊", 1)));
        assert_eq!(edition_number("增刊第1期"), Some(("增刊", 1)));
        assert_eq!(edition_number("专刊12期"), Some(("专刊", 12)));
        for not in ["增刊", "", "第期", "3a", "99999999999", "增刊-"] {
            assert_eq!(edition_number(not), None, "{not:?}");
        }
    }

    #[test]
    fn a_file_name_reads_as_a_number_as_a_reader_reads_it() {
        let read = |s: &str| NameNumber::read(s).map(|n| (n.number().to_string(), n.odd));
        assert_eq!(read("003"), Some(("3".into(), None)));
        assert_eq!(read("第3期"), Some(("3".into(), None)));
        assert_eq!(read("000"), Some(("0".into(), None)));
        assert_eq!(read("99999999999"), Some(("99999999999".into(), None)));
        assert_eq!(read(" 003"), Some(("3".into(), Some("里有空格"))));
        assert_eq!(read("003　"), Some(("3".into(), Some("里有空格"))));
        assert_eq!(read("００３"), Some(("3".into(), Some("用了全角数字"))));
        assert_eq!(
            read("00\n3"),
            Some(("3".into(), Some("里有看不见的字符或控制字符")))
        );
        assert_eq!(
            read("\u{200b}012"),
            Some(("12".into(), Some("里有看不见的字符或控制字符")))
        );
        for not in [
            "zengkan",
            "增刊01",
            "003-副本",
            "3a",
            "",
            "第期",
            " ",
            "3.5",
        ] {
            assert_eq!(read(not), None, "{not:?}");
        }
    }
}
