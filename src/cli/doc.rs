//! `sopc doc POLICY [--format markdown|html]`: the SOP as a document in the
//! seed's form.

use super::{load, Exit};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A policy file or a compiled artifact (.json)
    pub policy: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
}

pub fn run(args: Args) -> Exit {
    let engine = match load::engine(&args.policy) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let g = engine.graph();
    match args.format {
        Format::Markdown => print!("{}", sopc::render::doc::markdown(g)),
        Format::Html => {
            // The flowchart is drawn inline when Graphviz is there.
            let svg = super::graph::svg(&sopc::render::graph::dot(g)).ok();
            print!("{}", sopc::render::doc::html(g, svg.as_deref()));
        }
    }
    Exit::Clean
}
