//! The command line as clap reads it: the options every command takes,
//! one type per command, and usage errors said in Chinese (like every
//! other message). Nothing here loads a publication.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{ArgAction, Parser, Subcommand, ValueEnum};

use crate::config::PdfStandard;
use crate::diagnostic::UsageError;
use crate::publication::Shard;

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
    Init(InitCommand),
    /// 新建下一期的期刊文件（期号、日期、总期号、报送发都填好），打印它的路径
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "jianbao new [增刊]")]
    New {
        /// 不写就是下一期正刊；写 增刊（或 专刊、特刊）就新建下一期增刊，增刊自己编号，不带总期号
        #[arg(value_name = "刊别", help_heading = "参数")]
        edition: Option<String>,
    },
    /// 把 Word 稿（.docx；装了 LibreOffice 时也可以是 .doc、.wps）导入成新的一期，说明每一段认成了什么
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "jianbao import <文件.docx> [--number 期号]")]
    Import(ImportCommand),
    /// 检查期刊，生成 PDF（或 --format 选的 OFD、Word、PNG）到输出文件夹（默认 out/）；没有改动的期不重新生成
    #[command(
        help_template = HELP,
        next_help_heading = "选项",
        override_usage = "jianbao build [期号…] [选项]",
        after_help = "期号可以写 4、2023/4、004、issues/004.md，或一段 3..7、2023/1..12（含两端）。\n增刊、专刊等各自编号：写 增刊1、2023/增刊1、增刊1..3。\n不写期号就生成全部。"
    )]
    Build(BuildCommand),
    /// 检查 jianbao.toml 和期刊文件，报告找到的每一个问题
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "jianbao check [期号…] [选项]")]
    Check(CheckCommand),
    /// 列出字体文件夹里找到的字体（要填进 [fonts] 的准确名字）和每个角色用的字体
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "jianbao fonts [期号…]")]
    Fonts(FontsCommand),
    /// 把一期导出成独立的 Typst 项目（main.typ、issue.json、图片、字体），可以手工微调或用 typst 编译；或导出成 Word 文件（.docx）、OFD 文件（.ofd）
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "jianbao export <期号> <文件夹> [选项]")]
    Export(ExportCommand),
    /// 显示在用的版式；--eject 把内置版式写到 layouts/bulletin.typ，供本单位修改
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "jianbao layout [--eject]")]
    Layout(LayoutCommand),
    /// 每次保存期刊文件、jianbao.toml、图片或版式，就重新生成这一期（Ctrl-C 结束）
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "jianbao watch [期号] [选项]")]
    Watch(WatchCommand),
    /// 在浏览器里编简报：期刊列表、表单、正文、实时页面、粘贴 Word、下载（只在本机 127.0.0.1）
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "jianbao serve [期号] [选项]")]
    Serve(ServeCommand),
}

/// `jianbao init`.
#[derive(Debug, Clone, clap::Args)]
pub struct InitCommand {
    /// 在这个文件夹里新建（没有就创建）；不写就是当前文件夹
    #[arg(value_name = "文件夹", help_heading = "参数")]
    pub folder: Option<PathBuf>,
}

/// `jianbao import`.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportCommand {
    /// 要导入的 Word 文件
    #[arg(value_name = "文件.docx", help_heading = "参数")]
    pub draft: PathBuf,
    /// 新的一期用这个期号（不写：报头上有期号就用它，否则是下一期）
    #[arg(long, value_name = "期号", value_parser = parse_number)]
    pub number: Option<u32>,
}

fn parse_number(s: &str) -> Result<u32, String> {
    s.parse::<u32>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| "要写一个正整数，例如 --number 5".to_string())
}

