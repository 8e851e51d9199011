//! `jianbao new [增刊]`: the next issue's file (of the edition named), its
//! path on stdout.

use std::path::Path;

use super::exit::EXIT_OK;
use super::output::tell;
use crate::diagnostic::UsageError;
use crate::publication::{Options, Publication};
use crate::source::show_path;

pub fn run(start: &Path, options: &Options, edition: Option<&str>) -> Result<u8, UsageError> {
    // A publication whose issues/ is gone still gets its next issue
    // (made as every folder is: inside the publication).
    if let Ok(root) = crate::publication::find_root(start) {
        let _ = crate::sandbox::Folder::open(&root, &root.join("issues"));
    }
    let publication = Publication::load(start, options)?;
    let path = crate::create::new_issue(&publication, edition)?;
    tell!(std::io::stdout(), "{}", show_path(&path));
    Ok(EXIT_OK)
}
