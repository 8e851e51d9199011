//! Fonts by role. The default set is embedded in the binary; `[fonts]` in
//! jianbao.toml and `--font-path` put an office's own faces (方正小标宋简体,
//! 仿宋_GB2312 …) in front of them. A configured family that cannot be found
//! is an error, never a silent fallback; the system's fonts are looked at
//! only when asked for (`--system-fonts`, `[fonts] system = true`), and
//! every font file is validated before typst reads it (`scan`).

mod printed;
mod role;
mod scan;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

use rayon::prelude::*;
use typst::foundations::Bytes;
use typst::layout::Abs;
use typst::text::{
    Font, FontBook, FontInfo, FontInstance, FontStretch, FontStyle, FontVariant, FontVariations,
    FontWeight,
};
use typst::utils::LazyHash;
use typst_kit::fonts::FontStore;

pub use role::{Part, PrintedChar, Role, characters, printed_characters};
pub use scan::Skipped;

use crate::config::FontConfig;
use crate::diagnostic::{Diagnostic, UsageError, nearest};
use crate::issue::Issue;
use crate::source::show_path;

const DROID: &str = "Droid Sans Fallback";

/// The embedded family and weight of a role.
fn embedded(role: Role) -> (&'static str, u16) {
    match role {
        Role::Title => ("FandolSong", 700),
        Role::Body => ("FandolFang R", 400),
        Role::Heading => ("FandolHei", 400),
        Role::Subheading => ("FandolKai", 400),
        Role::Song => ("FandolSong", 400),
        Role::Fallback => (DROID, 400),
        Role::Latin => ("Liberation Serif", 400),
    }
}

/// Embedded faces of the same style tried after the role's own, for
/// characters the Fandol fonts lack (GB2312 and little more): a rare name
/// in 仿宋 stays 仿宋 rather than turning into a heavy sans: cwTeX 仿宋, a
/// Big5 face of traditional forms (0.92 em, centred in its cell).
fn same_style(role: Role) -> &'static [&'static str] {
    match role {
        Role::Body => &["cwTeXFangSong"],
        Role::Subheading => &["AR PL UKai"],
        Role::Title | Role::Song => &["AR PL UMing"],
        // Droid Sans Fallback is itself a 黑体-style sans.
        Role::Heading => &[DROID],
        Role::Fallback | Role::Latin => &[],
    }
}

/// Embedded faces of another style, but closer than a sans, tried before
/// Droid Sans Fallback: AR PL UMing has most of GBK, more than the 仿宋
/// faces together.
fn near_style(role: Role) -> &'static [&'static str] {
    match role {
        Role::Body => &["AR PL UMing"],
        _ => &[],
    }
}

/// The families `[fonts]` puts first for a role.
fn configured(role: Role, config: &FontConfig) -> &[String] {
    match role {
        Role::Title => &config.title,
        Role::Body => &config.body,
        Role::Heading => &config.heading,
        Role::Subheading => &config.subheading,
        Role::Song => &config.song,
        Role::Fallback => &config.fallback,
        Role::Latin => &config.latin,
    }
}

/// The embedded fonts; of a collection only its first face (the mainland
/// China variant of AR PL UKai and UMing) is used.
pub const EMBEDDED: [&[u8]; 11] = [
    include_bytes!("../../fonts/FandolSong-Bold.otf"),
    include_bytes!("../../fonts/FandolFang-Regular.otf"),
    include_bytes!("../../fonts/FandolHei-Regular.otf"),
    include_bytes!("../../fonts/FandolKai-Regular.otf"),
    include_bytes!("../../fonts/FandolSong-Regular.otf"),
    include_bytes!("../../fonts/DroidSansFallbackFull.ttf"),
    include_bytes!("../../fonts/LiberationSerif-Regular.ttf"),
    include_bytes!("../../fonts/LiberationSerif-Bold.ttf"),
    include_bytes!("../../fonts/cwfs.ttf"),
    include_bytes!("../../fonts/ukai.ttc"),
    include_bytes!("../../fonts/uming.ttc"),
];

/// The file names of [`EMBEDDED`], in the same order (`fonts/` of
/// jianbao's repository): `jianbao export` writes the fonts under them.
pub const EMBEDDED_NAMES: [&str; 11] = [
    "FandolSong-Bold.otf",
    "FandolFang-Regular.otf",
    "FandolHei-Regular.otf",
    "FandolKai-Regular.otf",
    "FandolSong-Regular.otf",
    "DroidSansFallbackFull.ttf",
    "LiberationSerif-Regular.ttf",
    "LiberationSerif-Bold.ttf",
    "cwfs.ttf",
    "ukai.ttc",
    "uming.ttc",
];

