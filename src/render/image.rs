//! Pages as pictures: PNG for web sites and WeChat (`--format png`), SVG
//! for the live preview of `jianbao serve`.

use typst::utils::Scalar;
use typst_layout::PagedDocument;

/// One PNG per page at `ppi` pixels per inch, on white.
pub fn png_pages(doc: &PagedDocument, ppi: f32) -> Result<Vec<Vec<u8>>, String> {
    let options = typst_render::RenderOptions {
        pixel_per_pt: Scalar::new(f64::from(ppi) / 72.0),
        render_bleed: false,
    };
    doc.pages()
        .iter()
        .map(|page| {
            typst_render::render(page, &options)
                .encode_png()
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// One SVG document per page.
pub fn svg_pages(doc: &PagedDocument) -> Vec<String> {
    let options = typst_svg::SvgOptions::default();
    doc.pages()
        .iter()
        .map(|page| typst_svg::svg(page, &options))
        .collect()
}
