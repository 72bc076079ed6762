//! The engine's JSON interface, shared by `sopc eval`, `sopc run` and tools:
//! answers in (`{FACT: ANSWER}` or `{FACT: [ANSWER, ...]}` for the rounds of
//! a bounded retry, as `sopc paths --format json` prints them), outcome and
//! trace out. Secret data values are redacted in every output.

use super::{Engine, EngineError, Evaluation, Question, RaiseAt, Trace};
use crate::graph::StandingId;
use crate::graph::{Action, DataClass, DataId, FactKind, FactSource, Graph};
use crate::paths::{answers_json, outcome_json};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// What replaces a secret value in every output.
pub const REDACTED: &str = "[redacted]";
/// What stands for an unrecorded value: it is never written, not even
/// redacted.
pub const UNRECORDED: &str = "[not recorded]";

/// Data values given by the caller, by field name.
pub type DataValues = HashMap<String, String>;

/// Reads `{FACT: ANSWER | [ANSWER, ...]}`. An answer is a text, a number
/// (for a number, amount or duration), or `{"marked": [ITEM, ...]}` for a
/// verification: the items that checked out.
pub fn parse_answers(v: &Value) -> Result<Vec<(String, Vec<String>)>, String> {
    let obj = v
        .as_object()
        .ok_or("the answers must be a JSON object: {\"question\": \"answer\", ...}")?;
    let mut out = Vec::with_capacity(obj.len());
    for (fact, value) in obj {
        let rounds = match value {
            Value::Array(items) => items
                .iter()
                .map(|i| one_answer(fact, i))
                .collect::<Result<Vec<_>, _>>()?,
            other => vec![one_answer(fact, other)?],
        };
        out.push((fact.clone(), rounds));
    }
    Ok(out)
}

fn one_answer(fact: &str, v: &Value) -> Result<String, String> {
    let wrong = || {
        format!(
            "the answer to `{fact}` must be a text, a number, {{\"marked\": [ITEM, ...]}} or a list of them"
        )
    };
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Object(m) => {
            let items = m
                .get("marked")
                .and_then(Value::as_array)
                .ok_or_else(wrong)?;
            let names = items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(wrong)?;
            if m.len() != 1 || names.iter().any(|n| n.contains(',')) {
                return Err(wrong());
            }
            Ok(format!("{}{}", super::MARKED, names.join(",")))
        }
        _ => Err(wrong()),
    }
}

