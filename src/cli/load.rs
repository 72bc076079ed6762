//! Loading what the engine runs: a policy (compiled on the spot) or a
//! compiled JSON artifact (verified before it is trusted).

use super::{input, report, Exit};
use sopc::Engine;
use std::path::Path;

/// The engine for `path`, or the exit code after printing why not.
pub fn engine(path: &Path) -> Result<Engine, Exit> {
    let source = input::read(path).map_err(super::usage_error)?;
    if path.extension().is_some_and(|e| e == "json") {
        return Engine::from_json(&source.text).map_err(|e| {
            eprintln!("error: `{}` was refused: {e}", source.name);
            Exit::PolicyErrors
        });
    }
    report::engine_or_report(&source).ok_or(Exit::PolicyErrors)
}
