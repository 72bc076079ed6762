//! Which facts' answers still matter at each step: a fact is live on entry
//! to a step when some `match` on it can be reached before it is asked again.
//! Only live facts are part of an analysis state, which keeps the state space
//! close to the size of the graph.

use crate::graph::{Exit, FactId, Graph, StepId};
use std::collections::VecDeque;

/// `live[step]`: sorted fact ids live on entry to the step.
pub fn live_facts(g: &Graph) -> Vec<Vec<FactId>> {
    let n = g.steps.len();
    // (predecessor, whether it answers its question on the way): raising a
    // standing rule leaves the step's question unanswered.
    let mut preds: Vec<Vec<(StepId, bool)>> = vec![Vec::new(); n];
    for s in g.step_ids() {
        for t in super::successors(g, s) {
            preds[t.index()].push((s, true));
        }
        for t in super::raised_to(g, s) {
            preds[t.index()].push((s, false));
        }
    }
    let mut live: Vec<Vec<FactId>> = vec![Vec::new(); n];
    let mut queued = vec![false; n];
    let mut work: VecDeque<StepId> = VecDeque::new();
    let scoped = super::said::scoped_uses(g);
    for (s, step) in g.steps.iter().enumerate() {
        if let Exit::Match { fact, .. } = step.exit {
            live[s].push(fact);
        }
        // A step that says a field disclosed only under a condition reads
        // the condition's fact.
        for &f in &scoped[s] {
            if let Err(at) = live[s].binary_search(&f) {
                live[s].insert(at, f);
            }
        }
        if !live[s].is_empty() {
            queued[s] = true;
            work.push_back(StepId::new(s));
        }
    }
    // live_in(s) = use(s) ∪ (∪ live_in(succ) − def(s)); grows monotonically.
    while let Some(s) = work.pop_front() {
        queued[s.index()] = false;
        for &(p, answers) in &preds[s.index()] {
            let defined = match g.step(p).exit {
                Exit::Ask { fact, .. } if answers => Some(fact),
                _ => None,
            };
            let mut changed = false;
            for i in 0..live[s.index()].len() {
                let f = live[s.index()][i];
                if Some(f) == defined {
                    continue;
                }
                if let Err(at) = live[p.index()].binary_search(&f) {
                    live[p.index()].insert(at, f);
                    changed = true;
                }
            }
            if changed && !queued[p.index()] {
                queued[p.index()] = true;
                work.push_back(p);
            }
        }
    }
    live
}
