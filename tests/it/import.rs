//! `jianbao import DRAFT.docx`: the real binary on the .docx corpus of
//! `tests/fixtures/docx/` (see SOURCES.md there), into a copy of a
//! publication. Each import gives the issue file written by hand in
//! `expected/` from what the document shows, passes `check`, and builds;
//! damaged and malicious packages give a clear error and write nothing.

use std::path::{Path, PathBuf};

use crate::common::*;

fn docx(name: &str) -> PathBuf {
    fixture("docx").join(name)
}

fn publication() -> tempfile::TempDir {
    copy_publication(&fixture("docx/publication"))
}

fn today() -> String {
    chrono::Local::now().date_naive().to_string()
}

/// The files below `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(p.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Imports `name` into a fresh publication; the issue file written must
/// be `expected/<stem>.md`, and the issue must check clean of errors and
/// build. Returns the publication and what import said.
fn imports_as_expected(name: &str, issue: &str) -> (tempfile::TempDir, String) {
    let dir = publication();
    let out = jianbao(dir.path(), &["import", docx(name).to_str().unwrap()]);
    let said = stderr(&out);
    assert!(out.status.success(), "{said}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("issues/{issue}.md")
    );
    let written = std::fs::read_to_string(dir.path().join(format!("issues/{issue}.md"))).unwrap();
    let stem = name.trim_end_matches(".docx");
    let expected = std::fs::read_to_string(docx(&format!("expected/{stem}.md")))
        .unwrap()
        .replace("{today}", &today());
    if written != expected {
        let diff = similar::TextDiff::from_lines(&expected, &written);
        panic!(
            "{name}: the issue file differs from expected/{stem}.md:\n{}",
            diff.unified_diff()
        );
    }
    let check = jianbao(dir.path(), &["check"]);
    assert!(check.status.success(), "{}", stderr(&check));
    let build = jianbao(dir.path(), &["build", issue]);
    assert!(build.status.success(), "{}", stderr(&build));
    let pdf = std::fs::read(dir.path().join(format!("out/{issue}.pdf"))).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    (dir, said)
}

#[test]
fn a_word_draft_with_numbering_tables_pictures_and_revisions() {
    let (dir, said) = imports_as_expected("word.docx", "007");
    // The picture is the one in the package, under a name of its own.
    let images = files(&dir.path().join("images"));
    assert_eq!(images.len(), 1, "{images:?}");
    assert!(images[0].starts_with("import-1-") && images[0].ends_with(".png"));
    // What became of each paragraph, and what was dropped.
    for line in [
        "第2段　报头：第7期（总第23期）",
        "第4段　引题",
        "第5段　标题：云溪县扎实开展安全生产大排查大整治",
        "第9段　一级标题：一、组织领导有力",
        "第10段　二级标题（段首标题）：（一）强化统筹调度。",
        "第11段　三级标题：1.制定方案",
        "第19段　表格：5 行 × 4 列，表头 2 行，有合并单元格",
        "第21段　正文（文本框里）",
        "第22段　和下面 1 段接成了一段",
        "第29段　版记：",
        "有修订（插入的文字）",
        "有修订（删除的文字）",
        "有批注：批注没有导入（第15段）",
        "有脚注或尾注",
        "有域",
        "有文本框",
    ] {
        assert!(said.contains(line), "missing {line:?} in:\n{said}");
    }
    // The PDF has the text as the document shows it.
    let pdf = std::fs::read(dir.path().join("out/007.pdf")).unwrap();
    let text = pdf_text(&pdf).concat();
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for item in [
        "一、组织领导有力",
        "（一）强化统筹调度。",
        "1.制定方案",
        "全县共检查企业426家",
        "表1各乡镇检查情况",
        "举报电话：0597-12350",
        "安全生产形势总体平稳，为全年工作打下了良好基础。",
        "市应急管理局",
    ] {
        assert!(text.contains(item), "{item} not in the PDF: {text}");
    }
    assert!(!text.contains("400"), "a deleted revision was printed");
}

#[test]
fn a_draft_written_in_libreoffice() {
    let (dir, said) = imports_as_expected("clerk.docx", "001");
    assert!(said.contains("一级标题：一、主要做法"), "{said}");
    assert!(said.contains("三级标题：2.整治水塘"), "{said}");
    assert_eq!(files(&dir.path().join("images")).len(), 1);
}

#[test]
fn a_real_world_gongwen() {
    let (_dir, said) = imports_as_expected("real-mrered-gongwen.docx", "001");
    assert!(said.contains("第2段　署名：诸葛亮、亮葛诸"), "{said}");
}

