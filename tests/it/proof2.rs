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
    let mut glyphs: Vec<&PlacedGlyph> = p
        .glyphs
        .iter()
        .filter(|g| g.page == page && (g.size_pt - size).abs() < 0.01 && g.y < TOP + 225.0)
        .collect();
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<Vec<&PlacedGlyph>> = Vec::new();
    for g in glyphs {
        match lines.last_mut() {
            Some(l) if (l[0].y - g.y).abs() < 0.5 => l.push(g),
            _ => lines.push(vec![g]),
        }
    }
    lines
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
