//! sopc's verdicts against a brute-force oracle on random small policies,
//! generated as source text (so parsing, resolution and lowering are covered
//! too). The oracle walks every caller path directly on the model the text
//! was printed from, with its own facts, retry counters, collected data,
//! filed tickets and visited steps, and decides each check by definition;
//! sopc decides the same on its state space. Compared: the path count and
//! the paths themselves, every check's verdict (dead end, unbounded loop,
//! missing data, missing ticket, order violation, unknown fact, unreachable
//! step per step, infeasible branch per branch), and the engine's end for
//! every path.
//!
//! The model is a proptest strategy, so a failing case shrinks (fewer steps,
//! fewer actions, simpler exits) and is printed as a policy file. The seed
//! is fixed: every run checks the same cases; `PROPTEST_RNG_SEED=N` picks
//! others, `PROPTEST_CASES=N` more of them.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use sopc::analysis::states::StateSpace;
use sopc::Code;
use std::collections::BTreeSet;

/// Cases with more caller paths than this are compared on verdicts only.
const MAX_PATHS: usize = 2_000;
/// A caller path longer than this is an endless one (the longest finite
/// path of a model is far shorter: at most 7 steps, each bound at most 3).
const MAX_DEPTH: usize = 400;

/// The three ends every model can reach: resolved, referred to the campus,
/// escalated to the desk (a ticket target that requires `d0`).
const ENDS: [&str; 3] = [
    "end resolved",
    "end referred(campus)",
    "end escalated(desk)",
];
const ESCALATED: usize = 2;

/// A destination: usually forward (a later step or an end), sometimes any
/// step, which makes loops, bounded or not.
#[derive(Clone, Copy, Debug)]
enum DestSpec {
    Forward(u8),
    Any(u8),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Dest {
    Step(usize),
    End(usize),
}

#[derive(Clone, Debug)]
enum Act {
    Collect(u8),
    Ticket,
}

#[derive(Clone, Debug)]
struct BranchSpec {
    to: DestSpec,
    /// `at most N times, then DEST`.
    bound: Option<(u8, DestSpec)>,
}

#[derive(Clone, Debug)]
enum ExitSpec {
    End(u8),
    Goto(DestSpec),
    Ask(Vec<BranchSpec>),
    /// A match on the k-th asking step's question.
    Match(u8, Vec<DestSpec>),
    /// No way out: a dead end.
    Stuck,
}

#[derive(Clone, Debug)]
struct StepSpec {
    actions: Vec<Act>,
    exit: ExitSpec,
}

#[derive(Clone, Debug)]
struct Spec {
    steps: Vec<StepSpec>,
    /// `require sA before sB`.
    rule: Option<(u8, u8)>,
}

fn dest_spec() -> impl Strategy<Value = DestSpec> {
    prop_oneof![6 => any::<u8>().prop_map(DestSpec::Forward), 1 => any::<u8>().prop_map(DestSpec::Any)]
}

fn branch_spec() -> impl Strategy<Value = BranchSpec> {
    (
        dest_spec(),
        prop::option::weighted(0.25, (1u8..=3, dest_spec())),
    )
        .prop_map(|(to, bound)| BranchSpec { to, bound })
}

fn step_spec() -> impl Strategy<Value = StepSpec> {
    let act = prop_oneof![3 => (0u8..2).prop_map(Act::Collect), 1 => Just(Act::Ticket)];
    let exit = prop_oneof![
        2 => any::<u8>().prop_map(ExitSpec::End),
        3 => dest_spec().prop_map(ExitSpec::Goto),
        8 => prop::collection::vec(branch_spec(), 2..=4).prop_map(ExitSpec::Ask),
        4 => (any::<u8>(), prop::collection::vec(dest_spec(), 4)).prop_map(|(k, b)| ExitSpec::Match(k, b)),
        1 => Just(ExitSpec::Stuck),
    ];
    (prop::collection::vec(act, 0..3), exit).prop_map(|(actions, exit)| StepSpec { actions, exit })
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::collection::vec(step_spec(), 1..=7),
        prop::option::weighted(0.3, (any::<u8>(), any::<u8>())),
    )
        .prop_map(|(steps, rule)| Spec { steps, rule })
}

