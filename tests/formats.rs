//! `sopc check` for CI: each output format on one fixture with several
//! diagnostics, SARIF validated against the SARIF 2.1.0 schema, and rule
//! levels from the command line and from `sopc.toml`.

mod common;

use serde_json::Value;

const FIXTURE: &str = "tests/fixtures/formats/several.sop";

fn sopc(args: &[&str]) -> (i32, String) {
    let run = common::sopc(args);
    (run.code, run.stdout)
}

/// `sopc check` on the fixed date, in one output format.
fn check_as(format: &str, paths: &[&str]) -> (i32, String) {
    let mut args = vec!["check", "--today", "2026-11-28", "--format", format];
    args.extend_from_slice(paths);
    sopc(&args)
}

#[test]
fn human_output() {
    let (code, out) = sopc(&["check", "--today", "2026-11-28", FIXTURE]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn json_output() {
    let (code, out) = check_as("json", &[FIXTURE]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["summary"]["errors"], 2);
    insta::assert_json_snapshot!(v);
}

#[test]
fn github_output_has_one_command_per_diagnostic() {
    let (code, out) = check_as("github", &[FIXTURE]);
    assert_eq!(code, 1);
    let (_, json) = check_as("json", &[FIXTURE]);
    let v: Value = serde_json::from_str(&json).expect("json");
    let n = v["files"][0]["diagnostics"].as_array().map_or(0, Vec::len);
    assert_eq!(out.lines().count(), n);
    assert!(out
        .lines()
        .all(|l| l.starts_with("::error file=") || l.starts_with("::warning file=")));
    insta::assert_snapshot!(out);
}

/// The SARIF document, after checking it against the SARIF 2.1.0 schema.
fn valid_sarif(out: &str) -> Value {
    let instance: Value = serde_json::from_str(out).expect("json");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/sarif/sarif-2.1.0-rtm.5.json"
        ))
        .expect("schema"),
    )
    .expect("schema json");
    let validator = jsonschema::draft4::new(&schema).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    instance
}

#[test]
fn sarif_output_validates_against_the_sarif_schema() {
    let (code, out) = check_as("sarif", &[FIXTURE, "policies"]);
    assert_eq!(code, 1);
    let instance = valid_sarif(&out);
    let results = instance["runs"][0]["results"].as_array().expect("results");
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "secret-leak" && r["level"] == "error"));
    assert!(results
        .iter()
        .all(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64()));
    let rules = instance["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert_eq!(rules.len(), sopc::Code::ALL.len());
    // The shape is stable: a schema-valid document that a reviewer can read.
    // The fixture's results only: the shipped policies' open questions are
    // snapshotted with the policies.
    let fixture: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .is_some_and(|u| u.ends_with(FIXTURE))
        })
        .collect();
    assert!(!fixture.is_empty());
    insta::assert_json_snapshot!(fixture);
}

