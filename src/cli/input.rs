//! Reading policy files: folders expand to every `.sop` file below them,
//! sorted; unreadable files are usage errors. Text that is not UTF-8 is a
//! usage error too, except for `sopc check`, which reports it as a `syntax`
//! diagnostic at the first invalid byte and goes on with the other files.

use sopc::span::{LineIndex, Span};
use sopc::{Code, Diagnostic};
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

/// Whether the file is a library (`library` header) rather than a policy;
/// a file that cannot be read is not.
pub fn is_library(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| sopc::syntax::parse(&t).policy.header.library)
}

/// Reads one policy as UTF-8 text.
pub fn read(path: &Path) -> Result<Source, String> {
    match read_lossy(path)? {
        (source, None) => Ok(source),
        (source, Some(d)) => {
            let at = LineIndex::new(&source.text).line_col(d.span.map_or(0, |s| s.start as usize));
            Err(format!(
                "`{}` is not UTF-8 text (invalid byte at line {}, column {}); save it as UTF-8",
                source.name, at.line, at.column
            ))
        }
    }
}

/// Reads one policy; text that is not UTF-8 comes back decoded with
/// replacement characters, with a diagnostic at the first invalid byte.
pub fn read_lossy(path: &Path) -> Result<(Source, Option<Diagnostic>), String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read `{}`: {}", path.display(), io_reason(&e)))?;
    let name = path.display().to_string();
    match String::from_utf8(bytes) {
        Ok(text) => Ok((Source { name, text }, None)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bad = e.as_bytes()[at];
            // Bytes before `at` are unchanged by the lossy decoding, so the
            // span lands on the replacement character.
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let d = Diagnostic::new(
                Code::Syntax,
                format!("the file is not UTF-8 text: byte 0x{bad:02X} cannot start or continue a character"),
            )
            .at(Span::new(at, at + '\u{FFFD}'.len_utf8()), "not UTF-8")
            .with_help("save the policy as UTF-8 (most editors offer it under \"Save with encoding\")");
            Ok((Source { name, text }, Some(d)))
        }
    }
}

/// The reason without Rust's "(os error 2)" suffix.
fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