/// The model with every number resolved against the policy's size.
#[derive(Clone, Debug)]
struct Model {
    steps: Vec<Step>,
    rule: Option<(usize, usize)>,
}

#[derive(Clone, Debug)]
struct Step {
    actions: Vec<Act>,
    exit: Exit,
}

#[derive(Clone, Debug)]
enum Exit {
    End(usize),
    Goto(Dest),
    Ask(Vec<(Dest, Option<(u32, Dest)>)>),
    Match {
        asked_by: usize,
        branches: Vec<Dest>,
    },
    Stuck,
}

fn model(spec: &Spec) -> Model {
    let n = spec.steps.len();
    let dest = |i: usize, d: DestSpec| -> Dest {
        let (first, r) = match d {
            DestSpec::Forward(r) => (i + 1, r as usize),
            DestSpec::Any(r) => (0, r as usize),
        };
        let k = r % (n - first + ENDS.len());
        if first + k < n {
            Dest::Step(first + k)
        } else {
            Dest::End(first + k - n)
        }
    };
    let asks: Vec<usize> = (0..n)
        .filter(|&i| matches!(spec.steps[i].exit, ExitSpec::Ask(_)))
        .collect();
    let steps = spec
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let exit = match &s.exit {
                ExitSpec::End(o) => Exit::End(*o as usize % ENDS.len()),
                ExitSpec::Goto(d) => Exit::Goto(dest(i, *d)),
                ExitSpec::Stuck => Exit::Stuck,
                ExitSpec::Ask(bs) => Exit::Ask(
                    bs.iter()
                        .map(|b| {
                            let bound = b.bound.map(|(t, then)| (t as u32, dest(i, then)));
                            (dest(i, b.to), bound)
                        })
                        .collect(),
                ),
                ExitSpec::Match(_, bs) if asks.is_empty() => Exit::Goto(dest(i, bs[0])),
                ExitSpec::Match(k, bs) => {
                    let asked_by = asks[*k as usize % asks.len()];
                    let ExitSpec::Ask(answers) = &spec.steps[asked_by].exit else {
                        unreachable!("asks lists asking steps")
                    };
                    Exit::Match {
                        asked_by,
                        branches: bs[..answers.len()].iter().map(|&d| dest(i, d)).collect(),
                    }
                }
            };
            Step {
                actions: s.actions.clone(),
                exit,
            }
        })
        .collect();
    let rule = spec
        .rule
        .map(|(a, b)| (a as usize % n, b as usize % n))
        .filter(|(a, b)| a != b);
    Model { steps, rule }
}

fn dest_src(d: Dest) -> String {
    match d {
        Dest::Step(s) => format!("s{s}"),
        Dest::End(o) => ENDS[o].to_string(),
    }
}

