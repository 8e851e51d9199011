//! Lines broken by meaning (issue 15, parts 1, 7 and 8), measured on the
//! laid-out frames of `tests/fixtures/titles`: the titles a proof-reader
//! marked when they were cut inside words, their 本期要目 entries, a row of
//! three pictures whose captions are longer than the pictures are wide, a
//! picture with a three-line caption, and a speech with its byline.
//!
//! What may break where is written here by hand, from the text: `|` marks
//! the places a proof-reader accepts a line break (between phrases, never
//! inside a word, a number range or a short quotation).

use std::sync::OnceLock;

use crate::common::*;

const LEFT: f64 = 28.0;
const TOP: f64 = 37.0;
/// The centre of the type area.
const CENTRE: f64 = LEFT + 78.0;

fn titles() -> &'static Placed {
    static PLACED: OnceLock<Placed> = OnceLock::new();
    PLACED.get_or_init(|| flatten(&layout(&fixture("titles"), "1")))
}

/// The fixture's titles, with the places they may break.
/// (A break right after a date-like quotation, “5·20”|较大爆炸事故, reads
/// as the proof-reader's “4·18”|较大火灾事故; the one before it, 举办|“6·5”,
/// gave a lopsided 8/16 and is not accepted.)
const TITLES: [&str; 13] = [
    "全市中小学校长|教育|数字化转型|专题培训班|开班",
    "我市|推广|“三个一”工作法|破解|基层治理|“最后一公里”难题",
    "市应急管理局|召开|“5·20”|较大爆炸事故|警示教育大会",
    // Compound terms of 应急 writing kept whole (user review F16).
    "我县|圆满完成|“应急使命·2026”|山洪灾害防御综合应急演练",
    "县委常委会|专题|听取|全县|自然灾害综合风险普查|成果转化应用情况|汇报",
    "青山县人民政府办公室|关于印发|《青山县突发事件总体应急预案|（2026年修订）》|的通知",
    "全县|危险化学品企业|重大危险源|安全包保责任制|落实情况|督导检查反馈会|召开",
    // Titles with “N·N” (proof review F2).
    "市生态环境局|举办“6·5”|环境日|主题宣传活动|筹备会",
    "洛南县化工园区“4·18”|较大火灾事故|调查报告摘要",
    // A line ending with 、 (user review F15).
    "县消防救援大队|深入开展|高层建筑、|大型商业综合体|消防安全专项整治|“回头看”",
    "2026—2027年度|安全生产|工作要点|及重点任务分工方案|印发实施",
    "县农业农村局|组织|技术人员|深入|蔬菜大棚|开展|冬春季节|生产技术指导服务",
    "在全市安全生产和消防工作会议上的讲话",
];

/// The captions, with the places they may break.
const CAPTIONS: [&str; 4] = [
    "技术人员|在蔬菜大棚内|查看|黄瓜长势",
    "指导|种植户|做好|冬春季节|棚室保温",
    "大棚",
    "市安委会办公室|组织召开|全市|安全生产|和消防工作|视频调度会议",
];

/// A text without its `|`, and the character offsets where it may break.
fn allowed(marked: &str) -> (String, Vec<usize>) {
    let mut text = String::new();
    let mut at = Vec::new();
    for c in marked.chars() {
        if c == '|' {
            at.push(text.chars().count());
        } else {
            text.push(c);
        }
    }
    (text, at)
}

/// Glyphs that pass `keep`, as lines: grouped by page and baseline, left to
/// right.
fn lines(p: &Placed, keep: impl Fn(&PlacedGlyph) -> bool) -> Vec<Vec<&PlacedGlyph>> {
    let mut glyphs: Vec<&PlacedGlyph> = p.glyphs.iter().filter(|g| keep(g)).collect();
    glyphs.sort_by(|a, b| {
        a.page
            .cmp(&b.page)
            .then(a.y.total_cmp(&b.y))
            .then(a.x.total_cmp(&b.x))
    });
    let mut out: Vec<Vec<&PlacedGlyph>> = Vec::new();
    for g in glyphs {
        match out.last_mut() {
            Some(l) if l[0].page == g.page && (l[0].y - g.y).abs() < 0.5 => l.push(g),
            _ => out.push(vec![g]),
        }
    }
    out
}

