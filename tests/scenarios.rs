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
    let dir = common::temp_dir("cov");
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

/// A scenario whose answers outlast the call fails: after a retry bound
/// was cut from 2 to 1, `capitals_work = [no, no, no]` still reached the
/// expected outcome with its third round never asked.
#[test]
fn answers_the_call_never_uses_fail_the_scenario() {
    let policy = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/hac.sop"))
        .expect("policy");
    let cut = policy.replace(
        "no  -> check_capitals at most 2 times, then check_login_id",
        "no  -> check_capitals at most 1 times, then check_login_id",
    );
    assert_ne!(cut, policy);
    let dir = common::temp_dir("unused-rounds");
    let file = dir.join("hac.sop");
    std::fs::write(&file, cut).expect("write");
    let (code, out) = sopc(&["test", file.to_str().expect("utf-8")]);
    assert_eq!(code, 1, "{out}");
    let wrong_id =
        "  FAIL  Seed step 4: a wrong login ID is requested again from the campus\n        \
                    the call ended before asking for: capitals_work = no (round 3)\n";
    assert!(out.contains(wrong_id), "{out}");
    assert!(out.contains("9 passed, 3 failed"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Scenarios through a bound on a loop as a whole: each return, by any
/// branch, takes one round of answers, and the round after the budget is
/// never asked.
#[test]
fn scenarios_through_a_loop_bound_pass_and_cover_it() {
    for f in [
        "tests/fixtures/clean/loop-bound-shared.sop",
        "tests/fixtures/clean/loop-and-branch-bound.sop",
    ] {
        let (code, out) = sopc(&["test", "--min-coverage", "100", f]);
        assert_eq!(code, 0, "{out}");
        assert!(!out.contains("FAIL"), "{out}");
    }
    let dir = common::temp_dir("loop");
    let file = dir.join("loop.sop");
    let policy = std::fs::read_to_string("tests/fixtures/clean/loop-bound-shared.sop")
        .expect("fixture")
        .replace(
            "answers works = [locked, expired, no]",
            "answers works = [locked, expired, no, yes]",
        );
    std::fs::write(&file, policy).expect("write");
    let (code, out) = sopc(&["test", file.to_str().expect("utf-8")]);
    assert_eq!(code, 1, "a round past the budget is never asked: {out}");
    assert!(out.contains("FAIL"), "{out}");
}