fn source(m: &Model) -> String {
    let mut out = String::from(
        "sop \"T\" \"Random\" { owner \"test\" }\n\
         target desk \"The desk\" ticket via \"iSupport\" requires d0\n\
         target campus \"The campus office\" referral\n\
         data d0 \"Datum 0\" text\n\
         data d1 \"Datum 1\" text\n\
         outcome resolved \"Resolved\"\n\
         outcome referred \"Referred\" referral to campus\n\
         outcome escalated \"Escalated\" escalation to desk\n",
    );
    if let Some((a, b)) = m.rule {
        out.push_str(&format!("require s{a} before s{b}\n"));
    }
    for (i, s) in m.steps.iter().enumerate() {
        out.push_str(&format!("step s{i} \"Step {i}\" {{\n"));
        for a in &s.actions {
            match a {
                Act::Collect(k) => out.push_str(&format!("  collect d{k}\n")),
                Act::Ticket => out.push_str("  ticket desk { title \"Help\" }\n"),
            }
        }
        match &s.exit {
            Exit::End(o) => out.push_str(&format!("  {}\n", ENDS[*o])),
            Exit::Goto(d) => out.push_str(&format!("  goto {}\n", dest_src(*d))),
            Exit::Stuck => {}
            Exit::Ask(branches) => {
                let names: Vec<String> = (0..branches.len()).map(|a| format!("a{a}")).collect();
                out.push_str(&format!(
                    "  ask q{i} \"Question {i}?\" {{ {} }}\n",
                    names.join(" ")
                ));
                for (a, (to, bound)) in branches.iter().enumerate() {
                    match bound {
                        None => out.push_str(&format!("  a{a} -> {}\n", dest_src(*to))),
                        Some((n, then)) => out.push_str(&format!(
                            "  a{a} -> {} at most {n} times, then {}\n",
                            dest_src(*to),
                            dest_src(*then)
                        )),
                    }
                }
            }
            Exit::Match { asked_by, branches } => {
                out.push_str(&format!("  match q{asked_by} {{\n"));
                for (a, d) in branches.iter().enumerate() {
                    out.push_str(&format!("    a{a} -> {}\n", dest_src(*d)));
                }
                out.push_str("  }\n");
            }
        }
        out.push_str("}\n");
    }
    out
}

/// A caller path: its answers as (asking step, answer), and its end.
type Path = (Vec<(usize, usize)>, usize);

/// What the oracle finds by definition and by walking every path.
#[derive(Default, Debug)]
struct Verdicts {
    dead_end: bool,
    /// A cycle of steps with every bounded branch replaced by its `then`.
    unbounded_loop: bool,
    /// Some walk went past `MAX_DEPTH`: a caller can loop forever.
    endless: bool,
    /// The walk stopped early (too many paths): path verdicts are partial.
    incomplete: bool,
    paths: Vec<Path>,
    unknown_fact: bool,
    missing_data: bool,
    missing_ticket: bool,
    order_violation: bool,
    reached: Vec<bool>,
    /// (match step, answer) taken by some path.
    taken: BTreeSet<(usize, usize)>,
}

/// The steps a step can go to with bounded branches replaced by their `then`.
fn unbounded_successors(m: &Model, s: usize) -> Vec<usize> {
    let dests: Vec<Dest> = match &m.steps[s].exit {
        Exit::End(_) | Exit::Stuck => vec![],
        Exit::Goto(d) => vec![*d],
        Exit::Ask(bs) => bs
            .iter()
            .map(|(to, bound)| bound.map_or(*to, |(_, then)| then))
            .collect(),
        Exit::Match { branches, .. } => branches.clone(),
    };
    dests
        .into_iter()
        .filter_map(|d| match d {
            Dest::Step(t) => Some(t),
            Dest::End(_) => None,
        })
        .collect()
}

/// Does some step lead back to itself? A search from every step.
fn has_unbounded_cycle(m: &Model) -> bool {
    (0..m.steps.len()).any(|s| {
        let mut seen = vec![false; m.steps.len()];
        let mut stack = unbounded_successors(m, s);
        while let Some(t) = stack.pop() {
            if t == s {
                return true;
            }
            if !std::mem::replace(&mut seen[t], true) {
                stack.extend(unbounded_successors(m, t));
            }
        }
        false
    })
}

#[derive(Clone)]
struct Walker {
    step: usize,
    facts: Vec<Option<usize>>,
    counters: Vec<u32>,
    collected: [bool; 2],
    ticket: bool,
    visited: Vec<bool>,
    answers: Vec<(usize, usize)>,
    depth: usize,
}

