//! The command line: `jianbao init`, `new`, `import`, `build`, `check`, `fonts`,
//! `export`, `layout`, `watch`, `serve`. [`args`] is what clap reads; each
//! command is a file of its own that calls the library and prints what it
//! says (through [`output`]); this file only hands a run to its command,
//! on a thread pool of its own, and turns a bug into one line.

mod args;
mod build;
mod check;
mod exit;
mod export;
mod fix;
mod fonts;
mod import;
mod init;
mod layout;
mod new;
mod output;
mod progress;
mod serve;
mod settings;
mod watch;

use std::io::Write;
use std::path::PathBuf;

pub use args::Args;

use args::{Color, Command};

use crate::diagnostic::UsageError;
use crate::publication::Options;
use output::say;

pub use exit::{EXIT_INPUT, EXIT_OK, EXIT_USAGE};

/// Parses the command line; help, version and usage errors are printed
/// here (in Chinese) and end the process.
pub fn parse_args() -> Args {
    use clap::{CommandFactory, FromArgMatches};
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
                    say!("{}", args::usage_error(&e));
                    std::process::exit(EXIT_USAGE.into())
                }
            }
        }
    }
}

pub fn run(args: Args) -> u8 {
    // What `anstream` does with the colour codes of every diagnostic.
    anstream::ColorChoice::write_global(match args.color {
        Color::Auto => anstream::ColorChoice::Auto,
        Color::Always => anstream::ColorChoice::Always,
        Color::Never => anstream::ColorChoice::Never,
    });
    match in_thread_pool(|| dispatch(&args)) {
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

/// Hands the run to its command, with the options every command shares.
fn dispatch(args: &Args) -> Result<u8, UsageError> {
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
            Command::Build(build) => build.out.clone(),
            _ => None,
        },
    };
    match &args.command {
        Command::Init(init) => init::run(&start, init, &options),
        Command::New { edition } => new::run(&start, &options, edition.as_deref()),
        Command::Import(command) => import::run(&start, &options, command),
        Command::Build(build) => build::run(&start, &options, build),
        Command::Check(check) => check::run(&start, &options, check),
        Command::Fonts(fonts) => fonts::run(&start, &options, fonts),
        Command::Export(export) => export::run(&start, &options, export),
        Command::Layout(layout) => layout::run(&start, &options, layout),
        Command::Watch(watch) => watch::run(&start, options, watch),
        Command::Serve(serve) => serve::run(&start, options, serve),
    }
}