/// Where a face came from, for `jianbao fonts`.
#[derive(Debug, Clone)]
pub enum Origin {
    Embedded,
    File(PathBuf),
}

/// One family resolved for a role.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub family: String,
    /// Index of the chosen face in the font book.
    pub index: usize,
    pub origin: Origin,
    /// Whether this face has the style of its role (the office's own
    /// choice, the role's default or a fallback of the same style).
    pub same_style: bool,
}

/// All fonts of a build, loaded once and shared by every issue.
pub struct Fonts {
    store: FontStore,
    origins: Vec<Origin>,
    /// Per role (in `Role::ALL` order): the families tried in order, the
    /// role's own fallback last.
    roles: Vec<(u16, Vec<Resolved>)>,
    /// Instances of the resolved faces, for measuring, made when first
    /// used: instantiating hashes the whole font file, which for the large
    /// fallback faces costs more than a build.
    instances: HashMap<usize, OnceLock<Option<FontInstance>>>,
    /// Which family of a role covers a BMP character, per role: 0 not yet
    /// looked up, `NONE` for no family, else the family's position + 1.
    /// typst's coverage lookup is a linear scan over the font's ranges, far
    /// too slow for every character of a thousand issues.
    covered: Vec<Box<[AtomicU8]>>,
    /// Whether the faces of the roles are being hashed for typst
    /// ([`hash_ahead`]): started by the first measurement, as only a build
    /// measures.
    hashed_ahead: std::sync::Once,
    /// The parsed tables of each embedded face, when first needed.
    embedded_ttf: Vec<OnceLock<Option<ttf_parser::Face<'static>>>>,
    /// Per face in the book: what an embedded face prints (build.rs).
    printed: Vec<Option<&'static [(u32, u32)]>>,
    /// Font files that were skipped, each a warning naming the file.
    pub warnings: Vec<Diagnostic>,
}

const NONE: u8 = u8::MAX;

impl Fonts {
    /// The embedded set plus what `config` and `font_paths` add, and the
    /// system's fonts when `system` (`--system-fonts`, `[fonts] system`).
    /// `[fonts] paths` must stay inside the publication folder `root`
    /// (canonical); `--font-path` folders are the user's to name. Every
    /// configured family that cannot be found is named in the error.
    pub fn load(
        config: &FontConfig,
        root: &Path,
        font_paths: &[PathBuf],
        system: bool,
    ) -> Result<Fonts, UsageError> {
        let Gathered {
            store,
            origins,
            folders,
            skipped,
        } = gather(config, root, font_paths, system);
        let warnings = skipped.iter().map(Skipped::warning).collect();
        if let Some(missing) = folders.iter().find(|f| !f.exists) {
            return Err(
                UsageError::new(format!("字体文件夹 {} 不存在", show_path(&missing.path)))
                    .help("检查 jianbao.toml 的 [fonts] paths 或 --font-path"),
            );
        }
        if let Some(folder) = folders.iter().find(|f| f.refused.is_some()) {
            let refusal = folder.refused.as_deref().unwrap_or_default();
            return Err(UsageError::new(format!(
                "字体文件夹 {} {refusal}",
                show_path(&folder.path)
            ))
            .help("把字体放进简报文件夹；要用别处的字体，在命令行用 --font-path 文件夹"));
        }
        let (roles, missing) = resolve(config, store.book(), &origins);
        if !missing.is_empty() {
            return Err(missing_families(store.book(), &missing, &skipped));
        }
        let roles: Vec<(u16, Vec<Resolved>)> = roles
            .into_iter()
            .map(|r| {
                (
                    r.weight,
                    r.tried.into_iter().filter_map(Tried::found).collect(),
                )
            })
            .collect();
        // The faces resolved, and the Latin families at every role's weight:
        // typst sets a bold title's Latin letters in the family's bold.
        let book = store.book();
        let latin = &roles[Role::ALL.iter().position(|r| *r == Role::Latin).unwrap()].1;
        let weighted: Vec<usize> = roles
            .iter()
            .flat_map(|(weight, _)| {
                latin
                    .iter()
                    .filter_map(|f| select(book, &f.family, *weight))
            })
            .collect();
        let instances = roles
            .iter()
            .flat_map(|(_, f)| f)
            .map(|r| r.index)
            .chain(weighted)
            .map(|index| (index, OnceLock::new()))
            .collect();
        let covered = Role::ALL
            .iter()
            .map(|_| (0..=0xFFFF).map(|_| AtomicU8::new(0)).collect())
            .collect();
        let printed = origins
            .iter()
            .enumerate()
            .map(|(i, o)| match o {
                Origin::Embedded => printed::of(EMBEDDED_NAMES[i]),
                Origin::File(_) => None,
            })
            .collect();
        Ok(Fonts {
            hashed_ahead: std::sync::Once::new(),
            embedded_ttf: EMBEDDED.iter().map(|_| OnceLock::new()).collect(),
            covered,
            printed,
            store,
            origins,
            roles,
            instances,
            warnings,
        })
    }

