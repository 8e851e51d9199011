//! Typed, span-keeping reads from a parsed TOML table, shared by
//! `jianbao.toml` and issue front matter. Unlike serde derive it reports
//! every problem in a table (each unknown key with the nearest known one,
//! each wrong type, each missing key) instead of stopping at the first.

use std::ops::Range;
use std::sync::Arc;

use chrono::NaiveDate;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Diagnostic, nearest};
use crate::source::{SourceFile, Spanned};

type Value<'i> = toml::Spanned<DeValue<'i>>;

/// What syntax errors left behind: the parser recovers around them, but
/// the keys on broken lines are lost or half-read.
#[derive(Debug, Default, Clone)]
pub struct Recovery {
    pub any_errors: bool,
    /// Keys written on lines with syntax errors.
    pub broken_keys: Vec<String>,
}

/// Parses TOML that starts at byte `offset` of `file`. Every syntax error is
/// reported; the table is what the parser recovered around them.
pub fn parse<'i>(
    file: &Arc<SourceFile>,
    text: &'i str,
    offset: usize,
    diags: &mut Vec<Diagnostic>,
) -> (DeTable<'i>, Recovery) {
    let (table, errors) = DeTable::parse_recoverable(text);
    let mut recovery = Recovery {
        any_errors: !errors.is_empty(),
        broken_keys: Vec::new(),
    };
    for error in errors {
        let span = error.span().unwrap_or(0..0);
        let span = offset + span.start..offset + span.end.max(span.start);
        let (line, _) = file.line_col(span.start);
        let line_text = file.line_text(line);
        let key = line_text
            .split_once('=')
            .map(|(k, _)| k.trim().trim_matches('"').to_string());
        let d = syntax_error(file, span, error.message(), key.as_deref(), line_text);
        // One error per line: the parser often reports a broken line twice.
        if !diags.iter().any(|e| {
            e.location.as_ref().is_some_and(|l| {
                Arc::ptr_eq(&l.file, file) && file.line_col(l.span.start).0 == line
            })
        }) {
            diags.push(d);
        }
        recovery.broken_keys.extend(key);
    }
    (table.into_inner(), recovery)
}

