//! jianbao typesets Chinese government work bulletins (简报) to print-ready
//! PDF on the GB/T 9704 page.
//!
//! The pipeline, one module per stage, in the order the data passes:
//! [`publication`] finds `jianbao.toml` and the issue files and loads them
//! all →
//! [`issue`] parses an issue (front matter and body, with spans) →
//! [`check`] validates it ([`clean`] finds the fixes for text pasted from
//! Word, web pages and WeChat; `check` reports them, the build applies
//! them) →
//! [`compose`] breaks lines and pages in Rust into [`layout_data`] (the
//! `/issue.json` types and the page geometry, which import neither stage
//! around them) →
//! [`typeset`] draws that with the embedded Typst layout and writes PDF,
//! PNG or SVG pages (or [`docx`] writes the issue as a Word document on
//! the same grid, from its blocks and the composer's pages) →
//! [`archive`] builds the selected issues that are not current, in
//! parallel, keeping the output folder's [`manifest`] of what each PDF was
//! built from. Beside the build: [`export`] (a Typst project), [`watch`]
//! and [`serve`] (rebuilds on save, a live preview), [`create`] (`init`'s
//! publication, `new`'s next issue), [`import`] (a Word draft as the next
//! issue); [`cmd`] parses arguments, runs one
//! command per file and prints.
//!
//! Below the stages, importing nothing above them: [`source`] (files and
//! spans), [`diagnostic`] (what went wrong and where), [`config`]
//! (`jianbao.toml`), [`fonts`] (faces by role, and which role prints each
//! part of an issue), [`picture`] (picture files found and decoded within
//! limits), [`sandbox`] (what a run may read and write) and [`script`]
//! (which characters are wide, invisible or unprintable).
//!
//! No module imports one that imports it; `tests/architecture.rs` checks
//! it, and `docs/architecture.md` shows the graph.

// Output goes through `say!` / `tell!` (cmd/output.rs): a closed stdout or stderr
// (`jianbao build 2>&1 | head -1`) must end a run quietly with the work
// done, and std's print macros panic on it.
#![deny(clippy::print_stdout, clippy::print_stderr)]

// Below the stages.
pub mod config;
pub mod diagnostic;
pub mod fonts;
pub mod picture;
pub mod sandbox;
pub mod script;
pub mod source;
mod toml_table;

// The stages, in pipeline order.
pub mod publication;

pub mod issue;

pub mod check;
pub mod clean;

pub mod compose;

pub mod layout_data;

pub mod typeset;

pub mod docx;
// `--format ofd`: the same pages as GB/T 33190 OFD.
pub mod ofd;

pub mod archive;
pub mod manifest;

// Beside the build, and the command line.
pub mod cmd;
pub mod create;
pub mod export;
pub mod import;
pub mod serve;
pub mod watch;
