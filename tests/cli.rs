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
    let shipped = common::shipped_policies().len();
    assert!(shipped >= 3, "{shipped}");
    // The only warnings are the sources' open questions, one per `gap`.
    let gaps = common::shipped_gaps();
    let libraries = common::shipped_libraries().len();
    let libraries = match libraries {
        1 => " and 1 library".to_string(),
        n => format!(" and {n} libraries"),
    };
    assert!(
        out.contains(&format!(
            "checked {shipped} policies{libraries}: 0 errors, {gaps} warnings"
        )),
        "{out}"
    );
    assert_eq!(
        out.lines().filter(|l| *l == "open-gap").count(),
        gaps,
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
    let g = sopc::artifact::read(&text).expect("the artifact loads");
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/hac.sop"))
        .expect("hac");
    assert_eq!(g, sopc::compile(&src).expect("compiles"));
    let refused = sopc(&["compile", "tests/fixtures/check/unbounded-loop_1.sop"]);
    assert_eq!(code(&refused), 1);
    assert!(refused.stdout.is_empty(), "no artifact for a broken policy");
}

/// Lint levels follow rustc and clippy: a later flag wins over an earlier
/// one, `-D warnings` raises only what is still a warning (not what
/// `sopc.toml` or a flag allowed), and a step's `lint` line wins over all.
#[test]
fn later_flags_win_and_deny_warnings_spares_allowed_lints() {
    let dir = common::temp_dir("levels");
    let policy = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/check/unreachable-step_1.sop"
    ))
    .expect("fixture");
    let file = dir.join("p.sop");
    std::fs::write(&file, &policy).expect("write");
    let f = file.to_str().expect("utf-8");
    let check = |flags: &[&str]| {
        let mut args = vec!["check", "--today", "2026-11-28"];
        args.extend_from_slice(flags);
        args.push(f);
        let o = sopc(&args);
        let summary = o.stdout.lines().last().unwrap_or_default().to_string();
        (o.code, summary)
    };
    let warned = (0, "checked 1 policy: 0 errors, 1 warning".to_string());
    let denied = (1, "checked 1 policy: 1 error, 0 warnings".to_string());
    let silent = (0, "checked 1 policy: 0 errors, 0 warnings".to_string());
    // Without configuration.
    assert_eq!(check(&[]), warned);
    assert_eq!(check(&["-D", "warnings"]), denied);
    assert_eq!(
        check(&["-D", "unreachable-step", "-A", "unreachable-step"]),
        silent
    );
    assert_eq!(
        check(&["-A", "unreachable-step", "-D", "unreachable-step"]),
        denied
    );
    assert_eq!(
        check(&["-W", "unreachable-step", "-A", "unreachable-step"]),
        silent
    );
    assert_eq!(
        check(&["-D", "unreachable-step", "-W", "unreachable-step"]),
        warned
    );
    assert_eq!(check(&["-D", "warnings", "-A", "unreachable-step"]), silent);
    assert_eq!(check(&["-A", "unreachable-step", "-D", "warnings"]), silent);
    // A lint left at warn is raised by `-D warnings`, whatever the order.
    assert_eq!(check(&["-D", "warnings", "-W", "unreachable-step"]), denied);
    assert_eq!(check(&["-D", "warnings", "-W", "warnings"]), warned);
    assert_eq!(check(&["-A", "warnings"]), silent);
    assert_eq!(check(&["-D", "unreachable-step", "-A", "warnings"]), denied);

    // The project allows the lint: README's CI recipe stays green.
    std::fs::write(
        dir.join("sopc.toml"),
        "[lints]\nunreachable-step = \"allow\"\n",
    )
    .expect("write");
    assert_eq!(check(&[]), silent);
    assert_eq!(check(&["-D", "warnings"]), silent);
    // The command line still overrides the file.
    assert_eq!(check(&["-D", "unreachable-step"]), denied);
    assert_eq!(check(&["-W", "unreachable-step", "-D", "warnings"]), denied);

    // A step's `lint` line wins over the file and every flag.
    std::fs::write(
        dir.join("sopc.toml"),
        "[lints]\nunreachable-step = \"deny\"\n",
    )
    .expect("write");
    assert_eq!(check(&[]), denied);
    let allowed_in_step = policy.replace(
        "step old_procedure \"The procedure before 2024\" {",
        "step old_procedure \"The procedure before 2024\" {\n  lint allow unreachable-step",
    );
    assert_ne!(allowed_in_step, policy);
    std::fs::write(&file, allowed_in_step).expect("write");
    assert_eq!(check(&["-D", "unreachable-step", "-D", "warnings"]), silent);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--today` must be a real date; a review period counts calendar months
/// and years, not 30 and 365 days.
#[test]
fn review_dates_follow_the_calendar() {
    for bad in [
        "2026-02-30",
        "2025-02-29",
        "2026-04-31",
        "2026-13-01",
        "2026-1-5x",
    ] {
        let o = sopc(&["check", "--today", bad, "policies/hac.sop"]);
        assert_eq!(o.code, 2, "{bad}: {}", o.stdout);
        assert!(
            o.stderr.contains(&format!("`--today {bad}` is not a date")),
            "{}",
            o.stderr
        );
        assert_eq!(o.stderr.lines().count(), 1, "{}", o.stderr);
    }
    let o = sopc(&["check", "--today", "2026-02-30", "policies/hac.sop"]);
    assert!(
        o.stderr.contains("February 2026 has 28 days"),
        "{}",
        o.stderr
    );
    assert_eq!(
        code(&sopc(&[
            "check",
            "--today",
            "2024-02-29",
            "policies/hac.sop"
        ])),
        0
    );

    let dir = common::temp_dir("review");
    let file = dir.join("p.sop");
    let f = file.to_str().expect("utf-8");
    let overdue = |reviewed: &str, every: &str, today: &str| {
        let policy = format!(
            "sop \"T-1\" \"Review\" {{\n  reviewed {reviewed}\n  review every {every}\n}}\n\
             outcome resolved \"Done\"\nstep s \"Start\" {{\n  end resolved\n}}\n"
        );
        std::fs::write(&file, policy).expect("write");
        let o = sopc(&["check", "--today", today, "-D", "review-overdue", f]);
        assert_ne!(o.code, 2, "{}", o.stderr);
        o.code == 1
    };
    // One month after January 31st is the last day of February.
    assert!(!overdue("2026-01-31", "1 month", "2026-02-28"));
    assert!(overdue("2026-01-31", "1 month", "2026-03-01"));
    assert!(!overdue("2024-01-31", "1 month", "2024-02-29"));
    assert!(overdue("2024-01-31", "1 month", "2024-03-01"));
    // A year over a leap day has 366 days.
    assert!(!overdue("2023-03-01", "1 year", "2024-03-01"));
    assert!(overdue("2023-03-01", "1 year", "2024-03-02"));
    assert!(!overdue("2024-02-29", "1 year", "2025-02-28"));
    assert!(overdue("2024-02-29", "1 year", "2025-03-01"));
    assert!(!overdue("2025-01-15", "18 months", "2026-07-15"));
    assert!(overdue("2025-01-15", "18 months", "2026-07-16"));
    assert!(!overdue("2026-01-01", "10 days", "2026-01-11"));
    assert!(overdue("2026-01-01", "10 days", "2026-01-12"));
    // A period past any calendar is never over.
    assert!(!overdue("2026-01-01", "4294967295 years", "9999-12-31"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_fix_applies_the_fixes_the_diagnostics_name_and_dry_run_only_shows_them() {
    let dir = common::temp_dir("check-fix");
    let policy = dir.join("p.sop");
    // A misspelt step and a ticket without its data: two named fixes.
    let broken = std::fs::read_to_string("tests/fixtures/check/missing-data_1.sop")
        .expect("fixture")
        .replacen("goto escalate", "goto escalte", 1);
    std::fs::write(&policy, &broken).expect("write");
    let p = policy.to_str().expect("utf-8");
    assert_eq!(code(&sopc(&["check", p])), 1);

    let dry = sopc(&["check", "--fix", "--dry-run", p]);
    assert!(
        dry.stdout.contains("+  collect callback_phone"),
        "{}",
        dry.stdout
    );
    assert_eq!(std::fs::read_to_string(&policy).expect("read"), broken);

    let fixed = sopc(&["check", "--fix", p]);
    assert_eq!(code(&fixed), 0, "{}{}", fixed.stdout, fixed.stderr);
    assert!(
        fixed.stderr.contains("fixed 2 problems"),
        "{}",
        fixed.stderr
    );
    let text = std::fs::read_to_string(&policy).expect("read");
    assert!(text.contains("goto escalate") && text.contains("collect callback_phone"));
    // `--dry-run` means nothing without `--fix`.
    assert_eq!(code(&sopc(&["check", "--dry-run", p])), 2);
}

#[test]
fn a_policy_runs_with_the_libraries_it_uses() {
    let dir = "tests/fixtures/project/shadowed-name_1";
    let paths = sopc(&["paths", &format!("{dir}/a.sop")]);
    assert_eq!(code(&paths), 0, "{}", paths.stderr);
    assert!(paths.stdout.contains("escalated"), "{}", paths.stdout);
    // The target and its data come from the library.
    let doc = sopc(&["doc", &format!("{dir}/a.sop")]);
    assert_eq!(code(&doc), 0, "{}", doc.stderr);
    assert!(doc.stdout.contains("Service Desk"), "{}", doc.stdout);
    // A library is not a policy to run.
    let lib = sopc(&["paths", &format!("{dir}/roster.sop")]);
    assert_eq!(code(&lib), 1);
    assert!(lib.stderr.contains("unknown-file"), "{}", lib.stderr);
}

#[test]
fn a_finding_in_a_library_is_reported_once_in_its_file() {
    let o = sopc(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/project/dead-end_library",
    ]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    let files = v["files"].as_array().expect("files");
    let with: Vec<(&str, usize)> = files
        .iter()
        .map(|f| {
            let n = f["diagnostics"].as_array().map_or(0, Vec::len);
            (f["file"].as_str().unwrap_or_default(), n)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    assert_eq!(
        with,
        [(
            "tests/fixtures/project/dead-end_library/shared/reset.sop",
            1
        )],
        "{}",
        o.stdout
    );
    let d = &files
        .iter()
        .find(|f| f["diagnostics"][0].is_object())
        .expect("a file")["diagnostics"][0];
    assert_eq!(d["code"], "dead-end");
    assert_eq!(d["range"]["start"]["line"], 12);
    assert_eq!(v["summary"]["errors"], 1);
}

/// A file of 4 MiB or more is freed while the checks run and read again
/// to show what they found: the lines shown are the file's, in every
/// format, as for a small file.
#[test]
fn a_large_file_shows_its_findings_from_the_text_read_again() {
    let dir = common::temp_dir("large-file");
    let mut text = sopc::synth::generate(30_000, 7);
    assert!(text.len() >= 4 << 20, "{} bytes", text.len());
    let last_line = text.lines().count() + 1;
    text.push_str("step planted \"Planted\" { goto nowhere }\n");
    let path = dir.join("large.sop");
    std::fs::write(&path, &text).unwrap();
    let name = path.to_str().unwrap();
    let human = sopc(&["check", name]);
    assert_eq!(code(&human), 1, "{}", human.stderr);
    let shown = format!("{last_line} │ step planted \"Planted\" {{ goto nowhere }}");
    assert!(human.stdout.contains(&shown), "{}", human.stdout);
    assert!(
        human.stdout.contains(&format!("large.sop:{last_line}:31]")),
        "{}",
        human.stdout
    );
    let json = sopc(&["check", "--format", "json", name]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let unknown = report["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "unknown-name")
        .expect("the planted reference is reported");
    assert_eq!(unknown["range"]["start"]["line"], last_line, "{unknown}");
    assert_eq!(unknown["range"]["start"]["column"], 31, "{unknown}");
    std::fs::remove_dir_all(&dir).unwrap();
}
