//! End-to-end: the real binary on real publication folders, and the PDF
//! that comes out read back with lopdf.

use crate::common::*;

fn build_4() -> (tempfile::TempDir, Vec<u8>) {
    let dir = copy_publication(&repo());
    let out = jianbao(dir.path(), &["build", "4"]);
    assert!(out.status.success(), "build failed:\n{}", stderr(&out));
    let pdf = std::fs::read(dir.path().join("out/004.pdf")).expect("out/004.pdf written");
    (dir, pdf)
}

#[test]
fn issue_4_is_an_a4_pdf_with_embedded_subset_fonts() {
    let (_dir, pdf) = build_4();
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let pages = doc.get_pages();
    assert!(pages.len() >= 4, "{} pages", pages.len());
    for (_, id) in pages {
        let page = doc.get_dictionary(id).unwrap();
        let media = page.get(b"MediaBox").unwrap().as_array().unwrap();
        let num = |o: &lopdf::Object| {
            o.as_float()
                .map(f64::from)
                .or_else(|_| o.as_i64().map(|i| i as f64))
                .unwrap()
        };
        let (w, h) = (
            num(&media[2]) - num(&media[0]),
            num(&media[3]) - num(&media[1]),
        );
        assert!(
            (w - 595.28).abs() < 0.1 && (h - 841.89).abs() < 0.1,
            "page size {w} × {h}"
        );
    }
    // Every font is embedded (a FontFile) and subset (ABCDEF+ prefix).
    let mut fonts = 0;
    for (_, obj) in doc.objects.iter() {
        let Ok(dict) = obj.as_dict() else { continue };
        if dict.get(b"Type").ok().and_then(|t| t.as_name().ok()) != Some(b"FontDescriptor") {
            continue;
        }
        fonts += 1;
        let name =
            String::from_utf8_lossy(dict.get(b"FontName").unwrap().as_name().unwrap()).into_owned();
        assert!(
            name.len() > 7 && name.as_bytes()[6] == b'+',
            "not subset: {name}"
        );
        assert!(
            dict.has(b"FontFile") || dict.has(b"FontFile2") || dict.has(b"FontFile3"),
            "not embedded: {name}"
        );
    }
    assert!(fonts >= 4, "only {fonts} fonts");
}

#[test]
fn issue_4_text_comes_out_in_reading_order() {
    let (_dir, pdf) = build_4();
    let pages = pdf_text(&pdf);
    let all: String = pages.concat();
    let expected = [
        "内部刊物",
        "注意保存",
        "郑州市教育局“能力作风建设年”活动",
        "简",
        "报",
        "第4期",
        "领导小组办公室",
        "2022年1月19日",
        "聚焦“七项工程”，提升“七大能力”",
        "亮出重槌敲响鼓",
        "激励与约束并重",
        "一、实施党建引领工程，提升政治能力",
        "二、实施素质培育工程，提升执行能力",
        "三、实施质量提升工程，提升落实能力",
        "都是干出来的",
        "四、实施改革创新工程，提升攻坚能力",
        "优化教育发展生态",
        "五、实施依法治教工程，提升治理能力",
        "六、实施安全发展工程，提升应变能力",
        "应急处突的能力",
        "七、实施民生改善工程，提升服务能力",
        "报：市“能力作风建设年”活动领导小组办公室",
        "送：市教育局“能力作风建设年”活动领导小组领导",
        "发：局直属学校（单位）党组织、市属各民办学校党组织、",
        "市教育局机关各党支部",
        "郑州市教育局“能力作风建设年”活动",
        "领导小组办公室",
        "2022年1月19日印发",
    ];
    assert_in_order(&all, &expected);
    let last = pages.last().unwrap();
    for e in ["报：", "送：", "发：", "印发"] {
        assert!(last.contains(e), "closing block not on the last page: {e}");
    }
    // Page numbers, with their dashes.
    assert!(pages[0].contains("—1—"), "{}", pages[0]);
    assert!(pages[1].contains("—2—"));
}

