//! `jianbao.toml`: the publication's settings (masthead, imprint, output
//! folder, fonts), read with every problem reported at its place.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, read_source};
use crate::issue::{Distribution, Field, Printed, TableStyle};
use crate::source::{SourceFile, Spanned, display_path};
use crate::toml_table::{self, TableReader};

pub const CONFIG_FILE: &str = "jianbao.toml";

/// Settings from `jianbao.toml`, with the defaults of docs/publication.md.
#[derive(Debug, Clone)]
pub struct Config {
    pub masthead: Masthead,
    pub imprint: Imprint,
    pub defaults: Distribution,
    /// Output folder, relative to the publication root.
    pub output_dir: PathBuf,
    /// Where `[output] dir` is written, when it is (for the error of an
    /// output folder that holds a picture an issue uses).
    pub output_dir_span: Option<crate::source::Span>,
    pub fonts: FontConfig,
    /// `[text] clean`: clean pasted body text before layout (default on).
    pub clean_text: bool,
    /// The file, for the checks of the printed strings.
    pub source: Arc<SourceFile>,
    /// The strings that are printed (masthead, imprint) with their places.
    pub printed: Vec<Printed>,
    /// `[output] pdf_standard`: the PDF standard the PDFs conform to.
    pub pdf_standard: Option<PdfStandard>,
    /// `[output] format`: what `build` (and `watch`, `serve`) write when
    /// the command line names no `--format`; `None` is PDF.
    pub format: Option<OutputFormat>,
    /// `[output] layout`: the office's own layout, a `.typ` file relative
    /// to the publication root (checked to exist inside it); `None` is the
    /// built-in layout.
    pub layout: Option<PathBuf>,
    /// `[table]`: how tables are set unless a table asks otherwise.
    pub table: TableConfig,
}

/// `[table]`: the publication's defaults for tables.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableConfig {
    /// `style = "grid"` (every cell ruled, the default) or
    /// `"three-line"` (三线表); a table's `{三线表}` / `{style=grid}`
    /// overrides it.
    pub style: TableStyle,
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

/// `[output] format`: the names `--format` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Pdf,
    Png,
    Docx,
    Ofd,
}

impl OutputFormat {
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "pdf" => Some(Self::Pdf),
            "png" => Some(Self::Png),
            "docx" => Some(Self::Docx),
            "ofd" => Some(Self::Ofd),
            _ => None,
        }
    }
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

    /// Forbids transparency: PDF/A-1 (a picture with an alpha channel is
    /// refused by typst's PDF writer).
    pub fn forbids_transparency(self) -> bool {
        matches!(self, Self::A1b | Self::A1a)
    }

    /// Needs alternative text for every picture (its caption is the alt
    /// text the layout gives it): the accessible levels PDF/A-1a, -2a,
    /// -3a and PDF/UA-1, as typst's PDF writer validates them.
    pub fn needs_alt_text(self) -> bool {
        matches!(self, Self::A1a | Self::A2a | Self::A3a | Self::Ua1)
    }

    /// The standard's name in a message: `PDF/A-1b`, `PDF/UA-1`, `PDF 1.7`.
    pub fn title(self) -> String {
        match self.name().split_once('-') {
            Some((family, level)) => format!("PDF/{}-{level}", family.to_uppercase()),
            None => format!("PDF {}", self.name()),
        }
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
    /// 密级, top right (an issue may set its own).
    pub classification: Option<String>,
    /// Where （总第N期） stands.
    pub total: TotalPlacement,
    /// A 本期要目 under the masthead when an issue has two or more articles.
    pub contents: bool,
}

/// Where the cumulative number （总第N期） is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotalPlacement {
    /// On the number line: 第4期（总第16期）.
    Inline,
    /// On a line of its own below the number.
    Below,
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
    /// Folders inside the publication to load font files from.
    pub paths: Vec<PathBuf>,
    /// `[fonts] system = true`: the system's fonts may be used too
    /// (like `--system-fonts`); by default only the embedded fonts and
    /// the folders named are.
    pub system: bool,
}

