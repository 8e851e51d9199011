//! Hostile input: pictures and fonts that would take all the memory or
//! time, links that lead out of the publication or in circles, FIFOs,
//! killed builds, closed pipes, no threads. Every case runs the real
//! binary under a watchdog that turns a hang into a failure (it measures
//! nothing: a case either finishes or is stuck), and no run may end with
//! a panic (exit 101) or a signal.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// Long enough for any of these runs on a loaded machine; only a run that
/// is stuck takes longer.
const STUCK: Duration = Duration::from_secs(300);

/// Runs `jianbao` in `dir` with `args`; a run that does not end is killed
/// and fails the test, as does a panic or a signal.
fn run(dir: &Path, args: &[&str]) -> Output {
    run_with(dir, args, |_| {})
}

fn run_with(dir: &Path, args: &[&str], setup: impl FnOnce(&mut Command)) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jianbao"));
    command
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    setup(&mut command);
    let mut child = command.spawn().expect("run jianbao");
    // Read the pipes on threads so a full pipe cannot stall the child.
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let read = |p: Option<&mut dyn std::io::Read>| {
        let mut v = Vec::new();
        if let Some(p) = p {
            let _ = p.read_to_end(&mut v);
        }
        v
    };
    let (stdout, stderr, status) = std::thread::scope(|s| {
        let o = s.spawn(|| read(out.as_mut().map(|p| p as &mut dyn std::io::Read)));
        let e = s.spawn(|| read(err.as_mut().map(|p| p as &mut dyn std::io::Read)));
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > STUCK {
                let _ = child.kill();
                let _ = child.wait();
                panic!("jianbao {args:?} is stuck (killed after {STUCK:?})");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        (o.join().unwrap(), e.join().unwrap(), status)
    });
    let output = Output {
        status,
        stdout,
        stderr,
    };
    assert_ne!(
        output.status.code(),
        Some(101),
        "jianbao {args:?} panicked:\n{}",
        stderr_of(&output)
    );
    assert!(
        output.status.code().is_some(),
        "jianbao {args:?} was killed by a signal ({:?}):\n{}",
        output.status,
        stderr_of(&output)
    );
    output
}

