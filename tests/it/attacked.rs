//! Pages that hostile but legal input once broke (the attack review of
//! issue 15), measured on the laid-out frames of `tests/fixtures/attack`:
//! page 1 never left empty under the masthead (a picture after a title and
//! a one-line paragraph, a poster right under a title, a title longer than
//! what is left of page 1), title lines of dense Latin that fit the type
//! area and never overprint each other, captions that never leave the
//! type area nor lose a character, and a caption no page can hold refused
//! by `check` at its place.

use std::sync::OnceLock;

use crate::common::*;

const LEFT: f64 = 28.0;
const RIGHT: f64 = 184.0;
const TOP: f64 = 37.0;
/// The type area's foot; the folio stands under it.
const BOTTOM: f64 = 262.0;

fn issue(n: usize) -> &'static Placed {
    static CELLS: [OnceLock<Placed>; 6] = [const { OnceLock::new() }; 6];
    CELLS[n - 1].get_or_init(|| flatten(&layout(&fixture("attack"), &n.to_string())))
}

/// The red rule under the masthead.
fn masthead_bottom(p: &Placed) -> f64 {
    p.lines
        .iter()
        .filter(|l| l.page == 1 && l.red)
        .map(|l| l.y)
        .fold(TOP, f64::max)
}

/// The glyphs of one size on a page under the masthead, as lines (by
/// baseline), top to bottom, each left to right.
fn lines(p: &Placed, page: usize, size_pt: f64) -> Vec<Vec<&PlacedGlyph>> {
    let from = if page == 1 { masthead_bottom(p) } else { 0.0 };
    in_lines(
        p.glyphs
            .iter()
            .filter(|g| g.page == page && (g.size_pt - size_pt).abs() < 0.01 && g.y > from),
    )
}

fn text(glyphs: &[&PlacedGlyph]) -> String {
    glyphs.iter().map(|g| g.text.as_str()).collect()
}

/// The body text (3号) of a page, run together.
fn body_text(p: &Placed, page: usize) -> String {
    lines(p, page, 16.0).iter().map(|l| text(l)).collect()
}

/// The caption under a picture: the 4号 lines between the picture's foot
/// and the closing block's first rule (or the paper's foot), but the
/// folio (4号 宋体).
fn caption(p: &Placed, picture: &PlacedImage) -> Vec<String> {
    let foot = picture.y + picture.height;
    let rule = p
        .lines
        .iter()
        .filter(|l| l.page == picture.page && !l.red && l.y > foot)
        .map(|l| l.y)
        .fold(297.0, f64::min);
    lines(p, picture.page, 14.0)
        .into_iter()
        .map(|l| {
            l.into_iter()
                .filter(|g| !g.family.contains("Song"))
                .collect::<Vec<_>>()
        })
        .filter(|l| !l.is_empty() && l[0].y > foot && l[0].y < rule)
        .map(|l| {
            // Each caption line inside the type area, above its foot.
            for g in &l {
                assert!(
                    g.x >= LEFT - 0.1 && g.x + g.advance <= RIGHT + 0.1 && g.y <= BOTTOM,
                    "{:?} at ({:.1}, {:.1}) leaves the type area",
                    g.text,
                    g.x,
                    g.y
                );
            }
            text(&l)
        })
        .collect()
}

#[test]
fn a_picture_after_a_title_and_a_one_line_paragraph_floats_and_page_1_keeps_the_text() {
    let p = issue(1);
    let title: String = lines(p, 1, 22.0).iter().map(|l| text(l)).collect();
    assert_eq!(title, "我市召开全市安全生产工作会议");
    // The title, its one-line paragraph and the text after the picture on
    // page 1; the phone screenshot (too tall for the rest of it) at the
    // top of page 2 with its caption.
    assert_eq!(
        body_text(p, 1),
        "会议强调，各单位要始终把安全生产工作放在首位。\
         会议要求，要压紧压实各方责任，扎实开展隐患排查整治，坚决防范遏制重特大事故发生。\
         会议指出，今年以来全市安全生产形势总体平稳。"
    );
    assert_eq!(p.images.len(), 1);
    let picture = &p.images[0];
    assert_eq!(picture.page, 2);
    assert!(picture.y < TOP + PITCH, "{picture:?}");
    assert_eq!(caption(p, picture), ["图为会议现场"]);
}

#[test]
fn a_poster_right_under_a_title_is_made_smaller_and_text_follows_it_on_page_1() {
    // The tall poster made smaller (not below half its size) stays under
    // its title with its caption on two lines set wider than the narrow
    // poster, and the text after it starts on page 1: no title alone on
    // page 1, nothing out of order.
    let p = issue(2);
    let title: String = lines(p, 1, 22.0).iter().map(|l| text(l)).collect();
    assert_eq!(title, "我市开展安全生产月宣传活动");
    let picture = &p.images[0];
    assert_eq!(picture.page, 1);
    assert_eq!(caption(p, picture), ["全市安全生产", "宣传海报展示"]);
    let page_1 = body_text(p, 1);
    assert_eq!(
        page_1,
        "活动期间，各县（市、区）通过悬挂横幅、发放资料、设置咨询台等方式，\
         向群众普及安全生产法律法规和应急避险常识。"
    );
    assert!(body_text(p, 2).starts_with("各有关部门组织开展应急演练"));
}

