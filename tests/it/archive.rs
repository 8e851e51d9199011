//! `jianbao build` over an archive: parallel and serial give the same
//! bytes, only what changed is rebuilt, shards partition the archive, and
//! one failing issue stops no other.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::*;

/// A publication like this repository's with issues 001 … `count`, each
/// the text of issue 4 with its own number and date. Issue 2 names
/// images/a.png and issue 3 images/b.png.
fn archive(count: u32) -> tempfile::TempDir {
    let dir = copy_publication(&repo());
    let text = std::fs::read_to_string(repo().join("issues/004.md")).unwrap();
    std::fs::remove_file(dir.path().join("issues/004.md")).unwrap();
    let images = dir.path().join("images");
    std::fs::create_dir_all(&images).unwrap();
    let small_png = repo().join("tests/corpus/ok-all-constructs/images/huichang.png");
    std::fs::copy(&small_png, images.join("a.png")).unwrap();
    std::fs::copy(&small_png, images.join("b.png")).unwrap();
    for n in 1..=count {
        let mut issue = text
            .replace("number = 4", &format!("number = {n}"))
            .replace("date = 2022-01-19", &format!("date = 2022-01-{:02}", n + 1));
        // Shorter issues, so the tests stay quick: the first lines of the body.
        let body_start = issue.rfind("+++").unwrap();
        let keep: String = issue[body_start..]
            .lines()
            .take(12)
            .collect::<Vec<_>>()
            .join("\n");
        issue = format!("{}{keep}\n", &issue[..body_start]);
        if n == 2 {
            issue += "![会场](images/a.png)\n";
        }
        if n == 3 {
            issue += "![会场](images/b.png)\n";
        }
        std::fs::write(dir.path().join(format!("issues/{n:03}.md")), issue).unwrap();
    }
    dir
}

/// The PDFs of the output folder, by name.
fn pdfs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let out = dir.join("out");
    for e in std::fs::read_dir(&out).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".pdf") {
            found.insert(name, std::fs::read(e.path()).unwrap());
        }
    }
    found
}

/// The issues a build wrote, from its plain `[k/n] issues/… → out/…` lines.
fn written(stderr: &str) -> Vec<String> {
    let mut ids: Vec<String> = stderr
        .lines()
        .filter(|l| l.contains(" → "))
        .filter_map(|l| l.split(" → ").nth(1))
        .map(|p| {
            p.trim_start_matches("out/")
                .trim_end_matches(".pdf")
                .to_string()
        })
        .collect();
    ids.sort();
    ids
}

fn build(dir: &Path, args: &[&str]) -> String {
    let out = jianbao(dir, &[&["build"], args].concat());
    let err = stderr(&out);
    assert!(out.status.success(), "build {args:?} failed:\n{err}");
    err
}

#[test]
fn parallel_and_sharded_builds_give_the_same_bytes_as_a_serial_one() {
    let serial = archive(6);
    build(serial.path(), &["--jobs", "1"]);
    let parallel = archive(6);
    build(parallel.path(), &["--jobs", "3"]);
    let sharded = archive(6);
    build(sharded.path(), &["--jobs", "2", "--shard", "1/2"]);
    build(sharded.path(), &["--jobs", "2", "--shard", "2/2"]);
    let expected = pdfs(serial.path());
    assert_eq!(expected.len(), 6);
    for (what, other) in [("--jobs 3", &parallel), ("--shard", &sharded)] {
        let got = pdfs(other.path());
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>()
        );
        for (name, bytes) in &expected {
            assert!(got[name] == *bytes, "{name} differs with {what}");
        }
    }
}

#[test]
fn only_what_changed_is_rebuilt() {
    let dir = archive(4);
    let p = dir.path();
    let all = ["001", "002", "003", "004"];
    // A fresh archive: everything.
    let err = build(p, &[]);
    assert_eq!(written(&err), all, "{err}");
    assert!(err.contains("生成 4 期，0 期已是最新，0 期失败"), "{err}");
    // Nothing changed: nothing, said in one line.
    let err = build(p, &[]);
    assert!(written(&err).is_empty(), "{err}");
    assert!(err.contains("都是最新的：4 期，无需重排"), "{err}");
    // A picture's content: only the issue that names it.
    std::fs::copy(
        repo().join("tests/fixtures/features/images/meeting.png"),
        p.join("images/b.png"),
    )
    .unwrap();
    assert_eq!(written(&build(p, &[])), ["003"]);
    // A new modification time, same bytes: nothing (a CI checkout).
    let a = std::fs::read(p.join("images/a.png")).unwrap();
    std::fs::write(p.join("images/a.png"), a).unwrap();
    assert!(written(&build(p, &[])).is_empty());
    // One issue's file: that issue.
    let issue = p.join("issues/001.md");
    let text = std::fs::read_to_string(&issue).unwrap();
    std::fs::write(
        &issue,
        text.replace("number = 1", "number = 1\ncopies = 50"),
    )
    .unwrap();
    assert_eq!(written(&build(p, &[])), ["001"]);
    // jianbao.toml: everything.
    let toml = p.join("jianbao.toml");
    let config = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        config.replace("title = \"简报\"", "title = \"工作简报\""),
    )
    .unwrap();
    assert_eq!(written(&build(p, &[])), all);
    // --force: everything, and a named issue alone.
    assert_eq!(written(&build(p, &["--force"])), all);
    assert_eq!(written(&build(p, &["--force", "2"])), ["002"]);
    // A PDF replaced by hand is not current.
    std::fs::write(p.join("out/004.pdf"), b"%PDF-1.7 not ours").unwrap();
    let err = build(p, &["4"]);
    assert_eq!(written(&err), ["004"], "{err}");
    let err = build(p, &["4"]);
    assert!(
        err.contains("out/004.pdf 已是最新") && err.contains("--force"),
        "{err}"
    );
}

