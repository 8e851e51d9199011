//! Breaking paragraphs into lines on the character grid, the way Word's
//! document grid keeps it: every full-width character is one cell
//! (156 mm / 28), a run of Latin letters or digits takes whole cells, lines
//! are flush left and right, and kinsoku is kept (no line starts with ，。
//! or ends with “（). Where kinsoku forbids the natural break, a line either
//! pulls the next mark in and squeezes two closing marks by half a cell
//! each, or pushes a character out and widens two closing marks by half a
//! cell each, whichever leaves fewer characters off their column.
//!
//! typst's own paragraphs cannot do this: its shaping compresses CJK
//! punctuation at positions it chooses, which moves the columns. The layout
//! therefore receives positioned glyphs, not paragraphs.

use serde::Serialize;

/// The face a run is set in; the layout maps each to a font role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Face {
    /// 仿宋 body text.
    #[serde(rename = "body")]
    Body,
    /// 黑体: level-1 headings, emphasis, labels.
    #[serde(rename = "heading")]
    Heading,
    /// 楷体: level-2 headings, editor's notes.
    #[serde(rename = "subheading")]
    Subheading,
}

/// Font metrics the breaker needs: a character's advance in em.
pub trait Measure {
    fn advance(&self, c: char, face: Face) -> f64;
}

/// A glyph (or an unbreakable Latin run) placed on a line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Glyph {
    pub text: String,
    /// Left edge of the glyph's em box, in cells from the line's left edge.
    pub x: f64,
    pub face: Face,
    /// Whether this is one full-width character (the grid's unit).
    #[serde(skip)]
    pub wide: bool,
}

/// One line of a paragraph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub glyphs: Vec<Glyph>,
    /// Filled to the right edge (every line of a paragraph but its last).
    pub full: bool,
}

/// How a paragraph's lines are shaped: cells per line and indents, in cells.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub cells: usize,
    pub first_indent: usize,
    pub rest_indent: usize,
}

// Word's zh-CN kinsoku sets (bulletin-format §7).
const NO_START: &str =
    "!%),.:;?]}¢°·ˇˉ―‖’”…‰′″℃∶、。〃〉》」』】〕〗〞﹚﹜！＂％＇），．：；？］｝～";
const NO_END: &str = "([{£¥‘“〈《「『【〔〖〝﹙﹛（［｛￡￥$";
/// Closing marks whose ink sits in the left half of the em: these may be
/// squeezed or widened by half a cell.
const ADJUSTABLE: &str = "，。、；：！？）》」』】〕〗”’";
/// A number is not split from a unit that follows it.
const UNITS: &str = "年月日时分秒%％‰元万亿千百个号期次名人家所项条份件届级岁米吨平亩公";

#[derive(Debug, Clone)]
struct Atom {
    text: String,
    face: Face,
    /// Width in cells: 1 for a full-width character, 2 for —— and ……,
    /// ceil(width) for a Latin run.
    cells: f64,
    /// For a Latin run, its natural width in cells (centred in `cells`).
    natural: f64,
    wide: bool,
    no_start: bool,
    no_end: bool,
    /// No break allowed before this atom.
    glue: bool,
    adjustable: bool,
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFF)
}

/// Splits runs of (text, face) into atoms.
fn atoms(runs: &[(String, Face)], m: &dyn Measure) -> Vec<Atom> {
    let mut out: Vec<Atom> = Vec::new();
    for (text, face) in runs {
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            let adv = m.advance(c, *face);
            let wide = is_cjk(c) || adv >= 0.9;
            if wide {
                // —— and …… are never split.
                let pair = matches!(c, '—' | '…') && chars.peek() == Some(&c);
                let mut text = c.to_string();
                if pair {
                    text.push(chars.next().unwrap());
                }
                let cells = if pair { 2.0 } else { 1.0 };
                let prev_digit = out
                    .last()
                    .is_some_and(|a| !a.wide && a.text.ends_with(|d: char| d.is_ascii_digit()));
                out.push(Atom {
                    glue: prev_digit && UNITS.contains(c),
                    text,
                    face: *face,
                    cells,
                    natural: cells,
                    wide: true,
                    no_start: NO_START.contains(c),
                    no_end: NO_END.contains(c),
                    adjustable: ADJUSTABLE.contains(c),
                });
            } else {
                // Gather a narrow run up to and including a space.
                let mut run = c.to_string();
                let mut width = adv;
                let mut last = c;
                while let Some(&n) = chars.peek() {
                    if last == ' ' || is_cjk(n) || m.advance(n, *face) >= 0.9 {
                        break;
                    }
                    width += m.advance(n, *face);
                    run.push(n);
                    last = n;
                    chars.next();
                }
                let natural = width;
                let first = run.chars().next().unwrap();
                let last_c = run.trim_end().chars().last().unwrap_or(first);
                out.push(Atom {
                    glue: out
                        .last()
                        .is_some_and(|a| !a.wide && !a.text.ends_with(' ')),
                    text: run,
                    face: *face,
                    cells: natural.ceil().max(1.0),
                    natural,
                    wide: false,
                    no_start: NO_START.contains(first),
                    no_end: NO_END.contains(last_c),
                    adjustable: false,
                });
            }
        }
    }
    out
}

