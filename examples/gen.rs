//! Prints a synthetic policy of about `--steps N` steps (see `sopc::synth`):
//!
//! ```sh
//! cargo run --release --example gen -- --steps 100000 --seed 7 > big.sop
//! ```

fn main() {
    let mut steps = 1000usize;
    let mut seed = 1u64;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).and_then(|v| v.parse::<u64>().ok());
        match (args[i].as_str(), value) {
            ("--steps", Some(v)) => steps = v.max(sopc::synth::BLOCK as u64) as usize,
            ("--seed", Some(v)) => seed = v,
            _ => {
                eprintln!("usage: gen --steps N --seed S");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    print!("{}", sopc::synth::generate(steps, seed));
}
