//! Run-time evaluation of a checked graph: a pure state machine.
//!
//! [`Engine::new`] verifies the graph (every index, every check) before it
//! trusts it. A [`Session`] reports the next [`Question`] or the final
//! outcome, takes answers one at a time (`answer`) and can go back one
//! question. [`Engine::evaluate`] is the batch form: all known answers in,
//! the outcome with its trace or the first question still unanswered out.
//! Nothing here panics on bad input: every mistake is an [`EngineError`].

pub mod json;
pub mod rules;
pub mod suspend;
mod trace;

pub use trace::Trace;

use crate::artifact::LoadError;
use crate::graph::{
    Dest, Edge, Exit, FactId, FactKind, FactSource, Graph, OutcomeId, StandingId, StepId, Terminal,
};

/// When a batch evaluation raises a standing rule: once this many answers
/// were given, or the first time the call waits at this step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RaiseAt {
    AfterAnswers(usize),
    AtStep(StepId),
}

/// How a verification's answer starts: the items the analyst marked as
/// checked out follow, separated by commas.
pub const MARKED: &str = "marked:";

/// A question the caller must answer now: which fact, asked by which step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Question {
    pub fact: FactId,
    pub step: StepId,
}

/// Where a session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Asking(Question),
    Done(Terminal),
}

/// The destination of `edge`; a bounded branch counts its use in `counter`
/// and goes to its `then` once the bound is used up.
fn take(edge: &Edge, counter: &mut u32) -> Dest {
    match edge.bound {
        None => edge.to,
        Some(b) if *counter < b.times => {
            *counter += 1;
            edge.to
        }
        Some(b) => b.then,
    }
}

/// A mistake in what was given to the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineError {
    /// No question has this name.
    UnknownQuestion {
        fact: String,
        suggestion: Option<String>,
    },
    /// The answer is not one the question allows.
    InvalidAnswer {
        fact: String,
        answer: String,
        options: Vec<String>,
    },
    /// The question exists but is not the one being asked now.
    NotAsked {
        fact: String,
        asking: Option<String>,
    },
    /// A value that does not fit its fact or data field: a number that is
    /// not one, a time without a day, a collected value that breaks a rule.
    InvalidValue {
        /// The fact or data field.
        name: String,
        /// Why, in words (never the value of a secret).
        reason: String,
    },
    /// A host fact given as an answer, or an answer given as context.
    WrongSource { fact: String, host: bool },
    /// The call has already reached its outcome.
    Finished,
    /// Nothing to go back to.
    NothingToUndo,
    /// No standing rule has this name.
    UnknownRule {
        rule: String,
        suggestion: Option<String>,
    },
    /// The standing rule cannot be raised now: not while the call waits
    /// at this step, or raised already.
    NotRaisable { rule: String, reason: String },
    /// A suspended call's record that is not one, or does not replay.
    InvalidSession { reason: String },
    /// A suspended call resumed on another version of its policy.
    VersionMismatch {
        policy: String,
        suspended: String,
        loaded: String,
    },
}

