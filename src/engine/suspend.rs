//! Suspending a call to JSON and resuming it later, in this process or
//! another: the record holds the policy's id and version and what the call
//! was given, in order (answers and standing rules raised). Resuming
//! replays them, so a resumed call is the call it was; it is refused on
//! another version of the policy, with both versions named.

use super::{Engine, EngineError, Session, Status};
use crate::graph::{FactId, StandingId};
use serde_json::{json, Value};

/// What a suspended call's JSON says it is.
pub const FORMAT: &str = "sopc-session";
/// The layout of that JSON.
pub const FORMAT_VERSION: u64 = 1;

impl Engine {
    /// The policy's version: the SHA-256 of its compiled graph, in hex. Any
    /// change to the graph (a step, a text, a span) is a new version.
    pub fn version(&self) -> &str {
        self.version.get_or_init(|| {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(crate::artifact::graph_json(&self.graph));
            digest.iter().map(|b| format!("{b:02x}")).collect()
        })
    }

    /// A call suspended by [`Session::suspend`], resumed where it stood.
    pub fn resume(&self, record: &Value) -> Result<Session<'_>, EngineError> {
        let bad = |reason: &str| EngineError::InvalidSession {
            reason: reason.to_string(),
        };
        if record["format"] != FORMAT || record["format_version"] != FORMAT_VERSION {
            return Err(bad(&format!(
                "not a suspended call (`format` must be `{FORMAT}`, `format_version` {FORMAT_VERSION})"
            )));
        }
        let id = record["policy"]["id"].as_str().unwrap_or_default();
        let version = record["policy"]["version"].as_str().unwrap_or_default();
        if id != self.graph.header.id || version != self.version() {
            return Err(EngineError::VersionMismatch {
                policy: id.to_string(),
                suspended: version.to_string(),
                loaded: format!("{} {}", self.graph.header.id, self.version()),
            });
        }
        let mut session = self.start();
        for input in record["inputs"]
            .as_array()
            .ok_or_else(|| bad("no `inputs` list"))?
        {
            let Status::Asking(q) = session.status else {
                return Err(bad("an input after the call's outcome"));
            };
            if let Some(rule) = input["raise"].as_str() {
                let r = self.rule(rule)?;
                session.raise_id(r)?;
                continue;
            }
            let fact = input["fact"]
                .as_str()
                .ok_or_else(|| bad("an input without `fact` or `raise`"))?;
            let f = self.fact(fact)?;
            if f != q.fact {
                return Err(EngineError::NotAsked {
                    fact: fact.to_string(),
                    asking: Some(self.graph.fact(q.fact).name.to_string()),
                });
            }
            let a = input["answer"]
                .as_u64()
                .and_then(|a| u32::try_from(a).ok())
                .filter(|&a| (a as usize) < self.graph.fact(f).answers.len())
                .ok_or_else(|| bad(&format!("the answer to `{fact}` is not one of its answers")))?;
            session.answer_index(f, a);
        }
        Ok(session)
    }
}

impl Session<'_> {
    /// The call as JSON, to resume later with [`Engine::resume`]: the
    /// policy's id and version, and each answer (by index, with its words
    /// for people) and standing rule raised, in the order given.
    pub fn suspend(&self) -> Value {
        let g = &self.engine.graph;
        let mut inputs = Vec::new();
        let answer = |(f, a): (FactId, u32)| {
            let fact = g.fact(f);
            json!({ "fact": fact.name, "answer": a, "words": fact.answers[a as usize] })
        };
        let raise = |r: StandingId| json!({ "raise": g.rule(r).name });
        let mut events = self.trace.events.iter().peekable();
        for (k, &given) in self.trace.answers.iter().enumerate() {
            while let Some(e) = events.next_if(|e| e.after_answers == k) {
                inputs.push(raise(e.rule));
            }
            inputs.push(answer(given));
        }
        inputs.extend(events.map(|e| raise(e.rule)));
        json!({
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "policy": { "id": g.header.id, "version": self.engine.version() },
            "inputs": inputs,
        })
    }
}
