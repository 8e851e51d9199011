//! The document's blocks recognised as an issue: the masthead made in
//! Word (期号, 总期号, date, 编发单位) and the 版记 at the end (报/送/发,
//! the 印发 line) into front-matter values, and the body into lines of
//! the issue format, with what each paragraph became (or why it was
//! dropped) for the report.

use super::docx::{Block, Para, Table};
use super::numbering::Shown;
use crate::issue::{LineKind, heading_number, line_kind};

/// The type area is 156 mm wide (GB/T 9704): a picture's width in Word
/// is written as a share of it.
pub(crate) const TYPE_AREA_EMU: f64 = 156.0 * 36_000.0;
/// A title is set large: 小二 (18 pt, 36 half-points) or more.
const TITLE_SIZE: u32 = 36;
/// A bold centred line of 三号 (16 pt) is a title when nothing else says
/// otherwise.
pub(crate) const BOLD_TITLE_SIZE: u32 = 32;
/// Longer than this, a centred line is a paragraph, not a title.
const TITLE_CHARS: usize = 60;
/// A line pasted from a PDF is this long or longer, and stops on a
/// character, not a mark (as `check`'s `broken-sentence`).
const WRAPPED_CHARS: usize = 20;
/// The lines of one hard-wrapped paragraph are this close in width
/// (characters).
const WRAP_SLACK: usize = 2;

/// What the masthead and the 版记 say, as far as found.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Front {
    pub number: Option<u32>,
    pub total: Option<u32>,
    pub date: Option<chrono::NaiveDate>,
    pub editor: Option<String>,
    pub publisher: Option<String>,
    pub copies: Option<u32>,
    /// 份号 (`serial`), 密级 (`classification`) and a keeping mark such
    /// as 内部资料　注意保存 (`mark`), read from the head of page 1.
    pub serial: Option<String>,
    pub classification: Option<String>,
    pub mark: Option<String>,
    pub bao: Vec<String>,
    pub song: Vec<String>,
    pub fa: Vec<String>,
    pub extra: Vec<String>,
}

impl Front {
    pub fn has_distribution(&self) -> bool {
        !(self.bao.is_empty()
            && self.song.is_empty()
            && self.fa.is_empty()
            && self.extra.is_empty())
    }
}

/// One line of the report: the paragraph it is about (0: the document as
/// a whole) and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Said {
    pub index: usize,
    pub text: String,
    /// Something dropped or changed that the clerk should look at.
    pub warning: bool,
    /// The body line it is about (0-based, in the draft's lines), as far
    /// as the body was written when it was said.
    pub line: usize,
}

/// A picture to write: the paragraph it is in and its relationship.
#[derive(Debug, Clone, PartialEq)]
pub struct PictureRef {
    pub index: usize,
    pub rel: String,
    pub width: Option<u64>,
}

/// Where the writer asks for a picture's file: `Ok(path)` relative to
/// the publication (`images/import-…png`), or why it is not kept.
pub trait Pictures {
    fn place(&mut self, picture: &PictureRef) -> Result<String, String>;
}

/// The issue as recognised.
#[derive(Debug, Default)]
pub struct Draft {
    pub front: Front,
    /// The body, one line each ("" for a blank line).
    pub lines: Vec<String>,
    pub said: Vec<Said>,
}

/// What a paragraph's text is taken for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Title,
    Plain,
}

pub fn recognise(blocks: &[Block], pictures: &mut dyn Pictures) -> Draft {
    let mut w = Writer {
        draft: Draft::default(),
        pictures,
    };
    // Empty paragraphs are Word's spacing.
    let items: Vec<&Block> = blocks
        .iter()
        .filter(|b| match b {
            Block::Para(p) => !p.text().trim().is_empty() || !p.pictures.is_empty(),
            Block::Table(_) => true,
        })
        .collect();
    let start = w.masthead(&items);
    let end = w.closing(&items, start);
    w.body(&items[start..end]);
    w.draft
}

struct Writer<'p> {
    draft: Draft,
    pictures: &'p mut dyn Pictures,
}

