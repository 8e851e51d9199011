//! Command-line interface: `jianbao init`, `new`, `build`, `check`, `fonts`,
//! `export`, `layout`, `watch`, `serve`.
//! Parses the arguments (help and usage errors in Chinese, like every other
//! message), calls the library and prints what it says.
//!
//! Printing never fails a run: with stdout or stderr closed
//! (`jianbao build 2>&1 | head -1`) the work goes on and ends quietly, so
//! every line goes through `say!` or `tell!`, which ignore write errors.

use std::io::{IsTerminal, Write};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::archive::{self, BuildOptions, Builder, Outcome, Settings};
use crate::config::PdfStandard;
use crate::diagnostic::{Diagnostic, UsageError};
use crate::fonts::{Origin, Role};
use crate::publication::{Options, Publication, Shard};
use crate::script::escape_unprintable;
use crate::source::show_path;

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
        for line in text.split('\n') {
            let _ = writeln!($out, "{}", $crate::script::escape_unprintable(line));
        }
    }};
}

/// clap's help layout with Chinese headings; `{usage}` is set per command.
const HELP: &str = "{about}\n\n用法：{usage}\n\n{all-args}{after-help}";

/// 把简报排成可以付印的 A4 PDF（GB/T 9704 版式，字体和版式都在程序里）。
#[derive(Debug, Parser)]
#[command(
    name = "jianbao",
    version,
    help_template = HELP,
    override_usage = "jianbao [选项] <命令>",
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    arg_required_else_help = true,
    subcommand_help_heading = "命令",
    subcommand_value_name = "命令",
    next_help_heading = "选项",
    after_help = "新建一份简报：jianbao init 文件夹\n每个命令的说明：jianbao 命令 --help"
)]
pub struct Args {
    /// 在这个文件夹里运行（简报文件夹或它下面的文件夹）
    #[arg(short = 'C', long = "dir", global = true, value_name = "文件夹")]
    pub dir: Option<PathBuf>,

    /// 再从这个文件夹载入字体，排在内置字体前面（可以写多次）
    #[arg(long = "font-path", global = true, value_name = "文件夹")]
    pub font_paths: Vec<PathBuf>,

    /// 也用这台电脑上安装的字体（同 [fonts] system = true）；默认只用内置字体和指定的字体文件夹
    #[arg(long = "system-fonts", global = true)]
    pub system_fonts: bool,

    /// 提示信息的颜色：auto（在终端里、没有设 NO_COLOR 时用颜色，默认）、always、never
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto, value_name = "何时",
          hide_default_value = true, hide_possible_values = true)]
    pub color: Color,

    /// 显示帮助
    #[arg(short = 'h', long = "help", action = ArgAction::Help, global = true)]
    help: Option<bool>,

    /// 显示版本号
    #[arg(short = 'V', long = "version", action = ArgAction::Version)]
    version: Option<bool>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 新建一份简报：带说明的 jianbao.toml、第一期 issues/001.md 和 .gitignore
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "jianbao init [文件夹]")]
    Init {
        /// 在这个文件夹里新建（没有就创建）；不写就是当前文件夹
        #[arg(value_name = "文件夹", help_heading = "参数")]
        folder: Option<PathBuf>,
    },
    /// 新建下一期的期刊文件（期号、日期、总期号、报送发都填好），打印它的路径
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "jianbao new [增刊]")]
    New {
        /// 不写就是下一期正刊；写 增刊（或 专刊、特刊）就新建下一期增刊，增刊自己编号，不带总期号
        #[arg(value_name = "刊别", help_heading = "参数")]
        edition: Option<String>,
    },
    /// 检查期刊，生成 PDF 到输出文件夹（默认 out/）；没有改动的期不重新生成
    #[command(
        help_template = HELP,
        next_help_heading = "选项",
        override_usage = "jianbao build [期号…] [选项]",
        after_help = "期号可以写 4、2023/4、004、issues/004.md，或一段 3..7、2023/1..12（含两端）。\n增刊、专刊等各自编号：写 增刊1、2023/增刊1、增刊1..3。\n不写期号就生成全部。"
    )]
    Build {
        /// 要生成的期：4、2023/4、增刊1、3..7、2023/1..12；不写就是全部
        #[arg(value_name = "期号", help_heading = "参数")]
        issues: Vec<String>,
        /// 全部重新生成，不管有没有改动
        #[arg(long)]
        force: bool,
        /// 同时排几期（默认：处理器核数）
        #[arg(long, short = 'j', value_name = "N", value_parser = parse_jobs)]
        jobs: Option<NonZeroUsize>,
        /// 只生成第 K 份（共 N 份）：每一期固定分在一份里，N 个 CI 任务正好把全部生成一遍
        #[arg(long, value_name = "K/N", value_parser = parse_shard)]
        shard: Option<Shard>,
        /// 把 PDF 写到这个文件夹（没有就创建），不用 jianbao.toml 的输出文件夹；可以在简报文件夹外面
        #[arg(long = "out", value_name = "文件夹")]
        out: Option<PathBuf>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// 检查 jianbao.toml 和期刊文件，报告找到的每一个问题
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "jianbao check [期号…] [选项]")]
    Check {
        /// 要检查的期；不写就是全部
        #[arg(value_name = "期号", help_heading = "参数")]
        issues: Vec<String>,
        /// 输出格式：human（给人看，默认）或 json（每个问题一行 JSON，写到标准输出）
        #[arg(long, value_enum, default_value_t = Format::Human, value_name = "格式",
              hide_default_value = true, hide_possible_values = true)]
        format: Format,
        /// 有警告也算失败（退出状态 1）
        #[arg(long)]
        deny_warnings: bool,
        /// 把粘贴来的文字的问题（半角标点、直引号、多余空格、全角数字、看不见的字符）直接改进文件，再检查
        #[arg(long)]
        fix: bool,
        /// 按这个 PDF 标准检查图片（默认 jianbao.toml 的 [output] pdf_standard）：a-1b 不许透明，ua-1 要求图片有说明
        #[arg(long, value_parser = parse_standard, value_name = "标准")]
        pdf_standard: Option<PdfStandard>,
    },
    /// 列出字体文件夹里找到的字体（要填进 [fonts] 的准确名字）和每个角色用的字体
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "jianbao fonts [期号…]")]
    Fonts {
        /// 再看这些期里哪些字要用后备字体
        #[arg(value_name = "期号", help_heading = "参数")]
        issues: Vec<String>,
    },
    /// 把一期导出成独立的 Typst 项目（main.typ、issue.json、图片、字体），可以手工微调或用 typst 编译
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "jianbao export <期号> <文件夹> [选项]")]
    Export {
        /// 要导出的期
        #[arg(value_name = "期号", help_heading = "参数")]
        issue: String,
        /// 放项目的文件夹（新的或空的）
        #[arg(value_name = "文件夹", help_heading = "参数")]
        folder: PathBuf,
        #[command(flatten)]
        layout: LayoutArgs,
    },
    /// 显示在用的版式；--eject 把内置版式写到 layouts/bulletin.typ，供本单位修改
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "jianbao layout [--eject]")]
    Layout {
        /// 把内置版式写到 layouts/bulletin.typ
        #[arg(long)]
        eject: bool,
    },
    /// 每次保存期刊文件、jianbao.toml、图片或版式，就重新生成这一期（Ctrl-C 结束）
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "jianbao watch [期号] [选项]")]
    Watch {
        /// 要看的期；不写就是最新的一期，之后保存哪一期就生成哪一期
        #[arg(value_name = "期号", help_heading = "参数")]
        issue: Option<String>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// 同 watch，再在浏览器里实时预览（只在本机 127.0.0.1）
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "jianbao serve [期号] [选项]")]
    Serve {
        /// 要看的期；不写就是最新的一期，之后保存哪一期就显示哪一期
        #[arg(value_name = "期号", help_heading = "参数")]
        issue: Option<String>,
        #[command(flatten)]
        output: OutputArgs,
        /// 127.0.0.1 上的端口；0（默认）是随便一个空闲的
        #[arg(
            long,
            default_value_t = 0,
            value_name = "端口",
            hide_default_value = true
        )]
        port: u16,
    },
}

