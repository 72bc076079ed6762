//! Times each stage of a check on one file: `cargo run --release --example stages -- big.sop`.
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Resident memory now and its peak so far, in MB (Linux; 0 elsewhere).
fn rss_mb() -> String {
    let (now, peak) = sopc::memory::resident_kib();
    format!(
        "{} MB (peak {} MB)",
        now * 1024 / 1_000_000,
        peak * 1024 / 1_000_000
    )
}

fn main() {
    // As the binary does, so that the memory figures are the binary's.
    sopc::memory::return_freed_memory_soon();
    let path = std::env::args().nth(1).expect("a policy file");
    // As `sopc check` does for a large file (src/cli/input.rs).
    if let Ok(m) = std::fs::metadata(&path) {
        sopc::memory::before_reading(m.len());
    }
    let text = std::fs::read_to_string(path).expect("readable UTF-8");
    let t = Instant::now();
    let parsed = sopc::syntax::parse(&text);
    let policy = parsed.policy;
    let t_parse = t.elapsed();
    eprintln!("after parse: {}", rss_mb());
    let mut diags = Vec::new();
    // As the pipeline does; nothing to write out in a generated policy.
    let bump = bumpalo::Bump::new();
    let mut pieces = sopc::foreach::Pieces::default();
    let policy = sopc::pipeline::desugar(policy, &bump, &mut diags, &mut pieces);
    let t = Instant::now();
    let mut symbols = sopc::resolve::resolve(&policy, &mut diags);
    let t_resolve = t.elapsed();
    eprintln!("after resolve: {}", rss_mb());
    let levels = sopc::levels::Levels::new(std::mem::take(&mut symbols.lints), &Default::default());
    // As the pipeline does: lowering reads the bindings, not the names.
    symbols.drop_names();
    let t = Instant::now();
    let graph = sopc::lower::lower(policy, &symbols, &mut diags).expect("lowers");
    let t_lower = t.elapsed();
    eprintln!("after lower: {}", rss_mb());
    drop(symbols);
    let t = Instant::now();
    let d = sopc::check::run(&graph, &Default::default(), &levels);
    let t_check = t.elapsed();
    eprintln!("after checks: {}", rss_mb());
    // The states the path checks walk: what the checks' time grows with.
    let states = sopc::analysis::states::StateSpace::build(&graph).map_or(0, |s| s.len());
    println!(
        "parse {t_parse:?} ({:.1} MiB/s), resolve {t_resolve:?}, lower {t_lower:?}, checks {t_check:?} ({} diagnostics, {states} states for {} steps)",
        text.len() as f64 / t_parse.as_secs_f64() / 1048576.0,
        d.len(),
        graph.steps.len()
    );
}
