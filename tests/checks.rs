//! The graph checks: one snapshot per fixture in tests/fixtures/check/, named
//! `<code>_<n>.sop`; each fixture must raise its code.

mod common;

use sopc::Code;

#[test]
fn each_fixture_raises_its_code() {
    insta::glob!("fixtures/check/*.sop", |path| {
        let text = std::fs::read_to_string(path).expect("fixture is readable");
        let name = common::display_name(path);
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name");
        let code_name = stem.rsplit_once('_').map_or(stem, |(c, _)| c);
        let checked = sopc::check_source(&text, &common::options());
        assert!(
            checked
                .diagnostics
                .iter()
                .any(|d| d.code.name() == code_name),
            "{name} should raise `{code_name}`, got {:?}",
            checked
                .diagnostics
                .iter()
                .map(|d| d.code.name())
                .collect::<Vec<_>>()
        );
        let rendered = common::render(&name, &text);
        insta::with_settings!({ description => text.clone(), omit_expression => true }, {
            insta::assert_snapshot!(rendered);
        });
    });
}

/// Every code has a section in docs/checks.md, and every code a check emits
/// has at least two fixtures.
#[test]
fn every_code_has_docs_and_fixtures() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_to_string(root.join("docs/checks.md")).expect("docs/checks.md");
    let fixtures: Vec<String> = std::fs::read_dir(root.join("tests/fixtures/check"))
        .expect("fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    for code in Code::ALL {
        assert!(
            docs.contains(&format!("## `{}`", code.name())),
            "docs/checks.md lacks a section for `{code}`"
        );
        if matches!(code, Code::Syntax | Code::TooLarge) {
            continue;
        }
        if PROJECT_CODES.contains(code) {
            let folders = std::fs::read_dir(root.join("tests/fixtures/project"))
                .expect("project fixtures")
                .filter(|e| {
                    e.as_ref().is_ok_and(|e| {
                        e.file_name()
                            .to_string_lossy()
                            .starts_with(&format!("{}_", code.name()))
                    })
                })
                .count();
            assert!(
                folders >= 2,
                "`{code}` has {folders} project fixtures; it needs at least two"
            );
            continue;
        }
        let n = fixtures
            .iter()
            .filter(|f| f.starts_with(&format!("{}_", code.name())))
            .count();
        assert!(n >= 2, "`{code}` has {n} fixtures; it needs at least two");
    }
}

/// Policies in tests/fixtures/clean/ raise nothing at all: each guards
/// against a false report found once (the file's comment says which).
#[test]
fn clean_fixtures_raise_nothing() {
    insta::glob!("fixtures/clean/*.sop", |path| {
        let text = std::fs::read_to_string(path).expect("fixture is readable");
        let checked = sopc::check_source(&text, &common::options());
        assert!(
            checked.diagnostics.is_empty(),
            "{} should be clean, got:\n{}",
            common::display_name(path),
            common::render(&common::display_name(path), &text)
        );
    });
}

/// A large graph builds its state space on a second thread while the other
/// checks run, and gives it up when they find the graph unsound: the
/// findings must be those of one thread, for a sound graph, one with a dead
/// end and one with an unbounded loop.
#[test]
fn checks_on_two_threads_find_what_one_thread_finds() {
    use sopc::check::{run_on, Options};
    use sopc::graph::{Dest, Edge, Exit, Graph, StepId};
    use sopc::levels::Levels;
    let (opts, levels) = (Options::default(), Levels::default());
    let codes = |g: &Graph| -> Vec<Code> {
        let found = run_on(g, &opts, &levels, true);
        assert_eq!(found, run_on(g, &opts, &levels, false));
        found.iter().map(|d| d.code).collect()
    };
    let sound = sopc::compile(&sopc::synth::generate(6_000, 3)).expect("generated policies check");
    assert!(sound.steps.len() > 4_096, "large enough for two threads");
    // The generator's policies allow infeasible branches with `lint allow`;
    // without the levels the path checks report them.
    assert!(codes(&sound).contains(&Code::InfeasibleBranch));

    let mut dead_end = sound.clone();
    dead_end.steps[100].exit = Exit::None;
    let found = codes(&dead_end);
    assert!(found.contains(&Code::DeadEnd), "{found:?}");
    assert!(!found.contains(&Code::InfeasibleBranch), "{found:?}");

    let mut looped = sound.clone();
    let span = looped.steps[200].span;
    looped.steps[200].exit = Exit::Goto {
        edge: Edge {
            to: Dest::Step(StepId(200)),
            bound: None,
            span,
            exit: None,
        },
    };
    let found = codes(&looped);
    assert!(found.contains(&Code::UnboundedLoop), "{found:?}");
    assert!(!found.contains(&Code::InfeasibleBranch), "{found:?}");
}

