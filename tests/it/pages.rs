//! Pagination, measured on the laid-out frames: no widow or orphan at a
//! page break, a picture that does not fit the rest of a page (it floats
//! while the text after it fills the page, or is made a little smaller),
//! a chain of short articles on full pages, and the 报/送/发 block kept on
//! the last page of text by its tighter setting — or, when it cannot be,
//! the one line that says how many lines to cut. The fixture is a county
//! safety bulletin (`tests/fixtures/pages`); 第4期 and the other fixtures
//! are held to the same rules.

use std::sync::OnceLock;

use crate::common::*;

const LEFT: f64 = 28.0;
const RIGHT: f64 = 184.0;
const TOP: f64 = 37.0;
const BOTTOM: f64 = 262.0;
/// 4号 in mm: the closing block's type and its 1 字 inset.
const SIZE_4: f64 = 14.0 / PT_PER_MM;
/// The closing block's tightest pitch: 1.5 × 4号 (docs/page-format.md, "The 报/送/发 block").
const CLOSING_MIN_PITCH: f64 = 1.5 * SIZE_4;

fn cached(
    cell: &'static OnceLock<Placed>,
    dir: fn() -> std::path::PathBuf,
    n: &str,
) -> &'static Placed {
    cell.get_or_init(|| flatten(&layout(&dir(), n)))
}

fn issue(n: usize) -> &'static Placed {
    static CELLS: [OnceLock<Placed>; 6] = [const { OnceLock::new() }; 6];
    cached(&CELLS[n - 1], || fixture("pages"), &n.to_string())
}

fn issue_4() -> &'static Placed {
    static PLACED: OnceLock<Placed> = OnceLock::new();
    cached(&PLACED, repo, "4")
}

