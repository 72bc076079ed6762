//! Lint levels: whether a lint found at a given place is allowed, warned or
//! denied. A `lint` line in the step the finding points into comes first,
//! then the command line (a later flag over an earlier one), then
//! `sopc.toml`, then the lint's default. As in rustc and clippy, `-D
//! warnings` is not a level of every lint: it raises the findings that are
//! still warnings once those levels are applied ([`Overrides::finish`]).

use crate::codes::{Code, Severity};
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use std::collections::HashMap;

/// How a lint is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

/// The `lint` lines of a policy's steps: each step that has any, by its
/// span, in source order.
pub type StepLints = Vec<(Span, Vec<(Code, Level)>)>;

/// The levels for one policy.
#[derive(Debug, Default)]
pub struct Levels {
    /// The steps that have `lint` lines, in source order, with their span.
    steps: StepLints,
    /// From configuration and the command line, by lint code.
    global: HashMap<Code, Level>,
}

impl Levels {
    /// The levels `global` sets, with the `lint` lines of the policy's steps
    /// over them (by the span of each step that has any, in source order;
    /// resolution reads them: [`crate::resolve::Symbols::lints`]).
    pub fn new(steps: StepLints, global: &HashMap<Code, Level>) -> Self {
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

/// The levels given on the command line, in order: `(level, CODE)` with
/// `warnings` for every finding left at warning level.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// By code: the last flag naming the code.
    codes: HashMap<Code, Level>,
    /// The last `-A/-W/-D warnings`.
    warnings: Option<Level>,
}

impl Overrides {
    /// Reads flags in the order given; a code that is not a lint is refused
    /// with the reason.
    pub fn parse<'a>(flags: impl IntoIterator<Item = (Level, &'a str)>) -> Result<Self, String> {
        let mut o = Overrides::default();
        for (level, name) in flags {
            if name == "warnings" {
                o.warnings = Some(level);
            } else {
                o.codes.insert(Code::lookup_lint(name)?, level);
            }
        }
        Ok(o)
    }

    /// The levels by code: these flags over `config` (from `sopc.toml`).
    pub fn over(&self, mut config: HashMap<Code, Level>) -> HashMap<Code, Level> {
        config.extend(self.codes.iter().map(|(c, l)| (*c, *l)));
        config
    }

    /// Applies `-D warnings` (or `-A warnings`) to the findings of a check
    /// whose levels are already applied: only what is still a warning
    /// changes.
    pub fn finish(&self, diags: &mut Vec<Diagnostic>) {
        match self.warnings {
            Some(Level::Deny) => {
                for d in diags.iter_mut() {
                    if d.severity == Severity::Warning {
                        d.severity = Severity::Error;
                    }
                }
            }
            Some(Level::Allow) => diags.retain(|d| d.severity != Severity::Warning),
            Some(Level::Warn) | None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warning(code: Code) -> Diagnostic {
        Diagnostic::new(code, "found")
    }

    /// The severities left after `flags` over `config` and a policy with no
    /// `lint` lines, for an unreachable step and a long path.
    fn outcome(config: &[(Code, Level)], flags: &[(Level, &str)]) -> Vec<(Code, Severity)> {
        let o = Overrides::parse(flags.iter().copied()).expect("valid flags");
        let levels = Levels::new(Vec::new(), &o.over(config.iter().copied().collect()));
        let mut diags = vec![warning(Code::UnreachableStep), warning(Code::LongPath)];
        diags.retain_mut(|d| levels.apply(d));
        o.finish(&mut diags);
        diags.iter().map(|d| (d.code, d.severity)).collect()
    }

    #[test]
    fn later_flags_win() {
        use Level::*;
        let (u, l) = (Code::UnreachableStep, Code::LongPath);
        let (w, e) = (Severity::Warning, Severity::Error);
        assert_eq!(outcome(&[], &[]), [(u, w), (l, w)]);
        assert_eq!(
            outcome(
                &[],
                &[(Deny, "unreachable-step"), (Allow, "unreachable-step")]
            ),
            [(l, w)]
        );
        assert_eq!(
            outcome(
                &[],
                &[(Allow, "unreachable-step"), (Deny, "unreachable-step")]
            ),
            [(u, e), (l, w)]
        );
        assert_eq!(
            outcome(&[(u, Allow)], &[(Warn, "unreachable-step")]),
            [(u, w), (l, w)]
        );
    }

    #[test]
    fn deny_warnings_raises_only_what_is_left_at_warn() {
        use Level::*;
        let (u, l) = (Code::UnreachableStep, Code::LongPath);
        let e = Severity::Error;
        assert_eq!(outcome(&[], &[(Deny, "warnings")]), [(u, e), (l, e)]);
        assert_eq!(outcome(&[(u, Allow)], &[(Deny, "warnings")]), [(l, e)]);
        for flags in [
            [(Deny, "warnings"), (Allow, "unreachable-step")],
            [(Allow, "unreachable-step"), (Deny, "warnings")],
        ] {
            assert_eq!(outcome(&[], &flags), [(l, e)]);
        }
        assert_eq!(
            outcome(&[], &[(Deny, "long-path"), (Allow, "warnings")]),
            [(l, e)]
        );
        assert_eq!(
            outcome(&[], &[(Deny, "warnings"), (Warn, "warnings")]).len(),
            2
        );
    }

    #[test]
    fn errors_cannot_change_level() {
        let e = Overrides::parse([(Level::Allow, "dead-end")]).unwrap_err();
        assert!(e.contains("always an error"), "{e}");
        assert!(Overrides::parse([(Level::Warn, "no-such")]).is_err());
    }
}