/// A large policy is lowered on two threads, one half of the steps each:
/// the graph and the diagnostics must be those of one thread, also when
/// both halves have errors with "did you mean".
#[test]
fn lowering_on_two_threads_gives_what_one_thread_gives() {
    let text = sopc::synth::generate(9_000, 5);
    // An unknown answer near the start and near the end: `o1` becomes `o7`.
    let first = text.find("  o1 -> ").expect("a question with o1");
    let last = text.rfind("  o1 -> ").expect("a question with o1");
    assert!(last > text.len() / 2 && first < text.len() / 2);
    let mut broken = text.clone();
    broken.replace_range(last..last + 4, "  o7");
    broken.replace_range(first..first + 4, "  o7");
    for text in [&text, &broken] {
        let lowered = |two: bool| {
            let policy = sopc::parse(text).policy;
            let mut diags = Vec::new();
            let symbols = sopc::resolve::resolve_on(&policy, &mut diags, false);
            let graph = sopc::lower::lower_on(policy, &symbols, &mut diags, two);
            (graph, diags)
        };
        let (one, two) = (lowered(false), lowered(true));
        assert_eq!(one, two);
        if text == &broken {
            // Each: `o7` is not an answer (did you mean), `o1` has no branch.
            let suggested = one.1.iter().filter(|d| {
                d.message.contains("`o7` is not an answer")
                    && d.help.as_deref() == Some("did you mean `o0`?")
            });
            assert_eq!(suggested.count(), 2, "{:?}", one.1);
            assert_eq!(one.1.len(), 4, "{:?}", one.1);
        } else {
            assert!(one.1.is_empty() && one.0.is_some());
        }
    }
}

/// A large policy's references are bound on two threads, one half of the
/// steps each: the diagnostics must be those of one thread, with unknown
/// names in one half, in both, and in more places than get a "did you mean"
/// (how many came before decides whether one gets it).
#[test]
fn resolving_on_two_threads_gives_what_one_thread_gives() {
    let text = sopc::synth::generate(9_000, 11);
    let gotos: Vec<usize> = text.match_indices("  goto s").map(|(i, _)| i).collect();
    let half = text.len() / 2;
    let (early, late): (Vec<usize>, Vec<usize>) = gotos.iter().partition(|&&i| i < half);
    // `goto sN` becomes `goto xN`: an unknown step.
    let broken = |at: &[usize]| {
        let mut t = text.clone();
        for &i in at {
            t.replace_range(i + 7..i + 8, "x");
        }
        t
    };
    let many: Vec<usize> = early[..60].iter().chain(&late[..60]).copied().collect();
    for text in [
        text.clone(),
        broken(&late[..3]),
        broken(&[early[0], late[0]]),
        broken(&many),
    ] {
        let policy = sopc::parse(&text).policy;
        let (mut one, mut two) = (Vec::new(), Vec::new());
        sopc::resolve::resolve_on(&policy, &mut one, false);
        sopc::resolve::resolve_on(&policy, &mut two, true);
        assert_eq!(one, two);
    }
    let policy_text = broken(&many);
    let policy = sopc::parse(&policy_text).policy;
    let mut found = Vec::new();
    sopc::resolve::resolve_on(&policy, &mut found, true);
    let suggested = found
        .iter()
        .filter(|d| {
            d.help
                .as_deref()
                .is_some_and(|h| h.contains("did you mean"))
        })
        .count();
    assert_eq!(found.len(), 120);
    assert_eq!(suggested, sopc::suggest::MAX_SUGGESTIONS);
}