/// SARIF counts columns in UTF-16 code units unless the run says otherwise:
/// sopc counts code points and says so, so a tool puts the mark under the
/// right word after an emoji (two UTF-16 units) or an accented letter.
#[test]
fn sarif_columns_are_code_points_and_the_run_says_so() {
    let fixture = "tests/fixtures/formats/non-ascii.sop";
    let (code, out) = check_as("sarif", &[fixture]);
    assert_eq!(code, 1);
    let sarif = valid_sarif(&out);
    let run = &sarif["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let text =
        std::fs::read_to_string(format!("{}/{fixture}", env!("CARGO_MANIFEST_DIR"))).expect("read");
    let line = text.lines().nth(4).expect("line 5");
    assert!(line.contains('📞') && line.contains('’'), "{line}");
    let at = line.find("nulle_part").expect("the unknown name");
    let column = line[..at].chars().count() + 1;
    assert_ne!(column, line[..at].encode_utf16().count() + 1);
    let region = &run["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(run["results"][0]["ruleId"], "unknown-name");
    assert_eq!(region["startLine"], 5);
    assert_eq!(region["startColumn"], column);
    assert_eq!(region["endColumn"], column + "nulle_part".len());
}

#[test]
fn sopc_toml_sets_levels_and_the_command_line_overrides_it() {
    let dir = common::temp_dir("toml");
    std::fs::create_dir_all(dir.join("sub")).expect("dir");
    let policy = dir.join("sub/p.sop");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/check/unreachable-step_1.sop"
        ),
        &policy,
    )
    .expect("copy");
    let p = policy.to_str().expect("utf-8");
    let first = common::sopc(&["check", "--today", "2026-11-28", p]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert!(first.stdout.contains("1 warning"), "{}", first.stdout);
    std::fs::write(
        dir.join("sopc.toml"),
        "[lints]\nunreachable-step = \"allow\"\n",
    )
    .expect("write");
    let (code, out) = sopc(&["check", "--today", "2026-11-28", p]);
    assert_eq!(code, 0);
    assert!(out.contains("0 warnings"), "{out}");
    let (code, _) = sopc(&[
        "check",
        "--today",
        "2026-11-28",
        "-D",
        "unreachable-step",
        p,
    ]);
    assert_eq!(code, 1);
    std::fs::write(dir.join("sopc.toml"), "unreachable-stp = \"allow\"\n").expect("write");
    let (code, _) = sopc(&["check", "--today", "2026-11-28", p]);
    assert_eq!(code, 2, "a misspelt code in sopc.toml is a usage error");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_lint_line_in_a_step_overrides_the_defaults() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/check/unreachable-step_1.sop"
    ))
    .expect("fixture");
    let allowed = text.replace(
        "step old_procedure \"The procedure before 2024\" {",
        "step old_procedure \"The procedure before 2024\" {\n  lint allow unreachable-step",
    );
    let checked = sopc::check_source(&allowed, &Default::default());
    assert!(checked
        .diagnostics
        .iter()
        .all(|d| d.code != sopc::Code::UnreachableStep));
    let denied = allowed.replace("lint allow", "lint deny");
    assert!(sopc::check_source(&denied, &Default::default()).has_errors());
}

#[test]
fn explain_prints_the_docs_section() {
    let (code, out) = sopc(&["explain", "missing-data"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("## `missing-data`"));
    assert!(out.contains("**Fix:**"));
    assert!(!out.contains("## `missing-ticket`"));
    let (code, out) = sopc(&["explain"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), sopc::Code::ALL.len());
    assert_eq!(sopc(&["explain", "missing-dta"]).0, 2);
}

/// 34 questions of three answers in a row: 3^34 caller paths, an odd number
/// above 2^53 that a JSON number read as a double would round.
#[test]
fn paths_json_writes_a_total_beyond_2_pow_53_exactly() {
    let mut text =
        String::from("sop \"P\" \"Many paths\" { owner \"test\" }\noutcome done \"Done\"\n");
    for i in 0..34 {
        let next = if i + 1 < 34 {
            format!("q{}", i + 1)
        } else {
            "end done".into()
        };
        text.push_str(&format!(
            "step q{i} \"Question {i}\" {{\n  ask a{i} \"Which?\" {{ x y z }}\n  x -> {next}\n  y -> {next}\n  z -> {next}\n}}\n"
        ));
    }
    let file = common::temp_dir("paths-total").join("many.sop");
    std::fs::write(&file, text).expect("write");
    let file = file.to_str().expect("utf-8");
    let exact = 3u128.pow(34).to_string();
    assert_eq!(exact, "16677181699666569");
    let (code, out) = sopc(&["paths", "--format", "json", "--limit", "1", file]);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["total"], Value::String(exact.clone()), "{out}");
    assert_eq!(v["paths"].as_array().map(Vec::len), Some(1));
    let (code, out) = sopc(&["paths", "--format", "json", "--count", file]);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v, serde_json::json!({ "total": exact }));
}
