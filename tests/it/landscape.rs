//! Landscape tables (issue 18; GB/T 9704—2012 §8), measured on
//! `tests/fixtures/landscape`: a table of 15 columns too wide for the page
//! even at 5号 is set on pages of its own, turned a quarter, across the
//! same type area; its head at the page's left edge (the binding edge of
//! an odd page, the outer edge of an even one); the page number upright
//! where every page's stands; its header repeated under 续表2; the text
//! after it filling the page it is called from first. The PDF's pages all
//! stay A4 upright (no /Rotate): a printer prints them as they come.

use std::sync::OnceLock;

use crate::common::*;

const TOP: f64 = 37.0;
const LEFT: f64 = 28.0;
const RIGHT: f64 = 184.0;
const BOTTOM: f64 = 262.0;

fn laid() -> &'static Placed {
    static CELL: OnceLock<Placed> = OnceLock::new();
    CELL.get_or_init(|| flatten(&layout(&fixture("landscape"), "1")))
}

fn built() -> &'static Vec<u8> {
    static CELL: OnceLock<Vec<u8>> = OnceLock::new();
    CELL.get_or_init(|| {
        let dir = copy_publication(&fixture("landscape"));
        let out = jianbao(dir.path(), &["build", "1"]);
        assert!(out.status.success(), "{}", stderr(&out));
        std::fs::read(dir.path().join("out/001.pdf")).unwrap()
    })
}

/// The glyphs of the page number ("— N —", 14 pt 宋体) on `page`: under
/// the type area.
fn folio(p: &Placed, page: usize) -> Vec<&PlacedGlyph> {
    p.glyphs
        .iter()
        .filter(|g| g.page == page && g.y > BOTTOM + 1.0)
        .collect()
}

/// The pages whose table glyphs are turned: set along the page's height
/// (consecutive glyphs of a word one above the other).
fn turned_pages(p: &Placed) -> Vec<usize> {
    (1..=p.pages)
        .filter(|&page| {
            let gs: Vec<&PlacedGlyph> = p
                .glyphs
                .iter()
                .filter(|g| g.page == page && g.y <= BOTTOM)
                .collect();
            let turned = gs
                .windows(2)
                .filter(|w| (w[0].x - w[1].x).abs() < 1e-6 && (w[0].y - w[1].y).abs() > 1.0)
                .count();
            !gs.is_empty() && turned * 2 > gs.len()
        })
        .collect()
}

#[test]
fn a_table_too_wide_for_the_page_is_set_on_landscape_pages_in_the_same_type_area() {
    let p = laid();
    let turned = turned_pages(p);
    assert_eq!(turned, vec![3, 4], "the 20 rows of 表2 on pages 3–4");
    for &page in &turned {
        // Everything of the table (glyphs and rules) inside the type area.
        for g in p.glyphs.iter().filter(|g| g.page == page && g.y <= BOTTOM) {
            assert!(
                g.x > LEFT - 0.1 && g.x < RIGHT + 0.1 && g.y > TOP - 0.1,
                "page {page}: {:?} at ({:.1}, {:.1})",
                g.text,
                g.x,
                g.y
            );
        }
        let rules: Vec<&PlacedLine> = p.lines.iter().filter(|l| l.page == page).collect();
        assert!(rules.len() > 20, "page {page}: the table's rules");
        for l in rules {
            for (x, y) in [(l.x, l.y), (l.x + l.length, l.y + l.drop)] {
                assert!(
                    (LEFT - 0.3..=RIGHT + 0.3).contains(&x)
                        && (TOP - 0.3..=BOTTOM + 0.3).contains(&y),
                    "page {page}: a rule end at ({x:.1}, {y:.1})"
                );
            }
        }
        // The rules of the table run the page's height: the landscape
        // type area's width, 225 mm, reached from its top to its foot.
        let across = p
            .lines
            .iter()
            .filter(|l| l.page == page && l.length.abs() < 1e-6)
            .map(|l| l.drop.abs())
            .fold(0.0, f64::max);
        assert!(
            (across - 225.0).abs() < 0.6,
            "page {page}: the table's long rules are {across:.1} mm"
        );
    }
}

