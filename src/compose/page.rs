//! Pagination on the grid. Rows go onto pages of 22 lines in order; a page
//! breaks only where the rules below allow, and as late as they allow, so
//! that every page is as full as it can be. In order of priority:
//!
//! 1. What must stay together does (a run of glued lines moves whole): a
//!    title or a 【栏目】 label with the first two lines after it, a
//!    heading with its first line, an 编者按 with the title it stands
//!    above (a note of [`NOTE_WHOLE`] lines never breaks, a longer one
//!    leaves two lines or more on each side) — never a chain of articles: a keep ends where the next title,
//!    label or heading begins, once it holds a line; and before a picture
//!    once it holds a line of text (the picture may float). A run that
//!    does not fit where nothing of the body stands yet (page 1 under the
//!    masthead) starts there all the same: page 1 is never left empty.
//! 2. No widow, no orphan: a paragraph of two lines or more never leaves
//!    its first line alone at a page's foot nor its last line alone at a
//!    page's top; the page ends a line early instead.
//! 3. A picture that does not fit the rest of a page (with the heading or
//!    title it is kept with) is made smaller, down to
//!    [`super::picture::FLOOR`] of its size, when that keeps it beside its
//!    text; else, on its own, it floats to the top of the next page while
//!    the text after it fills the page. It floats past paragraphs; past a heading only when
//!    stopping there would leave the page [`SHORT`] lines or more empty;
//!    never past the next title or label (its article's end) nor past
//!    another picture. Where moving it (or its keep) to the next page
//!    would leave this one [`SHORT`] lines or more empty, it is made
//!    smaller down to [`super::picture::LAST_FLOOR`] and stays.
//! 4. The closing block stands at the foot of the last page: on the grid
//!    when it fits there, else in a tighter setting (see [`place_closing`]),
//!    else on a page of its own (and `build` says how many lines less would
//!    have kept it on the text's page); taller than a page, it runs over
//!    several pages, each part framed by its rules.
//!
//! A blank line above a title or a label vanishes at the top of a page.
//! The blank line between a label and the title under it (and one of the
//! two under the 本期要目) goes at a page's foot where that lets an
//! article start there rather than leave the page [`SHORT`] lines or more
//! empty ([`tight_start`]); on page 1 the 要目 moves up a line when that
//! lets the first article start under it ([`paginate`]).

use std::sync::Arc;

use super::closing::Closing;
use super::masthead::MastheadRows;
use super::picture::{CLEAR, FLOOR, LAST_FLOOR, Smaller};
use super::table::Composed;
use crate::layout_data::geometry::{BODY_PT, CLOSING_PT, HEIGHT, LINES, MM_PER_PT, PITCH, WIDTH};
use crate::layout_data::{Alone, PageData, Placed, Row, Rule};

/// A page left with this many empty lines or more is short: a float may
/// pass a heading rather than leave one so.
const SHORT: usize = 5;

/// An 编者按 this many lines long or shorter is never broken: a reader
/// takes it in at one glance, with the title it stands above.
const NOTE_WHOLE: usize = 4;

/// The tightest line pitch of the closing block, in mm: 1.5 × 4号 (21 pt).
/// GB/T 9704 §7.4 fixes the block's type (4号 仿宋), its insets (1 字), its
/// rules (0.35 mm thick first and last, 0.25 mm thin between, as wide as
/// the type area, the last on the type area's foot) but not its line
/// pitch; on the grid it is the body's 29 pt.
pub const CLOSING_MIN_PITCH: f64 = 1.5 * CLOSING_PT * MM_PER_PT;

/// Kept clear between the last line of text and the closing block's
/// first rule, in mm: with the blank under the characters of a grid line,
/// half a line between their feet and the rule (else the rule reads as an
/// underline of the text).
const CLOSING_CLEAR: f64 = BODY_PT * MM_PER_PT / 2.0;

/// What a line of the flow is to the keep and float rules.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Running text (a paragraph, an editor's note, the 本期要目): a
    /// picture floats past it.
    Text,
    /// A heading (一、 （一） 1. （1）): a picture floats past it only to
    /// keep a page full.
    Heading,
    /// A title or a column label, or the blank line above one: an article
    /// or a column begins; a keep ends here and no picture floats past it.
    Start,
    /// The blank line under a title.
    Blank,
    /// A row of pictures.
    Picture,
    /// A table: broken between its rows by [`Pager::table`]; a waiting
    /// picture lands before it.
    Table,
    /// A forced page break (an attachment starts): what follows starts a
    /// new page, unless the page is still empty; a waiting picture lands
    /// before it, and no keep reaches over it.
    Break,
}

/// One line of the flow: a row, or a blank line.
#[derive(Clone)]
struct FlowLine {
    /// `None`: a blank line.
    row: Option<Row>,
    kind: Kind,
    /// A blank line that vanishes at the top of a page.
    weak: bool,
    /// A blank line between a label and the title under it: the one
    /// blank an article's start gives up at a page's foot ([`Pager::run`]).
    tight: bool,
    /// No page break between this line and the next.
    glue: bool,
    /// The glue is only there to keep a paragraph's first line from
    /// standing alone at a page's foot (no orphan): the one rule given up
    /// when keeping it would leave the closing block alone on a page.
    soft: bool,
    /// This line keeps with the next `keep` lines of text (resolved into
    /// `glue` by [`Flow::resolve`]).
    keep: usize,
    /// This row starts article `n` (its title's first line).
    article: Option<usize>,
    /// This row is the 本期要目 line that shows article `n`'s page.
    shows_page_of: Option<usize>,
    /// A row of pictures: the same made smaller, tallest first.
    smaller: Vec<Smaller>,
    /// A table, set over as many pages as it needs (`row` is `None`).
    table: Option<Arc<Composed>>,
}

impl FlowLine {
    /// The grid lines it takes; a table, the least it takes on the page
    /// it starts on (its caption, header and first rows), so that what
    /// keeps with it stays with that.
    fn lines(&self) -> usize {
        match &self.table {
            // A landscape table takes pages of its own, nothing here.
            Some(t) if t.area.landscape => 0,
            Some(t) => t.least_lines(),
            None => self.row.as_ref().map_or(1, Row::lines),
        }
    }

    /// Whether it prints anything (a blank line does not).
    fn is_row(&self) -> bool {
        self.row.is_some() || self.table.is_some()
    }
}

/// The body (and the 本期要目) as rows to be paged.
#[derive(Default)]
pub struct Flow {
    lines: Vec<FlowLine>,
    /// The next row starts this article.
    article: Option<usize>,
}

impl Flow {
    fn push(&mut self, row: Option<Row>, kind: Kind) {
        let article = if row.is_some() {
            self.article.take()
        } else {
            None
        };
        self.lines.push(FlowLine {
            row,
            kind,
            weak: false,
            tight: false,
            glue: false,
            soft: false,
            keep: 0,
            article,
            shows_page_of: None,
            smaller: Vec::new(),
            table: None,
        });
    }

    /// Glues the last line to the next one.
    fn glue_last(&mut self) {
        if let Some(last) = self.lines.last_mut() {
            last.glue = true;
        }
    }

    /// A blank line above a title or label: none at the top of a page.
    pub fn weak_blank(&mut self) {
        self.push(None, Kind::Start);
        let last = self.lines.last_mut().expect("just pushed");
        last.weak = true;
        last.glue = true;
    }

    /// The blank line between a 【栏目】 label and the title under it (or
    /// between the 本期要目 and the blank above the first label or title):
    /// as [`Flow::weak_blank`], and left out where that lets the article
    /// start on a page that would otherwise end [`SHORT`] lines short.
    pub fn label_blank(&mut self) {
        self.weak_blank();
        if let Some(last) = self.lines.last_mut() {
            last.tight = true;
        }
    }

    /// A blank line under a title, kept with it and with the `keep` lines
    /// of text that follow.
    pub fn blank_kept(&mut self, keep: usize) {
        self.glue_last();
        self.push(None, Kind::Blank);
        self.keep_last(keep);
    }

    /// Rows that stay together (a title, a label) and with the `keep` lines
    /// of text after them. An article or a column begins here.
    pub fn keeper(&mut self, rows: Vec<Row>, keep: usize) {
        self.together(rows, Kind::Start, keep);
    }

    /// A heading's rows: together, and with the `keep` lines after them.
    pub fn heading(&mut self, rows: Vec<Row>, keep: usize) {
        self.together(rows, Kind::Heading, keep);
    }

    fn together(&mut self, rows: Vec<Row>, kind: Kind, keep: usize) {
        let n = rows.len();
        for (i, row) in rows.into_iter().enumerate() {
            self.push(Some(row), kind);
            if i + 1 < n {
                self.glue_last();
            }
        }
        self.keep_last(keep);
    }

    /// The last line keeps with the next `keep` lines of text.
    pub fn keep_last(&mut self, keep: usize) {
        if let Some(last) = self.lines.last_mut() {
            last.keep = last.keep.max(keep);
        }
    }

    /// A paragraph's lines: a page may break between any two but after
    /// the first or before the last (no orphan, no widow). `kind` is the
    /// first line's: a run-in heading is a heading.
    pub fn paragraph(&mut self, rows: Vec<Row>, first: ParagraphKind) {
        let n = rows.len();
        for (i, row) in rows.into_iter().enumerate() {
            let kind = match first {
                ParagraphKind::RunInHeading if i == 0 => Kind::Heading,
                _ => Kind::Text,
            };
            self.push(Some(row), kind);
            if n >= 2 && (i == 0 || i + 2 == n) {
                self.glue_last();
                // A first line alone at a page's foot may be allowed, for
                // the closing block's sake; a last line alone at a page's
                // top never is.
                if i == 0
                    && i + 2 != n
                    && let Some(last) = self.lines.last_mut()
                {
                    last.soft = true;
                }
            }
        }
    }

