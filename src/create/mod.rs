//! New files for the daily work: `jianbao init` (a publication to start
//! from: a commented jianbao.toml, a first issue that builds at once, a
//! .gitignore) and `jianbao new` (the next issue file, filled in from the
//! latest one). Neither ever overwrites a file; both write through the one
//! writer ([`crate::sandbox::Folder`]), so neither writes through a link
//! that leads out of the publication.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};

use crate::config::CONFIG_FILE;
use crate::diagnostic::UsageError;
use crate::issue::Distribution;
use crate::publication::Publication;
use crate::sandbox::{self, Folder, Problem, Refusal};
use crate::source::{Spanned, show_path};

const CONFIG_TEMPLATE: &str = include_str!("jianbao.toml");
const FIRST_ISSUE: &str = include_str!("001.md");
const NEW_BODY: &str = include_str!("next.md");

/// `jianbao init DIR`: writes jianbao.toml, issues/001.md (dated `today`)
/// and a .gitignore for the output folder (or adds the line to one that
/// is there). Everything is looked at before anything is written: a
/// jianbao.toml of any kind (even a link to nothing), an `issues/` or a
/// .gitignore that is a link leading out, a FIFO or a device stops it with
/// nothing written. Returns the files written.
pub fn init(dir: &Path, today: NaiveDate) -> Result<Vec<PathBuf>, UsageError> {
    let shown = show_path(dir);
    // The folder the user names may be anywhere; what is in it may not.
    // (A path too long for the system is not shown again: it is the
    // problem.)
    let cannot = |what: &str, e| {
        let e = sandbox::Error::io(dir, e);
        if e.is_too_long() {
            UsageError::cannot("无法新建简报", &e)
        } else {
            UsageError::cannot(&format!("{what} {shown}"), &e)
        }
    };
    fs::create_dir_all(dir).map_err(|e| cannot("无法新建文件夹", e))?;
    let root = dir
        .canonicalize()
        .map_err(|e| cannot("无法打开文件夹", e))?;
    let top = Folder::open(&root, &root).map_err(|e| UsageError::cannot("无法新建简报", &e))?;
    let config = dir.join(CONFIG_FILE);
    if let Ok(meta) = fs::symlink_metadata(&config) {
        let what = match fs::metadata(&config) {
            Ok(m) if m.is_file() => String::new(),
            Ok(m) if m.is_dir() => "（是一个文件夹）".to_string(),
            Ok(_) => "（不是普通文件）".to_string(),
            Err(_) if meta.file_type().is_symlink() => format!(
                "（是一个链接，指向的 {} 不存在）",
                fs::read_link(&config).map_or_else(|_| "文件".into(), |t| show_path(&t))
            ),
            Err(e) => format!("（{e}）"),
        };
        let help = if what.is_empty() {
            "新的一期用 jianbao new"
        } else {
            "把它删掉或改名，再运行 jianbao init"
        };
        return Err(UsageError::new(format!(
            "{shown} 已经有 {CONFIG_FILE}{what}，没有改动任何文件"
        ))
        .help(help));
    }
    let refused = |path: &Path, why: Refusal| {
        let help = why.help();
        let what = match (&why, fs::read_link(path)) {
            // A link to nothing is not "missing".
            (Refusal::Missing, Ok(target)) => {
                format!("是一个链接，指向的 {} 不存在", show_path(&target))
            }
            _ => why.to_string(),
        };
        let error = UsageError::new(format!("{} {what}，没有改动任何文件", show_path(path)));
        match help {
            Some(help) => error.help(help),
            None => error,
        }
    };
    // issues/001.md: an issue 001 of one's own stays as it is, if it is a
    // file of the publication.
    let issues = dir.join("issues");
    let issue = issues.join("001.md");
    let keep_issue = match fs::symlink_metadata(&issue) {
        Err(_) => false,
        Ok(_) => {
            let real = sandbox::inside(&root, &issue).map_err(|why| refused(&issue, why))?;
            sandbox::regular_file(&real).map_err(|why| refused(&issue, why))?;
            true
        }
    };
    if fs::symlink_metadata(&issues).is_ok() {
        let real = sandbox::inside(&root, &issues).map_err(|why| refused(&issues, why))?;
        if !real.is_dir() {
            return Err(UsageError::new(format!(
                "{} 是一个文件，不是文件夹，没有改动任何文件",
                show_path(&issues)
            ))
            .help("把它改名或移走，再运行 jianbao init"));
        }
    }
    // .gitignore: read only when it is a regular file of the publication,
    // within the limit of a text file (a FIFO does not block it, a link to
    // a device is not read).
    let ignore = dir.join(".gitignore");
    let ignore_at = match fs::symlink_metadata(&ignore) {
        Err(_) => None,
        Ok(_) => {
            let real = sandbox::inside(&root, &ignore).map_err(|why| refused(&ignore, why))?;
            let listed =
                sandbox::read(&real, sandbox::TEXT_LIMIT).map_err(|why| refused(&ignore, why))?;
            Some((real, String::from_utf8_lossy(&listed).into_owned()))
        }
    };
    let mut written = Vec::new();
    let first = FIRST_ISSUE.replace("{date}", &today.to_string());
    if !keep_issue {
        Folder::open(&root, &root.join("issues"))
            .and_then(|f| f.create("001.md", first.as_bytes()))
            .map_err(|e| UsageError::cannot(&format!("无法写入 {}", show_path(&issue)), &e))?;
        written.push(issue);
    }
    let listed = ignore_at.as_ref().map_or("", |(_, text)| text.as_str());
    if !listed
        .lines()
        .any(|l| matches!(l.trim(), "out" | "out/" | "/out" | "/out/"))
    {
        let line = if listed.is_empty() || listed.ends_with('\n') {
            "/out/\n"
        } else {
            "\n/out/\n"
        };
        let text = format!("{listed}{line}");
        let put = match &ignore_at {
            // Through a link inside the publication, to the file it names.
            Some((real, _)) => Folder::open(&root, real.parent().unwrap_or(&root)).and_then(|f| {
                let name = real.file_name().unwrap_or_default().to_string_lossy();
                f.replace(&name, text.as_bytes())
            }),
            None => top.create(".gitignore", text.as_bytes()),
        };
        put.map_err(|e| UsageError::cannot(&format!("无法写入 {}", show_path(&ignore)), &e))?;
        written.push(ignore);
    }
    // Last: a run stopped before it can simply be run again.
    top.create(CONFIG_FILE, CONFIG_TEMPLATE.as_bytes())
        .map_err(|e| UsageError::cannot(&format!("无法写入 {}", show_path(&config)), &e))?;
    written.insert(0, config);
    Ok(written)
}

