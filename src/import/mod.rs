//! `jianbao import DRAFT.docx`: a Word draft becomes the next issue file.
//!
//! In order: [`package`] opens the .docx within limits (a zip of XML
//! parts; no DTD, no entity, no path out of the package), [`docx`] reads
//! `word/document.xml` with its styles, [`numbering`] and relationships
//! into paragraphs and tables, [`write`] recognises the masthead, the
//! titles, headings, notes, pictures, tables and the 版记 and writes the
//! lines of the issue, and this file puts the issue file together (the
//! next number as `new` has it, or the masthead's, or `--number`),
//! cleans its text as `check --fix` does, and writes it and its pictures
//! (`images/import-…`), never over anything there. A .doc or .wps goes
//! through LibreOffice first, when it is installed.

mod docx;
mod numbering;
mod package;
mod paste;
mod write;

use std::path::{Path, PathBuf};

use chrono::Datelike;
use sha2::Digest;

use crate::diagnostic::{Diagnostic, UsageError};
use crate::issue::Distribution;
use crate::publication::Publication;
use crate::sandbox::{self, Folder};
use crate::source::{Spanned, show_path};

pub use package::{
    MAX_DEPTH, MAX_ELEMENTS, MAX_ENTRIES, MAX_ENTRY, MAX_FILE, MAX_RATIO, MAX_TOTAL,
};
pub use paste::{PasteBlock, PasteCell, PasteRun};
pub use write::Said;

/// What an import did: the issue file and pictures written, and what
/// became of each paragraph.
#[derive(Debug)]
pub struct Imported {
    pub path: PathBuf,
    pub pictures: Vec<PathBuf>,
    pub said: Vec<Said>,
}

/// Why nothing was written: the Word file's own problem (a diagnostic on
/// it), or one of the publication or the system.
#[derive(Debug)]
pub enum Failure {
    Input(Box<Diagnostic>),
    Usage(UsageError),
}

impl From<UsageError> for Failure {
    fn from(e: UsageError) -> Self {
        Failure::Usage(e)
    }
}

