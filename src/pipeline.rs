//! The compiler driver: parse, resolve, lower, check, then apply the rule
//! levels. Each stage runs on what the stage before could read, whatever
//! errors it found.

use crate::check::{self, Options};
use crate::codes::Code;
use crate::diagnostic::{self, Diagnostic};
use crate::graph::Graph;
use crate::levels::{Level, Levels};
use std::collections::HashMap;

/// Options for a whole check run.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    pub check: Options,
    /// Levels set by configuration or the command line, by lint code.
    pub levels: HashMap<Code, Level>,
}

/// Everything a check run produced for one source text.
#[derive(Debug)]
pub struct Checked {
    pub graph: Option<Graph>,
    /// Sorted by position; allowed lints removed.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

pub fn check_source(text: &str, opts: &CheckOptions) -> Checked {
    let parsed = crate::syntax::parse(text);
    let mut diags = parsed.diagnostics;
    let policy = parsed.policy;
    // Not one step could be read: nothing more to say than why.
    if policy.steps.is_empty() && diags.iter().any(Diagnostic::is_error) {
        return finish(None, diags, &Levels::new(Vec::new(), &opts.levels));
    }
    // Every stage runs on what the one before could read: a broken
    // declaration is left out, a name that is not declared leads nowhere,
    // and the checks say nothing about either, so one run shows every
    // independent mistake.
    let mut symbols = crate::resolve::resolve(&policy, &mut diags);
    let levels = Levels::new(std::mem::take(&mut symbols.lints), &opts.levels);
    // Lowering consumes the tree; the names are not needed by the checks:
    // free them before the state space, the largest thing a check builds.
    let graph = crate::lower::lower(policy, &symbols, &mut diags);
    drop(symbols);
    let Some(graph) = graph else {
        return finish(None, diags, &levels);
    };
    diags.extend(check::run(&graph, &opts.check, &levels));
    finish(Some(graph), diags, &levels)
}

/// Compiles a policy to its checked graph, or returns its errors (and
/// warnings).
pub fn compile(text: &str) -> Result<Graph, Vec<Diagnostic>> {
    let checked = check_source(text, &CheckOptions::default());
    match checked.graph {
        Some(g) if !checked.has_errors() => Ok(g),
        _ => Err(checked.diagnostics),
    }
}

fn finish(graph: Option<Graph>, mut diags: Vec<Diagnostic>, levels: &Levels) -> Checked {
    // An error often leaves a declaration unused (a misspelt reference, a
    // dead end before the `end`): one mistake, one report. Unused
    // declarations are reported once the policy has no error.
    if diags.iter().any(Diagnostic::is_error) {
        diags.retain(|d| d.code != Code::UnusedDeclaration);
    }
    diags.retain_mut(|d| levels.apply(d));
    diagnostic::sort(&mut diags);
    Checked {
        graph,
        diagnostics: diags,
    }
}

/// The canonical layout of a policy (see [`crate::render::format`]), or its
/// syntax errors.
pub fn format_source(text: &str) -> Result<String, Vec<Diagnostic>> {
    let parsed = crate::syntax::parse(text);
    if parsed.has_errors() {
        return Err(parsed.diagnostics);
    }
    Ok(crate::render::format::format(&parsed.policy, text))
}
