//! Which facts' answers still matter at each step: a fact is live on entry
//! to a step when some `match` on it can be reached before it is asked again.
//! Only live facts are part of an analysis state, which keeps the state space
//! close to the size of the graph.

use crate::graph::{Exit, FactId, Graph};
use std::collections::VecDeque;

/// `live[step]`: sorted fact ids live on entry to the step.
pub fn live_facts(g: &Graph) -> Vec<Vec<FactId>> {
    let n = g.steps.len();
    let mut preds: Vec<Vec<u32>> = vec![Vec::new(); n];
    for s in 0..n as u32 {
        for t in super::successors(g, s) {
            preds[t as usize].push(s);
        }
    }
    let mut live: Vec<Vec<FactId>> = vec![Vec::new(); n];
    let mut queued = vec![false; n];
    let mut work: VecDeque<u32> = VecDeque::new();
    for (s, step) in g.steps.iter().enumerate() {
        if let Exit::Match { fact, .. } = step.exit {
            live[s].push(fact);
            queued[s] = true;
            work.push_back(s as u32);
        }
    }
    // live_in(s) = use(s) ∪ (∪ live_in(succ) − def(s)); grows monotonically.
    while let Some(s) = work.pop_front() {
        queued[s as usize] = false;
        for &p in &preds[s as usize] {
            let defined = match g.step(p).exit {
                Exit::Ask { fact, .. } => Some(fact),
                _ => None,
            };
            let mut changed = false;
            for i in 0..live[s as usize].len() {
                let f = live[s as usize][i];
                if Some(f) == defined {
                    continue;
                }
                if let Err(at) = live[p as usize].binary_search(&f) {
                    live[p as usize].insert(at, f);
                    changed = true;
                }
            }
            if changed && !queued[p as usize] {
                queued[p as usize] = true;
                work.push_back(p);
            }
        }
    }
    live
}
