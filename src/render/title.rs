//! Breaking centred lines (titles, the lead-in, the masthead's series line)
//! that are too long for one line: between words (ICU's dictionary word
//! segmentation), never before a closing mark or after an opening one, and
//! as balanced as the words allow (bulletin-format §3: long titles break
//! into a trapezoid or diamond, words kept whole).

use std::sync::LazyLock;

use icu_segmenter::options::WordBreakInvariantOptions;
use icu_segmenter::{WordSegmenter, WordSegmenterBorrowed};

use super::grid::{self, Face, Measure};

static WORDS: LazyLock<WordSegmenterBorrowed<'static>> =
    LazyLock::new(|| WordSegmenter::new_dictionary(WordBreakInvariantOptions::default()));

/// Characters a title line should not start with: closing marks, and
/// particles that lean on the word before them.
const NO_START: &str = "，。、；：！？”’）》」』】〕〗〉…—的地得了着过之";
const NO_END: &str = "“‘（《「『【〔〖〈";

/// Lines a title may be balanced over; a longer one is broken greedily.
const MAX_BALANCED: usize = 4;

/// Breaks `text` into as few lines of at most `cap` em as it needs, the
/// lines as even as the word boundaries allow.
pub fn break_title(text: &str, cap: f64, m: &dyn Measure, face: Face) -> Vec<String> {
    // Width of text[..byte], for every char boundary: a line's width is a
    // difference of two.
    let mut prefix: Vec<(usize, f64)> = Vec::with_capacity(text.len() + 1);
    let mut w = 0.0;
    for (i, c) in text.char_indices() {
        prefix.push((i, w));
        w += grid::width(c.encode_utf8(&mut [0; 4]), m, face);
    }
    prefix.push((text.len(), w));
    let total = w;
    if total <= cap + 1e-6 {
        return vec![text.to_string()];
    }
    let lines = (total / cap).ceil() as usize;
    if lines > MAX_BALANCED {
        return grid::break_plain(text, cap, cap, m, face);
    }
    let at = |byte: usize| {
        prefix
            .binary_search_by_key(&byte, |(b, _)| *b)
            .map_or(0.0, |k| prefix[k].1)
    };
    let width = |a: usize, b: usize| at(b) - at(a);
    // Word boundaries (byte offsets), with the segment lengths around them;
    // a number with its unit (2024年, 12个) ends a word whatever the
    // dictionary says (it reads 2024|年春|季).
    let mut bounds: Vec<usize> = WORDS.segment_str(text).collect();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for w in chars.windows(3) {
        let ((_, a), (_, b), (at, _)) = (w[0], w[1], w[2]);
        if a.is_ascii_digit() && "年月日个次期项名人家所届".contains(b) && !bounds.contains(&at)
        {
            bounds.push(at);
        }
    }
    bounds.sort_unstable();
    let mut cuts: Vec<(usize, f64)> = Vec::new();
    for w in bounds.windows(3) {
        let (a, b, c) = (w[0], w[1], w[2]);
        let before = &text[a..b];
        let after = &text[b..c];
        if before.trim().is_empty() || after.trim().is_empty() {
            // A space is a fine place to break.
            cuts.push((b, 0.0));
            continue;
        }
        let (Some(last), Some(first)) = (before.chars().last(), after.chars().next()) else {
            continue;
        };
        if NO_END.contains(last) || NO_START.contains(first) {
            continue;
        }
        // Never inside a Latin word, a number or a URL, nor between a
        // number and its unit (2024|年).
        if (last.is_ascii_graphic() && first.is_ascii_graphic())
            || (last.is_ascii_digit() && grid::is_wide(first))
        {
            continue;
        }
        // After 、，；： or before 暨 is where a title's phrases part.
        let phrase = "、，；：,;".contains(last) || "暨及与和并".starts_with(first);
        // A one-character "word" is often a dictionary miss (創|文公|益):
        // ending a line on one costs more than starting a line with one.
        let single = |s: &str| s.chars().count() == 1 && grid::is_wide(s.chars().next().unwrap());
        let penalty = 2.0 * f64::from(u8::from(single(before)))
            + f64::from(u8::from(single(after)))
            - if phrase { 1.5 } else { 0.0 };
        cuts.push((b, penalty));
    }
    for n in lines..(lines + 2).min(MAX_BALANCED + 1) {
        if let Some(best) = best_split(text, &cuts, n, cap, total, &width) {
            return best;
        }
    }
    // No word boundary works (a very long word): break anywhere legal.
    grid::break_plain(text, cap, cap, m, face)
}

