//! `unreachable-step` and `infeasible-branch`, over feasible caller paths
//! only: a step or a `match` branch counts as reached when some state of the
//! state space reaches it.

use crate::analysis::states::StateSpace;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::graph::{Exit, Graph};
use crate::levels::Levels;
use crate::span::Span;

pub fn unreachable_steps(
    g: &Graph,
    space: &StateSpace,
    levels: &Levels,
    diags: &mut Vec<Diagnostic>,
) {
    let mut reached = vec![false; g.steps.len()];
    for &s in &space.step {
        reached[s.index()] = true;
    }
    for (i, step) in g.steps.iter().enumerate() {
        if !reached[i] && !levels.allows(Code::UnreachableStep, step.span) {
            diags.push(
                Diagnostic::new(
                    Code::UnreachableStep,
                    format!("no caller path reaches the step `{}`", step.name),
                )
                .at(step.span, "unreachable")
                .with_help("send a branch here, or remove the step"),
            );
        }
    }
}

pub fn infeasible_branches(
    g: &Graph,
    space: &StateSpace,
    levels: &Levels,
    diags: &mut Vec<Diagnostic>,
) {
    // taken[step][answer], only for match steps.
    let mut taken: Vec<Vec<bool>> = g
        .steps
        .iter()
        .map(|s| match &s.exit {
            Exit::Match { branches, .. } => vec![false; branches.len()],
            _ => Vec::new(),
        })
        .collect();
    let mut reached = vec![false; g.steps.len()];
    for s in 0..space.len() as u32 {
        let step = space.step[s as usize].index();
        reached[step] = true;
        if taken[step].is_empty() {
            continue;
        }
        for t in space.transitions(s) {
            if let Some(a) = t.answer() {
                taken[step][a as usize] = true;
            }
        }
    }
    for (i, step) in g.steps.iter().enumerate() {
        let Exit::Match { fact, branches } = &step.exit else {
            continue;
        };
        if !reached[i] {
            continue;
        }
        let f = g.fact(*fact);
        // One report per written branch: an `else` covers several answers.
        let mut spans: Vec<(Span, Vec<usize>)> = Vec::new();
        for (a, e) in branches.iter().enumerate() {
            // A missing branch is no line of the policy.
            if e.to == crate::graph::Dest::Unmatched {
                continue;
            }
            match spans.iter_mut().find(|(s, _)| *s == e.span) {
                Some((_, answers)) => answers.push(a),
                None => spans.push((e.span, vec![a])),
            }
        }
        for (span, answers) in spans {
            if answers.iter().any(|&a| taken[i][a]) || levels.allows(Code::InfeasibleBranch, span) {
                continue;
            }
            let names: Vec<&str> = answers.iter().map(|&a| f.answers[a].as_str()).collect();
            diags.push(
                Diagnostic::new(
                    Code::InfeasibleBranch,
                    format!(
                        "no caller path reaches `{}` with `{} = {}`",
                        step.name,
                        f.name,
                        names.join(" or ")
                    ),
                )
                .at(span, "this branch is never taken")
                .with_label(f.span, "the answer is fixed earlier")
                .with_help("the earlier answer already decides this branch; remove it or route the other answers here"),
            );
        }
    }
}

/// `non-exhaustive` on a `match` that names no branch for an answer some
/// caller path brings to it, with that path (answers no path brings there
/// may go unnamed).
pub fn unmatched(g: &Graph, space: &StateSpace, diags: &mut Vec<Diagnostic>) {
    let mut reported: Vec<(crate::graph::StepId, u32)> = Vec::new();
    for &(s, answer) in &space.unmatched_at {
        let step_id = space.step[s as usize];
        if reported.contains(&(step_id, answer)) {
            continue;
        }
        reported.push((step_id, answer));
        let step = g.step(step_id);
        let Exit::Match { fact, .. } = step.exit else {
            continue;
        };
        let f = g.fact(fact);
        let value = &f.answers[answer as usize];
        let mut path = super::counter_example(g, space, &space.path_to(s), Some(s));
        if space.obtains(g, s).is_some() {
            path.answers.push((f.name.to_string(), value.to_string()));
        }
        diags.push(
            Diagnostic::new(
                Code::NonExhaustive,
                format!(
                    "the match on `{}` in step `{}` has no branch for {}, which a caller path brings here",
                    f.name,
                    step.name,
                    quoted_value(f, answer)
                ),
            )
            .at(step.span, format!("no branch for {value}"))
            .with_help(format!(
                "add a branch for {} or an `else -> STEP` line; an answer no caller path brings here may stay out",
                quoted_value(f, answer)
            ))
            .with_path(path),
        );
    }
}

/// An answer as a message names it: `b`, or the least value of a range
/// (`50000.00`).
fn quoted_value(f: &crate::graph::Fact, a: u32) -> String {
    match &f.kind {
        crate::graph::FactKind::Ordered(o) => {
            let first = o.classes.iter().position(|&c| c == a).unwrap_or(0);
            let least = crate::domain::class_interval(o.scale, &o.cuts, first).0;
            crate::domain::format(o.scale, least)
        }
        _ => format!("`{}`", f.answers[a as usize]),
    }
}

/// `open-gap`: each `gap "…"` some caller path reaches, with that path, so
/// the SOP owner sees every question the source leaves open.
pub fn open_gaps(g: &Graph, space: &StateSpace, levels: &Levels, diags: &mut Vec<Diagnostic>) {
    use crate::analysis::states::Next;
    let mut seen: Vec<crate::graph::OutcomeId> = Vec::new();
    // A `gap` the call goes on past: reported where a path first enters
    // its step (a procedure's copies share the span, reported once).
    let mut passed: std::collections::HashSet<crate::span::Span> = Default::default();
    for s in 0..space.len() as u32 {
        let step = g.step(space.step[s as usize]);
        for a in &step.actions {
            let crate::graph::Action::Gap { note, span } = a else {
                continue;
            };
            if !passed.insert(*span) || levels.allows(Code::OpenGap, step.span) {
                continue;
            }
            let path = super::counter_example(g, space, &space.path_to(s), Some(s));
            diags.push(
                Diagnostic::new(
                    Code::OpenGap,
                    format!("an open question for the SOP owner: {note}"),
                )
                .at(*span, "an open question for the SOP owner; the call goes on")
                .with_help("ask the SOP owner and write the answer in; `lint allow open-gap` on the step keeps it open on purpose")
                .with_path(path),
            );
        }
        for t in space.transitions(s) {
            let Next::End(terminal) = space.next(t) else {
                continue;
            };
            let o = g.outcome(terminal.outcome);
            if o.kind != crate::graph::OutcomeKind::Gap || seen.contains(&terminal.outcome) {
                continue;
            }
            seen.push(terminal.outcome);
            if levels.allows(Code::OpenGap, g.step(space.step[s as usize]).span) {
                continue;
            }
            let mut path = super::counter_example(g, space, &space.path_to(s), Some(s));
            if let (Some(fact), Some(a)) = (space.obtains(g, s), t.answer()) {
                let f = g.fact(fact);
                path.answers
                    .push((f.name.to_string(), f.answers[a as usize].to_string()));
            }
            diags.push(
                Diagnostic::new(
                    Code::OpenGap,
                    format!("an open question for the SOP owner: {}", o.label),
                )
                .at(o.span, "an open question for the SOP owner")
                .with_help("ask the SOP owner and write the answer in; `lint allow open-gap` on the step keeps it open on purpose")
                .with_path(path),
            );
        }
    }
}
