//! The composition, in Rust: an issue becomes [`LayoutData`], every page
//! with its rows placed on grid lines. The parts in the order they are
//! made: the masthead (`masthead.rs`), the body (`body.rs`: paragraphs broken
//! on the character grid by [`grid`], titles and captions broken between
//! words by [`title`], pictures sized by [`picture`]), the 本期要目
//! (`contents.rs`) and the 报/送/发 block (`closing.rs`); then `page.rs` breaks
//! them into pages. `measure.rs` reads the glyph metrics the composer needs
//! from the fonts.
//!
//! This file only puts the parts together: the files of this folder never
//! import it (`docs/architecture.md`).

mod attachment;
mod body;
mod closing;
mod contents;
pub mod grid;
mod masthead;
mod measure;
mod page;
pub mod picture;
mod rows;
pub mod table;
pub mod title;

use std::path::Path;

use crate::config::Config;
use crate::fonts::{Fonts, Role};
use crate::issue::Issue;
use crate::layout_data::geometry::*;
use crate::layout_data::{Family, FontRole, Grid, LayoutData};

/// The layout data of an issue: its pages composed and broken, and the
/// font families of each role.
pub fn compose(issue: &Issue, config: &Config, fonts: &Fonts, root: &Path) -> LayoutData {
    let masthead = masthead::rows(issue, config, fonts);
    // jianbao.toml's `[table] style`; a table's own `{三线表}` wins over it.
    let flow = body::body_flow(
        &issue.body,
        fonts,
        root,
        &issue.source.text,
        config.table.style,
    );
    let contents = contents::flow(issue, config, fonts);
    let closing = closing::rows(issue, config, fonts);
    let laid = page::paginate(masthead, contents, flow, closing);
    // Rare characters a family maps to an empty glyph (AR PL UKai's 䶮):
    // that family must not set them.
    let mut chars: Vec<char> = issue
        .source
        .text
        .chars()
        .filter(|c| !c.is_ascii())
        .collect();
    chars.sort_unstable();
    chars.dedup();
    let fonts_data = Role::ALL
        .iter()
        .map(|&role| {
            let (weight, families) = fonts.role(role);
            let mut blank: Vec<(&str, char)> = Vec::new();
            for &c in &chars {
                blank.extend(fonts.blank_in(role, c).into_iter().map(|f| (f, c)));
            }
            let families = families
                .iter()
                .map(|f| {
                    let skip: String = blank
                        .iter()
                        .filter(|(name, _)| *name == f.family)
                        .map(|(_, c)| format!("\\x{{{:X}}}", *c as u32))
                        .collect();
                    if skip.is_empty() {
                        Family::Name(f.family.clone())
                    } else {
                        Family::Covers {
                            name: f.family.clone(),
                            covers: format!("[^{skip}]"),
                        }
                    }
                })
                .collect();
            FontRole {
                role,
                families,
                weight,
            }
        })
        .collect();
    LayoutData {
        grid: Grid {
            left: LEFT,
            top: TOP,
            width: WIDTH,
            height: HEIGHT,
            pitch: PITCH,
            cell: CELL,
            lines: LINES,
            size: BODY_PT,
        },
        fonts: fonts_data,
        latin: fonts
            .role(Role::Latin)
            .1
            .iter()
            .map(|f| f.family.clone())
            .collect(),
        title: masthead::document_title(issue, config),
        pages: laid.pages,
        closing_alone: laid.closing_alone,
    }
}
