//! No text of the input may be missing from the PDF. For every issue of
//! every fixture publication (and this repository's own issue 4), what a
//! reader must see on its pages — masthead strings, titles, body,
//! captions, editor's notes, the 报/送/发 units, the publisher, the dates
//! — is written out by hand in `tests/it/data/printed/<fixture>/<issue>.txt`
//! (see the README there), and compared with the text of the built PDF
//! read back with lopdf (only what is set on the page, not what runs off
//! its edge): every character must be there as often as the expected text
//! has it, and every line of it (a paragraph, a title line, a closing
//! line) must be there as one run of text. Whitespace is ignored on both
//! sides.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::common::*;

/// Where the expected text of each fixture's issues is written.
fn printed_dir() -> PathBuf {
    repo().join("tests/it/data/printed")
}

/// The lines of an expected-text file, whitespace dropped, blank lines
/// left out.
fn expected_items(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| l.chars().filter(|c| !c.is_whitespace()).collect::<String>())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The files below `dir` whose name ends in `.{ext}`, as paths relative to
/// `dir` without that ending (`2023/001`), sorted.
fn files_below(dir: &Path, ext: &str) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, ext: &str, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, ext, out);
            } else if path.extension().is_some_and(|e| e == ext) {
                let rel = path.strip_prefix(root).unwrap().with_extension("");
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, ext, &mut out);
    out.sort();
    out
}

/// The PDF's text a reader can see (none of what runs off a page),
/// whitespace and page numbers (`—3—`) dropped, so that a paragraph that
/// runs over a page break reads as one run.
fn pdf_reading_text(pdf: &[u8]) -> String {
    let mut text = String::new();
    for page in pdf_visible_text(pdf) {
        text.push_str(&page);
    }
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find('—') {
        let after = &rest[i + '—'.len_utf8()..];
        let digits = after.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 && after[digits..].starts_with('—') {
            out.push_str(&rest[..i]);
            rest = &after[digits + '—'.len_utf8()..];
        } else {
            out.push_str(&rest[..i + '—'.len_utf8()]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Builds every issue of the publication in `dir` and checks that each
/// PDF in its `out/` holds all of the text written in `<expected>/<id>.txt`
/// for it, and that each expected file has its PDF.
fn assert_nothing_missing(dir: &Path, expected: &Path) {
    let out = jianbao(dir, &["build"]);
    assert!(out.status.success(), "build failed:\n{}", stderr(&out));
    let built = files_below(&dir.join("out"), "pdf");
    assert_eq!(
        built,
        files_below(expected, "txt"),
        "the PDFs built and the expected texts in {}",
        expected.display()
    );
    for id in built {
        let pdf = std::fs::read(dir.join(format!("out/{id}.pdf"))).unwrap();
        let text = pdf_reading_text(&pdf);
        let items = expected_items(&expected.join(format!("{id}.txt")));
        assert_pdf_holds(&format!("{}: {id}", expected.display()), &text, &items);
    }
}

/// Every character of `items` is in `text` as often as `items` have it,
/// and every item is in `text` as one run.
fn assert_pdf_holds(name: &str, text: &str, items: &[String]) {
    let mut want: HashMap<char, usize> = HashMap::new();
    for c in items.iter().flat_map(|s| s.chars()) {
        *want.entry(c).or_default() += 1;
    }
    let mut have: HashMap<char, usize> = HashMap::new();
    for c in text.chars() {
        *have.entry(c).or_default() += 1;
    }
    let mut short: Vec<String> = want
        .iter()
        .filter(|(c, n)| have.get(c).copied().unwrap_or(0) < **n)
        .map(|(c, n)| {
            format!(
                "“{c}” {n}× expected, {}× in the PDF",
                have.get(c).copied().unwrap_or(0)
            )
        })
        .collect();
    short.sort();
    assert!(
        short.is_empty(),
        "{name}: characters missing from the PDF:\n{}",
        short.join("\n")
    );
    for item in items {
        assert!(
            text.contains(item.as_str()),
            "{name}: not in the PDF as one run: {item}\nPDF text: {text}"
        );
    }
}

#[test]
fn every_fixture_prints_all_of_its_text() {
    let mut fixtures: Vec<_> = std::fs::read_dir(repo().join("tests/fixtures"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("jianbao.toml").is_file())
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 3);
    for fixture in fixtures {
        let name = fixture.file_name().unwrap();
        let dir = copy_publication(&fixture);
        assert_nothing_missing(dir.path(), &printed_dir().join(name));
    }
}

#[test]
fn issue_4_prints_all_of_its_text() {
    let dir = copy_publication(&repo());
    assert_nothing_missing(dir.path(), &printed_dir().join("repo"));
}

/// The literal fixture's issue with a 报 list of one unit and a 发 list
/// of `units` units, 第1中学党支部 to 第`units`中学党支部; what the
/// closing block must print, in the fixture's default punctuation (，
/// between units, 。 after the last).
fn long_distribution(units: usize) -> (tempfile::TempDir, Vec<String>) {
    let dir = copy_publication(&fixture("literal"));
    let names: Vec<String> = (1..=units).map(|i| format!("第{i}中学党支部")).collect();
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    std::fs::write(
        dir.path().join("issues/001.md"),
        format!(
            "+++\nnumber = 1\ndate = 2024-03-05\n\n[distribution]\nbao = [\"市委办公室\"]\nfa = [{}]\n+++\n# 通知\n各单位要按时报送材料。\n",
            quoted.join(", ")
        ),
    )
    .unwrap();
    let expected = vec![
        "通知".to_string(),
        "各单位要按时报送材料。".to_string(),
        "报：市委办公室。".to_string(),
        format!("发：{}。", names.join("，")),
        "测试办公室".to_string(),
        "2024年3月5日印发".to_string(),
    ];
    (dir, expected)
}

fn assert_distribution_printed(units: usize) {
    let (dir, expected) = long_distribution(units);
    let out = jianbao(dir.path(), &["build"]);
    assert!(out.status.success(), "build failed:\n{}", stderr(&out));
    let pdf = std::fs::read(dir.path().join("out/001.pdf")).unwrap();
    assert_pdf_holds(
        &format!("{units} units"),
        &pdf_reading_text(&pdf),
        &expected,
    );
}

#[test]
fn a_short_distribution_list_prints_all_of_its_units() {
    assert_distribution_printed(12);
}

#[test]
fn a_closing_block_taller_than_a_page_loses_no_unit() {
    assert_distribution_printed(80);
}
