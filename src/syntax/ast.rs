//! The abstract syntax tree of a policy file. Every node carries its span; the
//! tree borrows names and plain texts from the source text: building and
//! dropping it allocates once per list, not once per word.

use crate::span::Span;
use std::sync::atomic::{AtomicU32, Ordering};

/// A name as written, with where it was written and, where it refers to a
/// declaration, what name resolution bound it to.
///
/// 24 bytes, not the 32 of a `&str` beside the span and the binding: the
/// text is held as a pointer and a 32-bit length (a source is at most
/// [`crate::syntax::MAX_SOURCE_BYTES`]), and a large policy's tree holds
/// about nine names a step (docs/performance.md, "Names in 24 bytes").
/// Read the text with [`Name::text`].
pub struct Name<'a> {
    ptr: std::ptr::NonNull<u8>,
    len: u32,
    pub bound: Binding,
    pub span: Span,
    borrows: std::marker::PhantomData<&'a str>,
}

// SAFETY: a `Name` is a `&'a str` (shared, immutable), a span and an
// atomic binding, each of which may be sent and shared between threads.
unsafe impl Send for Name<'_> {}
// SAFETY: as for `Send`.
unsafe impl Sync for Name<'_> {}

impl<'a> Name<'a> {
    /// A name not yet bound.
    pub fn new(text: &'a str, span: Span) -> Self {
        // Never shortened in practice: a source is far shorter.
        let mut len = text.len().min(u32::MAX as usize);
        while !text.is_char_boundary(len) {
            len -= 1;
        }
        Name {
            ptr: std::ptr::NonNull::from(text.as_bytes()).cast(),
            len: len as u32,
            bound: Binding::default(),
            span,
            borrows: std::marker::PhantomData,
        }
    }

    /// The name as written.
    pub fn text(&self) -> &'a str {
        // SAFETY: `ptr` and `len` were taken from a `&'a str` in `new`,
        // whose bytes live and stay unchanged for `'a`; a source (and so
        // any name) is shorter than `u32::MAX` bytes, so `len` is whole.
        unsafe {
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(
                self.ptr.as_ptr(),
                self.len as usize,
            ))
        }
    }
}

impl Clone for Name<'_> {
    fn clone(&self) -> Self {
        Name {
            ptr: self.ptr,
            len: self.len,
            bound: self.bound.clone(),
            span: self.span,
            borrows: std::marker::PhantomData,
        }
    }
}

/// Names compare by their text and span, whatever their bindings.
impl PartialEq for Name<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text() && self.span == other.span
    }
}

impl Eq for Name<'_> {}

impl std::fmt::Debug for Name<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Name")
            .field("text", &self.text())
            .field("span", &self.span)
            .field("bound", &self.bound)
            .finish()
    }
}

/// The index of the declaration a reference names, in the namespace of
/// its place (the policy's steps, facts, targets, ...; a procedure's own
/// steps or exits inside one): written by `resolve`, read by `lower`, so
/// that lowering never looks a name up again.
///
/// A slot in the name rather than a table keyed by span: the pieces that
/// `for each`, `repeat` and `role from host` write share the author's
/// spans, so a span does not tell two references apart. Atomic so that
/// resolution can bind the two halves of a large policy on two threads
/// through the shared tree; relaxed, since the threads are joined before
/// lowering reads. Names compare equal whatever their bindings.
pub struct Binding(AtomicU32);

impl Default for Binding {
    fn default() -> Self {
        Binding(AtomicU32::new(u32::MAX))
    }
}

impl Binding {
    /// Records what the reference names (`None`: nothing declared).
    pub fn set(&self, index: Option<usize>) {
        let raw = index.map_or(u32::MAX, |i| i as u32);
        self.0.store(raw, Ordering::Relaxed);
    }

    /// The index recorded; `None` when nothing was, or nothing is named.
    pub fn get(&self) -> Option<usize> {
        match self.0.load(Ordering::Relaxed) {
            u32::MAX => None,
            i => Some(i as usize),
        }
    }
}

impl Clone for Binding {
    fn clone(&self) -> Self {
        let b = Binding::default();
        b.set(self.get());
        b
    }
}