fn verdicts(m: &Model) -> Verdicts {
    let n = m.steps.len();
    let mut v = Verdicts {
        dead_end: m.steps.iter().any(|s| matches!(s.exit, Exit::Stuck)),
        unbounded_loop: has_unbounded_cycle(m),
        reached: vec![false; n],
        ..Default::default()
    };
    let mut stack = vec![Walker {
        step: 0,
        facts: vec![None; n],
        counters: vec![0; n * 4],
        collected: [false; 2],
        ticket: false,
        visited: vec![false; n],
        answers: vec![],
        depth: 0,
    }];
    let mut budget = 200_000usize;
    let finish = |w: &Walker, o: usize, v: &mut Verdicts| {
        if o == ESCALATED && !w.ticket {
            v.missing_ticket = true;
        }
        v.paths.push((w.answers.clone(), o));
    };
    while let Some(mut w) = stack.pop() {
        budget -= 1;
        if budget == 0 || v.paths.len() > MAX_PATHS {
            v.incomplete = true;
            break;
        }
        w.depth += 1;
        if w.depth > MAX_DEPTH {
            v.endless = true;
            continue;
        }
        let s = w.step;
        v.reached[s] = true;
        if m.rule.is_some_and(|(a, b)| b == s && !w.visited[a]) {
            v.order_violation = true;
        }
        w.visited[s] = true;
        for a in &m.steps[s].actions {
            match a {
                Act::Collect(k) => w.collected[*k as usize] = true,
                Act::Ticket => {
                    v.missing_data |= !w.collected[0];
                    w.ticket = true;
                }
            }
        }
        let mut go = |d: Dest, w: Walker, v: &mut Verdicts| match d {
            Dest::End(o) => finish(&w, o, v),
            Dest::Step(t) => stack.push(Walker { step: t, ..w }),
        };
        match &m.steps[s].exit {
            Exit::Stuck => {}
            Exit::End(o) => finish(&w, *o, &mut v),
            Exit::Goto(d) => go(*d, w, &mut v),
            Exit::Ask(branches) => {
                for (a, (to, bound)) in branches.iter().enumerate() {
                    let mut next = w.clone();
                    next.facts[s] = Some(a);
                    next.answers.push((s, a));
                    let d = match bound {
                        None => *to,
                        Some((times, then)) => {
                            let c = &mut next.counters[s * 4 + a];
                            if *c < *times {
                                *c += 1;
                                *to
                            } else {
                                *then
                            }
                        }
                    };
                    go(d, next, &mut v);
                }
            }
            Exit::Match { asked_by, branches } => match w.facts[*asked_by] {
                Some(a) => {
                    v.taken.insert((s, a));
                    go(branches[a], w, &mut v);
                }
                None => v.unknown_fact = true,
            },
        }
    }
    v
}

fn has(checked: &sopc::Checked, code: Code) -> bool {
    checked.diagnostics.iter().any(|d| d.code == code)
}

fn messages(checked: &sopc::Checked, code: Code) -> BTreeSet<String> {
    checked
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .map(|d| d.message.clone())
        .collect()
}

/// Step `sN`'s index.
fn step_index(name: &str) -> usize {
    name[1..].parse().expect("generated step names are sN")
}