/// What `build`, `watch` and `serve` write.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// pdf（默认），或 png：每页一张图片（out/004-1.png …）
    #[arg(long = "format", value_enum, default_value_t = OutputFormat::Pdf, value_name = "格式",
          hide_default_value = true, hide_possible_values = true)]
    pub format: OutputFormat,
    /// --format png 的分辨率，每英寸像素数（默认 150）
    #[arg(long, value_parser = parse_ppi, value_name = "PPI")]
    pub ppi: Option<u16>,
    #[command(flatten)]
    pub layout: LayoutArgs,
}

/// The layout and the PDF standard, over jianbao.toml's `[output]`.
#[derive(Debug, Clone, clap::Args)]
pub struct LayoutArgs {
    /// PDF 标准：存档用 a-2b；还有 1.4 … 2.0、a-1b、a-1a、a-2u、a-2a、a-3b、a-3u、a-3a、a-4、a-4f、a-4e、ua-1
    #[arg(long, value_parser = parse_standard, value_name = "标准")]
    pub pdf_standard: Option<PdfStandard>,
    /// 本单位自己的版式（简报文件夹里的 .typ 文件）
    #[arg(long, value_name = "文件")]
    pub layout: Option<PathBuf>,
}

fn parse_ppi(s: &str) -> Result<u16, String> {
    s.parse::<u16>()
        .ok()
        .filter(|n| (10..=600).contains(n))
        .ok_or_else(|| "要写 10 到 600 之间的整数，例如 --ppi 150".to_string())
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

fn parse_jobs(s: &str) -> Result<NonZeroUsize, String> {
    s.parse()
        .map_err(|_| "要写一个正整数，例如 --jobs 2".to_string())
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    s.parse()
}

impl Args {
    /// Parses the command line; help, version and usage errors are
    /// printed here (in Chinese) and end the process.
    pub fn parse_or_exit() -> Args {
        let matches = Args::command().try_get_matches();
        match matches.and_then(|m| Args::from_arg_matches(&m)) {
            Ok(args) => args,
            Err(e) => {
                use clap::error::ErrorKind;
                match e.kind() {
                    ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                        let _ = e.print();
                        std::process::exit(EXIT_OK.into())
                    }
                    ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                        let _ = e.print();
                        std::process::exit(EXIT_USAGE.into())
                    }
                    _ => {
                        say!("{}", usage_error(&e));
                        std::process::exit(EXIT_USAGE.into())
                    }
                }
            }
        }
    }
}

