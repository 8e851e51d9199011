//! What can go wrong making a .docx (in a file of its own, which the
//! other files of the folder import: `mod.rs` imports them).

/// Why an issue could not be written as a .docx.
#[derive(Debug)]
pub enum DocxError {
    /// A picture the issue names could not be read (`check` found it
    /// readable; it changed since, or it is an SVG that cannot be drawn).
    Picture { path: String, why: String },
    /// The zip could not be written (in memory: a bug).
    Package(String),
}

impl std::fmt::Display for DocxError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            DocxError::Picture { path, why } => write!(f, "图片 {path} 无法放进 Word 文件：{why}"),
            DocxError::Package(why) => write!(f, "无法生成 Word 文件：{why}"),
        }
    }
}
