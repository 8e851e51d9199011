//! Attachments (附件, GB/T 9704—2012 §7.3.4 and §8) on the fixture
//! `tests/fixtures/attachments`: an issue of two articles, the second with
//! an attachment note of two items (the first name wraps), then 附件1 (text
//! with headings) and 附件2 (a table). Measured on the laid-out frames and
//! the built PDF; the checks on broken copies of the fixture.

use std::sync::OnceLock;

use crate::common::*;

const LEFT: f64 = 28.0;
const TOP: f64 = 37.0;

/// The note's first name, as typed in the fixture: it wraps.
const FIRST_NAME: &str = "云溪县2024年安全生产大检查工作方案暨重点行业领域风险隐患排查整治实施细则";
const SECOND_NAME: &str = "各乡镇安全生产检查情况统计表";

fn placed() -> &'static Placed {
    static PLACED: OnceLock<Placed> = OnceLock::new();
    PLACED.get_or_init(|| flatten(&layout(&fixture("attachments"), "1")))
}

fn text(line: &[&PlacedGlyph]) -> String {
    line.iter().map(|g| g.text.as_str()).collect()
}

/// The grid line (1–22) a body glyph's baseline stands on.
fn line_of(y: f64) -> usize {
    ((y - TOP) / PITCH).floor() as usize + 1
}

/// The cell (0–27) a glyph's left edge stands on, when it stands on one.
fn cell_of(g: &PlacedGlyph) -> f64 {
    (g.x - LEFT) / CELL
}

fn assert_on_cell(g: &PlacedGlyph, cell: f64, what: &str) {
    assert!(
        (cell_of(g) - cell).abs() < 0.02,
        "{what}: “{}” at cell {:.3}, not {cell}",
        g.text,
        cell_of(g)
    );
}

/// Every 3号 line of every page, with its page.
fn all_lines(p: &Placed) -> Vec<(usize, Vec<&PlacedGlyph>)> {
    (1..=p.pages)
        .flat_map(|page| p.body_lines(page).into_iter().map(move |l| (page, l)))
        .collect()
}

#[test]
fn the_note_is_set_on_the_grid_its_numbers_and_names_aligned() {
    let p = placed();
    let lines = all_lines(p);
    let at = lines
        .iter()
        .position(|(_, l)| text(l).starts_with("附件："))
        .expect("a line starting 附件：");
    let (page, first) = &lines[at];
    let (_, wrapped) = &lines[at + 1];
    let (_, second) = &lines[at + 2];
    // 附件 two cells in (左空二字), the colon full width, the number after it.
    assert_on_cell(first[0], 2.0, "附");
    assert_eq!(first[2].text, "：");
    assert_on_cell(first[2], 4.0, "the colon");
    let one = first.iter().find(|g| g.text.starts_with('1')).unwrap();
    assert_on_cell(one, 5.0, "the number 1.");
    // The name on a whole cell after the number, a little clear of it.
    let name = first.iter().find(|g| g.text == "云").unwrap();
    let name_cell = cell_of(name);
    assert!(
        (name_cell - name_cell.round()).abs() < 0.02 && name.x > one.x + one.advance + 0.5,
        "the name at cell {name_cell:.3}"
    );
    // The note's text as typed, over its three lines.
    let joined: String = [first, wrapped, second].iter().map(|l| text(l)).collect();
    assert_eq!(
        joined.replace(' ', ""),
        format!("附件：1.{FIRST_NAME}2.{SECOND_NAME}")
    );
    // The long name wraps under its first character (a hanging indent).
    assert!(
        (wrapped[0].x - name.x).abs() < 0.02,
        "wrapped line at {:.2}",
        wrapped[0].x
    );
    // The second number under the first, its name under the first name.
    let two = second[0];
    assert!(two.text.starts_with('2'));
    assert!(
        (two.x - one.x).abs() < 0.02,
        "2. at {:.2}, 1. at {:.2}",
        two.x,
        one.x
    );
    let second_name = second.iter().find(|g| g.text == "各").unwrap();
    assert!((second_name.x - name.x).abs() < 0.02);
    // On consecutive grid lines, one blank line under the text above.
    let above = &lines[at - 1];
    assert_eq!(above.0, *page);
    assert_eq!(line_of(first[0].y), line_of(above.1[0].y) + 2);
    assert_eq!(line_of(wrapped[0].y), line_of(first[0].y) + 1);
    assert_eq!(line_of(second[0].y), line_of(first[0].y) + 2);
    // Set in 仿宋 as the body, not as a heading.
    let body_face = &above
        .1
        .iter()
        .find(|g| g.text == "完")
        .expect("the paragraph above")
        .family;
    for g in first.iter().chain(second.iter()) {
        if is_full_width(g.text.chars().next().unwrap()) {
            assert_eq!(&g.family, body_face, "“{}” of the note", g.text);
        }
    }
}

