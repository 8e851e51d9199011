//! The line composer on the laid-out pages: for 第4期 (almost pure Chinese)
//! and for the county fixture (dates, percentages, PM2.5, an English name,
//! a 20-digit number, a URL, text pasted from the web), measured on the
//! frames typst laid out. What a reader notices first: no holes, flush
//! edges, every line on the 22-line grid, numbers with their units, no
//! half-width marks in Chinese, the grid kept where nothing needed adjusting.

use std::sync::OnceLock;

use crate::common::*;

const LEFT: f64 = 28.0;
const RIGHT: f64 = 184.0;
const TOP: f64 = 37.0;
const BOTTOM: f64 = 262.0;

fn issue_4() -> &'static Placed {
    static PLACED: OnceLock<Placed> = OnceLock::new();
    PLACED.get_or_init(|| flatten(&layout(&repo(), "4")))
}

fn county() -> &'static Placed {
    static PLACED: OnceLock<Placed> = OnceLock::new();
    PLACED.get_or_init(|| flatten(&layout(&fixture("county"), "12")))
}

fn both() -> [(&'static str, &'static Placed); 2] {
    [("第4期", issue_4()), ("county", county())]
}

/// A body line: its page and its 16 pt glyphs on the character grid, left
/// to right. Centred lines (lead-in, subtitle: 楷体 lines that do not
/// start at the margin or the indent) and the masthead are left out.
struct BodyLine<'a> {
    page: usize,
    glyphs: Vec<&'a PlacedGlyph>,
}

impl BodyLine<'_> {
    fn text(&self) -> String {
        self.glyphs.iter().map(|g| g.text.as_str()).collect()
    }
    fn y(&self) -> f64 {
        self.glyphs[0].y
    }
    fn left(&self) -> f64 {
        self.glyphs[0].x
    }
    /// The right edge of the last glyph's box.
    fn right(&self) -> f64 {
        let g = self.glyphs.last().unwrap();
        g.x + g.advance
    }
}

fn is_cjk(c: char) -> bool {
    jianbao::script::is_wide(c)
}

fn body_lines(p: &Placed) -> Vec<BodyLine<'_>> {
    let mut out = Vec::new();
    for page in 1..=p.pages {
        for line in p.body_lines(page) {
            if page == 1 && line[0].y < TOP + 10.0 * PITCH {
                continue;
            }
            let starts_on_grid = [LEFT, LEFT + 2.0 * CELL]
                .iter()
                .any(|x| (line[0].x - x).abs() < CELL / 2.0 + 0.01);
            if !starts_on_grid {
                continue;
            }
            out.push(BodyLine { page, glyphs: line });
        }
    }
    out
}

/// Lines followed by a line of the same paragraph: the next line starts at
/// the margin one pitch below (or at the top of the next page).
fn continued<'a>(lines: &'a [BodyLine<'a>]) -> Vec<(&'a BodyLine<'a>, &'a BodyLine<'a>)> {
    lines
        .windows(2)
        .filter(|w| {
            let (a, b) = (&w[0], &w[1]);
            let below = if a.page == b.page {
                (b.y() - a.y() - PITCH).abs() < 0.05
            } else {
                b.y() < TOP + PITCH && a.y() > BOTTOM - 2.0 * PITCH
            };
            below && (b.left() - LEFT).abs() < 0.05
        })
        .map(|w| (&w[0], &w[1]))
        .collect()
}

#[test]
fn no_gap_between_characters_is_wider_than_half_a_cell() {
    for (name, p) in both() {
        let mut gaps = Vec::new();
        for line in body_lines(p) {
            for w in line.glyphs.windows(2) {
                let gap = w[1].x - (w[0].x + w[0].advance);
                if gap > CELL / 2.0 + 0.05 {
                    gaps.push(format!(
                        "page {}: {:.2} mm between “{}” and “{}” in {}",
                        line.page,
                        gap,
                        w[0].text,
                        w[1].text,
                        line.text()
                    ));
                }
            }
        }
        assert!(gaps.is_empty(), "{name}: holes\n{}", gaps.join("\n"));
    }
}

