//! Scenarios: the named test cases written in a policy (`scenario "..." {
//! answers ...  expect ...  visits ... }`), run through the engine, with
//! step and branch coverage, like `opa test` for policy authors.

use crate::engine::{Engine, Evaluation};
use crate::graph::{Exit, FactId, Graph, OutcomeKind, StepId, Terminal};

/// What one scenario did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioResult {
    pub name: String,
    /// Empty when the scenario passed; otherwise what differed.
    pub failures: Vec<Mismatch>,
}

impl ScenarioResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// The answers ran out at this question.
    Unanswered {
        fact: String,
        step: String,
    },
    Outcome {
        expected: String,
        actual: String,
    },
    /// The expected steps, in order, are not all in the steps visited.
    Steps {
        expected: Vec<String>,
        actual: Vec<String>,
    },
    /// The call ended before these answers were asked for: `(fact, answer,
    /// round)`, rounds counted from 1. A scenario says what a caller
    /// answers; an answer never asked means the policy changed under it.
    Unused {
        answers: Vec<(String, String, usize)>,
    },
    /// A standing rule the scenario raises could not be raised: refused
    /// where the call waited, or the call never waited at its step.
    NotRaised {
        rule: String,
        why: String,
    },
}

/// Which steps and branches the scenarios reached.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    pub steps_total: usize,
    pub steps_covered: usize,
    pub branches_total: usize,
    pub branches_covered: usize,
    pub uncovered_steps: Vec<String>,
    /// `step: fact = answer`.
    pub uncovered_branches: Vec<String>,
}

impl Coverage {
    pub fn step_percent(&self) -> f64 {
        percent(self.steps_covered, self.steps_total)
    }

    pub fn branch_percent(&self) -> f64 {
        percent(self.branches_covered, self.branches_total)
    }
}

fn percent(n: usize, of: usize) -> f64 {
    if of == 0 {
        100.0
    } else {
        100.0 * n as f64 / of as f64
    }
}

pub struct Report {
    pub results: Vec<ScenarioResult>,
    pub coverage: Coverage,
}

/// Runs every scenario of the engine's graph.
pub fn run(engine: &Engine) -> Report {
    let g = engine.graph();
    let mut step_hit = vec![false; g.steps.len()];
    let mut branch_hit: Vec<Vec<bool>> = g
        .steps
        .iter()
        .map(|s| vec![false; branch_count(&s.exit)])
        .collect();
    let mut results = Vec::with_capacity(g.scenarios.len());
    for sc in &g.scenarios {
        let mut rounds = vec![Vec::new(); g.facts.len()];
        for (f, answers) in &sc.answers {
            rounds[f.index()].extend(answers.iter().copied());
        }
        crate::entries::default_entry_round(g, &mut rounds);
        let events: Vec<_> = sc
            .raises
            .iter()
            .map(|&(r, at)| (r, crate::engine::RaiseAt::AtStep(at)))
            .collect();
        let (evaluation, refused) = match engine.evaluate_with_events(rounds.clone(), &events) {
            Ok(e) => (e, None),
            Err((e, why)) => (e, Some(why)),
        };
        let (trace, terminal) = match &evaluation {
            Evaluation::Complete { terminal, trace } => (trace, Some(*terminal)),
            Evaluation::NeedsAnswer { trace, .. } => (trace, None),
        };
        for &s in &trace.steps {
            step_hit[s.index()] = true;
        }
        for &(s, a) in &trace.branches {
            if let Some(hit) = branch_hit[s.index()].get_mut(a as usize) {
                *hit = true;
            }
        }
        let mut failures = Vec::new();
        if let Evaluation::NeedsAnswer { question, .. } = &evaluation {
            failures.push(Mismatch::Unanswered {
                fact: g.fact(question.fact).name.to_string(),
                step: g.step(question.step).name.to_string(),
            });
        }
        if let (Some(expected), Some(actual)) = (sc.expect, terminal) {
            if !same_ending(g, expected, actual) {
                failures.push(Mismatch::Outcome {
                    expected: g.ending_text(expected),
                    actual: g.ending_text(actual),
                });
            }
        }
        if let Some(why) = refused {
            let rule = match &why {
                crate::engine::EngineError::NotRaisable { rule, .. } => rule.clone(),
                _ => String::new(),
            };
            failures.push(Mismatch::NotRaised {
                rule,
                why: why.to_string(),
            });
        } else {
            for &(r, at) in &sc.raises {
                if !trace.events.iter().any(|e| e.rule == r) {
                    failures.push(Mismatch::NotRaised {
                        rule: g.rule(r).name.clone(),
                        why: format!("the call never waited at `{}`", g.step(at).name),
                    });
                }
            }
        }
        let unused = evaluation.unused(&rounds);
        if !unused.is_empty() {
            failures.push(Mismatch::Unused {
                answers: unused_answers(g, &rounds, &unused),
            });
        }
        if let Some(visits) = &sc.visits {
            if !is_subsequence(visits, &trace.steps) {
                failures.push(Mismatch::Steps {
                    expected: names(g, visits),
                    actual: names(g, &trace.steps),
                });
            }
        }
        results.push(ScenarioResult {
            name: sc.name.clone(),
            failures,
        });
    }
    Report {
        results,
        coverage: coverage(g, &step_hit, &branch_hit),
    }
}

