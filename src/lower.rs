//! AST + symbols to the decision graph. Lowering builds each question's
//! answer-indexed branch table, so this is where `non-exhaustive` is found:
//! a branch table with a hole or a clash cannot be built. What each
//! reference names is read from the binding resolution wrote into it
//! ([`bound`]), never looked up again by its text.

use crate::codes::Code;
use crate::diagnostic::{plain_list, Diagnostic};
use crate::domain::{Interval, Scale};
use crate::graph::{self, Edge, Graph, StepId};
use crate::resolve::{FactOrigin, Symbols};
use crate::span::Span;
use crate::syntax::ast;
use std::mem::MaybeUninit;
use std::sync::Mutex;

/// Lowers a resolved policy. Returns `None` when the policy has errors that
/// leave the graph incomplete (they are in `diags`). Takes the tree: each
/// step's is freed as soon as the step is lowered, so the tree and the
/// graph of a large policy are never both whole in memory.
pub fn lower(p: ast::Policy<'_>, s: &Symbols, diags: &mut Vec<Diagnostic>) -> Option<Graph> {
    let two_threads = crate::parallel::cores() >= 2 && p.steps.len() >= TWO_THREADS_MIN_STEPS;
    lower_on(p, s, diags, two_threads)
}

/// [`lower`], on two threads or on this one whatever the policy's size and
/// the cores: the tests hold the one to the other.
#[doc(hidden)]
pub fn lower_on(
    mut p: ast::Policy<'_>,
    s: &Symbols,
    diags: &mut Vec<Diagnostic>,
    two_threads: bool,
) -> Option<Graph> {
    let plan = plan_copies(&p, s, diags);
    let facts = lower_facts(&mut p, s, &plan, diags);
    let n = p.steps.len();
    // Where a reference sopc could not bind leads (see `unknown_step`):
    // after the policy's steps and the procedures' copies.
    let unknown = StepId::new(plan.next);
    let top_calls = plan.calls_in(None, n);
    let exits = copy_exits(&p, s, &plan, unknown);
    let top = Place {
        unknown,
        base: 0,
        exits: None,
        prefix: "",
        calls: &top_calls,
    };
    let mut steps = lower_steps(
        std::mem::take(&mut p.steps),
        s,
        &facts,
        &top,
        diags,
        two_threads,
    );
    steps.extend(lower_copies(&p, s, &facts, &plan, &exits, unknown, diags));
    lower_loops(&p.loops, s, &top, &mut steps);
    // A step name declared twice leaves its references ambiguous too.
    if s.steps.has_unnamed() || steps.iter().any(|st| leads_to(st, unknown)) {
        steps.push(graph::Step::unknown());
    }
    let procedures = graph_procedures(&p, s, &plan, exits);
    let p = &p;
    let mut outcomes: Vec<graph::Outcome> = p
        .outcomes
        .iter()
        .map(|o| lower_outcome(o, p, diags))
        .collect();
    // Gap outcomes follow the declared names (see `gap_terminal`).
    outcomes.truncate(s.outcomes.len());
    outcomes.extend(gap_outcomes(s));
    outcomes.extend(handoff_outcomes(s, p));
    let scoped_disclose = p
        .never_disclose
        .iter()
        .filter_map(|n| lower_scoped(n, &facts, diags))
        .collect();
    let scenarios = p
        .scenarios
        .iter()
        .filter_map(|sc| lower_scenario(sc, s, &facts, diags))
        .collect();
    Some(Graph {
        header: lower_header(&p.header),
        roles: p
            .roles
            .iter()
            .map(|r| graph::Role {
                name: r.name.text().to_string(),
                title: r.title.value().to_string(),
            })
            .collect(),
        targets: p
            .targets
            .iter()
            .map(|t| graph::Target {
                name: t.name.text().to_string(),
                title: t.title.value().to_string(),
                kind: match t.kind {
                    ast::TargetKind::Referral => graph::TargetKind::Referral,
                    ast::TargetKind::Ticket => graph::TargetKind::Ticket,
                    ast::TargetKind::Contact => graph::TargetKind::Contact,
                },
                via: t.via.as_ref().map(|v| v.value().to_string()),
                requires: ids(&t.requires),
                span: t.name.span,
            })
            .collect(),
        data: p
            .data
            .iter()
            .map(|d| graph::Data {
                name: d.name.text().to_string(),
                label: d
                    .label
                    .as_ref()
                    .map_or_else(|| d.name.text().to_string(), |l| l.value().to_string()),
                class: lower_class(d.class),
                rules: lower_rules(d, diags),
                span: d.name.span,
            })
            .collect(),
        outcomes,
        facts,
        steps,
        start: s.start?,
        never_disclose: p
            .never_disclose
            .iter()
            .filter(|n| n.scope.is_none())
            .flat_map(|n| ids::<graph::DataId>(&n.fields))
            .collect(),
        scoped_disclose,
        never: p
            .never_phrases
            .iter()
            .map(|n| graph::Never {
                kind: match n.kind {
                    ast::PhraseKind::Say => graph::NeverKind::Say,
                    ast::PhraseKind::Do => graph::NeverKind::Do,
                },
                phrase: n.phrase.value().to_string(),
                span: n.phrase.span,
            })
            .collect(),
        requires: p
            .requires
            .iter()
            .filter_map(|r| {
                Some(graph::Order {
                    first: bound(&r.first)?,
                    then: bound(&r.then)?,
                    span: r.span,
                })
            })
            .collect(),
        receives: p
            .receives
            .iter()
            .flat_map(|r| ids::<graph::DataId>(&r.data))
            .collect(),
        standing: p
            .anytime
            .iter()
            .filter_map(|a| {
                Some(graph::StandingRule {
                    name: a.name.text().to_string(),
                    label: a.label.value().to_string(),
                    handler: bound(&a.handler)?,
                    within: match &a.within {
                        Some(list) => Some(list.iter().map(bound).collect::<Option<Vec<_>>>()?),
                        None => None,
                    },
                    span: a.name.span,
                })
            })
            .collect(),
        procedures,
        scenarios,
        // Filled in by the pipeline from `foreach::Pieces`.
        multiples: Vec::new(),
    })
}

/// Where a step is lowered: among the policy's steps, or in a copy of a
/// procedure at one call.
struct Place<'s> {
    /// Where a reference sopc could not bind leads.
    unknown: StepId,
    /// Local step `i` (what a step name here is bound to) is graph step
    /// `base + i`.
    base: usize,
    /// In a copy: where each of the procedure's exits leads from this call.
    exits: Option<&'s [graph::Dest]>,
    /// Put before each step's name: `s4>` in the copy called at `s4`.
    prefix: &'s str,
    /// By local step: the first step of the copy its `call` runs.
    calls: &'s [Option<StepId>],
}

/// One copy of a procedure's steps, for one call.
struct Copy {
    /// The procedure's place in the policy's `procedures`.
    procedure: usize,
    /// The copy the calling step is in; `None`: a step of the policy.
    parent: Option<usize>,
    /// The calling step: its place among its scope's steps, and its id.
    caller: usize,
    call_step: StepId,
    prefix: String,
    /// The graph id of the copy's first step.
    base: usize,
}

/// Every copy, parents before the copies their steps call; `next` is the
/// first id after the last copy.
struct Plan {
    copies: Vec<Copy>,
    next: usize,
}

impl Plan {
    /// By local step of the scope `parent` (of `len` steps): the first step
    /// of the copy its `call` runs.
    fn calls_in(&self, parent: Option<usize>, len: usize) -> Vec<Option<StepId>> {
        let mut out = vec![None; len];
        for c in self.copies.iter().filter(|c| c.parent == parent) {
            if let Some(slot) = out.get_mut(c.caller) {
                *slot = Some(StepId::new(c.base));
            }
        }
        out
    }
}

/// The most steps the copies of procedures may add: nested calls multiply
/// copies, and past this a policy is `too-large` rather than slow.
const MAX_COPIED_STEPS: usize = 1 << 20;

/// A scope whose calls are copied: the copy it is (none for the policy's
/// own steps), its steps, its steps' name prefix, and its first step's id.
type Scope<'t, 'a> = (Option<usize>, &'t [Box<ast::Step<'a>>], String, usize);

/// Plans a copy of the called procedure for each `call`, depth first in
/// the order the steps are written: a call inside a copy gets a copy of
/// its own. Calls of an unknown or recursive procedure get none (their
/// errors are reported).
fn plan_copies(p: &ast::Policy, s: &Symbols, diags: &mut Vec<Diagnostic>) -> Plan {
    let mut plan = Plan {
        copies: Vec::new(),
        next: p.steps.len(),
    };
    let mut work: Vec<Scope> = Vec::new();
    work.push((None, &p.steps, String::new(), 0));
    let mut too_large = false;
    while let Some((parent, steps, prefix, base)) = work.pop() {
        let mut found = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            let Some(ast::Exit::Call { procedure, .. }) = step.exit.as_deref() else {
                continue;
            };
            let Some(id) = bound::<graph::ProcedureId>(procedure) else {
                continue;
            };
            let k = s.procedure_at[id.index()] as usize;
            let proc = &p.procedures[k];
            if s.procedure[k].recursive || proc.steps.is_empty() {
                continue;
            }
            if plan.next - p.steps.len() + proc.steps.len() > MAX_COPIED_STEPS {
                too_large = true;
                continue;
            }
            let copy_prefix = format!("{prefix}{}>", step.name.text());
            plan.copies.push(Copy {
                procedure: k,
                parent,
                caller: i,
                call_step: StepId::new(base + i),
                prefix: copy_prefix.clone(),
                base: plan.next,
            });
            found.push((
                Some(plan.copies.len() - 1),
                proc.steps.as_slice(),
                copy_prefix,
                plan.next,
            ));
            plan.next += proc.steps.len();
        }
        // Depth first, in the order written.
        work.extend(found.into_iter().rev());
    }
    if too_large {
        diags.push(
            Diagnostic::new(
                Code::TooLarge,
                format!(
                    "the procedures' calls copy more than {MAX_COPIED_STEPS} steps into the graph"
                ),
            )
            .with_help("a call inside a procedure copies the called one at every call of the first: call fewer procedures from inside procedures"),
        );
    }
    plan
}

