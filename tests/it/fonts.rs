//! Font roles: `jianbao fonts`, `[fonts]` in jianbao.toml, `--font-path`.

use crate::common::*;

fn with_fonts_section(section: &str) -> tempfile::TempDir {
    let dir = copy_publication(&repo());
    let toml = std::fs::read_to_string(dir.path().join("jianbao.toml")).unwrap();
    std::fs::write(
        dir.path().join("jianbao.toml"),
        format!("{toml}\n[fonts]\n{section}\n"),
    )
    .unwrap();
    dir
}

#[test]
fn fonts_lists_every_role_with_its_embedded_face() {
    let out = jianbao(&repo(), &["fonts"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let text = text.split("每个角色依次试用的字体").nth(1).unwrap();
    for (role, family) in [
        ("title", "FandolSong"),
        ("body", "FandolFang R"),
        ("heading", "FandolHei"),
        ("subheading", "FandolKai"),
        ("song", "FandolSong"),
        ("fallback", "Droid Sans Fallback"),
    ] {
        let block = text
            // At a line start: "song " could also end a family name.
            .split(&format!("\n{role} "))
            .nth(1)
            .unwrap_or_else(|| panic!("no {role} in\n{text}"));
        let first = block.lines().nth(1).unwrap();
        assert!(
            first.contains(family) && first.contains("内置"),
            "{role}: {first}"
        );
    }
}

#[test]
fn fonts_names_the_characters_that_need_the_fallback() {
    let dir = copy_publication(&fixture("literal"));
    let issue = dir.path().join("issues/001.md");
    let text = std::fs::read_to_string(&issue).unwrap();
    // 䶮 (U+4DAE) is in CJK Extension A, outside the Fandol set.
    std::fs::write(&issue, text.replace("正文含有", "刘䶮正文含有")).unwrap();
    let out = jianbao(dir.path(), &["fonts", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("䶮 U+4DAE body") && stdout.contains("Droid Sans Fallback"),
        "{stdout}"
    );
    // And it still builds: the fallback prints it.
    let out = jianbao(dir.path(), &["build", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_configured_family_comes_first() {
    let dir = with_fonts_section("body = [\"Droid Sans Fallback\"]");
    let out = jianbao(dir.path(), &["fonts"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let roles = text.split("每个角色依次试用的字体").nth(1).unwrap();
    let body = roles.split("body ").nth(1).unwrap();
    assert!(
        body.lines().nth(1).unwrap().contains("Droid Sans Fallback"),
        "{text}"
    );
    assert!(
        body.lines().nth(2).unwrap().contains("FandolFang R"),
        "{text}"
    );
}

#[test]
fn an_unknown_family_is_an_error_not_a_silent_fallback() {
    let dir = with_fonts_section("title = [\"方正小标宋简体\"]");
    let out = jianbao(dir.path(), &["build", "4"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("方正小标宋简体") && err.contains("help:"),
        "{err}"
    );
    assert!(!dir.path().join("out/004.pdf").exists());
}

#[test]
fn a_missing_font_path_is_an_error() {
    let dir = copy_publication(&repo());
    let out = jianbao(dir.path(), &["--font-path", "no-such-folder", "build", "4"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("no-such-folder"));
}

#[test]
fn fonts_from_a_font_path_are_used() {
    let dir = copy_publication(&repo());
    let fonts = dir.path().join("myfonts");
    std::fs::create_dir_all(&fonts).unwrap();
    std::fs::copy(
        repo().join("fonts/FandolKai-Regular.otf"),
        fonts.join("kai.otf"),
    )
    .unwrap();
    let toml = std::fs::read_to_string(dir.path().join("jianbao.toml")).unwrap();
    std::fs::write(
        dir.path().join("jianbao.toml"),
        format!("{toml}\n[fonts]\nbody = [\"FandolKai\"]\npaths = [\"myfonts\"]\n"),
    )
    .unwrap();
    let out = jianbao(dir.path(), &["fonts"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let roles = text.split("每个角色依次试用的字体").nth(1).unwrap();
    let body = roles.split("body ").nth(1).unwrap();
    assert!(body.lines().nth(1).unwrap().contains("FandolKai"), "{text}");
    let out = jianbao(dir.path(), &["build", "4"]);
    assert!(out.status.success(), "{}", stderr(&out));
}