impl Writer<'_> {
    fn say(&mut self, index: usize, text: impl Into<String>) {
        self.draft.said.push(Said {
            index,
            text: text.into(),
            warning: false,
            line: self.draft.lines.len(),
        });
    }

    fn warn(&mut self, index: usize, text: impl Into<String>) {
        self.draft.said.push(Said {
            index,
            text: text.into(),
            warning: true,
            line: self.draft.lines.len(),
        });
    }

    /// A masthead made in Word at the top: the lines up to the one with
    /// 第N期 and the date. Returns where the body starts.
    fn masthead(&mut self, items: &[&Block]) -> usize {
        const WITHIN: usize = 8;
        let texts: Vec<(usize, String)> = items
            .iter()
            .take(WITHIN)
            .map(|b| match b {
                Block::Para(p) => (p.index, p.text()),
                Block::Table(t) => (t.index, table_text(t)),
            })
            .collect();
        // A number line of a masthead, not a sentence that names an
        // issue (县委党校举办第3期培训班。), nor a heading or a title that
        // does (二、第3期培训班: the attack review saw the title, a
        // paragraph and a table above it taken for the masthead and
        // lost): 第N期 at its start, after a year or a bracket at most.
        let number_line = |t: &str| {
            t.split('\n').any(|l| {
                let l = l.trim_matches(is_blank);
                let leads = l.find('第').is_some_and(|at| {
                    l[..at].replace("增刊", "").chars().all(|c| {
                        c.is_ascii_digit() || c.is_whitespace() || "年〔〕[]（）()　".contains(c)
                    })
                });
                leads && issue_number(l).is_some() && l.chars().count() <= 40 && !ends_sentence(l)
            })
        };
        let Some(number_at) = texts.iter().position(|(_, t)| number_line(t)) else {
            return self.document_head(items, &texts);
        };
        // What stands above it is the masthead's name (工作简报, 内部资料):
        // short lines, no table, no sentence.
        let heading_lines = texts[..number_at]
            .iter()
            .all(|(_, t)| t.chars().count() <= 30 && !ends_sentence(t.trim_matches(is_blank)))
            && items[..number_at]
                .iter()
                .all(|b| matches!(b, Block::Para(_)));
        if !heading_lines {
            return 0;
        }
        // The date and the 编发单位 are on the number's line or the next two.
        let mut last = number_at;
        let mut front = Front::default();
        for (k, (_, text)) in texts.iter().enumerate().skip(number_at).take(3) {
            let mut used = false;
            for line in text.split('\n') {
                let line = &line.replace('\t', "　");
                if let Some(n) = issue_number(line) {
                    front.number.get_or_insert(n);
                    used = true;
                }
                if let Some(t) = total_number(line) {
                    front.total.get_or_insert(t);
                    used = true;
                }
                if let Some((date, before)) = find_date(line) {
                    front.date.get_or_insert(date);
                    let unit = trim_unit(&before);
                    if !unit.is_empty() && issue_number(&unit).is_none() {
                        front.editor.get_or_insert(unit);
                    }
                    used = true;
                }
            }
            if used {
                last = k;
            } else {
                break;
            }
        }
        let (front_index, _) = texts[0];
        for (k, (index, text)) in texts[..=last].iter().enumerate() {
            if k < number_at && self.head_marks(*index, text, &mut front) {
                continue;
            }
            let shown = one_line(text);
            self.say(*index, format!("报头：{shown}"));
        }
        let mut parts = Vec::new();
        if let Some(n) = front.number {
            parts.push(format!("number = {n}"));
        }
        if let Some(t) = front.total {
            parts.push(format!("total = {t}"));
        }
        if let Some(d) = front.date {
            parts.push(format!("date = {d}"));
        }
        if let Some(e) = &front.editor {
            parts.push(format!("editor = “{e}”"));
        }
        self.say(
            front_index,
            format!(
                "报头读进了前置信息（{}）；报头名称等由 jianbao.toml 排出，不进正文",
                parts.join("，")
            ),
        );
        self.draft.front = front;
        last + 1
    }

    /// The lines of `text` (one paragraph at the head of page 1) if they
    /// are all 份号, 密级, 紧急程度 or a keeping mark: read into `front`
    /// (紧急程度, which a 简报 does not print, said as left out) and
    /// said. False, and nothing read, if any line is something else.
    fn head_marks(&mut self, index: usize, text: &str, front: &mut Front) -> bool {
        let lines: Vec<&str> = text
            .split('\n')
            .map(|l| l.trim_matches(is_blank))
            .filter(|l| !l.is_empty())
            .collect();
        let marks: Vec<HeadMark> = lines.iter().filter_map(|l| head_mark(l)).collect();
        if lines.is_empty() || marks.len() != lines.len() {
            return false;
        }
        for mark in marks {
            match mark {
                HeadMark::Serial(v) => {
                    self.say(index, format!("份号 {v}：serial = “{v}”"));
                    front.serial = Some(v);
                }
                HeadMark::Classification(v) => {
                    self.say(index, format!("密级 {v}：classification = “{v}”"));
                    front.classification = Some(v);
                }
                HeadMark::Keep(v) => {
                    self.say(index, format!("{v}：mark = “{v}”"));
                    front.mark = Some(v);
                }
                HeadMark::Urgency(v) => {
                    self.warn(index, format!("紧急程度“{v}”没有导入：简报不印紧急程度"))
                }
            }
        }
        true
    }

    /// A 公文's 版头 made in Word, when there is no 简报 masthead: 份号,
    /// 密级 and 紧急程度, the 发文机关标志 (…文件, or a 纪要's …纪要) and
    /// the 发文字号 (云办发〔2026〕12号, with 签发人 on its line in a
    /// 上行文; a 纪要's 〔2026〕第5次), as GB/T 9704 places them above the
    /// red rule. The 份号 and 密级 go into the
    /// front matter; the 发文机关标志 is the masthead's name, which
    /// jianbao.toml holds; a 简报 has no 发文字号 nor 签发人: said as left
    /// out. Returns where the body starts (0: no 版头).
    fn document_head(&mut self, items: &[&Block], texts: &[(usize, String)]) -> usize {
        let Some(number_at) = texts.iter().position(|(_, t)| {
            t.split('\n')
                .any(|l| document_number(l.trim_matches(is_blank)).is_some())
        }) else {
            return 0;
        };
        // Above it: marks, and the 发文机关标志 — short lines, no table,
        // no sentence, no heading, at least one of them.
        let above_ok = number_at > 0
            && items[..number_at]
                .iter()
                .all(|b| matches!(b, Block::Para(_)))
            && texts[..number_at].iter().all(|(_, t)| {
                let t = t.trim_matches(is_blank);
                t.chars().count() <= 30 && !ends_sentence(t) && heading_number(t).is_none()
            });
        if !above_ok {
            return 0;
        }
        let mut front = Front::default();
        for (index, text) in &texts[..number_at] {
            if !self.head_marks(*index, text, &mut front) {
                self.say(
                    *index,
                    format!(
                        "版头：{}（发文机关标志：报头名称由 jianbao.toml 排出，不进正文）",
                        one_line(text)
                    ),
                );
            }
        }
        let (index, text) = &texts[number_at];
        for line in text.split('\n').map(|l| l.trim_matches(is_blank)) {
            if let Some((number, signer)) = document_number(line) {
                self.warn(
                    *index,
                    format!("文号“{number}”没有导入：简报按期号编号（number）"),
                );
                if let Some(signer) = signer {
                    self.warn(*index, format!("“{signer}”没有导入：简报不印签发人"));
                }
            }
        }
        self.draft.front = front;
        number_at + 1
    }

    /// The 版记 at the end: 报/送/发 lines, the 印发 line, （共印N份）.
    /// Returns where the body ends.
    fn closing(&mut self, items: &[&Block], start: usize) -> usize {
        let mut end = items.len();
        let mut found: Vec<(usize, String)> = Vec::new();
        while end > start {
            let Block::Para(p) = items[end - 1] else {
                break;
            };
            // A picture is never part of the 版记 (one that ended the
            // document was read as an empty line of it and lost: the
            // attack review).
            if !p.pictures.is_empty() {
                break;
            }
            let text = p.text();
            let lines: Vec<&str> = text.split('\n').map(str::trim).collect();
            if !lines
                .iter()
                .all(|l| l.is_empty() || closing_line(l).is_some())
            {
                // A unit list going on from the line above it (a 报
                // list of two lines) counts if a list line follows.
                let continues = !found.is_empty()
                    && !text.trim().ends_with(['。', '！', '？', '：'])
                    && text.chars().count() <= 80
                    && end - 1 > start
                    && matches!(items[end - 2], Block::Para(q) if q.text().split('\n').any(|l| matches!(closing_line(l.trim()), Some(Closing::List(..)))));
                if !continues {
                    break;
                }
            }
            found.push((p.index, text));
            end -= 1;
        }
        if found.is_empty() {
            return items.len();
        }
        found.reverse();
        let mut front = std::mem::take(&mut self.draft.front);
        let mut current: Option<&'static str> = None;
        for (index, text) in &found {
            for line in text.split('\n').map(str::trim).filter(|l| !l.is_empty()) {
                match closing_line(line) {
                    Some(Closing::List(key, units)) => {
                        current = Some(key);
                        list_of(&mut front, key).extend(split_units(units));
                        // 抄送 is printed 送, 抄报 报, 分送 发 …: said.
                        let label = line[..line.len() - units.len()]
                            .trim_end_matches(['：', ':'])
                            .trim_matches(is_blank);
                        let printed = match key {
                            "bao" => "报",
                            "song" => "送",
                            "fa" => "发",
                            _ => "本期增发",
                        };
                        if label != printed && !(key == "extra" && label == "增发") {
                            self.warn(
                                *index,
                                format!("“{label}：”印成“{printed}：”（[distribution] {key}）"),
                            );
                        }
                    }
                    Some(Closing::Imprint { publisher, date }) => {
                        if !publisher.is_empty() {
                            front.publisher = Some(publisher);
                        }
                        // （共印50份） at the right of the 印发 line.
                        if let Some(n) =
                            line.find("共印").and_then(|at| closing_copies(&line[at..]))
                        {
                            front.copies = Some(n);
                        }
                        if front.date.is_none() {
                            front.date = Some(date);
                        }
                    }
                    Some(Closing::Copies(n)) => front.copies = Some(n),
                    None => {
                        if let Some(key) = current {
                            list_of(&mut front, key).extend(split_units(line));
                        }
                    }
                }
            }
            self.say(*index, format!("版记：{}", one_line(text)));
        }
        self.draft.front = front;
        end
    }

    fn body(&mut self, items: &[&Block]) {
        let mut i = 0;
        while i < items.len() {
            match items[i] {
                Block::Table(t) => {
                    self.table(t, &mut Vec::new());
                    i = self.notes(items, i + 1);
                }
                Block::Para(p) => i = self.paragraph(items, i, p),
            }
        }
        // Captions and notes stand right at their table: no blank line
        // at the end.
        while self.draft.lines.last().is_some_and(String::is_empty) {
            self.draft.lines.pop();
        }
    }

    /// Paragraph `i`; returns the next item to read.
    fn paragraph(&mut self, items: &[&Block], i: usize, p: &Para) -> usize {
        let index = p.index;
        let where_ = if p.in_box { "（文本框里）" } else { "" };
        if !p.pictures.is_empty() {
            if !p.text().trim().is_empty() {
                let line = self.plain_line(p);
                self.push_plain(index, line, where_);
            }
            return self.pictures(items, i, p);
        }
        let text = p.text();
        let trimmed = text.trim_matches(is_blank);
        // A further paragraph of jianbao's editor's note (the label is
        // on the first only).
        if p.style_id == "JianbaoNote"
            && editor_note(trimmed).is_none()
            && self.draft.lines.last().is_some_and(|l| l.starts_with("> "))
        {
            let line = self.plain_line(p);
            self.draft.lines.push(format!("> {}", one_line(&line)));
            return i + 1;
        }
        // 编者按 and 按语, with the emphasis in them (a label in bold is
        // the label).
        if editor_note(trimmed).is_some()
            && let Some(note) = editor_note(&unbold_label(&self.plain_line(p)))
        {
            self.draft.lines.push(format!("> {}", one_line(&note)));
            self.say(index, format!("编者按{where_}"));
            return i + 1;
        }
        if is_label(trimmed) {
            self.draft.lines.push(trimmed.to_string());
            self.say(index, format!("栏目 {trimmed}"));
            return i + 1;
        }
        if self.role(p) == Role::Title {
            return self.title(items, i);
        }
        // A 引题 right above a title.
        if p.centred
            && !ends_sentence(trimmed)
            && trimmed.chars().count() <= 40
            && matches!(items.get(i + 1), Some(Block::Para(next)) if self.role(next) == Role::Title && next.pictures.is_empty())
        {
            self.draft.lines.push(format!("^ {}", one_line(trimmed)));
            self.say(index, "引题");
            return self.title(items, i + 1);
        }
        if let Some(caption) = table_caption(trimmed)
            .or_else(|| (p.style_id == "JianbaoTableCaption").then(|| one_line(trimmed)))
            && matches!(items.get(i + 1), Some(Block::Table(_)))
        {
            let Some(Block::Table(t)) = items.get(i + 1) else {
                return i + 1;
            };
            let mut above = vec![caption];
            self.say(index, "表题");
            self.table(t, &mut above);
            return self.notes(items, i + 2);
        }
        let mut line = self.plain_line(p);
        let mut next = i + 1;
        // Lines pasted from a PDF, one paragraph each: joined, but only
        // when they really look hard-wrapped (a sentence broken off on a
        // character, the lines after it as wide as it). A centred or bold
        // line, or one with no mark inside (a 小标题, a caption, a title),
        // is a paragraph of its own.
        let mut joined = 0;
        let width = plain_width(&line);
        let mut last = line.clone();
        while !p.centred
            && !p.all_bold()
            && is_wrapped(&last)
            && (joined == 0 && broken_mid_sentence(&last)
                || joined > 0 && plain_width(&last).abs_diff(width) <= WRAP_SLACK)
            && let Some(Block::Para(q)) = items.get(next)
            && q.pictures.is_empty()
            && !q.centred
            && !q.all_bold()
            && self.role(q) == Role::Plain
            && q.number.is_none()
            && continues_paragraph(&q.text())
        {
            last = self.plain_line(q);
            line.push_str(&last);
            joined += 1;
            next += 1;
        }
        if joined > 0 {
            self.warn(
                index,
                format!("和下面 {joined} 段接成了一段（像是从 PDF 复制来的折行）"),
            );
        }
        self.push_plain(index, line, where_);
        next
    }

    /// A paragraph's line as text (with `**` for bold), its heading or
    /// kind said.
    fn push_plain(&mut self, index: usize, line: String, where_: &str) {
        let bare = line.trim_matches(is_blank);
        let mut kind = line_kind(bare);
        // Bold over the heading's number (or the whole heading), as clerks
        // mark headings: the line is the heading its text starts with.
        if kind == LineKind::Paragraph
            && let Some(rest) = bare.strip_prefix("**")
            && let LineKind::Heading(level) = line_kind(&rest.replacen("**", "", 1))
        {
            kind = LineKind::Heading(level);
        }
        match kind {
            LineKind::Heading(level) => {
                let name = match level as u8 {
                    1 => "一级标题",
                    2 => "二级标题",
                    3 => "三级标题",
                    _ => "四级标题",
                };
                let plain = bare.replace("**", "");
                let (head, rest) = split_run_in(&plain);
                let line = match rest {
                    // A run-in heading's head is set in the heading face:
                    // no emphasis there; the rest keeps its own.
                    Some(_) => {
                        let cut = head.len();
                        let rest_marked = strip_emphasis_prefix(bare, cut);
                        format!("{head}{rest_marked}")
                    }
                    None => plain.clone(),
                };
                let run_in = if rest.is_some() {
                    "（段首标题）"
                } else {
                    ""
                };
                self.say(index, format!("{name}{run_in}{where_}：{}", short(&plain)));
                self.draft.lines.push(line);
            }
            LineKind::Paragraph | LineKind::AttachmentNote | LineKind::AttachmentMark => {
                let what = match kind {
                    LineKind::AttachmentNote => "附件说明",
                    LineKind::AttachmentMark => "附件标记",
                    _ => "正文",
                };
                if where_.is_empty() && what == "正文" {
                    self.say(index, "正文");
                } else {
                    self.say(index, format!("{what}{where_}"));
                }
                self.draft.lines.push(bare.to_string());
            }
            // Text that would read as markup it is not: kept as typed.
            _ => {
                self.say(
                    index,
                    format!(
                        "正文{where_}（开头像{}，前面加了 \\ 按原样保留）",
                        kind.name()
                    ),
                );
                self.draft.lines.push(format!("\\{bare}"));
            }
        }
    }

    /// The title lines from item `i`, a 副题 right under them, and
    /// bylines (a speech's speaker, an article's author) under those.
    fn title(&mut self, items: &[&Block], mut i: usize) -> usize {
        let first = i;
        let mut size = None;
        while let Some(Block::Para(p)) = items.get(i) {
            // The lines of one title share their size; a smaller line
            // under it is something else (a byline).
            if i > first
                && (self.role(p) != Role::Title
                    || !p.pictures.is_empty()
                    || p.size < size
                    || is_byline_style(&p.style))
            {
                break;
            }
            size = size.max(p.size);
            let text = p.text();
            let lines: Vec<String> = text
                .split('\n')
                .map(|l| tabs_out(l.trim_matches(is_blank)))
                .filter(|l| !l.is_empty())
                .collect();
            for line in &lines {
                self.draft.lines.push(format!("# {line}"));
            }
            // A title broken in the paragraph (a soft line break) is said
            // as the lines it becomes, not as one.
            let shown = match lines.len() {
                0 | 1 => format!("标题：{}", short(&one_line(&text))),
                n => format!(
                    "标题（{n} 行）：{}",
                    lines
                        .iter()
                        .map(|l| short(l))
                        .collect::<Vec<_>>()
                        .join(" / ")
                ),
            };
            self.say(p.index, shown);
            i += 1;
        }
        if let Some(Block::Para(p)) = items.get(i) {
            let text = p.text();
            let t = text.trim_matches(is_blank);
            if let Some(rest) = t
                .strip_prefix("——")
                .or_else(|| t.strip_prefix('—'))
                .or_else(|| t.strip_prefix("--"))
            {
                let rest = rest.trim_start_matches(['—', '-']).trim_matches(is_blank);
                self.draft.lines.push(format!("——{}", one_line(rest)));
                self.say(p.index, "副题");
                i += 1;
            }
        }
        while let Some(Block::Para(p)) = items.get(i) {
            let text = p.text();
            let t = one_line(&text);
            let short_centred = p.centred
                && p.size < size
                && t.chars().count() <= 20
                && !ends_sentence(&t)
                && p.pictures.is_empty();
            // A table's caption right under an (attachment's) title.
            let caption =
                table_caption(&t).is_some() && matches!(items.get(i + 1), Some(Block::Table(_)));
            if !(is_byline_style(&p.style) || short_centred) || t.is_empty() || caption {
                break;
            }
            self.draft.lines.push(format!("@ {t}"));
            self.say(p.index, format!("署名：{t}"));
            i += 1;
        }
        i
    }

    /// The pictures of paragraph `i`, and the caption under them.
    fn pictures(&mut self, items: &[&Block], i: usize, p: &Para) -> usize {
        let mut next = i + 1;
        let caption = match items.get(next) {
            Some(Block::Para(q)) if q.pictures.is_empty() && is_caption(q) => {
                next += 1;
                one_line(q.text().trim_matches(is_blank))
            }
            _ => String::new(),
        };
        let mut placed = Vec::new();
        for (k, pic) in p.pictures.iter().enumerate() {
            let picture = PictureRef {
                index: p.index,
                rel: pic.rel.clone(),
                width: pic.width,
            };
            match self.pictures.place(&picture) {
                Ok(path) => {
                    // The caption goes under the last of a row.
                    let cap = if k + 1 == p.pictures.len() {
                        caption.as_str()
                    } else {
                        ""
                    };
                    let width = pic
                        .width
                        .map(|w| {
                            ((w as f64 / TYPE_AREA_EMU) * 100.0)
                                .round()
                                .clamp(1.0, 100.0)
                        })
                        .map(|w| format!("{{width={w}%}}"))
                        .unwrap_or_default();
                    placed.push(format!("![{}]({path}){width}", escape_caption(cap)));
                    self.say(p.index, format!("图片 → {path}"));
                }
                Err(why) => self.warn(p.index, format!("图片没有导入：{why}")),
            }
        }
        if !placed.is_empty() {
            if !caption.is_empty()
                && let Some(Block::Para(q)) = items.get(i + 1)
            {
                self.say(q.index, "图片说明");
            }
            if p.beside
                && self
                    .draft
                    .lines
                    .iter()
                    .rev()
                    .nth(1)
                    .is_some_and(|l| l.starts_with("!["))
            {
                // On the next line: side by side again.
                if self.draft.lines.last().is_some_and(String::is_empty) {
                    self.draft.lines.pop();
                }
            } else {
                self.blank();
            }
            self.draft.lines.extend(placed);
            self.draft.lines.push(String::new());
        } else if !caption.is_empty() {
            // No picture to caption: the caption is a paragraph again.
            next = i + 1;
        }
        next
    }

    /// A table, with its caption (in `above`), and the pictures of its
    /// cells under it (a body table holds text only; a table of
    /// pictures alone, Word's layout of a photo group, is its pictures).
    fn table(&mut self, t: &Table, above: &mut Vec<String>) {
        let pictures: Vec<Para> = t
            .rows
            .iter()
            .flat_map(|r| &r.cells)
            .flat_map(|c| &c.paras)
            .filter(|p| !p.pictures.is_empty())
            .map(|p| Para {
                index: p.index,
                pictures: p.pictures.clone(),
                ..Para::default()
            })
            .collect();
        let text = self.table_text(t, above, !pictures.is_empty());
        if text && !pictures.is_empty() {
            let n: usize = pictures.iter().map(|p| p.pictures.len()).sum();
            self.warn(
                t.index,
                format!("表格里的 {n} 张图片放在了表格下面（正文的表格里只能有文字），请核对"),
            );
        }
        for p in &pictures {
            let block = Block::Para(p.clone());
            self.pictures(&[&block], 0, p);
        }
    }

    /// The text of a table; false when it has none (and is not written).
    fn table_text(&mut self, t: &Table, above: &mut Vec<String>, pictures: bool) -> bool {
        let index = t.index;
        let rows = table_rows(t);
        // Merge marks alone (`<`, `^`: a layout table of pictures, its
        // pictures gone) are no text.
        let cells = rows
            .iter()
            .flatten()
            .filter(|c| !c.is_empty() && !matches!(c.as_str(), "<" | "^"))
            .count();
        if cells == 0 {
            if !pictures {
                self.warn(index, "空表格，没有导入");
            }
            return false;
        }
        let columns = rows.first().map_or(0, Vec::len);
        // A table of one cell is a box around text: its paragraphs.
        if rows.len() == 1 && columns == 1 {
            self.warn(index, "只有一格的表格（文字外面的框）：按正文导入");
            for row in &t.rows {
                for cell in &row.cells {
                    for p in &cell.paras {
                        let line = self.plain_line(p);
                        self.push_plain(p.index, line, "（表格里）");
                    }
                }
            }
            return true;
        }
        let mut header = t.rows.iter().take_while(|r| r.header).count().max(1);
        let mut rows = rows;
        header = settle_header(&mut rows, header);
        // jianbao's 三线表 asks for itself again, on the caption line or
        // the line above the table.
        if t.style_id == "JianbaoThreeLineTable" {
            match above.last_mut() {
                Some(caption) => caption.push_str("{三线表}"),
                None => above.push("{三线表}".to_string()),
            }
        }
        let align = column_align(t, header, columns);
        self.blank();
        self.draft.lines.append(above);
        for (r, row) in rows.iter().enumerate() {
            // A row bold all through (a 合计 row) prints its figures in
            // the body face beside a bold label: plain, as a whole.
            let bold_row = row.iter().any(|c| c.starts_with("**"))
                && row.iter().all(|c| {
                    c.is_empty()
                        || c == "<"
                        || c == "^"
                        || (c.starts_with("**")
                            && c.ends_with("**")
                            && c.matches("**").count() == 2)
                });
            let cells: Vec<String> = row
                .iter()
                .map(|c| {
                    if r < header || bold_row {
                        c.replace("**", "")
                    } else {
                        c.clone()
                    }
                })
                .collect();
            self.draft.lines.push(format!("| {} |", cells.join(" | ")));
            if r + 1 == header {
                self.draft.lines.push(format!("|{}|", align.join("|")));
            }
        }
        let merged = rows.iter().flatten().any(|c| c == "<" || c == "^");
        self.say(
            index,
            format!(
                "表格：{} 行 × {columns} 列，表头 {header} 行{}",
                rows.len(),
                if merged { "，有合并单元格" } else { "" }
            ),
        );
        if t.nested {
            self.warn(index, "表格里套的表格按文字放进了所在的格");
        }
        true
    }

    /// The notes under a table (`注：`, `数据来源：`), from item `i`.
    fn notes(&mut self, items: &[&Block], mut i: usize) -> usize {
        while let Some(Block::Para(p)) = items.get(i) {
            let text = p.text();
            let t = text.trim_matches(is_blank);
            if p.pictures.is_empty() && crate::issue::is_note_line(t) {
                self.draft.lines.push(one_line(t));
                self.say(p.index, "表注");
                i += 1;
            } else {
                break;
            }
        }
        self.draft.lines.push(String::new());
        i
    }

    fn blank(&mut self) {
        if self.draft.lines.last().is_some_and(|l| !l.is_empty()) {
            self.draft.lines.push(String::new());
        }
    }

    /// How a paragraph reads: a title, or text.
    fn role(&self, p: &Para) -> Role {
        let text = p.text();
        let t = text.trim_matches(is_blank);
        // jianbao's own title style: a title however long or worded.
        if p.style_id == "JianbaoTitle" && !t.is_empty() {
            return Role::Title;
        }
        if t.is_empty()
            || heading_number(&number_text(p, t)).is_some()
            || t.chars().count() > TITLE_CHARS
            || ends_sentence(t)
            || editor_note(t).is_some()
            || is_label(t)
        {
            return Role::Plain;
        }
        let style = p.style.as_str();
        // Title, or Heading 1 (outline level 1) without a number: an
        // article's title as Word users mark it.
        if matches!(style, "title" | "标题") || p.outline == Some(0) {
            return Role::Title;
        }
        let size = p.size.unwrap_or(0);
        // 图1 … and 表1 … are captions; 图片和印章 is no caption.
        let caption = t.strip_prefix(['图', '表']).is_some_and(|r| {
            r.chars().next().is_some_and(|c| {
                c.is_ascii_digit()
                    || c.is_whitespace()
                    || "一二三四五六七八九十０１２３４５６７８９".contains(c)
            })
        });
        if p.centred
            && !caption
            && !p.in_box
            && (size >= TITLE_SIZE || (p.all_bold() && size >= BOLD_TITLE_SIZE))
        {
            return Role::Title;
        }
        Role::Plain
    }

    /// A paragraph's text for the body: Word's number in front, bold as
    /// `**…**`, line breaks joined, tabs as ideographic spaces.
    fn plain_line(&self, p: &Para) -> String {
        let mut out = String::new();
        if let Some(Shown::Number(n)) = &p.number {
            out.push_str(n);
        }
        let mut runs: Vec<(String, bool)> = Vec::new();
        let has_text = |r: &super::docx::Run| r.text.chars().any(char::is_alphanumeric);
        for (k, r) in p.runs.iter().enumerate() {
            let text = join_breaks(&r.text)
                .replace('\t', "　")
                .replace("**", "＊＊");
            // Bold on marks or blanks alone (`<b>“</b>`, `<b>，</b>`) is
            // bold only next to bold text, and part of it.
            let bold = r.bold
                && (has_text(r)
                    || runs.last().is_some_and(|l| l.1)
                    || p.runs.get(k + 1).is_some_and(|n| n.bold && has_text(n)));
            match runs.last_mut() {
                Some(last) if last.1 == bold => last.0.push_str(&text),
                _ => runs.push((text, bold)),
            }
        }
        let first_text = out.is_empty();
        for (k, (text, bold)) in runs.iter().enumerate() {
            let text = if k == 0 && first_text {
                text.trim_start_matches(is_blank).to_string()
            } else {
                text.clone()
            };
            if *bold && !text.trim_matches(is_blank).is_empty() {
                let lead = text.len() - text.trim_start_matches(is_blank).len();
                let body = text.trim_matches(is_blank);
                let tail = &text[lead + body.len()..];
                out.push_str(&text[..lead]);
                out.push_str("**");
                out.push_str(body);
                out.push_str("**");
                out.push_str(tail);
            } else {
                out.push_str(&text);
            }
        }
        out.trim_matches(is_blank).to_string()
    }
}

