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