    pub fn book(&self) -> &LazyHash<FontBook> {
        self.store.book()
    }

    pub fn font(&self, index: usize) -> Option<Font> {
        self.store.font(index)
    }

    pub fn origin(&self, index: usize) -> &Origin {
        &self.origins[index]
    }

    /// The file a face of the roles was loaded from: its name and its
    /// bytes, exactly (a collection whole), for `jianbao export`.
    pub fn file_of(&self, font: &Font) -> Option<(String, Bytes)> {
        // Any face at hand, not only the ones roles resolved to: typst picks
        // the bold of a family (Liberation Serif in a bold title) itself.
        let index = (0..self.origins.len()).find(|&i| {
            self.book()
                .info(i)
                .is_some_and(|info| info.family == font.info().family)
                && self.store.font(i).as_ref() == Some(font)
        })?;
        let name = match &self.origins[index] {
            Origin::Embedded => EMBEDDED_NAMES[index].to_string(),
            Origin::File(path) => path.file_name()?.to_string_lossy().into_owned(),
        };
        Some((name, font.data().clone()))
    }

    /// The families of a role in the order tried, and its weight.
    pub fn role(&self, role: Role) -> (u16, &[Resolved]) {
        let (w, f) = &self.roles[Role::ALL.iter().position(|r| *r == role).unwrap()];
        (*w, f)
    }

    /// What the faces of every role are, for telling whether a PDF is
    /// current: each face's family and variant, and its file's length and
    /// first 16 KiB. An OpenType file's table directory, at its start,
    /// holds a checksum of every table, so those bytes change whenever the
    /// font does; reading them costs nothing next to hashing a 20 MB face.
    pub fn identity(&self) -> Vec<u8> {
        const HEAD: usize = 16 * 1024;
        let mut out = Vec::new();
        for (weight, families) in &self.roles {
            out.extend_from_slice(&weight.to_le_bytes());
            for r in families {
                let info = self.book().info(r.index);
                out.extend_from_slice(
                    format!("{}\0{:?}\0", r.family, info.map(|i| i.variant)).as_bytes(),
                );
                match &self.origins[r.index] {
                    Origin::Embedded => {
                        if let Some(font) = self.store.font(r.index) {
                            let data: &[u8] = font.data();
                            out.extend_from_slice(&(data.len() as u64).to_le_bytes());
                            out.extend_from_slice(&data[..data.len().min(HEAD)]);
                        }
                    }
                    Origin::File(path) => {
                        use std::io::Read;
                        let len = std::fs::metadata(path).map_or(0, |m| m.len());
                        out.extend_from_slice(&len.to_le_bytes());
                        if let Ok(f) = std::fs::File::open(path) {
                            let _ = f.take(HEAD as u64).read_to_end(&mut out);
                        }
                    }
                }
            }
        }
        out
    }

    /// The first family of `role` whose face has a glyph for `c`.
    pub fn face_for(&self, role: Role, c: char) -> Option<&Resolved> {
        let r = Role::ALL.iter().position(|x| *x == role).unwrap();
        let families = &self.roles[r].1;
        let lookup = || families.iter().position(|f| self.prints(f.index, c));
        let Some(slot) = self.covered[r].get(c as usize) else {
            return lookup().map(|k| &families[k]);
        };
        let k = match slot.load(Ordering::Relaxed) {
            0 => {
                let found = lookup();
                slot.store(found.map_or(NONE, |k| k as u8 + 1), Ordering::Relaxed);
                found
            }
            NONE => None,
            k => Some(k as usize - 1),
        };
        k.map(|k| &families[k])
    }

    /// Whether the face at `index` prints `c`: maps it to a glyph with an
    /// outline ([`Fonts::maps`], [`Fonts::draws`]). For an embedded face
    /// the answer was found when jianbao was built.
    fn prints(&self, index: usize, c: char) -> bool {
        match self.printed.get(index).copied().flatten() {
            Some(ranges) => printed::contains(ranges, c),
            None => self.maps(index, c) && self.draws(index, c),
        }
    }

    /// Whether the face at `index` maps `c` to a glyph.
    pub fn maps(&self, index: usize, c: char) -> bool {
        self.book()
            .info(index)
            .is_some_and(|i| i.coverage.contains(c as u32))
    }