/// Imports `draft` into the publication as a new issue: number `number`
/// if given, else the masthead's, else the next. Nothing is written when
/// anything fails.
pub fn import(
    publication: &Publication,
    draft: &Path,
    number: Option<u32>,
) -> Result<Imported, Failure> {
    let shown = PathBuf::from(show_path(draft));
    let damaged = |d: package::Damage| {
        let diag = Diagnostic::file_error(d.code, &shown, d.message);
        Failure::Input(Box::new(match d.help {
            Some(h) => diag.with_help(h),
            None => diag,
        }))
    };
    let bytes = read_draft(draft, &shown)?;
    let mut pkg = package::Package::open(bytes).map_err(damaged)?;
    let main = main_part(&mut pkg).map_err(damaged)?;
    let document = pkg.xml(&main).map_err(damaged)?.ok_or_else(|| {
        damaged(
            package::Damage::new("docx-no-document", format!("文件里缺少正文 {main}"))
                .help("文件不完整；在 Word 或 WPS 里打开它，另存为 .docx，再导入"),
        )
    })?;
    let (folder, name) = main.rsplit_once('/').unwrap_or(("", &main));
    let styles = match pkg.xml(&format!("{folder}/styles.xml")).map_err(damaged)? {
        Some(root) => docx::Styles::read(&root),
        None => docx::Styles::default(),
    };
    let mut numbering = match pkg
        .xml(&format!("{folder}/numbering.xml"))
        .map_err(damaged)?
    {
        Some(root) => numbering::Numbering::read(&root),
        None => numbering::Numbering::default(),
    };
    let rels = match pkg
        .xml(&format!("{folder}/_rels/{name}.rels"))
        .map_err(damaged)?
    {
        Some(root) => docx::Rels::read_from(&root, folder),
        None => docx::Rels::default(),
    };
    let mut reader = docx::Reader::new(&styles, &mut numbering);
    let blocks = reader.body(&document);
    let met = reader.met;

    let mut plan = crate::create::plan_issue(publication, None)?;
    let mut placer = Placer {
        pkg: &mut pkg,
        rels: &rels,
        root: &publication.root,
        files: Vec::new(),
        fatal: None,
        shown: &shown,
    };
    let draft_issue = write::recognise(&blocks, &mut placer);
    if let Some(fatal) = placer.fatal.take() {
        return Err(Failure::Input(Box::new(fatal)));
    }
    let files = std::mem::take(&mut placer.files);
    let mut said = draft_issue.said;
    said.extend(summary(&met));
    let front = draft_issue.front;

    // An issue dated in another year than this one goes into that year's
    // folder, where the publication has year folders (`check` asks the
    // folder to match the date), numbered on from that year's last.
    if let Some(date) = front.date
        && let Some(year) = plan.dir.file_name().and_then(|n| n.to_str())
        && year.parse::<i32>().is_ok_and(|y| y != date.year())
        && plan.dir.parent() == Some(publication.root.join("issues").as_path())
    {
        plan.dir = publication
            .root
            .join("issues")
            .join(date.year().to_string());
        plan.number = publication
            .issues
            .iter()
            .filter(|e| e.file.path.parent() == Some(plan.dir.as_path()))
            .filter_map(|e| e.issue.as_ref())
            .filter(|i| i.front.edition.as_deref().map_or("", str::trim) == plan.edition)
            .map(|i| i.number().0)
            .max()
            .unwrap_or(0)
            + 1;
    }
    // The number: --number, or the masthead's, or the next.
    let from_masthead = front.number.filter(|_| number.is_none());
    if let Some(n) = number.or(from_masthead) {
        plan.number = n;
    }
    if let Some(taken) = plan.taken(publication, plan.number) {
        let why = if from_masthead.is_some() {
            format!("报头上是第{}期，", plan.number)
        } else {
            String::new()
        };
        return Err(UsageError::new(format!(
            "{why}第 {} 期已经有了（{}），没有导入",
            plan.number,
            show_path(&taken)
        ))
        .help("用 --number 指定另一个期号，例如 jianbao import 文件.docx --number 期号")
        .into());
    }
    if let Some(date) = front.date {
        plan.date = date;
    }
    if front.total.is_some() {
        plan.total = front.total;
    }
    if front.has_distribution() {
        let list = |units: &[String]| -> Vec<Spanned<String>> {
            let mut seen = Vec::new();
            for u in units {
                if !seen.iter().any(|s: &Spanned<String>| &s.value == u) {
                    seen.push(Spanned::new(u.clone(), 0..0));
                }
            }
            seen
        };
        plan.distribution = Distribution {
            bao: list(&front.bao),
            song: list(&front.song),
            fa: list(&front.fa),
            extra: list(&front.extra),
        };
    }
    let config = publication.config.as_ref();
    let mut extra = Vec::new();
    let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
    if let Some(editor) = &front.editor
        && config.is_none_or(|c| c.masthead.editor != *editor)
    {
        extra.push(format!("editor = {}", quoted(editor)));
    }
    if let Some(publisher) = &front.publisher
        && config.is_none_or(|c| c.imprint.publisher != *publisher)
    {
        extra.push(format!("publisher = {}", quoted(publisher)));
    }
    if let Some(copies) = front.copies {
        extra.push(format!("copies = {copies}"));
    }
    if let Some(serial) = &front.serial {
        extra.push(format!("serial = {}", quoted(serial)));
    }
    if let Some(classification) = &front.classification
        && config.is_none_or(|c| c.masthead.classification.as_ref() != Some(classification))
    {
        extra.push(format!("classification = {}", quoted(classification)));
    }
    if let Some(mark) = &front.mark
        && config.is_none_or(|c| c.masthead.mark.as_ref() != Some(mark))
    {
        extra.push(format!("mark = {}", quoted(mark)));
    }
    let mut body = draft_issue.lines.join("\n");
    if body.trim().is_empty() {
        return Err(Failure::Input(Box::new(
            Diagnostic::file_error("docx-empty", &shown, "文件里没有可以导入的正文")
                .with_help("打开它看一看：正文可能全在图片或对象里"),
        )));
    }
    body.push('\n');
    let text = plan.front_matter(&extra) + &body;
    let text = if config.is_none_or(|c| c.clean_text) {
        cleaned(&plan.path(), text)
    } else {
        text
    };

    // An issue file jianbao would refuse to read is not written (a run of
    // 20 MB gave one: the attack review).
    if text.len() as u64 > crate::sandbox::TEXT_LIMIT {
        return Err(UsageError::new(format!(
            "导入的正文有 {} MB，一期的文件最大 {} MB，没有写入",
            text.len() >> 20,
            crate::sandbox::TEXT_LIMIT >> 20
        ))
        .help("把这份稿子分成几期，或删掉不印的部分再导入")
        .into());
    }
    // Written last, and only new files: the pictures, then the issue.
    if plan.path().exists() || std::fs::symlink_metadata(plan.path()).is_ok() {
        return Err(
            UsageError::new(format!("{} 已经存在，没有改动它", show_path(&plan.path())))
                .help("用 --number 指定另一个期号")
                .into(),
        );
    }
    said.extend(already_imported(publication, &text));
    let written = write_pictures(&publication.root, &files)?;
    match crate::create::write_issue(publication, &plan, &text) {
        Ok(path) => Ok(Imported {
            path,
            pictures: written,
            said,
        }),
        Err(e) => {
            for p in &written {
                let _ = std::fs::remove_file(p);
            }
            Err(e.into())
        }
    }
}