fn stderr_of(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A publication with the literal fixture's settings and one good issue,
/// `issues/001.md`, whose body ends with `body`.
fn publication(body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("jianbao.toml"),
        "[masthead]\ntitle = \"工作简报\"\neditor = \"办公室\"\n\n[imprint]\npublisher = \"测试办公室\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("issues")).unwrap();
    std::fs::create_dir_all(dir.path().join("images")).unwrap();
    write_issue(dir.path(), "001", 1, body);
    dir
}

fn write_issue(dir: &Path, id: &str, number: u32, body: &str) {
    let path = dir.join(format!("issues/{id}.md"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    // An issue in a year folder is dated in its year, one in issues/ in the
    // year 2020: the same number in both would otherwise print the same
    // 期号 line (an error of its own).
    let year = match id.split_once('/') {
        Some((y, _)) if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) => y,
        _ => "2020",
    };
    std::fs::write(
        path,
        format!(
            "+++\nnumber = {number}\ndate = {year}-03-05\n\n[distribution]\nfa = [\"各处室\"]\n+++\n# 工作动态\n各单位要按时报送材料。\n{body}\n"
        ),
    )
    .unwrap();
}

/// Whether `stderr` has a diagnostic with this code at `file:line:` (any
/// column).
fn has_diagnostic(stderr: &str, file: &str, line: usize, code: &str) -> bool {
    stderr
        .lines()
        .any(|l| l.starts_with(&format!("{file}:{line}:")) && l.contains(&format!("[{code}]")))
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

// ---------------------------------------------------------------------------
// Pictures
// ---------------------------------------------------------------------------

/// A PNG file of the given size, with a small valid image's pixel data
/// (what the header declares is all that matters before decoding).
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend(kind);
        out.extend(data);
        let crc = crc32(&out[start..]);
        out.extend(crc.to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    // A zlib stream of a few zero rows.
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

/// `png` with an `iCCP` colour profile that unpacks to `size` bytes.
fn png_with_colour_profile(png: &[u8], size: usize) -> Vec<u8> {
    use std::io::Write as _;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&vec![0u8; size]).unwrap();
    let mut body = b"icc\0\0".to_vec();
    body.extend(z.finish().unwrap());
    let mut chunk = (body.len() as u32).to_be_bytes().to_vec();
    chunk.extend(b"iCCP");
    chunk.extend(&body);
    chunk.extend(crc32(&chunk[4..]).to_be_bytes());
    // After the signature and the IHDR chunk (8 + 25 bytes).
    [&png[..33], &chunk[..], &png[33..]].concat()
}

/// An SVG with `png` embedded as a data URL.
fn svg_embedding(png: &[u8]) -> Vec<u8> {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut data = String::new();
    for c in png.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            data.push(if i <= c.len() {
                B64[(n >> (18 - 6 * i)) as usize & 63] as char
            } else {
                '='
            });
        }
    }
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><image width="10" height="10" xlink:href="data:image/png;base64,{data}"/></svg>"#
    )
    .into_bytes()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A small valid picture in `format`.
fn picture(format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(32, 24, image::Rgb([200, 60, 60]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

#[test]
fn a_picture_declaring_billions_of_pixels_is_an_error_at_check_time() {
    for (w, h) in [(200_000, 200_000), (60_000, 60_000), (100_000, 1)] {
        let dir = publication("![大图](images/big.png)");
        let png = png_declaring(w, h);
        assert!(png.len() < 400);
        std::fs::write(dir.path().join("images/big.png"), png).unwrap();
        let check = run(dir.path(), &["check"]);
        let err = stderr_of(&check);
        assert_eq!(check.status.code(), Some(1), "{err}");
        if u64::from(w) * u64::from(h) > 100_000_000 {
            assert!(
                has_diagnostic(&err, "issues/001.md", 10, "picture-too-large"),
                "{err}"
            );
        }
        let build = run(dir.path(), &["build"]);
        assert_eq!(build.status.code(), Some(1), "{}", stderr_of(&build));
        assert!(!dir.path().join("out/001.pdf").exists());
    }
}

#[test]
fn damaged_pictures_are_errors_at_their_place_before_build() {
    let png = picture(image::ImageFormat::Png);
    let jpeg = picture(image::ImageFormat::Jpeg);
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>"#;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("cut.png", png[..png.len() - 20].to_vec()),
        ("cut.jpg", jpeg[..jpeg.len() / 2].to_vec()),
        ("bad.svg", svg[..svg.len() - 20].to_vec()),
        (
            "linked.svg",
            br#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><image xlink:href="other.png" width="10" height="10"/></svg>"#.to_vec(),
        ),
        ("zero.png", png_declaring(0, 10)),
        ("profile.png", png_with_colour_profile(&png, 32 << 20)),
        ("embedded.svg", svg_embedding(&png_declaring(200_000, 200_000))),
        ("jpeg-named.png", jpeg.clone()),
        ("empty.jpg", Vec::new()),
        // Cut short by its last bytes: the decoder would fill in grey.
        ("cut-late.jpg", jpeg[..jpeg.len() - 2].to_vec()),
        // Under 100 megapixels, but wider than the PDF writer takes.
        ("wide.jpg", {
            let img = image::RgbImage::from_pixel(17_000, 2, image::Rgb([200, 60, 60]));
            let mut out = std::io::Cursor::new(Vec::new());
            img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
            out.into_inner()
        }),
    ];
    for (name, bytes) in cases {
        let dir = publication(&format!("![图](images/{name})"));
        std::fs::write(dir.path().join("images").join(name), bytes).unwrap();
        std::fs::write(dir.path().join("images/other.png"), &png).unwrap();
        let check = run(dir.path(), &["check"]);
        let err = stderr_of(&check);
        assert_eq!(check.status.code(), Some(1), "{name}: {err}");
        assert!(
            err.lines()
                .any(|l| l.starts_with("issues/001.md:10:") && l.contains("error[picture-")),
            "{name}: no error at the picture's place:\n{err}"
        );
        let build = run(dir.path(), &["build"]);
        let err = stderr_of(&build);
        assert_eq!(build.status.code(), Some(1), "{name}: {err}");
        assert!(
            !err.contains("layout error"),
            "{name}: build met it first:\n{err}"
        );
        assert!(!dir.path().join("out/001.pdf").exists());
    }
}

#[test]
fn good_pictures_pass_check_and_build_whatever_the_spelling_of_their_path() {
    let dir = publication(
        "![一](images/./ok.png)\n![二](images/../images/ok.jpg)\n![三](images//ok.svg)",
    );
    std::fs::write(
        dir.path().join("images/ok.png"),
        picture(image::ImageFormat::Png),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("images/ok.jpg"),
        picture(image::ImageFormat::Jpeg),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("images/ok.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="20" height="10" fill="red"/></svg>"#,
    )
    .unwrap();
    let check = run(dir.path(), &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr_of(&check));
    let build = run(dir.path(), &["build"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr_of(&build));
    assert!(dir.path().join("out/001.pdf").exists());
}

#[test]
#[cfg(unix)]
fn a_fifo_or_a_folder_named_like_a_picture_is_refused_without_blocking() {
    let dir = publication("![管道](images/pipe.png)\n![文件夹](images/dir.jpg)");
    mkfifo(&dir.path().join("images/pipe.png"));
    std::fs::create_dir(dir.path().join("images/dir.jpg")).unwrap();
    for command in ["check", "build"] {
        let out = run(dir.path(), &[command]);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            has_diagnostic(&err, "issues/001.md", 10, "picture-unreadable"),
            "{err}"
        );
        assert!(err.contains("FIFO"), "{err}");
        assert!(
            has_diagnostic(&err, "issues/001.md", 11, "picture-unreadable"),
            "{err}"
        );
    }
}

#[test]
fn a_huge_picture_file_is_refused_from_its_size_without_reading_it() {
    let dir = publication("![扫描件](images/scan.png)");
    // 1 GB, sparse: it takes no disk, but reading it would take 1 GB of memory.
    let mut f = std::fs::File::create(dir.path().join("images/scan.png")).unwrap();
    f.write_all(&png_declaring(100, 100)).unwrap();
    f.set_len(1 << 30).unwrap();
    drop(f);
    let out = run(dir.path(), &["check"]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        has_diagnostic(&err, "issues/001.md", 10, "picture-unreadable"),
        "{err}"
    );
    assert!(err.contains("太大了"), "{err}");
}

// ---------------------------------------------------------------------------
// Fonts
// ---------------------------------------------------------------------------

/// Liberation Serif with its `cmap` replaced by one whose format-12
/// subtable claims `groups` ranges of `span` code points each.
fn font_with_corrupt_cmap(groups: u32, span: u32) -> Vec<u8> {
    let mut cmap = Vec::new();
    cmap.extend([0u8, 0, 0, 1, 0, 3, 0, 10, 0, 0, 0, 12]);
    cmap.extend(12u16.to_be_bytes());
    cmap.extend(0u16.to_be_bytes());
    cmap.extend((16 + groups * 12).to_be_bytes());
    cmap.extend(0u32.to_be_bytes());
    cmap.extend(groups.to_be_bytes());
    for _ in 0..groups {
        cmap.extend(0x20u32.to_be_bytes());
        cmap.extend((0x20 + span - 1).to_be_bytes());
        cmap.extend(1u32.to_be_bytes());
    }
    let font = std::fs::read(repo().join("fonts/LiberationSerif-Regular.ttf")).unwrap();
    with_table(font, b"cmap", cmap)
}

/// Appends `toml` to the publication's jianbao.toml; returns what it held
/// before, to put back.
fn append_config(dir: &Path, toml: &str) -> String {
    let config = dir.join("jianbao.toml");
    let before = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{before}\n{toml}")).unwrap();
    before
}

fn with_font_folder(dir: &Path) {
    append_config(dir, "[fonts]\npaths = [\"fonts\"]\n");
    std::fs::create_dir_all(dir.join("fonts")).unwrap();
}

#[test]
fn a_font_with_a_corrupt_cmap_is_skipped_with_a_warning_naming_it() {
    let dir = publication("");
    with_font_folder(dir.path());
    // 1,000 ranges of 500,000 code points: typst's font-info parser would
    // collect half a billion code points (2 GB) before looking at them.
    std::fs::write(
        dir.path().join("fonts/bad.ttf"),
        font_with_corrupt_cmap(1000, 500_000),
    )
    .unwrap();
    std::fs::copy(
        repo().join("fonts/LiberationSerif-Bold.ttf"),
        dir.path().join("fonts/good.ttf"),
    )
    .unwrap();
    for command in ["check", "build"] {
        let out = run(dir.path(), &[command]);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(0), "{err}");
        assert!(
            err.lines()
                .any(|l| l.starts_with("fonts/bad.ttf:") && l.contains("warning[bad-font]")),
            "{err}"
        );
        assert!(!err.contains("good.ttf"), "{err}");
    }
    assert!(dir.path().join("out/001.pdf").exists());
}

#[test]
#[cfg(unix)]
fn a_font_folder_with_link_loops_and_a_fifo_does_not_hang() {
    let dir = publication("");
    with_font_folder(dir.path());
    let fonts = dir.path().join("fonts");
    symlink(".", fonts.join("again"));
    std::fs::create_dir(fonts.join("sub")).unwrap();
    symlink("..", fonts.join("sub/up"));
    symlink("a.ttf", fonts.join("b.ttf"));
    symlink("b.ttf", fonts.join("a.ttf"));
    mkfifo(&fonts.join("pipe.otf"));
    let out = run(dir.path(), &["check"]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("fonts/pipe.otf"), "{err}");
}

/// Liberation Serif under the family name `family`, in a `name` table of
/// its own (Windows, Unicode, US English): a face the embedded set has
/// not.
fn font_named(family: &str) -> Vec<u8> {
    let names = [
        (1u16, family.to_string()),
        (2, "Regular".to_string()),
        (4, format!("{family} Regular")),
        (6, format!("{}-Regular", family.replace(' ', ""))),
    ];
    let mut strings = Vec::new();
    let mut records = Vec::new();
    for (id, text) in &names {
        let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for field in [
            3u16,
            1,
            0x409,
            *id,
            utf16.len() as u16,
            strings.len() as u16,
        ] {
            records.extend(field.to_be_bytes());
        }
        strings.extend(utf16);
    }
    let mut name = Vec::new();
    for field in [0u16, names.len() as u16, 6 + 12 * names.len() as u16] {
        name.extend(field.to_be_bytes());
    }
    name.extend(records);
    name.extend(strings);
    with_table(
        std::fs::read(repo().join("fonts/LiberationSerif-Regular.ttf")).unwrap(),
        b"name",
        name,
    )
}

/// `font` with its table `tag` replaced by `table`, appended at the end.
fn with_table(mut font: Vec<u8>, tag: &[u8; 4], table: Vec<u8>) -> Vec<u8> {
    let tables = u16::from_be_bytes([font[4], font[5]]) as usize;
    let record = (0..tables)
        .map(|i| 12 + i * 16)
        .find(|&r| &font[r..r + 4] == tag)
        .expect("the table is in the font");
    while !font.len().is_multiple_of(4) {
        font.push(0);
    }
    let offset = font.len() as u32;
    font[record + 8..record + 12].copy_from_slice(&offset.to_be_bytes());
    font[record + 12..record + 16].copy_from_slice(&(table.len() as u32).to_be_bytes());
    font.extend(table);
    font
}

/// The system's fonts are made here: a fontconfig file (what fontdb reads
/// on Linux, through FONTCONFIG_FILE) naming one folder, holding a face of
/// a family the embedded set has not. So the test needs no font installed
/// on the machine, and none the machine has can change it.
#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "the system's fonts are set up through fontconfig, which jianbao reads on Linux"
)]
fn system_fonts_are_used_only_when_asked_for() {
    let family = "Jianbao Probe Serif";
    let system = tempfile::tempdir().unwrap();
    let folder = system.path().join("fonts");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("JianbaoProbeSerif-Regular.ttf"),
        font_named(family),
    )
    .unwrap();
    let fonts_conf = system.path().join("fonts.conf");
    std::fs::write(
        &fonts_conf,
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n\
             <fontconfig><dir>{}</dir></fontconfig>\n",
            folder.display()
        ),
    )
    .unwrap();
    let with_system = |c: &mut Command| {
        c.env("FONTCONFIG_FILE", &fonts_conf);
    };
    let dir = publication("全年GDP增长5.2%，PM2.5平均浓度下降。");
    let text = append_config(dir.path(), &format!("[fonts]\nlatin = [\"{family}\"]\n"));
    let out = run_with(dir.path(), &["check"], with_system);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(family) && err.contains("--system-fonts"),
        "{err}"
    );
    let out = run_with(dir.path(), &["--system-fonts", "fonts"], with_system);
    let said = output_of(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains(family) && !said.contains("找不到"),
        "the system's face is found and listed:\n{said}"
    );
    let out = run_with(dir.path(), &["--system-fonts", "build"], with_system);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let pdf = std::fs::read(dir.path().join("out/001.pdf")).unwrap();
    assert!(
        pdf.windows(b"JianbaoProbeSerif".len())
            .any(|w| w == b"JianbaoProbeSerif"),
        "the system's face is embedded in the PDF"
    );
    std::fs::write(
        dir.path().join("jianbao.toml"),
        format!("{text}\n[fonts]\nlatin = [\"{family}\"]\nsystem = true\n"),
    )
    .unwrap();
    let out = run_with(dir.path(), &["check"], with_system);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
}

