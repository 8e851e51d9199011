//! An issue file's front matter for the page: found between its `+++`
//! lines as `check` finds it, given as JSON with its own keys, and
//! written anew from the page's form, keeping what the form does not
//! show.

use serde_json::{Map, Value};

/// Where the front matter and the body are in an issue file's text.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// The TOML between the `+++` lines.
    pub toml: std::ops::Range<usize>,
    /// Where the body starts (after the closing `+++` and its line end).
    pub body_start: usize,
}

const FENCE: &str = "+++";

/// The front matter of `text`, delimited as the parser delimits it (an
/// optional byte-order mark, a first line `+++`, the next line `+++`).
pub fn split(text: &str) -> Option<Split> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lines = crate::issue::line_spans(text, start);
    let first = lines.next()?;
    if text[first.clone()].trim_end() != FENCE {
        return None;
    }
    let toml_start = (first.end + 1).min(text.len());
    let close = lines.find(|l| text[l.clone()].trim_end() == FENCE)?;
    Some(Split {
        toml: toml_start..close.start,
        body_start: (close.end + 1).min(text.len()),
    })
}

/// The keys the page's form shows: absent from what it sends means not
/// set. Every other key absent from what it sends is kept as it is.
const FORM_KEYS: &[&str] = &[
    "number",
    "date",
    "total",
    "edition",
    "copies",
    "classification",
    "serial",
];
/// The lists of `[distribution]`.
const LISTS: &[&str] = &["bao", "song", "fa", "extra"];
/// The order keys are written in (as `new` writes them), then any other.
const ORDER: &[&str] = &[
    "number",
    "edition",
    "date",
    "total",
    "mark",
    "editor",
    "publisher",
    "copies",
    "classification",
    "serial",
    "contents",
];