/// Every laid-out issue these rules are held to.
fn all() -> Vec<(String, &'static Placed)> {
    static OTHERS: OnceLock<Vec<(String, Placed)>> = OnceLock::new();
    let others = OTHERS.get_or_init(|| {
        [("county", "12"), ("multi", "7"), ("pictures", "3")]
            .iter()
            .map(|(name, n)| (name.to_string(), flatten(&layout(&fixture(name), n))))
            .collect()
    });
    let mut all: Vec<(String, &'static Placed)> =
        (1..=6).map(|n| (format!("pages {n}"), issue(n))).collect();
    all.push(("第4期".into(), issue_4()));
    all.extend(others.iter().map(|(name, p)| (name.clone(), p)));
    all
}

/// The glyph lines of a page inside the type area, top to bottom, each
/// left to right; the masthead of page 1 is left out.
fn lines_of(p: &Placed, page: usize) -> Vec<Vec<&PlacedGlyph>> {
    let masthead_end = if page == 1 { masthead_bottom(p) } else { TOP };
    let mut glyphs: Vec<&PlacedGlyph> = p
        .glyphs
        .iter()
        .filter(|g| g.page == page && g.y > masthead_end && g.y < BOTTOM)
        .collect();
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<Vec<&PlacedGlyph>> = Vec::new();
    for g in glyphs {
        match lines.last_mut() {
            Some(l) if (l[0].y - g.y).abs() < 1.0 => l.push(g),
            _ => lines.push(vec![g]),
        }
    }
    for l in &mut lines {
        l.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    lines
}

/// The red rule under the masthead.
fn masthead_bottom(p: &Placed) -> f64 {
    p.lines
        .iter()
        .filter(|l| l.page == 1 && l.red)
        .map(|l| l.y)
        .fold(TOP, f64::max)
}

fn text(line: &[&PlacedGlyph]) -> String {
    line.iter().map(|g| g.text.as_str()).collect()
}

fn is_body(line: &[&PlacedGlyph]) -> bool {
    (line[0].size_pt - 16.0).abs() < 0.01
}

/// A body line that starts at the margin: a paragraph's second line or
/// later (a 【栏目】 label and 本期要目 lines also start there).
fn continues(line: &[&PlacedGlyph]) -> bool {
    let t = text(line);
    is_body(line) && (line[0].x - LEFT).abs() < 0.05 && !t.starts_with('【') && !t.contains("....")
}

/// A body line that starts 2 字 in: a paragraph's (or heading's) first.
fn opens(line: &[&PlacedGlyph]) -> bool {
    is_body(line) && (line[0].x - LEFT - 2.0 * CELL).abs() < 0.05
}

/// The grid line (0–21) a glyph's baseline is on.
fn grid_line(y: f64) -> usize {
    ((y - TOP) / PITCH).floor() as usize
}

/// How many grid lines are empty at the foot of a page, under its last
/// line of text or picture (the closing block and page number left out).
fn empty_at_foot(p: &Placed, page: usize) -> usize {
    let text = lines_of(p, page)
        .iter()
        .filter(|l| (l[0].size_pt - 14.0).abs() > 0.01)
        .map(|l| grid_line(l[0].y) + 1)
        .max()
        .unwrap_or(0);
    let pictures = p
        .images
        .iter()
        .filter(|i| i.page == page)
        .map(|i| ((i.y + i.height - TOP) / PITCH - 0.01).ceil() as usize + 1)
        .max()
        .unwrap_or(0);
    22 - text.max(pictures).min(22)
}

/// Whether a page starts with an article: its title, 引题 or 【栏目】,
/// or the 编者按 (楷体 text) above them.
fn starts_article(p: &Placed, page: usize) -> bool {
    let first_picture = p
        .images
        .iter()
        .filter(|i| i.page == page)
        .map(|i| i.y)
        .fold(f64::MAX, f64::min);
    let lines = lines_of(p, page);
    // A note's text is 楷体, its label 黑体: no 仿宋.
    let note = |l: &Vec<&PlacedGlyph>| {
        (opens(l) || continues(l)) && l.iter().all(|g| !g.family.contains("Fang"))
    };
    lines.iter().find(|l| !note(l)).is_some_and(|l| {
        let centred = !opens(l) && !continues(l);
        l[0].y < first_picture
            && ((l[0].size_pt - 22.0).abs() < 0.01 || centred || text(l).starts_with('【'))
    })
}

/// The last page with body text (the closing block may stand alone after it).
fn last_text_page(p: &Placed) -> usize {
    (1..=p.pages)
        .rev()
        .find(|&page| {
            lines_of(p, page)
                .iter()
                .any(|l| (l[0].size_pt - 14.0).abs() > 0.01)
        })
        .unwrap()
}

#[test]
fn no_page_opens_with_a_paragraphs_last_line_nor_ends_with_its_first() {
    // 第4期 and pages 5 give the no-orphan rule up once, on purpose: kept,
    // it would leave the 报/送/发 block alone on a page of its own (see
    // the tests of the closing block below). The widow rule holds for all.
    let orphan_allowed = ["第4期", "pages 5"];
    for (name, p) in all() {
        for page in 1..p.pages {
            let here: Vec<_> = lines_of(p, page)
                .into_iter()
                .filter(|l| is_body(l))
                .collect();
            let next: Vec<_> = lines_of(p, page + 1)
                .into_iter()
                .filter(|l| is_body(l))
                .collect();
            let (Some(foot), Some(top)) = (here.last(), next.first()) else {
                continue;
            };
            // An orphan: a paragraph's first line at the foot, the rest over the page.
            assert!(
                orphan_allowed.contains(&name.as_str()) || !(opens(foot) && continues(top)),
                "{name}: page {page} ends with the first line of a paragraph: {}",
                text(foot)
            );
            // A widow: a paragraph's last line alone at the top.
            if continues(top) {
                let last_of_paragraph = next.get(1).is_none_or(|l| !continues(l));
                assert!(
                    !last_of_paragraph,
                    "{name}: page {} opens with the last line of a paragraph: {}",
                    page + 1,
                    text(top)
                );
            }
        }
    }
}

#[test]
fn no_page_before_the_last_is_left_short() {
    for (name, p) in all() {
        let last = last_text_page(p);
        for page in 1..last {
            let empty = empty_at_foot(p, page);
            let limit = if starts_article(p, page + 1) { 8 } else { 5 };
            assert!(
                empty < limit,
                "{name}: page {page} ends with {empty} empty lines (fewer than {limit} allowed)"
            );
        }
    }
}

#[test]
fn the_widow_and_the_orphan_of_issue_1_are_avoided() {
    let p = issue(1);
    // Where a greedy page break would have left them: page 1 ends a line
    // short rather than leave 会议要求's first line alone at its foot …
    let foot = lines_of(p, 1).into_iter().rfind(|l| is_body(l)).unwrap();
    assert!(!opens(&foot), "page 1 ends with {}", text(&foot));
    // … and 再强调三点意见。 does not open page 3 alone: page 2 ends a line
    // short and the line before it comes along.
    assert_eq!(empty_at_foot(p, 2), 1);
    let page_3: Vec<String> = lines_of(p, 3).iter().map(|l| text(l)).collect();
    assert!(page_3[1].ends_with("再强调三点意见。"), "{page_3:?}");
}

#[test]
fn a_picture_that_does_not_fit_floats_and_the_text_after_it_fills_the_page() {
    let p = issue(2);
    assert_eq!(p.images.len(), 1);
    let picture = &p.images[0];
    // At the top of its page (its row's first line), at its full size
    // (the type area's width).
    assert!(picture.y >= TOP && picture.y < TOP + PITCH, "{picture:?}");
    assert!((picture.width - 156.0).abs() < 0.05, "{picture:?}");
    // The page before is full: the text that follows the picture in the
    // issue fills it.
    let before = picture.page - 1;
    assert_eq!(empty_at_foot(p, before), 0, "page {before} is not full");
    let text_before: String = lines_of(p, before).iter().map(|l| text(l)).collect();
    assert!(
        text_before.contains("检查中，检查组还深入施工现场"),
        "{text_before}"
    );
    // Its caption right under it.
    let caption: String = lines_of(p, picture.page)
        .iter()
        .filter(|l| {
            l[0].y > picture.y + picture.height && l[0].y < picture.y + picture.height + PITCH
        })
        .map(|l| text(l))
        .collect();
    assert_eq!(caption, "检查组在企业生产车间检查设备安全防护情况");
}

#[test]
fn a_picture_made_smaller_stays_beside_its_text() {
    let p = issue(3);
    assert_eq!(p.images.len(), 1);
    let picture = &p.images[0];
    // {width=100%} of a 4 : 3 photograph: 156 × 117 mm, 12 grid lines;
    // here it is made smaller to the lines left on page 1, not below 80 %.
    let scale = picture.width / 156.0;
    assert!((0.8..1.0).contains(&scale), "scale {scale:.3}");
    assert!((picture.height / picture.width - 0.75).abs() < 0.01);
    // Centred, on the page of the paragraph before it, its caption under
    // it, and the page full.
    assert!(((picture.x + picture.width / 2.0) - (LEFT + RIGHT) / 2.0).abs() < 0.05);
    let page: String = lines_of(p, picture.page).iter().map(|l| text(l)).collect();
    assert!(page.contains("确保河道堤防安全。"), "{page}");
    let caption_line = grid_line(picture.y + picture.height + PITCH / 2.0);
    assert_eq!(caption_line, 21, "the caption on the page's last line");
}

#[test]
fn a_chain_of_short_articles_fills_its_pages() {
    let p = issue(4);
    assert!(p.pages >= 2);
    for page in 1..last_text_page(p) {
        // Pages end no more than the article that did not fit short: a
        // title, the blank under it and two lines.
        let empty = empty_at_foot(p, page);
        assert!(empty <= 4, "page {page}: {empty} empty lines");
    }
}

/// The closing block of the last page: its 4号 glyph lines and its rules.
fn closing(p: &Placed) -> (Vec<Vec<&PlacedGlyph>>, Vec<&PlacedLine>) {
    let page = p.pages;
    let lines = lines_of(p, page)
        .into_iter()
        .filter(|l| (l[0].size_pt - 14.0).abs() < 0.01)
        .collect();
    let mut rules: Vec<&PlacedLine> = p
        .lines
        .iter()
        .filter(|l| l.page == page && !l.red)
        .collect();
    rules.sort_by(|a, b| a.y.total_cmp(&b.y));
    (lines, rules)
}

/// The closing block set tighter, as GB/T 9704 §7.4 leaves it free to:
/// its type, rules and insets as on the grid, its rows at one pitch
/// between the grid's and 1.5 × 4号, under the last line of text.
fn assert_tight_closing(name: &str, p: &Placed) {
    let (lines, rules) = closing(p);
    assert!(lines.len() >= 3, "{name}: {}", lines.len());
    // 4号 仿宋.
    for g in lines.iter().flatten() {
        assert!(
            (g.size_pt - 14.0).abs() < 1e-6,
            "{name}: {} at {} pt",
            g.text,
            g.size_pt
        );
        if g.text.chars().all(is_full_width) {
            assert!(
                g.family.contains("Fang"),
                "{name}: {} in {}",
                g.text,
                g.family
            );
        }
    }
    // One pitch, tighter than the grid, not below the floor.
    let pitches: Vec<f64> = lines.windows(2).map(|w| w[1][0].y - w[0][0].y).collect();
    let pitch = pitches[0];
    assert!(
        pitches.iter().all(|q| (q - pitch).abs() < 0.05),
        "{name}: {pitches:?}"
    );
    assert!(
        (CLOSING_MIN_PITCH - 0.01..PITCH - 0.1).contains(&pitch),
        "{name}: pitch {pitch:.2} mm"
    );
    // Rules: as wide as the type area; thick first and last, the last on
    // the type area's foot; a thin one above the 印发 line.
    assert_eq!(rules.len(), 3, "{name}: {rules:?}");
    for r in &rules {
        assert!(
            (r.length - 156.0).abs() < 0.01 && (r.x - LEFT).abs() < 0.01,
            "{name}: {r:?}"
        );
    }
    let (first, thin, last) = (rules[0], rules[1], rules[2]);
    assert!((first.thickness - 0.35).abs() < 0.01 && (last.thickness - 0.35).abs() < 0.01);
    assert!((thin.thickness - 0.25).abs() < 0.01, "{name}: {thin:?}");
    assert!(
        (last.y - BOTTOM).abs() < 0.05,
        "{name}: last rule at {:.2}",
        last.y
    );
    let imprint = lines
        .iter()
        .rev()
        .find(|l| text(l).ends_with("印发"))
        .expect("the 印发 line");
    assert!(
        thin.y < imprint[0].y && imprint[0].y < last.y,
        "{name}: thin rule not above 印发"
    );
    // Every row between two rules, none touching one: the em box (0.88 em
    // above the baseline, 0.12 below) clear of the rules' strokes.
    for l in &lines {
        let (top, bottom) = (l[0].y - 0.88 * SIZE_4, l[0].y + 0.12 * SIZE_4);
        for r in &rules {
            let (above, below) = (r.y - r.thickness / 2.0, r.y + r.thickness / 2.0);
            assert!(
                bottom < above || top > below,
                "{name}: {} touches a rule",
                text(l)
            );
        }
    }
    // The first rule under the last line of text: its em box clear of it.
    let text_above = lines_of(p, p.pages)
        .into_iter()
        .rfind(|l| (l[0].size_pt - 14.0).abs() > 0.01)
        .unwrap();
    assert!(
        text_above[0].y + 0.12 * text_above[0].size_pt / PT_PER_MM < first.y - 0.5,
        "{name}"
    );
    // Insets of 1 字 (a 4号 em): 报/送/发 at the left, the date at the right.
    for l in &lines {
        let t = text(l);
        if t.starts_with("报：") || t.starts_with("送：") || t.starts_with("发：") {
            assert!(
                (l[0].x - (LEFT + SIZE_4)).abs() < 0.05,
                "{name}: {t} at {:.2}",
                l[0].x
            );
        }
    }
    let end = imprint.last().unwrap();
    assert!(
        (end.x + end.advance - (RIGHT - SIZE_4)).abs() < 0.3,
        "{name}: date ends at {:.2}",
        end.x + end.advance
    );
    assert!(
        (imprint[0].x - (LEFT + SIZE_4)).abs() < 0.05,
        "{name}: unit at {:.2}",
        imprint[0].x
    );
}

#[test]
fn a_closing_block_one_line_short_is_set_tighter_on_the_last_page() {
    let p = issue(5);
    assert_eq!(
        last_text_page(p),
        p.pages,
        "the block shares the text's page"
    );
    assert_tight_closing("pages 5", p);
}

#[test]
fn issue_4_ends_on_five_pages_with_its_closing_block_under_the_text() {
    // Kept to the letter, the no-orphan rule would end page 1 two lines
    // short and leave the block alone on a 70 % blank sixth page: the
    // rule is given up where that keeps the block on the text's page.
    let p = issue_4();
    assert_eq!(p.pages, 5);
    assert_eq!(last_text_page(p), 5, "the block shares the text's page");
    assert_tight_closing("第4期", p);
    let dir = copy_publication(&repo());
    let out = jianbao(dir.path(), &["build", "4"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("报尾单独占了"), "{}", stderr(&out));
}

#[test]
fn a_closing_block_that_cannot_share_the_page_says_how_many_lines_to_cut() {
    let p = issue(6);
    // Alone on the last page, on the grid (its rows a grid line apart).
    assert_eq!(last_text_page(p), p.pages - 1);
    let (lines, rules) = closing(p);
    for w in lines.windows(2) {
        assert!((w[1][0].y - w[0][0].y - PITCH).abs() < 0.05);
    }
    assert!((rules.last().unwrap().y - BOTTOM).abs() < 0.05);
    // `build` says so in one line, with the lines to cut.
    let dir = copy_publication(&fixture("pages"));
    let out = jianbao(dir.path(), &["build", "6"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let notes: Vec<&str> = err.lines().filter(|l| l.contains("报尾单独占了")).collect();
    assert_eq!(notes.len(), 1, "{err}");
    assert!(notes[0].contains("再少 2 行"), "{err}");
    // And the line asked for is enough: the last paragraph one line
    // shorter, the block shares the page of text.
    let path = dir.path().join("issues/006.md");
    let source = std::fs::read_to_string(&path).unwrap();
    let last = "会议强调，各乡镇、各部门主要负责同志要亲自研究部署，分管负责同志要靠前指挥，层层压实责任。";
    assert!(source.contains(last));
    std::fs::write(
        &path,
        source.replace(last, "会议强调，各乡镇、各部门要层层压实责任。"),
    )
    .unwrap();
    let fewer = flatten(&layout(dir.path(), "6"));
    assert_eq!(last_text_page(&fewer), fewer.pages);
    assert_tight_closing("pages 6, a line shorter", &fewer);
}