impl PartialEq for Binding {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Binding {}

impl std::fmt::Debug for Binding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// A piece of prose: one or more adjacent quoted strings, joined by a space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text<'a> {
    /// The text as written: its quoted strings, with the white space and
    /// comments between them (kept for the formatter).
    pub raw: &'a str,
    /// `{field}` references inside the text, with the span of the name.
    pub refs: Refs<'a>,
    pub span: Span,
}

/// The `{field}` references of a text. One word when there are none, as
/// in nearly every text: a large policy holds millions of texts at once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refs<'a>(Option<Box<Box<[Name<'a>]>>>);

impl<'a> std::ops::Deref for Refs<'a> {
    type Target = [Name<'a>];

    fn deref(&self) -> &[Name<'a>] {
        self.0.as_deref().map_or(&[], |r| r)
    }
}

impl<'a> FromIterator<Name<'a>> for Refs<'a> {
    fn from_iter<I: IntoIterator<Item = Name<'a>>>(iter: I) -> Self {
        let refs: Box<[Name<'a>]> = iter.into_iter().collect();
        Refs((!refs.is_empty()).then(|| Box::new(refs)))
    }
}

impl<'s, 'a> IntoIterator for &'s Refs<'a> {
    type Item = &'s Name<'a>;
    type IntoIter = std::slice::Iter<'s, Name<'a>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a> Text<'a> {
    /// What the text says: its parts unescaped and joined by a space;
    /// borrowed from the source when it is one part without escapes (the
    /// parser has checked every escape).
    pub fn value(&self) -> std::borrow::Cow<'a, str> {
        let raw = self.raw;
        if let Some(inner) = raw.get(1..raw.len().saturating_sub(1)) {
            if raw.starts_with('"') && !inner.contains(['"', '\\']) {
                return std::borrow::Cow::Borrowed(inner);
            }
        }
        let mut value = String::with_capacity(raw.len());
        for (k, part) in self.parts().into_iter().enumerate() {
            if k > 0 {
                value.push(' ');
            }
            let inner = part.get(1..part.len().saturating_sub(1)).unwrap_or("");
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                match (c, c == '\\') {
                    (_, true) => match chars.next() {
                        Some('n') => value.push('\n'),
                        Some('t') => value.push('\t'),
                        Some(other) => value.push(other),
                        None => {}
                    },
                    (c, false) => value.push(c),
                }
            }
        }
        std::borrow::Cow::Owned(value)
    }

    /// Each quoted string as written, quotes included.
    pub fn parts(&self) -> Vec<&'a str> {
        let raw = self.raw;
        let bytes = raw.as_bytes();
        let mut parts = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => {
                    // To the closing quote, over escapes (or the end).
                    let mut j = i + 1;
                    loop {
                        match memchr::memchr2(b'"', b'\\', bytes.get(j..).unwrap_or(&[])) {
                            Some(at) if bytes[j + at] == b'"' => {
                                j += at;
                                break;
                            }
                            Some(at) => j += at + 2,
                            None => {
                                j = bytes.len();
                                break;
                            }
                        }
                    }
                    let end = (j + 1).min(bytes.len());
                    parts.extend(raw.get(i..end));
                    i = end;
                }
                // A comment between two parts runs to the end of its line.
                b'#' => i += raw[i..].find('\n').unwrap_or(raw.len() - i),
                _ => i += 1,
            }
        }
        parts
    }
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
pub struct Header<'a> {
    pub id: Text<'a>,
    pub title: Text<'a>,
    pub owner: Option<Text<'a>>,
    pub approval: Option<Text<'a>>,
    pub revision: Option<Text<'a>>,
    pub purpose: Option<Text<'a>>,
    pub source: Option<Text<'a>>,
    pub implemented: Option<Date>,
    pub reviewed: Option<Date>,
    pub review_every: Option<Period>,
    pub budget: Option<Budget>,
    /// `library` rather than `sop`: a file of shared declarations that
    /// policies `use`, with no steps of its own.
    pub library: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleDecl<'a> {
    pub name: Name<'a>,
    pub title: Text<'a>,
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
pub struct TargetDecl<'a> {
    pub name: Name<'a>,
    pub title: Text<'a>,
    pub kind: TargetKind,
    pub via: Option<Text<'a>>,
    pub requires: Vec<Name<'a>>,
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
    /// Never written anywhere: no ticket, record, trace or output.
    Unrecorded,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataDecl<'a> {
    pub name: Name<'a>,
    pub label: Option<Text<'a>>,
    pub class: DataClass,
    /// What a collected value must be (`min length 8`, `pattern "…"`).
    pub rules: Vec<ValueRule<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueRuleKind<'a> {
    MinLength(u32),
    MaxLength(u32),
    Length(u32),
    /// A regular expression the whole value must match.
    Pattern(Text<'a>),
    Min(Value<'a>),
    Max(Value<'a>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueRule<'a> {
    pub kind: ValueRuleKind<'a>,
    pub span: Span,
}

/// A value written in a policy: a number (with its unit, if written), a
/// date or a time of day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueKind<'a> {
    /// Digits, with at most one `.`, as written.
    Number {
        digits: &'a str,
        unit: Option<ValueUnit>,
    },
    Date(Date),
    /// Minutes after midnight; `24:00` is 1440.
    Clock(u32),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value<'a> {
    pub kind: ValueKind<'a>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueUnit {
    Minutes,
    Hours,
    Days,
}

/// The type of a declared fact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// A number with up to two decimals.
    Number,
    Count,
    Money,
    Minutes,
    Hours,
    Days,
    Date,
    /// A time of day, on a day of the week.
    Time,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FactType<'a> {
    YesNo(Span),
    Choice(Vec<AnswerDef<'a>>),
    /// `multiple { … }`: any of the answers (see `src/foreach.rs`).
    Multiple(Vec<AnswerDef<'a>>),
    Unit(Unit, Span),
    /// `role`: one of the declared roles, the one that takes the call (see
    /// `src/holder.rs`).
    Role(Span),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FactSource<'a> {
    /// Asked of the caller when a step first needs it, with the words to
    /// ask it with.
    Ask(Option<Text<'a>>),
    /// Read by the analyst in a system, when a step first needs it.
    Lookup(Option<Text<'a>>),
    /// Given by the console when the call starts.
    Host,
}

/// `fact NAME "Label" TYPE SOURCE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FactDecl<'a> {
    pub name: Name<'a>,
    pub label: Option<Text<'a>>,
    pub ty: FactType<'a>,
    pub source: FactSource<'a>,
    pub span: Span,
}

/// An answer, with the words the analyst reads for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerDef<'a> {
    pub name: Name<'a>,
    /// Boxed, as `after`: a large policy has millions of answers, most
    /// without words.
    pub label: Option<Box<Text<'a>>>,
    /// `after 2 days`: in a `wait`, the answer taken when nothing happens
    /// by then.
    pub after: Option<Box<Value<'a>>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutcomeKind {
    Resolved,
    Referral,
    Escalation,
    Pending,
    /// Service refused: not verified, not eligible.
    Declined,
    /// Another team or policy takes over.
    Handoff,
    /// A warm transfer ends this analyst's part.
    Transferred,
    /// A promise to call back, by a deadline.
    Callback,
}

impl OutcomeKind {
    /// The word a policy writes for the kind.
    pub fn word(self) -> &'static str {
        match self {
            OutcomeKind::Resolved => "resolved",
            OutcomeKind::Referral => "referral",
            OutcomeKind::Escalation => "escalation",
            OutcomeKind::Pending => "pending",
            OutcomeKind::Declined => "declined",
            OutcomeKind::Handoff => "handoff",
            OutcomeKind::Transferred => "transferred",
            OutcomeKind::Callback => "callback",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutcomeDecl<'a> {
    pub name: Name<'a>,
    pub label: Option<Text<'a>>,
    /// As written; when absent it follows from the targets (see docs).
    pub kind: Option<OutcomeKind>,
    /// `within 48 hours`: the deadline a callback promises.
    pub within: Option<Value<'a>>,
    pub targets: Vec<Name<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeverDisclose<'a> {
    pub fields: Vec<Name<'a>>,
    pub scope: Option<DiscloseScope<'a>>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScopeKind {
    /// `until FACT ANSWER`: allowed once the fact has that answer.
    Until,
    /// `to FACT [ANSWER]`: forbidden while the fact may have that answer.
    To,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscloseScope<'a> {
    pub kind: ScopeKind,
    pub fact: Name<'a>,
    /// Absent: `yes` (for a yes/no fact) or `passed` (for a verification).
    pub answer: Option<Name<'a>>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PhraseKind {
    Say,
    Do,
}

/// `never say "…"` or `never do "…"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeverPhrase<'a> {
    pub kind: PhraseKind,
    pub phrase: Text<'a>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Require<'a> {
    pub first: Name<'a>,
    pub then: Name<'a>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LintLevel {
    Allow,
    Warn,
    Deny,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintAttr<'a> {
    pub level: LintLevel,
    pub code: Name<'a>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket<'a> {
    pub target: Name<'a>,
    pub title: Option<Text<'a>>,
    pub fields: Vec<(Name<'a>, Text<'a>)>,
    pub body: Vec<Name<'a>>,
    pub assignee: Vec<Name<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action<'a> {
    /// An instruction the analyst carries out.
    Do(Text<'a>),
    /// Words said to the caller.
    Say(Text<'a>),
    /// A mandatory warning said to the caller.
    Warn(Text<'a>),
    /// An aside for the analyst.
    Note(Text<'a>),
    /// `gap "…"` among the actions: something the source leaves unsaid
    /// here, while the call goes on (a `gap` last in a step ends the call).
    Gap(Text<'a>),
    Collect {
        fields: Vec<Name<'a>>,
        span: Span,
    },
    // Boxed: a ticket is several times the size of the other actions.
    Ticket(Box<Ticket<'a>>),
    /// `transfer ROLE requires DATA "reason"`: a warm hand-over; the role
    /// takes the call from here.
    Transfer(Box<Transfer<'a>>),
    /// `refer TARGET`: the caller is referred, and the call goes on.
    Refer {
        target: Name<'a>,
        span: Span,
    },
    /// `for each FACT { … }`: the actions once per item of a multi-select
    /// fact that applies (see `src/foreach.rs`). Boxed, as `Repeat`: rare,
    /// and the largest actions.
    ForEach(Box<ForEach<'a>>),
    /// `repeat FACT up to N { … }`: the actions as many times as a count
    /// fact says, at most N (see `src/foreach.rs`).
    Repeat(Box<Repeat<'a>>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForEach<'a> {
    pub fact: Name<'a>,
    pub actions: Vec<Action<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repeat<'a> {
    pub fact: Name<'a>,
    pub times: u32,
    pub actions: Vec<Action<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer<'a> {
    pub role: Name<'a>,
    pub requires: Vec<Name<'a>>,
    pub reason: Option<Text<'a>>,
    pub span: Span,
}

impl Action<'_> {
    pub fn span(&self) -> Span {
        match self {
            Action::Do(t) | Action::Say(t) | Action::Warn(t) | Action::Note(t) | Action::Gap(t) => {
                t.span
            }
            Action::Collect { span, .. } => *span,
            Action::Ticket(t) => t.span,
            Action::Transfer(t) => t.span,
            Action::Refer { span, .. } => *span,
            Action::ForEach(e) => e.span,
            Action::Repeat(r) => r.span,
        }
    }
}

/// `end outcome` or `end outcome(target)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalRef<'a> {
    pub outcome: Name<'a>,
    /// Boxed: rare, and a terminal sits in every branch.
    pub target: Option<Box<Name<'a>>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dest<'a> {
    Step(Name<'a>),
    /// Boxed: a `TerminalRef` is half again the size of a name, and a
    /// destination sits in every branch, most of them a step.
    End(Box<TerminalRef<'a>>),
    /// `gap "…"`: what the source leaves unsaid. Boxed: rare, and a
    /// destination sits in every branch.
    Gap(Box<GapRef<'a>>),
    /// `exit NAME`: inside a procedure, leave it by that exit.
    Exit(Name<'a>),
}

/// `gap "The source does not say …"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GapRef<'a> {
    pub note: Text<'a>,
    pub span: Span,
}

impl Dest<'_> {
    pub fn span(&self) -> Span {
        match self {
            Dest::Step(n) => n.span,
            Dest::End(t) => t.span,
            Dest::Gap(g) => g.span,
            Dest::Exit(n) => n.span,
        }
    }
}

/// `at most N times, then DEST`: the branch may be taken N times on one
/// call; the next time it goes to `then`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bound<'a> {
    pub times: u32,
    pub then: Box<Dest<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arm<'a> {
    /// An answer; on a time of day, a day or `weekdays`/`weekends`.
    Answer(Name<'a>),
    Else(Span),
    /// A range of values. Boxed, as `Days`: a branch sits in every
    /// question, and most arms are answers.
    Range(Box<Range<'a>>),
    /// Days of the week (`mon..fri`, `weekdays`), with hours or without.
    Days(Box<Days<'a>>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Days<'a> {
    pub from: Name<'a>,
    pub to: Option<Name<'a>>,
    pub hours: Option<Range<'a>>,
    pub span: Span,
}

impl Arm<'_> {
    pub fn span(&self) -> Span {
        match self {
            Arm::Answer(n) => n.span,
            Arm::Else(s) => *s,
            Arm::Range(r) => r.span,
            Arm::Days(d) => d.span,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RangeOp {
    Over,
    Under,
    Before,
    After,
    OrMore,
    OrLess,
    OrLater,
    OrEarlier,
    /// `A..B`: from A, up to but not including B.
    Span,
    /// One value.
    Exact,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range<'a> {
    pub op: RangeOp,
    pub from: Value<'a>,
    /// The end of `A..B`.
    pub to: Option<Value<'a>>,
    /// A unit written after `or more` (`3 or more minutes`).
    pub unit: Option<ValueUnit>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quorum {
    All,
    Any(u32),
    AtLeast(u32),
}

/// What a `verify` checks: `at least K of these N: a, b, c`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checklist<'a> {
    pub quorum: Quorum,
    pub quorum_span: Span,
    /// The count the source states (`of these 3:`).
    pub stated: Option<(u32, Span)>,
    pub items: Vec<Name<'a>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branch<'a> {
    pub arm: Arm<'a>,
    pub dest: Dest<'a>,
    /// Boxed: few branches are bounded, and a large policy holds millions
    /// of branches at once.
    pub bound: Option<Box<Bound<'a>>>,
    pub span: Span,
}

/// A step's way out. Its answers and branches are boxed slices, not
/// vectors: the tree holds a million of them at once in a large policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit<'a> {
    /// `ask fact "prompt" { a b }` followed by branches; `wait` for a
    /// question the call waits on (`waits`).
    Ask {
        fact: Name<'a>,
        prompt: Option<Text<'a>>,
        answers: Box<[AnswerDef<'a>]>,
        branches: Box<[Branch<'a>]>,
        waits: bool,
        span: Span,
    },
    /// `verify fact "prompt" at least K of these N: a, b, c` followed by
    /// `passed` and `failed` branches.
    Verify {
        fact: Name<'a>,
        prompt: Option<Text<'a>>,
        /// Boxed: it would make every step's way out a fifth larger.
        checklist: Box<Checklist<'a>>,
        branches: Box<[Branch<'a>]>,
        span: Span,
    },
    /// `match fact { a -> x ... }` on a fact asked earlier.
    Match {
        fact: Name<'a>,
        branches: Box<[Branch<'a>]>,
        span: Span,
    },
    Goto {
        dest: Dest<'a>,
        bound: Option<Bound<'a>>,
        span: Span,
    },
    End(TerminalRef<'a>),
    Gap(GapRef<'a>),
    Handoff(Handoff<'a>),
    /// `exit NAME`: inside a procedure, leave it by that exit.
    Leave(Name<'a>),
    /// `call PROC { EXIT -> DEST ... }`: run the procedure; each exit
    /// leads where the call says.
    Call {
        procedure: Name<'a>,
        branches: Vec<CallBranch<'a>>,
        span: Span,
    },
}

/// `handoff "POLICY" requires A, B`: the call goes on in another policy of
/// the folder, with these data handed over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handoff<'a> {
    pub policy: Text<'a>,
    pub requires: Vec<Name<'a>>,
    pub span: Span,
}

/// `EXIT -> DEST` in a `call`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallBranch<'a> {
    pub exit: Name<'a>,
    pub dest: Dest<'a>,
    pub span: Span,
}

impl Exit<'_> {
    pub fn span(&self) -> Span {
        match self {
            Exit::Ask { span, .. }
            | Exit::Verify { span, .. }
            | Exit::Match { span, .. }
            | Exit::Goto { span, .. }
            | Exit::Call { span, .. } => *span,
            Exit::End(t) => t.span,
            Exit::Gap(g) => g.span,
            Exit::Handoff(h) => h.span,
            Exit::Leave(n) => n.span,
        }
    }
}

/// `procedure NAME "…" exits a, b { step … }`: a named sub-flow that steps
/// `call`. Its steps' names are its own; its first step is where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Procedure<'a> {
    pub name: Name<'a>,
    pub text: Option<Text<'a>>,
    pub exits: Vec<Name<'a>>,
    pub steps: Vec<Box<Step<'a>>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step<'a> {
    pub name: Name<'a>,
    pub text: Option<Text<'a>>,
    /// Boxed: few steps name a role, and the list of steps is held whole
    /// until lowering is done.
    pub role: Option<Box<Name<'a>>>,
    /// A boxed slice, not a vector: it keeps the step within 128 bytes,
    /// the allocator's size class below 160 (a million steps, 30 MiB).
    pub lints: Box<[LintAttr<'a>]>,
    pub actions: Vec<Action<'a>>,
    /// Boxed: the largest part of a step, and the tree's list of steps is
    /// held whole until lowering is done.
    pub exit: Option<Box<Exit<'a>>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerPair<'a> {
    pub fact: Name<'a>,
    /// One answer, or one per round of a bounded retry, in order.
    pub rounds: Vec<Given<'a>>,
    pub span: Span,
}

/// What a scenario gives a fact: an answer, a value, or a day and a time
/// of day (`thu 16:30`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Given<'a> {
    Answer(Name<'a>),
    Value(Value<'a>),
    DayClock {
        day: Name<'a>,
        minutes: u32,
        span: Span,
    },
}

impl Given<'_> {
    pub fn span(&self) -> Span {
        match self {
            Given::Answer(n) => n.span,
            Given::Value(v) => v.span,
            Given::DayClock { span, .. } => *span,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario<'a> {
    pub name: Text<'a>,
    pub answers: Vec<AnswerPair<'a>>,
    pub expect: Option<Expected<'a>>,
    pub visits: Option<Vec<Name<'a>>>,
    /// `anytime RULE at STEP`: standing rules the analyst raises, each the
    /// first time the call waits at the step.
    pub raises: Vec<(Name<'a>, Name<'a>)>,
    pub span: Span,
}

/// The ending a scenario expects: an outcome, or an open question by its
/// note (`expect gap "…"`), since a gap has no name the author wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected<'a> {
    Outcome(TerminalRef<'a>),
    Gap(GapRef<'a>),
    /// `expect handoff "POLICY"`.
    Handoff(Handoff<'a>),
}

impl Expected<'_> {
    pub fn span(&self) -> Span {
        match self {
            Expected::Outcome(t) => t.span,
            Expected::Gap(g) => g.span,
            Expected::Handoff(h) => h.span,
        }
    }
}

/// A standing rule: `anytime NAME "…" -> STEP [within A, B]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anytime<'a> {
    pub name: Name<'a>,
    pub label: Text<'a>,
    pub handler: Name<'a>,
    /// The steps it may be raised at; `None`: every step.
    pub within: Option<Vec<Name<'a>>>,
    pub span: Span,
}

/// `use "common/identity.sop"`: the declarations of a library file, by
/// its path from this file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Use<'a> {
    pub path: Text<'a>,
    pub span: Span,
}

/// `entry NAME "…" -> STEP`: a second start, for a returning caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    pub name: Name<'a>,
    pub label: Text<'a>,
    pub step: Name<'a>,
    pub span: Span,
}

/// `loop STEP at most N times, then DEST`: the call may come back to the
/// step N times in all, by whichever branches of its loop; the next time
/// it goes to `then`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoopDecl<'a> {
    pub step: Name<'a>,
    pub bound: Bound<'a>,
    pub span: Span,
}

/// `receives A, B`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receives<'a> {
    pub data: Vec<Name<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartDecl<'a> {
    pub step: Name<'a>,
    pub span: Span,
}

/// What a name declared by a declaration that did not parse names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    Step,
    Fact,
    Target,
    Data,
    Outcome,
    Role,
    Procedure,
}

/// A name declared by a declaration that did not parse (the step's name,
/// a question it asks): references to it are not reported as unknown, the
/// syntax error is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrokenName<'a> {
    pub kind: NameKind,
    pub name: &'a str,
}

/// A whole policy file: what parsed of it. A declaration with a syntax
/// error is left out, and the names it declared are in `broken`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy<'a> {
    pub header: Header<'a>,
    pub uses: Vec<Use<'a>>,
    pub roles: Vec<RoleDecl<'a>>,
    pub targets: Vec<TargetDecl<'a>>,
    pub data: Vec<DataDecl<'a>>,
    pub facts: Vec<FactDecl<'a>>,
    pub outcomes: Vec<OutcomeDecl<'a>>,
    pub never_disclose: Vec<NeverDisclose<'a>>,
    pub never_phrases: Vec<NeverPhrase<'a>>,
    pub requires: Vec<Require<'a>>,
    pub starts: Vec<StartDecl<'a>>,
    pub entries: Vec<Entry<'a>>,
    pub anytime: Vec<Anytime<'a>>,
    /// `receives A, B`: data handed over by another policy's `handoff`.
    pub receives: Vec<Receives<'a>>,
    pub steps: Vec<Box<Step<'a>>>,
    pub procedures: Vec<Procedure<'a>>,
    pub scenarios: Vec<Scenario<'a>>,
    /// `loop STEP at most N times, then DEST`.
    pub loops: Vec<LoopDecl<'a>>,
    pub broken: Vec<BrokenName<'a>>,
}

impl<'a> Header<'a> {
    /// A header with its id and title, and no other field yet.
    pub(crate) fn new(id: Text<'a>, title: Text<'a>, span: Span) -> Self {
        Header {
            id,
            title,
            owner: None,
            approval: None,
            revision: None,
            purpose: None,
            source: None,
            implemented: None,
            reviewed: None,
            review_every: None,
            budget: None,
            library: false,
            span,
        }
    }
}

impl<'a> Policy<'a> {
    /// A policy with its header and no declaration yet.
    pub(crate) fn new(header: Header<'a>) -> Self {
        Policy {
            header,
            uses: Vec::new(),
            roles: vec![],
            targets: vec![],
            data: vec![],
            facts: vec![],
            outcomes: vec![],
            never_disclose: vec![],
            never_phrases: vec![],
            requires: vec![],
            starts: vec![],
            entries: Vec::new(),
            anytime: Vec::new(),
            receives: Vec::new(),
            steps: vec![],
            procedures: vec![],
            scenarios: vec![],
            loops: Vec::new(),
            broken: vec![],
        }
    }

    /// A policy with an empty header: to collect the declarations of a part
    /// of a file parsed on its own thread, or of a file whose header is
    /// broken.
    pub(crate) fn without_header() -> Self {
        let empty = Text {
            raw: "",
            refs: Refs::default(),
            span: Span::new(0, 0),
        };
        Policy::new(Header::new(empty.clone(), empty, Span::new(0, 0)))
    }

    /// Adds the declarations of the part of the file that follows this one
    /// (its header is dropped).
    pub(crate) fn append(&mut self, rest: Policy<'a>) {
        self.uses.extend(rest.uses);
        self.roles.extend(rest.roles);
        self.targets.extend(rest.targets);
        self.data.extend(rest.data);
        self.facts.extend(rest.facts);
        self.outcomes.extend(rest.outcomes);
        self.never_disclose.extend(rest.never_disclose);
        self.never_phrases.extend(rest.never_phrases);
        self.requires.extend(rest.requires);
        self.starts.extend(rest.starts);
        self.entries.extend(rest.entries);
        self.anytime.extend(rest.anytime);
        self.receives.extend(rest.receives);
        self.steps.extend(rest.steps);
        self.procedures.extend(rest.procedures);
        self.scenarios.extend(rest.scenarios);
        self.loops.extend(rest.loops);
        self.broken.extend(rest.broken);
    }
}
