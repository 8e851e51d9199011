//! The publication folder: `jianbao.toml` (found in the working folder or a
//! parent), the issue files under `issues/`, and resolving what the user
//! typed (`4`, `2023/4`, `issues/004.md`) to one issue file.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::check::{Diagnostic, SourceFile};
use crate::issue::{Distribution, IssueNumber, Parsed};
use crate::toml_table::{self, TableReader};

pub const CONFIG_FILE: &str = "jianbao.toml";

/// Settings from `jianbao.toml`, with the defaults of issue-format §2.
#[derive(Debug, Clone)]
pub struct Config {
    pub masthead: Masthead,
    pub imprint: Imprint,
    pub defaults: Distribution,
    /// Output folder, relative to the publication root.
    pub output_dir: PathBuf,
    pub fonts: FontConfig,
}

#[derive(Debug, Clone)]
pub struct Masthead {
    pub series: Option<String>,
    pub title: String,
    pub editor: String,
    pub mark: Option<String>,
    pub number_format: String,
}

#[derive(Debug, Clone)]
pub struct Imprint {
    pub publisher: String,
    pub separator: String,
    pub terminator: String,
}

/// `[fonts]`: families tried per role before the embedded default, and
/// folders to load more fonts from.
#[derive(Debug, Clone, Default)]
pub struct FontConfig {
    pub title: Vec<String>,
    pub body: Vec<String>,
    pub heading: Vec<String>,
    pub subheading: Vec<String>,
    pub song: Vec<String>,
    pub fallback: Vec<String>,
    pub paths: Vec<PathBuf>,
}

/// An issue file found under `issues/`.
#[derive(Debug, Clone)]
pub struct IssueFile {
    /// `004`, `2023/001`.
    pub id: String,
    pub path: PathBuf,
}

impl IssueFile {
    /// The series the number counts in: the year folder, or `""`.
    pub fn series(&self) -> &str {
        self.id.rsplit_once('/').map_or("", |(s, _)| s)
    }

    /// The number in the file name, if the name is a number (`004` → 4).
    pub fn file_number(&self) -> Option<u32> {
        let stem = self.id.rsplit('/').next()?;
        stem.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| stem.parse().ok())
            .flatten()
    }
}

/// A problem that stops before any file can be checked: no `jianbao.toml`,
/// an unreadable folder, an issue that does not exist, a font that cannot
/// be found. Exit status 2.
#[derive(Debug)]
pub struct UsageError {
    pub message: String,
    pub help: Option<String>,
}

impl UsageError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            help: None,
        }
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UsageError {}

