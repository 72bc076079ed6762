//! The run-time engine: every caller path replays to the outcome `paths`
//! reports (through the library and through `sopc eval`), each answer error
//! is structured, secrets never appear, and `sopc run` works over a pipe.

mod common;

use serde_json::{json, Value};
use sopc::analysis::states::StateSpace;
use sopc::engine::{EngineError, Evaluation, RaiseAt};
use sopc::Engine;

fn engine(path: &str) -> Engine {
    let path = std::path::PathBuf::from(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")));
    let src = std::fs::read_to_string(&path).expect("policy");
    Engine::new(common::compile_policy(&path, &src)).expect("verifies")
}

fn sopc(args: &[&str], stdin: &str) -> (i32, String, String) {
    let run = common::sopc_with_input(args, stdin.as_bytes());
    (run.code, run.stdout, run.stderr)
}

#[test]
fn every_caller_path_of_every_policy_replays_to_its_outcome() {
    for path in common::shipped_policies() {
        let src = std::fs::read_to_string(&path).expect("policy");
        let graph = common::compile_policy(&path, &src);
        let space = StateSpace::build(&graph).expect("space");
        let paths = sopc::paths::enumerate(&graph, &space, 100_000);
        let engine = Engine::new(graph.clone()).expect("verifies");
        for p in &paths {
            replay(&engine, p, &path.display().to_string());
        }
    }
}

/// Replays one caller path through the engine, standing rules raised where
/// the path raises them; the hot path too when it raises none.
fn replay(engine: &Engine, p: &sopc::paths::CallerPath, name: &str) {
    let graph = engine.graph();
    let mut rounds = vec![Vec::new(); graph.facts.len()];
    for &(f, a) in &p.answers {
        rounds[f.index()].push(a);
    }
    let events: Vec<_> = p
        .events
        .iter()
        .map(|&(after, r)| (r, RaiseAt::AfterAnswers(after)))
        .collect();
    match engine.evaluate_with_events(rounds, &events) {
        Ok(Evaluation::Complete { terminal, trace }) => {
            assert_eq!(terminal, p.terminal, "{name}");
            assert_eq!(trace.steps, p.steps, "{name}");
            assert_eq!(trace.answers, p.answers, "{name}");
            let raised: Vec<_> = trace
                .events
                .iter()
                .map(|e| (e.after_answers, e.rule))
                .collect();
            assert_eq!(raised, p.events, "{name}");
        }
        other => panic!("{name}: path did not complete: {other:?}"),
    }
    if p.events.is_empty() {
        let order: Vec<u32> = p.answers.iter().map(|&(_, a)| a).collect();
        assert_eq!(engine.run(&order), Some(p.terminal), "{name}");
    }
}

#[test]
fn every_path_through_a_standing_rule_replays_to_its_outcome() {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/clean/standing-rule-handled.sop"
    ))
    .expect("fixture");
    let graph = sopc::compile(&src).expect("compiles");
    let space = StateSpace::build(&graph).expect("space");
    let paths = sopc::paths::enumerate(&graph, &space, 1_000);
    // Three paths without the rule, and two that raise it: at the first
    // question, or at the second.
    let raising = paths.iter().filter(|p| !p.events.is_empty()).count();
    assert_eq!((paths.len(), raising), (5, 2), "{paths:?}");
    let engine = Engine::new(graph).expect("verifies");
    for p in &paths {
        replay(&engine, p, "standing-rule-handled");
    }
}

#[test]
fn a_session_raises_a_standing_rule_once_within_its_steps_and_back_undoes_it() {
    let engine = engine("tests/fixtures/clean/standing-rule-handled.sop");
    let mut s = engine.start();
    assert_eq!(s.raisable().len(), 1);
    s.raise("self_harm").expect("raised at the first question");
    let g = engine.graph();
    let at = |s: &sopc::engine::Session| {
        g.step(s.trace().steps.last().copied().expect("a step"))
            .name
            .clone()
    };
    assert_eq!(at(&s), "crisis");
    assert_eq!(s.trace().events.len(), 1);
    // Once per call, and never after the end.
    let again = s.raise("self_harm").expect_err("raised already");
    assert_eq!(again.code(), "not-raisable");
    s.back().expect("back undoes the raise");
    assert!(s.trace().events.is_empty());
    assert_eq!(at(&s), "topic");
    s.answer("about", "other").expect("answered");
    assert_eq!(
        s.raise("self_harm").expect_err("done").code(),
        "not-raisable"
    );
    let unknown = engine.start().raise("self_harn").expect_err("no such rule");
    assert_eq!(unknown.code(), "unknown-rule");
    assert!(
        unknown.to_string().contains("did you mean `self_harm`"),
        "{unknown}"
    );
}

#[test]
fn eval_takes_standing_rules_by_answers_given_or_by_step() {
    let policy = "tests/fixtures/clean/standing-rule-handled.sop";
    let dir = common::temp_dir("eval-events");
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).expect("write");
        p.to_string_lossy().into_owned()
    };
    let (by_count, by_step, outside) = (
        write("count.json", r#"{"self_harm": 1}"#),
        write("step.json", r#"{"self_harm": "identify"}"#),
        write("outside.json", r#"{"self_harm": "crisis"}"#),
    );
    for events in [&by_count, &by_step] {
        let (code, out, _) = sopc(
            &["eval", policy, "--answers", "-", "--events", events],
            r#"{"about": "payment"}"#,
        );
        assert_eq!(code, 0, "{out}");
        let v: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["outcome"]["outcome"], "triaged", "{out}");
        assert_eq!(
            v["trace"]["events"],
            json!([{"rule": "self_harm", "label": "The customer talks about suicide or self-harm", "at": "identify", "after_answers": 1}])
        );
        assert_eq!(v["unraised_events"], json!([]));
    }
    // A step the call never waits at: the rule is left unraised, and said so.
    let (code, out, _) = sopc(
        &["eval", policy, "--answers", "-", "--events", &outside],
        r#"{"about": "payment", "paid": "yes"}"#,
    );
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["outcome"]["outcome"], "done");
    assert_eq!(v["unraised_events"], json!(["self_harm"]));
}