/// A `match` whose branches all end in the same ticket outcome: only the
/// branches that some ticketless path takes are blamed, each with a caller
/// path that takes it (issue 14: the first branch was blamed with the
/// path of the last).
#[test]
fn missing_ticket_blames_only_the_branch_its_path_takes() {
    for (fixture, ticketless) in [("missing-ticket_3.sop", "q"), ("missing-ticket_4.sop", "r")] {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join("tests/fixtures/check").join(fixture))
            .expect("fixture");
        let checked = sopc::check_source(&text, &common::options());
        let found: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::MissingTicket)
            .collect();
        assert_eq!(found.len(), 1, "{fixture}: {found:#?}");
        let span = found[0].span.expect("a span");
        let blamed = &text[span.start as usize..span.end as usize];
        assert_eq!(blamed, format!("{ticketless} -> end esc(jm)"), "{fixture}");
        let path = found[0].path.as_ref().expect("a caller path");
        assert_eq!(path.answers, [("k".to_string(), ticketless.to_string())]);
    }
    // An `else` is one written branch: one report, not one per answer.
    let text = "sop \"BUG-1\" \"x\" {}
target jm \"J\" ticket via \"iSupport\"
outcome esc \"Escalated\" escalation to jm
step s \"S\" { ask k \"Kind?\" { p q r w }  p -> t  else -> e }
step t \"File\" { ticket jm {} goto e }
step e \"End\" { match k { p -> end esc(jm)  else -> end esc(jm) } }
";
    let checked = sopc::check_source(text, &common::options());
    let found: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::MissingTicket)
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    let span = found[0].span.expect("a span");
    assert_eq!(
        &text[span.start as usize..span.end as usize],
        "else -> end esc(jm)"
    );
}

/// A question with more answers than 16 bits count: the analysis must tell
/// the high answers apart (issue 14: `a65537` was stored as `a1`, so the
/// path that files a ticket without its data passed `check`).
#[test]
fn answers_past_sixteen_bits_are_told_apart() {
    let n = 70_000;
    let answers: Vec<String> = (0..n).map(|i| format!("a{i}")).collect();
    let text = format!(
        "sop \"BIG\" \"Many answers\" {{}}
target jm \"J\" ticket via \"iSupport\" requires name
data name \"Name\" text
outcome esc \"Escalated\" escalation to jm
outcome ok \"Done\"
step s \"S\" {{ ask k \"Kind?\" {{ {} }}  a1 -> c  else -> e }}
step c \"Collect\" {{ collect name  goto e }}
step e \"E\" {{ match k {{ a65537 -> f  else -> end ok }} }}
step f \"File\" {{ ticket jm {{ body name }}  end esc(jm) }}
",
        answers.join(" ")
    );
    let checked = sopc::check_source(&text, &common::options());
    let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::MissingData], "{:#?}", checked.diagnostics);
    let path = checked.diagnostics[0].path.as_ref().expect("a caller path");
    assert_eq!(path.answers, [("k".to_string(), "a65537".to_string())]);
    // The engine verifies a graph with the same checks before it runs it:
    // it must refuse this one rather than file the ticket without `name`.
    let graph = checked.graph.expect("lowered");
    match sopc::Engine::new(graph) {
        Err(sopc::artifact::LoadError::Rejected(errors)) => {
            assert!(errors[0].starts_with("missing-data"), "{errors:?}")
        }
        Err(e) => panic!("rejected for another reason: {e:?}"),
        Ok(_) => panic!("the engine accepts a graph that files a ticket without its data"),
    }
}

