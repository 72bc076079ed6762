//! The `sopc` binary: exit codes, one-line usage errors, JSON outputs.

mod common;

use common::{sopc, Run};

fn code(o: &Run) -> i32 {
    o.code
}

#[test]
fn check_is_clean_on_the_shipped_policies() {
    let o = sopc(&["check"]);
    assert_eq!(code(&o), 0, "{}", o.stdout.clone());
    let out = o.stdout.clone();
    assert!(
        out.contains("checked 3 policies: 0 errors, 0 warnings"),
        "{out}"
    );
}

#[test]
fn check_exits_1_on_policy_errors_and_2_on_usage_errors() {
    assert_eq!(
        code(&sopc(&["check", "tests/fixtures/check/dead-end_1.sop"])),
        1
    );
    let missing = sopc(&["check", "missing.sop"]);
    assert_eq!(code(&missing), 2);
    let err = missing.stderr.clone();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains("missing.sop"), "{err}");
    assert_eq!(code(&sopc(&["check", "--today", "yesterday"])), 2);
    assert_eq!(code(&sopc(&["check", "-D", "no-such-check"])), 2);
    assert_eq!(code(&sopc(&["frobnicate"])), 2);
}

#[test]
fn warnings_fail_only_when_denied() {
    let f = "tests/fixtures/check/unreachable-step_1.sop";
    assert_eq!(code(&sopc(&["check", "--today", "2026-11-28", f])), 0);
    assert_eq!(
        code(&sopc(&[
            "check",
            "--today",
            "2026-11-28",
            "-D",
            "warnings",
            f
        ])),
        1
    );
    assert_eq!(
        code(&sopc(&[
            "check",
            "--today",
            "2026-11-28",
            "-D",
            "unreachable-step",
            f
        ])),
        1
    );
    let allowed = sopc(&[
        "check",
        "--today",
        "2026-11-28",
        "-A",
        "unreachable-step",
        f,
    ]);
    assert!(allowed.stdout.contains("0 warnings"));
}

#[test]
fn check_json_lists_each_diagnostic_with_its_path() {
    let o = sopc(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/check/missing-data_1.sop",
    ]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    let d = &v["files"][0]["diagnostics"][0];
    assert_eq!(d["code"], "missing-data");
    assert_eq!(d["range"]["start"]["line"], 34);
    assert_eq!(d["path"]["answers"]["has_phone"], "no");
    assert_eq!(v["summary"]["errors"], 1);
}

#[test]
fn paths_json_and_count_agree() {
    let o = sopc(&["paths", "--format", "json", "policies/hac.sop"]);
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    let paths = v["paths"].as_array().expect("paths");
    assert_eq!(v["total"], paths.len().to_string());
    // A bounded retry shows its rounds in order.
    assert!(paths
        .iter()
        .any(|p| p["answers"]["capitals_work"] == serde_json::json!(["no", "yes"])));
    let count = sopc(&["paths", "--count", "policies/hac.sop"]);
    assert_eq!(count.stdout.trim(), paths.len().to_string());
    let limited = sopc(&[
        "paths",
        "--format",
        "json",
        "--limit",
        "2",
        "policies/hac.sop",
    ]);
    let v: serde_json::Value = serde_json::from_str(&limited.stdout).expect("json");
    assert_eq!(v["paths"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["total"], paths.len().to_string());
}

#[test]
fn compile_writes_an_artifact_that_loads_and_refuses_broken_policies() {
    let o = sopc(&["compile", "policies/hac.sop"]);
    assert_eq!(code(&o), 0);
    let text = o.stdout.clone();
    let g = sopc::Graph::from_json(&text).expect("the artifact loads");
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/hac.sop"))
        .expect("hac");
    assert_eq!(g, sopc::compile(&src).expect("compiles"));
    let refused = sopc(&["compile", "tests/fixtures/check/unbounded-loop_1.sop"]);
    assert_eq!(code(&refused), 1);
    assert!(refused.stdout.is_empty(), "no artifact for a broken policy");
}