impl EngineError {
    /// A stable code for tools.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::UnknownQuestion { .. } => "unknown-question",
            EngineError::InvalidAnswer { .. } => "invalid-answer",
            EngineError::NotAsked { .. } => "not-asked",
            EngineError::InvalidValue { .. } => "invalid-value",
            EngineError::WrongSource { .. } => "wrong-source",
            EngineError::Finished => "finished",
            EngineError::NothingToUndo => "nothing-to-undo",
            EngineError::UnknownRule { .. } => "unknown-rule",
            EngineError::NotRaisable { .. } => "not-raisable",
            EngineError::InvalidSession { .. } => "invalid-session",
            EngineError::VersionMismatch { .. } => "version-mismatch",
        }
    }
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EngineError::UnknownQuestion { fact, suggestion } => {
                write!(f, "the policy has no question `{fact}`")?;
                if let Some(s) = suggestion {
                    write!(f, "; did you mean `{s}`?")?;
                }
                Ok(())
            }
            EngineError::InvalidAnswer {
                fact,
                answer,
                options,
            } => {
                write!(
                    f,
                    "`{answer}` is not an answer to `{fact}`; the answers are: {}",
                    crate::diagnostic::plain_list(options)
                )
            }
            EngineError::NotAsked {
                fact,
                asking: Some(a),
            } => {
                write!(
                    f,
                    "`{fact}` is not being asked now; the current question is `{a}`"
                )
            }
            EngineError::NotAsked { fact, asking: None } => {
                write!(f, "`{fact}` is not being asked now")
            }
            EngineError::InvalidValue { name, reason } => write!(f, "`{name}`: {reason}"),
            EngineError::WrongSource { fact, host: true } => write!(
                f,
                "`{fact}` comes from the host: give it in the call's context, not as an answer"
            ),
            EngineError::WrongSource { fact, host: false } => write!(
                f,
                "`{fact}` is not given by the host: give it as an answer, not in the context"
            ),
            EngineError::Finished => write!(f, "the call has already reached its outcome"),
            EngineError::NothingToUndo => write!(f, "there is no earlier question to go back to"),
            EngineError::UnknownRule { rule, suggestion } => {
                write!(f, "the policy has no standing rule `{rule}`")?;
                if let Some(s) = suggestion {
                    write!(f, "; did you mean `{s}`?")?;
                }
                Ok(())
            }
            EngineError::NotRaisable { rule, reason } => {
                write!(f, "`{rule}` cannot be raised now: {reason}")
            }
            EngineError::InvalidSession { reason } => {
                write!(f, "the suspended call cannot be resumed: {reason}")
            }
            EngineError::VersionMismatch {
                policy,
                suspended,
                loaded,
            } => write!(
                f,
                "the call was suspended on `{policy}` version {suspended}; the policy loaded is {loaded}: finish it on the version it started on"
            ),
        }
    }
}

impl std::error::Error for EngineError {}

/// A verified graph, ready to evaluate.
pub struct Engine {
    graph: Graph,
    /// By step: the slot of its loop bound's counter, or `NONE`; empty
    /// when no step has one.
    loop_slot: Vec<u32>,
    /// By step: its loop (strongly connected component), where a return
    /// counts; empty when no step has a loop bound.
    loop_comp: Vec<u32>,
    /// By slot: a loop bound's `times` and, in the compact form, `then`.
    loop_limits: Vec<(u32, u32)>,
    /// Offset of each step's edges in the edge numbering.
    edge_base: Vec<u32>,
    edge_count: usize,
    /// How many edges are bounded.
    bounded: usize,
    hot: Vec<Hot>,
    hot_edges: Vec<HotEdge>,
    terminals: Vec<Terminal>,
    /// By fact: read where a `match` first needs it (no step asks it).
    declared: Vec<bool>,
    /// See [`Engine::version`]; computed when first asked.
    version: std::sync::OnceLock<String>,
}

impl Engine {
    /// Verifies the graph and prepares it for evaluation.
    pub fn new(graph: Graph) -> Result<Engine, LoadError> {
        crate::artifact::verify(&graph)?;
        Ok(Self::trusted(graph))
    }

    /// Compiles policy text into an engine, or returns its diagnostics. The
    /// graph has just passed every check, so it is not verified again.
    pub fn compile(text: &str) -> Result<Engine, Vec<crate::Diagnostic>> {
        Ok(Self::trusted(crate::compile(text)?))
    }

    /// [`Engine::compile`] for the file `name`, reading the libraries it
    /// uses through `files`, with those libraries as read; the error is
    /// the whole check (see [`crate::compile_file`]).
    pub fn compile_file(
        name: &str,
        text: &str,
        files: &dyn crate::sources::Files,
    ) -> Result<(Engine, Vec<crate::uses::SharedFile>), Box<crate::Checked>> {
        let (graph, shared) = crate::compile_file(name, text, files)?;
        Ok((Self::trusted(graph), shared))
    }

    /// Loads and verifies a compiled artifact.
    pub fn from_json(text: &str) -> Result<Engine, LoadError> {
        Ok(Self::trusted(crate::artifact::read(text)?))
    }