    /// An 编者按, its paragraphs' lines: a note of [`NOTE_WHOLE`] lines or
    /// fewer never breaks; a longer one breaks only where it leaves two
    /// lines or more on each side (and each paragraph no orphan, no
    /// widow). No rule of it is given up for the closing block.
    pub fn note(&mut self, paragraphs: Vec<Vec<Row>>) {
        let from = self.lines.len();
        for rows in paragraphs {
            self.paragraph(rows, ParagraphKind::Text);
        }
        let n = self.lines.len() - from;
        for (k, line) in self.lines[from..].iter_mut().enumerate() {
            // A break after line k leaves k + 1 lines above it.
            if k + 1 < n && (n <= NOTE_WHOLE || k + 1 < 2 || n - (k + 1) < 2) {
                line.glue = true;
            }
            line.soft = false;
        }
    }

    /// Rows of running text: a page may break between any two.
    pub fn rows(&mut self, rows: Vec<Row>) {
        for row in rows {
            self.push(Some(row), Kind::Text);
        }
    }

    /// A row of pictures (with their captions), never split, and the same
    /// row made smaller (tallest first) for a page it does not fit.
    pub fn pictures(&mut self, row: Row, smaller: Vec<Smaller>) {
        self.push(Some(row), Kind::Picture);
        if let Some(last) = self.lines.last_mut() {
            last.smaller = smaller;
        }
    }

    /// A table: broken between its rows where the page ends, its header
    /// repeated under 续表N.
    pub fn table(&mut self, table: Composed) {
        self.push(None, Kind::Table);
        if let Some(last) = self.lines.last_mut() {
            last.table = Some(Arc::new(table));
        }
    }

    /// A forced page break: what follows starts on a new page (none
    /// when the page is still empty).
    pub fn page_break(&mut self) {
        if let Some(last) = self.lines.last_mut() {
            last.glue = false;
            last.soft = false;
        }
        self.push(None, Kind::Break);
    }

    /// An attachment's head, on a new page: its mark (附件1) on the type
    /// area's first line, a blank line, its title from the third line
    /// (GB/T 9704—2012 §8: 附件标题居中编排在版心第三行), kept together
    /// and, with the blank line under the title, with two lines of what
    /// follows, as an article's title is.
    pub fn attachment_head(&mut self, mark: Row, title: Vec<Row>) {
        self.page_break();
        self.push(Some(mark), Kind::Start);
        self.glue_last();
        self.push(None, Kind::Start);
        if title.is_empty() {
            self.keep_last(2);
            return;
        }
        self.glue_last();
        self.together(title, Kind::Start, 0);
        self.blank_kept(2);
    }

    /// The attachment note (附件说明) under an article's text: one blank
    /// line above it (GB/T 9704 §7.3.4: 在正文下空一行), none at a page's
    /// top; its items' lines kept as an editor's note's are (a note of a
    /// few lines never breaks).
    pub fn attachment_note(&mut self, items: Vec<Vec<Row>>) {
        self.weak_blank();
        self.note(items);
    }

    /// The next row is the first of article `n`.
    pub fn start_article(&mut self, n: usize) {
        self.article = Some(n);
    }

    /// A 本期要目 row that will show the page article `n` starts on.
    pub fn contents_row(&mut self, row: Row, shows: Option<usize>) {
        self.push(Some(row), Kind::Text);
        if let Some(last) = self.lines.last_mut() {
            last.shows_page_of = shows;
        }
    }

    /// Turns every keep into glue: a line that keeps with `k` lines of
    /// text is glued to what follows until `k` rows of text have followed.
    /// A keep ends early at the next title, label or heading once it has
    /// taken any row at all (a short article does not drag the next one
    /// along with it), and at a picture once it has taken a line of text:
    /// a title with its one-line paragraph has its text, and the picture
    /// after it may float. A picture before any text (one row) is carried
    /// along without counting; when the run does not fit the page with
    /// it, the picture floats out of it ([`Pager::run`]).
    fn resolve(mut self) -> Vec<FlowLine> {
        let n = self.lines.len();
        for i in 0..n {
            let keep = self.lines[i].keep;
            let mut taken = 0;
            let mut carried = false;
            let mut j = i + 1;
            while keep > 0 && j < n && taken < keep {
                let next = &self.lines[j];
                if next.kind == Kind::Break {
                    break;
                }
                // A title with a one-line paragraph has its text: the
                // heading after it keeps with its own; so does a heading
                // after a picture.
                if matches!(next.kind, Kind::Start | Kind::Heading) && (taken > 0 || carried) {
                    break;
                }
                let (is_row, is_picture) = (next.is_row(), next.kind == Kind::Picture);
                if is_picture && (taken > 0 || carried) {
                    break;
                }
                self.lines[j - 1].glue = true;
                self.lines[j - 1].soft = false;
                carried |= is_picture;
                taken += usize::from(is_row && !is_picture);
                j += 1;
            }
        }
        self.lines
    }
}

/// What the first line of a paragraph is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ParagraphKind {
    Text,
    /// 一、… followed by text on the same line: a heading to the float rule.
    RunInHeading,
}

/// The pages, and whether the closing block had to take a page of its own.
pub struct Paginated {
    pub pages: Vec<PageData>,
    /// The closing block took a page of its own: what would have kept it
    /// on the text's last page.
    pub closing_alone: Option<Alone>,
    /// The no-orphan rule was given up to keep the closing block on the
    /// text's last page (the page tests hold the rule only when not).
    #[cfg_attr(not(test), allow(dead_code))]
    pub relaxed: bool,
}

/// The pages being filled.
struct Pager {
    pages: Vec<PageData>,
    /// The next free grid line on the last page.
    cursor: usize,
    /// Nothing above the cursor on this page: a weak blank vanishes here.
    at_top: bool,
    /// A row of pictures waiting for the top of the next page, and the
    /// same made smaller.
    float: Option<(Row, Vec<Smaller>)>,
    /// Article `n` starts on page `p` (0-based).
    article_page: Vec<(usize, usize)>,
    /// (page, row index, article) of the 本期要目 lines.
    shows: Vec<(usize, usize, usize)>,
    /// Landscape tables waiting for the end of this page: the text after
    /// them fills it first ([`Pager::turned`]).
    turned: Vec<Arc<Composed>>,
}

impl Pager {
    fn free(&self) -> usize {
        LINES - self.cursor.min(LINES)
    }

    /// Nothing is on the last page yet.
    fn page_is_empty(&self) -> bool {
        self.cursor == 0
            && self
                .pages
                .last()
                .is_some_and(|p| p.rows.is_empty() && p.rules.is_empty())
    }

    /// A table too wide for the page, set on landscape pages of its own:
    /// right here when nothing is on this page yet; else after this page,
    /// which the text after the table fills first, up to the end of its
    /// article (the next title, label or attachment note), the next table
    /// ([`lay`]) or the end of the text: a table printed inside the next
    /// article, or after the note that ends the text, reads as lost (the
    /// proof-read of the merged build).
    fn turned(&mut self, t: &Arc<Composed>) {
        self.turned.push(t.clone());
        if self.page_is_empty() {
            self.new_page();
        }
    }

    /// A new page, the waiting pictures at its top; the landscape tables
    /// waiting for this page's end before it.
    fn new_page(&mut self) {
        if !self.turned.is_empty() {
            // A page with nothing on it yet gives way to them.
            if self.page_is_empty() {
                self.pages.pop();
            }
            for t in std::mem::take(&mut self.turned) {
                self.pages.extend(landscape_pages(&t));
            }
        }
        self.pages.push(PageData::default());
        self.cursor = 0;
        self.at_top = true;
        if let Some((row, _)) = self.float.take() {
            self.put(&row, None, None);
        }
    }

    fn put(&mut self, row: &Row, article: Option<usize>, shows: Option<usize>) {
        let page = self.pages.len() - 1;
        if let Some(n) = article {
            self.article_page.push((n, page));
        }
        if let Some(n) = shows {
            self.shows.push((page, self.pages[page].rows.len(), n));
        }
        let (row, line) = if self.cursor == 0 {
            at_page_top(row)
        } else {
            (row.clone(), self.cursor as f64)
        };
        self.cursor += row.lines();
        self.pages[page].rows.push(Placed { line, row });
        self.at_top = false;
    }

    /// Places a run of lines that must stay together: on this page when it
    /// fits (its picture, when it has one, made smaller if that is enough,
    /// else floated out of it to the next page's top when the text after
    /// it is in the run), else whole on the next. A run taller than a page,
    /// or one that does not fit where nothing of the body is on the page
    /// yet (under the masthead), breaks where the page ends: moving it
    /// would leave the page empty.
    fn run(&mut self, run: &[FlowLine]) {
        loop {
            let skip = if self.at_top {
                run.iter().take_while(|l| l.weak).count()
            } else {
                0
            };
            let height: usize = run[skip..].iter().map(FlowLine::lines).sum();
            // A run taller than a page for its picture alone (a title, a
            // picture of most of a page, the title's first lines) may
            // still keep its text here, the picture made smaller or
            // floated: only a run taller than a page without it breaks
            // where the page ends.
            let picture = run[skip..]
                .iter()
                .filter(|l| l.kind == Kind::Picture)
                .map(FlowLine::lines)
                .sum::<usize>();
            if self.cursor + height > LINES && self.cursor > 0 && height - picture <= LINES {
                let floor = self.floor();
                if let Some(fits) =
                    with_smaller_picture(&run[skip..], self.cursor + height - LINES, floor)
                {
                    self.place(&fits);
                } else if let Some((text, picture)) = picture_out(&run[skip..], self.at_top)
                    && self.float.is_none()
                    && self.cursor + height - picture.lines() <= LINES
                {
                    self.place(&text);
                    self.float = picture
                        .row
                        .clone()
                        .map(|row| (row, picture.smaller.clone()));
                } else if self.at_top {
                    self.place(&run[skip..]);
                } else if let Some(tight) = tight_start(&run[skip..], self.free()) {
                    self.place(&tight);
                } else {
                    self.new_page();
                    continue;
                }
            } else {
                self.place(&run[skip..]);
            }
            return;
        }
    }

    /// Places lines one after another, breaking the page where it is full.
    fn place(&mut self, lines: &[FlowLine]) {
        for line in lines {
            if let Some(table) = &line.table {
                if table.area.landscape {
                    self.turned(table);
                } else {
                    self.table(table);
                }
                continue;
            }
            if self.cursor + line.lines() > LINES {
                self.new_page();
                if line.weak {
                    continue;
                }
            }
            match &line.row {
                Some(row) => self.put(row, line.article, line.shows_page_of),
                None => {
                    self.cursor += 1;
                    self.at_top = false;
                }
            }
        }
    }

