//! `sopc eval (POLICY.sop | ARTIFACT.json) --answers FILE|-`: evaluate one
//! call from known answers and print JSON: the outcome with its trace (and
//! the answers the call never used), or the first question still unanswered.

use super::{load, Exit};
use serde_json::{json, Value};
use sopc::engine::json::{error_json, evaluate_request, RequestError};
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A policy file or a compiled artifact (.json)
    pub policy: PathBuf,
    /// A JSON object {QUESTION: ANSWER, ...} (`-` for standard input); a
    /// question asked again by a bounded retry takes a list, one per round
    #[arg(long, value_name = "FILE")]
    pub answers: PathBuf,
    /// A JSON object {FIELD: VALUE, ...} of collected data (secrets are
    /// redacted in the output)
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// A JSON object {FACT: VALUE, ...} of the facts the host gives at the
    /// start of the call (`from host`: time of the call, queue wait, ...)
    #[arg(long, value_name = "FILE")]
    pub context: Option<PathBuf>,
    /// A JSON object {RULE: N | "STEP", ...} of the standing rules
    /// (`anytime`) the analyst raises: once N answers were given, or the
    /// first time the call waits at STEP
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
}

pub fn run(args: Args) -> Exit {
    let engine = match load::engine(&args.policy) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let read = |p: &Option<PathBuf>| p.as_deref().map(read_json).transpose();
    let inputs = read_json(&args.answers).and_then(|answers| {
        Ok((
            answers,
            read(&args.data)?,
            read(&args.context)?,
            read(&args.events)?,
        ))
    });
    let (answers, data, context, events) = match inputs {
        Ok(i) => i,
        Err(e) => return input_error(e),
    };
    match evaluate_request(
        &engine,
        &answers,
        data.as_ref(),
        context.as_ref(),
        events.as_ref(),
    ) {
        Ok(v) => {
            print_json(&v);
            Exit::Clean
        }
        Err(RequestError::BadInput(e)) => input_error(e),
        Err(RequestError::Engine(e)) => {
            print_json(&error_json(&e));
            Exit::PolicyErrors
        }
    }
}

fn read_json(path: &Path) -> Result<Value, String> {
    let mut text = String::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
    } else {
        text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    }
    serde_json::from_str(&text).map_err(|e| format!("`{}` is not valid JSON: {e}", path.display()))
}

/// Bad input files: a JSON error object on standard output, exit 2.
fn input_error(message: String) -> Exit {
    print_json(&json!({ "status": "error", "error": { "code": "bad-input", "message": message } }));
    Exit::Usage
}

fn print_json(v: &Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}
