//! Large inputs scale: `jianbao build` of one issue whose body is
//!
//! - one paragraph of 1,000,000 characters (real sentences with numbers,
//!   marks and a little Latin, repeated), and
//! - 20,000 short paragraphs,
//!
//! plus half of each, to show time and memory growing in proportion. Each
//! case runs in a process of its own (this bench re-runs itself per case)
//! so that the peak RSS it reports is that build's alone.
//!
//! ```sh
//! cargo build --release && cargo bench --bench large_input
//! ```
//!
//! Targets (issue 7): the 20,000 paragraphs in < 3 s and < 500 MB.

use std::process::ExitCode;

mod common;
use common::*;

const CASE_VAR: &str = "JIANBAO_LARGE_INPUT_CASE";

const SENTENCE: &str = "各学校要认真贯彻落实2024年全市教育工作会议精神，\
    对照“七项工程”逐项抓好落实，确保PM2.5浓度下降3.5%以上、\
    优良天数比例达到82.5%；";

/// The body of a case: `chars` characters in one paragraph, or
/// `paragraphs` short paragraphs.
fn body(case: &str) -> String {
    let (one, n) = match case {
        "paragraph-1m" => (true, 1_000_000),
        "paragraph-500k" => (true, 500_000),
        "paragraphs-20k" => (false, 20_000),
        "paragraphs-10k" => (false, 10_000),
        _ => panic!("unknown case {case}"),
    };
    if one {
        let mut text = String::new();
        while text.chars().count() < n {
            text.push_str(SENTENCE);
        }
        let text: String = text.chars().take(n - 1).collect();
        format!("{text}。\n")
    } else {
        (1..=n)
            .map(|i| format!("第{i}条：各单位按时报送材料，做到数据准确、内容完整。\n"))
            .collect()
    }
}

fn publication(case: &str) -> tempfile::TempDir {
    publication_with(
        "001.md",
        &format!(
            "+++\nnumber = 1\ndate = 2024-03-05\n\n[distribution]\nfa = [\"各学校\"]\n+++\n# 关于做好材料报送工作的通知\n{}",
            body(case)
        ),
    )
}

/// One case, in this process (the child of [`measure`]).
fn run_case(case: &str) -> Result<(), String> {
    build_and_report(publication(case).path())
}

fn main() -> ExitCode {
    if let Ok(case) = std::env::var(CASE_VAR) {
        return match run_case(&case) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{case}: {e}");
                ExitCode::FAILURE
            }
        };
    }
    // `cargo bench` passes `--bench`; nothing else is taken.
    if !release_binary().is_file() {
        eprintln!(
            "no release binary at {}: run `cargo build --release` first",
            release_binary().display()
        );
        return ExitCode::FAILURE;
    }
    // CPU time (user + system, every thread) beside wall time: on a
    // shared machine the wall time depends on the load.
    println!(
        "{:<16} {:>9} {:>9} {:>10} {:>7}",
        "case", "seconds", "cpu s", "peak MB", "pages"
    );
    let mut failed = false;
    for case in [
        "paragraphs-10k",
        "paragraphs-20k",
        "paragraph-500k",
        "paragraph-1m",
    ] {
        match measure(CASE_VAR, case) {
            Ok(m) => println!(
                "{case:<16} {:>9.2} {:>9.2} {:>10.0} {:>7}",
                m.seconds,
                m.cpu,
                m.peak as f64 / 1e6,
                m.pages
            ),
            Err(e) => {
                eprintln!("{case}: {e}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
