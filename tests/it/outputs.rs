//! The other outputs: PNG pages, PDF/A, the exported Typst project (compiled
//! here by the typst crate with a plain folder world, as stock typst would),
//! and an office's own layout (ejected, edited, broken, importing a package).

use std::path::{Path, PathBuf};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::common::*;

fn build(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = jianbao(dir, args);
    assert!(out.status.success(), "{args:?} failed:\n{}", stderr(&out));
    out
}

/// Width, height and RGBA pixels of a PNG.
fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    assert_eq!(info.color_type, png::ColorType::Rgba, "expanded to RGBA");
    (info.width, info.height, buf)
}

#[test]
fn png_pages_one_per_page_at_the_requested_ppi() {
    let dir = copy_publication(&repo());
    let pages = layout(dir.path(), "4").pages().len();
    // A stale page of a longer earlier version goes.
    std::fs::create_dir_all(dir.path().join("out")).unwrap();
    let stale = dir.path().join(format!("out/004-{}.png", pages + 1));
    std::fs::write(&stale, b"old").unwrap();
    let own = dir.path().join("out/004-封面.png");
    std::fs::write(&own, b"the office's").unwrap();

    let out = build(
        dir.path(),
        &["build", "4", "--format", "png", "--ppi", "100"],
    );
    assert!(
        stderr(&out).contains(&format!("out/004-{pages}.png")),
        "{}",
        stderr(&out)
    );
    // A page picture of an earlier, longer version is named, not removed
    // (`--out` may be any folder; it may be the office's own file).
    assert_eq!(std::fs::read(&stale).unwrap(), b"old");
    let said = format!(
        "out/004-{}.png 不是这一版的页面（这一版 {pages} 页）",
        pages + 1
    );
    assert!(stderr(&out).contains(&said), "{}", stderr(&out));
    assert!(!dir.path().join("out/004.pdf").exists(), "png wrote a PDF");
    // A4 at 100 ppi: 595.28 × 841.89 pt.
    let (w, h) = (
        (595.28_f64 / 72.0 * 100.0).round(),
        (841.89_f64 / 72.0 * 100.0).round(),
    );
    let mut first = Vec::new();
    for n in 1..=pages {
        let bytes = std::fs::read(dir.path().join(format!("out/004-{n}.png"))).unwrap();
        let (pw, ph, rgba) = decode_png(&bytes);
        assert_eq!((f64::from(pw), f64::from(ph)), (w, h), "page {n}");
        let pixels: Vec<&[u8]> = rgba.chunks(4).collect();
        let inked = pixels
            .iter()
            .filter(|p| p[0] < 128 && p[1] < 128 && p[2] < 128)
            .count();
        assert!(
            inked * 200 > pixels.len(),
            "page {n} is nearly blank: {inked} dark pixels of {}",
            pixels.len()
        );
        if n == 1 {
            // The red masthead.
            let red = pixels
                .iter()
                .filter(|p| p[0] > 200 && p[1] < 120 && p[2] < 120)
                .count();
            assert!(red > 1000, "page 1 has {red} red pixels");
            first = bytes;
        }
    }
    // Deterministic, and the default is 150 ppi.
    build(
        dir.path(),
        &["build", "4", "--format", "png", "--ppi", "100"],
    );
    assert_eq!(
        std::fs::read(dir.path().join("out/004-1.png")).unwrap(),
        first
    );
    build(dir.path(), &["build", "4", "--format", "png"]);
    let (w150, _, _) = decode_png(&std::fs::read(dir.path().join("out/004-1.png")).unwrap());
    assert_eq!(f64::from(w150), (595.28_f64 / 72.0 * 150.0).round());

    // Ten pages or more: two-digit page numbers; the one-digit names of
    // the shorter version are named as not this version's.
    let text = std::fs::read_to_string(dir.path().join("issues/004.md")).unwrap();
    let body = text.split("+++").nth(2).unwrap();
    std::fs::write(
        dir.path().join("issues/004.md"),
        format!("{text}{body}{body}"),
    )
    .unwrap();
    let long = build(
        dir.path(),
        &["build", "4", "--format", "png", "--ppi", "30"],
    );
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("004-") && n.len() == "004-01.png".len())
        .collect();
    names.sort();
    assert!(names.len() >= 11, "{names:?}");
    assert_eq!(names[0], "004-01.png", "{names:?}");
    assert_eq!(names[9], "004-10.png", "{names:?}");
    let said = format!(
        "out/004-1.png … out/004-{}.png（{} 个） 不是这一版的页面",
        pages + 1,
        pages + 1
    );
    assert!(stderr(&long).contains(&said), "{}", stderr(&long));
    assert_eq!(std::fs::read(&own).unwrap(), b"the office's");

    let bad = jianbao(dir.path(), &["build", "4", "--ppi", "100"]);
    assert_eq!(bad.status.code(), Some(2), "--ppi without png");
    assert!(stderr(&bad).contains("--format png"), "{}", stderr(&bad));
}