/// The page a line `附件N` (alone) stands on, and that line.
fn mark<'a>(
    lines: &'a [(usize, Vec<&'a PlacedGlyph>)],
    n: u32,
) -> (usize, &'a Vec<&'a PlacedGlyph>) {
    let (page, line) = lines
        .iter()
        .find(|(_, l)| text(l).replace(' ', "") == format!("附件{n}"))
        .unwrap_or_else(|| panic!("no line 附件{n}"));
    (*page, line)
}

#[test]
fn each_attachment_starts_a_page_its_mark_top_left_its_title_on_the_third_line() {
    let p = placed();
    let lines = all_lines(p);
    let note_page = lines
        .iter()
        .find(|(_, l)| text(l).starts_with("附件："))
        .unwrap()
        .0;
    let heading_face = lines
        .iter()
        .find(|(_, l)| text(l).starts_with("一、检查范围"))
        .map(|(_, l)| l[0].family.clone())
        .unwrap();
    let mut pages = Vec::new();
    for (n, title) in [(1, FIRST_NAME), (2, SECOND_NAME)] {
        let (page, line) = mark(&lines, n);
        pages.push(page);
        // 顶格 on the type area's first line, in 黑体 at 3号.
        assert_on_cell(line[0], 0.0, "附");
        assert_eq!(line_of(line[0].y), 1, "附件{n}");
        assert_eq!(line[0].family, heading_face, "附件{n} in 黑体");
        assert!(
            lines
                .iter()
                .filter(|(pg, _)| *pg == page)
                .all(|(_, l)| l[0].y >= line[0].y)
        );
        // The title in the article title's size, centred, from line 3.
        let glyphs: Vec<&PlacedGlyph> = p
            .glyphs
            .iter()
            .filter(|g| g.page == page && (g.size_pt - 22.0).abs() < 1e-6)
            .collect();
        let rows = in_lines(glyphs);
        assert_eq!(line_of(rows[0][0].y), 3, "附件{n}'s title");
        let typed: String = rows.iter().map(|l| text(l)).collect();
        assert_eq!(typed, title);
        for row in &rows {
            let l = row[0].x;
            let r = row.last().map(|g| g.x + g.advance).unwrap();
            assert!(
                ((l + r) / 2.0 - 106.0).abs() < 1.0,
                "附件{n}: centred at {:.2}",
                (l + r) / 2.0
            );
        }
        // Its text starts under a blank line after the title.
        let last_title = line_of(rows.last().unwrap()[0].y);
        let next = lines
            .iter()
            .filter(|(pg, l)| *pg == page && line_of(l[0].y) > last_title)
            .map(|(_, l)| line_of(l[0].y))
            .min();
        if let Some(next) = next {
            assert_eq!(next, last_title + 2, "附件{n}");
        }
    }
    // Each from a new page, right after the text (attachment 1 fits one).
    assert_eq!(pages, [note_page + 1, note_page + 2]);
    assert_eq!(p.pages, note_page + 2);
}

fn built() -> &'static Vec<String> {
    static PAGES: OnceLock<Vec<String>> = OnceLock::new();
    PAGES.get_or_init(|| {
        let dir = copy_publication(&fixture("attachments"));
        let out = jianbao(dir.path(), &["build", "1"]);
        assert!(out.status.success(), "{}", stderr(&out));
        pdf_text(&std::fs::read(dir.path().join("out/001.pdf")).unwrap())
    })
}

