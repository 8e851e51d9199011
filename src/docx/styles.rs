//! The styles of the document (`word/styles.xml`) and the fonts it names
//! (`word/fontTable.xml`). Every part of a bulletin has a named style, so
//! an office restyles all its level-1 headings at once; fonts are named as
//! offices have them installed, every East Asian attribute set explicitly
//! (no theme fonts, which Word would resolve to its own defaults).

use super::xml::{escape, half_points, line_pitch, pt_twips};
use crate::config::FontConfig;
use crate::layout_data::geometry::*;

/// The font family names the document names, per role: `[fonts]`'s first
/// family for the role when the publication names its own, else the name
/// offices have installed.
#[derive(Debug, Clone, PartialEq)]
pub struct OfficeFonts {
    pub title: String,
    pub body: String,
    pub heading: String,
    pub subheading: String,
    pub song: String,
    pub latin: String,
}

impl OfficeFonts {
    pub fn of(f: &FontConfig) -> Self {
        let pick = |list: &[String], default: &str| {
            list.first()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| default.to_string())
        };
        Self {
            title: pick(&f.title, "方正小标宋简体"),
            body: pick(&f.body, "仿宋_GB2312"),
            heading: pick(&f.heading, "黑体"),
            subheading: pick(&f.subheading, "楷体_GB2312"),
            song: pick(&f.song, "宋体"),
            latin: pick(&f.latin, "Times New Roman"),
        }
    }

    /// `w:rFonts` for text in the East Asian face `east`: Latin letters and
    /// digits in the Latin face (the PDF sets them in Times New Roman's
    /// metrics), everything else in `east`.
    pub fn r_fonts(&self, east: &str) -> String {
        let (latin, east) = (escape(&self.latin), escape(east));
        format!(
            r#"<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east}" w:cs="{latin}" w:hint="eastAsia"/>"#
        )
    }

    /// `w:rFonts` with one face for everything (page numbers).
    pub fn r_fonts_all(&self, face: &str) -> String {
        let face = escape(face);
        format!(
            r#"<w:rFonts w:ascii="{face}" w:hAnsi="{face}" w:eastAsia="{face}" w:cs="{face}" w:hint="eastAsia"/>"#
        )
    }
}

/// Style ids (ASCII, as Word's own) and their names as an office sees them.
pub mod id {
    pub const NORMAL: &str = "Normal";
    pub const TITLE: &str = "JianbaoTitle";
    pub const LEAD: &str = "JianbaoLead";
    pub const SUBTITLE: &str = "JianbaoSubtitle";
    pub const BYLINE: &str = "JianbaoByline";
    pub const H1: &str = "JianbaoHeading1";
    pub const H2: &str = "JianbaoHeading2";
    pub const H3: &str = "JianbaoHeading3";
    pub const H4: &str = "JianbaoHeading4";
    pub const NOTE: &str = "JianbaoNote";
    pub const LABEL: &str = "JianbaoLabel";
    pub const PICTURE: &str = "JianbaoPicture";
    pub const CAPTION: &str = "JianbaoCaption";
    pub const TABLE_CAPTION: &str = "JianbaoTableCaption";
    pub const TABLE_TEXT: &str = "JianbaoTableText";
    pub const TABLE_HEADER: &str = "JianbaoTableHeader";
    pub const TABLE_NOTE: &str = "JianbaoTableNote";
    pub const CONTENTS_HEADING: &str = "JianbaoContentsHeading";
    pub const CONTENTS: &str = "JianbaoContents";
    pub const CONTENTS_LABEL: &str = "JianbaoContentsLabel";
    pub const ATTACHMENT_NOTE: &str = "JianbaoAttachmentNote";
    pub const ATTACHMENT_MARK: &str = "JianbaoAttachmentMark";
    pub const MASTHEAD: &str = "JianbaoMasthead";
    pub const CLOSING: &str = "JianbaoClosing";
    pub const FOOTER: &str = "JianbaoPageNumber";
    pub const EMPHASIS: &str = "JianbaoEmphasis";
    pub const BODY_TEXT: &str = "JianbaoBodyText";
    pub const GRID_TABLE: &str = "JianbaoGridTable";
    pub const THREE_LINE_TABLE: &str = "JianbaoThreeLineTable";
}

/// Exact line spacing of `lines` grid lines.
pub fn exact(lines: f64) -> String {
    format!(
        r#"w:line="{}" w:lineRule="exact""#,
        (line_pitch() as f64 * lines).round() as i64
    )
}

