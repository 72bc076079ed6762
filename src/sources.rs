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

/// Files on disk inside one folder (and the folders below it): what a
/// server reads, so that a policy in its folder cannot make it read, and
/// report, a file elsewhere (`use "/etc/passwd"`, `use "../../x.sop"`).
pub struct FolderFiles {
    root: std::path::PathBuf,
}

impl FolderFiles {
    pub fn new(root: &std::path::Path) -> Self {
        FolderFiles {
            root: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
        }
    }
}

impl Files for FolderFiles {
    fn read(&self, from: &str, path: &str) -> Result<(String, String), String> {
        let name = join(from, path);
        let inside = std::fs::canonicalize(&name).is_ok_and(|p| p.starts_with(&self.root));
        if !inside && std::path::Path::new(&name).exists() {
            return Err(format!(
                "it is outside the folder served (`{}`)",
                self.root.display()
            ));
        }
        DiskFiles.read(from, path)
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
    use super::{join, Files, FolderFiles};

    #[test]
    fn a_folder_reader_refuses_files_outside_its_folder() {
        let base = std::env::temp_dir().join(format!("sopc-folder-{}", std::process::id()));
        let served = base.join("served");
        std::fs::create_dir_all(served.join("common")).unwrap();
        std::fs::write(served.join("common/r.sop"), "library \"R\" \"r\" {}\n").unwrap();
        std::fs::write(base.join("secret.sop"), "not for the server\n").unwrap();
        let files = FolderFiles::new(&served);
        let from = served.join("a.sop").display().to_string();
        assert!(files.read(&from, "common/r.sop").is_ok());
        let refused = files.read(&from, "../secret.sop").unwrap_err();
        assert!(refused.contains("outside the folder"), "{refused}");
        assert_eq!(
            files.read(&from, "nothere.sop").unwrap_err(),
            "no such file"
        );
        std::fs::remove_dir_all(&base).unwrap();
    }

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
