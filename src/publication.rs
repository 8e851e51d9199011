//! The publication folder: `jianbao.toml` (found in the working folder or a
//! parent), the issue files under `issues/`, every issue parsed and
//! checked, and resolving what the user typed (`4`, `2023/4`,
//! `issues/004.md`) to one issue.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;

use crate::check::{self, Series};
use crate::config::{CONFIG_FILE, Config, PdfStandard};
use crate::diagnostic::{Diagnostic, UsageError, read_source, unreadable};
use crate::fonts::Fonts;
use crate::issue::{Issue, IssueFile, Parsed};
use crate::sandbox;
use crate::script::escape_unprintable;
use crate::source::{display_path, show_path};

/// What a run brings besides the folder.
#[derive(Debug, Clone)]
pub struct Options {
    /// More font folders (`--font-path`), tried before the embedded fonts.
    pub font_paths: Vec<PathBuf>,
    /// The day dates are checked against: one per run.
    pub today: NaiveDate,
    /// `--system-fonts`: the system's fonts may be used (as with
    /// `[fonts] system = true`).
    pub system_fonts: bool,
    /// `--out DIR`: PDFs go there instead of the configured folder inside
    /// the publication.
    pub out_dir: Option<PathBuf>,
}

impl Options {
    /// No extra fonts, no system fonts, the configured output folder.
    pub fn new(today: NaiveDate) -> Options {
        Options {
            font_paths: Vec::new(),
            today,
            system_fonts: false,
            out_dir: None,
        }
    }
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
    /// A warning for each file under `issues/` that is not read, and an
    /// error for each folder there that cannot be (a link leading out).
    unread_files: Vec<Diagnostic>,
    /// `--out`, when given: the folder PDFs go to.
    out_dir: Option<PathBuf>,
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
        let scan = scan_issues(&root)?;
        let unread_files = scan
            .stray
            .iter()
            .map(|path| {
                Diagnostic::file_warning(
                    "not-an-issue",
                    &display_path(path),
                    "这个文件不是期刊文件，没有检查",
                )
                .with_help("每一期是 issues/ 或 issues/年份/ 下的一个 .md 文件")
            })
            .chain(scan.refused)
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
            (Some(config), None) => {
                let system = options.system_fonts || config.fonts.system;
                let fonts = Fonts::load(&config.fonts, &root, &options.font_paths, system)?;
                config_diagnostics.extend(fonts.warnings.iter().cloned());
                Some(Arc::new(fonts))
            }
            (None, _) => None,
        };
        if let Some(c) = &config {
            config_diagnostics.extend(check::check_config_strings(c, fonts.as_deref()));
            check::summarise(&mut config_diagnostics);
        }
        let ctx = check::Context {
            root: &root,
            fonts: fonts.as_deref(),
            today: options.today,
            clean: config.as_ref().is_none_or(|c| c.clean_text),
        };
        let collisions = output_collisions(&scan.files);
        let mut issues: Vec<IssueEntry> = scan
            .files
            .into_iter()
            .zip(collisions)
            .map(|(file, collision)| {
                let mut diagnostics: Vec<Diagnostic> = collision.into_iter().collect();
                let shown = display_path(&file.path);
                let issue =
                    read_source(&root, &file.path, shown, &mut diagnostics).and_then(|source| {
                        let parsed = Parsed::parse(file.id.clone(), source, &mut diagnostics);
                        diagnostics.extend(check::check_issue(&parsed, &file, &ctx));
                        parsed.into_issue()
                    });
                check::summarise(&mut diagnostics);
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
        // An output folder that holds a picture an issue uses: a build
        // could write a page picture over it.
        if let Some(c) = &config
            && let Some(span) = &c.output_dir_span
            && options.out_dir.is_none()
            && let Some((entry, picture)) = issues.iter().find_map(|e| {
                let picture = e.issue.as_ref()?.body.iter().find_map(|b| match b {
                    crate::issue::Block::Picture { path, .. }
                        if crate::config::holds(&c.output_dir, Path::new(&path.value)) =>
                    {
                        Some(path.value.clone())
                    }
                    _ => None,
                })?;
                Some((e, picture))
            })
        {
            config_diagnostics.push(crate::config::output_holds_picture(
                &c.source,
                span.clone(),
                &c.output_dir,
                &show_path(&entry.file.path),
                &picture,
            ));
        }
        // A masthead that cannot be printed, or an output folder in use,
        // stops every build, as any other error in jianbao.toml does.
        let config_unusable = config_diagnostics.iter().any(Diagnostic::is_error);
        Ok(Publication {
            root,
            config: config.filter(|_| !config_unusable),
            fonts,
            today: options.today,
            issues,
            config_diagnostics,
            unread_files,
            out_dir: options.out_dir.clone(),
        })
    }

    /// Decodes the pictures of the selected issues as the layout will
    /// (the costly part of checking a picture, so only for the issues a
    /// command works on): a damaged one is an error of its issue, which is
    /// then not built; so is one the PDF `standard` of the run refuses
    /// (see [`check::check_pictures`]).
    pub fn check_pictures(&mut self, selection: &Selection, standard: Option<PdfStandard>) {
        let chosen: Vec<usize> = selection
            .issues
            .iter()
            .copied()
            .filter(|&i| self.issues[i].issue.is_some())
            .collect();
        let issues: Vec<&Issue> = chosen
            .iter()
            .filter_map(|&i| self.issues[i].issue.as_ref())
            .collect();
        let found = check::check_pictures(&issues, &self.root, standard);
        for (i, found) in chosen.into_iter().zip(found) {
            if !found.is_empty() {
                let entry = &mut self.issues[i];
                entry.diagnostics.extend(found);
                check::summarise(&mut entry.diagnostics);
            }
        }
    }

    fn issues_dir(&self) -> PathBuf {
        self.root.join("issues")
    }

    /// The issues the user named (all when none): each query resolved,
    /// duplicates dropped.
    pub fn select(&self, queries: &[String]) -> Result<Selection, UsageError> {
        let mut issues = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for q in queries {
            let found = match self.resolve_range(q)? {
                Some(range) => range,
                None => self.resolve_all(q)?,
            };
            issues.extend(found.into_iter().filter(|&i| seen.insert(i)));
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
        self.output_dir().join(format!("{id}.pdf"))
    }

    /// The folder PDFs go to: `--out`, or the configured folder inside
    /// the publication.
    pub fn output_dir(&self) -> PathBuf {
        match &self.out_dir {
            Some(dir) => dir.clone(),
            None => self.root.join(
                self.config
                    .as_ref()
                    .map_or_else(|| PathBuf::from("out"), |c| c.output_dir.clone()),
            ),
        }
    }

    /// The folder the file `out` goes into, made if missing and held open
    /// for writing, when it resolves inside
    /// [`Publication::output_sandbox`]; else why not, said of the output
    /// folder.
    pub fn output_folder(&self, out: &Path) -> Result<sandbox::Folder, sandbox::Error> {
        let folder = out.parent().unwrap_or(Path::new("."));
        let root = self.output_sandbox()?;
        sandbox::Folder::open(&root, folder).map_err(|e| {
            // Not made: the nearest folder that is there cannot be written.
            let unwritable = e
                .is_denied()
                .then(|| folder.ancestors().find(|a| a.is_dir()))
                .flatten()
                .and_then(|a| Some((show_path(a), sandbox::unwritable(a)?)));
            if let Some((there, why)) = unwritable {
                let problem = format!("建不了：文件夹 {there} 不能写入，{why}");
                let help = format!(
                    "让文件夹 {there} 可以写入（例如 chmod u+rwx {there}），或用 --out 文件夹 把 PDF 写到别处"
                );
                return sandbox::Error::said(folder, problem)
                    .as_a("输出文件夹")
                    .with_help(help);
            }
            let lead = match e.problem() {
                sandbox::Problem::NotAFolder { .. } => "建不了：",
                _ => "用不了：",
            };
            e.because(folder, lead).as_a("输出文件夹")
        })
    }

    /// The folder output must stay inside, made if missing: the one named
    /// with `--out`, else the publication folder (so an `out/` that is a
    /// link leading out of it is refused).
    pub fn output_sandbox(&self) -> Result<PathBuf, sandbox::Error> {
        let Some(dir) = &self.out_dir else {
            return Ok(self.root.clone());
        };
        fs::create_dir_all(dir)
            .and_then(|()| dir.canonicalize())
            .map_err(|e| {
                let what = file_in_the_way(dir).unwrap_or_else(|| e.to_string());
                sandbox::Error::said(dir, format!("用不了：{what}"))
                    .as_a("输出文件夹")
                    .with_help("用 --out 指定一个文件夹（没有就会新建）")
            })
    }

    /// Resolves a range `3..7`, `增刊1..3` or `2023/1..12` (both ends
    /// included, as a clerk reads 第3期到第7期) to the issues of one series
    /// with those numbers; numbers with no issue are skipped. `None` when
    /// `query` is no range.
    fn resolve_range(&self, query: &str) -> Result<Option<Vec<usize>>, UsageError> {
        let Some((from, to)) = query.split_once("..") else {
            return Ok(None);
        };
        let shown = escape_unprintable(query);
        let (Some(from), Some(to)) = (Named::parse(from), Named::parse(to)) else {
            return Err(UsageError::new(format!("`{shown}` 不是期号的范围")).help(
                "范围写成 3..7（第3期到第7期），增刊写 增刊1..3，有年份文件夹时写 2023/1..12",
            ));
        };
        // The end may repeat the series of the start (增刊1..增刊3), never
        // name another: a range stays within one series.
        if to.folder.is_some_and(|f| Some(f) != from.folder)
            || (!to.edition.is_empty() && to.edition != from.edition)
        {
            return Err(UsageError::new(format!("`{shown}` 的两头不在同一个系列里"))
                .help("一个范围只在一个系列里：1..3 是正刊第1到3期，增刊1..3 是增刊第1到3期"));
        }
        if from.number > to.number {
            return Err(
                UsageError::new(format!("`{shown}` 的开头比结尾大")).help(format!(
                    "写成 {}{}..{}",
                    from.prefix(),
                    to.number,
                    from.number
                )),
            );
        }
        self.folder_exists(&from)?;
        // Only the numbers issues have: a range as wide as 1..999999999
        // costs no more than the archive.
        let found = self.numbered(&from, from.number..=to.number)?;
        if found.is_empty() {
            return Err(
                UsageError::new(format!("{shown} 里一期也没有")).help(self.existing_numbers())
            );
        }
        Ok(Some(found))
    }

    /// `现有的期号：1、2、增刊1、2023/1`, for a name that is not there.
    fn existing_numbers(&self) -> String {
        let mut seen = std::collections::HashSet::new();
        let known: Vec<String> = (0..self.issues.len())
            .filter_map(|i| self.counted(i))
            .map(|(series, n)| Named::name_of(series, n))
            .filter(|name| seen.insert(name.clone()))
            .collect();
        if known.is_empty() {
            format!("{} 里还没有期刊文件", show_path(&self.issues_dir()))
        } else {
            format!("现有的期号：{}", known.join("、"))
        }
    }

    /// The part of a selection that shard `shard` builds: each issue is
    /// in exactly one of the N shards, chosen by its id, so it stays in
    /// the same shard when issues are added or removed. Files under
    /// `issues/` that are not read are reported by shard 1 only.
    pub fn shard(&self, selection: Selection, shard: Shard) -> Selection {
        Selection {
            issues: selection
                .issues
                .into_iter()
                .filter(|&i| shard.contains(&self.issues[i].file.id))
                .collect(),
            all: selection.all && shard.k == 1,
        }
    }

    /// The series and number an issue counts by: its front matter's, or,
    /// when the front matter could not be read, its file name's (`004`,
    /// `增刊01`).
    fn counted(&self, i: usize) -> Option<(Series<'_>, u32)> {
        let e = &self.issues[i];
        match &e.issue {
            Some(issue) => Some((Series::of(&e.file, issue), issue.number().0)),
            None => {
                let stem = e.file.id.rsplit('/').next()?;
                let (edition, number) = check::edition_number(stem)?;
                let folder = e.file.series();
                Some((Series { folder, edition }, number))
            }
        }
    }

    /// The issues of `named`'s series with a number in `numbers`, by
    /// number. Several issues with one number in one series are all
    /// selected: each has the duplicate-number error, so none is built,
    /// as `check` says. One number in several year folders, when no
    /// folder is named, is a question back.
    fn numbered(
        &self,
        named: &Named,
        numbers: std::ops::RangeInclusive<u32>,
    ) -> Result<Vec<usize>, UsageError> {
        let mut found: Vec<(u32, usize)> = (0..self.issues.len())
            .filter_map(|i| {
                let (series, n) = self.counted(i)?;
                (named.names(series) && numbers.contains(&n)).then_some((n, i))
            })
            .collect();
        found.sort_unstable();
        for group in found.chunk_by(|a, b| a.0 == b.0) {
            let folder = |&(_, i): &(u32, usize)| self.issues[i].file.series();
            if group.iter().any(|g| folder(g) != folder(&group[0])) {
                let names: Vec<String> = group
                    .iter()
                    .map(|&(_, i)| {
                        let file = &self.issues[i].file;
                        format!(
                            "{} ({})",
                            escape_unprintable(&file.id),
                            show_path(&file.path)
                        )
                    })
                    .collect();
                let year = group
                    .iter()
                    .map(folder)
                    .find(|f| !f.is_empty())
                    .unwrap_or("2023");
                let name = format!("{}{}", named.edition, group[0].0);
                return Err(UsageError::new(format!(
                    "有多期的期号都是 {name}：{}",
                    names.join("，")
                ))
                .help(format!(
                    "用年份文件夹指明是哪一期，例如 jianbao build {}/{name}；或者写文件名，例如 jianbao build {}",
                    escape_unprintable(year),
                    escape_unprintable(&self.issues[group[0].1].file.id)
                )));
            }
        }
        Ok(found.into_iter().map(|(_, i)| i).collect())
    }

    /// A year folder named that is not there: said so, not "no issue 1".
    fn folder_exists(&self, named: &Named) -> Result<(), UsageError> {
        let Some(folder) = named.folder else {
            return Ok(());
        };
        if self.issues.iter().any(|e| e.file.series() == folder) {
            return Ok(());
        }
        let shown = self.issues_dir().join(folder);
        Err(
            UsageError::new(format!("没有年份文件夹 {}", show_path(&shown)))
                .help(self.existing_numbers()),
        )
    }

    /// Resolves what the user typed to one issue (see
    /// [`Publication::select`] for what may be typed): the first when
    /// several share a number in one series (each of them has the
    /// duplicate-number error).
    pub fn resolve(&self, query: &str) -> Result<usize, UsageError> {
        Ok(self.resolve_all(query)?[0])
    }

    /// The issues what the user typed names: a path to an issue file, an
    /// id (`004`, `2023/增刊01`), or a name: `4` or `第4期` (the regular
    /// issue whose front matter says number = 4), `增刊1` or `增刊第1期`
    /// (the 增刊 numbered 1: each edition is a series of its own), with
    /// a year folder in front when there are year folders (`2023/4`,
    /// `2023/增刊1`). One issue, or all of those that share a number in
    /// one series (see [`Publication::numbered`]).
    fn resolve_all(&self, query: &str) -> Result<Vec<usize>, UsageError> {
        let files: Vec<&IssueFile> = self.issues.iter().map(|e| &e.file).collect();
        let as_path = Path::new(query);
        if query.ends_with(".md") && as_path.is_file() {
            let want = as_path.canonicalize().ok();
            if let Some(i) = files
                .iter()
                .position(|f| f.path.canonicalize().ok() == want)
            {
                return Ok(vec![i]);
            }
            return Err(UsageError::new(format!(
                "{} 不在 {} 文件夹里",
                escape_unprintable(query),
                show_path(&self.issues_dir())
            )));
        }
        if let Some(i) = files.iter().position(|f| f.id == query) {
            return Ok(vec![i]);
        }
        let Some(named) = Named::parse(query) else {
            return Err(UsageError::new(format!("`{}` 不是期号", escape_unprintable(query))).help(
                "写期号，例如 jianbao build 4；增刊写 jianbao build 增刊1；带年份文件夹写 jianbao build 2023/4；不写期号就是全部",
            ));
        };
        self.folder_exists(&named)?;
        let found = self.numbered(&named, named.number..=named.number)?;
        if found.is_empty() {
            let missing = format!("{}第{}期", named.edition, named.number);
            let message = match named.folder {
                Some(folder) => format!("{} 里没有{missing}", escape_unprintable(folder)),
                None => format!("没有{}", escape_unprintable(&missing)),
            };
            return Err(UsageError::new(message).help(self.existing_numbers()));
        }
        Ok(found)
    }
}

/// Issues named by their number, as a clerk names them: `4`, `第4期`,
/// `增刊1`, `增刊第1期`, `2023/4`, `2023/增刊1`. A number alone names a
/// regular issue; with an edition in front, that edition's issue.
#[derive(Debug, Clone, Copy)]
struct Named<'q> {
    /// The year folder, when one is written.
    folder: Option<&'q str>,
    /// `""`: the regular issues.
    edition: &'q str,
    number: u32,
}

