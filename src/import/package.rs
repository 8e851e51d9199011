//! The .docx package read safely: a zip whose entries are read within
//! limits (count, size, compression ratio) and whose XML parts are parsed
//! into small trees within limits (depth, elements), with no DTD and no
//! entity but XML's five and character references. A .docx comes from
//! outside the office (a department's draft, a mail attachment): every
//! number in it is a claim, checked against what is actually read.
//!
//! Why `zip` and `quick-xml`: quick-xml is a streaming pull parser that
//! never reads a DTD nor expands an entity (a `<!DOCTYPE` is an event we
//! refuse, an unknown `&name;` an event we refuse), so a billion-laughs
//! file cannot grow; the tree built from it is ours and bounded. The zip
//! reader gives each entry as a stream, so the bytes inflated are counted
//! as they come, whatever the headers claim. (docx-rs' reader was not
//! used: it fails on valid files Word and WPS write.)

use std::collections::HashMap;
use std::io::Read;

/// The .docx file itself: a 200-page report with photos is 20–40 MB.
pub const MAX_FILE: u64 = 64 * 1024 * 1024;
/// Entries in the zip. Word writes about 15 plus one per picture; a
/// document with 1,000 photos is far past any 简报.
pub const MAX_ENTRIES: usize = 2_000;
/// One entry, inflated: a large photo, or `word/document.xml` of a very
/// long document (a 300-page one is about 10 MB).
pub const MAX_ENTRY: u64 = 64 * 1024 * 1024;
/// All entries read, inflated, together.
pub const MAX_TOTAL: u64 = 256 * 1024 * 1024;
/// Inflated size over compressed size, for entries over [`RATIO_FROM`]:
/// Word's XML deflates 5–30 times, a table of empty cells up to about
/// 100; a zip bomb a thousand times.
pub const MAX_RATIO: u64 = 200;
/// Entries smaller than this are not held to [`MAX_RATIO`] (a few
/// kilobytes of repeated XML may deflate very well and harm no one).
pub const RATIO_FROM: u64 = 1024 * 1024;
/// Nesting of XML elements: Word's deepest (a table in a text box in a
/// table) is about 40.
pub const MAX_DEPTH: usize = 256;
/// Elements in one XML part: a 300-page document has about 500,000.
pub const MAX_ELEMENTS: usize = 2_000_000;
/// Attributes of one element: Word writes a few dozen at most.
pub const MAX_ATTRIBUTES: usize = 1_000;

/// What is wrong with a package, in words for the clerk (the caller adds
/// the file's path), with the error code it is reported under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
}

impl Damage {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            help: None,
        }
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

const RESAVE: &str = "在 Word 或 WPS 里打开它，另存为 .docx，再导入";

/// The package: its entries' names, read on demand within the limits.
pub struct Package {
    archive: zip::ZipArchive<std::io::Cursor<Vec<u8>>>,
    /// Part name (as in the zip, without a leading `/`) → entry index.
    names: HashMap<String, usize>,
    /// Bytes inflated so far.
    total: u64,
}