/// Whether a line may break between atom `k - 1` and atom `k`.
fn can_break(a: &[Atom], k: usize) -> bool {
    k == 0 || k >= a.len() || !(a[k].no_start || a[k].glue || a[k - 1].no_end)
}

/// Lays out `runs` as lines of `shape.cells` cells.
pub fn break_lines(runs: &[(String, Face)], shape: Shape, m: &dyn Measure) -> Vec<Line> {
    let a = atoms(runs, m);
    let mut lines = Vec::new();
    let mut i = 0;
    let mut first = true;
    while i < a.len() {
        let indent = if first {
            shape.first_indent
        } else {
            shape.rest_indent
        } as f64;
        let cap = shape.cells as f64 - indent;
        first = false;
        let mut j = i;
        let mut used = 0.0;
        while j < a.len() && used + a[j].cells <= cap + 1e-9 {
            used += a[j].cells;
            j += 1;
        }
        if j == a.len() {
            lines.push(place(&a[i..], indent, &[], false));
            break;
        }
        if j == i {
            // A single atom wider than the line (a very long URL): it gets a line of its own.
            lines.push(place(&a[i..=i], indent, &[], false));
            i += 1;
            continue;
        }
        if can_break(&a, j) && (cap - used).abs() < 1e-9 {
            lines.push(place(&a[i..j], indent, &[], true));
            i = j;
            continue;
        }
        // Pull atoms in until the break is legal and squeeze marks, or push
        // atoms out and widen marks: whichever costs the grid least.
        let pull = (j + 1..=(j + 2).min(a.len()))
            .find(|&k| can_break(&a, k))
            .and_then(|k| {
                let over = used + a[j..k].iter().map(|x| x.cells).sum::<f64>() - cap;
                squeeze(&a[i..k], over).map(|(adj, cost)| (k, adj, cost))
            });
        let push = (i + 1..=j).rev().find(|&k| can_break(&a, k)).map(|k| {
            let short = cap - a[i..k].iter().map(|x| x.cells).sum::<f64>();
            let (adj, cost) = widen(&a[i..k], short);
            (k, adj, cost)
        });
        let (k, adjust) = match (pull, push) {
            (Some(p), Some(q)) => {
                if p.2 <= q.2 {
                    (p.0, p.1)
                } else {
                    (q.0, q.1)
                }
            }
            (Some(p), None) => (p.0, p.1),
            (None, Some(q)) => (q.0, q.1),
            // Nothing is legal: break where it fits.
            (None, None) => (j, Vec::new()),
        };
        lines.push(place(&a[i..k], indent, &adjust, true));
        i = k;
    }
    lines
}

/// What an adjustment costs: characters off their column, plus a visible
/// gap counted as `GAP_COST` characters.
type Adjustment = (Vec<(usize, f64)>, usize);

/// A mark widened by a whole cell keeps every column but shows a gap.
const GAP_COST: usize = 4;

/// Squeezes `over` cells out of a line, half a cell per closing mark. The
/// last atom may be squeezed: a closing mark's ink is in the left half of
/// its cell, so the right edge stays flush.
fn squeeze(a: &[Atom], over: f64) -> Option<Adjustment> {
    let halves = (over * 2.0).round() as usize;
    let marks: Vec<usize> = (0..a.len()).filter(|&p| a[p].adjustable).collect();
    let chosen = pick_pairs(a, &marks, halves)?;
    let adj: Vec<(usize, f64)> = chosen.iter().map(|&p| (p, -0.5)).collect();
    let cost = off_grid(a, &adj);
    Some((adj, cost))
}

