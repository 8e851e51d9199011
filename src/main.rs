use std::process::ExitCode;

// See Cargo.toml: typst's many small allocations.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_arena_eager_commit`, option 4 of mimalloc v2's `mi_option_e`
/// (mimalloc.h; the crate names no constant for it).
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

/// mimalloc commits each arena whole when it reserves it, and then keeps
/// what is freed in it: a long issue's peak memory is a third higher that
/// way (20,000 paragraphs: 490 MB against 360 MB) for no gain in time. The
/// first arena is reserved by the first allocation, before `main`, so this
/// runs as a constructor, before the Rust runtime allocates anything.
extern "C" fn allocator_options() {
    // SAFETY: sets an option of the allocator; any value is valid.
    unsafe { libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0) };
}

#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static ALLOCATOR_OPTIONS: extern "C" fn() = allocator_options;

fn main() -> ExitCode {
    // Where no constructor runs first, later arenas still get the option.
    allocator_options();
    // A bug ends with one line and status 2, never a backtrace; a panic
    // inside a picture or font decoder stays that input's problem.
    jianbao::cmd::install_panic_hook();
    let args = jianbao::cmd::parse_args();
    ExitCode::from(jianbao::cmd::run(args))
}