    fn trusted(graph: Graph) -> Engine {
        let mut edge_base = Vec::with_capacity(graph.steps.len());
        let mut edges = 0u32;
        let mut bounded = 0u32;
        for s in &graph.steps {
            edge_base.push(edges);
            for (_, e) in s.exit.edges() {
                edges += 1;
                bounded += u32::from(e.bound.is_some());
            }
        }
        let Compact {
            hot,
            edges: hot_edges,
            terminals,
            loops: loop_limits,
        } = compact(&graph);
        let declared = graph.facts.iter().map(|f| f.asked_by().is_none()).collect();
        let (loop_slot, loop_comp) = if loop_limits.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let mut slots = 0;
            let slot = graph
                .steps
                .iter()
                .map(|s| match s.loop_bound() {
                    Some(_) => {
                        slots += 1;
                        slots - 1
                    }
                    None => NONE,
                })
                .collect();
            (slot, crate::analysis::scc::of_graph(&graph).comp)
        };
        Engine {
            declared,
            loop_slot,
            loop_comp,
            loop_limits,
            version: std::sync::OnceLock::new(),
            graph,
            edge_base,
            edge_count: edges as usize,
            bounded: bounded as usize,
            hot,
            hot_edges,
            terminals,
        }
    }

    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// The counter slot of a move from step `from` to `to` that is a return
    /// to a step with a loop bound from a step of its loop (as
    /// [`crate::analysis::loop_return`] decides, on the same components).
    fn loop_return(&self, from: u32, to: u32) -> Option<usize> {
        let slot = *self.loop_slot.get(to as usize)?;
        (slot != NONE && self.loop_comp.get(from as usize) == self.loop_comp.get(to as usize))
            .then_some(slot as usize)
    }

    pub fn start(&self) -> Session<'_> {
        let mut s = Session {
            engine: self,
            facts: vec![NONE; self.graph.facts.len()],
            counters: vec![0; self.edge_count],
            loops: vec![0; self.loop_limits.len()],
            raised: vec![false; self.graph.standing.len()],
            status: Status::Done(Terminal {
                outcome: OutcomeId(0),
                target: None,
            }),
            trace: Trace::default(),
            history: Vec::new(),
        };
        s.advance(self.graph.start);
        s
    }

    /// The question named `name`.
    pub fn fact(&self, name: &str) -> Result<FactId, EngineError> {
        self.graph
            .fact_by_name(name)
            .ok_or_else(|| EngineError::UnknownQuestion {
                fact: name.to_string(),
                suggestion: crate::suggest::closest(
                    name,
                    self.graph.facts.iter().map(|f| f.name.as_str()),
                )
                .map(str::to_string),
            })
    }

    /// The index of `answer` among the question's answers: for a number,
    /// amount, duration, date or time, the range its value falls in; for a
    /// verification, `passed` or `failed` from the items marked
    /// ([`MARKED`]`dob,address`).
    pub fn answer_index(&self, fact: FactId, answer: &str) -> Result<u32, EngineError> {
        let f = self.graph.fact(fact);
        match &f.kind {
            FactKind::Ordered(o) => {
                let v = crate::domain::parse(o.scale, answer).map_err(|reason| {
                    EngineError::InvalidValue {
                        name: f.name.to_string(),
                        reason,
                    }
                })?;
                // A verified graph has a class for every interval.
                Ok(f.kind.class_of_value(v).unwrap_or(0))
            }
            FactKind::Verify(check) => {
                let (at_least, items) = (&check.at_least, &check.items);
                let Some(marked) = answer.strip_prefix(MARKED) else {
                    return Err(EngineError::InvalidValue {
                        name: f.name.to_string(),
                        reason: format!(
                            "a verification is decided from the items the analyst marks, never asked: give the items that checked out, as {{\"marked\": [...]}} (items: {})",
                            self.item_names(items).join(", ")
                        ),
                    });
                };
                let names = self.item_names(items);
                let mut checked: Vec<&str> = Vec::new();
                for m in marked.split(',').map(str::trim).filter(|m| !m.is_empty()) {
                    if !names.contains(&m) {
                        return Err(EngineError::InvalidValue {
                            name: f.name.to_string(),
                            reason: format!(
                                "`{m}` is not an item of this verification; its items are: {}",
                                names.join(", ")
                            ),
                        });
                    }
                    if !checked.contains(&m) {
                        checked.push(m);
                    }
                }
                Ok(u32::from(checked.len() < *at_least as usize))
            }
            _ => f
                .answers
                .iter()
                .position(|a| a == answer)
                .map(|i| i as u32)
                .ok_or_else(|| EngineError::InvalidAnswer {
                    fact: f.name.to_string(),
                    answer: answer.to_string(),
                    options: f.answers.iter().map(|a| a.to_string()).collect(),
                }),
        }
    }

    fn item_names(&self, items: &[crate::graph::DataId]) -> Vec<&str> {
        items
            .iter()
            .map(|&d| self.graph.data(d).name.as_str())
            .collect()
    }

    /// The batch form: answers by question name, one per round of a bounded
    /// retry, in order. Returns the outcome with the full trace, or the first
    /// question still unanswered (with the trace so far).
    pub fn evaluate(&self, answers: &[(String, Vec<String>)]) -> Result<Evaluation, EngineError> {
        Ok(self.evaluate_rounds(self.rounds(answers)?))
    }

    /// Answers by question name as [`Engine::evaluate_rounds`] takes them:
    /// `rounds[fact]`, that question's answers as indices, in order.
    pub fn rounds(&self, answers: &[(String, Vec<String>)]) -> Result<Vec<Vec<u32>>, EngineError> {
        self.rounds_with_context(answers, &[])
    }

    /// [`Engine::rounds`] with the host's facts (`context`): a host fact
    /// is given there and nowhere else.
    pub fn rounds_with_context(
        &self,
        answers: &[(String, Vec<String>)],
        context: &[(String, String)],
    ) -> Result<Vec<Vec<u32>>, EngineError> {
        let mut rounds: Vec<Vec<u32>> = vec![Vec::new(); self.graph.facts.len()];
        for (name, given) in answers {
            let f = self.fact(name)?;
            if self.graph.fact(f).source == FactSource::Host {
                return Err(EngineError::WrongSource {
                    fact: name.clone(),
                    host: true,
                });
            }
            for a in given {
                rounds[f.index()].push(self.answer_index(f, a)?);
            }
        }
        let mut context = context.to_vec();
        crate::entries::default_entry(&self.graph, &mut context);
        for (name, value) in &context {
            let f = self.fact(name)?;
            if self.graph.fact(f).source != FactSource::Host {
                return Err(EngineError::WrongSource {
                    fact: name.clone(),
                    host: false,
                });
            }
            rounds[f.index()] = vec![self.answer_index(f, value)?];
        }
        Ok(rounds)
    }

    /// A standing rule by name.
    pub fn rule(&self, name: &str) -> Result<StandingId, EngineError> {
        let g = &self.graph;
        match g.standing.iter().position(|r| r.name == name) {
            Some(r) => Ok(StandingId::new(r)),
            None => Err(EngineError::UnknownRule {
                rule: name.to_string(),
                suggestion: crate::suggest::closest(
                    name,
                    g.standing.iter().map(|r| r.name.as_str()),
                )
                .map(str::to_string),
            }),
        }
    }

    /// The batch form on indices: `rounds[fact]` lists that question's
    /// answers in the order its rounds are asked.
    pub fn evaluate_rounds(&self, rounds: Vec<Vec<u32>>) -> Evaluation {
        self.evaluate_with_events(rounds, &[])
            .unwrap_or_else(|(e, _)| e)
    }

    /// [`Engine::evaluate_rounds`] raising standing rules where `events`
    /// say. A rule that cannot be raised where it is asked for is an error
    /// (with the evaluation up to there); one the call never came to is
    /// left unraised (see [`Evaluation::unraised`]).
    #[allow(clippy::result_large_err)]
    pub fn evaluate_with_events(
        &self,
        rounds: Vec<Vec<u32>>,
        events: &[(StandingId, RaiseAt)],
    ) -> Result<Evaluation, (Evaluation, EngineError)> {
        let mut next = vec![0usize; rounds.len()];
        let mut session = self.start();
        let mut pending: Vec<(StandingId, RaiseAt)> = events.to_vec();
        loop {
            if let Status::Asking(q) = session.status {
                let host = self.graph.fact(q.fact).source == FactSource::Host;
                let given = session.trace.answers.len();
                let due = pending.iter().position(|&(_, at)| match at {
                    RaiseAt::AfterAnswers(n) => n == given,
                    RaiseAt::AtStep(s) => s == q.step,
                });
                if let (false, Some(k)) = (host, due) {
                    let (r, _) = pending.remove(k);
                    if let Err(e) = session.raise_id(r) {
                        let trace = session.trace.clone();
                        return Err((Evaluation::NeedsAnswer { question: q, trace }, e));
                    }
                    continue;
                }
            }
            match session.status {
                Status::Done(t) => {
                    return Ok(Evaluation::Complete {
                        terminal: t,
                        trace: session.trace,
                    })
                }
                Status::Asking(q) => {
                    let f = q.fact.index();
                    match rounds.get(f).and_then(|r| r.get(next[f])) {
                        Some(&a) => {
                            next[f] += 1;
                            session.answer_index(q.fact, a);
                        }
                        None => {
                            return Ok(Evaluation::NeedsAnswer {
                                question: q,
                                trace: session.trace,
                            })
                        }
                    }
                }
            }
        }
    }

    /// The hot path: the terminal reached by answers given in the order the
    /// questions are asked, as answer indices; no trace. `None` when the
    /// answers run out or one is out of range.
    pub fn run(&self, answers: &[u32]) -> Option<Terminal> {
        self.run_in(&mut Scratch::default(), answers)
    }

    /// [`Engine::run`] reusing `scratch` between calls, so that evaluating
    /// many calls allocates nothing. Walks the compact [`Hot`] form.
    pub fn run_in(&self, scratch: &mut Scratch, answers: &[u32]) -> Option<Terminal> {
        scratch.prepare(self.graph.facts.len(), self.bounded, self.loop_limits.len());
        let mut next = answers.iter();
        // The compact form's steps are bare indices.
        let mut step = self.graph.start.0;
        let result = loop {
            let edge = match self.hot[step as usize] {
                Hot::Ask { fact, first, count } => {
                    let Some(&a) = next.next() else { break None };
                    if a >= count {
                        break None;
                    }
                    scratch.facts[fact as usize] = a;
                    first + a
                }
                Hot::Match { fact, first, count } => {
                    let mut a = scratch.facts[fact as usize];
                    // A declared fact is read where a match first needs it.
                    if a == NONE && self.declared[fact as usize] {
                        let Some(&given) = next.next() else {
                            break None;
                        };
                        a = given;
                        scratch.facts[fact as usize] = a;
                        scratch.read.push(fact);
                    }
                    if a >= count {
                        break None;
                    }
                    first + a
                }
                Hot::Goto { edge } => edge,
                Hot::End { terminal } => break Some(self.terminals[terminal as usize]),
                Hot::Stuck => break None,
            };
            let e = &self.hot_edges[edge as usize];
            let to = if e.slot == NONE {
                e.to
            } else {
                let c = &mut scratch.counters[e.slot as usize];
                if *c < e.times {
                    if *c == 0 {
                        scratch.touched.push(e.slot);
                    }
                    *c += 1;
                    e.to
                } else {
                    e.then
                }
            };
            let to = match self.loop_return(step, to) {
                Some(slot) => {
                    let (times, then) = self.loop_limits[slot];
                    let c = &mut scratch.loops[slot];
                    if *c < times {
                        *c += 1;
                        to
                    } else {
                        then
                    }
                }
                None => to,
            };
            if to & END_BIT != 0 {
                break Some(self.terminals[(to & !END_BIT) as usize]);
            }
            if to == UNMATCHED {
                break None;
            }
            step = to;
        };
        scratch.reset();
        result
    }
}