/// Every stream of a PDF, decompressed, as text.
fn streams(pdf: &lopdf::Document) -> Vec<String> {
    pdf.objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .map(|s| {
            let data = s
                .decompressed_content()
                .unwrap_or_else(|_| s.content.clone());
            String::from_utf8_lossy(&data).into_owned()
        })
        .collect()
}

fn catalog(pdf: &lopdf::Document) -> &lopdf::Dictionary {
    pdf.catalog().unwrap()
}

/// `qpdf --check`.
fn qpdf_check(path: &Path) {
    let out = std::process::Command::new("qpdf")
        .arg("--check")
        .arg(path)
        .output()
        .expect("run qpdf");
    assert!(
        out.status.success(),
        "qpdf --check {}:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn pdf_a_2b_carries_its_identification_and_passes_the_checks() {
    // The repository's issue, and the features fixture with a picture and
    // the standard set in jianbao.toml.
    let plain = copy_publication(&repo());
    build(plain.path(), &["build", "4", "--pdf-standard", "a-2b"]);
    let features = copy_publication(&fixture("features"));
    let toml = features.path().join("jianbao.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str("\n[output]\npdf_standard = \"a-2b\"\n");
    std::fs::write(&toml, text).unwrap();
    build(features.path(), &["build"]);

    for path in [
        plain.path().join("out/004.pdf"),
        features.path().join("out/2023/001.pdf"),
    ] {
        let bytes = std::fs::read(&path).unwrap();
        let pdf = lopdf::Document::load_mem(&bytes).unwrap();
        let metadata = catalog(&pdf)
            .get(b"Metadata")
            .and_then(lopdf::Object::as_reference)
            .expect("XMP metadata");
        let xmp = pdf.get_object(metadata).unwrap().as_stream().unwrap();
        let xmp = String::from_utf8_lossy(&xmp.content);
        assert!(
            xmp.contains("<pdfaid:part>2</pdfaid:part>")
                && xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
            "no PDF/A-2b identification in {}",
            path.display()
        );
        let intents = catalog(&pdf)
            .get(b"OutputIntents")
            .expect("an output intent");
        let intent = match pdf.dereference(intents).unwrap().1 {
            lopdf::Object::Array(a) => pdf.dereference(&a[0]).unwrap().1.as_dict().unwrap(),
            _ => panic!("OutputIntents is not an array"),
        };
        assert_eq!(intent.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFA1");
        // No device CMYK: the red is sRGB here.
        let all = streams(&pdf).concat();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("DeviceCMYK") && !all.contains("DeviceCMYK")
        );
    }

    // The default PDF is as before: no PDF/A claim, CMYK red.
    build(plain.path(), &["build", "4"]);
    let bytes = std::fs::read(plain.path().join("out/004.pdf")).unwrap();
    let pdf = lopdf::Document::load_mem(&bytes).unwrap();
    assert!(catalog(&pdf).get(b"OutputIntents").is_err());
    let red = flatten(&layout(plain.path(), "4"));
    assert!(
        red.lines.iter().any(|l| l.red),
        "the default red is CMYK 0/80/80/0"
    );
}

#[test]
fn every_standard_typst_offers_builds_and_a_wrong_one_is_an_error() {
    let dir = copy_publication(&fixture("features"));
    for standard in ["a-2u", "a-3b", "a-1b", "a-4", "ua-1", "2.0"] {
        build(dir.path(), &["build", "--pdf-standard", standard]);
    }
    let bad = jianbao(dir.path(), &["build", "--pdf-standard", "a-9"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("a-2b"), "{}", stderr(&bad));

    let toml = dir.path().join("jianbao.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str("\n[output]\npdf_standard = \"pdf/a\"\n");
    std::fs::write(&toml, text).unwrap();
    let out = jianbao(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("jianbao.toml:11:16: error[bad-pdf-standard]"),
        "{err}"
    );
    assert!(err.contains("help:") && err.contains("a-2b"), "{err}");
}

/// A plain folder world, as stock `typst compile --font-path fonts
/// main.typ` sees the exported project: its files, and the fonts in
/// fonts/ only.
struct FolderWorld {
    root: PathBuf,
    main: FileId,
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

impl FolderWorld {
    fn new(root: &Path) -> Self {
        let mut fonts = Vec::new();
        for entry in std::fs::read_dir(root.join("fonts")).unwrap() {
            let data = Bytes::new(std::fs::read(entry.unwrap().path()).unwrap());
            fonts.extend(Font::iter(data));
        }
        Self {
            root: root.to_path_buf(),
            main: id("/main.typ"),
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    }

    fn read(&self, id: FileId) -> FileResult<Vec<u8>> {
        let path = self.root.join(id.vpath().get_without_slash());
        std::fs::read(&path).map_err(|e| FileError::from_io(e, &path))
    }
}

fn id(path: &str) -> FileId {
    FileId::new(RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).unwrap(),
    ))
}

impl World for FolderWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }
    fn main(&self) -> FileId {
        self.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        let text = String::from_utf8(self.read(id)?).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text))
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.read(id).map(Bytes::new)
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }
    fn today(&self, _: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}

