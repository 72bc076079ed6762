//! The compiled artifact: the graph as versioned JSON. Loading never trusts
//! the file: it checks the format and version, that every index points at
//! something, and then runs every graph check again. This module sits above
//! the graph and the checks: the graph knows neither its file format nor
//! the checks. The file's layout is its own types ([`v3`]), converted to
//! and from the graph, so the graph can change without changing the file.

use crate::graph::{DataId, Dest, Exit, Graph, Terminal};
use serde::{Deserialize, Serialize};

pub mod v3;

pub const FORMAT: &str = "sopc-graph";
/// The version written. 3 added loop bounds on steps (`loop`).
pub const VERSION: u32 = 3;
/// The oldest version read: a version 2 artifact is a version 3 one
/// without loop bounds, and means the same.
pub const OLDEST_READ: u32 = 2;

/// The artifact: a format tag, a version, and the graph.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(title = "sopc compiled policy artifact")]
struct Envelope<G> {
    format: String,
    version: u32,
    graph: G,
}

/// The JSON Schema of the artifact (docs/artifact.schema.json is this text,
/// kept in step by a test).
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Envelope<v3::Graph>);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

/// Why an artifact was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// Not JSON, or not of the artifact's shape.
    Malformed(String),
    WrongFormat(String),
    WrongVersion(u32),
    /// An index that points nowhere, or a question table of the wrong size.
    Inconsistent(String),
    /// The graph fails a check (the codes and messages).
    Rejected(Vec<String>),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Malformed(m) => write!(f, "the artifact is not valid: {m}"),
            LoadError::WrongFormat(x) => write!(f, "the file is not a sopc artifact (format `{x}`, expected `{FORMAT}`)"),
            LoadError::WrongVersion(v) => write!(
                f,
                "the artifact has format version {v}; this sopc reads versions {OLDEST_READ} to {VERSION}: compile the policy again"
            ),
            LoadError::Inconsistent(m) => write!(f, "the artifact is inconsistent: {m}"),
            LoadError::Rejected(errors) => write!(f, "the artifact fails its checks: {}", errors.join("; ")),
        }
    }
}

impl std::error::Error for LoadError {}

/// The artifact text of a graph: pretty JSON with a trailing newline. A
/// graph with errors (a way out sopc could not read) has none: the text is
/// the newline alone.
pub fn write(graph: &Graph) -> String {
    let mut s = match v3::Graph::from_graph(graph) {
        Ok(graph) => {
            let env = Envelope {
                format: FORMAT.to_string(),
                version: VERSION,
                graph,
            };
            // Serialising plain data to a String cannot fail.
            serde_json::to_string_pretty(&env).unwrap_or_default()
        }
        Err(_) => String::new(),
    };
    s.push('\n');
    s
}

/// The graph in the artifact's layout as compact JSON, without the
/// envelope: what a policy's version is the SHA-256 of
/// ([`crate::engine::Engine::version`]). Empty for a graph with errors.
pub fn graph_json(graph: &Graph) -> Vec<u8> {
    v3::Graph::from_graph(graph)
        .ok()
        .and_then(|g| serde_json::to_vec(&g).ok())
        .unwrap_or_default()
}

/// The graph as JSON without source positions: what a policy means, so
/// that two texts (a policy and its formatted form, say) can be compared.
pub fn meaning(graph: &Graph) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.retain(|k, _| !k.contains("span"));
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    // A graph with errors has no artifact, and so no meaning: null.
    let mut v = v3::Graph::from_graph(graph)
        .ok()
        .and_then(|g| serde_json::to_value(g).ok())
        .unwrap_or_default();
    strip(&mut v);
    v
}

/// Reads and verifies an artifact.
pub fn read(text: &str) -> Result<Graph, LoadError> {
    #[derive(Deserialize)]
    struct Head {
        format: Option<String>,
        version: Option<u32>,
    }
    let head: Head = serde_json::from_str(text).map_err(|e| LoadError::Malformed(e.to_string()))?;
    match head.format.as_deref() {
        Some(FORMAT) => {}
        Some(other) => return Err(LoadError::WrongFormat(other.to_string())),
        None => return Err(LoadError::Malformed("missing field `format`".into())),
    }
    match head.version {
        Some(v) if (OLDEST_READ..=VERSION).contains(&v) => {}
        Some(v) => return Err(LoadError::WrongVersion(v)),
        None => return Err(LoadError::Malformed("missing field `version`".into())),
    }
    let env: Envelope<v3::Graph> =
        serde_json::from_str(text).map_err(|e| LoadError::Malformed(e.to_string()))?;
    let graph = env.graph.into_graph()?;
    run_checks(&graph)?;
    Ok(graph)
}

