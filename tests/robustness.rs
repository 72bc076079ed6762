//! Hostile inputs, random mutations of a real policy, and the fuzzers'
//! findings replayed. sopc answers every one with diagnostics or a clear
//! error and exits 0, 1 or 2: it never panics, hangs, or overflows its stack.
//! docs/robustness.md lists what is covered and the limits sopc enforces.

mod common;

use serde_json::Value;
use sopc::{Checked, Code};
use std::path::Path;

/// Checks `text` and renders every diagnostic, as `sopc check` does.
fn check(text: &str) -> (Checked, String) {
    let checked = sopc::check_source(text, &common::options());
    let renderer = sopc::diagnostic::HumanRenderer::new("hostile.sop", text, false);
    let shown: String = checked
        .diagnostics
        .iter()
        .map(|d| renderer.render(d))
        .collect();
    (checked, shown)
}

fn codes(c: &Checked) -> Vec<Code> {
    c.diagnostics.iter().map(|d| d.code).collect()
}

const HEADER: &str = "sop \"T\" \"Hostile\" { owner \"test\" }\noutcome done \"Done\"\n";

fn hac() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/hac.sop");
    std::fs::read_to_string(path).expect("policies/hac.sop")
}

// ---------------------------------------------------------------- hostile inputs

#[test]
fn empty_and_blank_files_are_one_syntax_error() {
    for text in ["", "  \n\t\n", "\u{feff}", "\r\n\r\n"] {
        let (c, shown) = check(text);
        assert_eq!(codes(&c), vec![Code::Syntax], "{text:?}");
        assert!(shown.contains("the policy file is empty"), "{shown}");
    }
}

#[test]
fn nul_bytes_are_named_and_never_printed() {
    let (c, shown) = check(&"\0".repeat(1000));
    assert_eq!(codes(&c), vec![Code::Syntax]);
    assert!(
        c.diagnostics[0].message.contains("a NUL byte (U+0000)"),
        "{}",
        c.diagnostics[0].message
    );
    assert!(!shown.contains('\0'), "a NUL reached the terminal");
    // In the middle of a real policy, the line and column are still right.
    let text = hac().replacen("\nstep ", "\nstep \0", 1);
    let (c, shown) = check(&text);
    assert!(codes(&c).contains(&Code::Syntax));
    assert!(!shown.contains('\0'));
}