fn agree(spec: Spec) -> Result<(), TestCaseError> {
    let m = model(&spec);
    let text = source(&m);
    let v = verdicts(&m);
    let checked = sopc::check_source(&text, &Default::default());
    let context = || {
        format!(
            "\n--- policy ---\n{text}--- sopc says ---\n{:#?}",
            checked.diagnostics
        )
    };

    // Structure: decided by definition, whatever the paths.
    prop_assert_eq!(
        has(&checked, Code::DeadEnd),
        v.dead_end,
        "dead-end verdict{}",
        context()
    );
    prop_assert_eq!(
        has(&checked, Code::UnboundedLoop),
        v.unbounded_loop,
        "unbounded-loop verdict{}",
        context()
    );
    // And the loop check is sound: a caller who can loop forever is caught.
    prop_assert!(
        !v.endless || v.unbounded_loop,
        "a caller loops forever, sopc says no{}",
        context()
    );
    if v.dead_end || v.unbounded_loop || v.incomplete {
        return Ok(());
    }

    prop_assert_eq!(
        has(&checked, Code::UnknownFact),
        v.unknown_fact,
        "unknown-fact verdict{}",
        context()
    );
    if v.unknown_fact {
        // The oracle's walk stops where the fact is missing; the rest differs.
        return Ok(());
    }
    prop_assert_eq!(
        has(&checked, Code::MissingData),
        v.missing_data,
        "missing-data verdict{}",
        context()
    );
    prop_assert_eq!(
        has(&checked, Code::MissingTicket),
        v.missing_ticket,
        "missing-ticket verdict{}",
        context()
    );
    prop_assert_eq!(
        has(&checked, Code::OrderViolation),
        v.order_violation,
        "order-violation verdict{}",
        context()
    );

    let unreachable: BTreeSet<String> = (0..m.steps.len())
        .filter(|&i| !v.reached[i])
        .map(|i| format!("no caller path reaches the step `s{i}`"))
        .collect();
    prop_assert_eq!(
        messages(&checked, Code::UnreachableStep),
        unreachable,
        "unreachable-step verdicts{}",
        context()
    );

    let mut infeasible = BTreeSet::new();
    for (i, s) in m.steps.iter().enumerate() {
        if let Exit::Match { asked_by, branches } = &s.exit {
            for a in 0..branches.len() {
                if v.reached[i] && !v.taken.contains(&(i, a)) {
                    infeasible.insert(format!(
                        "no caller path reaches `s{i}` with `q{asked_by} = a{a}`"
                    ));
                }
            }
        }
    }
    prop_assert_eq!(
        messages(&checked, Code::InfeasibleBranch),
        infeasible,
        "infeasible-branch verdicts{}",
        context()
    );

    if checked.has_errors() {
        return Ok(());
    }
    let graph = checked
        .graph
        .clone()
        .expect("a policy without errors has a graph");
    let space = StateSpace::build(&graph).expect("a state space");
    prop_assert_eq!(
        sopc::paths::count(&space).to_u128(),
        Some(v.paths.len() as u128),
        "path count{}",
        context()
    );
    let end_of = |t: sopc::graph::Terminal| -> usize {
        let name = &graph.outcomes[t.outcome as usize].name;
        ["resolved", "referred", "escalated"]
            .iter()
            .position(|o| o == name)
            .expect("a generated outcome")
    };
    // The same paths, as multisets of (answers, end).
    let mut mine: Vec<Path> = sopc::paths::enumerate(&graph, &space, MAX_PATHS + 1)
        .into_iter()
        .map(|p| {
            let answers = p
                .answers
                .iter()
                .map(|&(f, a)| (step_index(&graph.step(graph.fact(f).step).name), a as usize))
                .collect();
            (answers, end_of(p.terminal))
        })
        .collect();
    let mut theirs = v.paths.clone();
    mine.sort();
    theirs.sort();
    if mine != theirs {
        let only_mine: Vec<_> = mine
            .iter()
            .filter(|p| !theirs.contains(p))
            .take(3)
            .collect();
        let only_theirs: Vec<_> = theirs
            .iter()
            .filter(|p| !mine.contains(p))
            .take(3)
            .collect();
        prop_assert!(
            false,
            "paths differ\nonly sopc: {:?}\nonly oracle: {:?}{}",
            only_mine,
            only_theirs,
            context()
        );
    }
    // The engine ends every path where the oracle does.
    let engine = sopc::Engine::new(graph.clone()).expect("a checked graph verifies");
    for (answers, end) in &v.paths {
        let indices: Vec<u32> = answers.iter().map(|&(_, a)| a as u32).collect();
        let t = engine.run(&indices);
        prop_assert_eq!(
            t.map(end_of),
            Some(*end),
            "engine on {:?}{}",
            answers,
            context()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config {
        cases: 4000,
        rng_seed: RngSeed::Fixed(0x50c_0ac1e),
        failure_persistence: None,
        ..Config::default()
    })]
    #[test]
    fn verdicts_counts_and_engine_agree_with_brute_force(spec in spec()) {
        agree(spec)?;
    }
}

