//! Times each stage of a check on one file: `cargo run --release --example stages -- big.sop`.
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Resident memory now, in MB (Linux; 0 elsewhere).
fn rss_mb() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096 / 1_000_000
}

fn main() {
    let path = std::env::args().nth(1).expect("a policy file");
    let text = std::fs::read_to_string(path).expect("readable UTF-8");
    let t = Instant::now();
    let parsed = sopc::syntax::parse(&text);
    let policy = parsed.policy.expect("parses");
    let t_parse = t.elapsed();
    eprintln!("after parse: {} MB", rss_mb());
    let mut diags = Vec::new();
    let t = Instant::now();
    let symbols = sopc::resolve::resolve(&policy, &mut diags);
    let t_resolve = t.elapsed();
    eprintln!("after resolve: {} MB", rss_mb());
    let t = Instant::now();
    let graph = sopc::lower::lower(policy, &symbols, &mut diags).expect("lowers");
    let t_lower = t.elapsed();
    eprintln!("after lower: {} MB", rss_mb());
    drop(symbols);
    let t = Instant::now();
    let d = sopc::check::run(&graph, &Default::default());
    let t_check = t.elapsed();
    eprintln!("after checks: {} MB", rss_mb());
    println!(
        "parse {t_parse:?} ({:.1} MiB/s), resolve {t_resolve:?}, lower {t_lower:?}, checks {t_check:?} ({} diagnostics)",
        text.len() as f64 / t_parse.as_secs_f64() / 1048576.0,
        d.len()
    );
}
