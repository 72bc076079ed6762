//! One run shows every independent mistake: a broken declaration is left
//! out, the rest is resolved, lowered and checked, and nothing that could
//! not be read causes a mistake of its own.

mod common;

use sopc::Code;

/// The codes found, but `missing-text` (the small policies here have no
/// step texts).
fn codes(text: &str) -> Vec<Code> {
    let checked = sopc::check_source(text, &common::options());
    checked
        .diagnostics
        .iter()
        .map(|d| d.code)
        .filter(|&c| c != Code::MissingText)
        .collect()
}

const HEAD: &str = "sop \"T\" \"T\" {}\noutcome done \"Done\"\n";

#[test]
fn six_independent_mistakes_are_reported_in_one_run() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/tolerant/six_mistakes.sop"
    ))
    .expect("fixture");
    let checked = sopc::check_source(&text, &common::options());
    let mut found: Vec<Code> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code)
        .collect();
    found.sort();
    let mut expected = vec![
        Code::Syntax,
        Code::UnknownName,
        Code::NonExhaustive,
        Code::MissingData,
        Code::SecretLeak,
        Code::UnboundedLoop,
    ];
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn a_broken_step_keeps_the_others_and_its_name() {
    // `b` is broken; `a` goes to it and `c` has its own unknown name.
    let text =
        format!("{HEAD}step a {{ goto b }}\nstep b {{ gto a }}\nstep c {{ goto nowhere }}\n");
    let checked = sopc::check_source(&text, &common::options());
    let found: Vec<(Code, &str)> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code != Code::MissingText)
        .map(|d| (d.code, d.message.as_str()))
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].0, Code::Syntax);
    assert_eq!(
        found[1],
        (Code::UnknownName, "there is no step named `nowhere`")
    );
    // The tree has the two readable steps and the broken one's name.
    let parsed = sopc::parse(&text);
    let names: Vec<&str> = parsed.policy.steps.iter().map(|s| s.name.text()).collect();
    assert_eq!(names, ["a", "c"]);
    assert_eq!(parsed.policy.broken[0].name, "b");
}

#[test]
fn a_question_asked_in_a_broken_step_is_known_to_later_matches() {
    let text = format!(
        "{HEAD}step a {{ ask k {{ x y }} x -> b y -> b z }}\nstep b {{ match k {{ x -> end done  y -> end done }} }}\n"
    );
    assert_eq!(codes(&text), vec![Code::Syntax]);
}

#[test]
fn keywords_are_not_answers() {
    for word in ["else", "end", "goto", "do", "say", "ask", "match", "sop"] {
        let text = format!("{HEAD}step a {{ ask how {{ yes {word} no }} else -> end done }}\n");
        let checked = sopc::check_source(&text, &common::options());
        let keyword_errors: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| d.message == format!("`{word}` is a keyword and cannot be an answer"))
            .collect();
        assert_eq!(
            keyword_errors.len(),
            1,
            "{word}: {:#?}",
            checked.diagnostics
        );
        assert!(keyword_errors[0].span.is_some());
    }
    // A word that only starts with a keyword is an answer like any other.
    let text = format!("{HEAD}step a {{ ask how {{ yes ending }} else -> end done }}\n");
    assert_eq!(codes(&text), vec![]);
}

#[test]
fn a_missing_branch_leads_nowhere_rather_than_to_the_first_step() {
    // The missing `no` branch must not make a loop back to `a`.
    let text = format!("{HEAD}start a\nstep a {{ ask ok {{ yes no }} yes -> end done }}\n");
    assert_eq!(codes(&text), vec![Code::NonExhaustive]);
}

#[test]
fn an_unbounded_loop_does_not_hide_a_missing_ticket_elsewhere() {
    let text = "sop \"T\" \"T\" {}\n\
        target desk \"Desk\" ticket requires name\n\
        data name \"Name\" text\n\
        outcome esc \"Escalated\" escalation to desk\n\
        start a\n\
        step a { ask k { again file } again -> b  file -> c }\n\
        step b { goto a }\n\
        step c { ticket desk { body name } end esc(desk) }\n";
    let mut found = codes(text);
    found.sort();
    assert_eq!(found, vec![Code::UnboundedLoop, Code::MissingData]);
}

