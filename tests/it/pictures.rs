//! Pictures as offices get them (`tests/fixtures/photos`, made by its
//! `make-images.py`): a phone photo stored sideways with EXIF orientation
//! 6, a 240-pixel logo with no density; and the density PNG pages state.

use crate::common::*;

/// A PNG page read back.
struct Page {
    width: u32,
    height: u32,
    /// RGB, row by row.
    rgb: Vec<u8>,
    /// Its pHYs: pixels per unit across and down, and whether the unit is
    /// the metre.
    density: Option<(u32, u32, bool)>,
}

fn read_png(bytes: &[u8]) -> Page {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().unwrap();
    let density = reader
        .info()
        .pixel_dims
        .map(|d| (d.xppu, d.yppu, d.unit == png::Unit::Meter));
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let channels = info.color_type.samples();
    let rgb = buf
        .chunks(channels)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    Page {
        width: info.width,
        height: info.height,
        rgb,
        density,
    }
}

/// The pictures of the fixture's issue as laid out, in page order.
fn pictures() -> Vec<PlacedImage> {
    let doc = layout(&fixture("photos"), "1");
    flatten(&doc).images
}

#[test]
fn a_phone_photo_is_boxed_upright_as_its_exif_orientation_says() {
    let images = pictures();
    let photo = &images[0];
    // Stored 400 × 300, orientation 6: upright 300 wide, 400 high. Its
    // EXIF states 72 ppi, which gives way to the 150 ppi floor: 50.8 mm.
    assert!(
        (photo.width / photo.height - 0.75).abs() < 0.005,
        "box {:.1} × {:.1} mm, not 3:4 upright",
        photo.width,
        photo.height
    );
    assert!(
        (photo.width - 300.0 / 150.0 * 25.4).abs() < 0.1,
        "{photo:?}"
    );
}

#[test]
fn a_phone_photo_prints_upright() {
    let dir = copy_publication(&fixture("photos"));
    let out = jianbao(
        dir.path(),
        &["build", "1", "--format", "png", "--ppi", "150"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let photo = &pictures()[0];
    let png = std::fs::read(first_page(dir.path())).unwrap();
    let Page { width, rgb, .. } = read_png(&png);
    let at = |x_mm: f64, y_mm: f64| {
        let (x, y) = (
            (x_mm / 25.4 * 150.0) as usize,
            (y_mm / 25.4 * 150.0) as usize,
        );
        let i = (y * width as usize + x) * 3;
        (rgb[i], rgb[i + 1], rgb[i + 2])
    };
    let inside = |fx: f64, fy: f64| at(photo.x + fx * photo.width, photo.y + fy * photo.height);
    // Upright: red above, blue below, a black stripe down the left edge.
    let (r, g, b) = inside(0.6, 0.2);
    assert!(r > 150 && g < 90 && b < 90, "top is not red: {r} {g} {b}");
    let (r, g, b) = inside(0.6, 0.8);
    assert!(b > 150 && r < 90, "bottom is not blue: {r} {g} {b}");
    let (r, g, b) = inside(0.03, 0.5);
    assert!(
        r < 60 && g < 60 && b < 60,
        "left edge is not black: {r} {g} {b}"
    );
}

/// The PNG of an issue's first page in `out/` (a one-page issue's is
/// named without a page number).
fn first_page(dir: &std::path::Path) -> std::path::PathBuf {
    let mut pngs: Vec<_> = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    pngs.sort();
    pngs.remove(0)
}

#[test]
fn a_logo_without_density_prints_at_150_ppi() {
    let images = pictures();
    let logo = &images[1];
    // 240 pixels at 150 ppi: 40.64 mm square (at 72 ppi it was 84.7 mm).
    assert!(
        (logo.width - 40.64).abs() < 0.1 && (logo.height - 40.64).abs() < 0.1,
        "{logo:?}"
    );
}

#[test]
fn a_logo_asked_wider_than_its_pixels_allow_is_a_warning_with_its_ppi() {
    let images = pictures();
    // {width=50%}: 78 mm for 240 pixels, 78 ppi.
    assert!((images[2].width - 78.0).abs() < 0.1, "{:?}", images[2]);
    let out = jianbao(&fixture("photos"), &["check", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let warnings: Vec<&str> = err
        .split("\n\n")
        .filter(|d| d.contains("picture-low-resolution"))
        .collect();
    assert_eq!(warnings.len(), 1, "one warning, for the wide logo:\n{err}");
    let w = warnings[0];
    // At the line of the wide logo, with its ppi and a width that is enough.
    assert!(w.contains("issues/001.md:20:"), "{w}");
    assert!(w.contains("78 ppi"), "{w}");
    assert!(w.contains("{width=26%}"), "{w}");
}

#[test]
fn png_pages_state_their_ppi() {
    let dir = copy_publication(&fixture("photos"));
    for (ppi, per_metre) in [(150, 5906), (96, 3780), (300, 11811)] {
        let out = jianbao(
            dir.path(),
            &["build", "1", "--format", "png", "--ppi", &ppi.to_string()],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let png = std::fs::read(first_page(dir.path())).unwrap();
        let Page {
            width,
            height,
            density,
            ..
        } = read_png(&png);
        assert_eq!(density, Some((per_metre, per_metre, true)), "{ppi} ppi");
        // At the stated density the page is A4: 210 × 297 mm.
        let metres = |px: u32| f64::from(px) / f64::from(per_metre) * 1000.0;
        assert!((metres(width) - 210.0).abs() < 0.5, "{}", metres(width));
        assert!((metres(height) - 297.0).abs() < 0.5, "{}", metres(height));
    }
}
