//! Which facts' answers still matter at each step: a fact is live on entry
//! to a step when its answer may be known there (a step that reads or asks
//! it comes before) and some `match` on it can be reached before it is
//! asked again. Only live facts are part of an analysis state, which keeps
//! the state space close to the size of the graph.
//!
//! Worked out fact by fact, each over the steps between where it may first
//! be known and where it is last read: a fact read in one region of a
//! large policy costs that region, not every step before it.

use super::lists::Lists;
use crate::graph::{Exit, FactId, Graph, StepId};

/// `live.get(step)`: sorted fact ids live on entry to the step.
pub fn live_facts(g: &Graph) -> Lists<FactId> {
    let n = g.steps.len();
    // Edges both ways; a predecessor says whether it answers its question
    // on the way (raising a standing rule leaves the question unanswered).
    let moves = || {
        g.step_ids().flat_map(move |s| {
            super::successors(g, s)
                .map(move |t| (s, t, true))
                .chain(super::raised_to(g, s).map(move |t| (s, t, false)))
        })
    };
    let succs = Lists::from_pairs(n, || moves().map(|(s, t, _)| (s.index(), t)));
    let preds = Lists::from_pairs(n, || {
        moves().map(|(s, t, answers)| (t.index(), (s, answers)))
    });
    // Where each fact is read (a `match`, or a text disclosed only under a
    // condition on it) and asked.
    let mut reads: Vec<Vec<StepId>> = vec![Vec::new(); g.facts.len()];
    let mut asks: Vec<Vec<StepId>> = vec![Vec::new(); g.facts.len()];
    let scoped = super::said::scoped_uses(g);
    for s in g.step_ids() {
        match g.step(s).exit {
            Exit::Match { fact, .. } => reads[fact.index()].push(s),
            Exit::Ask { fact, .. } => asks[fact.index()].push(s),
            _ => {}
        }
        for &f in &scoped[s.index()] {
            if reads[f.index()].last() != Some(&s) {
                reads[f.index()].push(s);
            }
        }
    }
    drop(scoped);
    // Tarjan numbers a component after every component it reaches: a step
    // that can reach a read is in a component numbered at least the read's.
    let comp = super::scc::of_graph(g).comp;
    // (step, fact) pairs, fact by fact: each step's facts come out sorted.
    let mut live: Vec<(u32, FactId)> = Vec::new();
    // Marks by fact, so that no array is cleared between facts.
    let (mut known, mut marked) = (vec![u32::MAX; n], vec![u32::MAX; n]);
    let mut stack: Vec<StepId> = Vec::new();
    for (f, read) in reads.iter().enumerate() {
        let Some(floor) = read.iter().map(|r| comp[r.index()]).min() else {
            continue;
        };
        let mark = f as u32;
        // Known on entry: reached from a step that reads or asks the fact,
        // among the steps that may still lead to a read.
        stack.extend(read.iter().chain(&asks[f]).copied());
        while let Some(s) = stack.pop() {
            for &t in succs.get(s.index()) {
                if comp[t.index()] >= floor && known[t.index()] != mark {
                    known[t.index()] = mark;
                    stack.push(t);
                }
            }
        }
        // Live on entry: a read, or a step where the fact may be known from
        // which a read is reached before a step answers the fact again.
        let mut found: Vec<StepId> = Vec::new();
        for &r in read {
            if marked[r.index()] != mark {
                marked[r.index()] = mark;
                found.push(r);
                stack.push(r);
            }
        }
        while let Some(t) = stack.pop() {
            for &(p, answers) in preds.get(t.index()) {
                let defines = answers
                    && matches!(g.step(p).exit, Exit::Ask { fact, .. } if fact.index() == f);
                if defines || marked[p.index()] == mark || known[p.index()] != mark {
                    continue;
                }
                marked[p.index()] = mark;
                found.push(p);
                stack.push(p);
            }
        }
        live.extend(
            found
                .into_iter()
                .map(|s| (s.index() as u32, FactId::new(f))),
        );
    }
    drop((succs, preds, comp, known, marked));
    Lists::from_pairs(n, || live.iter().map(|&(s, f)| (s as usize, f)))
}
