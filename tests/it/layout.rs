//! Bulletins in their real forms, measured on the laid-out frames: several
//! articles under 【栏目】 with a 本期要目, masthead variants, pictures,
//! the closing block with 本期增发 and 共印, and the page breaks around
//! titles.

use std::sync::OnceLock;

use crate::common::*;

const LEFT: f64 = 28.0;
const RIGHT: f64 = 184.0;
const TOP: f64 = 37.0;
const BOTTOM: f64 = 262.0;

fn multi() -> &'static Placed {
    static PLACED: OnceLock<Placed> = OnceLock::new();
    PLACED.get_or_init(|| flatten(&layout(&fixture("multi"), "7")))
}

fn zengkan() -> &'static Placed {
    static PLACED: OnceLock<Placed> = OnceLock::new();
    PLACED.get_or_init(|| flatten(&layout(&fixture("zengkan"), "zengkan-002")))
}

fn pictures() -> &'static Placed {
    static PLACED: OnceLock<Placed> = OnceLock::new();
    PLACED.get_or_init(|| flatten(&layout(&fixture("pictures"), "3")))
}

fn issue_4() -> &'static Placed {
    static PLACED: OnceLock<Placed> = OnceLock::new();
    PLACED.get_or_init(|| flatten(&layout(&repo(), "4")))
}

fn county() -> &'static Placed {
    static PLACED: OnceLock<Placed> = OnceLock::new();
    PLACED.get_or_init(|| flatten(&layout(&fixture("county"), "12")))
}

fn all() -> [(&'static str, &'static Placed); 5] {
    [
        ("multi", multi()),
        ("zengkan", zengkan()),
        ("pictures", pictures()),
        ("第4期", issue_4()),
        ("county", county()),
    ]
}

