//! `jianbao.toml`: the publication's settings (masthead, imprint, output
//! folder, fonts), read with every problem reported at its place.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, read_source};
use crate::issue::Distribution;
use crate::source::{SourceFile, Spanned, display_path};
use crate::toml_table::{self, TableReader};

pub const CONFIG_FILE: &str = "jianbao.toml";

/// Settings from `jianbao.toml`, with the defaults of issue-format §2.
#[derive(Debug, Clone)]
pub struct Config {
    pub masthead: Masthead,
    pub imprint: Imprint,
    pub defaults: Distribution,
    /// Output folder, relative to the publication root.
    pub output_dir: PathBuf,
    pub fonts: FontConfig,
    /// `[text] clean`: clean pasted body text before layout (default on).
    pub clean_text: bool,
    /// `[output] pdf_standard`: the PDF standard the PDFs conform to.
    pub pdf_standard: Option<PdfStandard>,
    /// `[output] layout`: the office's own layout, a `.typ` file relative
    /// to the publication root (checked to exist inside it); `None` is the
    /// built-in layout.
    pub layout: Option<PathBuf>,
}

/// A PDF standard typst-pdf 0.15 can enforce, by the name used in
/// jianbao.toml and on the command line (typst's own names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PdfStandard {
    V1_4,
    V1_5,
    V1_6,
    V1_7,
    V2_0,
    A1b,
    A1a,
    A2b,
    A2u,
    A2a,
    A3b,
    A3u,
    A3a,
    A4,
    A4f,
    A4e,
    Ua1,
}

impl PdfStandard {
    pub const ALL: [PdfStandard; 17] = [
        Self::V1_4,
        Self::V1_5,
        Self::V1_6,
        Self::V1_7,
        Self::V2_0,
        Self::A1b,
        Self::A1a,
        Self::A2b,
        Self::A2u,
        Self::A2a,
        Self::A3b,
        Self::A3u,
        Self::A3a,
        Self::A4,
        Self::A4f,
        Self::A4e,
        Self::Ua1,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::V1_4 => "1.4",
            Self::V1_5 => "1.5",
            Self::V1_6 => "1.6",
            Self::V1_7 => "1.7",
            Self::V2_0 => "2.0",
            Self::A1b => "a-1b",
            Self::A1a => "a-1a",
            Self::A2b => "a-2b",
            Self::A2u => "a-2u",
            Self::A2a => "a-2a",
            Self::A3b => "a-3b",
            Self::A3u => "a-3u",
            Self::A3a => "a-3a",
            Self::A4 => "a-4",
            Self::A4f => "a-4f",
            Self::A4e => "a-4e",
            Self::Ua1 => "ua-1",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// PDF/A: device-independent colour only (typst-pdf 0.15 embeds no
    /// CMYK profile, so CMYK ink is refused).
    pub fn is_archival(self) -> bool {
        self.name().starts_with("a-")
    }

    /// The names, for help texts.
    pub fn names() -> String {
        Self::ALL.map(Self::name).join("、")
    }
}

#[derive(Debug, Clone)]
pub struct Masthead {
    pub series: Option<String>,
    pub title: String,
    pub editor: String,
    pub mark: Option<String>,
    pub number_format: String,
}

#[derive(Debug, Clone)]
pub struct Imprint {
    pub publisher: String,
    pub separator: String,
    pub terminator: String,
}

/// `[fonts]`: families tried per role before the embedded default, and
/// folders to load more fonts from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FontConfig {
    pub title: Vec<String>,
    pub body: Vec<String>,
    pub heading: Vec<String>,
    pub subheading: Vec<String>,
    pub song: Vec<String>,
    pub fallback: Vec<String>,
    pub latin: Vec<String>,
    pub paths: Vec<PathBuf>,
}

