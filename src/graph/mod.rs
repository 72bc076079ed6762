//! The decision graph: the checked, compiled form of a policy. Indices, not
//! names, link its parts; names and spans are kept for messages and tools.
//! The versioned JSON artifact is written from it and read into it by
//! [`crate::artifact`], whose own types are the file's layout.

use crate::span::Span;
pub use compact_str::CompactString;

mod id;

pub use id::{
    DataId, ExitId, FactId, Id, OutcomeId, ProcedureId, RoleId, StandingId, StepId, TargetId,
};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Header {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    pub approval: Option<String>,
    pub revision: Option<String>,
    pub purpose: Option<String>,
    pub source: Option<String>,
    /// YEAR-MONTH-DAY.
    pub implemented: Option<String>,
    pub reviewed: Option<String>,
    /// How long after `reviewed` (or `implemented`) the next review is due.
    pub review_every: Option<crate::date::Period>,
    /// The most questions a caller may be asked.
    pub budget: Option<u32>,
    /// The span of the whole header.
    pub span: Span,
    pub budget_span: Option<Span>,
    pub reviewed_span: Option<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    pub name: String,
    pub title: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetKind {
    Referral,
    Ticket,
    Contact,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub name: String,
    pub title: String,
    pub kind: TargetKind,
    pub via: Option<String>,
    /// Data every ticket to this target must carry.
    pub requires: Vec<DataId>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataClass {
    Text,
    Phone,
    Email,
    Id,
    Date,
    Number,
    Secret,
    /// Never written: in no ticket, record, trace or output.
    Unrecorded,
}

impl DataClass {
    /// The class as a policy writes it.
    pub fn name(self) -> &'static str {
        match self {
            DataClass::Text => "text",
            DataClass::Phone => "phone",
            DataClass::Email => "email",
            DataClass::Id => "id",
            DataClass::Date => "date",
            DataClass::Number => "number",
            DataClass::Secret => "secret",
            DataClass::Unrecorded => "unrecorded",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Data {
    pub name: String,
    pub label: String,
    pub class: DataClass,
    /// What a collected value must be.
    pub rules: Vec<ValueRule>,
    pub span: Span,
}

/// A rule on a collected value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueRule {
    MinLength {
        length: u32,
    },
    MaxLength {
        length: u32,
    },
    Length {
        length: u32,
    },
    /// A regular expression the whole value matches.
    Pattern {
        pattern: String,
    },
    /// The least value, in the steps of `scale` (see [`crate::domain`]).
    Min {
        scale: Scale,
        value: i64,
    },
    Max {
        scale: Scale,
        value: i64,
    },
}

pub use crate::domain::Scale;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutcomeKind {
    Resolved,
    Referral,
    Escalation,
    Pending,
    Declined,
    Handoff,
    Transferred,
    Callback,
    /// What the source leaves unsaid (`gap "…"`): the label is the note.
    Gap,
}

impl OutcomeKind {
    pub fn name(self) -> &'static str {
        match self {
            OutcomeKind::Resolved => "resolved",
            OutcomeKind::Referral => "referral",
            OutcomeKind::Escalation => "escalation",
            OutcomeKind::Pending => "pending",
            OutcomeKind::Declined => "declined",
            OutcomeKind::Handoff => "handoff",
            OutcomeKind::Transferred => "transferred",
            OutcomeKind::Callback => "callback",
            OutcomeKind::Gap => "gap",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub name: String,
    pub label: String,
    pub kind: OutcomeKind,
    /// The targets an `end` of this outcome may name; empty: none.
    pub targets: Vec<TargetId>,
    /// A callback's deadline, in minutes (`within 48 hours`).
    pub within_minutes: Option<i64>,
    /// The policy of the folder a `handoff "POLICY"` ends in (kind
    /// `handoff`, one outcome per policy named).
    pub policy: Option<String>,
    pub span: Span,
}

/// A fact a step branches on. Its values fall into finitely many classes,
/// its `answers`: a question's answers, `yes` and `no`, `passed` and
/// `failed`, or the ranges of an ordered value that the policy's own
/// comparisons cut (see [`crate::domain`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    pub name: CompactString,
    pub prompt: CompactString,
    /// Shared: most questions of a policy have one of a few lists (`yes`
    /// and `no`, ...), and a large policy has hundreds of thousands.
    pub answers: std::sync::Arc<[CompactString]>,
    /// The words an analyst reads for each answer (empty: the answer's
    /// name); empty when no answer has words.
    pub answer_words: Box<[CompactString]>,
    pub kind: FactKind,
    pub source: FactSource,
    /// A `wait`: the call waits for one of the answers to happen. Boxed,
    /// as the kind's and the source's rarer parts: a large policy has
    /// hundreds of thousands of facts, all held while its steps are lowered.
    pub waits: Option<Box<Wait>>,
    pub span: Span,
}

/// What a `wait` waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wait {
    /// The answer taken when nothing happens in time (`after 2 days`), and
    /// the time in minutes.
    pub timeout: Option<(u32, i64)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum FactKind {
    /// One of the answers.
    #[default]
    Choice,
    /// `yes` or `no`.
    YesNo,
    /// A number, amount, duration, date or time of day. The cuts split its
    /// values into intervals, interval `i` from `cuts[i - 1]` up to
    /// `cuts[i]` (see [`crate::domain`]); `classes[i]` is the answer of
    /// interval `i`: intervals that take the same branch of every `match`
    /// share one.
    Ordered(Box<Ordered>),
    /// `passed` when enough of the items check out, else `failed`; the
    /// analyst marks the items.
    Verify(Box<Verification>),
}

/// The values of an ordered fact, in classes (see [`FactKind::Ordered`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ordered {
    pub scale: Scale,
    pub cuts: Vec<i64>,
    pub classes: Vec<u32>,
}

/// A `verify`: `passed` when at least `at_least` of the items check out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub at_least: u32,
    pub items: Vec<DataId>,
}

/// Where a fact's value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FactSource {
    /// The `ask` or `verify` of this step.
    Step { step: StepId },
    /// Asked of the caller when a step first needs it.
    Ask,
    /// Read by the analyst in a system when a step first needs it.
    Lookup { system: Option<Box<str>> },
    /// Given by the console when the call starts.
    Host,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Terminal {
    pub outcome: OutcomeId,
    pub target: Option<TargetId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dest {
    Step(StepId),
    End(Terminal),
    /// No branch: a `match` that names no branch for this answer. The
    /// checks prove no caller path brings the answer there
    /// (`non-exhaustive` shows one that does).
    Unmatched,
}

/// `at most N times, then DEST`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bound {
    pub times: u32,
    pub then: Dest,
    /// In a procedure's copy: the exit `then` leaves by.
    pub exit: Option<ExitId>,
}

/// `loop STEP at most N times, then DEST`, kept on its step: the call
/// comes back to the step at most `times` times in all, by whichever edge
/// from a step of its loop (its strongly connected component in
/// [`crate::analysis::scc::of_graph`], see
/// [`crate::analysis::loop_return`]); the next such arrival goes to `then`
/// instead. The first arrival from outside the loop is not counted, nor is
/// a standing rule's handler raised there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoopBound {
    pub times: u32,
    pub then: Dest,
    /// The span of the `loop` declaration.
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    pub to: Dest,
    pub bound: Option<Bound>,
    pub span: Span,
    /// In a procedure's copy: the exit `to` leaves by (`to` is where the
    /// call sends that exit).
    pub exit: Option<ExitId>,
}

