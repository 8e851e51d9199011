//! The rules of issue-format §3–4 that parsing alone does not enforce.

use std::collections::HashMap;

use crate::issue::Issue;
use crate::publication::IssueFile;

use super::Diagnostic;

/// Rules on one issue on its own.
pub fn check_issue(issue: &Issue, file: &IssueFile) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let src = &issue.source;
    let number = &issue.front.number;
    if let Some(n) = file.file_number().filter(|&n| n != number.value.0) {
        {
            diags.push(
                Diagnostic::error(
                    "number-mismatch",
                    src,
                    number.span.clone(),
                    format!("文件名是第{n}期，头部却写 number = {}", number.value),
                )
                .with_help(format!(
                    "改成 number = {n}，或把文件改名为 {:03}.md",
                    number.value.0
                )),
            );
        }
    }
    let dist = &issue.front.distribution;
    if dist.bao.is_empty() && dist.song.is_empty() && dist.fa.is_empty() {
        diags.push(
            Diagnostic::error(
                "no-distribution",
                src,
                issue.front.span.start..issue.front.span.start + 3,
                "报、送、发都没有单位：报尾至少要有一个单位",
            )
            .with_help("在头部加上\n[distribution]\nfa = [\"单位一\", \"单位二\"]"),
        );
    }
    diags
}

/// Rules across the issues of a publication: numbers unique per series.
pub fn check_series(issues: &[(&IssueFile, &Issue)]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut seen: HashMap<(&str, u32), &Issue> = HashMap::new();
    for (file, issue) in issues {
        let key = (file.series(), issue.number().0);
        if let Some(first) = seen.get(&key) {
            diags.push(
                Diagnostic::error(
                    "duplicate-number",
                    &issue.source,
                    issue.front.number.span.clone(),
                    format!(
                        "期号 {} 重复了：{} 也是这个期号",
                        issue.number(),
                        first.source.path.display()
                    ),
                )
                .with_related("这里也是", &first.source, first.front.number.span.clone())
                .with_help("每一期的期号在同一系列（年份文件夹）里只能用一次"),
            );
        } else {
            seen.insert(key, issue);
        }
    }
    diags
}
