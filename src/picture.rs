//! Pictures an issue names (`![说明](images/a.jpg)`): found inside the
//! publication folder, read within limits, identified from their first
//! bytes, and decoded the way typst will decode them — with the same
//! crates — so that a picture typst cannot use is an error at `check`
//! time, at its place in the issue, and `build` never meets one first.
//!
//! Limits: the file ([`sandbox::PICTURE_LIMIT`]), its pixels
//! ([`PIXEL_LIMIT`], read from the header before anything is decoded) and
//! what decoding may allocate (typst's own limit). An SVG may not link
//! other files, nor hold compressed data, and the pictures embedded in it
//! pass the same checks.

use std::fmt;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use image::{DynamicImage, ImageDecoder, ImageResult, Limits};

use crate::sandbox::{self, Refusal};

/// Pixels a picture may have: 100 megapixels (a 12,000 × 8,000 scan) is
/// far more than a printed page needs, and decodes to 400 MB.
pub const PIXEL_LIMIT: u64 = 100_000_000;

/// What a PNG's colour profile may unpack to. It is compressed, and 1 MB
/// of it can unpack to 1 GB, which typst would read and embed in the PDF;
/// a real profile is well under a megabyte or two.
const METADATA_LIMIT: u64 = 16 * 1024 * 1024;

/// Bytes read to identify a picture and read its size from the header
/// (a JPEG's size comes after its EXIF and colour profile).
const HEAD: usize = 256 * 1024;

/// The formats the layout takes, by the file's extension as typst decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PictureFormat {
    Png,
    Jpeg,
    Svg,
}

impl PictureFormat {
    /// The format typst will decode a file as: by its extension.
    pub fn from_extension(path: &Path) -> Option<PictureFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "png" => Some(PictureFormat::Png),
            "jpg" | "jpeg" => Some(PictureFormat::Jpeg),
            "svg" => Some(PictureFormat::Svg),
            _ => None,
        }
    }

    /// What the first bytes say the file is.
    /// The format the bytes are in (PNG, JPEG, SVG), whatever the name.
    pub fn from_bytes(head: &[u8]) -> Option<PictureFormat> {
        Self::sniff(head)
    }

    fn sniff(head: &[u8]) -> Option<PictureFormat> {
        if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(PictureFormat::Png)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(PictureFormat::Jpeg)
        } else if is_svg_text(head) {
            Some(PictureFormat::Svg)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            PictureFormat::Png => "PNG",
            PictureFormat::Jpeg => "JPEG",
            PictureFormat::Svg => "SVG",
        }
    }
}

fn is_svg_text(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&head[..head.len().min(4096)]);
    text.contains("<svg") || text.trim_start().starts_with("<?xml")
}

