//! Name resolution: declare every name once, bind every reference, and report
//! `duplicate-name` (both places labelled) and `unknown-name` (with "did you
//! mean"). Its output, [`Symbols`], maps names to the indices the graph
//! uses, and each reference keeps what it was bound to in its name
//! ([`crate::syntax::ast::Binding`]), which lowering reads.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::graph::{
    DataId, ExitId, FactId, Id, OutcomeId, ProcedureId, RoleId, StandingId, StepId, TargetId,
};
use crate::levels::{Level, StepLints};
use crate::span::Span;
use crate::syntax::ast::*;
use foldhash::{HashMap, HashMapExt};
use std::hash::BuildHasher;

/// One kind of name: steps, targets, data fields, ...
#[derive(Debug)]
pub struct Namespace<'a, I> {
    kind: &'static str,
    /// The ids of the declared names, found by the hash of the name in
    /// `names`: 5 bytes a slot where a map from names would take 25, and
    /// a large policy declares a million steps.
    index: hashbrown::HashTable<u32>,
    hasher: foldhash::fast::RandomState,
    id: std::marker::PhantomData<I>,
    /// How many names were declared, and whether one was left unnamed:
    /// kept when the names are dropped for lowering.
    declared: usize,
    unnamed: bool,
    pub names: Vec<&'a str>,
    pub spans: Vec<Span>,
    /// Names declared by declarations that did not parse: a reference to
    /// one binds to nothing, silently (the syntax error says why).
    broken: Vec<&'a str>,
}

impl<'a, I: Id> Namespace<'a, I> {
    fn new(kind: &'static str) -> Self {
        Self::with_capacity(kind, 0)
    }

    /// With room for `n` names: a table grown name by name is rehashed at
    /// each doubling, and briefly held twice.
    fn with_capacity(kind: &'static str, n: usize) -> Self {
        Namespace {
            kind,
            index: hashbrown::HashTable::with_capacity(n),
            hasher: foldhash::fast::RandomState::default(),
            id: std::marker::PhantomData,
            declared: 0,
            unnamed: false,
            names: Vec::with_capacity(n),
            spans: Vec::with_capacity(n),
            broken: Vec::new(),
        }
    }

    /// [`Self::declare`], and where the name cannot be declared (a keyword,
    /// a second declaration), a place kept for it under no name: steps are
    /// numbered by their place in the file, so the steps after it keep
    /// theirs and references to them bind where they point.
    fn declare_in_place(&mut self, name: &Name<'a>, diags: &mut Vec<Diagnostic>) {
        if self.declare(name, diags).is_none() {
            self.names.push("");
            self.spans.push(name.span);
            self.declared += 1;
            self.unnamed = true;
        }
    }

    fn declare(&mut self, name: &Name<'a>, diags: &mut Vec<Diagnostic>) -> Option<I> {
        if crate::syntax::keywords::is_reserved(name.text()) {
            diags.push(
                Diagnostic::new(
                    Code::Syntax,
                    format!("`{}` is a keyword and cannot be a name", name.text()),
                )
                .at(name.span, "a keyword")
                .with_help(format!("choose another name for this {}", self.kind)),
            );
            return None;
        }
        if let Some(first) = self.get(name.text()) {
            diags.push(
                Diagnostic::new(
                    Code::DuplicateName,
                    format!("the {} `{}` is declared twice", self.kind, name.text()),
                )
                .at(name.span, "declared again here")
                .with_label(self.spans[first.index()], "first declared here")
                .with_help(format!(
                    "rename one of them, or remove the second {}",
                    self.kind
                )),
            );
            return None;
        }
        let id = I::new(self.names.len());
        self.names.push(name.text());
        self.spans.push(name.span);
        self.declared += 1;
        let Namespace {
            index,
            hasher,
            names,
            ..
        } = self;
        index.insert_unique(hasher.hash_one(name.text()), id.index() as u32, |&i| {
            hasher.hash_one(names[i as usize])
        });
        Some(id)
    }

    pub fn get(&self, name: &str) -> Option<I> {
        self.index
            .find(self.hasher.hash_one(name), |&i| {
                self.names[i as usize] == name
            })
            .map(|&i| I::new(i as usize))
    }

    pub fn len(&self) -> usize {
        self.declared
    }

    /// Whether a place is kept under no name (see [`Self::declare_in_place`]).
    pub fn has_unnamed(&self) -> bool {
        self.unnamed
    }

    pub fn is_empty(&self) -> bool {
        self.declared == 0
    }

    /// Binds a reference, reporting `unknown-name` when it is not declared,
    /// and records the binding in the name for lowering.
    fn bind(&self, name: &Name, diags: &mut Vec<Diagnostic>) -> Option<I> {
        let found = self.get(name.text());
        name.bound.set(found.map(I::index));
        if found.is_none() && !self.broken.contains(&name.text()) {
            let suggestion =
                crate::suggest::closest_for_report(diags.len(), name.text(), &self.names);
            diags.push(unknown(self.kind, name, suggestion));
        }
        found
    }
}

