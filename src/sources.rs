//! Where `use "FILE"` finds the text of a library: the compiler asks a
//! [`Files`] and never opens a file itself, so the library API, the
//! service and the editor each say where files come from.

use std::collections::HashMap;

/// Reads the files that policies `use`.
pub trait Files {
    /// The text of the file `path` names, written in the file `from`
    /// (a name this reader gave, or the checked file's own name), and the
    /// file's name: the one its diagnostics are reported under, and the
    /// `from` of the files it uses in turn. The error is a reason for
    /// people (`no such file`).
    fn read(&self, from: &str, path: &str) -> Result<(String, String), String>;
}

/// No files: a text checked on its own, whose `use` lines cannot be
/// followed.
pub struct NoFiles;

impl Files for NoFiles {
    fn read(&self, _from: &str, _path: &str) -> Result<(String, String), String> {
        Err("this policy was given as text alone, with no folder to read it from".into())
    }
}

/// Files on disk, each found from the folder of the file that uses it.
pub struct DiskFiles;

impl Files for DiskFiles {
    fn read(&self, from: &str, path: &str) -> Result<(String, String), String> {
        let name = join(from, path);
        let bytes = std::fs::read(&name).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ if std::path::Path::new(&name).is_dir() => "it is a folder".to_string(),
            _ => e.to_string(),
        })?;
        let text = String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())?;
        Ok((name, text))
    }
}

/// Files held in memory by name (`policies/common/roles.sop`): for tests,
/// benchmarks and tools that hold a folder's texts.
#[derive(Clone, Debug, Default)]
pub struct MemoryFiles(pub HashMap<String, String>);

impl Files for MemoryFiles {
    fn read(&self, from: &str, path: &str) -> Result<(String, String), String> {
        let name = join(from, path);
        match self.0.get(&name) {
            Some(text) => Ok((name, text.clone())),
            None => Err("no such file".into()),
        }
    }
}

/// `path` as seen from the folder of the file `from`, with `.` and `..`
/// parts taken out: `join("policies/a.sop", "common/r.sop")` is
/// `policies/common/r.sop`. An absolute `path` stands alone.
pub fn join(from: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let absolute = path.starts_with('/');
    if !absolute {
        parts.extend(from.split('/'));
        parts.pop();
    }
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != ".." && !p.is_empty()) => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    let joined = parts
        .iter()
        .filter(|p| !p.is_empty() && **p != ".")
        .copied()
        .collect::<Vec<_>>()
        .join("/");
    if absolute || from.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn paths_are_joined_from_the_using_files_folder() {
        assert_eq!(
            join("policies/a.sop", "common/r.sop"),
            "policies/common/r.sop"
        );
        assert_eq!(join("policies/a.sop", "../shared/r.sop"), "shared/r.sop");
        assert_eq!(join("a.sop", "r.sop"), "r.sop");
        assert_eq!(join("a.sop", "../r.sop"), "../r.sop");
        assert_eq!(join("/x/p/a.sop", "./c/../r.sop"), "/x/p/r.sop");
        assert_eq!(join("p/a.sop", "/etc/r.sop"), "/etc/r.sop");
        assert_eq!(join("", "common/r.sop"), "common/r.sop");
    }
}
