//! `sopc.toml`: rule levels for the policies below it. The nearest file
//! walking up from a policy applies:
//!
//! ```toml
//! [lints]
//! unreachable-step = "allow"
//! long-path = "deny"
//! ```
//!
//! (the `[lints]` header may be left out). Command-line flags override the
//! file; a `lint` line inside a step overrides both (see [`crate::levels`]).

use crate::codes::Code;
use crate::levels::Level;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "sopc.toml";

/// The nearest `sopc.toml` at or above `dir`.
pub fn find(dir: &Path) -> Option<PathBuf> {
    let mut cur = Some(dir);
    while let Some(d) = cur {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        cur = d.parent();
    }
    None
}

/// Reads the levels from a `sopc.toml` text; errors name the file's key.
pub fn parse(text: &str) -> Result<HashMap<Code, Level>, String> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| e.message().to_string())?;
    let lints = match table.get("lints") {
        Some(toml::Value::Table(t)) => t.clone(),
        Some(_) => return Err("`lints` must be a table: [lints]".into()),
        None => table,
    };
    let mut levels = HashMap::new();
    for (key, value) in &lints {
        let code = Code::lookup_lint(key)?;
        let level = match value.as_str() {
            Some("allow") => Level::Allow,
            Some("warn") => Level::Warn,
            Some("deny") => Level::Deny,
            _ => return Err(format!("`{key}` must be \"allow\", \"warn\" or \"deny\"")),
        };
        levels.insert(code, level);
    }
    Ok(levels)
}

/// The levels that apply to the policy at `path` (empty without a file).
pub fn levels_for(path: &Path) -> Result<HashMap<Code, Level>, String> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    match find(&dir) {
        None => Ok(HashMap::new()),
        Some(file) => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
            parse(&text).map_err(|e| format!("`{}`: {e}", file.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_levels_with_or_without_a_table() {
        let a = parse("[lints]\nunreachable-step = \"allow\"\n").expect("valid");
        assert_eq!(a.get(&Code::UnreachableStep), Some(&Level::Allow));
        let b = parse("long-path = \"deny\"\n").expect("valid");
        assert_eq!(b.get(&Code::LongPath), Some(&Level::Deny));
        assert!(parse("unreachable-stp = \"allow\"")
            .unwrap_err()
            .contains("did you mean"));
        assert!(parse("dead-end = \"allow\"")
            .unwrap_err()
            .contains("always an error"));
        assert!(parse("long-path = \"off\"").is_err());
        assert!(parse("long-path = ").is_err());
    }
}
