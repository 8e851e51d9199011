//! A laid-out page (typst's frame) as an OFD page's `Content.xml`: each
//! run of text a `TextObject` with its glyphs where typst placed them, each
//! shape a `PathObject`, each picture an `ImageObject`. Lengths are in mm,
//! y down from the page's top left, as in typst. An object's `Boundary`
//! is its box on the page; what it draws is given from the box's corner,
//! through a `CTM` where the object is turned (a landscape page's table).

use std::fmt::Write;

use typst::layout::{Abs, Frame, FrameItem, Point, Ratio, Size, Transform};
use typst::text::TextItem;
use typst::visualize::{
    Color, CurveItem, ExchangeFormat, FillRule, FixedStroke, Geometry, Image, ImageKind, LineCap,
    LineJoin, Paint, ProcessColor, RasterFormat, RatioOrAngle, Shape,
};
use typst_layout::Page;

use super::res::Resources;
use super::xml::{MM_PER_PT, escape, num, nums};

/// What could not be written of a page (a picture that cannot be drawn).
pub type PageError = String;

/// What a page draws that the OFD does not draw as the PDF does.
#[derive(Default, Clone, Copy)]
pub struct Departures {
    /// A group clipped what it holds (the OFD does not: see
    /// [`Writer::frame`]).
    pub clipped: bool,
    /// A gradient or tiling fill, drawn in one colour (see
    /// [`Writer::color`]).
    pub flattened: bool,
}

/// `Content.xml` of `page`, and what of it the OFD does not draw as the
/// PDF does.
pub fn content(page: &Page, res: &mut Resources) -> Result<(String, Departures), PageError> {
    let size = page.frame.size();
    let layer = res.id();
    let mut writer = Writer {
        res,
        out: String::new(),
        departures: Departures::default(),
    };
    writer.frame(&page.frame, Transform::identity())?;
    let mut xml = String::new();
    let _ = write!(
        xml,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ofd:Page xmlns:ofd="{}"><ofd:Area><ofd:PhysicalBox>0 0 {1} {2}</ofd:PhysicalBox><ofd:ApplicationBox>0 0 {1} {2}</ofd:ApplicationBox></ofd:Area><ofd:Content><ofd:Layer ID="{layer}" Type="Body">"#,
        super::xml::NS,
        num(mm(size.x)),
        num(mm(size.y))
    );
    xml.push_str(&writer.out);
    xml.push_str("</ofd:Layer></ofd:Content></ofd:Page>\n");
    Ok((xml, writer.departures))
}

fn mm(a: Abs) -> f64 {
    a.to_pt() * MM_PER_PT
}

struct Writer<'a> {
    res: &'a mut Resources,
    out: String,
    departures: Departures,
}

/// Where an object stands: its `Boundary` on the page, and what takes its
/// own coordinates (mm, from the origin typst drew it at) into the box.
struct Placement {
    boundary: [f64; 4],
    /// A `CTM` when the object is turned or scaled; else `None`, and
    /// `shift` is added to its coordinates.
    ctm: Option<[f64; 6]>,
    shift: (f64, f64),
}

impl Placement {
    /// The placement of an object drawn by `ts` (pt) whose own box is
    /// `(x0, y0)`–`(x1, y1)` (mm).
    fn new(ts: Transform, x0: f64, y0: f64, x1: f64, y1: f64) -> Self {
        let (a, b, c, d) = (ts.sx.get(), ts.ky.get(), ts.kx.get(), ts.sy.get());
        let (e, f) = (mm(ts.tx), mm(ts.ty));
        let map = |x: f64, y: f64| (a * x + c * y + e, b * x + d * y + f);
        let corners = [map(x0, y0), map(x1, y0), map(x0, y1), map(x1, y1)];
        let left = corners.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
        let top = corners.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let right = corners
            .iter()
            .map(|p| p.0)
            .fold(f64::NEG_INFINITY, f64::max);
        let bottom = corners
            .iter()
            .map(|p| p.1)
            .fold(f64::NEG_INFINITY, f64::max);
        let boundary = [
            left,
            top,
            (right - left).max(0.01),
            (bottom - top).max(0.01),
        ];
        let straight = a == 1.0 && b == 0.0 && c == 0.0 && d == 1.0;
        if straight {
            Self {
                boundary,
                ctm: None,
                shift: (e - left, f - top),
            }
        } else {
            Self {
                boundary,
                ctm: Some([a, b, c, d, e - left, f - top]),
                shift: (0.0, 0.0),
            }
        }
    }

