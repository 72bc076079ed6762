//! Caller paths: exact counts by dynamic programming over the state space,
//! and enumeration with a limit (for snapshots, docs and `sopc paths`).

use crate::analysis::count::Count;
use crate::analysis::states::{Next, StateSpace};
use crate::graph::{FactId, Graph, OutcomeKind, StandingId, StepId, Terminal};
use serde_json::{json, Map, Value};

/// One caller path: the answers given in order, the steps visited, and the
/// terminal reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerPath {
    pub answers: Vec<(FactId, u32)>,
    /// Standing rules raised, each after that many of `answers`.
    pub events: Vec<(usize, StandingId)>,
    pub steps: Vec<StepId>,
    pub terminal: Terminal,
}

/// The exact number of caller paths. Linear in the state space: one pass in
/// reverse topological order, `u128` arithmetic until it would overflow.
pub fn count(space: &StateSpace) -> Count {
    if space.is_empty() {
        return Count::zero();
    }
    let n = space.len();
    let mut small = vec![0u128; n];
    let mut overflow = false;
    'fast: for &s in space.topo.iter().rev() {
        let mut total: u128 = 0;
        for t in space.transitions(s) {
            let add = match space.next(t) {
                Next::End(_) => 1,
                Next::State(to) => small[to as usize],
            };
            match total.checked_add(add) {
                Some(v) => total = v,
                None => {
                    overflow = true;
                    break 'fast;
                }
            }
        }
        small[s as usize] = total;
    }
    if !overflow {
        return Count::from_u128(small[0]);
    }
    let mut big = vec![Count::zero(); n];
    for &s in space.topo.iter().rev() {
        let mut total = Count::zero();
        for t in space.transitions(s) {
            match space.next(t) {
                Next::End(_) => total.add(&Count::one()),
                Next::State(to) => total.add(&big[to as usize]),
            }
        }
        big[s as usize] = total;
    }
    std::mem::take(&mut big[0])
}

/// Up to `limit` caller paths, in depth-first order of the answers as
/// declared. Iterative: a long chain cannot overflow the stack.
pub fn enumerate(g: &Graph, space: &StateSpace, limit: usize) -> Vec<CallerPath> {
    /// What a frame's transition added to the path, taken off when the
    /// frame is left.
    #[derive(Clone, Copy, PartialEq)]
    enum Added {
        Nothing,
        Answer,
        Event,
    }
    let mut out = Vec::new();
    if space.is_empty() || limit == 0 {
        return out;
    }
    // Frames: (state, next transition offset).
    let mut stack: Vec<(u32, usize)> = vec![(0, 0)];
    let mut answers: Vec<(FactId, u32)> = Vec::new();
    let mut events: Vec<(usize, StandingId)> = Vec::new();
    let mut added: Vec<Added> = Vec::new();
    while let Some(&mut (s, ref mut next)) = stack.last_mut() {
        let trans = space.transitions(s);
        if *next >= trans.len() {
            stack.pop();
            match added.pop() {
                Some(Added::Answer) => {
                    answers.pop();
                }
                Some(Added::Event) => {
                    events.pop();
                }
                _ => {}
            }
            continue;
        }
        let t = trans[*next];
        *next += 1;
        let asked = match (space.obtains(g, s), t.answer()) {
            (Some(fact), Some(a)) => Some((fact, a)),
            _ => None,
        };
        let raised = t.event().map(|r| (answers.len(), r));
        match space.next(&t) {
            Next::End(terminal) => {
                let mut a = answers.clone();
                a.extend(asked);
                let mut e = events.clone();
                e.extend(raised);
                let mut steps: Vec<StepId> =
                    stack.iter().map(|&(s, _)| space.step[s as usize]).collect();
                steps.shrink_to_fit();
                out.push(CallerPath {
                    answers: a,
                    events: e,
                    steps,
                    terminal,
                });
                if out.len() >= limit {
                    return out;
                }
            }
            Next::State(to) => {
                added.push(match (asked, raised) {
                    (Some(x), _) => {
                        answers.push(x);
                        Added::Answer
                    }
                    (None, Some(r)) => {
                        events.push(r);
                        Added::Event
                    }
                    (None, None) => Added::Nothing,
                });
                stack.push((to, 0));
            }
        }
    }
    out
}