#[test]
fn two_builds_are_byte_identical() {
    let (dir, first) = build_4();
    let out = jianbao(dir.path(), &["build", "4"]);
    assert!(out.status.success());
    let second = std::fs::read(dir.path().join("out/004.pdf")).unwrap();
    assert!(first == second, "the two PDFs differ");
}

#[test]
fn body_text_is_data_never_markup() {
    let dir = copy_publication(&fixture("literal"));
    let out = jianbao(dir.path(), &["build", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = std::fs::read(dir.path().join("out/001.pdf")).unwrap();
    let text: String = pdf_text(&pdf).concat();
    for literal in [
        "#read(\"/etc/passwd\")",
        "$x$",
        "*a*",
        "_b_",
        "<c>",
        "@d",
        "]",
        "\\反斜杠",
        "#settext(red)",
        "#不是标题",
    ] {
        assert!(
            text.contains(literal),
            "`{literal}` not printed literally in:\n{text}"
        );
    }
    assert!(!text.contains("root:"), "a file was read");
}

#[test]
fn a_failed_build_keeps_the_good_pdf_and_leaves_nothing_partial() {
    let (dir, good) = build_4();
    let issue = dir.path().join("issues/004.md");
    let text = std::fs::read_to_string(&issue).unwrap();
    std::fs::write(
        &issue,
        text.replace("date = 2022-01-19", "date = 2022-02-30"),
    )
    .unwrap();
    let out = jianbao(dir.path(), &["build", "4"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("issues/004.md:3:8"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(dir.path().join("out/004.pdf")).unwrap(),
        good,
        "good PDF replaced"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n != ".jianbao-manifest.json")
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn an_unknown_number_lists_the_existing_ones() {
    let dir = copy_publication(&repo());
    let out = jianbao(dir.path(), &["build", "9"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("没有第9期") && err.contains("现有的期号：4"),
        "{err}"
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn build_runs_from_a_subfolder() {
    let dir = copy_publication(&repo());
    let out = jianbao(&dir.path().join("issues"), &["build", "4"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("out/004.pdf").is_file());
}

#[test]
fn help_is_there_for_every_command() {
    for cmd in [
        &["--help"][..],
        &["build", "--help"],
        &["check", "--help"],
        &["fonts", "--help"],
    ] {
        let out = jianbao(&repo(), cmd);
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("用法："));
    }
}

#[test]
fn every_block_kind_builds_into_year_folders() {
    let dir = copy_publication(&fixture("features"));
    let out = jianbao(dir.path(), &["build", "2023/1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = std::fs::read(dir.path().join("out/2023/001.pdf")).expect("out/2023/001.pdf");
    let text: String = pdf_text(&pdf).concat();
    let expected = [
        "内部资料",
        "教育工作简报",
        "2023年第1期（总第16期）",
        "市教育局办公室编",
        "2023年3月6日",
        "编者按：本期刊发两篇工作动态",
        "【工作动态】",
        "全市教育系统召开安全工作会议",
        "——部署2023年春季学期校园安全工作",
        "安全稳定",
        "一、提高政治站位",
        "（一）加强组织领导。各单位要成立",
        "（二）完善工作机制",
        "1.建立台账。",
        "（1）每周调度一次。",
        "会议现场",
        "二、狠抓工作落实",
        "1.5亿元",
        "局属学校开展教师培训",
        "Smith",
        "报：市委办公室，市政府办公室。",
        "发：各县（市、区）教育局，局属各学校。",
        "市教育局办公室",
        "2023年3月6日印发",
        "（共印120份）",
    ];
    assert_in_order(&text, &expected);
    // The picture is in the PDF as an image.
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let images = doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| s.dict.get(b"Subtype").ok().and_then(|t| t.as_name().ok()) == Some(b"Image"))
        .count();
    assert!(images >= 1, "no image in the PDF");
}

#[test]
fn a_bug_in_the_shipped_binary_ends_with_one_line_and_status_2() {
    // The real binary, not a hook installed inside the test process.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jianbao"))
        .current_dir(repo())
        .args(["check", "4"])
        .env("JIANBAO_TEST_PANIC", "1")
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].starts_with("error: jianbao 内部出错"), "{err}");
    assert!(
        !err.contains("panicked at") && !err.contains("backtrace"),
        "{err}"
    );
}