impl Config {
    /// Reads `jianbao.toml` in the publication folder `root`. Problems go
    /// to `diags`; `None` when there are any.
    pub fn read(root: &Path, diags: &mut Vec<Diagnostic>) -> Option<Config> {
        let path = root.join(CONFIG_FILE);
        let file = read_source(&path, display_path(&path), diags)?;
        parse_config(&file, root, diags)
    }
}

fn parse_config(
    file: &Arc<SourceFile>,
    root: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Option<Config> {
    let (table, recovery) = toml_table::parse(file, &file.text, 0, diags);
    let before = diags.len();
    let mut top =
        TableReader::new(file, 0, "", &table, 0..0).quiet(recovery.broken_keys.iter().cloned());
    // A missing table is reported unless the parser may have lost it.
    let missing_table = |name: &str, example: &str, diags: &mut Vec<Diagnostic>| {
        if !recovery.any_errors {
            diags.push(
                Diagnostic::error("missing-key", file, 0..0, format!("缺少 [{name}] 表"))
                    .with_help(format!("加上\n[{name}]\n{example}")),
            );
        }
    };
    let mut masthead = Masthead {
        series: None,
        title: String::new(),
        editor: String::new(),
        mark: None,
        number_format: "第{number}期".into(),
    };
    match top.table("masthead", "title = \"简报\"", diags) {
        Ok(Some(mut m)) => {
            masthead.series = m.string("series", "\"××市教育局\"", diags).map(|s| s.value);
            masthead.title = m
                .required_string("title", "\"简报\"", diags)
                .map(|s| s.value)
                .unwrap_or_default();
            masthead.editor = m
                .string("editor", "\"办公室\"", diags)
                .map(|s| s.value)
                .unwrap_or_default();
            masthead.mark = m
                .string("mark", "\"内部资料　注意保存\"", diags)
                .map(|s| s.value);
            if let Some(f) = m.string("number_format", "\"第{number}期\"", diags) {
                check_number_format(file, &f, diags);
                masthead.number_format = f.value;
            }
            m.finish(diags);
        }
        Ok(None) => missing_table("masthead", "title = \"简报\"", diags),
        Err(()) => {}
    }
    let mut imprint = Imprint {
        publisher: String::new(),
        separator: "，".into(),
        terminator: "。".into(),
    };
    match top.table("imprint", "publisher = \"××办公室\"", diags) {
        Ok(Some(mut m)) => {
            imprint.publisher = m
                .required_string("publisher", "\"××办公室\"", diags)
                .map(|s| s.value)
                .unwrap_or_default();
            if let Some(s) = m.string("separator", "\"、\"", diags) {
                imprint.separator = s.value;
            }
            if let Some(s) = m.string("terminator", "\"\"", diags) {
                imprint.terminator = s.value;
            }
            m.finish(diags);
        }
        Ok(None) => missing_table("imprint", "publisher = \"××办公室\"", diags),
        Err(()) => {}
    }
    let mut defaults = Distribution::default();
    if let Ok(Some(mut d)) = top.table("defaults", "[defaults.distribution]", diags) {
        if let Ok(Some(mut dist)) = d.table("distribution", "fa = [\"单位\"]", diags) {
            let ex = "[\"单位\"]";
            defaults.bao = dist.strings(&["bao", "报"], ex, diags).unwrap_or_default();
            defaults.song = dist.strings(&["song", "送"], ex, diags).unwrap_or_default();
            defaults.fa = dist.strings(&["fa", "发"], ex, diags).unwrap_or_default();
            dist.finish(diags);
        }
        d.finish(diags);
    }
    let mut output_dir = PathBuf::from("out");
    let mut pdf_standard = None;
    let mut layout = None;
    if let Ok(Some(mut o)) = top.table("output", "dir = \"out\"", diags) {
        if let Some(dir) = o.string("dir", "\"out\"", diags) {
            output_dir = PathBuf::from(dir.value);
        }
        if let Some(s) = o.string("pdf_standard", "\"a-2b\"", diags) {
            pdf_standard = PdfStandard::from_name(&s.value);
            if pdf_standard.is_none() {
                diags.push(
                    Diagnostic::error(
                        "bad-pdf-standard",
                        file,
                        s.span.clone(),
                        format!("不认识的 PDF 标准“{}”", s.value),
                    )
                    .with_help(format!(
                        "长期存档用 \"a-2b\"；可用的有 {}",
                        PdfStandard::names()
                    )),
                );
            }
        }
        if let Some(l) = o.string("layout", "\"layouts/bulletin.typ\"", diags) {
            layout = check_layout(file, root, &l, diags);
        }
        o.finish(diags);
    }
    let mut clean_text = true;
    if let Ok(Some(mut t)) = top.table("text", "clean = true", diags) {
        if let Some(b) = t.bool("clean", "true", diags) {
            clean_text = b.value;
        }
        t.finish(diags);
    }
    let mut fonts = FontConfig::default();
    if let Ok(Some(mut f)) = top.table("fonts", "body = [\"仿宋_GB2312\"]", diags) {
        let ex = "[\"方正小标宋简体\"]";
        let mut get = |key: &'static str| {
            f.strings(&[key], ex, diags)
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.value)
                .collect::<Vec<_>>()
        };
        fonts.title = get("title");
        fonts.body = get("body");
        fonts.heading = get("heading");
        fonts.subheading = get("subheading");
        fonts.song = get("song");
        fonts.fallback = get("fallback");
        fonts.latin = get("latin");
        fonts.paths = get("paths").into_iter().map(PathBuf::from).collect();
        f.finish(diags);
    }
    top.finish(diags);
    (!recovery.any_errors && diags.len() == before).then_some(Config {
        masthead,
        imprint,
        defaults,
        output_dir,
        fonts,
        clean_text,
        pdf_standard,
        layout,
    })
}