/// Widens marks to fill `short` cells: by half a cell each in pairs, or a
/// whole cell at one mark; never the last atom, so the right edge stays
/// flush. A line without marks spreads the space over all its gaps.
fn widen(a: &[Atom], short: f64) -> Adjustment {
    let halves = (short * 2.0).round() as usize;
    let marks: Vec<usize> = (0..a.len().saturating_sub(1))
        .filter(|&p| a[p].adjustable)
        .collect();
    let mut options: Vec<Adjustment> = Vec::new();
    if let Some(chosen) = pick_pairs(a, &marks, halves) {
        let adj: Vec<(usize, f64)> = chosen.iter().map(|&p| (p, 0.5)).collect();
        let cost = off_grid(a, &adj);
        options.push((adj, cost));
    }
    if halves.is_multiple_of(2) && marks.len() >= halves / 2 {
        // Whole cells at the marks nearest the line's end.
        let adj: Vec<(usize, f64)> = marks
            .iter()
            .rev()
            .take(halves / 2)
            .map(|&p| (p, 1.0))
            .collect();
        let cost = off_grid(a, &adj) + GAP_COST * adj.len();
        options.push((adj, cost));
    }
    options
        .into_iter()
        .min_by_key(|(_, cost)| *cost)
        .unwrap_or_else(|| {
            let adj = spread(a, short);
            let cost = off_grid(a, &adj);
            (adj, cost)
        })
}

/// Picks `halves` of `marks` in pairs with the fewest full-width atoms
/// between them: after each pair the text is back on the grid.
fn pick_pairs(a: &[Atom], marks: &[usize], halves: usize) -> Option<Vec<usize>> {
    if halves == 0 {
        return Some(Vec::new());
    }
    if marks.len() < halves {
        return None;
    }
    let mut pairs: Vec<(usize, usize, usize)> = marks
        .windows(2)
        .map(|w| {
            (
                a[w[0] + 1..=w[1]].iter().filter(|x| x.wide).count(),
                w[0],
                w[1],
            )
        })
        .collect();
    pairs.sort();
    let mut chosen: Vec<usize> = Vec::new();
    for (_, p, q) in pairs {
        if chosen.len() + 2 > halves {
            break;
        }
        if !chosen.contains(&p) && !chosen.contains(&q) {
            chosen.extend([p, q]);
        }
    }
    // An odd count, or pairs that overlapped: take any remaining marks.
    for &p in marks {
        if chosen.len() == halves {
            break;
        }
        if !chosen.contains(&p) {
            chosen.push(p);
        }
    }
    chosen.sort();
    (chosen.len() == halves).then_some(chosen)
}

/// Spreads `short` cells evenly over the gaps of a line with no marks to widen.
fn spread(a: &[Atom], short: f64) -> Vec<(usize, f64)> {
    let gaps = a.len().saturating_sub(1).max(1);
    (0..gaps).map(|p| (p, short / gaps as f64)).collect()
}

/// How many full-width atoms stand off their column after `adjust`.
fn off_grid(a: &[Atom], adjust: &[(usize, f64)]) -> usize {
    a.iter()
        .zip(positions(a, 0.0, adjust))
        .filter(|(atom, x)| atom.wide && (x - x.round()).abs() > 1e-6)
        .count()
}

/// The left edge of each atom, in cells, after the adjustments.
fn positions(a: &[Atom], start: f64, adjust: &[(usize, f64)]) -> Vec<f64> {
    let mut x = start;
    a.iter()
        .enumerate()
        .map(|(p, atom)| {
            let here = x;
            x += atom.cells
                + adjust
                    .iter()
                    .filter(|(q, _)| *q == p)
                    .map(|(_, d)| d)
                    .sum::<f64>();
            here
        })
        .collect()
}

fn place(a: &[Atom], indent: f64, adjust: &[(usize, f64)], full: bool) -> Line {
    let mut glyphs = Vec::with_capacity(a.len());
    for (atom, x) in a.iter().zip(positions(a, indent, adjust)) {
        if atom.wide {
            // —— and …… are two glyphs, each in its own cell.
            for (n, c) in atom.text.chars().enumerate() {
                glyphs.push(Glyph {
                    text: c.to_string(),
                    x: x + n as f64,
                    face: atom.face,
                    wide: true,
                });
            }
        } else {
            let text = atom.text.trim_end().to_string();
            glyphs.push(Glyph {
                text,
                x: x + (atom.cells - atom.natural) / 2.0,
                face: atom.face,
                wide: false,
            });
        }
    }
    Line { glyphs, full }
}