/// A step in the compact form the hot path walks: no strings, no nesting.
#[derive(Clone, Copy)]
enum Hot {
    Ask {
        fact: u32,
        first: u32,
        count: u32,
    },
    Match {
        fact: u32,
        first: u32,
        count: u32,
    },
    Goto {
        edge: u32,
    },
    End {
        terminal: u32,
    },
    /// No way out (ruled out by verification): the walk stops.
    Stuck,
}

/// An edge in the compact form: destinations are step indices, or a
/// terminal index with [`END_BIT`] set.
#[derive(Clone, Copy)]
struct HotEdge {
    to: u32,
    /// The retry counter of a bounded edge, or `NONE`.
    slot: u32,
    times: u32,
    then: u32,
}

const END_BIT: u32 = 1 << 31;
/// A `match`'s missing branch in the compact form: the walk stops.
const UNMATCHED: u32 = END_BIT - 1;
/// Where a call that the checks prove impossible stops.
const STUCK: Terminal = Terminal {
    outcome: OutcomeId(0),
    target: None,
};

/// The compact form of a verified graph.
struct Compact {
    hot: Vec<Hot>,
    edges: Vec<HotEdge>,
    terminals: Vec<Terminal>,
    /// Each loop bound's `times` and `then`, in the order of their steps.
    loops: Vec<(u32, u32)>,
}