/// The front matter as JSON: each key as TOML has it (a date as
/// `"2026-03-02"`); `{}` when it does not parse.
pub fn to_json(toml_text: &str) -> Value {
    match toml_text.parse::<toml::Table>() {
        Ok(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
        Err(_) => Value::Object(Map::new()),
    }
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// Why the form's values cannot be written: the form's key it is about
/// (`date`, `distribution.bao`) and what to type there, in plain words.
#[derive(Debug, PartialEq)]
pub struct BadForm {
    pub field: String,
    pub message: String,
}

impl BadForm {
    fn at(field: &str, message: impl Into<String>) -> BadForm {
        BadForm {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// What the form calls a key.
fn label(key: &str) -> &str {
    match key {
        "number" => "期号",
        "date" => "日期",
        "total" => "总期号",
        "edition" => "增刊/专刊",
        "copies" => "份数",
        "classification" => "密级",
        "serial" => "编号",
        "mark" => "印发标记",
        "editor" => "编发单位",
        "publisher" => "印发单位",
        "distribution.bao" => "报",
        "distribution.song" => "送",
        "distribution.fa" => "发",
        "distribution.extra" => "本期增发",
        other => other,
    }
}

/// A one-line value of the form: no line break, tab or other control
/// character (they would break the front matter's lines, or print as
/// nothing).
fn one_line(key: &str, s: &str) -> Result<String, BadForm> {
    if s.chars().any(char::is_control) {
        return Err(BadForm::at(
            key,
            format!("「{}」只能写一行字，不能有换行或制表符", label(key)),
        ));
    }
    Ok(s.trim().to_string())
}

/// The front matter (the TOML between the fences) written from `form`
/// over `old`: the form's keys set or, absent or `null`, removed; keys the
/// form does not show kept; `[distribution]`'s lists likewise when the
/// form sends `distribution`. Comments in the old front matter are not
/// kept (said in the docs). `old` that does not parse is replaced by the
/// form alone.
pub fn rewrite(old: &str, form: &Map<String, Value>) -> Result<String, BadForm> {
    let mut table = old.parse::<toml::Table>().unwrap_or_default();
    for key in FORM_KEYS {
        match form.get(*key) {
            None | Some(Value::Null) => {
                table.remove(*key);
            }
            Some(v) => {
                table.insert(key.to_string(), value_of(key, v)?);
            }
        }
    }
    for (key, v) in form {
        if FORM_KEYS.contains(&key.as_str()) || key == "distribution" {
            continue;
        }
        if v.is_null() {
            table.remove(key);
        } else {
            table.insert(key.clone(), value_of(key, v)?);
        }
    }
    if let Some(sent) = form.get("distribution") {
        let sent = match sent {
            Value::Object(m) => m.clone(),
            Value::Null => Map::new(),
            _ => {
                return Err(BadForm::at(
                    "distribution",
                    "报送范围应当是报、送、发、本期增发四个单位列表",
                ));
            }
        };
        let mut lists = match table.remove("distribution") {
            Some(toml::Value::Table(t)) => t,
            _ => toml::Table::new(),
        };
        for key in LISTS {
            match sent.get(*key) {
                None | Some(Value::Null) => {
                    lists.remove(*key);
                }
                Some(v) => {
                    lists.insert(key.to_string(), list_of(key, v)?);
                }
            }
        }
        if !lists.is_empty() {
            table.insert("distribution".into(), toml::Value::Table(lists));
        }
    }
    let toml = write(&table);
    // The fences are lines `+++`: one inside would end the front matter
    // there for every reader (a value that holds one, kept from the file).
    if toml.lines().any(|l| l.trim_end() == FENCE) {
        return Err(BadForm::at(
            "",
            "表单里有一项的内容是单独一行 +++，会把文件头截断，没有保存",
        ));
    }
    Ok(toml)
}

/// A form value as TOML, typed as the front matter wants it.
fn value_of(key: &str, v: &Value) -> Result<toml::Value, BadForm> {
    let name = label(key);
    Ok(match key {
        "number" | "total" | "copies" => {
            let example = if key == "copies" { "200" } else { "3" };
            let say = || BadForm::at(key, format!("「{name}」只填阿拉伯数字，例如 {example}"));
            let n = match v {
                Value::Number(n) => n.as_i64(),
                // 第3期, ３, 总第38期: the digits are what is meant.
                Value::String(s) => {
                    let s = one_line(key, s)?;
                    let s = s.trim_start_matches("总").trim_start_matches('第');
                    let s = s.trim_end_matches(['期', '份']).trim();
                    let digits: String = s
                        .chars()
                        .map(|c| match c {
                            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
                            c => c,
                        })
                        .collect();
                    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(say());
                    }
                    digits.parse().ok()
                }
                _ => None,
            };
            toml::Value::Integer(n.filter(|n| *n >= 1).ok_or_else(say)?)
        }
        "date" => {
            let s = match v {
                Value::String(s) => one_line(key, s)?,
                _ => String::new(),
            };
            toml::Value::Datetime(date_of(&s).ok_or_else(|| BadForm::at(key, date_problem(&s)))?)
        }
        "contents" => toml::Value::Boolean(
            v.as_bool()
                .ok_or_else(|| BadForm::at(key, "本期要目只能选印或不印"))?,
        ),
        _ => json_to_toml(key, v)?,
    })
}

/// The years a 简报 is dated in.
const YEARS: std::ops::RangeInclusive<i32> = 1949..=2100;

/// `2026-03-02` as a TOML date, when it is a real day of a year in
/// [`YEARS`].
fn date_of(s: &str) -> Option<toml::value::Datetime> {
    let day = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    if !YEARS.contains(&chrono::Datelike::year(&day)) || s.len() != 10 {
        return None;
    }
    s.parse().ok()
}

/// What is wrong with a date the form sent, in the clerk's words.
fn date_problem(s: &str) -> String {
    let year = s.split('-').next().unwrap_or("");
    if s.is_empty() {
        "「日期」没有填：点日期框选一天".to_string()
    } else if year.parse::<i32>().is_ok_and(|y| !YEARS.contains(&y)) {
        format!(
            "「日期」的年份 {year} 不对（应在 {} 到 {} 年之间）：点日期框重新选一天",
            YEARS.start(),
            YEARS.end()
        )
    } else {
        format!("「日期」{s} 不是一个真实的日子：点日期框重新选一天")
    }
}

fn list_of(key: &str, v: &Value) -> Result<toml::Value, BadForm> {
    let field = format!("distribution.{key}");
    let name = label(&field).to_string();
    let items = v
        .as_array()
        .ok_or_else(|| BadForm::at(&field, format!("「{name}」应当是单位名称的列表")))?;
    let mut out = Vec::new();
    for item in items {
        let s = item
            .as_str()
            .ok_or_else(|| BadForm::at(&field, format!("「{name}」里应当都是单位名称")))?;
        let s = one_line(&field, s)?;
        if !s.is_empty() {
            out.push(toml::Value::String(s));
        }
    }
    Ok(toml::Value::Array(out))
}

/// Any other value the form sends back as it read it: its strings one line.
fn json_to_toml(key: &str, v: &Value) -> Result<toml::Value, BadForm> {
    Ok(match v {
        Value::String(s) => toml::Value::String(one_line(key, s)?),
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => toml::Value::Integer(i),
            (None, Some(f)) => toml::Value::Float(f),
            (None, None) => return Err(BadForm::at(key, format!("「{}」的数不对", label(key)))),
        },
        Value::Array(a) => toml::Value::Array(
            a.iter()
                .map(|v| json_to_toml(key, v))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(m) => toml::Value::Table(
            m.iter()
                .map(|(k, v)| Ok((k.clone(), json_to_toml(key, v)?)))
                .collect::<Result<_, _>>()?,
        ),
        Value::Null => return Err(BadForm::at(key, format!("「{}」是空的", label(key)))),
    })
}

/// The table as front-matter TOML: the keys in the order `new` writes
/// them, then other keys, then the tables (`[distribution]`).
fn write(table: &toml::Table) -> String {
    let mut out = String::new();
    let mut keys: Vec<&String> = table.keys().collect();
    keys.sort_by_key(|k| ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len()));
    for key in keys.iter().filter(|k| !table[k.as_str()].is_table()) {
        out += &format!("{} = {}\n", key_text(key), table[key.as_str()]);
    }
    for key in keys.iter().filter(|k| table[k.as_str()].is_table()) {
        let toml::Value::Table(inner) = &table[key.as_str()] else {
            continue;
        };
        out += &format!("\n[{}]\n", key_text(key));
        let mut names: Vec<&String> = inner.keys().collect();
        names.sort_by_key(|k| LISTS.iter().position(|o| o == k).unwrap_or(LISTS.len()));
        for name in names {
            let value = &inner[name.as_str()];
            if value.is_table() {
                // Deeper tables are no front matter's: written as TOML has them.
                let mut one = toml::Table::new();
                one.insert(name.to_string(), value.clone());
                let mut outer = toml::Table::new();
                outer.insert(key.to_string(), toml::Value::Table(one));
                out += &toml::to_string(&outer).unwrap_or_default();
            } else {
                out += &format!("{} = {value}\n", key_text(name));
            }
        }
    }
    out
}

/// A key as TOML writes it (bare when it can be).
fn key_text(key: &str) -> String {
    if !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        key.to_string()
    } else {
        toml::Value::String(key.to_string()).to_string()
    }
}

/// The front-matter key a line of it sets (`date`, or `distribution.bao`
/// for a line of `[distribution]`), given the lines above it.
pub fn key_at(toml_text: &str, offset: usize) -> Option<String> {
    let mut table: Option<String> = None;
    let mut found = None;
    let mut pos = 0;
    for line in toml_text.split_inclusive('\n') {
        let end = pos + line.len();
        let t = line.trim();
        if let Some(name) = t.strip_prefix('[').and_then(|t| t.split(']').next()) {
            table = Some(name.trim().to_string());
        }
        if (pos..end.max(pos + 1)).contains(&offset) {
            let key = t
                .split_once('=')
                .map(|(k, _)| k.trim().trim_matches('"').to_string());
            found = match (&table, key) {
                (Some(t), Some(k)) => Some(format!("{t}.{k}")),
                (None, Some(k)) => Some(k),
                (Some(t), None) => Some(t.clone()),
                (None, None) => None,
            };
            break;
        }
        pos = end;
    }
    found.filter(|k| !k.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "number = 4\ndate = 2022-01-19\n# 印数\ncopies = 80\nmark = \"内部资料\"\n\n[distribution]\nbao = [\"甲\"]\nsong = [\"乙\"]\n";

    #[test]
    fn the_front_matter_is_found_as_the_parser_finds_it() {
        let text = "\u{feff}+++\nnumber = 4\n+++\n# 标题\n";
        let s = split(text).unwrap();
        assert_eq!(&text[s.toml.clone()], "number = 4\n");
        assert_eq!(&text[s.body_start..], "# 标题\n");
        assert_eq!(split("---\n"), None);
        assert_eq!(split("+++\nnumber = 1\n"), None);
    }

    #[test]
    fn the_form_sets_its_keys_and_keeps_the_others() {
        let form: Map<String, Value> = serde_json::from_str(
            r#"{"number": 5, "date": "2026-03-02", "total": "38", "classification": "秘密",
                "distribution": {"bao": ["甲", " "], "fa": ["丙"]}}"#,
        )
        .unwrap();
        let new = rewrite(OLD, &form).unwrap();
        assert_eq!(
            new,
            "number = 5\ndate = 2026-03-02\ntotal = 38\nmark = \"内部资料\"\nclassification = \"秘密\"\n\n[distribution]\nbao = [\"甲\"]\nfa = [\"丙\"]\n"
        );
        let json = to_json(&new);
        assert_eq!(json["date"], "2026-03-02");
        assert_eq!(json["distribution"]["fa"][0], "丙");
        // Without distribution, the lists stay.
        let form: Map<String, Value> = serde_json::from_str(r#"{"number": 4}"#).unwrap();
        assert!(rewrite(OLD, &form).unwrap().contains("song = [\"乙\"]"));
        let form: Map<String, Value> = serde_json::from_str(r#"{"number": "四"}"#).unwrap();
        assert!(rewrite(OLD, &form).is_err());
    }

    #[test]
    fn a_form_value_never_breaks_the_front_matter() {
        let form = |json: &str| serde_json::from_str::<Map<String, Value>>(json).unwrap();
        let bad = rewrite(OLD, &form(r#"{"serial": "A\n+++\n# 伪造"}"#)).unwrap_err();
        assert_eq!(bad.field, "serial");
        assert!(bad.message.contains("编号"), "{}", bad.message);
        let bad = rewrite(
            OLD,
            &form(r#"{"number": 4, "distribution": {"bao": ["甲\t乙"]}}"#),
        );
        assert_eq!(bad.unwrap_err().field, "distribution.bao");
        // A value kept from the file (not shown by the form) that holds a
        // fence line is refused rather than written as one.
        let old = "number = 4\neditor = \"县办\\n+++\\n# 伪造\"\n";
        match rewrite(old, &form(r#"{"number": 4}"#)) {
            Ok(toml) => assert!(!toml.lines().any(|l| l.trim_end() == "+++"), "{toml}"),
            Err(e) => assert!(e.message.contains("+++"), "{}", e.message),
        }
    }

    #[test]
    fn dates_are_real_days_and_numbers_digits() {
        let form = |json: &str| serde_json::from_str::<Map<String, Value>>(json).unwrap();
        for wrong in ["82026-12-07", "2026-02-30", "1900-01-01", "", "2026-3-2"] {
            let bad = rewrite(OLD, &form(&format!(r#"{{"date": "{wrong}"}}"#))).unwrap_err();
            assert_eq!(bad.field, "date");
            assert!(bad.message.contains("日期"), "{}", bad.message);
            assert!(!bad.message.contains("date"), "{}", bad.message);
        }
        let bad = rewrite(OLD, &form(r#"{"date": "82026-12-07"}"#)).unwrap_err();
        assert!(bad.message.contains("82026"), "{}", bad.message);
        let ok = rewrite(
            OLD,
            &form(r#"{"number": "第3期", "copies": "２００", "date": "2026-12-07"}"#),
        );
        assert!(
            ok.as_ref()
                .unwrap()
                .starts_with("number = 3\ndate = 2026-12-07\n"),
            "{ok:?}"
        );
        assert!(ok.unwrap().contains("copies = 200\n"));
        let bad = rewrite(OLD, &form(r#"{"copies": "一百"}"#)).unwrap_err();
        assert_eq!(bad.field, "copies");
        assert!(bad.message.contains("阿拉伯数字"), "{}", bad.message);
    }

    #[test]
    fn a_line_names_its_key() {
        assert_eq!(key_at(OLD, 12).as_deref(), Some("date"));
        let at = OLD.find("song").unwrap() + 3;
        assert_eq!(key_at(OLD, at).as_deref(), Some("distribution.song"));
    }
}
