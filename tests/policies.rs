//! The shipped policies: they check clean, their caller paths are
//! snapshotted for review, and the HAC policy withstands the edits the
//! issues name (truncation, deleted characters, deleted branches, a missing
//! collect, a leaked secret).

mod common;

use sopc::analysis::states::StateSpace;
use sopc::syntax::ast;
use sopc::Code;

fn hac() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/hac.sop"))
        .expect("policies/hac.sop")
}

#[test]
fn shipped_policies_check_clean() {
    for path in common::shipped_policies() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let checked = common::check_policy(&path, &text);
        // A source's open questions stay visible; nothing else is reported.
        assert!(
            checked.diagnostics.iter().all(|d| d.code == Code::OpenGap),
            "{}:\n{}",
            path.display(),
            checked
                .diagnostics
                .iter()
                .map(|d| format!("{}: {}", d.code, d.message))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// The reviewer's proof: every caller path of every policy and the terminal
/// it reaches.
#[test]
fn caller_paths_of_shipped_policies() {
    for path in common::shipped_policies() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let graph = common::compile_policy(&path, &text);
        let space = StateSpace::build(&graph).expect("analysable");
        let total = sopc::paths::count(&space);
        let paths = sopc::paths::enumerate(&graph, &space, 10_000);
        assert_eq!(
            total.to_u128(),
            Some(paths.len() as u128),
            "count and listing agree"
        );
        let mut out = format!("{total} caller paths\n");
        for (i, p) in paths.iter().enumerate() {
            // A reviewer reads a few hundred paths; past that the count is
            // the check, and `sopc paths` or `sopc diff` show the rest.
            if i == LISTED {
                out.push_str(&format!(
                    "... {} more (the count above is exact; `sopc paths` lists them)\n",
                    paths.len() - LISTED
                ));
                break;
            }
            // Each path ends in an outcome the policy declares, with a target
            // the outcome allows.
            let outcome = graph.outcome(p.terminal.outcome);
            assert!(p
                .terminal
                .target
                .is_none_or(|t| outcome.targets.contains(&t)));
            out.push_str(&format!(
                "{:>3}. {}\n",
                i + 1,
                sopc::paths::path_text(&graph, p)
            ));
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8")
            .to_string();
        insta::assert_snapshot!(format!("paths_{name}"), out);
    }
}

/// The most paths a policy's snapshot lists.
const LISTED: usize = 500;

/// A readable outline of the parsed HAC policy: every step, its actions and
/// its way out.
#[test]
fn hac_parses_to_this_outline() {
    let text = hac();
    let policy = sopc::parse(&text).policy;
    let mut out = format!(
        "sop {:?} {:?}\n",
        policy.header.id.value(),
        policy.header.title.value()
    );
    for s in &policy.steps {
        out.push_str(&format!(
            "step {} {:?}\n",
            s.name.text(),
            s.text.as_ref().map(|t| t.value()).unwrap_or_default()
        ));
        for a in &s.actions {
            let line = match a {
                ast::Action::Do(t) => format!("do {:?}", t.value()),
                ast::Action::Say(t) => format!("say {:?}", t.value()),
                ast::Action::Warn(t) => format!("warn {:?}", t.value()),
                ast::Action::Note(t) => format!("note {:?}", t.value()),
                ast::Action::Collect { fields, .. } => format!("collect {}", names(fields)),
                ast::Action::Ticket(t) => format!(
                    "ticket {} body [{}] assignee [{}]",
                    t.target.text(),
                    names(&t.body),
                    names(&t.assignee)
                ),
                other => panic!("HAC transfers no call, yet {other:?}"),
            };
            out.push_str(&format!("  {line}\n"));
        }
        match s.exit.as_deref() {
            Some(ast::Exit::Ask {
                fact,
                answers,
                branches,
                ..
            }) => {
                let answers: Vec<ast::Name> = answers.iter().map(|a| a.name.clone()).collect();
                out.push_str(&format!(
                    "  ask {} {{ {} }}\n",
                    fact.text(),
                    names(&answers)
                ));
                for b in branches {
                    out.push_str(&format!("    {}\n", branch(b)));
                }
            }
            Some(ast::Exit::Match { fact, branches, .. }) => {
                out.push_str(&format!("  match {}\n", fact.text()));
                for b in branches {
                    out.push_str(&format!("    {}\n", branch(b)));
                }
            }
            Some(ast::Exit::Goto { dest, .. }) => {
                out.push_str(&format!("  goto {}\n", dest_text(dest)))
            }
            Some(ast::Exit::End(t)) => out.push_str(&format!("  {}\n", terminal(t))),
            Some(other) => panic!("HAC has no verification, yet {other:?}"),
            None => out.push_str("  (no way out)\n"),
        }
    }
    insta::assert_snapshot!(out);
}

fn names(n: &[ast::Name]) -> String {
    n.iter().map(|n| n.text()).collect::<Vec<_>>().join(", ")
}

fn terminal(t: &ast::TerminalRef) -> String {
    match &t.target {
        Some(x) => format!("end {}({})", t.outcome.text(), x.text()),
        None => format!("end {}", t.outcome.text()),
    }
}

fn dest_text(d: &ast::Dest) -> String {
    match d {
        ast::Dest::Step(n) => n.text().to_string(),
        ast::Dest::End(t) => terminal(t),
        ast::Dest::Gap(g) => format!("gap {}", g.note.raw),
        ast::Dest::Exit(n) => format!("exit {}", n.text()),
    }
}

fn branch(b: &ast::Branch) -> String {
    let arm = match &b.arm {
        ast::Arm::Answer(a) => a.text().to_string(),
        ast::Arm::Else(_) => "else".into(),
        other => panic!("HAC has no ranges, yet {other:?}"),
    };
    let bound = b
        .bound
        .as_ref()
        .map(|x| format!(" at most {} times, then {}", x.times, dest_text(&x.then)))
        .unwrap_or_default();
    format!("{arm} -> {}{bound}", dest_text(&b.dest))
}

#[test]
fn every_seed_step_is_named_in_hac() {
    let text = hac();
    for n in 1..=9 {
        assert!(
            text.contains(&format!("Seed step {n}")),
            "seed step {n} is not named in hac.sop"
        );
    }
}

#[test]
fn truncating_hac_inside_any_step_is_an_error_with_a_position() {
    let text = hac();
    let policy = sopc::parse(&text).policy;
    for step in &policy.steps {
        let (start, end) = (step.span.start as usize, step.span.end as usize);
        // Cut after every line inside the step, and at its middle.
        let mut cuts: Vec<usize> = text[start..end]
            .match_indices('\n')
            .map(|(i, _)| start + i + 1)
            .collect();
        cuts.push(sopc::span::floor_char_boundary(&text, (start + end) / 2));
        for cut in cuts {
            let checked = sopc::check_source(&text[..cut], &common::options());
            assert!(
                checked.has_errors(),
                "cut at byte {cut} in step `{}` was accepted",
                step.name.text()
            );
            let first = checked
                .diagnostics
                .iter()
                .find(|d| d.is_error())
                .expect("an error");
            assert!(
                first.span.is_some(),
                "cut at {cut}: the error has no position"
            );
        }
    }
}

#[test]
fn deleting_any_character_of_hac_never_panics() {
    let text = hac();
    let mut accepted = 0;
    for (i, ch) in text.char_indices() {
        let mut edited = String::with_capacity(text.len());
        edited.push_str(&text[..i]);
        edited.push_str(&text[i + ch.len_utf8()..]);
        let checked = sopc::check_source(&edited, &common::options());
        if checked.has_errors() {
            let e = checked
                .diagnostics
                .iter()
                .find(|d| d.is_error())
                .expect("an error");
            assert!(
                e.span.is_some(),
                "deleting byte {i}: error without a position: {e:?}"
            );
        } else {
            accepted += 1;
        }
    }
    // Deletions inside comments and texts keep the policy valid.
    assert!(
        accepted > 1000,
        "only {accepted} deletions kept the policy valid"
    );
}

#[test]
fn deleting_any_branch_line_of_hac_is_an_error_naming_the_step() {
    let text = hac();
    let policy = sopc::parse(&text).policy;
    let mut offset = 0;
    let mut tried = 0;
    for line in text.split_inclusive('\n') {
        let code = line.split('#').next().unwrap_or("");
        let outside_quotes: String = code.split('"').step_by(2).collect();
        if outside_quotes.contains("->") {
            tried += 1;
            let edited = format!("{}{}", &text[..offset], &text[offset + line.len()..]);
            let checked = sopc::check_source(&edited, &common::options());
            let step = policy
                .steps
                .iter()
                .find(|s| (s.span.start as usize) <= offset && offset < s.span.end as usize)
                .expect("branch lines are inside steps");
            let errors: Vec<_> = checked
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .collect();
            assert!(!errors.is_empty(), "deleting {line:?} was accepted");
            assert!(
                errors
                    .iter()
                    .any(|d| d.message.contains(&format!("`{}`", step.name.text()))),
                "deleting {line:?}: no error names step `{}`: {errors:?}",
                step.name.text()
            );
        }
        offset += line.len();
    }
    assert!(tried >= 15, "only {tried} branch lines found");
}

#[test]
fn a_missing_callback_phone_is_missing_data_on_a_real_caller_path() {
    let text = hac();
    let original = sopc::compile(&text).expect("compiles");
    let edited = text.replacen(
        "  collect student_name, student_number, callback_phone\n  do \"Put all",
        "  collect student_name, student_number\n  do \"Put all",
        1,
    );
    assert_ne!(edited, text, "the edit applies");
    let checked = sopc::check_source(&edited, &common::options());
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.code == Code::MissingData)
        .expect("missing-data is reported");
    assert!(d.message.contains("callback_phone"), "{}", d.message);
    let ce = d.path.as_ref().expect("a counter-example");
    // The counter-example is a caller path of the policy: some path of the
    // original policy gives exactly these answers and visits these steps.
    let space = StateSpace::build(&original).expect("space");
    let real = sopc::paths::enumerate(&original, &space, 10_000)
        .into_iter()
        .any(|p| {
            let answers: Vec<(String, String)> = p
                .answers
                .iter()
                .map(|&(f, a)| {
                    let fact = original.fact(f);
                    (fact.name.to_string(), fact.answers[a as usize].to_string())
                })
                .collect();
            let steps: Vec<String> = p
                .steps
                .iter()
                .map(|&s| original.step(s).name.to_string())
                .collect();
            answers == ce.answers && steps == ce.steps
        });
    assert!(real, "not a caller path of hac.sop: {ce:?}");
    assert_eq!(
        ce.steps.last().map(String::as_str),
        Some("escalate_jmiller")
    );
}

#[test]
fn a_password_in_the_ticket_body_is_a_secret_leak() {
    let text = hac();
    let edited = text.replacen(
        "body     student_name, student_number, callback_phone",
        "body     student_name, student_number, callback_phone, parent_password",
        1,
    );
    assert_ne!(edited, text);
    let checked = sopc::check_source(&edited, &common::options());
    let leak = checked
        .diagnostics
        .iter()
        .find(|d| d.code == Code::SecretLeak)
        .expect("secret-leak");
    assert!(leak.message.contains("parent_password"), "{}", leak.message);
}