fn compact(g: &Graph) -> Compact {
    let mut terminals: Vec<Terminal> = Vec::new();
    let mut terminal_id = |t: Terminal| -> u32 {
        match terminals.iter().position(|x| *x == t) {
            Some(i) => i as u32,
            None => {
                terminals.push(t);
                terminals.len() as u32 - 1
            }
        }
    };
    let mut dest = |d: Dest| match d {
        Dest::Unmatched => UNMATCHED,
        Dest::Step(s) => s.0,
        Dest::End(t) => END_BIT | terminal_id(t),
    };
    let mut edges: Vec<HotEdge> = Vec::new();
    let mut slots = 0u32;
    let mut hot = Vec::with_capacity(g.steps.len());
    for s in &g.steps {
        let first = edges.len() as u32;
        for (_, e) in s.exit.edges() {
            let (slot, times, then) = match e.bound {
                Some(b) => {
                    slots += 1;
                    (slots - 1, b.times, dest(b.then))
                }
                None => (NONE, 0, 0),
            };
            edges.push(HotEdge {
                to: dest(e.to),
                slot,
                times,
                then,
            });
        }
        let count = edges.len() as u32 - first;
        hot.push(match &s.exit {
            Exit::Ask { fact, .. } => Hot::Ask {
                fact: fact.0,
                first,
                count,
            },
            Exit::Match { fact, .. } => Hot::Match {
                fact: fact.0,
                first,
                count,
            },
            Exit::Goto { .. } => Hot::Goto { edge: first },
            Exit::End { terminal, .. } => Hot::End {
                terminal: dest(Dest::End(*terminal)) & !END_BIT,
            },
            Exit::None | Exit::Unknown => Hot::Stuck,
        });
    }
    let loops = g
        .steps
        .iter()
        .filter_map(|s| s.loop_bound())
        .map(|l| (l.times, dest(l.then)))
        .collect();
    Compact {
        hot,
        edges,
        terminals,
        loops,
    }
}

