//! Pasted text, as a clerk pastes it (issue 15, the reviews' findings on
//! cleaning, `check` and `new`): each case is a publication made with
//! `jianbao init`, one issue body typed here, and what `check`, `check
//! --fix` and `build` make of it, read back from the file and the PDF.

use std::path::Path;

use crate::common::*;

/// A publication from `jianbao init` whose issue 1 has `body`.
fn publication(body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let init = jianbao(dir.path(), &["init", "."]);
    assert_eq!(init.status.code(), Some(0), "{}", stderr(&init));
    let file = dir.path().join("issues/001.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let head_end = text.rfind("+++\n").unwrap() + 4;
    std::fs::write(&file, format!("{}{body}", &text[..head_end])).unwrap();
    dir
}

fn issue_text(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("issues/001.md")).unwrap();
    let head_end = text.rfind("+++\n").unwrap() + 4;
    text[head_end..].to_string()
}

/// `check`'s diagnostics, one per line: `line:col: kind[code]`, the line
/// counted in the body (its first line is 1).
fn diagnostics(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("issues/001.md")).unwrap();
    let head_lines = text[..text.rfind("+++\n").unwrap()].lines().count() + 1;
    let out = jianbao(dir, &["check"]);
    stderr(&out)
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("issues/001.md:")?;
            let (pos, what) = rest.split_once(": ")?;
            let (line, col) = pos.split_once(':')?;
            let line = line.parse::<usize>().ok()? - head_lines;
            let what = what.split(']').next()?;
            Some(format!("{line}:{col}: {what}]"))
        })
        .collect()
}