#[test]
fn a_title_longer_than_page_1_starts_under_the_masthead_and_runs_on() {
    let p = issue(3);
    // 中华人民共和国 thirty times: 210 characters of 2号, 20 a line.
    let page_1 = lines(p, 1, 22.0);
    assert!(
        page_1.len() >= 5,
        "page 1 holds {} title lines",
        page_1.len()
    );
    let all: String = (1..=p.pages)
        .flat_map(|page| lines(p, page, 22.0))
        .map(|l| text(&l))
        .collect();
    assert_eq!(all, "中华人民共和国".repeat(30));
    for g in p.glyphs.iter().filter(|g| (g.size_pt - 22.0).abs() < 0.01) {
        assert!(g.y <= BOTTOM, "a title glyph below the type area: {g:?}");
    }
    assert!(body_text(p, p.pages).contains("正文。"));
}

#[test]
fn title_lines_of_dense_latin_fit_the_type_area_and_never_overprint() {
    let p = issue(4);
    let titles = [
        "关于转发www.moe.gov.cn/srcsite/A06/s3325/202612/t20261207_1234567.html文件的通知",
        "关于访问https://www.example.gov.cn/zwgk/tzgg/2026/12/07/abcdefghijklmnop.html的通知",
        &"W".repeat(60),
    ];
    let mut set = String::new();
    for page in 1..=p.pages {
        let lines = lines(p, page, 22.0);
        for l in &lines {
            let left = l[0].x;
            let right = l.iter().map(|g| g.x + g.advance).fold(0.0, f64::max);
            assert!(
                left >= LEFT - 0.1 && right <= RIGHT + 0.1,
                "{} runs from {left:.1} to {right:.1} mm",
                text(l)
            );
            set.push_str(&text(l));
        }
        // One title line a grid line: none set over another's.
        for w in lines.windows(2) {
            let gap = w[1][0].y - w[0][0].y;
            assert!(
                gap > PITCH - 0.1,
                "{} is {gap:.1} mm under {}",
                text(&w[1]),
                text(&w[0])
            );
        }
    }
    assert_eq!(set, titles.concat());
}

#[test]
fn a_caption_under_a_narrow_banner_is_set_wider_and_stays_in_the_type_area() {
    let p = issue(5);
    let picture = &p.images[0];
    let lines = caption(p, picture);
    // 62 characters: a few lines across the type area, not a column of
    // four characters a line running past the folio.
    assert!(lines.len() <= 3, "{lines:?}");
    assert_eq!(
        lines.concat(),
        "图为市委常委、常务副市长李某某在全市安全生产工作会议上作动员讲话，\
         各县（市、区）政府主要负责同志和市直有关部门负责同志参加会议"
    );
    // The page before keeps the title and its text.
    assert!(body_text(p, 1).starts_with("会议强调"));
}

#[test]
fn a_caption_of_five_hundred_characters_is_set_whole_inside_the_type_area() {
    let p = issue(6);
    let picture = &p.images[0];
    assert!(picture.y + picture.height < BOTTOM);
    let expected: String = (1..=30)
        .map(|i| format!("第{i}段说明全市安全生产工作会议现场"))
        .collect();
    assert_eq!(caption(p, picture).concat(), expected);
}

#[test]
fn a_caption_no_page_can_hold_is_refused_at_its_place() {
    let dir = copy_publication(&fixture("attack"));
    let file = dir.path().join("issues/006.md");
    let source = std::fs::read_to_string(&file).unwrap();
    let long: String = (1..=90)
        .map(|i| format!("第{i}段说明全市安全生产工作会议现场"))
        .collect();
    let start = source.find("![").unwrap() + 2;
    let end = source.find("](").unwrap();
    let source = format!("{}{long}{}", &source[..start], &source[end..]);
    std::fs::write(&file, source).unwrap();
    for command in ["check", "build"] {
        let out = jianbao(dir.path(), &[command, "6"]);
        let err = stderr(&out);
        assert!(!out.status.success(), "{command}: {err}");
        assert!(
            err.contains("issues/006.md:11:3: error[caption-too-long]"),
            "{command}: {err}"
        );
        assert!(err.contains("help: 把说明缩短"), "{command}: {err}");
    }
    assert!(!dir.path().join("out/006.pdf").exists());
}

#[test]
fn a_paragraph_of_alternating_scripts_takes_a_few_runs_a_line_not_one_a_character() {
    // "1中" again and again: every character once took a run of its own
    // in the layout data (and a few kilobytes of typst's memory each).
    let dir = copy_publication(&fixture("attack"));
    let paragraph = "1中".repeat(1500);
    std::fs::write(
        dir.path().join("issues/001.md"),
        format!(
            "+++\nnumber = 1\ndate = 2026-12-07\n\n[distribution]\nfa = [\"各科室\"]\n+++\n# 标题\n{paragraph}\n"
        ),
    )
    .unwrap();
    let project = dir.path().join("project");
    let out = jianbao(dir.path(), &["export", "1", project.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let data: serde_json::Value =
        serde_json::from_slice(&std::fs::read(project.join("issue.json")).unwrap()).unwrap();
    let mut rows = 0;
    for row in data["pages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["rows"].as_array().unwrap())
        .filter(|r| r["kind"] == "grid")
    {
        let runs = row["runs"].as_array().unwrap();
        // The 中 of a line one run, its 1 another.
        assert!(runs.len() <= 2, "{} runs: {row}", runs.len());
        rows += 1;
    }
    assert!(rows > 90, "{rows} lines");
    // Every glyph where the composer put it: read left to right, each line
    // alternates 1 and 中, and the whole paragraph is there.
    let p = flatten(&layout(dir.path(), "1"));
    let mut all = String::new();
    for page in 1..=p.pages {
        for line in lines(&p, page, 16.0) {
            let line = text(&line);
            assert!(!line.contains("11") && !line.contains("中中"), "{line}");
            all.push_str(&line);
        }
    }
    assert!(all == paragraph, "the paragraph is not all there: {all}");
}