/// Reusable buffers for [`Engine::run_in`].
#[derive(Default)]
pub struct Scratch {
    facts: Vec<u32>,
    counters: Vec<u32>,
    /// Counters used by the last run, to reset only those.
    touched: Vec<u32>,
    /// Returns to each step with a loop bound (few: reset whole).
    loops: Vec<u32>,
    /// Declared facts read by the last run: their values are forgotten.
    read: Vec<u32>,
}

impl Scratch {
    fn prepare(&mut self, facts: usize, bounded: usize, loops: usize) {
        if self.loops.len() < loops {
            self.loops.resize(loops, 0);
        }
        // Questions need no reset: a verified graph reads an answer only
        // after asking for it on the same call; declared facts are reset.
        if self.facts.len() < facts {
            self.facts.resize(facts, NONE);
        }
        if self.counters.len() < bounded {
            self.counters.resize(bounded, 0);
        }
    }

    fn reset(&mut self) {
        self.loops.fill(0);
        for &slot in &self.touched {
            self.counters[slot as usize] = 0;
        }
        self.touched.clear();
        for &f in &self.read {
            self.facts[f as usize] = NONE;
        }
        self.read.clear();
    }
}

const NONE: u32 = u32::MAX;

/// The result of a batch evaluation.
#[derive(Clone, Debug)]
pub enum Evaluation {
    Complete { terminal: Terminal, trace: Trace },
    NeedsAnswer { question: Question, trace: Trace },
}

impl Evaluation {
    pub fn trace(&self) -> &Trace {
        match self {
            Evaluation::Complete { trace, .. } | Evaluation::NeedsAnswer { trace, .. } => trace,
        }
    }

    /// The answers among `rounds` (as given to [`Engine::evaluate_rounds`])
    /// that a finished call never used: by question, the rounds after the
    /// last one asked (all of them for a question never asked). Empty while
    /// the call waits for an answer: the rest may yet be used.
    pub fn unused(&self, rounds: &[Vec<u32>]) -> Vec<(FactId, Vec<u32>)> {
        let Evaluation::Complete { trace, .. } = self else {
            return Vec::new();
        };
        let mut asked = vec![0usize; rounds.len()];
        for &(f, _) in &trace.answers {
            if let Some(n) = asked.get_mut(f.index()) {
                *n += 1;
            }
        }
        rounds
            .iter()
            .zip(asked)
            .enumerate()
            .filter(|(_, (given, asked))| given.len() > *asked)
            .map(|(f, (given, asked))| (FactId::new(f), given[asked..].to_vec()))
            .collect()
    }
}

