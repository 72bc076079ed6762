//! What a person walking a call needs besides the engine's state: the
//! step where the call stands as `sopc doc` numbers and titles it, with its
//! actions in order; the data to collect with their class and value rules
//! (so a console checks a value as it is typed, before the service does);
//! the steps walked; the host's facts; whom the outcome sends the caller
//! to; the steps passed through since the last question, whose actions
//! are still to do. Added to a call's state under `at`, `passed`,
//! `collect`, `path`, `host` and `outcome.to`, so any client can show what the analyst console shows.

use super::calls::Call;
use crate::engine::json::{fill, DataValues};
use crate::engine::Status;
use crate::graph::{
    Action, DataClass, DataId, Exit, FactKind, FactSource, Graph, StepId, ValueRule,
};
use serde_json::{json, Map, Value};

/// Writes `at`, `collect`, `path` and `host` into a call's state.
pub fn add(call: &Call<'_>, context: &[(String, String)], state: &mut Value) {
    let g = call.session.engine().graph();
    let trace = call.session.trace();
    let here = match call.session.status() {
        Status::Asking(q) => Some(q.step),
        Status::Done(_) => trace.steps.last().copied(),
    };
    if let Some(s) = here {
        state["at"] = step_json(g, s, &call.data);
    }
    state["passed"] = passed(g, &trace.steps)
        .iter()
        .map(|&s| step_json(g, s, &call.data))
        .collect::<Vec<_>>()
        .into();
    // Whom an outcome sends the caller to, by title.
    if let Some(t) = call.session.outcome().and_then(|t| t.target) {
        let target = g.target(t);
        state["outcome"]["to"] = json!(target.title);
        state["outcome"]["via"] = json!(target.via);
    }
    // A verification's items by their labels, for its checklist.
    if let Status::Asking(q) = call.session.status() {
        if let FactKind::Verify(check) = &g.fact(q.fact).kind {
            state["at"]["items"] = check
                .items
                .iter()
                .map(|&d| json!({ "item": g.data(d).name, "label": g.data(d).label }))
                .collect::<Vec<_>>()
                .into();
        }
    }
    state["collect"] = collect_json(g, here, &trace.steps, &call.data);
    state["path"] = trace
        .steps
        .iter()
        .map(|&s| heading(g, s))
        .collect::<Vec<_>>()
        .into();
    state["host"] = context
        .iter()
        .map(|(name, value)| {
            let fact = g.facts.iter().find(|f| f.name == *name);
            // The answer's words, where the policy gives them.
            let words = fact.and_then(|f| {
                let i = f.answers.iter().position(|a| a == value)?;
                Some(f.answer_words(i)).filter(|w| !w.is_empty())
            });
            json!({
                "fact": name,
                "prompt": fact.map(|f| f.question()),
                "value": value,
                "words": words,
            })
        })
        .collect::<Vec<_>>()
        .into();
}

/// The steps walked on the way to where the call stands since the last
/// question: those that go on by themselves (`goto`, or a `match` on a
/// fact the host gave), whose actions the analyst has still to see.
fn passed(g: &Graph, path: &[StepId]) -> Vec<StepId> {
    let Some((_, before)) = path.split_last() else {
        return Vec::new();
    };
    let goes_on = |s: StepId| match &g.step(s).exit {
        Exit::Goto { .. } => true,
        Exit::Match { fact, .. } => g.fact(*fact).source == FactSource::Host,
        _ => false,
    };
    let from = before
        .iter()
        .rposition(|&s| !goes_on(s))
        .map_or(0, |i| i + 1);
    before[from..].to_vec()
}

/// A step's name, its number in the document (its place in the policy,
/// from 1) and its title.
fn heading(g: &Graph, s: StepId) -> Value {
    let step = g.step(s);
    json!({ "step": step.name, "number": s.index() + 1, "title": step.text })
}

