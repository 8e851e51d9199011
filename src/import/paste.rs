//! What the clerk's page pastes (the browser's HTML clipboard, from Word,
//! WPS or a web page, already read into blocks by the page) as the same
//! paragraphs and tables a .docx is read into, so that `write` recognises
//! the titles, headings, numbering, bold, pictures and tables with merged
//! cells exactly as `import` does.

use serde::Deserialize;

use super::docx::{Block, Para, Picture, Row, Run, Table, TableCell};
use super::numbering::Shown;

/// One block of the clipboard, as the page sends it (docs: serve's API).
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PasteBlock {
    Para {
        #[serde(default)]
        runs: Vec<PasteRun>,
        /// HTML h1..h6 or Word's `Heading N` / `标题 N`; 0 for none.
        #[serde(default)]
        heading: u8,
        #[serde(default)]
        center: bool,
        /// The number Word shows for an automatic list item (`一、`, `1.`).
        #[serde(default)]
        list: Option<String>,
        /// The largest font size of its text in points (inline styles,
        /// `<font size>`, Word's `MsoTitle`), when the clipboard says it.
        #[serde(default)]
        size_pt: Option<f64>,
        /// A picture's caption (`<figcaption>`).
        #[serde(default)]
        caption: bool,
    },
    Table {
        rows: Vec<Vec<PasteCell>>,
    },
    Picture {
        src: String,
        #[serde(default)]
        alt: String,
        #[serde(default)]
        width_px: Option<f64>,
    },
}

#[derive(Debug, Clone, Deserialize)]
pub struct PasteRun {
    pub text: String,
    #[serde(default)]
    pub bold: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PasteCell {
    #[serde(default)]
    pub runs: Vec<PasteRun>,
    /// The cell's paragraphs, each with Word's number (additive: a page
    /// that sends only `runs` has one paragraph).
    #[serde(default)]
    pub paras: Vec<PasteCellPara>,
    #[serde(default = "one")]
    pub colspan: usize,
    #[serde(default = "one")]
    pub rowspan: usize,
    #[serde(default)]
    pub header: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PasteCellPara {
    #[serde(default)]
    pub runs: Vec<PasteRun>,
    #[serde(default)]
    pub list: Option<String>,
}

fn one() -> usize {
    1
}

/// Columns and rows a pasted table may span: more is a page's mistake.
const SPAN_LIMIT: usize = 64;
/// EMU per CSS pixel (96 to the inch, 914,400 EMU to the inch).
const EMU_PER_PX: f64 = 9525.0;

/// The prefix of a picture's relationship: `paste7` is block 7's picture.
pub const PICTURE_REL: &str = "paste";

/// The blocks as `docx` reads a document: each paragraph with its style
/// name (`heading N`) and outline level, its alignment, Word's number and
/// bold runs; each picture a paragraph holding it (relationship
/// `paste<block>`); each table with its grid and its merges (a cell that
/// spans rows goes on as `continues` cells below, as `w:vMerge` has it).
pub fn blocks(pasted: &[PasteBlock]) -> Vec<Block> {
    let mut read = read_blocks(pasted);
    // A centred bold line at the top whose size the clipboard does not
    // say (a web page's) is set as a title is: 三号 bold at least.
    for block in &mut read {
        match block {
            Block::Para(p)
                if p.centred && p.size.is_none() && p.pictures.is_empty() && p.all_bold() =>
            {
                p.size = Some(super::write::BOLD_TITLE_SIZE);
            }
            _ => break,
        }
    }
    read
}

fn read_blocks(pasted: &[PasteBlock]) -> Vec<Block> {
    pasted
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let index = i + 1;
            match b {
                PasteBlock::Para {
                    runs,
                    heading,
                    center,
                    list,
                    size_pt,
                    caption,
                } => {
                    let mut p = para(index, runs, *heading, *center, list.as_deref());
                    if unnumbered_subheading(b) {
                        for r in &mut p.runs {
                            r.bold = true;
                        }
                    }
                    // Word's size in half-points, as `docx` reads it.
                    p.size = size_pt
                        .filter(|s| s.is_finite() && *s > 0.0 && *s < 1000.0)
                        .map(|s| (s * 2.0).round() as u32);
                    if *caption {
                        p.style_id = "JianbaoCaption".into();
                    }
                    Block::Para(p)
                }
                PasteBlock::Picture { width_px, .. } => Block::Para(Para {
                    index,
                    pictures: vec![Picture {
                        rel: format!("{PICTURE_REL}{i}"),
                        // A width only when narrower than the type area:
                        // a web page's 600 px is the page's full width,
                        // and the picture's own size sets it best.
                        width: width_px
                            .filter(|w| w.is_finite() && *w > 0.0)
                            .map(|w| (w.min(10_000.0) * EMU_PER_PX) as u64)
                            .filter(|w| (*w as f64) < super::write::TYPE_AREA_EMU * 0.995),
                    }],
                    ..Para::default()
                }),
                PasteBlock::Table { rows } => Block::Table(table(index, rows)),
            }
        })
        .collect()
}

