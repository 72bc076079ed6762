//! `sopc compile FILE [-o OUT]`: write the checked graph as a JSON artifact.
//! A policy with errors gets no artifact.

use super::{input, report, usage_error, Exit};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The policy file
    pub file: PathBuf,
    /// Where to write the artifact (default: standard output)
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

pub fn run(args: Args) -> Exit {
    let source = match input::read(&args.file) {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    let Some(graph) = report::compile_or_report(&source) else {
        return Exit::PolicyErrors;
    };
    let json = sopc::artifact::write(&graph);
    match &args.output {
        None => print!("{json}"),
        Some(out) => {
            if let Err(e) = std::fs::write(out, json) {
                return usage_error(format!("cannot write `{}`: {e}", out.display()));
            }
        }
    }
    Exit::Clean
}