/// A procedure: written once, and copied into the graph at each call
/// (its steps named `CALLER>STEP`), so every check, path and the engine
/// see the calls as if inlined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Procedure {
    pub name: String,
    pub text: String,
    pub exits: Vec<String>,
    /// Each call, in the order of the copies' steps; none when the
    /// procedure is never called.
    pub calls: Vec<Call>,
    /// The span of its name.
    pub span: Span,
    /// The span of the whole declaration: what is found on a copy points
    /// inside it.
    pub body_span: Span,
}

/// One call of a procedure, and the copy of its steps it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// The step whose way out is the `call` (a `goto` to the copy's first
    /// step in `steps`).
    pub step: StepId,
    /// The copy's steps, in the order the procedure writes them.
    pub steps: Vec<StepId>,
    /// Where each exit leads from this call.
    pub exits: Vec<Dest>,
}

/// A step's one way out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Ask the fact; `branches[i]` is taken on answer `i`.
    Ask {
        fact: FactId,
        branches: Vec<Edge>,
    },
    /// Branch on a fact asked earlier; `branches[i]` for answer `i`.
    Match {
        fact: FactId,
        branches: Vec<Edge>,
    },
    Goto {
        edge: Edge,
    },
    End {
        terminal: Terminal,
        span: Span,
    },
    /// No way out: only in a graph with `dead-end` errors.
    None,
    /// A way out sopc could not read (a syntax error, an unknown name, a
    /// missing branch): only in a graph with errors, where no path goes on
    /// from it and no check reports it. Never in an artifact.
    Unknown,
}