/// A usage error from clap, said in Chinese: what is wrong, a suggestion
/// where clap has one, and the command's usage.
fn usage_error(e: &clap::Error) -> UsageError {
    use clap::error::{ContextKind as K, ErrorKind as E};
    let get = |k: K| e.get(k).map(|v| v.to_string()).unwrap_or_default();
    let arg = get(K::InvalidArg);
    let value = get(K::InvalidValue);
    let message = match e.kind() {
        E::UnknownArgument => format!("没有 {arg} 这个选项"),
        E::InvalidSubcommand => format!("没有 {} 这个命令", get(K::InvalidSubcommand)),
        E::InvalidValue if value.is_empty() => format!("{arg} 后面要写一个值"),
        E::InvalidValue => format!("{arg} 不能是“{value}”"),
        E::ValueValidation => {
            let why = std::error::Error::source(e)
                .map(|s| format!("：{s}"))
                .unwrap_or_default();
            format!("{arg} 的值“{value}”不对{why}")
        }
        E::MissingRequiredArgument => format!("缺少 {arg}"),
        E::MissingSubcommand => "缺少命令".to_string(),
        E::TooManyValues => format!("多了一个值“{value}”"),
        E::WrongNumberOfValues | E::TooFewValues => format!("{arg} 的值的个数不对"),
        E::ArgumentConflict => format!("{arg} 不能和 {} 一起用", get(K::PriorArg)),
        E::NoEquals => format!("{arg} 要用 = 连着值写"),
        E::InvalidUtf8 => "参数不是合法的 UTF-8 文字".to_string(),
        _ => "命令行参数不对".to_string(),
    };
    let mut help = Vec::new();
    for k in [K::SuggestedSubcommand, K::SuggestedArg, K::SuggestedValue] {
        let s = get(k);
        if !s.is_empty() {
            help.push(format!("是不是要写 {s}？"));
        }
    }
    let valid = get(K::ValidValue);
    if !valid.is_empty() {
        help.push(format!("可以写：{valid}"));
    }
    let usage = get(K::Usage);
    let usage = usage.trim().trim_start_matches("Usage:").trim();
    if !usage.is_empty() {
        help.push(format!("用法：{usage}"));
    }
    help.push("说明：jianbao --help，或 jianbao 命令 --help".to_string());
    UsageError::new(message).help(help.join("\n        "))
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
            "error: jianbao 内部出错，已停止：{}{place}（这是 jianbao 的问题，不是输入的问题：请把这一行和输入文件发给维护者）",
            crate::script::escape_unprintable(&what)
        );
        std::process::exit(i32::from(EXIT_USAGE));
    }));
}

fn run_inner(args: &Args) -> Result<u8, UsageError> {
    // Only for the test that the shipped binary turns a bug into one line
    // (tests/it/build.rs): a panic on a worker thread, as a real bug would be.
    if std::env::var_os("JIANBAO_TEST_PANIC").is_some() {
        panic!("JIANBAO_TEST_PANIC");
    }
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
    match &args.command {
        Command::Init { folder } => return init(&start, folder.as_deref(), &options),
        Command::Fonts { issues } => return fonts(&start, &options, issues),
        Command::New { .. } => {
            // A publication whose issues/ is gone still gets its next issue
            // (made as every folder is: inside the publication).
            if let Ok(root) = crate::publication::find_root(&start) {
                let _ = crate::sandbox::Folder::open(&root, &root.join("issues"));
            }
        }
        _ => {}
    }
    let mut publication = Publication::load(&start, &options)?;
    match &args.command {
        Command::Check {
            issues,
            format,
            deny_warnings,
            fix,
            pdf_standard,
        } => {
            let mut fix_failed = false;
            if *fix {
                let fixed = fix_files(&publication, issues)?;
                fix_failed = fixed.failed;
                if fixed.changed {
                    // Check what the files say now.
                    publication = Publication::load(&start, &options)?;
                }
            }
            let selection = publication.select(issues)?;
            let standard = standard(&publication, *pdf_standard, archive::Format::Pdf);
            publication.check_pictures(&selection, standard);
            let diagnostics = publication.diagnostics(&selection);
            let code = report(&diagnostics, *format, *deny_warnings);
            if *format == Format::Human {
                summary(&diagnostics, selection.issues.len(), *deny_warnings);
            }
            Ok(if fix_failed {
                code.max(EXIT_USAGE)
            } else {
                code
            })
        }
        Command::Build {
            issues,
            force,
            jobs,
            shard,
            output,
            ..
        } => {
            let mut build_options = BuildOptions {
                force: *force,
                ..BuildOptions::default()
            };
            if let Some(jobs) = jobs {
                build_options.jobs = jobs.get();
            }
            build(
                &mut publication,
                issues,
                &build_options,
                *shard,
                &start,
                output,
            )
        }
        Command::Export {
            issue,
            folder,
            layout: layout_args,
        } => export(&mut publication, issue, &start, folder, layout_args),
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
            tell!(std::io::stdout(), "{}", preview.url());
            let _ = std::io::stdout().flush();
            say!("预览：{}（只在本机可以打开；Ctrl-C 结束）", preview.url());
            crate::watch::run(&request, |rebuilt| match rebuilt {
                crate::watch::Rebuilt::Pages { issue, document } => {
                    preview.show_pages(issue, crate::render::svg_pages(document));
                }
                crate::watch::Rebuilt::Problem(text) => preview.show_problem(&text),
            })?;
            Ok(EXIT_OK)
        }
        Command::New { edition } => {
            let path = crate::create::new_issue(&publication, edition.as_deref())?;
            tell!(std::io::stdout(), "{}", show_path(&path));
            Ok(EXIT_OK)
        }
        Command::Init { .. } | Command::Fonts { .. } => unreachable!("handled above"),
    }
}