/// A 通知 made by a GB/T 9704 generator (`real-kamisky-tongzhi.docx`,
/// SOURCES.md). Checked by hand against the document's 23 paragraphs:
/// the 份号 000001 and 密级 秘密★1年 of its first two lines go into the
/// front matter; the 发文机关标志 (中共云岭市委办公室文件) and the
/// 发文字号 (云办发〔2026〕12号) are not body text, and the report says the
/// 字号 is left out; the title, broken in two by a soft line break, is
/// two `# ` lines and said so; 主送机关, the eight paragraphs and the two
/// headings, the 附件 line and the 落款 (unit, seal note, date, 此文公开发布)
/// in order; 抄送 becomes the `song` list of two units, said as printed
/// 送; the 印发 line gives the publisher and the date.
#[test]
fn a_real_world_tongzhi_with_its_document_head() {
    let (_dir, said) = imports_as_expected("real-kamisky-tongzhi.docx", "001");
    for want in [
        "第1段　份号 000001：serial = “000001”",
        "第2段　密级 秘密★1年：classification = “秘密★1年”",
        "第3段　版头：中共云岭市委办公室文件",
        "！第4段　文号“云办发〔2026〕12号”没有导入",
        "第6段　标题（2 行）：关于做好2026年暑期 / 新时代文明实践工作的通知",
        "！第21段　“抄送：”印成“送：”",
    ] {
        assert!(said.contains(want), "no `{want}` in\n{said}");
    }
}

/// A 纪要 of the same generator (`real-kamisky-jiyao.docx`). Checked by
/// hand against its 16 paragraphs: the 纪要标志 (中共云岭市委纪要) and its
/// number (〔2026〕第5次) are the head, left out and said; the 22 pt
/// centred 中共云岭市委常委会会议纪要 is the title (it had been taken for a
/// byline under the mark); the 出席, 请假 and 列席 lines stay three lines
/// (出席 had been joined with 请假 as a line wrapped in a PDF).
#[test]
fn a_real_world_jiyao() {
    let (_dir, said) = imports_as_expected("real-kamisky-jiyao.docx", "001");
    assert!(
        said.contains("第4段　标题：中共云岭市委常委会会议纪要"),
        "{said}"
    );
    assert!(!said.contains("接成了一段"), "{said}");
}

/// A 简报 made by a drafting tool (`real-zhaohui-jianbao.docx`), without
/// masthead, date or 版记. Checked by hand against its 12 paragraphs: the
/// 黑体 2号 title, the three 一级 and three 二级 headings in their faces,
/// the five paragraphs word for word; the date is the day of the import.
#[test]
fn a_real_world_jianbao() {
    let (_dir, said) = imports_as_expected("real-zhaohui-jianbao.docx", "001");
    assert!(
        said.contains("第1段　标题：“我的刀盾”网络动态简报"),
        "{said}"
    );
    assert!(
        said.contains("第9段　二级标题：（三）跨平台传播特征逐渐显现"),
        "{said}"
    );
}

