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
        return finish(None, diags, &StepLints::default(), opts);
    };
    let lints = StepLints::of(&policy);
    if diags.iter().any(Diagnostic::is_error) {
        return finish(None, diags, &lints, opts);
    }
    let symbols = crate::resolve::resolve(&policy, &mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return finish(None, diags, &lints, opts);
    }
    // Lowering consumes the tree; the names are not needed by the checks:
    // free them before the state space, the largest thing a check builds.
    let graph = crate::lower::lower(policy, &symbols, &mut diags);
    drop(symbols);
    let Some(graph) = graph else {
        return finish(None, diags, &lints, opts);
    };
    diags.extend(check::run(&graph, &opts.check));
    finish(Some(graph), diags, &lints, opts)
}

/// The `lint` lines of each step that has any, with the step's span, in
/// source order: all the levels need from the tree.
#[derive(Default)]
struct StepLints(Vec<(crate::span::Span, Vec<(String, LintLevel)>)>);

impl StepLints {
    fn of(policy: &ast::Policy) -> Self {
        StepLints(
            policy
                .steps
                .iter()
                .filter(|s| !s.lints.is_empty())
                .map(|s| {
                    let lints = s
                        .lints
                        .iter()
                        .map(|l| (l.code.text.to_string(), l.level))
                        .collect();
                    (s.span, lints)
                })
                .collect(),
        )
    }

    /// The level a `lint` line in the step holding `span` sets for `code`.
    /// Steps are in source order: a binary search, not a scan (a policy can
    /// have many thousands of both).
    fn level(&self, code: Code, span: crate::span::Span) -> Option<Level> {
        let i = self
            .0
            .partition_point(|(s, _)| s.start <= span.start)
            .checked_sub(1)?;
        let (step, lints) = &self.0[i];
        if span.end > step.end {
            return None;
        }
        lints
            .iter()
            .rev()
            .find(|(c, _)| c == code.name())
            .map(|(_, level)| match level {
                LintLevel::Allow => Level::Allow,
                LintLevel::Warn => Level::Warn,
                LintLevel::Deny => Level::Deny,
            })
    }
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
    graph: Option<Graph>,
    mut diags: Vec<Diagnostic>,
    lints: &StepLints,
    opts: &CheckOptions,
) -> Checked {
    diags.retain_mut(|d| apply_level(d, lints, opts));
    diagnostic::sort(&mut diags);
    Checked {
        graph,
        diagnostics: diags,
    }
}

/// Sets a lint's severity from, in order of precedence, a `lint` line in the
/// step it points into, then the options. Returns false when allowed.
fn apply_level(d: &mut Diagnostic, lints: &StepLints, opts: &CheckOptions) -> bool {
    if !d.code.is_lint() {
        return true;
    }
    let in_step = d.span.and_then(|span| lints.level(d.code, span));
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