impl<'q> Named<'q> {
    fn parse(query: &'q str) -> Option<Named<'q>> {
        let (folder, name) = match query.rsplit_once('/') {
            Some((folder, name)) => (Some(folder), name),
            None => (None, query),
        };
        let (edition, number) = check::edition_number(name)?;
        Some(Named {
            folder,
            edition,
            number,
        })
    }

    /// Whether an issue of `series` is one of those named.
    fn names(&self, series: Series) -> bool {
        series.edition == self.edition && self.folder.is_none_or(|f| f == series.folder)
    }

    /// What is written before the number: `2023/增刊`.
    fn prefix(&self) -> String {
        let folder = self.folder.map(|f| format!("{f}/")).unwrap_or_default();
        escape_unprintable(&format!("{folder}{}", self.edition)).into_owned()
    }

    /// How an issue of `series` is named: `4`, `增刊1`, `2023/增刊1`.
    fn name_of(series: Series, number: u32) -> String {
        let folder = match series.folder {
            "" => String::new(),
            f => format!("{f}/"),
        };
        escape_unprintable(&format!("{folder}{}{number}", series.edition)).into_owned()
    }
}

/// The folder with `jianbao.toml`: `start` or the nearest parent.
pub fn find_root(start: &Path) -> Result<PathBuf, UsageError> {
    let start = start.canonicalize().map_err(|e| {
        let e = sandbox::Error::io(start, e);
        if e.is_too_long() {
            cannot_look(e)
        } else {
            UsageError::cannot(&format!("无法打开文件夹 {}", show_path(start)), &e)
        }
    })?;
    // The nearest jianbao.toml of any kind counts: one that is a folder, a
    // FIFO or a link to a device is an error here, never a reason to use
    // some publication further up.
    let mut found = None;
    for dir in start.ancestors() {
        match std::fs::symlink_metadata(dir.join(CONFIG_FILE)) {
            Ok(_) => {
                found = Some(dir);
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            // Not "not there": a path too long for the system, a folder
            // that may not be looked into. Said as it is.
            Err(e) => {
                let path = dir.join(CONFIG_FILE);
                return Err(cannot_look(sandbox::Error::io(&path, e)));
            }
        }
    }
    if let Some(dir) = found
        && !dir.join(CONFIG_FILE).is_file()
    {
        return Err(UsageError::new(format!(
            "{} 不是普通文件",
            show_path(&dir.join(CONFIG_FILE))
        ))
        .help("jianbao.toml 要是一个文本文件（不是文件夹、管道或设备）"));
    }
    found.map(Path::to_path_buf).ok_or_else(|| {
        UsageError::new(format!(
            "在 {} 及其上级文件夹里找不到 {CONFIG_FILE}",
            show_path(&start)
        ))
        .help("在简报文件夹里运行 jianbao，或者用 -C 文件夹 指定它；新建一份简报：jianbao init")
    })
}

/// Why `path` could not be looked at, said as it is: a path longer than
/// the system takes is not a missing jianbao.toml.
fn cannot_look(e: sandbox::Error) -> UsageError {
    let too_long = e.is_too_long();
    let message = if too_long {
        format!("无法查看 {CONFIG_FILE}：{e}")
    } else {
        format!("无法查看 {e}")
    };
    let error = UsageError::new(message);
    if too_long {
        error.help("把简报文件夹移到路径短一些的地方（或给上层文件夹起短一些的名字），再运行一次")
    } else {
        error.help("检查这个文件夹的权限（ls -ld），或者用 -C 文件夹 指定简报文件夹")
    }
}

/// What is under `issues/`.
struct Scan {
    /// The issue files, sorted by id.
    files: Vec<IssueFile>,
    /// Other files there, which are not read.
    stray: Vec<PathBuf>,
    /// Folders there that cannot be read (a link leading out, a loop).
    refused: Vec<Diagnostic>,
}

/// Every `*.md` under `issues/` (one level of year folders), sorted by id,
/// and the other files there, which are not read. Links are not followed
/// below a year folder, and a link leading out of the publication is
/// refused, so no walk can loop or escape. A `.md` entry that is a link or
/// not a regular file is still an issue file: reading it says what is
/// wrong with it.
fn scan_issues(root: &Path) -> Result<Scan, UsageError> {
    let dir = root.join("issues");
    let cannot_read = |e: String| {
        UsageError::new(format!("无法读取期刊文件夹 {}: {e}", show_path(&dir)))
            .help("每一期放在 issues/ 下，一期一个 .md 文件")
    };
    let real = sandbox::inside(root, &dir).map_err(|r| cannot_read(r.to_string()))?;
    let entries = sandbox::list_dir(&real).map_err(|e| cannot_read(e.to_string()))?;
    let mut scan = Scan {
        files: Vec::new(),
        stray: Vec::new(),
        refused: Vec::new(),
    };
    let stem = |p: &Path| {
        p.file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    };
    let mut seen = std::collections::HashSet::new();
    for (path, kind) in entries {
        // Keep the path as it is under issues/ for messages.
        let path = dir.join(path.file_name().unwrap_or_default());
        if is_markdown(&path) && !kind.is_dir() {
            scan.files.push(IssueFile {
                id: stem(&path),
                path,
            });
            continue;
        }
        let folder = if kind.is_symlink() {
            match sandbox::inside(root, &path) {
                // A link to issues/ itself (or above it) would read every
                // issue a second time under another name.
                Ok(target) if real.starts_with(&target) => {
                    scan.refused.push(unreadable(
                        &display_path(&path),
                        &sandbox::Refusal::LinkLoop,
                    ));
                    continue;
                }
                Ok(target) if target.is_dir() => Some(target),
                Ok(_) => None,
                Err(refusal) => {
                    scan.refused
                        .push(unreadable(&display_path(&path), &refusal));
                    continue;
                }
            }
        } else {
            kind.is_dir().then(|| path.clone())
        };
        let Some(folder) = folder else {
            scan.stray.push(path);
            continue;
        };
        // Two names for one folder (a link to a year folder): read once.
        if !seen.insert(folder.canonicalize().unwrap_or_else(|_| folder.clone())) {
            scan.stray.push(path);
            continue;
        }
        let year = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        for (p, kind) in sandbox::list_dir(&folder).unwrap_or_default() {
            let p = path.join(p.file_name().unwrap_or_default());
            if is_markdown(&p) && !kind.is_dir() {
                scan.files.push(IssueFile {
                    id: format!("{year}/{}", stem(&p)),
                    path: p,
                });
            } else if kind.is_dir() {
                // Folders below a year folder are not read: name their files.
                collect_files(&p, &mut scan.stray, 0);
            } else {
                scan.stray.push(p);
            }
        }
    }
    scan.files.sort_by_key(|f| natural_key(&f.id));
    scan.stray.sort();
    Ok(scan)
}

/// The files below a folder, for the "not read" warning; links are not
/// followed and the depth is bounded, so a loop cannot hang the walk.
fn collect_files(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    const DEPTH: usize = 8;
    for (p, kind) in sandbox::list_dir(dir).unwrap_or_default() {
        if kind.is_dir() && depth < DEPTH {
            collect_files(&p, out, depth + 1);
        } else if !kind.is_dir() {
            out.push(p);
        }
    }
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"))
}

/// Issue files whose PDFs would be one file on a file system that does
/// not tell upper and lower case apart (Windows, macOS): `a.md` and
/// `a.MD` both build to `out/a.pdf`, `A.md` and `a.md` to `out/A.pdf` and
/// `out/a.pdf`. An error for each of them, in the order of `files`.
fn output_collisions(files: &[IssueFile]) -> Vec<Option<Diagnostic>> {
    let mut by_name: std::collections::HashMap<String, Vec<usize>> = Default::default();
    for (i, f) in files.iter().enumerate() {
        by_name.entry(f.id.to_lowercase()).or_default().push(i);
    }
    let mut out: Vec<Option<Diagnostic>> = files.iter().map(|_| None).collect();
    for group in by_name.values().filter(|g| g.len() > 1) {
        for &i in group {
            let others: Vec<String> = group
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| show_path(&files[j].path))
                .collect();
            out[i] = Some(
                Diagnostic::file_error(
                    "output-collision",
                    &display_path(&files[i].path),
                    format!(
                        "它和 {} 会生成同名的 PDF（{}.pdf，文件名不分大小写时是同一个文件）",
                        others.join("、"),
                        files[i].id
                    ),
                )
                .with_help("给其中一个文件改名，或删掉多余的一个"),
            );
        }
    }
    out
}

/// Sorts `2023/10` after `2023/9`.
fn natural_key(id: &str) -> Vec<(u64, String)> {
    id.split('/')
        .map(|p| (p.parse().unwrap_or(u64::MAX), p.to_string()))
        .collect()
}

/// `--shard K/N`: the K-th of N parts of the archive (1 ≤ K ≤ N).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: u32,
    pub n: u32,
}