/// Each copy's steps, in plan order: its exits lead where its call says
/// (lowered where the calling step is), its names are local to it. The
/// diagnostics of a copy's steps are those of the procedure, reported
/// once by [`procedure_diagnostics`]; here they are dropped.
fn lower_copies(
    p: &ast::Policy,
    s: &Symbols,
    facts: &[graph::Fact],
    plan: &Plan,
    exits: &[Vec<graph::Dest>],
    unknown: StepId,
    diags: &mut Vec<Diagnostic>,
) -> Vec<graph::Step> {
    procedure_diagnostics(p, s, facts, unknown, diags);
    let mut out = Vec::with_capacity(plan.next - p.steps.len());
    let mut dropped = Vec::new();
    for (c, copy) in plan.copies.iter().enumerate() {
        let proc = &p.procedures[copy.procedure];
        let calls = plan.calls_in(Some(c), proc.steps.len());
        let place = Place {
            unknown,
            base: copy.base,
            exits: Some(&exits[c]),
            prefix: &copy.prefix,
            calls: &calls,
        };
        for (i, step) in proc.steps.iter().enumerate() {
            out.push(lower_step(step, i, s, facts, &place, &mut dropped));
        }
        dropped.clear();
    }
    out
}

/// Where each exit of each copy leads: its call's branch, lowered where
/// the calling step is (a branch `-> exit X` inside a copy leads where
/// that copy's exit `X` does).
fn copy_exits(p: &ast::Policy, s: &Symbols, plan: &Plan, unknown: StepId) -> Vec<Vec<graph::Dest>> {
    let mut exits: Vec<Vec<graph::Dest>> = Vec::with_capacity(plan.copies.len());
    let no_calls = Vec::new();
    for copy in &plan.copies {
        let own = &s.procedure[copy.procedure];
        let (caller, place) = match copy.parent {
            None => (
                &p.steps[copy.caller],
                Place {
                    unknown,
                    base: 0,
                    exits: None,
                    prefix: "",
                    calls: &no_calls,
                },
            ),
            Some(parent) => {
                let outer = &plan.copies[parent];
                (
                    &p.procedures[outer.procedure].steps[copy.caller],
                    Place {
                        unknown,
                        base: outer.base,
                        exits: Some(&exits[parent]),
                        prefix: "",
                        calls: &no_calls,
                    },
                )
            }
        };
        let mut mine = vec![graph::Dest::Step(unknown); own.exits.len()];
        if let Some(ast::Exit::Call { branches, .. }) = caller.exit.as_deref() {
            for b in branches {
                if let Some(e) = bound::<graph::ExitId>(&b.exit) {
                    mine[e.index()] = lower_dest(&b.dest, s, &place).0;
                }
            }
        }
        exits.push(mine);
    }
    exits
}

/// Lowers each procedure once as written, to report what lowering finds
/// in its steps (branch tables, types) once, whether it is called or not.
fn procedure_diagnostics(
    p: &ast::Policy,
    s: &Symbols,
    facts: &[graph::Fact],
    unknown: StepId,
    diags: &mut Vec<Diagnostic>,
) {
    for (proc, own) in p.procedures.iter().zip(&s.procedure) {
        let calls = vec![None; proc.steps.len()];
        let nowhere = vec![graph::Dest::Step(unknown); own.exits.len()];
        let place = Place {
            unknown,
            base: 0,
            exits: Some(&nowhere),
            prefix: "",
            calls: &calls,
        };
        for (i, step) in proc.steps.iter().enumerate() {
            lower_step(step, i, s, facts, &place, diags);
        }
    }
}

/// The graph's procedures (the declared ones, by id), with their calls.
fn graph_procedures(
    p: &ast::Policy,
    s: &Symbols,
    plan: &Plan,
    exits: Vec<Vec<graph::Dest>>,
) -> Vec<graph::Procedure> {
    s.procedure_at
        .iter()
        .map(|&k| {
            let k = k as usize;
            let proc = &p.procedures[k];
            let n = proc.steps.len();
            graph::Procedure {
                name: proc.name.text().to_string(),
                text: proc
                    .text
                    .as_ref()
                    .map(|t| t.value().to_string())
                    .unwrap_or_default(),
                exits: proc.exits.iter().map(|e| e.text().to_string()).collect(),
                calls: plan
                    .copies
                    .iter()
                    .zip(&exits)
                    .filter(|(c, _)| c.procedure == k)
                    .map(|(c, exits)| graph::Call {
                        step: c.call_step,
                        steps: (c.base..c.base + n).map(StepId::new).collect(),
                        exits: exits.clone(),
                    })
                    .collect(),
                span: proc.name.span,
                body_span: proc.span,
            }
        })
        .collect()
}

/// A policy with at least this many steps is lowered on two threads.
const TWO_THREADS_MIN_STEPS: usize = 8_192;

/// Lowers every step, freeing each one's part of the tree once it is
/// lowered (each step is a box of its own, so the whole of it goes); on
/// two threads, one half each, if asked. The steps and their diagnostics
/// come out in source order either way, and no diagnostic depends on
/// another step's (see [`branch_table`]), so the result does not depend
/// on the threads.
fn lower_steps(
    mut tree: Vec<Box<ast::Step>>,
    s: &Symbols,
    facts: &[graph::Fact],
    at: &Place,
    diags: &mut Vec<Diagnostic>,
    two_threads: bool,
) -> Vec<graph::Step> {
    let n = tree.len();
    // A list of its own size: `collect` would reuse the tree's list, twice
    // as large, for the rest of the run.
    let mut steps: Vec<graph::Step> = Vec::with_capacity(n);
    let lower_into = |tree: Vec<Box<ast::Step>>,
                      first: usize,
                      slots: &mut [MaybeUninit<graph::Step>],
                      diags: &mut Vec<Diagnostic>| {
        debug_assert_eq!(tree.len(), slots.len());
        for (i, (step, slot)) in tree.into_iter().zip(slots).enumerate() {
            slot.write(lower_step(&step, first + i, s, facts, at, diags));
        }
    };
    if !two_threads || n < 2 {
        lower_into(tree, 0, &mut steps.spare_capacity_mut()[..n], diags);
    } else {
        // Each half writes its steps in place. Lowering the second half into
        // a list of its own and appending it holds that list twice: at a
        // million steps the peak went from 1,012 MB to 1,086 MB, past the
        // 1 GiB target (examples/stages.rs, docs/performance.md).
        let second = tree.split_off(n / 2);
        let (first_slots, second_slots) = steps.spare_capacity_mut()[..n].split_at_mut(n / 2);
        // Behind a lock: the second half is lent to whichever thread lowers
        // it, which takes it once.
        let second = Mutex::new(Some((second, second_slots)));
        let ((), found) = crate::parallel::both(
            || lower_into(tree, 0, first_slots, diags),
            || {
                let mut found = Vec::new();
                if let Some((tree, slots)) = second.lock().ok().and_then(|mut h| h.take()) {
                    lower_into(tree, n / 2, slots, &mut found);
                }
                found
            },
        );
        diags.extend(found);
    }
    // SAFETY: every one of the first `n` slots was written: each half's
    // loop writes one slot per step of its half, the halves' slots are
    // exactly the first `n`, and a panic in either half never gets here.
    unsafe { steps.set_len(n) };
    steps
}

/// What resolution bound a reference to (see [`ast::Binding`]); the id's
/// type is the namespace of the reference's place. `None`: the name is not
/// declared (resolution reported it) or refers to a broken declaration.
fn bound<I: graph::Id>(name: &ast::Name) -> Option<I> {
    name.bound.get().map(I::new)
}

/// The declared ones among references of one kind.
fn ids<I: graph::Id>(names: &[ast::Name]) -> Vec<I> {
    names.iter().filter_map(bound).collect()
}

