//! Tables (issue 18), measured on the laid-out frames of
//! `tests/fixtures/tables`: column rules that line up across rows and
//! pages and meet at the corners, every cell's text inside its cell with
//! room to the rules and in reading order (in the PDF too), the header
//! repeated under 续表N on every page a table continues on, the body text
//! after a table back on the grid, a caption never alone at a page's foot,
//! and a 三线表's three rules on every page of it, none vertical.

use std::sync::OnceLock;

use crate::common::*;

const TOP: f64 = 37.0;
const LEFT: f64 = 28.0;
const RIGHT: f64 = 184.0;
/// The type area's foot; the folio stands under it.
const BOTTOM: f64 = 262.0;

fn issue(n: usize) -> &'static Placed {
    static CELLS: [OnceLock<Placed>; 5] = [const { OnceLock::new() }; 5];
    CELLS[n - 1].get_or_init(|| flatten(&layout(&fixture("tables"), &n.to_string())))
}

/// The rows of a pipe table in an issue file of the fixture, each its
/// cells run together (how the page must read them), header first.
fn typed_rows(n: usize) -> Vec<String> {
    let src = std::fs::read_to_string(fixture("tables").join(format!("issues/00{n}.md"))).unwrap();
    src.lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---") && !l.starts_with("|:"))
        .map(|l| l.split('|').map(str::trim).collect::<String>())
        .collect()
}

/// A table's rules on one page (a fixture page holds one table at most).
struct TablePage<'a> {
    verticals: Vec<&'a PlacedLine>,
    horizontals: Vec<&'a PlacedLine>,
    top: f64,
    bottom: f64,
}

/// The rules of a full-grid table on `page`: its vertical rules, and the
/// horizontal ones between the top and the foot of those.
fn grid_table(p: &Placed, page: usize) -> Option<TablePage<'_>> {
    let verticals: Vec<&PlacedLine> = p
        .lines
        .iter()
        .filter(|l| l.page == page && l.drop.abs() > 1e-6)
        .collect();
    let top = verticals.iter().map(|l| l.y).fold(f64::MAX, f64::min);
    let bottom = verticals.iter().map(|l| l.y + l.drop).fold(0.0, f64::max);
    if verticals.is_empty() {
        return None;
    }
    let mut horizontals: Vec<&PlacedLine> = p
        .lines
        .iter()
        .filter(|l| {
            l.page == page
                && l.drop.abs() < 1e-6
                && !l.red
                && l.y >= top - 0.5
                && l.y <= bottom + 0.5
        })
        .collect();
    horizontals.sort_by(|a, b| a.y.total_cmp(&b.y));
    Some(TablePage {
        verticals,
        horizontals,
        top,
        bottom,
    })
}

fn size_mm(g: &PlacedGlyph) -> f64 {
    g.size_pt / PT_PER_MM
}

/// The glyphs inside a table's frame on `page`, in the order the page
/// draws them.
fn cell_glyphs<'a>(p: &'a Placed, page: usize, t: &TablePage) -> Vec<&'a PlacedGlyph> {
    p.glyphs
        .iter()
        .filter(|g| g.page == page && g.y > t.top && g.y < t.bottom)
        .collect()
}

fn text(glyphs: &[&PlacedGlyph]) -> String {
    glyphs.iter().map(|g| g.text.as_str()).collect()
}

/// The pages of an issue that hold a full-grid table.
fn table_pages(p: &Placed) -> Vec<usize> {
    (1..=p.pages)
        .filter(|&page| grid_table(p, page).is_some())
        .collect()
}

#[test]
fn column_rules_line_up_across_rows_and_pages_and_meet_at_corners() {
    let p = issue(3);
    let pages = table_pages(p);
    assert!(pages.len() >= 10, "200 rows over {} pages", pages.len());
    let xs = |t: &TablePage| {
        let mut xs: Vec<f64> = t.verticals.iter().map(|l| l.x).collect();
        xs.sort_by(f64::total_cmp);
        xs
    };
    let first = xs(&grid_table(p, pages[0]).unwrap());
    assert_eq!(first.len(), 6, "five columns: {first:?}");
    for &page in &pages {
        let t = grid_table(p, page).unwrap();
        // One rule a column edge, from the top of the table to its foot:
        // every row's rules on the same x, page after page.
        let here = xs(&t);
        assert_eq!(here.len(), first.len(), "page {page}");
        for (a, b) in here.iter().zip(&first) {
            assert!(
                (a - b).abs() < 1e-6,
                "page {page}: {here:?} against {first:?}"
            );
        }
        for v in &t.verticals {
            assert!((v.y - t.top).abs() < 1e-6 && (v.y + v.drop - t.bottom).abs() < 1e-6);
        }
        // Corners: each end of a vertical rule lies on a horizontal one
        // that reaches past it by half its thickness (square corners, no
        // notch); the frame's outer edges are the type area's.
        for v in &t.verticals {
            for y in [v.y, v.y + v.drop] {
                let h = t
                    .horizontals
                    .iter()
                    .find(|h| (h.y - y).abs() < 1e-6)
                    .unwrap_or_else(|| {
                        panic!("page {page}: a vertical rule ends at {y} in the air")
                    });
                assert!(h.x <= v.x - v.thickness / 2.0 + 1e-6, "page {page}");
                assert!(
                    h.x + h.length >= v.x + v.thickness / 2.0 - 1e-6,
                    "page {page}"
                );
            }
        }
        let left = t
            .verticals
            .iter()
            .map(|v| v.x - v.thickness / 2.0)
            .fold(f64::MAX, f64::min);
        let right = t
            .verticals
            .iter()
            .map(|v| v.x + v.thickness / 2.0)
            .fold(0.0, f64::max);
        assert!(
            (left - LEFT).abs() < 1e-6 && (right - RIGHT).abs() < 1e-6,
            "page {page}"
        );
        assert!(
            t.bottom + 0.25 <= BOTTOM + 1e-6,
            "page {page}: the table runs off the type area"
        );
    }
}

