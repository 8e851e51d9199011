//! Font files from folders (`[fonts] paths`, `--font-path`) and, only when
//! asked for, the system's — each one validated before typst reads it. A
//! font file is data from anywhere: typst's font-info parser enumerates
//! every code point its `cmap` claims, so a corrupt table can make it run
//! for minutes and take gigabytes. Here a file is read within a size
//! limit, its `cmap` and collection header are bounded before typst looks,
//! and the rest runs on a worker thread with a time limit. A bad file is
//! skipped with a warning that names it.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use typst::foundations::Bytes;
use typst::text::{Font, FontInfo};
use typst_kit::fonts::FontSource;

use crate::diagnostic::Diagnostic;
use crate::sandbox::{self, Problem};
use crate::source::{display_path, show_path};

/// Code points typst may collect from a face's `cmap` subtables: eight
/// times all of Unicode. A real font lists each code point once or twice.
const CODE_POINTS: u64 = 8 * 0x11_0000;
/// Faces a collection (`.ttc`) may hold.
const FACES: u32 = 1024;
/// Time one file may take to read its faces' metadata.
const TIME: Duration = Duration::from_secs(20);
/// Folder levels below a font folder that are searched.
const DEPTH: usize = 16;

/// A font file that passed validation: typst loads it from here when it is
/// first used, validating it again (it may have changed since).
#[derive(Debug)]
pub struct FontFile {
    pub path: PathBuf,
    pub index: u32,
    /// Inside a publication folder: the file as it resolved inside the
    /// publication, read from there without following a link (a link
    /// swapped in since is refused, never followed out).
    confined: Option<PathBuf>,
}

impl FontSource for FontFile {
    fn load(&self) -> Option<Font> {
        let data = read_font(&self.path, self.confined.as_deref()).ok()?;
        sane(&data, self.index).ok()?;
        sandbox::contain(|| Font::new(Bytes::new(data), self.index))
            .ok()
            .flatten()
    }
}

/// A font file that cannot be used: why, and the families it holds as far
/// as its `name` table can still be read (a file cut short often keeps
/// it: the table directory and the names come before the glyphs).
#[derive(Debug, Clone)]
pub struct Skipped {
    pub path: PathBuf,
    pub why: String,
    /// Family names (typographic, family and full names), when readable.
    pub families: Vec<String>,
    /// A link leading out of the publication (never read).
    pub outside: bool,
}

impl Skipped {
    /// `data`: the file's bytes when it could be read (a damaged font),
    /// for the families it names; a file refused (a link leading out of
    /// the publication, not a file, too large) is never read.
    fn new(error: sandbox::Error, data: Option<&[u8]>) -> Skipped {
        let path = error.path();
        let families = data.map(family_names).unwrap_or_default();
        Skipped {
            path: path.to_path_buf(),
            why: error.problem().to_string(),
            families,
            outside: matches!(
                error.problem(),
                Problem::Refused(sandbox::Refusal::Outside { .. })
            ),
        }
    }

    /// Whether the file holds the family `name` (as `[fonts]` names it,
    /// any case).
    pub fn holds(&self, name: &str) -> bool {
        self.families.iter().any(|f| f.eq_ignore_ascii_case(name))
    }

    /// The warning that names it.
    pub fn warning(&self) -> Diagnostic {
        Diagnostic::file_warning(
            "bad-font",
            &display_path(&self.path),
            format!(
                "字体文件 {} 不能用，跳过：{}",
                show_path(&self.path),
                self.why
            ),
        )
        .with_help(if self.outside {
            "把字体文件复制进简报文件夹，不要用指向外面的链接；要用别处的字体，在命令行用 --font-path 指定它所在的文件夹"
        } else {
            "删掉或换掉这个字体文件（从字体厂商处重新下载或复制一份）"
        })
    }
}

