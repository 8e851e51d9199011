//! Typed, span-keeping reads from a parsed TOML table, shared by
//! `jianbao.toml` and issue front matter. Unlike serde derive it reports
//! every problem in a table (each unknown key with the nearest known one,
//! each wrong type, each missing key) instead of stopping at the first.

use std::ops::Range;
use std::sync::Arc;

use chrono::NaiveDate;
use toml::de::{DeTable, DeValue};

use crate::check::{Diagnostic, SourceFile};
use crate::issue::Spanned;

type Value<'i> = toml::Spanned<DeValue<'i>>;

/// Parses TOML that starts at byte `offset` of `file`. Syntax errors are
/// all reported and yield `None`.
pub fn parse<'i>(
    file: &Arc<SourceFile>,
    text: &'i str,
    offset: usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<DeTable<'i>> {
    let (table, errors) = DeTable::parse_recoverable(text);
    if errors.is_empty() {
        return Some(table.into_inner());
    }
    for error in errors {
        let span = error.span().unwrap_or(0..0);
        let span = offset + span.start..offset + span.end.max(span.start);
        let message = error.message().trim().trim_end_matches('.').to_string();
        diags.push(Diagnostic::error("toml-syntax", file, span, format!("TOML 语法错误: {message}")).with_help(
            "字符串要用英文双引号括起来，例如 number = 4、date = 2022-01-19、bao = [\"单位一\", \"单位二\"]",
        ));
    }
    None
}

