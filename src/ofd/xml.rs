//! XML text and the units of OFD: every length in millimetres, written
//! with at most four decimals (a tenth of a micrometre), the same number
//! always the same way.

/// The OFD namespace (GB/T 33190—2016 §7.1).
pub const NS: &str = "http://www.ofdspec.org/2016";

/// Millimetres in a typst point (1/72 inch).
pub const MM_PER_PT: f64 = 25.4 / 72.0;

/// Whether XML 1.0 can hold `c` in an element's text (a TextCode holds
/// only such characters: each has its position).
pub fn is_writable(c: char) -> bool {
    !c.is_control() && c != '\u{FFFE}' && c != '\u{FFFF}'
}

/// `text` escaped for an element's text or an attribute in double quotes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 allows no other control characters, even escaped.
            '\t' | '\n' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A number as OFD writes it: four decimals at most, no trailing zeros,
/// never `-0`.
pub fn num(x: f64) -> String {
    let rounded = (x * 10_000.0).round() / 10_000.0;
    if rounded == 0.0 || !rounded.is_finite() {
        return "0".into();
    }
    let s = format!("{rounded:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// Numbers separated by spaces (a box, a matrix, a list of advances).
pub fn nums(xs: &[f64]) -> String {
    xs.iter().map(|&x| num(x)).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_short_and_stable() {
        assert_eq!(num(210.0), "210");
        assert_eq!(num(5.644_444_4), "5.6444");
        assert_eq!(num(-0.000_01), "0");
        assert_eq!(num(-1.5), "-1.5");
        assert_eq!(nums(&[0.0, 0.0, 210.0, 297.0]), "0 0 210 297");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
