//! Reading policy files: folders expand to every `.sop` file below them,
//! sorted; unreadable or non-UTF-8 files are usage errors.

use std::path::{Path, PathBuf};

pub struct Source {
    /// The path as the user wrote it (or as found below a folder).
    pub name: String,
    pub text: String,
}

/// The `.sop` files named by `paths` (default: `policies/`).
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let default = [PathBuf::from("policies")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p)
            .map_err(|e| format!("cannot read `{}`: {}", p.display(), io_reason(&e)))?;
        if meta.is_dir() {
            let before = files.len();
            walk(p, &mut files)?;
            files[before..].sort();
            if files.len() == before {
                return Err(format!("no `.sop` files in `{}`", p.display()));
            }
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .map_err(|e| format!("cannot read `{}`: {}", d.display(), io_reason(&e)))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "sop") {
                out.push(path);
            }
        }
    }
    Ok(())
}

/// Reads one policy as UTF-8 text.
pub fn read(path: &Path) -> Result<Source, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read `{}`: {}", path.display(), io_reason(&e)))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "`{}` is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok(Source {
        name: path.display().to_string(),
        text,
    })
}

/// The reason without Rust's "(os error 2)" suffix.
fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