    /// Whether the face's glyph for `c` has an outline: AR PL UKai maps
    /// some rare characters (䶮) to empty glyphs, which would print as a
    /// blank. Spaces have none and need none.
    pub fn draws(&self, index: usize, c: char) -> bool {
        if c.is_whitespace() {
            return true;
        }
        let Some(font) = self.store.font(index) else {
            return false;
        };
        let Ok(face) = ttf_parser::Face::parse(font.data(), font.index()) else {
            return false;
        };
        face.glyph_index(c)
            .is_some_and(|g| face.glyph_bounding_box(g).is_some())
    }

    /// Families of `role` tried before the one that prints `c` that map it
    /// to an empty glyph: the layout must skip them for `c`.
    pub fn blank_in(&self, role: Role, c: char) -> Vec<&str> {
        let (_, families) = self.role(role);
        let chosen = self.face_for(role, c).map_or(families.len(), |f| {
            families
                .iter()
                .position(|g| g.index == f.index)
                .unwrap_or(0)
        });
        families[..chosen]
            .iter()
            .filter(|f| self.maps(f.index, c))
            .map(|f| f.family.as_str())
            .collect()
    }

    /// The advance of `c` in em, in the face of `role` that prints it;
    /// `None` when no face of the role has it.
    pub fn advance(&self, role: Role, c: char) -> Option<f64> {
        self.advance_in(self.face_for(role, c)?.index, c)
    }

    /// The advance of `c` in em as typst sets it in text of `role` (a
    /// centred title): from the Latin family that has it, at the role's
    /// weight (Liberation Serif Bold in a bold title, wider than the
    /// regular), when `latin`; else, or when no Latin family has it, from
    /// the role's own faces.
    pub fn advance_as(&self, role: Role, c: char, latin: bool) -> Option<f64> {
        let weighted = || {
            let family = &self.face_for(Role::Latin, c)?.family;
            let index = select(self.book(), family, self.role(role).0)?;
            self.advance_in(index, c)
        };
        latin
            .then(weighted)
            .flatten()
            .or_else(|| self.advance(role, c))
    }

    /// The advance of `c` in em in the face at `index` of the font book.
    fn advance_in(&self, index: usize, c: char) -> Option<f64> {
        self.hashed_ahead
            .call_once(|| hash_ahead(&self.store, &self.roles));
        if let Some(ttf) = self.embedded_ttf(index) {
            // The embedded faces have no variation axes: an advance is the
            // hmtx table's, what an instance reads too (typst's `to_em`).
            // Making an instance would hash the whole file first.
            let units = ttf.glyph_hor_advance(ttf.glyph_index(c)?)?;
            return Some(f64::from(units) / f64::from(ttf.units_per_em()));
        }
        let font = self.instances.get(&index)?.get_or_init(|| {
            let font = self.store.font(index)?;
            let info = self.book().info(index)?;
            Some(font.instantiate(info.variant, Abs::pt(16.0), &FontVariations::default()))
        });
        let font = font.as_ref()?;
        let glyph = font.ttf().glyph_index(c)?;
        font.x_advance(glyph.0).map(|em| em.get())
    }

    /// The parsed tables of an embedded face (`None` for a face from a
    /// file or one with variation axes), parsed when first asked for.
    fn embedded_ttf(&self, index: usize) -> Option<&ttf_parser::Face<'static>> {
        let data: &'static [u8] = EMBEDDED.get(index)?;
        self.embedded_ttf
            .get(index)?
            .get_or_init(|| {
                let face = ttf_parser::Face::parse(data, 0).ok()?;
                (!face.is_variable()).then_some(face)
            })
            .as_ref()
    }

    /// The characters of an issue that its role's own face lacks, each
    /// once per role, at its first place, with the family that prints it
    /// instead (`None`: no family can).
    pub fn fallbacks(&self, issue: &Issue) -> Vec<Fallback<'_>> {
        let mut found: Vec<Fallback> = Vec::new();
        let placed = characters(&issue.source, Some(&issue.front.distribution), &issue.body);
        for p in placed {
            if p.c.is_whitespace() || found.iter().any(|f| f.c == p.c && f.role == p.role) {
                continue;
            }
            // A narrow character (−, ₃) is set from the Latin face first,
            // as the layout's font list does: that is its own face.
            if !crate::script::is_wide(p.c) && self.face_for(Role::Latin, p.c).is_some() {
                continue;
            }
            let own = &self.role(p.role).1[0];
            let family = match self.face_for(p.role, p.c) {
                Some(face) if face.index == own.index => continue,
                Some(face) => Some(face.family.as_str()),
                None => None,
            };
            found.push(Fallback {
                c: p.c,
                role: p.role,
                family,
                offset: p.offset,
            });
        }
        found
    }
}