/// A clipboard pasted into the clerk's page, as body lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Pasted {
    /// The body lines, each ending with a line break.
    pub text: String,
    /// What was left out or should be looked at (a picture only linked,
    /// a masthead or 版记 not put into the body).
    pub notes: Vec<String>,
    /// The line of `text` (from 1) each note is about, when it is about
    /// one.
    pub note_lines: Vec<Option<usize>>,
}

/// The blocks of a clipboard turned into body lines as a Word draft's
/// body is (`write::recognise`: titles, headings by their text and
/// numbering, bold, tables with merged cells, pictures, notes), and
/// cleaned as `check --fix` cleans when `clean`. `place` saves the
/// picture of a block (its `src`) and gives its path, or why not.
pub fn paste(
    blocks: &[PasteBlock],
    clean: bool,
    place: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Pasted {
    struct Placer<'a, 'b> {
        blocks: &'a [PasteBlock],
        place: &'b mut dyn FnMut(&str) -> Result<String, String>,
    }
    impl write::Pictures for Placer<'_, '_> {
        fn place(&mut self, picture: &write::PictureRef) -> Result<String, String> {
            let src = picture
                .rel
                .strip_prefix(paste::PICTURE_REL)
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| self.blocks.get(i))
                .and_then(|b| match b {
                    PasteBlock::Picture { src, .. } => Some(src.as_str()),
                    _ => None,
                })
                .ok_or_else(|| "粘贴的内容里找不到它".to_string())?;
            // Safari's blob: belongs to the page Word's HTML was made in:
            // no picture reaches us, as with Word's file: links.
            if src
                .get(..5)
                .is_some_and(|s| s.eq_ignore_ascii_case("blob:"))
            {
                return Err(
                    "剪贴板里只有这张图片的临时链接（blob:），没有图片本身：请把图片拖到页面上，或在 Word 里复制图片本身"
                        .into(),
                );
            }
            (self.place)(src)
        }
    }
    let read = paste::blocks(blocks);
    let mut placer = Placer { blocks, place };
    let draft = write::recognise(&read, &mut placer);
    let mut lines = draft.lines;
    let lead = lines.iter().take_while(|l| l.is_empty()).count();
    lines.drain(..lead);
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let mut notes = Vec::new();
    let mut note_lines = Vec::new();
    for s in draft.said.iter().filter(|s| s.warning) {
        if s.index > 0 {
            // The line the editor will show, not the clipboard's paragraph.
            let line = (s.line.saturating_sub(lead) + 1).min(lines.len().max(1));
            notes.push(s.text.clone());
            note_lines.push(Some(line));
        } else {
            notes.push(s.text.clone());
            note_lines.push(None);
        }
    }
    let mut heading_from = 0;
    for b in blocks.iter().filter(|b| paste::unnumbered_subheading(b)) {
        let PasteBlock::Para { runs, .. } = b else {
            continue;
        };
        let heading: String = runs.iter().map(|r| r.text.as_str()).collect();
        let heading = heading.trim();
        notes.push(format!(
            "网页上的小标题“{heading}”没有编号，按加粗的一行粘贴了；如是一级、二级标题，请在前面加上“一、”“（一）”"
        ));
        // The same heading twice (a résumé's `Degree | Date`) is said at
        // each of its lines, in order.
        let at = lines
            .iter()
            .enumerate()
            .skip(heading_from)
            .find(|(_, l)| l.contains(heading))
            .map(|(i, _)| i);
        if let Some(i) = at {
            heading_from = i + 1;
        }
        note_lines.push(at.map(|i| i + 1));
    }
    for (i, line) in lines.iter().enumerate() {
        if let Some(note) = web_chrome(line).or_else(|| odd_number(line)) {
            notes.push(note.to_string());
            note_lines.push(Some(i + 1));
        }
    }
    if draft.front != write::Front::default() {
        notes.push(
            "粘贴的内容里有报头或版记（期号、日期、报送发单位）：没有放进正文，请在左边的表单里填写".into(),
        );
        note_lines.push(None);
    }
    let mut text = lines.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    if clean {
        // Cleaned inside an issue file, as `check --fix` sees the body.
        const FRONT: &str = "+++\nnumber = 1\ndate = 2000-01-01\n+++\n";
        let whole = cleaned(Path::new("issues/paste.md"), format!("{FRONT}{text}"));
        if let Some(body) = whole.strip_prefix(FRONT) {
            text = body.to_string();
        }
    }
    Pasted {
        text,
        notes,
        note_lines,
    }
}