#[test]
fn eval_replays_every_path_printed_by_paths() {
    let (code, out, _) = sopc(&["paths", "--format", "json", "policies/hac.sop"], "");
    assert_eq!(code, 0);
    let listing: Value = serde_json::from_str(&out).expect("json");
    for p in listing["paths"].as_array().expect("paths") {
        let (code, out, err) = sopc(
            &["eval", "policies/hac.sop", "--answers", "-"],
            &p["answers"].to_string(),
        );
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["status"], "complete");
        assert_eq!(v["outcome"], p["outcome"], "answers {}", p["answers"]);
        assert_eq!(v["trace"]["steps"], p["steps"]);
    }
}

#[test]
fn dropping_the_last_answer_asks_for_it() {
    let (_, out, _) = sopc(&["paths", "--format", "json", "policies/hac.sop"], "");
    let listing: Value = serde_json::from_str(&out).expect("json");
    for p in listing["paths"].as_array().expect("paths") {
        let mut answers = p["answers"].as_object().expect("object").clone();
        let (last, value) = answers
            .iter()
            .next_back()
            .map(|(k, v)| (k.clone(), v.clone()))
            .expect("an answer");
        // For a retried question, drop only its last round.
        match value {
            Value::Array(mut rounds) => {
                rounds.pop();
                answers.insert(last.clone(), Value::Array(rounds));
            }
            _ => {
                answers.remove(&last);
            }
        }
        let (code, out, _) = sopc(
            &["eval", "policies/hac.sop", "--answers", "-"],
            &Value::Object(answers).to_string(),
        );
        assert_eq!(code, 0);
        let v: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["status"], "needs_answer", "{out}");
        assert_eq!(v["fact"], json!(last));
        assert!(v["options"].as_array().is_some_and(|o| !o.is_empty()));
    }
}

#[test]
fn each_answer_error_is_structured() {
    let e = engine("policies/hac.sop");
    let mut s = e.start();
    assert_eq!(
        s.answer("caller_knd", "parent"),
        Err(EngineError::UnknownQuestion {
            fact: "caller_knd".into(),
            suggestion: Some("caller_kind".into())
        })
    );
    assert!(matches!(
        s.answer("caller_kind", "teacher"),
        Err(EngineError::InvalidAnswer { ref options, .. }) if options == &["parent", "student"]
    ));
    assert_eq!(
        s.answer("urgent", "yes"),
        Err(EngineError::NotAsked {
            fact: "urgent".into(),
            asking: Some("caller_kind".into())
        })
    );
    assert_eq!(s.back(), Err(EngineError::NothingToUndo));
    s.answer("caller_kind", "student").expect("valid");
    s.answer("computer_login", "no").expect("valid");
    assert!(s.outcome().is_some());
    assert_eq!(
        s.answer("computer_login", "yes"),
        Err(EngineError::Finished)
    );
    // Back from the outcome to the last question, then another answer.
    s.back().expect("one answer to undo");
    assert!(s.outcome().is_none());
    s.answer("computer_login", "yes").expect("valid");
    assert_eq!(
        e.graph().fact(s.question().expect("asking").fact).name,
        "web_access_checked"
    );
}

#[test]
fn eval_reports_a_bad_answer_as_json_with_exit_1() {
    let (code, out, _) = sopc(
        &["eval", "policies/hac.sop", "--answers", "-"],
        r#"{"caller_kind": "teacher"}"#,
    );
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["status"], "error");
    assert_eq!(v["error"]["code"], "invalid-answer");
    let (code, out, _) = sopc(&["eval", "policies/hac.sop", "--answers", "-"], "not json");
    assert_eq!(code, 2);
    assert_eq!(
        serde_json::from_str::<Value>(&out).expect("json")["error"]["code"],
        "bad-input"
    );
}

#[test]
fn secrets_given_as_data_never_appear_in_eval_or_run_output() {
    let data = std::env::temp_dir().join(format!("sopc-data-{}.json", std::process::id()));
    std::fs::write(
        &data,
        r#"{"parent_password": "Hunter2-secret", "parent_login_id": "login-pl-777", "student_name": "Ann Lee"}"#,
    )
    .expect("write");
    let answers = r#"{"caller_kind": "parent", "has_parent_login": "yes", "capitals_work": ["no", "no", "no"],
                     "login_id_correct": "yes", "validation_works": "no"}"#;
    let (code, out, _) = sopc(
        &[
            "eval",
            "policies/hac.sop",
            "--answers",
            "-",
            "--data",
            data.to_str().expect("path"),
        ],
        answers,
    );
    assert_eq!(code, 0);
    assert!(
        !out.contains("Hunter2-secret") && !out.contains("login-pl-777"),
        "{out}"
    );
    assert!(out.contains("[redacted]") && out.contains("Ann Lee"));
    // The values typed as the steps collect them: secrets never shown.
    let (code, out, _) = sopc(
        &["run", "policies/hac.sop"],
        "parent\nyes\nno\nno\nno\nyes\nlogin-pl-777\nHunter2-secret\nno\nAnn Lee\n\n\n",
    );
    assert_eq!(code, 0);
    assert!(out.contains("Parent HAC password = [redacted]"), "{out}");
    assert!(
        out.contains("title: HAC parent login not working for Ann Lee"),
        "{out}"
    );
    assert!(
        out.contains("Parent callback phone number = (not given)"),
        "{out}"
    );
    assert!(
        !out.contains("Hunter2-secret") && !out.contains("login-pl-777"),
        "{out}"
    );
}

