//! No text of the input may be missing from the PDF. For every issue of
//! every fixture publication (and this repository's own issue 4), the
//! printed text of the input — masthead strings, titles, body, captions,
//! editor's notes, the 报/送/发 units, the publisher, the dates — is
//! compared with the text of the built PDF read back with lopdf (only what
//! is set on the page, not what runs off its edge): every
//! character must be there as often as the input has it, and every
//! paragraph, title and closing line must be there as one run of text.
//!
//! Both sides are compared as the reader sees them: the input after the
//! cleaning of pasted text (`jianbao::clean`, which turns half-width marks
//! and straight quotes full-width and drops stray spaces), and without
//! whitespace on either side.

use std::collections::HashMap;
use std::path::Path;

use chrono::Datelike;
use jianbao::issue::{Block, Issue, chinese_date, chinese_number, note_label};
use jianbao::publication::{Options, Publication};

use crate::common::*;

/// The text of an issue as it should be printed, in items that each come
/// out as one run of text (a paragraph, a title line, a closing line).
fn printed_items(publication: &Publication, issue: &Issue) -> Vec<String> {
    let config = publication.config.as_ref().expect("jianbao.toml parses");
    let issue = if config.clean_text {
        jianbao::clean::cleaned(issue)
    } else {
        issue.clone()
    };
    let front = &issue.front;
    let m = &config.masthead;
    let mut items: Vec<String> = Vec::new();
    items.extend(front.mark.clone().or_else(|| m.mark.clone()));
    items.extend(m.series.clone());
    items.push(m.title.clone());
    let n = issue.number().0;
    // The edition stands at `{edition}`, else before the 第 of the number
    // (2026年增刊第1期; docs/issue-format.md, "Editions").
    let edition = front.edition.as_deref().unwrap_or("").trim();
    let mut format = m.number_format.clone();
    if !format.contains("{edition}") {
        let at = format
            .find("第{")
            .or_else(|| format.find("{number"))
            .unwrap_or(0);
        format.insert_str(at, "{edition}");
    }
    let number = format
        .replace("{number_cn}", &chinese_number(n))
        .replace("{number}", &n.to_string())
        .replace("{year}", &issue.date().year().to_string())
        .replace("{edition}", edition);
    let total = front
        .total
        .as_ref()
        .map(|t| format!("（总第{}期）", t.value));
    match (total, m.total) {
        (Some(total), jianbao::config::TotalPlacement::Inline) => {
            items.push(number + &total);
        }
        (Some(total), jianbao::config::TotalPlacement::Below) => {
            items.push(number);
            items.push(total);
        }
        (None, _) => items.push(number),
    }
    items.extend(
        front
            .classification
            .clone()
            .or_else(|| m.classification.clone()),
    );
    items.extend(front.serial.clone());
    items.push(front.editor.clone().unwrap_or_else(|| m.editor.clone()));
    items.push(chinese_date(issue.date()));
    for block in &issue.body {
        match block {
            Block::Title {
                lead,
                lines,
                subtitle,
                byline,
            } => {
                items.extend(lead.iter().map(|t| t.plain()));
                items.extend(lines.iter().map(|t| t.plain()));
                items.extend(subtitle.iter().map(|t| t.plain()));
                items.extend(byline.iter().map(|t| t.plain()));
            }
            Block::Label(t) | Block::Paragraph(t) => items.push(t.plain()),
            Block::Note(paras) => {
                for (i, p) in paras.iter().enumerate() {
                    let text = p.plain();
                    if i == 0 && note_label(&text).is_none() {
                        items.push(format!("编者按：{text}"));
                    } else {
                        items.push(text);
                    }
                }
            }
            Block::Heading { head, rest, .. } => {
                items.push(head.plain() + &rest.as_ref().map(|r| r.plain()).unwrap_or_default())
            }
            Block::Picture { caption, .. } => items.push(caption.plain()),
        }
    }
    let imprint = &config.imprint;
    for (_, label, units) in front.distribution.lists() {
        if units.is_empty() {
            continue;
        }
        let names: Vec<&str> = units.iter().map(|u| u.value.as_str()).collect();
        items.push(format!(
            "{label}：{}{}",
            names.join(&imprint.separator),
            imprint.terminator
        ));
    }
    items.push(
        front
            .publisher
            .clone()
            .unwrap_or_else(|| imprint.publisher.clone()),
    );
    items.push(format!("{}印发", chinese_date(issue.date())));
    items.extend(front.copies.map(|n| format!("（共印{n}份）")));
    items
        .into_iter()
        .map(|s| s.chars().filter(|c| !c.is_whitespace()).collect::<String>())
        .filter(|s| !s.is_empty())
        .collect()
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
/// PDF holds all of its issue's printed text.
fn assert_nothing_missing(dir: &Path) {
    let out = jianbao(dir, &["build"]);
    assert!(out.status.success(), "build failed:\n{}", stderr(&out));
    let options = Options::new(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    let publication = Publication::load(dir, &options).unwrap();
    assert!(!publication.issues.is_empty());
    for entry in &publication.issues {
        let issue = entry.issue.as_ref().expect("the issue parses");
        let pdf = std::fs::read(publication.output_path(&entry.file.id)).expect("PDF written");
        let text = pdf_reading_text(&pdf);
        let items = printed_items(&publication, issue);
        let name = entry.file.path.display();
        // Every character, as often as the input has it.
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
                    "“{c}” {n}× in the input, {}× in the PDF",
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
        // Every paragraph, title and closing line as one run of text.
        for item in &items {
            assert!(
                text.contains(item.as_str()),
                "{name}: not in the PDF as one run: {item}\nPDF text: {text}"
            );
        }
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
        let dir = copy_publication(&fixture);
        assert_nothing_missing(dir.path());
    }
}

#[test]
fn issue_4_prints_all_of_its_text() {
    let dir = copy_publication(&repo());
    assert_nothing_missing(dir.path());
}

/// A publication with one short issue whose 发 list has `units` units.
pub fn long_distribution(units: usize) -> tempfile::TempDir {
    let dir = copy_publication(&fixture("literal"));
    let fa: Vec<String> = (1..=units)
        .map(|i| format!("\"第{}中学党支部\"", chinese_number(i as u32)))
        .collect();
    std::fs::write(
        dir.path().join("issues/001.md"),
        format!(
            "+++\nnumber = 1\ndate = 2024-03-05\n\n[distribution]\nbao = [\"市委办公室\"]\nfa = [{}]\n+++\n# 通知\n各单位要按时报送材料。\n",
            fa.join(", ")
        ),
    )
    .unwrap();
    dir
}

#[test]
fn a_short_distribution_list_prints_all_of_its_units() {
    let dir = long_distribution(12);
    assert_nothing_missing(dir.path());
}

#[test]
fn a_closing_block_taller_than_a_page_loses_no_unit() {
    let dir = long_distribution(80);
    assert_nothing_missing(dir.path());
}
