//! Pagination on the grid: rows go onto pages of 22 lines in order; a run
//! of rows that must stay together (a title and two lines of its text, a
//! heading and its first line) moves to the next page whole; a blank line
//! above a title or a column label vanishes at the top of a page; the
//! closing block stands at the foot of the last page, or of a page of its
//! own, or — when it is taller than a page — runs over several pages, each
//! part framed by its rules.

use super::closing::Closing;
use super::data::geometry::{LINES, PITCH};
use super::data::{PageData, Placed, Row, Rule};
use super::masthead::Masthead;

/// One line of the flow: a row, or a blank line.
#[derive(Clone)]
struct FlowLine {
    /// `None`: a blank line.
    row: Option<Row>,
    /// A blank line that vanishes at the top of a page.
    weak: bool,
    /// No page break between this line and the next.
    glue: bool,
    /// This row starts article `n` (its title's first line).
    article: Option<usize>,
    /// This row is the 本期要目 line that shows article `n`'s page.
    shows_page_of: Option<usize>,
}

impl FlowLine {
    fn lines(&self) -> usize {
        self.row.as_ref().map_or(1, Row::lines)
    }
}

/// The body (and the 本期要目) as rows to be paged.
#[derive(Default)]
pub struct Flow {
    lines: Vec<FlowLine>,
    /// How many more rows of text must stay with what precedes them.
    pending: usize,
    /// The next row starts this article.
    article: Option<usize>,
}

impl Flow {
    fn push(&mut self, row: Option<Row>, weak: bool, glue: bool) {
        let is_text = row.is_some();
        if let Some(prev) = self.lines.last_mut()
            && self.pending > 0
        {
            prev.glue = true;
        }
        let mut glue = glue;
        if is_text && self.pending > 0 {
            self.pending -= 1;
            glue |= self.pending > 0;
        } else if !is_text && self.pending > 0 {
            glue = true;
        }
        let article = if is_text { self.article.take() } else { None };
        self.lines.push(FlowLine {
            row,
            weak,
            glue,
            article,
            shows_page_of: None,
        });
    }

    /// A blank line above a title or label: none at the top of a page.
    pub fn weak_blank(&mut self) {
        self.push(None, true, true);
    }

    /// A blank line kept with the `keep` rows of text that follow.
    pub fn blank_kept(&mut self, keep: usize) {
        if let Some(prev) = self.lines.last_mut() {
            prev.glue = true;
        }
        self.push(None, false, true);
        self.pending = self.pending.max(keep);
    }

    /// Rows that stay together and with the `keep` rows of text after them.
    pub fn keeper(&mut self, rows: Vec<Row>, keep: usize) {
        let n = rows.len();
        for (i, row) in rows.into_iter().enumerate() {
            self.push(Some(row), false, i + 1 < n || keep > 0);
        }
        self.pending = self.pending.max(keep);
    }

    /// Rows of running text: a page may break between any two.
    pub fn rows(&mut self, rows: Vec<Row>) {
        for row in rows {
            self.push(Some(row), false, false);
        }
    }

    /// The next row is the first of article `n`.
    pub fn start_article(&mut self, n: usize) {
        self.article = Some(n);
    }

    /// A 本期要目 row that will show the page article `n` starts on.
    pub fn contents_row(&mut self, row: Row, shows: Option<usize>) {
        self.push(Some(row), false, false);
        if let Some(last) = self.lines.last_mut() {
            last.shows_page_of = shows;
        }
    }
}

/// The pages, and whether the closing block had to take a page of its own.
pub struct Laid {
    pub pages: Vec<PageData>,
    pub closing_alone: Option<usize>,
}