/// A web page's own lines, which the clerk selected with the article but
/// a 简报 never prints: the 来源/发布时间 bar with 【打印】, 分享到, 责任编辑,
/// 阅读原文, a WeChat article's section number (**01**).
fn web_chrome(line: &str) -> Option<&'static str> {
    let plain = line.replace("**", "");
    let t = plain.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    let bar = [
        "【打印】",
        "【关闭】",
        "【字号",
        "【字体",
        "[打印]",
        "[关闭]",
    ]
    .iter()
    .any(|m| t.contains(m))
        || (t.starts_with("来源") && t.contains("发布时间"))
        || t.starts_with("来源 |")
        || t.starts_with("来源｜");
    let share = t.starts_with("分享到") || t.contains("阅读原文") || t.starts_with("扫一扫");
    let editor = ["责任编辑", "编辑 |", "编辑｜", "审核 |"]
        .iter()
        .any(|m| t.contains(m))
        && t.chars().count() <= 40;
    let section = !t.is_empty() && t.len() <= 3 && t.chars().all(|c| c.is_ascii_digit());
    (bar || share || editor || section)
        .then_some("这一行像是网页上的来源、打印、分享或编辑栏（或微信文章的小节编号），简报里一般不要，不要的话请删掉")
}

/// `1）`, `1)` at a line's start: Word's list format, not a 公文 number.
fn odd_number(line: &str) -> Option<&'static str> {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    (digits > 0 && line[digits..].starts_with(['）', ')']))
        .then_some("“1）”这样的序号不是公文的写法：三级标题写“1.”，四级写“（1）”")
}

/// The draft's bytes: a .docx as it is; a .doc or .wps converted by
/// LibreOffice when it is installed.
fn read_draft(draft: &Path, shown: &Path) -> Result<Vec<u8>, Failure> {
    let ext = draft
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let unreadable =
        |r: sandbox::Refusal| Failure::Input(Box::new(crate::diagnostic::unreadable(shown, &r)));
    if matches!(ext.as_str(), "doc" | "wps" | "wpt" | "dot" | "rtf") {
        sandbox::regular_file(draft).map_err(unreadable)?;
        return convert(draft, shown, &ext);
    }
    sandbox::read(draft, MAX_FILE).map_err(|r| match r {
        sandbox::Refusal::TooLarge { .. } => Failure::Input(Box::new(
            Diagnostic::file_error(
                "docx-limit",
                shown,
                format!(
                    "{} 超过 .docx 的上限 {}",
                    shown.display(),
                    sandbox::human_size(MAX_FILE)
                ),
            )
            .with_help(
                "把文档里的大图片压缩一下（Word：图片格式 → 压缩图片），或把文档拆开，再导入",
            ),
        )),
        r => unreadable(r),
    })
}