/// The text a heading check sees: Word's number, then the text.
fn number_text(p: &Para, t: &str) -> String {
    match &p.number {
        Some(Shown::Number(n)) => format!("{n}{t}"),
        _ => t.to_string(),
    }
}

/// Word's and WPS's styles for a byline under a title.
fn is_byline_style(style: &str) -> bool {
    ["author", "作者", "署名"].iter().any(|s| style.contains(s))
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{A0}' | '\u{3000}' | '\n' | '\r')
}

fn tabs_out(s: &str) -> String {
    s.replace('\t', "　")
}

/// Soft line breaks joined: nothing between Chinese, a space between
/// two Latin words.
fn join_breaks(s: &str) -> String {
    if !s.contains('\n') {
        return s.to_string();
    }
    let mut out = String::new();
    let parts: Vec<&str> = s.split('\n').collect();
    for (k, part) in parts.iter().enumerate() {
        let part = if k > 0 {
            part.trim_start_matches(is_blank)
        } else {
            part
        };
        if k > 0
            && out
                .chars()
                .last()
                .is_some_and(|c| c.is_ascii_alphanumeric())
            && part
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
        {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

/// A paragraph's text on one line (breaks joined).
fn one_line(s: &str) -> String {
    join_breaks(s)
        .replace('\t', "　")
        .trim_matches(is_blank)
        .to_string()
}

fn short(s: &str) -> String {
    let n = s.chars().count();
    if n <= 24 {
        s.to_string()
    } else {
        format!("{}……", s.chars().take(22).collect::<String>())
    }
}

fn ends_sentence(t: &str) -> bool {
    t.ends_with(['。', '；', '，', '！', '？', '：', ';', ','])
}

/// The characters of a line without its `**`.
fn plain_width(line: &str) -> usize {
    line.replace("**", "").chars().count()
}

/// A sentence going on at the line's end: a sentence's mark inside the
/// line (a title, a 小标题 or a caption has none; quotes and brackets do
/// not count) and none at its end.
fn broken_mid_sentence(line: &str) -> bool {
    line.contains(['，', '、', '；', '：', '。', '！', '？', ',', ';'])
}

/// Stops on a character, not a mark, after at least [`WRAPPED_CHARS`].
fn is_wrapped(line: &str) -> bool {
    let plain = line.replace("**", "");
    if plain.chars().count() < WRAPPED_CHARS || line_kind(&plain) != LineKind::Paragraph {
        return false;
    }
    plain.chars().last().is_some_and(char::is_alphanumeric)
}

/// The next paragraph goes on with text: not a heading, a list item or
/// a field line.
fn continues_paragraph(next: &str) -> bool {
    let t = next.trim_matches(is_blank);
    let Some(first) = t.chars().next() else {
        return false;
    };
    first.is_alphabetic()
        && line_kind(t) == LineKind::Paragraph
        && !t.starts_with(['一', '二', '三'])
        && !is_field_line(t)
        || matches!(first, '，' | '。' | '、' | '；' | '”' | '）')
}

/// A line that starts with a short label and a colon: 请假：孙七,
/// 时间：7月15日 (a 纪要's 出席 and 请假 lines are two paragraphs, not
/// one wrapped).
fn is_field_line(t: &str) -> bool {
    t.find(['：', ':']).is_some_and(|at| {
        let label = &t[..at];
        (1..=6).contains(&label.chars().count()) && label.chars().all(|c| c.is_alphanumeric())
    })
}

fn is_caption(p: &Para) -> bool {
    let text = p.text();
    let t = text.trim_matches(is_blank);
    if t.is_empty() {
        return false;
    }
    // jianbao's caption style: a caption however long.
    if p.style_id == "JianbaoCaption" {
        return true;
    }
    if t.chars().count() > 80 {
        return false;
    }
    let numbered = t.strip_prefix('图').is_some_and(|r| {
        r.chars().next().is_some_and(|c| {
            c.is_ascii_digit()
                || c.is_whitespace()
                || "一二三四五六七八九十０１２３４５６７８９".contains(c)
        })
    });
    numbered || (p.centred && !ends_sentence(t.trim_end_matches('。')) && t.chars().count() <= 40)
}

fn escape_caption(c: &str) -> String {
    // `]` would end the caption early.
    c.replace(']', "］").replace('[', "［")
}

/// `表1　…`, `表 2 …`: a table's caption line as the issue writes it.
fn table_caption(t: &str) -> Option<String> {
    crate::issue::caption_line(t)?;
    Some(one_line(t))
}

fn is_label(t: &str) -> bool {
    t.starts_with('【')
        && t.ends_with('】')
        && t.matches('【').count() == 1
        && t.chars().count() <= 20
        && !t.starts_with("【编者按")
}

/// `**编者按：**…` → `编者按：…`: a note's label set in bold, as
/// jianbao's export and many offices set it.
fn unbold_label(line: &str) -> String {
    if let Some(rest) = line.strip_prefix("**")
        && let Some(end) = rest.find("**")
        && editor_note(&rest[..end]).is_some()
    {
        return format!("{}{}", &rest[..end], &rest[end + 2..]);
    }
    line.to_string()
}

/// `编者按：…`, `【编者按】…`, `按：…`, `按语：…`: the note's text as
/// the issue writes it (`编者按：…`).
fn editor_note(t: &str) -> Option<String> {
    for head in [
        "【编者按】",
        "[编者按]",
        "编者按：",
        "编者按:",
        "编者按 ",
        "编者按　",
    ] {
        if let Some(rest) = t.strip_prefix(head) {
            return Some(format!("编者按：{}", rest.trim_matches(is_blank)));
        }
    }
    for head in ["按语：", "按语:", "按：", "按:"] {
        if let Some(rest) = t.strip_prefix(head) {
            return Some(format!("按：{}", rest.trim_matches(is_blank)));
        }
    }
    None
}

/// A heading's head and run-in rest, as the parser splits it.
fn split_run_in(line: &str) -> (String, Option<String>) {
    let last = line.chars().last();
    if !matches!(last, Some('。' | '！' | '？' | '；' | '：')) {
        return (line.to_string(), None);
    }
    match line.find(['。', '！', '？']) {
        Some(i) if i + '。'.len_utf8() < line.len() => {
            let cut = i + '。'.len_utf8();
            (line[..cut].to_string(), Some(line[cut..].to_string()))
        }
        _ => (line.to_string(), None),
    }
}

/// `line` (with `**`) from the plain offset `cut` on, its emphasis kept;
/// an emphasis open at the cut is opened again.
fn strip_emphasis_prefix(line: &str, cut: usize) -> String {
    let mut plain_at = 0;
    let mut open = false;
    let mut i = 0;
    let bytes = line.as_bytes();
    while i < line.len() && plain_at < cut {
        if line[i..].starts_with("**") {
            open = !open;
            i += 2;
            continue;
        }
        let c = line[i..].chars().next().unwrap_or(' ');
        i += c.len_utf8();
        plain_at += c.len_utf8();
    }
    let _ = bytes;
    let rest = &line[i..];
    let rest = if open {
        format!("**{rest}")
    } else {
        rest.to_string()
    };
    // `****` left where the emphasis ended right at the cut.
    rest.strip_prefix("****")
        .map_or(rest.clone(), str::to_string)
}

/// A table as rows of cells in the issue's syntax: `<` for a cell joined
/// to its left (`w:gridSpan`), `^` for one joined to the cell above
/// (`w:vMerge`), every row as wide as the widest.
fn table_rows(t: &Table) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for row in &t.rows {
        let mut cells: Vec<String> = vec![String::new(); row.before];
        for cell in &row.cells {
            if cell.continues {
                cells.extend(std::iter::repeat_n("^".to_string(), cell.span));
                continue;
            }
            let text = cell_text(&cell.paras);
            cells.push(text);
            cells.extend(std::iter::repeat_n("<".to_string(), cell.span - 1));
        }
        cells.extend(std::iter::repeat_n(String::new(), row.after));
        rows.push(cells);
    }
    let width = rows
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(t.grid.min(64));
    for row in &mut rows {
        row.resize(width, String::new());
    }
    // Columns empty in every row (a grid wider than its cells) go.
    let keep: Vec<bool> = (0..width)
        .map(|c| rows.iter().any(|r| !r[c].is_empty()))
        .collect();
    for row in &mut rows {
        let mut c = 0;
        row.retain(|_| {
            c += 1;
            keep[c - 1]
        });
    }
    // A `^` under nothing, or in the first row, joins nothing; a `<` in
    // the first column neither.
    for r in 0..rows.len() {
        for c in 0..rows[r].len() {
            let up = r == 0 || rows[r - 1][c].is_empty();
            if rows[r][c] == "^" && up {
                rows[r][c] = String::new();
            }
            if rows[r][c] == "<" && c == 0 {
                rows[r][c] = String::new();
            }
        }
    }
    rows
}

/// The header rows: at least `header`, and more while a row below joins
/// a header cell (a heading over two rows); a joined cell that would
/// leave no data row is parted instead.
fn settle_header(rows: &mut [Vec<String>], mut header: usize) -> usize {
    header = header.min(rows.len().saturating_sub(1)).max(1);
    while header < rows.len() && rows[header].iter().any(|c| c == "^") {
        if header + 1 < rows.len() {
            header += 1;
        } else {
            for c in rows[header].iter_mut().filter(|c| *c == "^") {
                c.clear();
            }
        }
    }
    header
}

fn cell_text(paras: &[Para]) -> String {
    let mut out = String::new();
    for p in paras {
        let mut text = String::new();
        if let Some(Shown::Number(n)) = &p.number {
            text.push_str(n);
        }
        for r in &p.runs {
            let t = one_line(&r.text).replace('|', "\\|");
            if r.bold && !t.is_empty() {
                text.push_str(&format!("**{t}**"));
            } else {
                text.push_str(&t);
            }
        }
        let text = text.replace("****", "");
        let text = text.trim_matches(is_blank);
        if text.is_empty() {
            continue;
        }
        if out
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && text
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
        {
            out.push(' ');
        }
        out.push_str(text);
    }
    match out.as_str() {
        "<" | "^" | "＜" | "＾" => format!("\\{out}"),
        _ => out,
    }
}

fn table_text(t: &Table) -> String {
    let mut lines = Vec::new();
    for row in &t.rows {
        for cell in &row.cells {
            for p in &cell.paras {
                lines.push(p.text());
            }
        }
    }
    lines.join("\n")
}

/// `第5期`, `第 12 期`, `第五期`, `2024年第3期`: the issue number.
fn issue_number(line: &str) -> Option<u32> {
    let at = line.find('第')?;
    let rest = line[at + '第'.len_utf8()..].trim_start_matches(is_blank);
    let end = rest.find('期')?;
    let num = rest[..end].trim_matches(is_blank);
    if line[..at].ends_with('总') || line[..at].ends_with("总　") {
        return None;
    }
    number_value(num)
}

/// `（总第16期）`, `总第16期`.
fn total_number(line: &str) -> Option<u32> {
    let at = line.find("总第")?;
    let rest = &line[at + "总第".len()..];
    let end = rest.find('期')?;
    number_value(rest[..end].trim_matches(is_blank))
}

fn number_value(s: &str) -> Option<u32> {
    if s.is_empty() || s.chars().count() > 6 {
        return None;
    }
    let digits: String = s
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect();
    if let Ok(n) = digits.parse::<u32>() {
        return (n > 0).then_some(n);
    }
    chinese_value(s)
}

fn chinese_value(s: &str) -> Option<u32> {
    let mut total = 0;
    let mut digit = 0;
    for c in s.chars() {
        match c {
            '十' => {
                total += digit.max(1) * 10;
                digit = 0;
            }
            '百' => {
                total += digit.max(1) * 100;
                digit = 0;
            }
            _ => digit = "〇一二三四五六七八九".chars().position(|d| d == c)? as u32,
        }
    }
    let n = total + digit;
    (n > 0).then_some(n)
}

/// The first `2024年3月5日` in `line` (Arabic figures, or Chinese ones
/// such as 二〇二四年三月五日), and the text before it.
fn find_date(line: &str) -> Option<(chrono::NaiveDate, String)> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    for (k, &(at, _)) in chars.iter().enumerate() {
        let rest = &line[at..];
        let Some(y_end) = rest.find('年') else { break };
        let year_s = &rest[..y_end];
        if year_s.chars().count() != 4 {
            continue;
        }
        // A 年 that starts no date (`建设年`) is passed over, not the end.
        let date = || {
            let year = four_digits(year_s)?;
            let after = &rest[y_end + '年'.len_utf8()..];
            let m_end = after.find('月')?;
            let month = number_value(after[..m_end].trim_matches(is_blank))?;
            let after_m = &after[m_end + '月'.len_utf8()..];
            let d_end = after_m.find('日')?;
            let day = number_value(after_m[..d_end].trim_matches(is_blank))?;
            chrono::NaiveDate::from_ymd_opt(year as i32, month, day)
        };
        let _ = k;
        if let Some(date) = date() {
            return Some((date, line[..at].to_string()));
        }
    }
    None
}

fn four_digits(s: &str) -> Option<u32> {
    let mut v = 0;
    for c in s.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '０'..='９' => c as u32 - '０' as u32,
            '〇' | '○' | 'О' | '零' => 0,
            _ => "〇一二三四五六七八九".chars().position(|d| d == c)? as u32,
        };
        v = v * 10 + d;
    }
    Some(v)
}