/// Hashes the first face of each role on a thread of its own. typst keys
/// its memoised work by a hash of the whole font file, computed the first
/// time a face is used and kept: 30 MB for the Fandol faces, an eighth of
/// a cold build. Started when lines are first measured, it overlaps line
/// breaking and the evaluation of the layout, which use one thread. Not
/// the fallback role's: it prints only characters the others lack, so
/// most issues never use it (Droid Sans Fallback, 4 MB).
fn hash_ahead(store: &FontStore, roles: &[(u16, Vec<Resolved>)]) {
    let mut faces: Vec<usize> = Role::ALL
        .iter()
        .zip(roles)
        .filter(|(role, _)| **role != Role::Fallback)
        .filter_map(|(_, (_, families))| Some(families.first()?.index))
        .collect();
    faces.sort_unstable();
    faces.dedup();
    let fonts: Vec<Font> = faces.into_iter().filter_map(|i| store.font(i)).collect();
    // Nothing waits for it: a face typst reaches first it hashes itself.
    let _ = std::thread::Builder::new()
        .name("font hashes".into())
        .spawn(move || {
            for font in fonts {
                typst::utils::hash128(&font);
            }
        });
}

/// A character printed by a later family of its role than the first.
#[derive(Debug, Clone)]
pub struct Fallback<'a> {
    pub c: char,
    pub role: Role,
    /// The family that prints it; `None` when no family of the role can.
    pub family: Option<&'a str>,
    /// Where it first occurs in the issue file.
    pub offset: usize,
}

/// One family a role tries: a face at hand, or a family `[fonts]` names
/// that is not there (a build refuses to start until it is found).
#[derive(Debug, Clone)]
pub enum Tried {
    Found(Resolved),
    Missing(String),
}

impl Tried {
    fn found(self) -> Option<Resolved> {
        match self {
            Tried::Found(r) => Some(r),
            Tried::Missing(_) => None,
        }
    }
}

/// The families a role tries, in order, and its weight.
#[derive(Debug, Clone)]
pub struct RoleFaces {
    pub role: Role,
    pub weight: u16,
    pub tried: Vec<Tried>,
}

/// What each role tries, in `Role::ALL` order, with its weight: the
/// office's own families, the role's default, its same-style fallbacks,
/// the office's own fallbacks, and Droid Sans Fallback for whatever is
/// left. And every configured family that is not in `book` (a missing
/// configured fallback named once).
fn resolve(
    config: &FontConfig,
    book: &FontBook,
    origins: &[Origin],
) -> (Vec<RoleFaces>, Vec<(Role, String)>) {
    let mut missing: Vec<(Role, String)> = Vec::new();
    let mut roles = Vec::new();
    for role in Role::ALL {
        let (default, weight) = embedded(role);
        let mut tried: Vec<Tried> = Vec::new();
        let has = |tried: &[Tried], name: &str| {
            tried.iter().any(|t| match t {
                Tried::Found(f) => f.family.eq_ignore_ascii_case(name),
                Tried::Missing(m) => m == name,
            })
        };
        for name in configured(role, config) {
            let Some(index) = select(book, name, weight) else {
                // A configured fallback is tried by the roles before its
                // own: named once.
                if !missing.contains(&(role, name.clone())) {
                    missing.push((role, name.clone()));
                }
                tried.push(Tried::Missing(name.clone()));
                continue;
            };
            tried.push(Tried::Found(Resolved {
                family: book.info(index).unwrap().family.clone(),
                index,
                origin: origins[index].clone(),
                same_style: true,
            }));
        }
        let own =
            std::iter::once((default, true)).chain(same_style(role).iter().map(|f| (*f, true)));
        let others = (role != Role::Latin)
            .then(|| {
                near_style(role)
                    .iter()
                    .map(|f| (*f, false))
                    .chain(config.fallback.iter().map(|f| (f.as_str(), false)))
                    .chain([(DROID, false)])
            })
            .into_iter()
            .flatten();
        for (name, same_style) in own.chain(others) {
            if has(&tried, name) {
                continue;
            }
            let Some(index) = select(book, name, weight) else {
                // A configured fallback that is missing (named once).
                if !missing.iter().any(|(_, m)| m == name) {
                    missing.push((Role::Fallback, name.to_string()));
                }
                tried.push(Tried::Missing(name.to_string()));
                continue;
            };
            let info = book.info(index).unwrap();
            // A light face standing in for a bold one (AR PL UMing in a
            // 小标宋 title) is not the same style to a reader.
            let weight_off =
                (i32::from(info.variant.weight.to_number()) - i32::from(weight)).abs() >= 300;
            tried.push(Tried::Found(Resolved {
                family: info.family.clone(),
                index,
                origin: origins[index].clone(),
                same_style: same_style && !weight_off,
            }));
        }
        roles.push(RoleFaces {
            role,
            weight,
            tried,
        });
    }
    (roles, missing)
}