/// Every glyph inside a table stands clear of every rule (its em box a
/// millimetre or more from the rule's edge) and inside the type area.
fn assert_glyphs_inside_cells(p: &Placed, what: &str) {
    for page in table_pages(p) {
        let t = grid_table(p, page).unwrap();
        let glyphs = cell_glyphs(p, page, &t);
        assert!(!glyphs.is_empty());
        for g in glyphs {
            let em = size_mm(g);
            let (x0, x1) = (g.x, g.x + g.advance);
            let (y0, y1) = (g.y - 0.88 * em, g.y + 0.12 * em);
            assert!(
                x0 >= LEFT && x1 <= RIGHT,
                "{what} p{page}: {} outside the type area",
                g.text
            );
            for v in &t.verticals {
                let crosses_rows = v.y < y1 && v.y + v.drop > y0;
                let clear = (v.x - v.thickness / 2.0 - x1).max(x0 - v.x - v.thickness / 2.0);
                assert!(
                    !crosses_rows || clear >= 1.0,
                    "{what} p{page}: “{}” at x {x0:.2}–{x1:.2} is {clear:.2} mm from a rule at {:.2}",
                    g.text,
                    v.x
                );
            }
            for h in &t.horizontals {
                let under_it = h.x < x1 && h.x + h.length > x0;
                let clear = (h.y - h.thickness / 2.0 - y1).max(y0 - h.y - h.thickness / 2.0);
                assert!(
                    !under_it || clear >= 1.0,
                    "{what} p{page}: “{}” is {clear:.2} mm from a rule at y {:.2}",
                    g.text,
                    h.y
                );
            }
        }
    }
}

#[test]
fn every_cell_string_is_inside_its_cell_in_reading_order() {
    for n in [1, 2, 3, 5] {
        assert_glyphs_inside_cells(issue(n), &format!("issue {n}"));
    }
    // Row by row, left to right, each cell whole: the rows as typed.
    for n in [1, 3, 5] {
        let p = issue(n);
        let drawn: String = table_pages(p)
            .into_iter()
            .map(|page| text(&cell_glyphs(p, page, &grid_table(p, page).unwrap())))
            .collect();
        let rows = typed_rows(n);
        let expected: Vec<&str> = rows.iter().map(String::as_str).collect();
        assert_in_order(&drawn, &expected);
    }
    // The pasted table of issue 2, its two-level header merged: each head
    // whole (a cell spanning rows is drawn after the first row's others;
    // the tagged PDF reads it first: `tables_are_tagged_…`), then the rows.
    let p = issue(2);
    let page = table_pages(p)[0];
    let drawn = text(&cell_glyphs(p, page, &grid_table(p, page).unwrap()));
    for head in ["行业领域", "检查情况", "隐患整改"] {
        assert!(drawn.contains(head), "{head} in {drawn}");
    }
    assert_in_order(
        &drawn,
        &[
            "检查次数",
            "检查单位（家）",
            "发现（处）",
            "已整改（处）",
            "整改率",
            "道路运输1864353",
            "建筑施工2411214814195.3%",
        ],
    );
}

#[test]
fn merged_cells_are_drawn_as_one() {
    let p = issue(2);
    let page = table_pages(p)[0];
    let t = grid_table(p, page).unwrap();
    let glyph = |s: &str| {
        p.glyphs
            .iter()
            .find(|g| g.page == page && g.text == s && g.y > t.top)
            .unwrap()
    };
    // 行业领域 spans the two header rows: no rule between them under it,
    // and it stands between them (centred on their common border).
    let area = glyph("行");
    let rules_under: Vec<&&PlacedLine> = t
        .horizontals
        .iter()
        .filter(|h| h.x < area.x && h.x + h.length > area.x + area.advance)
        .collect();
    let (head_top, head_foot) = (rules_under[0].y, rules_under[1].y);
    let inner = t
        .horizontals
        .iter()
        .filter(|h| h.y > head_top + 1.0 && h.y < head_foot - 1.0)
        .collect::<Vec<_>>();
    assert_eq!(inner.len(), 1, "one rule between the header rows");
    assert!(
        inner[0].x > area.x + area.advance,
        "it stops at 行业领域's column"
    );
    let middle = area.y - 0.38 * size_mm(area);
    assert!((middle - (head_top + head_foot) / 2.0).abs() < 0.5);
    // 检查情况 spans two columns: no vertical rule through it.
    let check = glyph("检");
    for v in t
        .verticals
        .iter()
        .filter(|v| v.y < check.y && v.y + v.drop > check.y)
    {
        assert!(
            v.x < check.x - 1.0 || v.x > check.x + 4.0 * size_mm(check) + 1.0,
            "a rule at {} runs through 检查情况",
            v.x
        );
    }
}