#[test]
fn page_numbers_go_on_and_the_closing_block_ends_the_last_attachment() {
    let pages = built();
    assert_eq!(pages.len(), 4);
    for (k, page) in pages.iter().enumerate() {
        assert!(
            page.contains(&format!("—{}—", k + 1)),
            "page {}: {page}",
            k + 1
        );
    }
    let last = pages.last().unwrap();
    assert_in_order(
        last,
        &["附件2", SECOND_NAME, "合计", "报：", "发：", "印发"],
    );
    assert!(pages[..3].iter().all(|p| !p.contains("印发")));
}

#[test]
fn contents_lists_the_articles_and_not_the_attachments() {
    let first = &built()[0];
    assert_in_order(
        first,
        &[
            "本期要目",
            "全县防汛备汛工作全面启动",
            "县安委会部署安全生产大检查",
        ],
    );
    for title in [FIRST_NAME, SECOND_NAME, "附件"] {
        assert!(!first.contains(title), "本期要目 lists {title}: {first}");
    }
}

#[test]
fn check_fix_leaves_the_note_and_marks_as_typed() {
    let dir = copy_publication(&fixture("attachments"));
    let path = dir.path().join("issues/001.md");
    let typed = std::fs::read_to_string(&path).unwrap();
    // A name with half-width brackets between Chinese: the name is
    // cleaned, the `2. ` and `附件：1. ` are not.
    let dirty = typed.replace(
        "2. 各乡镇安全生产检查情况统计表",
        "2. 各乡镇安全生产检查情况统计表(2024年)",
    );
    let dirty = dirty.replace(
        "# 各乡镇安全生产检查情况统计表",
        "# 各乡镇安全生产检查情况统计表（2024年）",
    );
    std::fs::write(&path, &dirty).unwrap();
    let out = jianbao(dir.path(), &["check", "--fix"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        fixed,
        typed
            .replace(
                "2. 各乡镇安全生产检查情况统计表",
                "2. 各乡镇安全生产检查情况统计表（2024年）"
            )
            .replace(
                "# 各乡镇安全生产检查情况统计表",
                "# 各乡镇安全生产检查情况统计表（2024年）"
            )
    );
    // Nothing more to say once fixed: the note's `2.` is no heading.
    let out = jianbao(dir.path(), &["check"]);
    assert!(
        out.status.success() && !stderr(&out).contains("warning"),
        "{}",
        stderr(&out)
    );
}

/// `check` on a copy of the fixture with `edit` made to its issue.
fn check_broken(edit: impl Fn(&str) -> String) -> (bool, String) {
    let dir = copy_publication(&fixture("attachments"));
    let path = dir.path().join("issues/001.md");
    let typed = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, edit(&typed)).unwrap();
    let out = jianbao(dir.path(), &["check"]);
    (out.status.success(), stderr(&out))
}

