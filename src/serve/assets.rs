//! What the page is made of, compiled into the binary: every file of
//! `assets/web/` (the page's committed bundle; `build.rs` lists them) and
//! jianbao's own embedded font faces, so that the page and the Chinese on
//! it show on a computer with no CJK font and no network.

/// `assets/web/`'s files by their path in it (`index.html`, `app.js`).
static WEB: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// A file of the page and its type; `None` for a name not among them
/// (never a path looked up on disk).
pub fn web(name: &str) -> Option<(&'static [u8], &'static str)> {
    let bytes = WEB.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)?;
    Some((bytes, content_type(name)))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, e)| e) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The embedded face the page shows a role in: 仿宋 (body), 黑体, 楷体,
/// the title's and 宋体, as the PDF prints them.
pub fn font(role: &str) -> Option<(&'static [u8], &'static str)> {
    let file = match role {
        "fangsong" => "FandolFang-Regular.otf",
        "hei" => "FandolHei-Regular.otf",
        "kai" => "FandolKai-Regular.otf",
        "title" => "FandolSong-Bold.otf",
        "song" => "FandolSong-Regular.otf",
        _ => return None,
    };
    let index = crate::fonts::EMBEDDED_NAMES
        .iter()
        .position(|n| *n == file)?;
    Some((crate::fonts::EMBEDDED[index], "font/otf"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_and_the_faces_are_there() {
        let (page, kind) = super::web("index.html").expect("assets/web/index.html");
        assert!(page.starts_with(b"<!DOCTYPE html>") || page.starts_with(b"<!doctype html>"));
        assert_eq!(kind, "text/html; charset=utf-8");
        assert!(super::web("../Cargo.toml").is_none());
        for role in ["fangsong", "hei", "kai", "title", "song"] {
            let (face, _) = super::font(role).unwrap();
            assert!(face.starts_with(b"OTTO"), "{role}");
        }
        assert!(super::font("body").is_none());
    }
}