/// A draft without a masthead takes the next number each time: imported
/// twice, the second import says that an issue has its text (it made a
/// second issue without a word: the new-user review); another draft
/// says nothing of the kind.
#[test]
fn a_draft_imported_twice_is_said() {
    let dir = publication();
    let import = |name: &str| {
        let out = jianbao(dir.path(), &["import", docx(name).to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        stderr(&out)
    };
    let first = import("real-zhaohui-jianbao.docx");
    assert!(!first.contains("可能已经导入过"), "{first}");
    let second = import("real-zhaohui-jianbao.docx");
    assert!(
        second.contains("！issues/001.md 的正文和这份稿子的相同：这份稿子可能已经导入过"),
        "{second}"
    );
    let other = import("real-mrered-gongwen.docx");
    assert!(!other.contains("可能已经导入过"), "{other}");
}

#[test]
fn never_overwrites_and_takes_a_number() {
    let dir = publication();
    let word = docx("word.docx");
    let word = word.to_str().unwrap();
    assert!(jianbao(dir.path(), &["import", word]).status.success());
    let before = files(dir.path());
    let first = std::fs::read(dir.path().join("issues/007.md")).unwrap();
    // The masthead says 第7期 again: refused, nothing changed.
    let again = jianbao(dir.path(), &["import", word]);
    assert!(!again.status.success());
    let said = stderr(&again);
    assert!(
        said.contains("第 7 期已经有了") && said.contains("--number"),
        "{said}"
    );
    assert_eq!(files(dir.path()), before);
    assert_eq!(
        std::fs::read(dir.path().join("issues/007.md")).unwrap(),
        first
    );
    // --number: another issue; the same picture is the same file.
    let numbered = jianbao(dir.path(), &["import", word, "--number", "8"]);
    assert!(numbered.status.success(), "{}", stderr(&numbered));
    let text = std::fs::read_to_string(dir.path().join("issues/008.md")).unwrap();
    assert!(text.starts_with("+++\nnumber = 8\n"), "{text}");
    assert_eq!(files(&dir.path().join("images")).len(), 1);
    // With no masthead number, the next number, as `new` gives it.
    let clerk = jianbao(
        dir.path(),
        &["import", docx("clerk.docx").to_str().unwrap()],
    );
    assert!(clerk.status.success(), "{}", stderr(&clerk));
    assert!(dir.path().join("issues/009.md").is_file());
}

/// Each hostile package: a clear error with its code, nothing written.
#[test]
fn hostile_packages_are_refused_and_nothing_is_written() {
    let cases = [
        ("bomb.docx", "docx-limit", "压缩炸弹"),
        ("huge-entry.docx", "docx-limit", "超过单个文件的上限"),
        ("many-entries.docx", "docx-limit", "超过上限 2000"),
        ("deep.docx", "docx-limit", "嵌套超过 256 层"),
        ("laughs.docx", "docx-dtd", "文档类型定义"),
        ("path-out.docx", "docx-path", "压缩包外面"),
        ("path-absolute.docx", "docx-path", "绝对路径 /etc/passwd"),
        ("not-zip.docx", "docx-not-zip", "不是 .docx 文件"),
        ("no-document.docx", "docx-no-document", "word/document.xml"),
        ("truncated.docx", "docx-damaged", "不完整"),
        ("bad-xml.docx", "docx-bad-xml", "不是完好的 XML"),
        // 30,000 attributes on one element (100,000 took 20 s before the
        // bound; the attack review).
        ("many-attributes.docx", "docx-bad-xml", "1000 个以上的属性"),
    ];
    for (name, code, words) in cases {
        let dir = publication();
        let before = files(dir.path());
        let path = docx(&format!("hostile/{name}"));
        let started = std::time::Instant::now();
        let out = jianbao(dir.path(), &["import", path.to_str().unwrap()]);
        let said = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {said}");
        assert!(said.contains(&format!("error[{code}]")), "{name}: {said}");
        assert!(said.contains(words), "{name}: {said}");
        assert!(
            said.contains(&format!("{name}:1:1")),
            "{name} names the file: {said}"
        );
        assert!(said.contains("没有写入任何文件"), "{name}: {said}");
        assert!(!said.contains("panicked"), "{name}: {said}");
        assert!(out.stdout.is_empty(), "{name}");
        assert_eq!(files(dir.path()), before, "{name} wrote something");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{name} took {:?}",
            started.elapsed()
        );
    }
}

/// A picture linked from outside the package is never read: the text is
/// imported and the picture is said to be left out.
#[test]
fn an_external_picture_is_never_followed() {
    let dir = publication();
    let out = jianbao(
        dir.path(),
        &["import", docx("hostile/external.docx").to_str().unwrap()],
    );
    let said = stderr(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("链接到外部的图片"), "{said}");
    assert!(!dir.path().join("images").exists());
    let text = std::fs::read_to_string(dir.path().join("issues/007.md")).unwrap();
    assert!(!text.contains("!["), "{text}");
    assert!(!text.contains("root:"), "{text}");
}

/// A damaged picture is decoded as `check` would and left out, said at
/// its paragraph: the issue still checks clean and builds.
#[test]
fn a_damaged_picture_is_left_out_and_said() {
    let dir = publication();
    let out = jianbao(
        dir.path(),
        &[
            "import",
            docx("hostile/broken-picture.docx").to_str().unwrap(),
        ],
    );
    let said = stderr(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("第16段　图片没有导入") && said.contains("打不开"),
        "{said}"
    );
    assert!(!dir.path().join("images").exists());
    let check = jianbao(dir.path(), &["check"]);
    assert!(check.status.success(), "{}", stderr(&check));
}

/// A .doc without LibreOffice on PATH: a clear error saying to save as
/// .docx, nothing written.
#[test]
fn an_old_doc_without_libreoffice_says_to_save_as_docx() {
    let dir = publication();
    let doc = dir.path().join("旧稿.doc");
    std::fs::write(&doc, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]).unwrap();
    let empty = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jianbao"))
        .current_dir(dir.path())
        .args(["import", "旧稿.doc"])
        .env("NO_COLOR", "1")
        .env("PATH", empty.path())
        .output()
        .unwrap();
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("error[docx-convert]") && said.contains("没有 LibreOffice"),
        "{said}"
    );
    assert!(said.contains("另存为"), "{said}");
    assert!(!dir.path().join("issues").join("001.md").exists());
}

