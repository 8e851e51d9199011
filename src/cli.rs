//! Command-line interface: `jianbao build`, `jianbao check`, `jianbao fonts`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};

use crate::archive::{self, Job, Outcome};
use crate::check;
use crate::config::CONFIG_FILE;
use crate::diagnostic::{Diagnostic, UsageError};
use crate::fonts::{Fonts, Origin, Role, characters};
use crate::issue::{Issue, IssueFile, IssueNumber};
use crate::publication::Publication;
use crate::render::world::Engine;
use crate::source::display_path;

/// Typesets Chinese government work bulletins (简报) to print-ready PDF.
#[derive(Debug, Parser)]
#[command(name = "jianbao", version, about, long_about = None)]
pub struct Args {
    /// Run as if started in this folder (the publication or a folder below it).
    #[arg(short = 'C', long = "dir", global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Folder with more fonts, tried before the embedded ones (repeatable).
    #[arg(long = "font-path", global = true, value_name = "DIR")]
    pub font_paths: Vec<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check issues and write their PDFs to the output folder (out/ by default).
    Build {
        /// Issues to build: a number (4), year/number (2023/4), an id (004)
        /// or a file. All issues when none is given.
        issues: Vec<String>,
    },
    /// Check jianbao.toml and issues and report every problem found.
    Check {
        /// Issues to check; all issues when none is given.
        issues: Vec<String>,
        /// Output format of the diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Show the font each role resolved to.
    Fonts {
        /// Issues whose characters to look up in the fonts.
        issues: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// Exit status: 0 success, 1 the input has errors, 2 usage or environment.
pub const EXIT_OK: u8 = 0;
pub const EXIT_INPUT: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

pub fn run(args: Args) -> u8 {
    match run_inner(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            EXIT_USAGE
        }
    }
}

/// The issues a command works on, parsed, with every diagnostic so far.
struct Loaded {
    publication: Publication,
    /// The fonts of the build (`None` when jianbao.toml has errors).
    fonts: Option<Arc<Fonts>>,
    files: Vec<IssueFile>,
    today: chrono::NaiveDate,
    /// Selected issues: the file and, if it parsed, the issue.
    selected: Vec<(usize, Option<Issue>)>,
    diagnostics: Vec<Diagnostic>,
}

fn load(args: &Args, queries: &[String]) -> Result<Loaded, UsageError> {
    let start = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let publication = Publication::discover(&start)?;
    let files = publication.issue_files()?;
    let mut diagnostics = publication.config_diagnostics.clone();
    if queries.is_empty() {
        for path in publication.stray_files()? {
            let shown = display_path(&path);
            diagnostics.push(
                Diagnostic::file_warning("not-an-issue", &shown, "这个文件不是期刊文件，没有检查")
                    .with_help("每一期是 issues/ 或 issues/年份/ 下的一个 .md 文件"),
            );
        }
    }
    let fonts = match &publication.config {
        Some(config) => Some(Arc::new(Fonts::load(
            &config.fonts,
            &publication.root,
            &args.font_paths,
        )?)),
        None => None,
    };
    let today = chrono::Local::now().date_naive();
    let ctx = check::Context {
        root: &publication.root,
        fonts: fonts.as_deref(),
        today,
    };
    // Every issue is parsed: numbers resolve `build 4`, and duplicates across
    // the series are errors even when one issue is asked for.
    let mut parsed: Vec<Option<Issue>> = Vec::with_capacity(files.len());
    let mut per_file: Vec<Vec<Diagnostic>> = Vec::with_capacity(files.len());
    for file in &files {
        let mut d = Vec::new();
        let issue = publication.load_issue(file, &mut d).and_then(|p| {
            d.extend(check::check_issue(&p, file, &ctx));
            p.into_issue()
        });
        parsed.push(issue);
        per_file.push(d);
    }
    let numbers: Vec<(usize, Option<IssueNumber>)> = parsed
        .iter()
        .enumerate()
        .map(|(i, p)| (i, p.as_ref().map(Issue::number)))
        .collect();
    let chosen: Vec<usize> = if queries.is_empty() {
        (0..files.len()).collect()
    } else {
        let mut v = Vec::new();
        for q in queries {
            let i = publication.resolve(q, &files, &numbers)?;
            if !v.contains(&i) {
                v.push(i);
            }
        }
        v
    };
    let pairs: Vec<(&IssueFile, &Issue)> = files
        .iter()
        .zip(&parsed)
        .filter_map(|(f, p)| Some((f, p.as_ref()?)))
        .collect();
    let series = check::check_series(&pairs);
    for &i in &chosen {
        diagnostics.append(&mut per_file[i]);
        let path = &parsed[i].as_ref().map(|p| p.source.path.clone());
        diagnostics.extend(
            series
                .iter()
                .filter(|d| Some(&d.path) == path.as_ref())
                .cloned(),
        );
    }
    let selected = chosen.into_iter().map(|i| (i, parsed[i].take())).collect();
    Ok(Loaded {
        publication,
        fonts,
        files,
        today,
        selected,
        diagnostics,
    })
}

fn run_inner(args: &Args) -> Result<u8, UsageError> {
    match &args.command {
        Command::Check {
            issues,
            format,
            deny_warnings,
        } => {
            let loaded = load(args, issues)?;
            let code = report(&loaded.diagnostics, *format, *deny_warnings);
            if *format == Format::Human {
                summary(&loaded.diagnostics, loaded.selected.len());
            }
            Ok(code)
        }
        Command::Build { issues } => build(args, issues),
        Command::Fonts { issues } => fonts(args, issues),
    }
}

/// Prints diagnostics; returns the exit status they call for.
fn report(diags: &[Diagnostic], format: Format, deny_warnings: bool) -> u8 {
    let color = format == Format::Human
        && std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    // jianbao.toml first: its errors stop every build.
    sorted.sort_by_key(|d| {
        (
            d.path.file_name() != Some(std::ffi::OsStr::new(CONFIG_FILE)),
            d.path.clone(),
            d.line_col(),
        )
    });
    match format {
        Format::Human => {
            let mut err = std::io::stderr().lock();
            for d in &sorted {
                let _ = writeln!(err, "{}", d.render(color));
            }
        }
        Format::Json => {
            let mut out = std::io::stdout().lock();
            for d in &sorted {
                let _ = writeln!(out, "{}", d.to_json());
            }
        }
    }
    let errors = diags.iter().any(Diagnostic::is_error);
    if errors || (deny_warnings && !diags.is_empty()) {
        EXIT_INPUT
    } else {
        EXIT_OK
    }
}

fn summary(diags: &[Diagnostic], issues: usize) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if errors + warnings == 0 {
        eprintln!("检查了 {issues} 期：没有问题");
    } else {
        eprintln!("检查了 {issues} 期：{errors} 个错误，{warnings} 个警告");
    }
}

fn build(args: &Args, queries: &[String]) -> Result<u8, UsageError> {
    let loaded = load(args, queries)?;
    let mut code = report(&loaded.diagnostics, Format::Human, false);
    let Some(config) = &loaded.publication.config else {
        eprintln!("jianbao.toml 有错误，没有生成 PDF");
        return Ok(EXIT_INPUT);
    };
    let engine = Engine::new(
        loaded
            .fonts
            .clone()
            .expect("fonts load with a valid config"),
    );
    let today = loaded.today;
    let mut jobs = Vec::new();
    for (i, issue) in &loaded.selected {
        let file = &loaded.files[*i];
        let shown = display_path(&file.path);
        let has_errors = loaded
            .diagnostics
            .iter()
            .any(|d| d.is_error() && d.path == shown);
        match issue.as_ref().filter(|_| !has_errors) {
            Some(issue) => jobs.push(Job {
                id: &file.id,
                issue,
                out: loaded.publication.output_path(&file.id),
            }),
            None => {
                eprintln!(
                    "{}: 有错误，没有生成 PDF（原有的 PDF 保持不变）",
                    shown.display()
                );
                code = EXIT_INPUT;
            }
        }
    }
    let mut built = 0;
    archive::build_all(
        &engine,
        &loaded.publication.root,
        config,
        &jobs,
        today,
        |job, outcome| {
            let shown = job.issue.source.path.display();
            match outcome {
                Outcome::Written => {
                    built += 1;
                    eprintln!("{shown} → {}", display_path(&job.out).display());
                }
                Outcome::Failed(errors) => {
                    for e in errors {
                        eprintln!("{shown}: {e}");
                    }
                    code = code.max(EXIT_INPUT);
                }
                Outcome::WriteFailed(e) => {
                    eprintln!("error: 无法写入 {}: {e}", job.out.display());
                    code = EXIT_USAGE;
                }
            }
        },
    );
    if loaded.selected.len() > 1 {
        eprintln!("生成了 {built} 期，共 {} 期", loaded.selected.len());
    }
    Ok(code)
}

fn fonts(args: &Args, queries: &[String]) -> Result<u8, UsageError> {
    let loaded = load(args, queries)?;
    let Some(fonts) = &loaded.fonts else {
        report(&loaded.diagnostics, Format::Human, false);
        return Ok(EXIT_INPUT);
    };
    let mut out = std::io::stdout().lock();
    for role in Role::ALL {
        let (weight, families) = fonts.role(role);
        let _ = writeln!(out, "{:<11} weight {weight}", role.key());
        for r in families {
            let origin = match fonts.origin(r.index) {
                Origin::Embedded => "embedded".to_string(),
                Origin::File(p) => p.display().to_string(),
            };
            let _ = writeln!(out, "  {:<24} {origin}", r.family);
        }
    }
    if queries.is_empty() {
        return Ok(EXIT_OK);
    }
    // Which characters of the named issues are not in their role's own face.
    for (_, issue) in &loaded.selected {
        let Some(issue) = issue else { continue };
        let mut seen: Vec<(char, Role, String, (usize, usize))> = Vec::new();
        for p in characters(&issue.source, Some(&issue.front.distribution), &issue.body) {
            if p.c.is_whitespace() || seen.iter().any(|s| s.0 == p.c && s.1 == p.role) {
                continue;
            }
            let own = &fonts.role(p.role).1[0];
            match fonts.face_for(p.role, p.c) {
                Some(face) if face.index == own.index => {}
                Some(face) => seen.push((
                    p.c,
                    p.role,
                    face.family.clone(),
                    issue.source.line_col(p.offset),
                )),
                None => seen.push((
                    p.c,
                    p.role,
                    "（没有字体）".into(),
                    issue.source.line_col(p.offset),
                )),
            }
        }
        let _ = writeln!(out, "\n{}:", issue.source.path.display());
        if seen.is_empty() {
            let _ = writeln!(out, "  every character is in its role's own font");
        }
        for (c, role, family, (line, col)) in seen {
            let _ = writeln!(
                out,
                "  {c} U+{:04X} {:<10} → {family}  (first at {line}:{col})",
                c as u32,
                role.key()
            );
        }
    }
    Ok(EXIT_OK)
}
