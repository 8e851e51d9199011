//! `jianbao build [期号…]`: the PDFs (or PNG pages) of the selected issues
//! that are not current.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::args::{BuildCommand, MessageFormat, OutputArgs};
use super::exit::{EXIT_INPUT, EXIT_USAGE};
use super::output::{count, report, say, typst_line};
use super::progress::Progress;
use super::settings;
use crate::archive::{self, BuildOptions, Builder, Outcome};
use crate::diagnostic::{Diagnostic, UsageError};
use crate::publication::{IssueEntry, Options, Publication, Selection};
use crate::script::escape_unprintable;
use crate::source::show_path;

pub fn run(start: &Path, options: &Options, command: &BuildCommand) -> Result<u8, UsageError> {
    let mut build_options = BuildOptions {
        force: command.force,
        ..BuildOptions::default()
    };
    if let Some(jobs) = command.jobs {
        build_options.jobs = jobs.get();
    }
    let output = &command.output;
    let mut publication = Publication::load(start, options)?;
    let format = settings::format(&publication, output)?;
    let clock = Instant::now();
    let mut selection = publication.select(&command.issues)?;
    if let Some(shard) = command.shard {
        selection = publication.shard(selection, shard);
    }
    let standard = settings::standard(&publication, output.layout.pdf_standard, format);
    publication.check_pictures(&selection, standard);
    let publication = &publication;
    let builder = match builder(publication, start, format, output) {
        Ok(Some(builder)) => builder,
        refused => {
            // Nothing is built: every problem is said, as `check` says it.
            report(
                &publication.diagnostics(&selection),
                MessageFormat::Human,
                false,
            );
            // A usage error (a --layout not found) is said by the caller.
            refused?;
            say!(
                "{}",
                spaced(&["jianbao.toml 有错误，没有生成", format.kind()])
            );
            return Ok(EXIT_INPUT);
        }
    };
    // jianbao.toml's problems and the unread files under issues/ concern
    // the whole run; an issue's own are said with what became of it.
    let whole_run = Selection {
        issues: Vec::new(),
        all: selection.all,
    };
    let mut code = report(
        &publication.diagnostics(&whole_run),
        MessageFormat::Human,
        false,
    );
    let check = check_command(&command.issues);
    let total = selection.issues.len();
    let mut progress = Progress::new(total);
    let (mut built, mut failed) = (0, 0);
    let mut current = Current::default();
    let bar = progress.bar.clone();
    let started = |entry: &IssueEntry| {
        if let Some(bar) = &bar {
            bar.set_message(escape_unprintable(&entry.file.id).into_owned());
        }
    };
    let forgotten = builder.build(
        &selection.issues,
        &build_options,
        started,
        |entry, outcome| {
            let shown = show_path(&entry.file.path);
            let kept_note = |kept: bool| {
                if kept {
                    spaced(&["（原有的", format.kind(), "保持不变）"])
                } else {
                    String::new()
                }
            };
            if !matches!(outcome, Outcome::UpToDate { .. }) {
                for d in sorted(&entry.diagnostics) {
                    progress.safe_line(&d.render().to_string());
                }
            }
            match outcome {
                Outcome::Written {
                    pages,
                    warnings,
                    notes,
                    ..
                } => {
                    built += 1;
                    for w in warnings {
                        progress.safe_line(&typst_line(&shown.to_string(), &w));
                    }
                    for n in notes {
                        progress.line(&format!("{shown}: note: {n}"));
                    }
                    let out = publication.output_path(&entry.file.id);
                    let mut line = format!("{shown} → {}", archive::written(&out, pages, format));
                    match format {
                        archive::Output::Pdf => {}
                        archive::Output::Ofd => line += &format!("（{pages} 页）"),
                        archive::Output::Png { .. } => line += &format!("（{pages} 页）"),
                        // Word breaks the pages itself.
                        archive::Output::Docx => line += &format!("（PDF 排 {pages} 页）"),
                    }
                    progress.done(Some(line));
                }
                Outcome::UpToDate { path } => {
                    let warnings = current.add(entry);
                    let line = (total == 1).then(|| {
                        let warned = if warnings > 0 {
                            format!("；有 {warnings} 条警告（{check} 查看）")
                        } else {
                            String::new()
                        };
                        format!(
                            "{} 已是最新：{shown} 和它用到的文件都没有改动（要重新生成，加 --force）{warned}",
                            show_path(&path)
                        )
                    });
                    progress.done(line);
                }
                Outcome::HasErrors { kept } => {
                    failed += 1;
                    code = code.max(EXIT_INPUT);
                    progress.line(&format!(
                        "{shown}: {}{}",
                        spaced(&["有错误，没有生成", format.kind()]),
                        kept_note(kept.is_some())
                    ));
                    progress.done(None);
                }
                Outcome::Failed { errors, kept } => {
                    failed += 1;
                    code = code.max(EXIT_INPUT);
                    for e in errors {
                        progress.safe_line(&typst_line(&shown.to_string(), &e));
                    }
                    progress.line(&format!(
                        "{shown}: {}{}",
                        spaced(&["没有生成", format.kind()]),
                        kept_note(kept.is_some())
                    ));
                    progress.done(None);
                }
                Outcome::WriteFailed { path, error, kept } => {
                    failed += 1;
                    code = EXIT_USAGE;
                    progress.line(&archive::write_failed(&path, &error, kept).to_string());
                    progress.done(None);
                }
            }
        },
    );
    if let Some(bar) = &progress.bar {
        bar.finish_and_clear();
    }
    say_forgotten(publication, forgotten);
    let warned = current.warned(&check);
    if total > 1 && current.issues == total {
        let warned = warned.map(|w| format!("；其中 {w}")).unwrap_or_default();
        say!("都是最新的：{total} 期，无需重排{warned}");
    } else if total != 1 {
        let warned = warned
            .map(|w| format!("；已是最新的期里 {w}"))
            .unwrap_or_default();
        say!(
            "生成 {built} 期，{} 期已是最新，{failed} 期失败，用时 {:.1} 秒{warned}",
            current.issues,
            clock.elapsed().as_secs_f64()
        );
    }
    Ok(code)
}