pub struct Publication {
    pub root: PathBuf,
    pub config_file: Arc<SourceFile>,
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
        let path = root.join(CONFIG_FILE);
        let mut config_diagnostics = Vec::new();
        let shown = display_path(&path);
        let config_file = match read_source(&path, shown.clone(), &mut config_diagnostics) {
            Some(file) => file,
            None if config_diagnostics.is_empty() => {
                return Err(UsageError::new(format!("无法读取 {}", path.display())));
            }
            None => SourceFile::new(shown, String::new()),
        };
        let config = if config_diagnostics.is_empty() {
            parse_config(&config_file, &mut config_diagnostics)
        } else {
            None
        };
        Ok(Publication {
            root: root.to_path_buf(),
            config_file,
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

/// A path as the user should see it: relative to the working folder when
/// it is below it.
pub fn display_path(path: &Path) -> PathBuf {
    // The working folder does not change during a run: resolve it once.
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let cwd = CWD
        .get_or_init(|| {
            std::env::current_dir()
                .ok()
                .and_then(|c| c.canonicalize().ok())
        })
        .clone();
    let abs = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    match cwd.and_then(|c| abs.strip_prefix(&c).ok().map(Path::to_path_buf)) {
        Some(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Some(rel) => rel,
        None => abs,
    }
}

/// Reads a text file: UTF-8 only, a BOM is kept for the parser to skip.
pub fn read_source(
    path: &Path,
    shown: PathBuf,
    diags: &mut Vec<Diagnostic>,
) -> Option<Arc<SourceFile>> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(Diagnostic::file_error(
                "unreadable",
                &shown,
                format!("无法读取文件: {e}"),
            ));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Some(SourceFile::new(shown, text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            // Point at the bad byte's line and column in the text before it.
            let good = String::from_utf8_lossy(&bytes[..at]).into_owned();
            let file = SourceFile::new(shown.clone(), good);
            let looks_gbk = bytes[at..].iter().take(2).all(|b| *b >= 0x81);
            let mut d = Diagnostic::error(
                "not-utf8",
                &file,
                at..at,
                format!(
                    "文件不是 UTF-8 编码：第 {} 字节（0x{:02X}）不是合法的 UTF-8",
                    at + 1,
                    bytes[at]
                ),
            );
            d = d.with_help(if looks_gbk {
                "这个文件像是 GBK/GB2312 编码。用记事本“另存为”并选 UTF-8，或运行 iconv -f GBK -t UTF-8"
            } else {
                "把文件另存为 UTF-8 编码"
            });
            diags.push(d);
            None
        }
    }
}

fn parse_config(file: &Arc<SourceFile>, diags: &mut Vec<Diagnostic>) -> Option<Config> {
    let (table, recovery) = toml_table::parse(file, &file.text, 0, diags);
    let before = diags.len();
    let mut top =
        TableReader::new(file, 0, "", &table, 0..0).quiet(recovery.broken_keys.iter().cloned());
    // A missing table is reported unless the parser may have lost it.
    let missing_table = |name: &str, example: &str, diags: &mut Vec<Diagnostic>| {
        if !recovery.any_errors {
            diags.push(
                Diagnostic::error("missing-key", file, 0..0, format!("缺少 [{name}] 表"))
                    .with_help(format!("加上\n[{name}]\n{example}")),
            );
        }
    };
    let mut masthead = Masthead {
        series: None,
        title: String::new(),
        editor: String::new(),
        mark: None,
        number_format: "第{number}期".into(),
    };
    match top.table("masthead", "title = \"简报\"", diags) {
        Ok(Some(mut m)) => {
            masthead.series = m.string("series", "\"××市教育局\"", diags).map(|s| s.value);
            masthead.title = m
                .required_string("title", "\"简报\"", diags)
                .map(|s| s.value)
                .unwrap_or_default();
            masthead.editor = m
                .string("editor", "\"办公室\"", diags)
                .map(|s| s.value)
                .unwrap_or_default();
            masthead.mark = m
                .string("mark", "\"内部资料　注意保存\"", diags)
                .map(|s| s.value);
            if let Some(f) = m.string("number_format", "\"第{number}期\"", diags) {
                check_number_format(file, &f, diags);
                masthead.number_format = f.value;
            }
            m.finish(diags);
        }
        Ok(None) => missing_table("masthead", "title = \"简报\"", diags),
        Err(()) => {}
    }
    let mut imprint = Imprint {
        publisher: String::new(),
        separator: "，".into(),
        terminator: "。".into(),
    };
    match top.table("imprint", "publisher = \"××办公室\"", diags) {
        Ok(Some(mut m)) => {
            imprint.publisher = m
                .required_string("publisher", "\"××办公室\"", diags)
                .map(|s| s.value)
                .unwrap_or_default();
            if let Some(s) = m.string("separator", "\"、\"", diags) {
                imprint.separator = s.value;
            }
            if let Some(s) = m.string("terminator", "\"\"", diags) {
                imprint.terminator = s.value;
            }
            m.finish(diags);
        }
        Ok(None) => missing_table("imprint", "publisher = \"××办公室\"", diags),
        Err(()) => {}
    }
    let mut defaults = Distribution::default();
    if let Ok(Some(mut d)) = top.table("defaults", "[defaults.distribution]", diags) {
        if let Ok(Some(mut dist)) = d.table("distribution", "fa = [\"单位\"]", diags) {
            let ex = "[\"单位\"]";
            defaults.bao = dist.strings(&["bao", "报"], ex, diags).unwrap_or_default();
            defaults.song = dist.strings(&["song", "送"], ex, diags).unwrap_or_default();
            defaults.fa = dist.strings(&["fa", "发"], ex, diags).unwrap_or_default();
            dist.finish(diags);
        }
        d.finish(diags);
    }
    let mut output_dir = PathBuf::from("out");
    if let Ok(Some(mut o)) = top.table("output", "dir = \"out\"", diags) {
        if let Some(dir) = o.string("dir", "\"out\"", diags) {
            output_dir = PathBuf::from(dir.value);
        }
        o.finish(diags);
    }
    let mut fonts = FontConfig::default();
    if let Ok(Some(mut f)) = top.table("fonts", "body = [\"仿宋_GB2312\"]", diags) {
        let ex = "[\"方正小标宋简体\"]";
        let mut get = |key: &'static str| {
            f.strings(&[key], ex, diags)
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.value)
                .collect::<Vec<_>>()
        };
        fonts.title = get("title");
        fonts.body = get("body");
        fonts.heading = get("heading");
        fonts.subheading = get("subheading");
        fonts.song = get("song");
        fonts.fallback = get("fallback");
        fonts.paths = get("paths").into_iter().map(PathBuf::from).collect();
        f.finish(diags);
    }
    top.finish(diags);
    (!recovery.any_errors && diags.len() == before).then_some(Config {
        masthead,
        imprint,
        defaults,
        output_dir,
        fonts,
    })
}

fn check_number_format(
    file: &Arc<SourceFile>,
    f: &crate::issue::Spanned<String>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut rest = f.value.as_str();
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        if !matches!(name, "number" | "number_cn" | "year") {
            diags.push(
                Diagnostic::error(
                    "bad-number-format",
                    file,
                    f.span.clone(),
                    format!("number_format 里的 {{{name}}} 不认识"),
                )
                .with_help("可用的有 {number}（4）、{number_cn}（四）、{year}（2022）"),
            );
        }
        rest = &rest[open + close..];
    }
}