    /// Places a table over as many pages as it needs: on each, the
    /// caption (or 续表N), the header and the rows that fit, the notes
    /// after the last row. The caption starts a page only with the header
    /// and the first rows under it; a page that cannot take them is left
    /// for the next, unless it is a page's top (or nothing of the body is
    /// on page 1 yet), where the rows that fit go at any rate.
    fn table(&mut self, t: &Composed) {
        let mut next = 0;
        let mut first = true;
        loop {
            let free = self.free();
            let k = match t.take(next, free, first) {
                Some(k) => k,
                None => {
                    let k = t.forced(next, free, first);
                    let fits = t.piece_lines(next..next + k, first) <= free;
                    if self.cursor == 0 || (self.at_top && fits) {
                        k
                    } else {
                        self.new_page();
                        continue;
                    }
                }
            };
            let above = if first { &t.caption } else { &t.continued };
            for row in above {
                self.put(row, None, None);
            }
            let piece = t.piece(next..next + k, first);
            // A table of nothing but a caption draws no part.
            if piece.lines() > 0 {
                self.put(&piece, None, None);
            }
            next += k;
            first = false;
            if next >= t.bands() {
                return;
            }
            self.new_page();
        }
    }

    /// Places a row of pictures that is not glued to what precedes it:
    /// here, or here made smaller, or at the top of the next page.
    fn pictures(&mut self, row: &Row, smaller: &[Smaller]) {
        // Pictures keep their order: one waiting goes first.
        if self.float.is_some() {
            self.land();
        }
        let free = self.free();
        if row.lines() <= free {
            self.put(row, None, None);
        } else if let Some(fits) = fitting(smaller, free, FLOOR) {
            self.put(&fits.row, None, None);
        } else {
            self.float = Some((row.clone(), smaller.to_vec()));
        }
    }

    /// The least a picture may be made to stay on this page: [`FLOOR`],
    /// or [`LAST_FLOOR`] when the page would otherwise end short.
    fn floor(&self) -> f64 {
        if self.free() >= SHORT {
            LAST_FLOOR
        } else {
            FLOOR
        }
    }

    /// The waiting picture must be shown now (the next title, another
    /// picture, the end of the text): at the top of the next page, or,
    /// when that would leave this page short, here, made smaller down to
    /// [`LAST_FLOOR`] (after the text that went past it, before what
    /// stops it).
    fn land(&mut self) {
        let free = self.free();
        let here = self
            .float
            .as_ref()
            .and_then(|(_, smaller)| fitting(smaller, free, self.floor()))
            .map(|s| s.row.clone());
        match here {
            Some(row) if free >= SHORT => {
                self.float = None;
                self.put(&row, None, None);
            }
            _ => self.new_page(),
        }
    }

    /// Whether the waiting picture must be placed before this run: the
    /// next title or label, another picture (a heading's), or a heading
    /// when the page is nearly full anyway.
    fn stops_float(&self, run: &[FlowLine]) -> bool {
        run.iter().any(|l| l.kind == Kind::Picture)
            || match run[0].kind {
                Kind::Start | Kind::Picture | Kind::Table | Kind::Break => true,
                Kind::Heading => self.free() < SHORT,
                Kind::Text | Kind::Blank => false,
            }
    }
}

/// A row at the top of a page (not page 1's, under the masthead), and the
/// line it stands on. A row of pictures has no text above it to keep
/// [`CLEAR`] of: its tallest picture stands at the type area's top edge,
/// its captions right under it as ever, and it takes the lines the
/// pictures need without the clearance (the row raised by what is left
/// of its first line: a negative fraction of a line).
/// A landscape table's pages: on each its caption (or 续表N), the header
/// and the rows that fit the landscape type area, the notes after the last
/// row; every page takes at least one row.
fn landscape_pages(t: &Composed) -> Vec<PageData> {
    let lines = t.area.lines;
    let mut pages = Vec::new();
    let (mut next, mut first) = (0, true);
    loop {
        let mut page = PageData {
            landscape: true,
            ..PageData::default()
        };
        // The page's grid is the table's own (`t.area.pitch`); rows are
        // placed on the body's grid lines, in fractions of them.
        let ratio = t.area.pitch / PITCH;
        // An attachment that is this table: its head on the first page, on
        // the body's lines, the table under it from the next of its own.
        let mut cursor = 0;
        if first {
            page.rows.extend(t.head.iter().cloned());
            cursor = t.head_turned_lines();
        }
        let free = lines.saturating_sub(cursor);
        let k = t
            .take(next, free, first)
            .unwrap_or_else(|| t.forced(next, free, first));
        let above = if first { &t.caption } else { &t.continued };
        let piece = t.piece(next..next + k, first);
        for row in above.iter().chain((piece.lines() > 0).then_some(&piece)) {
            // A caption's line is drawn centred on a body line's height,
            // its foot half a body line's spare under its 4号 type: that
            // foot is put on its line's foot of the table's grid, so the
            // caption stands as far above the table as on the page (the
            // second proof-read: centred in the closer line, 1.1 mm).
            let centre = match row {
                Row::Text { .. } => ratio - 1.0,
                _ => 0.0,
            };
            page.rows.push(Placed {
                line: cursor as f64 * ratio + centre,
                row: row.clone(),
            });
            cursor += row.lines();
        }
        pages.push(page);
        next += k;
        first = false;
        if next >= t.bands() {
            return pages;
        }
    }
}

fn at_page_top(row: &Row) -> (Row, f64) {
    let Row::Pictures {
        items,
        lines,
        captions,
    } = row
    else {
        return (row.clone(), 0.0);
    };
    let tallest = items.iter().map(|i| i.height).fold(0.0, f64::max);
    if tallest <= 0.0 {
        return (row.clone(), 0.0);
    }
    let pictures = ((tallest / PITCH - 1e-6).ceil() as usize).clamp(1, lines - captions);
    let raise = pictures as f64 * PITCH - tallest;
    let row = Row::Pictures {
        items: items.clone(),
        lines: pictures + captions,
        captions: *captions,
    };
    (row, -raise / PITCH)
}

/// An article's start set tight: the run without the blank line between
/// its label and its title, when it then fits the `free` lines left and
/// moving it would leave the page [`SHORT`] lines or more empty.
fn tight_start(run: &[FlowLine], free: usize) -> Option<Vec<FlowLine>> {
    let tight: Vec<FlowLine> = run.iter().filter(|l| !l.tight).cloned().collect();
    let height: usize = tight.iter().map(FlowLine::lines).sum();
    (free >= SHORT && tight.len() < run.len() && height <= free).then_some(tight)
}

/// The run with its row of pictures made smaller by at least `over` lines,
/// when the run has one and it can be.
fn with_smaller_picture(run: &[FlowLine], over: usize, floor: f64) -> Option<Vec<FlowLine>> {
    let at = run.iter().position(|l| l.kind == Kind::Picture)?;
    let lines = run[at].lines();
    let smaller = fitting(&run[at].smaller, lines.checked_sub(over)?, floor)?;
    let mut fits = run.to_vec();
    fits[at].row = Some(smaller.row.clone());
    Some(fits)
}

/// The largest of the smaller rows that fits `free` lines, made no
/// smaller than `floor`.
fn fitting(smaller: &[Smaller], free: usize, floor: f64) -> Option<&Smaller> {
    smaller
        .iter()
        .find(|s| s.row.lines() <= free && s.scale >= floor - 1e-9)
}

/// The run without its row of pictures, and that row: when the run has
/// one row of pictures and text of its own after it (a title, the picture,
/// then the title's first lines), so that the text may stay and the
/// picture float; with no text after it only when `bare` (nothing of the
/// body on the page yet: the title stays under the masthead).
fn picture_out(run: &[FlowLine], bare: bool) -> Option<(Vec<FlowLine>, &FlowLine)> {
    let at = run.iter().position(|l| l.kind == Kind::Picture)?;
    let text_after = run[at + 1..].iter().any(|l| l.row.is_some());
    let one = run.iter().filter(|l| l.kind == Kind::Picture).count() == 1;
    (at > 0 && (text_after || bare) && one).then(|| {
        let mut text = run.to_vec();
        text.remove(at);
        (text, &run[at])
    })
}

/// Pages the masthead, the 本期要目 (when there is one), the body and the
/// closing block.
pub fn paginate(
    masthead: MastheadRows,
    contents: Option<Flow>,
    body: Flow,
    closing: Closing,
) -> Paginated {
    // Under the masthead: a blank line and the 本期要目, then the body; or
    // the two blank lines a title keeps below the red rule (GB/T 9704), as
    // if the body began a page.
    let (mut cursor, at_top) = match &contents {
        Some(_) => (masthead.lines + 1, false),
        None => (masthead.lines + 2, true),
    };
    let first = PageData {
        rows: masthead.rows,
        rules: masthead.rules,
        landscape: false,
    };
    let has_contents = contents.is_some();
    let mut flow = contents.map(Flow::resolve).unwrap_or_default();
    flow.extend(body.resolve());
    let mut pager = lay(&flow, first.clone(), cursor, at_top);
    // A 简报 starts its first article under the 本期要目: when it misses
    // page 1, the 要目 moves up to the line under the red rule's if that
    // lets the article (its title and the lines it keeps) start there, and
    // the issue ends no later and its closing block stands no worse.
    if has_contents && pager.article_page.first().is_some_and(|&(_, p)| p > 0) {
        let other = lay(&flow, first.clone(), cursor - 1, at_top);
        let starts = other.article_page.first().is_some_and(|&(_, p)| p == 0);
        let later = (other.pages.len(), !closing_fits(other.cursor, &closing))
            > (pager.pages.len(), !closing_fits(pager.cursor, &closing));
        if starts && !later {
            pager = other;
            cursor -= 1;
        }
    }
    let mut relaxed = false;
    // A last page holding nothing but the closing block is worse than a
    // paragraph's first line alone at a page's foot: when giving up that
    // one rule keeps the block on the text's last page, it is given up
    // (and only then; a last line alone at a page's top is never allowed).
    if !closing_fits(pager.cursor, &closing) && flow.iter().any(|l| l.soft) {
        let loose: Vec<FlowLine> = flow
            .iter()
            .cloned()
            .map(|mut l| {
                l.glue &= !l.soft;
                l
            })
            .collect();
        let other = lay(&loose, first, cursor, at_top);
        if other.pages.len() <= pager.pages.len() && closing_fits(other.cursor, &closing) {
            pager = other;
            relaxed = true;
        }
    }
    let Pager {
        mut pages,
        cursor,
        article_page,
        shows,
        ..
    } = pager;
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
    // Landscape pages last and no closing block: no empty page after them.
    if closing.rows.is_empty()
        && pages.len() > 1
        && pages
            .last()
            .is_some_and(|p| p.rows.is_empty() && p.rules.is_empty())
    {
        pages.pop();
    }
    let closing_alone = place_closing(&mut pages, cursor, closing).map(|lines| Alone {
        lines,
        picture: pages
            .len()
            .checked_sub(2)
            .and_then(|last| smaller_picture(&pages[last], lines)),
    });
    Paginated {
        pages,
        closing_alone,
        relaxed,
    }
}