/// The 编发单位 before the date: `县委办公室编　　` → `县委办公室`.
fn trim_unit(before: &str) -> String {
    let t = before.trim_matches(is_blank);
    let t = t
        .strip_suffix("编印")
        .or_else(|| t.strip_suffix("编发"))
        .or_else(|| t.strip_suffix("主办"))
        .or_else(|| t.strip_suffix('编'))
        .unwrap_or(t);
    let t = t.trim_matches(is_blank);
    // 第N期 on the same line (第5期　县委办公室编　2024年…).
    let t = match t.rfind('期') {
        Some(i) if issue_number(&t[..i + '期'.len_utf8()]).is_some() => &t[i + '期'.len_utf8()..],
        _ => t,
    };
    let t = t.trim_matches(is_blank);
    let t = match t.rfind('）') {
        Some(i) if t[..i].contains("总第") => &t[i + '）'.len_utf8()..],
        _ => t,
    };
    t.trim_matches(is_blank).to_string()
}

/// A line at the head of page 1 that the front matter holds.
#[derive(Debug, PartialEq)]
enum HeadMark {
    /// 份号: six figures (GB/T 9704 7.2.1).
    Serial(String),
    /// 密级 and 保密期限: 秘密★1年, 机密, 绝密★长期.
    Classification(String),
    /// 特急, 加急.
    Urgency(String),
    /// 内部资料　注意保存, 内部刊物, 内部参阅.
    Keep(String),
}

