//! Times each stage of a check on one file: `cargo run --release --example stages -- big.sop`.
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let path = std::env::args().nth(1).expect("a policy file");
    let text = std::fs::read_to_string(path).expect("readable UTF-8");
    let t = Instant::now();
    let parsed = sopc::syntax::parse(&text);
    let policy = parsed.policy.expect("parses");
    let t_parse = t.elapsed();
    let mut diags = Vec::new();
    let t = Instant::now();
    let symbols = sopc::resolve::resolve(&policy, &mut diags);
    let t_resolve = t.elapsed();
    let t = Instant::now();
    let graph = sopc::lower::lower(&policy, &symbols, &mut diags).expect("lowers");
    let t_lower = t.elapsed();
    let t = Instant::now();
    drop((policy, symbols));
    let t_drop = t.elapsed();
    let t = Instant::now();
    let d = sopc::check::run(&graph, &Default::default());
    let t_check = t.elapsed();
    println!(
        "parse {t_parse:?} ({:.1} MiB/s), resolve {t_resolve:?}, lower {t_lower:?}, drop {t_drop:?}, checks {t_check:?} ({} diagnostics)",
        text.len() as f64 / t_parse.as_secs_f64() / 1048576.0,
        d.len()
    );
}