/// Why a picture cannot be printed.
#[derive(Debug)]
pub enum Problem {
    /// The path leaves the publication folder (by its words or a link).
    Outside,
    Missing,
    /// Not a regular file, too large, a link loop, unreadable.
    File(Refusal),
    /// Not a PNG, JPEG or SVG file, or not what its extension says.
    Format {
        by_extension: Option<PictureFormat>,
        found: Option<PictureFormat>,
    },
    /// More pixels than [`PIXEL_LIMIT`].
    TooManyPixels {
        width: u32,
        height: u32,
    },
    NoPixels,
    /// Decoding failed: a truncated or damaged file.
    Broken(String),
    /// An SVG links another file (typst reads only the pictures an issue
    /// names).
    SvgLink(String),
    /// An SVG that is compressed or holds compressed data (svgz): it could
    /// unpack to any size.
    Compressed,
    /// A picture embedded in an SVG has this problem.
    Embedded(Box<Problem>),
    /// An SVG whose filters would take longer than [`FILTER_BUDGET`] to
    /// draw (this many nanoseconds, estimated).
    CostlyFilters(f64),
    /// An SVG whose filters would need more than [`FILTER_MEMORY`] bytes.
    FilterMemory(f64),
    /// An SVG of more elements than the SVG reader takes (a million, after
    /// `<use>` is expanded).
    TooComplex,
    /// The pictures embedded in an SVG have more pixels together than
    /// [`PIXEL_LIMIT`] (this many).
    EmbeddedPixels(u64),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Outside => write!(f, "在简报文件夹外面"),
            Problem::Missing => write!(f, "找不到"),
            Problem::File(r) => write!(f, "{r}"),
            Problem::Format {
                by_extension: Some(ext),
                found: Some(found),
            } => write!(f, "扩展名是 {}，内容却是 {} 图片", ext.name(), found.name()),
            Problem::Format { .. } => write!(f, "不是 PNG、JPEG 或 SVG 文件"),
            Problem::TooManyPixels { width, height } => write!(
                f,
                "有 {width} × {height} 像素，太大了（上限是 {} 万像素，每边至多 {MAX_SIDE} 像素）",
                PIXEL_LIMIT / 10_000
            ),
            Problem::NoPixels => write!(f, "宽或高是 0 像素"),
            Problem::Broken(why) => write!(f, "已损坏或不完整，无法解码（{why}）"),
            Problem::SvgLink(href) => write!(f, "链接了另一个文件 {href}，排版时读不到"),
            Problem::Compressed => write!(f, "是压缩过的 SVG（svgz）或含有压缩数据"),
            Problem::Embedded(p) => write!(f, "里嵌入的图片{p}"),
            Problem::CostlyFilters(ns) => write!(
                f,
                "里的滤镜效果（模糊、阴影、膨胀、纹理等）画起来太费时：估计要 {:.0} 秒，上限是 {:.0} 秒",
                (ns / 1e9).ceil(),
                FILTER_BUDGET / 1e9
            ),
            Problem::FilterMemory(bytes) => write!(
                f,
                "里的滤镜效果（模糊、阴影、膨胀、纹理等）画起来要约 {:.0} MB 内存，上限是 {:.0} MB",
                (bytes / 1048576.0).ceil(),
                FILTER_MEMORY / 1048576.0
            ),
            Problem::TooComplex => write!(f, "的元素太多（展开后超过一百万个），读不了"),
            Problem::EmbeddedPixels(pixels) => write!(
                f,
                "里嵌入的图片共有 {} 万像素，太多了（上限是 {} 万像素）",
                pixels / 10_000,
                PIXEL_LIMIT / 10_000
            ),
        }
    }
}

impl Problem {
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Outside => "picture-outside",
            Problem::Missing => "picture-missing",
            Problem::Format { .. } => "picture-format",
            Problem::File(Refusal::Outside { .. }) => "picture-outside",
            Problem::File(_) => "picture-unreadable",
            Problem::TooManyPixels { .. } => "picture-too-large",
            Problem::Embedded(p) if matches!(**p, Problem::TooManyPixels { .. }) => {
                "picture-too-large"
            }
            Problem::CostlyFilters(_) | Problem::FilterMemory(_) => "picture-too-costly",
            Problem::EmbeddedPixels(_) | Problem::TooComplex => "picture-too-large",
            _ => "picture-broken",
        }
    }

    pub fn help(&self) -> String {
        match self {
            Problem::Outside | Problem::File(Refusal::Outside { .. }) => {
                "把图片放进简报文件夹（例如 images/），写相对路径 images/照片.jpg".into()
            }
            Problem::Missing => "图片路径相对于简报文件夹".into(),
            Problem::Format {
                by_extension: Some(_),
                found: Some(found),
            } => format!(
                "把文件改名为 .{} 结尾，或用图片软件另存为 PNG 或 JPEG",
                match found {
                    PictureFormat::Png => "png",
                    PictureFormat::Jpeg => "jpg",
                    PictureFormat::Svg => "svg",
                }
            ),
            Problem::Format { .. } => "用图片软件另存为 PNG 或 JPEG".into(),
            Problem::TooManyPixels { .. } | Problem::NoPixels => {
                "用图片软件把图片缩小（印在 A4 上，宽 3000 像素就足够清楚）后另存".into()
            }
            Problem::File(r) => r
                .help()
                .unwrap_or("检查文件的权限，或换一个文件")
                .to_string(),
            Problem::Broken(_) => "用图片软件打开这张图片再另存一次；打不开的话换一张".into(),
            Problem::SvgLink(_) => "把链接的图片嵌入 SVG 里，或用图片软件把整张图另存为 PNG".into(),
            Problem::Compressed => "另存为不压缩的 .svg，或另存为 PNG".into(),
            Problem::Embedded(p) => p.help(),
            Problem::TooComplex => "用图片软件把它另存为 PNG".into(),
            Problem::EmbeddedPixels(_) => {
                "用图片软件把 SVG 里的图片缩小，或把整张图另存为 PNG".into()
            }
            Problem::CostlyFilters(_) | Problem::FilterMemory(_) => {
                "用图片软件把这张 SVG 另存为 PNG（滤镜效果就画进了图片里），或去掉滤镜".into()
            }
        }
    }
}