fn lower_header(h: &ast::Header) -> graph::Header {
    let date =
        |d: &Option<ast::Date>| d.map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day));
    let text = |t: &Option<ast::Text>| t.as_ref().map(|t| t.value().to_string());
    graph::Header {
        id: h.id.value().to_string(),
        title: h.title.value().to_string(),
        owner: text(&h.owner),
        approval: text(&h.approval),
        revision: text(&h.revision),
        purpose: text(&h.purpose),
        source: text(&h.source),
        implemented: date(&h.implemented),
        reviewed: date(&h.reviewed),
        review_every: h.review_every.map(|p| crate::date::Period {
            amount: p.amount,
            unit: match p.unit {
                ast::PeriodUnit::Days => crate::date::PeriodUnit::Days,
                ast::PeriodUnit::Months => crate::date::PeriodUnit::Months,
                ast::PeriodUnit::Years => crate::date::PeriodUnit::Years,
            },
        }),
        budget: h.budget.map(|b| b.questions),
        span: h.span,
        budget_span: h.budget.map(|b| b.span),
        reviewed_span: h.reviewed.or(h.implemented).map(|d| d.span),
    }
}

fn lower_class(c: ast::DataClass) -> graph::DataClass {
    match c {
        ast::DataClass::Text => graph::DataClass::Text,
        ast::DataClass::Phone => graph::DataClass::Phone,
        ast::DataClass::Email => graph::DataClass::Email,
        ast::DataClass::Id => graph::DataClass::Id,
        ast::DataClass::Date => graph::DataClass::Date,
        ast::DataClass::Number => graph::DataClass::Number,
        ast::DataClass::Secret => graph::DataClass::Secret,
        ast::DataClass::Unrecorded => graph::DataClass::Unrecorded,
    }
}

/// An outcome's kind as written, or else from its targets: referral targets
/// make a referral, ticket or contact targets an escalation, none resolved.
fn lower_outcome(
    o: &ast::OutcomeDecl,
    p: &ast::Policy,
    diags: &mut Vec<Diagnostic>,
) -> graph::Outcome {
    let targets: Vec<graph::TargetId> = ids(&o.targets);
    let kind = match o.kind {
        Some(ast::OutcomeKind::Resolved) => graph::OutcomeKind::Resolved,
        Some(ast::OutcomeKind::Referral) => graph::OutcomeKind::Referral,
        Some(ast::OutcomeKind::Escalation) => graph::OutcomeKind::Escalation,
        Some(ast::OutcomeKind::Pending) => graph::OutcomeKind::Pending,
        Some(ast::OutcomeKind::Declined) => graph::OutcomeKind::Declined,
        Some(ast::OutcomeKind::Handoff) => graph::OutcomeKind::Handoff,
        Some(ast::OutcomeKind::Transferred) => graph::OutcomeKind::Transferred,
        Some(ast::OutcomeKind::Callback) => graph::OutcomeKind::Callback,
        None if targets.is_empty() => graph::OutcomeKind::Resolved,
        None if targets
            .iter()
            .all(|&t| p.targets[t.index()].kind == ast::TargetKind::Referral) =>
        {
            graph::OutcomeKind::Referral
        }
        None => graph::OutcomeKind::Escalation,
    };
    graph::Outcome {
        name: o.name.text().to_string(),
        label: o
            .label
            .as_ref()
            .map_or_else(|| o.name.text().to_string(), |l| l.value().to_string()),
        kind,
        targets,
        within_minutes: o.within.as_ref().and_then(|w| {
            let minutes = match &w.kind {
                ast::ValueKind::Number {
                    digits,
                    unit: Some(unit),
                } => crate::domain::number(Scale::Minutes, digits, Some(unit_of(*unit))),
                _ => Err("write a duration, for example `within 48 hours`".to_string()),
            };
            minutes
                .map_err(|e| {
                    diags.push(
                        Diagnostic::new(Code::WrongType, format!("a callback's deadline: {e}"))
                            .at(w.span, "not a duration")
                            .with_help(
                                "write `within N minutes`, `within N hours` or `within N days`",
                            ),
                    )
                })
                .ok()
        }),
        span: o.name.span,
        policy: None,
    }
}

/// The outcome of each `gap "…"`, after the declared outcomes: its kind is
/// `gap` and its label the note.
fn gap_outcomes(s: &Symbols) -> Vec<graph::Outcome> {
    s.gaps
        .iter()
        .enumerate()
        .map(|(k, g)| graph::Outcome {
            name: format!("gap_{}", k + 1),
            label: g.note.value().to_string(),
            kind: graph::OutcomeKind::Gap,
            targets: vec![],
            within_minutes: None,
            policy: None,
            span: g.span,
        })
        .collect()
}

