//! The integration tests, in one binary that links the library (and so
//! typst) once: the real binary on publication folders and its PDFs read
//! back (`build`, `fonts`), the laid-out document measured (`geometry`,
//! and the line composer's rules in `composition`, pagination in
//! `pages`),
//! and arbitrary input through the parser, the checks and `build`
//! (`robustness`), the other outputs — PNG, PDF/A, the exported project,
//! an office's layout (`outputs`) — and `watch` and `serve` driven from
//! the test (`live`), titles, 本期要目 entries, captions and speeches
//! broken by meaning (`titles`), what the commands say happened
//! (`reports`), pages that hostile input once broke (`attacked`), tables
//! (`tables`), attachments (`attachments`), Word drafts imported
//! (`import`), jianbao's own .docx imported back (`roundtrip`). The
//! corpus of `jianbao check` outputs is a binary of its own
//! (`tests/corpus.rs`).

mod archive;
mod attachments;
mod attacked;
mod build;
mod cleaning;
mod common;
mod completeness;
mod composition;
mod daily;
mod docx;
mod faces;
mod fonts;
mod geometry;
mod hostile;
mod import;
mod landscape;
mod layout;
mod live;
mod outputs;
mod pages;
mod pictures;
mod proof2;
mod proofread;
mod reports;
mod robustness;
mod roundtrip;
mod series;
mod serve;
mod tables;
mod titles;
mod writes;