/// `word/styles.xml`.
pub fn styles(f: &OfficeFonts) -> String {
    let pitch = line_pitch();
    let body = f.r_fonts(&f.body);
    let mut s = String::new();
    s.push_str(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        "\n",
        r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#
    ));
    // The defaults every style starts from: the body face at 3号, Chinese.
    s.push_str(&format!(
        concat!(
            "<w:docDefaults><w:rPrDefault><w:rPr>{body}",
            r#"<w:kern w:val="2"/><w:sz w:val="32"/><w:szCs w:val="32"/>"#,
            r#"<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>"#,
            r#"<w:pPrDefault><w:pPr><w:spacing w:before="0" w:after="0" {exact}/></w:pPr></w:pPrDefault></w:docDefaults>"#
        ),
        body = body,
        exact = exact(1.0),
    ));
    let mut para = |id: &str,
                    name: &str,
                    based: Option<&str>,
                    next: Option<&str>,
                    ppr: String,
                    rpr: String| {
        let based = based
            .map(|b| format!(r#"<w:basedOn w:val="{b}"/>"#))
            .unwrap_or_default();
        let next = next
            .map(|n| format!(r#"<w:next w:val="{n}"/>"#))
            .unwrap_or_default();
        let default = if id == id::NORMAL {
            r#" w:default="1""#
        } else {
            ""
        };
        s.push_str(&format!(
            r#"<w:style w:type="paragraph"{default} w:styleId="{id}"><w:name w:val="{name}"/>{based}{next}<w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"#
        ));
    };
    let no_indent = r#"<w:ind w:firstLineChars="0" w:firstLine="0"/>"#;
    let centred = r#"<w:jc w:val="center"/>"#;
    let keep = r#"<w:keepNext/><w:keepLines/>"#;
    let size = |pt: f64| {
        let h = half_points(pt);
        format!(r#"<w:sz w:val="{h}"/><w:szCs w:val="{h}"/>"#)
    };
    // Normal: the body paragraph, 3号 仿宋, first line indented 2 字,
    // justified, one grid line a line; no extra space between Chinese and
    // Latin text or digits (the PDF sets none); no punctuation hanging
    // out of the type area (the PDF keeps every glyph inside it). Off the
    // character grid, and with it every style (all are based on Normal):
    // LibreOffice gives a glyph wider than a cell two cells (a 16 pt one
    // in the 15.73 pt cell: 14 a line), whatever its condensed spacing;
    // the body's 28 a line come from that spacing (`xml::condense`). Its
    // lines keep the grid's pitch by their exact spacing.
    para(
        id::NORMAL,
        "Normal",
        None,
        None,
        format!(
            concat!(
                r#"<w:snapToGrid w:val="0"/><w:overflowPunct w:val="0"/><w:autoSpaceDE w:val="0"/><w:autoSpaceDN w:val="0"/>"#,
                r#"<w:spacing w:before="0" w:after="0" {exact}/>"#,
                r#"<w:ind w:firstLineChars="200" w:firstLine="640"/><w:jc w:val="both"/>"#
            ),
            exact = exact(1.0)
        ),
        format!(
            r#"{body}<w:spacing w:val="{}"/>{}"#,
            super::xml::condense(),
            size(BODY_PT)
        ),
    );
    let title_fonts = f.r_fonts(&f.title);
    let heading_fonts = f.r_fonts(&f.heading);
    let sub_fonts = f.r_fonts(&f.subheading);
    para(
        id::TITLE,
        "简报标题",
        Some(id::NORMAL),
        Some(id::NORMAL),
        format!(
            r#"{keep}<w:spacing w:before="{pitch}" w:after="0" {}/>{no_indent}{centred}<w:outlineLvl w:val="0"/>"#,
            exact(1.0)
        ),
        format!("{title_fonts}{}", size(TITLE_PT)),
    );
    for (id, name) in [
        (id::LEAD, "引题"),
        (id::SUBTITLE, "副题"),
        (id::BYLINE, "署名"),
    ] {
        para(
            id,
            name,
            Some(id::NORMAL),
            Some(id::NORMAL),
            format!("{keep}{no_indent}{centred}"),
            sub_fonts.clone(),
        );
    }
    para(
        id::H1,
        "一级标题",
        Some(id::NORMAL),
        Some(id::NORMAL),
        format!(r#"{keep}<w:outlineLvl w:val="1"/>"#),
        heading_fonts.clone(),
    );
    para(
        id::H2,
        "二级标题",
        Some(id::NORMAL),
        Some(id::NORMAL),
        format!(r#"{keep}<w:outlineLvl w:val="2"/>"#),
        sub_fonts.clone(),
    );
    for (id, name, level) in [(id::H3, "三级标题", 3), (id::H4, "四级标题", 4)] {
        para(
            id,
            name,
            Some(id::NORMAL),
            Some(id::NORMAL),
            format!(r#"{keep}<w:outlineLvl w:val="{level}"/>"#),
            body.clone(),
        );
    }
    para(
        id::NOTE,
        "编者按",
        Some(id::NORMAL),
        None,
        String::new(),
        sub_fonts.clone(),
    );
    para(
        id::LABEL,
        "栏目",
        Some(id::NORMAL),
        Some(id::TITLE),
        format!(r#"{keep}<w:spacing w:before="{pitch}"/>{no_indent}"#),
        heading_fonts.clone(),
    );
    // A picture's line is as tall as the picture: no exact spacing, which
    // would cut it.
    para(
        id::PICTURE,
        "图片",
        Some(id::NORMAL),
        Some(id::CAPTION),
        format!(
            r#"<w:keepNext/><w:spacing w:before="{}" w:line="240" w:lineRule="auto"/>{no_indent}{centred}"#,
            pitch / 2
        ),
        String::new(),
    );
    para(
        id::CAPTION,
        "图片说明",
        Some(id::NORMAL),
        Some(id::NORMAL),
        format!(
            r#"<w:spacing w:line="{}" w:lineRule="exact"/>{no_indent}{centred}"#,
            pt_twips(1.5 * CAPTION_PT)
        ),
        format!("{}{}", f.r_fonts(&f.subheading), size(CAPTION_PT)),
    );
    para(
        id::TABLE_CAPTION,
        "表题",
        Some(id::NORMAL),
        None,
        format!("{keep}{no_indent}{centred}"),
        format!("{heading_fonts}{}", size(CAPTION_PT)),
    );
    para(
        id::TABLE_TEXT,
        "表格文字",
        Some(id::NORMAL),
        None,
        format!(r#"{no_indent}<w:jc w:val="left"/>"#),
        format!("{body}{}", size(CAPTION_PT)),
    );
    para(
        id::TABLE_HEADER,
        "表头",
        Some(id::TABLE_TEXT),
        None,
        centred.to_string(),
        heading_fonts.clone(),
    );
    para(
        id::TABLE_NOTE,
        "表注",
        Some(id::NORMAL),
        None,
        format!(r#"{no_indent}<w:jc w:val="left"/>"#),
        format!("{body}{}", size(12.0)),
    );
    para(
        id::CONTENTS_HEADING,
        "本期要目标题",
        Some(id::NORMAL),
        Some(id::CONTENTS),
        format!("{keep}{no_indent}{centred}"),
        heading_fonts.clone(),
    );
    let (width, _) = super::xml::type_area();
    para(
        id::CONTENTS,
        "本期要目",
        Some(id::NORMAL),
        None,
        format!(
            r#"<w:keepLines/><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{width}"/></w:tabs><w:ind w:left="0" w:right="0" w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="left"/>"#
        ),
        String::new(),
    );
    para(
        id::CONTENTS_LABEL,
        "本期要目栏目",
        Some(id::NORMAL),
        Some(id::CONTENTS),
        format!("{keep}{no_indent}"),
        heading_fonts.clone(),
    );
    para(
        id::ATTACHMENT_NOTE,
        "附件说明",
        Some(id::NORMAL),
        None,
        r#"<w:keepLines/><w:jc w:val="left"/>"#.to_string(),
        String::new(),
    );
    para(
        id::ATTACHMENT_MARK,
        "附件标记",
        Some(id::NORMAL),
        Some(id::TITLE),
        format!(r#"{keep}<w:pageBreakBefore/>{no_indent}<w:jc w:val="left"/>"#),
        heading_fonts.clone(),
    );
    para(
        id::MASTHEAD,
        "报头",
        Some(id::NORMAL),
        None,
        format!(r#"<w:keepNext/>{no_indent}{centred}"#),
        String::new(),
    );
    para(
        id::CLOSING,
        "版记",
        Some(id::NORMAL),
        None,
        format!(r#"{no_indent}<w:jc w:val="left"/>"#),
        format!("{body}{}", size(CLOSING_PT)),
    );
    para(
        id::FOOTER,
        "页码",
        Some(id::NORMAL),
        None,
        format!(
            r#"<w:spacing w:line="{}" w:lineRule="exact"/>{no_indent}"#,
            pt_twips(CLOSING_PT)
        ),
        format!("{}{}", f.r_fonts_all(&f.song), size(CLOSING_PT)),
    );
    // Character styles: `**…**` in 黑体, and body text in a heading's
    // paragraph (a run-in heading's text after its head).
    for (id, name, fonts) in [
        (id::EMPHASIS, "强调（黑体）", &heading_fonts),
        (id::BODY_TEXT, "正文文字", &body),
    ] {
        s.push_str(&format!(
            r#"<w:style w:type="character" w:styleId="{id}"><w:name w:val="{name}"/><w:qFormat/><w:rPr>{fonts}</w:rPr></w:style>"#
        ));
    }
    // Table styles: the rules of the two kinds of table. Each table also
    // carries its rules itself, since a table style's borders are read
    // differently by Word, WPS and LibreOffice.
    for (id, name, borders) in [
        (id::GRID_TABLE, "简报表格（网格）", grid_borders()),
        (
            id::THREE_LINE_TABLE,
            "简报表格（三线表）",
            three_line_borders(),
        ),
    ] {
        s.push_str(&format!(
            r#"<w:style w:type="table" w:styleId="{id}"><w:name w:val="{name}"/><w:pPr>{no_indent}</w:pPr><w:tblPr><w:tblBorders>{borders}</w:tblBorders></w:tblPr></w:style>"#
        ));
    }
    s.push_str("</w:styles>");
    s
}

/// A border.
pub fn border(side: &str, mm: f64) -> String {
    format!(
        r#"<w:{side} w:val="single" w:sz="{}" w:space="0" w:color="000000"/>"#,
        super::xml::border_eighths(mm)
    )
}

pub fn no_border(side: &str) -> String {
    format!(r#"<w:{side} w:val="nil"/>"#)
}

/// A full grid: the frame 0.5 mm, the rules between cells 0.25 mm.
pub fn grid_borders() -> String {
    [
        border("top", 0.5),
        border("left", 0.5),
        border("bottom", 0.5),
        border("right", 0.5),
        border("insideH", 0.25),
        border("insideV", 0.25),
    ]
    .concat()
}

/// 三线表: 0.5 mm above and below, no vertical rule (the thin rule under
/// the header is on the header's cells).
pub fn three_line_borders() -> String {
    [
        border("top", 0.5),
        no_border("left"),
        border("bottom", 0.5),
        no_border("right"),
        no_border("insideH"),
        no_border("insideV"),
    ]
    .concat()
}

/// `word/fontTable.xml`: the fonts named, each with the GB2312 character
/// set and, for the `_GB2312` faces, the family a system without them
/// (Windows 10 and later ship 仿宋 and 楷体, not 仿宋_GB2312) substitutes.
pub fn font_table(f: &OfficeFonts) -> String {
    let mut names: Vec<&str> = vec![&f.body, &f.title, &f.heading, &f.subheading, &f.song];
    names.dedup();
    let mut s = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        "\n",
        r#"<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#
    ));
    let mut seen = Vec::new();
    for name in names {
        if seen.contains(&name) {
            continue;
        }
        seen.push(name);
        let alt = match name {
            "仿宋_GB2312" => Some("仿宋"),
            "楷体_GB2312" => Some("楷体"),
            "方正小标宋简体" => Some("方正小标宋_GBK"),
            _ => None,
        };
        let alt = alt
            .map(|a| format!(r#"<w:altName w:val="{a}"/>"#))
            .unwrap_or_default();
        s.push_str(&format!(
            r#"<w:font w:name="{}">{alt}<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>"#,
            escape(name)
        ));
    }
    s.push_str(&format!(
        r#"<w:font w:name="{}"><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>"#,
        escape(&f.latin)
    ));
    s.push_str("</w:fonts>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_are_the_offices_or_those_jianbao_toml_names() {
        let mut config = FontConfig::default();
        let f = OfficeFonts::of(&config);
        assert_eq!(
            (
                f.title.as_str(),
                f.body.as_str(),
                f.heading.as_str(),
                f.subheading.as_str()
            ),
            ("方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312")
        );
        config.body = vec!["方正仿宋_GBK".into(), "FandolFang R".into()];
        config.title = vec!["方正小标宋_GBK".into()];
        let f = OfficeFonts::of(&config);
        assert_eq!(
            (f.body.as_str(), f.title.as_str()),
            ("方正仿宋_GBK", "方正小标宋_GBK")
        );
        let styles = styles(&f);
        assert!(styles.contains(r#"w:eastAsia="方正仿宋_GBK""#));
        assert!(!styles.contains("仿宋_GB2312"));
    }
}