/// `soffice --headless --convert-to docx` into a temporary folder.
fn convert(draft: &Path, shown: &Path, ext: &str) -> Result<Vec<u8>, Failure> {
    let fail = |message: String| {
        Failure::Input(Box::new(
            Diagnostic::file_error("docx-convert", shown, message).with_help(format!(
                "在 Word 或 WPS 里打开 {}，“另存为” Word 文档（*.docx），再导入 .docx 文件",
                shown.display()
            )),
        ))
    };
    let Some(soffice) = find_program(&["soffice", "libreoffice"]) else {
        return Err(fail(format!(
            ".{ext} 是旧的 Word/WPS 格式，jianbao 只读 .docx；这台电脑上没有 LibreOffice（soffice）可以转换它"
        )));
    };
    let tmp = std::env::temp_dir().join(format!(
        "jianbao-import-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    ));
    std::fs::create_dir_all(&tmp).map_err(|e| fail(format!("无法新建临时文件夹：{e}")))?;
    let result = run_soffice(&soffice, draft, ext, &tmp).map_err(fail);
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

/// How long LibreOffice may take to convert one draft.
const CONVERT_SECONDS: u64 = 120;

/// Converts `draft` with LibreOffice in `tmp`: a copy under a name of
/// jianbao's own (`draft.doc`: a name with a second dot, or starting with
/// `-`, which soffice would read as an option, failed — the attack
/// review), killed after [`CONVERT_SECONDS`] (a soffice that never
/// returns would hold `import` for ever).
fn run_soffice(soffice: &Path, draft: &Path, ext: &str, tmp: &Path) -> Result<Vec<u8>, String> {
    let input = tmp.join(format!("draft.{ext}"));
    std::fs::copy(draft, &input).map_err(|e| format!("无法复制到临时文件夹：{e}"))?;
    let mut child = std::process::Command::new(soffice)
        .arg("--headless")
        .arg(format!(
            "-env:UserInstallation=file://{}/profile",
            tmp.display()
        ))
        .args(["--convert-to", "docx", "--outdir"])
        .arg(tmp)
        .arg(&input)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("无法运行 LibreOffice（{}）：{e}", soffice.display()))?;
    let start = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed().as_secs() >= CONVERT_SECONDS => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "LibreOffice 转换了 {CONVERT_SECONDS} 秒还没完成，已停止"
                ));
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(100)),
            Err(e) => return Err(format!("LibreOffice 运行出错：{e}")),
        }
    }
    let converted = tmp.join("draft.docx");
    if !converted.is_file() {
        return Err("LibreOffice 没能把它转换成 .docx（文件可能已损坏）".to_string());
    }
    sandbox::read(&converted, MAX_FILE)
        .map_err(|r| format!("LibreOffice 转换出来的文件读不了：{r}"))
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in names {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// The main document part, from the package's relationships
/// (`word/document.xml` as Word names it).
fn main_part(pkg: &mut package::Package) -> Result<String, package::Damage> {
    const OFFICE_DOCUMENT: &str = "/officeDocument";
    let mut main = None;
    if let Some(root) = pkg.xml("_rels/.rels")? {
        for e in root.elements() {
            let kind = e.attr("Type").unwrap_or_default();
            if kind.ends_with(OFFICE_DOCUMENT)
                && e.attr("TargetMode") != Some("External")
                && let Some(target) = e.attr("Target")
                && let docx::Target::Part(part) = docx::resolve("", target)
            {
                main = Some(part);
            }
        }
    }
    let main = main.unwrap_or_else(|| "word/document.xml".to_string());
    if pkg.has(&main) {
        return Ok(main);
    }
    let what = if pkg.has("xl/workbook.xml") {
        "这是 Excel 表格文件，不是 Word 文档"
    } else if pkg.has("ppt/presentation.xml") {
        "这是 PowerPoint 演示文稿，不是 Word 文档"
    } else if pkg.has("content.xml") {
        "这是 OpenDocument（.odt/.ods）文件，不是 Word 文档"
    } else {
        "是 zip 压缩包，但里面没有 Word 正文（word/document.xml）"
    };
    Err(package::Damage::new("docx-no-document", what)
        .help("在 Word 或 WPS 里打开原稿，另存为 .docx（Word 文档），再导入"))
}

/// A picture's bytes and the name it gets.
struct PictureFile {
    name: String,
    bytes: Vec<u8>,
}

/// Finds each picture's image in the package and names its file.
struct Placer<'a> {
    pkg: &'a mut package::Package,
    rels: &'a docx::Rels,
    root: &'a Path,
    files: Vec<PictureFile>,
    fatal: Option<Diagnostic>,
    shown: &'a Path,
}

