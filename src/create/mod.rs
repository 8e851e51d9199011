//! New files for the daily work: `jianbao init` (a publication to start
//! from: a commented jianbao.toml, a first issue that builds at once, a
//! .gitignore) and `jianbao new` (the next issue file, filled in from the
//! latest one). Neither ever overwrites a file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};

use crate::config::CONFIG_FILE;
use crate::diagnostic::UsageError;
use crate::issue::Distribution;
use crate::publication::Publication;
use crate::source::{Spanned, show_path};

const CONFIG_TEMPLATE: &str = include_str!("jianbao.toml");
const FIRST_ISSUE: &str = include_str!("001.md");
const NEW_BODY: &str = include_str!("next.md");

/// `jianbao init DIR`: writes jianbao.toml, issues/001.md (dated `today`)
/// and a .gitignore for the output folder (or adds the line to one that
/// is there). Returns the files written.
pub fn init(dir: &Path, today: NaiveDate) -> Result<Vec<PathBuf>, UsageError> {
    let config = dir.join(CONFIG_FILE);
    if config.exists() {
        return Err(UsageError::new(format!(
            "{} 已经有 {CONFIG_FILE}，没有改动任何文件",
            show_path(dir)
        ))
        .help("新的一期用 jianbao new"));
    }
    let cannot = |path: &Path, e: std::io::Error| {
        UsageError::new(format!("无法写入 {}: {e}", show_path(path)))
    };
    let issue = dir.join("issues").join("001.md");
    fs::create_dir_all(issue.parent().unwrap()).map_err(|e| cannot(&issue, e))?;
    let mut written = Vec::new();
    let first = FIRST_ISSUE.replace("{date}", &today.to_string());
    for (path, text) in [(&config, CONFIG_TEMPLATE), (&issue, first.as_str())] {
        match create_new(path, text) {
            Ok(()) => written.push(path.clone()),
            // An issue 001 of one's own stays as it is.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(cannot(path, e)),
        }
    }
    let ignore = dir.join(".gitignore");
    let listed = fs::read_to_string(&ignore).unwrap_or_default();
    if !listed
        .lines()
        .any(|l| matches!(l.trim(), "out" | "out/" | "/out" | "/out/"))
    {
        let line = if listed.is_empty() || listed.ends_with('\n') {
            "/out/\n"
        } else {
            "\n/out/\n"
        };
        fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&ignore)
            .and_then(|mut f| f.write_all(line.as_bytes()))
            .map_err(|e| cannot(&ignore, e))?;
        written.push(ignore);
    }
    Ok(written)
}

/// `jianbao new`: writes the next issue file and returns its path.
///
/// - the number follows the highest in its series: the current year's
///   folder when the publication uses year folders, else `issues/`;
/// - the date is `today`;
/// - `total` counts on from the latest issue that has one;
/// - the distribution is `[defaults.distribution]`, or the latest issue's;
/// - the file name is as wide as the others' (`005.md` after `004.md`).
pub fn new_issue(publication: &Publication) -> Result<PathBuf, UsageError> {
    let p = publication;
    let today = p.today;
    let parsed = || {
        p.issues
            .iter()
            .filter_map(|e| Some((&e.file, e.issue.as_ref()?)))
    };
    let year_folders = p.issues.iter().any(|e| !e.file.series().is_empty());
    let series = if year_folders {
        today.year().to_string()
    } else {
        String::new()
    };
    let in_series = || p.issues.iter().filter(|e| e.file.series() == series);
    let number = in_series()
        .filter_map(|e| {
            let front = e.issue.as_ref().map(|i| i.number().0);
            front.or(e.file.file_number())
        })
        .max()
        .unwrap_or(0)
        .checked_add(1)
        .ok_or_else(|| UsageError::new("期号已经到了最大值，没有下一期"))?;
    // The latest issue: the last by date, then by its place in the archive.
    let latest = parsed()
        .enumerate()
        .max_by_key(|(order, (_, issue))| (issue.date(), *order))
        .map(|(_, (_, issue))| issue);
    let total = parsed()
        .filter_map(|(_, i)| Some((i.date(), i.front.total.as_ref()?.value)))
        .max()
        .map(|(_, t)| t + 1);
    let defaults = p.config.as_ref().map(|c| &c.defaults);
    let distribution = match defaults {
        Some(d) if !is_empty(d) => d.clone(),
        // 本期增发 belongs to that one issue only.
        _ => latest
            .map(|i| Distribution {
                extra: Vec::new(),
                ..i.front.distribution.clone()
            })
            .unwrap_or_default(),
    };
    let width = in_series()
        .chain(p.issues.iter())
        .find_map(|e| {
            e.file
                .file_number()
                .map(|_| e.file.id.rsplit('/').next().unwrap().len())
        })
        .unwrap_or(3);
    let dir = if series.is_empty() {
        p.root.join("issues")
    } else {
        p.root.join("issues").join(&series)
    };
    let path = dir.join(format!("{number:0width$}.md"));
    let mut text = format!("+++\nnumber = {number}\ndate = {today}\n");
    if let Some(total) = total {
        text += &format!("total = {total}\n");
    }
    text += "\n[distribution]\n";
    for (key, _, units) in distribution.lists() {
        if !units.is_empty() {
            text += &format!("{key} = {}\n", toml_list(units));
        }
    }
    if is_empty(&distribution) {
        text += "fa = [\"各单位\"]\n";
    }
    text += "+++\n";
    text += NEW_BODY;
    fs::create_dir_all(&dir)
        .and_then(|()| create_new(&path, &text))
        .map_err(|e| {
            let shown = show_path(&path);
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                UsageError::new(format!("{shown} 已经存在，没有改动它"))
            } else {
                UsageError::new(format!("无法写入 {shown}: {e}"))
            }
        })?;
    Ok(path)
}

fn is_empty(d: &Distribution) -> bool {
    d.lists().iter().all(|(_, _, units)| units.is_empty())
}

/// `["甲", "乙"]`, each unit a TOML string.
fn toml_list(units: &[Spanned<String>]) -> String {
    let items: Vec<String> = units
        .iter()
        .map(|u| toml::Value::String(u.value.clone()).to_string())
        .collect();
    format!("[{}]", items.join(", "))
}

/// Writes a file that must not exist yet.
fn create_new(path: &Path, text: &str) -> std::io::Result<()> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?
        .write_all(text.as_bytes())
}
