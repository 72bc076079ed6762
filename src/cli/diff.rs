//! `sopc diff OLD NEW`: which caller paths end differently, file different
//! tickets or take another route between two versions of a policy, which
//! declarations changed, and which texts were reworded. Exit 0 when the
//! behaviour is the same (however the wording changed), 1 when it differs.

use super::{load, usage_error, Exit};
use serde_json::json;
use sopc::diff::{ChangedPath, Changes};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The old version (policy or artifact)
    pub old: PathBuf,
    /// The new version (policy or artifact)
    pub new: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Example caller paths listed per kind of change
    #[arg(long, default_value_t = 10)]
    pub examples: usize,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

pub fn run(args: Args) -> Exit {
    let old = match load::engine(&args.old) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let new = match load::engine(&args.new) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let d = match sopc::diff::diff(old.graph(), new.graph(), args.examples) {
        Ok(d) => d,
        Err(_) => return usage_error("the two versions are too large to compare"),
    };
    match args.format {
        Format::Json => {
            let changes = |c: &Changes| {
                json!({
                    "count": c.count.to_string(),
                    "examples": c.examples.iter().map(|p| json!({
                        "answers": p.answers.iter().map(|(f, a)| json!([f, a])).collect::<Vec<_>>(),
                        "old": p.old, "new": p.new,
                    })).collect::<Vec<_>>(),
                })
            };
            let v = json!({
                "equal": d.is_equal(),
                "changed": changes(&d.changed),
                "tickets": changes(&d.tickets),
                "route": changes(&d.route),
                "added": changes(&d.added),
                "removed": changes(&d.removed),
                "declarations": d.declarations,
                "texts": d.texts.iter().map(|t| json!({
                    "on": t.on, "name": t.name, "field": t.field,
                    "old": t.old, "new": t.new,
                })).collect::<Vec<_>>(),
            });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        Format::Text => {
            if d.is_equal() {
                println!("no difference in behaviour");
            }
            section("caller paths that now end differently", &d.changed);
            section(
                "caller paths that end the same but file different tickets",
                &d.tickets,
            );
            section(
                "caller paths that end the same but take another route",
                &d.route,
            );
            section("caller paths only in the new version", &d.added);
            section("caller paths only in the old version", &d.removed);
            if !d.declarations.is_empty() {
                println!("declarations:");
                for line in &d.declarations {
                    println!("  {line}");
                }
            }
            if !d.texts.is_empty() {
                println!("texts (wording, not behaviour):");
                for t in &d.texts {
                    println!("  {t}");
                }
            }
        }
    }
    if d.is_equal() {
        Exit::Clean
    } else {
        Exit::PolicyErrors
    }
}

fn section(title: &str, c: &Changes) {
    if c.count.is_zero() {
        return;
    }
    println!("{}: {}", title, c.count);
    for p in &c.examples {
        println!("  {}", answers(p));
        println!(
            "    old: {}\n    new: {}",
            p.old.as_deref().unwrap_or("(no such path)"),
            p.new.as_deref().unwrap_or("(no such path)")
        );
    }
    if c.count
        .to_u128()
        .is_none_or(|n| n > c.examples.len() as u128)
    {
        println!("  ... more not listed (raise --examples)");
    }
}

fn answers(p: &ChangedPath) -> String {
    if p.answers.is_empty() {
        return "(no answers)".into();
    }
    p.answers
        .iter()
        .map(|(f, a)| format!("{f} = {a}"))
        .collect::<Vec<_>>()
        .join(", ")
}