/// Reads the standing rules to raise, `{RULE: N | "STEP"}`: once N answers
/// were given, or the first time the call waits at STEP.
pub fn parse_events(
    engine: &Engine,
    v: &Value,
) -> Result<Result<Vec<(StandingId, RaiseAt)>, EngineError>, String> {
    let obj = v
        .as_object()
        .ok_or("the events must be a JSON object: {\"rule\": ANSWERS_BEFORE or \"step\", ...}")?;
    let mut out = Vec::with_capacity(obj.len());
    for (name, at) in obj {
        let at = match at {
            Value::Number(n) => match n.as_u64() {
                Some(n) => RaiseAt::AfterAnswers(n as usize),
                None => return Err(format!("`{name}`: a count of answers is a whole number")),
            },
            Value::String(step) => match engine.graph().step_by_name(step) {
                Some(s) => RaiseAt::AtStep(s),
                None => {
                    return Ok(Err(EngineError::InvalidValue {
                        name: name.clone(),
                        reason: format!("the policy has no step `{step}`"),
                    }))
                }
            },
            _ => {
                return Err(format!(
                    "`{name}`: give the number of answers before it, or the step's name"
                ))
            }
        };
        match engine.rule(name) {
            Ok(r) => out.push((r, at)),
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok(out))
}

/// Reads the host's facts, `{FACT: VALUE}`. A multi-select fact takes the
/// list of the items that apply (`{"systems": ["email", "vpn"]}`, or, as
/// a console address gives it, `"email,vpn"`): each item's yes/no fact is
/// `yes` if listed, `no` if not.
pub fn parse_context(g: &Graph, v: &Value) -> Result<Vec<(String, String)>, String> {
    let obj = v
        .as_object()
        .ok_or("the context must be a JSON object: {\"fact\": \"value\", ...}")?;
    let mut out = Vec::with_capacity(obj.len());
    for (k, v) in obj {
        match v {
            Value::String(s) if g.multiples.iter().any(|m| m.name == *k) => {
                let listed: Vec<Value> = s
                    .split(',')
                    .map(str::trim)
                    .filter(|i| !i.is_empty())
                    .map(|i| Value::String(i.to_string()))
                    .collect();
                out.extend(items_given(g, k, &listed)?);
            }
            Value::String(s) => out.push((k.clone(), s.clone())),
            Value::Number(n) => out.push((k.clone(), n.to_string())),
            Value::Array(listed) => out.extend(items_given(g, k, listed)?),
            _ => {
                return Err(format!(
                    "the context value of `{k}` must be a text or a number (a list for a multi-select fact)"
                ))
            }
        }
    }
    Ok(out)
}

/// The items of multi-select `name` the host lists, as a value for each
/// item's fact.
fn items_given(g: &Graph, name: &str, listed: &[Value]) -> Result<Vec<(String, String)>, String> {
    let Some(m) = g.multiples.iter().find(|m| m.name == name) else {
        return Err(format!(
            "the context value of `{name}` is a list, which only a multi-select fact takes"
        ));
    };
    let items = || {
        m.items
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut given: Vec<&str> = Vec::with_capacity(listed.len());
    for v in listed {
        let Value::String(item) = v else {
            return Err(format!(
                "the items of `{name}` are texts: its items are {}",
                items()
            ));
        };
        if !m.items.iter().any(|i| i.name == *item) {
            return Err(format!(
                "`{item}` is not an item of `{name}`; its items are {}",
                items()
            ));
        }
        given.push(item);
    }
    Ok(m.items
        .iter()
        .map(|i| {
            let value = if given.contains(&i.name.as_str()) {
                "yes"
            } else {
                "no"
            };
            (g.fact(i.fact).name.to_string(), value.to_string())
        })
        .collect())
}

/// Checks every collected value against its field's rules: the field
/// exists, and its value keeps each rule (the error says which).
pub fn check_data(g: &Graph, data: &DataValues) -> Result<(), EngineError> {
    for (name, value) in data {
        let Some(d) = g.data.iter().find(|d| d.name == *name) else {
            return Err(EngineError::InvalidValue {
                name: name.clone(),
                reason: "the policy has no data field by this name".into(),
            });
        };
        if let Err(reason) = crate::engine::rules::check(d, value) {
            return Err(EngineError::InvalidValue {
                name: name.clone(),
                reason,
            });
        }
    }
    Ok(())
}

/// Reads `{FIELD: VALUE}`.
pub fn parse_data(v: &Value) -> Result<DataValues, String> {
    let obj = v
        .as_object()
        .ok_or("the data must be a JSON object: {\"field\": \"value\", ...}")?;
    obj.iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            other => Ok((k.clone(), other.to_string())),
        })
        .collect()
}

pub fn error_json(e: &EngineError) -> Value {
    let mut m = Map::new();
    m.insert("code".into(), json!(e.code()));
    m.insert("message".into(), json!(e.to_string()));
    match e {
        EngineError::InvalidValue { name, .. } => {
            m.insert("field".into(), json!(name));
        }
        EngineError::WrongSource { fact, .. } => {
            m.insert("fact".into(), json!(fact));
        }
        EngineError::InvalidAnswer { fact, options, .. } => {
            m.insert("fact".into(), json!(fact));
            m.insert("options".into(), json!(options));
        }
        EngineError::UnknownQuestion { fact, suggestion } => {
            m.insert("fact".into(), json!(fact));
            if let Some(s) = suggestion {
                m.insert("suggestion".into(), json!(s));
            }
        }
        EngineError::NotAsked { fact, .. } => {
            m.insert("fact".into(), json!(fact));
        }
        EngineError::UnknownRule { rule, suggestion } => {
            m.insert("rule".into(), json!(rule));
            if let Some(s) = suggestion {
                m.insert("suggestion".into(), json!(s));
            }
        }
        EngineError::NotRaisable { rule, .. } => {
            m.insert("rule".into(), json!(rule));
        }
        _ => {}
    }
    json!({ "status": "error", "error": Value::Object(m) })
}

