//! Which font role prints each part of an issue: the one table that the
//! checks (a character no font can print, `jianbao fonts`) and the layout
//! data both read, so what is checked is what is printed.

use crate::issue::{Block, Distribution, Field, HeadingLevel, Printed, Text, note_label};
use crate::source::{SourceFile, Spanned};

/// What a face is used for in the layout. In the layout data a role is
/// written as its [`Role::key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// 小标宋: masthead, series line, article titles.
    Title,
    /// 仿宋: body text, issue number, closing block.
    Body,
    /// 黑体: mark, level-1 headings, emphasis, labels.
    Heading,
    /// 楷体: level-2 headings, lead-in, subtitle, editor's notes.
    Subheading,
    /// 宋体: page numbers.
    Song,
    /// Wide coverage for characters the role's own faces lack.
    Fallback,
    /// Latin letters and digits in every CJK role (Times New Roman in
    /// practice; Liberation Serif has its metrics).
    Latin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Title,
        Role::Body,
        Role::Heading,
        Role::Subheading,
        Role::Song,
        Role::Fallback,
        Role::Latin,
    ];

    /// The name in `[fonts]` and in the layout data.
    pub fn key(self) -> &'static str {
        match self {
            Role::Title => "title",
            Role::Body => "body",
            Role::Heading => "heading",
            Role::Subheading => "subheading",
            Role::Song => "song",
            Role::Fallback => "fallback",
            Role::Latin => "latin",
        }
    }
}

/// A part of an issue's text, as far as the font goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `^` lead-in above a title.
    Lead,
    /// `#` title lines.
    TitleLine,
    /// `——` subtitle under a title.
    Subtitle,
    /// `@` byline under a title: a speech's speaker and date.
    Byline,
    /// `【栏目】` column label.
    Label,
    /// A heading up to its first 。 (or the whole line), by level.
    Head(HeadingLevel),
    /// Body text run in after a heading's head.
    RunIn,
    Paragraph,
    /// An editor's note.
    Note,
    /// The 编者按： that opens an editor's note, typed or added.
    NoteLabel,
    /// A picture's caption.
    Caption,
    /// A table's caption line (`表1　…`), centred above it.
    TableCaption,
    /// A cell of a table's header rows.
    TableHead,
    /// A cell of a table's body rows.
    TableCell,
    /// A `注：` / `数据来源：` line under a table.
    TableNote,
    /// A unit in the 报/送/发 lists.
    Unit,
    /// A masthead or imprint string from jianbao.toml or the front matter.
    Printed(Field),
}

impl Part {
    /// The role that prints this part; `emphasis` for `**…**` text.
    pub fn role(self, emphasis: bool) -> Role {
        match self {
            // Centred lines are set from their plain text: no emphasis.
            Part::TitleLine => Role::Title,
            Part::Lead | Part::Subtitle | Part::Byline => Role::Subheading,
            // Set by the layout as one string in this role.
            Part::Caption => Role::Subheading,
            Part::Unit => Role::Body,
            Part::Printed(Field::Series | Field::Title) => Role::Title,
            Part::Printed(Field::Mark | Field::Classification) => Role::Heading,
            // The number row, the editor and the closing block.
            Part::Printed(_) => Role::Body,
            Part::Label | Part::NoteLabel => Role::Heading,
            // Caption and header in 黑体 (GB/T 7713 practice for 表题;
            // Chinese statistical tables set the head so).
            Part::TableCaption | Part::TableHead => Role::Heading,
            _ if emphasis => Role::Heading,
            Part::Head(HeadingLevel::One) => Role::Heading,
            Part::Head(HeadingLevel::Two) | Part::Note => Role::Subheading,
            Part::Head(_) | Part::RunIn | Part::Paragraph => Role::Body,
            Part::TableCell | Part::TableNote => Role::Body,
        }
    }
}

/// A printed character of the issue: where it is and the font role that
/// prints it.
#[derive(Debug, Clone, Copy)]
pub struct PrintedChar {
    pub offset: usize,
    /// Bytes of the source that show this character: the character itself,
    /// or a whole TOML string written with escapes.
    pub len: usize,
    pub c: char,
    pub role: Role,
}

