//! The publication folder: `jianbao.toml` (found in the working folder or a
//! parent), the issue files under `issues/`, every issue parsed and
//! checked, and resolving what the user typed (`4`, `2023/4`,
//! `issues/004.md`) to one issue.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;

use crate::check;
use crate::config::{CONFIG_FILE, Config};
use crate::diagnostic::{Diagnostic, UsageError, read_source};
use crate::fonts::Fonts;
use crate::issue::{Issue, IssueFile, Parsed};
use crate::source::display_path;

/// What a run brings besides the folder.
#[derive(Debug, Clone)]
pub struct Options {
    /// More font folders (`--font-path`), tried before the embedded fonts.
    pub font_paths: Vec<PathBuf>,
    /// The day dates are checked against: one per run.
    pub today: NaiveDate,
}

/// A publication, read and checked as a whole.
pub struct Publication {
    pub root: PathBuf,
    /// `None` when `jianbao.toml` has errors.
    pub config: Option<Config>,
    /// The fonts of the build, loaded with the config.
    pub fonts: Option<Arc<Fonts>>,
    pub today: NaiveDate,
    /// Every issue file under `issues/`, sorted by id.
    pub issues: Vec<IssueEntry>,
    /// The problems in `jianbao.toml`.
    config_diagnostics: Vec<Diagnostic>,
    /// A warning for each file under `issues/` that is not read.
    unread_files: Vec<Diagnostic>,
}

/// One issue file and what became of it.
pub struct IssueEntry {
    pub file: IssueFile,
    /// The issue, when the file parsed as a whole.
    pub issue: Option<Issue>,
    /// Its problems, the rules across the series included.
    pub diagnostics: Vec<Diagnostic>,
}

impl IssueEntry {
    /// An issue with errors is not built.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// The issues a command works on: those the user named, or all of them.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Indices into [`Publication::issues`], in the order named.
    pub issues: Vec<usize>,
    /// Nothing was named: the whole publication.
    pub all: bool,
}

impl Publication {
    /// Finds `jianbao.toml` in `start` or the nearest parent, reads it and
    /// the fonts it names, and reads, parses and checks every issue under
    /// `issues/`. Problems with the input are diagnostics; a
    /// [`UsageError`] is one that stops the run (no `jianbao.toml`, no
    /// `issues/`, a font that cannot be found).
    pub fn load(start: &Path, options: &Options) -> Result<Publication, UsageError> {
        Self::load_reusing(start, options, None)
    }

    /// Loads the publication again (`watch`, after a save), keeping this
    /// one's fonts when jianbao.toml names the same: loading and hashing
    /// the font files costs more than a rebuild, and typst's caches are
    /// keyed by them.
    pub fn reload(&self, start: &Path, options: &Options) -> Result<Publication, UsageError> {
        Self::load_reusing(start, options, Some(self))
    }

    fn load_reusing(
        start: &Path,
        options: &Options,
        previous: Option<&Publication>,
    ) -> Result<Publication, UsageError> {
        let root = find_root(start)?;
        let mut config_diagnostics = Vec::new();
        let config = Config::read(&root, &mut config_diagnostics);
        let (files, stray) = scan_issues(&root.join("issues"))?;
        let unread_files = stray
            .iter()
            .map(|path| {
                Diagnostic::file_warning(
                    "not-an-issue",
                    &display_path(path),
                    "这个文件不是期刊文件，没有检查",
                )
                .with_help("每一期是 issues/ 或 issues/年份/ 下的一个 .md 文件")
            })
            .collect();
        let same_fonts = |p: &&Publication| {
            p.root == root
                && p.config.as_ref().map(|c| &c.fonts) == config.as_ref().map(|c| &c.fonts)
        };
        let fonts = match (
            &config,
            previous.filter(same_fonts).and_then(|p| p.fonts.clone()),
        ) {
            (Some(_), Some(fonts)) => Some(fonts),
            (Some(config), None) => Some(Arc::new(Fonts::load(
                &config.fonts,
                &root,
                &options.font_paths,
            )?)),
            (None, _) => None,
        };
        let ctx = check::Context {
            root: &root,
            fonts: fonts.as_deref(),
            today: options.today,
            clean: config.as_ref().is_none_or(|c| c.clean_text),
        };
        let mut issues: Vec<IssueEntry> = files
            .into_iter()
            .map(|file| {
                let mut diagnostics = Vec::new();
                let shown = display_path(&file.path);
                let issue = read_source(&file.path, shown, &mut diagnostics).and_then(|source| {
                    let parsed = Parsed::parse(file.id.clone(), source, &mut diagnostics);
                    diagnostics.extend(check::check_issue(&parsed, &file, &ctx));
                    parsed.into_issue()
                });
                IssueEntry {
                    file,
                    issue,
                    diagnostics,
                }
            })
            .collect();
        // Numbers are unique across the series even when one issue is asked for.
        let pairs: Vec<(&IssueFile, &Issue)> = issues
            .iter()
            .filter_map(|e| Some((&e.file, e.issue.as_ref()?)))
            .collect();
        let series = check::check_series(&pairs);
        for d in series {
            let entry = issues
                .iter_mut()
                .find(|e| e.issue.as_ref().is_some_and(|i| i.source.path == d.path));
            if let Some(entry) = entry {
                entry.diagnostics.push(d);
            }
        }
        Ok(Publication {
            root,
            config,
            fonts,
            today: options.today,
            issues,
            config_diagnostics,
            unread_files,
        })
    }