impl Package {
    /// Opens the bytes of a .docx.
    pub fn open(bytes: Vec<u8>) -> Result<Package, Damage> {
        if !bytes.starts_with(b"PK") {
            let what = if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
                "是旧的 Word 97–2003 格式（.doc）或 WPS 格式，不是 .docx"
            } else if bytes.starts_with(b"{\\rtf") {
                "是 RTF 文件，不是 .docx"
            } else if bytes.starts_with(b"%PDF") {
                "是 PDF 文件，不是 .docx"
            } else {
                "不是 .docx 文件（.docx 是一个 zip 压缩包，这个文件不是）"
            };
            return Err(Damage::new("docx-not-zip", what).help(RESAVE));
        }
        check_directory(&bytes)?;
        let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
            Damage::new(
                "docx-damaged",
                format!("zip 压缩包已损坏，读不出文件目录（{}）", zip_words(&e)),
            )
            .help("文件可能没有下载或复制完整；重新获取它，或在 Word 里打开后另存")
        })?;
        if archive.len() > MAX_ENTRIES {
            return Err(too_many(archive.len()));
        }
        let mut names = HashMap::new();
        let mut archive = archive;
        for i in 0..archive.len() {
            let Ok(file) = archive.by_index_raw(i) else {
                continue;
            };
            if let Ok(name) = file.name() {
                names.insert(name.trim_start_matches('/').to_string(), i);
            }
        }
        Ok(Package {
            archive,
            names,
            total: 0,
        })
    }

    pub fn has(&self, part: &str) -> bool {
        self.names.contains_key(part)
    }

    /// The inflated bytes of `part`, or `None` when the package has none.
    pub fn read(&mut self, part: &str) -> Result<Option<Vec<u8>>, Damage> {
        let Some(&index) = self.names.get(part) else {
            return Ok(None);
        };
        let mut file = self.archive.by_index(index).map_err(|e| match e {
            zip::result::ZipError::UnsupportedArchive(_)
            | zip::result::ZipError::CompressionMethodNotSupported(_) => Damage::new(
                "docx-damaged",
                format!("{part} 用了不支持的压缩方式或加了密（{}）", zip_words(&e)),
            )
            .help("去掉文档的密码保护，在 Word 或 WPS 里另存为 .docx，再导入"),
            _ => Damage::new(
                "docx-damaged",
                format!("zip 压缩包里的 {part} 已损坏（{}）", zip_words(&e)),
            )
            .help(RESAVE),
        })?;
        if file.encrypted() {
            return Err(Damage::new("docx-damaged", format!("{part} 加了密"))
                .help("去掉文档的密码保护（文件 → 信息 → 保护文档），另存为 .docx，再导入"));
        }
        let declared = file.size();
        let compressed = file.compressed_size().max(1);
        if declared > MAX_ENTRY {
            return Err(entry_too_large(part, declared));
        }
        // Never more than the limits allow, whatever the header says.
        let room = MAX_ENTRY.min(MAX_TOTAL - self.total);
        let mut bytes = Vec::with_capacity(declared.min(room) as usize);
        let mut limited = (&mut file).take(room + 1);
        // Read in steps, so that a bomb is stopped early by its ratio.
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let n = limited.read(&mut chunk).map_err(|e| {
                Damage::new(
                    "docx-damaged",
                    format!("zip 压缩包里的 {part} 解压出错（{e}）：文件可能不完整或已损坏"),
                )
                .help(RESAVE)
            })?;
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&chunk[..n]);
            let got = bytes.len() as u64;
            if got > RATIO_FROM && got / compressed > MAX_RATIO {
                return Err(Damage::new(
                    "docx-limit",
                    format!(
                        "{part} 压缩得太厉害（{} 字节解压出超过 {} 字节，超过 {MAX_RATIO} 倍）：这不是正常的 Word 文件（可能是“压缩炸弹”），没有读下去",
                        compressed,
                        got
                    ),
                )
                .help(RESAVE));
            }
            if got > room {
                return Err(if got > MAX_ENTRY {
                    entry_too_large(part, got)
                } else {
                    Damage::new(
                        "docx-limit",
                        format!(
                            "文件里的内容解压后超过 {}，没有读下去",
                            crate::sandbox::human_size(MAX_TOTAL)
                        ),
                    )
                    .help("把文档拆成几个，分别导入")
                });
            }
        }
        self.total += bytes.len() as u64;
        Ok(Some(bytes))
    }

    /// `part` parsed as XML, or `None` when the package has none.
    pub fn xml(&mut self, part: &str) -> Result<Option<Element>, Damage> {
        match self.read(part)? {
            Some(bytes) => parse_xml(part, &bytes).map(Some),
            None => Ok(None),
        }
    }
}

