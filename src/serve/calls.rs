//! A call in the service: the events given to it, replayed on the engine
//! of the version it started on. The records hold only the events, so any
//! server can rebuild any call, and a call is exactly what its record
//! says.
//!
//! An event is an answer, a verification's marks, collected data, a
//! standing rule raised, or `back`. The host's facts given at the start
//! answer their questions when the call reaches them.

use crate::engine::json::{
    check_data, evaluation_json, parse_answers, parse_context, DataValues, REDACTED,
};
use crate::engine::{Engine, EngineError, Evaluation, Session, Status};
use crate::graph::{Action, DataClass, FactSource};
use serde_json::{json, Map, Value};

/// An event, as read from a request or a record.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Answer { fact: String, answer: String },
    Mark { fact: String, items: Vec<String> },
    Data { values: Vec<(String, String)> },
    Raise { rule: String },
    Back,
}

/// Reads `{"type": "answer" | "mark" | "data" | "raise" | "back", ...}`.
pub fn parse_event(v: &Value) -> Result<Event, String> {
    let obj = v
        .as_object()
        .ok_or("an event must be a JSON object with a `type`")?;
    let text = |key: &str| -> Result<String, String> {
        obj.get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("this event needs `{key}`, a text"))
    };
    let kind = obj
        .get("type")
        .and_then(Value::as_str)
        .ok_or("an event needs a `type`: answer, mark, data, raise or back")?;
    let allowed: &[&str] = match kind {
        "answer" => &["type", "fact", "answer"],
        "mark" => &["type", "fact", "items"],
        "data" => &["type", "values"],
        "raise" => &["type", "rule"],
        "back" => &["type"],
        other => {
            return Err(format!(
                "`{other}` is not an event type: answer, mark, data, raise or back"
            ))
        }
    };
    if let Some(extra) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(format!("a `{kind}` event has no field `{extra}`"));
    }
    Ok(match kind {
        "answer" => {
            let fact = text("fact")?;
            let given = obj.get("answer").ok_or("an answer event needs `answer`")?;
            let answer = parse_answers(&json!({ fact.clone(): given }))?
                .pop()
                .and_then(|(_, mut rounds)| rounds.pop())
                .filter(|_| !given.is_array())
                .ok_or("`answer` must be one answer: a text or a number")?;
            Event::Answer { fact, answer }
        }
        "mark" => {
            let fact = text("fact")?;
            let items = obj
                .get("items")
                .and_then(Value::as_array)
                .and_then(|items| {
                    items
                        .iter()
                        .map(|i| i.as_str().map(str::to_string))
                        .collect::<Option<Vec<_>>>()
                })
                .ok_or("a mark event needs `items`, the list of items that checked out")?;
            Event::Mark { fact, items }
        }
        "data" => {
            let values = obj
                .get("values")
                .and_then(Value::as_object)
                .ok_or("a data event needs `values`, an object {FIELD: VALUE}")?;
            let values = values
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k.clone(), s.clone())),
                    Value::Number(n) => Ok((k.clone(), n.to_string())),
                    _ => Err(format!("the value of `{k}` must be a text or a number")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Event::Data { values }
        }
        "raise" => Event::Raise {
            rule: text("rule")?,
        },
        _ => Event::Back,
    })
}

/// A call rebuilt on its engine.
pub struct Call<'e> {
    pub session: Session<'e>,
    /// Collected values as recorded (secrets already redacted).
    pub data: DataValues,
    context: Vec<(String, String)>,
}