/// The largest picture alone in its row on `page` that, made smaller,
/// gives up `lines` grid lines (its caption as it is), and the width that
/// does it.
fn smaller_picture(page: &PageData, lines: usize) -> Option<(String, u32)> {
    page.rows
        .iter()
        .filter_map(|placed| match &placed.row {
            Row::Pictures {
                items,
                lines: rows,
                captions,
            } if items.len() == 1 => {
                let item = &items[0];
                let keep = (rows - captions).checked_sub(lines).filter(|&k| k > 0)?;
                let scale = (keep as f64 * PITCH - CLEAR) / item.height;
                let percent = (item.width * scale / WIDTH * 100.0).floor();
                (percent >= 10.0).then(|| {
                    (
                        item.height,
                        item.path.trim_start_matches('/').to_string(),
                        percent as u32,
                    )
                })
            }
            _ => None,
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, path, percent)| (path, percent))
}

/// Whether the closing block fits under text that ends at grid line
/// `used` of the last page, on the grid or at its tightest pitch.
fn closing_fits(used: usize, closing: &Closing) -> bool {
    let total = closing.rows.len();
    total == 0 || room_for_closing(used) >= total as f64 * CLOSING_MIN_PITCH - 1e-9
}

/// The height the closing block may take under text that ends at grid
/// line `used` of a page, in mm: [`CLOSING_CLEAR`] kept under the text.
fn room_for_closing(used: usize) -> f64 {
    let free = (LINES - used.min(LINES)) as f64 * PITCH;
    if used == 0 {
        free
    } else {
        free - CLOSING_CLEAR
    }
}

/// Pages the flow under the first page's masthead.
fn lay(flow: &[FlowLine], first: PageData, cursor: usize, at_top: bool) -> Pager {
    let mut pager = Pager {
        pages: vec![first],
        cursor,
        at_top,
        float: None,
        article_page: Vec::new(),
        shows: Vec::new(),
        turned: Vec::new(),
    };
    let mut i = 0;
    while i < flow.len() {
        // The run of lines that must stay together.
        let mut j = i;
        while j + 1 < flow.len() && flow[j].glue {
            j += 1;
        }
        let run = &flow[i..=j];
        if run[0].kind == Kind::Break {
            // A waiting picture goes before the break.
            if pager.float.is_some() {
                pager.land();
            }
            if pager.cursor > 0 {
                pager.new_page();
            }
            i = j + 1;
            continue;
        }
        match (&run[0].row, run.len()) {
            (Some(row), 1) if run[0].kind == Kind::Picture => {
                pager.pictures(row, &run[0].smaller);
            }
            _ => {
                if pager.float.is_some() && pager.stops_float(run) {
                    pager.land();
                }
                // A landscape table stays in its article (before the next
                // title, label or attachment note) and before the next
                // table.
                if !pager.turned.is_empty()
                    && run
                        .iter()
                        .any(|l| l.kind == Kind::Start || l.table.is_some())
                {
                    pager.new_page();
                }
                pager.run(run);
            }
        }
        i = j + 1;
    }
    if pager.float.is_some() {
        pager.land();
    }
    // The text ends before the landscape pages: they go in, and what
    // follows them (the closing block) on a page of the book's way.
    if !pager.turned.is_empty() {
        pager.new_page();
    }
    pager
}

