//! The .docx of `jianbao build --format docx` as an office opens it:
//! converted to PDF by LibreOffice (`soffice --headless --convert-to
//! pdf`, Debian's `libreoffice-writer-nogui`) and read back with
//! poppler's `pdftotext`. For this repository's issue 4 and the fixtures
//! with tables, pictures, attachments, a landscape table and every construct: as many pages
//! as jianbao's own PDF, give or take one (Word and LibreOffice break
//! lines and pages themselves); every line a reader must see
//! (`tests/it/data/printed`) in order; and the body on the grid — each
//! line of 3号 text on one of 22 lines 579 twips apart, from the type
//! area's first, and every full line of Chinese text 28 characters.
//!
//! LibreOffice has none of the fonts the document names (仿宋_GB2312 …):
//! the test gives it jianbao's embedded faces under those names through a
//! fontconfig file of its own (FandolFang for 仿宋_GB2312, FandolKai for
//! 楷体_GB2312, FandolHei for 黑体, FandolSong for 宋体 and 方正小标宋简体,
//! Liberation Serif for Times New Roman), as an office has them installed.
//!
//! Without `soffice` or `pdftotext` each test is reported ignored with
//! why, never passed. Runs the built `jianbao` and does not link the
//! library.

use std::path::{Path, PathBuf};
use std::process::Command;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether `tool` runs here (`-v`: pdftotext prints its version and
/// exits with 0 or, by version, 99; soffice knows it too).
fn found(tool: &str) -> bool {
    Command::new(tool).arg("-v").output().is_ok()
}

fn main() {
    let arguments = Arguments::from_args();
    // The last: whether the issue has pages of text alone (issue 4),
    // one of which must then hold a run of 20 lines or more.
    let fixture = |name: &str| repo().join("tests/fixtures").join(name);
    let cases: Vec<(&str, PathBuf, &str, bool)> = vec![
        ("repo", repo(), "004", true),
        ("tables", fixture("tables"), "001", false),
        ("tables", fixture("tables"), "003", false),
        ("pictures", fixture("pictures"), "003", false),
        ("attachments", fixture("attachments"), "001", false),
        ("features", fixture("features"), "2023/001", false),
        ("landscape", fixture("landscape"), "002", false),
    ];
    let trials = cases
        .into_iter()
        .map(|(name, dir, id, full)| {
            let test = format!("docx_in_libreoffice_{name}_{}", id.replace('/', "_"));
            Trial::ignorable_test(test, move || {
                if !found("soffice") {
                    return Ok(Completion::ignored_with(
                        "needs LibreOffice: apt-get install -y libreoffice-writer-nogui",
                    ));
                }
                if !found("pdftotext") {
                    return Ok(Completion::ignored_with(
                        "needs pdftotext: apt-get install -y poppler-utils",
                    ));
                }
                check(name, &dir, id, full).map(|()| Completion::Completed)
            })
        })
        .collect::<Vec<_>>();
    let mut trials = trials;
    trials.push(Trial::ignorable_test(
        "an_old_doc_goes_through_libreoffice",
        || {
            if !found("soffice") {
                return Ok(Completion::ignored_with(
                    "needs LibreOffice: apt-get install -y libreoffice-writer-nogui",
                ));
            }
            old_doc().map(|()| Completion::Completed)
        },
    ));
    libtest_mimic::run(&arguments, trials).exit();
}

/// A .doc (the clerk's draft saved as Word 97–2003 by LibreOffice) is
/// imported through LibreOffice and gives the issue its .docx gives,
/// whatever its name: a second dot (`第7期.初稿.doc`) or a leading `-`
/// (which soffice would read as an option) failed before (the attack
/// review).
fn old_doc() -> Result<(), Failed> {
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let made = Command::new("soffice")
        .arg("--headless")
        .arg(format!(
            "-env:UserInstallation=file://{}/profile",
            work.path().display()
        ))
        .args(["--convert-to", "doc", "--outdir"])
        .arg(work.path())
        .arg(repo().join("tests/fixtures/docx/clerk.docx"))
        .output()
        .map_err(|e| e.to_string())?;
    if !made.status.success() {
        return Err(String::from_utf8_lossy(&made.stderr).into_owned().into());
    }
    let expected = std::fs::read_to_string(repo().join("tests/fixtures/docx/expected/clerk.md"))
        .map_err(|e| e.to_string())?;
    // The picture is encoded anew by LibreOffice: its name may differ;
    // `{today}` is the day the import runs.
    let without_pictures = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| !l.starts_with("![") && !l.starts_with("date = "))
            .map(str::to_string)
            .collect()
    };
    for name in ["clerk.doc", "第7期.初稿.doc", "-h.doc"] {
        let doc = work.path().join(name);
        if name != "clerk.doc" {
            std::fs::copy(work.path().join("clerk.doc"), &doc).map_err(|e| e.to_string())?;
        }
        let dir = work.path().join(format!("pub-{}", name.len()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        jianbao(&dir, &["init", "."])?;
        std::fs::remove_file(dir.join("issues/001.md")).map_err(|e| e.to_string())?;
        jianbao(&dir, &["import", "--", doc.to_str().unwrap()])?;
        let written = std::fs::read_to_string(dir.join("issues/001.md"))
            .map_err(|e| format!("{name}: {e}"))?;
        if without_pictures(&written) != without_pictures(&expected) {
            return Err(format!("{name}: imported\n{written}\nexpected\n{expected}").into());
        }
        if !written.contains("![图1　志愿者清理村道垃圾](images/import-1-") {
            return Err(format!("{name}: no picture\n{written}").into());
        }
    }
    Ok(())
}

/// A copy of the publication `src` in a temporary folder (its issues,
/// pictures and jianbao.toml).
fn copy(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap().flatten() {
        let name = e.file_name();
        if ["out", "target", ".git", "src", "tests", "fonts", "layouts"]
            .iter()
            .any(|s| name == *s)
        {
            continue;
        }
        let to = dst.join(&name);
        if e.path().is_dir() {
            copy(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), to).unwrap();
        }
    }
}