/// `jianbao init [DIR]`.
fn init(
    start: &std::path::Path,
    dir: Option<&std::path::Path>,
    options: &Options,
) -> Result<u8, UsageError> {
    let dir = match dir {
        Some(d) => start.join(d),
        None => start.to_path_buf(),
    };
    let written = crate::create::init(&dir, options.today)?;
    for path in &written {
        say!("新建 {}", show_path(path));
    }
    let go = if dir == std::path::Path::new(".") {
        String::new()
    } else {
        format!("cd {} && ", show_path(&dir))
    };
    say!("改好 jianbao.toml 里的单位名称，然后生成第1期：{go}jianbao build 1");
    Ok(EXIT_OK)
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
    // As typed: the path is relative to where jianbao runs.
    let typed = escape_unprintable(&path.display().to_string()).into_owned();
    if let Some((message, help)) = crate::config::layout_file_problem(&start.join(path), &typed) {
        return Err(UsageError::new(message).help(help));
    }
    let real = start.join(path).canonicalize().map_err(|_| {
        UsageError::new(format!("找不到版式文件 {typed}"))
            .help("`jianbao layout --eject` 把内置版式写到 layouts/bulletin.typ，改它即可")
    })?;
    match real.strip_prefix(&publication.root) {
        Ok(relative) => Ok(Some(relative.to_path_buf())),
        Err(_) => Err(
            UsageError::new(format!("版式文件 {typed} 不在简报文件夹里"))
                .help("把版式放进简报文件夹（例如 layouts/）"),
        ),
    }
}