fn built_text(dir: &Path) -> String {
    let build = jianbao(dir, &["build", "1"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
    let pdf = std::fs::read(dir.join("out/001.pdf")).unwrap();
    pdf_text(&pdf).concat()
}

#[test]
fn what_fix_writes_builds_as_the_cleaned_text_did() {
    // user F4, proof F9: the cleaner's − and a typed − (and ₃ ₂ pasted
    // from Word) are printed by the Latin face, so `--fix` never makes
    // an issue that stops with `no-font`.
    let dir = publication("# 寒潮预报\n预计本月最低气温-3℃至-8℃，臭氧（O₃）和SO₂浓度下降。\n");
    assert_eq!(
        diagnostics(dir.path()),
        ["2:9: warning[minus-sign]", "2:13: warning[minus-sign]"]
    );
    let before = built_text(dir.path());
    assert_in_order(&before, &["−3℃至−8℃", "O₃", "SO₂"]);
    let fix = jianbao(dir.path(), &["check", "--fix"]);
    assert_eq!(fix.status.code(), Some(0), "{}", stderr(&fix));
    assert!(issue_text(dir.path()).contains("气温−3℃至−8℃"));
    let check = jianbao(dir.path(), &["check", "--deny-warnings"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert_eq!(built_text(dir.path()), before);
    // `fonts` says the same: the Latin face prints them.
    let fonts = jianbao(dir.path(), &["fonts", "1"]);
    let listed = String::from_utf8_lossy(&fonts.stdout).into_owned() + &stderr(&fonts);
    assert!(!listed.contains("没有字体）"), "{listed}");
}

#[test]
fn fix_cleans_the_cells_of_a_pasted_table_and_keeps_every_tab() {
    // issue 18: `check --fix` deleted the tabs of a table pasted from
    // Excel ("道路运输18 13 48.6%"). Now the lines are a table: each
    // cell is cleaned by itself (a half-width comma in Chinese, full-width
    // digits, a stray space), the tabs between them stay.
    let table = concat!(
        "表1　2026年一季度各县区安全检查情况\n",
        "行业\t检查次数\t发现隐患\t整改率\n",
        "道路运输\t18\t13\t48.6%\n",
        "建筑施工\t１２\t8\t75%\n",
        "危化 企业\t9\t6,已整改\t100%\n",
        "注:整改率为已整改隐患占发现隐患的比例。\n",
    );
    let dir = publication(&format!("# 安全检查情况\n检查情况如下。\n{table}"));
    assert_eq!(
        diagnostics(dir.path()),
        [
            "6:6: warning[full-width-alphanumeric]",
            "7:3: warning[stray-space]",
            "7:10: warning[half-width-punctuation]",
            "8:2: warning[half-width-punctuation]",
        ]
    );
    let fix = jianbao(dir.path(), &["check", "--fix"]);
    assert_eq!(fix.status.code(), Some(0), "{}", stderr(&fix));
    let fixed = issue_text(dir.path());
    assert!(
        fixed.ends_with(concat!(
            "表1　2026年一季度各县区安全检查情况\n",
            "行业\t检查次数\t发现隐患\t整改率\n",
            "道路运输\t18\t13\t48.6%\n",
            "建筑施工\t12\t8\t75%\n",
            "危化企业\t9\t6，已整改\t100%\n",
            "注：整改率为已整改隐患占发现隐患的比例。\n",
        )),
        "{fixed}"
    );
    assert_eq!(
        fixed.matches('\t').count(),
        table.matches('\t').count(),
        "every tab kept"
    );
    let check = jianbao(dir.path(), &["check", "--deny-warnings"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}

#[test]
fn a_lone_pasted_row_is_warned_and_left_alone() {
    // One line of cells between tabs, no caption: not a table, and not
    // cleaned (its cells would run together); the warning says how to
    // make it one.
    let row = "1\t城关一中\t12\t8\n";
    let dir = publication(&format!("# 安全检查情况\n检查情况如下。\n{row}"));
    assert_eq!(diagnostics(dir.path()), ["3:2: warning[table-lone-row]"]);
    let check = jianbao(dir.path(), &["check"]);
    assert!(stderr(&check).contains("表1"), "{}", stderr(&check));
    let _ = jianbao(dir.path(), &["check", "--fix"]);
    assert!(issue_text(dir.path()).ends_with(row));
}

#[test]
fn units_entities_and_labelled_fields_from_web_pages() {
    // user F3, F19: "17 ℃" and "94.6 %" (also with a no-break space) are
    // closed up; &nbsp; &gt; decoded; a space before a labelled field
    // becomes a full-width one, a space inside a name goes.
    let dir = publication(concat!(
        "# 防暑降温提示\n",
        "夜间最低气温17 ℃，午后高温38\u{a0}℃，整改率94.6 %。\n",
        "请广大群众注意防暑降温&nbsp;，做好个人防护。了解更多&gt;&gt;\n",
        "来源：青山应急管理微信公众号 编辑：王小丽 审核：李 强\n",
    ));
    assert_eq!(
        diagnostics(dir.path()),
        [
            "2:9: warning[unit-space]",
            "2:18: warning[unit-space]",
            "2:28: warning[unit-space]",
            "3:12: warning[html-entity]",
            "3:30: warning[html-entity]",
            "3:34: warning[html-entity]",
            "4:15: warning[field-separator]",
            "4:22: warning[field-separator]",
            "4:27: warning[stray-space]",
        ]
    );
    let fixed = jianbao(dir.path(), &["check", "--fix"]);
    assert_eq!(fixed.status.code(), Some(0), "{}", stderr(&fixed));
    assert_eq!(
        issue_text(dir.path()),
        concat!(
            "# 防暑降温提示\n",
            "夜间最低气温17℃，午后高温38℃，整改率94.6%。\n",
            "请广大群众注意防暑降温，做好个人防护。了解更多>>\n",
            "来源：青山应急管理微信公众号　编辑：王小丽　审核：李强\n",
        )
    );
    assert_eq!(diagnostics(dir.path()), Vec::<String>::new());
    let text = built_text(dir.path());
    assert_in_order(
        &text,
        &[
            "17℃",
            "38℃",
            "94.6%",
            "降温，做好",
            "更多>>",
            "公众号",
            "编辑：王小丽",
            "审核：李强",
        ],
    );
    assert!(!text.contains("&"), "{text}");
}

#[test]
fn a_heading_number_typed_with_a_full_stop_is_a_heading() {
    // user F10: `一.` `二．` `三 、` at a line start are level-one headings
    // (`一、`, set in 黑体), never "一。"; `1、` is warned.
    let dir = publication(concat!(
        "# 工作总结\n",
        "一. 主要做法\n",
        "各单位认真落实。\n",
        "二．取得成效\n",
        "隐患整改率达到九成。\n",
        "三 、存在问题\n",
        "1、台账不全。\n",
    ));
    assert_eq!(
        diagnostics(dir.path()),
        [
            "2:2: warning[heading-mark]",
            "4:2: warning[heading-mark]",
            "6:2: warning[heading-mark]",
            "7:1: warning[number-pause]",
        ]
    );
    let text = built_text(dir.path());
    assert_in_order(
        &text,
        &[
            "一、主要做法",
            "二、取得成效",
            "三、存在问题",
            "1、台账不全",
        ],
    );
    assert!(!text.contains("一。") && !text.contains("二。"), "{text}");
    // The headings are set in the heading face, the body not.
    let placed = flatten(&layout(dir.path(), "1"));
    let family = |c: &str| {
        placed
            .glyphs
            .iter()
            .find(|g| g.text == c)
            .map(|g| g.family.clone())
            .unwrap()
    };
    assert!(family("主").contains("Hei"), "{}", family("主"));
    assert!(family("效").contains("Hei"), "{}", family("效"));
    assert!(family("题").contains("Hei"), "{}", family("题"));
    assert!(!family("落").contains("Hei"), "{}", family("落"));
    let fixed = jianbao(dir.path(), &["check", "--fix"]);
    assert_eq!(fixed.status.code(), Some(0), "{}", stderr(&fixed));
    assert!(
        issue_text(dir.path()).contains("一、主要做法\n各单位认真落实。\n二、取得成效\n"),
        "{}",
        issue_text(dir.path())
    );
    assert_eq!(diagnostics(dir.path()), ["7:1: warning[number-pause]"]);
}

#[test]
fn pictures_and_bylines_typed_on_a_chinese_keyboard() {
    // user F11: `！[…]（…）` and `！［…］（…）` are pictures, blanks inside
    // the brackets do not count; a line that starts like a picture but is
    // not one is warned and left as typed. user F20: `＠县委书记` under a
    // title is its byline.
    let dir = publication(concat!(
        "# 在全县安全生产工作会议上的讲话\n",
        "＠县委书记　张明\n",
        "＠（2026年11月2日）\n",
        "同志们：今天召开会议。\n",
        "！[会议现场]（images/site-a.png）\n",
        "！［检查现场］（images/site-b.png）\n",
        "![ 宣传现场 ]( images/meeting-wide.png )\n",
        "![图](images/site-a.png) 后面还有字\n",
        "@某人说的话\n",
    ));
    let images = dir.path().join("images");
    std::fs::create_dir_all(&images).unwrap();
    for name in ["site-a.png", "site-b.png", "meeting-wide.png"] {
        std::fs::copy(fixture("pictures/images").join(name), images.join(name)).unwrap();
    }
    assert_eq!(diagnostics(dir.path()), ["8:1: warning[picture-syntax]"]);
    let before = issue_text(dir.path());
    let _ = jianbao(dir.path(), &["check", "--fix"]);
    assert_eq!(
        issue_text(dir.path()),
        before,
        "--fix changed a picture-like line"
    );
    let placed = flatten(&layout(dir.path(), "1"));
    assert_eq!(placed.images.len(), 3);
    let text = built_text(dir.path());
    assert_in_order(
        &text,
        &[
            "会议现场",
            "检查现场",
            "宣传现场",
            "![图](images/site-a.png)",
            "@某人说的话",
        ],
    );
    for typed in ["！[", "images/site-b", "＠", "@县委", "@（"] {
        assert!(!text.contains(typed), "{typed} printed:\n{text}");
    }
    // The byline and date are centred under the title: the same distance
    // from both edges of the type area (156 mm wide, 28 mm from the left:
    // its middle is at 106 mm).
    let byline = placed.glyphs.iter().find(|g| g.text == "书").unwrap();
    let line_of = |c: &str| {
        let g = placed
            .glyphs
            .iter()
            .find(|g| g.text == c && g.page == byline.page && g.y >= byline.y)
            .unwrap();
        let on_line = placed
            .glyphs
            .iter()
            .filter(|h| h.page == g.page && (h.y - g.y).abs() < 0.1);
        // The ink a reader sees, not the cells: a bracket's cell is half
        // blank.
        let ink: Vec<(f64, f64)> = on_line.flat_map(|h| h.ink()).collect();
        let left = ink.iter().map(|i| i.0).fold(f64::MAX, f64::min);
        let right = ink.iter().map(|i| i.1).fold(0.0, f64::max);
        (left, right)
    };
    for c in ["书", "月"] {
        let (left, right) = line_of(c);
        let centre = (left + right) / 2.0;
        assert!((centre - 106.0).abs() < 1.0, "{c}: {left}..{right}");
        assert!(right - left < 60.0, "{c}: {left}..{right}");
    }
}

#[test]
fn lines_pasted_from_a_pdf_are_warned() {
    // user F17: a long line that stops mid-sentence, the next line going
    // on right under it, is a line end copied from a PDF.
    let dir = publication(concat!(
        "# 隐患排查情况\n",
        "今年以来全县共组织开展安全生产大检查三轮，发现一般事故\n",
        "隐患5872项，已整改5790项，整改率达到98.6%，较去\n",
        "年同期提高了2.1个百分点。\n",
        "联系人：张明\n",
        "电话：0371-12345678\n",
        "各乡镇要在本月底前完成全部隐患的整改销号工作，并报县安委会办公室\n",
        "\n",
        "附件：隐患清单\n",
    ));
    // The note names an attachment that does not follow (issue 18).
    assert_eq!(
        diagnostics(dir.path()),
        [
            "2:27: warning[broken-sentence]",
            "3:30: warning[broken-sentence]",
            "9:1: warning[attachment-count]"
        ]
    );
}

/// The front matter of an issue numbered `number`, dated `date`.
fn issue_file(number: u32, date: &str, extra: &str) -> String {
    format!(
        "+++\nnumber = {number}\ndate = {date}\n{extra}\n[distribution]\nfa = [\"各科室\"]\n+++\n# 标题\n正文。\n"
    )
}

#[test]
fn new_starts_a_zengkan_of_its_own() {
    // user F12: `jianbao new 增刊` makes 增刊01.md, numbered in its own
    // series and without the regular 总期号; `jianbao new` goes on with the
    // regular issues.
    let dir = publication("# 标题\n正文。\n");
    let file = dir.path().join("issues/001.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("# total = 1 ", "total = 21")).unwrap();
    let made = jianbao(dir.path(), &["new", "增刊"]);
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    assert_eq!(
        String::from_utf8_lossy(&made.stdout).trim(),
        "issues/增刊01.md"
    );
    let zengkan = std::fs::read_to_string(dir.path().join("issues/增刊01.md")).unwrap();
    assert!(
        zengkan.starts_with("+++\nnumber = 1\nedition = \"增刊\"\ndate = "),
        "{zengkan}"
    );
    assert!(!zengkan.contains("total"), "{zengkan}");
    let made = jianbao(dir.path(), &["new"]);
    assert_eq!(
        String::from_utf8_lossy(&made.stdout).trim(),
        "issues/002.md"
    );
    let regular = std::fs::read_to_string(dir.path().join("issues/002.md")).unwrap();
    assert!(
        regular.contains("number = 2\n") && regular.contains("total = 22\n"),
        "{regular}"
    );
    let made = jianbao(dir.path(), &["new", "增刊"]);
    assert_eq!(
        String::from_utf8_lossy(&made.stdout).trim(),
        "issues/增刊02.md"
    );
    let check = jianbao(dir.path(), &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let build = jianbao(dir.path(), &["build", "增刊1"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
    let pdf = std::fs::read(dir.path().join("out/增刊01.pdf")).unwrap();
    let first = pdf_text(&pdf).concat();
    assert!(first.contains("增刊第1期"), "{first}");
    assert!(!first.contains("总第"), "{first}");
    let refused = jianbao(dir.path(), &["new", "../x"]);
    assert_eq!(refused.status.code(), Some(2));
}

#[test]
fn two_issues_printing_one_number_line_are_an_error() {
    // user F13: flat 2026 issues beside issues/2026/ both print
    // 2026年第1期; user F12: a 增刊 sharing a regular issue's 总期号.
    let dir = publication("# 标题\n正文。\n");
    let issues = dir.path().join("issues");
    std::fs::write(
        issues.join("001.md"),
        issue_file(1, "2026-01-05", "total = 21"),
    )
    .unwrap();
    std::fs::write(
        issues.join("002.md"),
        issue_file(2, "2026-02-05", "total = 22"),
    )
    .unwrap();
    std::fs::create_dir_all(issues.join("2026")).unwrap();
    std::fs::create_dir_all(issues.join("2027")).unwrap();
    std::fs::write(issues.join("2026/001.md"), issue_file(1, "2026-12-01", "")).unwrap();
    // Another year's 第1期 is no clash.
    std::fs::write(issues.join("2027/002.md"), issue_file(2, "2027-01-05", "")).unwrap();
    std::fs::write(
        issues.join("增刊01.md"),
        issue_file(1, "2026-03-01", "edition = \"增刊\"\ntotal = 22"),
    )
    .unwrap();
    let check = jianbao(dir.path(), &["check"]);
    assert_eq!(check.status.code(), Some(1));
    let err = stderr(&check);
    let codes: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("issues/") && l.contains('['))
        .collect();
    assert_eq!(
        codes,
        [
            "issues/001.md:2:10: error[duplicate-number-line]: issues/2026/001.md 和这一期都是 2026 年的第1期，报头上的期号会一模一样",
            "issues/2026/001.md:2:10: error[duplicate-number-line]: issues/001.md 和这一期都是 2026 年的第1期，报头上的期号会一模一样",
            "issues/增刊01.md:5:9: warning[total-shared]: 增刊第1期的总期号 22 和正刊第2期的一样，两期都会印“总第22期”",
        ],
        "{err}"
    );
    // `build` refuses what `check` reports, and builds the rest.
    let build = jianbao(dir.path(), &["build"]);
    assert_eq!(build.status.code(), Some(1));
    assert!(!issues.join("../out/001.pdf").exists());
    assert!(!issues.join("../out/2026/001.pdf").exists());
    assert!(issues.join("../out/002.pdf").exists());
}

#[test]
fn markup_that_carries_nothing_is_warned() {
    // attack B5: `@ ` and `# ` with nothing after them print the bare
    // mark; a title with no text under it is an article of its own.
    let dir = publication("# 标题上\n@ 市长　王五\n# 标题下\n正文。\n#  \n@ \n# 最后的标题\n");
    assert_eq!(
        diagnostics(dir.path()),
        [
            "1:3: warning[title-without-body]",
            "5:1: warning[empty-markup]",
            "6:1: warning[empty-markup]",
            "7:3: warning[title-without-body]",
        ]
    );
}

#[test]
fn new_numbers_after_this_years_issues_in_issues_itself() {
    // user F13: a publication moving to year folders keeps this year's
    // issues in issues/: `new` numbers after them (no second 第1期), and
    // counts 总期号 on from the latest by date.
    use chrono::Datelike;
    let year = chrono::Local::now().year();
    let dir = publication("# 标题\n正文。\n");
    let issues = dir.path().join("issues");
    // Both dated 1 January: never after today.
    let this =
        |n: u32, total: u32| issue_file(n, &format!("{year}-01-01"), &format!("total = {total}"));
    std::fs::write(issues.join("001.md"), this(1, 10)).unwrap();
    std::fs::write(issues.join("002.md"), this(2, 11)).unwrap();
    let last = issues.join(format!("{}", year - 1));
    std::fs::create_dir_all(&last).unwrap();
    std::fs::write(
        last.join("001.md"),
        issue_file(1, &format!("{}-06-01", year - 1), "total = 5"),
    )
    .unwrap();
    let made = jianbao(dir.path(), &["new"]);
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    let path = format!("issues/{year}/003.md");
    assert_eq!(String::from_utf8_lossy(&made.stdout).trim(), path);
    let text = std::fs::read_to_string(dir.path().join(&path)).unwrap();
    assert!(
        text.contains("number = 3\n") && text.contains("total = 12\n"),
        "{text}"
    );
    let check = jianbao(dir.path(), &["check"]);
    assert!(!stderr(&check).contains("duplicate"), "{}", stderr(&check));
}

#[test]
fn a_full_width_hash_an_odd_edition_and_a_year_folder_out_of_its_year() {
    // attack M5, M7, M11.
    let dir = publication("＃ 全角井号标题\n正文。\n");
    assert_eq!(diagnostics(dir.path()), Vec::<String>::new());
    let text = built_text(dir.path());
    assert!(
        text.contains("全角井号标题") && !text.contains('＃'),
        "{text}"
    );
    let issues = dir.path().join("issues");
    std::fs::create_dir_all(issues.join("2025")).unwrap();
    std::fs::write(issues.join("2025/002.md"), issue_file(2, "2024-05-01", "")).unwrap();
    std::fs::write(
        issues.join("增刊01.md"),
        issue_file(1, "2024-05-01", "edition = \"增刊第\""),
    )
    .unwrap();
    let check = jianbao(dir.path(), &["check"]);
    let err = stderr(&check);
    assert!(
        err.contains("issues/2025/002.md:3:8: warning[year-folder-date]"),
        "{err}"
    );
    assert!(
        err.contains("issues/增刊01.md:4:1: warning[edition-value]"),
        "{err}"
    );
}

/// A heading's number typed loosely (`( 一 )`, half-width and spaced, as a
/// PDF or a web page gives it): the line stays what it was typed as, a
/// paragraph — cleaning never changes a line's kind — but the rest of it
/// is cleaned as any paragraph is, and `check` says the number would make
/// it a heading (the new-user review of the Word import: the whole line
/// was left uncleaned and unsaid).
#[test]
fn a_loosely_typed_heading_number_is_said_and_the_rest_of_its_line_cleaned() {
    let dir = publication(
        "# 标题\n\n一、总体情况\n\n( 一 ) 提前部署 . 汛前各乡镇完成检查 , 落实责任 ; 做到\"三个责任人\"到位。\n",
    );
    let said = diagnostics(dir.path());
    assert!(
        said.iter()
            .any(|d| d.starts_with("5:1: warning[loose-heading-mark]")),
        "{said:?}"
    );
    let built = built_text(dir.path());
    assert!(
        built.contains("提前部署。汛前各乡镇完成检查，落实责任；做到“三个责任人”到位。"),
        "{built}"
    );
    let fix = jianbao(dir.path(), &["check", "--fix"]);
    assert!(fix.status.success(), "{}", stderr(&fix));
    let once = issue_text(dir.path());
    assert!(
        once.contains("提前部署。汛前各乡镇完成检查，落实责任；"),
        "{once}"
    );
    // A second run changes nothing, and the line is still said.
    jianbao(dir.path(), &["check", "--fix"]);
    assert_eq!(issue_text(dir.path()), once);
    assert!(
        diagnostics(dir.path())
            .iter()
            .any(|d| d.contains("loose-heading-mark"))
    );
}