/// Every character the layout prints from an issue file, with its role.
pub fn characters(
    src: &SourceFile,
    distribution: Option<&Distribution>,
    body: &[Block],
) -> Vec<PrintedChar> {
    let mut out = Vec::new();
    // `part(at)` is the part of the text at byte `at` of its plain text.
    let mut scan = |text: &Text, part: &dyn Fn(usize) -> Part| {
        let raw = &src.text[text.span.clone()];
        // An escaped line keeps `**` as typed; otherwise `**` is markup.
        let literal = raw == text.plain();
        let mut emphasis = false;
        let mut plain = 0;
        let mut i = 0;
        while i < raw.len() {
            if !literal && raw[i..].starts_with("**") {
                emphasis = !emphasis;
                i += 2;
                continue;
            }
            let c = raw[i..].chars().next().unwrap();
            out.push(PrintedChar {
                offset: text.span.start + i,
                len: c.len_utf8(),
                c,
                role: part(plain).role(emphasis),
            });
            plain += c.len_utf8();
            i += c.len_utf8();
        }
    };
    for block in body {
        match block {
            Block::Paragraph(t) => scan(t, &|_| Part::Paragraph),
            Block::Label(t) => scan(t, &|_| Part::Label),
            Block::Note(paras) => {
                for (i, p) in paras.iter().enumerate() {
                    let label = if i == 0 {
                        note_label(&p.plain()).map_or(0, str::len)
                    } else {
                        0
                    };
                    scan(p, &|at| {
                        if at < label {
                            Part::NoteLabel
                        } else {
                            Part::Note
                        }
                    });
                }
            }
            Block::Title {
                lead,
                lines,
                subtitle,
                byline,
            } => {
                if let Some(t) = lead {
                    scan(t, &|_| Part::Lead);
                }
                if let Some(t) = subtitle {
                    scan(t, &|_| Part::Subtitle);
                }
                for t in byline {
                    scan(t, &|_| Part::Byline);
                }
                for t in lines {
                    scan(t, &|_| Part::TitleLine);
                }
            }
            Block::Heading { level, head, .. } => {
                // The head's span is the whole line, run-in text included.
                let head_len = head.plain().len();
                scan(head, &|at| {
                    if at < head_len {
                        Part::Head(*level)
                    } else {
                        Part::RunIn
                    }
                });
            }
            Block::Picture { caption, .. } => scan(caption, &|_| Part::Caption),
            // `附件：` and `1.` are set in 仿宋 with the names.
            Block::AttachmentNote(note) => {
                for item in &note.items {
                    scan(&item.name, &|_| Part::Paragraph);
                }
            }
            // The mark `附件1` is jianbao's own text; the title is set as
            // an article's.
            Block::Attachment(a) => {
                for t in &a.title {
                    scan(t, &|_| Part::TitleLine);
                }
            }
            Block::Table(table) => {
                if let Some(t) = &table.caption {
                    scan(t, &|_| Part::TableCaption);
                }
                for (i, row) in table.rows.iter().enumerate() {
                    let part = if i < table.header_rows {
                        Part::TableHead
                    } else {
                        Part::TableCell
                    };
                    for cell in &row.cells {
                        if let crate::issue::Cell::Text(t) = cell {
                            scan(t, &|_| part);
                        }
                    }
                }
                for t in &table.notes {
                    scan(t, &|_| Part::TableNote);
                }
            }
        }
    }
    for (_, _, units) in distribution.iter().flat_map(|d| d.lists()) {
        for u in units {
            string_characters(src, u, Part::Unit, &mut out);
        }
    }
    out
}

/// Every character printed from masthead and imprint strings (of
/// jianbao.toml or of an issue's front matter, in `src`), with its role;
/// `number_format`'s placeholders are not printed as typed.
pub fn printed_characters(src: &SourceFile, printed: &[Printed]) -> Vec<PrintedChar> {
    let mut out = Vec::new();
    for (field, s) in printed {
        if *field == Field::NumberFormat {
            let mut value = s.value.clone();
            for p in ["{number_cn}", "{number}", "{year}", "{edition}"] {
                value = value.replace(p, "");
            }
            // Offsets are only exact without placeholders: else point at the
            // whole string, as for one written with escapes.
            let shown = Spanned::new(value, s.span.clone());
            let exact = shown.value.len() == s.value.len();
            let mut placed = Vec::new();
            string_characters(src, &shown, Part::Printed(*field), &mut placed);
            if !exact {
                for p in &mut placed {
                    (p.offset, p.len) = (s.span.start, s.span.len());
                }
            }
            out.extend(placed);
        } else {
            string_characters(src, s, Part::Printed(*field), &mut out);
        }
    }
    out
}

/// The characters of a TOML string value, each at its place inside the
/// quotes; a string with escapes (\u5C40) is not typed as printed: each
/// points at the whole string.
fn string_characters(
    src: &SourceFile,
    s: &Spanned<String>,
    part: Part,
    out: &mut Vec<PrintedChar>,
) {
    let raw = src.text.get(s.span.clone()).unwrap_or("");
    let verbatim = raw.len() == s.value.len() + 2;
    for (i, c) in s.value.char_indices() {
        let (offset, len) = if verbatim {
            (s.span.start + 1 + i, c.len_utf8())
        } else {
            (s.span.start, s.span.len())
        };
        // A broken escape comes back as U+FFFD: the TOML error says it.
        if !verbatim && c == '\u{fffd}' {
            continue;
        }
        out.push(PrintedChar {
            offset,
            len,
            c,
            role: part.role(false),
        });
    }
}
