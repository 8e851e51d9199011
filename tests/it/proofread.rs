//! What the issue-15 proof-read and new-user review marked in pages and
//! pictures, measured on the laid-out frames of `tests/fixtures/proofread`:
//! a picture that would leave a page short, two photos on consecutive
//! lines, the room above a picture and above the 报/送/发 block, numbers
//! with a thousands space, Ⅲ级, addresses with long digit runs and
//! parallel （一）（二）（三） headings.

use crate::common::*;

const LEFT: f64 = 28.0;
const TOP: f64 = 37.0;
/// 3号: the body's em, in mm.
const EM: f64 = 16.0 / PT_PER_MM;
/// Below the baseline, a 仿宋 character's ink reaches about this far.
const FOOT: f64 = 0.12 * EM;

fn issue(n: &str) -> Placed {
    flatten(&layout(&fixture("proofread"), n))
}

/// The glyphs of one size on a page, grouped into lines by baseline.
/// (The folio too: it stands below the type area.)
fn lines_of(p: &Placed, page: usize, size: f64) -> Vec<Vec<&PlacedGlyph>> {
    in_lines(
        p.glyphs
            .iter()
            .filter(|g| g.page == page && (g.size_pt - size).abs() < 0.01),
    )
}

fn text(line: &[&PlacedGlyph]) -> String {
    line.iter().map(|g| g.text.as_str()).collect()
}

/// Body text lines (16 pt, under the masthead) of every page, in order.
fn body_texts(p: &Placed) -> Vec<String> {
    (1..=p.pages)
        .flat_map(|page| p.body_lines(page))
        .filter(|l| !(l[0].page == 1 && l[0].y < TOP + 10.0 * PITCH))
        .map(|l| text(&l))
        .collect()
}

#[test]
fn a_picture_that_would_leave_a_page_short_is_made_smaller_beside_its_text() {
    // 001: the first article's text ends at grid line 17 of page 1; its
    // picture (60 %, 9 lines with its caption) does not fit the 5 left,
    // even at 80 %, and the next title stops it floating. Made smaller
    // (its caption kept on one line), it stays; the issue is two pages.
    let p = issue("1");
    assert_eq!(p.pages, 2, "the issue fits two pages");
    assert_eq!(p.images.len(), 1);
    let picture = &p.images[0];
    assert_eq!(picture.page, 1, "{picture:?}");
    // Not below half the asked 93.6 mm.
    assert!(picture.width >= 0.5 * 0.6 * 156.0 - 0.01, "{picture:?}");
    // Its caption: one line under it, on page 1, at the page's foot.
    let mut captions = lines_of(&p, 1, 14.0);
    // Not the page number under the type area.
    captions.retain(|l| l[0].y < TOP + 225.0);
    assert_eq!(
        captions.len(),
        1,
        "{:?}",
        captions.iter().map(|l| text(l)).collect::<Vec<_>>()
    );
    assert_eq!(text(&captions[0]), "执法人员检查企业防汛物资储备");
    assert!(captions[0][0].y > picture.y + picture.height);
    assert!(
        captions[0][0].y > TOP + 20.0 * PITCH,
        "page 1 ends short: caption at {:.1} mm",
        captions[0][0].y
    );
    // The next article opens page 2.
    let titles = lines_of(&p, 2, 22.0);
    assert_eq!(text(&titles[0]), "青溪镇组织开展山洪灾害防御演练");
}

#[test]
fn pictures_on_consecutive_lines_share_a_row() {
    // 002: two 1600 × 1200 phone photos, each wider than the type area at
    // 150 ppi, on two lines one after the other: one row of two, the same
    // height, a gap between, within the type area.
    let p = issue("2");
    let [a, b] = &p.images[..] else {
        panic!("{:?}", p.images);
    };
    assert_eq!((a.page, b.page), (1, 1));
    assert!(
        (a.y - b.y).abs() < 0.01 && (a.height - b.height).abs() < 0.01,
        "{a:?} {b:?}"
    );
    let (left, right) = if a.x < b.x { (a, b) } else { (b, a) };
    assert!(right.x - (left.x + left.width) > 4.0, "{left:?} {right:?}");
    assert!(left.x >= LEFT - 0.01 && right.x + right.width <= LEFT + 156.0 + 0.01);
    // Each about half the type area: 4:3 photos, not thumbnails.
    assert!(left.width > 70.0, "{left:?}");
}

