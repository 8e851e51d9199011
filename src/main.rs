use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = jianbao::cli::Args::parse();
    ExitCode::from(jianbao::cli::run(args))
}