#[test]
fn run_walks_a_call_over_a_pipe_with_back() {
    // parent, then has_parent_login = 1 (yes), back, 2 (no), urgent = no.
    let (code, out, _) = sopc(&["run", "policies/hac.sop"], "1\n1\nback\n2\nno\n");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("(back to the previous question)"));
    assert!(out.contains("Please submit the form to your child's campus."));
    assert!(
        out.contains("\nOutcome: The caller was sent elsewhere (referred(campus))\n"),
        "{out}"
    );
    assert!(
        out.contains("Path: caller -> parent_login -> urgent_need -> request_form"),
        "{out}"
    );
    // A wrong answer is explained and asked again; input that ends early is exit 2.
    let (code, out, err) = sopc(&["run", "policies/hac.sop"], "teacher\n");
    assert!(out.contains("the answers are: parent, student"), "{out}");
    assert!(out.contains("`teacher` is not an answer to `caller_kind`"));
    assert_eq!(code, 2, "{err}");
}

#[test]
fn run_takes_answers_in_any_case_or_by_prefix_and_ends_with_a_summary() {
    // `PARENT`, `y` (yes), `No`; a misspelling gets "did you mean".
    let (code, out, _) = sopc(
        &["run", "policies/hac.sop"],
        "parnet\nPARENT\ny\nNo\nhelp\nquit\n",
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("`parnet` is not an answer to `caller_kind`; did you mean `parent`?"),
        "{out}"
    );
    assert!(out.contains("back            go back"), "{out}");
    assert!(
        out.contains("(the call was left without an outcome)"),
        "{out}"
    );
    assert!(
        out.contains("Path: caller -> parent_login -> check_capitals -> check_capitals"),
        "{out}"
    );
    assert!(
        out.contains("Answers: caller_kind = parent, has_parent_login = yes, capitals_work = no"),
        "{out}"
    );
    // A prefix only one answer has picks it.
    let (_, out, _) = sopc(&["run", "policies/hac.sop"], "p\nu\n");
    assert!(
        out.contains("Answers: caller_kind = parent, has_parent_login = using_student_login"),
        "{out}"
    );
    // A prefix two answers share is refused, not guessed.
    let dir = common::temp_dir("run-prefix");
    let file = dir.join("prefix.sop");
    std::fs::write(
        &file,
        "sop \"P-1\" \"Prefix\" {}\noutcome ok \"Done\" resolved\n\
         step s \"Who\" { ask who \"Who?\" { parent partner }  parent -> end ok  partner -> end ok }\n",
    )
    .expect("write");
    let (code, out, _) = sopc(&["run", file.to_str().expect("utf-8")], "par\npart\n");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("`par` could be `parent` or `partner`"),
        "{out}"
    );
    assert!(out.contains("Answers: who = partner"), "{out}");
}

#[test]
fn run_refuses_a_collected_value_that_breaks_its_rule() {
    let policy = "sop \"R-1\" \"Rules\" {}\n\
        data code \"One-time code\" secret length 6 pattern \"[0-9]{6}\"\n\
        outcome ok \"Done\" resolved\n\
        step s \"Check\" { collect code  ask fine \"Fine?\" { yes no }  yes -> end ok  no -> end ok }\n";
    let dir = common::temp_dir("run-rule");
    let file = dir.join("rule.sop");
    std::fs::write(&file, policy).expect("write");
    let (code, out, _) = sopc(
        &["run", file.to_str().expect("utf-8")],
        "12ab56\n123456\nyes\n",
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("`code`"), "the rule is named: {out}");
    assert!(!out.contains("12ab56") && !out.contains("123456"), "{out}");
    assert!(
        out.contains("Collected: One-time code = [redacted]"),
        "{out}"
    );
}

#[test]
fn eval_refuses_a_corrupted_artifact() {
    let dir = common::temp_dir("art");
    let (_, artifact, _) = sopc(&["compile", "policies/hac.sop"], "");
    let good = dir.join("good.json");
    std::fs::write(&good, &artifact).expect("write");
    let (code, out, _) = sopc(
        &["eval", good.to_str().expect("p"), "--answers", "-"],
        r#"{"caller_kind": "student", "computer_login": "no"}"#,
    );
    assert_eq!(code, 0);
    assert!(out.contains("referral"));
    let bad = dir.join("v9.json");
    std::fs::write(
        &bad,
        artifact.replacen("\"version\": 3", "\"version\": 9", 1),
    )
    .expect("write");
    let (code, _, err) = sopc(&["eval", bad.to_str().expect("p"), "--answers", "-"], "{}");
    assert_eq!(code, 1);
    assert!(err.contains("format version 9"), "{err}");
}

#[test]
fn the_published_schema_matches_the_artifact_types() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/artifact.schema.json");
    let generated = sopc::artifact::schema_json();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &generated).expect("write schema");
    }
    let published = std::fs::read_to_string(path).expect("docs/artifact.schema.json");
    assert_eq!(
        published, generated,
        "regenerate with UPDATE_SCHEMA=1 cargo test --test engine"
    );
}

/// `eval` lists the answers a finished call never used (a question the path
/// does not ask, a round past the last one asked); a call still waiting for
/// an answer has none yet.
#[test]
fn eval_lists_the_answers_the_call_never_used() {
    let eval = |answers: Value| {
        let (code, out, err) = sopc(
            &["eval", "policies/hac.sop", "--answers", "-"],
            &answers.to_string(),
        );
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<Value>(&out).expect("json")
    };
    let v = eval(json!({
        "capitals_work": "yes",
        "caller_kind": ["student", "parent"],
        "computer_login": "no",
    }));
    assert_eq!(v["status"], "complete");
    assert_eq!(
        v["unused_answers"],
        json!([
            {"fact": "caller_kind", "answers": ["parent"]},
            {"fact": "capitals_work", "answers": ["yes"]},
        ])
    );
    let v = eval(json!({"caller_kind": "student", "computer_login": "no"}));
    assert_eq!(v["unused_answers"], json!([]));
    let v = eval(json!({"caller_kind": "parent", "has_parent_login": "yes",
                        "capitals_work": ["no", "no", "no", "yes"],
                        "login_id_correct": "no"}));
    assert_eq!(
        v["unused_answers"],
        json!([{"fact": "capitals_work", "answers": ["yes"]}])
    );
    let v = eval(json!({"caller_kind": "parent", "urgent": "yes"}));
    assert_eq!(v["status"], "needs_answer");
    assert!(v.get("unused_answers").is_none(), "{v}");
}

