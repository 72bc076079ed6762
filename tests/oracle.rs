//! sopc's verdicts against a brute-force oracle on random small policies,
//! generated as source text (so parsing and lowering are covered too). The
//! oracle walks every caller path directly, with its own fact environment
//! and retry counters; sopc decides the same questions on its state space.

use proptest::prelude::*;
use sopc::analysis::states::StateSpace;
use sopc::Code;

/// A tiny deterministic generator, so a failing seed reproduces exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Clone, Debug)]
enum Dest {
    Step(usize),
    End(usize),
}

#[derive(Clone, Debug)]
struct Branch {
    to: Dest,
    /// `at most N times, then DEST`.
    bound: Option<(u32, Dest)>,
}

#[derive(Clone, Debug)]
enum Exit {
    End(usize),
    Goto(Dest),
    Ask {
        answers: usize,
        branches: Vec<Branch>,
    },
    Match {
        fact_step: usize,
        branches: Vec<Dest>,
    },
}

/// Cases with more caller paths than this are skipped (the oracle lists them).
const MAX_PATHS: usize = 2_000;

const OUTCOMES: [&str; 2] = ["resolved", "referred"];

fn generate(seed: u64) -> Vec<Exit> {
    let mut r = Rng(seed | 1);
    let n = 2 + r.below(6) as usize;
    let mut steps: Vec<Exit> = Vec::new();
    for i in 0..n {
        let forward = |r: &mut Rng| -> Dest {
            if i + 1 < n && r.below(3) != 0 {
                Dest::Step(i + 1 + r.below((n - i - 1) as u64) as usize)
            } else {
                Dest::End(r.below(2) as usize)
            }
        };
        let asks_before: Vec<usize> = (0..i)
            .filter(|&k| matches!(steps[k], Exit::Ask { .. }))
            .collect();
        let kind = r.below(10);
        let exit = if kind < 1 {
            Exit::End(r.below(2) as usize)
        } else if kind < 3 {
            Exit::Goto(forward(&mut r))
        } else if kind < 5 && !asks_before.is_empty() {
            let k = asks_before[r.below(asks_before.len() as u64) as usize];
            let answers = match steps[k] {
                Exit::Ask { answers, .. } => answers,
                _ => 2,
            };
            Exit::Match {
                fact_step: k,
                branches: (0..answers).map(|_| forward(&mut r)).collect(),
            }
        } else {
            let answers = 2 + r.below(2) as usize;
            let branches = (0..answers)
                .map(|_| {
                    if r.below(5) == 0 {
                        // A bounded retry back to this step or an earlier one.
                        let back = r.below((i + 1) as u64) as usize;
                        Branch {
                            to: Dest::Step(back),
                            bound: Some((1 + r.below(2) as u32, forward(&mut r))),
                        }
                    } else {
                        Branch {
                            to: forward(&mut r),
                            bound: None,
                        }
                    }
                })
                .collect();
            Exit::Ask { answers, branches }
        };
        steps.push(exit);
    }
    steps
}

fn dest_src(d: &Dest) -> String {
    match d {
        Dest::Step(s) => format!("s{s}"),
        Dest::End(o) => format!("end {}", OUTCOMES[*o]),
    }
}

fn source(steps: &[Exit]) -> String {
    let mut out = String::from("sop \"T\" \"Random\" { owner \"test\" }\noutcome resolved \"Resolved\"\noutcome referred \"Referred\" pending\n");
    for (i, e) in steps.iter().enumerate() {
        out.push_str(&format!("step s{i} \"Step {i}\" {{\n"));
        match e {
            Exit::End(o) => out.push_str(&format!("  end {}\n", OUTCOMES[*o])),
            Exit::Goto(d) => out.push_str(&format!("  goto {}\n", dest_src(d))),
            Exit::Ask { answers, branches } => {
                let names: Vec<String> = (0..*answers).map(|a| format!("a{a}")).collect();
                out.push_str(&format!(
                    "  ask q{i} \"Question {i}?\" {{ {} }}\n",
                    names.join(" ")
                ));
                for (a, b) in branches.iter().enumerate() {
                    match &b.bound {
                        None => out.push_str(&format!("  a{a} -> {}\n", dest_src(&b.to))),
                        Some((n, then)) => out.push_str(&format!(
                            "  a{a} -> {} at most {n} times, then {}\n",
                            dest_src(&b.to),
                            dest_src(then)
                        )),
                    }
                }
            }
            Exit::Match {
                fact_step,
                branches,
            } => {
                out.push_str(&format!("  match q{fact_step} {{\n"));
                for (a, d) in branches.iter().enumerate() {
                    out.push_str(&format!("    a{a} -> {}\n", dest_src(d)));
                }
                out.push_str("  }\n");
            }
        }
        out.push_str("}\n");
    }
    out
}