fn jianbao(dir: &Path, args: &[&str]) -> Result<(), Failed> {
    let o = Command::new(env!("CARGO_BIN_EXE_jianbao"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| format!("jianbao: {e}"))?;
    if !o.status.success() {
        return Err(format!("jianbao {args:?}: {}", String::from_utf8_lossy(&o.stderr)).into());
    }
    Ok(())
}

/// The fontconfig file that gives LibreOffice jianbao's faces under the
/// names the document uses.
fn fonts_conf(dir: &Path) -> PathBuf {
    let aliases = [
        ("仿宋_GB2312", "FandolFang R"),
        ("楷体_GB2312", "FandolKai"),
        ("黑体", "FandolHei"),
        ("宋体", "FandolSong"),
        ("方正小标宋简体", "FandolSong"),
        ("Times New Roman", "Liberation Serif"),
    ]
    .iter()
    .map(|(name, face)| {
        format!(
            "<alias binding=\"same\"><family>{name}</family><prefer><family>{face}</family></prefer></alias>"
        )
    })
    .collect::<String>();
    let conf = format!(
        concat!(
            "<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM \"fonts.dtd\"><fontconfig>",
            "<include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>",
            "<dir>{}</dir><cachedir>{}</cachedir>{}</fontconfig>"
        ),
        repo().join("fonts").display(),
        dir.join("fc-cache").display(),
        aliases
    );
    let path = dir.join("fonts.conf");
    std::fs::write(&path, conf).unwrap();
    path
}

fn pages(pdf: &Path) -> Result<usize, Failed> {
    let o = Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .map_err(|e| format!("pdfinfo: {e}"))?;
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| format!("no page count for {}", pdf.display()).into())
}

/// One word of `pdftotext -bbox`: its page, box (pt) and text.
struct Word {
    page: usize,
    x_min: f64,
    x_max: f64,
    y_min: f64,
    y_max: f64,
    text: String,
}

impl Word {
    /// Under the type area (262 mm from the top of an upright page, a
    /// landscape one's is lower): the page number.
    fn footer(&self) -> bool {
        self.y_min > 262.0 * 72.0 / 25.4 + 2.0
            && self.y_min < 297.0 * 72.0 / 25.4
            && self.text.chars().all(|c| c == '—' || c.is_ascii_digit())
    }
}