impl Exit {
    /// The edges out of the step, with the answer index for questions.
    pub fn edges(&self) -> impl Iterator<Item = (Option<usize>, &Edge)> {
        let (branches, single): (&[Edge], Option<&Edge>) = match self {
            Exit::Ask { branches, .. } | Exit::Match { branches, .. } => (branches, None),
            Exit::Goto { edge } => (&[], Some(edge)),
            _ => (&[], None),
        };
        branches
            .iter()
            .enumerate()
            .map(|(i, e)| (Some(i), e))
            .chain(single.map(|e| (None, e)))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketField {
    pub name: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    pub target: TargetId,
    pub title: Option<String>,
    pub fields: Vec<TicketField>,
    pub body: Vec<DataId>,
    pub assignee: Vec<DataId>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Do {
        text: CompactString,
        span: Span,
    },
    Say {
        text: CompactString,
        span: Span,
    },
    Warn {
        text: CompactString,
        span: Span,
    },
    Note {
        text: CompactString,
        span: Span,
    },
    /// An open question the call goes on past (`gap "…"` among the
    /// actions): reported by `open-gap` and listed by the document, as a
    /// `gap` that ends the call is.
    Gap {
        note: CompactString,
        span: Span,
    },
    Collect {
        data: Vec<DataId>,
        span: Span,
    },
    // Boxed: a ticket is three times the size of the other actions, and
    // every step has actions.
    Ticket(Box<Ticket>),
    /// A warm hand-over: `role` takes the call from here, with `requires`
    /// collected first.
    Transfer {
        role: RoleId,
        requires: Vec<DataId>,
        reason: String,
        span: Span,
    },
    /// A referral given without ending the call, its target's `requires`
    /// collected first.
    Refer {
        target: TargetId,
        span: Span,
    },
    /// The call goes on in another policy of the folder (`handoff`), with
    /// `requires` collected first and handed over. Always the last action
    /// of a step whose way out ends in the policy's `handoff` outcome.
    Handoff {
        policy: String,
        requires: Vec<DataId>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub name: CompactString,
    pub text: CompactString,
    /// The role that must hold the call here (`by ROLE`); none: whoever
    /// holds it. The call starts with the first role declared.
    pub role: Option<RoleId>,
    pub actions: Vec<Action>,
    pub exit: Exit,
    /// A bound on the loop as a whole (`loop STEP …`), if one names the step
    /// (read with [`Step::loop_bound`]). Boxed: few steps have one, and a
    /// large policy has a million steps.
    pub loop_bound: Option<Box<LoopBound>>,
    /// The span of the step's name.
    pub span: Span,
}

impl Step {
    /// The bound on the loop as a whole at this step, if any.
    pub fn loop_bound(&self) -> Option<LoopBound> {
        self.loop_bound.as_deref().copied()
    }
}

impl FactKind {
    /// The answer a value of an ordered fact falls in.
    pub fn class_of_value(&self, v: i64) -> Option<u32> {
        match self {
            FactKind::Ordered(o) => o.classes.get(crate::domain::class_of(&o.cuts, v)).copied(),
            _ => None,
        }
    }
}

impl Fact {
    /// What the analyst asks: the prompt, or the question's name without one.
    pub fn question(&self) -> &str {
        if self.prompt.is_empty() {
            &self.name
        } else {
            &self.prompt
        }
    }

    /// The step whose `ask` or `verify` asks the fact, if one does.
    pub fn asked_by(&self) -> Option<StepId> {
        match self.source {
            FactSource::Step { step } => Some(step),
            _ => None,
        }
    }

    /// The words an analyst reads for answer `i`.
    pub fn answer_words(&self, i: usize) -> &str {
        match self.answer_words.get(i) {
            Some(w) if !w.is_empty() => w,
            _ => self.answers.get(i).map_or("", CompactString::as_str),
        }
    }
}

/// `never say "…"` or `never do "…"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Never {
    pub kind: NeverKind,
    pub phrase: String,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NeverKind {
    Say,
    Do,
}

/// `never disclose DATA until FACT ANSWER` or `… to FACT ANSWER`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopedDisclosure {
    pub data: Vec<DataId>,
    pub scope: DisclosureScope,
    pub fact: FactId,
    pub answer: u32,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DisclosureScope {
    /// Allowed only once the fact is known to have the answer.
    Until,
    /// Forbidden unless the fact is known not to have the answer.
    To,
}

impl Step {
    /// The step that references sopc could not bind lead to (an unknown or
    /// broken name, a question's missing branch, a loop cut for analysis):
    /// its way out is [`Exit::Unknown`], so no path goes on from it and no
    /// check reports it. Only in a graph with errors.
    pub fn unknown() -> Step {
        Step {
            name: "?".into(),
            text: "(a step sopc could not read)".into(),
            role: None,
            actions: Vec::new(),
            exit: Exit::Unknown,
            loop_bound: None,
            span: Span::default(),
        }
    }

    /// The step's heading: its text, or its name without one.
    pub fn title(&self) -> &str {
        if self.text.is_empty() {
            &self.name
        } else {
            &self.text
        }
    }

    /// Every terminal the step can end in: its `end`, and the `end`
    /// destinations of its branches and bounds, with the span to blame and,
    /// on a question's branch, the answer index that takes it.
    pub fn terminals(&self) -> Vec<(Terminal, Span, Option<usize>)> {
        let mut out = Vec::new();
        if let Exit::End { terminal, span } = self.exit {
            out.push((terminal, span, None));
        }
        for (answer, e) in self.exit.edges() {
            for d in [Some(e.to), e.bound.map(|b| b.then)].into_iter().flatten() {
                if let Dest::End(t) = d {
                    out.push((t, e.span, answer));
                }
            }
        }
        out
    }
}

/// A standing rule: `anytime NAME "label" -> handler [within steps]`. The
/// analyst may raise it while the call waits for an answer at a step in
/// scope, at most once per call; the call goes on at the handler.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StandingRule {
    pub name: String,
    pub label: String,
    pub handler: StepId,
    /// The steps it may be raised at; `None`: every step.
    pub within: Option<Vec<StepId>>,
    pub span: Span,
}

impl StandingRule {
    /// Whether the rule may be raised while the call waits at `step`.
    pub fn covers(&self, step: StepId) -> bool {
        self.within.as_ref().is_none_or(|w| w.contains(&step))
    }
}

/// `require FIRST before THEN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Order {
    pub first: StepId,
    pub then: StepId,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    pub name: String,
    /// Each fact's answers in order (one per round of a bounded retry).
    pub answers: Vec<(FactId, Vec<u32>)>,
    pub expect: Option<Terminal>,
    pub visits: Option<Vec<StepId>>,
    /// Standing rules raised, each the first time the call waits at its step.
    pub raises: Vec<(StandingId, StepId)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Graph {
    pub header: Header,
    pub roles: Vec<Role>,
    pub targets: Vec<Target>,
    pub data: Vec<Data>,
    pub outcomes: Vec<Outcome>,
    pub facts: Vec<Fact>,
    pub steps: Vec<Step>,
    pub start: StepId,
    pub never_disclose: Vec<DataId>,
    pub scoped_disclose: Vec<ScopedDisclosure>,
    pub never: Vec<Never>,
    pub requires: Vec<Order>,
    /// Standing rules (`anytime`).
    pub standing: Vec<StandingRule>,
    /// Data handed over at the start by another policy's `handoff`
    /// (`receives`): collected before the first step.
    pub receives: Vec<DataId>,
    /// Procedures, each with its calls: their steps are among `steps`.
    pub procedures: Vec<Procedure>,
    pub scenarios: Vec<Scenario>,
    /// Multi-select facts (`multiple { … }`): each item is a yes/no fact
    /// of its own; a host may give the items as one list.
    pub multiples: Vec<MultiSelect>,
}

/// A multi-select fact and its items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiSelect {
    pub name: String,
    pub items: Vec<MultiItem>,
}

/// An item of a multi-select and the yes/no fact that says whether it
/// applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiItem {
    pub name: String,
    pub fact: FactId,
}