/// What the oracle finds by walking every path.
#[derive(Default, Debug)]
struct Walk {
    /// Each path: (answers as (step, answer)), outcome.
    paths: Vec<(Vec<(usize, usize)>, usize)>,
    unknown_fact: bool,
    reached: Vec<bool>,
}

fn walk(steps: &[Exit]) -> Walk {
    let mut w = Walk {
        reached: vec![false; steps.len()],
        ..Default::default()
    };
    // Frame: step, facts (latest answer per asking step), counters, answers.
    type Frame = (usize, Vec<Option<usize>>, Vec<u32>, Vec<(usize, usize)>);
    let n = steps.len();
    let mut stack: Vec<Frame> = vec![(0, vec![None; n], vec![0; n * 4], vec![])];
    while let Some((s, facts, counters, answers)) = stack.pop() {
        if w.paths.len() > MAX_PATHS {
            break;
        }
        w.reached[s] = true;
        let mut go = |d: &Dest,
                      facts: Vec<Option<usize>>,
                      counters: Vec<u32>,
                      answers: Vec<(usize, usize)>,
                      w: &mut Walk| match d {
            Dest::End(o) => w.paths.push((answers, *o)),
            Dest::Step(t) => stack.push((*t, facts, counters, answers)),
        };
        match &steps[s] {
            Exit::End(o) => w.paths.push((answers, *o)),
            Exit::Goto(d) => go(d, facts, counters, answers, &mut w),
            Exit::Ask { branches, .. } => {
                for (a, b) in branches.iter().enumerate() {
                    let mut f = facts.clone();
                    f[s] = Some(a);
                    let mut c = counters.clone();
                    let mut ans = answers.clone();
                    ans.push((s, a));
                    let d = match &b.bound {
                        None => &b.to,
                        Some((times, then)) => {
                            if c[s * 4 + a] < *times {
                                c[s * 4 + a] += 1;
                                &b.to
                            } else {
                                then
                            }
                        }
                    };
                    go(d, f, c, ans, &mut w);
                }
            }
            Exit::Match {
                fact_step,
                branches,
            } => match facts[*fact_step] {
                Some(a) => go(&branches[a], facts, counters, answers, &mut w),
                None => w.unknown_fact = true,
            },
        }
    }
    w
}

fn agree(seed: u64) -> Result<(), TestCaseError> {
    let steps = generate(seed);
    let text = source(&steps);
    let oracle = walk(&steps);
    if oracle.paths.len() > MAX_PATHS {
        // Too many to compare one by one; the counts are still compared by
        // the smaller cases, and `sixty_diamonds_count_exactly` covers size.
        return Ok(());
    }
    let checked = sopc::check_source(&text, &Default::default());
    let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
    prop_assert_eq!(
        codes.contains(&Code::UnknownFact),
        oracle.unknown_fact,
        "unknown-fact verdict differs for\n{}\n{:?}",
        text,
        checked.diagnostics
    );
    if oracle.unknown_fact {
        return Ok(());
    }
    prop_assert!(
        !checked.has_errors(),
        "sopc rejects a sound policy:\n{}\n{:?}",
        text,
        checked.diagnostics
    );
    // unreachable-step agrees with the oracle's walk.
    for (i, reached) in oracle.reached.iter().enumerate() {
        let flagged = checked
            .diagnostics
            .iter()
            .any(|d| d.code == Code::UnreachableStep && d.message.contains(&format!("`s{i}`")));
        prop_assert_eq!(
            flagged,
            !reached,
            "unreachable verdict for s{} differs in\n{}",
            i,
            text
        );
    }
    let graph = checked.graph.expect("a graph");
    let space = StateSpace::build(&graph).expect("space");
    let count = sopc::paths::count(&space);
    prop_assert_eq!(
        count.to_u128(),
        Some(oracle.paths.len() as u128),
        "path count differs for\n{}",
        text
    );
    // The same paths, as multisets of (answers, outcome).
    let mut mine: Vec<(Vec<(usize, usize)>, usize)> =
        sopc::paths::enumerate(&graph, &space, 1_000_000)
            .into_iter()
            .map(|p| {
                let answers = p
                    .answers
                    .iter()
                    .map(|&(f, a)| (graph.fact(f).step as usize, a as usize))
                    .collect();
                (answers, p.terminal.outcome as usize)
            })
            .collect();
    let mut theirs = oracle.paths.clone();
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
            "paths differ for\n{}\nonly sopc: {:?}\nonly oracle: {:?}",
            text,
            only_mine,
            only_theirs
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]
    #[test]
    fn verdicts_and_counts_agree_with_brute_force(seed in any::<u64>()) {
        agree(seed)?;
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
