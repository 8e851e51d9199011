//! Word out, Word in (issue 19 item 4): every issue of the fixtures the
//! .docx tests use is built `--format docx` with the real binary, that
//! file is imported with `jianbao import --number N` into a fresh copy
//! of the same publication, and the imported issue is compared with the
//! original: the front matter's values (the number aside) and the body's
//! blocks, both parsed by the library and cleaned by the rules of
//! `check --fix` (`jianbao::clean::cleaned`), so that what the cleaning
//! would change anyway is no difference.

use std::path::{Path, PathBuf};

use jianbao::issue::{Block, Cell, ColumnAlign, Issue, PictureWidth, TableStyle, Text};
use jianbao::source::SourceFile;

use crate::common::*;

/// The imported number: far from any fixture's.
const NUMBER: &str = "900";

/// Every `.md` under `issues/`, by its path relative to the publication.
fn issue_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.join("issues")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

fn parse(path: &Path) -> Issue {
    let text = std::fs::read_to_string(path).unwrap();
    let mut diags = Vec::new();
    let issue = Issue::parse(
        path.display().to_string(),
        SourceFile::new(path.to_path_buf(), text),
        &mut diags,
    )
    .unwrap_or_else(|| panic!("{}: does not parse: {diags:?}", path.display()));
    jianbao::clean::cleaned(&issue)
}

/// A text with its emphasis as typed (`**…**`), runs of one style joined.
fn show(t: &Text) -> String {
    let mut out = String::new();
    let mut bold = false;
    for r in &t.runs {
        if r.text.is_empty() {
            continue;
        }
        if r.emphasis != bold {
            out.push_str("**");
            bold = r.emphasis;
        }
        out.push_str(&r.text);
    }
    if bold {
        out.push_str("**");
    }
    out
}

/// The type area's width, mm, and a character's (3号 on the grid of 28).
const TYPE_AREA_MM: f64 = 156.0;
const CHAR_MM: f64 = TYPE_AREA_MM / 28.0;

/// A picture's asked width in mm.
fn width_mm(w: &PictureWidth) -> f64 {
    match w {
        PictureWidth::Percent(p) => p / 100.0 * TYPE_AREA_MM,
        PictureWidth::Chars(c) => c * CHAR_MM,
    }
}

/// A picture's width as compared. The .docx holds the printed size in
/// mm, not the width as asked: `{width=4字}` comes back as a share of
/// the type area, a picture without a width at the size the PDF gave it,
/// and pictures side by side a little narrower than asked (the PDF
/// shrinks a row to leave its gutter). So a width asked is compared in
/// mm, to the nearest 4 mm (a gutter, the rounding to whole percents);
/// none asked accepts the printed size back.
fn width(original: Option<&PictureWidth>, imported: Option<&PictureWidth>) -> String {
    match (original, imported) {
        (None, Some(w)) if width_mm(w) <= TYPE_AREA_MM => "印出的宽度".to_string(),
        (Some(a), Some(b)) if (width_mm(a) - width_mm(b)).abs() <= 4.0 => {
            format!("{:.0}mm", width_mm(a))
        }
        (a, b) => format!("{:?}", a.or(b).map(width_mm)),
    }
}

