//! `sopc paths FILE`: every caller path of a policy (bounded loops unrolled),
//! or with `--count` only their exact number.

use super::{input, report, usage_error, Exit};
use sopc::analysis::states::StateSpace;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The policy file
    pub file: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// List at most this many paths (the total stays exact)
    #[arg(long, default_value_t = 1000)]
    pub limit: usize,
    /// Print only the exact number of caller paths
    #[arg(long)]
    pub count: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

pub fn run(args: Args) -> Exit {
    let source = match input::read(&args.file) {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    let Some(graph) = report::compile_or_report(&source) else {
        return Exit::PolicyErrors;
    };
    let space = match StateSpace::build(&graph) {
        Ok(s) => s,
        Err(_) => return usage_error("the policy is too large to analyse its paths"),
    };
    let total = sopc::paths::count(&space);
    if args.count {
        match args.format {
            Format::Text => println!("{total}"),
            Format::Json => println!("{}", sopc::paths::listing_json(&graph, &total, None)),
        }
        return Exit::Clean;
    }
    let paths = sopc::paths::enumerate(&graph, &space, args.limit);
    match args.format {
        Format::Text => {
            println!(
                "{total} caller path{} in `{}`",
                if total.to_u128() == Some(1) { "" } else { "s" },
                source.name
            );
            for (i, p) in paths.iter().enumerate() {
                println!("{:>4}. {}", i + 1, sopc::paths::path_text(&graph, p));
            }
            if (paths.len() as u128) < total.to_u128().unwrap_or(u128::MAX) {
                println!(
                    "... {} more not listed (raise --limit)",
                    total_minus(&total, paths.len())
                );
            }
        }
        Format::Json => {
            let v = sopc::paths::listing_json(&graph, &total, Some(&paths));
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
    }
    Exit::Clean
}

fn total_minus(total: &sopc::analysis::count::Count, listed: usize) -> String {
    match total.to_u128() {
        Some(t) => (t - listed as u128).to_string(),
        None => format!("about 2^{}", total.bits() - 1),
    }
}