/// A picture found and identified: where it is and what typst will read
/// it as.
#[derive(Debug, Clone)]
pub struct Located {
    /// The resolved file, inside the publication folder.
    pub path: PathBuf,
    pub format: PictureFormat,
}

/// Finds the picture `rel` (as written in the issue) in the publication
/// folder `root` (canonical) and identifies it from its first bytes:
/// format, and size when its header says it. Cheap: every picture of
/// every issue is looked at this way; [`decode`] does the rest.
pub fn locate(root: &Path, rel: &str) -> Result<Located, Problem> {
    let rel = Path::new(rel);
    if !sandbox::stays_inside(rel) {
        return Err(Problem::Outside);
    }
    let path = sandbox::inside(root, &root.join(rel)).map_err(|r| match r {
        Refusal::Missing => Problem::Missing,
        Refusal::Outside { .. } => Problem::Outside,
        r => Problem::File(r),
    })?;
    let (head, _) =
        sandbox::read_head(&path, HEAD, sandbox::PICTURE_LIMIT).map_err(Problem::File)?;
    let by_extension = PictureFormat::from_extension(rel);
    let found = PictureFormat::sniff(&head);
    let format = match (by_extension, found) {
        (Some(e), Some(f)) if e == f => e,
        _ => {
            return Err(Problem::Format {
                by_extension,
                found,
            });
        }
    };
    // The size in the header, when the head holds it: a picture of
    // 200,000 × 200,000 pixels is refused before anything is decoded.
    if format != PictureFormat::Svg
        && let Some((width, height)) = raster_size(&head, format)
    {
        check_size(width, height)?;
    }
    Ok(Located { path, format })
}

/// What decoding a picture found out that a PDF standard cares about.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Decoded {
    /// The PDF would carry transparency for it (which PDF/A-1 forbids): a
    /// raster picture whose pixels have an alpha channel once decoded (an
    /// RGBA or grey-alpha PNG, a palette with transparent entries),
    /// whatever the alpha values — typst-pdf then writes a soft mask —;
    /// an SVG that the PDF writer draws with transparency (opacity, masks,
    /// blend modes, filters, pictures with alpha inside). For an SVG only
    /// found out when asked (`transparency`).
    pub transparent: bool,
    /// A raster picture in CMYK (a JPEG from a print shop): typst-pdf 0.15
    /// embeds no CMYK profile, which PDF/A requires.
    pub cmyk: bool,
    /// How long the PDF writer takes to draw an SVG's filters, estimated
    /// in nanoseconds (see `filter_cost`); 0 for a raster picture.
    pub filter_ns: f64,
}

/// Reads and decodes a located picture as typst will, within the limits;
/// with `transparency`, also finds out whether an SVG draws with
/// transparency (a raster picture says so for nothing). A decoder that
/// panics on it (a bug in that crate, which typst would meet too) makes
/// it a broken picture.
pub fn decode(picture: &Located, transparency: bool) -> Result<Decoded, Problem> {
    let data = sandbox::read(&picture.path, sandbox::PICTURE_LIMIT).map_err(Problem::File)?;
    sandbox::contain(|| match picture.format {
        PictureFormat::Png | PictureFormat::Jpeg => decode_raster(&data, picture.format),
        PictureFormat::Svg => {
            let (tree, filter_ns) = decode_svg(&data)?;
            Ok(Decoded {
                transparent: transparency && svg_transparent(&tree),
                cmyk: false,
                filter_ns,
            })
        }
    })
    .unwrap_or_else(|panic| Err(Problem::Broken(format!("解码器出错：{panic}"))))
}