/// Pages the masthead, the 本期要目 (when there is one), the body and the
/// closing block.
pub fn paginate(masthead: Masthead, contents: Option<Flow>, body: Flow, closing: Closing) -> Laid {
    let mut pages = vec![PageData {
        rows: masthead.rows,
        rules: masthead.rules,
    }];
    // Under the masthead: a blank line and the 本期要目, then the body; or
    // the two blank lines a title keeps below the red rule (GB/T 9704), as
    // if the body began a page.
    let (mut cursor, mut at_top) = match &contents {
        Some(_) => (masthead.lines + 1, false),
        None => (masthead.lines + 2, true),
    };
    let mut flow = contents.map(|c| c.lines).unwrap_or_default();
    flow.extend(body.lines);

    let mut article_page: Vec<(usize, usize)> = Vec::new();
    let mut shows: Vec<(usize, usize, usize)> = Vec::new(); // (page, row index, article)
    let mut i = 0;
    while i < flow.len() {
        // The run of lines that must stay together.
        let mut j = i;
        while j + 1 < flow.len() && flow[j].glue {
            j += 1;
        }
        let mut start = i;
        if at_top {
            while start <= j && flow[start].weak {
                start += 1;
            }
        }
        let height: usize = flow[start..=j].iter().map(FlowLine::lines).sum();
        if cursor + height > LINES && cursor > 0 && height <= LINES {
            // The whole run to the next page (a run taller than a page
            // breaks where the page ends).
            pages.push(PageData::default());
            cursor = 0;
            at_top = true;
            continue;
        }
        for line in &flow[start..=j] {
            let h = line.lines();
            if cursor + h > LINES {
                pages.push(PageData::default());
                cursor = 0;
                if line.weak {
                    continue;
                }
            }
            if let Some(row) = &line.row {
                let page = pages.len() - 1;
                if let Some(n) = line.article {
                    article_page.push((n, page));
                }
                if let Some(n) = line.shows_page_of {
                    shows.push((page, pages[page].rows.len(), n));
                }
                pages[page].rows.push(Placed {
                    line: cursor,
                    row: row.clone(),
                });
            }
            cursor += h;
        }
        at_top = cursor == 0;
        i = j + 1;
    }
    // The 本期要目's page numbers, now that the pages are known.
    for (page, index, n) in shows {
        let number = article_page
            .iter()
            .find(|(a, _)| *a == n)
            .map(|(_, p)| (p + 1).to_string());
        if let Row::Grid { number: slot, .. } = &mut pages[page].rows[index].row {
            *slot = number;
        }
    }
    let closing_alone = place_closing(&mut pages, cursor, closing);
    Laid {
        pages,
        closing_alone,
    }
}

