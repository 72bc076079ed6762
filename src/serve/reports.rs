//! Reports from the call records, mapped back onto the graph: how calls
//! end, where, which branches they take and which they never take, and how
//! many questions a call asks. Per policy, with the branch table per
//! version (a branch is a step's answer in one version).

use crate::engine::Engine;
use crate::graph::{Dest, Exit, StepId};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// What one recorded call did, read off its replay.
pub struct Summary {
    pub version: String,
    pub complete: bool,
    pub outcome: Option<String>,
    /// The step the call ended at, or stands at.
    pub step: String,
    /// (step, answer) for each question or `match` passed.
    pub branches: Vec<(StepId, u32)>,
    pub rules: Vec<String>,
    pub questions: usize,
}

/// Every branch of a graph a caller can take: (step, answer index).
fn branches_of(engine: &Engine) -> Vec<(StepId, u32)> {
    let g = engine.graph();
    let mut out = Vec::new();
    for (i, step) in g.steps.iter().enumerate() {
        if let Exit::Ask { branches, .. } | Exit::Match { branches, .. } = &step.exit {
            for (a, edge) in branches.iter().enumerate() {
                if !matches!(edge.to, Dest::Unmatched) {
                    out.push((StepId::new(i), a as u32));
                }
            }
        }
    }
    out
}

fn branch_json(engine: &Engine, (step, answer): (StepId, u32), taken: u64) -> Value {
    let g = engine.graph();
    let s = g.step(step);
    let fact = match &s.exit {
        Exit::Ask { fact, .. } | Exit::Match { fact, .. } => Some(g.fact(*fact)),
        _ => None,
    };
    json!({
        "step": s.name,
        "fact": fact.map(|f| f.name.as_str()),
        "answer": fact.and_then(|f| f.answers.get(answer as usize)),
        "taken": taken,
    })
}

/// The median of `xs` (the mean of the two middle values for an even
/// count), `None` when empty.
fn median(mut xs: Vec<usize>) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_unstable();
    let n = xs.len();
    Some(if n % 2 == 1 {
        xs[n / 2] as f64
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) as f64 / 2.0
    })
}

/// The report of one policy's calls. `engines` has the engine of each
/// version the summaries name; `unreadable` counts calls whose record did
/// not replay.
pub fn report_json(
    policy: &str,
    summaries: &[Summary],
    engines: &BTreeMap<String, std::sync::Arc<Engine>>,
    unreadable: usize,
) -> Value {
    let mut outcomes: BTreeMap<&str, u64> = BTreeMap::new();
    let mut ended_at: BTreeMap<&str, u64> = BTreeMap::new();
    let mut waiting_at: BTreeMap<&str, u64> = BTreeMap::new();
    let mut rules: BTreeMap<&str, u64> = BTreeMap::new();
    for s in summaries {
        if s.complete {
            *outcomes
                .entry(s.outcome.as_deref().unwrap_or(""))
                .or_default() += 1;
            *ended_at.entry(&s.step).or_default() += 1;
        } else {
            *waiting_at.entry(&s.step).or_default() += 1;
        }
        for r in &s.rules {
            *rules.entry(r).or_default() += 1;
        }
    }
    let complete = summaries.iter().filter(|s| s.complete).count();
    let versions: Vec<Value> = engines
        .iter()
        .map(|(version, engine)| {
            let mine: Vec<&Summary> = summaries.iter().filter(|s| s.version == *version).collect();
            let mut taken: BTreeMap<(StepId, u32), u64> = BTreeMap::new();
            for s in &mine {
                for &b in &s.branches {
                    *taken.entry(b).or_default() += 1;
                }
            }
            let all = branches_of(engine);
            let branches: Vec<Value> = all
                .iter()
                .map(|&b| branch_json(engine, b, taken.get(&b).copied().unwrap_or(0)))
                .collect();
            let never: Vec<Value> = all
                .iter()
                .filter(|b| !taken.contains_key(b))
                .map(|&b| branch_json(engine, b, 0))
                .collect();
            json!({
                "version": version,
                "calls": mine.len(),
                "branches": branches,
                "never_taken": never,
            })
        })
        .collect();
    let counts = |m: BTreeMap<&str, u64>| -> Value {
        Value::Object(
            m.into_iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect::<Map<_, _>>(),
        )
    };
    json!({
        "policy": policy,
        "calls": summaries.len() + unreadable,
        "complete": complete,
        "in_progress": summaries.len() - complete,
        "unreadable": unreadable,
        "outcomes": counts(outcomes),
        "ended_at": counts(ended_at),
        "waiting_at": counts(waiting_at),
        "rules_raised": counts(rules),
        "median_questions": median(summaries.iter().map(|s| s.questions).collect()),
        "versions": versions,
    })
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3, 1, 2]), Some(2.0));
        assert_eq!(median(vec![4, 1, 2, 3]), Some(2.5));
    }
}