#[test]
fn every_full_line_is_flush_at_both_edges() {
    for (name, p) in both() {
        let lines = body_lines(p);
        let full = continued(&lines);
        assert!(full.len() > 40, "{name}: only {} full lines", full.len());
        for (line, _) in full {
            let left = line.left();
            assert!(
                (left - LEFT).abs() < 0.05 || (left - LEFT - 2.0 * CELL).abs() < 0.05,
                "{name} page {}: starts at {left:.2} mm: {}",
                line.page,
                line.text()
            );
            // A mark squeezed at the line end is half a cell wide, its ink
            // (GB style, in the left half) inside the line.
            let right = line.right();
            let ok = (right - RIGHT).abs() < 0.3;
            assert!(
                ok,
                "{name} page {}: ends at {right:.2} mm, not {RIGHT}: {}",
                line.page,
                line.text()
            );
        }
    }
}

#[test]
fn every_body_line_is_on_the_22_line_grid() {
    for (name, p) in both() {
        let lines = body_lines(p);
        // The baseline of grid row k: the row's centre plus the offset of a
        // baseline in a 0.88/−0.12 em text box.
        let first = lines[0].y();
        for line in &lines {
            let rows = (line.y() - first) / PITCH;
            assert!(
                (rows - rows.round()).abs() < 0.01,
                "{name} page {}: line at {:.3} mm is off the grid: {}",
                line.page,
                line.y(),
                line.text()
            );
            assert!(
                line.y() > TOP && line.y() < BOTTOM,
                "{name}: {}",
                line.text()
            );
        }
        // Every page's lines are a whole number of pitches below the type
        // area's top: the first row's baseline is the same on every page.
        let row0 = (first - TOP) % PITCH;
        for line in &lines {
            let r = (line.y() - TOP) % PITCH;
            assert!((r - row0).abs() < 0.02, "{name}: {}", line.text());
        }
    }
}

/// The issue files the tests lay out, as typed.
fn sources() -> &'static String {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        [
            repo().join("issues/004.md"),
            fixture("county").join("issues/012.md"),
        ]
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
    })
}

#[test]
fn numbers_stay_with_their_units_and_words_stay_whole() {
    const UNITS: &str = "年月日时分秒天个次名人家项条份倍万亿元%";
    for (name, p) in both() {
        let lines = body_lines(p);
        for (a, b) in continued(&lines) {
            let (end, start) = (a.text(), b.text());
            let last = end.chars().last().unwrap();
            let first = start.chars().next().unwrap();
            assert!(
                !(last.is_ascii_digit() && UNITS.contains(first)),
                "{name}: number split from its unit: {end} / {start}"
            );
            assert!(
                !(last == '第' && first.is_ascii_digit()),
                "{name}: 第 split from its number: {end} / {start}"
            );
            // A Latin word or number is never split (a URL may break after
            // / . _ - ? & = #): a break between two letters must be where
            // the source has a space.
            if last.is_ascii_alphanumeric() && first.is_ascii_alphanumeric() {
                let tail: String = end
                    .chars()
                    .rev()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                let head: String = start
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect();
                assert!(
                    sources().contains(&format!("{tail} {head}")),
                    "{name}: word split: {end} / {start}"
                );
            }
        }
    }
    // The fixture's long numbers are whole on one line.
    let text: Vec<String> = body_lines(county()).iter().map(BodyLine::text).collect();
    for number in [
        "20240312091500038416",
        "91350725MA2XY8KQ3D",
        "82.5%",
        "PM2.5",
        "2024年",
    ] {
        assert!(
            text.iter().any(|l| l.contains(number)),
            "`{number}` is not whole on a line"
        );
    }
}

