//! `sopc test`: scenarios pass or fail with expected against actual, and
//! coverage counts the steps and branches they reach.

mod common;

fn sopc(args: &[&str]) -> (i32, String) {
    let run = common::sopc(args);
    (run.code, run.stdout)
}

#[test]
fn shipped_policies_pass_with_full_coverage() {
    let (code, out) = sopc(&["test", "--min-coverage", "100", "policies/"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("policies/hac.sop"));
    assert!(
        out.contains("coverage: steps 16/16 (100.0%), branches 19/19 (100.0%)"),
        "{out}"
    );
    assert!(!out.contains("FAIL"));
}

#[test]
fn failing_scenarios_show_expected_and_actual() {
    let (code, out) = sopc(&["test", "tests/fixtures/scenarios/failing.sop"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn coverage_below_the_minimum_fails() {
    let policy = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/gas-leak.sop"
    ))
    .expect("policy");
    // Keep only the first scenario.
    let cut = policy
        .find("scenario \"away, gas smell")
        .expect("second scenario");
    let dir = std::env::temp_dir().join(format!("sopc-cov-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("gas.sop");
    std::fs::write(&file, &policy[..cut]).expect("write");
    let f = file.to_str().expect("utf-8");
    let (code, out) = sopc(&["test", f]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("not reached: branch pilot_light: gas_smell = yes"),
        "{out}"
    );
    let (code, out) = sopc(&["test", "--min-coverage", "90", f]);
    assert_eq!(code, 1);
    assert!(out.contains("coverage is below 90%"));
    assert_eq!(sopc(&["test", "--min-coverage", "150", f]).0, 2);
}