/// `jianbao build`.
#[derive(Debug, Clone, clap::Args)]
pub struct BuildCommand {
    /// 要生成的期：4、2023/4、增刊1、3..7、2023/1..12；不写就是全部
    #[arg(value_name = "期号", help_heading = "参数")]
    pub issues: Vec<String>,
    /// 全部重新生成，不管有没有改动
    #[arg(long)]
    pub force: bool,
    /// 同时排几期（默认：处理器核数）
    #[arg(long, short = 'j', value_name = "N", value_parser = parse_jobs)]
    pub jobs: Option<NonZeroUsize>,
    /// 只生成第 K 份（共 N 份）：每一期固定分在一份里，N 个 CI 任务正好把全部生成一遍
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// 把 PDF（或页面图片、Word 文件、OFD 文件）写到这个文件夹（没有就创建），不用 jianbao.toml 的输出文件夹；可以在简报文件夹外面
    #[arg(long = "out", value_name = "文件夹")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `jianbao check`.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckCommand {
    /// 要检查的期；不写就是全部
    #[arg(value_name = "期号", help_heading = "参数")]
    pub issues: Vec<String>,
    /// 输出格式：human（给人看，默认）或 json（每个问题一行 JSON，写到标准输出）
    #[arg(long, value_enum, default_value_t = MessageFormat::Human, value_name = "格式",
          hide_default_value = true, hide_possible_values = true)]
    pub format: MessageFormat,
    /// 有警告也算失败（退出状态 1）
    #[arg(long)]
    pub deny_warnings: bool,
    /// 把粘贴来的文字的问题（半角标点、直引号、多余空格、全角数字、看不见的字符）直接改进文件，再检查
    #[arg(long)]
    pub fix: bool,
    /// 按这个 PDF 标准检查图片（默认 jianbao.toml 的 [output] pdf_standard，format 是 PDF 时）：a-1b 不许透明，ua-1 要求图片有说明
    #[arg(long, value_parser = parse_standard, value_name = "标准")]
    pub pdf_standard: Option<PdfStandard>,
}

/// `jianbao fonts`.
#[derive(Debug, Clone, clap::Args)]
pub struct FontsCommand {
    /// 再看这些期里哪些字要用后备字体
    #[arg(value_name = "期号", help_heading = "参数")]
    pub issues: Vec<String>,
}

/// `jianbao export`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportCommand {
    /// 要导出的期
    #[arg(value_name = "期号", help_heading = "参数")]
    pub issue: String,
    /// 放项目的文件夹（新的或空的）；写成 名字.docx 就导出成 Word 文件、名字.ofd 就导出成 OFD 文件（新文件，不覆盖）
    #[arg(value_name = "文件夹", help_heading = "参数")]
    pub folder: PathBuf,
    #[command(flatten)]
    pub layout: LayoutArgs,
}

/// `jianbao layout`.
#[derive(Debug, Clone, clap::Args)]
pub struct LayoutCommand {
    /// 把内置版式写到 layouts/bulletin.typ
    #[arg(long)]
    pub eject: bool,
}

/// `jianbao watch`.
#[derive(Debug, Clone, clap::Args)]
pub struct WatchCommand {
    /// 要看的期；不写就是最新的一期，之后保存哪一期就生成哪一期
    #[arg(value_name = "期号", help_heading = "参数")]
    pub issue: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `jianbao serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeCommand {
    /// 页面打开时显示的那一期；不写就是期刊列表
    #[arg(value_name = "期号", help_heading = "参数")]
    pub issue: Option<String>,
    #[command(flatten)]
    pub layout: LayoutArgs,
    /// 127.0.0.1 上的端口；0（默认）是随便一个空闲的
    #[arg(
        long,
        default_value_t = 0,
        value_name = "端口",
        hide_default_value = true
    )]
    pub port: u16,
}

/// What `build`, `watch` and `serve` write.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// pdf（默认，或 jianbao.toml 的 [output] format）；png：每页一张图片（out/004-1.png …）；docx：Word 文件（out/004.docx，同样的版心和样式，可以在 Word、WPS 里改）；ofd：和 PDF 同样页面的 OFD 文件（out/004.ofd，GB/T 33190）
    #[arg(
        long = "format",
        value_enum,
        value_name = "格式",
        hide_possible_values = true
    )]
    pub format: Option<OutputFormat>,
    /// --format png 的分辨率，每英寸像素数（默认 150）
    #[arg(long, value_parser = parse_ppi, value_name = "PPI")]
    pub ppi: Option<u16>,
    #[command(flatten)]
    pub layout: LayoutArgs,
}

/// The layout and the PDF standard, over jianbao.toml's `[output]`.
#[derive(Debug, Clone, clap::Args)]
pub struct LayoutArgs {
    /// PDF 标准：存档用 a-2b；还有 1.4 … 2.0、a-1b、a-1a、a-2u、a-2a、a-3b、a-3u、a-3a、a-4、a-4f、a-4e、ua-1。只管 PDF：生成或导出 OFD、Word、PNG 时不用它，也不因它拒绝
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
    Docx,
    Ofd,
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
pub enum MessageFormat {
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

/// A usage error from clap, said in Chinese: what is wrong, a suggestion
/// where clap has one, and the command's usage.
pub fn usage_error(e: &clap::Error) -> UsageError {
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
    // What the warnings' helps say, taken for a command of its own.
    if e.kind() == E::InvalidSubcommand && get(K::InvalidSubcommand) == "fix" {
        help.push("改好文件用 jianbao check --fix".to_string());
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