/// `jianbao new [增刊]`: writes the next issue file and returns its path.
///
/// - the series is the regular issues, or the `edition` named (增刊,
///   专刊 …), each numbered on its own;
/// - the number follows the highest of the series that prints in this
///   year: the current year's folder when the publication uses year
///   folders (and issues of this year still in `issues/` itself, so a
///   publication moving to year folders never prints 第1期 twice), else
///   `issues/`;
/// - the date is `today`;
/// - `total` (regular issues only: a 增刊 has none) counts on from the
///   latest regular issue by date that has one;
/// - the distribution is `[defaults.distribution]`, or the latest issue's;
/// - the file name is as wide as the others' (`005.md` after `004.md`,
///   `增刊02.md` after `增刊01.md`).
pub fn new_issue(publication: &Publication, edition: Option<&str>) -> Result<PathBuf, UsageError> {
    let plan = plan_issue(publication, edition)?;
    let text = plan.front_matter(&[]) + NEW_BODY;
    write_issue(publication, &plan, &text)
}

/// The next issue as `new` would write it: where, its number, date,
/// 总期号 and distribution. `import` fills it from a Word file.
#[derive(Debug, Clone)]
pub struct Plan {
    pub dir: PathBuf,
    /// Digits of the number in the file name.
    pub width: usize,
    pub edition: String,
    pub number: u32,
    pub date: NaiveDate,
    pub total: Option<u32>,
    pub distribution: Distribution,
}

impl Plan {
    /// The issue file's path.
    pub fn path(&self) -> PathBuf {
        let (edition, number, width) = (&self.edition, self.number, self.width);
        self.dir.join(format!("{edition}{number:0width$}.md"))
    }

    /// The front matter, `+++` to `+++` and its line end, with `extra`
    /// keys (already TOML: `editor = "…"`) after `total`.
    pub fn front_matter(&self, extra: &[String]) -> String {
        let mut text = format!("+++\nnumber = {}\n", self.number);
        if !self.edition.is_empty() {
            text += &format!("edition = {}\n", toml::Value::String(self.edition.clone()));
        }
        text += &format!("date = {}\n", self.date);
        if let Some(total) = self.total {
            text += &format!("total = {total}\n");
        }
        for line in extra {
            text += line;
            text += "\n";
        }
        text += "\n[distribution]\n";
        for (key, _, units) in self.distribution.lists() {
            if !units.is_empty() {
                text += &format!("{key} = {}\n", toml_list(units));
            }
        }
        if is_empty(&self.distribution) {
            text += "fa = [\"各单位\"]\n";
        }
        text += "+++\n";
        text
    }

    /// Whether an issue of this number is there already (in its series).
    pub fn taken(&self, publication: &Publication, number: u32) -> Option<PathBuf> {
        publication
            .issues
            .iter()
            .filter(|e| e.file.path.parent() == Some(self.dir.as_path()))
            .find(|e| {
                let front = e.issue.as_ref().map(|i| i.number().0);
                let stem = e.file.id.rsplit('/').next().unwrap_or_default();
                let named = crate::check::edition_number(stem)
                    .filter(|(ed, _)| *ed == self.edition)
                    .map(|(_, n)| n);
                front.or(named) == Some(number)
                    && e.issue.as_ref().is_none_or(|i| {
                        i.front.edition.as_deref().map_or("", str::trim) == self.edition
                    })
            })
            .map(|e| e.file.path.clone())
    }
}

