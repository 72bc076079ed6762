//! `sopc test [PATH...]`: run the scenarios written in each policy, show
//! each pass or failure (expected against actual), and report which steps
//! and branches no scenario reaches.

use super::{input, load, usage_error, Exit};
use sopc::scenarios::{self, Mismatch};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Policy files or folders (all `.sop` files below); default `policies/`
    pub paths: Vec<PathBuf>,
    /// Fail when step or branch coverage of a policy is below this percentage
    #[arg(long, value_name = "PERCENT")]
    pub min_coverage: Option<f64>,
}

pub fn run(args: Args) -> Exit {
    if let Some(p) = args.min_coverage {
        if !(0.0..=100.0).contains(&p) {
            return usage_error(format!("`--min-coverage {p}` must be between 0 and 100"));
        }
    }
    let files = match input::collect(&args.paths) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    let mut failed = false;
    let (mut passed_total, mut failed_total) = (0, 0);
    for file in &files {
        // A library's procedures are tested by the scenarios of the
        // policies that use it.
        if input::is_library(file) {
            println!(
                "{}\n  a library: tested through the policies that use it",
                file.display()
            );
            continue;
        }
        let engine = match load::engine(file) {
            Ok(e) => e,
            Err(Exit::Usage) => return Exit::Usage,
            Err(_) => {
                failed = true;
                continue;
            }
        };
        println!("{}", file.display());
        let report = scenarios::run(&engine);
        if report.results.is_empty() {
            println!("  no scenarios");
        }
        for r in &report.results {
            if r.passed() {
                passed_total += 1;
                println!("  PASS  {}", r.name);
                continue;
            }
            failed_total += 1;
            failed = true;
            println!("  FAIL  {}", r.name);
            for m in &r.failures {
                match m {
                    Mismatch::Unanswered { fact, step } => {
                        println!("        the answers run out at `{fact}` (step `{step}`): add an answer for it")
                    }
                    Mismatch::Outcome { expected, actual } => {
                        println!("        outcome   expected: {expected}");
                        println!("                    actual: {actual}");
                    }
                    Mismatch::NotRaised { rule, why } => {
                        println!("        `anytime {rule}` was not raised: {why}");
                    }
                    Mismatch::Unused { answers } => {
                        let list: Vec<String> = answers
                            .iter()
                            .map(|(fact, answer, round)| {
                                if *round == 1 {
                                    format!("{fact} = {answer}")
                                } else {
                                    format!("{fact} = {answer} (round {round})")
                                }
                            })
                            .collect();
                        println!(
                            "        the call ended before asking for: {}",
                            list.join(", ")
                        );
                        println!(
                            "        remove them, or check the policy's branches and retry bounds"
                        );
                    }
                    Mismatch::Steps { expected, actual } => {
                        println!(
                            "        steps     expected (in order): {}",
                            expected.join(" -> ")
                        );
                        println!("                    visited: {}", actual.join(" -> "));
                    }
                }
            }
        }
        let c = &report.coverage;
        println!(
            "  coverage: steps {}/{} ({:.1}%), branches {}/{} ({:.1}%)",
            c.steps_covered,
            c.steps_total,
            c.step_percent(),
            c.branches_covered,
            c.branches_total,
            c.branch_percent()
        );
        for s in &c.uncovered_steps {
            println!("    not reached: step {s}");
        }
        for b in &c.uncovered_branches {
            println!("    not reached: branch {b}");
        }
        if let Some(min) = args.min_coverage {
            if c.step_percent() < min || c.branch_percent() < min {
                println!("  coverage is below {min}%");
                failed = true;
            }
        }
    }
    println!("{passed_total} passed, {failed_total} failed");
    if failed {
        Exit::PolicyErrors
    } else {
        Exit::Clean
    }
}
