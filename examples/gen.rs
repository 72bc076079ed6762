//! Prints a synthetic policy of about `--steps N` steps (see `sopc::synth`):
//!
//! ```sh
//! cargo run --release --example gen -- --steps 100000 --seed 7 > big.sop
//! ```
//!
//! With `--typed`, with host facts, ranges and verification mixed in
//! (`sopc::synth::generate_typed`).
//!
//! or a chain of B retry loops, each with four ways back, bounded by one
//! `loop` line per loop (or, with `--per-branch`, a bound on each way
//! back), N times (`sopc::synth::generate_retry_loops`):
//!
//! ```sh
//! cargo run --release --example gen -- --retry-loops 1 --times 3 [--per-branch] > loop.sop
//! ```

fn usage() -> ! {
    eprintln!(
        "usage: gen --steps N --seed S [--typed] | gen --retry-loops B --times N [--per-branch]"
    );
    std::process::exit(2);
}

fn main() {
    let mut steps = 1000usize;
    let mut seed = 1u64;
    let (mut loops, mut times, mut per_branch, mut typed) = (None, 3u32, false, false);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--per-branch" || args[i] == "--typed" {
            per_branch |= args[i] == "--per-branch";
            typed |= args[i] == "--typed";
            i += 1;
            continue;
        }
        let value = args.get(i + 1).and_then(|v| v.parse::<u64>().ok());
        match (args[i].as_str(), value) {
            ("--steps", Some(v)) => steps = v.max(sopc::synth::BLOCK as u64) as usize,
            ("--seed", Some(v)) => seed = v,
            ("--retry-loops", Some(v)) => loops = Some(v as usize),
            ("--times", Some(v)) => times = u32::try_from(v).unwrap_or_else(|_| usage()),
            _ => usage(),
        }
        i += 2;
    }
    match loops {
        Some(blocks) => print!(
            "{}",
            sopc::synth::generate_retry_loops(blocks, times, per_branch)
        ),
        None if typed => print!("{}", sopc::synth::generate_typed(steps, seed)),
        None => print!("{}", sopc::synth::generate(steps, seed)),
    }
}