/// A policy that asks `facts` yes/no questions one after the other and
/// matches on each only after all are asked: every combination of answers
/// is a caller situation of its own, 2^facts of them. It starts with
/// `decoys` questions matched right after they are asked.
fn asked_early_matched_late(facts: usize, decoys: usize) -> String {
    let mut out = String::from("sop \"BLOW-UP\" \"Facts asked early, matched late\" {}\n");
    out.push_str("outcome ok \"Done\"\n");
    let first = if decoys > 0 { "d1" } else { "q1" };
    out.push_str(&format!("start {first}\n"));
    for i in 1..=decoys {
        let next = match (i == decoys, facts) {
            (false, _) => format!("d{}", i + 1),
            (true, 0) => "end ok".to_string(),
            (true, _) => "q1".to_string(),
        };
        out.push_str(&format!(
            "step d{i} \"Decoy {i}\" {{ ask g{i} \"Decoy {i}?\" {{ yes no }}  yes -> e{i}  no -> e{i} }}\n\
             step e{i} \"Check decoy {i}\" {{ match g{i} {{ yes -> {next}  no -> {next} }} }}\n"
        ));
    }
    for i in 1..=facts {
        let next = if i == facts {
            "m1".to_string()
        } else {
            format!("q{}", i + 1)
        };
        out.push_str(&format!(
            "step q{i} \"Ask {i}\" {{ ask f{i} \"Question {i}?\" {{ yes no }}  yes -> {next}  no -> {next} }}\n"
        ));
    }
    for i in 1..=facts {
        let next = if i == facts {
            "end ok".to_string()
        } else {
            format!("m{}", i + 1)
        };
        out.push_str(&format!(
            "step m{i} \"Match {i}\" {{ match f{i} {{ yes -> {next}  no -> {next} }} }}\n"
        ));
    }
    out
}

/// Twenty-three facts asked early and matched late: 2^24 situations. The
/// state space must give up at its budget (issue 14: 51 s and 10.3 GB) and
/// name the facts that fill it, not the ones matched at once.
#[test]
fn too_large_names_the_facts_that_fill_the_space() {
    use sopc::analysis::states::{SpaceError, StateSpace};
    let text = asked_early_matched_late(23, 2);
    let checked = sopc::check_source(&text, &common::options());
    let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::TooLarge], "{:#?}", checked.diagnostics);
    let d = &checked.diagnostics[0];
    assert!(d.message.contains("`f1`, `f2`"), "{}", d.message);
    assert!(!d.message.contains("`g1`") && !d.message.contains("`g2`"));
    let span = d.span.expect("a span");
    assert_eq!(&text[span.start as usize..span.end as usize], "f1");

    let graph = checked.graph.expect("lowered");
    let Err(SpaceError::TooLarge(blowup)) = StateSpace::build(&graph) else {
        panic!("the space is over its budget");
    };
    let names: Vec<&str> = blowup
        .facts
        .iter()
        .map(|&f| graph.fact(f).name.as_str())
        .collect();
    // Those asked first are kept longest; decoys are kept for one step.
    assert!(names.len() >= 10, "{names:?}");
    assert_eq!(names[..3], ["f1", "f2", "f3"]);
    assert!(names.iter().all(|n| n.starts_with('f')), "{names:?}");
    assert!(blowup.retries.is_empty());

    // The same questions, each matched right after it is asked, are clean.
    let text = asked_early_matched_late(0, 23);
    let checked = sopc::check_source(&text, &common::options());
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
}

/// A policy whose `n` steps form one cycle of `goto`s.
fn one_long_cycle(n: usize) -> String {
    let mut out = String::from("sop \"LOOP\" \"A long cycle\" {}\noutcome ok \"Done\"\n");
    for i in 0..n {
        out.push_str(&format!(
            "step s{i} \"Step {i}\" {{ goto s{} }}\n",
            (i + 1) % n
        ));
    }
    out
}