    /// `Boundary="…"` and `CTM="…"`.
    fn attributes(&self) -> String {
        let mut s = format!(r#" Boundary="{}""#, nums(&self.boundary));
        if let Some(ctm) = &self.ctm {
            let _ = write!(s, r#" CTM="{}""#, nums(ctm));
        }
        s
    }

    fn x(&self, x: f64) -> f64 {
        x + self.shift.0
    }

    fn y(&self, y: f64) -> f64 {
        y + self.shift.1
    }
}

impl Writer<'_> {
    /// The items of `frame`, drawn by `ts`. A group's clip is not
    /// written: the built-in layout clips nothing; an office's own layout
    /// that does is told so by the build (`clipped`).
    fn frame(&mut self, frame: &Frame, ts: Transform) -> Result<(), PageError> {
        for (pos, item) in frame.items() {
            let here = ts.pre_concat(Transform::translate(pos.x, pos.y));
            match item {
                FrameItem::Group(group) => {
                    self.departures.clipped |= group.clip.is_some();
                    self.frame(&group.frame, here.pre_concat(group.transform))?;
                }
                FrameItem::Text(text) => self.text(text, here),
                FrameItem::Shape(shape, _) => self.shape(shape, here),
                FrameItem::Image(image, size, _) => self.image(image, *size, here)?,
                // Links and introspection tags draw nothing.
                FrameItem::Link(..) | FrameItem::Tag(_) => {}
            }
        }
        Ok(())
    }

    /// A colour element (`FillColor`, `StrokeColor`): CMYK as it is (the
    /// red ink of the masthead, GB/T 9704's M80 Y80), a grey (black: the
    /// text and rules) as GRAY, one channel, as the PDF sets it (K only in
    /// print, where RGB black may be printed in four inks), any other as
    /// sRGB.
    fn color(&mut self, element: &str, paint: &Paint) -> String {
        let color = match paint {
            Paint::Solid(color) => color.clone(),
            // jianbao's layout draws no gradient or tiling; an office's
            // own may. One colour stands for it, not black (which would
            // hide what lies under it): a gradient's middle, a tiling's
            // light grey; the build says so.
            Paint::Gradient(gradient) => {
                self.departures.flattened = true;
                gradient.sample(RatioOrAngle::Ratio(Ratio::new(0.5)))
            }
            Paint::Tiling(_) => {
                self.departures.flattened = true;
                Color::SILVER
            }
        };
        let alpha = color.alpha().unwrap_or(1.0);
        let alpha = if alpha < 1.0 {
            format!(r#" Alpha="{}""#, (alpha * 255.0).round() as u8)
        } else {
            String::new()
        };
        match color {
            Color::Process(ProcessColor::Cmyk(_)) => {
                let cs = self.res.cmyk();
                let [c, m, y, k] = color.to_vec4_u8();
                format!(r#"<ofd:{element} Value="{c} {m} {y} {k}" ColorSpace="{cs}"{alpha}/>"#)
            }
            Color::Process(ProcessColor::Luma(luma)) => {
                let cs = self.res.gray();
                let g = (luma.luma.clamp(0.0, 1.0) * 255.0).round() as u8;
                format!(r#"<ofd:{element} Value="{g}" ColorSpace="{cs}"{alpha}/>"#)
            }
            _ => {
                let rgb = color.to_rgb();
                let u8_of = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
                let (r, g, b) = (u8_of(rgb.red), u8_of(rgb.green), u8_of(rgb.blue));
                format!(r#"<ofd:{element} Value="{r} {g} {b}"{alpha}/>"#)
            }
        }
    }

    fn text(&mut self, text: &TextItem, ts: Transform) {
        if text.glyphs.is_empty() {
            return;
        }
        let size = mm(text.size);
        // The glyphs grouped by cluster: consecutive glyphs of one range of
        // the text are one code of the TextCode.
        struct Cluster {
            chars: Vec<char>,
            glyphs: Vec<u16>,
            by_cmap: bool,
            x: f64,
            y: f64,
        }
        let used = self.res.font(&text.font);
        let font_id = used.id;
        let mut clusters: Vec<Cluster> = Vec::new();
        let mut pen = 0.0;
        let mut last_range = None;
        for glyph in &text.glyphs {
            let x = pen + glyph.x_offset.get() * size;
            let y = -glyph.y_offset.get() * size;
            pen += glyph.x_advance.get() * size;
            let range = glyph.range();
            let code: String = text
                .text
                .get(range.clone())
                .unwrap_or_default()
                .chars()
                .filter(|&c| super::xml::is_writable(c))
                .collect();
            if last_range.as_ref() == Some(&range)
                && let Some(cluster) = clusters.last_mut()
            {
                let (new, _) = used.use_glyph(glyph.id, "");
                cluster.glyphs.push(new);
                cluster.by_cmap = false;
                continue;
            }
            last_range = Some(range);
            if code.is_empty() {
                // A glyph for no character (cannot be a code of its own).
                continue;
            }
            let (new, by_cmap) = used.use_glyph(glyph.id, &code);
            clusters.push(Cluster {
                chars: code.chars().collect(),
                glyphs: vec![new],
                by_cmap,
                x,
                y,
            });
        }
        if clusters.is_empty() {
            return;
        }
        // Each character at its cluster's position.
        let mut chars = String::new();
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        let mut transforms = String::new();
        for cluster in &clusters {
            if !cluster.by_cmap {
                let _ = write!(
                    transforms,
                    r#"<ofd:CGTransform CodePosition="{}" CodeCount="{}" GlyphCount="{}"><ofd:Glyphs>{}</ofd:Glyphs></ofd:CGTransform>"#,
                    xs.len(),
                    cluster.chars.len(),
                    cluster.glyphs.len(),
                    cluster
                        .glyphs
                        .iter()
                        .map(u16::to_string)
                        .collect::<Vec<_>>()
                        .join(" ")
                );
            }
            for &c in &cluster.chars {
                chars.push(c);
                xs.push(cluster.x);
                ys.push(cluster.y);
            }
        }
        let first_x = xs[0];
        let right = xs.iter().copied().fold(pen, f64::max);
        let place = Placement::new(
            ts,
            first_x.min(0.0) - 0.1 * size,
            -1.2 * size,
            right + 0.1 * size,
            0.4 * size,
        );
        let delta = |v: &[f64]| {
            v.windows(2)
                .map(|w| num(w[1] - w[0]))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut code_attrs = format!(
            r#" X="{}" Y="{}""#,
            num(place.x(first_x)),
            num(place.y(ys[0]))
        );
        if xs.len() > 1 {
            let _ = write!(code_attrs, r#" DeltaX="{}""#, delta(&xs));
            if ys.windows(2).any(|w| w[0] != w[1]) {
                let _ = write!(code_attrs, r#" DeltaY="{}""#, delta(&ys));
            }
        }
        let fill = self.color("FillColor", &text.fill);
        let stroke = text
            .stroke
            .as_ref()
            .map(|s| self.color("StrokeColor", &s.paint))
            .unwrap_or_default();
        let stroke_attrs = text
            .stroke
            .as_ref()
            .map(|s| format!(r#" Stroke="true" LineWidth="{}""#, num(mm(s.thickness))))
            .unwrap_or_default();
        let id = self.res.id();
        let _ = write!(
            self.out,
            r#"<ofd:TextObject ID="{id}"{} Font="{font_id}" Size="{}"{stroke_attrs}>{fill}{stroke}{transforms}<ofd:TextCode{code_attrs}>{}</ofd:TextCode></ofd:TextObject>"#,
            place.attributes(),
            num(size),
            escape(&chars)
        );
    }

    fn shape(&mut self, shape: &Shape, ts: Transform) {
        let mut path: Vec<(char, Vec<(f64, f64)>)> = Vec::new();
        match &shape.geometry {
            Geometry::Line(to) => {
                path.push(('M', vec![(0.0, 0.0)]));
                path.push(('L', vec![(mm(to.x), mm(to.y))]));
            }
            Geometry::Rect(size) => {
                let (w, h) = (mm(size.x), mm(size.y));
                path.push(('M', vec![(0.0, 0.0)]));
                path.push(('L', vec![(w, 0.0)]));
                path.push(('L', vec![(w, h)]));
                path.push(('L', vec![(0.0, h)]));
                path.push(('C', vec![]));
            }
            Geometry::Curve(curve) => {
                let p = |p: &Point| (mm(p.x), mm(p.y));
                for item in curve.0.iter() {
                    match item {
                        CurveItem::Move(to) => path.push(('M', vec![p(to)])),
                        CurveItem::Line(to) => path.push(('L', vec![p(to)])),
                        CurveItem::Cubic(a, b, to) => path.push(('B', vec![p(a), p(b), p(to)])),
                        CurveItem::Close => path.push(('C', vec![])),
                    }
                }
            }
        }
        let points: Vec<(f64, f64)> = path.iter().flat_map(|(_, ps)| ps.iter().copied()).collect();
        if points.is_empty() {
            return;
        }
        let half = shape.stroke.as_ref().map_or(0.0, |s| mm(s.thickness) / 2.0);
        let x0 = points.iter().map(|p| p.0).fold(f64::INFINITY, f64::min) - half;
        let y0 = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min) - half;
        let x1 = points.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max) + half;
        let y1 = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max) + half;
        let place = Placement::new(ts, x0, y0, x1, y1);
        let mut data = String::new();
        for (op, ps) in &path {
            if !data.is_empty() {
                data.push(' ');
            }
            data.push(*op);
            for &(x, y) in ps {
                let _ = write!(data, " {} {}", num(place.x(x)), num(place.y(y)));
            }
        }
        let mut attrs = String::new();
        let mut colours = String::new();
        match &shape.stroke {
            Some(stroke) => {
                attrs += &stroke_attributes(stroke);
                colours += &self.color("StrokeColor", &stroke.paint);
            }
            None => attrs += r#" Stroke="false""#,
        }
        if let Some(fill) = &shape.fill {
            attrs += r#" Fill="true""#;
            if shape.fill_rule == FillRule::EvenOdd {
                attrs += r#" Rule="Even-Odd""#;
            }
            colours += &self.color("FillColor", fill);
        }
        let id = self.res.id();
        let _ = write!(
            self.out,
            r#"<ofd:PathObject ID="{id}"{}{attrs}>{colours}<ofd:AbbreviatedData>{data}</ofd:AbbreviatedData></ofd:PathObject>"#,
            place.attributes()
        );
    }

    fn image(&mut self, image: &Image, size: Size, ts: Transform) -> Result<(), PageError> {
        let (w, h) = (mm(size.x), mm(size.y));
        // One resource for the same file (an SVG: drawn at the same width).
        let key = match image.kind() {
            ImageKind::Raster(raster) => typst::utils::hash128(raster.data()),
            ImageKind::Svg(svg) => typst::utils::hash128(&(svg.data(), (w * 10.0).round() as i64)),
            ImageKind::Pdf(_) => typst::utils::hash128(image),
        };
        let resource = self.res.media(key, || media(image, w))?;
        // The picture's unit square turned as its EXIF orientation says
        // (a JPEG is held as it is), scaled to its size, then placed.
        let place = Placement::new(ts, 0.0, 0.0, w, h);
        let [oa, ob, oc, od, oe, of] = orientation(image, w, h);
        let [a, b, c, d, e, f] =
            place
                .ctm
                .unwrap_or([1.0, 0.0, 0.0, 1.0, place.shift.0, place.shift.1]);
        let ctm = [
            a * oa + c * ob,
            b * oa + d * ob,
            a * oc + c * od,
            b * oc + d * od,
            a * oe + c * of + e,
            b * oe + d * of + f,
        ];
        let id = self.res.id();
        let _ = write!(
            self.out,
            r#"<ofd:ImageObject ID="{id}" Boundary="{}" CTM="{}" ResourceID="{resource}"/>"#,
            nums(&place.boundary),
            nums(&ctm)
        );
        Ok(())
    }
}

fn stroke_attributes(stroke: &FixedStroke) -> String {
    let mut s = format!(r#" LineWidth="{}""#, num(mm(stroke.thickness)));
    match stroke.cap {
        LineCap::Butt => {}
        LineCap::Round => s += r#" Cap="Round""#,
        LineCap::Square => s += r#" Cap="Square""#,
    }
    match stroke.join {
        LineJoin::Miter => {
            let _ = write!(s, r#" MiterLimit="{}""#, num(stroke.miter_limit.get()));
        }
        LineJoin::Round => s += r#" Join="Round""#,
        LineJoin::Bevel => s += r#" Join="Bevel""#,
    }
    if let Some(dash) = &stroke.dash {
        let _ = write!(
            s,
            r#" DashOffset="{}" DashPattern="{}""#,
            num(mm(dash.phase)),
            dash.array
                .iter()
                .map(|&a| num(mm(a)))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    s
}

/// What takes a JPEG's stored pixels (the unit square, rows down) into
/// the `w` × `h` box it is printed in, as its EXIF orientation says (TIFF
/// 6.0's Orientation: where the stored first row and first column stand
/// when the picture is seen upright). The JPEG is held as it is, as the
/// PDF holds it; any other picture is held upright: the identity, scaled.
fn orientation(image: &Image, w: f64, h: f64) -> [f64; 6] {
    let rotation = match image.kind() {
        ImageKind::Raster(raster)
            if raster.format() == RasterFormat::Exchange(ExchangeFormat::Jpg) =>
        {
            raster.exif_rotation().unwrap_or(1)
        }
        _ => 1,
    };
    // (a, b, c, d, e, f): x = a·u + c·v + e, y = b·u + d·v + f.
    match rotation {
        // First row at the top, first column at the right: mirrored.
        2 => [-w, 0.0, 0.0, h, w, 0.0],
        // Turned half round.
        3 => [-w, 0.0, 0.0, -h, w, h],
        // First row at the bottom: flipped.
        4 => [w, 0.0, 0.0, -h, 0.0, h],
        // First row at the left, first column at the top: transposed.
        5 => [0.0, h, w, 0.0, 0.0, 0.0],
        // First row at the right, first column at the top: a phone held
        // upright (turned a quarter clockwise to be seen).
        6 => [0.0, h, -w, 0.0, w, 0.0],
        // First row at the right, first column at the bottom.
        7 => [0.0, -h, -w, 0.0, w, h],
        // First row at the left, first column at the bottom.
        8 => [0.0, -h, w, 0.0, 0.0, h],
        _ => [w, 0.0, 0.0, h, 0.0, 0.0],
    }
}

/// A picture as OFD holds it: a PNG or JPEG file as it is (a JPEG turned
/// by its EXIF orientation is turned by the object's `CTM`, see
/// [`orientation`]; a PNG with one is written anew, upright, as a reader
/// may not turn it); any other raster format decoded and written as PNG;
/// an SVG drawn as a PNG at 300 pixels to the inch of its printed width.
fn media(image: &Image, width_mm: f64) -> Result<(&'static str, Vec<u8>), String> {
    match image.kind() {
        ImageKind::Raster(raster) => match raster.format() {
            RasterFormat::Exchange(ExchangeFormat::Png)
                if raster.exif_rotation().is_none_or(|r| r <= 1) =>
            {
                Ok(("PNG", raster.data().to_vec()))
            }
            RasterFormat::Exchange(ExchangeFormat::Jpg) => Ok(("JPEG", raster.data().to_vec())),
            _ => {
                let mut png = std::io::Cursor::new(Vec::new());
                raster
                    .dynamic()
                    .write_to(&mut png, image::ImageFormat::Png)
                    .map_err(|e| format!("图片无法转成 PNG（{e}）"))?;
                Ok(("PNG", png.into_inner()))
            }
        },
        ImageKind::Svg(svg) => Ok(("PNG", svg_png(svg.tree(), width_mm)?)),
        ImageKind::Pdf(_) => {
            Err("版式用了一张 PDF 图片，PDF 图片放不进 OFD：请在版式里换成 PNG、JPEG 或 SVG".into())
        }
    }
}

/// An SVG drawn as a PNG at 300 pixels to the inch of its printed width,
/// at most 4000 pixels wide and 8000 high: a taller drawing is drawn
/// smaller, whole (not cut at 8000 pixels and stretched).
fn svg_png(tree: &resvg::usvg::Tree, width_mm: f64) -> Result<Vec<u8>, String> {
    let size = tree.size();
    let (width, height) = (
        f64::from(size.width()).max(1.0),
        f64::from(size.height()).max(1.0),
    );
    let px = (width_mm / 25.4 * 300.0).clamp(16.0, 4000.0);
    let scale = (px / width).min(8000.0 / height);
    let (w, h) = (
        (width * scale).ceil().clamp(1.0, 4000.0) as u32,
        (height * scale).ceil().clamp(1.0, 8000.0) as u32,
    );
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).ok_or("SVG 图片太大，无法绘制")?;
    resvg::render(
        tree,
        resvg::tiny_skia::Transform::from_scale(scale as f32, scale as f32),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| format!("SVG 图片无法转成 PNG（{e}）"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tall_svg_is_drawn_whole() {
        // 10 × 100, red over blue, printed 150 mm wide: 300 ppi would be
        // 1772 × 17720 pixels.
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="100"><rect width="10" height="50" fill="red"/><rect y="50" width="10" height="50" fill="blue"/></svg>"#;
        let tree = resvg::usvg::Tree::from_data(svg, &resvg::usvg::Options::default()).unwrap();
        let png = image::load_from_memory(&svg_png(&tree, 150.0).unwrap())
            .unwrap()
            .to_rgba8();
        let (w, h) = png.dimensions();
        assert!(
            h <= 8000 && (f64::from(h) / f64::from(w) - 10.0).abs() < 0.1,
            "{w}×{h}"
        );
        assert_eq!(png.get_pixel(w / 2, h / 4).0, [255, 0, 0, 255]);
        assert_eq!(png.get_pixel(w / 2, h * 3 / 4).0, [0, 0, 255, 255]);
    }
}
