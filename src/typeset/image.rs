//! Pages as pictures: PNG for web sites and WeChat (`--format png`), SVG
//! for the live preview of `jianbao serve`.

use std::path::{Path, PathBuf};

use typst::utils::Scalar;
use typst_layout::PagedDocument;

use crate::sandbox;

/// One PNG per page at `ppi` pixels per inch, on white. Each states its
/// resolution (a pHYs chunk), so that Word and WPS place it at A4 size
/// rather than at 96 ppi. Page `n` of `count` becomes the file
/// `path_of(n, count)`; a page that cannot be encoded is an error of its
/// file.
pub fn png_pages(
    doc: &PagedDocument,
    ppi: f32,
    path_of: impl Fn(usize, usize) -> PathBuf,
) -> Result<Vec<(PathBuf, Vec<u8>)>, sandbox::Error> {
    let options = typst_render::RenderOptions {
        pixel_per_pt: Scalar::new(f64::from(ppi) / 72.0),
        render_bleed: false,
    };
    let count = doc.pages().len();
    doc.pages()
        .iter()
        .enumerate()
        .map(|(i, page)| {
            let path = path_of(i + 1, count);
            let png = typst_render::render(page, &options)
                .encode_png()
                .map_err(|e| sandbox::Error::said(&path, format!("做不出来：PNG 编码出错（{e}）")))
                .and_then(|png| with_density(png, ppi, &path))?;
            Ok((path, png))
        })
        .collect()
}

/// Page `index` (from 0) as a PNG at `ppi`: `serve`'s PNG of one page.
pub fn png_page(doc: &PagedDocument, index: usize, ppi: f32) -> Result<Vec<u8>, sandbox::Error> {
    let path = PathBuf::from(format!("{}.png", index + 1));
    let page = doc
        .pages()
        .get(index)
        .ok_or_else(|| sandbox::Error::said(&path, "没有这一页"))?;
    let options = typst_render::RenderOptions {
        pixel_per_pt: Scalar::new(f64::from(ppi) / 72.0),
        render_bleed: false,
    };
    let png = typst_render::render(page, &options)
        .encode_png()
        .map_err(|e| sandbox::Error::said(&path, format!("做不出来：PNG 编码出错（{e}）")))?;
    with_density(png, ppi, &path)
}

/// `png` with a pHYs chunk saying `ppi`, right after its header (the
/// chunk must come before the image data; the encoder writes none).
fn with_density(png: Vec<u8>, ppi: f32, path: &Path) -> Result<Vec<u8>, sandbox::Error> {
    // Signature (8 bytes), then IHDR: length, type, 13 bytes, CRC.
    const AFTER_HEADER: usize = 8 + 4 + 4 + 13 + 4;
    if png.get(12..16) != Some(b"IHDR") || png.len() < AFTER_HEADER {
        return Err(sandbox::Error::said(
            path,
            "做不出来：PNG 编码器给出的文件没有 IHDR 头",
        ));
    }
    let per_metre = (f64::from(ppi) / 0.0254).round() as u32;
    let mut body = Vec::with_capacity(13);
    body.extend_from_slice(b"pHYs");
    body.extend_from_slice(&per_metre.to_be_bytes());
    body.extend_from_slice(&per_metre.to_be_bytes());
    // Unit: the metre.
    body.push(1);
    let mut crc = flate2::Crc::new();
    crc.update(&body);
    let mut out = Vec::with_capacity(png.len() + 21);
    out.extend_from_slice(&png[..AFTER_HEADER]);
    out.extend_from_slice(&9u32.to_be_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc.sum().to_be_bytes());
    out.extend_from_slice(&png[AFTER_HEADER..]);
    Ok(out)
}

/// One page as an SVG document.
pub fn svg_page(page: &typst_layout::Page) -> String {
    typst_svg::svg(page, &typst_svg::SvgOptions::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chunk is where a PNG reader looks for it, its CRC right, and
    /// 150 ppi reads back as 5906 pixels a metre (150.01 ppi).
    #[test]
    fn density_chunk_reads_back() {
        let mut plain = Vec::new();
        let mut encoder = png::Encoder::new(&mut plain, 3, 2);
        encoder.set_color(png::ColorType::Rgb);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[255; 18]).unwrap();
        writer.finish().unwrap();
        let png = with_density(plain, 150.0, Path::new("out/001.png")).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(&png));
        let reader = decoder.read_info().unwrap();
        let dims = reader.info().pixel_dims.unwrap();
        assert_eq!((dims.xppu, dims.yppu), (5906, 5906));
        assert_eq!(dims.unit, png::Unit::Meter);
    }
}