/// Breaks a single-style line of text set at `size` (em per cell = 1) into
/// lines of at most `cells` characters, keeping kinsoku, for text outside
/// the body grid (titles, the closing block). Returns the lines' texts.
pub fn break_plain(
    text: &str,
    first_cells: f64,
    cells: f64,
    m: &dyn Measure,
    face: Face,
) -> Vec<String> {
    let a = atoms(&[(text.to_string(), face)], m);
    let mut out = Vec::new();
    let mut i = 0;
    let mut cap = first_cells;
    while i < a.len() {
        let mut j = i;
        let mut used = 0.0;
        while j < a.len() && used + a[j].natural <= cap + 1e-9 {
            used += a[j].natural;
            j += 1;
        }
        if j < a.len() {
            let k = (i + 1..=j)
                .rev()
                .find(|&k| can_break(&a, k))
                .unwrap_or(j.max(i + 1));
            j = k;
        }
        out.push(
            a[i..j]
                .iter()
                .map(|x| x.text.as_str())
                .collect::<String>()
                .trim_end()
                .to_string(),
        );
        i = j;
        cap = cells;
    }
    out
}

/// The width of a text in cells of its own size.
pub fn width(text: &str, m: &dyn Measure, face: Face) -> f64 {
    text.chars()
        .map(|c| if is_cjk(c) { 1.0 } else { m.advance(c, face) })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Full-width for CJK and CJK punctuation, half for ASCII.
    struct Mono;
    impl Measure for Mono {
        fn advance(&self, c: char, _: Face) -> f64 {
            if is_cjk(c) || "“”‘’—…".contains(c) {
                1.0
            } else {
                0.5
            }
        }
    }

    fn lines(text: &str) -> Vec<Line> {
        break_lines(
            &[(text.to_string(), Face::Body)],
            Shape {
                cells: 28,
                first_indent: 2,
                rest_indent: 0,
            },
            &Mono,
        )
    }

    fn texts(ls: &[Line]) -> Vec<String> {
        ls.iter()
            .map(|l| l.glyphs.iter().map(|g| g.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn plain_lines_fill_the_grid() {
        let text = "字".repeat(26 + 28 + 5);
        let ls = lines(&text);
        assert_eq!(ls.len(), 3);
        assert_eq!(ls[0].glyphs.len(), 26);
        assert_eq!(ls[0].glyphs[0].x, 2.0);
        assert_eq!(ls[1].glyphs.len(), 28);
        assert_eq!(ls[1].glyphs[27].x, 27.0);
        assert!(ls[1].full && !ls[2].full);
    }

    #[test]
    fn no_line_starts_with_a_closing_mark() {
        // The 27th character of line 1 would be "，".
        let text = format!("{}，{}。", "字".repeat(26), "字".repeat(40));
        let ls = lines(&text);
        for t in texts(&ls).iter().skip(1) {
            assert!(!t.starts_with(['，', '。']), "{t}");
        }
        for l in &ls[..ls.len() - 1] {
            let last = l.glyphs.last().unwrap();
            assert!((last.x - 27.0).abs() < 1e-9, "flush right: {}", last.x);
        }
    }

    #[test]
    fn pull_squeezes_marks_and_stays_flush() {
        // Marks early in the line allow squeezing when the next line would start with "。".
        let text = format!("字字，字，{}。{}", "字".repeat(21), "字".repeat(10));
        let ls = lines(&text);
        assert_eq!(texts(&ls)[0].chars().last(), Some('。'));
        let last = ls[0].glyphs.last().unwrap();
        assert!((last.x - 27.0).abs() < 1e-9);
    }

    #[test]
    fn latin_runs_take_whole_cells_and_stay_whole() {
        let text = format!("{}2.0版本{}", "字".repeat(24), "字".repeat(10));
        let ls = lines(&text);
        let t = texts(&ls);
        assert!(t.iter().any(|l| l.contains("2.0")), "{t:?}");
        // The run takes whole cells: the characters after it stay in their columns.
        for g in ls[0].glyphs.iter().filter(|g| g.wide) {
            assert!((g.x - g.x.round()).abs() < 1e-9, "{} at {}", g.text, g.x);
        }
    }

    #[test]
    fn dashes_are_not_split() {
        let text = format!("{}——{}", "字".repeat(25), "字".repeat(10));
        let t = texts(&lines(&text));
        assert!(t.iter().any(|l| l.contains("——")), "{t:?}");
    }

    #[test]
    fn plain_breaking_keeps_kinsoku() {
        let text = format!("{}、{}", "字".repeat(26), "字".repeat(5));
        let parts = break_plain(&text, 26.0, 26.0, &Mono, Face::Body);
        assert_eq!(parts[0].chars().count(), 25);
        assert!(parts[1].starts_with("字、"), "{parts:?}");
    }
}
