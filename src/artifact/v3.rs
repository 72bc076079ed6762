//! The artifact's layout, version 3: the types the file is written from
//! and read into, apart from the in-memory [`crate::graph`], so that a
//! field added to the graph changes the file only when it is added here
//! too (with a new version if old readers must notice). A version 4 would
//! be a `v4.rs` beside this one, read by converting from it.
//!
//! Texts are borrowed from the graph when writing ([`Cow::Borrowed`]) and
//! owned when reading; ids are bare numbers. [`Graph::from_graph`] writes
//! every graph but one with an unreadable way out; [`Graph::into_graph`]
//! refuses a file whose indices point nowhere, before the graph's typed
//! ids and accessors (which index without checking) ever see it.
//!
//! The doc comments here are the descriptions of `docs/artifact.schema.json`.

use crate::graph as g;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

type Text<'a> = Cow<'a, str>;

fn text(s: &str) -> Text<'_> {
    Cow::Borrowed(s)
}

fn texts<S: AsRef<str>>(v: &[S]) -> Vec<Text<'_>> {
    v.iter().map(|s| text(s.as_ref())).collect()
}

fn owned<S: From<String>, C: FromIterator<S>>(v: Vec<Text>) -> C {
    v.into_iter().map(|t| S::from(t.into_owned())).collect()
}

fn raw<I: g::Id>(ids: &[I]) -> Vec<u32> {
    ids.iter().map(|&i| i.index() as u32).collect()
}

fn typed<I: g::Id>(ids: Vec<u32>) -> Vec<I> {
    ids.into_iter().map(|i| I::new(i as usize)).collect()
}

#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct Graph<'a> {
    pub header: Header<'a>,
    pub roles: Vec<Role<'a>>,
    pub targets: Vec<Target<'a>>,
    pub data: Vec<Data<'a>>,
    pub outcomes: Vec<Outcome<'a>>,
    pub facts: Vec<Fact<'a>>,
    pub steps: Vec<Step<'a>>,
    pub start: u32,
    #[serde(default)]
    pub never_disclose: Vec<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scoped_disclose: Vec<ScopedDisclosure>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub never: Vec<Never<'a>>,
    #[serde(default)]
    pub requires: Vec<Order>,
    /// Standing rules (`anytime`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub standing: Vec<StandingRule<'a>>,
    /// Data handed over at the start by another policy's `handoff`
    /// (`receives`): collected before the first step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub receives: Vec<u32>,
    /// Procedures, each with its calls: their steps are among `steps`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub procedures: Vec<Procedure<'a>>,
    #[serde(default)]
    pub scenarios: Vec<Scenario<'a>>,
    /// Multi-select facts (`multiple { … }`): each item is a yes/no fact
    /// of its own; a host may give the items as one list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub multiples: Vec<MultiSelect<'a>>,
}

#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct Header<'a> {
    pub id: Text<'a>,
    pub title: Text<'a>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Text<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Text<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<Text<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Text<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Text<'a>>,
    /// YEAR-MONTH-DAY.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implemented: Option<Text<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<Text<'a>>,
    /// How long after `reviewed` (or `implemented`) the next review is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_every: Option<Period>,
    /// The most questions a caller may be asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<u32>,
    /// The span of the whole header.
    #[serde(default)]
    pub span: Span,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_span: Option<Span>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_span: Option<Span>,
}

/// `review every N days|months|years`: a length on the calendar.
#[derive(Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Period {
    pub amount: u32,
    pub unit: PeriodUnit,
}

#[derive(Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PeriodUnit {
    Days,
    Months,
    Years,
}

/// A byte range `start..end` in the source: the policy's text, then the
/// texts of the libraries it uses.
#[derive(Clone, Copy, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct Role<'a> {
    pub name: Text<'a>,
    pub title: Text<'a>,
}

#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct Target<'a> {
    pub name: Text<'a>,
    pub title: Text<'a>,
    pub kind: TargetKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Text<'a>>,
    /// Data every ticket to this target must carry.
    #[serde(default)]
    pub requires: Vec<u32>,
    pub span: Span,
}

#[derive(Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Referral,
    Ticket,
    Contact,
}

#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct Data<'a> {
    pub name: Text<'a>,
    pub label: Text<'a>,
    pub class: DataClass,
    /// What a collected value must be.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<ValueRule<'a>>,
    pub span: Span,
}

#[derive(Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
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

/// A rule on a collected value.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum ValueRule<'a> {
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
        pattern: Text<'a>,
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

/// What an ordered fact holds, with its step.
#[derive(Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// A number with up to two decimals, in hundredths.
    Number,
    /// A whole number.
    Count,
    /// An amount of money, in cents.
    Money,
    /// A duration in minutes, written in minutes.
    Minutes,
    /// A duration in minutes, written in hours.
    Hours,
    /// A duration in minutes, written in days.
    Days,
    /// A date, in days since 1970-01-01.
    Date,
    /// A time of day, in minutes after midnight.
    Clock,
    /// A moment of the week, in minutes after Monday 00:00: a time of day
    /// whose policy names days of the week.
    Week,
}

