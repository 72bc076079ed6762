//! Syntax diagnostics: one snapshot per broken fixture in
//! tests/fixtures/syntax/, showing the rendered diagnostic (no colours).

mod common;

#[test]
fn broken_files_get_readable_syntax_errors() {
    insta::glob!("fixtures/syntax/*.sop", |path| {
        let text = std::fs::read_to_string(path).expect("fixture is readable");
        let name = common::display_name(path);
        let rendered = common::render(&name, &text);
        // Every fixture is broken: it must produce at least one error with a
        // line and column.
        let checked = sopc::check_source(&text, &common::options());
        assert!(checked.has_errors(), "{name} should not parse cleanly");
        assert!(
            checked.diagnostics.iter().all(|d| d.span.is_some()),
            "{name}: every syntax diagnostic points somewhere"
        );
        insta::with_settings!({ description => text.clone(), omit_expression => true }, {
            insta::assert_snapshot!(rendered);
        });
    });
}

#[test]
fn several_broken_declarations_are_all_reported() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/syntax/several_broken_steps.sop"
    ))
    .expect("fixture");
    let parsed = sopc::parse(&text);
    assert_eq!(parsed.diagnostics.len(), 2, "{:#?}", parsed.diagnostics);
}

#[test]
fn no_message_shows_a_grammar_rule_name() {
    insta::glob!("fixtures/syntax/*.sop", |path| {
        let text = std::fs::read_to_string(path).expect("fixture is readable");
        for d in sopc::parse(&text).diagnostics {
            for word in [
                "EOI",
                "ident",
                "kw_",
                "lbrace",
                "rbrace",
                "string_inner",
                "SOI",
            ] {
                assert!(
                    !d.message.contains(word),
                    "{}: `{}` in {:?}",
                    path.display(),
                    word,
                    d.message
                );
            }
        }
    });
}

/// A `gap` followed by more of the step, or last in a `for each` body
/// (which has no way out), is an open question the call goes on past; a
/// `gap` last in a step is its way out.
#[test]
fn a_gap_is_an_action_unless_it_is_the_way_out() {
    let text = r#"sop "T" "Gaps" { owner "x" }
fact m "Which apply?" multiple { a b } ask
outcome ok "OK"
step one "One" {
  gap "Unsaid before the question"
  for each m {
    do "Check it."
    gap "Unsaid for each item"
  }
  ask q "Works?" { yes no }
  yes -> end ok
  no  -> gap "Unsaid when it does not work"
}
"#;
    let checked = sopc::check_source(text, &common::options());
    let mut open: Vec<&str> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code == sopc::Code::OpenGap)
        .map(|d| {
            d.message
                .trim_start_matches("an open question for the SOP owner: ")
        })
        .collect();
    open.sort_unstable();
    assert_eq!(
        open,
        [
            "Unsaid before the question",
            "Unsaid for each item",
            "Unsaid when it does not work"
        ],
        "{:#?}",
        checked.diagnostics
    );
    assert!(
        checked
            .diagnostics
            .iter()
            .all(|d| d.code == sopc::Code::OpenGap),
        "{:#?}",
        checked.diagnostics
    );
}
