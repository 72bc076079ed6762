//! The checks over the decision graph, one file per family. Each check is a
//! function from the graph (and, for the path checks, its state space) to
//! diagnostics. Checks that need a sound graph (no dead end, no unbounded
//! loop) run only when the structural checks found none.
//!
//! To add a check: add its code to `codes.rs`, its section to docs/checks.md,
//! a function in the family file it belongs to (or a new file here), a call
//! in [`run`], and fixtures in tests/fixtures/check/.

mod authoring;
mod budget;
mod flow;
mod loops;
pub mod project;
mod reach;
mod review;
mod secrets;
mod structure;

use crate::analysis::states::{Blowup, SpaceError, StateId, StateSpace};
use crate::codes::Code;
use crate::diagnostic::{CounterExample, Diagnostic};
use crate::graph::{Exit, Graph};
use crate::levels::Levels;
use std::sync::atomic::{AtomicBool, Ordering};

/// What the checks need besides the graph.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The date `review-overdue` compares against.
    pub today: Option<crate::date::Date>,
}

/// A graph with at least this many steps builds its state space on a second
/// thread while the checks of single steps and loops run.
const OVERLAP_MIN_STEPS: usize = 4_096;

/// Runs every check and returns the diagnostics (unsorted). The checks that
/// can find a lint in every step skip the places where `levels` allows it;
/// the caller applies the levels to the rest.
pub fn run(g: &Graph, opts: &Options, levels: &Levels) -> Vec<Diagnostic> {
    let two_threads = g.steps.len() >= OVERLAP_MIN_STEPS && crate::parallel::cores() >= 2;
    run_on(g, opts, levels, two_threads)
}

/// [`run`], on two threads or on this one whatever the graph's size and the
/// cores: the tests hold the one to the other.
#[doc(hidden)]
pub fn run_on(g: &Graph, opts: &Options, levels: &Levels, two_threads: bool) -> Vec<Diagnostic> {
    if !two_threads {
        let mut diags = graph_checks(g, opts, levels);
        if sound(&diags) {
            path_checks(g, StateSpace::build(g), levels, &mut diags);
        } else {
            safety_checks_when_unsound(g, &mut diags);
        }
        return diags;
    }
    // The state space is most of the checks' time and needs only the graph:
    // it is built while the other checks run, and given up if they find
    // the graph unsound.
    let give_up = AtomicBool::new(false);
    let ((mut diags, sound), space) = crate::parallel::both(
        || {
            let diags = graph_checks(g, opts, levels);
            let sound = sound(&diags);
            if !sound {
                give_up.store(true, Ordering::Relaxed);
            }
            (diags, sound)
        },
        || StateSpace::build_unless(g, &give_up),
    );
    if sound {
        path_checks(g, space, levels, &mut diags);
    } else {
        safety_checks_when_unsound(g, &mut diags);
    }
    diags
}

/// On a graph with an unbounded loop or a dead end, the path checks that
/// find what some path does wrong (missing data or ticket, order, unknown
/// fact) still run, on the graph with each unbounded loop cut: fewer paths,
/// so whatever they find has a real caller path. The checks that need
/// every path (unreachable steps, infeasible branches, path length) wait
/// for a sound graph.
fn safety_checks_when_unsound(g: &Graph, diags: &mut Vec<Diagnostic>) {
    if diags.iter().any(|d| d.code == Code::TooLarge) {
        return;
    }
    let cut = crate::analysis::cut::unbounded_loops_cut(g);
    if let Ok(space) = StateSpace::build(&cut) {
        flow::must_analysis(&cut, &space, diags);
        flow::unknown_facts(&cut, &space, diags);
        secrets::scoped_leaks(&cut, &space, diags);
        reach::unmatched(&cut, &space, diags);
    }
}

/// The checks of single steps, loops and the header.
fn graph_checks(g: &Graph, opts: &Options, levels: &Levels) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    structure::dead_ends(g, &mut diags);
    structure::terminals(g, &mut diags);
    structure::referrals(g, &mut diags);
    structure::missing_text(g, levels, &mut diags);
    authoring::unused_declarations(g, levels, &mut diags);
    authoring::single_answers(g, levels, &mut diags);
    authoring::useless_bounds(g, levels, &mut diags);
    authoring::useless_loop_bounds(g, levels, &mut diags);
    authoring::duplicate_steps(g, levels, &mut diags);
    loops::bound_limits(g, &mut diags);
    loops::unbounded_loops(g, &mut diags);
    secrets::secret_leaks(g, &mut diags);
    secrets::forbidden_phrases(g, &mut diags);
    review::review_overdue(g, opts, &mut diags);
    diags
}