#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct Outcome<'a> {
    pub name: Text<'a>,
    pub label: Text<'a>,
    pub kind: OutcomeKind,
    /// The targets an `end` of this outcome may name; empty: none.
    #[serde(default)]
    pub targets: Vec<u32>,
    /// A callback's deadline, in minutes (`within 48 hours`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_minutes: Option<i64>,
    /// The policy of the folder a `handoff "POLICY"` ends in (kind
    /// `handoff`, one outcome per policy named).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Text<'a>>,
    pub span: Span,
}

#[derive(Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
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

/// A fact a step branches on. Its values fall into finitely many classes,
/// its `answers`: a question's answers, `yes` and `no`, `passed` and
/// `failed`, or the ranges of an ordered value that the policy's own
/// comparisons cut (see [`crate::domain`]).
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct Fact<'a> {
    pub name: Text<'a>,
    pub prompt: Text<'a>,
    pub answers: Vec<Text<'a>>,
    /// The words an analyst reads for each answer (empty: the answer's
    /// name); empty when no answer has words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answer_words: Vec<Text<'a>>,
    #[serde(default)]
    pub kind: FactKind,
    pub source: FactSource<'a>,
    /// A `wait`: the call waits for one of the answers to happen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waits: Option<Wait>,
    pub span: Span,
}

/// What a `wait` waits for.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct Wait {
    /// The answer taken when nothing happens in time (`after 2 days`), and
    /// the time in minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<(u32, i64)>,
}

#[derive(Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase", tag = "type")]
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
    Ordered {
        scale: Scale,
        cuts: Vec<i64>,
        classes: Vec<u32>,
    },
    /// `passed` when at least `at_least` of the items check out, else
    /// `failed`; the analyst marks the items.
    Verify { at_least: u32, items: Vec<u32> },
}

/// Where a fact's value comes from.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase", tag = "from")]
pub enum FactSource<'a> {
    /// The `ask` or `verify` of this step.
    Step { step: u32 },
    /// Asked of the caller when a step first needs it.
    Ask,
    /// Read by the analyst in a system when a step first needs it.
    Lookup {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        system: Option<Text<'a>>,
    },
    /// Given by the console when the call starts.
    Host,
}

#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct Step<'a> {
    pub name: Text<'a>,
    #[serde(default)]
    pub text: Text<'a>,
    /// The role that must hold the call here (`by ROLE`); none: whoever
    /// holds it. The call starts with the first role declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<u32>,
    #[serde(default)]
    pub actions: Vec<Action<'a>>,
    pub exit: Exit,
    /// A bound on the loop as a whole (`loop STEP …`), if one names the step.
    #[serde(default, rename = "loop", skip_serializing_if = "Option::is_none")]
    pub loop_bound: Option<LoopBound>,
    /// The span of the step's name.
    pub span: Span,
}

#[derive(Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum Action<'a> {
    Do {
        text: Text<'a>,
        span: Span,
    },
    Say {
        text: Text<'a>,
        span: Span,
    },
    Warn {
        text: Text<'a>,
        span: Span,
    },
    Note {
        text: Text<'a>,
        span: Span,
    },
    /// An open question the call goes on past.
    Gap {
        note: Text<'a>,
        span: Span,
    },
    Collect {
        data: Vec<u32>,
        span: Span,
    },
    Ticket(Ticket<'a>),
    /// A warm hand-over: `role` takes the call from here, with `requires`
    /// collected first.
    Transfer {
        role: u32,
        #[serde(default)]
        requires: Vec<u32>,
        #[serde(default)]
        reason: Text<'a>,
        span: Span,
    },
    /// A referral given without ending the call, its target's `requires`
    /// collected first.
    Refer {
        target: u32,
        span: Span,
    },
    /// The call goes on in another policy of the folder (`handoff`), with
    /// `requires` collected first and handed over. Always the last action
    /// of a step whose way out ends in the policy's `handoff` outcome.
    Handoff {
        policy: Text<'a>,
        #[serde(default)]
        requires: Vec<u32>,
        span: Span,
    },
}

#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct TicketField<'a> {
    pub name: Text<'a>,
    pub value: Text<'a>,
}

#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct Ticket<'a> {
    pub target: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text<'a>>,
    #[serde(default)]
    pub fields: Vec<TicketField<'a>>,
    #[serde(default)]
    pub body: Vec<u32>,
    #[serde(default)]
    pub assignee: Vec<u32>,
    pub span: Span,
}

/// A step's one way out.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum Exit {
    /// Ask the fact; `branches[i]` is taken on answer `i`.
    Ask {
        fact: u32,
        branches: Vec<Edge>,
    },
    /// Branch on a fact asked earlier; `branches[i]` for answer `i`.
    Match {
        fact: u32,
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
}

#[derive(Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Edge {
    pub to: Dest,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound: Option<Bound>,
    pub span: Span,
    /// In a procedure's copy: the exit `to` leaves by (`to` is where the
    /// call sends that exit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<u32>,
}

#[derive(Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase", tag = "kind", content = "to")]
pub enum Dest {
    Step(u32),
    End(Terminal),
    /// No branch: a `match` that names no branch for this answer. The
    /// checks prove no caller path brings the answer there
    /// (`non-exhaustive` shows one that does).
    Unmatched,
}