#[test]
fn check_says_where_note_and_attachments_disagree() {
    // Line numbers of the fixture's issue: the note on 21–22, 附件1 on 24,
    // its title on 26, 附件2 on 48, its title on 50.
    let (ok, said) = check_broken(|t| {
        t.replace(
            "2. 各乡镇安全生产检查情况统计表",
            "3. 各乡镇安全生产检查情况统计表。",
        )
        .replace(
            "# 各乡镇安全生产检查情况统计表",
            "# 各乡镇安全检查情况统计表",
        )
    });
    assert!(!ok);
    for expected in [
        "issues/001.md:22:1: error[attachment-number]",
        "issues/001.md:22:18: warning[attachment-note-punctuation]",
        "issues/001.md:50:3: warning[attachment-title]",
    ] {
        assert!(said.contains(expected), "{expected} in:\n{said}");
    }
    // The help says what to do, in Chinese.
    assert!(said.contains("help: 附件名称后不加标点符号"), "{said}");
    // One more attachment than the note lists, and an empty one.
    let (ok, said) = check_broken(|t| format!("{t}\n附件3\n"));
    assert!(!ok);
    assert!(
        said.contains("issues/001.md:21:1: warning[attachment-count]"),
        "{said}"
    );
    assert!(
        said.contains("issues/001.md:62:1: error[attachment-empty]"),
        "{said}"
    );
    // Two attachments numbered alike.
    let (ok, said) = check_broken(|t| t.replace("附件2\n", "附件1\n"));
    assert!(!ok);
    assert!(
        said.contains("issues/001.md:48:3: error[attachment-number]"),
        "{said}"
    );
    // A mark with no note before it: a warning, the build goes on.
    let (ok, said) = check_broken(|t| {
        t.replace("附件：1. ", "")
            .replace("\n2. 各乡镇", "\n各乡镇")
    });
    assert!(ok, "{said}");
    assert!(
        said.contains("issues/001.md:24:1: warning[attachment-without-note]"),
        "{said}"
    );
    // A mark of four digits or more: no attachment has that number, and
    // its title would be read as an article's (the attack review).
    let (ok, said) = check_broken(|t| t.replace("附件2\n", "附件1000\n"));
    assert!(!ok);
    assert!(
        said.contains("issues/001.md:48:1: error[attachment-number]: “附件1000”的序号太大"),
        "{said}"
    );
    // Fewer attachments than the note lists.
    let (ok, said) = check_broken(|t| t[..t.find("附件2\n").unwrap()].to_string());
    assert!(ok, "{said}");
    assert!(
        said.contains("issues/001.md:21:1: warning[attachment-count]"),
        "{said}"
    );
}

#[test]
fn an_attachment_before_the_first_article_is_refused() {
    let dir = copy_publication(&fixture("attachments"));
    let path = dir.path().join("issues/001.md");
    let typed = std::fs::read_to_string(&path).unwrap();
    let body = typed.find("# 全县防汛").unwrap();
    let moved = format!(
        "{}附件1\n\n# 说明\n\n正文。\n\n{}",
        &typed[..body],
        &typed[body..]
    );
    std::fs::write(&path, moved).unwrap();
    let out = jianbao(dir.path(), &["build", "1"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("issues/001.md:9:1: error[attachment-before-article]"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("out/001.pdf").exists());
}

#[test]
fn a_single_attachment_has_no_number_its_name_after_the_colon() {
    let p = flatten(&layout(&fixture("attachments"), "2"));
    let lines = all_lines(&p);
    let at = lines
        .iter()
        .position(|(_, l)| text(l).starts_with("附件："))
        .expect("a line starting 附件：");
    let (page, first) = &lines[at];
    let (_, wrapped) = &lines[at + 1];
    assert_on_cell(first[0], 2.0, "附");
    // No number: the name right after the colon, on cell 5.
    assert_eq!(first[3].text, "云");
    assert_on_cell(first[3], 5.0, "the name");
    assert_on_cell(wrapped[0], 5.0, "the wrapped name");
    assert_eq!(line_of(wrapped[0].y), line_of(first[0].y) + 1);
    // `附件` alone, top left of the next page; its title from line 3.
    let (mark_page, mark) = lines
        .iter()
        .find(|(_, l)| text(l) == "附件")
        .map(|(pg, l)| (*pg, l))
        .expect("a line 附件");
    assert_eq!(mark_page, page + 1);
    assert_on_cell(mark[0], 0.0, "附");
    assert_eq!(line_of(mark[0].y), 1);
    let title: Vec<&PlacedGlyph> = p
        .glyphs
        .iter()
        .filter(|g| g.page == mark_page && (g.size_pt - 22.0).abs() < 1e-6)
        .collect();
    assert_eq!(line_of(in_lines(title)[0][0].y), 3);
    // Its headings number afresh: `check` is silent on the fixture.
    let out = jianbao(&fixture("attachments"), &["check", "2"]);
    assert!(
        out.status.success() && !stderr(&out).contains("warning"),
        "{}",
        stderr(&out)
    );
}