// ---------------------------------------------------------------------------
// The publication is a sandbox
// ---------------------------------------------------------------------------

#[test]
fn an_output_folder_outside_the_publication_is_an_error() {
    let outside = tempfile::tempdir().unwrap();
    for dir_value in [
        "../elsewhere".to_string(),
        outside.path().display().to_string(),
        "out/../../x".to_string(),
    ] {
        let dir = publication("");
        append_config(dir.path(), &format!("[output]\ndir = \"{dir_value}\"\n"));
        let out = run(dir.path(), &["check"]);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            has_diagnostic(&err, "jianbao.toml", 9, "output-outside"),
            "{err}"
        );
        let out = run(dir.path(), &["build"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
        assert!(!dir.path().join("../elsewhere").exists());
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    }
}

/// An output folder that holds what jianbao reads is refused before
/// anything is written: the publication folder, `issues/` (or a folder in
/// it), the layout's or a font folder, a folder with a picture an issue
/// uses (finding N10: `dir = "images"` with `--format png` wrote page 1
/// over the issue's own `images/001-1.png`). Wherever the output goes
/// (`--out`), a picture an issue uses is never written over.
#[test]
fn an_output_folder_holding_what_jianbao_reads_is_refused() {
    let photo = picture(image::ImageFormat::Png);
    for dir_value in [
        "images",
        "./Images/",
        "",
        ".",
        "issues",
        "issues/2023",
        "layouts",
        "fonts",
    ] {
        let dir = publication("![现场照片](images/001-1.png)");
        std::fs::write(dir.path().join("images/001-1.png"), &photo).unwrap();
        std::fs::create_dir_all(dir.path().join("layouts")).unwrap();
        std::fs::create_dir_all(dir.path().join("fonts")).unwrap();
        let layout = match dir_value {
            "layouts" => "layout = \"layouts/bulletin.typ\"\n",
            _ => "",
        };
        if !layout.is_empty() {
            let out = run(dir.path(), &["layout", "--eject"]);
            assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        }
        let before = append_config(
            dir.path(),
            &format!("[output]\ndir = \"{dir_value}\"\n{layout}[fonts]\npaths = [\"fonts\"]\n"),
        );
        let line = before.lines().count() + 3;
        for command in [&["check"][..], &["build", "--format", "png"]] {
            let out = run(dir.path(), command);
            let err = stderr_of(&out);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{dir_value:?} {command:?}: {err}"
            );
            assert!(
                has_diagnostic(&err, "jianbao.toml", line, "output-in-use"),
                "{dir_value:?} {command:?}: {err}"
            );
            assert!(err.contains("dir = \"out\""), "{err}");
        }
        assert_eq!(
            std::fs::read(dir.path().join("images/001-1.png")).unwrap(),
            photo,
            "{dir_value:?}"
        );
        assert!(!dir.path().join("001-1.png").exists());
        assert!(!dir.path().join("issues/001-1.png").exists());
    }
    // Named on the command line, the pictures' folder is not written over
    // either.
    let dir = publication("![现场照片](images/001-1.png)");
    std::fs::write(dir.path().join("images/001-1.png"), &photo).unwrap();
    let out = run(dir.path(), &["build", "--format", "png", "--out", "images"]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("images/001-1.png") && err.contains("是期刊用的图片"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("images/001-1.png")).unwrap(),
        photo
    );
    // A folder of its own is fine.
    let dir = publication("![现场照片](images/001-1.png)");
    std::fs::write(dir.path().join("images/001-1.png"), &photo).unwrap();
    append_config(dir.path(), "[output]\ndir = \"out/png\"\n");
    let out = run(dir.path(), &["build", "--format", "png"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(dir.path().join("out/png/001-1.png").exists());
    assert_eq!(
        std::fs::read(dir.path().join("images/001-1.png")).unwrap(),
        photo
    );
}

#[test]
#[cfg(unix)]
fn an_out_folder_that_links_out_of_the_publication_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    let dir = publication("");
    symlink(outside.path(), dir.path().join("out"));
    let out = run(dir.path(), &["build"]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("链接"), "{err}");
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    // A year folder below out/ that links out, likewise.
    let dir = publication("");
    write_issue(dir.path(), "2023/001", 1, "");
    std::fs::create_dir(dir.path().join("out")).unwrap();
    symlink(outside.path(), dir.path().join("out/2023"));
    let out = run(dir.path(), &["build", "2023/1"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
}

#[test]
fn out_on_the_command_line_may_name_a_folder_outside() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("pdf");
    let dir = publication("");
    let out = run(dir.path(), &["build", "--out", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(target.join("001.pdf").exists());
    assert!(!dir.path().join("out").exists());
}

#[test]
#[cfg(unix)]
fn links_leading_out_are_refused_for_every_kind_of_input() {
    let outside = tempfile::tempdir().unwrap();
    let o = outside.path();
    std::fs::write(o.join("secret.md"), "SECRET-FIRST-LINE\n").unwrap();
    std::fs::create_dir(o.join("2024")).unwrap();
    std::fs::write(o.join("2024/001.md"), "SECRET-YEAR-LINE\n").unwrap();
    std::fs::write(o.join("a.png"), picture(image::ImageFormat::Png)).unwrap();
    std::fs::create_dir(o.join("fonts")).unwrap();

    // An issue file and a year folder.
    let dir = publication("");
    symlink(o.join("secret.md"), dir.path().join("issues/002.md"));
    symlink(o.join("2024"), dir.path().join("issues/2024"));
    let out = run(dir.path(), &["check"]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("SECRET"), "echoed a file outside:\n{err}");
    assert!(
        err.contains("issues/002.md") && err.contains("issues/2024"),
        "{err}"
    );
    assert_eq!(err.matches("指向简报文件夹外面").count(), 2, "{err}");

    // jianbao.toml.
    let dir = publication("");
    let config = dir.path().join("jianbao.toml");
    std::fs::rename(&config, o.join("jianbao.toml")).unwrap();
    symlink(o.join("jianbao.toml"), &config);
    let out = run(dir.path(), &["check"]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("jianbao.toml") && err.contains("指向简报文件夹外面"),
        "{err}"
    );

    // A picture.
    let dir = publication("![图](images/a.png)");
    symlink(o.join("a.png"), dir.path().join("images/a.png"));
    let out = run(dir.path(), &["check"]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        has_diagnostic(&err, "issues/001.md", 10, "picture-outside"),
        "{err}"
    );

    // A font folder.
    let dir = publication("");
    let config = dir.path().join("jianbao.toml");
    let text = append_config(dir.path(), "[fonts]\npaths = [\"fonts\"]\n");
    symlink(o.join("fonts"), dir.path().join("fonts"));
    let out = run(dir.path(), &["check"]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("指向简报文件夹外面"), "{err}");
    // Named on the command line, the same folder is fine.
    std::fs::write(&config, &text).unwrap();
    let out = run(
        dir.path(),
        &["--font-path", o.join("fonts").to_str().unwrap(), "check"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
}

#[test]
#[cfg(unix)]
fn link_loops_and_fifos_under_issues_do_not_hang() {
    let dir = publication("");
    let issues = dir.path().join("issues");
    write_issue(dir.path(), "2023/001", 1, "");
    symlink(".", issues.join("again"));
    symlink("..", issues.join("2023/up"));
    std::fs::create_dir_all(issues.join("2023/old")).unwrap();
    symlink("../..", issues.join("2023/old/loop"));
    symlink("b.md", issues.join("a.md"));
    symlink("a.md", issues.join("b.md"));
    mkfifo(&issues.join("002.md"));
    for command in ["check", "build"] {
        let out = run(dir.path(), &[command]);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("issues/002.md") && err.contains("FIFO"),
            "{err}"
        );
        assert!(
            err.contains("issues/a.md") && err.contains("绕成一圈"),
            "{err}"
        );
    }
    assert!(dir.path().join("out/001.pdf").exists());
    assert!(dir.path().join("out/2023/001.pdf").exists());
}

// ---------------------------------------------------------------------------
// Output files
// ---------------------------------------------------------------------------

#[test]
fn temporary_files_of_a_killed_build_are_removed_by_the_next() {
    let dir = publication("");
    write_issue(dir.path(), "2023/001", 1, "");
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("2023")).unwrap();
    let stale = [
        out.join(".001.pdf.4242.tmp"),
        out.join("2023/.001.pdf.4243.tmp"),
    ];
    for s in &stale {
        std::fs::write(s, b"%PDF-1.7 half").unwrap();
    }
    // One a running build holds is left alone.
    let live = out.join(".009.pdf.4244.tmp");
    let held = std::fs::File::create(&live).unwrap();
    held.lock().unwrap();
    let build = run(dir.path(), &["build"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr_of(&build));
    for s in &stale {
        assert!(!s.exists(), "{} left", s.display());
    }
    assert!(live.exists());
    drop(held);
}

#[test]
fn output_names_that_differ_only_in_case_are_an_error() {
    for (a, b) in [("a", "a.MD"), ("Report", "report.md")] {
        let dir = publication("");
        write_issue(dir.path(), a, 2, "");
        let second = dir.path().join("issues").join(b);
        std::fs::copy(dir.path().join(format!("issues/{a}.md")), &second).unwrap();
        let text = std::fs::read_to_string(&second).unwrap();
        std::fs::write(&second, text.replace("number = 2", "number = 3")).unwrap();
        let out = run(dir.path(), &["check"]);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.matches("error[output-collision]").count(), 2, "{err}");
        let out = run(dir.path(), &["build"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
        assert!(dir.path().join("out/001.pdf").exists());
        let pdfs = std::fs::read_dir(dir.path().join("out"))
            .unwrap()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
            .count();
        assert_eq!(pdfs, 1, "only 001.pdf is built");
    }
}

// ---------------------------------------------------------------------------
// The process: pipes, panics, threads
// ---------------------------------------------------------------------------

#[test]
fn a_closed_stdout_or_stderr_ends_quietly_with_the_work_done() {
    let dir = publication("有半角逗号,要改。");
    write_issue(dir.path(), "002", 2, "");
    for (args, closed_stdout) in [
        (vec!["build"], false),
        (vec!["check"], false),
        (vec!["check", "--format", "json"], true),
        (vec!["fonts", "1"], true),
    ] {
        let _ = std::fs::remove_dir_all(dir.path().join("out"));
        let out = run_with(dir.path(), &args, |c| {
            let (reader, writer) = std::io::pipe().unwrap();
            drop(reader);
            if closed_stdout {
                c.stdout(writer);
            } else {
                c.stderr(writer);
            }
        });
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {:?}",
            out.status
        );
        if args[0] == "build" {
            assert!(dir.path().join("out/001.pdf").exists());
            assert!(dir.path().join("out/002.pdf").exists());
        }
    }
}

#[test]
fn a_panic_ends_with_a_short_message_and_exit_2() {
    // The test runs itself as a child process, which installs jianbao's
    // panic hook and panics (one test, so none passes by doing nothing).
    if std::env::var_os("JIANBAO_PANIC_CHILD").is_some() {
        jianbao::cmd::install_panic_hook();
        panic!("a bug \u{1b}[31m");
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "hostile::a_panic_ends_with_a_short_message_and_exit_2",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("JIANBAO_PANIC_CHILD", "1")
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("jianbao 内部出错") && err.contains("a bug"),
        "{err}"
    );
    assert!(!err.contains('\u{1b}'), "{err}");
    assert!(!err.contains("RUST_BACKTRACE"), "{err}");
}

#[test]
#[cfg(unix)]
#[cfg_attr(
    not(can_limit_processes),
    ignore = "a process cannot be held to one process of its user here (util-linux's prlimit; as root, running as nobody)"
)]
fn without_threads_the_issues_are_built_one_after_another() {
    use std::os::unix::process::CommandExt;
    let dir = publication("");
    write_issue(dir.path(), "002", 2, "");
    // The limit on processes counts per user: as root (which may ignore
    // it) run as nobody.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        chmod_all(dir.path(), 0o777);
    }
    let limited = |c: &mut Command| unsafe {
        c.pre_exec(move || {
            if root && (libc::setgid(65534) != 0 || libc::setuid(65534) != 0) {
                return Err(std::io::Error::last_os_error());
            }
            let one = libc::rlimit {
                rlim_cur: 1,
                rlim_max: 1,
            };
            if libc::setrlimit(libc::RLIMIT_NPROC, &one) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    };
    // The limit holds (build.rs found it does here): a shell under it
    // cannot start another process, so jianbao cannot start a thread.
    let mut probe = Command::new("sh");
    probe
        .args(["-c", "sh -c true"])
        .current_dir(dir.path())
        .stderr(Stdio::null());
    limited(&mut probe);
    let probe = probe.status();
    assert!(
        matches!(probe, Ok(s) if !s.success()),
        "a shell under the limit started another ({probe:?})"
    );
    let out = run_with(dir.path(), &["build"], limited);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(dir.path().join("out/001.pdf").exists());
    assert!(dir.path().join("out/002.pdf").exists());
}

#[cfg(unix)]
fn chmod_all(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    if path.is_dir() {
        for e in std::fs::read_dir(path).unwrap().flatten() {
            chmod_all(&e.path(), mode);
        }
    }
}

// ---------------------------------------------------------------------------
// Diagnostics
// ---------------------------------------------------------------------------

#[test]
fn a_line_of_two_thousand_warnings_makes_a_short_report() {
    let line = "会议指出".to_string() + &"要,".repeat(2000) + "。";
    let dir = publication(&line);
    let out = run(dir.path(), &["check"]);
    let err = stderr_of(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        &err[..err.len().min(2000)]
    );
    assert!(err.len() < 20_000, "{} bytes of diagnostics", err.len());
    assert!(err.contains("还有 1995 处同类问题"), "{err}");
    for l in err.lines() {
        assert!(l.chars().count() < 160, "a long line: {l}");
    }
}

#[test]
fn terminal_escapes_from_the_input_are_shown_escaped() {
    let dir = publication("标题\u{1b}]0;pwned\u{7}里有\u{1b}[2J控制字符。");
    let out = run(dir.path(), &["check"]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains("<U+001B>"), "{err}");
    assert!(
        has_diagnostic(&err, "issues/001.md", 10, "unprintable"),
        "{err}"
    );
}

/// Issue files at the edges of what parses: none may crash `check` or
/// `build`, or leave a partial PDF.
#[test]
fn issue_files_at_the_edges_never_crash() {
    let front = |n: u32, extra: &str, units: &str| {
        format!(
            "+++\nnumber = {n}\ndate = 2024-01-01\n{extra}\n[distribution]\nfa = [{units}]\n+++\n"
        )
    };
    let many: Vec<String> = (0..3000).map(|i| format!("\"单位{i}\"")).collect();
    let cases: Vec<String> = vec![
        front(1, "", "\"各处室\"").replace("2024-01-01", "0001-01-01") + "正文。\n",
        front(2, "", "\"各处室\"").replace("2024-01-01", "9999-12-31") + "正文。\n",
        front(3, "total = 4294967295\ncopies = 4294967295", "\"各处室\"") + "正文。\n",
        front(4, "", "\"各处室\"") + "正文\0内容\u{1}。\n",
        "+++\rnumber = 5\rdate = 2024-01-01\r+++\r正文。\r".to_string(),
        front(6, "", "\"\\uD800\"") + "正文。\n",
        front(7, "", "\"各处室\"")
            + "![](\n![a]()\n# \n^ \n> \n**\n\\\n![x]("
            + &"a".repeat(5000)
            + ".png)\n# "
            + &"很长的标题".repeat(2000)
            + "\n",
        front(8, "", &format!("\"{}\"", "很长的单位名称".repeat(500))) + "正文。\n",
        front(9, "", &many.join(",")) + "正文。\n",
        front(
            10,
            &format!("x = {}{}", "[".repeat(100_000), "]".repeat(100_000)),
            "\"各处室\"",
        ) + "正文。\n",
        front(11, "edition = \"\"\"\n多行\n版本\"\"\"", "\"各处室\"") + "正文。\n",
        front(12, "", "\"各处室\"") + &"（".repeat(20_000) + "\n" + &"**".repeat(10_001) + "\n",
    ];
    let dir = publication("");
    for (i, text) in cases.iter().enumerate() {
        std::fs::write(dir.path().join(format!("issues/{:03}.md", i + 1)), text).unwrap();
    }
    for args in [&["check"][..], &["check", "--format", "json"], &["build"]] {
        let out = run(dir.path(), args);
        assert!(
            matches!(out.status.code(), Some(0..=2)),
            "{args:?}: {:?}",
            out.status
        );
    }
    for entry in std::fs::read_dir(dir.path().join("out")).unwrap().flatten() {
        if entry.file_name() == ".jianbao-manifest.json" {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        assert!(
            lopdf::Document::load_mem(&bytes).is_ok(),
            "{}",
            entry.path().display()
        );
    }
}

#[test]
fn a_range_as_wide_as_the_numbers_go_resolves_at_once() {
    let dir = publication("");
    for args in [
        &["check", "1..4294967295"][..],
        &["build", "1..999999999"],
        &["fonts", "0..4294967295"],
    ] {
        let out = run(dir.path(), args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr_of(&out));
    }
}

#[test]
fn png_pages_never_remove_files_jianbao_did_not_write() {
    let dir = publication("");
    let out = tempfile::tempdir().unwrap();
    // The office's own pictures that happen to be named like pages.
    for n in [2, 3, 9] {
        std::fs::write(out.path().join(format!("001-{n}.png")), b"mine").unwrap();
    }
    let build = run(
        dir.path(),
        &[
            "build",
            "1",
            "--format",
            "png",
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    assert_eq!(build.status.code(), Some(0), "{}", stderr_of(&build));
    assert!(out.path().join("001-1.png").is_file());
    for n in [2, 3, 9] {
        assert_eq!(
            std::fs::read(out.path().join(format!("001-{n}.png"))).unwrap(),
            b"mine"
        );
    }
}

#[test]
fn a_jianbao_toml_that_is_no_file_is_an_error_not_a_way_up() {
    let outer = publication("");
    let inner = outer.path().join("sub");
    std::fs::create_dir_all(inner.join("jianbao.toml")).unwrap();
    let out = run(&inner, &["check"]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("不是普通文件"), "{err}");
}

#[test]
fn a_year_folder_that_links_back_to_issues_reads_nothing_twice() {
    let dir = publication("");
    symlink("../issues", dir.path().join("issues/2023"));
    symlink("2024", dir.path().join("issues/y2024"));
    write_issue(dir.path(), "2024/001", 1, "");
    let check = run(dir.path(), &["check"]);
    let err = stderr_of(&check);
    assert!(err.contains("issues/2023"), "{err}");
    let build = run(dir.path(), &["build"]);
    let err = stderr_of(&build);
    assert!(!dir.path().join("out/2023").exists(), "{err}");
    assert!(!dir.path().join("out/y2024").exists(), "{err}");
    assert!(dir.path().join("out/001.pdf").is_file(), "{err}");
    assert!(dir.path().join("out/2024/001.pdf").is_file(), "{err}");
}

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

/// stdout and stderr of a run, together.
fn output_of(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &stderr_of(o)
}

#[test]
fn control_characters_in_file_names_are_shown_escaped() {
    let dir = publication("");
    let d = dir.path();
    // An issue file, a font file and a layout with a newline (and an
    // escape) in their names.
    write_issue(d, "00\n3", 3, "");
    // A tab is allowed in text, but in a name it is escaped too.
    write_issue(d, "00\t4", 4, "");
    with_font_folder(d);
    std::fs::copy(
        repo().join("fonts/LiberationSerif-Bold.ttf"),
        d.join("fonts/f\n1\u{1b}[2J.ttf"),
    )
    .unwrap();
    std::fs::create_dir(d.join("layouts")).unwrap();
    std::fs::copy(
        repo().join("layouts/bulletin.typ"),
        d.join("layouts/a\nb.typ"),
    )
    .unwrap();
    append_config(d, "[output]\nlayout = \"layouts/a\\nb.typ\"\n");
    let runs = [
        (vec!["build"], "issues/00<U+000A>3.md → out/00<U+000A>3.pdf"),
        (
            vec!["build", "3", "--force"],
            "issues/00<U+000A>3.md → out/00<U+000A>3.pdf",
        ),
        (
            vec!["build", "4", "--force"],
            "issues/00<U+0009>4.md → out/00<U+0009>4.pdf",
        ),
        (vec!["fonts", "3"], "fonts/f<U+000A>1<U+001B>[2J.ttf"),
        (vec!["fonts", "3"], "issues/00<U+000A>3.md:"),
        (vec!["layout"], "layouts/a<U+000A>b.typ"),
        (
            vec!["build", "--layout", "layouts/x\ny.typ"],
            "layouts/x<U+000A>y.typ",
        ),
        (
            vec!["build", "issues/00\n3.md\n"],
            "issues/00<U+000A>3.md<U+000A>",
        ),
    ];
    for (args, expected) in runs {
        let out = run(d, &args);
        let all = output_of(&out);
        assert!(all.contains(expected), "{args:?}: {all}");
        assert!(
            !all.contains('\u{1b}')
                && !all.lines().any(|l| l.starts_with("3.md")
                    || l.starts_with("3.pdf")
                    || l.starts_with("b.typ")
                    || l.starts_with("y.typ")
                    || l.starts_with("1<U+001B>")),
            "{args:?}: a name broke a line:\n{all}"
        );
    }
    assert!(d.join("out/00\n3.pdf").is_file());
}

#[test]
fn a_file_name_that_reads_as_a_number_must_agree_with_it() {
    let dir = publication("");
    let d = dir.path();
    // Agreeing, but not plain digits: a warning, and the issue builds.
    write_issue(d, " 003", 3, "");
    write_issue(d, "00\u{200b}4", 4, "");
    // Disagreeing: an error, as for 005.md with number = 6.
    write_issue(d, "００５", 6, "");
    write_issue(d, "第7期", 8, "");
    write_issue(d, "0 0 9", 10, "");
    write_issue(d, "2023/０1 ", 2, "");
    let check = run(d, &["check"]);
    let err = stderr_of(&check);
    assert_eq!(check.status.code(), Some(1), "{err}");
    for (file, code) in [
        ("issues/ 003.md", "file-name"),
        ("issues/00<U+200B>4.md", "file-name"),
        ("issues/００５.md", "number-mismatch"),
        ("issues/第7期.md", "number-mismatch"),
        ("issues/0 0 9.md", "number-mismatch"),
        ("issues/2023/０1 .md", "number-mismatch"),
    ] {
        let line = if code == "file-name" { 1 } else { 2 };
        assert!(has_diagnostic(&err, file, line, code), "{file}: {err}");
    }
    assert!(
        err.contains("文件名“００５”是第5期（用了全角数字），头部却写 number = 6"),
        "{err}"
    );
    assert!(err.contains("把文件改名为 003.md"), "{err}");
    let build = run(d, &["build"]);
    assert_eq!(build.status.code(), Some(1), "{}", stderr_of(&build));
    let out = d.join("out");
    assert!(out.join(" 003.pdf").is_file() && out.join("00\u{200b}4.pdf").is_file());
    for bad in ["００５.pdf", "第7期.pdf", "0 0 9.pdf", "2023/０1 .pdf"] {
        assert!(!out.join(bad).exists(), "{bad} was built");
    }
}

#[test]
fn issues_that_share_a_number_are_none_of_them_built() {
    let dir = publication("");
    let d = dir.path();
    write_issue(d, "002", 2, "");
    let first = run(d, &["build"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr_of(&first));
    let good = std::fs::read(d.join("out/002.pdf")).unwrap();
    // A copy that kept the number, and two issues with one 总期号.
    write_issue(d, "002b", 2, "");
    for (id, number) in [("003", 3), ("004", 4)] {
        write_issue(d, id, number, "");
        let path = d.join(format!("issues/{id}.md"));
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen("date =", "total = 16\ndate =", 1)).unwrap();
    }
    write_issue(d, "005", 5, "");
    let build = run(d, &["build"]);
    let err = stderr_of(&build);
    assert_eq!(build.status.code(), Some(1), "{err}");
    for (file, line, code) in [
        ("issues/002.md", 2, "duplicate-number"),
        ("issues/002b.md", 2, "duplicate-number"),
        ("issues/003.md", 3, "duplicate-total"),
        ("issues/004.md", 3, "duplicate-total"),
    ] {
        assert!(has_diagnostic(&err, file, line, code), "{file}: {err}");
    }
    for id in ["002b", "003", "004"] {
        assert!(
            !d.join(format!("out/{id}.pdf")).exists(),
            "{id} was built: {err}"
        );
    }
    // The good PDF of 002 is left as it was; the other issues are built.
    assert_eq!(std::fs::read(d.join("out/002.pdf")).unwrap(), good);
    assert!(d.join("out/005.pdf").is_file(), "{err}");
    assert!(
        err.contains("issues/002.md: 有错误，没有生成 PDF（原有的 PDF 保持不变）"),
        "{err}"
    );
    // Asked for by number: which one is meant cannot be told, so both are
    // named, with the errors `check 2` gives, and neither is built.
    let one = run(d, &["build", "2"]);
    let err = stderr_of(&one);
    assert_eq!(one.status.code(), Some(1), "{err}");
    for file in ["issues/002.md", "issues/002b.md"] {
        assert!(has_diagnostic(&err, file, 2, "duplicate-number"), "{err}");
    }
    assert!(!d.join("out/002b.pdf").exists(), "{err}");
    assert_eq!(std::fs::read(d.join("out/002.pdf")).unwrap(), good);
}

/// Liberation Serif Bold renamed "Liberation Sxrif" (a family no embedded
/// font has), cut to its first `len` bytes.
fn sxrif(len: usize) -> Vec<u8> {
    let mut font = std::fs::read(repo().join("fonts/LiberationSerif-Bold.ttf")).unwrap();
    let utf16 = |s: &str| {
        s.encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect::<Vec<u8>>()
    };
    for (from, to) in [
        (b"Serif".to_vec(), b"Sxrif".to_vec()),
        (utf16("Serif"), utf16("Sxrif")),
    ] {
        let mut at = 0;
        while let Some(i) = font[at..].windows(from.len()).position(|w| w == from) {
            font[at + i..at + i + to.len()].copy_from_slice(&to);
            at += i + to.len();
        }
    }
    font.truncate(len);
    font
}

#[test]
fn a_damaged_font_file_is_said_to_be_damaged_not_missing() {
    let dir = publication("");
    let d = dir.path();
    with_font_folder(d);
    let config = d.join("jianbao.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("[fonts]\n", "[fonts]\nlatin = [\"Liberation Sxrif\"]\n"),
    )
    .unwrap();
    // Whole, the font is found and used.
    std::fs::write(d.join("fonts/sxrif.ttf"), sxrif(usize::MAX)).unwrap();
    let check = run(d, &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr_of(&check));
    // Cut short after its names: the family is in that file, which is
    // damaged.
    std::fs::write(d.join("fonts/sxrif.ttf"), sxrif(330_000)).unwrap();
    for args in [&["check"][..], &["build"]] {
        let out = run(d, args);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("“Liberation Sxrif”在字体文件 fonts/sxrif.ttf 里")
                && err.contains("不是 typst 能读的字体")
                && err.contains("文件不完整"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("找不到"), "{args:?}: {err}");
    }
    // Damaged inside, at full length: glyph data overwritten (a bad copy),
    // or the second half zeroed (a download into a file made full length
    // beforehand). typst would print blanks for the glyphs.
    let whole = sxrif(usize::MAX);
    let glyf = ttf_parser::RawFace::parse(&whole, 0)
        .unwrap()
        .table_records
        .into_iter()
        .find(|r| &r.tag.to_bytes() == b"glyf")
        .unwrap();
    let mut overwritten = whole.clone();
    let middle = (glyf.offset + glyf.length / 2) as usize;
    overwritten[middle..middle + 4096].fill(0xFF);
    let mut zeroed = whole.clone();
    let half = zeroed.len() / 2;
    zeroed[half..].fill(0);
    for (what, bad) in [("overwritten", overwritten), ("zeroed", zeroed)] {
        std::fs::write(d.join("fonts/sxrif.ttf"), bad).unwrap();
        let out = run(d, &["build"]);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        // Where the names are gone too, the file is named as where the
        // family may be, with the same reason.
        assert!(
            (err.contains("“Liberation Sxrif”在字体文件 fonts/sxrif.ttf 里")
                || err.contains("字体文件 fonts/sxrif.ttf 读不了"))
                && err.contains("文件已损坏")
                && err.contains("校验和"),
            "{what}: {err}"
        );
    }
    std::fs::write(d.join("fonts/sxrif.ttf"), sxrif(330_000)).unwrap();
    let fonts = run(d, &["fonts"]);
    let all = output_of(&fonts);
    assert_eq!(fonts.status.code(), Some(2), "{all}");
    assert!(
        all.contains("在 fonts/sxrif.ttf 里") && all.contains("已损坏或不完整"),
        "{all}"
    );
    // Cut before its names, or no font at all: not found, and the file is
    // named as where it may be.
    for bad in [sxrif(200_000), b"not a font".to_vec()] {
        std::fs::write(d.join("fonts/sxrif.ttf"), bad).unwrap();
        let out = run(d, &["check"]);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("字体文件 fonts/sxrif.ttf 读不了") && err.contains("可能就在里面"),
            "{err}"
        );
    }
    assert!(!d.join("out").exists());
}

/// Runs the command as nobody when the tests run as root (whom no
/// permission stops), so that permissions count.
#[cfg(unix)]
fn as_nobody_if_root(c: &mut Command) {
    use std::os::unix::process::CommandExt;
    if unsafe { libc::geteuid() } == 0 {
        unsafe {
            c.pre_exec(|| {
                if libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(65534) != 0
                    || libc::setuid(65534) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
}

#[test]
#[cfg(unix)]
fn a_read_only_output_folder_is_said_to_be_read_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = publication("");
    let d = dir.path();
    let first = run(d, &["build"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr_of(&first));
    let good = std::fs::read(d.join("out/001.pdf")).unwrap();
    chmod_all(d, 0o777);
    let read_only = std::fs::Permissions::from_mode(0o555);
    std::fs::set_permissions(d.join("out"), read_only.clone()).unwrap();
    let out = run_with(d, &["build", "--force"], as_nobody_if_root);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("输出文件夹 out 不能写入") && err.contains("没有写入的权限"),
        "{err}"
    );
    assert!(!err.contains("阅读器"), "{err}");
    assert_eq!(std::fs::read(d.join("out/001.pdf")).unwrap(), good);
    // No output folder yet, in a publication folder that cannot be written.
    std::fs::set_permissions(d.join("out"), std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::remove_dir_all(d.join("out")).unwrap();
    std::fs::set_permissions(d, read_only).unwrap();
    let out = run_with(d, &["build"], as_nobody_if_root);
    let err = stderr_of(&out);
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o777)).unwrap();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("输出文件夹 out 建不了") && err.contains("没有写入的权限"),
        "{err}"
    );
    assert!(!err.contains("无法读取"), "{err}");
}

#[test]
#[cfg(unix)]
fn a_layout_that_is_no_regular_file_is_said_to_be_so() {
    let dir = publication("");
    let d = dir.path();
    std::fs::create_dir_all(d.join("layouts/folder.typ")).unwrap();
    mkfifo(&d.join("layouts/pipe.typ"));
    for (layout, kind) in [
        ("layouts/pipe.typ", "管道（FIFO）"),
        ("layouts/folder.typ", "文件夹"),
    ] {
        let out = run(d, &["build", "--layout", layout]);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!("版式文件 {layout} 不是普通文件，而是{kind}")),
            "{err}"
        );
        assert!(
            !err.contains("找不到") && !err.contains("不是 .typ"),
            "{err}"
        );
        let text = append_config(d, &format!("[output]\nlayout = \"{layout}\"\n"));
        let out = run(d, &["check"]);
        let err = stderr_of(&out);
        std::fs::write(d.join("jianbao.toml"), text).unwrap();
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            has_diagnostic(&err, "jianbao.toml", 9, "bad-layout"),
            "{err}"
        );
        assert!(
            err.contains(&format!("而是{kind}")) && !err.contains("找不到"),
            "{err}"
        );
    }
    assert!(!d.join("out").exists());
}

// ---------------------------------------------------------------------------
// PDF standards
// ---------------------------------------------------------------------------

#[test]
fn pictures_a_pdf_standard_refuses_are_errors_at_check() {
    let dir = publication(
        "![透明](images/alpha.png)\n![](images/plain.png)\n![半透明](images/half.svg)\n![图](images/opaque.svg)",
    );
    let d = dir.path();
    let images = d.join("images");
    let mut alpha = std::io::Cursor::new(Vec::new());
    image::RgbaImage::from_pixel(32, 24, image::Rgba([200, 60, 60, 255]))
        .write_to(&mut alpha, image::ImageFormat::Png)
        .unwrap();
    std::fs::write(images.join("alpha.png"), alpha.into_inner()).unwrap();
    std::fs::write(images.join("plain.png"), picture(image::ImageFormat::Png)).unwrap();
    std::fs::write(
        images.join("half.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5" fill="red" fill-opacity="0.5"/></svg>"#,
    )
    .unwrap();
    std::fs::write(
        images.join("opaque.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5" fill="red"/></svg>"#,
    )
    .unwrap();
    // Without a standard everything builds.
    let first = run(d, &["build"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr_of(&first));
    let good = std::fs::read(d.join("out/001.pdf")).unwrap();

    // PDF/A-1: no transparency (an alpha channel, even an opaque one; a
    // half-transparent SVG), found by check, before typst.
    for args in [
        &["check", "--pdf-standard", "a-1b"][..],
        &["build", "--pdf-standard", "a-1b"],
    ] {
        let out = run(d, args);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        for line in [10, 12] {
            assert!(
                has_diagnostic(&err, "issues/001.md", line, "picture-transparent"),
                "{args:?} line {line}: {err}"
            );
        }
        assert_eq!(err.matches("[picture-transparent]").count(), 2, "{err}");
        assert!(
            err.contains("PDF/A-1b 不允许透明") && err.contains("help:"),
            "{err}"
        );
        assert!(
            !err.contains("picture-no-caption") && !err.contains("pdf-export"),
            "{err}"
        );
    }
    assert_eq!(std::fs::read(d.join("out/001.pdf")).unwrap(), good);

    // PDF/UA-1 (and PDF/A-…a): every picture needs its caption, the alt text.
    for standard in ["ua-1", "a-2a"] {
        let out = run(d, &["build", "--pdf-standard", standard]);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{standard}: {err}");
        assert!(
            has_diagnostic(&err, "issues/001.md", 11, "picture-no-caption"),
            "{standard}: {err}"
        );
        assert_eq!(err.matches("[picture-no-caption]").count(), 1, "{err}");
        assert!(!err.contains("pdf-export"), "{err}");
    }
    assert_eq!(std::fs::read(d.join("out/001.pdf")).unwrap(), good);
    // A caption of invisible characters is no alt text either.
    let hidden = publication("![\u{200B}\u{3000}](images/p.png)");
    std::fs::write(
        hidden.path().join("images/p.png"),
        picture(image::ImageFormat::Png),
    )
    .unwrap();
    let out = run(hidden.path(), &["check", "--pdf-standard", "ua-1"]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        has_diagnostic(&err, "issues/001.md", 10, "picture-no-caption"),
        "{err}"
    );

    // The standard of jianbao.toml counts for check; the command line wins
    // for build; PNG pages follow no PDF standard.
    append_config(d, "[output]\npdf_standard = \"a-1b\"\n");
    let out = run(d, &["check"]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("[picture-transparent]").count(), 2, "{err}");
    for args in [
        &["build", "--pdf-standard", "a-2b"][..],
        &["build", "--format", "png"],
    ] {
        let out = run(d, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr_of(&out));
    }
    assert_ne!(std::fs::read(d.join("out/001.pdf")).unwrap(), good);
}

/// An SVG of 400 × 300 showing `inner` (an SVG document) as a data URI.
fn svg_embedding_svg(inner: &str) -> String {
    let png = svg_embedding(inner.as_bytes());
    String::from_utf8(png)
        .unwrap()
        .replace("width=\"10\" height=\"10\"><image width=\"10\" height=\"10\"", "width=\"400\" height=\"300\"><image width=\"400\" height=\"300\" preserveAspectRatio=\"none\"")
        .replace("image/png", "image/svg+xml")
}

/// An SVG of 400 × 500 with one filter on a rect that fills it.
fn svg_filtered(filter: &str) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="400" height="500"><defs><filter id="f" x="0" y="0" width="1" height="1">{filter}</filter></defs><rect width="400" height="500" fill="blue" filter="url(#f)"/></svg>"#
    )
}

#[test]
fn svg_filters_that_would_take_minutes_to_draw_are_errors_at_check() {
    let many_blurs: String = (0..3000)
        .map(|i| format!(r#"<g filter="url(#f)"><rect width="400" height="500" fill="red" opacity="0.{i}"/></g>"#))
        .collect();
    let costly = [
        // Each of these took from 30 s to hours to build.
        (
            "dilate.svg",
            svg_filtered(r#"<feMorphology operator="dilate" radius="400"/>"#),
        ),
        (
            "noise.svg",
            svg_filtered(r#"<feTurbulence baseFrequency="0.05" numOctaves="1000"/>"#),
        ),
        (
            "kernel.svg",
            svg_filtered(&format!(
                r#"<feConvolveMatrix order="50" kernelMatrix="{}"/>"#,
                vec!["1"; 2500].join(" ")
            )),
        ),
        (
            "many.svg",
            format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="400" height="500"><defs><filter id="f"><feGaussianBlur stdDeviation="4"/></filter></defs>{many_blurs}</svg>"#
            ),
        ),
    ];
    let nested = svg_embedding_svg(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1" viewBox="0 0 1 1"><filter id="m" x="0" y="0" width="1" height="1"><feMorphology operator="dilate" radius="0.2"/></filter><rect width="1" height="1" fill="red" filter="url(#m)"/></svg>"#,
    );
    let rects: String = (0..5000)
        .map(|_| r#"<rect width="400" height="500" fill="red" fill-opacity="0.5"/>"#)
        .collect();
    let costly = costly.into_iter().chain([
        // A nested SVG's filter, scaled up by the picture that shows it.
        ("nested.svg", nested),
        ("merge.svg", svg_filtered(&format!("<feMerge>{}</feMerge>", r#"<feMergeNode in="SourceGraphic"/>"#.repeat(2000)))),
        // 800 steps, a raster each: gigabytes.
        ("steps.svg", svg_filtered(&(0..800).map(|i| format!(r#"<feOffset dx="0.1" result="r{i}"/>"#)).collect::<String>())),
        // Thousands of shapes drawn into the filter's raster.
        (
            "shapes.svg",
            format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="400" height="500"><filter id="f"><feOffset dx="1"/></filter><g filter="url(#f)">{rects}</g></svg>"#
            ),
        ),
    ]);
    // A million elements once `<use>` is expanded: too large, not damaged.
    let mut bomb = String::from(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="400" height="300"><defs><g id="a0"><rect width="400" height="300" fill-opacity="0.01"/></g>"#,
    );
    for level in 1..=6 {
        bomb += &format!(r#"<g id="a{level}">"#);
        bomb += &format!(r##"<use xlink:href="#a{}"/>"##, level - 1).repeat(10);
        bomb += "</g>";
    }
    bomb += r##"</defs><use xlink:href="#a6"/></svg>"##;
    let dir = publication("![图](images/bomb.svg)");
    std::fs::write(dir.path().join("images/bomb.svg"), bomb).unwrap();
    let check = run(dir.path(), &["check"]);
    let err = stderr_of(&check);
    assert!(
        has_diagnostic(&err, "issues/001.md", 10, "picture-too-large"),
        "{err}"
    );
    assert!(err.contains("元素太多"), "{err}");
    for (name, svg) in costly {
        let dir = publication(&format!("![图](images/{name})"));
        std::fs::write(dir.path().join("images").join(name), svg).unwrap();
        let check = run(dir.path(), &["check"]);
        let err = stderr_of(&check);
        assert_eq!(check.status.code(), Some(1), "{name}: {err}");
        assert!(
            has_diagnostic(&err, "issues/001.md", 10, "picture-too-costly"),
            "{name}: no error at the picture's place:\n{err}"
        );
        assert!(err.contains("另存为 PNG"), "{name}: no help:\n{err}");
        let build = run(dir.path(), &["build"]);
        assert_eq!(build.status.code(), Some(1), "{name}");
        assert!(!dir.path().join("out/001.pdf").exists());
    }
    // The SVGs of one issue count together: four of about 8 s each.
    let dir = publication(
        "![一](images/n1.svg)\n![二](images/n2.svg)\n![三](images/n3.svg)\n![四](images/n4.svg)\n![一](images/n1.svg)",
    );
    let noise = svg_filtered(r#"<feTurbulence baseFrequency="0.05" numOctaves="10"/>"#);
    for k in 1..=4 {
        std::fs::write(dir.path().join(format!("images/n{k}.svg")), &noise).unwrap();
    }
    let check = run(dir.path(), &["check"]);
    let err = stderr_of(&check);
    assert_eq!(check.status.code(), Some(1), "{err}");
    assert!(
        has_diagnostic(&err, "issues/001.md", 13, "picture-too-costly"),
        "{err}"
    );
    assert_eq!(err.matches("[picture-too-costly]").count(), 1, "{err}");
    assert!(err.contains("这一期到图片 images/n4.svg 为止"), "{err}");
    // Pictures embedded in an SVG count together: two of 81 megapixels.
    let big = svg_embedding(&png_declaring(9000, 9000));
    let big = String::from_utf8(big).unwrap();
    let (head, tail) = big.split_once("<image").unwrap();
    let two = format!(
        "{head}<image{}<image{}",
        tail.trim_end_matches("</svg>"),
        tail.replacen("width=\"10\"", "width=\"9\"", 1)
    );
    let dir = publication("![图](images/two.svg)");
    std::fs::write(dir.path().join("images/two.svg"), two).unwrap();
    let check = run(dir.path(), &["check"]);
    let err = stderr_of(&check);
    assert!(
        has_diagnostic(&err, "issues/001.md", 10, "picture-too-large"),
        "{err}"
    );
    assert!(err.contains("共有 16200 万像素"), "{err}");
    // What offices draw: a drop shadow, a small dilation, a little noise.
    let fine = [
        r#"<feGaussianBlur stdDeviation="5"/><feOffset dx="3" dy="3"/>"#,
        r#"<feMorphology operator="dilate" radius="1"/>"#,
        r#"<feTurbulence baseFrequency="0.05" numOctaves="3"/>"#,
    ];
    for filter in fine {
        let dir = publication("![图](images/a.svg)");
        std::fs::write(dir.path().join("images/a.svg"), svg_filtered(filter)).unwrap();
        let build = run(dir.path(), &["build"]);
        assert_eq!(
            build.status.code(),
            Some(0),
            "{filter}: {}",
            stderr_of(&build)
        );
    }
}

/// A 40 × 30 JPEG in CMYK, as print shops send them (made with Pillow:
/// `Image.new("CMYK", (40, 30), (0, 200, 200, 0)).save(...)`).
const CMYK_JPEG: &[u8] = include_bytes!("data/cmyk.jpg");

#[test]
fn a_cmyk_picture_under_pdf_a_is_an_error_at_check() {
    let dir = publication("![印刷厂的图](images/print.jpg)");
    let d = dir.path();
    std::fs::write(d.join("images/print.jpg"), CMYK_JPEG).unwrap();
    // Without a standard it prints (as CMYK).
    let out = run(d, &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let good = std::fs::read(d.join("out/001.pdf")).unwrap();
    for standard in ["a-1b", "a-2b", "a-3b"] {
        for command in ["check", "build"] {
            let out = run(d, &[command, "--pdf-standard", standard]);
            let err = stderr_of(&out);
            assert_eq!(out.status.code(), Some(1), "{standard} {command}: {err}");
            assert!(
                has_diagnostic(&err, "issues/001.md", 10, "picture-cmyk"),
                "{standard} {command}: {err}"
            );
            assert!(!err.contains("PDF export"), "{err}");
        }
    }
    assert_eq!(std::fs::read(d.join("out/001.pdf")).unwrap(), good);
    // PDF/UA-1 takes CMYK.
    let out = run(d, &["check", "--pdf-standard", "ua-1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
}

/// What stood in the way of the output folder is said with its fix (the
/// help of the write error reaches the line printed).
#[test]
fn an_unusable_output_folder_says_what_is_in_the_way_and_the_fix() {
    let dir = publication("");
    let d = dir.path();
    std::fs::write(d.join("out"), "").unwrap();
    let out = run(d, &["build"]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("无法写入 out/001.pdf：输出文件夹 out 建不了：out 是一个文件，不是文件夹"),
        "{err}"
    );
    assert!(err.contains("help: 把它改名或移走"), "{err}");
    #[cfg(unix)]
    {
        std::fs::remove_file(d.join("out")).unwrap();
        std::os::unix::fs::symlink(d.join("gone"), d.join("out")).unwrap();
        let out = run(d, &["build"]);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("输出文件夹 out 用不了：out 是一个链接，指向的")
                && err.contains("gone 不存在"),
            "{err}"
        );
        assert!(err.contains("help: 删掉这个链接"), "{err}");
        assert!(!d.join("gone").exists());
    }
}

#[test]
fn an_output_path_taken_by_a_folder_or_a_file_is_said_to_be_so() {
    let dir = publication("");
    let d = dir.path();
    // out/001.pdf is a folder.
    std::fs::create_dir_all(d.join("out/001.pdf")).unwrap();
    let out = run(d, &["build"]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("无法写入 out/001.pdf：那里是一个同名的文件夹"),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
    // out is a file.
    std::fs::remove_dir_all(d.join("out")).unwrap();
    std::fs::write(d.join("out"), "").unwrap();
    let out = run(d, &["build"]);
    let err = stderr_of(&out);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("out 是一个文件，不是文件夹"), "{err}");
    assert!(!err.contains("os error"), "{err}");
    // --out names a file.
    let out = run(d, &["build", "--out", "out"]);
    let err = stderr_of(&out);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("是一个文件，不是文件夹"), "{err}");
}

/// A font file that is a link leading out of the publication is refused
/// without being read, in a `[fonts] paths` folder as in a `--font-path`
/// folder inside the publication: the family of the file it points to is
/// never known (finding N4). A folder outside named with `--font-path` is
/// the user's and may link anywhere.
#[test]
#[cfg(unix)]
fn a_font_file_linking_out_of_the_publication_is_refused_unread() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("Outside.ttf");
    std::fs::write(&target, font_named("Outside Family")).unwrap();
    let dir = publication("");
    std::fs::create_dir(dir.path().join("fonts")).unwrap();
    symlink(&target, dir.path().join("fonts/link.ttf"));
    append_config(dir.path(), "[fonts]\nlatin = [\"Outside Family\"]\n");
    let with_paths = |yes: bool| {
        let config = dir.path().join("jianbao.toml");
        let text = std::fs::read_to_string(&config).unwrap();
        let text = text.replace("[fonts]\npaths = [\"fonts\"]\n", "[fonts]\n");
        let text = if yes {
            text.replace("[fonts]\n", "[fonts]\npaths = [\"fonts\"]\n")
        } else {
            text
        };
        std::fs::write(&config, text).unwrap();
    };
    for (paths, args) in [
        (true, vec!["fonts"]),
        (false, vec!["--font-path", "fonts", "fonts"]),
    ] {
        with_paths(paths);
        let out = run(dir.path(), &args);
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            stderr_of(&out)
        );
        assert!(
            said.contains("fonts/link.ttf") && said.contains("指向简报文件夹外面"),
            "{args:?}: {said}"
        );
        if args[0] == "fonts" && paths {
            assert!(said.contains("复制进简报文件夹"), "{said}");
        }
        // Had the file been read, its family would be named as in it.
        assert!(!said.contains("在 fonts/link.ttf 里"), "{args:?}: {said}");
        assert_ne!(out.status.code(), Some(0), "{args:?}: {said}");
    }
    // The folder outside, named on the command line: used.
    with_paths(false);
    let out = run(
        dir.path(),
        &["--font-path", outside.path().to_str().unwrap(), "check"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
}

/// An SVG linking a file outside the publication (a FIFO that no one
/// writes, `/dev/zero`): its size is read without opening the link, so
/// `check` and `build --format ofd` end at once with `picture-broken`
/// (usvg's default options read the link, and a FIFO hung them).
#[test]
fn an_svg_linking_a_fifo_is_refused_without_opening_it() {
    let dir = publication("![图](images/linked.svg)");
    let fifo = dir.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: no mkfifo");
        return;
    }
    std::fs::write(
        dir.path().join("images/linked.svg"),
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><image xlink:href="{}" width="10" height="10"/><image xlink:href="/dev/zero" width="10" height="10"/></svg>"#,
            fifo.display()
        ),
    )
    .unwrap();
    for args in [
        &["check"][..],
        &["build", "--format", "ofd"],
        &["build", "--format", "docx"],
    ] {
        let started = std::time::Instant::now();
        let out = run(dir.path(), args);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("error[picture-broken]"), "{args:?}: {err}");
        assert!(started.elapsed() < Duration::from_secs(60), "{args:?}");
    }
}
