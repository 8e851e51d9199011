//! Faces on the grid: rare characters of leaders' names (堃 䶮 喆 outside
//! GB2312, 昇 玥 別 outside the Fandol set) printed in a 仿宋 face, each
//! on its own column whatever the width of the face that sets it.

use crate::common::*;

/// The 仿宋 faces jianbao embeds, as typst names their families.
const FANGSONG: [&str; 2] = ["FandolFang R", "cwTeXFangSong"];

/// The type area's left edge, in mm from the page's (GB/T 9704: 28 mm).
const LEFT: f64 = 28.0;

#[test]
fn rare_name_characters_print_in_fangsong_on_their_columns() {
    let doc = layout(&fixture("faces"), "1");
    let placed = flatten(&doc);
    let line = placed
        .body_lines(1)
        .into_iter()
        .find(|l| l.iter().any(|g| g.text == "堃"))
        .expect("a body line holds 堃");
    let text: String = line.iter().map(|g| g.text.as_str()).collect();
    // The fixture's first line: 26 characters after the 2-cell indent,
    // all ideographs, so no gap is adjusted.
    assert_eq!(
        text, "县长李堃副县长王䶮张喆陈昇刘玥周別等同志出席会议听取",
        "the first line as the fixture has it"
    );
    for (i, g) in line.iter().enumerate() {
        let column = LEFT + (2 + i) as f64 * CELL;
        // A glyph narrower than the cell (cwTeX 仿宋: 0.92 em) is centred.
        let centred = column + (CELL - g.advance.min(CELL)) / 2.0;
        assert!(
            (g.x - column).abs() < 0.02 || (g.x - centred).abs() < 0.02,
            "{} (column {}) at {:.3} mm, its column at {column:.3} mm ({})",
            g.text,
            i + 3,
            g.x,
            g.family
        );
    }
    // The traditional forms come from cwTeX 仿宋; 堃 䶮 喆 are in no
    // open-licensed 仿宋 a package registry carries (fonts/SOURCES.md):
    // they print in another face, with a `fallback-style` warning.
    for c in ["昇", "別"] {
        let g = line.iter().find(|g| g.text == c).unwrap();
        assert!(
            FANGSONG.contains(&g.family.as_str()),
            "{c} printed in {}, not a 仿宋 face",
            g.family
        );
    }
}

#[test]
fn a_narrower_fallback_glyph_keeps_its_cell_and_the_rest_their_columns() {
    let doc = layout(&fixture("faces"), "1");
    let placed = flatten(&doc);
    let line = placed
        .body_lines(1)
        .into_iter()
        .find(|l| l.iter().any(|g| g.text == "凈"))
        .expect("a body line holds 凈");
    let text: String = line.iter().map(|g| g.text.as_str()).collect();
    assert_eq!(
        text, "港方代表陳凈宜女士出席会议并致辞对双方合作成果表示肯",
        "the second paragraph's first line as the fixture has it"
    );
    let size = 16.0 / PT_PER_MM;
    for (i, g) in line.iter().enumerate() {
        let column = LEFT + (2 + i) as f64 * CELL;
        if g.text == "凈" {
            // Only cwTeX 仿宋 has it: 0.92 em, centred in its cell.
            assert_eq!(g.family, "cwTeXFangSong");
            let ink = 0.92 * size;
            let centred = column + (CELL - ink) / 2.0;
            assert!(
                (g.x - centred).abs() < 0.01,
                "凈 at {:.3} mm, centred in its cell at {centred:.3} mm",
                g.x
            );
        } else {
            assert!(
                (g.x - column).abs() < 0.01,
                "{} (column {}) at {:.3} mm, its column at {column:.3} mm",
                g.text,
                i + 3,
                g.x
            );
        }
    }
}

#[test]
fn check_warns_for_names_no_fangsong_face_has() {
    let out = jianbao(&fixture("faces"), &["check", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("fallback-style") && err.contains("堃"),
        "{err}"
    );
    assert!(!err.contains("“昇”") && !err.contains("“別”"), "{err}");
}

#[test]
fn every_face_of_the_pdf_is_embedded() {
    let dir = copy_publication(&fixture("faces"));
    let out = jianbao(dir.path(), &["build", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = std::fs::read(dir.path().join("out/001.pdf")).unwrap();
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let mut families = Vec::new();
    for (_, page) in doc.get_pages() {
        for (_, font) in doc.get_page_fonts(page).unwrap() {
            let base = font.get(b"BaseFont").unwrap().as_name().unwrap();
            families.push(String::from_utf8_lossy(base).into_owned());
            // Type0 fonts embed their program in the descendant's descriptor.
            let descendant = font
                .get(b"DescendantFonts")
                .and_then(|d| d.as_array())
                .map(|a| doc.dereference(&a[0]).unwrap().1.as_dict().unwrap().clone())
                .unwrap_or_else(|_| font.clone());
            let descriptor = doc
                .dereference(descendant.get(b"FontDescriptor").unwrap())
                .unwrap()
                .1
                .as_dict()
                .unwrap();
            assert!(
                [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
                    .iter()
                    .any(|k| descriptor.has(k)),
                "{} is not embedded",
                String::from_utf8_lossy(base)
            );
        }
    }
    assert!(
        families.iter().any(|f| f.contains("cwTeX")),
        "no 仿宋 fallback face in {families:?}"
    );
}