/// The step with the role that holds it and its actions, texts filled
/// with the values given (secrets redacted).
fn step_json(g: &Graph, s: StepId, data: &DataValues) -> Value {
    let step = g.step(s);
    let mut v = heading(g, s);
    v["role"] = match step.role {
        Some(r) => json!({ "role": g.role(r).name, "title": g.role(r).title }),
        None => Value::Null,
    };
    let actions: Vec<Value> = step
        .actions
        .iter()
        .map(|a| match a {
            Action::Do { text, .. } => json!({ "kind": "do", "text": fill(g, text, data) }),
            Action::Say { text, .. } => json!({ "kind": "say", "text": fill(g, text, data) }),
            Action::Warn { text, .. } => json!({ "kind": "warn", "text": fill(g, text, data) }),
            Action::Note { text, .. } => json!({ "kind": "note", "text": fill(g, text, data) }),
            Action::Gap { note, .. } => json!({ "kind": "gap", "note": fill(g, note, data) }),
            Action::Collect { data: fields, .. } => {
                json!({ "kind": "collect", "fields": names(g, fields) })
            }
            Action::Ticket(t) => {
                let target = g.target(t.target);
                json!({ "kind": "ticket", "target": target.name, "to": target.title, "via": target.via })
            }
            Action::Refer { target, .. } => {
                let target = g.target(*target);
                json!({ "kind": "refer", "target": target.name, "to": target.title, "via": target.via })
            }
            Action::Transfer {
                role,
                requires,
                reason,
                ..
            } => json!({
                "kind": "transfer",
                "role": g.role(*role).name,
                "to": g.role(*role).title,
                "reason": fill(g, reason, data),
                "requires": names(g, requires),
            }),
            Action::Handoff {
                policy, requires, ..
            } => json!({ "kind": "handoff", "policy": policy, "requires": names(g, requires) }),
        })
        .collect();
    v["actions"] = json!(actions);
    v
}

fn names<'g>(g: &'g Graph, fields: &[DataId]) -> Vec<&'g str> {
    fields.iter().map(|&f| g.data(f).name.as_str()).collect()
}

/// The fields to fill in: those the step where the call stands collects,
/// then those collected earlier on its path and not given yet. Each with
/// its class, its rules, and whether a value was given.
fn collect_json(g: &Graph, here: Option<StepId>, path: &[StepId], data: &DataValues) -> Value {
    let mut fields: Vec<DataId> = Vec::new();
    let collects = |s: StepId| {
        g.step(s)
            .actions
            .iter()
            .filter_map(|a| match a {
                Action::Collect { data, .. } => Some(data.clone()),
                _ => None,
            })
            .flatten()
            .collect::<Vec<_>>()
    };
    for f in here.map(collects).unwrap_or_default() {
        if !fields.contains(&f) {
            fields.push(f);
        }
    }
    for &s in path {
        for f in collects(s) {
            let d = g.data(f);
            // A value the records never keep cannot be asked for again.
            let pending = !data.contains_key(&d.name) && d.class != DataClass::Unrecorded;
            if pending && !fields.contains(&f) {
                fields.push(f);
            }
        }
    }
    fields
        .iter()
        .map(|&f| {
            let d = g.data(f);
            json!({
                "field": d.name,
                "label": d.label,
                "class": d.class.name(),
                "rules": d.rules.iter().map(rule_json).collect::<Vec<_>>(),
                "given": data.contains_key(&d.name),
            })
        })
        .collect::<Vec<_>>()
        .into()
}

/// A value rule: its kind, its operand, and the rule in words.
fn rule_json(r: &ValueRule) -> Value {
    let mut m = Map::new();
    let (kind, text) = match r {
        ValueRule::MinLength { length } => {
            m.insert("length".into(), json!(length));
            ("min_length", format!("at least {length} characters"))
        }
        ValueRule::MaxLength { length } => {
            m.insert("length".into(), json!(length));
            ("max_length", format!("at most {length} characters"))
        }
        ValueRule::Length { length } => {
            m.insert("length".into(), json!(length));
            ("length", format!("exactly {length} characters"))
        }
        ValueRule::Pattern { pattern } => {
            m.insert("pattern".into(), json!(pattern));
            ("pattern", format!("matches `{pattern}`"))
        }
        ValueRule::Min { scale, value } | ValueRule::Max { scale, value } => {
            let shown = crate::domain::format(*scale, *value);
            m.insert("scale".into(), json!(scale.name()));
            m.insert("value".into(), json!(shown));
            if matches!(r, ValueRule::Min { .. }) {
                ("min", format!("at least {shown}"))
            } else {
                ("max", format!("at most {shown}"))
            }
        }
    };
    m.insert("rule".into(), json!(kind));
    m.insert("text".into(), json!(text));
    Value::Object(m)
}