/// The PDF standard a run's PDFs follow, which `check` holds the pictures
/// to: `--pdf-standard`, else jianbao.toml's `[output] pdf_standard`
/// (as [`Settings::new`] decides); none for PNG pages.
fn standard(
    publication: &Publication,
    asked: Option<PdfStandard>,
    format: archive::Format,
) -> Option<PdfStandard> {
    match format {
        archive::Format::Pdf => {
            asked.or_else(|| publication.config.as_ref().and_then(|c| c.pdf_standard))
        }
        archive::Format::Png { .. } => None,
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

/// What `check --fix` did.
struct Fixed {
    /// A file changed: check it again.
    changed: bool,
    /// A file was left as it was for a reason said (saved meanwhile, too
    /// large after fixing, not writable).
    failed: bool,
}

/// `jianbao check --fix`: applies the cleaner's fixes to the selected
/// issue files (written atomically by the one writer, every other byte,
/// the owner and the permissions as they were) and says what changed. A
/// file is rewritten only while it still holds what was read: one saved
/// meanwhile is left as saved. A file that cannot be fixed is said to be
/// so; the others are fixed.
fn fix_files(publication: &Publication, queries: &[String]) -> Result<Fixed, UsageError> {
    use crate::clean::{self, FixKind};
    let mut done = Fixed {
        changed: false,
        failed: false,
    };
    if publication.config.as_ref().is_some_and(|c| !c.clean_text) {
        say!("jianbao.toml 里 [text] clean = false：正文保持原样，没有修改");
        return Ok(done);
    }
    let selection = publication.select(queries)?;
    for &i in &selection.issues {
        let entry = &publication.issues[i];
        let Some(issue) = &entry.issue else { continue };
        let fixes = clean::file_fixes(&issue.source.text, &issue.body);
        if fixes.is_empty() {
            continue;
        }
        let text = clean::apply(&issue.source.text, &fixes);
        let shown = show_path(&issue.source.path);
        if let Err(e) = write_fixed(
            publication,
            &entry.file.path,
            &shown,
            &issue.source.text,
            &text,
        ) {
            say!("{e}");
            done.failed = true;
            continue;
        }
        done.changed = true;
        let count = |k: FixKind| fixes.iter().filter(|f| f.kind == k).count();
        let parts: Vec<String> = FixKind::ALL
            .iter()
            .filter(|k| count(**k) > 0)
            .map(|k| format!("{} {}", k.name(), count(*k)))
            .collect();
        say!("已修改 {shown}：{} 处（{}）", fixes.len(), parts.join("，"));
        const LISTED: usize = 20;
        for f in fixes.iter().take(LISTED) {
            let (line, col) = issue.source.line_col(f.range.start);
            let typed = &issue.source.text[f.range.clone()];
            if f.kind == FixKind::Space && f.replacement.is_empty() {
                say!("  {line}:{col}  删除空格");
            } else if f.kind == FixKind::Invisible {
                say!("  {line}:{col}  删除看不见的字符");
            } else if f.replacement.is_empty() {
                say!("  {line}:{col}  删除 {typed}");
            } else {
                say!("  {line}:{col}  {typed} → {}", f.replacement);
            }
        }
        if fixes.len() > LISTED {
            say!("  ……还有 {} 处", fixes.len() - LISTED);
        }
    }
    Ok(done)
}

/// Writes the fixed `text` of the issue file at `path` (through a link to
/// the file it names, inside the publication) over the `read` text, only
/// while the file still holds it.
fn write_fixed(
    publication: &Publication,
    path: &Path,
    shown: &str,
    read: &str,
    text: &str,
) -> Result<(), UsageError> {
    use crate::sandbox::{Folder, TEXT_LIMIT, WriteError, human_size};
    // Never larger than jianbao reads: half-width marks become three bytes
    // each, and a file near the limit would grow past it.
    if text.len() as u64 > TEXT_LIMIT {
        return Err(UsageError::new(format!(
            "{shown} 改好后有 {}，超过期刊文件的上限 {}，没有改写",
            human_size(text.len() as u64),
            human_size(TEXT_LIMIT)
        ))
        .help("把这一期拆成几个文件，或者先手工改掉一部分，再运行 jianbao check --fix"));
    }
    let target = path
        .canonicalize()
        .map_err(|e| UsageError::new(format!("无法改写 {shown}: {e}")))?;
    if !target.starts_with(&publication.root) {
        return Err(
            UsageError::new(format!("{shown} 链接到简报文件夹外面，没有改写"))
                .help("把期刊文件放进简报文件夹里，再运行 jianbao check --fix"),
        );
    }
    if std::fs::metadata(&target).is_ok_and(|m| m.permissions().readonly()) {
        return Err(UsageError::new(format!("{shown} 是只读文件，没有改写"))
            .help("如果要改，先去掉只读属性（chmod u+w），再运行 jianbao check --fix"));
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let folder = target.parent().unwrap_or(&publication.root);
    Folder::open(&publication.root, folder)
        .and_then(|folder| folder.replace_if_unchanged(&name, text.as_bytes(), read.as_bytes()))
        .map(|_| ())
        .map_err(|e| match e {
            WriteError::Changed { .. } => UsageError::new(format!(
                "{shown} 在检查之后被改动过（可能是编辑器刚保存了它），没有改写"
            ))
            .help("什么都没有改；编辑器里的改动都在。保存好文件后再运行 jianbao check --fix"),
            e => crate::create::cannot_write(&format!("无法改写 {shown}"), e),
        })
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
    // A line that sums up repeats counts for each of them.
    let count = |error: bool| -> usize {
        diags
            .iter()
            .filter(|d| d.is_error() == error)
            .map(|d| d.sums_up.unwrap_or(1))
            .sum()
    };
    let (errors, warnings) = (count(true), count(false));
    if errors + warnings == 0 {
        say!("检查了 {issues} 期：没有问题");
    } else if errors == 0 && deny_warnings {
        say!("检查了 {issues} 期：0 个错误，{warnings} 个警告（--deny-warnings：警告也算不通过）");
    } else {
        say!("检查了 {issues} 期：{errors} 个错误，{warnings} 个警告");
    }
}

/// How the issues of a build are shown as they are done: a progress bar
/// on a terminal, plain lines elsewhere (a CI log, a file).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: usize,
    done: usize,
}

impl Progress {
    fn new(total: usize) -> Progress {
        let bar = (total > 1 && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} 期  {msg}")
                    .expect("valid template"),
            );
            bar
        });
        Progress {
            bar,
            total,
            done: 0,
        }
    }

    /// Prints a line above the bar.
    fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| say!("{text}")),
            None => say!("{text}"),
        }
    }

    /// Prints a line that is safe as it is (see [`typst_line`]).
    fn safe_line(&self, text: &str) {
        let print = || {
            let _ = writeln!(anstream::stderr().lock(), "{text}");
        };
        match &self.bar {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    /// One issue done; `line` is printed when there is no bar (the bar
    /// shows the count itself).
    fn done(&mut self, line: Option<String>) {
        self.done += 1;
        match (&self.bar, line) {
            (Some(bar), _) => bar.inc(1),
            (None, Some(line)) if self.total > 1 => {
                say!("[{}/{}] {line}", self.done, self.total)
            }
            (None, Some(line)) => say!("{line}"),
            (None, None) => {}
        }
    }
}

fn build(
    publication: &mut Publication,
    queries: &[String],
    options: &BuildOptions,
    shard: Option<Shard>,
    start: &Path,
    output: &OutputArgs,
) -> Result<u8, UsageError> {
    let format = format(output)?;
    let clock = Instant::now();
    let mut selection = publication.select(queries)?;
    if let Some(shard) = shard {
        selection = publication.shard(selection, shard);
    }
    let standard = standard(publication, output.layout.pdf_standard, format);
    publication.check_pictures(&selection, standard);
    let publication = &*publication;
    let mut code = report(&publication.diagnostics(&selection), Format::Human, false);
    let Some(settings) = settings(publication, start, format, &output.layout)? else {
        say!("jianbao.toml 有错误，没有生成 PDF");
        return Ok(EXIT_INPUT);
    };
    let engine = settings.engine(publication)?;
    let Ok(builder) = Builder::with(publication, settings, engine) else {
        say!("jianbao.toml 有错误，没有生成 PDF");
        return Ok(EXIT_INPUT);
    };
    let total = selection.issues.len();
    let mut progress = Progress::new(total);
    let (mut built, mut current, mut failed) = (0, 0, 0);
    let bar = progress.bar.clone();
    let started = |entry: &crate::publication::IssueEntry| {
        if let Some(bar) = &bar {
            bar.set_message(escape_unprintable(&entry.file.id).into_owned());
        }
    };
    let forgotten = builder.build(&selection.issues, options, started, |entry, outcome| {
        let shown = show_path(&entry.file.path);
        let kept_note = |kept: bool| {
            if kept {
                "（原有的 PDF 保持不变）"
            } else {
                ""
            }
        };
        match outcome {
            Outcome::Written {
                pages,
                warnings,
                notes,
                ..
            } => {
                built += 1;
                for w in warnings {
                    progress.safe_line(&typst_line(&shown.to_string(), &w));
                }
                for n in notes {
                    progress.line(&format!("{shown}: note: {n}"));
                }
                let out = publication.output_path(&entry.file.id);
                let mut line = format!("{shown} → {}", archive::written(&out, pages, format));
                if format != archive::Format::Pdf {
                    line += &format!("（{pages} 页）");
                }
                progress.done(Some(line));
            }
            Outcome::UpToDate { path } => {
                current += 1;
                let line = (total == 1).then(|| {
                    format!(
                        "{} 已是最新：{shown} 和它用到的文件都没有改动（要重新生成，加 --force）",
                        show_path(&path)
                    )
                });
                progress.done(line);
            }
            Outcome::HasErrors { kept } => {
                failed += 1;
                code = code.max(EXIT_INPUT);
                progress.line(&format!(
                    "{shown}: 有错误，没有生成 PDF{}",
                    kept_note(kept.is_some())
                ));
                progress.done(None);
            }
            Outcome::Failed { errors, kept } => {
                failed += 1;
                code = code.max(EXIT_INPUT);
                for e in errors {
                    progress.safe_line(&typst_line(&shown.to_string(), &e));
                }
                progress.line(&format!(
                    "{shown}: 没有生成 PDF{}",
                    kept_note(kept.is_some())
                ));
                progress.done(None);
            }
            Outcome::WriteFailed { path, error, kept } => {
                failed += 1;
                code = EXIT_USAGE;
                progress.line(&write_failed(&path, &error, kept).to_string());
                progress.done(None);
            }
        }
    });
    if let Some(bar) = &progress.bar {
        bar.finish_and_clear();
    }
    // Only PDFs that are there are said to be kept (the manifest may list
    // any number of ids, of any spelling); a few by name, the rest counted.
    let kept: Vec<(String, PathBuf)> = forgotten
        .into_iter()
        .filter(|id| crate::sandbox::stays_inside(Path::new(id)))
        .map(|id| {
            let pdf = publication.output_path(&id);
            (id, pdf)
        })
        .filter(|(_, pdf)| crate::sandbox::Stamp::at(pdf).is_some())
        .collect();
    const NAMED: usize = 5;
    for (id, pdf) in kept.iter().take(NAMED) {
        say!(
            "{}: 期刊文件 {} 已经不在了，这个 PDF 不再算作最新（文件保留，不要了可以删掉）",
            show_path(pdf),
            escape_unprintable(id)
        );
    }
    if kept.len() > NAMED {
        say!(
            "……还有 {} 个 PDF 的期刊文件也已经不在了，同样不再算作最新（文件保留）",
            kept.len() - NAMED
        );
    }
    if total != 1 {
        say!(
            "生成 {built} 期，{current} 期已是最新，{failed} 期失败，用时 {:.1} 秒",
            clock.elapsed().as_secs_f64()
        );
    }
    Ok(code)
}

/// A PDF that could not be written, with what to do about it: a folder
/// that cannot be written (its permissions, a read-only disk) says so; a
/// PDF that is there but cannot be replaced is most likely open in a
/// viewer.
fn write_failed(path: &std::path::Path, error: &std::io::Error, kept: bool) -> UsageError {
    let kept = if kept {
        "（原有的 PDF 保持不变）"
    } else {
        ""
    };
    let denied = matches!(
        error.kind(),
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
    ) || matches!(error.raw_os_error(), Some(32 | 33) if cfg!(windows));
    let folder = path.parent().unwrap_or(Path::new("."));
    if denied && let Some(why) = crate::sandbox::unwritable(folder) {
        let folder = show_path(folder);
        return UsageError::new(format!(
            "无法写入 {}：输出文件夹 {folder} 不能写入，{why}{kept}",
            show_path(path)
        ))
        .help(format!(
            "让这个文件夹可以写入（例如 chmod u+rwx {folder}；文件夹属于别的用户时请它的主人或管理员改），或用 --out 文件夹 把 PDF 写到别处"
        ));
    }
    if path.is_dir() {
        return UsageError::new(format!(
            "无法写入 {}：那里是一个同名的文件夹{kept}",
            show_path(path)
        ))
        .help("把这个文件夹移走或改名，或用 --out 文件夹 把 PDF 写到别处");
    }
    let e = UsageError::new(format!("无法写入 {}: {error}{kept}", show_path(path)));
    // A viewer that holds the file open (Windows, or a Windows folder
    // seen from WSL) makes replacing it fail with "permission denied".
    if denied && path.exists() {
        e.help("这个 PDF 可能正在 PDF 阅读器里打开着：关掉它，再运行一次")
    } else if denied {
        e.help("检查是否有权限写这个文件夹")
    } else {
        e
    }
}

/// One of typst's diagnostics: with its own place and source line when it
/// points into a layout, else after the issue's path.
/// Safe to print as it is: a rendered diagnostic shows the input's
/// characters escaped (and carries its own colour codes); anything else is
/// escaped here.
fn typst_line(shown: &str, d: &crate::render::TypstDiagnostic) -> String {
    if d.diagnostic().is_some() {
        d.to_string()
    } else {
        crate::script::escape_unprintable(&format!("{shown}: {d}")).into_owned()
    }
}

fn export(
    publication: &mut Publication,
    query: &str,
    start: &Path,
    dir: &Path,
    layout: &LayoutArgs,
) -> Result<u8, UsageError> {
    let selection = publication.select(&[query.to_string()])?;
    let standard = standard(publication, layout.pdf_standard, archive::Format::Pdf);
    publication.check_pictures(&selection, standard);
    let publication = &*publication;
    let code = report(&publication.diagnostics(&selection), Format::Human, false);
    let entry = &publication.issues[selection.issues[0]];
    let (Some(settings), Some(issue)) = (
        settings(publication, start, archive::Format::Pdf, layout)?,
        entry.issue.as_ref().filter(|_| !entry.has_errors()),
    ) else {
        say!("有错误，没有导出");
        return Ok(EXIT_INPUT.max(code));
    };
    let engine = settings.engine(publication)?;
    let builder = Builder::with(publication, settings, engine)
        .map_err(|_| UsageError::new("jianbao.toml 有错误"))?;
    let shown = show_path(&entry.file.path);
    let (files, _) = match crate::export::project(&builder, issue) {
        Ok(p) => p,
        Err(crate::export::ExportError::Layout(errors)) => {
            for e in &errors {
                let _ = writeln!(anstream::stderr().lock(), "{}", typst_line(&shown, e));
            }
            return Ok(EXIT_INPUT);
        }
        Err(crate::export::ExportError::Folder(e)) => return Err(e),
    };
    let dir = start.join(dir);
    crate::export::write_project(&files, &dir)?;
    let fonts = files.keys().filter(|p| p.starts_with("fonts")).count();
    say!(
        "{shown} → {}（main.typ、issue.json、{} 个其他文件、{fonts} 个字体文件）",
        show_path(&dir),
        files.len() - 2 - fonts
    );
    say!(
        "用 Typst 编译：cd {} && typst compile --font-path fonts --ignore-system-fonts main.typ",
        show_path(&dir)
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
            Some(path) => tell!(
                std::io::stdout(),
                "{}（jianbao.toml [output] layout）",
                escape_unprintable(&path.display().to_string())
            ),
            None => tell!(
                std::io::stdout(),
                "内置版式（`jianbao layout --eject` 把它写到 {LAYOUT_SHOWN}）"
            ),
        }
        return Ok(EXIT_OK);
    }
    let path = publication.root.join(LAYOUT_SHOWN);
    let shown = show_path(&path);
    let written = crate::sandbox::Folder::open(
        &publication.root,
        path.parent().unwrap_or(&publication.root),
    )
    .and_then(|folder| folder.create("bulletin.typ", LAYOUT.as_bytes()));
    match written {
        Ok(_) => {}
        Err(crate::sandbox::WriteError::Exists {
            path: there,
            kind: "文件",
        }) if there.file_name() == path.file_name() => {
            return Err(UsageError::new(format!("{shown} 已经存在，没有覆盖"))
                .help("先把它改名或删掉，再导出内置版式"));
        }
        Err(e) => return Err(crate::create::cannot_write(&format!("无法写入 {shown}"), e)),
    }
    say!("已写出内置版式：{shown}");
    if configured.is_none() {
        say!(
            "要用它，在 jianbao.toml 的 [output] 表里写：layout = \"{LAYOUT_SHOWN}\"（或者 build 时加 --layout {LAYOUT_SHOWN}）"
        );
    }
    say!("版式读到的数据（issue.json）见 README 的“自己的版式”一节");
    Ok(EXIT_OK)
}