/// The builder of a run; `None` when jianbao.toml has errors.
fn builder<'p>(
    publication: &'p Publication,
    start: &Path,
    format: archive::Output,
    output: &OutputArgs,
) -> Result<Option<Builder<'p>>, UsageError> {
    let Some(settings) = settings::settings(publication, start, format, &output.layout)? else {
        return Ok(None);
    };
    let engine = settings.engine(publication)?;
    Ok(Builder::with(publication, settings, engine).ok())
}

/// An issue's problems in the order `check` shows them.
fn sorted(diagnostics: &[Diagnostic]) -> Vec<&Diagnostic> {
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by_key(|d| (d.path.clone(), d.line_col()));
    sorted
}

/// The selected issues whose PDFs were current. Their warnings were said
/// when they were built; a build with nothing to do sums them up instead
/// of saying them all again.
#[derive(Default)]
struct Current {
    issues: usize,
    /// Those of them with warnings, and how many warnings.
    warned: usize,
    warnings: usize,
}

impl Current {
    /// Counts a current issue in; returns its number of warnings.
    fn add(&mut self, entry: &IssueEntry) -> usize {
        let warnings = count(&entry.diagnostics, false);
        self.issues += 1;
        self.warnings += warnings;
        self.warned += usize::from(warnings > 0);
        warnings
    }

    /// "3 期有 7 条警告（jianbao check 查看）", when any has a warning.
    fn warned(&self, check: &str) -> Option<String> {
        (self.warnings > 0).then(|| {
            format!(
                "{} 期有 {} 条警告（{check} 查看）",
                self.warned, self.warnings
            )
        })
    }
}

/// The `check` of the issues named: what shows the warnings summed up.
fn check_command(queries: &[String]) -> String {
    std::iter::once("jianbao check")
        .chain(queries.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ")
}

/// PDFs whose issue file is gone: no longer listed as current. Only PDFs
/// that are there are said to be kept (the manifest may list any number
/// of ids, of any spelling); a few by name, the rest counted.
fn say_forgotten(publication: &Publication, forgotten: Vec<String>) {
    let kept: Vec<(String, PathBuf)> = forgotten
        .into_iter()
        .filter(|id| crate::sandbox::stays_inside(Path::new(id)))
        .map(|id| {
            let pdf = publication.output_path(&id);
            (id, pdf)
        })
        .filter(|(_, pdf)| crate::sandbox::Stamp::at(pdf).is_some())
        .collect();
    const NAMED: usize = 5;
    for (id, pdf) in kept.iter().take(NAMED) {
        say!(
            "{}: 期刊文件 {} 已经不在了，这个 PDF 不再算作最新（文件保留，不要了可以删掉）",
            show_path(pdf),
            escape_unprintable(id)
        );
    }
    if kept.len() > NAMED {
        say!(
            "……还有 {} 个 PDF 的期刊文件也已经不在了，同样不再算作最新（文件保留）",
            kept.len() - NAMED
        );
    }
}

/// Chinese and Latin words joined as the messages write them: a space
/// where a Latin letter meets a Chinese character (`没有生成 PDF`,
/// `没有生成页面图片`), none at a full-width mark (`PDF（`).
fn spaced(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        if let (Some(a), Some(b)) = (out.chars().last(), part.chars().next()) {
            let latin = |c: char| c.is_ascii_alphanumeric();
            let mark = |c: char| "（）：，。；、".contains(c);
            if latin(a) != latin(b) && !mark(a) && !mark(b) {
                out.push(' ');
            }
        }
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn latin_words_are_spaced_from_chinese() {
        use super::spaced;
        assert_eq!(spaced(&["没有生成", "PDF"]), "没有生成 PDF");
        assert_eq!(spaced(&["没有生成", "OFD 文件"]), "没有生成 OFD 文件");
        assert_eq!(spaced(&["没有生成", "页面图片"]), "没有生成页面图片");
        assert_eq!(
            spaced(&["（原有的", "PDF", "保持不变）"]),
            "（原有的 PDF 保持不变）"
        );
        assert_eq!(
            spaced(&["（原有的", "页面图片", "保持不变）"]),
            "（原有的页面图片保持不变）"
        );
    }
}