fn text(line: &[&PlacedGlyph]) -> String {
    line.iter().map(|g| g.text.as_str()).collect()
}

/// Where a line's text starts. typst trims the blank half of an opening
/// mark that starts a centred line (it draws the mark half an em to the
/// left, with half its advance): the text starts where the second glyph
/// does, less the first one's advance.
fn left(line: &[&PlacedGlyph]) -> f64 {
    match line {
        [first, second, ..] => second.x - first.advance,
        [only] => only.x,
        [] => f64::NAN,
    }
}

fn right(line: &[&PlacedGlyph]) -> f64 {
    line.iter()
        .map(|g| g.x + g.advance)
        .fold(f64::MIN, f64::max)
}

/// The character offsets where `lines` (of one text) break.
fn breaks(lines: &[String]) -> Vec<usize> {
    let mut at = 0;
    let mut out = Vec::new();
    for l in &lines[..lines.len().saturating_sub(1)] {
        at += l.chars().count();
        out.push(at);
    }
    out
}

/// Consecutive lines of `all` whose texts run together into `whole`.
fn find_run<'a>(
    all: &'a [Vec<&'a PlacedGlyph>],
    whole: &str,
) -> Option<&'a [Vec<&'a PlacedGlyph>]> {
    (0..all.len()).find_map(|i| {
        let mut joined = String::new();
        for j in i..all.len() {
            joined.push_str(&text(&all[j]));
            if joined == whole {
                return Some(&all[i..=j]);
            }
            if !whole.starts_with(&joined) {
                return None;
            }
        }
        None
    })
}

#[test]
fn titles_break_between_phrases_in_a_trapezoid_or_diamond() {
    let p = titles();
    let title_lines = lines(p, |g| (g.size_pt - 22.0).abs() < 0.01 && g.fill.is_none());
    for marked in TITLES {
        let (whole, ok) = allowed(marked);
        let run = find_run(&title_lines, &whole)
            .unwrap_or_else(|| panic!("title {whole} not set in 2号 lines"));
        let texts: Vec<String> = run.iter().map(|l| text(l)).collect();
        for b in breaks(&texts) {
            assert!(ok.contains(&b), "{whole}: breaks as {texts:?}");
        }
        // Centred on its text, each line a grid line under the one
        // before; a pause mark that ends a line (、) hangs: the text before
        // it is centred.
        for (k, l) in run.iter().enumerate() {
            let hangs = l.len() > 1 && l.last().is_some_and(|g| "、，；：。".contains(&g.text));
            let inked = if hangs { &l[..l.len() - 1] } else { &l[..] };
            let mid = (left(inked) + right(inked)) / 2.0;
            let tolerance = if hangs { 0.3 } else { 1.0 };
            assert!(
                (mid - CENTRE).abs() < tolerance,
                "{texts:?}: line {k} centred at {mid:.2}"
            );
            if k > 0 {
                let step = l[0].y - run[k - 1][0].y;
                assert!((step - PITCH).abs() < 0.05, "{texts:?}: {step:.2} mm apart");
            }
        }
        // Widths rise, then fall at most once (梯形, 倒梯形 or 菱形; half an
        // em of 2号 either way counts as even): never an hourglass.
        let widths: Vec<f64> = run.iter().map(|l| right(l) - left(l)).collect();
        let em = 22.0 / PT_PER_MM;
        let mut fallen = false;
        for w in widths.windows(2) {
            if w[1] < w[0] - em / 2.0 {
                fallen = true;
            } else if w[1] > w[0] + em / 2.0 {
                assert!(!fallen, "{whole}: an hourglass {texts:?} {widths:?}");
            }
        }
        // No line of one character.
        assert!(texts.iter().all(|t| t.chars().count() > 1), "{texts:?}");
    }
    // The named failures, as a reader would look for them.
    let all: Vec<String> = title_lines.iter().map(|l| text(l)).collect();
    for (end, start) in [
        ("中小", "学校长"),
        ("工作", "法"),
        ("数字", "化转型"),
        ("安全", "生产"),
        ("2026—", "2027"),
        ("较大", "爆炸"),
    ] {
        for w in all.windows(2) {
            assert!(
                !(w[0].ends_with(end) && w[1].starts_with(start)),
                "{end} / {start}: {w:?}"
            );
        }
    }
}