/// The family names in the `name` tables of the faces of `data`, as far as
/// they can be read, without typst (which refuses a damaged file whole).
fn family_names(data: &[u8]) -> Vec<String> {
    use ttf_parser::name_id::{FAMILY, FULL_NAME, TYPOGRAPHIC_FAMILY};
    let faces = ttf_parser::fonts_in_collection(data)
        .unwrap_or(1)
        .min(FACES);
    let mut names: Vec<String> = (0..faces)
        .filter_map(|index| ttf_parser::RawFace::parse(data, index).ok())
        .filter_map(|face| face.table(ttf_parser::Tag::from_bytes(b"name")))
        .filter_map(ttf_parser::name::Table::parse)
        .flat_map(|table| {
            table
                .names
                .into_iter()
                .filter(|n| matches!(n.name_id, FAMILY | FULL_NAME | TYPOGRAPHIC_FAMILY))
                .filter_map(|n| n.to_string())
                .collect::<Vec<_>>()
        })
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Every face of the font files in `dir` (and the folders below it, links
/// to folders not followed). With `sandbox`, a file that is a link must
/// lead inside that folder: one that leads out is skipped without being
/// opened, and the file is read where it resolved, never through a link.
/// Bad files are skipped, into `skipped`.
pub fn scan_folder(
    dir: &Path,
    sandbox: Option<&Path>,
    skipped: &mut Vec<Skipped>,
) -> Vec<(FontFile, FontInfo)> {
    let mut files = Vec::new();
    font_files(dir, 0, &mut files);
    let mut found = Vec::new();
    for path in files {
        let real = match sandbox {
            Some(root) => sandbox::inside(root, &path).map(Some),
            None => path
                .canonicalize()
                .map(|_| None)
                .map_err(|_| sandbox::Refusal::Missing),
        };
        match real {
            Ok(confined) => match faces(&path, confined) {
                Ok(faces) => found.extend(faces),
                Err(skip) => skipped.push(skip),
            },
            Err(why) => skipped.push(Skipped::new(
                sandbox::Error::new(&path, Problem::Refused(why)),
                None,
            )),
        }
    }
    found
}

/// Every face of the system's font files (`--system-fonts`, `[fonts]
/// system = true`), found by fontdb and validated here.
pub fn scan_system(skipped: &mut Vec<Skipped>) -> Vec<(FontFile, FontInfo)> {
    let mut db = fontdb::Database::new();
    db.load_system_fonts();
    let mut paths: Vec<PathBuf> = db
        .faces()
        .filter_map(|face| match &face.source {
            fontdb::Source::File(path) | fontdb::Source::SharedFile(path, _) => Some(path.clone()),
            fontdb::Source::Binary(_) => None,
        })
        .collect();
    paths.sort();
    paths.dedup();
    let mut found = Vec::new();
    for path in paths {
        match faces(&path, None) {
            Ok(faces) => found.extend(faces),
            Err(skip) => skipped.push(skip),
        }
    }
    found
}

/// The font files below `dir`, sorted, links to folders not followed.
fn font_files(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    for (path, kind) in sandbox::list_dir(dir).unwrap_or_default() {
        if kind.is_dir() {
            if depth < DEPTH {
                font_files(&path, depth + 1, out);
            }
        } else if is_font_file(&path) {
            out.push(path);
        }
    }
}

fn is_font_file(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "ttf" | "otf" | "ttc" | "otc"
        )
    })
}

/// The bytes of the font file `path`; `confined`: where it resolved
/// inside the publication, read from there without following a link.
fn read_font(path: &Path, confined: Option<&Path>) -> Result<Vec<u8>, sandbox::Refusal> {
    match confined {
        Some(real) => sandbox::read_stamped(real, sandbox::FONT_LIMIT).map(|(data, _)| data),
        None => sandbox::read(path, sandbox::FONT_LIMIT),
    }
}

/// The faces of one font file with typst's metadata, or why it cannot be
/// used (see [`FontFile::confined`]).
fn faces(path: &Path, confined: Option<PathBuf>) -> Result<Vec<(FontFile, FontInfo)>, Skipped> {
    let data = read_font(path, confined.as_deref())
        .map_err(|r| Skipped::new(sandbox::Error::new(path, Problem::Refused(r)), None))?;
    let data = std::sync::Arc::new(data);
    checked_faces(path, confined, data.clone())
        .map_err(|problem| Skipped::new(sandbox::Error::new(path, problem), Some(&data)))
}

fn checked_faces(
    path: &Path,
    confined: Option<PathBuf>,
    data: std::sync::Arc<Vec<u8>>,
) -> Result<Vec<(FontFile, FontInfo)>, Problem> {
    let said = Problem::Said;
    let count = match ttf_parser::fonts_in_collection(&data) {
        Some(n) if n == 0 || n > FACES || u64::from(n) * 4 + 12 > data.len() as u64 => {
            return Err(said(format!("字体集合的文件头说有 {n} 个字体，与文件不符")));
        }
        Some(n) => n,
        None => 1,
    };
    for index in 0..count {
        intact(&data, index)?;
        sane(&data, index)?;
    }
    let infos = with_time_limit(move || {
        sandbox::contain(|| {
            (0..count)
                .filter_map(|index| Some((index, FontInfo::new(&data, index)?)))
                .collect::<Vec<_>>()
        })
    })
    .ok_or_else(|| said(format!("读取字体信息超过 {} 秒", TIME.as_secs())))?
    .map_err(|panic| said(format!("读取字体信息时出错（{panic}）")))?;
    if infos.is_empty() {
        return Err(said(
            "typst 读不了这个字体：文件已损坏，或不是 TrueType/OpenType 字体".into(),
        ));
    }
    Ok(infos
        .into_iter()
        .map(|(index, info)| {
            (
                FontFile {
                    path: path.to_path_buf(),
                    index,
                    confined: confined.clone(),
                },
                info,
            )
        })
        .collect())
}

