//! Command-line interface: `jianbao build`, `check`, `fonts`, `export`,
//! `layout`, `watch`, `serve`. Parses the arguments, calls the library and
//! prints what it says.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::archive::{self, Builder, Outcome, Settings, page_image_path};
use crate::config::PdfStandard;
use crate::diagnostic::{Diagnostic, UsageError};
use crate::fonts::{Origin, Role};
use crate::publication::{Options, Publication};
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

    /// Colour in diagnostics: auto (on a terminal, not with NO_COLOR set),
    /// always or never.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    pub color: Color,

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
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Write one issue as a self-contained Typst project (main.typ,
    /// issue.json, pictures, fonts) for hand-tuning or the stock compiler.
    Export {
        /// The issue to export.
        issue: String,
        /// A new (or empty) folder for the project.
        #[arg(value_name = "DIR")]
        folder: PathBuf,
        #[command(flatten)]
        layout: LayoutArgs,
    },
    /// Show the layout in use; --eject writes the built-in one to
    /// layouts/bulletin.typ for the office to change.
    Layout {
        /// Write the built-in layout to layouts/bulletin.typ.
        #[arg(long)]
        eject: bool,
    },
    /// Rebuild an issue on every save of it, jianbao.toml, its pictures or
    /// the layout (Ctrl-C ends).
    Watch {
        /// The issue; without one, the newest, then whichever is saved.
        issue: Option<String>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Like watch, plus a live preview in the browser on 127.0.0.1.
    Serve {
        /// The issue; without one, the newest, then whichever is saved.
        issue: Option<String>,
        #[command(flatten)]
        output: OutputArgs,
        /// Port on 127.0.0.1; 0 picks a free one.
        #[arg(long, default_value_t = 0)]
        port: u16,
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
        /// Rewrite the issue files with the pasted-text fixes (half-width
        /// marks, straight quotes, stray spaces, full-width digits), then check.
        #[arg(long)]
        fix: bool,
    },
    /// Show the font each role resolved to.
    Fonts {
        /// Issues whose characters to look up in the fonts.
        issues: Vec<String>,
    },
}

/// What `build`, `watch` and `serve` write.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// pdf (default), or png: one picture per page (out/004-1.png …).
    #[arg(long, value_enum, default_value_t = OutputFormat::Pdf)]
    pub format: OutputFormat,
    /// Pixels per inch of --format png.
    #[arg(long, value_parser = clap::value_parser!(u16).range(10..=600), value_name = "PPI")]
    pub ppi: Option<u16>,
    #[command(flatten)]
    pub layout: LayoutArgs,
}

/// The layout and the PDF standard, over jianbao.toml's `[output]`.
#[derive(Debug, Clone, clap::Args)]
pub struct LayoutArgs {
    /// PDF standard: a-2b for the archive; also 1.4 … 2.0, a-1b, a-1a,
    /// a-2u, a-2a, a-3b, a-3u, a-3a, a-4, a-4f, a-4e, ua-1.
    #[arg(long, value_parser = parse_standard, value_name = "STANDARD")]
    pub pdf_standard: Option<PdfStandard>,
    /// The office's own layout (a .typ file inside the publication).
    #[arg(long, value_name = "FILE")]
    pub layout: Option<PathBuf>,
}

fn parse_standard(name: &str) -> Result<PdfStandard, String> {
    PdfStandard::from_name(name)
        .ok_or_else(|| format!("不认识的 PDF 标准；可用的有 {}", PdfStandard::names()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Pdf,
    Png,
}

/// `--ppi` when none is given.
pub const DEFAULT_PPI: u16 = 150;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
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
    // What `anstream` does with the colour codes of every diagnostic.
    anstream::ColorChoice::write_global(match args.color {
        Color::Auto => anstream::ColorChoice::Auto,
        Color::Always => anstream::ColorChoice::Always,
        Color::Never => anstream::ColorChoice::Never,
    });
    match run_inner(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            EXIT_USAGE
        }
    }
}