/// The report of an unbounded loop grows with the cycle, not its square
/// (issue 14: a 16k-step cycle took 19 s to print). It shows the whole
/// cycle in its help and labels a bounded number of steps: the renderer's
/// work for each label is proportional to the source.
#[test]
fn a_long_cycle_is_reported_in_linear_size() {
    let report = |n: usize| {
        let text = one_long_cycle(n);
        let checked = sopc::check_source(&text, &common::options());
        let loops: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::UnboundedLoop)
            .collect();
        assert_eq!(loops.len(), 1, "{n}");
        let help = loops[0].help.as_deref().expect("a help");
        let last = format!("s{} -> s0", n - 1);
        assert!(help.contains(&last), "the whole cycle is shown");
        assert!(loops[0].labels.len() <= sopc::diagnostic::LISTED);
        common::render("cycle.sop", &text).len()
    };
    let (small, large) = (report(1_000), report(4_000));
    let ratio = large as f64 / small as f64;
    assert!((3.5..4.8).contains(&ratio), "{small} -> {large}: {ratio}");
}

/// The benchmark's policy with standing rules is clean, and each rule adds
/// its own caller paths: one per state where the call waits in its scope.
#[test]
fn generated_standing_rules_check_clean_and_add_their_paths() {
    use sopc::analysis::states::StateSpace;
    let plain = sopc::compile(&sopc::synth::generate(1_000, 1)).expect("checks clean");
    let text = sopc::synth::generate_with_standing_rules(1_000, 1, 40);
    let checked = sopc::check_source(&text, &Default::default());
    assert!(
        checked.diagnostics.iter().all(|d| !d.is_error()),
        "{:?}",
        checked.diagnostics.first()
    );
    let with = checked.graph.expect("a graph");
    assert_eq!(with.standing.len(), 40);
    let (a, b) = (
        StateSpace::build(&plain).expect("space"),
        StateSpace::build(&with).expect("space"),
    );
    // Handlers end the call: no state is kept twice, only the handlers' own.
    assert_eq!(b.len(), a.len() + 40);
    let events = b.trans.iter().filter(|t| t.event().is_some()).count();
    assert!(events > 40 * 10, "{events}");
    let (ca, cb) = (
        sopc::paths::count(&a).to_string(),
        sopc::paths::count(&b).to_string(),
    );
    // Decimal strings (the counts pass 2^128): more digits, or as many and larger.
    assert!((cb.len(), &cb) > (ca.len(), &ca), "{ca} -> {cb}");
}

/// The codes only a folder can raise (`check::project`), and those of
/// `use` across files: their fixtures are folders in
/// tests/fixtures/project/.
const PROJECT_CODES: &[Code] = &[
    Code::UnknownPolicy,
    Code::BrokenHandoff,
    Code::HandoffData,
    Code::HandoffCycle,
    Code::UnknownFile,
    Code::PolicyOnly,
    Code::ShadowedName,
];

/// The checks across a folder, as `sopc check FOLDER` reports them: one
/// snapshot per folder in tests/fixtures/project/ (`clean` raises nothing).
#[test]
fn project_checks_over_folders() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/project");
    let mut folders: Vec<_> = std::fs::read_dir(&root)
        .expect("project fixtures")
        .map(|e| e.expect("entry").path())
        .collect();
    folders.sort();
    for folder in folders {
        let name = folder
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let rel = format!("tests/fixtures/project/{name}");
        let run = common::sopc(&["check", &rel]);
        if name == "clean" {
            assert_eq!(run.code, 0, "{}", run.stdout);
            assert!(run.stdout.starts_with("checked"), "{}", run.stdout);
            continue;
        }
        let code = name.rsplit_once('_').map_or(name.as_str(), |(c, _)| c);
        assert!(
            run.stdout.contains(&format!("{code}\n")),
            "{name} raises {code}: {}",
            run.stdout
        );
        insta::assert_snapshot!(format!("project_{name}"), run.stdout);
    }
}

/// A bound on an `else` that covers several answers is one line: it is
/// reported once, not once per answer.
#[test]
fn a_useless_bound_on_an_else_is_reported_once() {
    let text = "sop \"U\" \"u\" {}\noutcome done \"Done\" resolved\noutcome pend \"Pending\" pending\n\
        step a \"A\" {\n  ask q \"Q?\" { x y z }\n  x -> end done\n  else -> b at most 2 times, then end pend\n}\n\
        step b \"B\" {\n  do \"Something.\"\n  end done\n}\n";
    let found: Vec<_> = sopc::check_source(text, &common::options())
        .diagnostics
        .into_iter()
        .filter(|d| d.code == Code::UselessBound)
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
}

