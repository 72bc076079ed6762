//! The checks over the decision graph, one file per family. Each check is a
//! function from the graph (and, for the path checks, its state space) to
//! diagnostics. Checks that need a sound graph (no dead end, no unbounded
//! loop) run only when the structural checks found none.
//!
//! To add a check: add its code to `codes.rs`, its section to docs/checks.md,
//! a function in the family file it belongs to (or a new file here), a call
//! in [`run`], and fixtures in tests/fixtures/check/.

mod budget;
mod flow;
mod loops;
mod reach;
mod review;
mod secrets;
mod structure;

pub use review::{civil_from_days, parse_date};

use crate::analysis::states::{SpaceError, StateId, StateSpace};
use crate::codes::Code;
use crate::diagnostic::{CounterExample, Diagnostic};
use crate::graph::{Exit, Graph};
use crate::levels::Levels;

/// What the checks need besides the graph.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The date `review-overdue` compares against (YEAR, MONTH, DAY).
    pub today: Option<(i32, u32, u32)>,
}

/// Runs every check and returns the diagnostics (unsorted). The checks that
/// can find a lint in every step skip the places where `levels` allows it;
/// the caller applies the levels to the rest.
pub fn run(g: &Graph, opts: &Options, levels: &Levels) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    structure::dead_ends(g, &mut diags);
    structure::terminals(g, &mut diags);
    structure::missing_text(g, levels, &mut diags);
    loops::bound_limits(g, &mut diags);
    loops::unbounded_loops(g, &mut diags);
    secrets::secret_leaks(g, &mut diags);
    review::review_overdue(g, opts, &mut diags);
    // The state space needs a way out of every step and bounded loops, with
    // bounds it can count.
    if diags
        .iter()
        .any(|d| matches!(d.code, Code::DeadEnd | Code::UnboundedLoop | Code::TooLarge))
    {
        return diags;
    }
    match StateSpace::build(g) {
        Ok(space) => {
            flow::must_analysis(g, &space, &mut diags);
            flow::unknown_facts(g, &space, &mut diags);
            reach::unreachable_steps(g, &space, levels, &mut diags);
            reach::infeasible_branches(g, &space, levels, &mut diags);
            budget::long_path(g, &space, &mut diags);
        }
        Err(SpaceError::TooLarge) => diags.push(
            Diagnostic::new(
                Code::TooLarge,
                format!(
                    "the policy has more than {} distinct caller situations to analyse",
                    crate::analysis::states::MAX_STATES
                ),
            )
            .at(g.step(g.start).span, "analysis starts here")
            .with_help("fewer `match` lines on facts asked far earlier keep the analysis small; split the policy"),
        ),
        // Ruled out by the unbounded-loop check above.
        Err(SpaceError::Cyclic) => diags.push(
            Diagnostic::new(Code::UnboundedLoop, "internal error: the analysis found a cycle the loop check missed")
                .with_help("this is a bug in sopc; please report it with the policy file"),
        ),
    }
    diags
}

/// The caller path along `path` (transitions from the start state), ending
/// at state `last` (or at the terminal the last transition reaches).
pub(crate) fn counter_example(
    g: &Graph,
    space: &StateSpace,
    path: &[(StateId, u32)],
    last: Option<StateId>,
) -> CounterExample {
    let mut ce = CounterExample::default();
    for &(s, t) in path {
        let step = g.step(space.step[s as usize]);
        ce.steps.push(step.name.clone());
        if let (Exit::Ask { fact, .. }, Some(a)) = (&step.exit, space.trans[t as usize].answer) {
            let f = g.fact(*fact);
            ce.answers
                .push((f.name.clone(), f.answers[a as usize].clone()));
        }
    }
    if let Some(last) = last {
        ce.steps
            .push(g.step(space.step[last as usize]).name.clone());
    }
    ce
}