fn run_inner(args: &Args) -> Result<u8, UsageError> {
    let start = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let options = Options {
        font_paths: args.font_paths.clone(),
        today: chrono::Local::now().date_naive(),
    };
    let publication = Publication::load(&start, &options)?;
    match &args.command {
        Command::Check {
            issues,
            format,
            deny_warnings,
            fix,
        } => {
            let mut publication = publication;
            if *fix && fix_files(&publication, issues)? {
                // Check what the files say now.
                publication = Publication::load(&start, &options)?;
            }
            let selection = publication.select(issues)?;
            let diagnostics = publication.diagnostics(&selection);
            let code = report(&diagnostics, *format, *deny_warnings);
            if *format == Format::Human {
                summary(&diagnostics, selection.issues.len());
            }
            Ok(code)
        }
        Command::Build { issues, output } => build(&publication, issues, &start, output),
        Command::Fonts { issues } => fonts(&publication, issues),
        Command::Export {
            issue,
            folder,
            layout,
        } => export(&publication, issue, &start, folder, layout),
        Command::Layout { eject } => layout(&publication, *eject),
        Command::Watch { issue, output } => {
            let request = watch_request(&publication, &start, options, issue, output)?;
            crate::watch::run(&request, |_| {})?;
            Ok(EXIT_OK)
        }
        Command::Serve {
            issue,
            output,
            port,
        } => {
            let request = watch_request(&publication, &start, options, issue, output)?;
            let preview = crate::serve::Preview::start(*port)?;
            // The one line on stdout: scripts (and the tests) read the address.
            println!("{}", preview.url());
            let _ = std::io::stdout().flush();
            eprintln!("预览：{}（只在本机可以打开；Ctrl-C 结束）", preview.url());
            crate::watch::run(&request, |rebuilt| match rebuilt {
                crate::watch::Rebuilt::Pages { issue, document } => {
                    preview.show_pages(issue, crate::render::svg_pages(document));
                }
                crate::watch::Rebuilt::Problem(text) => preview.show_problem(&text),
            })?;
            Ok(EXIT_OK)
        }
    }
}

/// `--format` and `--ppi` as the library's format.
fn format(output: &OutputArgs) -> Result<archive::Format, UsageError> {
    match (output.format, output.ppi) {
        (OutputFormat::Pdf, None) => Ok(archive::Format::Pdf),
        (OutputFormat::Pdf, Some(_)) => Err(UsageError::new("--ppi 只用于 --format png")
            .help("例如 jianbao build 4 --format png --ppi 300")),
        (OutputFormat::Png, ppi) => Ok(archive::Format::Png {
            ppi: f32::from(ppi.unwrap_or(DEFAULT_PPI)),
        }),
    }
}

/// `--layout FILE` as typed (relative to where jianbao runs) as a path
/// inside the publication.
fn layout_path(
    publication: &Publication,
    start: &Path,
    layout: &LayoutArgs,
) -> Result<Option<PathBuf>, UsageError> {
    let Some(path) = &layout.layout else {
        return Ok(None);
    };
    let real = start.join(path).canonicalize().map_err(|_| {
        UsageError::new(format!("找不到版式文件 {}", path.display()))
            .help("`jianbao layout --eject` 把内置版式写到 layouts/bulletin.typ，改它即可")
    })?;
    match real.strip_prefix(&publication.root) {
        Ok(relative) => Ok(Some(relative.to_path_buf())),
        Err(_) => Err(
            UsageError::new(format!("版式文件 {} 不在简报文件夹里", path.display()))
                .help("把版式放进简报文件夹（例如 layouts/）"),
        ),
    }
}

/// The settings of a command: jianbao.toml's `[output]` with the options
/// over it, and the engine they need.
fn settings(
    publication: &Publication,
    start: &Path,
    format: archive::Format,
    layout: &LayoutArgs,
) -> Result<Option<Settings>, UsageError> {
    let Some(config) = &publication.config else {
        return Ok(None);
    };
    let path = layout_path(publication, start, layout)?;
    Ok(Some(Settings::new(
        config,
        format,
        layout.pdf_standard,
        path,
    )))
}

fn watch_request(
    publication: &Publication,
    start: &Path,
    options: Options,
    issue: &Option<String>,
    output: &OutputArgs,
) -> Result<crate::watch::Request, UsageError> {
    if let Some(query) = issue {
        publication.resolve(query)?;
    }
    Ok(crate::watch::Request {
        start: start.to_path_buf(),
        options,
        issue: issue.clone(),
        format: format(output)?,
        pdf_standard: output.layout.pdf_standard,
        layout: layout_path(publication, start, &output.layout)?,
    })
}

