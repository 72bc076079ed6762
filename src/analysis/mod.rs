//! Graph analyses shared by the checks, `paths`, and `diff`: strongly
//! connected components, fact liveness, the state space of feasible caller
//! situations, and exact path counting. All are iterative (no recursion), so
//! a policy of a million steps cannot overflow the stack.

pub mod count;
pub mod cut;
pub mod lists;
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
/// the `then` destination; where either is a step with a bound on its loop
/// as a whole, that bound's `then` too (where the bound may send the call
/// instead). Every move a call can make along an edge is one of these, so
/// a cycle of moves stays in one component of [`scc::of_graph`].
pub fn successors(g: &Graph, step: StepId) -> impl Iterator<Item = StepId> + '_ {
    g.step(step).exit.edges().flat_map(move |(_, e)| {
        let then = e.bound.map(|b| b.then);
        let spent = |d: Option<Dest>| d.and_then(|d| g.loop_at(d)).map(|l| l.then);
        [Some(e.to), then, spent(Some(e.to)), spent(then)]
            .into_iter()
            .flatten()
            .filter_map(|d| match d {
                Dest::Step(s) => Some(s),
                Dest::End(_) | Dest::Unmatched => None,
            })
    })
}

/// Where a call that leaves `from` for `to` arrives: `to`, or, when `to`
/// is a step with a bound on its loop as a whole and `from` is a step of
/// that loop (`comps` from [`scc::of_graph`]), the bound, which the caller
/// counts.
pub fn loop_return(
    g: &Graph,
    comps: &scc::Components,
    from: StepId,
    to: Dest,
) -> Option<crate::graph::LoopBound> {
    let Dest::Step(t) = to else { return None };
    let bound = g.step(t).loop_bound()?;
    // An edge inside one component is on a cycle: the component is a loop.
    (comps.comp.get(from.index()) == comps.comp.get(t.index())).then_some(bound)
}