#[test]
fn contents_entries_wrap_where_their_titles_break_with_a_hanging_indent() {
    let p = titles();
    let body = lines(p, |g| (g.size_pt - 16.0).abs() < 0.01);
    let heading = body
        .iter()
        .position(|l| text(l) == "本期要目")
        .expect("a 本期要目 on page 1");
    let entries = &body[heading + 1..];
    let mut wrapped = 0;
    let mut opened = 0;
    for marked in TITLES {
        let (whole, ok) = allowed(marked);
        // An entry's lines: the title's text, the leader dots after it.
        let run = find_run(entries, &whole)
            .or_else(|| {
                (0..entries.len()).find_map(|i| {
                    let mut joined = String::new();
                    for j in i..entries.len() {
                        joined.push_str(text(&entries[j]).trim_end_matches(['.', ' ']));
                        let joined_digits: String = joined
                            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
                            .into();
                        if joined_digits == whole {
                            return Some(&entries[i..=j]);
                        }
                        if !whole.starts_with(&joined) {
                            return None;
                        }
                    }
                    None
                })
            })
            .unwrap_or_else(|| panic!("no 本期要目 entry for {whole}"));
        // The title's glyphs on each line (not the leader or the number).
        // (The page number stands in the last three cells.)
        let texts: Vec<String> = run
            .iter()
            .map(|l| {
                l.iter()
                    .filter(|g| g.text != "." && g.x < LEFT + 25.0 * CELL)
                    .map(|g| g.text.as_str())
                    .collect()
            })
            .collect();
        assert_eq!(texts.concat(), whole);
        for b in breaks(&texts) {
            assert!(ok.contains(&b), "entry {whole}: breaks as {texts:?}");
        }
        if run.len() > 1 {
            wrapped += 1;
            // On the grid a mark keeps its whole cell: a line starts at
            // its first glyph; a continued line that opens with “ 《 （
            // has the mark's ink, the right half of its cell, at the
            // indent (proof review F2: the text sat half a cell right).
            let first = run[0][0].x;
            for l in &run[1..] {
                let opens = "“‘（《".contains(l[0].text.as_str());
                let hang = l[0].x - first + if opens { CELL / 2.0 } else { 0.0 };
                assert!(
                    (hang - 2.0 * CELL).abs() < 0.05,
                    "entry {whole}: continued {hang:.2} mm in ({texts:?})"
                );
                opened += usize::from(opens);
            }
            assert!(texts.iter().all(|t| t.chars().count() > 1), "{texts:?}");
        }
    }
    assert!(wrapped >= 2, "the fixture has entries that wrap");
    assert!(
        opened >= 1,
        "the fixture has a continued line opening with a mark"
    );
}

