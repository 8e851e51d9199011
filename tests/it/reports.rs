//! What the commands say happened: a build with nothing to do says so in
//! one line and sums up the warnings of its current issues; `jianbao
//! fonts` shows the built-in faces and what each role tries even when a
//! configured family is missing.

use std::path::Path;

use crate::common::*;

/// A publication like this repository's with issues 001 … 003, each the
/// first lines of issue 4 with its own number and date. Issue 2 has one
/// half-width comma in Chinese and issue 3 two (one warning each): two
/// issues with three warnings in all.
fn three_issues() -> tempfile::TempDir {
    let dir = copy_publication(&repo());
    let text = std::fs::read_to_string(repo().join("issues/004.md")).unwrap();
    std::fs::remove_file(dir.path().join("issues/004.md")).unwrap();
    let body_start = text.rfind("+++").unwrap();
    let body: String = text[body_start..]
        .lines()
        .take(8)
        .collect::<Vec<_>>()
        .join("\n");
    let warned = [
        "",
        "会议要求,抓好落实。\n",
        "会议要求,抓好落实。\n\n各校要,抓紧部署。\n",
    ];
    for (n, extra) in (1..=3).zip(warned) {
        let front = text[..body_start]
            .replace("number = 4", &format!("number = {n}"))
            .replace("date = 2022-01-19", &format!("date = 2022-01-{:02}", n + 1));
        std::fs::write(
            dir.path().join(format!("issues/{n:03}.md")),
            format!("{front}{body}\n\n{extra}"),
        )
        .unwrap();
    }
    dir
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.trim().is_empty()).collect()
}

fn append(path: &Path, text: &str) {
    let old = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, format!("{old}\n{text}\n")).unwrap();
}