impl Graph {
    pub fn step(&self, id: StepId) -> &Step {
        &self.steps[id.index()]
    }

    pub fn fact(&self, id: FactId) -> &Fact {
        &self.facts[id.index()]
    }

    pub fn data(&self, id: DataId) -> &Data {
        &self.data[id.index()]
    }

    pub fn target(&self, id: TargetId) -> &Target {
        &self.targets[id.index()]
    }

    pub fn outcome(&self, id: OutcomeId) -> &Outcome {
        &self.outcomes[id.index()]
    }

    pub fn role(&self, id: RoleId) -> &Role {
        &self.roles[id.index()]
    }

    pub fn rule(&self, id: StandingId) -> &StandingRule {
        &self.standing[id.index()]
    }

    pub fn procedure(&self, id: ProcedureId) -> &Procedure {
        &self.procedures[id.index()]
    }

    /// The procedure and call whose copy holds `step`, if one does.
    pub fn copy_of(&self, step: StepId) -> Option<(ProcedureId, &Call)> {
        self.procedures.iter().enumerate().find_map(|(k, p)| {
            p.calls
                .iter()
                .find(|c| c.steps.contains(&step))
                .map(|c| (ProcedureId::new(k), c))
        })
    }

    /// The procedure and call a step's `call` runs, if its way out is one.
    pub fn call_at(&self, step: StepId) -> Option<(ProcedureId, &Call)> {
        self.procedures.iter().enumerate().find_map(|(k, p)| {
            p.calls
                .iter()
                .find(|c| c.step == step)
                .map(|c| (ProcedureId::new(k), c))
        })
    }

