//! 增刊 and other editions as series of their own: every command that takes
//! an issue names a regular issue by its number and an edition's by the
//! edition and number (`增刊1`), ranges stay within one series, `check`
//! and `build` find the same errors, and the masthead prints the edition
//! where an office prints it. The real binary on `tests/fixtures/series`
//! (001.md, 002.md and 增刊01.md, which is number 1 of the 增刊) and
//! variants of it; the PDFs read back.

use std::path::Path;
use std::process::Output;

use crate::common::*;

fn run(dir: &Path, args: &[&str]) -> Output {
    jianbao(dir, args)
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    let err = stderr(&out);
    assert!(out.status.success(), "jianbao {args:?} failed:\n{err}");
    err
}

/// The PDFs in a folder (by name, without `.pdf`), sorted.
fn pdfs_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|r| {
            r.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter_map(|n| n.strip_suffix(".pdf").map(String::from))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Builds `args` into a fresh `out/` and says which PDFs it wrote.
fn built(dir: &Path, args: &[&str]) -> Vec<String> {
    let _ = std::fs::remove_dir_all(dir.join("out"));
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    ok(dir, &all);
    pdfs_in(&dir.join("out"))
}

/// The text of page 1 of a PDF, whitespace dropped.
fn first_page(pdf: &Path) -> String {
    let bytes = std::fs::read(pdf).unwrap_or_else(|e| panic!("{}: {e}", pdf.display()));
    pdf_text(&bytes).remove(0)
}

/// The masthead's number line(s) as the PDF has them: the text between the
/// publication's name and the 编发单位 on page 1.
fn number_line(pdf: &Path, name: &str, editor: &str) -> String {
    let text = first_page(pdf);
    let start = text.find(name).expect("the name") + name.len();
    let end = text[start..].find(editor).expect("the editor") + start;
    text[start..end].to_string()
}

const NAME: &str = "安全生产简报";
const EDITOR: &str = "县安委会办公室编";

#[test]
fn every_selection_names_the_regular_issue_or_the_zengkan() {
    let dir = copy_publication(&fixture("series"));
    let p = dir.path();
    // A number is the regular issue; 增刊1, 增刊第1期 and the file id the 增刊.
    assert_eq!(built(p, &["1"]), ["001"]);
    assert_eq!(built(p, &["第1期"]), ["001"]);
    assert_eq!(built(p, &["增刊1"]), ["增刊01"]);
    assert_eq!(built(p, &["增刊第1期"]), ["增刊01"]);
    assert_eq!(built(p, &["增刊01"]), ["增刊01"]);
    assert_eq!(built(p, &["issues/增刊01.md"]), ["增刊01"]);
    // Ranges stay within one series.
    assert_eq!(built(p, &["1..2"]), ["001", "002"]);
    assert_eq!(built(p, &["1..9"]), ["001", "002"]);
    assert_eq!(built(p, &["增刊1..3"]), ["增刊01"]);
    assert_eq!(built(p, &["增刊1..增刊3"]), ["增刊01"]);
    assert_eq!(built(p, &[]), ["001", "002", "增刊01"]);
    // The same names everywhere an issue is taken.
    ok(p, &["check", "1"]);
    ok(p, &["check", "增刊1", "1..2"]);
    let fonts = run(p, &["fonts", "增刊1"]);
    assert!(fonts.status.success(), "{}", stderr(&fonts));
    let said = String::from_utf8_lossy(&fonts.stdout);
    assert!(said.contains("issues/增刊01.md"), "{said}");
    assert!(!said.contains("issues/001.md"), "{said}");
    ok(p, &["fonts", "1..2"]);
    let export = p.join("exported");
    ok(p, &["export", "增刊1", export.to_str().unwrap()]);
    let json = std::fs::read_to_string(export.join("issue.json")).unwrap();
    assert!(json.contains("2026年增刊第1期"), "the 增刊 was exported");
    // Each PDF has its own number line.
    built(p, &[]);
    let out = p.join("out");
    assert_eq!(
        number_line(&out.join("001.pdf"), NAME, EDITOR),
        "2026年第1期（总第41期）"
    );
    assert_eq!(
        number_line(&out.join("增刊01.pdf"), NAME, EDITOR),
        "2026年增刊第1期（总第3期）"
    );
}

#[test]
fn names_that_are_not_there_are_said_with_what_is() {
    let dir = copy_publication(&fixture("series"));
    let p = dir.path();
    let cases: [(&[&str], &str); 4] = [
        (&["build", "增刊2"], "没有增刊第2期"),
        (&["build", "专刊1"], "没有专刊第1期"),
        (&["build", "3"], "没有第3期"),
        (&["check", "增刊2..5"], "增刊2..5 里一期也没有"),
    ];
    for (args, said) in cases {
        let out = run(p, args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(said), "{args:?}: {err}");
        assert!(err.contains("现有的期号：1、2、增刊1"), "{args:?}: {err}");
    }
    // A range whose ends are in two series is no range.
    let out = run(p, &["build", "1..增刊2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("不在同一个系列里"),
        "{}",
        stderr(&out)
    );
    assert!(!p.join("out").exists());
}

#[test]
fn year_folders_name_the_series_of_one_year() {
    let dir = copy_publication(&fixture("series"));
    let p = dir.path();
    let year = p.join("issues/2026");
    std::fs::create_dir(&year).unwrap();
    for f in ["001.md", "002.md", "增刊01.md"] {
        std::fs::rename(p.join("issues").join(f), year.join(f)).unwrap();
    }
    // Last year's issue 1 and 增刊 1.
    let last = p.join("issues/2025");
    std::fs::create_dir(&last).unwrap();
    for f in ["001.md", "增刊01.md"] {
        let text = std::fs::read_to_string(year.join(f)).unwrap();
        let text = text
            .replace("date = 2026-", "date = 2025-")
            .replace("total = 41", "total = 17")
            .replace("total = 3", "total = 2");
        std::fs::write(last.join(f), text).unwrap();
    }
    let built_in = |args: &[&str]| {
        let _ = std::fs::remove_dir_all(p.join("out"));
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        ok(p, &all);
        let mut found = Vec::new();
        for y in ["2025", "2026"] {
            for name in pdfs_in(&p.join("out").join(y)) {
                found.push(format!("{y}/{name}"));
            }
        }
        found
    };
    assert_eq!(built_in(&["2026/1"]), ["2026/001"]);
    assert_eq!(built_in(&["2026/增刊1"]), ["2026/增刊01"]);
    assert_eq!(built_in(&["2025/增刊第1期"]), ["2025/增刊01"]);
    assert_eq!(built_in(&["2026/1..2"]), ["2026/001", "2026/002"]);
    assert_eq!(built_in(&["2026/增刊1..5"]), ["2026/增刊01"]);
    assert_eq!(built_in(&["2"]), ["2026/002"]);
    ok(p, &["check", "--deny-warnings"]);
    ok(p, &["fonts", "2026/增刊1"]);
    // Issue 1 is in two year folders: the question is put back.
    for q in ["1", "增刊1", "1..2"] {
        let out = run(p, &["build", q]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{q}: {err}");
        assert!(err.contains("用年份文件夹指明是哪一期"), "{q}: {err}");
    }
    assert_eq!(
        number_line(
            &{
                built_in(&["2025/增刊1"]);
                p.join("out/2025/增刊01.pdf")
            },
            NAME,
            EDITOR
        ),
        "2025年增刊第1期（总第2期）"
    );
}

/// The errors a run reports, as `path:line:col: error[code]`, sorted.
fn errors(out: &Output) -> Vec<String> {
    let mut found: Vec<String> = stderr(out)
        .lines()
        .filter(|l| l.contains(": error["))
        .map(|l| l[..l.find(']').unwrap() + 1].to_string())
        .collect();
    found.sort();
    found
}

#[test]
fn check_and_build_refuse_the_same_duplicates() {
    let dir = copy_publication(&fixture("series"));
    let p = dir.path();
    let issues = p.join("issues");
    // A 专刊 numbered 1 is a series of its own: no error.
    let zengkan = std::fs::read_to_string(issues.join("增刊01.md")).unwrap();
    std::fs::write(
        issues.join("专刊01.md"),
        zengkan.replace("edition = \"增刊\"", "edition = \"专刊\""),
    )
    .unwrap();
    ok(p, &["check", "--deny-warnings"]);
    assert_eq!(built(p, &["专刊1"]), ["专刊01"]);
    // Two regular issues numbered 1, and two 增刊 numbered 1.
    let first = std::fs::read_to_string(issues.join("001.md")).unwrap();
    // Each with a 总期号 of its own: only the numbers are shared.
    std::fs::write(
        issues.join("补发.md"),
        first.replace("total = 41", "total = 40"),
    )
    .unwrap();
    std::fs::write(
        issues.join("增刊补发.md"),
        zengkan.replace("total = 3", "total = 4"),
    )
    .unwrap();
    let _ = std::fs::remove_dir_all(p.join("out"));
    let check = run(p, &["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let want = [
        "issues/001.md:2:10: error[duplicate-number]",
        "issues/增刊01.md:2:10: error[duplicate-number]",
        "issues/增刊补发.md:2:10: error[duplicate-number]",
        "issues/补发.md:2:10: error[duplicate-number]",
    ];
    let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(errors(&check), want, "{}", stderr(&check));
    assert!(
        stderr(&check).contains("也是增刊第1期"),
        "{}",
        stderr(&check)
    );
    // `build` refuses exactly those and builds the rest.
    let build = run(p, &["build"]);
    assert_eq!(build.status.code(), Some(1), "{}", stderr(&build));
    assert_eq!(errors(&build), want);
    assert_eq!(pdfs_in(&p.join("out")), ["002", "专刊01"]);
    // Naming the number selects every issue that has it: the same errors,
    // nothing built, not a question back.
    for (q, files) in [("1", ["001", "补发"]), ("增刊1", ["增刊01", "增刊补发"])] {
        let _ = std::fs::remove_dir_all(p.join("out"));
        let check = run(p, &["check", q]);
        let build = run(p, &["build", q]);
        assert_eq!(check.status.code(), Some(1), "{q}: {}", stderr(&check));
        assert_eq!(build.status.code(), Some(1), "{q}: {}", stderr(&build));
        assert_eq!(errors(&check), errors(&build), "{q}");
        let named: Vec<String> = want
            .iter()
            .filter(|e| {
                files
                    .iter()
                    .any(|f| e.starts_with(&format!("issues/{f}.md")))
            })
            .cloned()
            .collect();
        assert_eq!(errors(&build), named, "{q}");
        assert!(pdfs_in(&p.join("out")).is_empty(), "{q}");
    }
}

#[test]
fn an_edition_file_name_agrees_with_its_front_matter() {
    let dir = copy_publication(&fixture("series"));
    let p = dir.path();
    let issues = p.join("issues");
    let zengkan = std::fs::read_to_string(issues.join("增刊01.md")).unwrap();
    std::fs::remove_file(issues.join("增刊01.md")).unwrap();
    // 增刊02.md says number 1.
    std::fs::write(issues.join("增刊02.md"), &zengkan).unwrap();
    let out = run(p, &["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("issues/增刊02.md:2:10: error[number-mismatch]: 文件名“增刊02”是增刊第2期，头部却写 number = 1"),
        "{err}"
    );
    assert!(
        err.contains("改成 number = 2，或把文件改名为 增刊01.md"),
        "{err}"
    );
    // 增刊03.md that forgot its edition is printed as a regular issue.
    std::fs::remove_file(issues.join("增刊02.md")).unwrap();
    std::fs::write(
        issues.join("增刊03.md"),
        zengkan
            .replace("number = 1", "number = 3")
            .replace("edition = \"增刊\"\n", ""),
    )
    .unwrap();
    let out = run(p, &["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("issues/增刊03.md:1:1: warning[edition-mismatch]: 文件名“增刊03”是增刊，头部却没有写 edition = \"增刊\""),
        "{err}"
    );
}

#[test]
fn the_number_line_puts_the_edition_where_offices_print_it() {
    // number_format, [masthead] total, and the number line(s) of the 增刊
    // and of regular issue 1 as the PDF has them.
    let cases = [
        (
            "第{number}期",
            "inline",
            "增刊第1期（总第3期）",
            "第1期（总第41期）",
        ),
        (
            "{year}年第{number}期",
            "inline",
            "2026年增刊第1期（总第3期）",
            "2026年第1期（总第41期）",
        ),
        (
            "第{number_cn}期",
            "inline",
            "增刊第一期（总第3期）",
            "第一期（总第41期）",
        ),
        (
            "{year}年第{number_cn}期",
            "below",
            "2026年增刊第一期（总第3期）",
            "2026年第一期（总第41期）",
        ),
        (
            "第{number}期",
            "below",
            "增刊第1期（总第3期）",
            "第1期（总第41期）",
        ),
        // The office's own place for it.
        (
            "{edition}{year}年第{number}期",
            "inline",
            "增刊2026年第1期（总第3期）",
            "2026年第1期（总第41期）",
        ),
        (
            "{year}年{edition}第{number}期",
            "inline",
            "2026年增刊第1期（总第3期）",
            "2026年第1期（总第41期）",
        ),
    ];
    let dir = copy_publication(&fixture("series"));
    let p = dir.path();
    let toml = std::fs::read_to_string(p.join("jianbao.toml")).unwrap();
    for (format, total, zengkan, regular) in cases {
        let changed = toml
            .replace("{year}年第{number}期", format)
            .replace("total = \"inline\"", &format!("total = \"{total}\""));
        std::fs::write(p.join("jianbao.toml"), changed).unwrap();
        let _ = std::fs::remove_dir_all(p.join("out"));
        ok(p, &["check", "--deny-warnings"]);
        ok(p, &["build", "1", "增刊1"]);
        let out = p.join("out");
        assert_eq!(
            number_line(&out.join("增刊01.pdf"), NAME, EDITOR),
            zengkan,
            "{format} {total}"
        );
        assert_eq!(
            number_line(&out.join("001.pdf"), NAME, EDITOR),
            regular,
            "{format} {total}"
        );
    }
}

#[test]
fn sections_without_a_level_one_heading_pass_deny_warnings() {
    // Every article of the fixture has （一）（二） and no 一、.
    let dir = copy_publication(&fixture("series"));
    let p = dir.path();
    let out = run(p, &["check", "--deny-warnings"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("检查了 3 期：没有问题"),
        "{}",
        stderr(&out)
    );
    // A number out of its sequence is still marked, there too.
    let issue = p.join("issues/002.md");
    let text = std::fs::read_to_string(&issue).unwrap();
    std::fs::write(&issue, text.replace("（二）下步打算", "（三）下步打算")).unwrap();
    let out = run(p, &["check", "--deny-warnings"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "issues/002.md:13:1: warning[heading-sequence]: 标题编号 （三） 接在 （一） 后面"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_number_shared_by_many_issues_gives_one_short_error_each() {
    // 60 copies of one issue, number and 总期号 unchanged: each copy has
    // its errors (none is built), each names three others and counts the
    // rest. Naming every other printed every pair: 60 × 59 notes a code.
    let dir = copy_publication(&fixture("series"));
    let p = dir.path();
    let issues = p.join("issues");
    let first = std::fs::read_to_string(issues.join("001.md")).unwrap();
    let copies = 60;
    for i in 0..copies {
        std::fs::write(issues.join(format!("copy{i:02}.md")), &first).unwrap();
    }
    let check = run(p, &["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let err = stderr(&check);
    for code in ["duplicate-number", "duplicate-total"] {
        let lines: Vec<&str> = err
            .lines()
            .filter(|l| l.contains(&format!("error[{code}]")))
            .collect();
        assert_eq!(lines.len(), copies + 1, "{code}");
        assert!(
            lines.iter().all(|l| l.contains("和另外 57 期")),
            "{code}: {lines:?}"
        );
    }
    let notes = err
        .lines()
        .filter(|l| l.trim_start().starts_with("note:"))
        .count();
    assert_eq!(notes, 2 * (copies + 1) * 3, "{err}");
}