/// A font folder from `[fonts] paths` or `--font-path`.
#[derive(Debug, Clone)]
pub struct FontFolder {
    pub path: PathBuf,
    /// From `--font-path` rather than jianbao.toml.
    pub from_command_line: bool,
    pub exists: bool,
    /// Why a `[fonts] paths` folder is not read: it leads out of the
    /// publication folder.
    pub refused: Option<String>,
}

/// Every face at hand: the embedded ones, those in the font folders
/// (validated first: a bad file is a warning, skipped), and the system's
/// when asked for — a build does not depend on what happens to be
/// installed.
struct Gathered {
    store: FontStore,
    origins: Vec<Origin>,
    folders: Vec<FontFolder>,
    /// The font files that cannot be used.
    skipped: Vec<Skipped>,
}

fn gather(config: &FontConfig, root: &Path, font_paths: &[PathBuf], system: bool) -> Gathered {
    let mut skipped = Vec::new();
    let mut store = FontStore::new();
    let mut origins = Vec::new();
    // Reading a face's coverage walks its whole cmap (a tenth of a cold
    // build for the eleven): the faces side by side.
    let embedded: Vec<Font> = EMBEDDED
        .par_iter()
        .map(|data| Font::new(Bytes::new(*data), 0).expect("embedded fonts parse"))
        .collect();
    for font in embedded {
        let info = font.info().clone();
        store.push((font, info));
        origins.push(Origin::Embedded);
    }
    let folders: Vec<FontFolder> = config
        .paths
        .iter()
        .map(|p| (root.join(p), false))
        .chain(font_paths.iter().map(|p| (p.clone(), true)))
        .map(|(path, from_command_line)| {
            let exists = path.is_dir();
            let refused = (exists && !from_command_line)
                .then(|| crate::sandbox::inside(root, &path).err())
                .flatten()
                .map(|refusal| refusal.to_string());
            FontFolder {
                exists,
                path,
                from_command_line,
                refused,
            }
        })
        .collect();
    // A folder named twice is read once.
    let mut scanned = std::collections::HashSet::new();
    for folder in folders.iter().filter(|f| f.exists && f.refused.is_none()) {
        let dir = &folder.path;
        if !scanned.insert(dir.canonicalize().unwrap_or_else(|_| dir.clone())) {
            continue;
        }
        // A folder inside the publication (`[fonts] paths`, or a
        // `--font-path` that is in it) is the publication's: a font file
        // there that links out of it is refused unread. A folder named on
        // the command line outside the publication is the user's, trusted
        // with its links.
        let in_publication = !folder.from_command_line
            || dir.canonicalize().is_ok_and(|real| real.starts_with(root));
        let sandbox = in_publication.then_some(root);
        for (file, info) in scan::scan_folder(dir, sandbox, &mut skipped) {
            origins.push(Origin::File(file.path.clone()));
            store.push((file, info));
        }
    }
    if system {
        for (file, info) in scan::scan_system(&mut skipped) {
            origins.push(Origin::File(file.path.clone()));
            store.push((file, info));
        }
    }
    Gathered {
        store,
        origins,
        folders,
        skipped,
    }
}

/// What `jianbao fonts` shows before anything is laid out: the families in
/// each font folder, with the exact names to type into `[fonts]`, and
/// whether each configured family was found, and what each role tries.
/// Never fails: a missing folder or family is part of the answer.
pub struct Survey {
    /// The faces built into jianbao, with the names of their files in its
    /// repository's `fonts/`.
    pub embedded: Vec<FoundFace>,
    /// Each folder and the faces found in it.
    pub folders: Vec<(FontFolder, Vec<FoundFace>)>,
    /// Each configured family: its role, the name as typed, and where it
    /// was found, or the near names when it was not.
    pub configured: Vec<Wanted>,
    /// What each role tries, in order, with its weight; a configured
    /// family that is missing is shown where it would be tried.
    pub roles: Vec<RoleFaces>,
}

/// A face in a font folder: its family (the name to type), its weight
/// and style, and its file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FoundFace {
    pub family: String,
    pub style: String,
    pub path: PathBuf,
}

pub struct Wanted {
    pub role: Role,
    pub name: String,
    pub found: Result<Origin, Vec<String>>,
    /// Font files that hold the family but cannot be used (damaged, cut
    /// short): why it is not found.
    pub damaged: Vec<Skipped>,
}