/// `jianbao fonts`: the font folders and what is in them, each configured
/// family found or not, then (when every one is found) the font of each
/// role and the characters of the named issues that need a fallback.
fn fonts(start: &std::path::Path, options: &Options, queries: &[String]) -> Result<u8, UsageError> {
    let root = crate::publication::find_root(start)?;
    let mut config_diagnostics = Vec::new();
    let config = crate::config::Config::read(&root, &mut config_diagnostics);
    let font_config = config.as_ref().map(|c| c.fonts.clone()).unwrap_or_default();
    let (survey, skipped) = crate::fonts::Survey::new(
        &font_config,
        &root,
        &options.font_paths,
        options.system_fonts || font_config.system,
    );
    report(&skipped.iter().collect::<Vec<_>>(), Format::Human, false);
    let mut out = std::io::stdout().lock();
    if survey.folders.is_empty() {
        tell!(
            out,
            "没有字体文件夹：只用内置字体（字体文件夹用 [fonts] paths 或 --font-path 指定）"
        );
    }
    let mut missing = Vec::new();
    let mut damaged = Vec::new();
    for (folder, faces) in &survey.folders {
        let from = if folder.from_command_line {
            "--font-path"
        } else {
            "jianbao.toml [fonts] paths"
        };
        let shown = show_path(&folder.path);
        if !folder.exists {
            tell!(out, "字体文件夹 {shown}（{from}）：不存在");
            missing.push(format!("字体文件夹 {shown}"));
            continue;
        }
        if let Some(refusal) = &folder.refused {
            tell!(out, "字体文件夹 {shown}（{from}）：{refusal}，没有读");
            missing.push(format!("字体文件夹 {shown}"));
            continue;
        }
        tell!(
            out,
            "字体文件夹 {shown}（{from}）：{} 种字体，[fonts] 里填引号中的名字",
            faces.len()
        );
        for face in faces {
            tell!(
                out,
                "  {} 粗细 {:<6} {}",
                pad(&format!("\"{}\"", face.family), 28),
                face.style,
                show_path(&face.path)
            );
        }
    }
    if !survey.configured.is_empty() {
        tell!(out, "\njianbao.toml [fonts] 里的字体：");
    }
    for wanted in &survey.configured {
        let name = pad(&format!("\"{}\"", wanted.name), 24);
        match &wanted.found {
            Ok(origin) => {
                tell!(
                    out,
                    "  {:<11} {name} 找到：{}",
                    wanted.role.key(),
                    origin_text(origin)
                );
            }
            Err(_) if !wanted.damaged.is_empty() => {
                let file = &wanted.damaged[0];
                tell!(
                    out,
                    "  {:<11} {name} 在 {} 里，但这个文件不是 typst 能读的字体：{}",
                    wanted.role.key(),
                    show_path(&file.path),
                    file.why
                );
                damaged.push(format!(
                    "{} “{}”（{}）",
                    wanted.role.key(),
                    wanted.name,
                    show_path(&file.path)
                ));
            }
            Err(near) => {
                let near = if near.is_empty() {
                    String::new()
                } else {
                    format!("；相近的有 {}", near.join("、"))
                };
                tell!(out, "  {:<11} {name} 找不到{near}", wanted.role.key());
                missing.push(format!("{} {name}", wanted.role.key()));
            }
        }
    }
    if config.is_none() {
        drop(out);
        report(
            &config_diagnostics.iter().collect::<Vec<_>>(),
            Format::Human,
            false,
        );
        return Ok(EXIT_INPUT);
    }
    if !damaged.is_empty() || !missing.is_empty() {
        drop(out);
        fonts_missing(&damaged, &missing);
        return Ok(EXIT_USAGE);
    }
    let publication = Publication::load(start, options)?;
    let selection = publication.select(queries)?;
    let Some(fonts) = &publication.fonts else {
        return Ok(EXIT_INPUT);
    };
    tell!(out, "\n每个角色依次试用的字体：");
    for role in Role::ALL {
        let (weight, families) = fonts.role(role);
        tell!(out, "{:<11} 粗细 {weight}", role.key());
        for r in families {
            tell!(
                out,
                "  {} {}",
                pad(&r.family, 24),
                origin_text(fonts.origin(r.index))
            );
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
        tell!(out, "\n{}:", show_path(&issue.source.path));
        if fallbacks.is_empty() {
            tell!(out, "  每个字都在它那个角色自己的字体里");
        }
        for f in fallbacks {
            let (line, col) = issue.source.line_col(f.offset);
            tell!(
                out,
                "  {} U+{:04X} {:<10} → {}  （第一次出现在 {line}:{col}）",
                f.c,
                f.c as u32,
                f.role.key(),
                f.family.unwrap_or("（没有字体）")
            );
        }
    }
    Ok(EXIT_OK)
}

/// What `jianbao fonts` says last when configured families are not there:
/// those in a damaged file, then those not found.
fn fonts_missing(damaged: &[String], missing: &[String]) {
    if !damaged.is_empty() {
        say!(
            "{}",
            UsageError::new(format!(
                "{} 的字体文件已损坏或不完整，typst 读不了",
                damaged.join("，")
            ))
            .help(
                "从字体厂商处或原来的电脑重新复制一份完整的字体文件，替换它（常见于没有复制完、下载中断）"
            )
        );
    }
    if !missing.is_empty() {
        say!(
            "{}",
            UsageError::new(format!("找不到 {}", missing.join("，"))).help(
                "字体的名字要和上面列出的一字不差（引号里的）；字体文件放进 [fonts] paths 或 --font-path 的文件夹"
            )
        );
    }
}

/// `text` padded with spaces to `width` terminal columns (a Chinese
/// character takes two).
fn pad(text: &str, width: usize) -> String {
    let used = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(used)))
}

fn origin_text(origin: &Origin) -> String {
    match origin {
        Origin::Embedded => "内置".to_string(),
        Origin::File(p) => show_path(p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_that_cannot_be_replaced_may_be_open_in_a_viewer() {
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("004.pdf");
        std::fs::write(&pdf, b"%PDF").unwrap();
        // What a viewer holding the file open gives on Windows (and on a
        // Windows folder seen from WSL: "Operation not permitted").
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let said = write_failed(&pdf, &denied, true).to_string();
        assert!(
            said.contains("PDF 阅读器里打开着") && said.contains("关掉它"),
            "{said}"
        );
        assert!(said.contains("原有的 PDF 保持不变"), "{said}");
        // No PDF there before: nothing is said to be kept.
        let said = write_failed(&dir.path().join("005.pdf"), &denied, false).to_string();
        assert!(
            !said.contains("原有的 PDF") && !said.contains("阅读器"),
            "{said}"
        );
    }
}