#[derive(Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Terminal {
    pub outcome: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<u32>,
}

/// `at most N times, then DEST`.
#[derive(Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Bound {
    pub times: u32,
    pub then: Dest,
    /// In a procedure's copy: the exit `then` leaves by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<u32>,
}

/// `loop STEP at most N times, then DEST`, kept on its step: the call
/// comes back to the step at most `times` times in all, by whichever edge
/// from a step of its loop (its strongly connected component in
/// [`crate::analysis::scc::of_graph`], see
/// [`crate::analysis::loop_return`]); the next such arrival goes to `then`
/// instead. The first arrival from outside the loop is not counted, nor is
/// a standing rule's handler raised there.
#[derive(Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LoopBound {
    pub times: u32,
    pub then: Dest,
    /// The span of the `loop` declaration.
    pub span: Span,
}

/// `never disclose DATA until FACT ANSWER` or `… to FACT ANSWER`.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScopedDisclosure {
    pub data: Vec<u32>,
    pub scope: DisclosureScope,
    pub fact: u32,
    pub answer: u32,
    pub span: Span,
}

#[derive(Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DisclosureScope {
    /// Allowed only once the fact is known to have the answer.
    Until,
    /// Forbidden unless the fact is known not to have the answer.
    To,
}

/// `never say "…"` or `never do "…"`.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct Never<'a> {
    pub kind: NeverKind,
    pub phrase: Text<'a>,
    pub span: Span,
}

#[derive(Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NeverKind {
    Say,
    Do,
}

/// `require FIRST before THEN`.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct Order {
    pub first: u32,
    pub then: u32,
    pub span: Span,
}

/// A standing rule: `anytime NAME "label" -> handler [within steps]`. The
/// analyst may raise it while the call waits for an answer at a step in
/// scope, at most once per call; the call goes on at the handler.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct StandingRule<'a> {
    pub name: Text<'a>,
    pub label: Text<'a>,
    pub handler: u32,
    /// The steps it may be raised at; `None`: every step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<Vec<u32>>,
    pub span: Span,
}

/// A procedure: written once, and copied into the graph at each call
/// (its steps named `CALLER>STEP`), so every check, path and the engine
/// see the calls as if inlined.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct Procedure<'a> {
    pub name: Text<'a>,
    #[serde(default)]
    pub text: Text<'a>,
    #[serde(default)]
    pub exits: Vec<Text<'a>>,
    /// Each call, in the order of the copies' steps; none when the
    /// procedure is never called.
    #[serde(default)]
    pub calls: Vec<Call>,
    /// The span of its name.
    pub span: Span,
    /// The span of the whole declaration: what is found on a copy points
    /// inside it.
    pub body_span: Span,
}

/// One call of a procedure, and the copy of its steps it runs.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct Call {
    /// The step whose way out is the `call` (a `goto` to the copy's first
    /// step in `steps`).
    pub step: u32,
    /// The copy's steps, in the order the procedure writes them.
    pub steps: Vec<u32>,
    /// Where each exit leads from this call.
    pub exits: Vec<Dest>,
}

#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct Scenario<'a> {
    pub name: Text<'a>,
    /// Each fact's answers in order (one per round of a bounded retry).
    pub answers: Vec<(u32, Vec<u32>)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Terminal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visits: Option<Vec<u32>>,
    /// Standing rules raised, each the first time the call waits at its step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub raises: Vec<(u32, u32)>,
    pub span: Span,
}

/// A multi-select fact and its items.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct MultiSelect<'a> {
    pub name: Text<'a>,
    pub items: Vec<MultiItem<'a>>,
}

/// An item of a multi-select and the yes/no fact that says whether it
/// applies.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct MultiItem<'a> {
    pub name: Text<'a>,
    pub fact: u32,
}

/// A step sopc could not read ([`g::Exit::Unknown`]): only a graph with
/// errors has one, and such a graph has no artifact.
#[derive(Debug)]
pub struct Unreadable {
    pub step: String,
}

