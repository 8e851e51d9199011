//! The daily work as a new user meets it: `init`, `new`, help and usage
//! errors in Chinese, `fonts` when a font is missing, and what `build`
//! says when a PDF cannot be written.

use crate::common::*;

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

#[test]
fn init_then_build_1_works_at_once() {
    let dir = tempfile::tempdir().unwrap();
    // An empty folder: every command says how to start.
    let out = jianbao(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("jianbao init"), "{}", stderr(&out));

    let out = jianbao(dir.path(), &["init", "简报"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let root = dir.path().join("简报");
    for f in ["jianbao.toml", "issues/001.md", ".gitignore"] {
        assert!(root.join(f).is_file(), "{f} not written:\n{}", stderr(&out));
    }
    assert!(
        std::fs::read_to_string(root.join(".gitignore"))
            .unwrap()
            .contains("/out/")
    );
    let issue = std::fs::read_to_string(root.join("issues/001.md")).unwrap();
    assert!(issue.contains(&format!("date = {}", today())), "{issue}");

    // The example is clean and builds.
    let out = jianbao(&root, &["check", "--deny-warnings"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = jianbao(&root, &["build", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = std::fs::read(root.join("out/001.pdf")).unwrap();
    assert!(pdf_text(&pdf).concat().contains("工作简报") || pdf_text(&pdf).concat().contains("工"));

    // A second init changes nothing.
    let before = std::fs::read(root.join("jianbao.toml")).unwrap();
    let out = jianbao(&root, &["init"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("已经有 jianbao.toml"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(root.join("jianbao.toml")).unwrap(), before);
}

#[test]
fn new_writes_the_next_issue_of_a_flat_publication() {
    let dir = copy_publication(&repo());
    let issue = dir.path().join("issues/004.md");
    let text = std::fs::read_to_string(&issue).unwrap();
    std::fs::write(
        &issue,
        text.replace("date = 2022-01-19", "date = 2022-01-19\ntotal = 16"),
    )
    .unwrap();
    let out = jianbao(dir.path(), &["new"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "issues/005.md");
    let new = std::fs::read_to_string(dir.path().join("issues/005.md")).unwrap();
    assert!(new.starts_with("+++\nnumber = 5\n"), "{new}");
    assert!(new.contains(&format!("date = {}\n", today())), "{new}");
    assert!(new.contains("total = 17\n"), "{new}");
    // From [defaults.distribution] of this repository's jianbao.toml.
    assert!(
        new.contains("fa = [\"局直属学校（单位）党组织\", \"市属各民办学校党组织\", \"市教育局机关各党支部\"]"),
        "{new}"
    );
    // It checks clean (the body is a skeleton to write over).
    let out = jianbao(dir.path(), &["check", "5"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The next one is 006; nothing is overwritten.
    let out = jianbao(dir.path(), &["new"]);
    assert_eq!(stdout(&out).trim(), "issues/006.md");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("issues/005.md")).unwrap(),
        new
    );
}

#[test]
fn new_uses_the_current_year_folder() {
    let dir = copy_publication(&fixture("features"));
    let out = jianbao(dir.path(), &["new"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let year = chrono::Datelike::year(&today());
    // A new year starts at 1; the fixture's latest issue says total = 16.
    let path = format!("issues/{year}/001.md");
    assert_eq!(stdout(&out).trim(), path);
    let new = std::fs::read_to_string(dir.path().join(&path)).unwrap();
    assert!(
        new.contains("number = 1\n") && new.contains("total = 17\n"),
        "{new}"
    );
    // No [defaults.distribution]: the latest issue's lists.
    assert!(
        new.contains("bao = [\"市委办公室\", \"市政府办公室\"]"),
        "{new}"
    );
    let out = jianbao(dir.path(), &["new"]);
    assert_eq!(stdout(&out).trim(), format!("issues/{year}/002.md"));
}

#[test]
fn fonts_lists_what_is_there_and_every_missing_family() {
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
        format!(
            "{toml}\n[fonts]\ntitle = [\"方正小标宋简体\"]\nbody = [\"Fandol Kai\"]\nsubheading = [\"FandolKai\"]\npaths = [\"myfonts\"]\n"
        ),
    )
    .unwrap();
    let out = jianbao(dir.path(), &["fonts"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stdout(&out);
    // The folder's family, with the exact name to type.
    assert!(
        text.contains("字体文件夹 myfonts") && text.contains("\"FandolKai\""),
        "{text}"
    );
    // Each configured family: found or missing, with the near name.
    assert!(
        text.contains("\"FandolKai\"") && text.contains("找到：内置"),
        "{text}"
    );
    assert!(
        text.contains("\"方正小标宋简体\"") && text.contains("找不到"),
        "{text}"
    );
    assert!(
        text.contains("\"Fandol Kai\"") && text.contains("相近的有 FandolKai"),
        "{text}"
    );
    // Both missing ones, not only the first.
    let err = stderr(&out);
    assert!(
        err.contains("方正小标宋简体") && err.contains("Fandol Kai"),
        "{err}"
    );
    // build names them all too.
    let out = jianbao(dir.path(), &["build", "4"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("2 个字体") && err.contains("jianbao fonts"),
        "{err}"
    );
}

#[test]
fn help_and_usage_errors_are_in_chinese() {
    let out = jianbao(&repo(), &["--help"]);
    assert!(out.status.success());
    let help = stdout(&out);
    for words in ["用法：", "命令", "选项", "新建一份简报", "显示帮助"] {
        assert!(help.contains(words), "`{words}` not in\n{help}");
    }
    for english in ["Usage", "Options", "Commands", "Print help"] {
        assert!(!help.contains(english), "`{english}` in\n{help}");
    }
    let out = jianbao(&repo(), &["build", "-h"]);
    let help = stdout(&out);
    assert!(
        help.contains("--force") && help.contains("全部重新生成"),
        "{help}"
    );
    assert!(!help.contains("Options"), "{help}");

    let out = jianbao(&repo(), &["bulid"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("没有 bulid 这个命令") && err.contains("build"),
        "{err}"
    );
    // The warnings' helps say "jianbao check --fix"; `fix` alone is
    // pointed there.
    let out = jianbao(&repo(), &["fix"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("改好文件用 jianbao check --fix"),
        "{}",
        stderr(&out)
    );
    let out = jianbao(&repo(), &["build", "--froce"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("没有 --froce 这个选项"),
        "{}",
        stderr(&out)
    );
    let out = jianbao(&repo(), &["build", "--shard", "0/2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("1 到 2"), "{}", stderr(&out));
    // No command: the help, and a usage exit status.
    let out = jianbao(&repo(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("用法："));
}
