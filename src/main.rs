use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    jianbao::cli::install_panic_hook();
    let args = jianbao::cli::Args::parse();
    ExitCode::from(jianbao::cli::run(args))
}