/// Plans the next issue of the series of `edition` (see [`new_issue`]).
pub fn plan_issue(publication: &Publication, edition: Option<&str>) -> Result<Plan, UsageError> {
    let p = publication;
    let today = p.today;
    let edition = edition.map(str::trim).unwrap_or_default();
    if !edition.chars().all(|c| c.is_alphabetic() && !c.is_ascii()) || edition.chars().count() > 6 {
        return Err(UsageError::new(format!(
            "“{}”不是刊别的名字",
            crate::script::escape_unprintable(edition)
        ))
        .help("写 jianbao new 新建下一期正刊，jianbao new 增刊 新建下一期增刊（专刊、特刊同样）"));
    }
    let edition_of = |e: &crate::publication::IssueEntry| -> Option<String> {
        let issue = e.issue.as_ref()?;
        Some(
            issue
                .front
                .edition
                .as_deref()
                .map_or("", str::trim)
                .to_string(),
        )
    };
    // A file that does not parse counts by its name.
    let same_edition = |e: &crate::publication::IssueEntry| match edition_of(e) {
        Some(ed) => ed == edition,
        None => {
            let stem = e.file.id.rsplit('/').next().unwrap_or_default();
            crate::check::edition_number(stem).is_some_and(|(named, _)| named == edition)
        }
    };
    let year_folders = p.issues.iter().any(|e| !e.file.series().is_empty());
    let series = if year_folders {
        today.year().to_string()
    } else {
        String::new()
    };
    let this_year = |e: &crate::publication::IssueEntry| {
        e.file.series() == series
            || (year_folders
                && e.file.series().is_empty()
                && e.issue
                    .as_ref()
                    .is_some_and(|i| i.date().year() == today.year()))
    };
    let in_series = || p.issues.iter().filter(|e| same_edition(e) && this_year(e));
    let number = in_series()
        .filter_map(|e| {
            let front = e.issue.as_ref().map(|i| i.number().0);
            let stem = e.file.id.rsplit('/').next().unwrap_or_default();
            let named = crate::check::edition_number(stem).map(|(_, n)| n);
            front.or(named)
        })
        .max()
        .unwrap_or(0)
        .checked_add(1)
        .ok_or_else(|| UsageError::new("期号已经到了最大值，没有下一期"))?;
    let parsed = || {
        p.issues
            .iter()
            .filter_map(|e| Some((&e.file, e.issue.as_ref()?)))
    };
    // The latest issue: the last by date, then by its place in the archive.
    let latest = parsed()
        .enumerate()
        .max_by_key(|(order, (_, issue))| (issue.date(), *order))
        .map(|(_, (_, issue))| issue);
    // 总期号 counts the regular issues: from the latest by date (one
    // dated after today, made ahead, only when there is no other).
    let totals: Vec<(NaiveDate, u32)> = parsed()
        .filter(|(_, i)| {
            i.front
                .edition
                .as_deref()
                .is_none_or(|e| e.trim().is_empty())
        })
        .filter_map(|(_, i)| Some((i.date(), i.front.total.as_ref()?.value)))
        .collect();
    let total = if edition.is_empty() {
        let past = totals.iter().filter(|(d, _)| *d <= today).max();
        past.or(totals.iter().max()).map(|(_, t)| t + 1)
    } else {
        None
    };
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
    // Digits as wide as the other files of the series have them.
    let digits = |e: &crate::publication::IssueEntry| {
        let stem = e.file.id.rsplit('/').next().unwrap_or_default();
        let body = stem.strip_suffix('期').unwrap_or(stem);
        let head = body.trim_end_matches(|c: char| c.is_ascii_digit());
        (head.trim_end_matches('第') == edition && body.len() > head.len())
            .then(|| body.len() - head.len())
    };
    let width = in_series()
        .chain(p.issues.iter())
        .find_map(digits)
        .unwrap_or(if edition.is_empty() { 3 } else { 2 });
    let dir = if series.is_empty() {
        p.root.join("issues")
    } else {
        p.root.join("issues").join(&series)
    };
    Ok(Plan {
        dir,
        width,
        edition: edition.to_string(),
        number,
        date: today,
        total,
        distribution,
    })
}

/// Writes a new issue file as `plan` says, never over anything there.
pub fn write_issue(
    publication: &Publication,
    plan: &Plan,
    text: &str,
) -> Result<PathBuf, UsageError> {
    let p = publication;
    let path = plan.path();
    let dir = &plan.dir;
    let shown = show_path(&path);
    Folder::open(&p.root, dir)
        .and_then(|folder| {
            folder.create(
                &path.file_name().unwrap_or_default().to_string_lossy(),
                text.as_bytes(),
            )
        })
        .map_err(|e| match e.problem() {
            Problem::Exists { kind: "文件" } if e.path().file_name() == path.file_name() => {
                UsageError::new(format!("{shown} 已经存在，没有改动它"))
            }
            _ => UsageError::cannot(&format!("无法写入 {shown}"), &e),
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