/// One call in progress.
#[derive(Clone)]
pub struct Session<'e> {
    engine: &'e Engine,
    facts: Vec<u32>,
    counters: Vec<u32>,
    /// Returns to each step with a loop bound, by its slot.
    loops: Vec<u32>,
    /// Which standing rules were raised (each at most once per call).
    raised: Vec<bool>,
    status: Status,
    trace: Trace,
    /// Snapshots taken before each answer, for `back`.
    history: Vec<Snapshot>,
}

#[derive(Clone)]
struct Snapshot {
    facts: Vec<u32>,
    counters: Vec<u32>,
    loops: Vec<u32>,
    raised: Vec<bool>,
    status: Status,
    trace: Trace,
}

impl<'e> Session<'e> {
    pub fn status(&self) -> Status {
        self.status
    }

    /// The question being asked now, if any.
    pub fn question(&self) -> Option<Question> {
        match self.status {
            Status::Asking(q) => Some(q),
            Status::Done(_) => None,
        }
    }

    pub fn outcome(&self) -> Option<Terminal> {
        match self.status {
            Status::Done(t) => Some(t),
            Status::Asking(_) => None,
        }
    }

    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    pub fn engine(&self) -> &'e Engine {
        self.engine
    }

    /// Answers the current question by name.
    pub fn answer(&mut self, fact: &str, answer: &str) -> Result<(), EngineError> {
        let f = self.engine.fact(fact)?;
        let q = match self.status {
            Status::Done(_) => return Err(EngineError::Finished),
            Status::Asking(q) => q,
        };
        if q.fact != f {
            return Err(EngineError::NotAsked {
                fact: fact.to_string(),
                asking: Some(self.engine.graph.fact(q.fact).name.to_string()),
            });
        }
        let a = self.engine.answer_index(f, answer)?;
        self.answer_index(f, a);
        Ok(())
    }

    /// Goes back to the previous question, forgetting its answer.
    pub fn back(&mut self) -> Result<(), EngineError> {
        let snap = self.history.pop().ok_or(EngineError::NothingToUndo)?;
        self.facts = snap.facts;
        self.counters = snap.counters;
        self.loops = snap.loops;
        self.raised = snap.raised;
        self.status = snap.status;
        self.trace = snap.trace;
        Ok(())
    }

    /// Raises a standing rule by name while the call waits: the call goes
    /// on at its handler, and the trace says where it was raised. `back`
    /// undoes it.
    pub fn raise(&mut self, rule: &str) -> Result<(), EngineError> {
        let r = self.engine.rule(rule)?;
        self.raise_id(r)
    }

    /// The standing rules that may be raised now.
    pub fn raisable(&self) -> Vec<StandingId> {
        let g = &self.engine.graph;
        (0..g.standing.len())
            .map(StandingId::new)
            .filter(|&r| self.why_not(r).is_none())
            .collect()
    }

    /// Why rule `r` cannot be raised now, if it cannot.
    fn why_not(&self, r: StandingId) -> Option<String> {
        let g = &self.engine.graph;
        let rule = g.rule(r);
        let q = match self.status {
            Status::Done(_) => return Some("the call has already reached its outcome".into()),
            Status::Asking(q) => q,
        };
        if self.raised[r.index()] {
            return Some("it was raised already on this call".into());
        }
        if g.fact(q.fact).source == FactSource::Host {
            return Some("the call is reading a fact the host gives".into());
        }
        if !rule.covers(q.step) {
            return Some(format!(
                "it applies only within its steps, and the call is at `{}`",
                g.step(q.step).name
            ));
        }
        None
    }

    fn raise_id(&mut self, r: StandingId) -> Result<(), EngineError> {
        if let Some(reason) = self.why_not(r) {
            return Err(EngineError::NotRaisable {
                rule: self.engine.graph.rule(r).name.clone(),
                reason,
            });
        }
        let Status::Asking(q) = self.status else {
            return Err(EngineError::Finished);
        };
        self.snapshot();
        self.raised[r.index()] = true;
        self.trace.events.push(trace::Raised {
            rule: r,
            at: q.step,
            after_answers: self.trace.answers.len(),
        });
        let handler = self.engine.graph.rule(r).handler;
        self.advance(handler);
        Ok(())
    }

    fn snapshot(&mut self) {
        self.history.push(Snapshot {
            facts: self.facts.clone(),
            counters: self.counters.clone(),
            loops: self.loops.clone(),
            raised: self.raised.clone(),
            status: self.status,
            trace: self.trace.clone(),
        });
    }

    /// Answers the current question (checked by the caller) by index.
    fn answer_index(&mut self, fact: FactId, a: u32) {
        let Status::Asking(q) = self.status else {
            return;
        };
        self.snapshot();
        self.facts[fact.index()] = a;
        self.trace.answers.push((fact, a));
        self.trace.branches.push((q.step, a));
        let g = &self.engine.graph;
        if let Exit::Ask { branches, .. } | Exit::Match { branches, .. } = &g.step(q.step).exit {
            if let Some(edge) = branches.get(a as usize) {
                let edge = *edge;
                self.follow(q.step, a, &edge);
            }
        }
    }

    /// Takes an edge, honouring its bound, and runs on to the next question
    /// or the end.
    fn follow(&mut self, from: StepId, index: u32, edge: &Edge) {
        let slot = (self.engine.edge_base[from.index()] + index) as usize;
        let to = take(edge, &mut self.counters[slot]);
        match self.arrive(from, to) {
            Dest::End(t) => self.status = Status::Done(t),
            Dest::Step(s) => self.advance(s),
            // Ruled out by the non-exhaustive check.
            Dest::Unmatched => self.status = Status::Done(STUCK),
        }
    }

    /// Where a call leaving `from` for `to` arrives: a return to a step
    /// with a loop bound, from inside its loop, counts against the bound
    /// (after the branch's own); once the bound is spent the call goes to
    /// its `then`, and the trace says where.
    fn arrive(&mut self, from: StepId, to: Dest) -> Dest {
        let Dest::Step(t) = to else { return to };
        let Some(slot) = self.engine.loop_return(from.0, t.0) else {
            return to;
        };
        let g = &self.engine.graph;
        let Some(bound) = g.step(t).loop_bound() else {
            return to;
        };
        if self.loops[slot] < bound.times {
            self.loops[slot] += 1;
            return to;
        }
        self.trace.loops.push(trace::Spent {
            step: t,
            after_answers: self.trace.answers.len(),
        });
        bound.then
    }

    /// Enters `step` and runs until a question or an outcome.
    fn advance(&mut self, mut step: StepId) {
        let g = &self.engine.graph;
        loop {
            self.trace.steps.push(step);
            let (edge, index) = match &g.step(step).exit {
                Exit::Ask { fact, .. } => {
                    self.status = Status::Asking(Question { fact: *fact, step });
                    return;
                }
                Exit::End { terminal, .. } => {
                    self.status = Status::Done(*terminal);
                    return;
                }
                Exit::Goto { edge } => (*edge, 0),
                Exit::Match { fact, branches } => {
                    let a = self.facts[fact.index()];
                    // A declared fact not read yet is asked (or looked up,
                    // or taken from the host) here.
                    if a == NONE && self.engine.declared[fact.index()] {
                        self.status = Status::Asking(Question { fact: *fact, step });
                        return;
                    }
                    match branches.get(a as usize) {
                        Some(e) => {
                            self.trace.branches.push((step, a));
                            (*e, a)
                        }
                        // Ruled out by the unknown-fact check.
                        None => {
                            self.status = Status::Done(Terminal {
                                outcome: OutcomeId(0),
                                target: None,
                            });
                            return;
                        }
                    }
                }
                Exit::None | Exit::Unknown => {
                    self.status = Status::Done(Terminal {
                        outcome: OutcomeId(0),
                        target: None,
                    });
                    return;
                }
            };
            let slot = (self.engine.edge_base[step.index()] + index) as usize;
            let to = take(&edge, &mut self.counters[slot]);
            match self.arrive(step, to) {
                Dest::End(t) => {
                    self.status = Status::Done(t);
                    return;
                }
                Dest::Step(s) => step = s,
                Dest::Unmatched => {
                    self.status = Status::Done(STUCK);
                    return;
                }
            }
        }
    }
}
