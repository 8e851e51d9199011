//! A large table (issue 18): `jianbao build` of one issue holding a table
//! of 2,000 rows (a 200-unit 台账 ten times over: a number, a unit's name,
//! two figures, a yes/no), in a full grid and as a 三线表, and of 200
//! rows for scale. Each case runs in a process of its own (this bench
//! re-runs itself per case) so that the peak RSS it reports is that
//! build's alone; five rounds, median and min wall time, median CPU time.
//!
//! ```sh
//! cargo build --release && cargo bench --bench large_table
//! ```
//!
//! Target (issue 18): the 2,000 rows in < 2 s, broken across pages.

use std::process::ExitCode;

mod common;
use common::*;

const CASE_VAR: &str = "JIANBAO_LARGE_TABLE_CASE";
const ROUNDS: usize = 5;

/// The issue of a case: a table of `rows` rows, `{三线表}` when asked.
fn issue(rows: usize, three_line: bool) -> String {
    let towns = ["城关镇", "东湖镇", "西山乡", "南岭乡", "北河镇", "青石镇"];
    let kinds = ["小型加工厂", "沿街商铺", "农家乐", "加油站", "建筑工地"];
    let mut body = String::new();
    for i in 1..=rows {
        let found = (i * 7) % 31;
        let fixed = found - found.min(i % 3);
        body.push_str(&format!(
            "| {i} | {}{}{i:04} | {found} | {fixed} | {} |\n",
            towns[i % towns.len()],
            kinds[i % kinds.len()],
            if fixed == found { "是" } else { "否" }
        ));
    }
    format!(
        "+++\nnumber = 1\ndate = 2024-06-03\n\n[distribution]\nfa = [\"各乡镇\"]\n+++\n\
         # 重点生产经营单位隐患整改台账\n按照县安委会部署，现将台账通报如下。\n\n\
         表1　重点生产经营单位隐患整改台账{}\n\
         | 序号 | 单位名称 | 发现隐患（处） | 已整改（处） | 是否销号 |\n|---|---|---|---|---|\n{body}\
         注：台账截至2024年5月31日。\n\n请各乡镇督促未销号单位按期完成整改。\n",
        if three_line { "{三线表}" } else { "" }
    )
}

fn case(name: &str) -> (usize, bool) {
    match name {
        "table-200" => (200, false),
        "table-2000" => (2000, false),
        "table-2000-3line" => (2000, true),
        _ => panic!("unknown case {name}"),
    }
}

/// One case, in this process (the child of [`measure`]).
fn run_case(name: &str) -> Result<(), String> {
    let (rows, three_line) = case(name);
    build_and_report(publication_with("001.md", &issue(rows, three_line)).path())
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> ExitCode {
    if let Ok(name) = std::env::var(CASE_VAR) {
        return match run_case(&name) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{name}: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if !release_binary().is_file() {
        eprintln!(
            "no release binary at {}: run `cargo build --release` first",
            release_binary().display()
        );
        return ExitCode::FAILURE;
    }
    println!(
        "{:<18} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "case", "median s", "min s", "cpu s", "peak MB", "pages"
    );
    let mut failed = false;
    for name in ["table-200", "table-2000", "table-2000-3line"] {
        let mut walls = Vec::new();
        let mut cpus = Vec::new();
        let mut peak = 0;
        let mut pages = 0;
        for _ in 0..ROUNDS {
            match measure(CASE_VAR, name) {
                Ok(m) => {
                    walls.push(m.seconds);
                    cpus.push(m.cpu);
                    peak = peak.max(m.peak);
                    pages = m.pages;
                }
                Err(e) => {
                    eprintln!("{name}: {e}");
                    failed = true;
                    break;
                }
            }
        }
        if walls.is_empty() {
            continue;
        }
        let min = walls.iter().copied().fold(f64::MAX, f64::min);
        println!(
            "{name:<18} {:>9.2} {min:>9.2} {:>9.2} {:>9.0} {pages:>7}",
            median(&mut walls),
            median(&mut cpus),
            peak as f64 / 1e6
        );
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
