//! `sopc fmt [PATH...] [--check]`: rewrite policies in the canonical layout,
//! or with `--check` show the difference and exit 1 when a file is not
//! formatted.

use super::{input, usage_error, Exit};
use sopc::diagnostic;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Policy files or folders (all `.sop` files below); default `policies/`
    pub paths: Vec<PathBuf>,
    /// Change nothing; show what would change and exit 1 if anything would
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: Args) -> Exit {
    let files = match input::collect(&args.paths) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    let mut exit = Exit::Clean;
    for file in &files {
        let source = match input::read(file) {
            Ok(s) => s,
            Err(e) => return usage_error(e),
        };
        let formatted = match sopc::format_source(&source.text) {
            Ok(f) => f,
            Err(diags) => {
                let renderer = diagnostic::HumanRenderer::new(&source.name, &source.text, false);
                for d in diags.iter().filter(|d| d.is_error()) {
                    eprint!("{}", renderer.render(d));
                }
                eprintln!(
                    "error: `{}` cannot be formatted until it parses",
                    source.name
                );
                exit = Exit::PolicyErrors;
                continue;
            }
        };
        if formatted == source.text {
            continue;
        }
        if args.check {
            let diff = similar::TextDiff::from_lines(&source.text, &formatted);
            print!(
                "{}",
                diff.unified_diff()
                    .context_radius(2)
                    .header(&source.name, &format!("{} (formatted)", source.name))
            );
            exit = Exit::PolicyErrors;
        } else if let Err(e) = std::fs::write(file, &formatted) {
            return usage_error(format!("cannot write `{}`: {e}", file.display()));
        } else {
            println!("formatted {}", source.name);
        }
    }
    exit
}
