//! XML text and the units of WordprocessingML: twips (1/20 pt) for
//! lengths, half-points for type sizes, eighths of a point for borders,
//! EMU for drawings; and the document grid's two numbers.

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

/// The body's characters condensed (`w:spacing` of a run, twentieths
/// of a point) so that 28 fill a line: 156 mm = 8845 twips = 442.25 pt,
/// / 28 = 15.7946 pt a character; 16 pt less 0.2054 pt, rounded away
/// from zero to a twentieth: −5 (15.75 pt, 28.08 a line; −4 gives 15.8
/// pt, 27.99, so 27). Word, WPS and LibreOffice all set it so; a
/// character grid (`w:docGrid w:type="linesAndChars" w:charSpace="-842"`,
/// the same pitch) is not used: LibreOffice gives a character wider than
/// its cell two cells, 14 a line.
pub fn condense() -> i64 {
    let (width, _) = type_area();
    let pitch_pt = width as f64 / 20.0 / COLUMNS as f64;
    -((BODY_PT - pitch_pt) * 20.0).ceil() as i64
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
        assert_eq!(condense(), -5);
        // As Word counts them.
        let (width, height) = type_area();
        assert_eq!(height / line_pitch(), 22);
        let fits = |condense: i64| (width as f64 / 20.0 / (16.0 + condense as f64 / 20.0)).floor();
        assert_eq!(fits(condense()), 28.0);
        assert_eq!(fits(condense() + 1), 27.0);
    }

    #[test]
    fn escaping() {
        assert_eq!(escape("a<b>&\"c\u{1}"), "a&lt;b&gt;&amp;&quot;c");
    }
}