#[test]
fn a_picture_after_text_keeps_more_than_the_interline_space_clear_above_it() {
    // 002: the text line above the photos, its characters' feet, and the
    // photos' top: at least the body's own interline space (29 − 16 pt)
    // between them, as between two lines of text.
    let p = issue("2");
    let picture = &p.images[0];
    let above = p
        .body_lines(1)
        .into_iter()
        .rfind(|l| l[0].y < picture.y)
        .expect("text above the picture");
    let clear = picture.y - (above[0].y + FOOT);
    let interline = (29.0 - 16.0) / PT_PER_MM;
    assert!(
        clear >= interline,
        "{clear:.2} mm clear above the picture, the interline space is {interline:.2} mm"
    );
}

#[test]
fn the_closing_block_keeps_half_a_line_clear_of_the_text() {
    // 004: the text ends four grid lines above the foot, the block has
    // four rows: set tighter, its first rule half a line under the last
    // line's characters, not right under them.
    let p = issue("4");
    assert_eq!(p.pages, 1);
    let first_rule = p
        .lines
        .iter()
        .filter(|l| l.page == 1 && !l.red && (l.thickness - 0.35).abs() < 0.01)
        .map(|l| l.y)
        .fold(f64::INFINITY, f64::min);
    let last_text = p
        .body_lines(1)
        .into_iter()
        .rfind(|l| l[0].y < first_rule)
        .unwrap();
    assert_eq!(text(&last_text), "产安全事故发生。");
    // The feet are estimated (FOOT): a hair of tolerance.
    let clear = first_rule - (last_text[0].y + FOOT);
    assert!(
        clear >= PITCH / 2.0 - 0.05,
        "{clear:.2} mm between the text and the block's rule"
    );
}

#[test]
fn numbers_roman_numerals_and_addresses_are_never_torn() {
    // 003: "约8 600万元", "1 860余人", "由Ⅳ级提升至Ⅲ级" and an address with
    // long digit runs, at every column of the line (28 paragraphs, each
    // a character longer in front).
    let p = issue("3");
    let lines = body_texts(&p);
    assert!(lines.len() > 100, "{}", lines.len());
    let torn = |a: &str, b: &str| {
        let (Some(end), Some(start)) = (a.chars().last(), b.chars().next()) else {
            return false;
        };
        // A number across the break (8 / 600, t2026 / 0713), or a Roman
        // numeral from its 级.
        end.is_ascii_digit() && start.is_ascii_digit() || "ⅢⅣ".contains(end) && start == '级'
    };
    for w in lines.windows(2) {
        assert!(!torn(&w[0], &w[1]), "torn: {:?} / {:?}", w[0], w[1]);
    }
    // The address breaks at its joints: the next line starts with / or _.
    for w in lines.windows(2) {
        if w[0].contains("https://") && !w[0].contains(".html") {
            assert!(w[1].starts_with(['/', '.', '_']), "{:?} / {:?}", w[0], w[1]);
        }
    }
}

#[test]
fn a_thousands_space_is_a_thin_space_that_does_not_stretch() {
    // 003: in "8 600" the space stays a quarter em (GB/T 15835's 千分空),
    // whatever the line's spread.
    let p = issue("3");
    let mut seen = 0;
    for page in 1..=p.pages {
        for line in p.body_lines(page) {
            // "8 600", not the "860" of "1 860".
            for k in 0..line.len().saturating_sub(1) {
                let (eight, six) = (line[k], line[k + 1]);
                let after_one = k > 0 && line[k - 1].text == "1";
                if eight.text == "8" && six.text == "6" && !after_one {
                    let gap = six.x - (eight.x + eight.advance);
                    assert!((gap - EM / 4.0).abs() < 0.05, "{gap:.2} mm in 8 600");
                    seen += 1;
                }
            }
        }
    }
    assert_eq!(seen, 28, "one 8 600 a paragraph, each on one line");
}

