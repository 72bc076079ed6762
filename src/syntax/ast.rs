//! The abstract syntax tree of a policy file. Every node carries its span; the
//! tree owns its data (no borrow of the source text).

use crate::span::Span;

/// A name as written, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

/// A piece of prose: one or more adjacent quoted strings, joined by a space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub value: String,
    /// Each quoted string's span, quotes included (kept for the formatter).
    pub parts: Vec<Span>,
    /// `{field}` references inside the text, with the span of the name.
    pub refs: Vec<Name>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodUnit {
    Days,
    Months,
    Years,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub amount: u32,
    pub unit: PeriodUnit,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub questions: u32,
    pub span: Span,
}

/// `sop "ID" "Title" { ... }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub id: Text,
    pub title: Text,
    pub owner: Option<Text>,
    pub approval: Option<Text>,
    pub revision: Option<Text>,
    pub purpose: Option<Text>,
    pub source: Option<Text>,
    pub implemented: Option<Date>,
    pub reviewed: Option<Date>,
    pub review_every: Option<Period>,
    pub budget: Option<Budget>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleDecl {
    pub name: Name,
    pub title: Text,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetKind {
    /// The caller is told to go there.
    Referral,
    /// A ticket is filed to this queue or person.
    Ticket,
    /// The analyst contacts this person directly (phone, chat).
    Contact,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetDecl {
    pub name: Name,
    pub title: Text,
    pub kind: TargetKind,
    pub via: Option<Text>,
    pub requires: Vec<Name>,
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
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataDecl {
    pub name: Name,
    pub label: Option<Text>,
    pub class: DataClass,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutcomeKind {
    Resolved,
    Referral,
    Escalation,
    Pending,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutcomeDecl {
    pub name: Name,
    pub label: Option<Text>,
    /// As written; when absent it follows from the targets (see docs).
    pub kind: Option<OutcomeKind>,
    pub targets: Vec<Name>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeverDisclose {
    pub fields: Vec<Name>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Require {
    pub first: Name,
    pub then: Name,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LintLevel {
    Allow,
    Warn,
    Deny,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintAttr {
    pub level: LintLevel,
    pub code: Name,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    pub target: Name,
    pub title: Option<Text>,
    pub fields: Vec<(Name, Text)>,
    pub body: Vec<Name>,
    pub assignee: Vec<Name>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// An instruction the analyst carries out.
    Do(Text),
    /// Words said to the caller.
    Say(Text),
    /// A mandatory warning said to the caller.
    Warn(Text),
    /// An aside for the analyst.
    Note(Text),
    Collect {
        fields: Vec<Name>,
        span: Span,
    },
    Ticket(Ticket),
}

impl Action {
    pub fn span(&self) -> Span {
        match self {
            Action::Do(t) | Action::Say(t) | Action::Warn(t) | Action::Note(t) => t.span,
            Action::Collect { span, .. } => *span,
            Action::Ticket(t) => t.span,
        }
    }
}

/// `end outcome` or `end outcome(target)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalRef {
    pub outcome: Name,
    pub target: Option<Name>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dest {
    Step(Name),
    End(TerminalRef),
}

impl Dest {
    pub fn span(&self) -> Span {
        match self {
            Dest::Step(n) => n.span,
            Dest::End(t) => t.span,
        }
    }
}

/// `at most N times, then DEST`: the branch may be taken N times on one
/// call; the next time it goes to `then`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bound {
    pub times: u32,
    pub then: Box<Dest>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arm {
    Answer(Name),
    Else(Span),
}

impl Arm {
    pub fn span(&self) -> Span {
        match self {
            Arm::Answer(n) => n.span,
            Arm::Else(s) => *s,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branch {
    pub arm: Arm,
    pub dest: Dest,
    pub bound: Option<Bound>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    /// `ask fact "prompt" { a b }` followed by branches.
    Ask {
        fact: Name,
        prompt: Option<Text>,
        answers: Vec<Name>,
        branches: Vec<Branch>,
        span: Span,
    },
    /// `match fact { a -> x ... }` on a fact asked earlier.
    Match {
        fact: Name,
        branches: Vec<Branch>,
        span: Span,
    },
    Goto {
        dest: Dest,
        bound: Option<Bound>,
        span: Span,
    },
    End(TerminalRef),
}

impl Exit {
    pub fn span(&self) -> Span {
        match self {
            Exit::Ask { span, .. } | Exit::Match { span, .. } | Exit::Goto { span, .. } => *span,
            Exit::End(t) => t.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub name: Name,
    pub text: Option<Text>,
    pub role: Option<Name>,
    pub lints: Vec<LintAttr>,
    pub actions: Vec<Action>,
    pub exit: Option<Exit>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerPair {
    pub fact: Name,
    /// One answer, or one per round of a bounded retry, in order.
    pub rounds: Vec<Name>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    pub name: Text,
    pub answers: Vec<AnswerPair>,
    pub expect: Option<TerminalRef>,
    pub visits: Option<Vec<Name>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartDecl {
    pub step: Name,
    pub span: Span,
}

/// A whole policy file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub header: Header,
    pub roles: Vec<RoleDecl>,
    pub targets: Vec<TargetDecl>,
    pub data: Vec<DataDecl>,
    pub outcomes: Vec<OutcomeDecl>,
    pub never_disclose: Vec<NeverDisclose>,
    pub requires: Vec<Require>,
    pub starts: Vec<StartDecl>,
    pub steps: Vec<Step>,
    pub scenarios: Vec<Scenario>,
}
