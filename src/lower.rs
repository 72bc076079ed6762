//! AST + symbols to the decision graph. Lowering builds each question's
//! answer-indexed branch table, so this is where `non-exhaustive` is found:
//! a branch table with a hole or a clash cannot be built.

use crate::codes::Code;
use crate::diagnostic::{plain_list, Diagnostic};
use crate::graph::{self, Edge, Graph, StepId};
use crate::resolve::Symbols;
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
    let facts = lower_facts(&p, s);
    // Where a reference sopc could not bind leads (see `unknown_step`).
    let unknown = StepId::new(p.steps.len());
    let mut steps = lower_steps(
        std::mem::take(&mut p.steps),
        s,
        &facts,
        unknown,
        diags,
        two_threads,
    );
    // A step name declared twice leaves its references ambiguous too.
    if s.steps.len() < steps.len() || steps.iter().any(|st| leads_to(st, unknown)) {
        steps.push(graph::Step::unknown());
    }
    let p = &p;
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
                name: r.name.text.to_string(),
                title: r.title.value().to_string(),
            })
            .collect(),
        targets: p
            .targets
            .iter()
            .map(|t| graph::Target {
                name: t.name.text.to_string(),
                title: t.title.value().to_string(),
                kind: match t.kind {
                    ast::TargetKind::Referral => graph::TargetKind::Referral,
                    ast::TargetKind::Ticket => graph::TargetKind::Ticket,
                    ast::TargetKind::Contact => graph::TargetKind::Contact,
                },
                via: t.via.as_ref().map(|v| v.value().to_string()),
                requires: ids(&s.data, &t.requires),
                span: t.name.span,
            })
            .collect(),
        data: p
            .data
            .iter()
            .map(|d| graph::Data {
                name: d.name.text.to_string(),
                label: d
                    .label
                    .as_ref()
                    .map_or_else(|| d.name.text.to_string(), |l| l.value().to_string()),
                class: lower_class(d.class),
                span: d.name.span,
            })
            .collect(),
        outcomes: p.outcomes.iter().map(|o| lower_outcome(o, p, s)).collect(),
        facts,
        steps,
        start: s.start?,
        never_disclose: p
            .never_disclose
            .iter()
            .flat_map(|n| ids(&s.data, &n.fields))
            .collect(),
        requires: p
            .requires
            .iter()
            .filter_map(|r| {
                Some(graph::Order {
                    first: s.steps.get(r.first.text)?,
                    then: s.steps.get(r.then.text)?,
                    span: r.span,
                })
            })
            .collect(),
        scenarios,
    })
}

/// A policy with at least this many steps is lowered on two threads.
const TWO_THREADS_MIN_STEPS: usize = 8_192;

