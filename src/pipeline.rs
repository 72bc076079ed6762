//! The compiler driver: parse, resolve, lower, check, then apply the rule
//! levels. A stage that reports errors stops the later ones.

use crate::check::{self, Options};
use crate::codes::{Code, Severity};
use crate::diagnostic::{self, Diagnostic};
use crate::graph::Graph;
use crate::syntax::ast::{self, LintLevel};
use std::collections::HashMap;

/// How a lint is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

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
    pub policy: Option<ast::Policy>,
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
    let Some(policy) = parsed.policy else {
        return finish(None, None, diags, opts);
    };
    if diags.iter().any(Diagnostic::is_error) {
        return finish(Some(policy), None, diags, opts);
    }
    let symbols = crate::resolve::resolve(&policy, &mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return finish(Some(policy), None, diags, opts);
    }
    let Some(graph) = crate::lower::lower(&policy, &symbols, &mut diags) else {
        return finish(Some(policy), None, diags, opts);
    };
    diags.extend(check::run(&graph, &opts.check));
    finish(Some(policy), Some(graph), diags, opts)
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

fn finish(
    policy: Option<ast::Policy>,
    graph: Option<Graph>,
    mut diags: Vec<Diagnostic>,
    opts: &CheckOptions,
) -> Checked {
    diags.retain_mut(|d| apply_level(d, policy.as_ref(), opts));
    diagnostic::sort(&mut diags);
    Checked {
        policy,
        graph,
        diagnostics: diags,
    }
}

/// Sets a lint's severity from, in order of precedence, a `lint` line in the
/// step it points into, then the options. Returns false when allowed.
fn apply_level(d: &mut Diagnostic, policy: Option<&ast::Policy>, opts: &CheckOptions) -> bool {
    if !d.code.is_lint() {
        return true;
    }
    // Steps are in source order: the step holding the span is found by a
    // binary search, not a scan (a policy can have many thousands of both).
    let in_step = d.span.and_then(|span| {
        let steps = &policy?.steps;
        let i = steps
            .partition_point(|s| s.span.start <= span.start)
            .checked_sub(1)?;
        let s = &steps[i];
        if span.end > s.span.end {
            return None;
        }
        s.lints
            .iter()
            .rev()
            .find(|l| l.code.text == d.code.name())
            .map(|l| match l.level {
                LintLevel::Allow => Level::Allow,
                LintLevel::Warn => Level::Warn,
                LintLevel::Deny => Level::Deny,
            })
    });
    match in_step.or_else(|| opts.levels.get(&d.code).copied()) {
        Some(Level::Allow) => false,
        Some(Level::Deny) => {
            d.severity = Severity::Error;
            true
        }
        Some(Level::Warn) => {
            d.severity = Severity::Warning;
            true
        }
        None => true,
    }
}

/// The canonical layout of a policy (see [`crate::render::format`]), or its
/// syntax errors.
pub fn format_source(text: &str) -> Result<String, Vec<Diagnostic>> {
    let parsed = crate::syntax::parse(text);
    match parsed.policy {
        Some(p) if !parsed.diagnostics.iter().any(Diagnostic::is_error) => {
            Ok(crate::render::format::format(&p, text))
        }
        _ => Err(parsed.diagnostics),
    }
}
