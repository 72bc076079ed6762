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