/// Runs `work` on a worker thread and gives up after [`TIME`] (the thread
/// is left to finish on its own). Without threads (a process limit), runs
/// it here.
fn with_time_limit<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    let work = std::sync::Arc::new(std::sync::Mutex::new(Some(work)));
    let worker = work.clone();
    let spawned = std::thread::Builder::new().spawn(move || {
        if let Some(work) = worker.lock().ok().and_then(|mut w| w.take()) {
            let _ = tx.send(work());
        }
    });
    match spawned {
        Ok(_) => rx.recv_timeout(TIME).ok(),
        Err(_) => {
            let work = work.lock().ok()?.take()?;
            Some(work())
        }
    }
}

/// Whether face `index` of `data` is all there: its table directory can
/// be read and every table it lists lies inside the file. A font cut
/// short (a copy or download that did not finish) is refused here: typst
/// would read what is left, or nothing, and a family that is in the file
/// would be "not found", or print blanks where the glyphs are missing.
fn intact(data: &[u8], index: u32) -> Result<(), Problem> {
    let size = |n: u64| match sandbox::human_size(n) {
        s if n < 1024 => s,
        s => format!("{s}（{n} 字节）"),
    };
    let face = match ttf_parser::RawFace::parse(data, index) {
        Ok(face) => face,
        Err(ttf_parser::FaceParsingError::UnknownMagic) => {
            return Err(Problem::Said(
                "不是 TrueType/OpenType 字体文件（文件开头不是字体的标记）".into(),
            ));
        }
        Err(_) => {
            return Err(Problem::Said(format!(
                "文件已损坏或不完整：只有 {}，字体的目录都读不全",
                size(data.len() as u64)
            )));
        }
    };
    let end = face
        .table_records
        .into_iter()
        .map(|r| u64::from(r.offset) + u64::from(r.length))
        .max()
        .unwrap_or(0);
    if end > data.len() as u64 {
        return Err(Problem::Said(format!(
            "文件不完整：字体的数据应当有 {}，文件只有 {}（没有复制完或下载中断）",
            size(end),
            size(data.len() as u64)
        )));
    }
    // A file damaged inside (bytes overwritten, a download that stopped
    // in a file made full length beforehand) keeps its length and its
    // directory: its glyph tables then no longer add up to the checksums
    // the directory lists, and typst would print blanks or garbage. Only
    // the glyph tables are summed: fonts in use get them right, while
    // some old ones have a stale checksum in a table of names or metrics.
    for r in face.table_records {
        if !GLYPH_TABLES.contains(&&r.tag.to_bytes()) {
            continue;
        }
        let start = r.offset as usize;
        let table = &data[start..start + r.length as usize];
        if table_checksum(table) != r.check_sum {
            return Err(Problem::Said(format!(
                "文件已损坏：字体里的 {} 表和它的校验和对不上（字形会印成空白或乱码）",
                String::from_utf8_lossy(&r.tag.to_bytes()).trim_end()
            )));
        }
    }
    Ok(())
}

/// The tables that hold the glyphs and their widths.
const GLYPH_TABLES: [&[u8; 4]; 7] = [
    b"glyf", b"loca", b"CFF ", b"CFF2", b"hmtx", b"vmtx", b"cmap",
];

/// An OpenType table's checksum: its big-endian 32-bit words summed,
/// the last one padded with zeros.
fn table_checksum(table: &[u8]) -> u32 {
    table.chunks(4).fold(0u32, |sum, word| {
        let mut padded = [0u8; 4];
        padded[..word.len()].copy_from_slice(word);
        sum.wrapping_add(u32::from_be_bytes(padded))
    })
}