#[test]
fn no_half_width_punctuation_next_to_chinese() {
    for (name, p) in both() {
        for line in body_lines(p) {
            let chars: Vec<char> = line.text().chars().collect();
            for (i, c) in chars.iter().enumerate() {
                if !",:;()?!".contains(*c) {
                    continue;
                }
                let prev = i.checked_sub(1).map(|j| chars[j]);
                let next = chars.get(i + 1).copied();
                assert!(
                    !prev.is_some_and(is_cjk) && !next.is_some_and(is_cjk),
                    "{name}: half-width “{c}” next to Chinese in {}",
                    line.text()
                );
            }
        }
    }
}

#[test]
fn lines_that_need_no_adjustment_keep_every_column() {
    for (name, p) in both() {
        let lines = body_lines(p);
        let (mut on, mut total, mut plain) = (0, 0, 0);
        for (line, _) in continued(&lines) {
            // A line of full-width characters that fills its cells exactly.
            let all_wide = line.glyphs.iter().all(|g| g.text.chars().all(is_cjk));
            let cells = ((RIGHT - line.left()) / CELL).round() as usize;
            if !all_wide || line.glyphs.len() != cells {
                continue;
            }
            plain += 1;
            for g in &line.glyphs {
                total += 1;
                let k = (g.x - LEFT) / CELL;
                // An opening mark's glyph is drawn a half em in from its cell.
                if (k - k.round()).abs() * CELL < 0.05 {
                    on += 1;
                }
            }
        }
        assert!(plain > 10, "{name}: only {plain} unadjusted lines");
        let share = on as f64 / total as f64;
        eprintln!("{name}: {on} of {total} characters on unadjusted lines in their column");
        assert!(share >= 0.99, "{name}: only {:.2} %", share * 100.0);
    }
}