#[test]
fn a_carriage_return_in_a_text_drops_only_its_step() {
    let text = format!(
        "{HEAD}start a\nstep a \"A\" {{ goto b }}\nstep b \"cr\rhere\" {{ end done }}\nstep c \"C\" {{ goto nowhere }}\n"
    );
    let checked = sopc::check_source(&text, &common::options());
    let found: Vec<(Code, &str)> = checked
        .diagnostics
        .iter()
        .map(|d| (d.code, d.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (Code::Syntax, "a text holds a carriage return"),
            (Code::UnknownName, "there is no step named `nowhere`"),
        ]
    );
    let at = text.find('\r').expect("a carriage return");
    assert_eq!(
        checked.diagnostics[0].span.map(|s| s.start as usize),
        Some(at)
    );
}

#[test]
fn words_in_a_broken_steps_texts_and_comments_are_not_its_names() {
    // "ask é" in the text and "ask k" in the comment declare nothing, so the
    // `match` on `k` after the broken step is an unknown question.
    let text = format!(
        "{HEAD}step a \"Please ask élan\" {{ # ask k\n  goto\n}}\nstep b {{ match k {{ else -> end done }} }}\n"
    );
    let parsed = sopc::parse(&text);
    let names: Vec<&str> = parsed.policy.broken.iter().map(|b| b.name).collect();
    assert_eq!(names, ["a"]);
    assert!(codes(&text).contains(&Code::UnknownName));
}

/// A step whose name cannot be declared (a keyword, a name declared twice)
/// keeps its place: the steps after it keep theirs, and no reference is
/// bound to the wrong step (a keyword-named step once made `a -> other`
/// lead back to itself, reported as an unbounded loop).
#[test]
fn a_step_that_cannot_be_named_keeps_its_place() {
    for (second, expected) in [
        ("", vec!["syntax"]),
        // The second `first` is reached by no reference (they bind to the
        // first declaration).
        (
            "step first \"Again\" {\n  end done\n}\n",
            vec!["duplicate-name"],
        ),
    ] {
        let name = if second.is_empty() { "start" } else { "first" };
        let text = format!(
            "sop \"X\" \"x\" {{}}\noutcome done \"Done\" resolved\n\
             step {name} \"S\" {{\n  ask q \"Q?\" {{ a b }}\n  a -> other\n  b -> end done\n}}\n\
             {second}\
             step other \"O\" {{\n  do \"x\"\n  end done\n}}\n"
        );
        let codes: Vec<&str> = sopc::check_source(&text, &sopc::CheckOptions::default())
            .diagnostics
            .iter()
            .map(|d| d.code.name())
            .collect();
        assert_eq!(codes, expected, "{text}");
    }
}

/// With an unbounded loop elsewhere, the safety checks run on the policy
/// with that loop cut, where a loop bound still counts the returns to its
/// step: its spent budget's ticket without its data is found.
#[test]
fn an_unbounded_loop_does_not_hide_what_a_loop_bound_leads_to() {
    let text = "sop \"T\" \"T\" {}\n\
        target desk \"Desk\" ticket requires name\n\
        data name \"Name\" text\n\
        outcome done \"Done\" resolved\n\
        outcome esc \"Escalated\" escalation to desk\n\
        loop a at most 2 times, then file\n\
        start a\n\
        step a { ask k { again other done } again -> a  other -> b  done -> w }\n\
        step b { goto a }\n\
        step file { ticket desk { body name } end esc(desk) }\n\
        step w { ask v { wait_more over } wait_more -> x  over -> end done }\n\
        step x { goto w }\n";
    let mut found = codes(text);
    found.sort();
    assert_eq!(found, vec![Code::UnboundedLoop, Code::MissingData]);
}
