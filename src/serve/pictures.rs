//! Pictures the page sends (dropped, pasted, or inside a pasted clipboard
//! as `data:` URLs): identified by their bytes and decoded as `check`
//! decodes them, saved under `images/` with a safe name, never over a
//! file there; the same bytes saved before give the same path.

use std::path::Path;

use crate::picture::PictureFormat;
use crate::sandbox::{self, Folder};

/// The largest picture taken (the contract's 20 MB).
pub const PICTURE_LIMIT: usize = 20 * 1024 * 1024;
/// Characters of the name kept from the original.
const NAME_CHARS: usize = 40;

/// A picture saved (or found saved already).
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    /// Relative to the publication, `/`-separated: `images/会议.jpg`.
    pub path: String,
    /// Its line for the body: `![会议](images/会议.jpg)`.
    pub line: String,
}

/// Why a picture was not saved: a status, what, and what to do.
#[derive(Debug, PartialEq)]
pub struct NotSaved(pub u16, pub String, pub String);

/// Saves `bytes` (from a file called `original` on the clerk's computer)
/// under `images/`.
pub fn save(root: &Path, original: &str, bytes: &[u8]) -> Result<Saved, NotSaved> {
    if bytes.len() > PICTURE_LIMIT {
        return Err(NotSaved(
            413,
            format!("图片有 {}，太大了", sandbox::human_size(bytes.len() as u64)),
            format!(
                "一张图片最大 {}；先压缩一下（另存为 JPEG）再放进来",
                sandbox::human_size(PICTURE_LIMIT as u64)
            ),
        ));
    }
    let format = crate::picture::decode_bytes(bytes).map_err(|problem| {
        let (error, help) = match PictureFormat::from_bytes(bytes) {
            None => (
                format!("“{}”不是 PNG、JPEG 或 SVG 图片", shown(original)),
                "jianbao 只用 PNG、JPEG 和 SVG 图片；GIF、BMP、TIFF、WebP 请先另存为 PNG 或 JPEG"
                    .to_string(),
            ),
            Some(_) => (
                format!("图片“{}”打不开：{problem}", shown(original)),
                problem.help(),
            ),
        };
        NotSaved(415, error, help)
    })?;
    if format == PictureFormat::Svg && runs_something(bytes) {
        return Err(NotSaved(
            415,
            format!(
                "图片“{}”里有脚本（script 或 on… 事件），没有保存",
                shown(original)
            ),
            "简报的图片用不着脚本：把它另存为 PNG，或在绘图软件里导出一份不带脚本的 SVG"
                .to_string(),
        ));
    }
    let ext = match format {
        PictureFormat::Png => "png",
        PictureFormat::Jpeg => "jpg",
        PictureFormat::Svg => "svg",
    };
    let stem = safe_stem(original);
    let images = root.join("images");
    let cannot = |e: sandbox::Error| {
        NotSaved(
            500,
            format!("无法写入 images/：{e}"),
            e.help()
                .unwrap_or("看看简报文件夹里的 images/ 能不能写入")
                .to_string(),
        )
    };
    // The same bytes saved already: that file.
    for (path, kind) in sandbox::list_dir(&images).unwrap_or_default() {
        if kind.is_file()
            && std::fs::metadata(&path).is_ok_and(|m| m.len() == bytes.len() as u64)
            && sandbox::read(&path, PICTURE_LIMIT as u64).is_ok_and(|b| b == bytes)
            && let Some(name) = path.file_name().and_then(|n| n.to_str())
        {
            return Ok(saved(&stem, name));
        }
    }
    let folder = Folder::open(root, &images).map_err(cannot)?;
    for k in 1..1000 {
        let name = if k == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem}-{k}.{ext}")
        };
        match folder.create(&name, bytes) {
            Ok(_) => return Ok(saved(&stem, &name)),
            Err(e) if matches!(e.problem(), sandbox::Problem::Exists { .. }) => continue,
            Err(e) => return Err(cannot(e)),
        }
    }
    Err(NotSaved(
        500,
        format!("images/ 里叫“{stem}”的图片太多了"),
        "给图片换个名字再放进来".into(),
    ))
}

fn saved(stem: &str, name: &str) -> Saved {
    let path = format!("images/{name}");
    Saved {
        line: format!("![{stem}]({path})"),
        path,
    }
}

/// The original name, short, for a message.
fn shown(original: &str) -> String {
    crate::script::escape_unprintable(&original.chars().take(60).collect::<String>()).into_owned()
}

/// A file name's stem that is safe everywhere and in a picture line:
/// letters (Chinese too) and digits, `-` and `_`; the rest becomes `-`;
/// no folder, no leading dot, at most [`NAME_CHARS`] characters; `图片`
/// when nothing is left.
pub fn safe_stem(original: &str) -> String {
    let name = original.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    };
    let mut out = String::new();
    for c in stem.chars() {
        let keep = (c.is_alphanumeric() && !crate::script::is_invisible(c)) || c == '_';
        if keep {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
        if out.chars().count() >= NAME_CHARS {
            break;
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() { "图片".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe() {
        assert_eq!(safe_stem("会议 照片.JPG"), "会议-照片");
        assert_eq!(safe_stem("../../etc/passwd"), "passwd");
        assert_eq!(safe_stem("C:\\Users\\a\\..\\图1.png"), "图1");
        assert_eq!(safe_stem(".hidden"), "hidden");
        assert_eq!(safe_stem("](x) <script>.png"), "x-script");
        assert_eq!(safe_stem(""), "图片");
        assert_eq!(safe_stem("%00\u{202e}.png"), "00");
        assert_eq!(safe_stem(&"长".repeat(100)).chars().count(), NAME_CHARS);
    }
}

/// Whether an SVG holds something a browser would run when the file is
/// opened by itself (from the file manager): a `<script>`, an `on…` event
/// attribute, a `javascript:` link. Nothing a printed picture needs; such
/// a file is not stored in the publication. Unreadable XML counts as such.
fn runs_something(bytes: &[u8]) -> bool {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                if e.local_name().as_ref().eq_ignore_ascii_case(b"script") {
                    return true;
                }
                for attribute in e.attributes() {
                    let Ok(attribute) = attribute else {
                        return true;
                    };
                    let name = attribute.key.local_name();
                    let name = name.as_ref();
                    if name.len() > 2 && name[..2].eq_ignore_ascii_case(b"on") {
                        return true;
                    }
                    let raw = attribute.value.to_vec();
                    let value: Vec<u8> = attribute
                        .unescape_value()
                        .map_or(raw, |v| v.into_owned().into_bytes())
                        .iter()
                        .filter(|b| !b.is_ascii_whitespace() && **b != 0)
                        .map(u8::to_ascii_lowercase)
                        .collect();
                    if value.windows(11).any(|w| w == b"javascript:") {
                        return true;
                    }
                }
            }
            Ok(Event::Eof) => return false,
            Err(_) => return true,
            Ok(_) => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod svg_tests {
    use super::runs_something;

    #[test]
    fn an_svg_that_would_run_something_is_found() {
        let plain = br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="red"/></svg>"#;
        assert!(!runs_something(plain));
        for bad in [
            r#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><a href=" java&#x0A;script:x"><rect/></a></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><rect onClick="x"/></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml"><h:SCRIPT>x</h:SCRIPT></svg>"#,
        ] {
            assert!(runs_something(bad.as_bytes()), "{bad}");
        }
    }
}
