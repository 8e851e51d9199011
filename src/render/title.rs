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

/// Breaks `text` into as few lines of at most `cap` em as it needs, the
/// lines as even as the word boundaries allow.
pub fn break_title(text: &str, cap: f64, m: &dyn Measure, face: Face) -> Vec<String> {
    let width = |s: &str| grid::width(s, m, face);
    let total = width(text);
    if total <= cap + 1e-6 {
        return vec![text.to_string()];
    }
    // Word boundaries (byte offsets), with the segment lengths around them.
    let bounds: Vec<usize> = WORDS.segment_str(text).collect();
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
        // A one-character "word" is often a dictionary miss (創|文公|益):
        // ending a line on one costs more than starting a line with one.
        let single = |s: &str| s.chars().count() == 1 && grid::is_wide(s.chars().next().unwrap());
        let penalty =
            2.0 * f64::from(u8::from(single(before))) + f64::from(u8::from(single(after)));
        cuts.push((b, penalty));
    }
    let lines = (total / cap).ceil() as usize;
    for n in lines..lines + 3 {
        if let Some(best) = best_split(text, &cuts, n, cap, &width) {
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
    width: &dyn Fn(&str) -> f64,
) -> Option<Vec<String>> {
    let target = width(text) / n as f64;
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
            let prevs: Vec<usize> = if j == 1 {
                vec![usize::MAX]
            } else {
                (0..k).collect()
            };
            for p in prevs {
                let before = if j == 1 { 0.0 } else { best[j - 1][p] };
                if !before.is_finite() {
                    continue;
                }
                let start = start_of(p);
                if start >= end {
                    continue;
                }
                let w = width(text[start..end].trim());
                if w > cap + 1e-6 {
                    continue;
                }
                let score = before + (w - target).abs() * 0.5 + penalty;
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
