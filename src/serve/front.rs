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
    let mut lines = lines_from(text, start);
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

fn lines_from(text: &str, start: usize) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
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

/// Why the form's values cannot be written.
#[derive(Debug, PartialEq)]
pub struct BadForm(pub String);

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
            _ => return Err(BadForm("distribution 应当是 {bao, song, fa, extra}".into())),
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
    Ok(write(&table))
}

/// A form value as TOML, typed as the front matter wants it.
fn value_of(key: &str, v: &Value) -> Result<toml::Value, BadForm> {
    let bad = |what: &str| BadForm(format!("{key} 应当是{what}"));
    Ok(match key {
        "number" | "total" | "copies" => {
            let n = match v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            };
            toml::Value::Integer(n.filter(|n| *n >= 0).ok_or_else(|| bad("一个整数"))?)
        }
        "date" => {
            let s = v
                .as_str()
                .ok_or_else(|| bad("日期，例如 2026-03-02"))?
                .trim();
            match s.parse::<toml::value::Datetime>() {
                Ok(d) => toml::Value::Datetime(d),
                // Written as text: check says what is wrong with it, at its line.
                Err(_) => toml::Value::String(s.to_string()),
            }
        }
        "contents" => toml::Value::Boolean(v.as_bool().ok_or_else(|| bad(" true 或 false"))?),
        _ => json_to_toml(v).ok_or_else(|| bad("文字"))?,
    })
}

fn list_of(key: &str, v: &Value) -> Result<toml::Value, BadForm> {
    let items = v
        .as_array()
        .ok_or_else(|| BadForm(format!("distribution.{key} 应当是单位名称的列表")))?;
    let mut out = Vec::new();
    for item in items {
        let s = item
            .as_str()
            .ok_or_else(|| BadForm(format!("distribution.{key} 里应当都是单位名称")))?;
        if !s.trim().is_empty() {
            out.push(toml::Value::String(s.trim().to_string()));
        }
    }
    Ok(toml::Value::Array(out))
}

fn json_to_toml(v: &Value) -> Option<toml::Value> {
    Some(match v {
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64()?),
        },
        Value::Array(a) => toml::Value::Array(a.iter().map(json_to_toml).collect::<Option<_>>()?),
        Value::Object(m) => toml::Value::Table(
            m.iter()
                .map(|(k, v)| Some((k.clone(), json_to_toml(v)?)))
                .collect::<Option<_>>()?,
        ),
        Value::Null => return None,
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
    fn a_line_names_its_key() {
        assert_eq!(key_at(OLD, 12).as_deref(), Some("date"));
        let at = OLD.find("song").unwrap() + 3;
        assert_eq!(key_at(OLD, at).as_deref(), Some("distribution.song"));
    }
}
