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

use crate::graph::{Dest, Graph, StepId};

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