fn compile_folder(root: &Path) -> PagedDocument {
    let world = FolderWorld::new(root);
    let result = typst::compile::<PagedDocument>(&world);
    // Not a word from typst either: every family the layout data names
    // for a role is among the exported fonts.
    let warnings: Vec<_> = result.warnings.iter().map(|w| &w.message).collect();
    assert!(warnings.is_empty(), "typst warns: {warnings:?}");
    result
        .output
        .unwrap_or_else(|e| panic!("the exported project does not compile: {e:?}"))
}

/// Same pages: the same glyphs with the same text, font, size and
/// position, and the same rules.
fn assert_same_pages(ours: &PagedDocument, theirs: &PagedDocument) {
    let (a, b) = (flatten(ours), flatten(theirs));
    assert_eq!(a.pages, b.pages, "page count");
    assert_eq!(a.glyphs.len(), b.glyphs.len(), "glyph count");
    for (x, y) in a.glyphs.iter().zip(&b.glyphs) {
        assert!(
            x.page == y.page
                && x.text == y.text
                && x.family == y.family
                && x.size_pt == y.size_pt
                && (x.x - y.x).abs() < 1e-6
                && (x.y - y.y).abs() < 1e-6,
            "differs:\n  jianbao {x:?}\n  stock   {y:?}"
        );
    }
    assert_eq!(a.lines.len(), b.lines.len(), "rules");
    assert!(a.glyphs.len() > 300, "only {} glyphs", a.glyphs.len());
}

/// Text of every page of a PDF the Python `typst` package (a stock
/// compiler) makes of the project.
fn python_typst_text(project: &Path) -> Vec<String> {
    let pdf = project.join("stock.pdf");
    let script = "import sys, typst; typst.compile('main.typ', output='stock.pdf', font_paths=['fonts'], ignore_system_fonts=True)";
    let o = std::process::Command::new("python3")
        .args(["-c", script])
        .current_dir(project)
        .output()
        .expect("run python3");
    assert!(
        o.status.success(),
        "python typst failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    pdf_text(&std::fs::read(&pdf).unwrap())
}

#[test]
#[cfg_attr(not(has_qpdf), ignore = "qpdf is not installed (apt-get install qpdf)")]
fn pdf_a_2b_passes_qpdf_check() {
    let plain = copy_publication(&repo());
    build(plain.path(), &["build", "4", "--pdf-standard", "a-2b"]);
    let features = copy_publication(&fixture("features"));
    build(features.path(), &["build", "--pdf-standard", "a-2b"]);
    qpdf_check(&plain.path().join("out/004.pdf"));
    qpdf_check(&features.path().join("out/2023/001.pdf"));
}

#[test]
fn export_is_a_project_stock_typst_turns_into_the_same_pages() {
    for (publication, issue) in [
        (repo(), "4"),
        (fixture("features"), "2023/1"),
        (fixture("multi"), "7"),
    ] {
        let dir = copy_publication(&publication);
        let target = tempfile::tempdir().unwrap();
        let project = target.path().join("project");
        let out = build(dir.path(), &["export", issue, project.to_str().unwrap()]);
        assert!(stderr(&out).contains("typst compile --font-path fonts"));
        for file in ["main.typ", "issue.json", "fonts/FandolFang-Regular.otf"] {
            assert!(project.join(file).is_file(), "{file} missing");
        }
        // The fonts are jianbao's files, byte for byte.
        assert_eq!(
            std::fs::read(project.join("fonts/FandolFang-Regular.otf")).unwrap(),
            std::fs::read(repo().join("fonts/FandolFang-Regular.otf")).unwrap()
        );
        if issue == "2023/1" {
            assert!(project.join("images/meeting.png").is_file(), "the picture");
        }
        if issue == "7" {
            // “2024年” in a bold title: typst picks the family's bold face.
            assert!(project.join("fonts/LiberationSerif-Bold.ttf").is_file());
        }
        let ours = layout(dir.path(), issue);
        assert_same_pages(&ours, &compile_folder(&project));
        // An existing project is never written over.
        let again = jianbao(dir.path(), &["export", issue, project.to_str().unwrap()]);
        assert_eq!(again.status.code(), Some(2));
        assert!(stderr(&again).contains("不是空的"), "{}", stderr(&again));
    }
}

#[test]
#[cfg_attr(
    not(has_python_typst),
    ignore = "the Python typst package is not installed (pip install typst)"
)]
fn stock_typst_prints_the_same_text_from_the_export() {
    for (publication, issue, id) in [
        (repo(), "4", "004"),
        (fixture("features"), "2023/1", "2023/001"),
        (fixture("multi"), "7", "007"),
    ] {
        let dir = copy_publication(&publication);
        let target = tempfile::tempdir().unwrap();
        let project = target.path().join("project");
        build(dir.path(), &["export", issue, project.to_str().unwrap()]);
        let stock = python_typst_text(&project);
        build(dir.path(), &["build", issue]);
        let built = std::fs::read(dir.path().join(format!("out/{id}.pdf"))).unwrap();
        assert_eq!(stock, pdf_text(&built), "the stock compiler's text");
    }
}

