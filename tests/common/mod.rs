//! Helpers shared by the integration tests.
#![allow(dead_code)]

use sopc::pipeline::{check_source, CheckOptions};

/// The date every test checks against, so `review-overdue` is stable.
pub const TODAY: (i32, u32, u32) = (2026, 11, 28);

pub fn options() -> CheckOptions {
    let mut o = CheckOptions::default();
    o.check.today = Some(TODAY);
    o
}

/// Every diagnostic of `text`, rendered without colour, as a user sees it.
pub fn render(name: &str, text: &str) -> String {
    let checked = check_source(text, &options());
    let mut out = String::new();
    for d in &checked.diagnostics {
        out.push_str(&sopc::diagnostic::render_human(d, name, text, false));
        out.push('\n');
    }
    if out.is_empty() {
        out.push_str("(no diagnostics)\n");
    }
    out
}

/// The file name relative to the repository, with `/` separators.
pub fn display_name(path: &std::path::Path) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The policies shipped in `policies/`, sorted.
pub fn shipped_policies() -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .expect("policies/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sop"))
        .collect();
    v.sort();
    v
}