fn too_many(n: usize) -> Damage {
    Damage::new(
        "docx-limit",
        format!("zip 压缩包里有 {n} 个文件，超过上限 {MAX_ENTRIES}：这不是正常的 Word 文件"),
    )
    .help(RESAVE)
}

fn entry_too_large(part: &str, size: u64) -> Damage {
    Damage::new(
        "docx-limit",
        format!(
            "{part} 解压后有 {}，超过单个文件的上限 {}",
            crate::sandbox::human_size(size),
            crate::sandbox::human_size(MAX_ENTRY)
        ),
    )
    .help("把文档里的大图片压缩一下（Word：图片格式 → 压缩图片），或把文档拆开，再导入")
}

/// The zip's end record, read before the zip reader allocates anything
/// for its directory: too many entries is refused here, from the count
/// the record states and from the directory's size (each entry takes at
/// least 46 bytes of it).
fn check_directory(bytes: &[u8]) -> Result<(), Damage> {
    const END: &[u8] = b"PK\x05\x06";
    let from = bytes.len().saturating_sub(22 + 65_535);
    let Some(at) = bytes[from..]
        .windows(4)
        .rposition(|w| w == END)
        .map(|p| from + p)
    else {
        return Err(Damage::new(
            "docx-damaged",
            "zip 压缩包不完整：找不到文件末尾的目录（文件可能没有下载或复制完整）",
        )
        .help("重新获取这个文件，或在 Word 里打开后另存为 .docx"));
    };
    let field = |off: usize, len: usize| -> u64 {
        bytes.get(at + off..at + off + len).map_or(0, |b| {
            b.iter().rev().fold(0u64, |v, &x| v << 8 | u64::from(x))
        })
    };
    let count = field(10, 2);
    let size = field(12, 4);
    if (count != 0xFFFF && count as usize > MAX_ENTRIES) || size / 46 > MAX_ENTRIES as u64 {
        return Err(too_many(if count == 0xFFFF {
            (size / 46) as usize
        } else {
            count as usize
        }));
    }
    Ok(())
}

fn zip_words(e: &zip::result::ZipError) -> String {
    use zip::result::ZipError;
    match e {
        ZipError::Io(io) => io.to_string(),
        ZipError::InvalidArchive(why) => why.to_string(),
        ZipError::UnsupportedArchive(why) => why.to_string(),
        ZipError::CompressionMethodNotSupported(m) => format!("压缩方式 {m}"),
        ZipError::InvalidPassword => "需要密码".to_string(),
        other => other.to_string(),
    }
}

/// The namespaces read; every other is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ns {
    /// WordprocessingML (`w:`), transitional or strict.
    W,
    /// DrawingML main (`a:`).
    A,
    /// Markup compatibility (`mc:`): `AlternateContent`.
    Mc,
    /// VML (`v:`): old pictures and text boxes.
    V,
    /// Package relationships.
    Rel,
    Other,
}

fn ns_of(uri: &[u8]) -> Ns {
    match uri {
        b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        | b"http://purl.oclc.org/ooxml/wordprocessingml/main" => Ns::W,
        b"http://schemas.openxmlformats.org/drawingml/2006/main"
        | b"http://purl.oclc.org/ooxml/drawingml/main" => Ns::A,
        b"http://schemas.openxmlformats.org/markup-compatibility/2006" => Ns::Mc,
        b"urn:schemas-microsoft-com:vml" => Ns::V,
        b"http://schemas.openxmlformats.org/package/2006/relationships" => Ns::Rel,
        _ => Ns::Other,
    }
}

/// An XML element: its namespace and local name, its attributes by local
/// name, and its children.
#[derive(Debug, Clone)]
pub struct Element {
    pub ns: Ns,
    pub name: Box<str>,
    pub attrs: Vec<(Box<str>, Box<str>)>,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone)]