fn head_mark(line: &str) -> Option<HeadMark> {
    let l = line.trim_matches(is_blank);
    let n = l.chars().count();
    if (1..=6).contains(&n)
        && l.chars()
            .all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
    {
        return Some(HeadMark::Serial(l.to_string()));
    }
    if n <= 12 && ["秘密", "机密", "绝密"].iter().any(|m| l.starts_with(m)) {
        let rest = l[6..].trim_matches(is_blank);
        if rest.is_empty() || rest.starts_with(['★', '☆', '*']) {
            return Some(HeadMark::Classification(l.to_string()));
        }
    }
    if ["特急", "加急", "特提", "平急"].contains(&l) {
        return Some(HeadMark::Urgency(l.to_string()));
    }
    if n <= 12 && (l.contains("注意保存") || ["内部资料", "内部刊物", "内部参阅"].contains(&l))
    {
        return Some(HeadMark::Keep(l.to_string()));
    }
    None
}

/// A 发文字号 line: `云办发〔2026〕12号`, `国办函[2026]3号`, with
/// `签发人：张三` after it on the line (a 上行文); or a 纪要's number
/// under its mark, `〔2026〕第5次`. The 字号, and the 签发人 part if any.
fn document_number(line: &str) -> Option<(String, Option<String>)> {
    let (number, signer) = match line.find("签发人") {
        Some(at) => (
            line[..at].trim_matches(is_blank),
            Some(line[at..].trim_matches(is_blank).to_string()),
        ),
        None => (line, None),
    };
    let chars: Vec<char> = number.chars().collect();
    let last = *chars.last()?;
    if chars.len() > 30 || !(last == '号' || last == '次') {
        return None;
    }
    let open = chars.iter().position(|c| "〔[［（(".contains(*c))?;
    let close = chars.iter().position(|c| "〕]］）)".contains(*c))?;
    let year: String = chars.get(open + 1..close)?.iter().collect();
    let serial: String = chars.get(close + 1..chars.len() - 1)?.iter().collect();
    let serial = serial.strip_prefix('第').unwrap_or(&serial);
    let figures = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
    };
    (year.chars().count() == 4 && figures(&year) && number_value(serial).is_some())
        .then(|| (number.to_string(), signer))
}

