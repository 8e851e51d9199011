//! Geometry of the laid-out Typst document for issue 4, measured on the
//! frames (positions in mm from the page's top-left corner) against
//! docs/page-format.md: type area, grid, faces, rules, closing block, page
//! numbers.

use std::sync::OnceLock;

use crate::common::*;

const LEFT: f64 = 28.0;
const RIGHT: f64 = 184.0;
const TOP: f64 = 37.0;
const BOTTOM: f64 = 262.0;
const EM: f64 = 16.0 / PT_PER_MM;

fn issue_4() -> &'static Placed {
    static PLACED: OnceLock<Placed> = OnceLock::new();
    PLACED.get_or_init(|| flatten(&layout(&repo(), "4")))
}

/// Body lines of every page (16 pt glyphs inside the type area), without
/// the masthead's lines on page 1.
fn body_lines(p: &Placed) -> Vec<(usize, Vec<&PlacedGlyph>)> {
    let mut out = Vec::new();
    for page in 1..=p.pages {
        for line in p.body_lines(page) {
            let masthead = page == 1 && line[0].y < TOP + 10.0 * PITCH;
            let centred = line.iter().all(|g| g.family.contains("Kai")) && line.len() < 20;
            if !masthead && !centred {
                out.push((page, line));
            }
        }
    }
    out
}

/// A line that reaches the right edge of the type area.
fn is_full(line: &[&PlacedGlyph]) -> bool {
    let last = line.last().unwrap();
    last.x + CELL > RIGHT - 0.2
}

fn is_wide(g: &PlacedGlyph) -> bool {
    g.text.chars().count() == 1 && g.text.chars().all(|c| c as u32 >= 0x2000)
}

#[test]
fn body_is_16pt_fangsong_and_headings_heiti() {
    let p = issue_4();
    let lines = body_lines(p);
    assert!(lines.len() > 60);
    for (_, line) in &lines {
        for g in line {
            assert!(
                (g.size_pt - 16.0).abs() < 1e-6,
                "{} at {}pt",
                g.text,
                g.size_pt
            );
        }
    }
    let heading: Vec<_> = lines
        .iter()
        .filter(|(_, l)| {
            l.iter()
                .map(|g| g.text.as_str())
                .collect::<String>()
                .starts_with("一、")
        })
        .collect();
    assert_eq!(heading.len(), 1);
    assert!(
        heading[0].1.iter().all(|g| g.family == "FandolHei"),
        "heading face"
    );
    let body = lines
        .iter()
        .find(|(_, l)| {
            l.iter()
                .map(|g| g.text.as_str())
                .collect::<String>()
                .starts_with("重点是要")
        })
        .unwrap();
    assert!(
        body.1.iter().all(|g| g.family == "FandolFang R"),
        "body face"
    );
}

#[test]
fn lines_start_at_the_left_margin_and_nothing_passes_the_right() {
    let p = issue_4();
    let mut flush_left = 0;
    for (page, line) in body_lines(p) {
        let first = line[0];
        let indent = ((first.x - LEFT) / CELL).round();
        assert!(
            indent == 0.0 || indent == 2.0,
            "page {page}: line starts at {:.3} mm ({})",
            first.x,
            first.text
        );
        assert!(
            (first.x - LEFT - indent * CELL).abs() < 0.05,
            "page {page}: {} at {:.3}",
            first.text,
            first.x
        );
        if indent == 0.0 {
            flush_left += 1;
        }
        for g in &line {
            assert!(
                g.x + g.advance.min(CELL) <= RIGHT + 0.05,
                "page {page}: `{}` ends at {:.3} mm",
                g.text,
                g.x + g.advance
            );
        }
    }
    assert!(flush_left > 40);
}