pub fn evaluation_json(engine: &Engine, e: &Evaluation, data: &DataValues) -> Value {
    let g = engine.graph();
    match e {
        Evaluation::Complete { terminal, trace } => json!({
            "status": "complete",
            "outcome": outcome_json(g, *terminal),
            "trace": trace_json(g, trace, data),
        }),
        Evaluation::NeedsAnswer { question, trace } => {
            let mut v = question_json(g, *question);
            v["trace"] = trace_json(g, trace, data);
            v
        }
    }
}

/// [`evaluation_json`] for a batch of answers given as `rounds`: a complete
/// call also lists, under `unused_answers`, the answers it never used
/// (`[{"fact": F, "answers": [A, ...]}]`, by question in the policy's order).
pub fn batch_json(
    engine: &Engine,
    rounds: &[Vec<u32>],
    e: &Evaluation,
    data: &DataValues,
) -> Value {
    let mut v = evaluation_json(engine, e, data);
    if let Evaluation::Complete { .. } = e {
        let g = engine.graph();
        let unused: Vec<Value> = e
            .unused(rounds)
            .into_iter()
            .map(|(f, answers)| {
                let fact = g.fact(f);
                let answers: Vec<&str> = answers
                    .iter()
                    .map(|&a| fact.answers[a as usize].as_str())
                    .collect();
                json!({ "fact": fact.name, "answers": answers })
            })
            .collect();
        v["unused_answers"] = Value::Array(unused);
    }
    v
}

/// [`batch_json`] with the standing rules asked for: those the call never
/// came to are listed under `unraised_events`.
pub fn batch_events_json(
    engine: &Engine,
    rounds: &[Vec<u32>],
    events: &[(StandingId, RaiseAt)],
    e: &Evaluation,
    data: &DataValues,
) -> Value {
    let mut v = batch_json(engine, rounds, e, data);
    if !events.is_empty() {
        let g = engine.graph();
        let raised: Vec<StandingId> = e.trace().events.iter().map(|r| r.rule).collect();
        let unraised: Vec<&str> = events
            .iter()
            .filter(|(r, _)| !raised.contains(r))
            .map(|(r, _)| g.rule(*r).name.as_str())
            .collect();
        v["unraised_events"] = json!(unraised);
    }
    v
}

pub fn question_json(g: &Graph, q: Question) -> Value {
    let f = g.fact(q.fact);
    let mut v = json!({
        "status": "needs_answer",
        "fact": f.name,
        "prompt": f.prompt,
        "options": &*f.answers,
        "step": g.step(q.step).name,
    });
    if !f.answer_words.is_empty() {
        let words: Vec<&str> = (0..f.answers.len()).map(|i| f.answer_words(i)).collect();
        v["words"] = json!(words);
    }
    match &f.source {
        FactSource::Step { .. } | FactSource::Ask => {}
        FactSource::Lookup { system } => {
            v["source"] = json!("lookup");
            if let Some(system) = system {
                v["system"] = json!(system);
            }
        }
        FactSource::Host => v["source"] = json!("host"),
    }
    match &f.kind {
        FactKind::Ordered(o) => {
            let scale = o.scale;
            // A value is given, not an option chosen: the options are the
            // ranges the policy tells apart.
            v["type"] = json!(scale.name());
            v["example"] = json!(scale.example());
        }
        FactKind::Verify(check) => {
            v["type"] = json!("verification");
            v["at_least"] = json!(check.at_least);
            v["items"] = json!(check
                .items
                .iter()
                .map(|&d| g.data(d).name.as_str())
                .collect::<Vec<_>>());
        }
        FactKind::YesNo => v["type"] = json!("yes/no"),
        FactKind::Choice => {}
    }
    if let Some(w) = &f.waits {
        v["type"] = json!("wait");
        if let Some((a, minutes)) = w.timeout {
            v["timeout"] = json!({ "answer": f.answers[a as usize], "after_minutes": minutes });
        }
    }
    v
}