fn words(pdf: &Path) -> Result<Vec<Word>, Failed> {
    let o = Command::new("pdftotext")
        .args(["-bbox".as_ref(), pdf.as_os_str(), "-".as_ref()])
        .output()
        .map_err(|e| format!("pdftotext: {e}"))?;
    let html = String::from_utf8_lossy(&o.stdout).into_owned();
    let mut out = Vec::new();
    let mut page = 0;
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            page += 1;
        }
        let Some(rest) = line.strip_prefix("<word ") else {
            continue;
        };
        let attr = |key: &str| -> f64 {
            let k = format!("{key}=\"");
            let v = &rest[rest.find(&k).unwrap() + k.len()..];
            v[..v.find('"').unwrap()].parse().unwrap()
        };
        let text = &rest[rest.find('>').unwrap() + 1..rest.rfind("</word>").unwrap()];
        out.push(Word {
            page,
            x_min: attr("xMin"),
            x_max: attr("xMax"),
            y_min: attr("yMin"),
            y_max: attr("yMax"),
            text: text
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&"),
        });
    }
    Ok(out)
}

/// The type area's left and right edges on an upright page, in pt (28
/// mm from the left, 156 mm wide).
const TYPE_LEFT: f64 = 28.0 * 72.0 / 25.4;
const TYPE_RIGHT: f64 = (28.0 + 156.0) * 72.0 / 25.4;

/// A line of text on a page, as `pdftotext` gives its words.
struct Line {
    foot: f64,
    body: bool,
    taller: bool,
    left: f64,
    right: f64,
    text: String,
}

/// A character compared: not a space, not punctuation.
fn kept(c: char) -> bool {
    !c.is_whitespace()
        && !c.is_ascii_punctuation()
        && !"，。、；：？！“”‘’（）《》〈〉【】—…·．".contains(c)
}