impl Survey {
    /// The survey, and the font files that were skipped (warnings).
    pub fn new(
        config: &FontConfig,
        root: &Path,
        font_paths: &[PathBuf],
        system: bool,
    ) -> (Survey, Vec<Diagnostic>) {
        let Gathered {
            store,
            origins,
            folders,
            skipped,
        } = gather(config, root, font_paths, system);
        let book = store.book();
        let folders = folders
            .into_iter()
            .map(|folder| {
                let mut faces: Vec<FoundFace> = origins
                    .iter()
                    .enumerate()
                    .filter_map(|(i, o)| match o {
                        Origin::File(p) if p.starts_with(&folder.path) => {
                            Some(found_face(book.info(i)?, p.clone()))
                        }
                        _ => None,
                    })
                    .collect();
                faces.sort();
                (folder, faces)
            })
            .collect();
        let mut configured_families = Vec::new();
        for role in Role::ALL {
            for name in configured(role, config) {
                let (_, weight) = embedded(role);
                let found = match select(book, name, weight) {
                    Some(i) => Ok(origins[i].clone()),
                    None => Err(near_families(book, name)
                        .into_iter()
                        .map(String::from)
                        .collect()),
                };
                let damaged = match found {
                    Ok(_) => Vec::new(),
                    Err(_) => skipped.iter().filter(|s| s.holds(name)).cloned().collect(),
                };
                configured_families.push(Wanted {
                    role,
                    name: name.clone(),
                    found,
                    damaged,
                });
            }
        }
        let embedded = EMBEDDED_NAMES
            .iter()
            .enumerate()
            .filter_map(|(i, name)| Some(found_face(book.info(i)?, PathBuf::from(name))))
            .collect();
        let (roles, _) = resolve(config, book, &origins);
        (
            Survey {
                embedded,
                folders,
                configured: configured_families,
                roles,
            },
            skipped.iter().map(Skipped::warning).collect(),
        )
    }
}

/// A face as `jianbao fonts` lists it: its family, its weight (and
/// 斜体 when italic), its file.
fn found_face(info: &FontInfo, path: PathBuf) -> FoundFace {
    let style = format!(
        "{}{}",
        info.variant.weight.to_number(),
        match info.variant.style {
            FontStyle::Normal => "",
            _ => " 斜体",
        }
    );
    FoundFace {
        family: info.family.clone(),
        style,
        path,
    }
}

fn select(book: &FontBook, family: &str, weight: u16) -> Option<usize> {
    book.select(
        &family.to_lowercase(),
        FontVariant::new(
            FontStyle::Normal,
            FontWeight::from_number(weight),
            FontStretch::NORMAL,
        ),
    )
}

/// Families in `book` whose names are near `name`: the exact name to type.
fn near_families<'b>(book: &'b FontBook, name: &str) -> Vec<&'b str> {
    let lower = name.to_lowercase();
    book.families()
        .map(|(f, _)| f)
        .filter(|f| {
            let f_lower = f.to_lowercase();
            f_lower.contains(&lower) || lower.contains(&f_lower) || nearest(name, &[f]).is_some()
        })
        .take(5)
        .collect()
}