enum Closing<'a> {
    List(&'static str, &'a str),
    Imprint {
        publisher: String,
        date: chrono::NaiveDate,
    },
    Copies(u32),
}

/// A line of the 版记.
fn closing_line(line: &str) -> Option<Closing<'_>> {
    const LABELS: [(&str, &str); 12] = [
        ("本期增发", "extra"),
        ("增发", "extra"),
        ("报送", "bao"),
        ("抄报", "bao"),
        ("报", "bao"),
        ("抄送", "song"),
        ("送", "song"),
        ("分送", "fa"),
        ("发送", "fa"),
        ("印发", "fa"),
        ("下发", "fa"),
        ("发", "fa"),
    ];
    for (label, key) in LABELS {
        if let Some(rest) = line.strip_prefix(label) {
            let rest = rest.trim_start_matches(is_blank);
            if let Some(units) = rest.strip_prefix(['：', ':']) {
                return Some(Closing::List(key, units));
            }
        }
    }
    let bare = line.trim_matches(is_blank);
    let inner = bare
        .strip_prefix(['（', '('])
        .and_then(|r| r.strip_suffix(['）', ')']));
    if let Some(n) = inner.and_then(closing_copies) {
        return Some(Closing::Copies(n));
    }
    let at = line.find("印发")?;
    let (date, before) = find_date(&line[..at])?;
    // `（共印50份）` at the right of the 印发 line is said there.
    Some(Closing::Imprint {
        publisher: before.trim_matches(is_blank).to_string(),
        date,
    })
}