/// `use` through the library API, with the files held in memory: a
/// library used twice (directly and through another) counts once, a name
/// two libraries declare is a duplicate, and each finding is in its file.
#[test]
fn libraries_merge_once_and_findings_keep_their_file() {
    use sopc::sources::MemoryFiles;
    let files = MemoryFiles(
        [
            (
                "p/common/roles.sop",
                "library \"R\" \"Roles\" {}\nrole analyst \"Analyst\"\noutcome done \"Done\" resolved\n",
            ),
            (
                "p/common/more.sop",
                "library \"M\" \"More\" {}\nuse \"roles.sop\"\noutcome done \"Done again\" resolved\n",
            ),
        ]
        .into_iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect(),
    );
    let policy = "sop \"A\" \"a\" {}\nuse \"common/roles.sop\"\nuse \"common/more.sop\"\nstep s \"S\" by analyst { end done }\n";
    let checked = sopc::check_file("p/a.sop", policy, &common::options(), &files);
    let found: Vec<(Code, Option<&str>, u32)> = checked
        .diagnostics
        .iter()
        .map(|d| (d.code, d.file.as_deref(), d.span.map_or(0, |s| s.start)))
        .collect();
    // `done` again in more.sop, at its own offset in that file.
    let at = "library \"M\" \"More\" {}\nuse \"roles.sop\"\noutcome ".len() as u32;
    assert_eq!(
        found,
        [(Code::DuplicateName, Some("p/common/more.sop"), at)],
        "{:?}",
        checked.diagnostics
    );
    assert_eq!(checked.shared.len(), 2);
    // Without the duplicate, the policy compiles and ends in the shared outcome.
    let files = MemoryFiles(
        files
            .0
            .into_iter()
            .map(|(n, t)| (n, t.replace("outcome done \"Done again\" resolved\n", "")))
            .collect(),
    );
    let (graph, shared) = sopc::compile_file("p/a.sop", policy, &files).expect("compiles");
    assert_eq!(shared.len(), 2);
    assert_eq!(graph.outcomes[0].name, "done");
}

/// One budget for a loop with four ways back keeps one counter: the paths
/// of one such loop are the sequences of up to 3 returns by any of the
/// four ways (1 + 4 + 16 + 64 that go on, 4^4 that spend it), where a
/// bound of 3 on each way back lets a call round up to 12 times, in any
/// order (the multinomial sums 1,107,697 + 3,323,092). The figures of
/// docs/performance.md.
#[test]
fn one_loop_bound_counts_one_budget_where_four_branch_bounds_multiply() {
    use sopc::analysis::states::StateSpace;
    let measure = |blocks: usize, per_branch: bool| {
        let text = sopc::synth::generate_retry_loops(blocks, 3, per_branch);
        let checked = sopc::check_source(&text, &common::options());
        assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
        let g = checked.graph.expect("a graph");
        let space = StateSpace::build(&g).expect("space");
        (sopc::paths::count(&space).to_string(), space.len())
    };
    // States: the question with 0-3 returns (4), each of the three steps
    // on the way back with 0-3 (12), the escalation; and the first step.
    assert_eq!(measure(1, false), ("341".to_string(), 1 + 17));
    // The question with each of four counters at 0-3 (4^4), each step on
    // the way back with its own way's counter at 1-3 (3 * 4^3).
    assert_eq!(
        measure(1, true),
        ("4430789".to_string(), 1 + 256 + 3 * 192 + 1)
    );
    assert_eq!(
        measure(2, false).0,
        (85u64 * 85 + 85 * 256 + 256).to_string()
    );
    assert_eq!(measure(10, false).1, 1 + 10 * 17);
    assert_eq!(measure(10, true).1, 1 + 10 * 833);
}