/// A block as a line to compare: what a reader sees and what the source
/// asks, without the spans (the files differ) nor a picture's file name
/// (the import names the pictures it extracts itself).
fn block(b: &Block, other: Option<&Block>, original: bool, beside: bool) -> String {
    match b {
        Block::Label(t) => format!("栏目 {}", show(t)),
        Block::Title {
            lead,
            lines,
            subtitle,
            byline,
        } => format!(
            "标题 引题={:?} 行={:?} 副题={:?} 署名={:?}",
            lead.as_ref().map(show),
            title(lines),
            subtitle.as_ref().map(show),
            byline.iter().map(show).collect::<Vec<_>>(),
        ),
        // The export labels an unlabelled note `编者按：` as the PDF
        // prints it, and the import keeps the label it reads: a note is
        // compared without the label it opens with, which the PDF prints
        // the same with or without.
        Block::Note(paras) => {
            let mut texts: Vec<String> = paras.iter().map(show).collect();
            if let Some(first) = texts.first_mut() {
                for label in ["编者按：", "编者按:", "**编者按：**", "**编者按**："]
                {
                    if let Some(rest) = first.strip_prefix(label) {
                        *first = rest.to_string();
                        break;
                    }
                }
            }
            format!("按语 {texts:?}")
        }
        Block::Heading {
            level,
            ordinal,
            head,
            rest,
        } => format!(
            "标题{} {ordinal} {} | {:?}",
            *level as u8,
            show(head),
            rest.as_ref().map(show)
        ),
        Block::Paragraph(t) => format!("段 {}", show(t)),
        Block::Picture {
            caption, width: w, ..
        } => {
            let theirs = match other {
                Some(Block::Picture { width, .. }) => width.as_ref().map(|w| &w.value),
                _ => None,
            };
            let mine = w.as_ref().map(|w| &w.value);
            let (o, i) = if original {
                (mine, theirs)
            } else {
                (theirs, mine)
            };
            format!(
                "图 {} {}{}",
                show(caption),
                width(o, i),
                if beside { " 并排" } else { "" }
            )
        }
        Block::Table(t) => {
            let rows: Vec<Vec<String>> = t
                .rows
                .iter()
                .map(|r| {
                    r.cells
                        .iter()
                        .map(|c| match c {
                            Cell::Text(t) => show(t),
                            Cell::JoinLeft(_) => "<".to_string(),
                            Cell::JoinUp(_) => "^".to_string(),
                        })
                        .collect()
                })
                .collect();
            // The fixtures' publications rule tables in full by default
            // (`[table] style`): a table that asks nothing is a grid.
            let style = t.style.as_ref().map_or(TableStyle::Grid, |s| s.value);
            // `:---` on a column of text, `---:` on a column of figures
            // print as nothing asked (text stands left, figures right):
            // the .docx has the same cells.
            let figure = |x: &String| {
                x.chars().any(|c| c.is_ascii_digit())
                    && x.chars()
                        .all(|c| c.is_ascii_digit() || ".,%+-‰％－—～~()（）".contains(c))
            };
            let body = |c: usize| {
                rows.iter()
                    .skip(t.header_rows)
                    .filter_map(move |r| r.get(c))
                    .filter(|x| !x.is_empty() && *x != "<" && *x != "^")
            };
            let align: Vec<ColumnAlign> = (0..t.align.len())
                .map(|c| match t.align[c] {
                    ColumnAlign::Left if !body(c).any(figure) => ColumnAlign::Auto,
                    ColumnAlign::Right if body(c).all(figure) => ColumnAlign::Auto,
                    a => a,
                })
                .collect();
            format!(
                "表 {:?} {style:?} 对齐{align:?} 表头{} {rows:?} 注={:?}",
                t.caption.as_ref().map(show),
                t.header_rows,
                t.notes.iter().map(show).collect::<Vec<_>>()
            )
        }
        Block::AttachmentNote(n) => format!(
            "附件说明 {:?}",
            n.items
                .iter()
                .map(|i| (i.number.as_ref().map(|n| n.value), show(&i.name)))
                .collect::<Vec<_>>()
        ),
        Block::Attachment(a) => format!("附件 {} {:?}", a.printed_mark(), title(&a.title)),
    }
}