/// Checks that every index points at something and that the graph passes
/// every check: what the engine requires before it trusts a graph.
pub fn verify(graph: &Graph) -> Result<(), LoadError> {
    verify_indices(graph).map_err(LoadError::Inconsistent)?;
    run_checks(graph)
}

/// Every check of a graph whose indices all point at something.
fn run_checks(graph: &Graph) -> Result<(), LoadError> {
    let errors: Vec<String> = crate::check::run(graph, &Default::default(), &Default::default())
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(LoadError::Rejected(errors))
    }
}

/// Every index in range, every question table the size of its answers.
fn verify_indices(g: &Graph) -> Result<(), String> {
    let steps = g.steps.len();
    let check_terminal = |t: &Terminal, at: &str| -> Result<(), String> {
        if t.outcome.index() >= g.outcomes.len() {
            return Err(format!("{at}: outcome {} does not exist", t.outcome));
        }
        if let Some(x) = t.target {
            if x.index() >= g.targets.len() {
                return Err(format!("{at}: target {x} does not exist"));
            }
        }
        Ok(())
    };
    let check_dest = |d: &Dest, at: &str| -> Result<(), String> {
        match d {
            Dest::Step(s) if s.index() >= steps => Err(format!("{at}: step {s} does not exist")),
            Dest::Step(_) => Ok(()),
            Dest::End(t) => check_terminal(t, at),
            // Only on a `match` (checked below); the checks that run on
            // every loaded graph prove no caller path takes it.
            Dest::Unmatched => Ok(()),
        }
    };
    let data_ok = |ids: &[DataId], at: &str| -> Result<(), String> {
        match ids.iter().find(|d| d.index() >= g.data.len()) {
            Some(d) => Err(format!("{at}: data field {d} does not exist")),
            None => Ok(()),
        }
    };
    if g.start.index() >= steps {
        return Err(format!("the start step {} does not exist", g.start));
    }
    for m in &g.multiples {
        if let Some(item) = m.items.iter().find(|i| {
            g.facts
                .get(i.fact.index())
                .is_none_or(|f| f.kind != crate::graph::FactKind::YesNo)
        }) {
            return Err(format!(
                "item `{}` of the multi-select `{}` is not a yes/no fact",
                item.name, m.name
            ));
        }
    }
    for (i, f) in g.facts.iter().enumerate() {
        if f.answers.is_empty() {
            return Err(format!("question `{}` has no answers", f.name));
        }
        if let Some(step) = f.asked_by() {
            let asks_it = g
                .steps
                .get(step.index())
                .is_some_and(|s| matches!(s.exit, Exit::Ask { fact, .. } if fact.index() == i));
            if !asks_it {
                return Err(format!("question `{}` is not asked by its step", f.name));
            }
        }
        match &f.kind {
            crate::graph::FactKind::Ordered(o)
                if o.classes.len() != o.cuts.len() + 1
                    || o.cuts.windows(2).any(|w| w[0] >= w[1])
                    || o.classes.iter().any(|&c| c as usize >= f.answers.len())
                    || (0..f.answers.len() as u32).any(|a| !o.classes.contains(&a)) =>
            {
                return Err(format!(
                    "fact `{}`: its ranges do not match its cuts",
                    f.name
                ));
            }
            crate::graph::FactKind::Verify(v) => {
                data_ok(&v.items, &format!("verification `{}`", f.name))?;
                if f.answers.len() != 2 {
                    return Err(format!("verification `{}` has not two results", f.name));
                }
            }
            _ => {}
        }
        if let Some((a, _)) = f.waits.as_ref().and_then(|w| w.timeout) {
            if a as usize >= f.answers.len() {
                return Err(format!(
                    "wait `{}`: its timeout answer does not exist",
                    f.name
                ));
            }
        }
        if !f.answer_words.is_empty() && f.answer_words.len() != f.answers.len() {
            return Err(format!(
                "question `{}`: words for some answers only",
                f.name
            ));
        }
    }
    for t in &g.targets {
        data_ok(&t.requires, &format!("target `{}`", t.name))?;
    }
    for d in &g.data {
        for r in &d.rules {
            if let crate::graph::ValueRule::Pattern { pattern } = r {
                if regex::Regex::new(&format!("^(?:{pattern})$")).is_err() {
                    return Err(format!(
                        "data `{}`: its pattern is not a regular expression",
                        d.name
                    ));
                }
            }
        }
    }
    for o in &g.outcomes {
        if let Some(t) = o.targets.iter().find(|t| t.index() >= g.targets.len()) {
            return Err(format!("outcome `{}`: target {t} does not exist", o.name));
        }
    }
    data_ok(&g.never_disclose, "never disclose")?;
    data_ok(&g.receives, "receives")?;
    for d in &g.scoped_disclose {
        data_ok(&d.data, "never disclose")?;
        let answers = g.facts.get(d.fact.index()).map_or(0, |f| f.answers.len());
        if d.answer as usize >= answers {
            return Err(
                "a `never disclose` rule names a fact or answer that does not exist".into(),
            );
        }
    }
    for r in &g.requires {
        if r.first.index() >= steps || r.then.index() >= steps {
            return Err("a `require` rule names a step that does not exist".into());
        }
    }
    for r in &g.standing {
        let bad = |s: crate::graph::StepId| s.index() >= steps;
        if bad(r.handler) || r.within.iter().flatten().any(|&s| bad(s)) {
            return Err(format!(
                "standing rule `{}` names a step that does not exist",
                r.name
            ));
        }
    }
    for p in &g.procedures {
        let at = format!("procedure `{}`", p.name);
        for c in &p.calls {
            if c.step.index() >= steps || c.steps.iter().any(|s| s.index() >= steps) {
                return Err(format!("{at}: a call names a step that does not exist"));
            }
            if c.exits.len() != p.exits.len() {
                return Err(format!(
                    "{at}: a call maps {} exits of {}",
                    c.exits.len(),
                    p.exits.len()
                ));
            }
            for d in &c.exits {
                check_dest(d, &at)?;
            }
        }
    }
    for step in &g.steps {
        let at = format!("step `{}`", step.name);
        if let Some(r) = step.role {
            if r.index() >= g.roles.len() {
                return Err(format!("{at}: role {r} does not exist"));
            }
        }
        for a in &step.actions {
            match a {
                crate::graph::Action::Collect { data, .. } => data_ok(data, &at)?,
                crate::graph::Action::Ticket(t) => {
                    if t.target.index() >= g.targets.len() {
                        return Err(format!("{at}: ticket target {} does not exist", t.target));
                    }
                    data_ok(&t.body, &at)?;
                    data_ok(&t.assignee, &at)?;
                }
                crate::graph::Action::Refer { target, .. } if target.index() >= g.targets.len() => {
                    return Err(format!("{at}: referral target {target} does not exist"));
                }
                crate::graph::Action::Transfer { role, requires, .. } => {
                    if role.index() >= g.roles.len() {
                        return Err(format!("{at}: transfer role {role} does not exist"));
                    }
                    data_ok(requires, &at)?;
                }
                crate::graph::Action::Handoff { requires, .. } => data_ok(requires, &at)?,
                _ => {}
            }
        }
        match &step.exit {
            Exit::Ask { fact, branches } | Exit::Match { fact, branches } => {
                let Some(f) = g.facts.get(fact.index()) else {
                    return Err(format!("{at}: question {fact} does not exist"));
                };
                if branches.len() != f.answers.len() {
                    return Err(format!(
                        "{at}: {} branches for the {} answers of `{}`",
                        branches.len(),
                        f.answers.len(),
                        f.name
                    ));
                }
            }
            Exit::End { terminal, .. } => check_terminal(terminal, &at)?,
            Exit::Goto { .. } | Exit::None => {}
            Exit::Unknown => {
                return Err(format!(
                    "{at}: a way out sopc could not read (only a policy with errors has one)"
                ))
            }
        }
        for (_, e) in step.exit.edges() {
            check_dest(&e.to, &at)?;
            if let Some(b) = e.bound {
                check_dest(&b.then, &at)?;
            }
        }
        if let Some(l) = step.loop_bound() {
            if l.then == Dest::Unmatched {
                return Err(format!("{at}: its loop bound leads nowhere"));
            }
            check_dest(&l.then, &format!("{at}'s loop bound"))?;
        }
    }
    for sc in &g.scenarios {
        for (f, rounds) in &sc.answers {
            let Some(fact) = g.facts.get(f.index()) else {
                return Err(format!(
                    "scenario `{}`: question {f} does not exist",
                    sc.name
                ));
            };
            if rounds.iter().any(|&a| a as usize >= fact.answers.len()) {
                return Err(format!(
                    "scenario `{}`: an answer of `{}` does not exist",
                    sc.name, fact.name
                ));
            }
        }
        if let Some(t) = &sc.expect {
            check_terminal(t, &format!("scenario `{}`", sc.name))?;
        }
        if sc.visits.iter().flatten().any(|s| s.index() >= steps) {
            return Err(format!(
                "scenario `{}`: a visited step does not exist",
                sc.name
            ));
        }
    }
    Ok(())
}