#[test]
fn the_header_is_repeated_under_continued_n_on_every_continued_page() {
    let p = issue(3);
    let pages = table_pages(p);
    let header = typed_rows(3)[0].clone();
    for (k, &page) in pages.iter().enumerate() {
        let t = grid_table(p, page).unwrap();
        let above: String = p
            .glyphs
            .iter()
            .filter(|g| g.page == page && g.y < t.top && g.y > t.top - PITCH)
            .map(|g| g.text.as_str())
            .collect();
        if k == 0 {
            assert_eq!(above, "表3\u{3000}重点生产经营单位隐患整改台账");
        } else {
            assert_eq!(above, "续表3", "page {page}");
        }
        // The first row of the table on the page is the header.
        let first_rule = t.horizontals[1].y;
        let first_row: Vec<&PlacedGlyph> = cell_glyphs(p, page, &t)
            .into_iter()
            .filter(|g| g.y < first_rule)
            .collect();
        assert_eq!(text(&first_row), header, "page {page}");
        // In 黑体, the rows under it in 仿宋.
        assert!(
            first_row.iter().all(|g| !g.family.contains("Fang")),
            "page {page}"
        );
    }
}

/// The baseline of a body (3号) line, as an offset into its grid line.
fn grid_phase(y: f64) -> f64 {
    (y - TOP).rem_euclid(PITCH)
}

#[test]
fn body_text_after_a_table_is_back_on_the_grid() {
    for (n, after) in [(1, "下"), (2, "各"), (3, "请"), (4, "各"), (5, "各")] {
        let p = issue(n);
        let body: Vec<&PlacedGlyph> = p
            .glyphs
            .iter()
            .filter(|g| (g.size_pt - 16.0).abs() < 0.01 && g.y < BOTTOM)
            .collect();
        // The first body line of the page the table is on and the
        // paragraph after the table (its first character: the last
        // paragraph's first line).
        let last_table_page = *table_pages(p).last().unwrap_or(&1);
        let t = grid_table(p, last_table_page);
        let below = t.as_ref().map_or(0.0, |t| t.bottom);
        let after_table = body
            .iter()
            .find(|g| g.page >= last_table_page && g.y > below && g.text == after)
            .unwrap_or_else(|| panic!("issue {n}: no paragraph after the table"));
        // The first line of text under the masthead's red rule.
        let rule = p
            .lines
            .iter()
            .filter(|l| l.page == 1 && l.red)
            .map(|l| l.y)
            .fold(TOP, f64::max);
        let reference = body.iter().find(|g| g.page == 1 && g.y > rule).unwrap();
        let (a, b) = (grid_phase(after_table.y), grid_phase(reference.y));
        assert!((a - b).abs() < 1e-3, "issue {n}: {a} against {b}");
    }
}

#[test]
fn a_caption_never_stands_alone_at_a_page_foot() {
    for n in 1..=5 {
        let p = issue(n);
        for page in 1..=p.pages {
            // A caption: 表N in 4号 黑体 at a line's start.
            let Some(caption) = p.glyphs.iter().find(|g| {
                g.page == page
                    && g.text == "表"
                    && (g.size_pt - 14.0).abs() < 0.01
                    && !g.family.contains("Fang")
            }) else {
                continue;
            };
            // Right under it (its frame's top within a grid line) the
            // header and at least two rows: three baselines or more inside
            // the frame (grid) or between the top and bottom rules
            // (三线表).
            let (top, bottom) = match grid_table(p, page) {
                Some(t) => (t.top, t.bottom),
                None => {
                    let rules = three_line_rules(p, page);
                    (rules[0].y, rules[rules.len() - 1].y)
                }
            };
            assert!(
                top > caption.y && top - caption.y < PITCH,
                "issue {n} page {page}: the table does not start under its caption"
            );
            let mut rows: Vec<f64> = p
                .glyphs
                .iter()
                .filter(|g| g.page == page && g.y > top && g.y < bottom)
                .map(|g| g.y)
                .collect();
            rows.sort_by(f64::total_cmp);
            rows.dedup_by(|a, b| (*a - *b).abs() < 0.5);
            assert!(
                rows.len() >= 3,
                "issue {n} page {page}: the caption has {} lines of table under it",
                rows.len()
            );
        }
    }
    // Issue 5's table would have its caption, header and a row on page 1
    // (three lines were free there): it starts page 2 instead.
    let p = issue(5);
    assert_eq!(table_pages(p), [2]);
    let last_on_1 = p
        .body_lines(1)
        .last()
        .map(|l| l[0].y)
        .expect("text on page 1");
    let free = ((BOTTOM - last_on_1) / PITCH).floor() as usize;
    assert!((2..4).contains(&free), "page 1 ends {free} lines short");
}

