//! `jianbao fonts [期号…]`: the fonts at hand, each configured family
//! found or not, and what each role uses.

use std::path::Path;

use super::args::{FontsCommand, Format};
use super::output::{origin_text, pad, report, say, tell};
use super::{EXIT_INPUT, EXIT_OK, EXIT_USAGE};
use crate::diagnostic::UsageError;
use crate::fonts::Role;
use crate::publication::{Options, Publication};
use crate::source::show_path;

/// `jianbao fonts`: the font folders and what is in them, each configured
/// family found or not, then (when every one is found) the font of each
/// role and the characters of the named issues that need a fallback.
pub fn run(start: &Path, options: &Options, command: &FontsCommand) -> Result<u8, UsageError> {
    let queries = &command.issues;
    let root = crate::publication::find_root(start)?;
    let mut config_diagnostics = Vec::new();
    let config = crate::config::Config::read(&root, &mut config_diagnostics);
    let font_config = config.as_ref().map(|c| c.fonts.clone()).unwrap_or_default();
    let (survey, skipped) = crate::fonts::Survey::new(
        &font_config,
        &root,
        &options.font_paths,
        options.system_fonts || font_config.system,
    );
    report(&skipped.iter().collect::<Vec<_>>(), Format::Human, false);
    let mut out = std::io::stdout().lock();
    if survey.folders.is_empty() {
        tell!(
            out,
            "没有字体文件夹：只用内置字体（字体文件夹用 [fonts] paths 或 --font-path 指定）"
        );
    }
    let mut missing = Vec::new();
    let mut damaged = Vec::new();
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
            tell!(
                out,
                "  {} 粗细 {:<6} {}",
                pad(&format!("\"{}\"", face.family), 28),
                face.style,
                show_path(&face.path)
            );
        }
    }
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
                missing.push(format!("{} {name}", wanted.role.key()));
            }
        }
    }
    if config.is_none() {
        drop(out);
        report(
            &config_diagnostics.iter().collect::<Vec<_>>(),
            Format::Human,
            false,
        );
        return Ok(EXIT_INPUT);
    }
    if !damaged.is_empty() || !missing.is_empty() {
        drop(out);
        fonts_missing(&damaged, &missing);
        return Ok(EXIT_USAGE);
    }
    let publication = Publication::load(start, options)?;
    let selection = publication.select(queries)?;
    let Some(fonts) = &publication.fonts else {
        return Ok(EXIT_INPUT);
    };
    tell!(out, "\n每个角色依次试用的字体：");
    for role in Role::ALL {
        let (weight, families) = fonts.role(role);
        tell!(out, "{:<11} 粗细 {weight}", role.key());
        for r in families {
            tell!(
                out,
                "  {} {}",
                pad(&r.family, 24),
                origin_text(fonts.origin(r.index))
            );
        }
    }
    if queries.is_empty() {
        return Ok(EXIT_OK);
    }
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