/// `unknown-name`, with the closest declared name as a suggestion if any.
fn unknown(kind: &str, name: &Name, suggestion: Option<&str>) -> Diagnostic {
    let d = Diagnostic::new(
        Code::UnknownName,
        format!("there is no {kind} named `{}`", name.text()),
    )
    .at(name.span, format!("unknown {kind}"));
    match suggestion {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d.with_help(format!("declare the {kind}, or check the spelling")),
    }
}

/// Where a fact is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactOrigin {
    /// By the `ask` or `verify` of this step.
    Step(StepId),
    /// By this `fact` line (an index into the policy's `facts`).
    Line(u32),
    /// By the `ask` or `verify` of a procedure's step: the procedure's
    /// place in the policy's `procedures`, the step's in its `steps`.
    Procedure { procedure: u32, step: u32 },
}

/// The names of one procedure (by its place in the policy's `procedures`).
#[derive(Debug)]
pub struct ProcedureSymbols<'a> {
    /// Its own steps: indices into the procedure's `steps`.
    pub steps: Namespace<'a, StepId>,
    pub exits: Namespace<'a, ExitId>,
    /// Whether it calls itself, directly or through others: it is not
    /// inlined (`recursive-procedure` says why).
    pub recursive: bool,
}

/// Where a step's names are looked up: among the policy's steps, or a
/// procedure's.
#[derive(Clone, Copy)]
enum Scope<'s, 'a> {
    Top,
    Procedure(&'s Name<'a>, &'s ProcedureSymbols<'a>),
}

/// Every declared name, by kind.
#[derive(Debug)]
pub struct Symbols<'a> {
    pub steps: Namespace<'a, StepId>,
    pub targets: Namespace<'a, TargetId>,
    pub data: Namespace<'a, DataId>,
    pub outcomes: Namespace<'a, OutcomeId>,
    pub roles: Namespace<'a, RoleId>,
    /// Standing rules (`anytime NAME`), the names events raise.
    pub standing: Namespace<'a, StandingId>,
    pub procedures: Namespace<'a, ProcedureId>,
    /// Each procedure's names, by its place in the policy's `procedures`.
    pub procedure: Vec<ProcedureSymbols<'a>>,
    /// The place in the policy's `procedures` of each declared procedure,
    /// by id.
    pub procedure_at: Vec<u32>,
    /// Facts are declared by a `fact` line, or by the `ask` or `verify`
    /// that asks them.
    pub facts: Namespace<'a, FactId>,
    /// Where each fact is declared, by fact index.
    pub fact_origins: Vec<FactOrigin>,
    /// Each `gap "…"`, in source order: gap `k` ends in the outcome that
    /// follows the declared ones by `k`.
    pub gaps: Vec<GapRef<'a>>,
    /// The policies `handoff` names, each once, in source order: policy
    /// `k` ends in the outcome that follows the gaps' by `k`.
    pub handoffs: Vec<String>,
    /// The steps' `lint` lines, for the lint levels.
    pub lints: StepLints,
    pub start: Option<StepId>,
}

impl Symbols<'_> {
    /// Frees the names, their spans and the tables from names to indices,
    /// keeping how many each namespace declared: lowering reads each
    /// reference's binding and the counts only, and at a million steps
    /// the names are tens of megabytes beside the tree. [`Namespace::get`]
    /// finds nothing afterwards.
    pub fn drop_names(&mut self) {
        fn drop_in<I>(ns: &mut Namespace<'_, I>) {
            ns.index = hashbrown::HashTable::new();
            ns.names = Vec::new();
            ns.spans = Vec::new();
        }
        drop_in(&mut self.steps);
        drop_in(&mut self.targets);
        drop_in(&mut self.data);
        drop_in(&mut self.outcomes);
        drop_in(&mut self.roles);
        drop_in(&mut self.standing);
        drop_in(&mut self.procedures);
        drop_in(&mut self.facts);
        for own in &mut self.procedure {
            drop_in(&mut own.steps);
            drop_in(&mut own.exits);
        }
    }
}

pub fn resolve<'a>(p: &Policy<'a>, diags: &mut Vec<Diagnostic>) -> Symbols<'a> {
    let two_threads = crate::parallel::cores() >= 2 && p.steps.len() >= TWO_THREADS_MIN_STEPS;
    resolve_on(p, diags, two_threads)
}

/// [`resolve`], on two threads or on this one whatever the policy's size
/// and the cores: the tests hold the one to the other.
#[doc(hidden)]
pub fn resolve_on<'a>(
    p: &Policy<'a>,
    diags: &mut Vec<Diagnostic>,
    two_threads: bool,
) -> Symbols<'a> {
    let asks = p
        .steps
        .iter()
        .filter(|s| {
            matches!(
                s.exit.as_deref(),
                Some(Exit::Ask { .. } | Exit::Verify { .. })
            )
        })
        .count()
        + p.facts.len();
    let mut s = Symbols {
        steps: Namespace::with_capacity("step", p.steps.len()),
        targets: Namespace::new("target"),
        data: Namespace::new("data field"),
        outcomes: Namespace::new("outcome"),
        roles: Namespace::new("role"),
        standing: Namespace::new("standing rule"),
        procedures: Namespace::new("procedure"),
        procedure: Vec::new(),
        procedure_at: Vec::new(),
        facts: Namespace::with_capacity("question", asks),
        fact_origins: Vec::with_capacity(asks),
        gaps: gap_spans(p),
        handoffs: handoff_policies(p),
        start: None,
        lints: step_lints(p),
    };
    declare_all(p, &mut s, diags);
    for b in &p.broken {
        let broken = match b.kind {
            NameKind::Step => &mut s.steps.broken,
            NameKind::Fact => &mut s.facts.broken,
            NameKind::Target => &mut s.targets.broken,
            NameKind::Data => &mut s.data.broken,
            NameKind::Outcome => &mut s.outcomes.broken,
            NameKind::Role => &mut s.roles.broken,
            NameKind::Procedure => &mut s.procedures.broken,
        };
        broken.push(b.name);
    }
    bind_all(p, &mut s, diags, two_threads);
    s
}

