//! Criterion benches on generated policies (`sopc::synth`):
//!
//! ```sh
//! cargo bench --features bench --bench sopc              # everything
//! cargo bench --features bench --bench sopc -- engine    # one group
//! ```
//!
//! Groups: `parse` (with throughput, and a trivial `key = value` pest
//! grammar on as many bytes as the 10k policy: the yardstick), `front`
//! (resolve + lower), `checks` (every graph check), `check` (the whole
//! `check_source`), `count`
//! (`paths --count`), `artifact` (compile to JSON, load and verify), and
//! `engine`: a complete caller path through `Engine::run`, against a
//! hand-written walk over a `Vec` of nodes on the same answers (the
//! physical-limit baseline), and over 10- and 40-question chains; `lsp`:
//! diagnostics published by `sopc lsp` after a one-character edit, against
//! an in-process `check_source` of the same text; `library`: 200 policies
//! sharing a library through `use`, and a procedure called 10 and 100
//! times; `loop_bound`: one `loop` bound on a loop with four ways back
//! against a bound on each; `typed`: the generated policy with host facts,
//! ranges and verification mixed in, against the plain one.

extern crate alloc;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use pest::Parser;
use sopc::graph::{Dest, Exit, Graph};
use std::hint::black_box;

const SIZES: &[usize] = &[1_000, 10_000, 100_000];

// As in the binary, so that allocation costs what it costs there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// benches/keyvalue.pest.
#[derive(pest_derive::Parser)]
#[grammar = "benches/keyvalue.pest"]
struct KeyValue;

/// `key_N = ...` lines up to `bytes` long.
fn key_values(bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 64);
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&format!("key_{i} = value number {i} for the setting\n"));
        i += 1;
    }
    text
}

fn policy(steps: usize) -> String {
    sopc::synth::generate(steps, 7)
}

fn graph(text: &str) -> Graph {
    sopc::compile(text).expect("generated policies compile")
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group.sample_size(10);
    for &n in SIZES {
        let text = policy(n);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, t| {
            b.iter(|| sopc::parse(black_box(t)))
        });
    }
    // The 10k and 100k texts are parsed in parts on both cores; this is one
    // thread's throughput, as the yardstick's.
    let text = policy(10_000);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_with_input(BenchmarkId::new("one_pass", "10k"), &text, |b, t| {
        b.iter(|| sopc::syntax::parse_in_one_pass(black_box(t)))
    });
    let text = key_values(policy(10_000).len());
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_with_input(BenchmarkId::new("keyvalue", "10k"), &text, |b, t| {
        b.iter(|| {
            KeyValue::parse(Rule::file, black_box(t))
                .map(|pairs| pairs.count())
                .expect("key = value lines parse")
        })
    });
    group.finish();
}