#[test]
fn the_table_head_stands_at_the_binding_edge_on_odd_pages_and_the_outer_edge_on_even_ones() {
    let p = laid();
    for page in turned_pages(p) {
        // The caption (表2) or 续表2: the first line of the turned page,
        // so the column of glyphs nearest the page's left edge; read from
        // the foot of the page up.
        let head: Vec<&PlacedGlyph> = p
            .glyphs
            .iter()
            .filter(|g| g.page == page && g.y <= BOTTOM)
            .filter(|g| g.text == "表" || g.text == "续")
            .collect();
        assert!(!head.is_empty(), "page {page}: no 表2 / 续表2");
        let leftmost = p
            .glyphs
            .iter()
            .filter(|g| g.page == page && g.y <= BOTTOM)
            .map(|g| g.x)
            .fold(f64::MAX, f64::min);
        for g in &head {
            // A glyph drawn turned has its baseline along the page's
            // height: its origin is left of the line's box by the
            // ascent, within the first grid line from the left edge.
            assert!(
                g.x - LEFT < PITCH && (g.x - leftmost) < 1.0,
                "page {page}: the head at x {:.1}, the leftmost glyph at {leftmost:.1}",
                g.x
            );
        }
        // Left of the head at an odd page is its binding edge, at an even
        // page its outer edge (GB/T 9704 §8): the left either way.
        let caption: String = {
            let mut line: Vec<&PlacedGlyph> = p
                .glyphs
                .iter()
                .filter(|g| g.page == page && g.y <= BOTTOM && (g.x - head[0].x).abs() < 0.5)
                .collect();
            // Turned a quarter anticlockwise: the line reads upwards.
            line.sort_by(|a, b| b.y.total_cmp(&a.y));
            line.iter().map(|g| g.text.as_str()).collect()
        };
        let expected = if page == 3 { "表2" } else { "续表2" };
        assert!(
            caption.starts_with(expected),
            "page {page}: its first line reads {caption:?}"
        );
    }
}

#[test]
fn page_numbers_on_landscape_pages_stand_where_every_pages_do() {
    let p = laid();
    let place = |page: usize| {
        let f = folio(p, page);
        assert!(!f.is_empty(), "page {page}: no page number");
        // Upright: one baseline.
        let y = f[0].y;
        assert!(f.iter().all(|g| (g.y - y).abs() < 0.01), "page {page}");
        let x0 = f.iter().map(|g| g.x).fold(f64::MAX, f64::min);
        let x1 = f.iter().map(|g| g.x + g.advance).fold(0.0, f64::max);
        (x0, x1, y)
    };
    // Odd pages: the right, 1 字 in (1 and 5 upright, 3 landscape); even
    // pages: the left (2 upright, 4 landscape).
    let (odd, even) = (place(1), place(2));
    for page in [3, 5] {
        let (_, x1, y) = place(page);
        assert!(
            (x1 - odd.1).abs() < 0.1 && (y - odd.2).abs() < 0.01,
            "page {page}"
        );
    }
    let (x0, _, y) = place(4);
    assert!(
        (x0 - even.0).abs() < 0.1 && (y - even.2).abs() < 0.01,
        "page 4"
    );
    let text = |page: usize| {
        folio(p, page)
            .iter()
            .map(|g| g.text.as_str())
            .collect::<String>()
    };
    for page in 1..=p.pages {
        assert_eq!(text(page).replace(' ', ""), format!("—{page}—"));
    }
}

#[test]
fn the_header_is_repeated_under_xubiao_on_every_landscape_page_it_goes_on() {
    let p = laid();
    let src = std::fs::read_to_string(fixture("landscape").join("issues/001.md")).unwrap();
    let header: Vec<&str> = src
        .lines()
        .find(|l| l.starts_with("乡镇"))
        .unwrap()
        .split('\t')
        .collect();
    let rows: Vec<Vec<&str>> = src
        .lines()
        .filter(|l| l.contains('\t') && !l.starts_with("乡镇"))
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 20);
    let mut seen = Vec::new();
    for page in turned_pages(p) {
        let text: String = p
            .glyphs
            .iter()
            .filter(|g| g.page == page && g.y <= BOTTOM)
            .map(|g| g.text.as_str())
            .collect();
        // Every head of a column, on every page.
        for h in &header {
            let h: String = h.chars().filter(|c| !"（）".contains(*c)).collect();
            let t: String = text.chars().filter(|c| !"（）".contains(*c)).collect();
            assert!(h.chars().all(|c| t.contains(c)), "page {page}: {h}");
        }
        for (k, r) in rows.iter().enumerate() {
            if text.contains(r[1]) && text.contains(r[13]) {
                seen.push(k);
            }
        }
    }
    // Every row once, in order.
    assert_eq!(seen, (0..20).collect::<Vec<_>>());
}