/// A TOML parser message in plain words, with a fix where one is known.
fn syntax_error(
    file: &Arc<SourceFile>,
    span: Range<usize>,
    message: &str,
    key: Option<&str>,
    line: &str,
) -> Diagnostic {
    let message = message.trim().trim_end_matches('.');
    if key == Some("date") {
        let value = line.split_once('=').map_or("", |(_, v)| v.trim());
        let value_at = line.find(value).map_or(span.start, |i| {
            span.start - file.line_col(span.start).1 + 1 + line[..i].chars().count()
        });
        let value_span = value_at.min(span.start)..(value_at + value.len()).max(span.end);
        let value_span = if file.text.get(value_span.clone()) == Some(value) {
            value_span
        } else {
            span
        };
        let parts: Vec<&str> = value.split('-').collect();
        if let [y, m, d] = parts[..]
            && [y, m, d]
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            && (m.len() != 2 || d.len() != 2)
            && let Some(hint) = chinese_date_hint(value)
        {
            return Diagnostic::error(
                "bad-date",
                file,
                value_span,
                format!("日期 {value} 的月和日要写两位数"),
            )
            .with_help(format!("写成 date = {hint}"));
        }
        if message.starts_with("invalid date") {
            return Diagnostic::error(
                "bad-date",
                file,
                value_span,
                format!("{value} 不是一个真实的日期"),
            )
            .with_help("检查月份和日期，例如 date = 2022-01-19");
        }
        let help = match chinese_date_hint(value) {
            Some(hint) => format!("写成 date = {hint}（年-月-日，不加引号）"),
            None => "写成 date = 2022-01-19（年-月-日，不加引号）".into(),
        };
        return Diagnostic::error(
            "bad-date",
            file,
            value_span,
            format!("日期 {value} 的写法不对"),
        )
        .with_help(help);
    }
    // A list typed with Chinese quotes or commas: say so once, with the
    // line as it should be.
    if let Some((k, value)) = line.split_once('=')
        && let Some(fixed) = chinese_list_fix(value)
    {
        return Diagnostic::error("toml-syntax", file, span, "名单用了中文引号或中文逗号")
            .with_help(format!(
                "写成 {} = {fixed}（英文双引号，英文逗号）",
                k.trim()
            ));
    }
    // A key in Chinese (报 = [...], 密级 = "秘密") is not a TOML bare key:
    // it is written in quotes.
    if let Some((k, value)) = line.split_once('=')
        && message.contains("unquoted key")
        && !k.trim().is_empty()
        && !k.trim().is_ascii()
        && !k.contains('"')
    {
        return Diagnostic::error(
            "toml-syntax",
            file,
            span,
            format!("中文名称 {} 要加英文双引号", k.trim()),
        )
        .with_help(format!("写成 \"{}\" = {}", k.trim(), value.trim()));
    }
    let (what, help) = if message.contains("duplicate key") {
        ("同一个设置项写了两次", "删掉重复的那一行")
    } else if message.contains("string values must be quoted") || message.contains("invalid string")
    {
        (
            "文字没有用英文双引号括起来",
            "例如 title = \"简报\"、fa = [\"单位一\", \"单位二\"]",
        )
    } else if message.contains("array") || message.contains("`]`") {
        (
            "名单的写法不对",
            "名单写成 [\"单位一\", \"单位二\"]：方括号，英文引号，英文逗号",
        )
    } else if message.contains("key") || message.contains("`=`") {
        (
            "这一行不是“名称 = 值”的形式",
            "每行写成 名称 = 值，例如 number = 4",
        )
    } else {
        (
            "TOML 写法有误",
            "每行写成 名称 = 值，例如 number = 4、date = 2022-01-19、fa = [\"单位一\"]",
        )
    };
    // The parser's own words, as a detail for those who know TOML.
    let detail = message.lines().next().unwrap_or(message);
    Diagnostic::error("toml-syntax", file, span, format!("{what}（{detail}）")).with_help(help)
}

/// `[“单位一”，“单位二”]` or `["单位一"，"单位二"]` written as TOML means
/// `["单位一", "单位二"]`: the fixed value, when it is such a list.
fn chinese_list_fix(value: &str) -> Option<String> {
    let value = value.trim();
    let inner = value
        .strip_prefix(['[', '［'])?
        .strip_suffix([']', '］'])?
        .trim();
    let chinese = inner.contains(['“', '”', '，', '、', '＂']);
    if !chinese {
        return None;
    }
    let items: Vec<String> = inner
        .split([',', '，', '、'])
        .map(|item| {
            item.trim()
                .trim_matches(['"', '“', '”', '＂', ' ', '\u{3000}'])
                .to_string()
        })
        .filter(|item| !item.is_empty())
        .collect();
    if items.is_empty() || items.iter().any(|i| i.contains('"')) {
        return None;
    }
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    Some(format!("[{}]", quoted.join(", ")))
}

/// One table being read. Keys that are read are marked; `finish` reports
/// the rest as unknown, and the required keys that are missing.
pub struct TableReader<'a, 'i> {
    file: &'a Arc<SourceFile>,
    offset: usize,
    /// Dotted name of the table for messages (`""` at the top, `distribution`).
    name: String,
    table: &'a DeTable<'i>,
    /// Where to point when a required key is missing.
    anchor: Range<usize>,
    /// Keys whose absence or type is not reported: written on a broken
    /// line, or misplaced into another table (reported there).
    quiet: Vec<String>,
    /// Keys of the enclosing table: one of them here was misplaced.
    parent_keys: &'static [&'static str],
    known: Vec<&'static str>,
    missing: Vec<(&'static str, String)>,
}

