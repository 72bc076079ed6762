//! Seeing a policy: flowcharts and documents of every shipped policy as
//! snapshots (DOT also rendered by Graphviz when it is installed), and the
//! semantic diff between versions.

mod common;

use sopc::diff::diff;

fn compile_file(path: &str) -> sopc::Graph {
    let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
        .expect("readable");
    sopc::compile(&text).expect("compiles")
}

#[test]
fn flowcharts_and_documents_of_shipped_policies() {
    for path in common::shipped_policies() {
        let g =
            sopc::compile(&std::fs::read_to_string(&path).expect("readable")).expect("compiles");
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8")
            .to_string();
        let mermaid = sopc::render::graph::mermaid(&g);
        assert!(mermaid.starts_with("flowchart"));
        let dot = sopc::render::graph::dot(&g);
        if let Ok(mut child) = std::process::Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
        {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(dot.as_bytes())
                .expect("write");
            let out = child.wait_with_output().expect("dot runs");
            assert!(out.status.success(), "{name}: dot failed");
            assert!(
                out.stderr.is_empty(),
                "{name}: dot warned: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
        }
        insta::assert_snapshot!(format!("mermaid_{name}"), mermaid);
        insta::assert_snapshot!(format!("dot_{name}"), dot);
        insta::assert_snapshot!(format!("doc_{name}"), sopc::render::doc::markdown(&g));
    }
}

#[test]
fn the_hac_document_covers_the_seed() {
    let doc = sopc::render::doc::markdown(&compile_file("policies/hac.sop"));
    for n in 1..=9 {
        assert!(
            doc.contains(&format!("Seed step {n}")),
            "seed step {n} missing from the document"
        );
    }
    assert!(doc.contains("| Jennifer Miller | ticket in iSupport |"));
    assert!(doc.contains("| Rodney White | ticket in iSupport |"));
    assert!(doc.contains("| SOP Owner | Arlicia Netto |"));
}

#[test]
fn diff_finds_each_kind_of_change() {
    let base = compile_file("tests/fixtures/diff/base.sop");
    let d = |f: &str| {
        diff(
            &base,
            &compile_file(&format!("tests/fixtures/diff/{f}.sop")),
            10,
        )
        .expect("diff")
    };
    assert!(d("reordered").is_equal(), "reordering changes nothing");
    // Asking in another order changes no ending, but every route.
    let swapped = d("questions_swapped");
    assert!(swapped.changed.count.is_zero() && swapped.tickets.count.is_zero());
    assert_eq!(swapped.route.count.to_u128(), Some(4));
    let route = d("route_changed");
    assert_eq!(route.route.count.to_u128(), Some(1));
    assert!(route.changed.count.is_zero() && route.tickets.count.is_zero());
    assert_eq!(
        route.route.examples[0].new.as_deref(),
        Some("greet -> works -> apologise -> file -> escalated(desk)")
    );
    // Steps are compared by name: a rename is a route change.
    assert_eq!(d("renamed").route.count.to_u128(), Some(2));
    let tickets = d("ticket_changed");
    assert_eq!(tickets.tickets.count.to_u128(), Some(1));
    assert!(
        tickets.route.count.is_zero(),
        "the ticket outranks the route"
    );
    assert_eq!(
        (
            tickets.tickets.examples[0].old.as_deref(),
            tickets.tickets.examples[0].new.as_deref()
        ),
        (
            Some("ticket desk body caller_name"),
            Some("ticket desk title \"Login help\" body caller_name")
        )
    );
    let changed = d("outcome_changed");
    assert_eq!(changed.changed.count.to_u128(), Some(2));
    assert_eq!(
        changed.changed.examples[0].old.as_deref(),
        Some("referred(campus)")
    );
    let added = d("answer_added");
    assert_eq!(added.added.count.to_u128(), Some(1));
    assert_eq!(
        added.added.examples[0].answers,
        vec![("kind".to_string(), "teacher".to_string())]
    );
    let removed = diff(
        &compile_file("tests/fixtures/diff/answer_added.sop"),
        &base,
        10,
    )
    .expect("diff");
    assert_eq!(removed.removed.count.to_u128(), Some(1));
    let decl = d("declarations_changed");
    assert!(decl.changed.count.is_zero());
    assert_eq!(decl.declarations.len(), 3, "{:?}", decl.declarations);
}

#[test]
fn registrar_to_rodney_white_changes_exactly_one_path() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/hac.sop"))
        .expect("hac");
    let edited = text.replacen("  end referred(registrar)", "  goto escalate_rwhite", 1);
    assert_ne!(edited, text);
    let d = diff(
        &sopc::compile(&text).expect("old"),
        &sopc::compile(&edited).expect("new"),
        10,
    )
    .expect("diff");
    assert_eq!(d.changed.count.to_u128(), Some(1));
    let p = &d.changed.examples[0];
    assert_eq!(p.old.as_deref(), Some("referred(registrar)"));
    assert_eq!(p.new.as_deref(), Some("escalated(rwhite)"));
    assert!(p
        .answers
        .contains(&("web_access_checked".to_string(), "no".to_string())));
    // The CLI: exit 1 when behaviour differs, 0 against the formatted form.
    let dir = std::env::temp_dir().join(format!("sopc-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let new = dir.join("hac-new.sop");
    std::fs::write(&new, &edited).expect("write");
    let messy = dir.join("base-messy.sop");
    let base_text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/diff/base.sop"
    ))
    .expect("base");
    std::fs::write(&messy, &base_text).expect("write");
    let formatted = dir.join("base-formatted.sop");
    std::fs::write(
        &formatted,
        sopc::format_source(&base_text).expect("formats"),
    )
    .expect("write");
    let run = |a: &std::path::Path, b: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_sopc"))
            .arg("diff")
            .arg(a)
            .arg(b)
            .output()
            .expect("runs")
            .status
            .code()
    };
    let hac = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/hac.sop"));
    assert_eq!(run(hac, &new), Some(1));
    assert_eq!(run(&messy, &formatted), Some(0));
}

/// 60 yes/no diamonds: 2^60 caller paths, never listed. Changing the last
/// ending changes exactly half of them.
#[test]
fn diff_compares_policies_too_large_to_enumerate() {
    let diamonds = |last: &str| {
        let mut text = String::from("sop \"D\" \"Diamonds\" { owner \"test\" }\noutcome done \"Done\"\noutcome other \"Other\"\n");
        for i in 0..60 {
            let next = if i + 1 < 60 {
                format!("d{}", i + 1)
            } else {
                "end done".into()
            };
            let right = if i + 1 < 60 {
                next.clone()
            } else {
                last.to_string()
            };
            text.push_str(&format!(
                "step d{i} \"Diamond {i}\" {{\n  ask q{i} \"Left or right?\" {{ left right }}\n  left -> l{i}\n  right -> r{i}\n}}\n\
                 step l{i} \"Left {i}\" {{ goto {next} }}\nstep r{i} \"Right {i}\" {{ goto {right} }}\n"
            ));
        }
        sopc::compile(&text).expect("compiles")
    };
    let d = diff(&diamonds("end done"), &diamonds("end other"), 3).expect("diff");
    assert_eq!(d.changed.count.to_string(), "576460752303423488");
    assert_eq!(d.changed.examples.len(), 3);
}