impl<'a> Graph<'a> {
    /// The file's form of a graph, borrowing its texts.
    pub fn from_graph(graph: &'a g::Graph) -> Result<Self, Unreadable> {
        let steps = graph
            .steps
            .iter()
            .map(Step::from_graph)
            .collect::<Result<_, _>>()?;
        Ok(Graph {
            header: Header::from_graph(&graph.header),
            roles: graph
                .roles
                .iter()
                .map(|r| Role {
                    name: text(&r.name),
                    title: text(&r.title),
                })
                .collect(),
            targets: graph.targets.iter().map(Target::from_graph).collect(),
            data: graph.data.iter().map(Data::from_graph).collect(),
            outcomes: graph.outcomes.iter().map(Outcome::from_graph).collect(),
            facts: graph.facts.iter().map(Fact::from_graph).collect(),
            steps,
            start: graph.start.0,
            never_disclose: raw(&graph.never_disclose),
            scoped_disclose: graph
                .scoped_disclose
                .iter()
                .map(|d| ScopedDisclosure {
                    data: raw(&d.data),
                    scope: match d.scope {
                        g::DisclosureScope::Until => DisclosureScope::Until,
                        g::DisclosureScope::To => DisclosureScope::To,
                    },
                    fact: d.fact.0,
                    answer: d.answer,
                    span: d.span.into(),
                })
                .collect(),
            never: graph
                .never
                .iter()
                .map(|n| Never {
                    kind: match n.kind {
                        g::NeverKind::Say => NeverKind::Say,
                        g::NeverKind::Do => NeverKind::Do,
                    },
                    phrase: text(&n.phrase),
                    span: n.span.into(),
                })
                .collect(),
            requires: graph
                .requires
                .iter()
                .map(|r| Order {
                    first: r.first.0,
                    then: r.then.0,
                    span: r.span.into(),
                })
                .collect(),
            standing: graph
                .standing
                .iter()
                .map(|r| StandingRule {
                    name: text(&r.name),
                    label: text(&r.label),
                    handler: r.handler.0,
                    within: r.within.as_deref().map(raw),
                    span: r.span.into(),
                })
                .collect(),
            receives: raw(&graph.receives),
            procedures: graph.procedures.iter().map(Procedure::from_graph).collect(),
            scenarios: graph.scenarios.iter().map(Scenario::from_graph).collect(),
            multiples: graph
                .multiples
                .iter()
                .map(|m| MultiSelect {
                    name: text(&m.name),
                    items: m
                        .items
                        .iter()
                        .map(|i| MultiItem {
                            name: text(&i.name),
                            fact: i.fact.0,
                        })
                        .collect(),
                })
                .collect(),
        })
    }

    /// The graph a file describes, refused when one of its indices points
    /// nowhere or a question's table is not the size of its answers: the
    /// graph's accessors trust its ids.
    pub fn into_graph(self) -> Result<g::Graph, super::LoadError> {
        let graph = self.into_unchecked();
        super::verify_indices(&graph).map_err(super::LoadError::Inconsistent)?;
        Ok(graph)
    }