/// The best way to cut `text` into `n` lines at `cuts`: every line within
/// `cap`, scored by how uneven the lines are plus the cuts' penalties.
fn best_split(
    text: &str,
    cuts: &[(usize, f64)],
    n: usize,
    cap: f64,
    total: f64,
    width: &dyn Fn(usize, usize) -> f64,
) -> Option<Vec<String>> {
    let target = total / n as f64;
    // Dynamic programming over cuts: best[j][k] = least score of the first
    // j lines ending at cut k (k = cuts.len() is the end of the text).
    let ends: Vec<(usize, f64)> = cuts.iter().copied().chain([(text.len(), 0.0)]).collect();
    let m = ends.len();
    let mut best = vec![vec![f64::INFINITY; m]; n + 1];
    let mut from = vec![vec![usize::MAX; m]; n + 1];
    let start_of = |k: usize| if k == usize::MAX { 0 } else { ends[k].0 };
    for j in 1..=n {
        for k in 0..m {
            let (end, penalty) = ends[k];
            let first = j == 1;
            for p in (if first { 0..1 } else { 0..k }).map(|p| if first { usize::MAX } else { p }) {
                let before = if first { 0.0 } else { best[j - 1][p] };
                if !before.is_finite() {
                    continue;
                }
                let start = start_of(p);
                if start >= end {
                    continue;
                }
                let w = width(start, end);
                if w > cap + 1e-6 {
                    continue;
                }
                // A long title stands as a trapezoid: a line no longer than
                // the one under it (GB/T 9704 7.3.1).
                let shape = if first {
                    0.0
                } else {
                    let pp = from[j - 1][p];
                    let above = width(start_of(pp), start);
                    if above > w + 1e-6 { 0.1 } else { 0.0 }
                };
                let score = before + (w - target).abs() * 0.5 + penalty + shape;
                if score < best[j][k] {
                    best[j][k] = score;
                    from[j][k] = p;
                }
            }
        }
    }
    if !best[n][m - 1].is_finite() {
        return None;
    }
    let mut out = Vec::new();
    let mut k = m - 1;
    for j in (1..=n).rev() {
        let p = from[j][k];
        out.push(text[start_of(p)..ends[k].0].trim().to_string());
        k = p;
    }
    out.reverse();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Mono;
    impl Measure for Mono {
        fn advance(&self, c: char, _: Face, latin: bool) -> f64 {
            if !latin || grid::is_wide(c) { 1.0 } else { 0.5 }
        }
    }

    #[test]
    fn titles_break_between_words() {
        let t = break_title(
            "市創文督查組對我區開展創文公益廣告宣傳實地檢查",
            20.0,
            &Mono,
            Face::Body,
        );
        assert_eq!(t, ["市創文督查組對我區開展", "創文公益廣告宣傳實地檢查"]);
    }

    #[test]
    fn a_number_and_its_unit_end_a_word() {
        let t = break_title(
            "区教育局开展2024年春季学期开学工作专项督导",
            20.0,
            &Mono,
            Face::Body,
        );
        assert!(t.iter().all(|l| !l.ends_with('春')), "{t:?}");
    }

    #[test]
    fn short_titles_stay_whole() {
        let t = break_title("亮出重槌敲响鼓", 20.0, &Mono, Face::Body);
        assert_eq!(t, ["亮出重槌敲响鼓"]);
    }

    #[test]
    fn no_line_starts_with_a_closing_mark() {
        let t = break_title(
            "关于进一步加强“能力作风建设年”活动中基层党组织建设工作的通知",
            20.0,
            &Mono,
            Face::Body,
        );
        for l in &t {
            assert!(!l.starts_with(|c| NO_START.contains(c)), "{t:?}");
            assert!(!l.ends_with(|c| NO_END.contains(c)), "{t:?}");
            assert!(l.chars().count() <= 20, "{t:?}");
        }
        assert_eq!(
            t.concat(),
            "关于进一步加强“能力作风建设年”活动中基层党组织建设工作的通知"
        );
    }
}