fn para(index: usize, runs: &[PasteRun], heading: u8, center: bool, list: Option<&str>) -> Para {
    let heading = u32::from(heading.min(9));
    let number = list.map(str::trim).filter(|l| !l.is_empty()).map(|l| {
        if !is_bullet(l) {
            // `第一条`, `第1章`: a word, set apart from the text as typed
            // (第一条　为规范工作…).
            let word = l
                .chars()
                .last()
                .is_some_and(|c| !is_circled_number(c) && matches!(c, '\u{4E00}'..='\u{9FFF}'));
            Shown::Number(if word {
                format!("{l}　")
            } else {
                l.to_string()
            })
        } else {
            Shown::Bullet
        }
    });
    Para {
        index,
        style: if heading > 0 {
            format!("heading {heading}")
        } else {
            String::new()
        },
        outline: (heading > 0).then(|| heading - 1),
        centred: center,
        jc: center.then(|| "center".to_string()),
        number,
        runs: runs
            .iter()
            .map(|r| Run {
                // A lone no-break space (`&nbsp;`) is a space.
                text: r.text.replace('\r', "").replace('\u{A0}', " "),
                bold: r.bold,
            })
            .collect(),
        ..Para::default()
    }
}

/// A web page's `<h2>`…`<h6>` (or Word's Heading 2…) without a number:
/// a 小标题 a 公文 would number, pasted as a bold line (the level cannot
/// be told from the page) and said.
pub fn unnumbered_subheading(block: &PasteBlock) -> bool {
    match block {
        PasteBlock::Para {
            runs,
            heading,
            list,
            ..
        } if *heading >= 2 && list.as_deref().is_none_or(|l| l.trim().is_empty()) => {
            let text: String = runs.iter().map(|r| r.text.as_str()).collect();
            let text = text.trim();
            !text.is_empty() && crate::issue::heading_number(text).is_none()
        }
        _ => false,
    }
}

/// What Word's list shows is a bullet, not a number: one glyph that is
/// no letter or figure (`·` `•` `-` `§`, a Symbol or Wingdings private-use
/// character; the page sends `•` for any glyph in a symbol font). Every
/// other text (`a.`, `i.`, `A.`, `(a)`, `１．`, `甲、`, `①`) is the number
/// Word shows, kept as text as `import` keeps it.
fn is_bullet(shown: &str) -> bool {
    let mut chars = shown.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => !c.is_alphanumeric() || matches!(c, '\u{E000}'..='\u{F8FF}'),
        _ => false,
    }
}

/// ① … ⑳, ㉑ … ㊿: Word's circled numbering, kept as text.
fn is_circled_number(c: char) -> bool {
    matches!(c, '\u{2460}'..='\u{2473}' | '\u{3251}'..='\u{325F}' | '\u{32B1}'..='\u{32BF}')
}