fn declare_all<'a>(p: &Policy<'a>, s: &mut Symbols<'a>, diags: &mut Vec<Diagnostic>) {
    for r in &p.roles {
        s.roles.declare(&r.name, diags);
    }
    for t in &p.targets {
        s.targets.declare(&t.name, diags);
    }
    for d in &p.data {
        s.data.declare(&d.name, diags);
    }
    for o in &p.outcomes {
        s.outcomes.declare(&o.name, diags);
    }
    for a in &p.anytime {
        s.standing.declare(&a.name, diags);
    }
    for (i, f) in p.facts.iter().enumerate() {
        if s.facts.declare(&f.name, diags).is_some() {
            s.fact_origins.push(FactOrigin::Line(i as u32));
        }
        if let FactType::Choice(answers) = &f.ty {
            check_answers(&f.name, answers, diags);
        }
    }
    for (i, step) in p.steps.iter().enumerate() {
        s.steps.declare_in_place(&step.name, diags);
        declare_question(step, FactOrigin::Step(StepId::new(i)), s, diags);
    }
    for (k, proc) in p.procedures.iter().enumerate() {
        if let Some(id) = s.procedures.declare(&proc.name, diags) {
            debug_assert_eq!(id.index(), s.procedure_at.len());
            s.procedure_at.push(k as u32);
        }
        let mut own = ProcedureSymbols {
            steps: Namespace::with_capacity("step", proc.steps.len()),
            exits: Namespace::new("exit"),
            recursive: false,
        };
        for e in &proc.exits {
            own.exits.declare(e, diags);
        }
        for (i, step) in proc.steps.iter().enumerate() {
            own.steps.declare_in_place(&step.name, diags);
            let origin = FactOrigin::Procedure {
                procedure: k as u32,
                step: i as u32,
            };
            declare_question(step, origin, s, diags);
        }
        if proc.steps.is_empty() {
            diags.push(
                Diagnostic::new(
                    Code::DeadEnd,
                    format!("the procedure `{}` has no steps", proc.name.text()),
                )
                .at(proc.name.span, "no step to start at")
                .with_help("a procedure starts at its first step: add one inside the braces"),
            );
        }
        s.procedure.push(own);
    }
}

/// Declares the question a step's `ask` or `verify` asks.
fn declare_question<'a>(
    step: &Step<'a>,
    origin: FactOrigin,
    s: &mut Symbols<'a>,
    diags: &mut Vec<Diagnostic>,
) {
    let fact = match step.exit.as_deref() {
        Some(Exit::Ask { fact, answers, .. }) => {
            if s.facts.declare(fact, diags).is_some() {
                s.fact_origins.push(origin);
            }
            check_answers(fact, answers, diags);
            fact
        }
        Some(Exit::Verify { fact, .. }) => {
            if s.facts.declare(fact, diags).is_some() {
                s.fact_origins.push(origin);
            }
            fact
        }
        _ => return,
    };
    // The step asks the fact of that name: the one declared first, where
    // two steps ask one question (`duplicate-name` is reported).
    fact.bound.set(s.facts.get(fact.text()).map(Id::index));
}

/// The policies `handoff` names, each once, in source order.
fn handoff_policies(p: &Policy) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let in_procedures = p.procedures.iter().flat_map(|proc| &proc.steps);
    for step in p.steps.iter().chain(in_procedures) {
        if let Some(Exit::Handoff(h)) = step.exit.as_deref() {
            let policy = h.policy.value();
            if !out.iter().any(|p| *p == policy) {
                out.push(policy.into_owned());
            }
        }
    }
    out
}

/// The `gap "…"` ways out and destinations, in source order.
fn gap_spans<'a>(p: &Policy<'a>) -> Vec<GapRef<'a>> {
    let mut out = Vec::new();
    let mut dest = |d: &Dest<'a>| {
        if let Dest::Gap(g) = d {
            out.push((**g).clone());
        }
    };
    let in_procedures = p.procedures.iter().flat_map(|proc| &proc.steps);
    for step in p.steps.iter().chain(in_procedures) {
        let branches: &[Branch] = match step.exit.as_deref() {
            Some(Exit::Ask { branches, .. })
            | Some(Exit::Match { branches, .. })
            | Some(Exit::Verify { branches, .. }) => branches,
            Some(Exit::Goto { dest: d, bound, .. }) => {
                dest(d);
                if let Some(b) = bound {
                    dest(&b.then);
                }
                &[]
            }
            Some(Exit::Gap(g)) => {
                dest(&Dest::Gap(Box::new(g.clone())));
                &[]
            }
            Some(Exit::Call { branches, .. }) => {
                for b in branches {
                    dest(&b.dest);
                }
                &[]
            }
            _ => &[],
        };
        for b in branches {
            dest(&b.dest);
            if let Some(bound) = &b.bound {
                dest(&bound.then);
            }
        }
    }
    for l in &p.loops {
        dest(&l.bound.then);
    }
    out.sort_by_key(|g| g.span.start);
    out
}

