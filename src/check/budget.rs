//! `long-path`: the most questions on any caller path (bounded retries
//! unrolled), by dynamic programming over the state space, against the
//! header's `budget N questions`.

use super::counter_example;
use crate::analysis::states::{Next, StateSpace};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::graph::Graph;

/// The largest number of questions from each state to a terminal, and the
/// transition that achieves it.
pub fn longest(g: &Graph, space: &StateSpace) -> (Vec<u32>, Vec<u32>) {
    let n = space.len();
    let mut most = vec![0u32; n];
    let mut via = vec![u32::MAX; n];
    for &s in space.topo.iter().rev() {
        // A question asked, or a fact read from the caller or a system
        // (the host's facts cost the caller nothing).
        let asks = u32::from(
            space
                .obtains(g, s)
                .is_some_and(|f| !matches!(g.fact(f).source, crate::graph::FactSource::Host)),
        );
        for t in space.transition_ids(s) {
            let rest = match space.next(&space.trans[t as usize]) {
                Next::State(to) => most[to as usize],
                Next::End(_) => 0,
            };
            if via[s as usize] == u32::MAX || asks + rest > most[s as usize] {
                most[s as usize] = asks + rest;
                via[s as usize] = t;
            }
        }
    }
    (most, via)
}

pub fn long_path(g: &Graph, space: &StateSpace, diags: &mut Vec<Diagnostic>) {
    let Some(budget) = g.header.budget else {
        return;
    };
    if space.is_empty() {
        return;
    }
    let (most, via) = longest(g, space);
    if most[0] <= budget {
        return;
    }
    let mut path = Vec::new();
    let mut cur = 0;
    loop {
        let t = via[cur as usize];
        if t == u32::MAX {
            break;
        }
        path.push((cur, t));
        match space.next(&space.trans[t as usize]) {
            Next::State(to) => cur = to,
            Next::End(_) => break,
        }
    }
    let ce = counter_example(g, space, &path, None);
    diags.push(
        Diagnostic::new(
            Code::LongPath,
            format!(
                "a caller can be asked {} questions; the budget is {budget}",
                most[0]
            ),
        )
        .at(
            g.header.budget_span.unwrap_or(g.header.span),
            format!("budget {budget} questions"),
        )
        .with_help(
            "shorten the longest path (ask fewer questions or merge them), or raise the budget",
        )
        .with_path(ce),
    );
}