    fn issues_dir(&self) -> PathBuf {
        self.root.join("issues")
    }

    /// The issues the user named (all when none): each query resolved,
    /// duplicates dropped.
    pub fn select(&self, queries: &[String]) -> Result<Selection, UsageError> {
        let mut issues = Vec::new();
        for q in queries {
            let i = self.resolve(q)?;
            if !issues.contains(&i) {
                issues.push(i);
            }
        }
        if queries.is_empty() {
            issues = (0..self.issues.len()).collect();
        }
        Ok(Selection {
            issues,
            all: queries.is_empty(),
        })
    }

    /// The diagnostics of a selection in the order they are reported:
    /// `jianbao.toml` first (its errors stop every build), then by file and
    /// place. Unread files under `issues/` count when the whole publication
    /// is selected.
    pub fn diagnostics(&self, selection: &Selection) -> Vec<&Diagnostic> {
        let mut all: Vec<&Diagnostic> = self.config_diagnostics.iter().collect();
        if selection.all {
            all.extend(&self.unread_files);
        }
        for &i in &selection.issues {
            all.extend(&self.issues[i].diagnostics);
        }
        all.sort_by_key(|d| {
            (
                d.path.file_name() != Some(std::ffi::OsStr::new(CONFIG_FILE)),
                d.path.clone(),
                d.line_col(),
            )
        });
        all
    }

    /// Where the PDF of an issue goes: `out/004.pdf`, `out/2023/001.pdf`.
    pub fn output_path(&self, id: &str) -> PathBuf {
        let dir = self
            .config
            .as_ref()
            .map_or_else(|| PathBuf::from("out"), |c| c.output_dir.clone());
        self.root.join(dir).join(format!("{id}.pdf"))
    }

    /// The number an issue counts by: its front matter's, or its file
    /// name's when the front matter could not be read.
    fn number(&self, i: usize) -> Option<u32> {
        let e = &self.issues[i];
        e.issue
            .as_ref()
            .map(|p| p.number().0)
            .or(e.file.file_number())
    }

