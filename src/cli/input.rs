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
    if let Ok(m) = std::fs::metadata(path) {
        sopc::memory::before_reading(m.len());
    }
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

/// The size from which `sopc check` frees a file's text while the checks
/// run and reads it again to show what they found (4 MiB, a policy of
/// about 25,000 steps): on a large policy the text is a sixth of what a
/// check holds at its peak, and a small one is not worth a second read.
pub const FREED_WHILE_CHECKED: usize = 4 << 20;

/// What tells a text read again from the one read first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    len: usize,
    hash: u64,
}

impl Fingerprint {
    pub fn of(text: &str) -> Self {
        use std::hash::BuildHasher;
        Fingerprint {
            len: text.len(),
            hash: foldhash::quality::FixedState::default().hash_one(text),
        }
    }
}

/// Reads `path` again, as [`read_lossy`] did; an error if it is not the
/// text read first (`was`), since what was found is about that text.
pub fn read_again(path: &Path, was: Fingerprint) -> Result<String, String> {
    let (source, _) = read_lossy(path)?;
    if Fingerprint::of(&source.text) != was {
        return Err(format!(
            "`{}` changed while sopc checked it; check it again",
            path.display()
        ));
    }
    Ok(source.text)
}

/// The reason without Rust's "(os error 2)" suffix.
fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::{read_again, read_lossy, Fingerprint};

    /// A file read again is the text read first, or an error that says it
    /// changed: never other text under the first one's spans.
    #[test]
    fn a_file_changed_between_reads_is_an_error() {
        let dir = std::env::temp_dir().join(format!("sopc-reread-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("p.sop");
        std::fs::write(&path, "step a \"A\" { end resolved }\n").unwrap();
        let (first, _) = read_lossy(&path).unwrap();
        let was = Fingerprint::of(&first.text);
        assert_eq!(read_again(&path, was).unwrap(), first.text);
        std::fs::write(&path, "step b \"B\" { end resolved }\n").unwrap();
        let err = read_again(&path, was).unwrap_err();
        assert!(err.contains("changed while sopc checked it"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
