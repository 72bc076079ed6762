//! Shared by the subcommands that need a compiled policy: compile it, or
//! print its errors to standard error.

use super::input::Source;
use sopc::{diagnostic, Diagnostic, Engine, Graph};
use std::io::IsTerminal;

/// The checked graph, or `None` after printing the errors.
pub fn compile_or_report(source: &Source) -> Option<Graph> {
    sopc::compile(&source.text)
        .map_err(|d| errors(source, &d))
        .ok()
}

/// The engine for a policy, or `None` after printing the errors. The checks
/// run once (`Engine::compile`), not again to verify the graph.
pub fn engine_or_report(source: &Source) -> Option<Engine> {
    Engine::compile(&source.text)
        .map_err(|d| errors(source, &d))
        .ok()
}

/// Prints a policy's errors to standard error.
fn errors(source: &Source, diags: &[Diagnostic]) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let renderer = diagnostic::HumanRenderer::new(&source.name, &source.text, color);
    for d in diags.iter().filter(|d| d.is_error()) {
        eprint!("{}", renderer.render(d));
        eprintln!();
    }
    let n = diags.iter().filter(|d| d.is_error()).count();
    eprintln!(
        "error: `{}` has {n} error{}; fix {} first",
        source.name,
        if n == 1 { "" } else { "s" },
        if n == 1 { "it" } else { "them" }
    );
}