    /// Resolves what the user typed to an issue: `4` (the issue whose
    /// front matter says number = 4), `2023/4` (in a year folder), an id
    /// such as `004`, or a path to the file.
    pub fn resolve(&self, query: &str) -> Result<usize, UsageError> {
        let files: Vec<&IssueFile> = self.issues.iter().map(|e| &e.file).collect();
        let as_path = Path::new(query);
        if query.ends_with(".md") && as_path.is_file() {
            let want = as_path.canonicalize().ok();
            if let Some(i) = files
                .iter()
                .position(|f| f.path.canonicalize().ok() == want)
            {
                return Ok(i);
            }
            return Err(UsageError::new(format!(
                "{query} 不在 {} 文件夹里",
                display_path(&self.issues_dir()).display()
            )));
        }
        let (series, number) = match query.rsplit_once('/') {
            Some((s, n)) => (Some(s), n),
            None => (None, query),
        };
        if let Some(i) = files.iter().position(|f| f.id == query) {
            return Ok(i);
        }
        let Ok(number) = number
            .trim_start_matches('第')
            .trim_end_matches('期')
            .parse::<u32>()
        else {
            return Err(UsageError::new(format!("`{query}` 不是期号"))
                .help("写期号，例如 jianbao build 4，或带年份文件夹 jianbao build 2023/4"));
        };
        let matches: Vec<usize> = (0..files.len())
            .filter(|&i| {
                self.number(i) == Some(number) && series.is_none_or(|s| files[i].series() == s)
            })
            .collect();
        match matches[..] {
            [one] => Ok(one),
            [] => {
                let mut known: Vec<String> = (0..files.len())
                    .filter_map(|i| {
                        let (f, n) = (files[i], self.number(i)?);
                        Some(if f.series().is_empty() {
                            n.to_string()
                        } else {
                            format!("{}/{n}", f.series())
                        })
                    })
                    .collect();
                known.dedup();
                let help = if known.is_empty() {
                    format!(
                        "{} 里还没有期刊文件",
                        display_path(&self.issues_dir()).display()
                    )
                } else {
                    format!("现有的期号：{}", known.join("、"))
                };
                Err(UsageError::new(format!("没有第{query}期")).help(help))
            }
            _ => {
                let names: Vec<String> = matches
                    .iter()
                    .map(|&i| {
                        format!(
                            "{} ({})",
                            files[i].id,
                            display_path(&files[i].path).display()
                        )
                    })
                    .collect();
                let first = files[matches[0]].series();
                Err(
                    UsageError::new(format!("有多期的期号都是 {number}：{}", names.join("，")))
                        .help(format!(
                            "用年份文件夹指明是哪一期，例如 jianbao build {first}/{number}"
                        )),
                )
            }
        }
    }
}

/// The folder with `jianbao.toml`: `start` or the nearest parent.
fn find_root(start: &Path) -> Result<PathBuf, UsageError> {
    let start = start
        .canonicalize()
        .map_err(|e| UsageError::new(format!("无法打开文件夹 {}: {e}", start.display())))?;
    start
        .ancestors()
        .find(|dir| dir.join(CONFIG_FILE).is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            UsageError::new(format!(
                "在 {} 及其上级文件夹里找不到 {CONFIG_FILE}",
                start.display()
            ))
            .help("在简报文件夹里运行 jianbao，或者用 -C 文件夹 指定它")
        })
}

/// Every `*.md` under `issues/` (one level of year folders), sorted by id,
/// and the other files there, which are not read.
fn scan_issues(dir: &Path) -> Result<(Vec<IssueFile>, Vec<PathBuf>), UsageError> {
    let (mut files, mut stray) = (Vec::new(), Vec::new());
    let entries = fs::read_dir(dir).map_err(|e| {
        UsageError::new(format!(
            "无法读取期刊文件夹 {}: {e}",
            display_path(dir).display()
        ))
        .help("每一期放在 issues/ 下，一期一个 .md 文件")
    })?;
    let visible = |p: &Path| {
        !p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
    };
    let stem = |p: &Path| {
        p.file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !visible(&path) {
            continue;
        }
        if path.is_dir() {
            let year = entry.file_name().to_string_lossy().into_owned();
            for p in fs::read_dir(&path)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| visible(p))
            {
                if is_issue_file(&p) {
                    files.push(IssueFile {
                        id: format!("{year}/{}", stem(&p)),
                        path: p,
                    });
                } else if p.is_dir() {
                    // Folders below a year folder are not read: name their files.
                    collect_files(&p, &mut stray);
                } else {
                    stray.push(p);
                }
            }
        } else if is_issue_file(&path) {
            files.push(IssueFile {
                id: stem(&path),
                path,
            });
        } else {
            stray.push(path);
        }
    }
    files.sort_by_key(|f| natural_key(&f.id));
    stray.sort();
    Ok((files, stray))
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for p in fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
    {
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        if p.is_dir() {
            collect_files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn is_issue_file(path: &Path) -> bool {
    path.is_file()
        && path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md"))
}

/// Sorts `2023/10` after `2023/9`.
fn natural_key(id: &str) -> Vec<(u64, String)> {
    id.split('/')
        .map(|p| (p.parse().unwrap_or(u64::MAX), p.to_string()))
        .collect()
}