/// `jianbao check --fix`: applies the cleaner's fixes to the selected
/// issue files (written atomically, every other byte as it was) and says
/// what changed. Returns whether any file changed.
fn fix_files(publication: &Publication, queries: &[String]) -> Result<bool, UsageError> {
    use crate::clean::{self, FixKind};
    if publication.config.as_ref().is_some_and(|c| !c.clean_text) {
        eprintln!("jianbao.toml 里 [text] clean = false：正文保持原样，没有修改");
        return Ok(false);
    }
    let selection = publication.select(queries)?;
    let mut changed = false;
    for &i in &selection.issues {
        let entry = &publication.issues[i];
        let Some(issue) = &entry.issue else { continue };
        let fixes = clean::file_fixes(&issue.source.text, &issue.body);
        if fixes.is_empty() {
            continue;
        }
        let text = clean::apply(&issue.source.text, &fixes);
        crate::render::write_atomically(&entry.file.path, text.as_bytes()).map_err(|e| {
            UsageError::new(format!("无法改写 {}: {e}", issue.source.path.display()))
        })?;
        changed = true;
        let count = |k: FixKind| fixes.iter().filter(|f| f.kind == k).count();
        let parts: Vec<String> = [
            (FixKind::HalfWidthPunctuation, "半角标点"),
            (FixKind::StraightQuote, "直引号"),
            (FixKind::Space, "多余空格"),
            (FixKind::FullWidthAlphanumeric, "全角数字字母"),
        ]
        .iter()
        .filter(|(k, _)| count(*k) > 0)
        .map(|(k, name)| format!("{name} {}", count(*k)))
        .collect();
        eprintln!(
            "已修改 {}：{} 处（{}）",
            issue.source.path.display(),
            fixes.len(),
            parts.join("，")
        );
        const LISTED: usize = 20;
        for f in fixes.iter().take(LISTED) {
            let (line, col) = issue.source.line_col(f.range.start);
            let typed = &issue.source.text[f.range.clone()];
            if f.kind == FixKind::Space {
                eprintln!("  {line}:{col}  删除空格");
            } else {
                eprintln!("  {line}:{col}  {typed} → {}", f.replacement);
            }
        }
        if fixes.len() > LISTED {
            eprintln!("  ……还有 {} 处", fixes.len() - LISTED);
        }
    }
    Ok(changed)
}

/// Prints diagnostics; returns the exit status they call for.
fn report(diags: &[&Diagnostic], format: Format, deny_warnings: bool) -> u8 {
    match format {
        Format::Human => {
            let mut err = anstream::stderr().lock();
            for d in diags {
                let _ = writeln!(err, "{}", d.render());
            }
        }
        Format::Json => {
            let mut out = std::io::stdout().lock();
            for d in diags {
                let _ = writeln!(out, "{}", d.to_json());
            }
        }
    }
    let errors = diags.iter().any(|d| d.is_error());
    if errors || (deny_warnings && !diags.is_empty()) {
        EXIT_INPUT
    } else {
        EXIT_OK
    }
}

fn summary(diags: &[&Diagnostic], issues: usize) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if errors + warnings == 0 {
        eprintln!("检查了 {issues} 期：没有问题");
    } else {
        eprintln!("检查了 {issues} 期：{errors} 个错误，{warnings} 个警告");
    }
}

fn build(
    publication: &Publication,
    queries: &[String],
    start: &Path,
    output: &OutputArgs,
) -> Result<u8, UsageError> {
    let selection = publication.select(queries)?;
    let format = format(output)?;
    let mut code = report(&publication.diagnostics(&selection), Format::Human, false);
    let Some(settings) = settings(publication, start, format, &output.layout)? else {
        eprintln!("jianbao.toml 有错误，没有生成 PDF");
        return Ok(EXIT_INPUT);
    };
    let engine = settings.engine(publication)?;
    let Ok(builder) = Builder::with(publication, settings, engine) else {
        eprintln!("jianbao.toml 有错误，没有生成 PDF");
        return Ok(EXIT_INPUT);
    };
    let mut built = 0;
    builder.build(&selection.issues, |entry, outcome| {
        let shown = display_path(&entry.file.path);
        let shown = shown.display();
        match outcome {
            Outcome::Written {
                path,
                pages,
                warnings,
            } => {
                built += 1;
                for w in warnings {
                    print_typst(&shown.to_string(), &w);
                }
                match format {
                    archive::Format::Pdf => {
                        eprintln!("{shown} → {}", display_path(&path).display())
                    }
                    archive::Format::Png { .. } => {
                        // `path` is page 1's picture: out/004-1.png.
                        let pdf = path.with_file_name(
                            path.file_name()
                                .map(|n| n.to_string_lossy().replace("-1.png", ".pdf"))
                                .unwrap_or_default(),
                        );
                        eprintln!(
                            "{shown} → {} … {}（{pages} 页）",
                            display_path(&path).display(),
                            display_path(&page_image_path(&pdf, pages)).display()
                        )
                    }
                }
            }
            Outcome::HasErrors => {
                eprintln!("{shown}: 有错误，没有生成 PDF（原有的 PDF 保持不变）");
                code = EXIT_INPUT;
            }
            Outcome::Failed(errors) => {
                for e in errors {
                    print_typst(&shown.to_string(), &e);
                }
                eprintln!("{shown}: 排版失败，没有生成（原有的文件保持不变）");
                code = code.max(EXIT_INPUT);
            }
            Outcome::WriteFailed(path, e) => {
                eprintln!("error: 无法写入 {}: {e}", path.display());
                code = EXIT_USAGE;
            }
        }
    });
    if selection.issues.len() > 1 {
        eprintln!("生成了 {built} 期，共 {} 期", selection.issues.len());
    }
    Ok(code)
}