#[test]
fn parallel_headings_set_their_numbers_alike() {
    // 003: （一）（二）（三） run-in headings on consecutive paragraphs: the
    // character after ） stands at the same place on each.
    let p = issue("3");
    let mut after = Vec::new();
    for page in 1..=p.pages {
        for line in p.body_lines(page) {
            let t = text(&line);
            if ["（一）", "（二）", "（三）"]
                .iter()
                .any(|n| t.starts_with(n))
            {
                // The glyph after ）: by characters, not by glyph runs.
                let mut chars = 0;
                for g in &line {
                    if chars == 3 {
                        after.push((t.clone(), g.x));
                        break;
                    }
                    chars += g.text.chars().count();
                }
            }
        }
    }
    assert_eq!(after.len(), 3, "{after:?}");
    for (t, x) in &after {
        assert!(
            (x - after[0].1).abs() < 0.05,
            "{t}: {x:.2} mm, not {:.2}",
            after[0].1
        );
    }
}

#[test]
fn a_lone_closing_block_names_the_picture_to_make_smaller_and_that_is_enough() {
    // 005: page 2 holds a full-width photo and the text after it; the
    // block does not fit under it and takes page 3. The note says how
    // many lines to cut, or which picture to make smaller and to what
    // width; doing what it says puts the block on page 2.
    let dir = copy_publication(&fixture("proofread"));
    let out = jianbao(dir.path(), &["build", "5"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let note = err
        .lines()
        .find(|l| l.contains("报尾单独占了最后一页"))
        .unwrap_or_else(|| panic!("no note: {err}"));
    assert!(note.contains("正文再少 2 行"), "{note}");
    let at = note.find("images/drill.jpg 改小（如 {width=").expect(note);
    let width: String = note[at..]
        .split("{width=")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(|c| *c != '}')
        .collect();
    assert!(width.ends_with('%'), "{note}");
    assert_eq!(flatten(&layout(dir.path(), "5")).pages, 3);
    let path = dir.path().join("issues/005.md");
    let source = std::fs::read_to_string(&path).unwrap();
    let line = "![救援队员开展水上搜救演练](images/drill.jpg)";
    assert!(source.contains(line));
    std::fs::write(
        &path,
        source.replace(line, &format!("{line}{{width={width}}}")),
    )
    .unwrap();
    let out = jianbao(dir.path(), &["build", "5", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("报尾单独占了"), "{}", stderr(&out));
    assert_eq!(flatten(&layout(dir.path(), "5")).pages, 2);
}

#[test]
fn a_caption_under_a_logo_is_set_wider_than_a_column_of_four_characters() {
    // A proof-reader's mark: under a 25 mm logo the caption read
    // “《预案》/修订工作/专班会议”, three lines of four characters. Under a
    // picture alone in its row and narrower than ten 4号 characters, the
    // caption is set wider, centred on it, on at most two lines.
    let p = issue("6");
    assert_eq!(p.images.len(), 1);
    let logo = &p.images[0];
    assert!(logo.width < 30.0, "{logo:?}");
    let foot = logo.y + logo.height;
    let under: Vec<Vec<&PlacedGlyph>> = lines_of(&p, logo.page, 14.0)
        .into_iter()
        .map(|l| {
            l.into_iter()
                .filter(|g| g.family.contains("Kai"))
                .collect::<Vec<_>>()
        })
        .filter(|l| !l.is_empty() && l[0].y > foot && l[0].y < foot + 3.0 * PITCH)
        .collect();
    let texts: Vec<String> = under.iter().map(|l| text(l)).collect();
    assert_eq!(texts.concat(), "《预案》修订工作专班会议");
    assert!(texts.len() <= 2, "{texts:?}");
    let mid = logo.x + logo.width / 2.0;
    for l in &under {
        let (left, right) = (l[0].x, l[l.len() - 1].x + l[l.len() - 1].advance);
        // An opening mark's ink is the right half of its em: typst trims
        // the blank half at a line start and centres the line by its ink.
        let left = if "《“（【〈「『".contains(l[0].text.as_str()) {
            left + 14.0 / PT_PER_MM / 2.0
        } else {
            left
        };
        assert!(left >= LEFT - 0.1 && right <= LEFT + 156.1, "{texts:?}");
        assert!(
            ((left + right) / 2.0 - mid).abs() < 0.6,
            "{texts:?} not centred: {left:.2}–{right:.2} under {:.2}–{:.2}",
            logo.x,
            logo.x + logo.width
        );
    }
}
