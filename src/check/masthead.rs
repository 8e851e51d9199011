//! The masthead's short strings must fit the lines they are printed on
//! (docs/page-format.md, "The masthead"): the mark and the 密级 share the
//! top line, the 编发单位 shares its line with the date, the 编号 and the
//! number line have a line each. A string too long would be printed over
//! its neighbour or off the page, so it is an error where it is written,
//! in jianbao.toml or in an issue's front matter. (The series line and the
//! name are measured where jianbao.toml is read.)

use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::issue::{Field, Printed};
use crate::script::ems;
use crate::source::SourceFile;

/// The type area's width in 3号 characters.
const LINE: f64 = 28.0;
/// The widest date the 编发单位 line carries: 2026年12月31日.
const DATE: f64 = 7.0;

/// The most a field may take, in 3号 characters, and what to call it.
fn bound(field: Field) -> Option<(f64, &'static str, &'static str)> {
    Some(match field {
        // With the date and a character's gap on the same line.
        Field::Editor => (LINE - DATE - 1.0, "editor（编发单位）", "写简称"),
        // The mark at the left and the 密级 at the right of one line.
        Field::Mark => (
            18.0,
            "mark（左上角的标注）",
            "写短一些，例如“内部资料　注意保存”",
        ),
        Field::Classification => (
            8.0,
            "classification（密级）",
            "只写密级和保密期限，例如“秘密★1年”",
        ),
        Field::Serial => (LINE - 8.0, "serial（编号）", "只写编号本身，例如“000123”"),
        // Printed inside the number line, beside the year and number.
        Field::Edition => (
            6.0,
            "edition（增刊、专刊等）",
            "写刊名简称，例如“增刊”“专刊”",
        ),
        // Placeholders counted at their widest: {year} 2, {number} 2,
        // {number_cn} 4, {edition} 6; the rest as typed; （总第N期）
        // may follow on the same line.
        Field::NumberFormat => (
            LINE - 7.0,
            "number_format（期号行）",
            "期号行只写期号，例如 \"{year}年第{number}期\"",
        ),
        _ => return None,
    })
}

fn printed_width(field: Field, value: &str) -> f64 {
    if field != Field::NumberFormat {
        return ems(value);
    }
    let mut width = 0.0;
    for (name, most) in [
        ("{year}", 2.0),
        ("{number_cn}", 4.0),
        ("{number}", 2.0),
        ("{edition}", 6.0),
    ] {
        width += value.matches(name).count() as f64 * most;
    }
    let mut literal = value.to_string();
    for name in ["{year}", "{number_cn}", "{number}", "{edition}"] {
        literal = literal.replace(name, "");
    }
    width + ems(&literal)
}

/// One error per string that does not fit.
pub fn fits(src: &Arc<SourceFile>, printed: &[Printed], diags: &mut Vec<Diagnostic>) {
    for (field, value) in printed {
        let Some((most, what, shorter)) = bound(*field) else {
            continue;
        };
        let width = printed_width(*field, &value.value);
        if width > most {
            diags.push(
                Diagnostic::error(
                    "masthead-too-long",
                    src,
                    value.span.clone(),
                    format!(
                        "{what}太长（约 {} 个字宽），报头这一行放不下",
                        width.ceil() as u32
                    ),
                )
                .with_help(format!("最多约 {} 个字宽：{shorter}", most as u32)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_count_at_their_widest() {
        assert_eq!(printed_width(Field::NumberFormat, "第{number}期"), 4.0);
        assert_eq!(
            printed_width(Field::NumberFormat, "{year}年{edition}第{number_cn}期"),
            15.0
        );
        assert_eq!(printed_width(Field::Editor, "办公室2026"), 5.0);
    }
}
