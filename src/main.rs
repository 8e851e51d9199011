use std::process::ExitCode;

// See Cargo.toml: typst's many small allocations.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = jianbao::cli::Args::parse_or_exit();
    ExitCode::from(jianbao::cli::run(args))
}