impl<'a, 'i> TableReader<'a, 'i> {
    pub fn new(
        file: &'a Arc<SourceFile>,
        offset: usize,
        name: &str,
        table: &'a DeTable<'i>,
        anchor: Range<usize>,
    ) -> Self {
        Self {
            file,
            offset,
            name: name.into(),
            table,
            anchor,
            quiet: Vec::new(),
            parent_keys: &[],
            known: Vec::new(),
            missing: Vec::new(),
        }
    }

    /// Keys not to report as missing or mistyped.
    pub fn quiet(mut self, keys: impl IntoIterator<Item = String>) -> Self {
        self.quiet.extend(keys);
        self
    }

    /// The keys of the enclosing table, for the help on a misplaced key.
    pub fn parent_keys(mut self, keys: &'static [&'static str]) -> Self {
        self.parent_keys = keys;
        self
    }

    fn key_name(&self, key: &str) -> String {
        if self.name.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.name)
        }
    }

    fn shift(&self, span: Range<usize>) -> Range<usize> {
        self.offset + span.start..self.offset + span.end
    }

    fn is_quiet(&self, key: &str) -> bool {
        self.quiet.iter().any(|q| q == key)
    }

    /// Looks a key up under any of its accepted spellings. Two spellings of
    /// one key (`fa` and `"发"`) are an error: one of them would be lost.
    fn lookup(
        &mut self,
        keys: &[&'static str],
        diags: &mut Vec<Diagnostic>,
    ) -> Option<(&'a str, &'a Value<'i>)> {
        self.known.extend_from_slice(keys);
        let table: &'a DeTable<'i> = self.table;
        let mut found = table
            .iter()
            .filter(|(k, _)| keys.contains(&k.get_ref().as_ref()));
        let first = found.next()?;
        for (again, _) in found {
            diags.push(
                Diagnostic::error(
                    "duplicate-key",
                    self.file,
                    self.shift(again.span()),
                    format!(
                        "`{}` 和 `{}` 是同一项，只能写一次",
                        first.0.get_ref(),
                        again.get_ref()
                    ),
                )
                .with_related("已经写在这里", self.file, self.shift(first.0.span()))
                .with_help("把两处的内容合成一项"),
            );
        }
        Some((first.0.get_ref().as_ref(), first.1))
    }

    fn wrong_type(
        &self,
        key: &str,
        value: &Value<'i>,
        expected: &str,
        help: String,
        diags: &mut Vec<Diagnostic>,
    ) {
        if self.is_quiet(key) {
            return;
        }
        diags.push(
            Diagnostic::error(
                "wrong-type",
                self.file,
                self.shift(value.span()),
                format!(
                    "`{}` 应为{expected}，这里是{}",
                    self.key_name(key),
                    type_name(value.get_ref())
                ),
            )
            .with_help(help),
        );
    }

    /// Notes a required key; it is reported in `finish` if it is absent.
    fn need(&mut self, key: &'static str, example: &str) {
        self.missing.push((key, example.to_string()));
    }

    pub fn required_int(
        &mut self,
        key: &'static str,
        example: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Spanned<i64>> {
        self.need(key, example);
        self.int(key, example, diags)
    }

    pub fn int(
        &mut self,
        key: &'static str,
        example: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Spanned<i64>> {
        let (_, value) = self.lookup(&[key], diags)?;
        match value.get_ref() {
            DeValue::Integer(i) => {
                match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
                    Ok(n) => Some(Spanned::new(n, self.shift(value.span()))),
                    Err(_) => {
                        diags.push(
                            Diagnostic::error(
                                "wrong-type",
                                self.file,
                                self.shift(value.span()),
                                format!("`{}` 的数太大", self.key_name(key)),
                            )
                            .with_help(format!("例如 {key} = {example}")),
                        );
                        None
                    }
                }
            }
            DeValue::String(s) if s.trim().parse::<i64>().is_ok() => {
                self.wrong_type(
                    key,
                    value,
                    "整数",
                    format!("去掉引号：{key} = {}", s.trim()),
                    diags,
                );
                None
            }
            _ => {
                self.wrong_type(key, value, "整数", format!("例如 {key} = {example}"), diags);
                None
            }
        }
    }

    pub fn bool(
        &mut self,
        key: &'static str,
        example: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Spanned<bool>> {
        let (_, value) = self.lookup(&[key], diags)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some(Spanned::new(*b, self.shift(value.span()))),
            _ => {
                self.wrong_type(
                    key,
                    value,
                    "true 或 false",
                    format!("例如 {key} = {example}"),
                    diags,
                );
                None
            }
        }
    }

    pub fn string(
        &mut self,
        key: &'static str,
        example: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Spanned<String>> {
        self.string_any(&[key], example, diags)
    }

    /// A string under any of `keys` (a key and its Chinese alias).
    pub fn string_any(
        &mut self,
        keys: &[&'static str],
        example: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Spanned<String>> {
        let (key, value) = self.lookup(keys, diags)?;
        match value.get_ref() {
            DeValue::String(s) => Some(Spanned::new(s.to_string(), self.shift(value.span()))),
            _ => {
                let key = key.to_string();
                self.wrong_type(
                    &key,
                    value,
                    "字符串",
                    format!("例如 {key} = {example}"),
                    diags,
                );
                None
            }
        }
    }

    pub fn required_string(
        &mut self,
        key: &'static str,
        example: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Spanned<String>> {
        self.need(key, example);
        self.string(key, example, diags)
    }

    pub fn required_date(
        &mut self,
        key: &'static str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Spanned<NaiveDate>> {
        let example = "2022-01-19";
        self.need(key, example);
        let (_, value) = self.lookup(&[key], diags)?;
        let span = self.shift(value.span());
        match value.get_ref() {
            DeValue::Datetime(dt) => match (dt.date, dt.time) {
                (Some(d), None) => {
                    match NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()) {
                        Some(date) => Some(Spanned::new(date, span)),
                        None => {
                            diags.push(
                                Diagnostic::error(
                                    "bad-date",
                                    self.file,
                                    span,
                                    format!("{d} 不是一个真实的日期"),
                                )
                                .with_help(format!("检查月份和日期，例如 {key} = {example}")),
                            );
                            None
                        }
                    }
                }
                _ if self.is_quiet(key) => None,
                (Some(d), Some(_)) => {
                    diags.push(
                        Diagnostic::error(
                            "bad-date",
                            self.file,
                            span,
                            format!("`{}` 只写日期，不写时间", self.key_name(key)),
                        )
                        .with_help(format!("去掉时间部分，写成 {key} = {d}")),
                    );
                    None
                }
                _ => {
                    diags.push(
                        Diagnostic::error(
                            "bad-date",
                            self.file,
                            span,
                            format!("`{}` 要写年月日", self.key_name(key)),
                        )
                        .with_help(format!("例如 {key} = {example}")),
                    );
                    None
                }
            },
            DeValue::String(s) => {
                let hint = chinese_date_hint(s);
                self.wrong_type(
                    key,
                    value,
                    "日期",
                    format!(
                        "去掉引号，写成 {key} = {}",
                        hint.as_deref().unwrap_or(example)
                    ),
                    diags,
                );
                None
            }
            _ => {
                self.wrong_type(key, value, "日期", format!("例如 {key} = {example}"), diags);
                None
            }
        }
    }

    /// An array of strings under any of `keys`; each element keeps its own span.
    pub fn strings(
        &mut self,
        keys: &[&'static str],
        example: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Vec<Spanned<String>>> {
        let (key, value) = self.lookup(keys, diags)?;
        let key = key.to_string();
        match value.get_ref() {
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item.get_ref() {
                        DeValue::String(s) => {
                            out.push(Spanned::new(s.to_string(), self.shift(item.span())))
                        }
                        other => diags.push(
                            Diagnostic::error(
                                "wrong-type",
                                self.file,
                                self.shift(item.span()),
                                format!(
                                    "`{}` 的每一项应为字符串，这里是{}",
                                    self.key_name(&key),
                                    type_name(other)
                                ),
                            )
                            .with_help("每一项都用英文双引号括起来"),
                        ),
                    }
                }
                Some(out)
            }
            // A single unit written without brackets: accept it, as a clerk would expect.
            DeValue::String(s) => Some(vec![Spanned::new(s.to_string(), self.shift(value.span()))]),
            _ => {
                self.wrong_type(
                    &key,
                    value,
                    "字符串数组",
                    format!("例如 {key} = {example}"),
                    diags,
                );
                None
            }
        }
    }

    /// A sub-table, read by a reader of its own. `Err(())` when the key is
    /// there but is not a table (already reported).
    pub fn table(
        &mut self,
        key: &'static str,
        example: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Result<Option<TableReader<'a, 'i>>, ()> {
        let Some((_, value)) = self.lookup(&[key], diags) else {
            return Ok(None);
        };
        match value.get_ref() {
            DeValue::Table(t) => {
                let name = self.key_name(key);
                Ok(Some(
                    TableReader::new(self.file, self.offset, &name, t, self.shift(value.span()))
                        .quiet(self.quiet.clone()),
                ))
            }
            _ => {
                self.wrong_type(
                    key,
                    value,
                    "表",
                    format!("写成一个表，表头单独一行：\n[{key}]\n{example}"),
                    diags,
                );
                Err(())
            }
        }
    }

    /// Reports every key that no read asked for (with the nearest known
    /// key), and every required key that is absent — unless an unknown key
    /// already suggests it.
    pub fn finish(self, diags: &mut Vec<Diagnostic>) {
        let mut suggested = Vec::new();
        for (key, _) in self.table.iter() {
            let name: &str = key.get_ref().as_ref();
            if self.known.contains(&name) {
                continue;
            }
            let mut d = Diagnostic::error(
                "unknown-key",
                self.file,
                self.shift(key.span()),
                format!("不认识的设置项 `{}`", self.key_name(name)),
            );
            d = if self.parent_keys.contains(&name) {
                d.with_help(format!(
                    "`{name}` 要写在 [{}] 这一行之前：表头后面的行都属于这个表",
                    self.name
                ))
            } else if let Some(near) = nearest(name, &self.known) {
                suggested.push(near);
                d.with_help(format!("是不是想写 `{near}`？"))
            } else {
                d.with_help(format!("这里可以写的有：{}", self.known.join("、")))
            };
            diags.push(d);
        }
        for (key, example) in &self.missing {
            let present = self.table.iter().any(|(k, _)| k.get_ref() == key);
            if present || suggested.contains(key) || self.is_quiet(key) {
                continue;
            }
            diags.push(
                Diagnostic::error(
                    "missing-key",
                    self.file,
                    self.anchor.clone(),
                    format!("缺少必填项 `{}`", self.key_name(key)),
                )
                .with_help(format!("加上一行 {key} = {example}")),
            );
        }
    }
}

fn type_name(value: &DeValue) -> &'static str {
    match value {
        DeValue::String(_) => "字符串",
        DeValue::Integer(_) => "整数",
        DeValue::Float(_) => "小数",
        DeValue::Boolean(_) => "布尔值",
        DeValue::Datetime(_) => "日期时间",
        DeValue::Array(_) => "数组",
        DeValue::Table(_) => "表",
    }
}

/// `"2022年1月19日"`, `2023/3/6` or `2023-3-6` → `2023-03-06`.
fn chinese_date_hint(s: &str) -> Option<String> {
    let nums: Vec<u32> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    match nums[..] {
        [y, m, d] if NaiveDate::from_ymd_opt(y as i32, m, d).is_some() => {
            Some(format!("{y:04}-{m:02}-{d:02}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_hints() {
        assert_eq!(
            chinese_date_hint("2022年1月19日").as_deref(),
            Some("2022-01-19")
        );
        assert_eq!(chinese_date_hint("2023/3/6").as_deref(), Some("2023-03-06"));
        assert_eq!(chinese_date_hint("2023-02-30"), None);
    }
}