/// The error for configured families that are not there. A family that
/// is in a font file typst cannot read (damaged, cut short) is said to be
/// there, in that file, with what is wrong with it: "not found" would send
/// the office looking for a font it has. Files whose names cannot be read
/// either are named as where the others may be.
fn missing_families(
    book: &FontBook,
    missing: &[(Role, String)],
    skipped: &[Skipped],
) -> UsageError {
    let mut damaged = Vec::new();
    let mut not_found = Vec::new();
    for (role, name) in missing {
        match skipped.iter().find(|s| s.holds(name)) {
            Some(file) => damaged.push(format!(
                "{} “{name}”在字体文件 {} 里，但这个文件不是 typst 能读的字体：{}",
                role.key(),
                show_path(&file.path),
                file.why
            )),
            None => not_found.push(format!("{} “{name}”", role.key())),
        }
    }
    let message = match (damaged.is_empty(), not_found.is_empty()) {
        (false, true) => format!("jianbao.toml [fonts] 里的 {}", damaged.join("；")),
        (false, false) => format!(
            "jianbao.toml [fonts] 里的 {}；另外找不到 {}",
            damaged.join("；"),
            not_found.join("，")
        ),
        (true, _) => format!(
            "找不到 jianbao.toml [fonts] 里的 {} 个字体：{}",
            missing.len(),
            not_found.join("，")
        ),
    };
    let mut help = Vec::new();
    if !damaged.is_empty() {
        help.push("字体文件已损坏或不完整（常见于没有复制完、下载中断）：从字体厂商处或原来的电脑重新复制一份完整的字体文件，替换它".to_string());
    }
    if !not_found.is_empty() {
        // Files no family name could be read from: the font may be there.
        const LISTED: usize = 5;
        let unknown: Vec<&Skipped> = skipped.iter().filter(|s| s.families.is_empty()).collect();
        for file in unknown.iter().take(LISTED) {
            help.push(format!(
                "字体文件 {} 读不了（{}），要找的字体可能就在里面",
                show_path(&file.path),
                file.why
            ));
        }
        if unknown.len() > LISTED {
            help.push(format!(
                "还有 {} 个读不了的字体文件",
                unknown.len() - LISTED
            ));
        }
        for (_, name) in missing
            .iter()
            .filter(|(_, n)| !skipped.iter().any(|s| s.holds(n)))
        {
            let near = near_families(book, name);
            if !near.is_empty() {
                help.push(format!("“{name}”相近的有：{}", near.join("、")));
            }
        }
        help.push("`jianbao fonts` 列出字体文件夹里的每一种字体和要填的准确名字；字体文件放进一个文件夹，用 [fonts] paths = [\"文件夹\"] 或 --font-path 指定；装在系统里的字体要加 --system-fonts（或 [fonts] system = true）".to_string());
    }
    UsageError::new(message).help(help.join("\n        "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use typst::layout::Abs;
    use typst::text::FontVariations;

    /// An embedded face's advance read from its tables is the advance of a
    /// typst instance of it (what the layout measures), to the bit.
    #[test]
    fn advances_are_those_of_typst_instances() {
        let fonts = Fonts::load(
            &FontConfig::default(),
            std::path::Path::new("."),
            &[],
            false,
        )
        .expect("embedded fonts load");
        for role in Role::ALL {
            for c in "，。永国　Ag1（䶮".chars() {
                let Some(ours) = fonts.advance(role, c) else {
                    continue;
                };
                let index = fonts.face_for(role, c).unwrap().index;
                let font = fonts.font(index).unwrap();
                let info = fonts.book().info(index).unwrap();
                let instance =
                    font.instantiate(info.variant, Abs::pt(16.0), &FontVariations::default());
                let glyph = instance.ttf().glyph_index(c).unwrap();
                let theirs = instance.x_advance(glyph.0).unwrap().get();
                assert_eq!(ours.to_bits(), theirs.to_bits(), "{role:?} {c}");
            }
        }
    }
}

/// The table of [`printed`] against the fonts it was made from (here,
/// where the embedded fonts are: `printed` imports nothing of this file).
#[cfg(test)]
mod printed_tests {
    use super::printed::{contains, of};
    use super::{EMBEDDED, EMBEDDED_NAMES};
    use typst::foundations::Bytes;
    use typst::text::Font;

    /// The table build.rs wrote says what typst's coverage and the glyph
    /// outlines say at run time, for every embedded face: every code point
    /// the face maps and a stride of those it does not.
    #[test]
    fn the_table_matches_the_fonts() {
        for (data, name) in EMBEDDED.iter().zip(EMBEDDED_NAMES) {
            let ranges = of(name).unwrap_or_else(|| panic!("no table for {name}"));
            let font = Font::new(Bytes::new(*data), 0).unwrap();
            let face = ttf_parser::Face::parse(data, 0).unwrap();
            let coverage = &font.info().coverage;
            let mapped: Vec<u32> = coverage.iter().collect();
            let unmapped = (0..0x3_0000u32).step_by(97);
            for cp in mapped.iter().copied().chain(unmapped) {
                let Some(c) = char::from_u32(cp) else {
                    continue;
                };
                let expected = coverage.contains(cp)
                    && (c.is_whitespace()
                        || face
                            .glyph_index(c)
                            .is_some_and(|g| face.glyph_bounding_box(g).is_some()));
                assert_eq!(contains(ranges, c), expected, "{name}: U+{cp:04X}");
            }
            assert!(!mapped.is_empty(), "{name}: maps nothing");
        }
    }

    /// AR PL UKai maps 䶮 to a glyph without an outline: it does not print
    /// it, though typst's coverage has it.
    #[test]
    fn an_empty_glyph_is_not_printed() {
        let ranges = of("ukai.ttc").unwrap();
        assert!(!contains(ranges, '䶮'));
        assert!(contains(ranges, '楷'));
    }

    #[test]
    fn ranges_are_searched_at_their_ends() {
        let ranges = [(0x20, 0x20), (0x4E00, 0x4E05), (0x4E07, 0x4E07)];
        for (c, holds) in [
            (' ', true),
            ('!', false),
            ('\u{4DFF}', false),
            ('\u{4E00}', true),
            ('\u{4E05}', true),
            ('\u{4E06}', false),
            ('\u{4E07}', true),
            ('\u{4E08}', false),
        ] {
            assert_eq!(contains(&ranges, c), holds, "{c:?}");
        }
    }
}