/// Lowers every step, freeing each one's part of the tree once it is
/// lowered; on two threads, one half each, if asked. The steps and
/// their diagnostics come out in source order either way, and no
/// diagnostic depends on another step's (see [`branch_table`]), so the
/// result does not depend on the threads.
fn lower_steps(
    mut tree: Vec<ast::Step>,
    s: &Symbols,
    facts: &[graph::Fact],
    unknown: StepId,
    diags: &mut Vec<Diagnostic>,
    two_threads: bool,
) -> Vec<graph::Step> {
    let n = tree.len();
    // A list of its own size: `collect` would reuse the tree's list, twice
    // as large, for the rest of the run.
    let mut steps: Vec<graph::Step> = Vec::with_capacity(n);
    let lower_into = |tree: &mut [ast::Step],
                      slots: &mut [MaybeUninit<graph::Step>],
                      diags: &mut Vec<Diagnostic>| {
        debug_assert_eq!(tree.len(), slots.len());
        for (step, slot) in tree.iter_mut().zip(slots) {
            slot.write(lower_step(step, s, facts, unknown, diags));
            free_heap(step);
        }
    };
    if !two_threads || n < 2 {
        lower_into(&mut tree, &mut steps.spare_capacity_mut()[..n], diags);
    } else {
        // Each half writes its steps in place. Lowering the second half into
        // a list of its own and appending it holds that list twice: at a
        // million steps the peak went from 1,012 MB to 1,086 MB, past the
        // 1 GiB target (examples/stages.rs, docs/performance.md).
        let (first, second) = tree.split_at_mut(n / 2);
        let (first_slots, second_slots) = steps.spare_capacity_mut()[..n].split_at_mut(n / 2);
        // Behind a lock: the second half is lent to whichever thread lowers
        // it, which takes it once.
        let second = Mutex::new(Some((second, second_slots)));
        let ((), found) = crate::parallel::both(
            || lower_into(first, first_slots, diags),
            || {
                let mut found = Vec::new();
                if let Some((tree, slots)) = second.lock().ok().and_then(|mut h| h.take()) {
                    lower_into(tree, slots, &mut found);
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

/// Frees what a tree step owns once it is lowered (its names and texts
/// borrow from the source).
fn free_heap(step: &mut ast::Step) {
    step.exit = None;
    step.actions = Vec::new();
    step.lints = Vec::new();
    step.text = None;
}

fn ids<I: graph::Id>(ns: &crate::resolve::Namespace<I>, names: &[ast::Name]) -> Vec<I> {
    names.iter().filter_map(|n| ns.get(n.text)).collect()
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
    }
}

/// An outcome's kind as written, or else from its targets: referral targets
/// make a referral, ticket or contact targets an escalation, none resolved.
fn lower_outcome(o: &ast::OutcomeDecl, p: &ast::Policy, s: &Symbols) -> graph::Outcome {
    let targets = ids(&s.targets, &o.targets);
    let kind = match o.kind {
        Some(ast::OutcomeKind::Resolved) => graph::OutcomeKind::Resolved,
        Some(ast::OutcomeKind::Referral) => graph::OutcomeKind::Referral,
        Some(ast::OutcomeKind::Escalation) => graph::OutcomeKind::Escalation,
        Some(ast::OutcomeKind::Pending) => graph::OutcomeKind::Pending,
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
        name: o.name.text.to_string(),
        label: o
            .label
            .as_ref()
            .map_or_else(|| o.name.text.to_string(), |l| l.value().to_string()),
        kind,
        targets,
        span: o.name.span,
    }
}

fn lower_facts(p: &ast::Policy, s: &Symbols) -> Vec<graph::Fact> {
    let mut facts = Vec::with_capacity(s.facts.len());
    for &step in &s.fact_steps {
        if let Some(ast::Exit::Ask {
            fact,
            prompt,
            answers,
            ..
        }) = p.steps[step.index()].exit.as_deref()
        {
            facts.push(graph::Fact {
                name: fact.text.to_string(),
                prompt: prompt
                    .as_ref()
                    .map(|t| t.value().to_string())
                    .unwrap_or_default(),
                // An answer listed twice is reported (`duplicate-name`) and
                // kept once.
                answers: answers
                    .iter()
                    .enumerate()
                    .filter(|(i, a)| !answers[..*i].iter().any(|b| b.text == a.text))
                    .map(|(_, a)| a.text.to_string())
                    .collect(),
                step,
                span: fact.span,
            });
        }
    }
    facts
}

fn lower_step(
    step: &ast::Step,
    s: &Symbols,
    facts: &[graph::Fact],
    unknown: StepId,
    diags: &mut Vec<Diagnostic>,
) -> graph::Step {
    let actions = step
        .actions
        .iter()
        // A ticket to a target that is not declared is left out (its
        // `unknown-name` error is reported).
        .filter_map(|a| {
            Some(match a {
                ast::Action::Do(t) => graph::Action::Do {
                    text: t.value().to_string(),
                    span: t.span,
                },
                ast::Action::Say(t) => graph::Action::Say {
                    text: t.value().to_string(),
                    span: t.span,
                },
                ast::Action::Warn(t) => graph::Action::Warn {
                    text: t.value().to_string(),
                    span: t.span,
                },
                ast::Action::Note(t) => graph::Action::Note {
                    text: t.value().to_string(),
                    span: t.span,
                },
                ast::Action::Collect { fields, span } => graph::Action::Collect {
                    // A name that is not declared may be any field (its
                    // `unknown-name` error says so): counted as collecting every
                    // field, so that no `missing-data` follows from it.
                    data: if fields.iter().all(|f| s.data.get(f.text).is_some()) {
                        ids(&s.data, fields)
                    } else {
                        (0..s.data.len()).map(graph::DataId::new).collect()
                    },
                    span: *span,
                },
                ast::Action::Ticket(t) => graph::Action::Ticket(Box::new(graph::Ticket {
                    target: s.targets.get(t.target.text)?,
                    title: t.title.as_ref().map(|t| t.value().to_string()),
                    fields: t
                        .fields
                        .iter()
                        .map(|(n, v)| graph::TicketField {
                            name: n.text.to_string(),
                            value: v.value().to_string(),
                        })
                        .collect(),
                    body: ids(&s.data, &t.body),
                    assignee: ids(&s.data, &t.assignee),
                    span: t.span,
                })),
            })
        })
        .collect();
    let exit = match step.exit.as_deref() {
        None => graph::Exit::None,
        Some(ast::Exit::End(t)) => match terminal(t, s) {
            Some(terminal) => graph::Exit::End {
                terminal,
                span: t.span,
            },
            None => graph::Exit::Unknown,
        },
        Some(ast::Exit::Goto { dest, bound, span }) => graph::Exit::Goto {
            edge: edge(dest, bound.as_ref(), *span, s, unknown),
        },
        Some(ast::Exit::Ask { fact, branches, .. }) => {
            let id = s.facts.get(fact.text).unwrap_or(graph::FactId(0));
            let answers = facts
                .get(id.index())
                .map(|f| f.answers.as_slice())
                .unwrap_or(&[]);
            graph::Exit::Ask {
                fact: id,
                branches: branch_table(
                    step.name.text,
                    fact.text,
                    fact.span,
                    answers,
                    branches,
                    s,
                    unknown,
                    diags,
                ),
            }
        }
        Some(ast::Exit::Match {
            fact,
            branches,
            span,
        }) => match s.facts.get(fact.text) {
            Some(id) => graph::Exit::Match {
                fact: id,
                branches: branch_table(
                    step.name.text,
                    fact.text,
                    *span,
                    &facts[id.index()].answers,
                    branches,
                    s,
                    unknown,
                    diags,
                ),
            },
            None => graph::Exit::Unknown,
        },
    };
    graph::Step {
        name: step.name.text.to_string(),
        text: step
            .text
            .as_ref()
            .map(|t| t.value().to_string())
            .unwrap_or_default(),
        role: match &step.role {
            Some(r) => s.roles.get(r.text),
            None => (!s.roles.is_empty()).then_some(graph::RoleId(0)),
        },
        actions,
        exit,
        span: step.name.span,
    }
}

/// One edge per answer, in the order the answers were declared. Reports
/// answers with no branch, branches for answers the question does not have,
/// and answers with two branches.
#[allow(clippy::too_many_arguments)]
fn branch_table(
    step: &str,
    fact: &str,
    fact_span: Span,
    answers: &[String],
    branches: &[ast::Branch],
    s: &Symbols,
    unknown: StepId,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Edge> {
    let mut table: Vec<Option<(Edge, Span)>> = vec![None; answers.len()];
    // Suggestions are capped per question, not per file: a step's
    // diagnostics then do not depend on other steps' (lowered on another
    // thread), and each costs at most the question's answers.
    let mut unknown_answers = 0;
    let mut else_edge: Option<(Edge, Span)> = None;
    for b in branches {
        let e = edge(&b.dest, b.bound.as_ref(), b.span, s, unknown);
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
            ast::Arm::Answer(a) => match answers.iter().position(|x| *x == a.text) {
                None => {
                    let mut d = Diagnostic::new(
                        Code::NonExhaustive,
                        format!(
                            "`{}` is not an answer to the question `{fact}` (step `{step}`)",
                            a.text
                        ),
                    )
                    .at(a.span, "not one of its answers")
                    .with_label(fact_span, format!("answers: {}", plain_list(answers)));
                    d = match crate::suggest::closest_for_report(unknown_answers, a.text, answers) {
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
                                    a.text
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
        None if !missing.is_empty() => {
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
            // Only reached with the non-exhaustive error above reported.
            (None, None) => Edge {
                to: graph::Dest::Step(unknown),
                bound: None,
                span: fact_span,
            },
        })
        .collect()
}

fn edge(
    dest: &ast::Dest,
    bound: Option<&ast::Bound>,
    span: Span,
    s: &Symbols,
    unknown: StepId,
) -> Edge {
    Edge {
        to: lower_dest(dest, s, unknown),
        bound: bound.map(|b| graph::Bound {
            times: b.times,
            then: lower_dest(&b.then, s, unknown),
        }),
        span,
    }
}

/// A destination; one that names something not declared leads to the
/// `unknown` step.
fn lower_dest(d: &ast::Dest, s: &Symbols, unknown: StepId) -> graph::Dest {
    let bound = match d {
        ast::Dest::Step(n) => s.steps.get(n.text).map(graph::Dest::Step),
        ast::Dest::End(t) => terminal(t, s).map(graph::Dest::End),
    };
    bound.unwrap_or(graph::Dest::Step(unknown))
}

/// `None` when the outcome, or the target named, is not declared.
fn terminal(t: &ast::TerminalRef, s: &Symbols) -> Option<graph::Terminal> {
    Some(graph::Terminal {
        outcome: s.outcomes.get(t.outcome.text)?,
        target: match &t.target {
            Some(n) => Some(s.targets.get(n.text)?),
            None => None,
        },
    })
}

/// Whether an edge of the step leads to `to`.
fn leads_to(step: &graph::Step, to: StepId) -> bool {
    step.exit.edges().any(|(_, e)| {
        [Some(e.to), e.bound.map(|b| b.then)]
            .into_iter()
            .flatten()
            .any(|d| d == graph::Dest::Step(to))
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
        let fact = s.facts.get(pair.fact.text)?;
        let options = &facts[fact.index()].answers;
        let mut rounds = vec![];
        for a in &pair.rounds {
            match options.iter().position(|o| *o == a.text) {
                Some(i) => rounds.push(i as u32),
                None => diags.push(
                    Diagnostic::new(
                        Code::UnknownName,
                        format!(
                            "`{}` is not an answer to the question `{}`",
                            a.text, pair.fact.text
                        ),
                    )
                    .at(a.span, "not one of its answers")
                    .with_help(format!("the answers are: {}", plain_list(options))),
                ),
            }
        }
        answers.push((fact, rounds));
    }
    Some(graph::Scenario {
        name: sc.name.value().to_string(),
        answers,
        expect: match &sc.expect {
            Some(t) => Some(terminal(t, s)?),
            None => None,
        },
        visits: sc.visits.as_ref().map(|v| ids(&s.steps, v)),
        span: sc.name.span,
    })
}