    /// The bound on the loop as a whole at `to`, where a call arriving
    /// there may be sent on by it instead.
    pub fn loop_at(&self, to: Dest) -> Option<LoopBound> {
        match to {
            Dest::Step(s) => self.steps.get(s.index())?.loop_bound(),
            Dest::End(_) | Dest::Unmatched => None,
        }
    }

    /// The terminals step `id` can end in besides its own
    /// ([`Step::terminals`]): where an edge leads to a step with a loop
    /// bound whose `then` ends the call, that terminal, blamed on the
    /// `loop` line, with the answer that takes the edge.
    pub fn loop_terminals_of(&self, id: StepId) -> Vec<(Terminal, Span, Option<usize>)> {
        let step = self.step(id);
        let mut out = Vec::new();
        for (answer, e) in step.exit.edges() {
            for d in [Some(e.to), e.bound.map(|b| b.then)].into_iter().flatten() {
                if let Some(LoopBound {
                    then: Dest::End(t),
                    span,
                    ..
                }) = self.loop_at(d)
                {
                    if !out.contains(&(t, span, answer)) {
                        out.push((t, span, answer));
                    }
                }
            }
        }
        out
    }

    /// Every step's id, in order.
    pub fn step_ids(&self) -> impl Iterator<Item = StepId> {
        (0..self.steps.len()).map(StepId::new)
    }

    /// Every fact's id, in order.
    pub fn fact_ids(&self) -> impl Iterator<Item = FactId> {
        (0..self.facts.len()).map(FactId::new)
    }

    /// `escalated(jmiller)` or `resolved`.
    pub fn terminal_text(&self, t: Terminal) -> String {
        let outcome = &self.outcome(t.outcome).name;
        match t.target {
            Some(target) => format!("{outcome}({})", self.target(target).name),
            None => outcome.clone(),
        }
    }

    /// A terminal as an author writes it: `outcome(target)`, or an open
    /// question as `gap "note"` (its `gap_N` name is not the author's and
    /// renumbers when a gap is added before it).
    pub fn ending_text(&self, t: Terminal) -> String {
        let o = self.outcome(t.outcome);
        if o.kind == OutcomeKind::Gap {
            format!("gap {:?}", o.label)
        } else if let Some(policy) = &o.policy {
            format!("handoff {policy:?}")
        } else {
            self.terminal_text(t)
        }
    }

    pub fn step_by_name(&self, name: &str) -> Option<StepId> {
        self.steps
            .iter()
            .position(|s| s.name == name)
            .map(StepId::new)
    }

    /// The notes of the open questions the call goes on past (`gap "…"`
    /// among a step's actions), in step order, repeats included.
    pub fn gaps_gone_past(&self) -> impl Iterator<Item = &str> {
        self.steps
            .iter()
            .flat_map(|s| &s.actions)
            .filter_map(|a| match a {
                Action::Gap { note, .. } => Some(note.as_str()),
                _ => None,
            })
    }

    pub fn fact_by_name(&self, name: &str) -> Option<FactId> {
        self.facts
            .iter()
            .position(|f| f.name == name)
            .map(FactId::new)
    }
}