impl Config {
    /// Reads `jianbao.toml` in the publication folder `root`. Problems go
    /// to `diags`; `None` when there are any.
    pub fn read(root: &Path, diags: &mut Vec<Diagnostic>) -> Option<Config> {
        let path = root.join(CONFIG_FILE);
        let file = read_source(root, &path, display_path(&path), diags)?;
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
        classification: None,
        total: TotalPlacement::Inline,
        contents: true,
    };
    let mut printed: Vec<Printed> = Vec::new();
    let mut keep = |field: Field, s: Option<Spanned<String>>| {
        if let Some(s) = &s {
            printed.push((field, s.clone()));
        }
        s.map(|s| s.value)
    };
    match top.table("masthead", "title = \"简报\"", diags) {
        Ok(Some(mut m)) => {
            let series = m.string("series", "\"××市教育局\"", diags);
            let title = m.required_string("title", "\"简报\"", diags);
            // The series line (2号) may take two lines, the name (初号) one.
            for (value, most, what) in [
                (&series, 40.0, "series（报头上方的红字）"),
                (&title, 10.0, "title（简报名称）"),
            ] {
                if let Some(v) = value
                    && crate::script::ems(&v.value) > most
                {
                    diags.push(
                        Diagnostic::error(
                            "masthead-too-long",
                            file,
                            v.span.clone(),
                            format!("{what}太长，报头放不下"),
                        )
                        .with_help(format!("最多约 {most} 个字：写简称")),
                    );
                }
            }
            masthead.series = keep(Field::Series, series);
            masthead.title = keep(Field::Title, title).unwrap_or_default();
            masthead.editor =
                keep(Field::Editor, m.string("editor", "\"办公室\"", diags)).unwrap_or_default();
            masthead.mark = keep(
                Field::Mark,
                m.string("mark", "\"内部资料　注意保存\"", diags),
            );
            if let Some(f) = m.string("number_format", "\"第{number}期\"", diags) {
                check_number_format(file, &f, diags);
                masthead.number_format = keep(Field::NumberFormat, Some(f)).unwrap_or_default();
            }
            masthead.classification = keep(
                Field::Classification,
                m.string("classification", "\"秘密\"", diags),
            );
            if let Some(t) = m.string("total", "\"inline\"", diags) {
                match t.value.as_str() {
                    "inline" => masthead.total = TotalPlacement::Inline,
                    "below" => masthead.total = TotalPlacement::Below,
                    other => diags.push(
                        Diagnostic::error(
                            "bad-value",
                            file,
                            t.span,
                            format!("total = \"{other}\" 不认识"),
                        )
                        .with_help("写 total = \"inline\"（总期号和期号同一行）或 total = \"below\"（另起一行）"),
                    ),
                }
            }
            if let Some(b) = m.bool("contents", "false", diags) {
                masthead.contents = b.value;
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
            imprint.publisher = keep(
                Field::Publisher,
                m.required_string("publisher", "\"××办公室\"", diags),
            )
            .unwrap_or_default();
            if let Some(s) = keep(Field::Separator, m.string("separator", "\"、\"", diags)) {
                imprint.separator = s;
            }
            if let Some(s) = keep(Field::Terminator, m.string("terminator", "\"\"", diags)) {
                imprint.terminator = s;
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
    let mut output_dir_span = None;
    let mut pdf_standard = None;
    let mut format = None;
    let mut layout = None;
    if let Ok(Some(mut o)) = top.table("output", "dir = \"out\"", diags) {
        if let Some(dir) = o.string("dir", "\"out\"", diags) {
            if crate::sandbox::stays_inside(Path::new(&dir.value)) {
                output_dir = PathBuf::from(dir.value);
                output_dir_span = Some(dir.span);
            } else {
                diags.push(
                    Diagnostic::error(
                        "output-outside",
                        file,
                        dir.span,
                        format!("输出文件夹 {} 不在简报文件夹里", dir.value),
                    )
                    .with_help("写简报文件夹里的相对路径，例如 dir = \"out\"；要写到别处，在命令行用 jianbao build --out 文件夹"),
                );
            }
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
        if let Some(f) = o.string("format", "\"pdf\"", diags) {
            format = OutputFormat::from_name(&f.value);
            if format.is_none() {
                diags.push(
                    Diagnostic::error(
                        "bad-output-format",
                        file,
                        f.span.clone(),
                        format!("不认识的输出格式“{}”", f.value),
                    )
                    .with_help("可用的有 \"pdf\"（默认）、\"png\"、\"docx\"、\"ofd\""),
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
    let mut table_config = TableConfig::default();
    if let Ok(Some(mut t)) = top.table("table", "style = \"three-line\"", diags) {
        if let Some(s) = t.string("style", "\"three-line\"", diags) {
            match TableStyle::from_name(&s.value) {
                Some(style) => table_config.style = style,
                None => diags.push(
                    Diagnostic::error(
                        "bad-value",
                        file,
                        s.span,
                        format!("style = \"{}\" 不认识", s.value),
                    )
                    .with_help("写 style = \"grid\"（表格每一格都画线，默认）或 style = \"three-line\"（三线表）"),
                ),
            }
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
        for dir in f
            .strings(&["paths"], "[\"fonts\"]", diags)
            .unwrap_or_default()
        {
            if crate::sandbox::stays_inside(Path::new(&dir.value)) {
                fonts.paths.push(PathBuf::from(dir.value));
            } else {
                diags.push(
                    Diagnostic::error(
                        "font-path-outside",
                        file,
                        dir.span,
                        format!("字体文件夹 {} 不在简报文件夹里", dir.value),
                    )
                    .with_help("把字体放进简报文件夹（例如 fonts/），写 paths = [\"fonts\"]；要用别处的字体，在命令行用 --font-path 文件夹，或用 --system-fonts 使用系统字体"),
                );
            }
        }
        if let Some(b) = f.bool("system", "true", diags) {
            fonts.system = b.value;
        }
        f.finish(diags);
    }
    top.finish(diags);
    if let Some(span) = &output_dir_span {
        // Folders of what jianbao reads, which the output folder must
        // neither be, nor hold, nor be inside.
        let inputs = [(PathBuf::from("issues"), "期刊文件夹")]
            .into_iter()
            .chain(layout.iter().map(|l| {
                (
                    l.parent().unwrap_or(Path::new("")).to_path_buf(),
                    "版式文件夹",
                )
            }))
            .chain(fonts.paths.iter().map(|f| (f.clone(), "字体文件夹")));
        let mut used = None;
        if is_publication_folder(&output_dir) {
            used = Some(format!(
                "输出文件夹 \"{}\" 是简报文件夹本身：生成的 PDF 和页面图片会和 jianbao.toml、期刊文件、图片放在一起，可能覆盖它们",
                output_dir.display()
            ));
        }
        // (A layout or font folder that is the publication folder itself
        // holds every output folder: only its own files are read there.)
        for (input, what) in inputs.filter(|(input, _)| !is_publication_folder(input)) {
            let folder = shown_folder(&input);
            let how = match (holds(&output_dir, &input), holds(&input, &output_dir)) {
                (true, true) => format!("就是{what} {folder}"),
                (false, true) => format!("在{what} {folder} 里面"),
                (true, false) => format!("包含{what} {folder}"),
                (false, false) => continue,
            };
            if used.is_none() {
                used = Some(format!(
                    "输出文件夹 {} {how}：生成的 PDF 和页面图片会和 jianbao 要读的文件混在一起",
                    shown_folder(&output_dir),
                ));
            }
        }
        if let Some(used) = used {
            diags.push(output_in_use(file, span.clone(), used));
        }
    }
    (!recovery.any_errors && diags.len() == before).then_some(Config {
        masthead,
        imprint,
        defaults,
        output_dir,
        output_dir_span,
        fonts,
        clean_text,
        source: file.clone(),
        printed,
        pdf_standard,
        format,
        layout,
        table: table_config,
    })
}

/// Whether the output folder `dir` (relative to the publication, staying
/// inside it) is the publication folder itself.
fn is_publication_folder(dir: &Path) -> bool {
    crate::sandbox::normalise(dir).as_os_str().is_empty()
}

/// Whether the output folder `dir` holds `input` (a folder or file, both
/// relative to the publication): is it, or a folder above it. Compared
/// without regard to ASCII case, as Windows and macOS find files.
pub fn holds(dir: &Path, input: &Path) -> bool {
    let words = |p: &Path| -> Vec<String> {
        crate::sandbox::normalise(p)
            .iter()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .collect()
    };
    words(input).starts_with(&words(dir))
}

/// `images/` as a folder is written in messages (`简报文件夹` for the
/// publication folder).
fn shown_folder(dir: &Path) -> String {
    let dir = crate::sandbox::normalise(dir);
    if dir.as_os_str().is_empty() {
        "简报文件夹".into()
    } else {
        format!("{}/", dir.display())
    }
}

/// `output-in-use`: `[output] dir` names a folder that holds (or is
/// held by) what jianbao reads, whose files a build could write over;
/// `problem` says which.
pub fn output_in_use(
    file: &Arc<SourceFile>,
    span: crate::source::Span,
    problem: String,
) -> Diagnostic {
    Diagnostic::error("output-in-use", file, span, problem)
        .with_help("输出要放在一个只放输出的文件夹里：写 dir = \"out\"（或另一个新文件夹的名字，不要和期刊、图片、版式、字体放在一起）")
}

/// `output-in-use` for a picture an issue uses (`picture`, in `issue`)
/// that the output folder `dir` holds.
pub fn output_holds_picture(
    file: &Arc<SourceFile>,
    span: crate::source::Span,
    dir: &Path,
    issue: &str,
    picture: &str,
) -> Diagnostic {
    output_in_use(
        file,
        span,
        format!(
            "输出文件夹 {} 里有期刊用的图片（{issue} 用的 {picture}）：生成的页面图片可能覆盖它",
            shown_folder(dir)
        ),
    )
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
    // Links that lead out are refused like every other input's.
    let inside = root
        .canonicalize()
        .is_ok_and(|root| crate::sandbox::inside(&root, &root.join(&path)).is_ok());
    let problem =
        if let Some((message, help)) = layout_file_problem(&root.join(&path), &layout.value) {
            Some(error(message, help))
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

/// What is wrong with the layout file at `path` (written `shown`), if
/// anything: the message and its help. Not a `.typ` file; not there; or
/// there but no regular file (a folder, a FIFO, a device: said as such,
/// never "not found"). Whether it is inside the publication is the
/// caller's question.
pub fn layout_file_problem(path: &Path, shown: &str) -> Option<(String, &'static str)> {
    use crate::sandbox::Refusal;
    let shown = crate::script::escape_unprintable(shown);
    // What the path is (a folder, a device) comes before what it is named.
    match crate::sandbox::regular_file(path) {
        Ok(()) if path.extension().is_none_or(|e| e != "typ") => Some((
            format!("版式文件“{shown}”不是 .typ 文件"),
            "版式是 Typst 文件，例如 layout = \"layouts/bulletin.typ\"",
        )),
        Ok(()) => None,
        Err(Refusal::Missing) => Some((
            format!("找不到版式文件 {shown}"),
            "`jianbao layout --eject` 把内置版式写到 layouts/bulletin.typ，改它即可",
        )),
        Err(refusal) => Some((
            format!("版式文件 {shown} {refusal}"),
            "版式要是一个普通的 .typ 文本文件（不是文件夹、管道或设备）",
        )),
    }
}

fn check_number_format(file: &Arc<SourceFile>, f: &Spanned<String>, diags: &mut Vec<Diagnostic>) {
    let error = |message: String, help: &str| {
        Diagnostic::error("bad-number-format", file, f.span.clone(), message).with_help(help)
    };
    const NAMES: &str = "可用的有 {number}（4）、{number_cn}（四）、{year}（2022）、{edition}（增刊、专刊，正刊为空）";
    let mut rest = f.value.as_str();
    let mut numbered = false;
    loop {
        let open = rest.find('{');
        // A `}` before any `{` opens nothing.
        if rest[..open.unwrap_or(rest.len())].contains('}') {
            diags.push(error(
                "number_format 里有多余的“}”".into(),
                "占位符写成 {number} 这样一对花括号；去掉多余的“}”",
            ));
            return;
        }
        let Some(open) = open else { break };
        let Some(close) = rest[open..].find('}') else {
            diags.push(error(
                "number_format 里的“{”没有配对的“}”".into(),
                "占位符写成 {number} 这样一对花括号",
            ));
            return;
        };
        let name = &rest[open + 1..open + close];
        match name {
            "number" | "number_cn" => numbered = true,
            "year" | "edition" => {}
            _ => {
                diags.push(error(
                    format!("number_format 里的 {{{name}}} 不认识"),
                    NAMES,
                ));
                return;
            }
        }
        rest = &rest[open + close + 1..];
    }
    if !numbered {
        diags.push(error(
            "number_format 里没有期号：报头会印不出第几期".into(),
            "加上 {number}（4）或 {number_cn}（四），例如 number_format = \"第{number}期\"",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The configuration of `toml` (with the required tables in front),
    /// and the codes of its diagnostics.
    fn read(extra: &str) -> (Option<Config>, Vec<&'static str>) {
        let text =
            format!("[masthead]\ntitle = \"简报\"\n[imprint]\npublisher = \"办公室\"\n{extra}");
        let file = SourceFile::new(PathBuf::from(CONFIG_FILE), text);
        let mut diags = Vec::new();
        let config = parse_config(&file, Path::new("."), &mut diags);
        (config, diags.iter().map(|d| d.code).collect())
    }

    #[test]
    fn an_output_folder_must_hold_nothing_jianbao_reads() {
        for dir in [
            "",
            ".",
            "./",
            "issues",
            "Issues/2023",
            "fonts",
            "fonts/out",
            "a/..",
        ] {
            let (_, codes) = read(&format!(
                "[output]\ndir = \"{dir}\"\n[fonts]\npaths = [\"fonts\"]\n"
            ));
            assert_eq!(codes, ["output-in-use"], "{dir:?}");
        }
        // A font folder that is the publication folder holds every folder:
        // only its own files are read there.
        for dir in ["out", "out/png", "pdf"] {
            let (config, codes) = read(&format!(
                "[output]\ndir = \"{dir}\"\n[fonts]\npaths = [\".\"]\n"
            ));
            assert!(codes.is_empty() && config.is_some(), "{dir:?}: {codes:?}");
        }
    }

    #[test]
    fn table_style_is_grid_unless_set() {
        let (config, codes) = read("");
        assert!(codes.is_empty(), "{codes:?}");
        assert_eq!(config.unwrap().table.style, TableStyle::Grid);
        let (config, _) = read("[table]\nstyle = \"three-line\"\n");
        assert_eq!(config.unwrap().table.style, TableStyle::ThreeLine);
        let (config, codes) = read("[table]\nstyle = \"三线\"\n");
        assert!(config.is_none());
        assert_eq!(codes, ["bad-value"]);
        let (_, codes) = read("[table]\nstlye = \"grid\"\n");
        assert_eq!(codes, ["unknown-key"]);
    }
}