/// A title's lines as one text. The export breaks a title where the PDF
/// does, in one paragraph with line breaks, and the import makes each
/// printed line a `#` line: the PDF's lines, kept. Whether the source
/// had one `#` line broken by meaning or the same lines typed is not in
/// the .docx; the text and its order are.
/// A break the PDF makes at a blank (`坚持底线思维　强化责任担当`) takes
/// the blank: blanks are left out.
fn title(lines: &[Text]) -> String {
    lines
        .iter()
        .map(show)
        .collect::<String>()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The front matter's values that must come back: the date, 总期号,
/// 共印份数 and the 报/送/发 lists.
fn front(issue: &Issue) -> Vec<String> {
    let f = &issue.front;
    let mut out = vec![
        format!("date {}", f.date.value),
        format!("total {:?}", f.total.as_ref().map(|t| t.value)),
        format!("copies {:?}", f.copies),
    ];
    for (key, _, list) in f.distribution.lists() {
        out.push(format!(
            "{key} {:?}",
            list.iter().map(|s| s.value.as_str()).collect::<Vec<_>>()
        ));
    }
    out
}

/// Each issue of `publication` built as a .docx and imported back; the
/// differences, by issue.
fn round_trip(publication: &Path) -> Vec<String> {
    let built = copy_publication(publication);
    let o = jianbao(built.path(), &["build", "--format", "docx"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut failures = Vec::new();
    for issue in issue_files(built.path()) {
        let docx = built
            .path()
            .join("out")
            .join(issue.strip_prefix("issues").unwrap())
            .with_extension("docx");
        assert!(docx.exists(), "no {}", docx.display());
        let fresh = copy_publication(publication);
        let before = issue_files(fresh.path());
        let o = jianbao(
            fresh.path(),
            &["import", docx.to_str().unwrap(), "--number", NUMBER],
        );
        assert!(
            o.status.success(),
            "{}: import failed: {}",
            issue.display(),
            stderr(&o)
        );
        let new: Vec<_> = issue_files(fresh.path())
            .into_iter()
            .filter(|p| !before.contains(p))
            .collect();
        assert_eq!(new.len(), 1, "{}: written {new:?}", issue.display());
        // In the folder of its year, as the original.
        assert_eq!(
            new[0].parent(),
            issue.parent(),
            "{}: imported as {}",
            issue.display(),
            new[0].display()
        );
        let original = parse(&built.path().join(&issue));
        let imported = parse(&fresh.path().join(&new[0]));
        let (a, b) = (front(&original), front(&imported));
        let (c, d): (Vec<_>, Vec<_>) = (
            (0..original.body.len())
                .map(|k| {
                    let beside = beside(&original, k);
                    block(&original.body[k], imported.body.get(k), true, beside)
                })
                .collect(),
            (0..imported.body.len())
                .map(|k| {
                    let beside = beside(&imported, k);
                    block(&imported.body[k], original.body.get(k), false, beside)
                })
                .collect(),
        );
        if a != b || c != d {
            let text = std::fs::read_to_string(fresh.path().join(&new[0])).unwrap();
            failures.push(format!(
                "{}:\n  front  {a:?}\n  back   {b:?}\n{}\n--- imported file:\n{text}",
                issue.display(),
                diff(&c, &d)
            ));
        }
    }
    failures
}

/// Block `k` is a picture on the line right under the picture before it:
/// the two stand side by side.
fn beside(issue: &Issue, k: usize) -> bool {
    k > 0
        && jianbao::compose::picture::adjacent(
            &issue.source.text,
            &issue.body[k - 1],
            &issue.body[k],
        )
}

/// The blocks that differ, as `-` original and `+` imported lines.
fn diff(a: &[String], b: &[String]) -> String {
    let mut out = String::new();
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i), b.get(i));
        if x != y {
            out.push_str(&format!("  - {x:?}\n  + {y:?}\n"));
        }
    }
    out
}

fn assert_round_trips(publication: &Path) {
    let failures = round_trip(publication);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn features() {
    assert_round_trips(&fixture("features"));
}

#[test]
fn tables() {
    assert_round_trips(&fixture("tables"));
}

#[test]
fn pictures() {
    assert_round_trips(&fixture("pictures"));
}

#[test]
fn attachments() {
    assert_round_trips(&fixture("attachments"));
}

#[test]
fn landscape() {
    assert_round_trips(&fixture("landscape"));
}

#[test]
fn this_repositorys_issue_4() {
    assert_round_trips(&repo());
}

/// Every other publication under `tests/fixtures/` (the composer's, the
/// proof-readers', the hostile ones …): what a typesetter's corpus holds.
#[test]
fn every_other_fixture() {
    let named = ["features", "tables", "pictures", "attachments", "landscape"];
    let mut failures = Vec::new();
    let mut tried = 0;
    for e in std::fs::read_dir(repo().join("tests/fixtures"))
        .unwrap()
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if named.contains(&name.as_str()) || !e.path().join("jianbao.toml").exists() {
            continue;
        }
        tried += 1;
        failures.extend(
            round_trip(&e.path())
                .into_iter()
                .map(|f| format!("{name}/{f}")),
        );
    }
    assert!(tried >= 10, "only {tried} fixtures");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// An editor's note of two paragraphs, with emphasis in it: the export
/// labels the first paragraph only.
#[test]
fn a_note_of_two_paragraphs() {
    let dir = copy_publication(&fixture("features"));
    let path = dir.path().join("issues/2023/001.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let one = "> 本期刊发两篇工作动态，供各单位学习借鉴。\n";
    assert!(text.contains(one), "the fixture's note changed");
    let two = "> 本期刊发两篇工作动态，供各单位学习借鉴。\n> 请各单位**结合实际**抓好落实。\n";
    std::fs::write(&path, text.replace(one, two)).unwrap();
    let failures = round_trip(dir.path());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
