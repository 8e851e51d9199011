//! jianbao typesets Chinese government work bulletins (简报) to print-ready
//! PDF on the GB/T 9704 page.
//!
//! The pipeline, one module per stage:
//! [`publication`] finds `jianbao.toml` and the issue files and loads them
//! all →
//! [`issue`] parses an issue (front matter and body, with spans) →
//! [`check`] validates it →
//! [`render`] lays it out (layout data, Typst world, embedded layout) and
//! exports the PDF; [`archive`] builds the selected issues in batches.
//! Before layout, [`clean`] fixes body text pasted from Word, web pages and
//! WeChat (and `check` reports what it fixes).
//!
//! Below the stages, importing nothing above them: [`source`] (files and
//! spans), [`diagnostic`] (what went wrong and where), [`config`]
//! (`jianbao.toml`) and [`fonts`] (faces by role, and which role prints
//! each part of an issue). [`cli`] only parses arguments and prints.

pub mod archive;
pub mod check;
pub mod clean;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod export;
pub mod fonts;
pub mod issue;
pub mod publication;
pub mod render;
pub mod script;
pub mod serve;
pub mod source;
mod toml_table;
pub mod watch;
