//! Which characters Chinese text sets full-width: one cell of the grid,
//! from a CJK face. The composer, the checks and the cleaner's neighbours
//! all ask the same question.

/// Symbols that Chinese text sets full-width from the CJK face even
/// though they are not ideographs.
const CJK_SYMBOLS: &str = "“”‘’—…·×÷±※№§←↑→↓○●□■△▲◇◆☆★";

/// Whether `c` is set full-width on the grid (ideographs, kana, CJK and
/// full-width punctuation, and the symbols Chinese text sets full-width).
pub fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2460..=0x24FF | 0x2E80..=0x303F | 0x3040..=0x33FF
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xA960..=0xA97F | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF | 0xFE10..=0xFE1F | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x1F000..=0x1FAFF | 0x20000..=0x3FFFF)
        || CJK_SYMBOLS.contains(c)
        // A character no font sets narrow (emoji, rare symbols) takes a cell.
        || (!c.is_ascii() && c.is_alphanumeric() && !is_latin_letter(c) && !is_latin_sign(c))
}

/// Signs that go with Latin text and figures: super- and subscripts
/// (m², CO₂, PM₂.₅), µ, and the ligatures ﬁ ﬂ.
fn is_latin_sign(c: char) -> bool {
    matches!(c as u32, 0x00B2 | 0x00B3 | 0x00B5 | 0x00B9 | 0x2070..=0x209F | 0xFB00..=0xFB06)
}

/// Latin, Greek and Cyrillic letters: set at their natural width.
fn is_latin_letter(c: char) -> bool {
    matches!(c as u32, 0x00C0..=0x024F | 0x0370..=0x03FF | 0x0400..=0x04FF | 0x1E00..=0x1EFF)
}
