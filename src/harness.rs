//! The bodies of the fuzz targets (`fuzz/fuzz_targets/`), shared with the
//! test that replays their findings (`tests/robustness.rs`), so a finding is
//! checked by exactly the code that found it. Each body panics only when sopc
//! is wrong: a crash inside sopc, or a broken promise (formatting that
//! changes meaning, an engine that disagrees with the path analysis or with
//! itself after `back`).

use crate::analysis::states::StateSpace;
use crate::diagnostic::HumanRenderer;
use crate::engine::{json, Engine, Evaluation, Status};
use crate::graph::Graph;
use crate::render::{check_json, doc, github, graph, sarif, FileReport};
use crate::{check_source, format_source, CheckOptions};

/// How many caller paths a body evaluates per input: enough to exercise
/// the engine, few enough to keep fuzzing fast.
const PATHS: usize = 64;

/// Parse and check arbitrary bytes, then render every output.
pub fn check_bytes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let one = crate::syntax::parse_in_one_pass(text);
    assert!(
        !one.diagnostics
            .iter()
            .any(|d| d.message.starts_with("internal error")),
        "the builder could not read what the grammar accepted: {:?}",
        one.diagnostics
    );
    // Cut in parts, the text gives the tree and diagnostics of one pass.
    if let Some(split) = crate::syntax::parse_in_parts(text, 3) {
        assert_eq!(
            split.policy, one.policy,
            "parsing in parts changed the tree"
        );
        assert_eq!(
            split.diagnostics, one.diagnostics,
            "parsing in parts changed the diagnostics"
        );
    }
    let checked = check_source(text, &CheckOptions::default());
    let renderer = HumanRenderer::new("fuzz.sop", text, false);
    for d in &checked.diagnostics {
        renderer.render(d);
    }
    let report = FileReport {
        name: "fuzz.sop",
        text,
        diagnostics: &checked.diagnostics,
    };
    check_json::file_report("fuzz.sop", text, &checked.diagnostics);
    sarif::report(std::slice::from_ref(&report));
    github::report(std::slice::from_ref(&report));
    if let Some(g) = &checked.graph {
        graph::mermaid(g);
        graph::dot(g);
        doc::markdown(g);
        doc::html(g, None);
        if !checked.has_errors() {
            engine_agrees_with_paths(g.clone());
        }
    }
}

/// Load arbitrary bytes as a compiled artifact; what loads must evaluate and
/// write back to the same graph.
pub fn artifact_bytes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(g) = crate::artifact::read(text) else {
        return;
    };
    let again =
        crate::artifact::read(&crate::artifact::write(&g)).expect("a loaded artifact reloads");
    assert_eq!(
        crate::artifact::meaning(&g),
        crate::artifact::meaning(&again),
        "write-back changed the graph"
    );
    engine_agrees_with_paths(g);
}

/// Format arbitrary bytes: formatting is idempotent and keeps the meaning
/// (the same graph, or the same diagnostics).
pub fn fmt_bytes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(once) = format_source(text) else {
        return;
    };
    let twice = format_source(&once).expect("formatted text parses");
    assert_eq!(once, twice, "formatting twice changed the text");
    let opts = CheckOptions::default();
    let before = check_source(text, &opts);
    let after = check_source(&once, &opts);
    match (&before.graph, &after.graph) {
        (Some(a), Some(b)) => assert_eq!(
            crate::artifact::meaning(a),
            crate::artifact::meaning(b),
            "the graph changed"
        ),
        (None, None) => {}
        _ => panic!("formatting changed whether the policy compiles"),
    }
    let codes = |c: &crate::Checked| {
        c.diagnostics
            .iter()
            .map(|d| (d.code, d.message.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        codes(&before),
        codes(&after),
        "formatting changed the diagnostics"
    );
}

/// Drive a session of `engine` with arbitrary bytes. The first byte picks
/// the interface: odd, the rest is the JSON answers object of `sopc eval`;
/// even, each byte is one move (255 goes back, any other byte picks an
/// answer by number, out of range on purpose now and then). After every move
/// the session must equal a fresh one replayed with the answers still in
/// force, and a finished session must agree with the hot path.
pub fn engine_bytes(engine: &Engine, data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 1 {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(rest) else {
            return;
        };
        let Ok(answers) = json::parse_answers(&value) else {
            return;
        };
        if let Ok(e) = engine.evaluate(&answers) {
            json::evaluation_json(engine, &e, &Default::default());
        }
        return;
    }
    let g = engine.graph();
    let mut session = engine.start();
    let mut given: Vec<(String, String)> = Vec::new();
    for &b in rest {
        if b == 255 {
            let undone = session.back();
            assert_eq!(
                undone.is_ok(),
                given.pop().is_some(),
                "back disagrees with history"
            );
        } else if let Some(q) = session.question() {
            let fact = g.fact(q.fact);
            let name = fact.name.clone();
            let choice = b as usize % (fact.answers.len() + 1);
            let answer = fact
                .answers
                .get(choice)
                .cloned()
                .unwrap_or_else(|| "no-such-answer".into());
            let ok = session.answer(&name, &answer).is_ok();
            assert_eq!(
                ok,
                choice < fact.answers.len(),
                "a valid answer was refused or an invalid one taken"
            );
            if ok {
                given.push((name.to_string(), answer.to_string()));
            }
        } else {
            assert!(
                session.answer("anything", "yes").is_err(),
                "a finished call took an answer"
            );
        }
        let mut replay = engine.start();
        for (f, a) in &given {
            replay.answer(f, a).expect("replaying accepted answers");
        }
        assert_eq!(
            replay.status(),
            session.status(),
            "back left a different state than a fresh replay"
        );
    }
    if let Status::Done(t) = session.status() {
        let indices: Vec<u32> = session.trace().answers.iter().map(|&(_, a)| a).collect();
        assert_eq!(
            engine.run(&indices),
            Some(t),
            "the hot path disagrees with the session"
        );
    }
}

/// Every enumerated caller path, given to the engine (session, batch and hot
/// path), ends where the path analysis says it does.
fn engine_agrees_with_paths(g: Graph) {
    let Ok(space) = StateSpace::build(&g) else {
        return;
    };
    crate::paths::count(&space);
    let paths = crate::paths::enumerate(&g, &space, PATHS);
    let engine = Engine::new(g).expect("a graph that passed its checks verifies");
    for p in &paths {
        let indices: Vec<u32> = p.answers.iter().map(|&(_, a)| a).collect();
        assert_eq!(
            engine.run(&indices),
            Some(p.terminal),
            "hot path: wrong end"
        );
        let mut rounds = vec![Vec::new(); engine.graph().facts.len()];
        for &(f, a) in &p.answers {
            rounds[f.index()].push(a);
        }
        match engine.evaluate_rounds(rounds) {
            Evaluation::Complete { terminal, .. } => {
                assert_eq!(terminal, p.terminal, "batch: wrong end")
            }
            Evaluation::NeedsAnswer { .. } => {
                panic!("batch evaluation stopped early on a complete path")
            }
        }
    }
}