/// The generator must produce every verdict often enough to test it: a
/// guard against a generator change that silently stops covering one.
#[test]
fn the_generator_covers_every_verdict() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::new(Config {
        rng_seed: RngSeed::Fixed(7),
        ..Config::default()
    });
    let mut seen = [0usize; 10];
    for _ in 0..2000 {
        let m = model(&spec().new_tree(&mut runner).expect("a case").current());
        let v = verdicts(&m);
        let flags = [
            v.dead_end,
            v.unbounded_loop,
            v.endless,
            v.unknown_fact,
            v.missing_data,
            v.missing_ticket,
            v.order_violation,
            v.reached.iter().any(|r| !r),
            v.paths.len() > 20,
            !(v.dead_end
                || v.unbounded_loop
                || v.unknown_fact
                || v.missing_data
                || v.missing_ticket
                || v.order_violation),
        ];
        for (k, f) in flags.iter().enumerate() {
            seen[k] += *f as usize;
        }
    }
    for (k, n) in seen.iter().enumerate() {
        assert!(
            *n >= 20,
            "verdict #{k} came up only {n} times in 2000 cases: {seen:?}"
        );
    }
}

/// A chain of 60 yes/no diamonds has 2^60 caller paths, counted exactly
/// without enumerating them.
#[test]
fn sixty_diamonds_count_exactly() {
    let mut text =
        String::from("sop \"D\" \"Diamonds\" { owner \"test\" }\noutcome done \"Done\"\n");
    for i in 0..60 {
        let next = if i + 1 < 60 {
            format!("d{}", i + 1)
        } else {
            "end done".into()
        };
        text.push_str(&format!(
            "step d{i} \"Diamond {i}\" {{\n  ask q{i} \"Left or right?\" {{ left right }}\n  left -> l{i}\n  right -> r{i}\n}}\n\
             step l{i} \"Left {i}\" {{ goto {next} }}\nstep r{i} \"Right {i}\" {{ goto {next} }}\n"
        ));
    }
    let graph = sopc::compile(&text).expect("compiles");
    let space = StateSpace::build(&graph).expect("space");
    assert_eq!(
        sopc::paths::count(&space).to_string(),
        "1152921504606846976"
    );
}

/// A retry bound at the limit is counted exactly (the analysis stores
/// counters in 16 bits; the limit keeps every bound inside them), and one
/// over it is refused rather than analysed wrongly.
#[test]
fn retry_bounds_are_exact_up_to_the_limit() {
    let policy = |n: u32| {
        format!(
            "sop \"R\" \"Retry\" {{ owner \"test\" }}\noutcome done \"Done\"\n\
             step s \"Ask\" {{\n  ask q \"Again?\" {{ yes no }}\n  yes -> s at most {n} times, then end done\n  no -> end done\n}}\n"
        )
    };
    let max = sopc::analysis::states::MAX_BOUND;
    let graph = sopc::compile(&policy(max)).expect("compiles");
    let space = StateSpace::build(&graph).expect("space");
    // `no` after 0..=max retries, or `yes` once more after the last one.
    assert_eq!(
        sopc::paths::count(&space).to_u128(),
        Some(u128::from(max) + 2)
    );
    let over = sopc::check_source(&policy(max + 1), &Default::default());
    assert_eq!(
        over.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
        vec![Code::TooLarge]
    );
}

// ---------------------------------------------------------------- diff