// A .doc through LibreOffice: `tests/docx_libreoffice.rs`, which says
// it is skipped where soffice is missing.

/// Bytes of the fixtures flipped and cut at places a fixed generator
/// picks: every run ends with the issue written (exit 0) or a clear
/// error about the file (exit 1), never a bug's exit status or a panic.
#[test]
fn mutated_packages_never_crash() {
    let sources = [
        std::fs::read(docx("word.docx")).unwrap(),
        std::fs::read(docx("clerk.docx")).unwrap(),
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let dir = publication();
    let draft = dir.path().join("变异.docx");
    for round in 0..40 {
        let mut bytes = sources[round % 2].clone();
        match round % 4 {
            // A few bytes changed anywhere (the zip's stored entries and
            // directory included).
            0 | 1 => {
                for _ in 0..1 + next() % 8 {
                    let at = (next() as usize) % bytes.len();
                    bytes[at] = next() as u8;
                }
            }
            // Cut off.
            2 => bytes.truncate((next() as usize) % bytes.len()),
            // A run of bytes repeated in the middle.
            _ => {
                let at = (next() as usize) % bytes.len();
                let run: Vec<u8> = bytes[at..bytes.len().min(at + 64)].to_vec();
                bytes.splice(at..at, run);
            }
        }
        std::fs::write(&draft, &bytes).unwrap();
        let out = jianbao(dir.path(), &["import", "变异.docx", "--number", "900"]);
        let said = stderr(&out);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "round {round}: status {:?}\n{said}",
            out.status.code()
        );
        assert!(
            !said.contains("内部出错") && !said.contains("panicked"),
            "round {round}: {said}"
        );
        // What was written goes, for the next round.
        let _ = std::fs::remove_file(dir.path().join("issues/900.md"));
        let _ = std::fs::remove_dir_all(dir.path().join("images"));
    }
}

/// Drafts the attack review made lose text silently: a picture that ends
/// the document was read as an empty line of the 版记 and dropped; a
/// heading naming an issue (二、第3期培训班) among the first paragraphs was
/// taken for the masthead's number line, and the title, a paragraph and a
/// table above it were dropped as the masthead.
#[test]
fn nothing_of_a_draft_is_taken_for_the_masthead_or_the_closing_block_wrongly() {
    let dir = publication();
    let out = jianbao(
        dir.path(),
        &["import", docx("attack/pic-good-end.docx").to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let pictures: Vec<_> = std::fs::read_dir(dir.path().join("images"))
        .map(|d| d.flatten().collect())
        .unwrap_or_default();
    assert_eq!(pictures.len(), 1, "the picture is written");
    let issue = newest_issue(dir.path());
    assert!(
        issue.contains("![") && issue.contains("](images/import-1-"),
        "{issue}"
    );

    let dir = publication();
    let out = jianbao(
        dir.path(),
        &[
            "import",
            docx("attack/masthead-eats.docx").to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let said = String::from_utf8_lossy(&out.stdout).to_string() + &stderr(&out);
    assert!(!said.contains("报头"), "{said}");
    let issue = newest_issue(dir.path());
    assert!(issue.contains("二、第3期培训班"), "{issue}");
    assert!(
        issue.contains('\t') || issue.contains('|'),
        "the table is kept: {issue}"
    );
    assert!(!issue.contains("number = 3\n"), "{issue}");
}

/// The issue file `import` wrote last.
fn newest_issue(dir: &Path) -> String {
    let mut newest: Option<(std::time::SystemTime, PathBuf)> = None;
    for f in files(dir) {
        if f.starts_with("issues/") && f.ends_with(".md") {
            let p = dir.join(&f);
            let t = std::fs::metadata(&p).unwrap().modified().unwrap();
            if newest.as_ref().is_none_or(|(n, _)| t > *n) {
                newest = Some((t, p));
            }
        }
    }
    std::fs::read_to_string(newest.expect("an issue").1).unwrap()
}
