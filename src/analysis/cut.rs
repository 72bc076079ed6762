//! A graph with its unbounded loops cut, for the path checks that can still
//! run on a policy with an `unbounded-loop` error (see
//! `check::safety_checks_when_unsound`).
//!
//! A depth-first walk from the start finds every edge that closes a cycle
//! (it leads to a step still on the walk's stack); each such edge that no
//! bound counts is sent to a step with an unknown way out. Every cycle
//! holds such a closing edge, so what is left has bounded cycles only,
//! and every path of the cut graph is a prefix of a path of the policy.
//! A return to a step with a loop bound is counted by that bound; the
//! loop's `then` is a way on from the step, cut like any other.

use crate::graph::{Dest, Edge, Exit, Graph, Step, StepId};

/// The graph with every unbounded cycle cut (the graph itself, cloned,
/// when it has none).
pub fn unbounded_loops_cut(g: &Graph) -> Graph {
    let mut cut = g.clone();
    let sink = StepId::new(g.steps.len());
    let mut any = false;
    // 0: not seen, 1: on the walk's stack, 2: done.
    let mut state = vec![0u8; g.steps.len()];
    // Each frame: a step and the index of its next edge to follow.
    let mut frames: Vec<(StepId, usize)> = Vec::new();
    if g.start.index() < g.steps.len() {
        state[g.start.index()] = 1;
        frames.push((g.start, 0));
    }
    while let Some(&mut (step, ref mut next)) = frames.last_mut() {
        let edges = edges_mut(&mut cut.steps[step.index()].exit);
        let Some(&mut mut edge) = edges.into_iter().nth(*next) else {
            state[step.index()] = 2;
            frames.pop();
            continue;
        };
        let at = *next;
        *next += 1;
        let mut enter = Vec::new();
        // The retry is counted by its bound; the way on after it is not.
        let counted = edge.bound.is_some();
        for (dest, is_counted) in [(&mut edge.to, counted)]
            .into_iter()
            .chain(edge.bound.as_mut().map(|b| (&mut b.then, false)))
        {
            let Dest::Step(to) = *dest else { continue };
            // A step on the walk's stack leads back here: a return to it
            // counts against its loop bound, if it has one.
            let loop_bound = cut.steps.get(to.index()).and_then(|s| s.loop_bound());
            match state.get(to.index()) {
                Some(1) if !is_counted && loop_bound.is_none() => {
                    *dest = Dest::Step(sink);
                    any = true;
                }
                Some(0) => enter.push(to),
                _ => {}
            }
            // The way on once the loop's budget is spent is not counted.
            if let Some(Dest::Step(then)) = loop_bound.map(|l| l.then) {
                match state.get(then.index()) {
                    Some(1) => {
                        if let Some(l) = cut.steps[to.index()].loop_bound.as_mut() {
                            l.then = Dest::Step(sink);
                        }
                        any = true;
                    }
                    Some(0) => enter.push(then),
                    _ => {}
                }
            }
        }
        if let Some(slot) = edges_mut(&mut cut.steps[step.index()].exit)
            .into_iter()
            .nth(at)
        {
            *slot = edge;
        }
        for to in enter {
            if state[to.index()] == 0 {
                state[to.index()] = 1;
                frames.push((to, 0));
            }
        }
    }
    if any {
        cut.steps.push(Step::unknown());
    }
    cut
}

fn edges_mut(exit: &mut Exit) -> Vec<&mut Edge> {
    match exit {
        Exit::Ask { branches, .. } | Exit::Match { branches, .. } => branches.iter_mut().collect(),
        Exit::Goto { edge } => vec![edge],
        Exit::End { .. } | Exit::None | Exit::Unknown => Vec::new(),
    }
}