/// Each unused answer with its question and its round.
fn unused_answers(
    g: &Graph,
    rounds: &[Vec<u32>],
    unused: &[(FactId, Vec<u32>)],
) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    for (f, answers) in unused {
        let fact = g.fact(*f);
        let first = rounds[f.index()].len() - answers.len();
        for (i, &a) in answers.iter().enumerate() {
            out.push((
                fact.name.to_string(),
                fact.answers[a as usize].to_string(),
                first + i + 1,
            ));
        }
    }
    out
}

fn names(g: &Graph, steps: &[StepId]) -> Vec<String> {
    steps.iter().map(|&s| g.step(s).name.to_string()).collect()
}

/// `want` appears in `have` in order (other steps may come between).
fn is_subsequence(want: &[StepId], have: &[StepId]) -> bool {
    let mut it = have.iter();
    want.iter().all(|w| it.any(|h| h == w))
}

fn branch_count(exit: &Exit) -> usize {
    match exit {
        Exit::Ask { branches, .. } | Exit::Match { branches, .. } => branches.len(),
        _ => 0,
    }
}

fn coverage(g: &Graph, step_hit: &[bool], branch_hit: &[Vec<bool>]) -> Coverage {
    let mut c = Coverage {
        steps_total: g.steps.len(),
        ..Default::default()
    };
    for (i, step) in g.steps.iter().enumerate() {
        if step_hit[i] {
            c.steps_covered += 1;
        } else {
            c.uncovered_steps.push(step.name.to_string());
        }
        let (fact, branches) = match &step.exit {
            Exit::Ask { fact, branches } | Exit::Match { fact, branches } => {
                (g.fact(*fact), branches)
            }
            _ => continue,
        };
        // A branch is one written line: an `else`, or a range over several
        // classes of values, is covered when any answer it takes is. A
        // `match`'s missing branch is no line (no caller takes it).
        let mut written: Vec<(crate::span::Span, Vec<usize>)> = Vec::new();
        for (a, e) in branches.iter().enumerate() {
            if e.to == crate::graph::Dest::Unmatched {
                continue;
            }
            match written.iter_mut().find(|(s, _)| *s == e.span) {
                Some((_, answers)) => answers.push(a),
                None => written.push((e.span, vec![a])),
            }
        }
        for (_, answers) in written {
            c.branches_total += 1;
            if answers.iter().any(|&a| branch_hit[i][a]) {
                c.branches_covered += 1;
            } else {
                let names: Vec<&str> = answers.iter().map(|&a| fact.answer_words(a)).collect();
                c.uncovered_branches.push(format!(
                    "{}: {} = {}",
                    step.name,
                    fact.name,
                    names.join(" or ")
                ));
            }
        }
    }
    c
}

/// Whether a call that ended at `actual` ended as `expected` says: open
/// questions are the same ending when their notes are.
fn same_ending(g: &Graph, expected: Terminal, actual: Terminal) -> bool {
    let gap_note = |t: Terminal| {
        let o = g.outcome(t.outcome);
        (o.kind == OutcomeKind::Gap).then_some(o.label.as_str())
    };
    expected == actual || gap_note(expected).is_some_and(|n| gap_note(actual) == Some(n))
}