/// The outcome of each policy `handoff` names, after the gaps': its kind is
/// `handoff`, its span the first `handoff` to it.
fn handoff_outcomes(s: &Symbols, p: &ast::Policy) -> Vec<graph::Outcome> {
    s.handoffs
        .iter()
        .enumerate()
        .map(|(k, policy)| graph::Outcome {
            name: format!("handoff_{}", k + 1),
            label: format!("The call goes on in the policy {policy:?}"),
            kind: graph::OutcomeKind::Handoff,
            targets: vec![],
            within_minutes: None,
            policy: Some(policy.clone()),
            span: p
                .steps
                .iter()
                .chain(p.procedures.iter().flat_map(|proc| &proc.steps))
                .find_map(|st| match st.exit.as_deref() {
                    Some(ast::Exit::Handoff(h)) if h.policy.value() == policy.as_str() => {
                        Some(h.span)
                    }
                    _ => None,
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// The terminal of a `handoff` to `policy`.
fn handoff_terminal(policy: &str, s: &Symbols) -> Option<graph::Terminal> {
    let k = s.handoffs.iter().position(|p| p == policy)?;
    Some(graph::Terminal {
        outcome: graph::OutcomeId::new(s.outcomes.len() + s.gaps.len() + k),
        target: None,
    })
}

/// The terminal of the `gap "…"` written at `span`.
fn gap_terminal(span: Span, s: &Symbols) -> Option<graph::Terminal> {
    let k = s
        .gaps
        .binary_search_by_key(&span.start, |g| g.span.start)
        .ok()?;
    Some(graph::Terminal {
        outcome: graph::OutcomeId::new(s.outcomes.len() + k),
        target: None,
    })
}

fn lower_step(
    step: &ast::Step,
    local: usize,
    s: &Symbols,
    facts: &[graph::Fact],
    at: &Place,
    diags: &mut Vec<Diagnostic>,
) -> graph::Step {
    let handoff = matches!(step.exit.as_deref(), Some(ast::Exit::Handoff(_)));
    // Room for exactly the actions: collected from a `filter_map`, the list
    // would grow by pushes to room for four, which a million steps of one
    // action each kept as 190 MB (docs/performance.md).
    let mut actions = Vec::with_capacity(step.actions.len() + usize::from(handoff));
    actions.extend(
        step.actions
            .iter()
            // A ticket to a target that is not declared is left out (its
            // `unknown-name` error is reported).
            .filter_map(|a| {
                Some(match a {
                    // Written out as steps before resolution (src/foreach.rs).
                    ast::Action::ForEach { .. } | ast::Action::Repeat { .. } => return None,
                    ast::Action::Refer { target, span } => graph::Action::Refer {
                        target: bound(target)?,
                        span: *span,
                    },
                    ast::Action::Do(t) => graph::Action::Do {
                        text: t.value().into(),
                        span: t.span,
                    },
                    ast::Action::Say(t) => graph::Action::Say {
                        text: t.value().into(),
                        span: t.span,
                    },
                    ast::Action::Warn(t) => graph::Action::Warn {
                        text: t.value().into(),
                        span: t.span,
                    },
                    ast::Action::Note(t) => graph::Action::Note {
                        text: t.value().into(),
                        span: t.span,
                    },
                    ast::Action::Gap(t) => graph::Action::Gap {
                        note: t.value().into(),
                        span: t.span,
                    },
                    ast::Action::Collect { fields, span } => graph::Action::Collect {
                        // A name that is not declared may be any field (its
                        // `unknown-name` error says so): counted as collecting every
                        // field, so that no `missing-data` follows from it.
                        data: if fields.iter().all(|f| f.bound.get().is_some()) {
                            ids(fields)
                        } else {
                            (0..s.data.len()).map(graph::DataId::new).collect()
                        },
                        span: *span,
                    },
                    ast::Action::Transfer(t) => graph::Action::Transfer {
                        role: bound(&t.role)?,
                        requires: ids(&t.requires),
                        reason: t
                            .reason
                            .as_ref()
                            .map(|r| r.value().to_string())
                            .unwrap_or_default(),
                        span: t.span,
                    },
                    ast::Action::Ticket(t) => graph::Action::Ticket(Box::new(graph::Ticket {
                        target: bound(&t.target)?,
                        title: t.title.as_ref().map(|t| t.value().to_string()),
                        fields: t
                            .fields
                            .iter()
                            .map(|(n, v)| graph::TicketField {
                                name: n.text().to_string(),
                                value: v.value().to_string(),
                            })
                            .collect(),
                        body: ids(&t.body),
                        assignee: ids(&t.assignee),
                        span: t.span,
                    })),
                })
            }),
    );
    if let Some(ast::Exit::Handoff(h)) = step.exit.as_deref() {
        actions.push(graph::Action::Handoff {
            policy: h.policy.value().into_owned(),
            requires: ids(&h.requires),
            span: h.span,
        });
    }
    let exit = match step.exit.as_deref() {
        None => graph::Exit::None,
        Some(ast::Exit::Handoff(h)) => match handoff_terminal(&h.policy.value(), s) {
            Some(terminal) => graph::Exit::End {
                terminal,
                span: h.span,
            },
            None => graph::Exit::Unknown,
        },
        Some(ast::Exit::End(t)) => match terminal(t) {
            Some(terminal) => graph::Exit::End {
                terminal,
                span: t.span,
            },
            None => graph::Exit::Unknown,
        },
        Some(ast::Exit::Gap(g)) => match gap_terminal(g.span, s) {
            Some(terminal) => graph::Exit::End {
                terminal,
                span: g.span,
            },
            None => graph::Exit::Unknown,
        },
        Some(ast::Exit::Leave(n)) => {
            let (to, exit) = lower_dest(&ast::Dest::Exit(n.clone()), s, at);
            graph::Exit::Goto {
                edge: Edge {
                    to,
                    bound: None,
                    span: n.span,
                    exit,
                },
            }
        }
        Some(ast::Exit::Call { span, .. }) => match at.calls.get(local).copied().flatten() {
            Some(first) => graph::Exit::Goto {
                edge: Edge {
                    to: graph::Dest::Step(first),
                    bound: None,
                    span: *span,
                    exit: None,
                },
            },
            None => graph::Exit::Unknown,
        },
        Some(ast::Exit::Goto { dest, bound, span }) => graph::Exit::Goto {
            edge: edge(dest, bound.as_ref(), *span, s, at),
        },
        Some(ast::Exit::Ask { fact, branches, .. }) => {
            let id = bound(fact).unwrap_or(graph::FactId(0));
            let answers = facts.get(id.index()).map(|f| &*f.answers).unwrap_or(&[]);
            graph::Exit::Ask {
                fact: id,
                branches: branch_table(
                    false,
                    step.name.text(),
                    fact.text(),
                    fact.span,
                    answers,
                    branches,
                    s,
                    at,
                    diags,
                ),
            }
        }
        Some(ast::Exit::Verify { fact, branches, .. }) => match bound::<graph::FactId>(fact) {
            Some(id) => graph::Exit::Ask {
                fact: id,
                branches: branch_table(
                    false,
                    step.name.text(),
                    fact.text(),
                    fact.span,
                    &facts[id.index()].answers,
                    branches,
                    s,
                    at,
                    diags,
                ),
            },
            None => graph::Exit::Unknown,
        },
        Some(ast::Exit::Match {
            fact,
            branches,
            span,
        }) => match bound::<graph::FactId>(fact) {
            Some(id) => graph::Exit::Match {
                fact: id,
                branches: match &facts[id.index()].kind {
                    graph::FactKind::Ordered(o) => ordered_table(
                        step.name.text(),
                        fact.text(),
                        *span,
                        o.scale,
                        &o.cuts,
                        &o.classes,
                        facts[id.index()].answers.len(),
                        branches,
                        s,
                        at,
                        diags,
                    ),
                    _ => branch_table(
                        true,
                        step.name.text(),
                        fact.text(),
                        *span,
                        &facts[id.index()].answers,
                        branches,
                        s,
                        at,
                        diags,
                    ),
                },
            },
            None => graph::Exit::Unknown,
        },
    };
    graph::Step {
        name: compact_str::format_compact!("{}{}", at.prefix, step.name.text()),
        text: step
            .text
            .as_ref()
            .map(|t| t.value().into())
            .unwrap_or_default(),
        role: step.role.as_deref().and_then(bound),
        actions,
        exit,
        loop_bound: None,
        span: step.name.span,
    }
}

/// One edge per answer, in the order the answers were declared. Reports
/// answers with no branch, branches for answers the question does not have,
/// and answers with two branches.
#[allow(clippy::too_many_arguments)]
fn branch_table(
    is_match: bool,
    step: &str,
    fact: &str,
    fact_span: Span,
    answers: &[graph::CompactString],
    branches: &[ast::Branch],
    s: &Symbols,
    at: &Place,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Edge> {
    let mut table: Vec<Option<(Edge, Span)>> = vec![None; answers.len()];
    // Suggestions are capped per question, not per file: a step's
    // diagnostics then do not depend on other steps' (lowered on another
    // thread), and each costs at most the question's answers.
    let mut unknown_answers = 0;
    let mut else_edge: Option<(Edge, Span)> = None;
    for b in branches {
        let e = edge(&b.dest, b.bound.as_deref(), b.span, s, at);
        match &b.arm {
            ast::Arm::Else(span) => {
                if let Some((_, first)) = else_edge {
                    diags.push(
                        Diagnostic::new(
                            Code::NonExhaustive,
                            format!(
                                "the question `{fact}` in step `{step}` has two `else` branches"
                            ),
                        )
                        .at(*span, "second else")
                        .with_label(first, "first else")
                        .with_help("keep one `else` branch"),
                    );
                } else {
                    else_edge = Some((e, *span));
                }
            }
            ast::Arm::Range(_) | ast::Arm::Days { .. } => diags.push(
                Diagnostic::new(
                    Code::WrongType,
                    format!("`{fact}` takes one of its answers, not a range (step `{step}`)"),
                )
                .at(b.arm.span(), "a range")
                .with_label(fact_span, format!("answers: {}", plain_list(answers)))
                .with_help(format!(
                    "branch on its answers ({}), or declare a `fact` with a number, duration, date or time type",
                    plain_list(answers)
                )),
            ),
            ast::Arm::Answer(a) => match answers.iter().position(|x| *x == a.text()) {
                None => {
                    let mut d = Diagnostic::new(
                        Code::NonExhaustive,
                        format!(
                            "`{}` is not an answer to the question `{fact}` (step `{step}`)",
                            a.text()
                        ),
                    )
                    .at(a.span, "not one of its answers")
                    .with_label(fact_span, format!("answers: {}", plain_list(answers)));
                    d = match crate::suggest::closest_for_report(unknown_answers, a.text(), answers) {
                        Some(sug) => d.with_help(format!("did you mean `{sug}`?")),
                        None => d.with_help(format!("the answers are: {}", plain_list(answers))),
                    };
                    unknown_answers += 1;
                    diags.push(d);
                }
                Some(i) => {
                    if let Some((_, first)) = table[i] {
                        diags.push(
                            Diagnostic::new(
                                Code::NonExhaustive,
                                format!(
                                    "the answer `{}` to `{fact}` has two branches in step `{step}`",
                                    a.text()
                                ),
                            )
                            .at(a.span, "second branch")
                            .with_label(first, "first branch")
                            .with_help("each answer has exactly one branch; remove one"),
                        );
                    } else {
                        table[i] = Some((e, b.span));
                    }
                }
            },
        }
    }
    let missing: Vec<&str> = answers
        .iter()
        .zip(&table)
        .filter(|(_, t)| t.is_none())
        .map(|(a, _)| a.as_str())
        .collect();
    match else_edge {
        // A `match` may leave out answers no caller path brings to it: the
        // path check reports one that does.
        None if !missing.is_empty() && !is_match => {
            let list = crate::diagnostic::quoted_list(&missing);
            diags.push(
                Diagnostic::new(
                    Code::NonExhaustive,
                    format!("the question `{fact}` in step `{step}` has no branch for {list}"),
                )
                .at(fact_span, "every answer needs a branch")
                .with_help(format!(
                    "add a line `{} -> STEP` for each missing answer, or an `else -> STEP` line",
                    missing[0]
                )),
            );
        }
        Some((_, span)) if missing.is_empty() => diags.push(
            Diagnostic::new(
                Code::InfeasibleBranch,
                format!("the `else` branch of `{fact}` in step `{step}` covers no answer"),
            )
            .at(span, "every answer already has its own branch")
            .with_help("remove the `else` branch"),
        ),
        _ => {}
    }
    table
        .into_iter()
        .map(|t| match (t, else_edge) {
            (Some((e, _)), _) | (None, Some((e, _))) => e,
            (None, None) if is_match => Edge {
                to: graph::Dest::Unmatched,
                bound: None,
                span: fact_span,
                exit: None,
            },
            // Only reached with the non-exhaustive error above reported.
            (None, None) => Edge {
                to: graph::Dest::Step(at.unknown),
                bound: None,
                span: fact_span,
                exit: None,
            },
        })
        .collect()
}

fn edge(dest: &ast::Dest, bound: Option<&ast::Bound>, span: Span, s: &Symbols, at: &Place) -> Edge {
    let (to, exit) = lower_dest(dest, s, at);
    Edge {
        to,
        bound: bound.map(|b| {
            let (then, exit) = lower_dest(&b.then, s, at);
            graph::Bound {
                times: b.times,
                then,
                exit,
            }
        }),
        span,
        exit,
    }
}

/// A destination; one that names something not declared leads to the
/// `unknown` step.
fn lower_dest(d: &ast::Dest, s: &Symbols, at: &Place) -> (graph::Dest, Option<graph::ExitId>) {
    let to = match d {
        ast::Dest::Step(n) => {
            bound::<StepId>(n).map(|i| (graph::Dest::Step(StepId::new(at.base + i.index())), None))
        }
        ast::Dest::End(t) => terminal(t).map(|t| (graph::Dest::End(t), None)),
        ast::Dest::Gap(g) => gap_terminal(g.span, s).map(|t| (graph::Dest::End(t), None)),
        ast::Dest::Exit(n) => at.exits.and_then(|dests| {
            let e = bound::<graph::ExitId>(n)?;
            Some((*dests.get(e.index())?, Some(e)))
        }),
    };
    to.unwrap_or((graph::Dest::Step(at.unknown), None))
}

/// `None` when the outcome, or the target named, is not declared.
fn terminal(t: &ast::TerminalRef) -> Option<graph::Terminal> {
    Some(graph::Terminal {
        outcome: bound(&t.outcome)?,
        target: match &t.target {
            Some(n) => Some(bound(n)?),
            None => None,
        },
    })
}

/// Puts each `loop` bound on its step (the first, where a step has two:
/// resolution reported the second).
fn lower_loops(loops: &[ast::LoopDecl], s: &Symbols, at: &Place, steps: &mut [graph::Step]) {
    for l in loops {
        let Some(id) = bound::<StepId>(&l.step) else {
            continue;
        };
        let Some(step) = steps.get_mut(id.index()) else {
            continue;
        };
        if step.loop_bound.is_none() {
            step.loop_bound = Some(Box::new(graph::LoopBound {
                times: l.bound.times,
                then: lower_dest(&l.bound.then, s, at).0,
                span: l.span,
            }));
        }
    }
}

/// Whether an edge of the step, or its loop bound's `then`, leads to `to`.
fn leads_to(step: &graph::Step, to: StepId) -> bool {
    let to = graph::Dest::Step(to);
    step.loop_bound().is_some_and(|l| l.then == to)
        || step.exit.edges().any(|(_, e)| {
            [Some(e.to), e.bound.map(|b| b.then)]
                .into_iter()
                .flatten()
                .any(|d| d == to)
        })
}

fn lower_scenario(
    sc: &ast::Scenario,
    s: &Symbols,
    facts: &[graph::Fact],
    diags: &mut Vec<Diagnostic>,
) -> Option<graph::Scenario> {
    let mut answers = vec![];
    for pair in &sc.answers {
        let fact: graph::FactId = bound(&pair.fact)?;
        let f = &facts[fact.index()];
        let mut rounds = vec![];
        for g in &pair.rounds {
            match given_class(f, g) {
                Ok(i) => rounds.push(i),
                Err((message, span)) => {
                    let code = match (g, &f.kind) {
                        (ast::Given::Answer(_), graph::FactKind::Ordered { .. }) => Code::WrongType,
                        (ast::Given::Answer(_), _) => Code::UnknownName,
                        _ => Code::WrongType,
                    };
                    diags.push(
                        Diagnostic::new(code, message)
                            .at(span, "does not fit the fact")
                            .with_help(format!("the fact is `{}`", f.name)),
                    )
                }
            }
        }
        answers.push((fact, rounds));
    }
    Some(graph::Scenario {
        name: sc.name.value().to_string(),
        answers,
        expect: match &sc.expect {
            Some(ast::Expected::Outcome(t)) => Some(terminal(t)?),
            // Any gap with this note: the scenario runner compares open
            // questions by note.
            Some(ast::Expected::Gap(g)) => {
                let note = g.note.value();
                let k = s.gaps.iter().position(|x| x.note.value() == note)?;
                gap_terminal(s.gaps[k].span, s)
            }
            Some(ast::Expected::Handoff(h)) => handoff_terminal(&h.policy.value(), s),
            None => None,
        },
        visits: sc.visits.as_ref().map(|v| ids(v)),
        raises: sc
            .raises
            .iter()
            .map(|(r, at)| Some((bound(r)?, bound(at)?)))
            .collect::<Option<_>>()?,
        span: sc.name.span,
    })
}

// ------------------------------------------------------------------ facts

/// The `match`es on each declared fact over numbers, durations, dates or
/// times, by fact id: each as its step (`None` for the policy's own, or a
/// procedure's index) and the step's index. Places, not the branches
/// themselves, so that lowering the facts may take from the tree.
type UnitMatches = foldhash::HashMap<usize, Vec<(Option<usize>, usize)>>;

fn unit_matches(p: &ast::Policy, s: &Symbols) -> UnitMatches {
    let is_unit = |f: graph::FactId| {
        matches!(
            s.fact_origins.get(f.index()),
            Some(FactOrigin::Line(i)) if matches!(p.facts[*i as usize].ty, ast::FactType::Unit(..))
        )
    };
    let mut found = UnitMatches::default();
    let places = (p.steps.iter().enumerate().map(|(i, st)| (None, i, st))).chain(
        p.procedures.iter().enumerate().flat_map(|(pr, proc)| {
            proc.steps
                .iter()
                .enumerate()
                .map(move |(i, st)| (Some(pr), i, st))
        }),
    );
    for (procedure, i, step) in places {
        if let Some(ast::Exit::Match { fact, .. }) = step.exit.as_deref() {
            if let Some(f) = bound(fact).filter(|&f| is_unit(f)) {
                found.entry(f.index()).or_default().push((procedure, i));
            }
        }
    }
    found
}

/// The answers and kind of a fact over numbers, durations, dates or times:
/// the ranges of every `match` on it cut its values into intervals, and
/// the branches each interval takes group them into classes.
fn unit_fact(
    p: &ast::Policy,
    unit: ast::Unit,
    places: &[(Option<usize>, usize)],
) -> (Box<[graph::CompactString]>, graph::FactKind) {
    let found: Vec<&[ast::Branch]> = places
        .iter()
        .filter_map(|&(procedure, i)| {
            let step = match procedure {
                None => p.steps.get(i),
                Some(pr) => p.procedures.get(pr).and_then(|x| x.steps.get(i)),
            }?;
            match step.exit.as_deref() {
                Some(ast::Exit::Match { branches, .. }) => Some(&**branches),
                _ => None,
            }
        })
        .collect();
    let branches = || found.iter().flat_map(|bs| bs.iter());
    let uses_days = branches().any(|b| names_days(&b.arm));
    let scale = scale_of(unit, uses_days);
    let intervals = branches()
        .filter_map(|b| arm_intervals(scale, &b.arm).ok().flatten())
        .flatten();
    let cuts = crate::domain::cuts(scale, intervals);
    let (classes, answers) = classes_of(scale, &cuts, &found);
    let kind = graph::FactKind::Ordered(Box::new(graph::Ordered {
        scale,
        cuts,
        classes,
    }));
    (answers.into_iter().map(Into::into).collect(), kind)
}

fn lower_facts(
    p: &mut ast::Policy,
    s: &Symbols,
    plan: &Plan,
    diags: &mut Vec<Diagnostic>,
) -> Vec<graph::Fact> {
    let mut facts = Vec::with_capacity(s.facts.len());
    let matches = unit_matches(p, s);
    let mut lists = AnswerLists::default();
    for (id, origin) in s.fact_origins.iter().enumerate() {
        // The answers of a question a step of the policy asks are read
        // here only: taken from the tree, so that its answers and the
        // graph's are never both whole in memory (docs/performance.md).
        let mut taken = None;
        if let FactOrigin::Step(step) = *origin {
            if let Some(ast::Exit::Ask { answers, .. }) = p
                .steps
                .get_mut(step.index())
                .and_then(|a| a.exit.as_deref_mut())
            {
                taken = Some(std::mem::take(answers));
            }
        }
        // A question a procedure asks is asked by each copy: the fact is
        // the first copy's (a procedure never called asks it nowhere).
        let (asker, source) = match *origin {
            FactOrigin::Step(step) => (p.steps.get(step.index()), graph::FactSource::Step { step }),
            FactOrigin::Procedure { procedure, step } => {
                let first = plan
                    .copies
                    .iter()
                    .find(|c| c.procedure == procedure as usize)
                    .map(|c| StepId::new(c.base + step as usize));
                (
                    p.procedures
                        .get(procedure as usize)
                        .and_then(|x| x.steps.get(step as usize)),
                    first.map_or(graph::FactSource::Ask, |step| graph::FactSource::Step {
                        step,
                    }),
                )
            }
            FactOrigin::Line(_) => (None, graph::FactSource::Host),
        };
        let fact = match *origin {
            FactOrigin::Step(_) | FactOrigin::Procedure { .. } => {
                match asker.and_then(|a| a.exit.as_deref()) {
                    Some(ast::Exit::Ask {
                        fact,
                        prompt,
                        answers: defs,
                        waits,
                        ..
                    }) => {
                        let defs = taken.as_deref().unwrap_or(defs);
                        let (answers, answer_words) = answer_list(defs);
                        let timeout = timeout(defs, &answers, *waits, diags);
                        graph::Fact {
                            name: fact.text().into(),
                            prompt: prompt
                                .as_ref()
                                .map(|t| t.value().into())
                                .unwrap_or_default(),
                            answers: lists.shared(answers),
                            answer_words,
                            kind: graph::FactKind::Choice,
                            source: source.clone(),
                            waits: waits.then(|| Box::new(graph::Wait { timeout })),
                            span: fact.span,
                        }
                    }
                    Some(ast::Exit::Verify {
                        fact,
                        prompt,
                        checklist,
                        ..
                    }) => {
                        let ast::Checklist {
                            quorum,
                            quorum_span,
                            stated,
                            items,
                        } = &**checklist;
                        check_quorum(fact, *quorum, *quorum_span, *stated, items.len(), diags);
                        graph::Fact {
                            name: fact.text().into(),
                            prompt: prompt
                                .as_ref()
                                .map(|t| t.value().into())
                                .unwrap_or_default(),
                            answers: lists.shared(Box::new(["passed".into(), "failed".into()])),
                            answer_words: Box::default(),
                            kind: graph::FactKind::Verify(Box::new(graph::Verification {
                                at_least: match quorum {
                                    ast::Quorum::All => items.len() as u32,
                                    ast::Quorum::Any(k) | ast::Quorum::AtLeast(k) => *k,
                                },
                                items: ids(items),
                            })),
                            source,
                            waits: None,
                            span: fact.span,
                        }
                    }
                    _ => continue,
                }
            }
            FactOrigin::Line(i) => {
                let f = &p.facts[i as usize];
                let (answers, answer_words, kind) = match &f.ty {
                    ast::FactType::YesNo(_) => (
                        Box::new(["yes".into(), "no".into()]) as Box<[_]>,
                        Box::default(),
                        graph::FactKind::YesNo,
                    ),
                    // A multi-select is written out as one yes/no fact per
                    // item before resolution (src/foreach.rs).
                    // A `role` fact is a choice among the roles by now
                    // (src/holder.rs); one left is a broken one.
                    ast::FactType::Role(_) => {
                        (Box::default(), Box::default(), graph::FactKind::Choice)
                    }
                    ast::FactType::Choice(answers) | ast::FactType::Multiple(answers) => {
                        let (a, w) = answer_list(answers);
                        // A declared fact is read, not waited for.
                        timeout(answers, &a, false, diags);
                        (a, w, graph::FactKind::Choice)
                    }
                    ast::FactType::Unit(unit, _) => {
                        let places = matches.get(&id).map_or(&[][..], Vec::as_slice);
                        let (answers, kind) = unit_fact(p, *unit, places);
                        (answers, Box::default(), kind)
                    }
                };
                let (prompt, source) = match &f.source {
                    ast::FactSource::Ask(words) => (words.as_ref(), graph::FactSource::Ask),
                    ast::FactSource::Lookup(system) => (
                        None,
                        graph::FactSource::Lookup {
                            system: system.as_ref().map(|t| t.value().into()),
                        },
                    ),
                    ast::FactSource::Host => (None, graph::FactSource::Host),
                };
                graph::Fact {
                    name: f.name.text().into(),
                    prompt: prompt
                        .or(f.label.as_ref())
                        .map(|t| t.value().into())
                        .unwrap_or_default(),
                    answers: lists.shared(answers),
                    answer_words,
                    kind,
                    source,
                    waits: None,
                    span: f.name.span,
                }
            }
        };
        facts.push(fact);
    }
    facts
}

/// The answer lists of a policy's facts, each kept once: a large policy
/// has hundreds of thousands of questions, most with one of a few lists.
#[derive(Default)]
struct AnswerLists(foldhash::HashSet<std::sync::Arc<[graph::CompactString]>>);

impl AnswerLists {
    fn shared(
        &mut self,
        list: Box<[graph::CompactString]>,
    ) -> std::sync::Arc<[graph::CompactString]> {
        if let Some(found) = self.0.get(&*list) {
            return found.clone();
        }
        let list: std::sync::Arc<[graph::CompactString]> = list.into();
        self.0.insert(list.clone());
        list
    }
}

/// The answers, each once (a repeat is reported by resolve), and the words
/// read for them (empty when none has words).
/// A wait's timeout answer (`after 2 days`) as (answer index, minutes);
/// `after` anywhere else, twice, or on no duration is `wrong-type`.
fn timeout(
    defs: &[ast::AnswerDef],
    answers: &[graph::CompactString],
    waits: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<(u32, i64)> {
    let mut found = None;
    for d in defs {
        let Some(v) = &d.after else { continue };
        let wrong = |message: String, help: &str| {
            Diagnostic::new(Code::WrongType, message)
                .at(v.span, "not a timeout")
                .with_help(help.to_string())
        };
        if !waits {
            diags.push(wrong(
                format!("`after` belongs to a `wait`; `{}` is asked", d.name.text()),
                "write `wait` instead of `ask` if the call waits for this, or remove `after …`",
            ));
            continue;
        }
        if found.is_some() {
            diags.push(wrong(
                "a `wait` has one timeout; this is its second `after`".to_string(),
                "keep `after …` on the one answer taken when nothing happens in time",
            ));
            continue;
        }
        let minutes = match &v.kind {
            ast::ValueKind::Number {
                digits,
                unit: Some(unit),
            } => crate::domain::number(Scale::Minutes, digits, Some(unit_of(*unit))),
            _ => Err("write a duration, for example `after 2 days`".to_string()),
        };
        match minutes {
            Ok(m) => {
                let a = answers.iter().position(|x| x == d.name.text()).unwrap_or(0);
                found = Some((a as u32, m));
            }
            Err(e) => diags.push(wrong(
                format!("a wait's timeout: {e}"),
                "write `after N minutes`, `after N hours` or `after N days`",
            )),
        }
    }
    found
}

fn answer_list(
    answers: &[ast::AnswerDef],
) -> (Box<[graph::CompactString]>, Box<[graph::CompactString]>) {
    let kept: Vec<&ast::AnswerDef> = answers
        .iter()
        .enumerate()
        .filter(|(i, a)| !answers[..*i].iter().any(|b| b.name.text() == a.name.text()))
        .map(|(_, a)| a)
        .collect();
    let names = kept.iter().map(|a| a.name.text().into()).collect();
    let words = if kept.iter().any(|a| a.label.is_some()) {
        kept.iter()
            .map(|a| {
                a.label
                    .as_ref()
                    .map(|l| l.value().into())
                    .unwrap_or_default()
            })
            .collect()
    } else {
        Box::default()
    };
    (names, words)
}

/// `count-mismatch`: a stated count that differs from the list, or more
/// items needed than listed (or none).
fn check_quorum(
    fact: &ast::Name,
    quorum: ast::Quorum,
    quorum_span: Span,
    stated: Option<(u32, Span)>,
    n: usize,
    diags: &mut Vec<Diagnostic>,
) {
    if let Some((k, span)) = stated {
        if k as usize != n {
            diags.push(
                Diagnostic::new(
                    Code::CountMismatch,
                    format!(
                        "the verification `{}` says {k} items but lists {n}",
                        fact.text()
                    ),
                )
                .at(span, format!("{k} stated"))
                .with_help(format!(
                    "list the {k} items the source names, or write `these {n}:`"
                )),
            );
        }
    }
    let k = match quorum {
        ast::Quorum::All => return,
        ast::Quorum::Any(k) | ast::Quorum::AtLeast(k) => k,
    };
    if k as usize > n || k == 0 {
        let why = if k == 0 {
            "needs none of its items, so it always passes".to_string()
        } else {
            format!("needs {k} items but lists {n}, so it never passes")
        };
        diags.push(
            Diagnostic::new(
                Code::CountMismatch,
                format!("the verification `{}` {why}", fact.text()),
            )
            .at(quorum_span, format!("{k} of {n}"))
            .with_help("the number to pass is between 1 and the number of items listed"),
        );
    }
}

/// Whether an arm names days of the week.
fn names_days(arm: &ast::Arm) -> bool {
    match arm {
        ast::Arm::Days { .. } => true,
        ast::Arm::Answer(n) => crate::domain::days_word(n.text()).is_some(),
        _ => false,
    }
}

fn scale_of(unit: ast::Unit, uses_days: bool) -> Scale {
    match unit {
        ast::Unit::Number => Scale::Number,
        ast::Unit::Count => Scale::Count,
        ast::Unit::Money => Scale::Money,
        ast::Unit::Minutes => Scale::Minutes,
        ast::Unit::Hours => Scale::Hours,
        ast::Unit::Days => Scale::Days,
        ast::Unit::Date => Scale::Date,
        ast::Unit::Time if uses_days => Scale::Week,
        ast::Unit::Time => Scale::Clock,
    }
}

fn unit_of(u: ast::ValueUnit) -> crate::domain::Unit {
    match u {
        ast::ValueUnit::Minutes => crate::domain::Unit::Minutes,
        ast::ValueUnit::Hours => crate::domain::Unit::Hours,
        ast::ValueUnit::Days => crate::domain::Unit::Days,
    }
}

/// A written value in the steps of `scale` (a time of day in minutes after
/// midnight, also on the scale `Week`). `unit`: a unit written after the
/// range (`3 or more minutes`), for a number written without one.
fn value_in(
    scale: Scale,
    v: &ast::Value,
    unit: Option<ast::ValueUnit>,
) -> Result<i64, (String, Span)> {
    let wrong = |what: &str| {
        (
            format!(
                "{what} does not fit {}: write for example `{}`",
                scale.noun(),
                scale.example()
            ),
            v.span,
        )
    };
    match &v.kind {
        ast::ValueKind::Number { digits, unit: own }
            if !scale.is_time() && scale != Scale::Date =>
        {
            crate::domain::number(scale, digits, own.or(unit).map(unit_of)).map_err(|e| (e, v.span))
        }
        ast::ValueKind::Number { .. } => Err(wrong("a number")),
        ast::ValueKind::Clock(m) if scale.is_time() => Ok(i64::from(*m)),
        ast::ValueKind::Clock(_) => Err(wrong("a time of day")),
        ast::ValueKind::Date(d) if scale == Scale::Date => {
            crate::date::Date::new(d.year, d.month, d.day)
                .map(|d| d.day_number())
                .ok_or_else(|| wrong("this date"))
        }
        ast::ValueKind::Date(_) => Err(wrong("a date")),
    }
}

/// The values a range takes, on `scale` (a time of day on `Clock`).
fn range_intervals(scale: Scale, r: &ast::Range) -> Result<Vec<Interval>, (String, Span)> {
    use crate::domain::Op;
    let on = if scale == Scale::Week {
        Scale::Clock
    } else {
        scale
    };
    let from = value_in(on, &r.from, r.unit)?;
    let to = match &r.to {
        Some(t) => Some(value_in(on, t, r.unit)?),
        None => None,
    };
    let op = match r.op {
        ast::RangeOp::Over | ast::RangeOp::After => Op::Over,
        ast::RangeOp::Under | ast::RangeOp::Before => Op::Under,
        ast::RangeOp::OrMore | ast::RangeOp::OrLater => Op::AtLeast,
        ast::RangeOp::OrLess | ast::RangeOp::OrEarlier => Op::AtMost,
        ast::RangeOp::Span => Op::Span,
        ast::RangeOp::Exact => Op::Exact,
    };
    crate::domain::range(on, op, from, to).map_err(|e| (e, r.span))
}

/// The values an arm takes on an ordered fact; `None` for `else`.
fn arm_intervals(scale: Scale, arm: &ast::Arm) -> Result<Option<Vec<Interval>>, (String, Span)> {
    let all_days: Vec<i64> = (0..7).collect();
    let whole_day = [(0, 1440)];
    match arm {
        ast::Arm::Else(_) => Ok(None),
        ast::Arm::Range(r) => {
            let iv = range_intervals(scale, r)?;
            Ok(Some(if scale == Scale::Week {
                crate::domain::on_days(&all_days, &iv)
            } else {
                iv
            }))
        }
        ast::Arm::Answer(n) => match crate::domain::days_word(n.text()) {
            Some(days) if scale == Scale::Week => {
                Ok(Some(crate::domain::on_days(&days, &whole_day)))
            }
            _ => Err((
                format!(
                    "`{}` is not a range of {}: write for example `over {}` or `{}..{}`",
                    n.text(),
                    scale.noun(),
                    scale.example(),
                    scale.example(),
                    scale.example()
                ),
                n.span,
            )),
        },
        ast::Arm::Days(d) => {
            let ast::Days {
                from, to, hours, ..
            } = &**d;
            if scale != Scale::Week {
                return Err((
                    format!(
                        "days of the week apply to a time of day, not to {}",
                        scale.noun()
                    ),
                    from.span,
                ));
            }
            let day = |n: &ast::Name| {
                crate::domain::days_word(n.text()).ok_or_else(|| {
                    (
                        format!(
                            "`{}` is not a day: write mon, tue, …, sun, weekdays or weekends",
                            n.text()
                        ),
                        n.span,
                    )
                })
            };
            let mut days = day(from)?;
            if let Some(t) = to {
                let (a, b) = (days[0], day(t)?[0]);
                days = (0..7)
                    .map(|k| (a + k) % 7)
                    .take(((b - a).rem_euclid(7) + 1) as usize)
                    .collect();
            }
            let hours = match hours {
                Some(h) => range_intervals(Scale::Clock, h)?,
                None => whole_day.to_vec(),
            };
            Ok(Some(crate::domain::on_days(&days, &hours)))
        }
    }
}

/// The branch table of a `match` on an ordered fact: one edge per class.
/// Reports a class no branch takes (`non-exhaustive`, naming its least
/// value), a class two branches take (`overlapping-branches`), and arms
/// that do not fit the fact's type (`wrong-type`).
#[allow(clippy::too_many_arguments)]
fn ordered_table(
    step: &str,
    fact: &str,
    match_span: Span,
    scale: Scale,
    cuts: &[i64],
    class_of: &[u32],
    n_classes: usize,
    branches: &[ast::Branch],
    s: &Symbols,
    at: &Place,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Edge> {
    let classes = cuts.len() + 1;
    // By interval first; intervals of one class take one branch here.
    let mut table: Vec<Option<(Edge, Span)>> = vec![None; classes];
    let mut else_edge: Option<(Edge, Span)> = None;
    let least = |c: usize| crate::domain::class_interval(scale, cuts, c).0;
    for b in branches {
        let e = edge(&b.dest, b.bound.as_deref(), b.span, s, at);
        let intervals = match arm_intervals(scale, &b.arm) {
            Ok(Some(iv)) => iv,
            Ok(None) => {
                match else_edge {
                    Some((_, first)) => diags.push(
                        Diagnostic::new(
                            Code::NonExhaustive,
                            format!(
                                "the match on `{fact}` in step `{step}` has two `else` branches"
                            ),
                        )
                        .at(b.arm.span(), "second else")
                        .with_label(first, "first else")
                        .with_help("keep one `else` branch"),
                    ),
                    None => else_edge = Some((e, b.arm.span())),
                }
                continue;
            }
            Err((message, span)) => {
                diags.push(
                    Diagnostic::new(Code::WrongType, message)
                        .at(span, format!("`{fact}` is {}", scale.noun()))
                        .with_help(format!(
                            "branch on ranges of `{fact}`: `over V`, `under V`, `V or more`, `V or less`, `A..B` or one value"
                        )),
                );
                continue;
            }
        };
        let mut overlap: Option<(usize, Span)> = None;
        for (c, slot) in table.iter_mut().enumerate() {
            if !crate::domain::contains(&intervals, least(c)) {
                continue;
            }
            match slot {
                Some((_, first)) => {
                    overlap.get_or_insert((c, *first));
                }
                None => *slot = Some((e, b.span)),
            }
        }
        if let Some((c, first)) = overlap {
            let value = crate::domain::format(scale, least(c));
            diags.push(
                Diagnostic::new(
                    Code::OverlappingBranches,
                    format!("two branches of the match on `{fact}` in step `{step}` take {value}"),
                )
                .at(b.arm.span(), format!("also takes {value}"))
                .with_label(first, format!("takes {value} first"))
                .with_help("make the ranges meet without sharing a value: `A..B` excludes B, `B or more` starts at B"),
            );
        }
    }
    // Values no branch takes lead nowhere: the path check reports a caller
    // path that brings one here (`non-exhaustive`).
    let missing: Vec<usize> = (0..classes).filter(|&c| table[c].is_none()).collect();
    match else_edge {
        Some((_, span)) if missing.is_empty() => diags.push(
            Diagnostic::new(
                Code::InfeasibleBranch,
                format!(
                    "the `else` branch of the match on `{fact}` in step `{step}` takes no value"
                ),
            )
            .at(span, "every value already has its branch")
            .with_help("remove the `else` branch"),
        ),
        _ => {}
    }
    (0..n_classes as u32)
        .map(|c| {
            let first = class_of.iter().position(|&k| k == c);
            match (first.and_then(|i| table[i]), else_edge) {
                (Some((e, _)), _) | (None, Some((e, _))) => e,
                (None, None) => Edge {
                    to: graph::Dest::Unmatched,
                    bound: None,
                    span: match_span,
                    exit: None,
                },
            }
        })
        .collect()
}

/// Groups the intervals of an ordered fact into classes: two intervals are
/// one class when every `match` on the fact sends them down the same
/// branch. Returns each interval's class and each class's words: one
/// interval's range, or the branches that take it (`weekdays
/// 08:00..16:30`, `other than weekdays 08:00..16:30`).
fn classes_of(scale: Scale, cuts: &[i64], matches: &[&[ast::Branch]]) -> (Vec<u32>, Vec<String>) {
    let arms: Vec<Vec<Option<Vec<Interval>>>> = matches
        .iter()
        .map(|bs| {
            bs.iter()
                .map(|b| arm_intervals(scale, &b.arm).ok().flatten())
                .collect()
        })
        .collect();
    let signature = |iv: usize| -> Vec<u32> {
        let v = crate::domain::class_interval(scale, cuts, iv).0;
        matches
            .iter()
            .zip(&arms)
            .map(|(bs, arm_iv)| {
                let taken = arm_iv
                    .iter()
                    .position(|a| a.as_ref().is_some_and(|a| crate::domain::contains(a, v)))
                    .or_else(|| bs.iter().position(|b| matches!(b.arm, ast::Arm::Else(_))));
                taken.map_or(u32::MAX, |k| k as u32)
            })
            .collect()
    };
    let mut ids: foldhash::HashMap<Vec<u32>, u32> = foldhash::HashMap::default();
    let mut class_of = Vec::with_capacity(cuts.len() + 1);
    let mut members: Vec<(Vec<u32>, Vec<usize>)> = Vec::new();
    for iv in 0..=cuts.len() {
        let sig = signature(iv);
        let next = members.len() as u32;
        let c = *ids.entry(sig.clone()).or_insert(next);
        if c == next {
            members.push((sig, Vec::new()));
        }
        members[c as usize].1.push(iv);
        class_of.push(c);
    }
    let mut labels: Vec<String> = members
        .iter()
        .map(|(sig, ivs)| match ivs[..] {
            [one] => {
                crate::domain::class_label(scale, crate::domain::class_interval(scale, cuts, one))
            }
            _ => {
                let parts: Vec<String> = sig
                    .iter()
                    .zip(matches)
                    .filter_map(|(&k, bs)| {
                        let b = bs.get(k as usize)?;
                        Some(match &b.arm {
                            ast::Arm::Else(_) => {
                                let others: Vec<String> = bs
                                    .iter()
                                    .filter(|o| !matches!(o.arm, ast::Arm::Else(_)))
                                    .map(|o| arm_text(scale, &o.arm))
                                    .collect();
                                format!("other than {}", others.join(" or "))
                            }
                            arm => arm_text(scale, arm),
                        })
                    })
                    .fold(Vec::new(), |mut acc, p| {
                        if !acc.contains(&p) {
                            acc.push(p);
                        }
                        acc
                    });
                if parts.is_empty() {
                    // No branch takes them anywhere: their ranges.
                    let mut ranges: Vec<String> = ivs
                        .iter()
                        .take(3)
                        .map(|&iv| {
                            crate::domain::class_label(
                                scale,
                                crate::domain::class_interval(scale, cuts, iv),
                            )
                        })
                        .collect();
                    if ivs.len() > 3 {
                        ranges.push(format!("{} more", ivs.len() - 3));
                    }
                    ranges.join(", ")
                } else {
                    parts.join(" and ")
                }
            }
        })
        .collect();
    // Words shared by two classes (two matches that agree on one and not
    // the other) get the class's number.
    for i in 0..labels.len() {
        if labels[..i].contains(&labels[i]) || labels[i + 1..].contains(&labels[i]) {
            labels[i] = format!("{} (#{})", labels[i], i + 1);
        }
    }
    (class_of, labels)
}

/// An arm in the policy's words, its values written as sopc writes them.
fn arm_text(scale: Scale, arm: &ast::Arm) -> String {
    let on = if scale == Scale::Week {
        Scale::Clock
    } else {
        scale
    };
    let range = |r: &ast::Range| {
        let v = |x: &ast::Value| {
            value_in(on, x, r.unit)
                .map(|n| crate::domain::format(on, n))
                .unwrap_or_default()
        };
        let from = v(&r.from);
        match r.op {
            ast::RangeOp::Over => format!("over {from}"),
            ast::RangeOp::Under => format!("under {from}"),
            ast::RangeOp::Before => format!("before {from}"),
            ast::RangeOp::After => format!("after {from}"),
            ast::RangeOp::OrMore => format!("{from} or more"),
            ast::RangeOp::OrLess => format!("{from} or less"),
            ast::RangeOp::OrLater => format!("{from} or later"),
            ast::RangeOp::OrEarlier => format!("{from} or earlier"),
            ast::RangeOp::Span => format!("{from}..{}", r.to.as_ref().map(v).unwrap_or_default()),
            ast::RangeOp::Exact => from,
        }
    };
    match arm {
        ast::Arm::Range(r) => range(r),
        ast::Arm::Answer(n) => n.text().to_string(),
        ast::Arm::Else(_) => "else".into(),
        ast::Arm::Days(d) => {
            let ast::Days {
                from, to, hours, ..
            } = &**d;
            let mut t = from.text().to_string();
            if let Some(to) = to {
                t.push_str(&format!("..{}", to.text()));
            }
            if let Some(h) = hours {
                t.push(' ');
                t.push_str(&range(h));
            }
            t
        }
    }
}

/// The class a scenario's given value falls in, or why it does not fit.
fn given_class(f: &graph::Fact, g: &ast::Given) -> Result<u32, (String, Span)> {
    let graph::FactKind::Ordered(o) = &f.kind else {
        return match g {
            ast::Given::Answer(a) => f
                .answers
                .iter()
                .position(|o| *o == a.text())
                .map(|i| i as u32)
                .ok_or_else(|| {
                    (
                        format!(
                            "`{}` is not an answer to `{}`; the answers are: {}",
                            a.text(),
                            f.name,
                            plain_list(&f.answers)
                        ),
                        a.span,
                    )
                }),
            other => Err((
                format!(
                    "`{}` takes one of its answers: {}",
                    f.name,
                    plain_list(&f.answers)
                ),
                other.span(),
            )),
        };
    };
    let scale = &o.scale;
    let v = match g {
        ast::Given::Value(v) if *scale == Scale::Week => {
            return Err((
                format!(
                    "`{}` depends on the day: write a day and a time, for example `thu 16:30`",
                    f.name
                ),
                v.span,
            ))
        }
        ast::Given::Value(v) => value_in(*scale, v, None)?,
        ast::Given::DayClock { day, minutes, span } if *scale == Scale::Week => {
            let d = crate::domain::weekday(day.text()).ok_or_else(|| {
                (
                    format!("`{}` is not a day: write mon, tue, …, sun", day.text()),
                    day.span,
                )
            })?;
            let _ = span;
            d * 1440 + i64::from(*minutes)
        }
        ast::Given::DayClock { minutes, .. } if *scale == Scale::Clock => i64::from(*minutes),
        other => {
            return Err((
                format!(
                    "`{}` is {}: write for example `{}`",
                    f.name,
                    scale.noun(),
                    scale.example()
                ),
                other.span(),
            ))
        }
    };
    Ok(f.kind.class_of_value(v).unwrap_or(0))
}

/// A data field's value rules; `pattern` must be a valid regular
/// expression, `min` and `max` fit numbers and dates.
fn lower_rules(d: &ast::DataDecl, diags: &mut Vec<Diagnostic>) -> Vec<graph::ValueRule> {
    let mut out = Vec::new();
    for r in &d.rules {
        let rule = match &r.kind {
            ast::ValueRuleKind::MinLength(n) => graph::ValueRule::MinLength { length: *n },
            ast::ValueRuleKind::MaxLength(n) => graph::ValueRule::MaxLength { length: *n },
            ast::ValueRuleKind::Length(n) => graph::ValueRule::Length { length: *n },
            ast::ValueRuleKind::Pattern(t) => {
                let pattern = t.value().to_string();
                if let Err(e) = regex::Regex::new(&format!("^(?:{pattern})$")) {
                    let why = e.to_string();
                    let why = why.lines().last().unwrap_or("not a regular expression");
                    diags.push(
                        Diagnostic::new(Code::Syntax, format!("the pattern of `{}` is not a regular expression: {why}", d.name.text()))
                            .at(t.span, "not a regular expression")
                            .with_help("write a regular expression such as \"[0-9]{10}\"; the whole value must match it"),
                    );
                    continue;
                }
                graph::ValueRule::Pattern { pattern }
            }
            ast::ValueRuleKind::Min(v) | ast::ValueRuleKind::Max(v) => {
                let scale = match d.class {
                    ast::DataClass::Number => Scale::Number,
                    ast::DataClass::Date => Scale::Date,
                    _ => {
                        diags.push(
                            Diagnostic::new(Code::WrongType, format!("`min` and `max` bound numbers and dates; `{}` is not one", d.name.text()))
                                .at(r.span, "not a number or a date")
                                .with_help("use `min length` or `max length` for a text, or make the field `number` or `date`"),
                        );
                        continue;
                    }
                };
                match value_in(scale, v, None) {
                    Ok(value) if matches!(r.kind, ast::ValueRuleKind::Min(_)) => {
                        graph::ValueRule::Min { scale, value }
                    }
                    Ok(value) => graph::ValueRule::Max { scale, value },
                    Err((message, span)) => {
                        diags.push(
                            Diagnostic::new(Code::WrongType, message)
                                .at(span, "does not fit the field")
                                .with_help(format!("write for example `{}`", scale.example())),
                        );
                        continue;
                    }
                }
            }
        };
        out.push(rule);
    }
    out
}

/// `never disclose F until|to FACT ANSWER`; the answer left out is `yes`
/// or `passed`.
fn lower_scoped(
    n: &ast::NeverDisclose,
    facts: &[graph::Fact],
    diags: &mut Vec<Diagnostic>,
) -> Option<graph::ScopedDisclosure> {
    let scope = n.scope.as_ref()?;
    let fact_id: graph::FactId = bound(&scope.fact)?;
    let f = &facts[fact_id.index()];
    let answer = match &scope.answer {
        Some(a) => f
            .answers
            .iter()
            .position(|x| *x == a.text())
            .ok_or((a.text(), a.span)),
        None => match f.kind {
            graph::FactKind::YesNo => Ok(0),
            graph::FactKind::Verify(_) => Ok(0),
            _ => Err(("", scope.fact.span)),
        },
    };
    let answer = match answer {
        Ok(a) => a as u32,
        Err((word, span)) => {
            let message = if word.is_empty() {
                format!(
                    "`never disclose … {}` needs an answer of `{}`",
                    scope.fact.text(),
                    f.name
                )
            } else {
                format!("`{word}` is not an answer to `{}`", f.name)
            };
            diags.push(
                Diagnostic::new(Code::UnknownName, message)
                    .at(span, "which answer?")
                    .with_help(format!("the answers are: {}", plain_list(&f.answers))),
            );
            return None;
        }
    };
    Some(graph::ScopedDisclosure {
        data: ids(&n.fields),
        scope: match scope.kind {
            ast::ScopeKind::Until => graph::DisclosureScope::Until,
            ast::ScopeKind::To => graph::DisclosureScope::To,
        },
        fact: fact_id,
        answer,
        span: n.span,
    })
}