/// Answers that are keywords, or listed twice.
fn check_answers(fact: &Name, answers: &[AnswerDef], diags: &mut Vec<Diagnostic>) {
    for a in answers
        .iter()
        .filter(|a| crate::syntax::keywords::is_reserved(a.name.text()))
    {
        diags.push(
            Diagnostic::new(
                Code::Syntax,
                format!("`{}` is a keyword and cannot be an answer", a.name.text()),
            )
            .at(a.name.span, "a keyword")
            .with_help(format!(
                "choose another word for this answer to `{}`",
                fact.text()
            )),
        );
    }
    for (a, first) in repeated(answers) {
        diags.push(
            Diagnostic::new(
                Code::DuplicateName,
                format!(
                    "the question `{}` lists the answer `{}` twice",
                    fact.text(),
                    a.name.text()
                ),
            )
            .at(a.name.span, "listed again here")
            .with_label(first, "first listed here")
            .with_help("each answer appears once in the braces"),
        );
    }
}

/// Each answer listed again, with where it was first listed.
fn repeated<'n, 'a>(answers: &'n [AnswerDef<'a>]) -> Vec<(&'n AnswerDef<'a>, Span)> {
    // A question has a handful of answers: scanning the ones before costs
    // less than a table per question, up to a point.
    if answers.len() <= 16 {
        return answers
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let first = answers[..i]
                    .iter()
                    .find(|b| b.name.text() == a.name.text())?;
                Some((a, first.name.span))
            })
            .collect();
    }
    let mut first: HashMap<&str, Span> = HashMap::with_capacity(answers.len());
    answers
        .iter()
        .filter_map(|a| match first.entry(a.name.text()) {
            std::collections::hash_map::Entry::Occupied(e) => Some((a, *e.get())),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(a.name.span);
                None
            }
        })
        .collect()
}

fn bind_all(p: &Policy, s: &mut Symbols, diags: &mut Vec<Diagnostic>, two_threads: bool) {
    for t in &p.targets {
        for d in &t.requires {
            s.data.bind(d, diags);
        }
    }
    for o in &p.outcomes {
        for t in &o.targets {
            s.targets.bind(t, diags);
        }
    }
    for n in &p.never_disclose {
        for d in &n.fields {
            s.data.bind(d, diags);
        }
        if let Some(scope) = &n.scope {
            s.facts.bind(&scope.fact, diags);
        }
    }
    for d in p.receives.iter().flat_map(|r| &r.data) {
        s.data.bind(d, diags);
    }
    for r in &p.requires {
        s.steps.bind(&r.first, diags);
        s.steps.bind(&r.then, diags);
    }
    for a in &p.anytime {
        s.steps.bind(&a.handler, diags);
        for step in a.within.iter().flatten() {
            s.steps.bind(step, diags);
        }
    }
    match p.starts.as_slice() {
        [] => s.start = (!p.steps.is_empty()).then_some(StepId(0)),
        [first, rest @ ..] => {
            s.start = s.steps.bind(&first.step, diags);
            for again in rest {
                diags.push(
                    Diagnostic::new(Code::DuplicateName, "the policy has two `start` lines")
                        .at(again.span, "second start")
                        .with_label(first.span, "first start")
                        .with_help("a policy has one first step; keep one `start` line"),
                );
            }
        }
    }
    if p.steps.is_empty() && !p.header.library {
        diags.push(
            Diagnostic::new(Code::DeadEnd, "the policy has no steps")
                .at(p.header.span, "this policy")
                .with_help("add at least one step: step first \"What to do\" { end resolved }"),
        );
    }
    bind_steps(&p.steps, s, diags, two_threads);
    bind_loops(&p.loops, s, diags);
    recursive_procedures(p, s, diags);
    for (proc, own) in p.procedures.iter().zip(&s.procedure) {
        let scope = Scope::Procedure(&proc.name, own);
        for step in &proc.steps {
            bind_step(step, s, scope, diags);
        }
        unused_exits(proc, diags);
    }
    for sc in &p.scenarios {
        bind_scenario(sc, s, diags);
    }
}

/// A policy with at least this many steps binds them on two threads.
const TWO_THREADS_MIN_STEPS: usize = 8_192;

