//! `jianbao fonts [期号…]`: the fonts at hand, each configured family
//! found or not, and what each role uses.

use std::io::Write;
use std::path::Path;

use super::args::{FontsCommand, MessageFormat};
use super::exit::{EXIT_INPUT, EXIT_OK, EXIT_USAGE};
use super::output::{origin_text, pad, report, say, tell};
use crate::diagnostic::UsageError;
use crate::fonts::{FoundFace, Role, RoleFaces, Survey, Tried};
use crate::publication::{Options, Publication};
use crate::source::show_path;

/// `jianbao fonts`: the built-in faces, the font folders and what is in
/// them, each configured family found or not, the faces each role tries
/// (a missing family shown where it would be tried), then, when every
/// family is found, the characters of the named issues that need a
/// fallback.
pub fn run(start: &Path, options: &Options, command: &FontsCommand) -> Result<u8, UsageError> {
    let queries = &command.issues;
    let root = crate::publication::find_root(start)?;
    let mut config_diagnostics = Vec::new();
    let config = crate::config::Config::read(&root, &mut config_diagnostics);
    let font_config = config.as_ref().map(|c| c.fonts.clone()).unwrap_or_default();
    let (survey, skipped) = Survey::new(
        &font_config,
        &root,
        &options.font_paths,
        options.system_fonts || font_config.system,
    );
    report(
        &skipped.iter().collect::<Vec<_>>(),
        MessageFormat::Human,
        false,
    );
    let mut out = std::io::stdout().lock();
    tell!(out, "内置字体（在 jianbao 程序里，每台电脑上都一样）：");
    for face in &survey.embedded {
        tell_face(&mut out, face);
    }
    tell!(out, "");
    let mut missing = tell_folders(&mut out, &survey);
    let damaged = tell_configured(&mut out, &survey, &mut missing);
    if config.is_none() {
        // Its [fonts] could not be read: what the roles try is not known.
        drop(out);
        report(
            &config_diagnostics.iter().collect::<Vec<_>>(),
            MessageFormat::Human,
            false,
        );
        return Ok(EXIT_INPUT);
    }
    let any_missing = survey
        .roles
        .iter()
        .flat_map(|r| &r.tried)
        .any(|t| matches!(t, Tried::Missing(_)));
    if any_missing {
        tell!(
            out,
            "\n每个角色依次试用的字体（标着“找不到”的字体找到之前，不能生成 PDF）："
        );
    } else {
        tell!(out, "\n每个角色依次试用的字体：");
    }
    for RoleFaces {
        role,
        weight,
        tried,
    } in &survey.roles
    {
        tell!(out, "{:<11} 粗细 {weight}  {}", role.key(), prints(*role));
        for t in tried {
            match t {
                Tried::Found(r) => {
                    tell!(out, "  {} {}", pad(&r.family, 24), origin_text(&r.origin))
                }
                Tried::Missing(name) => {
                    tell!(out, "  {} 找不到", pad(name, 24))
                }
            }
        }
    }
    if !damaged.is_empty() || !missing.is_empty() {
        drop(out);
        fonts_missing(&damaged, &missing);
        if !queries.is_empty() {
            say!(
                "字体都找到之后，jianbao fonts {} 再列出要用后备字体的字",
                queries.join(" ")
            );
        }
        return Ok(EXIT_USAGE);
    }
    if queries.is_empty() {
        return Ok(EXIT_OK);
    }
    let publication = Publication::load(start, options)?;
    let selection = publication.select(queries)?;
    let Some(fonts) = &publication.fonts else {
        return Ok(EXIT_INPUT);
    };
    // Which characters of the named issues are not in their role's own face.
    for &i in &selection.issues {
        let Some(issue) = &publication.issues[i].issue else {
            continue;
        };
        let fallbacks = fonts.fallbacks(issue);
        tell!(out, "\n{}:", show_path(&issue.source.path));
        if fallbacks.is_empty() {
            tell!(out, "  每个字都在它那个角色自己的字体里");
        }
        for f in fallbacks {
            let (line, col) = issue.source.line_col(f.offset);
            tell!(
                out,
                "  {} U+{:04X} {:<10} → {}  （第一次出现在 {line}:{col}）",
                f.c,
                f.c as u32,
                f.role.key(),
                f.family.unwrap_or("（没有字体）")
            );
        }
    }
    Ok(EXIT_OK)
}