    fn into_unchecked(self) -> g::Graph {
        g::Graph {
            header: self.header.into_graph(),
            roles: self
                .roles
                .into_iter()
                .map(|r| g::Role {
                    name: r.name.into_owned(),
                    title: r.title.into_owned(),
                })
                .collect(),
            targets: self.targets.into_iter().map(Target::into_graph).collect(),
            data: self.data.into_iter().map(Data::into_graph).collect(),
            outcomes: self.outcomes.into_iter().map(Outcome::into_graph).collect(),
            facts: self.facts.into_iter().map(Fact::into_graph).collect(),
            steps: self.steps.into_iter().map(Step::into_graph).collect(),
            start: g::StepId(self.start),
            never_disclose: typed(self.never_disclose),
            scoped_disclose: self
                .scoped_disclose
                .into_iter()
                .map(|d| g::ScopedDisclosure {
                    data: typed(d.data),
                    scope: match d.scope {
                        DisclosureScope::Until => g::DisclosureScope::Until,
                        DisclosureScope::To => g::DisclosureScope::To,
                    },
                    fact: g::FactId(d.fact),
                    answer: d.answer,
                    span: d.span.into(),
                })
                .collect(),
            never: self
                .never
                .into_iter()
                .map(|n| g::Never {
                    kind: match n.kind {
                        NeverKind::Say => g::NeverKind::Say,
                        NeverKind::Do => g::NeverKind::Do,
                    },
                    phrase: n.phrase.into_owned(),
                    span: n.span.into(),
                })
                .collect(),
            requires: self
                .requires
                .into_iter()
                .map(|r| g::Order {
                    first: g::StepId(r.first),
                    then: g::StepId(r.then),
                    span: r.span.into(),
                })
                .collect(),
            standing: self
                .standing
                .into_iter()
                .map(|r| g::StandingRule {
                    name: r.name.into_owned(),
                    label: r.label.into_owned(),
                    handler: g::StepId(r.handler),
                    within: r.within.map(typed),
                    span: r.span.into(),
                })
                .collect(),
            receives: typed(self.receives),
            procedures: self
                .procedures
                .into_iter()
                .map(Procedure::into_graph)
                .collect(),
            scenarios: self
                .scenarios
                .into_iter()
                .map(Scenario::into_graph)
                .collect(),
            multiples: self
                .multiples
                .into_iter()
                .map(|m| g::MultiSelect {
                    name: m.name.into_owned(),
                    items: m
                        .items
                        .into_iter()
                        .map(|i| g::MultiItem {
                            name: i.name.into_owned(),
                            fact: g::FactId(i.fact),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

impl<'a> Header<'a> {
    fn from_graph(h: &'a g::Header) -> Self {
        let opt = |o: &'a Option<String>| o.as_deref().map(text);
        Header {
            id: text(&h.id),
            title: text(&h.title),
            owner: opt(&h.owner),
            approval: opt(&h.approval),
            revision: opt(&h.revision),
            purpose: opt(&h.purpose),
            source: opt(&h.source),
            implemented: opt(&h.implemented),
            reviewed: opt(&h.reviewed),
            review_every: h.review_every.map(Period::from),
            budget: h.budget,
            span: h.span.into(),
            budget_span: h.budget_span.map(Span::from),
            reviewed_span: h.reviewed_span.map(Span::from),
        }
    }

    fn into_graph(self) -> g::Header {
        g::Header {
            id: self.id.into_owned(),
            title: self.title.into_owned(),
            owner: self.owner.map(Cow::into_owned),
            approval: self.approval.map(Cow::into_owned),
            revision: self.revision.map(Cow::into_owned),
            purpose: self.purpose.map(Cow::into_owned),
            source: self.source.map(Cow::into_owned),
            implemented: self.implemented.map(Cow::into_owned),
            reviewed: self.reviewed.map(Cow::into_owned),
            review_every: self.review_every.map(Into::into),
            budget: self.budget,
            span: self.span.into(),
            budget_span: self.budget_span.map(Into::into),
            reviewed_span: self.reviewed_span.map(Into::into),
        }
    }
}

impl From<crate::date::Period> for Period {
    fn from(p: crate::date::Period) -> Self {
        use crate::date::PeriodUnit as U;
        Period {
            amount: p.amount,
            unit: match p.unit {
                U::Days => PeriodUnit::Days,
                U::Months => PeriodUnit::Months,
                U::Years => PeriodUnit::Years,
            },
        }
    }
}

impl From<Period> for crate::date::Period {
    fn from(p: Period) -> Self {
        use crate::date::PeriodUnit as U;
        crate::date::Period {
            amount: p.amount,
            unit: match p.unit {
                PeriodUnit::Days => U::Days,
                PeriodUnit::Months => U::Months,
                PeriodUnit::Years => U::Years,
            },
        }
    }
}

impl From<crate::span::Span> for Span {
    fn from(s: crate::span::Span) -> Self {
        Span {
            start: s.start,
            end: s.end,
        }
    }
}

impl From<Span> for crate::span::Span {
    fn from(s: Span) -> Self {
        crate::span::Span {
            start: s.start,
            end: s.end,
        }
    }
}

impl<'a> Target<'a> {
    fn from_graph(t: &'a g::Target) -> Self {
        Target {
            name: text(&t.name),
            title: text(&t.title),
            kind: match t.kind {
                g::TargetKind::Referral => TargetKind::Referral,
                g::TargetKind::Ticket => TargetKind::Ticket,
                g::TargetKind::Contact => TargetKind::Contact,
            },
            via: t.via.as_deref().map(text),
            requires: raw(&t.requires),
            span: t.span.into(),
        }
    }

    fn into_graph(self) -> g::Target {
        g::Target {
            name: self.name.into_owned(),
            title: self.title.into_owned(),
            kind: match self.kind {
                TargetKind::Referral => g::TargetKind::Referral,
                TargetKind::Ticket => g::TargetKind::Ticket,
                TargetKind::Contact => g::TargetKind::Contact,
            },
            via: self.via.map(Cow::into_owned),
            requires: typed(self.requires),
            span: self.span.into(),
        }
    }
}

impl<'a> Data<'a> {
    fn from_graph(d: &'a g::Data) -> Self {
        Data {
            name: text(&d.name),
            label: text(&d.label),
            class: match d.class {
                g::DataClass::Text => DataClass::Text,
                g::DataClass::Phone => DataClass::Phone,
                g::DataClass::Email => DataClass::Email,
                g::DataClass::Id => DataClass::Id,
                g::DataClass::Date => DataClass::Date,
                g::DataClass::Number => DataClass::Number,
                g::DataClass::Secret => DataClass::Secret,
                g::DataClass::Unrecorded => DataClass::Unrecorded,
            },
            rules: d
                .rules
                .iter()
                .map(|r| match r {
                    g::ValueRule::MinLength { length } => ValueRule::MinLength { length: *length },
                    g::ValueRule::MaxLength { length } => ValueRule::MaxLength { length: *length },
                    g::ValueRule::Length { length } => ValueRule::Length { length: *length },
                    g::ValueRule::Pattern { pattern } => ValueRule::Pattern {
                        pattern: text(pattern),
                    },
                    g::ValueRule::Min { scale, value } => ValueRule::Min {
                        scale: (*scale).into(),
                        value: *value,
                    },
                    g::ValueRule::Max { scale, value } => ValueRule::Max {
                        scale: (*scale).into(),
                        value: *value,
                    },
                })
                .collect(),
            span: d.span.into(),
        }
    }

    fn into_graph(self) -> g::Data {
        g::Data {
            name: self.name.into_owned(),
            label: self.label.into_owned(),
            class: match self.class {
                DataClass::Text => g::DataClass::Text,
                DataClass::Phone => g::DataClass::Phone,
                DataClass::Email => g::DataClass::Email,
                DataClass::Id => g::DataClass::Id,
                DataClass::Date => g::DataClass::Date,
                DataClass::Number => g::DataClass::Number,
                DataClass::Secret => g::DataClass::Secret,
                DataClass::Unrecorded => g::DataClass::Unrecorded,
            },
            rules: self
                .rules
                .into_iter()
                .map(|r| match r {
                    ValueRule::MinLength { length } => g::ValueRule::MinLength { length },
                    ValueRule::MaxLength { length } => g::ValueRule::MaxLength { length },
                    ValueRule::Length { length } => g::ValueRule::Length { length },
                    ValueRule::Pattern { pattern } => g::ValueRule::Pattern {
                        pattern: pattern.into_owned(),
                    },
                    ValueRule::Min { scale, value } => g::ValueRule::Min {
                        scale: scale.into(),
                        value,
                    },
                    ValueRule::Max { scale, value } => g::ValueRule::Max {
                        scale: scale.into(),
                        value,
                    },
                })
                .collect(),
            span: self.span.into(),
        }
    }
}

impl From<g::Scale> for Scale {
    fn from(s: g::Scale) -> Self {
        match s {
            g::Scale::Number => Scale::Number,
            g::Scale::Count => Scale::Count,
            g::Scale::Money => Scale::Money,
            g::Scale::Minutes => Scale::Minutes,
            g::Scale::Hours => Scale::Hours,
            g::Scale::Days => Scale::Days,
            g::Scale::Date => Scale::Date,
            g::Scale::Clock => Scale::Clock,
            g::Scale::Week => Scale::Week,
        }
    }
}

impl From<Scale> for g::Scale {
    fn from(s: Scale) -> Self {
        match s {
            Scale::Number => g::Scale::Number,
            Scale::Count => g::Scale::Count,
            Scale::Money => g::Scale::Money,
            Scale::Minutes => g::Scale::Minutes,
            Scale::Hours => g::Scale::Hours,
            Scale::Days => g::Scale::Days,
            Scale::Date => g::Scale::Date,
            Scale::Clock => g::Scale::Clock,
            Scale::Week => g::Scale::Week,
        }
    }
}

impl<'a> Outcome<'a> {
    fn from_graph(o: &'a g::Outcome) -> Self {
        Outcome {
            name: text(&o.name),
            label: text(&o.label),
            kind: match o.kind {
                g::OutcomeKind::Resolved => OutcomeKind::Resolved,
                g::OutcomeKind::Referral => OutcomeKind::Referral,
                g::OutcomeKind::Escalation => OutcomeKind::Escalation,
                g::OutcomeKind::Pending => OutcomeKind::Pending,
                g::OutcomeKind::Declined => OutcomeKind::Declined,
                g::OutcomeKind::Handoff => OutcomeKind::Handoff,
                g::OutcomeKind::Transferred => OutcomeKind::Transferred,
                g::OutcomeKind::Callback => OutcomeKind::Callback,
                g::OutcomeKind::Gap => OutcomeKind::Gap,
            },
            targets: raw(&o.targets),
            within_minutes: o.within_minutes,
            policy: o.policy.as_deref().map(text),
            span: o.span.into(),
        }
    }

    fn into_graph(self) -> g::Outcome {
        g::Outcome {
            name: self.name.into_owned(),
            label: self.label.into_owned(),
            kind: match self.kind {
                OutcomeKind::Resolved => g::OutcomeKind::Resolved,
                OutcomeKind::Referral => g::OutcomeKind::Referral,
                OutcomeKind::Escalation => g::OutcomeKind::Escalation,
                OutcomeKind::Pending => g::OutcomeKind::Pending,
                OutcomeKind::Declined => g::OutcomeKind::Declined,
                OutcomeKind::Handoff => g::OutcomeKind::Handoff,
                OutcomeKind::Transferred => g::OutcomeKind::Transferred,
                OutcomeKind::Callback => g::OutcomeKind::Callback,
                OutcomeKind::Gap => g::OutcomeKind::Gap,
            },
            targets: typed(self.targets),
            within_minutes: self.within_minutes,
            policy: self.policy.map(Cow::into_owned),
            span: self.span.into(),
        }
    }
}

impl<'a> Fact<'a> {
    fn from_graph(f: &'a g::Fact) -> Self {
        Fact {
            name: text(&f.name),
            prompt: text(&f.prompt),
            answers: texts(&f.answers),
            answer_words: texts(&f.answer_words),
            kind: match &f.kind {
                g::FactKind::Choice => FactKind::Choice,
                g::FactKind::YesNo => FactKind::YesNo,
                g::FactKind::Ordered(o) => FactKind::Ordered {
                    scale: o.scale.into(),
                    cuts: o.cuts.clone(),
                    classes: o.classes.clone(),
                },
                g::FactKind::Verify(v) => FactKind::Verify {
                    at_least: v.at_least,
                    items: raw(&v.items),
                },
            },
            source: match &f.source {
                g::FactSource::Step { step } => FactSource::Step { step: step.0 },
                g::FactSource::Ask => FactSource::Ask,
                g::FactSource::Lookup { system } => FactSource::Lookup {
                    system: system.as_deref().map(text),
                },
                g::FactSource::Host => FactSource::Host,
            },
            waits: f.waits.as_ref().map(|w| Wait { timeout: w.timeout }),
            span: f.span.into(),
        }
    }

    fn into_graph(self) -> g::Fact {
        g::Fact {
            name: self.name.into(),
            prompt: self.prompt.into(),
            answers: owned(self.answers),
            answer_words: owned(self.answer_words),
            kind: match self.kind {
                FactKind::Choice => g::FactKind::Choice,
                FactKind::YesNo => g::FactKind::YesNo,
                FactKind::Ordered {
                    scale,
                    cuts,
                    classes,
                } => g::FactKind::Ordered(Box::new(g::Ordered {
                    scale: scale.into(),
                    cuts,
                    classes,
                })),
                FactKind::Verify { at_least, items } => {
                    g::FactKind::Verify(Box::new(g::Verification {
                        at_least,
                        items: typed(items),
                    }))
                }
            },
            source: match self.source {
                FactSource::Step { step } => g::FactSource::Step {
                    step: g::StepId(step),
                },
                FactSource::Ask => g::FactSource::Ask,
                FactSource::Lookup { system } => g::FactSource::Lookup {
                    system: system.map(|s| s.into()),
                },
                FactSource::Host => g::FactSource::Host,
            },
            waits: self.waits.map(|w| Box::new(g::Wait { timeout: w.timeout })),
            span: self.span.into(),
        }
    }
}

impl<'a> Step<'a> {
    fn from_graph(s: &'a g::Step) -> Result<Self, Unreadable> {
        let exit = match &s.exit {
            g::Exit::Ask { fact, branches } => Exit::Ask {
                fact: fact.0,
                branches: branches.iter().map(|&e| e.into()).collect(),
            },
            g::Exit::Match { fact, branches } => Exit::Match {
                fact: fact.0,
                branches: branches.iter().map(|&e| e.into()).collect(),
            },
            g::Exit::Goto { edge } => Exit::Goto {
                edge: (*edge).into(),
            },
            g::Exit::End { terminal, span } => Exit::End {
                terminal: (*terminal).into(),
                span: (*span).into(),
            },
            g::Exit::None => Exit::None,
            g::Exit::Unknown => {
                return Err(Unreadable {
                    step: s.name.to_string(),
                })
            }
        };
        Ok(Step {
            name: text(&s.name),
            text: text(&s.text),
            role: s.role.map(|r| r.0),
            actions: s.actions.iter().map(Action::from_graph).collect(),
            exit,
            loop_bound: s.loop_bound().map(|l| LoopBound {
                times: l.times,
                then: l.then.into(),
                span: l.span.into(),
            }),
            span: s.span.into(),
        })
    }

    fn into_graph(self) -> g::Step {
        g::Step {
            name: self.name.into(),
            text: self.text.into(),
            role: self.role.map(g::RoleId),
            actions: self.actions.into_iter().map(Action::into_graph).collect(),
            exit: match self.exit {
                Exit::Ask { fact, branches } => g::Exit::Ask {
                    fact: g::FactId(fact),
                    branches: branches.into_iter().map(Into::into).collect(),
                },
                Exit::Match { fact, branches } => g::Exit::Match {
                    fact: g::FactId(fact),
                    branches: branches.into_iter().map(Into::into).collect(),
                },
                Exit::Goto { edge } => g::Exit::Goto { edge: edge.into() },
                Exit::End { terminal, span } => g::Exit::End {
                    terminal: terminal.into(),
                    span: span.into(),
                },
                Exit::None => g::Exit::None,
            },
            loop_bound: self.loop_bound.map(|l| {
                Box::new(g::LoopBound {
                    times: l.times,
                    then: l.then.into(),
                    span: l.span.into(),
                })
            }),
            span: self.span.into(),
        }
    }
}

impl<'a> Action<'a> {
    fn from_graph(a: &'a g::Action) -> Self {
        match a {
            g::Action::Do { text: t, span } => Action::Do {
                text: text(t),
                span: (*span).into(),
            },
            g::Action::Say { text: t, span } => Action::Say {
                text: text(t),
                span: (*span).into(),
            },
            g::Action::Warn { text: t, span } => Action::Warn {
                text: text(t),
                span: (*span).into(),
            },
            g::Action::Note { text: t, span } => Action::Note {
                text: text(t),
                span: (*span).into(),
            },
            g::Action::Gap { note, span } => Action::Gap {
                note: text(note),
                span: (*span).into(),
            },
            g::Action::Collect { data, span } => Action::Collect {
                data: raw(data),
                span: (*span).into(),
            },
            g::Action::Ticket(t) => Action::Ticket(Ticket {
                target: t.target.0,
                title: t.title.as_deref().map(text),
                fields: t
                    .fields
                    .iter()
                    .map(|f| TicketField {
                        name: text(&f.name),
                        value: text(&f.value),
                    })
                    .collect(),
                body: raw(&t.body),
                assignee: raw(&t.assignee),
                span: t.span.into(),
            }),
            g::Action::Transfer {
                role,
                requires,
                reason,
                span,
            } => Action::Transfer {
                role: role.0,
                requires: raw(requires),
                reason: text(reason),
                span: (*span).into(),
            },
            g::Action::Refer { target, span } => Action::Refer {
                target: target.0,
                span: (*span).into(),
            },
            g::Action::Handoff {
                policy,
                requires,
                span,
            } => Action::Handoff {
                policy: text(policy),
                requires: raw(requires),
                span: (*span).into(),
            },
        }
    }

    fn into_graph(self) -> g::Action {
        match self {
            Action::Do { text, span } => g::Action::Do {
                text: text.into(),
                span: span.into(),
            },
            Action::Say { text, span } => g::Action::Say {
                text: text.into(),
                span: span.into(),
            },
            Action::Warn { text, span } => g::Action::Warn {
                text: text.into(),
                span: span.into(),
            },
            Action::Note { text, span } => g::Action::Note {
                text: text.into(),
                span: span.into(),
            },
            Action::Gap { note, span } => g::Action::Gap {
                note: note.into(),
                span: span.into(),
            },
            Action::Collect { data, span } => g::Action::Collect {
                data: typed(data),
                span: span.into(),
            },
            Action::Ticket(t) => g::Action::Ticket(Box::new(g::Ticket {
                target: g::TargetId(t.target),
                title: t.title.map(Cow::into_owned),
                fields: t
                    .fields
                    .into_iter()
                    .map(|f| g::TicketField {
                        name: f.name.into_owned(),
                        value: f.value.into_owned(),
                    })
                    .collect(),
                body: typed(t.body),
                assignee: typed(t.assignee),
                span: t.span.into(),
            })),
            Action::Transfer {
                role,
                requires,
                reason,
                span,
            } => g::Action::Transfer {
                role: g::RoleId(role),
                requires: typed(requires),
                reason: reason.into_owned(),
                span: span.into(),
            },
            Action::Refer { target, span } => g::Action::Refer {
                target: g::TargetId(target),
                span: span.into(),
            },
            Action::Handoff {
                policy,
                requires,
                span,
            } => g::Action::Handoff {
                policy: policy.into_owned(),
                requires: typed(requires),
                span: span.into(),
            },
        }
    }
}

impl From<g::Edge> for Edge {
    fn from(e: g::Edge) -> Self {
        Edge {
            to: e.to.into(),
            bound: e.bound.map(|b| Bound {
                times: b.times,
                then: b.then.into(),
                exit: b.exit.map(|x| x.0),
            }),
            span: e.span.into(),
            exit: e.exit.map(|x| x.0),
        }
    }
}

impl From<Edge> for g::Edge {
    fn from(e: Edge) -> Self {
        g::Edge {
            to: e.to.into(),
            bound: e.bound.map(|b| g::Bound {
                times: b.times,
                then: b.then.into(),
                exit: b.exit.map(g::ExitId),
            }),
            span: e.span.into(),
            exit: e.exit.map(g::ExitId),
        }
    }
}

impl From<g::Dest> for Dest {
    fn from(d: g::Dest) -> Self {
        match d {
            g::Dest::Step(s) => Dest::Step(s.0),
            g::Dest::End(t) => Dest::End(t.into()),
            g::Dest::Unmatched => Dest::Unmatched,
        }
    }
}

impl From<Dest> for g::Dest {
    fn from(d: Dest) -> Self {
        match d {
            Dest::Step(s) => g::Dest::Step(g::StepId(s)),
            Dest::End(t) => g::Dest::End(t.into()),
            Dest::Unmatched => g::Dest::Unmatched,
        }
    }
}

impl From<g::Terminal> for Terminal {
    fn from(t: g::Terminal) -> Self {
        Terminal {
            outcome: t.outcome.0,
            target: t.target.map(|x| x.0),
        }
    }
}

impl From<Terminal> for g::Terminal {
    fn from(t: Terminal) -> Self {
        g::Terminal {
            outcome: g::OutcomeId(t.outcome),
            target: t.target.map(g::TargetId),
        }
    }
}

impl<'a> Procedure<'a> {
    fn from_graph(p: &'a g::Procedure) -> Self {
        Procedure {
            name: text(&p.name),
            text: text(&p.text),
            exits: texts(&p.exits),
            calls: p
                .calls
                .iter()
                .map(|c| Call {
                    step: c.step.0,
                    steps: raw(&c.steps),
                    exits: c.exits.iter().map(|&d| d.into()).collect(),
                })
                .collect(),
            span: p.span.into(),
            body_span: p.body_span.into(),
        }
    }

    fn into_graph(self) -> g::Procedure {
        g::Procedure {
            name: self.name.into_owned(),
            text: self.text.into_owned(),
            exits: owned(self.exits),
            calls: self
                .calls
                .into_iter()
                .map(|c| g::Call {
                    step: g::StepId(c.step),
                    steps: typed(c.steps),
                    exits: c.exits.into_iter().map(Into::into).collect(),
                })
                .collect(),
            span: self.span.into(),
            body_span: self.body_span.into(),
        }
    }
}

impl<'a> Scenario<'a> {
    fn from_graph(s: &'a g::Scenario) -> Self {
        Scenario {
            name: text(&s.name),
            answers: s
                .answers
                .iter()
                .map(|(f, rounds)| (f.0, rounds.clone()))
                .collect(),
            expect: s.expect.map(Into::into),
            visits: s.visits.as_deref().map(raw),
            raises: s.raises.iter().map(|(r, at)| (r.0, at.0)).collect(),
            span: s.span.into(),
        }
    }

    fn into_graph(self) -> g::Scenario {
        g::Scenario {
            name: self.name.into_owned(),
            answers: self
                .answers
                .into_iter()
                .map(|(f, rounds)| (g::FactId(f), rounds))
                .collect(),
            expect: self.expect.map(Into::into),
            visits: self.visits.map(typed),
            raises: self
                .raises
                .into_iter()
                .map(|(r, at)| (g::StandingId(r), g::StepId(at)))
                .collect(),
            span: self.span.into(),
        }
    }
}