/// The cells that go on from merges above at `col` (and right after).
fn go_on(
    down: &[(usize, usize, usize)],
    col: &mut usize,
    cells: &mut Vec<TableCell>,
    next_down: &mut Vec<(usize, usize, usize)>,
) {
    while let Some(&(_, left, span)) = down.iter().find(|(at, _, _)| *at == *col) {
        cells.push(TableCell {
            span,
            continues: true,
            paras: Vec::new(),
        });
        if left > 1 {
            next_down.push((*col, left - 1, span));
        }
        *col += span;
    }
}

fn table(index: usize, rows: &[Vec<PasteCell>]) -> Table {
    // Cells spanning down from rows above: (column, rows left, columns).
    let mut down: Vec<(usize, usize, usize)> = Vec::new();
    let mut out = Vec::new();
    let mut grid = 0;
    for row in rows {
        let mut cells = Vec::new();
        let mut col = 0;
        let mut next_down = Vec::new();
        for cell in row {
            go_on(&down, &mut col, &mut cells, &mut next_down);
            let span = cell.colspan.clamp(1, SPAN_LIMIT);
            let rows_down = cell.rowspan.clamp(1, SPAN_LIMIT);
            let paras = if cell.paras.is_empty() {
                vec![para(index, &cell.runs, 0, false, None)]
            } else {
                cell.paras
                    .iter()
                    .map(|p| para(index, &p.runs, 0, false, p.list.as_deref()))
                    .collect()
            };
            cells.push(TableCell {
                span,
                continues: false,
                paras,
            });
            if rows_down > 1 {
                next_down.push((col, rows_down - 1, span));
            }
            col += span;
        }
        // Merges that go on past the row's last cell.
        loop {
            let before = col;
            go_on(&down, &mut col, &mut cells, &mut next_down);
            match down
                .iter()
                .filter(|(at, _, _)| *at > col)
                .map(|d| d.0)
                .min()
            {
                Some(at) if col == before => {
                    // A gap in the row: an empty cell up to the merge.
                    cells.push(TableCell {
                        span: at - col,
                        continues: false,
                        paras: Vec::new(),
                    });
                    col = at;
                }
                Some(_) => {}
                None => break,
            }
        }
        grid = grid.max(col);
        out.push(Row {
            header: !row.is_empty() && row.iter().all(|c| c.header),
            before: 0,
            after: 0,
            cells,
        });
        down = next_down;
    }
    // Rows shorter than the grid end with empty columns.
    for row in &mut out {
        let width: usize = row.cells.iter().map(|c| c.span).sum();
        row.after = grid.saturating_sub(width);
    }
    Table {
        index,
        rows: out,
        grid,
        nested: false,
        style_id: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str, colspan: usize, rowspan: usize) -> PasteCell {
        PasteCell {
            runs: vec![PasteRun {
                text: text.into(),
                bold: false,
            }],
            colspan,
            rowspan,
            header: false,
            paras: Vec::new(),
        }
    }

    #[test]
    fn every_number_word_shows_is_kept_and_only_glyphs_are_bullets() {
        for number in [
            "a.", "i.", "A.", "I.", "a)", "(a)", "１．", "甲、", "①", "1.", "ii.",
        ] {
            assert!(!is_bullet(number), "{number}");
        }
        for bullet in ["·", "•", "-", "§", "\u{F0B7}", "▪"] {
            assert!(is_bullet(bullet), "{bullet}");
        }
    }

    #[test]
    fn a_cell_spanning_rows_goes_on_below_it() {
        // | 地区(2 rows) | 数量 (2 cols) |
        // |              | 上半年 | 下半年 |
        let rows = vec![
            vec![cell("地区", 1, 2), cell("数量", 2, 1)],
            vec![cell("上半年", 1, 1), cell("下半年", 1, 1)],
        ];
        let t = table(1, &rows);
        assert_eq!(t.grid, 3);
        let shape: Vec<Vec<(usize, bool)>> = t
            .rows
            .iter()
            .map(|r| r.cells.iter().map(|c| (c.span, c.continues)).collect())
            .collect();
        assert_eq!(
            shape,
            vec![
                vec![(1, false), (2, false)],
                vec![(1, true), (1, false), (1, false)]
            ]
        );
    }
}