/// A version of `m` with one to three random edits that keep every
/// question's answers: an end changed, a destination moved (forward only),
/// a ticket added or removed, a question replaced by a `goto`.
fn edited(m: &Model, seed: u64) -> Model {
    let mut r = seed | 1;
    let mut below = |n: usize| {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        (r % n as u64) as usize
    };
    let mut m = m.clone();
    let n = m.steps.len();
    for _ in 0..1 + below(3) {
        let i = below(n);
        let forward = |k: usize| {
            let choices = n - i - 1 + ENDS.len();
            let c = k % choices;
            if i + 1 + c < n {
                Dest::Step(i + 1 + c)
            } else {
                Dest::End(i + 1 + c - n)
            }
        };
        let d = forward(below(64));
        let step = &mut m.steps[i];
        match (below(4), &mut step.exit) {
            (0, Exit::End(o)) => *o = (*o + 1) % ENDS.len(),
            (0, Exit::Goto(to)) => *to = d,
            (0 | 1, Exit::Ask(branches)) => {
                let k = below(branches.len());
                branches[k].0 = d;
            }
            (1, Exit::Match { branches, .. }) => {
                let k = below(branches.len());
                branches[k] = d;
            }
            (2, _) => match step.actions.iter().position(|a| matches!(a, Act::Ticket)) {
                Some(k) => {
                    step.actions.remove(k);
                }
                None => step.actions.extend([Act::Collect(0), Act::Ticket]),
            },
            (3, Exit::Ask(_)) => step.exit = Exit::Goto(d),
            _ => {}
        }
    }
    m
}

/// The model with each bounded branch going straight to its `then`: the
/// brute force below assumes one answer per question.
fn loop_free(mut m: Model) -> Model {
    for step in &mut m.steps {
        if let Exit::Ask(branches) = &mut step.exit {
            for b in branches.iter_mut() {
                if let Some((_, then)) = b.1.take() {
                    b.0 = then;
                }
            }
        }
    }
    m
}

/// One run of a loop-free model on a full assignment of answers: the
/// answers it consumed, its route (each step entered, and whether it asked
/// there), how many tickets it filed, and its end.
type Run = (BTreeSet<(usize, usize)>, Vec<(usize, bool)>, usize, usize);

fn run(m: &Model, assignment: &[usize]) -> Run {
    let (mut consumed, mut steps, mut tickets) = (BTreeSet::new(), Vec::new(), 0);
    let mut s = 0;
    loop {
        steps.push((s, matches!(m.steps[s].exit, Exit::Ask(_))));
        tickets += m.steps[s]
            .actions
            .iter()
            .filter(|a| matches!(a, Act::Ticket))
            .count();
        let next = match &m.steps[s].exit {
            Exit::End(o) => Dest::End(*o),
            Exit::Goto(d) => *d,
            Exit::Ask(branches) => {
                consumed.insert((s, assignment[s]));
                branches[assignment[s]].0
            }
            Exit::Match { asked_by, branches } => branches[assignment[*asked_by]],
            Exit::Stuck => unreachable!("checked policies have no dead end"),
        };
        match next {
            Dest::Step(t) => s = t,
            Dest::End(o) => return (consumed, steps, tickets, o),
        }
    }
}

/// The number of answers each step's question has (1 for a step that asks
/// nothing, so that the assignments multiply out).
fn answer_counts(old: &Model, new: &Model) -> Vec<usize> {
    let count = |m: &Model, i: usize| match &m.steps[i].exit {
        Exit::Ask(b) => b.len(),
        _ => 1,
    };
    (0..old.steps.len())
        .map(|i| count(old, i).max(count(new, i)))
        .collect()
}