/// The outcome as tools see it: `{"outcome", "kind", "target"?, "label"}`.
pub fn outcome_json(g: &Graph, t: Terminal) -> Value {
    let o = g.outcome(t.outcome);
    let mut m = Map::new();
    m.insert("outcome".into(), json!(o.name));
    m.insert("kind".into(), json!(kind_name(o.kind)));
    if let Some(target) = t.target {
        m.insert("target".into(), json!(g.target(target).name));
    }
    m.insert("label".into(), json!(o.label));
    if let Some(minutes) = o.within_minutes {
        m.insert("within_minutes".into(), json!(minutes));
    }
    if let Some(policy) = &o.policy {
        m.insert("policy".into(), json!(policy));
    }
    Value::Object(m)
}

pub fn kind_name(k: OutcomeKind) -> &'static str {
    k.name()
}

/// Answers as a JSON object: `{FACT: ANSWER}`, or `{FACT: [ANSWER, ...]}`
/// for a question asked again by a bounded retry, in the order given.
pub fn answers_json(g: &Graph, answers: &[(FactId, u32)]) -> Value {
    let mut m = Map::new();
    let mut order: Vec<FactId> = Vec::new();
    let mut rounds: std::collections::HashMap<FactId, Vec<&str>> = Default::default();
    for &(f, a) in answers {
        let fact = g.fact(f);
        let entry = rounds.entry(f).or_default();
        if entry.is_empty() {
            order.push(f);
        }
        entry.push(fact.answers[a as usize].as_str());
    }
    for f in order {
        let r = &rounds[&f];
        let v = if r.len() == 1 { json!(r[0]) } else { json!(r) };
        m.insert(g.fact(f).name.to_string(), v);
    }
    Value::Object(m)
}

/// `sopc paths --format json`: `{"total": "N", "paths": [...]}`. The total
/// is a decimal string, as in `sopc diff`: it may exceed 2^53, past which
/// JavaScript and jq read JSON numbers inexactly.
pub fn listing_json(g: &Graph, total: &Count, paths: Option<&[CallerPath]>) -> Value {
    let mut m = Map::new();
    m.insert("total".into(), json!(total.to_string()));
    if let Some(paths) = paths {
        let list: Vec<Value> = paths.iter().map(|p| path_json(g, p)).collect();
        m.insert("paths".into(), Value::Array(list));
    }
    Value::Object(m)
}

pub fn path_json(g: &Graph, p: &CallerPath) -> Value {
    let mut v = json!({
        "answers": answers_json(g, &p.answers),
        "steps": p.steps.iter().map(|&s| g.step(s).name.as_str()).collect::<Vec<_>>(),
        "outcome": outcome_json(g, p.terminal),
    });
    if !p.events.is_empty() {
        v["events"] = events_json(g, &p.events);
    }
    v
}

/// Standing rules raised, as `sopc eval` takes them: `{RULE: N}`, raised
/// once N answers had been given.
pub fn events_json(g: &Graph, events: &[(usize, StandingId)]) -> Value {
    let mut m = Map::new();
    for &(after, r) in events {
        m.insert(g.rule(r).name.clone(), json!(after));
    }
    Value::Object(m)
}

/// One line per path for people: `caller_kind = parent, ... => escalated(jmiller)`
/// and the steps below it.
pub fn path_text(g: &Graph, p: &CallerPath) -> String {
    let mut answers: Vec<String> = p
        .answers
        .iter()
        .map(|&(f, a)| {
            let fact = g.fact(f);
            format!("{} = {}", fact.name, fact.answers[a as usize])
        })
        .collect();
    // Each standing rule where it was raised, among the answers.
    for (k, &(after, r)) in p.events.iter().enumerate() {
        answers.insert(after + k, format!("anytime {}", g.rule(r).name));
    }
    let steps: Vec<&str> = p.steps.iter().map(|&s| g.step(s).name.as_str()).collect();
    format!(
        "{} => {}\n    steps: {}",
        if answers.is_empty() {
            "(no answers)".to_string()
        } else {
            answers.join(", ")
        },
        g.ending_text(p.terminal),
        steps.join(" -> ")
    )
}