/// One of typst's diagnostics: with its own place and source line when it
/// points into a layout, else after the issue's path.
fn print_typst(shown: &str, d: &crate::render::TypstDiagnostic) {
    let mut err = anstream::stderr().lock();
    if d.diagnostic().is_some() {
        let _ = writeln!(err, "{d}");
    } else {
        let _ = writeln!(err, "{shown}: {d}");
    }
}

fn export(
    publication: &Publication,
    query: &str,
    start: &Path,
    dir: &Path,
    layout: &LayoutArgs,
) -> Result<u8, UsageError> {
    let selection = publication.select(&[query.to_string()])?;
    let code = report(&publication.diagnostics(&selection), Format::Human, false);
    let entry = &publication.issues[selection.issues[0]];
    let (Some(settings), Some(issue)) = (
        settings(publication, start, archive::Format::Pdf, layout)?,
        entry.issue.as_ref().filter(|_| !entry.has_errors()),
    ) else {
        eprintln!("有错误，没有导出");
        return Ok(EXIT_INPUT.max(code));
    };
    let engine = settings.engine(publication)?;
    let builder = Builder::with(publication, settings, engine)
        .map_err(|_| UsageError::new("jianbao.toml 有错误"))?;
    let shown = display_path(&entry.file.path).display().to_string();
    let (files, _) = match crate::export::project(&builder, issue) {
        Ok(p) => p,
        Err(crate::export::ExportError::Layout(errors)) => {
            for e in &errors {
                print_typst(&shown, e);
            }
            return Ok(EXIT_INPUT);
        }
        Err(crate::export::ExportError::Folder(e)) => return Err(e),
    };
    let dir = start.join(dir);
    crate::export::write_project(&files, &dir)?;
    let fonts = files.keys().filter(|p| p.starts_with("fonts")).count();
    eprintln!(
        "{shown} → {}（main.typ、issue.json、{} 个其他文件、{fonts} 个字体文件）",
        display_path(&dir).display(),
        files.len() - 2 - fonts
    );
    eprintln!(
        "用 Typst 编译：cd {} && typst compile --font-path fonts --ignore-system-fonts main.typ",
        display_path(&dir).display()
    );
    Ok(code)
}

/// `jianbao layout`: which layout is in use; `--eject` writes the built-in
/// one into the publication.
fn layout(publication: &Publication, eject: bool) -> Result<u8, UsageError> {
    use crate::render::world::{LAYOUT, LAYOUT_SHOWN};
    let configured = publication.config.as_ref().and_then(|c| c.layout.clone());
    if !eject {
        match configured {
            Some(path) => println!("{}（jianbao.toml [output] layout）", path.display()),
            None => println!("内置版式（`jianbao layout --eject` 把它写到 {LAYOUT_SHOWN}）"),
        }
        return Ok(EXIT_OK);
    }
    let path = publication.root.join(LAYOUT_SHOWN);
    let shown = display_path(&path);
    if path.exists() {
        return Err(
            UsageError::new(format!("{} 已经存在，没有覆盖", shown.display()))
                .help("先把它改名或删掉，再导出内置版式"),
        );
    }
    crate::render::write_atomically(&path, LAYOUT.as_bytes())
        .map_err(|e| UsageError::new(format!("无法写入 {}: {e}", shown.display())))?;
    eprintln!("已写出内置版式：{}", shown.display());
    if configured.is_none() {
        eprintln!(
            "要用它，在 jianbao.toml 的 [output] 表里写：layout = \"{LAYOUT_SHOWN}\"（或者 build 时加 --layout {LAYOUT_SHOWN}）"
        );
    }
    eprintln!("版式读到的数据（issue.json）见 README 的“自己的版式”一节");
    Ok(EXIT_OK)
}

fn fonts(publication: &Publication, queries: &[String]) -> Result<u8, UsageError> {
    let selection = publication.select(queries)?;
    let Some(fonts) = &publication.fonts else {
        report(&publication.diagnostics(&selection), Format::Human, false);
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
    for &i in &selection.issues {
        let Some(issue) = &publication.issues[i].issue else {
            continue;
        };
        let fallbacks = fonts.fallbacks(issue);
        let _ = writeln!(out, "\n{}:", issue.source.path.display());
        if fallbacks.is_empty() {
            let _ = writeln!(out, "  every character is in its role's own font");
        }
        for f in fallbacks {
            let (line, col) = issue.source.line_col(f.offset);
            let _ = writeln!(
                out,
                "  {} U+{:04X} {:<10} → {}  (first at {line}:{col})",
                f.c,
                f.c as u32,
                f.role.key(),
                f.family.unwrap_or("（没有字体）")
            );
        }
    }
    Ok(EXIT_OK)
}
