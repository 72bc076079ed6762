//! The policies a server serves: every `.sop` file of its folder, by file
//! name (`policies/hac.sop` is `hac`). A file is compiled when it changes;
//! a version with errors is not served (the last clean one stays, and its
//! errors are shown); a removed file's policy is retired. Every version
//! ever served stays at hand by its hash, so a call goes on on the version
//! it started on.

use crate::render::check_json;
use crate::Engine;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One policy file.
pub struct Policy {
    pub id: String,
    pub file: PathBuf,
    /// The version served: the last one without errors.
    pub engine: Option<Arc<Engine>>,
    /// The errors of the file as it is now, when it has any (the JSON of
    /// `sopc check --format json` for one file).
    pub errors: Option<Value>,
    /// When the version served was loaded.
    pub loaded_at: Option<String>,
    text: String,
    /// The libraries it uses, as last read: one that changes compiles the
    /// policy again.
    shared: Vec<crate::uses::SharedFile>,
}

#[derive(Default)]
pub struct Library {
    pub policies: BTreeMap<String, Policy>,
    versions: HashMap<String, Arc<Engine>>,
}

/// What a reload did.
#[derive(Default, Debug)]
pub struct Reloaded {
    /// New versions served: (policy, version, artifact).
    pub versions: Vec<(String, String, String)>,
    /// Files whose new text has errors.
    pub failed: Vec<String>,
    /// Policies whose file is gone.
    pub retired: Vec<String>,
}

/// The policy files of `dir`, by id, sorted.
fn policy_files(dir: &Path) -> std::io::Result<BTreeMap<String, PathBuf>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "sop") && path.is_file() {
            if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                out.insert(stem.to_string(), path);
            }
        }
    }
    Ok(out)
}

/// Whether every library still reads as it did.
fn unchanged(shared: &[crate::uses::SharedFile]) -> bool {
    shared
        .iter()
        .all(|f| std::fs::read_to_string(&f.name).is_ok_and(|t| t == f.text))
}

impl Library {
    /// The clean version of policy `id`.
    pub fn engine(&self, id: &str) -> Option<Arc<Engine>> {
        self.policies.get(id).and_then(|p| p.engine.clone())
    }

    /// How many policies have a clean version served.
    pub fn served(&self) -> usize {
        self.policies
            .values()
            .filter(|p| p.engine.is_some())
            .count()
    }

    /// Any version ever served, by its hash.
    pub fn version(&self, version: &str) -> Option<Arc<Engine>> {
        self.versions.get(version).cloned()
    }

    /// Keeps a version read back from the records (a call started on
    /// another server, or before a restart).
    pub fn remember(&mut self, engine: Arc<Engine>) {
        self.versions
            .insert(engine.version().to_string(), engine.clone());
    }

    /// Reads `dir` again: compiles each file whose text changed, retires
    /// the policies whose file is gone.
    pub fn reload(&mut self, dir: &Path) -> std::io::Result<Reloaded> {
        let files = policy_files(dir)?;
        let mut done = Reloaded::default();
        let gone: Vec<String> = self
            .policies
            .keys()
            .filter(|id| !files.contains_key(*id))
            .cloned()
            .collect();
        for id in gone {
            self.policies.remove(&id);
            done.retired.push(id);
        }
        for (id, file) in files {
            // A file removed or unreadable between listing and reading is
            // picked up by the next event.
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            if self
                .policies
                .get(&id)
                .is_some_and(|p| p.text == text && unchanged(&p.shared))
            {
                continue;
            }
            let name = file.display().to_string();
            let compiled =
                Engine::compile_file(&name, &text, &crate::sources::FolderFiles::new(dir));
            // A library of shared declarations is not a policy to serve.
            if compiled.as_ref().is_err_and(|c| c.library) {
                if self.policies.remove(&id).is_some() {
                    done.retired.push(id);
                }
                continue;
            }
            let entry = self.policies.entry(id.clone()).or_insert_with(|| Policy {
                id: id.clone(),
                file: file.clone(),
                engine: None,
                errors: None,
                loaded_at: None,
                text: String::new(),
                shared: Vec::new(),
            });
            entry.text = text.clone();
            match compiled {
                Ok((engine, shared)) => {
                    entry.shared = shared;
                    let engine = Arc::new(engine);
                    let version = engine.version().to_string();
                    done.versions.push((
                        id.clone(),
                        version.clone(),
                        crate::artifact::write(engine.graph()),
                    ));
                    entry.engine = Some(engine.clone());
                    entry.errors = None;
                    entry.loaded_at = Some(super::clock::now());
                    self.versions.insert(version, engine);
                }
                Err(checked) => {
                    entry.shared = checked.shared.clone();
                    entry.errors = Some(check_json::checked_report(&name, &text, &checked));
                    done.failed.push(id.clone());
                }
            }
        }
        Ok(done)
    }
}