#[test]
fn full_pages_hold_22_lines_at_the_grid_pitch() {
    let p = issue_4();
    let mut full_pages = 0;
    for page in 2..p.pages {
        let lines = p.body_lines(page);
        if lines.len() < 22 {
            continue;
        }
        full_pages += 1;
        assert_eq!(lines.len(), 22, "page {page}");
        // The first line sits at the top of the type area: its em box is
        // centred in the first 10.227 mm cell.
        let first_top = lines[0][0].y - 0.88 * EM;
        assert!(
            (first_top - (TOP + (PITCH - EM) / 2.0)).abs() < 0.05,
            "page {page}: first line top {first_top:.3}"
        );
        for w in lines.windows(2) {
            let pitch = w[1][0].y - w[0][0].y;
            assert!(
                (pitch - PITCH).abs() < 0.01,
                "page {page}: pitch {pitch:.4} mm"
            );
        }
        let last_bottom = lines[21][0].y + 0.12 * EM;
        assert!(
            (last_bottom - (BOTTOM - (PITCH - EM) / 2.0)).abs() < 0.05,
            "page {page}: last line bottom {last_bottom:.3}"
        );
    }
    assert!(full_pages >= 3, "only {full_pages} full pages");
}

#[test]
fn full_lines_hold_28_characters() {
    // Lines that needed no adjustment keep every column; lines that did
    // move characters off their columns rather than leave a hole (see
    // composition.rs, which measures both for this issue and the county
    // fixture).
    let p = issue_4();
    let full: Vec<_> = body_lines(p)
        .into_iter()
        .filter(|(_, l)| is_full(l))
        .collect();
    assert!(full.len() > 50);
    let plain = full
        .iter()
        .filter(|(_, l)| l.iter().all(|g| is_wide(g)) && (l[0].x - LEFT).abs() < 0.05)
        .filter(|(_, l)| l.len() == 28)
        .count();
    assert!(plain > 30, "only {plain} full lines of 28 characters");
}

#[test]
fn kinsoku_is_kept() {
    let p = issue_4();
    for (page, line) in body_lines(p) {
        let first = line[0].text.chars().next().unwrap();
        let last = line.last().unwrap().text.chars().last().unwrap();
        assert!(
            !"，。、；：！？”’）》】".contains(first),
            "page {page}: line starts with {first}"
        );
        assert!(
            !"“‘（《【".contains(last),
            "page {page}: line ends with {last}"
        );
    }
}

#[test]
fn red_rule_spans_the_type_area_under_the_masthead() {
    let p = issue_4();
    let red: Vec<_> = p.lines.iter().filter(|l| l.red).collect();
    assert_eq!(red.len(), 1, "{red:?}");
    let rule = red[0];
    assert_eq!(rule.page, 1);
    assert!(
        (rule.length - 156.0).abs() < 0.01 && (rule.x - LEFT).abs() < 0.01,
        "{rule:?}"
    );
    assert!((rule.thickness - 0.75).abs() < 0.01);
    // 4 mm below the editor/date row (7th grid line): the rule's top edge.
    let row_bottom = TOP + 6.0 * PITCH + (PITCH + EM) / 2.0;
    assert!(
        (rule.y - rule.thickness / 2.0 - row_bottom - 4.0).abs() < 0.05,
        "{rule:?}"
    );
    // The masthead name and series line are red.
    let red_text: String = p
        .glyphs
        .iter()
        .filter(|g| g.page == 1 && g.fill.is_some_and(|(_, m, y, _)| m > 0.7 && y > 0.7))
        .map(|g| g.text.as_str())
        .collect();
    assert!(
        red_text.contains("简") && red_text.contains("能力作风建设年"),
        "{red_text}"
    );
}