#[test]
fn a_build_with_nothing_to_do_says_so_in_one_line() {
    let dir = three_issues();
    // check counts what the build will sum up.
    let out = jianbao(dir.path(), &["check"]);
    assert!(
        stderr(&out).contains("检查了 3 期：0 个错误，3 个警告"),
        "{}",
        stderr(&out)
    );
    // The first build says every warning, with its issue.
    let out = jianbao(dir.path(), &["build"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        err.matches("warning[half-width-punctuation]").count(),
        3,
        "{err}"
    );
    assert!(err.contains("生成 3 期，0 期已是最新，0 期失败"), "{err}");
    // An issue's warnings come with it: before its own result line.
    let warning = err.find("issues/002.md:").unwrap();
    let built = err.find("issues/002.md → out/002.pdf").unwrap();
    assert!(warning < built, "{err}");

    // Nothing changed: one line, the warnings summed up, none repeated.
    let out = jianbao(dir.path(), &["build"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        lines(&err),
        ["都是最新的：3 期，无需重排；其中 2 期有 3 条警告（jianbao check 查看）"],
        "{err}"
    );
    // One issue: its own line, with its count and the check that shows them.
    let out = jianbao(dir.path(), &["build", "3"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(lines(&err).len(), 1, "{err}");
    assert!(
        err.contains("out/003.pdf 已是最新")
            && err.contains("；有 2 条警告（jianbao check 3 查看）"),
        "{err}"
    );
    // A current issue without warnings says nothing about warnings.
    let err = stderr(&jianbao(dir.path(), &["build", "1"]));
    assert_eq!(lines(&err).len(), 1, "{err}");
    assert!(
        err.contains("out/001.pdf 已是最新") && !err.contains("警告"),
        "{err}"
    );
    let err = stderr(&jianbao(dir.path(), &["build", "1..2"]));
    assert_eq!(
        lines(&err),
        ["都是最新的：2 期，无需重排；其中 1 期有 1 条警告（jianbao check 1..2 查看）"],
        "{err}"
    );
}

#[test]
fn a_build_that_does_work_says_the_warnings_of_what_it_built() {
    let dir = three_issues();
    assert!(jianbao(dir.path(), &["build"]).status.success());
    // Issue 1 changed: built and said; the current ones' warnings counted.
    append(&dir.path().join("issues/001.md"), "会议强调，要抓好落实。");
    let out = jianbao(dir.path(), &["build"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("issues/001.md → out/001.pdf"), "{err}");
    assert!(!err.contains("warning["), "{err}");
    assert!(
        err.contains("生成 1 期，2 期已是最新，0 期失败")
            && err.contains("；已是最新的期里 2 期有 3 条警告（jianbao check 查看）"),
        "{err}"
    );
    // Issue 3 changed: its two warnings are said again, with it.
    append(&dir.path().join("issues/003.md"), "会议强调，要抓好落实。");
    let out = jianbao(dir.path(), &["build"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.matches("issues/003.md:").count(), 2, "{err}");
    assert!(!err.contains("issues/002.md:"), "{err}");
    assert!(
        err.contains("issues/003.md → out/003.pdf")
            && err.contains("；已是最新的期里 1 期有 1 条警告"),
        "{err}"
    );
}

#[test]
fn an_issue_with_errors_is_said_every_time() {
    let dir = three_issues();
    assert!(jianbao(dir.path(), &["build"]).status.success());
    // An unclosed ** is an error: the issue is not built, and its error is
    // said (it is not current, so nothing is summed up).
    append(&dir.path().join("issues/002.md"), "会议**强调要抓好落实。");
    for _ in 0..2 {
        let out = jianbao(dir.path(), &["build"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("issues/002.md:") && err.contains("error"),
            "{err}"
        );
        assert!(err.contains("issues/002.md: 有错误，没有生成 PDF"), "{err}");
        assert!(err.contains("生成 0 期，2 期已是最新，1 期失败"), "{err}");
        assert!(err.contains("已是最新的期里 1 期有 2 条警告"), "{err}");
    }
}

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

/// The lines of a role's block in `jianbao fonts`, the role's own first.
fn role_block<'t>(stdout: &'t str, role: &str) -> Vec<&'t str> {
    let roles = stdout
        .split("每个角色依次试用的字体")
        .nth(1)
        .unwrap_or_else(|| panic!("no roles in\n{stdout}"));
    let mut lines = roles
        .lines()
        .skip_while(|l| !l.starts_with(&format!("{role} ")));
    let head = lines
        .next()
        .unwrap_or_else(|| panic!("no {role} in\n{stdout}"));
    std::iter::once(head)
        .chain(lines.take_while(|l| l.starts_with("  ")))
        .collect()
}

#[test]
fn fonts_lists_the_built_in_faces() {
    let out = jianbao(&repo(), &["fonts"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let built_in = text.split("内置字体").nth(1).unwrap();
    // The faces of fonts/ in the repository, each with the name to type.
    for (family, file) in [
        ("FandolSong", "FandolSong-Bold.otf"),
        ("FandolFang R", "FandolFang-Regular.otf"),
        ("FandolHei", "FandolHei-Regular.otf"),
        ("FandolKai", "FandolKai-Regular.otf"),
        ("Droid Sans Fallback", "DroidSansFallbackFull.ttf"),
        ("Liberation Serif", "LiberationSerif-Regular.ttf"),
        ("cwTeXFangSong", "cwfs.ttf"),
        ("AR PL UKai", "ukai.ttc"),
        ("AR PL UMing", "uming.ttc"),
    ] {
        assert!(
            built_in
                .lines()
                .any(|l| l.contains(&format!("\"{family}\"")) && l.ends_with(file)),
            "{family} {file} in\n{text}"
        );
    }
    // What each role prints, in the words of an office.
    assert!(role_block(&text, "body")[0].contains("正文"), "{text}");
    assert!(role_block(&text, "title")[0].contains("标题"), "{text}");
}

#[test]
fn fonts_shows_every_role_when_a_configured_family_is_missing() {
    let dir = with_fonts_section("title = [\"方正小标宋简体\"]\nfallback = [\"SimSun\"]");
    let out = jianbao(dir.path(), &["fonts"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"FandolSong\""), "built-in faces in\n{text}");
    // The missing family where it would be tried, then what follows it.
    let title = role_block(&text, "title");
    assert!(
        title[1].contains("方正小标宋简体") && title[1].contains("找不到"),
        "{title:?}"
    );
    assert!(
        title[2].contains("FandolSong") && title[2].contains("内置"),
        "{title:?}"
    );
    // A missing fallback is where every role would try it: after the
    // role's own faces, first in `fallback`.
    for role in ["title", "body", "heading", "subheading", "song", "fallback"] {
        let block = role_block(&text, role);
        let simsun = block.iter().position(|l| l.contains("SimSun")).unwrap();
        assert!(simsun > 1 || role == "fallback", "{block:?}");
        assert!(block[simsun].contains("找不到"), "{block:?}");
    }
    assert!(
        role_block(&text, "fallback")[1].contains("SimSun"),
        "{text}"
    );
    // Latin letters never fall back to a CJK face.
    assert!(
        !role_block(&text, "latin")
            .iter()
            .any(|l| l.contains("SimSun")),
        "{text}"
    );
    // The roles the office did not touch keep their built-in faces.
    let body = role_block(&text, "body");
    assert!(
        body[1].contains("FandolFang R") && body[1].contains("内置"),
        "{body:?}"
    );
    // And the error, once per family, with a help.
    let err = stderr(&out);
    let error = err.lines().find(|l| l.starts_with("error:")).unwrap();
    assert!(
        error.contains("title “方正小标宋简体”") && error.contains("fallback “SimSun”"),
        "{err}"
    );
    assert_eq!(error.matches("SimSun").count(), 1, "{err}");
    assert!(err.contains("help:"), "{err}");
    // build refuses and names the two, each once.
    let err = stderr(&jianbao(dir.path(), &["build", "4"]));
    assert!(err.contains("2 个字体"), "{err}");
    // The characters of an issue wait for the fonts.
    let out = jianbao(dir.path(), &["fonts", "4"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("字体都找到之后，jianbao fonts 4"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn fonts_shows_the_roles_when_a_font_folder_is_missing() {
    let dir = copy_publication(&repo());
    let out = jianbao(dir.path(), &["--font-path", "no-such-folder", "fonts"]);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("no-such-folder") && text.contains("不存在"),
        "{text}"
    );
    assert!(
        role_block(&text, "body")[1].contains("FandolFang R"),
        "{text}"
    );
    let err = stderr(&out);
    assert!(
        err.contains("error:") && err.contains("no-such-folder") && err.contains("help:"),
        "{err}"
    );
}