impl<'e> Call<'e> {
    /// A new call with the host's facts; they are checked now (each must be
    /// a host fact, its value of its type), not when the call reaches them.
    pub fn start(engine: &'e Engine, context: &Value) -> Result<Call<'e>, StartError> {
        let context = if context.is_null() {
            Vec::new()
        } else {
            parse_context(engine.graph(), context).map_err(StartError::BadInput)?
        };
        let mut context = context;
        crate::entries::default_entry(engine.graph(), &mut context);
        for (name, value) in &context {
            let f = engine.fact(name).map_err(StartError::Engine)?;
            if engine.graph().fact(f).source != FactSource::Host {
                return Err(StartError::Engine(EngineError::WrongSource {
                    fact: name.clone(),
                    host: false,
                }));
            }
            engine.answer_index(f, value).map_err(StartError::Engine)?;
        }
        let mut call = Call {
            session: engine.start(),
            data: DataValues::new(),
            context,
        };
        call.answer_host_facts();
        Ok(call)
    }

    /// The call its recorded events make.
    pub fn replay(
        engine: &'e Engine,
        context: &Value,
        events: &[Value],
    ) -> Result<Call<'e>, String> {
        let mut call = Call::start(engine, context).map_err(|e| e.to_string())?;
        for (k, e) in events.iter().enumerate() {
            let event = parse_event(e).map_err(|m| format!("recorded event {k}: {m}"))?;
            call.give(&event, true)
                .map_err(|m| format!("recorded event {k} does not replay: {m}"))?;
        }
        Ok(call)
    }

    /// Gives the call one event.
    pub fn apply(&mut self, event: &Event) -> Result<(), EngineError> {
        self.give(event, false)
    }

    /// [`Call::apply`]; a `recorded` event's secret values are redacted, so
    /// their rules were kept when they were given and are not checked again.
    fn give(&mut self, event: &Event, recorded: bool) -> Result<(), EngineError> {
        // The step that ends a call may collect what its ticket carries:
        // those values are still taken once the call has its outcome.
        let done = matches!(self.session.status(), Status::Done(_));
        if done && !self.collected_on_path(event) {
            return Err(EngineError::Finished);
        }
        match event {
            Event::Answer { fact, answer } => self.session.answer(fact, answer)?,
            Event::Mark { fact, items } => {
                let answer = format!("{}{}", crate::engine::MARKED, items.join(","));
                if items.iter().any(|i| i.contains(',')) {
                    return Err(EngineError::InvalidValue {
                        name: fact.clone(),
                        reason: "an item's name has no comma".into(),
                    });
                }
                self.session.answer(fact, &answer)?
            }
            Event::Data { values } => {
                let g = self.session.engine().graph();
                let given: DataValues = values
                    .iter()
                    .filter(|(_, v)| !(recorded && v == REDACTED))
                    .cloned()
                    .collect();
                check_data(g, &given)?;
                for (k, v) in values {
                    self.data.insert(k.clone(), v.clone());
                }
                return Ok(());
            }
            Event::Raise { rule } => self.session.raise(rule)?,
            Event::Back => self.back()?,
        }
        self.answer_host_facts();
        Ok(())
    }

    /// What the records keep of an event: secret values redacted,
    /// unrecorded values left out.
    pub fn recorded(&self, event: &Event) -> Value {
        let g = self.session.engine().graph();
        match event {
            Event::Answer { fact, answer } => {
                json!({ "type": "answer", "fact": fact, "answer": answer })
            }
            Event::Mark { fact, items } => json!({ "type": "mark", "fact": fact, "items": items }),
            Event::Data { values } => {
                let mut kept = Map::new();
                for (k, v) in values {
                    match g.data.iter().find(|d| d.name == *k).map(|d| d.class) {
                        Some(DataClass::Unrecorded) => {}
                        Some(DataClass::Secret) => {
                            kept.insert(k.clone(), json!(REDACTED));
                        }
                        _ => {
                            kept.insert(k.clone(), json!(v));
                        }
                    }
                }
                json!({ "type": "data", "values": kept })
            }
            Event::Raise { rule } => json!({ "type": "raise", "rule": rule }),
            Event::Back => json!({ "type": "back" }),
        }
    }