/// Decodes the bytes of a PNG or JPEG as [`decode`] does a file, within
/// the same limits (its size from the header first): for pictures that
/// are not files yet (`jianbao import` takes them out of a .docx).
pub fn decode_raster_bytes(data: &[u8]) -> Result<Decoded, Problem> {
    let format = match PictureFormat::sniff(data) {
        Some(f @ (PictureFormat::Png | PictureFormat::Jpeg)) => f,
        found => {
            return Err(Problem::Format {
                by_extension: None,
                found,
            });
        }
    };
    if let Some((width, height)) = raster_size(&data[..data.len().min(HEAD)], format) {
        check_size(width, height)?;
    }
    sandbox::contain(|| decode_raster(data, format))
        .unwrap_or_else(|panic| Err(Problem::Broken(format!("解码器出错：{panic}"))))
}

/// A picture given as bytes (uploaded to `serve`, pasted): its format
/// from the bytes, never from a name, and decoded as `check` decodes a
/// file, so a picture saved from the page always builds.
pub fn decode_bytes(data: &[u8]) -> Result<PictureFormat, Problem> {
    match PictureFormat::sniff(data) {
        Some(PictureFormat::Svg) => sandbox::contain(|| decode_svg(data))
            .unwrap_or_else(|panic| Err(Problem::Broken(format!("解码器出错：{panic}"))))
            .map(|_| PictureFormat::Svg),
        _ => decode_raster_bytes(data)
            .map(|_| PictureFormat::sniff(data).unwrap_or(PictureFormat::Png)),
    }
}

/// Whether the PDF writer typst uses (krilla, through krilla-svg as
/// typst-pdf calls it) draws `tree` with transparency: the SVG is drawn on
/// a page of a PDF/A-1b document of its own and the writer's validation
/// asked. Exact where a walk of the tree would guess (krilla-svg turns
/// some clip paths and every filter into soft masks).
fn svg_transparent(tree: &usvg::Tree) -> bool {
    use krilla::configure::{Archival, ConfigurationBuilder, ValidationError};
    use krilla_svg::{SurfaceExt, SvgSettings};
    let Ok(configuration) = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A1_B)
        .finish()
    else {
        return false;
    };
    let size = tree.size();
    let (Some(page), Some(drawn)) = (
        krilla::page::PageSettings::from_wh(size.width(), size.height()),
        krilla::geom::Size::from_wh(size.width(), size.height()),
    ) else {
        return false;
    };
    let mut document = krilla::Document::new_with(krilla::SerializeSettings {
        configuration,
        ..Default::default()
    });
    let mut page = document.start_page_with(page);
    let mut surface = page.surface();
    surface.draw_svg(
        tree,
        drawn,
        SvgSettings {
            embed_text: true,
            ..Default::default()
        },
    );
    surface.finish();
    page.finish();
    match document.finish() {
        Err(krilla::error::KrillaError::Validation(errors)) => errors
            .iter()
            .any(|(e, _)| matches!(e, ValidationError::Transparency(_))),
        _ => false,
    }
}

/// The longest side a raster picture may have: what the PDF writer takes.
const MAX_SIDE: u32 = 16_384;

fn check_size(width: u32, height: u32) -> Result<(), Problem> {
    if width == 0 || height == 0 {
        Err(Problem::NoPixels)
    } else if u64::from(width) * u64::from(height) > PIXEL_LIMIT
        || width > MAX_SIDE
        || height > MAX_SIDE
    {
        Err(Problem::TooManyPixels { width, height })
    } else {
        Ok(())
    }
}