#[test]
fn captions_are_centred_under_no_wider_than_their_pictures_one_baseline_a_row() {
    let p = titles();
    assert_eq!(p.images.len(), 4);
    let caption_glyphs = lines(p, |g| {
        (g.size_pt - 14.0).abs() < 0.01 && g.family.contains("Kai")
    });
    let mut firsts: Vec<(f64, f64)> = Vec::new();
    for (img, marked) in p.images.iter().zip(CAPTIONS) {
        let (whole, ok) = allowed(marked);
        let bottom = img.y + img.height;
        let under: Vec<Vec<&PlacedGlyph>> = caption_glyphs
            .iter()
            .map(|l| {
                l.iter()
                    .copied()
                    .filter(|g| {
                        g.page == img.page
                            && g.y > bottom
                            && g.y < bottom + 4.0 * PITCH
                            && g.x >= img.x - 0.01
                            && g.x < img.x + img.width
                    })
                    .collect::<Vec<_>>()
            })
            .filter(|l| !l.is_empty())
            .collect();
        let texts: Vec<String> = under.iter().map(|l| text(l)).collect();
        assert_eq!(texts.concat(), whole, "caption under {img:?}");
        for b in breaks(&texts) {
            assert!(ok.contains(&b), "caption {whole}: breaks as {texts:?}");
        }
        assert!(texts.iter().all(|t| t.chars().count() > 1), "{texts:?}");
        let mid = img.x + img.width / 2.0;
        for (k, l) in under.iter().enumerate() {
            assert!(
                left(l) >= img.x - 0.01 && right(l) <= img.x + img.width + 0.01,
                "{texts:?} wider than its picture ({:.2}–{:.2} in {:.2}–{:.2})",
                left(l),
                right(l),
                img.x,
                img.x + img.width
            );
            let centre = (left(l) + right(l)) / 2.0;
            assert!(
                (centre - mid).abs() < 0.3,
                "{texts:?}: centred at {centre:.2}, picture at {mid:.2}"
            );
            // Smaller than the body: 4号.
            assert!(l.iter().all(|g| (g.size_pt - 14.0).abs() < 0.01));
            // Lines 1.5 lines of 4号 apart (21 pt).
            if k > 0 {
                let step = l[0].y - under[k - 1][0].y;
                assert!(
                    (step - 21.0 / PT_PER_MM).abs() < 0.05,
                    "{texts:?}: {step:.2} mm apart"
                );
            }
        }
        firsts.push((bottom, under[0][0].y));
    }
    // The three pictures of the first row share their captions' baseline.
    let row: Vec<&(f64, f64)> = firsts[..3].iter().collect();
    for r in &row {
        assert!((r.0 - row[0].0).abs() < 0.01, "one row: {firsts:?}");
        assert!(
            (r.1 - row[0].1).abs() < 0.01,
            "captions on one baseline: {firsts:?}"
        );
    }
    // The text after each row is back on the grid: its baseline where
    // the first body line's stands in its grid line.
    let body = lines(p, |g| {
        (g.size_pt - 16.0).abs() < 0.01 && g.family.contains("Fang")
    });
    let in_line = |y: f64| ((y - TOP) / PITCH).fract();
    let grid = in_line(body[0][0].y);
    for img in [&p.images[0], &p.images[3]] {
        let after = body
            .iter()
            .find(|l| l[0].page == img.page && l[0].y > img.y + img.height)
            .expect("text after the pictures");
        let off = in_line(after[0].y) - grid;
        assert!(
            off.abs() < 0.001,
            "after the pictures, off the grid by {off:.3} pitch"
        );
    }
}

#[test]
fn a_speech_has_its_speaker_and_date_centred_in_kaiti_under_its_title() {
    let p = titles();
    let all = lines(p, |_| true);
    let title = all
        .iter()
        .position(|l| text(l) == "在全市安全生产和消防工作会议上的讲话")
        .expect("the speech's title");
    let speaker = &all[title + 1];
    let date = &all[title + 2];
    assert_eq!(text(speaker).replace(' ', "　"), "市长　张明华");
    assert_eq!(text(date), "（2026年6月28日）");
    for l in [speaker, date] {
        let mid = (left(l) + right(l)) / 2.0;
        assert!(
            (mid - CENTRE).abs() < 1.0,
            "{} centred at {mid:.2}",
            text(l)
        );
        assert!(
            l.iter()
                .filter(|g| !g.text.trim().is_empty() && !g.text.chars().all(|c| c.is_ascii_digit()))
                .all(|g| g.family.contains("Kai") && (g.size_pt - 16.0).abs() < 0.01),
            "{}: {:?}",
            text(l),
            l.iter().map(|g| (&g.text, &g.family, g.size_pt)).collect::<Vec<_>>()
        );
    }
    // On the grid lines right under the title.
    let line_of = |l: &[&PlacedGlyph]| ((l[0].y - TOP) / PITCH).floor() as i64;
    assert_eq!(line_of(speaker), line_of(&all[title]) + 1);
    assert_eq!(line_of(date), line_of(speaker) + 1);
}

