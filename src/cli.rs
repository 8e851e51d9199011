//! Command-line interface: `jianbao build`, `jianbao check`, `jianbao fonts`.
//! Parses the arguments, calls the library and prints what it says.
//!
//! Printing never fails a run: with stdout or stderr closed
//! (`jianbao build 2>&1 | head -1`) the work goes on and ends quietly, so
//! every line goes through `say!` or `tell!`, which ignore write errors.

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::archive::{Builder, Outcome};
use crate::diagnostic::{Diagnostic, UsageError};
use crate::fonts::{Origin, Role};
use crate::publication::{Options, Publication};
use crate::source::display_path;

/// `eprintln!` that cannot panic: a closed stderr is not an error (the
/// work goes on), and unprintable characters from the input (terminal
/// escapes, bidi overrides) are shown escaped.
macro_rules! say {
    ($($arg:tt)*) => {{
        let text = format!($($arg)*);
        let mut err = anstream::stderr().lock();
        for line in text.split('\n') {
            let _ = writeln!(err, "{}", $crate::script::escape_unprintable(line));
        }
    }};
}

/// `writeln!` to `out` of a line that may hold text from the input (font
/// names, characters): shown escaped, and a closed `out` is not an error.
macro_rules! tell {
    ($out:expr, $($arg:tt)*) => {{
        let text = format!($($arg)*);
        let _ = writeln!($out, "{}", $crate::script::escape_unprintable(&text));
    }};
}

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

    /// Also use the fonts installed on this computer (as `[fonts] system =
    /// true`); by default only the embedded fonts and the named folders are.
    #[arg(long = "system-fonts", global = true)]
    pub system_fonts: bool,

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
        /// Write the PDFs to this folder (made if missing) instead of the
        /// output folder of jianbao.toml; it may be outside the publication.
        #[arg(long = "out", value_name = "DIR")]
        out: Option<PathBuf>,
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
    match in_thread_pool(|| run_inner(&args)) {
        Ok(code) => code,
        Err(e) => {
            say!("{e}");
            EXIT_USAGE
        }
    }
}

/// Stack of the threads a run works on: deep enough for any input the
/// parsers accept (nested TOML arrays, long paragraphs).
const STACK: usize = 64 * 1024 * 1024;

/// Runs `work` in a thread pool of its own, so that everything parallel
/// (issues built side by side, pictures decoded, typst's own work) uses
/// it. Where no thread can be started (a process limit), the pool is this
/// thread alone and the work is done one piece after another.
fn in_thread_pool<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK)
        .build()
        .or_else(|_| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .use_current_thread()
                .build()
        });
    match pool {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

/// The last resort for a bug: one short line instead of a backtrace, and
/// exit status 2 (never 101). An interrupted build has left no partial
/// PDF: PDFs are written to a temporary file and renamed into place. (A
/// panic in a decoder of a picture or a font is that input's problem
/// instead: see [`crate::sandbox::contain`].)
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        // A parser on untrusted input panicked: its caller reports it as a
        // problem of that picture or font.
        if crate::sandbox::is_contained() {
            return;
        }
        let place = info
            .location()
            .map(|l| format!(" ({}:{})", l.file(), l.line()))
            .unwrap_or_default();
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let _ = writeln!(
            std::io::stderr(),
            "error: jianbao 内部出错，已停止：{}{place}\n  help: 这是 jianbao 的问题，不是输入的问题；请把这条信息和输入文件发给维护者",
            crate::script::escape_unprintable(&what)
        );
        std::process::exit(i32::from(EXIT_USAGE));
    }));
}

fn run_inner(args: &Args) -> Result<u8, UsageError> {
    let start = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let options = Options {
        font_paths: args.font_paths.clone(),
        today: chrono::Local::now().date_naive(),
        system_fonts: args.system_fonts,
        out_dir: match &args.command {
            Command::Build { out, .. } => out.clone(),
            _ => None,
        },
    };
    let mut publication = Publication::load(&start, &options)?;
    match &args.command {
        Command::Check {
            issues,
            format,
            deny_warnings,
            fix,
        } => {
            if *fix && fix_files(&publication, issues)? {
                // Check what the files say now.
                publication = Publication::load(&start, &options)?;
            }
            let selection = publication.select(issues)?;
            publication.check_pictures(&selection);
            let diagnostics = publication.diagnostics(&selection);
            let code = report(&diagnostics, *format, *deny_warnings);
            if *format == Format::Human {
                summary(&diagnostics, selection.issues.len(), *deny_warnings);
            }
            Ok(code)
        }
        Command::Build { issues, .. } => build(&mut publication, issues),
        Command::Fonts { issues } => fonts(&publication, issues),
    }
}

