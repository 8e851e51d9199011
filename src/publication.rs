//! The publication folder: `jianbao.toml` (found in the working folder or a
//! parent), the issue files under `issues/`, and resolving what the user
//! typed (`4`, `2023/4`, `issues/004.md`) to one issue file.

use std::fs;
use std::path::{Path, PathBuf};

use crate::config::{CONFIG_FILE, Config};
use crate::diagnostic::{Diagnostic, UsageError, read_source};
use crate::issue::{IssueFile, IssueNumber, Parsed};
use crate::source::display_path;

pub struct Publication {
    pub root: PathBuf,
    /// `None` when `jianbao.toml` has errors (they are in `config_diagnostics`).
    pub config: Option<Config>,
    pub config_diagnostics: Vec<Diagnostic>,
}

impl Publication {
    /// Finds `jianbao.toml` in `start` or the nearest parent and reads it.
    pub fn discover(start: &Path) -> Result<Publication, UsageError> {
        let start = start
            .canonicalize()
            .map_err(|e| UsageError::new(format!("无法打开文件夹 {}: {e}", start.display())))?;
        let root = start
            .ancestors()
            .find(|dir| dir.join(CONFIG_FILE).is_file())
            .ok_or_else(|| {
                UsageError::new(format!(
                    "在 {} 及其上级文件夹里找不到 {CONFIG_FILE}",
                    start.display()
                ))
                .help("在简报文件夹里运行 jianbao，或者用 -C 文件夹 指定它")
            })?;
        Self::open(root)
    }

    /// Reads the publication whose `jianbao.toml` is in `root`.
    pub fn open(root: &Path) -> Result<Publication, UsageError> {
        let mut config_diagnostics = Vec::new();
        let config = Config::read(root, &mut config_diagnostics);
        Ok(Publication {
            root: root.to_path_buf(),
            config,
            config_diagnostics,
        })
    }

    pub fn issues_dir(&self) -> PathBuf {
        self.root.join("issues")
    }

    /// Every `*.md` under `issues/` (one level of year folders), sorted by id.
    pub fn issue_files(&self) -> Result<Vec<IssueFile>, UsageError> {
        Ok(self.scan_issues()?.0)
    }

    /// Files under `issues/` that are not read as issues (other extensions,
    /// folders nested too deep), so that `check` can say so.
    pub fn stray_files(&self) -> Result<Vec<PathBuf>, UsageError> {
        Ok(self.scan_issues()?.1)
    }

    fn scan_issues(&self) -> Result<(Vec<IssueFile>, Vec<PathBuf>), UsageError> {
        let dir = self.issues_dir();
        let (mut files, mut stray) = (Vec::new(), Vec::new());
        let entries = fs::read_dir(&dir).map_err(|e| {
            UsageError::new(format!(
                "无法读取期刊文件夹 {}: {e}",
                display_path(&dir).display()
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

    /// Reads and parses one issue file; problems go to `diags`. `None`
    /// when the file cannot be read as UTF-8 text.
    pub fn load_issue(&self, file: &IssueFile, diags: &mut Vec<Diagnostic>) -> Option<Parsed> {
        let source = read_source(&file.path, display_path(&file.path), diags)?;
        Some(Parsed::parse(file.id.clone(), source, diags))
    }

    /// Where the PDF of an issue goes: `out/004.pdf`, `out/2023/001.pdf`.
    pub fn output_path(&self, id: &str) -> PathBuf {
        let dir = self
            .config
            .as_ref()
            .map_or_else(|| PathBuf::from("out"), |c| c.output_dir.clone());
        self.root.join(dir).join(format!("{id}.pdf"))
    }

    /// Resolves what the user typed to issue files: `4` (the issue whose
    /// front matter says number = 4), `2023/4` (in a year folder), an id
    /// such as `004`, or a path to the file.
    pub fn resolve(
        &self,
        query: &str,
        files: &[IssueFile],
        numbers: &[(usize, Option<IssueNumber>)],
    ) -> Result<usize, UsageError> {
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
        // An issue whose front matter could not be read counts by its file name.
        let matches: Vec<usize> = numbers
            .iter()
            .filter(|(i, n)| {
                let f = &files[*i];
                n.map_or(f.file_number(), |n| Some(n.0)) == Some(number)
                    && series.is_none_or(|s| f.series() == s)
            })
            .map(|(i, _)| *i)
            .collect();
        match matches[..] {
            [one] => Ok(one),
            [] => {
                let mut known: Vec<String> = numbers
                    .iter()
                    .filter_map(|(i, n)| {
                        let f = &files[*i];
                        let n = n.map(|n| n.0).or(f.file_number())?;
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