impl write::Pictures for Placer<'_> {
    fn place(&mut self, picture: &write::PictureRef) -> Result<String, String> {
        if self.fatal.is_some() {
            return Err("文件有问题，没有读取".into());
        }
        let target = match self.rels.targets.get(&picture.rel) {
            None => {
                return Err(format!(
                    "文件里找不到它的图片（关系 {} 不存在）",
                    picture.rel
                ));
            }
            Some(docx::Target::External(url)) => {
                return Err(format!(
                    "是链接到外部的图片（{url}），没有去读取；请在 Word 里把图片插入文档"
                ));
            }
            Some(docx::Target::Outside(path)) => {
                self.fatal = Some(
                    Diagnostic::file_error(
                        "docx-path",
                        self.shown,
                        format!(
                            "第 {} 段的图片指向压缩包外面的路径 {path}：正常的 Word 文件不会这样，没有导入",
                            picture.index
                        ),
                    )
                    .with_help("在 Word 里打开原稿，重新插入图片，另存为 .docx，再导入"),
                );
                return Err("路径在文件外面".into());
            }
            Some(docx::Target::Part(part)) => part.clone(),
        };
        let bytes = match self.pkg.read(&target) {
            Ok(Some(b)) => b,
            Ok(None) if self.rels.absolute.contains(&picture.rel) => {
                self.fatal = Some(
                    Diagnostic::file_error(
                        "docx-path",
                        self.shown,
                        format!(
                            "第 {} 段的图片指向绝对路径 /{target}，文件里没有它：正常的 Word 文件不会这样，没有导入",
                            picture.index
                        ),
                    )
                    .with_help("在 Word 里打开原稿，重新插入图片，另存为 .docx，再导入"),
                );
                return Err("路径在文件外面".into());
            }
            Ok(None) => {
                return Err(format!("文件里缺少图片 {target}"));
            }
            Err(d) => {
                let diag = Diagnostic::file_error(d.code, self.shown, d.message);
                self.fatal = Some(match d.help {
                    Some(h) => diag.with_help(h),
                    None => diag,
                });
                return Err("图片读不出来".into());
            }
        };
        let ext = match &bytes[..bytes.len().min(8)] {
            [0x89, b'P', b'N', b'G', ..] => "png",
            [0xFF, 0xD8, 0xFF, ..] => "jpg",
            [b'G', b'I', b'F', ..] => {
                return Err("是 GIF 图片，jianbao 只用 PNG、JPEG；请另存为 PNG 再插入".into());
            }
            [0xD7, 0xCD, 0xC6, 0x9A, ..]
            | [0x01, 0x00, 0x09, 0x00, ..]
            | [0x01, 0x00, 0x00, 0x00, ..] => {
                return Err("是 Windows 图元文件（WMF/EMF，多半是从 Visio 或 Excel 粘贴的图），jianbao 用不了；请在 Word 里把它另存为 PNG 图片再插入".into());
            }
            [b'B', b'M', ..] => return Err("是 BMP 图片；请另存为 PNG 再插入".into()),
            [b'I', b'I', 42, 0, ..] | [b'M', b'M', 0, 42, ..] => {
                return Err("是 TIFF 图片；请另存为 PNG 或 JPEG 再插入".into());
            }
            _ => return Err(format!("{target} 不是认得的图片格式")),
        };
        // Decoded as `check` will, so that a damaged picture is said here
        // and the issue still builds.
        if let Err(problem) = crate::picture::decode_raster_bytes(&bytes) {
            return Err(format!(
                "图片 {target} 打不开（{problem}）；请在 Word 里换一张再导入"
            ));
        }
        let hash = sha2::Sha256::digest(&bytes);
        let hex: String = hash.iter().take(6).map(|b| format!("{b:02x}")).collect();
        // The same picture twice is one file.
        if let Some(f) = self.files.iter().find(|f| f.bytes == bytes) {
            return Ok(format!("images/{}", f.name));
        }
        let n = self.files.len() + 1;
        let mut name = format!("import-{n}-{hex}.{ext}");
        let mut k = 2;
        // Never over a different file: another name. The same file
        // there already is used as it is.
        loop {
            let at = self.root.join("images").join(&name);
            match std::fs::symlink_metadata(&at) {
                Err(_) => break,
                Ok(m) if m.is_file() && std::fs::read(&at).is_ok_and(|b| b == bytes) => {
                    return Ok(format!("images/{name}"));
                }
                Ok(_) => {
                    name = format!("import-{n}-{hex}-{k}.{ext}");
                    k += 1;
                }
            }
        }
        self.files.push(PictureFile {
            name: name.clone(),
            bytes,
        });
        Ok(format!("images/{name}"))
    }
}

