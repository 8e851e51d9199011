//! Fonts by role. The default set is embedded in the binary; `[fonts]` in
//! jianbao.toml and `--font-path` put an office's own faces (方正小标宋简体,
//! 仿宋_GB2312 …) in front of them. A configured family that cannot be found
//! is an error, never a silent fallback.

mod role;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

use typst::foundations::Bytes;
use typst::layout::Abs;
use typst::text::{
    Font, FontBook, FontInfo, FontInstance, FontStretch, FontStyle, FontVariant, FontVariations,
    FontWeight,
};
use typst::utils::LazyHash;
use typst_kit::fonts::{FontPath, FontStore};

pub use role::{Part, Placed, Role, characters};

use crate::config::FontConfig;
use crate::diagnostic::{UsageError, nearest};
use crate::issue::Issue;

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
/// in 仿宋 stays 仿宋 rather than turning into a heavy sans.
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
/// Droid Sans Fallback: cwTeXFangSong is a Big5 font and lacks many
/// simplified and rare characters (堃 喆 镕 䶮) that AR PL UMing has.
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
const EMBEDDED: [&[u8]; 11] = [
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
const EMBEDDED_NAMES: [&str; 11] = [
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
}

const NONE: u8 = u8::MAX;

impl Fonts {
    /// The embedded set plus what `config` and `font_paths` add.
    pub fn load(
        config: &FontConfig,
        root: &Path,
        font_paths: &[PathBuf],
    ) -> Result<Fonts, UsageError> {
        let mut store = FontStore::new();
        let mut origins = Vec::new();
        for data in EMBEDDED {
            let font = Font::new(Bytes::new(data), 0).expect("embedded fonts parse");
            let info = font.info().clone();
            store.push((font, info));
            origins.push(Origin::Embedded);
        }
        let dirs = config
            .paths
            .iter()
            .map(|p| root.join(p))
            .chain(font_paths.iter().cloned());
        for dir in dirs {
            if !dir.exists() {
                return Err(
                    UsageError::new(format!("字体文件夹 {} 不存在", dir.display()))
                        .help("检查 jianbao.toml 的 [fonts] paths 或 --font-path"),
                );
            }
            add_scanned(&mut store, &mut origins, typst_kit::fonts::scan(&dir));
        }
        let wanted = Role::ALL.iter().flat_map(|&r| configured(r, config).iter());
        if wanted
            .clone()
            .any(|f| !store.book().contains_family(&f.to_lowercase()))
        {
            // Only scan the system when a named family is not at hand: it costs time.
            add_scanned(&mut store, &mut origins, typst_kit::fonts::system());
        }
        let mut roles = Vec::new();
        for role in Role::ALL {
            let (default, weight) = embedded(role);
            let mut families: Vec<Resolved> = Vec::new();
            for name in configured(role, config) {
                let index = select(store.book(), name, weight)
                    .ok_or_else(|| missing_family(store.book(), role, name))?;
                families.push(Resolved {
                    family: store.book().info(index).unwrap().family.clone(),
                    index,
                    origin: origins[index].clone(),
                    same_style: true,
                });
            }
            // The role's default, its same-style fallbacks, the office's own
            // fallbacks, and Droid Sans Fallback for whatever is left.
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
                if families.iter().any(|f| f.family.eq_ignore_ascii_case(name)) {
                    continue;
                }
                let Some(index) = select(store.book(), name, weight) else {
                    // A configured fallback that is missing.
                    return Err(missing_family(store.book(), Role::Fallback, name));
                };
                families.push(Resolved {
                    family: store.book().info(index).unwrap().family.clone(),
                    index,
                    origin: origins[index].clone(),
                    same_style,
                });
            }
            roles.push((weight, families));
        }
        let instances = roles
            .iter()
            .flat_map(|(_, f)| f)
            .map(|r| (r.index, OnceLock::new()))
            .collect();
        let covered = Role::ALL
            .iter()
            .map(|_| (0..=0xFFFF).map(|_| AtomicU8::new(0)).collect())
            .collect();
        Ok(Fonts {
            covered,
            store,
            origins,
            roles,
            instances,
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
        let index = self
            .roles
            .iter()
            .flat_map(|(_, families)| families)
            .map(|r| r.index)
            .find(|&i| self.store.font(i).as_ref() == Some(font))?;
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

    /// The first family of `role` whose face has a glyph for `c`.
    pub fn face_for(&self, role: Role, c: char) -> Option<&Resolved> {
        let r = Role::ALL.iter().position(|x| *x == role).unwrap();
        let families = &self.roles[r].1;
        let lookup = || {
            families.iter().position(|f| {
                self.book()
                    .info(f.index)
                    .is_some_and(|i| i.coverage.contains(c as u32))
            })
        };
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

    /// The advance of `c` in em, in the face of `role` that prints it;
    /// `None` when no face of the role has it.
    pub fn advance(&self, role: Role, c: char) -> Option<f64> {
        let index = self.face_for(role, c)?.index;
        let font = self.instances.get(&index)?.get_or_init(|| {
            let font = self.store.font(index)?;
            let info = self.book().info(index)?;
            Some(font.instantiate(info.variant, Abs::pt(16.0), &FontVariations::default()))
        });
        let font = font.as_ref()?;
        let glyph = font.ttf().glyph_index(c)?;
        font.x_advance(glyph.0).map(|em| em.get())
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

fn add_scanned(
    store: &mut FontStore,
    origins: &mut Vec<Origin>,
    fonts: impl Iterator<Item = (FontPath, FontInfo)>,
) {
    for (path, info) in fonts {
        origins.push(Origin::File(path.path.clone()));
        store.push((path, info));
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

fn missing_family(book: &FontBook, role: Role, name: &str) -> UsageError {
    let names: Vec<&str> = book.families().map(|(f, _)| f).collect();
    let near: Vec<&str> = names
        .iter()
        .copied()
        .filter(|f| f.contains(name) || name.contains(*f) || nearest(name, &[f]).is_some())
        .take(5)
        .collect();
    let help = if near.is_empty() {
        "把字体文件放进一个文件夹，用 [fonts] paths = [\"文件夹\"] 或 --font-path 指定；`jianbao fonts` 列出找到的字体".to_string()
    } else {
        format!("找到的相近字体：{}", near.join("、"))
    };
    UsageError::new(format!("找不到 [fonts] {} 里的字体“{name}”", role.key())).help(help)
}
