//! Outputs for people and tools. Only this layer (and the CLI) knows the
//! output formats. To add a format for `sopc check`: a module here taking
//! `&[FileReport]`, and a variant in `cli/check.rs`'s `Format`.

pub mod check_json;
pub mod doc;
pub mod format;
pub mod github;
pub mod graph;
pub mod sarif;

use crate::diagnostic::Diagnostic;

/// One checked file, as every output format receives it.
pub struct FileReport<'a> {
    pub name: &'a str,
    pub text: &'a str,
    pub diagnostics: &'a [Diagnostic],
}