/// Writes the pictures into `images/`, only as new files; on a failure
/// the ones written are removed.
fn write_pictures(root: &Path, files: &[PictureFile]) -> Result<Vec<PathBuf>, UsageError> {
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let images = root.join("images");
    let folder = Folder::open(root, &images)
        .map_err(|e| UsageError::cannot(&format!("无法写入 {}", show_path(&images)), &e))?;
    let mut written = Vec::new();
    for f in files {
        let path = images.join(&f.name);
        if let Err(e) = folder.create(&f.name, &f.bytes) {
            for p in &written {
                let _ = std::fs::remove_file(p);
            }
            return Err(UsageError::cannot(
                &format!("无法写入 {}", show_path(&path)),
                &e,
            ));
        }
        written.push(path);
    }
    Ok(written)
}

/// The issue's text cleaned by the rules `check --fix` applies.
fn cleaned(path: &Path, text: String) -> String {
    let source = crate::source::SourceFile::new(path.to_path_buf(), text);
    let mut diags = Vec::new();
    let parsed = crate::issue::Parsed::parse(String::new(), source.clone(), &mut diags);
    match &parsed.body {
        Some(body) => {
            let fixes = crate::clean::file_fixes(&source.text, body);
            crate::clean::apply(&source.text, &fixes)
        }
        None => source.text.clone(),
    }
}

/// The body of an issue file: what follows its front matter.
fn body_of(text: &str) -> &str {
    let mut marks = text.match_indices("+++");
    match (marks.next(), marks.next()) {
        (Some((0, _)), Some((at, _))) => text[at + 3..].trim_matches(['\n', '\r', ' ']),
        _ => text.trim(),
    }
}

/// Its title: the `# ` lines it starts with.
fn title_of(body: &str) -> Vec<&str> {
    body.lines()
        .skip_while(|l| !l.starts_with("# "))
        .take_while(|l| l.starts_with("# "))
        .collect()
}

/// A warning when an issue of the publication has the text, or the
/// title, of the issue being imported: a draft without a masthead takes
/// the next number, so importing it twice made a second issue without a
/// word (the new-user review).
fn already_imported(publication: &Publication, text: &str) -> Option<Said> {
    let body = body_of(text);
    let title = title_of(body);
    for e in &publication.issues {
        let Ok(theirs) = std::fs::read_to_string(&e.file.path) else {
            continue;
        };
        let their_body = body_of(&theirs);
        let what = if their_body == body {
            "正文"
        } else if !title.is_empty() && title_of(their_body) == title {
            "标题"
        } else {
            continue;
        };
        return Some(Said {
            index: 0,
            text: format!(
                "{} 的{what}和这份稿子的相同：这份稿子可能已经导入过，不要的话删掉新写的这一期",
                show_path(&e.file.path)
            ),
            warning: true,
            line: 0,
        });
    }
    None
}

/// What was met and not kept, said once each with where.
fn summary(met: &docx::Met) -> Vec<Said> {
    let mut out = Vec::new();
    let mut say = |found: &[usize], what: &str| {
        if found.is_empty() {
            return;
        }
        let mut at: Vec<usize> = found.iter().copied().filter(|&i| i > 0).collect();
        at.dedup();
        let places: Vec<String> = at.iter().take(8).map(|i| format!("第{i}段")).collect();
        let more = if at.len() > 8 { "等" } else { "" };
        out.push(Said {
            index: 0,
            text: format!("{what}（{}{more}）", places.join("、")),
            warning: true,
            line: 0,
        });
    };
    say(
        &met.insertions,
        "有修订（插入的文字）：已接受修订，插入的文字保留",
    );
    say(
        &met.deletions,
        "有修订（删除的文字）：已接受修订，删除的文字不要了",
    );
    say(&met.comments, "有批注：批注没有导入");
    say(
        &met.footnotes,
        "有脚注或尾注：注释的文字没有导入，请改写进正文",
    );
    say(
        &met.fields,
        "有域（页码、日期、目录等）：保留了域显示的结果文字",
    );
    say(
        &met.text_boxes,
        "有文本框：框里的文字按阅读顺序放在所在段落后面，请核对位置",
    );
    say(&met.formulas, "有公式：公式没有导入");
    say(
        &met.charts,
        "有图表：图表没有导入，请在 Word 里把它另存为图片再插入",
    );
    say(
        &met.objects,
        "有嵌入的对象（Excel 表、Visio 图等）：没有导入",
    );
    say(
        &met.bullets,
        "有项目符号（●、■ 等）：符号没有导入，文字保留",
    );
    say(&met.external_pictures, "有链接到外部的图片：没有读取");
    out
}