/// The horizontal rules of a 三线表 on a page: every black one above the
/// notes (and the closing block under them).
fn three_line_rules(p: &Placed, page: usize) -> Vec<&PlacedLine> {
    let notes = p
        .glyphs
        .iter()
        .filter(|g| g.page == page && (g.size_pt - 12.0).abs() < 0.01)
        .map(|g| g.y)
        .fold(BOTTOM, f64::min);
    let mut rules: Vec<&PlacedLine> = p
        .lines
        .iter()
        .filter(|l| l.page == page && !l.red && l.y < notes)
        .collect();
    rules.sort_by(|a, b| a.y.total_cmp(&b.y));
    rules
}

fn assert_three_lines(rules: &[&PlacedLine], what: &str) {
    assert!(
        rules.iter().all(|l| l.drop.abs() < 1e-6),
        "{what}: a vertical rule"
    );
    let t: Vec<f64> = rules.iter().map(|l| l.thickness).collect();
    assert_eq!(t.len(), 3, "{what}: {t:?}");
    assert!((t[0] - t[2]).abs() < 1e-6 && t[0] > t[1], "{what}: {t:?}");
    for l in rules {
        assert!((l.x - LEFT).abs() < 1e-6 && (l.x + l.length - RIGHT).abs() < 1e-6);
    }
}

#[test]
fn a_three_line_table_has_three_rules_on_every_page_and_no_vertical_one() {
    // Issue 4 asks for it itself ({三线表}).
    let p = issue(4);
    assert_three_lines(&three_line_rules(p, 1), "issue 4");
    // The publication asks for it: the 200 rows of issue 3, page by page.
    let dir = copy_publication(&fixture("tables"));
    let toml = dir.path().join("jianbao.toml");
    let mut config = std::fs::read_to_string(&toml).unwrap();
    config.push_str("\n[table]\nstyle = \"three-line\"\n");
    std::fs::write(&toml, config).unwrap();
    let p = flatten(&layout(dir.path(), "3"));
    assert!(
        p.lines.iter().all(|l| l.drop.abs() < 1e-6),
        "no vertical rule"
    );
    let pages: Vec<usize> = (1..=p.pages)
        .filter(|&page| p.glyphs.iter().any(|g| g.page == page && g.text == "序"))
        .collect();
    assert!(pages.len() >= 8);
    for page in pages {
        assert_three_lines(&three_line_rules(&p, page), &format!("page {page}"));
    }
}