pub enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    pub fn is(&self, ns: Ns, name: &str) -> bool {
        self.ns == ns && &*self.name == name
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| &**k == name)
            .map(|(_, v)| &**v)
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|c| match c {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child `w:name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.is(Ns::W, name))
    }

    /// `w:val` of the child `w:name`.
    pub fn child_val(&self, name: &str) -> Option<&str> {
        self.child(name).and_then(|e| e.attr("val"))
    }

    /// The text of its text children.
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|c| match c {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }

    /// Every descendant element, depth first, in document order.
    pub fn descendants(&self) -> Vec<&Element> {
        let mut out = Vec::new();
        let mut stack: Vec<&Element> = self.elements().collect::<Vec<_>>();
        stack.reverse();
        while let Some(e) = stack.pop() {
            out.push(e);
            let at = stack.len();
            stack.extend(e.elements());
            stack[at..].reverse();
        }
        out
    }
}

/// Parses an XML part into a tree within [`MAX_DEPTH`] and
/// [`MAX_ELEMENTS`]; a DTD, an entity other than XML's own, and XML that
/// is not well-formed are refused with what is wrong and where.
pub fn parse_xml(part: &str, bytes: &[u8]) -> Result<Element, Damage> {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;

    let bad = |what: String| {
        Damage::new("docx-bad-xml", format!("{part} 不是完好的 XML：{what}")).help(RESAVE)
    };
    let mut reader = quick_xml::NsReader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let root_placeholder = Element {
        ns: Ns::Other,
        name: "".into(),
        attrs: Vec::new(),
        children: Vec::new(),
    };
    let mut stack: Vec<Element> = vec![root_placeholder];
    let mut count = 0usize;
    let element =
        |ns: ResolveResult, e: &quick_xml::events::BytesStart| -> Result<Element, String> {
            let ns = match ns {
                ResolveResult::Bound(uri) => ns_of(uri.as_ref()),
                _ => Ns::Other,
            };
            let name = String::from_utf8_lossy(e.local_name().as_ref()).into();
            let mut attrs = Vec::new();
            // Without quick-xml's check for repeated names, which compares
            // each attribute with all before it: 100,000 attributes on one
            // element took 20 s (the attack review); no element of Word's
            // has more than a few dozen.
            for a in e.attributes().with_checks(false) {
                if attrs.len() == MAX_ATTRIBUTES {
                    return Err(format!(
                        "一个元素有 {MAX_ATTRIBUTES} 个以上的属性：这不是正常的 Word 文件"
                    ));
                }
                let a = a.map_err(|e| e.to_string())?;
                let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into();
                let value = a
                    .unescape_value()
                    .map_err(|e| format!("属性值里有不认识的实体或字符（{e}）"))?;
                attrs.push((key, value.into_owned().into_boxed_str()));
            }
            Ok(Element {
                ns,
                name,
                attrs,
                children: Vec::new(),
            })
        };
    loop {
        let at = reader.buffer_position();
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|e| bad(format!("第 {at} 字节附近：{e}")))?;
        match event {
            Event::DocType(_) => {
                return Err(Damage::new(
                    "docx-dtd",
                    format!("{part} 里有文档类型定义（<!DOCTYPE …>）：Word 从不写它，它可以让解析器展开出巨量文字（“十亿笑”攻击），所以不读"),
                )
                .help(RESAVE));
            }
            Event::Start(e) | Event::Empty(e) if stack.len() > MAX_DEPTH => {
                let _ = e;
                return Err(Damage::new(
                    "docx-limit",
                    format!("{part} 的 XML 嵌套超过 {MAX_DEPTH} 层：这不是正常的 Word 文件"),
                )
                .help(RESAVE));
            }
            Event::Start(e) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(too_many_elements(part));
                }
                let el = element(ns, &e).map_err(bad)?;
                stack.push(el);
            }
            Event::Empty(e) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(too_many_elements(part));
                }
                let el = element(ns, &e).map_err(bad)?;
                if let Some(top) = stack.last_mut() {
                    top.children.push(Node::Element(el));
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop().filter(|_| !stack.is_empty()) else {
                    return Err(bad("多了一个结束标记".to_string()));
                };
                if let Some(top) = stack.last_mut() {
                    top.children.push(Node::Element(done));
                }
            }
            Event::Text(t) => {
                let text = t
                    .decode()
                    .map_err(|e| bad(format!("文字不是 UTF-8（{e}）")))?;
                push_text(&mut stack, &text);
            }
            Event::CData(t) => {
                let text = String::from_utf8_lossy(&t).into_owned();
                push_text(&mut stack, &text);
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => match &*r as &[u8] {
                        b"lt" => '<',
                        b"gt" => '>',
                        b"amp" => '&',
                        b"apos" => '\'',
                        b"quot" => '"',
                        other => {
                            return Err(Damage::new(
                                "docx-dtd",
                                format!(
                                    "{part} 用了实体 &{};：Word 从不写它，它要靠文档类型定义展开，所以不读",
                                    String::from_utf8_lossy(other)
                                ),
                            )
                            .help(RESAVE));
                        }
                    },
                    Err(e) => return Err(bad(format!("字符引用不对（{e}）"))),
                };
                push_text(&mut stack, c.encode_utf8(&mut [0; 4]));
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if stack.len() != 1 {
        return Err(bad("文件在中途结束了（缺少结束标记）".to_string()));
    }
    let top = stack.pop().unwrap_or_else(unreachable_root);
    top.children
        .into_iter()
        .find_map(|c| match c {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
        .ok_or_else(|| bad("没有任何元素".to_string()))
}

fn unreachable_root() -> Element {
    Element {
        ns: Ns::Other,
        name: "".into(),
        attrs: Vec::new(),
        children: Vec::new(),
    }
}

fn too_many_elements(part: &str) -> Damage {
    Damage::new(
        "docx-limit",
        format!("{part} 有超过 {MAX_ELEMENTS} 个 XML 元素：文档太大，或不是正常的 Word 文件"),
    )
    .help("把文档拆成几个，分别导入")
}

/// Text goes to the open element; runs of whitespace between elements
/// are kept only where text is (Word's `w:t`), the rest is layout of the
/// XML file.
fn push_text(stack: &mut [Element], text: &str) {
    let Some(top) = stack.last_mut() else { return };
    let keep = matches!(&*top.name, "t" | "delText" | "instrText") || !text.trim().is_empty();
    if !keep {
        return;
    }
    if let Some(Node::Text(last)) = top.children.last_mut() {
        last.push_str(text);
    } else {
        top.children.push(Node::Text(text.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_dtd_and_unknown_entities() {
        let laughs = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">&lol2;</w:document>"#;
        assert_eq!(
            parse_xml("word/document.xml", laughs).unwrap_err().code,
            "docx-dtd"
        );
        let entity = br#"<a>&lol;</a>"#;
        assert_eq!(parse_xml("x.xml", entity).unwrap_err().code, "docx-dtd");
    }

    #[test]
    fn reads_xml_escapes_and_char_refs() {
        let x = br#"<w:t xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">a&amp;b&#x4E00;&lt;</w:t>"#;
        let e = parse_xml("x", x).unwrap();
        assert!(e.is(Ns::W, "t"));
        assert_eq!(e.text(), "a&b一<");
    }

    #[test]
    fn depth_and_truncation_are_errors() {
        let deep = "<a>".repeat(MAX_DEPTH + 5) + &"</a>".repeat(MAX_DEPTH + 5);
        assert_eq!(
            parse_xml("x", deep.as_bytes()).unwrap_err().code,
            "docx-limit"
        );
        let cut = b"<a><b></b>";
        assert_eq!(parse_xml("x", cut).unwrap_err().code, "docx-bad-xml");
        let mismatched = b"<a><b></a>";
        assert_eq!(parse_xml("x", mismatched).unwrap_err().code, "docx-bad-xml");
    }
}