/// The pixel size a raster picture's header gives, if the bytes hold it.
fn raster_size(head: &[u8], format: PictureFormat) -> Option<(u32, u32)> {
    let cursor = Cursor::new(head);
    match format {
        PictureFormat::Png => {
            image::codecs::png::PngDecoder::with_limits(cursor, metadata_limits())
                .ok()
                .map(|d| d.dimensions())
        }
        PictureFormat::Jpeg => image::codecs::jpeg::JpegDecoder::new(cursor)
            .ok()
            .map(|d| d.dimensions()),
        PictureFormat::Svg => None,
    }
}

/// Decodes a PNG or JPEG with the decoder and allocation limit typst uses
/// (`typst-library`'s `RasterImage::new`), after checking its size.
/// Returns whether the decoded pixels have an alpha channel.
fn decode_raster(data: &[u8], format: PictureFormat) -> Result<Decoded, Problem> {
    if format == PictureFormat::Png {
        png_colour_profile(data)?;
    }
    let cursor = Cursor::new(data);
    match format {
        PictureFormat::Png => decode_with(image::codecs::png::PngDecoder::with_limits(
            cursor,
            metadata_limits(),
        )),
        PictureFormat::Jpeg => {
            // A JPEG cut short still decodes (the rest grey): it must end
            // with its end-of-image marker (give or take some padding).
            let tail = &data[data.len().saturating_sub(1024)..];
            if !tail.windows(2).any(|w| w == [0xFF, 0xD9]) {
                return Err(Problem::Broken("文件在结尾之前就断了".into()));
            }
            let decoded = decode_with(image::codecs::jpeg::JpegDecoder::new(cursor))?;
            Ok(Decoded {
                cmyk: jpeg_is_cmyk(data),
                ..decoded
            })
        }
        PictureFormat::Svg => decode_svg(data).map(|_| Decoded::default()),
    }
}

/// Decodes a picture; returns whether its pixels have an alpha channel.
fn decode_with<T: ImageDecoder>(decoder: ImageResult<T>) -> Result<Decoded, Problem> {
    let mut decoder = decoder.map_err(broken)?;
    let (width, height) = decoder.dimensions();
    check_size(width, height)?;
    decoder.set_limits(Limits::default()).map_err(broken)?;
    let image = DynamicImage::from_decoder(decoder).map_err(broken)?;
    Ok(Decoded {
        transparent: image.color().has_alpha(),
        ..Decoded::default()
    })
}

/// Whether a JPEG's frame has four components (CMYK or YCCK): the
/// decoder hands it over as RGB, but typst embeds the original, in CMYK.
fn jpeg_is_cmyk(data: &[u8]) -> bool {
    let mut at = 2;
    while at + 4 <= data.len() {
        if data[at] != 0xFF {
            return false;
        }
        let marker = data[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([data[at + 2], data[at + 3]]));
        // Start of frame (not DHT C4, JPG C8, DAC CC): its component count.
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            return data.get(at + 9) == Some(&4);
        }
        if marker == 0xDA {
            return false;
        }
        at += 2 + len;
    }
    false
}

/// Unpacks a PNG's colour profile (`iCCP` chunk), if it has one, no
/// further than [`METADATA_LIMIT`]: typst reads it without a limit.
fn png_colour_profile(data: &[u8]) -> Result<(), Problem> {
    use std::io::Read;
    let mut at = 8;
    while let Some(header) = data.get(at..at + 8) {
        let len = u32::from_be_bytes(header[..4].try_into().unwrap()) as usize;
        let kind = &header[4..8];
        let body = data
            .get(at + 8..(at + 8).saturating_add(len))
            .unwrap_or_default();
        if kind == b"IDAT" || kind == b"IEND" {
            break;
        }
        if kind == b"iCCP" {
            // Name, a zero byte, the method byte, then the zlib stream.
            let start = body
                .iter()
                .position(|&b| b == 0)
                .map_or(body.len(), |i| i + 2);
            let stream = body.get(start..).unwrap_or_default();
            let mut sink = std::io::sink();
            let unpacked = std::io::copy(
                &mut flate2::read::ZlibDecoder::new(stream).take(METADATA_LIMIT + 1),
                &mut sink,
            )
            .unwrap_or(0);
            if unpacked > METADATA_LIMIT {
                return Err(Problem::Broken(format!(
                    "颜色配置（ICC）解压后超过 {}",
                    crate::sandbox::human_size(METADATA_LIMIT)
                )));
            }
        }
        at = at.saturating_add(12).saturating_add(len);
    }
    Ok(())
}

