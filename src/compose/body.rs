//! The body of an issue as a flow of rows for pagination: each block
//! composed (paragraphs on the grid, titles centred, pictures sized,
//! tables set) with
//! what must stay together.

use std::path::Path;

use rayon::prelude::*;

use crate::fonts::{Fonts, Part, Role};
use crate::issue::{Block, TableStyle, articles, note_label};
use crate::layout_data::Row;
use crate::layout_data::geometry::{BODY_PT, TITLE_PT, WIDTH};

use super::attachment;
use super::page::{Flow, ParagraphKind};
use super::picture;
use super::rows::{FLUSH, PARAGRAPH, centred, face, grid_rows, grid_rows_by, runs_of};
use super::table;

/// The body as a flow of rows with what must stay together.
pub fn body_flow(
    blocks: &[Block],
    fonts: &Fonts,
    root: &Path,
    source: &str,
    table_style: TableStyle,
) -> Flow {
    let mut flow = Flow::default();
    // Paragraphs, most of a body, are broken into lines side by side.
    let mut paragraphs: Vec<Option<Vec<Row>>> = blocks
        .par_iter()
        .map(|block| match block {
            Block::Paragraph(text) => {
                Some(grid_rows(&runs_of(text, Part::Paragraph), PARAGRAPH, fonts))
            }
            _ => None,
        })
        .collect();
    let mut article = 0;
    // The blocks from here on are attachments, not articles of the 简报.
    let attachments_from = articles(blocks).len();
    let mut i = 0;
    while i < blocks.len() {
        match &blocks[i] {
            Block::AttachmentNote(note) => {
                flow.attachment_note(attachment::note_rows(note, fonts));
            }
            Block::Attachment(a) => {
                // An attachment that is a table too wide for the page (a
                // 附表): its head goes on the table's first landscape
                // page, not alone on a page of its own.
                if let Some(Block::Table(t)) = blocks.get(i + 1) {
                    let style = t.style.as_ref().map_or(table_style, |s| s.value);
                    let mut composed = table::compose(t, style, fonts);
                    if composed.area.landscape {
                        let (mark, title) = attachment::head_rows(a, fonts, composed.area.width);
                        let head = attachment::placed_head(mark, title);
                        // Set again with the head's lines reserved, so a
                        // size smaller is taken where it saves a page.
                        composed =
                            table::compose_under(t, style, fonts, attachment::head_lines(&head));
                        composed.head = head;
                        flow.page_break();
                    } else {
                        let (mark, title) = attachment::head_rows(a, fonts, WIDTH);
                        flow.attachment_head(mark, title);
                    }
                    flow.table(composed);
                    i += 2;
                    continue;
                }
                let (mark, title) = attachment::head_rows(a, fonts, WIDTH);
                flow.attachment_head(mark, title);
            }
            Block::Table(t) => {
                // Two tables back to back: a blank line between the first
                // (its notes) and the second's caption; none at a page top,
                // and given up, as a label's is, where that lets the second
                // start on a page that would otherwise end short.
                if i > 0 && matches!(blocks[i - 1], Block::Table(_)) {
                    flow.label_blank();
                }
                let style = t.style.as_ref().map_or(table_style, |s| s.value);
                flow.table(table::compose(t, style, fonts));
            }
            Block::Label(text) => {
                // A blank line above a column label, none at a page top; the
                // label keeps with two lines of what follows.
                flow.weak_blank();
                flow.keeper(grid_rows(&runs_of(text, Part::Label), FLUSH, fonts), 2);
            }
            Block::Title {
                lead,
                lines,
                subtitle,
                byline,
            } => {
                // A title under its label: the blank between them is the
                // one an article's start may give up at a page's foot.
                if i > 0 && matches!(blocks[i - 1], Block::Label(_)) {
                    flow.label_blank();
                } else {
                    flow.weak_blank();
                }
                let mut rows = Vec::new();
                if let Some(lead) = lead {
                    rows.extend(centred(&lead.plain(), Role::Subheading, BODY_PT, fonts));
                }
                for line in lines {
                    rows.extend(centred(&line.plain(), Role::Title, TITLE_PT, fonts));
                }
                if let Some(sub) = subtitle {
                    rows.extend(centred(&sub.plain(), Role::Subheading, BODY_PT, fonts));
                }
                // A speech's speaker and date, 3号 楷体 centred (practice
                // for 讲话稿; GB/T 9704 has no rule for them).
                for line in byline {
                    rows.extend(centred(&line.plain(), Role::Subheading, BODY_PT, fonts));
                }
                if i < attachments_from {
                    flow.start_article(article);
                    article += 1;
                }
                flow.keeper(rows, 0);
                // A blank line under the title, kept with two lines of text.
                flow.blank_kept(2);
            }
            Block::Heading {
                level, head, rest, ..
            } => {
                let mut r = runs_of(head, Part::Head(*level));
                if let Some(rest) = rest {
                    r.extend(runs_of(rest, Part::RunIn));
                }
                // The heading breaks by meaning, as titles do (its run-in
                // text as any paragraph); a heading alone never leaves one
                // or two characters on its last line.
                // (A heading shorter than its first line cannot break
                // inside: the dictionary is not loaded for it.)
                let plain = head.plain();
                let costs = if plain.chars().count() + PARAGRAPH.first_indent > PARAGRAPH.cells - 2
                {
                    super::title::heading_costs(&plain, rest.is_none())
                } else {
                    Vec::new()
                };
                let cut = |k: usize| costs.get(k).copied().unwrap_or(0.0);
                let rows = grid_rows_by(&r, PARAGRAPH, fonts, &cut);
                // A heading on its own line stays with the next line — unless
                // a heading of its level or above follows: one-line items
                // of a list (（1）…（2）…) may part like paragraphs. A
                // heading with its text run in is a paragraph.
                let heads_text = match blocks.get(i + 1) {
                    Some(Block::Heading { level: next, .. }) => next > level,
                    Some(_) => true,
                    None => false,
                };
                if rest.is_none() && heads_text {
                    flow.heading(rows, 1);
                } else {
                    flow.paragraph(rows, ParagraphKind::RunInHeading);
                }
            }
            Block::Paragraph(_) => flow.paragraph(
                paragraphs[i].take().unwrap_or_default(),
                ParagraphKind::Text,
            ),
            Block::Note(paras) => {
                // A note before an article (编者按 above its title) ends on
                // the title's page.
                let before_title = matches!(blocks.get(i + 1), Some(Block::Title { .. }));
                let mut lines = Vec::new();
                for (k, p) in paras.iter().enumerate() {
                    let mut r = runs_of(p, Part::Note);
                    if k == 0 {
                        let plain = p.plain();
                        let label_face = face(Part::NoteLabel.role(false));
                        match note_label(&plain) {
                            Some(l) => {
                                // Set the typed label in 黑体.
                                let mut rest = r[0].0.split_off(l.len());
                                std::mem::swap(&mut rest, &mut r[0].0);
                                r.insert(0, (rest.replace(':', "："), label_face));
                            }
                            None => r.insert(0, ("编者按：".into(), label_face)),
                        }
                    }
                    lines.push(grid_rows(&r, PARAGRAPH, fonts));
                }
                // A short note is never broken, a long one never leaves a
                // line or a single one behind.
                flow.note(lines);
                if before_title {
                    flow.keep_last(1);
                }
            }
            Block::Picture { .. } => {
                // Pictures on consecutive lines share a row where they fit;
                // a blank line between two pictures keeps them apart.
                let mut j = i + 1;
                while j < blocks.len() && picture::adjacent(source, &blocks[j - 1], &blocks[j]) {
                    j += 1;
                }
                for row in picture::rows(&blocks[i..j], root, fonts) {
                    let smaller = picture::smaller(&row, fonts);
                    flow.pictures(row, smaller);
                }
                i = j;
                continue;
            }
        }
        i += 1;
    }
    flow
}