#[test]
fn invalid_utf8_is_reported_at_its_byte_and_the_other_files_are_still_checked() {
    let dir = common::temp_dir("utf8");
    let bad = dir.join("latin1.sop");
    std::fs::write(&bad, b"sop \"X\" \"Caf\xe9\" { owner \"x\" }\n").expect("write");
    let bad = bad.to_str().expect("utf-8 path");
    let run = common::sopc(&["check", bad, "policies/hac.sop"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("the file is not UTF-8 text"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("latin1.sop:1:13"), "{}", run.stdout);
    assert!(
        run.stdout.contains("checked 2 policies: 1 error"),
        "{}",
        run.stdout
    );
    let json = common::sopc(&["check", "--format", "json", bad]);
    let v: Value = serde_json::from_str(&json.stdout).expect("json");
    let d = &v["files"][0]["diagnostics"][0];
    assert_eq!(d["code"], "syntax");
    assert_eq!(
        (
            d["range"]["start"]["line"].as_u64(),
            d["range"]["start"]["column"].as_u64()
        ),
        (Some(1), Some(13)),
        "{d}"
    );
    // Commands that need the text refuse it in one line.
    let compile = common::sopc(&["compile", bad]);
    assert_eq!(compile.code, 2);
    assert!(
        compile
            .stderr
            .contains("not UTF-8 text (invalid byte at line 1, column 13)"),
        "{}",
        compile.stderr
    );
}

#[test]
fn a_50_mb_policy_is_checked() {
    let mut text = String::from(HEADER);
    let long = "x".repeat(400);
    let mut i = 0;
    while text.len() < 50_000_000 {
        text.push_str(&format!("step s{i} \"{long}\" {{ goto s{} }}\n", i + 1));
        i += 1;
    }
    text.push_str(&format!("step s{i} \"Last\" {{ end done }}\n"));
    let c = sopc::check_source(&text, &common::options());
    assert!(c.diagnostics.is_empty(), "{:?}", &c.diagnostics[..1]);
    assert_eq!(c.graph.expect("a graph").steps.len(), i + 1);
}

#[test]
fn files_over_the_size_limit_are_refused_with_a_limit_error() {
    // The limit check comes before any parsing: a long run of spaces is enough.
    let text = " ".repeat(sopc::syntax::MAX_SOURCE_BYTES + 1);
    let c = sopc::check_source(&text, &common::options());
    assert_eq!(codes(&c), vec![Code::TooLarge]);
}

/// 100,000 of each construct that repeats: chained steps, nested braces,
/// pieces of one text, names in one list. Run on a thread with a small
/// stack, so recursion anywhere in the passes would show.
#[test]
fn a_hundred_thousand_chained_or_nested_constructs() {
    let run = |text: String| {
        std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(move || {
                let (c, shown) = check(&text);
                (codes(&c), shown.len())
            })
            .expect("thread")
            .join()
            .expect("no stack overflow, no panic")
    };
    const N: usize = 100_000;
    let mut chain = String::from(HEADER);
    for i in 0..N {
        chain.push_str(&format!("step s{i} \"Step {i}\" {{ goto s{} }}\n", i + 1));
    }
    chain.push_str(&format!("step s{N} \"Last\" {{ end done }}\n"));
    assert_eq!(run(chain).0, vec![]);

    let nested = format!("{HEADER}step s \"S\" {}", "{".repeat(N));
    let (c, shown) = run(nested);
    assert_eq!(c, vec![Code::Syntax]);
    assert!(shown < 5_000, "the report of one brace is short");

    let pieces = format!("{HEADER}step s {} {{ end done }}\n", "\"a\" ".repeat(N));
    assert_eq!(run(pieces).0, vec![]);

    let mut list = String::from(HEADER);
    for i in 0..N {
        list.push_str(&format!("data d{i} \"D\" text\n"));
    }
    let names: Vec<String> = (0..N).map(|i| format!("d{i}")).collect();
    list.push_str(&format!(
        "step s \"S\" {{\n  collect {}\n  end done\n}}\n",
        names.join(", ")
    ));
    assert_eq!(run(list).0, vec![]);
}

#[test]
fn a_10_mb_line_is_checked_and_its_errors_shown_briefly() {
    let mut text = HEADER.replace('\n', " ");
    let mut i = 0;
    while text.len() < 10_000_000 {
        text.push_str(&format!(
            "step s{i} \"Step {i} on one long line\" {{ goto s{} }} ",
            i + 1
        ));
        i += 1;
    }
    let end = format!("step s{i} \"Last\" {{ end donee }}");
    text.push_str(&end);
    let (c, shown) = check(&text);
    assert_eq!(codes(&c), vec![Code::UnknownName]);
    // Only the part of the line around the mistake is shown, at its true column.
    assert!(shown.len() < 2_000, "{} bytes of report", shown.len());
    let column = text.chars().count() - "donee }".chars().count() + 1;
    assert!(
        shown.contains(&format!("hostile.sop:1:{column}]")),
        "{shown}"
    );
    assert!(shown.contains("did you mean `done`?"), "{shown}");
}

#[test]
fn a_name_of_100_000_characters() {
    let name = "n".repeat(100_000);
    let text = format!(
        "{HEADER}step {name} \"S\" {{ goto {name}x }}\nstep other \"O\" {{ goto {name} }}\n"
    );
    let (c, shown) = check(&text);
    assert_eq!(codes(&c), vec![Code::UnknownName]);
    assert!(
        shown.contains("declare the step, or check the spelling"),
        "no suggestion for a name that long"
    );
    // The message quotes the name shortened; the span covers all of it.
    assert!(
        c.diagnostics[0].message.len() < 200,
        "{}",
        c.diagnostics[0].message.len()
    );
    assert!(c.diagnostics[0].message.contains("nnnn…nnnn"));
    assert_eq!(c.diagnostics[0].span.map(|s| s.len()), Some(100_001));
}

#[test]
fn ten_thousand_answers_to_one_question() {
    const N: usize = 10_000;
    let answers: Vec<String> = (0..N).map(|i| format!("a{i}")).collect();
    let mut text = format!(
        "{HEADER}step s \"S\" {{\n  ask q \"Which?\" {{ {} }}\n",
        answers.join(" ")
    );
    for a in &answers {
        text.push_str(&format!("  {a} -> end done\n"));
    }
    text.push_str("}\n");
    let graph = sopc::compile(&text).expect("compiles");
    let space = sopc::analysis::states::StateSpace::build(&graph).expect("space");
    assert_eq!(sopc::paths::count(&space).to_u128(), Some(N as u128));
    // Every branch misspelt: one diagnostic each, and it stays fast.
    let wrong = answers.iter().fold(text.clone(), |t, a| {
        t.replace(&format!("  {a} -> "), &format!("  x{a} -> "))
    });
    let (c, _) = check(&wrong);
    // One per branch, and one for the answers left without a branch.
    assert_eq!(c.diagnostics.len(), N + 1);
    assert!(codes(&c).iter().all(|&k| k == Code::NonExhaustive));
}

/// The line and column of each diagnostic, from `sopc check --format json`'s
/// renderer.
fn positions(name: &str, text: &str) -> Vec<(String, u64, u64)> {
    let c = sopc::check_source(text, &common::options());
    let v = sopc::render::check_json::file_report(name, text, &c.diagnostics);
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["range"]["start"]["line"].as_u64().unwrap_or(0),
                d["range"]["start"]["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn crlf_line_endings_and_a_byte_order_mark_change_nothing() {
    let lf = hac();
    let broken_lf = lf.replace("goto ", "goto nowhere_");
    let expected = positions("hac.sop", &broken_lf);
    assert_eq!(expected.len(), 2, "{expected:?}");
    for (what, text) in [
        ("CRLF", broken_lf.replace('\n', "\r\n")),
        ("BOM", format!("\u{feff}{broken_lf}")),
        (
            "BOM and CRLF",
            format!("\u{feff}{}", broken_lf.replace('\n', "\r\n")),
        ),
    ] {
        assert_eq!(positions("hac.sop", &text), expected, "{what}");
        let (_, shown) = check(&text);
        assert!(
            !shown.contains('\r'),
            "{what}: a carriage return reached the terminal"
        );
    }
    for text in [lf.replace('\n', "\r\n"), format!("\u{feff}{lf}")] {
        assert!(check(&text).0.diagnostics.is_empty());
        // The formatter keeps the meaning and writes plain LF.
        let formatted = sopc::format_source(&text).expect("formats");
        assert!(!formatted.contains('\r'));
    }
}

/// The display column of byte `at` in `line`: combining marks take no
/// column, everything used here takes one.
fn display_column(line: &str) -> usize {
    line.chars()
        .filter(|c| {
            !('\u{0300}'..='\u{036f}').contains(c) && !('\u{0591}'..='\u{05c7}').contains(c)
        })
        .count()
}

#[test]
fn right_to_left_and_combining_characters_keep_carets_in_place() {
    // Hebrew with points, Arabic, and e + combining acute, before a mistake.
    let prefix = "step greet \"שָׁלוֹם مرحبا Cafe\u{301}\" { goto ";
    let text = format!("{HEADER}{prefix}nowhere }}\n");
    let pos = positions("rtl.sop", &text);
    assert_eq!(
        pos,
        vec![("unknown-name".into(), 3, prefix.chars().count() as u64 + 1)]
    );
    let (_, shown) = check(&text);
    let source_line = shown
        .lines()
        .find(|l| l.contains("goto nowhere"))
        .expect("the line is shown");
    let caret_line = shown.lines().find(|l| l.contains('┬')).expect("a caret");
    let line_start = source_line
        .find(prefix)
        .expect("the text is shown as written");
    let caret = caret_line.find(['─', '┬']).expect("caret");
    let gutter = display_column(&source_line[..line_start]);
    let caret_col = display_column(&caret_line[..caret]);
    assert_eq!(
        caret_col - gutter,
        display_column(prefix),
        "the caret is not under `nowhere`:\n{shown}"
    );
}

// ---------------------------------------------------------------- mutations

/// A tiny deterministic generator, so a failing mutation reproduces.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// One to three byte flips, byte deletions, or duplicated or deleted lines.
fn mutate(base: &[u8], r: &mut Rng) -> Vec<u8> {
    let mut bytes = base.to_vec();
    for _ in 0..1 + r.below(3) {
        if bytes.is_empty() {
            break;
        }
        let at = r.below(bytes.len());
        match r.below(4) {
            0 => bytes[at] ^= 1 << r.below(8),
            1 => {
                let n = 1 + r.below(8);
                bytes.drain(at..(at + n).min(bytes.len()));
            }
            kind => {
                let start = bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let end = bytes[at..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |i| at + i + 1);
                if kind == 2 {
                    let line = bytes[start..end].to_vec();
                    bytes.splice(start..start, line);
                } else {
                    bytes.drain(start..end);
                }
            }
        }
    }
    bytes
}

/// 10,000 mutations of the HAC policy, checked and rendered in process: no
/// panic, and none takes long (a hang would show as a slow case; the bound
/// is loose because tests run unoptimised on shared machines).
#[test]
fn ten_thousand_mutations_of_hac_never_panic_or_hang() {
    let base = hac().into_bytes();
    let mut r = Rng(0x5eed_f4ac);
    let mut slowest = std::time::Duration::ZERO;
    let mut verdicts = [0usize; 3];
    for case in 0..10_000 {
        let bytes = mutate(&base, &mut r);
        let started = std::time::Instant::now();
        let outcome = std::panic::catch_unwind(|| match std::str::from_utf8(&bytes) {
            Ok(text) => {
                let (c, _) = check(text);
                usize::from(c.has_errors())
            }
            Err(_) => 2,
        });
        let elapsed = started.elapsed();
        slowest = slowest.max(elapsed);
        let Ok(v) = outcome else {
            panic!(
                "mutation {case} panics:\n{}",
                String::from_utf8_lossy(&bytes)
            );
        };
        verdicts[v] += 1;
        assert!(
            elapsed < std::time::Duration::from_secs(5),
            "mutation {case} took {elapsed:?}:\n{}",
            String::from_utf8_lossy(&bytes)
        );
    }
    // Most mutations break the policy; some (in comments or texts) do not.
    assert!(verdicts[0] > 100 && verdicts[1] > 5_000, "{verdicts:?}");
}

/// The grammar's boundaries, where it is written for speed rather than
/// word by word (grammar/sop.pest): keywords run into the next word,
/// comments and blanks in odd places, answers that are keywords. On
/// mutations of the seed policy, every refused text gets errors with a
/// span, and the builder reads whatever the grammar accepts.
#[test]
fn the_grammar_accepts_and_refuses_at_its_boundaries() {
    let agree = |text: &str| {
        let parsed = sopc::syntax::parse(text);
        for d in &parsed.diagnostics {
            assert!(d.span.is_some(), "{d:?}:\n{text}");
            assert!(!d.message.starts_with("internal error"), "{d:?}:\n{text}");
        }
        !parsed.has_errors()
    };
    let policy = |body: &str| format!("sop \"X\" \"Y\" {{}}\n{body}\noutcome done\n");
    for (body, ok) in [
        ("step a \"A\" # why\n \"more\" { end done }", true),
        ("step a \"cr\rhere\" { end done }", false),
        ("step a \"bad \\q escape\" { end done }", false),
        ("step a { ask q { yes step } yes -> a }", false),
        ("step a { match q { role -> a } }", false),
        ("step a { ask q { yes roles } roles -> a }", true),
        ("step a {\u{b}end done }", false),
        ("step a {\u{feff}end done }", true),
        ("# between\nstep a { end done } # after", true),
        ("step a { goto a at most 2 times, then end done }", true),
        ("step a { goto a at most 2 timesthen end done }", false),
        ("stepa { end done }", false),
        ("step a { else -> a }", false),
        ("step a { ask q { a } else -> end done(x) }", true),
        ("step a { ask q { elsewhere } elsewhere -> a }", true),
        (
            "step a { ask q { a } a -> endpoint }\nstep endpoint { end done }",
            true,
        ),
        ("step a { ask q { a } a -> end#c\ndone }", true),
        ("step a { ask q { a } a -> enddone }", true),
        ("step a { goto a at most 2times then end done }", false),
        ("step a { goto a at most2 times then end done }", false),
        ("step a { goto a at most 2 times then# c\nend done }", true),
        ("step a \"A\"by r { end done }", true),
        ("step a by#c\nr { end done }", true),
        ("stepa{ end done }", false),
        ("step a { lintallow x end done }", false),
        ("step a { do\"x\"do\"y\" end done }", true),
        ("step a { do\"glued\" end done }", true),
        (
            "step a { ticket t { title \"T\" body x, y assignee z field f \"F\" } end done }",
            true,
        ),
        (
            "scenario \"s\" { answers q = [a, b], r = c expect done visits a }",
            true,
        ),
    ] {
        assert_eq!(agree(&policy(body)), ok, "{body}");
    }
    let base = hac().into_bytes();
    let mut r = Rng(0x9a11_0c0d);
    let mut accepted = 0;
    for _ in 0..2_000 {
        if let Ok(text) = String::from_utf8(mutate(&base, &mut r)) {
            accepted += usize::from(agree(&text));
        }
    }
    assert!(accepted > 50, "too few mutations parse: {accepted}");
}

/// A large policy is parsed in parts, one thread each (`syntax::parse`);
/// the parts must give the tree and the diagnostics of one pass. On
/// generated policies, on mutations of the seed policy, and on texts where a
/// line that starts with a declaration keyword is inside a block or follows
/// an unfinished declaration, so that a cut there must fall back.
#[test]
fn parsing_in_parts_gives_the_result_of_one_pass() {
    let mut compared = 0;
    let mut same = |text: &str| {
        let one = sopc::syntax::parse_in_one_pass(text);
        for parts in 2..=5 {
            if let Some(split) = sopc::syntax::parse_in_parts(text, parts) {
                compared += 1;
                assert_eq!(split.policy, one.policy, "{parts} parts:\n{text}");
                assert_eq!(split.diagnostics, one.diagnostics, "{parts} parts:\n{text}");
            }
        }
        !one.has_errors()
    };
    for seed in 1..=3 {
        assert!(same(&sopc::synth::generate(400, seed)));
    }
    let policy = |body: &str| format!("sop \"X\" \"Y\" {{}}\n{body}\noutcome done\n");
    for (body, ok) in [
        (
            "step a {\nstep b { end done }\n}\nstep c { end done }",
            false,
        ),
        ("step a { goto\nstep b }\nstep b { end done }", false),
        ("never disclose\ndata x secret", false),
        ("data x \"X\"\nsecret\nstep a { end done }", true),
        ("step a # {\nstep b { end done }\nstep c { goto a }", false),
        (
            "step a \"A\"\n\"more\" { end done }\nstep b { goto a }",
            true,
        ),
    ] {
        assert_eq!(same(&policy(body)), ok, "{body}");
    }
    let base = hac().into_bytes();
    let mut r = Rng(0x5b11_7000);
    for _ in 0..300 {
        if let Ok(text) = String::from_utf8(mutate(&base, &mut r)) {
            same(&text);
        }
    }
    assert!(compared > 1_000, "too few texts were cut: {compared}");
}

/// `parse` itself cuts a text of 512 KB or more in parts on a machine with
/// several cores: a broken step in the second half gets the diagnostics, and
/// a clean text the tree, of one pass.
#[test]
fn a_large_policy_parses_as_in_one_pass() {
    let text = sopc::synth::generate(5_000, 9);
    assert!(text.len() > 512 * 1024, "{} bytes", text.len());
    let at = text.rfind("  goto s").expect("a goto");
    let mut broken = text.clone();
    broken.replace_range(at..at + 6, "  gto ");
    for text in [&text, &broken] {
        let (split, one) = (
            sopc::syntax::parse(text),
            sopc::syntax::parse_in_one_pass(text),
        );
        assert_eq!(split.policy, one.policy);
        assert_eq!(split.diagnostics, one.diagnostics);
    }
    let broken = sopc::syntax::parse(&broken);
    assert_eq!(broken.diagnostics.len(), 1, "{:#?}", broken.diagnostics);
    // The broken step is left out; every other step is in the tree.
    let whole = sopc::syntax::parse(&text);
    assert_eq!(broken.policy.steps.len() + 1, whole.policy.steps.len());
}

/// A sample of the mutations through the real binary: exit 0, 1 or 2, and
/// never the panic hook's message.
#[test]
fn mutated_policies_exit_0_1_or_2_from_the_binary() {
    let dir = common::temp_dir("mutations");
    let base = hac().into_bytes();
    let mut r = Rng(0xfeed_beef);
    for case in 0..150 {
        let file = dir.join(format!("m{case}.sop"));
        std::fs::write(&file, mutate(&base, &mut r)).expect("write");
        let run = common::sopc(&["check", "--format", "json", file.to_str().expect("utf-8")]);
        assert!(
            matches!(run.code, 0 | 1),
            "mutation {case}: exit {}\n{}",
            run.code,
            run.stderr
        );
        assert!(!run.stderr.contains("bug in sopc"), "{}", run.stderr);
        let v: Value = serde_json::from_str(&run.stdout).expect("json output");
        assert_eq!(v["files"].as_array().map(Vec::len), Some(1));
    }
}

// ---------------------------------------------------------------- fuzz findings

/// Every input the fuzzers found interesting enough to keep, replayed by the
/// very code that found it (`sopc::harness`).
#[test]
fn fuzz_findings_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let hac = sopc::Engine::new(sopc::compile(&hac()).expect("hac compiles")).expect("verifies");
    let mut replayed = 0;
    for target in ["check", "artifact", "engine", "fmt"] {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for e in entries {
            let path = e.expect("entry").path();
            let data = std::fs::read(&path).expect("readable");
            let name = path.display().to_string();
            let result = std::panic::catch_unwind(|| match target {
                "check" => sopc::harness::check_bytes(&data),
                "artifact" => sopc::harness::artifact_bytes(&data),
                "engine" => sopc::harness::engine_bytes(&hac, &data),
                _ => sopc::harness::fmt_bytes(&data),
            });
            assert!(result.is_ok(), "{name} fails again");
            replayed += 1;
        }
    }
    assert!(replayed >= 4, "only {replayed} findings replayed");
}

/// If a panic ever slips through, the user sees two lines and exit 2, not a
/// backtrace and Rust's 101.
#[test]
fn a_panic_becomes_a_short_bug_report_and_exit_2() {
    use std::process::Command;
    let o = Command::new(env!("CARGO_BIN_EXE_sopc"))
        .args(["check", "policies/hac.sop"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOPC_TEST_PANIC", "1")
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("sopc runs");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("This is a bug in sopc"), "{err}");
    assert_eq!(err.lines().count(), 2, "{err}");
}