/// Puts the closing block at the foot of the last page when it fits there,
/// else at the foot of a page of its own (and says how many lines the text
/// would have to lose), or over as many pages as it needs, each part
/// between a thick rule above and a thick rule below.
fn place_closing(pages: &mut Vec<PageData>, used: usize, closing: Closing) -> Option<usize> {
    let total = closing.rows.len();
    if total == 0 {
        return None;
    }
    let free = LINES - used.min(LINES);
    let mut alone = None;
    // Where each part goes: (page, first line, rows).
    let mut parts: Vec<(usize, usize, std::ops::Range<usize>)> = Vec::new();
    if total <= free {
        parts.push((pages.len() - 1, LINES - total, 0..total));
    } else if total <= LINES {
        alone = Some(total - free);
        pages.push(PageData::default());
        parts.push((pages.len() - 1, LINES - total, 0..total));
    } else {
        // Taller than a page: from the top of a new page, page after page,
        // the last part at the foot of its page.
        let mut from = 0;
        while from < total {
            pages.push(PageData::default());
            let n = (total - from).min(LINES);
            let first = if from + n == total { LINES - n } else { 0 };
            parts.push((pages.len() - 1, first, from..from + n));
            from += n;
        }
    }
    for (page, first, range) in parts {
        let at = |line: usize| line as f64 * PITCH;
        let rules = &mut pages[page].rules;
        rules.push(Rule {
            at: at(first),
            thickness: 0.35,
            red: false,
        });
        rules.push(Rule {
            at: at(first + range.len()),
            thickness: 0.35,
            red: false,
        });
        // The thin rule above the 印发 line, where it falls in this part.
        if range.contains(&closing.imprint_from) && closing.imprint_from > range.start {
            rules.push(Rule {
                at: at(first + closing.imprint_from - range.start),
                thickness: 0.25,
                red: false,
            });
        }
        for (k, row) in closing.rows[range].iter().enumerate() {
            pages[page].rows.push(Placed {
                line: first + k,
                row: row.clone(),
            });
        }
    }
    alone
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::data::Row;

    fn text_row() -> Row {
        Row::Text {
            items: Vec::new(),
            lines: 1,
        }
    }

    fn masthead() -> Masthead {
        Masthead {
            rows: Vec::new(),
            rules: Vec::new(),
            lines: 8,
        }
    }

    fn closing(n: usize) -> Closing {
        Closing {
            rows: (0..n).map(|_| text_row()).collect(),
            imprint_from: n.saturating_sub(1),
        }
    }

    fn lines_on(pages: &[PageData]) -> Vec<usize> {
        pages
            .iter()
            .map(|p| p.rows.iter().map(|r| r.row.lines()).sum())
            .collect()
    }

    #[test]
    fn pages_hold_22_lines_and_the_body_starts_below_the_masthead() {
        let mut body = Flow::default();
        body.rows((0..40).map(|_| text_row()).collect());
        let laid = paginate(masthead(), None, body, closing(0));
        // 8 masthead lines + 2 blank lines, then 12 + 22 + 6.
        assert_eq!(lines_on(&laid.pages), [12, 22, 6]);
        assert_eq!(laid.pages[0].rows[0].line, 10);
    }

    #[test]
    fn a_title_is_never_the_last_line_of_a_page() {
        let mut body = Flow::default();
        body.rows((0..11).map(|_| text_row()).collect());
        body.weak_blank();
        body.start_article(0);
        body.keeper(vec![text_row(), text_row()], 0);
        body.blank_kept(2);
        body.rows((0..10).map(|_| text_row()).collect());
        let laid = paginate(masthead(), None, body, closing(0));
        // Page 1 has 12 free lines: 11 of text, and the title (2 lines,
        // a blank and 2 lines of text) does not fit: it moves, and its
        // blank line above it vanishes at the top of page 2.
        assert_eq!(laid.pages[0].rows.len(), 11);
        assert_eq!(laid.pages[1].rows[0].line, 0);
    }

    #[test]
    fn the_closing_block_stands_at_the_foot_or_takes_a_page_of_its_own() {
        let mut body = Flow::default();
        body.rows((0..5).map(|_| text_row()).collect());
        let laid = paginate(masthead(), None, body, closing(6));
        assert_eq!(laid.pages.len(), 1);
        assert_eq!(laid.pages[0].rows.last().unwrap().line, 21);
        assert_eq!(laid.closing_alone, None);

        let mut body = Flow::default();
        body.rows((0..10).map(|_| text_row()).collect());
        let laid = paginate(masthead(), None, body, closing(6));
        assert_eq!(laid.pages.len(), 2);
        // Page 1 has 2 free lines; the block needs 6: the text would have
        // to lose 4.
        assert_eq!(laid.closing_alone, Some(4));
    }

    #[test]
    fn a_closing_block_taller_than_a_page_runs_over_with_its_rules() {
        let body = Flow::default();
        let laid = paginate(masthead(), None, body, closing(30));
        let rows: usize = laid.pages.iter().map(|p| p.rows.len()).sum();
        assert_eq!(rows, 30, "no line of the closing block is lost");
        for p in &laid.pages[1..] {
            assert!(p.rules.len() >= 2, "each part has its rules");
            assert!(p.rows.iter().all(|r| r.line < LINES));
        }
    }
}
