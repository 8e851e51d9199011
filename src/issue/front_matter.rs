//! The `+++` TOML front matter of an issue file.

use std::sync::Arc;

use chrono::NaiveDate;

use super::model::{Distribution, Field, IssueNumber, Printed};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span, Spanned};
use crate::toml_table::{self, TableReader};

/// What the front matter says about an issue.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontMatter {
    pub number: Spanned<IssueNumber>,
    pub date: Spanned<NaiveDate>,
    /// 总第N期.
    pub total: Option<Spanned<u32>>,
    /// 增刊 / 专刊 / 特刊.
    pub edition: Option<String>,
    pub mark: Option<String>,
    pub editor: Option<String>,
    pub publisher: Option<String>,
    /// 共印N份.
    pub copies: Option<u32>,
    /// 密级, top right of the masthead (overrides jianbao.toml).
    pub classification: Option<String>,
    /// 编号 (the copy's number), top right under the 密级.
    pub serial: Option<String>,
    /// `contents = false`: no 本期要目 in this issue.
    pub contents: Option<bool>,
    pub distribution: Distribution,
    /// The span of the whole front matter, `+++` to `+++`.
    pub span: Span,
}

const FENCE: &str = "+++";

/// The keys of the front matter's top level.
const TOP_KEYS: &[&str] = &[
    "number",
    "date",
    "total",
    "edition",
    "mark",
    "editor",
    "publisher",
    "copies",
    "classification",
    "serial",
    "contents",
    "distribution",
];

