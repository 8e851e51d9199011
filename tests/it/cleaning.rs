//! Pasted text, as a clerk pastes it (issue 15, the reviews' findings on
//! cleaning, `check` and `new`): each case is a publication made with
//! `jianbao init`, one issue body typed here, and what `check`, `check
//! --fix` and `build` make of it, read back from the file and the PDF.

use std::path::Path;

use crate::common::*;

/// A publication from `jianbao init` whose issue 1 has `body`.
fn publication(body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let init = jianbao(dir.path(), &["init", "."]);
    assert_eq!(init.status.code(), Some(0), "{}", stderr(&init));
    let file = dir.path().join("issues/001.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let head_end = text.rfind("+++\n").unwrap() + 4;
    std::fs::write(&file, format!("{}{body}", &text[..head_end])).unwrap();
    dir
}

fn issue_text(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("issues/001.md")).unwrap();
    let head_end = text.rfind("+++\n").unwrap() + 4;
    text[head_end..].to_string()
}

/// `check`'s diagnostics, one per line: `line:col: kind[code]`, the line
/// counted in the body (its first line is 1).
fn diagnostics(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("issues/001.md")).unwrap();
    let head_lines = text[..text.rfind("+++\n").unwrap()].lines().count() + 1;
    let out = jianbao(dir, &["check"]);
    stderr(&out)
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("issues/001.md:")?;
            let (pos, what) = rest.split_once(": ")?;
            let (line, col) = pos.split_once(':')?;
            let line = line.parse::<usize>().ok()? - head_lines;
            let what = what.split(']').next()?;
            Some(format!("{line}:{col}: {what}]"))
        })
        .collect()
}

fn built_text(dir: &Path) -> String {
    let build = jianbao(dir, &["build", "1"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
    let pdf = std::fs::read(dir.join("out/001.pdf")).unwrap();
    pdf_text(&pdf).concat()
}

#[test]
fn what_fix_writes_builds_as_the_cleaned_text_did() {
    // user F4, proof F9: the cleaner's − and a typed − (and ₃ ₂ pasted
    // from Word) are printed by the Latin face, so `--fix` never makes
    // an issue that stops with `no-font`.
    let dir = publication("# 寒潮预报\n预计本月最低气温-3℃至-8℃，臭氧（O₃）和SO₂浓度下降。\n");
    assert_eq!(
        diagnostics(dir.path()),
        ["2:9: warning[minus-sign]", "2:13: warning[minus-sign]"]
    );
    let before = built_text(dir.path());
    assert_in_order(&before, &["−3℃至−8℃", "O₃", "SO₂"]);
    let fix = jianbao(dir.path(), &["check", "--fix"]);
    assert_eq!(fix.status.code(), Some(0), "{}", stderr(&fix));
    assert!(issue_text(dir.path()).contains("气温−3℃至−8℃"));
    let check = jianbao(dir.path(), &["check", "--deny-warnings"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert_eq!(built_text(dir.path()), before);
}