/// `{field}` replaced by its value (secrets redacted); unknown values stay.
pub fn fill(g: &Graph, text: &str, data: &DataValues) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match (g.data.iter().find(|d| d.name == name), data.get(name)) {
                    (Some(d), Some(_)) if d.class == DataClass::Secret => out.push_str(REDACTED),
                    (Some(d), _) if d.class == DataClass::Unrecorded => out.push_str(UNRECORDED),
                    (Some(_), Some(v)) => out.push_str(v),
                    _ => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn value_of(g: &Graph, field: DataId, data: &DataValues) -> Value {
    let d = g.data(field);
    match data.get(&d.name) {
        _ if d.class == DataClass::Unrecorded => Value::Null,
        Some(_) if d.class == DataClass::Secret => json!(REDACTED),
        Some(v) => json!(v),
        None => Value::Null,
    }
}

fn field_json(g: &Graph, field: DataId, data: &DataValues) -> Value {
    let d = g.data(field);
    json!({ "field": d.name, "label": d.label, "value": value_of(g, field, data) })
}

/// The steps visited with their actions in order, the answers, the data
/// collected and the tickets filed.
pub fn trace_json(g: &Graph, trace: &Trace, data: &DataValues) -> Value {
    let mut actions = Vec::new();
    let mut collected = Vec::new();
    let mut tickets = Vec::new();
    let mut referrals = Vec::new();
    for &s in &trace.steps {
        let step = g.step(s);
        for a in &step.actions {
            match a {
                Action::Refer { target, .. } => {
                    let t = g.target(*target);
                    actions.push(json!({"step": step.name, "kind": "refer", "target": t.name}));
                    referrals.push(json!({
                        "step": step.name,
                        "target": t.name,
                        "to": t.title,
                        "via": t.via,
                        "handed_over": t.requires.iter().map(|&f| field_json(g, f, data)).collect::<Vec<_>>(),
                    }));
                }
                Action::Handoff {
                    policy, requires, ..
                } => actions.push(json!({
                    "step": step.name,
                    "kind": "handoff",
                    "policy": policy,
                    "handed_over": requires.iter().map(|&f| field_json(g, f, data)).collect::<Vec<_>>(),
                })),
                Action::Do { text, .. } => actions
                    .push(json!({"step": step.name, "kind": "do", "text": fill(g, text, data)})),
                Action::Say { text, .. } => actions
                    .push(json!({"step": step.name, "kind": "say", "text": fill(g, text, data)})),
                Action::Warn { text, .. } => actions
                    .push(json!({"step": step.name, "kind": "warn", "text": fill(g, text, data)})),
                Action::Note { text, .. } => actions
                    .push(json!({"step": step.name, "kind": "note", "text": fill(g, text, data)})),
                Action::Gap { note, .. } => actions
                    .push(json!({"step": step.name, "kind": "gap", "note": fill(g, note, data)})),
                Action::Collect { data: fields, .. } => {
                    for &f in fields {
                        collected.push(field_json(g, f, data));
                    }
                    let names: Vec<&str> =
                        fields.iter().map(|&f| g.data(f).name.as_str()).collect();
                    actions.push(json!({"step": step.name, "kind": "collect", "fields": names}));
                }
                Action::Transfer {
                    role,
                    requires,
                    reason,
                    ..
                } => actions.push(json!({
                    "step": step.name,
                    "kind": "transfer",
                    "role": g.role(*role).name,
                    "to": g.role(*role).title,
                    "reason": fill(g, reason, data),
                    "handed_over": requires.iter().map(|&f| field_json(g, f, data)).collect::<Vec<_>>(),
                })),
                Action::Ticket(t) => {
                    let target = g.target(t.target);
                    let fields: Map<String, Value> = t
                        .fields
                        .iter()
                        .map(|f| (f.name.clone(), json!(fill(g, &f.value, data))))
                        .collect();
                    let ticket = json!({
                        "step": step.name,
                        "target": target.name,
                        "to": target.title,
                        "via": target.via,
                        "title": t.title.as_ref().map(|x| fill(g, x, data)),
                        "fields": fields,
                        "body": t.body.iter().map(|&f| field_json(g, f, data)).collect::<Vec<_>>(),
                        "assignee": t.assignee.iter().map(|&f| field_json(g, f, data)).collect::<Vec<_>>(),
                    });
                    actions
                        .push(json!({"step": step.name, "kind": "ticket", "target": target.name}));
                    tickets.push(ticket);
                }
            }
        }
    }
    let mut v = json!({
        "steps": trace.steps.iter().map(|&s| g.step(s).name.as_str()).collect::<Vec<_>>(),
        "answers": answers_json(g, &trace.answers),
        "actions": actions,
        "collected": collected,
        "tickets": tickets,
    });
    if !referrals.is_empty() {
        v["referrals"] = Value::Array(referrals);
    }
    if !trace.events.is_empty() {
        v["events"] = trace
            .events
            .iter()
            .map(|e| {
                let rule = g.rule(e.rule);
                json!({
                    "rule": rule.name,
                    "label": rule.label,
                    "at": g.step(e.at).name,
                    "after_answers": e.after_answers,
                })
            })
            .collect();
    }
    if !trace.loops.is_empty() {
        v["loops"] = trace
            .loops
            .iter()
            .filter_map(|l| {
                let step = g.step(l.step);
                let bound = step.loop_bound()?;
                let then = match bound.then {
                    crate::graph::Dest::Step(s) => g.step(s).name.to_string(),
                    crate::graph::Dest::End(t) => g.ending_text(t),
                    crate::graph::Dest::Unmatched => String::new(),
                };
                Some(json!({
                    "step": step.name,
                    "times": bound.times,
                    "then": then,
                    "after_answers": l.after_answers,
                }))
            })
            .collect();
    }
    v
}

/// Why a JSON evaluation request was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum RequestError {
    /// The request is not in the shape the interface takes.
    BadInput(String),
    /// The engine refused it: [`error_json`] of its error.
    Engine(EngineError),
}

