//! Lint levels: whether a lint found at a given place is allowed, warned or
//! denied. A `lint` line in the step the finding points into comes first,
//! then configuration and the command line, then the lint's default.

use crate::codes::{Code, Severity};
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{self, LintLevel};
use std::collections::HashMap;

/// How a lint is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

/// The levels for one policy.
#[derive(Debug, Default)]
pub struct Levels {
    /// The steps that have `lint` lines, in source order, with their span.
    steps: Vec<(Span, Vec<(Code, Level)>)>,
    /// From configuration and the command line, by lint code.
    global: HashMap<Code, Level>,
}

impl Levels {
    /// The levels `global` sets, with the `lint` lines of the policy's steps
    /// over them. A line naming no known check is left to resolution, which
    /// reports it.
    pub fn new(policy: Option<&ast::Policy>, global: &HashMap<Code, Level>) -> Self {
        let steps = policy.map_or_else(Vec::new, |p| {
            p.steps
                .iter()
                .filter(|s| !s.lints.is_empty())
                .map(|s| {
                    let lints = s
                        .lints
                        .iter()
                        .filter_map(|l| Some((Code::from_name(l.code.text)?, level(l.level))))
                        .collect();
                    (s.span, lints)
                })
                .collect()
        });
        Levels {
            steps,
            global: global.clone(),
        }
    }

    /// The level set for `code` found at `span`, if any. Steps are in source
    /// order: a binary search, not a scan (a policy can have many thousands
    /// of both).
    pub fn level(&self, code: Code, span: Option<Span>) -> Option<Level> {
        span.and_then(|span| self.in_step(code, span))
            .or_else(|| self.global.get(&code).copied())
    }

    fn in_step(&self, code: Code, span: Span) -> Option<Level> {
        let i = self
            .steps
            .partition_point(|(s, _)| s.start <= span.start)
            .checked_sub(1)?;
        let (step, lints) = &self.steps[i];
        if span.end > step.end {
            return None;
        }
        lints
            .iter()
            .rev()
            .find(|(c, _)| *c == code)
            .map(|&(_, level)| level)
    }

    /// Whether a finding of `code` at `span` would be dropped: checks that
    /// can find one per step ask this before wording it.
    pub fn allows(&self, code: Code, span: Span) -> bool {
        code.is_lint() && self.level(code, Some(span)) == Some(Level::Allow)
    }

    /// Sets a lint's severity from its level. Returns false when allowed.
    pub fn apply(&self, d: &mut Diagnostic) -> bool {
        if !d.code.is_lint() {
            return true;
        }
        match self.level(d.code, d.span) {
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
}

fn level(l: LintLevel) -> Level {
    match l {
        LintLevel::Allow => Level::Allow,
        LintLevel::Warn => Level::Warn,
        LintLevel::Deny => Level::Deny,
    }
}
