//! Shared by the subcommands that need a compiled policy: compile it, or
//! print its errors to standard error.

use super::input::Source;
use sopc::sources::DiskFiles;
use sopc::{diagnostic, Checked, Engine, Graph};
use std::io::IsTerminal;

/// The checked graph, or `None` after printing the errors.
pub fn compile_or_report(source: &Source) -> Option<Graph> {
    sopc::compile_file(&source.name, &source.text, &DiskFiles)
        .map(|(g, _)| g)
        .map_err(|c| errors(source, &c))
        .ok()
}

/// The engine for a policy, or `None` after printing the errors. The checks
/// run once (`Engine::compile_file`), not again to verify the graph.
pub fn engine_or_report(source: &Source) -> Option<Engine> {
    Engine::compile_file(&source.name, &source.text, &DiskFiles)
        .map(|(e, _)| e)
        .map_err(|c| errors(source, &c))
        .ok()
}

/// Prints a policy's errors to standard error, each in its file (the
/// policy or a library it uses).
fn errors(source: &Source, checked: &Checked) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for d in checked.diagnostics.iter().filter(|d| d.is_error()) {
        let (file, text) = checked.text_of(d, &source.text);
        let renderer = diagnostic::HumanRenderer::new(file.unwrap_or(&source.name), text, color);
        eprint!("{}", renderer.render(d));
        eprintln!();
    }
    let n = checked.diagnostics.iter().filter(|d| d.is_error()).count();
    eprintln!(
        "error: `{}` has {n} error{}; fix {} first",
        source.name,
        if n == 1 { "" } else { "s" },
        if n == 1 { "it" } else { "them" }
    );
}