/// Binds every step's references; on two threads, one half each, if asked.
/// A "did you mean" depends on how many diagnostics came before it
/// ([`crate::suggest::closest_for_report`]), and the second half counts
/// from none: its findings are kept when nothing came before them, and
/// otherwise bound again here, in order.
fn bind_steps(steps: &[Box<Step>], s: &Symbols, diags: &mut Vec<Diagnostic>, two_threads: bool) {
    if !two_threads || steps.len() < 2 {
        for step in steps {
            bind_step(step, s, Scope::Top, diags);
        }
        return;
    }
    let (first, second) = steps.split_at(steps.len() / 2);
    let bind = |steps: &[Box<Step>], diags: &mut Vec<Diagnostic>| {
        for step in steps {
            bind_step(step, s, Scope::Top, diags);
        }
    };
    let ((), found) = crate::parallel::both(
        || bind(first, diags),
        || {
            let mut found = Vec::new();
            bind(second, &mut found);
            found
        },
    );
    if found.is_empty() || diags.is_empty() {
        diags.extend(found);
    } else {
        bind(second, diags);
    }
}

/// `loop STEP at most N times, then DEST`: a step of the policy (a
/// procedure's steps are copied at each call, and a loop of the policy
/// names the policy's own), a destination outside any procedure, and one
/// bound per step.
fn bind_loops(loops: &[LoopDecl], s: &Symbols, diags: &mut Vec<Diagnostic>) {
    let mut first: HashMap<&str, Span> = HashMap::new();
    for l in loops {
        let in_procedure = s
            .procedure_at
            .iter()
            .zip(&s.procedures.names)
            .find(|(&k, _)| s.procedure[k as usize].steps.get(l.step.text()).is_some());
        match (s.steps.get(l.step.text()), in_procedure) {
            (None, Some((_, proc))) => diags.push(
                Diagnostic::new(
                    Code::UnknownName,
                    format!("there is no step named `{}`", l.step.text()),
                )
                .at(l.step.span, "a step of a procedure")
                .with_help(format!(
                    "`{}` is a step of the procedure `{proc}`, copied at each call: a `loop` bounds a step of the policy; name the step of the policy the call comes back to",
                    l.step.text()
                )),
            ),
            _ => bind_step_name(&l.step, s, Scope::Top, diags),
        }
        bind_dest(&l.bound.then, s, Scope::Top, diags);
        if let Some(&at) = first.get(l.step.text()) {
            diags.push(
                Diagnostic::new(
                    Code::DuplicateName,
                    format!("the step `{}` has two loop bounds", l.step.text()),
                )
                .at(l.span, "second bound")
                .with_label(at, "first bound")
                .with_help("one budget covers every way back to the step: keep one `loop` line"),
            );
        } else {
            first.insert(l.step.text(), l.span);
        }
    }
}

fn bind_text(t: &Text, s: &Symbols, diags: &mut Vec<Diagnostic>) {
    for r in &t.refs {
        s.data.bind(r, diags);
    }
}

fn bind_step(step: &Step, s: &Symbols, scope: Scope, diags: &mut Vec<Diagnostic>) {
    if let Some(role) = &step.role {
        s.roles.bind(role, diags);
    }
    if let Some(t) = &step.text {
        bind_text(t, s, diags);
    }
    for lint in &step.lints {
        if crate::codes::Code::from_name(lint.code.text()).is_none() {
            let codes = crate::codes::Code::ALL.iter().map(|c| c.name());
            let suggestion = crate::suggest::closest(lint.code.text(), codes);
            diags.push(unknown("check code", &lint.code, suggestion));
        }
        diags.extend(fixed_level(lint));
    }
    for a in &step.actions {
        match a {
            Action::Do(t) | Action::Say(t) | Action::Warn(t) | Action::Note(t) | Action::Gap(t) => {
                bind_text(t, s, diags)
            }
            Action::Collect { fields, .. } => {
                for f in fields {
                    s.data.bind(f, diags);
                }
            }
            Action::Refer { target, .. } => {
                s.targets.bind(target, diags);
            }
            // Written out as steps before resolution (src/foreach.rs).
            Action::ForEach { .. } | Action::Repeat { .. } => {}
            Action::Transfer(t) => {
                s.roles.bind(&t.role, diags);
                for d in &t.requires {
                    s.data.bind(d, diags);
                }
                if let Some(r) = &t.reason {
                    bind_text(r, s, diags);
                }
            }
            Action::Ticket(t) => {
                s.targets.bind(&t.target, diags);
                if let Some(title) = &t.title {
                    bind_text(title, s, diags);
                }
                for (_, v) in &t.fields {
                    bind_text(v, s, diags);
                }
                for d in t.body.iter().chain(&t.assignee) {
                    s.data.bind(d, diags);
                }
            }
        }
    }
    match step.exit.as_deref() {
        Some(Exit::Ask {
            branches, prompt, ..
        }) => {
            if let Some(p) = prompt {
                bind_text(p, s, diags);
            }
            for b in branches {
                bind_branch(b, s, scope, diags);
            }
        }
        Some(Exit::Match { fact, branches, .. }) => {
            s.facts.bind(fact, diags);
            for b in branches {
                bind_branch(b, s, scope, diags);
            }
        }
        Some(Exit::Verify {
            checklist,
            branches,
            prompt,
            ..
        }) => {
            if let Some(p) = prompt {
                bind_text(p, s, diags);
            }
            for d in &checklist.items {
                s.data.bind(d, diags);
            }
            for b in branches {
                bind_branch(b, s, scope, diags);
            }
        }
        Some(Exit::Goto { dest, bound, .. }) => {
            bind_dest(dest, s, scope, diags);
            if let Some(b) = bound {
                bind_dest(&b.then, s, scope, diags);
            }
        }
        Some(Exit::End(t)) => bind_terminal(t, s, diags),
        Some(Exit::Gap(g)) => bind_text(&g.note, s, diags),
        Some(Exit::Handoff(h)) => {
            for d in &h.requires {
                s.data.bind(d, diags);
            }
        }
        Some(Exit::Leave(n)) => bind_exit(n, scope, diags),
        Some(Exit::Call {
            procedure,
            branches,
            span,
        }) => bind_call(procedure, branches, *span, s, scope, diags),
        None => {}
    }
}

