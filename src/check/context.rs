//! What the rules need besides the issue itself (a file of its own so
//! that the rules' files share it without importing `check/mod.rs`).

use std::path::Path;

use chrono::NaiveDate;

use crate::fonts::Fonts;

/// What the rules need besides the issue itself.
pub struct Context<'a> {
    /// The publication folder: pictures must be inside it.
    pub root: &'a Path,
    /// The fonts of the build; `None` skips the "no font can print" rule.
    pub fonts: Option<&'a Fonts>,
    pub today: NaiveDate,
    /// Whether body text is cleaned before layout (`[text] clean`): then
    /// what the cleaner changes is reported.
    pub clean: bool,
}