#[test]
fn the_pdf_keeps_a4_upright_pages_and_reads_the_text_after_the_table_first() {
    let pdf = built();
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let pages = doc.get_pages();
    assert_eq!(pages.len(), 5);
    for (_, id) in pages {
        let page = doc.get_dictionary(id).unwrap();
        let media: Vec<f64> = page
            .get(b"MediaBox")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                o.as_float()
                    .map(f64::from)
                    .or(o.as_i64().map(|i| i as f64))
                    .unwrap()
            })
            .collect();
        assert!((media[2] - 595.28).abs() < 0.1 && (media[3] - 841.89).abs() < 0.1);
        assert!(page.get(b"Rotate").is_err(), "a page turned by /Rotate");
    }
    let text = pdf_text(pdf).join("\n");
    // The text after the table, to the end of its article, goes on on
    // page 2; the turned pages follow; then the next article.
    assert_in_order(
        &text,
        &[
            "各乡镇（街道）分月产值见表2",
            "从乡镇（街道）看",
            "表2",
            "续表2",
            "全县固定资产投资结构持续优化",
            "从项目看",
        ],
    );
}

#[test]
fn a_table_too_wide_even_for_a_landscape_page_is_refused_at_its_caption() {
    let dir = copy_publication(&fixture("landscape"));
    let path = dir.path().join("issues/001.md");
    let src = std::fs::read_to_string(&path).unwrap();
    // Sixteen more columns of figures: 31 columns, too many even at 小5号
    // with the cells tightly padded.
    let wider: String = src
        .lines()
        .map(|l| {
            if l.contains('\t') {
                format!("{l}{}", "\t1234.5".repeat(16))
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&path, wider).unwrap();
    let out = jianbao(dir.path(), &["build", "1"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("issues/001.md:22:1: error[table-too-wide]"),
        "{err}"
    );
    assert!(err.contains("横排的版心也只有 225 毫米宽"), "{err}");
    assert!(!dir.path().join("out/001.pdf").exists());
}

/// Issue 2 sends two attachments; the second is the wide table alone (a
/// 附表): its head — 附件2 on the first line, its title centred on the
/// third (GB/T 9704 §8) — stands on the table's first landscape page, not
/// alone on an upright one, and the closing block comes after it.
#[test]
fn an_attachment_that_is_a_wide_table_has_its_head_on_the_landscape_page() {
    let p = flatten(&layout(&fixture("landscape"), "2"));
    // Its 12 towns at 5号 on one landscape page under the head (at 小4号
    // they took two: a size smaller is taken where it saves a page).
    assert_eq!(p.pages, 4);
    assert_eq!(turned_pages(&p), vec![3]);
    let on = |page: usize| -> Vec<&PlacedGlyph> {
        p.glyphs
            .iter()
            .filter(|g| g.page == page && g.y <= BOTTOM)
            .collect()
    };
    // The glyphs of a turned line: those at one x, read upwards.
    let line_at = |page: usize, x: f64| -> String {
        let mut line: Vec<&PlacedGlyph> = on(page)
            .into_iter()
            .filter(|g| (g.x - x).abs() < 0.5)
            .collect();
        line.sort_by(|a, b| b.y.total_cmp(&a.y));
        line.iter().map(|g| g.text.as_str()).collect()
    };
    let glyphs = on(3);
    let leftmost = glyphs.iter().map(|g| g.x).fold(f64::MAX, f64::min);
    // 附件2 on the first line, from the start of the line: the page's
    // foot (the turned page's left edge), flush (顶格).
    assert_eq!(line_at(3, leftmost), "附件2");
    let mark = glyphs.iter().find(|g| g.text == "附").unwrap();
    assert!(mark.y > BOTTOM - 3.0 * CELL / 2.0, "附 at y {:.1}", mark.y);
    // The title two lines further, centred along the page's height.
    let title: Vec<&&PlacedGlyph> = glyphs
        .iter()
        .filter(|g| (g.x - (leftmost + 2.0 * PITCH)).abs() < 1.0)
        .collect();
    let text: String = line_at(3, title[0].x);
    assert_eq!(text, "2026年各乡镇（街道）规模以上工业产值分月情况表");
    let top = title.iter().map(|g| g.y).fold(f64::MAX, f64::min);
    let foot = title.iter().map(|g| g.y).fold(0.0, f64::max);
    let middle = (top + foot) / 2.0;
    assert!(
        (middle - (TOP + BOTTOM) / 2.0).abs() < 8.0,
        "the title's middle at {middle:.1}"
    );
    // Page 2 is 附件1, upright; the closing block is on the last page.
    assert_eq!(
        p.glyphs
            .iter()
            .filter(|g| g.page == 2)
            .min_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)))
            .map(|g| g.text.as_str()),
        Some("附")
    );
    let last: String = on(4).iter().map(|g| g.text.as_str()).collect();
    assert!(last.contains("印发"), "{last}");
}
