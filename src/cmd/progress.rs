//! What a build shows while it runs.

use std::io::{IsTerminal, Write};

use super::output::say;

/// How the issues of a build are shown as they are done: a progress bar
/// on a terminal, plain lines elsewhere (a CI log, a file).
pub struct Progress {
    pub bar: Option<indicatif::ProgressBar>,
    total: usize,
    done: usize,
}

impl Progress {
    pub fn new(total: usize) -> Progress {
        let bar = (total > 1 && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} 期  {msg}")
                    .expect("valid template"),
            );
            bar
        });
        Progress {
            bar,
            total,
            done: 0,
        }
    }

    /// Prints a line above the bar.
    pub fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| say!("{text}")),
            None => say!("{text}"),
        }
    }

    /// Prints a line that is safe as it is (see [`super::output::typst_line`]).
    pub fn safe_line(&self, text: &str) {
        let print = || {
            let _ = writeln!(anstream::stderr().lock(), "{text}");
        };
        match &self.bar {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    /// One issue done; `line` is printed when there is no bar (the bar
    /// shows the count itself).
    pub fn done(&mut self, line: Option<String>) {
        self.done += 1;
        match (&self.bar, line) {
            (Some(bar), _) => bar.inc(1),
            (None, Some(line)) if self.total > 1 => {
                say!("[{}/{}] {line}", self.done, self.total)
            }
            (None, Some(line)) => say!("{line}"),
            (None, None) => {}
        }
    }
}
