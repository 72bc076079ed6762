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
    let mut found = check::run(&graph, &opts.check, &levels);
    merge_copies(&graph, &mut found);
    diags.extend(found);
    finish(Some(graph), diags, &levels)
}

/// The checks see a procedure once per call (its copies share its spans):
/// what they find in a procedure is reported once, at the first call
/// whose path shows it, and a finding about every path (a step no path
/// reaches, a branch no path takes) only when it holds at every call.
/// Findings are the same when their code, span and message are, the
/// copies' step names read as the procedure writes them: two secrets in
/// one ticket are two findings.
fn merge_copies(g: &Graph, diags: &mut Vec<Diagnostic>) {
    if g.procedures.iter().all(|p| p.calls.is_empty()) {
        return;
    }
    // `s4>push` is `push` in the message of any copy; longest first, so
    // that a copy inside a copy (`s4>push>x`) loses its whole prefix.
    let mut prefixes: Vec<String> = g
        .procedures
        .iter()
        .flat_map(|p| &p.calls)
        .map(|c| format!("`{}>", g.step(c.step).name))
        .collect();
    prefixes.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let finding = |d: &Diagnostic, span: crate::span::Span| {
        let message = prefixes
            .iter()
            .fold(d.message.clone(), |m, p| m.replace(p.as_str(), "`"));
        (d.code, span.start, span.end, message)
    };
    let inside = |d: &Diagnostic| {
        let span = d.span?;
        g.procedures.iter().position(|p| {
            !p.calls.is_empty() && p.body_span.start <= span.start && span.end <= p.body_span.end
        })
    };
    let mut count: HashMap<(Code, u32, u32, String), usize> = HashMap::new();
    for d in diags.iter() {
        if let (Some(_), Some(span)) = (inside(d), d.span) {
            *count.entry(finding(d, span)).or_default() += 1;
        }
    }
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| {
        let (Some(p), Some(span)) = (inside(d), d.span) else {
            return true;
        };
        let key = finding(d, span);
        let every_path = matches!(d.code, Code::UnreachableStep | Code::InfeasibleBranch);
        if every_path && count[&key] < g.procedures[p].calls.len() {
            return false;
        }
        seen.insert(key)
    });
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
    // An error often leaves a declaration (or a procedure's exit) unused
    // (a misspelt reference, a dead end before the `end`): one mistake,
    // one report. Unused declarations are reported once the policy has no
    // error.
    if diags.iter().any(Diagnostic::is_error) {
        diags.retain(|d| !matches!(d.code, Code::UnusedDeclaration | Code::UnusedExit));
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