/// The lines of a page, top to bottom: glyphs grouped by baseline, left to
/// right, inside the type area (no page number).
fn lines_of(p: &Placed, page: usize) -> Vec<Vec<&PlacedGlyph>> {
    let mut glyphs: Vec<&PlacedGlyph> = p
        .glyphs
        .iter()
        .filter(|g| g.page == page && g.y < BOTTOM)
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

fn text(line: &[&PlacedGlyph]) -> String {
    line.iter().map(|g| g.text.as_str()).collect()
}

/// Title lines (2号) of a page.
fn titles(p: &Placed, page: usize) -> Vec<String> {
    lines_of(p, page)
        .iter()
        .filter(|l| (l[0].size_pt - 22.0).abs() < 0.01 && l[0].fill.is_none())
        .map(|l| text(l))
        .collect()
}

#[test]
fn contents_page_numbers_are_the_pages_articles_start_on() {
    let p = multi();
    let page_one = lines_of(p, 1);
    let head = page_one
        .iter()
        .position(|l| text(l) == "本期要目")
        .expect("a 本期要目 on page 1");
    // Entries: a dot leader, then the page number at the right edge.
    let entries: Vec<(String, usize)> = page_one[head + 1..]
        .iter()
        .filter(|l| text(l).contains("...."))
        .map(|l| {
            let t = text(l);
            let number: String = t.chars().rev().take_while(char::is_ascii_digit).collect();
            let number: usize = number.chars().rev().collect::<String>().parse().unwrap();
            let last = l.last().unwrap();
            assert!(
                (last.x + last.advance - RIGHT).abs() < 0.3,
                "number not at the right: {t}"
            );
            (t.split("..").next().unwrap().to_string(), number)
        })
        .collect();
    assert_eq!(entries.len(), 3, "{entries:?}");
    for (title, number) in entries {
        let on: Vec<usize> = (1..=p.pages)
            .filter(|&page| {
                let joined: String = titles(p, page).concat();
                joined.starts_with(&title[..title.len().min(15)])
                    || titles(p, page)
                        .first()
                        .is_some_and(|t| title.starts_with(t.as_str()))
            })
            .collect();
        assert_eq!(
            on.first(),
            Some(&number),
            "“{title}” listed on page {number}, found on {on:?}"
        );
    }
    // Grouped under their 栏目.
    let labels: Vec<String> = page_one[head + 1..]
        .iter()
        .map(|l| text(l))
        .filter(|t| t.starts_with('【'))
        .collect();
    assert!(labels.len() >= 2, "{labels:?}");
}

#[test]
fn no_title_or_label_is_the_last_line_of_a_page() {
    for (name, p) in all() {
        for page in 1..p.pages {
            let lines = lines_of(p, page);
            // The last line of running text (above the closing block).
            let Some(last) = lines
                .iter()
                .rev()
                .find(|l| (l[0].size_pt - 14.0).abs() > 0.01)
            else {
                continue;
            };
            let t = text(last);
            let is_title = (last[0].size_pt - 22.0).abs() < 0.01 && last[0].y > TOP + 40.0;
            let is_label = t.starts_with('【') && t.ends_with('】');
            assert!(!is_title && !is_label, "{name} page {page} ends with “{t}”");
        }
    }
}

#[test]
fn body_lines_stay_on_the_22_line_grid_on_every_page() {
    for (name, p) in all() {
        let mut row0: Option<f64> = None;
        for page in 1..=p.pages {
            for l in lines_of(p, page) {
                let g = l[0];
                if (g.size_pt - 16.0).abs() > 0.01 || g.y < TOP {
                    continue;
                }
                let r = (g.y - TOP).rem_euclid(PITCH);
                let r0 = *row0.get_or_insert(r);
                assert!(
                    (r - r0).abs() < 0.02 || (r - r0).abs() > PITCH - 0.02,
                    "{name} page {page}: “{}” off the grid ({r:.3} vs {r0:.3})",
                    text(&l)
                );
            }
        }
    }
}

#[test]
fn a_picture_and_its_caption_share_a_page_and_keep_their_size() {
    let p = pictures();
    assert_eq!(p.images.len(), 5);
    for img in &p.images {
        assert!(img.width <= RIGHT - LEFT + 0.01, "{img:?}");
        assert!(
            img.x >= LEFT - 0.01 && img.x + img.width <= RIGHT + 0.01,
            "{img:?}"
        );
        assert!(
            img.y >= TOP - 0.01 && img.y + img.height <= BOTTOM + 0.01,
            "{img:?}"
        );
        // The caption: 楷体, the grid line right under the picture.
        let bottom = img.y + img.height;
        let caption = p.glyphs.iter().find(|g| {
            g.page == img.page
                && g.family.contains("Kai")
                && g.y > bottom
                && g.y < bottom + PITCH
                && g.x >= img.x - 6.0
                && g.x <= img.x + img.width + 6.0
        });
        assert!(caption.is_some(), "no caption under {img:?}");
    }
    // The wide picture is as wide as the type area, or made smaller (to
    // 80 % at least) to stay under its paragraph on page 1 (pages.rs); the
    // tall one is at most 11 lines.
    let wide = p.images.iter().find(|i| i.width / i.height > 2.0).unwrap();
    let scale = wide.width / (RIGHT - LEFT);
    assert!((0.8..=1.0 + 1e-4).contains(&scale), "{wide:?}");
    let tallest = p.images.iter().map(|i| i.height).fold(0.0, f64::max);
    assert!(tallest <= 11.0 * PITCH + 0.01, "{tallest}");
    // Two at {width=50%} side by side on one row, a cell apart, together
    // as wide as the type area; {width=4字} four cells wide.
    let half: Vec<&PlacedImage> = p
        .images
        .iter()
        .filter(|i| (i.width - (156.0 - CELL) / 2.0).abs() < 0.01)
        .collect();
    assert_eq!(half.len(), 2);
    assert_eq!(half[0].page, half[1].page);
    assert!((half[0].x - LEFT).abs() < 0.01 && (half[1].x + half[1].width - RIGHT).abs() < 0.01);
    assert!((half[0].y + half[0].height - half[1].y - half[1].height).abs() < 0.01);
    assert!(p.images.iter().any(|i| (i.width - 4.0 * CELL).abs() < 0.01));
}

#[test]
fn the_closing_block_stands_at_the_foot_of_the_last_page() {
    for (name, p) in all() {
        let last = p.pages;
        let rules: Vec<&PlacedLine> = p
            .lines
            .iter()
            .filter(|l| l.page == last && !l.red)
            .collect();
        let lowest = rules.iter().map(|l| l.y).fold(0.0, f64::max);
        assert!(
            (lowest - BOTTOM).abs() < 0.3,
            "{name}: last rule at {lowest:.2}"
        );
        let imprint = lines_of(p, last).iter().any(|l| text(l).ends_with("印发"));
        assert!(imprint, "{name}: no 印发 line on the last page");
    }
    // 本期增发 after 发, and the print run.
    let all_text: String = (1..=multi().pages)
        .flat_map(|pg| lines_of(multi(), pg))
        .map(|l| text(&l))
        .collect();
    assert_in_order(
        &all_text,
        &[
            "发：",
            "本期增发：",
            "区人大常委会教科文卫工委",
            "（共印120份）",
        ],
    );
}

#[test]
fn masthead_variants() {
    let p = zengkan();
    let lines = lines_of(p, 1);
    let texts: Vec<String> = lines.iter().map(|l| text(l)).collect();
    // 增刊 numbered in Chinese numerals, （总第N期） on a line of its own.
    let number = texts
        .iter()
        .position(|t| t == "增刊第二期")
        .expect("增刊第二期");
    assert_eq!(texts[number + 1], "（总第103期）", "{texts:?}");
    // 密级 and 编号 at the top right.
    for mark in ["秘密★1年", "000128"] {
        let l = lines.iter().find(|l| text(l) == mark).expect(mark);
        let end = l.last().unwrap();
        assert!(
            (end.x + end.advance - RIGHT).abs() < 0.5,
            "{mark} not at the right"
        );
    }
    // A series line too long for one line: two, balanced, red.
    let series: Vec<&Vec<&PlacedGlyph>> = lines
        .iter()
        .filter(|l| (l[0].size_pt - 22.0).abs() < 0.01 && l[0].fill.is_some())
        .collect();
    assert_eq!(series.len(), 2);
    let (a, b) = (series[0].len() as f64, series[1].len() as f64);
    assert!((a - b).abs() <= 4.0, "{a} vs {b}");
    assert!(texts.iter().any(|t| t.starts_with("领导小组办公室编印")));
    // No 本期要目: one article, and `contents = false`.
    assert!(!texts.iter().any(|t| t == "本期要目"));
}

#[test]
fn an_editors_note_before_an_article_shares_the_page_of_its_title() {
    let p = multi();
    let page_of = |start: &str| {
        (1..=p.pages)
            .find(|&page| lines_of(p, page).iter().any(|l| text(l).starts_with(start)))
            .unwrap_or_else(|| panic!("“{start}” is not on any page"))
    };
    // The title as set in 2号 (not its line in the 本期要目).
    let title = (1..=p.pages)
        .find(|&page| {
            lines_of(p, page)
                .iter()
                .any(|l| (l[0].size_pt - 22.0).abs() < 0.01 && text(l).starts_with("区教育局召开"))
        })
        .expect("the first title");
    let note = page_of("编者按");
    assert_eq!(note, title);
    // The column label above them goes along (its line in the 本期要目 is
    // indented: it does not start the line there).
    let label = (1..=p.pages)
        .filter(|&page| lines_of(p, page).iter().any(|l| text(l) == "【工作动态】"))
        .max()
        .expect("the label");
    assert_eq!(label, title);
}

#[test]
fn a_long_issue_laid_out_in_parts_reads_as_one() {
    // Over 64 pages: laid out a part at a time, the pages numbered through.
    let dir = copy_publication(&fixture("literal"));
    let body: String = (1..=1200)
        .map(|i| format!("第{i}条：各单位按时报送材料，做到数据准确、内容完整，不得迟报漏报。\n"))
        .collect();
    std::fs::write(
        dir.path().join("issues/001.md"),
        format!(
            "+++\nnumber = 1\ndate = 2024-03-05\n\n[distribution]\nfa = [\"各学校\"]\n+++\n# 关于做好材料报送工作的通知\n{body}"
        ),
    )
    .unwrap();
    let out = jianbao(dir.path(), &["build", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = std::fs::read(dir.path().join("out/001.pdf")).unwrap();
    let pages = pdf_text(&pdf);
    assert!(pages.len() > 64, "{} pages", pages.len());
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    for (n, text) in pages.iter().enumerate() {
        assert!(
            squash(text).contains(&format!("—{}—", n + 1)),
            "page {} has no number — {} —",
            n + 1,
            n + 1
        );
    }
    // Every paragraph, in order, across the parts.
    let all = squash(&pages.concat());
    let mut at = 0;
    for i in 1..=1200 {
        let item = format!("第{i}条");
        let found = all[at..]
            .find(&item)
            .unwrap_or_else(|| panic!("{item} missing or out of order"));
        at += found + item.len();
    }
}