/// `共印50份` (and what follows it) → 50.
fn closing_copies(s: &str) -> Option<u32> {
    let rest = s.strip_prefix("共印")?;
    let end = rest.find('份')?;
    number_value(rest[..end].trim_matches(is_blank))
}

fn list_of<'f>(front: &'f mut Front, key: &str) -> &'f mut Vec<String> {
    match key {
        "bao" => &mut front.bao,
        "song" => &mut front.song,
        "extra" => &mut front.extra,
        _ => &mut front.fa,
    }
}

/// `市委办公室，市政府办公室。` → the units.
fn split_units(s: &str) -> Vec<String> {
    // Not inside brackets: `各县（市、区）教育局` is one unit.
    let mut units = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (at, c) in s.char_indices() {
        match c {
            '（' | '(' | '〔' | '［' | '[' => depth += 1,
            '）' | ')' | '〕' | '］' | ']' => depth = depth.saturating_sub(1),
            '，' | '、' | '；' | ',' | ';' if depth == 0 => {
                units.push(&s[start..at]);
                start = at + c.len_utf8();
            }
            _ => {}
        }
    }
    units.push(&s[start..]);
    units
        .into_iter()
        .map(|u| {
            u.trim_matches(is_blank)
                .trim_end_matches(['。', '.'])
                .trim_matches(is_blank)
                .to_string()
        })
        .filter(|u| !u.is_empty())
        .collect()
}

/// The marks of a pipe table's alignment row, by column: `---` where the
/// body's cells stand as jianbao sets them unasked (figures right, text
/// left) or as they come; `:---:`, `---:`, `:---` where every cell of the
/// column is centred, right or left otherwise (as a column asked so is
/// exported).
/// Only in jianbao's own tables: a clerk's alignment in Word is
/// formatting, not a column asked for.
fn column_align(t: &Table, header: usize, columns: usize) -> Vec<&'static str> {
    if !t.style_id.starts_with("Jianbao") {
        return vec!["---"; columns];
    }
    let mut jcs: Vec<Vec<(String, String)>> = vec![Vec::new(); columns];
    for row in t.rows.iter().skip(header) {
        let mut col = row.before;
        for cell in &row.cells {
            if !cell.continues
                && col < columns
                && let Some(p) = cell.paras.first()
            {
                let text = cell.paras.iter().map(Para::text).collect::<String>();
                if !text.trim().is_empty() {
                    let jc = p.jc.clone().unwrap_or_else(|| "left".to_string());
                    jcs[col].push((jc, text));
                }
            }
            col += cell.span;
        }
    }
    jcs.iter()
        .map(|cells| {
            let unasked = cells
                .iter()
                .all(|(jc, text)| *jc == if is_figure(text) { "right" } else { "left" });
            let all = |want: &str| !cells.is_empty() && cells.iter().all(|(jc, _)| jc == want);
            if unasked {
                "---"
            } else if all("center") {
                ":---:"
            } else if all("right") {
                "---:"
            } else if all("left") || all("start") {
                ":---"
            } else {
                "---"
            }
        })
        .collect()
}