/// Splits off and reads the front matter; `None` when there is no
/// delimited front matter at all.
pub fn parse_front_matter(
    file: &Arc<SourceFile>,
    diags: &mut Vec<Diagnostic>,
) -> Option<FrontParts> {
    let text = file.text.as_str();
    let start = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut lines = line_spans(text, start);
    let Some(first) = lines.next() else {
        diags.push(
            Diagnostic::error("no-front-matter", file, 0..0, "文件是空的")
                .with_help("期刊文件以一行 +++ 开头，接着写 number = …、date = …，再用一行 +++ 结束，然后是正文"),
        );
        return None;
    };
    if text[first.clone()].trim_end() != FENCE {
        let found = text[first.clone()].trim_end();
        let help = if found == "---" {
            "jianbao 的头部用 TOML 写，前后各用一行 +++（不是 ---）".to_string()
        } else {
            "在文件第一行写 +++，接着写 number = …、date = … 等，再用一行 +++ 结束".to_string()
        };
        diags.push(
            Diagnostic::error(
                "no-front-matter",
                file,
                first,
                "文件没有以 +++ 开头的头部（front matter）",
            )
            .with_help(help),
        );
        return None;
    }
    let toml_start = first.end.min(text.len());
    let toml_start = if text[toml_start..].starts_with('\n') {
        toml_start + 1
    } else {
        toml_start
    };
    let Some(close) = line_spans(text, toml_start).find(|l| text[l.clone()].trim_end() == FENCE)
    else {
        diags.push(
            Diagnostic::error(
                "unclosed-front-matter",
                file,
                first,
                "头部以 +++ 开始，但没有以 +++ 结束",
            )
            .with_help("在 distribution 等设置之后、正文之前加一行 +++"),
        );
        return None;
    };
    let body_start = (close.end + 1).min(text.len());
    let span = first.start..close.end;
    let toml_text = &text[toml_start..close.start];
    let (table, recovery) = toml_table::parse(file, toml_text, toml_start, diags);

    let before = diags.iter().filter(|d| d.is_error()).count();
    // `number = 4` written after `[distribution]` lands in that table: it is
    // reported there, with where to move it, and not as missing here.
    let misplaced: Vec<String> = match table.get("distribution").map(|v| v.get_ref()) {
        Some(toml::de::DeValue::Table(t)) => t
            .keys()
            .map(|k| k.get_ref().to_string())
            .filter(|k| TOP_KEYS.contains(&k.as_str()))
            .collect(),
        _ => Vec::new(),
    };
    let mut top = TableReader::new(file, toml_start, "", &table, first.clone())
        .quiet(recovery.broken_keys.iter().cloned().chain(misplaced));
    let number = top.required_int("number", "4", diags).and_then(|n| {
        if n.value < 1 || n.value > u32::MAX as i64 {
            diags.push(
                Diagnostic::error(
                    "bad-number",
                    file,
                    n.span.clone(),
                    if n.value < 1 {
                        format!("期号 number = {} 不对：期号从 1 开始", n.value)
                    } else {
                        format!("期号 number = {} 太大了", n.value)
                    },
                )
                .with_help("写这一期的期号，例如 number = 4"),
            );
            None
        } else {
            Some(Spanned::new(IssueNumber(n.value as u32), n.span))
        }
    });
    let date = top.required_date("date", diags);
    let positive =
        |v: Option<Spanned<i64>>, what: &str, diags: &mut Vec<Diagnostic>| -> Option<u32> {
            let v = v?;
            match u32::try_from(v.value) {
                Ok(n) if n >= 1 => Some(n),
                _ => {
                    diags.push(
                        Diagnostic::error(
                            "bad-number",
                            file,
                            v.span,
                            format!("{what}应为正整数，这里是 {}", v.value),
                        )
                        .with_help("写 1 或更大的整数，不需要时删掉这一行"),
                    );
                    None
                }
            }
        };
    let total = top.int("total", "16", diags);
    let total_span = total.as_ref().map(|t| t.span.clone());
    let total = positive(total, "总期号 total ", diags)
        .zip(total_span)
        .map(|(n, span)| Spanned::new(n, span));
    let copies = top.int("copies", "200", diags);
    let copies = positive(copies, "印数 copies ", diags);
    let mut printed: Vec<Printed> = Vec::new();
    let mut printed_string = |field: Field, example: &str, diags: &mut Vec<Diagnostic>| {
        let s = top.string(field.key(), example, diags)?;
        printed.push((field, s.clone()));
        Some(s.value)
    };
    let edition = printed_string(Field::Edition, "\"增刊\"", diags);
    let mark = printed_string(Field::Mark, "\"内部资料　注意保存\"", diags);
    let editor = printed_string(Field::Editor, "\"办公室\"", diags);
    let publisher = printed_string(Field::Publisher, "\"××办公室\"", diags);
    let classification = top
        .string_any(&["classification", "密级"], "\"秘密\"", diags)
        .map(|s| {
            printed.push((Field::Classification, s.clone()));
            s.value
        });
    let serial = top
        .string_any(&["serial", "编号"], "\"000123\"", diags)
        .map(|s| {
            printed.push((Field::Serial, s.clone()));
            s.value
        });
    let contents = top.bool("contents", "false", diags).map(|b| b.value);
    let example = "[\"单位一\", \"单位二\"]";
    let distribution = match top.table("distribution", &format!("fa = {example}"), diags) {
        Ok(Some(dist)) => {
            let mut dist = dist.parent_keys(TOP_KEYS);
            let d = Distribution {
                bao: dist
                    .strings(&["bao", "报"], example, diags)
                    .unwrap_or_default(),
                song: dist
                    .strings(&["song", "送"], example, diags)
                    .unwrap_or_default(),
                fa: dist
                    .strings(&["fa", "发"], example, diags)
                    .unwrap_or_default(),
                extra: dist
                    .strings(&["extra", "增发", "本期增发"], example, diags)
                    .unwrap_or_default(),
            };
            dist.finish(diags);
            // A list on a line with a syntax error was read by guesswork:
            // its units are unknown, not absent (the error says why).
            let lists = [
                "bao",
                "报",
                "song",
                "送",
                "fa",
                "发",
                "extra",
                "增发",
                "本期增发",
            ];
            let broken = recovery
                .broken_keys
                .iter()
                .any(|k| lists.contains(&k.as_str()));
            (!broken).then_some(d)
        }
        Ok(None) => Some(Distribution::default()),
        // Not a table: reported; its units are unknown, not absent.
        Err(()) => None,
    };
    top.finish(diags);
    let ok = !recovery.any_errors && diags.iter().filter(|d| d.is_error()).count() == before;

    let front = match (number, date, &distribution) {
        (Some(number), Some(date), Some(distribution)) if ok => Some(FrontMatter {
            number,
            date,
            total,
            edition,
            mark,
            editor,
            publisher,
            copies,
            classification,
            serial,
            contents,
            distribution: distribution.clone(),
            span: span.clone(),
        }),
        _ => None,
    };
    Some(FrontParts {
        front,
        distribution,
        printed,
        span,
        body_start,
    })
}

/// What the front matter gave, as far as it parsed.
pub struct FrontParts {
    /// The whole front matter, when it has no errors.
    pub front: Option<FrontMatter>,
    /// The 报/送/发 lists as far as they parsed, for checking on their own
    /// (`None` when `distribution` is not a table).
    pub distribution: Option<Distribution>,
    /// The printed strings (edition, mark, editor, publisher) with their
    /// places, as far as they parsed.
    pub printed: Vec<Printed>,
    pub span: Span,
    /// Byte offset where the body starts.
    pub body_start: usize,
}

/// Byte ranges of the lines from `start`, without their `\n` (a `\r` stays
/// and is trimmed by the callers).
pub(crate) fn line_spans(
    text: &str,
    start: usize,
) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut pos = start;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = pos..end;
        pos = end + 1;
        Some(line)
    })
}