impl Shard {
    /// Whether the issue with this id is in this shard: FNV-1a of the id,
    /// a hash that is the same on every machine and in every version.
    pub fn contains(&self, id: &str) -> bool {
        let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        hash % u64::from(self.n) == u64::from(self.k - 1)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let parsed = s.split_once('/').and_then(|(k, n)| {
            Some((k.trim().parse::<u32>().ok()?, n.trim().parse::<u32>().ok()?))
        });
        match parsed {
            Some((k, n)) if n >= 1 && (1..=n).contains(&k) => Ok(Shard { k, n }),
            Some((_, n)) if n >= 1 => Err(format!("K 要在 1 到 {n} 之间，例如 --shard 1/{n}")),
            _ => Err("写成 K/N，例如 --shard 2/4 是四份里的第二份".to_string()),
        }
    }
}

/// Why the folder `dir` cannot be made, when a file stands where it or
/// one of its parents should be: "out 是一个文件，不是文件夹".
fn file_in_the_way(dir: &Path) -> Option<String> {
    dir.ancestors()
        .find(|a| a.exists())
        .filter(|a| !a.is_dir())
        .map(|a| format!("{} 是一个文件，不是文件夹", show_path(a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_read_and_partition_ids() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { k: 2, n: 4 }));
        for bad in ["0/4", "5/4", "1/0", "2", "a/b"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        let ids: Vec<String> = (1..=100).map(|n| format!("{n:03}")).collect();
        let shards: Vec<Shard> = (1..=3).map(|k| Shard { k, n: 3 }).collect();
        for id in &ids {
            let homes = shards.iter().filter(|s| s.contains(id)).count();
            assert_eq!(homes, 1, "{id} is in {homes} shards");
        }
        // Roughly a third each.
        for s in &shards {
            let n = ids.iter().filter(|id| s.contains(id)).count();
            assert!((20..=46).contains(&n), "shard {} has {n}", s.k);
        }
    }
}
