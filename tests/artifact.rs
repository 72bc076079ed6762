//! The compiled artifact: it round-trips, and a corrupted one is refused.

use sopc::artifact::LoadError;
use sopc::Graph;

fn hac_artifact() -> (Graph, String) {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/hac.sop"))
        .expect("hac");
    let g = sopc::compile(&src).expect("compiles");
    let json = sopc::artifact::write(&g);
    (g, json)
}

#[test]
fn round_trips_to_the_same_graph() {
    for path in [
        "policies/hac.sop",
        "policies/cbu-password-reset.sop",
        "policies/gas-leak.sop",
    ] {
        let src = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
            .expect("policy");
        let g = sopc::compile(&src).expect("compiles");
        assert_eq!(
            sopc::artifact::read(&sopc::artifact::write(&g)).expect("loads"),
            g,
            "{path}"
        );
    }
}

#[test]
fn refuses_a_wrong_version_or_format() {
    let (_, json) = hac_artifact();
    // Version 1 had no typed facts: an artifact of it is compiled again.
    let v1 = json.replacen("\"version\": 3", "\"version\": 1", 1);
    assert_eq!(sopc::artifact::read(&v1), Err(LoadError::WrongVersion(1)));
    let v4 = json.replacen("\"version\": 3", "\"version\": 4", 1);
    assert_eq!(sopc::artifact::read(&v4), Err(LoadError::WrongVersion(4)));
    assert!(
        sopc::artifact::read(&v4)
            .expect_err("refused")
            .to_string()
            .contains("reads versions 2 to 3: compile the policy again"),
        "the refusal says what is read"
    );
    let other = json.replacen("\"sopc-graph\"", "\"bpmn\"", 1);
    assert!(matches!(
        sopc::artifact::read(&other),
        Err(LoadError::WrongFormat(_))
    ));
}

#[test]
fn refuses_truncated_json() {
    let (_, json) = hac_artifact();
    for cut in [0, 10, json.len() / 2, json.len() - 3] {
        assert!(
            matches!(
                sopc::artifact::read(&json[..cut]),
                Err(LoadError::Malformed(_))
            ),
            "cut at {cut}"
        );
    }
}

#[test]
fn refuses_an_edge_to_a_missing_step() {
    let (mut g, _) = hac_artifact();
    let n = g.steps.len();
    if let sopc::graph::Exit::Ask { branches, .. } = &mut g.steps[0].exit {
        branches[0].to = sopc::graph::Dest::Step(sopc::graph::StepId::new(n + 5));
    }
    let err = sopc::artifact::read(&sopc::artifact::write(&g)).expect_err("refused");
    assert!(matches!(err, LoadError::Inconsistent(_)), "{err}");
    assert!(err.to_string().contains("does not exist"), "{err}");
}

#[test]
fn refuses_a_graph_that_fails_its_checks() {
    let (mut g, _) = hac_artifact();
    // Point the first question's first answer back at the start: a loop with
    // no bound.
    if let sopc::graph::Exit::Ask { branches, .. } = &mut g.steps[0].exit {
        branches[0].to = sopc::graph::Dest::Step(sopc::graph::StepId(0));
    }
    let err = sopc::artifact::read(&sopc::artifact::write(&g)).expect_err("refused");
    assert!(err.to_string().contains("unbounded-loop"), "{err}");
}

/// A bound on a loop as a whole round-trips on its step; an artifact of
/// version 2 (before `loop`) still loads and means what it meant.
#[test]
fn a_loop_bound_round_trips_and_version_2_still_loads() {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/clean/loop-bound-shared.sop"
    ))
    .expect("fixture");
    let g = sopc::compile(&src).expect("compiles");
    let json = sopc::artifact::write(&g);
    assert!(json.contains("\"loop\": {"), "the step carries its bound");
    assert_eq!(sopc::artifact::read(&json).expect("loads"), g);

    let (hac, json) = hac_artifact();
    assert!(!json.contains("\"loop\""));
    let v2 = json.replacen("\"version\": 3", "\"version\": 2", 1);
    assert_eq!(sopc::artifact::read(&v2).expect("version 2 loads"), hac);
}

#[test]
fn refuses_a_loop_bound_that_leads_nowhere() {
    let (mut g, _) = hac_artifact();
    g.steps[0].loop_bound = Some(Box::new(sopc::graph::LoopBound {
        times: 1,
        then: sopc::graph::Dest::Step(sopc::graph::StepId::new(g.steps.len() + 3)),
        span: Default::default(),
    }));
    let err = sopc::artifact::read(&sopc::artifact::write(&g)).expect_err("refused");
    assert!(matches!(err, LoadError::Inconsistent(_)), "{err}");
    assert!(err.to_string().contains("loop bound"), "{err}");
}