    /// Where the call stands, in the shape `sopc eval` answers (status,
    /// the question or the outcome, the trace), with what a console needs
    /// besides: the standing rules that may be raised now, whether `back`
    /// can undo anything, and the data collected on the way but not given.
    pub fn state_json(&self) -> Value {
        let engine = self.session.engine();
        let g = engine.graph();
        let trace = self.session.trace().clone();
        let evaluation = match self.session.status() {
            Status::Done(terminal) => Evaluation::Complete { terminal, trace },
            Status::Asking(question) => Evaluation::NeedsAnswer { question, trace },
        };
        let mut v = evaluation_json(engine, &evaluation, &self.data);
        let raisable: Vec<Value> = self
            .session
            .raisable()
            .into_iter()
            .map(|r| json!({ "rule": g.rule(r).name, "label": g.rule(r).label }))
            .collect();
        v["raisable"] = Value::Array(raisable);
        v["can_go_back"] = json!(self.given() > 0);
        let mut missing: Vec<&str> = Vec::new();
        for &s in &self.session.trace().steps {
            for a in &g.step(s).actions {
                if let Action::Collect { data, .. } = a {
                    for &d in data {
                        let d = g.data(d);
                        let given = self.data.contains_key(&d.name);
                        if !given
                            && d.class != DataClass::Unrecorded
                            && !missing.contains(&d.name.as_str())
                        {
                            missing.push(&d.name);
                        }
                    }
                }
            }
        }
        v["to_collect"] = json!(missing);
        super::view::add(self, &self.context, &mut v);
        v
    }

    /// Whether `event` gives data, each field one a step of the call
    /// collects.
    fn collected_on_path(&self, event: &Event) -> bool {
        let Event::Data { values } = event else {
            return false;
        };
        let g = self.session.engine().graph();
        let collected = |name: &str| {
            self.session.trace().steps.iter().any(|&s| {
                g.step(s).actions.iter().any(|a| match a {
                    Action::Collect { data, .. } => data.iter().any(|&d| g.data(d).name == name),
                    _ => false,
                })
            })
        };
        !values.is_empty() && values.iter().all(|(k, _)| collected(k))
    }

    /// Answers each question about a host fact given at the start.
    fn answer_host_facts(&mut self) {
        while let Some(q) = self.session.question() {
            let g = self.session.engine().graph();
            let fact = g.fact(q.fact);
            if fact.source != FactSource::Host {
                return;
            }
            let Some((_, value)) = self.context.iter().find(|(n, _)| *n == fact.name) else {
                return;
            };
            let name = fact.name.clone();
            let value = value.clone();
            // Checked at the start: cannot fail.
            if self.session.answer(&name, &value).is_err() {
                return;
            }
        }
    }

    /// How many inputs the caller's side gave (answers other than the
    /// host's, standing rules raised): what `back` can undo.
    fn given(&self) -> usize {
        let g = self.session.engine().graph();
        let trace = self.session.trace();
        let answers = trace
            .answers
            .iter()
            .filter(|(f, _)| !self.is_from_context(&g.fact(*f).name))
            .count();
        answers + trace.events.len()
    }

    fn is_from_context(&self, fact: &str) -> bool {
        self.context.iter().any(|(n, _)| n == fact)
    }

    /// Undoes the last input the caller's side gave, and the host facts
    /// answered after it (those answered before it stay answered).
    fn back(&mut self) -> Result<(), EngineError> {
        if self.given() == 0 {
            return Err(EngineError::NothingToUndo);
        }
        let before = self.given();
        while self.given() == before {
            self.session.back()?;
        }
        Ok(())
    }
}

/// Why a call could not start.
#[derive(Debug)]
pub enum StartError {
    BadInput(String),
    Engine(EngineError),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::BadInput(m) => write!(f, "{m}"),
            StartError::Engine(e) => write!(f, "{e}"),
        }
    }
}

impl Call<'_> {
    /// The step the call stands at, or ended at.
    pub fn step_name(&self) -> String {
        let g = self.session.engine().graph();
        match self.session.status() {
            Status::Asking(q) => g.step(q.step).name.to_string(),
            Status::Done(_) => self
                .session
                .trace()
                .steps
                .last()
                .map(|&s| g.step(s).name.to_string())
                .unwrap_or_default(),
        }
    }

    /// The outcome's name, once the call has one.
    pub fn outcome_name(&self) -> Option<String> {
        let g = self.session.engine().graph();
        self.session
            .outcome()
            .map(|t| g.outcome(t.outcome).name.clone())
    }
}
