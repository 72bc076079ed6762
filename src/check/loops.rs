//! `unbounded-loop`: every cycle must pass through a branch with a bound
//! (`at most N times, then ...`) or come back to a step whose loop is
//! bounded as a whole (`loop STEP at most N times, then ...`). With the
//! bounded branches removed (their `then` kept), and every return to a
//! loop-bounded step from inside its loop sent to the loop's `then`, the
//! step graph must have no cycle. Linear: two SCC passes.

use crate::analysis::scc::{self, Components};
use crate::analysis::states::MAX_BOUND;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::graph::{Dest, Graph, StepId};
use std::collections::VecDeque;

/// Successors when each bounded branch is replaced by its `then`, and each
/// return to a step with a loop bound (`loops`: the components of
/// [`scc::of_graph`]) by the loop's `then`: the ways a call goes once every
/// budget is spent.
fn unbounded_successors<'g>(
    g: &'g Graph,
    loops: &'g Components,
    s: StepId,
) -> impl Iterator<Item = StepId> + 'g {
    g.step(s).exit.edges().filter_map(move |(_, e)| {
        let d = match e.bound {
            Some(b) => b.then,
            None => e.to,
        };
        let d = crate::analysis::loop_return(g, loops, s, d).map_or(d, |l| l.then);
        match d {
            Dest::Step(t) => Some(t),
            Dest::End(_) | Dest::Unmatched => None,
        }
    })
}

/// `too-large`: a bound over [`MAX_BOUND`].
pub fn bound_limits(g: &Graph, diags: &mut Vec<Diagnostic>) {
    for step in &g.steps {
        for (_, e) in step.exit.edges() {
            if e.bound.is_none_or(|b| b.times <= MAX_BOUND) {
                continue;
            }
            diags.push(
                Diagnostic::new(
                    Code::TooLarge,
                    format!(
                        "the retry bound in step `{}` is over the limit of {MAX_BOUND} times",
                        step.name
                    ),
                )
                .at(e.span, "bound too large")
                .with_help("a retry bound counts questions put to one caller; use a small number"),
            );
        }
        if let Some(l) = step.loop_bound().filter(|l| l.times > MAX_BOUND) {
            diags.push(
                Diagnostic::new(
                    Code::TooLarge,
                    format!(
                        "the loop bound on step `{}` is over the limit of {MAX_BOUND} times",
                        step.name
                    ),
                )
                .at(l.span, "bound too large")
                .with_help("a loop bound counts rounds put to one caller; use a small number"),
            );
        }
    }
}

pub fn unbounded_loops(g: &Graph, diags: &mut Vec<Diagnostic>) {
    let loops = scc::of_graph(g);
    let comps = scc::components(g.steps.len(), |s| unbounded_successors(g, &loops, s));
    let mut reported = vec![false; comps.cyclic.len()];
    for s in g.step_ids() {
        let c = comps.comp[s.index()] as usize;
        if !comps.cyclic[c] || reported[c] {
            continue;
        }
        reported[c] = true;
        let cycle = find_cycle(g, &loops, s, |t| comps.comp[t.index()] as usize == c);
        let names: Vec<&str> = cycle.iter().map(|&t| g.step(t).name.as_str()).collect();
        let message = match names.as_slice() {
            [one] => format!("the step `{one}` can lead back to itself forever"),
            _ => format!(
                "the steps {} can repeat forever",
                crate::diagnostic::quoted_list(&names)
            ),
        };
        let mut d = Diagnostic::new(Code::UnboundedLoop, message)
        .at(g.step(s).span, "this loop has no bound")
        .with_help(format!(
            "the cycle: {} -> {}\nbound one branch of it: `answer -> {} at most 2 times, then OTHER_STEP`, or every way back to a step at once: `loop {} at most 2 times, then OTHER_STEP`",
            names.join(" -> "),
            names[0],
            names[0],
            names[0]
        ));
        // The help has the whole cycle; labels for a few of its steps. The
        // renderer reads the source from its start for each label and
        // checks every label on each line it shows: a label per step made
        // a long cycle's report quadratic.
        for &t in cycle.iter().skip(1).take(crate::diagnostic::LISTED) {
            d = d.with_label(g.step(t).span, "part of the loop");
        }
        // A loop bound whose way on, once spent, leads round again.
        for (i, &v) in cycle.iter().enumerate() {
            let w = cycle[(i + 1) % cycle.len()];
            let spent_into = g.step(v).exit.edges().find_map(|(_, e)| {
                let to = e.bound.map_or(e.to, |b| b.then);
                crate::analysis::loop_return(g, &loops, v, to)
                    .filter(|l| l.then == Dest::Step(w) && to != Dest::Step(w))
            });
            if let Some(l) = spent_into {
                d = d.with_label(l.span, "once spent, this bound leads round the loop again");
                break;
            }
        }
        diags.push(d);
    }
}

/// A shortest cycle through `start` inside one component.
fn find_cycle(
    g: &Graph,
    loops: &Components,
    start: StepId,
    inside: impl Fn(StepId) -> bool,
) -> Vec<StepId> {
    let mut parent: std::collections::HashMap<StepId, StepId> = Default::default();
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for w in unbounded_successors(g, loops, v) {
            if w == start {
                let mut cycle = vec![v];
                let mut cur = v;
                while cur != start {
                    cur = parent.get(&cur).copied().unwrap_or(start);
                    cycle.push(cur);
                }
                cycle.reverse();
                return cycle;
            }
            if inside(w) && !parent.contains_key(&w) {
                parent.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    vec![start]
}
