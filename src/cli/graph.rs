//! `sopc graph POLICY --format mermaid|dot|svg`: the decision graph as a
//! flowchart. SVG needs Graphviz's `dot` on the PATH.

use super::{load, usage_error, Exit};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A policy file or a compiled artifact (.json)
    pub policy: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Mermaid)]
    pub format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Mermaid,
    Dot,
    Svg,
}

pub fn run(args: Args) -> Exit {
    let engine = match load::engine(&args.policy) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let g = engine.graph();
    match args.format {
        Format::Mermaid => print!("{}", sopc::render::graph::mermaid(g)),
        Format::Dot => print!("{}", sopc::render::graph::dot(g)),
        Format::Svg => match svg(&sopc::render::graph::dot(g)) {
            Ok(s) => print!("{s}"),
            Err(e) => return usage_error(e),
        },
    }
    Exit::Clean
}

/// Renders DOT to SVG with Graphviz.
pub fn svg(dot: &str) -> Result<String, String> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|_| "Graphviz is not installed (`dot` was not found); install it, for example `apt-get install graphviz`, or use `--format dot`".to_string())?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(dot.as_bytes())
            .map_err(|e| format!("cannot run `dot`: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("cannot run `dot`: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`dot` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| "`dot` wrote something that is not UTF-8".to_string())
}
