//! Exit status: 0 success, 1 the input has errors, 2 usage or environment
//! (a bug too: see `install_panic_hook`).

pub const EXIT_OK: u8 = 0;
pub const EXIT_INPUT: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
