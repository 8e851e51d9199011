//! What the second proof-read (南平县《应急管理工作简报》, her issues 1, 2
//! and 4 in `tests/fixtures/proof2`) would not sign, measured on the
//! laid-out frames: an 编者按 split from the title it introduces, pages
//! left short before a new article and under the 本期要目, a picture at
//! the head of a page set below the type area's top.

use crate::common::*;

/// The type area's top, in mm from the page's top.
const TOP: f64 = 37.0;

fn issue(n: &str) -> Placed {
    flatten(&layout(&fixture("proof2"), n))
}

fn text(line: &[&PlacedGlyph]) -> String {
    line.iter().map(|g| g.text.as_str()).collect()
}

/// The glyphs of one size on a page, grouped into lines by baseline.
fn lines_of(p: &Placed, page: usize, size: f64) -> Vec<Vec<&PlacedGlyph>> {
    p.lines_at(page, size)
}

/// (page, line text) of every 3号 line of the body, in order.
fn body(p: &Placed) -> Vec<(usize, String)> {
    (1..=p.pages)
        .flat_map(|page| {
            p.body_lines(page)
                .into_iter()
                .map(move |l| (page, text(&l)))
        })
        .collect()
}

#[test]
fn an_editors_note_of_four_lines_stays_whole_with_the_title_under_it() {
    // 002: the note (4 lines) above the speech's title did not fit page 1
    // under the 本期要目 with the title: it was split 2 | 2 and page 1
    // left 6 lines empty. It is never broken, and it opens page 2 with
    // the title.
    let p = issue("2");
    let lines = body(&p);
    let first = lines
        .iter()
        .position(|(_, t)| t.starts_with("编者按"))
        .expect("the note");
    let last = lines
        .iter()
        .position(|(_, t)| t.ends_with("抓好贯彻落实。"))
        .expect("the note's last line");
    assert_eq!(last - first, 3, "{:?}", &lines[first..=last]);
    let page = lines[first].0;
    assert!(
        lines[first..=last].iter().all(|(pg, _)| *pg == page),
        "the note is split: {:?}",
        &lines[first..=last]
    );
    let title = lines_of(&p, page, 22.0);
    assert!(
        title
            .first()
            .is_some_and(|l| text(l).starts_with("坚持底线思维")),
        "the title is not under the note on page {page}"
    );
    assert!(title[0][0].y > lines_of(&p, page, 16.0)[3][0].y);
    // The 报/送/发 block (4号) shares the last page with text.
    let last_page = p.pages;
    assert!(
        !p.body_lines(last_page).is_empty(),
        "the 报/送/发 block is alone on page {last_page}"
    );
}

/// The grid lines left empty at the foot of a page: under its lowest text
/// (any size, the page number below the type area aside) or picture.
fn empty_at_foot(p: &Placed, page: usize) -> usize {
    let glyphs = p
        .glyphs
        .iter()
        .filter(|g| g.page == page && g.y < TOP + 225.0)
        .map(|g| g.y);
    let pictures = p
        .images
        .iter()
        .filter(|i| i.page == page)
        .map(|i| i.y + i.height - 0.1);
    let lowest = glyphs.chain(pictures).fold(TOP, f64::max);
    21 - ((lowest - TOP) / PITCH).floor() as usize
}

#[test]
fn the_first_article_starts_under_the_contents_on_page_1() {
    // 001: page 1 held the masthead and the 本期要目 only, 6 lines empty:
    // 【工作动态】, the title's 2 lines and 2 lines of text did not fit.
    // The 要目 one line higher (a line under the red rule's) and the label
    // right above the title (no blank between them, at a page's foot
    // only), the article starts there and fills the page.
    let p = issue("1");
    // Not the masthead's series line (2号 too).
    let mut titles = lines_of(&p, 1, 22.0);
    titles.retain(|l| l[0].y > TOP + 8.0 * PITCH);
    assert!(
        titles
            .first()
            .is_some_and(|l| text(l).starts_with("全县召开2026年")),
        "the first title is not on page 1"
    );
    let below: Vec<String> = p
        .body_lines(1)
        .into_iter()
        .filter(|l| l[0].y > titles[1][0].y)
        .map(|l| text(&l))
        .collect();
    assert_eq!(below.len(), 2, "{below:?}");
    assert_eq!(empty_at_foot(&p, 1), 0);
    // The label one grid line above the title.
    let label = p
        .body_lines(1)
        .into_iter()
        .rfind(|l| text(l) == "【工作动态】")
        .expect("the label");
    let gap = titles[0][0].y - label[0].y;
    assert!(gap < 1.5 * PITCH, "{gap:.1} mm between label and title");
    // The issue: 4 pages (it had 5), none before the last 5 lines short.
    assert_eq!(p.pages, 4);
    for page in 1..p.pages {
        assert!(empty_at_foot(&p, page) < 5, "page {page} is short");
    }
}

#[test]
fn a_new_article_starts_low_on_a_page_rather_than_leave_it_8_lines_short() {
    // 004: page 4 ended 8 lines short; 【经验交流】, the title's 2 lines and
    // the first paragraph of 3 lines (never split) needed 9 with the
    // blank between label and title. Without it they fill page 4.
    let p = issue("4");
    let titles = lines_of(&p, 4, 22.0);
    assert!(
        titles
            .first()
            .is_some_and(|l| text(l).starts_with("青山乡")),
        "the title is not on page 4"
    );
    assert_eq!(empty_at_foot(&p, 4), 0);
    for page in 1..p.pages {
        assert!(empty_at_foot(&p, page) < 5, "page {page} is short");
    }
    // Elsewhere a label keeps its blank line: 【专题聚焦】 atop page 2.
    let label = &p.body_lines(2)[0];
    assert_eq!(text(label), "【专题聚焦】");
    let title = &lines_of(&p, 2, 22.0)[0];
    assert!(title[0].y - label[0].y > 1.5 * PITCH);
    // The 报/送/发 block under the text of the last page.
    assert!(!p.body_lines(p.pages).is_empty());
}

#[test]
fn a_picture_at_the_head_of_a_page_stands_at_the_type_areas_top() {
    // 004 p.5 opens with the tall picture of 【经验交流】 (no caption): no
    // text above it to keep half an em clear of, it stands on the type
    // area's top edge (it stood 8.5 mm below it in 001 p.3 of the
    // proof-read), and the text under it keeps its grid lines.
    let p = issue("4");
    let picture = p
        .images
        .iter()
        .find(|i| i.page == 5)
        .expect("a picture on page 5");
    assert!(
        (picture.y - TOP).abs() < 0.05,
        "the picture's top {:.1} mm below the type area's",
        picture.y - TOP
    );
    let first = &p.body_lines(5)[0];
    assert!(first[0].y > picture.y + picture.height);
    // A picture under text keeps its clearance: 004 p.3's row of photos.
    let row = p
        .images
        .iter()
        .find(|i| i.page == 3)
        .expect("photos on p.3");
    let above = p
        .body_lines(3)
        .into_iter()
        .rfind(|l| l[0].y < row.y)
        .expect("text above the photos");
    assert!(row.y - above[0].y > 8.0);
}
