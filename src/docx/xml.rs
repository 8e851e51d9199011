//! XML text and the units of WordprocessingML: twips (1/20 pt) for
//! lengths, half-points for type sizes, eighths of a point for borders,
//! EMU for drawings; and the document grid's numbers.

use crate::layout_data::geometry::*;

/// Twips in a millimetre: 1440 to the inch.
pub const TWIPS_PER_MM: f64 = 1440.0 / 25.4;

/// A length in mm as twips.
pub fn twips(mm: f64) -> i64 {
    (mm * TWIPS_PER_MM).round() as i64
}

/// A length in pt as twips.
pub fn pt_twips(pt: f64) -> i64 {
    (pt * 20.0).round() as i64
}

/// A type size in pt as half-points (`w:sz`).
pub fn half_points(pt: f64) -> i64 {
    (pt * 2.0).round() as i64
}

/// A rule's thickness in mm as eighths of a point (`w:sz` of a border).
pub fn border_eighths(mm: f64) -> i64 {
    (mm / MM_PER_PT * 8.0).round() as i64
}

/// A length in mm as EMU (drawings): 36,000 to the mm.
pub fn emu(mm: f64) -> i64 {
    (mm * 36_000.0).round() as i64
}

/// The page's margins in twips, as Word stores them (top, right, bottom,
/// left); the type area is what they leave of A4.
pub fn margins() -> (i64, i64, i64, i64) {
    let top = twips(TOP);
    let left = twips(LEFT);
    let right = twips(PAGE_WIDTH - LEFT - WIDTH);
    let bottom = twips(PAGE_HEIGHT - TOP - HEIGHT);
    (top, right, bottom, left)
}

/// The type area's width and height in twips as Word computes them from
/// the rounded page size and margins.
pub fn type_area() -> (i64, i64) {
    let (top, right, bottom, left) = margins();
    (
        twips(PAGE_WIDTH) - left - right,
        twips(PAGE_HEIGHT) - top - bottom,
    )
}

/// `w:docGrid w:linePitch`: the line pitch in twips. Word shows (and
/// keeps) floor(type area height / pitch) lines a page, so the pitch is
/// rounded *down*: 225 mm = 12756 twips, / 22 = 579.8, so 579 (22.03
/// lines: 22); 580 would give 21.99, which Word shows as 21 lines.
pub fn line_pitch() -> i64 {
    let (_, height) = type_area();
    height / LINES as i64
}

/// `w:docGrid w:charSpace`: the character grid's pitch as Word reads
/// it, the Normal style's size (3号, 16 pt) plus this many 4096ths of a
/// point (ECMA-376 §17.6.5). The type area's 442.25 pt / 28 = 15.7946 pt a
/// character: (15.7946 − 16) × 4096 = −841.1, rounded *down* to −842
/// (15.7944 pt, 28 × that = 442.24 pt) so that 28 fit, −841 giving 27.
pub fn char_space() -> i64 {
    let (width, _) = type_area();
    let pitch_pt = width as f64 / 20.0 / COLUMNS as f64;
    ((pitch_pt - BODY_PT) * 4096.0).floor() as i64
}

/// The grid's cell as LibreOffice computes it on import (writerfilter's
/// `SectionPropertyMap`, 7.4): the Normal style's East Asian size in
/// twips, then `w:charSpace`'s whole points (its top 20 bits, signed)
/// and its fraction (the low 12 bits, as twentieths, truncated), each
/// converted to 1/100 mm and rounded: 564 − 35 + 26 = 555, 15.73 pt.
pub fn libreoffice_cell_mm100() -> i64 {
    let mm100 = |twips: i64| (twips as f64 * 127.0 / 72.0).round() as i64;
    let space = char_space();
    let whole_points = space.div_euclid(4096);
    let fraction = space.rem_euclid(4096) * 20 / 0xFFF;
    mm100(pt_twips(BODY_PT)) + mm100(whole_points * 20) + mm100(fraction)
}

/// The body's characters condensed (`w:spacing` of a run, twentieths
/// of a point) so that 28 fill a line in Word and in LibreOffice, the
/// body being off the character grid (`w:snapToGrid w:val="0"` in
/// Normal: LibreOffice gives a glyph wider than its cell two cells, and
/// a 16 pt glyph is wider than the 15.79 pt cell of a 28-character
/// line). LibreOffice narrows the line to whole cells (28 × 15.73 pt,
/// centred) even for text off the grid, so a character must be no wider
/// than its cell: 15.73 − 16 = −0.27 pt, rounded away from zero to a
/// twentieth: −6 (15.7 pt; −5, 15.75 pt, set 27 a line in LibreOffice).
/// Word, whose line is the whole 442.25 pt, holds 28.17 of them.
pub fn condense() -> i64 {
    let cell_pt = libreoffice_cell_mm100() as f64 / 100.0 / MM_PER_PT;
    ((cell_pt - BODY_PT) * 20.0).floor() as i64
}

/// The Word pitch of one 3号 grid character in twips (for indents in
/// whole characters where `w:…Chars` is not enough).
pub fn cell_twips() -> i64 {
    let (width, _) = type_area();
    width / COLUMNS as i64
}

/// `text` escaped for XML character data or an attribute value; the
/// characters XML 1.0 cannot hold (C0 controls but tab, newline and
/// carriage return; lone surrogates cannot be in a `str`; U+FFFE/U+FFFF)
/// are left out — the text went through `check`, which refuses
/// unprintable characters, so this only guards the package.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_holds_22_lines_of_28_characters() {
        assert_eq!(margins(), (2098, 1474, 1984, 1587));
        assert_eq!(type_area(), (8845, 12756));
        assert_eq!(line_pitch(), 579);
        assert_eq!(char_space(), -842);
        assert_eq!(libreoffice_cell_mm100(), 555);
        assert_eq!(condense(), -6);
        // As Word counts them: lines of the type area's height, characters
        // of the grid's pitch, and of the condensed body off the grid.
        let (width, height) = type_area();
        assert_eq!(height / line_pitch(), 22);
        let width_pt = width as f64 / 20.0;
        let per_line = |pitch_pt: f64| (width_pt / pitch_pt).floor();
        assert_eq!(per_line(16.0 + char_space() as f64 / 4096.0), 28.0);
        assert_eq!(per_line(16.0 + (char_space() + 1) as f64 / 4096.0), 27.0);
        let advance = |condense: i64| 16.0 + condense as f64 / 20.0;
        assert_eq!(per_line(advance(condense())), 28.0);
        // As LibreOffice sets them: a line of 28 whole cells.
        let cell_pt = libreoffice_cell_mm100() as f64 / 100.0 / MM_PER_PT;
        assert!(28.0 * advance(condense()) <= 28.0 * cell_pt);
        assert!(28.0 * advance(condense() + 1) > 28.0 * cell_pt);
    }

    #[test]
    fn escaping() {
        assert_eq!(escape("a<b>&\"c\u{1}"), "a&lt;b&gt;&amp;&quot;c");
    }
}