/// One table being read. Keys that are read are marked; `finish` reports
/// the rest as unknown.
pub struct TableReader<'a, 'i> {
    file: &'a Arc<SourceFile>,
    offset: usize,
    /// Dotted name of the table for messages (`""` at the top, `distribution`).
    name: String,
    table: &'a DeTable<'i>,
    /// Where to point when a required key is missing.
    anchor: Range<usize>,
    known: Vec<&'static str>,
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
            known: Vec::new(),
        }
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

    /// Looks a key up under any of its accepted spellings.
    fn lookup(&mut self, keys: &[&'static str]) -> Option<(&'a str, &'a Value<'i>)> {
        self.known.extend_from_slice(keys);
        let table: &'a DeTable<'i> = self.table;
        table
            .iter()
            .find(|(k, _)| keys.contains(&k.get_ref().as_ref()))
            .map(|(k, v)| (k.get_ref().as_ref(), v))
    }

    fn wrong_type(
        &self,
        key: &str,
        value: &Value<'i>,
        expected: &str,
        example: &str,
        diags: &mut Vec<Diagnostic>,
    ) {
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
            .with_help(format!("例如 {key} = {example}")),
        );
    }

    fn missing(&self, key: &str, example: &str, diags: &mut Vec<Diagnostic>) {
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

    pub fn required_int(
        &mut self,
        key: &'static str,
        example: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Spanned<i64>> {
        let v = self.int(key, example, diags);
        if v.is_none() && self.lookup(&[key]).is_none() {
            self.missing(key, example, diags);
        }
        v
    }

    pub fn int(
        &mut self,
        key: &'static str,
        example: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Spanned<i64>> {
        let (_, value) = self.lookup(&[key])?;
        match value.get_ref() {
            DeValue::Integer(i) => {
                match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
                    Ok(n) => Some(Spanned::new(n, self.shift(value.span()))),
                    Err(_) => {
                        diags.push(Diagnostic::error(
                            "wrong-type",
                            self.file,
                            self.shift(value.span()),
                            format!("`{}` 的数太大", self.key_name(key)),
                        ));
                        None
                    }
                }
            }
            _ => {
                self.wrong_type(key, value, "整数", example, diags);
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
        let (_, value) = self.lookup(&[key])?;
        match value.get_ref() {
            DeValue::String(s) => Some(Spanned::new(s.to_string(), self.shift(value.span()))),
            _ => {
                self.wrong_type(key, value, "字符串", example, diags);
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
        let v = self.string(key, example, diags);
        if v.is_none() && self.lookup(&[key]).is_none() {
            self.missing(key, example, diags);
        }
        v
    }

    pub fn required_date(
        &mut self,
        key: &'static str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Spanned<NaiveDate>> {
        let example = "2022-01-19";
        let Some((_, value)) = self.lookup(&[key]) else {
            self.missing(key, example, diags);
            return None;
        };
        let span = self.shift(value.span());
        let bad = |msg: String| {
            Diagnostic::error("bad-date", self.file, span.clone(), msg)
                .with_help(format!("写成不带引号的日期，例如 {key} = {example}"))
        };
        match value.get_ref() {
            DeValue::Datetime(dt) => match (dt.date, dt.time) {
                (Some(d), None) => {
                    match NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()) {
                        Some(date) => Some(Spanned::new(date, span)),
                        None => {
                            diags.push(bad(format!("{} 不是一个真实的日期", d)));
                            None
                        }
                    }
                }
                _ => {
                    diags.push(bad(format!("`{}` 只写日期，不写时间", self.key_name(key))));
                    None
                }
            },
            DeValue::String(s) => {
                let hint = chinese_date_hint(s);
                diags.push(
                    Diagnostic::error(
                        "wrong-type",
                        self.file,
                        span.clone(),
                        format!("`{}` 应为日期，这里是字符串", self.key_name(key)),
                    )
                    .with_help(format!(
                        "去掉引号，写成 {key} = {}",
                        hint.as_deref().unwrap_or(example)
                    )),
                );
                None
            }
            _ => {
                self.wrong_type(key, value, "日期", example, diags);
                None
            }
        }
    }

    /// An array of strings; each element keeps its own span.
    pub fn strings(
        &mut self,
        keys: &[&'static str],
        example: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Vec<Spanned<String>>> {
        let (key, value) = self.lookup(keys)?;
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
                            .with_help("单位名称要用英文双引号括起来"),
                        ),
                    }
                }
                Some(out)
            }
            DeValue::String(s) => {
                // A single unit written without brackets: accept it, as a clerk would expect.
                Some(vec![Spanned::new(s.to_string(), self.shift(value.span()))])
            }
            _ => {
                self.wrong_type(&key, value, "字符串数组", example, diags);
                None
            }
        }
    }

    /// A sub-table, read by a reader of its own.
    pub fn table(
        &mut self,
        key: &'static str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<TableReader<'a, 'i>> {
        let (_, value) = self.lookup(&[key])?;
        match value.get_ref() {
            DeValue::Table(t) => Some(TableReader::new(
                self.file,
                self.offset,
                &self.key_name(key),
                t,
                self.shift(value.span()),
            )),
            _ => {
                self.wrong_type(key, value, "表", &format!("[{key}]"), diags);
                None
            }
        }
    }

    /// Reports every key that no read asked for, with the nearest known key.
    pub fn finish(self, diags: &mut Vec<Diagnostic>) {
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
            d = match nearest(name, &self.known) {
                Some(near) => d.with_help(format!("是不是想写 `{near}`？")),
                None => d.with_help(format!("这里可以写的有：{}", self.known.join("、"))),
            };
            diags.push(d);
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

/// `"2022年1月19日"` or `"2022-01-19"` typed as a string → `2022-01-19`.
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

/// The known key closest to a misspelt one (edit distance ≤ 2, or one
/// being a prefix of the other).
pub fn nearest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (levenshtein(word, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.chars().count() / 3) && *d < k.chars().count())
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != b[j]))
                .min(row[j] + 1)
                .min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_nearest_key() {
        assert_eq!(
            nearest("nubmer", &["number", "date", "total"]),
            Some("number")
        );
        assert_eq!(nearest("dat", &["number", "date"]), Some("date"));
        assert_eq!(nearest("zzzzzz", &["number", "date"]), None);
    }
}