/// What a role prints, as an office knows it (the table is
/// [`crate::fonts::Part::role`]).
fn prints(role: Role) -> &'static str {
    match role {
        Role::Title => "标题：报头、文章标题（小标宋）",
        Role::Body => "正文、三级以下小标题、期号行、报送发（仿宋）",
        Role::Heading => "一级小标题、加粗、栏目、编者按、密级和“内部刊物”（黑体）",
        Role::Subheading => "二级小标题、引题、副题、署名、图片说明、按语（楷体）",
        Role::Song => "页码（宋体）",
        Role::Fallback => "上面的字体都没有的字",
        Role::Latin => "西文字母和数字",
    }
}

/// A face with the exact name to type into `[fonts]`.
fn tell_face(out: &mut impl Write, face: &FoundFace) {
    tell!(
        out,
        "  {} 粗细 {:<6} {}",
        pad(&format!("\"{}\"", face.family), 28),
        face.style,
        show_path(&face.path)
    );
}

/// Each font folder and its faces; returns the folders that are missing
/// or refused.
fn tell_folders(out: &mut impl Write, survey: &Survey) -> Vec<String> {
    let mut missing = Vec::new();
    if survey.folders.is_empty() {
        tell!(
            out,
            "没有字体文件夹：只用内置字体（字体文件夹用 [fonts] paths 或 --font-path 指定）"
        );
    }
    for (folder, faces) in &survey.folders {
        let from = if folder.from_command_line {
            "--font-path"
        } else {
            "jianbao.toml [fonts] paths"
        };
        let shown = show_path(&folder.path);
        if !folder.exists {
            tell!(out, "字体文件夹 {shown}（{from}）：不存在");
            missing.push(format!("字体文件夹 {shown}"));
            continue;
        }
        if let Some(refusal) = &folder.refused {
            tell!(out, "字体文件夹 {shown}（{from}）：{refusal}，没有读");
            missing.push(format!("字体文件夹 {shown}"));
            continue;
        }
        tell!(
            out,
            "字体文件夹 {shown}（{from}）：{} 种字体，[fonts] 里填引号中的名字",
            faces.len()
        );
        for face in faces {
            tell_face(out, face);
        }
    }
    missing
}

/// Each configured family, found or not; adds those not found to
/// `missing` and returns those in a damaged file.
fn tell_configured(
    out: &mut impl Write,
    survey: &Survey,
    missing: &mut Vec<String>,
) -> Vec<String> {
    let mut damaged = Vec::new();
    if !survey.configured.is_empty() {
        tell!(out, "\njianbao.toml [fonts] 里的字体：");
    }
    for wanted in &survey.configured {
        let name = pad(&format!("\"{}\"", wanted.name), 24);
        match &wanted.found {
            Ok(origin) => {
                tell!(
                    out,
                    "  {:<11} {name} 找到：{}",
                    wanted.role.key(),
                    origin_text(origin)
                );
            }
            Err(_) if !wanted.damaged.is_empty() => {
                let file = &wanted.damaged[0];
                tell!(
                    out,
                    "  {:<11} {name} 在 {} 里，但这个文件不是 typst 能读的字体：{}",
                    wanted.role.key(),
                    show_path(&file.path),
                    file.why
                );
                damaged.push(format!(
                    "{} “{}”（{}）",
                    wanted.role.key(),
                    wanted.name,
                    show_path(&file.path)
                ));
            }
            Err(near) => {
                let near = if near.is_empty() {
                    String::new()
                } else {
                    format!("；相近的有 {}", near.join("、"))
                };
                tell!(out, "  {:<11} {name} 找不到{near}", wanted.role.key());
                missing.push(format!("{} “{}”", wanted.role.key(), wanted.name));
            }
        }
    }
    damaged
}

/// What `jianbao fonts` says last when configured families are not there:
/// those in a damaged file, then those not found.
fn fonts_missing(damaged: &[String], missing: &[String]) {
    if !damaged.is_empty() {
        say!(
            "{}",
            UsageError::new(format!(
                "{} 的字体文件已损坏或不完整，typst 读不了",
                damaged.join("，")
            ))
            .help(
                "从字体厂商处或原来的电脑重新复制一份完整的字体文件，替换它（常见于没有复制完、下载中断）"
            )
        );
    }
    if !missing.is_empty() {
        say!(
            "{}",
            UsageError::new(format!("找不到 {}", missing.join("，"))).help(
                "字体的名字要和上面列出的一字不差（引号里的）；字体文件放进 [fonts] paths 或 --font-path 的文件夹"
            )
        );
    }
}