fn metadata_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_alloc = Some(METADATA_LIMIT);
    limits
}

fn broken(e: image::ImageError) -> Problem {
    match e {
        image::ImageError::Limits(_) => {
            Problem::Broken("图片里的附加数据（颜色配置、文字说明）太大".into())
        }
        e => Problem::Broken(e.to_string()),
    }
}

/// usvg's options for reading an SVG's size or drawing it outside
/// [`decode_svg`]: a link to another file (`<image href="/dev/zero">`, a
/// FIFO) is never opened (usvg's default reads it from disk, unbounded,
/// outside the publication); `decode_svg` reports it.
pub fn svg_options() -> usvg::Options<'static> {
    usvg::Options {
        font_family: String::new(),
        resources_dir: None,
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    }
}

/// Parses an SVG with usvg as typst does, refusing what typst would fail
/// on or could not bound: links to other files, compressed data, and
/// embedded pictures with problems of their own.
fn decode_svg(data: &[u8]) -> Result<(usvg::Tree, f64), Problem> {
    if data.starts_with(&[0x1f, 0x8b]) {
        return Err(Problem::Compressed);
    }
    let refused: Arc<Mutex<Option<Problem>>> = Arc::default();
    let (on_link, on_data) = (refused.clone(), refused.clone());
    let default_data = usvg::ImageHrefResolver::default_data_resolver();
    let options = usvg::Options {
        font_family: String::new(),
        resources_dir: None,
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(move |mime, data, options| {
                if data.starts_with(&[0x1f, 0x8b]) {
                    on_data.lock().unwrap().get_or_insert(Problem::Compressed);
                    return None;
                }
                default_data(mime, data, options)
            }),
            resolve_string: Box::new(move |href, _| {
                on_link
                    .lock()
                    .unwrap()
                    .get_or_insert(Problem::SvgLink(href.to_string()));
                None
            }),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_data(data, &options).map_err(|e| match e {
        usvg::Error::ElementsLimitReached
        | usvg::Error::ParsingFailed(usvg::roxmltree::Error::NodesLimitReached) => {
            Problem::TooComplex
        }
        e => Problem::Broken(e.to_string()),
    })?;
    if let Some(problem) = refused.lock().unwrap().take() {
        return Err(problem);
    }
    embedded_pictures(tree.root())?;
    let cost = filter_cost(&tree);
    if cost.ns > FILTER_BUDGET {
        return Err(Problem::CostlyFilters(cost.ns));
    }
    if cost.bytes > FILTER_MEMORY {
        return Err(Problem::FilterMemory(cost.bytes));
    }
    Ok((tree, cost.ns))
}

/// How long an SVG's filters may take to draw, in nanoseconds, at the
/// largest size the picture can be printed (by default it is printed
/// smaller, and takes a fraction of that).
const FILTER_BUDGET: f64 = 10e9;
/// The same for all the SVGs of one issue together.
pub const ISSUE_FILTER_BUDGET: f64 = 30e9;

/// The most memory one filtered group of an SVG may take to draw.
const FILTER_MEMORY: f64 = 1024.0 * 1024.0 * 1024.0;

/// The largest an SVG is printed: the type area, 156 × 225 mm, in pt.
const PRINTED_MAX: (f32, f32) = (442.2, 637.8);

/// What the PDF writer does with a filtered group (krilla-svg, for
/// typst-pdf): it draws it with resvg as a raster picture at 4 × its
/// printed size, at most 5000 pixels a side.
const FILTER_SCALE: f32 = 4.0;
const FILTER_MAX_SIDE: f32 = 5000.0;

/// How long drawing an SVG's filters takes, in nanoseconds, and the most
/// memory one filtered group needs, in bytes, at the largest size it can
/// be printed. A filtered group is drawn into a raster of its size, its
/// content drawn into it, then each filter step makes a raster of its own
/// from its inputs. Most steps cost little per pixel; some as much as
/// their parameters say (a morphology radius, a convolution kernel,
/// turbulence octaves, merge inputs): a 400-pixel dilation takes hours.
/// Per-pixel costs measured on resvg 0.47 (2 GHz core).
fn filter_cost(tree: &usvg::Tree) -> FilterCost {
    let size = tree.size();
    let fit = (PRINTED_MAX.0 / size.width()).min(PRINTED_MAX.1 / size.height());
    group_filter_cost(tree.root(), fit * FILTER_SCALE)
}

#[derive(Debug, Default, Clone, Copy)]
struct FilterCost {
    ns: f64,
    /// Of the filtered group that needs the most.
    bytes: f64,
}

impl std::ops::AddAssign for FilterCost {
    fn add_assign(&mut self, other: Self) {
        self.ns += other.ns;
        self.bytes = self.bytes.max(other.bytes);
    }
}

/// Nanoseconds per raster pixel of a filtered group: making, compressing
/// and embedding the raster.
const PIXEL_NS: f64 = 150.0;
/// Nanoseconds per pixel of content drawn into a filter's raster.
const DRAW_NS: f64 = 1.5;

/// `scale`: raster pixels per unit of the tree `group` is in.
fn group_filter_cost(group: &usvg::Group, scale: f32) -> FilterCost {
    let mut cost = FilterCost::default();
    if !group.filters().is_empty() {
        let bbox = group.abs_layer_bounding_box();
        let width = (bbox.width() * scale).clamp(1.0, FILTER_MAX_SIDE);
        let height = (bbox.height() * scale).clamp(1.0, FILTER_MAX_SIDE);
        // Lengths in a filter step are in the group's units.
        let (sx, sy) = group.abs_transform().get_scale();
        let unit = scale * sx.max(sy);
        let pixels = f64::from(width) * f64::from(height);
        let mut steps = 0.0;
        let mut drawn = drawing_pixels(group, scale, pixels);
        let mut rasters = 2.0;
        for step in group.filters().iter().flat_map(|f| f.primitives()) {
            steps += step_ns(step.kind(), unit, width, height);
            rasters += 1.0;
            if let usvg::filter::Kind::Image(image) = step.kind() {
                // An feImage draws its element into the step's raster.
                drawn += drawing_pixels(image.root(), scale, pixels);
                cost += group_filter_cost(image.root(), scale);
            }
        }
        cost += FilterCost {
            ns: pixels * (PIXEL_NS + steps) + drawn * DRAW_NS,
            bytes: pixels * 4.0 * rasters,
        };
    }
    for node in group.children() {
        match node {
            usvg::Node::Group(g) => cost += group_filter_cost(g, scale),
            // A nested SVG is drawn at the image's size: its own units are
            // scaled by that much more.
            usvg::Node::Image(image) => {
                if let usvg::ImageKind::SVG(tree) = image.kind() {
                    let (sx, sy) = image.abs_transform().get_scale();
                    let size = image.size();
                    let inner = tree.size();
                    let zoom = (size.width() / inner.width()).max(size.height() / inner.height());
                    cost += group_filter_cost(tree.root(), scale * sx.max(sy) * zoom);
                }
            }
            _ => {}
        }
        node.subroots(|sub| cost += group_filter_cost(sub, scale));
    }
    cost
}

/// Raster pixels the content of `group` covers (each element its box,
/// within the filter's raster of `limit` pixels), nested groups included.
fn drawing_pixels(group: &usvg::Group, scale: f32, limit: f64) -> f64 {
    group
        .children()
        .iter()
        .map(|node| match node {
            usvg::Node::Group(g) => drawing_pixels(g, scale, limit),
            _ => {
                let b = node.abs_bounding_box();
                (f64::from(b.width() * scale) * f64::from(b.height() * scale)).clamp(1.0, limit)
            }
        })
        .sum()
}

/// Nanoseconds per pixel of one filter step (resvg's algorithms).
fn step_ns(kind: &usvg::filter::Kind, unit: f32, width: f32, height: f32) -> f64 {
    use usvg::filter::Kind;
    match kind {
        // Every pixel looks at a (2rx × 2ry) window, at most the picture.
        Kind::Morphology(m) => {
            let across = (2.0 * (m.radius_x().get() * unit).ceil()).clamp(1.0, width);
            let down = (2.0 * (m.radius_y().get() * unit).ceil()).clamp(1.0, height);
            0.6 * f64::from(across) * f64::from(down)
        }
        Kind::ConvolveMatrix(c) => {
            10.0 * f64::from(c.matrix().columns()) * f64::from(c.matrix().rows())
        }
        // Each octave a noise sample per channel.
        Kind::Turbulence(t) => 200.0 * f64::from(t.num_octaves().max(1)),
        // Each input blended in.
        Kind::Merge(m) => 5.0 * m.inputs().len().max(1) as f64,
        Kind::GaussianBlur(_)
        | Kind::DropShadow(_)
        | Kind::DiffuseLighting(_)
        | Kind::SpecularLighting(_) => 30.0,
        _ => 5.0,
    }
}

/// Checks every picture embedded in an SVG, its clip paths, masks,
/// patterns, filters and nested SVGs included: each distinct picture
/// decoded once (a `<use>` repeats the same data), all of them together
/// within [`PIXEL_LIMIT`].
fn embedded_pictures(group: &usvg::Group) -> Result<(), Problem> {
    let mut found = Vec::new();
    collect_embedded(group, &mut found);
    let mut seen = std::collections::HashSet::new();
    let mut pixels: u64 = 0;
    let distinct: Vec<usvg::ImageKind> = found
        .into_iter()
        .filter(|kind| seen.insert(embedded_data(kind).as_ptr()))
        .collect();
    for kind in &distinct {
        let header = match kind {
            usvg::ImageKind::PNG(data) => raster_size(data, PictureFormat::Png),
            usvg::ImageKind::JPEG(data) => raster_size(data, PictureFormat::Jpeg),
            _ => None,
        };
        if let Some((w, h)) = header {
            pixels = pixels.saturating_add(u64::from(w) * u64::from(h));
            if pixels > PIXEL_LIMIT {
                return Err(Problem::EmbeddedPixels(pixels));
            }
        }
    }
    let embedded =
        |r: Result<Decoded, Problem>| r.map(|_| ()).map_err(|p| Problem::Embedded(Box::new(p)));
    for kind in &distinct {
        match kind {
            usvg::ImageKind::PNG(data) => embedded(decode_raster(data, PictureFormat::Png))?,
            usvg::ImageKind::JPEG(data) => embedded(decode_raster(data, PictureFormat::Jpeg))?,
            usvg::ImageKind::GIF(data) => embedded(decode_with(
                image::codecs::gif::GifDecoder::new(Cursor::new(data.as_slice())),
            ))?,
            usvg::ImageKind::WEBP(data) => embedded(decode_with(
                image::codecs::webp::WebPDecoder::new(Cursor::new(data.as_slice())),
            ))?,
            usvg::ImageKind::SVG(_) => {}
        }
    }
    Ok(())
}

/// The raster pictures embedded anywhere under `group`, nested SVGs
/// walked into.
fn collect_embedded(group: &usvg::Group, found: &mut Vec<usvg::ImageKind>) {
    for node in group.children() {
        match node {
            usvg::Node::Group(g) => collect_embedded(g, found),
            usvg::Node::Image(image) => match image.kind() {
                usvg::ImageKind::SVG(tree) => collect_embedded(tree.root(), found),
                // A clone shares the bytes (an `Arc`).
                kind => found.push(kind.clone()),
            },
            _ => {}
        }
        node.subroots(|sub| collect_embedded(sub, found));
    }
}

/// The bytes of an embedded raster picture (none for a nested SVG).
fn embedded_data(kind: &usvg::ImageKind) -> &[u8] {
    match kind {
        usvg::ImageKind::PNG(d)
        | usvg::ImageKind::JPEG(d)
        | usvg::ImageKind::GIF(d)
        | usvg::ImageKind::WEBP(d) => d.as_slice(),
        usvg::ImageKind::SVG(_) => &[],
    }
}