/// The publication with the built-in layout ejected and configured.
fn with_ejected_layout() -> tempfile::TempDir {
    let dir = copy_publication(&repo());
    let out = build(dir.path(), &["layout", "--eject"]);
    assert!(
        stderr(&out).contains("layout = \"layouts/bulletin.typ\""),
        "{}",
        stderr(&out)
    );
    let layout = dir.path().join("layouts/bulletin.typ");
    // The layout in the repository, which the binary embeds.
    assert_eq!(
        std::fs::read_to_string(&layout).unwrap(),
        std::fs::read_to_string(repo().join("layouts/bulletin.typ")).unwrap()
    );
    let again = jianbao(dir.path(), &["layout", "--eject"]);
    assert_eq!(again.status.code(), Some(2), "ejecting over a layout");
    let toml = dir.path().join("jianbao.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let text = text.replace(
        "[output]\n",
        "[output]\nlayout = \"layouts/bulletin.typ\"\n",
    );
    std::fs::write(&toml, text).unwrap();
    dir
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "`{from}` not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn an_ejected_layout_is_used_and_an_edit_changes_the_pages() {
    let dir = with_ejected_layout();
    let plain = copy_publication(&repo());
    let builtin = layout(plain.path(), "4");
    assert_same_pages(&builtin, &layout(dir.path(), "4"));
    let out = build(dir.path(), &["layout"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("layouts/bulletin.typ"));

    // The office makes the name smaller.
    let file = dir.path().join("layouts/bulletin.typ");
    edit(
        &file,
        "size: it.size * 1pt,",
        "size: if it.size == 42 { 30pt } else { it.size * 1pt },",
    );
    let name = |doc: &PagedDocument| {
        flatten(doc)
            .glyphs
            .iter()
            .find(|g| g.text == "简")
            .map(|g| g.size_pt)
            .unwrap()
    };
    assert_eq!(name(&builtin), 42.0);
    assert_eq!(name(&layout(dir.path(), "4")), 30.0);
    build(dir.path(), &["build", "4"]);

    // --layout overrides jianbao.toml; the layout may import a module of
    // its own folder, and export carries it beside main.typ.
    let other = dir.path().join("layouts/other.typ");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        dir.path().join("layouts/sizes.typ"),
        "#let name-size = 36pt\n",
    )
    .unwrap();
    std::fs::write(
        &other,
        format!(
            "#import \"sizes.typ\": name-size\n{}",
            text.replace("{ 30pt }", "{ name-size }")
        ),
    )
    .unwrap();
    build(dir.path(), &["build", "4", "--layout", "layouts/other.typ"]);
    let target = tempfile::tempdir().unwrap();
    let project = target.path().join("p");
    build(
        dir.path(),
        &[
            "export",
            "4",
            project.to_str().unwrap(),
            "--layout",
            "layouts/other.typ",
        ],
    );
    assert!(project.join("sizes.typ").is_file(), "the imported module");
    assert_eq!(name(&compile_folder(&project)), 36.0);
}