fn front(c: &mut Criterion) {
    let mut group = c.benchmark_group("front");
    group.sample_size(10);
    for &n in SIZES {
        let text = policy(n);
        let ast = sopc::parse(&text).policy;
        group.bench_with_input(BenchmarkId::from_parameter(n), &ast, |b, ast| {
            // Lowering consumes the tree: each run gets a copy, not timed.
            b.iter_batched(
                || ast.clone(),
                |ast| {
                    let mut diags = Vec::new();
                    let symbols = sopc::resolve::resolve(&ast, &mut diags);
                    sopc::lower::lower(ast, &symbols, &mut diags)
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn checks(c: &mut Criterion) {
    let mut group = c.benchmark_group("checks");
    group.sample_size(10);
    for &n in SIZES {
        let g = graph(&policy(n));
        group.bench_with_input(BenchmarkId::from_parameter(n), &g, |b, g| {
            b.iter(|| sopc::check::run(g, &Default::default(), &Default::default()))
        });
    }
    group.finish();
}

fn check(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    for &n in SIZES {
        let text = policy(n);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, t| {
            b.iter(|| sopc::check_source(t, &Default::default()))
        });
    }
    group.finish();
}

fn count(c: &mut Criterion) {
    let mut group = c.benchmark_group("count");
    group.sample_size(10);
    for &n in SIZES {
        let g = graph(&policy(n));
        group.bench_with_input(BenchmarkId::from_parameter(n), &g, |b, g| {
            b.iter(|| {
                let space = sopc::analysis::states::StateSpace::build(g).expect("space");
                sopc::paths::count(&space)
            })
        });
    }
    group.finish();
}

fn artifact(c: &mut Criterion) {
    let mut group = c.benchmark_group("artifact");
    group.sample_size(10);
    for &n in &SIZES[..2] {
        let g = graph(&policy(n));
        let json = sopc::artifact::write(&g);
        group.bench_with_input(BenchmarkId::new("to_json", n), &g, |b, g| {
            b.iter(|| sopc::artifact::write(g))
        });
        group.bench_with_input(BenchmarkId::new("load", n), &json, |b, j| {
            b.iter(|| sopc::artifact::read(j).expect("loads"))
        });
    }
    group.finish();
}

/// A baseline edge: destination, counter slot, and `(times, then)` when bounded.
type BaseEdge = (u32, u32, Option<(u32, u32)>);

/// The hand-written baseline: nodes in a `Vec`, answers as small integers.
enum Node {
    Ask { fact: usize, next: Vec<BaseEdge> },
    Match { fact: usize, next: Vec<BaseEdge> },
    Goto(u32, u32, Option<(u32, u32)>),
    End,
}

const END: u32 = u32::MAX;
/// A fact the baseline walk has no answer for yet.
const UNKNOWN: u32 = u32::MAX;

fn baseline_nodes(g: &Graph) -> (Vec<Node>, usize) {
    let d = |x: Dest| match x {
        Dest::Step(s) => s.0,
        // A checked policy has no missing branch on a feasible path.
        Dest::End(_) | Dest::Unmatched => END,
    };
    let mut slots = 0u32;
    let mut slot = |bounded: bool| {
        if bounded {
            slots += 1;
            slots - 1
        } else {
            0
        }
    };
    let nodes = g
        .steps
        .iter()
        .map(|s| {
            let mut edge = |e: &sopc::graph::Edge| {
                (
                    d(e.to),
                    slot(e.bound.is_some()),
                    e.bound.map(|b| (b.times, d(b.then))),
                )
            };
            match &s.exit {
                Exit::Ask { fact, branches } => Node::Ask {
                    fact: fact.index(),
                    next: branches.iter().map(&mut edge).collect(),
                },
                Exit::Match { fact, branches } => Node::Match {
                    fact: fact.index(),
                    next: branches.iter().map(&mut edge).collect(),
                },
                Exit::Goto { edge: e } => {
                    let (a, b, c) = edge(e);
                    Node::Goto(a, b, c)
                }
                _ => Node::End,
            }
        })
        .collect();
    (nodes, slots as usize)
}

/// Walks the baseline nodes; returns the number of steps taken.
fn baseline_walk(
    nodes: &[Node],
    start: u32,
    answers: &[u32],
    facts: &mut [u32],
    counters: &mut [u32],
) -> u32 {
    let mut at = start;
    let mut next_answer = 0;
    let mut steps = 0;
    loop {
        steps += 1;
        let (to, slot, bound) = match &nodes[at as usize] {
            Node::End => return steps,
            Node::Goto(a, b, c) => (*a, *b, *c),
            Node::Ask { fact, next } => {
                let a = answers[next_answer];
                next_answer += 1;
                facts[*fact] = a;
                next[a as usize]
            }
            Node::Match { fact, next } => {
                // A declared fact (from the host, looked up) is given
                // where a match first reads it, as the engine takes it.
                if facts[*fact] == UNKNOWN {
                    facts[*fact] = answers[next_answer];
                    next_answer += 1;
                }
                next[facts[*fact] as usize]
            }
        };
        let to = match bound {
            Some((times, then)) if counters[slot as usize] >= times => then,
            Some(_) => {
                counters[slot as usize] += 1;
                to
            }
            None => to,
        };
        if to == END {
            return steps;
        }
        at = to;
    }
}

/// A chain of `len` yes/no questions, each leading to the next.
fn chain(len: usize) -> String {
    let mut text = String::from("sop \"C\" \"Chain\" { owner \"bench\" }\noutcome done \"Done\"\n");
    for i in 0..len {
        let next = if i + 1 < len {
            format!("c{}", i + 1)
        } else {
            "end done".into()
        };
        text.push_str(&format!(
            "step c{i} \"Step {i}\" {{\n  ask q{i} \"Q{i}?\" {{ yes no }}\n  yes -> {next}\n  no -> {next}\n}}\n"
        ));
    }
    text
}

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine");
    // The generated policy, and the same with host facts, ranges and
    // verifications (`_typed`): each against the hand-written walk on the
    // same answers.
    let cases = SIZES[..2].iter().flat_map(|&n| {
        [
            (n, "", policy(n)),
            (n, "_typed", sopc::synth::generate_typed(n, 1)),
        ]
    });
    for (n, kind, text) in cases {
        let g = graph(&text);
        // Caller paths to replay: the first listed ones.
        let space = sopc::analysis::states::StateSpace::build(&g).expect("space");
        let paths = sopc::paths::enumerate(&g, &space, 64);
        let answers: Vec<Vec<u32>> = paths
            .iter()
            .map(|p| p.answers.iter().map(|&(_, a)| a).collect())
            .collect();
        let engine = sopc::Engine::new(g.clone()).expect("verifies");
        let mut scratch = sopc::engine::Scratch::default();
        assert!(
            answers
                .iter()
                .all(|a| engine.run_in(&mut scratch, a).is_some()),
            "every replayed path ends"
        );
        let (nodes, slots) = baseline_nodes(&g);
        group.bench_with_input(
            BenchmarkId::new(format!("engine_per_path{kind}"), n),
            &answers,
            |b, answers| {
                let mut scratch = sopc::engine::Scratch::default();
                b.iter(|| {
                    for a in answers {
                        black_box(engine.run_in(&mut scratch, black_box(a)));
                    }
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new(format!("baseline_per_path{kind}"), n),
            &answers,
            |b, answers| {
                let mut facts = vec![UNKNOWN; g.facts.len()];
                let mut counters = vec![0u32; slots];
                b.iter(|| {
                    for a in answers {
                        facts.iter_mut().for_each(|f| *f = UNKNOWN);
                        counters.iter_mut().for_each(|c| *c = 0);
                        black_box(baseline_walk(
                            &nodes,
                            g.start.0,
                            black_box(a),
                            &mut facts,
                            &mut counters,
                        ));
                    }
                })
            },
        );
    }
    // Path length: chains of 10 and 40 yes/no questions.
    for len in [10usize, 40] {
        let engine = sopc::Engine::new(graph(&chain(len))).expect("verifies");
        let answers = vec![0u32; len];
        group.bench_with_input(
            BenchmarkId::new("chain_questions", len),
            &answers,
            |b, a| {
                let mut scratch = sopc::engine::Scratch::default();
                b.iter(|| engine.run_in(&mut scratch, black_box(a)))
            },
        );
    }
    group.finish();
}

/// Standing rules: 40 handlers over a 1,000-step policy, against the same
/// policy without them (the ratio is their cost).
fn standing(c: &mut Criterion) {
    let mut group = c.benchmark_group("standing");
    group.sample_size(10);
    for (name, text) in [
        ("none", sopc::synth::generate(1_000, 1)),
        (
            "40_rules",
            sopc::synth::generate_with_standing_rules(1_000, 1, 40),
        ),
    ] {
        group.bench_with_input(BenchmarkId::new("check", name), &text, |b, t| {
            b.iter(|| sopc::check_source(t, &Default::default()))
        });
    }
    group.finish();
}

/// A loop with four ways back, bounded by one `loop` line, against the same
/// loop with a bound on each way back (the same N): check time and the
/// path count, for one loop and a chain of ten (the counts are held in
/// tests/checks.rs).
fn loop_bound(c: &mut Criterion) {
    let mut group = c.benchmark_group("loop_bound");
    group.sample_size(20);
    for blocks in [1, 10] {
        for (name, per_branch) in [("one_loop_bound", false), ("four_branch_bounds", true)] {
            let text = sopc::synth::generate_retry_loops(blocks, 3, per_branch);
            let id = format!("{name}/{blocks}");
            group.bench_with_input(BenchmarkId::new("check", &id), &text, |b, t| {
                b.iter(|| sopc::check_source(t, &Default::default()))
            });
            let g = graph(&text);
            group.bench_with_input(BenchmarkId::new("count", &id), &g, |b, g| {
                b.iter(|| {
                    let space = sopc::analysis::states::StateSpace::build(g).expect("space");
                    sopc::paths::count(&space)
                })
            });
        }
    }
    group.finish();
}

/// `sopc lsp` (the release binary, over its standard input and output) as
/// an editor drives it: one client, a document open, and per iteration a
/// one-character edit sent whole (`didChange`) and the diagnostics it
/// publishes read back. Against it, an in-process `check_source` of the
/// same texts.
fn lsp(c: &mut Criterion) {
    let mut group = c.benchmark_group("lsp");
    group.sample_size(20);
    let hac = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/hac.sop"))
        .expect("policies/hac.sop");
    for (name, text, word) in [
        ("1000_steps", policy(1_000), "Generated"),
        ("hac", hac, "Supporting"),
    ] {
        // Two texts one character apart, taken in turn.
        let other = text.replacen(word, &word.to_lowercase(), 1);
        let texts = [text, other];
        let mut opts = sopc::CheckOptions::default();
        opts.check.today = sopc::date::Date::new(2026, 11, 28);
        group.bench_function(BenchmarkId::new("check_source", name), |b| {
            let mut k = 0;
            b.iter(|| {
                k ^= 1;
                sopc::check_source(black_box(&texts[k]), &opts)
            })
        });
        let mut server = LspClient::start();
        let uri = format!("file:///tmp/sopc-bench-{name}.sop");
        server.open(&uri, &texts[0]);
        let mut version = 1;
        group.bench_function(BenchmarkId::new("publish", name), |b| {
            b.iter(|| {
                version += 1;
                server.change(&uri, version, &texts[version as usize % 2])
            })
        });
        server.finish();
    }
    group.finish();
}

/// Just enough of an editor to time `sopc lsp`.
struct LspClient {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    stdout: std::io::BufReader<std::process::ChildStdout>,
}

impl LspClient {
    fn start() -> Self {
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_sopc"))
            .args(["lsp", "--today", "2026-11-28"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("sopc lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        let mut client = LspClient {
            child,
            stdin,
            stdout,
        };
        client.send(
            &serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"processId": null, "rootUri": null, "capabilities": {}}}),
        );
        client.read_until(|m| m["id"] == 1);
        client.send(&serde_json::json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
        client
    }

    fn send(&mut self, msg: &serde_json::Value) {
        use std::io::Write;
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn read_until(&mut self, done: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        use std::io::{BufRead, Read};
        loop {
            let mut length = 0;
            loop {
                let mut line = String::new();
                self.stdout.read_line(&mut line).expect("read");
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    length = n.parse().expect("a length");
                }
            }
            let mut body = vec![0; length];
            self.stdout.read_exact(&mut body).expect("a body");
            let msg: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
            if done(&msg) {
                return msg;
            }
        }
    }

    /// The diagnostics of `version`, once published.
    fn diagnostics(&mut self, version: i64) -> usize {
        let msg = self.read_until(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == version
        });
        msg["params"]["diagnostics"].as_array().map_or(0, Vec::len)
    }

    fn open(&mut self, uri: &str, text: &str) -> usize {
        self.send(&serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "sop", "version": 1, "text": text}}}));
        self.diagnostics(1)
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) -> usize {
        self.send(
            &serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
            "params": {"textDocument": {"uri": uri, "version": version},
                       "contentChanges": [{"text": text}]}}),
        );
        self.diagnostics(version)
    }

    fn finish(mut self) {
        self.send(&serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
        self.read_until(|m| m["id"] == 2);
        self.send(&serde_json::json!({"jsonrpc": "2.0", "method": "exit"}));
        let _ = self.child.wait();
    }
}

/// The service rebuilds a call from its recorded events on every request
/// (`serve::calls`): replaying a call of 10 and 40 answers and writing its
/// state, against one live session answering the same questions.
fn service(c: &mut Criterion) {
    use sopc::serve::calls::Call;
    let mut group = c.benchmark_group("service");
    for len in [10usize, 40] {
        let engine = sopc::Engine::new(graph(&chain(len))).expect("verifies");
        let events: Vec<serde_json::Value> = (0..len)
            .map(|i| serde_json::json!({ "type": "answer", "fact": format!("q{i}"), "answer": "yes" }))
            .collect();
        group.bench_with_input(
            BenchmarkId::new("replay_and_state", len),
            &events,
            |b, ev| {
                b.iter(|| {
                    let call = Call::replay(&engine, &serde_json::Value::Null, black_box(ev))
                        .expect("replays");
                    black_box(call.state_json())
                })
            },
        );
        group.bench_with_input(BenchmarkId::new("live_session", len), &len, |b, &len| {
            b.iter(|| {
                let mut s = engine.start();
                for i in 0..len {
                    s.answer(&format!("q{i}"), "yes").expect("answers");
                }
                black_box(s.outcome())
            })
        });
    }
    group.finish();
}

/// A policy of `calls` steps, each calling one `steps`-step procedure of
/// yes/no checks (`yes` goes on, `no` leaves by `failed`).
fn procedure_calls(calls: usize, steps: usize) -> String {
    let mut t = String::from(
        "sop \"P\" \"Procedure calls\" {}\noutcome done \"Done\" resolved\noutcome refused \"Refused\" declined\n",
    );
    t.push_str("procedure check \"Check\" exits ok, failed {\n");
    for i in 0..steps {
        let next = if i + 1 == steps {
            "exit ok".to_string()
        } else {
            format!("c{}", i + 1)
        };
        t.push_str(&format!(
            "  step c{i} \"Check {i}\" {{\n    ask q{i} \"Does item {i} match?\" {{ yes no }}\n    yes -> {next}\n    no -> exit failed\n  }}\n"
        ));
    }
    t.push_str("}\n");
    for i in 0..calls {
        let next = if i + 1 == calls {
            "end done".to_string()
        } else {
            format!("s{}", i + 1)
        };
        t.push_str(&format!(
            "step s{i} \"Call {i}\" {{\n  call check {{ ok -> {next}  failed -> end refused }}\n}}\n"
        ));
    }
    t
}

/// A shared library (roles, targets, data, outcomes and a 10-step
/// procedure) and `n` policies that use it, as files in memory; and the same
/// policies with the library's text written into each.
fn library_folder(
    n: usize,
) -> (
    sopc::sources::MemoryFiles,
    Vec<(String, String)>,
    Vec<String>,
) {
    let mut lib = String::from("library \"L\" \"Shared\" {}\nrole analyst \"Analyst\"\n");
    for i in 0..10 {
        lib.push_str(&format!(
            "target t{i} \"Team {i}\" ticket via \"iSupport\" requires d{i}\n"
        ));
    }
    for i in 0..20 {
        lib.push_str(&format!("data d{i} \"Item {i}\" text\n"));
    }
    lib.push_str("outcome done \"Done\" resolved\noutcome refused \"Refused\" declined\n");
    for i in 0..10 {
        lib.push_str(&format!(
            "outcome esc{i} \"Escalated to team {i}\" escalation to t{i}\n"
        ));
    }
    lib.push_str("procedure check_id \"Verify\" exits ok, failed {\n");
    for i in 0..10 {
        let next = if i == 9 {
            "exit ok".to_string()
        } else {
            format!("v{}", i + 1)
        };
        lib.push_str(&format!(
            "  step v{i} \"Verify {i}\" {{\n    ask m{i} \"Item {i} matches?\" {{ yes no }}\n    yes -> {next}\n    no -> exit failed\n  }}\n"
        ));
    }
    lib.push_str("}\n");
    let body = |k: usize| {
        let mut t = String::new();
        t.push_str("step s0 \"Verify\" by analyst {\n  call check_id { ok -> s1  failed -> end refused }\n}\n");
        for i in 1..20 {
            let target = (k + i) % 10;
            t.push_str(&format!(
                "step s{i} \"Step {i}\" by analyst {{\n  ask a{i} \"Escalate {i}?\" {{ yes no }}\n  yes -> e{i}\n  no -> {}\n}}\nstep e{i} \"File {i}\" {{\n  collect d{target}\n  ticket t{target} {{ title \"Case\" body d{target} }}\n  end esc{target}(t{target})\n}}\n",
                if i == 19 { "end done".to_string() } else { format!("s{}", i + 1) }
            ));
        }
        t
    };
    let mut files = std::collections::HashMap::new();
    files.insert("p/common/shared.sop".to_string(), lib.clone());
    let mut using = Vec::new();
    let mut inline = Vec::new();
    let own = lib.replacen("library \"L\" \"Shared\" {}\n", "", 1);
    for k in 0..n {
        let head = format!("sop \"P{k}\" \"Policy {k}\" {{}}\n");
        using.push((
            format!("p/p{k}.sop"),
            format!("{head}use \"common/shared.sop\"\n{}", body(k)),
        ));
        inline.push(format!("{head}{own}{}", body(k)));
    }
    (sopc::sources::MemoryFiles(files), using, inline)
}

/// `use` and procedures: a folder of 200 policies sharing a library,
/// checked whole, against the same policies with the library written into
/// each; and a procedure called 10 and 100 times (copies cost in
/// proportion).
fn library(c: &mut Criterion) {
    let mut group = c.benchmark_group("library");
    group.sample_size(10);
    let (files, using, inline) = library_folder(200);
    for (name, text) in &using[..1] {
        let checked = sopc::check_file(name, text, &Default::default(), &files);
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    }
    group.bench_function("200_policies_use", |b| {
        b.iter(|| {
            for (name, text) in &using {
                black_box(sopc::check_file(name, text, &Default::default(), &files));
            }
        })
    });
    group.bench_function("200_policies_inline", |b| {
        b.iter(|| {
            for text in &inline {
                black_box(sopc::check_source(text, &Default::default()));
            }
        })
    });
    for calls in [10, 100] {
        let text = procedure_calls(calls, 50);
        assert!(!sopc::check_source(&text, &Default::default()).has_errors());
        group.bench_with_input(
            BenchmarkId::new("procedure_50_steps_calls", calls),
            &text,
            |b, t| b.iter(|| sopc::check_source(t, &Default::default())),
        );
    }
    group.finish();
}

/// Issue 15's constructs (host facts with time ranges, amounts, `verify`)
/// in the generated policy, against the same policy without them.
fn typed(c: &mut Criterion) {
    let mut group = c.benchmark_group("typed");
    group.sample_size(10);
    for &n in SIZES {
        for (name, text) in [
            ("plain", sopc::synth::generate(n, 1)),
            ("typed", sopc::synth::generate_typed(n, 1)),
        ] {
            assert!(!sopc::check_source(&text, &Default::default()).has_errors());
            group.throughput(Throughput::Bytes(text.len() as u64));
            group.bench_with_input(BenchmarkId::new(name, n), &text, |b, t| {
                b.iter(|| sopc::check_source(t, &Default::default()))
            });
        }
    }
    group.finish();
}

criterion_group!(
    benches, parse, front, checks, check, count, artifact, engine, standing, loop_bound, lsp,
    service, library, typed
);
criterion_main!(benches);
