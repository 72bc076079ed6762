//! `sopc explain [CODE]`: the docs/checks.md section for a check code, or
//! the list of codes.

use super::{usage_error, Exit};
use sopc::codes::Code;

const CHECKS_MD: &str = include_str!("../../docs/checks.md");

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A check code such as `unreachable-step`; without one, list them all
    pub code: Option<String>,
}

pub fn run(args: Args) -> Exit {
    let Some(name) = args.code else {
        for c in Code::ALL {
            let kind = if c.is_lint() { "lint " } else { "error" };
            println!("{:<20} {kind}  {}", c.name(), c.summary());
        }
        return Exit::Clean;
    };
    let code = match Code::lookup(&name) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    match section(code) {
        Some(text) => {
            println!("{}", text.trim_end());
            Exit::Clean
        }
        None => usage_error(format!("docs/checks.md has no section for `{code}`")),
    }
}

/// The text from `## \`CODE\`` to the next `## ` heading.
pub fn section(code: Code) -> Option<&'static str> {
    let heading = format!("## `{}`", code.name());
    let start = CHECKS_MD.find(&heading)?;
    let rest = &CHECKS_MD[start..];
    let end = rest[heading.len()..]
        .find("\n## ")
        .map_or(rest.len(), |i| i + heading.len() + 1);
    Some(&rest[..end])
}