/// One call from known inputs, the whole of `sopc eval` and of the
/// service's stateless `evaluate`: answers, and optionally collected data,
/// the host's facts (`context`) and standing rules raised (`events`), each
/// in the shape `sopc eval`'s files take. Both interfaces answer with this
/// function's JSON, so they cannot drift apart.
pub fn evaluate_request(
    engine: &Engine,
    answers: &Value,
    data: Option<&Value>,
    context: Option<&Value>,
    events: Option<&Value>,
) -> Result<Value, RequestError> {
    let answers = parse_answers(answers).map_err(RequestError::BadInput)?;
    let data = match data {
        None => DataValues::new(),
        Some(v) => parse_data(v).map_err(RequestError::BadInput)?,
    };
    let context = match context {
        None => Vec::new(),
        Some(v) => parse_context(engine.graph(), v).map_err(RequestError::BadInput)?,
    };
    let events = match events {
        None => Vec::new(),
        Some(v) => parse_events(engine, v)
            .map_err(RequestError::BadInput)?
            .map_err(RequestError::Engine)?,
    };
    check_data(engine.graph(), &data).map_err(RequestError::Engine)?;
    let rounds = engine
        .rounds_with_context(&answers, &context)
        .map_err(RequestError::Engine)?;
    let evaluation = engine
        .evaluate_with_events(rounds.clone(), &events)
        .map_err(|(_, e)| RequestError::Engine(e))?;
    Ok(batch_events_json(
        engine,
        &rounds,
        &events,
        &evaluation,
        &data,
    ))
}