fn wire_policy() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/engine/wire.sop")
}

/// Runs `sopc eval` on the wire policy with answers, context and data.
fn eval_wire(answers: &str, context: &str, data: &str) -> (i32, serde_json::Value) {
    // One folder for all calls, one file per call: the tests run in parallel.
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| common::temp_dir("wire"));
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let write = |name: &str, text: &str| {
        let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p = dir.join(format!("{name}-{n}.json"));
        std::fs::write(&p, text).expect("write");
        p.to_string_lossy().into_owned()
    };
    let (c, d) = (write("context", context), write("data", data));
    let policy = wire_policy();
    let (code, out, err) = sopc(
        &[
            "eval",
            policy.to_str().expect("utf-8"),
            "--answers",
            "-",
            "--context",
            &c,
            "--data",
            &d,
        ],
        answers,
    );
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (code, v)
}

#[test]
fn typed_facts_are_read_where_first_needed_and_decided_by_their_value() {
    let marks = r#""identity": {"marked": ["dob", "pin"]}"#;
    let ctx = r#"{"now": "2026-12-03T16:29"}"#;
    // 49,999.99 on Thursday 16:29: under the limit, inside the window.
    let (code, v) = eval_wire(
        &format!(r#"{{{marks}, "amount": 49999.99, "status": "active"}}"#),
        ctx,
        "{}",
    );
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["outcome"]["outcome"], "sent", "{v}");
    assert_eq!(v["trace"]["answers"]["amount"], "under 50000.00");
    // 50,000.00 itself goes to approval.
    let (_, v) = eval_wire(&format!(r#"{{{marks}, "amount": "50000.00"}}"#), ctx, "{}");
    assert_eq!(v["outcome"]["outcome"], "approval", "{v}");
    // 16:30 itself is outside the window.
    let (_, v) = eval_wire(&format!("{{{marks}}}"), r#"{"now": "thu 16:30"}"#, "{}");
    assert_eq!(v["outcome"]["outcome"], "refused", "{v}");
    // One item of three marked fails a two-of-three check.
    let (_, v) = eval_wire(r#"{"identity": {"marked": ["dob"]}}"#, ctx, "{}");
    assert_eq!(v["outcome"]["outcome"], "refused", "{v}");
    // Without a status the call waits for the lookup, naming the system.
    let (_, v) = eval_wire(&format!(r#"{{{marks}, "amount": 1}}"#), ctx, "{}");
    assert_eq!(v["status"], "needs_answer", "{v}");
    assert_eq!(v["fact"], "status");
    assert_eq!(v["source"], "lookup");
    assert_eq!(v["system"], "Core");
    assert_eq!(v["words"], serde_json::json!(["Active", "Frozen by fraud"]));
}

#[test]
fn values_that_do_not_fit_are_refused_with_a_code() {
    let marks = r#""identity": {"marked": ["dob", "pin"]}"#;
    let ctx = r#"{"now": "2026-12-03T10:00"}"#;
    let cases = [
        // A verification is never answered: it is decided from the marks.
        (
            r#"{"identity": "passed"}"#.to_string(),
            ctx,
            "{}",
            "invalid-value",
            "marks",
        ),
        (
            r#"{"identity": {"marked": ["ssn"]}}"#.to_string(),
            ctx,
            "{}",
            "invalid-value",
            "not an item",
        ),
        (
            format!(r#"{{{marks}, "amount": "12.345"}}"#),
            ctx,
            "{}",
            "invalid-value",
            "two decimals",
        ),
        (
            format!(r#"{{{marks}, "amount": "ten"}}"#),
            ctx,
            "{}",
            "invalid-value",
            "500.00",
        ),
        (
            format!(r#"{{{marks}, "now": "10:00"}}"#),
            ctx,
            "{}",
            "wrong-source",
            "host",
        ),
        (
            format!("{{{marks}}}"),
            r#"{"now": "10:00"}"#,
            "{}",
            "invalid-value",
            "no day",
        ),
        (
            format!("{{{marks}}}"),
            r#"{"amount": 5}"#,
            "{}",
            "wrong-source",
            "not given by the host",
        ),
        (
            format!("{{{marks}}}"),
            ctx,
            r#"{"account": "12345"}"#,
            "invalid-value",
            "pattern",
        ),
        (
            format!("{{{marks}}}"),
            ctx,
            r#"{"wires": "21"}"#,
            "invalid-value",
            "max 20",
        ),
        (
            format!("{{{marks}}}"),
            ctx,
            r#"{"pin": "12"}"#,
            "invalid-value",
            "length 4",
        ),
    ];
    for (answers, context, data, code, words) in cases {
        let (exit, v) = eval_wire(&answers, context, data);
        assert_eq!(exit, 1, "{answers} {context} {data}: {v}");
        assert_eq!(v["error"]["code"], code, "{answers} {context} {data}: {v}");
        let message = v["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(words), "{message}");
        // A refused PIN is not quoted back.
        assert!(
            !message.contains("\"12\"") && !message.contains("`12`"),
            "{message}"
        );
    }
}

#[test]
fn an_unrecorded_value_is_never_in_the_output() {
    let (code, v) = eval_wire(
        r#"{"identity": {"marked": ["dob", "pin"]}, "amount": 60000}"#,
        r#"{"now": "2026-12-01T09:00"}"#,
        r#"{"pin": "4821", "account": "0123456789", "wires": "3"}"#,
    );
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["outcome"]["outcome"], "approval");
    let text = v.to_string();
    assert!(!text.contains("4821"), "{text}");
    assert!(
        text.contains("0123456789"),
        "the account goes to the ticket: {text}"
    );
}

#[test]
fn the_hot_path_reads_declared_facts_in_order_and_forgets_them() {
    let src = std::fs::read_to_string(wire_policy()).expect("fixture");
    let graph = sopc::compile(&src).expect("compiles");
    let space = StateSpace::build(&graph).expect("space");
    let paths = sopc::paths::enumerate(&graph, &space, 1_000);
    assert!(paths.len() >= 5, "{}", paths.len());
    let engine = Engine::new(graph).expect("verifies");
    let mut scratch = sopc::engine::Scratch::default();
    // Twice, in both orders: a value read on one call must not leak into
    // the next.
    for round in 0..2 {
        let mut order: Vec<&sopc::paths::CallerPath> = paths.iter().collect();
        if round == 1 {
            order.reverse();
        }
        for p in order {
            let answers: Vec<u32> = p.answers.iter().map(|&(_, a)| a).collect();
            assert_eq!(engine.run_in(&mut scratch, &answers), Some(p.terminal));
        }
    }
}

const CALLBACK_AND_GAP: &str = r#"sop "CB-1" "Callback or gap" {}
role agent "Agent"
outcome later "We call the customer back" callback within 48 hours
step s "S1: can we fix it now?" {
  ask can "Can it be fixed on this call?" { no unknown }
  no      -> end later
  unknown -> gap "The source does not say what happens when nobody knows"
}
"#;

#[test]
fn a_callback_carries_its_deadline_and_a_gap_ends_with_its_note() {
    let dir = common::temp_dir("callback-and-gap");
    let policy = dir.join("cb.sop");
    std::fs::write(&policy, CALLBACK_AND_GAP).expect("write");
    let policy = policy.to_str().expect("utf-8");

    let (code, out, _) = sopc(&["eval", policy, "--answers", "-"], r#"{"can": "no"}"#);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["outcome"]["kind"], "callback");
    assert_eq!(v["outcome"]["within_minutes"], 48 * 60);

    let (code, out, _) = sopc(&["eval", policy, "--answers", "-"], r#"{"can": "unknown"}"#);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["outcome"]["kind"], "gap");
    assert_eq!(
        v["outcome"]["label"],
        "The source does not say what happens when nobody knows"
    );

    // The deadline survives `fmt` and is printed by `doc`.
    let formatted = sopc::format_source(CALLBACK_AND_GAP).expect("formats");
    assert!(
        formatted.contains("callback within 48 hours"),
        "{formatted}"
    );
    let (code, doc, _) = sopc(&["doc", policy], "");
    assert_eq!(code, 0);
    assert!(doc.contains("(callback, within 2 days)"), "{doc}");
    assert!(doc.contains("Open questions for the SOP owner"), "{doc}");
}

#[test]
fn referrals_given_on_the_way_are_in_the_trace_with_the_data_they_pass_on() {
    let dir = common::temp_dir("referrals");
    let data = dir.join("data.json");
    std::fs::write(&data, r#"{"student_id": "S123"}"#).expect("write");
    let (code, out, _) = sopc(
        &[
            "eval",
            "tests/fixtures/clean/several-referrals.sop",
            "--answers",
            "-",
            "--data",
            data.to_str().expect("utf-8"),
        ],
        r#"{"more": "yes"}"#,
    );
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).expect("json");
    let referrals = &v["trace"]["referrals"];
    let targets: Vec<&str> = referrals
        .as_array()
        .expect("referrals")
        .iter()
        .map(|r| r["target"].as_str().expect("target"))
        .collect();
    // Both referrals of the first step and the one of the second, in order;
    // the ticket stays a ticket.
    assert_eq!(targets, ["registrar", "nurse", "nurse"], "{out}");
    assert_eq!(referrals[0]["handed_over"][0]["value"], "S123");
    assert_eq!(v["trace"]["tickets"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["outcome"]["outcome"], "done");
}

#[test]
fn a_call_suspended_in_one_process_resumes_in_another_and_ends_the_same() {
    let dir = common::temp_dir("suspend");
    let policy = dir.join("p.sop");
    std::fs::copy("tests/fixtures/clean/standing-rule-handled.sop", &policy).expect("copy");
    let policy = policy.to_str().expect("utf-8");
    let record = dir.join("call.json");
    let record = record.to_str().expect("utf-8");
    let outcome = |out: &str| {
        out.lines()
            .rev()
            .find(|l| l.starts_with("Outcome:"))
            .map(str::to_string)
    };
    // Uninterrupted: payment, then the standing rule at the second question.
    // (The command typed at S2's data prompt is carried out; the handler's
    // own prompt for the name is left empty.)
    let (code, whole, _) = sopc(&["run", policy], "1\nanytime self_harm\n\n");
    assert_eq!(code, 0, "{whole}");
    assert!(outcome(&whole).is_some(), "{whole}");
    // The same call, suspended after the first answer.
    let (code, first, _) = sopc(&["run", policy, "--suspend-to", record], "1\nsuspend\n");
    assert_eq!(code, 0, "{first}");
    assert!(first.contains("--resume"), "{first}");
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(record).expect("written")).expect("json");
    assert_eq!(saved["format"], "sopc-session");
    assert_eq!(
        saved["inputs"],
        json!([{"fact": "about", "answer": 0, "words": "payment"}])
    );
    let (code, rest, err) = sopc(
        &["run", policy, "--resume", record],
        "anytime self_harm\n\n",
    );
    assert_eq!(code, 0, "{rest}{err}");
    assert_eq!(outcome(&rest), outcome(&whole));
    // The library resumes the record as the CLI wrote it, raised rules too.
    let engine = engine("tests/fixtures/clean/standing-rule-handled.sop");
    let mut s = engine.resume(&saved).expect("resumes");
    s.raise("self_harm").expect("raised");
    let again = engine.resume(&s.suspend()).expect("resumes with the event");
    assert_eq!(again.outcome(), s.outcome());
    assert!(again.outcome().is_some());

    // Another version of the policy: refused, both versions named.
    let changed = std::fs::read_to_string(policy)
        .expect("read")
        .replace("Take the payment", "Take the payment now");
    let changed = changed.replace("S2: identify the customer", "S2: identify the customer now");
    std::fs::write(policy, changed).expect("write");
    let (code, _, err) = sopc(&["run", policy, "--resume", record], "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("version-mismatch"), "{err}");
    let suspended = saved["policy"]["version"].as_str().expect("version");
    assert!(err.contains(suspended), "{err}");
    // A record that is not one is refused with its own code.
    let bad = engine
        .resume(&json!({"format": "other"}))
        .err()
        .expect("refused");
    assert_eq!(bad.code(), "invalid-session");
}

#[test]
fn diff_compares_the_paths_through_a_standing_rule() {
    let old =
        std::fs::read_to_string("tests/fixtures/clean/standing-rule-handled.sop").expect("fixture");
    // The handler now ends the call resolved: only paths that raise the rule
    // change, one per question it may be raised at.
    let new = old.replace("  end triaged(triage)\n}", "  end done\n}");
    assert_ne!(old, new);
    let (g_old, g_new) = (
        sopc::compile(&old).expect("old compiles"),
        sopc::compile(&new).expect("new compiles"),
    );
    let d = sopc::diff::diff(&g_old, &g_new, 10).expect("compares");
    assert_eq!(d.changed.count.to_u128(), Some(2), "{d:?}");
    for p in &d.changed.examples {
        assert!(
            p.answers
                .iter()
                .any(|(f, a)| f == "anytime" && a == "self_harm"),
            "{:?}",
            p.answers
        );
    }
    // A rule only the new version has: its paths are added.
    let added = old.replacen(
        "anytime self_harm",
        "anytime distress \"The customer is in distress\" -> crisis within topic\nanytime self_harm",
        1,
    );
    let d =
        sopc::diff::diff(&g_old, &sopc::compile(&added).expect("compiles"), 10).expect("compares");
    assert_eq!(d.added.count.to_u128(), Some(1), "{d:?}");
}

#[test]
fn an_artifact_whose_wait_times_out_to_no_answer_is_refused() {
    let src =
        std::fs::read_to_string("tests/fixtures/clean/wait-with-timeout.sop").expect("fixture");
    let graph = sopc::compile(&src).expect("compiles");
    let mut json: Value = serde_json::from_str(&sopc::artifact::write(&graph)).expect("json");
    json["graph"]["facts"][0]["waits"]["timeout"][0] = json!(99);
    let err = Engine::from_json(&json.to_string()).err().expect("refused");
    assert!(
        err.to_string().contains("timeout answer does not exist"),
        "{err}"
    );
}

/// A policy with entries: the context says which door the call came in
/// by; a context that does not say is a new call.
#[test]
fn an_entry_is_taken_from_the_context_and_a_new_call_is_the_default() {
    let e = engine("tests/fixtures/engine/entries.sop");
    let g = e.graph();
    let steps = |t: &sopc::engine::Trace| -> Vec<String> {
        t.steps
            .iter()
            .map(|&s| g.step(s).name.to_string())
            .collect()
    };
    let ctx = [("entry".to_string(), "returning".to_string())];
    let rounds = e.rounds_with_context(&[], &ctx).expect("rounds");
    match e.evaluate_rounds(rounds) {
        Evaluation::Complete { terminal, trace } => {
            assert_eq!(steps(&trace), ["entry", "lookup"]);
            assert_eq!(g.outcome(terminal.outcome).name, "done");
        }
        other => panic!("{other:?}"),
    }
    let rounds = e.rounds_with_context(&[], &[]).expect("rounds");
    match e.evaluate_rounds(rounds) {
        Evaluation::NeedsAnswer { question, trace } => {
            assert_eq!(steps(&trace), ["entry", "s1"]);
            assert_eq!(g.fact(question.fact).name, "reply");
        }
        other => panic!("{other:?}"),
    }
    let bad = [("entry".to_string(), "sideways".to_string())];
    assert!(e.rounds_with_context(&[], &bad).is_err());
}

/// The policies with a bound on a loop as a whole.
const LOOP_POLICIES: [&str; 2] = [
    "tests/fixtures/clean/loop-bound-shared.sop",
    "tests/fixtures/clean/loop-and-branch-bound.sop",
];

#[test]
fn every_path_through_a_loop_bound_replays_to_its_outcome() {
    for path in LOOP_POLICIES {
        let engine = engine(path);
        let graph = engine.graph();
        let space = StateSpace::build(graph).expect("space");
        let paths = sopc::paths::enumerate(graph, &space, 10_000);
        assert_eq!(
            sopc::paths::count(&space).to_u128(),
            Some(paths.len() as u128),
            "{path}"
        );
        for p in &paths {
            replay(&engine, p, path);
        }
    }
}

/// One budget for three ways back: `works` is asked once and then once per
/// return, whichever branch returns, so with two returns allowed a call
/// asks it at most three times, and the fourth arrival goes to `escalate`.
#[test]
fn a_loop_bound_counts_every_way_back_in_one_budget() {
    let engine = engine(LOOP_POLICIES[0]);
    let g = engine.graph();
    let space = StateSpace::build(g).expect("space");
    // 1 + 3 + 3 * 3 ways to end resolved in at most three rounds, and 3 * 3
    // * 3 rounds of returns that spend the bound: 13 + 27.
    assert_eq!(sopc::paths::count(&space).to_u128(), Some(40));
    let mut s = engine.start();
    for (answer, at) in [("locked", "unlock"), ("expired", "reset")] {
        s.answer("works", answer).expect("answered");
        assert!(
            s.trace().steps.iter().any(|&x| g.step(x).name == at),
            "{answer} leads through {at}"
        );
        assert!(s.outcome().is_none() && s.trace().loops.is_empty());
    }
    s.answer("works", "no").expect("answered");
    assert!(s.outcome().is_some(), "the third return is refused");
    let escalate = g.step_by_name("escalate").expect("step");
    assert_eq!(s.trace().steps.last(), Some(&escalate));
    assert_eq!(s.trace().loops.len(), 1);
    assert_eq!(g.step(s.trace().loops[0].step).name, "retype");
    assert_eq!(s.trace().loops[0].after_answers, 3);
    // `back` gives the return back to the budget.
    s.back().expect("back");
    assert!(s.outcome().is_none() && s.trace().loops.is_empty());
    s.answer("works", "yes").expect("answered");
    assert_eq!(g.terminal_text(s.outcome().expect("done")), "resolved");
}

/// A branch with its own bound into a bounded loop obeys both, its own
/// first: `no` goes back once, then to `reset`, and the loop's two returns
/// end the call on the third.
#[test]
fn a_branch_bound_into_a_loop_bound_obeys_both_its_own_first() {
    let engine = engine(LOOP_POLICIES[1]);
    let g = engine.graph();
    let run = |answers: &[&str]| {
        let given = vec![(
            "works".to_string(),
            answers.iter().map(|a| a.to_string()).collect(),
        )];
        match engine.evaluate(&given).expect("evaluates") {
            Evaluation::Complete { terminal, trace } => {
                let steps: Vec<&str> = trace
                    .steps
                    .iter()
                    .map(|&s| g.step(s).name.as_str())
                    .collect();
                (g.terminal_text(terminal), steps.join(" "))
            }
            other => panic!("{answers:?} did not complete: {other:?}"),
        }
    };
    assert_eq!(
        run(&["no", "no", "no"]),
        (
            "pending".to_string(),
            "retype retype reset retype reset".to_string()
        )
    );
    assert_eq!(
        run(&["no", "no", "yes"]),
        (
            "resolved".to_string(),
            "retype retype reset retype".to_string()
        )
    );
}

#[test]
fn eval_lists_the_loop_bounds_spent_in_the_trace() {
    let (code, out, err) = sopc(
        &["eval", LOOP_POLICIES[0], "--answers", "-"],
        r#"{"works": ["no", "locked", "no"]}"#,
    );
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["outcome"]["outcome"], "escalated");
    assert_eq!(
        v["trace"]["loops"],
        json!([{"step": "retype", "times": 2, "then": "escalate", "after_answers": 3}])
    );
    // A call that does not spend a bound has no `loops`.
    let (_, out, _) = sopc(
        &["eval", LOOP_POLICIES[0], "--answers", "-"],
        r#"{"works": ["no", "yes"]}"#,
    );
    let v: Value = serde_json::from_str(&out).expect("json");
    assert!(v["trace"].get("loops").is_none(), "{v}");
}

/// A call suspended inside a bounded loop resumes with the returns it has
/// made counted: the replay counts them again.
#[test]
fn a_call_suspended_inside_a_loop_resumes_with_its_returns_counted() {
    let engine = engine(LOOP_POLICIES[0]);
    let mut whole = engine.start();
    let mut first = engine.start();
    for a in ["locked", "expired"] {
        whole.answer("works", a).expect("answered");
        first.answer("works", a).expect("answered");
    }
    let record = first.suspend();
    let text = serde_json::to_string(&record).expect("json");
    let mut resumed = engine
        .resume(&serde_json::from_str(&text).expect("json"))
        .expect("resumes");
    whole.answer("works", "no").expect("answered");
    resumed.answer("works", "no").expect("answered");
    assert_eq!(resumed.outcome(), whole.outcome());
    assert_eq!(
        engine
            .graph()
            .terminal_text(resumed.outcome().expect("spent")),
        "escalated(tier2)"
    );
    assert_eq!(resumed.trace().loops, whole.trace().loops);
}

/// The `do` texts of the steps a call went through, in order.
fn done(g: &sopc::Graph, trace: &sopc::engine::Trace) -> Vec<String> {
    trace
        .steps
        .iter()
        .flat_map(|&s| &g.step(s).actions)
        .filter_map(|a| match a {
            sopc::graph::Action::Do { text, .. } => Some(text.to_string()),
            _ => None,
        })
        .collect()
}

/// `for each` over a multi-select: the analyst is asked about each item,
/// and the actions are done, with the item's words, for each that applies.
#[test]
fn for_each_does_its_actions_for_each_item_that_applies() {
    let e = engine("tests/fixtures/engine/foreach.sop");
    let g = e.graph();
    let answers = |pairs: &[(&str, &str)]| -> Vec<(String, Vec<String>)> {
        pairs
            .iter()
            .map(|(f, a)| (f.to_string(), vec![a.to_string()]))
            .collect()
    };
    let rounds = e
        .rounds(&answers(&[
            ("accounts_email", "yes"),
            ("accounts_vpn", "no"),
            ("more", "no"),
        ]))
        .expect("rounds");
    let Evaluation::Complete { trace, .. } = e.evaluate_rounds(rounds) else {
        panic!("the call ends");
    };
    assert_eq!(done(g, &trace), ["Note the outage on the Email account."]);
    // The questions asked, in order: each item, then the step's own.
    let asked: Vec<&str> = trace
        .answers
        .iter()
        .map(|&(f, _)| g.fact(f).name.as_str())
        .collect();
    assert_eq!(asked, ["accounts_email", "accounts_vpn", "more"]);
    assert_eq!(
        g.fact(trace.answers[0].0).prompt,
        "Which accounts are affected? Email"
    );
}

/// `repeat FACT up to N`: the actions as many times as the count says, at
/// most N, with `{FACT}` read as the round.
#[test]
fn repeat_does_its_actions_as_many_times_as_the_count_at_most_n() {
    let text = "sop \"R\" \"r\" {}\nfact children \"How many children?\" count ask\noutcome done \"Done\" resolved\nstep kids \"Check each child\" {\n  repeat children up to 3 {\n    do \"Check child {children}.\"\n  }\n  end done\n}\n";
    let e = Engine::compile(text).expect("compiles");
    let g = e.graph();
    let rounds_done = |count: &str| -> Vec<String> {
        let rounds = e
            .rounds(&[("children".to_string(), vec![count.to_string()])])
            .expect("rounds");
        let Evaluation::Complete { trace, .. } = e.evaluate_rounds(rounds) else {
            panic!("the call ends");
        };
        done(g, &trace)
    };
    assert_eq!(rounds_done("0"), Vec::<String>::new());
    assert_eq!(rounds_done("2"), ["Check child 1.", "Check child 2."]);
    assert_eq!(
        rounds_done("7"),
        ["Check child 1.", "Check child 2.", "Check child 3."]
    );
}

/// A `role` fact: the context says who took the call; the trace shows
/// the call going to that role, then the warm transfer where a Tier 1
/// agent meets an admin account; a role that is not declared is refused.
#[test]
fn the_host_says_which_role_takes_the_call() {
    let policy = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/clean/role-from-host-routed.sop"
    );
    let dir = common::temp_dir("role-from-host");
    let eval = |context: &str| eval_in_context(&dir, policy, r#"{"kind": "admin"}"#, context);
    let transfers = |v: &Value| -> Vec<String> {
        v["trace"]["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .filter(|a| a["kind"] == "transfer")
            .map(|a| a["role"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let (code, tier1) = eval(r#"{"agent": "tier1"}"#);
    assert_eq!(code, 0, "{tier1}");
    assert_eq!(tier1["outcome"]["outcome"], "done");
    assert_eq!(transfers(&tier1), ["tier1", "tier2"]);
    let steps = tier1["trace"]["steps"].to_string();
    assert!(
        steps.starts_with(r#"["agent","agent>tier1","s","route","hand_over""#),
        "{steps}"
    );

    let (code, tier2) = eval(r#"{"agent": "tier2"}"#);
    assert_eq!(code, 0, "{tier2}");
    assert_eq!(transfers(&tier2), ["tier2"]);

    let (code, boss) = eval(r#"{"agent": "boss"}"#);
    assert_eq!(code, 1);
    assert_eq!(boss["error"]["code"], "invalid-answer", "{boss}");

    // The interactive run says who takes the call, and the warm transfer.
    let (code, out, _) = sopc(&["run", policy], "tier1\nadmin\nadm-7\n");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("The Tier 1 agent takes the call."), "{out}");
    assert!(
        out.contains("TRANSFER the call (warm) to Tier 2 agent: Admin account"),
        "{out}"
    );
}

/// A host gives a multi-select as the list of the items that apply: each
/// listed item's `for each` actions run, the others' do not; an item the
/// fact does not have, a list for a fact that is not a multi-select, and
/// a list of non-texts are refused with a code.
#[test]
fn a_host_gives_a_multi_select_as_a_list() {
    let policy = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/engine/host-multiple.sop"
    );
    let dir = common::temp_dir("host-multiple");
    let eval = |context: &str| eval_in_context(&dir, policy, "{}", context);
    let notes = |v: &Value| -> Vec<String> {
        v["trace"]["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .filter_map(|a| a["text"].as_str().map(str::to_string))
            .collect()
    };
    let (code, v) = eval(r#"{"down": ["wifi", "email"]}"#);
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        notes(&v),
        [
            "Tell the caller Email is down.",
            "Tell the caller Wi-Fi is down."
        ]
    );
    assert_eq!(v["trace"]["answers"]["down_vpn"], "no");
    let (code, v) = eval(r#"{"down": []}"#);
    assert_eq!(code, 0, "{v}");
    assert!(notes(&v).is_empty(), "{v}");
    // As a console address gives it: the items separated by commas.
    let (code, v) = eval(r#"{"down": "vpn, email"}"#);
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        notes(&v),
        [
            "Tell the caller Email is down.",
            "Tell the caller VPN is down."
        ]
    );
    for (context, words) in [
        (r#"{"down": ["fax"]}"#, "`fax` is not an item of `down`"),
        (r#"{"down": [3]}"#, "are texts"),
        (r#"{"up": ["email"]}"#, "only a multi-select fact takes"),
    ] {
        let (code, v) = eval(context);
        assert_eq!(code, 2, "{context}: {v}");
        assert_eq!(v["error"]["code"], "bad-input", "{v}");
        let message = v["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(words), "{message}");
    }
}

/// `sopc eval` of `policy` on `answers`, with the host's `context` in a
/// file in `dir`: its exit code and JSON.
fn eval_in_context(
    dir: &std::path::Path,
    policy: &str,
    answers: &str,
    context: &str,
) -> (i32, Value) {
    let file = dir.join("context.json");
    std::fs::write(&file, context).expect("write");
    let args = [
        "eval",
        policy,
        "--answers",
        "-",
        "--context",
        file.to_str().expect("utf-8"),
    ];
    let (code, out, _) = sopc(&args, answers);
    (code, serde_json::from_str::<Value>(&out).expect("json"))
}

/// A `gap` the call goes on past is in the trace where the call passed it,
/// and the call ends where the steps after it lead.
#[test]
fn an_open_question_the_call_goes_on_past_is_in_the_trace() {
    let dir = common::temp_dir("gap-going-on");
    let (code, v) = eval_in_context(
        &dir,
        "tests/fixtures/check/open-gap_going-on.sop",
        "{}",
        "{}",
    );
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["outcome"]["outcome"], "notified", "{v}");
    let gaps: Vec<&Value> = v["trace"]["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter(|a| a["kind"] == "gap")
        .collect();
    assert_eq!(gaps.len(), 1, "{v}");
    assert_eq!(gaps[0]["step"], "critical");
    assert_eq!(
        gaps[0]["note"],
        "The source does not say what to do when a critical customer cannot be contacted"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
