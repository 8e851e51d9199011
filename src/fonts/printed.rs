//! What each embedded font prints, found by build.rs when jianbao is built
//! (the fonts are part of the binary): for each file in `fonts/`, the
//! characters its first face maps to a glyph with an outline, plus
//! whitespace, as sorted inclusive ranges of code points.

include!(concat!(env!("OUT_DIR"), "/printed.rs"));

/// The ranges of the embedded font file `name`.
pub fn of(name: &str) -> Option<&'static [(u32, u32)]> {
    PRINTED.iter().find(|(n, _)| *n == name).map(|(_, r)| *r)
}

/// Whether `ranges` holds `c`.
pub fn contains(ranges: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    let i = ranges.partition_point(|&(_, end)| end < c);
    ranges.get(i).is_some_and(|&(start, _)| start <= c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::{EMBEDDED, EMBEDDED_NAMES};
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