fn bind_branch(b: &Branch, s: &Symbols, scope: Scope, diags: &mut Vec<Diagnostic>) {
    bind_dest(&b.dest, s, scope, diags);
    if let Some(bound) = &b.bound {
        bind_dest(&bound.then, s, scope, diags);
    }
}

fn bind_dest(d: &Dest, s: &Symbols, scope: Scope, diags: &mut Vec<Diagnostic>) {
    match d {
        Dest::Step(n) => bind_step_name(n, s, scope, diags),
        Dest::End(t) => bind_terminal(t, s, diags),
        Dest::Gap(g) => bind_text(&g.note, s, diags),
        Dest::Exit(n) => bind_exit(n, scope, diags),
    }
}

/// A step named as a destination: a step of the policy, or of the
/// procedure the reference is in. A step of the other side is named in
/// the help: a procedure is entered by `call` and left by `exit`.
fn bind_step_name(n: &Name, s: &Symbols, scope: Scope, diags: &mut Vec<Diagnostic>) {
    let steps = match scope {
        Scope::Top => &s.steps,
        Scope::Procedure(_, own) => &own.steps,
    };
    let found = steps.get(n.text());
    n.bound.set(found.map(StepId::index));
    if found.is_some() || steps.broken.contains(&n.text()) {
        return;
    }
    let mut d = Diagnostic::new(
        Code::UnknownName,
        format!("there is no step named `{}`", n.text()),
    )
    .at(n.span, "unknown step");
    let elsewhere = match scope {
        Scope::Top => s
            .procedure_at
            .iter()
            .zip(&s.procedures.names)
            .find(|(&k, _)| s.procedure[k as usize].steps.get(n.text()).is_some())
            .map(|(_, proc)| {
                format!("`{}` is a step of the procedure `{proc}`: a step outside it `call`s the procedure instead", n.text())
            }),
        Scope::Procedure(proc, _) => s.steps.get(n.text()).map(|_| {
            format!(
                "`{}` is a step outside the procedure `{}`: leave the procedure by an `exit`, and let each `call` say where it leads",
                n.text(), proc.text()
            )
        }),
    };
    d = match elsewhere {
        Some(help) => d.with_help(help),
        None => match crate::suggest::closest_for_report(diags.len(), n.text(), &steps.names) {
            Some(sug) => d.with_help(format!("did you mean `{sug}`?")),
            None => d.with_help("declare the step, or check the spelling"),
        },
    };
    diags.push(d);
}

/// `exit NAME`: one of the procedure's exits, and only inside one.
fn bind_exit(n: &Name, scope: Scope, diags: &mut Vec<Diagnostic>) {
    match scope {
        Scope::Top => diags.push(
            Diagnostic::new(
                Code::UnknownName,
                format!("there is no procedure to leave by `exit {}`", n.text()),
            )
            .at(n.span, "not inside a procedure")
            .with_help("`exit` leaves a procedure; a step of the policy ends with `end OUTCOME` or goes to a step"),
        ),
        Scope::Procedure(proc, own) => {
            let found = own.exits.get(n.text());
            n.bound.set(found.map(ExitId::index));
            if found.is_none() {
                let suggestion =
                    crate::suggest::closest_for_report(diags.len(), n.text(), &own.exits.names);
                let d = Diagnostic::new(
                    Code::UnknownName,
                    format!("the procedure `{}` has no exit named `{}`", proc.text(), n.text()),
                )
                .at(n.span, "unknown exit")
                .with_label(proc.span, format!("exits: {}", crate::diagnostic::plain_list(&own.exits.names)));
                diags.push(match suggestion {
                    Some(sug) => d.with_help(format!("did you mean `{sug}`?")),
                    None => d.with_help(format!(
                        "declare it after the procedure's text: `exits {}`",
                        n.text()
                    )),
                });
            }
        }
    }
}