#[test]
fn the_fixture_checks_clean_and_a_stray_byline_is_an_error_at_its_line() {
    let dir = copy_publication(&fixture("titles"));
    let out = jianbao(dir.path(), &["check", "--deny-warnings"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A byline after the text, not under its title.
    let file = dir.path().join("issues/001.md");
    let typed = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{typed}@ 市长　张明华\n")).unwrap();
    let line = typed.lines().count() + 1;
    let out = jianbao(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "issues/001.md:{line}:1: error[byline-without-title]"
        )),
        "{err}"
    );
    assert!(err.contains("help:"), "{err}");
    let out = jianbao(dir.path(), &["build", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.path().join("out/001.pdf").exists());
}

#[test]
fn the_number_line_of_a_zengkan_is_set_in_one_face() {
    // 2026年增刊第1期（总第3期）: 增刊 was set in 仿宋 and the rest in 宋.
    let p = flatten(&layout(&fixture("series"), "增刊1"));
    let all = lines(&p, |_| true);
    let number = all
        .iter()
        .find(|l| text(l).starts_with("2026年增刊第1期"))
        .unwrap_or_else(|| {
            let texts: Vec<String> = all.iter().take(8).map(|l| text(l)).collect();
            panic!("no 期号 line in {texts:?}")
        });
    let faces: Vec<(&str, &str)> = number
        .iter()
        .filter(|g| !g.text.chars().all(|c| c.is_ascii_digit()))
        .map(|g| (g.text.as_str(), g.family.as_str()))
        .collect();
    assert!(
        faces.iter().all(|(_, f)| *f == faces[0].1),
        "one face for the line: {faces:?}"
    );
}

#[test]
fn the_interpunct_of_a_title_takes_half_a_cell() {
    // “6·5” and “4·18”: the dot in half an em of 2号 between its figures,
    // as in the body (GB/T 15834—2011 5.1.7), not a whole em with gaps.
    let p = titles();
    let em = 22.0 / PT_PER_MM;
    let title_glyphs = lines(p, |g| (g.size_pt - 22.0).abs() < 0.01 && g.fill.is_none());
    let mut seen = 0;
    for l in &title_glyphs {
        for w in l.windows(3) {
            if w[1].text == "·" && w[0].text.chars().all(|c| c.is_ascii_digit()) {
                let gap = w[2].x - (w[0].x + w[0].advance);
                assert!(
                    (gap - em / 2.0).abs() < 0.05 * em,
                    "{}: the dot takes {:.2} em",
                    text(l),
                    gap / em
                );
                seen += 1;
            }
        }
    }
    assert!(seen >= 3, "the fixture's titles with “N·N”: {seen}");
}

#[test]
fn a_heading_that_wraps_breaks_between_words_and_leaves_no_short_last_line() {
    // 3号 楷体 （一） heading of the speech, 31 characters: it was cut
    // …生命财产安 / 全放在首位.
    let marked = "（一）|坚持|以人民为中心，|切实|把|保障|人民群众|生命财产|安全|放在|首位";
    let (whole, ok) = allowed(marked);
    let p = titles();
    let all = lines(p, |g| (g.size_pt - 16.0).abs() < 0.01);
    let run = find_run(&all, &whole).expect("the heading's lines");
    let texts: Vec<String> = run.iter().map(|l| text(l)).collect();
    assert!(texts.len() > 1, "{texts:?}");
    for b in breaks(&texts) {
        assert!(ok.contains(&b), "{whole}: breaks as {texts:?}");
    }
    let last = texts.last().unwrap().chars().count();
    assert!(last > 2, "a short last line: {texts:?}");
}