#[test]
fn the_pdf_reads_the_rows_in_order() {
    let dir = copy_publication(&fixture("tables"));
    let out = jianbao(dir.path(), &["build", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = std::fs::read(dir.path().join("out/003.pdf")).unwrap();
    let text: String = pdf_text(&pdf).concat();
    let rows = typed_rows(3);
    let expected: Vec<&str> = rows.iter().map(String::as_str).collect();
    assert_in_order(&text, &expected);
}

#[test]
fn png_pages_and_the_exported_project_show_tables() {
    let dir = copy_publication(&fixture("tables"));
    let out = jianbao(dir.path(), &["build", "2", "--format", "png"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pngs: Vec<_> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
        .collect();
    assert!(!pngs.is_empty());
    let project = dir.path().join("exported");
    let out = jianbao(dir.path(), &["export", "2", project.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let data: serde_json::Value =
        serde_json::from_slice(&std::fs::read(project.join("issue.json")).unwrap()).unwrap();
    let tables: Vec<&serde_json::Value> = data["pages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["rows"].as_array().unwrap())
        .filter(|r| r["kind"] == "table")
        .collect();
    // Over two pages: the last row and the note go on under 续表2.
    assert_eq!(tables.len(), 2);
    let texts: String = tables
        .iter()
        .flat_map(|t| t["texts"].as_array().unwrap())
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    assert!(texts.contains("危险化学品") && texts.contains("数据来源"));
    assert!(tables[0]["rules"].as_array().unwrap().len() > 10);
}

/// A tagged PDF (typst tags by default) reads each page's part of a
/// table as a table: the header rows' cells `TH`, the others `TD`, row by
/// row and cell by cell as typed (a merged cell once, in the row it starts
/// in) — what a screen reader and PDF/A-a and PDF/UA need. (The glyphs
/// are placed by jianbao; typst's `table` only carries the tags.)
#[test]
fn tables_are_tagged_as_tables_header_cells_as_headers_rows_as_typed() {
    let dir = copy_publication(&fixture("tables"));
    let out = jianbao(dir.path(), &["build", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = std::fs::read(dir.path().join("out/002.pdf")).unwrap();
    let tables = pdf_tagged_tables(&pdf);
    assert!(!tables.is_empty());
    let src = std::fs::read_to_string(fixture("tables").join("issues/002.md")).unwrap();
    let typed: Vec<Vec<String>> = src
        .lines()
        .filter(|l| l.contains('\t'))
        .map(|l| {
            l.split('\t')
                .filter(|c| *c != "<" && *c != "^")
                .map(|c| c.chars().filter(|c| !c.is_whitespace()).collect())
                .collect()
        })
        .collect();
    // On every page, two header rows (行业领域 spans them), then data;
    // the header read once, on the first.
    let mut tagged: Vec<Vec<String>> = Vec::new();
    for (part, t) in tables.iter().enumerate() {
        for (k, row) in t.iter().enumerate() {
            let want = if k < 2 { "TH" } else { "TD" };
            assert!(row.iter().all(|(tag, _)| tag == want), "row {k}: {row:?}");
            if part == 0 || k >= 2 {
                tagged.push(row.iter().map(|(_, t)| t.clone()).collect());
            }
        }
    }
    assert_eq!(tagged, typed);
    // The 200 rows of issue 3: a table on every page, its header (its
    // first row) repeated as headers, every row once and in order.
    let out = jianbao(dir.path(), &["build", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = std::fs::read(dir.path().join("out/003.pdf")).unwrap();
    let tables = pdf_tagged_tables(&pdf);
    assert!(tables.len() >= 10, "{} parts", tables.len());
    let mut body = Vec::new();
    for t in &tables {
        assert!(t[0].iter().all(|(tag, _)| tag == "TH"));
        assert!(t[1..].iter().flatten().all(|(tag, _)| tag == "TD"));
        body.extend(
            t[1..]
                .iter()
                .map(|r| r.iter().map(|(_, s)| s.as_str()).collect::<String>()),
        );
    }
    let rows = typed_rows(3);
    assert_eq!(body, rows[1..].to_vec());
}

/// An issue of `tests/fixtures/table-proof`, laid out once.
fn proof(n: usize) -> &'static Placed {
    static CELLS: [OnceLock<Placed>; 9] = [const { OnceLock::new() }; 9];
    CELLS[n - 1].get_or_init(|| flatten(&layout(&fixture("table-proof"), &n.to_string())))
}

/// The x of each distinct vertical rule of the full-grid table on `page`.
fn column_edges(t: &TablePage) -> Vec<f64> {
    let mut xs: Vec<f64> = t.verticals.iter().map(|l| l.x).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup_by(|a, b| (*a - *b).abs() < 0.3);
    xs
}

#[test]
fn month_tables_fit_the_portrait_type_area_at_the_size_a_typesetter_chooses() {
    // 县区 + 1月…12月, two-digit figures: at 5号 the columns need about
    // 143 mm (县区 3 ems, 1月 1.75, 12月 2.25, an em of padding each), so
    // it is set portrait at 5号; with 1月…11月 (about 149 mm at 小4号) at
    // 小4号. Whole ems would make the first 159 mm (refused) and the
    // second too wide for 小4号.
    let out = jianbao(&fixture("table-proof"), &["check", "1", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for (n, columns, size) in [(1, 13, 10.5), (2, 12, 12.0)] {
        let p = proof(n);
        let t = grid_table(p, 1).unwrap_or_else(|| panic!("issue {n}: no table on page 1"));
        assert_eq!(column_edges(&t).len(), columns + 1, "issue {n}");
        let cells = cell_glyphs(p, 1, &t);
        let figure = cells
            .iter()
            .find(|g| g.text.chars().all(|c| c.is_ascii_digit()) && !g.family.contains("Hei"))
            .expect("a figure");
        assert!(
            (figure.size_pt - size).abs() < 0.01,
            "issue {n}: set at {} pt, not {size}",
            figure.size_pt
        );
        // Every month head on one line, inside its column.
        let heads = in_lines(cells.iter().copied().filter(|g| g.y < t.top + PITCH));
        assert_eq!(heads.len(), 1, "issue {n}: the header wraps");
        assert_glyphs_inside_cells(p, &format!("issue {n}"));
    }
}

/// Each text line of each cell of the full-grid table on `page`: the
/// glyphs of one baseline between two neighbouring column rules.
fn cell_text_lines(p: &Placed, page: usize, t: &TablePage) -> Vec<String> {
    let edges = column_edges(t);
    let glyphs = cell_glyphs(p, page, t);
    let mut out = Vec::new();
    for pair in edges.windows(2) {
        let column = glyphs
            .iter()
            .copied()
            .filter(|g| g.x > pair[0] && g.x + g.advance < pair[1]);
        for line in in_lines(column) {
            out.push(line.iter().map(|g| g.text.as_str()).collect());
        }
    }
    out
}

#[test]
fn a_narrow_header_breaks_by_words_and_leaves_no_character_alone() {
    // 评审得分 over figures 3 ems wide: 评审 / 得分, never 评审得 / 分 (the
    // proof-readers' 表4, repeated on every 续表 page).
    let p = proof(3);
    let t = grid_table(p, 1).expect("a table on page 1");
    let lines = cell_text_lines(p, 1, &t);
    assert!(lines.contains(&"评审".to_string()), "{lines:?}");
    assert!(lines.contains(&"得分".to_string()), "{lines:?}");
    for line in &lines {
        let han = line.chars().filter(|c| c.is_alphabetic()).count();
        assert!(
            han != 1 || line.chars().count() > 1,
            "one character alone on a line: {lines:?}"
        );
    }
}

#[test]
fn header_cells_are_centred_whatever_the_column_alignment() {
    // `|:---|---:|…` under a two-level header: 行业 and the group heads
    // 检查情况 (over three columns) and 整改情况 (over two) centred over
    // what they cover; the figures flush right.
    let p = proof(4);
    let t = grid_table(p, 1).expect("a table on page 1");
    let edges = column_edges(&t);
    assert_eq!(edges.len(), 7);
    let glyphs = cell_glyphs(p, 1, &t);
    let heads = in_lines(glyphs.iter().copied().filter(|g| g.family.contains("Hei")));
    let centre_of = |text: &str| -> f64 {
        let first = text.chars().next().unwrap().to_string();
        let line = heads
            .iter()
            .find_map(|l| {
                let k = l.iter().position(|g| g.text == first)?;
                let run = &l[k..k + text.chars().count()];
                (run.iter().map(|g| g.text.as_str()).collect::<String>() == text).then_some(run)
            })
            .unwrap_or_else(|| panic!("{text} not in the header"));
        let last = line.last().unwrap();
        (line[0].x + last.x + last.advance) / 2.0
    };
    for (text, from, to) in [("行业", 0, 1), ("检查情况", 1, 4), ("整改情况", 4, 6)] {
        let mid = (edges[from] + edges[to]) / 2.0;
        let c = centre_of(text);
        assert!(
            (c - mid).abs() < 0.5,
            "{text} is centred at {c:.2} mm, its columns at {mid:.2}"
        );
    }
    // The body follows `---:`: 351 (the row of 危险化学品) ends close to its
    // column's right rule, far from the left one.
    let row = in_lines(glyphs.iter().copied())
        .into_iter()
        .find(|l| l.iter().any(|g| g.text == "危"))
        .expect("the row of 危险化学品");
    let figure: Vec<&PlacedGlyph> = row
        .into_iter()
        .filter(|g| g.x > edges[1] && g.x < edges[2])
        .collect();
    assert_eq!(text(&figure), "351");
    let last = figure.last().unwrap();
    let end = last.x + last.advance;
    assert!(
        edges[2] - end < 3.0 && end - edges[1] > 10.0,
        "351 ends at {end:.2}"
    );
}

#[test]
fn an_annotated_value_leaves_a_figure_column_right_aligned() {
    // 3-5 and 约120 among counts, 10～15% and — among rates, (12.3) among
    // sums (user-tables review 8, proof-tables review 7): the columns stay
    // flush right, the sums' decimal points under each other.
    let p = proof(5);
    let t = grid_table(p, 1).expect("a table on page 1");
    let edges = column_edges(&t);
    assert_eq!(edges.len(), 5);
    let glyphs = cell_glyphs(p, 1, &t);
    let rows: Vec<Vec<&PlacedGlyph>> = in_lines(glyphs.iter().copied())
        .into_iter()
        .filter(|l| !l[0].family.contains("Hei"))
        .collect();
    assert_eq!(rows.len(), 5);
    for row in &rows {
        for c in 1..4 {
            let cell: Vec<&PlacedGlyph> = row
                .iter()
                .copied()
                .filter(|g| g.x > edges[c] && g.x < edges[c + 1])
                .collect();
            let first = cell.first().expect("a cell");
            assert!(
                first.x - edges[c] > 5.0,
                "“{}” starts {:.2} mm from its column's left rule",
                text(&cell),
                first.x - edges[c]
            );
        }
    }
    let points: Vec<f64> = rows
        .iter()
        .filter_map(|row| {
            row.iter()
                .find(|g| g.text == "." && g.x > edges[3])
                .map(|g| g.x)
        })
        .collect();
    assert_eq!(points.len(), 5, "a decimal point in every sum");
    let spread = points
        .iter()
        .fold(0.0_f64, |m, x| m.max((x - points[0]).abs()));
    assert!(spread < 0.2, "the decimal points stand {points:?}");
}

#[test]
fn a_three_line_table_has_a_short_rule_under_each_group_head() {
    // 隐患排查 over three columns, 资金投入（万元） over two (user-tables
    // review 11, proof-tables review 8): a thin rule under each, as wide
    // as its columns less a small gap, between the top rule and the rule
    // under the header.
    let p = proof(6);
    let rules = three_line_rules(p, 1);
    let full: Vec<&&PlacedLine> = rules
        .iter()
        .filter(|l| (l.x - LEFT).abs() < 1e-6 && (l.x + l.length - RIGHT).abs() < 1e-6)
        .collect();
    assert_eq!(full.len(), 3, "the three lines");
    assert!(rules.iter().all(|l| l.drop.abs() < 1e-6), "a vertical rule");
    let (top, head) = (full[0].y, full[1].y);
    let mut short: Vec<&&PlacedLine> = rules
        .iter()
        .filter(|l| l.length < RIGHT - LEFT - 1.0)
        .collect();
    short.sort_by(|a, b| a.x.total_cmp(&b.x));
    assert_eq!(short.len(), 2, "a short rule under each group head");
    for l in &short {
        assert!(l.y > top + PITCH / 2.0 && l.y < head - PITCH / 2.0);
        assert!((l.thickness - full[1].thickness).abs() < 1e-6, "thin");
    }
    assert!((short[0].y - short[1].y).abs() < 1e-6);
    let gap = short[1].x - (short[0].x + short[0].length);
    assert!(
        (2.0..8.0).contains(&gap),
        "the rules stand {gap:.2} mm apart"
    );
    // Each under its head, centred with it.
    let heads = in_lines(
        p.glyphs
            .iter()
            .filter(|g| g.page == 1 && g.family.contains("Hei") && g.y > top && g.y < short[0].y),
    );
    assert_eq!(heads.len(), 1);
    for (l, first) in short.iter().zip(["隐", "资"]) {
        let glyphs: Vec<&&PlacedGlyph> = heads[0]
            .iter()
            .filter(|g| g.x >= l.x && g.x + g.advance <= l.x + l.length)
            .collect();
        assert_eq!(glyphs[0].text, first);
        let last = glyphs.last().unwrap();
        let mid = (glyphs[0].x + last.x + last.advance) / 2.0;
        assert!((mid - (l.x + l.length / 2.0)).abs() < 0.5);
    }
}

#[test]
fn two_tables_back_to_back_have_a_blank_line_between_them() {
    // 表1 and its note, then 表2's caption (proof-tables review 14): a
    // blank grid line between the note and the caption, both tables on
    // page 1.
    let p = proof(7);
    let captions: Vec<&PlacedGlyph> = p
        .glyphs
        .iter()
        .filter(|g| g.page == 1 && g.text == "表" && g.family.contains("Hei"))
        .collect();
    assert_eq!(captions.len(), 2, "both captions on page 1");
    let note = p
        .glyphs
        .iter()
        .find(|g| g.page == 1 && g.text == "注")
        .expect("表1's note");
    let gap = captions[1].y - note.y;
    assert!(
        gap > 2.0 * PITCH - 0.5,
        "表2's caption stands {gap:.2} mm under 表1's note"
    );
    // Table 1's frame, its note, then the caption; not more than a line
    // and a half of white.
    assert!(gap < 2.5 * PITCH, "{gap:.2} mm");
}

#[test]
fn a_clerks_slips_in_typing_a_table_are_read_as_meant_or_said() {
    // Issue 8: a table typed with the IME's 丨 for |, a caption without
    // its blank (表3各乡镇…) and `&nbsp;` after its {三线表}, a row pasted
    // twice (user-tables review 7, 10).
    let dir = fixture("table-proof");
    let out = jianbao(&dir, &["check", "8"]);
    let said = stderr(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("issues/008.md:20:1: warning[table-caption-space]"),
        "{said}"
    );
    assert!(said.contains("help: 在“表3”后面空一格（全角空格）：表3　各乡镇检查情况"));
    assert!(
        said.contains("issues/008.md:23:1: warning[table-duplicate-row]"),
        "{said}"
    );
    assert!(!said.contains("stray-space"), "{said}");
    // `check --fix` leaves the 丨 rows as typed: their blanks are no
    // stray spaces between words.
    let copy = copy_publication(&dir);
    let before = std::fs::read_to_string(dir.join("issues/008.md")).unwrap();
    let out = jianbao(copy.path(), &["check", "--fix", "8"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = std::fs::read_to_string(copy.path().join("issues/008.md")).unwrap();
    let rows = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with('丨'))
            .map(String::from)
            .collect()
    };
    assert_eq!(rows(&after), rows(&before));
    assert_eq!(rows(&before).len(), 4);
    // The 丨 table is a table of two columns; 表3 has its caption, set
    // with the blank, and is a 三线表 (no vertical rule under its caption).
    let p = proof(8);
    let t = grid_table(p, 1).expect("表1 on page 1");
    assert_eq!(column_edges(&t).len(), 3);
    let lines = cell_text_lines(p, 1, &t);
    for cell in ["单位", "联络员", "县应急局", "王建国", "县交通局", "李明"] {
        assert!(lines.contains(&cell.to_string()), "{cell}: {lines:?}");
    }
    let caption = in_lines(
        p.glyphs
            .iter()
            .filter(|g| g.page == 1 && (g.size_pt - 14.0).abs() < 0.01 && g.y > t.bottom),
    )
    .into_iter()
    .next()
    .expect("表3's caption");
    assert_eq!(text(&caption), "表3\u{3000}各乡镇检查情况");
    let three = caption.iter().position(|g| g.text == "3").unwrap();
    let title = caption.iter().position(|g| g.text == "各").unwrap();
    let gap = caption[title].x - (caption[three].x + caption[three].advance);
    assert!(gap > 4.0, "表3 and its title {gap:.2} mm apart");
    assert!(
        p.lines
            .iter()
            .all(|l| l.drop.abs() < 1e-6 || l.page > 1 || l.y < caption[0].y),
        "a vertical rule in 表3"
    );
    assert!(
        p.lines.iter().all(|l| l.drop.abs() < 1e-6 || l.page == 1),
        "a vertical rule in 续表3"
    );
}

#[test]
fn a_cell_broken_by_alt_enter_is_one_cell_with_a_warning() {
    // Excel copies a cell with a line break (Alt+Enter) as "检查单位 and
    // （家次）" on two lines (user-tables review 6): read as its own reader
    // does, one cell without the quotes, and said where.
    let dir = fixture("table-proof");
    let out = jianbao(&dir, &["check", "9"]);
    let said = stderr(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("issues/009.md:13:4: warning[table-cell-linebreak]"),
        "{said}"
    );
    assert!(
        said.contains("issues/009.md:14:12: warning[table-cell-linebreak]"),
        "{said}"
    );
    assert!(!said.contains("table-ragged"), "{said}");
    let p = proof(9);
    let t = grid_table(p, 1).expect("a table on page 1");
    assert_eq!(column_edges(&t).len(), 5, "four columns");
    let lines = cell_text_lines(p, 1, &t);
    let all = lines.concat();
    for cell in [
        "行业",
        "检查单位（家次）",
        "发现隐患",
        "备注说明",
        "含在建工地",
    ] {
        assert!(all.contains(cell), "{cell}: {lines:?}");
    }
    assert!(!all.contains('"'), "{lines:?}");
}

/// An issue of one table in a copy of the tables fixture: `table` is the
/// body after its first paragraph.
fn one_table(table: &str) -> tempfile::TempDir {
    let dir = copy_publication(&fixture("tables"));
    let src = format!(
        "+++\nnumber = 1\ndate = 2024-05-06\n\n[distribution]\nfa = [\"各乡（镇）人民政府\"]\n+++\n# 标题\n\n正文一段。\n\n{table}\n"
    );
    std::fs::write(dir.path().join("issues/001.md"), src).unwrap();
    dir
}

/// A caption, a header or notes that no page holds beside what must stand
/// with them would run off the page, their text lost (the attack review:
/// 25 notes lost 注18–注25, a header cell of 1,500 characters lost the row
/// under it): `check` refuses them at their line, and `build` writes no
/// PDF.
#[test]
fn a_caption_header_or_notes_taller_than_a_page_are_refused_at_their_line() {
    let notes: String = (1..=30)
        .map(|k| {
            format!("注{k}：本表第{k}项数据由各乡镇统计站报送，县统计局汇总后经县政府审定。\n")
        })
        .collect();
    let cases = [
        (
            format!(
                "表1　{}\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |",
                "各乡镇情况".repeat(200)
            ),
            "12:1: error[table-too-tall]: 表题太长",
        ),
        (
            format!(
                "表1　情况\n| {} | 乙 |\n|---|---|\n| 1 | 2 |",
                "指标说明".repeat(300)
            ),
            "13:1: error[table-too-tall]: 表头太长",
        ),
        (
            format!("表1　情况\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n{notes}"),
            "16:1: error[table-too-tall]: 表注太长",
        ),
    ];
    for (table, said) in cases {
        let dir = one_table(&table);
        let out = jianbao(dir.path(), &["check", "1"]);
        let err = stderr(&out);
        assert!(!out.status.success() && err.contains(said), "{said}: {err}");
        let out = jianbao(dir.path(), &["build", "1"]);
        assert!(!out.status.success());
        assert!(!dir.path().join("out/001.pdf").exists());
    }
    // Ten notes fit under the table: no error.
    let ten: String = notes.lines().take(10).map(|l| format!("{l}\n")).collect();
    let dir = one_table(&format!(
        "表1　情况\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n{ten}"
    ));
    let out = jianbao(dir.path(), &["build", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// `&#124;` in a pipe table's cell is a `|` in the cell: printed, and
/// written `\|` by `check --fix`, so the fixed file still builds the same
/// (the attack review: `左&#124;右` printed `左`, and `--fix` wrote a bare
/// `|` that split the cell).
#[test]
fn a_pipe_written_as_an_html_entity_stays_in_its_cell() {
    let dir = one_table("| 单位 | 符号 |\n|---|---|\n| 甲 | 左&#124;右 |");
    let out = jianbao(dir.path(), &["build", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = std::fs::read(dir.path().join("out/001.pdf")).unwrap();
    assert!(pdf_text(&pdf).concat().contains("甲左|右"));
    let out = jianbao(dir.path(), &["check", "--fix", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let fixed = std::fs::read_to_string(dir.path().join("issues/001.md")).unwrap();
    assert!(fixed.contains("| 甲 | 左\\|右 |"), "{fixed}");
    let out = jianbao(dir.path(), &["build", "--force", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let again = std::fs::read(dir.path().join("out/001.pdf")).unwrap();
    assert_eq!(pdf_text(&again), pdf_text(&pdf));
}

/// An Excel two-level header pasted as Excel copies it (merged cells
/// empty), its rows said with `{表头=2}`: the empty cells join as they
/// were merged — 本月 over 绝对值 and 增速, 指标 over both rows — not
/// printed as empty ruled boxes (the new-user review).
#[test]
fn an_excel_header_of_two_rows_joins_its_empty_merged_cells() {
    let dir = one_table(
        "表1　主要指标{表头=2}\n指标\t本月\t\t1—11月累计\t\n\t绝对值\t增速\t绝对值\t增速\n工业总产值\t31.26\t7.9\t312.56\t7.3",
    );
    let out = jianbao(dir.path(), &["build", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let pdf = std::fs::read(dir.path().join("out/001.pdf")).unwrap();
    let tables = pdf_tagged_tables(&pdf);
    let cells: Vec<Vec<&str>> = tables[0]
        .iter()
        .map(|r| r.iter().map(|(_, t)| t.as_str()).collect())
        .collect();
    assert_eq!(
        cells,
        [
            vec!["指标", "本月", "1—11月累计"],
            vec!["绝对值", "增速", "绝对值", "增速"],
            vec!["工业总产值", "31.26", "7.9", "312.56", "7.3"],
        ]
    );
}