/// Puts the closing block at the foot of the last page. On the grid, a
/// grid line a row, when it fits under the text; else, when the rows fit
/// there at a pitch of [`CLOSING_MIN_PITCH`] or more, at the loosest pitch
/// that fits, the first rule [`CLOSING_CLEAR`] under the last line of text
/// (the type, insets and rules as GB/T 9704 §7.4 fixes them);
/// else at the foot of a page of its own, on the grid (and says how many
/// lines the text would have to lose for the tighter setting to fit); or,
/// taller than a page, over as many pages as it needs, each part between a
/// thick rule above and a thick rule below.
fn place_closing(pages: &mut Vec<PageData>, used: usize, closing: Closing) -> Option<usize> {
    let total = closing.rows.len();
    if total == 0 {
        return None;
    }
    let free = LINES - used.min(LINES);
    let room = room_for_closing(used);
    let mut alone = None;
    // Where each part goes: (page, the top of its first row in mm below
    // the type area's top, its row pitch, its rows).
    let mut parts: Vec<(usize, f64, f64, std::ops::Range<usize>)> = Vec::new();
    let tight = room / total as f64;
    if total as f64 * PITCH <= room + 1e-9 {
        let first = (LINES - total) as f64 * PITCH;
        parts.push((pages.len() - 1, first, PITCH, 0..total));
    } else if tight >= CLOSING_MIN_PITCH - 1e-9 {
        let first = HEIGHT - total as f64 * tight;
        parts.push((pages.len() - 1, first, tight, 0..total));
    } else if total <= LINES {
        // The lines of text to lose: the block at its tightest, clear of
        // the text, needs this many whole grid lines.
        let needed = (total as f64 * CLOSING_MIN_PITCH + CLOSING_CLEAR) / PITCH;
        alone = Some((needed - 1e-9).ceil() as usize - free);
        pages.push(PageData::default());
        let first = (LINES - total) as f64 * PITCH;
        parts.push((pages.len() - 1, first, PITCH, 0..total));
    } else {
        // Taller than a page: from the top of a new page, page after page,
        // the last part at the foot of its page.
        let mut from = 0;
        while from < total {
            pages.push(PageData::default());
            let n = (total - from).min(LINES);
            let first = if from + n == total { LINES - n } else { 0 };
            parts.push((pages.len() - 1, first as f64 * PITCH, PITCH, from..from + n));
            from += n;
        }
    }
    for (page, first, pitch, range) in parts {
        let at = |k: usize| first + k as f64 * pitch;
        let rules = &mut pages[page].rules;
        rules.push(Rule {
            at: at(0),
            thickness: 0.35,
            red: false,
        });
        rules.push(Rule {
            at: at(range.len()),
            thickness: 0.35,
            red: false,
        });
        // The thin rule above the 印发 line, where it falls in this part.
        if range.contains(&closing.imprint_from) && closing.imprint_from > range.start {
            rules.push(Rule {
                at: at(closing.imprint_from - range.start),
                thickness: 0.25,
                red: false,
            });
        }
        for (k, row) in closing.rows[range].iter().enumerate() {
            // A row is drawn centred on one grid line's height: place that
            // line so that its middle is the middle of the row's pitch.
            let line = (at(k) + pitch / 2.0) / PITCH - 0.5;
            let on_grid = (line - line.round()).abs() < 1e-6;
            pages[page].rows.push(Placed {
                line: if on_grid { line.round() } else { line },
                row: row.clone(),
            });
        }
    }
    alone
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::Role;
    use crate::layout_data::{Align, TextItem};
    use proptest::prelude::*;
    use proptest::test_runner::Config as ProptestConfig;

    /// A one-line row that says what it is.
    fn row(tag: &str) -> Row {
        Row::Text {
            items: vec![TextItem {
                text: tag.into(),
                role: Role::Body,
                size: 16.0,
                align: Align::Left,
                inset: 0.0,
                red: false,
            }],
            lines: 1,
        }
    }

    fn rows(tag: &str, n: usize) -> Vec<Row> {
        (0..n).map(|k| row(&format!("{tag}{k}"))).collect()
    }

    fn pictures(lines: usize) -> Row {
        Row::Pictures {
            items: Vec::new(),
            lines,
            captions: 0,
        }
    }

    /// A row of pictures `lines` tall made from one `of` lines tall.
    fn shrunk(lines: usize, of: usize) -> Smaller {
        Smaller {
            row: pictures(lines),
            scale: lines as f64 / of as f64,
        }
    }

    fn tag(r: &Placed) -> String {
        match &r.row {
            Row::Text { items, .. } => items.iter().map(|i| i.text.as_str()).collect(),
            Row::Pictures { items, lines, .. } => match items.first() {
                Some(item) => item.path.clone(),
                None => format!("pictures{lines}"),
            },
            Row::Grid { .. } => String::new(),
            Row::Table { lines, .. } => format!("table{lines}"),
        }
    }

    fn tags(page: &PageData) -> Vec<String> {
        page.rows.iter().map(tag).collect()
    }

    /// 8 lines: the body starts on line 10 (two blank lines under it).
    fn masthead() -> MastheadRows {
        MastheadRows {
            rows: Vec::new(),
            rules: Vec::new(),
            lines: 8,
        }
    }

    fn closing(n: usize) -> Closing {
        Closing {
            rows: rows("closing", n),
            imprint_from: n.saturating_sub(1),
        }
    }

    fn lines_on(pages: &[PageData]) -> Vec<usize> {
        pages
            .iter()
            .map(|p| p.rows.iter().map(|r| r.row.lines()).sum())
            .collect()
    }

    /// The grid lines left empty under the last row of a page.
    fn empty_at_foot(page: &PageData) -> usize {
        let bottom = page
            .rows
            .iter()
            .map(|r| r.line as usize + r.row.lines())
            .max()
            .unwrap_or(0);
        LINES - bottom
    }

    fn article(flow: &mut Flow, n: usize, paragraphs: &[usize]) {
        flow.weak_blank();
        flow.start_article(n);
        flow.keeper(vec![row(&format!("title{n}"))], 0);
        flow.blank_kept(2);
        for (k, &lines) in paragraphs.iter().enumerate() {
            flow.paragraph(rows(&format!("a{n}p{k}l"), lines), ParagraphKind::Text);
        }
    }

    #[test]
    fn pages_hold_22_lines_and_the_body_starts_below_the_masthead() {
        let mut body = Flow::default();
        body.rows(rows("l", 40));
        let laid = paginate(masthead(), None, body, closing(0));
        // 8 masthead lines + 2 blank lines, then 12 + 22 + 6.
        assert_eq!(lines_on(&laid.pages), [12, 22, 6]);
        assert_eq!(laid.pages[0].rows[0].line, 10.0);
    }

    #[test]
    fn a_title_is_never_the_last_line_of_a_page() {
        let mut body = Flow::default();
        body.rows(rows("l", 11));
        article(&mut body, 0, &[10]);
        let laid = paginate(masthead(), None, body, closing(0));
        // Page 1 has 12 free lines: 11 of text, and the title (its blank
        // line under it and 2 lines of text) does not fit: it moves, and
        // the blank line above it vanishes at the top of page 2.
        assert_eq!(laid.pages[0].rows.len(), 11);
        assert_eq!(tags(&laid.pages[1])[0], "title0");
        assert_eq!(laid.pages[1].rows[0].line, 0.0);
    }

    #[test]
    fn an_attachment_starts_a_page_its_title_on_the_third_line() {
        let mut body = Flow::default();
        article(&mut body, 0, &[3]);
        body.attachment_note(vec![rows("note", 2)]);
        // A picture that does not fit page 1 floats, and lands before the
        // break: on a page of its own, not on the attachment's.
        body.pictures(pictures(12), Vec::new());
        body.attachment_head(row("mark1"), rows("title", 2));
        body.paragraph(rows("x", 3), ParagraphKind::Text);
        // A break on a page still empty makes no page.
        body.page_break();
        body.attachment_head(row("mark2"), Vec::new());
        body.paragraph(rows("y", 2), ParagraphKind::Text);
        let laid = paginate(masthead(), None, body, closing(2));
        let pages: Vec<Vec<String>> = laid.pages.iter().map(tags).collect();
        assert_eq!(pages.len(), 4, "{pages:?}");
        // Page 1: the title, a blank, 3 lines, a blank, the note.
        assert_eq!(&pages[0][4..], ["note0", "note1"]);
        assert_eq!(laid.pages[0].rows[4].line, 10.0 + 6.0);
        assert_eq!(pages[1], ["pictures12"]);
        assert_eq!(pages[2][..3], ["mark1", "title0", "title1"]);
        let lines: Vec<f64> = laid.pages[2].rows.iter().map(|r| r.line).collect();
        assert_eq!(lines[..4], [0.0, 2.0, 3.0, 5.0]);
        assert_eq!(pages[3][..2], ["mark2", "y0"]);
        assert_eq!(laid.pages[3].rows[1].line, 2.0);
        // The closing block after the last attachment, at its page's foot.
        assert!(pages[3].ends_with(&["closing0".to_string(), "closing1".to_string()]));
    }

    #[test]
    fn a_paragraph_never_leaves_its_first_line_alone_at_a_page_foot() {
        let mut body = Flow::default();
        body.paragraph(rows("a", 11), ParagraphKind::Text);
        body.paragraph(rows("b", 5), ParagraphKind::Text);
        let laid = paginate(masthead(), None, body, closing(0));
        // One line is free under a: b's first line would be alone there.
        assert_eq!(lines_on(&laid.pages), [11, 5]);
        assert_eq!(tags(&laid.pages[1])[0], "b0");
    }

    #[test]
    fn a_paragraph_never_leaves_its_last_line_alone_at_a_page_top() {
        let mut body = Flow::default();
        body.paragraph(rows("a", 8), ParagraphKind::Text);
        body.paragraph(rows("b", 5), ParagraphKind::Text);
        let laid = paginate(masthead(), None, body, closing(0));
        // Four lines are free under a; b's fifth would open page 2 alone:
        // one more goes down with it.
        assert_eq!(lines_on(&laid.pages), [11, 2]);
        assert_eq!(tags(&laid.pages[1]), ["b3", "b4"]);
    }

    #[test]
    fn a_paragraph_of_two_or_three_lines_is_not_split() {
        for n in [2, 3] {
            // One line too few for the paragraph: it goes down whole.
            let mut body = Flow::default();
            body.paragraph(rows("a", 13 - n), ParagraphKind::Text);
            body.paragraph(rows("b", n), ParagraphKind::Text);
            let laid = paginate(masthead(), None, body, closing(0));
            assert_eq!(lines_on(&laid.pages), [13 - n, n], "{n} lines");
        }
    }

    #[test]
    fn an_editors_note_of_four_lines_never_breaks_a_longer_one_leaves_two_each_side() {
        // 12 lines free under the masthead.
        let laid = |text: usize, note: Vec<usize>| {
            let mut body = Flow::default();
            body.rows(rows("a", text));
            body.note(
                note.iter()
                    .enumerate()
                    .map(|(k, &n)| rows(&format!("n{k}l"), n))
                    .collect(),
            );
            body.rows(rows("b", 4));
            lines_on(&paginate(masthead(), None, body, closing(0)).pages)
        };
        // 3 free: a note of 4 lines goes down whole (a paragraph breaks 2 | 2).
        assert_eq!(laid(9, vec![4])[0], 9);
        // A note of two paragraphs (2 + 2 lines) is one note.
        assert_eq!(laid(9, vec![2, 2])[0], 9);
        // 5 free for a note of 6: 4 | 2, never 5 | 1.
        assert_eq!(laid(7, vec![6])[0], 11);
        assert_eq!(laid(7, vec![1, 5])[0], 11);
        // 1 free: never a line alone.
        assert_eq!(laid(11, vec![6])[0], 11);
        // 2 free, a note of 1 + 5 lines: 2 | 4 would leave the second
        // paragraph's first line alone; the note goes down.
        assert_eq!(laid(10, vec![1, 5])[0], 10);
        // 3 free: 3 | 3.
        assert_eq!(laid(9, vec![6])[0], 12);
    }

    /// A 本期要目 of `n` lines, as contents::flow ends it.
    fn contents(n: usize) -> Flow {
        let mut flow = Flow::default();
        flow.rows(rows("c", n));
        flow.label_blank();
        flow
    }

    /// An article under a 【栏目】 label, as body_flow sets it.
    fn labelled(flow: &mut Flow, n: usize, title: usize, paragraphs: &[usize]) {
        flow.weak_blank();
        flow.keeper(vec![row(&format!("label{n}"))], 2);
        flow.label_blank();
        flow.start_article(n);
        flow.keeper(rows(&format!("title{n}r"), title), 0);
        flow.blank_kept(2);
        for (k, &lines) in paragraphs.iter().enumerate() {
            flow.paragraph(rows(&format!("a{n}p{k}l"), lines), ParagraphKind::Text);
        }
    }

    #[test]
    fn an_article_starts_low_on_a_page_with_its_label_right_above_its_title() {
        // 8 lines free under 6 lines of text: the blank, the label, the
        // blank under it, 2 title lines, the blank under them and a
        // paragraph of 3 lines are 9. Without the blank between label and
        // title the article starts on page 1 (第4期 of the proof-read).
        let mut body = Flow::default();
        body.paragraph(rows("a", 4), ParagraphKind::Text);
        labelled(&mut body, 0, 2, &[3, 6]);
        let laid = paginate(masthead(), None, body, closing(0));
        assert_eq!(
            tags(&laid.pages[0])[4..],
            [
                "label0", "title0r0", "title0r1", "a0p0l0", "a0p0l1", "a0p0l2"
            ]
        );
        let line = |t: &str| {
            laid.pages[0]
                .rows
                .iter()
                .find(|r| tag(r) == t)
                .unwrap()
                .line
        };
        assert_eq!(line("title0r0") - line("label0"), 1.0);
        assert_eq!(empty_at_foot(&laid.pages[0]), 0);
        // Where it fits, the label keeps its blank line under it.
        let mut body = Flow::default();
        labelled(&mut body, 0, 1, &[4]);
        let laid = paginate(masthead(), None, body, closing(0));
        let at = |t: &str| {
            laid.pages[0]
                .rows
                .iter()
                .find(|r| tag(r) == t)
                .unwrap()
                .line
        };
        assert_eq!(at("title0r0") - at("label0"), 2.0);
        // 4 lines short is no reason to set the start tight: 4 lines of
        // text leave 8 under them, 4 of text more leave 4.
        let mut body = Flow::default();
        body.paragraph(rows("a", 8), ParagraphKind::Text);
        labelled(&mut body, 0, 1, &[4]);
        let laid = paginate(masthead(), None, body, closing(0));
        assert_eq!(tags(&laid.pages[1])[0], "label0");
    }

    #[test]
    fn the_first_article_starts_under_the_contents_which_moves_up_a_line_if_need_be() {
        // 要目 of 7 lines from line 9: 6 lines free under it, the article
        // needs 7 set tight (one blank line above its label, none between
        // label and title). The 要目 moves up to line 8.
        let mut body = Flow::default();
        labelled(&mut body, 0, 2, &[6]);
        let laid = paginate(masthead(), Some(contents(7)), body, closing(0));
        let page = &laid.pages[0];
        assert_eq!(page.rows[0].line, 8.0);
        assert_eq!(
            tags(page)[7..],
            ["label0", "title0r0", "title0r1", "a0p0l0", "a0p0l1"]
        );
        assert_eq!(page.rows[7].line, 16.0, "one blank line under the 要目");
        assert_eq!(empty_at_foot(page), 0);
        // When even that does not fit, the 要目 stays where it stands.
        let mut body = Flow::default();
        labelled(&mut body, 0, 2, &[6]);
        let laid = paginate(masthead(), Some(contents(9)), body, closing(0));
        assert_eq!(laid.pages[0].rows[0].line, 9.0);
        assert_eq!(tags(&laid.pages[1])[0], "label0");
    }

    #[test]
    fn a_picture_at_the_top_of_a_page_stands_at_the_type_areas_top_edge() {
        use crate::layout_data::PictureItem;
        // 10 lines less 1 mm tall: with the clearance above it, 11 lines
        // after text; at a page top, 10, raised to the top edge.
        let height = 10.0 * PITCH - 1.0;
        let item = PictureItem {
            path: "p".into(),
            x: 0.0,
            width: 100.0,
            height,
            caption: String::new(),
            caption_lines: Vec::new(),
            caption_size: 14.0,
            caption_pitch: 0.0,
            caption_x: 0.0,
            caption_width: 0.0,
        };
        let photo = |captions: usize| Row::Pictures {
            items: vec![item.clone()],
            lines: 11 + captions,
            captions,
        };
        for captions in [0, 1] {
            let mut body = Flow::default();
            body.paragraph(rows("a", 11), ParagraphKind::Text);
            body.pictures(photo(captions), Vec::new());
            body.paragraph(rows("b", 4), ParagraphKind::Text);
            let laid = paginate(masthead(), None, body, closing(0));
            let top = &laid.pages[1].rows[0];
            assert_eq!(tag(top), "p");
            // Its top edge (the row's line, plus the lines above the
            // picture less its height) on the type area's top.
            let edge = top.line * PITCH + (top.row.lines() - captions) as f64 * PITCH - height;
            assert!(edge.abs() < 1e-9, "{edge} mm below the top");
            assert_eq!(top.row.lines(), 10 + captions);
            assert_eq!(laid.pages[1].rows[1].line, (10 + captions) as f64);
            // Under the masthead (or text) it keeps its clearance.
            let mut body = Flow::default();
            body.pictures(photo(captions), Vec::new());
            let laid = paginate(masthead(), None, body, closing(0));
            let under = &laid.pages[0].rows[0];
            assert_eq!((under.line, under.row.lines()), (10.0, 11 + captions));
        }
    }

    #[test]
    fn a_keep_never_chains_short_articles_together() {
        // Articles of one short paragraph each: a title keeps its blank
        // line and its paragraph, not the next article.
        let mut body = Flow::default();
        for n in 0..8 {
            article(&mut body, n, &[1]);
        }
        let lines = body.resolve();
        for (k, w) in lines.windows(2).enumerate() {
            if w[1].weak {
                assert!(!w[0].glue, "line {k} glued to the next article");
            }
        }
        let mut body = Flow::default();
        for n in 0..16 {
            article(&mut body, n, &[1]);
        }
        let laid = paginate(masthead(), None, body, closing(0));
        assert_eq!(laid.pages.len(), 4);
        let last = laid.pages.len() - 1;
        for (p, page) in laid.pages[..last].iter().enumerate() {
            // Each article is 4 lines with the blank above its title: a
            // page ends at most 3 short, and with an article's text.
            assert!(empty_at_foot(page) < 4, "page {} is short", p + 1);
            let end = tags(page).pop().unwrap();
            assert!(end.ends_with("p0l0"), "page {} ends with {end}", p + 1);
        }
    }

    #[test]
    fn a_picture_that_does_not_fit_floats_and_the_text_fills_the_page() {
        let mut body = Flow::default();
        body.paragraph(rows("a", 5), ParagraphKind::Text);
        body.pictures(pictures(12), vec![shrunk(11, 12), shrunk(10, 12)]);
        for (k, n) in [4, 3, 4, 4].into_iter().enumerate() {
            body.paragraph(rows(&format!("p{k}l"), n), ParagraphKind::Text);
        }
        let laid = paginate(masthead(), None, body, closing(0));
        // 7 lines free under a: too few even for the smallest; the text
        // after the picture fills them, the picture opens page 2.
        assert_eq!(lines_on(&laid.pages)[0], 12);
        assert_eq!(
            tags(&laid.pages[0])[5..],
            ["p0l0", "p0l1", "p0l2", "p0l3", "p1l0", "p1l1", "p1l2"]
        );
        assert_eq!(tags(&laid.pages[1])[..2], ["pictures12", "p2l0"]);
        assert_eq!(laid.pages[1].rows[0].line, 0.0);
    }

    #[test]
    fn a_picture_is_made_smaller_when_that_keeps_it_beside_its_text() {
        let mut body = Flow::default();
        body.paragraph(rows("a", 2), ParagraphKind::Text);
        body.pictures(pictures(12), vec![shrunk(11, 12), shrunk(10, 12)]);
        body.paragraph(rows("b", 4), ParagraphKind::Text);
        let laid = paginate(masthead(), None, body, closing(0));
        assert_eq!(tags(&laid.pages[0])[2], "pictures10");
        assert_eq!(laid.pages.len(), 2);
    }

    #[test]
    fn a_picture_stopped_by_the_next_title_is_made_smaller_rather_than_leave_a_page_short() {
        // 7 lines free under a; the picture fits them only at 58 %, under
        // the 80 % floor, and the next title stops it floating: moved to
        // page 2 it would leave page 1 seven lines short. It stays, smaller.
        let mut body = Flow::default();
        body.paragraph(rows("a", 5), ParagraphKind::Text);
        body.pictures(
            pictures(12),
            vec![shrunk(11, 12), shrunk(10, 12), shrunk(7, 12)],
        );
        body.weak_blank();
        body.keeper(vec![row("t")], 2);
        body.paragraph(rows("b", 4), ParagraphKind::Text);
        let laid = paginate(masthead(), None, body, closing(0));
        assert_eq!(tags(&laid.pages[0])[5..], ["pictures7"]);
        assert_eq!(tags(&laid.pages[1])[0], "t");
        // 2 lines free: a page 2 lines short is no reason to go under the
        // 80 % floor (even were it 60 % that fits); the picture goes on.
        let mut body = Flow::default();
        body.paragraph(rows("a", 10), ParagraphKind::Text);
        let fits = Smaller {
            row: pictures(2),
            scale: 0.6,
        };
        body.pictures(pictures(12), vec![shrunk(11, 12), fits]);
        body.weak_blank();
        body.keeper(vec![row("t")], 2);
        let laid = paginate(masthead(), None, body, closing(0));
        assert_eq!(tags(&laid.pages[1])[0], "pictures12");
    }

    #[test]
    fn a_picture_kept_with_a_heading_is_made_smaller_with_it() {
        let mut body = Flow::default();
        body.rows(rows("a", 1));
        body.heading(vec![row("h")], 1);
        body.pictures(pictures(12), vec![shrunk(11, 12), shrunk(10, 12)]);
        let laid = paginate(masthead(), None, body, closing(0));
        // 11 lines free for the heading and its picture: made a line
        // smaller, the picture stays with its heading.
        assert_eq!(tags(&laid.pages[0]), ["a0", "h", "pictures10"]);
        // 9 free: the smallest is too tall; both go to the next page.
        let mut body = Flow::default();
        body.rows(rows("a", 3));
        body.heading(vec![row("h")], 1);
        body.pictures(pictures(12), vec![shrunk(11, 12), shrunk(10, 12)]);
        let laid = paginate(masthead(), None, body, closing(0));
        assert_eq!(tags(&laid.pages[1]), ["h", "pictures12"]);
    }

    #[test]
    fn pictures_keep_their_order() {
        // The first waits for page 2; the second, kept with its heading,
        // comes after it even though the heading would fit on page 1.
        let mut body = Flow::default();
        body.rows(rows("a", 1));
        body.pictures(pictures(12), Vec::new());
        body.heading(vec![row("h")], 1);
        body.pictures(pictures(3), Vec::new());
        let laid = paginate(masthead(), None, body, closing(0));
        assert_eq!(tags(&laid.pages[0]), ["a0"]);
        assert_eq!(tags(&laid.pages[1]), ["pictures12", "h", "pictures3"]);
    }

    #[test]
    fn a_picture_never_floats_past_the_next_title() {
        let mut body = Flow::default();
        article(&mut body, 0, &[4]);
        body.pictures(pictures(12), Vec::new());
        body.paragraph(rows("b", 2), ParagraphKind::Text);
        article(&mut body, 1, &[4]);
        let laid = paginate(masthead(), None, body, closing(0));
        // Page 1: title, blank, 4 lines, and b beside the waiting picture.
        assert_eq!(tags(&laid.pages[0]).last().unwrap(), "b1");
        assert_eq!(tags(&laid.pages[1])[..2], ["pictures12", "title1"]);
    }

    #[test]
    fn a_picture_floats_past_a_heading_only_to_keep_the_page_full() {
        // 11 lines free after a; the picture needs 12: the heading and its
        // text fill the page rather than leave 11 lines empty.
        let mut body = Flow::default();
        body.rows(rows("a", 1));
        body.pictures(pictures(12), Vec::new());
        body.heading(vec![row("h")], 1);
        body.paragraph(rows("c", 12), ParagraphKind::Text);
        let laid = paginate(masthead(), None, body, closing(0));
        assert_eq!(tags(&laid.pages[0])[1], "h");
        assert_eq!(tags(&laid.pages[1])[0], "pictures12");
        // With 4 lines free, the heading waits under the picture.
        let mut body = Flow::default();
        body.rows(rows("a", 8));
        body.pictures(pictures(12), Vec::new());
        body.heading(vec![row("h")], 1);
        body.paragraph(rows("c", 12), ParagraphKind::Text);
        let laid = paginate(masthead(), None, body, closing(0));
        assert_eq!(lines_on(&laid.pages)[0], 8);
        assert_eq!(tags(&laid.pages[1])[..2], ["pictures12", "h"]);
    }

    #[test]
    fn the_closing_block_stands_on_the_grid_at_the_foot() {
        let mut body = Flow::default();
        body.rows(rows("l", 5));
        let laid = paginate(masthead(), None, body, closing(6));
        assert_eq!(laid.pages.len(), 1);
        let last = laid.pages[0].rows.last().unwrap();
        assert_eq!(last.line, 21.0);
        assert_eq!(laid.closing_alone, None);
        let mut at: Vec<f64> = laid.pages[0].rules.iter().map(|r| r.at).collect();
        at.sort_by(f64::total_cmp);
        assert!((at[0] - 16.0 * PITCH).abs() < 1e-9, "{at:?}");
        assert!((at[2] - HEIGHT).abs() < 1e-9, "{at:?}");
    }

    #[test]
    fn a_closing_block_one_line_short_is_set_tighter_on_the_last_page() {
        // 7 lines of text leave 5; the block has 6 rows.
        let mut body = Flow::default();
        body.rows(rows("l", 7));
        let laid = paginate(masthead(), None, body, closing(6));
        assert_eq!(laid.pages.len(), 1);
        assert_eq!(laid.closing_alone, None);
        let page = &laid.pages[0];
        let mut at: Vec<f64> = page.rules.iter().map(|r| r.at).collect();
        at.sort_by(f64::total_cmp);
        // The first rule half an em (8 pt) under the text, the last on the
        // foot, the rows at the pitch that fills the 5 lines less that.
        let clear = 8.0 * 25.4 / 72.0;
        assert!((at[0] - (17.0 * PITCH + clear)).abs() < 1e-9, "{at:?}");
        assert!((at[2] - HEIGHT).abs() < 1e-9, "{at:?}");
        let pitch = (5.0 * PITCH - clear) / 6.0;
        assert!(pitch >= CLOSING_MIN_PITCH);
        let closing: Vec<&Placed> = page
            .rows
            .iter()
            .filter(|r| tag(r).starts_with("closing"))
            .collect();
        for w in closing.windows(2) {
            assert!(((w[1].line - w[0].line) * PITCH - pitch).abs() < 1e-9);
        }
        // The thin rule above the 印发 row, between it and the row above.
        assert!((at[1] - (HEIGHT - pitch)).abs() < 1e-9, "{at:?}");
        let imprint = closing.last().unwrap();
        let middle = (imprint.line + 0.5) * PITCH;
        assert!((middle - (HEIGHT - pitch / 2.0)).abs() < 1e-9);
    }

    #[test]
    fn a_closing_block_that_cannot_share_the_page_says_how_many_lines_to_cut() {
        let mut body = Flow::default();
        body.rows(rows("l", 10));
        let laid = paginate(masthead(), None, body, closing(6));
        assert_eq!(laid.pages.len(), 2);
        // 2 lines free; the block needs 6 × 7.41 mm and 2.82 mm clear of
        // the text = 4.62 lines, so 5: the text would have to lose 3. No
        // picture to make smaller.
        let alone = laid.closing_alone.unwrap();
        assert_eq!((alone.lines, alone.picture), (3, None));
        // On its own page it stands on the grid at the foot.
        assert_eq!(laid.pages[1].rows.last().unwrap().line, 21.0);
        assert_eq!(laid.pages[1].rows[0].line, 16.0);
    }

    /// A table of `rows` body rows (序号, 单位NNNNN, a figure), with its
    /// caption 表1 and a note, composed with the embedded fonts.
    fn big_table(rows: usize) -> super::super::table::Composed {
        use crate::issue::{Cell, Inline, Table, TableRow, TableStyle, Text};
        static FONTS: std::sync::OnceLock<crate::fonts::Fonts> = std::sync::OnceLock::new();
        let fonts = FONTS.get_or_init(|| {
            crate::fonts::Fonts::load(
                &crate::config::FontConfig::default(),
                std::path::Path::new("."),
                &[],
                false,
            )
            .expect("embedded fonts load")
        });
        let text = |s: String| Text {
            runs: vec![Inline {
                text: s,
                emphasis: false,
            }],
            span: 0..0,
        };
        let row = |cells: [String; 3]| TableRow {
            cells: cells.into_iter().map(|c| Cell::Text(text(c))).collect(),
            span: 0..0,
        };
        let mut all = vec![row(["序号".into(), "单位".into(), "隐患（处）".into()])];
        for i in 1..=rows {
            all.push(row([
                i.to_string(),
                format!("单位{i:05}"),
                (i % 37).to_string(),
            ]));
        }
        let table = Table {
            caption: Some(text("表1　隐患整改台账".into())),
            rows: all,
            header_rows: 1,
            align: Vec::new(),
            style: None,
            notes: vec![text("注：截至5月底。".into())],
            span: 0..0,
        };
        super::super::table::compose(&table, TableStyle::Grid, fonts)
    }

    fn texts_of(r: &Placed) -> Vec<String> {
        match &r.row {
            Row::Table { texts, .. } => texts.iter().map(|t| t.text.clone()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn a_table_of_2000_rows_breaks_between_rows_with_its_header_on_every_page() {
        let mut body = Flow::default();
        body.paragraph(rows("a", 5), ParagraphKind::Text);
        body.table(big_table(2000));
        body.paragraph(rows("b", 2), ParagraphKind::Text);
        let laid = paginate(masthead(), None, body, closing(2));
        let mut numbers = Vec::new();
        let mut pieces = 0;
        for (p, page) in laid.pages.iter().enumerate() {
            for r in &page.rows {
                assert!(
                    r.line as usize + r.row.lines() <= LINES,
                    "page {} overflows",
                    p + 1
                );
            }
            let Some(k) = page
                .rows
                .iter()
                .position(|r| matches!(r.row, Row::Table { .. }))
            else {
                continue;
            };
            pieces += 1;
            // Above it, on the line before: the caption, then 续表1.
            let above = tag(&page.rows[k - 1]);
            let want = if pieces == 1 {
                "表1　隐患整改台账"
            } else {
                "续表1"
            };
            assert_eq!(above, want, "page {}", p + 1);
            assert_eq!(page.rows[k - 1].line + 1.0, page.rows[k].line);
            let texts = texts_of(&page.rows[k]);
            assert_eq!(texts[..3].concat(), "序号单位隐患（处）", "page {}", p + 1);
            numbers.extend(
                texts
                    .iter()
                    .filter(|t| t.len() == 5 && t.bytes().all(|b| b.is_ascii_digit()))
                    .map(|t| t.parse::<usize>().unwrap()),
            );
            // Pages in the middle are full: a row more would not fit.
            if p + 1 < laid.pages.len() - 1 && pieces > 1 {
                assert!(empty_at_foot(page) <= 1, "page {} ends short", p + 1);
            }
        }
        assert_eq!(numbers, (1..=2000).collect::<Vec<_>>());
        assert!(pieces >= 90, "{pieces} pages of table");
        // The note under the last row, and the text after the table.
        let last = laid.pages.iter().rev().find_map(|p| {
            p.rows
                .iter()
                .rev()
                .find(|r| matches!(r.row, Row::Table { .. }))
        });
        assert!(
            texts_of(last.unwrap())
                .concat()
                .ends_with("注：截至5月底。")
        );
    }

    #[test]
    fn a_caption_at_a_page_foot_goes_on_with_the_header_and_two_rows() {
        // 12 lines free under the masthead; 9 of text leave 3: enough for
        // the caption, the header and one row, not two.
        let mut body = Flow::default();
        body.paragraph(rows("a", 9), ParagraphKind::Text);
        body.table(big_table(5));
        let laid = paginate(masthead(), None, body, closing(0));
        assert_eq!(tags(&laid.pages[0]).len(), 9);
        // The header, five rows and the note: six lines and two thirds.
        assert_eq!(tags(&laid.pages[1])[..2], ["表1　隐患整改台账", "table7"]);
        // With a line more, it starts there.
        let mut body = Flow::default();
        body.paragraph(rows("a", 8), ParagraphKind::Text);
        body.table(big_table(5));
        let laid = paginate(masthead(), None, body, closing(0));
        assert_eq!(tags(&laid.pages[0])[8], "表1　隐患整改台账");
    }

    #[test]
    fn the_last_row_of_a_table_never_goes_over_alone() {
        // 12 lines: 7 of text leave 5, the caption, the header and three
        // rows; one row and the note would follow alone under 续表1: two
        // rows go over.
        let mut body = Flow::default();
        body.paragraph(rows("a", 7), ParagraphKind::Text);
        body.table(big_table(4));
        let laid = paginate(masthead(), None, body, closing(0));
        let numbers = |page: &PageData| {
            page.rows
                .iter()
                .flat_map(texts_of)
                .filter(|t| t.len() == 5 && t.bytes().all(|b| b.is_ascii_digit()))
                .count()
        };
        assert_eq!((numbers(&laid.pages[0]), numbers(&laid.pages[1])), (2, 2));
    }

    #[test]
    fn a_heading_stays_with_the_table_under_it() {
        let mut body = Flow::default();
        body.paragraph(rows("a", 8), ParagraphKind::Text);
        body.heading(vec![row("h")], 1);
        body.table(big_table(5));
        let laid = paginate(masthead(), None, body, closing(0));
        // The heading and the table's start need 5 lines; 4 are left.
        assert_eq!(tags(&laid.pages[1])[..2], ["h", "表1　隐患整改台账"]);
    }

    #[test]
    fn a_closing_block_taller_than_a_page_runs_over_with_its_rules() {
        let body = Flow::default();
        let laid = paginate(masthead(), None, body, closing(30));
        let rows: usize = laid.pages.iter().map(|p| p.rows.len()).sum();
        assert_eq!(rows, 30, "no line of the closing block is lost");
        for p in &laid.pages[1..] {
            assert!(p.rules.len() >= 2, "each part has its rules");
            assert!(p.rows.iter().all(|r| r.line < LINES as f64));
        }
    }

    /// What a generated body holds: articles of paragraphs (line counts),
    /// headings and pictures (their heights in lines).
    #[derive(Debug, Clone)]
    enum Item {
        Paragraph(usize),
        Heading,
        Picture(usize),
    }

    /// Articles: title lines, a 【栏目】 label above the title or not, and
    /// the items.
    type Articles = Vec<(usize, bool, Vec<Item>)>;

    fn items(pictures: bool) -> impl Strategy<Value = Articles> {
        let item = prop_oneof![
            6 => (1usize..=12).prop_map(Item::Paragraph),
            1 => Just(Item::Heading),
            if pictures { 1 } else { 0 } => (2usize..=14).prop_map(Item::Picture),
        ];
        prop::collection::vec(
            (1usize..=2, any::<bool>(), prop::collection::vec(item, 1..8)),
            1..10,
        )
    }

    /// The flow of generated articles; each row is tagged with what it is.
    fn generated(articles: &[(usize, bool, Vec<Item>)]) -> Flow {
        use crate::layout_data::PictureItem;
        let mut flow = Flow::default();
        for (n, (title, label, items)) in articles.iter().enumerate() {
            flow.weak_blank();
            if *label {
                // As body_flow sets a label and the title under it.
                flow.keeper(vec![row(&format!("t{n}L"))], 2);
                flow.label_blank();
            }
            flow.start_article(n);
            flow.keeper(rows(&format!("t{n}r"), *title), 0);
            flow.blank_kept(2);
            for (k, item) in items.iter().enumerate() {
                let tag = format!("a{n}i{k}");
                match item {
                    Item::Paragraph(lines) => {
                        flow.paragraph(rows(&format!("{tag}l"), *lines), ParagraphKind::Text)
                    }
                    // A heading keeps with its text, as body_flow decides.
                    Item::Heading => {
                        let text_follows = !matches!(items.get(k + 1), None | Some(Item::Heading));
                        flow.heading(vec![row(&format!("{tag}h"))], usize::from(text_follows));
                    }
                    Item::Picture(lines) => {
                        let picture = |lines: usize| Row::Pictures {
                            items: vec![PictureItem {
                                path: format!("{tag}p"),
                                x: 0.0,
                                width: 0.0,
                                height: 0.0,
                                caption: String::new(),
                                caption_lines: Vec::new(),
                                caption_size: 14.0,
                                caption_pitch: 0.0,
                                caption_x: 0.0,
                                caption_width: 0.0,
                            }],
                            lines,
                            captions: 0,
                        };
                        let smaller = (lines / 2..*lines)
                            .rev()
                            .filter(|&l| l > 0)
                            .map(|l| Smaller {
                                row: picture(l),
                                scale: l as f64 / *lines as f64,
                            })
                            .collect();
                        flow.pictures(picture(*lines), smaller);
                    }
                }
            }
        }
        flow
    }

    /// Every row's tag with its page and line, in the order placed.
    fn placed(laid: &Paginated) -> Vec<(String, usize, f64, f64)> {
        let mut out = Vec::new();
        for (p, page) in laid.pages.iter().enumerate() {
            let mut rows: Vec<&Placed> = page.rows.iter().collect();
            rows.sort_by(|a, b| a.line.total_cmp(&b.line));
            for r in rows {
                // A closing row in the tighter setting takes less than the
                // grid line it is drawn centred on: its middle stands for it.
                if tag(r).starts_with("closing") {
                    out.push((tag(r), p, r.line + 0.5, 0.0));
                } else {
                    out.push((tag(r), p, r.line, r.row.lines() as f64));
                }
            }
        }
        out
    }

    /// The lines article `n`'s start needs at a page's foot (the blank
    /// above it, its label, title, the blank under it and the text it
    /// keeps), set tight: without the blank between label and title.
    fn start_needs(articles: &[(usize, bool, Vec<Item>)], n: usize) -> usize {
        let lines = generated(articles).resolve();
        let title = lines
            .iter()
            .position(|l| l.article == Some(n))
            .expect("the title");
        let mut start = title;
        while start > 0 && lines[start - 1].glue {
            start -= 1;
        }
        let mut end = title;
        while end + 1 < lines.len() && lines[end].glue {
            end += 1;
        }
        lines[start..=end]
            .iter()
            .filter(|l| !l.tight)
            .map(FlowLine::lines)
            .sum()
    }

    fn check_rules(articles: &[(usize, bool, Vec<Item>)], laid: &Paginated, full_pages: bool) {
        let rows = placed(laid);
        let page_of = |t: &str| {
            rows.iter()
                .find(|r| r.0 == t)
                .unwrap_or_else(|| panic!("{t} is lost"))
                .1
        };
        // Nothing overlaps, nothing passes the foot.
        for w in rows.windows(2) {
            if w[0].1 == w[1].1 {
                assert!(
                    w[0].2 + w[0].3 <= w[1].2 + 1e-9,
                    "{} overlaps {}",
                    w[0].0,
                    w[1].0
                );
            }
        }
        assert!(rows.iter().all(|r| r.2 + r.3 <= LINES as f64 + 1e-9));
        // Text in order; pictures in order and before the next title.
        let order = |keep: &dyn Fn(&str) -> bool| -> Vec<String> {
            rows.iter()
                .map(|r| r.0.clone())
                .filter(|t| !t.starts_with("closing") && keep(t))
                .collect()
        };
        let mut expected = Vec::new();
        for (n, (title, label, items)) in articles.iter().enumerate() {
            if *label {
                expected.push(format!("t{n}L"));
            }
            expected.extend((0..*title).map(|k| format!("t{n}r{k}")));
            for (k, item) in items.iter().enumerate() {
                match item {
                    Item::Paragraph(lines) => {
                        expected.extend((0..*lines).map(|i| format!("a{n}i{k}l{i}")))
                    }
                    Item::Heading => expected.push(format!("a{n}i{k}h")),
                    Item::Picture(_) => expected.push(format!("a{n}i{k}p")),
                }
            }
        }
        let is_picture = |t: &str| t.ends_with('p');
        let text: Vec<String> = expected
            .iter()
            .filter(|t| !is_picture(t))
            .cloned()
            .collect();
        assert_eq!(order(&|t| !is_picture(t)), text);
        let titles_and_pictures: Vec<String> = expected
            .iter()
            .filter(|t| is_picture(t) || t.starts_with('t'))
            .cloned()
            .collect();
        assert_eq!(
            order(&|t| is_picture(t) || t.starts_with('t')),
            titles_and_pictures
        );
        for (n, (title, label, items)) in articles.iter().enumerate() {
            // A label on the page of the title under it.
            if *label {
                assert_eq!(page_of(&format!("t{n}L")), page_of(&format!("t{n}r0")));
            }
            // A title with what follows it, or, when a picture follows
            // that floated, with its first line of text. (Under the
            // masthead, a title whose pictures cannot all float stays
            // rather than leave page 1 empty; its picture starts page 2.)
            let last = format!("t{n}r{}", title - 1);
            let after = expected
                .iter()
                .position(|t| *t == last)
                .map_or(&[][..], |i| &expected[i + 1..]);
            let article_end = after
                .iter()
                .position(|t| t.starts_with('t'))
                .unwrap_or(after.len());
            let text = after[..article_end].iter().find(|t| !is_picture(t));
            if let Some(next) = after.first() {
                let with = page_of(next) == page_of(&last)
                    || text.is_some_and(|t| page_of(t) == page_of(&last))
                    || (is_picture(next) && page_of(&last) == 0 && page_of(next) == 1);
                assert!(with, "{last} ends a page");
            }
            // No orphan (unless given up for the closing block), no widow.
            for (k, item) in items.iter().enumerate() {
                if let Item::Paragraph(lines @ 2..) = item {
                    let line = |i: usize| page_of(&format!("a{n}i{k}l{i}"));
                    if !laid.relaxed {
                        assert_eq!(line(0), line(1), "a{n}i{k}: an orphan");
                    }
                    assert_eq!(line(lines - 2), line(lines - 1), "a{n}i{k}: a widow");
                }
            }
        }
        if full_pages {
            for p in 0..laid.pages.len() - 1 {
                let bottom = rows
                    .iter()
                    .filter(|r| r.1 == p)
                    .map(|r| (r.2 + r.3) as usize)
                    .max()
                    .unwrap_or(0);
                // A page ends 5 lines short or more only before an article
                // whose start (its label, title and the lines they keep)
                // does not fit even set tight.
                let next_article = rows
                    .iter()
                    .find(|r| r.1 == p + 1)
                    .filter(|r| r.0.starts_with('t'))
                    .and_then(|r| r.0[1..].split(['L', 'r']).next()?.parse().ok());
                let limit = next_article.map_or(SHORT, |n| start_needs(articles, n).max(SHORT));
                assert!(
                    LINES - bottom < limit,
                    "page {} ends {} lines short",
                    p + 1,
                    LINES - bottom
                );
                // With a title of 2 lines, a label and its blank lines,
                // that is at most 7 lines (two lines of text) or 8 (a
                // paragraph of 3 lines, or one of 1 and the next's first
                // two): the blank between label and title is given up first.
                assert!(
                    LINES - bottom <= 8,
                    "page {} ends {} short",
                    p + 1,
                    LINES - bottom
                );
            }
        }
    }

    #[test]
    /// A title whose run with its picture is taller than a page (a
    /// picture of 14 lines between the title and its text): the text
    /// stays with the title, the picture floats (a proptest case).
    fn a_run_taller_than_a_page_for_its_picture_keeps_its_text_with_the_title() {
        use Item::*;
        let articles: Articles = vec![
            (1, false, vec![Paragraph(1)]),
            (1, false, vec![Paragraph(1)]),
            (1, false, vec![Paragraph(1)]),
            (1, true, vec![Paragraph(7)]),
            (2, false, vec![Picture(2)]),
            (1, false, vec![Paragraph(3)]),
            (
                2,
                true,
                vec![Picture(14), Paragraph(1), Paragraph(2), Paragraph(1)],
            ),
        ];
        let laid = paginate(masthead(), None, generated(&articles), closing(4));
        check_rules(&articles, &laid, false);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn text_pages_are_full_and_keep_their_rules(articles in items(false)) {
            let laid = paginate(masthead(), None, generated(&articles), closing(0));
            check_rules(&articles, &laid, true);
        }

        #[test]
        fn pictures_keep_their_order_and_the_rules_hold(articles in items(true)) {
            let laid = paginate(masthead(), None, generated(&articles), closing(4));
            check_rules(&articles, &laid, false);
        }
    }
}