/// `sopc::diff` against every caller situation of two versions, tried one
/// by one: a situation is a full assignment of answers, and a caller path
/// is what both versions consume of it.
fn diff_agrees(spec: Spec, seed: u64) -> Result<bool, TestCaseError> {
    let old = loop_free(model(&spec));
    let new = edited(&old, seed);
    let (Ok(g_old), Ok(g_new)) = (sopc::compile(&source(&old)), sopc::compile(&source(&new)))
    else {
        return Ok(false);
    };
    let d = sopc::diff::diff(&g_old, &g_new, 5).expect("small policies compare");
    let counts = answer_counts(&old, &new);
    let mut kinds: std::collections::BTreeMap<BTreeSet<(usize, usize)>, &str> = Default::default();
    let mut assignment = vec![0; counts.len()];
    loop {
        let (c_old, steps_old, t_old, end_old) = run(&old, &assignment);
        let (c_new, steps_new, t_new, end_new) = run(&new, &assignment);
        let kind = if end_old != end_new {
            "changed"
        } else if t_old != t_new {
            "tickets"
        } else if steps_old != steps_new {
            "route"
        } else {
            "same"
        };
        let key: BTreeSet<(usize, usize)> = c_old.union(&c_new).copied().collect();
        if let Some(previous) = kinds.insert(key, kind) {
            prop_assert_eq!(previous, kind, "one caller path, two verdicts");
        }
        // The next assignment, like an odometer.
        let mut k = 0;
        while k < counts.len() && assignment[k] + 1 == counts[k] {
            assignment[k] = 0;
            k += 1;
        }
        if k == counts.len() {
            break;
        }
        assignment[k] += 1;
    }
    let expected = |kind: &str| kinds.values().filter(|&&k| k == kind).count() as u128;
    let context = || {
        format!(
            "\n--- old ---\n{}--- new ---\n{}--- diff ---\n{d:#?}",
            source(&old),
            source(&new)
        )
    };
    prop_assert_eq!(
        d.changed.count.to_u128(),
        Some(expected("changed")),
        "changed{}",
        context()
    );
    prop_assert_eq!(
        d.tickets.count.to_u128(),
        Some(expected("tickets")),
        "tickets{}",
        context()
    );
    prop_assert_eq!(
        d.route.count.to_u128(),
        Some(expected("route")),
        "route{}",
        context()
    );
    prop_assert!(
        d.added.count.is_zero() && d.removed.count.is_zero(),
        "no answer was added or removed{}",
        context()
    );
    prop_assert_eq!(
        d.is_equal(),
        expected("same") == kinds.len() as u128,
        "equality{}",
        context()
    );
    Ok(true)
}

proptest! {
    #![proptest_config(Config {
        cases: 5000,
        rng_seed: RngSeed::Fixed(0xd1ff),
        failure_persistence: None,
        ..Config::default()
    })]
    #[test]
    fn diff_agrees_with_brute_force(spec in spec(), seed in any::<u64>()) {
        diff_agrees(spec, seed)?;
    }
}

/// The diff oracle must compare real cases of every kind, not skip them.
#[test]
fn the_diff_oracle_sees_every_kind_of_change() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::new(Config {
        rng_seed: RngSeed::Fixed(11),
        ..Config::default()
    });
    let (mut compared, mut seen) = (0, [0usize; 4]);
    for _ in 0..1500 {
        let (spec, seed) = (spec(), any::<u64>())
            .new_tree(&mut runner)
            .expect("a case")
            .current();
        let old = loop_free(model(&spec));
        if diff_agrees(spec, seed).expect("agrees") {
            compared += 1;
            let new = edited(&old, seed);
            let d = sopc::diff::diff(
                &sopc::compile(&source(&old)).expect("old"),
                &sopc::compile(&source(&new)).expect("new"),
                0,
            )
            .expect("diff");
            for (k, c) in [&d.changed, &d.tickets, &d.route].into_iter().enumerate() {
                seen[k] += usize::from(!c.count.is_zero());
            }
            seen[3] += usize::from(d.is_equal());
        }
    }
    assert!(compared >= 200, "only {compared} of 1500 cases compared");
    assert!(
        seen.iter().all(|&n| n >= 10),
        "changed, tickets, route, equal: {seen:?}"
    );
}