/// A figure as jianbao sets it right in a column of no asked alignment
/// (`src/docx/document.rs`, `is_figure`).
fn is_figure(text: &str) -> bool {
    let t = text.trim();
    t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || ".,%+-‰％－—～~()（）".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::docx::{Picture, Row, Run, TableCell};

    /// Places every picture as `images/<rel>.png`.
    struct Placed;
    impl Pictures for Placed {
        fn place(&mut self, picture: &PictureRef) -> Result<String, String> {
            Ok(format!("images/{}.png", picture.rel))
        }
    }

    fn cell(text: &str, picture: Option<&str>, span: usize) -> TableCell {
        TableCell {
            span,
            continues: false,
            paras: vec![Para {
                index: 2,
                runs: vec![Run {
                    text: text.into(),
                    bold: false,
                }],
                pictures: picture
                    .map(|rel| Picture {
                        rel: rel.into(),
                        width: None,
                    })
                    .into_iter()
                    .collect(),
                ..Para::default()
            }],
        }
    }

    fn table(rows: Vec<Vec<TableCell>>) -> Block {
        Block::Table(Table {
            index: 2,
            grid: 3,
            rows: rows
                .into_iter()
                .map(|cells| Row {
                    cells,
                    ..Row::default()
                })
                .collect(),
            ..Table::default()
        })
    }

    #[test]
    fn pictures_in_table_cells_go_under_it_and_a_table_of_pictures_is_them() {
        let lead = Block::Para(Para {
            index: 1,
            runs: vec![Run {
                text: "检查情况如下。".into(),
                bold: false,
            }],
            ..Para::default()
        });
        let with_text = table(vec![
            vec![cell("事项", None, 1), cell("照片", None, 1)],
            vec![cell("现场检查", None, 1), cell("", Some("r7"), 1)],
        ]);
        let draft = recognise(&[lead.clone(), with_text], &mut Placed);
        assert!(
            draft.lines.iter().any(|l| l == "| 事项 | 照片 |"),
            "{:?}",
            draft.lines
        );
        assert!(
            draft
                .lines
                .iter()
                .any(|l| l.starts_with("![](images/r7.png)")),
            "{:?}",
            draft.lines
        );
        assert!(
            draft
                .said
                .iter()
                .any(|s| s.warning && s.text.contains("表格下面"))
        );
        // Word's layout table of a picture group: merges and pictures only.
        let layout = table(vec![
            vec![cell("", None, 1), cell("", Some("r8"), 2)],
            vec![
                cell("", None, 1),
                cell("", None, 1),
                cell("", Some("r9"), 1),
            ],
        ]);
        let draft = recognise(&[lead, layout], &mut Placed);
        assert!(
            !draft.lines.iter().any(|l| l.starts_with('|')),
            "{:?}",
            draft.lines
        );
        let pictures = draft.lines.iter().filter(|l| l.starts_with("![")).count();
        assert_eq!(pictures, 2, "{:?}", draft.lines);
        assert!(
            !draft.said.iter().any(|s| s.text.contains("空表格")),
            "{:?}",
            draft.said
        );
    }

    #[test]
    fn masthead_fields() {
        assert_eq!(issue_number("第 5 期"), Some(5));
        assert_eq!(issue_number("2024年第十二期"), Some(12));
        assert_eq!(issue_number("（总第16期）"), None);
        assert_eq!(total_number("第5期（总第16期）"), Some(16));
        let (d, before) = find_date("县委办公室编　　　2024年3月5日").unwrap();
        assert_eq!(d.to_string(), "2024-03-05");
        assert_eq!(trim_unit(&before), "县委办公室");
        let (d, _) = find_date("二〇二四年三月十五日").unwrap();
        assert_eq!(d.to_string(), "2024-03-15");
    }

    #[test]
    fn closing_lines() {
        match closing_line("报：市委办公室，市政府办公室。") {
            Some(Closing::List("bao", u)) => {
                assert_eq!(split_units(u), ["市委办公室", "市政府办公室"])
            }
            _ => panic!(),
        }
        match closing_line("县委办公室　　　　2024年3月5日印发") {
            Some(Closing::Imprint { publisher, date }) => {
                assert_eq!(publisher, "县委办公室");
                assert_eq!(date.to_string(), "2024-03-05");
            }
            _ => panic!(),
        }
        assert!(matches!(
            closing_line("（共印80份）"),
            Some(Closing::Copies(80))
        ));
        assert!(closing_line("报告会在县里召开。").is_none());
    }

    #[test]
    fn a_document_head() {
        assert_eq!(head_mark("000001"), Some(HeadMark::Serial("000001".into())));
        assert_eq!(
            head_mark("秘密★1年"),
            Some(HeadMark::Classification("秘密★1年".into()))
        );
        assert_eq!(head_mark("特急"), Some(HeadMark::Urgency("特急".into())));
        assert_eq!(head_mark("秘密会议召开"), None);
        assert_eq!(head_mark("2026年"), None);
        assert_eq!(
            document_number("云办发〔2026〕12号"),
            Some(("云办发〔2026〕12号".into(), None))
        );
        assert_eq!(
            document_number("云政报〔2026〕3号　　签发人：张三"),
            Some(("云政报〔2026〕3号".into(), Some("签发人：张三".into())))
        );
        assert!(document_number("〔2026〕第5次").is_some());
        assert_eq!(document_number("按〔2026〕12号文件要求执行"), None);
        assert_eq!(document_number("共12号"), None);
        assert!(is_field_line("请假：孙七（因公出差）"));
        assert!(!is_field_line("会议指出，要抓好落实：一是……"));
    }

    struct NoPictures;
    impl Pictures for NoPictures {
        fn place(&mut self, _: &PictureRef) -> Result<String, String> {
            Err("none".into())
        }
    }

    fn para(index: usize, text: &str, centred: bool, size: Option<u32>) -> Block {
        Block::Para(Para {
            index,
            centred,
            size,
            runs: vec![super::super::docx::Run {
                text: text.into(),
                bold: false,
            }],
            ..Para::default()
        })
    }

    #[test]
    fn a_sentence_naming_an_issue_is_no_masthead() {
        let blocks = [
            para(1, "县委党校举办青年干部培训班", true, Some(44)),
            para(
                2,
                "近日，县委党校举办第3期青年干部培训班，共60人参加。",
                false,
                None,
            ),
        ];
        let draft = recognise(&blocks, &mut NoPictures);
        assert_eq!(draft.front.number, None);
        assert_eq!(draft.lines[0], "# 县委党校举办青年干部培训班");
        assert_eq!(draft.lines.len(), 2);
    }

    #[test]
    fn a_masthead_and_a_closing_block() {
        let blocks = [
            para(1, "工作简报", true, Some(72)),
            para(2, "第 12 期", true, None),
            para(3, "县委办公室编　　2026年4月1日", false, None),
            para(4, "县里召开会议", true, Some(44)),
            para(5, "会议要求各单位抓好落实。", false, None),
            para(6, "抄送：市委办公室、市政府办公室。", false, None),
            para(
                7,
                "县委办公室　　2026年4月2日印发　（共印60份）",
                false,
                None,
            ),
        ];
        let draft = recognise(&blocks, &mut NoPictures);
        let f = &draft.front;
        assert_eq!((f.number, f.copies), (Some(12), Some(60)));
        assert_eq!(f.date.unwrap().to_string(), "2026-04-01");
        assert_eq!(f.editor.as_deref(), Some("县委办公室"));
        assert_eq!(f.publisher.as_deref(), Some("县委办公室"));
        assert_eq!(f.song, ["市委办公室", "市政府办公室"]);
        assert_eq!(draft.lines, ["# 县里召开会议", "会议要求各单位抓好落实。"]);
    }

    #[test]
    fn several_articles_labels_and_notes() {
        let blocks = [
            para(1, "【工作动态】", false, None),
            para(2, "县里召开安全生产会议", true, Some(44)),
            para(3, "编者按：这是一段按语。", false, None),
            para(4, "会议要求各单位抓好落实。", false, None),
            para(5, "【基层经验】", false, None),
            para(6, "城关镇：网格化管理见实效", true, Some(44)),
            para(7, "城关镇把全镇划为32个网格。", false, None),
            para(8, "# 这一行不是标题", false, None),
        ];
        let draft = recognise(&blocks, &mut NoPictures);
        assert_eq!(
            draft.lines,
            [
                "【工作动态】",
                "# 县里召开安全生产会议",
                "> 编者按：这是一段按语。",
                "会议要求各单位抓好落实。",
                "【基层经验】",
                "# 城关镇：网格化管理见实效",
                "城关镇把全镇划为32个网格。",
                "\\# 这一行不是标题",
            ]
        );
    }

    #[test]
    fn run_in_heads_lose_emphasis_the_rest_keeps_it() {
        assert_eq!(
            strip_emphasis_prefix(
                "**（一）加强领导。**各单位要**抓紧**。",
                "（一）加强领导。".len()
            ),
            "各单位要**抓紧**。"
        );
    }
    fn runs(index: usize, runs: &[(&str, bool)]) -> Block {
        Block::Para(Para {
            index,
            runs: runs
                .iter()
                .map(|(text, bold)| super::super::docx::Run {
                    text: (*text).into(),
                    bold: *bold,
                })
                .collect(),
            ..Para::default()
        })
    }

    /// Headings marked in bold, as clerks mark them (page-proof F8), and
    /// bold on marks alone (F12), in a .docx as in a paste.
    #[test]
    fn bold_over_a_heading_number_and_on_marks_alone() {
        let blocks = [
            runs(1, &[("一、清醒认识当前面临的形势", true)]),
            runs(
                2,
                &[
                    ("（一）完善共享目录。", true),
                    ("编制数据共享目录，", false),
                    ("按时", true),
                    ("更新。", false),
                ],
            ),
            runs(3, &[("二、", true), ("聚焦重点精准发力", false)]),
            runs(
                4,
                &[
                    ("全文共", false),
                    ("“", true),
                    ("三个一", false),
                    ("”", true),
                    ("要求", false),
                    ("，", true),
                    ("即", false),
                ],
            ),
            runs(
                5,
                &[
                    ("一是", true),
                    ("抓党建；", false),
                    ("“", true),
                    ("二是", true),
                    ("”", true),
                ],
            ),
        ];
        let draft = recognise(&blocks, &mut NoPictures);
        assert_eq!(
            draft.lines,
            [
                "一、清醒认识当前面临的形势",
                "（一）完善共享目录。编制数据共享目录，**按时**更新。",
                "二、聚焦重点精准发力",
                "全文共“三个一”要求，即",
                "**一是**抓党建；**“二是”**",
            ]
        );
    }
}