#[test]
fn a_deleted_issue_leaves_no_pdf_listed_as_current() {
    let dir = archive(3);
    let p = dir.path();
    build(p, &[]);
    std::fs::rename(p.join("issues/003.md"), p.join("issues/005.md")).unwrap();
    let text = std::fs::read_to_string(p.join("issues/005.md")).unwrap();
    std::fs::write(
        p.join("issues/005.md"),
        text.replace("number = 3", "number = 5"),
    )
    .unwrap();
    let err = build(p, &[]);
    assert_eq!(written(&err), ["005"], "{err}");
    assert!(
        err.contains("out/003.pdf: 期刊文件 003 已经不在了"),
        "{err}"
    );
    let manifest = std::fs::read_to_string(p.join("out/.jianbao-manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let listed: Vec<&String> = manifest["issues"].as_object().unwrap().keys().collect();
    assert_eq!(listed, ["001", "002", "005"]);
    // The old PDF is kept: it may have been sent out.
    assert!(p.join("out/003.pdf").is_file());
    // Said once.
    assert!(!build(p, &[]).contains("已经不在了"));
}

#[test]
fn shards_partition_the_archive() {
    let dir = archive(7);
    let mut seen: Vec<String> = Vec::new();
    for k in 1..=3 {
        let copy = tempfile::tempdir().unwrap();
        // Each shard on a machine of its own: a fresh copy.
        for entry in ["jianbao.toml", "issues", "images"] {
            let from = dir.path().join(entry);
            if from.is_dir() {
                std::fs::create_dir_all(copy.path().join(entry)).unwrap();
                for f in std::fs::read_dir(&from).unwrap().flatten() {
                    std::fs::copy(f.path(), copy.path().join(entry).join(f.file_name())).unwrap();
                }
            } else {
                std::fs::copy(&from, copy.path().join(entry)).unwrap();
            }
        }
        build(copy.path(), &["--shard", &format!("{k}/3")]);
        seen.extend(pdfs(copy.path()).into_keys());
    }
    seen.sort();
    let all: Vec<String> = (1..=7).map(|n| format!("{n:03}.pdf")).collect();
    assert_eq!(seen, all, "every issue exactly once");
}

#[test]
fn ranges_select_issues() {
    let dir = archive(6);
    let err = build(dir.path(), &["2..4", "6"]);
    assert_eq!(written(&err), ["002", "003", "004", "006"], "{err}");
    let out = jianbao(dir.path(), &["build", "5..3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("写成 3..5"), "{}", stderr(&out));
}

#[test]
fn a_failing_issue_stops_no_other() {
    let dir = archive(4);
    let p = dir.path();
    let issue = p.join("issues/002.md");
    let text = std::fs::read_to_string(&issue).unwrap();
    std::fs::write(
        &issue,
        text.replace("date = 2022-01-03", "date = 2022-02-30"),
    )
    .unwrap();
    let bad = p.join("issues/004.md");
    let text = std::fs::read_to_string(&bad).unwrap();
    std::fs::write(&bad, format!("{text}这里的**没有闭合\n")).unwrap();
    let out = jianbao(p, &["build", "--jobs", "2"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("issues/002.md:3:8: error[bad-date]"), "{err}");
    assert!(err.contains("error[unclosed-emphasis]"), "{err}");
    assert_eq!(written(&err), ["001", "003"], "{err}");
    assert!(err.contains("生成 2 期，0 期已是最新，2 期失败"), "{err}");
    // No PDF was there before: nothing is said about keeping one.
    assert!(!err.contains("原有的 PDF"), "{err}");
    assert!(!p.join("out/002.pdf").exists());
}