/// `jianbao check --fix`: applies the cleaner's fixes to the selected
/// issue files (written atomically, every other byte as it was) and says
/// what changed. Returns whether any file changed.
fn fix_files(publication: &Publication, queries: &[String]) -> Result<bool, UsageError> {
    use crate::clean::{self, FixKind};
    if publication.config.as_ref().is_some_and(|c| !c.clean_text) {
        say!("jianbao.toml 里 [text] clean = false：正文保持原样，没有修改");
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
        let shown = issue.source.path.display();
        // Through a link to the file it names, inside the publication; a
        // read-only file is left as it is.
        let target = entry
            .file
            .path
            .canonicalize()
            .map_err(|e| UsageError::new(format!("无法改写 {shown}: {e}")))?;
        let inside = publication
            .root
            .canonicalize()
            .is_ok_and(|root| target.starts_with(root));
        if !inside {
            return Err(
                UsageError::new(format!("{shown} 链接到简报文件夹外面，没有改写"))
                    .help("把期刊文件放进简报文件夹里，再运行 jianbao check --fix"),
            );
        }
        if std::fs::metadata(&target).is_ok_and(|m| m.permissions().readonly()) {
            return Err(UsageError::new(format!("{shown} 是只读文件，没有改写"))
                .help("如果要改，先去掉只读属性（chmod u+w），再运行 jianbao check --fix"));
        }
        crate::render::write_atomically(&target, text.as_bytes())
            .map_err(|e| UsageError::new(format!("无法改写 {shown}: {e}")))?;
        changed = true;
        let count = |k: FixKind| fixes.iter().filter(|f| f.kind == k).count();
        let parts: Vec<String> = FixKind::ALL
            .iter()
            .filter(|k| count(**k) > 0)
            .map(|k| format!("{} {}", k.name(), count(*k)))
            .collect();
        say!(
            "已修改 {}：{} 处（{}）",
            issue.source.path.display(),
            fixes.len(),
            parts.join("，")
        );
        const LISTED: usize = 20;
        for f in fixes.iter().take(LISTED) {
            let (line, col) = issue.source.line_col(f.range.start);
            let typed = &issue.source.text[f.range.clone()];
            if f.kind == FixKind::Space && f.replacement.is_empty() {
                say!("  {line}:{col}  删除空格");
            } else if f.kind == FixKind::Invisible {
                say!("  {line}:{col}  删除看不见的字符");
            } else {
                say!("  {line}:{col}  {typed} → {}", f.replacement);
            }
        }
        if fixes.len() > LISTED {
            say!("  ……还有 {} 处", fixes.len() - LISTED);
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

fn summary(diags: &[&Diagnostic], issues: usize, deny_warnings: bool) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if errors + warnings == 0 {
        say!("检查了 {issues} 期：没有问题");
    } else if errors == 0 && deny_warnings {
        say!("检查了 {issues} 期：0 个错误，{warnings} 个警告（--deny-warnings：警告也算不通过）");
    } else {
        say!("检查了 {issues} 期：{errors} 个错误，{warnings} 个警告");
    }
}

fn build(publication: &mut Publication, queries: &[String]) -> Result<u8, UsageError> {
    let selection = publication.select(queries)?;
    publication.check_pictures(&selection);
    let publication = &*publication;
    let mut code = report(&publication.diagnostics(&selection), Format::Human, false);
    let Ok(builder) = Builder::new(publication) else {
        say!("jianbao.toml 有错误，没有生成 PDF");
        return Ok(EXIT_INPUT);
    };
    let mut built = 0;
    builder.build(&selection.issues, |entry, outcome| {
        let shown = display_path(&entry.file.path);
        let shown = shown.display();
        match outcome {
            Outcome::Written {
                path,
                warnings,
                notes,
            } => {
                built += 1;
                for w in warnings {
                    say!("{shown}: {w}");
                }
                for n in notes {
                    say!("{shown}: note: {n}");
                }
                say!("{shown} → {}", display_path(&path).display());
            }
            Outcome::HasErrors => {
                say!("{shown}: 有错误，没有生成 PDF（原有的 PDF 保持不变）");
                code = code.max(EXIT_INPUT);
            }
            Outcome::Failed(errors) => {
                for e in errors {
                    say!("{shown}: {e}");
                }
                code = code.max(EXIT_INPUT);
            }
            Outcome::WriteFailed(path, e) => {
                say!("error: 无法写入 {}: {e}", display_path(&path).display());
                code = EXIT_USAGE;
            }
        }
    });
    if selection.issues.len() > 1 {
        say!("生成了 {built} 期，共 {} 期", selection.issues.len());
    }
    Ok(code)
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
        tell!(out, "{:<11} weight {weight}", role.key());
        for r in families {
            let origin = match fonts.origin(r.index) {
                Origin::Embedded => "embedded".to_string(),
                Origin::File(p) => p.display().to_string(),
            };
            tell!(out, "  {:<24} {origin}", r.family);
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
        tell!(out, "\n{}:", issue.source.path.display());
        if fallbacks.is_empty() {
            tell!(out, "  every character is in its role's own font");
        }
        for f in fallbacks {
            let (line, col) = issue.source.line_col(f.offset);
            tell!(
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