/// `call PROC { EXIT -> DEST ... }`: the procedure exists, each branch
/// names one of its exits once, and every exit has a branch.
fn bind_call(
    procedure: &Name,
    branches: &[CallBranch],
    span: Span,
    s: &Symbols,
    scope: Scope,
    diags: &mut Vec<Diagnostic>,
) {
    for b in branches {
        bind_dest(&b.dest, s, scope, diags);
    }
    let Some(id) = s.procedures.bind(procedure, diags) else {
        return;
    };
    let own = &s.procedure[s.procedure_at[id.index()] as usize];
    let mut mapped = vec![None; own.exits.len()];
    let mut unknown_exits = 0;
    for b in branches {
        let found = own.exits.get(b.exit.text());
        b.exit.bound.set(found.map(ExitId::index));
        match found {
            Some(e) => match mapped[e.index()] {
                Some(first) => diags.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        format!("the call maps the exit `{}` twice", b.exit.text()),
                    )
                    .at(b.exit.span, "mapped again here")
                    .with_label(first, "first mapped here")
                    .with_help("each exit leads to one place; remove one of the lines"),
                ),
                None => mapped[e.index()] = Some(b.exit.span),
            },
            None => {
                let mut d = Diagnostic::new(
                    Code::UnknownName,
                    format!(
                        "the procedure `{}` has no exit named `{}`",
                        procedure.text(),
                        b.exit.text()
                    ),
                )
                .at(b.exit.span, "unknown exit");
                d = match crate::suggest::closest_for_report(
                    unknown_exits,
                    b.exit.text(),
                    &own.exits.names,
                ) {
                    Some(sug) => d.with_help(format!("did you mean `{sug}`?")),
                    None if own.exits.is_empty() => d.with_help(format!(
                        "`{}` has no exits: it always ends the call",
                        procedure.text()
                    )),
                    None => d.with_help(format!(
                        "its exits are: {}",
                        crate::diagnostic::plain_list(&own.exits.names)
                    )),
                };
                unknown_exits += 1;
                diags.push(d);
            }
        }
    }
    let missing: Vec<&str> = own
        .exits
        .names
        .iter()
        .zip(&mapped)
        .filter(|(_, m)| m.is_none())
        .map(|(n, _)| *n)
        .collect();
    if let Some(first) = missing.first() {
        diags.push(
            Diagnostic::new(
                Code::UnmappedExit,
                format!(
                    "the call of `{}` says nothing about its exit {}",
                    procedure.text(),
                    crate::diagnostic::quoted_list(&missing)
                ),
            )
            .at(span, "every exit needs a destination")
            .with_help(format!(
                "add a line `{first} -> STEP` (or `-> end OUTCOME`) inside the call's braces"
            )),
        );
    }
}

/// The procedures each procedure calls, by place.
fn calls_of(proc: &Procedure, s: &Symbols) -> Vec<(usize, Span)> {
    proc.steps
        .iter()
        .filter_map(|step| match step.exit.as_deref() {
            Some(Exit::Call { procedure, .. }) => {
                let id = s.procedures.get(procedure.text())?;
                Some((s.procedure_at[id.index()] as usize, procedure.span))
            }
            _ => None,
        })
        .collect()
}

/// `recursive-procedure`: a procedure that calls itself, directly or
/// through others, has no finite inlining. Each cycle is reported once,
/// at the call that closes it, with the chain of calls.
fn recursive_procedures(p: &Policy, s: &mut Symbols, diags: &mut Vec<Diagnostic>) {
    let calls: Vec<Vec<(usize, Span)>> =
        p.procedures.iter().map(|proc| calls_of(proc, s)).collect();
    let n = calls.len();
    // Iterative depth-first search; a back edge closes a cycle.
    let mut state = vec![0u8; n]; // 0 new, 1 on the stack, 2 done
    let mut reported: Vec<Vec<usize>> = Vec::new();
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let Some(&(to, span)) = calls[node].get(*next) else {
                state[node] = 2;
                stack.pop();
                continue;
            };
            *next += 1;
            match state[to] {
                0 => {
                    state[to] = 1;
                    stack.push((to, 0));
                }
                1 => {
                    let from = stack.iter().position(|&(x, _)| x == to).unwrap_or(0);
                    let mut cycle: Vec<usize> = stack[from..].iter().map(|&(x, _)| x).collect();
                    let mut key = cycle.clone();
                    key.sort_unstable();
                    if reported.contains(&key) {
                        continue;
                    }
                    reported.push(key);
                    for &k in &cycle {
                        s.procedure[k].recursive = true;
                    }
                    cycle.push(to);
                    let chain: Vec<&str> =
                        cycle.iter().map(|&k| p.procedures[k].name.text()).collect();
                    diags.push(
                        Diagnostic::new(
                            Code::RecursiveProcedure,
                            format!(
                                "the procedure `{}` calls itself: {}",
                                p.procedures[to].name.text(),
                                chain.join(" -> ")
                            ),
                        )
                        .at(span, "this call closes the cycle")
                        .with_label(p.procedures[to].name.span, "declared here")
                        .with_help("a procedure cannot call itself, even through another: repeat the steps with a bounded `goto` instead"),
                    );
                }
                _ => {}
            }
        }
    }
}

