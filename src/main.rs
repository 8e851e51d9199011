use std::process::ExitCode;

fn main() -> ExitCode {
    let args = jianbao::cli::Args::parse_or_exit();
    ExitCode::from(jianbao::cli::run(args))
}