/// Whether the path checks can run: the state space needs a way out of
/// every step and bounded loops, with bounds it can count.
fn sound(diags: &[Diagnostic]) -> bool {
    !diags
        .iter()
        .any(|d| matches!(d.code, Code::DeadEnd | Code::UnboundedLoop | Code::TooLarge))
}

/// The checks over caller paths, on the state space.
fn path_checks(
    g: &Graph,
    space: Result<StateSpace, SpaceError>,
    levels: &Levels,
    diags: &mut Vec<Diagnostic>,
) {
    match space {
        Ok(space) => {
            flow::must_analysis(g, &space, diags);
            flow::unknown_facts(g, &space, diags);
            secrets::scoped_leaks(g, &space, diags);
            reach::unmatched(g, &space, diags);
            // A reference sopc could not bind may have been meant for any
            // step or branch: their reachability waits for it.
            if !g.steps.iter().any(|s| matches!(s.exit, Exit::Unknown)) {
                reach::unreachable_steps(g, &space, levels, diags);
                reach::infeasible_branches(g, &space, levels, diags);
            }
            budget::long_path(g, &space, diags);
            reach::open_gaps(g, &space, levels, diags);
        }
        Err(SpaceError::TooLarge(blowup)) => diags.push(too_large(g, &blowup)),
        // Ruled out by the unbounded-loop check above.
        Err(SpaceError::Cyclic) => diags.push(
            Diagnostic::new(
                Code::UnboundedLoop,
                "internal error: the analysis found a cycle the loop check missed",
            )
            .with_help("this is a bug in sopc; please report it with the policy file"),
        ),
        // Only when the graph is unsound, and then path checks do not run.
        Err(SpaceError::GivenUp) => {}
    }
}

/// `too-large` for a state space over its budget, naming what fills it.
fn too_large(g: &Graph, blowup: &Blowup) -> Diagnostic {
    let mib = crate::analysis::states::budget(g) >> 20;
    let quoted = |names: Vec<&str>| crate::diagnostic::quoted_list(&names);
    let mut kept = Vec::new();
    if !blowup.facts.is_empty() {
        let names = blowup.facts.iter().map(|&f| g.fact(f).name.as_str());
        kept.push(format!("the answers to {}", quoted(names.collect())));
    }
    if !blowup.retries.is_empty() {
        let names = blowup.retries.iter().map(|&s| g.step(s).name.as_str());
        kept.push(format!("the retry counts of {}", quoted(names.collect())));
    }
    if kept.is_empty() {
        return Diagnostic::new(
            Code::TooLarge,
            format!("the policy has more caller situations than sopc analyses in {mib} MiB"),
        )
        .at(g.step(g.start).span, "analysis starts here")
        .with_help("split the policy into smaller ones");
    }
    let mut d = Diagnostic::new(
        Code::TooLarge,
        format!(
            "too many caller situations to analyse: each combination of {} is a situation of its own",
            kept.join(" and ")
        ),
    );
    // The first few: the message names the rest.
    let mut spans = blowup
        .facts
        .iter()
        .map(|&f| g.fact(f).span)
        .chain(blowup.retries.iter().map(|&s| g.step(s).span))
        .take(3);
    if let Some(span) = spans.next() {
        d = d.at(span, "kept from here to a later step");
    }
    for span in spans {
        d = d.with_label(span, "and from here");
    }
    d.with_help(format!(
        "sopc gave up at its budget of {mib} MiB; `match` each answer soon after asking it (or ask again where it is needed), or split the policy"
    ))
}

/// The caller path along `path` (transitions from the start state), ending
/// at state `last` (or at the terminal the last transition reaches).
pub(crate) fn counter_example(
    g: &Graph,
    space: &StateSpace,
    path: &[(StateId, u32)],
    last: Option<StateId>,
) -> CounterExample {
    let mut ce = CounterExample::default();
    for &(s, t) in path {
        let step = g.step(space.step[s as usize]);
        ce.steps.push(step.name.to_string());
        let taken = space.trans[t as usize];
        if let (Some(fact), Some(a)) = (space.obtains(g, s), taken.answer()) {
            let f = g.fact(fact);
            ce.answers
                .push((f.name.to_string(), f.answers[a as usize].to_string()));
        }
        // `anytime` is a keyword: no fact has that name.
        if let Some(r) = taken.event() {
            ce.answers
                .push(("anytime".to_string(), g.rule(r).name.clone()));
        }
    }
    if let Some(last) = last {
        ce.steps
            .push(g.step(space.step[last as usize]).name.to_string());
    }
    ce
}
