//! Which characters Chinese text sets full-width: one cell of the grid,
//! from a CJK face; and which print nothing at all. The composer, the
//! parser, the checks and the cleaner all ask the same questions.

/// Characters that print nothing and only get in the way: zero-width
/// space, non-joiner and joiner, left-to-right and right-to-left marks,
/// word joiner, the emoji variation selector, a byte-order mark inside the
/// text, and the soft hyphen (which typst would print as a hyphen).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

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

/// A character that prints nothing a reader can see, or changes how the
/// rest of a line is shown: never wanted in a printed string, and shown
/// escaped (`<U+202E>`) in diagnostics so it cannot act on the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unprintable {
    /// C0 and C1 controls (ESC, NUL, a line feed inside a string …); a tab
    /// counts as a space and is not one.
    Control,
    /// Bidirectional overrides, embeddings, isolates and marks: they
    /// reorder the text around them (U+202E turns “abc” into “cba”).
    Bidi,
    /// Other invisible format characters: zero-width space, soft hyphen,
    /// word joiner, a byte-order mark inside the text, tags.
    Format,
    /// U+2028 and U+2029: a line break inside one line.
    LineSeparator,
}

impl Unprintable {
    /// What it is, in the words of a message.
    pub fn name(self) -> &'static str {
        match self {
            Unprintable::Control => "控制字符",
            Unprintable::Bidi => "改变文字方向的控制字符",
            Unprintable::Format => "看不见的格式字符",
            Unprintable::LineSeparator => "换行符",
        }
    }
}

/// Whether `c` is [`Unprintable`], and which kind.
pub fn unprintable(c: char) -> Option<Unprintable> {
    let u = c as u32;
    if c.is_control() && c != '\t' {
        return Some(Unprintable::Control);
    }
    match u {
        0x061C | 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069 => Some(Unprintable::Bidi),
        0x2028 | 0x2029 => Some(Unprintable::LineSeparator),
        // The rest of Unicode's format characters (category Cf).
        0x00AD
        | 0x0600..=0x0605
        | 0x06DD
        | 0x070F
        | 0x0890
        | 0x0891
        | 0x08E2
        | 0x180E
        | 0x200B..=0x200D
        | 0x2060..=0x2064
        | 0x206A..=0x206F
        | 0xFEFF
        | 0xFFF9..=0xFFFB
        | 0x110BD
        | 0x110CD
        | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A
        | 0xE0001
        | 0xE0020..=0xE007F => Some(Unprintable::Format),
        _ => None,
    }
}

/// `text` with every [`Unprintable`] character written as `<U+202E>`:
/// safe to print on a terminal, and visible.
pub fn escape_unprintable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| unprintable(c).is_some()) {
        return text.into();
    }
    text.chars()
        .map(|c| match unprintable(c) {
            Some(_) => format!("<U+{:04X}>", c as u32),
            None => c.to_string(),
        })
        .collect::<String>()
        .into()
}

/// A string's width in characters of its size: a wide character one, a
/// narrow one half (for bounds on short printed strings, not layout).
pub fn ems(text: &str) -> f64 {
    text.chars()
        .map(|c| if is_wide(c) { 1.0 } else { 0.5 })
        .sum()
}
