//! Graph analyses shared by the checks, `paths`, and `diff`: strongly
//! connected components, fact liveness, the state space of feasible caller
//! situations, and exact path counting. All are iterative (no recursion), so
//! a policy of a million steps cannot overflow the stack.

pub mod count;
pub mod cut;
pub mod liveness;
pub mod said;
pub mod scc;
pub mod states;

use crate::graph::{Dest, Exit, FactSource, Graph, StepId};

/// Whether a call may wait at `step` for someone: a question, or a fact
/// looked up or verified where a `match` first reads it. A standing rule is
/// raised at such a moment; a host's fact is given at once.
pub fn waits(g: &Graph, step: StepId) -> bool {
    match g.step(step).exit {
        Exit::Ask { .. } => true,
        Exit::Match { fact, .. } => {
            let f = g.fact(fact);
            f.asked_by().is_none() && f.source != FactSource::Host
        }
        _ => false,
    }
}

/// The handlers of the standing rules a call waiting at `step` may raise.
pub fn raised_to(g: &Graph, step: StepId) -> impl Iterator<Item = StepId> + '_ {
    let waits = !g.standing.is_empty() && waits(g, step);
    g.standing
        .iter()
        .filter(move |r| waits && r.covers(step))
        .map(|r| r.handler)
}

/// The steps an edge can lead to: its destination and, for a bounded edge,
/// the `then` destination.
pub fn successors(g: &Graph, step: StepId) -> impl Iterator<Item = StepId> + '_ {
    g.step(step).exit.edges().flat_map(|(_, e)| {
        let then = e.bound.map(|b| b.then);
        [Some(e.to), then]
            .into_iter()
            .flatten()
            .filter_map(|d| match d {
                Dest::Step(s) => Some(s),
                Dest::End(_) | Dest::Unmatched => None,
            })
    })
}
