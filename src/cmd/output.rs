//! How the commands print. Printing never fails a run: with stdout or
//! stderr closed (`jianbao build 2>&1 | head -1`) the work goes on and
//! ends quietly, so every line goes through `say!` or `tell!`, which ignore
//! write errors and show the input's unprintable characters escaped.

use std::io::Write;

use super::args::MessageFormat;
use super::exit::{EXIT_INPUT, EXIT_OK};
use crate::diagnostic::Diagnostic;
use crate::fonts::Origin;
use crate::source::show_path;

/// `eprintln!` that cannot panic: a closed stderr is not an error (the
/// work goes on), and unprintable characters from the input (terminal
/// escapes, bidi overrides) are shown escaped.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        let mut err = anstream::stderr().lock();
        for line in text.split('\n') {
            let _ = writeln!(err, "{}", $crate::script::escape_unprintable(line));
        }
    }};
}

/// `writeln!` to `out` of a line that may hold text from the input (font
/// names, characters): shown escaped, and a closed `out` is not an error.
macro_rules! tell {
    ($out:expr, $($arg:tt)*) => {{
        // Unused where `$out` is a generic writer.
        #[allow(unused_imports)]
        use std::io::Write as _;
        let text = format!($($arg)*);
        for line in text.split('\n') {
            let _ = writeln!($out, "{}", $crate::script::escape_unprintable(line));
        }
    }};
}

pub(crate) use {say, tell};

/// Prints diagnostics; returns the exit status they call for.
pub fn report(diags: &[&Diagnostic], format: MessageFormat, deny_warnings: bool) -> u8 {
    match format {
        MessageFormat::Human => {
            let mut err = anstream::stderr().lock();
            for d in diags {
                let _ = writeln!(err, "{}", d.render());
            }
        }
        MessageFormat::Json => {
            let mut out = std::io::stdout().lock();
            for d in diags {
                let _ = writeln!(out, "{}", d.to_json());
            }
        }
    }
    let errors = diags.iter().any(|d| d.is_error());
    if errors || (deny_warnings && !diags.is_empty()) {
        EXIT_INPUT
    } else {
        EXIT_OK
    }
}

/// How many problems `diags` stand for, errors or warnings: a line that
/// sums up repeats counts for each of them.
pub fn count<'d>(diags: impl IntoIterator<Item = &'d Diagnostic>, errors: bool) -> usize {
    diags
        .into_iter()
        .filter(|d| d.is_error() == errors)
        .map(|d| d.sums_up.unwrap_or(1))
        .sum()
}

/// One of typst's diagnostics: with its own place and source line when it
/// points into a layout, else after the path.
/// Safe to print as it is: a rendered diagnostic shows the input's
/// characters escaped (and carries its own colour codes); anything else is
/// escaped here.
pub fn typst_line(shown: &str, d: &crate::typeset::TypstDiagnostic) -> String {
    if d.diagnostic().is_some() {
        d.to_string()
    } else {
        crate::script::escape_unprintable(&format!("{shown}: {d}")).into_owned()
    }
}

/// `text` padded with spaces to `width` terminal columns (a Chinese
/// character takes two).
pub fn pad(text: &str, width: usize) -> String {
    let used = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(used)))
}

/// Where a face comes from, as `jianbao fonts` shows it.
pub fn origin_text(origin: &Origin) -> String {
    match origin {
        Origin::Embedded => "内置".to_string(),
        Origin::File(p) => show_path(p),
    }
}