#[test]
fn closing_block_sits_on_the_foot_of_the_last_page() {
    let p = issue_4();
    let last = p.pages;
    let rules: Vec<_> = p
        .lines
        .iter()
        .filter(|l| l.page == last && !l.red)
        .collect();
    assert_eq!(rules.len(), 3, "{rules:?}");
    let bottom = rules.iter().max_by(|a, b| a.y.total_cmp(&b.y)).unwrap();
    assert!(
        (bottom.y - BOTTOM).abs() < 0.05 && (bottom.thickness - 0.35).abs() < 0.01,
        "{bottom:?}"
    );
    for r in &rules {
        assert!((r.length - 156.0).abs() < 0.01);
    }
    // The first and last rules on grid-line boundaries (the thin one too
    // but in the block's tighter setting, see pages.rs).
    let top = rules.iter().min_by(|a, b| a.y.total_cmp(&b.y)).unwrap();
    for r in [top, bottom] {
        let k = (r.y - TOP) / PITCH;
        assert!((k - k.round()).abs() < 0.01, "rule off the grid: {r:?}");
    }
    let closing: Vec<_> = p
        .glyphs
        .iter()
        .filter(|g| g.page == last && (g.size_pt - 14.0).abs() < 1e-6 && g.y < BOTTOM)
        .collect();
    let date = closing
        .iter()
        .filter(|g| g.text == "发")
        .max_by(|a, b| a.y.total_cmp(&b.y))
        .unwrap();
    // The 印发 line is the last grid line of the type area, its date set right with a 1 字 inset.
    assert!(
        date.y > BOTTOM - PITCH && date.y < BOTTOM,
        "印发 at {:.2}",
        date.y
    );
    assert!(
        (date.x + date.advance - (RIGHT - 14.0 / PT_PER_MM)).abs() < 0.3,
        "date ends at {:.2}",
        date.x + date.advance
    );
    // 报 starts 1 字 in from the left.
    let bao = closing.iter().find(|g| g.text == "报").unwrap();
    assert!(
        (bao.x - (LEFT + 14.0 / PT_PER_MM)).abs() < 0.05,
        "报 at {:.2}",
        bao.x
    );
    // Wrapped 发 line aligned after the colon.
    let fa_lines: Vec<f64> = {
        let mut ys: Vec<f64> = closing
            .iter()
            .map(|g| (g.y * 10.0).round() / 10.0)
            .collect();
        ys.dedup();
        ys
    };
    assert!(fa_lines.len() >= 6, "{fa_lines:?}");
}

#[test]
fn page_numbers_alternate_sides() {
    let p = issue_4();
    assert!(p.pages >= 2);
    for page in 1..=p.pages {
        let nums: Vec<_> = p
            .glyphs
            .iter()
            .filter(|g| g.page == page && g.y > BOTTOM + 5.0)
            .collect();
        let text: String = nums.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(text.replace(' ', ""), format!("—{page}—"), "page {page}");
        let left = nums.iter().map(|g| g.x).fold(f64::MAX, f64::min);
        let right = nums
            .iter()
            .map(|g| g.x + g.advance)
            .fold(f64::MIN, f64::max);
        if page % 2 == 1 {
            assert!(
                (right - (RIGHT - 5.6)).abs() < 0.3,
                "page {page}: number ends at {right:.2}"
            );
        } else {
            assert!(
                (left - (LEFT + 5.6)).abs() < 0.3,
                "page {page}: number starts at {left:.2}"
            );
        }
        let baseline = nums[0].y;
        assert!(
            (baseline - (BOTTOM + 8.8)).abs() < 0.1,
            "page {page}: baseline {baseline:.2}"
        );
        assert!(
            nums.iter()
                .all(|g| (g.size_pt - 14.0).abs() < 1e-6 && g.family == "FandolSong")
        );
    }
}

#[test]
fn title_is_22pt_and_centred_two_blank_lines_below_the_rule() {
    let p = issue_4();
    let title: Vec<_> = p
        .glyphs
        .iter()
        .filter(|g| g.page == 1 && (g.size_pt - 22.0).abs() < 1e-6 && g.fill.is_none())
        .collect();
    let text: String = title.iter().map(|g| g.text.as_str()).collect();
    assert_eq!(text, "郑州市教育局“能力作风建设年”活动亮出重槌敲响鼓");
    let first_line: Vec<_> = title
        .iter()
        .filter(|g| (g.y - title[0].y).abs() < 0.1)
        .collect();
    let l = first_line.iter().map(|g| g.x).fold(f64::MAX, f64::min);
    let r = first_line
        .iter()
        .map(|g| g.x + g.advance)
        .fold(f64::MIN, f64::max);
    assert!(
        ((l + r) / 2.0 - 106.0).abs() < 1.0,
        "title centred at {:.2}",
        (l + r) / 2.0
    );
    // 引题 on grid line 11, title on 12 and 13.
    let line_of = |y: f64| ((y - TOP) / PITCH).floor() as usize + 1;
    assert_eq!(line_of(title[0].y), 12);
    assert_eq!(line_of(title.last().unwrap().y), 13);
}
