//! A graph with its unbounded loops cut, for the path checks that can still
//! run on a policy with an `unbounded-loop` error (see
//! `check::safety_checks_when_unsound`).
//!
//! A depth-first walk from the start finds every edge that closes a cycle
//! (it leads to a step still on the walk's stack); each such edge that no
//! bound counts is sent to a step with an unknown way out. Every cycle
//! holds such a closing edge, so what is left has bounded cycles only,
//! and every path of the cut graph is a prefix of a path of the policy.

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
        let Some(edge) = edges.into_iter().nth(*next) else {
            state[step.index()] = 2;
            frames.pop();
            continue;
        };
        *next += 1;
        let mut enter = Vec::new();
        // The retry is counted by its bound; the way on after it is not.
        let counted = edge.bound.is_some();
        for (dest, is_counted) in [(&mut edge.to, counted)]
            .into_iter()
            .chain(edge.bound.as_mut().map(|b| (&mut b.then, false)))
        {
            let Dest::Step(to) = *dest else { continue };
            match state.get(to.index()) {
                Some(1) if !is_counted => {
                    *dest = Dest::Step(sink);
                    any = true;
                }
                Some(0) => enter.push(to),
                _ => {}
            }
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