/// Whether typst can read the metadata of face `index` in `data` in
/// bounded time and memory: the code points its `cmap` subtables list, as
/// typst will collect them (every Unicode subtable, each time it is
/// listed), are counted from the tables' headers and must stay under
/// [`CODE_POINTS`]. A face ttf-parser cannot parse at all is fine here:
/// typst skips it.
fn sane(data: &[u8], index: u32) -> Result<(), Problem> {
    let Ok(face) = ttf_parser::RawFace::parse(data, index) else {
        return Ok(());
    };
    let Some(cmap) = face.table(ttf_parser::Tag::from_bytes(b"cmap")) else {
        return Ok(());
    };
    let records = u16_at(cmap, 2).unwrap_or(0) as usize;
    let mut total: u64 = 0;
    for r in 0..records {
        let at = 4 + r * 8;
        let (Some(platform), Some(encoding), Some(offset)) =
            (u16_at(cmap, at), u16_at(cmap, at + 2), u32_at(cmap, at + 4))
        else {
            break;
        };
        let Some(sub) = cmap.get(offset as usize..) else {
            continue;
        };
        let Some(format) = u16_at(sub, 0) else {
            continue;
        };
        // As ttf-parser's `is_unicode` (an upper bound for Windows).
        let unicode =
            platform == 0 || (platform == 3 && (encoding == 1 || matches!(format, 12 | 13)));
        if unicode {
            total += code_points(sub, format);
        }
        if total > CODE_POINTS {
            return Err(Problem::Said(format!(
                "cmap 表损坏：声称有 {total} 个以上的字符，超过 Unicode 的范围"
            )));
        }
    }
    Ok(())
}

/// How many code points ttf-parser enumerates for one `cmap` subtable.
fn code_points(sub: &[u8], format: u16) -> u64 {
    match format {
        0 => 256,
        // High-byte mapping: up to 256 × 65,536; never a Unicode table.
        2 => 256 * 65_536,
        4 => {
            let segments = u16_at(sub, 6).unwrap_or(0) as usize / 2;
            let (ends, starts) = (14, 16 + segments * 2);
            let mut n = 0;
            for i in 0..segments {
                let (Some(end), Some(start)) =
                    (u16_at(sub, ends + i * 2), u16_at(sub, starts + i * 2))
                else {
                    return 0;
                };
                if start == 0xFFFF && end == 0xFFFF {
                    break;
                }
                n += u64::from(end.saturating_sub(start)) + u64::from(end >= start);
            }
            n
        }
        6 => u64::from(u16_at(sub, 8).unwrap_or(0)),
        10 => u64::from(u32_at(sub, 16).unwrap_or(0)),
        12 | 13 => {
            let groups = u32_at(sub, 12).unwrap_or(0) as usize;
            // ttf-parser reads no group that is not all in the table.
            if sub.len() < 16 + groups.saturating_mul(12) {
                return 0;
            }
            (0..groups)
                .map(|g| {
                    let at = 16 + g * 12;
                    let (start, end) = (
                        u32_at(sub, at).unwrap_or(0),
                        u32_at(sub, at + 4).unwrap_or(0),
                    );
                    if end >= start {
                        u64::from(end - start) + 1
                    } else {
                        0
                    }
                })
                .sum()
        }
        _ => 0,
    }
}

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal sfnt with one table, `cmap`, holding one format-12
    /// subtable of the given groups.
    fn font_with_cmap12(groups: &[(u32, u32)]) -> Vec<u8> {
        let mut sub = Vec::new();
        sub.extend(12u16.to_be_bytes());
        sub.extend(0u16.to_be_bytes());
        sub.extend(((16 + groups.len() * 12) as u32).to_be_bytes());
        sub.extend(0u32.to_be_bytes());
        sub.extend((groups.len() as u32).to_be_bytes());
        for (s, e) in groups {
            sub.extend(s.to_be_bytes());
            sub.extend(e.to_be_bytes());
            sub.extend(1u32.to_be_bytes());
        }
        let mut cmap = Vec::new();
        cmap.extend(0u16.to_be_bytes());
        cmap.extend(1u16.to_be_bytes());
        cmap.extend(3u16.to_be_bytes());
        cmap.extend(10u16.to_be_bytes());
        cmap.extend(12u32.to_be_bytes());
        cmap.extend(sub);
        let mut font = Vec::new();
        font.extend(0x0001_0000u32.to_be_bytes());
        font.extend(1u16.to_be_bytes());
        font.extend([0u8; 6]);
        font.extend(b"cmap");
        font.extend(0u32.to_be_bytes());
        font.extend(28u32.to_be_bytes());
        font.extend((cmap.len() as u32).to_be_bytes());
        font.extend(cmap);
        font
    }

    #[test]
    fn a_cmap_claiming_billions_of_code_points_is_refused_without_reading_them() {
        let bad = font_with_cmap12(&[(0, 0xFFFF_FFFE), (0, 0xFFFF_FFFE)]);
        assert!(sane(&bad, 0).unwrap_err().to_string().contains("cmap"));
        let good = font_with_cmap12(&[(0x20, 0x7E), (0x4E00, 0x9FFF)]);
        assert!(sane(&good, 0).is_ok());
    }
}