/// `unused-exit`: an exit that no step of the procedure takes.
fn unused_exits<'a>(proc: &Procedure<'a>, diags: &mut Vec<Diagnostic>) {
    let mut used: Vec<&'a str> = Vec::new();
    let mut dest = |d: &Dest<'a>| {
        if let Dest::Exit(n) = d {
            used.push(n.text());
        }
    };
    for step in &proc.steps {
        match step.exit.as_deref() {
            Some(Exit::Ask { branches, .. })
            | Some(Exit::Match { branches, .. })
            | Some(Exit::Verify { branches, .. }) => {
                for b in branches {
                    dest(&b.dest);
                    if let Some(bound) = &b.bound {
                        dest(&bound.then);
                    }
                }
            }
            Some(Exit::Goto { dest: d, bound, .. }) => {
                dest(d);
                if let Some(b) = bound {
                    dest(&b.then);
                }
            }
            Some(Exit::Call { branches, .. }) => {
                for b in branches {
                    dest(&b.dest);
                }
            }
            Some(Exit::Leave(n)) => dest(&Dest::Exit(n.clone())),
            _ => {}
        }
    }
    for e in proc.exits.iter().filter(|e| !used.contains(&e.text())) {
        diags.push(
            Diagnostic::new(
                Code::UnusedExit,
                format!(
                    "no step of the procedure `{}` leaves by its exit `{}`",
                    proc.name.text(), e.text()
                ),
            )
            .at(e.span, "never taken")
            .with_help(format!(
                "remove `{}` from the exits (and from every call), or write `exit {}` where the procedure leaves that way",
                e.text(), e.text()
            )),
        );
    }
}

fn bind_terminal(t: &TerminalRef, s: &Symbols, diags: &mut Vec<Diagnostic>) {
    s.outcomes.bind(&t.outcome, diags);
    if let Some(target) = &t.target {
        s.targets.bind(target, diags);
    }
}

fn bind_scenario(sc: &Scenario, s: &Symbols, diags: &mut Vec<Diagnostic>) {
    for pair in &sc.answers {
        s.facts.bind(&pair.fact, diags);
    }
    match &sc.expect {
        Some(Expected::Outcome(t)) => bind_terminal(t, s, diags),
        Some(Expected::Handoff(h)) => {
            let policy = h.policy.value();
            if !s.handoffs.iter().any(|p| *p == policy) {
                let mut d = Diagnostic::new(
                    Code::UnknownName,
                    format!("no `handoff` in the policy names the policy {policy:?}"),
                )
                .at(h.span, "no such handoff");
                if let Some(near) = s.handoffs.first() {
                    d = d.with_help(format!("the policy hands off to {near:?}"));
                }
                diags.push(d);
            }
        }
        Some(Expected::Gap(g)) => {
            let note = g.note.value();
            if !s.gaps.iter().any(|x| x.note.value() == note) {
                let mut d = Diagnostic::new(
                    Code::UnknownName,
                    format!("no `gap` in the policy has the note {note:?}"),
                )
                .at(g.span, "no such open question");
                if let Some(near) = s.gaps.first() {
                    d = d.with_help(format!(
                        "write the note as the `gap` has it, for example `gap {}`",
                        near.note.raw
                    ));
                }
                diags.push(d);
            }
        }
        None => {}
    }
    for v in sc.visits.iter().flatten() {
        s.steps.bind(v, diags);
    }
    for (rule, step) in &sc.raises {
        s.standing.bind(rule, diags);
        s.steps.bind(step, diags);
    }
}

/// A step's `lint` line naming a check that is always an error: refused in
/// the words the `-A` flag and `sopc.toml` use. Unknown names are reported
/// as unknown.
fn fixed_level(line: &LintAttr) -> Option<Diagnostic> {
    let code = Code::from_name(line.code.text())?;
    let reason = Code::lookup_lint(line.code.text()).err()?;
    Some(
        Diagnostic::new(Code::NotALint, reason)
            .at(line.code.span, "not a lint")
            .with_help(format!(
                "remove this line: `{code}` cannot be allowed, warned or denied; fix what it reports"
            )),
    )
}

/// The `lint` lines of the steps, for [`crate::levels::Levels`]: lines that
/// name no known check are reported by [`resolve`] and left out here.
fn step_lints(p: &Policy) -> StepLints {
    p.steps
        .iter()
        .chain(p.procedures.iter().flat_map(|proc| &proc.steps))
        .filter(|s| !s.lints.is_empty())
        .map(|s| {
            let lints = s
                .lints
                .iter()
                .filter_map(|l| {
                    let level = match l.level {
                        LintLevel::Allow => Level::Allow,
                        LintLevel::Warn => Level::Warn,
                        LintLevel::Deny => Level::Deny,
                    };
                    Some((Code::from_name(l.code.text())?, level))
                })
                .collect();
            (s.span, lints)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both ways of finding a repeated answer (a scan for a few answers, a
    /// table for many) report each repeat at its first listing.
    #[test]
    fn repeated_answers_point_at_their_first_listing() {
        for filler in [2, 30] {
            let mut words: Vec<String> = (0..filler).map(|i| format!("w{i}")).collect();
            words.insert(1, "x".into());
            words.push("x".into());
            words.push("x".into());
            let answers: Vec<AnswerDef> = words
                .iter()
                .enumerate()
                .map(|(i, w)| AnswerDef {
                    name: Name::new(w, Span::new(i, i + 1)),
                    label: None,
                    after: None,
                })
                .collect();
            let found: Vec<(u32, u32)> = repeated(&answers)
                .into_iter()
                .map(|(a, first)| (a.name.span.start, first.start))
                .collect();
            let n = answers.len() as u32;
            assert_eq!(found, vec![(n - 2, 1), (n - 1, 1)], "{filler} others");
        }
    }
}