/// `[output] layout`: a `.typ` file inside the publication.
fn check_layout(
    file: &Arc<SourceFile>,
    root: &Path,
    layout: &Spanned<String>,
    diags: &mut Vec<Diagnostic>,
) -> Option<PathBuf> {
    let path = PathBuf::from(&layout.value);
    let error = |message: String, help: &str| {
        Diagnostic::error("bad-layout", file, layout.span.clone(), message).with_help(help)
    };
    let inside = root
        .canonicalize()
        .ok()
        .zip(root.join(&path).canonicalize().ok())
        .is_some_and(|(root, real)| real.starts_with(root));
    let problem = if path.extension().is_none_or(|e| e != "typ") {
        Some(error(
            format!("版式文件“{}”不是 .typ 文件", layout.value),
            "版式是 Typst 文件，例如 layout = \"layouts/bulletin.typ\"",
        ))
    } else if !root.join(&path).is_file() {
        Some(error(
            format!("找不到版式文件 {}", layout.value),
            "`jianbao layout --eject` 把内置版式写到 layouts/bulletin.typ，改它即可",
        ))
    } else if path.is_absolute() || !inside {
        Some(error(
            format!("版式文件 {} 不在简报文件夹里", layout.value),
            "把版式放进简报文件夹（例如 layouts/），写相对路径",
        ))
    } else {
        None
    };
    match problem {
        Some(d) => {
            diags.push(d);
            None
        }
        None => Some(path),
    }
}

fn check_number_format(file: &Arc<SourceFile>, f: &Spanned<String>, diags: &mut Vec<Diagnostic>) {
    let mut rest = f.value.as_str();
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        if !matches!(name, "number" | "number_cn" | "year") {
            diags.push(
                Diagnostic::error(
                    "bad-number-format",
                    file,
                    f.span.clone(),
                    format!("number_format 里的 {{{name}}} 不认识"),
                )
                .with_help("可用的有 {number}（4）、{number_cn}（四）、{year}（2022）"),
            );
        }
        rest = &rest[open + close..];
    }
}
