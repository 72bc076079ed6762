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
            if let Some(a) = t.answer {
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