#[test]
fn a_broken_layout_reports_typst_s_diagnostic_and_keeps_the_pdf() {
    let dir = with_ejected_layout();
    build(dir.path(), &["build", "4"]);
    let pdf = std::fs::read(dir.path().join("out/004.pdf")).unwrap();
    let file = dir.path().join("layouts/bulletin.typ");
    let broken = "#let pitch = g.pitch * 1mm + nope";
    edit(&file, "#let pitch = g.pitch * 1mm", broken);
    let line = std::fs::read_to_string(repo().join("layouts/bulletin.typ"))
        .unwrap()
        .lines()
        .position(|l| l.starts_with("#let pitch"))
        .unwrap()
        + 1;
    let column = broken.find("nope").unwrap() + 1;
    let out = jianbao(dir.path(), &["build", "4"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "layouts/bulletin.typ:{line}:{column}: error[layout]: unknown variable: nope"
        )),
        "{err}"
    );
    assert!(err.contains(broken) && err.contains("^^^^"), "{err}");
    assert_eq!(
        std::fs::read(dir.path().join("out/004.pdf")).unwrap(),
        pdf,
        "the good PDF"
    );
}

#[test]
fn a_package_import_is_an_offline_error_naming_the_package() {
    let dir = with_ejected_layout();
    let file = dir.path().join("layouts/bulletin.typ");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        format!("#import \"@preview/cetz:0.3.4\": canvas\n{text}"),
    )
    .unwrap();
    let out = jianbao(dir.path(), &["build", "4"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("layouts/bulletin.typ:1:9: error[layout]"),
        "{err}"
    );
    assert!(
        err.contains("@preview/cetz:0.3.4") && err.contains("不联网"),
        "{err}"
    );
    assert!(err.contains("help:"), "{err}");
    assert!(!dir.path().join("out/004.pdf").exists());
}

#[test]
fn a_layout_reads_its_own_folder_only() {
    let dir = with_ejected_layout();
    let file = dir.path().join("layouts/bulletin.typ");
    let text = std::fs::read_to_string(&file).unwrap();
    // Inside the publication but outside the layout's folder: refused.
    std::fs::write(
        &file,
        format!("#let secret = read(\"/jianbao.toml\")\n{text}"),
    )
    .unwrap();
    let out = jianbao(dir.path(), &["build", "4"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("access denied"), "{}", stderr(&out));
    // A link out of the publication: refused too.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc/hostname", dir.path().join("layouts/host.txt")).unwrap();
        std::fs::write(&file, format!("#let secret = read(\"host.txt\")\n{text}")).unwrap();
        let out = jianbao(dir.path(), &["build", "4"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    }
    // A layout outside the publication is refused before anything runs.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("x.typ"), text).unwrap();
    let out = jianbao(
        dir.path(),
        &[
            "build",
            "4",
            "--layout",
            outside.path().join("x.typ").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("不在简报文件夹里"),
        "{}",
        stderr(&out)
    );
}

/// Every key of the data and every kind of row, found in real data.
fn keys(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                if k == "kind" || k == "role" || k == "face" {
                    out.extend(v.as_str().map(String::from));
                }
                keys(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[test]
fn issue_json_is_documented() {
    let doc = std::fs::read_to_string(repo().join("docs/layout-data.md")).unwrap();
    let start = doc.find("<!-- issue.json").expect("the schema section");
    let end = start + doc[start..].find("<!-- end of issue.json").unwrap();
    let schema = &doc[start..end];
    for (publication, issue) in [
        (repo(), "4"),
        (fixture("features"), "2023/1"),
        (fixture("tables"), "2"),
    ] {
        let dir = copy_publication(&publication);
        let options = jianbao::publication::Options::new(
            chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        );
        let p = jianbao::publication::Publication::load(dir.path(), &options).unwrap();
        let entry = &p.issues[p.resolve(issue).unwrap()];
        let builder = jianbao::archive::Builder::new(&p).unwrap();
        let laid = builder.layout(entry.issue.as_ref().unwrap()).unwrap();
        let data: serde_json::Value = serde_json::from_slice(&laid.issue_json()).unwrap();
        let mut found = Vec::new();
        keys(&data, &mut found);
        for key in found {
            assert!(
                schema.contains(&format!("`{key}`")),
                "`{key}` of /issue.json is not documented in docs/layout-data.md"
            );
        }
    }
}
