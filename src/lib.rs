//! jianbao typesets Chinese government work bulletins (简报) to print-ready
//! PDF on the GB/T 9704 page.
//!
//! The pipeline, one module per stage:
//! [`publication`] finds `jianbao.toml` and the issue files and loads them
//! all →
//! [`issue`] parses an issue (front matter and body, with spans) →
//! [`check`] validates it →
//! [`render`] lays it out (layout data, Typst world, embedded layout) and
//! exports the PDF; [`archive`] builds the selected issues that are not
//! current, in parallel batches, keeping the output folder's [`manifest`]
//! of what each PDF was built from. [`create`] writes new files: the
//! publication of `jianbao init` and the next issue of `jianbao new`.
//! Before layout, [`clean`] fixes body text pasted from Word, web pages and
//! WeChat (and `check` reports what it fixes).
//!
//! Below the stages, importing nothing above them: [`source`] (files and
//! spans), [`diagnostic`] (what went wrong and where), [`config`]
//! (`jianbao.toml`) and [`fonts`] (faces by role, and which role prints
//! each part of an issue). [`cli`] only parses arguments and prints.

// Output goes through `say!` / `tell!` (cli.rs): a closed stdout or stderr
// (`jianbao build 2>&1 | head -1`) must end a run quietly with the work
// done, and std's print macros panic on it.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod archive;
pub mod check;
pub mod clean;
pub mod cli;
pub mod compose;
pub mod config;
pub mod create;
pub mod diagnostic;
pub mod export;
pub mod fonts;
pub mod issue;
pub mod layout_data;
pub mod manifest;
pub mod picture;
pub mod publication;
pub mod sandbox;
pub mod script;
pub mod serve;
pub mod source;
mod toml_table;
pub mod typeset;
pub mod watch;