fn check(name: &str, src: &Path, id: &str, full: bool) -> Result<(), Failed> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dir = tmp.path().join("pub");
    copy(src, &dir);
    jianbao(&dir, &["build", id])?;
    jianbao(&dir, &["build", id, "--format", "docx"])?;
    let pdf = dir.join("out").join(format!("{id}.pdf"));
    let docx = dir.join("out").join(format!("{id}.docx"));
    let lo_dir = tmp.path().join("lo");
    let conf = fonts_conf(tmp.path());
    let profile = format!("file://{}", tmp.path().join("profile").display());
    let o = Command::new("soffice")
        .env("FONTCONFIG_FILE", &conf)
        .arg(format!("-env:UserInstallation={profile}"))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&lo_dir)
        .arg(&docx)
        .output()
        .map_err(|e| format!("soffice: {e}"))?;
    let lo_pdf = lo_dir.join(docx.file_name().unwrap()).with_extension("pdf");
    if !lo_pdf.is_file() {
        return Err(format!(
            "LibreOffice made no PDF of {}: {}",
            docx.display(),
            String::from_utf8_lossy(&o.stderr)
        )
        .into());
    }

    // As many pages, give or take one.
    let (ours, theirs) = (pages(&pdf)?, pages(&lo_pdf)?);
    if ours.abs_diff(theirs) > 1 {
        return Err(
            format!("{name} {id}: jianbao's PDF {ours} pages, LibreOffice's {theirs}").into(),
        );
    }

    // Every printed line in order (the page numbers between pages left
    // out; 续表 and a repeated header are the PDF's, not Word's), its
    // punctuation aside: LibreOffice 7.4 hangs a mark that ends a full
    // line (行家里手，) outside the type area, and on a line grid alone
    // (`w:type="lines"`) it did not draw it.
    let words = words(&lo_pdf)?;
    let text: String = words
        .iter()
        .filter(|w| !w.footer())
        .map(|w| w.text.as_str())
        .collect::<String>()
        .chars()
        .filter(|c| kept(*c))
        .collect();
    let expected = std::fs::read_to_string(
        repo()
            .join("tests/it/data/printed")
            .join(name)
            .join(format!("{id}.txt")),
    )
    .map_err(|e| e.to_string())?;
    let (mut at, mut before) = (0, 0);
    let mut seen = std::collections::HashSet::new();
    for line in expected.lines() {
        let line: String = line.chars().filter(|c| kept(*c)).collect();
        if line.is_empty() || line.starts_with("续表") {
            continue;
        }
        if let Some(i) = text[at..].find(&line) {
            before = at + i;
            at += i + line.len();
            seen.insert(line);
        } else if !text[..before].ends_with(&line) && !seen.contains(&line) {
            let around: String = text[..at]
                .chars()
                .rev()
                .take(30)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            return Err(format!("{name} {id}: `{line}` not found in order after …{around}").into());
        }
    }

    // The body on the grid: the lines of 3号 text (the boxes 16 pt type
    // makes) that follow each other with nothing else between them (a
    // title, a table or a picture takes its own height) stand a whole
    // number of 579 twips (28.95 pt) apart; no such run of a page spans
    // more than 22 lines, and some page's spans 20 or more.
    const PITCH: f64 = 579.0 / 20.0;
    let mut fullest = 0;
    let mut full_lines = 0;
    for page in 1..=theirs {
        // Each text line of the page: its foot, whether it is body and
        // whether taller type is on it, its left and right ends and its
        // text.
        let mut lines: Vec<Line> = Vec::new();
        let mut on_page: Vec<&Word> = words.iter().filter(|w| w.page == page).collect();
        on_page.sort_by(|a, b| {
            a.y_max
                .total_cmp(&b.y_max)
                .then(a.x_min.total_cmp(&b.x_min))
        });
        for w in on_page {
            if w.footer() {
                continue;
            }
            // A CJK word of 3号 makes a box of 20.8 pt; a Latin word or
            // a smaller size a lower one; larger type a taller one.
            let height = w.y_max - w.y_min;
            let (body, taller) = ((height - 16.0 * 1.3).abs() < 1.5, height > 22.5);
            match lines.last_mut() {
                Some(l) if (w.y_max - l.foot).abs() < 2.0 => {
                    l.body |= body;
                    l.taller |= taller;
                    l.left = l.left.min(w.x_min);
                    l.right = l.right.max(w.x_max);
                    l.text += &w.text;
                }
                _ => lines.push(Line {
                    foot: w.y_max,
                    body,
                    taller,
                    left: w.x_min,
                    right: w.x_max,
                    text: w.text.clone(),
                }),
            }
        }
        // 28 characters a line: a line of 3号 Chinese text alone (Latin
        // letters and digits are narrower) that starts at the type area's
        // left edge and reaches its right one holds 28 characters inside
        // it; a punctuation mark LibreOffice hangs outside the right edge
        // is not counted; a line holds 27 when the next begins with an
        // opening mark (“ （ 《), which may not end a line. (A line of 27
        // characters spread to the width, or of 14 on a character grid
        // of two cells each, fails.)
        for (i, l) in lines.iter().enumerate() {
            if !l.body || l.taller || l.text.chars().any(|c| c.is_ascii()) {
                continue;
            }
            let at_left = (l.left - TYPE_LEFT).abs() < 2.0;
            let at_right = l.right > TYPE_RIGHT - 2.0;
            if !(at_left && at_right) {
                continue;
            }
            let mut inside = l.text.chars().count();
            let hanging = l.text.chars().last().is_some_and(|c| !kept(c));
            if l.right > TYPE_RIGHT + 2.0 && hanging {
                inside -= 1;
            }
            let opening_next = lines
                .get(i + 1)
                .and_then(|next| next.text.chars().next())
                .is_some_and(|c| "“‘（《〈【〔".contains(c));
            if inside != 28 && !(inside == 27 && opening_next) {
                return Err(format!(
                    "{name} {id}: page {page}: a full line of {inside} characters, not 28: {}",
                    l.text
                )
                .into());
            }
            full_lines += 1;
        }
        let lines: Vec<(f64, bool)> = lines
            .into_iter()
            .map(|l| (l.foot, l.body && !l.taller))
            .collect();
        let mut run_start: Option<f64> = None;
        let mut last: Option<f64> = None;
        for (y, body) in lines {
            if !body {
                run_start = None;
                last = None;
                continue;
            }
            let start = *run_start.get_or_insert(y);
            if let Some(prev) = last {
                let gap = (y - prev) / PITCH;
                if (gap - gap.round()).abs() > 0.08 || gap.round() < 1.0 {
                    return Err(format!(
                        "{name} {id}: page {page}: a body line {:.1} pt under the one above, not a whole number of {PITCH} pt lines",
                        y - prev
                    )
                    .into());
                }
            }
            let span = ((y - start) / PITCH).round() as usize + 1;
            if span > 22 {
                return Err(format!("{name} {id}: page {page}: more than 22 lines").into());
            }
            fullest = fullest.max(span);
            last = Some(y);
        }
    }
    if full && fullest < 20 {
        return Err(
            format!("{name} {id}: no page holds a run of 20 of its 22 lines ({fullest})").into(),
        );
    }
    // Issue 4's pages of text have dozens of full lines of Chinese alone.
    if full && full_lines < 20 {
        return Err(format!("{name} {id}: only {full_lines} full lines of 28 characters").into());
    }
    Ok(())
}