#[test]
fn a_line_that_starts_with_a_digit_starts_exactly_at_its_edge() {
    let lines = body_lines(county());
    let digit_starts: Vec<&BodyLine> = lines
        .iter()
        .filter(|l| l.glyphs[0].text.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert!(!digit_starts.is_empty());
    for l in digit_starts {
        let x = l.left();
        assert!(
            (x - LEFT).abs() < 0.02 || (x - LEFT - 2.0 * CELL).abs() < 0.02,
            "starts at {x:.3} mm: {}",
            l.text()
        );
    }
}

#[test]
fn latin_and_digits_are_in_one_latin_face() {
    for (name, p) in both() {
        for g in &p.glyphs {
            if g.text.chars().all(|c| c.is_ascii_alphanumeric()) && g.page > 0 {
                // Page numbers are 宋体 digits (GB/T 9704 7.5).
                if g.size_pt == 14.0 && g.y > BOTTOM {
                    continue;
                }
                assert!(
                    g.family.starts_with("Liberation Serif"),
                    "{name}: “{}” in {} on page {}",
                    g.text,
                    g.family,
                    g.page
                );
            }
        }
    }
}

#[test]
fn rare_characters_keep_the_style_of_their_role() {
    // 戶 is missing from FandolFang: it comes from cwTeX 仿宋, not a sans.
    let p = county();
    let hu: Vec<&PlacedGlyph> = p.glyphs.iter().filter(|g| g.text == "戶").collect();
    assert!(!hu.is_empty());
    for g in hu {
        assert_eq!(g.family, "cwTeXFangSong");
    }
    // 䶮, in no 仿宋 or 楷体 face here, set in 黑体 (emphasis) comes from
    // Droid Sans Fallback, itself a 黑体-style sans.
    let yan: Vec<&PlacedGlyph> = p.glyphs.iter().filter(|g| g.text == "䶮").collect();
    assert!(!yan.is_empty());
    for g in yan {
        assert_eq!(g.family, "Droid Sans Fallback");
    }
}

#[test]
fn a_face_that_maps_a_character_to_an_empty_glyph_is_skipped() {
    // AR PL UKai maps 䶮 to a glyph without an outline: in 楷体 it would
    // print as a blank. It comes from the next face that draws it, and
    // `check` says it is not 楷体.
    let dir = copy_publication(&fixture("county"));
    let file = dir.path().join("issues/012.md");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("> 编者按：3月15日，", "> 编者按：副县长李䶮指出，3月15日，");
    std::fs::write(&file, text).unwrap();
    let check = jianbao(dir.path(), &["check"]);
    assert!(
        stderr(&check).contains("fallback-style"),
        "{}",
        stderr(&check)
    );
    let doc = flatten(&layout(dir.path(), "12"));
    let yan: Vec<&PlacedGlyph> = doc.glyphs.iter().filter(|g| g.text == "䶮").collect();
    assert!(!yan.is_empty());
    assert!(
        yan.iter().all(|g| !g.family.starts_with("AR PL UKai")),
        "{:?}",
        yan[0].family
    );
}

#[test]
fn titles_break_between_words() {
    let p = county();
    let titles: Vec<String> = (1..=p.pages)
        .flat_map(|page| {
            let mut lines: Vec<(f64, String)> = Vec::new();
            let mut glyphs: Vec<&PlacedGlyph> = p
                .glyphs
                .iter()
                .filter(|g| g.page == page && (g.size_pt - 22.0).abs() < 0.01 && g.fill.is_none())
                .collect();
            glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
            for g in glyphs {
                match lines.last_mut() {
                    Some((y, t)) if (*y - g.y).abs() < 0.5 => t.push_str(&g.text),
                    _ => lines.push((g.y, g.text.clone())),
                }
            }
            lines.into_iter().map(|(_, t)| t)
        })
        .collect();
    assert!(
        titles.contains(&"市創文督查組對我縣生態環境系統".to_string())
            && titles.contains(&"開展創文公益廣告宣傳實地檢查".to_string()),
        "{titles:?}"
    );
    for t in &titles {
        assert!(!t.starts_with(|c| "，。、；：！？”）》".contains(c)), "{t}");
        assert!(!t.ends_with(|c| "“（《".contains(c)), "{t}");
    }
}

#[test]
fn check_fix_cleans_the_fixture_once_and_for_all() {
    let dir = copy_publication(&fixture("county"));
    let before = jianbao(dir.path(), &["check"]);
    let err = stderr(&before);
    assert_eq!(before.status.code(), Some(0), "{err}");
    for code in [
        "half-width-punctuation",
        "straight-quote",
        "stray-space",
        "full-width-alphanumeric",
    ] {
        assert!(err.contains(code), "no {code} warning:\n{err}");
    }
    let file = dir.path().join("issues/012.md");
    let original = std::fs::read_to_string(&file).unwrap();
    let fixed = jianbao(dir.path(), &["check", "--fix"]);
    let out = stderr(&fixed);
    assert!(out.contains("已修改 issues/012.md"), "{out}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_ne!(text, original);
    // Every other byte as it was: the front matter is untouched, and so is
    // every line the cleaner had nothing to say about.
    let fence = |s: &str| s[..s.find("\n+++").unwrap()].to_string();
    assert_eq!(fence(&text), fence(&original));
    assert!(text.contains("县长陳志明"));
    assert!(text.contains("（PM2.5）") && !text.contains("２０２４"));
    // The fixed file checks and builds without a single warning.
    let check = jianbao(dir.path(), &["check", "--deny-warnings"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let build = jianbao(dir.path(), &["build", "12"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
    assert!(!stderr(&build).contains("warning"), "{}", stderr(&build));
    // A second --fix changes nothing.
    let again = jianbao(dir.path(), &["check", "--fix"]);
    assert!(!stderr(&again).contains("已修改"), "{}", stderr(&again));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}

#[test]
fn cleaning_can_be_turned_off() {
    let dir = copy_publication(&fixture("county"));
    let toml = dir.path().join("jianbao.toml");
    let mut config = std::fs::read_to_string(&toml).unwrap();
    config.push_str("\n[text]\nclean = false\n");
    std::fs::write(&toml, config).unwrap();
    let check = jianbao(dir.path(), &["check"]);
    assert!(!stderr(&check).contains("half-width-punctuation"));
    let file = dir.path().join("issues/012.md");
    let original = std::fs::read(&file).unwrap();
    jianbao(dir.path(), &["check", "--fix"]);
    assert_eq!(std::fs::read(&file).unwrap(), original);
}
